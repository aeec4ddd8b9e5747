/* cli/cmd_repro.c — `clnscl repro NAME|all [--scale smoke|quick|full] [--out DIR]`:
 * regenerate the paper's figures from the configs in paper_repro/ (issue 6; THEORY.md §6.5, §7).
 *
 * Plan → run → draw. Every figure's INI names its runs (`clnscl train` / `clnscl sim` options);
 * runs are child processes of this binary (jobs.h), two at a time on two cores, each in
 * OUT/runs/<kind>-<hash of its arguments>/ so identical runs are shared between figures and a
 * finished run is never repeated (`full` is resumable: rerun the same command). Then the
 * figures and OUT/REPORT.md are drawn from the run directories.
 */
#include "cli.h"
#include "clnscl/io.h"
#include "clnscl/alloc.h"
#include "figs.h"
#include "jobs.h"

#include "clnscl/progress.h"
#include "clnscl/sim.h"
#include "clnscl/status.h"
#include "clnscl/train.h"

#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const FIGURES[] = {"fig2", "fig3", "fig4", "fig5", "fig6", "theory"};
#define NFIGURES 6

/* ---- key/value lists (insertion order kept: it fixes the argument order and the run hash) ---- */
typedef struct {
    char *key, *val;
    char src[64]; /* where the value comes from, for messages: "[smoke] tau", "[smoke] sim.tau",
                     "[smoke] taus (tau)", "repro (quiet)" */
} kv;
typedef struct {
    kv *a;
    size_t n, cap;
} kvlist;

static void kv_free(kvlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->a[i].key);
        free(l->a[i].val);
    }
    free(l->a);
    memset(l, 0, sizeof *l);
}

static const kv *kv_find(const kvlist *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->a[i].key, key)) return &l->a[i];
    return NULL;
}

static const char *kv_get(const kvlist *l, const char *key)
{
    const kv *e = kv_find(l, key);
    return e ? e->val : NULL;
}

static int kv_set_src(kvlist *l, const char *key, const char *val, const char *src)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->a[i].key, key)) {
            char *v = strdup(val);
            if (!v) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
            free(l->a[i].val);
            l->a[i].val = v;
            snprintf(l->a[i].src, sizeof l->a[i].src, "%s", src);
            return CLNSCL_OK;
        }
    int st = clnscl_grow(&l->a, &l->cap, l->n + 1, sizeof *l->a, 16);
    if (st) return st;
    l->a[l->n].key = strdup(key);
    l->a[l->n].val = strdup(val);
    snprintf(l->a[l->n].src, sizeof l->a[l->n].src, "%s", src);
    if (!l->a[l->n].key || !l->a[l->n].val) {
        free(l->a[l->n].key);
        free(l->a[l->n].val);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    }
    l->n++;
    return CLNSCL_OK;
}

static int kv_set(kvlist *l, const char *key, const char *val)
{
    char src[64];
    snprintf(src, sizeof src, "repro (%.40s)", key);
    return kv_set_src(l, key, val, src);
}

static int kv_copy(kvlist *dst, const kvlist *src)
{
    for (size_t i = 0; i < src->n; i++) {
        int st = kv_set_src(dst, src->a[i].key, src->a[i].val, src->a[i].src);
        if (st) return st;
    }
    return CLNSCL_OK;
}

/* ---- one figure's configuration ---- */
static const char *const SCALES[] = {"smoke", "quick", "full"};

typedef struct {
    char name[32];
    char path[4200];
    const char *scale;
    kvlist figure, train, sim, over; /* [figure], [train], [sim], [<scale>] */
    kvlist other_scale[3];           /* the other scale sections (checked, not used) */
    int have_scale;
    int status;
} figcfg;

/* keys of a scale section that repro itself uses (everything else goes to train or, with the
 * prefix "sim.", to sim) */
static const char *const REPRO_KEYS[] = {"seeds", "sim-seeds", "ways", "taus", "batches", "scalings", "samples",
                                         "sweep-classes", "sweep-taus", "sweep-batches"};

static int is_repro_key(const char *k)
{
    for (size_t i = 0; i < sizeof REPRO_KEYS / sizeof *REPRO_KEYS; i++)
        if (!strcmp(REPRO_KEYS[i], k)) return 1;
    return 0;
}

/* One INI entry: known section, no key twice in a section, and the key valid where it goes — a
 * `clnscl train` option (its own setter), a `clnscl sim` option ("sim." in a scale section, or in
 * [sim]), a [figure] key or a repro key. Keys repro sets itself (seed, out, resume) are refused. */
static int entry_check(figcfg *f, const char *section, const char *name, const char *value, int where)
{
    /* where: 0 figure, 1 train, 2 sim, 3 scale */
    const char *key = name;
    int as = where == 1 ? 1 : where == 2 ? 2 : 0;
    if (where == 0) {
        static const char *const fig_keys[] = {"kind", "title", "class-order"};
        int ok = is_repro_key(name);
        for (size_t i = 0; i < 3; i++) ok |= !strcmp(name, fig_keys[i]);
        if (!ok)
            return clnscl_fail(CLNSCL_EFORMAT, "%s: [%s] %s: unknown key (kind, title, class-order or a sweep list)",
                               f->path, section, name);
        return CLNSCL_OK;
    }
    if (where == 3) {
        if (is_repro_key(name)) return CLNSCL_OK; /* checked when the figure is planned */
        if (!strncmp(name, "sim.", 4)) {
            key = name + 4;
            as = 2;
        } else
            as = 1;
    }
    if (!strcmp(key, "seed") || !strcmp(key, "out") || !strcmp(key, "resume"))
        return clnscl_fail(CLNSCL_EFORMAT, "%s: [%s] %s: set by repro itself (seeds = K runs seeds 1..K)", f->path,
                           section, name);
    int st;
    if (as == 1) {
        clnscl_train_opts o;
        clnscl_train_opts_default(&o);
        st = clnscl_train_opts_set(&o, key, value);
    } else {
        clnscl_sim_opts o;
        clnscl_sim_opts_default(&o);
        st = clnscl_sim_opts_set(&o, key, value);
    }
    if (st)
        return clnscl_fail(CLNSCL_EFORMAT, "%s: [%s] %s = %s: %s", f->path, section, name, value,
                           clnscl_last_error());
    return CLNSCL_OK;
}

static int repro_ini_entry(void *user, const char *section, const char *name, const char *value)
{
    figcfg *f = user;
    if (f->status) return 0;
    kvlist *l = NULL;
    int where = 3;
    if (!strcmp(section, "figure")) l = &f->figure, where = 0;
    else if (!strcmp(section, "train")) l = &f->train, where = 1;
    else if (!strcmp(section, "sim")) l = &f->sim, where = 2;
    else if (!strcmp(section, f->scale)) {
        l = &f->over;
        f->have_scale = 1;
    } else
        for (int k = 0; k < 3 && !l; k++)
            if (!strcmp(section, SCALES[k])) l = &f->other_scale[k];
    if (!l) {
        f->status = clnscl_fail(CLNSCL_EFORMAT, "%s: unknown section [%s] (figure, train, sim, smoke, quick, full)",
                                f->path, section);
        return 0;
    }
    if (!value) value = "";
    if (kv_get(l, name)) {
        f->status = clnscl_fail(CLNSCL_EFORMAT, "%s: [%s] %s given twice", f->path, section, name);
        return 0;
    }
    char src[64];
    snprintf(src, sizeof src, "[%.16s] %.40s", section, name);
    int st = entry_check(f, section, name, value, where);
    if (!st) st = kv_set_src(l, name, value, src);
    if (st) {
        f->status = st;
        return 0;
    }
    return 1;
}

static void figcfg_free(figcfg *f)
{
    kv_free(&f->figure);
    kv_free(&f->train);
    kv_free(&f->sim);
    kv_free(&f->over);
    for (int k = 0; k < 3; k++) kv_free(&f->other_scale[k]);
}

/* longest INI line taken whole by the parser; a configuration file is small text */
#define REPRO_INI_LINE 199
#define REPRO_INI_MAX (1 << 20)

/* The INI file as text: a regular file of at most 1 MiB, no NUL or other control bytes but tab
 * and CR, lines of at most REPRO_INI_LINE characters, no section header twice. */
