/*
 * Restart Manager: talking to rmhelper64.exe, for a 32-bit caller
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
 */

/*
 * A 32-bit process cannot read a 64-bit process's module list.  The 32-bit DLL starts the
 * 64-bit rmhelper64.exe once ("serve" mode) and asks it for module lists over two pipes; the
 * helper exits when this process closes the pipes, at the latest when it ends.  One request
 * is in flight at a time.  If the helper dies, the next request starts a new one.
 */

#include "rstrtmgr_private.h"
#include "remote.h"

WINE_DEFAULT_DEBUG_CHANNEL(rstrtmgr);

static SRWLOCK helper_lock = SRWLOCK_INIT;
static HANDLE helper_process;
static HANDLE helper_input;     /* we write requests here */
static HANDLE helper_output;    /* and read answers here */
static DWORD helper_id;

/* Where the helper lives: beside this DLL, or in the native system directory (the 32-bit
 * DLL itself sits in syswow64 there). */
static BOOL find_helper(WCHAR *path, DWORD size)
{
    HMODULE module;
    WCHAR *slash;
    void *redirect;
    DWORD attrs;
    UINT len;

    if (GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                           (const WCHAR *)find_helper, &module)
            && GetModuleFileNameW(module, path, size) && (slash = wcsrchr(path, '\\'))
            && (size_t)(slash - path) + 20 < size)
    {
        wcscpy(slash + 1, L"rmhelper64.exe");
        if (GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES) return TRUE;
    }
    len = GetWindowsDirectoryW(path, size);
    if (!len || len + 30 > size) return FALSE;
    wcscat(path, L"\\system32\\rmhelper64.exe");
    if (!Wow64DisableWow64FsRedirection(&redirect)) return FALSE;
    attrs = GetFileAttributesW(path);
    Wow64RevertWow64FsRedirection(redirect);
    return attrs != INVALID_FILE_ATTRIBUTES;
}

static void stop_helper(void)
{
    if (helper_input) CloseHandle(helper_input);
    if (helper_output) CloseHandle(helper_output);
    if (helper_process) CloseHandle(helper_process);
    helper_input = helper_output = helper_process = NULL;
    helper_id = 0;
}

/* Two pipes: the helper reads requests from in_read and writes answers to out_write; only
 * those two ends are inheritable. */
static BOOL make_pipes(HANDLE *in_read, HANDLE *in_write, HANDLE *out_read, HANDLE *out_write)
{
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };

    if (!CreatePipe(in_read, in_write, &sa, 0)) return FALSE;
    if (!CreatePipe(out_read, out_write, &sa, 0))
    {
        CloseHandle(*in_read);
        CloseHandle(*in_write);
        return FALSE;
    }
    SetHandleInformation(*in_write, HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(*out_read, HANDLE_FLAG_INHERIT, 0);
    return TRUE;
}

/* Hand the helper its two pipe ends and nothing else: inheriting the caller's open files
 * would make it look like one more process using them.  Without an attribute list (it cannot
 * be made) the helper inherits every inheritable handle, as before Windows Vista. */
static void init_startup_info(STARTUPINFOEXW *si, HANDLE inherit[2])
{
    SIZE_T attr_size = 0;

    memset(si, 0, sizeof(*si));
    si->StartupInfo.cb = sizeof(*si);
    si->StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    si->StartupInfo.hStdInput = inherit[0];
    si->StartupInfo.hStdOutput = inherit[1];
    si->StartupInfo.hStdError = inherit[1];
    InitializeProcThreadAttributeList(NULL, 1, 0, &attr_size);
    if ((si->lpAttributeList = malloc(attr_size))
            && (!InitializeProcThreadAttributeList(si->lpAttributeList, 1, 0, &attr_size)
                || !UpdateProcThreadAttribute(si->lpAttributeList, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
                                              inherit, 2 * sizeof(HANDLE), NULL, NULL)))
    {
        free(si->lpAttributeList);
        si->lpAttributeList = NULL;
    }
}

static BOOL create_helper_process(const WCHAR *path, STARTUPINFOEXW *si, PROCESS_INFORMATION *pi)
{
    WCHAR cmdline[MAX_PATH + 16];
    void *redirect = NULL;
    BOOL ok;

    swprintf(cmdline, ARRAYSIZE(cmdline), L"\"%ls\" serve", path);
    Wow64DisableWow64FsRedirection(&redirect);
    ok = CreateProcessW(path, cmdline, NULL, NULL, TRUE,
                        CREATE_NO_WINDOW | (si->lpAttributeList ? EXTENDED_STARTUPINFO_PRESENT : 0),
                        NULL, NULL, &si->StartupInfo, pi);
    Wow64RevertWow64FsRedirection(redirect);
    if (si->lpAttributeList)
    {
        DeleteProcThreadAttributeList(si->lpAttributeList);
        free(si->lpAttributeList);
    }
    return ok;
}

static BOOL start_helper(void)
{
    STARTUPINFOEXW si;
    PROCESS_INFORMATION pi;
    WCHAR path[MAX_PATH];
    HANDLE in_read, in_write, out_read, out_write, inherit[2];
    BOOL ok;

    if (!find_helper(path, ARRAYSIZE(path)))
    {
        WARN("rmhelper64.exe not found: modules of 64-bit processes are not checked\n");
        return FALSE;
    }
    if (!make_pipes(&in_read, &in_write, &out_read, &out_write)) return FALSE;
    inherit[0] = in_read;
    inherit[1] = out_write;
    init_startup_info(&si, inherit);
    ok = create_helper_process(path, &si, &pi);
    CloseHandle(in_read);
    CloseHandle(out_write);
    if (!ok)
    {
        WARN("cannot start %s: %lu\n", debugstr_w(path), GetLastError());
        CloseHandle(in_write);
        CloseHandle(out_read);
        return FALSE;
    }
    CloseHandle(pi.hThread);
    helper_process = pi.hProcess;
    helper_id = pi.dwProcessId;
    helper_input = in_write;
    helper_output = out_read;
    TRACE("started %s, pid %lu\n", debugstr_w(path), helper_id);
    return TRUE;
}

