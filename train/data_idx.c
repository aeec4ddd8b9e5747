/* train/data_idx.c — data sets: MNIST-format IDX reader (gzip or plain), the loader by
 * specification string, class subsets and class-balanced subsets (include/clnscl/data.h).
 * File formats and their traps: EDGE_CASES.md D1. */
#include "clnscl/data.h"
#include "clnscl/io.h"
#include "clnscl/status.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

size_t clnscl_dataset_dim(const clnscl_dataset *d)
{
    return (size_t)d->channels * (size_t)d->height * (size_t)d->width;
}

void clnscl_dataset_free(clnscl_dataset *d)
{
    if (!d) return;
    free(d->x);
    free(d->y);
    memset(d, 0, sizeof *d);
}

/* ---------------------------------------------------------------- IDX files */

static uint32_t be32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Reads exactly len bytes; a short read is truncation. gzread reads plain files as-is. */
static int gz_read_exact(gzFile g, const char *path, void *buf, size_t len, const char *what)
{
    unsigned char *p = buf;
    while (len > 0) {
        unsigned chunk = len > (1u << 30) ? (1u << 30) : (unsigned)len;
        int r = gzread(g, p, chunk);
        if (r < 0) {
            int e;
            const char *msg = gzerror(g, &e);
            return clnscl_fail(CLNSCL_EFORMAT, "%s: corrupt gzip data while reading %s (%s)",
                               path, what, msg);
        }
        if (r == 0)
            return clnscl_fail(CLNSCL_EFORMAT, "%s: truncated: file ends inside the %s", path,
                               what);
        p += r;
        len -= (size_t)r;
    }
    return CLNSCL_OK;
}

/* After the payload: the file must end here (sizes must agree with the header). */
static int gz_expect_eof(gzFile g, const char *path, size_t expected)
{
    unsigned char extra;
    int r = gzread(g, &extra, 1);
    if (r < 0) {
        int e;
        return clnscl_fail(CLNSCL_EFORMAT, "%s: corrupt gzip data (%s)", path, gzerror(g, &e));
    }
    if (r > 0)
        return clnscl_fail(CLNSCL_EFORMAT,
                           "%s: size disagrees with the header: more than the %zu bytes it "
                           "declares", path, expected);
    return CLNSCL_OK;
}

static gzFile gz_open(const char *path)
{
    gzFile g = gzopen(path, "rb");
    if (!g) {
        clnscl_fail(CLNSCL_EIO, "cannot open %s: %s", path, strerror(errno ? errno : ENOENT));
        return NULL;
    }
    gzbuffer(g, 1u << 17);
    return g;
}

/* Parses the IDX header: magic 0x0000 08 ndim, then ndim big-endian uint32 dims. */
static int idx_header(gzFile g, const char *path, int want_ndim, uint32_t *dims)
{
    unsigned char h[16];
    size_t hlen = 4 + 4 * (size_t)want_ndim;
    int s = gz_read_exact(g, path, h, 4, "IDX header");
    if (s) return s;
    uint32_t magic = be32(h);
    if (h[0] != 0 || h[1] != 0) {
        if (h[3] == 0 && h[2] == 0 && (h[1] == 0x08))
            return clnscl_fail(CLNSCL_EFORMAT,
                               "%s: byte-swapped IDX magic 0x%08x (IDX is big-endian)", path,
                               magic);
        return clnscl_fail(CLNSCL_EFORMAT, "%s: not an IDX file (magic 0x%08x)", path, magic);
    }
    if (h[2] != 0x08)
        return clnscl_fail(CLNSCL_EFORMAT,
                           "%s: IDX type byte 0x%02x, only 0x08 (unsigned byte) is supported",
                           path, h[2]);
    if (h[3] != want_ndim)
        return clnscl_fail(CLNSCL_EFORMAT, "%s: IDX file has %d dimensions, expected %d (%s)",
                           path, h[3], want_ndim, want_ndim == 3 ? "images" : "labels");
    s = gz_read_exact(g, path, h + 4, hlen - 4, "IDX header");
    if (s) return s;
    for (int i = 0; i < want_ndim; i++) {
        dims[i] = be32(h + 4 + 4 * i);
        if (dims[i] == 0)
            return clnscl_fail(CLNSCL_EFORMAT, "%s: IDX dimension %d is zero", path, i);
    }
    return CLNSCL_OK;
}

