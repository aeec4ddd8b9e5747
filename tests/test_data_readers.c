/* tests/test_data_readers.c — IDX (EDGE_CASES.md D1) and CIFAR (D2) readers, the loader by
 * specification string, class subsets and class-balanced subsets. Fixtures are written to a
 * temporary directory by the test itself. */
#include "check.h"
#include "clnscl/data.h"
#include "clnscl/status.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static char tmpdir[256];

static void path_of(char *buf, const char *name)
{
    snprintf(buf, 512, "%s/%s", tmpdir, name);
}

static void write_bytes(const char *name, const unsigned char *b, size_t len, int gz)
{
    char p[512];
    path_of(p, name);
    if (gz) {
        gzFile g = gzopen(p, "wb");
        if (len) gzwrite(g, b, (unsigned)len);
        gzclose(g);
    } else {
        FILE *f = fopen(p, "wb");
        fwrite(b, 1, len, f);
        fclose(f);
    }
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

/* synthetic IDX pair: n images rows×cols, pixel k of image i = (7i + k) mod 256,
 * label i = i mod 10 */
static size_t make_images(unsigned char *buf, uint32_t n, uint32_t rows, uint32_t cols)
{
    put_be32(buf, 0x00000803);
    put_be32(buf + 4, n); put_be32(buf + 8, rows); put_be32(buf + 12, cols);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < (size_t)rows * cols; k++)
            buf[16 + i * rows * cols + k] = (unsigned char)((7 * i + k) % 256);
    return 16 + (size_t)n * rows * cols;
}

static size_t make_labels(unsigned char *buf, uint32_t n)
{
    put_be32(buf, 0x00000801);
    put_be32(buf + 4, n);
    for (size_t i = 0; i < n; i++) buf[8 + i] = (unsigned char)(i % 10);
    return 8 + (size_t)n;
}

static int read_pair(const char *img, const char *lab, clnscl_dataset *d)
{
    char a[512], b[512];
    path_of(a, img);
    path_of(b, lab);
    return clnscl_idx_read(a, b, 10, d);
}

static void test_idx_valid(void)
{
    unsigned char im[16 + 13 * 5 * 4], lb[8 + 13];
    size_t ni = make_images(im, 13, 5, 4), nl = make_labels(lb, 13);
    write_bytes("img.idx", im, ni, 0);
    write_bytes("lab.idx", lb, nl, 0);
    write_bytes("img.idx.gz", im, ni, 1);
    write_bytes("lab.idx.gz", lb, nl, 1);
    const char *pairs[3][2] = { { "img.idx", "lab.idx" }, { "img.idx.gz", "lab.idx.gz" },
                                { "img.idx.gz", "lab.idx" } };
    for (int t = 0; t < 3; t++) {
        clnscl_dataset d;
        CHECK_STATUS(read_pair(pairs[t][0], pairs[t][1], &d), CLNSCL_OK);
        CHECK(d.n == 13 && d.channels == 1 && d.height == 5 && d.width == 4);
        CHECK(d.num_classes == 10 && clnscl_dataset_dim(&d) == 20);
        int bad = 0;
        for (size_t i = 0; i < 13 && d.x; i++) {
            bad += d.y[i] != (int32_t)(i % 10);
            for (size_t k = 0; k < 20; k++)
                bad += d.x[i * 20 + k] != (float)((7 * i + k) % 256) / 255.0f;
        }
        CHECK_MSG(bad == 0, "%d wrong pixels/labels in pair %d", bad, t);
        clnscl_dataset_free(&d);
        CHECK(d.x == NULL && d.n == 0);
    }
}

