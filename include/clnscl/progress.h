/* clnscl/progress.h — progress reporting for long work.
 * On a terminal (stderr is a tty) a single live line redrawn at most ~5 times a second;
 * in a log (not a tty) a plain line at most every `log_interval` seconds (default 30),
 * or never when CLNSCL_QUIET is set in the environment. */
#ifndef CLNSCL_PROGRESS_H
#define CLNSCL_PROGRESS_H

typedef struct {
    int tty;
    double t_start, t_last;
    double log_interval;
    int quiet;
} clnscl_progress;

void clnscl_progress_init(clnscl_progress *p);
/* fraction in [0,1] for the ETA (negative: unknown); text: what is going on */
void clnscl_progress_update(clnscl_progress *p, double fraction, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* end the live line (newline on a tty) */
void clnscl_progress_done(clnscl_progress *p);
/* seconds since an arbitrary monotonic origin */
double clnscl_now(void);

#endif
