/* cli/cmd_repro.c — `clnscl repro` (placeholder until its issue lands). */
#include "cli.h"

int clnscl_cmd_repro(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("'repro' is not implemented yet");
}
