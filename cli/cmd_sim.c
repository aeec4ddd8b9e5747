/* cli/cmd_sim.c — `clnscl sim`: surrogate similarity-descent dynamics for CL, NSCL and SCL under
 * shared randomness with per-step theorem checks (THEORY.md §3, §4; library in sim/). */
#include "cli.h"

#include "clnscl/sim.h"
#include "clnscl/status.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs(
        "usage: clnscl sim [options] --out DIR [--json]\n"
        "\n"
        "Evolve the 2N x 2N similarity matrix of a reference set (C classes x n samples x 2 views)\n"
        "under CL, NSCL and SCL similarity descent (THEORY.md §3) from one shared Sigma_0 with one\n"
        "shared batch sequence, checking Lemma 7 and the drift recurrence at every step and\n"
        "Theorem 1 and Corollaries 1-2 at every logged step.\n"
        "\n"
        "model:\n"
        "  --classes C            classes (default 10)\n"
        "  --per-class n          samples per class; N = C n, 2N points (default 20)\n"
        "  --batch B              samples per step, >= 2 (default 32)\n"
        "  --tau T                temperature, >= 0.001 (default 0.5)\n"
        "  --eta E                base step size (default 1)\n"
        "  --steps S              steps T (default 200)\n"
        "  --seed K               seed; repeat r uses K + r (default 1)\n"
        "  --form paper|code      paper: positive and self out of the denominator (default);\n"
        "                         code: positive once in it (authors' code)\n"
        "  --anchors views|samples  all 2B views (authors' code, default) or B (paper)\n"
        "  --sampling uniform|stratified  batches without replacement (default) or\n"
        "                         floor(B/C) per class + B mod C distinct extra classes\n"
        "  --init random|mixture|file  Sigma_0: cosines of random unit vectors in R^d (default),\n"
        "                         class means + sample noise + view noise, or embeddings from files\n"
        "  --init-embeddings E.npy  2N x d embeddings in the point layout (row a: sample a mod N,\n"
        "                         view a div N), with --init file\n"
        "  --init-labels L.npy    N labels (or 2N, equal for both views), with --init file\n"
        "  --dim d                dimension of random / mixture vectors (default 16)\n"
        "  --mix-sample s         mixture: sample-noise scale relative to the class means (0.5)\n"
        "  --mix-view v           mixture: view-noise scale (0.25)\n"
        "  --no-clip              do not clip Sigma to [-1,1] (the bounds assume the box)\n"
        "  --symmetrize           Sigma <- (Sigma + Sigma^T)/2 after every step\n"
        "  --no-scl               skip the SCL run (4 instead of 6 2N x 2N matrices in memory)\n"
        "step sizes (include/clnscl/schedule.h):\n"
        "  --schedule constant|cosine  constant (default) or warm-up + cosine, stepped per epoch\n"
        "  --scale none|constant|linear|sqrt|fourth  batch-size rule eta*B^a/ref-batch (none)\n"
        "  --ref-batch R          reference batch of the scaling rule (256)\n"
        "  --steps-per-epoch k    cosine epochs (default N/B)\n"
        "  --warmup-epochs W      cosine warm-up epochs (default 0)\n"
        "checks and output:\n"
        "  --delta D              failure probability of Corollary 3 / Theorem 1 (0.05)\n"
        "  --log-every k          log (and run the full-matrix checks) every k steps (default T/100)\n"
        "  --repeat R             R independent seeds; reports how often Theorem 1 with\n"
        "                         Delta_{pi,delta} and the batch-composition event held\n"
        "  --sweep name=v1,v2,..  grid over any option above (repeatable: Cartesian product);\n"
        "                         writes DIR/sweep.csv, one row per grid point\n"
        "  --strict               stop and exit 1 at the first violated inequality\n"
        "  --max-memory GB        memory limit (default or 0: 90% of MemAvailable)\n"
        "  --threads N            threads of the step, 0..256 (default 0: OpenBLAS's count, i.e.\n"
        "                         OPENBLAS_NUM_THREADS, GOTO_NUM_THREADS, OMP_NUM_THREADS or the\n"
        "                         cores; capped at the online CPUs); outputs are bit-identical for\n"
        "                         every N (--symmetrize steps run on one thread); with other\n"
        "                         CPU-bound work on the same cores use 1 (the team waits for a\n"
        "                         descheduled member)\n"
        "  --out DIR              write DIR/trajectory.csv and DIR/summary.json (required)\n"
        "  --json                 print summary.json on stdout (default: a short human-readable summary)\n"
        "\n"
        "exit status: 0 all checks held, 1 a check was violated, 2 bad parameters or input.\n",
        f);
}

static int is_bool_flag(const char *k)
{
    return !strcmp(k, "no-clip") || !strcmp(k, "symmetrize") || !strcmp(k, "no-scl") || !strcmp(k, "strict");
}