/* every malformed case of D1, plain and gzip */
static void test_idx_malformed(void)
{
    unsigned char im[16 + 6 * 3 * 3 + 8], lb[8 + 6 + 8], bad[128];
    size_t ni = make_images(im, 6, 3, 3), nl = make_labels(lb, 6);
    for (int gz = 0; gz <= 1; gz++) {
        clnscl_dataset d;
        write_bytes("good_img", im, ni, gz);
        write_bytes("good_lab", lb, nl, gz);
        CHECK_STATUS(read_pair("good_img", "good_lab", &d), CLNSCL_OK);
        clnscl_dataset_free(&d);

        /* byte-swapped magic (little-endian writer) */
        memcpy(bad, im, ni);
        bad[0] = 0x03; bad[1] = 0x08; bad[2] = 0; bad[3] = 0;
        write_bytes("bad", bad, ni, gz);
        CHECK_STATUS(read_pair("bad", "good_lab", &d), CLNSCL_EFORMAT);
        CHECK(strstr(clnscl_last_error(), "byte-swapped") != NULL);
        CHECK(d.x == NULL && d.n == 0);
        /* not IDX at all */
        memcpy(bad, "GARBAGE!", 8);
        write_bytes("bad", bad, ni, gz);
        CHECK_STATUS(read_pair("bad", "good_lab", &d), CLNSCL_EFORMAT);
        /* wrong type byte: 0x0D = float */
        memcpy(bad, im, ni);
        bad[2] = 0x0D;
        write_bytes("bad", bad, ni, gz);
        CHECK_STATUS(read_pair("bad", "good_lab", &d), CLNSCL_EFORMAT);
        CHECK(strstr(clnscl_last_error(), "type byte") != NULL);
        /* wrong dimension count: a label file given as images, and 4 dims */
        CHECK_STATUS(read_pair("good_lab", "good_lab", &d), CLNSCL_EFORMAT);
        CHECK(strstr(clnscl_last_error(), "dimensions") != NULL);
        memcpy(bad, im, ni);
        bad[3] = 4;
        write_bytes("bad", bad, ni, gz);
        CHECK_STATUS(read_pair("bad", "good_lab", &d), CLNSCL_EFORMAT);
        /* a zero dimension */
        memcpy(bad, im, ni);
        put_be32(bad + 8, 0);
        write_bytes("bad", bad, ni, gz);
        CHECK_STATUS(read_pair("bad", "good_lab", &d), CLNSCL_EFORMAT);
        /* header says more images than the file holds (truncation), by one byte */
        write_bytes("bad", im, ni - 1, gz);
        CHECK_STATUS(read_pair("bad", "good_lab", &d), CLNSCL_EFORMAT);
        CHECK(strstr(clnscl_last_error(), "truncated") != NULL);
        /* a header declaring 50 million 28×28 images (39 GB of floats) over 70 bytes: a plain
         * file is refused by its size before allocating (a gzip one cannot be sized up front) */
        if (!gz) {
            memcpy(bad, im, ni);
            put_be32(bad + 4, 50000000u);
            put_be32(bad + 8, 28);
            put_be32(bad + 12, 28);
            write_bytes("bad", bad, ni, gz);
            CHECK_STATUS(read_pair("bad", "good_lab", &d), CLNSCL_EFORMAT);
            CHECK_MSG(strstr(clnscl_last_error(), "declares 50000000 images of 28×28 (39200000016 bytes) but the file "
                                                  "has 70 bytes") != NULL, "%s", clnscl_last_error());
            CHECK(d.x == NULL && d.n == 0);
        }
        /* truncated inside the header */
        write_bytes("bad", im, 10, gz);
        CHECK_STATUS(read_pair("bad", "good_lab", &d), CLNSCL_EFORMAT);
        /* empty file */
        write_bytes("bad", im, 0, gz);
        CHECK_STATUS(read_pair("bad", "good_lab", &d), CLNSCL_EFORMAT);
        /* trailing bytes: sizes disagree with the header */
        memcpy(bad, im, ni);
        bad[ni] = 0; bad[ni + 1] = 0;
        write_bytes("bad", bad, ni + 2, gz);
        CHECK_STATUS(read_pair("bad", "good_lab", &d), CLNSCL_EFORMAT);
        CHECK(strstr(clnscl_last_error(), "disagrees") != NULL);
        memcpy(bad, lb, nl);
        bad[nl] = 1;
        write_bytes("bad", bad, nl + 1, gz);
        CHECK_STATUS(read_pair("good_img", "bad", &d), CLNSCL_EFORMAT);
        /* truncated labels */
        write_bytes("bad", lb, nl - 2, gz);
        CHECK_STATUS(read_pair("good_img", "bad", &d), CLNSCL_EFORMAT);
        /* label out of range */
        memcpy(bad, lb, nl);
        bad[8 + 4] = 10;
        write_bytes("bad", bad, nl, gz);
        CHECK_STATUS(read_pair("good_img", "bad", &d), CLNSCL_EFORMAT);
        CHECK(strstr(clnscl_last_error(), "out of range") != NULL);
        /* label/image count mismatch (a consistent 5-label file) */
        unsigned char lb5[8 + 5];
        size_t n5 = make_labels(lb5, 5);
        write_bytes("bad", lb5, n5, gz);
        CHECK_STATUS(read_pair("good_img", "bad", &d), CLNSCL_ESHAPE);
        CHECK(d.x == NULL && d.y == NULL);
    }
    /* a gzip stream cut in the middle: corrupt/truncated compressed data */
    {
        char p[512];
        unsigned char big[16 + 40 * 28 * 28];
        size_t nb = make_images(big, 40, 28, 28);
        write_bytes("cut.gz", big, nb, 1);
        path_of(p, "cut.gz");
        struct stat st;
        stat(p, &st);
        CHECK(truncate(p, st.st_size / 2) == 0);
        unsigned char lb40[8 + 40];
        write_bytes("lab40", lb40, make_labels(lb40, 40), 0);
        clnscl_dataset d;
        CHECK_STATUS(read_pair("cut.gz", "lab40", &d), CLNSCL_EFORMAT);
        CHECK(d.x == NULL);
    }
    /* missing file */
    clnscl_dataset d;
    CHECK_STATUS(read_pair("does_not_exist", "good_lab", &d), CLNSCL_EIO);
}

