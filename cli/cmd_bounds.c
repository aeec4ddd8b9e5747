/* cli/cmd_bounds.c — `clnscl bounds` (placeholder until its issue lands). */
#include "cli.h"

int clnscl_cmd_bounds(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("'bounds' is not implemented yet");
}