static BOOL ends_answer(const WCHAR *text, size_t len)
{
    if (len == 2) return text[0] == '.' && text[1] == '\n';
    return len > 2 && !wcsncmp(text + len - 3, L"\n.\n", 3);
}

static DWORD exchange(const WCHAR *request, WCHAR **answer)
{
    size_t len = 0, size = 0;
    DWORD done;

    if (!WriteFile(helper_input, request, (DWORD)(wcslen(request) * sizeof(WCHAR)), &done, NULL))
        return ERROR_BROKEN_PIPE;
    *answer = NULL;
    do
    {
        /* Read in large pieces: module lists of every process make long answers. */
        if (!array_reserve((void **)answer, &size, max(len + 4096, 65536), sizeof(WCHAR))) return ERROR_OUTOFMEMORY;
        if (!ReadFile(helper_output, *answer + len, (DWORD)((size - len - 1) * sizeof(WCHAR)), &done, NULL) || !done)
            return ERROR_BROKEN_PIPE;
        len += done / sizeof(WCHAR);
    } while (!ends_answer(*answer, len));
    (*answer)[len - 2] = 0;  /* drop the final ".\n" */
    return ERROR_SUCCESS;
}

/* Send one request line and return the answer lines (without the final "."); the caller
 * frees *answer. */
static DWORD query_helper(const WCHAR *request, WCHAR **answer)
{
    DWORD ret = ERROR_NOT_SUPPORTED;
    unsigned int attempt;

    *answer = NULL;
    AcquireSRWLockExclusive(&helper_lock);
    for (attempt = 0; attempt < 2; attempt++)
    {
        if (!helper_process && !start_helper()) break;
        if (!(ret = exchange(request, answer))) break;
        free(*answer);
        *answer = NULL;
        WARN("the helper went away (%lu); starting another\n", ret);
        stop_helper();
    }
    ReleaseSRWLockExclusive(&helper_lock);
    return ret;
}

/* Module lines "<pid hex> <path>" of the given processes; the caller frees *answer. */
DWORD query_helper_modules(const DWORD *pids, unsigned int count, WCHAR **answer)
{
    WCHAR *request;
    unsigned int i;
    size_t len = 0;
    DWORD ret;

    if (!(request = malloc((count * 9 + 2) * sizeof(WCHAR)))) return ERROR_OUTOFMEMORY;
    for (i = 0; i < count; i++) len += swprintf(request + len, 10, L"%lx ", pids[i]);
    request[len++] = '\n';
    request[len] = 0;
    ret = query_helper(request, answer);
    free(request);
    return ret;
}

/* How a 64-bit process was started, read by the helper. */
BOOL helper_read_params(DWORD pid, struct process_params *params)
{
    WCHAR request[16], *answer, *line, *next;
    size_t env_size = 0, env_capacity = 0;

    memset(params, 0, sizeof(*params));
    swprintf(request, ARRAYSIZE(request), L"P %lx\n", pid);
    if (query_helper(request, &answer)) return FALSE;
    for (line = answer; *line; line = next)
    {
        if ((next = wcschr(line, '\n'))) *next++ = 0;
        else next = line + wcslen(line);
        if (wcslen(line) < 2 || line[1] != ' ') continue;
        switch (line[0])
        {
        case 'I': free(params->image); params->image = wcsdup(line + 2); break;
        case 'C': free(params->cmdline); params->cmdline = wcsdup(line + 2); break;
        case 'D': free(params->cwd); params->cwd = wcsdup(line + 2); break;
        case 'E':
        {
            size_t len = wcslen(line + 2) + 1;

            if (!array_reserve((void **)&params->env, &env_capacity, env_size + len + 1, sizeof(WCHAR))) break;
            memcpy(params->env + env_size, line + 2, len * sizeof(WCHAR));
            env_size += len;
            params->env[env_size] = 0;
            params->env_len = env_size + 1;
            break;
        }
        }
    }
    free(answer);
    if (!params->cmdline)
    {
        free_process_params(params);
        return FALSE;
    }
    return TRUE;
}

/* A console control event to a 64-bit console process, sent by the helper. */
BOOL helper_send_ctrl_event(DWORD pid, DWORD event)
{
    WCHAR request[32], *answer;
    BOOL ok;

    swprintf(request, ARRAYSIZE(request), L"K %lx %lx\n", pid, event);
    if (query_helper(request, &answer)) return FALSE;
    ok = answer[0] == '1';
    free(answer);
    return ok;
}

/* Whether this process is 32-bit on a 64-bit system and the target is 64-bit: then only the
 * helper can read the target's memory or start a thread in it. */
BOOL needs_helper(HANDLE process)
{
    BOOL wow64 = FALSE;

    if (sizeof(void *) != 4 || !IsWow64Process(GetCurrentProcess(), &wow64) || !wow64) return FALSE;
    return IsWow64Process(process, &wow64) && !wow64;
}

DWORD get_helper_pid(void)
{
    return helper_id;
}
