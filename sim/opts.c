/* sim/opts.c — options of the surrogate simulator: defaults, text setter, validation,
 * schedule, memory estimate (clnscl/sim.h). */
#include "clnscl/sim.h"
#include "tile.h"

#include "clnscl/io.h"
#include "clnscl/status.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void clnscl_sim_opts_default(clnscl_sim_opts *o)
{
    memset(o, 0, sizeof *o);
    o->classes = 10;
    o->per_class = 20;  /* N = 200 samples, 400 points: the §3.7 reference setting */
    o->batch = 32;
    o->tau = 0.5;
    o->eta = 1.0;
    o->steps = 200;
    o->seed = 1;
    o->form = CLNSCL_SIM_FORM_PAPER;
    o->anchors = CLNSCL_SIM_ANCHORS_VIEWS;
    o->init = CLNSCL_SIM_INIT_RANDOM;
    o->sampling = CLNSCL_SIM_SAMPLING_UNIFORM;
    o->dim = 16;
    o->mix_sample = 0.5;
    o->mix_view = 0.25;
    o->schedule = CLNSCL_SCHED_CONSTANT;
    o->scale = CLNSCL_SCALE_NONE;
    o->ref_batch = 256;
    o->steps_per_epoch = 0;
    o->warmup_epochs = 0;
    o->delta = 0.05;
    o->log_every = 0;
    o->repeat = 1;
    o->clip = 1;
    o->symmetrize = 0;
    o->scl = 1;
    o->strict = 0;
    o->max_memory_gb = 0.0;
    o->threads = 0;
}

static int parse_long(const char *key, const char *v, long *out)
{
    char *end;
    if (!v || !*v) return clnscl_fail(CLNSCL_EINVAL, "--%s needs an integer", key);
    errno = 0;
    long x = strtol(v, &end, 10);
    if (*end || errno == ERANGE) return clnscl_fail(CLNSCL_EINVAL, "--%s: '%s' is not an integer", key, v);
    *out = x;
    return CLNSCL_OK;
}

static int parse_double(const char *key, const char *v, double *out)
{
    char *end;
    if (!v || !*v) return clnscl_fail(CLNSCL_EINVAL, "--%s needs a number", key);
    errno = 0;
    double x = strtod(v, &end);
    if (*end || end == v || !isfinite(x) || errno == ERANGE)
        return clnscl_fail(CLNSCL_EINVAL, "--%s: '%s' is not a finite number", key, v);
    *out = x;
    return CLNSCL_OK;
}

