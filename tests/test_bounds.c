/* tests/test_bounds.c — bounds/ against THEORY.md reference values, hand calculation,
 * direct (non-log) evaluation, monotonicity (§7 item 5), recurrence ≤ closed form, and
 * property tests of Corollaries 1–2 on random similarity-matrix pairs. */
#include "check.h"

#include "clnscl/bounds.h"
#include "clnscl/io.h"
#include "clnscl/metrics.h"
#include "clnscl/rng.h"
#include "clnscl/status.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Theorem 1 for a constant η with balanced classes, everything from the library. */
static double thm1(double tau, long B, double C, long T, double S, double delta, double *log10_out)
{
    double eps, lD;
    clnscl_bound b;
    if (clnscl_bounds_epsilon(T, B, delta, &eps) || clnscl_bounds_log_delta(1.0 / C + eps, tau, &lD) ||
        clnscl_bounds_theorem1(lD, tau, B, S, &b))
        return NAN;
    if (log10_out) *log10_out = b.log10;
    return b.finite ? b.value : INFINITY;
}

/* §4.2: ε_{B,δ} ≈ 0.1010 at T = 57,600, B = 1024, δ = 0.05, and the 300-epoch list. */
static void test_epsilon(void)
{
    double e;
    CHECK_STATUS(clnscl_bounds_epsilon(57600, 1024, 0.05, &e), CLNSCL_OK);
    CHECK_CLOSE(e, 0.1010, 0, 5e-5);
    /* 300 epochs of 50k samples: T = 300·⌊50000/B⌋ */
    const long Bs[] = {256, 512, 1024, 4096};
    const double ref[] = {0.195, 0.138, 0.098, 0.049};
    for (int i = 0; i < 4; i++) {
        CHECK_STATUS(clnscl_bounds_epsilon(300 * (50000 / Bs[i]), Bs[i], 0.05, &e), CLNSCL_OK);
        CHECK_CLOSE(e, ref[i], 0, 5e-4);
    }
    /* hand value: T = 1, B = 2, δ = 0.5 ⇒ sqrt(log 4 / 4) */
    CHECK_STATUS(clnscl_bounds_epsilon(1, 2, 0.5, &e), CLNSCL_OK);
    CHECK_CLOSE(e, sqrt(log(4.0) / 4.0), 1e-15, 0);
    CHECK_STATUS(clnscl_bounds_epsilon(0, 2, 0.5, &e), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_bounds_epsilon(10, 1, 0.5, &e), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_bounds_epsilon(10, 2, 0.0, &e), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_bounds_epsilon(10, 2, 1.0, &e), CLNSCL_EINVAL);
}

/* §4.2 table of Δ_{π,δ}(B;τ), δ = 0.05, B = 1024, T = 57,600 (values as printed, ± half a unit
 * in the last printed digit). */
static void test_delta_table(void)
{
    const double taus[] = {1.0, 0.5, 0.1};
    const double Cs[] = {10, 100, 200, 1000};
    const double tab[3][5] = {{3.72, 1.85, 1.75, 1.68, 0.149},
                              {27.5, 13.6, 13.0, 12.4, 1.10},
                              {2.4e8, 1.2e8, 1.2e8, 1.1e8, 9.8e6}};
    /* ± half a unit in the last printed digit, except τ = 0.5, C = 200: printed 13.0, exact 12.946
     * (0.4 % off; the digest's rounding) — all entries are also within 0.5 % relative. */
    const double tol[3][5] = {{0.005, 0.005, 0.005, 0.005, 0.0005},
                              {0.05, 0.05, 0.06, 0.05, 0.005},
                              {0.05e8, 0.05e8, 0.05e8, 0.05e8, 0.05e6}};
    double eps;
    CHECK_STATUS(clnscl_bounds_epsilon(57600, 1024, 0.05, &eps), CLNSCL_OK);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 5; j++) {
            double p = j < 4 ? 1.0 / Cs[j] + eps : 0.01; /* last column: C = 100 with ε := 0 */
            clnscl_bound d;
            CHECK_STATUS(clnscl_bounds_delta(p, taus[i], &d), CLNSCL_OK);
            CHECK_MSG(d.finite && fabs(d.value - tab[i][j]) <= tol[i][j], "tau=%g col %d: %.6g vs %.6g", taus[i], j,
                      d.value, tab[i][j]);
        }
    /* direct formula vs log space; p = 0 ⇒ Δ = 0 exactly; p ≥ 1 invalid */
    double lD;
    CHECK_STATUS(clnscl_bounds_log_delta(0.3, 0.7, &lD), CLNSCL_OK);
    CHECK_CLOSE(exp(lD), 2 * exp(2 / 0.7) * 0.3 / 0.7, 1e-14, 0);
    CHECK_STATUS(clnscl_bounds_log_delta(0.0, 0.7, &lD), CLNSCL_OK);
    CHECK(lD == -INFINITY);
    CHECK_STATUS(clnscl_bounds_log_delta(1.0, 0.7, &lD), CLNSCL_EINVAL);
    CHECK(strstr(clnscl_last_error(), ">= 1") != NULL);
    CHECK_STATUS(clnscl_bounds_log_delta(0.5, 0.0, &lD), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_bounds_log_delta(0.5, -1.0, &lD), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_bounds_log_delta(0.5, 1e-320, &lD), CLNSCL_EINVAL);
    /* τ = 0.001: Δ ≈ 2e^{2000}·… far beyond double; log10 still exact */
    clnscl_bound d;
    CHECK_STATUS(clnscl_bounds_delta(0.5, 0.001, &d), CLNSCL_OK);
    CHECK(!d.finite);
    CHECK_CLOSE(d.log10, (log(2.0) + 2000.0) / log(10.0), 1e-14, 0);
}

