/* core/metrics_cka.c — CKA variants computed from feature matrices
 * (THEORY.md §4.6 Corollary 1 definition and §6.4 "CKA (code)"; EDGE_CASES.md K1–K4).
 *
 * Linear CKA is evaluated in feature space: with column-centred Xc, Yc,
 *   tr(KcLc) = ‖XcᵀYc‖²_F,  ‖Kc‖_F = ‖XcᵀXc‖_F,
 * so no n × n matrix is formed unless a feature count exceeds n.
 */
#include "clnscl/alloc.h"
#include "clnscl/hot.h"
#include "clnscl/metrics.h"
#include "clnscl/status.h"
#include "metrics_internal.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int metrics_check_args(const double *X, size_t n, size_t dx, const double *Y, size_t dy, size_t nmin,
                       const char *metric)
{
    if (!X || !Y) return clnscl_fail(CLNSCL_EINVAL, "null feature matrix");
    if (dx == 0 || dy == 0) return clnscl_fail(CLNSCL_ESHAPE, "%s: a feature matrix has no columns", metric);
    if (n < nmin) return clnscl_fail(CLNSCL_EINVAL, "%s needs n >= %zu samples (got %zu)", metric, nmin, n);
    if (n > (size_t)1 << 31 || dx > ((size_t)1 << 40) / n || dy > ((size_t)1 << 40) / n)
        return clnscl_fail(CLNSCL_ENOMEM, "%s: %zu x %zu / %zu x %zu is too large", metric, n, dx, n, dy);
    return CLNSCL_OK;
}

/* Column sums of X (n × d) compensated with Knuth's branch-free TwoSum (the exact rounding
 * error of every addition goes into comp), so the mean is accurate to about one rounding
 * even for large offsets (EDGE_CASES K2); varies[j] != 0 once column j differs from its
 * first entry. Element-wise over j: every lane sums in row order. */
CLNSCL_HOT static void center_sums(const double *X, size_t n, size_t d, double *sum, double *comp, uint64_t *varies)
{
    for (size_t i = 0; i < n; i++) {
        const double *x = X + i * d;
        for (size_t j = 0; j < d; j++) {
            const double s = sum[j], v = x[j], t = s + v, bp = t - s;
            comp[j] += (s - (t - bp)) + (v - bp);
            sum[j] = t;
            varies[j] |= (uint64_t)(v != X[j]);
        }
    }
}

/* Y = X − 1 meanᵀ (Y with row stride ldy); amax[j] = max_i |Y_ij| (finite input: max is exact
 * in any order). */
CLNSCL_HOT static void center_subtract(const double *X, size_t n, size_t d, const double *mean, double *Y,
                                       size_t ldy, double *amax)
{
    for (size_t i = 0; i < n; i++) {
        const double *x = X + i * d;
        double *y = Y + i * ldy;
        for (size_t j = 0; j < d; j++) {
            const double v = x[j] - mean[j], a = fabs(v);
            y[j] = v;
            amax[j] = a > amax[j] ? a : amax[j];
        }
    }
}

