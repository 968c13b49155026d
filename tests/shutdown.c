/*
 * Restart Manager shutdown tests: RmShutdown, RmRestart, RmCancelCurrentTask and what the
 * filters do to them
 *
 * Copyright 2026 The rstrtmgr authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * This library is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with this library; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin St, Fifth Floor, Boston, MA 02110-1301, USA
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <windows.h>
#include <restartmanager.h>

#include "wine/test.h"
#include "rmtest.h"
#include "rmwindow.h"

#ifndef ENDSESSION_CLOSEAPP
#define ENDSESSION_CLOSEAPP 0x00000001
#endif

/* How long a restarted application may take to start. */
#define RESTART_TIMEOUT 10000
/* How long to watch for an application that must not be started again. */
#define NO_RESTART_WAIT 1500
/* The exit code of a console child that got CTRL_C_EVENT. */
#define CTRL_C_EXIT_CODE 42
#define MAX_REPORT_LINES 8

static const WCHAR window_title[] = L"rstrtmgr shutdown test window";
/* An environment variable the window children report, to see which environment a restarted
 * instance got. */
static const WCHAR mark_name[] = L"RMTEST_SHUTDOWN_MARK";

static WCHAR self_exe[MAX_PATH];
static LONG parent_ctrl_events;

/* Counts the console control events this process gets; none may come. */
static BOOL WINAPI parent_ctrl_handler(DWORD event)
{
    InterlockedIncrement(&parent_ctrl_events);
    return TRUE;
}

/* A child process started in one of the modes of START_TEST below.  Its standard output
 * comes back through a pipe: a line "ready" once it holds what it was asked to hold, or
 * "notready <reason>" if it cannot; other lines (what it went through, its own test output)
 * are traced and kept in log. */
/* Whether the platform keeps restart registrations.  Wine 8.0 keeps none:
 * GetApplicationRestartSettings returns E_NOTIMPL there. */
static BOOL platform_keeps_registrations(void)
{
    DWORD size = 0, flags = 0;
    HRESULT hr;

    hr = GetApplicationRestartSettings(GetCurrentProcess(), NULL, &size, &flags);
    return hr != E_NOTIMPL;
}

/* ------------------------------------------------------------------ registry settings */

/* A registry value changed for a test, and what to put back. */
struct saved_value
{
    HKEY root;
    const WCHAR *path;
    const WCHAR *name;
    BOOL valid;
    BOOL existed;
    BOOL created_key;
    DWORD type;
    DWORD size;
    BYTE data[512];
};

static BOOL set_reg_value(struct saved_value *saved, HKEY root, const WCHAR *path, const WCHAR *name,
                          DWORD type, const void *data, DWORD size)
{
    DWORD disposition = 0;
    LSTATUS status;
    HKEY key;

    memset(saved, 0, sizeof(*saved));
    saved->root = root;
    saved->path = path;
    saved->name = name;
    status = RegCreateKeyExW(root, path, 0, NULL, 0, KEY_QUERY_VALUE | KEY_SET_VALUE, NULL, &key, &disposition);
    ok(!status, "RegCreateKeyExW(%s) failed, error %ld\n", wine_dbgstr_w(path), status);
    if (status) return FALSE;
    saved->created_key = disposition == REG_CREATED_NEW_KEY;
    saved->size = sizeof(saved->data);
    saved->existed = !RegQueryValueExW(key, name, NULL, &saved->type, saved->data, &saved->size);
    status = RegSetValueExW(key, name, 0, type, data, size);
    ok(!status, "RegSetValueExW(%s) failed, error %ld\n", wine_dbgstr_w(name), status);
    RegCloseKey(key);
    saved->valid = TRUE;
    return !status;
}

static BOOL set_reg_string(struct saved_value *saved, HKEY root, const WCHAR *path, const WCHAR *name,
                           const WCHAR *value)
{
    return set_reg_value(saved, root, path, name, REG_SZ, value, (wcslen(value) + 1) * sizeof(WCHAR));
}

static void restore_reg_value(struct saved_value *saved)
{
    LSTATUS status;
    HKEY key;

    if (!saved->valid) return;
    saved->valid = FALSE;
    status = RegOpenKeyExW(saved->root, saved->path, 0, KEY_SET_VALUE, &key);
    ok(!status, "RegOpenKeyExW(%s) failed, error %ld\n", wine_dbgstr_w(saved->path), status);
    if (status) return;
    if (saved->existed) status = RegSetValueExW(key, saved->name, 0, saved->type, saved->data, saved->size);
    else status = RegDeleteValueW(key, saved->name);
    ok(!status, "restoring %s failed, error %ld\n", wine_dbgstr_w(saved->name), status);
    RegCloseKey(key);
    if (saved->created_key) RegDeleteKeyW(saved->root, saved->path);
}

/* ------------------------------------------------------------------ status callbacks */

#ifdef __i386__

/* The callback as some bindings declare it: stdcall, popping its own argument. */
static void __stdcall stdcall_status_callback(UINT percent)
{
    record_status(percent);
}

#endif  /* __i386__ */

/* ------------------------------------------------------------------ children */

/* Takes in what a running child has written so far. */
static void drain_child_output(struct child *child)
{
    if (child->running) read_child_output(child, NULL, 0, 0, TRUE);
}

static BOOL wait_exit(const struct child *child, DWORD timeout)
{
    return WaitForSingleObject(child->pi.hProcess, timeout) == WAIT_OBJECT_0;
}

/* Lets the child go; its exit code is its failure count, and must be 0. */
#define let_child_go(a) let_child_go_(__FILE__, __LINE__, a)
static void let_child_go_(const char *file, int line, struct child *child)
{
    DWORD code;

    if (!child->running) return;
    code = finish_child_(file, line, child, TRUE);
    ok_(file, line)(code == 0, "child %04lx exited with %lu\n", child->pi.dwProcessId, code);
}

/* Starts "exe shutdown <mode> <quit event> <args>..." and waits until it is ready (rmtest.c),
 * in cwd or with creation flags (CREATE_NEW_CONSOLE, say); its output comes back through the
 * pipe whatever console it has. */
#define launch_child(a, b, c, d, e) launch_child_(__FILE__, __LINE__, a, b, L"shutdown", c, d, e, NULL, 0)
#define launch_child_in(a, b, c, d, e, f) launch_child_(__FILE__, __LINE__, a, b, L"shutdown", c, d, e, f, 0)
#define launch_child_flags(a, b, c, d, e, f) launch_child_(__FILE__, __LINE__, a, b, L"shutdown", c, d, e, NULL, f)

/* A window child holding file: "window" (answers TRUE and exits on WM_ENDSESSION or
 * WM_CLOSE), "refuse" (answers FALSE and ignores WM_CLOSE), "refuseonce" (refuses the first
 * WM_QUERYENDSESSION only) or "hung" (stops pumping messages once ready).  A "window" child also signals the named event started and appends a line to
 * the report file each time it starts, and registers for restart; "-" means none.
 * "sharedwindow" is a "window" child that lets others open the file too. */
static BOOL launch_window(struct child *child, const WCHAR *exe, const WCHAR *mode, const WCHAR *file,
                          const WCHAR *started, const WCHAR *report, const WCHAR *cwd)
{
    const WCHAR *args[3];

    args[0] = file;
    args[1] = started ? started : L"-";
    args[2] = report ? report : L"-";
    return launch_child_in(child, exe, mode, wcscmp(mode, L"window") && wcscmp(mode, L"sharedwindow") ? 1 : 3, args,
                           cwd);
}

/* The messages a window child reported, in the order it got them (-1: not received). */
struct child_messages
{
    int query;
    ULONG query_lparam;
    int endsession;
    ULONG end_wparam;
    ULONG end_lparam;
    int close;
    unsigned int count;
};

static void parse_messages(const struct child *child, struct child_messages *msgs)
{
    const char *p = child->log, *eol;
    ULONG wparam, lparam;
    int index = 0;

    memset(msgs, 0, sizeof(*msgs));
    msgs->query = msgs->endsession = msgs->close = -1;
    for (; (eol = strchr(p, '\n')); p = eol + 1)
    {
        if (strncmp(p, "message ", 8)) continue;
        if (sscanf(p, "message WM_QUERYENDSESSION %lx %lx", &wparam, &lparam) == 2)
        {
            if (msgs->query < 0)
            {
                msgs->query = index;
                msgs->query_lparam = lparam;
            }
        }
        else if (sscanf(p, "message WM_ENDSESSION %lx %lx", &wparam, &lparam) == 2)
        {
            if (msgs->endsession < 0)
            {
                msgs->endsession = index;
                msgs->end_wparam = wparam;
                msgs->end_lparam = lparam;
            }
        }
        else if (!strncmp(p, "message WM_CLOSE", 16))
        {
            if (msgs->close < 0) msgs->close = index;
        }
        index++;
    }
    msgs->count = index;
}

/* ------------------------------------------------------------------ restart reports */

struct report_line
{
    char mode[16];
    DWORD pid;
    char mark[64];
    WCHAR cwd[MAX_PATH];
};

/* The lines the window children appended to a report file: "<mode> <pid> <mark> <cwd>". */
static unsigned int read_report(const WCHAR *path, struct report_line *lines, unsigned int max)
{
    char data[4096], *p, *eol;
    unsigned int count = 0;
    int n;

    if (!read_text_file(path, data, sizeof(data))) return 0;
    for (p = data; count < max && (eol = strchr(p, '\n')); p = eol + 1)
    {
        struct report_line *line = &lines[count];

        *eol = 0;
        if (eol > p && eol[-1] == '\r') eol[-1] = 0;
        memset(line, 0, sizeof(*line));
        if (sscanf(p, "%15s %lu %63s %n", line->mode, &line->pid, line->mark, &n) < 3) continue;
        MultiByteToWideChar(CP_UTF8, 0, p + n, -1, line->cwd, ARRAY_SIZE(line->cwd));
        count++;
    }
    return count;
}

static BOOL is_instance_of(HANDLE process, const WCHAR *exe)
{
    WCHAR image[MAX_PATH], long_image[MAX_PATH], long_exe[MAX_PATH];
    DWORD len = ARRAY_SIZE(image);

    if (!QueryFullProcessImageNameW(process, 0, image, &len)) return FALSE;
    if (!GetLongPathNameW(image, long_image, ARRAY_SIZE(long_image))) wcscpy(long_image, image);
    if (!GetLongPathNameW(exe, long_exe, ARRAY_SIZE(long_exe))) wcscpy(long_exe, exe);
    return !wcsicmp(long_image, long_exe);
}

/* Ends the instances of exe a report lists, other than the first one: quit (an instance
 * started with the original command line waits for it), then terminate what is left. */
static void end_reported_instances(const WCHAR *report, const WCHAR *exe, DWORD original_pid, HANDLE quit)
{
    struct report_line lines[MAX_REPORT_LINES];
    unsigned int count, i;
    HANDLE process;

    if (quit) SetEvent(quit);
    count = read_report(report, lines, ARRAY_SIZE(lines));
    for (i = 0; i < count; i++)
    {
        if (lines[i].pid == original_pid) continue;
        if (!(process = OpenProcess(SYNCHRONIZE | PROCESS_TERMINATE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE,
                                    lines[i].pid)))
            continue;
        if (is_instance_of(process, exe) && WaitForSingleObject(process, EXIT_TIMEOUT) == WAIT_TIMEOUT)
        {
            trace("terminating the restarted instance %04lx\n", lines[i].pid);
            TerminateProcess(process, 1);
            WaitForSingleObject(process, 5000);
        }
        CloseHandle(process);
    }
}

/* ------------------------------------------------------------------ sessions and lists */

#define register_file(a, b) register_file_(__FILE__, __LINE__, a, b)
static BOOL register_file_(const char *file, int line, DWORD handle, const WCHAR *path)
{
    LPCWSTR files[1];
    DWORD ret;

    files[0] = path;
    ret = RmRegisterResources(handle, 1, files, 0, NULL, 0, NULL);
    ok_(file, line)(ret == ERROR_SUCCESS, "RmRegisterResources(%s): got %lu, expected 0\n", wine_dbgstr_w(path), ret);
    return !ret;
}

/* The session's entry for a process (pid and start time); FALSE if it is not listed or
 * RmGetList fails (which fails the test). */
#define get_entry(a, b, c) get_entry_(__FILE__, __LINE__, a, b, c)
static BOOL get_entry_(const char *file, int line, DWORD handle, const RM_UNIQUE_PROCESS *id, RM_PROCESS_INFO *out)
{
    RM_PROCESS_INFO *infos;
    DWORD ret, reasons;
    BOOL found = FALSE;
    UINT count, i;

    ret = get_list(handle, &infos, &count, &reasons);
    ok_(file, line)(ret == ERROR_SUCCESS, "RmGetList: got %lu, expected 0\n", ret);
    for (i = 0; i < count; i++)
    {
        trace_entry(&infos[i]);
        if (infos[i].Process.dwProcessId == id->dwProcessId
                && !memcmp(&infos[i].Process.ProcessStartTime, &id->ProcessStartTime, sizeof(FILETIME)))
        {
            if (out && !found) *out = infos[i];
            found = TRUE;
        }
    }
    ok_(file, line)(found, "process %04lx is not among the %u listed\n", id->dwProcessId, count);
    free(infos);
    return found;
}

/* ------------------------------------------------------------------ tests */

/* A window application that agrees to close: WM_QUERYENDSESSION(ENDSESSION_CLOSEAPP), then
 * WM_ENDSESSION(TRUE), and it exits; afterwards RmGetList shows it stopped. */
