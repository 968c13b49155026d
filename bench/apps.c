/*
 * The window applications the benchmarks close and restart, and how they are driven
 *
 * Copyright 2026 The rstrtmgr authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * The applications are bench-shutdown-app.exe (app.c): a window application like holdfile.exe
 * (GUI subsystem, a visible top-level window, its file held without sharing, closing on
 * WM_ENDSESSION or WM_CLOSE) that also notes, in memory shared with the benchmark, when it
 * holds its file and when the first WM_QUERYENDSESSION reaches it.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>
#include <windows.h>

#include "apps.h"

struct stamps *stamps;

struct stamps *map_stamps(DWORD pid, BOOL create)
{
    WCHAR name[64];
    HANDLE mapping;

    swprintf(name, ARRAYSIZE(name), L"Local\\rstrtmgr_bench_shutdown_%lu", pid);
    if (create) mapping = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, sizeof(struct stamps), name);
    else mapping = OpenFileMappingW(FILE_MAP_WRITE, FALSE, name);
    return mapping ? MapViewOfFile(mapping, FILE_MAP_WRITE, 0, 0, sizeof(struct stamps)) : NULL;
}

LONGLONG counter(void)
{
    LARGE_INTEGER now;

    QueryPerformanceCounter(&now);
    return now.QuadPart;
}

unsigned int napps = 10;
WCHAR app[MAX_PATH], dir[MAX_PATH];
LARGE_INTEGER freq;

unsigned int problems;   /* in the current round */

double to_ms(LONGLONG ticks)
{
    return ticks * 1000.0 / freq.QuadPart;
}

/* Something that makes a round's figures meaningless: said, and counted. */
void problem(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    problems++;
}

void file_name(unsigned int i, WCHAR *name)
{
    swprintf(name, MAX_PATH, L"%ls\\benchshut%02u.txt", dir, i);
}

/* Wait until every application holds its file; the counter when the last did, or 0. */
LONGLONG wait_all_ready(DWORD timeout)
{
    DWORD start = GetTickCount();
    LONGLONG last;
    unsigned int i;

    for (;;)
    {
        for (i = 0, last = 0; i < napps && stamps->ready[i]; i++) last = max(last, stamps->ready[i]);
        if (i == napps) return last;
        if (GetTickCount() - start > timeout) return 0;
        Sleep(1);
    }
}

/* Start application number index, holding file_name(index). */
BOOL start_app(unsigned int index, HANDLE *process)
{
    STARTUPINFOW si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    WCHAR cmdline[3 * MAX_PATH], name[MAX_PATH];

    unsigned int attempt;

    file_name(index, name);
    swprintf(cmdline, ARRAYSIZE(cmdline), L"\"%ls\" \"%ls\" %u %lu", app, name, index, GetCurrentProcessId());
    /* Under Wine 8.0, CreateProcess failed now and then with ERROR_INTERNAL_ERROR (1359) among
     * many applications starting on one CPU; the next attempt started it. */
    for (attempt = 0; !CreateProcessW(app, cmdline, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi); attempt++)
    {
        printf("cannot start application %u: %lu%s\n", index, GetLastError(), attempt < 2 ? ", trying again" : "");
        if (attempt == 2) return FALSE;
        Sleep(500);
    }
    CloseHandle(pi.hThread);
    *process = pi.hProcess;
    return TRUE;
}

/* Start the applications and wait until each holds its file: *started is the time until the
 * last did, *created (if not NULL) the time the CreateProcess calls took. */
BOOL start_apps(HANDLE *processes, double *started, double *created)
{
    LONGLONG start = counter(), ready;
    unsigned int i;

    memset(stamps, 0, sizeof(*stamps));
    for (i = 0; i < napps; i++) if (!start_app(i, &processes[i])) return FALSE;
    if (created) *created = to_ms(counter() - start);
    if (!(ready = wait_all_ready(30000 + 200 * napps)))
    {
        for (i = 0; i < napps; i++)
        {
            DWORD code = 0;

            GetExitCodeProcess(processes[i], &code);
            if (!stamps->ready[i]) printf("application %u (pid %lu, exit code %lu) does not hold its file\n", i,
                                          GetProcessId(processes[i]), code);
        }
        return FALSE;
    }
    *started = to_ms(ready - start);
    Sleep(200);  /* let the new processes settle */
    return TRUE;
}

