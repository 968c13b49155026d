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

BOOL running_on_wine(void)
{
    return GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "wine_get_version") != NULL;
}

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

BOOL get_session_owner(const WCHAR *name, RM_UNIQUE_PROCESS *owner)
{
    DWORD type, size = sizeof(*owner);
    HKEY root, key;
    LSTATUS ret;

    if (RegOpenKeyExW(HKEY_CURRENT_USER, rm_root, 0, KEY_ENUMERATE_SUB_KEYS, &root)) return FALSE;
    ret = RegOpenKeyExW(root, name, 0, KEY_QUERY_VALUE, &key);
    RegCloseKey(root);
    if (ret) return FALSE;
    ret = RegQueryValueExW(key, L"Owner", NULL, &type, (BYTE *)owner, &size);
    RegCloseKey(key);
    return !ret && type == REG_BINARY && size == sizeof(*owner);
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
