/*
 * Restart Manager: finding the processes that use registered resources
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
 * A process is affected when it
 *   1. holds an open handle to a registered file,
 *   2. has a registered file loaded as its executable or as a module,
 *   3. is a registered RM_UNIQUE_PROCESS (pid and creation time both match), or
 *   4. hosts a registered service.
 *
 * Open handles: Windows answers "who has this file open" per file
 * (FileProcessIdsUsingFileInformation); Wine 8.0 does not implement that class, so there the
 * system handle table is read once and every file handle in it is named once.  Loaded images
 * hold no handle under Wine, so module lists are read too: one per process.  A 32-bit process
 * cannot read a 64-bit process's module list, so a 32-bit caller asks rmhelper64.exe, a small
 * 64-bit helper shipped with the DLL, for those processes (helper.c).
 */

#include "rstrtmgr_private.h"

#include <winternl.h>
#include <tlhelp32.h>

WINE_DEFAULT_DEBUG_CHANNEL(rstrtmgr);

#define SystemExtendedHandleInformation        64
#define FileProcessIdsUsingFileInformation     47
#define ObjectNameInformationClass             1
#ifndef STATUS_INFO_LENGTH_MISMATCH
#define STATUS_INFO_LENGTH_MISMATCH ((NTSTATUS)0xc0000004)
#endif
#ifndef STATUS_NOT_IMPLEMENTED
#define STATUS_NOT_IMPLEMENTED ((NTSTATUS)0xc0000002)
#endif
#ifndef STATUS_INVALID_INFO_CLASS
#define STATUS_INVALID_INFO_CLASS ((NTSTATUS)0xc0000003)
#endif
#ifndef STATUS_DELETE_PENDING
#define STATUS_DELETE_PENDING ((NTSTATUS)0xc0000056)
#endif
#ifndef STATUS_BUFFER_OVERFLOW
#define STATUS_BUFFER_OVERFLOW ((NTSTATUS)0x80000005)
#endif

/* ntdll; not in mingw-w64's headers.  The status behind the thread's last error. */
extern NTSTATUS WINAPI RtlGetLastNtStatus(void);

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

struct file_pids
{
    ULONG count;
    ULONG_PTR pids[1];
};

BOOL task_cancelled(struct session *session)
{
    return session && session->cancel_requested;
}

static struct affected *find_affected(struct affected_list *list, DWORD pid)
{
    unsigned int i;

    for (i = 0; i < list->count; i++)
        if (list->items[i].process.dwProcessId == pid) return &list->items[i];
    return NULL;
}

/* Record a process as affected; a process that exited meanwhile is left out. */
static DWORD add_affected(struct affected_list *list, DWORD pid, const FILETIME *start)
{
    struct affected *item;
    RM_UNIQUE_PROCESS identity;

    if (find_affected(list, pid)) return ERROR_SUCCESS;
    if (pid == get_helper_pid()) return ERROR_SUCCESS;  /* ours, and holds nothing of its own */
    if (!get_process_identity(pid, &identity)) return ERROR_SUCCESS;
    if (start && memcmp(start, &identity.ProcessStartTime, sizeof(*start))) return ERROR_SUCCESS;

    if (list->count == list->capacity)
    {
        unsigned int capacity = list->capacity ? list->capacity * 2 : 8;

        if (!(item = realloc(list->items, capacity * sizeof(*item)))) return ERROR_OUTOFMEMORY;
        list->items = item;
        list->capacity = capacity;
    }
    item = &list->items[list->count++];
    memset(item, 0, sizeof(*item));
    item->process = identity;
    TRACE("affected: %s\n", debugstr_rm_unique_process(&identity));
    return ERROR_SUCCESS;
}

/* ------------------------------------------------------------------ open handles */

/* Whether one of this process's own handles names a registered file.  Used where the
 * per-file query cannot tell our own handles from the probe it needs: the process handle list
 * (Windows 8 and later) holds only our handles, and only disk files are named, since naming
 * some pipes can block. */
