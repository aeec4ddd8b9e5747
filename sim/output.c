/* sim/output.c — `clnscl sim` outputs: DIR/trajectory.csv, DIR/summary.json (cJSON), --repeat
 * aggregation and --sweep grids (DIR/sweep.csv). Every file is written to a temporary file and
 * renamed into place only when the whole run succeeded (clnscl_afile_*). Numbers that are not
 * representable (an overflowed bound, log10 of an exact 0) are written as an empty CSV field and as
 * JSON null — never inf or NaN.
 */
#include "clnscl/sim.h"

#include "clnscl/io.h"
#include "clnscl/progress.h"
#include "clnscl/status.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- formatting --------------------------------------------------------------------------- */

static void put_num(FILE *f, double x, int last)
{
    if (isfinite(x)) fprintf(f, "%.12g", x);
    fputc(last ? '\n' : ',', f);
}

static double bval(const clnscl_bound *b) { return b->finite ? b->value : NAN; }

/* the columns shared by trajectory.csv (after repeat,step) and sweep.csv (after the swept names) */
static const char *const row_cols =
    "eta,eta_sum,f_batch,f_max,delta_emp_log10,gap_fro,bound_recurrence,bound_recurrence_log10,"
    "bound_theorem1,bound_theorem1_log10,cka,cka_lower,cka_lower_thm1,rho,rsa,rsa_lower,rsa_lower_thm1,r,"
    "gap_fro_scl,cka_scl,cka_lower_scl,rsa_scl,rsa_lower_scl,lemma7_lhs,lemma7_slack,recurrence_slack,violations";

/* row_cols, no trailing separator */
static void write_cols(FILE *f, const clnscl_sim_row *w)
{
    const double na = NAN;
    put_num(f, w->eta, 0);
    put_num(f, w->eta_sum, 0);
    put_num(f, w->f_batch, 0);
    put_num(f, w->f_max, 0);
    put_num(f, w->log10_delta_emp, 0);
    put_num(f, w->gap_fro, 0);
    put_num(f, bval(&w->bound_recurrence), 0);
    put_num(f, w->bound_recurrence.log10, 0);
    put_num(f, bval(&w->bound_theorem1), 0);
    put_num(f, w->bound_theorem1.log10, 0);
    put_num(f, w->cka, 0);
    put_num(f, w->cka_lower, 0);
    put_num(f, w->cka_lower_thm1, 0);
    put_num(f, w->rho, 0);
    put_num(f, w->rsa, 0);
    put_num(f, w->rsa_lower, 0);
    put_num(f, w->rsa_lower_thm1, 0);
    put_num(f, w->r, 0);
    put_num(f, w->has_scl ? w->gap_fro_scl : na, 0);
    put_num(f, w->has_scl ? w->cka_scl : na, 0);
    put_num(f, w->has_scl ? w->cka_lower_scl : na, 0);
    put_num(f, w->has_scl ? w->rsa_scl : na, 0);
    put_num(f, w->has_scl ? w->rsa_lower_scl : na, 0);
    put_num(f, w->lemma7_lhs, 0);
    put_num(f, w->lemma7_slack, 0);
    put_num(f, w->recurrence_slack, 0);
    fprintf(f, "%ld", w->violations);
}

static void write_row(FILE *f, const clnscl_sim_row *w)
{
    fprintf(f, "%ld,%ld,", w->repeat, w->step);
    write_cols(f, w);
    fputc('\n', f);
}

static void json_num(cJSON *o, const char *key, double x)
{
    if (isfinite(x)) cJSON_AddNumberToObject(o, key, x);
    else cJSON_AddNullToObject(o, key);
}

static void json_bound(cJSON *o, const char *key, const clnscl_bound *b)
{
    char k[96];
    json_num(o, key, bval(b));
    snprintf(k, sizeof k, "%s_log10", key);
    json_num(o, k, b->log10);
}

