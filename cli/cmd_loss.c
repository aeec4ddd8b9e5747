/* cli/cmd_loss.c — `clnscl loss` (placeholder until its issue lands). */
#include "cli.h"

int clnscl_cmd_loss(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("'loss' is not implemented yet");
}