static void run_cooperative_window(const WCHAR *exe)
{
    FILETIME returned, created, exited, kernel, user;
    struct child_messages msgs;
    RM_PROCESS_INFO info;
    struct child child;
    WCHAR file[MAX_PATH];
    DWORD handle, ret, start, elapsed, code;

    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    if (!launch_window(&child, exe, L"window", file, NULL, NULL, NULL)) goto done;
    if (!start_session(&handle))
    {
        let_child_go(&child);
        goto done;
    }
    register_file(handle, file);
    if (get_entry(handle, &child.id, &info))
    {
        ok(info.ApplicationType == RmMainWindow || broken(is_user_app_type(info.ApplicationType)),
           "got type %d, expected %d\n", info.ApplicationType, RmMainWindow);
        ok(info.AppStatus & RmStatusRunning, "got AppStatus %#lx, expected RmStatusRunning\n", info.AppStatus);
    }

    reset_status();
    start = GetTickCount();
    ret = RmShutdown(handle, 0, status_callback);
    elapsed = GetTickCount() - start;
    ok(ret == ERROR_SUCCESS, "RmShutdown: got %lu, expected 0\n", ret);
    trace("RmShutdown took %lu ms (from %lu)\n", elapsed, start);
    check_status("RmShutdown", TRUE);

    GetSystemTimeAsFileTime(&returned);
    ok(wait_exit(&child, EXIT_TIMEOUT), "the child is still running\n");
    if (GetProcessTimes(child.pi.hProcess, &created, &exited, &kernel, &user))
        trace("the child exited %ld ms before RmShutdown returned\n",
              (LONG)((((ULONGLONG)returned.dwHighDateTime << 32 | returned.dwLowDateTime)
                      - ((ULONGLONG)exited.dwHighDateTime << 32 | exited.dwLowDateTime)) / 10000));
    code = finish_child(&child, FALSE);
    ok(code == 0, "the child exited with %lu\n", code);
    parse_messages(&child, &msgs);
    ok(msgs.query >= 0, "the child got no WM_QUERYENDSESSION\n");
    if (msgs.query >= 0)
        ok(msgs.query_lparam & ENDSESSION_CLOSEAPP, "WM_QUERYENDSESSION: got lParam %#lx, expected ENDSESSION_CLOSEAPP\n",
           msgs.query_lparam);
    ok(msgs.endsession >= 0, "the child got no WM_ENDSESSION\n");
    if (msgs.endsession >= 0)
    {
        ok(msgs.endsession > msgs.query, "WM_ENDSESSION came before WM_QUERYENDSESSION\n");
        ok(msgs.end_wparam == TRUE, "WM_ENDSESSION: got wParam %lu, expected TRUE\n", msgs.end_wparam);
        ok(msgs.end_lparam & ENDSESSION_CLOSEAPP, "WM_ENDSESSION: got lParam %#lx, expected ENDSESSION_CLOSEAPP\n",
           msgs.end_lparam);
    }
    trace("WM_CLOSE %s\n", msgs.close >= 0 ? "received" : "not received");

    if (get_entry(handle, &child.id, &info))
    {
        ok(info.AppStatus & RmStatusStopped, "got AppStatus %#lx, expected RmStatusStopped\n", info.AppStatus);
        ok(!(info.AppStatus & RmStatusRunning), "got AppStatus %#lx, expected no RmStatusRunning\n", info.AppStatus);
    }
    end_session(handle);
done:
    delete_temp_file(file);
}

static void test_cooperative_window(void)
{
    run_cooperative_window(self_exe);
}

/* A window application that refuses: the shutdown is called off (351) and it stays; forced,
 * it is terminated. */
static void test_refusing_window(void)
{
    struct child_messages msgs;
    RM_PROCESS_INFO info;
    struct child child;
    WCHAR file[MAX_PATH];
    DWORD handle, ret, start, code;

    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    if (!launch_window(&child, self_exe, L"refuse", file, NULL, NULL, NULL)) goto done;

    if (start_session(&handle))
    {
        register_file(handle, file);
        start = GetTickCount();
        ret = RmShutdown(handle, 0, NULL);
        ok(ret == ERROR_FAIL_SHUTDOWN, "RmShutdown: got %lu, expected 351\n", ret);
        trace("RmShutdown took %lu ms\n", GetTickCount() - start);
        ok(child_running(&child), "the child is gone\n");
        drain_child_output(&child);
        parse_messages(&child, &msgs);
        ok(msgs.query >= 0, "the child got no WM_QUERYENDSESSION\n");
        /* What the refusing application hears afterwards is not documented. */
        trace("WM_ENDSESSION %s (wParam %lu), WM_CLOSE %s\n", msgs.endsession >= 0 ? "received" : "not received",
              msgs.end_wparam, msgs.close >= 0 ? "received" : "not received");
        if (get_entry(handle, &child.id, &info))
            ok(info.AppStatus & RmStatusErrorOnStop, "got AppStatus %#lx, expected RmStatusErrorOnStop\n",
               info.AppStatus);

        /* Installers call RmRestart even when RmShutdown failed.  This one acted (it asked the
         * application), so RmRestart is in sequence (test_restart_after_failed_shutdown). */
        ret = RmRestart(handle, 0, NULL);
        ok(ret != ERROR_REQUEST_OUT_OF_SEQUENCE, "RmRestart after a failed RmShutdown: got 776\n");
        trace("RmRestart after a failed RmShutdown: got %lu\n", ret);
        ok(child_running(&child), "the child is gone\n");
        end_session(handle);
    }

    if (start_session(&handle))
    {
        register_file(handle, file);
        start = GetTickCount();
        ret = RmShutdown(handle, RmForceShutdown, NULL);
        ok(ret == ERROR_SUCCESS, "forced RmShutdown: got %lu, expected 0\n", ret);
        trace("forced RmShutdown took %lu ms\n", GetTickCount() - start);
        ok(wait_exit(&child, EXIT_TIMEOUT), "the child is still running\n");
        if (get_entry(handle, &child.id, &info))
        {
            ok(info.AppStatus & RmStatusStopped, "got AppStatus %#lx, expected RmStatusStopped\n", info.AppStatus);
            ok(!(info.AppStatus & RmStatusRunning), "got AppStatus %#lx, expected no RmStatusRunning\n",
               info.AppStatus);
        }
        end_session(handle);
    }
    if (wait_exit(&child, 0))
    {
        code = finish_child(&child, FALSE);
        trace("the terminated child's exit code: %lu\n", code);
    }
    else kill_child(&child);
done:
    delete_temp_file(file);
}

/* A console application gets CTRL_C_EVENT, and only it: not the caller. */
static void run_console_ctrl_c(const WCHAR *exe)
{
    RM_PROCESS_INFO info;
    struct child child;
    WCHAR file[MAX_PATH];
    DWORD handle, ret, start, code;
    LONG events_before = parent_ctrl_events;
    const WCHAR *args[1];

    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    args[0] = file;
    if (!launch_child(&child, exe, L"console", 1, args)) goto done;
    if (!start_session(&handle))
    {
        let_child_go(&child);
        goto done;
    }
    register_file(handle, file);
    if (get_entry(handle, &child.id, &info))
        ok(info.ApplicationType == RmConsole || broken(is_user_app_type(info.ApplicationType)),
           "got type %d, expected %d\n", info.ApplicationType, RmConsole);

    start = GetTickCount();
    ret = RmShutdown(handle, 0, NULL);
    ok(ret == ERROR_SUCCESS, "RmShutdown: got %lu, expected 0\n", ret);
    trace("RmShutdown took %lu ms\n", GetTickCount() - start);
    ok(wait_exit(&child, EXIT_TIMEOUT), "the child is still running\n");
    code = finish_child(&child, FALSE);
    /* A console control event arrived (P4's Windows CI closes console children with one).
     * Which one is not documented for Windows (a third-party account says CTRL_SHUTDOWN_EVENT):
     * this implementation sends CTRL_C_EVENT first, and the child exits with 42 on it, with
     * 100 + the event on any other. */
    ok(child_said(&child, "ctrl "), "the child reported no console control event\n");
    ok(code == CTRL_C_EXIT_CODE || broken(code > 100 && code <= 100 + CTRL_SHUTDOWN_EVENT),
       "the child exited with %lu, expected %u (CTRL_C_EVENT)\n", code, CTRL_C_EXIT_CODE);

    /* A handler thread would have started by now. */
    Sleep(200);
    /* Project requirement: the event goes to the application alone, never to the caller. */
    if (winetest_platform_is_wine)
        ok(parent_ctrl_events == events_before, "the caller got %ld console control events\n",
           parent_ctrl_events - events_before);

    if (get_entry(handle, &child.id, &info))
    {
        ok(info.AppStatus & RmStatusStopped, "got AppStatus %#lx, expected RmStatusStopped\n", info.AppStatus);
        ok(!(info.AppStatus & RmStatusRunning), "got AppStatus %#lx, expected no RmStatusRunning\n", info.AppStatus);
    }
    end_session(handle);
done:
    delete_temp_file(file);
}

static void test_console_ctrl_c(void)
{
    run_console_ctrl_c(self_exe);
}

/* The console control events a child reported, in order, as a string of event numbers
 * ("02" for CTRL_C_EVENT then CTRL_CLOSE_EVENT). */
static void ctrl_sequence(const struct child *child, char *events, size_t size)
{
    const char *p = child->log;
    size_t n = 0;

    while ((p = strstr(p, "ctrl ")) && n + 1 < size)
    {
        p += 5;
        if (*p >= '0' && *p <= '9') events[n++] = *p;
    }
    events[n] = 0;
}

/* The events a console child got: some event everywhere; under Wine exactly CTRL_C_EVENT then
 * CTRL_CLOSE_EVENT, this implementation's sequence (which events Windows sends is not
 * documented). */
#define check_close_sequence(a) check_close_sequence_(__FILE__, __LINE__, a)
static void check_close_sequence_(const char *file, int line, const struct child *child)
{
    char events[16];

    ctrl_sequence(child, events, sizeof(events));
    ok_(file, line)(events[0] != 0, "the child reported no console control event\n");
    if (winetest_platform_is_wine)
        ok_(file, line)(!strcmp(events, "02"), "got events %s, expected 02 (CTRL_C_EVENT, CTRL_CLOSE_EVENT)\n", events);
    else ok_(file, line)(!strcmp(events, "02") || broken(events[0] != 0), "got events %s\n", events);
}

/* Starts a console child of this program in the given mode, holding a new file (its name goes
 * to file), and a session with that file registered.  On FALSE the child is gone. */
static BOOL start_console_case(struct child *child, const WCHAR *mode, WCHAR *file, DWORD *handle)
{
    const WCHAR *args[1];

    make_temp_name(file, MAX_PATH, L".dat");
    args[0] = file;
    if (!launch_child(child, self_exe, mode, 1, args)) return FALSE;
    if (!start_session(handle))
    {
        let_child_go(child);
        return FALSE;
    }
    register_file(*handle, file);
    return TRUE;
}

/* A console application that ignores Ctrl+C but exits on CTRL_CLOSE_EVENT is closed by
 * RmShutdown(0): P4's Windows CI closes such a child (one that cannot receive Ctrl+C) with
 * RmShutdown(0).  Which events Windows sends is not documented: under Wine the exact sequence
 * of this implementation is required, CTRL_C_EVENT then CTRL_CLOSE_EVENT. */
static void test_console_close_event(void)
{
    struct saved_value saved;
    struct child child;
    WCHAR file[MAX_PATH];
    DWORD handle, ret, start, code;

    /* 4 s to exit, of which 1 s (a quarter) for Ctrl+C. */
    if (!set_reg_string(&saved, HKEY_CURRENT_USER, L"Control Panel\\Desktop", L"WaitToKillAppTimeout", L"4000"))
        return;
    memset(&child, 0, sizeof(child));
    if (!start_console_case(&child, L"closeonly", file, &handle)) goto done;

    start = GetTickCount();
    ret = RmShutdown(handle, 0, NULL);
    ok(ret == ERROR_SUCCESS, "RmShutdown: got %lu, expected 0\n", ret);
    trace("RmShutdown took %lu ms\n", GetTickCount() - start);
    ok(wait_exit(&child, EXIT_TIMEOUT), "the child is still running\n");
    code = finish_child(&child, FALSE);
    check_close_sequence(&child);
    if (winetest_platform_is_wine)
        ok(code == 100 + CTRL_CLOSE_EVENT, "the child exited with %lu, expected %u\n", code, 100 + CTRL_CLOSE_EVENT);
    end_session(handle);
done:
    kill_child(&child);
    delete_temp_file(file);
    restore_reg_value(&saved);
}

/* A console application that survives every control event stays after RmShutdown(0), which
 * returns ERROR_FAIL_SHUTDOWN (P4's Windows CI: such a child survives until cancelled);
 * RmForceShutdown terminates it. */
static void test_console_swallowing(void)
{
    struct saved_value saved;
    RM_PROCESS_INFO info;
    struct child child;
    WCHAR file[MAX_PATH];
    DWORD handle, ret, start;

    if (!set_reg_string(&saved, HKEY_CURRENT_USER, L"Control Panel\\Desktop", L"WaitToKillAppTimeout", L"2000"))
        return;
    memset(&child, 0, sizeof(child));
    if (!start_console_case(&child, L"swallow", file, &handle)) goto done;

    start = GetTickCount();
    ret = RmShutdown(handle, 0, NULL);
    ok(ret == ERROR_FAIL_SHUTDOWN, "RmShutdown: got %lu, expected 351\n", ret);
    trace("RmShutdown took %lu ms\n", GetTickCount() - start);
    ok(child_running(&child), "the child is gone\n");
    if (get_entry(handle, &child.id, &info))
        ok(info.AppStatus & RmStatusErrorOnStop, "got AppStatus %#lx, expected RmStatusErrorOnStop\n", info.AppStatus);
    drain_child_output(&child);
    check_close_sequence(&child);

    ret = RmShutdown(handle, RmForceShutdown, NULL);
    ok(ret == ERROR_SUCCESS, "forced RmShutdown: got %lu, expected 0\n", ret);
    ok(wait_exit(&child, EXIT_TIMEOUT), "the child is still running\n");
    if (get_entry(handle, &child.id, &info))
        ok(info.AppStatus & RmStatusStopped, "got AppStatus %#lx, expected RmStatusStopped\n", info.AppStatus);
    end_session(handle);
done:
    kill_child(&child);
    delete_temp_file(file);
    restore_reg_value(&saved);
}