/* the final values of the trajectory columns */
static void json_row(cJSON *o, const clnscl_sim_row *w)
{
    cJSON_AddNumberToObject(o, "step", (double)w->step);
    json_num(o, "eta_sum", w->eta_sum);
    json_num(o, "f_batch", w->f_batch);
    json_num(o, "f_max", w->f_max);
    json_num(o, "delta_emp_log10", w->log10_delta_emp);
    json_num(o, "gap_fro", w->gap_fro);
    json_bound(o, "bound_recurrence", &w->bound_recurrence);
    json_bound(o, "bound_theorem1", &w->bound_theorem1);
    json_num(o, "cka", w->cka);
    json_num(o, "cka_lower", w->cka_lower);
    json_num(o, "cka_lower_thm1", w->cka_lower_thm1);
    json_num(o, "rho", w->rho);
    json_num(o, "rsa", w->rsa);
    json_num(o, "rsa_lower", w->rsa_lower);
    json_num(o, "rsa_lower_thm1", w->rsa_lower_thm1);
    json_num(o, "r", w->r);
    if (w->has_scl) {
        json_num(o, "gap_fro_scl", w->gap_fro_scl);
        json_num(o, "cka_scl", w->cka_scl);
        json_num(o, "cka_lower_scl", w->cka_lower_scl);
        json_num(o, "rsa_scl", w->rsa_scl);
        json_num(o, "rsa_lower_scl", w->rsa_lower_scl);
    }
    json_num(o, "lemma7_lhs", w->lemma7_lhs);
    json_num(o, "lemma7_slack", w->lemma7_slack);
    json_num(o, "recurrence_slack", w->recurrence_slack);
}

static const char *const form_s[] = {"paper", "code"}, *const anchors_s[] = {"views", "samples"},
                         *const init_s[] = {"random", "mixture", "file"}, *const sampling_s[] = {"uniform", "stratified"},
                         *const sched_s[] = {"constant", "cosine"},
                         *const scale_s[] = {"none", "constant", "linear", "sqrt", "fourth"};

static cJSON *opts_json(const clnscl_sim_opts *o)
{
    cJSON *c = cJSON_CreateObject();
    if (o->init != CLNSCL_SIM_INIT_FILE) {
        cJSON_AddNumberToObject(c, "classes", (double)o->classes);
        cJSON_AddNumberToObject(c, "per-class", (double)o->per_class);
    }
    cJSON_AddNumberToObject(c, "batch", (double)o->batch);
    cJSON_AddNumberToObject(c, "tau", o->tau);
    cJSON_AddNumberToObject(c, "eta", o->eta);
    cJSON_AddNumberToObject(c, "steps", (double)o->steps);
    cJSON_AddNumberToObject(c, "seed", (double)o->seed);
    cJSON_AddStringToObject(c, "form", form_s[o->form]);
    cJSON_AddStringToObject(c, "anchors", anchors_s[o->anchors]);
    cJSON_AddStringToObject(c, "init", init_s[o->init]);
    if (o->init == CLNSCL_SIM_INIT_FILE) {
        cJSON_AddStringToObject(c, "init-embeddings", o->init_embeddings);
        cJSON_AddStringToObject(c, "init-labels", o->init_labels);
    } else {
        cJSON_AddNumberToObject(c, "dim", (double)o->dim);
    }
    if (o->init == CLNSCL_SIM_INIT_MIXTURE) {
        cJSON_AddNumberToObject(c, "mix-sample", o->mix_sample);
        cJSON_AddNumberToObject(c, "mix-view", o->mix_view);
    }
    cJSON_AddStringToObject(c, "sampling", sampling_s[o->sampling]);
    cJSON_AddStringToObject(c, "schedule", sched_s[o->schedule]);
    cJSON_AddStringToObject(c, "scale", scale_s[o->scale]);
    cJSON_AddNumberToObject(c, "ref-batch", (double)o->ref_batch);
    cJSON_AddNumberToObject(c, "steps-per-epoch", (double)o->steps_per_epoch);
    cJSON_AddNumberToObject(c, "warmup-epochs", (double)o->warmup_epochs);
    cJSON_AddNumberToObject(c, "delta", o->delta);
    cJSON_AddNumberToObject(c, "log-every", (double)o->log_every);
    cJSON_AddNumberToObject(c, "repeat", (double)o->repeat);
    cJSON_AddBoolToObject(c, "no-clip", !o->clip);
    cJSON_AddBoolToObject(c, "symmetrize", o->symmetrize);
    cJSON_AddBoolToObject(c, "no-scl", !o->scl);
    cJSON_AddBoolToObject(c, "strict", o->strict);
    return c;
}

/* ---- one configuration, all repeats ------------------------------------------------------- */

typedef struct {
    clnscl_sim_result first;   /* repeat 0 (seed K) */
    long runs, violations, v_lemma7, v_rec, v_thm1, v_cor1, v_cor2;
    long thm1_pi_held, event_held;
    double gap_sum, gap_max;
    int stopped;
} aggregate;

