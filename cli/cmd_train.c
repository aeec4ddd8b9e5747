/* cli/cmd_train.c — `clnscl train` (placeholder until its issue lands). */
#include "cli.h"

int clnscl_cmd_train(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error("'train' is not implemented yet");
}
