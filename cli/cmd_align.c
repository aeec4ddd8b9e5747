/* cli/cmd_align.c — `clnscl align X Y`: CKA / RSA alignment of two feature matrices
 * with optional bootstrap percentile CIs and permutation p-values. */
#include "cli.h"

#include "clnscl/io.h"
#include "clnscl/metrics.h"
#include "clnscl/progress.h"
#include "clnscl/rng.h"
#include "clnscl/status.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*align_fn)(const double *X, size_t n, size_t dx, const double *Y, size_t dy, double sigma,
                        double *out);

static int m_cka(const double *X, size_t n, size_t dx, const double *Y, size_t dy, double s, double *o)
{
    (void)s;
    return clnscl_cka_linear(X, n, dx, Y, dy, o);
}
static int m_cos(const double *X, size_t n, size_t dx, const double *Y, size_t dy, double s, double *o)
{
    (void)s;
    return clnscl_cka_cosine(X, n, dx, Y, dy, o);
}
static int m_deb(const double *X, size_t n, size_t dx, const double *Y, size_t dy, double s, double *o)
{
    (void)s;
    return clnscl_cka_debiased(X, n, dx, Y, dy, o);
}
static int m_rbf(const double *X, size_t n, size_t dx, const double *Y, size_t dy, double s, double *o)
{
    return clnscl_cka_rbf(X, n, dx, Y, dy, s, o);
}
static int m_rsa(const double *X, size_t n, size_t dx, const double *Y, size_t dy, double s, double *o)
{
    (void)s;
    return clnscl_rsa_pearson(X, n, dx, Y, dy, o);
}
static int m_rsp(const double *X, size_t n, size_t dx, const double *Y, size_t dy, double s, double *o)
{
    (void)s;
    return clnscl_rsa_spearman(X, n, dx, Y, dy, o);
}

/* name, JSON key, smallest n, largest n in the default set (cost), function */
static const struct {
    const char *name, *key;
    size_t nmin, default_nmax;
    align_fn fn;
} metrics[] = {
    {"cka", "cka", 2, (size_t)-1, m_cka},
    {"cka-cosine", "cka_cosine", 2, (size_t)-1, m_cos},
    {"cka-debiased", "cka_debiased", 4, (size_t)-1, m_deb},
    {"cka-rbf", "cka_rbf", 2, 3000, m_rbf},
    {"rsa", "rsa", 3, 20000, m_rsa},
    {"rsa-spearman", "rsa_spearman", 3, 5000, m_rsp},
};
#define NMETRICS (sizeof metrics / sizeof metrics[0])

static void usage(FILE *f)
{
    fprintf(f,
            "usage: clnscl align X Y [--metrics LIST] [--json] [--bootstrap R] [--permutations P]\n"
            "                        [--seed S] [--rbf-sigma F]\n\n"
            "Alignment between two representations of the same n samples. X and Y are n x dx and\n"
            "n x dy matrices (rows = samples) in .npy (float32/64, int, uint, bool; C or Fortran\n"
            "order; NPY 1.0/2.0/3.0) or numeric .csv/.tsv/.txt (optional header row).\n\n"
            "metrics (double precision):\n"
            "  cka           linear CKA of the column-centred raw features\n"
            "  cka-cosine    linear CKA of the cosine-similarity matrices <HSxH,HSyH>/(|HSxH||HSyH|)\n"
            "  cka-debiased  CKA from the unbiased HSIC estimator (n >= 4; may be < 0, not clipped)\n"
            "  cka-rbf       RBF-kernel CKA, sigma = F x median pairwise distance\n"
            "  rsa           Pearson correlation of the cosine RDMs (1 - cos), strict upper triangle\n"
            "  rsa-spearman  the same with Spearman (average ranks for ties)\n\n"
            "options:\n"
            "  --metrics LIST     comma-separated metric names (default: cka, cka-cosine,\n"
            "                     cka-debiased if n >= 4, rsa if 3 <= n <= 20000,\n"
            "                     rsa-spearman if 3 <= n <= 5000, cka-rbf if n <= 3000)\n"
            "  --json             print one JSON object (n, dx, dy, one key per metric with '-' -> '_')\n"
            "  --bootstrap R      R bootstrap resamples of the samples: 95%% percentile CI\n"
            "                     (<key>_ci_low, <key>_ci_high; <key>_boot_n = resamples used)\n"
            "  --permutations P   P row permutations of Y: one-sided p-value (<key>_p)\n"
            "  --seed S           seed of the resampling RNG (default 1)\n"
            "  --rbf-sigma F      bandwidth factor of cka-rbf (default 1)\n"
            "  -h, --help         this help\n\n"
            "Bad input (row counts differ, n too small for a metric, NaN/Inf, constant features,\n"
            "a zero row, malformed files) prints one line 'clnscl: ...' and exits with status 2.\n");
}