typedef struct {
    FILE *f;
    clnscl_progress *prog;
    long repeat, repeats, steps;
} row_ctx;

static int row_sink(const clnscl_sim_row *row, void *vctx)
{
    row_ctx *c = vctx;
    if (c->f) write_row(c->f, row);
    if (c->prog)
        clnscl_progress_update(c->prog, ((double)c->repeat + (double)row->step / (double)c->steps) / (double)c->repeats,
                               "sim: repeat %ld/%ld step %ld/%ld gap %.4g cka %.4f", c->repeat + 1, c->repeats,
                               row->step, c->steps, row->gap_fro, row->cka);
    return CLNSCL_OK;
}

static int run_config(const clnscl_sim_opts *o, FILE *traj, clnscl_progress *prog, aggregate *ag)
{
    memset(ag, 0, sizeof *ag);
    row_ctx ctx = {traj, prog, 0, o->repeat, o->steps};
    for (long r = 0; r < o->repeat; r++) {
        clnscl_sim_result res;
        ctx.repeat = r;
        int st = clnscl_sim_run(o, r, row_sink, &ctx, &res);
        if (st && o->repeat > 1) { /* which of the repeats */
            char msg[512];
            snprintf(msg, sizeof msg, "%s", clnscl_last_error());
            clnscl_fail(st, "repeat %ld (seed %llu): %s", r, (unsigned long long)(o->seed + (uint64_t)r), msg);
        }
        if (st) return st;
        if (r == 0) ag->first = res;
        ag->runs++;
        ag->violations += res.violations;
        ag->v_lemma7 += res.viol_lemma7;
        ag->v_rec += res.viol_recurrence;
        ag->v_thm1 += res.viol_theorem1;
        ag->v_cor1 += res.viol_cor1;
        ag->v_cor2 += res.viol_cor2;
        ag->thm1_pi_held += res.theorem1_pi_held;
        ag->event_held += res.batch_event_held;
        ag->gap_sum += res.final.gap_fro;
        if (res.final.gap_fro > ag->gap_max) ag->gap_max = res.final.gap_fro;
        if (res.violations && o->strict) {
            ag->stopped = 1;
            clnscl_fail(CLNSCL_EINTERNAL, "check failed (seed %llu): %s", (unsigned long long)(o->seed + (uint64_t)r),
                        res.violation_msg);
            return CLNSCL_OK;
        }
    }
    return CLNSCL_OK;
}

static void json_aggregate(cJSON *root, const clnscl_sim_opts *o, const aggregate *ag)
{
    const clnscl_sim_result *f = &ag->first;
    json_row(root, &f->final);
    cJSON_AddNumberToObject(root, "violations", (double)ag->violations);
    cJSON *v = cJSON_AddObjectToObject(root, "violations_by_check");
    cJSON_AddNumberToObject(v, "lemma7", (double)ag->v_lemma7);
    cJSON_AddNumberToObject(v, "recurrence", (double)ag->v_rec);
    cJSON_AddNumberToObject(v, "theorem1", (double)ag->v_thm1);
    cJSON_AddNumberToObject(v, "corollary1", (double)ag->v_cor1);
    cJSON_AddNumberToObject(v, "corollary2", (double)ag->v_cor2);
    if (f->violation_msg[0]) cJSON_AddStringToObject(root, "first_violation", f->violation_msg);
    cJSON *d = cJSON_AddObjectToObject(root, "derived");
    cJSON_AddNumberToObject(d, "samples", (double)f->N);
    cJSON_AddNumberToObject(d, "points", (double)f->points);
    cJSON_AddNumberToObject(d, "classes", (double)f->C);
    cJSON_AddNumberToObject(d, "anchors_per_step", (double)f->anchors);
    json_num(d, "pi_max", f->pi_max);
    json_num(d, "epsilon", f->epsilon);
    json_bound(d, "bound_theorem1_pi", &f->bound_theorem1_pi);
    cJSON_AddBoolToObject(d, "bound_theorem1_pi_vacuous", f->bound_theorem1_pi.vacuous);
    cJSON *r = cJSON_AddObjectToObject(root, "repeats");
    cJSON_AddNumberToObject(r, "count", (double)ag->runs);
    cJSON_AddNumberToObject(r, "theorem1_pi_held", (double)ag->thm1_pi_held);
    json_num(r, "theorem1_pi_held_fraction", (double)ag->thm1_pi_held / (double)ag->runs);
    cJSON_AddNumberToObject(r, "batch_event_held", (double)ag->event_held);
    json_num(r, "batch_event_held_fraction", (double)ag->event_held / (double)ag->runs);
    json_num(r, "one_minus_delta", 1.0 - o->delta);
    json_num(r, "gap_fro_mean", ag->gap_sum / (double)ag->runs);
    json_num(r, "gap_fro_max", ag->gap_max);
}

