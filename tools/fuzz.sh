#!/bin/bash
# Randomized API testing (fuzz/rmfuzz.c): one rmfuzz.exe run per seed, alternating the driver's
# architecture; each driver starts a child of the other architecture on the same store, and
# threads on shared handles.  A "check" is one seed run whose oracles all held.  Prints a
# line per seed and ends with "N passed, N failed"; exits 1 if any seed failed.
#   tools/fuzz.sh --short            CI mode: a few fixed seeds, both architectures (a few minutes)
#   tools/fuzz.sh                    long mode: new seeds until --minutes (default 30) pass
#   tools/fuzz.sh --no-build ...     use the programs already built
#   tools/fuzz.sh --seeds 7,8 ...    these seeds only (each on both architectures, or --arch ARCH)
#   tools/fuzz.sh --skip CLASSES     leave out known problem classes (rmfuzz.c's header lists them)
#   tools/fuzz.sh --no-other ...     without the child of the other architecture
# Other options go to rmfuzz.exe (--steps, --threads, --thread-steps, --child-steps, --watchdog,
# --verbose).  A failing seed prints the command that replays it.  Runs in its own Wine prefix,
# build/fuzz/wineprefix (RSTRTMGR_FUZZ_PREFIX to choose another), restarted first (an empty
# store) and after a failing seed; starts Xvfb if there is no DISPLAY (window holders).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
root=${RSTRTMGR_BUILD_ROOT:-$top/build}
prefix=$(realpath -m "${RSTRTMGR_FUZZ_PREFIX:-$root/fuzz/wineprefix}")  # Wine wants it absolute
build=1 short=0 no_other=0 minutes=30 seeds="" seed_limit=${RSTRTMGR_FUZZ_SEED_LIMIT:-600} arches="x86_64 i686" args=()
while [ $# -gt 0 ]; do
    case $1 in
        --no-build) build=0 ;;
        --short) short=1 ;;
        --minutes) minutes=$2; shift ;;
        --seeds) seeds=$(echo "$2" | tr , ' '); shift ;;
        --arch) arches=$2; shift ;;
        --no-other) no_other=1 ;;
        *) args+=("$1") ;;
    esac
    shift
done

