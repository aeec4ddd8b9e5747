/* cli/cmd_bounds.c — `clnscl bounds`: every bound of THEORY.md §4 (and §2.5) as a calculator.
 *
 * One evaluation prints a table (default) or JSON (--json); --sweep name=v1,v2,… (repeatable)
 * evaluates the Cartesian grid and writes one CSV row per point. All output is rendered in
 * memory first and written at the end (stdout, or --out FILE atomically), so an impossible
 * parameter anywhere leaves no output at all: one line "clnscl: …" on stderr, exit 2.
 */
#include "cli.h"

#include "clnscl/bounds.h"
#include "clnscl/io.h"
#include "clnscl/schedule.h"
#include "clnscl/status.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LN10 2.302585092994045684

/* numeric parameters: flags and sweep names */
enum {
    P_CLASSES, P_PI_MAX, P_TAU, P_BATCH, P_STEPS, P_ETA, P_DELTA, P_K_NORM, P_RSA_SIGMA, P_RSA_PAIRS,
    P_BETA, P_GRAD_BOUND, P_F_MAX, P_EPOCHS, P_DATASET_SIZE, P_POINTS, P_REF_BATCH, P_GAP, NPARAM
};
static const struct {
    const char *name;
    int integer;
} ptab[NPARAM] = {
    {"classes", 1},  {"pi-max", 0},      {"tau", 0},        {"batch", 1},      {"steps", 1},       {"eta", 0},
    {"delta", 0},    {"k-norm", 0},      {"rsa-sigma", 0},  {"rsa-pairs", 1},  {"beta", 0},        {"grad-bound", 0},
    {"f-max", 0},    {"epochs", 1},      {"dataset-size", 1}, {"points", 1},   {"ref-batch", 1},
    {"gap", 0},
};

#define MAX_SWEEPS 8
#define MAX_GRID 1000000L

typedef struct {
    double v[NPARAM];          /* NaN = not given                                   */
    const char *class_counts;  /* --class-counts LIST                               */
    const char *schedule;      /* --schedule SPEC                                   */
    const char *lr_scale;      /* --lr-scale RULE                                   */
    const char *accounting;    /* --accounting steps|epochs                         */
    const char *out;           /* --out FILE                                        */
    const char *eta_file;      /* --eta-file FILE: explicit step-size sequence      */
    clnscl_mat eta_seq;        /* its contents (rows·cols values)                  */
    int json;
    int nsweep;
    int sweep_param[MAX_SWEEPS];
    long sweep_n[MAX_SWEEPS];
    double *sweep_vals[MAX_SWEEPS];
    /* from --class-counts */
    double cc_pi_max;
    long cc_classes;
} opts;

/* what the output needs besides the report */
typedef struct {
    double classes; /* C, NaN if only π_max was given */
    double pi_max;
    const char *kind, *scale, *accounting;
} derived;

static void usage(FILE *f)
{
    fputs(
        "usage: clnscl bounds (--classes C | --pi-max P | --class-counts N1,N2,...)\n"
        "                     --tau T --batch B (--steps S | --accounting epochs --epochs E --dataset-size N)\n"
        "                     (--eta E | --schedule SPEC | --eta-file FILE) --delta D\n"
        "                     [--lr-scale RULE] [--ref-batch R] [--f-max F] [--k-norm K]\n"
        "                     [--rsa-sigma S --rsa-pairs M] [--beta BETA --grad-bound G] [--gap D] [--points n]\n"
        "                     [--json] [--sweep name=v1,v2,...]... [--out FILE]\n"
        "\n"
        "Evaluates the bounds of THEORY.md section 4 in log space (the plain value is printed only\n"
        "when it fits in a double; log10 always). B is the number of anchors |A| the batch loss\n"
        "averages over (the paper's B).\n"
        "\n"
        "class prior (exactly one):\n"
        "  --classes C          balanced classes, pi_max = 1/C (C >= 2)\n"
        "  --pi-max P           largest class prior, 0 < P < 1\n"
        "  --class-counts LIST  per-class sample counts; pi_max = n_max/N\n"
        "required:\n"
        "  --tau T              temperature, > 0\n"
        "  --batch B            batch size (anchors), >= 2\n"
        "  --steps S            number of SGD steps T (fixed-steps accounting)\n"
        "  --eta E              step size (constant schedule), or the base of --schedule; >= 0\n"
        "  --eta-file FILE      explicit step sizes eta_0..eta_{T-1} (NPY, or CSV/TXT one per line);\n"
        "                       T = their number; replaces --eta/--schedule/--steps\n"
        "  --schedule SPEC      constant | cosine, with options KIND:key=value,...: eta=E (base),\n"
        "                       warmup=W (epochs, default 10), spe=K (steps per epoch; default\n"
        "                       floor(N/B) from --dataset-size), scale=RULE, ref=R\n"
        "                       cosine = the authors' per-epoch warm-up + cosine (THEORY.md 6.3)\n"
        "  --delta D            failure probability, 0 < D < 1\n"
        "step-size scaling with the batch size (THEORY.md 6.5, 4.5):\n"
        "  --lr-scale RULE      none (default) | constant | linear | sqrt | fourth:\n"
        "                       eta = E, E, E*B/R, E*sqrt(B)/R, E*B^(1/4)/R\n"
        "  --ref-batch R        reference batch R of the scaling rule (default 256)\n"
        "  --accounting MODE    steps (default): T = --steps whatever B is;\n"
        "                       epochs: T = --epochs * floor(--dataset-size / B)\n"
        "optional bounds:\n"
        "  --f-max F            observed max same-class fraction: deterministic Delta_emp (4.2)\n"
        "  --k-norm K           ||K^CL_T||_F: Corollary 1 (CKA lower bound, 4.6)\n"
        "  --rsa-sigma S        population std of the CL RDM entries, with\n"
        "  --rsa-pairs M        M = n(n-1)/2 pairs: Corollary 2 (RSA lower bound, 4.7)\n"
        "  --beta BETA          smoothness, with\n"
        "  --grad-bound G       gradient bound: Theorem 2 (parameter space, 4.8)\n"
        "  --gap D              a known ||Sigma^CL - Sigma^NSCL||_F (e.g. measured): Lemma 7 at this\n"
        "                       gap (4.3) and Corollaries 1-2 from it (with --k-norm / --rsa-*)\n"
        "  --points n           reference-set size n: gap bounds above 2*sqrt(n(n-1)) are vacuous\n"
        "                       (default: from --rsa-pairs, else not judged)\n"
        "output:\n"
        "  --json               JSON object instead of the table\n"
        "  --sweep NAME=V1,...  evaluate a grid (repeatable; Cartesian product, first varies\n"
        "                       slowest) and write CSV; NAME is any numeric flag above without --\n"
        "  --out FILE           write the output to FILE (atomically) instead of stdout\n"
        "  -h, --help           this help\n"
        "\n"
        "Impossible parameters (C < 2, tau <= 0, delta outside (0,1), B < 2, pi_max + epsilon >= 1,\n"
        "negative step sizes) print 'clnscl: ...' and exit 2. In a sweep a grid point with\n"
        "pi_max + epsilon >= 1 is written with valid = 0 and empty bound columns.\n",
        f);
}

