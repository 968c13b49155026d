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

/***********************************************************************
 *           RmGetList (rstrtmgr.@)
 */
DWORD WINAPI RmGetList(DWORD handle, UINT *needed, UINT *count, RM_PROCESS_INFO apps[], LPDWORD reasons)
{
    struct session *session;
    HKEY key;
    DWORD ret, values;

    TRACE("%lu, %p, %p, %p, %p\n", handle, needed, count, apps, reasons);

    if (!needed || !count || !reasons) return ERROR_BAD_ARGUMENTS;
    if (*count && !apps) return ERROR_BAD_ARGUMENTS;
    if (!(session = grab_session(handle))) return ERROR_INVALID_HANDLE;

    if (!(ret = open_stored_session(session, KEY_READ, &key)))
    {
        if (RegQueryInfoKeyW(key, NULL, NULL, NULL, NULL, NULL, NULL, &values, NULL, NULL, NULL, NULL))
            ret = ERROR_WRITE_FAULT;
        /* Owner, Sequence and SessionHash: nothing registered yet, so nothing is affected. */
        else if (values <= 3)
        {
            *needed = 0;
            *count = 0;
            *reasons = RmRebootReasonNone;
        }
        else
        {
            FIXME("detection is not implemented yet\n");
            ret = ERROR_CALL_NOT_IMPLEMENTED;
        }
        RegCloseKey(key);
    }
    release_session(session);
    return ret;
}
