/*
 * Restart Manager: the list of affected applications
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

#include "rstrtmgr_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(rstrtmgr);

/* Work out the affected processes of a session and describe them.  On success the caller
 * owns *infos (NULL when nothing is affected). */
DWORD get_affected_list(struct session *session, RM_PROCESS_INFO **infos, unsigned int *count, DWORD *reasons)
{
    struct prepared_resources *prepared;
    struct filter_list filters;
    struct affected_list list;
    HKEY key;
    DWORD ret;

    *infos = NULL;
    *count = 0;
    *reasons = RmRebootReasonNone;

    if ((ret = open_stored_session(session, KEY_READ, &key))) return ret;
    ret = prepare_resources(session, key, &prepared);
    if (!ret && (ret = load_filters(key, &filters))) release_prepared(prepared);
    RegCloseKey(key);
    if (ret) return ret;

    if (!(ret = detect_affected(session, prepared, &list)) && list.count)
    {
        if (!(*infos = calloc(list.count, sizeof(**infos)))) ret = ERROR_OUTOFMEMORY;
        else
        {
            describe_affected(&list, &filters, *infos, reasons);
            *count = list.count;
        }
    }
    /* What RmShutdown and RmRestart did stays visible with its status bits. */
    if (!ret && session->napps) ret = merge_app_records(session, infos, count);
    if (ret)
    {
        free(*infos);
        *infos = NULL;
        *count = 0;
    }
    free(list.items);
    free_filters(&filters);
    release_prepared(prepared);
    return ret;
}

/***********************************************************************
 *           RmGetList (rstrtmgr.@)
 */
DWORD WINAPI RmGetList(DWORD handle, UINT *needed, UINT *count, RM_PROCESS_INFO apps[], LPDWORD reasons)
{
    struct session *session;
    RM_PROCESS_INFO *infos;
    unsigned int found;
    DWORD ret, found_reasons;

    TRACE("%lu, %p, %p, %p, %p\n", handle, needed, count, apps, reasons);

    if (!needed || !count || !reasons) return ERROR_BAD_ARGUMENTS;
    if (*count && !apps) return ERROR_BAD_ARGUMENTS;
    /* Only the process that started the session may ask, as on Windows: a joined handle, even
     * one in the primary's own process, gets ERROR_SESSION_CREDENTIAL_CONFLICT. */
    if ((ret = grab_primary_session(handle, &session))) return ret;

    InterlockedExchange(&session->cancel_requested, FALSE);
    if (!(ret = get_affected_list(session, &infos, &found, &found_reasons)))
    {
        *needed = found;
        *reasons = found_reasons;
        if (*count < found)
        {
            *count = 0;
            ret = ERROR_MORE_DATA;
        }
        else
        {
            if (found) memcpy(apps, infos, found * sizeof(*infos));
            *count = found;
        }
        free(infos);
    }
    release_session(session);
    TRACE("returning %lu, %u affected\n", ret, ret ? 0 : *count);
    return ret;
}
