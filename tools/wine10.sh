#!/bin/bash
# Wine 10.0 from Debian 13 (trixie) in a debootstrap chroot: the test command's second Wine.
#   tools/wine10.sh setup              create the chroot, or reuse the one already there
#   tools/wine10.sh run CMD [ARG...]   run CMD inside it (as root, the work tree at its own path)
#   tools/wine10.sh check [--bundle TARBALL]
#                                      the conformance programs of both architectures (built
#                                      by tools/build.sh, our DLL beside them; logs in
#                                      build/wine10/ARCH/tests) and the Inno Setup end-to-end
#                                      test (tools/e2e-inno.sh after its Wine 8.0 run, which
#                                      built the app), our DLLs installed from TARBALL
#                                      (tools/release.sh) with its setup_rstrtmgr.sh
# The chroot lives outside the work tree, in /var/cache/rstrtmgr/trixie (RSTRTMGR_CHROOT to
# choose another place): every clone on the machine shares it, `git clean` leaves it, and CI's
# second run, from a fresh clone, finds it ready.  A new machine builds it once (debootstrap
# --variant=minbase from the Debian mirror this machine's apt uses, then Wine from trixie).
# While a command runs, /proc, /sys, /dev, /dev/pts, a fresh /dev/shm, the X sockets of
# /tmp/.X11-unix and the work tree (and RSTRTMGR_BUILD_ROOT) are mounted into the chroot; they
# are unmounted when it ends, also on failure or interrupt.  Needs root.
# The chroot has Wine and no compiler: what runs there was built outside.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
root=${RSTRTMGR_BUILD_ROOT:-$top/build}
chroot_dir=${RSTRTMGR_CHROOT:-/var/cache/rstrtmgr/trixie}
suite=trixie
# procps: the end-to-end test finds its app with ps.
packages="wine wine64 wine32:i386 procps"
inner_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { echo "wine10: $*" >&2; }
die() { say "$*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# Inside the chroot (tools/wine10.sh --inside ...): Wine 10's side of "check".

# The conformance programs of one architecture, one after another (they count the sessions of
# one user), in this architecture's own Wine 10 prefix; logs in $root/wine10/ARCH/tests.
inside_conformance()
{
    local arch=$1 other=x86_64 unit units logdir
    [ "$arch" = x86_64 ] && other=i686
    logdir=$root/wine10/$arch/tests
    mkdir -p "$logdir"
    rm -f "$logdir"/*.log
    units=$(sed -n 's/^TESTS *+\{0,1\}= *//p' "$top/tests/Makefile.am" | tr ' ' '\n' | sed -n 's,^tests/\([a-z0-9_]*\)\$(EXEEXT)$,\1,p')
    for unit in $units; do
        RSTRTMGR_BUILDDIR=$root/$arch RSTRTMGR_WINEPREFIX=$root/wine10/$arch/wineprefix \
            RSTRTMGR_OTHER_ARCH_BUILD=$root/$other \
            bash "$top/tools/winetest-run.sh" "$root/$arch/tests/$unit.exe" > "$logdir/$unit.log" 2>&1
        echo "wine10: $arch $unit: exit $?"
    done
    WINEPREFIX=$root/wine10/$arch/wineprefix wineserver -k 2> /dev/null
    return 0
}

# The Inno Setup end-to-end test, our DLLs installed the way a user does: the release tarball
# unpacked in an empty folder, its setup_rstrtmgr.sh.  The app's two builds come from the
# Wine 8.0 run (build/e2e; this system has no compiler), Inno Setup from build/innosetup.
inside_e2e()
{
    local tarball=$1 dir=$root/wine10/bundle bundle
    rm -rf "$dir"
    mkdir -p "$dir"
    tar -xzf "$tarball" -C "$dir" || { echo "wine10: cannot unpack $tarball"; return 1; }
    bundle=$(find "$dir" -mindepth 2 -maxdepth 2 -name setup_rstrtmgr.sh -printf '%h\n' | head -1)
    [ -n "$bundle" ] || { echo "wine10: no setup_rstrtmgr.sh in $tarball"; return 1; }
    RSTRTMGR_E2E_DIR=$root/wine10/e2e bash "$top/tools/e2e-inno.sh" --bundle "$bundle" --apps "$top/build/e2e"
}

if [ "${1:-}" = --inside ]; then
    case ${2:-} in
        conformance)
            inside_conformance i686 > "$root/wine10/i686.out" 2>&1 &
            inside_conformance x86_64 > "$root/wine10/x86_64.out" 2>&1
            wait
            cat "$root/wine10/i686.out" "$root/wine10/x86_64.out" ;;
        e2e) inside_e2e "${3:-}" ;;
        *) die "unknown inside command '${2:-}'" ;;
    esac
    exit