/* value of a summary.json number, or NAN when absent or null (not representable) */
static double jnum(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* one bound: its value where a double holds it, always its log10 */
static void print_bound(const cJSON *o, const char *label, const char *key)
{
    char lkey[64];
    snprintf(lkey, sizeof lkey, "%s_log10", key);
    double v = jnum(o, key), l = jnum(o, lkey);
    printf("  %-26s", label);
    if (isfinite(v)) printf("%-16.6g", v);
    else printf("%-16s", "(beyond double)");
    if (isfinite(l)) printf("log10 %.4f", l);
    printf("\n");
}

/* without --json: the final values in a few human-readable lines (summary.json has them all) */
static void print_summary(const char *summary, const char *out, int sweep)
{
    cJSON *o = cJSON_Parse(summary);
    if (!o) return;
    if (sweep) {
        const cJSON *pts = cJSON_GetObjectItemCaseSensitive(o, "points");
        printf("sim sweep: %d grid points, %.0f inequality violations\n", cJSON_GetArraySize(pts), jnum(o, "violations"));
        printf("  written: %s/sweep.csv, %s/summary.json\n", out, out);
        cJSON_Delete(o);
        return;
    }
    printf("sim: step %.0f, eta_sum %.6g, %.0f inequality violations\n", jnum(o, "step"), jnum(o, "eta_sum"),
           jnum(o, "violations"));
    printf("  %-26s%.6g\n", "gap_fro (CL vs NSCL)", jnum(o, "gap_fro"));
    print_bound(o, "recurrence bound (4.4)", "bound_recurrence");
    print_bound(o, "Theorem 1 bound (4.5)", "bound_theorem1");
    printf("  %-26s%-14.6f>= %.6f (Corollary 1)\n", "CKA (CL vs NSCL)", jnum(o, "cka"), jnum(o, "cka_lower"));
    printf("  %-26s%-14.6f>= %.6f (Corollary 2)\n", "RSA (CL vs NSCL)", jnum(o, "rsa"), jnum(o, "rsa_lower"));
    if (isfinite(jnum(o, "gap_fro_scl")))
        printf("  %-26sgap_fro %.6g, CKA %.6f, RSA %.6f\n", "CL vs SCL", jnum(o, "gap_fro_scl"), jnum(o, "cka_scl"),
               jnum(o, "rsa_scl"));
    printf("  written: %s/trajectory.csv, %s/summary.json\n", out, out);
    cJSON_Delete(o);
}

int clnscl_cmd_sim(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    static const char *const repeatable[] = {"sweep", NULL};
    if (cli_reject_repeats(argc, argv, repeatable)) return 2;
    clnscl_sim_opts o;
    clnscl_sim_opts_default(&o);
    const char *out = NULL;
    int json = 0, nsweep = 0;
    const char **sweep = calloc((size_t)argc + 1, sizeof *sweep);
    if (!sweep) return cli_error("out of memory");
    int rc = 0;
    for (int i = 1; i < argc && !rc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) || !a[2]) {
            rc = cli_error("sim: unexpected argument '%s' (try clnscl sim --help)", a);
            break;
        }
        char key[64];
        const char *val = NULL, *eq = strchr(a + 2, '=');
        size_t kl = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        if (kl >= sizeof key) {
            rc = cli_error("sim: unknown option '%s'", a);
            break;
        }
        memcpy(key, a + 2, kl);
        key[kl] = '\0';
        if (eq) val = eq + 1;
        if (!strcmp(key, "json") || is_bool_flag(key)) {
            if (eq) {
                rc = cli_error("sim: --%s takes no value", key);
                break;
            }
            if (!strcmp(key, "json")) json = 1;
            else if (clnscl_sim_opts_set(&o, key, NULL)) rc = cli_fail_status(CLNSCL_EINVAL);
            continue;
        }
        if (!val) {
            if (i + 1 >= argc) {
                rc = cli_error("sim: --%s needs a value", key);
                break;
            }
            val = argv[++i];
        }
        if (!strcmp(key, "out")) {
            if (!*val) rc = cli_error("sim: --out needs a directory");
            out = val;
        } else if (!strcmp(key, "sweep")) {
            sweep[nsweep++] = val;
        } else if (clnscl_sim_opts_set(&o, key, val)) {
            rc = cli_fail_status(CLNSCL_EINVAL);
        }
    }
    if (!rc && !out) rc = cli_error("sim: --out DIR is required");
    if (!rc && clnscl_sim_opts_check(&o)) rc = cli_fail_status(CLNSCL_EINVAL);
    if (rc) {
        free(sweep);
        return rc;
    }
    char *summary = NULL;
    long violations = 0;
    int stopped = 0, st;
    if (nsweep) st = clnscl_sim_sweep(&o, sweep, nsweep, out, &summary, &violations, &stopped);
    else st = clnscl_sim_execute(&o, out, &summary, &violations, &stopped);
    free(sweep);
    if (st) {
        free(summary);
        return cli_fail_status(st);
    }
    if (stopped) {
        fprintf(stderr, "clnscl: %s\n", clnscl_last_error());
        free(summary);
        return 1;
    }
    if (json && summary) printf("%s\n", summary);
    else if (summary) print_summary(summary, out, nsweep > 0);
    free(summary);
    if (violations) {
        fprintf(stderr, "clnscl: %ld inequality violations (see %s/summary.json)\n", violations, out);
        return 1;
    }
    return 0;
}