int clnscl_idx_read(const char *images_path, const char *labels_path, int num_classes,
                    clnscl_dataset *out)
{
    memset(out, 0, sizeof *out);
    if (num_classes < 1 || num_classes > 256)
        return clnscl_fail(CLNSCL_EINVAL, "IDX reader: num_classes %d outside [1, 256]",
                           num_classes);
    uint32_t dims[3], ldim[1];
    int s;
    gzFile g = gz_open(images_path);
    if (!g) return CLNSCL_EIO;
    s = idx_header(g, images_path, 3, dims);
    if (s) { gzclose(g); return s; }
    if (dims[1] > 4096 || dims[2] > 4096 || dims[0] > 100000000u) {
        gzclose(g);
        return clnscl_fail(CLNSCL_EFORMAT, "%s: implausible IDX dimensions %u × %u × %u",
                           images_path, dims[0], dims[1], dims[2]);
    }
    size_t n = dims[0], hw = (size_t)dims[1] * dims[2];
    size_t bytes = n * hw, chunk = (size_t)1 << 18;
    /* a plain file: its size against the header before allocating what the header declares */
    struct stat sb;
    if (gzdirect(g) && stat(images_path, &sb) == 0 && S_ISREG(sb.st_mode) && (size_t)sb.st_size < 16 + bytes) {
        gzclose(g);
        return clnscl_fail(CLNSCL_EFORMAT, "%s: truncated: the header declares %zu images of %u×%u (%zu bytes) "
                           "but the file has %lld bytes", images_path, n, dims[1], dims[2], 16 + bytes,
                           (long long)sb.st_size);
    }
    out->x = malloc(bytes * sizeof(float));
    out->y = malloc(n * sizeof(int32_t));
    unsigned char *buf = malloc(chunk > n ? chunk : n);   /* pixel chunks, then labels */
    if (!out->x || !out->y || !buf) {
        gzclose(g);
        free(buf);
        clnscl_dataset_free(out);
        return clnscl_fail(CLNSCL_ENOMEM, "%s: cannot allocate %zu images", images_path, n);
    }
    /* decompress in chunks straight into floats: byte k → exactly (float)k / 255 */
    float lut[256];
    for (int k = 0; k < 256; k++) lut[k] = (float)k / 255.0f;
    for (size_t done = 0; !s && done < bytes; done += chunk) {
        size_t m = bytes - done < chunk ? bytes - done : chunk;
        s = gz_read_exact(g, images_path, buf, m, "image data (size disagrees with header)");
        for (size_t i = 0; !s && i < m; i++) out->x[done + i] = lut[buf[i]];
    }
    if (!s) s = gz_expect_eof(g, images_path, 16 + bytes);
    gzclose(g);

    /* labels */
    if (!s) {
        g = gz_open(labels_path);
        if (!g) s = CLNSCL_EIO;
    }
    if (!s) {
        s = idx_header(g, labels_path, 1, ldim);
        if (!s && ldim[0] != n)
            s = clnscl_fail(CLNSCL_ESHAPE, "%s has %u labels but %s has %zu images",
                            labels_path, ldim[0], images_path, n);
        if (!s)
            s = gz_read_exact(g, labels_path, buf, n, "label data (size disagrees with header)");
        if (!s) s = gz_expect_eof(g, labels_path, 8 + n);
        gzclose(g);
    }
    for (size_t i = 0; !s && i < n; i++) {
        if (buf[i] >= num_classes)
            s = clnscl_fail(CLNSCL_EFORMAT, "%s: label %d at index %zu is out of range "
                            "[0, %d)", labels_path, buf[i], i, num_classes);
        out->y[i] = buf[i];
    }
    free(buf);
    if (s) {
        clnscl_dataset_free(out);
        return s;
    }
    out->n = n;
    out->channels = 1;
    out->height = (int)dims[1];
    out->width = (int)dims[2];
    out->num_classes = num_classes;
    snprintf(out->name, sizeof out->name, "mnist");
    return CLNSCL_OK;
}

