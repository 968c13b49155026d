/*
 * bench-scale: RmGetList, RmShutdown and RmRestart with 200 processes using registered files
 *
 * Copyright 2026 The rstrtmgr authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * usage: bench-scale [--runs N] [--procs LIST]     (defaults: 5 runs, 50,100,200 processes)
 *
 * A public Windows test suite notes that Microsoft's Restart Manager could not handle more
 * than 127 processes.  This starts window applications (bench-shutdown-app.exe, found beside
 * this program) in steps up to the last count, each holding its own file; one session has all
 * their files registered.  At each step RmGetList is timed (median of N calls, with the
 * repeated-call floor of floor.c measured in the same run) and the time per process printed,
 * with the slope from the step before (linear means a flat slope).  At the last step it
 * checks that RmGetList lists every application, that RmShutdown closes them all and that
 * RmRestart starts every one again; each check prints "ok" or "FAILED", and the exit code is
 * the number of failed checks.
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

static HANDLE processes[MAX_APPS], restarted_processes[MAX_APPS];
static unsigned int failures;

static void check(BOOL ok, const char *format, ...)
{
    va_list args;

    printf("%s: ", ok ? "ok" : "FAILED");
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    if (!ok) failures++;
}

/* RmGetList into a buffer for every application; the count of window applications listed. */
static DWORD list_all(DWORD session, unsigned int *needed, unsigned int *windows)
{
    static RM_PROCESS_INFO info[MAX_APPS + 16];
    UINT count = ARRAYSIZE(info), i;
    DWORD reasons, ret;

    ret = RmGetList(session, needed, &count, info, &reasons);
    for (i = 0, *windows = 0; !ret && i < count; i++) if (info[i].ApplicationType == RmMainWindow) (*windows)++;
    return ret;
}

/* Start the applications up to count and time RmGetList and its floor there. */
static BOOL measure_step(DWORD session, unsigned int count, unsigned int runs, double *list_ms, double *floor_ms)
{
    double list[MAX_RUNS], floor[MAX_RUNS];
    struct floor_counts counts;
    unsigned int i, needed = 0, windows;

    /* napps counts every started one, so that end_apps ends them all even after a failure. */
    for (i = napps; i < count; i++, napps = i) if (!start_app(i, &processes[i])) return FALSE;
    if (!wait_all_ready(30000 + 300 * count)) return FALSE;
    /* Measured once every application waits for input: starting them loads the machine. */
    for (i = 0; i < count; i++) WaitForInputIdle(processes[i], 10000);
    for (i = 0; i < runs; i++)
    {
        double start;

        floor[i] = measure_list_floor(FALSE, &counts);
        start = now_ms();
        list_all(session, &needed, &windows);
        list[i] = now_ms() - start;
    }
    *list_ms = median(list, runs);
    *floor_ms = median(floor, runs);
    if (needed != count) printf("RmGetList lists %u processes, not %u\n", needed, count);
    return TRUE;
}

/* Every application listed, closed and started again. */
static void check_cycle(DWORD session)
{
    struct restarted restarted = { restarted_processes, 0, processes };
    unsigned int needed = 0, windows = 0, i, exited = 0;
    DWORD ret;
    double start;

    ret = list_all(session, &needed, &windows);
    check(!ret && needed == napps && windows == napps, "RmGetList returns %lu, lists %u window applications of %u\n",
          ret, windows, napps);
    memset(stamps->ready, 0, sizeof(stamps->ready));
    start = now_ms();
    ret = RmShutdown(session, 0, NULL);
    for (i = 0; i < napps; i++) if (!WaitForSingleObject(processes[i], 0)) exited++;
    check(!ret && exited == napps, "RmShutdown returns %lu after %.0f ms; %u of %u applications exited\n", ret,
          now_ms() - start, exited, napps);
    start = now_ms();
    ret = RmRestart(session, 0, NULL);
    printf("RmRestart took %.0f ms\n", now_ms() - start);
    check(!ret && wait_all_ready(60000 + 300 * napps), "RmRestart returns %lu; every application holds its file again\n",
          ret);
    EnumWindows(find_restarted, (LPARAM)&restarted);
    check(restarted.count == napps, "%u of %u applications restarted\n", restarted.count, napps);
    end_apps(restarted_processes);
}

