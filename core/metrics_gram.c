/* core/metrics_gram.c — alignment metrics on given n × n similarity matrices
 * (the simulator's Σ matrices, THEORY.md §4.6–4.7), and Pearson of two vectors.
 *
 * S1, S2 need not be symmetric. Double centering of a general matrix S:
 *   (HSH)_ij = S_ij − r_i − c_j + g,   r = row means, c = column means, g = grand mean.
 * Every function works from the centred entries (centre first, then form products),
 * reads each matrix twice (means, then products), and allocates only O(n).
 */
#include "clnscl/metrics.h"
#include "clnscl/status.h"

#include <math.h>
#include <stdlib.h>

/* Row means r, column means c and grand mean g of an n × n matrix, and a
 * finiteness check. Row sums are accumulated per row (short sums); column sums
 * across rows. g = mean of the row means. */
static int gram_means(const double *S, size_t n, const char *what, double *r, double *c, double *g)
{
    for (size_t j = 0; j < n; j++) c[j] = 0.0;
    double gs = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double *row = S + i * n;
        double rs = 0.0;
        for (size_t j = 0; j < n; j++) {
            rs += row[j];
            c[j] += row[j];
        }
        if (!isfinite(rs)) {
            for (size_t j = 0; j < n; j++)
                if (!isfinite(row[j]))
                    return clnscl_fail(CLNSCL_ENONFINITE, "%s has NaN/Inf at row %zu, column %zu", what, i, j);
            return clnscl_fail(CLNSCL_ENONFINITE, "%s row %zu overflows", what, i);
        }
        r[i] = rs / (double)n;
        gs += r[i];
    }
    for (size_t j = 0; j < n; j++) c[j] /= (double)n;
    /* one correction pass (mean += mean of residuals): makes the mean of a
     * constant row/column exactly that constant, so its centred entries are 0 */
    double *dc = malloc(n * sizeof *dc);
    if (!dc) return clnscl_fail(CLNSCL_ENOMEM, "out of memory (n = %zu)", n);
    for (size_t j = 0; j < n; j++) dc[j] = 0.0;
    gs = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double *row = S + i * n;
        double rs = 0.0;
        for (size_t j = 0; j < n; j++) {
            rs += row[j] - r[i];
            dc[j] += row[j] - c[j];
        }
        r[i] += rs / (double)n;
        gs += r[i];
    }
    for (size_t j = 0; j < n; j++) c[j] += dc[j] / (double)n;
    free(dc);
    double gm = gs / (double)n, gd = 0.0;
    for (size_t i = 0; i < n; i++) gd += r[i] - gm;
    *g = gm + gd / (double)n;
    return CLNSCL_OK;
}

/* The shared pass: with K1 = H S1 H, K2 = H S2 H, accumulate
 * ⟨K1,K2⟩, ‖K1‖², ‖K2‖² and ‖K1 − K2‖² (each row summed separately, then added). */
typedef struct { double k12, k11, k22, d2; } gram_sums;

static int gram_pass(const double *S1, const double *S2, size_t n, gram_sums *out)
{
    if (!S1 || !S2 || !out) return clnscl_fail(CLNSCL_EINVAL, "null matrix");
    if (n < 2) return clnscl_fail(CLNSCL_EINVAL, "CKA needs n >= 2 samples (got %zu)", n);
    double *w = malloc(4 * n * sizeof *w);
    if (!w) return clnscl_fail(CLNSCL_ENOMEM, "out of memory (n = %zu)", n);
    double *r1 = w, *c1 = w + n, *r2 = w + 2 * n, *c2 = w + 3 * n, g1, g2;
    int st = gram_means(S1, n, "first similarity matrix", r1, c1, &g1);
    if (!st) st = gram_means(S2, n, "second similarity matrix", r2, c2, &g2);
    if (st) {
        free(w);
        return st;
    }
    gram_sums s = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        const double *a = S1 + i * n, *b = S2 + i * n;
        double o1 = g1 - r1[i], o2 = g2 - r2[i];
        double k12 = 0, k11 = 0, k22 = 0, d2 = 0;
        for (size_t j = 0; j < n; j++) {
            double x = a[j] - c1[j] + o1; /* (H S1 H)_ij */
            double y = b[j] - c2[j] + o2; /* (H S2 H)_ij */
            double d = x - y;
            k12 += x * y;
            k11 += x * x;
            k22 += y * y;
            d2 += d * d;
        }
        s.k12 += k12;
        s.k11 += k11;
        s.k22 += k22;
        s.d2 += d2;
    }
    free(w);
    *out = s;
    return CLNSCL_OK;
}

