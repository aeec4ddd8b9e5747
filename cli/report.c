/* cli/report.c — REPORT.md writer (see report.h). */
#include "report.h"
#include "clnscl/alloc.h"

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

static int add_row(report *r, const char *section, const char *claim, const char *text, const char *expected,
                   int pass, const char *figure, const char *measured_fmt, va_list ap)
{
    int st = clnscl_grow(&r->rows, &r->cap, r->n + 1, sizeof *r->rows, 16);
    if (st) return st;
    report_row *w = &r->rows[r->n];
    w->measured = vfmt(measured_fmt, ap);
    w->section = strdup(section);
    w->claim = strdup(claim);
    w->text = strdup(text);
    w->expected = strdup(expected);
    w->figure = strdup(figure);
    w->pass = pass;
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

/* a row whose measured text is given as is */
static int add_row_text(report *r, const char *section, const char *claim, const char *text, const char *expected,
                        int pass, const char *figure, const char *measured);

int report_add(report *r, const char *section, const char *claim, const char *text, const char *expected,
               int pass, const char *figure, const char *measured_fmt, ...)
{
    va_list ap;
    va_start(ap, measured_fmt);
    int st = add_row(r, section, claim, text, expected, pass ? 1 : 0, figure, measured_fmt, ap);
    va_end(ap);
    return st;
}

int report_add_untested(report *r, const char *section, const char *claim, const char *text, const char *expected,
                        const char *figure, const char *why_fmt, ...)
{
    va_list ap;
    va_start(ap, why_fmt);
    int st = add_row(r, section, claim, text, expected, -1, figure, why_fmt, ap);
    va_end(ap);
    return st;
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
    fprintf(f, "%zu claim rows: %zu PASS, %zu FAIL", r->n, report_count(r, 1), report_count(r, 0));
    if (report_count(r, -1)) fprintf(f, ", %zu not tested", report_count(r, -1));
    fprintf(f, ".\n\n");
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
        cell(f, w->pass > 0 ? "**PASS**" : w->pass == 0 ? "**FAIL**" : "not tested");
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

static int add_row_va(report *r, const char *section, const char *claim, const char *text, const char *expected,
                      int pass, const char *figure, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int st = add_row(r, section, claim, text, expected, pass, figure, fmt, ap);
    va_end(ap);
    return st;
}

static int add_row_text(report *r, const char *section, const char *claim, const char *text, const char *expected,
                        int pass, const char *figure, const char *measured)
{
    return add_row_va(r, section, claim, text, expected, pass, figure, "%s", measured);
}

/* ---- carrying rows over from an earlier report ---- */

/* cells of a table line "| a | b \| c | …" (trimmed, "\|" unescaped), at most `max` */
static size_t split_cells(char *line, char **cells, size_t max)
{
    size_t n = 0;
    char *p = strchr(line, '|');
    if (!p) return 0;
    p++;
    while (*p && n < max) {
        char *start = p, *w = p;
        while (*p && !(*p == '|' && (p == start || p[-1] != '\\'))) {
            if (*p == '\\' && p[1] == '|') p++;
            *w++ = *p++;
        }
        if (!*p) break; /* no closing '|': not a cell */
        *w = '\0';
        p++;
        while (*start == ' ') start++;
        size_t L = strlen(start);
        while (L && start[L - 1] == ' ') start[--L] = '\0';
        cells[n++] = start;
    }
    return n;
}

static int in_list(const char *s, const char *const *list)
{
    for (; list && *list; list++)
        if (!strcmp(s, *list)) return 1;
    return 0;
}

int report_carry(report *r, const char *path, const char *title_prefix, const char *const *keep, const char *dir,
                 size_t *ncarried, char **title)
{
    *ncarried = 0;
    *title = NULL;
    FILE *f = fopen(path, "r");
    if (!f) return CLNSCL_OK;
    char line[8192];
    int st = CLNSCL_OK, in_table = 0, ok_title = 0, after_table = 0;
    size_t first = r->n;
    while (!st && fgets(line, sizeof line, f)) {
        size_t L = strlen(line);
        while (L && (line[L - 1] == '\n' || line[L - 1] == '\r')) line[--L] = '\0';
        if (!ok_title) {
            size_t lp = strlen(title_prefix);
            if (strncmp(line, "# ", 2) || strncmp(line + 2, title_prefix, lp)) break; /* not one of ours */
            ok_title = 1;
            *title = strdup(line + 2);
            continue;
        }
        if (!in_table && !after_table) {
            if (!strncmp(line, "| figure |", 10)) in_table = 1;
            continue;
        }
        if (in_table) {
            if (line[0] != '|') {
                in_table = 0;
                after_table = 1;
                continue;
            }
            if (!strncmp(line, "|---", 4)) continue;
            char *c[7];
            if (split_cells(line, c, 7) != 6 || !in_list(c[0], keep)) continue;
            /* claim cell: "13. text" or "control: text" */
            char *claim = c[1], *text = NULL;
            size_t d = strspn(claim, "0123456789");
            if (d && claim[d] == '.' && claim[d + 1] == ' ') {
                claim[d] = '\0';
                text = claim + d + 2;
            } else if ((text = strstr(claim, ": "))) {
                *text = '\0';
                text += 2;
            } else
                continue;
            int pass = !strcmp(c[4], "**PASS**") ? 1 : !strcmp(c[4], "**FAIL**") ? 0 : !strcmp(c[4], "not tested") ? -1 : 2;
            /* file cell "[x.png](x.png)" */
            char fig[600];
            const char *o = strchr(c[5], '('), *e = o ? strchr(o, ')') : NULL;
            if (pass == 2 || !o || !e || e - o - 1 <= 0 || (size_t)(e - o) >= sizeof fig || strchr(c[5], '/')) continue;
            snprintf(fig, sizeof fig, "%.*s", (int)(e - o - 1), o + 1);
            size_t lf = strlen(dir) + strlen(fig) + 2;
            char *fp = malloc(lf);
            if (!fp) {
                st = clnscl_fail(CLNSCL_ENOMEM, "out of memory");
                break;
            }
            snprintf(fp, lf, "%s/%s", dir, fig);
            FILE *t = fopen(fp, "rb");
            free(fp);
            if (!t) continue; /* the figure is gone: so is its row */
            fclose(t);
            st = add_row_text(r, c[0], claim, text, c[2], pass, fig, c[3]);
            continue;
        }
        /* notes of the kept sections: "- <section>: …" */
        if (!strncmp(line, "- ", 2)) {
            char sec[64];
            size_t n = strcspn(line + 2, ":");
            if (n < sizeof sec && line[2 + n] == ':') {
                snprintf(sec, sizeof sec, "%.*s", (int)n, line + 2);
                if (in_list(sec, keep)) st = report_note(r, "%s", line);
            }
        }
    }
    fclose(f);
    if (!st) *ncarried = r->n - first;
    return st;
}

void report_sort_sections(report *r, const char *const *order, size_t n)
{
    /* stable insertion sort by the section's index in `order` (others last) */
    for (size_t i = 1; i < r->n; i++) {
        report_row x = r->rows[i];
        size_t kx = n;
        for (size_t k = 0; k < n; k++)
            if (!strcmp(x.section, order[k])) kx = k;
        size_t j = i;
        while (j > 0) {
            size_t ky = n;
            for (size_t k = 0; k < n; k++)
                if (!strcmp(r->rows[j - 1].section, order[k])) ky = k;
            if (ky <= kx) break;
            r->rows[j] = r->rows[j - 1];
            j--;
        }
        r->rows[j] = x;
    }
}
