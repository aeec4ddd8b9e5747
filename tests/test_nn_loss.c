/* tests/test_nn_loss.c — losses (train/loss.c) and optimizers (train/optim.c) against
 * closed forms (EDGE_CASES.md L1–L5), finite differences, and an independent PyTorch
 * implementation (tests/fixtures/gen_nn.py → tests/fixtures/nn/). */
#include "check.h"
#include "clnscl/io.h"
#include "clnscl/loss.h"
#include "clnscl/optim.h"
#include "clnscl/status.h"

#include <stdint.h>
#include <string.h>

#define FIX CLNSCL_FIXTURES "/nn/"

static double loss_of(clnscl_loss_kind k, clnscl_loss_form f, double tau, const double *z,
                      size_t B, size_t d, const int32_t *y, int *st)
{
    double l = NAN;
    *st = clnscl_loss_contrastive(k, f, tau, z, B, d, y, &l, NULL);
    return l;
}

/* L1: z = [[1,0],[1,0],[0,1],[0,1]] as 2 samples × 2 views; in clnscl's layout
 * (rows 0..B−1 view 1, B..2B−1 view 2) that is z = [[1,0],[0,1],[1,0],[0,1]]. */
static void test_l1(void)
{
    const double z[] = {1, 0, 0, 1, 1, 0, 0, 1};
    const int32_t y[] = {0, 1};
    int st;
    CHECK_CLOSE(loss_of(CLNSCL_LOSS_CL, CLNSCL_FORM_CODE, 0.5, z, 2, 2, y, &st), 0.2395447662218845, 1e-14, 0);
    CHECK_CLOSE(loss_of(CLNSCL_LOSS_CL, CLNSCL_FORM_PAPER, 0.5, z, 2, 2, y, &st), -1.3068528194400548, 1e-14, 0);
    /* L4: small temperature, max over the unmasked set only */
    CHECK_CLOSE(loss_of(CLNSCL_LOSS_CL, CLNSCL_FORM_CODE, 0.005, z, 2, 2, y, &st), 2.7677930534734e-87, 1e-10, 0);
    CHECK_CLOSE(loss_of(CLNSCL_LOSS_CL, CLNSCL_FORM_PAPER, 0.005, z, 2, 2, y, &st), -199.30685281944005, 1e-13, 0);
    /* with distinct labels NSCL's denominator is CL's: same values */
    CHECK_CLOSE(loss_of(CLNSCL_LOSS_NSCL, CLNSCL_FORM_CODE, 0.5, z, 2, 2, y, &st), 0.2395447662218845, 1e-14, 0);
    CHECK_CLOSE(loss_of(CLNSCL_LOSS_NSCL, CLNSCL_FORM_PAPER, 0.5, z, 2, 2, y, &st), -1.3068528194400548, 1e-14, 0);
    /* the "twice" variant (positive counted twice) is log(1+... ) = 0.8200751916029179: not ours */
    CHECK(fabs(loss_of(CLNSCL_LOSS_CL, CLNSCL_FORM_CODE, 0.5, z, 2, 2, y, &st) - 0.8200751916029179) > 0.5);
    /* scaling a row does not change anything (cosine computed inside) */
    const double z3[] = {3, 0, 0, 0.2, 7, 0, 0, 1e-3};
    CHECK_CLOSE(loss_of(CLNSCL_LOSS_CL, CLNSCL_FORM_CODE, 0.5, z3, 2, 2, y, &st), 0.2395447662218845, 1e-14, 0);
    /* ... even where the squares of the entries overflow (1e300) or the rows hold the largest
     * doubles; rows whose norm is below 1e-12 are divided by 1e-12 instead (L5, PyTorch's
     * F.normalize): such rows are ~0 and every similarity with them is ~0 */
    const double zb[] = {3e300, 0, 0, 2e300, 1.7e308, 0, 0, 1e300};
    CHECK_CLOSE(loss_of(CLNSCL_LOSS_CL, CLNSCL_FORM_CODE, 0.5, zb, 2, 2, y, &st), 0.2395447662218845, 1e-14, 0);
    CHECK_STATUS(st, CLNSCL_OK);
    double gb[8], l0;
    CHECK_STATUS(clnscl_loss_contrastive(CLNSCL_LOSS_CL, CLNSCL_FORM_CODE, 0.5, zb, 2, 2, y, &l0, gb), CLNSCL_OK);
    for (int i = 0; i < 8; i++) CHECK(isfinite(gb[i]));
    const double zt[] = {1e-300, 0, 0, 1e-300, 1e-300, 0, 0, 1e-300};
    CHECK_CLOSE(loss_of(CLNSCL_LOSS_CL, CLNSCL_FORM_CODE, 0.5, zt, 2, 2, y, &st), log(3.0), 1e-14, 0);
    /* τ ≤ 0, NaN τ */
    double l;
    CHECK_STATUS(clnscl_loss_contrastive(CLNSCL_LOSS_CL, CLNSCL_FORM_CODE, 0.0, z, 2, 2, y, &l, NULL), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_loss_contrastive(CLNSCL_LOSS_CL, CLNSCL_FORM_CODE, -1.0, z, 2, 2, y, &l, NULL), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_loss_contrastive(CLNSCL_LOSS_CL, CLNSCL_FORM_CODE, NAN, z, 2, 2, y, &l, NULL), CLNSCL_EINVAL);
    double zn[8];
    memcpy(zn, z, sizeof zn);
    zn[5] = NAN;
    CHECK_STATUS(clnscl_loss_contrastive(CLNSCL_LOSS_CL, CLNSCL_FORM_CODE, 0.5, zn, 2, 2, y, &l, NULL), CLNSCL_ENONFINITE);
}

