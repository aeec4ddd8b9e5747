/* bench/bench_data.c — speed of the data layer (train/data_idx.c, augment.c, probe.c).
 *
 * usage: bench_data [SCRATCH_DIR]
 * Prints one line "name value unit" per measurement (first the OpenBLAS kernel in use):
 *   load_fashion_train   seconds to read + decode the 60,000 gzip'd training images
 *   augment_views_s      seconds per batch of B = 512 images → 2 views (28×28, defaults)
 *   augment_imgs_per_s   augmented views per second (single thread)
 *   probe_linear_s       linear probe, 5,000 × 256 features, 10 classes, default config
 *   probe_ncc_s          nearest-class-mean on the same features (eval on 5,000 rows)
 * With SCRATCH_DIR, the probe features are saved as SCRATCH_DIR/probe_{X,y}.npy so that
 * bench/bench_data_ref.py can time the same problem (bench/run_data.sh runs both). */
#include "clnscl/data.h"
#include "clnscl/io.h"
#include "clnscl/nn.h"
#include "clnscl/status.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char **argv)
{
    clnscl_nn_openblas_coretype(argv);   /* as cli/main.c: fast kernels on unknown Xeons */
    clnscl_gsl_quiet();
    printf("openblas_core %s\n", openblas_get_corename());
    const char *scratch = argc > 1 ? argv[1] : NULL;
    clnscl_dataset d;
    double t0 = now();
    if (clnscl_data_load("fashion-mnist", CLNSCL_SPLIT_TRAIN, &d)) {
        fprintf(stderr, "bench_data: %s\n", clnscl_last_error());
        return 2;
    }
    printf("load_fashion_train %.4f s\n", now() - t0);

    size_t B = 512, dim = clnscl_dataset_dim(&d), idx[512];
    float *views = malloc(2 * B * dim * sizeof(float));
    clnscl_augment_config c;
    clnscl_augment_defaults(&c);
    clnscl_rng r;
    clnscl_rng_seed(&r, 1);
    int reps = 40;
    t0 = now();
    for (int rep = 0; rep < reps; rep++) {
        for (size_t b = 0; b < B; b++) idx[b] = clnscl_rng_below(&r, d.n);
        clnscl_augment_views(&c, &d, idx, B, views, views + B * dim, &r);
    }
    double ta = (now() - t0) / reps;
    printf("augment_views_s %.6f s\n", ta);
    printf("augment_imgs_per_s %.0f views/s\n", 2.0 * B / ta);
    free(views);
    clnscl_dataset_free(&d);

    /* probe: 10 Gaussian classes in 256-D with overlapping means (≈ 80 % separable) */
    size_t n = 5000, p = 256;
    int K = 10;
    double *X = malloc(n * p * sizeof *X), *E = malloc(n * p * sizeof *E);
    int32_t *y = malloc(n * sizeof *y), *ye = malloc(n * sizeof *ye);
    double *mu = malloc((size_t)K * p * sizeof *mu);
    for (size_t j = 0; j < (size_t)K * p; j++) mu[j] = 0.12 * clnscl_rng_normal(&r);
    for (size_t i = 0; i < n; i++) {
        y[i] = (int32_t)(i % K);
        ye[i] = (int32_t)((i + 3) % K);
        for (size_t j = 0; j < p; j++) {
            X[i * p + j] = mu[y[i] * p + j] + clnscl_rng_normal(&r);
            E[i * p + j] = mu[ye[i] * p + j] + clnscl_rng_normal(&r);
        }
    }
    clnscl_probe_config pc;
    clnscl_probe_defaults(&pc);
    double acc, f;
    t0 = now();
    if (clnscl_probe_linear(&pc, X, y, n, E, ye, n, p, K, &acc, NULL, NULL, &f)) {
        fprintf(stderr, "bench_data: %s\n", clnscl_last_error());
        return 2;
    }
    printf("probe_linear_s %.4f s\n", now() - t0);
    printf("probe_linear_acc %.4f\n", acc);
    printf("probe_linear_objective %.8f\n", f);
    t0 = now();
    clnscl_probe_ncc(X, y, n, E, ye, n, p, K, &acc);
    printf("probe_ncc_s %.4f s\n", now() - t0);
    printf("probe_ncc_acc %.4f\n", acc);
    if (scratch) {
        char path[4096];
        snprintf(path, sizeof path, "%s/probe_X.npy", scratch);
        int s = clnscl_npy_write_f64(path, X, n, p);
        snprintf(path, sizeof path, "%s/probe_E.npy", scratch);
        s = s ? s : clnscl_npy_write_f64(path, E, n, p);
        snprintf(path, sizeof path, "%s/probe_y.npy", scratch);
        s = s ? s : clnscl_npy_write_i32(path, y, n);
        snprintf(path, sizeof path, "%s/probe_ye.npy", scratch);
        s = s ? s : clnscl_npy_write_i32(path, ye, n);
        if (s) fprintf(stderr, "bench_data: %s\n", clnscl_last_error());
    }
    free(X); free(E); free(y); free(ye); free(mu);
    return 0;
}
