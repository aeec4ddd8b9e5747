/* train/probe.c — quality of frozen features: nearest-class-mean accuracy and a linear probe
 * (multinomial logistic regression), both in double precision (THEORY.md §6 experiments:
 * the paper reports probe accuracy of the twins next to their alignment). */
#include "clnscl/data.h"
#include "clnscl/status.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int check_inputs(const double *f, const int32_t *y, size_t n, size_t dim, int K,
                        const char *what)
{
    for (size_t i = 0; i < n; i++) {
        if (y[i] < 0 || y[i] >= K)
            return clnscl_fail(CLNSCL_EINVAL, "probe: %s label %d at row %zu outside [0, %d)",
                               what, (int)y[i], i, K);
        for (size_t j = 0; j < dim; j++)
            if (!isfinite(f[i * dim + j]))
                return clnscl_fail(CLNSCL_ENONFINITE, "probe: %s features have NaN/Inf at row "
                                   "%zu, column %zu", what, i, j);
    }
    return CLNSCL_OK;
}

static int check_all(const double *ftrain, const int32_t *ytrain, size_t ntrain,
                     const double *feval, const int32_t *yeval, size_t neval, size_t dim, int K)
{
    if (ntrain == 0 || neval == 0 || dim == 0 || K < 2)
        return clnscl_fail(CLNSCL_EINVAL, "probe: need ntrain, neval, dim > 0 and >= 2 classes "
                           "(got %zu, %zu, %zu, %d)", ntrain, neval, dim, K);
    int s = check_inputs(ftrain, ytrain, ntrain, dim, K, "train");
    if (!s) s = check_inputs(feval, yeval, neval, dim, K, "eval");
    return s;
}

int clnscl_probe_ncc(const double *ftrain, const int32_t *ytrain, size_t ntrain,
                     const double *feval, const int32_t *yeval, size_t neval,
                     size_t dim, int num_classes, double *acc)
{
    int K = num_classes;
    int s = check_all(ftrain, ytrain, ntrain, feval, yeval, neval, dim, K);
    if (s) return s;
    double *mu = calloc((size_t)K * dim, sizeof *mu);
    size_t *cnt = calloc((size_t)K, sizeof *cnt);
    if (!mu || !cnt) {
        free(mu); free(cnt);
        return clnscl_fail(CLNSCL_ENOMEM, "probe: out of memory");
    }
    for (size_t i = 0; i < ntrain; i++) {
        double *m = mu + (size_t)ytrain[i] * dim;
        const double *x = ftrain + i * dim;
        for (size_t j = 0; j < dim; j++) m[j] += x[j];
        cnt[ytrain[i]]++;
    }
    for (int c = 0; c < K; c++)
        if (cnt[c])
            for (size_t j = 0; j < dim; j++) mu[(size_t)c * dim + j] /= (double)cnt[c];
    size_t correct = 0;
    for (size_t i = 0; i < neval; i++) {
        const double *x = feval + i * dim;
        int best = -1;
        double bd = 0.0;
        for (int c = 0; c < K; c++) {
            if (!cnt[c]) continue;
            const double *m = mu + (size_t)c * dim;
            double d2 = 0.0;
            for (size_t j = 0; j < dim; j++) {
                double t = x[j] - m[j];
                d2 += t * t;
            }
            if (best < 0 || d2 < bd) { best = c; bd = d2; }
        }
        correct += best == yeval[i];
    }
    free(mu);
    free(cnt);
    *acc = (double)correct / (double)neval;
    return CLNSCL_OK;
}

void clnscl_probe_defaults(clnscl_probe_config *c)
{
    c->iters = 100;
    c->memory = 10;
    c->weight_decay = 1e-4;
    c->standardize = 1;
    c->tol = 1e-7;
}

/* Softmax regression objective and gradient at theta = [W (dim × K) row-major, b (K)]:
 * f = (1/n) Σ_i [logsumexp(z_i) − z_{i,y_i}] + λ/2 ‖W‖²_F, z = X W + 1 bᵀ;
 * ∇W = Xᵀ(P − Y)/n + λW, ∇b = 1ᵀ(P − Y)/n. Z is n × K scratch. Rows are processed in
 * blocks so that a block of X is still in cache for the gradient product. */
