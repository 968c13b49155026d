/*
 * Restart Manager: processes and services as the system lists them
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
 * A process is identified as RM_UNIQUE_PROCESS does: its id and its start time, since ids are
 * reused.  The store writes that pair as text, "pid:hi:lo" in eight hex digits each (RegProcs
 * values and Process: filters); format_process_text and parse_process_text are the only
 * writer and reader of that form.
 */

#include "rstrtmgr_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(rstrtmgr);

/* The caller's own identity: its start time never changes. */
static INIT_ONCE self_identity_once = INIT_ONCE_STATIC_INIT;
static RM_UNIQUE_PROCESS self_identity;

static BOOL WINAPI init_self_identity(INIT_ONCE *once, void *param, void **context)
{
    FILETIME exited, kernel, user;

    self_identity.dwProcessId = GetCurrentProcessId();
    return GetProcessTimes(GetCurrentProcess(), &self_identity.ProcessStartTime, &exited, &kernel, &user);
}

/* Open a process that is still running, and read its start time.  A process that has exited
 * can still be opened while a handle to it exists: it fails as a pid that names no process
 * does, with ERROR_INVALID_PARAMETER. */
static HANDLE open_running_process(DWORD pid, DWORD access, FILETIME *created)
{
    FILETIME exited, kernel, user;
    HANDLE process;
    DWORD code;

    if (!(process = OpenProcess(access | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid))) return NULL;
    if (!GetProcessTimes(process, created, &exited, &kernel, &user))
    {
        CloseHandle(process);
        return NULL;
    }
    if (GetExitCodeProcess(process, &code) && code != STILL_ACTIVE)
    {
        SetLastError(ERROR_INVALID_PARAMETER);
        CloseHandle(process);
        return NULL;
    }
    return process;
}

/* The identity of a running process.  On failure the last error says why (ERROR_ACCESS_DENIED:
 * it exists, but we may not query it). */
BOOL get_process_identity(DWORD pid, RM_UNIQUE_PROCESS *identity)
{
    HANDLE process;

    if (pid == GetCurrentProcessId())
    {
        if (!InitOnceExecuteOnce(&self_identity_once, init_self_identity, NULL, NULL)) return FALSE;
        *identity = self_identity;
        return TRUE;
    }
    if (!(process = open_running_process(pid, 0, &identity->ProcessStartTime))) return FALSE;
    CloseHandle(process);
    identity->dwProcessId = pid;
    return TRUE;
}

/* Open the process an identity names, if it still runs and still is that process; the handle
 * can also be waited on. */
HANDLE open_identified_process(const RM_UNIQUE_PROCESS *identity, DWORD access)
{
    FILETIME created;
    HANDLE process;

    if (!(process = open_running_process(identity->dwProcessId, access | SYNCHRONIZE, &created))) return NULL;
    if (memcmp(&created, &identity->ProcessStartTime, sizeof(created)))
    {
        CloseHandle(process);
        return NULL;
    }
    return process;
}

/* Returns the number of characters written, RM_PROCESS_TEXT_CHARS. */
int format_process_text(const RM_UNIQUE_PROCESS *process, WCHAR text[RM_PROCESS_TEXT_CHARS + 1])
{
    return swprintf(text, RM_PROCESS_TEXT_CHARS + 1, L"%08lx:%08lx:%08lx", process->dwProcessId,
                    process->ProcessStartTime.dwHighDateTime, process->ProcessStartTime.dwLowDateTime);
}

/* Only the exact form format_process_text writes parses. */
BOOL parse_process_text(const WCHAR *text, RM_UNIQUE_PROCESS *process)
{
    WCHAR *end;

    process->dwProcessId = wcstoul(text, &end, 16);
    if (end != text + 8 || *end != ':') return FALSE;
    process->ProcessStartTime.dwHighDateTime = wcstoul(end + 1, &end, 16);
    if (end != text + 17 || *end != ':') return FALSE;
    process->ProcessStartTime.dwLowDateTime = wcstoul(end + 1, &end, 16);
    return end == text + RM_PROCESS_TEXT_CHARS && !*end;
}

/* The running Win32 services with their host processes (malloc'ed; NULL and *count 0 if none
 * can be listed). */
ENUM_SERVICE_STATUS_PROCESSW *enum_active_services(SC_HANDLE manager, DWORD *count)
{
    ENUM_SERVICE_STATUS_PROCESSW *services = NULL;
    DWORD size = 0, needed = 0, resume = 0;

    *count = 0;
    while (!EnumServicesStatusExW(manager, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_ACTIVE, (BYTE *)services,
                                  size, &needed, count, &resume, NULL))
    {
        free(services);
        services = NULL;
        *count = 0;
        resume = 0;
        if (GetLastError() != ERROR_MORE_DATA || !(services = malloc(size + needed))) break;
        size += needed;
    }
    return services;
}
