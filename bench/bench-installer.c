/*
 * bench-installer: what Inno Setup does with the Restart Manager, against the sum of its floors
 *
 * Copyright 2026 The rstrtmgr authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * usage: bench-installer [--runs N] [--files LIST] [--apps LIST]
 *        (defaults: 5 runs, files 10,1000,10000, window applications 1,10)
 *
 * Each run starts K window applications (bench-shutdown-app.exe run from a copy, app.exe, in
 * the benchmark's folder: an upgrade registers the files of the running program) and a console
 * program holding a file, untimed.  Then a new process (a fresh installer, so a 32-bit one
 * also starts the DLL's 64-bit helper; it lists the windows once, untimed, as an installer
 * with its wizard open has met the window system already) does what Inno Setup 6 does: RmStartSession; registers
 * N files in batches of 1,000 (app.exe, the K held files, the console program's file, then
 * names that do not exist yet); RmGetList starting with room for 5 and growing to what it
 * needs; RmShutdown(0); RmRestart; RmEndSession.  It reports each phase's time.
 *
 * The floors, measured in this process in the same run (floor.c says what each is and why):
 *   session   the registry work of storing the session, its batches and deleting it
 *   list      the names floor plus the handle table and module lists, for each RmGetList call
 *             (a second call's floor has no names part: the names are prepared by then)
 *   shutdown  one more handle table and module lists (RmShutdown refreshes the list), the K
 *             applications closed by this process as the DLL closes them (a second set started
 *             for it), and the console program's own exit once told (an event, not Ctrl+C,
 *             which this process cannot send to another console)
 *   restart   CreateProcess of the K applications (RmRestart returns once they are started;
 *             console programs are not restarted by default)
 * Figures are milliseconds, medians over the runs.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>
#include <windows.h>
#include <restartmanager.h>

#include "apps.h"
#include "floor.h"

#define MAX_RUNS 99
#define PHASES 5        /* session, list, shutdown, restart, total */

static const char *phase_names[PHASES] = { "session", "list", "shutdown", "restart", "total" };

/* app.exe, the held files, the console program's file, then names that do not exist. */
static WCHAR **make_names(unsigned int nfiles, unsigned int *total)
{
    unsigned int i, count = max(nfiles, napps + 2);
    WCHAR **names = calloc(count, sizeof(*names));

    for (i = 0; i < count; i++)
    {
        names[i] = malloc(MAX_PATH * sizeof(WCHAR));
        if (!i) swprintf(names[i], MAX_PATH, L"%ls\\app.exe", dir);
        else if (i <= napps) file_name(i - 1, names[i]);
        else if (i == napps + 1) swprintf(names[i], MAX_PATH, L"%ls\\console.txt", dir);
        else swprintf(names[i], MAX_PATH, L"%ls\\app\\component%05u.dll", dir, i);
    }
    *total = count;
    return names;
}

/* ------------------------------------------------------------------ the installer */

/* RmGetList as Inno Setup 6 calls it: room for 5, then for what it needs, until it fits. */
static DWORD inno_get_list(DWORD session, unsigned int *calls, unsigned int *found)
{
    RM_PROCESS_INFO *infos = NULL;
    UINT needed = 5, count = 0;
    DWORD reasons, ret = ERROR_SUCCESS;

    *calls = 0;
    while (count < needed)
    {
        free(infos);
        if (!(infos = malloc(needed * sizeof(*infos)))) return ERROR_OUTOFMEMORY;
        count = needed;
        ret = RmGetList(session, &needed, &count, infos, &reasons);
        (*calls)++;
        if (ret && ret != ERROR_MORE_DATA) break;
    }
    free(infos);
    *found = needed;
    return ret;
}

static BOOL CALLBACK count_window(HWND hwnd, LPARAM param)
{
    (*(unsigned int *)param)++;
    return TRUE;
}

/* "sequence N K DIR": one installer's calls; writes the phases' times and what happened. */
static int run_sequence(unsigned int nfiles)
{
    WCHAR key[CCH_RM_SESSION_KEY + 1], out_name[MAX_PATH], **names;
    unsigned int total, i, calls = 0, found = 0, windows = 0;
    FILE *out;
    double t[6];
    DWORD session, ret[4] = { 0 };

    names = make_names(nfiles, &total);
    /* An installer has its wizard window open by now: its process has met the window system
     * already, so that first contact is not the Restart Manager's cost. */
    EnumWindows(count_window, (LPARAM)&windows);
    t[0] = now_ms();
    ret[0] = RmStartSession(&session, 0, key);
    for (i = 0; i < total && !ret[0]; i += 1000)
        ret[0] = RmRegisterResources(session, min(total - i, 1000), (const WCHAR **)names + i, 0, NULL, 0, NULL);
    t[1] = now_ms();
    ret[1] = inno_get_list(session, &calls, &found);
    t[2] = now_ms();
    ret[2] = RmShutdown(session, 0, NULL);
    t[3] = now_ms();
    ret[3] = RmRestart(session, 0, NULL);
    t[4] = now_ms();
    RmEndSession(session);
    t[5] = now_ms();
    swprintf(out_name, MAX_PATH, L"%ls\\result.txt", dir);
    if (!(out = _wfopen(out_name, L"w"))) return 1;
    fprintf(out, "%f %f %f %f %f %u %u %lu %lu %lu %lu\n", t[1] - t[0] + t[5] - t[4], t[2] - t[1], t[3] - t[2],
            t[4] - t[3], t[5] - t[0], calls, found, ret[0], ret[1], ret[2], ret[3]);
    fclose(out);
    return 0;
}