/* L2: collinear rows; L3: no negatives */
static void test_l2_l3(void)
{
    const size_t B = 3, d = 4;
    double z[24];
    for (size_t a = 0; a < 2 * B; a++)
        for (size_t j = 0; j < d; j++) z[a * d + j] = (double)(j + 1) * (1.0 + 0.5 * a);
    const int32_t y[] = {0, 0, 1};
    int st;
    CHECK_CLOSE(loss_of(CLNSCL_LOSS_CL, CLNSCL_FORM_CODE, 0.3, z, B, d, y, &st), log(2.0 * B - 1), 1e-13, 0);
    CHECK_CLOSE(loss_of(CLNSCL_LOSS_CL, CLNSCL_FORM_PAPER, 0.3, z, B, d, y, &st), log(2.0 * B - 2), 1e-13, 0);
    /* label 0 anchors (4 of 6) see 2 other-class views, label 1 anchors (2) see 4 */
    CHECK_CLOSE(loss_of(CLNSCL_LOSS_NSCL, CLNSCL_FORM_CODE, 0.3, z, B, d, y, &st),
                (4 * log(3.0) + 2 * log(5.0)) / 6, 1e-13, 0);
    CHECK_CLOSE(loss_of(CLNSCL_LOSS_NSCL, CLNSCL_FORM_PAPER, 0.3, z, B, d, y, &st),
                (4 * log(2.0) + 2 * log(4.0)) / 6, 1e-13, 0);
    /* L3: all labels equal */
    const int32_t same[] = {4, 4, 4};
    double l = -1, g[24];
    CHECK_STATUS(clnscl_loss_contrastive(CLNSCL_LOSS_NSCL, CLNSCL_FORM_CODE, 0.3, z, B, d, same, &l, g), CLNSCL_OK);
    CHECK(l == 0.0);
    int allzero = 1;
    for (int i = 0; i < 24; i++) allzero &= g[i] == 0.0;
    CHECK(allzero);
    clnscl_loss_contrastive(CLNSCL_LOSS_NSCL, CLNSCL_FORM_CODE, 0.3, z, B, d, same, &l, g);
    CHECK_STATUS(clnscl_loss_contrastive(CLNSCL_LOSS_NSCL, CLNSCL_FORM_PAPER, 0.3, z, B, d, same, &l, g), CLNSCL_EDEGENERATE);
    CHECK(strstr(clnscl_last_error(), "no negatives") != NULL);
    /* paper CL with one sample: empty denominator; code CL with one sample: 0 */
    CHECK_STATUS(clnscl_loss_contrastive(CLNSCL_LOSS_CL, CLNSCL_FORM_PAPER, 0.3, z, 1, d, NULL, &l, NULL), CLNSCL_EDEGENERATE);
    CHECK_STATUS(clnscl_loss_contrastive(CLNSCL_LOSS_CL, CLNSCL_FORM_CODE, 0.3, z, 1, d, NULL, &l, NULL), CLNSCL_OK);
    CHECK(l == 0.0);
    /* NSCL / SCL need labels */
    CHECK_STATUS(clnscl_loss_contrastive(CLNSCL_LOSS_SCL, CLNSCL_FORM_CODE, 0.3, z, B, d, NULL, &l, NULL), CLNSCL_EINVAL);
}

