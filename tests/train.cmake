# tests/train.cmake — the twin trainer and `clnscl train` (issue 5).
clnscl_unit_test(test_train_config test_train_config.c LIBS clnscl_train clnscl_core)