/* "console FILE EVENT": hold the file until told (or until Ctrl+C ends us). */
static int run_console(const WCHAR *file_name, const WCHAR *event_name)
{
    HANDLE file = CreateFileW(file_name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_ALWAYS, 0, NULL);
    HANDLE event = OpenEventW(SYNCHRONIZE, FALSE, event_name);

    if (file == INVALID_HANDLE_VALUE || !event) return 1;
    WaitForSingleObject(event, INFINITE);
    return 0;
}

/* ------------------------------------------------------------------ the benchmark */

struct results
{
    double api[PHASES][MAX_RUNS], floor[PHASES][MAX_RUNS];
    unsigned int calls, found, done;
    unsigned int stalls;    /* floors' closes measured again after an X11 stall */
};

static HANDLE start_console(HANDLE event)
{
    STARTUPINFOW si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    WCHAR self[MAX_PATH], cmdline[3 * MAX_PATH], held[MAX_PATH];
    unsigned int i;
    HANDLE probe;

    GetModuleFileNameW(NULL, self, MAX_PATH);
    swprintf(held, MAX_PATH, L"%ls\\console.txt", dir);
    swprintf(cmdline, ARRAYSIZE(cmdline), L"\"%ls\" console \"%ls\" rmbench_console_%lu", self, held,
             GetCurrentProcessId());
    ResetEvent(event);
    if (!CreateProcessW(self, cmdline, NULL, NULL, FALSE, CREATE_NO_WINDOW, NULL, NULL, &si, &pi)) return NULL;
    CloseHandle(pi.hThread);
    /* Ready once the file is held without sharing. */
    for (i = 0; i < 3000; i++)
    {
        probe = CreateFileW(held, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                            OPEN_EXISTING, 0, NULL);
        if (probe == INVALID_HANDLE_VALUE && GetLastError() == ERROR_SHARING_VIOLATION) break;
        if (probe != INVALID_HANDLE_VALUE) CloseHandle(probe);
        Sleep(10);
    }
    return pi.hProcess;
}

