/* tests/test_io.c — NPY/CSV readers on valid and malformed files (fixtures from
 * tests/fixtures/gen_align.py, written by numpy itself), NPY writers, atomic files, mkdir -p. */
#include "check.h"

#include "clnscl/io.h"
#include "clnscl/status.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIX CLNSCL_FIXTURES "/align/"

/* the generator's rule for element (i, j) of the 3 × 4 test matrix */
static double expected(const char *code, size_t i, size_t j)
{
    double b = (double)(4 * i + j);
    if (code[0] == 'f') return 0.5 * b - 2.25;
    if (code[0] == 'i') return b - 5;
    if (code[0] == 'b') return (double)((i + j) % 2);
    if (!strcmp(code, "u1")) return b + 200;
    if (!strcmp(code, "u2")) return b + 60000;
    if (!strcmp(code, "u4")) return b + 4000000000.0;
    return b + 9007199254740992.0; /* u8: + 2^53 */
}

static int matrix_is(const clnscl_mat *m, const char *code)
{
    if (m->rows != 3 || m->cols != 4) return 0;
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 4; j++)
            if (m->data[i * 4 + j] != expected(code, i, j)) return 0;
    return 1;
}

static void test_npy_valid(void)
{
    const char *codes[] = {"f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1"};
    int files = 0;
    for (size_t c = 0; c < sizeof codes / sizeof codes[0]; c++)
        for (int be = 0; be < 2; be++)
            for (int fo = 0; fo < 2; fo++) {
                if (be && (codes[c][1] == '1')) continue; /* 1-byte types have no byte order */
                char path[512];
                snprintf(path, sizeof path, FIX "npy/%s_%s_%s.npy", codes[c], be ? "be" : "le", fo ? "F" : "C");
                clnscl_mat m;
                int st = clnscl_npy_read(path, &m);
                CHECK_MSG(st == CLNSCL_OK, "%s: %s", path, clnscl_last_error());
                CHECK_MSG(st == CLNSCL_OK && matrix_is(&m, codes[c]), "%s: wrong values", path);
                clnscl_mat_free(&m);
                files++;
            }
    CHECK(files == 2 * 11 + 2 * 8);
    for (int v = 2; v <= 3; v++) {
        char path[512];
        snprintf(path, sizeof path, FIX "npy/f8_le_C_v%d.npy", v);
        clnscl_mat m;
        CHECK_STATUS(clnscl_npy_read(path, &m), CLNSCL_OK);
        CHECK(matrix_is(&m, "f8"));
        clnscl_mat_free(&m);
    }
    clnscl_mat m;
    CHECK_STATUS(clnscl_matrix_read(FIX "npy/vec_i4.npy", &m), CLNSCL_OK);
    CHECK(m.rows == 7 && m.cols == 1);
    for (size_t i = 0; i < 7 && m.data; i++) CHECK(m.data[i] == (double)i - 3);
    clnscl_mat_free(&m);
}

static void test_npy_malformed(void)
{
    const char *bad[] = {"bad_magic", "bad_trunc_header", "bad_trunc_data", "bad_trailing", "bad_version",
                         "bad_empty", "bad_noshape", "bad_shape", "bad_c16", "bad_f2", "bad_str",
                         "bad_3d", "bad_struct", "bad_0d"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char path[512];
        snprintf(path, sizeof path, FIX "npy/%s.npy", bad[k]);
        clnscl_mat m = {1, 1, NULL};
        int st = clnscl_npy_read(path, &m);
        CHECK_MSG(st == CLNSCL_EFORMAT, "%s returned %d (%s)", bad[k], st, clnscl_last_error());
        CHECK(m.data == NULL && m.rows == 0);
        CHECK_MSG(strstr(clnscl_last_error(), bad[k]) != NULL, "message names the file: %s", clnscl_last_error());
    }
    clnscl_mat m;
    CHECK(strstr((clnscl_npy_read(FIX "npy/bad_c16.npy", &m), clnscl_last_error()), "unsupported NPY dtype '<c16'"));
    CHECK(strstr((clnscl_npy_read(FIX "npy/bad_trunc_data.npy", &m), clnscl_last_error()), "truncated"));
    CHECK_STATUS(clnscl_npy_read(FIX "npy/does_not_exist.npy", &m), CLNSCL_EIO);
    CHECK_STATUS(clnscl_matrix_read(FIX "refs.txt.bin", &m), CLNSCL_EFORMAT); /* unknown extension */
}

