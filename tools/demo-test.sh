#!/bin/bash
# The README's main command the way a newcomer runs it: a fresh clone of HEAD, a fresh prefix,
# no DISPLAY.  Checks that tools/demo.sh ends in time with exit 0, that the holder is listed as
# a window application, closed, restarted as a new process and closed again, and that the
# README's demo output has the same structure as what the demo printed.
#   tools/demo-test.sh    uses the trees in RSTRTMGR_BUILD_ROOT (default build/; run
#                         tools/build.sh first): the clone's demo runs with --no-build
# Work folder: build/demo-test (the clone, its prefix, the demo's output in demo.out).
# Every check prints PASS or FAIL; the last line is "N passed, N failed".
#
# Which README lines are compared: every indented code block of the clone's README.md with a line
# starting with "$ rmtool".  Each line of such a block must appear, in the same order, in the
# demo's output, after both sides are normalised: runs of blanks become one, table rows become
# "PID TYPE STATUS NAME" with the PID and the application name left out (names follow the
# version resource, which may change), and in JSON lines the "pid" and "name" values are left
# out.  Everything else (commands, headers, types, statuses, exit codes) must match exactly.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
root=${RSTRTMGR_BUILD_ROOT:-$top/build}
work=$root/demo-test
clone=$work/clone
out=$work/demo.out
limit=${RSTRTMGR_DEMO_TEST_TIMEOUT:-600}

passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
finish() { echo "$passed passed, $failed failed"; [ $failed = 0 ]; exit; }

for f in "$root/x86_64/programs/holdfile/holdfile.exe" "$root/x86_64/dlls/rstrtmgr/rstrtmgr.dll" "$root/i686/dlls/rstrtmgr/rstrtmgr.dll"; do
    [ -f "$f" ] || { fail "$f is missing: run tools/build.sh first"; finish; }
done

# A fresh clone of what is committed, with no prefix.
if [ -d "$clone/wineprefix" ]; then WINEPREFIX=$clone/wineprefix wineserver -k 2> /dev/null; fi
rm -rf "$work"
mkdir -p "$work"
git clone -q "$top" "$clone" 2> "$work/clone.log" || { cat "$work/clone.log"; fail "git clone of $top failed"; finish; }
echo "demo-test: fresh clone of $(git -C "$clone" log -1 --format='%h %s' | cut -c1-70)"

# The demo in its own session (setsid), without DISPLAY, with a time limit for the whole run.
t0=$(date +%s)
( cd "$clone" && exec env -u DISPLAY -u WAYLAND_DISPLAY -u WINEPREFIX -u WINEDEBUG -u WINEDLLOVERRIDES \
      RSTRTMGR_BUILD_ROOT="$root" setsid tools/demo.sh --no-build ) > "$out" 2>&1 < /dev/null &
pid=$!
while kill -0 $pid 2> /dev/null && [ $(( $(date +%s) - t0 )) -lt $limit ]; do sleep 1; done
if kill -0 $pid 2> /dev/null; then
    kill -TERM -- -$pid 2> /dev/null
    sleep 5
    kill -KILL -- -$pid 2> /dev/null
    wait $pid
    fail "tools/demo.sh did not end within ${limit}s; its last lines: '$(tail -3 "$out" | paste -sd'|' -)'"
else
    wait $pid
    status=$?
    if [ $status = 0 ]; then pass "tools/demo.sh (fresh clone, fresh prefix, no DISPLAY) exited 0 in $(( $(date +%s) - t0 ))s"
    else fail "tools/demo.sh exited $status: '$(grep '^demo:' "$out" | tail -2 | paste -sd'|' -)'"; fi
fi
sed 's/^/  | /' "$out" | grep -vE '^  \| (install|setup_rstrtmgr):'

# Nothing of the demo's prefix may stay behind.
if WINEPREFIX=$clone/wineprefix timeout 10 wineserver -w 2> /dev/null; then
    pass "no process of the demo's prefix is left running"
else
    fail "the demo left its prefix's wineserver running"
    WINEPREFIX=$clone/wineprefix wineserver -k 2> /dev/null
fi

# The lines of the demo's output after the line equal to $1, up to the next blank line.
section() { tr -d '\r' < "$out" | H=$1 awk '$0 == ENVIRON["H"] { on = 1; next } on && /^$/ { exit } on'; }
row_re='^ *([0-9]+) +([a-z?-]+) +(yes|no|restarted|running|closed|could not be closed|left running \(filtered\)|ended by itself|unknown) +(.*)$'

