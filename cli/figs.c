/* cli/figs.c — figures and §7 claim checks shared by compare and repro (see figs.h). */
#include "figs.h"

#include "clnscl/status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const OTHERS[] = {"nscl", "scl", "ce", "cl2"};
#define NOTHERS 4

int fig_curve_alloc(fig_curve *c, size_t n, int npanels)
{
    memset(c, 0, sizeof *c);
    c->color = "#000000";
    c->dash = 1;
    c->n = n;
    c->x = calloc(n ? n : 1, sizeof *c->x);
    int bad = !c->x;
    for (int p = 0; p < npanels && p < 3; p++) {
        c->y[p] = calloc(n ? n : 1, sizeof *c->y[p]);
        bad |= !c->y[p];
    }
    if (bad) {
        fig_curve_free(c);
        return clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    }
    return CLNSCL_OK;
}

void fig_curve_free(fig_curve *c)
{
    free(c->x);
    for (int p = 0; p < 3; p++) free(c->y[p]);
    memset(c, 0, sizeof *c);
}

int fig_above(runio_stat a, runio_stat b)
{
    return a.n > 0 && b.n > 0 && a.mean - b.mean > a.sd + b.sd;
}

const char *fig_fmt(char *buf, size_t cap, runio_stat s)
{
    if (s.n == 0)
        snprintf(buf, cap, "n/a");
    else if (s.n == 1)
        snprintf(buf, cap, "%.3f (1 seed)", s.mean);
    else
        snprintf(buf, cap, "%.3f ± %.3f (n=%zu)", s.mean, s.sd, s.n);
    return buf;
}

/* gnuplot string literal contents: escape backslash and double quote */
static void gp_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int valid_on(int logy, double v)
{
    return isfinite(v) && (!logy || v > 0);
}

