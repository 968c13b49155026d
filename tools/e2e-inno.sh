#!/bin/bash
# End-to-end test with a real client: Inno Setup 6.4.1 upgrading a running application
# through our rstrtmgr.dll under Wine.
#   tools/e2e-inno.sh             install what is missing, build, run every scenario
#   tools/e2e-inno.sh --no-setup  skip the system dependency check (tools/setup.sh)
#   tools/e2e-inno.sh --no-build  skip tools/build.sh (use the DLLs already built)
#   tools/e2e-inno.sh --bundle DIR --apps DIR
#                                 on a machine with Wine and no compiler (tools/wine10.sh runs
#                                 it so): install our DLLs from the unpacked release bundle DIR
#                                 with its setup_rstrtmgr.sh, and take the app's v1/ and v2/
#                                 builds from the --apps DIR (an earlier run's build/e2e);
#                                 Inno Setup must already be in build/innosetup
# RSTRTMGR_E2E_DIR chooses the work folder (default build/e2e: prefix, installers, logs).
# What it does:
#   - installs Inno Setup 6.4.1 from the npm package innosetup@6.4.1 into build/innosetup
#     (once; ISCC.exe and the Setup stubs are 32-bit Windows programs run under Wine);
#   - builds tests/e2e/rmdemoapp.c twice (v1 and v2) and compiles tests/e2e/rmdemo.iss for each;
#   - makes its own WoW64 prefix build/e2e/wineprefix and installs our DLLs into it;
#   - scenario 1: v1 runs while the v2 upgrade runs silently: Setup must find it by name,
#     close it, replace it and restart it;
#   - scenario 2: v1 runs with /refuse: the plain upgrade must stop (exit 5) and leave the old
#     files; with /FORCECLOSEAPPLICATIONS it must succeed;
#   - baseline: scenario 1 with Wine's builtin rstrtmgr (WINEDLLOVERRIDES=rstrtmgr=b), which
#     must fail; informative, not counted.
# Every check prints a PASS or FAIL line with its evidence; the last line is
# "N passed, N failed" and the exit status is non-zero if a check failed.
# Logs: build/e2e/logs: Setup's own logs (NAME.log, NAME.txt without CRs) and Wine's stderr
# (NAME.stderr; run with WINEDEBUG=-all,+rstrtmgr to trace our DLL there); the app's own log
# is %LOCALAPPDATA%\rmdemo-log.txt in the prefix.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
# RSTRTMGR_BUILD_ROOT (default build/) is passed on to tools/build.sh and tools/install.sh.
e2e=${RSTRTMGR_E2E_DIR:-$top/build/e2e}
e2e_rel=${e2e#"$top"/}
logs=$e2e/logs
inno_dir=$top/build/innosetup
inno_version=6.4.1
iscc=$inno_dir/node_modules/innosetup/bin/ISCC.exe
export WINEPREFIX=$e2e/wineprefix
export WINEDEBUG=${WINEDEBUG:--all}
unset WINEDLLOVERRIDES
setup_timeout=${RSTRTMGR_E2E_SETUP_TIMEOUT:-120}

do_setup=1 do_build=1 bundle= apps=
while [ $# -gt 0 ]; do
    case $1 in
        --no-setup) do_setup=0 ;;
        --no-build) do_build=0 ;;
        --bundle) bundle=${2:-}; do_setup=0 do_build=0; shift ;;
        --apps) apps=${2:-}; shift ;;
        *) echo "usage: $0 [--no-setup] [--no-build] [--bundle DIR --apps DIR]" >&2; exit 2 ;;
    esac
    shift
done

. "$top/tools/checks.sh"
note() { echo "  $*"; }
die() { echo "e2e-inno: $*" >&2; fail "$*"; echo "$passed passed, $failed failed"; exit 1; }
t0=$(date +%s)

# A Windows path for a Unix one, through the prefix's Z: drive (no wine call needed).
winpath() { printf 'Z:%s' "$(realpath -m "$1" | tr / '\\')"; }

# ---------------------------------------------------------------------------------------------
# Dependencies, display, Inno Setup, our DLLs, the app and the installers.

mkdir -p "$e2e" "$logs"
if [ $do_setup = 1 ]; then
    "$top/tools/setup.sh" > "$e2e/setup.log" 2>&1 || { cat "$e2e/setup.log" >&2; die "installing dependencies failed"; }
