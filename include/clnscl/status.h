/* clnscl/status.h — status codes and error messages.
 *
 * Library code (core/, bounds/, sim/, train/) never prints and never exits: every
 * fallible function returns a clnscl_status and, on failure, records a one-line
 * human-readable message with clnscl_fail(). Only cli/ prints it, as
 * "clnscl: <message>", and exits with status 2 (bad input) or 1 (internal).
 */
#ifndef CLNSCL_STATUS_H
#define CLNSCL_STATUS_H

typedef enum {
    CLNSCL_OK = 0,
    CLNSCL_EINVAL,      /* impossible parameter or option value            */
    CLNSCL_EIO,         /* file cannot be opened / read / written          */
    CLNSCL_EFORMAT,     /* malformed or truncated file, unsupported dtype  */
    CLNSCL_ESHAPE,      /* mismatched shapes or sizes                      */
    CLNSCL_ENONFINITE,  /* NaN or Inf in the input                         */
    CLNSCL_EDEGENERATE, /* quantity undefined (0/0): constant features ... */
    CLNSCL_ENOMEM,      /* allocation failed or configuration too large    */
    CLNSCL_EINTERRUPTED,/* SIGINT/SIGTERM received; state saved            */
    CLNSCL_EINTERNAL    /* a library call (GSL, LAPACKE) failed            */
} clnscl_status;

/* Record a printf-style message for the current thread and return `code`. */
int clnscl_fail(int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Make s one printable line in place: newline, CR, tab -> ' ', other control bytes -> '?'
 * (messages quote user input, which may hold any bytes). */
void clnscl_fold_line(char *s);

/* The last message recorded on this thread ("" if none). */
const char *clnscl_last_error(void);

/* Short generic name of a status code ("invalid parameter", ...). */
const char *clnscl_strerror(int code);

/* Turn GSL's abort-on-error handler off (idempotent). Called by cli/main and tests. */
void clnscl_gsl_quiet(void);

#endif