static void test_mnist_dir_and_spec(void)
{
    char dir[512], spec[600];
    path_of(dir, "mnistdir");
    mkdir(dir, 0755);
    unsigned char im[16 + 12 * 4 * 4], lb[8 + 12];
    size_t ni = make_images(im, 12, 4, 4), nl = make_labels(lb, 12);
    write_bytes("mnistdir/train-images-idx3-ubyte.gz", im, ni, 1);
    write_bytes("mnistdir/train-labels-idx1-ubyte", lb, nl, 0);   /* plain name fallback */
    clnscl_dataset d;
    snprintf(spec, sizeof spec, "mnist:%s", dir);
    CHECK_STATUS(clnscl_data_load(spec, CLNSCL_SPLIT_TRAIN, &d), CLNSCL_OK);
    CHECK(d.n == 12 && d.height == 4 && strcmp(d.name, "mnist") == 0);
    clnscl_dataset_free(&d);
    /* test split missing: the message names the expected files */
    CHECK_STATUS(clnscl_data_load(spec, CLNSCL_SPLIT_TEST, &d), CLNSCL_EIO);
    CHECK(strstr(clnscl_last_error(), "t10k-images-idx3-ubyte") != NULL);
    /* Fashion-MNIST from a directory without it: the message names the Debian package */
    snprintf(spec, sizeof spec, "fashion-mnist:%s/nowhere", tmpdir);
    CHECK_STATUS(clnscl_data_load(spec, CLNSCL_SPLIT_TRAIN, &d), CLNSCL_EIO);
    CHECK(strstr(clnscl_last_error(), "dataset-fashion-mnist") != NULL);
    /* unknown specifications */
    const char *badspec[] = { "", "mnist", "mnist:", "cifar:x", "imagenet:/data", "fashion" };
    for (size_t i = 0; i < sizeof badspec / sizeof badspec[0]; i++) {
        CHECK_STATUS(clnscl_data_load(badspec[i], CLNSCL_SPLIT_TRAIN, &d), CLNSCL_EINVAL);
        CHECK(d.x == NULL);
    }
}