static int write_json(const char *dir, const char *name, cJSON *root, char **text_out)
{
    char *text = cJSON_Print(root);
    if (!text) return clnscl_fail(CLNSCL_ENOMEM, "out of memory formatting %s", name);
    int st = CLNSCL_OK;
    if (dir) {
        size_t len = strlen(dir) + strlen(name) + 2;
        char *path = malloc(len);
        if (!path) {
            free(text);
            return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
        }
        snprintf(path, len, "%s/%s", dir, name);
        size_t tl = strlen(text);
        text[tl] = '\0';
        char *buf = malloc(tl + 2);
        if (!buf) st = clnscl_fail(CLNSCL_ENOMEM, "out of memory");
        else {
            memcpy(buf, text, tl);
            buf[tl] = '\n';
            st = clnscl_write_file_atomic(path, buf, tl + 1);
            free(buf);
        }
        free(path);
    }
    if (!st && text_out) *text_out = text;
    else free(text);
    return st;
}

static char *join_path(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *p = malloc(len);
    if (p) snprintf(p, len, "%s/%s", dir, name);
    return p;
}

int clnscl_sim_execute(const clnscl_sim_opts *o, const char *out_dir, char **summary_json, long *violations,
                       int *stopped)
{
    int st;
    if (summary_json) *summary_json = NULL;
    if ((st = clnscl_sim_opts_check(o))) return st;
    if ((st = clnscl_sim_memory_check(o))) return st;
    clnscl_afile af = {0};
    char *tpath = NULL;
    clnscl_made_dirs made = {{0}, 0}; /* a failed run removes the directories it created */
    if (out_dir) {
        if ((st = clnscl_mkdir_p_record(out_dir, &made))) return st;
        if (!(tpath = join_path(out_dir, "trajectory.csv"))) st = clnscl_fail(CLNSCL_ENOMEM, "out of memory");
        else st = clnscl_afile_open(&af, tpath);
        if (st) {
            free(tpath);
            clnscl_made_dirs_release(&made, 1);
            return st;
        }
        fprintf(af.fp, "repeat,step,%s\n", row_cols);
    }
    clnscl_progress prog;
    clnscl_progress_init(&prog);
    aggregate ag;
    st = run_config(o, out_dir ? af.fp : NULL, &prog, &ag);
    clnscl_progress_done(&prog);
    if (st || ag.stopped) {
        if (out_dir) clnscl_afile_abort(&af);
        clnscl_made_dirs_release(&made, 1); /* a failed run leaves nothing, not even its (empty) directories */
        free(tpath);
        if (stopped) *stopped = ag.stopped && !st;
        if (violations) *violations = st ? 0 : ag.violations;
        return st;
    }
    /* trajectory first, summary last: a summary.json present means the run completed; when either
     * cannot be written, neither stays (nor the directories this call made) */
    if (out_dir && (st = clnscl_afile_commit(&af))) {
        free(tpath);
        clnscl_made_dirs_release(&made, 1);
        return st;
    }
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "config", opts_json(o));
    json_aggregate(root, o, &ag);
    st = write_json(out_dir, "summary.json", root, summary_json);
    cJSON_Delete(root);
    if (st && out_dir) unlink(tpath);
    clnscl_made_dirs_release(&made, st != CLNSCL_OK);
    free(tpath);
    if (violations) *violations = ag.violations;
    if (stopped) *stopped = 0;
    return st;
}

/* ---- --sweep ------------------------------------------------------------------------------ */

typedef struct {
    char key[64];
    char **vals;
    int n;
} sweep_dim;

static void sweep_free(sweep_dim *d, int n)
{
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < d[i].n; k++) free(d[i].vals[k]);
        free(d[i].vals);
    }
    free(d);
}

