/* bounds/bounds.c — the paper's bounds (THEORY.md §2.5, §4), evaluated in log space.
 *
 * Theorem 1 reaches e^{2/τ}·exp(S_η/(2τ²B)), far beyond double at small τ, so every
 * bound is carried as its natural logarithm and converted at the end (clnscl_bound:
 * log10 always, the plain value only when it fits in a double). GSL's log1p/expm1
 * (gsl_sf_log_1plusx_e, gsl_sf_expm1_e) are used where cancellation matters, with
 * their return codes checked (the abort handler is off: clnscl_gsl_quiet()).
 */
#include "clnscl/bounds.h"

#include "clnscl/status.h"

#include <float.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_exp.h>
#include <gsl/gsl_sf_log.h>
#include <math.h>
#include <string.h>

#define LN10 2.302585092994045684

/* ---- log-space helpers ---------------------------------------------------------------- */

/* log(1 + x), x > −1, via GSL with the status checked. */
static int ln1p(double x, double *out)
{
    gsl_sf_result r;
    *out = NAN;
    int st = gsl_sf_log_1plusx_e(x, &r);
    if (st != GSL_SUCCESS)
        return clnscl_fail(CLNSCL_EINTERNAL, "gsl_sf_log_1plusx_e(%g): %s", x, gsl_strerror(st));
    *out = r.val;
    return CLNSCL_OK;
}

/* log(e^x − 1) for x ≥ 0 (−inf at x = 0). Large x: x + log1p(−e^{−x}). */
static int ln_expm1(double x, double *out)
{
    *out = NAN;
    if (x == 0) {
        *out = -INFINITY;
        return CLNSCL_OK;
    }
    if (x > 36.0) {
        double l;
        int st = ln1p(-exp(-x), &l);
        if (st) return st;
        *out = x + l;
        return CLNSCL_OK;
    }
    gsl_sf_result r;
    int st = gsl_sf_expm1_e(x, &r);
    if (st != GSL_SUCCESS)
        return clnscl_fail(CLNSCL_EINTERNAL, "gsl_sf_expm1_e(%g): %s", x, gsl_strerror(st));
    *out = log(r.val);
    return CLNSCL_OK;
}

/* log(e^a + e^b), either may be −inf. */
static double ln_add(double a, double b)
{
    if (a == -INFINITY) return b;
    if (b == -INFINITY) return a;
    double m = fmax(a, b);
    return m + log1p(exp(-fabs(a - b)));
}

/* S_η: ≥ 0 and finite (η_t ≥ 0 is checked where the schedule is made; a sum that overflows
 * the double range is refused here) */
static int check_eta_sum(double S_eta)
{
    if (isnan(S_eta) || S_eta < 0) return clnscl_fail(CLNSCL_EINVAL, "sum of step sizes must be >= 0 (got %g)", S_eta);
    if (!isfinite(S_eta)) return clnscl_fail(CLNSCL_EINVAL, "sum of step sizes overflows the double range");
    return CLNSCL_OK;
}

int clnscl_bounds_from_log(double ln_value, clnscl_bound *out)
{
    if (isnan(ln_value) || ln_value == INFINITY) /* even log10 of the bound is beyond double */
        return clnscl_fail(CLNSCL_EINVAL, "the bound's logarithm exceeds the double range (parameters too extreme: "
                                          "step sizes too large or tau too small)");
    out->log10 = ln_value / LN10;
    out->finite = ln_value < log(DBL_MAX);
    out->value = out->finite ? exp(ln_value) : 0.0;
    out->vacuous = 0;
    return CLNSCL_OK;
}

static double bound_ln(const clnscl_bound *b) { return b->log10 * LN10; }

/* τ must be > 0 and small enough that 2/τ and 1/(2τ²B) are finite. */
static int check_tau(double tau, long B)
{
    if (!(tau > 0) || !isfinite(tau)) return clnscl_fail(CLNSCL_EINVAL, "temperature tau must be > 0 (got %g)", tau);
    double c = 1.0 / (2.0 * tau * tau * (double)(B > 0 ? B : 1));
    if (!isfinite(2.0 / tau) || !isfinite(c))
        return clnscl_fail(CLNSCL_EINVAL, "temperature tau = %g is too small: the bounds' logarithms overflow", tau);
    return CLNSCL_OK;
}

