/* cli/plot.h — gnuplot driver for `clnscl compare` / `clnscl repro`.
 *
 * Every figure NAME is written as NAME.gp (a gnuplot script that renders NAME.png with
 * pngcairo and NAME.svg with the svg terminal) plus its data files (NAME*.dat/.csv) in the
 * same directory, so a user can restyle it: `cd DIR && gnuplot NAME.gp`. gnuplot is a
 * runtime dependency: when it is not on PATH the scripts and data are still written and
 * the caller prints how to render them.
 */
#ifndef CLNSCL_CLI_PLOT_H
#define CLNSCL_CLI_PLOT_H

#include "clnscl/io.h"

#include <stdio.h>

typedef struct {
    char *dir;      /* where the files are written: a staging directory DIR/.clnscl-stage-PID
                       until plot_ctx_commit (the .gp scripts name their data relatively)   */
    char *final;    /* the output directory DIR                                          */
    clnscl_made_dirs made; /* the directories plot_ctx_init created (removed on failure)  */
    int committed;
    char *gnuplot;  /* absolute path of gnuplot, NULL when not on PATH  */
    size_t nfigs;   /* figures (scripts) written                        */
    size_t nrendered;
    char **names;   /* base names of the figures, in order              */
} plot_ctx;

/* Creates `dir` (mkdir -p) and its staging directory, and looks gnuplot up on PATH. Every file
 * goes to the staging directory first, so that a failure leaves no half-written set in `dir`. */
int plot_ctx_init(plot_ctx *c, const char *dir);
/* Moves every staged file into the output directory (rename, so each one appears whole; the file
 * named `last`, e.g. REPORT.md, is moved after all the others) and removes the staging directory. */
int plot_ctx_commit(plot_ctx *c, const char *last);
/* Without a commit: removes the staging directory and its files, then the directories
 * plot_ctx_init created if they are empty. */
void plot_ctx_free(plot_ctx *c);
/* List the written figures on stdout (DIR/NAME.png and .svg, or DIR/NAME.gp without gnuplot; DIR =
 * the output directory). */
void plot_ctx_print_outputs(const plot_ctx *c);
/* Print (stderr) how to render the scripts when gnuplot was missing. */
void plot_ctx_note_missing(const plot_ctx *c);

typedef struct {
    plot_ctx *ctx;
    char *name;
    clnscl_afile gp;
    FILE *fp; /* = gp.fp: write the plot body (gnuplot commands) here */
} plot_fig;

/* Opens NAME.gp and writes the header (terminal loop over png and svg, size w × h px).
 * The body written to f->fp is executed once per output format. */
int plot_fig_begin(plot_fig *f, plot_ctx *c, const char *name, int w, int h, const char *comment);
/* Closes the loop, commits NAME.gp and renders NAME.png + NAME.svg (if gnuplot is there).
 * A gnuplot failure → CLNSCL_EINTERNAL with its first error line. */
int plot_fig_end(plot_fig *f);
void plot_fig_abort(plot_fig *f);

/* Opens DIR/FNAME for a data file (atomic; commit with clnscl_afile_commit). */
int plot_data_open(plot_ctx *c, const char *fname, clnscl_afile *a);

/* Colours used everywhere (one per comparison twin). */
const char *plot_color(const char *other);

#endif