int fig_curves(plot_ctx *c, const char *name, const fig_layout *lay, const fig_curve *curves, size_t ncurves)
{
    int np = lay->npanels < 1 ? 1 : (lay->npanels > 3 ? 3 : lay->npanels);
    char dname[512];
    snprintf(dname, sizeof dname, "%s.dat", name);
    clnscl_afile d;
    int st = plot_data_open(c, dname, &d);
    if (st) return st;
    /* which (curve, panel) pairs have at least one drawable point */
    int has[64][3];
    if (ncurves > 64) ncurves = 64;
    fprintf(d.fp, "# %s — data of %s.gp (written by clnscl)\n", lay->title, name);
    fprintf(d.fp, "# one block per curve (gnuplot index k); columns: x");
    for (int p = 0; p < np; p++)
        fprintf(d.fp, " | panel %d (%s): mean sd lo hi n", p + 1, lay->ylabel[p] ? lay->ylabel[p] : "");
    fprintf(d.fp, "\n# lo/hi = mean -/+ sd over seeds; '?' = not drawable (missing, or <= 0 on a log axis)\n");
    for (size_t k = 0; k < ncurves; k++) {
        const fig_curve *cv = &curves[k];
        fprintf(d.fp, "# index %zu: %s\n", k, cv->label);
        for (int p = 0; p < np; p++) has[k][p] = 0;
        for (size_t i = 0; i < cv->n; i++) {
            if (!isfinite(cv->x[i]) || (lay->logx && cv->x[i] <= 0)) continue;
            fprintf(d.fp, "%.10g", cv->x[i]);
            for (int p = 0; p < np; p++) {
                runio_stat s = cv->y[p] ? cv->y[p][i] : (runio_stat){0, 0, 0, 0, 0};
                if (s.n == 0 || !valid_on(lay->logy[p], s.mean)) {
                    fprintf(d.fp, " ? ? ? ? 0");
                    continue;
                }
                double lo = s.mean - s.sd, hi = s.mean + s.sd;
                if (lay->logy[p] && lo <= 0) lo = s.mean;
                fprintf(d.fp, " %.10g %.10g %.10g %.10g %zu", s.mean, s.sd, lo, hi, s.n);
                has[k][p] = 1;
            }
            fputc('\n', d.fp);
        }
        /* a block needs at least one line for gnuplot's index to count it */
        if (cv->n == 0) {
            fprintf(d.fp, "?");
            for (int p = 0; p < np; p++) fprintf(d.fp, " ? ? ? ? 0");
            fputc('\n', d.fp);
        }
        fprintf(d.fp, "\n\n");
    }
    st = clnscl_afile_commit(&d);
    if (st) return st;

    plot_fig f;
    /* the key sits right of the plot area, never over the data: a fixed plot area (same x
     * extent in every panel) and the right third of the figure for keys and notes */
    st = plot_fig_begin(&f, c, name, 1200, 330 * np + 40, lay->title);
    if (st) return st;
    FILE *g = f.fp;
    /* a log x axis over less than two decades gets gnuplot's decade tics only: label the data's
     * own x values instead when they are few integers (batch sizes, class counts) */
    double xs[16];
    size_t nx = 0;
    int ints = lay->logx;
    for (size_t k = 0; k < ncurves && ints; k++)
        for (size_t i = 0; i < curves[k].n && ints; i++) {
            double x = curves[k].x[i];
            if (!(x > 0) || x != floor(x)) {
                ints = 0;
                break;
            }
            size_t j = 0;
            while (j < nx && xs[j] != x) j++;
            if (j == nx) {
                if (nx == 16) ints = 0;
                else xs[nx++] = x;
            }
        }
    if (lay->logx && !(ints && nx > 0)) {
        /* otherwise (fractional epochs, many values) the 1-2-5 sequence inside the data range */
        double lo = INFINITY, hi = -INFINITY;
        for (size_t k = 0; k < ncurves; k++)
            for (size_t i = 0; i < curves[k].n; i++) {
                double x = curves[k].x[i];
                if (x > 0 && isfinite(x)) {
                    lo = x < lo ? x : lo;
                    hi = x > hi ? x : hi;
                }
            }
        nx = 0;
        if (lo <= hi)
            for (double dec = pow(10.0, floor(log10(lo))); dec <= hi && nx < 16; dec *= 10.0)
                for (int m = 0; m < 3 && nx < 16; m++) {
                    const double x = dec * (m == 0 ? 1.0 : m == 1 ? 2.0 : 5.0);
                    if (x >= lo * (1 - 1e-9) && x <= hi * (1 + 1e-9)) xs[nx++] = x;
                }
        ints = nx >= 2;
    }
    char xtics[400] = "";
    if (ints && nx > 0) {
        snprintf(xtics, sizeof xtics, "set xtics (");
        for (size_t j = 0; j < nx; j++)
            snprintf(xtics + strlen(xtics), sizeof xtics - strlen(xtics), "%s%g", j ? ", " : "", xs[j]);
        snprintf(xtics + strlen(xtics), sizeof xtics - strlen(xtics), ")\n");
    }
    fprintf(g, "set multiplot layout %d,1 title ", np);
    gp_str(g, lay->title);
    fprintf(g, "\n");
    for (int p = 0; p < np; p++) {
        fprintf(g, "unset logscale\nunset label\nunset arrow\nunset object\nset autoscale\nset offsets\n");
        if (lay->logx) fprintf(g, "set logscale x\n");
        fprintf(g, "set autoscale xfix\nset offsets graph 0.03, graph 0.03, 0, 0\n%s", xtics[0] ? xtics : "set xtics autofreq\n");
        if (lay->logy[p]) fprintf(g, "set logscale y\nset format y \"%%.0e\"\n");
        else fprintf(g, "set format y \"%%g\"\n");
        if (lay->ymin[p] < lay->ymax[p]) fprintf(g, "set yrange [%g:%g]\n", lay->ymin[p], lay->ymax[p]);
        else fprintf(g, "set yrange [*:*]\n");
        fprintf(g, "set xlabel ");
        gp_str(g, p == np - 1 ? lay->xlabel : "");
        fprintf(g, "\nset ylabel ");
        gp_str(g, lay->ylabel[p] ? lay->ylabel[p] : "");
        fprintf(g, "\nset lmargin at screen 0.07\nset rmargin at screen 0.68\n"
                   "set key outside right top Left reverse font \",8\"\n");
        if (lay->extra[p]) fprintf(g, "%s\n", lay->extra[p]);
        int any = 0;
        for (size_t k = 0; k < ncurves; k++) any |= has[k][p];
        if (!any) {
            fprintf(g, "unset logscale\nset xrange [0:1]\nset yrange [0:1]\n"
                       "set label 1 \"no data\" at graph 0.5, graph 0.5 center\nplot 2 notitle\nset autoscale x\n");
            continue;
        }
        int col = 2 + 5 * p;
        fprintf(g, "plot ");
        int first = 1;
        for (size_t k = 0; k < ncurves; k++) {
            if (!has[k][p]) continue;
            const fig_curve *cv = &curves[k];
            if (!first) fprintf(g, ", \\\n     ");
            first = 0;
            if (cv->points_only) {
                fprintf(g, "'%s' index %zu using 1:%d:%d:%d with yerrorlines lc rgb \"%s\" dt %d pt 7 ps 0.7 lw 1.5 title ",
                        dname, k, col, col + 2, col + 3, cv->color, cv->dash);
                gp_str(g, cv->label);
            } else {
                fprintf(g, "'%s' index %zu using 1:%d:%d with filledcurves fc rgb \"%s\" notitle, \\\n     ", dname, k,
                        col + 2, col + 3, cv->color);
                fprintf(g, "'%s' index %zu using 1:%d with linespoints lc rgb \"%s\" dt %d pt 7 ps 0.5 lw 2 title ",
                        dname, k, col, cv->color, cv->dash);
                gp_str(g, cv->label);
            }
        }
        fprintf(g, "\n");
    }
    return plot_fig_end(&f);
}