/* ---- option parsing --------------------------------------------------------------------- */

/* strict number (cli_parse_double), integral when `integer` */
static int parse_number(const char *opt, int integer, const char *s, double *out)
{
    if (cli_parse_double(opt, s, out)) return 2;
    if (integer && (*out != floor(*out) || fabs(*out) > 1e15)) return cli_error("%s: '%s' is not an integer", opt, s);
    return 0;
}

static int parse_param_value(int k, const char *s, double *out)
{
    char opt[40];
    snprintf(opt, sizeof opt, "--%s", ptab[k].name);
    return parse_number(opt, ptab[k].integer, s, out);
}

static int find_param(const char *name, size_t len)
{
    for (int k = 0; k < NPARAM; k++)
        if (strlen(ptab[k].name) == len && !strncmp(ptab[k].name, name, len)) return k;
    return -1;
}

/* "v1,v2,..." → a malloc'ed array of n numbers */
static int parse_list(const char *opt, int integer, const char *s, double **vals, long *n)
{
    long cnt = 1;
    for (const char *p = s; *p; p++) cnt += *p == ',';
    double *v = malloc((size_t)cnt * sizeof *v);
    char *buf = strdup(s);
    if (!v || !buf) {
        free(v);
        free(buf);
        return cli_error("out of memory");
    }
    long i = 0;
    char *tok = buf;
    for (char *p = buf;; p++) {
        if (*p == ',' || *p == '\0') {
            int end = *p == '\0';
            *p = '\0';
            if (parse_number(opt, integer, tok, &v[i++])) {
                free(v);
                free(buf);
                return 2;
            }
            tok = p + 1;
            if (end) break;
        }
    }
    free(buf);
    *vals = v;
    *n = cnt;
    return 0;
}

static int parse_sweep(opts *o, const char *spec)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec) return cli_error("--sweep: '%s' is not name=v1,v2,...", spec);
    int k = find_param(spec, (size_t)(eq - spec));
    if (k < 0) return cli_error("--sweep: unknown parameter '%.*s'", (int)(eq - spec), spec);
    if (o->nsweep == MAX_SWEEPS) return cli_error("--sweep: at most %d sweeps", MAX_SWEEPS);
    for (int i = 0; i < o->nsweep; i++)
        if (o->sweep_param[i] == k) return cli_error("--sweep: '%s' swept twice", ptab[k].name);
    char opt[48];
    snprintf(opt, sizeof opt, "--sweep %s", ptab[k].name);
    if (parse_list(opt, ptab[k].integer, eq + 1, &o->sweep_vals[o->nsweep], &o->sweep_n[o->nsweep])) return 2;
    o->sweep_param[o->nsweep++] = k;
    return 0;
}

static int parse_counts(opts *o)
{
    double *v;
    long n;
    if (parse_list("--class-counts", 1, o->class_counts, &v, &n)) return 2;
    long *c = malloc((size_t)n * sizeof *c);
    if (!c) {
        free(v);
        return cli_error("out of memory");
    }
    for (long i = 0; i < n; i++) c[i] = (long)v[i];
    long nmax, tot;
    int st = clnscl_bounds_pi_from_counts(c, n, &o->cc_pi_max, &nmax, &tot, &o->cc_classes);
    free(c);
    free(v);
    return st ? cli_fail_status(st) : 0;
}