typedef struct {
    int on;
    double value;
    double *boot; /* valid bootstrap values */
    size_t nboot;
    size_t perm_ge; /* permutations with statistic >= observed */
    size_t nperm;
} metric_result;

/* numpy's default (linear, "type 7") quantile of sorted x[0..m) */
static double quantile_sorted(const double *x, size_t m, double q)
{
    double h = (double)(m - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= m) return x[m - 1];
    return x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int opt_value(int argc, char **argv, int *i, const char *name, const char **val)
{
    size_t l = strlen(name);
    if (!strncmp(argv[*i], name, l) && argv[*i][l] == '=') {
        *val = argv[*i] + l + 1;
        return 1;
    }
    if (!strcmp(argv[*i], name)) {
        if (*i + 1 >= argc) {
            *val = NULL;
            return 1;
        }
        *val = argv[++*i];
        return 1;
    }
    return 0;
}

static int parse_metrics(const char *list, int *on)
{
    if (!list || !*list) return cli_error("--metrics needs a comma-separated list of metric names");
    for (const char *p = list;; p++) {
        size_t len = strcspn(p, ",");
        if (!len) return cli_error("--metrics: empty item in '%s'", list);
        size_t k;
        for (k = 0; k < NMETRICS; k++)
            if (strlen(metrics[k].name) == len && !strncmp(p, metrics[k].name, len)) break;
        if (k == NMETRICS)
            return cli_error("--metrics: unknown metric '%.*s' (known: cka, cka-cosine, cka-debiased, cka-rbf, rsa, "
                             "rsa-spearman)", (int)len, p);
        if (on[k]) return cli_error("--metrics: '%s' listed twice", metrics[k].name);
        on[k] = 1;
        p += len;
        if (!*p) break;
    }
    return 0;
}

/* gather rows idx[0..n) of A (n × d) into B */
static void gather_rows(const double *A, size_t d, const size_t *idx, size_t n, double *B)
{
    for (size_t i = 0; i < n; i++) memcpy(B + i * d, A + idx[i] * d, d * sizeof *B);
}

int clnscl_cmd_align(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    if (cli_reject_repeats(argc, argv, NULL)) return 2;
    const char *files[2] = {NULL, NULL};
    int nfiles = 0, json = 0, requested[NMETRICS] = {0}, explicit_metrics = 0;
    long boot = 0, perms = 0, seed = 1;
    double sigma = 1.0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int rc;
        if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (opt_value(argc, argv, &i, "--metrics", &v)) {
            if ((rc = parse_metrics(v, requested))) return rc;
            explicit_metrics = 1;
        } else if (opt_value(argc, argv, &i, "--bootstrap", &v)) {
            if ((rc = cli_parse_long("--bootstrap", v, &boot))) return rc;
            if (boot < 0 || boot > 1000000) return cli_error("--bootstrap must be between 0 and 1000000 (got %ld)", boot);
        } else if (opt_value(argc, argv, &i, "--permutations", &v)) {
            if ((rc = cli_parse_long("--permutations", v, &perms))) return rc;
            if (perms < 0 || perms > 10000000)
                return cli_error("--permutations must be between 0 and 10000000 (got %ld)", perms);
        } else if (opt_value(argc, argv, &i, "--seed", &v)) {
            if ((rc = cli_parse_long("--seed", v, &seed))) return rc;
            if (seed < 0) return cli_error("--seed must be >= 0 (got %ld)", seed);
        } else if (opt_value(argc, argv, &i, "--rbf-sigma", &v)) {
            if ((rc = cli_parse_double("--rbf-sigma", v, &sigma))) return rc;
            if (!(sigma > 0)) return cli_error("--rbf-sigma must be > 0 (got %g)", sigma);
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_error("align: unknown option '%s' (try clnscl align --help)", argv[i]);
        } else {
            if (nfiles == 2) return cli_error("align: too many arguments ('%s'); expected two files X Y", argv[i]);
            files[nfiles++] = argv[i];
        }
    }
    if (nfiles < 2) return cli_error("align: expected two feature files X Y (try clnscl align --help)");

    clnscl_mat X = {0}, Y = {0};
    int st = clnscl_matrix_read(files[0], &X);
    if (!st) st = clnscl_matrix_read(files[1], &Y);
    if (!st) st = clnscl_mat_check_finite(&X, files[0]);
    if (!st) st = clnscl_mat_check_finite(&Y, files[1]);
    if (!st && X.rows != Y.rows)
        st = clnscl_fail(CLNSCL_ESHAPE, "%s has %zu rows but %s has %zu (X and Y must hold the same samples as rows)",
                         files[0], X.rows, files[1], Y.rows);
    if (!st && (X.cols == 0 || Y.cols == 0))
        st = clnscl_fail(CLNSCL_ESHAPE, "%s has no feature columns", X.cols == 0 ? files[0] : files[1]);
    if (st) {
        clnscl_mat_free(&X);
        clnscl_mat_free(&Y);
        return cli_fail_status(st);
    }
    size_t n = X.rows, dx = X.cols, dy = Y.cols;

    metric_result res[NMETRICS];
    memset(res, 0, sizeof res);
    for (size_t k = 0; k < NMETRICS; k++) {
        if (explicit_metrics) res[k].on = requested[k];
        else res[k].on = (k < 2 || n >= metrics[k].nmin) && n <= metrics[k].default_nmax;
    }

    double *Xb = NULL, *Yb = NULL;
    size_t *idx = NULL;
    int rc = 0;
    for (size_t k = 0; k < NMETRICS && !st; k++)
        if (res[k].on) st = metrics[k].fn(X.data, n, dx, Y.data, dy, sigma, &res[k].value);
    if (!st && (boot > 0 || perms > 0)) {
        Xb = malloc(n * dx * sizeof *Xb);
        Yb = malloc(n * dy * sizeof *Yb);
        idx = malloc(n * sizeof *idx);
        for (size_t k = 0; k < NMETRICS; k++)
            if (res[k].on && boot > 0) {
                res[k].boot = malloc((size_t)boot * sizeof(double));
                if (!res[k].boot) st = clnscl_fail(CLNSCL_ENOMEM, "out of memory (--bootstrap %ld)", boot);
            }
        if (!Xb || !Yb || !idx) st = clnscl_fail(CLNSCL_ENOMEM, "out of memory (n = %zu)", n);
    }
    clnscl_rng root;
    clnscl_rng_seed(&root, (uint64_t)seed);
    clnscl_rng rboot = clnscl_rng_split(&root), rperm = clnscl_rng_split(&root);
    clnscl_progress prog;
    clnscl_progress_init(&prog);
    /* bootstrap: resample samples (rows of X and Y together) with replacement */
    for (long r = 0; r < boot && !st; r++) {
        for (size_t i = 0; i < n; i++) idx[i] = (size_t)clnscl_rng_below(&rboot, n);
        gather_rows(X.data, dx, idx, n, Xb);
        gather_rows(Y.data, dy, idx, n, Yb);
        for (size_t k = 0; k < NMETRICS && !st; k++) {
            if (!res[k].on) continue;
            double v;
            int s = metrics[k].fn(Xb, n, dx, Yb, dy, sigma, &v);
            if (s == CLNSCL_OK) res[k].boot[res[k].nboot++] = v;
            else if (s != CLNSCL_EDEGENERATE) st = s; /* a degenerate resample is skipped and counted */
        }
        clnscl_progress_update(&prog, (double)(r + 1) / (double)boot, "align: bootstrap %ld/%ld", r + 1, boot);
    }
    /* permutations: shuffle the rows of Y against fixed X */
    if (!st && perms > 0)
        for (size_t i = 0; i < n; i++) idx[i] = i;
    for (long p = 0; p < perms && !st; p++) {
        clnscl_rng_shuffle(&rperm, idx, n);
        gather_rows(Y.data, dy, idx, n, Yb);
        for (size_t k = 0; k < NMETRICS && !st; k++) {
            if (!res[k].on) continue;
            double v;
            int s = metrics[k].fn(X.data, n, dx, Yb, dy, sigma, &v);
            if (s == CLNSCL_OK) {
                res[k].nperm++;
                res[k].perm_ge += v >= res[k].value;
            } else if (s != CLNSCL_EDEGENERATE) {
                st = s;
            }
        }
        clnscl_progress_update(&prog, (double)(p + 1) / (double)perms, "align: permutation %ld/%ld", p + 1, perms);
    }
    if (boot > 0 || perms > 0) clnscl_progress_done(&prog);
    for (size_t k = 0; k < NMETRICS && !st; k++) {
        if (!res[k].on) continue;
        if (boot > 0 && res[k].nboot == 0)
            st = clnscl_fail(CLNSCL_EDEGENERATE, "--bootstrap: every resample is degenerate for %s (n = %zu too small?)",
                             metrics[k].name, n);
        if (perms > 0 && res[k].nperm == 0)
            st = clnscl_fail(CLNSCL_EDEGENERATE, "--permutations: every permutation is degenerate for %s",
                             metrics[k].name);
        if (res[k].nboot) qsort(res[k].boot, res[k].nboot, sizeof(double), cmp_double);
    }
    if (st) {
        rc = cli_fail_status(st);
        goto done;
    }

    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "n", (double)n);
        cJSON_AddNumberToObject(o, "dx", (double)dx);
        cJSON_AddNumberToObject(o, "dy", (double)dy);
        for (size_t k = 0; k < NMETRICS; k++) {
            if (!res[k].on) continue;
            char key[64];
            cJSON_AddNumberToObject(o, metrics[k].key, res[k].value);
            if (boot > 0) {
                snprintf(key, sizeof key, "%s_ci_low", metrics[k].key);
                cJSON_AddNumberToObject(o, key, quantile_sorted(res[k].boot, res[k].nboot, 0.025));
                snprintf(key, sizeof key, "%s_ci_high", metrics[k].key);
                cJSON_AddNumberToObject(o, key, quantile_sorted(res[k].boot, res[k].nboot, 0.975));
                snprintf(key, sizeof key, "%s_boot_n", metrics[k].key);
                cJSON_AddNumberToObject(o, key, (double)res[k].nboot);
            }
            if (perms > 0) {
                snprintf(key, sizeof key, "%s_p", metrics[k].key);
                cJSON_AddNumberToObject(o, key, (double)(1 + res[k].perm_ge) / (double)(1 + res[k].nperm));
            }
        }
        if (boot > 0) cJSON_AddNumberToObject(o, "bootstrap", (double)boot);
        if (perms > 0) cJSON_AddNumberToObject(o, "permutations", (double)perms);
        if (boot > 0 || perms > 0) cJSON_AddNumberToObject(o, "seed", (double)seed);
        char *txt = cJSON_Print(o);
        cJSON_Delete(o);
        if (!txt) {
            rc = cli_error("out of memory");
            goto done;
        }
        printf("%s\n", txt);
        free(txt);
    } else {
        printf("n = %zu samples, dx = %zu, dy = %zu features\n", n, dx, dy);
        printf("%-14s %12s", "metric", "value");
        if (boot > 0) printf("   95%% CI (bootstrap, %ld)  ", boot);
        if (perms > 0) printf("   p (%ld perms)", perms);
        printf("\n");
        for (size_t k = 0; k < NMETRICS; k++) {
            if (!res[k].on) continue;
            printf("%-14s %12.9f", metrics[k].name, res[k].value);
            if (boot > 0)
                printf("   [%.6f, %.6f]%*s", quantile_sorted(res[k].boot, res[k].nboot, 0.025),
                       quantile_sorted(res[k].boot, res[k].nboot, 0.975), 4, "");
            if (perms > 0) printf("   %.6g", (double)(1 + res[k].perm_ge) / (double)(1 + res[k].nperm));
            printf("\n");
        }
    }
    if (fflush(stdout) != 0) rc = cli_error("cannot write to standard output");
done:
    for (size_t k = 0; k < NMETRICS; k++) free(res[k].boot);
    free(Xb);
    free(Yb);
    free(idx);
    clnscl_mat_free(&X);
    clnscl_mat_free(&Y);
    return rc;
}