/* §4.5 examples (τ = 1, B = 1024, C = 100, T = 1000, S_η = 10, δ = 0.05 ⇒ 0.5195, …). */
static void test_theorem1_examples(void)
{
    CHECK_CLOSE(thm1(1.0, 1024, 100, 1000, 10, 0.05, NULL), 0.5195, 0, 5e-5);
    CHECK_CLOSE(thm1(1.0, 1024, 10, 1000, 10, 0.05, NULL), 1.09, 0, 0.005);
    CHECK_CLOSE(thm1(1.0, 1024, 1000, 1000, 10, 0.05, NULL), 0.47, 0, 0.005);
    CHECK_CLOSE(thm1(1.0, 256, 100, 1000, 10, 0.05, NULL), 2.12, 0, 0.005);
    CHECK_CLOSE(thm1(1.0, 4096, 100, 1000, 10, 0.05, NULL), 0.14, 0, 0.005);
    CHECK_CLOSE(thm1(0.5, 1024, 100, 1000, 10, 0.05, NULL), 7.8, 0, 0.05);
    CHECK_CLOSE(thm1(0.1, 1024, 100, 1000, 10, 0.05, NULL), 5.5e8, 0, 0.05e8);
    /* direct (plain double) evaluation agrees where finite */
    double eps;
    clnscl_bound b;
    CHECK_STATUS(clnscl_bounds_epsilon(1000, 1024, 0.05, &eps), CLNSCL_OK);
    double Delta = 2 * exp(2.0) * (0.01 + eps) / (1 - 0.01 - eps);
    double direct = exp(10.0 / (2 * 1024.0)) * 10.0 / sqrt(1024.0) * Delta;
    CHECK_CLOSE(thm1(1.0, 1024, 100, 1000, 10, 0.05, NULL), direct, 1e-13, 0);
    /* S = 0 ⇒ exactly 0 (log10 = −inf), never NaN */
    CHECK_STATUS(clnscl_bounds_theorem1(0.0, 1.0, 16, 0.0, &b), CLNSCL_OK);
    CHECK(b.finite && b.value == 0 && b.log10 == -INFINITY);
    CHECK_STATUS(clnscl_bounds_theorem1(0.0, 1.0, 16, -1.0, &b), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_bounds_theorem1(NAN, 1.0, 16, 1.0, &b), CLNSCL_EINVAL);
    /* τ = 0.05 with real-training step sizes: beyond double, log10 exact */
    double l10;
    double v = thm1(0.05, 1024, 100, 57600, 57600 * 1.2, 0.05, &l10);
    CHECK(isinf(v));
    CHECK_STATUS(clnscl_bounds_epsilon(57600, 1024, 0.05, &eps), CLNSCL_OK);
    double ln_expect = 57600 * 1.2 / (2 * 0.0025 * 1024) + log(57600 * 1.2) - log(0.05) - 0.5 * log(1024.0) +
                       log(2.0) + 40.0 + log(0.01 + eps) - log(1 - 0.01 - eps);
    CHECK_CLOSE(l10, ln_expect / log(10.0), 1e-14, 0);
}

