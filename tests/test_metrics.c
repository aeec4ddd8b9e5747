/* tests/test_metrics.c — CKA / RSA against independent numpy/scipy float64 references
 * (tests/fixtures/gen_align.py → align/refs.txt), golden values (EDGE_CASES.md K1, K2,
 * R1), invariances, Gram route = feature route, and the degenerate cases (K3, K4, R2). */
#include "check.h"

#include "clnscl/io.h"
#include "clnscl/metrics.h"
#include "clnscl/rng.h"
#include "clnscl/status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIX CLNSCL_FIXTURES "/align/"
#define REL 1e-10 /* the exactness target against an independent float64 reference */

static double ref_value(const char *name)
{
    FILE *f = fopen(FIX "refs.txt", "r");
    char line[256], key[128];
    double v = NAN;
    while (f && fgets(line, sizeof line, f)) {
        double x;
        if (line[0] != '#' && sscanf(line, "%127s %lf", key, &x) == 2 && !strcmp(key, name)) v = x;
    }
    if (f) fclose(f);
    if (isnan(v)) fprintf(stderr, "missing reference value %s\n", name);
    return v;
}

static clnscl_mat load(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, FIX "%s", name);
    clnscl_mat m = {0, 0, NULL};
    if (clnscl_npy_read(path, &m)) fprintf(stderr, "cannot read %s: %s\n", path, clnscl_last_error());
    return m;
}

typedef int (*fmetric)(const double *, size_t, size_t, const double *, size_t, double *);
static int rbf1(const double *X, size_t n, size_t dx, const double *Y, size_t dy, double *o)
{
    return clnscl_cka_rbf(X, n, dx, Y, dy, 1.0, o);
}
static const struct {
    const char *key;
    fmetric fn;
} M[] = {{"cka", clnscl_cka_linear},   {"cka_cosine", clnscl_cka_cosine}, {"cka_debiased", clnscl_cka_debiased},
         {"cka_rbf", rbf1},            {"rsa", clnscl_rsa_pearson},       {"rsa_spearman", clnscl_rsa_spearman}};
#define NM (sizeof M / sizeof M[0])

static double metric(size_t k, const clnscl_mat *X, const clnscl_mat *Y)
{
    double v = NAN;
    int st = M[k].fn(X->data, X->rows, X->cols, Y->data, Y->cols, &v);
    if (st) fprintf(stderr, "%s failed: %s\n", M[k].key, clnscl_last_error());
    return v;
}

static void test_references(void)
{
    const char *sets[] = {"A", "B", "D"};
    for (size_t s = 0; s < 3; s++) {
        char fx[32], fy[32], name[64];
        snprintf(fx, sizeof fx, "%s_X.npy", sets[s]);
        snprintf(fy, sizeof fy, "%s_Y.npy", sets[s]);
        clnscl_mat X = load(fx), Y = load(fy);
        for (size_t k = 0; k < NM; k++) {
            snprintf(name, sizeof name, "%s.%s", sets[s], M[k].key);
            CHECK_CLOSE(metric(k, &X, &Y), ref_value(name), REL, 1e-14);
        }
        clnscl_mat_free(&X);
        clnscl_mat_free(&Y);
    }
    clnscl_mat X = load("A_X.npy"), Y = load("A_Y.npy");
    double v = NAN;
    CHECK_STATUS(clnscl_cka_rbf(X.data, X.rows, X.cols, Y.data, Y.cols, 0.5, &v), CLNSCL_OK);
    CHECK_CLOSE(v, ref_value("A.cka_rbf_s0.5"), REL, 1e-14);
    clnscl_mat_free(&X);
    clnscl_mat_free(&Y);
    /* exact cosines with many ties: average ranks must match scipy */
    X = load("C_X.npy");
    Y = load("C_Y.npy");
    CHECK_CLOSE(metric(4, &X, &Y), ref_value("C.rsa"), REL, 1e-14);
    CHECK_CLOSE(metric(5, &X, &Y), ref_value("C.rsa_spearman"), REL, 1e-14);
    clnscl_mat_free(&X);
    clnscl_mat_free(&Y);
    /* vectors */
    clnscl_mat a = load("V_a.npy"), b = load("V_b.npy");
    CHECK_STATUS(clnscl_pearson(a.data, b.data, a.rows, &v), CLNSCL_OK);
    CHECK_CLOSE(v, ref_value("V.pearson"), REL, 1e-14);
    CHECK_STATUS(clnscl_spearman(a.data, b.data, a.rows, &v), CLNSCL_OK);
    CHECK_CLOSE(v, ref_value("V.spearman"), REL, 1e-14);
    clnscl_mat_free(&a);
    clnscl_mat_free(&b);
}

