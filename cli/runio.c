/* cli/runio.c — readers for train/sim run directories (see runio.h). */
#include "runio.h"
#include "clnscl/io.h"
#include "clnscl/alloc.h"

#include "clnscl/status.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- small helpers ------------------------------------------------------- */

char *runio_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p) return NULL;
    memcpy(p, dir, a);
    size_t k = a;
    if (a && dir[a - 1] != '/') p[k++] = '/';
    memcpy(p + k, name, b + 1);
    return p;
}

int runio_need_file(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT) return clnscl_fail(CLNSCL_EIO, "%s: missing", path);
        return clnscl_fail(CLNSCL_EIO, "%s: %s", path, strerror(errno));
    }
    if (!S_ISREG(sb.st_mode)) return clnscl_fail(CLNSCL_EIO, "%s: not a regular file", path);
    return CLNSCL_OK;
}

/* Whole file into a NUL-terminated buffer. */
static int slurp(const char *path, char **buf, size_t *len)
{
    int rst = runio_need_file(path);
    if (rst) return rst;
    FILE *f = fopen(path, "rb");
    if (!f) return clnscl_fail(CLNSCL_EIO, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    if (!b) {
        fclose(f);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory reading %s", path);
    }
    for (;;) {
        if (n + 1 >= cap) {
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                fclose(f);
                return clnscl_fail(CLNSCL_ENOMEM, "out of memory reading %s", path);
            }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(b);
        return clnscl_fail(CLNSCL_EIO, "error reading %s", path);
    }
    b[n] = '\0';
    if (memchr(b, '\0', n)) {
        free(b);
        return clnscl_fail(CLNSCL_EFORMAT, "%s: not a text file (NUL byte)", path);
    }
    *buf = b;
    *len = n;
    return CLNSCL_OK;
}

/* Split one line (modified in place) on ','; trims blanks and surrounding quotes. */
static size_t split_fields(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        while (*p == ' ' || *p == '\t') p++;
        size_t L = strlen(p);
        while (L && (p[L - 1] == ' ' || p[L - 1] == '\t' || p[L - 1] == '\r')) p[--L] = '\0';
        if (L >= 2 && p[0] == '"' && p[L - 1] == '"') {
            p[L - 1] = '\0';
            p++;
        }
        if (n < max) fields[n] = p;
        n++;
        if (!comma) break;
        p = comma + 1;
    }
    return n;
}

void runio_table_free(runio_table *t)
{
    if (!t) return;
    if (t->names)
        for (size_t j = 0; j < t->ncols; j++) free(t->names[j]);
    if (t->cells)
        for (size_t i = 0; i < t->nrows * t->ncols; i++) free(t->cells[i]);
    free(t->names);
    free(t->cells);
    free(t->path);
    memset(t, 0, sizeof *t);
}

