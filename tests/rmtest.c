/*
 * Helpers shared by the Restart Manager test units
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

/* Built without STANDALONE: the test framework and main() come from the unit it is linked to. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <windows.h>
#include <restartmanager.h>

#include "wine/test.h"
#include "rmtest.h"

const WCHAR rm_root[] = L"Software\\Microsoft\\RestartManager";
const WCHAR store_mutex_name[] = L"Local\\RstrMgr3887CAB8-533F-4C85-B0DC-3E5639F8D511";

UINT status_values[MAX_STATUS_VALUES];
LONG status_count;

WCHAR temp_dir[MAX_PATH];
unsigned int name_counter;
/* The unit's name, in the names make_temp_name() makes. */
static WCHAR temp_unit[32];

/* ------------------------------------------------------------------ processes */

void trace_loaded_dll(void)
{
    WCHAR path[MAX_PATH];
    HMODULE module = GetModuleHandleW(L"rstrtmgr.dll");

    if (!module)
    {
        trace("rstrtmgr.dll is not loaded\n");
        return;
    }
    path[0] = 0;
    GetModuleFileNameW(module, path, ARRAY_SIZE(path));
    trace("testing %s\n", wine_dbgstr_w(path));
}

void get_process_id(HANDLE process, RM_UNIQUE_PROCESS *id)
{
    FILETIME creation, exit_time, kernel, user;
    BOOL ret;

    memset(id, 0, sizeof(*id));
    id->dwProcessId = GetProcessId(process);
    ret = GetProcessTimes(process, &creation, &exit_time, &kernel, &user);
    ok(ret, "GetProcessTimes failed, error %lu\n", GetLastError());
    if (ret) id->ProcessStartTime = creation;
}

BOOL get_process_owner(DWORD pid, RM_UNIQUE_PROCESS *owner)
{
    FILETIME creation, exit_time, kernel, user;
    HANDLE process;
    BOOL ret;

    memset(owner, 0, sizeof(*owner));
    if (pid == GetCurrentProcessId()) process = GetCurrentProcess();
    else if (!(process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid))) return FALSE;
    ret = GetProcessTimes(process, &creation, &exit_time, &kernel, &user);
    if (pid != GetCurrentProcessId()) CloseHandle(process);
    if (!ret) return FALSE;
    owner->dwProcessId = pid;
    owner->ProcessStartTime = creation;
    return TRUE;
}

BOOL owner_equal(const RM_UNIQUE_PROCESS *a, const RM_UNIQUE_PROCESS *b)
{
    return a->dwProcessId == b->dwProcessId
        && a->ProcessStartTime.dwLowDateTime == b->ProcessStartTime.dwLowDateTime
        && a->ProcessStartTime.dwHighDateTime == b->ProcessStartTime.dwHighDateTime;
}

BOOL process_alive(const RM_UNIQUE_PROCESS *process)
{
    FILETIME creation, exit_time, kernel, user;
    DWORD code = 0;
    HANDLE handle;
    BOOL alive;

    /* A process we may not query still exists. */
    if (!(handle = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, process->dwProcessId)))
        return GetLastError() == ERROR_ACCESS_DENIED;
    alive = GetProcessTimes(handle, &creation, &exit_time, &kernel, &user)
            && !CompareFileTime(&creation, &process->ProcessStartTime)
            && GetExitCodeProcess(handle, &code) && code == STILL_ACTIVE;
    CloseHandle(handle);
    return alive;
}

/* ------------------------------------------------------------------ the store */

BOOL is_session_key_name(const WCHAR *name)
{
    unsigned int i;

    if (wcsncmp(name, L"Session", 7)) return FALSE;
    for (i = 7; i < 11; i++)
        if (name[i] < '0' || name[i] > '9') return FALSE;
    return !name[11];
}

BOOL session_key_exists(const WCHAR *name)
{
    HKEY root, key;
    LSTATUS ret;

    if (RegOpenKeyExW(HKEY_CURRENT_USER, rm_root, 0, KEY_ENUMERATE_SUB_KEYS, &root)) return FALSE;
    ret = RegOpenKeyExW(root, name, 0, KEY_QUERY_VALUE, &key);
    RegCloseKey(root);
    if (!ret) RegCloseKey(key);
    return !ret;
}

