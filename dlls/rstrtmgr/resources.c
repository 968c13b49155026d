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
 */

#include "rstrtmgr_private.h"

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
    if (list->len + len + 2 > list->capacity)
    {
        size_t capacity = max(list->capacity * 2, list->len + len + 2);
        WCHAR *data;

        if (!(data = realloc(list->data, capacity * sizeof(WCHAR)))) return FALSE;
        list->data = data;
        list->capacity = capacity;
    }
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

static DWORD write_strings(HKEY key, const WCHAR *prefix, UINT count, const WCHAR **strings)
{
    struct multi_sz list = { NULL, 0, 0 };
    unsigned int index;
    DWORD ret = ERROR_SUCCESS;
    UINT i;

    if (!count) return ERROR_SUCCESS;
    index = next_value_index(key, prefix);
    for (i = 0; i < count && !ret; i++)
    {
        size_t len = wcslen(strings[i]);

        if (list.len && list.len + len > MAX_VALUE_CHARS) ret = flush_list(key, prefix, &index, &list);
        if (!ret && !append_string(&list, strings[i], len)) ret = ERROR_OUTOFMEMORY;
    }
    if (!ret) ret = flush_list(key, prefix, &index, &list);
    free(list.data);
    return ret;
}

static DWORD write_processes(HKEY key, UINT count, const RM_UNIQUE_PROCESS *procs)
{
    struct multi_sz list = { NULL, 0, 0 };
    unsigned int index;
    DWORD ret = ERROR_SUCCESS;
    WCHAR text[32];
    UINT i;

    if (!count) return ERROR_SUCCESS;
    index = next_value_index(key, L"RegProcs");
    for (i = 0; i < count && !ret; i++)
    {
        int len = swprintf(text, ARRAYSIZE(text), L"%08lx:%08lx:%08lx", procs[i].dwProcessId,
                           procs[i].ProcessStartTime.dwHighDateTime,
                           procs[i].ProcessStartTime.dwLowDateTime);

        if (list.len + len > MAX_VALUE_CHARS) ret = flush_list(key, L"RegProcs", &index, &list);
        if (!ret && !append_string(&list, text, len)) ret = ERROR_OUTOFMEMORY;
    }
    if (!ret) ret = flush_list(key, L"RegProcs", &index, &list);
    free(list.data);
    return ret;
}

static DWORD write_resources(HKEY key, UINT nfiles, const WCHAR **files, UINT nprocs,
                             const RM_UNIQUE_PROCESS *procs, UINT nservices, const WCHAR **services)
{
    DWORD ret;

    if (!(ret = write_strings(key, L"RegFiles", nfiles, files))
            && !(ret = write_processes(key, nprocs, procs))
            && !(ret = write_strings(key, L"RegSvcs", nservices, services))
            && (nfiles || nprocs || nservices))
        ret = bump_sequence(key);
    return ret;
}

DWORD store_resources(const struct session *session, UINT nfiles, const WCHAR **files,
                      UINT nprocs, const RM_UNIQUE_PROCESS *procs,
                      UINT nservices, const WCHAR **services)
{
    struct store_lock lock;
    HKEY key;
    DWORD ret;

    if ((ret = lock_store(&lock))) return ret;
    /* The primary writes through the key it created, without finding it again by name and
     * hash.  Only if that key was deleted under it does the careful way decide what the
     * handle refers to now (usually nothing: ERROR_INVALID_HANDLE). */
    if (!session->key
            || ((ret = write_resources(session->key, nfiles, files, nprocs, procs, nservices, services))
                && stored_key_deleted(session->key)))
    {
        if (!(ret = open_stored_session(session, KEY_SET_VALUE, &key)))
        {
            ret = write_resources(key, nfiles, files, nprocs, procs, nservices, services);
            RegCloseKey(key);
        }
    }
    unlock_store(&lock);
    return ret;
}

static BOOL append_item(void **array, unsigned int *count, size_t item_size, const void *item)
{
    void *bigger;

    /* Grow by doubling: counts are powers of two exactly when the array is full. */
    if (!(*count & (*count - 1)))
    {
        if (!(bigger = realloc(*array, (*count ? *count * 2 : 1) * item_size))) return FALSE;
        *array = bigger;
    }
    memcpy((BYTE *)*array + *count * item_size, item, item_size);
    (*count)++;
    return TRUE;
}

static BOOL parse_process(const WCHAR *text, RM_UNIQUE_PROCESS *process)
{
    WCHAR *end;

    process->dwProcessId = wcstoul(text, &end, 16);
    if (end != text + 8 || *end != ':') return FALSE;
    process->ProcessStartTime.dwHighDateTime = wcstoul(end + 1, &end, 16);
    if (end != text + 17 || *end != ':') return FALSE;
    process->ProcessStartTime.dwLowDateTime = wcstoul(end + 1, &end, 16);
    return end == text + 26 && !*end;
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

            if (!parse_process(str, &process))
            {
                WARN("skipping damaged process entry %s\n", debugstr_w(str));
                continue;
            }
            if (!append_item((void **)&res->procs, &res->nprocs, sizeof(process), &process))
                return ERROR_OUTOFMEMORY;
        }
        else
        {
            WCHAR *copy = wcsdup(str);
            BOOL files = !wcsncmp(name, L"RegFiles", 8);

            if (!copy || !append_item(files ? (void **)&res->files : (void **)&res->services,
                                      files ? &res->nfiles : &res->nservices, sizeof(copy), &copy))
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
    TRACE("%u files, %u processes, %u services, status %lu\n", res->nfiles, res->nprocs, res->nservices, ret);
    return ret;
}

void free_resources(struct resources *res)
{
    unsigned int i;

    for (i = 0; i < res->nfiles; i++) free(res->files[i]);
    for (i = 0; i < res->nservices; i++) free(res->services[i]);
    free(res->files);
    free(res->procs);
    free(res->services);
    memset(res, 0, sizeof(*res));
}
