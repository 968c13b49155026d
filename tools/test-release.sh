#!/bin/bash
# Test of the release bundle, the way a user takes it: tools/release.sh's tarball, unpacked in
# an empty folder, installed with setup_rstrtmgr.sh (run by dash) into fresh Wine prefixes.
#   tools/test-release.sh             build, package and test
#   tools/test-release.sh --no-build  package the trees tools/build.sh made before
# Prefixes and logs: build/test-release (RSTRTMGR_BUILD_ROOT for another build root).
# RSTRTMGR_RELEASE_UNITS="session getlist" limits what run-tests.cmd runs (default: every unit).
# Every check prints PASS or FAIL with its evidence (SKIP: a check this machine cannot make);
# the last line is "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
root=${RSTRTMGR_BUILD_ROOT:-$top/build}
work=$root/test-release
export WINEDEBUG=-all
unset WINEPREFIX WINEARCH WINEDLLOVERRIDES WINE

build_arg=
for arg in "$@"; do
    case $arg in
        --no-build) build_arg=--no-build ;;
        *) echo "usage: $0 [--no-build]" >&2; exit 2 ;;
    esac
done

. "$top/tools/checks.sh"
finish() { echo "$passed passed, $failed failed"; [ $failed = 0 ]; exit; }
die() { fail "$*"; finish; }

wine64=/usr/lib/wine/wine64
[ -x $wine64 ] || wine64=wine64
sh_cmd=dash
command -v dash > /dev/null || { echo "  dash is missing: setup_rstrtmgr.sh runs under sh"; sh_cmd=sh; }

rm -rf "$work"
mkdir -p "$work"
prefixes=""
. "$top/tools/xvfb.sh"
start_xvfb 220 239 || die "no free display for Xvfb"
cleanup()
{
    local p
    for p in $prefixes; do [ -f "$p/system.reg" ] && WINEPREFIX=$p wineserver -k 2> /dev/null; done
    stop_xvfb
}
trap cleanup EXIT

# ------------------------------------------------------------------ the tarball

"$top/tools/release.sh" $build_arg > "$work/release.log" 2>&1 || { cat "$work/release.log"; die "tools/release.sh failed"; }
tarball=$(tail -n 1 "$work/release.log")
[ -f "$tarball" ] || die "tools/release.sh printed no tarball path (last line: $tarball)"
version=$(sed -n 's/^AC_INIT(\[rstrtmgr\], *\[\([^]]*\)\].*/\1/p' "$top/configure.ac")
name=rstrtmgr-$version
check "tools/release.sh writes build/release/$name.tar.gz" [ "$tarball" = "$root/release/$name.tar.gz" ]

units=$(printf 'print-tests:\n\t@echo $(TESTS)\n' | make -s -C "$root/x86_64" -f Makefile -f - print-tests |
    tr ' ' '\n' | sed -n 's|^tests/\([^/]*\.exe\)$|\1|p' | sort)
{
    printf '%s\n' "$name/" "$name/LICENSE" "$name/README.md" "$name/setup_rstrtmgr.sh" "$name/tests/" \
        "$name/tests/run-tests.cmd" "$name/tests/x32/" "$name/tests/x64/" "$name/x32/" "$name/x32/rmtool.exe" \
        "$name/x32/rstrtmgr.dll" "$name/x64/" "$name/x64/rmhelper64.exe" "$name/x64/rmtool.exe" "$name/x64/rstrtmgr.dll"
    for u in $units; do echo "$name/tests/x32/$u"; echo "$name/tests/x64/$u"; done
    [ -f "$top/tests/EVIDENCE.md" ] && echo "$name/tests/EVIDENCE.md"
} | LC_ALL=C sort > "$work/expected-listing.txt"
tar -tzf "$tarball" > "$work/listing.txt"
check "the tarball holds exactly the bundle's files ($(grep -c -v '/$' "$work/listing.txt") files; diff: $work/listing.diff)" \
    eval 'LC_ALL=C sort "$work/listing.txt" | diff "$work/expected-listing.txt" - > "$work/listing.diff"'
