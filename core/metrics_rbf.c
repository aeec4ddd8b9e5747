/* core/metrics_rbf.c — RBF-kernel CKA (Kornblith et al. 2019) with bandwidth
 * σ = factor × median pairwise Euclidean distance (over pairs i < j, per matrix).
 *
 * K_ij = exp(−‖x_i − x_j‖² / (2σ²)). CKA = ⟨HKH, HLH⟩ / (‖HKH‖ ‖HLH‖), evaluated in
 * B × B tiles: pass 1 forms the row sums of K and L, pass 2 the centred entries
 * (K_ij − k_i − k_j + k̄) and their products. Memory: the n(n−1)/2 squared distances
 * of one matrix at a time (for the median) plus O(B²) tiles.
 */
#include "clnscl/metrics.h"
#include "clnscl/status.h"
#include "metrics_internal.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>

#define RBF_TILE 512

/* Squared distances of rows [i0,i1) × [j0,j1) of centred A (n × d) with squared
 * norms q into T (ld = j1 − j0), clamped at 0 (rounding), exact 0 on the diagonal. */
static void sqdist_tile(const double *A, const double *q, size_t d, size_t i0, size_t i1, size_t j0, size_t j1,
                        double *T)
{
    size_t bi = i1 - i0, bj = j1 - j0;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)bi, (int)bj, (int)d, -2.0, A + i0 * d, (int)d,
                A + j0 * d, (int)d, 0.0, T, (int)bj);
    for (size_t i = 0; i < bi; i++)
        for (size_t j = 0; j < bj; j++) {
            double v = T[i * bj + j] + q[i0 + i] + q[j0 + j];
            T[i * bj + j] = (i0 + i == j0 + j || v < 0.0) ? 0.0 : v;
        }
}

