/* train/optim.c — SGD with momentum and LARS (optim.h; THEORY.md §6.3). */
#include "clnscl/optim.h"
#include "clnscl/status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

clnscl_optim_config clnscl_optim_config_default(void)
{
    clnscl_optim_config c = {CLNSCL_OPT_LARS, 0.9, 1e-6, 0.001, 1.0, 0};
    return c;
}

int clnscl_optim_parse_kind(const char *name, clnscl_opt_kind *out)
{
    if (name && strcmp(name, "sgd") == 0) { *out = CLNSCL_OPT_SGD; return CLNSCL_OK; }
    if (name && strcmp(name, "lars") == 0) { *out = CLNSCL_OPT_LARS; return CLNSCL_OK; }
    return clnscl_fail(CLNSCL_EINVAL, "unknown optimizer '%s' (expected sgd or lars)",
                       name ? name : "");
}

int clnscl_optim_alloc(clnscl_optim **out, const clnscl_optim_config *cfg, size_t n,
                       const clnscl_tensor *tensors, int ntensors)
{
    *out = NULL;
    if (!(cfg->momentum >= 0.0 && cfg->momentum < 1.0))
        return clnscl_fail(CLNSCL_EINVAL, "momentum must be in [0, 1) (got %g)", cfg->momentum);
    if (!(cfg->weight_decay >= 0.0) || !isfinite(cfg->weight_decay))
        return clnscl_fail(CLNSCL_EINVAL, "weight decay must be ≥ 0 (got %g)", cfg->weight_decay);
    if (cfg->kind == CLNSCL_OPT_LARS && (!(cfg->trust > 0.0) || !isfinite(cfg->trust)))
        return clnscl_fail(CLNSCL_EINVAL, "LARS trust coefficient must be > 0 (got %g)", cfg->trust);
    if (!(cfg->clip >= 0.0) || !isfinite(cfg->clip))
        return clnscl_fail(CLNSCL_EINVAL, "gradient clipping norm must be ≥ 0 (got %g)", cfg->clip);
    size_t off = 0;
    for (int t = 0; t < ntensors; t++) {
        if (tensors[t].offset != off)
            return clnscl_fail(CLNSCL_EINVAL, "optimizer: tensors do not tile the parameter block");
        off += tensors[t].size;
    }
    if (off != n || n == 0)
        return clnscl_fail(CLNSCL_EINVAL, "optimizer: tensors cover %zu of %zu parameters", off, n);
    clnscl_optim *o = calloc(1, sizeof(*o));
    float *m = o ? calloc(n, sizeof(float)) : NULL;
    if (!o || !m) {
        free(o); free(m);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory for optimizer state (%zu parameters)", n);
    }
    o->cfg = *cfg;
    o->n = n;
    o->m = m;
    o->tensors = tensors;
    o->ntensors = ntensors;
    *out = o;
    return CLNSCL_OK;
}

void clnscl_optim_free(clnscl_optim *o)
{
    if (!o) return;
    free(o->m);
    free(o);
}

int clnscl_optim_copy(clnscl_optim *dst, const clnscl_optim *src)
{
    if (dst->n != src->n)
        return clnscl_fail(CLNSCL_ESHAPE, "optimizer copy: %zu vs %zu parameters", dst->n, src->n);
    memcpy(dst->m, src->m, src->n * sizeof(float));
    return CLNSCL_OK;
}

/* Loops run in fixed blocks of VB so that -O2's SLP vectoriser handles them. */
#define VB 16

/* ‖x‖₂ accumulated in double (VB partial sums, added in a fixed order) */
static double norm2(const float *x, size_t n)
{
    double part[VB] = {0};
    size_t i = 0;
    for (; i + VB <= n; i += VB)
        for (int j = 0; j < VB; j++) part[j] += (double)x[i + j] * x[i + j];
    double s = 0.0;
    for (; i < n; i++) s += (double)x[i] * x[i];
    for (int j = 0; j < VB; j++) s += part[j];
    return sqrt(s);
}

/* g += wd·w */
static void axpy(float *g, float wd, const float *w, size_t n)
{
    size_t i = 0;
    for (; i + VB <= n; i += VB)
        for (int j = 0; j < VB; j++) g[i + j] += wd * w[i + j];
    for (; i < n; i++) g[i] += wd * w[i];
}

/* m = μ·m + q·g;  w −= lr·m */
static void momentum_update(float *w, float *m, const float *g, float mu, float q, float lr, size_t n)
{
    size_t i = 0;
    for (; i + VB <= n; i += VB) {
        float t[VB];
        for (int j = 0; j < VB; j++) t[j] = mu * m[i + j] + q * g[i + j];
        for (int j = 0; j < VB; j++) { m[i + j] = t[j]; w[i + j] -= lr * t[j]; }
    }
    for (; i < n; i++) {
        m[i] = mu * m[i] + q * g[i];
        w[i] -= lr * m[i];
    }
}

int clnscl_optim_step(clnscl_optim *o, float *params, float *grads, double lr)
{
    if (!(lr >= 0.0) || !isfinite(lr))
        return clnscl_fail(CLNSCL_EINVAL, "learning rate must be finite and ≥ 0 (got %g)", lr);
    const double gn = norm2(grads, o->n);
    o->last_grad_norm = gn;
    if (!isfinite(gn))
        return clnscl_fail(CLNSCL_ENONFINITE, "gradient has NaN/Inf (training diverged?)");
    /* 1. clip_grad_norm_ over the whole block */
    if (o->cfg.clip > 0.0 && o->cfg.clip / (gn + 1e-6) < 1.0) {
        const float sc = (float)(o->cfg.clip / (gn + 1e-6));
        for (size_t i = 0; i < o->n; i++) grads[i] *= sc;
    }
    const float mu = (float)o->cfg.momentum, wd = (float)o->cfg.weight_decay;
    for (int t = 0; t < o->ntensors; t++) {
        const clnscl_tensor *T = &o->tensors[t];
        float *w = params + T->offset, *g = grads + T->offset, *m = o->m + T->offset;
        const int excluded = o->cfg.lars_exclude_1d && T->kind != CLNSCL_TENSOR_WEIGHT;
        /* 2. d = g + wd·w (in place in the gradient buffer) */
        if (!excluded && wd != 0.0f) axpy(g, wd, w, T->size);
        /* 3. LARS trust ratio q = trust·‖w‖/‖d‖ */
        float q = 1.0f;
        if (o->cfg.kind == CLNSCL_OPT_LARS && !excluded) {
            const double wn = norm2(w, T->size), dn = norm2(g, T->size);
            if (wn > 0.0 && dn > 0.0) q = (float)(o->cfg.trust * wn / dn);
        }
        /* 4. m = μ·m + q·d;  w −= lr·m */
        momentum_update(w, m, g, mu, q, (float)lr, T->size);
    }
    return CLNSCL_OK;
}
