/*
 * bench-shutdown: RmShutdown of window applications against the applications' own exit time
 *
 * Copyright 2026 The rstrtmgr authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * usage: bench-shutdown [--rounds N] [--apps N]     (defaults: 5 rounds, 10 applications)
 *
 * The applications are bench-shutdown-app.exe, found beside this program and built from this
 * file with BENCH_APP defined: a window application like holdfile.exe (GUI subsystem, a visible
 * top-level window, its file held without sharing, closing on WM_ENDSESSION or WM_CLOSE) that
 * also notes, in memory shared with the benchmark, when it holds its file and when the first
 * WM_QUERYENDSESSION reaches it.  Each round starts
 * two sets of them, untimed, and waits until every one holds its file:
 *
 *   own close   this process closes the first set exactly as the DLL does: WM_QUERYENDSESSION
 *               (ENDSESSION_CLOSEAPP) sent to every top-level window of the applications, one
 *               window after another; then WM_ENDSESSION(TRUE) the same way; then WM_CLOSE
 *               posted to any window still there; then one wait for all the processes.  Timed
 *               from the first message reaching an application to the last process handle
 *               being signalled.
 *   RmGetList   on the second set: a session registers their files (untimed) and lists them,
 *               as an installer does first.
 *   RmShutdown  of that session, no flags: timed until it returns (by then every process has
 *               exited; checked), and split where the first WM_QUERYENDSESSION reaches an
 *               application: "to 1st msg" is the list refresh RmShutdown makes itself plus its
 *               preparations, "close" the rest, which compares with own close.
 *   RmRestart   informative: the call, and until every restarted application holds its file
 *               again ("+running"); "own start" is the same for this process starting the
 *               first set (CreateProcess each).  The restarted applications are then
 *               terminated, untimed.
 *
 * added = RmShutdown - own close: what the DLL adds to the applications' own exit time.
 * Figures are milliseconds, medians over the rounds.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>
#include <windows.h>
#include <restartmanager.h>

#ifndef ENDSESSION_CLOSEAPP
#define ENDSESSION_CLOSEAPP 0x00000001
#endif

#define MAX_APPS 64
#define MAX_ROUNDS 99
#define APP_CLASS L"rstrtmgr_bench_app"

/* What the applications note, in a mapping named after the benchmark's pid. */
struct stamps
{
    LONGLONG ready[MAX_APPS];   /* performance counter when it holds its file */
    LONGLONG query[MAX_APPS];   /* ... when the first WM_QUERYENDSESSION arrived */
};

static struct stamps *stamps;

static struct stamps *map_stamps(DWORD pid, BOOL create)
{
    WCHAR name[64];
    HANDLE mapping;

    swprintf(name, ARRAYSIZE(name), L"Local\\rstrtmgr_bench_shutdown_%lu", pid);
    if (create) mapping = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, sizeof(struct stamps), name);
    else mapping = OpenFileMappingW(FILE_MAP_WRITE, FALSE, name);
    return mapping ? MapViewOfFile(mapping, FILE_MAP_WRITE, 0, 0, sizeof(struct stamps)) : NULL;
}

static LONGLONG counter(void)
{
    LARGE_INTEGER now;

    QueryPerformanceCounter(&now);
    return now.QuadPart;
}

#ifdef BENCH_APP

/* ------------------------------------------------------------------ the application */

static unsigned int app_index;

static LRESULT CALLBACK app_proc(HWND hwnd, UINT msg, WPARAM wparam, LPARAM lparam)
{
    switch (msg)
    {
    case WM_QUERYENDSESSION:
        if (stamps && !stamps->query[app_index]) stamps->query[app_index] = counter();
        return TRUE;
    case WM_ENDSESSION:
        if (wparam) PostQuitMessage(0);
        return 0;
    case WM_DESTROY:
        PostQuitMessage(0);
        return 0;
    }
    return DefWindowProcW(hwnd, msg, wparam, lparam);
}

