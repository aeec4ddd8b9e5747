/* core/metrics_rsa.c — RSA from feature matrices (THEORY.md §4.7, §6.4 "RSA (code)";
 * EDGE_CASES.md R1–R2) and Spearman correlation of two vectors.
 *
 * RDM_ij = 1 − cos(x_i, x_j); RSA = correlation over the strict upper triangle
 * (i < j, M = n(n−1)/2 pairs). Because a − ā = −(cos − mean cos), the correlation of
 * the RDMs equals that of the cosine triangles; it is computed on the cosines.
 *
 * Pearson streams B × B tiles of X̂X̂ᵀ and ŶŶᵀ (dgemm on row-normalised features):
 * memory O(n·d + B²). The mean cosine is known in closed form beforehand,
 *   Σ_{i<j} cos_ij = (‖Σ_i x̂_i‖² − Σ_i ‖x̂_i‖²) / 2,
 * so a single pass accumulates centred sums (plus the residual sum, which corrects the
 * second moments exactly for any error in that mean).
 *
 * Spearman materialises the two triangles (ranking needs them), ranks them with an
 * LSD radix sort on order-preserving 64-bit keys (8 passes of 8 bits, trivial passes
 * skipped), assigns average ranks to ties (stored doubled, as integers), and forms the
 * Pearson correlation of the ranks in exact 128-bit integer arithmetic.
 */
#include "clnscl/alloc.h"
#include "clnscl/metrics.h"
#include "clnscl/status.h"
#include "metrics_internal.h"

#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RSA_TILE 768

/* All off-diagonal similarities equal (to rounding): Pearson is 0/0. Cosines are
 * O(1) with rounding error ~1e-16·√d, so a spread below 1e-13 is no spread. */
#define RSA_FLAT_STD 1e-13

static void cos_tile(const double *A, size_t d, size_t i0, size_t i1, size_t j0, size_t j1, double *T)
{
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(i1 - i0), (int)(j1 - j0), (int)d, 1.0, A + i0 * d,
                (int)d, A + j0 * d, (int)d, 0.0, T, (int)(j1 - j0));
}

/* closed-form mean cosine over i < j of row-normalised A */
static double mean_cos(const double *A, size_t n, size_t d)
{
    double *s = calloc(d, sizeof *s);
    if (!s) return NAN;
    double self = 0.0;
    for (size_t i = 0; i < n; i++) {
        double r = 0.0;
        for (size_t j = 0; j < d; j++) {
            s[j] += A[i * d + j];
            r += A[i * d + j] * A[i * d + j];
        }
        self += r;
    }
    double t = 0.0;
    for (size_t j = 0; j < d; j++) t += s[j] * s[j];
    free(s);
    return (t - self) / 2.0 / ((double)n * (double)(n - 1) / 2.0);
}

static int rsa_prepare(const double *X, size_t n, size_t dx, const double *Y, size_t dy, const char *metric,
                       double **Xn, double **Yn)
{
    int st = metrics_check_args(X, n, dx, Y, dy, 3, metric);
    if (st) return st;
    *Xn = *Yn = NULL;
    st = metrics_normalize_rows(X, n, dx, "X", Xn);
    if (!st) st = metrics_normalize_rows(Y, n, dy, "Y", Yn);
    if (st) {
        free(*Xn);
        free(*Yn);
        *Xn = *Yn = NULL;
    }
    return st;
}

static int flat_fail(const char *metric, const char *what)
{
    return clnscl_fail(CLNSCL_EDEGENERATE,
                       "%s: all off-diagonal dissimilarities of %s are equal (correlation undefined)", metric, what);
}

