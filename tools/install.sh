#!/bin/bash
# Install the DLLs of the build trees (tools/build.sh) into a Wine prefix, or remove them again:
# the project's own use of the release installer, tools/setup_rstrtmgr.sh.
#   tools/install.sh              install into $WINEPREFIX (default: the project's ./wineprefix,
#                                 created as a WoW64 prefix when missing)
#   tools/install.sh --uninstall  restore Wine's own rstrtmgr
# The build trees' files are laid out as in the release bundle (build/install-bundle/x32, x64)
# and setup_rstrtmgr.sh installs them from there.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
root=${RSTRTMGR_BUILD_ROOT:-$top/build}
export WINEPREFIX=${WINEPREFIX:-$top/wineprefix}
setup() { RSTRTMGR_BUNDLE=$stage sh "$top/tools/setup_rstrtmgr.sh" "$@"; }
stage=$root/install-bundle

case ${1:-} in
    --uninstall) setup uninstall; exit ;;
    '') ;;
    *) echo "usage: $0 [--uninstall]" >&2; exit 2 ;;
esac

"$top/tools/wine-prefix.sh" "$WINEPREFIX" || exit 1
mkdir -p "$stage/x32" "$stage/x64"
for f in i686/dlls/rstrtmgr/rstrtmgr.dll:x32 i686/programs/rmtool/rmtool.exe:x32 x86_64/dlls/rstrtmgr/rstrtmgr.dll:x64 \
         x86_64/programs/rmtool/rmtool.exe:x64 x86_64/dlls/rstrtmgr/rmhelper64.exe:x64; do
    src=$root/${f%:*}
    [ -f "$src" ] || { echo "install: $src is missing; run tools/build.sh first" >&2; exit 1; }
    cp "$src" "$stage/${f##*:}/" || exit 1
done
setup install
