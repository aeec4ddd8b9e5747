/* cli/cmd_compare.c — `clnscl compare RUN_DIR… [--out DIR]`: empirical against theoretical
 * alignment figures from train and sim run directories (issue 6; THEORY.md §6.5, §7). */
#include "cli.h"
#include "clnscl/io.h"
#include "figs.h"
#include "jobs.h"

#include "clnscl/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: clnscl compare RUN_DIR... [--out DIR] [--jobs N] [--no-surrogate]\n\n"
            "Reads `clnscl train` run directories (alignment.csv, models.csv, config.json, reference/)\n"
            "and `clnscl sim` run directories (trajectory.csv, summary.json) and draws with gnuplot\n"
            "(PNG via pngcairo and SVG; each figure's .gp script and .dat data are kept beside it):\n"
            "  alignment.*          CKA and RSA of CL vs NSCL, SCL, CE and the null CL twin (cl2) over\n"
            "                       training, mean +- sd over the train runs (seeds)          (paper Fig. 2)\n"
            "  weight_gap.*         weight gap (log) beside the representation gap 1-CKA, 1-RSA (Figs. 1, 6)\n"
            "  theory_vs_network.*  the network's Sigma gap on its reference set against the surrogate\n"
            "                       (`clnscl sim --init file`) run from the network's own Sigma_0, with the\n"
            "                       recurrence and Theorem-1 bounds (log10; vacuous region shaded) and\n"
            "                       CKA/RSA with their Corollary 1/2 lower bounds\n"
            "  sim.*, sim_K.*       the same panels for each sim run directory given\n"
            "  REPORT.md            one row per THEORY.md section-7 claim these figures touch: claim,\n"
            "                       expected direction, measured numbers, PASS/FAIL, figure file\n"
            "Train runs given together are treated as seeds of one configuration.\n\n"
            "options:\n"
            "  --out DIR        output directory (default: FIRST_RUN_DIR/compare)\n"
            "  --jobs N         surrogate runs in parallel (default 2; >1 sets OPENBLAS_NUM_THREADS=1 each)\n"
            "  --no-surrogate   skip the surrogate runs and the theory_vs_network figure\n"
            "  -h, --help       this help\n"
            "Without gnuplot on PATH the scripts and data are written and the command says how to render.\n"
            "Every input is checked before anything is written (config.json by the trainer's own rules, the\n"
            "CSV rows and ranges, reference/ when the overlay is drawn, sim summaries by the simulator's\n"
            "rules): a problem -> one line naming the file, exit 2, no output. The files appear together.\n");
}

