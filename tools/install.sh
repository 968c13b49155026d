#!/bin/bash
# Install the built rstrtmgr.dll (with rmtool.exe and rmhelper64.exe) into a Wine prefix, or remove them again.
#   tools/install.sh              install into $WINEPREFIX (default: the project's ./wineprefix)
#   tools/install.sh --uninstall  restore Wine's own rstrtmgr
# The 64-bit files go to system32, the 32-bit ones to syswow64, and the DllOverrides entry
# rstrtmgr=native,builtin makes the choice explicit (Wine's builtin is prefer-native anyway).
# Wine's placeholder DLLs are kept as *.wine-builtin and put back by --uninstall.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
root=${RSTRTMGR_BUILD_ROOT:-$top/build}
export WINEPREFIX=${WINEPREFIX:-$top/wineprefix}
export WINEDEBUG=${WINEDEBUG:--all}
uninstall=0
[ "${1:-}" = --uninstall ] && uninstall=1

"$top/tools/wine-prefix.sh" "$WINEPREFIX" || exit 1
windir=$WINEPREFIX/drive_c/windows
[ -d "$windir/syswow64" ] || { echo "install: $WINEPREFIX is not a WoW64 prefix (no syswow64)" >&2; exit 1; }

place()
{
    local src=$1 dir=$2 name=$3
    [ -f "$dir/$name" ] && [ ! -f "$dir/$name.wine-builtin" ] && cp -p "$dir/$name" "$dir/$name.wine-builtin"
    cp "$src" "$dir/$name" || exit 1
    echo "install: $dir/$name"
}

restore()
{
    local dir=$1 name=$2
    if [ -f "$dir/$name.wine-builtin" ]; then mv -f "$dir/$name.wine-builtin" "$dir/$name"
    else rm -f "$dir/$name"
    fi
    echo "install: restored $dir/$name"
}

if [ $uninstall = 1 ]; then
    restore "$windir/system32" rstrtmgr.dll
    restore "$windir/syswow64" rstrtmgr.dll
    restore "$windir/system32" rmtool.exe
    restore "$windir/syswow64" rmtool.exe
    restore "$windir/system32" rmhelper64.exe
    wine reg delete 'HKCU\Software\Wine\DllOverrides' /v rstrtmgr /f > /dev/null 2>&1
    echo "install: Wine's builtin rstrtmgr is back in $WINEPREFIX"
    exit 0
fi

for f in "$root/x86_64/dlls/rstrtmgr/rstrtmgr.dll" "$root/i686/dlls/rstrtmgr/rstrtmgr.dll" \
         "$root/x86_64/tools/rmtool.exe" "$root/i686/tools/rmtool.exe" \
         "$root/x86_64/dlls/rstrtmgr/rmhelper64.exe"; do
    [ -f "$f" ] || { echo "install: $f is missing; run tools/build.sh first" >&2; exit 1; }
done
place "$root/x86_64/dlls/rstrtmgr/rstrtmgr.dll" "$windir/system32" rstrtmgr.dll
place "$root/i686/dlls/rstrtmgr/rstrtmgr.dll" "$windir/syswow64" rstrtmgr.dll
place "$root/x86_64/tools/rmtool.exe" "$windir/system32" rmtool.exe
place "$root/i686/tools/rmtool.exe" "$windir/syswow64" rmtool.exe
# The 32-bit DLL asks this 64-bit helper for the module lists of 64-bit processes.
place "$root/x86_64/dlls/rstrtmgr/rmhelper64.exe" "$windir/system32" rmhelper64.exe
wine reg add 'HKCU\Software\Wine\DllOverrides' /v rstrtmgr /t REG_SZ /d native,builtin /f > /dev/null 2>&1 \
    || { echo "install: cannot set the DllOverrides entry" >&2; exit 1; }
echo "install: rstrtmgr installed into $WINEPREFIX (DllOverrides: rstrtmgr=native,builtin)"