BOOL read_session_value(const WCHAR *name, const WCHAR *value, DWORD *type, void *data, DWORD *size)
{
    HKEY root, key;
    LSTATUS ret;

    if (RegOpenKeyExW(HKEY_CURRENT_USER, rm_root, 0, KEY_ENUMERATE_SUB_KEYS, &root)) return FALSE;
    ret = RegOpenKeyExW(root, name, 0, KEY_QUERY_VALUE, &key);
    RegCloseKey(root);
    if (ret) return FALSE;
    ret = RegQueryValueExW(key, value, NULL, type, data, size);
    RegCloseKey(key);
    return !ret;
}

BOOL get_session_owner(const WCHAR *name, RM_UNIQUE_PROCESS *owner)
{
    DWORD type, size = sizeof(*owner);

    return read_session_value(name, L"Owner", &type, owner, &size) && type == REG_BINARY && size == sizeof(*owner);
}

/* ------------------------------------------------------------------ sessions and lists */

BOOL start_session_(const char *file, int line, DWORD *handle, WCHAR *key_out)
{
    WCHAR key[KEY_BUFFER];
    DWORD ret;

    *handle = NO_SESSION;
    memset(key, 0, sizeof(key));
    ret = RmStartSession(handle, 0, key);
    ok_(file, line)(ret == ERROR_SUCCESS, "RmStartSession: got %lu, expected 0\n", ret);
    if (!ret && key_out) memcpy(key_out, key, sizeof(key));
    return !ret;
}

void end_session_(const char *file, int line, DWORD handle)
{
    DWORD ret = RmEndSession(handle);

    ok_(file, line)(ret == ERROR_SUCCESS, "RmEndSession(%lu): got %lu, expected 0\n", handle, ret);
}

DWORD get_list(DWORD handle, RM_PROCESS_INFO **infos, UINT *count, DWORD *reasons)
{
    RM_PROCESS_INFO *buffer = NULL;
    UINT needed, n = 0, attempt;
    DWORD ret = ERROR_MORE_DATA;

    for (attempt = 0; attempt < 5; attempt++)
    {
        needed = SENTINEL;
        *reasons = SENTINEL;
        ret = RmGetList(handle, &needed, &n, buffer, reasons);
        if (ret != ERROR_MORE_DATA) break;
        free(buffer);
        if (needed == SENTINEL || !(buffer = calloc(needed ? needed : 1, sizeof(*buffer))))
        {
            buffer = NULL;
            break;
        }
        n = needed;
    }
    if (ret)
    {
        free(buffer);
        buffer = NULL;
        n = 0;
    }
    *infos = buffer;
    *count = n;
    return ret;
}

DWORD register_and_list_(const char *file, int line, DWORD handle, UINT nfiles, const WCHAR **files,
                         RM_PROCESS_INFO **infos, UINT *count, DWORD *reasons)
{
    DWORD ret;

    ret = RmRegisterResources(handle, nfiles, files, 0, NULL, 0, NULL);
    ok_(file, line)(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);
    ret = get_list(handle, infos, count, reasons);
    ok_(file, line)(ret == ERROR_SUCCESS, "RmGetList: got %lu, expected 0\n", ret);
    trace("%u listed, reboot reasons %#lx\n", *count, *reasons);
    return ret;
}

const RM_PROCESS_INFO *find_entry(const RM_PROCESS_INFO *infos, UINT count, DWORD pid)
{
    UINT i;

    for (i = 0; i < count; i++)
        if (infos[i].Process.dwProcessId == pid) return &infos[i];
    return NULL;
}

unsigned int name_length(const WCHAR *name, unsigned int size)
{
    unsigned int len;

    for (len = 0; len < size && name[len]; len++)
        ;
    return len;
}

void trace_entry(const RM_PROCESS_INFO *info)
{
    trace("pid %04lx: type %d, status %#lx, session %ld, restartable %d, name %s, service %s\n",
          info->Process.dwProcessId, info->ApplicationType, info->AppStatus, (LONG)info->TSSessionId,
          info->bRestartable,
          wine_dbgstr_wn(info->strAppName, name_length(info->strAppName, ARRAY_SIZE(info->strAppName))),
          wine_dbgstr_wn(info->strServiceShortName,
                         name_length(info->strServiceShortName, ARRAY_SIZE(info->strServiceShortName))));
}