static BOOL own_handles_use(const struct path_set *files)
{
    struct
    {
        HANDLE value;
        ULONG_PTR handle_count, pointer_count;
        ULONG access, type, attributes, reserved;
    } *entry;
    struct { ULONG_PTR count, reserved; } *list;
    ULONG size = 64 * 1024, needed = 0, name_size = 64 * 1024;
    UNICODE_STRING *name;
    NTSTATUS status;
    BOOL found = FALSE;
    ULONG_PTR i;

    for (;;)
    {
        if (!(list = malloc(size))) return FALSE;
        status = NtQueryInformationProcess(GetCurrentProcess(), 51 /* ProcessHandleInformation */, list, size, &needed);
        if (status != STATUS_INFO_LENGTH_MISMATCH || size >= 16 * 1024 * 1024) break;
        free(list);
        size = max(size * 2, needed + 4096);
    }
    if (status || !(name = malloc(name_size)))
    {
        free(list);
        return FALSE;
    }
    entry = (void *)(list + 1);
    for (i = 0; i < list->count && !found; i++)
    {
        ULONG len;

        if (GetFileType(entry[i].value) != FILE_TYPE_DISK) continue;
        if (NtQueryObject(entry[i].value, ObjectNameInformationClass, name, name_size - sizeof(WCHAR), &len)
                || !name->Buffer || !name->Length)
            continue;
        name->Buffer[name->Length / sizeof(WCHAR)] = 0;
        found = path_set_match(files, name->Buffer);
    }
    free(name);
    free(list);
    return found;
}

/* Windows' own answer, one query per registered file.  Returns FALSE if the system does
 * not implement the query (Wine 8.0), so the caller falls back to the handle table. */
static BOOL detect_by_file_query(const struct prepared_resources *prepared, struct affected_list *list, DWORD *ret)
{
    const struct resources *res = &prepared->res;
    ULONG_PTR buffer[1024];
    struct file_pids *pids = (struct file_pids *)buffer;
    unsigned int i, j;

    *ret = ERROR_SUCCESS;
    for (i = 0; i < res->nfiles && !*ret; i++)
    {
        IO_STATUS_BLOCK io;
        NTSTATUS status;
        HANDLE file;

        if (prepared->devices[i]) continue;  /* opening a pipe takes an instance from its server */
        file = CreateFileW(res->files[i], FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                           NULL, OPEN_EXISTING, 0, NULL);
        if (file == INVALID_HANDLE_VALUE) continue;
        status = NtQueryInformationFile(file, &io, pids, sizeof(buffer), FileProcessIdsUsingFileInformation);
        CloseHandle(file);
        if (status == STATUS_NOT_IMPLEMENTED || status == STATUS_INVALID_INFO_CLASS) return FALSE;
        if (status) continue;
        for (j = 0; j < pids->count && j < ARRAYSIZE(buffer) - 1 && !*ret; j++)
        {
            /* Our own probe handle is listed as well; our own handles are checked below. */
            if (pids->pids[j] == GetCurrentProcessId()) continue;
            *ret = add_affected(list, (DWORD)pids->pids[j], NULL);
        }
    }
    if (!*ret && own_handles_use(&prepared->files)) *ret = add_affected(list, GetCurrentProcessId(), NULL);
    return TRUE;
}

static struct handle_snapshot *snapshot_handles(void)
{
    ULONG size = 256 * 1024, needed;
    struct handle_snapshot *snapshot;
    NTSTATUS status;

    for (;;)
    {
        if (!(snapshot = malloc(size))) return NULL;
        status = NtQuerySystemInformation(SystemExtendedHandleInformation, snapshot, size, &needed);
        if (!status) return snapshot;
        free(snapshot);
        if (status != STATUS_INFO_LENGTH_MISMATCH || size > 256 * 1024 * 1024)
        {
            WARN("cannot read the handle table: status %#lx\n", status);
            return NULL;
        }
        /* Handles come and go between calls; leave some room. */
        size = max(size * 2, needed + needed / 4);
    }
}