/* ---- alignment figures ---------------------------------------------------- */

static const char *other_label(const char *o)
{
    if (!strcmp(o, "nscl")) return "CL vs NSCL";
    if (!strcmp(o, "scl")) return "CL vs SCL";
    if (!strcmp(o, "ce")) return "CL vs CE";
    if (!strcmp(o, "cl2")) return "null: CL vs CL (no shared randomness)";
    return o;
}

/* curve of `fields` (one per panel) over evaluations for one `other`; x = step/spe + xshift
 * (epochs, fractional for the early evaluations); steps < min_step skipped; one_minus: 1 − value */
static int other_curve(fig_curve *cv, const runio_train *runs, size_t nruns, const char *other, int np,
                       const runio_field *fields, const int *one_minus, double xshift, long min_step)
{
    long *ep;
    size_t ne;
    int st = runio_group_steps(runs, nruns, &ep, &ne);
    if (st) return st;
    double spe = runio_train_spe(&runs[0]);
    size_t m = 0;
    for (size_t i = 0; i < ne; i++) m += ep[i] >= min_step;
    st = fig_curve_alloc(cv, m, np);
    if (st) {
        free(ep);
        return st;
    }
    size_t k = 0;
    for (size_t i = 0; i < ne; i++) {
        if (ep[i] < min_step) continue;
        cv->x[k] = (double)ep[i] / spe + xshift;
        for (int p = 0; p < np; p++) {
            double buf[256];
            size_t n = 0;
            for (size_t r = 0; r < nruns && n < 256; r++) {
                const runio_align_row *row = runio_train_find(&runs[r], ep[i], other);
                if (!row) continue;
                double v = runio_align_field(row, fields[p]);
                buf[n++] = one_minus[p] ? 1.0 - v : v;
            }
            cv->y[p][k] = runio_stats(buf, n);
        }
        k++;
    }
    free(ep);
    snprintf(cv->label, sizeof cv->label, "%s (%zu seed%s)", other_label(other), nruns, nruns == 1 ? "" : "s");
    cv->color = plot_color(other);
    cv->dash = strcmp(other, "cl2") ? 1 : 2;
    return CLNSCL_OK;
}