static int check_batch(long B)
{
    if (B < 2) return clnscl_fail(CLNSCL_EINVAL, "batch size B must be >= 2 (got %ld)", B);
    return CLNSCL_OK;
}

/* ---- §4.2: ε_{B,δ} and Δ ---------------------------------------------------------------- */

/* Corollary 3 (§4.2): ε_{B,δ} = sqrt(log(T·B/δ)/(2B)) (Hoeffding + union bound over T·B pairs). */
int clnscl_bounds_epsilon(long T, long B, double delta, double *eps)
{
    int st = check_batch(B);
    if (st) return st;
    if (T < 1) return clnscl_fail(CLNSCL_EINVAL, "number of steps T must be >= 1 (got %ld)", T);
    if (!(delta > 0 && delta < 1)) return clnscl_fail(CLNSCL_EINVAL, "delta must be in (0,1) (got %g)", delta);
    double l = log((double)T) + log((double)B) - log(delta);
    *eps = sqrt(l / (2.0 * (double)B));
    return CLNSCL_OK;
}

/* §4.2: Δ = 2 e^{2/τ} p/(1−p), log Δ = log 2 + 2/τ + log p − log1p(−p). */
int clnscl_bounds_log_delta(double p, double tau, double *log_Delta)
{
    int st = check_tau(tau, 1);
    if (st) return st;
    if (!(p >= 0)) return clnscl_fail(CLNSCL_EINVAL, "same-class fraction must be >= 0 (got %g)", p);
    if (!(p < 1))
        return clnscl_fail(CLNSCL_EINVAL,
                           "same-class fraction bound pi_max + epsilon = %.6g >= 1: Delta is undefined (validity "
                           "condition of Corollary 3; increase B, lower delta or T)", p);
    double l1;
    st = ln1p(-p, &l1);
    if (st) return st;
    *log_Delta = (p == 0) ? -INFINITY : M_LN2 + 2.0 / tau + log(p) - l1;
    return CLNSCL_OK;
}

int clnscl_bounds_delta(double p, double tau, clnscl_bound *out)
{
    double l;
    int st = clnscl_bounds_log_delta(p, tau, &l);
    if (st) return st;
    return clnscl_bounds_from_log(l, out);
}

/* ---- §4.3 Lemma 7 and §4.4 recurrence (plain doubles) ----------------------------------- */

/* Lemma 7 (§4.3): ‖G^CL − G^NSCL‖_F ≤ (1/τ)Δ/√B + (1/(2τ²B)) ‖Σ^CL − Σ^NSCL‖_F. */
double clnscl_bounds_lemma7(double Delta, double tau, long B, double gap)
{
    double b = (double)B;
    return Delta / (tau * sqrt(b)) + gap / (2.0 * tau * tau * b);
}

/* §4.4: D_{t+1} ≤ (1 + η_t/(2τ²B)) D_t + η_t Δ/(τ√B). */
double clnscl_bounds_recurrence_step(double D, double eta, double Delta, double tau, long B)
{
    double b = (double)B;
    return (1.0 + eta / (2.0 * tau * tau * b)) * D + eta * Delta / (tau * sqrt(b));
}

/* ---- §4.4 unrolled recurrence in log space ----------------------------------------------
 * D_T ≤ (Δ/(τ√B)) · W,  W = Σ_t η_t Π_{s>t} (1 + c η_s),  c = 1/(2τ²B).
 * Forward: W_{t+1} = a_t W_t + η_t. A run of n steps with the same η (a = 1 + cη):
 * W ← a^n W + η (a^n − 1)/(a − 1) = a^n W + (a^n − 1)/c.                                */
static int recurrence_run(double *lnW, double eta, long n, double c)
{
    if (eta == 0 || n == 0) return CLNSCL_OK;
    double la;
    int st = ln1p(c * eta, &la);
    if (st) return st;
    double lan = (double)n * la; /* ln a^n */
    double lterm;
    if (n == 1) lterm = log(eta);
    else {
        st = ln_expm1(lan, &lterm);
        if (st) return st;
        lterm -= log(c);
    }
    *lnW = ln_add(*lnW + lan, lterm);
    return CLNSCL_OK;
}