/* A console application that disabled Ctrl+C (SetConsoleCtrlHandler(NULL, TRUE)) and has no
 * handler of its own.  On Windows that ignores Ctrl+C only: CTRL_CLOSE_EVENT reaches the
 * default handler, which ends it (P4's Windows CI closes a child that cannot receive Ctrl+C).
 * Under Wine 8.0 such a process gets no event at all (its CtrlRoutine returns before any
 * handler): it stays, RmShutdown(0) returns 351, as the README says; forced, it is
 * terminated. */
static void test_console_ignoring(void)
{
    struct saved_value saved;
    RM_PROCESS_INFO info;
    struct child child;
    WCHAR file[MAX_PATH];
    DWORD handle, ret, start, code;

    /* A short wait for the application to exit. */
    if (!set_reg_string(&saved, HKEY_CURRENT_USER, L"Control Panel\\Desktop", L"WaitToKillAppTimeout", L"2000"))
        return;
    memset(&child, 0, sizeof(child));
    if (!start_console_case(&child, L"ignorectrl", file, &handle)) goto done;

    start = GetTickCount();
    ret = RmShutdown(handle, 0, NULL);
    trace("RmShutdown took %lu ms\n", GetTickCount() - start);
    if (!winetest_platform_is_wine)
    {
        ok(ret == ERROR_SUCCESS, "RmShutdown: got %lu, expected 0\n", ret);
        ok(wait_exit(&child, EXIT_TIMEOUT), "the child is still running\n");
        end_session(handle);
        goto done;
    }
    ok(ret == ERROR_FAIL_SHUTDOWN, "RmShutdown: got %lu, expected 351\n", ret);
    ok(child_running(&child), "the child is gone\n");
    if (get_entry(handle, &child.id, &info))
        ok(info.AppStatus & RmStatusErrorOnStop, "got AppStatus %#lx, expected RmStatusErrorOnStop\n", info.AppStatus);

    /* Inno Setup calls RmShutdown again after 351, here with force. */
    start = GetTickCount();
    ret = RmShutdown(handle, RmForceShutdown, NULL);
    ok(ret == ERROR_SUCCESS, "forced RmShutdown: got %lu, expected 0\n", ret);
    trace("forced RmShutdown took %lu ms\n", GetTickCount() - start);
    ok(wait_exit(&child, EXIT_TIMEOUT), "the child is still running\n");
    if (get_entry(handle, &child.id, &info))
        ok(info.AppStatus & RmStatusStopped, "got AppStatus %#lx, expected RmStatusStopped\n", info.AppStatus);
    end_session(handle);
    code = finish_child(&child, FALSE);
    trace("the terminated child's exit code: %lu\n", code);
done:
    kill_child(&child);
    delete_temp_file(file);
    restore_reg_value(&saved);
}

/* A reboot reason (the caller itself holds a registered file): nothing is touched. */
static void test_reboot_reason(void)
{
    WCHAR self_file[MAX_PATH], file[MAX_PATH];
    struct child_messages msgs;
    RM_PROCESS_INFO *infos;
    struct child child;
    DWORD handle, ret, reasons;
    LPCWSTR files[2];
    HANDLE h;
    UINT count;

    make_temp_name(self_file, ARRAY_SIZE(self_file), L"_self.dat");
    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    h = CreateFileW(self_file, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
    ok(h != INVALID_HANDLE_VALUE, "CreateFileW failed, error %lu\n", GetLastError());
    if (h == INVALID_HANDLE_VALUE) return;
    if (!launch_window(&child, self_exe, L"window", file, NULL, NULL, NULL)) goto done;

    if (start_session(&handle))
    {
        files[0] = self_file;
        files[1] = file;
        register_and_list(handle, 2, files, &infos, &count, &reasons);
        /* RmRebootReasonDetectedSelf is documented as "the current process must be shut down". */
        ok(reasons != RmRebootReasonNone, "no reboot reason\n");
        free(infos);

        /* Project requirement: nothing is touched while the caller holds a file.  Windows reports
         * the reason (above), but what its RmShutdown then does was never seen. */
        ret = RmShutdown(handle, 0, NULL);
        if (winetest_platform_is_wine)
            ok(ret == ERROR_FAIL_NOACTION_REBOOT, "RmShutdown: got %lu, expected 350\n", ret);
        ret = RmShutdown(handle, RmForceShutdown, NULL);
        if (winetest_platform_is_wine)
            ok(ret == ERROR_FAIL_NOACTION_REBOOT, "forced RmShutdown: got %lu, expected 350\n", ret);
        if (winetest_platform_is_wine) ok(child_running(&child), "the child is gone\n");
        drain_child_output(&child);
        parse_messages(&child, &msgs);
        if (winetest_platform_is_wine) ok(!msgs.count, "the child got %u shutdown messages\n", msgs.count);
        end_session(handle);
    }
    let_child_go(&child);
done:
    CloseHandle(h);
    delete_temp_file(self_file);
    delete_temp_file(file);
}

/* RmShutdownOnlyRegistered with an application that cannot be restarted: nothing is shut down. */
static void test_only_registered(void)
{
    RM_PROCESS_INFO info;
    struct child child;
    WCHAR file[MAX_PATH];
    DWORD handle, ret;
    const WCHAR *args[1];

    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    args[0] = file;
    if (!launch_child(&child, self_exe, L"console", 1, args)) goto done;
    if (start_session(&handle))
    {
        register_file(handle, file);
        if (get_entry(handle, &child.id, &info))
            ok(!info.bRestartable, "a console application that did not register is restartable\n");
        ret = RmShutdown(handle, RmShutdownOnlyRegistered, NULL);
        /* The code is not documented (this implementation returns 351). */
        ok(ret != ERROR_SUCCESS, "RmShutdown: got 0\n");
        trace("RmShutdown(RmShutdownOnlyRegistered): got %lu\n", ret);
        ok(child_running(&child), "the child is gone\n");
        drain_child_output(&child);
        ok(!child_said(&child, "ctrl"), "the child got a control event\n");
        /* Nothing was acted on (test_restart_after_failed_shutdown). */
        ret = RmRestart(handle, 0, NULL);
        ok(ret == ERROR_REQUEST_OUT_OF_SEQUENCE || broken(ret == ERROR_SUCCESS), "RmRestart: got %lu, expected 776\n",
           ret);
        end_session(handle);
    }
    let_child_go(&child);
done:
    delete_temp_file(file);
}

/* The status callback: 0..100, never decreasing, ending at 100; on x86 a stdcall callback
 * must not unbalance the stack. */
static void test_status_callback(void)
{
    struct child child;
    WCHAR file[MAX_PATH];
    DWORD handle, ret;
    const WCHAR *args[1];

    /* Nothing affected. */
    if (start_session(&handle))
    {
        reset_status();
        ret = RmShutdown(handle, 0, status_callback);
        ok(ret == ERROR_SUCCESS, "RmShutdown: got %lu, expected 0\n", ret);
        /* Whether it is called at all when nothing is affected is not documented. */
        check_status("RmShutdown with nothing to do", FALSE);
        reset_status();
        ret = RmRestart(handle, 0, status_callback);
        ok(ret == ERROR_SUCCESS, "RmRestart: got %lu, expected 0\n", ret);
        check_status("RmRestart with nothing to do", FALSE);
        end_session(handle);
    }

    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    args[0] = file;
    if (launch_child(&child, self_exe, L"console", 1, args))
    {
        if (start_session(&handle))
        {
            register_file(handle, file);
            reset_status();
            ret = RmShutdown(handle, 0, status_callback);
            ok(ret == ERROR_SUCCESS, "RmShutdown: got %lu, expected 0\n", ret);
            check_status("RmShutdown", TRUE);
            end_session(handle);
        }
        ok(wait_exit(&child, EXIT_TIMEOUT), "the child is still running\n");
        kill_child(&child);
    }

#ifdef __i386__
    if (launch_child(&child, self_exe, L"console", 1, args))
    {
        struct stdcall_probe probe;

        if (start_session(&handle))
        {
            register_file(handle, file);
            reset_status();
            memset(&probe, 0, sizeof(probe));
            probe.func = (void *)RmShutdown;
            probe.nargs = 3;
            probe.args[0] = handle;
            probe.args[1] = 0;
            probe.args[2] = (DWORD)(RM_WRITE_STATUS_CALLBACK)stdcall_status_callback;
            probe.ret = 0xdeadbeef;
            probe.delta = 0x7fffffff;
            call_stdcall_probe(&probe);
            ok(probe.ret == ERROR_SUCCESS, "RmShutdown with a stdcall callback: got %lu, expected 0\n", probe.ret);
            /* Project requirement: the SDK declares the callback cdecl; some bindings use stdcall. */
            if (winetest_platform_is_wine)
                ok(probe.delta == 0, "RmShutdown with a stdcall callback: ESP off by %ld bytes\n", probe.delta);
            check_status("RmShutdown with a stdcall callback", TRUE);
            end_session(handle);
        }
        ok(wait_exit(&child, EXIT_TIMEOUT), "the child is still running\n");
        kill_child(&child);
    }
#endif
    delete_temp_file(file);
}

/* A window application that registered for restart is shut down and started again.  Under
 * Wine, which keeps no registrations, the project's policy makes window applications
 * restartable with the command line, directory and environment they had. */
/* The instance RmRestart started reported itself as the second line of the report file: a
 * new process, started with the registered command line ("restarted") or, where the platform
 * keeps no registrations, with the original one, in the original directory and environment. */
static void check_new_window_instance(const WCHAR *report, const WCHAR *mark, DWORD original_pid, BOOL restarted)
{
    struct report_line lines[MAX_REPORT_LINES];
    const struct report_line *line;
    WCHAR cwd[MAX_PATH];
    unsigned int nlines;
    char mark_a[64];

    nlines = read_report(report, lines, ARRAY_SIZE(lines));
    ok(nlines == 2, "got %u report lines, expected 2\n", nlines);
    if (!restarted || nlines < 2) return;
    line = &lines[nlines - 1];
    trace("new instance: mode %s, pid %04lx, mark %s, directory %s\n", line->mode, line->pid, line->mark,
          wine_dbgstr_w(line->cwd));
    ok(line->pid != original_pid, "the new instance has the old pid\n");
    if (strcmp(line->mode, "window"))
    {
        ok(!strcmp(line->mode, "restarted"), "got mode %s\n", line->mode);
        return;
    }
    /* Started again with the original command line: project policy, it also gets the original
     * directory and environment. */
    ok(!platform_keeps_registrations(), "started with the original command line, not the registered one\n");
    WideCharToMultiByte(CP_ACP, 0, mark, -1, mark_a, sizeof(mark_a), NULL, NULL);
    ok(!strcmp(line->mark, mark_a), "got environment mark %s, expected %s\n", line->mark, mark_a);
    wcscpy(cwd, line->cwd);
    if (wcslen(cwd) > 3 && cwd[wcslen(cwd) - 1] == '\\') cwd[wcslen(cwd) - 1] = 0;
    ok(!wcsicmp(cwd, temp_dir), "got directory %s, expected %s\n", wine_dbgstr_w(line->cwd), wine_dbgstr_w(temp_dir));
}

static void run_restart(const WCHAR *exe)
{
    WCHAR file[MAX_PATH], report[MAX_PATH], started_name[64], mark[64];
    struct report_line lines[MAX_REPORT_LINES];
    HANDLE started = NULL, quit = NULL;
    RM_PROCESS_INFO info;
    struct child child;
    unsigned int nlines2;
    DWORD handle = NO_SESSION, ret, start, code, original_pid = 0;
    BOOL keeps = platform_keeps_registrations(), restarted = FALSE;

    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    make_temp_name(report, ARRAY_SIZE(report), L"_report.txt");
    swprintf(started_name, ARRAY_SIZE(started_name), L"rmtest_shutdown_started_%lx_%u", GetCurrentProcessId(),
             ++name_counter);
    swprintf(mark, ARRAY_SIZE(mark), L"mark%lx_%u", GetCurrentProcessId(), name_counter);
    started = CreateEventW(NULL, TRUE, FALSE, started_name);
    ok(started != NULL, "CreateEventW failed, error %lu\n", GetLastError());
    if (!started) return;

    /* Started in another directory and with a variable this process does not have. */
    SetEnvironmentVariableW(mark_name, mark);
    ret = launch_window(&child, exe, L"window", file, started_name, report, temp_dir);
    SetEnvironmentVariableW(mark_name, NULL);
    if (!ret) goto done;
    original_pid = child.id.dwProcessId;
    ok(!WaitForSingleObject(started, 0), "the child did not signal its start\n");
    ResetEvent(started);
    /* The original command line names the quit event: keep it for a restarted instance. */
    DuplicateHandle(GetCurrentProcess(), child.quit, GetCurrentProcess(), &quit, 0, FALSE, DUPLICATE_SAME_ACCESS);

    if (!start_session(&handle))
    {
        let_child_go(&child);
        goto done;
    }
    register_file(handle, file);
    if (get_entry(handle, &child.id, &info))
    {
        /* Project policy: without registrations, window applications are restartable. */
        if (!keeps) ok(info.bRestartable, "a window application is not restartable\n");
        else trace("bRestartable %d after RegisterApplicationRestart\n", info.bRestartable);
    }

    ret = RmRestart(handle, 0, NULL);
    ok(ret == ERROR_REQUEST_OUT_OF_SEQUENCE, "RmRestart before RmShutdown: got %lu, expected 776\n", ret);

    start = GetTickCount();
    ret = RmShutdown(handle, 0, NULL);
    ok(ret == ERROR_SUCCESS, "RmShutdown: got %lu, expected 0\n", ret);
    trace("RmShutdown took %lu ms (from %lu)\n", GetTickCount() - start, start);
    ok(wait_exit(&child, EXIT_TIMEOUT), "the child is still running\n");
    code = finish_child(&child, FALSE);
    ok(code == 0, "the child exited with %lu\n", code);
    ok(child_said(&child, "message WM_QUERYENDSESSION"), "the child got no WM_QUERYENDSESSION\n");
    if (ret) goto done;

    /* Project requirement: dwRestartFlags is reserved and must be 0. */
    ret = RmRestart(handle, 1, NULL);
    ok(ret == ERROR_BAD_ARGUMENTS || broken(ret == ERROR_SUCCESS),
       "RmRestart with flags 1: got %lu, expected 160\n", ret);
    ok(WaitForSingleObject(started, 0) == WAIT_TIMEOUT || broken(ret == ERROR_SUCCESS),
       "RmRestart with flags 1 started the application\n");

    reset_status();
    start = GetTickCount();
    ret = RmRestart(handle, 0, status_callback);
    ok(ret == ERROR_SUCCESS, "RmRestart: got %lu, expected 0\n", ret);
    trace("RmRestart took %lu ms\n", GetTickCount() - start);
    check_status("RmRestart", TRUE);
    restarted = !WaitForSingleObject(started, RESTART_TIMEOUT);
    ok(restarted, "the application was not started again\n");
    trace("the new instance signalled %lu ms after RmRestart began\n", GetTickCount() - start);

    check_new_window_instance(report, mark, original_pid, restarted);

    if (get_entry(handle, &child.id, &info))
        ok(info.AppStatus & RmStatusRestarted, "got AppStatus %#lx, expected RmStatusRestarted\n", info.AppStatus);

    /* Again, with everything restarted already.  Not documented: project requirement, it
     * returns 0 (and this implementation starts nothing). */
    if (restarted)
    {
        ResetEvent(started);
        ret = RmRestart(handle, 0, NULL);
        if (winetest_platform_is_wine) ok(ret == ERROR_SUCCESS, "second RmRestart: got %lu, expected 0\n", ret);
        ret = WaitForSingleObject(started, NO_RESTART_WAIT);
        nlines2 = read_report(report, lines, ARRAY_SIZE(lines));
        trace("second RmRestart: %s, %u report lines\n", ret ? "nothing started" : "started an instance", nlines2);
    }

done:
    if (handle != NO_SESSION) end_session(handle);
    kill_child(&child);
    end_reported_instances(report, exe, original_pid, quit);
    if (quit) CloseHandle(quit);
    CloseHandle(started);
    delete_temp_file(file);
    delete_temp_file(report);
}

static void test_restart(void)
{
    run_restart(self_exe);
}

/* Whether a window application that did not register is restartable: under Wine by the
 * project's policy, which HKCU\Software\rstrtmgr\RestartWindowApps = 0 turns off. */
static void test_restart_policy(void)
{
    struct saved_value saved;
    RM_PROCESS_INFO info;
    struct child child;
    WCHAR file[MAX_PATH];
    DWORD handle, zero = 0;

    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    if (!launch_window(&child, self_exe, L"refuse", file, NULL, NULL, NULL)) goto done;
    if (start_session(&handle))
    {
        register_file(handle, file);
        if (get_entry(handle, &child.id, &info))
        {
            if (platform_keeps_registrations())
                trace("unregistered window application: bRestartable %d\n", info.bRestartable);
            else ok(info.bRestartable, "project policy: a window application is not restartable\n");
        }
        if (!platform_keeps_registrations()
                && set_reg_value(&saved, HKEY_CURRENT_USER, L"Software\\rstrtmgr", L"RestartWindowApps", REG_DWORD,
                                 &zero, sizeof(zero)))
        {
            if (get_entry(handle, &child.id, &info))
                ok(!info.bRestartable, "RestartWindowApps 0: the window application is restartable\n");
            restore_reg_value(&saved);
        }
        end_session(handle);
    }
    let_child_go(&child);
done:
    delete_temp_file(file);
}

/* What a console child wrote after its mark (the cwd field of read_report):
 * "<registered|captured> <console window> <n> <the n processes on its console>". */
struct console_report
{
    WCHAR form[16];
    ULONG window;
    DWORD count;
    DWORD pids[16];
};

static BOOL parse_console_report(const WCHAR *text, struct console_report *report)
{
    const WCHAR *space = wcschr(text, ' ');
    WCHAR *end;
    DWORD i;

    memset(report, 0, sizeof(*report));
    if (!space || (size_t)(space - text) >= ARRAY_SIZE(report->form)) return FALSE;
    memcpy(report->form, text, (space - text) * sizeof(WCHAR));
    report->window = wcstoul(space, &end, 16);
    report->count = wcstoul(end, &end, 10);
    for (i = 0; i < report->count && i < ARRAY_SIZE(report->pids); i++) report->pids[i] = wcstoul(end, &end, 10);
    return i == report->count;
}

static BOOL is_console_host(DWORD pid)
{
    WCHAR image[MAX_PATH], *base;
    DWORD len = ARRAY_SIZE(image);
    HANDLE process;
    BOOL ret = FALSE;

    if (!(process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid))) return FALSE;
    if (QueryFullProcessImageNameW(process, 0, image, &len))
    {
        base = wcsrchr(image, '\\');
        ret = !wcsicmp(base ? base + 1 : image, L"conhost.exe");
    }
    CloseHandle(process);
    return ret;
}

