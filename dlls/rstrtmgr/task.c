/*
 * Restart Manager: what RmShutdown and RmRestart share
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
 * Both are long tasks over the applications of a session: they read the same timeouts from
 * the registry, report progress through the caller's callback the same way, and wait for a
 * process or a service in the same way, a wait that RmCancelCurrentTask ends at once.
 */

#include "rstrtmgr_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(rstrtmgr);

/* ------------------------------------------------------------------ settings */

/* Windows keeps these as strings of milliseconds; accept a DWORD too. */
static DWORD read_timeout(HKEY root, const WCHAR *path, const WCHAR *name, DWORD fallback)
{
    WCHAR text[32];
    DWORD size = sizeof(text), type, value;

    if (RegGetValueW(root, path, name, RRF_RT_REG_SZ | RRF_RT_REG_DWORD, &type, text, &size)) return fallback;
    if (type == REG_DWORD) memcpy(&value, text, sizeof(value));
    else value = wcstoul(text, NULL, 10);
    return value ? min(value, 10 * 60 * 1000) : fallback;
}

void get_timeouts(struct timeouts *timeouts)
{
    timeouts->hung_app = read_timeout(HKEY_CURRENT_USER, L"Control Panel\\Desktop", L"HungAppTimeout", 5000);
    timeouts->kill_app = read_timeout(HKEY_CURRENT_USER, L"Control Panel\\Desktop", L"WaitToKillAppTimeout", 20000);
    timeouts->kill_service = read_timeout(HKEY_LOCAL_MACHINE, L"System\\CurrentControlSet\\Control",
                                          L"WaitToKillServiceTimeout", 20000);
}

/* ------------------------------------------------------------------ status callback */

#ifdef __i386__
/* The callback is cdecl, but callers declare stdcall ones too (several bindings do): calling
 * it through a frame pointer and restoring the stack pointer afterwards works for both. */
extern void call_status_callback(RM_WRITE_STATUS_CALLBACK callback, UINT percent);
__asm__(".text\n\t"
        ".p2align 4\n\t"
        ".globl _call_status_callback\n\t"
        ".def _call_status_callback; .scl 2; .type 32; .endef\n"
        "_call_status_callback:\n\t"
        "pushl %ebp\n\t"
        "movl %esp, %ebp\n\t"
        "pushl 12(%ebp)\n\t"
        "call *8(%ebp)\n\t"
        "movl %ebp, %esp\n\t"
        "popl %ebp\n\t"
        "ret");
#else
static void call_status_callback(RM_WRITE_STATUS_CALLBACK callback, UINT percent)
{
    callback(percent);
}
#endif

/* Report a percentage: never decreasing, each value once, 100 only at the end. */
void report_progress(struct progress *progress, BOOL finished)
{
    int percent;

    if (!progress->callback) return;
    if (finished) percent = 100;
    else if (!progress->total) percent = 0;
    else percent = min(99, (int)(progress->done * 100 / progress->total));
    if (percent <= progress->last) return;
    progress->last = percent;
    call_status_callback(progress->callback, percent);
}

/* ------------------------------------------------------------------ waits */

/* Wait for a process to end: 0 when it did, WAIT_TIMEOUT, or ERROR_CANCELLED. */
DWORD wait_for_exit(struct session *session, HANDLE process, DWORD timeout)
{
    HANDLE handles[2] = { process, session->cancel_event };

    switch (WaitForMultipleObjects(2, handles, FALSE, timeout))
    {
    case WAIT_OBJECT_0: return ERROR_SUCCESS;
    case WAIT_OBJECT_0 + 1: return ERROR_CANCELLED;
    default: return WAIT_TIMEOUT;
    }
}

BOOL terminate_app(HANDLE process)
{
    if (!TerminateProcess(process, 1)) return FALSE;
    return !WaitForSingleObject(process, 5000);
}

/* Wait until a service has left its pending state: stopped when stopping, running otherwise
 * (a service that stops while it starts failed: ERROR_SERVICE_NOT_ACTIVE).  Returns 0,
 * WAIT_TIMEOUT or ERROR_CANCELLED; 0 also when its status cannot be read. */
DWORD wait_for_service(struct session *session, SC_HANDLE service, DWORD timeout, BOOL stopping)
{
    SERVICE_STATUS_PROCESS status;
    DWORD size, start = GetTickCount();

    for (;;)
    {
        if (!QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, (BYTE *)&status, sizeof(status), &size))
            return ERROR_SUCCESS;
        if (status.dwCurrentState == SERVICE_STOPPED) return stopping ? ERROR_SUCCESS : ERROR_SERVICE_NOT_ACTIVE;
        if (!stopping && status.dwCurrentState != SERVICE_START_PENDING) return ERROR_SUCCESS;
        if (GetTickCount() - start > timeout) return WAIT_TIMEOUT;
        if (!WaitForSingleObject(session->cancel_event, 20)) return ERROR_CANCELLED;
    }
}
