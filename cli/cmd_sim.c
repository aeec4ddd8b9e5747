/* cli/cmd_sim.c — `clnscl sim` (placeholder until its issue lands). */
#include "cli.h"

int clnscl_cmd_sim(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("'sim' is not implemented yet");
}
