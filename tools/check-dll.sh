#!/bin/sh
# Compare a built DLL's export and import tables with the project's lists; fail on drift.
# usage: check-dll.sh OBJDUMP DLL SPEC IMPORTS
# SPEC is the Wine .spec master export list, IMPORTS the exact list of DLLs it may import
# (Windows system DLLs only: a libgcc or winpthread DLL here would be a packaging bug).
set -e
objdump=$1 dll=$2 spec=$3 imports=$4
tmp=${TMPDIR:-/tmp}/check-dll.$$
trap 'rm -f "$tmp".*' EXIT

"$objdump" -p "$dll" > "$tmp.dump"
# Export names sit in the "[Ordinal/Name Pointer] Table" section as "[   n] Name" lines.
sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' "$tmp.dump" |
    sed -n 's/^[[:space:]]*\[[[:space:]]*[0-9]*\][[:space:]]*//p' | sort > "$tmp.exports"
sed -e 's/#.*//' "$spec" | awk 'NF { name = $3; sub(/\(.*/, "", name); print name }' | sort > "$tmp.expected"
sed -n 's/^[[:space:]]*DLL Name:[[:space:]]*//p' "$tmp.dump" | tr 'A-Z' 'a-z' | sort -u > "$tmp.imports"
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$imports" | tr 'A-Z' 'a-z' | sort -u > "$tmp.allowed"

status=0
if ! diff -u "$tmp.expected" "$tmp.exports" > "$tmp.diff"; then
    echo "check-dll: $dll exports differ from $spec:" >&2
    cat "$tmp.diff" >&2
    status=1
fi
if ! diff -u "$tmp.allowed" "$tmp.imports" > "$tmp.diff"; then
    echo "check-dll: $dll imports differ from $imports:" >&2
    cat "$tmp.diff" >&2
    status=1
fi
[ $status = 0 ] && echo "check-dll: $dll: $(wc -l < "$tmp.exports") exports and $(wc -l < "$tmp.imports") imports as listed"
exit $status
