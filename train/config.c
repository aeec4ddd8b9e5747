/* train/config.c — options of `clnscl train`: defaults, one table that drives the
 * CLI flags, INI files, config.json and the configuration hash. */
#include "clnscl/train.h"

#include "clnscl/data.h"
#include "clnscl/model.h"
#include "clnscl/schedule.h"
#include "clnscl/status.h"

#include <cJSON.h>
#include <ini.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { K_STR, K_LONG, K_DBL, K_BOOL };

/* bounds that keep every derived size (steps, layer sizes) far from overflowing */
#define TRAIN_MAX_EPOCHS 100000
#define TRAIN_MAX_WIDTH 65536

typedef struct {
    const char *name;
    int kind;
    size_t off, size;
    int hashed; /* part of the experiment (config hash) */
    const char *help;
} opt_desc;

#define F(field) offsetof(clnscl_train_opts, field), sizeof(((clnscl_train_opts *)0)->field)

static const opt_desc table[] = {
    {"data", K_STR, F(data), 1, "fashion-mnist | fashion-mnist:DIR | mnist:DIR | cifar10:DIR | cifar100:DIR | cifar100-coarse:DIR"},
    {"classes", K_STR, F(classes), 1, "class subset, e.g. 0,3,5 (distinct; labels remapped); empty = all"},
    {"train-limit", K_LONG, F(train_limit), 1, "class-balanced training subset size (0 = all)"},
    {"eval-limit", K_LONG, F(eval_limit), 1, "class-balanced evaluation images from the test split"},
    {"probe-limit", K_LONG, F(probe_limit), 1, "training images for NCC class means and the probe fit"},
    {"ref-size", K_LONG, F(ref_size), 1, "reference-set size N (embeddings saved as 2N x d .npy)"},
    {"augment", K_BOOL, F(augment), 1, "1 = random augmentations, 0 = identity views"},
    {"crop-scale", K_DBL, F(crop_scale), 1, "random resized crop: minimum area fraction (1 = off)"},
    {"flip", K_DBL, F(flip), 1, "horizontal flip probability"},
    {"jitter", K_DBL, F(jitter), 1, "brightness/contrast jitter strength, in [0,1)"},
    {"color-jitter", K_DBL, F(color_jitter), 1, "saturation/hue jitter strength, in [0,1) (RGB only)"},
    {"grayscale", K_DBL, F(grayscale), 1, "random grayscale probability (RGB only)"},
    {"noise", K_DBL, F(noise), 1, "Gaussian pixel noise standard deviation, 0..1"},
    {"model", K_STR, F(model), 1, "mlp | cnn"},
    {"widths", K_STR, F(widths), 1, "mlp widths / cnn stage channels, e.g. 512,256 (empty = default)"},
    {"proj-hidden", K_LONG, F(proj_hidden), 1, "projector hidden width (0 = the model's default)"},
    {"proj-dim", K_LONG, F(proj_dim), 1, "projection dimension (0 = the model's default)"},
    {"losses", K_STR, F(losses), 1, "twins: comma list of cl,nscl,scl,ce (cl always trained)"},
    {"form", K_STR, F(form), 1, "code (positive in the denominator, authors') | paper"},
    {"tau", K_DBL, F(tau), 1, "temperature"},
    {"null-twin", K_BOOL, F(null_twin), 1, "also train cl2: CL without shared randomness"},
    {"epochs", K_LONG, F(epochs), 1, "training epochs"},
    {"batch", K_LONG, F(batch), 1, "batch size B (images; 2B views)"},
    {"optimizer", K_STR, F(optimizer), 1, "sgd | lars"},
    {"lr", K_DBL, F(lr), 1, "base learning rate (before batch-size scaling)"},
    {"momentum", K_DBL, F(momentum), 1, "momentum"},
    {"weight-decay", K_DBL, F(weight_decay), 1, "weight decay"},
    {"trust", K_DBL, F(trust), 1, "LARS trust coefficient"},
    {"clip", K_DBL, F(clip), 1, "gradient-norm clipping threshold (0 = off)"},
    {"schedule", K_STR, F(schedule), 1, "constant | cosine (warm-up + cosine, stepped per epoch)"},
    {"lr-scale", K_STR, F(lr_scale), 1, "batch-size rule: none | constant | linear | sqrt | fourth"},
    {"ref-batch", K_LONG, F(ref_batch), 1, "reference batch size of the scaling rule"},
    {"warmup", K_LONG, F(warmup), 1, "warm-up epochs of the cosine schedule"},
    {"eval-steps", K_STR, F(eval_steps), 1, "extra evaluations at these global steps (increasing, within the run; the default is cut to it)"},
    {"seed", K_LONG, F(seed), 1, "seed of the shared random stream"},
    {"out", K_STR, F(out), 0, "output directory (required)"},
    {"resume", K_BOOL, F(resume), 0, "continue from OUT/checkpoint.bin"},
    {"quiet", K_BOOL, F(quiet), 0, "no progress output"},
    {"steps-per-epoch", K_LONG, F(steps_per_epoch), 0, "(derived, read-only) floor(train images / batch)"},
};
#define NOPT (sizeof table / sizeof table[0])

