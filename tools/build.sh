#!/bin/bash
# Configure and build rstrtmgr for i686 and x86_64, each in its own tree under build/
# (RSTRTMGR_BUILD_ROOT to choose another), including the test programs.
#   tools/build.sh            build both architectures
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
root=${RSTRTMGR_BUILD_ROOT:-$top/build}
mkdir -p "$root"

cd "$top" || exit 1
stale=0
for am in configure.ac Makefile.am */Makefile.am */*/Makefile.am; do
    [ -f "$am" ] && [ "$am" -nt configure ] && stale=1
done
if [ ! -x configure ] || [ $stale = 1 ]; then
    autoreconf -fi > "$root/autoreconf.log" 2>&1 || { cat "$root/autoreconf.log" >&2; echo "build: autoreconf failed" >&2; exit 1; }
fi

jobs=$(nproc 2> /dev/null || echo 2)
for arch in i686 x86_64; do
    mkdir -p "$root/$arch"
    (
        cd "$root/$arch" || exit 1
        # Source and tree paths are mapped away and the link leaves out its time stamp, so
        # the binaries say nothing of this machine and tools/release.sh can ship them as they
        # are.  A tree configured without these flags is configured again.
        if [ ! -f Makefile ] || ! grep -q '^CFLAGS = .*-ffile-prefix-map' Makefile; then
            [ -f Makefile ] && make distclean > /dev/null 2>&1
            CFLAGS="${CFLAGS:--g -O2} -ffile-prefix-map=$top/= -ffile-prefix-map=$root/=" \
            LDFLAGS="${LDFLAGS:-} -Wl,--no-insert-timestamp" \
            "$top/configure" --host=$arch-w64-mingw32 > configure.log 2>&1 || { cat configure.log; exit 1; }
        fi
        # The DLL, rmtool and the test programs, without running the tests.
        make -j"$jobs" > make.log 2>&1 && make -j"$jobs" check TESTS= >> make.log 2>&1 || { tail -40 make.log; exit 1; }
    ) || { echo "build: $arch build failed" >&2; exit 1; }
    # The link already ran this check; repeat it so the log shows the result every time.
    "$top/tools/check-dll.sh" $arch-w64-mingw32-objdump "$root/$arch/dlls/rstrtmgr/rstrtmgr.dll" \
        "$top/dlls/rstrtmgr/rstrtmgr.spec" "$top/dlls/rstrtmgr/rstrtmgr.imports" || exit 1
done
