/* core/metrics_internal.h — helpers shared by the feature-space metrics (private to core/). */
#ifndef CLNSCL_METRICS_INTERNAL_H
#define CLNSCL_METRICS_INTERNAL_H

#include <stddef.h>

/* Copy X (n × d, row-major) with every column centred; if max |entry| is outside
 * [2^-200, 2^200] it is rescaled by a power of two into [0.5, 1) (CKA is scale invariant;
 * this keeps fourth powers of 1e±150 data in range). A constant column (all entries
 * equal) becomes exactly 0. Checks finiteness. *all_const = 1 if every column
 * is constant. `what` names the matrix in messages ("X", "Y"). */
int metrics_center_copy(const double *X, size_t n, size_t d, const char *what, double **Xc, int *all_const);

/* Copy X with every row scaled to unit l2 norm (norm computed without overflow).
 * A zero row is CLNSCL_EDEGENERATE ("<what> row r is all zeros (cosine undefined)"). */
int metrics_normalize_rows(const double *X, size_t n, size_t d, const char *what, double **Xn);

/* Shape/argument checks common to every two-matrix metric. */
int metrics_check_args(const double *X, size_t n, size_t dx, const double *Y, size_t dy, size_t nmin,
                       const char *metric);

#endif
