/* train/model.c — encoder + projector (+ CE head) on flat blocks (model.h; THEORY.md §6.2). */
#include "clnscl/model.h"
#include "clnscl/status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One encoder stage. MLP: Linear → BN → ReLU. CNN: Conv3×3 → BN → ReLU → MaxPool 2×2. */
typedef struct {
    size_t w, gamma, beta;    /* parameter offsets                           */
    size_t rmean, rvar;       /* BN statistics offsets                       */
    int in_c, in_h, in_w;     /* input (MLP: in_c = width, in_h = in_w = 1)   */
    int out_c, out_h, out_w;  /* pre-pool output channels / size             */
    int po_h, po_w;           /* pooled size (CNN)                           */
    float *pre;               /* (M, out_c, out_h, out_w) before BN          */
    float *act;               /* (M, out_c, out_h, out_w) BN → ReLU (in place) */
    float *pool;              /* (M, out_c, po_h, po_w) (CNN)                */
    float *mean, *rstd;       /* (out_c) batch statistics                    */
} stage;

struct clnscl_model_internal {
    stage enc[CLNSCL_MAX_ENC_LAYERS];
    size_t p_w1, p_g1, p_b1, p_w2, p_g2, h_w, h_b; /* projector / head offsets */
    size_t s_m1, s_v1, s_m2, s_v2;                 /* projector BN statistics  */
    float *hbuf;            /* (M, feat_dim) (CNN: global average pool)        */
    float *pre1, *a1;       /* (M, proj_hidden)                                */
    float *pre2;            /* (M, proj_dim); p = BN output                    */
    float *norm;            /* (M)                                             */
    float *mean1, *rstd1, *mean2, *rstd2;
    float *col, *dcol;      /* im2col scratch (CNN)                            */
    float *g[3];            /* gradient scratch, each (M, max_row) floats      */
    size_t max_row;
    const float *x;         /* input of the last training forward             */
    int trained;            /* last forward was training-mode                 */
    float *block;           /* single activation allocation                   */
};

clnscl_model_config clnscl_model_config_default(clnscl_encoder_kind kind, int in_c, int in_h,
                                                int in_w)
{
    clnscl_model_config c;
    memset(&c, 0, sizeof(c));
    c.encoder = kind;
    c.in_c = in_c;
    c.in_h = in_h;
    c.in_w = in_w;
    if (kind == CLNSCL_ENC_MLP) {
        c.n_enc = 2; c.enc[0] = 256; c.enc[1] = 256;
        c.proj_hidden = 256; c.proj_dim = 64;
    } else {
        c.n_enc = 3; c.enc[0] = 8; c.enc[1] = 16; c.enc[2] = 32;
        c.proj_hidden = 128; c.proj_dim = 64;
    }
    c.n_classes = 0;
    c.max_batch = 512;
    return c;
}

int clnscl_model_parse_encoder(const char *name, clnscl_encoder_kind *out)
{
    if (name && strcmp(name, "mlp") == 0) { *out = CLNSCL_ENC_MLP; return CLNSCL_OK; }
    if (name && strcmp(name, "cnn") == 0) { *out = CLNSCL_ENC_CNN; return CLNSCL_OK; }
    return clnscl_fail(CLNSCL_EINVAL, "unknown model '%s' (expected mlp or cnn)", name ? name : "");
}

int clnscl_model_parse_widths(const char *s, int *widths, int *n)
{
    int k = 0;
    const char *p = s;
    if (!s || !*s) return clnscl_fail(CLNSCL_EINVAL, "empty list of layer widths");
    while (*p) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 1 || v > 65536 || (*end && *end != ','))
            return clnscl_fail(CLNSCL_EINVAL, "bad layer widths '%s' (expected e.g. 512,256)", s);
        if (k == CLNSCL_MAX_ENC_LAYERS)
            return clnscl_fail(CLNSCL_EINVAL, "at most %d encoder layers", CLNSCL_MAX_ENC_LAYERS);
        widths[k++] = (int)v;
        p = *end ? end + 1 : end;
        if (*end && !*p) return clnscl_fail(CLNSCL_EINVAL, "bad layer widths '%s'", s);
    }
    *n = k;
    return CLNSCL_OK;
}

