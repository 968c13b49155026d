/*
 * Restart Manager: registering resources in the session store
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
 * Each registration call appends numbered REG_MULTI_SZ values to the session key, as Windows
 * does: RegFilesNNNN (paths as given), RegProcsNNNN ("pid:start-high:start-low" in hex) and
 * RegSvcsNNNN (service short names).  Writing them in the store rather than in this process
 * lets a secondary in another process, of either architecture, register into the session the
 * primary reads.
 *
 * RmGetList reads them back (load_resources) and brings the file names to canonical form once
 * per registration change (prepare_resources): the session caches that until the store's
 * Sequence value says someone registered more.
 */

#include "rstrtmgr_private.h"
#include "winternl_shim.h"

WINE_DEFAULT_DEBUG_CHANNEL(rstrtmgr);

/* Split very large registrations over several values; each stays far below the registry's
 * practical value size limits. */
#define MAX_VALUE_CHARS (256 * 1024)

struct multi_sz
{
    WCHAR *data;
    size_t len;         /* characters used, without the final list terminator */
    size_t capacity;
};

static BOOL append_string(struct multi_sz *list, const WCHAR *str, size_t len)
{
    if (!array_reserve((void **)&list->data, &list->capacity, list->len + len + 2, sizeof(WCHAR))) return FALSE;
    memcpy(list->data + list->len, str, len * sizeof(WCHAR));
    list->len += len;
    list->data[list->len++] = 0;
    return TRUE;
}

/* The first free number for a value family: values are only ever added, so a probe from 0
 * stops at the first gap. */
static unsigned int next_value_index(HKEY key, const WCHAR *prefix)
{
    unsigned int index;
    WCHAR name[32];

    for (index = 0;; index++)
    {
        swprintf(name, ARRAYSIZE(name), L"%ls%04u", prefix, index);
        /* Any error ends the probe: a deleted key answers ERROR_KEY_DELETED for every name. */
        if (RegQueryValueExW(key, name, NULL, NULL, NULL, NULL)) return index;
    }
}

static DWORD flush_list(HKEY key, const WCHAR *prefix, unsigned int *index, struct multi_sz *list)
{
    WCHAR name[32];
    LSTATUS status;

    if (!list->len) return ERROR_SUCCESS;
    list->data[list->len] = 0;
    swprintf(name, ARRAYSIZE(name), L"%ls%04u", prefix, (*index)++);
    status = RegSetValueExW(key, name, 0, REG_MULTI_SZ, (BYTE *)list->data,
                            (DWORD)((list->len + 1) * sizeof(WCHAR)));
    list->len = 0;
    if (status) WARN("cannot write %s: %ld\n", debugstr_w(name), status);
    return session_store_error(status);
}

static DWORD write_strings(HKEY key, const WCHAR *prefix, unsigned int *index, UINT count, const WCHAR **strings)
{
    struct multi_sz list = { NULL, 0, 0 };
    DWORD ret = ERROR_SUCCESS;
    UINT i;

    for (i = 0; i < count && !ret; i++)
    {
        size_t len = wcslen(strings[i]);

        if (list.len && list.len + len > MAX_VALUE_CHARS) ret = flush_list(key, prefix, index, &list);
        if (!ret && !append_string(&list, strings[i], len)) ret = ERROR_OUTOFMEMORY;
    }
    if (!ret) ret = flush_list(key, prefix, index, &list);
    free(list.data);
    return ret;
}

static DWORD write_processes(HKEY key, unsigned int *index, UINT count, const RM_UNIQUE_PROCESS *procs)
{
    struct multi_sz list = { NULL, 0, 0 };
    DWORD ret = ERROR_SUCCESS;
    WCHAR text[RM_PROCESS_TEXT_CHARS + 1];
    UINT i;

    for (i = 0; i < count && !ret; i++)
    {
        int len = format_process_text(&procs[i], text);

        if (list.len + len > MAX_VALUE_CHARS) ret = flush_list(key, L"RegProcs", index, &list);
        if (!ret && !append_string(&list, text, len)) ret = ERROR_OUTOFMEMORY;
    }
    if (!ret) ret = flush_list(key, L"RegProcs", index, &list);
    free(list.data);
    return ret;
}

#define UNKNOWN_INDEX (~0u)

/* The first free number of a value family that is written now.  A writer that wrote last knows
 * them: the Sequence it left says that nobody wrote since (every writer moves it on, under the
 * store's lock), so only a writer that was not the last one probes, and only the families it
 * writes. */
static void find_value_index(HKEY key, const WCHAR *prefix, UINT count, unsigned int *index)
{
    if (count && *index == UNKNOWN_INDEX) *index = next_value_index(key, prefix);
}