/* the real Debian package files; values from an independent reader (python gzip/numpy) */
static void test_fashion_mnist_real(void)
{
    struct stat st;
    if (stat(CLNSCL_FASHION_MNIST_DIR "/train-images-idx3-ubyte.gz", &st) != 0) {
        printf("skipping real Fashion-MNIST checks: %s absent (apt-get install "
               "dataset-fashion-mnist)\n", CLNSCL_FASHION_MNIST_DIR);
        return;
    }
    clnscl_dataset tr, te;
    CHECK_STATUS(clnscl_data_load("fashion-mnist", CLNSCL_SPLIT_TRAIN, &tr), CLNSCL_OK);
    CHECK_STATUS(clnscl_data_load("fashion-mnist", CLNSCL_SPLIT_TEST, &te), CLNSCL_OK);
    CHECK(tr.n == 60000 && te.n == 10000);
    /* D1: uncompressed sizes 47,040,016 / 7,840,016 bytes = 16 + n·28·28 */
    CHECK(16 + tr.n * clnscl_dataset_dim(&tr) == 47040016u);
    CHECK(16 + te.n * clnscl_dataset_dim(&te) == 7840016u);
    CHECK(tr.height == 28 && tr.width == 28 && tr.channels == 1 && tr.num_classes == 10);
    CHECK(strcmp(tr.name, "fashion-mnist") == 0);
    const int first_tr[10] = { 9, 0, 0, 3, 0, 2, 7, 2, 5, 5 };
    const int first_te[10] = { 9, 2, 1, 1, 6, 1, 4, 6, 5, 7 };
    for (int i = 0; i < 10 && tr.y && te.y; i++) {
        CHECK(tr.y[i] == first_tr[i]);
        CHECK(te.y[i] == first_te[i]);
    }
    /* byte sums of the first image: 76247 (train) and 33456 (test) */
    double s1 = 0, s2 = 0;
    for (int k = 0; k < 784 && tr.x && te.x; k++) {
        s1 += (double)lrint(tr.x[k] * 255.0);
        s2 += (double)lrint(te.x[k] * 255.0);
    }
    CHECK(s1 == 76247.0);
    CHECK(s2 == 33456.0);
    /* 6000 / 1000 images per class */
    size_t c1[10] = { 0 }, c2[10] = { 0 };
    for (size_t i = 0; i < tr.n; i++) c1[tr.y[i]]++;
    for (size_t i = 0; i < te.n; i++) c2[te.y[i]]++;
    int ok = 1;
    for (int c = 0; c < 10; c++) ok &= c1[c] == 6000 && c2[c] == 1000;
    CHECK(ok);
    /* a balanced 1000-image subset of 3 classes: 334/333/333 */
    int *cls, k;
    CHECK_STATUS(clnscl_data_parse_classes("0,3,5", &cls, &k), CLNSCL_OK);
    CHECK_STATUS(clnscl_data_select_classes(&tr, cls, k), CLNSCL_OK);
    CHECK(tr.n == 18000 && tr.num_classes == 3);
    clnscl_rng r;
    clnscl_rng_seed(&r, 5);
    CHECK_STATUS(clnscl_data_balanced_subset(&tr, 1000, &r), CLNSCL_OK);
    size_t c3[3] = { 0 };
    for (size_t i = 0; i < tr.n; i++) c3[tr.y[i]]++;
    CHECK(tr.n == 1000 && c3[0] == 334 && c3[1] == 333 && c3[2] == 333);
    free(cls);
    clnscl_dataset_free(&tr);
    clnscl_dataset_free(&te);
}

/* D2 synthetic record: pixel (c,h,w) = (c·1024 + h·32 + w) mod 256 */
static size_t make_cifar(unsigned char *buf, size_t n, int label_bytes, size_t first)
{
    size_t rec = (size_t)label_bytes + 3072;
    for (size_t i = 0; i < n; i++) {
        unsigned char *p = buf + i * rec;
        size_t g = first + i;
        if (label_bytes == 1) p[0] = (unsigned char)(g % 10);
        else { p[0] = (unsigned char)(g % 20); p[1] = (unsigned char)(g % 100); }
        for (int k = 0; k < 3072; k++) p[label_bytes + k] = (unsigned char)(k % 256);
    }
    return n * rec;
}

static int cifar_pixels_ok(const clnscl_dataset *d)
{
    int bad = 0;
    for (size_t i = 0; i < d->n; i++)
        for (int c = 0; c < 3; c++)
            for (int h = 0; h < 32; h++)
                for (int w = 0; w < 32; w++) {
                    float v = d->x[i * 3072 + (size_t)c * 1024 + h * 32 + w];
                    bad += v != (float)((c * 1024 + h * 32 + w) % 256) / 255.0f;
                }
    return bad == 0;
}