void clnscl_train_opts_default(clnscl_train_opts *o)
{
    memset(o, 0, sizeof *o);
    strcpy(o->data, "fashion-mnist");
    o->train_limit = 0;
    o->eval_limit = 5000;
    o->probe_limit = 5000;
    o->ref_size = 256;
    o->augment = 1;
    o->crop_scale = 0.3;
    o->flip = 0.5;
    o->jitter = 0.4;
    o->color_jitter = 0.4;
    o->grayscale = 0.2;
    o->noise = 0.05;
    strcpy(o->model, "mlp");
    o->proj_hidden = 0;
    o->proj_dim = 0;
    strcpy(o->losses, "cl,nscl,scl,ce");
    strcpy(o->form, "code");
    o->tau = 0.5;
    o->epochs = 10;
    o->batch = 256;
    strcpy(o->optimizer, "sgd");
    o->lr = 0.1;
    o->momentum = 0.9;
    o->weight_decay = 1e-6;
    o->trust = 0.001;
    o->clip = 1.0;
    strcpy(o->schedule, "cosine");
    strcpy(o->lr_scale, "none");
    o->ref_batch = 256;
    o->warmup = 1;
    strcpy(o->eval_steps, CLNSCL_TRAIN_EVAL_STEPS);
    o->seed = 123;
}

static const opt_desc *find(const char *key)
{
    char k[64];
    size_t n = strlen(key);
    if (n >= sizeof k) return NULL;
    for (size_t i = 0; i <= n; i++) k[i] = key[i] == '_' ? '-' : key[i];
    for (size_t i = 0; i < NOPT; i++)
        if (!strcmp(table[i].name, k)) return &table[i];
    return NULL;
}

static int set_desc(clnscl_train_opts *o, const opt_desc *d, const char *value)
{
    char *p = (char *)o + d->off;
    char *end;
    switch (d->kind) {
    case K_STR:
        if (strlen(value) >= d->size)
            return clnscl_fail(CLNSCL_EINVAL, "--%s: value too long (max %zu characters)", d->name, d->size - 1);
        strcpy(p, value);
        return CLNSCL_OK;
    case K_LONG: {
        errno = 0;
        long v = strtol(value, &end, 10);
        if (!*value || *end || (errno && errno != ERANGE))
            return clnscl_fail(CLNSCL_EINVAL, "--%s: '%s' is not an integer", d->name, value);
        if (errno == ERANGE) return clnscl_fail(CLNSCL_EINVAL, "--%s: %s is out of range", d->name, value);
        if (v < 0) return clnscl_fail(CLNSCL_EINVAL, "--%s: must be >= 0 (got %ld)", d->name, v);
        *(long *)p = v;
        return CLNSCL_OK;
    }
    case K_DBL: {
        errno = 0;
        double v = strtod(value, &end);
        if (!*value || *end || errno || !isfinite(v))
            return clnscl_fail(CLNSCL_EINVAL, "--%s: '%s' is not a finite number", d->name, value);
        *(double *)p = v;
        return CLNSCL_OK;
    }
    case K_BOOL:
        if (!strcmp(value, "1") || !strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "on"))
            *(int *)p = 1;
        else if (!strcmp(value, "0") || !strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "off"))
            *(int *)p = 0;
        else
            return clnscl_fail(CLNSCL_EINVAL, "--%s: '%s' is not 0/1/true/false", d->name, value);
        return CLNSCL_OK;
    }
    return clnscl_fail(CLNSCL_EINTERNAL, "option table corrupt");
}

