/* cli/report.c — REPORT.md writer (see report.h). */
#include "report.h"

#include "clnscl/io.h"
#include "clnscl/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void report_init(report *r)
{
    memset(r, 0, sizeof *r);
}

void report_free(report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        report_row *w = &r->rows[i];
        free(w->section);
        free(w->claim);
        free(w->text);
        free(w->expected);
        free(w->measured);
        free(w->figure);
    }
    free(r->rows);
    free(r->notes);
    memset(r, 0, sizeof *r);
}

static char *vfmt(const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0) return NULL;
    char *s = malloc((size_t)n + 1);
    if (s) vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

int report_add(report *r, const char *section, const char *claim, const char *text, const char *expected,
               int pass, const char *figure, const char *measured_fmt, ...)
{
    if (r->n == r->cap) {
        size_t nc = r->cap ? 2 * r->cap : 16;
        report_row *nr = realloc(r->rows, nc * sizeof *nr);
        if (!nr) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
        r->rows = nr;
        r->cap = nc;
    }
    report_row *w = &r->rows[r->n];
    va_list ap;
    va_start(ap, measured_fmt);
    w->measured = vfmt(measured_fmt, ap);
    va_end(ap);
    w->section = strdup(section);
    w->claim = strdup(claim);
    w->text = strdup(text);
    w->expected = strdup(expected);
    w->figure = strdup(figure);
    w->pass = pass ? 1 : 0;
    if (!w->measured || !w->section || !w->claim || !w->text || !w->expected || !w->figure) {
        free(w->measured);
        free(w->section);
        free(w->claim);
        free(w->text);
        free(w->expected);
        free(w->figure);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    }
    r->n++;
    return CLNSCL_OK;
}

int report_note(report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *line = vfmt(fmt, ap);
    va_end(ap);
    if (!line) return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    size_t a = r->notes ? strlen(r->notes) : 0, b = strlen(line);
    char *nn = realloc(r->notes, a + b + 2);
    if (!nn) {
        free(line);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    }
    memcpy(nn + a, line, b);
    nn[a + b] = '\n';
    nn[a + b + 1] = '\0';
    r->notes = nn;
    free(line);
    return CLNSCL_OK;
}

size_t report_count(const report *r, int pass)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++) k += r->rows[i].pass == pass;
    return k;
}

/* Markdown table cell: '|' escaped, newlines flattened. */
static void cell(FILE *f, const char *s)
{
    fputc(' ', f);
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else if (*s == '\n')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
    fputs(" |", f);
}

int report_write(const report *r, const char *path, const char *title, const char *intro)
{
    clnscl_afile a;
    int st = clnscl_afile_open(&a, path);
    if (st) return st;
    FILE *f = a.fp;
    fprintf(f, "# %s\n\n", title);
    if (intro && *intro) fprintf(f, "%s\n\n", intro);
    fprintf(f, "%zu claim rows: %zu PASS, %zu FAIL.\n\n", r->n, report_count(r, 1), report_count(r, 0));
    fprintf(f, "| figure | claim (THEORY.md §7) | expected | measured | verdict | file |\n");
    fprintf(f, "|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < r->n; i++) {
        const report_row *w = &r->rows[i];
        fputc('|', f);
        cell(f, w->section);
        char claim[1024];
        if (strspn(w->claim, "0123456789") == strlen(w->claim))
            snprintf(claim, sizeof claim, "%s. %s", w->claim, w->text);
        else
            snprintf(claim, sizeof claim, "%s: %s", w->claim, w->text);
        cell(f, claim);
        cell(f, w->expected);
        cell(f, w->measured);
        cell(f, w->pass ? "**PASS**" : "**FAIL**");
        char fig[600];
        snprintf(fig, sizeof fig, "[%s](%s)", w->figure, w->figure);
        cell(f, fig);
        fputc('\n', f);
    }
    if (r->notes) fprintf(f, "\n%s", r->notes);
    if (ferror(f)) {
        clnscl_afile_abort(&a);
        return clnscl_fail(CLNSCL_EIO, "error writing %s", path);
    }
    return clnscl_afile_commit(&a);
}