static int check_config(const clnscl_model_config *c)
{
    if (c->in_c < 1 || c->in_h < 1 || c->in_w < 1 || (double)c->in_c * c->in_h * c->in_w > 1e7)
        return clnscl_fail(CLNSCL_EINVAL, "bad input shape %d×%d×%d", c->in_c, c->in_h, c->in_w);
    if (c->n_enc < 1 || c->n_enc > CLNSCL_MAX_ENC_LAYERS)
        return clnscl_fail(CLNSCL_EINVAL, "encoder needs 1..%d layers (got %d)",
                           CLNSCL_MAX_ENC_LAYERS, c->n_enc);
    for (int l = 0; l < c->n_enc; l++)
        if (c->enc[l] < 1 || c->enc[l] > 65536)
            return clnscl_fail(CLNSCL_EINVAL, "encoder layer %d has width %d", l, c->enc[l]);
    if (c->proj_hidden < 1 || c->proj_dim < 1 || c->proj_hidden > 65536 || c->proj_dim > 65536)
        return clnscl_fail(CLNSCL_EINVAL, "bad projector sizes %d, %d", c->proj_hidden, c->proj_dim);
    if (c->n_classes < 0 || c->n_classes > 100000)
        return clnscl_fail(CLNSCL_EINVAL, "bad number of classes %d", c->n_classes);
    if (c->max_batch < 2 || c->max_batch > 1 << 20)
        return clnscl_fail(CLNSCL_EINVAL, "max batch must be in [2, 2^20] (got %d)", c->max_batch);
    if (c->encoder == CLNSCL_ENC_CNN) {
        int h = c->in_h, w = c->in_w;
        for (int l = 0; l < c->n_enc; l++) { h /= 2; w /= 2; }
        if (h < 1 || w < 1)
            return clnscl_fail(CLNSCL_EINVAL, "cnn: %d pooling stages shrink a %d×%d image to nothing",
                               c->n_enc, c->in_h, c->in_w);
    }
    return CLNSCL_OK;
}

/* at most 3 tensors per encoder stage + 5 projector + 2 head */
#define MAX_TENSORS (3 * CLNSCL_MAX_ENC_LAYERS + 7)

/* add a named tensor of `size` floats at the end of the block */
static size_t add_tensor(clnscl_model *m, const char *name, size_t size, clnscl_tensor_kind kind,
                         int enc_weight)
{
    clnscl_tensor *t = &m->tensors[m->ntensors++];
    snprintf(t->name, sizeof(t->name), "%s", name);
    t->offset = m->nparams;
    t->size = size;
    t->kind = kind;
    t->encoder_weight = enc_weight;
    m->nparams += size;
    return t->offset;
}

/* The layout of cfg; with `dry` only the sizes (nparams, nstats, feat_dim, bytes of *out),
 * the model freed again before its blocks are allocated. */