static int parse_bool(const char *key, const char *v, int *out)
{
    if (!v || !*v || !strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes")) *out = 1;
    else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no")) *out = 0;
    else return clnscl_fail(CLNSCL_EINVAL, "--%s: '%s' is not a boolean (1|0|true|false)", key, v);
    return CLNSCL_OK;
}

static int parse_choice(const char *key, const char *v, const char *const *names, int n, int *out)
{
    for (int i = 0; i < n; i++)
        if (v && !strcmp(v, names[i])) {
            *out = i;
            return CLNSCL_OK;
        }
    char list[128] = "";
    for (int i = 0; i < n; i++) {
        strcat(list, names[i]);
        if (i + 1 < n) strcat(list, "|");
    }
    return clnscl_fail(CLNSCL_EINVAL, "--%s: unknown value '%s' (%s)", key, v ? v : "", list);
}

static const char *const form_names[] = {"paper", "code"};
static const char *const anchor_names[] = {"views", "samples"};
static const char *const init_names[] = {"random", "mixture", "file"};
static const char *const sampling_names[] = {"uniform", "stratified"};

int clnscl_sim_opts_set(clnscl_sim_opts *o, const char *key, const char *v)
{
    int st, c;
    if (!key) return clnscl_fail(CLNSCL_EINVAL, "null option name");
    if (!strcmp(key, "classes")) return parse_long(key, v, &o->classes);
    if (!strcmp(key, "per-class")) return parse_long(key, v, &o->per_class);
    if (!strcmp(key, "batch")) return parse_long(key, v, &o->batch);
    if (!strcmp(key, "tau")) return parse_double(key, v, &o->tau);
    if (!strcmp(key, "eta")) return parse_double(key, v, &o->eta);
    if (!strcmp(key, "steps")) return parse_long(key, v, &o->steps);
    if (!strcmp(key, "seed")) {
        long s;
        if ((st = parse_long(key, v, &s))) return st;
        if (s < 0) return clnscl_fail(CLNSCL_EINVAL, "--seed must be >= 0 (got %ld)", s);
        o->seed = (uint64_t)s;
        return CLNSCL_OK;
    }
    if (!strcmp(key, "form")) {
        if ((st = parse_choice(key, v, form_names, 2, &c))) return st;
        o->form = (clnscl_sim_form)c;
        return CLNSCL_OK;
    }
    if (!strcmp(key, "anchors")) {
        if ((st = parse_choice(key, v, anchor_names, 2, &c))) return st;
        o->anchors = (clnscl_sim_anchors)c;
        return CLNSCL_OK;
    }
    if (!strcmp(key, "init")) {
        if ((st = parse_choice(key, v, init_names, 3, &c))) return st;
        o->init = (clnscl_sim_init)c;
        return CLNSCL_OK;
    }
    if (!strcmp(key, "sampling")) {
        if ((st = parse_choice(key, v, sampling_names, 2, &c))) return st;
        o->sampling = (clnscl_sim_sampling)c;
        return CLNSCL_OK;
    }
    if (!strcmp(key, "init-embeddings") || !strcmp(key, "init-labels")) {
        char *dst = key[5] == 'e' ? o->init_embeddings : o->init_labels;
        if (!v || !*v) return clnscl_fail(CLNSCL_EINVAL, "--%s needs a file name", key);
        if (strlen(v) >= CLNSCL_SIM_PATH_MAX) return clnscl_fail(CLNSCL_EINVAL, "--%s: path too long", key);
        strcpy(dst, v);
        return CLNSCL_OK;
    }
    if (!strcmp(key, "dim")) return parse_long(key, v, &o->dim);
    if (!strcmp(key, "mix-sample")) return parse_double(key, v, &o->mix_sample);
    if (!strcmp(key, "mix-view")) return parse_double(key, v, &o->mix_view);
    if (!strcmp(key, "schedule")) {
        clnscl_sched_kind k;
        if (!v || (st = clnscl_schedule_parse_kind(v, &k)))
            return clnscl_fail(CLNSCL_EINVAL, "--schedule: unknown value '%s' (constant|cosine)", v ? v : "");
        if (strchr(v, ':'))
            return clnscl_fail(CLNSCL_EINVAL, "--schedule takes constant|cosine; use --warmup-epochs, "
                                              "--steps-per-epoch, --scale, --ref-batch for the details");
        o->schedule = k;
        return CLNSCL_OK;
    }
    if (!strcmp(key, "scale")) {
        if (!v || clnscl_schedule_parse_scale(v, &o->scale))
            return clnscl_fail(CLNSCL_EINVAL, "--scale: unknown value '%s' (none|constant|linear|sqrt|fourth)",
                               v ? v : "");
        return CLNSCL_OK;
    }
    if (!strcmp(key, "ref-batch")) return parse_long(key, v, &o->ref_batch);
    if (!strcmp(key, "steps-per-epoch")) return parse_long(key, v, &o->steps_per_epoch);
    if (!strcmp(key, "warmup-epochs")) return parse_long(key, v, &o->warmup_epochs);
    if (!strcmp(key, "delta")) return parse_double(key, v, &o->delta);
    if (!strcmp(key, "log-every")) return parse_long(key, v, &o->log_every);
    if (!strcmp(key, "repeat")) return parse_long(key, v, &o->repeat);
    if (!strcmp(key, "no-clip")) {
        int b;
        if ((st = parse_bool(key, v, &b))) return st;
        o->clip = !b;
        return CLNSCL_OK;
    }
    if (!strcmp(key, "symmetrize")) return parse_bool(key, v, &o->symmetrize);
    if (!strcmp(key, "no-scl")) {
        int b;
        if ((st = parse_bool(key, v, &b))) return st;
        o->scl = !b;
        return CLNSCL_OK;
    }
    if (!strcmp(key, "strict")) return parse_bool(key, v, &o->strict);
    if (!strcmp(key, "max-memory")) return parse_double(key, v, &o->max_memory_gb);
    if (!strcmp(key, "threads")) return parse_long(key, v, &o->threads);
    return clnscl_fail(CLNSCL_EINVAL, "unknown option '--%s' (see clnscl sim --help)", key);
}

void clnscl_sim_opts_schedule(const clnscl_sim_opts *o, long n_samples, clnscl_schedule *s)
{
    memset(s, 0, sizeof *s);
    s->kind = o->schedule;
    s->base = o->eta;
    s->scale = o->scale;
    s->batch = o->batch;
    s->ref_batch = o->ref_batch;
    s->steps = o->steps;
    s->steps_per_epoch = o->steps_per_epoch > 0 ? o->steps_per_epoch
                                                : (o->batch > 0 && n_samples >= o->batch ? n_samples / o->batch : 1);
    s->warmup_epochs = o->warmup_epochs;
    s->accounting = CLNSCL_ACCOUNT_STEPS;
}

int clnscl_sim_opts_check(const clnscl_sim_opts *o)
{
    if (!(o->tau > 0.0)) return clnscl_fail(CLNSCL_EINVAL, "--tau must be > 0 (got %g)", o->tau);
    /* e^{2/τ} must stay representable for the bounds' log space; τ below 1e-3 is meaningless here */
    if (o->tau < 1e-3) return clnscl_fail(CLNSCL_EINVAL, "--tau must be >= 0.001 (got %g)", o->tau);
    if (!(o->eta >= 0.0)) return clnscl_fail(CLNSCL_EINVAL, "--eta must be >= 0 (got %g)", o->eta);
    if (o->steps < 1) return clnscl_fail(CLNSCL_EINVAL, "--steps must be >= 1 (got %ld)", o->steps);
    if (o->batch < 2) return clnscl_fail(CLNSCL_EINVAL, "--batch must be >= 2 samples (got %ld)", o->batch);
    if (!(o->delta > 0.0 && o->delta < 1.0))
        return clnscl_fail(CLNSCL_EINVAL, "--delta must be in (0, 1) (got %g)", o->delta);
    if (o->log_every < 0) return clnscl_fail(CLNSCL_EINVAL, "--log-every must be >= 0 (got %ld)", o->log_every);
    if (o->repeat < 1) return clnscl_fail(CLNSCL_EINVAL, "--repeat must be >= 1 (got %ld)", o->repeat);
    if (o->repeat > 1000000) return clnscl_fail(CLNSCL_EINVAL, "--repeat must be <= 1000000 (got %ld)", o->repeat);
    if (o->threads < 0 || o->threads > 256)
        return clnscl_fail(CLNSCL_EINVAL, "--threads must be in [0, 256] (0 = automatic; got %ld)", o->threads);
    if (o->max_memory_gb < 0) return clnscl_fail(CLNSCL_EINVAL, "--max-memory must be >= 0 GB (got %g)", o->max_memory_gb);
    if (o->steps_per_epoch < 0)
        return clnscl_fail(CLNSCL_EINVAL, "--steps-per-epoch must be >= 0 (got %ld)", o->steps_per_epoch);
    if (!(o->mix_sample >= 0 && o->mix_view >= 0))
        return clnscl_fail(CLNSCL_EINVAL, "--mix-sample and --mix-view must be >= 0 (got %g, %g)", o->mix_sample,
                           o->mix_view);
    if (o->ref_batch < 1) return clnscl_fail(CLNSCL_EINVAL, "--ref-batch must be >= 1 (got %ld)", o->ref_batch);
    if (o->warmup_epochs < 0)
        return clnscl_fail(CLNSCL_EINVAL, "--warmup-epochs must be >= 0 (got %ld)", o->warmup_epochs);
    if (o->init == CLNSCL_SIM_INIT_FILE) {
        if (!o->init_embeddings[0] || !o->init_labels[0])
            return clnscl_fail(CLNSCL_EINVAL, "--init file needs --init-embeddings E.npy and --init-labels L.npy");
    } else {
        if (o->init_embeddings[0] || o->init_labels[0])
            return clnscl_fail(CLNSCL_EINVAL, "--init-embeddings/--init-labels need --init file");
        if (o->classes < 2) return clnscl_fail(CLNSCL_EINVAL, "--classes must be >= 2 (got %ld)", o->classes);
        if (o->per_class < 1) return clnscl_fail(CLNSCL_EINVAL, "--per-class must be >= 1 (got %ld)", o->per_class);
        if (o->classes > 100000000L / o->per_class)
            return clnscl_fail(CLNSCL_EINVAL, "--classes x --per-class is too large (%ld x %ld)", o->classes, o->per_class);
        long N = o->classes * o->per_class;
        if (o->batch > N)
            return clnscl_fail(CLNSCL_EINVAL, "--batch %ld exceeds the %ld samples (--classes x --per-class)", o->batch, N);
        if (o->dim < 1 || o->dim > 100000) return clnscl_fail(CLNSCL_EINVAL, "--dim must be in 1..100000 (got %ld)", o->dim);
        if (o->sampling == CLNSCL_SIM_SAMPLING_STRATIFIED) {
            long need = (o->batch + o->classes - 1) / o->classes;
            if (need > o->per_class)
                return clnscl_fail(CLNSCL_EINVAL, "stratified batches of %ld over %ld classes need %ld samples per class "
                                                  "(--per-class is %ld)", o->batch, o->classes, need, o->per_class);
        }
    }
    clnscl_schedule s;
    clnscl_sim_opts_schedule(o, o->init == CLNSCL_SIM_INIT_FILE ? o->batch : o->classes * o->per_class, &s);
    if (o->schedule == CLNSCL_SCHED_CONSTANT && s.steps_per_epoch < 1) s.steps_per_epoch = 1;
    if (clnscl_schedule_check(&s)) return CLNSCL_EINVAL;
    return CLNSCL_OK;
}

/* Reference-set size (samples) of the options; --init file reads the NPY header. */
static int sim_samples(const clnscl_sim_opts *o, long *N, long *d)
{
    if (o->init != CLNSCL_SIM_INIT_FILE) {
        *N = o->classes * o->per_class;
        *d = o->dim;
        return CLNSCL_OK;
    }
    clnscl_mat m = {0, 0, NULL};
    int st = clnscl_npy_read(o->init_embeddings, &m);
    if (st) return st;
    if (m.rows % 2 || m.rows < 6) { /* as the reader in sim/sim.c */
        const size_t rows = m.rows; /* clnscl_mat_free clears m */
        clnscl_mat_free(&m);
        return clnscl_fail(CLNSCL_ESHAPE, "%s: %zu rows; the point layout needs 2N rows (N >= 3 samples x 2 views)",
                           o->init_embeddings, rows);
    }
    *N = (long)(m.rows / 2);
    *d = (long)m.cols;
    clnscl_mat_free(&m);
    return CLNSCL_OK;
}

static double bytes_for(const clnscl_sim_opts *o, long N, long d)
{
    double P = 2.0 * (double)N;
    double slots = clnscl_sim_slots(o->scl ? 3 : 2);
    /* the runs' Σ (interleaved, slots an entry), two Σ in point order for the logged checks
     * (sim/sim.c), the embeddings while Σ_0 is built; metrics use O(P) */
    return (slots + 2.0) * P * P * 8.0 + P * (double)d * 8.0 + 64.0 * P * 8.0;
}

double clnscl_sim_memory_bytes(const clnscl_sim_opts *o)
{
    long N = 0, d = 0;
    if (sim_samples(o, &N, &d)) return NAN; /* --init file: unreadable embeddings */
    return bytes_for(o, N, d);
}

static double mem_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f)) {
            unsigned long long kb;
            if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
                fclose(f);
                return (double)kb * 1024.0;
            }
        }
        fclose(f);
    }
    long pages = sysconf(_SC_AVPHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    if (pages > 0 && psize > 0) return (double)pages * (double)psize;
    return 1e18;
}

int clnscl_sim_memory_check(const clnscl_sim_opts *o)
{
    long N = 0, d = 0;
    int st = sim_samples(o, &N, &d);
    if (st) return st;
    double need = bytes_for(o, N, d);
    double limit = o->max_memory_gb > 0 ? o->max_memory_gb * 1e9 : 0.9 * mem_available();
    if (need > limit || need > 1e18)
        return clnscl_fail(CLNSCL_ENOMEM,
                           "configuration needs %.3g GB (%d similarity matrices of %ld x %ld doubles) but the limit is "
                           "%.3g GB (%s); reduce --classes/--per-class%s",
                           need / 1e9, clnscl_sim_slots(o->scl ? 3 : 2) + 2, 2 * N, 2 * N, limit / 1e9,
                           o->max_memory_gb > 0 ? "--max-memory" : "90% of MemAvailable",
                           o->scl ? ", pass --no-scl" : "");
    return CLNSCL_OK;
}