fi
if [ -n "$apps" ] && { [ ! -f "$apps/v1/rmdemoapp.exe" ] || [ ! -f "$apps/v2/rmdemoapp.exe" ]; }; then
    die "--apps $apps: v1/rmdemoapp.exe or v2/rmdemoapp.exe is missing"
fi
[ -z "$bundle" ] || [ -x "$bundle/setup_rstrtmgr.sh" ] || die "--bundle $bundle: no setup_rstrtmgr.sh there"
if [ -z "$apps" ]; then
    command -v i686-w64-mingw32-gcc > /dev/null || die "i686-w64-mingw32-gcc is missing"
    command -v i686-w64-mingw32-windres > /dev/null || die "i686-w64-mingw32-windres is missing"
fi

# The Unix PIDs of running rmdemoapp.exe processes of this prefix.
app_pids()
{
    local pid stat args
    ps -eo pid=,stat=,args= | while read -r pid stat args; do
        case $stat in Z*) continue ;; esac
        case $args in *[/\\]rmdemo[/\\]rmdemoapp.exe*) ;; *) continue ;; esac
        tr '\0' '\n' < /proc/$pid/environ 2> /dev/null | grep -qxF "WINEPREFIX=$WINEPREFIX" && echo $pid
    done
}

# Stop every rmdemoapp of the prefix, by Windows' taskkill, and wait (bounded) until they are gone.
kill_apps()
{
    local _
    [ -n "$(app_pids)" ] || return 0
    wine taskkill /f /im rmdemoapp.exe > /dev/null 2>&1 < /dev/null
    for _ in $(seq 100); do [ -z "$(app_pids)" ] && return 0; sleep 0.1; done
    echo "e2e-inno: rmdemoapp.exe still running after taskkill: $(app_pids)" >&2
    return 1
}

. "$top/tools/xvfb.sh"
start_xvfb 200 219 || die "no free display for Xvfb"

cleanup()
{
    if [ -f "$WINEPREFIX/system.reg" ]; then
        kill_apps
        wineserver -k > /dev/null 2>&1
    fi
    stop_xvfb
}
trap cleanup EXIT

# Inno Setup from npm, pinned, in a project-local ignored folder; again only if it is not there.
installed_version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$inno_dir/node_modules/innosetup/package.json" 2> /dev/null)
if [ "$installed_version" != $inno_version ] || [ ! -f "$iscc" ]; then
    command -v npm > /dev/null || die "npm is missing (node and npm are needed to install Inno Setup)"
    echo "e2e-inno: npm install --prefix build/innosetup innosetup@$inno_version"
    mkdir -p "$inno_dir"
    npm install --prefix "$inno_dir" --no-save --no-audit --no-fund --loglevel=error "innosetup@$inno_version" \
        > "$e2e/npm-install.log" 2>&1 || { cat "$e2e/npm-install.log" >&2; die "npm install innosetup@$inno_version failed"; }
    [ -f "$iscc" ] || die "npm installed innosetup but $iscc is missing"
