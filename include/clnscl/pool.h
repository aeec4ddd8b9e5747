/* clnscl/pool.h — a fixed team of threads for short parallel loops (the surrogate's step).
 *
 * The team is started once and kept: a loop over a few dozen tasks costs a few microseconds, so
 * the threads spin briefly between loops (then sleep on a condition variable) instead of being
 * created per loop. Thread k starts on the same contiguous block of tasks every loop (so its share
 * of the data tends to stay in its core's cache) and, once done, takes tasks from the far ends of
 * the blocks still running (a thread on a busier core is helped). Which thread runs a task is
 * therefore not fixed; results never depend on it when each task writes only its own outputs
 * (scratch indexed by `thread`) and the caller combines them in task order.
 */
#ifndef CLNSCL_POOL_H
#define CLNSCL_POOL_H

typedef struct clnscl_pool clnscl_pool;

/* one task: fn(ctx, task, thread), thread ∈ [0, clnscl_pool_threads) (scratch index) */
typedef void (*clnscl_pool_fn)(void *ctx, long task, int thread);

/* A team of `threads` (>= 1): the caller is thread 0 and threads − 1 are started; a thread that
 * cannot be started leaves a smaller team (still correct). NULL when out of memory. */
clnscl_pool *clnscl_pool_new(int threads);
int clnscl_pool_threads(const clnscl_pool *p);
/* Run every task of [0, ntasks) once: thread k (0 = the caller) starts with [k·n/T, (k+1)·n/T) in
 * order, then helps the others; returns when all are done. Not reentrant. */
void clnscl_pool_run(clnscl_pool *p, long ntasks, clnscl_pool_fn fn, void *ctx);
/* Stops and joins the threads (NULL is fine). */
void clnscl_pool_free(clnscl_pool *p);

#endif