int runio_table_read(const char *path, runio_table *t)
{
    memset(t, 0, sizeof *t);
    char *buf;
    size_t len;
    int st = slurp(path, &buf, &len);
    if (st) return st;
    t->path = strdup(path);
    if (!t->path) {
        free(buf);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    }
    size_t cap = 0, lineno = 0;
    char **fields = NULL;
    size_t fcap = 0;
    char *p = buf;
    st = CLNSCL_OK;
    while (*p) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        lineno++;
        char *line = p;
        p = nl ? nl + 1 : p + strlen(p);
        size_t L = strlen(line);
        while (L && (line[L - 1] == '\r' || line[L - 1] == ' ')) line[--L] = '\0';
        if (L == 0) continue;
        size_t nf = 1;
        for (char *q = line; *q; q++) nf += *q == ',';
        if (nf > fcap) {
            char **nfld = realloc(fields, nf * sizeof *nfld);
            if (!nfld) {
                st = clnscl_fail(CLNSCL_ENOMEM, "out of memory reading %s", path);
                break;
            }
            fields = nfld;
            fcap = nf;
        }
        nf = split_fields(line, fields, fcap);
        if (!t->names) {
            t->ncols = nf;
            t->names = calloc(nf, sizeof *t->names);
            if (!t->names) {
                st = clnscl_fail(CLNSCL_ENOMEM, "out of memory reading %s", path);
                break;
            }
            for (size_t j = 0; j < nf; j++) {
                if (!*fields[j]) {
                    st = clnscl_fail(CLNSCL_EFORMAT, "%s: line %zu: empty column name %zu", path, lineno, j + 1);
                    break;
                }
                char *e;
                strtod(fields[j], &e);
                if (*e == '\0') {
                    st = clnscl_fail(CLNSCL_EFORMAT, "%s: line %zu: header expected, found number '%s'",
                                     path, lineno, fields[j]);
                    break;
                }
                for (size_t k = 0; k < j; k++)
                    if (!strcmp(t->names[k], fields[j])) {
                        st = clnscl_fail(CLNSCL_EFORMAT, "%s: duplicate column '%s'", path, fields[j]);
                        break;
                    }
                if (st) break;
                t->names[j] = strdup(fields[j]);
                if (!t->names[j]) {
                    st = clnscl_fail(CLNSCL_ENOMEM, "out of memory reading %s", path);
                    break;
                }
            }
            if (st) break;
            continue;
        }
        if (nf != t->ncols) {
            st = clnscl_fail(CLNSCL_EFORMAT, "%s: line %zu: %zu fields, header has %zu", path, lineno, nf,
                             t->ncols);
            break;
        }
        if (clnscl_grow(&t->cells, &cap, (t->nrows + 1) * t->ncols, sizeof *t->cells, 64 * t->ncols)) {
            st = clnscl_fail(CLNSCL_ENOMEM, "out of memory reading %s", path);
            break;
        }
        for (size_t j = 0; j < nf; j++) {
            char *c = strdup(fields[j]);
            if (!c) {
                for (size_t k = 0; k < j; k++) free(t->cells[t->nrows * t->ncols + k]);
                st = clnscl_fail(CLNSCL_ENOMEM, "out of memory reading %s", path);
                break;
            }
            t->cells[t->nrows * t->ncols + j] = c;
        }
        if (st) break;
        t->nrows++;
    }
    free(fields);
    free(buf);
    if (!st && !t->names) st = clnscl_fail(CLNSCL_EFORMAT, "%s: empty file (no header)", path);
    if (st) runio_table_free(t);
    return st;
}

long runio_col(const runio_table *t, const char *name)
{
    for (size_t j = 0; j < t->ncols; j++)
        if (!strcmp(t->names[j], name)) return (long)j;
    return -1;
}

const char *runio_cell(const runio_table *t, size_t row, long col)
{
    return t->cells[row * t->ncols + (size_t)col];
}

int runio_num_any(const runio_table *t, size_t row, long col, double *v)
{
    const char *s = runio_cell(t, row, col);
    char *e;
    errno = 0;
    double x = strtod(s, &e);
    if (!*s || *e) {
        return clnscl_fail(CLNSCL_EFORMAT, "%s: data row %zu, column '%s': '%s' is not a number", t->path,
                           row + 1, t->names[col], s);
    }
    *v = x;
    return CLNSCL_OK;
}

int runio_num(const runio_table *t, size_t row, long col, double *v)
{
    int st = runio_num_any(t, row, col, v);
    if (st) return st;
    if (!isfinite(*v))
        return clnscl_fail(CLNSCL_ENONFINITE, "%s: data row %zu, column '%s' is not finite", t->path, row + 1,
                           t->names[col]);
    return CLNSCL_OK;
}

int runio_require(const runio_table *t, const char *names)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", names);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ","))
        if (runio_col(t, tok) < 0)
            return clnscl_fail(CLNSCL_EFORMAT, "%s: missing column '%s'", t->path, tok);
    return CLNSCL_OK;
}

/* ---- JSON ---------------------------------------------------------------- */

/* first key that an object (at any depth) holds twice, or NULL; depth is bounded by cJSON's
 * nesting limit */
static const char *json_duplicate(const cJSON *j)
{
    for (const cJSON *it = j ? j->child : NULL; it; it = it->next) {
        if (cJSON_IsObject(j) && it->string)
            for (const cJSON *jt = j->child; jt != it; jt = jt->next)
                if (jt->string && !strcmp(jt->string, it->string)) return it->string;
        if (cJSON_IsObject(it) || cJSON_IsArray(it)) {
            const char *d = json_duplicate(it);
            if (d) return d;
        }
    }
    return NULL;
}

