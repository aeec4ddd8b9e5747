/* core/atomic.c — atomic output files (temp + fsync + rename) and mkdir -p. */
#include "clnscl/io.h"
#include "clnscl/status.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int clnscl_is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

int clnscl_is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

int clnscl_afile_open(clnscl_afile *f, const char *path)
{
    if (!f || !path || !*path) return clnscl_fail(CLNSCL_EINVAL, "empty output path");
    f->fp = NULL;
    f->path = f->tmp_path = NULL;
    struct stat sb; /* the rename would replace whatever is there: only ever a regular file */
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
        return clnscl_fail(CLNSCL_EIO, "%s exists and is not a regular file (%s); not replacing it", path,
                           S_ISDIR(sb.st_mode) ? "a directory" : "a device, pipe or socket");
    f->tmp_path = NULL;
    f->path = strdup(path);
    size_t l = strlen(path);
    f->tmp_path = malloc(l + sizeof ".tmp.XXXXXX");
    if (!f->path || !f->tmp_path) {
        free(f->path);
        free(f->tmp_path);
        f->path = f->tmp_path = NULL;
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    }
    memcpy(f->tmp_path, path, l);
    memcpy(f->tmp_path + l, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
    int fd = mkstemp(f->tmp_path);
    if (fd < 0) {
        int e = errno;
        free(f->path);
        free(f->tmp_path);
        f->path = f->tmp_path = NULL;
        return clnscl_fail(CLNSCL_EIO, "cannot create %s: %s", path, strerror(e));
    }
    /* mkstemp creates 0600; give the usual umask-respecting mode */
    mode_t um = umask(0);
    umask(um);
    fchmod(fd, 0666 & ~um);
    f->fp = fdopen(fd, "wb");
    if (!f->fp) {
        close(fd);
        unlink(f->tmp_path);
        free(f->path);
        free(f->tmp_path);
        f->path = f->tmp_path = NULL;
        return clnscl_fail(CLNSCL_EIO, "cannot open %s for writing", path);
    }
    return CLNSCL_OK;
}

static void afile_release(clnscl_afile *f)
{
    free(f->path);
    free(f->tmp_path);
    f->path = f->tmp_path = NULL;
    f->fp = NULL;
}

int clnscl_afile_commit(clnscl_afile *f)
{
    if (!f || !f->fp) return clnscl_fail(CLNSCL_EINVAL, "commit of an unopened file");
    int bad = fflush(f->fp) != 0 || ferror(f->fp);
    if (!bad) bad = fsync(fileno(f->fp)) != 0;
    int e = errno;
    if (fclose(f->fp) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    f->fp = NULL;
    if (!bad && rename(f->tmp_path, f->path) != 0) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        unlink(f->tmp_path);
        int st = clnscl_fail(CLNSCL_EIO, "cannot write %s: %s", f->path, strerror(e));
        afile_release(f);
        return st;
    }
    afile_release(f);
    return CLNSCL_OK;
}

void clnscl_afile_abort(clnscl_afile *f)
{
    if (!f) return;
    if (f->fp) fclose(f->fp);
    if (f->tmp_path) unlink(f->tmp_path);
    afile_release(f);
}

int clnscl_write_file_atomic(const char *path, const void *buf, size_t len)
{
    clnscl_afile f;
    int st = clnscl_afile_open(&f, path);
    if (st) return st;
    if (len && fwrite(buf, 1, len, f.fp) != len) {
        int e = errno;
        clnscl_afile_abort(&f);
        return clnscl_fail(CLNSCL_EIO, "cannot write %s: %s", path, strerror(e));
    }
    return clnscl_afile_commit(&f);
}

int clnscl_mkdir_p(const char *dir) { return clnscl_mkdir_p_record(dir, NULL); }

void clnscl_made_dirs_release(clnscl_made_dirs *made, int remove)
{
    for (int i = made->n; i-- > 0;) {
        if (remove) rmdir(made->path[i]); /* fails, and keeps it, if anything else is in it */
        free(made->path[i]);
    }
    made->n = 0;
}

int clnscl_mkdir_p_record(const char *dir, clnscl_made_dirs *made)
{
    if (!dir || !*dir) return clnscl_fail(CLNSCL_EINVAL, "empty directory name");
    char *p = strdup(dir);
    if (!p) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    size_t l = strlen(p);
    while (l > 1 && p[l - 1] == '/') p[--l] = '\0';
    for (char *s = p + 1;; s++) {
        char c = *s;
        if (c == '/' || c == '\0') {
            *s = '\0';
            if (mkdir(p, 0777) == 0) {
                if (made && made->n < CLNSCL_MADE_DIRS_MAX && !(made->path[made->n++] = strdup(p))) {
                    made->n--;
                    free(p);
                    return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
                }
            } else if (errno != EEXIST) {
                int st = clnscl_fail(CLNSCL_EIO, "cannot create directory %s: %s", p, strerror(errno));
                free(p);
                return st;
            }
            struct stat sb;
            if (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
                int st = clnscl_fail(CLNSCL_EIO, "%s exists and is not a directory", p);
                free(p);
                return st;
            }
            *s = c;
            if (c == '\0') break;
        }
    }
    free(p);
    return CLNSCL_OK;
}
