/*
 * Restart Manager: shutdown and restart filters
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
 * Filters persist with the session, in a volatile "Filters" subkey of its store key: one
 * REG_DWORD value per target, holding the RM_FILTER_ACTION.  The value name says what the
 * target is: "File:<path>", "Process:<pid>:<start-high>:<start-low>" (hex) or
 * "Service:<short name>".  Registry value names compare case-insensitively, as Windows
 * compares paths and service names, and setting a value again replaces it: the latest filter
 * for a target wins without any bookkeeping.
 */

#include "rstrtmgr_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(rstrtmgr);

static const WCHAR file_prefix[] = L"File:";
static const WCHAR process_prefix[] = L"Process:";
static const WCHAR service_prefix[] = L"Service:";

/* The longest registry value name, in characters. */
#define MAX_VALUE_NAME_CHARS 16383

/* Exactly one target, as RmAddFilter and RmRemoveFilter require. */
static BOOL check_target(const WCHAR *module, const RM_UNIQUE_PROCESS *process, const WCHAR *service)
{
    if ((module != NULL) + (process != NULL) + (service != NULL) != 1) return FALSE;
    if (module && !module[0]) return FALSE;
    if (service && !service[0]) return FALSE;
    return TRUE;
}

static WCHAR *make_value_name(const WCHAR *module, const RM_UNIQUE_PROCESS *process, const WCHAR *service)
{
    const WCHAR *prefix = module ? file_prefix : service_prefix;
    const WCHAR *target = module ? module : service;
    WCHAR *name;
    size_t len;

    if (process)
    {
        len = ARRAYSIZE(process_prefix) - 1;
        if (!(name = malloc((len + RM_PROCESS_TEXT_CHARS + 1) * sizeof(WCHAR)))) return NULL;
        wcscpy(name, process_prefix);
        format_process_text(process, name + len);
        return name;
    }
    len = wcslen(prefix) + wcslen(target) + 1;
    if (!(name = malloc(len * sizeof(WCHAR)))) return NULL;
    wcscpy(name, prefix);
    wcscat(name, target);
    return name;
}

static DWORD open_filter_key(HKEY session_key, BOOL create, HKEY *key)
{
    LSTATUS status = open_session_subkey(session_key, L"Filters", create, key);

    if (status == ERROR_FILE_NOT_FOUND) return ERROR_FILE_NOT_FOUND;
    return session_store_error(status);
}

static DWORD change_filter(DWORD handle, const WCHAR *module, RM_UNIQUE_PROCESS *process,
                           const WCHAR *service, RM_FILTER_ACTION action)
{
    struct session *session;
    HKEY session_key, filter_key;
    WCHAR *name;
    DWORD ret;

    if ((ret = grab_primary_session(handle, &session))) return ret;
    if (!(name = make_value_name(module, process, service)))
    {
        release_session(session);
        return ERROR_OUTOFMEMORY;
    }

    if (!(ret = lock_store()))
    {
        if (!(ret = open_stored_session(session, KEY_ALL_ACCESS, &session_key)))
        {
            if (!(ret = open_filter_key(session_key, action != RmInvalidFilterAction, &filter_key)))
            {
                LSTATUS status;

                if (action != RmInvalidFilterAction)
                    status = RegSetValueExW(filter_key, name, 0, REG_DWORD, (BYTE *)&action, sizeof(DWORD));
                else
                    status = RegDeleteValueW(filter_key, name);
                if (status == ERROR_FILE_NOT_FOUND) ret = ERROR_FILE_NOT_FOUND;
                else if (status) ret = ERROR_WRITE_FAULT;
                else ret = bump_sequence(session_key);
                RegCloseKey(filter_key);
            }
            RegCloseKey(session_key);
        }
        unlock_store();
    }
    free(name);
    release_session(session);
    return ret;
}

/***********************************************************************
 *           RmAddFilter (rstrtmgr.@)
 */
