# tests/bounds.cmake — schedules (core/schedule.c), bounds (bounds/), `clnscl bounds`.
clnscl_unit_test(test_schedule test_schedule.c LIBS clnscl_core)
clnscl_unit_test(test_bounds test_bounds.c LIBS clnscl_bounds clnscl_core)
clnscl_cli_test(cli_bounds cli_bounds.sh)