fi

# ---------------------------------------------------------------------------------------------
# Outside: the chroot, its mounts, and the commands.

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, mount and chroot): run it with sudo"
command -v flock > /dev/null || die "flock is missing (util-linux)"

# The Debian mirror this machine's apt uses: the URI that serves the machine's own release
# (not -security, not -updates), from one-line or deb822 sources.  RSTRTMGR_DEBIAN_MIRROR wins.
find_mirror()
{
    local codename file
    [ -n "${RSTRTMGR_DEBIAN_MIRROR:-}" ] && { echo "$RSTRTMGR_DEBIAN_MIRROR"; return 0; }
    codename=$(. /etc/os-release 2> /dev/null && echo "${VERSION_CODENAME:-}")
    [ -n "$codename" ] || return 1
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$file" ] || continue
        awk -v s="$codename" '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
                                            if ($(i + 1) == s) { print $i; exit } }' "$file"
    done | head -1 | grep . && return 0
    for file in /etc/apt/sources.list.d/*.sources; do
        [ -f "$file" ] || continue
        awk -v s="$codename" 'BEGIN { RS = ""; FS = "\n" }
            { uri = ""; deb = 0; ok = 0
              for (i = 1; i <= NF; i++) {
                  if ($i ~ /^Types:.*[ \t]deb([ \t]|$)/) deb = 1
                  if ($i ~ /^URIs:/) { split($i, u, /[ \t]+/); uri = u[2] }
                  if ($i ~ /^Suites:/) { n = split($i, w, /[ \t]+/); for (j = 2; j <= n; j++) if (w[j] == s) ok = 1 }
              }
              if (deb && ok && uri != "") { print uri; exit } }' "$file"
    done | head -1 | grep . && return 0
    return 1
}

# Mount points under the chroot, deepest first, as /proc/mounts lists them.
mounted_under()
{
    awk -v d="$chroot_dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r
}

# Processes whose root is the chroot: only ours (the chroot is locked while we use it).
chroot_pids()
{
    local p
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2> /dev/null)" = "$chroot_dir" ] && echo "${p#/proc/}"
    done
}

# End what still runs inside (a lingering wineserver), then unmount everything, deepest first.
leave_chroot()
{
    local pids m _
    pids=$(chroot_pids)
    if [ -n "$pids" ]; then
        kill $pids 2> /dev/null
        for _ in $(seq 50); do pids=$(chroot_pids); [ -z "$pids" ] && break; sleep 0.1; done
        [ -n "$pids" ] && kill -9 $pids 2> /dev/null && sleep 0.5
    fi
    for m in $(mounted_under); do
        umount "$m" 2> /dev/null || umount -l "$m" || say "cannot unmount $m"
    done
    [ -z "$(mounted_under)" ] || { say "still mounted: $(mounted_under | tr '\n' ' ')"; return 1; }
    return 0
}

# Bind a directory onto the same path inside the chroot; mounts made below it stay there.
bind_into()
{
    mkdir -p "$chroot_dir$1" && mount --bind "$1" "$chroot_dir$1" && mount --make-rslave "$chroot_dir$1"
}

enter_chroot()
{
    leave_chroot || return 1    # left over from a run that was killed
    bind_into /proc && bind_into /sys && bind_into /dev && bind_into /dev/pts \
        && mount -t tmpfs -o mode=1777,nosuid,nodev shm "$chroot_dir/dev/shm" || return 1
    # The X server runs outside (tools/xvfb.sh); clients find its socket here.
    if [ -d /tmp/.X11-unix ]; then bind_into /tmp/.X11-unix || return 1; fi
    bind_into "$top" || return 1
    case $root/ in "$top"/*) ;; *) mkdir -p "$root" && { bind_into "$root" || return 1; } ;; esac
    return 0
}

# Run a command in the chroot with a clean environment: the display, Wine's and our variables;
# in the current directory when that is mounted there.
in_chroot()
{
    local vars dir=/
    case $PWD/ in "$top"/*|"$root"/*) dir=$PWD ;; esac
    vars=$(env | grep -E '^(RSTRTMGR_[A-Z0-9_]*|WINE[A-Z_]*|DISPLAY)=' | tr '\n' '\0' | xargs -0 -r printf '%q ')
    # In the background, so that a signal to this script runs its trap at once (the trap ends
    # what runs inside); stdin stays the script's.
    eval "chroot \"\$chroot_dir\" /usr/bin/env -i -C \"\$dir\" HOME=/root PATH=$inner_path LANG=C.UTF-8 $vars \"\$@\" 0<&0 &"
    wait $!
}

# Lock the chroot for the whole command; a trap unmounts on every way out.
lock_chroot()
{
    mkdir -p "$(dirname "$chroot_dir")" || die "cannot create $(dirname "$chroot_dir")"
    exec 8> "$chroot_dir.lock"
    flock -w 3600 8 || die "another run holds $chroot_dir.lock"
    trap 'leave_chroot || exit 1' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
}

wine_version() { in_chroot wine --version 2> /dev/null | tr -d '\r'; }

setup_chroot()
{
    local mirror t0 missing
    t0=$(date +%s)
    if [ ! -f "$chroot_dir/.rstrtmgr-debootstrap-done" ]; then
        command -v debootstrap > /dev/null || die "debootstrap is missing (tools/setup.sh installs it)"
        mirror=$(find_mirror) || die "cannot find the Debian mirror in /etc/apt/sources.list*; set RSTRTMGR_DEBIAN_MIRROR"
        [ -z "$(mounted_under)" ] || die "something is mounted under $chroot_dir: $(mounted_under | tr '\n' ' ')"
        rm -rf --one-file-system "$chroot_dir"
        say "debootstrap --variant=minbase $suite $chroot_dir $mirror"
        debootstrap --variant=minbase --arch=amd64 $suite "$chroot_dir" "$mirror" > "$chroot_dir.debootstrap.log" 2>&1 \
            || { tail -20 "$chroot_dir.debootstrap.log" >&2; die "debootstrap failed (log: $chroot_dir.debootstrap.log)"; }
        touch "$chroot_dir/.rstrtmgr-debootstrap-done"
    fi
    enter_chroot || die "cannot mount into $chroot_dir"
    missing=$(in_chroot dpkg-query -W -f='${db:Status-Abbrev} ${binary:Package}\n' $packages 2>&1 | grep -vc '^ii ')
    if [ "$missing" != 0 ]; then
        say "installing $packages into $chroot_dir"
        in_chroot sh -c "dpkg --print-foreign-architectures | grep -qx i386 || dpkg --add-architecture i386
            export DEBIAN_FRONTEND=noninteractive
            apt-get update && apt-get install -y --no-install-recommends $packages && apt-get clean" \
            > "$chroot_dir.apt.log" 2>&1 || { tail -20 "$chroot_dir.apt.log" >&2; die "installing Wine in the chroot failed (log: $chroot_dir.apt.log)"; }
        say "chroot ready in $(( $(date +%s) - t0 ))s"
    fi
    say "$(wine_version) in $chroot_dir"
}

command=${1:-}
[ $# -gt 0 ] && shift
case $command in
    setup)
        lock_chroot
        setup_chroot ;;
    run)
        [ $# -gt 0 ] || die "usage: $0 run CMD [ARG...]"
        lock_chroot
        setup_chroot
        in_chroot "$@" ;;
    check)
        tarball=
        if [ "${1:-}" = --bundle ]; then
            [ -f "${2:-}" ] || die "no release bundle at '${2:-}'"
            tarball=$(realpath "$2")
        fi
        lock_chroot
        setup_chroot
        . "$top/tools/xvfb.sh"
        start_xvfb 240 259 || die "no display: Xvfb is missing or no display number is free"
        trap 'leave_chroot; left=$?; stop_xvfb; [ $left = 0 ] || exit 1' EXIT
        # Fresh prefixes every time, as on a new machine.
        for dir in "$root/wine10/i686/wineprefix" "$root/wine10/x86_64/wineprefix" "$root/wine10/e2e/wineprefix"; do
            [ -d "$dir" ] && rm -rf --one-file-system "$dir" "$dir.lock" "$dir.log"
        done
        mkdir -p "$root/wine10"
        t0=$(date +%s)
        say "conformance programs of both architectures under $(wine_version)"
        in_chroot "$top/tools/wine10.sh" --inside conformance
        t1=$(date +%s)
        say "conformance done in $((t1 - t0))s"
        if [ -z "$tarball" ]; then
            echo "FAIL: no release bundle (--bundle): the end-to-end test did not run"
            echo "0 passed, 1 failed"
            exit 1
        fi
        say "Inno Setup end-to-end test under $(wine_version), installed from $tarball"
        in_chroot "$top/tools/wine10.sh" --inside e2e "$tarball"
        status=$?
        say "end-to-end test done in $(( $(date +%s) - t1 ))s"
        # Run through sudo: what the tests wrote belongs to the user who called it.
        [ -n "${SUDO_UID:-}" ] && chown -R "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$root/wine10"
        exit $status ;;
    *)
        sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
        exit 2 ;;
esac