/* Run one installer process; the line of figures it writes to a file goes into the results. */
static BOOL run_installer(unsigned int nfiles, struct results *res, unsigned int r)
{
    STARTUPINFOW si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    WCHAR self[MAX_PATH], cmdline[3 * MAX_PATH], out_name[MAX_PATH];
    char line[512] = "";
    DWORD got = 0, ret[4];
    HANDLE out;
    int fields;

    GetModuleFileNameW(NULL, self, MAX_PATH);
    swprintf(out_name, MAX_PATH, L"%ls\\result.txt", dir);
    DeleteFileW(out_name);
    swprintf(cmdline, ARRAYSIZE(cmdline), L"\"%ls\" sequence %u %u \"%ls\"", self, nfiles, napps, dir);
    if (!CreateProcessW(self, cmdline, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) return FALSE;
    CloseHandle(pi.hThread);
    if (WaitForSingleObject(pi.hProcess, 300000)) problem("the installer process did not finish\n");
    CloseHandle(pi.hProcess);
    out = CreateFileW(out_name, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (out != INVALID_HANDLE_VALUE)
    {
        ReadFile(out, line, sizeof(line) - 1, &got, NULL);
        line[got] = 0;
        CloseHandle(out);
    }
    fields = sscanf(line, "%lf %lf %lf %lf %lf %u %u %lu %lu %lu %lu", &res->api[0][r], &res->api[1][r],
                    &res->api[2][r], &res->api[3][r], &res->api[4][r], &res->calls, &res->found, &ret[0], &ret[1],
                    &ret[2], &ret[3]);
    if (fields != 11) problem("the installer process wrote: %s\n", line);
    else if (ret[0] || ret[1] || ret[2] || ret[3])
        problem("register %lu, RmGetList %lu, RmShutdown %lu, RmRestart %lu\n", ret[0], ret[1], ret[2], ret[3]);
    else if (res->found != napps + 1) problem("RmGetList found %u processes, not %u\n", res->found, napps + 1);
    return fields == 11;
}

/* The restarted applications hold their files again: end them, untimed. */
static void end_restarted(const HANDLE *closed)
{
    HANDLE restarted_processes[MAX_APPS] = { 0 };
    struct restarted restarted = { restarted_processes, 0, closed };

    if (!wait_all_ready(30000)) problem("the restarted applications did not all open their files\n");
    EnumWindows(find_restarted, (LPARAM)&restarted);
    if (restarted.count != napps) problem("found %u restarted applications, not %u\n", restarted.count, napps);
    end_apps(restarted_processes);
}

/* Wine's X11 driver waits up to 2 s for a window manager to withdraw a managed window, and
 * Xvfb runs none: now and then one application's exit takes those 2 s ("wait_for_withdrawn_state
 * ... wait timed out" with WINEDEBUG=fixme+event), seen in the benchmark's own close far more
 * often than in RmShutdown's.  A floor is the least the work takes, so such a close is done
 * again, at most twice, with new applications; the retries are counted and printed.  The
 * API's figures are never measured again.  Returns the close's time, 0 on failure. */
#define STALL_MS 1900.0

static double close_apps_once(HANDLE *processes, double *created, unsigned int *stalls)
{
    double unused, close = 0;
    unsigned int attempt;

    for (attempt = 0; attempt < 3; attempt++)
    {
        if (!start_apps(processes, &unused, created)) return 0;
        if ((close = own_close(processes)) < STALL_MS) break;
        (*stalls)++;
    }
    return close;
}

/* The floors of one run, in this process. */
static BOOL measure_floors(const WCHAR **names, unsigned int total, struct results *res, unsigned int r,
                           HANDLE event)
{
    HANDLE processes[MAX_APPS] = { 0 }, console;
    struct floor_counts counts;
    double start, close;

    res->floor[0][r] = measure_store_floor(names, total, 1000);
    res->floor[1][r] = measure_names_floor(names, total, &counts) + measure_list_floor(TRUE, &counts);
    if (res->calls > 1) res->floor[1][r] += (res->calls - 1) * measure_list_floor(TRUE, &counts);
    res->floor[2][r] = measure_list_floor(TRUE, &counts);
    if (!(close = close_apps_once(processes, &res->floor[3][r], &res->stalls))) return FALSE;
    res->floor[2][r] += close;
    if (!(console = start_console(event))) return FALSE;
    start = now_ms();
    SetEvent(event);
    WaitForSingleObject(console, 10000);
    res->floor[2][r] += now_ms() - start;
    CloseHandle(console);
    res->floor[4][r] = res->floor[0][r] + res->floor[1][r] + res->floor[2][r] + res->floor[3][r];
    return TRUE;
}

/* One run: the applications, an installer process, then the floors. */
static BOOL run_once(unsigned int nfiles, const WCHAR **names, unsigned int total, struct results *res,
                     unsigned int r, HANDLE event)
{
    HANDLE processes[MAX_APPS] = { 0 }, console;
    unsigned int before = problems;
    double unused;
    BOOL ok;

    if (!start_apps(processes, &unused, NULL) || !(console = start_console(event))) return FALSE;
    memset(stamps->ready, 0, sizeof(stamps->ready));
    ok = run_installer(nfiles, res, r);
    if (ok) end_restarted(processes);
    end_apps(processes);
    SetEvent(event);
    WaitForSingleObject(console, 10000);
    CloseHandle(console);
    if (ok) ok = measure_floors(names, total, res, r, event);
    if (ok && problems == before) res->done++;
    return ok;
}

static void print_results(unsigned int nfiles, unsigned int total, struct results *res)
{
    unsigned int p;

    printf("%6u %4u %5u", nfiles, napps, res->calls);
    for (p = 0; p < PHASES; p++)
    {
        double api = median(res->api[p], res->done), floor_ms = median(res->floor[p], res->done);

        printf(" %7.1f/%-7.1f", api, floor_ms);
        if (p == PHASES - 1) printf(" %5.2fx", api / floor_ms);
    }
    printf("%s", total != nfiles ? "  (registers the K+2 real files)" : "");
    if (res->stalls) printf("  (%u floor close%s redone after a 2 s X11 stall)", res->stalls, res->stalls > 1 ? "s" : "");
    printf("\n");
}

static void parse_args(int argc, WCHAR **argv, unsigned int *runs, unsigned int *files, unsigned int *nfiles,
                       unsigned int *apps, unsigned int *napp_counts)
{
    int arg;

    for (arg = 1; arg + 1 < argc; arg += 2)
    {
        WCHAR *text = argv[arg + 1], *end;
        unsigned int *list = NULL, *count = NULL;

        if (!wcscmp(argv[arg], L"--runs")) *runs = wcstoul(text, NULL, 10);
        else if (!wcscmp(argv[arg], L"--files")) list = files, count = nfiles;
        else if (!wcscmp(argv[arg], L"--apps")) list = apps, count = napp_counts;
        if (!list) continue;
        for (*count = 0; *text && *count < 8; text = *end ? end + 1 : end)
            list[(*count)++] = wcstoul(text, &end, 10);
    }
    if (!*runs || *runs > MAX_RUNS) *runs = 5;
}

static BOOL prepare(HANDLE *event)
{
    WCHAR shut_app[MAX_PATH], event_name[64], *slash;

    QueryPerformanceFrequency(&freq);
    GetModuleFileNameW(NULL, shut_app, MAX_PATH);
    if (!(slash = wcsrchr(shut_app, '\\'))) return FALSE;
    wcscpy(slash + 1, L"bench-shutdown-app.exe");
    if (!(stamps = map_stamps(GetCurrentProcessId(), TRUE))) return FALSE;
    GetTempPathW(MAX_PATH, dir);
    swprintf(dir + wcslen(dir), MAX_PATH - wcslen(dir), L"rmbenchinst%lu", GetCurrentProcessId());
    CreateDirectoryW(dir, NULL);
    swprintf(app, MAX_PATH, L"%ls\\app.exe", dir);
    if (!CopyFileW(shut_app, app, FALSE))
    {
        printf("bench-shutdown-app.exe is not beside this program\n");
        return FALSE;
    }
    swprintf(event_name, ARRAYSIZE(event_name), L"rmbench_console_%lu", GetCurrentProcessId());
    if (sizeof(void *) == 4 && !start_floor_helper())
        printf("rmhelper64.exe is not beside this program: the floor leaves out 64-bit module lists\n");
    return (*event = CreateEventW(NULL, TRUE, FALSE, event_name)) != NULL;
}

static void cleanup(void)
{
    WCHAR name[MAX_PATH];
    unsigned int i;

    for (i = 0; i < 64; i++)
    {
        file_name(i, name);
        DeleteFileW(name);
    }
    swprintf(name, MAX_PATH, L"%ls\\console.txt", dir);
    DeleteFileW(name);
    swprintf(name, MAX_PATH, L"%ls\\result.txt", dir);
    DeleteFileW(name);
    DeleteFileW(app);
    RemoveDirectoryW(dir);
}

int wmain(int argc, WCHAR **argv)
{
    unsigned int files[8] = { 10, 1000, 10000 }, apps[8] = { 1, 10 }, nfiles = 3, napp_counts = 2, runs = 5;
    unsigned int f, a, r, i, total;
    HANDLE event;
    WCHAR **names;

    if (argc == 4 && !wcscmp(argv[1], L"console")) return run_console(argv[2], argv[3]);
    if (argc == 5 && !wcscmp(argv[1], L"sequence"))
    {
        QueryPerformanceFrequency(&freq);
        napps = wcstoul(argv[3], NULL, 10);
        lstrcpynW(dir, argv[4], MAX_PATH);
        return run_sequence(wcstoul(argv[2], NULL, 10));
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    parse_args(argc, argv, &runs, files, &nfiles, apps, &napp_counts);
    if (!prepare(&event)) return 1;

    printf("bench-installer (%d-bit), median of %u runs, milliseconds: API/floor per phase\n",
           (int)sizeof(void *) * 8, runs);
    printf("%6s %4s %5s", "files", "apps", "lists");
    for (i = 0; i < PHASES; i++) printf(" %-15s", phase_names[i]);
    printf(" ratio\n");
    for (a = 0; a < napp_counts; a++)
        for (f = 0; f < nfiles; f++)
        {
            struct results res = { 0 };

            napps = min(apps[a], 64);
            names = make_names(files[f], &total);
            for (r = 0; r < runs; r++)
                if (!run_once(files[f], (const WCHAR **)names, total, &res, r, event)) break;
            if (res.done) print_results(files[f], total, &res);
            if (res.done < runs) printf("  (%u of %u runs went wrong; see above)\n", runs - res.done, runs);
            for (i = 0; i < total; i++) free(names[i]);
            free(names);
        }
    printf("apps: K window applications (plus one console program); lists: RmGetList calls\n"
           "(room for 5 first, as Inno Setup does); session: RmStartSession, the batches of\n"
           "RmRegisterResources and RmEndSession; total: the whole sequence in a new installer\n"
           "process (for 32-bit, with the start of the DLL's 64-bit helper); ratio: total/sum of floors\n");
    cleanup();
    return 0;
}
