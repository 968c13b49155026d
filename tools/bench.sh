#!/bin/bash
# Run the benchmarks of both architectures in the project's Wine prefix and print their
# tables (the README shows a run of this).  Build first: tools/build.sh.
#   tools/bench.sh [bench-getlist options]     e.g. --runs 3 --files 1,100 --procs 10
# Each architecture runs bench-getlist (RmGetList against its floor), then bench-session (a
# session's start, registration and end against the raw registry work), then bench-shutdown
# (RmShutdown of window applications against their own exit time; needs a display: DISPLAY,
# or an Xvfb started here).  The command-line options go to bench-getlist only; the others
# take theirs from the environment:
#   RSTRTMGR_BENCH="getlist session shutdown"    which benchmarks to run (default: all three)
#   RSTRTMGR_BENCH_SESSION_ARGS="--cycles 500 --files 100"
#   RSTRTMGR_BENCH_SHUTDOWN_ARGS="--rounds 5 --apps 10"
#   RSTRTMGR_BENCH_ARCHS="x86_64 i686"            which architectures (default: both)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
root=${RSTRTMGR_BUILD_ROOT:-$top/build}
export WINEPREFIX=${WINEPREFIX:-$top/wineprefix}
export WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES="rstrtmgr=n;winedbg.exe=d;mscoree=d;mshtml=d"
benches=${RSTRTMGR_BENCH:-getlist session shutdown}
read -r -a session_args <<< "${RSTRTMGR_BENCH_SESSION_ARGS:-}"
read -r -a shutdown_args <<< "${RSTRTMGR_BENCH_SHUTDOWN_ARGS:-}"
"$top/tools/wine-prefix.sh" "$WINEPREFIX" || exit 1

# bench-shutdown shows windows.
. "$top/tools/xvfb.sh"
case " $benches " in
    *" shutdown "*) start_xvfb 220 229 || { echo "bench: no display for bench-shutdown (install Xvfb)" >&2; exit 1; } ;;
esac
trap stop_xvfb EXIT

wine64=/usr/lib/wine/wine64
[ -x "$wine64" ] || wine64=wine64
for arch in ${RSTRTMGR_BENCH_ARCHS:-x86_64 i686}; do
    dir=$root/$arch/bench
    for bench in $benches; do
        [ -f "$dir/bench-$bench.exe" ] || { echo "bench: $dir/bench-$bench.exe missing; run tools/build.sh" >&2; exit 1; }
    done
    # Our DLL (and, for 32-bit, the 64-bit helper) beside the benchmarks.
    cp "$root/$arch/dlls/rstrtmgr/rstrtmgr.dll" "$dir/"
    [ $arch = i686 ] && cp "$root/x86_64/dlls/rstrtmgr/rmhelper64.exe" "$dir/"
    loader=wine
    [ $arch = x86_64 ] && loader=$wine64
    echo "== $arch"
    for bench in $benches; do
        case $bench in
            getlist) "$loader" "$dir/bench-getlist.exe" "$@" ;;
            session) "$loader" "$dir/bench-session.exe" ${session_args[@]+"${session_args[@]}"} ;;
            shutdown) "$loader" "$dir/bench-shutdown.exe" ${shutdown_args[@]+"${shutdown_args[@]}"} ;;
            *) echo "bench: unknown benchmark $bench" >&2; exit 1 ;;
        esac | tr -d '\r'
        echo
    done
done
wineserver -w
