/* cli/cmd_align.c — `clnscl align` (placeholder until its issue lands). */
#include "cli.h"

int clnscl_cmd_align(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("'align' is not implemented yet");
}