BOOL is_user_app_type(RM_APP_TYPE type)
{
    return type == RmUnknownApp || type == RmMainWindow || type == RmOtherWindow || type == RmConsole;
}

/* ------------------------------------------------------------------ status callbacks */

void reset_status(void)
{
    status_count = 0;
}

void record_status(UINT percent)
{
    LONG index = InterlockedIncrement(&status_count) - 1;

    if (index < MAX_STATUS_VALUES) status_values[index] = percent;
}

void status_callback(UINT percent)
{
    record_status(percent);
}

void check_status_(const char *file, int line, const char *what, BOOL must_be_called)
{
    unsigned int i, count = min(status_count, MAX_STATUS_VALUES);
    char text[MAX_STATUS_VALUES * 4 + 1], *p = text;

    if (!count)
    {
        if (must_be_called) ok_(file, line)(0, "%s: the status callback was not called\n", what);
        else trace_(file, line)("%s: the status callback was not called\n", what);
        return;
    }
    text[0] = 0;
    for (i = 0; i < count; i++) p += sprintf(p, " %u", status_values[i]);
    trace_(file, line)("%s: %ld status values:%s\n", what, status_count, text);
    for (i = 0; i < count; i++)
    {
        ok_(file, line)(status_values[i] <= 100, "%s: value %u is %u\n", what, i, status_values[i]);
        if (i) ok_(file, line)(status_values[i] >= status_values[i - 1], "%s: value %u (%u) is below value %u (%u)\n",
                               what, i, status_values[i], i - 1, status_values[i - 1]);
    }
    /* Ending at 100 is a project requirement: on Windows only rising values were seen. */
    ok_(file, line)(status_values[count - 1] == 100 || broken(status_values[count - 1] < 100),
                    "%s: the last value is %u, expected 100\n", what, status_values[count - 1]);
}

/* ------------------------------------------------------------------ files */

BOOL init_temp_dir(const WCHAR *unit)
{
    WCHAR path[MAX_PATH];
    DWORD len;
    BOOL ret;

    lstrcpynW(temp_unit, unit, ARRAY_SIZE(temp_unit));
    len = GetTempPathW(ARRAY_SIZE(path), path);
    ret = len && len < ARRAY_SIZE(path);
    if (!GetLongPathNameW(path, temp_dir, ARRAY_SIZE(temp_dir))) wcscpy(temp_dir, path);
    len = wcslen(temp_dir);
    while (len && temp_dir[len - 1] == '\\') temp_dir[--len] = 0;
    return ret;
}

void make_temp_name(WCHAR *name, size_t size, const WCHAR *suffix)
{
    swprintf(name, size, L"%ls\\rmtest_%ls_%lx_%u%ls", temp_dir, temp_unit, GetCurrentProcessId(), ++name_counter,
             suffix);
}

void delete_temp_file(const WCHAR *name)
{
    if (!DeleteFileW(name) && GetLastError() != ERROR_FILE_NOT_FOUND)
        trace("cannot delete %s, error %lu\n", wine_dbgstr_w(name), GetLastError());
}

BOOL directory_of(const WCHAR *path, WCHAR *dir, size_t size)
{
    WCHAR *slash;

    if (wcslen(path) >= size) return FALSE;
    wcscpy(dir, path);
    if (!(slash = wcsrchr(dir, '\\'))) return FALSE;
    *slash = 0;
    return TRUE;
}

void to_wide(const char *arg, WCHAR *path, DWORD size)
{
    path[0] = 0;
    MultiByteToWideChar(CP_ACP, 0, arg, -1, path, size);
}

/* ------------------------------------------------------------------ child processes */

struct unit_args get_unit_args(WCHAR self_exe[MAX_PATH])
{
    struct unit_args args;

    args.argc = winetest_get_mainargs(&args.argv);
    GetModuleFileNameW(NULL, self_exe, MAX_PATH);
    return args;
}

BOOL find_other_arch_exe(const WCHAR *exe_name, WCHAR *exe, size_t size)
{
    WCHAR dir[MAX_PATH];
    DWORD len;

    len = GetEnvironmentVariableW(L"RSTRTMGR_TEST_OTHER_ARCH", dir, ARRAY_SIZE(dir));
    if (!len || len >= ARRAY_SIZE(dir)) return FALSE;
    while (len && (dir[len - 1] == '\\' || dir[len - 1] == '/')) dir[--len] = 0;
    swprintf(exe, size, L"%ls\\%ls", dir, exe_name);
    if (GetFileAttributesW(exe) == INVALID_FILE_ATTRIBUTES)
    {
        trace("%s does not exist\n", wine_dbgstr_w(exe));
        return FALSE;
    }
    return TRUE;
}

