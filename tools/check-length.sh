#!/bin/bash
# List the functions of the given C files longer than a limit (default 60 lines, from the
# line after the opening brace to the closing brace), Wine style: braces in column 0.
#   tools/check-length.sh [-n LIMIT] FILE...
# Exits 1 if any function is longer; -v prints the longest function as well.
set -u
limit=60 verbose=0
while [ $# -gt 0 ]; do
    case $1 in
    -n) limit=$2; shift 2 ;;
    -v) verbose=1; shift ;;
    *) break ;;
    esac
done
awk -v limit=$limit -v verbose=$verbose '
    FNR == 1 { head = "" }
    /^[A-Za-z_].*\(/ { head = $0 }
    /^\{/ && head != "" { start = FNR; name = head; sub(/\(.*/, "", name); sub(/.*[ *]/, "", name); head = ""; next }
    /^\}/ && start {
        len = FNR - start - 1
        if (len > max) { max = len; where = FILENAME ":" name }
        if (len > limit) { printf "%s:%d: %s is %d lines\n", FILENAME, start, name, len; bad = 1 }
        start = 0
    }
    END {
        if (verbose) printf "check-length: longest %s, %d lines (limit %d)\n", where, max, limit
        exit bad
    }' "$@"