static int model_alloc(clnscl_model **out, const clnscl_model_config *cfg, int dry, clnscl_model *sizes)
{
    *out = NULL;
    int st = check_config(cfg);
    if (st) return st;
    clnscl_model *m = calloc(1, sizeof(*m));
    clnscl_model_internal *in = calloc(1, sizeof(*in));
    clnscl_tensor *tensors = calloc(MAX_TENSORS, sizeof(clnscl_tensor));
    if (!m || !in || !tensors) {
        free(m); free(in); free(tensors);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory (model)");
    }
    m->in = in;
    m->cfg = *cfg;
    m->tensors = tensors;
    m->in_dim = cfg->in_c * cfg->in_h * cfg->in_w;
    const size_t M = (size_t)cfg->max_batch;
    char name[48];
    /* layout: parameters, statistics and per-row activation sizes */
    size_t act = 0, max_row = (size_t)m->in_dim;
    int c = cfg->in_c, h = cfg->in_h, w = cfg->in_w;
    if (cfg->encoder == CLNSCL_ENC_MLP) { c = m->in_dim; h = w = 1; }
    size_t col = 0;
    for (int l = 0; l < cfg->n_enc; l++) {
        stage *s = &in->enc[l];
        s->in_c = c; s->in_h = h; s->in_w = w;
        s->out_c = cfg->enc[l]; s->out_h = h; s->out_w = w;
        if (cfg->encoder == CLNSCL_ENC_MLP) {
            snprintf(name, sizeof name, "encoder.%d.weight", l);
            s->w = add_tensor(m, name, (size_t)s->out_c * c, CLNSCL_TENSOR_WEIGHT, 1);
            s->po_h = h; s->po_w = w;
        } else {
            snprintf(name, sizeof name, "encoder.%d.conv.weight", l);
            s->w = add_tensor(m, name, (size_t)s->out_c * c * 9, CLNSCL_TENSOR_WEIGHT, 1);
            s->po_h = h / 2; s->po_w = w / 2;
            size_t cs = clnscl_nn_conv2d_col_size(c, h, w, 3, 1, 1);
            if (cs > col) col = cs;
        }
        snprintf(name, sizeof name, "encoder.%d.bn.weight", l);
        s->gamma = add_tensor(m, name, (size_t)s->out_c, CLNSCL_TENSOR_BN_GAMMA, 1);
        snprintf(name, sizeof name, "encoder.%d.bn.bias", l);
        s->beta = add_tensor(m, name, (size_t)s->out_c, CLNSCL_TENSOR_BN_BETA, 0);
        s->rmean = m->nstats; s->rvar = m->nstats + (size_t)s->out_c;
        m->nstats += 2 * (size_t)s->out_c;
        const size_t full = (size_t)s->out_c * h * w, pooled = (size_t)s->out_c * s->po_h * s->po_w;
        act += 2 * full + (cfg->encoder == CLNSCL_ENC_CNN ? pooled : 0);
        if (full > max_row) max_row = full;
        c = s->out_c; h = s->po_h; w = s->po_w;
    }
    m->feat_dim = c;
    const int ph = cfg->proj_hidden, pd = cfg->proj_dim, C = cfg->n_classes;
    in->p_w1 = add_tensor(m, "projector.0.weight", (size_t)ph * c, CLNSCL_TENSOR_WEIGHT, 0);
    in->p_g1 = add_tensor(m, "projector.1.weight", (size_t)ph, CLNSCL_TENSOR_BN_GAMMA, 0);
    in->p_b1 = add_tensor(m, "projector.1.bias", (size_t)ph, CLNSCL_TENSOR_BN_BETA, 0);
    in->p_w2 = add_tensor(m, "projector.3.weight", (size_t)pd * ph, CLNSCL_TENSOR_WEIGHT, 0);
    in->p_g2 = add_tensor(m, "projector.4.weight", (size_t)pd, CLNSCL_TENSOR_BN_GAMMA, 0);
    if (C > 0) {
        in->h_w = add_tensor(m, "head.weight", (size_t)C * pd, CLNSCL_TENSOR_WEIGHT, 0);
        in->h_b = add_tensor(m, "head.bias", (size_t)C, CLNSCL_TENSOR_BIAS, 0);
    }
    in->s_m1 = m->nstats; in->s_v1 = m->nstats + ph; m->nstats += 2 * (size_t)ph;
    in->s_m2 = m->nstats; in->s_v2 = m->nstats + pd; m->nstats += 2 * (size_t)pd;
    const size_t feat = (size_t)m->feat_dim;
    act += (cfg->encoder == CLNSCL_ENC_CNN ? feat : 0) + 2 * (size_t)ph + 3 * (size_t)pd + 1 +
           (size_t)C;
    size_t small = 0;
    for (int l = 0; l < cfg->n_enc; l++) small += 2 * (size_t)in->enc[l].out_c;
    small += 2 * (size_t)ph + 2 * (size_t)pd;
    size_t rows[] = {feat, (size_t)ph, (size_t)pd, (size_t)(C > 0 ? C : 1)};
    for (int i = 0; i < 4; i++) if (rows[i] > max_row) max_row = rows[i];
    in->max_row = max_row;
    const double total = (double)M * ((double)act + 3.0 * (double)max_row) + (double)small +
                         2.0 * (double)col;
    if (total > 4e9 / sizeof(float)) {
        clnscl_model_free(m);
        return clnscl_fail(CLNSCL_ENOMEM, "model activations need %.1f GB (reduce --batch or widths)",
                           total * sizeof(float) / 1e9);
    }
    m->bytes = (2 * m->nparams + m->nstats + (size_t)total) * sizeof(float) + MAX_TENSORS * sizeof(clnscl_tensor);
    if (dry) {
        sizes->nparams = m->nparams;
        sizes->nstats = m->nstats;
        sizes->feat_dim = m->feat_dim;
        sizes->bytes = m->bytes;
        clnscl_model_free(m);
        return CLNSCL_OK;
    }
    m->params = calloc(m->nparams, sizeof(float));
    m->grads = calloc(m->nparams, sizeof(float));
    m->bn_stats = calloc(m->nstats, sizeof(float));
    in->block = malloc((size_t)total * sizeof(float));
    if (!m->tensors || !m->params || !m->grads || !m->bn_stats || !in->block) {
        clnscl_model_free(m);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory for the model (%zu parameters)", m->nparams);
    }
    /* carve the activation block */
    float *q = in->block;
#define TAKE(ptr, n) do { (ptr) = q; q += (n); } while (0)
    for (int l = 0; l < cfg->n_enc; l++) {
        stage *s = &in->enc[l];
        const size_t full = (size_t)s->out_c * s->out_h * s->out_w;
        TAKE(s->pre, M * full);
        TAKE(s->act, M * full);
        if (cfg->encoder == CLNSCL_ENC_CNN) TAKE(s->pool, M * (size_t)s->out_c * s->po_h * s->po_w);
        TAKE(s->mean, (size_t)s->out_c);
        TAKE(s->rstd, (size_t)s->out_c);
    }
    if (cfg->encoder == CLNSCL_ENC_CNN) TAKE(in->hbuf, M * feat);
    TAKE(in->pre1, M * ph);
    TAKE(in->a1, M * ph);
    TAKE(in->pre2, M * pd);
    TAKE(m->p, M * pd);
    TAKE(m->z, M * pd);
    TAKE(in->norm, M);
    if (C > 0) TAKE(m->logits, M * C);
    TAKE(in->mean1, (size_t)ph); TAKE(in->rstd1, (size_t)ph);
    TAKE(in->mean2, (size_t)pd); TAKE(in->rstd2, (size_t)pd);
    for (int i = 0; i < 3; i++) TAKE(in->g[i], M * max_row);
    TAKE(in->col, col); TAKE(in->dcol, col);
#undef TAKE
    m->h = cfg->encoder == CLNSCL_ENC_CNN ? in->hbuf : in->enc[cfg->n_enc - 1].act;
    *out = m;
    return CLNSCL_OK;
}

