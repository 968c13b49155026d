#!/bin/bash
# Build the binary release bundle: build/release/rstrtmgr-VERSION.tar.gz (VERSION from
# configure.ac), the layout DXVK and vkd3d-proton use:
#   rstrtmgr-VERSION/x32/       rstrtmgr.dll rmtool.exe
#   rstrtmgr-VERSION/x64/       rstrtmgr.dll rmtool.exe rmhelper64.exe
#   rstrtmgr-VERSION/tests/x32/ tests/x64/   the conformance programs (no DLL beside them)
#   rstrtmgr-VERSION/tests/run-tests.cmd     their runner for Windows, and tests/EVIDENCE.md
#   rstrtmgr-VERSION/setup_rstrtmgr.sh README.md LICENSE
# usage: tools/release.sh [--no-build]
#   --no-build  package the build trees as they are (tools/build.sh must have run)
# It ships the binaries of the build trees tools/build.sh makes (build/i686, build/x86_64, or
# RSTRTMGR_BUILD_ROOT), the ones the test command tests, stripped; build.sh maps source paths
# away and links without time stamps, so the same sources give the same files.  The tarball
# lists its files in name order, owned by 0:0, dated by the last commit.  The path of the
# tarball is the last line printed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
trees=${RSTRTMGR_BUILD_ROOT:-$top/build}
out=$trees/release

die() { echo "release: $*" >&2; exit 1; }

build=1
for arg in "$@"; do
    case $arg in
        --no-build) build=0 ;;
        *) echo "usage: $0 [--no-build]" >&2; exit 2 ;;
    esac
done

version=$(sed -n 's/^AC_INIT(\[rstrtmgr\], *\[\([^]]*\)\].*/\1/p' "$top/configure.ac")
[ -n "$version" ] || die "no version in configure.ac's AC_INIT"
name=rstrtmgr-$version

if [ $build = 1 ]; then
    "$top/tools/build.sh" || die "tools/build.sh failed"
fi

# The conformance programs of a tree: the TESTS of its Makefile, the units make check runs.
test_programs()
{
    printf 'print-tests:\n\t@echo $(TESTS)\n' | make -s -C "$1" -f Makefile -f - print-tests |
        tr ' ' '\n' | grep '^tests/[^/]*\.exe$'
}

# Copies one built file into the stage, stripped (the original keeps its symbols).
stage_file()
{
    local arch=$1 src=$2 dest=$3
    [ -f "$src" ] || die "$src is missing (run tools/build.sh first)"
    cp "$src" "$dest" && $arch-w64-mingw32-strip --strip-all "$dest" || die "cannot stage $src"
    chmod 0755 "$dest"
}

# Dated by the last commit (or configure.ac outside git): strip stamps the binaries with it,
# tar the files.
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2> /dev/null || stat -c %Y "$top/configure.ac")}
export SOURCE_DATE_EPOCH=$epoch

stage=$out/stage
rm -rf "$stage"
mkdir -p "$stage/$name/tests"
for arch in i686 x86_64; do
    tree=$trees/$arch
    dir=x32; [ $arch = x86_64 ] && dir=x64
    mkdir -p "$stage/$name/$dir" "$stage/$name/tests/$dir"
    stage_file $arch "$tree/dlls/rstrtmgr/rstrtmgr.dll" "$stage/$name/$dir/rstrtmgr.dll"
    stage_file $arch "$tree/programs/rmtool/rmtool.exe" "$stage/$name/$dir/rmtool.exe"
    [ $arch = x86_64 ] && stage_file $arch "$tree/dlls/rstrtmgr/rmhelper64.exe" "$stage/$name/$dir/rmhelper64.exe"
    units=$(test_programs "$tree") || die "cannot read the test programs of $tree"
    [ -n "$units" ] || die "$tree lists no test programs"
    for unit in $units; do
        stage_file $arch "$tree/$unit" "$stage/$name/tests/$dir/$(basename "$unit")"
    done
done
cp "$top/tools/setup_rstrtmgr.sh" "$stage/$name/setup_rstrtmgr.sh" && chmod 0755 "$stage/$name/setup_rstrtmgr.sh"
sed "s/@VERSION@/$version/g" "$top/tools/run-tests.cmd.in" > "$stage/$name/tests/run-tests.cmd" && chmod 0644 "$stage/$name/tests/run-tests.cmd"
cp "$top/README.md" "$top/LICENSE" "$stage/$name/" && chmod 0644 "$stage/$name/README.md" "$stage/$name/LICENSE"
# What each check is known to do on Windows, to read the report against.
if [ -f "$top/tests/EVIDENCE.md" ]; then
    cp "$top/tests/EVIDENCE.md" "$stage/$name/tests/EVIDENCE.md" && chmod 0644 "$stage/$name/tests/EVIDENCE.md"
fi
find "$stage/$name" -type d -exec chmod 0755 {} +

# No path of this machine may end up in the bundle.
if grep -rl -F -e "$top" -e "$trees" "$stage/$name" > "$out/paths.txt"; then
    die "build paths inside (a tree configured before tools/build.sh mapped them? run tools/build.sh): $(tr '\n' ' ' < "$out/paths.txt")"
fi
rm -f "$out/paths.txt"

tarball=$out/$name.tar.gz
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
    --format=gnu -cf - "$name" | gzip -9n > "$tarball.tmp" || die "tar failed"
mv "$tarball.tmp" "$tarball"
rm -rf "$stage"
echo "release: $(tar -tzf "$tarball" | grep -c -v '/$') files, $(stat -c %s "$tarball") bytes"
echo "$tarball"