int runio_json_read(const char *path, cJSON **out)
{
    char *buf;
    size_t len;
    int st = slurp(path, &buf, &len);
    if (st) return st;
    size_t blank = strspn(buf, " \t\r\n");
    cJSON *j = cJSON_ParseWithLength(buf, len);
    free(buf);
    if (!j) {
        if (blank == len) return clnscl_fail(CLNSCL_EFORMAT, "%s: empty (expected a JSON object)", path);
        return clnscl_fail(CLNSCL_EFORMAT, "%s: malformed JSON (truncated, invalid, or nested deeper than %d levels)",
                           path, CJSON_NESTING_LIMIT);
    }
    if (!cJSON_IsObject(j)) {
        const char *what = cJSON_IsArray(j) ? "an array" : cJSON_IsNull(j) ? "null" : cJSON_IsString(j) ? "a string"
                                                                                      : "a number or boolean";
        cJSON_Delete(j);
        return clnscl_fail(CLNSCL_EFORMAT, "%s: %s, not a JSON object", path, what);
    }
    const char *dup = json_duplicate(j);
    if (dup) {
        st = clnscl_fail(CLNSCL_EFORMAT, "%s: key \"%s\" given twice", path, dup);
        cJSON_Delete(j);
        return st;
    }
    *out = j;
    return CLNSCL_OK;
}

int runio_json_num(const cJSON *obj, const char *key, double *v, int missing_ok)
{
    const cJSON *it = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (!it) {
        if (missing_ok) return 1;
        return clnscl_fail(CLNSCL_EFORMAT, "JSON key '%s' missing", key);
    }
    double x;
    if (cJSON_IsNumber(it))
        x = it->valuedouble;
    else if (cJSON_IsBool(it))
        x = cJSON_IsTrue(it) ? 1 : 0;
    else if (cJSON_IsString(it)) {
        char *e;
        x = strtod(it->valuestring, &e);
        if (!*it->valuestring || *e) return clnscl_fail(CLNSCL_EFORMAT, "JSON key '%s' is not a number", key);
    } else
        return clnscl_fail(CLNSCL_EFORMAT, "JSON key '%s' is not a number", key);
    if (!isfinite(x)) return clnscl_fail(CLNSCL_ENONFINITE, "JSON key '%s' is not finite", key);
    *v = x;
    return CLNSCL_OK;
}

const char *runio_json_str(const cJSON *obj, const char *key)
{
    const cJSON *it = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* ---- train runs ---------------------------------------------------------- */

void runio_train_free(runio_train *r)
{
    if (!r) return;
    free(r->dir);
    cJSON_Delete(r->config);
    free(r->align);
    free(r->models);
    memset(r, 0, sizeof *r);
}

static int copy_name(char *dst, size_t cap, const runio_table *t, size_t row, long col)
{
    const char *s = runio_cell(t, row, col);
    size_t L = strlen(s);
    if (L == 0 || L >= cap)
        return clnscl_fail(CLNSCL_EFORMAT, "%s: data row %zu: bad name '%s' in column '%s'", t->path, row + 1, s,
                           t->names[col]);
    memcpy(dst, s, L + 1);
    return CLNSCL_OK;
}

static int read_long(const runio_table *t, size_t row, long col, long *v)
{
    double x;
    int st = runio_num(t, row, col, &x);
    if (st) return st;
    if (x != floor(x) || x < 0 || x > 1e15)
        return clnscl_fail(CLNSCL_EFORMAT, "%s: data row %zu, column '%s': '%s' is not a count", t->path, row + 1,
                           t->names[col], runio_cell(t, row, col));
    *v = (long)x;
    return CLNSCL_OK;
}

/* empty cell → NaN (the trainer leaves a metric empty when it is undefined) */
static int num_opt(const runio_table *t, size_t row, long col, double *v)
{
    if (!*runio_cell(t, row, col)) {
        *v = NAN;
        return CLNSCL_OK;
    }
    return runio_num(t, row, col, v);
}

/* a defined value (not NaN) outside [lo, hi] → CLNSCL_EFORMAT naming the file, row and column */
static int in_range(const runio_table *t, size_t row, long col, double v, double lo, double hi, const char *what)
{
    if (v < lo || v > hi)
        return clnscl_fail(CLNSCL_EFORMAT, "%s: data row %zu, column '%s': %.17g is outside %s", t->path, row + 1,
                           t->names[col], v, what);
    return CLNSCL_OK;
}

/* rounding slack of the metric values written with 17 digits */
#define RUNIO_SLACK 1e-9

static int twin_index(const char (*names)[8], size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], name)) return (int)i;
    return -1;
}

