/* bench/bench_train.c — the whole twin trainer (clnscl_train_run) on the full Fashion-MNIST
 * training set: four MLP twins (CL, NSCL, SCL, CE; default model, SGD, B = 256) fed by the
 * shared stream (batch order + two augmented views of every image).
 * usage: bench_train [epochs] [out-dir]   (OPENBLAS_NUM_THREADS sets the thread count)
 * Prints "key value" lines:
 *   train_epoch_s   wall time of one epoch of training (234 steps, evaluations excluded)
 *   images_per_s    training images per second (each image: two views, four twins)
 *   total_s         the whole run incl. data loading and the evaluations (epoch 0 + each epoch)
 *   sgemm_gflops    OpenBLAS sgemm peak (2048³, best of 3) at this thread count
 *   model_gflops    sgemm FLOPs of the linear layers per second of training
 *   sgemm_fraction  model_gflops / sgemm_gflops
 * This times what `clnscl train` does (data, augmentation, four twins, evaluations); the
 * PyTorch comparison of the training step itself is bench_nn.c / bench/run_nn.sh. */
#include "clnscl/model.h"
#include "clnscl/nn.h"
#include "clnscl/progress.h"
#include "clnscl/status.h"
#include "clnscl/train.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double t_first, t_last;
    long first_step, last_step, epoch_steps;
} timing;

/* times of the first and the last step of the first epoch */
static void on_step(const clnscl_train_progress *p, void *user)
{
    timing *t = user;
    double now = clnscl_now();
    if (t->first_step == 0) {
        t->first_step = p->step;
        t->t_first = now;
    }
    if (p->step <= t->epoch_steps) {
        t->last_step = p->step;
        t->t_last = now;
    }
}

static double sgemm_peak(void)
{
    const int n = 2048;
    float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n), *c = malloc(sizeof(float) * n * n);
    for (long i = 0; i < (long)n * n; i++) {
        a[i] = 1e-3f * (float)(i % 13);
        b[i] = 1e-3f * (float)(i % 11);
    }
    double best = 1e30;
    for (int r = 0; r < 4; r++) {
        double t0 = clnscl_now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        double dt = clnscl_now() - t0;
        if (r && dt < best) best = dt;
    }
    free(a);
    free(b);
    free(c);
    return 2.0 * n * n * (double)n / best / 1e9;
}

int main(int argc, char **argv)
{
    clnscl_nn_openblas_coretype(argv);
    clnscl_gsl_quiet();
    setenv("CLNSCL_QUIET", "1", 1);
    clnscl_train_opts o;
    clnscl_train_opts_default(&o);
    o.epochs = argc > 1 ? atol(argv[1]) : 1;
    snprintf(o.out, sizeof o.out, "%s", argc > 2 ? argv[2] : "bench_train_out");
    o.batch = 256;
    strcpy(o.eval_steps, "");
    o.quiet = 1;
    timing t = {0};
    t.epoch_steps = 60000 / o.batch;
    double t0 = clnscl_now();
    if (clnscl_train_run(&o, on_step, &t)) {
        fprintf(stderr, "bench_train: %s\n", clnscl_last_error());
        return 1;
    }
    double total = clnscl_now() - t0;
    /* steps first..last took t_last − t_first: scale to a whole epoch */
    double per_step = (t.t_last - t.t_first) / (double)(t.last_step - t.first_step);
    double epoch = per_step * (double)t.epoch_steps;

    /* sgemm FLOPs of a training step of one twin on M = 2B rows, from the tensor table:
     * every linear kernel (O × I) costs 2·M·I·O forward, the same for dW and for dinp
     * (the first layer has no dinp) */
    clnscl_model_config mc = clnscl_model_config_default(CLNSCL_ENC_MLP, 1, 28, 28);
    mc.n_classes = 10;
    clnscl_model *m = NULL;
    if (clnscl_model_alloc(&m, &mc)) {
        fprintf(stderr, "bench_train: %s\n", clnscl_last_error());
        return 1;
    }
    double M = 2.0 * (double)o.batch, flops = 0;
    int first = 1;
    for (int i = 0; i < m->ntensors; i++) {
        if (m->tensors[i].kind != CLNSCL_TENSOR_WEIGHT) continue;
        flops += (first ? 4.0 : 6.0) * M * (double)m->tensors[i].size;
        first = 0;
    }
    clnscl_model_free(m);
    flops *= 4; /* four twins */
    double peak = sgemm_peak();
    printf("train_epoch_s %.2f\n", epoch);
    printf("images_per_s %.0f\n", (double)o.batch / per_step);
    printf("total_s %.2f\n", total);
    printf("sgemm_gflops %.1f\n", peak);
    printf("model_gflops %.1f\n", flops / per_step / 1e9);
    printf("sgemm_fraction %.3f\n", flops / per_step / 1e9 / peak);
    return 0;
}
