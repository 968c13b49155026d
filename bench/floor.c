/*
 * The floors the benchmarks compare the Restart Manager with: the least work each call must do
 *
 * Copyright 2026 The rstrtmgr authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Each floor is measured in the benchmark's own process, in the same run as the call it is
 * compared with, so that a busy machine slows both alike.
 *
 * Repeated RmGetList (measure_list_floor): one snapshot of the system handle table and one
 * name query per file handle in it (duplicate, query, close); with an image registered, also
 * one module list per process (open, then name each module with one walk of its loader list,
 * remote.c's name_modules, which the DLL uses too).  A 32-bit process cannot list a 64-bit
 * process's modules itself: its floor adds one request to an already running rmhelper64.exe.
 *
 * First RmGetList after a registration (measure_names_floor, added to the above): the least
 * per-name work correct matching needs.
 * - The canonical form of each name: full path (GetFullPathNameW: "." and "..", '/') and upper
 *   case, since the system reports names in its own spelling and case.  The floor leaves out
 *   8.3 expansion (only names with '~' need it) and the hash set (a few hundred nanoseconds).
 * - Which names exist and which of those are directories: a registered directory makes
 *   RmGetList fail (ERROR_ACCESS_DENIED), and a name that does not exist cannot be loaded as an
 *   image, so only existing names can make the module lists necessary.  The least is either
 *   one attribute query per name or one listing per directory (a missing directory answers
 *   for every name in it at once): the floor measures both and takes the smaller.
 * - For each existing file, whether it may be an executable image: open it and read two
 *   bytes ("MZ").  Without this, any existing registered file would make every module list
 *   necessary, which costs far more (tens of milliseconds against tens of microseconds).
 * Windows' own per-file query (FileProcessIdsUsingFileInformation) opens every registered file
 * too; the floor opens only the existing ones, and only once.
 *
 * Session life (measure_store_floor): the registry work that stores the same session, as
 * bench-session's raw cycle: the store's mutex taken once, a volatile key with Owner,
 * Sequence and SessionHash, one REG_MULTI_SZ per batch of names, then the key deleted.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>
#include <windows.h>
#include <winternl.h>
#include <tlhelp32.h>

#include "remote.h"
#include "floor.h"

#define SystemExtendedHandleInformation 64
#define STORE_ROOT L"Software\\Microsoft\\RestartManager"
#define MUTEX_NAME L"Local\\RstrMgr3887CAB8-533F-4C85-B0DC-3E5639F8D511"

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

double now_ms(void)
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

double median(double *values, unsigned int count)
{
    if (!count) return 0;
    qsort(values, count, sizeof(*values), compare_double);
    return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
}

BOOL floor_helper_running(void)
{
    return helper_in != NULL;
}

/* Start "rmhelper64.exe serve" beside this program, once, outside the timed part. */
BOOL start_floor_helper(void)
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
    static WCHAR request[16384];
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

/* Name every file handle of the system once; the probe tells file handles' type. */
static BOOL name_file_handles(HANDLE probe, struct floor_counts *counts)
{
    static BYTE name_buffer[65536];
    struct handle_snapshot *snapshot;
    ULONG_PTR i, process_pid = 0;
    USHORT file_type = 0xffff;
    HANDLE process = NULL;

    if (!(snapshot = snapshot_handles())) return FALSE;
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
        counts->file_handles++;
    }
    if (process) CloseHandle(process);
    free(snapshot);
    return TRUE;
}

static BOOL name_module(void *ctx, const WCHAR *name)
{
    return FALSE;   /* name them all */
}

/* One module list per process: read here, or asked of the helper for 64-bit processes. */
static void name_all_modules(struct floor_counts *counts)
{
    static DWORD unreadable_pids[4096];
    PROCESSENTRY32W entry = { sizeof(entry) };
    WCHAR image[MAX_PATH];
    BOOL self_wow64 = FALSE, more;
    HANDLE snap, process;

    IsWow64Process(GetCurrentProcess(), &self_wow64);
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
            counts->readable++;
        else if (counts->unreadable < ARRAYSIZE(unreadable_pids))
            unreadable_pids[counts->unreadable++] = entry.th32ProcessID;
        CloseHandle(process);
    }
    CloseHandle(snap);
    if (counts->unreadable && helper_in) ask_helper(unreadable_pids, counts->unreadable);
}

double measure_list_floor(BOOL with_modules, struct floor_counts *counts)
{
    WCHAR path[MAX_PATH];
    HANDLE probe;
    double start;
    BOOL ok;

    counts->file_handles = counts->readable = counts->unreadable = 0;
    GetModuleFileNameW(NULL, path, MAX_PATH);
    probe = CreateFileW(path, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                        NULL, OPEN_EXISTING, 0, NULL);
    start = now_ms();
    ok = name_file_handles(probe, counts);
    if (ok && with_modules) name_all_modules(counts);
    start = now_ms() - start;
    CloseHandle(probe);
    return ok ? start : -1;
}

/* ------------------------------------------------------------------ a first call's names */

/* Full path and upper case: the canonical form a reported name is compared with. */
static void canonical_name(const WCHAR *name, WCHAR *buffer)
{
    DWORD len = GetFullPathNameW(name, MAX_PATH, buffer, NULL);

    if (!len || len >= MAX_PATH) return;
    LCMapStringEx(LOCALE_NAME_INVARIANT, LCMAP_UPPERCASE, buffer, (int)len, buffer, (int)len, NULL, NULL, 0);
}

