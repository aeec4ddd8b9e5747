# core/: RNG and status messages
clnscl_unit_test(test_core test_core.c LIBS clnscl_core)
