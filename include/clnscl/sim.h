/* clnscl/sim.h — surrogate similarity-descent dynamics for CL, NSCL and SCL (THEORY.md §3).
 *
 * Three runs (CL, NSCL, SCL) evolve 2N × 2N similarity matrices Σ of a fixed reference set from a
 * shared Σ_0 under the same batch sequence; every step checks Lemma 7 (§4.3) and the drift
 * recurrence (§4.4), every logged step Theorem 1 (§4.5) and Corollaries 1–2 (§4.6–4.7).
 *
 * Point layout (§3.2, K = 2): point a ∈ [0, 2N) is sample s(a) = a mod N, view v(a) = a div N,
 * positive p(a) = (a + N) mod 2N. Labels of generated reference sets: y(s) = s div n.
 *
 * Batch layout: a batch of B samples s_0..s_{B−1} has |V| = 2B points, position j < B is point
 * s_j (view 1), position B + j is point s_j + N (view 2); the positive of position j is
 * (j + B) mod 2B. Anchors are the positions 0..|A|−1: |A| = 2B (`views`, the authors' code) or
 * |A| = B (`samples`, the paper: view 1 of every sample).
 */
#ifndef CLNSCL_SIM_H
#define CLNSCL_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "clnscl/bounds.h"
#include "clnscl/rng.h"
#include "clnscl/schedule.h"

typedef enum { CLNSCL_SIM_CL = 0, CLNSCL_SIM_NSCL, CLNSCL_SIM_SCL } clnscl_sim_loss;
/* paper: positive and self excluded from the denominator; code: positive once in it (§2.4) */
typedef enum { CLNSCL_SIM_FORM_PAPER = 0, CLNSCL_SIM_FORM_CODE } clnscl_sim_form;
typedef enum { CLNSCL_SIM_ANCHORS_VIEWS = 0, CLNSCL_SIM_ANCHORS_SAMPLES } clnscl_sim_anchors;
typedef enum { CLNSCL_SIM_INIT_RANDOM = 0, CLNSCL_SIM_INIT_MIXTURE, CLNSCL_SIM_INIT_FILE } clnscl_sim_init;
typedef enum { CLNSCL_SIM_SAMPLING_UNIFORM = 0, CLNSCL_SIM_SAMPLING_STRATIFIED } clnscl_sim_sampling;

#define CLNSCL_SIM_PATH_MAX 1024

/* Options; keys of clnscl_sim_opts_set are the long flag names of `clnscl sim`. */
typedef struct {
    long classes;        /* C                                   (--classes)      */
    long per_class;      /* n; N = C n samples, 2N points       (--per-class)    */
    long batch;          /* B samples per step                  (--batch)        */
    double tau;          /* temperature                         (--tau)          */
    double eta;          /* base step size                      (--eta)          */
    long steps;          /* T                                   (--steps)        */
    uint64_t seed;       /* (--seed)                                             */
    clnscl_sim_form form;           /* (--form paper|code)                       */
    clnscl_sim_anchors anchors;     /* (--anchors views|samples)                 */
    clnscl_sim_init init;           /* (--init random|mixture|file)              */
    clnscl_sim_sampling sampling;   /* (--sampling uniform|stratified)           */
    char init_embeddings[CLNSCL_SIM_PATH_MAX]; /* 2N × d .npy (--init-embeddings) */
    char init_labels[CLNSCL_SIM_PATH_MAX];     /* N (or 2N) labels (--init-labels) */
    long dim;            /* d of random / mixture vectors       (--dim)          */
    double mix_sample;   /* mixture: sample-noise scale         (--mix-sample)   */
    double mix_view;     /* mixture: view-noise scale           (--mix-view)     */
    clnscl_sched_kind schedule;     /* (--schedule constant|cosine)              */
    clnscl_scale_rule scale;        /* (--scale none|constant|linear|sqrt|fourth) */
    long ref_batch;      /* (--ref-batch)                                        */
    long steps_per_epoch;/* cosine: 0 = N / B                   (--steps-per-epoch) */
    long warmup_epochs;  /* (--warmup-epochs)                                    */
    double delta;        /* δ of Corollary 3                    (--delta)        */
    long log_every;      /* 0 = auto (≈ 100 rows)               (--log-every)    */
    long repeat;         /* R independent seeds seed..seed+R−1  (--repeat)       */
    int clip;            /* clip to [−1,1] (default 1)          (--no-clip)      */
    int symmetrize;      /* Σ ← (Σ+Σᵀ)/2 after each step        (--symmetrize)   */
    int scl;             /* run SCL too (default 1)             (--no-scl)       */
    int strict;          /* stop at the first violation         (--strict)       */
    double max_memory_gb;/* 0 = MemAvailable                    (--max-memory)   */
    long threads;        /* 0 = OpenBLAS's thread count (its default: the cores) (--threads);
                          * the outputs are bit-identical for every value */
} clnscl_sim_opts;

