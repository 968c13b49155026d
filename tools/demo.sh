#!/bin/bash
# The README's main command: install what is missing, build both DLLs, install them into a
# Wine prefix (the project's ./wineprefix unless WINEPREFIX is set) and show the Restart
# Manager at work there: a program holds a file, and rmtool finds it.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
root=${RSTRTMGR_BUILD_ROOT:-$top/build}
export WINEPREFIX=${WINEPREFIX:-$top/wineprefix}
export WINEDEBUG=${WINEDEBUG:--all}

"$top/tools/setup.sh" || exit 1
"$top/tools/build.sh" || exit 1
"$top/tools/install.sh" || exit 1

# The locker is a window application: it needs a display.
. "$top/tools/xvfb.sh"
start_xvfb 110 129
trap stop_xvfb EXIT

# The wine wrapper starts the 32-bit loader, which redirects system32 to syswow64.
wine64=/usr/lib/wine/wine64
[ -x "$wine64" ] || wine64=wine64
rmtool64=$WINEPREFIX/drive_c/windows/system32/rmtool.exe
rmtool32=$WINEPREFIX/drive_c/windows/syswow64/rmtool.exe
echo "a file for the demo" > "$WINEPREFIX/drive_c/rstrtmgr-demo.txt"

echo
echo "== Sessions across processes: a 64-bit process starts one, a 32-bit process joins it"
"$wine64" "$rmtool64" demo --partner 'C:\windows\syswow64\rmtool.exe' 'C:\rstrtmgr-demo.txt' || exit 1

echo
echo "== A program holds C:\\rstrtmgr-demo.txt open; who uses it?"
wine "$root/x86_64/tools/holdfile.exe" 'C:\rstrtmgr-demo.txt' 120 &
holder=$!
for i in $(seq 100); do
    wine "$rmtool32" list 'C:\rstrtmgr-demo.txt' > /dev/null 2>&1
    [ $? = 1 ] && break
    sleep 0.2
done
echo "(the name is holdfile.exe's FileDescription, as Windows names applications; not its window title)"
echo "\$ rmtool list C:\\rstrtmgr-demo.txt        (32-bit rmtool, like most installers)"
wine "$rmtool32" list 'C:\rstrtmgr-demo.txt'
echo "exit code $?"
echo
echo "\$ rmtool list --json C:\\rstrtmgr-demo.txt (64-bit rmtool)"
"$wine64" "$rmtool64" list --json 'C:\rstrtmgr-demo.txt'
status=$?
echo "exit code $status"

echo
echo "\$ rmtool close --restart C:\\rstrtmgr-demo.txt   (closes the holder, then starts it again)"
wine "$rmtool32" close --restart 'C:\rstrtmgr-demo.txt' 2> /dev/null
close_status=$?
echo "exit code $close_status"
wait $holder

echo
echo "\$ rmtool close C:\\rstrtmgr-demo.txt           (closes the restarted holder for good)"
wine "$rmtool32" close 'C:\rstrtmgr-demo.txt' 2> /dev/null
echo "exit code $?"
wineserver -w
[ $status = 1 ] && [ $close_status = 0 ] && exit 0
exit 1