/* A console application in a console of its own that registered for restart: RmShutdown
 * closes it with CTRL_C_EVENT, RmRestart starts it again in a new console. */
/* Its own console: a window of its own, and nobody else on it (but a console host).  Project
 * requirement: where Windows puts a restarted console application was never seen. */
static void check_own_console(const struct console_report *console, DWORD pid)
{
    HWND own_console = GetConsoleWindow();
    BOOL found = FALSE;
    DWORD i;

    if (winetest_platform_is_wine) ok(console->window != 0, "the new instance has no console window\n");
    if (winetest_platform_is_wine)
        ok(console->window != (ULONG)(ULONG_PTR)own_console,
           "the new instance has this process's console window %#lx\n", console->window);
    for (i = 0; i < console->count && i < ARRAY_SIZE(console->pids); i++)
    {
        if (console->pids[i] == pid) found = TRUE;
        else
        {
            if (winetest_platform_is_wine)
                ok(console->pids[i] != GetCurrentProcessId(), "the new instance is on this process's console\n");
            if (winetest_platform_is_wine)
                ok(console->pids[i] == GetCurrentProcessId() || is_console_host(console->pids[i]),
                   "process %04lx is on the new instance's console\n", console->pids[i]);
        }
    }
    ok(found, "the new instance is not among the %lu processes on its console\n", console->count);
}

/* The console application RmRestart started reported itself as the second line of the
 * report file: a new process with the marker, started with the registered command line (or,
 * under Wine's policy, the captured one), alone in a console of its own. */
static void check_new_console_instance(const WCHAR *report, const char *marker_a, DWORD original_pid,
                                       BOOL restarted)
{
    struct report_line lines[MAX_REPORT_LINES];
    const struct report_line *line;
    struct console_report console;
    const WCHAR *expected_form;
    unsigned int nlines;

    nlines = read_report(report, lines, ARRAY_SIZE(lines));
    ok(nlines == 2, "got %u report lines, expected 2\n", nlines);
    if (!restarted || nlines < 2) return;
    line = &lines[nlines - 1];
    trace("first instance: %s %04lx %s %s\n", lines[0].mode, lines[0].pid, lines[0].mark,
          wine_dbgstr_w(lines[0].cwd));
    trace("new instance: %s %04lx %s %s\n", line->mode, line->pid, line->mark, wine_dbgstr_w(line->cwd));
    ok(!strcmp(line->mode, "console"), "got mode %s, expected console\n", line->mode);
    ok(line->pid != original_pid, "the new instance has the old pid\n");
    ok(!strcmp(line->mark, marker_a), "got marker %s, expected %s\n", line->mark, marker_a);
    ok(parse_console_report(line->cwd, &console), "cannot parse %s\n", wine_dbgstr_w(line->cwd));
    /* Windows starts it with the registered arguments; under Wine, the project's policy starts
     * it with the command line it had. */
    expected_form = platform_keeps_registrations() ? L"registered" : L"captured";
    ok(!wcscmp(console.form, expected_form), "started with the %s command line, expected the %s one\n",
       wine_dbgstr_w(console.form), wine_dbgstr_w(expected_form));
    check_own_console(&console, line->pid);
}

static void run_console_restart(const WCHAR *exe)
{
    WCHAR file[MAX_PATH], report[MAX_PATH], started_name[64], marker[64];
    struct saved_value saved;
    HANDLE started = NULL, quit = NULL;
    RM_PROCESS_INFO info;
    struct child child;
    const WCHAR *args[4];
    char marker_a[64];
    DWORD handle = NO_SESSION, ret, code, one = 1, original_pid = 0;
    BOOL keeps = platform_keeps_registrations(), restarted;

    memset(&saved, 0, sizeof(saved));
    memset(&child, 0, sizeof(child));
    /* Project requirement, not Windows behaviour: Wine keeps no restart registrations, and the
     * project restarts console applications that did not register only when
     * HKCU\Software\rstrtmgr\RestartConsoleApps is 1 (it is off by default). */
    if (!keeps && !set_reg_value(&saved, HKEY_CURRENT_USER, L"Software\\rstrtmgr", L"RestartConsoleApps", REG_DWORD,
                                 &one, sizeof(one)))
        return;

    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    make_temp_name(report, ARRAY_SIZE(report), L"_report.txt");
    swprintf(started_name, ARRAY_SIZE(started_name), L"rmtest_shutdown_started_%lx_%u", GetCurrentProcessId(),
             ++name_counter);
    swprintf(marker, ARRAY_SIZE(marker), L"conmark%lx_%u", GetCurrentProcessId(), name_counter);
    WideCharToMultiByte(CP_ACP, 0, marker, -1, marker_a, sizeof(marker_a), NULL, NULL);
    started = CreateEventW(NULL, TRUE, FALSE, started_name);
    ok(started != NULL, "CreateEventW failed, error %lu\n", GetLastError());
    if (!started) goto done;

    /* In a console of its own, so that no control event can reach this process. */
    args[0] = file;
    args[1] = started_name;
    args[2] = report;
    args[3] = marker;
    if (!launch_child_flags(&child, exe, L"conrestart", 4, args, CREATE_NEW_CONSOLE)) goto done;
    original_pid = child.id.dwProcessId;
    ok(!WaitForSingleObject(started, 0), "the child did not signal its start\n");
    ResetEvent(started);
    /* The command lines name the quit event: keep it for the instance started again. */
    DuplicateHandle(GetCurrentProcess(), child.quit, GetCurrentProcess(), &quit, 0, FALSE, DUPLICATE_SAME_ACCESS);

    if (!start_session(&handle)) goto done;
    register_file(handle, file);
    if (get_entry(handle, &child.id, &info))
    {
        ok(info.ApplicationType == RmConsole || broken(is_user_app_type(info.ApplicationType)),
           "got type %d, expected %d\n", info.ApplicationType, RmConsole);
        ok(info.bRestartable, "got bRestartable %d, expected TRUE\n", info.bRestartable);
    }

    ret = RmShutdown(handle, 0, NULL);
    ok(ret == ERROR_SUCCESS, "RmShutdown: got %lu, expected 0\n", ret);
    ok(wait_exit(&child, EXIT_TIMEOUT), "the child is still running\n");
    code = finish_child(&child, FALSE);
    /* As in run_console_ctrl_c: an event arrived; CTRL_C_EVENT (exit code 42) here. */
    ok(child_said(&child, "ctrl "), "the child reported no console control event\n");
    ok(code == CTRL_C_EXIT_CODE || broken(code > 100 && code <= 100 + CTRL_SHUTDOWN_EVENT),
       "the child exited with %lu, expected %u (CTRL_C_EVENT)\n", code, CTRL_C_EXIT_CODE);
    if (get_entry(handle, &child.id, &info))
        ok(info.AppStatus & RmStatusStopped, "got AppStatus %#lx, expected RmStatusStopped\n", info.AppStatus);
    if (ret) goto done;

    reset_status();
    ret = RmRestart(handle, 0, status_callback);
    ok(ret == ERROR_SUCCESS, "RmRestart: got %lu, expected 0\n", ret);
    check_status("RmRestart", TRUE);
    restarted = !WaitForSingleObject(started, RESTART_TIMEOUT);
    ok(restarted, "the console application was not started again\n");

    check_new_console_instance(report, marker_a, original_pid, restarted);
    if (get_entry(handle, &child.id, &info))
        ok(info.AppStatus & RmStatusRestarted, "got AppStatus %#lx, expected RmStatusRestarted\n", info.AppStatus);

done:
    if (handle != NO_SESSION) end_session(handle);
    kill_child(&child);
    end_reported_instances(report, exe, original_pid, quit);
    if (quit) CloseHandle(quit);
    if (started) CloseHandle(started);
    delete_temp_file(file);
    delete_temp_file(report);
    restore_reg_value(&saved);
}

static void test_console_restart(void)
{
    run_console_restart(self_exe);
}

/* The applications of test_multi_app, in the order they are started: window and console
 * applications mixed. */