static int mnist_load_named(const char *dir, clnscl_split split, const char *name, int is_default,
                            clnscl_dataset *out)
{
    const char *pre = split == CLNSCL_SPLIT_TRAIN ? "train" : "t10k";
    char img[4096], lab[4096];
    const char *kinds[2] = { "images-idx3", "labels-idx1" };
    char *paths[2] = { img, lab };
    for (int k = 0; k < 2; k++) {
        snprintf(paths[k], 4096, "%s/%s-%s-ubyte.gz", dir, pre, kinds[k]);
        if (clnscl_is_file(paths[k])) continue;
        snprintf(paths[k], 4096, "%s/%s-%s-ubyte", dir, pre, kinds[k]);
        if (clnscl_is_file(paths[k])) continue;
        memset(out, 0, sizeof *out);
        if (is_default || strcmp(name, "fashion-mnist") == 0)
            return clnscl_fail(CLNSCL_EIO,
                               "Fashion-MNIST not found: %s/%s-%s-ubyte.gz is missing; install "
                               "the Debian package dataset-fashion-mnist (apt-get install "
                               "dataset-fashion-mnist; files in %s) or pass --data mnist:DIR",
                               dir, pre, kinds[k], CLNSCL_FASHION_MNIST_DIR);
        return clnscl_fail(CLNSCL_EIO,
                           "%s data set not found in %s: expected %s-%s-ubyte.gz (or without "
                           ".gz) — MNIST-format IDX files {train,t10k}-images-idx3-ubyte and "
                           "{train,t10k}-labels-idx1-ubyte", name, dir, pre, kinds[k]);
    }
    int s = clnscl_idx_read(img, lab, 10, out);
    if (s) return s;
    snprintf(out->name, sizeof out->name, "%s", name);
    return CLNSCL_OK;
}

int clnscl_mnist_load(const char *dir, clnscl_split split, clnscl_dataset *out)
{
    return mnist_load_named(dir, split, "mnist", strcmp(dir, CLNSCL_FASHION_MNIST_DIR) == 0, out);
}

int clnscl_data_load(const char *spec, clnscl_split split, clnscl_dataset *out)
{
    memset(out, 0, sizeof *out);
    if (!spec || !*spec)
        return clnscl_fail(CLNSCL_EINVAL, "empty --data specification");
    if (strcmp(spec, "fashion-mnist") == 0)
        return mnist_load_named(CLNSCL_FASHION_MNIST_DIR, split, "fashion-mnist", 1, out);
    const char *colon = strchr(spec, ':');
    if (colon && colon[1]) {
        size_t plen = (size_t)(colon - spec);
        const char *dir = colon + 1;
        if (plen == 13 && strncmp(spec, "fashion-mnist", plen) == 0)
            return mnist_load_named(dir, split, "fashion-mnist", 0, out);
        if (plen == 5 && strncmp(spec, "mnist", plen) == 0)
            return mnist_load_named(dir, split, "mnist", 0, out);
        if (plen == 7 && strncmp(spec, "cifar10", plen) == 0)
            return clnscl_cifar_load(dir, 10, split, out);
        if (plen == 8 && strncmp(spec, "cifar100", plen) == 0)
            return clnscl_cifar_load(dir, 100, split, out);
        if (plen == 15 && strncmp(spec, "cifar100-coarse", plen) == 0)
            return clnscl_cifar_load(dir, 20, split, out);
    }
    return clnscl_fail(CLNSCL_EINVAL,
                       "unknown --data '%s' (expected fashion-mnist, fashion-mnist:DIR, "
                       "mnist:DIR, cifar10:DIR, cifar100:DIR or cifar100-coarse:DIR)", spec);
}