/* --eta-file: NPY or CSV/TXT vector of step sizes; excludes every other schedule flag */
static int load_eta_file(opts *o)
{
    static const int excl[] = {P_ETA, P_STEPS, P_EPOCHS, P_REF_BATCH, P_DATASET_SIZE};
    for (size_t i = 0; i < sizeof excl / sizeof excl[0]; i++) {
        int swept = 0;
        for (int j = 0; j < o->nsweep; j++) swept |= o->sweep_param[j] == excl[i];
        if (!isnan(o->v[excl[i]]) || swept)
            return cli_error("--eta-file gives the whole step-size sequence; do not combine it with --%s", ptab[excl[i]].name);
    }
    if (o->schedule || o->lr_scale || o->accounting)
        return cli_error("--eta-file gives the whole step-size sequence; do not combine it with --%s",
                         o->schedule ? "schedule" : o->lr_scale ? "lr-scale" : "accounting");
    int st = clnscl_matrix_read(o->eta_file, &o->eta_seq);
    if (st) return cli_fail_status(st);
    if (o->eta_seq.rows != 1 && o->eta_seq.cols != 1)
        return cli_error("--eta-file %s: expected a vector of step sizes, got %zu x %zu", o->eta_file, o->eta_seq.rows,
                         o->eta_seq.cols);
    size_t n = o->eta_seq.rows * o->eta_seq.cols;
    if (n < 1) return cli_error("--eta-file %s: no step sizes", o->eta_file);
    for (size_t i = 0; i < n; i++)
        if (!(o->eta_seq.data[i] >= 0) || !isfinite(o->eta_seq.data[i]))
            return cli_error("--eta-file %s: step size %zu is %g (must be finite and >= 0)", o->eta_file, i + 1,
                             o->eta_seq.data[i]);
    return 0;
}

static int parse_args(int argc, char **argv, opts *o)
{
    for (int k = 0; k < NPARAM; k++) o->v[k] = NAN;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2)) return cli_error("unexpected argument '%s' (try clnscl bounds --help)", a);
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        if (len == 4 && !strncmp(name, "json", 4)) {
            if (eq) return cli_error("--json takes no value");
            o->json = 1;
            continue;
        }
        const char *val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!val) return cli_error("--%.*s needs a value", (int)len, name);
        int k = find_param(name, len);
        if (k >= 0) {
            if (!isnan(o->v[k])) return cli_error("--%s given twice", ptab[k].name);
            if (parse_param_value(k, val, &o->v[k])) return 2;
            continue;
        }
        const char **slot = NULL;
        if (len == 12 && !strncmp(name, "class-counts", len)) slot = &o->class_counts;
        else if (len == 8 && !strncmp(name, "schedule", len)) slot = &o->schedule;
        else if (len == 8 && !strncmp(name, "lr-scale", len)) slot = &o->lr_scale;
        else if (len == 10 && !strncmp(name, "accounting", len)) slot = &o->accounting;
        else if (len == 3 && !strncmp(name, "out", len)) slot = &o->out;
        else if (len == 8 && !strncmp(name, "eta-file", len)) slot = &o->eta_file;
        else if (len == 5 && !strncmp(name, "sweep", len)) {
            if (parse_sweep(o, val)) return 2;
            continue;
        } else
            return cli_error("unknown option '--%.*s' (try clnscl bounds --help)", (int)len, name);
        if (*slot) return cli_error("--%.*s given twice", (int)len, name);
        if (!*val) return cli_error("--%.*s needs a value", (int)len, name);
        *slot = val;
    }
    /* a swept parameter must not also be a flag */
    for (int i = 0; i < o->nsweep; i++)
        if (!isnan(o->v[o->sweep_param[i]]))
            return cli_error("--%s is given both as a flag and in --sweep", ptab[o->sweep_param[i]].name);
    if (o->class_counts && parse_counts(o)) return 2;
    if (o->eta_file && load_eta_file(o)) return 2;
    if (o->nsweep && o->json) return cli_error("--sweep writes CSV; it cannot be combined with --json");
    return 0;
}

/* ---- one grid point: values → params ------------------------------------------------------ */

static int build_optional(const double *v, clnscl_bounds_params *p);

