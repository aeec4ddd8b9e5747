/* cli/report.h — DIR/REPORT.md: one verdict row per THEORY.md §7 claim a figure touches.
 *
 * Table columns: claim (§7 number and short text), expected direction, measured numbers
 * (mean ± sd over seeds), verdict (PASS / FAIL), figure file. A claim that fails on our data
 * is written as FAIL, never dropped.
 */
#ifndef CLNSCL_CLI_REPORT_H
#define CLNSCL_CLI_REPORT_H

#include <stddef.h>

typedef struct {
    char *section; /* figure name, e.g. "fig2" */
    char *claim;   /* "13" or "control" */
    char *text;    /* the claim */
    char *expected;
    char *measured;
    int pass;      /* 1 PASS, 0 FAIL, -1 not tested (the data cannot test it; `measured` says why) */
    char *figure;  /* file name relative to the report */
} report_row;

typedef struct {
    report_row *rows;
    size_t n, cap;
    char *notes; /* free text appended after the table (settings, timings) */
} report;

void report_init(report *r);
void report_free(report *r);
/* Adds a row; `measured` is printf-formatted. Returns a status (ENOMEM). */
int report_add(report *r, const char *section, const char *claim, const char *text, const char *expected,
               int pass, const char *figure, const char *measured_fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 8, 9)))
#endif
    ;
/* Adds a row for a claim these data cannot test (e.g. no null twin was trained): verdict "not
 * tested", `why` (printf-formatted) in the measured column. Never a FAIL. */
int report_add_untested(report *r, const char *section, const char *claim, const char *text, const char *expected,
                        const char *figure, const char *why_fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 7, 8)))
#endif
    ;
/* Appends a line of free text to the notes. */
int report_note(report *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Writes the Markdown report atomically; `title` is the first heading, `intro` a paragraph. */
int report_write(const report *r, const char *path, const char *title, const char *intro);
/* Rows of an earlier report at `path` (written by report_write, title starting with `title_prefix`)
 * whose section is in `keep` (NULL-terminated) and whose figure file still exists in `dir` are
 * appended to `r`, with the notes lines "- <section>: …" of those sections. *ncarried = rows added;
 * *title = the earlier title (malloc'd; NULL when the file is missing or not such a report, which
 * adds nothing and is no error). */
int report_carry(report *r, const char *path, const char *title_prefix, const char *const *keep, const char *dir,
                 size_t *ncarried, char **title);
/* Stable sort of the rows by the index of their section in order[0..n-1] (others last). */
void report_sort_sections(report *r, const char *const *order, size_t n);
/* Number of PASS (1) / FAIL (0) / not tested (-1) rows */
size_t report_count(const report *r, int pass);

#endif
