/* train/twins.c — twin networks stepped in parallel (include/clnscl/twins.h). */
#include "clnscl/twins.h"

#include "clnscl/status.h"

#include <cblas.h>
#include <pthread.h>
#include <stdio.h>

#define MAX_WORKERS 16

typedef struct {
    clnscl_twin_job *jobs;
    int n, first, stride, B;
    clnscl_loss_form form;
    double tau, lr;
} worker_arg;

static void *worker(void *p)
{
    worker_arg *a = p;
    for (int i = a->first; i < a->n; i += a->stride) {
        clnscl_twin_job *j = &a->jobs[i];
        int st = clnscl_model_train_step(j->m, j->x, a->B, j->labels, j->kind, a->form, a->tau, &j->loss);
        if (!st) st = clnscl_optim_step(j->opt, j->m->params, j->m->grads, a->lr);
        j->status = st;
        j->error[0] = '\0';
        if (st) snprintf(j->error, sizeof j->error, "%s", clnscl_last_error());
    }
    return NULL;
}

int clnscl_twins_workers(int n)
{
    int w = openblas_get_num_threads();
    if (w > n) w = n;
    if (w > MAX_WORKERS) w = MAX_WORKERS;
    return w < 1 ? 1 : w;
}

int clnscl_twins_step(clnscl_twin_job *jobs, int n, int B, clnscl_loss_form form, double tau, double lr,
                      int workers)
{
    if (n < 1 || workers < 1) return clnscl_fail(CLNSCL_EINVAL, "twins step: %d twins on %d workers", n, workers);
    int W = workers < n ? workers : n;
    if (W > MAX_WORKERS) W = MAX_WORKERS;
    worker_arg args[MAX_WORKERS];
    pthread_t tid[MAX_WORKERS];
    int started[MAX_WORKERS] = { 0 };
    const int blas_threads = openblas_get_num_threads();
    if (W > 1) openblas_set_num_threads(1);
    for (int k = 0; k < W; k++) {
        args[k] = (worker_arg){ jobs, n, k, W, B, form, tau, lr };
        if (k > 0) started[k] = pthread_create(&tid[k], NULL, worker, &args[k]) == 0;
    }
    worker(&args[0]);
    for (int k = 1; k < W; k++) {
        if (started[k]) pthread_join(tid[k], NULL);
        else worker(&args[k]); /* no thread available: the same work here */
    }
    if (W > 1) openblas_set_num_threads(blas_threads);
    for (int i = 0; i < n; i++)
        if (jobs[i].status) return clnscl_fail(jobs[i].status, "%s", jobs[i].error);
    return CLNSCL_OK;
}