static void test_cifar(void)
{
    size_t n = 23;
    unsigned char *buf = malloc((n + 1) * 3074);
    char p[512];
    clnscl_dataset d;
    /* CIFAR-10 file */
    size_t len = make_cifar(buf, n, 1, 0);
    write_bytes("c10.bin", buf, len, 0);
    path_of(p, "c10.bin");
    CHECK_STATUS(clnscl_cifar_read(p, 1, 0, 10, &d), CLNSCL_OK);
    CHECK(d.n == n && d.channels == 3 && d.height == 32 && d.width == 32 && d.num_classes == 10);
    int lab_ok = 1;
    for (size_t i = 0; i < d.n; i++) lab_ok &= d.y[i] == (int32_t)(i % 10);
    CHECK(lab_ok);
    CHECK(cifar_pixels_ok(&d));
    clnscl_dataset_free(&d);
    /* read as CIFAR-100 (wrong record size 3074): 23·3073 is not a multiple → rejected */
    CHECK_STATUS(clnscl_cifar_read(p, 2, 1, 100, &d), CLNSCL_EFORMAT);
    /* truncated by one byte */
    write_bytes("c10.bin", buf, len - 1, 0);
    CHECK_STATUS(clnscl_cifar_read(p, 1, 0, 10, &d), CLNSCL_EFORMAT);
    CHECK(strstr(clnscl_last_error(), "record") != NULL && d.x == NULL);
    /* empty file */
    write_bytes("c10.bin", buf, 0, 0);
    CHECK_STATUS(clnscl_cifar_read(p, 1, 0, 10, &d), CLNSCL_EFORMAT);
    /* label out of range */
    buf[3073 * 4] = 10;
    write_bytes("c10.bin", buf, len, 0);
    CHECK_STATUS(clnscl_cifar_read(p, 1, 0, 10, &d), CLNSCL_EFORMAT);
    CHECK(strstr(clnscl_last_error(), "out of range") != NULL);

    /* CIFAR-100 file: coarse and fine labels */
    len = make_cifar(buf, n, 2, 0);
    write_bytes("c100.bin", buf, len, 0);
    path_of(p, "c100.bin");
    CHECK_STATUS(clnscl_cifar_read(p, 2, 1, 100, &d), CLNSCL_OK);
    lab_ok = d.n == n;
    for (size_t i = 0; i < d.n; i++) lab_ok &= d.y[i] == (int32_t)(i % 100);
    CHECK(lab_ok && cifar_pixels_ok(&d));
    clnscl_dataset_free(&d);
    CHECK_STATUS(clnscl_cifar_read(p, 2, 0, 20, &d), CLNSCL_OK);
    lab_ok = d.n == n;
    for (size_t i = 0; i < d.n; i++) lab_ok &= d.y[i] == (int32_t)(i % 20);
    CHECK(lab_ok && cifar_pixels_ok(&d));
    clnscl_dataset_free(&d);
    CHECK_STATUS(clnscl_cifar_read(p, 2, 2, 100, &d), CLNSCL_EINVAL);

    /* CIFAR-10 directory: five train batches concatenated in order, plus the test batch */
    char dir[512], spec[600];
    path_of(dir, "c10dir");
    mkdir(dir, 0755);
    for (int b = 1; b <= 5; b++) {
        char name[64];
        snprintf(name, sizeof name, "c10dir/data_batch_%d.bin", b);
        write_bytes(name, buf, make_cifar(buf, 3, 1, (size_t)(b - 1) * 3), 0);
    }
    snprintf(spec, sizeof spec, "cifar10:%s", dir);
    CHECK_STATUS(clnscl_data_load(spec, CLNSCL_SPLIT_TEST, &d), CLNSCL_EIO);   /* no test file */
    CHECK(strstr(clnscl_last_error(), "test_batch.bin") != NULL);
    write_bytes("c10dir/test_batch.bin", buf, make_cifar(buf, 4, 1, 0), 0);
    CHECK_STATUS(clnscl_data_load(spec, CLNSCL_SPLIT_TRAIN, &d), CLNSCL_OK);
    lab_ok = d.n == 15 && strcmp(d.name, "cifar10") == 0;
    for (size_t i = 0; i < d.n; i++) lab_ok &= d.y[i] == (int32_t)(i % 10);
    CHECK(lab_ok && cifar_pixels_ok(&d));
    clnscl_dataset_free(&d);
    CHECK_STATUS(clnscl_data_load(spec, CLNSCL_SPLIT_TEST, &d), CLNSCL_OK);
    CHECK(d.n == 4);
    clnscl_dataset_free(&d);
    /* CIFAR-100 directory */
    path_of(dir, "c100dir");
    mkdir(dir, 0755);
    write_bytes("c100dir/train.bin", buf, make_cifar(buf, 5, 2, 0), 0);
    snprintf(spec, sizeof spec, "cifar100:%s", dir);
    CHECK_STATUS(clnscl_data_load(spec, CLNSCL_SPLIT_TRAIN, &d), CLNSCL_OK);
    CHECK(d.n == 5 && d.num_classes == 100 && d.y[4] == 4);
    clnscl_dataset_free(&d);
    snprintf(spec, sizeof spec, "cifar100-coarse:%s", dir);
    CHECK_STATUS(clnscl_data_load(spec, CLNSCL_SPLIT_TRAIN, &d), CLNSCL_OK);
    CHECK(d.n == 5 && d.num_classes == 20 && strcmp(d.name, "cifar100-coarse") == 0);
    clnscl_dataset_free(&d);
    CHECK_STATUS(clnscl_data_load(spec, CLNSCL_SPLIT_TEST, &d), CLNSCL_EIO);
    CHECK(strstr(clnscl_last_error(), "test.bin") != NULL);
    free(buf);
}