void end_apps(HANDLE *processes)
{
    unsigned int i;

    for (i = 0; i < napps; i++)
    {
        if (!processes[i]) continue;
        TerminateProcess(processes[i], 0);
        WaitForSingleObject(processes[i], 5000);
        CloseHandle(processes[i]);
        processes[i] = NULL;
    }
}

/* The first WM_QUERYENDSESSION any application received, or 0. */
LONGLONG first_query(void)
{
    LONGLONG first = 0;
    unsigned int i;

    for (i = 0; i < napps; i++)
        if (stamps->query[i] && (!first || stamps->query[i] < first)) first = stamps->query[i];
    return first;
}

struct windows
{
    const DWORD *pids;
    HWND hwnds[4 * MAX_APPS];
    unsigned int count;
};

/* Every top-level window of the applications, as the DLL collects them. */
static BOOL CALLBACK collect_window(HWND hwnd, LPARAM param)
{
    struct windows *windows = (struct windows *)param;
    DWORD pid = 0;
    unsigned int i;

    GetWindowThreadProcessId(hwnd, &pid);
    for (i = 0; i < napps; i++)
        if (windows->pids[i] == pid && windows->count < ARRAYSIZE(windows->hwnds))
            windows->hwnds[windows->count++] = hwnd;
    return TRUE;
}

/* Close the applications the way the DLL does, from this process; milliseconds. */
double own_close(HANDLE *processes)
{
    struct windows windows = { 0 };
    DWORD pids[MAX_APPS];
    LONGLONG start, end;
    unsigned int i;
    BOOL agreed = TRUE;

    for (i = 0; i < napps; i++) pids[i] = GetProcessId(processes[i]);
    windows.pids = pids;
    EnumWindows(collect_window, (LPARAM)&windows);

    memset(stamps->query, 0, sizeof(stamps->query));
    start = counter();
    for (i = 0; i < windows.count; i++)
    {
        DWORD_PTR result = 0;

        if (!SendMessageTimeoutW(windows.hwnds[i], WM_QUERYENDSESSION, 0, ENDSESSION_CLOSEAPP,
                                 SMTO_ABORTIFHUNG | SMTO_NORMAL, 5000, &result) || !result)
            agreed = FALSE;
    }
    for (i = 0; i < windows.count; i++)
    {
        DWORD_PTR result;

        SendMessageTimeoutW(windows.hwnds[i], WM_ENDSESSION, TRUE, ENDSESSION_CLOSEAPP,
                            SMTO_ABORTIFHUNG | SMTO_NORMAL, 5000, &result);
    }
    for (i = 0; i < windows.count; i++)
        if (IsWindow(windows.hwnds[i])) PostMessageW(windows.hwnds[i], WM_CLOSE, 0, 0);
    /* One wait per application, as the DLL waits. */
    for (i = 0; i < napps; i++)
        if (WaitForSingleObject(processes[i], 20000)) problem("own close: application %u did not exit\n", i);
    end = counter();
    if (!agreed) problem("own close: an application refused\n");
    /* From the first message's arrival, as the close part of RmShutdown is timed. */
    if (first_query()) start = first_query();
    for (i = 0; i < napps; i++)
    {
        CloseHandle(processes[i]);
        processes[i] = NULL;
    }
    return to_ms(end - start);
}

/* The applications RmRestart started: our windows. */
BOOL CALLBACK find_restarted(HWND hwnd, LPARAM param)
{
    struct restarted *restarted = (struct restarted *)param;
    WCHAR cls[64];
    DWORD pid = 0;
    HANDLE process;
    unsigned int i;

    if (!GetClassNameW(hwnd, cls, ARRAYSIZE(cls)) || wcscmp(cls, APP_CLASS)) return TRUE;
    GetWindowThreadProcessId(hwnd, &pid);
    for (i = 0; i < napps; i++) if (restarted->closed[i] && GetProcessId(restarted->closed[i]) == pid) return TRUE;
    if (restarted->count < napps && pid && (process = OpenProcess(PROCESS_TERMINATE | SYNCHRONIZE, FALSE, pid)))
        restarted->processes[restarted->count++] = process;
    return TRUE;
}
