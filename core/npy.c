/* core/npy.c — NPY reader (format 1.0/2.0/3.0, numeric dtypes, either byte order,
 * C or Fortran order) and writers (format 1.0, little-endian, C order).
 *
 * Format (numpy.lib.format): magic "\x93NUMPY", major, minor, header length
 * (uint16 LE for 1.x, uint32 LE for 2.x/3.x), then a Python dict literal
 * {'descr': '<f8', 'fortran_order': False, 'shape': (r, c), } padded with spaces
 * and a final '\n', then the raw data.
 */
#include "clnscl/io.h"
#include "clnscl/status.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void clnscl_mat_free(clnscl_mat *m)
{
    if (!m) return;
    free(m->data);
    m->data = NULL;
    m->rows = m->cols = 0;
}

static int host_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* --- header parsing ------------------------------------------------------- */

/* Find the value that follows key `name` (quoted with ' or ") in the dict text. */
static const char *dict_value(const char *h, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = h; *p; p++) {
        if ((*p == '\'' || *p == '"') && !strncmp(p + 1, name, len) && p[1 + len] == *p) {
            const char *q = p + 2 + len;
            while (*q == ' ') q++;
            if (*q != ':') return NULL;
            q++;
            while (*q == ' ') q++;
            return q;
        }
    }
    return NULL;
}

typedef struct {
    char kind;     /* 'f', 'i', 'u', 'b' */
    int size;      /* bytes per element */
    int swap;      /* data byte order differs from the host */
    int fortran;
    int ndim;
    size_t shape[2];
} npy_header;

static int parse_header(const char *path, const char *h, npy_header *o)
{
    static const char *const keys[] = {"descr", "fortran_order", "shape"};
    for (int k = 0; k < 3; k++) { /* a key given twice: numpy's own parser takes the last, ours would take the first */
        const char *v = dict_value(h, keys[k]);
        if (v && dict_value(v, keys[k]))
            return clnscl_fail(CLNSCL_EFORMAT, "%s: '%s' appears twice in the NPY header", path, keys[k]);
    }
    const char *d = dict_value(h, "descr");
    if (!d) return clnscl_fail(CLNSCL_EFORMAT, "%s: NPY header has no 'descr'", path);
    if (*d != '\'' && *d != '"')
        return clnscl_fail(CLNSCL_EFORMAT, "%s: unsupported NPY dtype (structured arrays are not numeric matrices)", path);
    char q = *d++;
    char descr[32];
    size_t k = 0;
    while (*d && *d != q && k + 1 < sizeof descr) descr[k++] = *d++;
    descr[k] = '\0';
    if (*d != q) return clnscl_fail(CLNSCL_EFORMAT, "%s: malformed 'descr' in NPY header", path);
    char order = descr[0], kind = descr[1];
    char *end;
    long size = strtol(descr + 2, &end, 10);
    int ok_order = order == '<' || order == '>' || order == '|' || order == '=';
    int ok = ok_order && *end == '\0' && end != descr + 2 &&
             ((kind == 'f' && (size == 4 || size == 8)) ||
              ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8)) ||
              (kind == 'b' && size == 1));
    if (!ok)
        return clnscl_fail(CLNSCL_EFORMAT,
                           "%s: unsupported NPY dtype '%s' (need float32/float64, int8..int64, uint8..uint64 or bool)",
                           path, descr);
    o->kind = kind;
    o->size = (int)size;
    int little = host_little_endian();
    o->swap = size > 1 && ((order == '<' && !little) || (order == '>' && little));

    const char *f = dict_value(h, "fortran_order");
    if (!f) return clnscl_fail(CLNSCL_EFORMAT, "%s: NPY header has no 'fortran_order'", path);
    if (!strncmp(f, "True", 4)) o->fortran = 1;
    else if (!strncmp(f, "False", 5)) o->fortran = 0;
    else return clnscl_fail(CLNSCL_EFORMAT, "%s: malformed 'fortran_order' in NPY header", path);

    const char *s = dict_value(h, "shape");
    if (!s || *s != '(') return clnscl_fail(CLNSCL_EFORMAT, "%s: NPY header has no 'shape' tuple", path);
    s++;
    o->ndim = 0;
    for (;;) {
        while (*s == ' ') s++;
        if (*s == ')') break;
        if (!isdigit((unsigned char)*s)) return clnscl_fail(CLNSCL_EFORMAT, "%s: malformed 'shape' in NPY header", path);
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno == ERANGE || v > (unsigned long long)(SIZE_MAX / 16))
            return clnscl_fail(CLNSCL_EFORMAT, "%s: NPY shape is too large", path);
        if (o->ndim >= 2) return clnscl_fail(CLNSCL_EFORMAT, "%s: NPY array has more than 2 dimensions", path);
        o->shape[o->ndim++] = (size_t)v;
        s = end;
        while (*s == ' ') s++;
        if (*s == 'L') s++; /* Python 2 long suffix */
        if (*s == ',') s++;
        else if (*s != ')') return clnscl_fail(CLNSCL_EFORMAT, "%s: malformed 'shape' in NPY header", path);
    }
    if (o->ndim == 0) return clnscl_fail(CLNSCL_EFORMAT, "%s: NPY array is 0-dimensional (need a vector or matrix)", path);
    return CLNSCL_OK;
}