/* metrics_center_copy into the columns of c (n rows, row stride ldc) */
static int center_into(const double *X, size_t n, size_t d, const char *what, double *c, size_t ldc, int *all_const)
{
    double *w = malloc(3 * d * sizeof *w);
    uint64_t *varies = calloc(d, sizeof *varies);
    if (!w || !varies) {
        free(w);
        free(varies);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory (%zu x %zu)", n, d);
    }
    double *mean = w, *comp = w + d, *sum = w + 2 * d;
    int st = CLNSCL_OK;
    for (size_t j = 0; j < d; j++) sum[j] = comp[j] = 0.0;
    /* pass 1: compensated column sums and constant-column flags */
    center_sums(X, n, d, sum, comp, varies);
    for (size_t j = 0; j < d && !st; j++)
        if (!isfinite(sum[j]) || !isfinite(comp[j])) { /* a NaN/Inf, or finite values whose sum overflows */
            st = clnscl_fail(CLNSCL_ENONFINITE, "%s: values too large to centre (overflow)", what);
            for (size_t i = 0; i < n; i++)
                if (!isfinite(X[i * d + j])) {
                    st = clnscl_fail(CLNSCL_ENONFINITE, "%s has NaN/Inf at row %zu, column %zu", what, i, j);
                    break;
                }
        }
    if (st) {
        free(w);
        free(varies);
        return st;
    }
    /* a constant column centres to exactly 0 (its mean is taken as the constant itself) */
    for (size_t j = 0; j < d; j++) mean[j] = varies[j] ? (sum[j] + comp[j]) / (double)n : X[j];
    /* pass 2: subtract the mean, track the largest magnitude (comp is reused for it) */
    double *colmax = comp, amax = 0.0;
    for (size_t j = 0; j < d; j++) colmax[j] = 0.0;
    center_subtract(X, n, d, mean, c, ldc, colmax);
    for (size_t j = 0; j < d; j++) amax = colmax[j] > amax ? colmax[j] : amax;
    if (!isfinite(amax)) {
        free(w);
        free(varies);
        return clnscl_fail(CLNSCL_ENONFINITE, "%s: values too large to centre (overflow)", what);
    }
    int all = 1;
    for (size_t j = 0; j < d; j++) all &= !varies[j];
    /* exact power-of-two rescaling, only where fourth powers could leave the double range */
    if (amax > 0.0 && (amax < 0x1p-200 || amax > 0x1p200)) {
        int e;
        frexp(amax, &e);
        double sc = ldexp(1.0, -e);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++) c[i * ldc + j] *= sc;
    }
    free(w);
    free(varies);
    *all_const = all;
    return CLNSCL_OK;
}

int metrics_center_copy(const double *X, size_t n, size_t d, const char *what, double **Xc, int *all_const)
{
    double *c = clnscl_alloc_big(n * d * sizeof *c);
    if (!c) return clnscl_fail(CLNSCL_ENOMEM, "out of memory (%zu x %zu)", n, d);
    int st = center_into(X, n, d, what, c, d, all_const);
    if (st) {
        free(c);
        return st;
    }
    *Xc = c;
    return CLNSCL_OK;
}

double clnscl_norm2(const double *x, size_t d)
{
    double amax = 0.0;
    for (size_t j = 0; j < d; j++)
        if (fabs(x[j]) > amax) amax = fabs(x[j]);
    if (amax == 0.0 || !isfinite(amax)) return amax;
    double ss = 0.0;
    for (size_t j = 0; j < d; j++) {
        double v = x[j] / amax;
        ss += v * v;
    }
    return amax * sqrt(ss);
}

int clnscl_normalize_rows(const double *X, size_t n, size_t d, const char *what, double *out)
{
    for (size_t i = 0; i < n; i++) {
        const double *x = X + i * d;
        double *o = out + i * d;
        double amax = 0.0;
        for (size_t j = 0; j < d; j++) {
            if (!isfinite(x[j])) return clnscl_fail(CLNSCL_ENONFINITE, "%s has NaN/Inf at row %zu, column %zu", what, i, j);
            if (fabs(x[j]) > amax) amax = fabs(x[j]);
        }
        if (amax == 0.0) return clnscl_fail(CLNSCL_EDEGENERATE, "%s row %zu is all zeros (cosine undefined)", what, i);
        double ss = 0.0;
        for (size_t j = 0; j < d; j++) {
            double v = x[j] / amax;
            ss += v * v;
        }
        double inv = 1.0 / (amax * sqrt(ss));
        if (!isfinite(inv) || inv < DBL_MIN) { /* 1/‖x‖ overflows or is subnormal: scale in two steps */
            double r = 1.0 / sqrt(ss);
            for (size_t j = 0; j < d; j++) o[j] = (x[j] / amax) * r;
        } else {
            for (size_t j = 0; j < d; j++) o[j] = x[j] * inv;
        }
    }
    return CLNSCL_OK;
}

int metrics_normalize_rows(const double *X, size_t n, size_t d, const char *what, double **Xn)
{
    double *o = clnscl_alloc_big(n * d * sizeof *o);
    if (!o) return clnscl_fail(CLNSCL_ENOMEM, "out of memory (%zu x %zu)", n, d);
    int st = clnscl_normalize_rows(X, n, d, what, o);
    if (st) {
        free(o);
        return st;
    }
    *Xn = o;
    return CLNSCL_OK;
}

