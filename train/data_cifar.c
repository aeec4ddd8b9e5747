/* train/data_cifar.c — CIFAR-10 / CIFAR-100 binary batches (include/clnscl/data.h).
 * Record = label byte(s) + 3072 pixel bytes, planar R[1024] G[1024] B[1024], each 32×32
 * row-major (EDGE_CASES.md D2: a wrong record offset shifts a pixel column silently). */
#include "clnscl/data.h"
#include "clnscl/status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CIFAR_PIXELS 3072

/* Appends the records of one file to out (which may already hold records). */
static int cifar_append(const char *path, int label_bytes, int label_index, int num_classes,
                        clnscl_dataset *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) return clnscl_fail(CLNSCL_EIO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return clnscl_fail(CLNSCL_EIO, "%s is not a regular file", path);
    }
    size_t rec = (size_t)label_bytes + CIFAR_PIXELS, size = (size_t)st.st_size;
    if (size == 0 || size % rec != 0) {
        fclose(f);
        return clnscl_fail(CLNSCL_EFORMAT,
                           "%s: size %zu bytes is not a whole number of %zu-byte CIFAR-%s "
                           "records (truncated or wrong data set?)", path, size, rec,
                           label_bytes == 1 ? "10" : "100");
    }
    size_t m = size / rec, n0 = out->n;
    float *x = realloc(out->x, (n0 + m) * CIFAR_PIXELS * sizeof(float));
    if (x) out->x = x;
    int32_t *y = realloc(out->y, (n0 + m) * sizeof(int32_t));
    if (y) out->y = y;
    unsigned char *buf = malloc(rec * 256);
    if (!x || !y || !buf) {
        free(buf);
        fclose(f);
        return clnscl_fail(CLNSCL_ENOMEM, "%s: cannot allocate %zu images", path, n0 + m);
    }
    float lut[256];   /* byte → [0,1], exactly (float)k / 255 */
    for (int k = 0; k < 256; k++) lut[k] = (float)k / 255.0f;
    for (size_t i = 0; i < m;) {
        size_t chunk = m - i < 256 ? m - i : 256;
        if (fread(buf, rec, chunk, f) != chunk) {
            free(buf);
            fclose(f);
            return clnscl_fail(CLNSCL_EFORMAT, "%s: truncated at record %zu", path, i);
        }
        for (size_t r = 0; r < chunk; r++) {
            const unsigned char *p = buf + r * rec;
            int lab = p[label_index];
            if (lab >= num_classes) {
                free(buf);
                fclose(f);
                return clnscl_fail(CLNSCL_EFORMAT, "%s: label %d of record %zu is out of range "
                                   "[0, %d)", path, lab, i + r, num_classes);
            }
            out->y[n0 + i + r] = lab;
            float *dst = out->x + (n0 + i + r) * CIFAR_PIXELS;
            const unsigned char *src = p + label_bytes;
            for (int k = 0; k < CIFAR_PIXELS; k++) dst[k] = lut[src[k]];
        }
        i += chunk;
    }
    free(buf);
    fclose(f);
    out->n = n0 + m;
    return CLNSCL_OK;
}

static int cifar_check_args(int label_bytes, int label_index, int num_classes)
{
    if (label_bytes < 1 || label_bytes > 2 || label_index < 0 || label_index >= label_bytes ||
        num_classes < 1 || num_classes > 256)
        return clnscl_fail(CLNSCL_EINVAL, "CIFAR reader: bad label layout (%d bytes, index %d, "
                           "%d classes)", label_bytes, label_index, num_classes);
    return CLNSCL_OK;
}

static void cifar_shape(clnscl_dataset *d, int num_classes, const char *name)
{
    d->channels = 3;
    d->height = 32;
    d->width = 32;
    d->num_classes = num_classes;
    snprintf(d->name, sizeof d->name, "%s", name);
}

int clnscl_cifar_read(const char *path, int label_bytes, int label_index, int num_classes,
                      clnscl_dataset *out)
{
    memset(out, 0, sizeof *out);
    int s = cifar_check_args(label_bytes, label_index, num_classes);
    if (!s) s = cifar_append(path, label_bytes, label_index, num_classes, out);
    if (s) { clnscl_dataset_free(out); return s; }
    cifar_shape(out, num_classes, label_bytes == 1 ? "cifar10" : "cifar100");
    return CLNSCL_OK;
}

int clnscl_cifar_load(const char *dir, int kind, clnscl_split split, clnscl_dataset *out)
{
    memset(out, 0, sizeof *out);
    const char *files[5];
    int nfiles, label_bytes, label_index, K;
    const char *name;
    if (kind == 10) {
        static const char *tr[5] = { "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                     "data_batch_4.bin", "data_batch_5.bin" };
        if (split == CLNSCL_SPLIT_TRAIN) { memcpy(files, tr, sizeof tr); nfiles = 5; }
        else { files[0] = "test_batch.bin"; nfiles = 1; }
        label_bytes = 1; label_index = 0; K = 10; name = "cifar10";
    } else if (kind == 100 || kind == 20) {
        files[0] = split == CLNSCL_SPLIT_TRAIN ? "train.bin" : "test.bin";
        nfiles = 1;
        label_bytes = 2;
        label_index = kind == 100 ? 1 : 0;
        K = kind;
        name = kind == 100 ? "cifar100" : "cifar100-coarse";
    } else {
        return clnscl_fail(CLNSCL_EINVAL, "CIFAR kind must be 10, 100 or 20, got %d", kind);
    }
    char path[4096];
    for (int i = 0; i < nfiles; i++) {
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (stat(path, &st) != 0)
            return clnscl_fail(CLNSCL_EIO,
                               "%s data set not found: %s is missing (expected the binary "
                               "version: %s in %s)", name, path,
                               kind == 10 ? "data_batch_1..5.bin and test_batch.bin"
                                          : "train.bin and test.bin", dir);
    }
    for (int i = 0; i < nfiles; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        int s = cifar_append(path, label_bytes, label_index, K, out);
        if (s) { clnscl_dataset_free(out); return s; }
    }
    cifar_shape(out, K, name);
    return CLNSCL_OK;
}
