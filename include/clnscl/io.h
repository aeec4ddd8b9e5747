/* clnscl/io.h — matrices, NPY / CSV readers and writers, atomic output files.
 *
 * Every writer goes through a temporary file in the destination directory and
 * rename(2)s it into place on success, so a failed run leaves no partial output.
 */
#ifndef CLNSCL_IO_H
#define CLNSCL_IO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A dense row-major matrix of doubles that owns its data. A 1-D array reads
 * as rows = length, cols = 1. */
typedef struct {
    size_t rows, cols;
    double *data;
} clnscl_mat;

void clnscl_mat_free(clnscl_mat *m);

/* NPY reader: format versions 1.0, 2.0, 3.0; dtypes float32/float64 and
 * int8..int64 / uint8..uint64 (bool too), either byte order, C or Fortran order;
 * 1-D or 2-D. Converted to double. Truncated / malformed files → CLNSCL_EFORMAT. */
int clnscl_npy_read(const char *path, clnscl_mat *out);

/* Numeric CSV/TSV reader (delimiter detected: ',', '\t', ';' or whitespace).
 * An optional first header row of non-numeric fields is skipped. Ragged rows,
 * empty files and unparsable fields → CLNSCL_EFORMAT with line/column. */
int clnscl_csv_read(const char *path, clnscl_mat *out);

/* Dispatch on extension: .npy → NPY, .csv/.tsv/.txt → CSV. */
int clnscl_matrix_read(const char *path, clnscl_mat *out);

/* Labels: reads any NPY/CSV column vector of integral values ≥ 0 into int32. */
int clnscl_labels_read(const char *path, int32_t **labels, size_t *n);

/* Non-finite check: CLNSCL_ENONFINITE with "<what> has NaN/Inf at row r, column c". */
int clnscl_mat_check_finite(const clnscl_mat *m, const char *what);

/* NPY writers (format 1.0, little-endian, C order), atomic. rows × cols; cols = 0 writes 1-D. */
int clnscl_npy_write_f64(const char *path, const double *a, size_t rows, size_t cols);
int clnscl_npy_write_f32(const char *path, const float *a, size_t rows, size_t cols);
int clnscl_npy_write_i32(const char *path, const int32_t *a, size_t n);

/* 1 if path names a regular file / a directory (after following symbolic links), else 0. */
int clnscl_is_file(const char *path);
int clnscl_is_dir(const char *path);

/* Atomic file: write to "<path>.tmp.XXXXXX", then commit (fflush, fsync, fclose,
 * rename) or abort (fclose, unlink). */
typedef struct {
    FILE *fp;
    char *tmp_path;
    char *path;
} clnscl_afile;

int  clnscl_afile_open(clnscl_afile *f, const char *path);
int  clnscl_afile_commit(clnscl_afile *f);
void clnscl_afile_abort(clnscl_afile *f);
/* whole buffer at once */
int  clnscl_write_file_atomic(const char *path, const void *buf, size_t len);

/* mkdir -p */
int clnscl_mkdir_p(const char *dir);
/* The directories a mkdir -p created (not those that existed), outermost first, so that a
 * call that fails can remove exactly those again. Zero-initialise; several calls may add to one
 * record (beyond CLNSCL_MADE_DIRS_MAX deeper ones are not recorded and stay). */
#define CLNSCL_MADE_DIRS_MAX 64
typedef struct {
    char *path[CLNSCL_MADE_DIRS_MAX];
    int n;
} clnscl_made_dirs;
/* mkdir -p dir, adding the directories it creates to *made */
int clnscl_mkdir_p_record(const char *dir, clnscl_made_dirs *made);
/* remove != 0: rmdir the recorded directories, innermost first (each only if empty); then
 * forget them either way */
void clnscl_made_dirs_release(clnscl_made_dirs *made, int remove);

#endif