static int read_ini(const char *path, char **text)
{
    *text = NULL;
    int st = runio_need_file(path);
    if (st) return st;
    FILE *fp = fopen(path, "rb");
    if (!fp) return clnscl_fail(CLNSCL_EIO, "cannot open %s", path);
    char *s = malloc(REPRO_INI_MAX + 2);
    size_t n = s ? fread(s, 1, REPRO_INI_MAX + 1, fp) : 0;
    int err = ferror(fp);
    fclose(fp);
    if (!s) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    if (err) st = clnscl_fail(CLNSCL_EIO, "cannot read %s", path);
    else if (n > REPRO_INI_MAX) st = clnscl_fail(CLNSCL_EFORMAT, "%s: larger than %d bytes: not a figure config", path,
                                                 REPRO_INI_MAX);
    s[n] = '\0';
    int line = 1;
    size_t col = 0;
    for (size_t i = 0; i < n && !st; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\n') {
            line++;
            col = 0;
        } else if ((ch < 0x20 && ch != '\t' && ch != '\r') || ch == 0x7f)
            st = clnscl_fail(CLNSCL_EFORMAT, "%s: line %d: not a text file (byte 0x%02x)", path, line, ch);
        else if (++col > REPRO_INI_LINE)
            st = clnscl_fail(CLNSCL_EFORMAT, "%s: line %d: longer than %d characters", path, line, REPRO_INI_LINE);
    }
    /* section headers, each once */
    char seen[16][32];
    size_t nseen = 0;
    line = 0;
    for (const char *p = s; !st && *p;) {
        size_t len = strcspn(p, "\n");
        line++;
        const char *q = p + strspn(p, " \t");
        if (*q == '[') {
            const char *e = memchr(q, ']', len - (size_t)(q - p));
            if (e) {
                char name[32];
                snprintf(name, sizeof name, "%.*s", (int)(e - q - 1), q + 1);
                for (size_t k = 0; k < nseen && !st; k++)
                    if (!strcmp(seen[k], name))
                        st = clnscl_fail(CLNSCL_EFORMAT, "%s: line %d: section [%s] given twice", path, line, name);
                if (!st && nseen < 16) snprintf(seen[nseen++], sizeof seen[0], "%s", name);
            }
        }
        p += len + (p[len] == '\n');
    }
    if (st) {
        free(s);
        return st;
    }
    *text = s;
    return CLNSCL_OK;
}

static int figcfg_load(figcfg *f, const char *dir, const char *name, const char *scale)
{
    memset(f, 0, sizeof *f);
    snprintf(f->name, sizeof f->name, "%s", name);
    snprintf(f->path, sizeof f->path, "%s/%s.ini", dir, name);
    f->scale = scale;
    char *text;
    int st = read_ini(f->path, &text);
    if (st) return st;
    int line = ini_parse_string(text, repro_ini_entry, f);
    free(text);
    if (f->status) return f->status;
    if (line < 0) return clnscl_fail(CLNSCL_EIO, "cannot read %s", f->path);
    if (line > 0) return clnscl_fail(CLNSCL_EFORMAT, "%s: line %d: malformed INI line", f->path, line);
    if (!kv_get(&f->figure, "kind")) return clnscl_fail(CLNSCL_EFORMAT, "%s: [figure] needs 'kind'", f->path);
    if (!f->have_scale) return clnscl_fail(CLNSCL_EFORMAT, "%s: no [%s] section", f->path, scale);
    return CLNSCL_OK;
}

/* comma-separated list of numbers */
static int parse_list(const figcfg *f, const char *key, double *out, size_t cap, size_t *n)
{
    const char *v = kv_get(&f->over, key);
    if (!v) v = kv_get(&f->figure, key);
    if (!v || !*v) return clnscl_fail(CLNSCL_EFORMAT, "%s: [%s] needs '%s'", f->path, f->scale, key);
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", v);
    *n = 0;
    for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        char *e;
        double x = strtod(t, &e);
        if (*e || !isfinite(x)) return clnscl_fail(CLNSCL_EFORMAT, "%s: %s: '%s' is not a number", f->path, key, t);
        if (*n == cap) return clnscl_fail(CLNSCL_EFORMAT, "%s: %s: more than %zu values", f->path, key, cap);
        out[(*n)++] = x;
    }
    if (*n == 0) return clnscl_fail(CLNSCL_EFORMAT, "%s: %s is empty", f->path, key);
    return CLNSCL_OK;
}

static int parse_words(const figcfg *f, const char *key, char words[][16], size_t cap, size_t *n)
{
    const char *v = kv_get(&f->over, key);
    if (!v || !*v) return clnscl_fail(CLNSCL_EFORMAT, "%s: [%s] needs '%s'", f->path, f->scale, key);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", v);
    *n = 0;
    for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        if (*n == cap || strlen(t) >= 16) return clnscl_fail(CLNSCL_EFORMAT, "%s: bad %s list", f->path, key);
        snprintf(words[(*n)++], 16, "%s", t);
    }
    return CLNSCL_OK;
}

static int count_key(const figcfg *f, const char *key, long dflt, long *out)
{
    const char *v = kv_get(&f->over, key);
    if (!v) {
        *out = dflt;
        return CLNSCL_OK;
    }
    char *e;
    long x = strtol(v, &e, 10);
    if (!*v || *e || x < 1 || x > 100)
        return clnscl_fail(CLNSCL_EFORMAT, "%s: %s = '%s' (expected 1..100)", f->path, key, v);
    *out = x;
    return CLNSCL_OK;
}

/* ---- groups: one configuration, several seeds ---- */
typedef struct {
    char label[64];
    double x;        /* N, tau, or B                      */
    char rule[16];   /* fig5: scaling rule                */
    size_t job[100]; /* job indices, one per seed         */
    size_t njobs;
    runio_train *runs;
    size_t nruns;
} group;

typedef struct {
    figcfg cfg;
    const char *kind;
    group *groups;
    size_t ngroups;
    group *sims;     /* theory: sweep points (sim runs)   */
    size_t nsims;
    int sweep_of[64];/* theory: 0 classes, 1 tau, 2 batch, 3 claim-12 run */
    double samples;  /* theory: reference samples N of the sweeps */
} figplan;

static int add_group(figplan *p, group **out)
{
    group *ng = realloc(p->groups, (p->ngroups + 1) * sizeof *ng);
    if (!ng) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    p->groups = ng;
    *out = &p->groups[p->ngroups++];
    memset(*out, 0, sizeof **out);
    return CLNSCL_OK;
}

/* the option a library message is about: "--name …" at its start, else NULL */
static const kv *blamed(const kvlist *args, const char *msg)
{
    const char *p = strstr(msg, "--");
    if (!p) return NULL;
    p += 2;
    size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-_");
    for (size_t i = 0; i < args->n; i++) {
        const char *k = args->a[i].key;
        if (strlen(k) != n) continue;
        size_t j = 0;
        while (j < n && (k[j] == p[j] || ((k[j] == '-' || k[j] == '_') && (p[j] == '-' || p[j] == '_')))) j++;
        if (j == n) return &args->a[i];
    }
    return NULL;
}

/* Every run's options are checked with the subcommand's own option setter and checks before any
 * run is launched; *cost (for the ETA) is the run's expected seconds on one core. */
static int check_run(const figplan *p, const kvlist *args, const char *cmd, double *cost)
{
    const figcfg *f = &p->cfg;
    int train = !strcmp(cmd, "train");
    clnscl_train_opts to;
    clnscl_sim_opts so;
    clnscl_train_opts_default(&to);
    clnscl_sim_opts_default(&so);
    for (size_t i = 0; i < args->n; i++) {
        const kv *e = &args->a[i];
        int st = train ? clnscl_train_opts_set(&to, e->key, e->val) : clnscl_sim_opts_set(&so, e->key, e->val);
        if (st)
            return clnscl_fail(CLNSCL_EFORMAT, "%s: %s = %s: %s", f->path, e->src, e->val,
                               clnscl_last_error());
    }
    snprintf(to.out, sizeof to.out, "%s", "runs"); /* set by repro; checked as non-empty only */
    if (train ? clnscl_train_opts_check(&to) : clnscl_sim_opts_check(&so)) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s", clnscl_last_error());
        const kv *e = blamed(args, msg);
        if (e) return clnscl_fail(CLNSCL_EFORMAT, "%s: %s = %s: %s", f->path, e->src, e->val, msg);
        return clnscl_fail(CLNSCL_EFORMAT, "%s: [%s] with [%s]: %s", f->path, train ? "train" : "sim", f->scale, msg);
    }
    if (train) {
        /* images x epochs x twins (measured: ~5e-5 s each for the MLPs here, plus start-up) */
        double k = 10, full = 60000;
        if (to.classes[0]) {
            k = 1;
            for (const char *c = to.classes; *c; c++) k += *c == ',';
        }
        if (!strncmp(to.data, "cifar10:", 8)) full = 50000;
        else if (!strncmp(to.data, "cifar100:", 9)) full = 50000, k = to.classes[0] ? k / 10 : 10;
        double images = full * k / 10;
        if (to.train_limit > 0 && (double)to.train_limit < images) images = (double)to.train_limit;
        double twins = 1 + (double)to.null_twin;
        for (const char *c = to.losses; *c; c++) twins += *c == ',';
        *cost = 0.5 + 5e-5 * images * (double)to.epochs * twins;
    } else {
        /* steps x (2B)^2 per twin, plus the logged rows' (2N)^2 metrics */
        double N = (double)so.classes * (double)so.per_class, P = 2 * N, B2 = 4.0 * (double)so.batch * so.batch;
        double rows = so.log_every > 0 ? (double)so.steps / (double)so.log_every : (so.steps < 100 ? so.steps : 100);
        *cost = 0.05 + (double)so.repeat * (2e-8 * (double)so.steps * B2 * (so.scl ? 1.0 : 2.0 / 3.0) + 1e-8 * rows * P * P);
    }
    return CLNSCL_OK;
}

