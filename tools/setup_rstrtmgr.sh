#!/bin/sh
# Install rstrtmgr (the Restart Manager DLL, rmtool.exe and rmhelper64.exe) into a Wine prefix,
# or put Wine's own rstrtmgr back.  Needs only Wine and a POSIX shell.
#
#   setup_rstrtmgr.sh install [--symlink]   install into $WINEPREFIX (default ~/.wine)
#   setup_rstrtmgr.sh uninstall             restore what was there before
#
# WoW64 prefix (64-bit, with syswow64): x64/ files go to system32, x32/ ones to syswow64.
# 32-bit prefix (WINEARCH=win32): x32/ files go to system32; rmhelper64.exe is not needed.
# The DllOverrides entry rstrtmgr=native,builtin makes Wine load ours (newer Wine may not keep
# its builtin prefer-native).  Whatever the prefix had before (Wine's files, an earlier
# override) is kept in PREFIX/rstrtmgr-backup, outside drive_c, and uninstall restores it.
# --symlink links the files to this bundle instead of copying them.
# Wine is found as $WINE, else wine, else wine64.  The files come from the directory this
# script is in (RSTRTMGR_BUNDLE to name another one that has x32/ and x64/).
#
# Exit status: 0 done (also: install when already installed, uninstall when not installed),
# 1 refused or failed (a message says why; a refused prefix is left unchanged), 2 bad usage.
set -u

me=setup_rstrtmgr
key='HKCU\Software\Wine\DllOverrides'
override=native,builtin

say() { echo "$me: $*"; }
die() { echo "$me: $*" >&2; exit 1; }
usage() { echo "usage: $0 install|uninstall [--symlink]" >&2; exit 2; }

action=${1:-}
case $action in
    install|uninstall) shift ;;
    -h|--help) echo "usage: $0 install|uninstall [--symlink]"; exit 0 ;;
    *) usage ;;
esac
symlink=0
for arg in "$@"; do
    case $arg in
        --symlink) symlink=1 ;;
        *) usage ;;
    esac
done
[ $symlink = 1 ] && [ $action = uninstall ] && usage

bundle=${RSTRTMGR_BUNDLE:-$(dirname "$0")}
bundle=$(cd "$bundle" 2> /dev/null && pwd -P) || die "cannot find the bundle directory"
if [ -n "${WINEPREFIX:-}" ]; then prefix=$WINEPREFIX
elif [ -n "${HOME:-}" ]; then prefix=$HOME/.wine
else die "neither WINEPREFIX nor HOME is set"
fi
windir=$prefix/drive_c/windows
backup=$prefix/rstrtmgr-backup

# ------------------------------------------------------------------ checks (nothing changes)

# Sets kind to wow64 or win32, or refuses.  Wine is not run here: on a missing prefix it would
# create one.
check_prefix()
{
    [ -d "$prefix" ] || die "no Wine prefix at $prefix (create one first: WINEPREFIX=$prefix wineboot)"
    [ -f "$prefix/system.reg" ] || die "$prefix is not a usable Wine prefix: it has no system.reg"
    [ -d "$windir/system32" ] || die "$prefix is not a usable Wine prefix: it has no drive_c/windows/system32"
    arch=$(sed -n 's/^#arch=//p' "$prefix/system.reg" | tr -d '\r' | head -n 1)
    if [ -z "$arch" ]; then
        arch=win32; [ -d "$windir/syswow64" ] && arch=win64
    fi
    case $arch in
        win64)
            [ -d "$windir/syswow64" ] || die "$prefix is a 64-bit prefix without syswow64: it cannot run 32-bit programs; use a WoW64 or a 32-bit prefix"
            kind=wow64 ;;
        win32)
            [ -d "$windir/syswow64" ] && die "$prefix says it is 32-bit (system.reg) but has syswow64: a broken prefix"
            kind=win32 ;;
        *) die "$prefix is a prefix for $arch: this bundle has x86 (x32) and x86-64 (x64) files only" ;;
    esac
    case ${WINEARCH:-} in
        '') ;;
        win32) [ $kind = win32 ] || die "WINEARCH=win32, but $prefix is a 64-bit (WoW64) prefix" ;;
        win64|wow64) [ $kind = wow64 ] || die "WINEARCH=$WINEARCH, but $prefix is a 32-bit prefix" ;;
        *) die "WINEARCH=$WINEARCH is not a Wine architecture this script knows (win32, win64, wow64)" ;;
    esac
    return 0
}

# The files of the prefix's kind, one per line: bundle file, Windows directory, name.
file_list()
{
    if [ $kind = wow64 ]; then
        printf '%s\n' "x64/rstrtmgr.dll system32 rstrtmgr.dll" "x64/rmtool.exe system32 rmtool.exe" \
            "x64/rmhelper64.exe system32 rmhelper64.exe" \
            "x32/rstrtmgr.dll syswow64 rstrtmgr.dll" "x32/rmtool.exe syswow64 rmtool.exe"
    else
        printf '%s\n' "x32/rstrtmgr.dll system32 rstrtmgr.dll" "x32/rmtool.exe system32 rmtool.exe"
    fi
}

check_bundle()
{
    file_list | while read -r src dir name; do
        [ -f "$bundle/$src" ] || { echo "$me: $bundle/$src is missing: an incomplete bundle" >&2; exit 1; }
    done || exit 1
}