/* THEORY.md §4.6: CKA = ⟨HS1H, HS2H⟩_F / (‖HS1H‖_F ‖HS2H‖_F). */
int clnscl_cka_gram(const double *S1, const double *S2, size_t n, double *out)
{
    double rho, k1;
    return clnscl_gram_compare(S1, S2, n, out, &rho, &k1);
}

/* THEORY.md §4.6 (Corollary 1): ρ = ‖HS1H − HS2H‖_F / ‖HS1H‖_F. */
int clnscl_cka_rho(const double *S1, const double *S2, size_t n, double *rho)
{
    gram_sums s;
    int st = gram_pass(S1, S2, n, &s);
    if (st) return st;
    if (s.k11 == 0.0)
        return clnscl_fail(CLNSCL_EDEGENERATE, "first similarity matrix is constant after centering (rho undefined)");
    *rho = sqrt(s.d2) / sqrt(s.k11);
    return CLNSCL_OK;
}

/* Sums over the strict upper triangle of S1 and S2 (a = 1 − S1, b = 1 − S2):
 * means of a and b, then centred second moments and ‖b − a‖². */
typedef struct { double saa, sbb, sab, dd; size_t m; } upper_sums;

static int upper_pass(const double *S1, const double *S2, size_t n, upper_sums *out)
{
    if (!S1 || !S2 || !out) return clnscl_fail(CLNSCL_EINVAL, "null matrix");
    if (n < 3) return clnscl_fail(CLNSCL_EINVAL, "RSA needs n >= 3 samples (got %zu)", n);
    size_t m = n * (n - 1) / 2;
    double sa = 0, sb = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        const double *a = S1 + i * n, *b = S2 + i * n;
        double ra = 0, rb = 0;
        for (size_t j = i + 1; j < n; j++) {
            ra += a[j];
            rb += b[j];
        }
        if (!isfinite(ra) || !isfinite(rb)) {
            const double *p = isfinite(ra) ? b : a;
            for (size_t j = i + 1; j < n; j++)
                if (!isfinite(p[j]))
                    return clnscl_fail(CLNSCL_ENONFINITE, "%s similarity matrix has NaN/Inf at row %zu, column %zu",
                                       p == a ? "first" : "second", i, j);
            return clnscl_fail(CLNSCL_ENONFINITE, "similarity matrix row %zu overflows", i);
        }
        sa += ra;
        sb += rb;
    }
    /* means of the similarities; a − ā = −(s1 − s̄1), so signs cancel in every product.
     * One correction pass makes the mean of a constant triangle exact. */
    double ma = sa / (double)m, mb = sb / (double)m, ca = 0, cb = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        const double *a = S1 + i * n, *b = S2 + i * n;
        double ra = 0, rb = 0;
        for (size_t j = i + 1; j < n; j++) {
            ra += a[j] - ma;
            rb += b[j] - mb;
        }
        ca += ra;
        cb += rb;
    }
    ma += ca / (double)m;
    mb += cb / (double)m;
    upper_sums s = {0, 0, 0, 0, m};
    for (size_t i = 0; i + 1 < n; i++) {
        const double *a = S1 + i * n, *b = S2 + i * n;
        double aa = 0, bb = 0, ab = 0, dd = 0;
        for (size_t j = i + 1; j < n; j++) {
            double x = a[j] - ma, y = b[j] - mb, d = b[j] - a[j];
            aa += x * x;
            bb += y * y;
            ab += x * y;
            dd += d * d;
        }
        s.saa += aa;
        s.sbb += bb;
        s.sab += ab;
        s.dd += dd;
    }
    *out = s;
    return CLNSCL_OK;
}

/* THEORY.md §4.7: RSA = Pearson(upper(1 − S1), upper(1 − S2)). */
int clnscl_rsa_sim(const double *S1, const double *S2, size_t n, double *out)
{
    double r, a1;
    return clnscl_rdm_compare(S1, S2, n, out, &r, &a1);
}

/* THEORY.md §4.7 (Corollary 2): r = ‖b − a‖₂ / (√M σ_a), σ_a with 1/M, so
 * √M σ_a = ‖a − ā‖₂ exactly. b − a = upper(S1 − S2) up to sign. */
