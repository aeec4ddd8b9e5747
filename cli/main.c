/* cli/main.c — the `clnscl` binary: dispatch to subcommands. */
#include "cli.h"

#include "clnscl/status.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CLNSCL_VERSION
#define CLNSCL_VERSION "0.0.0"
#endif

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} commands[] = {
    {"align", clnscl_cmd_align, "CKA / RSA alignment between two feature matrices"},
    {"bounds", clnscl_cmd_bounds, "evaluate the paper's bounds (Theorem 1, Corollaries, Theorem 2)"},
    {"sim", clnscl_cmd_sim, "surrogate similarity-descent dynamics for CL, NSCL, SCL"},
    {"train", clnscl_cmd_train, "train CPU twin networks (CL, NSCL, SCL, CE) under shared randomness"},
    {"loss", clnscl_cmd_loss, "evaluate a contrastive loss (and gradients) on given projections"},
    {"compare", clnscl_cmd_compare, "plot empirical against theoretical alignment from run directories"},
    {"repro", clnscl_cmd_repro, "regenerate the paper's figures (paper_repro/ -> figures/)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: clnscl <command> [options]   (clnscl <command> --help for details)\n\n"
               "Checks 'On the Alignment Between Supervised and Self-Supervised Contrastive\n"
               "Learning' (Luthra, Mishra, Galanti; ICLR 2026) against real training runs.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\noptions:\n  -h, --help     this help\n  --version      print the version\n");
}

/* OpenBLAS 0.3.21 does not recognise recent Xeons (e.g. Sapphire Rapids) and falls back
 * to its SSE3 "Prescott" kernels, 2-3x slower on the training sgemms. The core type is
 * read once when the library loads, so if that happened on a CPU with AVX-512 or AVX2,
 * re-execute once with OPENBLAS_CORETYPE set (an explicit user setting is left alone). */
static void openblas_fix_coretype(char **argv)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (getenv("OPENBLAS_CORETYPE")) return;
    const char *core = openblas_get_corename();
    if (!core || strcmp(core, "Prescott") != 0) return;
    const char *want = NULL;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        want = "SkylakeX";
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        want = "Haswell";
    if (!want || setenv("OPENBLAS_CORETYPE", want, 1) != 0) return;
    execv("/proc/self/exe", argv); /* returns only on failure: carry on with Prescott */
#else
    (void)argv;
#endif
}

int main(int argc, char **argv)
{
    openblas_fix_coretype(argv);
    clnscl_gsl_quiet();
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("clnscl %s\n", CLNSCL_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    return cli_error("unknown command '%s' (try clnscl --help)", argv[1]);
}
