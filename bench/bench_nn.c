/* bench/bench_nn.c — speed of the network layer: four MLP twins (CL, NSCL, SCL, CE; code
 * form; LARS) at B = 256 on Fashion-MNIST-sized input, against OpenBLAS sgemm peak.
 * usage: bench_nn [steps] [mlp|cnn]   (OPENBLAS_NUM_THREADS sets the thread count;
 * the PyTorch reference covers the default mlp only)
 * Prints "key value" lines: sgemm_gflops, step_s, images_per_s, epoch_s (60,000 images,
 * 234 steps of 256), model_gflops, sgemm_fraction. Reference: bench_nn_ref.py. */
#include "clnscl/model.h"
#include "clnscl/nn.h"
#include "clnscl/optim.h"
#include "clnscl/rng.h"
#include "clnscl/status.h"
#include "clnscl/twins.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* sgemm FLOPs of one training step of one twin on M rows: forward 2·M·in·out per
 * linear layer, backward the same for dW and for dinp (not for the first layer) */
static double step_flops(const clnscl_model *m, int M)
{
    const clnscl_model_config *c = &m->cfg;
    double f = 0.0;
    int prev = m->in_dim;
    for (int l = 0; l < c->n_enc; l++) {
        f += 2.0 * M * prev * c->enc[l] * (l == 0 ? 2 : 3);
        prev = c->enc[l];
    }
    f += 3 * 2.0 * M * prev * c->proj_hidden + 3 * 2.0 * M * c->proj_hidden * c->proj_dim;
    if (c->n_classes > 0) f += 3 * 2.0 * M * c->proj_dim * c->n_classes;
    return f;
}

int main(int argc, char **argv)
{
    clnscl_nn_openblas_coretype(argv);
    clnscl_gsl_quiet();
    const int steps = argc > 1 ? atoi(argv[1]) : 30;
    /* sgemm peak: 1024³, best of 3 */
    const int N = 1024;
    float *A = malloc(sizeof(float) * N * N), *Bm = malloc(sizeof(float) * N * N), *Cm = malloc(sizeof(float) * N * N);
    for (int i = 0; i < N * N; i++) { A[i] = (float)(i % 7) * 0.1f; Bm[i] = (float)(i % 5) * 0.1f; }
    double best = 1e30;
    for (int r = 0; r < 4; r++) {
        const double t0 = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1.0f, A, N, Bm, N, 0.0f, Cm, N);
        const double dt = now() - t0;
        if (r > 0 && dt < best) best = dt;
    }
    const double peak = 2.0 * N * N * N / best / 1e9;
    free(A); free(Bm); free(Cm);

    const int cnn = argc > 2 && argv[2][0] == 'c';
    clnscl_model_config cfg = clnscl_model_config_default(cnn ? CLNSCL_ENC_CNN : CLNSCL_ENC_MLP, 1, 28, 28);
    cfg.n_classes = 10;
    const clnscl_loss_kind kinds[4] = {CLNSCL_LOSS_CL, CLNSCL_LOSS_NSCL, CLNSCL_LOSS_SCL, CLNSCL_LOSS_CE};
    clnscl_model *m[4];
    clnscl_optim *o[4];
    clnscl_optim_config oc = clnscl_optim_config_default();
    clnscl_rng r;
    clnscl_rng_seed(&r, 1);
    for (int i = 0; i < 4; i++) {
        if (clnscl_model_alloc(&m[i], &cfg) || clnscl_optim_alloc(&o[i], &oc, m[i]->nparams, m[i]->tensors, m[i]->ntensors)) {
            fprintf(stderr, "bench_nn: %s\n", clnscl_last_error());
            return 1;
        }
        if (i == 0) clnscl_model_init(m[0], &r);
        else clnscl_model_copy(m[i], m[0]);
    }
    const int B = 256;
    float *x = malloc(sizeof(float) * 2 * B * 784);
    int32_t y[256];
    for (int i = 0; i < 2 * B * 784; i++) x[i] = (float)clnscl_rng_uniform(&r);
    for (int i = 0; i < B; i++) y[i] = i % 10;
    const int workers = clnscl_twins_workers(4);
    clnscl_pool *pool = clnscl_pool_new(workers);
    double t0 = 0.0;
    for (int s = -3; s < steps; s++) { /* 3 warm-up steps */
        if (s == 0) t0 = now();
        clnscl_twin_job jobs[4];
        for (int i = 0; i < 4; i++) jobs[i] = (clnscl_twin_job){ .m = m[i], .opt = o[i], .x = x, .labels = y, .kind = kinds[i] };
        if (clnscl_twins_step(jobs, 4, B, CLNSCL_FORM_CODE, 0.5, 0.1, pool)) {
            fprintf(stderr, "bench_nn: %s\n", clnscl_last_error());
            return 1;
        }
    }
    const double step = (now() - t0) / steps;
    const double flops = cnn ? 0.0 : 4 * step_flops(m[0], 2 * B); /* mlp only */
    printf("sgemm_gflops %.1f\n", peak);
    printf("step_s %.5f\n", step);
    printf("images_per_s %.0f\n", B / step);
    printf("epoch_s %.2f\n", 234 * step);
    if (!cnn) {
        printf("model_gflops %.1f\n", flops / step / 1e9);
        printf("sgemm_fraction %.3f\n", flops / step / 1e9 / peak);
    }
    printf("params_per_twin %zu\n", m[0]->nparams);
    printf("twin_threads %d\n", clnscl_pool_threads(pool));
    clnscl_pool_free(pool);
    for (int i = 0; i < 4; i++) { clnscl_model_free(m[i]); clnscl_optim_free(o[i]); }
    free(x);
    return 0;
}
