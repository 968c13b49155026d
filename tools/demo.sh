#!/bin/bash
# The README's main command: install what is missing, build both DLLs, install them into a
# Wine prefix (the project's ./wineprefix unless WINEPREFIX is set) and show the Restart
# Manager at work there.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export WINEPREFIX=${WINEPREFIX:-$top/wineprefix}
export WINEDEBUG=${WINEDEBUG:--all}

"$top/tools/setup.sh" || exit 1
"$top/tools/build.sh" || exit 1
"$top/tools/install.sh" || exit 1

demo_file=$WINEPREFIX/drive_c/rstrtmgr-demo.txt
echo "a file for the demo" > "$demo_file"

echo
echo "== A 64-bit process starts a session; a 32-bit process joins it and registers a file"
# The wine wrapper starts the 32-bit loader, which would redirect system32 to syswow64.
wine64=/usr/lib/wine/wine64
[ -x "$wine64" ] || wine64=wine64
"$wine64" "$WINEPREFIX/drive_c/windows/system32/rmtool.exe" demo --partner 'C:\windows\syswow64\rmtool.exe' 'C:\rstrtmgr-demo.txt'
status=$?
WINEPREFIX=$WINEPREFIX wineserver -w
exit $status