fail() { echo "fuzz: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

if [ $build = 1 ]; then
    if [ ! -f "$root/i686/Makefile" ] || [ ! -f "$root/x86_64/Makefile" ]; then
        "$top/tools/build.sh" || fail "build failed"
    fi
    mkdir -p "$root/fuzz"
    for arch in i686 x86_64; do
        targets="dlls/rstrtmgr/rstrtmgr.dll fuzz/rmfuzz.exe programs/holdfile/holdfile.exe"
        [ $arch = x86_64 ] && targets="$targets dlls/rstrtmgr/rmhelper64.exe"
        make -C "$root/$arch" -j"$(nproc 2> /dev/null || echo 2)" $targets > "$root/fuzz/make-$arch.log" 2>&1 \
            || { tail -30 "$root/fuzz/make-$arch.log" >&2; fail "$arch build failed"; }
    done
fi
# Copies in build/fuzz/ARCH, our DLL beside each program, the 64-bit helper beside the 32-bit
# DLL: a rebuild meanwhile cannot change the files of a long run.
bin=$root/fuzz
for arch in i686 x86_64; do
    [ -f "$root/$arch/fuzz/rmfuzz.exe" ] || fail "$root/$arch/fuzz/rmfuzz.exe missing; run tools/build.sh"
    rm -rf "$bin/$arch" && mkdir -p "$bin/$arch" || fail "cannot create $bin/$arch"
    cp "$root/$arch/fuzz/rmfuzz.exe" "$root/$arch/programs/holdfile/holdfile.exe" "$root/$arch/dlls/rstrtmgr/rstrtmgr.dll" \
        "$bin/$arch/" || fail "no $arch programs"
done
cp "$root/x86_64/dlls/rstrtmgr/rmhelper64.exe" "$bin/i686/" || fail "no rmhelper64.exe"

. "$top/tools/xvfb.sh"
start_xvfb 110 129
trap stop_xvfb EXIT

export WINEPREFIX=$prefix
export WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES="rstrtmgr=n;winedbg.exe=d;mscoree=d;mshtml=d"
"$top/tools/wine-prefix.sh" "$WINEPREFIX" || fail "cannot create the prefix $WINEPREFIX"
restart_server() { wineserver -k 2> /dev/null; wineserver -w 2> /dev/null; }
restart_server

winpath() { printf 'Z:%s' "$1" | tr / '\\'; }
other_of() { [ "$1" = x86_64 ] && echo i686 || echo x86_64; }

log=$bin/fuzz$([ $short = 1 ] && echo -short).log
: > "$log"
passed=0 failed=0 calls=0
declare -A arch_calls arch_seconds child_calls
# One seed on one architecture: the driver of ARCH, the child of the other one.  Its output
# goes to a file, not a pipe: Wine's child processes (holders) inherit the Unix descriptors and
# would keep a pipe open.  A run that reported its verdict (a watchdog's "FAIL seed") but does
# not exit within 20 s is hung in a call its own TerminateProcess cannot end: the wineserver is
# restarted, which ends it and every holder.
run_seed()
{
    local arch=$1 seed=$2 other out status line child_line pid waited=0 verdict_at=0
    other=$(other_of "$arch")
    out=$bin/seed.out
    other_args=(--other "$(winpath "$bin/$other/rmfuzz.exe")")
    [ $no_other = 1 ] && other_args=()
    wine "$bin/$arch/rmfuzz.exe" --seed "$seed" "${other_args[@]}" \
        --holder "$(winpath "$bin/$arch/holdfile.exe")" "${args[@]}" > "$out" 2>&1 &
    pid=$!
    while kill -0 $pid 2> /dev/null; do
        sleep 1
        waited=$((waited + 1))
        if [ $verdict_at = 0 ] && grep -q "^\(PASS\|FAIL\) seed $seed" "$out"; then verdict_at=$waited; fi
        if { [ $verdict_at != 0 ] && [ $((waited - verdict_at)) -ge 20 ]; } || [ $waited -ge $seed_limit ]; then
            [ $verdict_at = 0 ] && echo "FAIL $arch seed $seed: no verdict after $seed_limit s" >> "$out"
            restart_server
            break
        fi
    done
    wait $pid
    status=$?
    tr -d '\r' < "$out" >> "$log"
    line=$(tr -d '\r' < "$out" | grep -E '^rmfuzz: [a-z0-9_]+ seed [0-9]+: [0-9]+ calls' | tail -1)
    if tr -d '\r' < "$out" | grep -q "^PASS seed $seed\$" && [ $status = 0 ]; then
        passed=$((passed + 1))
        echo "PASS $arch seed $seed: ${line#*: }"
    else
        failed=$((failed + 1))
        echo "FAIL $arch seed $seed (exit status $status)"
        tr -d '\r' < "$out" | grep -E '^(FAIL|  replay|  \[child\] FAIL)' | head -20 | sed 's/^/  /'
        restart_server
    fi
    child_line=$(tr -d '\r' < "$out" | grep -E '^  \[child\] [a-z0-9_]+ child: [0-9]+ calls' | tail -1)
    if [ -n "$child_line" ]; then
        set -- $(echo "$child_line" | sed -E 's/.*\] ([a-z0-9_]+) child: ([0-9]+) calls.*/\1 \2/')
        child_calls[$1]=$(( ${child_calls[$1]:-0} + $2 ))
        calls=$((calls + $2))
    fi
    if [ -n "$line" ]; then
        set -- $(echo "$line" | sed -E 's/.*: ([0-9]+) calls in ([0-9.]+) s.*/\1 \2/')
        calls=$((calls + $1))
        arch_calls[$arch]=$(( ${arch_calls[$arch]:-0} + $1 ))
        arch_seconds[$arch]=$(echo "${arch_seconds[$arch]:-0} + $2" | bc)
    fi
}

start=$(date +%s)
if [ -n "$seeds" ]; then
    for seed in $seeds; do for arch in $arches; do run_seed $arch "$seed"; done; done
elif [ $short = 1 ]; then
    # Fixed seeds, a few minutes in all: each architecture drives four.
    args=(--steps 1500 --threads 3 --thread-steps 300 --child-steps 600 "${args[@]}")
    for seed in 1 2 3 4; do for arch in $arches; do run_seed $arch "$seed"; done; done
else
    seed=${RSTRTMGR_FUZZ_FIRST_SEED:-1000}
    while [ $(($(date +%s) - start)) -lt $((minutes * 60)) ]; do
        for arch in $arches; do run_seed $arch "$seed"; done
        seed=$((seed + 1))
    done
fi
restart_server
for arch in x86_64 i686; do
    [ -n "${arch_calls[$arch]:-}" ] || continue
    echo "fuzz: $arch drivers: ${arch_calls[$arch]} calls in ${arch_seconds[$arch]} s" \
         "($(echo "${arch_calls[$arch]} / (${arch_seconds[$arch]} + 0.001)" | bc) calls/s);" \
         "$arch children: ${child_calls[$arch]:-0} calls"
done
echo "fuzz: $((passed + failed)) seed runs, $calls calls, $(($(date +%s) - start)) s in total; log: $log"
echo "$passed passed, $failed failed"
[ $failed = 0 ]