static int others_figure(plot_ctx *c, const char *name, const fig_layout *lay, const runio_train *runs,
                         size_t nruns, const runio_field *fields, const int *one_minus, double xshift,
                         long min_step)
{
    fig_curve cv[NOTHERS];
    size_t n = 0;
    int st = CLNSCL_OK;
    for (int o = 0; o < NOTHERS && !st; o++) {
        if (!runio_group_has(runs, nruns, OTHERS[o])) continue;
        st = other_curve(&cv[n], runs, nruns, OTHERS[o], lay->npanels, fields, one_minus, xshift, min_step);
        if (!st) n++;
    }
    if (!st) st = fig_curves(c, name, lay, cv, n);
    for (size_t i = 0; i < n; i++) fig_curve_free(&cv[i]);
    return st;
}

int fig_alignment(plot_ctx *c, const char *name, const char *title, const runio_train *runs, size_t nruns)
{
    fig_layout lay = {0};
    lay.title = title;
    lay.xlabel = "epoch + 1 (log scale; epoch 0 = shared initialisation)";
    lay.logx = 1;
    lay.npanels = 2;
    lay.ylabel[0] = "linear CKA of encoder features h";
    lay.ylabel[1] = "RSA (Pearson of cosine RDMs)";
    runio_field fields[2] = {RUNIO_CKA, RUNIO_RSA};
    int om[2] = {0, 0};
    return others_figure(c, name, &lay, runs, nruns, fields, om, 1.0, 0);
}

int fig_weight_gap(plot_ctx *c, const char *name, const char *title, const runio_train *runs, size_t nruns)
{
    fig_layout lay = {0};
    lay.title = title;
    lay.xlabel = "epoch (log scale)";
    lay.logx = 1;
    lay.npanels = 3;
    lay.ylabel[0] = "weight gap (mean layer-wise rel. Frobenius, log)";
    lay.ylabel[1] = "representation gap 1 - CKA (log)";
    lay.ylabel[2] = "representation gap 1 - RSA (log)";
    lay.logy[0] = lay.logy[1] = lay.logy[2] = 1;
    runio_field fields[3] = {RUNIO_WGAP, RUNIO_CKA, RUNIO_RSA};
    int om[3] = {0, 1, 1};
    return others_figure(c, name, &lay, runs, nruns, fields, om, 0.0, 1);  /* every step > 0 */
}

