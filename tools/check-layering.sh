#!/bin/bash
# Prove the DLL's layering from its objects' symbol tables: every object may only use
# functions defined by objects listed before it in the private header's order (the
# "Layers:" comment at the top of dlls/rstrtmgr/rstrtmgr_private.h), never one listed after
# it, so no two files call each other in a loop.
#   tools/check-layering.sh NM HEADER OBJDIR
# Prints each object's callees by file; exits 1 on a call upward or to a file not in the order.
set -u
nm=$1 header=$2 objdir=$3

# The order: the file names after "Layers:", up to the first empty comment line.
order=$(sed -n '/Layers:/,/^ \*$/p' "$header" | sed 's/.*Layers://; s/[*,]/ /g' | tr -s ' \n' '\n' | grep -E '^[a-z0-9_]+\.c$')
[ -n "$order" ] || { echo "check-layering: no 'Layers:' list in $header" >&2; exit 1; }

declare -A rank owner
i=0
for file in $order; do
    rank[$file]=$i; i=$((i + 1))
    obj=$objdir/${file%.c}.o
    [ -f "$obj" ] || { echo "check-layering: $obj missing" >&2; exit 1; }
    for sym in $("$nm" --defined-only -g "$obj" | awk '$2 ~ /^[TDBR]$/ {print $3}'); do
        owner[$sym]=$file
    done
done
# Every object of the DLL must be in the order.
for obj in "$objdir"/*.o; do
    name=$(basename "$obj" .o).c
    case $name in version.c|tools_*|*-*) continue ;; esac
    [ -n "${rank[$name]+x}" ] || { echo "check-layering: $name is not in the header's Layers list" >&2; exit 1; }
done

status=0
for file in $order; do
    obj=$objdir/${file%.c}.o
    uses=""
    for sym in $("$nm" --undefined-only "$obj" | awk '{print $NF}'); do
        callee=${owner[$sym]:-}
        [ -n "$callee" ] && [ "$callee" != "$file" ] || continue
        case " $uses " in *" $callee "*) ;; *) uses="$uses $callee" ;; esac
        if [ "${rank[$callee]}" -gt "${rank[$file]}" ]; then
            echo "check-layering: $file calls $sym of $callee, listed after it" >&2
            status=1
        fi
    done
    echo "  $file:${uses:- (nothing of ours)}"
done
[ $status = 0 ] && echo "check-layering: $i files, no call upward, no loop"
exit $status