static int sweep_parse(const clnscl_sim_opts *o, const char *const *specs, int nspecs, sweep_dim **out)
{
    sweep_dim *d = calloc((size_t)nspecs, sizeof *d);
    if (!d) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    for (int i = 0; i < nspecs; i++) {
        const char *eq = strchr(specs[i], '=');
        if (!eq || eq == specs[i] || !eq[1] || (size_t)(eq - specs[i]) >= sizeof d[i].key) {
            sweep_free(d, nspecs);
            return clnscl_fail(CLNSCL_EINVAL, "--sweep '%s': expected name=v1,v2,...", specs[i]);
        }
        memcpy(d[i].key, specs[i], (size_t)(eq - specs[i]));
        for (int k = 0; k < i; k++)
            if (!strcmp(d[k].key, d[i].key)) {
                int st = clnscl_fail(CLNSCL_EINVAL, "--sweep: '%s' is swept twice", d[i].key);
                sweep_free(d, nspecs); /* after the message: it quotes d[i].key */
                return st;
            }
        if (!strcmp(d[i].key, "repeat") || !strcmp(d[i].key, "strict") || !strcmp(d[i].key, "max-memory") ||
            !strcmp(d[i].key, "threads")) {
            int st = clnscl_fail(CLNSCL_EINVAL, "--sweep: '%s' cannot be swept", d[i].key);
            sweep_free(d, nspecs);
            return st;
        }
        const char *p = eq + 1;
        while (1) {
            size_t len = strcspn(p, ",");
            if (!len) {
                sweep_free(d, nspecs);
                return clnscl_fail(CLNSCL_EINVAL, "--sweep '%s': empty value", specs[i]);
            }
            char **nv = realloc(d[i].vals, (size_t)(d[i].n + 1) * sizeof *nv);
            if (!nv) {
                sweep_free(d, nspecs);
                return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
            }
            d[i].vals = nv;
            d[i].vals[d[i].n] = strndup(p, len);
            if (!d[i].vals[d[i].n]) {
                sweep_free(d, nspecs);
                return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
            }
            d[i].n++;
            /* validate the key and value now (bad parameters before any run) */
            clnscl_sim_opts tmp = *o;
            int st = clnscl_sim_opts_set(&tmp, d[i].key, d[i].vals[d[i].n - 1]);
            if (st) {
                sweep_free(d, nspecs);
                return st;
            }
            if (!p[len]) break;
            p += len + 1;
        }
    }
    *out = d;
    return CLNSCL_OK;
}

/* a swept value as JSON: a number where the whole text is one (tau=0.5), else a string (form=code) */
static cJSON *sweep_value_json(const char *v)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (end != v && !*end && !errno && isfinite(x)) return cJSON_CreateNumber(x);
    return cJSON_CreateString(v);
}

/* the current error, prefixed with the grid point it happened at ("sweep point tau=0.1 batch=8: …") */
static void fail_at_point(int st, const sweep_dim *d, int nspecs, const int *idx)
{
    char msg[512], where[256] = "";
    snprintf(msg, sizeof msg, "%s", clnscl_last_error());
    for (int i = 0; i < nspecs; i++) {
        size_t l = strlen(where);
        snprintf(where + l, sizeof where - l, "%s%s=%s", i ? " " : "", d[i].key, d[i].vals[idx[i]]);
    }
    clnscl_fail(st, "sweep point %s: %s", where, msg);
}

/* grid point k → options (last dimension varies fastest) */
static int sweep_point(const clnscl_sim_opts *o, const sweep_dim *d, int nd, long k, clnscl_sim_opts *p, int *idx)
{
    *p = *o;
    for (int i = nd - 1; i >= 0; i--) {
        idx[i] = (int)(k % d[i].n);
        k /= d[i].n;
    }
    for (int i = 0; i < nd; i++) {
        int st = clnscl_sim_opts_set(p, d[i].key, d[i].vals[idx[i]]);
        if (st) return st;
    }
    return CLNSCL_OK;
}

static void csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"') fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
}