int clnscl_rsa_pearson(const double *X, size_t n, size_t dx, const double *Y, size_t dy, double *out)
{
    double *Xn, *Yn;
    int st = rsa_prepare(X, n, dx, Y, dy, "rsa", &Xn, &Yn);
    if (st) return st;
    double *T = malloc(2 * (size_t)RSA_TILE * RSA_TILE * sizeof *T);
    double mx = mean_cos(Xn, n, dx), my = mean_cos(Yn, n, dy);
    if (!T || isnan(mx) || isnan(my)) {
        free(T);
        free(Xn);
        free(Yn);
        return clnscl_fail(CLNSCL_ENOMEM, "rsa: out of memory (n = %zu)", n);
    }
    double *TX = T, *TY = T + (size_t)RSA_TILE * RSA_TILE;
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (size_t i0 = 0; i0 < n; i0 += RSA_TILE) {
        size_t i1 = i0 + RSA_TILE < n ? i0 + RSA_TILE : n;
        for (size_t j0 = i0; j0 < n; j0 += RSA_TILE) {
            size_t j1 = j0 + RSA_TILE < n ? j0 + RSA_TILE : n, bj = j1 - j0;
            cos_tile(Xn, dx, i0, i1, j0, j1, TX);
            cos_tile(Yn, dy, i0, i1, j0, j1, TY);
            double a = 0, b = 0, aa = 0, bb = 0, ab = 0;
            for (size_t i = i0; i < i1; i++) {
                size_t js = j0 > i + 1 ? j0 : i + 1;
                const double *tx = TX + (i - i0) * bj, *ty = TY + (i - i0) * bj;
                for (size_t j = js; j < j1; j++) {
                    double u = tx[j - j0] - mx, v = ty[j - j0] - my;
                    a += u;
                    b += v;
                    aa += u * u;
                    bb += v * v;
                    ab += u * v;
                }
            }
            sx += a;
            sy += b;
            sxx += aa;
            syy += bb;
            sxy += ab;
        }
    }
    free(T);
    free(Xn);
    free(Yn);
    double m = (double)n * (double)(n - 1) / 2.0;
    /* exact shift correction: Σ(u − ū)² = Σu² − (Σu)²/M */
    sxx -= sx * sx / m;
    syy -= sy * sy / m;
    sxy -= sx * sy / m;
    if (!(sxx > m * RSA_FLAT_STD * RSA_FLAT_STD)) return flat_fail("rsa", "X");
    if (!(syy > m * RSA_FLAT_STD * RSA_FLAT_STD)) return flat_fail("rsa", "Y");
    *out = sxy / (sqrt(sxx) * sqrt(syy));
    return CLNSCL_OK;
}

/* ---- ranking ---------------------------------------------------------------- */

/* order-preserving map double → uint64 (−0 and +0 map to the same key) */
static inline uint64_t dkey(double v)
{
    v += 0.0; /* −0 → +0 */
    uint64_t u;
    memcpy(&u, &v, 8);
    return (u & 0x8000000000000000ULL) ? ~u : (u | 0x8000000000000000ULL);
}

/* a (key, original index) record, packed to 12 bytes; one write stream per radix
 * bucket. Memory is the cost that matters here (first touch of fresh pages is slow
 * on virtual machines), so the keys are written straight into the records. */
typedef struct __attribute__((packed)) {
    uint64_t key;
    uint32_t idx;
} rank_rec;

typedef struct {
    rank_rec *rec, *rec2;
    size_t m;
} rank_ws;

static int rank_ws_alloc(rank_ws *w, size_t m)
{
    w->m = m;
    w->rec = clnscl_alloc_big(m * sizeof *w->rec);
    /* the scratch copy is needed only by the plain LSD sort of small inputs */
    w->rec2 = m < ((size_t)1 << 16) ? clnscl_alloc_big(m * sizeof *w->rec2) : NULL;
    return (w->rec && (w->rec2 || m >= ((size_t)1 << 16))) ? 0 : -1;
}

static void rank_ws_free(rank_ws *w)
{
    free(w->rec);
    free(w->rec2);
    w->rec = w->rec2 = NULL;
}

/* 8-bit digits: 256 buckets keep the scatter cache- and TLB-friendly */
#define RADIX_BITS 8
#define RADIX_SIZE (1u << RADIX_BITS)
#define RADIX_PASSES 8

/* Sort w->rec[0..m) by key ascending (stable LSD radix; result in w->rec). */
static int radix_sort(rank_ws *w)
{
    size_t m = w->m;
    size_t *hist = calloc((size_t)RADIX_PASSES * RADIX_SIZE, sizeof *hist);
    if (!hist) return -1;
    for (size_t k = 0; k < m; k++) {
        uint64_t u = w->rec[k].key;
        for (int p = 0; p < RADIX_PASSES; p++) hist[(size_t)p * RADIX_SIZE + ((u >> (p * RADIX_BITS)) & (RADIX_SIZE - 1))]++;
    }
    for (int p = 0; p < RADIX_PASSES; p++) {
        size_t *h = hist + (size_t)p * RADIX_SIZE;
        int trivial = 0;
        for (size_t b = 0; b < RADIX_SIZE; b++)
            if (h[b] == m) trivial = 1;
        if (trivial) continue;
        size_t sum = 0;
        for (size_t b = 0; b < RADIX_SIZE; b++) {
            size_t c = h[b];
            h[b] = sum;
            sum += c;
        }
        int shift = p * RADIX_BITS;
        const rank_rec *src = w->rec;
        rank_rec *dst = w->rec2;
        for (size_t k = 0; k < m; k++) dst[h[(src[k].key >> shift) & (RADIX_SIZE - 1)]++] = src[k];
        rank_rec *t = w->rec;
        w->rec = w->rec2;
        w->rec2 = t;
    }
    free(hist);
    return 0;
}