/* §7 item 5: ↓ in C, ↓ in τ, ↓ in B (fixed S_η and T), ↑ in S_η, ↑ in T, ↑ in 1/δ. */
static void test_monotone(void)
{
    clnscl_rng rng;
    clnscl_rng_seed(&rng, 5);
    int bad = 0, n = 0;
    for (int k = 0; k < 400; k++) {
        double tau = 0.05 + 2.0 * clnscl_rng_uniform(&rng);
        long B = 64 + (long)clnscl_rng_below(&rng, 4000);
        double C = 10 + (double)clnscl_rng_below(&rng, 1000);
        long T = 1 + (long)clnscl_rng_below(&rng, 100000);
        double S = 0.01 + 100.0 * clnscl_rng_uniform(&rng);
        double delta = 0.001 + 0.5 * clnscl_rng_uniform(&rng);
        double l0, l;
        if (isnan(thm1(tau, B, C, T, S, delta, &l0))) continue; /* validity fails */
        n++;
        if (!isnan(thm1(tau, B, C * 1.5 + 1, T, S, delta, &l)) && !(l < l0)) bad++;
        if (!isnan(thm1(tau * 1.1, B, C, T, S, delta, &l)) && !(l < l0)) bad++;
        if (!isnan(thm1(tau, B + 16, C, T, S, delta, &l)) && !(l < l0)) bad++;
        if (!isnan(thm1(tau, B, C, T, S * 1.1, delta, &l)) && !(l > l0)) bad++;
        if (!isnan(thm1(tau, B, C, T * 2, S, delta, &l)) && !(l > l0)) bad++;
        if (!isnan(thm1(tau, B, C, T, S, delta / 2, &l)) && !(l > l0)) bad++;
    }
    CHECK(n > 300);
    CHECK_MSG(bad == 0, "%d monotonicity violations", bad);
}

/* Direct unrolling with the plain step (§4.4), for comparison. */
static double direct_recurrence(const clnscl_schedule *s, double Delta, double tau, long B)
{
    double D = 0;
    for (long t = 0; t < s->steps; t++) D = clnscl_bounds_recurrence_step(D, clnscl_schedule_eta(s, t), Delta, tau, B);
    return D;
}

/* recurrence ≤ closed form for every schedule; log space = direct where finite. */
static void test_recurrence(void)
{
    clnscl_rng rng;
    clnscl_rng_seed(&rng, 11);
    int worse = 0, mism = 0;
    for (int k = 0; k < 300; k++) {
        clnscl_schedule s = {0};
        s.kind = (k % 2) ? CLNSCL_SCHED_COSINE : CLNSCL_SCHED_CONSTANT;
        s.scale = (clnscl_scale_rule)(k % 5);
        s.base = 0.01 + 3.0 * clnscl_rng_uniform(&rng);
        s.batch = 2 + (long)clnscl_rng_below(&rng, 2000);
        s.ref_batch = 256;
        s.steps = 1 + (long)clnscl_rng_below(&rng, 3000);
        s.steps_per_epoch = 1 + (long)clnscl_rng_below(&rng, 100);
        s.warmup_epochs = (long)clnscl_rng_below(&rng, 12);
        double tau = 0.1 + 1.5 * clnscl_rng_uniform(&rng);
        double lD = -3.0 + 10.0 * clnscl_rng_uniform(&rng);
        clnscl_bound rec, th;
        CHECK_STATUS(clnscl_bounds_recurrence(lD, tau, s.batch, &s, &rec), CLNSCL_OK);
        CHECK_STATUS(clnscl_bounds_theorem1(lD, tau, s.batch, clnscl_schedule_sum(&s), &th), CLNSCL_OK);
        if (!(rec.log10 <= th.log10 + 1e-13 * fabs(th.log10) + 1e-15)) worse++;
        double d = direct_recurrence(&s, exp(lD), tau, s.batch);
        if (isfinite(d) && rec.finite && !(fabs(d - rec.value) <= 1e-10 * d)) mism++;
        /* the explicit-sequence version agrees with the schedule version */
        if (k < 40) {
            double *eta = malloc((size_t)s.steps * sizeof *eta);
            for (long t = 0; t < s.steps; t++) eta[t] = clnscl_schedule_eta(&s, t);
            clnscl_bound seq;
            CHECK_STATUS(clnscl_bounds_recurrence_seq(lD, tau, s.batch, eta, s.steps, &seq), CLNSCL_OK);
            CHECK_CLOSE(seq.log10, rec.log10, 1e-12, 1e-13);
            free(eta);
        }
    }
    CHECK_MSG(worse == 0, "%d schedules with recurrence > Theorem 1", worse);
    CHECK_MSG(mism == 0, "%d schedules with log-space != direct recurrence", mism);
    /* T = 1: D_1 = η Δ/(τ√B) exactly; closed form is that times e^{η/(2τ²B)} */
    clnscl_schedule one = {0};
    one.base = 0.5;
    one.steps = 1;
    clnscl_bound r1;
    CHECK_STATUS(clnscl_bounds_recurrence(log(3.0), 0.5, 4, &one, &r1), CLNSCL_OK);
    CHECK_CLOSE(r1.value, 0.5 * 3.0 / (0.5 * 2.0), 1e-15, 0);
    /* constant η: W = ((1+cη)^T − 1)/c, hand formula */
    one.steps = 7;
    CHECK_STATUS(clnscl_bounds_recurrence(log(3.0), 0.5, 4, &one, &r1), CLNSCL_OK);
    double c = 1 / (2 * 0.25 * 4.0);
    CHECK_CLOSE(r1.value, 3.0 / (0.5 * 2.0) * (pow(1 + c * 0.5, 7) - 1) / c, 1e-14, 0);
    /* beyond double: still ≤ closed form in log10 */
    one.steps = 100000;
    one.base = 1.0;
    clnscl_bound big, bigth;
    CHECK_STATUS(clnscl_bounds_recurrence(log(1e8), 0.05, 64, &one, &big), CLNSCL_OK);
    CHECK_STATUS(clnscl_bounds_theorem1(log(1e8), 0.05, 64, 1e5, &bigth), CLNSCL_OK);
    CHECK(!big.finite && isfinite(big.log10) && big.log10 <= bigth.log10);
    /* negative step sizes are impossible */
    double neg[3] = {0.1, -0.1, 0.1};
    CHECK_STATUS(clnscl_bounds_recurrence_seq(0.0, 1.0, 4, neg, 3, &r1), CLNSCL_EINVAL);
    one.base = -1;
    CHECK_STATUS(clnscl_bounds_recurrence(0.0, 1.0, 4, &one, &r1), CLNSCL_EINVAL);
}