static int build(const opts *o, const double *v, clnscl_bounds_params *p, derived *d)
{
    clnscl_bounds_params_init(p);
    /* class prior: exactly one source */
    int nsrc = !isnan(v[P_CLASSES]) + !isnan(v[P_PI_MAX]) + (o->class_counts != NULL);
    if (nsrc == 0) return cli_error("give the class prior: --classes C, --pi-max P or --class-counts LIST");
    if (nsrc > 1) return cli_error("give only one of --classes, --pi-max, --class-counts");
    if (!isnan(v[P_CLASSES])) {
        if (v[P_CLASSES] < 2) return cli_error("--classes: C = %g, need C >= 2 classes", v[P_CLASSES]);
        d->classes = v[P_CLASSES];
        p->pi_max = 1.0 / v[P_CLASSES];
    } else if (!isnan(v[P_PI_MAX])) {
        if (!(v[P_PI_MAX] > 0 && v[P_PI_MAX] < 1))
            return cli_error("--pi-max: %g is outside (0,1) (pi_max = 1 means a single class)", v[P_PI_MAX]);
        d->classes = NAN;
        p->pi_max = v[P_PI_MAX];
    } else {
        d->classes = (double)o->cc_classes;
        p->pi_max = o->cc_pi_max;
    }
    d->pi_max = p->pi_max;
    static const int required[] = {P_TAU, P_BATCH, P_DELTA};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (isnan(v[required[i]])) return cli_error("--%s is required (see clnscl bounds --help)", ptab[required[i]].name);
    if (!(v[P_TAU] > 0)) return cli_error("--tau: temperature must be > 0 (got %g)", v[P_TAU]);
    if (v[P_BATCH] < 2) return cli_error("--batch: B must be >= 2 (got %g)", v[P_BATCH]);
    if (!(v[P_DELTA] > 0 && v[P_DELTA] < 1)) return cli_error("--delta: %g is outside (0,1)", v[P_DELTA]);
    p->tau = v[P_TAU];
    p->batch = (long)v[P_BATCH];
    p->delta = v[P_DELTA];

    if (o->eta_file) {
        p->eta_seq = o->eta_seq.data;
        p->eta_len = (long)(o->eta_seq.rows * o->eta_seq.cols);
        d->kind = "file";
        d->scale = "none";
        d->accounting = "steps";
        return build_optional(v, p);
    }
    /* schedule */
    clnscl_schedule *s = &p->sched;
    memset(s, 0, sizeof *s);
    s->base = NAN;
    s->warmup_epochs = -1;
    s->ref_batch = -1;
    if (o->schedule) {
        int st = clnscl_schedule_parse(o->schedule, s);
        if (st) return cli_fail_status(st);
    }
    if (!isnan(v[P_ETA])) {
        if (!isnan(s->base)) return cli_error("give the base step size once: --eta or --schedule ...:eta=E");
        s->base = v[P_ETA];
    }
    if (isnan(s->base)) return cli_error("give the step size: --eta E or --schedule KIND:eta=E");
    if (s->base < 0) return cli_error("step size must be >= 0 (got %g)", s->base);
    if (s->warmup_epochs < 0) s->warmup_epochs = 10;
    if (o->lr_scale) {
        clnscl_scale_rule r;
        int st = clnscl_schedule_parse_scale(o->lr_scale, &r);
        if (st) return cli_fail_status(st);
        s->scale = r;
    }
    if (!isnan(v[P_REF_BATCH])) {
        if (s->ref_batch >= 0) return cli_error("give the reference batch once: --ref-batch or --schedule ...:ref=R");
        s->ref_batch = (long)v[P_REF_BATCH];
    }
    if (s->ref_batch < 0) s->ref_batch = 256;
    if (s->ref_batch < 1) return cli_error("reference batch must be >= 1 (got %ld)", s->ref_batch);
    clnscl_accounting acc = CLNSCL_ACCOUNT_STEPS;
    if (o->accounting) {
        int st = clnscl_schedule_parse_accounting(o->accounting, &acc);
        if (st) return cli_fail_status(st);
    }
    s->accounting = acc;
    if (!isnan(v[P_DATASET_SIZE])) {
        if (v[P_DATASET_SIZE] < 1) return cli_error("--dataset-size must be >= 1 (got %g)", v[P_DATASET_SIZE]);
        s->dataset_size = (long)v[P_DATASET_SIZE];
    }
    if (acc == CLNSCL_ACCOUNT_EPOCHS) {
        if (!isnan(v[P_STEPS])) return cli_error("--accounting epochs derives T from --epochs; do not give --steps");
        if (isnan(v[P_EPOCHS]) || isnan(v[P_DATASET_SIZE]))
            return cli_error("--accounting epochs needs --epochs E and --dataset-size N");
        if (v[P_EPOCHS] < 1) return cli_error("--epochs must be >= 1 (got %g)", v[P_EPOCHS]);
        if (s->steps_per_epoch)
            return cli_error("--accounting epochs sets the steps per epoch to floor(N/B); drop spe= from --schedule");
        if (s->dataset_size < p->batch)
            return cli_error("--dataset-size N = %ld is smaller than the batch B = %ld", s->dataset_size, p->batch);
        s->epochs = (long)v[P_EPOCHS];
    } else {
        if (!isnan(v[P_EPOCHS])) return cli_error("--epochs needs --accounting epochs (fixed steps use --steps)");
        if (isnan(v[P_STEPS])) return cli_error("--steps is required (or --accounting epochs --epochs E --dataset-size N)");
        if (v[P_STEPS] < 1) return cli_error("--steps must be >= 1 (got %g)", v[P_STEPS]);
        s->steps = (long)v[P_STEPS];
        if (s->kind == CLNSCL_SCHED_COSINE && s->steps_per_epoch == 0) {
            if (!s->dataset_size)
                return cli_error("the cosine schedule needs steps per epoch: --schedule cosine:spe=K or --dataset-size N");
            if (s->dataset_size < p->batch)
                return cli_error("--dataset-size N = %ld is smaller than the batch B = %ld", s->dataset_size, p->batch);
            s->steps_per_epoch = s->dataset_size / p->batch;
        }
    }
    static const char *kinds[] = {"constant", "cosine"};
    static const char *scales[] = {"none", "constant", "linear", "sqrt", "fourth"};
    d->kind = kinds[s->kind == CLNSCL_SCHED_COSINE];
    d->scale = scales[s->scale];
    d->accounting = acc == CLNSCL_ACCOUNT_EPOCHS ? "epochs" : "steps";
    return build_optional(v, p);
}