static const BOOL multi_is_window[] = { TRUE, FALSE, TRUE, FALSE, TRUE };
#define MULTI_APPS ARRAY_SIZE(multi_is_window)

enum multi_stage
{
    MULTI_RUNNING,
    MULTI_STOPPED,
    MULTI_RESTARTED,
};

/* Each application is listed once, with its type and the status of the stage. */
static void check_multi_list(DWORD handle, const struct child *apps, enum multi_stage stage)
{
    const RM_PROCESS_INFO *entry;
    RM_PROCESS_INFO *infos;
    DWORD ret, reasons;
    unsigned int k, found;
    UINT count, i, j;

    ret = get_list(handle, &infos, &count, &reasons);
    ok(ret == ERROR_SUCCESS, "RmGetList: got %lu, expected 0\n", ret);
    ok(reasons == RmRebootReasonNone, "got reboot reasons %#lx, expected 0\n", reasons);
    for (i = 0; i < count; i++)
    {
        trace_entry(&infos[i]);
        for (j = 0; j < i; j++)
            ok(memcmp(&infos[i].Process, &infos[j].Process, sizeof(infos[i].Process)),
               "process %04lx is listed twice (entries %u and %u)\n", infos[i].Process.dwProcessId, j, i);
    }
    /* Once restarted under Wine, the window applications hold the file again, as new processes. */
    if (stage != MULTI_RESTARTED)
        ok(count == MULTI_APPS, "got %u entries, expected %u\n", count, (unsigned int)MULTI_APPS);

    for (k = 0; k < MULTI_APPS; k++)
    {
        RM_APP_TYPE type = multi_is_window[k] ? RmMainWindow : RmConsole;

        winetest_push_context("%s %04lx", multi_is_window[k] ? "window" : "console", apps[k].id.dwProcessId);
        entry = NULL;
        found = 0;
        for (i = 0; i < count; i++)
        {
            if (memcmp(&infos[i].Process, &apps[k].id, sizeof(apps[k].id))) continue;
            entry = &infos[i];
            found++;
        }
        ok(found == 1, "listed %u times, expected once\n", found);
        if (entry)
        {
            ok(entry->ApplicationType == type || broken(is_user_app_type(entry->ApplicationType)),
               "got type %d, expected %d\n", entry->ApplicationType, type);
            switch (stage)
            {
            case MULTI_RUNNING:
                ok(entry->AppStatus == RmStatusRunning, "got AppStatus %#lx, expected %#x\n", entry->AppStatus,
                   RmStatusRunning);
                /* Windows: the window applications registered for restart; Wine: the
                 * project's policy for window applications.  The console ones did neither. */
                ok(entry->bRestartable == multi_is_window[k], "got bRestartable %d, expected %d\n",
                   entry->bRestartable, multi_is_window[k]);
                break;
            case MULTI_STOPPED:
                ok(entry->AppStatus & RmStatusStopped, "got AppStatus %#lx, expected RmStatusStopped\n",
                   entry->AppStatus);
                ok(!(entry->AppStatus & (RmStatusRunning | RmStatusErrorOnStop | RmStatusRestarted)),
                   "got AppStatus %#lx, expected no RmStatusRunning, RmStatusErrorOnStop or RmStatusRestarted\n",
                   entry->AppStatus);
                break;
            case MULTI_RESTARTED:
                if (multi_is_window[k])
                {
                    ok(entry->AppStatus & RmStatusRestarted, "got AppStatus %#lx, expected RmStatusRestarted\n",
                       entry->AppStatus);
                    ok(!(entry->AppStatus & RmStatusErrorOnRestart),
                       "got AppStatus %#lx, expected no RmStatusErrorOnRestart\n", entry->AppStatus);
                }
                else
                {
                    ok(entry->AppStatus & RmStatusStopped, "got AppStatus %#lx, expected RmStatusStopped\n",
                       entry->AppStatus);
                    ok(!(entry->AppStatus & (RmStatusRestarted | RmStatusErrorOnRestart)),
                       "got AppStatus %#lx, expected no RmStatusRestarted or RmStatusErrorOnRestart\n",
                       entry->AppStatus);
                }
                break;
            }
        }
        winetest_pop_context();
    }
    free(infos);
}

/* Several applications at once, window and console ones holding the same file: each is
 * closed, listed once with its own status, and the window applications are started again. */
/* The applications of test_multi_app, all holding the file: window ones that report their
 * starts (their quit events are kept for the instances started again), console ones. */
static BOOL launch_multi_apps(struct child *apps, const WCHAR *file, WCHAR started_names[][64],
                              WCHAR reports[][MAX_PATH], HANDLE *started, HANDLE *quits)
{
    const WCHAR *args[1] = { file };
    unsigned int k;

    for (k = 0; k < MULTI_APPS; k++)
    {
        if (!multi_is_window[k])
        {
            if (!launch_child(&apps[k], self_exe, L"sharedconsole", 1, args)) return FALSE;
            continue;
        }
        if (!launch_window(&apps[k], self_exe, L"sharedwindow", file, started_names[k], reports[k], NULL)) return FALSE;
        ResetEvent(started[k]);
        DuplicateHandle(GetCurrentProcess(), apps[k].quit, GetCurrentProcess(), &quits[k], 0, FALSE,
                        DUPLICATE_SAME_ACCESS);
    }
    return TRUE;
}

static void test_multi_app(void)
{
    WCHAR file[MAX_PATH], reports[MULTI_APPS][MAX_PATH], started_names[MULTI_APPS][64];
    HANDLE started[MULTI_APPS], quits[MULTI_APPS], waits[MULTI_APPS];
    struct report_line lines[MAX_REPORT_LINES];
    DWORD new_pids[MULTI_APPS];
    struct child apps[MULTI_APPS];
    unsigned int k, m, nwindows = 0, nlines;
    DWORD handle = NO_SESSION, ret, code;

    memset(apps, 0, sizeof(apps));
    memset(started, 0, sizeof(started));
    memset(quits, 0, sizeof(quits));
    memset(new_pids, 0, sizeof(new_pids));
    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    for (k = 0; k < MULTI_APPS; k++)
    {
        make_temp_name(reports[k], ARRAY_SIZE(reports[k]), L"_report.txt");
        if (!multi_is_window[k]) continue;
        swprintf(started_names[k], ARRAY_SIZE(started_names[k]), L"rmtest_shutdown_started_%lx_%u",
                 GetCurrentProcessId(), ++name_counter);
        started[k] = CreateEventW(NULL, TRUE, FALSE, started_names[k]);
        ok(started[k] != NULL, "CreateEventW failed, error %lu\n", GetLastError());
        if (!started[k]) goto done;
        waits[nwindows++] = started[k];
    }

    if (!launch_multi_apps(apps, file, started_names, reports, started, quits)) goto done;

    if (!start_session(&handle)) goto done;
    register_file(handle, file);
    check_multi_list(handle, apps, MULTI_RUNNING);

    reset_status();
    ret = RmShutdown(handle, 0, status_callback);
    ok(ret == ERROR_SUCCESS, "RmShutdown: got %lu, expected 0\n", ret);
    check_status("RmShutdown", TRUE);
    for (k = 0; k < MULTI_APPS; k++)
    {
        winetest_push_context("%s %04lx", multi_is_window[k] ? "window" : "console", apps[k].id.dwProcessId);
        ok(wait_exit(&apps[k], EXIT_TIMEOUT), "the child is still running\n");
        code = finish_child(&apps[k], FALSE);
        if (multi_is_window[k]) ok(code == 0, "the child exited with %lu, expected 0\n", code);
        else ok(code == CTRL_C_EXIT_CODE || broken(code > 100 && code <= 100 + CTRL_SHUTDOWN_EVENT),
                "the child exited with %lu, expected %u (CTRL_C_EVENT)\n", code, CTRL_C_EXIT_CODE);
        winetest_pop_context();
    }
    check_multi_list(handle, apps, MULTI_STOPPED);
    if (ret) goto done;

    reset_status();
    ret = RmRestart(handle, 0, status_callback);
    ok(ret == ERROR_SUCCESS, "RmRestart: got %lu, expected 0\n", ret);
    check_status("RmRestart", TRUE);
    ret = WaitForMultipleObjects(nwindows, waits, TRUE, RESTART_TIMEOUT);
    ok(ret < WAIT_OBJECT_0 + nwindows, "not every window application was started again: got %lu\n", ret);
    for (k = 0; k < MULTI_APPS; k++)
    {
        if (!multi_is_window[k]) continue;
        winetest_push_context("window %04lx", apps[k].id.dwProcessId);
        nlines = read_report(reports[k], lines, ARRAY_SIZE(lines));
        ok(nlines == 2, "got %u report lines, expected 2\n", nlines);
        if (nlines >= 2)
        {
            new_pids[k] = lines[nlines - 1].pid;
            ok(new_pids[k] != apps[k].id.dwProcessId, "the new instance has the old pid\n");
            for (m = 0; m < k; m++)
                ok(new_pids[k] != new_pids[m], "the new instances of windows %u and %u have the same pid %04lx\n", m,
                   k, new_pids[k]);
        }
        winetest_pop_context();
    }
    check_multi_list(handle, apps, MULTI_RESTARTED);

done:
    if (handle != NO_SESSION) end_session(handle);
    for (k = 0; k < MULTI_APPS; k++)
    {
        kill_child(&apps[k]);
        if (quits[k]) SetEvent(quits[k]);
    }
    for (k = 0; k < MULTI_APPS; k++)
    {
        if (multi_is_window[k]) end_reported_instances(reports[k], self_exe, apps[k].id.dwProcessId, NULL);
        if (quits[k]) CloseHandle(quits[k]);
        if (started[k]) CloseHandle(started[k]);
        delete_temp_file(reports[k]);
    }
    delete_temp_file(file);
}

/* Walks an RmGetFilterList buffer; returns the number of records, or -1 if the chain leaves
 * the buffer. */
static int walk_filters(const BYTE *buffer, DWORD size, const WCHAR *path, const RM_UNIQUE_PROCESS *process,
                        const WCHAR *service, RM_FILTER_ACTION *file_action, unsigned int *file_records)
{
    DWORD offset = 0;
    int count = 0;

    *file_records = 0;
    *file_action = RmInvalidFilterAction;
    for (;;)
    {
        const RM_FILTER_INFO *info = (const RM_FILTER_INFO *)(buffer + offset);

        if (offset + sizeof(*info) > size || count > 16) return -1;
        count++;
        trace("record at %lu: action %d, trigger %d, next %lu\n", offset, info->FilterAction, info->FilterTrigger,
              info->cbNextOffset);
        switch (info->FilterTrigger)
        {
        case RmFilterTriggerFile:
            ok((const BYTE *)info->strFilename >= buffer && (const BYTE *)info->strFilename < buffer + size,
               "strFilename %p is outside the buffer %p, size %lu\n", info->strFilename, buffer, size);
            if ((const BYTE *)info->strFilename >= buffer && (const BYTE *)info->strFilename < buffer + size)
            {
                ok(!wcsicmp(info->strFilename, path), "got file %s, expected %s\n", wine_dbgstr_w(info->strFilename),
                   wine_dbgstr_w(path));
                (*file_records)++;
                *file_action = info->FilterAction;
            }
            break;
        case RmFilterTriggerProcess:
            ok(!memcmp(&info->Process, process, sizeof(*process)), "got process %04lx, expected %04lx\n",
               info->Process.dwProcessId, process->dwProcessId);
            ok(info->FilterAction == RmNoRestart, "process filter: got action %d\n", info->FilterAction);
            break;
        case RmFilterTriggerService:
            ok((const BYTE *)info->strServiceShortName >= buffer
               && (const BYTE *)info->strServiceShortName < buffer + size,
               "strServiceShortName %p is outside the buffer %p, size %lu\n", info->strServiceShortName, buffer, size);
            if ((const BYTE *)info->strServiceShortName >= buffer && (const BYTE *)info->strServiceShortName < buffer + size)
                ok(!wcsicmp(info->strServiceShortName, service), "got service %s, expected %s\n",
                   wine_dbgstr_w(info->strServiceShortName), wine_dbgstr_w(service));
            ok(info->FilterAction == RmNoShutdown, "service filter: got action %d\n", info->FilterAction);
            break;
        default:
            ok(0, "got trigger %d\n", info->FilterTrigger);
            break;
        }
        if (!info->cbNextOffset) break;
        offset += info->cbNextOffset;
    }
    return count;
}

/* RmNoShutdown by executable path: the application stays, masked. */
static void test_filter_no_shutdown(void)
{
    WCHAR dir[MAX_PATH], copy[MAX_PATH], file[MAX_PATH];
    RM_PROCESS_INFO info;
    struct child child;
    const WCHAR *args[1];
    DWORD handle, ret;

    if (!copy_executable(self_exe, dir, copy)) return;
    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    args[0] = file;
    if (!launch_child(&child, copy, L"console", 1, args)) goto done;
    if (start_session(&handle))
    {
        register_file(handle, file);
        ret = RmAddFilter(handle, copy, NULL, NULL, RmNoShutdown);
        ok(ret == ERROR_SUCCESS, "RmAddFilter: got %lu, expected 0\n", ret);
        if (get_entry(handle, &child.id, &info))
            ok(info.AppStatus & RmStatusShutdownMasked, "got AppStatus %#lx, expected RmStatusShutdownMasked\n",
               info.AppStatus);
        ret = RmShutdown(handle, RmForceShutdown, NULL);
        ok(ret == ERROR_SUCCESS, "RmShutdown: got %lu, expected 0\n", ret);
        ok(child_running(&child), "the child is gone\n");
        drain_child_output(&child);
        ok(!child_said(&child, "ctrl"), "the child got a control event\n");
        if (get_entry(handle, &child.id, &info))
        {
            ok(info.AppStatus & RmStatusShutdownMasked, "got AppStatus %#lx, expected RmStatusShutdownMasked\n",
               info.AppStatus);
            ok(!(info.AppStatus & RmStatusStopped), "got AppStatus %#lx, expected no RmStatusStopped\n", info.AppStatus);
        }
        end_session(handle);
    }
    let_child_go(&child);
done:
    delete_temp_file(file);
    delete_executable_copy(dir, copy);
}

