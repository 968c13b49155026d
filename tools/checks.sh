# Sourced by the test scripts that print one PASS or FAIL line per check and end with
# "N passed, N failed" (tools/e2e-inno.sh, tools/test-release.sh).
#   pass WHAT / fail WHAT         count and print one result
#   check WHAT COMMAND [ARGS...]  pass if the command succeeds, fail otherwise
passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
