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
 * files (a copy of this program that nobody has loaded).  The floor, measured in the same run
 * and the same process: one snapshot of the system handle table and one name query per file
 * handle in it (duplicate, query, close); with an image, also one module list per process
 * (open, then name each module with one walk of its loader list, the cheapest way known:
 * remote.c's name_modules, which the DLL uses too; psapi where the list cannot be walked
 * directly).  A 32-bit process cannot list a 64-bit process's modules itself: its floor adds
 * one request to an already running rmhelper64.exe (found beside this program) for those
 * processes, the cheapest way it has.  Each figure is the median of N runs, in milliseconds.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>
#include <windows.h>
#include <winternl.h>
#include <tlhelp32.h>
#include <psapi.h>
#include <restartmanager.h>

#include "remote.h"

#define SystemExtendedHandleInformation 64

struct handle_entry
{
    void *object;
    ULONG_PTR pid;
    ULONG_PTR value;
    ULONG access;
    USHORT backtrace;
    USHORT type;
    ULONG attributes;
    ULONG reserved;
};

struct handle_snapshot
{
    ULONG_PTR count;
    ULONG_PTR reserved;
    struct handle_entry handles[1];
};

static HANDLE helper_in, helper_out;

/* Start "rmhelper64.exe serve" beside this program, once, outside the timed part. */
static BOOL start_helper(void)
{
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
    STARTUPINFOW si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    WCHAR path[MAX_PATH], cmdline[MAX_PATH + 16], *slash;
    HANDLE in_read, out_write;

    GetModuleFileNameW(NULL, path, MAX_PATH);
    if (!(slash = wcsrchr(path, '\\'))) return FALSE;
    wcscpy(slash + 1, L"rmhelper64.exe");
    if (GetFileAttributesW(path) == INVALID_FILE_ATTRIBUTES) return FALSE;
    if (!CreatePipe(&in_read, &helper_in, &sa, 0) || !CreatePipe(&helper_out, &out_write, &sa, 0)) return FALSE;
    SetHandleInformation(helper_in, HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(helper_out, HANDLE_FLAG_INHERIT, 0);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = in_read;
    si.hStdOutput = out_write;
    swprintf(cmdline, ARRAYSIZE(cmdline), L"\"%ls\" serve", path);
    if (!CreateProcessW(path, cmdline, NULL, NULL, TRUE, CREATE_NO_WINDOW, NULL, NULL, &si, &pi)) return FALSE;
    CloseHandle(in_read);
    CloseHandle(out_write);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    return TRUE;
}

/* One request for the module lists of the given processes, read to its final "." line. */
static void ask_helper(const DWORD *pids, unsigned int count)
{
    static WCHAR answer[1024 * 1024];
    WCHAR request[8192];
    size_t len = 0;
    DWORD done;
    unsigned int i;

    for (i = 0; i < count && len < ARRAYSIZE(request) - 16; i++) len += swprintf(request + len, 10, L"%lx ", pids[i]);
    request[len++] = '\n';
    WriteFile(helper_in, request, (DWORD)(len * sizeof(WCHAR)), &done, NULL);
    len = 0;
    while (ReadFile(helper_out, (BYTE *)answer + len * sizeof(WCHAR), sizeof(answer) - len * sizeof(WCHAR) - 2, &done, NULL)
           && done)
    {
        len += done / sizeof(WCHAR);
        if ((len == 2 && answer[0] == '.') || (len > 2 && !wcsncmp(answer + len - 3, L"\n.\n", 3))) break;
        if (len * sizeof(WCHAR) >= sizeof(answer) - 4096) len = 0;
    }
}

static double now_ms(void)
{
    static LARGE_INTEGER freq;
    LARGE_INTEGER counter;

    if (!freq.QuadPart) QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&counter);
    return counter.QuadPart * 1000.0 / freq.QuadPart;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *values, int count)
{
    qsort(values, count, sizeof(*values), compare_double);
    return values[count / 2];
}

static struct handle_snapshot *snapshot_handles(void)
{
    ULONG size = 1024 * 1024, needed = 0;
    struct handle_snapshot *snapshot;
    NTSTATUS status;

    for (;;)
    {
        if (!(snapshot = malloc(size))) return NULL;
        if (!(status = NtQuerySystemInformation(SystemExtendedHandleInformation, snapshot, size, &needed)))
            return snapshot;
        free(snapshot);
        if (status != (NTSTATUS)0xc0000004) return NULL;
        size = needed + needed / 4 > size * 2 ? needed + needed / 4 : size * 2;
    }
}

static BOOL name_module(void *ctx, const WCHAR *name)
{
    return FALSE;   /* name them all */
}

