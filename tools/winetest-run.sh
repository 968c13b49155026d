#!/bin/sh
# Run one Wine-style test program under Wine: the automake LOG_COMPILER of make check.
# usage: winetest-run.sh tests/UNIT.exe
#
# The test runs in a throwaway WoW64 prefix inside the build tree, created on first use, with
# our rstrtmgr.dll from beside the program (RSTRTMGR_TEST_DLL=builtin runs Wine's own instead,
# for the report mode) and the crash debugger disabled, so a crash fails at once.  The exit
# status is 0 or 1 only: automake reads 77 as "skipped" and 99 as a hard error, while a Wine
# test exits with its failure count.
set -u

test_exe=$1
unit=$(basename "$test_exe" .exe)
builddir=${RSTRTMGR_BUILDDIR:-$(pwd)}
wine=${RSTRTMGR_WINE:-wine}
[ "$wine" = no ] && { echo "winetest-run: Wine is not installed (run tools/setup.sh)" >&2; exit 1; }

WINEPREFIX=${RSTRTMGR_WINEPREFIX:-$builddir/wineprefix}
WINEDEBUG=${WINEDEBUG:--all}
case ${RSTRTMGR_TEST_DLL:-ours} in
    builtin) dll_override="rstrtmgr=b" ;;
    *) dll_override="rstrtmgr=n" ;;
esac
WINEDLLOVERRIDES="$dll_override;winedbg.exe=d;mscoree=d;mshtml=d"
export WINEPREFIX WINEDEBUG WINEDLLOVERRIDES

# Windows path of a Unix path, through Wine's Z: drive.
winpath() { printf 'Z:%s' "$1" | tr / '\\'; }

"$(dirname "$0")/wine-prefix.sh" "$WINEPREFIX" || exit 1

other=${RSTRTMGR_OTHER_ARCH_BUILD:-}
if [ -n "$other" ] && [ -d "$other/tests" ]; then
    RSTRTMGR_TEST_OTHER_ARCH=$(winpath "$(cd "$other/tests" && pwd)")
    export RSTRTMGR_TEST_OTHER_ARCH
    # A 32-bit DLL finds the 64-bit module-list helper beside itself.
    helper=$other/dlls/rstrtmgr/rmhelper64.exe
    if [ -f "$helper" ] && [ ! "$(dirname "$test_exe")/rmhelper64.exe" -nt "$helper" ]; then
        cp "$helper" "$(dirname "$test_exe")/rmhelper64.exe"
    fi
fi

# Window tests need a display; a packager's make check may have none.
. "$(dirname "$0")/xvfb.sh"
start_xvfb 130 199

timeout -k 10 ${RSTRTMGR_TEST_TIMEOUT:-900} "$wine" "$test_exe" "$unit"
status=$?
stop_xvfb
[ $status = 0 ] && exit 0
echo "winetest-run: $unit exited with status $status" >&2
exit 1
