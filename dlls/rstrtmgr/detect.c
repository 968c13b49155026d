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

#include <tlhelp32.h>

#include "winternl_shim.h"

WINE_DEFAULT_DEBUG_CHANNEL(rstrtmgr);

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

    if (!array_reserve((void **)&list->items, &list->capacity, list->count + 1, sizeof(*item)))
        return ERROR_OUTOFMEMORY;
    item = &list->items[list->count++];
    memset(item, 0, sizeof(*item));
    item->process = identity;
    TRACE("affected: %s\n", debugstr_rm_unique_process(&identity));
    return ERROR_SUCCESS;
}

/* ------------------------------------------------------------------ open handles */

/* Whether a file handle of this process names a registered file. */
static BOOL handle_names_registered_file(HANDLE handle, const struct path_set *files, OBJECT_NAME_INFORMATION *name,
                                         ULONG size)
{
    UNICODE_STRING *text = &name->Name;
    ULONG len;

    if (NtQueryObject(handle, ObjectNameInformation, name, size - sizeof(WCHAR), &len)) return FALSE;
    if (!text->Buffer || !text->Length) return FALSE;
    text->Buffer[text->Length / sizeof(WCHAR)] = 0;
    return path_set_match(files, text->Buffer);
}

/* Whether one of this process's own handles names a registered file.  Used where the
 * per-file query cannot tell our own handles from the probe it needs: the process handle list
 * (Windows 8 and later) holds only our handles, and only disk files are named, since naming
 * some pipes can block. */
static BOOL own_handles_use(const struct path_set *files)
{
    PROCESS_HANDLE_SNAPSHOT_INFORMATION *list;
    ULONG size = 64 * 1024, needed = 0, name_size = 64 * 1024;
    OBJECT_NAME_INFORMATION *name;
    NTSTATUS status;
    BOOL found = FALSE;
    ULONG_PTR i;

    for (;;)
    {
        if (!(list = malloc(size))) return FALSE;
        status = NtQueryInformationProcess(GetCurrentProcess(), ProcessHandleInformation, list, size, &needed);
        if (status != STATUS_INFO_LENGTH_MISMATCH || size >= 16 * 1024 * 1024) break;
        free(list);
        size = max(size * 2, needed + 4096);
    }
    if (status || !(name = malloc(name_size)))
    {
        free(list);
        return FALSE;
    }
    for (i = 0; i < list->NumberOfHandles && !found; i++)
    {
        HANDLE handle = list->Handles[i].HandleValue;

        if (GetFileType(handle) != FILE_TYPE_DISK) continue;
        found = handle_names_registered_file(handle, files, name, name_size);
    }
    free(name);
    free(list);
    return found;
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

/* Whether the system answers the per-file query, asked once per process of a file that
 * certainly exists: asking only of registered files would try every one of them, on every
 * call, where none exists yet (a fresh installation) and the system lacks the query. */
static BOOL file_query_unsupported;

static BOOL CALLBACK probe_file_query(INIT_ONCE *once, void *param, void **context)
{
    ULONG_PTR buffer[64];
    IO_STATUS_BLOCK io;
    NTSTATUS status;
    HANDLE file;

    if ((file = open_probe_file()) == INVALID_HANDLE_VALUE) return TRUE;
    status = NtQueryInformationFile(file, &io, buffer, sizeof(buffer), FileProcessIdsUsingFileInformation);
    CloseHandle(file);
    file_query_unsupported = status == STATUS_NOT_IMPLEMENTED || status == STATUS_INVALID_INFO_CLASS;
    return TRUE;
}

static BOOL file_query_missing(void)
{
    static INIT_ONCE once = INIT_ONCE_STATIC_INIT;

    InitOnceExecuteOnce(&once, probe_file_query, NULL, NULL);
    return file_query_unsupported;
}

/* Windows' own answer, one query per registered file.  Returns FALSE if the system does
 * not implement the query (Wine 8.0), so the caller falls back to the handle table. */
static BOOL detect_by_file_query(const struct prepared_resources *prepared, struct affected_list *list, DWORD *ret)
{
    const struct resources *res = &prepared->res;
    ULONG_PTR buffer[1024];
    FILE_PROCESS_IDS_USING_FILE_INFORMATION *pids = (FILE_PROCESS_IDS_USING_FILE_INFORMATION *)buffer;
    unsigned int i, j;

    *ret = ERROR_SUCCESS;
    if (file_query_missing()) return FALSE;
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
        for (j = 0; j < pids->NumberOfProcessIdsInList && j < ARRAYSIZE(buffer) - 1 && !*ret; j++)
        {
            /* Our own probe handle is listed as well; our own handles are checked below. */
            if (pids->ProcessIdList[j] == GetCurrentProcessId()) continue;
            *ret = add_affected(list, (DWORD)pids->ProcessIdList[j], NULL);
        }
    }
    if (!*ret && own_handles_use(&prepared->files)) *ret = add_affected(list, GetCurrentProcessId(), NULL);
    return TRUE;
}