static DWORD write_resources(HKEY key, struct value_indexes *known, UINT nfiles, const WCHAR **files, UINT nprocs,
                             const RM_UNIQUE_PROCESS *procs, UINT nservices, const WCHAR **services)
{
    DWORD sequence = read_sequence(key), next_sequence = sequence == ~0u ? 1 : sequence + 1, ret;
    struct value_indexes next = *known;

    if (!nfiles && !nprocs && !nservices) return ERROR_SUCCESS;
    if (!known->valid || known->sequence != sequence || sequence == ~0u)
        next.files = next.procs = next.services = UNKNOWN_INDEX;
    find_value_index(key, L"RegFiles", nfiles, &next.files);
    find_value_index(key, L"RegProcs", nprocs, &next.procs);
    find_value_index(key, L"RegSvcs", nservices, &next.services);
    known->valid = FALSE;   /* until every write below has succeeded */
    if (!(ret = write_strings(key, L"RegFiles", &next.files, nfiles, files))
            && !(ret = write_processes(key, &next.procs, nprocs, procs))
            && !(ret = write_strings(key, L"RegSvcs", &next.services, nservices, services))
            && !(ret = set_sequence(key, next_sequence)))
    {
        next.sequence = next_sequence;
        next.valid = TRUE;
        *known = next;
    }
    return ret;
}

DWORD store_resources(struct session *session, UINT nfiles, const WCHAR **files,
                      UINT nprocs, const RM_UNIQUE_PROCESS *procs,
                      UINT nservices, const WCHAR **services)
{
    HKEY key;
    DWORD ret;

    if ((ret = lock_store())) return ret;
    /* The primary writes through the key it created, without finding it again by name and
     * hash.  Only if that key was deleted under it does the careful way decide what the
     * handle refers to now (usually nothing: ERROR_INVALID_HANDLE). */
    if (!session->key
            || ((ret = write_resources(session->key, &session->written, nfiles, files, nprocs, procs,
                                       nservices, services))
                && stored_key_deleted(session->key)))
    {
        if (!(ret = open_stored_session(session, KEY_SET_VALUE, &key)))
        {
            ret = write_resources(key, &session->written, nfiles, files, nprocs, procs, nservices, services);
            RegCloseKey(key);
        }
    }
    unlock_store();
    return ret;
}

/* Add one element to an array of the resources. */
static BOOL append_item(void **array, size_t *count, size_t *capacity, size_t item_size, const void *item)
{
    if (!array_reserve(array, capacity, *count + 1, item_size)) return FALSE;
    memcpy((BYTE *)*array + *count * item_size, item, item_size);
    (*count)++;
    return TRUE;
}

/* Add every string of one REG_MULTI_SZ value.  Values that are damaged (wrong type, no
 * terminator) are read as far as they make sense: a damaged store must not fail the call. */
static DWORD load_value(struct resources *res, const WCHAR *name, const WCHAR *data)
{
    const WCHAR *str;

    for (str = data; *str; str += wcslen(str) + 1)
    {
        if (!wcsncmp(name, L"RegProcs", 8))
        {
            RM_UNIQUE_PROCESS process;

            if (!parse_process_text(str, &process))
            {
                WARN("skipping damaged process entry %s\n", debugstr_w(str));
                continue;
            }
            if (!append_item((void **)&res->procs, &res->nprocs, &res->procs_capacity, sizeof(process), &process))
                return ERROR_OUTOFMEMORY;
        }
        else
        {
            WCHAR *copy = wcsdup(str);
            BOOL files = !wcsncmp(name, L"RegFiles", 8);

            if (!copy || !append_item(files ? (void **)&res->files : (void **)&res->services,
                                      files ? &res->nfiles : &res->nservices,
                                      files ? &res->files_capacity : &res->services_capacity, sizeof(copy), &copy))
            {
                free(copy);
                return ERROR_OUTOFMEMORY;
            }
        }
    }
    return ERROR_SUCCESS;
}

/* Buffers for one value name and its data, as large as the key's largest. */
struct value_buffers
{
    WCHAR *name;
    BYTE *data;
    DWORD max_name;     /* characters, without the terminator */
    DWORD max_data;     /* bytes */
};

/* Sizes the buffers to what the key holds now. */
static DWORD size_value_buffers(HKEY key, struct value_buffers *buf)
{
    DWORD max_name, max_data;
    LSTATUS status;

    if ((status = RegQueryInfoKeyW(key, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &max_name, &max_data, NULL, NULL)))
        return session_store_error(status);
    free(buf->name);
    free(buf->data);
    /* Room for two extra terminators, in case a value lacks its own. */
    buf->name = malloc((max_name + 1) * sizeof(WCHAR));
    buf->data = malloc(max_data + 3 * sizeof(WCHAR));
    buf->max_name = max_name;
    buf->max_data = max_data;
    return buf->name && buf->data ? ERROR_SUCCESS : ERROR_OUTOFMEMORY;
}

static BOOL is_registration(const WCHAR *name, DWORD type)
{
    return type == REG_MULTI_SZ && (!wcsncmp(name, L"RegFiles", 8) || !wcsncmp(name, L"RegProcs", 8)
                                    || !wcsncmp(name, L"RegSvcs", 7));
}

/* Every error ends the enumeration: a key deleted under us answers ERROR_KEY_DELETED for every
 * index, so skipping on to the next one would never end.  Only a value that grew since the
 * buffers were sized is read again, once, with larger buffers. */