int fig_heatmap(plot_ctx *c, const char *name, const char *title, const runio_train *const *groups,
                const size_t *nruns, const char *const *labels, size_t ngroups, const char *yname)
{
    /* columns: end-of-epoch evaluations 0..E (step = e · steps_per_epoch of the group) */
    long E = 0;
    for (size_t g = 0; g < ngroups; g++) {
        if (!nruns[g]) continue;
        double spe = runio_train_spe(&groups[g][0]);
        long e = (long)(fig_final_step(groups[g], nruns[g]) / spe + 0.5);
        if (e > E) E = e;
    }
    char dname[512];
    snprintf(dname, sizeof dname, "%s.dat", name);
    clnscl_afile d;
    int st = plot_data_open(c, dname, &d);
    if (st) return st;
    fprintf(d.fp, "# %s\n# mean CKA(CL, NSCL) over seeds; columns: epoch group_index cka_mean cka_sd n %s\n", title,
            yname);
    for (size_t g = 0; g < ngroups; g++) {
        double spe = nruns[g] ? runio_train_spe(&groups[g][0]) : 1;
        for (long e = 0; e <= E; e++) {
            runio_stat s = nruns[g] ? runio_group_stat(groups[g], nruns[g], (long)(e * spe + 0.5), "nscl", RUNIO_CKA)
                                    : (runio_stat){0, 0, 0, 0, 0};
            if (s.n)
                fprintf(d.fp, "%ld %zu %.10g %.10g %zu %s\n", e, g, s.mean, s.sd, s.n, labels[g]);
            else
                fprintf(d.fp, "%ld %zu ? ? 0 %s\n", e, g, labels[g]);
        }
        fprintf(d.fp, "\n");
    }
    st = clnscl_afile_commit(&d);
    if (st) return st;
    plot_fig f;
    st = plot_fig_begin(&f, c, name, 900, 160 + 45 * (int)ngroups, title);
    if (st) return st;
    FILE *g = f.fp;
    fprintf(g, "set title ");
    gp_str(g, title);
    fprintf(g, "\nset xlabel \"epoch\"\nset ylabel ");
    gp_str(g, yname);
    fprintf(g, "\nset cbrange [*:1.0]\nset cblabel \"CKA(CL, NSCL)\"\n"
               "set palette defined (0 \"#fff7bc\", 0.5 \"#a1d99b\", 1 \"#31a354\")\n");
    fprintf(g, "set xrange [-0.5:%g]\nset yrange [-0.5:%g]\nset xtics 1\nset ytics (", (double)E + 0.5,
            (double)ngroups - 0.5);
    for (size_t k = 0; k < ngroups; k++) {
        fprintf(g, "%s", k ? ", " : "");
        gp_str(g, labels[k]);
        fprintf(g, " %zu", k);
    }
    fprintf(g, ")\nunset grid\nset key off\n");
    fprintf(g, "plot '%s' using 1:2:3 with image, '' using 1:2:(sprintf(\"%%.2f\", $3)) with labels font \",8\"\n",
            dname);
    return plot_fig_end(&f);
}

/* ---- claims ---------------------------------------------------------------- */

long fig_final_step(const runio_train *runs, size_t nruns)
{
    long fin = -1;
    for (size_t r = 0; r < nruns; r++) {
        long m = -1;
        for (size_t i = 0; i < runs[r].nalign; i++)
            if (runs[r].align[i].step > m) m = runs[r].align[i].step;
        if (r == 0 || m < fin) fin = m;
    }
    return fin;
}

