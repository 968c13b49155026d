/*
 * bench-getlist: RmGetList against the floor of the work it must do
 *
 * Copyright 2026 The rstrtmgr authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * usage: bench-getlist [--runs N] [--files LIST] [--procs LIST]
 *        (defaults: 7 runs, files 1,100,10000, processes 10,50)
 *
 * Each file count runs twice: without and with an executable image among the registered
 * files (a copy of this program that nobody has loaded).  The registered files are names that
 * do not exist, as installers register the files they are about to write, then the file one
 * holder holds.  Every run starts a new session and registers the files, then measures,
 * interleaved: the first-call floor, the first RmGetList, then three times the repeated-call
 * floor and a further RmGetList (the run's repeated figures are the medians of those three).  The floors (floor.c says what they are and why) are measured in the same run and
 * the same process.  Each figure is the median of N runs, in milliseconds.
 *
 * Goals (issue 11): first call at most 1.5x its floor at 1 and 100 files, 2x at 10,000;
 * repeated call at most 1.25x its floor.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>
#include <windows.h>
#include <restartmanager.h>

#include "floor.h"

static HANDLE *start_holders(unsigned int count, const WCHAR *dir)
{
    HANDLE *processes = calloc(count, sizeof(*processes));
    WCHAR self[MAX_PATH], cmdline[3 * MAX_PATH];
    unsigned int i;

    GetModuleFileNameW(NULL, self, MAX_PATH);
    for (i = 0; i < count; i++)
    {
        STARTUPINFOW si = { sizeof(si) };
        PROCESS_INFORMATION pi;

        swprintf(cmdline, ARRAYSIZE(cmdline), L"\"%ls\" hold \"%ls\\held%u.txt\"", self, dir, i);
        if (!CreateProcessW(NULL, cmdline, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) continue;
        CloseHandle(pi.hThread);
        processes[i] = pi.hProcess;
    }
    return processes;
}

static void stop_holders(HANDLE *processes, unsigned int count)
{
    unsigned int i;

    for (i = 0; i < count; i++)
    {
        if (!processes[i]) continue;
        TerminateProcess(processes[i], 0);
        WaitForSingleObject(processes[i], 5000);
        CloseHandle(processes[i]);
    }
    free(processes);
}

static unsigned int parse_list(const WCHAR *text, unsigned int *values, unsigned int max)
{
    unsigned int count = 0;

    while (*text && count < max)
    {
        WCHAR *end;

        values[count++] = wcstoul(text, &end, 10);
        text = *end == ',' ? end + 1 : end;
        if (end == text && *end != ',') break;
    }
    return count;
}

#define MAX_RUNS 99
#define REPEATS 3

struct row
{
    unsigned int nfiles, nprocs;
    BOOL image;
    double first_floor[MAX_RUNS], first[MAX_RUNS], floor[MAX_RUNS], repeated[MAX_RUNS];
    struct floor_counts counts;
    unsigned int found;
};

/* Names that exist nowhere, then the held file of the first holder, then the image. */
static WCHAR **make_names(const WCHAR *dir, unsigned int nfiles, BOOL image, const WCHAR *image_copy)
{
    WCHAR **names = calloc(nfiles + 1, sizeof(*names));
    unsigned int i;

    for (i = 0; i < nfiles + image; i++)
    {
        names[i] = malloc(MAX_PATH * sizeof(WCHAR));
        if (i == nfiles - 1) swprintf(names[i], MAX_PATH, L"%ls\\held0.txt", dir);
        else if (i == nfiles) wcscpy(names[i], image_copy);
        else swprintf(names[i], MAX_PATH, L"%ls\\app\\component%05u.dll", dir, i);
    }
    return names;
}

static double list_once(DWORD session, unsigned int *found)
{
    RM_PROCESS_INFO info[16];
    UINT needed = 0, count = ARRAYSIZE(info);
    DWORD reasons, ret;
    double start = now_ms();

    ret = RmGetList(session, &needed, &count, info, &reasons);
    start = now_ms() - start;
    if (ret) printf("RmGetList failed: %lu\n", ret);
    *found = needed;
    return start;
}

/* One run: a new session registers the names in batches of 1,000; then the calls and floors. */
static BOOL run_once(struct row *row, unsigned int r, const WCHAR **names)
{
    unsigned int total = row->nfiles + row->image, i;
    WCHAR key[CCH_RM_SESSION_KEY + 1];
    struct floor_counts names_counts;
    double floors[REPEATS], repeats[REPEATS];
    DWORD session, ret;

    if ((ret = RmStartSession(&session, 0, key)))
    {
        printf("RmStartSession failed: %lu\n", ret);
        return FALSE;
    }
    for (i = 0; i < total; i += 1000)
        if ((ret = RmRegisterResources(session, min(total - i, 1000), names + i, 0, NULL, 0, NULL)))
            printf("RmRegisterResources failed: %lu\n", ret);
    row->first_floor[r] = measure_names_floor(names, total, &names_counts)
                          + measure_list_floor(row->image, &row->counts);
    row->first[r] = list_once(session, &row->found);
    /* The repeated call, three times against its floor, interleaved: the run's figure is the
     * median of each, so that one stall of either does not decide a ratio of a few ms. */
    for (i = 0; i < REPEATS; i++)
    {
        floors[i] = measure_list_floor(row->image, &row->counts);
        repeats[i] = list_once(session, &row->found);
    }
    row->floor[r] = median(floors, REPEATS);
    row->repeated[r] = median(repeats, REPEATS);
    RmEndSession(session);
    return TRUE;
}