int clnscl_train_opts_set(clnscl_train_opts *o, const char *key, const char *value)
{
    const opt_desc *d = find(key);
    if (!d) return clnscl_fail(CLNSCL_EINVAL, "unknown option '%s'", key);
    if (!value) return clnscl_fail(CLNSCL_EINVAL, "--%s needs a value", d->name);
    if (!strcmp(d->name, "steps-per-epoch"))
        return clnscl_fail(CLNSCL_EINVAL, "--steps-per-epoch is derived from the data and --batch");
    return set_desc(o, d, value);
}

int clnscl_train_opts_get(const clnscl_train_opts *o, const char *name, char *buf, size_t len)
{
    const opt_desc *d = find(name);
    if (!d) return clnscl_fail(CLNSCL_EINVAL, "unknown option '%s'", name);
    const char *p = (const char *)o + d->off;
    int n = 0;
    switch (d->kind) {
    case K_STR: n = snprintf(buf, len, "%s", p); break;
    case K_LONG: n = snprintf(buf, len, "%ld", *(const long *)p); break;
    case K_DBL: n = clnscl_fmt_double(buf, len, *(const double *)p); break;
    case K_BOOL: n = snprintf(buf, len, "%d", *(const int *)p); break;
    }
    if (n < 0 || (size_t)n >= len) return clnscl_fail(CLNSCL_EINVAL, "buffer too small for --%s", d->name);
    return CLNSCL_OK;
}

int clnscl_train_opt_info(size_t i, const char **name, const char **kind, const char **help)
{
    static const char *kinds[] = {"text", "int", "real", "0|1"};
    if (i >= NOPT) return 0;
    *name = table[i].name;
    *kind = kinds[table[i].kind];
    *help = table[i].help;
    return 1;
}

int clnscl_fmt_double(char *buf, size_t len, double v)
{
    int n = 0;
    for (int prec = 1; prec <= 17; prec++) {
        n = snprintf(buf, len, "%.*g", prec, v);
        if (n < 0 || (size_t)n >= len || strtod(buf, NULL) == v) break;
    }
    return n;
}

/* ---- INI ------------------------------------------------------------------------ */

typedef struct {
    clnscl_train_opts *o;
    int status;
    int line;                 /* line of the handler's error                      */
    const char *next;         /* the reader's position in the text                */
    int lines;                /* lines handed to the parser so far                */
    unsigned char seen[NOPT]; /* keys already given in this file                  */
} ini_ctx;

/* inih line reader over the validated text; stops at the first error of the handler */
static char *ini_text_reader(char *str, int num, void *stream)
{
    ini_ctx *c = stream;
    if (c->status || !*c->next || num < 2) return NULL;
    size_t len = strcspn(c->next, "\n"); /* one whole line (read_ini_text bounded its length) */
    size_t k = len < (size_t)num - 1 ? len : (size_t)num - 1;
    memcpy(str, c->next, k);
    str[k] = '\0';
    c->next += len + (c->next[len] == '\n');
    c->lines++;
    return str;
}

static int opts_ini_handler(void *user, const char *section, const char *name, const char *value)
{
    ini_ctx *c = user;
    if (c->status) return 0;
    if (section && *section && strcmp(section, "train")) return 1;
    const opt_desc *d = find(name);
    if (d) {
        size_t k = (size_t)(d - table);
        if (c->seen[k]) { /* also a second [train] section repeating it */
            c->status = clnscl_fail(CLNSCL_EINVAL, "key '%s' given twice", d->name);
            c->line = c->lines;
            return 0;
        }
        c->seen[k] = 1;
    }
    if (d && !strcmp(d->name, "steps-per-epoch")) return 1; /* derived: ignored */
    c->status = clnscl_train_opts_set(c->o, name, value);
    if (c->status) c->line = c->lines;
    return c->status ? 0 : 1;
}