static void twin_list(char *buf, size_t cap, const char (*names)[8], size_t n)
{
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", i ? ", " : "", names[i]);
}

/* Rows of one evaluation table (alignment.csv: twins = the others; models.csv: cl + the others):
 * steps non-decreasing from 0, epoch = step div steps_per_epoch, steps within the run's length,
 * exactly one row per twin at every evaluation. `step_of(i)`, `epoch_of(i)`, `twin_of(i)` read row i. */
typedef struct {
    const runio_table *t;
    const char (*twins)[8];
    size_t ntwins;
    long spe, max_step;
    const char *losses;
    int null_twin;
} row_rules;

static int check_row(const row_rules *R, size_t i, long epoch, long step, const char *twin, long prev_step,
                     const char *twin_col)
{
    const char *path = R->t->path;
    char list[64];
    if (twin_index(R->twins, R->ntwins, twin) < 0) {
        twin_list(list, sizeof list, R->twins, R->ntwins);
        return clnscl_fail(CLNSCL_EFORMAT, "%s: data row %zu: unknown twin '%s' in column '%s' (this run has %s)",
                           path, i + 1, twin, twin_col, list);
    }
    if (step > R->max_step)
        return clnscl_fail(CLNSCL_EFORMAT, "%s: data row %zu: step %ld is beyond the run's last step %ld (config.json: "
                           "epochs x steps_per_epoch)", path, i + 1, step, R->max_step);
    if (epoch != step / R->spe)
        return clnscl_fail(CLNSCL_EFORMAT, "%s: data row %zu: epoch %ld does not match step %ld (%ld steps per epoch)",
                           path, i + 1, epoch, step, R->spe);
    if (i == 0 && step != 0)
        return clnscl_fail(CLNSCL_EFORMAT, "%s: the first evaluation is at step %ld, not step 0 (the shared "
                           "initialisation)", path, step);
    if (i > 0 && step < prev_step)
        return clnscl_fail(CLNSCL_EFORMAT, "%s: data row %zu: step %ld after step %ld (rows out of order)", path, i + 1,
                           step, prev_step);
    return CLNSCL_OK;
}

/* after all rows: one row per twin at every evaluation (block of equal steps) */
static int check_blocks(const row_rules *R, size_t n, const long *steps, char (*twin)[16])
{
    const char *path = R->t->path;
    for (size_t k = 0; k < R->ntwins; k++) {
        size_t i = 0;
        while (i < n && strcmp(twin[i], R->twins[k])) i++;
        if (i == n)
            return clnscl_fail(CLNSCL_EFORMAT, "%s: no rows for the %s twin (config.json: losses \"%s\"%s)", path,
                               R->twins[k], R->losses, R->null_twin ? ", null_twin" : "");
    }
    for (size_t a = 0; a < n;) {
        size_t b = a;
        while (b < n && steps[b] == steps[a]) b++;
        for (size_t i = a; i < b; i++)
            for (size_t j = a; j < i; j++)
                if (!strcmp(twin[i], twin[j]))
                    return clnscl_fail(CLNSCL_EFORMAT, "%s: data row %zu: a second row for step %ld and twin %s", path,
                                       i + 1, steps[a], twin[i]);
        if (b - a != R->ntwins) {
            char list[64];
            twin_list(list, sizeof list, R->twins, R->ntwins);
            return clnscl_fail(CLNSCL_EFORMAT, "%s: step %ld has rows for %zu of the run's %zu twins (%s)", path,
                               steps[a], b - a, R->ntwins, list);
        }
        a = b;
    }
    if (n == 0 || steps[n - 1] == 0)
        return clnscl_fail(CLNSCL_EFORMAT, "%s: no evaluation after step 0 (nothing was trained)", path);
    return CLNSCL_OK;
}