static void test_csv(void)
{
    const char *ok[] = {"ok_header.csv", "ok_crlf.csv", "ok_tab.tsv", "ok_space.txt", "ok_semicolon.csv"};
    const double want[6] = {1, 2, 3, 4, 5, 6.5};
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
        char path[512];
        snprintf(path, sizeof path, FIX "csv/%s", ok[k]);
        clnscl_mat m;
        int st = clnscl_matrix_read(path, &m);
        CHECK_MSG(st == CLNSCL_OK, "%s: %s", ok[k], clnscl_last_error());
        CHECK_MSG(m.rows == 2 && m.cols == 3, "%s: %zu x %zu", ok[k], m.rows, m.cols);
        for (size_t i = 0; st == CLNSCL_OK && i < 6 && m.rows * m.cols == 6; i++) CHECK(m.data[i] == want[i]);
        clnscl_mat_free(&m);
    }
    const char *bad[] = {"bad_ragged.csv", "bad_field.csv", "bad_empty.csv", "bad_header_only.csv",
                         "bad_empty_field.csv"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char path[512];
        snprintf(path, sizeof path, FIX "csv/%s", bad[k]);
        clnscl_mat m;
        int st = clnscl_matrix_read(path, &m);
        CHECK_MSG(st == CLNSCL_EFORMAT, "%s returned %d", bad[k], st);
        CHECK(m.data == NULL);
    }
    clnscl_mat m;
    clnscl_matrix_read(FIX "csv/bad_ragged.csv", &m);
    CHECK(strstr(clnscl_last_error(), "line 2 has 2 fields, expected 3") != NULL);
    clnscl_matrix_read(FIX "csv/bad_field.csv", &m);
    CHECK(strstr(clnscl_last_error(), "line 2, column 2: 'abc' is not a number") != NULL);

    /* the same data as NPY and as 17-digit CSV/TSV read back bitwise equal */
    clnscl_mat a, b;
    CHECK_STATUS(clnscl_matrix_read(FIX "A_X.npy", &a), CLNSCL_OK);
    CHECK_STATUS(clnscl_matrix_read(FIX "A_X.csv", &b), CLNSCL_OK);
    CHECK(a.rows == b.rows && a.cols == b.cols && a.data && b.data &&
          !memcmp(a.data, b.data, a.rows * a.cols * sizeof(double)));
    clnscl_mat_free(&a);
    clnscl_mat_free(&b);
    CHECK_STATUS(clnscl_matrix_read(FIX "A_Y.npy", &a), CLNSCL_OK);
    CHECK_STATUS(clnscl_matrix_read(FIX "A_Y.tsv", &b), CLNSCL_OK);
    CHECK(a.rows == b.rows && a.cols == b.cols && a.data && b.data &&
          !memcmp(a.data, b.data, a.rows * a.cols * sizeof(double)));
    clnscl_mat_free(&a);
    clnscl_mat_free(&b);
}

static int count_tmp_files(const char *dir)
{
    DIR *d = opendir(dir);
    int k = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".tmp.")) k++;
    if (d) closedir(d);
    return k;
}