/* a tiny data set: n images of 2×2 pixels, pixel value = index/255, given labels */
static void tiny(clnscl_dataset *d, const int32_t *y, size_t n, int K)
{
    memset(d, 0, sizeof *d);
    d->n = n; d->channels = 1; d->height = 2; d->width = 2; d->num_classes = K;
    d->x = malloc(n * 4 * sizeof(float));
    d->y = malloc(n * sizeof(int32_t));
    for (size_t i = 0; i < n; i++) {
        d->y[i] = y[i];
        for (int k = 0; k < 4; k++) d->x[i * 4 + k] = (float)i / 255.0f;
    }
    snprintf(d->name, sizeof d->name, "tiny");
}

static void test_classes(void)
{
    int *c, k;
    CHECK_STATUS(clnscl_data_parse_classes("0,3,5", &c, &k), CLNSCL_OK);
    CHECK(k == 3 && c[0] == 0 && c[1] == 3 && c[2] == 5);
    free(c);
    CHECK_STATUS(clnscl_data_parse_classes("7", &c, &k), CLNSCL_OK);
    CHECK(k == 1 && c[0] == 7);
    free(c);
    const char *bad[] = { "", "0,,3", "a", "1,1", "1,", ",1", "-1,2", "2.5", "1 ,2", "5000" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_STATUS(clnscl_data_parse_classes(bad[i], &c, &k), CLNSCL_EINVAL);
        CHECK(c == NULL);
    }
    /* select {3, 0}: labels 3 → 0, 0 → 1, order preserved, pixels follow their labels */
    int32_t y[12];
    for (int i = 0; i < 12; i++) y[i] = i % 5;
    clnscl_dataset d;
    tiny(&d, y, 12, 5);
    int sel[2] = { 3, 0 };
    CHECK_STATUS(clnscl_data_select_classes(&d, sel, 2), CLNSCL_OK);
    /* kept original indices: 0,3,5,8,10 with labels 0,3,0,3,0 */
    const int kept[5] = { 0, 3, 5, 8, 10 }, lab[5] = { 1, 0, 1, 0, 1 };
    CHECK(d.n == 5 && d.num_classes == 2);
    for (int i = 0; i < 5 && (size_t)i < d.n; i++) {
        CHECK(d.y[i] == lab[i]);
        CHECK(d.x[i * 4 + 3] == (float)kept[i] / 255.0f);
    }
    int one[1] = { 1 }, outside[2] = { 0, 1 }, dup[2] = { 1, 1 };
    CHECK_STATUS(clnscl_data_select_classes(&d, one, 1), CLNSCL_EINVAL);
    CHECK_STATUS(clnscl_data_select_classes(&d, dup, 2), CLNSCL_EINVAL);
    clnscl_dataset_free(&d);
    tiny(&d, y, 12, 6);   /* class 5 declared but absent */
    outside[1] = 5;
    CHECK_STATUS(clnscl_data_select_classes(&d, outside, 2), CLNSCL_EINVAL);
    outside[1] = 6;
    CHECK_STATUS(clnscl_data_select_classes(&d, outside, 2), CLNSCL_EINVAL);
    CHECK(d.n == 12);   /* untouched on error */
    clnscl_dataset_free(&d);
}