DWORD WINAPI RmAddFilter(DWORD handle, LPCWSTR module, RM_UNIQUE_PROCESS *process,
                         LPCWSTR service, RM_FILTER_ACTION action)
{
    TRACE("%lu, %s, %s, %s, %d\n", handle, debugstr_w(module), debugstr_rm_unique_process(process),
          debugstr_w(service), action);

    if (!check_target(module, process, service)) return ERROR_BAD_ARGUMENTS;
    if (action != RmNoRestart && action != RmNoShutdown) return ERROR_BAD_ARGUMENTS;
    /* The target becomes a value name, which the registry limits: a longer one (a long path
     * may have up to 32,767 characters) cannot be stored, and would fail as a write fault. */
    if (!process && wcslen(module ? file_prefix : service_prefix) + wcslen(module ? module : service)
            > MAX_VALUE_NAME_CHARS)
        return ERROR_BAD_ARGUMENTS;
    return change_filter(handle, module, process, service, action);
}

/***********************************************************************
 *           RmRemoveFilter (rstrtmgr.@)
 */
DWORD WINAPI RmRemoveFilter(DWORD handle, LPCWSTR module, RM_UNIQUE_PROCESS *process, LPCWSTR service)
{
    TRACE("%lu, %s, %s, %s\n", handle, debugstr_w(module), debugstr_rm_unique_process(process),
          debugstr_w(service));

    if (!check_target(module, process, service)) return ERROR_BAD_ARGUMENTS;
    return change_filter(handle, module, process, service, RmInvalidFilterAction);
}

void free_filters(struct filter_list *list)
{
    unsigned int i;

    for (i = 0; i < list->count; i++) free(list->filters[i].name);
    free(list->filters);
    memset(list, 0, sizeof(*list));
}

static BOOL parse_filter(const WCHAR *name, DWORD action, struct filter *filter)
{
    size_t len;

    memset(filter, 0, sizeof(*filter));
    filter->action = action;
    if (action != RmNoRestart && action != RmNoShutdown) return FALSE;

    if (!wcsncmp(name, process_prefix, wcslen(process_prefix)))
    {
        filter->trigger = RmFilterTriggerProcess;
        return parse_process_text(name + wcslen(process_prefix), &filter->process);
    }
    if (!wcsncmp(name, file_prefix, wcslen(file_prefix)))
    {
        filter->trigger = RmFilterTriggerFile;
        name += wcslen(file_prefix);
    }
    else if (!wcsncmp(name, service_prefix, wcslen(service_prefix)))
    {
        filter->trigger = RmFilterTriggerService;
        name += wcslen(service_prefix);
    }
    else return FALSE;

    len = wcslen(name);
    if (!len || !(filter->name = malloc((len + 1) * sizeof(WCHAR)))) return FALSE;
    memcpy(filter->name, name, (len + 1) * sizeof(WCHAR));
    return TRUE;
}

/* Read a session's filters.  Values that do not parse (a damaged store) are skipped. */
DWORD load_filters(HKEY session_key, struct filter_list *list)
{
    DWORD index, name_len, max_name, type, action, size;
    WCHAR *name = NULL;
    HKEY key;
    DWORD ret;

    memset(list, 0, sizeof(*list));
    if ((ret = open_filter_key(session_key, FALSE, &key)))
        return ret == ERROR_FILE_NOT_FOUND ? ERROR_SUCCESS : ret;

    if ((ret = session_store_error(RegQueryInfoKeyW(key, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &max_name,
                                                    NULL, NULL, NULL)))
            || !(name = malloc((max_name + 1) * sizeof(WCHAR))))
    {
        RegCloseKey(key);
        return ret ? ret : ERROR_OUTOFMEMORY;
    }
    for (index = 0;; index++)
    {
        struct filter filter;

        name_len = max_name + 1;
        size = sizeof(action);
        ret = RegEnumValueW(key, index, name, &name_len, NULL, &type, (BYTE *)&action, &size);
        if (ret == ERROR_NO_MORE_ITEMS) { ret = ERROR_SUCCESS; break; }
        if (ret == ERROR_MORE_DATA) continue;
        /* Any other error ends the walk: a deleted key fails every index alike. */
        if (ret) { ret = session_store_error(ret); break; }
        if (type != REG_DWORD || size != sizeof(action) || !parse_filter(name, action, &filter))
        {
            WARN("skipping damaged filter %s\n", debugstr_w(name));
            continue;
        }
        if (!array_reserve((void **)&list->filters, &list->capacity, list->count + 1, sizeof(*list->filters)))
        {
            free(filter.name);
            ret = ERROR_OUTOFMEMORY;
            break;
        }
        list->filters[list->count++] = filter;
    }
    free(name);
    RegCloseKey(key);
    if (ret) free_filters(list);
    return ret;
}