int clnscl_model_alloc(clnscl_model **out, const clnscl_model_config *cfg)
{
    return model_alloc(out, cfg, 0, NULL);
}

int clnscl_model_footprint(const clnscl_model_config *cfg, size_t *nparams, size_t *nstats, int *feat_dim,
                           size_t *bytes)
{
    clnscl_model *m, sizes;
    int st = model_alloc(&m, cfg, 1, &sizes);
    if (st) return st;
    *nparams = sizes.nparams;
    *nstats = sizes.nstats;
    *feat_dim = sizes.feat_dim;
    *bytes = sizes.bytes;
    return CLNSCL_OK;
}

void clnscl_model_free(clnscl_model *m)
{
    if (!m) return;
    if (m->in) free(m->in->block);
    free(m->in);
    free(m->params);
    free(m->grads);
    free(m->bn_stats);
    free(m->tensors);
    free(m);
}

void clnscl_model_init(clnscl_model *m, clnscl_rng *r)
{
    for (int t = 0; t < m->ntensors; t++) {
        const clnscl_tensor *T = &m->tensors[t];
        float *p = m->params + T->offset;
        if (T->kind == CLNSCL_TENSOR_BN_GAMMA) {
            for (size_t i = 0; i < T->size; i++) p[i] = 1.0f;
        } else if (T->kind == CLNSCL_TENSOR_BN_BETA) {
            memset(p, 0, T->size * sizeof(float));
        } else {
            /* torch default: U(−1/√fan_in, 1/√fan_in); fan_in = in features (× k² for conv) */
            size_t fan_in;
            if (T->kind == CLNSCL_TENSOR_WEIGHT) {
                const clnscl_tensor *Tn = t + 1 < m->ntensors ? &m->tensors[t + 1] : NULL;
                size_t fan_out = Tn && (Tn->kind == CLNSCL_TENSOR_BN_GAMMA || Tn->kind == CLNSCL_TENSOR_BIAS)
                                     ? Tn->size : (size_t)m->cfg.n_classes;
                fan_in = T->size / fan_out;
            } else {
                fan_in = (size_t)m->cfg.proj_dim; /* head bias */
            }
            const double bound = 1.0 / sqrt((double)fan_in);
            for (size_t i = 0; i < T->size; i++)
                p[i] = (float)(bound * (2.0 * clnscl_rng_uniform(r) - 1.0));
        }
    }
    /* running mean 0, running var 1: stats are laid out [mean(C), var(C)] per BN */
    const clnscl_model_internal *in = m->in;
    for (int l = 0; l < m->cfg.n_enc; l++) {
        const stage *s = &in->enc[l];
        for (int c = 0; c < s->out_c; c++) { m->bn_stats[s->rmean + c] = 0.0f; m->bn_stats[s->rvar + c] = 1.0f; }
    }
    for (int c = 0; c < m->cfg.proj_hidden; c++) { m->bn_stats[in->s_m1 + c] = 0.0f; m->bn_stats[in->s_v1 + c] = 1.0f; }
    for (int c = 0; c < m->cfg.proj_dim; c++) { m->bn_stats[in->s_m2 + c] = 0.0f; m->bn_stats[in->s_v2 + c] = 1.0f; }
    clnscl_model_zero_grad(m);
}