/* "exe" unit mode [quit event] "arg"...; NULL if out of memory. */
static WCHAR *child_cmdline(const WCHAR *exe, const WCHAR *unit, const WCHAR *mode, const WCHAR *event_name,
                            unsigned int count, const WCHAR * const *args)
{
    size_t size = wcslen(exe) + wcslen(unit) + wcslen(mode) + wcslen(event_name) + 32;
    unsigned int i;
    WCHAR *cmdline;

    for (i = 0; i < count; i++) size += wcslen(args[i]) + 3;
    if (!(cmdline = malloc(size * sizeof(WCHAR)))) return NULL;
    swprintf(cmdline, size, L"\"%ls\" %ls %ls", exe, unit, mode);
    if (event_name[0])
    {
        wcscat(cmdline, L" ");
        wcscat(cmdline, event_name);
    }
    for (i = 0; i < count; i++)
    {
        wcscat(cmdline, L" \"");
        wcscat(cmdline, args[i]);
        wcscat(cmdline, L"\"");
    }
    return cmdline;
}

static BOOL create_child_process(struct child *child, WCHAR *cmdline, const WCHAR *cwd, DWORD create_flags)
{
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
    STARTUPINFOW si;
    HANDLE write_pipe;
    BOOL ret;

    if (!CreatePipe(&child->output, &write_pipe, &sa, 0))
    {
        ok(0, "CreatePipe failed, error %lu\n", GetLastError());
        return FALSE;
    }
    SetHandleInformation(child->output, HANDLE_FLAG_INHERIT, 0);

    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = NULL;
    si.hStdOutput = write_pipe;
    si.hStdError = write_pipe;
    ret = CreateProcessW(NULL, cmdline, NULL, NULL, TRUE, create_flags, NULL, cwd, &si, &child->pi);
    ok(ret, "CreateProcessW(%s) failed, error %lu\n", wine_dbgstr_w(cmdline), GetLastError());
    CloseHandle(write_pipe);
    if (!ret) CloseHandle(child->output);
    return ret;
}

/* The child's identity, without a check (launch_child_ makes one). */
static void read_child_id(struct child *child)
{
    FILETIME exit_time, kernel, user;

    child->id.dwProcessId = child->pi.dwProcessId;
    GetProcessTimes(child->pi.hProcess, &child->id.ProcessStartTime, &exit_time, &kernel, &user);
}

BOOL start_child(struct child *child, const WCHAR *exe, const WCHAR *unit, const WCHAR *mode, BOOL quit,
                 unsigned int count, const WCHAR * const *args, const WCHAR *cwd, DWORD create_flags)
{
    static unsigned int event_counter;
    WCHAR event_name[64] = L"", *cmdline;
    BOOL ret;

    memset(child, 0, sizeof(*child));
    if (quit)
    {
        swprintf(event_name, ARRAY_SIZE(event_name), L"rmtest_%ls_quit_%lx_%u", unit, GetCurrentProcessId(),
                 ++event_counter);
        child->quit = CreateEventW(NULL, TRUE, FALSE, event_name);
        ok(child->quit != NULL, "CreateEventW failed, error %lu\n", GetLastError());
        if (!child->quit) return FALSE;
    }
    if ((cmdline = child_cmdline(exe, unit, mode, event_name, count, args)))
    {
        ret = create_child_process(child, cmdline, cwd, create_flags);
        free(cmdline);
        if (ret)
        {
            child->running = TRUE;
            read_child_id(child);
            return TRUE;
        }
    }
    if (child->quit) CloseHandle(child->quit);
    child->quit = NULL;
    return FALSE;
}

static void log_line(struct child *child, const char *line)
{
    size_t len = strlen(line);

    if (child->log_used + len + 2 > sizeof(child->log)) return;
    memcpy(child->log + child->log_used, line, len);
    child->log_used += len;
    child->log[child->log_used++] = '\n';
    child->log[child->log_used] = 0;
}