/* The object type index of files in this snapshot: the type of a file handle we hold.  The
 * number is not fixed (and under Wine differs from what NtQueryObject reports). */
static BOOL find_file_type(const struct handle_snapshot *snapshot, HANDLE probe, USHORT *type)
{
    ULONG_PTR i;

    for (i = 0; i < snapshot->count; i++)
    {
        const struct handle_entry *entry = &snapshot->handles[i];

        if (entry->pid == GetCurrentProcessId() && entry->value == (ULONG_PTR)probe)
        {
            *type = entry->type;
            return TRUE;
        }
    }
    return FALSE;
}

static HANDLE open_probe_file(void)
{
    WCHAR path[MAX_PATH];
    HMODULE module;

    /* Any file will do; our own DLL is one that certainly exists. */
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            (const WCHAR *)open_probe_file, &module)
            || !GetModuleFileNameW(module, path, ARRAYSIZE(path)))
        return INVALID_HANDLE_VALUE;
    return CreateFileW(path, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                       NULL, OPEN_EXISTING, 0, NULL);
}

static BOOL handle_names_registered_file(HANDLE handle, const struct path_set *files, UNICODE_STRING *name, ULONG size)
{
    ULONG len;

    if (NtQueryObject(handle, ObjectNameInformationClass, name, size - sizeof(WCHAR), &len)) return FALSE;
    if (!name->Buffer || !name->Length) return FALSE;
    name->Buffer[name->Length / sizeof(WCHAR)] = 0;
    return path_set_match(files, name->Buffer);
}

static DWORD detect_by_handle_table(struct session *session, const struct path_set *files, struct affected_list *list)
{
    const ULONG name_size = 64 * 1024;
    struct handle_snapshot *snapshot;
    UNICODE_STRING *name;
    HANDLE probe, process = NULL;
    DWORD ret = ERROR_SUCCESS, self = GetCurrentProcessId();
    ULONG_PTR process_pid = 0, i;
    USHORT file_type;

    if ((probe = open_probe_file()) == INVALID_HANDLE_VALUE) return ERROR_SUCCESS;
    if (!(snapshot = snapshot_handles()))
    {
        CloseHandle(probe);
        return ERROR_SUCCESS;
    }
    if (!find_file_type(snapshot, probe, &file_type) || !(name = malloc(name_size)))
    {
        WARN("cannot tell file handles in the handle table\n");
        free(snapshot);
        CloseHandle(probe);
        return ERROR_SUCCESS;
    }

    for (i = 0; i < snapshot->count && !ret; i++)
    {
        const struct handle_entry *entry = &snapshot->handles[i];
        HANDLE handle;

        if (entry->type != file_type) continue;
        if (entry->pid == self && entry->value == (ULONG_PTR)probe) continue;
        if (!(i & 255) && task_cancelled(session))
        {
            ret = ERROR_CANCELLED;
            break;
        }
        /* One matching handle is enough to list a process. */
        if (find_affected(list, (DWORD)entry->pid)) continue;

        if (entry->pid == self) handle = (HANDLE)entry->value;
        else
        {
            /* The table is grouped by process, so one open process handle serves a run. */
            if (entry->pid != process_pid)
            {
                if (process) CloseHandle(process);
                process = OpenProcess(PROCESS_DUP_HANDLE, FALSE, (DWORD)entry->pid);
                process_pid = entry->pid;
            }
            if (!process || !DuplicateHandle(process, (HANDLE)entry->value, GetCurrentProcess(), &handle,
                                             0, FALSE, DUPLICATE_SAME_ACCESS))
                continue;
        }
        if (handle_names_registered_file(handle, files, name, name_size))
            ret = add_affected(list, (DWORD)entry->pid, NULL);
        if (entry->pid != self) CloseHandle(handle);
    }

    if (process) CloseHandle(process);
    free(name);
    free(snapshot);
    CloseHandle(probe);
    return ret;
}