/* RmNoRestart by process: shut down, not started again, masked. */
static void test_filter_no_restart(void)
{
    WCHAR file[MAX_PATH], report[MAX_PATH], started_name[64];
    HANDLE started, quit = NULL;
    RM_PROCESS_INFO info;
    struct child child;
    DWORD handle = NO_SESSION, ret, original_pid = 0;

    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    make_temp_name(report, ARRAY_SIZE(report), L"_report.txt");
    swprintf(started_name, ARRAY_SIZE(started_name), L"rmtest_shutdown_started_%lx_%u", GetCurrentProcessId(),
             ++name_counter);
    started = CreateEventW(NULL, TRUE, FALSE, started_name);
    ok(started != NULL, "CreateEventW failed, error %lu\n", GetLastError());
    if (!started) return;
    if (!launch_window(&child, self_exe, L"window", file, started_name, report, NULL)) goto done;
    original_pid = child.id.dwProcessId;
    ResetEvent(started);
    DuplicateHandle(GetCurrentProcess(), child.quit, GetCurrentProcess(), &quit, 0, FALSE, DUPLICATE_SAME_ACCESS);

    if (!start_session(&handle)) goto done;
    register_file(handle, file);
    ret = RmAddFilter(handle, NULL, &child.id, NULL, RmNoRestart);
    ok(ret == ERROR_SUCCESS, "RmAddFilter: got %lu, expected 0\n", ret);
    if (get_entry(handle, &child.id, &info))
        ok(info.AppStatus & RmStatusRestartMasked, "got AppStatus %#lx, expected RmStatusRestartMasked\n",
           info.AppStatus);
    ret = RmShutdown(handle, 0, NULL);
    ok(ret == ERROR_SUCCESS, "RmShutdown: got %lu, expected 0\n", ret);
    ok(wait_exit(&child, EXIT_TIMEOUT), "the child is still running\n");
    ret = RmRestart(handle, 0, NULL);
    ok(ret == ERROR_SUCCESS, "RmRestart: got %lu, expected 0\n", ret);
    ok(WaitForSingleObject(started, NO_RESTART_WAIT) == WAIT_TIMEOUT, "the filtered application was started again\n");
    if (get_entry(handle, &child.id, &info))
    {
        ok(info.AppStatus & RmStatusRestartMasked, "got AppStatus %#lx, expected RmStatusRestartMasked\n",
           info.AppStatus);
        ok(info.AppStatus & RmStatusStopped, "got AppStatus %#lx, expected RmStatusStopped\n", info.AppStatus);
        ok(!(info.AppStatus & RmStatusRestarted), "got AppStatus %#lx, expected no RmStatusRestarted\n",
           info.AppStatus);
    }
done:
    if (handle != NO_SESSION) end_session(handle);
    kill_child(&child);
    end_reported_instances(report, self_exe, original_pid, quit);
    if (quit) CloseHandle(quit);
    CloseHandle(started);
    delete_temp_file(file);
    delete_temp_file(report);
}

/* The latest filter for a target wins, and the layout of RmGetFilterList's buffer. */
static void test_filter_list(void)
{
    static const WCHAR path[] = L"C:\\rmtest\\filtered.exe";
    static const WCHAR service[] = L"rmtest_filtered_service";
    RM_FILTER_ACTION file_action;
    RM_UNIQUE_PROCESS process;
    unsigned int file_records;
    DWORD handle, ret, needed, needed2;
    BYTE *buffer;
    int count;

    get_process_id(GetCurrentProcess(), &process);
    if (!start_session(&handle)) return;
    ret = RmAddFilter(handle, path, NULL, NULL, RmNoShutdown);
    ok(ret == ERROR_SUCCESS, "RmAddFilter(RmNoShutdown): got %lu, expected 0\n", ret);
    ret = RmAddFilter(handle, NULL, &process, NULL, RmNoRestart);
    ok(ret == ERROR_SUCCESS, "RmAddFilter(process): got %lu, expected 0\n", ret);
    ret = RmAddFilter(handle, path, NULL, NULL, RmNoRestart);
    ok(ret == ERROR_SUCCESS, "RmAddFilter(RmNoRestart): got %lu, expected 0\n", ret);
    ret = RmAddFilter(handle, NULL, NULL, service, RmNoShutdown);
    ok(ret == ERROR_SUCCESS, "RmAddFilter(service): got %lu, expected 0\n", ret);

    needed = SENTINEL;
    ret = RmGetFilterList(handle, NULL, 0, &needed);
    ok(ret == ERROR_MORE_DATA, "RmGetFilterList: got %lu, expected 234\n", ret);
    ok(needed != SENTINEL && needed >= 3 * sizeof(RM_FILTER_INFO), "got needed %lu\n", needed);
    if (ret == ERROR_MORE_DATA && needed != SENTINEL && needed < 65536 && (buffer = malloc(needed + 64)))
    {
        memset(buffer, 0xcc, needed + 64);
        needed2 = SENTINEL;
        ret = RmGetFilterList(handle, buffer, needed, &needed2);
        ok(ret == ERROR_SUCCESS, "RmGetFilterList: got %lu, expected 0\n", ret);
        ok(needed2 == needed, "got needed %lu, expected %lu\n", needed2, needed);
        if (!ret)
        {
            count = walk_filters(buffer, needed, path, &process, service, &file_action, &file_records);
            ok(count == 3, "got %d records, expected 3\n", count);
            ok(file_records == 1, "got %u records for the file, expected 1\n", file_records);
            ok(file_action == RmNoRestart, "file filter: got action %d, expected %d (the latest)\n", file_action,
               RmNoRestart);
        }
        free(buffer);
    }

    ret = RmRemoveFilter(handle, path, NULL, NULL);
    ok(ret == ERROR_SUCCESS, "RmRemoveFilter: got %lu, expected 0\n", ret);
    ret = RmRemoveFilter(handle, path, NULL, NULL);
    ok(ret == ERROR_FILE_NOT_FOUND, "second RmRemoveFilter: got %lu, expected 2\n", ret);
    end_session(handle);
}

struct shutdown_thread_params
{
    DWORD handle;
    DWORD ret;
    DWORD end;
};

static DWORD WINAPI shutdown_thread(void *arg)
{
    struct shutdown_thread_params *params = arg;

    params->ret = RmShutdown(params->handle, 0, NULL);
    params->end = GetTickCount();
    return 0;
}

/* RmCancelCurrentTask ends an RmShutdown that waits for a hung application. */
static void test_cancel(void)
{
    struct shutdown_thread_params params;
    struct saved_value saved;
    struct child child;
    WCHAR file[MAX_PATH];
    RM_PROCESS_INFO *infos;
    DWORD handle, ret, cancel, reasons;
    HANDLE thread;
    UINT count;

    /* The hung window would hold RmShutdown for 10 s. */
    if (!set_reg_string(&saved, HKEY_CURRENT_USER, L"Control Panel\\Desktop", L"HungAppTimeout", L"10000")) return;
    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    if (!launch_window(&child, self_exe, L"hung", file, NULL, NULL, NULL)) goto done;
    if (!start_session(&handle))
    {
        kill_child(&child);
        goto done;
    }
    register_file(handle, file);

    params.handle = handle;
    params.ret = SENTINEL;
    params.end = 0;
    thread = CreateThread(NULL, 0, shutdown_thread, &params, 0, NULL);
    ok(thread != NULL, "CreateThread failed, error %lu\n", GetLastError());
    if (thread)
    {
        Sleep(300);
        ok(WaitForSingleObject(thread, 0) == WAIT_TIMEOUT, "RmShutdown returned %lu before the cancel\n", params.ret);
        cancel = GetTickCount();
        ret = RmCancelCurrentTask(handle);
        ok(ret == ERROR_SUCCESS, "RmCancelCurrentTask: got %lu, expected 0\n", ret);
        ret = WaitForSingleObject(thread, 20000);
        ok(!ret, "RmShutdown did not return\n");
        ok(params.ret == ERROR_CANCELLED, "RmShutdown: got %lu, expected 1223\n", params.ret);
        if (!ret)
        {
            /* Project requirement: waits end at once (Windows documents only that cancelling
             * depends on how far the operation has got). */
            if (winetest_platform_is_wine)
                ok(params.end - cancel < 1000, "RmShutdown returned %lu ms after the cancel\n", params.end - cancel);
            trace("RmShutdown returned %lu ms after the cancel\n", params.end - cancel);
        }
        else TerminateThread(thread, 1);
        CloseHandle(thread);
    }
    ok(child_running(&child), "the hung child is gone\n");
    kill_child(&child);

    /* A new task after the cancel: not documented. */
    ret = get_list(handle, &infos, &count, &reasons);
    trace("RmGetList after the cancel: got %lu, %u entries\n", ret, count);
    free(infos);
    end_session(handle);
done:
    delete_temp_file(file);
    restore_reg_value(&saved);
}

/* Only the primary may shut down and restart. */
static void test_secondary(void)
{
    WCHAR key[KEY_BUFFER];
    DWORD handle, handle2, ret;

    if (!start_session_key(&handle, key)) return;
    handle2 = NO_SESSION;
    ret = RmJoinSession(&handle2, key);
    ok(ret == ERROR_SUCCESS, "RmJoinSession: got %lu, expected 0\n", ret);
    if (!ret)
    {
        /* Project requirement: documented as primary-only; the code is not. */
        ret = RmShutdown(handle2, 0, NULL);
        ok(ret == ERROR_SESSION_CREDENTIAL_CONFLICT || broken(ret != ERROR_SUCCESS),
           "secondary RmShutdown: got %lu, expected 1219\n", ret);
        ret = RmRestart(handle2, 0, NULL);
        ok(ret == ERROR_SESSION_CREDENTIAL_CONFLICT || broken(ret != ERROR_SUCCESS),
           "secondary RmRestart: got %lu, expected 1219\n", ret);
        end_session(handle2);
    }
    /* The secondary's calls did not count as the primary's RmShutdown. */
    ret = RmRestart(handle, 0, NULL);
    ok(ret == ERROR_REQUEST_OUT_OF_SEQUENCE, "primary RmRestart: got %lu, expected 776\n", ret);
    end_session(handle);
}

/* A 32-bit caller closes and restarts 64-bit applications, and the reverse. */
static void test_other_arch(void)
{
    WCHAR exe[MAX_PATH];

    if (!find_other_arch_exe(L"shutdown.exe", exe, ARRAY_SIZE(exe)))
    {
        skip("other architecture not available\n");
        return;
    }
    winetest_push_context("other arch window");
    run_restart(exe);
    winetest_pop_context();

    winetest_push_context("other arch console");
    run_console_ctrl_c(exe);
    winetest_pop_context();

    winetest_push_context("other arch console restart");
    run_console_restart(exe);
    winetest_pop_context();
}

/* ------------------------------------------------------------------ several calls */

/* How a filter-sequence test protects its application from RmShutdown. */
enum protection
{
    PROTECT_PROCESS,    /* an RM_UNIQUE_PROCESS filter */
    PROTECT_IMAGE,      /* a filter on the application's executable */
};

static DWORD set_protection(DWORD handle, enum protection kind, const WCHAR *image, const RM_UNIQUE_PROCESS *id,
                            BOOL add)
{
    RM_UNIQUE_PROCESS process = *id;

    if (kind == PROTECT_IMAGE)
        return add ? RmAddFilter(handle, image, NULL, NULL, RmNoShutdown) : RmRemoveFilter(handle, image, NULL, NULL);
    return add ? RmAddFilter(handle, NULL, &process, NULL, RmNoShutdown) : RmRemoveFilter(handle, NULL, &process, NULL);
}

/* RmShutdown acts on the filters as they are now (issue 13 item 4): an application an earlier
 * RmShutdown of the session left alone because a RmNoShutdown filter protected it is closed
 * by the next one once RmRemoveFilter took the filter away; RmGetList no longer shows it
 * masked.  Microsoft documents filters as changing what RmShutdown does and RmRemoveFilter as
 * taking one away; nothing documents a call remembering an earlier call's filters. */
static void run_filter_removed(enum protection kind)
{
    WCHAR dir[MAX_PATH], copy[MAX_PATH], file[MAX_PATH];
    RM_PROCESS_INFO info;
    struct child child;
    const WCHAR *args[1];
    DWORD handle, ret;

    if (!copy_executable(self_exe, dir, copy)) return;
    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    args[0] = file;
    if (!launch_child(&child, copy, L"console", 1, args)) goto done;
    if (!start_session(&handle))
    {
        let_child_go(&child);
        goto done;
    }
    register_file(handle, file);
    ret = set_protection(handle, kind, copy, &child.id, TRUE);
    ok(ret == ERROR_SUCCESS, "RmAddFilter: got %lu, expected 0\n", ret);
    ret = RmShutdown(handle, 0, NULL);
    ok(ret == ERROR_SUCCESS, "RmShutdown with the filter: got %lu, expected 0\n", ret);
    ok(child_running(&child), "the protected child is gone\n");

    ret = set_protection(handle, kind, copy, &child.id, FALSE);
    ok(ret == ERROR_SUCCESS, "RmRemoveFilter: got %lu, expected 0\n", ret);
    if (get_entry(handle, &child.id, &info))
        ok(!(info.AppStatus & RmStatusShutdownMasked), "after RmRemoveFilter: got AppStatus %#lx, expected no "
           "RmStatusShutdownMasked\n", info.AppStatus);
    ret = RmShutdown(handle, 0, NULL);
    ok(ret == ERROR_SUCCESS, "RmShutdown without the filter: got %lu, expected 0\n", ret);
    ok(wait_exit(&child, EXIT_TIMEOUT), "the child is still running after the filter was removed\n");
    if (get_entry(handle, &child.id, &info))
        ok(info.AppStatus & RmStatusStopped, "got AppStatus %#lx, expected RmStatusStopped\n", info.AppStatus);
    end_session(handle);
    kill_child(&child);
done:
    delete_temp_file(file);
    delete_executable_copy(dir, copy);
}