check "the tarball lists its files in name order" eval 'LC_ALL=C sort -c "$work/listing.txt"'
check "every entry is owned by 0:0 and dated by the last commit" \
    eval '[ "$(tar -tvzf "$tarball" | awk "{ print \$2, \$4, \$5 }" | sort -u | wc -l)" = 1 ] && tar -tvzf "$tarball" | head -n 1 | grep -q " 0/0 "'
sum1=$(sha256sum < "$tarball")
"$top/tools/release.sh" --no-build > "$work/release2.log" 2>&1
check "a second tools/release.sh --no-build gives the same tarball (reproducible)" [ "$sum1" = "$(sha256sum < "$tarball")" ]

# ------------------------------------------------------------------ unpacked by a user

unpack=$(mktemp -d "$work/unpack.XXXXXX")
tar -C "$unpack" -xzf "$tarball" || die "cannot unpack $tarball"
bundle=$unpack/$name
setup=$bundle/setup_rstrtmgr.sh
check "tests/run-tests.cmd has CRLF line endings only" \
    eval '[ "$(grep -c $'"'"'\r$'"'"' "$bundle/tests/run-tests.cmd")" = "$(wc -l < "$bundle/tests/run-tests.cmd")" ]'
check "no rstrtmgr.dll beside the conformance programs" eval '! ls "$bundle"/tests/*/rstrtmgr.dll > /dev/null 2>&1'
check "the bundle names no path of this machine" eval '! grep -rl -F -e "$top" "$bundle" > /dev/null'
( cd "$bundle" && find . -type f -exec sha256sum {} + | sort ) > "$work/bundle.sums"

# Every file of the prefix's system directories: checksums, and link targets.
snapshot()
{
    (
        cd "$1/drive_c/windows" 2> /dev/null || exit 0
        find system32 syswow64 -type f -exec md5sum {} + 2> /dev/null | sort -k 2
        find system32 syswow64 -type l -printf '%p -> %l\n' 2> /dev/null | sort
        ls "$1/rstrtmgr-backup" 2> /dev/null
    )
}
# The whole tree of a prefix that must not change (small, fake prefixes only).
tree_state() { ( cd "$1" && find . -printf '%p %s %T@\n' | sort ) 2> /dev/null; }

setup_run() # LOG PREFIX ARGS...: runs the bundle's script with dash, keeps its output
{
    local log=$1 pfx=$2; shift 2
    WINEPREFIX=$pfx $sh_cmd "$setup" "$@" > "$work/$log.out" 2> "$work/$log.err"
    echo $? > "$work/$log.status"
    sed 's/^/    | /' "$work/$log.out" "$work/$log.err"
    return $(cat "$work/$log.status")
}

override_of() { WINEPREFIX=$1 $wine64 reg query 'HKCU\Software\Wine\DllOverrides' /v rstrtmgr 2> /dev/null |
    tr -d '\r' | sed -n 's/^[[:space:]]*rstrtmgr[[:space:]]*REG_SZ[[:space:]]*//p'; }

# rmtool by name, as a user types it: LOADER PREFIX FILE; prints rmtool's output, returns its code.
rmtool_by_name() { WINEPREFIX=$2 timeout -k 5 120 $1 rmtool.exe list "$3" < /dev/null 2> "$work/rmtool.err"; }

# Which rstrtmgr.dll a program of that loader loads: WINEDEBUG=+loaddll's line for it.
loaded_dll() { WINEPREFIX=$2 WINEDEBUG=+loaddll timeout -k 5 120 $1 rmtool.exe list "$3" < /dev/null 2>&1 |
    grep -i 'loaddll.*rstrtmgr.dll' | sed 's/.*Loaded //' | head -n 1; }

# ------------------------------------------------------------------ a fresh WoW64 prefix

wow=$work/wow64
prefixes="$prefixes $wow"
"$top/tools/wine-prefix.sh" "$wow" || die "cannot create the WoW64 prefix $wow"
before=$(snapshot "$wow")
winsys=$wow/drive_c/windows