/* LSD radix sort of a short segment a[0..len) (in cache), tmp = scratch of len;
 * result in a. Digits that are equal across the segment are skipped. */
static void lsd_segment(rank_rec *a, rank_rec *tmp, size_t len)
{
    if (len < 48) { /* insertion sort */
        for (size_t i = 1; i < len; i++) {
            rank_rec r = a[i];
            size_t j = i;
            while (j > 0 && a[j - 1].key > r.key) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = r;
        }
        return;
    }
    uint32_t hist[RADIX_PASSES][RADIX_SIZE];
    memset(hist, 0, sizeof hist);
    for (size_t k = 0; k < len; k++) {
        uint64_t u = a[k].key;
        for (int p = 0; p < RADIX_PASSES; p++) hist[p][(u >> (p * RADIX_BITS)) & (RADIX_SIZE - 1)]++;
    }
    rank_rec *src = a, *dst = tmp;
    for (int p = 0; p < RADIX_PASSES; p++) {
        uint32_t *h = hist[p];
        if (h[(a[0].key >> (p * RADIX_BITS)) & (RADIX_SIZE - 1)] == len) continue;
        uint32_t sum = 0;
        for (size_t b = 0; b < RADIX_SIZE; b++) {
            uint32_t c = h[b];
            h[b] = sum;
            sum += c;
        }
        int shift = p * RADIX_BITS;
        for (size_t k = 0; k < len; k++) dst[h[(src[k].key >> shift) & (RADIX_SIZE - 1)]++] = src[k];
        rank_rec *t = src;
        src = dst;
        dst = t;
    }
    if (src != a) memcpy(a, src, len * sizeof *a);
}

static double key_value(uint64_t k)
{
    uint64_t u = (k & 0x8000000000000000ULL) ? (k ^ 0x8000000000000000ULL) : ~k;
    double d;
    memcpy(&d, &u, 8);
    return d;
}

/* Two-level sort for large inputs: an in-place bucket permutation (American flag
 * sort) into SORT_BUCKETS buckets by value — b = ⌊(v − min)·NB/(max − min)⌋ is monotone
 * in v because rounding is monotone — then an in-cache LSD sort of each bucket. Two
 * passes over main memory instead of nine, and no second full-size buffer (on virtual
 * machines the first touch of fresh pages costs as much as the sort). */
#define SORT_BUCKETS 4096
typedef struct {
    double half_lo, scale;
} bucket_map;

static inline size_t bucket_of(const bucket_map *bm, uint64_t key)
{
    double x = (0.5 * key_value(key) - bm->half_lo) * bm->scale;
    return x < (double)(SORT_BUCKETS - 1) ? (size_t)x : SORT_BUCKETS - 1;
}