/* k-th smallest of a[0..m) (Hoare quickselect; reorders a). */
static double select_kth(double *a, size_t m, size_t k)
{
    size_t lo = 0, hi = m - 1;
    while (lo < hi) {
        double p = a[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < p) i++;
            while (a[j] > p) j--;
            if (i <= j) {
                double t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else return a[k];
    }
    return a[k];
}

/* Median pairwise distance of centred A; D is scratch of n(n−1)/2 doubles. */
static double median_distance(const double *A, const double *q, size_t n, size_t d, double *D, double *T)
{
    size_t m = 0;
    for (size_t i0 = 0; i0 < n; i0 += RBF_TILE) {
        size_t i1 = i0 + RBF_TILE < n ? i0 + RBF_TILE : n;
        for (size_t j0 = i0; j0 < n; j0 += RBF_TILE) {
            size_t j1 = j0 + RBF_TILE < n ? j0 + RBF_TILE : n;
            sqdist_tile(A, q, d, i0, i1, j0, j1, T);
            for (size_t i = i0; i < i1; i++)
                for (size_t j = (j0 > i + 1 ? j0 : i + 1); j < j1; j++) D[m++] = T[(i - i0) * (j1 - j0) + (j - j0)];
        }
    }
    /* numpy.median convention: mean of the two middle values when m is even */
    double hi = sqrt(select_kth(D, m, m / 2));
    if (m % 2) return hi;
    double lo = sqrt(select_kth(D, m / 2, m / 2 - 1)); /* after select, D[0..m/2) ≤ D[m/2] */
    return 0.5 * (lo + hi);
}

typedef struct {
    const double *A;
    double *q;
    size_t d;
    double g; /* −1/(2σ²) */
} rbf_side;

static void kernel_tile(const rbf_side *s, size_t i0, size_t i1, size_t j0, size_t j1, double *T)
{
    sqdist_tile(s->A, s->q, s->d, i0, i1, j0, j1, T);
    for (size_t k = 0; k < (i1 - i0) * (j1 - j0); k++) T[k] = exp(T[k] * s->g);
}

int clnscl_cka_rbf(const double *X, size_t n, size_t dx, const double *Y, size_t dy, double sigma_factor, double *out)
{
    int st = metrics_check_args(X, n, dx, Y, dy, 2, "cka-rbf");
    if (st) return st;
    if (!(sigma_factor > 0.0) || !isfinite(sigma_factor))
        return clnscl_fail(CLNSCL_EINVAL, "cka-rbf: --rbf-sigma must be a finite number > 0 (got %g)", sigma_factor);
    size_t m = n * (n - 1) / 2;
    double *Xc = NULL, *Yc = NULL;
    int cx, cy;
    st = metrics_center_copy(X, n, dx, "X", &Xc, &cx);
    if (!st) st = metrics_center_copy(Y, n, dy, "Y", &Yc, &cy);
    double *q = malloc(2 * n * sizeof *q), *D = malloc(m * sizeof *D);
    double *T = malloc(2 * RBF_TILE * RBF_TILE * sizeof *T), *rk = malloc(2 * n * sizeof *rk);
    if (!st && (!q || !D || !T || !rk)) st = clnscl_fail(CLNSCL_ENOMEM, "cka-rbf: out of memory (n = %zu)", n);
    if (st) goto done;
    rbf_side sx = {Xc, q, dx, 0}, sy = {Yc, q + n, dy, 0};
    for (size_t i = 0; i < n; i++) {
        double a = 0, b = 0;
        for (size_t j = 0; j < dx; j++) a += Xc[i * dx + j] * Xc[i * dx + j];
        for (size_t j = 0; j < dy; j++) b += Yc[i * dy + j] * Yc[i * dy + j];
        sx.q[i] = a;
        sy.q[i] = b;
    }
    rbf_side *sides[2] = {&sx, &sy};
    for (int s = 0; s < 2; s++) {
        double med = median_distance(sides[s]->A, sides[s]->q, n, sides[s]->d, D, T);
        if (!(med > 0.0)) {
            st = clnscl_fail(CLNSCL_EDEGENERATE, "cka-rbf: median pairwise distance of %s is 0 (bandwidth undefined)",
                             s ? "Y" : "X");
            goto done;
        }
        double sig = sigma_factor * med, two_s2 = 2.0 * sig * sig;
        if (!(two_s2 >= DBL_MIN) || !isfinite(two_s2)) { /* 2σ² underflows (g = −inf: 0·inf on the diagonal) or overflows */
            st = clnscl_fail(CLNSCL_EINVAL, "cka-rbf: bandwidth %g x median distance of %s (%g) = %g: 2 sigma^2 is "
                             "outside the double range; choose another --rbf-sigma", sigma_factor, s ? "Y" : "X", med, sig);
            goto done;
        }
        sides[s]->g = -1.0 / two_s2;
    }
    free(D);
    D = NULL;
    /* pass 1: row means of K and L (symmetric: tile (I,J) adds to rows of I and J) */
    double *kr = rk, *lr = rk + n, *TK = T, *TL = T + RBF_TILE * RBF_TILE;
    for (size_t i = 0; i < 2 * n; i++) rk[i] = 0.0;
    for (size_t i0 = 0; i0 < n; i0 += RBF_TILE) {
        size_t i1 = i0 + RBF_TILE < n ? i0 + RBF_TILE : n;
        for (size_t j0 = i0; j0 < n; j0 += RBF_TILE) {
            size_t j1 = j0 + RBF_TILE < n ? j0 + RBF_TILE : n, bj = j1 - j0;
            kernel_tile(&sx, i0, i1, j0, j1, TK);
            kernel_tile(&sy, i0, i1, j0, j1, TL);
            for (size_t i = 0; i < i1 - i0; i++)
                for (size_t j = 0; j < bj; j++) {
                    kr[i0 + i] += TK[i * bj + j];
                    lr[i0 + i] += TL[i * bj + j];
                    if (j0 != i0) {
                        kr[j0 + j] += TK[i * bj + j];
                        lr[j0 + j] += TL[i * bj + j];
                    }
                }
        }
    }
    double kg = 0, lg = 0;
    for (size_t i = 0; i < n; i++) {
        kr[i] /= (double)n;
        lr[i] /= (double)n;
        kg += kr[i];
        lg += lr[i];
    }
    kg /= (double)n;
    lg /= (double)n;
    /* pass 2: centred products; off-diagonal tiles count twice */
    double kl = 0, kk = 0, ll = 0;
    for (size_t i0 = 0; i0 < n; i0 += RBF_TILE) {
        size_t i1 = i0 + RBF_TILE < n ? i0 + RBF_TILE : n;
        for (size_t j0 = i0; j0 < n; j0 += RBF_TILE) {
            size_t j1 = j0 + RBF_TILE < n ? j0 + RBF_TILE : n, bj = j1 - j0;
            kernel_tile(&sx, i0, i1, j0, j1, TK);
            kernel_tile(&sy, i0, i1, j0, j1, TL);
            double a = 0, b = 0, c = 0;
            for (size_t i = 0; i < i1 - i0; i++)
                for (size_t j = 0; j < bj; j++) {
                    double u = TK[i * bj + j] - kr[i0 + i] - kr[j0 + j] + kg;
                    double v = TL[i * bj + j] - lr[i0 + i] - lr[j0 + j] + lg;
                    a += u * v;
                    b += u * u;
                    c += v * v;
                }
            double w = j0 == i0 ? 1.0 : 2.0;
            kl += w * a;
            kk += w * b;
            ll += w * c;
        }
    }
    if (kk == 0.0 || ll == 0.0) {
        st = clnscl_fail(CLNSCL_EDEGENERATE, "cka-rbf: centred kernel matrix of %s is zero (CKA undefined)",
                         kk == 0.0 ? "X" : "Y");
        goto done;
    }
    *out = kl / (sqrt(kk) * sqrt(ll));
    if (!isfinite(*out)) st = clnscl_fail(CLNSCL_ENONFINITE, "cka-rbf: the kernel sums are not finite");
done:
    free(Xc);
    free(Yc);
    free(q);
    free(D);
    free(T);
    free(rk);
    return st;
}
