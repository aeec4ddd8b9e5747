/* cli/jobs.c — child-process runner for compare/repro (see jobs.h). */
#include "jobs.h"
#include "clnscl/alloc.h"

#include "runio.h"

#include "clnscl/io.h"
#include "clnscl/progress.h"
#include "clnscl/status.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *job_self_exe(void)
{
    static char buf[4096];
    if (!buf[0]) {
        ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
        if (n <= 0) snprintf(buf, sizeof buf, "/proc/self/exe");
        else buf[n] = '\0';
    }
    return buf;
}

void job_list_init(job_list *l)
{
    memset(l, 0, sizeof *l);
}

static void job_free(job *j)
{
    for (size_t i = 0; i < j->argc; i++) free(j->argv[i]);
    free(j->argv);
    free(j->dir);
    free(j->label);
}

void job_list_free(job_list *l)
{
    for (size_t i = 0; i < l->n; i++) job_free(&l->jobs[i]);
    free(l->jobs);
    memset(l, 0, sizeof *l);
}

int job_list_add(job_list *l, char *const *argv, size_t argc, const char *dir, const char *label,
                 int resumable, size_t *index)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->jobs[i].dir, dir)) {
            if (index) *index = i;
            return CLNSCL_OK;
        }
    int st = clnscl_grow(&l->jobs, &l->cap, l->n + 1, sizeof *l->jobs, 16);
    if (st) return st;
    job *j = &l->jobs[l->n];
    memset(j, 0, sizeof *j);
    j->argv = calloc(argc + 1, sizeof *j->argv);
    int bad = !j->argv;
    for (size_t i = 0; !bad && i < argc; i++) {
        j->argv[i] = strdup(argv[i]);
        if (!j->argv[i]) bad = 1;
        else j->argc = i + 1;
    }
    j->dir = strdup(dir);
    j->label = strdup(label ? label : argv[0]);
    if (bad || !j->dir || !j->label) {
        job_free(j);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    }
    j->resumable = resumable;
    j->status = -1;
    if (index) *index = l->n;
    l->n++;
    return CLNSCL_OK;
}

char *job_dir_for(const char *root, const char *prefix, char *const *argv, size_t argc)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a 64 */
    for (size_t i = 0; i < argc; i++) {
        for (const unsigned char *p = (const unsigned char *)argv[i]; *p; p++) {
            h ^= *p;
            h *= 1099511628211ULL;
        }
        h ^= 0x1f; /* argument separator */
        h *= 1099511628211ULL;
    }
    char name[128];
    snprintf(name, sizeof name, "%s-%016llx", prefix, (unsigned long long)h);
    return runio_join(root, name);
}

static int marker_path(const job *j, char *buf, size_t cap)
{
    return snprintf(buf, cap, "%s/repro.done", j->dir) < (int)cap ? 0 : -1;
}

/* fork + exec "<self> argv… --out DIR [--resume]" with output to DIR/run.log */
static pid_t start(job *j, int single_thread)
{
    if (clnscl_mkdir_p(j->dir)) return -1;
    char ck[4096], logp[4096];
    snprintf(ck, sizeof ck, "%s/checkpoint.bin", j->dir);
    snprintf(logp, sizeof logp, "%s/run.log", j->dir);
    int resume = j->resumable && clnscl_is_file(ck);
    char **av = calloc(j->argc + 6, sizeof *av);
    if (!av) return -1;
    size_t k = 0;
    av[k++] = "clnscl";
    for (size_t i = 0; i < j->argc; i++) av[k++] = j->argv[i];
    av[k++] = "--out";
    av[k++] = j->dir;
    if (resume) av[k++] = "--resume";
    av[k] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(logp, O_WRONLY | O_CREAT | (resume ? O_APPEND : O_TRUNC), 0644);
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0) dup2(nul, 0);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        if (single_thread) {
            setenv("OPENBLAS_NUM_THREADS", "1", 1);
            setenv("OMP_NUM_THREADS", "1", 1);
        }
        setenv("CLNSCL_QUIET", "1", 1);
        execv(job_self_exe(), av);
        _exit(127);
    }
    free(av);
    return pid;
}