static int load_alignment(const char *path, runio_train *r)
{
    runio_table t;
    int st = runio_table_read(path, &t);
    if (st) return st;
    st = runio_require(&t, "epoch,step,other,cka,rsa,weight_gap");
    long ce = runio_col(&t, "epoch"), cs = runio_col(&t, "step"), co = runio_col(&t, "other");
    long ck = runio_col(&t, "cka"), cc = runio_col(&t, "cka_cosine"), cr = runio_col(&t, "rsa");
    long cw = runio_col(&t, "weight_gap"), cwa = runio_col(&t, "weight_gap_all");
    if (!st && t.nrows == 0) st = clnscl_fail(CLNSCL_EFORMAT, "%s: no data rows", path);
    long *steps = NULL;
    char (*tw)[16] = NULL;
    if (!st) {
        r->align = calloc(t.nrows, sizeof *r->align);
        steps = calloc(t.nrows, sizeof *steps);
        tw = calloc(t.nrows, sizeof *tw);
        if (!r->align || !steps || !tw) st = clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    }
    row_rules R = {&t, (const char(*)[8])r->others, r->nothers, r->opts.steps_per_epoch,
                   r->opts.epochs * r->opts.steps_per_epoch, r->opts.losses, r->opts.null_twin};
    for (size_t i = 0; !st && i < t.nrows; i++) {
        runio_align_row *a = &r->align[i];
        st = read_long(&t, i, ce, &a->epoch);
        if (!st) st = read_long(&t, i, cs, &a->step);
        if (!st) st = copy_name(a->other, sizeof a->other, &t, i, co);
        if (!st) st = check_row(&R, i, a->epoch, a->step, a->other, i ? r->align[i - 1].step : 0, "other");
        if (!st) st = num_opt(&t, i, ck, &a->cka);
        if (!st) st = num_opt(&t, i, cr, &a->rsa);
        if (!st) st = num_opt(&t, i, cw, &a->weight_gap);
        a->cka_cosine = a->cka;
        a->weight_gap_all = a->weight_gap;
        if (!st && cc >= 0) st = num_opt(&t, i, cc, &a->cka_cosine);
        if (!st && cwa >= 0) st = num_opt(&t, i, cwa, &a->weight_gap_all);
        /* CKA and RSA lie in [-1, 1]; a relative weight gap ||A-B|| / ((||A|| + ||B||)/2) in [0, 2] */
        if (!st) st = in_range(&t, i, ck, a->cka, -1 - RUNIO_SLACK, 1 + RUNIO_SLACK, "[-1, 1]");
        if (!st && cc >= 0) st = in_range(&t, i, cc, a->cka_cosine, -1 - RUNIO_SLACK, 1 + RUNIO_SLACK, "[-1, 1]");
        if (!st) st = in_range(&t, i, cr, a->rsa, -1 - RUNIO_SLACK, 1 + RUNIO_SLACK, "[-1, 1]");
        if (!st) st = in_range(&t, i, cw, a->weight_gap, 0, 2 + RUNIO_SLACK, "[0, 2] (a relative weight gap)");
        if (!st && cwa >= 0)
            st = in_range(&t, i, cwa, a->weight_gap_all, 0, 2 + RUNIO_SLACK, "[0, 2] (a relative weight gap)");
        if (!st) {
            steps[i] = a->step;
            snprintf(tw[i], sizeof tw[i], "%s", a->other);
        }
    }
    if (!st) st = check_blocks(&R, t.nrows, steps, tw);
    if (!st) r->nalign = t.nrows;
    free(steps);
    free(tw);
    runio_table_free(&t);
    return st;
}

