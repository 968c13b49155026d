#!/bin/bash
# The README's main command: install what is missing, build both DLLs, install them into a
# Wine prefix (the project's ./wineprefix unless WINEPREFIX is set) and show the Restart
# Manager at work there: a program holds a file, rmtool finds it, closes it and restarts it.
#   tools/demo.sh             all of it
#   tools/demo.sh --no-build  use the trees in RSTRTMGR_BUILD_ROOT (default build/) as they are
# Works without a display: it starts Xvfb first.  Every wait is bounded: on a step that does
# not finish in time it says which and exits 1.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
root=${RSTRTMGR_BUILD_ROOT:-$top/build}
export WINEPREFIX=${WINEPREFIX:-$top/wineprefix}
export WINEDEBUG=${WINEDEBUG:--all}
limit=${RSTRTMGR_DEMO_STEP_TIMEOUT:-60}
do_build=1
[ "${1:-}" = --no-build ] && do_build=0
file='C:\rstrtmgr-demo.txt'

die() { echo "demo: $*" >&2; exit 1; }

"$top/tools/setup.sh" || exit 1

# The display first, before any process of the prefix starts: its desktop takes the display it
# is started with, and a holder on a desktop without one has no window to close.
. "$top/tools/xvfb.sh"
own_display=0
if [ -z "${DISPLAY:-}" ]; then
    start_xvfb 110 129 || die "cannot start Xvfb (no display and no free display number)"
    own_display=1
fi

# On the way out: the holders, and with the display we started, the prefix's server with it.
holder=
cleanup()
{
    [ -n "$holder" ] && kill "$holder" 2> /dev/null
    if [ $own_display = 1 ]; then
        timeout 10 wineserver -w 2> /dev/null || wineserver -k 2> /dev/null
        stop_xvfb
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A server of this prefix still running from an earlier command without a display would serve
# every program below on its display-less desktop: let it end, or stop it.
if [ $own_display = 1 ] && [ -f "$WINEPREFIX/system.reg" ] && ! timeout 15 wineserver -w 2> /dev/null; then
    echo "demo: stopping the wineserver of $WINEPREFIX (it was started without a display)"
    wineserver -k 2> /dev/null
    timeout 10 wineserver -w 2> /dev/null || die "the wineserver of $WINEPREFIX does not stop"
fi

if [ $do_build = 1 ]; then "$top/tools/build.sh" || exit 1; fi
timeout -k 10 300 "$top/tools/install.sh"
case $? in
    0) ;;
    124|137) die "installing into $WINEPREFIX did not finish within 300s" ;;
    *) exit 1 ;;
esac

# The wine wrapper starts the 32-bit loader, which redirects system32 to syswow64.
wine64=/usr/lib/wine/wine64
[ -x "$wine64" ] || wine64=wine64
rmtool64=$WINEPREFIX/drive_c/windows/system32/rmtool.exe
rmtool32=$WINEPREFIX/drive_c/windows/syswow64/rmtool.exe
echo "a file for the demo" > "$WINEPREFIX/drive_c/rstrtmgr-demo.txt"

# rmtool32/rmtool64 ARGS: one rmtool run, at most $limit seconds.
rmtool32() { timeout -k 5 "$limit" wine "$rmtool32" "$@"; }
rmtool64() { timeout -k 5 "$limit" "$wine64" "$rmtool64" "$@"; }

# Wait until the file is in use (rmtool list exits 1), at most $1 seconds.
wait_in_use()
{
    local end=$(( $(date +%s) + $1 ))
    while [ "$(date +%s)" -lt $end ]; do
        timeout -k 2 10 wine "$rmtool32" list "$file" > /dev/null 2>&1 < /dev/null
        [ $? = 1 ] && return 0
        sleep 0.2
    done
    return 1
}

echo
echo "== Sessions across processes: a 64-bit process starts one, a 32-bit process joins it"
rmtool64 demo --partner 'C:\windows\syswow64\rmtool.exe' "$file" || die "rmtool demo failed or took over ${limit}s"

echo
echo "== A program holds $file open; who uses it?"
wine "$root/x86_64/programs/holdfile/holdfile.exe" "$file" 120 < /dev/null &
holder=$!
wait_in_use 30 || die "the holder did not open $file within 30s"
echo "(the name is holdfile.exe's FileDescription, as Windows names applications; not its window title)"
echo "\$ rmtool list $file        (32-bit rmtool, like most installers)"
rmtool32 list "$file"
status=$?
echo "exit code $status"
echo
echo "\$ rmtool list --json $file (64-bit rmtool)"
rmtool64 list --json "$file"
echo "exit code $?"

echo
echo "\$ rmtool close --restart $file   (closes the holder, then starts it again)"
rmtool32 close --restart "$file" 2> /dev/null
close_status=$?
echo "exit code $close_status"
[ $close_status = 0 ] || die "rmtool close --restart failed (exit $close_status)"
for _ in $(seq 100); do kill -0 $holder 2> /dev/null || break; sleep 0.2; done
kill -0 $holder 2> /dev/null && die "the holder is still running 20s after rmtool close"
holder=

# The new holder opens the file a moment after RmRestart started it.
echo
echo "\$ rmtool list $file        (the restarted holder, a new process)"
wait_in_use 30 || die "the restarted holder did not open $file within 30s"
rmtool32 list "$file"
echo "exit code $?"

echo
echo "\$ rmtool close $file           (closes the restarted holder for good)"
rmtool32 close "$file" 2> /dev/null
final_status=$?
echo "exit code $final_status"
[ $status = 1 ] || die "rmtool list did not find the holder (exit $status)"
[ $final_status = 0 ] || die "rmtool close failed (exit $final_status)"
timeout "$limit" wineserver -w 2> /dev/null || die "the prefix's programs did not end within ${limit}s"
exit 0