/* SCL convention: every anchor has its other view as a positive, so with all-distinct
 * labels SCL is exactly code-form CL; with one class it is the mean over all same-label views. */
static void test_scl_convention(void)
{
    const size_t B = 5, d = 3;
    double z[30];
    for (size_t i = 0; i < 2 * B * d; i++) z[i] = sin(1.7 * i + 0.3) + 0.2 * cos(5.1 * i);
    const int32_t y[] = {0, 1, 2, 3, 4};
    int st;
    double scl = loss_of(CLNSCL_LOSS_SCL, CLNSCL_FORM_CODE, 0.2, z, B, d, y, &st);
    double cl = loss_of(CLNSCL_LOSS_CL, CLNSCL_FORM_CODE, 0.2, z, B, d, y, &st);
    CHECK_CLOSE(scl, cl, 1e-14, 0);
    /* L5: a zero row keeps loss and gradient finite */
    memset(z + 2 * d, 0, d * sizeof(double));
    double l, g[30];
    const int32_t y2[] = {0, 1, 0, 1, 0};
    for (int k = 0; k < 3; k++) {
        clnscl_loss_kind kind = (clnscl_loss_kind)k;
        CHECK_STATUS(clnscl_loss_contrastive(kind, CLNSCL_FORM_CODE, 0.2, z, B, d, y2, &l, g), CLNSCL_OK);
        int fin = isfinite(l);
        for (int i = 0; i < 30; i++) fin &= isfinite(g[i]);
        CHECK(fin);
    }
}

/* gradient vs central finite differences in double */
static void test_fd(void)
{
    const size_t B = 4, d = 3;
    double z[24], g[24];
    for (size_t i = 0; i < 24; i++) z[i] = cos(0.9 * i + 0.1) + 0.3;
    const int32_t y[] = {0, 1, 0, 2};
    for (int k = 0; k < 3; k++)
        for (int f = 0; f < 2; f++) {
            if (k == 2 && f == 1) continue;
            double l;
            clnscl_loss_contrastive((clnscl_loss_kind)k, (clnscl_loss_form)f, 0.25, z, B, d, y, &l, g);
            double maxerr = 0;
            for (size_t i = 0; i < 24; i++) {
                const double h = 1e-5, z0 = z[i];
                double lp, lm;
                z[i] = z0 + h;
                clnscl_loss_contrastive((clnscl_loss_kind)k, (clnscl_loss_form)f, 0.25, z, B, d, y, &lp, NULL);
                z[i] = z0 - h;
                clnscl_loss_contrastive((clnscl_loss_kind)k, (clnscl_loss_form)f, 0.25, z, B, d, y, &lm, NULL);
                z[i] = z0;
                maxerr = fmax(maxerr, fabs((lp - lm) / (2 * h) - g[i]));
            }
            CHECK_MSG(maxerr < 1e-8, "loss %d form %d: max FD error %g", k, f, maxerr);
        }
    /* CE */
    double lg[16], dl[16], l;
    for (int i = 0; i < 16; i++) lg[i] = sin(2.3 * i);
    const int32_t yc[] = {1, 3, 0, 2};
    CHECK_STATUS(clnscl_loss_ce(lg, 2, 4, yc, &l, dl), CLNSCL_OK);
    double maxerr = 0;
    for (int i = 0; i < 16; i++) {
        const double h = 1e-5, v = lg[i];
        double lp, lm;
        lg[i] = v + h; clnscl_loss_ce(lg, 2, 4, yc, &lp, NULL);
        lg[i] = v - h; clnscl_loss_ce(lg, 2, 4, yc, &lm, NULL);
        lg[i] = v;
        maxerr = fmax(maxerr, fabs((lp - lm) / (2 * h) - dl[i]));
    }
    CHECK(maxerr < 1e-8);
    const int32_t bad[] = {1, 4};
    CHECK_STATUS(clnscl_loss_ce(lg, 2, 4, bad, &l, NULL), CLNSCL_EINVAL);
}

static int read_fix(const char *name, clnscl_mat *m)
{
    char path[512];
    snprintf(path, sizeof path, FIX "%s", name);
    int st = clnscl_npy_read(path, m);
    CHECK_MSG(st == CLNSCL_OK, "cannot read %s: %s", path, clnscl_last_error());
    return st;
}