list32=$(section "\$ rmtool list C:\\rstrtmgr-demo.txt        (32-bit rmtool, like most installers)")
first_pid=$(echo "$list32" | sed -nE "s/$row_re/\1/p" | head -1)
if echo "$list32" | grep -qE '^ *[0-9]+ +window +yes +'; then pass "the 32-bit rmtool lists the holder as a restartable window application: '$(echo "$list32" | sed -n 2p | sed 's/  */ /g')'"
else fail "the 32-bit rmtool should list the holder as 'window' and 'yes': '$(echo "$list32" | paste -sd'|' -)'"; fi
json=$(section "\$ rmtool list --json C:\\rstrtmgr-demo.txt (64-bit rmtool)")
if echo "$json" | grep -qE "\"pid\": $first_pid, \"type\": \"window\",.*\"restartable\": true"; then pass "the 64-bit rmtool lists the same process (PID $first_pid) as a window in JSON"
else fail "the 64-bit rmtool's JSON should list PID ${first_pid:-?} as a window: '$(echo "$json" | paste -sd'|' -)'"; fi
closing=$(section "\$ rmtool close --restart C:\\rstrtmgr-demo.txt   (closes the holder, then starts it again)")
if echo "$closing" | grep -qx 'closing 1 application(s)' && echo "$closing" | grep -qx restarting \
    && echo "$closing" | grep -qE "^ *$first_pid +window +restarted +" && echo "$closing" | grep -qx 'exit code 0'; then
    pass "rmtool close --restart closed the holder and restarted it (PID $first_pid: restarted, exit code 0)"
else fail "rmtool close --restart should close and restart PID ${first_pid:-?}: '$(echo "$closing" | paste -sd'|' -)'"; fi
relist=$(section "\$ rmtool list C:\\rstrtmgr-demo.txt        (the restarted holder, a new process)")
new_pid=$(echo "$relist" | sed -nE "s/$row_re/\1/p" | head -1)
if [ -n "$new_pid" ] && [ "$new_pid" != "$first_pid" ] && echo "$relist" | grep -qE "^ *$new_pid +window +"; then
    pass "the restarted holder is a new window process (PID $new_pid, was $first_pid)"
else fail "the restarted holder should be listed with a new PID as a window: '$(echo "$relist" | paste -sd'|' -)'"; fi
final=$(section "\$ rmtool close C:\\rstrtmgr-demo.txt           (closes the restarted holder for good)")
if echo "$final" | grep -qE "^ *$new_pid +window +closed +" && echo "$final" | grep -qx 'exit code 0'; then pass "rmtool close closed the restarted holder (PID $new_pid: closed, exit code 0)"
else fail "rmtool close should close PID ${new_pid:-?}: '$(echo "$final" | paste -sd'|' -)'"; fi

# The README's demo output against the real one (see the top of this file).
normalise()
{
    sed -E -e 's/\r$//' -e "s/$row_re/PID \2 \3 NAME/" -e 's/"pid": [0-9]+/"pid": PID/' \
        -e 's/"name": "([^"\\]|\\.)*"/"name": NAME/' -e 's/[[:blank:]]+/ /g' -e 's/^ //; s/ $//'
}
readme_blocks()
{
    awk '/^    / { block = block substr($0, 5) "\n"; if ($0 ~ /^    \$ rmtool/) keep = 1; next }
         /^$/ && block != "" { block = block "\n"; next }
         { if (keep) { n++; sub(/\n+$/, "", block); printf "%s\n\001\n", block } block = ""; keep = 0 }
         END { if (keep) { sub(/\n+$/, "", block); printf "%s\n\001\n", block } }' "$1"
}
actual=$(normalise < "$out")
blocks=0
while IFS= read -r -d $'\001' block; do
    block=$(printf '%s\n' "$block" | sed '/^$/d' | normalise)
    [ -n "$block" ] || continue
    blocks=$((blocks + 1))
    # Each README line in order, each after the previous one's match: the first one missing.
    missing=$(awk 'NR == FNR { want[++n] = $0; next } i < n && $0 == want[i + 1] { i++ }
                   END { if (i < n) print want[i + 1] }' <(printf '%s\n' "$block") <(printf '%s\n' "$actual"))
    first=$(printf '%s\n' "$block" | head -1)
    if [ -z "$missing" ]; then pass "README block $blocks ('$first', $(printf '%s\n' "$block" | wc -l) lines) matches the demo's output"
    else fail "README block $blocks ('$first'): no line '$missing' in the demo's output at that point"; fi
done < <(readme_blocks "$clone/README.md")
[ $blocks -gt 0 ] || fail "README.md shows no demo output (no code block with a '\$ rmtool' line)"

finish
