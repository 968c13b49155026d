/*
 * Restart Manager: a session's life in this process
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
 * Everything a session is in this process, from RmStartSession or RmJoinSession to the last
 * reference's release: the handle table, the primary's rights, what RmShutdown did (the app
 * records RmRestart and RmGetList read), and cancellation of the task in progress.
 *
 * A handle is a small index into a growable table, starting at 0 as on Windows.  The table
 * holds one reference to each session; callers look a handle up and take their own reference
 * under the lock, so a session ended on one thread stays valid for a call still running on
 * another until that call releases it.
 */

#include "rstrtmgr_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(rstrtmgr);

/* ------------------------------------------------------------------ handles */

/* A slim lock needs no initialisation, so the table works before and without DllMain. */
static SRWLOCK handle_lock = SRWLOCK_INIT;

static struct session **handle_table;
static size_t handle_capacity;

/* Handles above this are refused rather than grown into: no installer needs more, and a
 * runaway caller must get an error, not exhaust memory. */
#define MAX_HANDLES 0x10000

static DWORD alloc_session_handle(struct session *session, DWORD *handle)
{
    size_t index, capacity = handle_capacity;
    DWORD ret = ERROR_SUCCESS;

    AcquireSRWLockExclusive(&handle_lock);
    for (index = 0; index < handle_capacity; index++)
        if (!handle_table[index]) break;

    if (index >= MAX_HANDLES
            || !array_reserve((void **)&handle_table, &handle_capacity, index + 1, sizeof(*handle_table)))
        ret = ERROR_OUTOFMEMORY;
    else
    {
        memset(handle_table + capacity, 0, (handle_capacity - capacity) * sizeof(*handle_table));
        InterlockedIncrement(&session->refcount);
        handle_table[index] = session;
        *handle = index;
    }
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
static BOOL free_session_handle(DWORD handle, struct session *session)
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

/* Look up a handle for an operation only the session's primary may perform. */
DWORD grab_primary_session(DWORD handle, struct session **session)
{
    if (!(*session = grab_session(handle))) return ERROR_INVALID_HANDLE;
    if (!(*session)->primary)
    {
        release_session(*session);
        return ERROR_SESSION_CREDENTIAL_CONFLICT;
    }
    return ERROR_SUCCESS;
}

/* ------------------------------------------------------------------ start, join and end */

static DWORD open_session(BOOL primary, const BYTE key[RM_KEY_BYTES], DWORD *handle)
{
    struct session *session;
    DWORD ret;

    if (!(session = calloc(1, sizeof(*session)))) return ERROR_OUTOFMEMORY;
    session->refcount = 1;
    session->primary = primary;

    if (!(ret = hash_session_key(key, session->key_hash)))
    {
        if (!primary) ret = find_stored_session(session->key_hash, &session->slot);
        else if (!(ret = create_stored_session(session->key_hash, &session->slot, &session->key)))
            session->written.valid = TRUE;  /* a new key: Sequence 0, no registration values */
    }
    if (!ret && (ret = alloc_session_handle(session, handle)) && primary)
        delete_stored_session(session);
    release_session(session);
    return ret;
}

/***********************************************************************
 *           RmStartSession (rstrtmgr.@)
 */
DWORD WINAPI RmStartSession(DWORD *handle, DWORD flags, WCHAR session_key[])
{
    BYTE key[RM_KEY_BYTES];
    DWORD ret;

    TRACE("%p, %#lx, %p\n", handle, flags, session_key);

    if (!handle || !session_key || flags) return ERROR_BAD_ARGUMENTS;

    if (!(ret = generate_session_key(key)) && !(ret = open_session(TRUE, key, handle)))
    {
        format_session_key(key, session_key);
        TRACE("started session, handle %lu\n", *handle);
    }
    SecureZeroMemory(key, sizeof(key));
    return ret;
}

/***********************************************************************
 *           RmJoinSession (rstrtmgr.@)
 */
DWORD WINAPI RmJoinSession(DWORD *handle, const WCHAR session_key[])
{
    BYTE key[RM_KEY_BYTES];
    DWORD ret;

    TRACE("%p, %p\n", handle, session_key);

    if (!handle || !session_key) return ERROR_BAD_ARGUMENTS;

    /* Anything that is not 32 hex digits cannot validate against any session. */
    if (!parse_session_key(session_key, key)) return ERROR_SESSION_CREDENTIAL_CONFLICT;
    if (!(ret = open_session(FALSE, key, handle))) TRACE("joined session, handle %lu\n", *handle);
    SecureZeroMemory(key, sizeof(key));
    return ret;
}

/***********************************************************************
 *           RmEndSession (rstrtmgr.@)
 */
DWORD WINAPI RmEndSession(DWORD handle)
{
    struct session *session;
    DWORD ret = ERROR_SUCCESS;

    TRACE("%lu\n", handle);

    if (!(session = grab_session(handle))) return ERROR_INVALID_HANDLE;

    /* A secondary only leaves; the primary takes the session and all it holds with it.  If
     * the store cannot be changed, the handle stays valid so the caller may try again. */
    if (session->primary)
    {
        ret = delete_stored_session(session);
        if (ret == ERROR_INVALID_HANDLE) ret = ERROR_SUCCESS;  /* already gone from the store */
    }
    if (!ret && !free_session_handle(handle, session)) ret = ERROR_INVALID_HANDLE;
    release_session(session);
    return ret;
}

/* ------------------------------------------------------------------ what RmShutdown did */

static struct app_record *find_record(struct session *session, const RM_UNIQUE_PROCESS *process)
{
    size_t i;

    for (i = 0; i < session->napps; i++)
        if (!memcmp(&session->apps[i].info.Process, process, sizeof(*process))) return &session->apps[i];
    return NULL;
}

/* Make room for more records up front: a shutdown holds pointers to records while it adds
 * others, so the array must not move under it. */
BOOL reserve_app_records(struct session *session, size_t count)
{
    BOOL ret;

    AcquireSRWLockExclusive(&session->state_lock);
    ret = array_reserve((void **)&session->apps, &session->apps_capacity, session->napps + count,
                        sizeof(*session->apps));
    ReleaseSRWLockExclusive(&session->state_lock);
    return ret;
}

/* The bits a record gets from the filters: they describe the filters of the moment, not
 * what happened, and are never carried from one call to the next. */
#define FILTER_STATUS (RmStatusShutdownMasked | RmStatusRestartMasked)

/* The record of an application this session acts on, made on first use in the room
 * reserve_app_records made.  Its description and filter bits become the current ones (info is a
 * fresh list entry); what earlier calls did to it stays. */
struct app_record *get_app_record(struct session *session, const RM_PROCESS_INFO *info)
{
    struct app_record *record;

    AcquireSRWLockExclusive(&session->state_lock);
    if (!(record = find_record(session, &info->Process)) && session->napps < session->apps_capacity)
    {
        record = &session->apps[session->napps++];
        memset(record, 0, sizeof(*record));
    }
    if (record)
    {
        /* A fresh entry carries the record's history already (merge_app_records). */
        record->info = *info;
        record->info.AppStatus &= ~RmStatusRunning;
    }
    ReleaseSRWLockExclusive(&session->state_lock);
    return record;
}

void set_app_status(struct session *session, struct app_record *record, ULONG set, ULONG clear)
{
    AcquireSRWLockExclusive(&session->state_lock);
    record->info.AppStatus = (record->info.AppStatus & ~clear) | set;
    ReleaseSRWLockExclusive(&session->state_lock);
}

static void free_app_records(struct session *session)
{
    size_t i;

    for (i = 0; i < session->napps; i++) free_process_params(&session->apps[i].params);
    free(session->apps);
    for (i = 0; i < session->nservices; i++) free(session->services[i]);
    free(session->services);
    session->apps = NULL;
    session->services = NULL;
    session->napps = session->nservices = session->apps_capacity = session->services_capacity = 0;
}

/* Fold what this session did into a fresh list: processes it acted on that still run carry
 * their history, and those it stopped are listed with their status though they are gone. */
DWORD merge_app_records(struct session *session, RM_PROCESS_INFO **infos, unsigned int *count)
{
    unsigned int j, extra = 0;
    RM_PROCESS_INFO *merged;
    size_t i;
    DWORD ret = ERROR_SUCCESS;

    AcquireSRWLockShared(&session->state_lock);
    for (i = 0; i < session->napps; i++)
    {
        const struct app_record *record = &session->apps[i];

        for (j = 0; j < *count; j++)
            if (!memcmp(&(*infos)[j].Process, &record->info.Process, sizeof(record->info.Process))) break;
        /* A process still listed is running: its filter bits are those of now. */
        if (j < *count) (*infos)[j].AppStatus |= record->info.AppStatus & ~(RmStatusStopped | FILTER_STATUS);
        else extra++;
    }
    if (extra)
    {
        if (!(merged = realloc(*infos, (*count + extra) * sizeof(*merged)))) ret = ERROR_OUTOFMEMORY;
        else
        {
            *infos = merged;
            for (i = 0; i < session->napps; i++)
            {
                const struct app_record *record = &session->apps[i];

                for (j = 0; j < *count; j++)
                    if (!memcmp(&merged[j].Process, &record->info.Process, sizeof(record->info.Process))) break;
                if (j == *count) merged[(*count)++] = record->info;
            }
        }
    }
    ReleaseSRWLockShared(&session->state_lock);
    return ret;
}

/* Remember a service RmShutdown stopped, once, in stop order. */
BOOL remember_service(struct session *session, const WCHAR *name)
{
    WCHAR *copy;
    BOOL ret;
    size_t i;

    for (i = 0; i < session->nservices; i++) if (!wcsicmp(session->services[i], name)) return TRUE;
    if (!(copy = wcsdup(name))) return FALSE;
    AcquireSRWLockExclusive(&session->state_lock);
    if ((ret = array_reserve((void **)&session->services, &session->services_capacity, session->nservices + 1,
                             sizeof(*session->services))))
        session->services[session->nservices++] = copy;
    ReleaseSRWLockExclusive(&session->state_lock);
    if (!ret) free(copy);
    return ret;
}

void release_session(struct session *session)
{
    if (InterlockedDecrement(&session->refcount)) return;
    if (session->prepared) release_prepared(session->prepared);
    free_app_records(session);
    if (session->cancel_event) CloseHandle(session->cancel_event);
    if (session->key) RegCloseKey(session->key);
    free(session);
}

/* ------------------------------------------------------------------ cancellation */

/* The event is made on first use: most sessions never shut anything down. */
static HANDLE get_cancel_event(struct session *session)
{
    HANDLE event;

    if ((event = session->cancel_event)) return event;
    if (!(event = CreateEventW(NULL, TRUE, FALSE, NULL))) return NULL;
    if (InterlockedCompareExchangePointer(&session->cancel_event, event, NULL)) CloseHandle(event);
    return session->cancel_event;
}

/* Start a task: forget earlier cancellation requests. */
DWORD start_task(struct session *session)
{
    HANDLE event = get_cancel_event(session);

    if (!event) return ERROR_OUTOFMEMORY;
    InterlockedExchange(&session->cancel_requested, FALSE);
    ResetEvent(event);
    return ERROR_SUCCESS;
}

BOOL task_cancelled(struct session *session)
{
    return session && session->cancel_requested;
}

/***********************************************************************
 *           RmCancelCurrentTask (rstrtmgr.@)
 */
DWORD WINAPI RmCancelCurrentTask(DWORD handle)
{
    struct session *session;
    HANDLE event;
    DWORD ret;

    TRACE("%lu\n", handle);

    /* "Must be called from the application that has started the session", as for RmGetList. */
    if ((ret = grab_primary_session(handle, &session))) return ret;
    InterlockedExchange(&session->cancel_requested, TRUE);
    if ((event = get_cancel_event(session))) SetEvent(event);
    release_session(session);
    return ERROR_SUCCESS;
}