static int recurrence_finish(double lnW, double log_Delta, double tau, long B, clnscl_bound *out)
{
    double l = (lnW == -INFINITY || log_Delta == -INFINITY) ? -INFINITY
                                                            : log_Delta - log(tau) - 0.5 * log((double)B) + lnW;
    return clnscl_bounds_from_log(l, out);
}

static int check_log_delta(double log_Delta)
{
    if (isnan(log_Delta) || log_Delta == INFINITY)
        return clnscl_fail(CLNSCL_EINVAL, "log Delta must be finite or -inf (got %g)", log_Delta);
    return CLNSCL_OK;
}

int clnscl_bounds_recurrence(double log_Delta, double tau, long B, const clnscl_schedule *s, clnscl_bound *out)
{
    int st;
    if ((st = check_batch(B)) || (st = check_tau(tau, B)) || (st = check_log_delta(log_Delta)) ||
        (st = clnscl_schedule_check(s)))
        return st;
    double c = 1.0 / (2.0 * tau * tau * (double)B), lnW = -INFINITY;
    for (long t = 0; t < s->steps;) {
        double eta;
        long n = clnscl_schedule_run(s, t, &eta);
        if ((st = recurrence_run(&lnW, eta, n, c))) return st;
        t += n;
    }
    return recurrence_finish(lnW, log_Delta, tau, B, out);
}

/* Per-step sequence: W_T = e^{L_T} Σ_t η_t e^{−L_{t+1}}, L_t = Σ_{s<t} log1p(cη_s). The sum is
 * accumulated as e^{m}·acc with a running maximum m of the terms' logs (one exp, two logs per
 * step; libm log1p here, < 1 ulp like GSL's, which is kept for the non-hot paths). */
int clnscl_bounds_recurrence_seq(double log_Delta, double tau, long B, const double *eta, long T, clnscl_bound *out)
{
    int st;
    if ((st = check_batch(B)) || (st = check_tau(tau, B)) || (st = check_log_delta(log_Delta))) return st;
    if (T < 0) return clnscl_fail(CLNSCL_EINVAL, "number of steps must be >= 0 (got %ld)", T);
    double c = 1.0 / (2.0 * tau * tau * (double)B), L = 0.0, m = -INFINITY, acc = 0.0;
    for (long t = 0; t < T; t++) {
        double e = eta[t];
        if (!(e >= 0) || !isfinite(e))
            return clnscl_fail(CLNSCL_EINVAL, "step size eta_%ld = %g must be finite and >= 0", t, e);
        if (e == 0) continue;
        L += log1p(c * e);
        double lt = log(e) - L; /* ln(η_t e^{−L_{t+1}}) */
        if (lt > m) {
            acc = acc * exp(m - lt) + 1.0;
            m = lt;
        } else
            acc += exp(lt - m);
    }
    if (!isfinite(L)) return clnscl_fail(CLNSCL_EINVAL, "recurrence product overflows");
    double lnW = (m == -INFINITY) ? -INFINITY : L + m + log(acc);
    return recurrence_finish(lnW, log_Delta, tau, B, out);
}

/* ---- §4.5 Theorem 1 ---------------------------------------------------------------------- */

/* Theorem 1 (§4.5): ‖Σ_T^CL − Σ_T^NSCL‖_F ≤ exp(S/(2τ²B)) · S/(τ√B) · Δ. */
int clnscl_bounds_theorem1(double log_Delta, double tau, long B, double S_eta, clnscl_bound *out)
{
    int st;
    if ((st = check_batch(B)) || (st = check_tau(tau, B)) || (st = check_log_delta(log_Delta))) return st;
    if ((st = check_eta_sum(S_eta))) return st;
    double b = (double)B;
    double l = (S_eta == 0 || log_Delta == -INFINITY)
                   ? -INFINITY
                   : S_eta / (2.0 * tau * tau * b) + log(S_eta) - log(tau) - 0.5 * log(b) + log_Delta;
    return clnscl_bounds_from_log(l, out);
}