/* the optional bounds' inputs */
static int build_optional(const double *v, clnscl_bounds_params *p)
{
    if (!isnan(v[P_F_MAX]) && !(v[P_F_MAX] >= 0 && v[P_F_MAX] < 1))
        return cli_error("--f-max: %g is outside [0,1)", v[P_F_MAX]);
    if (!isnan(v[P_K_NORM]) && !(v[P_K_NORM] > 0)) return cli_error("--k-norm must be > 0 (got %g)", v[P_K_NORM]);
    if (isnan(v[P_RSA_SIGMA]) != isnan(v[P_RSA_PAIRS])) return cli_error("Corollary 2 needs both --rsa-sigma and --rsa-pairs");
    if (!isnan(v[P_RSA_SIGMA]) && !(v[P_RSA_SIGMA] > 0)) return cli_error("--rsa-sigma must be > 0 (got %g)", v[P_RSA_SIGMA]);
    if (!isnan(v[P_RSA_PAIRS]) && v[P_RSA_PAIRS] < 1) return cli_error("--rsa-pairs must be >= 1 (got %g)", v[P_RSA_PAIRS]);
    if (isnan(v[P_BETA]) != isnan(v[P_GRAD_BOUND])) return cli_error("Theorem 2 needs both --beta and --grad-bound");
    if (!isnan(v[P_BETA]) && !(v[P_BETA] > 0)) return cli_error("--beta must be > 0 (got %g)", v[P_BETA]);
    if (!isnan(v[P_GRAD_BOUND]) && !(v[P_GRAD_BOUND] >= 0)) return cli_error("--grad-bound must be >= 0 (got %g)", v[P_GRAD_BOUND]);
    if (!isnan(v[P_POINTS]) && v[P_POINTS] < 2) return cli_error("--points must be >= 2 (got %g)", v[P_POINTS]);
    if (!isnan(v[P_GAP]) && !(v[P_GAP] >= 0)) return cli_error("--gap must be >= 0 (got %g)", v[P_GAP]);
    p->gap = v[P_GAP];
    p->f_max = v[P_F_MAX];
    p->k_norm = v[P_K_NORM];
    p->rsa_sigma = v[P_RSA_SIGMA];
    p->rsa_pairs = v[P_RSA_PAIRS];
    p->beta = v[P_BETA];
    p->grad_bound = v[P_GRAD_BOUND];
    p->points = v[P_POINTS];
    return 0;
}

static int evaluate(const opts *o, const double *v, clnscl_bounds_params *p, derived *d, clnscl_bounds_report *r)
{
    if (build(o, v, p, d)) return 2;
    int st = clnscl_bounds_eval(p, r);
    if (st) return cli_fail_status(st);
    return 0;
}

static int invalid_error(const clnscl_bounds_report *r, double pi_max)
{
    return cli_error("pi_max + epsilon_{B,delta} = %.6g >= 1 (pi_max = %.6g, epsilon = %.6g): Delta is undefined "
                     "(Corollary 3); use a larger --batch, a larger --delta or fewer steps",
                     r->p, pi_max, r->epsilon);
}

/* ---- JSON ---------------------------------------------------------------------------------- */

static void json_num(cJSON *o, const char *k, double x)
{
    if (isfinite(x)) cJSON_AddNumberToObject(o, k, x);
    else cJSON_AddNullToObject(o, k);
}

/* key, key_log10 and (when `vac` is given) key_vacuous + vacuous.key; a gap bound whose
 * vacuity cannot be judged (reference-set size unknown) gets null flags. */
static void json_bound_j(cJSON *o, cJSON *vac, const char *k, const clnscl_bound *b, int judged)
{
    char key[64];
    json_num(o, k, b->finite ? b->value : NAN);
    snprintf(key, sizeof key, "%s_log10", k);
    json_num(o, key, b->log10);
    if (vac) {
        snprintf(key, sizeof key, "%s_vacuous", k);
        if (judged) {
            cJSON_AddBoolToObject(o, key, b->vacuous);
            cJSON_AddBoolToObject(vac, k, b->vacuous);
        } else {
            cJSON_AddNullToObject(o, key);
            cJSON_AddNullToObject(vac, k);
        }
    }
}

static void json_bound(cJSON *o, cJSON *vac, const char *k, const clnscl_bound *b)
{
    json_bound_j(o, vac, k, b, 1);
}

/* a Corollary's lower bound: always finite; log10 null when the bound is ≤ 0 */
static void json_lower(cJSON *o, cJSON *vac, const char *k, const clnscl_bound *b)
{
    char key[64];
    json_num(o, k, b->value);
    snprintf(key, sizeof key, "%s_log10", k);
    json_num(o, key, b->log10);
    snprintf(key, sizeof key, "%s_vacuous", k);
    cJSON_AddBoolToObject(o, key, b->vacuous);
    cJSON_AddBoolToObject(vac, k, b->vacuous);
}

