/* clnscl/bounds.h — the paper's bounds, evaluated in log space (THEORY.md §4).
 *
 * Owned by bounds/. Every bound is returned as a clnscl_bound: its log10 always,
 * its plain value only when finite in double, and a `vacuous` flag when it says
 * nothing (e.g. CKA lower bound ≤ 0). B below is the number of anchors |A| the
 * batch loss averages over (paper: B samples; authors' code: 2B views).
 */
#ifndef CLNSCL_BOUNDS_H
#define CLNSCL_BOUNDS_H

#include "clnscl/schedule.h"

typedef struct {
    double log10;  /* always set (may be -INFINITY for an exact 0)      */
    double value;  /* valid only when `finite`                          */
    int finite;    /* value representable in double                     */
    int vacuous;   /* the bound says nothing                            */
} clnscl_bound;

/* ε_{B,δ} = sqrt(log(T·B/δ)/(2B))  (Corollary 3, §4.2). */
int clnscl_bounds_epsilon(long T, long B, double delta, double *eps);

/* Δ = 2 e^{2/τ} p/(1−p) with p = π_max + ε (or the observed f_max for Δ_emp);
 * requires 0 ≤ p < 1 (§4.2). Returned as natural log (log Δ = −inf for p = 0). */
int clnscl_bounds_log_delta(double p, double tau, double *log_Delta);

/* Lemma 7 per-step bound on ‖G^CL − G^NSCL‖_F (§4.3), plain doubles (finite inputs). */
double clnscl_bounds_lemma7(double Delta, double tau, long B, double gap);

/* One step of the drift recurrence (§4.4): (1 + η/(2τ²B)) D + η Δ/(τ√B). */
double clnscl_bounds_recurrence_step(double D, double eta, double Delta, double tau, long B);

/* Unrolled recurrence (§4.4) over a schedule, in log space. */
int clnscl_bounds_recurrence(double log_Delta, double tau, long B,
                             const clnscl_schedule *s, clnscl_bound *out);

/* Theorem 1 closed form (§4.5): exp(S/(2τ²B)) · S/(τ√B) · Δ. */
int clnscl_bounds_theorem1(double log_Delta, double tau, long B, double S_eta, clnscl_bound *out);

/* Corollary 1 (§4.6): CKA ≥ (1−ρ)/(1+ρ); vacuous when ρ ≥ 1. */
int clnscl_bounds_cka_lower(double rho, clnscl_bound *out);
/* Corollary 2 (§4.7): RSA ≥ (1−r)/(1+r); vacuous when r ≥ 1. */
int clnscl_bounds_rsa_lower(double r, clnscl_bound *out);

/* Theorem 2 (§4.8): (G Δ/(β τ)) (e^{β S} − 1). */
int clnscl_bounds_theorem2(double log_Delta, double tau, double beta, double G,
                           double S_eta, clnscl_bound *out);

/* ---- additions (bounds/) ------------------------------------------------------------ */

/* Fill a bound from its natural log: log10 = ln/ln 10, value = e^ln when finite.
 * vacuous is cleared. ln may be −inf (exact 0); ln = NaN/+inf → CLNSCL_EINTERNAL. */
int clnscl_bounds_from_log(double ln_value, clnscl_bound *out);

/* Δ (§4.2) as a bound: p = π_max + ε (or f_max for Δ_emp), 0 ≤ p < 1. */
int clnscl_bounds_delta(double p, double tau, clnscl_bound *out);

/* Unrolled recurrence (§4.4) over an explicit step-size sequence eta[0..T−1]
 * (each ≥ 0, finite), in log space. */
int clnscl_bounds_recurrence_seq(double log_Delta, double tau, long B,
                                 const double *eta, long T, clnscl_bound *out);

/* Largest possible ‖Σ1 − Σ2‖_F for n × n similarity matrices with entries in
 * [−1,1] and unit diagonal: 2·√(n(n−1)). Returned as natural log (n ≥ 2). */
double clnscl_bounds_log_max_gap(double n);
/* Set b->vacuous when the gap bound b is ≥ the largest possible gap for n
 * points (n ≤ 1 or NaN: unknown, flag left unchanged). */
void clnscl_bounds_flag_gap(clnscl_bound *b, double n);

/* Corollaries in log space: the same as cka_lower / rsa_lower with ln ρ, ln r
 * (−inf allowed). The lower bound (1−ρ)/(1+ρ) = −tanh(ln ρ / 2) is returned in
 * value (always finite); log10 is that of the bound when it is > 0, −inf otherwise. */
int clnscl_bounds_cka_lower_log(double log_rho, clnscl_bound *out);
int clnscl_bounds_rsa_lower_log(double log_r, clnscl_bound *out);

/* Corollary 1 (§4.6) from a gap bound and ‖K^CL‖_F > 0: ρ ≤ gap/‖K‖_F. */
int clnscl_bounds_corollary1(const clnscl_bound *gap, double k_norm,
                             clnscl_bound *rho, clnscl_bound *cka);