int clnscl_model_copy(clnscl_model *dst, const clnscl_model *src)
{
    if (dst->nparams != src->nparams || dst->nstats != src->nstats ||
        dst->ntensors != src->ntensors || dst->feat_dim != src->feat_dim)
        return clnscl_fail(CLNSCL_ESHAPE, "model copy between different architectures");
    memcpy(dst->params, src->params, src->nparams * sizeof(float));
    memcpy(dst->bn_stats, src->bn_stats, src->nstats * sizeof(float));
    clnscl_model_zero_grad(dst);
    return CLNSCL_OK;
}

void clnscl_model_zero_grad(clnscl_model *m)
{
    memset(m->grads, 0, m->nparams * sizeof(float));
}

/* shared forward; train = 1 uses batch statistics and updates running statistics */
static int forward(clnscl_model *m, const float *x, int M, int train)
{
    if (M < (train ? 2 : 1) || M > m->cfg.max_batch)
        return clnscl_fail(CLNSCL_ESHAPE, "batch of %d rows outside [%d, %d]", M, train ? 2 : 1,
                           m->cfg.max_batch);
    clnscl_model_internal *in = m->in;
    const float *P = m->params;
    float *S = m->bn_stats;
    const float *prev = x;
    const int cnn = m->cfg.encoder == CLNSCL_ENC_CNN;
    for (int l = 0; l < m->cfg.n_enc; l++) {
        stage *s = &in->enc[l];
        const int Sp = s->out_h * s->out_w;
        if (cnn)
            clnscl_nn_conv2d_forward(s->pre, prev, P + s->w, NULL, in->col, M, s->in_c, s->in_h,
                                     s->in_w, s->out_c, 3, 1, 1);
        else
            clnscl_nn_linear_forward(s->pre, prev, P + s->w, NULL, M, s->in_c, s->out_c);
        if (train)
            clnscl_nn_batchnorm_forward(s->act, s->mean, s->rstd, s->pre, P + s->gamma, P + s->beta,
                                        S + s->rmean, S + s->rvar, M, s->out_c, Sp);
        else
            clnscl_nn_batchnorm_forward_eval(s->act, s->pre, P + s->gamma, P + s->beta,
                                             S + s->rmean, S + s->rvar, M, s->out_c, Sp);
        clnscl_nn_relu_forward(s->act, s->act, (size_t)M * s->out_c * Sp);
        if (cnn) {
            clnscl_nn_maxpool_forward(s->pool, s->act, M, s->out_c, s->out_h, s->out_w, 2, 2);
            prev = s->pool;
        } else {
            prev = s->act;
        }
    }
    if (cnn) {
        const stage *s = &in->enc[m->cfg.n_enc - 1];
        /* global average pool (M, c, po_h, po_w) → h (M, c); po_h == po_w not required */
        const int Sp = s->po_h * s->po_w;
        for (size_t i = 0; i < (size_t)M * s->out_c; i++) {
            float acc = 0.0f;
            for (int k = 0; k < Sp; k++) acc += s->pool[i * Sp + k];
            in->hbuf[i] = acc / (float)Sp;
        }
    }
    const int F = m->feat_dim, ph = m->cfg.proj_hidden, pd = m->cfg.proj_dim, C = m->cfg.n_classes;
    clnscl_nn_linear_forward(in->pre1, m->h, P + in->p_w1, NULL, M, F, ph);
    if (train)
        clnscl_nn_batchnorm_forward(in->a1, in->mean1, in->rstd1, in->pre1, P + in->p_g1, P + in->p_b1,
                                    S + in->s_m1, S + in->s_v1, M, ph, 1);
    else
        clnscl_nn_batchnorm_forward_eval(in->a1, in->pre1, P + in->p_g1, P + in->p_b1, S + in->s_m1,
                                         S + in->s_v1, M, ph, 1);
    clnscl_nn_relu_forward(in->a1, in->a1, (size_t)M * ph);
    clnscl_nn_linear_forward(in->pre2, in->a1, P + in->p_w2, NULL, M, ph, pd);
    if (train)
        clnscl_nn_batchnorm_forward(m->p, in->mean2, in->rstd2, in->pre2, P + in->p_g2, NULL,
                                    S + in->s_m2, S + in->s_v2, M, pd, 1);
    else
        clnscl_nn_batchnorm_forward_eval(m->p, in->pre2, P + in->p_g2, NULL, S + in->s_m2,
                                         S + in->s_v2, M, pd, 1);
    clnscl_nn_l2norm_forward(m->z, in->norm, m->p, M, pd);
    if (C > 0) clnscl_nn_linear_forward(m->logits, m->z, P + in->h_w, P + in->h_b, M, pd, C);
    m->M = M;
    in->x = x;
    in->trained = train;
    return CLNSCL_OK;
}