fi
note "Inno Setup: $(sed -n 's/^ *"version": *"\([^"]*\)".*/innosetup@\1/p' "$inno_dir/node_modules/innosetup/package.json") in build/innosetup"

if [ $do_build = 1 ]; then
    "$top/tools/build.sh" || die "tools/build.sh failed"
fi

# The app, v1 and v2: the version is compiled in, so the two binaries differ.
for v in 1 2; do
    mkdir -p "$e2e/v$v"
    if [ -n "$apps" ]; then
        cp "$apps/v$v/rmdemoapp.exe" "$e2e/v$v/rmdemoapp.exe" || die "cannot copy rmdemoapp v$v from $apps"
        continue
    fi
    # Its version resource's FileDescription, "rmdemo application vN", is the name Setup logs.
    i686-w64-mingw32-windres -DAPP_VERSION=$v -o "$e2e/v$v/rmdemoapp-version.o" "$top/tests/e2e/rmdemoapp.rc" \
        || die "building rmdemoapp v$v's version resource failed"
    i686-w64-mingw32-gcc -O2 -Wall -s -mwindows -municode -static-libgcc -DAPP_VERSION=$v \
        -o "$e2e/v$v/rmdemoapp.exe" "$top/tests/e2e/rmdemoapp.c" "$e2e/v$v/rmdemoapp-version.o" \
        || die "building rmdemoapp v$v failed"
done
cmp -s "$e2e/v1/rmdemoapp.exe" "$e2e/v2/rmdemoapp.exe" && die "rmdemoapp v1 and v2 are identical"

# The prefix, with our DLLs; its wineserver stays up until the end (cleanup stops it).
"$top/tools/wine-prefix.sh" "$WINEPREFIX" || die "cannot create the Wine prefix $WINEPREFIX"
wineserver -p > /dev/null 2>&1 < /dev/null
if [ -n "$bundle" ]; then
    "$bundle/setup_rstrtmgr.sh" install > "$e2e/install.log" 2>&1 < /dev/null \
        || { cat "$e2e/install.log" >&2; die "setup_rstrtmgr.sh install failed"; }
    note "our DLLs installed into $WINEPREFIX from the release bundle (setup_rstrtmgr.sh install)"
else
    "$top/tools/install.sh" > "$e2e/install.log" 2>&1 || { cat "$e2e/install.log" >&2; die "tools/install.sh failed"; }
    note "our DLLs installed into $WINEPREFIX (rstrtmgr=native,builtin)"
fi

# Where the app installs and logs: %LOCALAPPDATA% of the prefix's user.
wine cmd /c echo %LOCALAPPDATA% > "$e2e/localappdata.txt" 2> /dev/null < /dev/null
localappdata_win=$(tr -d '\r' < "$e2e/localappdata.txt" | tail -1)
case $localappdata_win in
    [Cc]:\\*) localappdata=$WINEPREFIX/drive_c/$(printf '%s' "${localappdata_win#?:\\}" | tr '\\' /) ;;
    *) die "cannot read %LOCALAPPDATA% in the prefix (got '$localappdata_win')" ;;
esac
appdir=$localappdata/rmdemo
app=$appdir/rmdemoapp.exe
applog=$localappdata/rmdemo-log.txt

# ISCC reads any argument that starts with / or - as a switch: give it Windows paths.
for v in 1 2; do
    rm -f "$e2e/out/rmdemo-setup-v$v.exe"
    wine "$iscc" /Q "/DAppVersion=$v" "/DAppBinDir=$(winpath "$e2e/v$v")" "/O$(winpath "$e2e/out")" \
        "$(winpath "$top/tests/e2e/rmdemo.iss")" > "$logs/iscc-v$v.log" 2>&1 < /dev/null
    status=$?
    if [ $status = 0 ] && [ -f "$e2e/out/rmdemo-setup-v$v.exe" ]; then
        pass "ISCC 6.4.1 under Wine compiled rmdemo.iss v$v: $e2e_rel/out/rmdemo-setup-v$v.exe ($(stat -c %s "$e2e/out/rmdemo-setup-v$v.exe") bytes)"
    else
        tail -5 "$logs/iscc-v$v.log"
        die "ISCC failed on rmdemo.iss v$v (exit $status, see $logs/iscc-v$v.log)"
    fi
done

# ---------------------------------------------------------------------------------------------
# Helpers for the scenarios.

applog_lines() { [ -f "$applog" ] && tr -d '\r' < "$applog" | wc -l || echo 0; }
# The app's log lines after line $1.
applog_since() { [ -f "$applog" ] && tr -d '\r' < "$applog" | tail -n +$(($1 + 1)); }

# Wait (at most $3 seconds) for a line matching the regex $2 after line $1 of the app's log.
wait_applog()
{
    local since=$1 regex=$2 limit=$3 _
    for _ in $(seq $((limit * 10))); do
        applog_since "$since" | grep -qE "$regex" && return 0
        sleep 0.1
    done
    return 1
}

# Start the installed app in the background: start_app [ARGS]; waits for its "started" line.
start_app()
{
    local since
    since=$(applog_lines)
    ( cd "$appdir" && exec wine "$app" "$@" > "$logs/app-$(date +%s%N).out" 2>&1 < /dev/null ) &
    wait_applog "$since" "^started v[0-9]+" 20
}

