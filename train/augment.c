/* train/augment.c — image augmentations driven by one copyable RNG stream
 * (THEORY.md §1 "shared randomness", §6 experiments; EDGE_CASES.md T1).
 *
 * Per view, in order: random resized crop (bilinear, with the horizontal flip folded into
 * the same resampling), colour jitter (brightness, contrast, and for RGB saturation and a
 * YIQ chroma rotation as a light hue jitter; random order as torchvision's ColorJitter),
 * random grayscale (RGB), additive Gaussian noise; clamp to [0,1]. Every random number is
 * drawn in a fixed order that depends only on the config and C, never on pixel values. */
#include "clnscl/data.h"
#include "clnscl/status.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

void clnscl_augment_defaults(clnscl_augment_config *c)
{
    c->crop_prob = 1.0;
    c->crop_scale_min = 0.3;
    c->crop_scale_max = 1.0;
    c->crop_ratio_min = 3.0 / 4.0;
    c->crop_ratio_max = 4.0 / 3.0;
    c->flip_prob = 0.5;
    c->jitter_prob = 0.8;
    c->brightness = 0.4;
    c->contrast = 0.4;
    c->saturation = 0.4;
    c->hue = 0.1;
    c->grayscale_prob = 0.2;
    c->noise_prob = 0.5;
    c->noise_std = 0.05;
    c->threads = 2;
}

void clnscl_augment_identity(clnscl_augment_config *c)
{
    clnscl_augment_defaults(c);
    c->crop_prob = 0.0;
    c->flip_prob = 0.0;
    c->jitter_prob = 0.0;
    c->grayscale_prob = 0.0;
    c->noise_prob = 0.0;
}

static int bad_prob(double p) { return !(p >= 0.0 && p <= 1.0); }
static int bad_strength(double s) { return !(s >= 0.0 && isfinite(s)); }

int clnscl_augment_validate(const clnscl_augment_config *c)
{
    struct { const char *name; double v; } probs[] = {
        { "crop_prob", c->crop_prob }, { "flip_prob", c->flip_prob },
        { "jitter_prob", c->jitter_prob }, { "grayscale_prob", c->grayscale_prob },
        { "noise_prob", c->noise_prob } };
    for (size_t i = 0; i < sizeof probs / sizeof probs[0]; i++)
        if (bad_prob(probs[i].v))
            return clnscl_fail(CLNSCL_EINVAL, "augmentation %s = %g must be in [0, 1]",
                               probs[i].name, probs[i].v);
    if (!(c->crop_scale_min > 0.0 && c->crop_scale_min <= c->crop_scale_max &&
          c->crop_scale_max <= 1.0))
        return clnscl_fail(CLNSCL_EINVAL, "augmentation crop scale [%g, %g] must satisfy "
                           "0 < min <= max <= 1", c->crop_scale_min, c->crop_scale_max);
    if (!(c->crop_ratio_min > 0.0 && c->crop_ratio_min <= c->crop_ratio_max &&
          isfinite(c->crop_ratio_max)))
        return clnscl_fail(CLNSCL_EINVAL, "augmentation crop ratio [%g, %g] must satisfy "
                           "0 < min <= max", c->crop_ratio_min, c->crop_ratio_max);
    struct { const char *name; double v; } str[] = {
        { "brightness", c->brightness }, { "contrast", c->contrast },
        { "saturation", c->saturation }, { "hue", c->hue }, { "noise_std", c->noise_std } };
    for (size_t i = 0; i < sizeof str / sizeof str[0]; i++)
        if (bad_strength(str[i].v))
            return clnscl_fail(CLNSCL_EINVAL, "augmentation %s = %g must be finite and >= 0",
                               str[i].name, str[i].v);
    if (c->hue > 0.5)
        return clnscl_fail(CLNSCL_EINVAL, "augmentation hue = %g must be <= 0.5", c->hue);
    if (c->threads < 1 || c->threads > 64)
        return clnscl_fail(CLNSCL_EINVAL, "augmentation threads = %d must be in [1, 64]",
                           c->threads);
    return CLNSCL_OK;
}

