/* cli/jobs.h — run `clnscl` subcommands as child processes (/proc/self/exe), a few at a time.
 *
 * Used by `compare` (surrogate runs) and `repro` (train and sim runs). Each child runs in its
 * own process (isolation; two children use the two cores); with more than one job at once
 * every child gets OPENBLAS_NUM_THREADS=1. A child's stdout+stderr go to DIR/run.log; a job
 * that exits 0 gets a marker DIR/repro.done so a later call skips it (resumable), and a job
 * whose directory holds a checkpoint (checkpoint.bin) is restarted with --resume when its
 * spec allows it.
 */
#ifndef CLNSCL_CLI_JOBS_H
#define CLNSCL_CLI_JOBS_H

#include <stddef.h>

typedef struct {
    char **argv;     /* subcommand and its arguments (argv[0] = "train", "sim", …) */
    size_t argc;
    char *dir;       /* output directory (passed as --out DIR)                      */
    char *label;     /* short description for progress lines                        */
    int resumable;   /* add --resume when DIR/checkpoint.bin exists                 */
    int status;      /* after the run: exit status (0 ok), -1 not run              */
    int cached;      /* 1 when skipped because DIR/repro.done existed               */
    double seconds;  /* wall time of the run                                        */
    double cost;     /* expected relative cost, for the ETA (0 = the mean of the others) */
} job;

typedef struct {
    job *jobs;
    size_t n, cap;
} job_list;

void job_list_init(job_list *l);
void job_list_free(job_list *l);
/* Adds a job "<argv…> --out DIR" unless an identical DIR is already queued; returns the index
 * through *index. argv is copied. */
int job_list_add(job_list *l, char *const *argv, size_t argc, const char *dir, const char *label,
                 int resumable, size_t *index);

/* Directory name "<root>/<prefix>-<16 hex digits>" from a 64-bit FNV-1a hash of the
 * arguments (order-sensitive), so identical runs share a directory across figures. */
char *job_dir_for(const char *root, const char *prefix, char *const *argv, size_t argc);

/* Runs every job not yet done, up to `parallel` at a time, with a progress line whose ETA
 * weights the finished runs by their cost (runs differ in size by orders of magnitude).
 * Returns CLNSCL_OK when all succeeded; otherwise CLNSCL_EINTERNAL naming the first failed
 * job and its log. */
int job_list_run(job_list *l, int parallel, const char *what);

/* Path of the running executable (readlink /proc/self/exe); static buffer. */
const char *job_self_exe(void);

#endif
