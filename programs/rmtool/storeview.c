/*
 * What a program outside the DLL reads of the session store
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

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "storeview.h"

BOOL store_owner_alive(const RM_UNIQUE_PROCESS *owner, int *arch)
{
    FILETIME created, exited, kernel, user;
    HANDLE process;
    DWORD code;
    BOOL alive, wow64 = FALSE;

    /* A process we may not open is someone else's, and running. */
    if (!(process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, owner->dwProcessId)))
        return GetLastError() == ERROR_ACCESS_DENIED;
    alive = GetProcessTimes(process, &created, &exited, &kernel, &user)
            && !memcmp(&created, &owner->ProcessStartTime, sizeof(created))
            && GetExitCodeProcess(process, &code) && code == STILL_ACTIVE;
    if (alive && arch) *arch = IsWow64Process(process, &wow64) && wow64 ? 0 : 1;
    CloseHandle(process);
    return alive;
}

unsigned int store_count_strings(HKEY key, const WCHAR *prefix)
{
    WCHAR name[256];
    DWORD index, total = 0;

    for (index = 0;; index++)
    {
        DWORD name_len = ARRAYSIZE(name), type, size = 0;
        WCHAR *data, *p;

        if (RegEnumValueW(key, index, name, &name_len, NULL, &type, NULL, &size)) break;
        if (wcsncmp(name, prefix, wcslen(prefix)) || type != REG_MULTI_SZ) continue;
        if (!(data = calloc(size / sizeof(WCHAR) + 2, sizeof(WCHAR)))) continue;
        name_len = ARRAYSIZE(name);
        if (!RegEnumValueW(key, index, name, &name_len, NULL, NULL, (BYTE *)data, &size))
            for (p = data; *p; p += wcslen(p) + 1) total++;
        free(data);
    }
    return total;
}
