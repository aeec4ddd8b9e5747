# tests/sim.cmake — the surrogate simulator (sim/) and `clnscl sim` (issue 4).
clnscl_unit_test(test_sim test_sim.c LIBS clnscl_sim clnscl_bounds clnscl_core)
clnscl_cli_test(cli_sim cli_sim.sh)