static double softmax_fg(const double *X, const int32_t *y, size_t n, size_t dim, int K,
                         double lambda, const double *theta, double *grad, double *Z)
{
    const double *W = theta, *b = theta + dim * (size_t)K;
    const size_t R = 256;
    double f = 0.0, inv = 1.0 / (double)n;
    double *gb = grad + dim * (size_t)K;
    memset(gb, 0, (size_t)K * sizeof(double));
    for (size_t r0 = 0; r0 < n; r0 += R) {
        size_t m = n - r0 < R ? n - r0 : R;
        const double *Xb = X + r0 * dim;
        double *Zb = Z + r0 * (size_t)K;
        for (size_t i = 0; i < m; i++) memcpy(Zb + i * (size_t)K, b, (size_t)K * sizeof(double));
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, K, (int)dim, 1.0, Xb,
                    (int)dim, W, K, 1.0, Zb, K);
        for (size_t i = 0; i < m; i++) {
            double *z = Zb + i * (size_t)K, mx = z[0];
            int yi = y[r0 + i];
            for (int c = 1; c < K; c++) if (z[c] > mx) mx = z[c];
            double se = 0.0, zy = z[yi];
            for (int c = 0; c < K; c++) { z[c] = exp(z[c] - mx); se += z[c]; }
            f += log(se) + mx - zy;
            for (int c = 0; c < K; c++) z[c] /= se;
            z[yi] -= 1.0;                              /* Z ← P − Y */
            for (int c = 0; c < K; c++) gb[c] += z[c];
        }
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)dim, K, (int)m, inv, Xb,
                    (int)dim, Zb, K, r0 ? 1.0 : 0.0, grad, K);
    }
    for (int c = 0; c < K; c++) gb[c] *= inv;
    double w2 = 0.0;
    for (size_t j = 0; j < dim * (size_t)K; j++) {
        grad[j] += lambda * W[j];
        w2 += W[j] * W[j];
    }
    return f * inv + 0.5 * lambda * w2;
}

static double dot(const double *a, const double *b, size_t m)
{
    double s = 0.0;
    for (size_t i = 0; i < m; i++) s += a[i] * b[i];
    return s;
}

static double norm_inf(const double *a, size_t m)
{
    double s = 0.0;
    for (size_t i = 0; i < m; i++) if (fabs(a[i]) > s) s = fabs(a[i]);
    return s;
}