/* The floor: returns milliseconds; counts what it saw. */
static double measure_floor(BOOL with_modules, unsigned int *file_handles, unsigned int *readable,
                            unsigned int *unreadable)
{
    BOOL self_wow64 = FALSE;
    static BYTE name_buffer[65536];
    PROCESSENTRY32W entry = { sizeof(entry) };
    DWORD unreadable_pids[1024];
    struct handle_snapshot *snapshot;
    HANDLE probe, snap, process = NULL;
    WCHAR path[MAX_PATH], image[MAX_PATH];
    ULONG_PTR i, process_pid = 0;
    USHORT file_type = 0xffff;
    double start;
    BOOL more;

    *file_handles = *readable = *unreadable = 0;
    GetModuleFileNameW(NULL, path, MAX_PATH);
    probe = CreateFileW(path, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                        NULL, OPEN_EXISTING, 0, NULL);

    IsWow64Process(GetCurrentProcess(), &self_wow64);
    start = now_ms();
    if (!(snapshot = snapshot_handles())) return -1;
    for (i = 0; i < snapshot->count; i++)
        if (snapshot->handles[i].pid == GetCurrentProcessId() && snapshot->handles[i].value == (ULONG_PTR)probe)
            file_type = snapshot->handles[i].type;
    for (i = 0; i < snapshot->count; i++)
    {
        const struct handle_entry *e = &snapshot->handles[i];
        HANDLE dup;
        ULONG len;

        if (e->type != file_type) continue;
        if (e->pid != process_pid)
        {
            if (process) CloseHandle(process);
            process = OpenProcess(PROCESS_DUP_HANDLE, FALSE, (DWORD)e->pid);
            process_pid = e->pid;
        }
        if (!process || !DuplicateHandle(process, (HANDLE)e->value, GetCurrentProcess(), &dup, 0, FALSE,
                                         DUPLICATE_SAME_ACCESS))
            continue;
        NtQueryObject(dup, 1, name_buffer, sizeof(name_buffer), &len);
        CloseHandle(dup);
        (*file_handles)++;
    }
    if (process) CloseHandle(process);
    free(snapshot);
    if (!with_modules)
    {
        start = now_ms() - start;
        CloseHandle(probe);
        return start;
    }

    snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    for (more = Process32FirstW(snap, &entry); more; more = Process32NextW(snap, &entry))
    {
        DWORD len = MAX_PATH;
        BOOL wow64;

        if (!entry.th32ProcessID) continue;
        if (!(process = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, entry.th32ProcessID)))
            continue;
        QueryFullProcessImageNameW(process, 0, image, &len);
        /* A 64-bit process, from 32-bit: only the helper can read its modules. */
        if (!(self_wow64 && IsWow64Process(process, &wow64) && !wow64)
                && name_modules(process, name_module, NULL))
            (*readable)++;
        else
        if (*unreadable < ARRAYSIZE(unreadable_pids)) unreadable_pids[(*unreadable)++] = entry.th32ProcessID;
        CloseHandle(process);
    }
    CloseHandle(snap);
    if (*unreadable && helper_in) ask_helper(unreadable_pids, *unreadable);
    start = now_ms() - start;
    CloseHandle(probe);
    return start;
}

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