if setup_run install1 "$wow" install; then pass "install into a fresh WoW64 prefix (exit 0)"
else fail "install into a fresh WoW64 prefix (exit $(cat "$work/install1.status"))"; fi
check "x64 files in system32: rstrtmgr.dll, rmtool.exe, rmhelper64.exe identical to the bundle's" \
    eval 'cmp -s "$bundle/x64/rstrtmgr.dll" "$winsys/system32/rstrtmgr.dll" && cmp -s "$bundle/x64/rmtool.exe" "$winsys/system32/rmtool.exe" && cmp -s "$bundle/x64/rmhelper64.exe" "$winsys/system32/rmhelper64.exe"'
check "x32 files in syswow64: rstrtmgr.dll, rmtool.exe identical to the bundle's; no rmhelper64.exe there" \
    eval 'cmp -s "$bundle/x32/rstrtmgr.dll" "$winsys/syswow64/rstrtmgr.dll" && cmp -s "$bundle/x32/rmtool.exe" "$winsys/syswow64/rmtool.exe" && [ ! -e "$winsys/syswow64/rmhelper64.exe" ]'
value=$(override_of "$wow")
check "HKCU\\Software\\Wine\\DllOverrides\\rstrtmgr is native,builtin (got '$value')" [ "$value" = native,builtin ]

# rmtool from both system directories, run by name.
echo "a file nobody holds" > "$wow/drive_c/rel-free.txt"
echo "a file holdfile holds" > "$wow/drive_c/rel-held.txt"
dll64=$(loaded_dll $wine64 "$wow" 'C:\rel-free.txt')
dll32=$(loaded_dll wine "$wow" 'C:\rel-free.txt')
check "64-bit 'wine64 rmtool.exe' loads our system32 DLL (loaddll: $dll64)" \
    eval 'echo "$dll64" | grep -qi "system32.*rstrtmgr\.dll.*native"'
check "32-bit 'wine rmtool.exe' loads our syswow64 DLL (loaddll: $dll32)" \
    eval 'echo "$dll32" | grep -qi "syswow64.*rstrtmgr\.dll.*native"'
out=$(rmtool_by_name $wine64 "$wow" 'C:\rel-free.txt'); code=$?
check "64-bit rmtool list of a file nobody holds: exit 0, no process (got $code: $(echo $out))" \
    eval '[ $code = 0 ] && ! echo "$out" | grep -q "^ *[0-9]"'
out=$(rmtool_by_name wine "$wow" 'C:\rel-free.txt'); code=$?
check "32-bit rmtool list of a file nobody holds: exit 0, no process (got $code: $(echo $out))" \
    eval '[ $code = 0 ] && ! echo "$out" | grep -q "^ *[0-9]"'
WINEPREFIX=$wow wine "$root/x86_64/programs/holdfile/holdfile.exe" 'C:\rel-held.txt' 120 < /dev/null > /dev/null 2>&1 &
holder=$!
for _ in $(seq 100); do
    rmtool_by_name wine "$wow" 'C:\rel-held.txt' > /dev/null; [ $? = 1 ] && break; sleep 0.2
done
out=$(rmtool_by_name wine "$wow" 'C:\rel-held.txt'); code=$?
check "32-bit rmtool list finds the holder: exit 1, a window application listed (got $code: $(echo $out))" \
    eval '[ $code = 1 ] && echo "$out" | grep -Eq "^ *[0-9]+ +window +.*(holdfile|file holder)"'
out=$(rmtool_by_name $wine64 "$wow" 'C:\rel-held.txt'); code=$?
check "64-bit rmtool list finds the holder: exit 1, a window application listed (got $code: $(echo $out))" \
    eval '[ $code = 1 ] && echo "$out" | grep -Eq "^ *[0-9]+ +window +.*(holdfile|file holder)"'
WINEPREFIX=$wow timeout -k 5 60 $wine64 rmtool.exe close 'C:\rel-held.txt' < /dev/null > /dev/null 2>&1
kill $holder 2> /dev/null; wait $holder 2> /dev/null

# Twice: the same state.
WINEPREFIX=$wow wineserver -w
state1=$(snapshot "$wow")
setup_run install2 "$wow" install; code=$?
WINEPREFIX=$wow wineserver -w
check "install a second time: exit 0, the same files, the same kept originals (idempotent)" \
    eval '[ $code = 0 ] && [ "$state1" = "$(snapshot "$wow")" ] && [ "$(override_of "$wow")" = native,builtin ]'

