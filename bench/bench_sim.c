/* bench/bench_sim.c — `clnscl sim` speed against a vectorised NumPy implementation of the same
 * update (bench/sim_numpy_ref.py), and the Gram-route CKA/RSA of a 4,000 × 4,000 Σ pair.
 *
 * usage: bench_sim [steps]   (run from anywhere; finds the NumPy script next to this source)
 * Steps per wall-clock second of the step loop in both (C: a run of S + 1 steps minus a run of 1
 * step, so Σ_0, the two logged rows and the allocations are excluded; the C step includes the
 * per-step Lemma 7 and recurrence checks the NumPy loop does not do), best of REPS. C on one thread
 * and on its default team (--threads 0); NumPy's element-wise operations run on one core.
 */
#include "clnscl/metrics.h"
#include "clnscl/rng.h"
#include "clnscl/sim.h"
#include "clnscl/status.h"

#include <cblas.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* runs per measurement, the best one kept, for C and NumPy alike (a shared 2-core VM: single
 * runs of a tenth of a second vary by 20 %) */
#define REPS 5

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* wall seconds of one run of `steps` steps on `threads` threads (0 = automatic) */
static double run_wall(clnscl_sim_opts *o, long steps, long threads, double *gap)
{
    clnscl_sim_result res;
    o->steps = steps;
    o->log_every = steps;
    o->threads = threads;
    double t0 = wall_now();
    if (clnscl_sim_run(o, 0, NULL, NULL, &res)) {
        fprintf(stderr, "bench_sim: %s\n", clnscl_last_error());
        exit(1);
    }
    if (gap) *gap = res.final.gap_fro;
    return wall_now() - t0;
}

/* steps per second of the step loop: a run of S + 1 steps minus a run of 1 step (Σ_0, the two
 * logged rows and the allocations cancel); best of REPS */
static double steps_per_s(clnscl_sim_opts *o, long S, long threads)
{
    double best = 0.0;
    for (int r = 0; r < REPS; r++) {
        double t1 = run_wall(o, 1, threads, NULL), tS = run_wall(o, S + 1, threads, NULL);
        double v = (double)S / (tS - t1);
        if (v > best) best = v;
    }
    return best;
}

static double numpy_value(const char *cmd, const char *key)
{
    FILE *p = popen(cmd, "r");
    if (!p) return NAN;
    char line[512];
    double v = NAN;
    while (fgets(line, sizeof line, p)) {
        size_t k = strlen(key);
        if (!strncmp(line, key, k) && line[k] == ' ') v = atof(line + k + 1);
        char *q = strstr(line, key);
        if (q && q != line && q[-1] == ' ' && q[strlen(key)] == ' ') v = atof(q + strlen(key) + 1);
    }
    pclose(p);
    return v;
}

int main(int argc, char **argv)
{
    clnscl_gsl_quiet();
    long steps = argc > 1 ? atol(argv[1]) : 20000;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", __FILE__);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    else strcpy(dir, ".");
    static const long batches[3] = {8, 32, 128};
    clnscl_sim_opts o;
    printf("surrogate step (C = 10, n = 20: 400 points; CL + NSCL + SCL; paper form, views anchors)\n");
    printf("steps per wall-clock second, best of %d; C on 1 thread and on all threads (--threads 0:\n"
           "OpenBLAS's count, here %d); NumPy single-threaded (its element-wise operations use one core)\n",
           REPS, openblas_get_num_threads());
    printf("%6s %12s %12s %12s %8s %8s %10s %10s\n", "B", "C 1 thread", "C threads", "NumPy", "ratio1", "ratio",
           "C gap", "NumPy gap");
    for (int k = 0; k < 3; k++) {
        clnscl_sim_opts_default(&o);
        o.batch = batches[k];
        long S = batches[k] >= 128 ? steps / 8 : (batches[k] >= 32 ? steps / 2 : steps);
        double c1 = steps_per_s(&o, S, 1), cT = steps_per_s(&o, S, 0);
        long ps = S / 20 > 200 ? S / 20 : 200;
        char cmd[2048];
        double np_sps = 0.0;
        for (int r = 0; r < REPS; r++) {
            snprintf(cmd, sizeof cmd,
                     "OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /usr/bin/python3 "
                     "%s/sim_numpy_ref.py %ld 10 20 %ld",
                     dir, ps, batches[k]);
            double v = numpy_value(cmd, "steps_per_s");
            if (v > np_sps) np_sps = v;
        }
        snprintf(cmd, sizeof cmd,
                 "OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /usr/bin/python3 %s/sim_numpy_ref.py "
                 "200 10 20 %ld",
                 dir, batches[k]);
        double np_gap = numpy_value(cmd, "final_gap_cl_nscl");
        double c_gap;
        run_wall(&o, 200, 0, &c_gap);
        printf("%6ld %12.0f %12.0f %12.0f %7.1fx %7.1fx %10.4f %10.4f\n", batches[k], c1, cT, np_sps, c1 / np_sps,
               cT / np_sps, c_gap, np_gap);
        fflush(stdout);
    }

    /* CKA / RSA of a 4,000 × 4,000 pair (Gram routes, §4.6–4.7) */
    const size_t n = 4000, d = 16;
    double *U = malloc(n * d * sizeof *U), *S1 = malloc(n * n * sizeof *S1), *S2 = malloc(n * n * sizeof *S2);
    clnscl_rng r;
    clnscl_rng_seed(&r, 3);
    for (size_t i = 0; i < n * d; i++) U[i] = clnscl_rng_normal(&r);
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t k = 0; k < d; k++) s += U[i * d + k] * U[i * d + k];
        for (size_t k = 0; k < d; k++) U[i * d + k] /= sqrt(s);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (size_t k = 0; k < d; k++) s += U[i * d + k] * U[j * d + k];
            S1[i * n + j] = s;
            S2[i * n + j] = s + 0.01 * clnscl_rng_normal(&r);
        }
    double cka, rsa, rho, rr, t0;
    t0 = wall_now();
    clnscl_cka_gram(S1, S2, n, &cka);
    double t_cka = wall_now() - t0;
    t0 = wall_now();
    clnscl_rsa_sim(S1, S2, n, &rsa);
    double t_rsa = wall_now() - t0;
    t0 = wall_now();
    clnscl_cka_rho(S1, S2, n, &rho);
    clnscl_rsa_r(S1, S2, n, &rr);
    double t_cor = wall_now() - t0;
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=2 /usr/bin/python3 %s/sim_numpy_ref.py 1 10 20 8 metrics 4000", dir);
    double np_cka = numpy_value(cmd, "cka_s");
    double np_rsa = numpy_value(cmd, "rsa_s");
    printf("\n4,000 x 4,000 Sigma pair (wall seconds)\n");
    printf("  CKA (clnscl_cka_gram)  %.3f s   NumPy %.3f s   value %.12f\n", t_cka, np_cka, cka);
    printf("  RSA (clnscl_rsa_sim)   %.3f s   NumPy %.3f s   value %.12f\n", t_rsa, np_rsa, rsa);
    printf("  rho + r (Corollaries)  %.3f s   rho %.6g  r %.6g\n", t_cor, rho, rr);
    free(U);
    free(S1);
    free(S2);
    return 0;
}