/* longest line (without its newline) the INI reader takes whole; a longer one would be split */
#define INI_LINE_MAX 199
/* a configuration file is small text: anything larger is not one */
#define INI_FILE_MAX (1 << 20)

/* The whole file as a NUL-terminated string: a regular, readable text file (no NUL or other
 * control bytes but tab and CR, lines of at most INI_LINE_MAX characters). */
static int read_ini_text(const char *path, char **text)
{
    *text = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return clnscl_fail(CLNSCL_EIO, "cannot open config file '%s': %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return clnscl_fail(CLNSCL_EIO, "config file '%s' is not a regular file", path);
    }
    if (sb.st_size > INI_FILE_MAX) {
        fclose(f);
        return clnscl_fail(CLNSCL_EFORMAT, "config file '%s' is too large (%lld bytes; an INI file of options is "
                           "at most %d)", path, (long long)sb.st_size, INI_FILE_MAX);
    }
    size_t n = (size_t)sb.st_size;
    char *s = malloc(n + 1);
    if (!s) {
        fclose(f);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    }
    size_t got = fread(s, 1, n, f);
    int err = ferror(f);
    fclose(f);
    if (err || got != n) {
        free(s);
        return clnscl_fail(CLNSCL_EIO, "cannot read config file '%s'", path);
    }
    s[n] = '\0';
    int line = 1;
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\n') {
            line++;
            col = 0;
            continue;
        }
        if ((ch < 0x20 && ch != '\t' && ch != '\r') || ch == 0x7f) {
            free(s);
            return clnscl_fail(CLNSCL_EFORMAT, "config file '%s' line %d: not a text file (byte 0x%02x)", path,
                               line, ch);
        }
        if (++col > INI_LINE_MAX) {
            free(s);
            return clnscl_fail(CLNSCL_EFORMAT, "config file '%s' line %d: longer than %d characters", path, line,
                               INI_LINE_MAX);
        }
    }
    *text = s;
    return CLNSCL_OK;
}

int clnscl_train_opts_load_ini(clnscl_train_opts *o, const char *path)
{
    char *text;
    int st = read_ini_text(path, &text);
    if (st) return st;
    ini_ctx c = {o, CLNSCL_OK, 0, text, 0, {0}};
    int line = ini_parse_stream(ini_text_reader, &c, opts_ini_handler, &c);
    free(text);
    if (c.status && (line == 0 || line >= c.line)) { /* else a malformed line came first */
        line = c.line;
        char msg[512];
        snprintf(msg, sizeof msg, "%s", clnscl_last_error());
        return clnscl_fail(c.status, "config file '%s' line %d: %s", path, line, msg);
    }
    if (line != 0)
        return clnscl_fail(CLNSCL_EFORMAT, "config file '%s' line %d: malformed INI line (expected name = value)",
                           path, line);
    return CLNSCL_OK;
}

/* ---- JSON ----------------------------------------------------------------------- */

int clnscl_train_opts_to_json(const clnscl_train_opts *o, char **json)
{
    cJSON *root = cJSON_CreateObject();
    if (!root) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    for (size_t i = 0; i < NOPT; i++) {
        const opt_desc *d = &table[i];
        const char *p = (const char *)o + d->off;
        cJSON *v = NULL;
        switch (d->kind) {
        case K_STR: v = cJSON_CreateString(p); break;
        case K_LONG: v = cJSON_CreateNumber((double)*(const long *)p); break;
        case K_DBL: { /* cJSON prints %.15g: use the shortest exact text */
            char num[40];
            clnscl_fmt_double(num, sizeof num, *(const double *)p);
            v = cJSON_CreateRaw(num);
            break;
        }
        case K_BOOL: v = cJSON_CreateBool(*(const int *)p); break;
        }
        /* JSON keys use '_' instead of '-' ("steps_per_epoch", "train_limit") */
        char key[64];
        size_t n = strlen(d->name);
        for (size_t j = 0; j <= n; j++) key[j] = d->name[j] == '-' ? '_' : d->name[j];
        if (!v || !cJSON_AddItemToObject(root, key, v)) {
            cJSON_Delete(v);
            cJSON_Delete(root);
            return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
        }
    }
    *json = cJSON_Print(root);
    cJSON_Delete(root);
    if (!*json) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    return CLNSCL_OK;
}

