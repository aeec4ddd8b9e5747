/* bench/bench_bounds.c — speed of the bounds calculator (run by bench/run_bounds.sh).
 *
 *   recurrence_seq_s  log-space unrolled recurrence (THEORY.md §4.4) over an explicit sequence of
 *                     T = 4,000,000 step sizes η_t = ½(1 + cos(π t/T)), τ = 0.1, B = 256, Δ = 1e8
 *   eval_grid_s       clnscl_bounds_eval (ε, Δ, Theorem 1, recurrence, Corollaries, Theorem 2,
 *                     loss gap) on a 100,000-point grid (what `clnscl bounds --sweep` does)
 * Prints "name seconds" lines and the recurrence's log10 (compared with the reference's).
 */
#include "clnscl/bounds.h"
#include "clnscl/status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(void)
{
    clnscl_gsl_quiet();
    const long T = 4000000;
    double *eta = malloc((size_t)T * sizeof *eta);
    if (!eta) return 1;
    for (long t = 0; t < T; t++) eta[t] = 0.5 * (1.0 + cos(M_PI * (double)t / (double)T));
    clnscl_bound b;
    double t0 = now();
    if (clnscl_bounds_recurrence_seq(log(1e8), 0.1, 256, eta, T, &b)) {
        fprintf(stderr, "bench_bounds: %s\n", clnscl_last_error());
        return 1;
    }
    double t1 = now();
    printf("recurrence_seq_s %.4f\n", t1 - t0);
    printf("recurrence_log10 %.12f\n", b.log10);
    free(eta);

    long n = 0;
    double acc = 0;
    t0 = now();
    for (int i = 0; i < 100; i++)
        for (int j = 0; j < 1000; j++) {
            clnscl_bounds_params p;
            clnscl_bounds_report r;
            clnscl_bounds_params_init(&p);
            p.pi_max = 1.0 / (2 + i * 10);
            p.tau = 0.05 + 0.002 * j;
            p.batch = 1024;
            p.delta = 0.05;
            p.sched.base = 0.3;
            p.sched.steps = 14400;
            p.k_norm = 100;
            p.rsa_sigma = 0.1;
            p.rsa_pairs = 499500;
            p.beta = 1;
            p.grad_bound = 1;
            if (clnscl_bounds_eval(&p, &r)) {
                fprintf(stderr, "bench_bounds: %s\n", clnscl_last_error());
                return 1;
            }
            if (r.valid) acc += r.theorem1.log10;
            n++;
        }
    t1 = now();
    printf("eval_grid_s %.4f\n", t1 - t0);
    printf("eval_grid_points %ld (checksum %.6g)\n", n, acc);
    return 0;
}
