/*
 * What a program outside the DLL reads of the session store: shared by rmtool's "sessions"
 * command and the stress driver, which both look at the store as a bystander would.
 *
 * Copyright 2026 The rstrtmgr authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef RSTRTMGR_STOREVIEW_H
#define RSTRTMGR_STOREVIEW_H

#include <windows.h>
#include <restartmanager.h>

/* Whether a session's owner is still running; *arch (if not NULL) is then 0 for a 32-bit
 * process on 64-bit Windows, 1 otherwise. */
extern BOOL store_owner_alive(const RM_UNIQUE_PROCESS *owner, int *arch);
/* The number of strings of all REG_MULTI_SZ values whose name starts with prefix. */
extern unsigned int store_count_strings(HKEY key, const WCHAR *prefix);

#endif /* RSTRTMGR_STOREVIEW_H */
