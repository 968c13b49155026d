#!/bin/sh
# Turn a Wine .spec into a mingw .def for one architecture.
# usage: spec2def.sh i686|x86_64 DLLNAME < file.spec > file.def
# On i686 stdcall names carry their argument size (Name@N); the DLL is linked with
# --kill-at so the exported names stay undecorated, as Windows exports them.
arch=$1
dll=$2
echo "LIBRARY $dll"
echo "EXPORTS"
sed -e 's/#.*//' | awk -v arch="$arch" '
NF == 0 { next }
{
    if ($2 != "stdcall") { print "spec2def: unsupported entry: " $0 > "/dev/stderr"; exit 1 }
    line = $0
    sub(/^[^ ]+ +[^ ]+ +/, "", line)         # drop ordinal and type
    name = line; sub(/\(.*/, "", name)
    args = line; sub(/^[^(]*\(/, "", args); sub(/\).*/, "", args)
    n = split(args, a, / +/)
    size = 0
    for (i = 1; i <= n; i++)
    {
        if (a[i] == "") continue
        if (a[i] == "int64" || a[i] == "double") size += 8
        else if (a[i] == "int128") size += 16
        else size += 4
    }
    if (arch ~ /^i.86$/) print "    " name "@" size
    else print "    " name
}'
