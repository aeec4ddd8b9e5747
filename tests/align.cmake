# clnscl align: I/O readers/writers, alignment metrics, the CLI
clnscl_unit_test(test_io test_io.c)
clnscl_unit_test(test_metrics test_metrics.c)
clnscl_cli_test(cli_align cli_align.sh)
