/* core/pool.c — a fixed team of threads for short parallel loops (include/clnscl/pool.h).
 *
 * One loop = one "epoch": the caller publishes fn/ctx/ntasks, sets `pending` to the number of
 * workers and bumps `epoch` (release); a worker that sees the new epoch (acquire) runs its block
 * and decrements `pending` (release); the caller runs block 0 and waits for pending = 0 (acquire).
 * Waiting spins with a pause for about a millisecond, then a worker sleeps on `cv` (counted in
 * `sleepers`, which the caller reads after bumping the epoch: with both sequentially consistent,
 * either the worker sees the new epoch before sleeping or the caller sees it asleep and wakes it)
 * and the caller yields.
 */
#include "clnscl/pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#define SPINS 200000

struct worker {
    clnscl_pool *p;
    int index;
};

/* a thread's block of tasks [front, back) packed in one word: the owner takes from the front,
 * a thread done with its own block takes from the back (compare-and-swap on the pair) */
typedef struct {
    _Alignas(64) atomic_ullong range;
} block;

struct clnscl_pool {
    int n;                 /* threads, the caller included */
    block *blocks;         /* n                             */
    pthread_t *tid;        /* n − 1 workers                 */
    struct worker *w;
    atomic_ulong epoch;
    atomic_int pending, sleepers, quit;
    clnscl_pool_fn fn;
    void *ctx;
    long ntasks;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

/* No PAUSE instruction in the spin: under KVM (pause-loop exiting) a vCPU that executes PAUSE in
 * a loop is taken for a spinlock waiter and descheduled, which turned a ~0.1 µs hand-over into
 * several µs. The loop only reads one cache line, which stays shared until it changes. */
static inline void relax(void) { atomic_signal_fence(memory_order_seq_cst); }

static unsigned long long pack(long front, long back)
{
    return (unsigned long long)front << 32 | (unsigned long long)back;
}

/* take the next task of block b: from the front (its owner) or the back (a thief); −1 if empty */
static long take(block *b, int from_back)
{
    unsigned long long r = atomic_load_explicit(&b->range, memory_order_relaxed);
    for (;;) {
        const long front = (long)(r >> 32), back = (long)(r & 0xffffffffu);
        if (front >= back) return -1;
        const unsigned long long nr = from_back ? pack(front, back - 1) : pack(front + 1, back);
        if (atomic_compare_exchange_weak_explicit(&b->range, &r, nr, memory_order_relaxed, memory_order_relaxed))
            return from_back ? back - 1 : front;
    }
}

/* thread k: its own block in order, then what is left at the ends of the others' */
static void run_block(clnscl_pool *p, int k)
{
    long t;
    while ((t = take(&p->blocks[k], 0)) >= 0) p->fn(p->ctx, t, k);
    for (int d = 1; d < p->n; d++) {
        block *b = &p->blocks[(k + d) % p->n];
        while ((t = take(b, 1)) >= 0) p->fn(p->ctx, t, k);
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    clnscl_pool *p = w->p;
    unsigned long seen = 0, e;
    for (;;) {
        int spins = 0;
        while ((e = atomic_load_explicit(&p->epoch, memory_order_acquire)) == seen) {
            if (++spins < SPINS) {
                relax();
                continue;
            }
            pthread_mutex_lock(&p->mu);
            atomic_fetch_add(&p->sleepers, 1);
            while (atomic_load(&p->epoch) == seen) pthread_cond_wait(&p->cv, &p->mu);
            atomic_fetch_sub(&p->sleepers, 1);
            pthread_mutex_unlock(&p->mu);
            spins = 0;
        }
        seen = e;
        if (atomic_load_explicit(&p->quit, memory_order_relaxed)) return NULL;
        run_block(p, w->index);
        atomic_fetch_sub_explicit(&p->pending, 1, memory_order_release);
    }
}

static void wake(clnscl_pool *p)
{
    if (atomic_load(&p->sleepers)) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
}

clnscl_pool *clnscl_pool_new(int threads)
{
    clnscl_pool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    if (threads < 1) threads = 1;
    p->n = 1;
    atomic_init(&p->epoch, 0);
    atomic_init(&p->pending, 0);
    atomic_init(&p->sleepers, 0);
    atomic_init(&p->quit, 0);
    if (threads == 1) return p;
    p->tid = calloc((size_t)threads, sizeof *p->tid);
    p->w = calloc((size_t)threads, sizeof *p->w);
    p->blocks = aligned_alloc(64, (size_t)threads * sizeof *p->blocks);
    if (!p->tid || !p->w || !p->blocks || pthread_mutex_init(&p->mu, NULL)) {
        free(p->tid);
        free(p->w);
        free(p->blocks);
        free(p);
        return NULL;
    }
    if (pthread_cond_init(&p->cv, NULL)) {
        pthread_mutex_destroy(&p->mu);
        free(p->tid);
        free(p->w);
        free(p->blocks);
        free(p);
        return NULL;
    }
    for (int k = 1; k < threads; k++) {
        p->w[k] = (struct worker){p, k};
        if (pthread_create(&p->tid[k - 1], NULL, worker_main, &p->w[k])) break;
        p->n = k + 1;
    }
    return p;
}

int clnscl_pool_threads(const clnscl_pool *p) { return p ? p->n : 1; }

void clnscl_pool_run(clnscl_pool *p, long ntasks, clnscl_pool_fn fn, void *ctx)
{
    if (!p || p->n == 1 || ntasks < 2) {
        for (long t = 0; t < ntasks; t++) fn(ctx, t, 0);
        return;
    }
    p->fn = fn;
    p->ctx = ctx;
    p->ntasks = ntasks;
    for (int k = 0; k < p->n; k++)
        atomic_store_explicit(&p->blocks[k].range, pack(ntasks * k / p->n, ntasks * (k + 1) / p->n),
                              memory_order_relaxed);
    atomic_store_explicit(&p->pending, p->n - 1, memory_order_relaxed);
    atomic_fetch_add(&p->epoch, 1);
    wake(p);
    run_block(p, 0);
    int spins = 0;
    while (atomic_load_explicit(&p->pending, memory_order_acquire)) {
        if (++spins < SPINS) relax();
        else sched_yield();
    }
}

void clnscl_pool_free(clnscl_pool *p)
{
    if (!p) return;
    if (p->n > 1) {
        atomic_store(&p->quit, 1);
        atomic_fetch_add(&p->epoch, 1);
        wake(p);
        for (int k = 1; k < p->n; k++) pthread_join(p->tid[k - 1], NULL);
    }
    if (p->tid) {
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
    }
    free(p->tid);
    free(p->w);
    free(p->blocks);
    free(p);
}
