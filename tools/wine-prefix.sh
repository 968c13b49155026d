#!/bin/sh
# Create a WoW64 Wine prefix if it does not exist yet; safe to call from parallel jobs.
# usage: wine-prefix.sh PREFIX
set -u
prefix=$1
[ -f "$prefix/system.reg" ] && exit 0

mkdir -p "$(dirname "$prefix")"
exec 9> "$prefix.lock"
flock 9
[ -f "$prefix/system.reg" ] && exit 0

# The 64-bit loader makes a WoW64 prefix, in which Debian's wine runs 32- and 64-bit programs.
if [ -x /usr/lib/wine/wine64 ]; then boot=/usr/lib/wine/wine64
elif command -v wine64 > /dev/null; then boot=wine64
else boot=wine
fi
echo "wine-prefix: creating $prefix" >&2
WINEPREFIX=$prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree=d;mshtml=d" "$boot" wineboot -i > "$prefix.log" 2>&1
status=$?
WINEPREFIX=$prefix wineserver -w 2>/dev/null
if [ $status != 0 ] || [ ! -f "$prefix/system.reg" ]; then
    echo "wine-prefix: wineboot failed ($status), see $prefix.log" >&2
    exit 1
fi
exit 0