/* bench-shutdown-app FILE INDEX BENCHPID */
int WINAPI wWinMain(HINSTANCE instance, HINSTANCE prev, WCHAR *cmdline, int show)
{
    WNDCLASSW cls = { 0 };
    WCHAR title[64], **argv;
    const WCHAR *file_name;
    unsigned int index;
    DWORD bench_pid;
    HANDLE file;
    MSG msg;
    int argc;

    if (!(argv = CommandLineToArgvW(GetCommandLineW(), &argc)) || argc != 4) return 2;
    file_name = argv[1];
    index = wcstoul(argv[2], NULL, 10);
    bench_pid = wcstoul(argv[3], NULL, 10);
    app_index = index < MAX_APPS ? index : 0;
    stamps = map_stamps(bench_pid, FALSE);
    cls.lpfnWndProc = app_proc;
    cls.hInstance = GetModuleHandleW(NULL);
    cls.lpszClassName = APP_CLASS;
    RegisterClassW(&cls);
    swprintf(title, ARRAYSIZE(title), L"bench app %u of %lu", index, bench_pid);
    CreateWindowW(APP_CLASS, title, WS_OVERLAPPEDWINDOW | WS_VISIBLE, 0, 0, 300, 100, NULL, NULL, cls.hInstance, NULL);
    file = CreateFileW(file_name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_ALWAYS, 0, NULL);
    if (file == INVALID_HANDLE_VALUE) return 1;
    if (stamps) stamps->ready[app_index] = counter();
    while (GetMessageW(&msg, NULL, 0, 0) > 0)
    {
        TranslateMessage(&msg);
        DispatchMessageW(&msg);
    }
    CloseHandle(file);
    return 0;
}

#else  /* BENCH_APP */

/* ------------------------------------------------------------------ the benchmark */

static unsigned int napps = 10;
static WCHAR app[MAX_PATH], dir[MAX_PATH];
static LARGE_INTEGER freq;

static unsigned int problems;   /* in the current round */

static double to_ms(LONGLONG ticks)
{
    return ticks * 1000.0 / freq.QuadPart;
}