/*
 * The buffer RmGetFilterList fills: one RM_FILTER_INFO per filter, each directly followed by
 * the NUL-terminated string its strFilename or strServiceShortName points to, padded so the
 * next record is pointer-aligned.  cbNextOffset is the distance in bytes from the start of a
 * record to the start of the next one, and 0 in the last record.  Pointers refer to the
 * caller's buffer, so the data is self-contained.
 */
static size_t filter_record_size(const struct filter *filter)
{
    size_t size = sizeof(RM_FILTER_INFO);

    if (filter->name) size += (wcslen(filter->name) + 1) * sizeof(WCHAR);
    return (size + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
}

static void pack_filters(const struct filter_list *list, BYTE *buffer)
{
    unsigned int i;

    for (i = 0; i < list->count; i++)
    {
        const struct filter *filter = &list->filters[i];
        RM_FILTER_INFO *info = (RM_FILTER_INFO *)buffer;
        size_t size = filter_record_size(filter);

        memset(buffer, 0, size);
        info->FilterAction = filter->action;
        info->FilterTrigger = filter->trigger;
        info->cbNextOffset = i + 1 < list->count ? (DWORD)size : 0;
        if (filter->trigger == RmFilterTriggerProcess) info->Process = filter->process;
        else
        {
            WCHAR *str = (WCHAR *)(info + 1);

            wcscpy(str, filter->name);
            if (filter->trigger == RmFilterTriggerFile) info->strFilename = str;
            else info->strServiceShortName = str;
        }
        buffer += size;
    }
}

/***********************************************************************
 *           RmGetFilterList (rstrtmgr.@)
 */
DWORD WINAPI RmGetFilterList(DWORD handle, PBYTE buffer, DWORD size, LPDWORD needed)
{
    struct session *session;
    struct filter_list list;
    HKEY key;
    size_t total = 0;
    unsigned int i;
    DWORD ret;

    TRACE("%lu, %p, %lu, %p\n", handle, buffer, size, needed);

    if (size && !buffer) return ERROR_BAD_ARGUMENTS;
    if ((ret = grab_primary_session(handle, &session))) return ret;

    if (!(ret = open_stored_session(session, KEY_READ, &key)))
    {
        if (!(ret = load_filters(key, &list)))
        {
            for (i = 0; i < list.count; i++) total += filter_record_size(&list.filters[i]);
            if (total > MAXDWORD) ret = ERROR_OUTOFMEMORY;
            else if (needed) *needed = (DWORD)total;

            /* Without a place to report the size, the caller cannot size the buffer. */
            if (!ret && (!needed || size < total)) ret = ERROR_MORE_DATA;
            if (!ret) pack_filters(&list, buffer);
            free_filters(&list);
        }
        RegCloseKey(key);
    }
    release_session(session);
    return ret;
}

/* What the filters say about one process: RmNoShutdown, RmNoRestart or 0.  File filters name
 * the process's image path, compared as the registry compares value names. */
RM_FILTER_ACTION filter_action_for(const struct filter_list *list, const RM_UNIQUE_PROCESS *process,
                                   const WCHAR *image, const WCHAR *service)
{
    RM_FILTER_ACTION action = RmInvalidFilterAction;
    unsigned int i;

    for (i = 0; i < list->count; i++)
    {
        const struct filter *filter = &list->filters[i];
        BOOL match;

        switch (filter->trigger)
        {
        case RmFilterTriggerProcess:
            match = process && !memcmp(&filter->process, process, sizeof(*process));
            break;
        case RmFilterTriggerFile:
            match = image && !wcsicmp(filter->name, image);
            break;
        case RmFilterTriggerService:
            match = service && !wcsicmp(filter->name, service);
            break;
        default:
            match = FALSE;
            break;
        }
        /* RmNoShutdown implies no restart, so it outranks RmNoRestart. */
        if (match && filter->action > action) action = filter->action;
    }
    return action;
}