# run_setup NAME VERSION [SWITCHES...]: runs build/e2e/out/rmdemo-setup-vVERSION.exe silently,
# Setup's log to $logs/NAME.log, Wine's stderr to $logs/NAME.stderr; sets $setup_status and
# $setup_log (the log without CRs and BOM).  Output goes to files: an app that Setup restarts
# inherits its handles, and a pipe would stay open.
run_setup()
{
    local name=$1 version=$2
    shift 2
    rm -f "$logs/$name.log"
    timeout -k 5 $setup_timeout wine "$e2e/out/rmdemo-setup-v$version.exe" /VERYSILENT /SUPPRESSMSGBOXES \
        "/LOG=$(winpath "$logs/$name.log")" "$@" > "$logs/$name.stderr" 2>&1 < /dev/null
    setup_status=$?
    setup_log=$logs/$name.txt
    if [ -f "$logs/$name.log" ]; then
        sed -e 's/\r$//' -e '1s/^\xEF\xBB\xBF//' "$logs/$name.log" > "$setup_log"
    else
        : > "$setup_log"
    fi
    [ $setup_status = 124 ] || [ $setup_status = 137 ] && note "Setup timed out after ${setup_timeout}s"
}

# The message part of Setup's log lines that contain $1 (fixed string), joined by " | ".
log_has() { grep -qF -- "$1" "$setup_log"; }
log_lines()
{
    grep -F -- "$1" "$setup_log" | sed -E 's/^[0-9-]+ [0-9:.]+ +//' | head -${2:-3} | paste -sd'|' - | sed 's/|/ | /g'
}
# Setup's log from its first Restart Manager line on, for the report when something failed.
show_log_tail()
{
    note "Setup log ($1), from the Restart Manager lines on:"
    sed -n '/RestartManager\|Shutting down\|Starting the installation/,$p' "$setup_log" | head -${2:-30} | sed 's/^/    | /'
}

installed_version()
{
    [ -f "$app" ] || { echo none; return; }
    if cmp -s "$app" "$e2e/v2/rmdemoapp.exe"; then echo v2
    elif cmp -s "$app" "$e2e/v1/rmdemoapp.exe"; then echo v1
    else echo "unknown ($(grep -aoE 'RMDEMO-APP-VERSION=v[0-9]+' "$app" | head -1))"
    fi
}

# A fresh v1 install with no app running: $1 labels the checks.
install_v1()
{
    kill_apps
    run_setup "$1-install-v1" 1
    if [ $setup_status = 0 ] && [ "$(installed_version)" = v1 ]; then
        pass "$1: v1 installed silently (exit 0, $(log_lines 'Installation process succeeded.' 1))"
        return 0
    fi
    fail "$1: v1 install (exit $setup_status, installed: $(installed_version))"
    show_log_tail "$1-install-v1"
    return 1
}

# ---------------------------------------------------------------------------------------------
# A clean slate: no app running, nothing installed, an empty app log.
kill_apps
rm -rf "$appdir"
rm -f "$applog"