/* Something that makes a round's figures meaningless: said, and counted. */
static void problem(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    problems++;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Leaves the values as they are. */
static double median(const double *values, unsigned int count)
{
    double sorted[MAX_ROUNDS];

    memcpy(sorted, values, count * sizeof(*values));
    qsort(sorted, count, sizeof(*sorted), compare_double);
    return count % 2 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
}

static void file_name(unsigned int i, WCHAR *name)
{
    swprintf(name, MAX_PATH, L"%ls\\benchshut%02u.txt", dir, i);
}

/* Wait until every application holds its file; the counter when the last did, or 0. */
static LONGLONG wait_all_ready(DWORD timeout)
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

static BOOL start_apps(HANDLE *processes, double *started)
{
    LONGLONG start = counter(), ready;
    unsigned int i;

    memset(stamps, 0, sizeof(*stamps));
    for (i = 0; i < napps; i++)
    {
        STARTUPINFOW si = { sizeof(si) };
        PROCESS_INFORMATION pi;
        WCHAR cmdline[3 * MAX_PATH], name[MAX_PATH];

        file_name(i, name);
        swprintf(cmdline, ARRAYSIZE(cmdline), L"\"%ls\" \"%ls\" %u %lu", app, name, i, GetCurrentProcessId());
        if (!CreateProcessW(app, cmdline, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
        {
            printf("cannot start the application: %lu\n", GetLastError());
            return FALSE;
        }
        CloseHandle(pi.hThread);
        processes[i] = pi.hProcess;
    }
    if (!(ready = wait_all_ready(30000)))
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

static void end_apps(HANDLE *processes)
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
static LONGLONG first_query(void)
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
static double own_close(HANDLE *processes)
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
    if (WaitForMultipleObjects(napps, processes, TRUE, 20000)) problem("own close: the applications did not exit\n");
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

struct restarted
{
    HANDLE *processes;
    unsigned int count;
    const HANDLE *closed;   /* the set RmShutdown closed: any still running is no restarted one */
};

/* The applications RmRestart started: our windows. */
static BOOL CALLBACK find_restarted(HWND hwnd, LPARAM param)
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

int wmain(int argc, WCHAR **argv)
{
    static double own[MAX_ROUNDS], list[MAX_ROUNDS], shut[MAX_ROUNDS], to_query[MAX_ROUNDS], closing[MAX_ROUNDS],
                  added[MAX_ROUNDS], restart[MAX_ROUNDS], ready[MAX_ROUNDS], own_start[MAX_ROUNDS];
    static const char *format = "%5s %9.1f %9.1f %10.1f %9.1f %8.1f %8.1f %9.1f %9.1f %9.1f%s\n";
    HANDLE processes[MAX_APPS] = { 0 }, restarted_processes[MAX_APPS] = { 0 };
    WCHAR *names[MAX_APPS], *slash;
    unsigned int rounds = 5, r, i, done = 0, bad = 0;
    int arg;

    for (arg = 1; arg + 1 < argc; arg += 2)
    {
        if (!wcscmp(argv[arg], L"--rounds")) rounds = wcstoul(argv[arg + 1], NULL, 10);
        else if (!wcscmp(argv[arg], L"--apps")) napps = wcstoul(argv[arg + 1], NULL, 10);
    }
    if (!rounds || rounds > MAX_ROUNDS) rounds = 5;
    if (!napps || napps > MAX_APPS) napps = 10;

    QueryPerformanceFrequency(&freq);
    GetModuleFileNameW(NULL, app, MAX_PATH);
    if (!(slash = wcsrchr(app, '\\'))) return 1;
    wcscpy(slash + 1, L"bench-shutdown-app.exe");
    if (GetFileAttributesW(app) == INVALID_FILE_ATTRIBUTES)
    {
        printf("bench-shutdown-app.exe is not beside this program\n");
        return 1;
    }
    if (!(stamps = map_stamps(GetCurrentProcessId(), TRUE)))
    {
        printf("cannot create the shared memory: %lu\n", GetLastError());
        return 1;
    }
    GetTempPathW(MAX_PATH, dir);
    swprintf(dir + wcslen(dir), MAX_PATH - wcslen(dir), L"rmbenchshut%lu", GetCurrentProcessId());
    CreateDirectoryW(dir, NULL);
    for (i = 0; i < napps; i++)
    {
        names[i] = malloc(MAX_PATH * sizeof(WCHAR));
        file_name(i, names[i]);
    }

    /* Untimed warm-up: loads what the first list needs (and, for 32-bit, starts the 64-bit
     * helper, which a real installer pays once). */
    {
        WCHAR key[CCH_RM_SESSION_KEY + 1];
        RM_PROCESS_INFO info[MAX_APPS];
        UINT needed, count = ARRAYSIZE(info);
        DWORD session, reasons;

        if (!RmStartSession(&session, 0, key))
        {
            RmRegisterResources(session, napps, (LPCWSTR *)names, 0, NULL, 0, NULL);
            RmGetList(session, &needed, &count, info, &reasons);
            RmEndSession(session);
        }
    }

    printf("bench-shutdown (%d-bit), %u window applications, %u rounds, milliseconds\n", (int)sizeof(void *) * 8,
           napps, rounds);
    printf("%5s %9s %9s %10s %9s %8s %8s %9s %9s %9s\n", "round", "own close", "RmGetList", "RmShutdown",
           "to 1st msg", "close", "added", "RmRestart", "+running", "own start");
    for (r = 0; r < rounds; r++)
    {
        struct restarted restarted = { restarted_processes, 0, processes };
        WCHAR key[CCH_RM_SESSION_KEY + 1];
        char label[8];
        RM_PROCESS_INFO info[MAX_APPS + 16];
        UINT needed = 0, count = ARRAYSIZE(info);
        DWORD session, reasons = 0, ret;
        LONGLONG start, end, query, last;
        unsigned int listed = 0;
        double unused;

        problems = 0;
        if (!start_apps(processes, &own_start[r])) break;
        own[r] = own_close(processes);

        if (!start_apps(processes, &unused)) break;
        if ((ret = RmStartSession(&session, 0, key)))
        {
            printf("RmStartSession failed: %lu\n", ret);
            break;
        }
        if ((ret = RmRegisterResources(session, napps, (LPCWSTR *)names, 0, NULL, 0, NULL)))
            problem("RmRegisterResources failed: %lu\n", ret);

        start = counter();
        ret = RmGetList(session, &needed, &count, info, &reasons);
        list[r] = to_ms(counter() - start);
        if (ret || reasons) problem("RmGetList: error %lu, reboot reasons %#lx\n", ret, reasons);
        for (i = 0; i < count; i++) if (info[i].ApplicationType == RmMainWindow) listed++;
        if (listed != napps) problem("RmGetList lists %u window applications, not %u\n", listed, napps);

        start = counter();
        ret = RmShutdown(session, 0, NULL);
        end = counter();
        shut[r] = to_ms(end - start);
        query = first_query();
        to_query[r] = query ? to_ms(query - start) : -1;
        closing[r] = query ? to_ms(end - query) : -1;
        if (ret) problem("RmShutdown failed: %lu\n", ret);
        if (WaitForMultipleObjects(napps, processes, TRUE, 0)) problem("RmShutdown returned before every application exited\n");

        memset(stamps, 0, sizeof(*stamps));
        start = counter();
        ret = RmRestart(session, 0, NULL);
        restart[r] = to_ms(counter() - start);
        if (ret) problem("RmRestart failed: %lu\n", ret);
        last = wait_all_ready(30000);
        ready[r] = last ? to_ms(last - start) : -1;
        if (!last) problem("the restarted applications did not all open their files\n");
        RmEndSession(session);
        EnumWindows(find_restarted, (LPARAM)&restarted);
        if (restarted.count != napps) problem("found %u restarted applications, not %u\n", restarted.count, napps);
        end_apps(restarted_processes);
        end_apps(processes);  /* those RmShutdown left running, if any */

        added[r] = shut[r] - own[r];
        sprintf(label, "%u", r + 1);
        printf(format, label, own[r], list[r], shut[r], to_query[r], closing[r], added[r], restart[r], ready[r],
               own_start[r], problems ? "  (!)" : "");
        if (problems) bad++;
        done++;
    }
    end_apps(processes);
    end_apps(restarted_processes);
    if (done)
        printf(format, "med", median(own, done), median(list, done), median(shut, done), median(to_query, done),
               median(closing, done), median(added, done), median(restart, done), median(ready, done),
               median(own_start, done), bad ? "  (!)" : "");
    if (bad) printf("(!) %u of %u rounds went wrong (see above): their figures, and the medians, mean nothing\n", bad, done);
    printf("own close: WM_QUERYENDSESSION to every top-level window, one after another, then\n"
           "WM_ENDSESSION(TRUE), then WM_CLOSE to windows left, then one wait for all: the DLL's sequence.\n"
           "RmShutdown = to 1st msg (its own list refresh, as long as RmGetList, and preparations) + close.\n"
           "added = RmShutdown - own close (goal: under 50 ms).  +running: RmRestart until all hold their\n"
           "files again; own start: the same for this process starting them (CreateProcess each)\n");

    for (i = 0; i < napps; i++)
    {
        DeleteFileW(names[i]);
        free(names[i]);
    }
    RemoveDirectoryW(dir);
    return done == rounds ? 0 : 1;
}

#endif  /* BENCH_APP */