/* ‖AᵀA‖²_F for centred A (n × d): dsyrk on the smaller side (‖AᵀA‖_F = ‖AAᵀ‖_F). */
static int self_frob2(const double *A, size_t n, size_t d, double *out)
{
    size_t k = d <= n ? d : n;
    double *G = malloc(k * k * sizeof *G);
    if (!G) return clnscl_fail(CLNSCL_ENOMEM, "out of memory (%zu x %zu Gram matrix)", k, k);
    if (d <= n)
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)n, 1.0, A, (int)d, 0.0, G, (int)d);
    else
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)d, 1.0, A, (int)d, 0.0, G, (int)n);
    double diag = 0.0, off = 0.0;
    for (size_t i = 0; i < k; i++) {
        diag += G[i * k + i] * G[i * k + i];
        double r = 0.0;
        for (size_t j = i + 1; j < k; j++) r += G[i * k + j] * G[i * k + j];
        off += r;
    }
    free(G);
    *out = diag + 2.0 * off;
    return CLNSCL_OK;
}

/* ‖AᵀB‖²_F for centred A (n × da), B (n × db). Feature space when da·db ≤ n², otherwise
 * ⟨AAᵀ, BBᵀ⟩_F over n × n Gram matrices. */
static int cross_frob2(const double *A, size_t da, const double *B, size_t db, size_t n, double *out)
{
    if (da * db <= n * n) {
        double *C = malloc(da * db * sizeof *C);
        if (!C) return clnscl_fail(CLNSCL_ENOMEM, "out of memory (%zu x %zu cross product)", da, db);
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)da, (int)db, (int)n, 1.0, A, (int)da, B, (int)db,
                    0.0, C, (int)db);
        double s = 0.0;
        for (size_t i = 0; i < da; i++) {
            double r = 0.0;
            for (size_t j = 0; j < db; j++) r += C[i * db + j] * C[i * db + j];
            s += r;
        }
        free(C);
        *out = s;
        return CLNSCL_OK;
    }
    double *K = malloc(n * n * sizeof *K), *L = malloc(n * n * sizeof *L);
    if (!K || !L) {
        free(K);
        free(L);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory (two %zu x %zu Gram matrices)", n, n);
    }
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)da, 1.0, A, (int)da, 0.0, K, (int)n);
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)db, 1.0, B, (int)db, 0.0, L, (int)n);
    double diag = 0.0, off = 0.0;
    for (size_t i = 0; i < n; i++) {
        diag += K[i * n + i] * L[i * n + i];
        double r = 0.0;
        for (size_t j = i + 1; j < n; j++) r += K[i * n + j] * L[i * n + j];
        off += r;
    }
    free(K);
    free(L);
    *out = diag + 2.0 * off;
    return CLNSCL_OK;
}

/* Linear CKA with one dsyrk: Z = [Xc | Yc] (n × (dx+dy)), ZᵀZ holds XcᵀXc, XcᵀYc and YcᵀYc as
 * blocks of its upper triangle (one BLAS call is ~10 % faster than two dsyrk and a dgemm).
 * Used when dx + dy ≤ n. Returns ‖XcᵀYc‖², ‖XcᵀXc‖², ‖YcᵀYc‖². */