/* Queue one run per seed: "<cmd> --key value …" (train: "--key=value", because its 0|1 options
 * given alone mean 1), seeds 1..`seeds_key` of the scale section. */
static int plan_runs(figplan *p, group *g, kvlist *args, const char *cmd, const char *seeds_key, int joined,
                     job_list *jobs, const char *root)
{
    long seeds = 1;
    int st = count_key(&p->cfg, seeds_key, 1, &seeds);
    for (long s = 1; s <= seeds && !st; s++) {
        char sv[32];
        snprintf(sv, sizeof sv, "%ld", s);
        st = kv_set(args, "seed", sv);
        double cost = 0;
        if (!st) st = check_run(p, args, cmd, &cost);
        size_t na = 1 + (joined ? 1 : 2) * args->n;
        char **argv = calloc(na, sizeof *argv);
        char **flags = calloc(args->n, sizeof *flags);
        if (!st && (!argv || !flags)) st = clnscl_fail(CLNSCL_ENOMEM, "out of memory");
        for (size_t i = 0; i < args->n && !st; i++) {
            const char *k = args->a[i].key, *v = args->a[i].val;
            flags[i] = malloc(strlen(k) + strlen(v) + 4);
            if (!flags[i]) st = clnscl_fail(CLNSCL_ENOMEM, "out of memory");
            else if (joined) sprintf(flags[i], "--%s=%s", k, v);
            else sprintf(flags[i], "--%s", k);
        }
        if (!st) {
            argv[0] = (char *)cmd;
            for (size_t i = 0; i < args->n; i++) {
                if (joined) argv[1 + i] = flags[i];
                else {
                    argv[1 + 2 * i] = flags[i];
                    argv[2 + 2 * i] = args->a[i].val;
                }
            }
            char *dir = job_dir_for(root, cmd, argv, na);
            char label[128];
            snprintf(label, sizeof label, "%s %s seed %ld", p->cfg.name, g->label, s);
            st = dir ? job_list_add(jobs, argv, na, dir, label, joined, &g->job[g->njobs])
                     : clnscl_fail(CLNSCL_ENOMEM, "out of memory");
            if (!st) jobs->jobs[g->job[g->njobs++]].cost = cost;
            free(dir);
        }
        if (flags)
            for (size_t i = 0; i < args->n; i++) free(flags[i]);
        free(flags);
        free(argv);
    }
    return st;
}

/* `clnscl train` per seed: [train] + the scale's train keys, then `extra` overrides. */
static int plan_train(figplan *p, group *g, const kvlist *extra, job_list *jobs, const char *root)
{
    kvlist args = {0};
    int st = kv_copy(&args, &p->cfg.train);
    for (size_t i = 0; i < p->cfg.over.n && !st; i++) {
        const char *k = p->cfg.over.a[i].key;
        if (is_repro_key(k) || !strncmp(k, "sim.", 4)) continue;
        st = kv_set_src(&args, k, p->cfg.over.a[i].val, p->cfg.over.a[i].src);
    }
    if (!st && extra) st = kv_copy(&args, extra);
    if (!st) st = kv_set(&args, "quiet", "1");
    if (!st) st = plan_runs(p, g, &args, "train", "seeds", 1, jobs, root);
    kv_free(&args);
    return st;
}

/* `clnscl sim` per seed: [sim] + the scale's sim.* keys + extra. */
static int plan_sim(figplan *p, group *g, const kvlist *extra, job_list *jobs, const char *root)
{
    kvlist args = {0};
    int st = kv_copy(&args, &p->cfg.sim);
    for (size_t i = 0; i < p->cfg.over.n && !st; i++)
        if (!strncmp(p->cfg.over.a[i].key, "sim.", 4)) st = kv_set_src(&args, p->cfg.over.a[i].key + 4, p->cfg.over.a[i].val, p->cfg.over.a[i].src);
    if (!st && extra) st = kv_copy(&args, extra);
    if (!st) st = plan_runs(p, g, &args, "sim", "sim-seeds", 0, jobs, root);
    kv_free(&args);
    return st;
}

/* "[<scale>] key (opt)" or "[figure] key (opt)": where a sweep list giving option `opt` was read */
static const char *list_src(const figcfg *f, const char *key, const char *opt, char *buf)
{
    snprintf(buf, 64, "[%s] %s (%s)", kv_get(&f->over, key) ? f->scale : "figure", key, opt);
    return buf;
}

/* Keys that the figure's kind does not use are mistakes, not silently ignored: a repro key of
 * another kind, [sim] options or sim.* keys outside `theory`, class-order outside `nway`. */
static int kind_keys_check(const figplan *p)
{
    static const struct {
        const char *kind, *keys;
    } used[] = {{"alignment", ",seeds,"},
                {"weight_gap", ",seeds,"},
                {"nway", ",seeds,ways,class-order,"},
                {"temperature", ",seeds,taus,"},
                {"batch", ",seeds,batches,scalings,"},
                {"theory", ",seeds,sim-seeds,samples,sweep-classes,sweep-taus,sweep-batches,"}};
    const char *keys = NULL;
    for (size_t i = 0; i < sizeof used / sizeof *used; i++)
        if (!strcmp(p->kind, used[i].kind)) keys = used[i].keys;
    if (!keys) return CLNSCL_OK; /* unknown kind: plan_figure says so */
    int theory = !strcmp(p->kind, "theory");
    const figcfg *f = &p->cfg;
    if (!theory && f->sim.n)
        return clnscl_fail(CLNSCL_EFORMAT, "%s: %s: kind = %s runs no `clnscl sim`", f->path, f->sim.a[0].src, p->kind);
    const kvlist *lists[5] = {&f->figure, &f->over, &f->other_scale[0], &f->other_scale[1], &f->other_scale[2]};
    for (int l = 0; l < 5; l++)
        for (size_t i = 0; i < lists[l]->n; i++) {
            const kv *e = &lists[l]->a[i];
            char pat[64];
            snprintf(pat, sizeof pat, ",%.60s,", e->key);
            int repro_key = is_repro_key(e->key) || !strcmp(e->key, "class-order");
            if ((repro_key && !strstr(keys, pat)) || (!theory && !strncmp(e->key, "sim.", 4)))
                return clnscl_fail(CLNSCL_EFORMAT, "%s: %s: not used by kind = %s", f->path, e->src, p->kind);
        }
    return CLNSCL_OK;
}

