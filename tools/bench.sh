#!/bin/bash
# Run the benchmarks of both architectures in a Wine prefix of their own and print their
# tables (the README shows a run of this).  Build first: tools/build.sh.
# Each architecture runs bench-getlist (first and repeated RmGetList against their floors),
# bench-session (a session's start, registration and end against the raw registry work),
# bench-installer (Inno Setup's sequence of calls against the sum of its floors),
# bench-shutdown (RmShutdown of window applications against their own exit time) and
# bench-scale (200 processes listed, shut down and restarted; RmGetList's time per process).
# The sources are in bench/.  All but bench-getlist and bench-session show windows: they need a
# display (DISPLAY, or an Xvfb started here; bench-scale needs one that takes 400 clients).
#   tools/bench.sh [--cpus LIST|all] [--runs N] [bench-getlist options]   e.g. --runs 3 --files 1,100
# --runs N goes to every benchmark (as --runs, or --rounds for bench-shutdown); the other
# options go to bench-getlist only; the others take theirs from the environment:
#   RSTRTMGR_BENCH="getlist session installer shutdown scale"   which to run, in order (default: all;
#   scale last: its 400 processes and windows slow what runs right after them)
#   RSTRTMGR_BENCH_INSTALLER_ARGS="--files 10,1000,10000 --apps 1,10"
#   RSTRTMGR_BENCH_SCALE_ARGS="--procs 50,100,200"
#   RSTRTMGR_BENCH_SESSION_ARGS="--cycles 500 --files 100"
#   RSTRTMGR_BENCH_SHUTDOWN_ARGS="--apps 10"
#   RSTRTMGR_BENCH_ARCHS="x86_64 i686"            which architectures (default: both)
# --cpus LIST (taskset's list, default 0) runs the benchmarks, the applications they start and
# the prefix's wineserver on those CPUs only; --cpus all leaves them where the system puts
# them.  Why one CPU: every call a Wine program makes into wineserver is a round trip, and
# when the client and the server run on different CPUs of an idle machine each round trip
# waits for the other CPU to wake.  Measured on the 2-core machine of the README's tables,
# the same walk of 290 handles took 4 ms with both on one CPU, and 4-5 ms or 58-102 ms
# unpinned, switching between the two for seconds at a time with the CPUs 99% idle; a
# benchmark's floor and the call it is compared with then land on different sides of that
# switch.  Pinned, the figures repeat within a few percent.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
root=${RSTRTMGR_BUILD_ROOT:-$top/build}
# A prefix of the benchmarks' own (its X11 setting below is theirs alone).
export WINEPREFIX=${WINEPREFIX:-$root/bench/wineprefix}
export WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES="rstrtmgr=n;winedbg.exe=d;mscoree=d;mshtml=d"
benches=${RSTRTMGR_BENCH:-getlist session installer shutdown scale}
read -r -a installer_args <<< "${RSTRTMGR_BENCH_INSTALLER_ARGS:-}"
read -r -a scale_args <<< "${RSTRTMGR_BENCH_SCALE_ARGS:-}"
read -r -a session_args <<< "${RSTRTMGR_BENCH_SESSION_ARGS:-}"
read -r -a shutdown_args <<< "${RSTRTMGR_BENCH_SHUTDOWN_ARGS:-}"
# --runs applies to every benchmark; --cpus is this script's.
runs=()
args=()
cpus=0
while [ $# -gt 0 ]; do
    case $1 in
        --cpus) cpus=${2:-0}; shift 2 || shift ;;
        --runs) runs=(--runs "${2:-}"); args+=("$1" "${2:-}"); shift 2 || shift ;;
        *) args+=("$1"); shift ;;
    esac
done
set -- ${args[@]+"${args[@]}"}
if [ "$cpus" != all ] && [ "${RSTRTMGR_BENCH_CPUS:-}" != "$cpus" ]; then
    if command -v taskset > /dev/null; then
        # The benchmarks' own prefix has its wineserver started again, from inside the pinned
        # run.  Another prefix's server may be serving other programs: it is left alone.
        if [ "$WINEPREFIX" = "$root/bench/wineprefix" ]; then
            wineserver -k 2> /dev/null
        else
            echo "bench: a wineserver already running for $WINEPREFIX stays where it is; stop it first for pinned figures" >&2
        fi
        RSTRTMGR_BENCH_CPUS=$cpus exec taskset -c "$cpus" "$0" --cpus "$cpus" "$@"
    fi
    echo "bench: taskset not found; running on every CPU" >&2
fi
echo "bench: CPUs $(taskset -pc $$ 2> /dev/null | sed 's/.*: //' || echo all)"
"$top/tools/wine-prefix.sh" "$WINEPREFIX" || exit 1

# bench-shutdown shows windows.
. "$top/tools/xvfb.sh"
case " $benches " in
    *" shutdown "* | *" installer "* | *" scale "*)
        start_xvfb 220 229 || { echo "bench: no display for the window applications (install Xvfb)" >&2; exit 1; } ;;
esac
trap stop_xvfb EXIT
# Xvfb runs no window manager, and Wine's X11 driver waits up to 2 s for one whenever a
# managed window is withdrawn ("wait_for_withdrawn_state ... wait timed out" with
# WINEDEBUG=fixme+event): in a pinned run of every benchmark, 4 of 5 of bench-shutdown's own
# closes and one RmShutdown of 5 took those 2 s more.  The benchmarks' windows are left
# unmanaged instead (a setting of their own prefix, made with the display already up; another
# prefix is not changed).
if [ "$WINEPREFIX" != "$root/bench/wineprefix" ]; then
    echo "bench: windows stay as $WINEPREFIX has them; without a window manager expect 2 s stalls" >&2
elif ! wine reg add 'HKCU\Software\Wine\X11 Driver' /v Managed /t REG_SZ /d N /f > /dev/null 2>&1; then
    echo "bench: cannot set the X11 driver's Managed=N: expect 2 s stalls without a window manager" >&2
fi

out=$(mktemp) || exit 1
trap 'stop_xvfb; rm -f "$out"' EXIT

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
        # Into a file, not a pipe: an application a failed benchmark left running keeps the
        # benchmark's standard output open (Wine processes inherit it), and a pipe would wait
        # for it forever.
        case $bench in
            getlist) "$loader" "$dir/bench-getlist.exe" "$@" ;;
            installer) "$loader" "$dir/bench-installer.exe" ${runs[@]+"${runs[@]}"} \
                           ${installer_args[@]+"${installer_args[@]}"} ;;
            scale) "$loader" "$dir/bench-scale.exe" ${runs[@]+"${runs[@]}"} ${scale_args[@]+"${scale_args[@]}"} ;;
            session) "$loader" "$dir/bench-session.exe" ${session_args[@]+"${session_args[@]}"} ;;
            shutdown) "$loader" "$dir/bench-shutdown.exe" ${runs[@]+--rounds "${runs[1]}"} \
                          ${shutdown_args[@]+"${shutdown_args[@]}"} ;;
            *) echo "bench: unknown benchmark $bench" >&2; exit 1 ;;
        esac > "$out" 2>&1
        tr -d '\r' < "$out"
        echo
    done
done
wineserver -w