static char *render_json(const clnscl_bounds_params *p, const derived *d, const clnscl_bounds_report *r)
{
    cJSON *o = cJSON_CreateObject(), *vac = cJSON_CreateObject();
    json_num(o, "classes", d->classes);
    json_num(o, "pi_max", p->pi_max);
    json_num(o, "tau", p->tau);
    cJSON_AddNumberToObject(o, "batch", (double)p->batch);
    cJSON_AddNumberToObject(o, "steps", (double)r->steps);
    json_num(o, "delta", p->delta);
    cJSON_AddStringToObject(o, "schedule", d->kind);
    cJSON_AddStringToObject(o, "lr_scale", d->scale);
    cJSON_AddStringToObject(o, "accounting", d->accounting);
    json_num(o, "eta_peak", r->eta_peak);
    json_num(o, "eta_sum", r->eta_sum);
    json_num(o, "epsilon", r->epsilon);
    json_num(o, "pi_max_plus_epsilon", r->p);
    cJSON_AddBoolToObject(o, "valid", r->valid);
    json_bound(o, NULL, "Delta", &r->Delta);
    int judged = !isnan(r->log_max_gap);
    json_bound_j(o, vac, "theorem1", &r->theorem1, judged);
    json_bound_j(o, vac, "recurrence", &r->recurrence, judged);
    json_num(o, "max_gap_log10", r->log_max_gap / LN10);
    json_bound(o, NULL, "lemma7_reweighting", &r->lemma7_reweight);
    json_num(o, "lemma7_lipschitz", r->lemma7_lipschitz);
    if (r->has_emp) {
        json_num(o, "f_max", p->f_max);
        json_bound(o, NULL, "Delta_emp", &r->Delta_emp);
        json_bound_j(o, vac, "theorem1_emp", &r->theorem1_emp, judged);
        json_bound_j(o, vac, "recurrence_emp", &r->recurrence_emp, judged);
    }
    if (r->has_cka) {
        json_num(o, "k_norm", p->k_norm);
        json_bound(o, NULL, "rho", &r->rho);
        json_lower(o, vac, "cka_lower", &r->cka_lower);
    }
    if (r->has_rsa) {
        json_num(o, "rsa_sigma", p->rsa_sigma);
        json_num(o, "rsa_pairs", p->rsa_pairs);
        json_bound(o, NULL, "r", &r->r);
        json_lower(o, vac, "rsa_lower", &r->rsa_lower);
    }
    if (r->has_theorem2) {
        json_num(o, "beta", p->beta);
        json_num(o, "grad_bound", p->grad_bound);
        json_bound(o, vac, "theorem2", &r->theorem2);
        json_bound(o, vac, "theorem2_unrolled", &r->theorem2_unrolled);
    }
    if (r->has_gap) {
        json_num(o, "gap", p->gap);
        json_bound(o, NULL, "lemma7", &r->lemma7);
        if (r->has_cka) {
            json_bound(o, NULL, "rho_gap", &r->rho_gap);
            json_lower(o, vac, "cka_lower_gap", &r->cka_lower_gap);
        }
        if (r->has_rsa) {
            json_bound(o, NULL, "r_gap", &r->r_gap);
            json_lower(o, vac, "rsa_lower_gap", &r->rsa_lower_gap);
        }
    }
    json_bound(o, vac, "loss_gap", &r->loss_gap);
    json_bound(o, NULL, "loss_gap_linear", &r->loss_gap_linear);
    cJSON_AddItemToObject(o, "vacuous", vac);
    char *s = cJSON_Print(o);
    cJSON_Delete(o);
    return s;
}

/* ---- table --------------------------------------------------------------------------------- */

/* show_vac: 0 no flag, 1 print "vacuous" when set, 2 gap bound not judged (n unknown) */
static void row(FILE *f, const char *name, const char *sec, const clnscl_bound *b, int show_vac)
{
    char val[32], lg[32];
    if (b->finite) snprintf(val, sizeof val, "%.6g", b->value);
    else snprintf(val, sizeof val, "(overflow)");
    if (isfinite(b->log10)) snprintf(lg, sizeof lg, "%.6f", b->log10);
    else snprintf(lg, sizeof lg, "-");
    fprintf(f, "  %-26s %-7s %14s %16s%s\n", name, sec, val, lg,
            show_vac == 2 ? "  (vacuous? give --points)" : show_vac && b->vacuous ? "  vacuous" : "");
}