static inline float clamp01(float v) { return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v); }

/* factor uniform in [max(0, 1 − s), 1 + s] */
static double jitter_factor(clnscl_rng *rng, double s)
{
    double lo = 1.0 - s > 0.0 ? 1.0 - s : 0.0;
    return lo + (1.0 + s - lo) * clnscl_rng_uniform(rng);
}

/* Resampling of the crop box (y0, x0, h, w in pixels of the source) to H × W with
 * bilinear interpolation (half-pixel centres, edge clamped), optionally mirrored.
 * A full box (0, 0, H, W) without flip reproduces the input exactly. */
static void resample(int C, int H, int W, const float *in, float *out,
                     double y0, double x0, double h, double w, int flip)
{
    double sy = h / H, sx = w / W;
    int xi0[CLNSCL_AUGMENT_MAX_SIDE], xi1[CLNSCL_AUGMENT_MAX_SIDE];
    float fx[CLNSCL_AUGMENT_MAX_SIDE];
    for (int x = 0; x < W; x++) {
        int xs = flip ? W - 1 - x : x;
        double u = x0 + (xs + 0.5) * sx - 0.5;
        if (u < 0.0) u = 0.0;
        if (u > W - 1) u = W - 1;
        int i0 = (int)u;
        if (i0 > W - 1) i0 = W - 1;
        xi0[x] = i0;
        xi1[x] = i0 + 1 < W ? i0 + 1 : W - 1;
        fx[x] = (float)(u - i0);
    }
    for (int y = 0; y < H; y++) {
        double v = y0 + (y + 0.5) * sy - 0.5;
        if (v < 0.0) v = 0.0;
        if (v > H - 1) v = H - 1;
        int j0 = (int)v;
        if (j0 > H - 1) j0 = H - 1;
        int j1 = j0 + 1 < H ? j0 + 1 : H - 1;
        float fy = (float)(v - j0);
        for (int c = 0; c < C; c++) {
            const float *r0 = in + ((size_t)c * H + j0) * W, *r1 = in + ((size_t)c * H + j1) * W;
            float *o = out + ((size_t)c * H + y) * W;
            for (int x = 0; x < W; x++) {
                float a = r0[xi0[x]] + fx[x] * (r0[xi1[x]] - r0[xi0[x]]);
                float b = r1[xi0[x]] + fx[x] * (r1[xi1[x]] - r1[xi0[x]]);
                o[x] = a + fy * (b - a);
            }
        }
    }
}

/* luma of an RGB image into g (H·W) */
static void luma(const float *x, size_t hw, float *g)
{
    for (size_t i = 0; i < hw; i++)
        g[i] = 0.299f * x[i] + 0.587f * x[hw + i] + 0.114f * x[2 * hw + i];
}

/* colour ops, in place on out (C × hw); tmp has hw floats */
static void op_brightness(float *x, size_t n, float f)
{
    for (size_t i = 0; i < n; i++) x[i] = clamp01(f * x[i]);
}

static void op_contrast(float *x, int C, size_t hw, float f, float *tmp)
{
    double m = 0.0;
    if (C == 3) {
        luma(x, hw, tmp);
        for (size_t i = 0; i < hw; i++) m += tmp[i];
    } else {
        for (size_t i = 0; i < hw; i++) m += x[i];
    }
    float mean = (float)(m / (double)hw), g = (1.0f - f) * mean;
    for (size_t i = 0; i < (size_t)C * hw; i++) x[i] = clamp01(f * x[i] + g);
}

static void op_saturation(float *x, size_t hw, float f, float *tmp)
{
    luma(x, hw, tmp);
    for (int c = 0; c < 3; c++)
        for (size_t i = 0; i < hw; i++)
            x[c * hw + i] = clamp01(f * x[c * hw + i] + (1.0f - f) * tmp[i]);
}

