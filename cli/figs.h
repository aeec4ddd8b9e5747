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
 *
 * In two halves so that bad input is found before anything is written or launched:
 * fig_overlay_prepare reads and checks every run's reference set (labels.npy: ref_size labels of
 * >= 2 classes; cl_ and nscl_epochE.npy for every end-of-epoch evaluation of alignment.csv: 2N × d,
 * one d, finite, no zero row, CKA/RSA of their Σ defined), computes the network series and checks
 * the surrogate's options with the simulator's own setter and checks — no file written;
 * fig_overlay_finish runs the surrogates, draws and adds the claims. */
typedef struct fig_overlay fig_overlay;
int fig_overlay_prepare(const runio_train *runs, size_t nruns, const char *surr_root, fig_overlay **out);
int fig_overlay_finish(plot_ctx *c, const char *name, fig_overlay *ov, int parallel, report *rep,
                       const char *section);
void fig_overlay_free(fig_overlay *ov);
/* both halves */
int fig_theory_overlay(plot_ctx *c, const char *name, const runio_train *runs, size_t nruns,
                       const char *surr_root, int parallel, report *rep, const char *section);

/* Surrogate-only figure for a sim run directory (trajectory.csv): gap and bounds (log10),
 * CKA/RSA with lower bounds; claim rows 4–7 from its summary.json/trajectory. */
int fig_sim_run(plot_ctx *c, const char *name, const char *dir, report *rep, const char *section);
/* Reads and checks a sim run directory as fig_sim_run does, writing nothing: summary.json a JSON
 * object whose "config" are valid `clnscl sim` options (clnscl_sim_opts_set/check) and whose
 * "violations" is a count; trajectory.csv with, per repeat, strictly increasing steps within the
 * configured ones, gaps in [0, largest possible], CKA/RSA in [-1, 1], bounds not NaN. */
int fig_sim_check(const char *dir);

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