static void test_gram_routes(void)
{
    clnscl_mat S1 = load("G_S1.npy"), S2 = load("G_S2.npy");
    size_t n = S1.rows;
    double v = NAN;
    CHECK_STATUS(clnscl_cka_gram(S1.data, S2.data, n, &v), CLNSCL_OK);
    CHECK_CLOSE(v, ref_value("G.cka_gram"), REL, 0);
    CHECK_STATUS(clnscl_cka_rho(S1.data, S2.data, n, &v), CLNSCL_OK);
    CHECK_CLOSE(v, ref_value("G.cka_rho"), REL, 0);
    CHECK_STATUS(clnscl_rsa_sim(S1.data, S2.data, n, &v), CLNSCL_OK);
    CHECK_CLOSE(v, ref_value("G.rsa_sim"), REL, 0);
    CHECK_STATUS(clnscl_rsa_r(S1.data, S2.data, n, &v), CLNSCL_OK);
    CHECK_CLOSE(v, ref_value("G.rsa_r"), REL, 0);
    CHECK_STATUS(clnscl_gram_centered_norm(S1.data, n, &v), CLNSCL_OK);
    CHECK_CLOSE(v, ref_value("G.gram_norm"), REL, 0);
    CHECK_STATUS(clnscl_rdm_centered_norm(S1.data, n, &v), CLNSCL_OK);
    CHECK_CLOSE(v, ref_value("G.rdm_norm"), REL, 0);
    /* self: CKA 1, rho 0, r 0 */
    CHECK_STATUS(clnscl_cka_gram(S1.data, S1.data, n, &v), CLNSCL_OK);
    CHECK_CLOSE(v, 1.0, 1e-12, 0);
    CHECK_STATUS(clnscl_cka_rho(S1.data, S1.data, n, &v), CLNSCL_OK);
    CHECK(v == 0.0);
    CHECK_STATUS(clnscl_rsa_r(S1.data, S1.data, n, &v), CLNSCL_OK);
    CHECK(v == 0.0);
    /* degenerate: a constant matrix (not 1/n-exact: 0.1) centres to exactly 0 */
    double *C = malloc(n * n * sizeof *C);
    for (size_t k = 0; k < n * n; k++) C[k] = 0.1;
    CHECK_STATUS(clnscl_cka_gram(C, S2.data, n, &v), CLNSCL_EDEGENERATE);
    CHECK_STATUS(clnscl_cka_gram(S1.data, C, n, &v), CLNSCL_EDEGENERATE);
    CHECK_STATUS(clnscl_rsa_sim(C, S2.data, n, &v), CLNSCL_EDEGENERATE);
    CHECK_STATUS(clnscl_cka_gram(S1.data, S2.data, 1, &v), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_rsa_sim(S1.data, S2.data, 2, &v), CLNSCL_EINVAL);
    C[7] = NAN;
    CHECK_STATUS(clnscl_cka_gram(C, S2.data, n, &v), CLNSCL_ENONFINITE);
    C[7] = 0.1;
    C[1] = INFINITY; /* strict upper triangle */
    CHECK_STATUS(clnscl_rsa_sim(S1.data, C, n, &v), CLNSCL_ENONFINITE);
    free(C);
    clnscl_mat_free(&S1);
    clnscl_mat_free(&S2);

    /* Gram route = feature route: Σ = X̂X̂ᵀ gives cka-cosine and rsa; Σ = XXᵀ gives linear CKA */
    clnscl_mat X = load("A_X.npy"), Y = load("A_Y.npy");
    n = X.rows;
    double *SX = malloc(n * n * sizeof *SX), *SY = malloc(n * n * sizeof *SY);
    double *LX = malloc(n * n * sizeof *LX), *LY = malloc(n * n * sizeof *LY);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double xx = 0, yy = 0, xi = 0, xj = 0, yi = 0, yj = 0;
            for (size_t c = 0; c < X.cols; c++) {
                xx += X.data[i * X.cols + c] * X.data[j * X.cols + c];
                xi += X.data[i * X.cols + c] * X.data[i * X.cols + c];
                xj += X.data[j * X.cols + c] * X.data[j * X.cols + c];
            }
            for (size_t c = 0; c < Y.cols; c++) {
                yy += Y.data[i * Y.cols + c] * Y.data[j * Y.cols + c];
                yi += Y.data[i * Y.cols + c] * Y.data[i * Y.cols + c];
                yj += Y.data[j * Y.cols + c] * Y.data[j * Y.cols + c];
            }
            LX[i * n + j] = xx;
            LY[i * n + j] = yy;
            SX[i * n + j] = xx / sqrt(xi * xj);
            SY[i * n + j] = yy / sqrt(yi * yj);
        }
    double g, f;
    CHECK_STATUS(clnscl_cka_gram(SX, SY, n, &g), CLNSCL_OK);
    CHECK_STATUS(clnscl_cka_cosine(X.data, n, X.cols, Y.data, Y.cols, &f), CLNSCL_OK);
    CHECK_CLOSE(g, f, 1e-12, 0);
    CHECK_STATUS(clnscl_rsa_sim(SX, SY, n, &g), CLNSCL_OK);
    CHECK_STATUS(clnscl_rsa_pearson(X.data, n, X.cols, Y.data, Y.cols, &f), CLNSCL_OK);
    CHECK_CLOSE(g, f, 1e-12, 0);
    CHECK_STATUS(clnscl_cka_gram(LX, LY, n, &g), CLNSCL_OK);
    CHECK_STATUS(clnscl_cka_linear(X.data, n, X.cols, Y.data, Y.cols, &f), CLNSCL_OK);
    CHECK_CLOSE(g, f, 1e-12, 0);
    free(SX);
    free(SY);
    free(LX);
    free(LY);
    clnscl_mat_free(&X);
    clnscl_mat_free(&Y);
}