# ------------------------------------------------------------------ run-tests.cmd under Wine

winpath() { printf 'Z:%s' "$1" | tr / '\\'; }

# Runs TESTS/run-tests.cmd with Wine's cmd in the WoW64 prefix, results in RESULTS:
# sets cmd_status and last (its last line).
run_cmd_runner() # TESTS RESULTS [UNIT...]
{
    local tests=$1 out=$2; shift 2
    mkdir -p "$out"
    WINEPREFIX=$wow RSTRTMGR_RESULTS=$(winpath "$out") timeout -k 10 3000 \
        wine cmd /c "$(winpath "$tests/run-tests.cmd")" "$@" < /dev/null > "$out.out" 2>&1
    cmd_status=$?
    tr -d '\r' < "$out.out" | sed 's/^/    | /' | tail -n 40
    last=$(tr -d '\r' < "$out.out" | tail -n 1)
}

# The sum over the per-unit logs of RESULTS, made here independently of the runner, by the
# rules run-tests.cmd states: sets sum_passed, sum_failed, nlogs.
sum_logs() # RESULTS
{
    local dir=$1 log line unit arch code
    sum_passed=0 sum_failed=0 nlogs=0
    for log in "$dir"/x32/*.log "$dir"/x64/*.log; do
        [ -f "$log" ] || continue
        nlogs=$((nlogs + 1))
        line=$(tr -d '\r' < "$log" | grep -E '^[0-9a-f]+:[a-z0-9_]+:[^ ]* [0-9]+ tests executed' | tail -n 1)
        if [ -z "$line" ]; then
            sum_failed=$((sum_failed + $(tr -d '\r' < "$log" | grep -c 'Test failed:\|Test succeeded inside') + 1))
            continue
        fi
        set -- $(echo "$line" | sed -E 's/.* ([0-9]+) tests executed \(([0-9]+) marked as todo, ([0-9]+) as flaky, ([0-9]+) failures?\), ([0-9]+) skipped\./\1 \2 \3 \4 \5/')
        sum_passed=$((sum_passed + $1 - $2 - $3 - $4))
        sum_failed=$((sum_failed + $4))
        unit=$(basename "$log" .log) arch=$(basename "$(dirname "$log")")
        code=$(tr -d '\r' < "$dir/report.txt" | sed -n "s/^rstrtmgr:$unit:$arch done (\([0-9-]*\)).*/\1/p")
        [ "$4" = 0 ] && [ -n "$code" ] && [ "$code" != 0 ] && sum_failed=$((sum_failed + 1))
    done
}

# The runner's arithmetic on failures, crashes and odd output, which a passing suite never
# exercises: fake units of both architectures, with known totals (per architecture 22 passed,
# 6 failed: fakepass 12; fakefail 10 executed - 1 todo - 1 flaky - 2 failed, after a child's
# summary line that must not count; fakecrash no summary, 2 failed lines + 1; fakeexit 4
# passed but exit code 3, + 1).
fakes=$work/fake-tests
mkdir -p "$fakes/x32" "$fakes/x64"
cp "$bundle/tests/run-tests.cmd" "$fakes/"
cat > "$work/fakeunit.c" <<'FAKE'
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv)
{
    const char *unit = argc > 1 ? argv[1] : "";
    printf("%s.c:1: odd output: ! %% & | < > ^ \" (x) ;\n", unit);
    if (!strcmp(unit, "fakepass"))
        printf("0040:fakepass: 12 tests executed (0 marked as todo, 0 as flaky, 0 failures), 1 skipped.\n");
    if (!strcmp(unit, "fakefail"))
    {
        printf("0041:fakefail: 5 tests executed (0 marked as todo, 0 as flaky, 1 failure), 0 skipped.\n");
        printf("fakefail.c:10: Test failed: got 1, expected 2\nfakefail.c:11: Test failed: got 3, expected 4\n");
        printf("0042:fakefail: 10 tests executed (1 marked as todo, 1 as flaky, 2 failures), 3 skipped.\n");
        return 2;
    }
    if (!strcmp(unit, "fakecrash"))
    {
        printf("fakecrash.c:5: Test failed: got 0\nfakecrash.c:6: Test succeeded inside todo block: x\n");
        return 5;
    }
    if (!strcmp(unit, "fakeexit"))
    {
        printf("0043:fakeexit: 4 tests executed (0 marked as todo, 0 as flaky, 0 failures), 0 skipped.\n");
        return 3;
    }
    return 0;
}
FAKE
for u in fakepass fakefail fakecrash fakeexit; do
    i686-w64-mingw32-gcc -O1 -s -o "$fakes/x32/$u.exe" "$work/fakeunit.c" &&
        x86_64-w64-mingw32-gcc -O1 -s -o "$fakes/x64/$u.exe" "$work/fakeunit.c" || die "cannot build the fake units"
