# Sourced by the scripts that run window programs: gives them a display.
#   . tools/xvfb.sh; start_xvfb FIRST LAST   if DISPLAY is unset, start Xvfb on the first free
#                                            display number in FIRST..LAST and export DISPLAY;
#                                            sets xvfb_pid (empty when none was started)
#   stop_xvfb                                stop the Xvfb started here, if any
# Each script uses its own range, so that scripts run from one another never race for a number.

xvfb_pid=

start_xvfb()
{
    local n i
    [ -n "${DISPLAY:-}" ] && return 0
    command -v Xvfb > /dev/null || return 1
    for n in $(seq "$1" "$2"); do
        [ -e /tmp/.X11-unix/X$n ] || [ -e /tmp/.X$n-lock ] && continue
        Xvfb :$n -screen 0 1024x768x24 -nolisten tcp -maxclients 1024 > /dev/null 2>&1 &
        xvfb_pid=$!
        DISPLAY=:$n
        export DISPLAY
        for i in $(seq 50); do [ -e /tmp/.X11-unix/X$n ] && return 0; sleep 0.1; done
        return 0
    done
    return 1
}

stop_xvfb()
{
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2> /dev/null
    xvfb_pid=
}