int claims_alignment(report *rep, const char *section, const char *figure, const runio_train *runs,
                     size_t nruns)
{
    long *ep;
    size_t ne;
    int st = runio_group_steps(runs, nruns, &ep, &ne);
    if (st) return st;
    char b1[96], b2[96], b3[96], b4[96];
    long fin = fig_final_step(runs, nruns);
    double spe = runio_train_spe(&runs[0]);
    /* 13: CKA and RSA of CL–NSCL above CL–SCL and CL–CE at every evaluation from epoch 1 on,
     * by more than the seed spread */
    const runio_field fl[2] = {RUNIO_CKA, RUNIO_RSA};
    for (int f = 0; f < 2; f++) {
        const char *mn = f ? "RSA" : "CKA";
        int have_other = runio_group_has(runs, nruns, "scl") || runio_group_has(runs, nruns, "ce");
        size_t tested = 0, held = 0;
        for (size_t i = 0; i < ne; i++) {
            if ((double)ep[i] < spe) continue;
            runio_stat a = runio_group_stat(runs, nruns, ep[i], "nscl", fl[f]);
            runio_stat s = runio_group_stat(runs, nruns, ep[i], "scl", fl[f]);
            runio_stat e = runio_group_stat(runs, nruns, ep[i], "ce", fl[f]);
            if (!a.n || (!s.n && !e.n)) continue;
            tested++;
            held += (!s.n || fig_above(a, s)) && (!e.n || fig_above(a, e));
        }
        runio_stat a = runio_group_stat(runs, nruns, fin, "nscl", fl[f]);
        runio_stat s = runio_group_stat(runs, nruns, fin, "scl", fl[f]);
        runio_stat e = runio_group_stat(runs, nruns, fin, "ce", fl[f]);
        char text[160];
        const char *expect = "NSCL above SCL and CE by more than the seed spread";
        snprintf(text, sizeof text, "%s(CL,NSCL) > max(%s(CL,SCL), %s(CL,CE)) at every epoch >= 1", mn, mn, mn);
        if (!have_other)
            st = report_add_untested(rep, section, "13", text, expect, figure,
                                     "not tested: no SCL or CE twin; final NSCL %s",
                                     fig_fmt(b1, sizeof b1, a));
        else if (tested == 0)
            st = report_add_untested(rep, section, "13", text, expect, figure,
                                     "not tested: no evaluation from epoch 1 on");
        else
            st = report_add(rep, section, "13", text, expect, held == tested, figure,
                            "held at %zu/%zu evaluations; final (epoch %.3g): NSCL %s, SCL %s, CE %s", held, tested,
                            (double)fin / spe, fig_fmt(b1, sizeof b1, a), fig_fmt(b2, sizeof b2, s),
                            fig_fmt(b3, sizeof b3, e));
        if (st) break;
    }
    if (!st) {
        /* 14: exactly 1 at epoch 0 (shared initialisation), stays high (>= 0.9, as the paper's
         * epochs 10–90) */
        runio_stat c0 = runio_group_stat(runs, nruns, 0, "nscl", RUNIO_CKA);
        runio_stat r0 = runio_group_stat(runs, nruns, 0, "nscl", RUNIO_RSA);
        double minc = 2, at = 0;
        for (size_t i = 0; i < ne; i++) {
            if ((double)ep[i] < spe) continue;
            runio_stat s = runio_group_stat(runs, nruns, ep[i], "nscl", RUNIO_CKA);
            if (s.n && s.mean < minc) {
                minc = s.mean;
                at = (double)ep[i] / spe;
            }
        }
        int ok = c0.n && fabs(c0.mean - 1) < 1e-12 && r0.n && fabs(r0.mean - 1) < 1e-12 && minc <= 1 && minc >= 0.9;
        const char *text = "CL-NSCL alignment is 1 at epoch 0 and stays >= ~0.9";
        const char *expect = "CKA = RSA = 1 at epoch 0; mean CKA >= 0.9 at every later epoch";
        if (minc <= 1)
            st = report_add(rep, section, "14", text, expect, ok, figure,
                            "epoch 0: CKA %s, RSA %s; lowest mean CKA from epoch 1 on: %.3f (epoch %.3g)",
                            fig_fmt(b1, sizeof b1, c0), fig_fmt(b2, sizeof b2, r0), minc, at);
        else
            st = report_add_untested(rep, section, "14", text, expect, figure,
                                     "not tested: no defined CKA(CL,NSCL) from epoch 1 on; epoch 0: CKA %s, RSA %s",
                                     fig_fmt(b1, sizeof b1, c0), fig_fmt(b2, sizeof b2, r0));
    }
    if (!st) {
        /* control: CL–NSCL above the null level CL–CL2 (CL twin without shared randomness) */
        runio_stat a = runio_group_stat(runs, nruns, fin, "nscl", RUNIO_CKA);
        runio_stat z = runio_group_stat(runs, nruns, fin, "cl2", RUNIO_CKA);
        runio_stat ar = runio_group_stat(runs, nruns, fin, "nscl", RUNIO_RSA);
        runio_stat zr = runio_group_stat(runs, nruns, fin, "cl2", RUNIO_RSA);
        const char *text = "CL-NSCL alignment exceeds the null level (CL vs a CL twin without shared randomness)";
        const char *expect = "CKA and RSA of CL-NSCL above CL-CL2 by more than the seed spread";
        if (!runio_group_has(runs, nruns, "cl2"))
            st = report_add_untested(rep, section, "control", text, expect, figure,
                                     "not tested: no null twin (the runs were trained without --null-twin); final "
                                     "(epoch %.3g): CKA NSCL %s, RSA NSCL %s", (double)fin / spe,
                                     fig_fmt(b1, sizeof b1, a), fig_fmt(b3, sizeof b3, ar));
        else if (!z.n || !zr.n || !a.n || !ar.n)
            st = report_add_untested(rep, section, "control", text, expect, figure,
                                     "not tested: CKA/RSA undefined at the final evaluation (epoch %.3g): CKA NSCL %s "
                                     "vs null %s; RSA NSCL %s vs null %s", (double)fin / spe,
                                     fig_fmt(b1, sizeof b1, a), fig_fmt(b2, sizeof b2, z), fig_fmt(b3, sizeof b3, ar),
                                     fig_fmt(b4, sizeof b4, zr));
        else
            st = report_add(rep, section, "control", text, expect, fig_above(a, z) && fig_above(ar, zr), figure,
                            "final (epoch %.3g): CKA NSCL %s vs null %s; RSA NSCL %s vs null %s", (double)fin / spe,
                            fig_fmt(b1, sizeof b1, a), fig_fmt(b2, sizeof b2, z), fig_fmt(b3, sizeof b3, ar),
                            fig_fmt(b4, sizeof b4, zr));
    }
    free(ep);
    return st;
}