/* Lemma 7 and the one-step recurrence by hand. */
static void test_lemma7(void)
{
    /* Δ = 2, τ = 0.5, B = 16: 2/(0.5·4) + 3/(2·0.25·16) = 1 + 0.375 */
    CHECK_CLOSE(clnscl_bounds_lemma7(2.0, 0.5, 16, 3.0), 1.375, 1e-15, 0);
    /* (1 + 0.1/(2·0.25·16))·3 + 0.1·2/(0.5·4) */
    CHECK_CLOSE(clnscl_bounds_recurrence_step(3.0, 0.1, 2.0, 0.5, 16), (1 + 0.1 / 8) * 3 + 0.1, 1e-15, 0);
}

/* Corollaries 1 and 2: hand values and property tests on random pairs. */
static void test_corollary_values(void)
{
    clnscl_bound b;
    CHECK_STATUS(clnscl_bounds_cka_lower(0.5, &b), CLNSCL_OK);
    CHECK_CLOSE(b.value, 1.0 / 3.0, 1e-15, 0);
    CHECK(!b.vacuous);
    CHECK_CLOSE(b.log10, log10(1.0 / 3.0), 1e-14, 0);
    CHECK_STATUS(clnscl_bounds_cka_lower(0.0, &b), CLNSCL_OK);
    CHECK(b.value == 1.0 && b.log10 == 0.0 && !b.vacuous);
    CHECK_STATUS(clnscl_bounds_cka_lower(1.0, &b), CLNSCL_OK);
    CHECK(b.value == 0.0 && b.vacuous && b.log10 == -INFINITY);
    CHECK_STATUS(clnscl_bounds_rsa_lower(3.0, &b), CLNSCL_OK);
    CHECK_CLOSE(b.value, -0.5, 1e-15, 0);
    CHECK(b.vacuous);
    CHECK_STATUS(clnscl_bounds_rsa_lower(-0.1, &b), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_bounds_rsa_lower(NAN, &b), CLNSCL_EINVAL);
    /* tiny ρ: log10 of 1 − 2ρ + … accurate (no cancellation) */
    CHECK_STATUS(clnscl_bounds_cka_lower_log(log(1e-12), &b), CLNSCL_OK);
    CHECK_CLOSE(b.log10, -2e-12 / log(10.0), 1e-9, 0);
    /* huge ρ (from an overflowing Theorem 1): −1, vacuous, finite */
    CHECK_STATUS(clnscl_bounds_cka_lower_log(5000.0, &b), CLNSCL_OK);
    CHECK(b.finite && b.value == -1.0 && b.vacuous);
    /* from a gap bound: ρ ≤ 0.3/1.2, r ≤ 0.3/(√9·0.2) */
    clnscl_bound gap, rho, r, cka, rsa;
    CHECK_STATUS(clnscl_bounds_from_log(log(0.3), &gap), CLNSCL_OK);
    CHECK_STATUS(clnscl_bounds_corollary1(&gap, 1.2, &rho, &cka), CLNSCL_OK);
    CHECK_CLOSE(rho.value, 0.25, 1e-14, 0);
    CHECK_CLOSE(cka.value, 0.75 / 1.25, 1e-14, 0);
    CHECK_STATUS(clnscl_bounds_corollary2(&gap, 0.2, 9, &r, &rsa), CLNSCL_OK);
    CHECK_CLOSE(r.value, 0.5, 1e-14, 0);
    CHECK_CLOSE(rsa.value, 1.0 / 3.0, 1e-14, 0);
    CHECK_STATUS(clnscl_bounds_corollary1(&gap, 0.0, &rho, &cka), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_bounds_corollary2(&gap, 0.2, 0.5, &r, &rsa), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_bounds_corollary2(&gap, -0.2, 3, &r, &rsa), CLNSCL_EINVAL);
}

