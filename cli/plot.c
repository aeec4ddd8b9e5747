/* cli/plot.c — gnuplot scripts + data beside each figure; PNG (pngcairo) and SVG. */
#include "plot.h"
#include "clnscl/io.h"

#include "runio.h"

#include "clnscl/status.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static char *find_on_path(const char *prog)
{
    const char *path = getenv("PATH");
    if (!path || !*path) return NULL;
    char *copy = strdup(path);
    if (!copy) return NULL;
    char *found = NULL;
    for (char *save = NULL, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char *p = runio_join(*d ? d : ".", prog);
        if (p && access(p, X_OK) == 0 && clnscl_is_file(p)) {
            found = p;
            break;
        }
        free(p);
    }
    free(copy);
    return found;
}

/* remove the regular files of a directory (not recursive), then the directory */
static void remove_flat_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char *p = runio_join(dir, e->d_name);
            if (p) unlink(p);
            free(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

int plot_ctx_init(plot_ctx *c, const char *dir)
{
    memset(c, 0, sizeof *c);
    c->final = strdup(dir);
    if (!c->final) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    struct stat sb;
    int st = clnscl_mkdir_p_record(dir, &c->made); /* to remove again on failure */
    if (st) return st;
    char name[64];
    snprintf(name, sizeof name, ".clnscl-stage-%ld", (long)getpid());
    c->dir = runio_join(dir, name);
    if (!c->dir) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    if (stat(c->dir, &sb) == 0) remove_flat_dir(c->dir); /* left by a killed process of this pid */
    if (mkdir(c->dir, 0755) != 0) {
        st = clnscl_fail(CLNSCL_EIO, "cannot create %s: %s", c->dir, strerror(errno));
        free(c->dir);
        c->dir = NULL;
        return st;
    }
    c->gnuplot = find_on_path("gnuplot");
    return CLNSCL_OK;
}

int plot_ctx_commit(plot_ctx *c, const char *last)
{
    DIR *d = opendir(c->dir);
    if (!d) return clnscl_fail(CLNSCL_EIO, "cannot read %s: %s", c->dir, strerror(errno));
    int st = CLNSCL_OK, have_last = 0;
    struct dirent *e;
    for (int pass = 0; pass < 2 && !st; pass++) {
        rewinddir(d);
        while (!st && (e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            int is_last = last && !strcmp(e->d_name, last);
            if (is_last) have_last = 1;
            if (is_last != pass) continue;
            char *from = runio_join(c->dir, e->d_name), *to = runio_join(c->final, e->d_name);
            if (!from || !to) st = clnscl_fail(CLNSCL_ENOMEM, "out of memory");
            else if (rename(from, to) != 0)
                st = clnscl_fail(CLNSCL_EIO, "cannot move %s to %s: %s", from, to, strerror(errno));
            free(from);
            free(to);
        }
        if (!have_last) break;
    }
    closedir(d);
    if (!st) {
        rmdir(c->dir);
        c->committed = 1;
    }
    return st;
}

void plot_ctx_free(plot_ctx *c)
{
    if (!c) return;
    if (c->dir && !c->committed) {
        remove_flat_dir(c->dir);
    }
    /* the directories this call created, innermost first, if nothing else is in them */
    clnscl_made_dirs_release(&c->made, c->dir && !c->committed);
    for (size_t i = 0; i < c->nfigs; i++) free(c->names[i]);
    free(c->names);
    free(c->dir);
    free(c->final);
    free(c->gnuplot);
    memset(c, 0, sizeof *c);
}

void plot_ctx_print_outputs(const plot_ctx *c)
{
    for (size_t i = 0; i < c->nfigs; i++) {
        if (c->gnuplot) printf("%s/%s.png\n%s/%s.svg\n", c->final, c->names[i], c->final, c->names[i]);
        else printf("%s/%s.gp\n", c->final, c->names[i]);
    }
}

void plot_ctx_note_missing(const plot_ctx *c)
{
    if (c->gnuplot || c->nfigs == 0) return;
    fprintf(stderr,
            "clnscl: note: gnuplot not found on PATH; wrote %zu figure script(s) and their data to %s\n"
            "  render them with: apt-get install gnuplot-nox && cd %s && for f in *.gp; do gnuplot \"$f\"; done\n",
            c->nfigs, c->final, c->final);
}

const char *plot_color(const char *other)
{
    if (!strcmp(other, "nscl")) return "#1f5fbf"; /* blue, as the paper */
    if (!strcmp(other, "scl")) return "#d62728";  /* red */
    if (!strcmp(other, "ce")) return "#2ca02c";   /* green */
    if (!strcmp(other, "cl2")) return "#7f7f7f";  /* grey: the null level */
    if (!strcmp(other, "surrogate")) return "#9467bd";
    return "#000000";
}

int plot_data_open(plot_ctx *c, const char *fname, clnscl_afile *a)
{
    char *p = runio_join(c->dir, fname);
    if (!p) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    int st = clnscl_afile_open(a, p);
    free(p);
    return st;
}

int plot_fig_begin(plot_fig *f, plot_ctx *c, const char *name, int w, int h, const char *comment)
{
    memset(f, 0, sizeof *f);
    f->ctx = c;
    f->name = strdup(name);
    if (!f->name) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    size_t L = strlen(name);
    char *fname = malloc(L + 4);
    if (!fname) {
        free(f->name);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    }
    memcpy(fname, name, L);
    memcpy(fname + L, ".gp", 4);
    int st = plot_data_open(c, fname, &f->gp);
    free(fname);
    if (st) {
        free(f->name);
        f->name = NULL;
        return st;
    }
    f->fp = f->gp.fp;
    fprintf(f->fp,
            "# %s.gp — written by clnscl; %s\n"
            "# Data files are beside this script. Render (in this directory): gnuplot %s.gp\n"
            "# -> %s.png (pngcairo) and %s.svg\n"
            "if (!exists(\"outbase\")) outbase = \"%s\"\n"
            "do for [fmt_i = 1:2] {\n"
            "reset\n"
            "if (fmt_i == 1) {\n"
            "    set terminal pngcairo size %d,%d noenhanced font \"Sans,10\"\n"
            "    set output outbase.\".png\"\n"
            "} else {\n"
            "    set terminal svg size %d,%d noenhanced font \"Sans,10\" background rgb \"white\"\n"
            "    set output outbase.\".svg\"\n"
            "}\n"
            "set grid lc rgb \"#dddddd\"\n"
            "set datafile missing \"?\"\n"
            "set key box opaque samplen 2\n"
            "set style fill transparent solid 0.18 noborder\n",
            name, comment ? comment : "", name, name, name, name, w, h, w, h);
    return CLNSCL_OK;
}

void plot_fig_abort(plot_fig *f)
{
    if (f->fp) clnscl_afile_abort(&f->gp);
    free(f->name);
    memset(f, 0, sizeof *f);
}

/* Run gnuplot in the figure directory with outbase = "<tmpbase>". */
static int render(plot_ctx *c, const char *name)
{
    char tmpbase[512], logname[560], expr[600], script[520];
    snprintf(tmpbase, sizeof tmpbase, ".%s.tmp%ld", name, (long)getpid());
    snprintf(logname, sizeof logname, "%s.gnuplot.log", tmpbase);
    snprintf(expr, sizeof expr, "outbase='%s'", tmpbase);
    snprintf(script, sizeof script, "%s.gp", name);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return clnscl_fail(CLNSCL_EINTERNAL, "fork failed: %s", strerror(errno));
    if (pid == 0) {
        if (chdir(c->dir) != 0) _exit(126);
        int devnull = open("/dev/null", O_RDWR);
        int log = open(logname, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 1);
        }
        if (log >= 0) dup2(log, 2);
        execl(c->gnuplot, "gnuplot", "-e", expr, script, (char *)NULL);
        _exit(127);
    }
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {}
    char *logpath = runio_join(c->dir, logname);
    char msg[300] = "";
    int ok = WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
    if (logpath) {
        FILE *lf = fopen(logpath, "r");
        if (lf) {
            char line[300];
            while (fgets(line, sizeof line, lf)) {
                /* gnuplot echoes the failing line, then a line with the error text */
                if (strstr(line, "rror") || strstr(line, "undefined") || !msg[0]) {
                    snprintf(msg, sizeof msg, "%s", line);
                    if (strstr(line, "rror")) break;
                }
            }
            fclose(lf);
        }
        unlink(logpath);
        free(logpath);
    }
    size_t L = strlen(msg);
    while (L && (msg[L - 1] == '\n' || msg[L - 1] == '\r')) msg[--L] = '\0';
    int st = CLNSCL_OK;
    const char *ext[2] = {".png", ".svg"};
    for (int k = 0; k < 2; k++) {
        char from[600], to[600];
        snprintf(from, sizeof from, "%s/%s%s", c->dir, tmpbase, ext[k]);
        snprintf(to, sizeof to, "%s/%s%s", c->dir, name, ext[k]);
        struct stat sb;
        int have = stat(from, &sb) == 0 && sb.st_size > 0;
        if (ok && have) {
            if (rename(from, to) != 0)
                st = clnscl_fail(CLNSCL_EIO, "cannot rename %s to %s: %s", from, to, strerror(errno));
        } else {
            unlink(from);
            if (!st)
                st = clnscl_fail(CLNSCL_EINTERNAL, "gnuplot failed on %s/%s.gp: %s", c->dir, name,
                                 msg[0] ? msg : "no output");
        }
    }
    return st;
}

int plot_fig_end(plot_fig *f)
{
    fprintf(f->fp, "unset multiplot\nset output\n}\n");
    int st = clnscl_afile_commit(&f->gp);
    f->fp = NULL;
    plot_ctx *c = f->ctx;
    if (!st) {
        char **nn = realloc(c->names, (c->nfigs + 1) * sizeof *nn);
        if (!nn) st = clnscl_fail(CLNSCL_ENOMEM, "out of memory");
        else {
            c->names = nn;
            c->names[c->nfigs++] = f->name;
            f->name = NULL;
        }
    }
    if (!st && c->gnuplot) {
        st = render(c, c->names[c->nfigs - 1]);
        if (!st) c->nrendered++;
    }
    free(f->name);
    f->name = NULL;
    return st;
}