static uint64_t load_uint(const unsigned char *p, int size, int swap)
{
    unsigned char b[8] = {0};
    for (int i = 0; i < size; i++) b[i] = swap ? p[size - 1 - i] : p[i];
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    switch (size) {
    case 1: memcpy(&u8, b, 1); return u8;
    case 2: memcpy(&u16, b, 2); return u16;
    case 4: memcpy(&u32, b, 4); return u32;
    default: memcpy(&u64, b, 8); return u64;
    }
}

/* Convert one element to double. */
static double load_elem(const unsigned char *p, const npy_header *h)
{
    uint64_t u = load_uint(p, h->size, h->swap);
    switch (h->kind) {
    case 'f':
        if (h->size == 4) {
            uint32_t u32 = (uint32_t)u;
            float f;
            memcpy(&f, &u32, 4);
            return (double)f;
        } else {
            double d;
            memcpy(&d, &u, 8);
            return d;
        }
    case 'i':
        switch (h->size) {
        case 1: return (double)(int8_t)(uint8_t)u;
        case 2: return (double)(int16_t)(uint16_t)u;
        case 4: return (double)(int32_t)(uint32_t)u;
        default: return (double)(int64_t)u;
        }
    case 'b': return u ? 1.0 : 0.0;
    default: return (double)u;
    }
}

int clnscl_npy_read(const char *path, clnscl_mat *out)
{
    if (!path || !out) return clnscl_fail(CLNSCL_EINVAL, "null argument");
    out->rows = out->cols = 0;
    out->data = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) return clnscl_fail(CLNSCL_EIO, "cannot open %s: %s", path, strerror(errno));
    struct stat sb0;
    if (fstat(fileno(fp), &sb0) == 0 && S_ISDIR(sb0.st_mode)) {
        fclose(fp);
        return clnscl_fail(CLNSCL_EIO, "%s is a directory, not an NPY file", path);
    }
    int st = CLNSCL_OK;
    npy_header h = {0};
    char *hdr = NULL;
    unsigned char *raw = NULL;
    unsigned char pre[12];
    size_t got = fread(pre, 1, 10, fp);
    if (got < 10 || memcmp(pre, "\x93NUMPY", 6) != 0) {
        st = clnscl_fail(CLNSCL_EFORMAT, "%s: not an NPY file (bad magic or truncated header)", path);
        goto done;
    }
    int major = pre[6];
    size_t hlen;
    if (major == 1) {
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
    } else if (major == 2 || major == 3) {
        if (fread(pre + 10, 1, 2, fp) != 2) {
            st = clnscl_fail(CLNSCL_EFORMAT, "%s: truncated NPY header", path);
            goto done;
        }
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
    } else {
        st = clnscl_fail(CLNSCL_EFORMAT, "%s: unsupported NPY format version %d.%d", path, major, pre[7]);
        goto done;
    }
    if (hlen > (1u << 24)) {
        st = clnscl_fail(CLNSCL_EFORMAT, "%s: NPY header length %zu is implausible", path, hlen);
        goto done;
    }
    hdr = malloc(hlen + 1);
    if (!hdr) {
        st = clnscl_fail(CLNSCL_ENOMEM, "out of memory");
        goto done;
    }
    if (fread(hdr, 1, hlen, fp) != hlen) {
        st = clnscl_fail(CLNSCL_EFORMAT, "%s: truncated NPY header", path);
        goto done;
    }
    hdr[hlen] = '\0';
    if (strlen(hdr) != hlen || hlen == 0 || hdr[0] != '{') {
        st = clnscl_fail(CLNSCL_EFORMAT, "%s: malformed NPY header", path);
        goto done;
    }
    if ((st = parse_header(path, hdr, &h))) goto done;
    size_t rows = h.shape[0], cols = h.ndim == 2 ? h.shape[1] : 1;
    if (cols && rows > SIZE_MAX / 8 / cols) {
        st = clnscl_fail(CLNSCL_EFORMAT, "%s: NPY shape is too large", path);
        goto done;
    }
    size_t count = rows * cols, nbytes = count * (size_t)h.size;
    {   /* a regular file's size must match the shape before anything that size is allocated */
        struct stat sb;
        long pos = ftell(fp);
        if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode) && pos >= 0) {
            unsigned long long left = (unsigned long long)sb.st_size - (unsigned long long)pos;
            if (left < nbytes) {
                st = clnscl_fail(CLNSCL_EFORMAT, "%s: truncated NPY data (%llu of %zu bytes for shape %zu x %zu)", path,
                                 left, nbytes, rows, cols);
                goto done;
            }
            if (left > nbytes) {
                st = clnscl_fail(CLNSCL_EFORMAT, "%s: trailing bytes after the NPY data (shape and file size disagree)",
                                 path);
                goto done;
            }
        }
    }
    raw = malloc(nbytes ? nbytes : 1);
    out->data = malloc((count ? count : 1) * sizeof(double));
    if (!raw || !out->data) {
        st = clnscl_fail(CLNSCL_ENOMEM, "out of memory reading %s (%zu x %zu)", path, rows, cols);
        goto done;
    }
    got = fread(raw, 1, nbytes, fp);
    if (got != nbytes) {
        st = clnscl_fail(CLNSCL_EFORMAT, "%s: truncated NPY data (%zu of %zu bytes)", path, got, nbytes);
        goto done;
    }
    if (fgetc(fp) != EOF) {
        st = clnscl_fail(CLNSCL_EFORMAT, "%s: trailing bytes after the NPY data (shape and file size disagree)", path);
        goto done;
    }
    if (h.kind == 'f' && h.size == 8 && !h.swap && (!h.fortran || cols == 1 || rows == 1)) {
        memcpy(out->data, raw, nbytes); /* native float64 in row order: the common case */
    } else if (!h.fortran) {
        for (size_t k = 0; k < count; k++) out->data[k] = load_elem(raw + k * (size_t)h.size, &h);
    } else { /* Fortran order: file element k = (k mod rows, k div rows) */
        size_t k = 0;
        for (size_t j = 0; j < cols; j++)
            for (size_t i = 0; i < rows; i++, k++) out->data[i * cols + j] = load_elem(raw + k * (size_t)h.size, &h);
    }
    out->rows = rows;
    out->cols = cols;