int clnscl_model_forward(clnscl_model *m, const float *x, int M) { return forward(m, x, M, 1); }
int clnscl_model_forward_eval(clnscl_model *m, const float *x, int M) { return forward(m, x, M, 0); }

/* zeroed gradient scratch buffer i for n floats */
static float *gz(clnscl_model_internal *in, int i, size_t n)
{
    memset(in->g[i], 0, n * sizeof(float));
    return in->g[i];
}

void clnscl_model_backward(clnscl_model *m, const float *dp, const float *dlogits)
{
    clnscl_model_internal *in = m->in;
    const int M = m->M, F = m->feat_dim, ph = m->cfg.proj_hidden, pd = m->cfg.proj_dim;
    const int C = m->cfg.n_classes, cnn = m->cfg.encoder == CLNSCL_ENC_CNN;
    const float *P = m->params;
    float *G = m->grads;
    /* ∂L/∂p: given directly and/or through head → l2norm */
    float *dP = gz(in, 0, (size_t)M * pd);
    if (dp) memcpy(dP, dp, (size_t)M * pd * sizeof(float));
    if (dlogits && C > 0) {
        float *dz = gz(in, 1, (size_t)M * pd);
        clnscl_nn_linear_backward(dz, G + in->h_w, G + in->h_b, dlogits, m->z, P + in->h_w, M, pd, C);
        clnscl_nn_l2norm_backward(dP, dz, m->z, m->p, in->norm, M, pd);
    }
    float *dpre2 = gz(in, 1, (size_t)M * pd);
    clnscl_nn_batchnorm_backward(dpre2, G + in->p_g2, NULL, dP, in->pre2, in->mean2, in->rstd2,
                                 P + in->p_g2, M, pd, 1);
    float *da1 = gz(in, 0, (size_t)M * ph);
    clnscl_nn_linear_backward(da1, G + in->p_w2, NULL, dpre2, in->a1, P + in->p_w2, M, ph, pd);
    float *dbn1 = gz(in, 1, (size_t)M * ph);
    clnscl_nn_relu_backward(dbn1, da1, in->a1, (size_t)M * ph); /* a1 > 0 ⇔ BN output > 0 */
    float *dpre1 = gz(in, 2, (size_t)M * ph);
    clnscl_nn_batchnorm_backward(dpre1, G + in->p_g1, G + in->p_b1, dbn1, in->pre1, in->mean1,
                                 in->rstd1, P + in->p_g1, M, ph, 1);
    float *dh = gz(in, 0, (size_t)M * F);
    clnscl_nn_linear_backward(dh, G + in->p_w1, NULL, dpre1, m->h, P + in->p_w1, M, F, ph);
    /* encoder, last stage first; `dout` is ∂L/∂(stage output) in buffer cur */
    int cur = 0;
    for (int l = m->cfg.n_enc - 1; l >= 0; l--) {
        stage *s = &in->enc[l];
        const int Sp = s->out_h * s->out_w;
        const size_t full = (size_t)M * s->out_c * Sp;
        const int a = (cur + 1) % 3;
        float *dact;
        if (cnn) {
            if (l == m->cfg.n_enc - 1) {
                /* global average pool backward: dpool = dh / Sp broadcast */
                const int Sq = s->po_h * s->po_w;
                float *dpool = gz(in, a, (size_t)M * s->out_c * Sq);
                for (size_t i = 0; i < (size_t)M * s->out_c; i++)
                    for (int k = 0; k < Sq; k++) dpool[i * Sq + k] = in->g[cur][i] / (float)Sq;
                cur = a;
            }
            const int a2 = (cur + 1) % 3;
            dact = gz(in, a2, full);
            clnscl_nn_maxpool_backward(dact, in->g[cur], s->act, M, s->out_c, s->out_h, s->out_w, 2, 2);
            cur = a2;
        } else {
            dact = in->g[cur];
        }
        const int x1 = (cur + 1) % 3, x2 = (cur + 2) % 3;
        float *dbn = gz(in, x1, full);
        clnscl_nn_relu_backward(dbn, dact, s->act, full);
        float *dpre = gz(in, x2, full);
        clnscl_nn_batchnorm_backward(dpre, G + s->gamma, G + s->beta, dbn, s->pre, s->mean, s->rstd,
                                     P + s->gamma, M, s->out_c, Sp);
        const float *inp = l > 0 ? (cnn ? in->enc[l - 1].pool : in->enc[l - 1].act) : in->x;
        float *dinp = l > 0 ? gz(in, x1, (size_t)M * s->in_c * s->in_h * s->in_w) : NULL;
        if (cnn)
            clnscl_nn_conv2d_backward(dinp, G + s->w, NULL, dpre, inp, P + s->w, in->col, in->dcol, M,
                                      s->in_c, s->in_h, s->in_w, s->out_c, 3, 1, 1);
        else
            clnscl_nn_linear_backward(dinp, G + s->w, NULL, dpre, inp, P + s->w, M, s->in_c, s->out_c);
        cur = x1;
    }
}