static int plan_figure(figplan *p, job_list *jobs, const char *root)
{
    char sb[64];
    int kst = kind_keys_check(p);
    if (kst) return kst;
    const char *kind = p->kind;
    int st = CLNSCL_OK;
    group *g;
    if (!strcmp(kind, "alignment") || !strcmp(kind, "weight_gap")) {
        st = add_group(p, &g);
        if (!st) {
            snprintf(g->label, sizeof g->label, "all");
            st = plan_train(p, g, NULL, jobs, root);
        }
    } else if (!strcmp(kind, "nway")) {
        double ways[16], order[64];
        size_t nw, no;
        st = parse_list(&p->cfg, "ways", ways, 16, &nw);
        if (!st) st = parse_list(&p->cfg, "class-order", order, 64, &no);
        for (size_t i = 0; i < nw && !st; i++) {
            if (ways[i] < 2 || ways[i] > (double)no || ways[i] != floor(ways[i])) {
                st = clnscl_fail(CLNSCL_EFORMAT, "%s: ways: %g is not in 2..%zu", p->cfg.path, ways[i], no);
                break;
            }
            char cls[512] = "";
            for (long c = 0; c < (long)ways[i]; c++)
                snprintf(cls + strlen(cls), sizeof cls - strlen(cls), "%s%ld", c ? "," : "", (long)order[c]);
            kvlist ex = {0};
            st = kv_set_src(&ex, "classes", cls, list_src(&p->cfg, "class-order", "classes", sb));
            if (!st) st = add_group(p, &g);
            if (!st) {
                snprintf(g->label, sizeof g->label, "N = %ld", (long)ways[i]);
                g->x = ways[i];
                st = plan_train(p, g, &ex, jobs, root);
            }
            kv_free(&ex);
        }
    } else if (!strcmp(kind, "temperature")) {
        double taus[16];
        size_t nt;
        st = parse_list(&p->cfg, "taus", taus, 16, &nt);
        for (size_t i = 0; i < nt && !st; i++) {
            char v[32];
            snprintf(v, sizeof v, "%g", taus[i]);
            kvlist ex = {0};
            st = kv_set_src(&ex, "tau", v, list_src(&p->cfg, "taus", "tau", sb));
            if (!st) st = add_group(p, &g);
            if (!st) {
                snprintf(g->label, sizeof g->label, "tau = %g", taus[i]);
                g->x = taus[i];
                st = plan_train(p, g, &ex, jobs, root);
            }
            kv_free(&ex);
        }
    } else if (!strcmp(kind, "batch")) {
        double bs[16];
        char rules[8][16];
        size_t nb = 0, nr = 0;
        st = parse_list(&p->cfg, "batches", bs, 16, &nb);
        if (!st) st = parse_words(&p->cfg, "scalings", rules, 8, &nr);
        for (size_t r = 0; r < nr && !st; r++)
            for (size_t i = 0; i < nb && !st; i++) {
                char v[32];
                snprintf(v, sizeof v, "%ld", (long)bs[i]);
                kvlist ex = {0};
                st = kv_set_src(&ex, "batch", v, list_src(&p->cfg, "batches", "batch", sb));
                if (!st) st = kv_set_src(&ex, "lr-scale", rules[r], list_src(&p->cfg, "scalings", "lr-scale", sb));
                if (!st) st = add_group(p, &g);
                if (!st) {
                    snprintf(g->label, sizeof g->label, "%s B = %ld", rules[r], (long)bs[i]);
                    snprintf(g->rule, sizeof g->rule, "%s", rules[r]);
                    g->x = bs[i];
                    st = plan_train(p, g, &ex, jobs, root);
                }
                kv_free(&ex);
            }
    } else if (!strcmp(kind, "theory")) {
        /* the network vs surrogate overlay uses the [train] runs */
        st = add_group(p, &g);
        if (!st) {
            snprintf(g->label, sizeof g->label, "network");
            st = plan_train(p, g, NULL, jobs, root);
        }
        double samples[1] = {0}, vals[3][16];
        size_t ns = 0, nv[3] = {0, 0, 0};
        const char *keys[3] = {"sweep-classes", "sweep-taus", "sweep-batches"};
        if (!st) st = parse_list(&p->cfg, "samples", samples, 1, &ns);
        for (int k = 0; k < 3 && !st; k++) st = parse_list(&p->cfg, keys[k], vals[k], 16, &nv[k]);
        size_t total = nv[0] + nv[1] + nv[2] + 1;
        if (!st) {
            p->sims = calloc(total, sizeof *p->sims);
            if (!p->sims) st = clnscl_fail(CLNSCL_ENOMEM, "out of memory");
        }
        long N = (long)samples[0];
        p->samples = samples[0];
        if (!st && (samples[0] < 4 || samples[0] != floor(samples[0])))
            st = clnscl_fail(CLNSCL_EFORMAT, "%s: samples = %g must be an integer >= 4", p->cfg.path, samples[0]);
        const char *dflt_c = kv_get(&p->cfg.sim, "classes");
        long C0 = dflt_c ? atol(dflt_c) : 10;
        for (int k = 0; k < 3 && !st; k++)
            for (size_t i = 0; i < nv[k] && !st; i++) {
                group *sg = &p->sims[p->nsims];
                kvlist ex = {0};
                char v[32], pc[32];
                long C = k == 0 ? (long)vals[k][i] : C0;
                if (C < 2 || N % C) {
                    st = clnscl_fail(CLNSCL_EFORMAT, "%s: samples = %ld is not a multiple of C = %ld", p->cfg.path, N, C);
                    break;
                }
                snprintf(v, sizeof v, "%ld", C);
                snprintf(pc, sizeof pc, "%ld", N / C);
                st = kv_set_src(&ex, "classes", v, k == 0 ? list_src(&p->cfg, "sweep-classes", "classes", sb) : "[sim] classes");
                if (!st) st = kv_set_src(&ex, "per-class", pc, list_src(&p->cfg, "samples", "per-class", sb));
                if (!st && k == 1) {
                    snprintf(v, sizeof v, "%g", vals[k][i]);
                    st = kv_set_src(&ex, "tau", v, list_src(&p->cfg, "sweep-taus", "tau", sb));
                }
                if (!st && k == 2) {
                    snprintf(v, sizeof v, "%ld", (long)vals[k][i]);
                    st = kv_set_src(&ex, "batch", v, list_src(&p->cfg, "sweep-batches", "batch", sb));
                }
                snprintf(sg->label, sizeof sg->label, "%s = %g", k == 0 ? "C" : k == 1 ? "tau" : "B", vals[k][i]);
                sg->x = vals[k][i];
                p->sweep_of[p->nsims] = k;
                if (!st) st = plan_sim(p, sg, &ex, jobs, root);
                if (!st) p->nsims++;
                kv_free(&ex);
            }
        if (!st) {
            /* claim 12: C >= 2B classes, stratified batches hold distinct classes ⇒ D^CL = D^NS */
            group *sg = &p->sims[p->nsims];
            kvlist ex = {0};
            st = kv_set(&ex, "classes", "16");
            if (!st) st = kv_set(&ex, "per-class", "2");
            if (!st) st = kv_set(&ex, "batch", "8");
            if (!st) st = kv_set(&ex, "sampling", "stratified");
            snprintf(sg->label, sizeof sg->label, "distinct classes");
            p->sweep_of[p->nsims] = 3;
            if (!st) st = plan_sim(p, sg, &ex, jobs, root);
            if (!st) p->nsims++;
            kv_free(&ex);
        }
    } else {
        st = clnscl_fail(CLNSCL_EFORMAT, "%s: unknown kind '%s' (alignment, weight_gap, nway, temperature, batch, theory)",
                         p->cfg.path, kind);
    }
    return st;
}

static int load_groups(figplan *p, const job_list *jobs)
{
    for (size_t k = 0; k < p->ngroups; k++) {
        group *g = &p->groups[k];
        g->runs = calloc(g->njobs ? g->njobs : 1, sizeof *g->runs);
        if (!g->runs) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
        for (size_t j = 0; j < g->njobs; j++) {
            int st = runio_train_load(jobs->jobs[g->job[j]].dir, &g->runs[g->nruns]);
            if (st) return st;
            g->nruns++;
        }
    }
    return CLNSCL_OK;
}

static void plan_free(figplan *p)
{
    for (size_t k = 0; k < p->ngroups; k++) {
        for (size_t j = 0; j < p->groups[k].nruns; j++) runio_train_free(&p->groups[k].runs[j]);
        free(p->groups[k].runs);
    }
    free(p->groups);
    free(p->sims);
    figcfg_free(&p->cfg);
}

/* ---- drawing + claims ---- */

static const char *const PALETTE[] = {"#1f5fbf", "#ff7f0e", "#9467bd", "#2ca02c", "#d62728", "#8c564b", "#17becf"};

static runio_stat final_stat(const group *g, const char *other, runio_field f)
{
    return runio_group_stat(g->runs, g->nruns, fig_final_step(g->runs, g->nruns), other, f);
}

/* mean over evaluations from epoch 1 on of the seed-mean: a per-group summary used by claims 15–16 */
static runio_stat final_or_mean(const group *g, runio_field f)
{
    return final_stat(g, "nscl", f);
}

