/* bench/bench_align.c — time one alignment metric on two NPY files (driven by
 * bench/bench_align.py, which compares against NumPy / SciPy / the authors' PyTorch route).
 *
 * usage: bench_align X.npy Y.npy METRIC [REPS]
 *   METRIC: cka | cka-cosine | cka-debiased | cka-rbf | rsa | rsa-spearman
 * prints one JSON line: metric, n, dx, dy, value, best seconds over REPS (file loading
 * excluded), the resident memory once the inputs are loaded and the peak afterwards (KiB),
 * so the metric's own extra memory is rss_peak_kib − rss_base_kib.
 */
#include "clnscl/io.h"
#include "clnscl/metrics.h"
#include "clnscl/progress.h"
#include "clnscl/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* resident memory now (KiB), from /proc/self/statm */
static long current_rss_kib(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static long maxrss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
    clnscl_gsl_quiet();
    if (argc < 4) {
        fprintf(stderr, "usage: bench_align X.npy Y.npy METRIC [REPS]\n");
        return 2;
    }
    int reps = argc > 4 ? atoi(argv[4]) : 1;
    if (reps < 1) reps = 1;
    clnscl_mat X, Y;
    if (clnscl_matrix_read(argv[1], &X) || clnscl_matrix_read(argv[2], &Y)) {
        fprintf(stderr, "bench_align: %s\n", clnscl_last_error());
        return 2;
    }
    const char *m = argv[3];
    long base = current_rss_kib();
    double best = 1e300, v = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = clnscl_now();
        int st;
        if (!strcmp(m, "cka")) st = clnscl_cka_linear(X.data, X.rows, X.cols, Y.data, Y.cols, &v);
        else if (!strcmp(m, "cka-cosine")) st = clnscl_cka_cosine(X.data, X.rows, X.cols, Y.data, Y.cols, &v);
        else if (!strcmp(m, "cka-debiased")) st = clnscl_cka_debiased(X.data, X.rows, X.cols, Y.data, Y.cols, &v);
        else if (!strcmp(m, "cka-rbf")) st = clnscl_cka_rbf(X.data, X.rows, X.cols, Y.data, Y.cols, 1.0, &v);
        else if (!strcmp(m, "rsa")) st = clnscl_rsa_pearson(X.data, X.rows, X.cols, Y.data, Y.cols, &v);
        else if (!strcmp(m, "rsa-spearman")) st = clnscl_rsa_spearman(X.data, X.rows, X.cols, Y.data, Y.cols, &v);
        else {
            fprintf(stderr, "bench_align: unknown metric %s\n", m);
            return 2;
        }
        double t = clnscl_now() - t0;
        if (st) {
            fprintf(stderr, "bench_align: %s\n", clnscl_last_error());
            return 2;
        }
        if (t < best) best = t;
    }
    printf("{\"impl\": \"clnscl\", \"metric\": \"%s\", \"n\": %zu, \"dx\": %zu, \"dy\": %zu, \"value\": %.17g, "
           "\"seconds\": %.6f, \"rss_base_kib\": %ld, \"rss_peak_kib\": %ld}\n",
           m, X.rows, X.cols, Y.cols, v, best, base, maxrss_kib());
    clnscl_mat_free(&X);
    clnscl_mat_free(&Y);
    return 0;
}