int clnscl_model_train_step(clnscl_model *m, const float *x, int B, const int32_t *labels,
                            clnscl_loss_kind kind, clnscl_loss_form form, double tau, double *loss)
{
    if (B < 1 || 2 * B > m->cfg.max_batch)
        return clnscl_fail(CLNSCL_ESHAPE, "batch %d: 2B must be in [2, %d]", B, m->cfg.max_batch);
    if (kind == CLNSCL_LOSS_CE && m->cfg.n_classes < 1)
        return clnscl_fail(CLNSCL_EINVAL, "ce loss needs a model with a classification head");
    clnscl_model_zero_grad(m);
    int st = clnscl_model_forward(m, x, 2 * B);
    if (st) return st;
    const int pd = m->cfg.proj_dim, C = m->cfg.n_classes;
    const int ce = kind == CLNSCL_LOSS_CE;
    float *d = malloc((size_t)2 * B * (ce ? C : pd) * sizeof(float));
    if (!d) return clnscl_fail(CLNSCL_ENOMEM, "out of memory for the loss gradient");
    if (ce)
        st = clnscl_loss_ce_f(m->logits, (size_t)B, (size_t)C, labels, loss, d);
    else
        st = clnscl_loss_contrastive_f(kind, form, tau, m->p, (size_t)B, (size_t)pd, labels, loss, d);
    if (st == CLNSCL_OK) clnscl_model_backward(m, ce ? NULL : d, ce ? d : NULL);
    free(d);
    return st;
}