static int load_models(const char *path, runio_train *r)
{
    runio_table t;
    int st = runio_table_read(path, &t);
    if (st) return st;
    st = runio_require(&t, "epoch,step,model,loss,ncc_acc,probe_acc");
    long ce = runio_col(&t, "epoch"), cs = runio_col(&t, "step"), cm = runio_col(&t, "model");
    long cl = runio_col(&t, "loss"), cn = runio_col(&t, "ncc_acc"), cp = runio_col(&t, "probe_acc");
    if (!st && t.nrows == 0) st = clnscl_fail(CLNSCL_EFORMAT, "%s: no data rows", path);
    long *steps = NULL;
    char (*tw)[16] = NULL;
    if (!st) {
        r->models = calloc(t.nrows, sizeof *r->models);
        steps = calloc(t.nrows, sizeof *steps);
        tw = calloc(t.nrows, sizeof *tw);
        if (!r->models || !steps || !tw) st = clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    }
    char twins[5][8];
    size_t ntw = 0;
    snprintf(twins[ntw++], 8, "cl");
    for (size_t k = 0; k < r->nothers && ntw < 5; k++) snprintf(twins[ntw++], 8, "%s", r->others[k]);
    row_rules R = {&t, (const char(*)[8])twins, ntw, r->opts.steps_per_epoch,
                   r->opts.epochs * r->opts.steps_per_epoch, r->opts.losses, r->opts.null_twin};
    for (size_t i = 0; !st && i < t.nrows; i++) {
        runio_model_row *m = &r->models[i];
        st = read_long(&t, i, ce, &m->epoch);
        if (!st) st = read_long(&t, i, cs, &m->step);
        if (!st) st = copy_name(m->model, sizeof m->model, &t, i, cm);
        if (!st) st = check_row(&R, i, m->epoch, m->step, m->model, i ? r->models[i - 1].step : 0, "model");
        if (!st) st = num_opt(&t, i, cl, &m->loss);
        if (!st) st = num_opt(&t, i, cn, &m->ncc_acc);
        if (!st) st = num_opt(&t, i, cp, &m->probe_acc);
        if (!st) st = in_range(&t, i, cn, m->ncc_acc, 0, 1, "[0, 1] (an accuracy)");
        if (!st) st = in_range(&t, i, cp, m->probe_acc, 0, 1, "[0, 1] (an accuracy)");
        if (!st) {
            steps[i] = m->step;
            snprintf(tw[i], sizeof tw[i], "%s", m->model);
        }
    }
    if (!st) st = check_blocks(&R, t.nrows, steps, tw);
    if (!st) r->nmodels = t.nrows;
    /* the same evaluations as alignment.csv */
    for (size_t i = 0, j = 0; !st && (i < r->nmodels || j < r->nalign);) {
        long a = i < r->nmodels ? r->models[i].step : -1, b = j < r->nalign ? r->align[j].step : -1;
        if (a != b) {
            st = clnscl_fail(CLNSCL_EFORMAT, "%s: evaluation steps differ from alignment.csv (step %ld here, %ld there)",
                             path, a, b);
            break;
        }
        while (i < r->nmodels && r->models[i].step == a) i++;
        while (j < r->nalign && r->align[j].step == b) j++;
    }
    free(steps);
    free(tw);
    runio_table_free(&t);
    return st;
}

/* ---- config.json ---- */

/* option kind of a config.json key ("text", "int", "real", "0|1"; '_' = '-') or NULL */
static const char *train_kind(const char *key)
{
    char k[64];
    size_t n = strlen(key);
    if (n >= sizeof k) return NULL;
    for (size_t i = 0; i <= n; i++) k[i] = key[i] == '_' ? '-' : key[i];
    const char *name, *kind, *help;
    for (size_t i = 0; clnscl_train_opt_info(i, &name, &kind, &help); i++)
        if (!strcmp(name, k)) return kind;
    return NULL;
}

static void json_show(const cJSON *it, char *buf, size_t cap)
{
    if (cJSON_IsString(it)) snprintf(buf, cap, "\"%.60s\"", it->valuestring);
    else if (cJSON_IsNumber(it)) snprintf(buf, cap, "%.17g", it->valuedouble);
    else if (cJSON_IsBool(it)) snprintf(buf, cap, "%s", cJSON_IsTrue(it) ? "true" : "false");
    else if (cJSON_IsNull(it)) snprintf(buf, cap, "null");
    else if (cJSON_IsArray(it)) snprintf(buf, cap, "an array");
    else snprintf(buf, cap, "an object");
}

/* the configuration values compare and repro read (the trainer writes every option) */
static const char *const CFG_NEEDED[] = {"epochs", "batch", "steps_per_epoch", "tau", "lr", "form", "losses",
                                         "null_twin", "schedule", "lr_scale", "ref_batch", "warmup", "seed"};