static BOOL is_answer(const char *line)
{
    return !strcmp(line, "ready") || !strncmp(line, "notready", 8) || !strncmp(line, "handle ", 7)
        || !strncmp(line, "key ", 4);
}

/* Takes the complete lines out of the buffer: TRUE when one is the answer wanted. */
static BOOL take_lines(struct child *child, char *reply, DWORD size, BOOL to_end)
{
    char *line, *end;
    BOOL found;

    while ((end = memchr(child->buffer, '\n', child->used)))
    {
        *end = 0;
        line = child->buffer;
        if (end > line && end[-1] == '\r') end[-1] = 0;
        found = !to_end && is_answer(line);
        if (found) lstrcpynA(reply, line, size);
        else if (line[0])
        {
            trace("child %04lx: %s\n", child->pi.dwProcessId, line);
            log_line(child, line);
        }
        child->used -= end + 1 - child->buffer;
        memmove(child->buffer, end + 1, child->used);
        if (found) return TRUE;
    }
    return FALSE;
}

static void flush_partial_line(struct child *child)
{
    if (!child->used) return;
    child->buffer[child->used] = 0;
    trace("child %04lx: %s\n", child->pi.dwProcessId, child->buffer);
    log_line(child, child->buffer);
    child->used = 0;
}

BOOL read_child_output(struct child *child, char *reply, DWORD size, DWORD timeout, BOOL to_end)
{
    DWORD start = GetTickCount(), avail, got;

    for (;;)
    {
        if (take_lines(child, reply, size, to_end)) return TRUE;
        if (child->used == sizeof(child->buffer) - 1) flush_partial_line(child);
        /* PeekNamedPipe fails once the child has exited and its end is closed. */
        if (!PeekNamedPipe(child->output, NULL, 0, NULL, &avail, NULL)) break;
        if (!avail)
        {
            if (GetTickCount() - start >= timeout) return FALSE;
            Sleep(10);
            continue;
        }
        if (!ReadFile(child->output, child->buffer + child->used,
                      min(avail, (DWORD)sizeof(child->buffer) - 1 - child->used), &got, NULL) || !got)
            break;
        child->used += got;
    }
    flush_partial_line(child);
    return to_end;
}

BOOL launch_child_(const char *file, int line, struct child *child, const WCHAR *exe, const WCHAR *unit,
                   const WCHAR *mode, unsigned int count, const WCHAR * const *args, const WCHAR *cwd,
                   DWORD create_flags)
{
    char reply[256] = "";

    if (!start_child(child, exe, unit, mode, TRUE, count, args, cwd, create_flags)) return FALSE;
    get_process_id(child->pi.hProcess, &child->id);
    if (!read_child_output(child, reply, sizeof(reply), READY_TIMEOUT, FALSE))
    {
        ok_(file, line)(0, "the %s child %04lx did not get ready\n", wine_dbgstr_w(mode), child->pi.dwProcessId);
        kill_child(child);
        return FALSE;
    }
    if (strcmp(reply, "ready"))
    {
        skip_(file, line)("the %s child: %s\n", wine_dbgstr_w(mode), reply);
        kill_child(child);
        return FALSE;
    }
    return TRUE;
}

DWORD finish_child_(const char *file, int line, struct child *child, BOOL let_go)
{
    if (!child->running) return child->exit_code;
    if (let_go && child->quit) SetEvent(child->quit);
    if (WaitForSingleObject(child->pi.hProcess, EXIT_TIMEOUT) != WAIT_OBJECT_0)
    {
        ok_(file, line)(0, "child %04lx did not exit\n", child->pi.dwProcessId);
        TerminateProcess(child->pi.hProcess, 1);
        WaitForSingleObject(child->pi.hProcess, 5000);
    }
    read_child_output(child, NULL, 0, EXIT_TIMEOUT, TRUE);
    child->exit_code = 0xdeadbeef;
    GetExitCodeProcess(child->pi.hProcess, &child->exit_code);
    CloseHandle(child->pi.hProcess);
    CloseHandle(child->pi.hThread);
    CloseHandle(child->output);
    if (child->quit) CloseHandle(child->quit);
    child->quit = NULL;
    child->running = FALSE;
    return child->exit_code;
}

BOOL child_running(const struct child *child)
{
    return child->running && WaitForSingleObject(child->pi.hProcess, 0) == WAIT_TIMEOUT;
}