int clnscl_model_embed(clnscl_model *m, const float *x, size_t n, double *h, double *z)
{
    const size_t F = (size_t)m->feat_dim, pd = (size_t)m->cfg.proj_dim;
    for (size_t r0 = 0; r0 < n; r0 += (size_t)m->cfg.max_batch) {
        const size_t k = n - r0 < (size_t)m->cfg.max_batch ? n - r0 : (size_t)m->cfg.max_batch;
        int st = clnscl_model_forward_eval(m, x + r0 * (size_t)m->in_dim, (int)k);
        if (st) return st;
        if (h) for (size_t i = 0; i < k * F; i++) h[r0 * F + i] = m->h[i];
        if (z) for (size_t i = 0; i < k * pd; i++) z[r0 * pd + i] = m->z[i];
    }
    return CLNSCL_OK;
}

int clnscl_model_weight_gap(const clnscl_model *a, const clnscl_model *b, double *gap_enc,
                            double *gap_all)
{
    if (a->nparams != b->nparams || a->ntensors != b->ntensors)
        return clnscl_fail(CLNSCL_ESHAPE, "weight gap between different architectures");
    double sum = 0.0, dd = 0.0, na = 0.0, nb = 0.0;
    int used = 0;
    for (int t = 0; t < a->ntensors; t++) {
        const clnscl_tensor *T = &a->tensors[t];
        const float *x = a->params + T->offset, *y = b->params + T->offset;
        double d2 = 0.0, a2 = 0.0, b2 = 0.0;
        for (size_t i = 0; i < T->size; i++) {
            const double u = x[i], v = y[i];
            d2 += (u - v) * (u - v);
            a2 += u * u;
            b2 += v * v;
        }
        dd += d2; na += a2; nb += b2;
        const double den = 0.5 * (sqrt(a2) + sqrt(b2));
        if (T->encoder_weight && den > 0.0) { sum += sqrt(d2) / den; used++; }
    }
    const double den_all = 0.5 * (sqrt(na) + sqrt(nb));
    if (used == 0 || !(den_all > 0.0))
        return clnscl_fail(CLNSCL_EDEGENERATE, "weight gap undefined: all weight norms are zero");
    if (gap_enc) *gap_enc = sum / used;
    if (gap_all) *gap_all = sqrt(dd) / den_all;
    return CLNSCL_OK;
}