static int joint_frob2(const double *X, size_t n, size_t dx, const double *Y, size_t dy, const char *nx,
                       const char *ny, const char *metric, double *xy, double *xx, double *yy)
{
    const size_t k = dx + dy;
    double *Z = clnscl_alloc_big(n * k * sizeof *Z), *G = clnscl_alloc_big(k * k * sizeof *G);
    int cx = 0, cy = 0, st = CLNSCL_OK;
    if (!Z || !G) st = clnscl_fail(CLNSCL_ENOMEM, "out of memory (%zu x %zu)", n, k);
    if (!st) st = center_into(X, n, dx, nx, Z, k, &cx);
    if (!st) st = center_into(Y, n, dy, ny, Z + dx, k, &cy);
    if (!st && cx) st = clnscl_fail(CLNSCL_EDEGENERATE, "%s: every feature of %s is constant (%s undefined)", metric, nx, metric);
    if (!st && cy) st = clnscl_fail(CLNSCL_EDEGENERATE, "%s: every feature of %s is constant (%s undefined)", metric, ny, metric);
    if (!st) {
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)k, (int)n, 1.0, Z, (int)k, 0.0, G, (int)k);
        double dxx = 0, oxx = 0, dyy = 0, oyy = 0, sxy = 0;
        for (size_t i = 0; i < dx; i++) {
            const double *g = G + i * k;
            dxx += g[i] * g[i];
            double r = 0.0, c = 0.0;
            for (size_t j = i + 1; j < dx; j++) r += g[j] * g[j];
            for (size_t j = dx; j < k; j++) c += g[j] * g[j];
            oxx += r;
            sxy += c;
        }
        for (size_t i = dx; i < k; i++) {
            const double *g = G + i * k;
            dyy += g[i] * g[i];
            double r = 0.0;
            for (size_t j = i + 1; j < k; j++) r += g[j] * g[j];
            oyy += r;
        }
        *xy = sxy;
        *xx = dxx + 2.0 * oxx;
        *yy = dyy + 2.0 * oyy;
    }
    free(Z);
    free(G);
    return st;
}

/* Linear CKA of already-prepared (finite) X, Y: centre, then the feature-space traces. */
static int cka_linear_prepared(const double *X, size_t n, size_t dx, const double *Y, size_t dy, const char *nx,
                               const char *ny, const char *metric, double *out)
{
    double xy = 0, xx = 0, yy = 0;
    int st;
    if (dx + dy <= n) {
        st = joint_frob2(X, n, dx, Y, dy, nx, ny, metric, &xy, &xx, &yy);
    } else {
        double *Xc = NULL, *Yc = NULL;
        int cx, cy;
        st = metrics_center_copy(X, n, dx, nx, &Xc, &cx);
        if (!st) st = metrics_center_copy(Y, n, dy, ny, &Yc, &cy);
        if (!st && cx) st = clnscl_fail(CLNSCL_EDEGENERATE, "%s: every feature of %s is constant (%s undefined)", metric, nx, metric);
        if (!st && cy) st = clnscl_fail(CLNSCL_EDEGENERATE, "%s: every feature of %s is constant (%s undefined)", metric, ny, metric);
        if (!st) st = cross_frob2(Xc, dx, Yc, dy, n, &xy);
        if (!st) st = self_frob2(Xc, n, dx, &xx);
        if (!st) st = self_frob2(Yc, n, dy, &yy);
        free(Xc);
        free(Yc);
    }
    if (st) return st;
    if (xx == 0.0 || yy == 0.0)
        return clnscl_fail(CLNSCL_EDEGENERATE, "%s: centred features have zero norm (%s undefined)", metric, metric);
    *out = xy / (sqrt(xx) * sqrt(yy));
    return CLNSCL_OK;
}

/* §6.4: CKA = ‖XcᵀYc‖²_F / (‖XcᵀXc‖_F ‖YcᵀYc‖_F). */
int clnscl_cka_linear(const double *X, size_t n, size_t dx, const double *Y, size_t dy, double *out)
{
    int st = metrics_check_args(X, n, dx, Y, dy, 2, "cka");
    if (st) return st;
    return cka_linear_prepared(X, n, dx, Y, dy, "X", "Y", "cka", out);
}

/* §4.6: ⟨HΣ_XH, HΣ_YH⟩/(‖HΣ_XH‖‖HΣ_YH‖) with Σ_X = X̂X̂ᵀ (rows l2-normalised)
 * = linear CKA of the row-normalised features. */
