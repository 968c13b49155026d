#!/bin/sh
# Install everything rstrtmgr needs to build and test on Debian 12: mingw-w64, autotools,
# 64- and 32-bit Wine (WoW64), Xvfb, npm (the end-to-end test installs Inno Setup from the
# npm registry) and debootstrap (tools/wine10.sh builds a Debian 13 chroot with Wine 10.0).
# Idempotent: returns at once when all is there.
# Run as root, or as a user who may use sudo.
set -eu

packages="mingw-w64 binutils-mingw-w64 autoconf automake libtool make util-linux xvfb xauth debootstrap"
wine_packages="wine wine64 wine32:i386"
# A machine may have its own node and npm (not from Debian); only without one is Debian's used.
command -v npm > /dev/null || packages="$packages npm"

installed()
{
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || return 1
    done
}

if installed $packages $wine_packages; then
    echo "setup: all dependencies are installed"
    exit 0
fi

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

case " $(dpkg --print-foreign-architectures | tr '\n' ' ') " in
    *" i386 "*) ;;
    *) $SUDO dpkg --add-architecture i386 ;;
esac
# The bookworm-security i386 index sometimes fails to download; the main suite is enough.
$SUDO apt-get update || echo "setup: apt-get update reported errors; going on with the indexes it got"
$SUDO apt-get install -y --no-install-recommends $packages

# wine32:i386 needs the i386 twin of every library wine64 pulled in for amd64.  When amd64
# got a newer version from bookworm-security than i386 can have, apt refuses; pin both
# architectures of that library to the version i386 has, and keep wine64 in the same command
# (apt would otherwise remove it).
pins=""
attempt=0
while :; do
    log=$(mktemp)
    if $SUDO apt-get install -y -t bookworm --no-install-recommends --allow-downgrades $wine_packages $pins > "$log" 2>&1; then
        rm -f "$log"
        break
    fi
    attempt=$((attempt + 1))
    broken=$(sed -n 's/.*Depends: \([^ :]*\):i386 .*but it is not installable.*/\1/p' "$log" | sort -u)
    if [ -z "$broken" ] || [ $attempt -gt 8 ]; then
        cat "$log" >&2
        rm -f "$log"
        echo "setup: cannot install 32-bit Wine" >&2
        exit 1
    fi
    rm -f "$log"
    for pkg in $broken; do
        version=$(apt-cache policy "$pkg:i386" | awk '/Candidate:/ { print $2 }')
        if [ -z "$version" ] || [ "$version" = "(none)" ]; then
            echo "setup: no i386 version of $pkg" >&2
            exit 1
        fi
        echo "setup: pinning $pkg to $version for amd64 and i386"
        pins="$pins $pkg=$version $pkg:i386=$version"
    done
done

installed $packages $wine_packages || { echo "setup: packages still missing" >&2; exit 1; }
echo "setup: dependencies installed"
