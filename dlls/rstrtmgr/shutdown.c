/*
 * Restart Manager: shutting down and restarting applications
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

#define VALID_SHUTDOWN_FLAGS (RmForceShutdown | RmShutdownOnlyRegistered)

/***********************************************************************
 *           RmShutdown (rstrtmgr.@)
 */
DWORD WINAPI RmShutdown(DWORD handle, ULONG flags, RM_WRITE_STATUS_CALLBACK status)
{
    struct session *session;
    UINT needed = 0, count = 0;
    DWORD reasons, ret;

    TRACE("%lu, %#lx, %p\n", handle, flags, status);

    if (flags & ~VALID_SHUTDOWN_FLAGS) return ERROR_BAD_ARGUMENTS;
    if ((ret = grab_primary_session(handle, &session))) return ret;

    InterlockedExchange(&session->shutdown_done, TRUE);
    ret = RmGetList(handle, &needed, &count, NULL, &reasons);
    if (ret == ERROR_MORE_DATA)
    {
        /* Closing applications comes with the shutdown work; until then, say so honestly. */
        FIXME("closing %u application(s) is not implemented\n", needed);
        ret = ERROR_FAIL_SHUTDOWN;
    }
    else if (!ret && status) status(100);
    release_session(session);
    return ret;
}

/***********************************************************************
 *           RmRestart (rstrtmgr.@)
 */
DWORD WINAPI RmRestart(DWORD handle, DWORD flags, RM_WRITE_STATUS_CALLBACK status)
{
    struct session *session;
    DWORD ret;

    TRACE("%lu, %#lx, %p\n", handle, flags, status);

    if (flags) return ERROR_BAD_ARGUMENTS;
    if ((ret = grab_primary_session(handle, &session))) return ret;

    if (!session->shutdown_done) ret = ERROR_REQUEST_OUT_OF_SEQUENCE;
    else if (status) status(100);  /* nothing was stopped, so nothing is left to restart */
    release_session(session);
    return ret;
}

/***********************************************************************
 *           RmCancelCurrentTask (rstrtmgr.@)
 */
DWORD WINAPI RmCancelCurrentTask(DWORD handle)
{
    struct session *session;

    TRACE("%lu\n", handle);

    if (!(session = grab_session(handle))) return ERROR_INVALID_HANDLE;
    InterlockedExchange(&session->cancel_requested, TRUE);
    release_session(session);
    return ERROR_SUCCESS;
}
