/* clnscl/twins.h — one training step of several twin networks at once.
 *
 * Twins under shared randomness (THEORY.md §1) are independent given the batch: each has
 * its own parameters, gradients, BN statistics and optimizer state. clnscl_twins_step
 * steps them on a thread team (include/clnscl/pool.h), each twin on single-threaded OpenBLAS
 * (a step is many small sgemms, which parallelise better across twins than inside one). A
 * twin's arithmetic does not depend on the team size or on which thread runs it.
 */
#ifndef CLNSCL_TWINS_H
#define CLNSCL_TWINS_H

#include <stdint.h>
#include "clnscl/loss.h"
#include "clnscl/model.h"
#include "clnscl/optim.h"
#include "clnscl/pool.h"

typedef struct {
    /* inputs */
    clnscl_model *m;
    clnscl_optim *opt;
    const float *x;          /* 2B rows (loss.h layout)                       */
    const int32_t *labels;   /* B labels                                      */
    clnscl_loss_kind kind;
    /* outputs */
    double loss;             /* the batch loss before the update               */
    int status;              /* CLNSCL_OK or the failure's code                */
    char error[512];         /* the failure's message                          */
} clnscl_twin_job;

/* For every job: clnscl_model_train_step(m, x, B, labels, kind, form, tau) then
 * clnscl_optim_step(opt, lr), the jobs spread over `pool`'s threads (NULL or a team of one: in
 * the caller, BLAS threads untouched; more sets OpenBLAS to 1 thread during the step and
 * restores its count after). Returns the first failing job's status with its message recorded
 * on the calling thread ("<message>"); the other jobs have still been stepped. */
int clnscl_twins_step(clnscl_twin_job *jobs, int n, int B, clnscl_loss_form form, double tau, double lr,
                      clnscl_pool *pool);

/* The team size for n twins (clnscl_pool_new): OpenBLAS's thread count, at most n. */
int clnscl_twins_workers(int n);

#endif