static void test_filter_removed(void)
{
    run_filter_removed(PROTECT_PROCESS);
    run_filter_removed(PROTECT_IMAGE);
}

/* Four RmShutdown calls of one session on an application that survives every request, with a
 * filter added and removed in between: unprotected it makes RmShutdown fail (351) every time,
 * whatever an earlier call recorded; protected, RmShutdown leaves it alone and succeeds;
 * forced, it is terminated.  RmShutdown never returns 0 while it runs unprotected. */
static void test_filter_between_calls(void)
{
    struct saved_value saved;
    RM_PROCESS_INFO info;
    struct child child;
    WCHAR file[MAX_PATH];
    DWORD handle, ret;

    if (!set_reg_string(&saved, HKEY_CURRENT_USER, L"Control Panel\\Desktop", L"WaitToKillAppTimeout", L"2000"))
        return;
    memset(&child, 0, sizeof(child));
    if (!start_console_case(&child, L"swallow", file, &handle)) goto done;

    ret = RmShutdown(handle, 0, NULL);
    ok(ret == ERROR_FAIL_SHUTDOWN, "first RmShutdown: got %lu, expected 351\n", ret);
    ok(child_running(&child), "the child is gone\n");

    ret = set_protection(handle, PROTECT_PROCESS, NULL, &child.id, TRUE);
    ok(ret == ERROR_SUCCESS, "RmAddFilter: got %lu, expected 0\n", ret);
    ret = RmShutdown(handle, 0, NULL);
    ok(ret == ERROR_SUCCESS, "RmShutdown with the filter: got %lu, expected 0\n", ret);
    ok(child_running(&child), "the protected child is gone\n");
    if (get_entry(handle, &child.id, &info))
        ok(info.AppStatus & RmStatusShutdownMasked, "got AppStatus %#lx, expected RmStatusShutdownMasked\n",
           info.AppStatus);

    ret = set_protection(handle, PROTECT_PROCESS, NULL, &child.id, FALSE);
    ok(ret == ERROR_SUCCESS, "RmRemoveFilter: got %lu, expected 0\n", ret);
    ret = RmShutdown(handle, 0, NULL);
    ok(ret == ERROR_FAIL_SHUTDOWN, "RmShutdown after RmRemoveFilter: got %lu, expected 351\n", ret);
    ok(child_running(&child), "the child is gone\n");
    if (get_entry(handle, &child.id, &info))
    {
        ok(!(info.AppStatus & RmStatusShutdownMasked), "got AppStatus %#lx, expected no RmStatusShutdownMasked\n",
           info.AppStatus);
        ok(info.AppStatus & RmStatusErrorOnStop, "got AppStatus %#lx, expected RmStatusErrorOnStop\n",
           info.AppStatus);
    }

    ret = RmShutdown(handle, RmForceShutdown, NULL);
    ok(ret == ERROR_SUCCESS, "forced RmShutdown: got %lu, expected 0\n", ret);
    ok(wait_exit(&child, EXIT_TIMEOUT), "the child is still running\n");
    end_session(handle);
done:
    kill_child(&child);
    delete_temp_file(file);
    restore_reg_value(&saved);
}

/* A window application that refused the first RmShutdown of a session and agrees to the
 * second is closed by it: the earlier refusal does not stand for its answer now. */
static void test_refused_then_agrees(void)
{
    RM_PROCESS_INFO info;
    struct child child;
    WCHAR file[MAX_PATH];
    DWORD handle, ret;

    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    if (!launch_window(&child, self_exe, L"refuseonce", file, NULL, NULL, NULL)) goto done;
    if (!start_session(&handle))
    {
        let_child_go(&child);
        goto done;
    }
    register_file(handle, file);
    ret = RmShutdown(handle, 0, NULL);
    ok(ret == ERROR_FAIL_SHUTDOWN, "first RmShutdown: got %lu, expected 351\n", ret);
    ok(child_running(&child), "the child is gone\n");
    if (get_entry(handle, &child.id, &info))
        ok(info.AppStatus & RmStatusErrorOnStop, "got AppStatus %#lx, expected RmStatusErrorOnStop\n", info.AppStatus);

    ret = RmShutdown(handle, 0, NULL);
    ok(ret == ERROR_SUCCESS, "second RmShutdown: got %lu, expected 0\n", ret);
    ok(wait_exit(&child, EXIT_TIMEOUT), "the child is still running\n");
    if (get_entry(handle, &child.id, &info))
        ok(info.AppStatus & RmStatusStopped, "got AppStatus %#lx, expected RmStatusStopped\n", info.AppStatus);
    end_session(handle);
done:
    kill_child(&child);
    delete_temp_file(file);
}

/*
 * RmRestart after an RmShutdown that failed.  Microsoft documents 776 for RmRestart "before
 * calling RmShutdown"; the project's reading (issue 13 item 5): an RmShutdown that failed
 * before it acted on any application (a reboot reason: 350; RmShutdownOnlyRegistered with an
 * application that cannot be restarted; a failed refresh) did not shut anything down, so it
 * does not count, and RmRestart stays out of sequence.  "Acted" means it got past those checks
 * and began asking applications to close (even if one refused, or the list was empty: P4's
 * Windows CI gets 0 from RmRestart after RmShutdown of an empty session).  An RmShutdown that
 * closed some applications and then failed (351) counts: RmRestart restarts what it closed
 * (test_partial_restart).  A later failed call does not undo an earlier one that acted.
 * None of this was seen on Windows: there 0 is accepted for the 776s, and what RmShutdown does
 * when only the caller holds the file (350 here) and a second RmRestart are checked under Wine
 * only.
 */
