/* cli/cmd_compare.c — `clnscl compare` (placeholder until its issue lands). */
#include "cli.h"

int clnscl_cmd_compare(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("'compare' is not implemented yet");
}