/* cosine matrix of n random unit vectors in R^d (row-major n×n) */
static void random_cosine(clnscl_rng *rng, double *Z, size_t n, size_t d, double *S)
{
    for (size_t i = 0; i < n; i++) {
        double nn = 0;
        for (size_t k = 0; k < d; k++) {
            Z[i * d + k] = clnscl_rng_normal(rng);
            nn += Z[i * d + k] * Z[i * d + k];
        }
        nn = sqrt(nn);
        for (size_t k = 0; k < d; k++) Z[i * d + k] /= nn;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (size_t k = 0; k < d; k++) s += Z[i * d + k] * Z[j * d + k];
            S[i * n + j] = s;
        }
}

/* ln ‖S1 − S2‖_F as a gap bound */
static clnscl_bound frob_gap(const double *S1, const double *S2, size_t n)
{
    double g = 0;
    clnscl_bound b;
    for (size_t i = 0; i < n * n; i++) g += (S1[i] - S2[i]) * (S1[i] - S2[i]);
    clnscl_bounds_from_log(0.5 * log(g), &b);
    return b;
}

static void test_corollary_property(void)
{
    clnscl_rng rng;
    clnscl_rng_seed(&rng, 2026);
    enum { NMAX = 40, DMAX = 8 };
    static double Z[NMAX * DMAX], S1[NMAX * NMAX], S2[NMAX * NMAX];
    int tested_cka = 0, tested_rsa = 0, viol_cka = 0, viol_rsa = 0, viol_gap = 0, nonvac = 0, nonvac_rsa = 0;
    for (int k = 0; k < 600; k++) {
        size_t n = 4 + clnscl_rng_below(&rng, NMAX - 3), d = 2 + clnscl_rng_below(&rng, DMAX - 1);
        int mode = k % 3;
        random_cosine(&rng, Z, n, d, S1);
        double amp = pow(10.0, -3.0 + 3.5 * clnscl_rng_uniform(&rng));
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
                double e = amp * (2 * clnscl_rng_uniform(&rng) - 1);
                if (mode == 0) S2[i * n + j] = S1[i * n + j] + e;                                  /* asymmetric noise */
                else if (mode == 1) S2[i * n + j] = fmax(-1, fmin(1, S1[i * n + j] + e));          /* clipped */
                else S2[i * n + j] = 2 * clnscl_rng_uniform(&rng) - 1;                              /* unrelated */
            }
        for (size_t i = 0; i < n; i++) S2[i * n + i] = 1.0;
        if (mode == 1) /* symmetrise like the surrogate's projection */
            for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++) S2[j * n + i] = S2[i * n + j];
        double cka, rsa, rho, r;
        if (clnscl_cka_gram(S1, S2, n, &cka) == CLNSCL_OK && clnscl_cka_rho(S1, S2, n, &rho) == CLNSCL_OK) {
            clnscl_bound lb;
            tested_cka++;
            CHECK_STATUS(clnscl_bounds_cka_lower(rho, &lb), CLNSCL_OK);
            /* (1−ρ)/(1+ρ) is a bound only for ρ < 1 (proof §4.6); ρ ≥ 1 is flagged vacuous */
            if (!lb.vacuous && cka < lb.value - 1e-12) viol_cka++;
            if (!lb.vacuous) nonvac++;
            /* via the gap route: ρ ≤ ‖S1 − S2‖_F / ‖H S1 H‖_F (centering contracts) */
            double kn;
            clnscl_bound gap = frob_gap(S1, S2, n), rb, cb;
            CHECK_STATUS(clnscl_gram_centered_norm(S1, n, &kn), CLNSCL_OK);
            CHECK_STATUS(clnscl_bounds_corollary1(&gap, kn, &rb, &cb), CLNSCL_OK);
            if (rb.value < rho * (1 - 1e-12) || (!cb.vacuous && cka < cb.value - 1e-12)) viol_gap++;
        }
        if (clnscl_rsa_sim(S1, S2, n, &rsa) == CLNSCL_OK && clnscl_rsa_r(S1, S2, n, &r) == CLNSCL_OK) {
            clnscl_bound lb;
            tested_rsa++;
            CHECK_STATUS(clnscl_bounds_rsa_lower(r, &lb), CLNSCL_OK);
            if (!lb.vacuous && rsa < lb.value - 1e-12) viol_rsa++;
            if (!lb.vacuous) nonvac_rsa++;
            /* via the gap route: ‖b − a‖₂ ≤ ‖S1 − S2‖_F, √M σ = ‖a − ā‖₂ */
            double an, M = (double)n * (double)(n - 1) / 2;
            CHECK_STATUS(clnscl_rdm_centered_norm(S1, n, &an), CLNSCL_OK);
            clnscl_bound gap = frob_gap(S1, S2, n), rb, sb;
            CHECK_STATUS(clnscl_bounds_corollary2(&gap, an / sqrt(M), M, &rb, &sb), CLNSCL_OK);
            if (rb.value < r * (1 - 1e-12) || (!sb.vacuous && rsa < sb.value - 1e-12)) viol_gap++;
        }
    }
    CHECK(tested_cka > 550 && tested_rsa > 550);
    CHECK(nonvac > 100 && nonvac_rsa > 100); /* the property test must exercise non-vacuous bounds */
    CHECK_MSG(viol_cka == 0, "%d CKA pairs below Corollary 1", viol_cka);
    CHECK_MSG(viol_rsa == 0, "%d RSA pairs below Corollary 2", viol_rsa);
    CHECK_MSG(viol_gap == 0, "%d pairs violating the gap route of Corollary 1", viol_gap);
}