static void test_restart_after_failed_shutdown(void)
{
    WCHAR file[MAX_PATH];
    HANDLE held;
    DWORD handle, ret;

    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    held = CreateFileW(file, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    ok(held != INVALID_HANDLE_VALUE, "CreateFileW failed, error %lu\n", GetLastError());
    if (held == INVALID_HANDLE_VALUE) return;
    if (!start_session(&handle))
    {
        CloseHandle(held);
        goto done;
    }
    register_file(handle, file);

    /* This process holds the file: RmRebootReasonDetectedSelf, nothing is touched. */
    ret = RmShutdown(handle, 0, NULL);
    if (winetest_platform_is_wine) ok(ret == ERROR_FAIL_NOACTION_REBOOT, "RmShutdown: got %lu, expected 350\n", ret);
    ret = RmRestart(handle, 0, NULL);
    ok(ret == ERROR_REQUEST_OUT_OF_SEQUENCE || broken(ret == ERROR_SUCCESS),
       "RmRestart after RmShutdown failed with 350: got %lu, expected 776\n", ret);

    /* Nothing holds it now: RmShutdown acts on an empty list and succeeds. */
    CloseHandle(held);
    ret = RmShutdown(handle, 0, NULL);
    ok(ret == ERROR_SUCCESS, "RmShutdown: got %lu, expected 0\n", ret);
    ret = RmRestart(handle, 0, NULL);
    ok(ret == ERROR_SUCCESS, "RmRestart after RmShutdown: got %lu, expected 0\n", ret);

    /* A failed call after that does not take the earlier one back. */
    held = CreateFileW(file, GENERIC_READ, 0, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    ok(held != INVALID_HANDLE_VALUE, "CreateFileW failed, error %lu\n", GetLastError());
    ret = RmShutdown(handle, 0, NULL);
    if (winetest_platform_is_wine) ok(ret == ERROR_FAIL_NOACTION_REBOOT, "RmShutdown: got %lu, expected 350\n", ret);
    ret = RmRestart(handle, 0, NULL);
    if (winetest_platform_is_wine)
        ok(ret == ERROR_SUCCESS, "RmRestart after an earlier RmShutdown acted: got %lu, expected 0\n", ret);
    if (held != INVALID_HANDLE_VALUE) CloseHandle(held);
    end_session(handle);
done:
    delete_temp_file(file);
}

/* A partial shutdown: the window application is closed, the console application after it
 * survives every event, RmShutdown returns 351; RmRestart still starts the window application
 * again (see test_restart_after_failed_shutdown). */
static void test_partial_restart(void)
{
    WCHAR file[MAX_PATH], file2[MAX_PATH], report[MAX_PATH], started_name[64];
    struct child window, console;
    struct saved_value saved;
    HANDLE started, quit = NULL;
    const WCHAR *args[1];
    DWORD handle = NO_SESSION, ret, original_pid = 0;

    if (!set_reg_string(&saved, HKEY_CURRENT_USER, L"Control Panel\\Desktop", L"WaitToKillAppTimeout", L"2000"))
        return;
    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    make_temp_name(file2, ARRAY_SIZE(file2), L".dat");
    make_temp_name(report, ARRAY_SIZE(report), L"_report.txt");
    swprintf(started_name, ARRAY_SIZE(started_name), L"rmtest_shutdown_started_%lx_%u", GetCurrentProcessId(),
             ++name_counter);
    started = CreateEventW(NULL, TRUE, FALSE, started_name);
    ok(started != NULL, "CreateEventW failed, error %lu\n", GetLastError());
    memset(&window, 0, sizeof(window));
    memset(&console, 0, sizeof(console));
    if (!started || !launch_window(&window, self_exe, L"window", file, started_name, report, NULL)) goto done;
    original_pid = window.id.dwProcessId;
    ResetEvent(started);
    DuplicateHandle(GetCurrentProcess(), window.quit, GetCurrentProcess(), &quit, 0, FALSE, DUPLICATE_SAME_ACCESS);
    args[0] = file2;
    if (!launch_child(&console, self_exe, L"swallow", 1, args) || !start_session(&handle)) goto done;
    register_file(handle, file);
    register_file(handle, file2);

    ret = RmShutdown(handle, 0, NULL);
    ok(ret == ERROR_FAIL_SHUTDOWN, "RmShutdown: got %lu, expected 351\n", ret);
    ok(wait_exit(&window, EXIT_TIMEOUT), "the window application is still running\n");
    ok(child_running(&console), "the console application is gone\n");
    ret = RmRestart(handle, 0, NULL);
    ok(ret == ERROR_SUCCESS, "RmRestart after a partial RmShutdown: got %lu, expected 0\n", ret);
    ok(!WaitForSingleObject(started, RESTART_TIMEOUT), "the window application was not started again\n");

done:
    if (handle != NO_SESSION) end_session(handle);
    kill_child(&window);
    kill_child(&console);
    end_reported_instances(report, self_exe, original_pid, quit);
    if (quit) CloseHandle(quit);
    if (started) CloseHandle(started);
    delete_temp_file(file);
    delete_temp_file(file2);
    delete_temp_file(report);
    restore_reg_value(&saved);
}

/* ------------------------------------------------------------------ child modes */

static HANDLE child_open_quit(const char *name)
{
    HANDLE event = OpenEventA(SYNCHRONIZE, FALSE, name);

    ok(event != NULL, "OpenEventA(%s) failed, error %lu\n", name, GetLastError());
    return event;
}

/* How the children open the file they hold: not shared, except in the "shared" modes. */
static DWORD child_share;

static HANDLE child_open_file(const char *file_arg)
{
    WCHAR path[MAX_PATH];
    HANDLE file;

    to_wide(file_arg, path, ARRAY_SIZE(path));
    file = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, child_share, NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    ok(file != INVALID_HANDLE_VALUE, "CreateFileW(%s) failed, error %lu\n", wine_dbgstr_w(path), GetLastError());
    return file;
}

static BOOL report_has_lines(const char *report_arg)
{
    WIN32_FILE_ATTRIBUTE_DATA data;
    WCHAR path[MAX_PATH];

    to_wide(report_arg, path, ARRAY_SIZE(path));
    return GetFileAttributesExW(path, GetFileExInfoStandard, &data) && (data.nFileSizeLow || data.nFileSizeHigh);
}

/* Appends a line to the report file ("-": none). */
static void child_append_report(const char *report_arg, const WCHAR *line)
{
    char data[3 * (MAX_PATH + 256)];
    WCHAR path[MAX_PATH];
    HANDLE file;
    DWORD written;
    int len;

    if (!strcmp(report_arg, "-")) return;
    to_wide(report_arg, path, ARRAY_SIZE(path));
    len = WideCharToMultiByte(CP_UTF8, 0, line, -1, data, sizeof(data), NULL, NULL);
    file = CreateFileW(path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                       OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    ok(file != INVALID_HANDLE_VALUE, "CreateFileW(%s) failed, error %lu\n", wine_dbgstr_w(path), GetLastError());
    if (file != INVALID_HANDLE_VALUE)
    {
        if (len > 0) WriteFile(file, data, len - 1, &written, NULL);
        CloseHandle(file);
    }
}

/* Signals the named event started ("-": none). */
static void child_signal_started(const char *started_arg)
{
    HANDLE event;

    if (!strcmp(started_arg, "-")) return;
    event = OpenEventA(EVENT_MODIFY_STATE, FALSE, started_arg);
    ok(event != NULL, "OpenEventA(%s) failed, error %lu\n", started_arg, GetLastError());
    if (event)
    {
        SetEvent(event);
        CloseHandle(event);
    }
}

/* Appends "<mode> <pid> <mark> <cwd>" to the report file and signals the started event. */
static void child_report_start(const WCHAR *mode, const char *started_arg, const char *report_arg)
{
    WCHAR mark[64], cwd[MAX_PATH], line[MAX_PATH + 128];

    if (!GetEnvironmentVariableW(mark_name, mark, ARRAY_SIZE(mark))) wcscpy(mark, L"-");
    if (!GetCurrentDirectoryW(ARRAY_SIZE(cwd), cwd)) wcscpy(cwd, L"?");
    swprintf(line, ARRAY_SIZE(line), L"%ls %lu %ls %ls\n", mode, GetCurrentProcessId(), mark, cwd);
    child_append_report(report_arg, line);
    child_signal_started(started_arg);
}

static BOOL WINAPI child_ctrl_handler(DWORD event)
{
    printf("ctrl %lu\n", event);
    fflush(stdout);
    ExitProcess(event == CTRL_C_EVENT ? CTRL_C_EXIT_CODE : 100 + event);
    return TRUE;
}

/* Ignores Ctrl+C, exits with 100 + the event on any other. */
static BOOL WINAPI child_close_handler(DWORD event)
{
    printf("ctrl %lu\n", event);
    fflush(stdout);
    if (event == CTRL_C_EVENT) return TRUE;
    ExitProcess(100 + event);
    return TRUE;
}

/* Swallows every event: Ctrl+C is ignored, any other keeps its handler until the child is told
 * to quit (a handler that returned would let Windows end the process). */
static HANDLE child_quit_event;

static BOOL WINAPI child_swallow_handler(DWORD event)
{
    printf("ctrl %lu\n", event);
    fflush(stdout);
    if (event != CTRL_C_EVENT) WaitForSingleObject(child_quit_event, CHILD_WAIT);
    return TRUE;
}

enum console_behaviour
{
    CONSOLE_EXIT,       /* "console": exits on any event, 42 for CTRL_C_EVENT */
    CONSOLE_IGNORE,     /* "ignorectrl": SetConsoleCtrlHandler(NULL, TRUE) and nothing else */
    CONSOLE_CLOSE_ONLY, /* "closeonly": ignores Ctrl+C, exits on the others (100 + event) */
    CONSOLE_SWALLOW,    /* "swallow": survives every event */
};

/* console|ignorectrl|closeonly|swallow <quit event> <file>: holds the file until told to quit,
 * reporting each control event as "ctrl <event>". */
static void child_console(const char *event_name, const char *file_arg, enum console_behaviour behaviour)
{
    HANDLE quit, file;

    if (!(quit = child_open_quit(event_name))) return;
    child_quit_event = quit;
    if (behaviour == CONSOLE_IGNORE) SetConsoleCtrlHandler(NULL, TRUE);
    else if (behaviour == CONSOLE_CLOSE_ONLY) SetConsoleCtrlHandler(child_close_handler, TRUE);
    else if (behaviour == CONSOLE_SWALLOW) SetConsoleCtrlHandler(child_swallow_handler, TRUE);
    else SetConsoleCtrlHandler(child_ctrl_handler, TRUE);
    file = child_open_file(file_arg);
    if (file != INVALID_HANDLE_VALUE) printf("ready\n");
    else printf("notready cannot open the file\n");
    WaitForSingleObject(quit, CHILD_WAIT);
    if (file != INVALID_HANDLE_VALUE) CloseHandle(file);
    CloseHandle(quit);
}

/* conrestart <quit event> <file> <started event> <report> <marker> [registered]: a console
 * application (started in a console of its own) that holds the file and registers for restart
 * with its arguments and "registered" added.  Each start appends "console <pid> <marker>
 * <registered|captured> <console window> <n> <the n processes on its console>" to the report
 * and signals the started event; an instance started again holds nothing. */
static void child_console_restart(int argc, char **argv)
{
    WCHAR args[5][MAX_PATH], cmdline[RESTART_MAX_CMD_LINE], line[MAX_PATH + 256], *p;
    const char *report_arg = argv[6], *started_arg = argv[5];
    BOOL again = report_has_lines(report_arg);
    HANDLE quit, file = INVALID_HANDLE_VALUE;
    DWORD pids[16], count, i;
    unsigned int j;
    HRESULT hr;

    if (!(quit = child_open_quit(argv[3]))) return;
    SetConsoleCtrlHandler(child_ctrl_handler, TRUE);
    if (!again)
    {
        file = child_open_file(argv[4]);
        for (j = 0; j < ARRAY_SIZE(args); j++) to_wide(argv[3 + j], args[j], ARRAY_SIZE(args[j]));
        swprintf(cmdline, ARRAY_SIZE(cmdline), L"shutdown conrestart \"%ls\" \"%ls\" \"%ls\" \"%ls\" %ls registered",
                 args[0], args[1], args[2], args[3], args[4]);
        hr = RegisterApplicationRestart(cmdline, 0);
        printf("RegisterApplicationRestart: %#lx\n", hr);
    }

    count = GetConsoleProcessList(pids, ARRAY_SIZE(pids));
    p = line + swprintf(line, ARRAY_SIZE(line), L"console %lu %hs %ls %lx %lu", GetCurrentProcessId(), argv[7],
                        argc >= 9 && !strcmp(argv[8], "registered") ? L"registered" : L"captured",
                        (ULONG)(ULONG_PTR)GetConsoleWindow(), count);
    for (i = 0; i < count && i < ARRAY_SIZE(pids); i++) p += swprintf(p, line + ARRAY_SIZE(line) - p, L" %lu", pids[i]);
    wcscpy(p, L"\n");
    child_append_report(report_arg, line);
    child_signal_started(started_arg);

    if (!again)
    {
        if (file != INVALID_HANDLE_VALUE) printf("ready\n");
        else printf("notready cannot open the file\n");
    }
    WaitForSingleObject(quit, CHILD_WAIT);
    if (file != INVALID_HANDLE_VALUE) CloseHandle(file);
    CloseHandle(quit);
}

enum window_behaviour
{
    WINDOW_COOPERATE,
    WINDOW_REFUSE,
    WINDOW_HANG,
    WINDOW_REFUSE_ONCE,     /* refuses the first WM_QUERYENDSESSION, then cooperates */
};

static enum window_behaviour child_behaviour;

static LRESULT CALLBACK child_window_proc(HWND hwnd, UINT msg, WPARAM wparam, LPARAM lparam)
{
    switch (msg)
    {
    case WM_QUERYENDSESSION:
        printf("message WM_QUERYENDSESSION %lx %lx at %lu\n", (ULONG)wparam, (ULONG)lparam, GetTickCount());
        if (child_behaviour == WINDOW_REFUSE_ONCE)
        {
            child_behaviour = WINDOW_COOPERATE;
            return FALSE;
        }
        return child_behaviour != WINDOW_REFUSE;
    case WM_ENDSESSION:
        printf("message WM_ENDSESSION %lx %lx at %lu\n", (ULONG)wparam, (ULONG)lparam, GetTickCount());
        if (wparam && child_behaviour == WINDOW_COOPERATE) PostQuitMessage(0);
        return 0;
    case WM_CLOSE:
        printf("message WM_CLOSE at %lu\n", GetTickCount());
        if (child_behaviour != WINDOW_REFUSE) PostQuitMessage(0);
        return 0;
    }
    return DefWindowProcW(hwnd, msg, wparam, lparam);
}

/* window|refuse|hung|refuseonce <quit event> <file> [<started event> <report file>]: see
 * launch_window. */
static void child_window(const char *event_name, const char *file_arg, enum window_behaviour behaviour,
                         const char *started_arg, const char *report_arg)
{
    WCHAR started[MAX_PATH], report[MAX_PATH], cmdline[3 * MAX_PATH];
    HANDLE quit, file;
    HRESULT hr;
    HWND hwnd;
    MSG msg;
    DWORD ret;

    child_behaviour = behaviour;
    /* An instance started again by RmRestart writes to whatever output it was given, not to
     * the parent's pipe: it reports through the report file alone. */
    if (strcmp(report_arg, "-") && report_has_lines(report_arg)) freopen("NUL", "w", stdout);
    if (!(quit = child_open_quit(event_name))) return;
    file = child_open_file(file_arg);
    if (strcmp(started_arg, "-"))
    {
        /* What Windows starts again: "<exe> shutdown restarted <started event> <report>". */
        to_wide(started_arg, started, ARRAY_SIZE(started));
        to_wide(report_arg, report, ARRAY_SIZE(report));
        swprintf(cmdline, ARRAY_SIZE(cmdline), L"shutdown restarted \"%ls\" \"%ls\"", started, report);
        hr = RegisterApplicationRestart(cmdline, 0);
        printf("RegisterApplicationRestart: %#lx\n", hr);
    }

    if ((hwnd = show_child_window(L"rmtest_shutdown_class", child_window_proc, window_title, file)))
    {
        child_report_start(L"window", started_arg, report_arg);
        printf("ready\n");
    }

    if (behaviour == WINDOW_HANG)
    {
        /* No more messages. */
        WaitForSingleObject(quit, CHILD_WAIT);
        goto done;
    }
    for (;;)
    {
        ret = MsgWaitForMultipleObjects(1, &quit, FALSE, CHILD_WAIT, QS_ALLINPUT);
        if (ret != WAIT_OBJECT_0 + 1) break;
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE))
        {
            if (msg.message == WM_QUIT)
            {
                printf("exiting at %lu\n", GetTickCount());
                goto done;
            }
            TranslateMessage(&msg);
            DispatchMessageW(&msg);
        }
    }
    ok(ret == WAIT_OBJECT_0, "waiting for the parent: got %lu\n", ret);
done:
    /* The window goes with the process.  DestroyWindow would unmap it first, and with no
     * window manager on the X display (Xvfb) Wine's X11 driver waits 2 s for one to answer,
     * which would hide how long RmShutdown itself takes. */
    if (file != INVALID_HANDLE_VALUE) CloseHandle(file);
    CloseHandle(quit);
}

START_TEST(shutdown)
{
    struct unit_args args = get_unit_args(self_exe);
    BOOL ret;

    ret = init_temp_dir(L"shutdown");
    ok(ret, "GetTempPathW failed, error %lu\n", GetLastError());

    if (args.argc >= 3)
    {
        if (!strcmp(args.argv[2], "console") && args.argc >= 5) child_console(args.argv[3], args.argv[4], CONSOLE_EXIT);
        else if (!strcmp(args.argv[2], "ignorectrl") && args.argc >= 5) child_console(args.argv[3], args.argv[4], CONSOLE_IGNORE);
        else if (!strcmp(args.argv[2], "closeonly") && args.argc >= 5) child_console(args.argv[3], args.argv[4], CONSOLE_CLOSE_ONLY);
        else if (!strcmp(args.argv[2], "swallow") && args.argc >= 5) child_console(args.argv[3], args.argv[4], CONSOLE_SWALLOW);
        else if (!strcmp(args.argv[2], "window") && args.argc >= 7)
            child_window(args.argv[3], args.argv[4], WINDOW_COOPERATE, args.argv[5], args.argv[6]);
        else if (!strcmp(args.argv[2], "sharedconsole") && args.argc >= 5)
        {
            child_share = FILE_SHARE_READ | FILE_SHARE_WRITE;
            child_console(args.argv[3], args.argv[4], CONSOLE_EXIT);
        }
        else if (!strcmp(args.argv[2], "sharedwindow") && args.argc >= 7)
        {
            child_share = FILE_SHARE_READ | FILE_SHARE_WRITE;
            child_window(args.argv[3], args.argv[4], WINDOW_COOPERATE, args.argv[5], args.argv[6]);
        }
        else if (!strcmp(args.argv[2], "conrestart") && args.argc >= 8) child_console_restart(args.argc, args.argv);
        else if (!strcmp(args.argv[2], "refuse") && args.argc >= 5) child_window(args.argv[3], args.argv[4], WINDOW_REFUSE, "-", "-");
        else if (!strcmp(args.argv[2], "hung") && args.argc >= 5) child_window(args.argv[3], args.argv[4], WINDOW_HANG, "-", "-");
        else if (!strcmp(args.argv[2], "refuseonce") && args.argc >= 5)
            child_window(args.argv[3], args.argv[4], WINDOW_REFUSE_ONCE, "-", "-");
        /* restarted <started event> <report>: started again from a restart registration. */
        else if (!strcmp(args.argv[2], "restarted") && args.argc >= 5) child_report_start(L"restarted", args.argv[3], args.argv[4]);
        else ok(0, "unknown child mode %s\n", args.argv[2]);
        return;
    }

    trace_loaded_dll();
    trace("temp directory %s, restart registrations %s\n", wine_dbgstr_w(temp_dir),
          platform_keeps_registrations() ? "kept" : "not kept");
    SetConsoleCtrlHandler(parent_ctrl_handler, TRUE);

    test_cooperative_window();
    test_refusing_window();
    test_console_ctrl_c();
    test_console_close_event();
    test_console_swallowing();
    test_console_ignoring();
    test_reboot_reason();
    test_only_registered();
    test_status_callback();
    test_restart();
    test_restart_policy();
    test_console_restart();
    test_multi_app();
    test_filter_no_shutdown();
    test_filter_no_restart();
    test_filter_list();
    test_filter_removed();
    test_filter_between_calls();
    test_refused_then_agrees();
    test_restart_after_failed_shutdown();
    test_partial_restart();
    test_cancel();
    test_secondary();
    test_other_arch();

    if (winetest_platform_is_wine)
        ok(parent_ctrl_events == 0, "the test process got %ld console control events\n", parent_ctrl_events);
    SetConsoleCtrlHandler(parent_ctrl_handler, FALSE);
}
