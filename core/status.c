/* core/status.c — thread-local error message buffer (see clnscl/status.h). */
#include "clnscl/status.h"

#include <gsl/gsl_errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char clnscl_msg[1024];

void clnscl_fold_line(char *s)
{
    for (unsigned char *p = (unsigned char *)s; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t') *p = ' ';
        else if (*p < 0x20 || *p == 0x7f) *p = '?';
}

int clnscl_fail(int code, const char *fmt, ...)
{
    /* format into a scratch buffer first: a caller may pass clnscl_last_error() as an argument
     * ("%s: %s", what, clnscl_last_error()) */
    char buf[sizeof clnscl_msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    clnscl_fold_line(buf);
    memcpy(clnscl_msg, buf, sizeof buf);
    return code;
}

const char *clnscl_last_error(void) { return clnscl_msg; }

const char *clnscl_strerror(int code)
{
    switch (code) {
    case CLNSCL_OK: return "ok";
    case CLNSCL_EINVAL: return "invalid parameter";
    case CLNSCL_EIO: return "input/output error";
    case CLNSCL_EFORMAT: return "malformed file";
    case CLNSCL_ESHAPE: return "shape mismatch";
    case CLNSCL_ENONFINITE: return "non-finite value";
    case CLNSCL_EDEGENERATE: return "undefined (degenerate input)";
    case CLNSCL_ENOMEM: return "out of memory";
    case CLNSCL_EINTERRUPTED: return "interrupted";
    default: return "internal error";
    }
}

void clnscl_gsl_quiet(void) { gsl_set_error_handler_off(); }