static unsigned int parse_args(int argc, WCHAR **argv, unsigned int *runs, unsigned int *steps)
{
    unsigned int nsteps = 3;
    int arg;

    for (arg = 1; arg + 1 < argc; arg += 2)
    {
        WCHAR *text = argv[arg + 1], *end;

        if (!wcscmp(argv[arg], L"--runs")) *runs = wcstoul(text, NULL, 10);
        else if (!wcscmp(argv[arg], L"--procs"))
            for (nsteps = 0; *text && nsteps < 8; text = *end ? end + 1 : end)
                steps[nsteps++] = min(wcstoul(text, &end, 10), MAX_APPS);
    }
    if (!*runs || *runs > MAX_RUNS) *runs = 5;
    return nsteps;
}

static BOOL prepare(void)
{
    WCHAR *slash;

    QueryPerformanceFrequency(&freq);
    GetModuleFileNameW(NULL, app, MAX_PATH);
    if (!(slash = wcsrchr(app, '\\'))) return FALSE;
    wcscpy(slash + 1, L"bench-shutdown-app.exe");
    if (GetFileAttributesW(app) == INVALID_FILE_ATTRIBUTES)
    {
        printf("bench-shutdown-app.exe is not beside this program\n");
        return FALSE;
    }
    if (!(stamps = map_stamps(GetCurrentProcessId(), TRUE))) return FALSE;
    GetTempPathW(MAX_PATH, dir);
    swprintf(dir + wcslen(dir), MAX_PATH - wcslen(dir), L"rmbenchscale%lu", GetCurrentProcessId());
    CreateDirectoryW(dir, NULL);
    memset(stamps, 0, sizeof(*stamps));
    napps = 0;
    return TRUE;
}

int wmain(int argc, WCHAR **argv)
{
    unsigned int steps[8] = { 50, 100, 200 }, nsteps, runs = 5, s, i, last = 0;
    WCHAR key[CCH_RM_SESSION_KEY + 1], *names[MAX_APPS];
    double list_ms, floor_ms, last_ms = 0;
    DWORD session;

    nsteps = parse_args(argc, argv, &runs, steps);
    if (!nsteps || !prepare()) return 1;
    for (i = 0; i < steps[nsteps - 1]; i++)
    {
        names[i] = malloc(MAX_PATH * sizeof(WCHAR));
        file_name(i, names[i]);
    }
    if (RmStartSession(&session, 0, key)
            || RmRegisterResources(session, steps[nsteps - 1], (const WCHAR **)names, 0, NULL, 0, NULL))
        return 1;

    printf("bench-scale (%d-bit), median of %u runs, milliseconds\n", (int)sizeof(void *) * 8, runs);
    printf("%6s %9s %8s %7s %11s %11s\n", "procs", "RmGetList", "floor", "ratio", "ms/process", "slope");
    for (s = 0; s < nsteps; s++)
    {
        if (!measure_step(session, steps[s], runs, &list_ms, &floor_ms))
        {
            check(FALSE, "%u applications started and holding their files\n", steps[s]);
            break;
        }
        printf("%6u %9.1f %8.1f %6.2fx %11.3f", steps[s], list_ms, floor_ms, list_ms / floor_ms, list_ms / steps[s]);
        if (s) printf(" %11.3f\n", (list_ms - last_ms) / (steps[s] - last));
        else printf(" %11s\n", "-");
        last = steps[s];
        last_ms = list_ms;
    }
    printf("ms/process: RmGetList time / processes; slope: its growth per process since the step before\n");
    if (s == nsteps) check_cycle(session);
    RmEndSession(session);
    end_apps(processes);
    for (i = 0; i < steps[nsteps - 1]; i++)
    {
        DeleteFileW(names[i]);
        free(names[i]);
    }
    RemoveDirectoryW(dir);
    return failures;
}