/* Theorem 2 (§4.8) and the predecessor loss gap (§2.5). */
static void test_theorem2_lossgap(void)
{
    clnscl_bound b, u;
    /* (GΔ/(βτ))(e^{βS} − 1) with G = 2, Δ = 3, β = 0.5, τ = 0.25, S = 4 */
    CHECK_STATUS(clnscl_bounds_theorem2(log(3.0), 0.25, 0.5, 2.0, 4.0, &b), CLNSCL_OK);
    CHECK_CLOSE(b.value, 2 * 3 / (0.5 * 0.25) * expm1(2.0), 1e-14, 0);
    clnscl_schedule s = {0};
    s.base = 0.4;
    s.steps = 10;
    CHECK_STATUS(clnscl_bounds_theorem2_unrolled(log(3.0), 0.25, 0.5, 2.0, &s, &u), CLNSCL_OK);
    CHECK_CLOSE(u.value, 2 * 3 / (0.5 * 0.25) * (pow(1.2, 10) - 1), 1e-13, 0);
    CHECK(u.value <= b.value);
    /* tiny βS: expm1 accuracy (e^{1e-12} − 1 = 1e-12 to 1e-24) */
    CHECK_STATUS(clnscl_bounds_theorem2(0.0, 1.0, 1e-12, 1.0, 1.0, &b), CLNSCL_OK);
    CHECK_CLOSE(b.value, 1.0, 1e-11, 0);
    /* huge βS: beyond double, exact log */
    CHECK_STATUS(clnscl_bounds_theorem2(0.0, 1.0, 1.0, 1.0, 5000.0, &b), CLNSCL_OK);
    CHECK(!b.finite);
    CHECK_CLOSE(b.log10, 5000.0 / log(10.0), 1e-14, 0);
    CHECK_STATUS(clnscl_bounds_theorem2(0.0, 1.0, 0.0, 1.0, 1.0, &b), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_bounds_theorem2(0.0, 1.0, 1.0, -1.0, 1.0, &b), CLNSCL_EINVAL);

    /* §2.5, τ = 1, balanced C = 100: log(1 + e²/99) and e²/99 */
    clnscl_bound g, lin;
    CHECK_STATUS(clnscl_bounds_loss_gap(0.01, 1.0, &g, &lin), CLNSCL_OK);
    CHECK_CLOSE(g.value, log(1 + exp(2.0) / 99), 1e-14, 0);
    CHECK_CLOSE(lin.value, exp(2.0) / 99, 1e-14, 0);
    /* τ = 0.01: log(1 + e^{200}/99) = 200 − log 99 + log1p(99 e^{−200}) */
    CHECK_STATUS(clnscl_bounds_loss_gap(0.01, 0.01, &g, &lin), CLNSCL_OK);
    CHECK_CLOSE(g.value, 200 - log(99.0), 1e-15, 0);
    CHECK_STATUS(clnscl_bounds_loss_gap(1.0, 1.0, &g, &lin), CLNSCL_EINVAL);

    long counts[] = {500, 0, 300, 200}, nmax, tot, C;
    double pm;
    CHECK_STATUS(clnscl_bounds_pi_from_counts(counts, 4, &pm, &nmax, &tot, &C), CLNSCL_OK);
    CHECK(pm == 0.5 && nmax == 500 && tot == 1000 && C == 3);
    long one[] = {0, 7};
    CHECK_STATUS(clnscl_bounds_pi_from_counts(one, 2, &pm, &nmax, &tot, &C), CLNSCL_EINVAL);
    long negc[] = {3, -1, 4};
    CHECK_STATUS(clnscl_bounds_pi_from_counts(negc, 3, &pm, &nmax, &tot, &C), CLNSCL_EINVAL);
}