static void test_golden(void)
{
    /* K1 */
    double x5[5] = {1, 2, 3, 4, 5}, y5[5], x4[4] = {1, 2, 3, 4}, y4[4], v = NAN;
    for (int i = 0; i < 5; i++) y5[i] = x5[i] * x5[i];
    for (int i = 0; i < 4; i++) y4[i] = x4[i] * x4[i];
    CHECK_STATUS(clnscl_cka_linear(x5, 5, 1, y5, 1, &v), CLNSCL_OK);
    CHECK_CLOSE(v, 0.962566844920, 0, 5e-13);
    CHECK_STATUS(clnscl_cka_debiased(x5, 5, 1, y5, 1, &v), CLNSCL_OK);
    CHECK_CLOSE(v, 0.984602169462, 0, 5e-13);
    CHECK_STATUS(clnscl_cka_linear(x4, 4, 1, y4, 1, &v), CLNSCL_OK);
    CHECK_CLOSE(v, 0.968992248062, 0, 5e-13);
    CHECK_STATUS(clnscl_cka_debiased(x4, 4, 1, y4, 1, &v), CLNSCL_OK);
    CHECK_CLOSE(v, 0.999456226170, 0, 5e-13);
    /* K2: offset precision */
    double xo[8], yo[8];
    for (int i = 1; i <= 8; i++) {
        xo[i - 1] = 10000 + 0.1 * i;
        yo[i - 1] = i;
    }
    CHECK_STATUS(clnscl_cka_linear(xo, 8, 1, yo, 1, &v), CLNSCL_OK);
    CHECK_CLOSE(v, 1.0, 1e-12, 0);
    CHECK_STATUS(clnscl_cka_debiased(xo, 8, 1, yo, 1, &v), CLNSCL_OK);
    CHECK_CLOSE(v, 1.0, 1e-12, 0);
    CHECK_STATUS(clnscl_cka_rbf(xo, 8, 1, yo, 1, 1.0, &v), CLNSCL_OK);
    CHECK_CLOSE(v, 1.0, 1e-12, 0);
    /* R1: Spearman with ties (average ranks) */
    double ra[4] = {5.05, 6.75, 3.21, 2.66}, rb[4] = {1.65, 2.64, 2.64, 6.95};
    CHECK_STATUS(clnscl_spearman(ra, rb, 4, &v), CLNSCL_OK);
    CHECK_CLOSE(v, -0.632455532, 0, 5e-10);
    CHECK_CLOSE(v, -0.2 * sqrt(10.0), 1e-15, 0); /* closed form: −2/√10 */
}

