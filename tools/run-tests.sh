#!/bin/bash
# Build rstrtmgr for i686 and x86_64 and run every test: the README's test command.
#   tools/run-tests.sh            install what is missing, build both trees, make check in both
#   tools/run-tests.sh --no-setup skip the dependency check
# Build trees: build/i686 and build/x86_64 (override with RSTRTMGR_BUILD_ROOT).  Each runs its
# tests in its own throwaway Wine prefix; the cross-architecture tests of each tree run the
# other tree's programs.  Then the Inno Setup end-to-end test (tools/e2e-inno.sh), the short
# stress run (tools/stress.sh --short), the short randomized API test (tools/fuzz.sh --short),
# the release bundle's test (tools/test-release.sh) and the README's demo in a fresh clone
# without a display (tools/demo-test.sh), all under the machine's Wine 8.0; then the
# conformance programs of both architectures and the Inno Setup test again under Wine 10.0
# from Debian 13 (tools/wine10.sh: a chroot built once per machine; RSTRTMGR_SKIP_WINE10=1
# leaves it out), with our DLLs installed from the release bundle (tools/release.sh).
# Afterwards the same test programs run against Wine's builtin rstrtmgr, as an informative
# baseline, and a quick benchmark pass prints figures.  The last line counts every check, with
# a breakdown per Wine above it: "N passed, N failed, N skipped".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
root=${RSTRTMGR_BUILD_ROOT:-$top/build}
arches="i686 x86_64"
setup=1
[ "${1:-}" = --no-setup ] && setup=0