/* ---- vacuity of gap bounds ---------------------------------------------------------------- */

/* Entries in [−1,1] with equal unit diagonals: |ΔΣ_ab| ≤ 2 on n(n−1) entries. */
double clnscl_bounds_log_max_gap(double n)
{
    if (!(n >= 2) || !isfinite(n)) return NAN;
    return M_LN2 + 0.5 * (log(n) + log(n - 1.0));
}

void clnscl_bounds_flag_gap(clnscl_bound *b, double n)
{
    double lm = clnscl_bounds_log_max_gap(n);
    if (isnan(lm)) return;
    if (bound_ln(b) >= lm) b->vacuous = 1;
}

/* ---- §4.6 / §4.7 Corollaries 1 and 2 ----------------------------------------------------- */

/* (1−x)/(1+x) = −tanh(ln x / 2); vacuous (says nothing) when x ≥ 1, i.e. bound ≤ 0. */
static int lower_from_log(double lx, const char *what, clnscl_bound *out)
{
    if (isnan(lx)) return clnscl_fail(CLNSCL_EINVAL, "%s is NaN", what);
    out->value = (lx == -INFINITY) ? 1.0 : (lx == INFINITY) ? -1.0 : -tanh(0.5 * lx);
    out->finite = 1;
    out->vacuous = !(lx < 0);
    if (out->vacuous) {
        out->log10 = -INFINITY;
        return CLNSCL_OK;
    }
    /* log((1−x)/(1+x)) = log1p(−x) − log1p(x) */
    double x = exp(lx), a, b;
    int st;
    if ((st = ln1p(-x, &a)) || (st = ln1p(x, &b))) return st;
    out->log10 = (a - b) / LN10;
    return CLNSCL_OK;
}

int clnscl_bounds_cka_lower_log(double log_rho, clnscl_bound *out) { return lower_from_log(log_rho, "rho", out); }
int clnscl_bounds_rsa_lower_log(double log_r, clnscl_bound *out) { return lower_from_log(log_r, "r", out); }

/* Corollary 1 (§4.6): CKA ≥ (1−ρ)/(1+ρ). */
int clnscl_bounds_cka_lower(double rho, clnscl_bound *out)
{
    if (!(rho >= 0)) return clnscl_fail(CLNSCL_EINVAL, "rho must be >= 0 (got %g)", rho);
    return lower_from_log(log(rho), "rho", out);
}

/* Corollary 2 (§4.7): RSA ≥ (1−r)/(1+r). */
int clnscl_bounds_rsa_lower(double r, clnscl_bound *out)
{
    if (!(r >= 0)) return clnscl_fail(CLNSCL_EINVAL, "r must be >= 0 (got %g)", r);
    return lower_from_log(log(r), "r", out);
}

/* §4.6: ρ_T ≤ ‖Σ^CL − Σ^NSCL‖_F / ‖K^CL‖_F (centering is a contraction). */
int clnscl_bounds_corollary1(const clnscl_bound *gap, double k_norm, clnscl_bound *rho, clnscl_bound *cka)
{
    if (!(k_norm > 0) || !isfinite(k_norm))
        return clnscl_fail(CLNSCL_EINVAL, "||K^CL||_F must be finite and > 0 (got %g)", k_norm);
    double l = bound_ln(gap) - log(k_norm);
    int st = clnscl_bounds_from_log(l, rho);
    if (st) return st;
    rho->vacuous = !(l < 0);
    return clnscl_bounds_cka_lower_log(l, cka);
}