/* ----------------------------------------------------------------- subsets */

int clnscl_data_parse_classes(const char *list, int **classes, int *k)
{
    *classes = NULL;
    *k = 0;
    if (!list || !*list)
        return clnscl_fail(CLNSCL_EINVAL, "--classes: empty list");
    size_t cap = 1;
    for (const char *p = list; *p; p++) cap += *p == ',';
    int *c = malloc(cap * sizeof *c);
    if (!c) return clnscl_fail(CLNSCL_ENOMEM, "--classes: out of memory");
    int m = 0;
    const char *p = list;
    for (;;) {
        char *end;
        errno = 0;
        if (*p < '0' || *p > '9') {
            free(c);
            return clnscl_fail(CLNSCL_EINVAL, "--classes '%s': expected comma-separated class "
                               "ids (non-negative integers)", list);
        }
        long v = strtol(p, &end, 10);
        if (errno || v >= 1000 || (*end != ',' && *end != '\0')) {
            free(c);
            return clnscl_fail(CLNSCL_EINVAL, "--classes '%s': bad class id near '%s'", list, p);
        }
        for (int j = 0; j < m; j++)
            if (c[j] == (int)v) {
                free(c);
                return clnscl_fail(CLNSCL_EINVAL, "--classes '%s': class %ld listed twice", list,
                                   v);
            }
        c[m++] = (int)v;
        if (*end == '\0') break;
        p = end + 1;
    }
    *classes = c;
    *k = m;
    return CLNSCL_OK;
}

/* Keeps the rows with keep[i] != 0, in order, compacting x and y in place. */
static void compact(clnscl_dataset *d, const unsigned char *keep)
{
    size_t dim = clnscl_dataset_dim(d), m = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (!keep[i]) continue;
        if (m != i) {
            memmove(d->x + m * dim, d->x + i * dim, dim * sizeof(float));
            d->y[m] = d->y[i];
        }
        m++;
    }
    d->n = m;
}

int clnscl_data_select_classes(clnscl_dataset *d, const int *classes, int k)
{
    if (k < 2)
        return clnscl_fail(CLNSCL_EINVAL, "--classes needs at least 2 classes, got %d", k);
    int map[1024];
    if (d->num_classes > 1024)
        return clnscl_fail(CLNSCL_EINVAL, "too many classes (%d)", d->num_classes);
    for (int c = 0; c < d->num_classes; c++) map[c] = -1;
    for (int j = 0; j < k; j++) {
        if (classes[j] < 0 || classes[j] >= d->num_classes)
            return clnscl_fail(CLNSCL_EINVAL, "--classes: class %d is not in %s (classes 0..%d)",
                               classes[j], d->name, d->num_classes - 1);
        if (map[classes[j]] >= 0)
            return clnscl_fail(CLNSCL_EINVAL, "--classes: class %d listed twice", classes[j]);
        map[classes[j]] = j;
    }
    size_t *count = calloc((size_t)k, sizeof *count);
    unsigned char *keep = malloc(d->n ? d->n : 1);
    if (!count || !keep) {
        free(count);
        free(keep);
        return clnscl_fail(CLNSCL_ENOMEM, "--classes: out of memory");
    }
    for (size_t i = 0; i < d->n; i++) {
        int j = map[d->y[i]];
        keep[i] = j >= 0;
        if (j >= 0) count[j]++;
    }
    for (int j = 0; j < k; j++)
        if (count[j] == 0) {
            int c = classes[j];
            free(count);
            free(keep);
            return clnscl_fail(CLNSCL_EINVAL, "--classes: class %d has no images in %s", c,
                               d->name);
        }
    free(count);
    compact(d, keep);
    free(keep);
    for (size_t i = 0; i < d->n; i++) d->y[i] = map[d->y[i]];
    d->num_classes = k;
    return CLNSCL_OK;
}