static int draw_nway(plot_ctx *pc, figplan *p, report *rep)
{
    char name[64], fig[96];
    snprintf(name, sizeof name, "%.31s_heatmap", p->cfg.name);
    const runio_train **gr = calloc(p->ngroups, sizeof *gr);
    size_t *nr = calloc(p->ngroups, sizeof *nr);
    const char **lab = calloc(p->ngroups, sizeof *lab);
    int st = (!gr || !nr || !lab) ? clnscl_fail(CLNSCL_ENOMEM, "out of memory") : CLNSCL_OK;
    for (size_t k = 0; k < p->ngroups && !st; k++) {
        gr[k] = p->groups[k].runs;
        nr[k] = p->groups[k].nruns;
        lab[k] = p->groups[k].label;
    }
    if (!st) st = fig_heatmap(pc, name, kv_get(&p->cfg.figure, "title"), gr, nr, lab, p->ngroups, "classes N");
    free(gr);
    free(nr);
    free(lab);
    /* final CKA / RSA against N, with the null level */
    fig_curve cv[2];
    memset(cv, 0, sizeof cv);
    for (int c = 0; c < 2 && !st; c++) {
        st = fig_curve_alloc(&cv[c], p->ngroups, 2);
        if (st) break;
        const char *other = c ? "cl2" : "nscl";
        snprintf(cv[c].label, sizeof cv[c].label, "%s", c ? "null: CL vs CL (no shared randomness)" : "CL vs NSCL");
        cv[c].color = plot_color(other);
        cv[c].dash = c ? 2 : 1;
        cv[c].points_only = 1;
        for (size_t k = 0; k < p->ngroups; k++) {
            cv[c].x[k] = p->groups[k].x;
            cv[c].y[0][k] = final_stat(&p->groups[k], other, RUNIO_CKA);
            cv[c].y[1][k] = final_stat(&p->groups[k], other, RUNIO_RSA);
        }
    }
    snprintf(name, sizeof name, "%.31s_final", p->cfg.name);
    if (!st) {
        fig_layout lay = {0};
        lay.title = "Final alignment against the number of training classes N (mean +- sd over seeds)";
        lay.xlabel = "number of classes N";
        lay.npanels = 2;
        lay.ylabel[0] = "final CKA";
        lay.ylabel[1] = "final RSA";
        st = fig_curves(pc, name, &lay, cv, 2);
    }
    for (int c = 0; c < 2; c++) fig_curve_free(&cv[c]);
    if (st || p->ngroups < 2) return st;
    /* claim 15: larger N ⇒ higher CKA: largest N above smallest beyond the spread, and the
     * ordered pairs of N mostly agree */
    group *lo = &p->groups[0], *hi = &p->groups[p->ngroups - 1];
    runio_stat a = final_or_mean(hi, RUNIO_CKA), b = final_or_mean(lo, RUNIO_CKA);
    size_t pairs = 0, agree = 0;
    char meas[1024] = "";
    for (size_t i = 0; i < p->ngroups; i++) {
        runio_stat s = final_or_mean(&p->groups[i], RUNIO_CKA);
        char buf[96];
        snprintf(meas + strlen(meas), sizeof meas - strlen(meas), "%s%s: %s", i ? "; " : "", p->groups[i].label,
                 fig_fmt(buf, sizeof buf, s));
        for (size_t j = i + 1; j < p->ngroups; j++) {
            runio_stat t = final_or_mean(&p->groups[j], RUNIO_CKA);
            pairs++;
            agree += t.mean > s.mean;
        }
    }
    snprintf(fig, sizeof fig, "%.31s_final.png", p->cfg.name);
    return report_add(rep, p->cfg.name, "15", "alignment increases with the number of training classes N",
                      "final CKA(CL,NSCL) at the largest N above the smallest by more than the seed spread; most pairs ordered",
                      fig_above(a, b) && 2 * agree > pairs, fig, "final CKA %s; %zu/%zu pairs of N ordered", meas, agree,
                      pairs);
}

static int draw_temperature(plot_ctx *pc, figplan *p, report *rep)
{
    char name[64], fig[96];
    snprintf(name, sizeof name, "%.31s_temperature", p->cfg.name);
    fig_curve *cv = calloc(2 * p->ngroups, sizeof *cv);
    if (!cv) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    int st = CLNSCL_OK;
    size_t ncv = 0;
    for (size_t k = 0; k < p->ngroups && !st; k++) {
        group *g = &p->groups[k];
        for (int c = 0; c < 2 && !st; c++) {
            const char *other = c ? "cl2" : "nscl";
            if (!runio_group_has(g->runs, g->nruns, other)) continue;
            long *steps;
            size_t ns;
            st = runio_group_steps(g->runs, g->nruns, &steps, &ns);
            if (st) break;
            st = fig_curve_alloc(&cv[ncv], ns, 2);
            if (st) {
                free(steps);
                break;
            }
            fig_curve *v = &cv[ncv++];
            double spe = runio_train_spe(&g->runs[0]);
            snprintf(v->label, sizeof v->label, "%s: %s", g->label, c ? "null CL vs CL2" : "CL vs NSCL");
            v->color = PALETTE[k % 7];
            v->dash = c ? 2 : 1;
            for (size_t i = 0; i < ns; i++) {
                v->x[i] = (double)steps[i] / spe;
                v->y[0][i] = runio_group_stat(g->runs, g->nruns, steps[i], other, RUNIO_CKA);
                v->y[1][i] = runio_group_stat(g->runs, g->nruns, steps[i], other, RUNIO_RSA);
            }
            free(steps);
        }
    }
    if (!st) {
        fig_layout lay = {0};
        lay.title = kv_get(&p->cfg.figure, "title");
        lay.xlabel = "epoch";
        lay.npanels = 2;
        lay.ylabel[0] = "CKA";
        lay.ylabel[1] = "RSA";
        st = fig_curves(pc, name, &lay, cv, ncv);
    }
    for (size_t k = 0; k < ncv; k++) fig_curve_free(&cv[k]);
    free(cv);
    if (st || p->ngroups < 2) return st;
    /* claim 16: higher tau ⇒ higher alignment. groups are in the INI order (ascending tau
     * expected); compare each consecutive pair at the final evaluation */
    size_t ok = 0, tested = 0;
    char meas[1024] = "";
    for (size_t k = 0; k < p->ngroups; k++) {
        char b1[96], b2[96];
        runio_stat c = final_or_mean(&p->groups[k], RUNIO_CKA), r = final_or_mean(&p->groups[k], RUNIO_RSA);
        snprintf(meas + strlen(meas), sizeof meas - strlen(meas), "%s%s: CKA %s, RSA %s", k ? "; " : "",
                 p->groups[k].label, fig_fmt(b1, sizeof b1, c), fig_fmt(b2, sizeof b2, r));
    }
    for (size_t k = 0; k + 1 < p->ngroups; k++) {
        group *a = &p->groups[k], *b = &p->groups[k + 1];
        if (!(b->x > a->x)) continue;
        tested++;
        /* higher tau must not be below lower tau beyond the spread, and the largest step of the
         * paper (0.1 -> 0.5) must be a clear increase */
        runio_stat sa = final_or_mean(a, RUNIO_CKA), sb = final_or_mean(b, RUNIO_CKA);
        ok += !fig_above(sa, sb);
    }
    runio_stat first = final_or_mean(&p->groups[0], RUNIO_CKA);
    runio_stat last = final_or_mean(&p->groups[p->ngroups - 1], RUNIO_CKA);
    snprintf(fig, sizeof fig, "%.31s_temperature.png", p->cfg.name);
    return report_add(rep, p->cfg.name, "16", "alignment increases with the temperature tau",
                      "final CKA(CL,NSCL): largest tau above the smallest beyond the seed spread, no consecutive decrease beyond it",
                      tested > 0 && ok == tested && fig_above(last, first), fig, "%s", meas);
}

