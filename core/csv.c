/* core/csv.c — numeric CSV/TSV matrix reader, extension dispatch, label reader,
 * finiteness check. */
#include "clnscl/io.h"
#include "clnscl/status.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Read the whole file into a NUL-terminated buffer. */
static int slurp(const char *path, char **buf, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return clnscl_fail(CLNSCL_EIO, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    for (;;) {
        if (!b) {
            fclose(fp);
            return clnscl_fail(CLNSCL_ENOMEM, "out of memory reading %s", path);
        }
        n += fread(b + n, 1, cap - n - 1, fp);
        if (n < cap - 1) break;
        cap *= 2;
        char *nb = realloc(b, cap);
        if (!nb) free(b);
        b = nb;
    }
    int err = ferror(fp);
    fclose(fp);
    if (err) {
        free(b);
        return clnscl_fail(CLNSCL_EIO, "cannot read %s", path);
    }
    b[n] = '\0';
    if (strlen(b) != n) {
        free(b);
        return clnscl_fail(CLNSCL_EFORMAT, "%s: binary data in a text matrix file", path);
    }
    *buf = b;
    *len = n;
    return CLNSCL_OK;
}

static int is_blank_line(const char *s, const char *e)
{
    for (; s < e; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r') return 0;
    return 1;
}

/* Split [s, e) into fields by `delim` (0 = runs of blanks). Calls `fn` per field
 * with trimmed bounds; returns the number of fields. */
typedef struct {
    const char *s, *e;
} span;

static size_t split_fields(const char *s, const char *e, char delim, span *f, size_t maxf)
{
    size_t k = 0;
    while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t')) e--;
    if (delim == 0) {
        const char *p = s;
        for (;;) {
            while (p < e && (*p == ' ' || *p == '\t')) p++;
            if (p >= e) break;
            const char *q = p;
            while (q < e && *q != ' ' && *q != '\t') q++;
            if (k < maxf) f[k] = (span){p, q};
            k++;
            p = q;
        }
        return k;
    }
    const char *p = s;
    for (;;) {
        const char *q = p;
        while (q < e && *q != delim) q++;
        const char *a = p, *b = q;
        while (a < b && (*a == ' ' || *a == '\t' || *a == '"')) a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '"')) b--;
        if (k < maxf) f[k] = (span){a, b};
        k++;
        if (q >= e) break;
        p = q + 1;
    }
    return k;
}

/* Parse a whole field as a double; 0 on success. */
static int parse_num(span f, double *v)
{
    if (f.s == f.e) return -1;
    char tmp[128];
    size_t l = (size_t)(f.e - f.s);
    if (l >= sizeof tmp) return -1;
    memcpy(tmp, f.s, l);
    tmp[l] = '\0';
    char *end;
    errno = 0;
    *v = strtod(tmp, &end);
    return (*end != '\0' || end == tmp) ? -1 : 0;
}