static void render_table(FILE *f, const clnscl_bounds_params *p, const derived *d, const clnscl_bounds_report *r)
{
    fprintf(f, "clnscl bounds (THEORY.md section 4; B = %ld anchors per batch)\n", p->batch);
    if (!isnan(d->classes)) fprintf(f, "  classes C                          %g\n", d->classes);
    fprintf(f, "  pi_max                             %.6g\n", p->pi_max);
    fprintf(f, "  tau                                %.6g\n", p->tau);
    fprintf(f, "  delta                              %.6g\n", p->delta);
    char label[48];
    snprintf(label, sizeof label, "steps T (fixed %s)", d->accounting);
    fprintf(f, "  %-34s %ld\n", label, r->steps);
    fprintf(f, "  schedule                           %s, lr-scale %s, peak eta %.6g\n", d->kind, d->scale, r->eta_peak);
    fprintf(f, "  S_eta = sum of step sizes          %.6g\n\n", r->eta_sum);
    fprintf(f, "  %-26s %-7s %14s %16s\n", "quantity", "section", "value", "log10");
    fprintf(f, "  %-26s %-7s %14.6g\n", "epsilon_{B,delta}", "4.2", r->epsilon);
    fprintf(f, "  %-26s %-7s %14.6g  %s\n", "pi_max + epsilon", "4.2", r->p, "valid (< 1)");
    row(f, "Delta_{pi,delta}(B;tau)", "4.2", &r->Delta, 0);
    row(f, "Lemma 7 reweighting term", "4.3", &r->lemma7_reweight, 0);
    fprintf(f, "  %-26s %-7s %14.6g\n", "Lemma 7 Lipschitz factor", "4.3", r->lemma7_lipschitz);
    int gj = isnan(r->log_max_gap) ? 2 : 1;
    row(f, "Theorem 1 (closed form)", "4.5", &r->theorem1, gj);
    row(f, "recurrence (unrolled)", "4.4", &r->recurrence, gj);
    if (!isnan(r->log_max_gap))
        fprintf(f, "  %-26s %-7s %14.6g %16.6f\n", "largest possible gap", "", exp(r->log_max_gap), r->log_max_gap / LN10);
    if (r->has_emp) {
        row(f, "Delta_emp (f_max)", "4.2", &r->Delta_emp, 0);
        row(f, "Theorem 1 with Delta_emp", "4.5", &r->theorem1_emp, gj);
        row(f, "recurrence with Delta_emp", "4.4", &r->recurrence_emp, gj);
    }
    if (r->has_cka) {
        row(f, "rho_T <=", "4.6", &r->rho, 1);
        fprintf(f, "  %-26s %-7s %14.6g %16s%s\n", "CKA >= (Corollary 1)", "4.6", r->cka_lower.value, "",
                r->cka_lower.vacuous ? "  vacuous" : "");
    }
    if (r->has_rsa) {
        row(f, "r_T <=", "4.7", &r->r, 1);
        fprintf(f, "  %-26s %-7s %14.6g %16s%s\n", "RSA >= (Corollary 2)", "4.7", r->rsa_lower.value, "",
                r->rsa_lower.vacuous ? "  vacuous" : "");
    }
    if (r->has_theorem2) {
        row(f, "Theorem 2 (weights)", "4.8", &r->theorem2, 1);
        row(f, "Theorem 2 (product form)", "4.8", &r->theorem2_unrolled, 1);
    }
    if (r->has_gap) {
        row(f, "Lemma 7 at --gap", "4.3", &r->lemma7, 0);
        if (r->has_cka)
            fprintf(f, "  %-26s %-7s %14.6g %16s%s\n", "CKA >= (Cor. 1, --gap)", "4.6", r->cka_lower_gap.value, "",
                    r->cka_lower_gap.vacuous ? "  vacuous" : "");
        if (r->has_rsa)
            fprintf(f, "  %-26s %-7s %14.6g %16s%s\n", "RSA >= (Cor. 2, --gap)", "4.7", r->rsa_lower_gap.value, "",
                    r->rsa_lower_gap.vacuous ? "  vacuous" : "");
    }
    row(f, "loss gap log(1+e^{2/t}q)", "2.5", &r->loss_gap, 1);
    row(f, "loss gap e^{2/t}q", "2.5", &r->loss_gap_linear, 0);
}

/* ---- sweep CSV ----------------------------------------------------------------------------- */

static const char *csv_header =
    "classes,pi_max,tau,batch,steps,delta,schedule,lr_scale,accounting,eta_peak,eta_sum,f_max,k_norm,rsa_sigma,"
    "rsa_pairs,beta,grad_bound,points,max_gap_log10,epsilon,pi_max_plus_epsilon,valid,Delta,Delta_log10,theorem1,theorem1_log10,"
    "theorem1_vacuous,recurrence,recurrence_log10,recurrence_vacuous,lemma7_reweighting,lemma7_lipschitz,"
    "Delta_emp,theorem1_emp,theorem1_emp_log10,recurrence_emp,recurrence_emp_log10,rho,rho_log10,cka_lower,"
    "cka_lower_vacuous,r,r_log10,rsa_lower,rsa_lower_vacuous,theorem2,theorem2_log10,theorem2_unrolled,"
    "theorem2_unrolled_log10,loss_gap,loss_gap_linear,loss_gap_linear_log10,gap,lemma7,lemma7_log10,rho_gap,"
    "cka_lower_gap,cka_lower_gap_vacuous,r_gap,rsa_lower_gap,rsa_lower_gap_vacuous\n";

static void cnum(FILE *f, double x)
{
    if (isfinite(x)) fprintf(f, ",%.12g", x);
    else fputc(',', f);
}

/* value, log10 [, vacuous]; `on` = 0 writes empty cells */
static void cbound(FILE *f, const clnscl_bound *b, int on, int with_log, int with_vac)
{
    cnum(f, on && b->finite ? b->value : NAN);
    if (with_log) cnum(f, on ? b->log10 : NAN);
    if (with_vac) {
        if (on) fprintf(f, ",%d", b->vacuous);
        else fputc(',', f);
    }
}

