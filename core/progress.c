/* core/progress.c — live progress line on a terminal, sparse plain lines in logs. */
#include "clnscl/progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

double clnscl_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void clnscl_progress_init(clnscl_progress *p)
{
    p->tty = isatty(STDERR_FILENO);
    p->t_start = p->t_last = clnscl_now();
    p->log_interval = 30.0;
    p->quiet = getenv("CLNSCL_QUIET") != NULL;
}

void clnscl_progress_update(clnscl_progress *p, double fraction, const char *fmt, ...)
{
    if (p->quiet) return;
    double now = clnscl_now();
    double min_gap = p->tty ? 0.2 : p->log_interval;
    if (now - p->t_last < min_gap) return;
    p->t_last = now;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    double el = now - p->t_start;
    char eta[64] = "";
    if (fraction > 0.0 && fraction <= 1.0)
        snprintf(eta, sizeof eta, "  %3.0f%%  ETA %.0fs", 100.0 * fraction, el * (1.0 - fraction) / fraction);
    if (p->tty)
        fprintf(stderr, "\r\033[K%s%s", text, eta);
    else
        fprintf(stderr, "[%7.1fs] %s%s\n", el, text, eta);
    fflush(stderr);
}

void clnscl_progress_done(clnscl_progress *p)
{
    if (!p->quiet && p->tty) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}