/* the same directory (after symlinks, "." and the like) given twice */
static int same_dir(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int clnscl_cmd_compare(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    if (cli_reject_repeats(argc, argv, NULL)) return 2;
    const char *out = NULL;
    long jobs = 2;
    int no_surr = 0;
    const char **dirs = calloc((size_t)argc, sizeof *dirs);
    if (!dirs) return cli_error("out of memory");
    size_t ndirs = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--out")) {
            if (++i >= argc || !*argv[i]) {
                free(dirs);
                return cli_error("--out needs a directory");
            }
            out = argv[i];
        } else if (!strcmp(argv[i], "--jobs")) {
            if (++i >= argc || cli_parse_long("--jobs", argv[i], &jobs)) {
                free(dirs);
                return i >= argc ? cli_error("--jobs needs a number") : 2;
            }
            if (jobs < 1 || jobs > 64) {
                free(dirs);
                return cli_error("--jobs must be in 1..64");
            }
        } else if (!strcmp(argv[i], "--no-surrogate")) {
            no_surr = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            free(dirs);
            return cli_error("unknown option '%s' (see clnscl compare --help)", argv[i]);
        } else {
            dirs[ndirs++] = argv[i];
        }
    }
    if (ndirs == 0) {
        free(dirs);
        return cli_error("compare needs at least one run directory (see clnscl compare --help)");
    }
    /* read and check everything before writing or launching anything */
    runio_train *runs = calloc(ndirs, sizeof *runs);
    const char **sims = calloc(ndirs, sizeof *sims);
    size_t nruns = 0, nsims = 0;
    int st = (!runs || !sims) ? clnscl_fail(CLNSCL_ENOMEM, "out of memory") : CLNSCL_OK;
    for (size_t i = 0; i < ndirs && !st; i++) {
        if (!clnscl_is_dir(dirs[i])) {
            st = clnscl_fail(CLNSCL_EIO, "%s: not a directory", dirs[i]);
            break;
        }
        for (size_t k = 0; k < i && !st; k++)
            if (same_dir(dirs[k], dirs[i]))
                st = clnscl_fail(CLNSCL_EINVAL, "%s and %s are the same run directory (a run counts once)", dirs[k],
                                 dirs[i]);
        if (st) break;
        int kind = runio_dir_kind(dirs[i]);
        if (kind == 1) {
            st = runio_train_load(dirs[i], &runs[nruns]);
            if (!st) nruns++;
        } else if (kind == 2) {
            st = fig_sim_check(dirs[i]);
            if (!st) sims[nsims++] = dirs[i];
        } else {
            st = clnscl_fail(CLNSCL_EFORMAT, "%s: neither a train run (alignment.csv) nor a sim run (trajectory.csv)",
                             dirs[i]);
        }
    }
    char *defout = NULL, *root = NULL;
    if (!st && !out) {
        defout = runio_join(dirs[0], "compare");
        if (!defout) st = clnscl_fail(CLNSCL_ENOMEM, "out of memory");
        out = defout;
    }
    if (!st) {
        root = runio_join(out, "runs");
        if (!root) st = clnscl_fail(CLNSCL_ENOMEM, "out of memory");
    }
    /* the reference sets and the surrogates' options (nothing written yet) */
    fig_overlay *ov = NULL;
    if (!st && nruns && !no_surr) st = fig_overlay_prepare(runs, nruns, root, &ov);
    plot_ctx pc;
    int have_ctx = 0;
    report rep;
    report_init(&rep);
    if (!st) {
        st = plot_ctx_init(&pc, out);
        have_ctx = 1;
    }
    if (!st && nruns) {
        st = fig_alignment(&pc, "alignment", "Alignment of CL with NSCL, SCL, CE and the null twin over training",
                           runs, nruns);
        if (!st) st = claims_alignment(&rep, "compare", "alignment.png", runs, nruns);
        if (!st)
            st = fig_weight_gap(&pc, "weight_gap", "Weights drift apart while representations stay aligned", runs,
                                nruns);
        if (!st) st = claims_weight_gap(&rep, "compare", "weight_gap.png", runs, nruns);
        if (!st && ov) st = fig_overlay_finish(&pc, "theory_vs_network", ov, (int)jobs, &rep, "compare");
    }
    for (size_t k = 0; k < nsims && !st; k++) {
        char name[64], sec[96];
        if (nsims == 1) snprintf(name, sizeof name, "sim");
        else snprintf(name, sizeof name, "sim_%zu", k + 1);
        snprintf(sec, sizeof sec, "compare/%s", name);
        st = fig_sim_run(&pc, name, sims[k], &rep, sec);
    }
    if (!st) {
        char *rp = runio_join(pc.dir, "REPORT.md");
        char intro[1024];
        snprintf(intro, sizeof intro,
                 "Written by `clnscl compare` from %zu train run%s and %zu sim run%s. Mean ± sd over the train "
                 "runs (seeds); an effect is called only when it exceeds the seed spread (difference of means > "
                 "sum of the sds); a claim the runs cannot test is marked \"not tested\" with the reason. Claims "
                 "are numbered as in THEORY.md §7.",
                 nruns, nruns == 1 ? "" : "s", nsims, nsims == 1 ? "" : "s");
        st = rp ? report_write(&rep, rp, "clnscl compare report", intro) : clnscl_fail(CLNSCL_ENOMEM, "out of memory");
        free(rp);
    }
    /* the whole set appears at once: figures first, REPORT.md last */
    if (!st) st = plot_ctx_commit(&pc, "REPORT.md");
    int rc = 0;
    if (st) rc = cli_fail_status(st);
    else {
        plot_ctx_print_outputs(&pc);
        printf("%s/REPORT.md\n", out);
        plot_ctx_note_missing(&pc);
    }
    if (have_ctx) plot_ctx_free(&pc);
    fig_overlay_free(ov);
    report_free(&rep);
    for (size_t i = 0; i < nruns; i++) runio_train_free(&runs[i]);
    free(runs);
    free(sims);
    free(dirs);
    free(defout);
    free(root);
    return rc;
}
