/* tests/test_probe.c — nearest-class-mean and linear-probe accuracy on frozen features
 * (train/probe.c): hand cases, a closed-form optimum, and first-order optimality checked
 * by an independent naive gradient. */
#include "check.h"
#include "clnscl/data.h"
#include "clnscl/status.h"

#include <stdlib.h>
#include <string.h>

static void test_ncc(void)
{
    /* hand case, 2-D: class means (0,0) and (4,0) */
    const double tr[8] = { -1, 0, 1, 0, 3, 0, 5, 0 };
    const int32_t ytr[4] = { 0, 0, 1, 1 };
    /* eval: (1.9,0)→0 ✓, (2.1,5)→1 ✓, (0.5,0)→0 but labelled 1 ✗, (2,0) tie → 0 ✓ */
    const double ev[8] = { 1.9, 0, 2.1, 5, 0.5, 0, 2, 0 };
    const int32_t yev[4] = { 0, 1, 1, 0 };
    double acc;
    CHECK_STATUS(clnscl_probe_ncc(tr, ytr, 4, ev, yev, 4, 2, 2, &acc), CLNSCL_OK);
    CHECK(acc == 0.75);
    /* separable clusters in 16-D, 5 classes: 100 % */
    clnscl_rng r;
    clnscl_rng_seed(&r, 4);
    size_t n = 200, d = 16;
    double *X = malloc(n * d * sizeof *X), *E = malloc(n * d * sizeof *E);
    int32_t *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        y[i] = (int32_t)(i % 5);
        for (size_t j = 0; j < d; j++) {
            X[i * d + j] = (j == (size_t)y[i] ? 3.0 : 0.0) + 0.3 * clnscl_rng_normal(&r);
            E[i * d + j] = (j == (size_t)y[i] ? 3.0 : 0.0) + 0.3 * clnscl_rng_normal(&r);
        }
    }
    CHECK_STATUS(clnscl_probe_ncc(X, y, n, E, y, n, d, 5, &acc), CLNSCL_OK);
    CHECK(acc == 1.0);
    /* errors: NaN, label out of range, empty */
    E[5] = NAN;
    CHECK_STATUS(clnscl_probe_ncc(X, y, n, E, y, n, d, 5, &acc), CLNSCL_ENONFINITE);
    E[5] = 0;
    y[3] = 5;
    CHECK_STATUS(clnscl_probe_ncc(X, y, n, E, y, n, d, 5, &acc), CLNSCL_EINVAL);
    y[3] = 3;
    CHECK_STATUS(clnscl_probe_ncc(X, y, 0, E, y, n, d, 5, &acc), CLNSCL_EINVAL);
    clnscl_probe_config c;
    clnscl_probe_defaults(&c);
    CHECK_STATUS(clnscl_probe_linear(&c, X, y, n, E, y, n, d, 5, &acc, NULL, NULL, NULL),
                 CLNSCL_OK);
    CHECK(acc == 1.0);
    free(X); free(E); free(y);
}

/* two points x = ±1 with labels 1/0, no standardization, weight decay λ:
 * by symmetry w1 = −w0 = δ/2, b0 = b1 = 0, f(δ) = log(1 + e^{−δ}) + λδ²/4, so δ solves
 * λδ/2 = 1/(1 + e^{δ}) (bisection below) */
static void test_closed_form(void)
{
    const double X[2] = { 1.0, -1.0 };
    const int32_t y[2] = { 1, 0 };
    const double lams[3] = { 0.01, 0.1, 1.0 };
    for (int t = 0; t < 3; t++) {
        double lam = lams[t], lo = 0.0, hi = 100.0;
        for (int it = 0; it < 200; it++) {
            double mid = 0.5 * (lo + hi);
            if (lam * mid / 2 - 1.0 / (1.0 + exp(mid)) < 0) lo = mid; else hi = mid;
        }
        double delta = 0.5 * (lo + hi);
        double fstar = log1p(exp(-delta)) + lam * delta * delta / 4;
        clnscl_probe_config c;
        clnscl_probe_defaults(&c);
        c.standardize = 0;
        c.weight_decay = lam;
        c.iters = 200;
        c.tol = 1e-12;
        double W[2], b[2], f, acc;
        CHECK_STATUS(clnscl_probe_linear(&c, X, y, 2, X, y, 2, 1, 2, &acc, W, b, &f), CLNSCL_OK);
        CHECK_CLOSE(W[1], delta / 2, 1e-7, 1e-9);
        CHECK_CLOSE(W[0], -delta / 2, 1e-7, 1e-9);
        CHECK_CLOSE(b[1] - b[0], 0.0, 0, 1e-9);
        CHECK_CLOSE(f, fstar, 1e-12, 1e-14);
        CHECK(acc == 1.0);
    }
}