int claims_weight_gap(report *rep, const char *section, const char *figure, const runio_train *runs,
                      size_t nruns)
{
    long *ep;
    size_t ne;
    int st = runio_group_steps(runs, nruns, &ep, &ne);
    if (st) return st;
    double spe = runio_train_spe(&runs[0]);
    long first = -1, fin = fig_final_step(runs, nruns);
    for (size_t i = 0; i < ne; i++)
        if ((double)ep[i] >= spe) {
            first = ep[i];
            break;
        }
    char b1[96], b2[96], b3[96], b4[96], b5[96];
    const char *sup[2] = {"nscl", "scl"};
    for (int k = 0; k < 2 && !st; k++) {
        if (!runio_group_has(runs, nruns, sup[k])) continue;
        runio_stat w1 = runio_group_stat(runs, nruns, first, sup[k], RUNIO_WGAP);
        runio_stat w2 = runio_group_stat(runs, nruns, fin, sup[k], RUNIO_WGAP);
        runio_stat cf = runio_group_stat(runs, nruns, fin, "nscl", RUNIO_CKA);
        runio_stat z = runio_group_stat(runs, nruns, fin, "cl2", RUNIO_CKA);
        runio_stat zw = runio_group_stat(runs, nruns, fin, "cl2", RUNIO_WGAP);
        int grows = first >= 1 && fin > first && fig_above(w2, w1);
        int high = cf.n && cf.mean >= 0.8;
        char text[200];
        snprintf(text, sizeof text, "weight gap CL-%s grows during training while CKA(CL,NSCL) stays high",
                 k ? "SCL" : "NSCL");
        const char *expect = "gap at the last epoch above epoch 1 by more than the seed spread; final CKA(CL,NSCL) >= 0.8";
        if (first < 1 || fin <= first || !w1.n || !w2.n)
            st = report_add_untested(rep, section, "18", text, expect, figure,
                                     "not tested: needs a defined weight gap at two evaluations from epoch 1 on");
        else
            st = report_add(rep, section, "18", text, expect, grows && high, figure,
                            "weight gap epoch %.3g: %s, epoch %.3g: %s; final CKA(CL,NSCL) %s; null CL-CL2: gap %s, CKA %s",
                            (double)first / spe, fig_fmt(b1, sizeof b1, w1), (double)fin / spe,
                            fig_fmt(b2, sizeof b2, w2), fig_fmt(b3, sizeof b3, cf), fig_fmt(b4, sizeof b4, zw),
                            fig_fmt(b5, sizeof b5, z));
    }
    free(ep);
    return st;
}
