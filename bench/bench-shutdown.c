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
 * The applications are bench-shutdown-app.exe (app.c, driven through apps.c), found beside
 * this program.  Each round starts two sets of them, untimed, and waits until every one holds
 * its file:
 *
 *   own close   this process closes the first set exactly as the DLL does: WM_QUERYENDSESSION
 *               (ENDSESSION_CLOSEAPP) sent to every top-level window of the applications, one
 *               window after another; then WM_ENDSESSION(TRUE) the same way; then WM_CLOSE
 *               posted to any window still there; then a wait for each process in turn.  Timed
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

#include "apps.h"

#define MAX_ROUNDS 99

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
    if (!napps || napps > MAXIMUM_WAIT_OBJECTS) napps = 10;  /* own close waits for all at once */

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
        if (!start_apps(processes, &own_start[r], NULL)) break;
        own[r] = own_close(processes);

        if (!start_apps(processes, &unused, NULL)) break;
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
           "WM_ENDSESSION(TRUE), then WM_CLOSE to windows left, then a wait for each: the DLL's sequence.\n"
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