/* an independent, naive objective and gradient (per-sample loops, no BLAS) */
static double naive_fg(const double *X, const int32_t *y, size_t n, size_t d, int K, double lam,
                       const double *W, const double *b, double *gW, double *gb)
{
    double f = 0;
    memset(gW, 0, d * K * sizeof *gW);
    memset(gb, 0, K * sizeof *gb);
    double z[16], p[16];
    for (size_t i = 0; i < n; i++) {
        double mx = -INFINITY, s = 0;
        for (int k = 0; k < K; k++) {
            z[k] = b[k];
            for (size_t j = 0; j < d; j++) z[k] += X[i * d + j] * W[j * K + k];
            mx = fmax(mx, z[k]);
        }
        for (int k = 0; k < K; k++) s += exp(z[k] - mx);
        f += mx + log(s) - z[y[i]];
        for (int k = 0; k < K; k++) {
            p[k] = exp(z[k] - mx) / s - (k == y[i]);
            gb[k] += p[k] / n;
            for (size_t j = 0; j < d; j++) gW[j * K + k] += X[i * d + j] * p[k] / n;
        }
    }
    double w2 = 0;
    for (size_t j = 0; j < d * K; j++) { gW[j] += lam * W[j]; w2 += W[j] * W[j]; }
    return f / n + lam / 2 * w2;
}

static void test_optimality(void)
{
    /* overlapping Gaussian classes in 12-D, 4 classes, 300 points: not separable, so the
     * regularised optimum is interior; check ∇ = 0 with the naive gradient */
    size_t n = 300, d = 12;
    int K = 4;
    clnscl_rng r;
    clnscl_rng_seed(&r, 8);
    double *X = malloc(n * d * sizeof *X), *S = malloc(n * d * sizeof *S);
    int32_t *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        y[i] = (int32_t)clnscl_rng_below(&r, K);
        for (size_t j = 0; j < d; j++)
            X[i * d + j] = 5.0 + 2.0 * j + (j % 4 == (size_t)y[i] ? 0.8 : 0.0) +
                           (1.0 + 0.2 * j) * clnscl_rng_normal(&r);
    }
    clnscl_probe_config c;
    clnscl_probe_defaults(&c);
    c.iters = 300;
    c.tol = 1e-10;
    c.weight_decay = 1e-3;
    double W[12 * 4], b[4], f, acc, acc2, W2[12 * 4];
    CHECK_STATUS(clnscl_probe_linear(&c, X, y, n, X, y, n, d, K, &acc, W, b, &f), CLNSCL_OK);
    /* W lives in the standardized space: rebuild the standardized features independently */
    for (size_t j = 0; j < d; j++) {
        double m = 0, v = 0;
        for (size_t i = 0; i < n; i++) m += X[i * d + j];
        m /= n;
        for (size_t i = 0; i < n; i++) v += (X[i * d + j] - m) * (X[i * d + j] - m);
        double sd = sqrt(v / n);
        for (size_t i = 0; i < n; i++) S[i * d + j] = (X[i * d + j] - m) / sd;
    }
    double gW[12 * 4], gb[4];
    double fn = naive_fg(S, y, n, d, K, c.weight_decay, W, b, gW, gb);
    CHECK_CLOSE(fn, f, 1e-10, 0);
    double gmax = 0;
    for (size_t j = 0; j < d * K; j++) gmax = fmax(gmax, fabs(gW[j]));
    for (int k = 0; k < K; k++) gmax = fmax(gmax, fabs(gb[k]));
    CHECK_MSG(gmax < 1e-7, "gradient at the returned optimum %g", gmax);
    /* accuracy recomputed by hand from W, b */
    size_t correct = 0;
    for (size_t i = 0; i < n; i++) {
        int best = 0;
        double zb = -INFINITY;
        for (int k = 0; k < K; k++) {
            double z = b[k];
            for (size_t j = 0; j < d; j++) z += S[i * d + j] * W[j * K + k];
            if (z > zb) { zb = z; best = k; }
        }
        correct += best == y[i];
    }
    CHECK_CLOSE(acc, (double)correct / n, 0, 1e-12);
    CHECK(acc > 0.4 && acc < 1.0);   /* informative but not separable */
    /* deterministic: bitwise the same second time */
    CHECK_STATUS(clnscl_probe_linear(&c, X, y, n, X, y, n, d, K, &acc2, W2, NULL, NULL),
                 CLNSCL_OK);
    CHECK(acc2 == acc && memcmp(W, W2, sizeof W) == 0);
    /* a constant feature column is harmless (centred, not scaled) */
    for (size_t i = 0; i < n; i++) X[i * d + 3] = 7.0;
    CHECK_STATUS(clnscl_probe_linear(&c, X, y, n, X, y, n, d, K, &acc2, NULL, NULL, &f),
                 CLNSCL_OK);
    CHECK(isfinite(f) && acc2 > 0.25);
    /* bad configuration / input */
    c.weight_decay = -1;
    CHECK_STATUS(clnscl_probe_linear(&c, X, y, n, X, y, n, d, K, &acc2, NULL, NULL, NULL),
                 CLNSCL_EINVAL);
    clnscl_probe_defaults(&c);
    X[7] = INFINITY;
    CHECK_STATUS(clnscl_probe_linear(&c, X, y, n, X, y, n, d, K, &acc2, NULL, NULL, NULL),
                 CLNSCL_ENONFINITE);
    free(X); free(S); free(y);
}

int main(void)
{
    clnscl_gsl_quiet();
    test_ncc();
    test_closed_form();
    test_optimality();
    return check_report();
}