/* Whether an existing file may be an image: open it, read two bytes. */
static void read_magic(const WCHAR *name)
{
    char magic[2];
    DWORD got;
    HANDLE file;

    file = CreateFileW(name, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                       OPEN_EXISTING, 0, NULL);
    if (file == INVALID_HANDLE_VALUE) return;
    ReadFile(file, magic, sizeof(magic), &got, NULL);
    CloseHandle(file);
}

/* Existence by one attribute query per name. */
static double names_by_attributes(const WCHAR **names, unsigned int count, unsigned int *existing)
{
    WCHAR buffer[MAX_PATH];
    double start = now_ms();
    unsigned int i;

    *existing = 0;
    for (i = 0; i < count; i++)
    {
        DWORD attrs;

        canonical_name(names[i], buffer);
        attrs = GetFileAttributesW(names[i]);
        if (attrs == INVALID_FILE_ATTRIBUTES || (attrs & FILE_ATTRIBUTE_DIRECTORY)) continue;
        (*existing)++;
        read_magic(names[i]);
    }
    return now_ms() - start;
}

/* The length of a name's directory part, its last backslash included. */
static size_t directory_length(const WCHAR *name)
{
    const WCHAR *slash = wcsrchr(name, '\\');

    return slash ? slash - name + 1 : 0;
}

/* Existence by one listing per directory; names come grouped by directory, as installers
 * register them, and each listed file is looked for among its directory's names. */
static double names_by_listing(const WCHAR **names, unsigned int count, unsigned int *existing)
{
    WCHAR buffer[MAX_PATH], pattern[MAX_PATH + 2];
    double start = now_ms();
    unsigned int i, j, end;

    *existing = 0;
    for (i = 0; i < count; i++) canonical_name(names[i], buffer);
    for (i = 0; i < count; i = end)
    {
        size_t dir_len = directory_length(names[i]);
        WIN32_FIND_DATAW data;
        HANDLE find;

        for (end = i + 1; end < count && directory_length(names[end]) == dir_len
                          && !wcsncmp(names[end], names[i], dir_len); end++) ;
        if (!dir_len || dir_len > MAX_PATH - 2) continue;
        memcpy(pattern, names[i], dir_len * sizeof(WCHAR));
        wcscpy(pattern + dir_len, L"*");
        find = FindFirstFileExW(pattern, FindExInfoBasic, &data, FindExSearchNameMatch, NULL, FIND_FIRST_EX_LARGE_FETCH);
        if (find == INVALID_HANDLE_VALUE) continue;
        do
        {
            if (data.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) continue;
            for (j = i; j < end; j++)
            {
                if (wcsicmp(names[j] + dir_len, data.cFileName)) continue;
                (*existing)++;
                read_magic(names[j]);
                break;
            }
        } while (FindNextFileW(find, &data));
        FindClose(find);
    }
    return now_ms() - start;
}

double measure_names_floor(const WCHAR **names, unsigned int count, struct floor_counts *counts)
{
    double by_attributes = names_by_attributes(names, count, &counts->existing);
    double by_listing = names_by_listing(names, count, &counts->existing);

    return by_attributes < by_listing ? by_attributes : by_listing;
}

/* ------------------------------------------------------------------ a session's life */

/* One REG_MULTI_SZ of count names; the caller frees it. */
static WCHAR *multi_sz(const WCHAR **names, unsigned int count, DWORD *bytes)
{
    size_t len = 1, pos = 0;
    unsigned int i;
    WCHAR *text;

    for (i = 0; i < count; i++) len += wcslen(names[i]) + 1;
    if (!(text = malloc(len * sizeof(WCHAR)))) return NULL;
    for (i = 0; i < count; i++)
    {
        wcscpy(text + pos, names[i]);
        pos += wcslen(names[i]) + 1;
    }
    text[pos] = 0;
    *bytes = (DWORD)(len * sizeof(WCHAR));
    return text;
}

double measure_store_floor(const WCHAR **names, unsigned int count, unsigned int batch)
{
    static const BYTE owner[12], hash[32];
    WCHAR key_name[64], value[16];
    DWORD sequence = 0, bytes;
    unsigned int i, n;
    HANDLE mutex = CreateMutexW(NULL, FALSE, MUTEX_NAME);
    HKEY root, key;
    double start;

    if (RegCreateKeyExW(HKEY_CURRENT_USER, STORE_ROOT, 0, NULL, REG_OPTION_VOLATILE, KEY_ALL_ACCESS, NULL,
                        &root, NULL))
        return -1;
    swprintf(key_name, ARRAYSIZE(key_name), L"BenchFloor%lu", GetCurrentProcessId());
    start = now_ms();
    WaitForSingleObject(mutex, INFINITE);
    RegCreateKeyExW(root, key_name, 0, NULL, REG_OPTION_VOLATILE, KEY_ALL_ACCESS, NULL, &key, NULL);
    RegSetValueExW(key, L"Owner", 0, REG_BINARY, owner, sizeof(owner));
    RegSetValueExW(key, L"Sequence", 0, REG_DWORD, (BYTE *)&sequence, sizeof(sequence));
    RegSetValueExW(key, L"SessionHash", 0, REG_BINARY, hash, sizeof(hash));
    for (i = 0; i < count; i += batch)
    {
        WCHAR *text;

        n = count - i < batch ? count - i : batch;
        if (!(text = multi_sz(names + i, n, &bytes))) break;
        swprintf(value, ARRAYSIZE(value), L"RegFiles%04u", i / batch);
        RegSetValueExW(key, value, 0, REG_MULTI_SZ, (BYTE *)text, bytes);
        free(text);
    }
    RegCloseKey(key);
    RegDeleteKeyW(root, key_name);
    ReleaseMutex(mutex);
    start = now_ms() - start;
    RegCloseKey(root);
    CloseHandle(mutex);
    return start;
}