static int load_config(const char *path, runio_train *r)
{
    int st = runio_json_read(path, &r->config);
    if (st) return st;
    for (const cJSON *it = r->config->child; it; it = it->next) {
        const char *kind = train_kind(it->string);
        char got[96];
        json_show(it, got, sizeof got);
        if (!kind)
            return clnscl_fail(CLNSCL_EFORMAT, "%s: unknown key \"%s\" (not a `clnscl train` option)", path, it->string);
        double v = cJSON_IsNumber(it) ? it->valuedouble : NAN;
        if (!strcmp(kind, "text")) {
            if (!cJSON_IsString(it))
                return clnscl_fail(CLNSCL_EFORMAT, "%s: \"%s\" must be a string (got %s)", path, it->string, got);
        } else if (!strcmp(kind, "int")) {
            if (!isfinite(v) || v != floor(v) || v < 0 || v > 1e15)
                return clnscl_fail(CLNSCL_EFORMAT, "%s: \"%s\" must be a non-negative integer (got %s)", path,
                                   it->string, got);
        } else if (!strcmp(kind, "real")) {
            if (!isfinite(v))
                return clnscl_fail(CLNSCL_EFORMAT, "%s: \"%s\" must be a finite number (got %s)", path, it->string, got);
        } else if (!cJSON_IsBool(it) && v != 0 && v != 1) {
            return clnscl_fail(CLNSCL_EFORMAT, "%s: \"%s\" must be true or false (got %s)", path, it->string, got);
        }
    }
    for (size_t k = 0; k < sizeof CFG_NEEDED / sizeof *CFG_NEEDED; k++)
        if (!cJSON_GetObjectItemCaseSensitive(r->config, CFG_NEEDED[k]))
            return clnscl_fail(CLNSCL_EFORMAT, "%s: \"%s\" missing", path, CFG_NEEDED[k]);
    /* the trainer's own reader and checks: the run's options are valid options of `clnscl train` */
    clnscl_train_opts_default(&r->opts);
    char *txt = cJSON_PrintUnformatted(r->config);
    if (!txt) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    st = clnscl_train_opts_from_json(&r->opts, txt);
    free(txt);
    if (st) return clnscl_fail(CLNSCL_EFORMAT, "%s: %s", path, clnscl_last_error());
    snprintf(r->opts.out, sizeof r->opts.out, "%s", r->dir); /* checked as non-empty only */
    if (!r->opts.out[0]) snprintf(r->opts.out, sizeof r->opts.out, ".");
    if (clnscl_train_opts_check(&r->opts)) return clnscl_fail(CLNSCL_EFORMAT, "%s: %s", path, clnscl_last_error());
    if (r->opts.steps_per_epoch < 1 || r->opts.steps_per_epoch > 1000000000L)
        return clnscl_fail(CLNSCL_EFORMAT, "%s: \"steps_per_epoch\" must be in 1..1e9 (got %ld)", path,
                           r->opts.steps_per_epoch);
    /* the twins: cl, the other losses, cl2 with the null twin */
    r->nothers = 0;
    for (const char *t = r->opts.losses; *t;) {
        size_t len = strcspn(t, ",");
        if (!(len == 2 && !strncmp(t, "cl", 2)) && len < 8 && r->nothers < 4)
            snprintf(r->others[r->nothers++], 8, "%.*s", (int)len, t);
        t += len + (t[len] == ',');
    }
    if (r->opts.null_twin && r->nothers < 4) snprintf(r->others[r->nothers++], 8, "cl2");
    if (twin_index((const char(*)[8])r->others, r->nothers, "nscl") < 0)
        return clnscl_fail(CLNSCL_EFORMAT, "%s: \"losses\" = \"%s\" has no nscl twin (compare needs CL and NSCL)", path,
                           r->opts.losses);
    return CLNSCL_OK;
}

