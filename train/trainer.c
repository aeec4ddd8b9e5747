/* train/trainer.c — twin training under shared randomness (THEORY.md §1, §5, §6).
 *
 * One initialisation is copied to every twin; one RNG stream (`shared`) draws the
 * batch order of every epoch and both augmented views of every image, and the very
 * same 2B-row pixel buffer is handed to every twin; each twin has its own optimizer
 * state and BatchNorm statistics, so only the loss differs (EDGE_CASES.md T1).
 * The optional null twin "cl2" trains CL from its own stream (`null`): its own
 * initialisation, batch order and augmentations.
 *
 * Measurements (epoch 0, --eval-steps, every epoch) on fixed un-augmented images:
 * encoder features h → CKA (linear, cosine) and RSA between CL and every other twin
 * (THEORY.md §6.4), weight gap (§5), each twin's loss on the reference set, NCC and
 * linear-probe accuracy; reference-set embeddings z (2 fixed views, point layout of
 * §3.2) saved as .npy after every epoch.
 */
#include "clnscl/train.h"
#include "clnscl/alloc.h"

#include "clnscl/data.h"
#include "clnscl/io.h"
#include "clnscl/loss.h"
#include "clnscl/metrics.h"
#include "clnscl/model.h"
#include "clnscl/optim.h"
#include "clnscl/rng.h"
#include "clnscl/schedule.h"
#include "clnscl/status.h"
#include "clnscl/progress.h"
#include "clnscl/twins.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

volatile sig_atomic_t clnscl_train_stop = 0;
long clnscl_train_stop_at_step = 0;

#define MAX_TWINS 5
#define MAX_EVAL_STEPS 256

/* ---- a growable text buffer (CSV contents live in memory and in checkpoints) ---- */

typedef struct {
    char *s;
    size_t len, cap;
} sbuf;

static int sbuf_printf(sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) return clnscl_fail(CLNSCL_EINTERNAL, "formatting failed");
        if (b->s && (size_t)n < room) {
            b->len += (size_t)n;
            return CLNSCL_OK;
        }
        size_t cap = b->cap ? 2 * b->cap : 4096;
        while (cap < b->len + (size_t)n + 1) cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
        b->s = s;
        b->cap = cap;
    }
}

static int sbuf_set(sbuf *b, const char *s, size_t len)
{
    b->len = 0;
    if (sbuf_printf(b, "%s", "")) return CLNSCL_ENOMEM;
    if (b->cap < len + 1) {
        char *p = realloc(b->s, len + 1);
        if (!p) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
        b->s = p;
        b->cap = len + 1;
    }
    memcpy(b->s, s, len);
    b->s[len] = '\0';
    b->len = len;
    return CLNSCL_OK;
}

/* ---- a byte buffer for the checkpoint payload ---------------------------------- */

typedef struct {
    unsigned char *p;
    size_t len, cap, pos; /* pos: read cursor */
    int bad;
} bbuf;

static void bb_put(bbuf *b, const void *src, size_t n)
{
    if (b->bad) return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap < b->len + n) cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p) {
            b->bad = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->len, src, n);
    b->len += n;
}
static void bb_u64(bbuf *b, uint64_t v) { bb_put(b, &v, 8); }
static void bb_get(bbuf *b, void *dst, size_t n)
{
    if (b->bad || n > b->len - b->pos) {
        b->bad = 1;
        return;
    }
    memcpy(dst, b->p + b->pos, n);
    b->pos += n;
}
static uint64_t bb_getu64(bbuf *b)
{
    uint64_t v = 0;
    bb_get(b, &v, 8);
    return v;
}

/* ---- trainer state ------------------------------------------------------------- */

/* A file this call writes, and its previous version (a hard link or a copy, renamed back if
 * the call fails; NULL if there was none). */
typedef struct {
    char *path, *backup;
    int keep; /* something that is not a regular file was there: never remove it */
} out_entry;

typedef struct {
    char name[8];
    clnscl_loss_kind kind;
    int shared; /* 1: fed by the shared stream; 0: the null twin */
    clnscl_model *m;
    clnscl_optim *opt;
    double loss_sum; /* running sum of this epoch's batch losses (progress only) */
    long loss_n;

    double *H, *Hp, *Z; /* evaluation features, probe features, reference z */
} twin;

typedef struct {
    clnscl_train_opts o;
    uint64_t hash;
    clnscl_loss_form form;
    clnscl_dataset train, eval, probe, ref;
    clnscl_augment_config aug;
    clnscl_probe_config pcfg;
    clnscl_schedule sched;
    size_t dim;
    long B, spe, total_steps;
    twin tw[MAX_TWINS];
    int nt;
    clnscl_pool *pool; /* the team that steps the twins (clnscl_twins_workers threads) */
    int has_null;
    clnscl_rng shared, null;
    size_t *perm, *perm_null;
    float *views, *views_null, *refx;
    int32_t *yb, *yb_null;
    long eval_steps[MAX_EVAL_STEPS];
    size_t n_eval_steps;
    /* position */
    long epoch, step_in_epoch, global_step;
    sbuf align, models;
    char path[CLNSCL_TRAIN_PATH + 64];
    /* what this call did to the output directory, undone if it fails (see out_finish) */
    out_entry *journal;
    size_t njournal, cap_journal;
    clnscl_made_dirs made; /* directories it created */
} trainer;