int wmain(int argc, WCHAR **argv)
{
    unsigned int file_counts[8] = { 1, 100, 10000 }, proc_counts[8] = { 10, 50 };
    unsigned int nfile_counts = 3, nproc_counts = 2, runs = 7, f, p, r, i;
    WCHAR dir[MAX_PATH], image[MAX_PATH], image_copy[MAX_PATH];
    int arg;

    if (argc == 3 && !wcscmp(argv[1], L"hold"))
    {
        HANDLE file = CreateFileW(argv[2], GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_ALWAYS, 0, NULL);

        if (file == INVALID_HANDLE_VALUE) return 1;
        Sleep(INFINITE);
        return 0;
    }
    for (arg = 1; arg + 1 < argc; arg += 2)
    {
        if (!wcscmp(argv[arg], L"--runs")) runs = wcstoul(argv[arg + 1], NULL, 10);
        else if (!wcscmp(argv[arg], L"--files")) nfile_counts = parse_list(argv[arg + 1], file_counts, 8);
        else if (!wcscmp(argv[arg], L"--procs")) nproc_counts = parse_list(argv[arg + 1], proc_counts, 8);
    }
    if (!runs || runs > 99) runs = 7;

    if (sizeof(void *) == 4 && !start_helper())
        printf("rmhelper64.exe is not beside this program: the floor leaves out 64-bit module lists\n");
    GetTempPathW(MAX_PATH, dir);
    swprintf(dir + wcslen(dir), MAX_PATH - wcslen(dir), L"rmbench%lu", GetCurrentProcessId());
    CreateDirectoryW(dir, NULL);

    printf("bench-getlist (%d-bit), median of %u runs, milliseconds\n", (int)sizeof(void *) * 8, runs);
    /* An image nobody has loaded: registering it makes RmGetList read every module list. */
    GetModuleFileNameW(NULL, image, MAX_PATH);
    swprintf(image_copy, MAX_PATH, L"%ls\\image.exe", dir);
    CopyFileW(image, image_copy, FALSE);

    printf("%6s %6s %6s %9s %8s %9s %10s %7s %11s\n", "files", "image", "procs", "handles", "modules", "floor ms",
           "RmGetList", "ratio", "first call");
    for (p = 0; p < nproc_counts; p++)
    {
        HANDLE *holders = start_holders(proc_counts[p], dir);

        Sleep(1000 + 20 * proc_counts[p]);  /* let every holder open its file */
        for (f = 0; f < nfile_counts * 2; f++)
        {
            BOOL with_image = f % 2;
            UINT nfiles = file_counts[f / 2];
            double floor_times[100], list_times[100], first = 0;
            unsigned int handles = 0, readable = 0, unreadable = 0, found = 0;
            WCHAR key[CCH_RM_SESSION_KEY + 1], **names;
            DWORD session, ret;

            /* The held file of the first holder, then names that exist nowhere, as installers
             * register the files they are about to write. */
            names = calloc(nfiles + 1, sizeof(*names));
            for (i = 0; i < nfiles + with_image; i++)
            {
                names[i] = malloc(MAX_PATH * sizeof(WCHAR));
                if (!i) swprintf(names[i], MAX_PATH, L"%ls\\held0.txt", dir);
                else if (i == nfiles) wcscpy(names[i], image_copy);
                else swprintf(names[i], MAX_PATH, L"%ls\\app\\component%05u.dll", dir, i);
            }
            if ((ret = RmStartSession(&session, 0, key)))
            {
                printf("RmStartSession failed: %lu\n", ret);
                return 1;
            }
            for (i = 0; i < nfiles + with_image; i += 1000)
            {
                UINT n = nfiles + with_image - i < 1000 ? nfiles + with_image - i : 1000;
                if ((ret = RmRegisterResources(session, n, (LPCWSTR *)names + i, 0, NULL, 0, NULL)))
                    printf("RmRegisterResources failed: %lu\n", ret);
            }

            for (r = 0; r < runs; r++)
            {
                RM_PROCESS_INFO info[16];
                UINT needed = 0, count = ARRAYSIZE(info);
                DWORD reasons;
                double start;

                floor_times[r] = measure_floor(with_image, &handles, &readable, &unreadable);
                start = now_ms();
                ret = RmGetList(session, &needed, &count, info, &reasons);
                list_times[r] = now_ms() - start;
                if (!r) first = list_times[r];
                if (ret) printf("RmGetList failed: %lu\n", ret);
                found = needed;
            }
            RmEndSession(session);
            for (i = 0; i < nfiles + with_image; i++) free(names[i]);
            free(names);

            {
                double floor_ms = median(floor_times, runs), list_ms = median(list_times, runs);

                if (with_image)
                    printf("%6u %6s %6u %9u %5u/%-3u %9.1f %10.1f %6.2fx %11.1f%s\n", nfiles, "+1", proc_counts[p],
                           handles, readable, readable + unreadable, floor_ms, list_ms, list_ms / floor_ms, first,
                           found == 1 ? "" : "  (holder not found!)");
                else
                    printf("%6u %6s %6u %9u %8s %9.1f %10.1f %6.2fx %11.1f%s\n", nfiles, "-", proc_counts[p], handles,
                           "-", floor_ms, list_ms, list_ms / floor_ms, first, found == 1 ? "" : "  (holder not found!)");
            }
        }
        stop_holders(holders, proc_counts[p]);
    }
    printf("RmGetList: median of the runs; first call: the first RmGetList after registering, which\n"
           "also prepares the registered names (cached until the registration changes)\n");
    printf("image: +1 when an executable image nobody has loaded is registered too; only then must\n"
           "RmGetList (and the floor) read every process's module list\n");
    printf("modules: processes whose module list this process could read itself / all processes%s\n",
           helper_in ? " (the floor asks rmhelper64.exe for the others)" : "");
    DeleteFileW(image_copy);

    for (i = 0; i < 64; i++)
    {
        WCHAR name[MAX_PATH];

        swprintf(name, MAX_PATH, L"%ls\\held%u.txt", dir, i);
        DeleteFileW(name);
    }
    RemoveDirectoryW(dir);
    return 0;
}
