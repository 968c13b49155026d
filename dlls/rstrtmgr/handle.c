/*
 * Restart Manager: this process's session handles
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
 * A handle is a small index into a growable table, starting at 0 as on Windows.  The
 * table holds one reference to each session; callers look a handle up and take their own
 * reference under the lock, so a session ended on one thread stays valid for a call still
 * running on another until that call releases it.
 */

#include "rstrtmgr_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(rstrtmgr);

/* A slim lock needs no initialisation, so the table works before and without DllMain. */
static SRWLOCK handle_lock = SRWLOCK_INIT;

static struct session **handle_table;
static DWORD handle_capacity;

/* Handles above this are refused rather than grown into: no installer needs more, and a
 * runaway caller must get an error, not exhaust memory. */
#define MAX_HANDLES 0x10000

DWORD alloc_session_handle(struct session *session, DWORD *handle)
{
    DWORD index, ret = ERROR_SUCCESS;

    AcquireSRWLockExclusive(&handle_lock);
    for (index = 0; index < handle_capacity; index++)
        if (!handle_table[index]) break;

    if (index == handle_capacity)
    {
        DWORD capacity = handle_capacity ? handle_capacity * 2 : 16;
        struct session **table;

        if (capacity > MAX_HANDLES)
        {
            ret = ERROR_OUTOFMEMORY;
            goto done;
        }
        if (!(table = realloc(handle_table, capacity * sizeof(*table))))
        {
            ret = ERROR_OUTOFMEMORY;
            goto done;
        }
        memset(table + handle_capacity, 0, (capacity - handle_capacity) * sizeof(*table));
        handle_table = table;
        handle_capacity = capacity;
    }

    InterlockedIncrement(&session->refcount);
    handle_table[index] = session;
    *handle = index;

done:
    ReleaseSRWLockExclusive(&handle_lock);
    return ret;
}

struct session *grab_session(DWORD handle)
{
    struct session *session = NULL;

    AcquireSRWLockExclusive(&handle_lock);
    if (handle < handle_capacity && (session = handle_table[handle]))
        InterlockedIncrement(&session->refcount);
    ReleaseSRWLockExclusive(&handle_lock);

    if (!session) TRACE("no session for handle %lu\n", handle);
    return session;
}

/* Detach a handle from the table if it still refers to this session, and drop the table's
 * reference.  Fails if another thread ended the handle first. */
BOOL free_session_handle(DWORD handle, struct session *session)
{
    BOOL ret = FALSE;

    AcquireSRWLockExclusive(&handle_lock);
    if (handle < handle_capacity && handle_table[handle] == session)
    {
        handle_table[handle] = NULL;
        ret = TRUE;
    }
    ReleaseSRWLockExclusive(&handle_lock);
    if (ret) release_session(session);
    return ret;
}

void release_session(struct session *session)
{
    if (!InterlockedDecrement(&session->refcount))
    {
        if (session->prepared) release_prepared(session->prepared);
        free_app_records(session);
        if (session->cancel_event) CloseHandle(session->cancel_event);
        if (session->key) RegCloseKey(session->key);
        free(session);
    }
}