/* clnscl_bounds_eval: the whole report, validity and vacuity. */
static void test_eval(void)
{
    clnscl_bounds_params p;
    clnscl_bounds_report r;
    clnscl_bounds_params_init(&p);
    p.pi_max = 0.01;
    p.tau = 1.0;
    p.batch = 1024;
    p.delta = 0.05;
    p.sched.base = 0.01;
    p.sched.steps = 1000;
    p.k_norm = 10.0;
    p.rsa_sigma = 0.1;
    p.rsa_pairs = 1000 * 999 / 2;
    p.beta = 1.0;
    p.grad_bound = 1.0;
    p.f_max = 0.02;
    CHECK_STATUS(clnscl_bounds_eval(&p, &r), CLNSCL_OK);
    CHECK(r.valid && r.steps == 1000);
    CHECK_CLOSE(r.eta_sum, 10.0, 1e-14, 0);
    CHECK_CLOSE(r.theorem1.value, 0.5195, 0, 5e-5);
    CHECK(r.recurrence.value <= r.theorem1.value);
    CHECK(r.has_cka && r.has_rsa && r.has_theorem2 && r.has_emp);
    CHECK_CLOSE(r.rho.value, r.theorem1.value / 10.0, 1e-14, 0);
    CHECK_CLOSE(r.cka_lower.value, (1 - r.rho.value) / (1 + r.rho.value), 1e-14, 0);
    CHECK_CLOSE(r.r.value, r.theorem1.value / (sqrt(p.rsa_pairs) * 0.1), 1e-14, 0);
    CHECK(!r.theorem1.vacuous && !r.cka_lower.vacuous && !r.rsa_lower.vacuous);
    CHECK_CLOSE(r.Delta_emp.value, 2 * exp(2.0) * 0.02 / 0.98, 1e-14, 0);
    CHECK(r.theorem1_emp.value < r.theorem1.value);
    CHECK_CLOSE(r.lemma7_lipschitz, 1.0 / 2048, 1e-15, 0);
    CHECK_CLOSE(r.lemma7_reweight.value, r.Delta.value / 32.0, 1e-14, 0);
    CHECK(!r.has_gap);
    /* a known gap: Lemma 7 = Δ/(τ√B) + D/(2τ²B); Corollaries from D (hand values) */
    p.gap = 0.3;
    CHECK_STATUS(clnscl_bounds_eval(&p, &r), CLNSCL_OK);
    CHECK(r.has_gap);
    CHECK_CLOSE(r.lemma7.value, clnscl_bounds_lemma7(r.Delta.value, 1.0, 1024, 0.3), 1e-14, 0);
    CHECK_CLOSE(r.cka_lower_gap.value, (1 - 0.03) / (1 + 0.03), 1e-14, 0);
    double rg = 0.3 / (sqrt(p.rsa_pairs) * 0.1);
    CHECK_CLOSE(r.rsa_lower_gap.value, (1 - rg) / (1 + rg), 1e-14, 0);
    p.gap = 0.0;
    CHECK_STATUS(clnscl_bounds_eval(&p, &r), CLNSCL_OK);
    CHECK(r.cka_lower_gap.value == 1.0 && r.lemma7.value == r.lemma7_reweight.value);
    p.gap = -1.0;
    CHECK_STATUS(clnscl_bounds_eval(&p, &r), CLNSCL_EINVAL);
    p.gap = NAN;
    CHECK_STATUS(clnscl_bounds_eval(&p, &r), CLNSCL_OK);
    /* max gap 2√(2M) = 2√(n(n−1)) for n = 1000 */
    CHECK_CLOSE(exp(r.log_max_gap), 2 * sqrt(1000.0 * 999.0), 1e-13, 0);
    /* τ = 0.1: Theorem 1 ≈ 5.5e8 exceeds 2√(n(n−1)) ≈ 2000 ⇒ vacuous; ρ > 1 ⇒ CKA vacuous */
    p.tau = 0.1;
    CHECK_STATUS(clnscl_bounds_eval(&p, &r), CLNSCL_OK);
    CHECK(r.theorem1.vacuous && r.recurrence.vacuous && r.cka_lower.vacuous && r.rsa_lower.vacuous);
    CHECK(r.cka_lower.value < 0);
    /* validity: C = 2 with B = 16 ⇒ 0.5 + ε ≥ 1 */
    p.tau = 1.0;
    p.pi_max = 0.5;
    p.batch = 16;
    CHECK_STATUS(clnscl_bounds_eval(&p, &r), CLNSCL_OK);
    CHECK(!r.valid && r.p >= 1);
    /* an explicit sequence equal to a cosine schedule gives the same report */
    clnscl_bounds_params q;
    clnscl_bounds_report rq, rs;
    clnscl_bounds_params_init(&q);
    q.pi_max = 0.05;
    q.tau = 0.5;
    q.batch = 128;
    q.delta = 0.1;
    q.beta = 0.5;
    q.grad_bound = 2;
    q.sched.kind = CLNSCL_SCHED_COSINE;
    q.sched.base = 0.2;
    q.sched.steps = 500;
    q.sched.steps_per_epoch = 7;
    q.sched.warmup_epochs = 10;
    CHECK_STATUS(clnscl_bounds_eval(&q, &rs), CLNSCL_OK);
    double seq[500];
    for (long t = 0; t < 500; t++) seq[t] = clnscl_schedule_eta(&q.sched, t);
    q.eta_seq = seq;
    q.eta_len = 500;
    CHECK_STATUS(clnscl_bounds_eval(&q, &rq), CLNSCL_OK);
    CHECK(rq.steps == 500 && rs.valid && rq.valid);
    CHECK_CLOSE(rq.eta_sum, rs.eta_sum, 1e-14, 0);
    CHECK_CLOSE(rq.theorem1.log10, rs.theorem1.log10, 1e-13, 1e-14);
    CHECK_CLOSE(rq.recurrence.log10, rs.recurrence.log10, 1e-12, 1e-13);
    CHECK_CLOSE(rq.theorem2_unrolled.log10, rs.theorem2_unrolled.log10, 1e-12, 1e-13);
    seq[3] = -1e-3;
    CHECK_STATUS(clnscl_bounds_eval(&q, &rq), CLNSCL_EINVAL);
    q.eta_len = 0;
    CHECK_STATUS(clnscl_bounds_eval(&q, &rq), CLNSCL_EINVAL);
    /* impossible parameters */
    p.pi_max = 0.01;
    p.batch = 1;
    CHECK_STATUS(clnscl_bounds_eval(&p, &r), CLNSCL_EINVAL);
    p.batch = 1024;
    p.delta = 1.0;
    CHECK_STATUS(clnscl_bounds_eval(&p, &r), CLNSCL_EINVAL);
    p.delta = 0.05;
    p.sched.base = -0.1;
    CHECK_STATUS(clnscl_bounds_eval(&p, &r), CLNSCL_EINVAL);
    p.sched.base = 0.01;
    p.pi_max = 1.0;
    CHECK_STATUS(clnscl_bounds_eval(&p, &r), CLNSCL_EINVAL);
    p.pi_max = 0.01;
    p.tau = 0;
    CHECK_STATUS(clnscl_bounds_eval(&p, &r), CLNSCL_EINVAL);
    p.tau = 1;
    p.rsa_pairs = NAN;
    CHECK_STATUS(clnscl_bounds_eval(&p, &r), CLNSCL_EINVAL);
}