static void csv_row(FILE *f, const clnscl_bounds_params *p, const derived *d, const clnscl_bounds_report *r)
{
    if (isfinite(d->classes)) fprintf(f, "%.12g", d->classes);
    cnum(f, p->pi_max);
    cnum(f, p->tau);
    fprintf(f, ",%ld,%ld", p->batch, r->steps);
    cnum(f, p->delta);
    fprintf(f, ",%s,%s,%s", d->kind, d->scale, d->accounting);
    cnum(f, r->eta_peak);
    cnum(f, r->eta_sum);
    cnum(f, p->f_max);
    cnum(f, p->k_norm);
    cnum(f, p->rsa_sigma);
    cnum(f, p->rsa_pairs);
    cnum(f, p->beta);
    cnum(f, p->grad_bound);
    cnum(f, p->points);
    cnum(f, r->log_max_gap / LN10);
    cnum(f, r->epsilon);
    cnum(f, r->p);
    fprintf(f, ",%d", r->valid);
    int v = r->valid;
    cbound(f, &r->Delta, v, 1, 0);
    int judged = v && !isnan(r->log_max_gap);
    cbound(f, &r->theorem1, v, 1, 0);
    if (judged) fprintf(f, ",%d", r->theorem1.vacuous);
    else fputc(',', f);
    cbound(f, &r->recurrence, v, 1, 0);
    if (judged) fprintf(f, ",%d", r->recurrence.vacuous);
    else fputc(',', f);
    cbound(f, &r->lemma7_reweight, v, 0, 0);
    cnum(f, v ? r->lemma7_lipschitz : NAN);
    cbound(f, &r->Delta_emp, v && r->has_emp, 0, 0);
    cbound(f, &r->theorem1_emp, v && r->has_emp, 1, 0);
    cbound(f, &r->recurrence_emp, v && r->has_emp, 1, 0);
    cbound(f, &r->rho, v && r->has_cka, 1, 0);
    cnum(f, v && r->has_cka ? r->cka_lower.value : NAN);
    if (v && r->has_cka) fprintf(f, ",%d", r->cka_lower.vacuous);
    else fputc(',', f);
    cbound(f, &r->r, v && r->has_rsa, 1, 0);
    cnum(f, v && r->has_rsa ? r->rsa_lower.value : NAN);
    if (v && r->has_rsa) fprintf(f, ",%d", r->rsa_lower.vacuous);
    else fputc(',', f);
    cbound(f, &r->theorem2, v && r->has_theorem2, 1, 0);
    cbound(f, &r->theorem2_unrolled, v && r->has_theorem2, 1, 0);
    cbound(f, &r->loss_gap, v, 0, 0);
    cbound(f, &r->loss_gap_linear, v, 1, 0);
    int g = v && r->has_gap;
    cnum(f, p->gap);
    cbound(f, &r->lemma7, g, 1, 0);
    cbound(f, &r->rho_gap, g && r->has_cka, 0, 0);
    cnum(f, g && r->has_cka ? r->cka_lower_gap.value : NAN);
    if (g && r->has_cka) fprintf(f, ",%d", r->cka_lower_gap.vacuous);
    else fputc(',', f);
    cbound(f, &r->r_gap, g && r->has_rsa, 0, 0);
    cnum(f, g && r->has_rsa ? r->rsa_lower_gap.value : NAN);
    if (g && r->has_rsa) fprintf(f, ",%d", r->rsa_lower_gap.vacuous);
    else fputc(',', f);
    fputc('\n', f);
}

static int run_sweep(const opts *o, FILE *f)
{
    long total = 1;
    for (int i = 0; i < o->nsweep; i++) {
        if (o->sweep_n[i] > MAX_GRID / total) return cli_error("--sweep grid has more than %ld points", MAX_GRID);
        total *= o->sweep_n[i];
    }
    fputs(csv_header, f);
    double v[NPARAM];
    for (long g = 0; g < total; g++) {
        memcpy(v, o->v, sizeof v);
        long rest = g;
        for (int i = o->nsweep - 1; i >= 0; i--) { /* last sweep varies fastest */
            v[o->sweep_param[i]] = o->sweep_vals[i][rest % o->sweep_n[i]];
            rest /= o->sweep_n[i];
        }
        clnscl_bounds_params p;
        clnscl_bounds_report r;
        derived d;
        int rc = evaluate(o, v, &p, &d, &r);
        if (rc) return rc;
        csv_row(f, &p, &d, &r);
    }
    return 0;
}

/* ---- entry point ---------------------------------------------------------------------------- */

static int emit(const opts *o, const char *buf, size_t len)
{
    if (o->out) {
        int st = clnscl_write_file_atomic(o->out, buf, len);
        if (st) return cli_fail_status(st);
        return 0;
    }
    if (fwrite(buf, 1, len, stdout) != len || fflush(stdout)) return cli_error("cannot write to stdout");
    return 0;
}

int clnscl_cmd_bounds(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    static const char *const repeatable[] = {"sweep", NULL};
    if (cli_reject_repeats(argc, argv, repeatable)) return 2;
    opts o;
    memset(&o, 0, sizeof o);
    int rc = parse_args(argc, argv, &o);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = NULL;
    if (!rc && !(mem = open_memstream(&buf, &len))) rc = cli_error("out of memory");
    if (!rc && o.nsweep) rc = run_sweep(&o, mem);
    else if (!rc) {
        clnscl_bounds_params p;
        clnscl_bounds_report r;
        derived d;
        rc = evaluate(&o, o.v, &p, &d, &r);
        if (!rc && !r.valid) rc = invalid_error(&r, p.pi_max);
        if (!rc && o.json) {
            char *js = render_json(&p, &d, &r);
            if (!js) rc = cli_error("out of memory");
            else {
                fprintf(mem, "%s\n", js);
                free(js);
            }
        } else if (!rc)
            render_table(mem, &p, &d, &r);
    }
    if (mem && fclose(mem) && !rc) rc = cli_error("out of memory");
    if (!rc) rc = emit(&o, buf, len);
    free(buf);
    for (int i = 0; i < o.nsweep; i++) free(o.sweep_vals[i]);
    clnscl_mat_free(&o.eta_seq);
    return rc;
}
