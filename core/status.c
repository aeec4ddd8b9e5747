/* core/status.c — thread-local error message buffer (see clnscl/status.h). */
#include "clnscl/status.h"

#include <gsl/gsl_errno.h>
#include <stdarg.h>
#include <stdio.h>

static _Thread_local char clnscl_msg[1024];

int clnscl_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(clnscl_msg, sizeof clnscl_msg, fmt, ap);
    va_end(ap);
    /* messages are one line: fold any newline a caller let through */
    for (char *p = clnscl_msg; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
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