/* ------------------------------------------------------------------ loaded images */

struct module_match
{
    const struct path_set *files;
    BOOL found;
};

static BOOL match_module(void *ctx, const WCHAR *name)
{
    struct module_match *match = ctx;

    return (match->found = path_set_match(match->files, name));
}

static BOOL modules_use_registered_file(HANDLE process, const struct path_set *files)
{
    struct module_match match = { files, FALSE };

    name_modules(process, match_module, &match);
    return match.found;
}

/* Ask the 64-bit helper for the modules of processes this 32-bit caller cannot read. */
static DWORD detect_by_helper(const DWORD *pids, unsigned int count, const struct path_set *files,
                              struct affected_list *list)
{
    WCHAR *answer, *line, *next, *path;
    DWORD ret = ERROR_SUCCESS;

    if (query_helper_modules(pids, count, &answer)) return ERROR_SUCCESS;
    for (line = answer; *line && !ret; line = next)
    {
        DWORD pid;

        if ((next = wcschr(line, '\n'))) *next++ = 0;
        else next = line + wcslen(line);
        pid = wcstoul(line, &path, 16);
        if (*path == ' ' && path_set_match(files, path + 1)) ret = add_affected(list, pid, NULL);
    }
    free(answer);
    return ret;
}

static DWORD detect_by_images(struct session *session, const struct path_set *files, struct affected_list *list)
{
    PROCESSENTRY32W entry = { sizeof(entry) };
    WCHAR image[MAX_PATH];
    DWORD *helper_pids = NULL, ret = ERROR_SUCCESS;
    unsigned int helper_count = 0;
    HANDLE snapshot;

    if ((snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0)) == INVALID_HANDLE_VALUE)
        return ERROR_SUCCESS;
    for (BOOL more = Process32FirstW(snapshot, &entry); more && !ret; more = Process32NextW(snapshot, &entry))
    {
        DWORD len = ARRAYSIZE(image);
        HANDLE process;

        if (!entry.th32ProcessID || find_affected(list, entry.th32ProcessID)) continue;
        if (task_cancelled(session))
        {
            ret = ERROR_CANCELLED;
            break;
        }
        if (!(process = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, entry.th32ProcessID))
                && !(process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, entry.th32ProcessID)))
            continue;

        /* The executable is named even where the module list cannot be read. */
        if (QueryFullProcessImageNameW(process, 0, image, &len) && path_set_match(files, image))
            ret = add_affected(list, entry.th32ProcessID, NULL);
        else if (needs_helper(process))
        {
            DWORD *pids = realloc(helper_pids, (helper_count + 1) * sizeof(*pids));

            if (!pids) ret = ERROR_OUTOFMEMORY;
            else
            {
                helper_pids = pids;
                helper_pids[helper_count++] = entry.th32ProcessID;
            }
        }
        else if (modules_use_registered_file(process, files))
            ret = add_affected(list, entry.th32ProcessID, NULL);
        CloseHandle(process);
    }
    CloseHandle(snapshot);

    if (!ret && helper_count) ret = detect_by_helper(helper_pids, helper_count, files, list);
    free(helper_pids);
    return ret;
}

/* ------------------------------------------------------------------ services */

