# tests/train.cmake — the twin trainer and `clnscl train` (issue 5).
clnscl_unit_test(test_train_config test_train_config.c LIBS clnscl_train clnscl_core)
clnscl_unit_test(test_train_twins test_train_twins.c LIBS clnscl_train clnscl_core)
clnscl_cli_test(cli_train cli_train.sh)
clnscl_cli_test(e2e_train e2e_train.sh LABEL e2e)