void kill_child(struct child *child)
{
    if (!child->running) return;
    if (child_running(child))
    {
        TerminateProcess(child->pi.hProcess, 1);
        WaitForSingleObject(child->pi.hProcess, 5000);
    }
    finish_child(child, FALSE);
}

void stop_child(struct child *child)
{
    char reply[16];

    if (!child->running) return;
    if (child->quit) SetEvent(child->quit);
    read_child_output(child, reply, sizeof(reply), CHILD_WAIT, TRUE);
    wait_child_process(&child->pi);
    CloseHandle(child->output);
    if (child->quit) CloseHandle(child->quit);
    child->quit = NULL;
    child->running = FALSE;
}

/* "exe <unit> host <event> <min>": a child that opens sessions until it holds a handle of at
 * least min, prints "handle N" and waits for the event. */
BOOL start_host(struct child *child, const WCHAR *exe, const WCHAR *unit, DWORD min_handle, HANDLE *release,
                DWORD *handle)
{
    WCHAR event_name[64], min[16];
    const WCHAR *args[2] = { event_name, min };
    char reply[64];

    *handle = NO_SESSION;
    swprintf(event_name, ARRAY_SIZE(event_name), L"rmtest_%ls_%lx_%lx", unit, GetCurrentProcessId(), GetTickCount());
    swprintf(min, ARRAY_SIZE(min), L"%lu", min_handle);
    if (!(*release = CreateEventW(NULL, TRUE, FALSE, event_name))) return FALSE;
    if (!start_child(child, exe, unit, L"host", FALSE, 2, args, NULL, 0))
    {
        CloseHandle(*release);
        *release = NULL;
        return FALSE;
    }
    if (read_child_output(child, reply, sizeof(reply), READY_TIMEOUT, FALSE) && !strncmp(reply, "handle ", 7))
        *handle = strtoul(reply + 7, NULL, 10);
    return TRUE;
}

void stop_host(struct child *child, HANDLE release)
{
    SetEvent(release);
    stop_child(child);
    CloseHandle(release);
}

void run_in_both_arches(const WCHAR *self_exe, const WCHAR *exe_name, void (*run)(const WCHAR *exe))
{
    WCHAR exe[MAX_PATH];

    winetest_push_context("same arch");
    run(self_exe);
    winetest_pop_context();
    if (!find_other_arch_exe(exe_name, exe, ARRAY_SIZE(exe)))
    {
        skip("other architecture not available\n");
        return;
    }
    winetest_push_context("other arch");
    run(exe);
    winetest_pop_context();
}

unsigned int host_sessions(const char *event_name, const char *min_arg, DWORD *handles, unsigned int max)
{
    DWORD min_handle = strtoul(min_arg, NULL, 10), ret;
    unsigned int count = 0;
    WCHAR key[KEY_BUFFER];
    HANDLE event;

    event = OpenEventA(SYNCHRONIZE, FALSE, event_name);
    ok(event != NULL, "OpenEventA failed, error %lu\n", GetLastError());
    while (count < max)
    {
        ret = RmStartSession(&handles[count], 0, key);
        ok(!ret, "RmStartSession: got %lu\n", ret);
        if (ret) break;
        if (handles[count++] >= min_handle) break;
    }
    printf("handle %lu\n", count ? handles[count - 1] : NO_SESSION);
    fflush(stdout);
    if (event)
    {
        ok(WaitForSingleObject(event, 120000) == WAIT_OBJECT_0, "the parent did not release the child\n");
        CloseHandle(event);
    }
    return count;
}

BOOL child_said(const struct child *child, const char *text)
{
    return strstr(child->log, text) != NULL;
}

void run_service_child(const char *name_arg, WCHAR *name, size_t size, LPSERVICE_MAIN_FUNCTIONW main, HANDLE *stop)
{
    SERVICE_TABLE_ENTRYW table[2];

    to_wide(name_arg, name, size);
    *stop = CreateEventW(NULL, TRUE, FALSE, NULL);
    table[0].lpServiceName = name;
    table[0].lpServiceProc = main;
    table[1].lpServiceName = NULL;
    table[1].lpServiceProc = NULL;
    StartServiceCtrlDispatcherW(table);
    CloseHandle(*stop);
}