/* against the PyTorch reference (gen_nn.py) */
static void test_torch(void)
{
    clnscl_mat z1 = {0}, z2 = {0}, lab = {0};
    if (read_fix("loss_z1.npy", &z1) || read_fix("loss_z2.npy", &z2) || read_fix("loss_labels.npy", &lab))
        return;
    const size_t B = z1.rows, d = z1.cols;
    double *z = malloc(2 * B * d * sizeof(double)), *g = malloc(2 * B * d * sizeof(double));
    float *zf = malloc(2 * B * d * sizeof(float)), *gf = malloc(2 * B * d * sizeof(float));
    int32_t *y = malloc(B * sizeof(int32_t));
    memcpy(z, z1.data, B * d * sizeof(double));
    memcpy(z + B * d, z2.data, B * d * sizeof(double));
    for (size_t i = 0; i < 2 * B * d; i++) zf[i] = (float)z[i];
    for (size_t i = 0; i < B; i++) y[i] = (int32_t)lab.data[i];
    const char *names[] = {"cl_code", "cl_paper", "nscl_code", "nscl_paper", "scl_code"};
    const clnscl_loss_kind kinds[] = {CLNSCL_LOSS_CL, CLNSCL_LOSS_CL, CLNSCL_LOSS_NSCL, CLNSCL_LOSS_NSCL, CLNSCL_LOSS_SCL};
    const clnscl_loss_form forms[] = {CLNSCL_FORM_CODE, CLNSCL_FORM_PAPER, CLNSCL_FORM_CODE, CLNSCL_FORM_PAPER, CLNSCL_FORM_CODE};
    const double taus[] = {0.5, 0.1};
    for (int t = 0; t < 2; t++)
        for (int c = 0; c < 5; c++) {
            char f[96];
            snprintf(f, sizeof f, "loss_%s_t%g.npy", names[c], taus[t]);
            clnscl_mat e = {0};
            if (read_fix(f, &e)) continue;
            double l;
            CHECK_STATUS(clnscl_loss_contrastive(kinds[c], forms[c], taus[t], z, B, d, y, &l, g), CLNSCL_OK);
            CHECK_CLOSE(l, e.data[0], 1e-12, 0);
            double maxerr = 0;
            for (size_t i = 0; i < 2 * B * d; i++) maxerr = fmax(maxerr, fabs(g[i] - e.data[1 + i]));
            CHECK_MSG(maxerr < 1e-12, "%s: max gradient error %g", f, maxerr);
            /* float entry point: same up to float rounding of the inputs */
            double lf;
            CHECK_STATUS(clnscl_loss_contrastive_f(kinds[c], forms[c], taus[t], zf, B, d, y, &lf, gf), CLNSCL_OK);
            CHECK_CLOSE(lf, e.data[0], 1e-5, 1e-6);
            maxerr = 0;
            for (size_t i = 0; i < 2 * B * d; i++) maxerr = fmax(maxerr, fabs(gf[i] - e.data[1 + i]));
            CHECK_MSG(maxerr < 1e-5, "%s (float): max gradient error %g", f, maxerr);
            clnscl_mat_free(&e);
        }
    clnscl_mat lg = {0}, ly = {0}, ce = {0};
    if (!read_fix("ce_logits.npy", &lg) && !read_fix("ce_labels.npy", &ly) && !read_fix("ce_expect.npy", &ce)) {
        const size_t Bc = ly.rows, C = lg.cols;
        int32_t yc[64];
        for (size_t i = 0; i < Bc; i++) yc[i] = (int32_t)ly.data[i];
        double l, *dl = malloc(2 * Bc * C * sizeof(double));
        CHECK_STATUS(clnscl_loss_ce(lg.data, Bc, C, yc, &l, dl), CLNSCL_OK);
        CHECK_CLOSE(l, ce.data[0], 1e-13, 0);
        double maxerr = 0;
        for (size_t i = 0; i < 2 * Bc * C; i++) maxerr = fmax(maxerr, fabs(dl[i] - ce.data[1 + i]));
        CHECK(maxerr < 1e-14);
        free(dl);
    }
    clnscl_mat_free(&lg); clnscl_mat_free(&ly); clnscl_mat_free(&ce);
    clnscl_mat_free(&z1); clnscl_mat_free(&z2); clnscl_mat_free(&lab);
    free(z); free(g); free(zf); free(gf); free(y);
}