int clnscl_sim_sweep(const clnscl_sim_opts *o, const char *const *specs, int nspecs, const char *out_dir,
                     char **summary_json, long *violations, int *stopped)
{
    int st;
    if (summary_json) *summary_json = NULL;
    if (violations) *violations = 0;
    if (stopped) *stopped = 0;
    if (nspecs < 1) return clnscl_fail(CLNSCL_EINVAL, "--sweep needs at least one name=v1,v2,... spec");
    sweep_dim *d = NULL;
    if ((st = sweep_parse(o, specs, nspecs, &d))) return st;
    long npts = 1;
    for (int i = 0; i < nspecs; i++) {
        if (npts > 100000 / d[i].n) {
            sweep_free(d, nspecs);
            return clnscl_fail(CLNSCL_EINVAL, "--sweep grid has more than 100000 points");
        }
        npts *= d[i].n;
    }
    int *idx = calloc((size_t)nspecs, sizeof *idx);
    if (!idx) {
        sweep_free(d, nspecs);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    }
    /* validate every grid point (parameters and memory) before running any */
    for (long k = 0; k < npts; k++) {
        clnscl_sim_opts p;
        if ((st = sweep_point(o, d, nspecs, k, &p, idx)) || (st = clnscl_sim_opts_check(&p)) ||
            (st = clnscl_sim_memory_check(&p))) {
            fail_at_point(st, d, nspecs, idx);
            free(idx);
            sweep_free(d, nspecs);
            return st;
        }
    }
    clnscl_afile af = {0};
    char *spath = NULL;
    clnscl_made_dirs made = {{0}, 0}; /* a failed sweep removes the directories it created */
    if (out_dir) {
        if ((st = clnscl_mkdir_p_record(out_dir, &made)) || !(spath = join_path(out_dir, "sweep.csv")) ||
            (st = clnscl_afile_open(&af, spath))) {
            if (!st) st = clnscl_fail(CLNSCL_ENOMEM, "out of memory");
            clnscl_made_dirs_release(&made, 1);
            free(spath);
            free(idx);
            sweep_free(d, nspecs);
            return st;
        }
        for (int i = 0; i < nspecs; i++) {
            csv_field(af.fp, d[i].key);
            fputc(',', af.fp);
        }
        fprintf(af.fp, "%s,gap_fro_mean,theorem1_pi_held_fraction,batch_event_held_fraction,violations_all_repeats\n",
                row_cols);
    }
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "config", opts_json(o));
    cJSON *sw = cJSON_AddObjectToObject(root, "sweep");
    for (int i = 0; i < nspecs; i++) {
        cJSON *a = cJSON_AddArrayToObject(sw, d[i].key);
        for (int k = 0; k < d[i].n; k++) cJSON_AddItemToArray(a, sweep_value_json(d[i].vals[k]));
    }
    cJSON *pts = cJSON_AddArrayToObject(root, "points");
    clnscl_progress prog;
    clnscl_progress_init(&prog);
    long total_viol = 0;
    int stop = 0;
    for (long k = 0; k < npts && !st && !stop; k++) {
        clnscl_sim_opts p;
        sweep_point(o, d, nspecs, k, &p, idx);
        clnscl_progress_update(&prog, (double)k / (double)npts, "sim sweep: point %ld/%ld", k + 1, npts);
        aggregate ag;
        if ((st = run_config(&p, NULL, NULL, &ag))) {
            fail_at_point(st, d, nspecs, idx);
            break;
        }
        total_viol += ag.violations;
        if (ag.stopped) {
            stop = 1;
            break;
        }
        cJSON *pt = cJSON_CreateObject();
        cJSON *params = cJSON_AddObjectToObject(pt, "params");
        for (int i = 0; i < nspecs; i++) cJSON_AddItemToObject(params, d[i].key, sweep_value_json(d[i].vals[idx[i]]));
        json_aggregate(pt, &p, &ag);
        cJSON_AddItemToArray(pts, pt);
        if (out_dir) {
            FILE *f = af.fp;
            for (int i = 0; i < nspecs; i++) {
                csv_field(f, d[i].vals[idx[i]]);
                fputc(',', f);
            }
            write_cols(f, &ag.first.final);
            fputc(',', f);
            put_num(f, ag.gap_sum / (double)ag.runs, 0);
            put_num(f, (double)ag.thm1_pi_held / (double)ag.runs, 0);
            put_num(f, (double)ag.event_held / (double)ag.runs, 0);
            fprintf(f, "%ld\n", ag.violations);
        }
    }
    clnscl_progress_done(&prog);
    if (!st && !stop) {
        cJSON_AddNumberToObject(root, "violations", (double)total_viol);
        st = write_json(out_dir, "summary.json", root, summary_json);
        if (out_dir) {
            if (st) clnscl_afile_abort(&af);
            else if ((st = clnscl_afile_commit(&af))) { /* no summary without its sweep.csv */
                char *jpath = join_path(out_dir, "summary.json");
                if (jpath) unlink(jpath);
                free(jpath);
            }
        }
    } else if (out_dir) {
        clnscl_afile_abort(&af);
    }
    clnscl_made_dirs_release(&made, st || stop);
    cJSON_Delete(root);
    free(spath);
    free(idx);
    sweep_free(d, nspecs);
    if (violations) *violations = total_viol;
    if (stopped) *stopped = stop;
    return st;
}