static ENUM_SERVICE_STATUS_PROCESSW *enum_active_services(DWORD *count)
{
    ENUM_SERVICE_STATUS_PROCESSW *services = NULL;
    DWORD size = 0, needed = 0, resume = 0;
    SC_HANDLE manager;

    *count = 0;
    if (!(manager = OpenSCManagerW(NULL, NULL, SC_MANAGER_ENUMERATE_SERVICE))) return NULL;
    for (;;)
    {
        if (EnumServicesStatusExW(manager, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_ACTIVE,
                                  (BYTE *)services, size, &needed, count, &resume, NULL))
            break;
        free(services);
        services = NULL;
        *count = 0;
        resume = 0;
        if (GetLastError() != ERROR_MORE_DATA || !(services = malloc(size + needed))) break;
        size += needed;
    }
    CloseServiceHandle(manager);
    return services;
}

static void set_service(struct affected *item, const ENUM_SERVICE_STATUS_PROCESSW *service)
{
    lstrcpynW(item->service, service->lpServiceName, ARRAYSIZE(item->service));
    lstrcpynW(item->service_display, service->lpDisplayName, ARRAYSIZE(item->service_display));
}

/* Add the hosts of registered services, and name the services that processes found
 * otherwise host, so they are reported as services. */
static DWORD detect_services(const struct resources *res, struct affected_list *list)
{
    ENUM_SERVICE_STATUS_PROCESSW *services;
    DWORD count, i, ret = ERROR_SUCCESS;
    unsigned int j;

    if (!res->nservices && !list->count) return ERROR_SUCCESS;
    if (!(services = enum_active_services(&count))) return ERROR_SUCCESS;

    for (i = 0; i < count && !ret; i++)
    {
        DWORD pid = services[i].ServiceStatusProcess.dwProcessId;
        struct affected *item;

        if (!pid) continue;
        for (j = 0; j < res->nservices; j++)
        {
            if (wcsicmp(res->services[j], services[i].lpServiceName)) continue;
            if ((ret = add_affected(list, pid, NULL))) break;
            /* A registered service names its host, even if another service was seen first. */
            if ((item = find_affected(list, pid))) set_service(item, &services[i]);
            break;
        }
        if (!ret && j == res->nservices && (item = find_affected(list, pid)) && !item->service[0])
            set_service(item, &services[i]);
    }
    free(services);
    return ret;
}

/* ------------------------------------------------------------------ all of it */

static DWORD read_sequence(HKEY key)
{
    DWORD type, sequence = 0, size = sizeof(sequence);

    if (RegQueryValueExW(key, L"Sequence", NULL, &type, (BYTE *)&sequence, &size) || type != REG_DWORD)
        sequence = ~0u;  /* damaged: never matches a cache */
    return sequence;
}

void release_prepared(struct prepared_resources *prepared)
{
    if (InterlockedDecrement(&prepared->refcount)) return;
    free_resources(&prepared->res);
    path_set_free(&prepared->files);
    free(prepared->devices);
    free(prepared);
}

/*
 * Whether a registered file could be mapped as an executable image: it starts with "MZ", or
 * it cannot be read to tell.  Images are the only files a process can use without holding a
 * handle (module lists show them), and walking every process's module list is most of what
 * RmGetList costs under Wine: a registration without images skips that walk.
 * - A name that does not exist when it is registered is not an image: no process can have it
 *   loaded.
 * - A file someone holds open without sharing read access is not mapped as an image either:
 *   a mapping reads the file, so the two exclude each other; and the holder is found through
 *   its handle.
 */
static BOOL may_be_image(const WCHAR *name)
{
    char magic[2] = { 0 };
    DWORD got = 0, error;
    HANDLE file;
    BOOL ret;

    file = CreateFileW(name, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                       OPEN_EXISTING, 0, NULL);
    if (file == INVALID_HANDLE_VALUE)
    {
        error = GetLastError();
        return error != ERROR_FILE_NOT_FOUND && error != ERROR_PATH_NOT_FOUND && error != ERROR_SHARING_VIOLATION;
    }
    ret = !ReadFile(file, magic, sizeof(magic), &got, NULL) || (got == 2 && magic[0] == 'M' && magic[1] == 'Z');
    CloseHandle(file);
    return ret;
}