/* tests/fixtures/bounds_ref.csv: the formulas evaluated directly in 60-digit decimal arithmetic
 * (gen_bounds.py), including τ = 0.05 where the bounds overflow double. */
static void test_fixture(void)
{
    clnscl_mat m = {0};
    CHECK_STATUS(clnscl_csv_read(CLNSCL_FIXTURES "/bounds_ref.csv", &m), CLNSCL_OK);
    CHECK(m.rows == 51 && m.cols == 21);
    for (size_t i = 0; i < m.rows && m.cols == 21; i++) {
        const double *r = m.data + i * m.cols;
        clnscl_bounds_params p;
        clnscl_bounds_report o;
        clnscl_bounds_params_init(&p);
        p.pi_max = r[0];
        p.tau = r[1];
        p.batch = (long)r[2];
        p.sched.steps = (long)r[3];
        p.delta = r[4];
        p.sched.kind = r[5] ? CLNSCL_SCHED_COSINE : CLNSCL_SCHED_CONSTANT;
        p.sched.base = r[6];
        p.sched.steps_per_epoch = (long)r[7];
        p.sched.warmup_epochs = (long)r[8];
        p.sched.scale = (clnscl_scale_rule)(int)r[9];
        p.sched.ref_batch = (long)r[10];
        p.beta = r[11];
        p.grad_bound = r[12];
        CHECK_STATUS(clnscl_bounds_eval(&p, &o), CLNSCL_OK);
        CHECK(o.valid);
        CHECK_CLOSE(o.epsilon, r[13], 1e-14, 0);
        CHECK_CLOSE(o.Delta.log10, r[14], 1e-13, 1e-14);
        CHECK_CLOSE(log10(o.eta_sum), r[15], 1e-13, 1e-14);
        CHECK_CLOSE(o.theorem1.log10, r[16], 1e-13, 1e-13);
        CHECK_CLOSE(o.recurrence.log10, r[17], 1e-12, 1e-12);
        CHECK_CLOSE(o.theorem2.log10, r[18], 1e-13, 1e-13);
        CHECK_CLOSE(o.theorem2_unrolled.log10, r[19], 1e-12, 1e-12);
        CHECK_CLOSE(o.loss_gap.log10, r[20], 1e-13, 1e-14);
    }
    clnscl_mat_free(&m);
}

int main(void)
{
    clnscl_gsl_quiet();
    test_epsilon();
    test_delta_table();
    test_theorem1_examples();
    test_monotone();
    test_recurrence();
    test_lemma7();
    test_corollary_values();
    test_corollary_property();
    test_theorem2_lossgap();
    test_eval();
    test_fixture();
    return check_report();
}