int clnscl_data_balanced_subset(clnscl_dataset *d, size_t limit, clnscl_rng *rng)
{
    if (limit == 0)
        return clnscl_fail(CLNSCL_EINVAL, "subset limit must be positive");
    if (limit >= d->n) return CLNSCL_OK;
    int K = d->num_classes;
    size_t *order = malloc(d->n * sizeof *order);       /* indices grouped by class */
    size_t *start = calloc((size_t)K + 1, sizeof *start);
    size_t *take = calloc((size_t)K, sizeof *take);
    unsigned char *keep = calloc(d->n, 1);
    if (!order || !start || !take || !keep) {
        free(order); free(start); free(take); free(keep);
        return clnscl_fail(CLNSCL_ENOMEM, "subset: out of memory");
    }
    for (size_t i = 0; i < d->n; i++) start[d->y[i] + 1]++;
    for (int c = 0; c < K; c++) start[c + 1] += start[c];
    {
        size_t *fill = calloc((size_t)K, sizeof *fill);
        if (!fill) {
            free(order); free(start); free(take); free(keep);
            return clnscl_fail(CLNSCL_ENOMEM, "subset: out of memory");
        }
        for (size_t i = 0; i < d->n; i++) order[start[d->y[i]] + fill[d->y[i]]++] = i;
        free(fill);
    }
    /* quotas: ⌊limit/K⌋ each, +1 for the first limit mod K classes, capped by availability;
     * the shortfall is handed out round-robin over classes that still have images */
    size_t assigned = 0;
    for (int c = 0; c < K; c++) {
        size_t avail = start[c + 1] - start[c];
        size_t q = limit / (size_t)K + ((size_t)c < limit % (size_t)K);
        take[c] = q < avail ? q : avail;
        assigned += take[c];
    }
    while (assigned < limit) {
        for (int c = 0; c < K && assigned < limit; c++)
            if (take[c] < start[c + 1] - start[c]) { take[c]++; assigned++; }
    }
    /* per class: partial Fisher–Yates, the first take[c] positions are the sample */
    for (int c = 0; c < K; c++) {
        size_t *a = order + start[c], m = start[c + 1] - start[c];
        for (size_t i = 0; i < take[c]; i++) {
            size_t j = i + (size_t)clnscl_rng_below(rng, m - i);
            size_t t = a[i]; a[i] = a[j]; a[j] = t;
            keep[a[i]] = 1;
        }
    }
    compact(d, keep);
    free(order); free(start); free(take); free(keep);
    return CLNSCL_OK;
}

int clnscl_dataset_gather(const clnscl_dataset *src, const size_t *idx, size_t m,
                          clnscl_dataset *out)
{
    memset(out, 0, sizeof *out);
    size_t dim = clnscl_dataset_dim(src);
    for (size_t i = 0; i < m; i++)
        if (idx[i] >= src->n)
            return clnscl_fail(CLNSCL_EINVAL, "gather: index %zu out of range (n = %zu)", idx[i],
                               src->n);
    out->x = malloc((m ? m : 1) * dim * sizeof(float));
    out->y = malloc((m ? m : 1) * sizeof(int32_t));
    if (!out->x || !out->y) {
        clnscl_dataset_free(out);
        return clnscl_fail(CLNSCL_ENOMEM, "gather: cannot allocate %zu images", m);
    }
    for (size_t i = 0; i < m; i++) {
        memcpy(out->x + i * dim, src->x + idx[i] * dim, dim * sizeof(float));
        out->y[i] = src->y[idx[i]];
    }
    out->n = m;
    out->channels = src->channels;
    out->height = src->height;
    out->width = src->width;
    out->num_classes = src->num_classes;
    memcpy(out->name, src->name, sizeof out->name);
    return CLNSCL_OK;
}