static void test_balanced(void)
{
    /* 3 classes with 10, 4 and 20 images, interleaved */
    int32_t y[34];
    size_t n = 0;
    for (int i = 0; i < 20; i++) {
        if (i < 10) y[n++] = 0;
        if (i < 4) y[n++] = 1;
        y[n++] = 2;
    }
    clnscl_dataset a, b, c;
    clnscl_rng r1, r2;
    /* limit 9 → 3 each */
    tiny(&a, y, n, 3);
    clnscl_rng_seed(&r1, 11);
    r2 = r1;
    CHECK_STATUS(clnscl_data_balanced_subset(&a, 9, &r1), CLNSCL_OK);
    size_t cnt[3] = { 0 };
    int ordered = 1;
    for (size_t i = 0; i < a.n; i++) {
        cnt[a.y[i]]++;
        if (i) ordered &= a.x[i * 4] > a.x[(i - 1) * 4];   /* original order kept */
    }
    CHECK(a.n == 9 && cnt[0] == 3 && cnt[1] == 3 && cnt[2] == 3 && ordered);
    /* same RNG state ⇒ same subset */
    tiny(&b, y, n, 3);
    CHECK_STATUS(clnscl_data_balanced_subset(&b, 9, &r2), CLNSCL_OK);
    CHECK(b.n == a.n && memcmp(a.x, b.x, a.n * 4 * sizeof(float)) == 0);
    CHECK(memcmp(&r1, &r2, sizeof r1) == 0);
    clnscl_dataset_free(&a);
    clnscl_dataset_free(&b);
    /* limit 20: quotas 7,7,6; class 1 has only 4 → shortfall 3 filled round-robin: 9,4,7 */
    tiny(&c, y, n, 3);
    CHECK_STATUS(clnscl_data_balanced_subset(&c, 20, &r1), CLNSCL_OK);
    size_t cc[3] = { 0 };
    for (size_t i = 0; i < c.n; i++) cc[c.y[i]]++;
    CHECK(c.n == 20 && cc[0] == 9 && cc[1] == 4 && cc[2] == 7);
    /* limit ≥ n: unchanged, no draws */
    clnscl_rng before = r1;
    CHECK_STATUS(clnscl_data_balanced_subset(&c, 100, &r1), CLNSCL_OK);
    CHECK(c.n == 20 && memcmp(&before, &r1, sizeof r1) == 0);
    CHECK_STATUS(clnscl_data_balanced_subset(&c, 0, &r1), CLNSCL_EINVAL);
    /* gather */
    clnscl_dataset g;
    size_t idx[3] = { 5, 0, 5 };
    CHECK_STATUS(clnscl_dataset_gather(&c, idx, 3, &g), CLNSCL_OK);
    CHECK(g.n == 3 && g.y[0] == c.y[5] && g.x[4] == c.x[0] && g.x[8] == c.x[20]);
    clnscl_dataset_free(&g);
    idx[1] = 20;
    CHECK_STATUS(clnscl_dataset_gather(&c, idx, 3, &g), CLNSCL_EINVAL);
    clnscl_dataset_free(&c);
}

int main(void)
{
    clnscl_gsl_quiet();
    snprintf(tmpdir, sizeof tmpdir, "/tmp/clnscl_test_data_XXXXXX");
    if (!mkdtemp(tmpdir)) { perror("mkdtemp"); return 1; }
    test_idx_valid();
    test_idx_malformed();
    test_mnist_dir_and_spec();
    test_cifar();
    test_classes();
    test_balanced();
    test_fashion_mnist_real();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return check_report();
}
