/* clnscl/schedule.h — step-size sequences shared by bounds/, sim/ and train/.
 *
 * THEORY.md §4.5 (only S_η = Σ η_t enters Theorem 1; fixed-steps vs fixed-epochs
 * accounting), §6.3 (the authors' warm-up + cosine, stepped once per epoch),
 * §6.5 Fig. 5 (batch-size scaling η = base · B^a / ref_batch, a ∈ {0, 1/4, 1/2, 1}).
 */
#ifndef CLNSCL_SCHEDULE_H
#define CLNSCL_SCHEDULE_H

typedef enum {
    CLNSCL_SCHED_CONSTANT = 0, /* η_t = η                                           */
    CLNSCL_SCHED_COSINE        /* authors': η·min(1,(e+1)/W)·½(1+cos(π e/E)), e = epoch */
} clnscl_sched_kind;

typedef enum {
    CLNSCL_SCALE_NONE = 0, /* η as given (no batch-size rule)        */
    CLNSCL_SCALE_CONSTANT, /* η = base                                */
    CLNSCL_SCALE_LINEAR,   /* η = base · B / ref_batch                */
    CLNSCL_SCALE_SQRT,     /* η = base · √B / ref_batch   (authors')  */
    CLNSCL_SCALE_FOURTH    /* η = base · B^{1/4} / ref_batch          */
} clnscl_scale_rule;

/* How the number of steps depends on the batch size B (THEORY.md §4.5):
 * fixed steps  — T (`steps`) is given and does not change with B;
 * fixed epochs — T = epochs · ⌊N/B⌋ (what the experiments do), so T ∝ 1/B. */
typedef enum {
    CLNSCL_ACCOUNT_STEPS = 0,
    CLNSCL_ACCOUNT_EPOCHS
} clnscl_accounting;

typedef struct {
    clnscl_sched_kind kind;
    double base;            /* base step size                                   */
    clnscl_scale_rule scale;
    long batch;             /* B used by the scaling rule                       */
    long ref_batch;         /* reference batch size (256)                       */
    long steps;             /* T: total number of steps                         */
    long steps_per_epoch;   /* cosine schedule: η changes once per epoch        */
    long warmup_epochs;     /* W (authors: 10)                                  */
    /* --- appended; all-zero keeps the fields above authoritative ----------- */
    int accounting;         /* clnscl_accounting (§4.5); 0 = fixed steps        */
    long dataset_size;      /* N: fixed epochs ⇒ steps_per_epoch = ⌊N/B⌋        */
    long epochs;            /* fixed epochs ⇒ steps = epochs · ⌊N/B⌋            */
} clnscl_schedule;

/* Largest number of epochs a cosine schedule may have (clnscl_schedule_check). */
#define CLNSCL_SCHEDULE_MAX_EPOCHS 100000000L

/* Peak step size after the batch-size rule. */
double clnscl_schedule_peak(const clnscl_schedule *s);
/* η_t for 0 ≤ t < steps. */
double clnscl_schedule_eta(const clnscl_schedule *s, long t);
/* S_η = Σ_{t<steps} η_t (compensated summation). */
double clnscl_schedule_sum(const clnscl_schedule *s);
/* Validate (η ≥ 0, steps ≥ 1, ...): CLNSCL_EINVAL with a message. */
int clnscl_schedule_check(const clnscl_schedule *s);

/* Parse a textual spec, e.g. "constant", "cosine", "cosine:warmup=10" and
 * scaling names "none|constant|linear|sqrt|fourth" into the fields above. */
int clnscl_schedule_parse_kind(const char *name, clnscl_sched_kind *out);
int clnscl_schedule_parse_scale(const char *name, clnscl_scale_rule *out);
int clnscl_schedule_parse_accounting(const char *name, clnscl_accounting *out);

/* Parse "KIND[:key=value,...]" into s (fields not named are left as they are).
 * KIND = constant | cosine; keys: eta (= base), warmup, spe (= steps_per_epoch),
 * scale (none|constant|linear|sqrt|fourth), ref (= ref_batch). */
int clnscl_schedule_parse(const char *spec, clnscl_schedule *s);

/* Fixed-epochs accounting: set steps_per_epoch = ⌊dataset_size/batch⌋ and
 * steps = epochs · steps_per_epoch (error if dataset_size < batch). Fixed steps:
 * only validates. Call after changing `batch` in a batch-size sweep. */
int clnscl_schedule_resolve(clnscl_schedule *s);

/* Number of epochs E of the cosine schedule: ⌈steps / steps_per_epoch⌉. */
long clnscl_schedule_num_epochs(const clnscl_schedule *s);

/* Piecewise-constant view: η_t and the number of consecutive steps from t
 * (t inclusive) that share it (≥ 1). Lets a recurrence run in O(epochs). */
long clnscl_schedule_run(const clnscl_schedule *s, long t, double *eta);

#endif
