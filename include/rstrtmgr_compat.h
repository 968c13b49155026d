/*
 * What the mingw-w64 headers lack for the Restart Manager.
 *
 * Copyright 2026 The rstrtmgr authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef RSTRTMGR_COMPAT_H
#define RSTRTMGR_COMPAT_H

#include <winerror.h>

/* Documented Restart Manager return codes missing from mingw-w64's winerror.h. */
#ifndef ERROR_FAIL_NOACTION_REBOOT
#define ERROR_FAIL_NOACTION_REBOOT 350L
#endif
#ifndef ERROR_FAIL_SHUTDOWN
#define ERROR_FAIL_SHUTDOWN 351L
#endif
#ifndef ERROR_FAIL_RESTART
#define ERROR_FAIL_RESTART 352L
#endif
#ifndef ERROR_MAX_SESSIONS_REACHED
#define ERROR_MAX_SESSIONS_REACHED 353L
#endif
#ifndef ERROR_REQUEST_OUT_OF_SEQUENCE
#define ERROR_REQUEST_OUT_OF_SEQUENCE 776L
#endif

/* Exported by rstrtmgr.dll but in no SDK header; one 32-bit argument. */
DWORD WINAPI RmReserveHeap(DWORD size);

#endif /* RSTRTMGR_COMPAT_H */