static void test_writers(void)
{
    char dir[] = "/tmp/clnscl_test_io_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[600], sub[600];
    /* f64 round trip, 2-D and 1-D */
    double a[6] = {1.5, -2, 3e-300, 4e300, 0.1, -0.0};
    snprintf(path, sizeof path, "%s/a.npy", dir);
    CHECK_STATUS(clnscl_npy_write_f64(path, a, 2, 3), CLNSCL_OK);
    clnscl_mat m;
    CHECK_STATUS(clnscl_npy_read(path, &m), CLNSCL_OK);
    CHECK(m.rows == 2 && m.cols == 3 && m.data && !memcmp(m.data, a, sizeof a));
    clnscl_mat_free(&m);
    CHECK_STATUS(clnscl_npy_write_f64(path, a, 6, 0), CLNSCL_OK);
    CHECK_STATUS(clnscl_npy_read(path, &m), CLNSCL_OK);
    CHECK(m.rows == 6 && m.cols == 1);
    clnscl_mat_free(&m);
    /* the header is padded to a multiple of 64 bytes (format 1.0 spec) */
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && (sb.st_size - 6 * 8) % 64 == 0);
    float f[4] = {0.25f, -1.5f, 3.0f, 1e-3f};
    CHECK_STATUS(clnscl_npy_write_f32(path, f, 2, 2), CLNSCL_OK);
    CHECK_STATUS(clnscl_npy_read(path, &m), CLNSCL_OK);
    for (int k = 0; k < 4 && m.data; k++) CHECK(m.data[k] == (double)f[k]);
    clnscl_mat_free(&m);
    int32_t lab[5] = {0, 3, 1, 2, 7};
    snprintf(path, sizeof path, "%s/labels.npy", dir);
    CHECK_STATUS(clnscl_npy_write_i32(path, lab, 5), CLNSCL_OK);
    int32_t *l = NULL;
    size_t nl = 0;
    CHECK_STATUS(clnscl_labels_read(path, &l, &nl), CLNSCL_OK);
    CHECK(nl == 5 && l && !memcmp(l, lab, sizeof lab));
    free(l);
    /* labels must be integral and >= 0 */
    CHECK_STATUS(clnscl_labels_read(FIX "npy/vec_i4.npy", &l, &nl), CLNSCL_EFORMAT);
    CHECK_STATUS(clnscl_labels_read(FIX "npy/f8_le_C.npy", &l, &nl), CLNSCL_ESHAPE);

    /* atomic file: abort leaves nothing, commit renames */
    clnscl_afile af;
    snprintf(path, sizeof path, "%s/out.txt", dir);
    CHECK_STATUS(clnscl_afile_open(&af, path), CLNSCL_OK);
    fputs("partial", af.fp);
    clnscl_afile_abort(&af);
    CHECK(access(path, F_OK) != 0);
    CHECK_STATUS(clnscl_afile_open(&af, path), CLNSCL_OK);
    CHECK(access(path, F_OK) != 0); /* not visible before commit */
    fputs("done\n", af.fp);
    CHECK_STATUS(clnscl_afile_commit(&af), CLNSCL_OK);
    CHECK(stat(path, &sb) == 0 && sb.st_size == 5);
    CHECK_STATUS(clnscl_write_file_atomic(path, "xyz", 3), CLNSCL_OK);
    CHECK(stat(path, &sb) == 0 && sb.st_size == 3);
    CHECK(count_tmp_files(dir) == 0);
    snprintf(sub, sizeof sub, "%s/no/such/dir/x.npy", dir);
    CHECK_STATUS(clnscl_npy_write_f64(sub, a, 2, 3), CLNSCL_EIO);

    /* mkdir -p */
    snprintf(sub, sizeof sub, "%s/p/q/r/", dir);
    CHECK_STATUS(clnscl_mkdir_p(sub), CLNSCL_OK);
    CHECK_STATUS(clnscl_mkdir_p(sub), CLNSCL_OK); /* idempotent */
    CHECK(stat(sub, &sb) == 0 && S_ISDIR(sb.st_mode));
    snprintf(sub, sizeof sub, "%s/out.txt/sub", dir);
    CHECK(clnscl_mkdir_p(sub) != CLNSCL_OK); /* a file is in the way */

    /* finiteness check names row and column */
    double bad[4] = {1, 2, NAN, 4};
    clnscl_mat bm = {2, 2, bad};
    CHECK_STATUS(clnscl_mat_check_finite(&bm, "X"), CLNSCL_ENONFINITE);
    CHECK(strstr(clnscl_last_error(), "X has NaN/Inf at row 1, column 0") != NULL);
    bad[2] = 3;
    CHECK_STATUS(clnscl_mat_check_finite(&bm, "X"), CLNSCL_OK);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    clnscl_gsl_quiet();
    test_npy_valid();
    test_npy_malformed();
    test_csv();
    test_writers();
    return check_report();
}