static int sort_records(rank_ws *w)
{
    size_t m = w->m;
    if (m < ((size_t)1 << 16)) return radix_sort(w);
    rank_rec *a = w->rec;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < m; k++) {
        double v = key_value(a[k].key);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
    }
    bucket_map bm = {0.5 * lo, (double)SORT_BUCKETS / (0.5 * hi - 0.5 * lo)};
    if (!(bm.scale < INFINITY)) bm.scale = 0.0; /* all values equal: one bucket */
    size_t *start = calloc(2 * SORT_BUCKETS + 1, sizeof *start), *next = start + SORT_BUCKETS + 1;
    if (!start) return -1;
    for (size_t k = 0; k < m; k++) start[bucket_of(&bm, a[k].key) + 1]++;
    for (size_t b = 0; b < SORT_BUCKETS; b++) start[b + 1] += start[b];
    memcpy(next, start, SORT_BUCKETS * sizeof *next);
    size_t maxlen = 0;
    for (size_t b = 0; b < SORT_BUCKETS; b++) {
        if (start[b + 1] - start[b] > maxlen) maxlen = start[b + 1] - start[b];
        while (next[b] < start[b + 1]) { /* follow the cycle through a[next[b]] */
            rank_rec r = a[next[b]];
            size_t bb = bucket_of(&bm, r.key);
            while (bb != b) {
                rank_rec t = a[next[bb]];
                a[next[bb]++] = r;
                r = t;
                bb = bucket_of(&bm, r.key);
            }
            a[next[b]++] = r;
        }
    }
    rank_rec *tmp = malloc((maxlen ? maxlen : 1) * sizeof *tmp);
    if (!tmp) {
        free(start);
        return -1;
    }
    for (size_t b = 0; b < SORT_BUCKETS; b++) lsd_segment(a + start[b], tmp, start[b + 1] - start[b]);
    free(tmp);
    free(start);
    return 0;
}

/* After radix_sort: walk runs of equal keys; the run covering sorted positions
 * [s, e) (1-based ranks s+1..e) has average rank (s+1+e)/2, stored doubled as
 * r2 = s+1+e. Centred doubled rank c = r2 − (M+1). `fn` receives (original index, c). */
typedef __int128 i128;

/* ranks of w (sorted) into R2c[idx] (centred doubled ranks); returns Σc² */
static i128 ranks_store(const rank_ws *w, int32_t *R2c)
{
    size_t m = w->m;
    i128 ss = 0;
    for (size_t s = 0; s < m;) {
        size_t e = s + 1;
        while (e < m && w->rec[e].key == w->rec[s].key) e++;
        int64_t c = (int64_t)(s + 1 + e) - (int64_t)(m + 1);
        for (size_t k = s; k < e; k++) {
            if (k + 16 < m) __builtin_prefetch(&R2c[w->rec[k + 16].idx], 1);
            R2c[w->rec[k].idx] = (int32_t)c;
        }
        ss += (i128)c * c * (int64_t)(e - s);
        s = e;
    }
    return ss;
}

/* Σ c_w · R2c[idx] and Σ c_w² for the (sorted) second workspace */
static void ranks_dot(const rank_ws *w, const int32_t *R2c, i128 *sxy, i128 *syy)
{
    size_t m = w->m;
    i128 xy = 0, yy = 0;
    for (size_t s = 0; s < m;) {
        size_t e = s + 1;
        while (e < m && w->rec[e].key == w->rec[s].key) e++;
        int64_t c = (int64_t)(s + 1 + e) - (int64_t)(m + 1);
        i128 acc = 0;
        for (size_t k = s; k < e; k++) {
            if (k + 16 < m) __builtin_prefetch(&R2c[w->rec[k + 16].idx], 0);
            acc += R2c[w->rec[k].idx];
        }
        xy += acc * c;
        yy += (i128)c * c * (int64_t)(e - s);
        s = e;
    }
    *sxy = xy;
    *syy = yy;
}

static double rank_corr(i128 xy, i128 xx, i128 yy)
{
    return (double)xy / (sqrt((double)xx) * sqrt((double)yy));
}

int clnscl_spearman(const double *a, const double *b, size_t m, double *out)
{
    if (!a || !b || !out) return clnscl_fail(CLNSCL_EINVAL, "null vector");
    if (m < 2) return clnscl_fail(CLNSCL_EINVAL, "Spearman correlation needs at least 2 values (got %zu)", m);
    if (m >= ((size_t)1 << 31)) return clnscl_fail(CLNSCL_ENOMEM, "Spearman: %zu values is too many", m);
    for (size_t k = 0; k < m; k++)
        if (!isfinite(a[k]) || !isfinite(b[k])) return clnscl_fail(CLNSCL_ENONFINITE, "NaN/Inf at position %zu", k);
    rank_ws w;
    int32_t *R = clnscl_alloc_big(m * sizeof *R);
    if (rank_ws_alloc(&w, m) || !R) {
        rank_ws_free(&w);
        free(R);
        return clnscl_fail(CLNSCL_ENOMEM, "Spearman: out of memory (%zu values)", m);
    }
    i128 xx = 0, xy = 0, yy = 0;
    int st = CLNSCL_OK;
    for (size_t k = 0; k < m; k++) w.rec[k] = (rank_rec){dkey(a[k]), (uint32_t)k};
    if (sort_records(&w)) st = clnscl_fail(CLNSCL_ENOMEM, "Spearman: out of memory");
    if (!st) xx = ranks_store(&w, R);
    for (size_t k = 0; !st && k < m; k++) w.rec[k] = (rank_rec){dkey(b[k]), (uint32_t)k};
    if (!st && sort_records(&w)) st = clnscl_fail(CLNSCL_ENOMEM, "Spearman: out of memory");
    if (!st) ranks_dot(&w, R, &xy, &yy);
    rank_ws_free(&w);
    free(R);
    if (st) return st;
    if (xx == 0 || yy == 0) return clnscl_fail(CLNSCL_EDEGENERATE, "a constant vector has no rank correlation (0/0)");
    *out = rank_corr(xy, xx, yy);
    return CLNSCL_OK;
}