DWORD load_resources(HKEY key, struct resources *res)
{
    struct value_buffers buf = { NULL, NULL, 0, 0 };
    DWORD index = 0, resized = ~0u, name_len, data_len, type, ret;

    memset(res, 0, sizeof(*res));
    ret = size_value_buffers(key, &buf);
    while (!ret)
    {
        LSTATUS status;

        name_len = buf.max_name + 1;
        data_len = buf.max_data;
        status = RegEnumValueW(key, index, buf.name, &name_len, NULL, &type, buf.data, &data_len);
        if (status == ERROR_NO_MORE_ITEMS) break;
        if (status == ERROR_MORE_DATA && resized != index)
        {
            resized = index;
            ret = size_value_buffers(key, &buf);
        }
        else if (status == ERROR_MORE_DATA) index++;  /* still growing: leave it to the next call */
        else if (status) ret = session_store_error(status);
        else
        {
            index++;
            if (!is_registration(buf.name, type)) continue;
            memset(buf.data + (data_len & ~1u), 0, 3 * sizeof(WCHAR));
            ret = load_value(res, buf.name, (const WCHAR *)buf.data);
        }
    }
    free(buf.name);
    free(buf.data);
    if (ret) free_resources(res);
    TRACE("%u files, %u processes, %u services, status %lu\n", (unsigned int)res->nfiles,
          (unsigned int)res->nprocs, (unsigned int)res->nservices, ret);
    return ret;
}

void free_resources(struct resources *res)
{
    size_t i;

    for (i = 0; i < res->nfiles; i++) free(res->files[i]);
    for (i = 0; i < res->nservices; i++) free(res->services[i]);
    free(res->files);
    free(res->procs);
    free(res->services);
    memset(res, 0, sizeof(*res));
}

/* ------------------------------------------------------------------ the cache */

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

/* A fresh installation registers thousands of names in folders it has yet to create: one
 * look at a folder answers for every name in it.  Names come grouped by folder, so the last
 * folder's answer is kept. */
struct folder_cache
{
    WCHAR path[MAX_PATH];
    BOOL missing;
};

/* Whether the folder of a full path is missing, so that nothing in it exists.  Only "not
 * found" counts: a folder the caller may not look at may still hold a file it may open. */
static BOOL folder_missing(const WCHAR *full, struct folder_cache *cache)
{
    const WCHAR *slash = wcsrchr(full, '\\');
    size_t len = slash ? slash - full + 1 : 0;
    DWORD error;

    if (!len || len >= ARRAYSIZE(cache->path)) return FALSE;
    if (!wcsncmp(full, cache->path, len) && !cache->path[len]) return cache->missing;
    memcpy(cache->path, full, len * sizeof(WCHAR));
    cache->path[len] = 0;
    cache->missing = GetFileAttributesW(cache->path) == INVALID_FILE_ATTRIBUTES
                     && ((error = GetLastError()) == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND);
    return cache->missing;
}

/* What a full path refers to. */
static enum name_kind full_name_kind(const WCHAR *full, struct folder_cache *folder)
{
    DWORD attrs;

    if (is_device_path(full)) return NAME_DEVICE;
    if (folder_missing(full, folder)) return NAME_MISSING;
    if ((attrs = GetFileAttributesW(full)) != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY))
        return NAME_DIRECTORY;
    if (attrs != INVALID_FILE_ATTRIBUTES || (GetLastError() != ERROR_FILE_NOT_FOUND
                                             && GetLastError() != ERROR_PATH_NOT_FOUND))
        return open_name_kind(full);
    return NAME_MISSING;
}

/* The canonical form of a registered name whose full path is known.  The usual name, a
 * drive-letter path, has nothing full_path did not already do: only a name starting with a
 * backslash can carry a prefix or a device name (normalize_path). */
static WCHAR *registered_path(const WCHAR *name, WCHAR *full)
{
    if (name[0] != '\\') return canonical_path(full);
    free(full);
    return normalize_path(name);
}

/* Sort the registered files: canonical names of the files into the set, devices marked.  Only
 * a file on a volume is ever read (may_be_image): reading a serial port, a console or a pipe
 * can wait forever, and opening a pipe would even take an instance from its server. */
static DWORD prepare_files(struct prepared_resources *prepared)
{
    const struct resources *res = &prepared->res;
    struct folder_cache folder = { L"" };
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
        WCHAR *full = full_path(res->files[i]), *path;
        enum name_kind kind = full ? full_name_kind(full, &folder) : NAME_MISSING;

        TRACE("%s: kind %u\n", debugstr_w(res->files[i]), kind);
        /* Windows refuses a registered directory (RmGetList's documentation) and a file it may
         * not open (ForceOps' Windows CI test), and only then, when the list is asked for. */
        if (kind == NAME_DIRECTORY || kind == NAME_DENIED) prepared->error = ERROR_ACCESS_DENIED;
        else if (kind == NAME_DEVICE) prepared->devices[i] = TRUE;
        else if (full)
        {
            path = registered_path(res->files[i], full);
            full = NULL;
            if (path && !path_set_add(&prepared->files, path)) ret = ERROR_OUTOFMEMORY;
            else if (path && kind == NAME_FILE && !prepared->images) prepared->images = may_be_image(res->files[i]);
        }
        free(full);
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
