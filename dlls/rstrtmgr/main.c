/*
 * Restart Manager: the DLL entry point, registration and RmReserveHeap
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