/* orthogonal Q (d × d) from a product of Householder reflections of random vectors */
static void random_orthogonal(clnscl_rng *r, size_t d, double *Q)
{
    for (size_t i = 0; i < d * d; i++) Q[i] = (i % (d + 1)) == 0;
    double *u = malloc(d * sizeof *u);
    for (int rep = 0; rep < 3; rep++) {
        double nn = 0;
        for (size_t i = 0; i < d; i++) {
            u[i] = clnscl_rng_normal(r);
            nn += u[i] * u[i];
        }
        for (size_t row = 0; row < d; row++) { /* Q ← Q (I − 2uuᵀ/‖u‖²) */
            double dot = 0;
            for (size_t i = 0; i < d; i++) dot += Q[row * d + i] * u[i];
            for (size_t i = 0; i < d; i++) Q[row * d + i] -= 2 * dot / nn * u[i];
        }
    }
    free(u);
}

static void test_invariances(void)
{
    clnscl_mat X = load("A_X.npy"), Y = load("A_Y.npy");
    size_t n = X.rows, dx = X.cols;
    double base[NM];
    for (size_t k = 0; k < NM; k++) base[k] = metric(k, &X, &Y);
    clnscl_mat T = {n, dx, malloc(n * dx * sizeof(double))};
    /* isotropic scaling by 1e-6 and 1e6: every metric unchanged */
    for (int s = 0; s < 2; s++) {
        double c = s ? 1e6 : 1e-6;
        for (size_t i = 0; i < n * dx; i++) T.data[i] = X.data[i] * c;
        for (size_t k = 0; k < NM; k++) CHECK_CLOSE(metric(k, &T, &Y), base[k], 1e-12, 0);
    }
    /* orthogonal rotation: every metric unchanged (cosines and distances are preserved) */
    clnscl_rng r;
    clnscl_rng_seed(&r, 7);
    double *Q = malloc(dx * dx * sizeof *Q);
    random_orthogonal(&r, dx, Q);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < dx; j++) {
            double s = 0;
            for (size_t l = 0; l < dx; l++) s += X.data[i * dx + l] * Q[l * dx + j];
            T.data[i * dx + j] = s;
        }
    for (size_t k = 0; k < NM; k++) CHECK_CLOSE(metric(k, &T, &Y), base[k], 1e-12, 0);
    /* CKA(X, XQ) = 1 */
    for (size_t k = 0; k < 4; k++) CHECK_CLOSE(metric(k, &X, &T), 1.0, 1e-12, 0);
    /* translation: linear, debiased and RBF CKA unchanged (cosine-based metrics are not
     * translation invariant by definition) */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < dx; j++) T.data[i * dx + j] = X.data[i * dx + j] + 1e3 * (double)(j + 1);
    for (size_t k = 0; k < 4; k++)
        if (k != 1) CHECK_CLOSE(metric(k, &T, &Y), base[k], 1e-10, 0);
    /* CKA(X, 3X + 1e4) = 1 */
    for (size_t i = 0; i < n * dx; i++) T.data[i] = 3 * X.data[i] + 1e4;
    CHECK_CLOSE(metric(0, &X, &T), 1.0, 1e-12, 0);
    CHECK_CLOSE(metric(2, &X, &T), 1.0, 1e-12, 0);
    CHECK_CLOSE(metric(3, &X, &T), 1.0, 1e-12, 0);
    /* self-comparison: exactly 1 to 1e-12, every metric */
    for (size_t k = 0; k < NM; k++) {
        CHECK_CLOSE(metric(k, &X, &X), 1.0, 0, 1e-12);
        CHECK_CLOSE(metric(k, &Y, &Y), 1.0, 0, 1e-12);
    }
    /* symmetry in (X, Y) */
    for (size_t k = 0; k < NM; k++) CHECK_CLOSE(metric(k, &Y, &X), base[k], 1e-13, 0);
    /* same input ⇒ bitwise same output */
    for (size_t k = 0; k < NM; k++) {
        double a = metric(k, &X, &Y);
        CHECK(memcmp(&a, &base[k], sizeof a) == 0);
    }
    free(Q);
    clnscl_mat_free(&T);
    clnscl_mat_free(&X);
    clnscl_mat_free(&Y);
}