int runio_train_load(const char *dir, runio_train *r)
{
    memset(r, 0, sizeof *r);
    r->dir = strdup(dir);
    char *pa = runio_join(dir, "alignment.csv");
    char *pm = runio_join(dir, "models.csv");
    char *pc = runio_join(dir, "config.json");
    int st = (!r->dir || !pa || !pm || !pc) ? clnscl_fail(CLNSCL_ENOMEM, "out of memory") : CLNSCL_OK;
    /* every file the trainer writes is required: the configuration first (it fixes the twins and
     * the steps per epoch the tables are checked against) */
    if (!st) st = load_config(pc, r);
    if (!st) st = load_alignment(pa, r);
    if (!st) st = load_models(pm, r);
    free(pa);
    free(pm);
    free(pc);
    if (st) runio_train_free(r);
    return st;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static int distinct_steps(const runio_train *runs, size_t nruns, long **epochs, size_t *n)
{
    size_t tot = 0;
    for (size_t k = 0; k < nruns; k++) tot += runs[k].nalign;
    long *e = malloc((tot ? tot : 1) * sizeof *e);
    if (!e) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    size_t m = 0;
    for (size_t k = 0; k < nruns; k++)
        for (size_t i = 0; i < runs[k].nalign; i++) e[m++] = runs[k].align[i].step;
    qsort(e, m, sizeof *e, cmp_long);
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (u == 0 || e[u - 1] != e[i]) e[u++] = e[i];
    *epochs = e;
    *n = u;
    return CLNSCL_OK;
}

int runio_train_steps(const runio_train *r, long **steps, size_t *n)
{
    return distinct_steps(r, 1, steps, n);
}

int runio_group_steps(const runio_train *runs, size_t nruns, long **steps, size_t *n)
{
    return distinct_steps(runs, nruns, steps, n);
}

const runio_align_row *runio_train_find(const runio_train *r, long step, const char *other)
{
    /* runio_train_load checked that (step, other) is unique */
    for (size_t i = 0; i < r->nalign; i++)
        if (r->align[i].step == step && !strcmp(r->align[i].other, other)) return &r->align[i];
    return NULL;
}

double runio_train_spe(const runio_train *r)
{
    if (r->opts.steps_per_epoch >= 1) return (double)r->opts.steps_per_epoch;
    double spe = 0;
    if (runio_train_cfg_num(r, "steps_per_epoch", &spe) == CLNSCL_OK && spe >= 1) return spe;
    long be = 0, bs = 0;
    for (size_t i = 0; i < r->nalign; i++)
        if (r->align[i].epoch > be || (r->align[i].epoch == be && r->align[i].step > bs)) {
            be = r->align[i].epoch;
            bs = r->align[i].step;
        }
    if (be >= 1 && bs >= be) return (double)bs / (double)be;
    return 1.0;
}

int runio_train_cfg_num(const runio_train *r, const char *key, double *v)
{
    if (!r->config) return 1;
    return runio_json_num(r->config, key, v, 1);
}

int runio_dir_kind(const char *dir)
{
    char *a = runio_join(dir, "alignment.csv"), *t = runio_join(dir, "trajectory.csv");
    int k = 0;
    if (a && clnscl_is_file(a))
        k = 1;
    else if (t && clnscl_is_file(t))
        k = 2;
    free(a);
    free(t);
    return k;
}

/* ---- aggregation --------------------------------------------------------- */

runio_stat runio_stats(const double *x, size_t n)
{
    runio_stat s = {0, 0, 0, 0, 0};
    double m = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i])) continue;
        k++;
        m += (x[i] - m) / (double)k;
        if (k == 1 || x[i] < s.min) s.min = x[i];
        if (k == 1 || x[i] > s.max) s.max = x[i];
    }
    if (k == 0) return s;
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) ss += (x[i] - m) * (x[i] - m);
    s.mean = m;
    s.n = k;
    s.sd = k > 1 ? sqrt(ss / (double)(k - 1)) : 0.0;
    return s;
}

double runio_align_field(const runio_align_row *r, runio_field f)
{
    switch (f) {
    case RUNIO_CKA: return r->cka;
    case RUNIO_CKA_COSINE: return r->cka_cosine;
    case RUNIO_RSA: return r->rsa;
    case RUNIO_WGAP: return r->weight_gap;
    case RUNIO_WGAP_ALL: return r->weight_gap_all;
    }
    return 0;
}

const char *runio_field_name(runio_field f)
{
    static const char *names[] = {"cka", "cka_cosine", "rsa", "weight_gap", "weight_gap_all"};
    return names[f];
}

runio_stat runio_group_stat(const runio_train *runs, size_t nruns, long step, const char *other,
                            runio_field field)
{
    double buf[256];
    size_t n = 0;
    for (size_t k = 0; k < nruns && n < 256; k++) {
        const runio_align_row *r = runio_train_find(&runs[k], step, other);
        if (r) buf[n++] = runio_align_field(r, field);
    }
    return runio_stats(buf, n);
}

int runio_group_has(const runio_train *runs, size_t nruns, const char *other)
{
    for (size_t k = 0; k < nruns; k++)
        for (size_t i = 0; i < runs[k].nalign; i++)
            if (!strcmp(runs[k].align[i].other, other)) return 1;
    return 0;
}