enum name_kind
{
    NAME_MISSING,       /* nothing there, now */
    NAME_FILE,          /* a file on a volume */
    NAME_DIRECTORY,
    NAME_DEVICE,        /* a device, pipe or mailslot */
    NAME_DENIED,        /* there, but its security denies the caller */
};

/* Whether a full path names an object of the device namespace (\\.\COM1, \\.\pipe\x, and what
 * "AUX" or "C:\dir\CONIN$" turn into) or a pipe or mailslot share of a server, rather than a
 * path on a volume. */
static BOOL is_device_path(const WCHAR *full)
{
    const WCHAR *server = NULL, *share;

    if (!wcsncmp(full, L"\\\\.\\", 4) || !wcsncmp(full, L"\\\\?\\", 4))
    {
        if (iswalpha(full[4]) && full[5] == ':') return FALSE;     /* \\?\C:\dir */
        if (!wcsnicmp(full + 4, L"Volume{", 7)) return FALSE;
        if (wcsnicmp(full + 4, L"UNC\\", 4)) return TRUE;
        server = full + 8;
    }
    else if (full[0] == '\\' && full[1] == '\\') server = full + 2;
    if (!server || !(share = wcschr(server, '\\'))) return FALSE;
    share++;
    return (!wcsnicmp(share, L"pipe", 4) && (!share[4] || share[4] == '\\'))
        || (!wcsnicmp(share, L"mailslot", 8) && (!share[8] || share[8] == '\\'));
}

/* What a name that is not a directory or a device refers to, found by opening it for its
 * attributes only: that reads nothing, waits for nothing and conflicts with no share mode. */
static enum name_kind open_name_kind(const WCHAR *full)
{
    HANDLE file;
    DWORD type;

    file = CreateFileW(full, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                       NULL, OPEN_EXISTING, FILE_FLAG_OPEN_NO_RECALL, NULL);
    if (file == INVALID_HANDLE_VALUE)
    {
        if (GetLastError() == ERROR_SHARING_VIOLATION) return NAME_FILE;
        if (GetLastError() != ERROR_ACCESS_DENIED) return NAME_MISSING;
        /* A file deleted while still open is there for its holders, and not the caller's to
         * be refused: Windows maps both to ERROR_ACCESS_DENIED. */
        return RtlGetLastNtStatus() == STATUS_DELETE_PENDING ? NAME_FILE : NAME_DENIED;
    }
    type = GetFileType(file);
    CloseHandle(file);
    return type == FILE_TYPE_DISK ? NAME_FILE : NAME_DEVICE;
}

/* What a registered name refers to.  Only a file on a volume is ever read (may_be_image):
 * reading a serial port, a console or a pipe can wait forever, and opening a pipe would even
 * take an instance from its server. */
static enum name_kind name_kind(const WCHAR *name)
{
    DWORD len = GetFullPathNameW(name, 0, NULL, NULL), attrs;
    enum name_kind kind = NAME_MISSING;
    WCHAR *full;

    if (!len || !(full = malloc(len * sizeof(WCHAR)))) return NAME_MISSING;
    if (GetFullPathNameW(name, len, full, NULL) >= len) kind = NAME_MISSING;
    else if (is_device_path(full)) kind = NAME_DEVICE;
    else if ((attrs = GetFileAttributesW(full)) != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY))
        kind = NAME_DIRECTORY;
    else if (attrs != INVALID_FILE_ATTRIBUTES || (GetLastError() != ERROR_FILE_NOT_FOUND
                                                  && GetLastError() != ERROR_PATH_NOT_FOUND))
        kind = open_name_kind(full);
    free(full);
    return kind;
}