/* hue-lite: rotate the (I, Q) chroma plane of YIQ by angle θ, keeping luma Y */
static void op_hue(float *x, size_t hw, double theta)
{
    float cs = (float)cos(theta), sn = (float)sin(theta);
    for (size_t i = 0; i < hw; i++) {
        float r = x[i], g = x[hw + i], b = x[2 * hw + i];
        float Y = 0.299f * r + 0.587f * g + 0.114f * b;
        float I = 0.596f * r - 0.274f * g - 0.322f * b;
        float Q = 0.211f * r - 0.523f * g + 0.312f * b;
        float I2 = cs * I - sn * Q, Q2 = sn * I + cs * Q;
        x[i] = clamp01(Y + 0.956f * I2 + 0.621f * Q2);
        x[hw + i] = clamp01(Y - 0.272f * I2 - 0.647f * Q2);
        x[2 * hw + i] = clamp01(Y - 1.106f * I2 + 1.703f * Q2);
    }
}

void clnscl_augment_image(const clnscl_augment_config *c, int C, int H, int W,
                          const float *in, float *out, clnscl_rng *rng)
{
    size_t hw = (size_t)H * W, n = (size_t)C * hw;
    float tmp[CLNSCL_AUGMENT_MAX_SIDE * CLNSCL_AUGMENT_MAX_SIDE];

    /* 1. geometry: random resized crop + horizontal flip, one resampling */
    double y0 = 0.0, x0 = 0.0, h = H, w = W;
    int do_crop = clnscl_rng_uniform(rng) < c->crop_prob;
    if (do_crop) {
        double s = c->crop_scale_min + (c->crop_scale_max - c->crop_scale_min) *
                   clnscl_rng_uniform(rng);
        double lr0 = log(c->crop_ratio_min), lr1 = log(c->crop_ratio_max);
        double ratio = exp(lr0 + (lr1 - lr0) * clnscl_rng_uniform(rng));
        double fw = sqrt(s * ratio), fh = sqrt(s / ratio);   /* fractions of W and H */
        if (fw > 1.0) fw = 1.0;
        if (fh > 1.0) fh = 1.0;
        h = fh * H;
        w = fw * W;
        y0 = (H - h) * clnscl_rng_uniform(rng);
        x0 = (W - w) * clnscl_rng_uniform(rng);
    }
    int flip = clnscl_rng_uniform(rng) < c->flip_prob;
    if (do_crop || flip)
        resample(C, H, W, in, out, y0, x0, h, w, flip);
    else
        memcpy(out, in, n * sizeof(float));

    /* 2. colour jitter: factors then a random order of the applicable ops */
    if (clnscl_rng_uniform(rng) < c->jitter_prob) {
        int nops = C == 3 ? 4 : 2;
        double fb = jitter_factor(rng, c->brightness);
        double fc = jitter_factor(rng, c->contrast);
        double fs = 1.0, th = 0.0;
        if (C == 3) {
            fs = jitter_factor(rng, c->saturation);
            th = (2.0 * clnscl_rng_uniform(rng) - 1.0) * c->hue * 2.0 * M_PI;
        }
        int order[4] = { 0, 1, 2, 3 };
        for (int i = nops - 1; i > 0; i--) {
            int j = (int)clnscl_rng_below(rng, (uint64_t)i + 1);
            int t = order[i]; order[i] = order[j]; order[j] = t;
        }
        for (int k = 0; k < nops; k++) {
            switch (order[k]) {
            case 0: if (c->brightness > 0) op_brightness(out, n, (float)fb); break;
            case 1: if (c->contrast > 0) op_contrast(out, C, hw, (float)fc, tmp); break;
            case 2: if (c->saturation > 0) op_saturation(out, hw, (float)fs, tmp); break;
            case 3: if (c->hue > 0) op_hue(out, hw, th); break;
            }
        }
    }

    /* 3. random grayscale (RGB only) */
    if (C == 3 && clnscl_rng_uniform(rng) < c->grayscale_prob) {
        luma(out, hw, tmp);
        for (int ch = 0; ch < 3; ch++) memcpy(out + ch * hw, tmp, hw * sizeof(float));
    }

    /* 4. Gaussian noise: Marsaglia's polar method in float, both normals of each accepted
     *    pair used; one 64-bit draw gives the two 24-bit uniforms of a proposal */
    if (clnscl_rng_uniform(rng) < c->noise_prob && c->noise_std > 0.0) {
        const float sd = (float)c->noise_std, k24 = 1.0f / 8388608.0f;   /* 2/2^24 */
        for (size_t i = 0; i < n; i += 2) {
            float u, v, s;
            do {
                uint64_t b = clnscl_rng_next(rng);
                u = (float)(b >> 40) * k24 - 1.0f;                 /* top 24 bits  */
                v = (float)((b >> 8) & 0xFFFFFFu) * k24 - 1.0f;   /* next 24 bits */
                s = u * u + v * v;
            } while (s >= 1.0f || s == 0.0f);
            float m = sd * sqrtf(-2.0f * logf(s) / s);
            out[i] = clamp01(out[i] + m * u);
            if (i + 1 < n) out[i + 1] = clamp01(out[i + 1] + m * v);
        }
    }
}

