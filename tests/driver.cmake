# tests/driver.cmake — `clnscl compare` and `clnscl repro` (issue 6).
# cli_compare: synthetic run directories from tests/fixtures/compare (gen_compare.py) → every
#   figure, REPORT.md verdicts and numbers vs numpy, gnuplot missing, malformed inputs.
# cli_repro: argument and INI errors (no runs).
# e2e_repro_smoke: `repro all --scale smoke` on real data (≤ 2 minutes on 2 cores).
clnscl_cli_test(cli_compare cli_compare.sh)
clnscl_cli_test(cli_repro cli_repro.sh)
clnscl_cli_test(e2e_repro_smoke e2e_repro_smoke.sh LABEL e2e)
set_tests_properties(e2e_repro_smoke PROPERTIES TIMEOUT 600)