done:
    fclose(fp);
    free(hdr);
    free(raw);
    if (st) {
        free(out->data);
        out->data = NULL;
        out->rows = out->cols = 0;
    }
    return st;
}

/* --- writers --------------------------------------------------------------- */

static int npy_write(const char *path, const char *descr, int size, const void *a, size_t rows, size_t cols)
{
    char dict[256];
    if (cols == 0)
        snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%zu,), }", descr, rows);
    else
        snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%zu, %zu), }", descr, rows,
                 cols);
    size_t dl = strlen(dict);
    size_t total = 10 + dl + 1;
    size_t pad = (64 - total % 64) % 64;
    size_t hlen = dl + pad + 1;
    if (hlen > 65535) return clnscl_fail(CLNSCL_EINVAL, "NPY header too long");
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hlen & 0xff),
                             (unsigned char)(hlen >> 8)};
    size_t count = rows * (cols ? cols : 1);
    clnscl_afile f;
    int st = clnscl_afile_open(&f, path);
    if (st) return st;
    fwrite(pre, 1, 10, f.fp);
    fwrite(dict, 1, dl, f.fp);
    for (size_t i = 0; i < pad; i++) fputc(' ', f.fp);
    fputc('\n', f.fp);
    const unsigned char *p = a;
    if (host_little_endian() || size == 1) {
        fwrite(p, (size_t)size, count, f.fp);
    } else {
        for (size_t k = 0; k < count; k++)
            for (int b = size - 1; b >= 0; b--) fputc(p[k * (size_t)size + (size_t)b], f.fp);
    }
    return clnscl_afile_commit(&f);
}

int clnscl_npy_write_f64(const char *path, const double *a, size_t rows, size_t cols)
{
    return npy_write(path, "<f8", 8, a, rows, cols);
}

int clnscl_npy_write_f32(const char *path, const float *a, size_t rows, size_t cols)
{
    return npy_write(path, "<f4", 4, a, rows, cols);
}

int clnscl_npy_write_i32(const char *path, const int32_t *a, size_t n)
{
    return npy_write(path, "<i4", 4, a, n, 0);
}