static int draw_batch(plot_ctx *pc, figplan *p, report *rep)
{
    char name[64], fig[96];
    snprintf(name, sizeof name, "%.31s_batch", p->cfg.name);
    snprintf(fig, sizeof fig, "%s.png", name);
    /* rules in order of first appearance */
    char rules[8][16];
    size_t nr = 0;
    for (size_t k = 0; k < p->ngroups; k++) {
        size_t r = 0;
        while (r < nr && strcmp(rules[r], p->groups[k].rule)) r++;
        if (r == nr && nr < 8) snprintf(rules[nr++], 16, "%s", p->groups[k].rule);
    }
    fig_curve cv[16];
    memset(cv, 0, sizeof cv);
    size_t ncv = 0;
    int st = CLNSCL_OK;
    for (size_t r = 0; r < nr && !st; r++) {
        size_t m = 0;
        for (size_t k = 0; k < p->ngroups; k++) m += !strcmp(p->groups[k].rule, rules[r]);
        for (int c = 0; c < 2 && !st; c++) {
            const char *other = c ? "cl2" : "nscl";
            st = fig_curve_alloc(&cv[ncv], m, 2);
            if (st) break;
            fig_curve *v = &cv[ncv++];
            snprintf(v->label, sizeof v->label, "lr ~ %.15s: %s", rules[r], c ? "null CL vs CL2" : "CL vs NSCL");
            v->color = PALETTE[r % 7];
            v->dash = c ? 2 : 1;
            v->points_only = 1;
            size_t i = 0;
            for (size_t k = 0; k < p->ngroups; k++) {
                if (strcmp(p->groups[k].rule, rules[r])) continue;
                v->x[i] = p->groups[k].x;
                v->y[0][i] = final_stat(&p->groups[k], other, RUNIO_CKA);
                v->y[1][i] = final_stat(&p->groups[k], other, RUNIO_RSA);
                i++;
            }
        }
    }
    if (!st) {
        fig_layout lay = {0};
        lay.title = kv_get(&p->cfg.figure, "title");
        lay.xlabel = "batch size B (log scale); same number of epochs for every B";
        lay.logx = 1;
        lay.npanels = 2;
        lay.ylabel[0] = "final CKA";
        lay.ylabel[1] = "final RSA";
        st = fig_curves(pc, name, &lay, cv, ncv);
    }
    for (size_t k = 0; k < ncv; k++) fig_curve_free(&cv[k]);
    /* claim 17 per rule: linear ⇒ decreases with B; sqrt, fourth, constant ⇒ increases */
    for (size_t r = 0; r < nr && !st; r++) {
        group *lo = NULL, *hi = NULL;
        char meas[600] = "";
        for (size_t k = 0; k < p->ngroups; k++) {
            group *g = &p->groups[k];
            if (strcmp(g->rule, rules[r])) continue;
            if (!lo || g->x < lo->x) lo = g;
            if (!hi || g->x > hi->x) hi = g;
            char b[96];
            snprintf(meas + strlen(meas), sizeof meas - strlen(meas), "%sB=%g: %s", meas[0] ? "; " : "", g->x,
                     fig_fmt(b, sizeof b, final_stat(g, "nscl", RUNIO_CKA)));
        }
        if (!lo || lo == hi) continue;
        int linear = !strcmp(rules[r], "linear");
        runio_stat a = final_stat(lo, "nscl", RUNIO_CKA), b = final_stat(hi, "nscl", RUNIO_CKA);
        char text[160];
        snprintf(text, sizeof text, "batch size with lr ~ %s: alignment %s with B", rules[r],
                 linear ? "decreases" : "increases");
        st = report_add(rep, p->cfg.name, "17", text,
                        linear ? "final CKA at the largest B below the smallest B beyond the seed spread"
                               : "final CKA at the largest B above the smallest B beyond the seed spread",
                        linear ? fig_above(a, b) : fig_above(b, a), fig, "final CKA(CL,NSCL) %s", meas);
    }
    return st;
}

/* theory sweeps: final gap (mean ± sd over seeds) with bounds, log10 */
typedef struct {
    runio_stat gap, thm, rec;
    double violations;
    int have_viol;
} sweep_pt;

static int sim_point(const job_list *jobs, const group *g, sweep_pt *pt)
{
    double gap[100], thm[100], rec[100];
    size_t n = 0;
    pt->violations = 0;
    pt->have_viol = 1;
    for (size_t j = 0; j < g->njobs; j++) {
        char *path = runio_join(jobs->jobs[g->job[j]].dir, "summary.json");
        cJSON *js = NULL;
        int st = path ? runio_json_read(path, &js) : clnscl_fail(CLNSCL_ENOMEM, "out of memory");
        free(path);
        if (st) return st;
        double v = 0, t = NAN, r = NAN, viol = 0;
        st = runio_json_num(js, "gap_fro", &v, 0);
        if (!st && runio_json_num(js, "bound_theorem1_log10", &t, 1) != CLNSCL_OK) t = NAN;
        if (!st && runio_json_num(js, "bound_recurrence_log10", &r, 1) != CLNSCL_OK) r = NAN;
        if (!st && runio_json_num(js, "violations", &viol, 1) == CLNSCL_OK) pt->violations += viol;
        else pt->have_viol = 0;
        cJSON_Delete(js);
        if (st) return st;
        gap[n] = v > 0 ? log10(v) : NAN;
        thm[n] = t;
        rec[n] = r;
        n++;
    }
    pt->gap = runio_stats(gap, n);
    pt->thm = runio_stats(thm, n);
    pt->rec = runio_stats(rec, n);
    return CLNSCL_OK;
}

static int draw_theory(plot_ctx *pc, figplan *p, const job_list *jobs, report *rep, int parallel, const char *root)
{
    int st = CLNSCL_OK;
    const char *names[3] = {"theory_classes", "theory_tau", "theory_batch"};
    const char *xl[3] = {"number of classes C (N fixed)", "temperature tau", "batch size B (fixed eta and T)"};
    const char *claim[3] = {"9", "10", "11"};
    const char *ctext[3] = {"final surrogate gap ||Sigma_CL - Sigma_NSCL||_F decreases as C increases",
                            "final surrogate gap decreases as tau increases",
                            "final surrogate gap decreases (weakly) as B increases at fixed eta and T"};
    sweep_pt pts[64];
    size_t nbound_viol = 0, nbound_tested = 0;
    for (size_t i = 0; i < p->nsims && !st; i++) st = sim_point(jobs, &p->sims[i], &pts[i]);
    for (int k = 0; k < 3 && !st; k++) {
        size_t m = 0;
        for (size_t i = 0; i < p->nsims; i++) m += p->sweep_of[i] == k;
        fig_curve cv[4];
        memset(cv, 0, sizeof cv);
        for (int c = 0; c < 4 && !st; c++) st = fig_curve_alloc(&cv[c], m, 1);
        if (st) break;
        snprintf(cv[0].label, sizeof cv[0].label, "surrogate final gap (mean +- sd over seeds)");
        cv[0].color = "#9467bd";
        cv[0].points_only = 1;
        snprintf(cv[1].label, sizeof cv[1].label, "recurrence bound (Delta_emp, largest over seeds)");
        cv[1].color = "#ff7f0e";
        cv[1].dash = 2;
        snprintf(cv[2].label, sizeof cv[2].label, "Theorem 1 bound (Delta_emp, largest over seeds)");
        cv[2].color = "#8c564b";
        cv[2].dash = 3;
        snprintf(cv[3].label, sizeof cv[3].label, "largest possible gap (bounds above: vacuous)");
        cv[3].color = "#a00000";
        cv[3].dash = 4;
        /* 2N points (N = samples): entries in [-1, 1], diagonals fixed at 1 */
        double M = 2.0 * p->samples, max_gap = 2.0 * sqrt(M * (M - 1.0)), top = log10(max_gap);
        size_t j = 0, first = 0, last = 0;
        double prev_thm = INFINITY;
        int mono = 1;
        char meas[800] = "";
        for (size_t i = 0; i < p->nsims; i++) {
            if (p->sweep_of[i] != k) continue;
            if (j == 0) first = i;
            last = i;
            double x = p->sims[i].x;
            cv[0].x[j] = cv[1].x[j] = cv[2].x[j] = cv[3].x[j] = x;
            cv[3].y[0][j] = runio_stats(&top, 1);
            cv[0].y[0][j] = pts[i].gap;
            runio_stat t = pts[i].thm, r = pts[i].rec;
            t.mean = t.max;
            t.sd = 0;
            r.mean = r.max;
            r.sd = 0;
            cv[1].y[0][j] = r;
            cv[2].y[0][j] = t;
            if (t.n && t.max > prev_thm + 1e-12) mono = 0;
            if (t.n) prev_thm = t.max;
            char b[96];
            runio_stat g = pts[i].gap;
            if (g.n) {
                /* back from log10 for the report */
                snprintf(b, sizeof b, "%.3g", pow(10.0, g.mean));
            } else
                snprintf(b, sizeof b, "0");
            snprintf(meas + strlen(meas), sizeof meas - strlen(meas), "%s%s: gap %s, log10 bound %.3g",
                     j ? "; " : "", p->sims[i].label, b, t.n ? t.max : 0.0);
            j++;
        }
        fig_layout lay = {0};
        char title[200];
        snprintf(title, sizeof title, "Surrogate: final CL-NSCL gap and bounds against %s",
                 k == 0 ? "C" : k == 1 ? "tau" : "B");
        lay.title = title;
        lay.xlabel = xl[k];
        lay.logx = 1;
        lay.npanels = 1;
        lay.ylabel[0] = "log10 ||Sigma_CL - Sigma_NSCL||_F at step T";
        char extra[800];
        fig_vacuous_extra(extra, sizeof extra, max_gap);
        lay.extra[0] = extra;
        st = fig_curves(pc, names[k], &lay, cv, 4);
        for (int c = 0; c < 4; c++) fig_curve_free(&cv[c]);
        if (st || j < 2) continue;
        char fig[96];
        snprintf(fig, sizeof fig, "%s.png", names[k]);
        /* gap values are log10: "above beyond spread" compares log-gaps */
        st = report_add(rep, p->cfg.name, claim[k], ctext[k], "final gap at the largest value below the smallest, beyond the seed spread",
                        fig_above(pts[first].gap, pts[last].gap), fig, "%s", meas);
        if (!st) {
            nbound_tested++;
            nbound_viol += !mono;
        }
        (void)nbound_viol;
        if (!st) {
            char text[200];
            snprintf(text, sizeof text, "Theorem-1 bound is monotone: decreases in %s", k == 0 ? "C" : k == 1 ? "tau" : "B");
            st = report_add(rep, p->cfg.name, "5", text, "non-increasing along the sweep", mono, fig,
                            "log10 bound along the sweep (see measured column of claim %s)", claim[k]);
        }
    }
    /* claim 4 over every sweep run, claim 12 */
    double viol = 0;
    int have = 1;
    size_t nruns = 0;
    for (size_t i = 0; i < p->nsims && !st; i++) {
        viol += pts[i].violations;
        have &= pts[i].have_viol;
        nruns += p->sims[i].njobs;
    }
    if (!st)
        st = report_add(rep, p->cfg.name, "4", "Lemma 7 and the recurrence hold at every step of every sweep run",
                        "0 violations", have && viol == 0, "theory_classes.png", "%.0f violations over %zu sim run%s",
                        viol, nruns, nruns == 1 ? "" : "s");
    for (size_t i = 0; i < p->nsims && !st; i++) {
        if (p->sweep_of[i] != 3) continue;
        double gmax = pts[i].gap.n ? pow(10.0, pts[i].gap.max) : 0.0;
        st = report_add(rep, p->cfg.name, "12",
                        "gap is exactly 0 when no batch holds two samples of one class (C >= 2B, stratified)",
                        "final gap = 0 in every seed", pts[i].gap.n == 0, "theory_classes.png",
                        "C = 16, n = 2, B = 8, stratified: largest final gap over %zu seed%s = %.3g", p->sims[i].njobs,
                        p->sims[i].njobs == 1 ? "" : "s", gmax);
    }
    /* network vs its own surrogate (fig2 runs) */
    if (!st && p->ngroups)
        st = fig_theory_overlay(pc, "theory_vs_network", p->groups[0].runs, p->groups[0].nruns, root, parallel, rep,
                                p->cfg.name);
    return st;
}

