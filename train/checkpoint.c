/* train/checkpoint.c — the checkpoint container (magic, version, config hash, CRC)
 * and the relative weight gap of THEORY.md §5. */
#include "clnscl/train.h"

#include "clnscl/io.h"
#include "clnscl/status.h"

#include <zlib.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char MAGIC[8] = {'C', 'L', 'N', 'S', 'C', 'L', 'C', 'K'};
#define HEADER_BYTES (8 + 4 + 4 + 8 + 8)

static uint32_t crc_of(const void *p, size_t len)
{
    uLong c = crc32(0L, Z_NULL, 0);
    const unsigned char *b = p;
    while (len) { /* crc32 takes a uInt length */
        uInt chunk = len > (1u << 30) ? (1u << 30) : (uInt)len;
        c = crc32(c, b, chunk);
        b += chunk;
        len -= chunk;
    }
    return (uint32_t)c;
}

int clnscl_ckpt_write(const char *path, uint64_t config_hash, const void *payload, size_t len)
{
    clnscl_afile f;
    int st = clnscl_afile_open(&f, path);
    if (st) return st;
    uint32_t version = CLNSCL_CKPT_VERSION, reserved = 0;
    uint64_t n = len;
    uint32_t crc = crc_of(payload, len);
    int ok = fwrite(MAGIC, 1, 8, f.fp) == 8 && fwrite(&version, 4, 1, f.fp) == 1 &&
             fwrite(&reserved, 4, 1, f.fp) == 1 && fwrite(&config_hash, 8, 1, f.fp) == 1 &&
             fwrite(&n, 8, 1, f.fp) == 1 && (len == 0 || fwrite(payload, 1, len, f.fp) == len) &&
             fwrite(&crc, 4, 1, f.fp) == 1;
    if (!ok) {
        clnscl_afile_abort(&f);
        return clnscl_fail(CLNSCL_EIO, "cannot write checkpoint '%s': %s", path, strerror(errno));
    }
    return clnscl_afile_commit(&f);
}

int clnscl_ckpt_read(const char *path, uint64_t config_hash, void **payload, size_t *len)
{
    *payload = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return clnscl_fail(CLNSCL_EIO, "cannot open checkpoint '%s': %s", path, strerror(errno));
    unsigned char h[HEADER_BYTES];
    if (fread(h, 1, HEADER_BYTES, f) != HEADER_BYTES) {
        fclose(f);
        return clnscl_fail(CLNSCL_EFORMAT, "checkpoint '%s' is truncated (no header)", path);
    }
    if (memcmp(h, MAGIC, 8)) {
        fclose(f);
        return clnscl_fail(CLNSCL_EFORMAT, "'%s' is not a clnscl checkpoint (bad magic)", path);
    }
    uint32_t version;
    uint64_t hash, n;
    memcpy(&version, h + 8, 4);
    memcpy(&hash, h + 16, 8);
    memcpy(&n, h + 24, 8);
    if (version != CLNSCL_CKPT_VERSION) {
        fclose(f);
        return clnscl_fail(CLNSCL_EFORMAT, "checkpoint '%s' has version %u, this build reads version %u",
                           path, (unsigned)version, CLNSCL_CKPT_VERSION);
    }
    if (hash != config_hash) {
        fclose(f);
        return clnscl_fail(CLNSCL_EINVAL,
                           "checkpoint '%s' was written with a different configuration "
                           "(hash %016llx, now %016llx): resume with the same options",
                           path, (unsigned long long)hash, (unsigned long long)config_hash);
    }
    if (fseek(f, 0, SEEK_END) || ftell(f) < 0) {
        fclose(f);
        return clnscl_fail(CLNSCL_EIO, "cannot seek in checkpoint '%s'", path);
    }
    uint64_t size = (uint64_t)ftell(f);
    if (size != HEADER_BYTES + n + 4) {
        fclose(f);
        return clnscl_fail(CLNSCL_EFORMAT, "checkpoint '%s' is truncated or has trailing bytes (%llu bytes, expected %llu)",
                           path, (unsigned long long)size, (unsigned long long)(HEADER_BYTES + n + 4));
    }
    fseek(f, HEADER_BYTES, SEEK_SET);
    void *p = malloc(n ? n : 1);
    if (!p) {
        fclose(f);
        return clnscl_fail(CLNSCL_ENOMEM, "checkpoint '%s': cannot allocate %llu bytes", path, (unsigned long long)n);
    }
    uint32_t crc;
    int ok = (n == 0 || fread(p, 1, n, f) == n) && fread(&crc, 4, 1, f) == 1;
    fclose(f);
    if (!ok) {
        free(p);
        return clnscl_fail(CLNSCL_EFORMAT, "checkpoint '%s' is truncated", path);
    }
    if (crc != crc_of(p, n)) {
        free(p);
        return clnscl_fail(CLNSCL_EFORMAT, "checkpoint '%s' is corrupt (CRC mismatch)", path);
    }
    *payload = p;
    *len = n;
    return CLNSCL_OK;
}

/* THEORY.md §5: gap = ‖A − B‖_F / (½(‖A‖_F + ‖B‖_F)), accumulated in double. */
int clnscl_weight_gap(const float *a, const float *b, size_t n, double *out)
{
    double saa = 0, sbb = 0, sdd = 0;
    for (size_t i = 0; i < n; i++) {
        double x = a[i], y = b[i], d = x - y;
        saa += x * x;
        sbb += y * y;
        sdd += d * d;
    }
    double den = 0.5 * (sqrt(saa) + sqrt(sbb));
    if (!(den > 0)) return clnscl_fail(CLNSCL_EDEGENERATE, "weight gap undefined: both tensors are zero");
    double g = sqrt(sdd) / den;
    if (!isfinite(g)) return clnscl_fail(CLNSCL_ENONFINITE, "weight gap is not finite");
    *out = g;
    return CLNSCL_OK;
}