fail() { echo "run-tests: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

if [ $setup = 1 ]; then "$top/tools/setup.sh" || fail "installing dependencies failed"; fi

# A display for the tests that open windows.
. "$top/tools/xvfb.sh"
start_xvfb 90 109

cleanup()
{
    for arch in $arches; do
        [ -d "$root/$arch/wineprefix" ] && WINEPREFIX="$root/$arch/wineprefix" wineserver -k 2> /dev/null
    done
    stop_xvfb
}
trap cleanup EXIT

"$top/tools/build.sh" || fail "build failed"

# Each tree's tests run serially (they count the sessions of one user); the two trees run
# side by side, each in its own prefix.
status=0
pids=""
for arch in $arches; do
    other=x86_64; [ $arch = x86_64 ] && other=i686
    ( cd "$root/$arch" && make check RSTRTMGR_OTHER_ARCH_BUILD="$root/$other" > check.log 2>&1 ) &
    pids="$pids $!"
done
for pid in $pids; do wait $pid || status=1; done

# Sum the last summary line of every test log: the parent's, which already counts its
# children's failures.
summarise()
{
    local dir=$1 label=$2 passed=0 failed=0 skipped=0 log line
    for log in "$dir"/*.log; do
        [ -f "$log" ] || continue
        case $(basename "$log") in test-suite.log) continue ;; esac
        line=$(tr -d '\r' < "$log" | grep -E '^[0-9a-f]+:[a-z0-9_]+:[^ ]* [0-9]+ tests executed' | tail -1)
        if [ -z "$line" ]; then
            # A crash ends a unit before its summary: count what it failed until then, and the crash.
            line=$(tr -d '\r' < "$log" | grep -c 'Test failed\|Test succeeded inside todo')
            echo "  $label $(basename "$log" .log): crashed after $line failed checks ($(tr -d '\r' < "$log" | grep -m1 -o 'unimplemented function [^ ,]*\|unhandled exception [0-9a-f]*' || echo 'no summary line'))"
            failed=$((failed + line + 1))
            continue
        fi
        set -- $(echo "$line" | sed -E 's/.* ([0-9]+) tests executed \(([0-9]+) marked as todo, ([0-9]+) as flaky, ([0-9]+) failures?\), ([0-9]+) skipped\./\1 \2 \3 \4 \5/')
        echo "  $label $(basename "$log" .log): $1 executed, $4 failed, $5 skipped"
        passed=$((passed + $1 - $2 - $3 - $4))
        failed=$((failed + $4))
        skipped=$((skipped + $5))
    done
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    total_skipped=$((total_skipped + skipped))
}

echo "run-tests: conformance tests with our rstrtmgr.dll"
total_passed=0 total_failed=0 total_skipped=0
for arch in $arches; do
    summarise "$root/$arch/tests" "$arch"
    if grep -q '^# FAIL:  *[1-9]\|^# ERROR:  *[1-9]' "$root/$arch/check.log"; then
        status=1
        grep -h -E 'Test failed|Test succeeded inside todo|unhandled exception|winetest-run' "$root/$arch"/tests/*.log | head -40
    fi
done
conformance_passed=$total_passed conformance_failed=$total_failed conformance_skipped=$total_skipped
[ $total_failed = 0 ] || status=1

# Runs a tool whose output ends with "N passed, N failed" into LOG, shows the lines that match
# PATTERN, and sets run_passed and run_failed from its summary (1 failed if it has none).
counted_run()
{
    local label=$1 log=$2 pattern=$3 run_status line
    shift 3
    "$@" > "$log" 2>&1
    run_status=$?
    grep -E "$pattern" "$log" | head -40 | sed 's/^/  /'
    line=$(tr -d '\r' < "$log" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
    if [ -z "$line" ]; then
        echo "  the $label did not finish; its log: $log"
        tail -20 "$log" | sed 's/^/  | /'
        run_passed=0 run_failed=1
    else
        run_passed=${line%% passed*}
        run_failed=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
        echo "  $line"
    fi
    [ $run_status = 0 ] && [ "$run_failed" = 0 ] || status=1
}

# The real client: Inno Setup 6.4.1 upgrading a running application through our DLL.
echo "run-tests: end-to-end test with Inno Setup 6.4.1"
counted_run "end-to-end test" "$root/e2e-inno.log" '^(PASS|FAIL|baseline)' \
    "$top/tools/e2e-inno.sh" --no-setup --no-build
e2e_passed=$run_passed e2e_failed=$run_failed

# Reliability: the store under 16 concurrent processes of both architectures and owners
# killed at random points, in its short form (tools/stress.sh without --short is the full run).
echo "run-tests: stress test (short form)"
counted_run "stress test" "$root/stress-short.log" '^(FAIL|fail)' "$top/tools/stress.sh" --short --no-build
stress_passed=$run_passed stress_failed=$run_failed

# Randomized API testing (tools/fuzz.sh; fuzz/rmfuzz.c): fixed seeds, both architectures,
# threads and a child of the other architecture on one store.  One check per seed run.
echo "run-tests: randomized API test (short form)"
counted_run "randomized API test" "$root/fuzz-short.log" '^(PASS|FAIL|  )' \
    "$top/tools/fuzz.sh" --short --no-build
fuzz_passed=$run_passed fuzz_failed=$run_failed

# The release bundle as a user takes it: tools/release.sh's tarball unpacked, installed with
# setup_rstrtmgr.sh into fresh prefixes, rmtool run by name, run-tests.cmd under Wine's cmd.
echo "run-tests: release bundle test"
counted_run "release test" "$root/test-release.log" '^(FAIL|SKIP)' "$top/tools/test-release.sh" --no-build
release_passed=$run_passed release_failed=$run_failed

# The demo the way a newcomer runs it: a fresh clone, a fresh prefix, no DISPLAY.
echo "run-tests: the README's demo in a fresh clone without a display (tools/demo-test.sh)"
counted_run "demo test" "$root/demo-test.log" '^(PASS|FAIL)' "$top/tools/demo-test.sh"
demo_passed=$run_passed demo_failed=$run_failed

# The second Wine: Wine 10.0 from Debian 13 in a chroot (tools/wine10.sh; built once per
# machine, needs root): the same conformance programs, and the Inno Setup test with our DLLs
# installed from the release bundle by its setup_rstrtmgr.sh.
w10_passed=0 w10_failed=0 w10_skipped=0 w10_e2e_passed=0 w10_e2e_failed=0
if [ "${RSTRTMGR_SKIP_WINE10:-0}" != 1 ]; then
    echo "run-tests: Wine 10.0 (Debian 13 chroot, tools/wine10.sh)"
    sudo=
    [ "$(id -u)" = 0 ] || sudo="sudo RSTRTMGR_BUILD_ROOT=$root"
    t0=$(date +%s)
    rm -rf "$root/wine10/i686/tests" "$root/wine10/x86_64/tests"
    if ! tarball=$("$top/tools/release.sh" --no-build 2> "$root/release.log" | tail -1) || [ ! -f "$tarball" ]; then
        cat "$root/release.log"
        echo "  tools/release.sh failed: no bundle for the end-to-end test"
        tarball=
    fi
    # The final line of its log is the end-to-end test's; the conformance logs are read below.
    counted_run "Wine 10.0 leg" "$root/wine10.log" '^(PASS|FAIL|baseline|wine10: (wine-|debootstrap|installing|chroot ready|[a-z]+ done|still))' \
        $sudo "$top/tools/wine10.sh" check ${tarball:+--bundle "$tarball"}
    w10_e2e_passed=$run_passed w10_e2e_failed=$run_failed
    total_passed=0 total_failed=0 total_skipped=0
    for arch in $arches; do
        [ -d "$root/wine10/$arch/tests" ] || { echo "  $arch wine10: no logs (see $root/wine10.log)"; total_failed=$((total_failed + 1)); continue; }
        summarise "$root/wine10/$arch/tests" "$arch wine10"
        grep -h -E 'Test failed|Test succeeded inside todo|unhandled exception|winetest-run' "$root/wine10/$arch"/tests/*.log | head -20
    done
    w10_passed=$total_passed w10_failed=$total_failed w10_skipped=$total_skipped
    [ "$w10_failed" = 0 ] || status=1
    echo "  Wine 10.0 leg: $(( $(date +%s) - t0 ))s"
fi

# The benchmarks, once and small: figures for the log, not a verdict (tools/bench.sh runs
# them in full; the README has those tables).
if [ "${RSTRTMGR_SKIP_BENCH:-0}" != 1 ]; then
    echo "run-tests: benchmarks, quick pass (informative)"
    # Bounded: a benchmark that hangs must not hold up the verdict; what it left running in
    # its prefix is stopped afterwards.
    RSTRTMGR_BENCH_SESSION_ARGS="--cycles 100" RSTRTMGR_BENCH_SHUTDOWN_ARGS="--rounds 1" \
        WINEPREFIX="$root/bench/wineprefix" timeout -k 10 "${RSTRTMGR_BENCH_TIMEOUT:-900}" \
        "$top/tools/bench.sh" --runs 1 --files 1,10000 --procs 10 \
        > "$root/bench-quick.log" 2>&1 || echo "  the benchmarks did not finish (see $root/bench-quick.log)"
    WINEPREFIX="$root/bench/wineprefix" wineserver -k 2> /dev/null
    sed 's/^/  /' "$root/bench-quick.log"
fi

# Baseline: the same programs against Wine's builtin rstrtmgr.  Informative only.
if [ "${RSTRTMGR_SKIP_BUILTIN_REPORT:-0}" != 1 ]; then
    total_passed=0 total_failed=0 total_skipped=0
    echo "run-tests: report mode, the same tests against Wine's builtin rstrtmgr (informative)"
    for arch in $arches; do
        mkdir -p "$root/$arch/builtin-report"
        for log in "$root/$arch"/tests/*.log; do
            unit=$(basename "$log" .log)
            [ "$unit" = test-suite ] && continue
            exe=$root/$arch/tests/$unit.exe
            RSTRTMGR_TEST_DLL=builtin RSTRTMGR_TEST_TIMEOUT=120 RSTRTMGR_BUILDDIR="$root/$arch" \
                bash "$top/tools/winetest-run.sh" "$exe" > "$root/$arch/builtin-report/$unit.log" 2>&1
        done
        summarise "$root/$arch/builtin-report" "$arch builtin"
    done
    echo "run-tests: baseline: Wine's builtin rstrtmgr fails $total_failed checks and passes $total_passed (its stubs abort most units)"
fi

echo "run-tests: Wine 8.0 (Debian 12): conformance checks (i686 + x86_64): $conformance_passed passed, $conformance_failed failed, $conformance_skipped skipped"
echo "run-tests: Wine 8.0 (Debian 12): Inno Setup end-to-end checks: $e2e_passed passed, $e2e_failed failed"
echo "run-tests: Wine 8.0 (Debian 12): stress checks: $stress_passed passed, $stress_failed failed"
echo "run-tests: Wine 8.0 (Debian 12): randomized API test checks: $fuzz_passed passed, $fuzz_failed failed"
echo "run-tests: Wine 8.0 (Debian 12): release bundle checks: $release_passed passed, $release_failed failed"
echo "run-tests: Wine 8.0 (Debian 12): the demo, fresh clone, no DISPLAY: $demo_passed passed, $demo_failed failed"
if [ "${RSTRTMGR_SKIP_WINE10:-0}" != 1 ]; then
    echo "run-tests: Wine 10.0 (Debian 13): conformance checks (i686 + x86_64): $w10_passed passed, $w10_failed failed, $w10_skipped skipped"
    echo "run-tests: Wine 10.0 (Debian 13): Inno Setup end-to-end checks (release bundle): $w10_e2e_passed passed, $w10_e2e_failed failed"
else
    echo "run-tests: Wine 10.0 (Debian 13): not run (RSTRTMGR_SKIP_WINE10=1)"
fi
echo "run-tests: all checks with our rstrtmgr.dll:"
echo "$((conformance_passed + e2e_passed + stress_passed + fuzz_passed + release_passed + demo_passed + w10_passed + w10_e2e_passed)) passed, $((conformance_failed + e2e_failed + stress_failed + fuzz_failed + release_failed + demo_failed + w10_failed + w10_e2e_failed)) failed, $((conformance_skipped + w10_skipped)) skipped"
exit $status