int clnscl_probe_linear(const clnscl_probe_config *c,
                        const double *ftrain, const int32_t *ytrain, size_t ntrain,
                        const double *feval, const int32_t *yeval, size_t neval,
                        size_t dim, int num_classes, double *acc,
                        double *Wout, double *bout, double *objective)
{
    int K = num_classes;
    if (c->iters < 0 || c->memory < 1 || !(c->weight_decay >= 0.0) ||
        !isfinite(c->weight_decay) || !(c->tol >= 0.0))
        return clnscl_fail(CLNSCL_EINVAL, "probe: bad configuration (iters %d, memory %d, "
                           "weight_decay %g, tol %g)", c->iters, c->memory, c->weight_decay,
                           c->tol);
    int s = check_all(ftrain, ytrain, ntrain, feval, yeval, neval, dim, K);
    if (s) return s;
    if (ntrain > (size_t)1 << 30 || dim > (size_t)1 << 24)
        return clnscl_fail(CLNSCL_EINVAL, "probe: problem too large (%zu × %zu)", ntrain, dim);

    size_t P = dim * (size_t)K + (size_t)K, M = (size_t)c->memory;
    double *X = malloc(ntrain * dim * sizeof *X);
    double *mean = calloc(dim, sizeof *mean), *scale = malloc(dim * sizeof *scale);
    double *Z = malloc(ntrain * (size_t)K * sizeof *Z);
    double *work = calloc(P * (5 + 2 * M), sizeof *work);
    double *rho = calloc(M, sizeof *rho), *alpha = calloc(M, sizeof *alpha);
    double *Ze = malloc((size_t)K * sizeof *Ze);
    if (!X || !mean || !scale || !Z || !work || !rho || !alpha || !Ze) {
        free(X); free(mean); free(scale); free(Z); free(work); free(rho); free(alpha); free(Ze);
        return clnscl_fail(CLNSCL_ENOMEM, "probe: out of memory (%zu × %zu)", ntrain, dim);
    }
    double *theta = work, *g = work + P, *dir = work + 2 * P, *tn = work + 3 * P,
           *gn = work + 4 * P;
    double *S = work + 5 * P, *Yh = work + (5 + M) * P;

    /* standardization with train statistics (constant features → centred only) */
    for (size_t j = 0; j < dim; j++) scale[j] = 1.0;
    if (c->standardize) {
        for (size_t i = 0; i < ntrain; i++)
            for (size_t j = 0; j < dim; j++) mean[j] += ftrain[i * dim + j];
        for (size_t j = 0; j < dim; j++) mean[j] /= (double)ntrain;
        double *var = Z;   /* borrow scratch: needs dim ≤ ntrain·K, else compute below */
        int own = dim > ntrain * (size_t)K;
        if (own) var = calloc(dim, sizeof *var);
        if (!var) {
            free(X); free(mean); free(scale); free(Z); free(work); free(rho); free(alpha);
            free(Ze);
            return clnscl_fail(CLNSCL_ENOMEM, "probe: out of memory");
        }
        memset(var, 0, dim * sizeof *var);
        for (size_t i = 0; i < ntrain; i++)
            for (size_t j = 0; j < dim; j++) {
                double t = ftrain[i * dim + j] - mean[j];
                var[j] += t * t;
            }
        for (size_t j = 0; j < dim; j++) {
            double sd = sqrt(var[j] / (double)ntrain);
            scale[j] = sd > 1e-12 * (1.0 + fabs(mean[j])) ? 1.0 / sd : 1.0;
        }
        if (own) free(var);
    }
    for (size_t i = 0; i < ntrain; i++)
        for (size_t j = 0; j < dim; j++)
            X[i * dim + j] = (ftrain[i * dim + j] - mean[j]) * scale[j];

    /* L-BFGS (Nocedal & Wright Alg. 7.4/7.5) with Armijo backtracking, from θ = 0 */
    double lambda = c->weight_decay;
    double f = softmax_fg(X, ytrain, ntrain, dim, K, lambda, theta, g, Z);
    size_t stored = 0, head = 0;   /* ring buffer of (s, y) pairs */
    for (int it = 0; it < c->iters && norm_inf(g, P) >= c->tol; it++) {
        /* two-loop recursion: dir = −H g */
        for (size_t j = 0; j < P; j++) dir[j] = -g[j];
        for (size_t k = 0; k < stored; k++) {
            size_t idx = (head + M - 1 - k) % M;
            alpha[idx] = rho[idx] * dot(S + idx * P, dir, P);
            cblas_daxpy((int)P, -alpha[idx], Yh + idx * P, 1, dir, 1);
        }
        double gamma;
        if (stored) {
            size_t last = (head + M - 1) % M;
            gamma = dot(S + last * P, Yh + last * P, P) / dot(Yh + last * P, Yh + last * P, P);
        } else {
            gamma = 1.0 / fmax(norm_inf(g, P), 1e-300);   /* first step: unit ∞-norm move */
        }
        for (size_t j = 0; j < P; j++) dir[j] *= gamma;
        for (size_t k = stored; k-- > 0;) {
            size_t idx = (head + M - 1 - k) % M;
            double beta = rho[idx] * dot(Yh + idx * P, dir, P);
            cblas_daxpy((int)P, alpha[idx] - beta, S + idx * P, 1, dir, 1);
        }
        double gd = dot(g, dir, P);
        if (!(gd < 0.0)) {            /* not a descent direction: reset to steepest descent */
            stored = 0;
            for (size_t j = 0; j < P; j++) dir[j] = -g[j] / fmax(norm_inf(g, P), 1e-300);
            gd = dot(g, dir, P);
        }
        double step = 1.0, fn = f;
        int ok = 0;
        for (int ls = 0; ls < 40; ls++) {
            for (size_t j = 0; j < P; j++) tn[j] = theta[j] + step * dir[j];
            fn = softmax_fg(X, ytrain, ntrain, dim, K, lambda, tn, gn, Z);
            if (isfinite(fn) && fn <= f + 1e-4 * step * gd) { ok = 1; break; }
            step *= 0.5;
        }
        if (!ok) break;               /* no decrease possible at this precision */
        /* curvature pair */
        double *sk = S + head * P, *yk = Yh + head * P;
        for (size_t j = 0; j < P; j++) { sk[j] = tn[j] - theta[j]; yk[j] = gn[j] - g[j]; }
        double sy = dot(sk, yk, P);
        if (sy > 1e-12 * sqrt(dot(sk, sk, P) * dot(yk, yk, P))) {
            rho[head] = 1.0 / sy;
            head = (head + 1) % M;
            if (stored < M) stored++;
        }
        memcpy(theta, tn, P * sizeof *theta);
        memcpy(g, gn, P * sizeof *g);
        f = fn;
    }

    /* evaluation */
    const double *W = theta, *b = theta + dim * (size_t)K;
    size_t correct = 0;
    for (size_t i = 0; i < neval; i++) {
        const double *x = feval + i * dim;
        for (int k = 0; k < K; k++) Ze[k] = b[k];
        for (size_t j = 0; j < dim; j++) {
            double xs = (x[j] - mean[j]) * scale[j];
            const double *wr = W + j * (size_t)K;
            for (int k = 0; k < K; k++) Ze[k] += xs * wr[k];
        }
        int best = 0;
        for (int k = 1; k < K; k++) if (Ze[k] > Ze[best]) best = k;
        correct += best == yeval[i];
    }
    *acc = (double)correct / (double)neval;
    if (Wout) memcpy(Wout, W, dim * (size_t)K * sizeof *Wout);
    if (bout) memcpy(bout, b, (size_t)K * sizeof *bout);
    if (objective) *objective = f;
    free(X); free(mean); free(scale); free(Z); free(work); free(rho); free(alpha); free(Ze);
    return CLNSCL_OK;
}