# Sets wine; a 64-bit-only loader cannot run a 32-bit prefix.
find_wine()
{
    if [ -n "${WINE:-}" ]; then wine=$WINE
    elif command -v wine > /dev/null 2>&1; then wine=wine
    elif command -v wine64 > /dev/null 2>&1; then wine=wine64
    else die "Wine is not installed (no wine or wine64 in PATH; set WINE to the loader)"
    fi
    command -v "$wine" > /dev/null 2>&1 || die "WINE=$wine: no such program"
    case ${wine##*/} in
        wine64*) [ $kind = win32 ] && die "$wine is a 64-bit loader; $prefix is a 32-bit prefix (set WINE to a 32-bit wine)" ;;
    esac
    return 0
}

# ------------------------------------------------------------------ registry

run_wine()
{
    WINEPREFIX=$prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" "$wine" "$@" < /dev/null
}

# Prints the prefix's current rstrtmgr override, nothing when there is none.
current_override()
{
    run_wine reg query "$key" /v rstrtmgr 2> /dev/null | tr -d '\r' |
        sed -n 's/^[[:space:]]*rstrtmgr[[:space:]][[:space:]]*REG_SZ[[:space:]]*//p'
}

set_override()
{
    run_wine reg add "$key" /v rstrtmgr /t REG_SZ /d "$1" /f > /dev/null 2>&1
}

# ------------------------------------------------------------------ files

# Keeps what the prefix has under this name (or notes that it has nothing), once: a second
# install must not take our own file for Wine's.
keep_original()
{
    dest=$windir/$1/$2 keep=$backup/$1
    mkdir -p "$keep" || die "cannot create $keep"
    if [ -e "$keep/$2" ] || [ -L "$keep/$2" ] || [ -e "$keep/$2.none" ]; then return 0; fi
    # rstrtmgr's earlier tools/install.sh kept Wine's file beside ours; the programs Wine
    # does not have were its own.
    if [ -f "$dest.wine-builtin" ]; then mv -f "$dest.wine-builtin" "$keep/$2"
    elif [ $legacy = 1 ] && [ "$2" != rstrtmgr.dll ]; then : > "$keep/$2.none"; rm -f "$dest"
    elif [ -e "$dest" ] || [ -L "$dest" ]; then mv -f "$dest" "$keep/$2"
    else : > "$keep/$2.none"
    fi || die "cannot keep $dest in $keep"
}

place()
{
    src=$bundle/$1 dest=$windir/$2/$3
    keep_original "$2" "$3"
    if [ $symlink = 1 ]; then
        rm -f "$dest" && ln -s "$src" "$dest" || die "cannot link $dest"
        say "linked $dest -> $src"
    elif [ ! -L "$dest" ] && cmp -s "$src" "$dest"; then
        say "up to date: $dest"
    else
        # Never write through a link left by --symlink: that would overwrite the bundle.
        rm -f "$dest" && cp "$src" "$dest" || die "cannot copy $src to $dest"
        say "installed $dest"
    fi
}

restore()
{
    dest=$windir/$1/$2 keep=$backup/$1
    if [ -e "$keep/$2" ] || [ -L "$keep/$2" ]; then
        rm -f "$dest" && mv -f "$keep/$2" "$dest" || die "cannot restore $dest from $keep"
        say "restored $dest"
    elif [ -e "$keep/$2.none" ]; then
        rm -f "$dest" "$keep/$2.none" || die "cannot remove $dest"
        say "removed $dest"
    fi
    return 0
}

# ------------------------------------------------------------------ actions

do_install()
{
    check_bundle
    first=0 legacy=0
    [ -d "$backup" ] || first=1
    for f in "$windir"/system32/*.wine-builtin "$windir"/syswow64/*.wine-builtin; do
        [ -e "$f" ] && legacy=1
    done
    if [ $first = 1 ]; then
        mkdir -p "$backup" || die "cannot create $backup"
        # The override of an earlier tools/install.sh is ours, not one to restore.
        previous=
        [ $legacy = 0 ] && previous=$(current_override)
        [ -n "$previous" ] && printf '%s\n' "$previous" > "$backup/override"
    fi
    if ! set_override "$override"; then
        [ $first = 1 ] && rm -rf "$backup"
        die "cannot set $key\\rstrtmgr with $wine: is this Wine able to run the prefix? Nothing was changed."
    fi
    file_list | while read -r src dir name; do place "$src" "$dir" "$name" || exit 1; done || exit 1
    say "rstrtmgr installed into $prefix ($kind prefix; DllOverrides: rstrtmgr=$override)"
}

do_uninstall()
{
    if [ ! -d "$backup" ]; then
        say "rstrtmgr is not installed in $prefix (no $backup): nothing to do"
        return 0
    fi
    if [ -f "$backup/override" ]; then
        set_override "$(cat "$backup/override")" || die "cannot restore $key\\rstrtmgr"
        say "restored the earlier override rstrtmgr=$(cat "$backup/override")"
    else
        run_wine reg delete "$key" /v rstrtmgr /f > /dev/null 2>&1
        [ -z "$(current_override)" ] || die "cannot delete $key\\rstrtmgr"
        say "removed the override rstrtmgr"
    fi
    file_list | while read -r src dir name; do restore "$dir" "$name" || exit 1; done || exit 1
    rm -f "$backup/override"
    rmdir "$backup/system32" "$backup/syswow64" 2> /dev/null
    rmdir "$backup" || die "$backup still holds files; left in place"
    say "Wine's own rstrtmgr is back in $prefix"
}

check_prefix
find_wine
if [ $action = install ]; then do_install; else do_uninstall; fi