int clnscl_csv_read(const char *path, clnscl_mat *out)
{
    if (!path || !out) return clnscl_fail(CLNSCL_EINVAL, "null argument");
    out->rows = out->cols = 0;
    out->data = NULL;
    char *buf = NULL;
    size_t len = 0;
    int st = slurp(path, &buf, &len);
    if (st) return st;
    /* first non-blank line decides the delimiter */
    char delim = 0;
    const char *p = buf, *end = buf + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if (!is_blank_line(p, le)) {
            if (memchr(p, '\t', (size_t)(le - p))) delim = '\t';
            else if (memchr(p, ',', (size_t)(le - p))) delim = ',';
            else if (memchr(p, ';', (size_t)(le - p))) delim = ';';
            break;
        }
        p = nl ? nl + 1 : end;
    }
    size_t cap = 1024, n = 0, cols = 0, rows = 0, line = 0;
    double *d = malloc(cap * sizeof *d);
    span *f = NULL;
    size_t fcap = 0;
    int first = 1;
    p = buf;
    while (!st && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line++;
        if (is_blank_line(p, le)) {
            p = nl ? nl + 1 : end;
            continue;
        }
        size_t k = split_fields(p, le, delim, f, fcap);
        if (k > fcap) {
            fcap = k;
            span *nf = realloc(f, fcap * sizeof *f);
            if (!nf) {
                st = clnscl_fail(CLNSCL_ENOMEM, "out of memory reading %s", path);
                break;
            }
            f = nf;
            split_fields(p, le, delim, f, fcap);
        }
        if (first) {
            first = 0;
            cols = k;
            size_t nonnum = 0;
            double v;
            for (size_t j = 0; j < k; j++) nonnum += parse_num(f[j], &v) != 0;
            if (nonnum == k) { /* header row */
                p = nl ? nl + 1 : end;
                continue;
            }
        }
        if (k != cols) {
            st = clnscl_fail(CLNSCL_EFORMAT, "%s: line %zu has %zu fields, expected %zu (ragged rows)", path, line, k,
                             cols);
            break;
        }
        if (n + k > cap) {
            while (n + k > cap) cap *= 2;
            double *nd = realloc(d, cap * sizeof *d);
            if (!nd) {
                st = clnscl_fail(CLNSCL_ENOMEM, "out of memory reading %s", path);
                break;
            }
            d = nd;
        }
        for (size_t j = 0; j < k; j++) {
            if (parse_num(f[j], &d[n + j])) {
                int w = (int)(f[j].e - f[j].s);
                st = clnscl_fail(CLNSCL_EFORMAT, "%s: line %zu, column %zu: '%.*s' is not a number", path, line, j + 1,
                                 w > 40 ? 40 : w, f[j].s);
                break;
            }
        }
        n += k;
        rows++;
        p = nl ? nl + 1 : end;
    }
    free(f);
    free(buf);
    if (!st && rows == 0) st = clnscl_fail(CLNSCL_EFORMAT, "%s: no numeric rows (empty file)", path);
    if (st || !d) {
        free(d);
        return st ? st : clnscl_fail(CLNSCL_ENOMEM, "out of memory reading %s", path);
    }
    out->rows = rows;
    out->cols = cols;
    out->data = d;
    return CLNSCL_OK;
}

static const char *extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    return (dot && (!slash || dot > slash)) ? dot + 1 : "";
}

int clnscl_matrix_read(const char *path, clnscl_mat *out)
{
    if (!path || !out) return clnscl_fail(CLNSCL_EINVAL, "null argument");
    const char *ext = extension(path);
    if (!strcasecmp(ext, "npy")) return clnscl_npy_read(path, out);
    if (!strcasecmp(ext, "csv") || !strcasecmp(ext, "tsv") || !strcasecmp(ext, "txt"))
        return clnscl_csv_read(path, out);
    out->rows = out->cols = 0;
    out->data = NULL;
    return clnscl_fail(CLNSCL_EFORMAT, "%s: unknown file type '.%s' (need .npy, .csv, .tsv or .txt)", path, ext);
}

int clnscl_mat_check_finite(const clnscl_mat *m, const char *what)
{
    for (size_t i = 0; i < m->rows; i++)
        for (size_t j = 0; j < m->cols; j++)
            if (!isfinite(m->data[i * m->cols + j]))
                return clnscl_fail(CLNSCL_ENONFINITE, "%s has NaN/Inf at row %zu, column %zu", what, i, j);
    return CLNSCL_OK;
}

int clnscl_labels_read(const char *path, int32_t **labels, size_t *n)
{
    clnscl_mat m;
    int st = clnscl_matrix_read(path, &m);
    if (st) return st;
    if (m.cols != 1 && m.rows != 1) {
        st = clnscl_fail(CLNSCL_ESHAPE, "%s: labels must be a vector (got %zu x %zu)", path, m.rows, m.cols);
        clnscl_mat_free(&m);
        return st;
    }
    size_t len = m.rows * m.cols;
    int32_t *l = malloc((len ? len : 1) * sizeof *l);
    if (!l) {
        clnscl_mat_free(&m);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory reading %s", path);
    }
    for (size_t k = 0; k < len; k++) {
        double v = m.data[k];
        if (!isfinite(v) || v != floor(v) || v < 0 || v > 2147483647.0) {
            st = clnscl_fail(CLNSCL_EFORMAT, "%s: label %zu is %g (need an integer in [0, 2147483647])", path, k, v);
            break;
        }
        l[k] = (int32_t)v;
    }
    clnscl_mat_free(&m);
    if (st) {
        free(l);
        return st;
    }
    *labels = l;
    *n = len;
    return CLNSCL_OK;
}