/* §4.7: r_T ≤ ‖Σ^CL − Σ^NSCL‖_F / (√M σ_D). */
int clnscl_bounds_corollary2(const clnscl_bound *gap, double sigma, double M, clnscl_bound *r, clnscl_bound *rsa)
{
    if (!(sigma > 0) || !isfinite(sigma))
        return clnscl_fail(CLNSCL_EINVAL, "RDM standard deviation sigma must be finite and > 0 (got %g)", sigma);
    if (!(M >= 1) || !isfinite(M) || M != floor(M))
        return clnscl_fail(CLNSCL_EINVAL, "number of RDM pairs M must be an integer >= 1 (got %g)", M);
    double l = bound_ln(gap) - 0.5 * log(M) - log(sigma);
    int st = clnscl_bounds_from_log(l, r);
    if (st) return st;
    r->vacuous = !(l < 0);
    return clnscl_bounds_rsa_lower_log(l, rsa);
}

/* ---- §4.8 Theorem 2 ------------------------------------------------------------------------ */

static int check_theorem2(double log_Delta, double tau, double beta, double G)
{
    int st;
    if ((st = check_tau(tau, 1)) || (st = check_log_delta(log_Delta))) return st;
    if (!(beta > 0) || !isfinite(beta)) return clnscl_fail(CLNSCL_EINVAL, "smoothness beta must be finite and > 0 (got %g)", beta);
    if (!(G >= 0) || !isfinite(G)) return clnscl_fail(CLNSCL_EINVAL, "gradient bound G must be finite and >= 0 (got %g)", G);
    return CLNSCL_OK;
}

/* ln(GΔ/(βτ)) + lx, with lx = ln(e^{βS} − 1) or ln(Π(1+βη_t) − 1). */
static int theorem2_finish(double log_Delta, double tau, double beta, double G, double lx, clnscl_bound *out)
{
    double l = (G == 0 || log_Delta == -INFINITY || lx == -INFINITY)
                   ? -INFINITY
                   : log(G) + log_Delta - log(beta) - log(tau) + lx;
    return clnscl_bounds_from_log(l, out);
}

/* Theorem 2 (§4.8): ‖w_T^CL − w_T^NSCL‖ ≤ (GΔ/(βτ)) (e^{βS} − 1). */
int clnscl_bounds_theorem2(double log_Delta, double tau, double beta, double G, double S_eta, clnscl_bound *out)
{
    int st = check_theorem2(log_Delta, tau, beta, G);
    if (st) return st;
    if ((st = check_eta_sum(S_eta))) return st;
    double x = beta * S_eta, lx;
    if (!isfinite(x)) return clnscl_fail(CLNSCL_EINVAL, "beta x S_eta overflows (%g x %g)", beta, S_eta);
    if ((st = ln_expm1(x, &lx))) return st;
    return theorem2_finish(log_Delta, tau, beta, G, lx, out);
}

/* §4.8 derivation: d_T ≤ (GΔ/(τβ)) (Π_t (1+βη_t) − 1) ≤ the closed form. */
static int theorem2_product_finish(double log_Delta, double tau, double beta, double G, double lp, clnscl_bound *out)
{
    double lx;
    int st;
    if (!isfinite(lp)) return clnscl_fail(CLNSCL_EINVAL, "Theorem 2 product overflows");
    if ((st = ln_expm1(lp, &lx))) return st;
    return theorem2_finish(log_Delta, tau, beta, G, lx, out);
}

int clnscl_bounds_theorem2_unrolled(double log_Delta, double tau, double beta, double G, const clnscl_schedule *s,
                                    clnscl_bound *out)
{
    int st = check_theorem2(log_Delta, tau, beta, G);
    if (st || (st = clnscl_schedule_check(s))) return st;
    double lp = 0.0; /* ln Π (1 + βη_t) */
    for (long t = 0; t < s->steps;) {
        double eta, l;
        long n = clnscl_schedule_run(s, t, &eta);
        if ((st = ln1p(beta * eta, &l))) return st;
        lp += (double)n * l;
        t += n;
    }
    return theorem2_product_finish(log_Delta, tau, beta, G, lp, out);
}

int clnscl_bounds_theorem2_unrolled_seq(double log_Delta, double tau, double beta, double G, const double *eta,
                                        long T, clnscl_bound *out)
{
    int st = check_theorem2(log_Delta, tau, beta, G);
    if (st) return st;
    double lp = 0.0;
    for (long t = 0; t < T; t++) {
        if (!(eta[t] >= 0) || !isfinite(eta[t]))
            return clnscl_fail(CLNSCL_EINVAL, "step size eta_%ld = %g must be finite and >= 0", t, eta[t]);
        lp += log1p(beta * eta[t]);
    }
    return theorem2_product_finish(log_Delta, tau, beta, G, lp, out);
}

