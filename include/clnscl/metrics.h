/* clnscl/metrics.h — representation alignment metrics (double precision).
 *
 * Feature matrices are row-major n × d (rows = samples). Every function centres
 * before forming products, returns a status, and never returns a NaN: undefined
 * cases (constant features, zero rows, n too small) are CLNSCL_EDEGENERATE /
 * CLNSCL_EINVAL with a message. THEORY.md §4.6, §4.7, §6.4; EDGE_CASES.md K1–K4, R1–R2.
 */
#ifndef CLNSCL_METRICS_H
#define CLNSCL_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* ‖x‖₂ of d values without overflow or underflow in the squares (scaled by max |x_j|); 0 for a
 * zero vector; +inf only when the norm itself exceeds the double range. */
double clnscl_norm2(const double *x, size_t d);

/* Rows of X (n × d) divided by their l2 norms into out (out may be X), computed without
 * overflow or underflow, so the result does not depend on the scale of a row. NaN/Inf or a zero
 * row is an error naming `what`, the row and column. */
int clnscl_normalize_rows(const double *X, size_t n, size_t d, const char *what, double *out);

/* Linear CKA of column-centred raw features (the authors' experiments, §6.4).
 * Computed in feature space: ‖XcᵀYc‖²_F / (‖XcᵀXc‖_F ‖YcᵀYc‖_F). n ≥ 2. */
int clnscl_cka_linear(const double *X, size_t n, size_t dx,
                      const double *Y, size_t dy, double *out);

/* CKA of the cosine-similarity matrices (Corollary 1 definition, §4.6):
 * linear CKA of the row-l2-normalised features. A zero row is an error. */
int clnscl_cka_cosine(const double *X, size_t n, size_t dx,
                      const double *Y, size_t dy, double *out);

/* CKA from the unbiased HSIC estimator (Song et al. 2012); n ≥ 4; not clipped. */
int clnscl_cka_debiased(const double *X, size_t n, size_t dx,
                        const double *Y, size_t dy, double *out);

/* RBF-kernel CKA, bandwidth σ = sigma_factor × median pairwise distance (per matrix). */
int clnscl_cka_rbf(const double *X, size_t n, size_t dx,
                   const double *Y, size_t dy, double sigma_factor, double *out);

/* RSA: cosine-dissimilarity RDMs (1 − cos), Pearson over the strict upper triangle,
 * streamed in blocks (never materialises the n(n−1)/2 vectors). n ≥ 3. */
int clnscl_rsa_pearson(const double *X, size_t n, size_t dx,
                       const double *Y, size_t dy, double *out);
/* the same with Spearman (average ranks for ties) */
int clnscl_rsa_spearman(const double *X, size_t n, size_t dx,
                        const double *Y, size_t dy, double *out);

/* --- similarity-matrix (Gram) routes: S1, S2 are n × n, not necessarily symmetric --- */

/* ⟨H S1 H, H S2 H⟩_F / (‖H S1 H‖_F ‖H S2 H‖_F)  (§4.6). */
int clnscl_cka_gram(const double *S1, const double *S2, size_t n, double *out);

/* Pearson correlation of the strict upper triangles of 1 − S1 and 1 − S2 (§4.7). */
int clnscl_rsa_sim(const double *S1, const double *S2, size_t n, double *out);

/* Corollary-1 ingredients: rho = ‖HS1H − HS2H‖_F / ‖HS1H‖_F (§4.6). */
int clnscl_cka_rho(const double *S1, const double *S2, size_t n, double *rho);
/* Corollary-2 ingredients: r = ‖b − a‖₂ / (√M σ_a), a = upper(1 − S1), population σ (§4.7). */
int clnscl_rsa_r(const double *S1, const double *S2, size_t n, double *r);

/* Everything of one pair in one shared pass each (used by sim/ at every logged step):
 * cka = clnscl_cka_gram, rho = clnscl_cka_rho, k1 = ‖H S1 H‖_F;
 * rsa = clnscl_rsa_sim, r = clnscl_rsa_r, a1 = ‖a − ā‖₂ = √M σ_a. */
int clnscl_gram_compare(const double *S1, const double *S2, size_t n, double *cka, double *rho, double *k1);
int clnscl_rdm_compare(const double *S1, const double *S2, size_t n, double *rsa, double *r, double *a1);

/* Norms the Corollaries need on their own: ‖H S H‖_F (§4.6) and
 * ‖a − ā‖₂ = √M σ_a with a = upper(1 − S), population σ (§4.7). */
int clnscl_gram_centered_norm(const double *S, size_t n, double *out);
int clnscl_rdm_centered_norm(const double *S, size_t n, double *out);

/* Pearson / Spearman of two vectors (exposed for tests and the bounds property tests). */
int clnscl_pearson(const double *a, const double *b, size_t m, double *out);
int clnscl_spearman(const double *a, const double *b, size_t m, double *out);

#endif