struct views_job {
    const clnscl_augment_config *c;
    const clnscl_dataset *d;
    const size_t *idx;
    size_t B, first, last;          /* views [first, last) of 2B: v < B → view1[v], else view2 */
    float *view1, *view2;
    const clnscl_rng *streams;      /* one stream per view */
};

static void *views_worker(void *arg)
{
    struct views_job *j = arg;
    size_t dim = clnscl_dataset_dim(j->d);
    for (size_t v = j->first; v < j->last; v++) {
        size_t b = v % j->B;
        float *dst = v < j->B ? j->view1 + b * dim : j->view2 + b * dim;
        clnscl_rng r = j->streams[v];
        clnscl_augment_image(j->c, j->d->channels, j->d->height, j->d->width,
                             j->d->x + j->idx[b] * dim, dst, &r);
    }
    return NULL;
}

int clnscl_augment_views(const clnscl_augment_config *c, const clnscl_dataset *d,
                         const size_t *idx, size_t B, float *view1, float *view2,
                         clnscl_rng *rng)
{
    int s = clnscl_augment_validate(c);
    if (s) return s;
    if (d->height > CLNSCL_AUGMENT_MAX_SIDE || d->width > CLNSCL_AUGMENT_MAX_SIDE ||
        d->height < 1 || d->width < 1)
        return clnscl_fail(CLNSCL_EINVAL, "augment: image size %d×%d unsupported (max %d)",
                           d->height, d->width, CLNSCL_AUGMENT_MAX_SIDE);
    if (d->channels != 1 && d->channels != 3)
        return clnscl_fail(CLNSCL_EINVAL, "augment: %d channels unsupported (1 or 3)",
                           d->channels);
    for (size_t b = 0; b < B; b++)
        if (idx[b] >= d->n)
            return clnscl_fail(CLNSCL_EINVAL, "augment: image index %zu out of range (n = %zu)",
                               idx[b], d->n);
    if (B == 0) return CLNSCL_OK;
    /* the streams: for b = 0..B−1, view1[b] then view2[b] each split one stream off rng */
    clnscl_rng *streams = malloc(2 * B * sizeof *streams);
    if (!streams) return clnscl_fail(CLNSCL_ENOMEM, "augment: out of memory");
    for (size_t b = 0; b < B; b++) {
        streams[b] = clnscl_rng_split(rng);
        streams[B + b] = clnscl_rng_split(rng);
    }
    int T = c->threads;
    if ((size_t)T > 2 * B) T = (int)(2 * B);
    struct views_job jobs[64];
    pthread_t tid[64];
    int started[64] = { 0 };
    for (int t = 0; t < T; t++) {
        jobs[t] = (struct views_job){ c, d, idx, B, 2 * B * (size_t)t / (size_t)T,
                                      2 * B * (size_t)(t + 1) / (size_t)T, view1, view2,
                                      streams };
        if (t > 0) started[t] = pthread_create(&tid[t], NULL, views_worker, &jobs[t]) == 0;
    }
    views_worker(&jobs[0]);
    for (int t = 1; t < T; t++) {
        if (started[t]) pthread_join(tid[t], NULL);
        else views_worker(&jobs[t]);   /* no thread available: same work, same pixels */
    }
    free(streams);
    return CLNSCL_OK;
}