BOOL read_text_file(const WCHAR *path, char *data, DWORD size)
{
    DWORD got = 0;
    HANDLE file;

    data[0] = 0;
    file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                       OPEN_EXISTING, 0, NULL);
    if (file == INVALID_HANDLE_VALUE) return FALSE;
    ReadFile(file, data, size - 1, &got, NULL);
    CloseHandle(file);
    data[got] = 0;
    return TRUE;
}

BOOL copy_executable(const WCHAR *exe, WCHAR *dir, WCHAR *copy)
{
    WCHAR src_dir[MAX_PATH], dll[MAX_PATH], dll_copy[MAX_PATH];
    BOOL ret;

    make_temp_name(dir, MAX_PATH, L"_exe");
    ret = CreateDirectoryW(dir, NULL);
    ok(ret, "CreateDirectoryW(%s) failed, error %lu\n", wine_dbgstr_w(dir), GetLastError());
    if (!ret) return FALSE;
    swprintf(copy, MAX_PATH, L"%ls\\rmtest_copy.exe", dir);
    ret = CopyFileW(exe, copy, FALSE);
    ok(ret, "CopyFileW(%s) failed, error %lu\n", wine_dbgstr_w(exe), GetLastError());
    if (!ret)
    {
        RemoveDirectoryW(dir);
        return FALSE;
    }
    if (directory_of(exe, src_dir, ARRAY_SIZE(src_dir)))
    {
        swprintf(dll, ARRAY_SIZE(dll), L"%ls\\rstrtmgr.dll", src_dir);
        swprintf(dll_copy, ARRAY_SIZE(dll_copy), L"%ls\\rstrtmgr.dll", dir);
        if (GetFileAttributesW(dll) != INVALID_FILE_ATTRIBUTES)
        {
            ret = CopyFileW(dll, dll_copy, FALSE);
            ok(ret, "CopyFileW(%s) failed, error %lu\n", wine_dbgstr_w(dll), GetLastError());
        }
    }
    return TRUE;
}

void delete_executable_copy(const WCHAR *dir, const WCHAR *copy)
{
    WCHAR dll[MAX_PATH];

    delete_temp_file(copy);
    swprintf(dll, ARRAY_SIZE(dll), L"%ls\\rstrtmgr.dll", dir);
    delete_temp_file(dll);
    if (!RemoveDirectoryW(dir)) trace("cannot remove %s, error %lu\n", wine_dbgstr_w(dir), GetLastError());
}

/* ------------------------------------------------------------------ x86 calling convention */

#ifdef __i386__

/* Everything is done in one asm block so the compiler's own stack adjustments cannot hide a
 * wrong pop count. */
void call_stdcall_probe(struct stdcall_probe *probe)
{
    __asm__ __volatile__(
        "movl %%esp, %%esi\n\t"
        "movl 4(%%edi), %%ecx\n"
        "1:\n\t"
        "testl %%ecx, %%ecx\n\t"
        "jz 2f\n\t"
        "pushl 4(%%edi,%%ecx,4)\n\t"
        "decl %%ecx\n\t"
        "jmp 1b\n"
        "2:\n\t"
        "call *(%%edi)\n\t"
        "movl %%eax, 40(%%edi)\n\t"
        "movl %%esp, %%eax\n\t"
        "subl %%esi, %%eax\n\t"
        "movl %%eax, 44(%%edi)\n\t"
        "movl %%esi, %%esp\n\t"
        : : "D" (probe) : "eax", "ecx", "edx", "esi", "memory", "cc");
}

#endif  /* __i386__ */

static WCHAR ascii_lower(WCHAR c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

BOOL data_contains_key(const BYTE *data, DWORD size, const WCHAR *key)
{
    DWORD i, j;

    /* UTF-16 text at any byte offset */
    for (i = 0; i + KEY_CHARS * sizeof(WCHAR) <= size; i++)
    {
        for (j = 0; j < KEY_CHARS; j++)
        {
            WCHAR c = data[i + 2 * j] | (data[i + 2 * j + 1] << 8);
            if (ascii_lower(c) != ascii_lower(key[j])) break;
        }
        if (j == KEY_CHARS) return TRUE;
    }
    /* 8-bit text */
    for (i = 0; i + KEY_CHARS <= size; i++)
    {
        for (j = 0; j < KEY_CHARS; j++)
            if (ascii_lower(data[i + j]) != ascii_lower(key[j])) break;
        if (j == KEY_CHARS) return TRUE;
    }
    return FALSE;
}
