/*
 * Restart Manager: sessions and registration
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

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved)
{
    TRACE("%p, %lu, %p\n", instance, reason, reserved);

    if (reason == DLL_PROCESS_ATTACH) DisableThreadLibraryCalls(instance);
    /* Only on FreeLibrary: at process exit the handles go with the process anyway. */
    else if (reason == DLL_PROCESS_DETACH && !reserved) release_store();
    return TRUE;
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

static DWORD open_session(BOOL primary, const BYTE key[RM_KEY_BYTES], DWORD *handle)
{
    struct session *session;
    DWORD ret;

    if (!(session = calloc(1, sizeof(*session)))) return ERROR_OUTOFMEMORY;
    session->refcount = 1;
    session->primary = primary;

    if (!(ret = hash_session_key(key, session->key_hash)))
    {
        if (primary) ret = create_stored_session(session->key_hash, &session->slot, &session->key);
        else ret = find_stored_session(session->key_hash, &session->slot);
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

/***********************************************************************
 *           RmRegisterResources (rstrtmgr.@)
 */
DWORD WINAPI RmRegisterResources(DWORD handle, UINT nfiles, LPCWSTR files[], UINT nprocs,
                                 RM_UNIQUE_PROCESS procs[], UINT nservices, LPCWSTR services[])
{
    struct session *session;
    DWORD ret;
    UINT i;

    TRACE("%lu, %u, %p, %u, %p, %u, %p\n", handle, nfiles, files, nprocs, procs, nservices, services);

    if ((nfiles && !files) || (nprocs && !procs) || (nservices && !services)) return ERROR_BAD_ARGUMENTS;
    /* An empty string cannot be stored in a REG_MULTI_SZ list, nor name anything. */
    for (i = 0; i < nfiles; i++)
        if (!files[i] || !files[i][0]) return ERROR_BAD_ARGUMENTS;
    for (i = 0; i < nservices; i++)
        if (!services[i] || !services[i][0]) return ERROR_BAD_ARGUMENTS;

    if (!(session = grab_session(handle))) return ERROR_INVALID_HANDLE;
    ret = store_resources(session, nfiles, files, nprocs, procs, nservices, services);
    release_session(session);
    return ret;
}

/***********************************************************************
 *           RmReserveHeap (rstrtmgr.@)
 *
 * Undocumented and in no SDK header; only its single 32-bit argument is known.  This
 * implementation needs no reserved memory, so it accepts every request.
 */
DWORD WINAPI RmReserveHeap(DWORD size)
{
    TRACE("%#lx\n", size);
    return ERROR_SUCCESS;
}
