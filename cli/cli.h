/* cli/cli.h — shared helpers of the command line (the only layer that prints and exits).
 *
 * Every subcommand is `int clnscl_cmd_<name>(int argc, char **argv)` with argv[0] = the
 * subcommand name, returning the process exit status: 0 success, 2 bad input (after
 * printing one line "clnscl: <what is wrong>" on stderr), 1 a failed check or an
 * internal error.
 */
#ifndef CLNSCL_CLI_H
#define CLNSCL_CLI_H

#include <stddef.h>

int clnscl_cmd_align(int argc, char **argv);
int clnscl_cmd_bounds(int argc, char **argv);
int clnscl_cmd_sim(int argc, char **argv);
int clnscl_cmd_train(int argc, char **argv);
int clnscl_cmd_loss(int argc, char **argv);
int clnscl_cmd_compare(int argc, char **argv);
int clnscl_cmd_repro(int argc, char **argv);

/* Print "clnscl: <last library error>" and return the exit status for `status`
 * (2 for bad input of any kind, 1 for CLNSCL_EINTERNAL). */
int cli_fail_status(int status);
/* Print "clnscl: <formatted message>" and return 2. */
int cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Strict number parsing: the whole string must parse, finite. Return 0 or print and return 2. */
int cli_parse_double(const char *opt, const char *s, double *out);
int cli_parse_long(const char *opt, const char *s, long *out);

/* A command-line option given twice is an error, not "last one wins": if any --NAME (or
 * --NAME=value) appears twice in argv[1..], print "clnscl: <cmd>: --NAME given twice" and return 2,
 * else 0. `repeatable` (NULL-terminated, names without "--", may be NULL) lists the options that
 * may repeat (e.g. "sweep"). A token after an option that takes a value is that value, so a value
 * that itself starts with "--" is not supported. */
int cli_reject_repeats(int argc, char **argv, const char *const *repeatable);

/* 1 if argv contains -h or --help */
int cli_wants_help(int argc, char **argv);

#endif