static void print_row(struct row *row, unsigned int runs)
{
    double first_floor = median(row->first_floor, runs), first = median(row->first, runs);
    double floor_ms = median(row->floor, runs), repeated = median(row->repeated, runs);
    double first_goal = row->nfiles >= 10000 ? 2.0 : 1.5;
    char modules[16] = "-";

    if (row->image) sprintf(modules, "%u/%u", row->counts.readable, row->counts.readable + row->counts.unreadable);
    printf("%6u %5s %5u %7u %7s %8.1f %8.1f %6.2fx%s %8.1f %8.1f %6.2fx%s%s\n", row->nfiles, row->image ? "+1" : "-",
           row->nprocs, row->counts.file_handles, modules, first_floor, first, first / first_floor,
           first / first_floor <= first_goal ? " " : "!", floor_ms, repeated, repeated / floor_ms,
           repeated / floor_ms <= 1.25 ? " " : "!", row->found == 1 ? "" : "  (holder not found!)");
}

static void print_legend(void)
{
    printf("first: the first RmGetList after registering (a new session each run); repeated: the\n"
           "next three (their median in each run).  first floor = the names floor (canonical form of\n"
           "every name, which exist, and two bytes of each existing file: floor.c) + the handle table\n"
           "(+ module lists with an image); floor = the handle table (+ module lists).  '!' marks a\n"
           "ratio above its goal (first call: 1.5x, 2x at 10,000 files; repeated: 1.25x).  image +1: a\n"
           "copy of an executable nobody has loaded is registered too; only then must RmGetList (and\n"
           "the floor) read every module list.\n");
    printf("modules: processes whose module list this process could read itself / all processes%s\n",
           floor_helper_running() ? " (the floor asks rmhelper64.exe for the others)" : "");
}

static void parse_args(int argc, WCHAR **argv, unsigned int *runs, unsigned int *file_counts,
                       unsigned int *nfile_counts, unsigned int *proc_counts, unsigned int *nproc_counts)
{
    int arg;

    for (arg = 1; arg + 1 < argc; arg += 2)
    {
        if (!wcscmp(argv[arg], L"--runs")) *runs = wcstoul(argv[arg + 1], NULL, 10);
        else if (!wcscmp(argv[arg], L"--files")) *nfile_counts = parse_list(argv[arg + 1], file_counts, 8);
        else if (!wcscmp(argv[arg], L"--procs")) *nproc_counts = parse_list(argv[arg + 1], proc_counts, 8);
    }
    if (!*runs || *runs > MAX_RUNS) *runs = 7;
}

static void cleanup(const WCHAR *dir, const WCHAR *image_copy)
{
    WCHAR name[MAX_PATH];
    unsigned int i;

    DeleteFileW(image_copy);
    for (i = 0; i < 256; i++)
    {
        swprintf(name, MAX_PATH, L"%ls\\held%u.txt", dir, i);
        DeleteFileW(name);
    }
    RemoveDirectoryW(dir);
}

int wmain(int argc, WCHAR **argv)
{
    unsigned int file_counts[8] = { 1, 100, 10000 }, proc_counts[8] = { 10, 50 };
    unsigned int nfile_counts = 3, nproc_counts = 2, runs = 7, f, p, r, i;
    WCHAR dir[MAX_PATH], image[MAX_PATH], image_copy[MAX_PATH];

    if (argc == 3 && !wcscmp(argv[1], L"hold"))
    {
        HANDLE file = CreateFileW(argv[2], GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_ALWAYS, 0, NULL);

        if (file == INVALID_HANDLE_VALUE) return 1;
        Sleep(INFINITE);
        return 0;
    }
    parse_args(argc, argv, &runs, file_counts, &nfile_counts, proc_counts, &nproc_counts);
    if (sizeof(void *) == 4 && !start_floor_helper())
        printf("rmhelper64.exe is not beside this program: the floor leaves out 64-bit module lists\n");
    GetTempPathW(MAX_PATH, dir);
    swprintf(dir + wcslen(dir), MAX_PATH - wcslen(dir), L"rmbench%lu", GetCurrentProcessId());
    CreateDirectoryW(dir, NULL);
    /* An image nobody has loaded: registering it makes RmGetList read every module list. */
    GetModuleFileNameW(NULL, image, MAX_PATH);
    swprintf(image_copy, MAX_PATH, L"%ls\\image.exe", dir);
    CopyFileW(image, image_copy, FALSE);

    printf("bench-getlist (%d-bit), median of %u runs, milliseconds\n", (int)sizeof(void *) * 8, runs);
    printf("%6s %5s %5s %7s %7s %8s %8s %7s %8s %8s %7s\n", "files", "image", "procs", "handles", "modules",
           "1stfloor", "first", "ratio", "floor", "repeated", "ratio");
    for (p = 0; p < nproc_counts; p++)
    {
        HANDLE *holders = start_holders(proc_counts[p], dir);

        Sleep(1000 + 20 * proc_counts[p]);  /* let every holder open its file */
        for (f = 0; f < nfile_counts * 2; f++)
        {
            struct row row = { file_counts[f / 2], proc_counts[p], f % 2 };
            WCHAR **names = make_names(dir, row.nfiles, row.image, image_copy);

            for (r = 0; r < runs; r++) if (!run_once(&row, r, (const WCHAR **)names)) return 1;
            print_row(&row, runs);
            for (i = 0; i < row.nfiles + row.image; i++) free(names[i]);
            free(names);
        }
        stop_holders(holders, proc_counts[p]);
    }
    print_legend();
    cleanup(dir, image_copy);
    return 0;
}