/* ---- §2.5 predecessor loss gap ------------------------------------------------------------ */

/* L^DCL − L^NSCL ≤ log(1 + e^{2/τ} q) ≤ e^{2/τ} q, q = n_max/(N − n_max) = π_max/(1−π_max). */
int clnscl_bounds_loss_gap(double pi_max, double tau, clnscl_bound *gap, clnscl_bound *linear)
{
    int st = check_tau(tau, 1);
    if (st) return st;
    if (!(pi_max > 0 && pi_max < 1)) return clnscl_fail(CLNSCL_EINVAL, "pi_max must be in (0,1) (got %g)", pi_max);
    double l1;
    if ((st = ln1p(-pi_max, &l1))) return st;
    double lx = 2.0 / tau + log(pi_max) - l1; /* ln(e^{2/τ} q) */
    if ((st = clnscl_bounds_from_log(lx, linear))) return st;
    /* log(1 + e^{lx}) = softplus(lx), itself returned as a bound (its log = log softplus) */
    double sp;
    if (lx > 36.0) {
        double t;
        if ((st = ln1p(exp(-lx), &t))) return st;
        sp = lx + t;
    } else if ((st = ln1p(exp(lx), &sp)))
        return st;
    return clnscl_bounds_from_log(log(sp), gap);
}

int clnscl_bounds_pi_from_counts(const long *counts, long n, double *pi_max, long *n_max, long *total, long *classes)
{
    long tot = 0, mx = 0, nz = 0;
    for (long i = 0; i < n; i++) {
        if (counts[i] < 0) return clnscl_fail(CLNSCL_EINVAL, "class count %ld is negative (%ld)", i + 1, counts[i]);
        if (counts[i] > 0) nz++;
        if (counts[i] > mx) mx = counts[i];
        if (counts[i] > (1L << 62) - tot) return clnscl_fail(CLNSCL_EINVAL, "class counts overflow");
        tot += counts[i];
    }
    if (nz < 2) return clnscl_fail(CLNSCL_EINVAL, "need at least 2 classes with samples (got %ld)", nz);
    *pi_max = (double)mx / (double)tot;
    *n_max = mx;
    *total = tot;
    *classes = nz;
    return CLNSCL_OK;
}

/* ---- everything at once --------------------------------------------------------------------- */

void clnscl_bounds_params_init(clnscl_bounds_params *p)
{
    memset(p, 0, sizeof *p);
    p->pi_max = p->tau = p->delta = NAN;
    p->f_max = p->k_norm = p->rsa_sigma = p->rsa_pairs = NAN;
    p->beta = p->grad_bound = p->points = p->gap = NAN;
}

static int given(double x) { return !isnan(x); }

/* explicit sequence: T ≥ 1 finite η_t ≥ 0; peak and Neumaier-compensated sum */
static int seq_stats(const double *eta, long T, double *peak, double *sum)
{
    if (T < 1) return clnscl_fail(CLNSCL_EINVAL, "step-size sequence is empty");
    double s = 0, c = 0, m = 0;
    for (long t = 0; t < T; t++) {
        double x = eta[t];
        if (!(x >= 0) || !isfinite(x))
            return clnscl_fail(CLNSCL_EINVAL, "step size eta_%ld = %g must be finite and >= 0", t, x);
        double u = s + x;
        c += fabs(s) >= x ? (s - u) + x : (x - u) + s;
        s = u;
        if (x > m) m = x;
    }
    *peak = m;
    *sum = s + c;
    if (!isfinite(*sum)) return clnscl_fail(CLNSCL_EINVAL, "sum of step sizes overflows");
    return CLNSCL_OK;
}

static int recurrence_any(const clnscl_bounds_params *p, const clnscl_schedule *s, double lD, clnscl_bound *out)
{
    if (p->eta_seq) return clnscl_bounds_recurrence_seq(lD, p->tau, p->batch, p->eta_seq, p->eta_len, out);
    return clnscl_bounds_recurrence(lD, p->tau, p->batch, s, out);
}