static const char *outpath(trainer *t, const char *fmt, ...)
{
    int n = snprintf(t->path, sizeof t->path, "%s/", t->o.out);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->path + n, sizeof t->path - (size_t)n, fmt, ap);
    va_end(ap);
    return t->path;
}

/* ---- the output directory as a transaction --------------------------------------
 * A failed call leaves the directory as it was before the call: files it created are
 * removed, files it replaced are restored (a failed --resume keeps the earlier checkpoint and
 * outputs), and directories it created are removed. A successful or interrupted call keeps
 * everything it wrote. */

static int copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb");
    if (!a) return -1;
    FILE *b = fopen(to, "wb");
    if (!b) {
        fclose(a);
        return -1;
    }
    char buf[1 << 16];
    size_t n;
    int bad = 0;
    while ((n = fread(buf, 1, sizeof buf, a)) > 0)
        if (fwrite(buf, 1, n, b) != n) bad = 1;
    if (ferror(a)) bad = 1;
    fclose(a);
    if (fclose(b) != 0) bad = 1;
    if (bad) unlink(to);
    return bad ? -1 : 0;
}

/* Called before the first write of `path` by this call: records it and keeps its old version. */
static int out_journal(trainer *t, const char *path)
{
    for (size_t i = 0; i < t->njournal; i++)
        if (!strcmp(t->journal[i].path, path)) return CLNSCL_OK;
    int st = clnscl_grow(&t->journal, &t->cap_journal, t->njournal + 1, sizeof *t->journal, 32);
    if (st) return st;
    out_entry e = {strdup(path), NULL, 0};
    if (!e.path) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    struct stat sb;
    if (lstat(path, &sb) == 0) {
        if (S_ISREG(sb.st_mode) || S_ISLNK(sb.st_mode)) { /* link() keeps a symbolic link itself */
            size_t len = strlen(path) + 32;
            e.backup = malloc(len);
            if (!e.backup) {
                free(e.path);
                return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
            }
            snprintf(e.backup, len, "%s.prev-%ld", path, (long)getpid());
            unlink(e.backup); /* a leftover of a killed process with this id */
            if (link(path, e.backup) != 0 && copy_file(path, e.backup) != 0) {
                int err = errno;
                free(e.path);
                free(e.backup);
                return clnscl_fail(CLNSCL_EIO, "cannot keep a copy of %s before rewriting it: %s", path,
                                   strerror(err));
            }
        } else
            e.keep = 1; /* the writer will refuse it */
    }
    t->journal[t->njournal++] = e;
    return CLNSCL_OK;
}

/* mkdir -p dir, remembering the directories it created */
static int out_mkdir(trainer *t, const char *dir) { return clnscl_mkdir_p_record(dir, &t->made); }

/* keep (ok) or undo (failure) what this call did to the output directory */
static void out_finish(trainer *t, int ok)
{
    for (size_t i = t->njournal; i-- > 0;) {
        out_entry *e = &t->journal[i];
        if (ok) {
            if (e->backup) unlink(e->backup);
        } else if (e->backup)
            rename(e->backup, e->path);
        else if (!e->keep)
            unlink(e->path);
        free(e->path);
        free(e->backup);
    }
    free(t->journal);
    t->journal = NULL;
    t->njournal = t->cap_journal = 0;
    clnscl_made_dirs_release(&t->made, !ok); /* empty now, unless someone else put files there */
}

static void trainer_free(trainer *t)
{
    clnscl_pool_free(t->pool);
    t->pool = NULL;
    for (int i = 0; i < t->nt; i++) {
        clnscl_model_free(t->tw[i].m);
        clnscl_optim_free(t->tw[i].opt);
        free(t->tw[i].H);
        free(t->tw[i].Hp);
        free(t->tw[i].Z);
    }
    clnscl_dataset_free(&t->train);
    clnscl_dataset_free(&t->eval);
    clnscl_dataset_free(&t->probe);
    clnscl_dataset_free(&t->ref);
    free(t->perm);
    free(t->perm_null);
    free(t->views);
    free(t->views_null);
    free(t->refx);
    free(t->yb);
    free(t->yb_null);
    free(t->align.s);
    free(t->models.s);
}

static void *xcalloc(size_t n, size_t size, int *st)
{
    if (*st) return NULL;
    void *p = n && size ? calloc(n, size) : NULL;
    if (n && size && !p) *st = clnscl_fail(CLNSCL_ENOMEM, "out of memory (%zu x %zu bytes)", n, size);
    return p;
}

/* Fixed derived streams: data subsets and the reference views must not depend on
 * anything but the seed, and must not consume the shared training stream. */
static clnscl_rng derived_rng(long seed, uint64_t salt)
{
    clnscl_rng r;
    clnscl_rng_seed(&r, (uint64_t)seed ^ salt);
    return r;
}

static int load_split(trainer *t, clnscl_split split, long limit, uint64_t salt, clnscl_dataset *d)
{
    int st = clnscl_data_load(t->o.data, split, d);
    if (st) return st;
    if (t->o.classes[0]) {
        int *cls = NULL, k = 0;
        st = clnscl_data_parse_classes(t->o.classes, &cls, &k);
        if (!st) st = clnscl_data_select_classes(d, cls, k);
        free(cls);
        if (st) return st;
    }
    if (limit > 0) {
        clnscl_rng r = derived_rng(t->o.seed, salt);
        st = clnscl_data_balanced_subset(d, (size_t)limit, &r);
    }
    return st;
}