/* Fill w->rec with the keys of the strict upper cosine triangle of A (row-major pair
 * order), and return the spread check: 1 if the cosines are all equal (to RSA_FLAT_STD). */
static int upper_keys(const double *A, size_t n, size_t d, double *T, rank_ws *w)
{
    double mc = mean_cos(A, n, d), s = 0, ss = 0;
    for (size_t i0 = 0; i0 < n; i0 += RSA_TILE) {
        size_t i1 = i0 + RSA_TILE < n ? i0 + RSA_TILE : n;
        for (size_t j0 = i0; j0 < n; j0 += RSA_TILE) {
            size_t j1 = j0 + RSA_TILE < n ? j0 + RSA_TILE : n, bj = j1 - j0;
            cos_tile(A, d, i0, i1, j0, j1, T);
            for (size_t i = i0; i < i1; i++) {
                size_t js = j0 > i + 1 ? j0 : i + 1;
                size_t base = i * n - i * (i + 1) / 2 - i - 1; /* position of (i, j) = base + j */
                const double *t = T + (i - i0) * bj;
                for (size_t j = js; j < j1; j++) {
                    double c = t[j - j0], u = c - mc;
                    s += u;
                    ss += u * u;
                    w->rec[base + j] = (rank_rec){dkey(c), (uint32_t)(base + j)};
                }
            }
        }
    }
    double m = (double)w->m;
    return !(ss - s * s / m > m * RSA_FLAT_STD * RSA_FLAT_STD);
}

int clnscl_rsa_spearman(const double *X, size_t n, size_t dx, const double *Y, size_t dy, double *out)
{
    if (n >= 65536) return clnscl_fail(CLNSCL_ENOMEM, "rsa-spearman: n = %zu is too large (n(n-1)/2 ranks)", n);
    double *Xn, *Yn;
    int st = rsa_prepare(X, n, dx, Y, dy, "rsa-spearman", &Xn, &Yn);
    if (st) return st;
    size_t m = n * (n - 1) / 2;
    rank_ws w;
    int32_t *R = clnscl_alloc_big(m * sizeof *R);
    double *T = malloc((size_t)RSA_TILE * RSA_TILE * sizeof *T);
    if (rank_ws_alloc(&w, m) || !R || !T) {
        st = clnscl_fail(CLNSCL_ENOMEM, "rsa-spearman: out of memory (n = %zu)", n);
        goto done;
    }
    i128 xx = 0, xy = 0, yy = 0;
    if (upper_keys(Xn, n, dx, T, &w)) {
        st = flat_fail("rsa-spearman", "X");
        goto done;
    }
    if (sort_records(&w)) {
        st = clnscl_fail(CLNSCL_ENOMEM, "rsa-spearman: out of memory");
        goto done;
    }
    xx = ranks_store(&w, R);
    if (upper_keys(Yn, n, dy, T, &w)) {
        st = flat_fail("rsa-spearman", "Y");
        goto done;
    }
    if (sort_records(&w)) {
        st = clnscl_fail(CLNSCL_ENOMEM, "rsa-spearman: out of memory");
        goto done;
    }
    ranks_dot(&w, R, &xy, &yy);
    if (xx == 0 || yy == 0) {
        st = flat_fail("rsa-spearman", xx == 0 ? "X" : "Y");
        goto done;
    }
    *out = rank_corr(xy, xx, yy);
done:
    rank_ws_free(&w);
    free(R);
    free(T);
    free(Xn);
    free(Yn);
    return st;
}