static int draw_figure(plot_ctx *pc, figplan *p, const job_list *jobs, report *rep, int parallel, const char *root)
{
    const char *kind = p->kind;
    const char *title = kv_get(&p->cfg.figure, "title");
    if (!title) title = p->cfg.name;
    char name[64], fig[96];
    int st;
    if (!strcmp(kind, "alignment")) {
        snprintf(name, sizeof name, "%.31s_alignment", p->cfg.name);
        snprintf(fig, sizeof fig, "%s.png", name);
        st = fig_alignment(pc, name, title, p->groups[0].runs, p->groups[0].nruns);
        if (!st) st = claims_alignment(rep, p->cfg.name, fig, p->groups[0].runs, p->groups[0].nruns);
        return st;
    }
    if (!strcmp(kind, "weight_gap")) {
        snprintf(name, sizeof name, "%.31s_weight_gap", p->cfg.name);
        snprintf(fig, sizeof fig, "%s.png", name);
        st = fig_weight_gap(pc, name, title, p->groups[0].runs, p->groups[0].nruns);
        if (!st) st = claims_weight_gap(rep, p->cfg.name, fig, p->groups[0].runs, p->groups[0].nruns);
        return st;
    }
    if (!strcmp(kind, "nway")) return draw_nway(pc, p, rep);
    if (!strcmp(kind, "temperature")) return draw_temperature(pc, p, rep);
    if (!strcmp(kind, "batch")) return draw_batch(pc, p, rep);
    return draw_theory(pc, p, jobs, rep, parallel, root);
}

/* paper_repro/ next to the working directory, else next to the executable's build tree */
static int find_configs(const char *given, char *out, size_t cap)
{
    if (given) {
        if (!clnscl_is_dir(given)) return clnscl_fail(CLNSCL_EIO, "--configs: %s is not a directory", given);
        snprintf(out, cap, "%s", given);
        return CLNSCL_OK;
    }
    if (clnscl_is_file("paper_repro/fig2.ini")) {
        snprintf(out, cap, "paper_repro");
        return CLNSCL_OK;
    }
    char exe[3800];
    snprintf(exe, sizeof exe, "%s", job_self_exe());
    for (int up = 0; up < 3; up++) {
        char *slash = strrchr(exe, '/');
        if (!slash) break;
        *slash = '\0';
        char cand[4200];
        snprintf(cand, sizeof cand, "%s/paper_repro/fig2.ini", exe);
        if (clnscl_is_file(cand)) {
            snprintf(out, cap, "%s/paper_repro", exe);
            return CLNSCL_OK;
        }
    }
    return clnscl_fail(CLNSCL_EIO, "cannot find paper_repro/ (run from the repository root or pass --configs DIR)");
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: clnscl repro NAME|all [--scale smoke|quick|full] [--out DIR] [--jobs N] [--configs DIR]\n\n"
            "Regenerates the paper's figures from paper_repro/NAME.ini (NAME: fig2 fig3 fig4 fig5 fig6\n"
            "theory; `all` = every one, runs shared between figures trained once). Each INI names its\n"
            "`clnscl train` / `clnscl sim` runs per scale; repro runs them as child processes, two at a\n"
            "time, in OUT/runs/<train|sim>-<hash>/ (a finished run is reused, an interrupted one resumed:\n"
            "rerun the same command), then draws the figures (gnuplot: PNG + SVG, .gp and .dat beside\n"
            "them) and OUT/REPORT.md: one row per THEORY.md section-7 claim a figure touches, with the\n"
            "expected direction, the measured numbers (mean +- sd over seeds), PASS/FAIL and the figure;\n"
            "the rows of figures in OUT not redrawn by this call are carried over from its REPORT.md.\n"
            "Every run's options are checked (by the train/sim option parsers) before any run starts.\n\n"
            "  fig2    fig2_alignment      CKA/RSA of CL vs NSCL, SCL, CE, null twin over training (claims 13, 14)\n"
            "  fig3    fig3_heatmap, fig3_final   CKA(CL,NSCL) against the number of classes N (15)\n"
            "  fig4    fig4_temperature    CKA/RSA of CL vs NSCL for tau = 0.1, 0.5, 1.0 (16)\n"
            "  fig5    fig5_batch          final CKA/RSA against B under linear/sqrt/fourth-root lr scaling (17)\n"
            "  fig6    fig6_weight_gap     weight gap beside 1 - CKA and 1 - RSA (18)\n"
            "  theory  theory_classes, theory_tau, theory_batch, theory_vs_network   surrogate gap and\n"
            "          bounds against C, tau, B; network vs its own surrogate (4, 5, 6, 7, 9, 10, 11, 12)\n\n"
            "options:\n"
            "  --scale S      smoke (CTest, <= 2 min for all), quick (default; <= 20 min for all on 2 cores,\n"
            "                 3 seeds), full (long; resumable, progress on stderr)\n"
            "  --out DIR      output directory (default figures)\n"
            "  --jobs N       runs in parallel (default 2; > 1 sets OPENBLAS_NUM_THREADS=1 per run)\n"
            "  --configs DIR  directory of the INI files (default ./paper_repro or the one beside the build)\n"
            "  -h, --help     this help\n");
}

