/* cli/runio.h — reading the run directories that `clnscl train` and `clnscl sim` write,
 * for `clnscl compare` / `clnscl repro` (issue 6).
 *
 * Contracts (helper brief, "Cross-module contracts"):
 *   train:  alignment.csv  epoch,step,other,cka,cka_cosine,rsa,weight_gap,weight_gap_all
 *           models.csv     epoch,step,model,loss,ncc_acc,probe_acc
 *           config.json    the configuration (long flag names as keys)
 *           reference/labels.npy, reference/<model>_epochEEEE.npy
 *   sim:    trajectory.csv (step, eta_sum, gap_fro, bound_recurrence, bound_theorem1, cka,
 *           cka_lower, rsa, rsa_lower, ...), summary.json
 * Every reader returns a clnscl status and records a message; nothing here prints.
 */
#ifndef CLNSCL_CLI_RUNIO_H
#define CLNSCL_CLI_RUNIO_H

#include <stddef.h>

#include <cJSON.h>

#include "clnscl/train.h"

/* ---- header-aware CSV table (cells kept as text; numeric access on demand) ---- */
typedef struct {
    size_t ncols, nrows;
    char **names; /* ncols column names                        */
    char **cells; /* nrows × ncols, row-major, never NULL        */
    char *path;   /* for messages                              */
} runio_table;

/* Comma-separated, first line = header (names unique, non-empty). Empty lines skipped.
 * Ragged rows, an empty file or a missing header → CLNSCL_EFORMAT "<path>: line L: …". */
int runio_table_read(const char *path, runio_table *t);
void runio_table_free(runio_table *t);
/* column index or -1 */
long runio_col(const runio_table *t, const char *name);
const char *runio_cell(const runio_table *t, size_t row, long col);
/* Parse cell as a finite double; "inf"/"nan"/text → CLNSCL_EFORMAT naming file, line, column. */
int runio_num(const runio_table *t, size_t row, long col, double *v);
/* Like runio_num but non-finite cells ("inf", "nan") are accepted and returned as such
 * (used for bound columns that may legitimately overflow double). */
int runio_num_any(const runio_table *t, size_t row, long col, double *v);
/* Every column in the comma-separated list `names` must exist, else CLNSCL_EFORMAT. */
int runio_require(const runio_table *t, const char *names);

/* ---- JSON ---- */
/* Parse a JSON object file; malformed, not an object, nested deeper than cJSON's limit, or an
 * object (at any depth) with a key given twice → CLNSCL_EFORMAT. Free with cJSON_Delete. */
int runio_json_read(const char *path, cJSON **out);
/* Number member (finite) or CLNSCL_EFORMAT; `missing_ok` returns 1 when absent (value untouched). */
int runio_json_num(const cJSON *obj, const char *key, double *v, int missing_ok);
/* String member or NULL */
const char *runio_json_str(const cJSON *obj, const char *key);

/* ---- paths ---- */
/* malloc'd "dir/name"; NULL on allocation failure */
char *runio_join(const char *dir, const char *name);
/* CLNSCL_OK for a regular file, else CLNSCL_EIO "<path>: missing" / "not a regular file" / errno text */
int runio_need_file(const char *path);

/* ---- train runs ---- */
typedef struct {
    long epoch, step;
    char other[16];
    double cka, cka_cosine, rsa, weight_gap, weight_gap_all; /* NaN = empty cell (undefined) */
} runio_align_row;

typedef struct {
    long epoch, step;
    char model[16];
    double loss, ncc_acc, probe_acc;
} runio_model_row;

typedef struct {
    char *dir;
    cJSON *config;           /* config.json                                         */
    clnscl_train_opts opts;  /* config.json read and checked by the trainer's rules */
    char others[4][8];       /* twins compared with CL: the losses but cl, cl2 with the null twin */
    size_t nothers;
    runio_align_row *align;  /* alignment.csv rows                                  */
    size_t nalign;
    runio_model_row *models; /* models.csv rows                                     */
    size_t nmodels;
} runio_train;

/* Loads and checks DIR/config.json, DIR/alignment.csv and DIR/models.csv (all required; any
 * problem → CLNSCL_EFORMAT/EIO naming the file and what is wrong):
 *   config.json  a JSON object of `clnscl train` options, no key twice, every value of its
 *                option's type, the values compare uses present (CFG_NEEDED in runio.c), and the
 *                whole set valid by clnscl_train_opts_from_json + clnscl_train_opts_check;
 *                steps_per_epoch >= 1; the losses include nscl.
 *   alignment.csv / models.csv  one row per evaluation and twin (alignment: the others; models:
 *                cl and the others), rows in step order from step 0, epoch = step div
 *                steps_per_epoch, no step beyond epochs x steps_per_epoch, at least one
 *                evaluation after step 0, no (step, twin) twice, CKA/RSA in [-1, 1] and weight
 *                gaps in [0, 2] (1e-9 rounding slack), accuracies in [0, 1], the same evaluation
 *                steps in both files. Empty cells (undefined metrics) are NaN. */
int runio_train_load(const char *dir, runio_train *r);
void runio_train_free(runio_train *r);
/* Sorted distinct evaluation steps (global step; 0 = the shared initialisation) present in
 * the alignment rows; caller frees. Evaluations happen after every epoch and at extra early
 * steps, so steps (not epochs) identify an evaluation. */
int runio_train_steps(const runio_train *r, long **steps, size_t *n);
/* Row for (step, other) or NULL. */
const runio_align_row *runio_train_find(const runio_train *r, long step, const char *other);
/* Steps per epoch: config.json "steps_per_epoch", else derived from the rows (step/epoch of the
 * last row); ≥ 1. */
double runio_train_spe(const runio_train *r);
/* Numeric config value (e.g. "tau", "batch"); returns 1 if absent. */
int runio_train_cfg_num(const runio_train *r, const char *key, double *v);

/* Kind of a run directory: 1 train (alignment.csv), 2 sim (trajectory.csv), 0 neither. */
int runio_dir_kind(const char *dir);

/* ---- aggregation over seeds: mean and sample standard deviation ---- */
typedef struct {
    double mean, sd, min, max;
    size_t n;
} runio_stat;

/* Statistic of the finite values among x[0..n-1] (sd = 0 for one value; n = 0 for none). */
runio_stat runio_stats(const double *x, size_t n);

/* Field selector for alignment rows */
typedef enum { RUNIO_CKA, RUNIO_CKA_COSINE, RUNIO_RSA, RUNIO_WGAP, RUNIO_WGAP_ALL } runio_field;
double runio_align_field(const runio_align_row *r, runio_field f);
const char *runio_field_name(runio_field f);

/* Mean/sd over runs of `field` of (step, other); n = number of runs that have a defined value
 * (st.n = 0 when none has; empty CSV cells — metric undefined — are skipped). */
runio_stat runio_group_stat(const runio_train *runs, size_t nruns, long step,
                            const char *other, runio_field field);
/* Union of evaluation steps over runs (sorted); caller frees. */
int runio_group_steps(const runio_train *runs, size_t nruns, long **steps, size_t *n);
/* 1 if any run has rows for `other` */
int runio_group_has(const runio_train *runs, size_t nruns, const char *other);

#endif