/* last non-empty line of a log (for error messages) */
static void last_line(const char *dir, char *out, size_t cap)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/run.log", dir);
    out[0] = '\0';
    FILE *f = fopen(p, "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        size_t L = strlen(line);
        while (L && (line[L - 1] == '\n' || line[L - 1] == '\r')) line[--L] = '\0';
        if (L) snprintf(out, cap, "%s", line);
    }
    fclose(f);
}

int job_list_run(job_list *l, int parallel, const char *what)
{
    if (parallel < 1) parallel = 1;
    size_t todo = 0;
    char mp[4096];
    for (size_t i = 0; i < l->n; i++) {
        job *j = &l->jobs[i];
        if (j->status == 0) continue;
        if (marker_path(j, mp, sizeof mp) == 0 && clnscl_is_file(mp)) {
            j->status = 0;
            j->cached = 1;
            continue;
        }
        todo++;
    }
    if (todo == 0) return CLNSCL_OK;
    /* ETA weights: a run's expected cost (runs differ by orders of magnitude); unknown = the mean */
    double csum = 0, total = 0, done_cost = 0;
    size_t cn = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->jobs[i].status != 0 && l->jobs[i].cost > 0) {
            csum += l->jobs[i].cost;
            cn++;
        }
    double cmean = cn ? csum / (double)cn : 1.0;
    for (size_t i = 0; i < l->n; i++) {
        job *j = &l->jobs[i];
        if (j->status == 0) continue;
        if (!(j->cost > 0)) j->cost = cmean;
        total += j->cost;
    }
    int single = parallel > 1 && todo > 1;
    pid_t *pids = calloc((size_t)parallel, sizeof *pids);
    size_t *which = calloc((size_t)parallel, sizeof *which);
    double *t0 = calloc((size_t)parallel, sizeof *t0);
    if (!pids || !which || !t0) {
        free(pids);
        free(which);
        free(t0);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    }
    clnscl_progress pr;
    clnscl_progress_init(&pr);
    size_t next = 0, done = 0, running = 0;
    int st = CLNSCL_OK;
    size_t failed = (size_t)-1;
    for (;;) {
        while (running < (size_t)parallel && next < l->n && st == CLNSCL_OK) {
            job *j = &l->jobs[next];
            if (j->status == 0) {
                next++;
                continue;
            }
            int slot = 0;
            while (pids[slot]) slot++;
            pid_t pid = start(j, single);
            if (pid < 0) {
                st = clnscl_fail(CLNSCL_EINTERNAL, "cannot start %s run in %s", j->argv[0], j->dir);
                break;
            }
            pids[slot] = pid;
            which[slot] = next;
            t0[slot] = clnscl_now();
            running++;
            next++;
            clnscl_progress_update(&pr, fmin(done_cost / total, 1.0), "%s: %zu/%zu run%s done, started %s", what, done, todo,
                                   todo == 1 ? "" : "s", j->label);
        }
        if (running == 0) break;
        int ws;
        pid_t pid = wait(&ws);
        if (pid < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int s = 0; s < parallel; s++) {
            if (pids[s] != pid) continue;
            job *j = &l->jobs[which[s]];
            j->seconds = clnscl_now() - t0[s];
            j->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
            pids[s] = 0;
            running--;
            done++;
            if (j->status == 0) {
                if (marker_path(j, mp, sizeof mp) == 0) clnscl_write_file_atomic(mp, "done\n", 5);
            } else if (failed == (size_t)-1) {
                failed = which[s];
            }
            done_cost += j->cost;
            clnscl_progress_update(&pr, fmin(done_cost / total, 1.0), "%s: %zu/%zu run%s done (%s: %.1f s)", what, done, todo,
                                   todo == 1 ? "" : "s", j->label, j->seconds);
        }
        if (failed != (size_t)-1 && st == CLNSCL_OK) st = CLNSCL_EINTERNAL; /* stop starting new ones */
    }
    clnscl_progress_done(&pr);
    free(pids);
    free(which);
    free(t0);
    if (failed != (size_t)-1) {
        job *j = &l->jobs[failed];
        char ll[400];
        last_line(j->dir, ll, sizeof ll);
        return clnscl_fail(CLNSCL_EINTERNAL, "%s run failed (exit %d, log %s/run.log): %s", j->label, j->status,
                           j->dir, ll[0] ? ll : "no output");
    }
    return st;
}
