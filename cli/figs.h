/* cli/figs.h — the figures and claim checks shared by `clnscl compare` and `clnscl repro`.
 *
 * THEORY.md §6.5 (paper Figs. 1–6) and §7 (testable claims). Every alignment figure shows the
 * mean over seeds with a ±1 sd band and, when the runs trained it, the null level: CL against a
 * second CL twin trained without shared randomness (`cl2` in alignment.csv).
 */
#ifndef CLNSCL_CLI_FIGS_H
#define CLNSCL_CLI_FIGS_H

#include "plot.h"
#include "report.h"
#include "runio.h"

#include <stddef.h>

/* One curve: points (x_i, y-statistic per panel). */
typedef struct {
    char label[96];
    const char *color;
    int dash;          /* gnuplot dashtype (1 solid, 2 dashed, …) */
    int points_only;   /* 1: points with error bars, no line        */
    size_t n;
    double *x;         /* n                                          */
    runio_stat *y[3];  /* per panel: n statistics (n = 0 ⇒ skipped)  */
} fig_curve;

int fig_curve_alloc(fig_curve *c, size_t n, int npanels);
void fig_curve_free(fig_curve *c);

typedef struct {
    const char *title;
    const char *xlabel;
    int logx;
    int npanels;            /* 1..3, stacked vertically               */
    const char *ylabel[3];
    int logy[3];
    double ymin[3], ymax[3]; /* ymin < ymax: fixed range              */
    const char *extra[3];   /* extra gnuplot commands per panel (may be NULL) */
} fig_layout;

/* Writes NAME.dat (one block per curve: x, then mean sd min max n per panel) and NAME.gp,
 * and renders. Points whose value cannot be shown on a log axis (≤ 0) are left out. */
int fig_curves(plot_ctx *c, const char *name, const fig_layout *lay, const fig_curve *curves, size_t ncurves);

/* Alignment over training (paper Fig. 2): CKA and RSA of CL against every twin present
 * (nscl, scl, ce and the null cl2), x = epoch + 1 on a log axis. */
int fig_alignment(plot_ctx *c, const char *name, const char *title, const runio_train *runs, size_t nruns);

/* Weight gap over training (log) beside the representation gap 1 − CKA (log)
 * (paper Figs. 1 and 6), for nscl, scl, ce, cl2. */
int fig_weight_gap(plot_ctx *c, const char *name, const char *title, const runio_train *runs, size_t nruns);

/* Heatmap of mean CKA(CL, NSCL) over seeds: one row per group (labels[g]), one column per
 * end-of-epoch evaluation (paper Fig. 3). */
int fig_heatmap(plot_ctx *c, const char *name, const char *title, const runio_train *const *groups,
                const size_t *nruns, const char *const *labels, size_t ngroups, const char *yname);

/* Empirical against theoretical (issue 6): for each train run, run the surrogate (`clnscl sim
 * --init file`) from the run's own reference Σ_0 (reference/cl_epoch0000.npy + labels.npy; same
 * batch size — capped at the reference set —, temperature, step size, number of steps), then
 * draw the network's Σ gap ‖Σ^CL − Σ^NSCL‖_F (reference/cl_epochE vs nscl_epochE), the
 * surrogate's gap, the recurrence and Theorem-1 bounds (with Δ_emp; log10 axis, vacuous region
 * shaded) and CKA/RSA with their Corollary 1/2 lower bounds. Surrogate runs go to
 * surr_root/surrogate-<hash>. Claims 4, 5, 6, 7 (on the surrogate) are added to `rep`.
 * *drawn = 0 when no run has a reference set (nothing written). */
int fig_theory_overlay(plot_ctx *c, const char *name, const runio_train *runs, size_t nruns,
                       const char *surr_root, int parallel, report *rep, const char *section, int *drawn);

/* Surrogate-only figure for a sim run directory (trajectory.csv): gap and bounds (log10),
 * CKA/RSA with lower bounds; claim rows 4–7 from its summary.json/trajectory. */
int fig_sim_run(plot_ctx *c, const char *name, const char *dir, report *rep, const char *section);

/* gnuplot commands for a log10-gap panel: shade and label the region above the largest possible
 * Frobenius gap 2·sqrt(M(M−1)) of two M × M similarity matrices with entries in [−1, 1] and
 * equal diagonals — a bound above it says nothing (vacuous). */
void fig_vacuous_extra(char *buf, size_t cap, double max_gap);

/* ---- claims (THEORY.md §7) ---- */
/* 13 (CL–NSCL above CL–SCL and CL–CE), 14 (starts at 1, stays high) and the null control
 * (CL–NSCL above CL–CL2), evaluated on the runs' epochs ≥ 1; rows go to `rep`. */
int claims_alignment(report *rep, const char *section, const char *figure, const runio_train *runs,
                     size_t nruns);
/* 18: weight gap grows while CKA stays high. */
int claims_weight_gap(report *rep, const char *section, const char *figure, const runio_train *runs,
                      size_t nruns);

/* Final evaluation step common to all runs (smallest of the runs' last steps), or -1. */
long fig_final_step(const runio_train *runs, size_t nruns);

/* Is `a` above `b` by more than the seed spread (a.mean − b.mean > a.sd + b.sd)? */
int fig_above(runio_stat a, runio_stat b);

/* "0.912 ± 0.013 (n=3)" into buf */
const char *fig_fmt(char *buf, size_t cap, runio_stat s);

#endif