/* copy of d reduced to a class-balanced subset of `limit` images */
static int balanced_copy(const clnscl_dataset *d, long limit, uint64_t salt, long seed, clnscl_dataset *out)
{
    size_t *idx = malloc(d->n * sizeof *idx);
    if (!idx) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    for (size_t i = 0; i < d->n; i++) idx[i] = i;
    int st = clnscl_dataset_gather(d, idx, d->n, out);
    free(idx);
    if (st) return st;
    clnscl_rng r = derived_rng(seed, salt);
    return clnscl_data_balanced_subset(out, (size_t)limit, &r);
}

/* The training and test images must have one geometry, and one the model and the
 * augmentations take (the shapes are fixed from the training split). */
static int check_geometry(const trainer *t)
{
    const clnscl_dataset *a = &t->train, *b = &t->eval;
    if (a->channels != b->channels || a->height != b->height || a->width != b->width)
        return clnscl_fail(CLNSCL_ESHAPE,
                           "%s: training images are %d×%d×%d (channels×rows×columns) but test images are %d×%d×%d; "
                           "both splits must have the same image size",
                           t->o.data, a->channels, a->height, a->width, b->channels, b->height, b->width);
    if (a->channels != 1 && a->channels != 3)
        return clnscl_fail(CLNSCL_EINVAL, "%s: images with %d channels are not supported (1 or 3)", t->o.data,
                           a->channels);
    if (a->height < 1 || a->width < 1 || a->height > CLNSCL_AUGMENT_MAX_SIDE || a->width > CLNSCL_AUGMENT_MAX_SIDE)
        return clnscl_fail(CLNSCL_EINVAL, "%s: images of %d×%d pixels are not supported (each side 1..%d)", t->o.data,
                           a->height, a->width, CLNSCL_AUGMENT_MAX_SIDE);
    return CLNSCL_OK;
}

/* A CNN's every stage halves the image (MaxPool 2×2): 2^stages pixels a side at least. The
 * stages are the model configuration's own (its default or --widths). */
static int check_cnn_size(const trainer *t, const clnscl_model_config *mc)
{
    if (mc->encoder != CLNSCL_ENC_CNN) return CLNSCL_OK;
    long need = 1L << mc->n_enc;
    if (mc->in_h < need || mc->in_w < need)
        return clnscl_fail(CLNSCL_EINVAL,
                           "%s: images of %d×%d pixels are too small for --model cnn with %d stages (its 2×2 "
                           "poolings need at least %ld×%ld)",
                           t->o.data, mc->in_h, mc->in_w, mc->n_enc, need, need);
    return CLNSCL_OK;
}

/* The memory the run will use, against the machine's: an oversized model is refused before
 * anything big is allocated, instead of failing half way or being killed by the kernel. */
static int check_memory(const trainer *t, const clnscl_model_config *mc)
{
    size_t nparams, nstats, bytes;
    int feat_dim;
    int st = clnscl_model_footprint(mc, &nparams, &nstats, &feat_dim, &bytes);
    if (st) return st;
    int nt = 1 + (t->o.null_twin != 0); /* cl, cl2, and every other loss listed */
    for (const char *p = t->o.losses;;) {
        size_t len = strcspn(p, ",");
        nt += !(len == 2 && !strncmp(p, "cl", 2));
        if (!p[len]) break;
        p += len + 1;
    }
    double per_twin = (double)bytes + 4.0 * (double)nparams /* + momentum */
                      + 8.0 * ((double)(t->eval.n + t->probe.n) * feat_dim + 2.0 * (double)t->ref.n * mc->proj_dim);
    double ckpt = 4.0 * (2.0 * (double)nparams + (double)nstats); /* its share of a checkpoint */
    double data = 4.0 * (double)(t->train.n + t->eval.n + t->probe.n + 3 * t->ref.n) * (double)t->dim;
    double need = nt * (per_twin + ckpt) + data;
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || psize <= 0) return CLNSCL_OK;
    double have = (double)pages * (double)psize;
    if (need > 0.9 * have)
        return clnscl_fail(CLNSCL_ENOMEM,
                           "the run needs about %.1f GB (%d twins of %zu parameters) but this machine has %.1f GB: "
                           "reduce --widths, --proj-hidden, --batch or the twins",
                           need / 1e9, nt, nparams, have / 1e9);
    return CLNSCL_OK;
}

static void augment_from_opts(const clnscl_train_opts *o, clnscl_augment_config *a)
{
    if (!o->augment) {
        clnscl_augment_identity(a);
        return;
    }
    clnscl_augment_defaults(a);
    a->crop_prob = o->crop_scale < 1 ? 1.0 : 0.0;
    a->crop_scale_min = o->crop_scale;
    a->flip_prob = o->flip;
    a->brightness = a->contrast = o->jitter;
    a->saturation = o->color_jitter;
    a->hue = o->color_jitter / 4; /* SimCLR's (0.4, 0.1) ratio */
    if (o->jitter == 0 && o->color_jitter == 0) a->jitter_prob = 0;
    a->grayscale_prob = o->grayscale;
    a->noise_std = o->noise;
    if (o->noise == 0) a->noise_prob = 0;
}