echo "e2e-inno: scenario 1: upgrade v1 -> v2 while v1 runs (our rstrtmgr)"
if install_v1 scenario1; then
    if start_app; then
        pid=$(app_pids | head -1)
        pass "scenario1: rmdemo app v1 started from $appdir (app log: '$(applog_since 0 | grep '^started' | tail -1)', unix pid $pid)"
        since=$(applog_lines)
        s=$(date +%s)
        run_setup scenario1-upgrade 2
        note "upgrade took $(( $(date +%s) - s ))s, exit $setup_status; log: $logs/scenario1-upgrade.log"
        # The name is the FileDescription ("rmdemo application v1"), not the window title
        # ("rmdemo app v1"), as on Windows.
        line="RestartManager found an application using one of our files: rmdemo application v1"
        if log_has "$line"; then pass "scenario1: Setup found the app by name: '$(log_lines "$line" 1)'"
        else fail "scenario1: Setup did not log '$line' (it logged: '$(log_lines 'RestartManager found' 2)')"; fi
        line="Can use RestartManager to avoid reboot? Yes (0)"
        if log_has "$line"; then pass "scenario1: '$line'"
        else fail "scenario1: no '$line' (it logged: '$(log_lines 'Can use RestartManager' 1)')"; fi
        if log_has "Shutting down applications using our files." && ! log_has "Some applications could not be shut down."; then
            pass "scenario1: '$(log_lines 'Shutting down applications' 1)' and no 'Some applications could not be shut down.'"
        else
            fail "scenario1: shutdown: '$(log_lines 'Shutting down applications' 1)' / '$(log_lines 'could not be shut down' 1)'"
        fi
        if applog_since "$since" | grep -qE '^query-end-session v1 .* lParam 0x1: agreed' \
            && applog_since "$since" | grep -qE '^end-session v1 .* ending 1 lParam 0x1'; then
            pass "scenario1: the app was closed politely: '$(applog_since "$since" | grep -E '^(query-)?end-session v1' | paste -sd'|' - | sed 's/|/ | /g')'"
        else
            fail "scenario1: the app did not get WM_QUERYENDSESSION/WM_ENDSESSION(TRUE) with ENDSESSION_CLOSEAPP (app log since the upgrade: '$(applog_since "$since" | head -4 | paste -sd'|' -)')"
        fi
        if ! grep -q 'Dest filename: .*\\rmdemoapp\.exe$' "$setup_log"; then
            fail "scenario1: Setup did not reach the copy of rmdemoapp.exe"
        elif log_has "appears to be in use"; then fail "scenario1: file still in use during the copy: '$(log_lines 'appears to be in use' 1)'"
        else pass "scenario1: rmdemoapp.exe replaced without 'The existing file appears to be in use' retries"; fi
        if [ $setup_status = 0 ] && log_has "Installation process succeeded."; then
            pass "scenario1: upgrade succeeded (exit 0, 'Installation process succeeded.')"
        else
            fail "scenario1: upgrade failed (exit $setup_status; $(log_lines 'User canceled' 1) $(log_lines 'Rolling back' 1))"
        fi
        version=$(installed_version)
        if [ "$version" = v2 ]; then pass "scenario1: the installed rmdemoapp.exe is v2 (identical to $e2e_rel/v2/rmdemoapp.exe, marker $(grep -aoE 'RMDEMO-APP-VERSION=v[0-9]+' "$app"))"
        else fail "scenario1: the installed rmdemoapp.exe is $version, not v2"; fi
        # Setup calls RmRestart after the copy; it logs nothing more when RmRestart succeeds.
        limit=15; [ $setup_status = 0 ] || limit=1
        restart_errors=$(grep -E 'RmRestart returned an error|could not be restarted|not attempting to restart' "$setup_log" | sed -E 's/^[0-9-]+ [0-9:.]+ +//' | head -2)
        if wait_applog "$since" '^started v2' $limit && [ -n "$(app_pids)" ] \
            && log_has "Attempting to restart applications." && [ -z "$restart_errors" ]; then
            pass "scenario1: RmRestart relaunched the app: Setup logged '$(log_lines 'Attempting to restart' 1)' and no restart error; app log: '$(applog_since "$since" | grep '^started v2' | tail -1)', unix pid $(app_pids | paste -sd' ' -)"
        else
            fail "scenario1: the app was not restarted by Setup (Setup: '$(log_lines 'Attempting to restart' 1)' ${restart_errors:+'$restart_errors'}; new 'started v2' line within ${limit}s: $(applog_since "$since" | grep -c '^started v2'); running: $(app_pids | paste -sd' ' - ))"
        fi
        [ $failed = 0 ] || show_log_tail scenario1-upgrade
    else
        fail "scenario1: rmdemo app v1 did not start within 20s"
    fi
fi