done
echo "  run-tests.cmd on fake units (failures, a crash, an exit code, odd characters)"
run_cmd_runner "$fakes" "$work/fake-results"
sum_logs "$work/fake-results"
check "run-tests.cmd on fake units: last line '$last' = the logs' sum ($sum_passed passed, $sum_failed failed) = 44 passed, 12 failed; exit $cmd_status" \
    eval '[ "$last" = "$sum_passed passed, $sum_failed failed" ] && [ "$last" = "44 passed, 12 failed" ] && [ $cmd_status = 1 ]'

results=$work/run-tests-results
echo "  run-tests.cmd ${RSTRTMGR_RELEASE_UNITS:-(every unit)} under Wine, against the installed DLL"
run_cmd_runner "$bundle/tests" "$results" ${RSTRTMGR_RELEASE_UNITS:-}
sum_logs "$results"
nunits=$(echo $units | wc -w)
[ -n "${RSTRTMGR_RELEASE_UNITS:-}" ] && nunits=$(echo $RSTRTMGR_RELEASE_UNITS | wc -w)
check "run-tests.cmd ran every program of both architectures ($nlogs logs, expected $((2 * nunits)))" [ $nlogs = $((2 * nunits)) ]
check "run-tests.cmd's last line '$last' = the sum over the per-unit logs ($sum_passed passed, $sum_failed failed)" \
    [ "$last" = "$sum_passed passed, $sum_failed failed" ]
