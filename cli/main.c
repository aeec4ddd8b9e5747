/* cli/main.c — the `clnscl` binary: dispatch to subcommands. */
#include "cli.h"

#include "clnscl/nn.h"
#include "clnscl/status.h"

#include <stdio.h>
#include <string.h>

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

int main(int argc, char **argv)
{
    clnscl_nn_openblas_coretype(argv); /* may re-execute once, see nn.h */
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