/* Sort the registered files: canonical names of the files into the set, devices marked. */
static DWORD prepare_files(struct prepared_resources *prepared)
{
    const struct resources *res = &prepared->res;
    unsigned int i;
    DWORD ret = ERROR_SUCCESS;
    BOOL redirected;
    void *redirect;

    if (!path_set_init(&prepared->files, res->nfiles)
            || (res->nfiles && !(prepared->devices = calloc(res->nfiles, sizeof(*prepared->devices)))))
        return ERROR_OUTOFMEMORY;
    /* Names are matched as written, unredirected (a 32-bit caller's system32\services.exe is
     * the one that runs): look at the files the same way. */
    redirected = !Wow64DisableWow64FsRedirection(&redirect);
    for (i = 0; i < res->nfiles && !ret; i++)
    {
        enum name_kind kind = name_kind(res->files[i]);
        WCHAR *path;

        TRACE("%s: kind %u\n", debugstr_w(res->files[i]), kind);
        /* Windows refuses a registered directory (RmGetList's documentation) and a file it may
         * not open (ForceOps' Windows CI test), and only then, when the list is asked for. */
        if (kind == NAME_DIRECTORY || kind == NAME_DENIED) prepared->error = ERROR_ACCESS_DENIED;
        else if (kind == NAME_DEVICE) prepared->devices[i] = TRUE;
        else if ((path = normalize_path(res->files[i], TRUE)) && !path_set_add(&prepared->files, path))
            ret = ERROR_OUTOFMEMORY;
        else if (kind == NAME_FILE && !prepared->images)
            prepared->images = may_be_image(res->files[i]);
    }
    if (!redirected) Wow64RevertWow64FsRedirection(redirect);
    return ret;
}

/* Bring the registered names to canonical form once per registration change: with 10,000
 * registered files this is what costs, and installers ask for the list repeatedly. */
DWORD prepare_resources(struct session *session, HKEY key, struct prepared_resources **result)
{
    struct prepared_resources *prepared;
    DWORD sequence = read_sequence(key), ret;

    AcquireSRWLockShared(&session->cache_lock);
    if ((prepared = session->prepared) && prepared->sequence == sequence && sequence != ~0u)
        InterlockedIncrement(&prepared->refcount);
    else prepared = NULL;
    ReleaseSRWLockShared(&session->cache_lock);
    if ((*result = prepared)) return ERROR_SUCCESS;

    if (!(prepared = calloc(1, sizeof(*prepared)))) return ERROR_OUTOFMEMORY;
    prepared->refcount = 1;
    prepared->sequence = sequence;
    if ((ret = load_resources(key, &prepared->res)))
    {
        free(prepared);
        return ret;
    }
    if ((ret = prepare_files(prepared)))
    {
        release_prepared(prepared);
        return ret;
    }

    InterlockedIncrement(&prepared->refcount);  /* the session's reference */
    AcquireSRWLockExclusive(&session->cache_lock);
    if (session->prepared) release_prepared(session->prepared);
    session->prepared = prepared;
    ReleaseSRWLockExclusive(&session->cache_lock);
    *result = prepared;
    return ERROR_SUCCESS;
}

DWORD detect_affected(struct session *session, const struct prepared_resources *prepared, struct affected_list *list)
{
    const struct resources *res = &prepared->res;
    DWORD ret = prepared->error;
    unsigned int i;

    memset(list, 0, sizeof(*list));
    for (i = 0; i < res->nprocs && !ret; i++)
        ret = add_affected(list, res->procs[i].dwProcessId, &res->procs[i].ProcessStartTime);

    if (!ret && prepared->files.count)
    {
        if (!detect_by_file_query(prepared, list, &ret) && !ret)
            ret = detect_by_handle_table(session, &prepared->files, list);
        if (!ret && prepared->images) ret = detect_by_images(session, &prepared->files, list);
    }
    if (!ret) ret = detect_services(res, list);
    if (!ret && task_cancelled(session)) ret = ERROR_CANCELLED;

    if (ret)
    {
        free(list->items);
        memset(list, 0, sizeof(*list));
    }
    return ret;
}