void clnscl_sim_opts_default(clnscl_sim_opts *o);
/* Set one option from text; key = long flag name without "--" (e.g. "per-class", "no-clip").
 * Boolean keys accept NULL/""/1/true/yes and 0/false/no. CLNSCL_EINVAL with a message. */
int clnscl_sim_opts_set(clnscl_sim_opts *o, const char *key, const char *value);
/* Validate the whole set (impossible combinations included). CLNSCL_EINVAL with a message. */
int clnscl_sim_opts_check(const clnscl_sim_opts *o);
/* The step-size schedule the options describe (batch = B samples). */
void clnscl_sim_opts_schedule(const clnscl_sim_opts *o, long n_samples, clnscl_schedule *s);

/* ---- batches and Σ-space gradients (§3.2) --------------------------------------------- */

typedef struct {
    long B;            /* samples in the batch                     */
    long nv;           /* |V| = 2B                                  */
    long na;           /* |A| ∈ {B, 2B}                             */
    long *v;           /* nv point indices (layout above)           */
    int32_t *y;        /* nv labels                                 */
} clnscl_sim_batch;

/* Fill b (arrays sized nv) from B sample ids, N samples, per-sample labels and the anchor mode. */
void clnscl_sim_batch_fill(clnscl_sim_batch *b, const long *samples, long B, long N,
                           const int32_t *labels, clnscl_sim_anchors anchors);

/* Gradient of the batch loss ℓ̄ (mean over the |A| anchors) with respect to the entries
 * Σ[v_i][v_j] (off-diagonal entries are independent variables, Σ_aa ≡ 1 fixed), §3.2:
 *   G[i][j] = (q_i(j)·1[j ∈ D(i)] − w_i(j)) / (|A| τ),
 * q_i = softmax of Σ/τ over the denominator set D(i), w_i = 1 at the positive (CL, NSCL) or
 * 1/|P(i)| on the same-class views P(i) (SCL). S is row-major with leading dimension ld.
 * G is na × nv (row i = anchor position i). loss (may be NULL) receives ℓ̄.
 * CLNSCL_EDEGENERATE when an anchor's denominator set is empty (NSCL, paper form, one-class batch). */
int clnscl_sim_grad(const double *S, size_t ld, const clnscl_sim_batch *b, clnscl_sim_loss loss,
                    clnscl_sim_form form, double tau, double *G, double *loss_out);
/* ℓ̄ alone (log-sum-exp over exactly D(i)). */
int clnscl_sim_loss_value(const double *S, size_t ld, const clnscl_sim_batch *b, clnscl_sim_loss loss,
                          clnscl_sim_form form, double tau, double *loss_out);
/* The batch's maximum same-class fraction over anchors: f = max_i s_i / |D^CL(i)|, s_i = number of
 * same-class entries of D^CL(i) other than the positive (§3.5, §4.2). */
double clnscl_sim_same_class_fraction(const clnscl_sim_batch *b, clnscl_sim_form form);

/* ---- the run ---------------------------------------------------------------------------- */