int clnscl_cka_cosine(const double *X, size_t n, size_t dx, const double *Y, size_t dy, double *out)
{
    int st = metrics_check_args(X, n, dx, Y, dy, 2, "cka-cosine");
    if (st) return st;
    double *Xn = NULL, *Yn = NULL;
    st = metrics_normalize_rows(X, n, dx, "X", &Xn);
    if (!st) st = metrics_normalize_rows(Y, n, dy, "Y", &Yn);
    if (!st) st = cka_linear_prepared(Xn, n, dx, Yn, dy, "X (row-normalised)", "Y (row-normalised)", "cka-cosine", out);
    free(Xn);
    free(Yn);
    return st;
}

/* Unbiased HSIC (Song et al. 2012, Eq. 5) for the linear kernels K = AAᵀ, L = BBᵀ,
 * from feature-space quantities: with K̃, L̃ = K, L with zero diagonal,
 *   HSIC_u = [tr(K̃L̃) + 1ᵀK̃1·1ᵀL̃1/((n−1)(n−2)) − 2/(n−2)·1ᵀK̃L̃1] / (n(n−3)),
 *   tr(K̃L̃) = ‖AᵀB‖² − Σ_i K_ii L_ii,  (K̃1)_i = a_i·(Σ_k a_k) − K_ii.
 * The estimator is invariant to translating the features, so centred A, B are used. */
static int hsic_unbiased(const double *A, size_t da, const double *B, size_t db, size_t n, double *out)
{
    double tr;
    int st = (A == B) ? self_frob2(A, n, da, &tr) : cross_frob2(A, da, B, db, n, &tr);
    if (st) return st;
    double *sa = calloc(da + db, sizeof *sa), *sb = sa + da;
    if (!sa) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < da; j++) sa[j] += A[i * da + j];
        for (size_t j = 0; j < db; j++) sb[j] += B[i * db + j];
    }
    double dkl = 0, sk = 0, sl = 0, kl1 = 0;
    for (size_t i = 0; i < n; i++) {
        const double *a = A + i * da, *b = B + i * db;
        double kii = 0, lii = 0, ka = 0, lb = 0;
        for (size_t j = 0; j < da; j++) {
            kii += a[j] * a[j];
            ka += a[j] * sa[j];
        }
        for (size_t j = 0; j < db; j++) {
            lii += b[j] * b[j];
            lb += b[j] * sb[j];
        }
        dkl += kii * lii;
        sk += ka - kii; /* (K̃1)_i summed = 1ᵀK̃1 */
        sl += lb - lii;
        kl1 += (ka - kii) * (lb - lii);
    }
    free(sa);
    double nn = (double)n;
    *out = ((tr - dkl) + sk * sl / ((nn - 1) * (nn - 2)) - 2.0 / (nn - 2) * kl1) / (nn * (nn - 3));
    return CLNSCL_OK;
}

int clnscl_cka_debiased(const double *X, size_t n, size_t dx, const double *Y, size_t dy, double *out)
{
    int st = metrics_check_args(X, n, dx, Y, dy, 4, "cka-debiased");
    if (st) return st;
    double *Xc = NULL, *Yc = NULL;
    int cx, cy;
    st = metrics_center_copy(X, n, dx, "X", &Xc, &cx);
    if (!st) st = metrics_center_copy(Y, n, dy, "Y", &Yc, &cy);
    if (!st && cx) st = clnscl_fail(CLNSCL_EDEGENERATE, "cka-debiased: every feature of X is constant (CKA undefined)");
    if (!st && cy) st = clnscl_fail(CLNSCL_EDEGENERATE, "cka-debiased: every feature of Y is constant (CKA undefined)");
    double xy = 0, xx = 0, yy = 0;
    if (!st) st = hsic_unbiased(Xc, dx, Yc, dy, n, &xy);
    if (!st) st = hsic_unbiased(Xc, dx, Xc, dx, n, &xx);
    if (!st) st = hsic_unbiased(Yc, dy, Yc, dy, n, &yy);
    free(Xc);
    free(Yc);
    if (st) return st;
    if (!(xx > 0.0) || !(yy > 0.0))
        return clnscl_fail(CLNSCL_EDEGENERATE,
                           "cka-debiased: the unbiased HSIC of %s with itself is not positive (debiased CKA undefined)",
                           xx > 0.0 ? "Y" : "X");
    *out = xy / (sqrt(xx) * sqrt(yy));
    return CLNSCL_OK;
}