echo "e2e-inno: scenario 2: an app that refuses to close"
if install_v1 scenario2; then
    if start_app /refuse; then
        pass "scenario2: rmdemo app v1 started with /refuse ('$(applog_since 0 | grep '^started' | tail -1)')"
        before_failed=$failed
        since=$(applog_lines)
        run_setup scenario2-upgrade 2
        note "plain upgrade: exit $setup_status; log: $logs/scenario2-upgrade.log"
        if [ $setup_status = 5 ] && log_has "Some applications could not be shut down."; then
            pass "scenario2: the plain upgrade stopped: exit 5, '$(log_lines 'Shutting down applications' 1)', '$(log_lines 'could not be shut down' 1)', '$(log_lines 'Defaulting to Abort' 1)'"
        else
            fail "scenario2: the plain upgrade should stop with exit 5 and 'Some applications could not be shut down.' (exit $setup_status; '$(log_lines 'Shutting down' 1)'; '$(log_lines 'could not be shut down' 1)')"
        fi
        version=$(installed_version)
        if [ "$version" = v1 ]; then pass "scenario2: the old files are intact (rmdemoapp.exe is still v1)"
        else fail "scenario2: rmdemoapp.exe is $version after the stopped upgrade, not v1"; fi
        if [ -n "$(app_pids)" ] && applog_since "$since" | grep -q '^query-end-session v1 .*refused'; then
            pass "scenario2: the refusing app was asked and still runs: '$(applog_since "$since" | grep '^query-end-session' | head -1)', unix pid $(app_pids | paste -sd' ' -)"
        else
            fail "scenario2: the refusing app should have been asked (WM_QUERYENDSESSION) and left running (running: $(app_pids | paste -sd' ' -); app log: '$(applog_since "$since" | head -3 | paste -sd'|' -)')"
        fi
        [ $failed = $before_failed ] || show_log_tail scenario2-upgrade 20

        since=$(applog_lines)
        run_setup scenario2-forced 2 /FORCECLOSEAPPLICATIONS
        note "forced upgrade: exit $setup_status; log: $logs/scenario2-forced.log"
        line="Shutting down applications using our files. (forced)"
        if log_has "$line"; then pass "scenario2: '$line'"
        else fail "scenario2: no '$line' (it logged: '$(log_lines 'Shutting down' 1)')"; fi
        version=$(installed_version)
        if [ $setup_status = 0 ] && ! log_has "Some applications could not be shut down." && [ "$version" = v2 ]; then
            pass "scenario2: the forced upgrade succeeded (exit 0, rmdemoapp.exe is v2)"
        else
            fail "scenario2: the forced upgrade failed (exit $setup_status, rmdemoapp.exe is $version; '$(log_lines 'could not be shut down' 1)')"
            show_log_tail scenario2-forced 20
        fi
        # Not a check: whether a terminated app comes back is RmRestart's business (informative).
        if [ $setup_status = 0 ] && wait_applog "$since" '^started' 10; then
            note "after the forced upgrade RmRestart relaunched the app: '$(applog_since "$since" | grep '^started' | tail -1)'"
        else
            note "after the forced upgrade the app was not relaunched (Setup: '$(log_lines 'restart' 2)')"
        fi
    else
        fail "scenario2: rmdemo app v1 /refuse did not start within 20s"
    fi
fi

# Baseline: scenario 1 with Wine's builtin rstrtmgr.  Informative: it is expected to fail.
echo "e2e-inno: baseline: scenario 1 with Wine's builtin rstrtmgr (informative)"
kill_apps
WINEDLLOVERRIDES=rstrtmgr=b run_setup baseline-install-v1 1
if [ $setup_status != 0 ] || [ "$(installed_version)" != v1 ]; then
    echo "baseline (Wine builtin): could not install v1 (exit $setup_status), no baseline"
elif ! start_app; then
    echo "baseline (Wine builtin): rmdemo app v1 did not start, no baseline"
else
    WINEDLLOVERRIDES=rstrtmgr=b WINEDEBUG=-all,+loaddll,fixme+rstrtmgr run_setup baseline-upgrade 2
    loaded=$(grep -i 'Loaded L".*rstrtmgr.dll"' "$logs/baseline-upgrade.stderr" | head -1 | sed -E 's/.*Loaded L"([^"]*)".*: (builtin|native)/\1 (\2)/; s/\\\\/\\/g')
    evidence="exit $setup_status, rstrtmgr: ${loaded:-not loaded}; '$(log_lines 'RestartManager found' 1)'"
    log_has "DeleteFile failed" && evidence="$evidence; '$(grep -F 'DeleteFile failed' "$setup_log" | head -1 | sed 's/^ *//')' after $(grep -c 'appears to be in use' "$setup_log") 'in use' retries"
    log_has "Rolling back changes." && evidence="$evidence; 'Rolling back changes.'"
    evidence="$evidence; installed exe: $(installed_version)"
    if [ $setup_status != 0 ] || [ "$(installed_version)" != v2 ]; then
        echo "baseline (Wine builtin): upgrade of a running app fails as expected: $evidence"
    else
        echo "baseline (Wine builtin): upgrade of a running app unexpectedly succeeded: $evidence"
    fi
fi
kill_apps

echo "e2e-inno: done in $(( $(date +%s) - t0 ))s; logs in $e2e_rel/logs"
echo "$passed passed, $failed failed"
[ $failed = 0 ]