/* Corollary 2 (§4.7) from a gap bound, σ_D > 0 (population std of the RDM
 * entries) and M ≥ 1 pairs: r ≤ gap/(√M σ_D). */
int clnscl_bounds_corollary2(const clnscl_bound *gap, double sigma, double M,
                             clnscl_bound *r, clnscl_bound *rsa);

/* Theorem 2 with the exact product (§4.8 derivation): (GΔ/(βτ)) (Π_t(1+βη_t) − 1). */
int clnscl_bounds_theorem2_unrolled(double log_Delta, double tau, double beta, double G,
                                    const clnscl_schedule *s, clnscl_bound *out);

/* The same over an explicit sequence eta[0..T−1]. */
int clnscl_bounds_theorem2_unrolled_seq(double log_Delta, double tau, double beta, double G,
                                        const double *eta, long T, clnscl_bound *out);

/* Predecessor loss gap (§2.5, with temperature): L^DCL − L^NSCL ≤
 * log(1 + e^{2/τ} q) ≤ e^{2/τ} q, q = n_max/(N − n_max) = π_max/(1 − π_max). */
int clnscl_bounds_loss_gap(double pi_max, double tau, clnscl_bound *gap, clnscl_bound *linear);

/* π_max, n_max and N from class counts (counts ≥ 0, at least 2 non-zero classes). */
int clnscl_bounds_pi_from_counts(const long *counts, long n, double *pi_max,
                                 long *n_max, long *total, long *classes);

/* ---- everything at once (used by `clnscl bounds` and the comparison driver) -------- */

typedef struct {
    double pi_max;       /* π_max ∈ (0,1)                                        */
    double tau;          /* τ > 0                                                */
    long batch;          /* B = |A| ≥ 2 (also the B of ε_{B,δ})                 */
    double delta;        /* δ ∈ (0,1)                                            */
    clnscl_schedule sched; /* step sizes; sched.batch is set to `batch`, resolved */
    const double *eta_seq; /* if not NULL: explicit step sizes η_0..η_{T−1} (T = eta_len),
                              used instead of `sched` (not owned)                       */
    long eta_len;
    double f_max;        /* observed max same-class fraction for Δ_emp; NaN: none */
    double k_norm;       /* ‖K^CL_T‖_F for Corollary 1; NaN: none                */
    double rsa_sigma;    /* σ_D for Corollary 2; NaN: none (needs rsa_pairs)     */
    double rsa_pairs;    /* M                                                    */
    double beta;         /* Theorem 2 smoothness β; NaN: none (needs grad_bound) */
    double grad_bound;   /* Theorem 2 G                                          */
    double points;       /* reference-set size n for the vacuous test of gap bounds;
                            NaN: from rsa_pairs (n(n−1) = 2M) or unknown        */
    double gap;          /* a known ‖Σ^CL − Σ^NSCL‖_F (e.g. measured): Lemma 7 at
                            this gap and the Corollaries from it; NaN: none      */
} clnscl_bounds_params;

typedef struct {
    long steps;                  /* T after accounting                            */
    double eta_peak, eta_sum;    /* peak η and S_η                                */
    double epsilon, p;           /* ε_{B,δ}, p = π_max + ε                        */
    int valid;                   /* p < 1; when 0 only steps..p are set            */
    double log_max_gap;          /* ln 2√(n(n−1)), NaN when n unknown              */
    clnscl_bound Delta, theorem1, recurrence;
    clnscl_bound lemma7_reweight; /* Δ/(τ√B): Lemma 7's first term                */
    double lemma7_lipschitz;      /* 1/(2τ²B): Lemma 7's factor on the gap          */
    int has_emp;                  /* Δ_emp-based, deterministic (f_max given)      */
    clnscl_bound Delta_emp, theorem1_emp, recurrence_emp;
    int has_cka;
    clnscl_bound rho, cka_lower;
    int has_rsa;
    clnscl_bound r, rsa_lower;
    int has_theorem2;
    clnscl_bound theorem2, theorem2_unrolled;
    clnscl_bound loss_gap, loss_gap_linear;
    int has_gap;                  /* params.gap given                              */
    clnscl_bound lemma7;          /* Δ/(τ√B) + gap/(2τ²B)                          */
    clnscl_bound rho_gap, cka_lower_gap, r_gap, rsa_lower_gap; /* from the gap    */
} clnscl_bounds_report;

/* Initialise optional fields to "not given" (NaN) and the schedule to zero. */
void clnscl_bounds_params_init(clnscl_bounds_params *p);
/* Evaluate every bound. Impossible parameters → CLNSCL_EINVAL. π_max + ε ≥ 1 is
 * NOT an error here: the report comes back with valid = 0 (callers decide). */
int clnscl_bounds_eval(const clnscl_bounds_params *p, clnscl_bounds_report *out);

#endif
