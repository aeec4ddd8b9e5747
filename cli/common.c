/* cli/common.c — error printing and strict argument parsing for all subcommands. */
#include "cli.h"

#include "clnscl/status.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_fail_status(int status)
{
    const char *msg = clnscl_last_error();
    fprintf(stderr, "clnscl: %s\n", (msg && *msg) ? msg : clnscl_strerror(status));
    return status == CLNSCL_EINTERNAL ? 1 : 2;
}

int cli_error(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    clnscl_fold_line(buf); /* one line, whatever bytes the input had */
    fprintf(stderr, "clnscl: %s\n", buf);
    return 2;
}

int cli_parse_double(const char *opt, const char *s, double *out)
{
    char *end;
    if (!s || !*s) return cli_error("%s needs a number", opt);
    errno = 0;
    double v = strtod(s, &end);
    if (*end != '\0' || end == s) return cli_error("%s: '%s' is not a number", opt, s);
    if (!isfinite(v)) return cli_error("%s: '%s' is not a finite number", opt, s);
    if (errno == ERANGE) return cli_error("%s: '%s' is outside the range of normal doubles", opt, s);
    *out = v;
    return 0;
}

int cli_parse_long(const char *opt, const char *s, long *out)
{
    char *end;
    if (!s || !*s) return cli_error("%s needs an integer", opt);
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || end == s) return cli_error("%s: '%s' is not an integer", opt, s);
    if (errno == ERANGE) return cli_error("%s: '%s' is out of range", opt, s);
    *out = v;
    return 0;
}

/* length of the option name of an argv token "--name" or "--name=value" (0 if not an option) */
static size_t opt_name_len(const char *a)
{
    if (a[0] != '-' || a[1] != '-' || !a[2]) return 0;
    const char *eq = strchr(a + 2, '=');
    return eq ? (size_t)(eq - a - 2) : strlen(a + 2);
}

int cli_reject_repeats(int argc, char **argv, const char *const *repeatable)
{
    for (int i = 1; i < argc; i++) {
        size_t li = opt_name_len(argv[i]);
        if (!li) continue;
        int multi = 0;
        for (const char *const *r = repeatable; r && *r && !multi; r++)
            multi = strlen(*r) == li && !strncmp(*r, argv[i] + 2, li);
        if (multi) continue;
        for (int j = i + 1; j < argc; j++)
            if (opt_name_len(argv[j]) == li && !strncmp(argv[i] + 2, argv[j] + 2, li))
                return cli_error("%s: --%.*s given twice", argv[0], (int)li, argv[i] + 2);
    }
    return 0;
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return 1;
    return 0;
}