int clnscl_train_opts_from_json(clnscl_train_opts *o, const char *json)
{
    cJSON *root = cJSON_Parse(json);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return clnscl_fail(CLNSCL_EFORMAT, "config is not a JSON object");
    }
    int st = CLNSCL_OK;
    for (cJSON *it = root->child; it && !st; it = it->next) {
        const opt_desc *d = find(it->string ? it->string : "");
        if (!d) {
            st = clnscl_fail(CLNSCL_EINVAL, "unknown option '%s' in config JSON", it->string ? it->string : "");
            break;
        }
        for (cJSON *jt = root->child; jt != it; jt = jt->next)
            if (jt->string && find(jt->string) == d) {
                st = clnscl_fail(CLNSCL_EFORMAT, "config key '%s' appears twice", it->string);
                break;
            }
        if (st) break;
        char *p = (char *)o + d->off;
        switch (d->kind) {
        case K_STR:
            if (!cJSON_IsString(it)) st = clnscl_fail(CLNSCL_EFORMAT, "config key '%s' must be a string", it->string);
            else st = set_desc(o, d, it->valuestring);
            break;
        case K_LONG:
            /* 2^53: every such integer is exact in the double cJSON parsed, and fits a long */
            if (!cJSON_IsNumber(it) || it->valuedouble != floor(it->valuedouble) || it->valuedouble < 0 ||
                it->valuedouble > 9007199254740992.0)
                st = clnscl_fail(CLNSCL_EFORMAT, "config key '%s' must be a non-negative integer <= 2^53", it->string);
            else *(long *)p = (long)it->valuedouble;
            break;
        case K_DBL:
            if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
                st = clnscl_fail(CLNSCL_EFORMAT, "config key '%s' must be a finite number", it->string);
            else *(double *)p = it->valuedouble;
            break;
        case K_BOOL:
            if (cJSON_IsBool(it)) *(int *)p = cJSON_IsTrue(it);
            else if (cJSON_IsNumber(it) && (it->valuedouble == 0 || it->valuedouble == 1)) *(int *)p = (int)it->valuedouble;
            else st = clnscl_fail(CLNSCL_EFORMAT, "config key '%s' must be true/false", it->string);
            break;
        }
    }
    cJSON_Delete(root);
    return st;
}

/* ---- hash ------------------------------------------------------------------------ */

uint64_t clnscl_train_opts_hash(const clnscl_train_opts *o)
{
    uint64_t h = 1469598103934665603ull;
    char buf[CLNSCL_TRAIN_PATH + 64];
    for (size_t i = 0; i < NOPT; i++) {
        if (!table[i].hashed) continue;
        if (clnscl_train_opts_get(o, table[i].name, buf, sizeof buf)) continue;
        const char *parts[3] = {table[i].name, "=", buf};
        for (int k = 0; k < 3; k++)
            for (const unsigned char *s = (const unsigned char *)parts[k]; *s; s++) {
                h ^= *s;
                h *= 1099511628211ull;
            }
        h ^= '\n';
        h *= 1099511628211ull;
    }
    return h;
}

/* ---- validation ------------------------------------------------------------------- */

int clnscl_parse_long_list(const char *s, long *out, size_t cap, size_t *n, int increasing)
{
    *n = 0;
    if (!s || !*s) return CLNSCL_OK;
    const char *p = s;
    while (*p) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || errno || v < 0 || (*end && *end != ','))
            return clnscl_fail(CLNSCL_EINVAL, "'%s' is not a comma list of non-negative integers", s);
        if (*n == cap) return clnscl_fail(CLNSCL_EINVAL, "'%s': more than %zu entries", s, cap);
        if (increasing && *n && v <= out[*n - 1])
            return clnscl_fail(CLNSCL_EINVAL, "'%s' must be strictly increasing", s);
        out[(*n)++] = v;
        p = *end ? end + 1 : end;
        if (*end && !*p) return clnscl_fail(CLNSCL_EINVAL, "'%s' ends with a comma", s);
    }
    return CLNSCL_OK;
}