/* SGD / LARS trajectories vs torch on f(w) = Σ ½ c w² + d w, tensors W (3×4) and b (3) */
static void test_optim(void)
{
    clnscl_mat init = {0}, c = {0}, dd = {0}, lr = {0};
    if (read_fix("optim_init.npy", &init) || read_fix("optim_c.npy", &c) || read_fix("optim_d.npy", &dd) ||
        read_fix("optim_lr.npy", &lr))
        return;
    clnscl_tensor T[2] = {{"W", 0, 12, CLNSCL_TENSOR_WEIGHT, 0}, {"b", 12, 3, CLNSCL_TENSOR_BIAS, 0}};
    for (int k = 0; k < 2; k++) {
        clnscl_mat traj = {0};
        if (read_fix(k ? "optim_lars_traj.npy" : "optim_sgd_traj.npy", &traj)) continue;
        clnscl_optim_config cfg = clnscl_optim_config_default();
        cfg.kind = k ? CLNSCL_OPT_LARS : CLNSCL_OPT_SGD;
        cfg.weight_decay = k ? 1e-6 : 1e-4;
        clnscl_optim *o;
        CHECK_STATUS(clnscl_optim_alloc(&o, &cfg, 15, T, 2), CLNSCL_OK);
        float w[15], g[15];
        for (int i = 0; i < 15; i++) w[i] = (float)init.data[i];
        double maxerr = 0;
        for (size_t t = 0; t < lr.rows; t++) {
            for (int i = 0; i < 15; i++) g[i] = (float)c.data[i] * w[i] + (float)dd.data[i];
            CHECK_STATUS(clnscl_optim_step(o, w, g, lr.data[t]), CLNSCL_OK);
            for (int i = 0; i < 15; i++) maxerr = fmax(maxerr, fabs(w[i] - traj.data[t * 15 + i]));
        }
        CHECK_MSG(maxerr < 2e-6, "%s trajectory: max error %g", k ? "lars" : "sgd", maxerr);
        /* the trajectory moved (the test can fail) */
        CHECK(fabs(w[0] - init.data[0]) > 1e-4);
        g[3] = NAN;
        CHECK_STATUS(clnscl_optim_step(o, w, g, 0.1), CLNSCL_ENONFINITE);
        CHECK_STATUS(clnscl_optim_step(o, w, g, -1.0), CLNSCL_EINVAL);
        clnscl_optim_free(o);
        clnscl_mat_free(&traj);
    }
    /* LARS trust ratio by hand: one step, no momentum history, no clipping, no decay:
     * m = q·g with q = 0.001‖w‖/‖g‖, so w₁ = w − lr·q·g */
    {
        clnscl_optim_config cfg = clnscl_optim_config_default();
        cfg.clip = 0; cfg.weight_decay = 0;
        clnscl_tensor T1 = {"W", 0, 2, CLNSCL_TENSOR_WEIGHT, 0};
        clnscl_optim *o;
        clnscl_optim_alloc(&o, &cfg, 2, &T1, 1);
        float w[2] = {3, 4}, g[2] = {0.6f, 0.8f}; /* ‖w‖ = 5, ‖g‖ = 1 → q = 0.005 */
        clnscl_optim_step(o, w, g, 2.0);
        CHECK_CLOSE(w[0], 3 - 2 * 0.005 * 0.6, 1e-6, 0);
        CHECK_CLOSE(w[1], 4 - 2 * 0.005 * 0.8, 1e-6, 0);
        clnscl_optim_free(o);
        /* bad configurations */
        cfg.momentum = 1.0;
        CHECK_STATUS(clnscl_optim_alloc(&o, &cfg, 2, &T1, 1), CLNSCL_EINVAL);
        cfg.momentum = 0.9;
        CHECK_STATUS(clnscl_optim_alloc(&o, &cfg, 3, &T1, 1), CLNSCL_EINVAL);
    }
    clnscl_mat_free(&init); clnscl_mat_free(&c); clnscl_mat_free(&dd); clnscl_mat_free(&lr);
}

int main(void)
{
    clnscl_gsl_quiet();
    test_l1();
    test_l2_l3();
    test_scl_convention();
    test_fd();
    test_torch();
    test_optim();
    return check_report();
}