int clnscl_cmd_repro(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    if (cli_reject_repeats(argc, argv, NULL)) return 2;
    const char *what = NULL, *scale = "quick", *out = "figures", *configs = NULL;
    long jobs = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--scale") || !strcmp(a, "--out") || !strcmp(a, "--jobs") || !strcmp(a, "--configs")) {
            if (i + 1 >= argc) return cli_error("%s needs a value", a);
            const char *v = argv[++i];
            if (!*v) return cli_error("%s needs a value", a);
            if (!strcmp(a, "--scale")) scale = v;
            else if (!strcmp(a, "--out")) out = v;
            else if (!strcmp(a, "--configs")) configs = v;
            else {
                if (cli_parse_long("--jobs", v, &jobs)) return 2;
                if (jobs < 1 || jobs > 64) return cli_error("--jobs must be in 1..64");
            }
        } else if (a[0] == '-' && a[1]) {
            return cli_error("unknown option '%s' (see clnscl repro --help)", a);
        } else if (what) {
            return cli_error("repro takes one NAME (or all), got '%s' and '%s'", what, a);
        } else
            what = a;
    }
    if (!what) return cli_error("repro needs a NAME (fig2 fig3 fig4 fig5 fig6 theory) or all");
    if (strcmp(scale, "smoke") && strcmp(scale, "quick") && strcmp(scale, "full"))
        return cli_error("--scale must be smoke, quick or full (got '%s')", scale);
    const char *names[NFIGURES];
    size_t nfig = 0;
    if (!strcmp(what, "all"))
        for (size_t i = 0; i < NFIGURES; i++) names[nfig++] = FIGURES[i];
    else {
        for (size_t i = 0; i < NFIGURES; i++)
            if (!strcmp(what, FIGURES[i])) names[nfig++] = FIGURES[i];
        if (!nfig) return cli_error("unknown figure '%s' (fig2 fig3 fig4 fig5 fig6 theory, or all)", what);
    }
    char cdir[4096];
    int st = find_configs(configs, cdir, sizeof cdir);
    if (st) return cli_fail_status(st);
    figplan plans[NFIGURES];
    memset(plans, 0, sizeof plans);
    /* load every config and plan every run, checking each run's options, before anything is
     * written or launched: a bad INI fails fast and leaves nothing behind */
    for (size_t i = 0; i < nfig && !st; i++) {
        st = figcfg_load(&plans[i].cfg, cdir, names[i], scale);
        plans[i].kind = kv_get(&plans[i].cfg.figure, "kind");
    }
    double t0 = clnscl_now();
    char *root = runio_join(out, "runs");
    job_list jl;
    job_list_init(&jl);
    if (!st && !root) st = clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    for (size_t i = 0; i < nfig && !st; i++) st = plan_figure(&plans[i], &jl, root);
    struct stat sb;
    if (!st && stat(out, &sb) == 0 && !S_ISDIR(sb.st_mode))
        st = clnscl_fail(CLNSCL_EINVAL, "--out: %s exists and is not a directory", out);
    size_t cached_before = 0;
    if (!st) {
        fprintf(stderr, "clnscl repro: %s at scale %s: %zu run%s (configs %s, output %s)\n", what, scale, jl.n,
                jl.n == 1 ? "" : "s", cdir, out);
        st = job_list_run(&jl, (int)jobs, "repro");
        for (size_t j = 0; j < jl.n; j++) cached_before += jl.jobs[j].cached;
    }
    double t_runs = clnscl_now() - t0;
    plot_ctx pc;
    int have_pc = 0;
    report rep;
    report_init(&rep);
    if (!st) {
        st = plot_ctx_init(&pc, out);
        have_pc = 1;
    }
    for (size_t i = 0; i < nfig && !st; i++) {
        st = load_groups(&plans[i], &jl);
        if (!st) st = draw_figure(&pc, &plans[i], &jl, &rep, (int)jobs, root);
    }
    /* REPORT.md covers every figure in OUT: the rows of figures this call did not redraw are carried
     * over from the REPORT.md an earlier call wrote there (if their figure files are still there) */
    const char *keep[NFIGURES + 1];
    size_t nkeep = 0, ncarried = 0;
    char *old_title = NULL;
    for (size_t i = 0; i < NFIGURES; i++) {
        int redrawn = 0;
        for (size_t k = 0; k < nfig; k++) redrawn |= !strcmp(names[k], FIGURES[i]);
        if (!redrawn) keep[nkeep++] = FIGURES[i];
    }
    keep[nkeep] = NULL;
    if (!st && nkeep) {
        char *rp = runio_join(out, "REPORT.md");
        st = rp ? report_carry(&rep, rp, "clnscl repro", keep, out, &ncarried, &old_title)
                : clnscl_fail(CLNSCL_ENOMEM, "out of memory");
        free(rp);
        if (!st) report_sort_sections(&rep, FIGURES, NFIGURES);
    }
    double t_all = clnscl_now() - t0;
    char carried[128] = "";
    for (size_t i = 0; ncarried && i < nkeep; i++) {
        int any = 0;
        for (size_t r = 0; r < rep.n; r++) any |= !strcmp(rep.rows[r].section, keep[i]);
        if (any) snprintf(carried + strlen(carried), sizeof carried - strlen(carried), "%s%s", carried[0] ? ", " : "",
                          keep[i]);
    }
    if (!st) {
        double run_sum = 0;
        for (size_t j = 0; j < jl.n; j++) run_sum += jl.jobs[j].seconds;
        report_note(&rep, "\n## Settings and timing\n");
        report_note(&rep, "- command: `clnscl repro %s --scale %s --out %s` (configs: `%s/*.ini`, section [%s])", what,
                    scale, out, cdir, scale);
        report_note(&rep, "- %zu run%s (%zu reused from an earlier call), %ld at a time; wall time %.1f s for the runs, "
                          "%.1f s in total; %.1f s summed over runs",
                    jl.n, jl.n == 1 ? "" : "s", cached_before, jobs, t_runs, t_all, run_sum);
        if (ncarried)
            report_note(&rep, "- the %zu row%s of %s %s carried over unchanged from the REPORT.md an earlier call wrote "
                              "here (\"%s\"); this call did not redraw %s figures",
                        ncarried, ncarried == 1 ? "" : "s", carried, ncarried == 1 ? "is" : "are",
                        old_title ? old_title : "", strchr(carried, ',') ? "these" : "that");
        report_note(&rep, "- PASS/FAIL rule: an effect is called only when the difference of the seed means exceeds "
                          "the sum of their standard deviations (mean +- sd over seeds; 1 seed = no spread); a claim "
                          "the runs cannot test is \"not tested\" with the reason.");
        char *rp = runio_join(pc.dir, "REPORT.md");
        char title[256], intro[600];
        if (ncarried)
            snprintf(title, sizeof title, "clnscl repro %s (scale %s), with earlier rows of %s: verdicts on THEORY.md §7",
                     what, scale, carried);
        else
            snprintf(title, sizeof title, "clnscl repro %s (scale %s): verdicts on THEORY.md §7", what, scale);
        snprintf(intro, sizeof intro,
                 "CPU reproduction on Fashion-MNIST with MLP twins (not the paper's ResNet-50 on CIFAR/ImageNet "
                 "subsets): every row is one testable claim of THEORY.md §7 touched by a figure, measured on "
                 "our runs. A FAIL is a finding about this setting and scale, not hidden.");
        st = rp ? report_write(&rep, rp, title, intro) : clnscl_fail(CLNSCL_ENOMEM, "out of memory");
        free(rp);
    }
    /* the figures and REPORT.md appear together (REPORT.md last) */
    if (!st) st = plot_ctx_commit(&pc, "REPORT.md");
    int rc = 0;
    if (st) rc = cli_fail_status(st);
    else {
        plot_ctx_print_outputs(&pc);
        printf("%s/REPORT.md\n", out);
        fprintf(stderr, "clnscl repro: %zu claim row%s (%zu PASS, %zu FAIL, %zu not tested) in %s/REPORT.md; %.1f s\n",
                rep.n, rep.n == 1 ? "" : "s", report_count(&rep, 1), report_count(&rep, 0), report_count(&rep, -1), out,
                t_all);
        plot_ctx_note_missing(&pc);
    }
    if (have_pc) plot_ctx_free(&pc);
    report_free(&rep);
    free(old_title);
    for (size_t i = 0; i < nfig; i++) plan_free(&plans[i]);
    job_list_free(&jl);
    free(root);
    return rc;
}