int clnscl_rsa_r(const double *S1, const double *S2, size_t n, double *r)
{
    upper_sums s;
    int st = upper_pass(S1, S2, n, &s);
    if (st) return st;
    if (s.saa == 0.0)
        return clnscl_fail(CLNSCL_EDEGENERATE, "first RDM has all off-diagonal dissimilarities equal (r undefined)");
    *r = sqrt(s.dd) / sqrt(s.saa);
    return CLNSCL_OK;
}

/* §4.6 in one pass: CKA, ρ and ‖HS1H‖_F (clnscl_cka_gram is this without ρ and ‖HS1H‖_F). */
int clnscl_gram_compare(const double *S1, const double *S2, size_t n, double *cka, double *rho, double *k1)
{
    gram_sums s;
    int st = gram_pass(S1, S2, n, &s);
    if (st) return st;
    if (s.k11 == 0.0)
        return clnscl_fail(CLNSCL_EDEGENERATE, "first similarity matrix is constant after centering (CKA undefined)");
    if (s.k22 == 0.0)
        return clnscl_fail(CLNSCL_EDEGENERATE, "second similarity matrix is constant after centering (CKA undefined)");
    *cka = s.k12 / (sqrt(s.k11) * sqrt(s.k22));
    *rho = sqrt(s.d2) / sqrt(s.k11);
    *k1 = sqrt(s.k11);
    return CLNSCL_OK;
}

/* §4.7 in one pass: RSA, r and ‖a − ā‖₂ (clnscl_rsa_sim is this without r and ‖a − ā‖₂). */
int clnscl_rdm_compare(const double *S1, const double *S2, size_t n, double *rsa, double *r, double *a1)
{
    upper_sums s;
    int st = upper_pass(S1, S2, n, &s);
    if (st) return st;
    if (s.saa == 0.0)
        return clnscl_fail(CLNSCL_EDEGENERATE, "first RDM has all off-diagonal dissimilarities equal (RSA undefined)");
    if (s.sbb == 0.0)
        return clnscl_fail(CLNSCL_EDEGENERATE, "second RDM has all off-diagonal dissimilarities equal (RSA undefined)");
    *rsa = s.sab / (sqrt(s.saa) * sqrt(s.sbb));
    *r = sqrt(s.dd) / sqrt(s.saa);
    *a1 = sqrt(s.saa);
    return CLNSCL_OK;
}

/* ‖H S H‖_F (§4.6): the k11 term of the shared pass. */
int clnscl_gram_centered_norm(const double *S, size_t n, double *out)
{
    gram_sums s;
    int st = gram_pass(S, S, n, &s);
    if (st) return st;
    *out = sqrt(s.k11);
    return CLNSCL_OK;
}

/* ‖a − ā‖₂ = √M σ_a, a = upper(1 − S) (§4.7). */
int clnscl_rdm_centered_norm(const double *S, size_t n, double *out)
{
    upper_sums s;
    int st = upper_pass(S, S, n, &s);
    if (st) return st;
    *out = sqrt(s.saa);
    return CLNSCL_OK;
}

/* Pearson correlation, two passes (means, then centred sums). */
int clnscl_pearson(const double *a, const double *b, size_t m, double *out)
{
    if (!a || !b || !out) return clnscl_fail(CLNSCL_EINVAL, "null vector");
    if (m < 2) return clnscl_fail(CLNSCL_EINVAL, "Pearson correlation needs at least 2 values (got %zu)", m);
    double sa = 0, sb = 0;
    for (size_t k = 0; k < m; k++) {
        if (!isfinite(a[k]) || !isfinite(b[k]))
            return clnscl_fail(CLNSCL_ENONFINITE, "NaN/Inf at position %zu", k);
        sa += a[k];
        sb += b[k];
    }
    double ma = sa / (double)m, mb = sb / (double)m, ca = 0, cb = 0;
    for (size_t k = 0; k < m; k++) {
        ca += a[k] - ma;
        cb += b[k] - mb;
    }
    ma += ca / (double)m;
    mb += cb / (double)m;
    double saa = 0, sbb = 0, sab = 0;
    for (size_t k = 0; k < m; k++) {
        double x = a[k] - ma, y = b[k] - mb;
        saa += x * x;
        sbb += y * y;
        sab += x * y;
    }
    if (saa == 0.0 || sbb == 0.0)
        return clnscl_fail(CLNSCL_EDEGENERATE, "a constant vector has no correlation (0/0)");
    *out = sab / (sqrt(saa) * sqrt(sbb));
    return CLNSCL_OK;
}