static int twin_add(trainer *t, const char *name, clnscl_loss_kind kind, int shared,
                    const clnscl_model_config *mc, const clnscl_optim_config *oc)
{
    twin *w = &t->tw[t->nt++];
    memset(w, 0, sizeof *w);
    snprintf(w->name, sizeof w->name, "%s", name);
    w->kind = kind;
    w->shared = shared;
    int st = clnscl_model_alloc(&w->m, mc);
    if (!st) st = clnscl_optim_alloc(&w->opt, oc, w->m->nparams, w->m->tensors, w->m->ntensors);
    return st;
}

static int trainer_setup(trainer *t, const clnscl_train_opts *opts)
{
    int st;
    t->o = *opts;
    if ((st = clnscl_train_opts_check(&t->o))) return st;
    if ((st = clnscl_loss_parse_form(t->o.form, &t->form))) return st;
    if ((st = clnscl_parse_long_list(t->o.eval_steps, t->eval_steps, MAX_EVAL_STEPS, &t->n_eval_steps, 1)))
        return st;

    /* data: training split (balanced limit), evaluation = test split, probe-fit
     * images = a balanced subset of the training images, reference set = a
     * balanced subset of the evaluation images */
    if ((st = load_split(t, CLNSCL_SPLIT_TRAIN, t->o.train_limit, 0x7472616e6c696d31ull, &t->train))) return st;
    if ((st = load_split(t, CLNSCL_SPLIT_TEST, t->o.eval_limit, 0x6576616c6c696d32ull, &t->eval))) return st;
    if ((st = balanced_copy(&t->train, t->o.probe_limit, 0x70726f62656c6d33ull, t->o.seed, &t->probe))) return st;
    if ((st = balanced_copy(&t->eval, t->o.ref_size, 0x7265667365746d34ull, t->o.seed, &t->ref))) return st;
    if (t->eval.n < 4) return clnscl_fail(CLNSCL_EINVAL, "evaluation set has only %zu images", t->eval.n);
    if ((st = check_geometry(t))) return st;
    t->dim = clnscl_dataset_dim(&t->train);
    t->B = t->o.batch;
    t->spe = (long)(t->train.n / (size_t)t->B);
    if (t->spe < 1)
        return clnscl_fail(CLNSCL_EINVAL, "--batch %ld is larger than the training set (%zu images)", t->B, t->train.n);
    t->o.steps_per_epoch = t->spe;
    t->total_steps = t->spe * t->o.epochs;
    /* an explicit evaluation step must happen (the default 10,50 is only cut to the run) */
    if (strcmp(t->o.eval_steps, CLNSCL_TRAIN_EVAL_STEPS))
        for (size_t i = 0; i < t->n_eval_steps; i++)
            if (t->eval_steps[i] > t->total_steps)
                return clnscl_fail(CLNSCL_EINVAL,
                                   "--eval-steps: step %ld is beyond the end of the run (%ld steps, %ld per epoch)",
                                   t->eval_steps[i], t->total_steps, t->spe);
    t->hash = clnscl_train_opts_hash(&t->o);

    augment_from_opts(&t->o, &t->aug);
    if ((st = clnscl_augment_validate(&t->aug))) return st;
    clnscl_probe_defaults(&t->pcfg);

    /* schedule (THEORY.md §6.3: warm-up + cosine stepped once per epoch) */
    memset(&t->sched, 0, sizeof t->sched);
    if ((st = clnscl_schedule_parse_kind(t->o.schedule, &t->sched.kind))) return st;
    if ((st = clnscl_schedule_parse_scale(t->o.lr_scale, &t->sched.scale))) return st;
    t->sched.base = t->o.lr;
    t->sched.batch = t->B;
    t->sched.ref_batch = t->o.ref_batch;
    t->sched.steps = t->total_steps;
    t->sched.steps_per_epoch = t->spe;
    t->sched.warmup_epochs = t->o.warmup;
    if ((st = clnscl_schedule_check(&t->sched))) return st;

    /* model: one configuration for every twin (the CE head exists in every twin so
     * the parameter vectors are comparable; only the CE twin trains it) */
    clnscl_encoder_kind ek;
    if ((st = clnscl_model_parse_encoder(t->o.model, &ek))) return st;
    clnscl_model_config mc = clnscl_model_config_default(ek, t->train.channels, t->train.height, t->train.width);
    if (t->o.widths[0] && (st = clnscl_model_parse_widths(t->o.widths, mc.enc, &mc.n_enc))) return st;
    if (t->o.proj_hidden) mc.proj_hidden = (int)t->o.proj_hidden;
    if (t->o.proj_dim) mc.proj_dim = (int)t->o.proj_dim;
    mc.n_classes = t->train.num_classes;
    long rows = 2 * t->B;
    if (rows < 2 * (long)t->ref.n) rows = 2 * (long)t->ref.n;
    if (rows < 512) rows = 512;
    mc.max_batch = (int)rows;

    clnscl_optim_config oc = clnscl_optim_config_default();
    if ((st = clnscl_optim_parse_kind(t->o.optimizer, &oc.kind))) return st;
    oc.momentum = t->o.momentum;
    oc.weight_decay = t->o.weight_decay;
    oc.trust = t->o.trust;
    oc.clip = t->o.clip;

    /* twins: CL first (the reference), then the other losses in the given order */
    if ((st = check_cnn_size(t, &mc))) return st;
    if ((st = check_memory(t, &mc))) return st; /* before anything big is allocated */
    if ((st = twin_add(t, "cl", CLNSCL_LOSS_CL, 1, &mc, &oc))) return st;
    {
        char buf[sizeof t->o.losses];
        strcpy(buf, t->o.losses);
        char *save = NULL;
        for (char *k = strtok_r(buf, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
            clnscl_loss_kind kind;
            if ((st = clnscl_loss_parse_kind(k, &kind))) return st;
            if (kind == CLNSCL_LOSS_CL) continue;
            if ((st = twin_add(t, k, kind, 1, &mc, &oc))) return st;
        }
    }
    if (t->o.null_twin) {
        if ((st = twin_add(t, "cl2", CLNSCL_LOSS_CL, 0, &mc, &oc))) return st;
        t->has_null = 1;
    }

    /* shared randomness: one stream; the initialisation is drawn once (from a
     * split of it) and copied into every shared twin */
    clnscl_rng_seed(&t->shared, (uint64_t)t->o.seed);
    clnscl_rng init = clnscl_rng_split(&t->shared);
    clnscl_model_init(t->tw[0].m, &init);
    for (int i = 1; i < t->nt; i++)
        if (t->tw[i].shared && (st = clnscl_model_copy(t->tw[i].m, t->tw[0].m))) return st;
    if (t->has_null) {
        /* the null control: its own seed for everything */
        t->null = derived_rng(t->o.seed, 0x6e756c6c74776e35ull);
        clnscl_rng ninit = clnscl_rng_split(&t->null);
        clnscl_model_init(t->tw[t->nt - 1].m, &ninit);
    }

    if (!(t->pool = clnscl_pool_new(clnscl_twins_workers(t->nt))))
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory (thread team)");

    st = CLNSCL_OK;
    size_t ntr = t->train.n, B = (size_t)t->B;
    t->perm = xcalloc(ntr, sizeof *t->perm, &st);
    t->views = xcalloc(2 * B * t->dim, sizeof *t->views, &st);
    t->yb = xcalloc(B, sizeof *t->yb, &st);
    if (t->has_null) {
        t->perm_null = xcalloc(ntr, sizeof *t->perm_null, &st);
        t->views_null = xcalloc(2 * B * t->dim, sizeof *t->views_null, &st);
        t->yb_null = xcalloc(B, sizeof *t->yb_null, &st);
    }
    t->refx = xcalloc(2 * t->ref.n * t->dim, sizeof *t->refx, &st);
    for (int i = 0; i < t->nt && !st; i++) {
        twin *w = &t->tw[i];
        w->H = xcalloc(t->eval.n * (size_t)w->m->feat_dim, sizeof *w->H, &st);
        w->Hp = xcalloc(t->probe.n * (size_t)w->m->feat_dim, sizeof *w->Hp, &st);
        w->Z = xcalloc(2 * t->ref.n * (size_t)w->m->cfg.proj_dim, sizeof *w->Z, &st);
    }
    if (st) return st;

    /* the reference set's two fixed views (augmented with a fixed derived stream),
     * rows 0..N−1 view 1 and N..2N−1 view 2 (THEORY.md §3.2 point layout) */
    {
        size_t N = t->ref.n;
        size_t *idx = xcalloc(N, sizeof *idx, &st);
        if (st) return st;
        for (size_t i = 0; i < N; i++) idx[i] = i;
        clnscl_rng r = derived_rng(t->o.seed, 0x7265667669657736ull);
        st = clnscl_augment_views(&t->aug, &t->ref, idx, N, t->refx, t->refx + N * t->dim, &r);
        free(idx);
        if (st) return st;
    }
    if (sbuf_printf(&t->align, "epoch,step,other,cka,cka_cosine,rsa,weight_gap,weight_gap_all\n") ||
        sbuf_printf(&t->models, "epoch,step,model,loss,ncc_acc,probe_acc\n"))
        return CLNSCL_ENOMEM;
    return CLNSCL_OK;
}

/* ---- measurement --------------------------------------------------------------- */

/* a metric value or an empty field when undefined (never NaN in the CSV) */
static int put_value(sbuf *b, int status, double v)
{
    char num[40];
    if (status == CLNSCL_OK && isfinite(v) && clnscl_fmt_double(num, sizeof num, v) > 0)
        return sbuf_printf(b, ",%s", num);
    return sbuf_printf(b, ",");
}

static int evaluate(trainer *t, int save_ref)
{
    int st;
    size_t N = t->ref.n;
    int C = t->train.num_classes;
    for (int i = 0; i < t->nt; i++) {
        twin *w = &t->tw[i];
        clnscl_model *m = w->m;
        if ((st = clnscl_model_embed(m, t->eval.x, t->eval.n, w->H, NULL))) return st;
        if ((st = clnscl_model_embed(m, t->probe.x, t->probe.n, w->Hp, NULL))) return st;
        if ((st = clnscl_model_embed(m, t->refx, 2 * N, NULL, w->Z))) return st;
        /* the twin's own loss on the reference set's two fixed views (eval mode) */
        double loss = NAN;
        int lst = clnscl_model_forward_eval(m, t->refx, (int)(2 * N));
        if (!lst) {
            if (w->kind == CLNSCL_LOSS_CE)
                lst = clnscl_loss_ce_f(m->logits, N, (size_t)C, t->ref.y, &loss, NULL);
            else
                lst = clnscl_loss_contrastive_f(w->kind, t->form, t->o.tau, m->p, N, (size_t)m->cfg.proj_dim,
                                                t->ref.y, &loss, NULL);
        }
        double ncc = NAN, probe = NAN;
        size_t fd = (size_t)m->feat_dim;
        int nst = clnscl_probe_ncc(w->Hp, t->probe.y, t->probe.n, w->H, t->eval.y, t->eval.n, fd, C, &ncc);
        int pst = clnscl_probe_linear(&t->pcfg, w->Hp, t->probe.y, t->probe.n, w->H, t->eval.y, t->eval.n, fd, C,
                                      &probe, NULL, NULL, NULL);
        if ((st = sbuf_printf(&t->models, "%ld,%ld,%s", t->epoch, t->global_step, w->name))) return st;
        if ((st = put_value(&t->models, lst, loss)) || (st = put_value(&t->models, nst, ncc)) ||
            (st = put_value(&t->models, pst, probe)) || (st = sbuf_printf(&t->models, "\n")))
            return st;
        if (save_ref) {
            char name[64];
            snprintf(name, sizeof name, "reference/%s_epoch%04ld.npy", w->name, t->epoch);
            const char *p = outpath(t, "%s", name);
            if ((st = out_journal(t, p)) || (st = clnscl_npy_write_f64(p, w->Z, 2 * N, (size_t)m->cfg.proj_dim)))
                return st;
        }
    }
    /* alignment of CL (twin 0) with every other twin (THEORY.md §6.4, §5) */
    twin *cl = &t->tw[0];
    size_t n = t->eval.n, d0 = (size_t)cl->m->feat_dim;
    for (int i = 1; i < t->nt; i++) {
        twin *w = &t->tw[i];
        size_t d1 = (size_t)w->m->feat_dim;
        double cka = NAN, ckc = NAN, rsa = NAN, gap = NAN, gap_all = NAN;
        int s1, s2, s3;
        if (d0 == d1 && !memcmp(cl->H, w->H, n * d0 * sizeof(double))) {
            /* identical features (the shared initialisation, EDGE_CASES.md T1): every
             * metric is A·A/(‖A‖‖A‖) = 1 exactly; computing it would only add rounding */
            cka = ckc = rsa = 1.0;
            s1 = s2 = s3 = CLNSCL_OK;
        } else {
            s1 = clnscl_cka_linear(cl->H, n, d0, w->H, d1, &cka);
            s2 = clnscl_cka_cosine(cl->H, n, d0, w->H, d1, &ckc);
            s3 = clnscl_rsa_pearson(cl->H, n, d0, w->H, d1, &rsa);
        }
        int s4 = clnscl_model_weight_gap(cl->m, w->m, &gap, &gap_all);
        if ((st = sbuf_printf(&t->align, "%ld,%ld,%s", t->epoch, t->global_step, w->name))) return st;
        if ((st = put_value(&t->align, s1, cka)) || (st = put_value(&t->align, s2, ckc)) ||
            (st = put_value(&t->align, s3, rsa)) || (st = put_value(&t->align, s4, gap)) ||
            (st = put_value(&t->align, s4, gap_all)) || (st = sbuf_printf(&t->align, "\n")))
            return st;
    }
    const char *p = outpath(t, "alignment.csv");
    if ((st = out_journal(t, p)) || (st = clnscl_write_file_atomic(p, t->align.s, t->align.len))) return st;
    p = outpath(t, "models.csv");
    if ((st = out_journal(t, p))) return st;
    return clnscl_write_file_atomic(p, t->models.s, t->models.len);
}

/* ---- checkpoint payload ----------------------------------------------------------- */

static int save_checkpoint(trainer *t)
{
    bbuf b = {0};
    bb_u64(&b, (uint64_t)t->epoch);
    bb_u64(&b, (uint64_t)t->step_in_epoch);
    bb_u64(&b, (uint64_t)t->global_step);
    bb_u64(&b, (uint64_t)t->train.n);
    bb_u64(&b, (uint64_t)t->nt);
    bb_put(&b, &t->shared, sizeof t->shared);
    bb_put(&b, &t->null, sizeof t->null);
    for (size_t i = 0; i < t->train.n; i++) bb_u64(&b, (uint64_t)t->perm[i]);
    if (t->has_null)
        for (size_t i = 0; i < t->train.n; i++) bb_u64(&b, (uint64_t)t->perm_null[i]);
    for (int i = 0; i < t->nt; i++) {
        clnscl_model *m = t->tw[i].m;
        bb_u64(&b, (uint64_t)m->nparams);
        bb_u64(&b, (uint64_t)m->nstats);
        bb_put(&b, m->params, m->nparams * sizeof(float));
        bb_put(&b, m->bn_stats, m->nstats * sizeof(float));
        bb_put(&b, t->tw[i].opt->m, m->nparams * sizeof(float));
    }
    bb_u64(&b, (uint64_t)t->align.len);
    bb_put(&b, t->align.s, t->align.len);
    bb_u64(&b, (uint64_t)t->models.len);
    bb_put(&b, t->models.s, t->models.len);
    if (b.bad) {
        free(b.p);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory writing the checkpoint");
    }
    const char *p = outpath(t, "checkpoint.bin");
    int st = out_journal(t, p);
    if (!st) st = clnscl_ckpt_write(p, t->hash, b.p, b.len);
    free(b.p);
    return st;
}

static int load_checkpoint(trainer *t)
{
    void *payload;
    size_t len;
    const char *path = outpath(t, "checkpoint.bin");
    int st = clnscl_ckpt_read(path, t->hash, &payload, &len);
    if (st) return st;
    bbuf b = {.p = payload, .len = len};
    t->epoch = (long)bb_getu64(&b);
    t->step_in_epoch = (long)bb_getu64(&b);
    t->global_step = (long)bb_getu64(&b);
    uint64_t ntr = bb_getu64(&b), nt = bb_getu64(&b);
    if (b.bad || ntr != t->train.n || nt != (uint64_t)t->nt || t->epoch > t->o.epochs ||
        t->step_in_epoch >= t->spe || t->global_step != t->epoch * t->spe + t->step_in_epoch) {
        free(payload);
        return clnscl_fail(CLNSCL_EFORMAT, "checkpoint '%s' does not match this run (data or twins differ)", t->path);
    }
    bb_get(&b, &t->shared, sizeof t->shared);
    bb_get(&b, &t->null, sizeof t->null);
    for (size_t i = 0; i < t->train.n; i++) t->perm[i] = (size_t)bb_getu64(&b);
    if (t->has_null)
        for (size_t i = 0; i < t->train.n; i++) t->perm_null[i] = (size_t)bb_getu64(&b);
    for (int i = 0; i < t->nt && !b.bad; i++) {
        clnscl_model *m = t->tw[i].m;
        if (bb_getu64(&b) != m->nparams || bb_getu64(&b) != m->nstats) b.bad = 1;
        bb_get(&b, m->params, m->nparams * sizeof(float));
        bb_get(&b, m->bn_stats, m->nstats * sizeof(float));
        bb_get(&b, t->tw[i].opt->m, m->nparams * sizeof(float));
    }
    for (int k = 0; k < 2 && !b.bad; k++) {
        sbuf *s = k ? &t->models : &t->align;
        uint64_t n = bb_getu64(&b);
        if (b.bad || n > b.len - b.pos) {
            b.bad = 1;
            break;
        }
        if (sbuf_set(s, (const char *)b.p + b.pos, (size_t)n)) {
            free(payload);
            return CLNSCL_ENOMEM;
        }
        b.pos += n;
    }
    if (!b.bad && b.pos != b.len) b.bad = 1;
    for (size_t i = 0; i < t->train.n && !b.bad; i++)
        if (t->perm[i] >= t->train.n || (t->has_null && t->perm_null[i] >= t->train.n)) b.bad = 1;
    free(payload);
    if (b.bad) return clnscl_fail(CLNSCL_EFORMAT, "checkpoint '%s' does not match this run (sizes differ)", t->path);
    return CLNSCL_OK;
}

/* ---- the loop -------------------------------------------------------------------- */

static void start_epoch(size_t *perm, size_t n, clnscl_rng *r)
{
    for (size_t i = 0; i < n; i++) perm[i] = i;
    clnscl_rng_shuffle(r, perm, n);
}

static int train_step(trainer *t)
{
    int st;
    size_t B = (size_t)t->B, off = (size_t)t->step_in_epoch * B;
    double lr = clnscl_schedule_eta(&t->sched, t->global_step);
    /* one draw of both views for every shared twin (THEORY.md §1) */
    if ((st = clnscl_augment_views(&t->aug, &t->train, t->perm + off, B, t->views, t->views + B * t->dim,
                                   &t->shared)))
        return st;
    for (size_t b = 0; b < B; b++) t->yb[b] = t->train.y[t->perm[off + b]];
    if (t->has_null) {
        if ((st = clnscl_augment_views(&t->aug, &t->train, t->perm_null + off, B, t->views_null,
                                       t->views_null + B * t->dim, &t->null)))
            return st;
        for (size_t b = 0; b < B; b++) t->yb_null[b] = t->train.y[t->perm_null[off + b]];
    }
    clnscl_twin_job jobs[MAX_TWINS];
    for (int i = 0; i < t->nt; i++) {
        const twin *w = &t->tw[i];
        jobs[i] = (clnscl_twin_job){ .m = w->m, .opt = w->opt, .x = w->shared ? t->views : t->views_null,
                                     .labels = w->shared ? t->yb : t->yb_null, .kind = w->kind };
    }
    clnscl_twins_step(jobs, t->nt, (int)B, t->form, t->o.tau, lr, t->pool);
    for (int i = 0; i < t->nt; i++) {
        twin *w = &t->tw[i];
        if (jobs[i].status == CLNSCL_ENONFINITE) /* NaN/Inf weights or activations: diverged */
            return clnscl_fail(CLNSCL_ENONFINITE,
                               "twin %s diverged at epoch %ld, step %ld (%s): lower --lr or --weight-decay", w->name,
                               t->epoch + 1, t->global_step + 1, jobs[i].error);
        if (jobs[i].status)
            return clnscl_fail(jobs[i].status, "twin %s, epoch %ld, step %ld: %s", w->name, t->epoch + 1,
                               t->global_step + 1, jobs[i].error);
        if (!isfinite(jobs[i].loss))
            return clnscl_fail(CLNSCL_ENONFINITE, "twin %s diverged at step %ld (loss not finite): lower --lr or --weight-decay",
                               w->name, t->global_step + 1);
        w->loss_sum += jobs[i].loss;
        w->loss_n++;
    }
    t->step_in_epoch++;
    t->global_step++;
    return CLNSCL_OK;
}

static int is_eval_step(const trainer *t, long step)
{
    if (step % t->spe == 0) return 0; /* the epoch evaluation covers it */
    for (size_t i = 0; i < t->n_eval_steps; i++)
        if (t->eval_steps[i] == step) return 1;
    return 0;
}

static void on_signal(int sig)
{
    (void)sig;
    clnscl_train_stop = 1;
}

static int run(trainer *t, clnscl_train_progress_fn fn, void *user)
{
    int st;
    if (t->o.resume && (st = load_checkpoint(t))) return st; /* before creating anything */
    if ((st = out_mkdir(t, t->o.out))) return st;
    if ((st = out_mkdir(t, outpath(t, "reference")))) return st;
    char *json = NULL;
    clnscl_train_opts conf = t->o;
    conf.resume = 0; /* config.json describes the experiment: rerunning it starts afresh */
    if ((st = clnscl_train_opts_to_json(&conf, &json))) return st;
    size_t jl = strlen(json);
    json[jl] = '\n'; /* cJSON_Print has no final newline; the terminator is not written */
    const char *p = outpath(t, "config.json");
    st = out_journal(t, p);
    if (!st) st = clnscl_write_file_atomic(p, json, jl + 1);
    free(json);
    if (st) return st;
    if (!t->o.resume) {
        p = outpath(t, "reference/labels.npy");
        if ((st = out_journal(t, p)) || (st = clnscl_npy_write_i32(p, t->ref.y, t->ref.n))) return st;
        t->epoch = t->step_in_epoch = t->global_step = 0;
        if ((st = evaluate(t, 1))) return st; /* epoch 0: the shared initialisation */
    }
    double t0 = clnscl_now();
    long steps_done = 0;
    clnscl_train_progress pr = {0};
    pr.epochs = t->o.epochs;
    pr.steps = t->total_steps;
    pr.ntwins = t->nt;
    for (int i = 0; i < t->nt; i++) pr.names[i] = t->tw[i].name;

    while (t->epoch < t->o.epochs) {
        if (t->step_in_epoch == 0) {
            start_epoch(t->perm, t->train.n, &t->shared);
            if (t->has_null) start_epoch(t->perm_null, t->train.n, &t->null);
        }
        for (int i = 0; i < t->nt; i++) t->tw[i].loss_sum = 0, t->tw[i].loss_n = 0;
        while (t->step_in_epoch < t->spe) {
            if ((st = train_step(t))) return st;
            steps_done++;
            if (fn) {
                pr.epoch = t->epoch;
                pr.step = t->global_step;
                double el = clnscl_now() - t0;
                pr.images_per_s = el > 0 ? (double)(steps_done * t->B) / el : 0;
                for (int i = 0; i < t->nt; i++) pr.loss[i] = t->tw[i].loss_sum / (double)t->tw[i].loss_n;
                fn(&pr, user);
            }
            if (t->step_in_epoch < t->spe && is_eval_step(t, t->global_step) && (st = evaluate(t, 0))) return st;
            if (t->step_in_epoch == t->spe) break; /* epoch end handled below */
            if (clnscl_train_stop || (clnscl_train_stop_at_step && t->global_step == clnscl_train_stop_at_step)) {
                if ((st = save_checkpoint(t))) return st;
                return clnscl_fail(CLNSCL_EINTERRUPTED,
                                   "interrupted at epoch %ld, step %ld; state saved in %s (continue with --resume)",
                                   t->epoch + 1, t->global_step, t->path);
            }
        }
        t->epoch++;
        t->step_in_epoch = 0;
        if ((st = evaluate(t, 1))) return st;
        if ((st = save_checkpoint(t))) return st;
        if (clnscl_train_stop || (clnscl_train_stop_at_step && t->global_step == clnscl_train_stop_at_step)) {
            if (t->epoch == t->o.epochs) break;
            return clnscl_fail(CLNSCL_EINTERRUPTED,
                               "interrupted after epoch %ld (step %ld); state saved in %s (continue with --resume)",
                               t->epoch, t->global_step, outpath(t, "checkpoint.bin"));
        }
    }
    return CLNSCL_OK;
}

int clnscl_train_run(const clnscl_train_opts *o, clnscl_train_progress_fn fn, void *user)
{
    trainer *t = calloc(1, sizeof *t);
    if (!t) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int st = trainer_setup(t, o);
    if (!st) st = run(t, fn, user);
    out_finish(t, st == CLNSCL_OK || st == CLNSCL_EINTERRUPTED);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    trainer_free(t);
    free(t);
    return st;
}
