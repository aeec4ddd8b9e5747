/* train/twins.c — twin networks stepped in parallel (include/clnscl/twins.h). */
#include "clnscl/twins.h"

#include "clnscl/status.h"

#include <cblas.h>
#include <stdio.h>

#define MAX_WORKERS 16

typedef struct {
    clnscl_twin_job *jobs;
    int B;
    clnscl_loss_form form;
    double tau, lr;
} step_args;

/* one twin: its train step and optimizer step (a pool task; the twin's buffers are its own) */
static void step_one(void *ctx, long i, int thread)
{
    (void)thread;
    step_args *a = ctx;
    clnscl_twin_job *j = &a->jobs[i];
    int st = clnscl_model_train_step(j->m, j->x, a->B, j->labels, j->kind, a->form, a->tau, &j->loss);
    if (!st) st = clnscl_optim_step(j->opt, j->m->params, j->m->grads, a->lr);
    j->status = st;
    j->error[0] = '\0';
    if (st) snprintf(j->error, sizeof j->error, "%s", clnscl_last_error());
}

int clnscl_twins_workers(int n)
{
    int w = openblas_get_num_threads();
    if (w > n) w = n;
    if (w > MAX_WORKERS) w = MAX_WORKERS;
    return w < 1 ? 1 : w;
}

int clnscl_twins_step(clnscl_twin_job *jobs, int n, int B, clnscl_loss_form form, double tau, double lr,
                      clnscl_pool *pool)
{
    if (n < 1) return clnscl_fail(CLNSCL_EINVAL, "twins step: %d twins", n);
    step_args a = {jobs, B, form, tau, lr};
    const int parallel = clnscl_pool_threads(pool) > 1 && n > 1;
    const int blas_threads = openblas_get_num_threads();
    if (parallel) openblas_set_num_threads(1);
    clnscl_pool_run(pool, n, step_one, &a);
    if (parallel) openblas_set_num_threads(blas_threads);
    for (int i = 0; i < n; i++)
        if (jobs[i].status) return clnscl_fail(jobs[i].status, "%s", jobs[i].error);
    return CLNSCL_OK;
}