int clnscl_bounds_eval(const clnscl_bounds_params *p, clnscl_bounds_report *out)
{
    int st;
    memset(out, 0, sizeof *out);
    out->log_max_gap = NAN;
    if (!(p->pi_max > 0 && p->pi_max < 1))
        return clnscl_fail(CLNSCL_EINVAL, "pi_max must be in (0,1) (got %g; C >= 2 classes needed)", p->pi_max);
    if ((st = check_batch(p->batch)) || (st = check_tau(p->tau, p->batch))) return st;
    if (!(p->delta > 0 && p->delta < 1)) return clnscl_fail(CLNSCL_EINVAL, "delta must be in (0,1) (got %g)", p->delta);
    if (given(p->f_max) && !(p->f_max >= 0 && p->f_max < 1))
        return clnscl_fail(CLNSCL_EINVAL, "observed same-class fraction f_max must be in [0,1) (got %g)", p->f_max);
    if (given(p->k_norm) && !(p->k_norm > 0 && isfinite(p->k_norm)))
        return clnscl_fail(CLNSCL_EINVAL, "||K^CL||_F must be > 0 (got %g)", p->k_norm);
    if (given(p->rsa_sigma) != given(p->rsa_pairs))
        return clnscl_fail(CLNSCL_EINVAL, "Corollary 2 needs both the RDM sigma and the number of pairs M");
    if (given(p->beta) != given(p->grad_bound))
        return clnscl_fail(CLNSCL_EINVAL, "Theorem 2 needs both beta and the gradient bound G");
    if (given(p->gap) && !(p->gap >= 0 && isfinite(p->gap)))
        return clnscl_fail(CLNSCL_EINVAL, "known gap ||Sigma^CL - Sigma^NSCL||_F must be finite and >= 0 (got %g)", p->gap);
    if (given(p->points) && !(p->points >= 2 && isfinite(p->points) && p->points == floor(p->points)))
        return clnscl_fail(CLNSCL_EINVAL, "number of reference points must be an integer >= 2 (got %g)", p->points);

    clnscl_schedule s = p->sched;
    s.batch = p->batch;
    if (p->eta_seq) {
        if ((st = seq_stats(p->eta_seq, p->eta_len, &out->eta_peak, &out->eta_sum))) return st;
        out->steps = p->eta_len;
    } else {
        if ((st = clnscl_schedule_resolve(&s))) return st;
        out->steps = s.steps;
        out->eta_peak = clnscl_schedule_peak(&s);
        out->eta_sum = clnscl_schedule_sum(&s);
    }
    if ((st = clnscl_bounds_epsilon(out->steps, p->batch, p->delta, &out->epsilon))) return st;
    out->p = p->pi_max + out->epsilon;
    out->valid = out->p < 1;

    /* optional inputs are checked even when the validity condition fails */
    if (given(p->rsa_pairs) && !(p->rsa_pairs >= 1 && p->rsa_pairs == floor(p->rsa_pairs) && isfinite(p->rsa_pairs)))
        return clnscl_fail(CLNSCL_EINVAL, "number of RDM pairs M must be an integer >= 1 (got %g)", p->rsa_pairs);
    if (given(p->rsa_sigma) && !(p->rsa_sigma > 0 && isfinite(p->rsa_sigma)))
        return clnscl_fail(CLNSCL_EINVAL, "RDM standard deviation sigma must be > 0 (got %g)", p->rsa_sigma);
    if (given(p->beta) && !(p->beta > 0 && isfinite(p->beta)))
        return clnscl_fail(CLNSCL_EINVAL, "smoothness beta must be > 0 (got %g)", p->beta);
    if (given(p->grad_bound) && !(p->grad_bound >= 0 && isfinite(p->grad_bound)))
        return clnscl_fail(CLNSCL_EINVAL, "gradient bound G must be >= 0 (got %g)", p->grad_bound);
    if (!out->valid) return CLNSCL_OK;

    /* gap bounds are vacuous above 2√(n(n−1)); n from --points or M = n(n−1)/2 */
    if (given(p->points)) out->log_max_gap = clnscl_bounds_log_max_gap(p->points);
    else if (given(p->rsa_pairs)) out->log_max_gap = M_LN2 + 0.5 * log(2.0 * p->rsa_pairs);

    double lD;
    if ((st = clnscl_bounds_log_delta(out->p, p->tau, &lD)) || (st = clnscl_bounds_from_log(lD, &out->Delta)) ||
        (st = clnscl_bounds_theorem1(lD, p->tau, p->batch, out->eta_sum, &out->theorem1)) ||
        (st = recurrence_any(p, &s, lD, &out->recurrence)))
        return st;
    double b = (double)p->batch;
    if ((st = clnscl_bounds_from_log(lD - log(p->tau) - 0.5 * log(b), &out->lemma7_reweight))) return st;
    out->lemma7_lipschitz = 1.0 / (2.0 * p->tau * p->tau * b);

    if (given(p->f_max)) {
        double le;
        out->has_emp = 1;
        if ((st = clnscl_bounds_log_delta(p->f_max, p->tau, &le)) || (st = clnscl_bounds_from_log(le, &out->Delta_emp)) ||
            (st = clnscl_bounds_theorem1(le, p->tau, p->batch, out->eta_sum, &out->theorem1_emp)) ||
            (st = recurrence_any(p, &s, le, &out->recurrence_emp)))
            return st;
    }
    if (!isnan(out->log_max_gap)) {
        clnscl_bound *gaps[] = {&out->theorem1, &out->recurrence, &out->theorem1_emp, &out->recurrence_emp};
        for (int i = 0; i < (out->has_emp ? 4 : 2); i++)
            if (bound_ln(gaps[i]) >= out->log_max_gap) gaps[i]->vacuous = 1;
    }
    /* Corollaries from the Theorem-1 bound (the paper's statement, §4.6–4.7) */
    if (given(p->k_norm)) {
        out->has_cka = 1;
        if ((st = clnscl_bounds_corollary1(&out->theorem1, p->k_norm, &out->rho, &out->cka_lower))) return st;
    }
    if (given(p->rsa_sigma)) {
        out->has_rsa = 1;
        if ((st = clnscl_bounds_corollary2(&out->theorem1, p->rsa_sigma, p->rsa_pairs, &out->r, &out->rsa_lower)))
            return st;
    }
    if (given(p->gap)) {
        /* Lemma 7 (§4.3) at the given gap; Corollaries 1–2 (§4.6–4.7) from it */
        clnscl_bound g;
        out->has_gap = 1;
        if ((st = clnscl_bounds_from_log(log(p->gap), &g))) return st;
        double lb = log(p->gap) - log(2.0 * p->tau * p->tau * b);
        if ((st = clnscl_bounds_from_log(ln_add(bound_ln(&out->lemma7_reweight), lb), &out->lemma7))) return st;
        if (out->has_cka && (st = clnscl_bounds_corollary1(&g, p->k_norm, &out->rho_gap, &out->cka_lower_gap)))
            return st;
        if (out->has_rsa &&
            (st = clnscl_bounds_corollary2(&g, p->rsa_sigma, p->rsa_pairs, &out->r_gap, &out->rsa_lower_gap)))
            return st;
    }
    if (given(p->beta)) {
        out->has_theorem2 = 1;
        if ((st = clnscl_bounds_theorem2(lD, p->tau, p->beta, p->grad_bound, out->eta_sum, &out->theorem2)) ||
            (st = p->eta_seq ? clnscl_bounds_theorem2_unrolled_seq(lD, p->tau, p->beta, p->grad_bound, p->eta_seq,
                                                                   p->eta_len, &out->theorem2_unrolled)
                             : clnscl_bounds_theorem2_unrolled(lD, p->tau, p->beta, p->grad_bound, &s,
                                                               &out->theorem2_unrolled)))
            return st;
    }
    return clnscl_bounds_loss_gap(p->pi_max, p->tau, &out->loss_gap, &out->loss_gap_linear);
}