static int in_list(const char *s, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (!strcmp(s, *allowed)) return 1;
    return 0;
}

int clnscl_train_opts_check(const clnscl_train_opts *o)
{
    static const char *models[] = {"mlp", "cnn", NULL};
    static const char *forms[] = {"code", "paper", NULL};
    static const char *optims[] = {"sgd", "lars", NULL};
    if (!in_list(o->model, models)) return clnscl_fail(CLNSCL_EINVAL, "--model: '%s' is not mlp or cnn", o->model);
    if (!in_list(o->form, forms)) return clnscl_fail(CLNSCL_EINVAL, "--form: '%s' is not code or paper", o->form);
    if (!in_list(o->optimizer, optims))
        return clnscl_fail(CLNSCL_EINVAL, "--optimizer: '%s' is not sgd or lars", o->optimizer);
    /* the names are the schedule module's; its kind parser also takes "cosine:options" specs,
     * which train does not (the details are separate options here) */
    clnscl_sched_kind sk;
    clnscl_scale_rule sr;
    if (strchr(o->schedule, ':') || clnscl_schedule_parse_kind(o->schedule, &sk))
        return clnscl_fail(CLNSCL_EINVAL, "--schedule: '%s' is not constant or cosine", o->schedule);
    if (clnscl_schedule_parse_scale(o->lr_scale, &sr))
        return clnscl_fail(CLNSCL_EINVAL, "--lr-scale: '%s' is not none, constant, linear, sqrt or fourth",
                           o->lr_scale);
    /* losses: known names, no repeats, no empty items */
    {
        int seen[4] = {0};
        static const char *names[] = {"cl", "nscl", "scl", "ce"};
        if (!o->losses[0]) return clnscl_fail(CLNSCL_EINVAL, "--losses: empty list");
        for (const char *t = o->losses;;) {
            size_t len = strcspn(t, ",");
            if (!len) return clnscl_fail(CLNSCL_EINVAL, "--losses '%s': empty item", o->losses);
            int k = -1;
            for (int j = 0; j < 4; j++)
                if (strlen(names[j]) == len && !strncmp(t, names[j], len)) k = j;
            if (k < 0)
                return clnscl_fail(CLNSCL_EINVAL, "--losses: unknown loss '%.*s' (cl, nscl, scl, ce)", (int)len, t);
            if (seen[k]) return clnscl_fail(CLNSCL_EINVAL, "--losses: '%s' given twice", names[k]);
            seen[k] = 1;
            if (!t[len]) break;
            t += len + 1;
        }
    }
    if (o->epochs < 1) return clnscl_fail(CLNSCL_EINVAL, "--epochs must be >= 1");
    if (o->epochs > TRAIN_MAX_EPOCHS)
        return clnscl_fail(CLNSCL_EINVAL, "--epochs %ld is too large (max %d)", o->epochs, TRAIN_MAX_EPOCHS);
    if (o->batch < 2) return clnscl_fail(CLNSCL_EINVAL, "--batch must be >= 2 (contrastive losses need negatives)");
    if (o->batch > 65536) return clnscl_fail(CLNSCL_EINVAL, "--batch %ld is too large (max 65536)", o->batch);
    if (!(o->tau > 0)) return clnscl_fail(CLNSCL_EINVAL, "--tau must be > 0");
    if (o->tau < 1e-3) return clnscl_fail(CLNSCL_EINVAL, "--tau %g is too small (min 1e-3)", o->tau);
    if (!(o->lr >= 0)) return clnscl_fail(CLNSCL_EINVAL, "--lr must be >= 0");
    if (!(o->momentum >= 0 && o->momentum < 1)) return clnscl_fail(CLNSCL_EINVAL, "--momentum must be in [0,1)");
    if (!(o->weight_decay >= 0)) return clnscl_fail(CLNSCL_EINVAL, "--weight-decay must be >= 0");
    if (!(o->trust > 0)) return clnscl_fail(CLNSCL_EINVAL, "--trust must be > 0");
    if (!(o->clip >= 0)) return clnscl_fail(CLNSCL_EINVAL, "--clip must be >= 0");
    if (!(o->crop_scale > 0 && o->crop_scale <= 1)) return clnscl_fail(CLNSCL_EINVAL, "--crop-scale must be in (0,1]");
    if (!(o->flip >= 0 && o->flip <= 1)) return clnscl_fail(CLNSCL_EINVAL, "--flip must be a probability");
    if (!(o->grayscale >= 0 && o->grayscale <= 1)) return clnscl_fail(CLNSCL_EINVAL, "--grayscale must be a probability");
    if (!(o->jitter >= 0 && o->jitter < 1)) return clnscl_fail(CLNSCL_EINVAL, "--jitter must be in [0,1)");
    if (!(o->color_jitter >= 0 && o->color_jitter < 1)) return clnscl_fail(CLNSCL_EINVAL, "--color-jitter must be in [0,1)");
    if (!(o->noise >= 0 && o->noise <= 1))
        return clnscl_fail(CLNSCL_EINVAL, "--noise must be in [0,1] (a standard deviation in pixel units)");
    if (o->proj_dim == 1) return clnscl_fail(CLNSCL_EINVAL, "--proj-dim must be >= 2 (or 0 for the default)");
    if (o->proj_dim > TRAIN_MAX_WIDTH)
        return clnscl_fail(CLNSCL_EINVAL, "--proj-dim %ld is too large (max %d)", o->proj_dim, TRAIN_MAX_WIDTH);
    if (o->proj_hidden > TRAIN_MAX_WIDTH)
        return clnscl_fail(CLNSCL_EINVAL, "--proj-hidden %ld is too large (max %d)", o->proj_hidden, TRAIN_MAX_WIDTH);
    if (o->eval_limit < 4) return clnscl_fail(CLNSCL_EINVAL, "--eval-limit must be >= 4 (CKA/RSA need samples)");
    if (o->probe_limit < 2) return clnscl_fail(CLNSCL_EINVAL, "--probe-limit must be >= 2");
    if (o->ref_size < 2) return clnscl_fail(CLNSCL_EINVAL, "--ref-size must be >= 2");
    if (o->ref_batch < 1) return clnscl_fail(CLNSCL_EINVAL, "--ref-batch must be >= 1");
    long tmp[256];
    size_t n;
    if (clnscl_parse_long_list(o->eval_steps, tmp, 256, &n, 1))
        return clnscl_fail(CLNSCL_EINVAL, "--eval-steps: %s", clnscl_last_error());
    if (n && tmp[0] == 0) return clnscl_fail(CLNSCL_EINVAL, "--eval-steps: step 0 is always evaluated (epoch 0)");
    if (clnscl_parse_long_list(o->classes, tmp, 256, &n, 0))
        return clnscl_fail(CLNSCL_EINVAL, "--classes: %s", clnscl_last_error());
    if (o->classes[0]) { /* also the class ids: distinct, < 1000 */
        int *cls = NULL, k = 0;
        int st = clnscl_data_parse_classes(o->classes, &cls, &k);
        free(cls);
        if (st) return st;
        if (k < 2) return clnscl_fail(CLNSCL_EINVAL, "--classes needs at least 2 classes");
    }
    if (clnscl_parse_long_list(o->widths, tmp, 256, &n, 0))
        return clnscl_fail(CLNSCL_EINVAL, "--widths: %s", clnscl_last_error());
    for (size_t i = 0; i < n; i++)
        if (tmp[i] < 1 || tmp[i] > TRAIN_MAX_WIDTH)
            return clnscl_fail(CLNSCL_EINVAL, "--widths: every width must be in [1, %d]", TRAIN_MAX_WIDTH);
    if (n > CLNSCL_MAX_ENC_LAYERS)
        return clnscl_fail(CLNSCL_EINVAL, "--widths: at most %d encoder layers", CLNSCL_MAX_ENC_LAYERS);
    if (!o->out[0]) return clnscl_fail(CLNSCL_EINVAL, "--out DIR is required");
    return CLNSCL_OK;
}