/* One logged row (trajectory.csv). Non-representable values are flagged, never inf/NaN. */
typedef struct {
    long repeat, step;
    double eta, eta_sum;
    double f_batch;          /* max same-class fraction of the last step's batch     */
    double f_max;            /* running maximum over all steps so far                 */
    double log10_delta_emp;  /* Δ_emp = 2e^{2/τ} f_max/(1−f_max) (−inf when f_max = 0) */
    double gap_fro;          /* ‖Σ^CL − Σ^NSCL‖_F                                    */
    clnscl_bound bound_recurrence; /* unrolled §4.4 with Δ_emp                        */
    clnscl_bound bound_theorem1;   /* §4.5 with Δ_emp                                 */
    double cka, rho, cka_lower;    /* Corollary 1 with the measured ρ                 */
    double cka_lower_thm1;         /* Corollary 1 with ρ ≤ bound_theorem1/‖HΣ^CL H‖_F */
    double rsa, r, rsa_lower;      /* Corollary 2 with the measured r                 */
    double rsa_lower_thm1;         /* Corollary 2 with r ≤ bound_theorem1/(√M σ)      */
    int has_scl;
    double gap_fro_scl, cka_scl, cka_lower_scl, rsa_scl, rsa_lower_scl;
    double lemma7_lhs;       /* ‖G^CL − G^NSCL‖_F of the last step                    */
    double lemma7_slack;     /* min over steps since the previous row of 1 − lhs/bound */
    double recurrence_slack; /* same for D_{t+1} ≤ (1+η/(2τ²|A|)) D_t + ηΔ_t/(τ√|A|)  */
    long violations;         /* cumulative                                            */
} clnscl_sim_row;

/* Per-run result. */
typedef struct {
    clnscl_sim_row final;    /* the last logged row (= step T unless stopped early)   */
    long violations;
    long viol_lemma7, viol_recurrence, viol_theorem1, viol_cor1, viol_cor2;
    int stopped;             /* strict mode stopped at a violation                    */
    char violation_msg[256]; /* first violation, human readable                       */
    long N, points, anchors; /* N samples, 2N points, |A|                             */
    long C;                  /* classes present                                       */
    double pi_max, epsilon;  /* π_max, ε_{B,δ} (B = samples per batch)                */
    clnscl_bound bound_theorem1_pi; /* Theorem 1 with Δ_{π,δ} at T (vacuous if π_max+ε ≥ 1) */
    int theorem1_pi_held;    /* final gap ≤ that bound                                */
    int batch_event_held;    /* f_max ≤ π_max + ε (Corollary 3's event)                */
    double seconds;
} clnscl_sim_result;

typedef int (*clnscl_sim_row_fn)(const clnscl_sim_row *row, void *ctx);

/* Bytes needed for one run of these options (Σ matrices + embeddings + O(2N) workspace);
 * --init file reads the embeddings' shape (NaN when unreadable). */
double clnscl_sim_memory_bytes(const clnscl_sim_opts *o);
/* CLNSCL_ENOMEM with a clear message when the estimate exceeds the limit (--max-memory or
 * MemAvailable). Needs the reference-set size; for --init file reads the embeddings' header. */
int clnscl_sim_memory_check(const clnscl_sim_opts *o);

/* Run one seed (opts->seed + repeat_index) to completion; call `row_fn` (may be NULL) on
 * every logged row; fill *res. Library status on bad input; violations are in *res. */
int clnscl_sim_run(const clnscl_sim_opts *o, long repeat_index, clnscl_sim_row_fn row_fn, void *ctx,
                   clnscl_sim_result *res);

/* Everything `clnscl sim` does for one configuration: opts->repeat runs, DIR/trajectory.csv and
 * DIR/summary.json written atomically (out_dir may be NULL: nothing written). *summary_json (may be
 * NULL) receives the summary text (malloc'd). *violations receives the total count, *stopped 1 when
 * strict mode stopped (message in clnscl_last_error()). */
int clnscl_sim_execute(const clnscl_sim_opts *o, const char *out_dir, char **summary_json,
                       long *violations, int *stopped);

/* --sweep: specs are "key=v1,v2,..." (keys as for clnscl_sim_opts_set); runs the Cartesian
 * product, writes DIR/sweep.csv (one row per grid point) and DIR/summary.json. */
int clnscl_sim_sweep(const clnscl_sim_opts *o, const char *const *specs, int nspecs,
                     const char *out_dir, char **summary_json, long *violations, int *stopped);

#endif