static SYSTEM_HANDLE_INFORMATION_EX *snapshot_handles(void)
{
    ULONG size = 256 * 1024, needed;
    SYSTEM_HANDLE_INFORMATION_EX *snapshot;
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
static BOOL find_file_type(const SYSTEM_HANDLE_INFORMATION_EX *snapshot, HANDLE probe, USHORT *type)
{
    ULONG_PTR i;

    for (i = 0; i < snapshot->NumberOfHandles; i++)
    {
        const SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX *entry = &snapshot->Handles[i];

        if (entry->UniqueProcessId == GetCurrentProcessId() && entry->HandleValue == (ULONG_PTR)probe)
        {
            *type = entry->ObjectTypeIndex;
            return TRUE;
        }
    }
    return FALSE;
}

/* A walk of the system handle table: what it needs besides the table, and the process whose
 * handles it is reading (the table is grouped by process, so one open process handle serves
 * a run). */
struct handle_walk
{
    const struct path_set *files;
    HANDLE probe;
    USHORT file_type;
    OBJECT_NAME_INFORMATION *name;
    ULONG name_size;
    HANDLE process;
    ULONG_PTR process_pid;
};

/* Whether one entry of the table is a handle to a registered file. */
static BOOL entry_names_registered_file(struct handle_walk *walk, const SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX *entry)
{
    DWORD self = GetCurrentProcessId();
    HANDLE handle;
    BOOL ret;

    if (entry->UniqueProcessId == self)
        return handle_names_registered_file((HANDLE)entry->HandleValue, walk->files, walk->name, walk->name_size);
    if (entry->UniqueProcessId != walk->process_pid)
    {
        if (walk->process) CloseHandle(walk->process);
        walk->process = OpenProcess(PROCESS_DUP_HANDLE, FALSE, (DWORD)entry->UniqueProcessId);
        walk->process_pid = entry->UniqueProcessId;
    }
    if (!walk->process || !DuplicateHandle(walk->process, (HANDLE)entry->HandleValue, GetCurrentProcess(), &handle,
                                           0, FALSE, DUPLICATE_SAME_ACCESS))
        return FALSE;
    ret = handle_names_registered_file(handle, walk->files, walk->name, walk->name_size);
    CloseHandle(handle);
    return ret;
}

static DWORD walk_handle_table(struct session *session, struct handle_walk *walk,
                               const SYSTEM_HANDLE_INFORMATION_EX *snapshot, struct affected_list *list)
{
    DWORD ret = ERROR_SUCCESS, self = GetCurrentProcessId();
    ULONG_PTR i;

    for (i = 0; i < snapshot->NumberOfHandles && !ret; i++)
    {
        const SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX *entry = &snapshot->Handles[i];

        if (entry->ObjectTypeIndex != walk->file_type) continue;
        if (entry->UniqueProcessId == self && entry->HandleValue == (ULONG_PTR)walk->probe) continue;
        if (!(i & 255) && task_cancelled(session)) return ERROR_CANCELLED;
        /* One matching handle is enough to list a process. */
        if (find_affected(list, (DWORD)entry->UniqueProcessId)) continue;
        if (entry_names_registered_file(walk, entry)) ret = add_affected(list, (DWORD)entry->UniqueProcessId, NULL);
    }
    return ret;
}

static DWORD detect_by_handle_table(struct session *session, const struct path_set *files, struct affected_list *list)
{
    struct handle_walk walk = { files, NULL, 0, NULL, 64 * 1024, NULL, 0 };
    SYSTEM_HANDLE_INFORMATION_EX *snapshot;
    DWORD ret = ERROR_SUCCESS;

    if ((walk.probe = open_probe_file()) == INVALID_HANDLE_VALUE) return ERROR_SUCCESS;
    if (!(snapshot = snapshot_handles()))
    {
        CloseHandle(walk.probe);
        return ERROR_SUCCESS;
    }
    if (!find_file_type(snapshot, walk.probe, &walk.file_type) || !(walk.name = malloc(walk.name_size)))
        WARN("cannot tell file handles in the handle table\n");
    else ret = walk_handle_table(session, &walk, snapshot, list);

    if (walk.process) CloseHandle(walk.process);
    free(walk.name);
    free(snapshot);
    CloseHandle(walk.probe);
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
    size_t helper_count = 0, helper_capacity = 0;
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
            if (!array_reserve((void **)&helper_pids, &helper_capacity, helper_count + 1, sizeof(*helper_pids)))
                ret = ERROR_OUTOFMEMORY;
            else helper_pids[helper_count++] = entry.th32ProcessID;
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

static void set_service(struct affected *item, const ENUM_SERVICE_STATUS_PROCESSW *service)
{
    lstrcpynW(item->service, service->lpServiceName, ARRAYSIZE(item->service));
    lstrcpynW(item->service_display, service->lpDisplayName, ARRAYSIZE(item->service_display));
}

/* Whether a process may host a service: the service manager starts every service process,
 * so its parent is services.exe.  Where that cannot be told, it may. */
static BOOL may_host_service(DWORD pid)
{
    PROCESS_BASIC_INFORMATION info;
    FILETIME created, parent_created, unused;
    WCHAR image[MAX_PATH], *base;
    DWORD len = ARRAYSIZE(image);
    HANDLE process, parent;
    BOOL ret = TRUE;

    if (!(process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid))) return TRUE;
    if (NtQueryInformationProcess(process, ProcessBasicInformation, &info, sizeof(info), NULL)
            || !GetProcessTimes(process, &created, &unused, &unused, &unused))
    {
        CloseHandle(process);
        return TRUE;
    }
    CloseHandle(process);
    /* A parent that is gone was no service manager, which outlives its services. */
    if (!(parent = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, (DWORD)info.InheritedFromUniqueProcessId)))
        return GetLastError() != ERROR_INVALID_PARAMETER;
    /* A younger process with the parent's pid is not the parent. */
    if (GetProcessTimes(parent, &parent_created, &unused, &unused, &unused)
            && CompareFileTime(&parent_created, &created) > 0)
        ret = FALSE;
    else if (QueryFullProcessImageNameW(parent, 0, image, &len))
    {
        base = wcsrchr(image, '\\');
        ret = !wcsicmp(base ? base + 1 : image, L"services.exe");
    }
    CloseHandle(parent);
    return ret;
}

/* Asking the service manager for its list costs more than the rest of a small RmGetList:
 * ask only when a service is registered or a process found may host one. */
static BOOL services_needed(const struct resources *res, const struct affected_list *list)
{
    unsigned int i;

    if (res->nservices) return TRUE;
    for (i = 0; i < list->count; i++)
        if (may_host_service(list->items[i].process.dwProcessId)) return TRUE;
    return FALSE;
}

/* Add the hosts of registered services, and name the services that processes found
 * otherwise host, so they are reported as services. */
static DWORD detect_services(const struct resources *res, struct affected_list *list)
{
    ENUM_SERVICE_STATUS_PROCESSW *services;
    DWORD count, i, ret = ERROR_SUCCESS;
    SC_HANDLE manager;
    unsigned int j;

    if (!services_needed(res, list)) return ERROR_SUCCESS;
    if (!(manager = OpenSCManagerW(NULL, NULL, SC_MANAGER_ENUMERATE_SERVICE))) return ERROR_SUCCESS;
    services = enum_active_services(manager, &count);
    CloseServiceHandle(manager);
    if (!services) return ERROR_SUCCESS;

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