static void test_degenerate(void)
{
    double v = 0;
    /* K3: all-constant / all-zero features */
    double c6[6] = {0.1, 0.7, 0.1, 0.7, 0.1, 0.7}, z6[6] = {0}, y6[6] = {1, 2, 3, 4, 5, 7};
    double y3[3] = {1, 2, 4};
    CHECK_STATUS(clnscl_cka_linear(c6, 3, 2, y3, 1, &v), CLNSCL_EDEGENERATE);
    CHECK(strstr(clnscl_last_error(), "constant") != NULL);
    CHECK_STATUS(clnscl_cka_linear(y3, 3, 1, z6, 2, &v), CLNSCL_EDEGENERATE);
    CHECK_STATUS(clnscl_cka_debiased(y6, 6, 1, z6, 1, &v), CLNSCL_EDEGENERATE);
    CHECK_STATUS(clnscl_cka_rbf(c6, 3, 2, y3, 1, 1.0, &v), CLNSCL_EDEGENERATE);
    CHECK_STATUS(clnscl_cka_cosine(c6, 3, 2, y3, 1, &v), CLNSCL_EDEGENERATE); /* identical rows */
    /* a zero row: cosine undefined */
    double zr[6] = {1, 2, 0, 0, 3, 1}, ok6[6] = {1, 0, 0, 1, 1, 1};
    CHECK_STATUS(clnscl_cka_cosine(zr, 3, 2, ok6, 2, &v), CLNSCL_EDEGENERATE);
    CHECK(strstr(clnscl_last_error(), "X row 1 is all zeros") != NULL);
    CHECK_STATUS(clnscl_rsa_pearson(ok6, 3, 2, zr, 2, &v), CLNSCL_EDEGENERATE);
    CHECK(strstr(clnscl_last_error(), "Y row 1 is all zeros") != NULL);
    CHECK_STATUS(clnscl_rsa_spearman(zr, 3, 2, ok6, 2, &v), CLNSCL_EDEGENERATE);
    /* one constant column among others is fine */
    double m6[6] = {1, 5, 2, 5, 4, 5};
    CHECK_STATUS(clnscl_cka_linear(m6, 3, 2, y3, 1, &v), CLNSCL_OK);
    CHECK_CLOSE(v, 1.0, 1e-12, 0);
    /* n too small: CKA n < 2, debiased n < 4 (K4), RSA n < 3 (R2) */
    CHECK_STATUS(clnscl_cka_linear(y3, 1, 1, y3, 1, &v), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_cka_cosine(y3, 1, 1, y3, 1, &v), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_cka_debiased(y6, 3, 1, y6, 1, &v), CLNSCL_EINVAL);
    CHECK(strstr(clnscl_last_error(), "n >= 4") != NULL);
    CHECK_STATUS(clnscl_cka_rbf(y3, 1, 1, y3, 1, 1.0, &v), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_rsa_pearson(ok6, 2, 2, ok6, 2, &v), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_rsa_spearman(ok6, 2, 2, ok6, 2, &v), CLNSCL_EINVAL);
    /* R2: all off-diagonal dissimilarities equal (orthonormal rows: every cosine 0) */
    double I3[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, P3[9] = {1, 2, 0, 0, 1, 3, 2, 0, 1};
    CHECK_STATUS(clnscl_rsa_pearson(I3, 3, 3, P3, 3, &v), CLNSCL_EDEGENERATE);
    CHECK_STATUS(clnscl_rsa_spearman(P3, 3, 3, I3, 3, &v), CLNSCL_EDEGENERATE);
    /* equiangular (regular simplex in the plane): cosines −1/2, rounded differently */
    double s3[6] = {1, 0, -0.5, sqrt(3) / 2, -0.5, -sqrt(3) / 2};
    CHECK_STATUS(clnscl_rsa_pearson(s3, 3, 2, P3, 3, &v), CLNSCL_EDEGENERATE);
    /* NaN / Inf */
    double nanx[6] = {1, 2, 3, NAN, 5, 6};
    for (size_t k = 0; k < NM; k++) {
        CHECK_STATUS(M[k].fn(nanx, 6, 1, y6, 1, &v), CLNSCL_ENONFINITE);
        CHECK_STATUS(M[k].fn(y6, 6, 1, nanx, 1, &v), CLNSCL_ENONFINITE);
    }
    nanx[3] = -INFINITY;
    CHECK_STATUS(clnscl_cka_linear(nanx, 3, 2, y3, 1, &v), CLNSCL_ENONFINITE);
    /* bad RBF factor, vectors */
    CHECK_STATUS(clnscl_cka_rbf(y6, 6, 1, y6, 1, 0.0, &v), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_cka_rbf(y6, 6, 1, y6, 1, NAN, &v), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_pearson(y6, c6, 1, &v), CLNSCL_EINVAL);
    double k4[4] = {2, 2, 2, 2};
    CHECK_STATUS(clnscl_pearson(y6, k4, 4, &v), CLNSCL_EDEGENERATE);
    CHECK_STATUS(clnscl_spearman(k4, y6, 4, &v), CLNSCL_EDEGENERATE);
    /* K4: debiased CKA may be negative and is not clipped. x = 1..6, y = (2,6,1,5,3,4):
     * numpy Gram-route reference (gen_align.py's hsic_u) gives −1/7; linear CKA 1/49 */
    double xa[6] = {1, 2, 3, 4, 5, 6}, ya[6] = {2, 6, 1, 5, 3, 4};
    CHECK_STATUS(clnscl_cka_debiased(xa, 6, 1, ya, 1, &v), CLNSCL_OK);
    CHECK_CLOSE(v, -1.0 / 7.0, 1e-12, 0);
    CHECK_STATUS(clnscl_cka_linear(xa, 6, 1, ya, 1, &v), CLNSCL_OK);
    CHECK_CLOSE(v, 1.0 / 49.0, 1e-12, 0);
}

/* clnscl_norm2 / clnscl_normalize_rows: no overflow or underflow in the squares (3-4-5 rows at
 * any scale), in place, and the degenerate rows refused */
static void test_row_norms(void)
{
    const double scales[] = {1.0, 1e300, 1e-300, 1e-320};
    for (int s = 0; s < 4; s++) {
        const double c = scales[s], x[] = {3 * c, -4 * c};
        CHECK_CLOSE(clnscl_norm2(x, 2), 5 * c, 1e-15, s == 3 ? 1e-323 : 0);
        double o[2];
        CHECK_STATUS(clnscl_normalize_rows(x, 1, 2, "x", o), CLNSCL_OK);
        CHECK_CLOSE(o[0], s == 3 ? o[0] : 0.6, 1e-15, 0); /* 3e-320 is subnormal: only the direction */
        if (s < 3) CHECK_CLOSE(o[1], -0.8, 1e-15, 0);
        CHECK_CLOSE(o[0] * o[0] + o[1] * o[1], 1.0, s == 3 ? 1e-3 : 1e-15, 0);
    }
    double big[] = {1.7e308, 1.7e308, 1e308, 0};
    CHECK(isinf(clnscl_norm2(big, 2))); /* the norm itself exceeds the double range */
    CHECK_STATUS(clnscl_normalize_rows(big, 2, 2, "big", big), CLNSCL_OK); /* in place, two-step scaling */
    CHECK_CLOSE(big[0], sqrt(0.5), 1e-15, 0);
    CHECK_CLOSE(big[1], sqrt(0.5), 1e-15, 0);
    CHECK_CLOSE(big[2], 1.0, 0, 0);
    CHECK(clnscl_norm2(big + 3, 1) == 0.0);
    double zero[] = {1, 2, 0, 0}, o[4];
    CHECK_STATUS(clnscl_normalize_rows(zero, 2, 2, "Z", o), CLNSCL_EDEGENERATE);
    double nan_[] = {1, NAN};
    CHECK_STATUS(clnscl_normalize_rows(nan_, 1, 2, "N", o), CLNSCL_ENONFINITE);
}

int main(void)
{
    clnscl_gsl_quiet();
    test_references();
    test_gram_routes();
    test_golden();
    test_invariances();
    test_degenerate();
    test_row_norms();
    return check_report();
}
