#!/bin/bash
# Run the benchmarks of both architectures in the project's Wine prefix and print their
# tables (the README shows a run of this).  Build first: tools/build.sh.
#   tools/bench.sh [bench-getlist options]     e.g. --runs 3 --files 1,100 --procs 10
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
root=${RSTRTMGR_BUILD_ROOT:-$top/build}
export WINEPREFIX=${WINEPREFIX:-$top/wineprefix}
export WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES="rstrtmgr=n;winedbg.exe=d;mscoree=d;mshtml=d"
"$top/tools/wine-prefix.sh" "$WINEPREFIX" || exit 1

wine64=/usr/lib/wine/wine64
[ -x "$wine64" ] || wine64=wine64
for arch in x86_64 i686; do
    dir=$root/$arch/tools
    [ -f "$dir/bench-getlist.exe" ] || { echo "bench: $dir/bench-getlist.exe missing; run tools/build.sh" >&2; exit 1; }
    # Our DLL (and, for 32-bit, the 64-bit helper) beside the benchmark.
    cp "$root/$arch/dlls/rstrtmgr/rstrtmgr.dll" "$dir/"
    [ $arch = i686 ] && cp "$root/x86_64/dlls/rstrtmgr/rmhelper64.exe" "$dir/"
    loader=wine
    [ $arch = x86_64 ] && loader=$wine64
    echo "== $arch"
    "$loader" "$dir/bench-getlist.exe" "$@" | tr -d '\r'
    echo
done
wineserver -w
