/* tests/test_augment.c — invariants of the augmentations (train/augment.c) and the shared
 * randomness they must provide (THEORY.md §1, EDGE_CASES.md T1). */
#include "check.h"
#include "clnscl/data.h"
#include "clnscl/status.h"

#include <stdlib.h>
#include <string.h>

/* random image in [lo, hi] */
static void fill(float *x, size_t n, clnscl_rng *r, double lo, double hi)
{
    for (size_t i = 0; i < n; i++) x[i] = (float)(lo + (hi - lo) * clnscl_rng_uniform(r));
}

static void make_set(clnscl_dataset *d, size_t n, int C, int H, int W, clnscl_rng *r)
{
    memset(d, 0, sizeof *d);
    d->n = n; d->channels = C; d->height = H; d->width = W; d->num_classes = 2;
    d->x = malloc(n * (size_t)C * H * W * sizeof(float));
    d->y = calloc(n, sizeof(int32_t));
    fill(d->x, n * (size_t)C * H * W, r, 0.0, 1.0);
}

static int same(const float *a, const float *b, size_t n)
{
    return memcmp(a, b, n * sizeof(float)) == 0;
}

static void test_identity_and_geometry(void)
{
    clnscl_rng r;
    clnscl_rng_seed(&r, 1);
    const int shapes[2][3] = { { 1, 28, 28 }, { 3, 32, 32 } };
    for (int s = 0; s < 2; s++) {
        int C = shapes[s][0], H = shapes[s][1], W = shapes[s][2];
        size_t n = (size_t)C * H * W;
        float *in = malloc(n * sizeof(float)), *out = malloc(n * sizeof(float)),
              *out2 = malloc(n * sizeof(float));
        fill(in, n, &r, 0.0, 1.0);
        clnscl_augment_config c;
        /* identity config = identity */
        clnscl_augment_identity(&c);
        CHECK_STATUS(clnscl_augment_validate(&c), CLNSCL_OK);
        clnscl_augment_image(&c, C, H, W, in, out, &r);
        CHECK(same(in, out, n));
        /* crop of full scale and ratio 1 = input */
        c.crop_prob = 1.0;
        c.crop_scale_min = c.crop_scale_max = 1.0;
        c.crop_ratio_min = c.crop_ratio_max = 1.0;
        clnscl_augment_image(&c, C, H, W, in, out, &r);
        CHECK(same(in, out, n));
        /* flip = mirror image, flip twice = identity */
        clnscl_augment_identity(&c);
        c.flip_prob = 1.0;
        clnscl_augment_image(&c, C, H, W, in, out, &r);
        int mirror = 1;
        for (int ch = 0; ch < C; ch++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    mirror &= out[((size_t)ch * H + y) * W + x] ==
                              in[((size_t)ch * H + y) * W + (W - 1 - x)];
        CHECK(mirror);
        clnscl_augment_image(&c, C, H, W, out, out2, &r);
        CHECK(same(in, out2, n));
        /* a crop at half scale of a horizontally constant image (depends on row only) keeps
         * every output row constant and within the input's value range */
        for (int ch = 0; ch < C; ch++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    in[((size_t)ch * H + y) * W + x] = (float)(y + 1) / (float)(H + 2);
        clnscl_augment_identity(&c);
        c.crop_prob = 1.0;
        c.crop_scale_min = c.crop_scale_max = 0.5;
        clnscl_augment_image(&c, C, H, W, in, out, &r);
        int rows_const = 1, in_range = 1, changed = 0;
        for (int ch = 0; ch < C; ch++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++) {
                    float v = out[((size_t)ch * H + y) * W + x];
                    rows_const &= v == out[((size_t)ch * H + y) * W];
                    in_range &= v >= 1.0f / (H + 2) - 1e-6f && v <= (float)H / (H + 2) + 1e-6f;
                    changed |= v != in[((size_t)ch * H + y) * W + x];
                }
        CHECK(rows_const && in_range && changed);
        free(in); free(out); free(out2);
    }
}

static void test_shared_randomness(void)
{
    clnscl_rng r;
    clnscl_rng_seed(&r, 7);
    for (int C = 1; C <= 3; C += 2) {
        int H = C == 1 ? 28 : 32;
        clnscl_dataset d;
        make_set(&d, 40, C, H, H, &r);
        size_t dim = clnscl_dataset_dim(&d), B = 16, idx[16];
        for (size_t b = 0; b < B; b++) idx[b] = (b * 7) % d.n;
        float *v1 = malloc(2 * B * dim * sizeof(float)), *v2 = malloc(2 * B * dim * sizeof(float));
        clnscl_augment_config c;
        clnscl_augment_defaults(&c);
        c.noise_prob = 1.0;
        clnscl_rng a, b;
        clnscl_rng_seed(&a, 2024);
        b = a;   /* twin copy of the stream */
        CHECK_STATUS(clnscl_augment_views(&c, &d, idx, B, v1, v1 + B * dim, &a), CLNSCL_OK);
        CHECK_STATUS(clnscl_augment_views(&c, &d, idx, B, v2, v2 + B * dim, &b), CLNSCL_OK);
        CHECK(same(v1, v2, 2 * B * dim));
        CHECK(memcmp(&a, &b, sizeof a) == 0);
        /* the thread count never changes the pixels */
        for (int T = 1; T <= 5; T += 2) {
            clnscl_augment_config ct = c;
            ct.threads = T;
            clnscl_rng_seed(&b, 2024);
            memset(v2, 0, 2 * B * dim * sizeof(float));
            CHECK_STATUS(clnscl_augment_views(&ct, &d, idx, B, v2, v2 + B * dim, &b), CLNSCL_OK);
            CHECK(same(v1, v2, 2 * B * dim) && memcmp(&a, &b, sizeof a) == 0);
        }
        /* each view comes from its own split stream, in the order view1[0], view2[0], ... */
        clnscl_rng_seed(&b, 2024);
        float *one = malloc(dim * sizeof(float));
        int order_ok = 1;
        for (size_t i = 0; i < B; i++)
            for (int v = 0; v < 2; v++) {
                clnscl_rng sv = clnscl_rng_split(&b);
                clnscl_augment_image(&c, C, H, H, d.x + idx[i] * dim, one, &sv);
                order_ok &= same(one, v1 + ((size_t)v * B + i) * dim, dim);
            }
        CHECK(order_ok && memcmp(&a, &b, sizeof a) == 0);
        free(one);
        /* the two views of an image differ, pixels stay in [0,1] */
        int differ = 0, in01 = 1;
        for (size_t i = 0; i < B; i++)
            differ += !same(v1 + i * dim, v1 + (B + i) * dim, dim);
        for (size_t i = 0; i < 2 * B * dim; i++) in01 &= v1[i] >= 0.0f && v1[i] <= 1.0f;
        CHECK(differ == (int)B && in01);
        /* the number of draws does not depend on pixel values: other images, same state */
        clnscl_rng e, f;
        clnscl_rng_seed(&e, 99);
        f = e;
        size_t idx2[16];
        for (size_t i = 0; i < B; i++) idx2[i] = (i * 3 + 1) % d.n;
        CHECK_STATUS(clnscl_augment_views(&c, &d, idx, B, v1, v1 + B * dim, &e), CLNSCL_OK);
        CHECK_STATUS(clnscl_augment_views(&c, &d, idx2, B, v2, v2 + B * dim, &f), CLNSCL_OK);
        CHECK(memcmp(&e, &f, sizeof e) == 0);
        /* errors */
        idx[3] = d.n;
        CHECK_STATUS(clnscl_augment_views(&c, &d, idx, B, v1, v1 + B * dim, &e), CLNSCL_EINVAL);
        idx[3] = 0;
        c.flip_prob = 1.5;
        CHECK_STATUS(clnscl_augment_views(&c, &d, idx, B, v1, v1 + B * dim, &e), CLNSCL_EINVAL);
        free(v1); free(v2);
        clnscl_dataset_free(&d);
    }
}

static void test_photometric(void)
{
    clnscl_rng r;
    clnscl_rng_seed(&r, 3);
    size_t hw = 32 * 32, n = 3 * hw;
    float *in = malloc(n * sizeof(float)), *out = malloc(n * sizeof(float));
    clnscl_augment_config c;
    /* brightness only: out = f·in with one factor f ∈ [0.6, 1.4] (no clamping on [0.2, 0.6]) */
    fill(in, n, &r, 0.2, 0.6);
    clnscl_augment_identity(&c);
    c.jitter_prob = 1.0;
    c.contrast = c.saturation = c.hue = 0.0;
    clnscl_augment_image(&c, 3, 32, 32, in, out, &r);
    double f = out[0] / in[0];
    int prop = f >= 0.6 - 1e-6 && f <= 1.4 + 1e-6;
    for (size_t i = 0; i < n; i++) prop &= fabs(out[i] - f * in[i]) <= 1e-6;
    CHECK(prop);
    /* contrast only on a 1-channel image: the mean is preserved, deviations scale by one factor */
    fill(in, hw, &r, 0.4, 0.6);
    clnscl_augment_identity(&c);
    c.jitter_prob = 1.0;
    c.brightness = 0.0;
    clnscl_augment_image(&c, 1, 32, 32, in, out, &r);
    double mi = 0, mo = 0;
    for (size_t i = 0; i < hw; i++) { mi += in[i]; mo += out[i]; }
    mi /= hw; mo /= hw;
    CHECK_CLOSE(mo, mi, 0, 1e-5);
    double g = (out[0] - mo) / (in[0] - mi);
    int lin = g >= 0.6 - 1e-4 && g <= 1.4 + 1e-4;
    for (size_t i = 0; i < hw; i++) lin &= fabs((out[i] - mo) - g * (in[i] - mi)) <= 1e-5;
    CHECK(lin);
    /* saturation and hue keep the luma (when nothing clamps) */
    fill(in, n, &r, 0.35, 0.65);
    clnscl_augment_identity(&c);
    c.jitter_prob = 1.0;
    c.brightness = c.contrast = 0.0;
    c.saturation = 0.4;
    c.hue = 0.1;
    double maxdev = 0, moved = 0;
    for (int rep = 0; rep < 20; rep++) {
        clnscl_augment_image(&c, 3, 32, 32, in, out, &r);
        for (size_t i = 0; i < hw; i++) {
            double yi = 0.299 * in[i] + 0.587 * in[hw + i] + 0.114 * in[2 * hw + i];
            double yo = 0.299 * out[i] + 0.587 * out[hw + i] + 0.114 * out[2 * hw + i];
            maxdev = fmax(maxdev, fabs(yi - yo));
            moved = fmax(moved, fabs(out[i] - in[i]));
        }
    }
    CHECK_MSG(maxdev < 2e-3, "luma moved by %g", maxdev);
    CHECK(moved > 0.01);
    /* grayscale: three equal channels equal to the luma */
    clnscl_augment_identity(&c);
    c.grayscale_prob = 1.0;
    clnscl_augment_image(&c, 3, 32, 32, in, out, &r);
    int gray = 1;
    for (size_t i = 0; i < hw; i++) {
        float y = 0.299f * in[i] + 0.587f * in[hw + i] + 0.114f * in[2 * hw + i];
        gray &= out[i] == out[hw + i] && out[i] == out[2 * hw + i] && fabsf(out[i] - y) < 1e-6f;
    }
    CHECK(gray);
    /* Gaussian noise: mean ≈ 0, std ≈ noise_std over 100 × 3072 draws (se of std ≈ 0.0001) */
    for (size_t i = 0; i < n; i++) in[i] = 0.5f;
    clnscl_augment_identity(&c);
    c.noise_prob = 1.0;
    c.noise_std = 0.05;
    double s1 = 0, s2 = 0, cnt = 0;
    for (int rep = 0; rep < 100; rep++) {
        clnscl_augment_image(&c, 3, 32, 32, in, out, &r);
        for (size_t i = 0; i < n; i++) {
            double e = out[i] - 0.5;
            s1 += e; s2 += e * e; cnt++;
        }
    }
    double mean = s1 / cnt, sd = sqrt(s2 / cnt - mean * mean);
    CHECK_CLOSE(mean, 0.0, 0, 5 * 0.05 / sqrt(cnt));
    CHECK_CLOSE(sd, 0.05, 0.01, 0);
    free(in);
    free(out);
}

static void test_validate(void)
{
    clnscl_augment_config c;
    clnscl_augment_defaults(&c);
    CHECK_STATUS(clnscl_augment_validate(&c), CLNSCL_OK);
    double *fields[] = { &c.crop_prob, &c.flip_prob, &c.jitter_prob, &c.grayscale_prob,
                         &c.noise_prob };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        double keep = *fields[i];
        *fields[i] = -0.1;
        CHECK_STATUS(clnscl_augment_validate(&c), CLNSCL_EINVAL);
        *fields[i] = NAN;
        CHECK_STATUS(clnscl_augment_validate(&c), CLNSCL_EINVAL);
        *fields[i] = keep;
    }
    c.crop_scale_min = 0.0;
    CHECK_STATUS(clnscl_augment_validate(&c), CLNSCL_EINVAL);
    c.crop_scale_min = 0.9; c.crop_scale_max = 0.5;
    CHECK_STATUS(clnscl_augment_validate(&c), CLNSCL_EINVAL);
    clnscl_augment_defaults(&c);
    c.crop_scale_max = 1.5;
    CHECK_STATUS(clnscl_augment_validate(&c), CLNSCL_EINVAL);
    clnscl_augment_defaults(&c);
    c.crop_ratio_min = 2.0;
    CHECK_STATUS(clnscl_augment_validate(&c), CLNSCL_EINVAL);
    clnscl_augment_defaults(&c);
    c.noise_std = INFINITY;
    CHECK_STATUS(clnscl_augment_validate(&c), CLNSCL_EINVAL);
    clnscl_augment_defaults(&c);
    c.hue = 0.6;
    CHECK_STATUS(clnscl_augment_validate(&c), CLNSCL_EINVAL);
    clnscl_augment_defaults(&c);
    c.brightness = -1;
    CHECK_STATUS(clnscl_augment_validate(&c), CLNSCL_EINVAL);
    clnscl_augment_defaults(&c);
    c.threads = 0;
    CHECK_STATUS(clnscl_augment_validate(&c), CLNSCL_EINVAL);
}

int main(void)
{
    clnscl_gsl_quiet();
    test_identity_and_geometry();
    test_shared_randomness();
    test_photometric();
    test_validate();
    return check_report();
}
