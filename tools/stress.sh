#!/bin/bash
# Stress the session store (stress/stress.c): 16 processes of both architectures starting,
# joining, registering and ending sessions at once; owners killed at random points; reclaim of
# dead slots; the 64-session cap under contention.  Prints the tables and ends with
# "N passed, N failed"; exits 1 if any check failed.
#   tools/stress.sh --short           CI mode: 10 cycles per process (RmGetList in the last), 10 kills
#   tools/stress.sh                   full mode: 200 cycles per process, 100 kills
#   tools/stress.sh --no-build ...    use the programs already built
# Other options go to stress.exe (--workers N, --cycles N, --files N, --kills N, --seed N).
# It runs in its own Wine prefix, build/stress/wineprefix (RSTRTMGR_STRESS_PREFIX to choose
# another), whose wineserver is restarted first: session keys are volatile, so that empties
# the store.  The x86_64 stress.exe coordinates and starts the i686 one for half the work.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
root=${RSTRTMGR_BUILD_ROOT:-$top/build}
prefix=$(realpath -m "${RSTRTMGR_STRESS_PREFIX:-$root/stress/wineprefix}")  # Wine wants it absolute
build=1
short=0
args=()
for arg in "$@"; do
    case $arg in
        --no-build) build=0 ;;
        --short) short=1; args+=("$arg") ;;
        *) args+=("$arg") ;;
    esac
done

fail() { echo "stress: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

# Only what the stress run needs: the DLL, the 64-bit helper and stress.exe of each tree.
if [ $build = 1 ]; then
    if [ ! -f "$root/i686/Makefile" ] || [ ! -f "$root/x86_64/Makefile" ]; then
        "$top/tools/build.sh" || fail "build failed"
    fi
    mkdir -p "$root/stress"
    for arch in i686 x86_64; do
        targets="dlls/rstrtmgr/rstrtmgr.dll stress/stress.exe"
        [ $arch = x86_64 ] && targets="$targets dlls/rstrtmgr/rmhelper64.exe"
        make -C "$root/$arch" -j"$(nproc 2> /dev/null || echo 2)" $targets > "$root/stress/make-$arch.log" 2>&1 \
            || { tail -30 "$root/stress/make-$arch.log" >&2; fail "$arch build failed"; }
    done
fi
# The programs run from copies in build/stress/ARCH, our DLL beside each (the loader looks
# there first) and the 64-bit helper beside the 32-bit one: a rebuild or a benchmark copying
# into build/ARCH/tools meanwhile cannot change the files of a long run.
bin=$root/stress
for arch in i686 x86_64; do
    [ -f "$root/$arch/stress/stress.exe" ] || fail "$root/$arch/stress/stress.exe missing; run tools/build.sh"
    rm -rf "$bin/$arch" && mkdir -p "$bin/$arch" || fail "cannot create $bin/$arch"
    cp "$root/$arch/stress/stress.exe" "$root/$arch/dlls/rstrtmgr/rstrtmgr.dll" "$bin/$arch/" || fail "no $arch DLL"
done
cp "$root/x86_64/dlls/rstrtmgr/rmhelper64.exe" "$bin/i686/" || fail "no rmhelper64.exe"

export WINEPREFIX=$prefix
export WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES="rstrtmgr=n;winedbg.exe=d;mscoree=d;mshtml=d"
"$top/tools/wine-prefix.sh" "$WINEPREFIX" || fail "cannot create the prefix $WINEPREFIX"
# A fresh wineserver: an empty store, and no process left from an earlier run.
wineserver -k 2> /dev/null
wineserver -w 2> /dev/null

wine64=/usr/lib/wine/wine64
[ -x "$wine64" ] || wine64=wine64
winpath() { printf 'Z:%s' "$1" | tr / '\\'; }

limit=${RSTRTMGR_STRESS_TIMEOUT:-}
[ -z "$limit" ] && { [ $short = 1 ] && limit=600 || limit=21600; }
log=$root/stress/stress$([ $short = 1 ] && echo -short).log
start=$(date +%s)
timeout -k 10 "$limit" "$wine64" "$bin/x86_64/stress.exe" --other "$(winpath "$bin/i686/stress.exe")" \
    --timeout "$limit" "${args[@]}" 2>&1 | stdbuf -oL tr -d '\r' | tee "$log"
status=${PIPESTATUS[0]}
wineserver -k 2> /dev/null
echo "stress: $(($(date +%s) - start)) s in total; log: $log" >&2
if ! tail -1 "$log" | grep -qE '^[0-9]+ passed, [0-9]+ failed$'; then
    echo "stress: stress.exe ended without its summary (exit status $status)"
    echo "0 passed, 1 failed"
    exit 1
fi
exit $status