check "run-tests.cmd wrote a Wine-style report (header, a start and a done line per program, every log inside)" \
    eval 'r=$(tr -d "\r" < "$results/report.txt"); echo "$r" | grep -q "^Version 4$" && echo "$r" | grep -q "^Test output:$" &&
        [ "$(echo "$r" | grep -c "^rstrtmgr:[a-z0-9_]* start ")" = $nlogs ] && [ "$(echo "$r" | grep -c "^rstrtmgr:[a-z0-9_]*:x[36][24] done (")" = $nlogs ] &&
        [ "$(echo "$r" | grep -c " tests executed (")" -ge $nlogs ]'
# Each unit traces the DLL it tests: the system's (Wine names system32 for both), never one in tests\.
traced=$(cat "$results"/x32/*.log "$results"/x64/*.log 2> /dev/null | tr -d '\r' | grep -i '^rmtest\.c:[0-9]*: testing ' | sort -u)
check "run-tests.cmd's units test the system's rstrtmgr.dll ($(echo $traced))" \
    eval '[ -n "$traced" ] && ! echo "$traced" | grep -iv "windows.*sys\(tem32\|wow64\).*rstrtmgr\.dll"'
check "every conformance check passes against the installed DLL (run-tests.cmd exit $cmd_status, $last)" \
    [ "$sum_failed" = 0 ] && [ $cmd_status = 0 ] && [ "$sum_passed" -gt 0 ]

# ------------------------------------------------------------------ uninstall

setup_run uninstall1 "$wow" uninstall; code=$?
WINEPREFIX=$wow wineserver -w
after=$(snapshot "$wow")
check "uninstall: exit 0" [ $code = 0 ]
value=$(override_of "$wow")
check "uninstall: the override is gone (got '$value')" [ -z "$value" ]
check "uninstall: system32 and syswow64 are byte-identical to before the install (checksums of every file)" \
    eval '[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after") | head -n 10; false; }'
check "uninstall: the backup folder is gone" [ ! -e "$wow/rstrtmgr-backup" ]
out=$(rmtool_by_name $wine64 "$wow" 'C:\rel-free.txt' 2>&1); code=$?
check "uninstall: rmtool.exe is no longer found by name (exit $code: $(echo $out))" \
    eval '[ $code != 0 ] && echo "$out" | grep -q "could not be started\|not found"'
setup_run uninstall2 "$wow" uninstall; code=$?
check "uninstall without an install: exit 0 with a clear message" \
    eval '[ $code = 0 ] && grep -q "not installed" "$work/uninstall2.out"'

# ------------------------------------------------------------------ --symlink

setup_run symlink1 "$wow" install --symlink; code=$?
check "install --symlink: exit 0, system32 and syswow64 files are links into the bundle" \
    eval '[ $code = 0 ] && [ "$(readlink "$winsys/system32/rstrtmgr.dll")" = "$(cd "$bundle" && pwd -P)/x64/rstrtmgr.dll" ] &&
        [ "$(readlink "$winsys/syswow64/rmtool.exe")" = "$(cd "$bundle" && pwd -P)/x32/rmtool.exe" ]'
out=$(rmtool_by_name wine "$wow" 'C:\rel-free.txt'); code=$?
check "install --symlink: 32-bit rmtool by name works (exit $code)" [ $code = 0 ]
setup_run symlink2 "$wow" install; code=$?
check "install over --symlink copies again and never writes through the links (bundle unchanged)" \
    eval '[ $code = 0 ] && [ ! -L "$winsys/system32/rstrtmgr.dll" ] && cmp -s "$bundle/x64/rstrtmgr.dll" "$winsys/system32/rstrtmgr.dll" &&
        [ "$(cd "$bundle" && find . -type f -exec sha256sum {} + | sort)" = "$(cat "$work/bundle.sums")" ]'
setup_run symlink3 "$wow" uninstall; code=$?
WINEPREFIX=$wow wineserver -w
check "uninstall after --symlink: Wine's files byte-identical to before, override gone" \
    eval '[ $code = 0 ] && [ "$before" = "$(snapshot "$wow")" ] && [ -z "$(override_of "$wow")" ]'

# A prefix that the earlier tools/install.sh set up: Wine's DLLs kept beside ours as
# *.wine-builtin, rmtool.exe and rmhelper64.exe with no original, the override set.
for d in system32:x64 syswow64:x32; do
    cp -p "$winsys/${d%:*}/rstrtmgr.dll" "$winsys/${d%:*}/rstrtmgr.dll.wine-builtin"
    cp "$bundle/${d#*:}/rstrtmgr.dll" "$bundle/${d#*:}/rmtool.exe" "$winsys/${d%:*}/"
done
cp "$bundle/x64/rmhelper64.exe" "$winsys/system32/"
WINEPREFIX=$wow $wine64 reg add 'HKCU\Software\Wine\DllOverrides' /v rstrtmgr /d native,builtin /f > /dev/null 2>&1
setup_run legacy1 "$wow" install && setup_run legacy2 "$wow" uninstall; code=$?
WINEPREFIX=$wow wineserver -w
check "a prefix from the earlier tools/install.sh: install, uninstall: Wine's files as before, no *.wine-builtin, no override" \
    eval '[ $code = 0 ] && [ "$before" = "$(snapshot "$wow")" ] && [ -z "$(override_of "$wow")" ]'

# ------------------------------------------------------------------ prefixes that are refused

refused() # NAME PREFIX PATTERN [VAR=VALUE...]: exit 1, a message matching PATTERN, nothing changed
{
    local what=$1 pfx=$2 pattern=$3 state code real=0; shift 3
    # A real prefix's server writes the registry when it exits: let it exit before and after.
    case " $prefixes " in *" $pfx "*) real=1 ;; esac
    [ $real = 1 ] && WINEPREFIX=$pfx wineserver -w
    state=$(tree_state "$pfx"; snapshot "$pfx"; md5sum "$pfx"/*.reg 2> /dev/null)
    env "$@" WINEPREFIX="$pfx" $sh_cmd "$setup" install > "$work/refused.out" 2> "$work/refused.err"
    code=$?
    [ $real = 1 ] && WINEPREFIX=$pfx wineserver -w
    sed 's/^/    | /' "$work/refused.err"
    check "$what: exit 1, message '$(head -n 1 "$work/refused.err")', nothing changed" \
        eval '[ $code = 1 ] && grep -q "$pattern" "$work/refused.err" &&
            [ "$state" = "$(tree_state "$pfx"; snapshot "$pfx"; md5sum "$pfx"/*.reg 2> /dev/null)" ]'
}
fake=$work/fake
mkdir -p "$fake/missing-reg/drive_c/windows/system32" "$fake/missing-sys/drive_c" "$fake/arm64/drive_c/windows/system32" \
    "$fake/nowow/drive_c/windows/system32"
printf 'WINE REGISTRY Version 2\n#arch=win64\n' > "$fake/missing-sys/system.reg"
printf 'WINE REGISTRY Version 2\n#arch=arm64\n' > "$fake/arm64/system.reg"
printf 'WINE REGISTRY Version 2\n#arch=win64\n' > "$fake/nowow/system.reg"
refused "a missing prefix" "$work/no-such-prefix" "no Wine prefix"
check "a missing prefix is not created" [ ! -e "$work/no-such-prefix" ]
refused "a broken prefix without system.reg" "$fake/missing-reg" "no system.reg"
refused "a broken prefix without drive_c/windows/system32" "$fake/missing-sys" "no drive_c/windows/system32"
refused "a prefix of another architecture (#arch=arm64)" "$fake/arm64" "arm64"
refused "a 64-bit prefix without syswow64" "$fake/nowow" "without syswow64"
refused "WINEARCH=win32 for a WoW64 prefix" "$wow" "WINEARCH=win32" WINEARCH=win32

# ------------------------------------------------------------------ a 32-bit prefix

w32=$work/win32
prefixes="$prefixes $w32"
WINEARCH=win32 WINEPREFIX=$w32 WINEDLLOVERRIDES="mscoree,mshtml=" timeout -k 10 300 wine wineboot -i > "$work/win32-wineboot.log" 2>&1
WINEPREFIX=$w32 wineserver -w 2> /dev/null
if [ ! -f "$w32/system.reg" ] || ! grep -q '^#arch=win32' "$w32/system.reg"; then
    echo "SKIP: this Wine cannot make a 32-bit prefix (WINEARCH=win32 wineboot; see $work/win32-wineboot.log): the 32-bit prefix checks are left out"
else
    before32=$(snapshot "$w32")
    setup_run win32-install "$w32" install; code=$?
    check "32-bit prefix: install exit 0, x32 files in system32, no syswow64, no rmhelper64.exe" \
        eval '[ $code = 0 ] && cmp -s "$bundle/x32/rstrtmgr.dll" "$w32/drive_c/windows/system32/rstrtmgr.dll" &&
            cmp -s "$bundle/x32/rmtool.exe" "$w32/drive_c/windows/system32/rmtool.exe" &&
            [ ! -e "$w32/drive_c/windows/syswow64" ] && [ ! -e "$w32/drive_c/windows/system32/rmhelper64.exe" ]'
    echo "a file nobody holds" > "$w32/drive_c/rel-free.txt"
    out=$(rmtool_by_name wine "$w32" 'C:\rel-free.txt'); code=$?
    dll=$(loaded_dll wine "$w32" 'C:\rel-free.txt')
    check "32-bit prefix: rmtool list by name exits 0 and loads our DLL (loaddll: $dll)" \
        eval '[ $code = 0 ] && echo "$dll" | grep -qi "system32.*rstrtmgr\.dll.*native"'
    refused "WINEARCH=win64 for a 32-bit prefix" "$w32" "32-bit prefix" WINEARCH=win64
    refused "WINE=wine64 for a 32-bit prefix" "$w32" "64-bit loader" WINE=$wine64
    setup_run win32-uninstall "$w32" uninstall; code=$?
    WINEPREFIX=$w32 wineserver -w
    check "32-bit prefix: uninstall restores system32 byte for byte and removes the override" \
        eval '[ $code = 0 ] && [ "$before32" = "$(snapshot "$w32")" ] && [ -z "$(WINEPREFIX=$w32 wine reg query "HKCU\\Software\\Wine\\DllOverrides" /v rstrtmgr 2> /dev/null | grep -i rstrtmgr)" ]'
fi

finish
