/*
 * Restart Manager bad-input sweep: every export, every parameter
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
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with this library; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin St, Fifth Floor, Boston, MA 02110-1301, USA
 */

/*
 * One table, one row per bad (or borderline) input: a description, the call, and the code it
 * must return.  The rows run in table order against shared state: a primary session, a
 * secondary of it, a handle that has been ended, and a handle number that belongs to a session
 * of a child process (never joined here).  Rows that start or join a session end it again, so
 * the handle numbers of this process do not change under the rows.
 *
 * Where Windows' answer is not documented, the row names the code this implementation returns
 * and the code (or any error) Windows may return instead, accepted there through broken().
 * Inputs Windows might fault on (a NULL string inside an array) run under Wine only.  Counts
 * near UINT_MAX are only given with NULL arrays: with a real array they would be read out of
 * bounds, on Windows too.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <windows.h>
#include <restartmanager.h>

#include "wine/test.h"
#include "rmtest.h"

/* The longest path Windows knows: 32,767 characters. */
#define LONG_PATH 32767
/* The child's handle is at least this; this process never holds as many. */
#define FOREIGN_MIN 16

/* windows_alt: a code Windows may return instead (through broken()); 0 if Windows must
 * agree, ALT_SUCCESS for ERROR_SUCCESS, ANY_ERROR for any non-zero code. */
#define NONE 0
#define ALT_SUCCESS 0x7fff0000
#define ANY_ERROR 0xffffffff
#define ANY_RESULT 0x7ffe0000   /* never seen on Windows: any code there */

#define WINE_ONLY 1     /* Windows might fault on this input, or act on another process's session */

static const WCHAR some_file[] = L"C:\\rmtest-sweep-never-exists.dat";
static const WCHAR some_service[] = L"rmtest-sweep-no-such-service";

static DWORD primary = NO_SESSION, secondary = NO_SESSION, ended = NO_SESSION, foreign = NO_SESSION;
static WCHAR primary_key[KEY_BUFFER];
static WCHAR *long_path, *long_name, *long_key;
static RM_UNIQUE_PROCESS self_owner, child_owner;
static char self_exe[MAX_PATH];
static DWORD (WINAPI *pRmReserveHeap)(DWORD);

/* ------------------------------------------------------------------ rows */

/* Joins with the key; a join that succeeds is ended at once. */
static DWORD join_with(const WCHAR *key)
{
    DWORD handle = 0xdeadbeef, ret;

    ret = RmJoinSession(&handle, key);
    if (!ret) RmEndSession(handle);
    return ret;
}

/* A key built from the primary's: its first n characters, then suffix. */
static DWORD join_prefix(unsigned int n, const WCHAR *suffix)
{
    WCHAR key[KEY_BUFFER + 8];

    lstrcpynW(key, primary_key, n + 1);
    wcscat(key, suffix);
    return join_with(key);
}

static DWORD start_null_handle(void)
{
    WCHAR key[KEY_BUFFER];

    return RmStartSession(NULL, 0, key);
}
static DWORD start_null_key(void)
{
    DWORD handle, ret = RmStartSession(&handle, 0, NULL);

    if (!ret) RmEndSession(handle);
    return ret;
}
static DWORD start_both_null(void) { return RmStartSession(NULL, 0, NULL); }
static DWORD start_flags(DWORD flags)
{
    WCHAR key[KEY_BUFFER];
    DWORD handle, ret = RmStartSession(&handle, flags, key);

    if (!ret) RmEndSession(handle);
    return ret;
}
static DWORD start_flags_1(void) { return start_flags(1); }
static DWORD start_flags_max(void) { return start_flags(~0u); }
static DWORD start_valid(void) { return start_flags(0); }

static DWORD join_null_handle(void) { return RmJoinSession(NULL, primary_key); }
static DWORD join_null_key(void)
{
    DWORD handle, ret = RmJoinSession(&handle, NULL);

    if (!ret) RmEndSession(handle);
    return ret;
}
static DWORD join_both_null(void) { return RmJoinSession(NULL, NULL); }
static DWORD join_31(void) { return join_prefix(31, L""); }
static DWORD join_33(void) { return join_prefix(32, L"0"); }
static DWORD join_empty(void) { return join_with(L""); }
static DWORD join_nonhex(void) { return join_with(L"gggggggggggggggggggggggggggggggg"); }
static DWORD join_last_nonhex(void) { return join_prefix(31, L"x"); }
static DWORD join_0x(void)
{
    WCHAR key[KEY_BUFFER + 8] = L"0x";

    wcscat(key, primary_key);
    return join_with(key);
}
static DWORD join_space(void) { return join_prefix(32, L" "); }
static DWORD join_16(void) { return join_prefix(16, L""); }
static DWORD join_long(void) { return join_with(long_key); }
static DWORD join_zeros(void) { return join_with(L"00000000000000000000000000000000"); }
static DWORD join_valid(void) { return join_with(primary_key); }

static DWORD end_none(void) { return RmEndSession(NO_SESSION); }
static DWORD end_large(void) { return RmEndSession(0x7fffffff); }
static DWORD end_ended(void) { return RmEndSession(ended); }
static DWORD end_foreign(void) { return RmEndSession(foreign); }

static DWORD register_handle(DWORD handle)
{
    LPCWSTR files[1] = { some_file };

    return RmRegisterResources(handle, 1, files, 0, NULL, 0, NULL);
}
static DWORD reg_none(void) { return register_handle(NO_SESSION); }
static DWORD reg_ended(void) { return register_handle(ended); }
static DWORD reg_foreign(void) { return register_handle(foreign); }
static DWORD reg_files_1(void) { return RmRegisterResources(primary, 1, NULL, 0, NULL, 0, NULL); }
static DWORD reg_files_max(void) { return RmRegisterResources(primary, UINT_MAX, NULL, 0, NULL, 0, NULL); }
static DWORD reg_files_max2(void) { return RmRegisterResources(primary, UINT_MAX - 1, NULL, 0, NULL, 0, NULL); }
static DWORD reg_files_high(void) { return RmRegisterResources(primary, 0x80000000, NULL, 0, NULL, 0, NULL); }
static DWORD reg_procs_1(void) { return RmRegisterResources(primary, 0, NULL, 1, NULL, 0, NULL); }
static DWORD reg_procs_max(void) { return RmRegisterResources(primary, 0, NULL, UINT_MAX, NULL, 0, NULL); }
static DWORD reg_svcs_1(void) { return RmRegisterResources(primary, 0, NULL, 0, NULL, 1, NULL); }
static DWORD reg_svcs_max(void) { return RmRegisterResources(primary, 0, NULL, 0, NULL, UINT_MAX, NULL); }
static DWORD reg_all_max(void) { return RmRegisterResources(primary, UINT_MAX, NULL, UINT_MAX, NULL, UINT_MAX, NULL); }
static DWORD reg_nothing(void) { return RmRegisterResources(primary, 0, NULL, 0, NULL, 0, NULL); }
static DWORD reg_zero_real(void)
{
    LPCWSTR files[1] = { some_file }, services[1] = { some_service };
    RM_UNIQUE_PROCESS procs[1] = { self_owner };

    return RmRegisterResources(primary, 0, files, 0, procs, 0, services);
}
static DWORD reg_long_path(void)
{
    LPCWSTR files[1] = { long_path };

    return RmRegisterResources(primary, 1, files, 0, NULL, 0, NULL);
}
static DWORD reg_long_service(void)
{
    LPCWSTR services[1] = { long_name };

    return RmRegisterResources(primary, 0, NULL, 0, NULL, 1, services);
}
static DWORD reg_null_file(void)
{
    LPCWSTR files[2] = { some_file, NULL };

    return RmRegisterResources(primary, 2, files, 0, NULL, 0, NULL);
}
static DWORD reg_empty_file(void)
{
    LPCWSTR files[1] = { L"" };

    return RmRegisterResources(primary, 1, files, 0, NULL, 0, NULL);
}
static DWORD reg_null_service(void)
{
    LPCWSTR services[1] = { NULL };

    return RmRegisterResources(primary, 0, NULL, 0, NULL, 1, services);
}
static DWORD reg_empty_service(void)
{
    LPCWSTR services[1] = { L"" };

    return RmRegisterResources(primary, 0, NULL, 0, NULL, 1, services);
}
static DWORD reg_zero_process(void)
{
    RM_UNIQUE_PROCESS procs[2];

    memset(procs, 0, sizeof(procs));
    procs[1].dwProcessId = 0xfffffffc;
    procs[1].ProcessStartTime.dwLowDateTime = procs[1].ProcessStartTime.dwHighDateTime = 0xffffffff;
    return RmRegisterResources(primary, 0, NULL, 2, procs, 0, NULL);
}
static DWORD reg_secondary(void) { return register_handle(secondary); }

static DWORD getlist(DWORD handle, BOOL with_needed, BOOL with_count, UINT count, BOOL with_reasons)
{
    UINT needed = 0xdeadbeef;
    DWORD reasons = 0xdeadbeef;

    return RmGetList(handle, with_needed ? &needed : NULL, with_count ? &count : NULL, NULL,
                     with_reasons ? &reasons : NULL);
}
static DWORD list_none(void) { return getlist(NO_SESSION, TRUE, TRUE, 0, TRUE); }
static DWORD list_ended(void) { return getlist(ended, TRUE, TRUE, 0, TRUE); }
static DWORD list_foreign(void) { return getlist(foreign, TRUE, TRUE, 0, TRUE); }
static DWORD list_null_needed(void) { return getlist(primary, FALSE, TRUE, 0, TRUE); }
static DWORD list_null_count(void) { return getlist(primary, TRUE, FALSE, 0, TRUE); }
static DWORD list_null_reasons(void) { return getlist(primary, TRUE, TRUE, 0, FALSE); }
static DWORD list_all_null(void) { return RmGetList(primary, NULL, NULL, NULL, NULL); }
static DWORD list_count_1(void) { return getlist(primary, TRUE, TRUE, 1, TRUE); }
static DWORD list_count_max(void) { return getlist(primary, TRUE, TRUE, UINT_MAX, TRUE); }
static DWORD list_zero(void) { return getlist(primary, TRUE, TRUE, 0, TRUE); }
static DWORD list_buffer(void)
{
    RM_PROCESS_INFO infos[4];
    UINT needed = 0xdeadbeef, count = ARRAY_SIZE(infos);
    DWORD reasons = 0xdeadbeef;

    return RmGetList(primary, &needed, &count, infos, &reasons);
}
static DWORD list_secondary(void) { return getlist(secondary, TRUE, TRUE, 0, TRUE); }

static DWORD shutdown_none(void) { return RmShutdown(NO_SESSION, 0, NULL); }
static DWORD shutdown_ended(void) { return RmShutdown(ended, 0, NULL); }
static DWORD shutdown_foreign(void) { return RmShutdown(foreign, 0, NULL); }
static DWORD shutdown_secondary(void) { return RmShutdown(secondary, 0, NULL); }
static DWORD shutdown_secondary_force(void) { return RmShutdown(secondary, RmForceShutdown, NULL); }
static DWORD shutdown_bad_flags(void) { return RmShutdown(primary, 0x80000000, NULL); }
static DWORD shutdown_primary(void) { return RmShutdown(primary, 0, NULL); }

static DWORD restart_none(void) { return RmRestart(NO_SESSION, 0, NULL); }
static DWORD restart_ended(void) { return RmRestart(ended, 0, NULL); }
static DWORD restart_foreign(void) { return RmRestart(foreign, 0, NULL); }
static DWORD restart_secondary(void) { return RmRestart(secondary, 0, NULL); }
static DWORD restart_flags(void) { return RmRestart(primary, 1, NULL); }
static DWORD restart_primary(void) { return RmRestart(primary, 0, NULL); }

static DWORD cancel_none(void) { return RmCancelCurrentTask(NO_SESSION); }
static DWORD cancel_ended(void) { return RmCancelCurrentTask(ended); }
static DWORD cancel_foreign(void) { return RmCancelCurrentTask(foreign); }
static DWORD cancel_secondary(void) { return RmCancelCurrentTask(secondary); }
static DWORD cancel_primary(void) { return RmCancelCurrentTask(primary); }

static DWORD addf_none(void) { return RmAddFilter(NO_SESSION, some_file, NULL, NULL, RmNoRestart); }
static DWORD addf_ended(void) { return RmAddFilter(ended, some_file, NULL, NULL, RmNoRestart); }
static DWORD addf_foreign(void) { return RmAddFilter(foreign, some_file, NULL, NULL, RmNoRestart); }
static DWORD addf_secondary(void) { return RmAddFilter(secondary, some_file, NULL, NULL, RmNoRestart); }
static DWORD addf_no_target(void) { return RmAddFilter(primary, NULL, NULL, NULL, RmNoRestart); }
static DWORD addf_file_process(void) { return RmAddFilter(primary, some_file, &self_owner, NULL, RmNoRestart); }
static DWORD addf_all_targets(void) { return RmAddFilter(primary, some_file, &self_owner, some_service, RmNoShutdown); }
static DWORD addf_invalid_action(void) { return RmAddFilter(primary, some_file, NULL, NULL, RmInvalidFilterAction); }
static DWORD addf_action_3(void) { return RmAddFilter(primary, some_file, NULL, NULL, 3); }
static DWORD addf_action_max(void) { return RmAddFilter(primary, some_file, NULL, NULL, (RM_FILTER_ACTION)0x7fffffff); }
static DWORD addf_empty_file(void) { return RmAddFilter(primary, L"", NULL, NULL, RmNoRestart); }
static DWORD addf_empty_service(void) { return RmAddFilter(primary, NULL, NULL, L"", RmNoRestart); }
static DWORD addf_file(void) { return RmAddFilter(primary, some_file, NULL, NULL, RmNoRestart); }
static DWORD addf_long_path(void) { return RmAddFilter(primary, long_path, NULL, NULL, RmNoShutdown); }
static DWORD addf_path_16000(void)
{
    WCHAR save = long_path[16000];
    DWORD ret;

    long_path[16000] = 0;
    ret = RmAddFilter(primary, long_path, NULL, NULL, RmNoShutdown);
    long_path[16000] = save;
    return ret;
}
static DWORD addf_long_service(void) { return RmAddFilter(primary, NULL, NULL, long_name, RmNoRestart); }
static DWORD addf_zero_process(void)
{
    RM_UNIQUE_PROCESS process;

    memset(&process, 0, sizeof(process));
    return RmAddFilter(primary, NULL, &process, NULL, RmNoRestart);
}

static DWORD remf_none(void) { return RmRemoveFilter(NO_SESSION, some_file, NULL, NULL); }
static DWORD remf_ended(void) { return RmRemoveFilter(ended, some_file, NULL, NULL); }
static DWORD remf_foreign(void) { return RmRemoveFilter(foreign, some_file, NULL, NULL); }
static DWORD remf_secondary(void) { return RmRemoveFilter(secondary, some_file, NULL, NULL); }
static DWORD remf_no_target(void) { return RmRemoveFilter(primary, NULL, NULL, NULL); }
static DWORD remf_two_targets(void) { return RmRemoveFilter(primary, some_file, NULL, some_service); }
static DWORD remf_never_added(void) { return RmRemoveFilter(primary, L"C:\\rmtest-sweep-never-filtered", NULL, NULL); }
static DWORD remf_file(void) { return RmRemoveFilter(primary, some_file, NULL, NULL); }
static DWORD remf_long_path(void) { return RmRemoveFilter(primary, long_path, NULL, NULL); }
static DWORD remf_path_16000(void)
{
    WCHAR save = long_path[16000];
    DWORD ret;

    long_path[16000] = 0;
    ret = RmRemoveFilter(primary, long_path, NULL, NULL);
    long_path[16000] = save;
    return ret;
}
static DWORD remf_zero_process(void)
{
    RM_UNIQUE_PROCESS process;

    memset(&process, 0, sizeof(process));
    return RmRemoveFilter(primary, NULL, &process, NULL);
}

static DWORD getf(DWORD handle, BOOL with_buffer, DWORD size, BOOL with_needed)
{
    static BYTE buffer[65536];
    DWORD needed = 0xdeadbeef;

    return RmGetFilterList(handle, with_buffer ? buffer : NULL, size, with_needed ? &needed : NULL);
}
static DWORD getf_none(void) { return getf(NO_SESSION, FALSE, 0, TRUE); }
static DWORD getf_ended(void) { return getf(ended, FALSE, 0, TRUE); }
static DWORD getf_foreign(void) { return getf(foreign, FALSE, 0, TRUE); }
static DWORD getf_secondary(void) { return getf(secondary, FALSE, 0, TRUE); }
static DWORD getf_null_needed(void) { return getf(primary, TRUE, 65536, FALSE); }
static DWORD getf_null_buffer(void) { return getf(primary, FALSE, 16, TRUE); }
static DWORD getf_null_buffer_max(void) { return getf(primary, FALSE, UINT_MAX, TRUE); }
static DWORD getf_size_0(void) { return getf(primary, FALSE, 0, TRUE); }
static DWORD getf_small(void) { return getf(primary, TRUE, 8, TRUE); }
static DWORD getf_buffer(void) { return getf(primary, TRUE, 65536, TRUE); }

static DWORD heap_0(void) { return pRmReserveHeap ? pRmReserveHeap(0) : 0; }
static DWORD heap_max(void) { return pRmReserveHeap ? pRmReserveHeap(~0u) : 0; }

struct row
{
    const char *description;
    DWORD (*call)(void);
    DWORD expected;
    DWORD windows_alt;
    unsigned int flags;
};

static const struct row rows[] =
{
    { "RmStartSession, NULL handle", start_null_handle, ERROR_BAD_ARGUMENTS },
    { "RmStartSession, NULL key", start_null_key, ERROR_BAD_ARGUMENTS },
    { "RmStartSession, both NULL", start_both_null, ERROR_BAD_ARGUMENTS },
    { "RmStartSession, flags 1", start_flags_1, ERROR_BAD_ARGUMENTS, ANY_RESULT },
    { "RmStartSession, flags ~0", start_flags_max, ERROR_BAD_ARGUMENTS, ANY_RESULT },
    { "RmStartSession, valid", start_valid, ERROR_SUCCESS },

    { "RmJoinSession, NULL handle", join_null_handle, ERROR_BAD_ARGUMENTS },
    { "RmJoinSession, NULL key", join_null_key, ERROR_BAD_ARGUMENTS },
    { "RmJoinSession, both NULL", join_both_null, ERROR_BAD_ARGUMENTS },
    { "RmJoinSession, 31-character key", join_31, ERROR_SESSION_CREDENTIAL_CONFLICT, ANY_ERROR },
    { "RmJoinSession, 33-character key", join_33, ERROR_SESSION_CREDENTIAL_CONFLICT, ANY_ERROR },
    { "RmJoinSession, 16-character key", join_16, ERROR_SESSION_CREDENTIAL_CONFLICT, ANY_ERROR },
    { "RmJoinSession, empty key", join_empty, ERROR_SESSION_CREDENTIAL_CONFLICT, ANY_ERROR },
    { "RmJoinSession, 32 non-hex characters", join_nonhex, ERROR_SESSION_CREDENTIAL_CONFLICT, ANY_ERROR },
    { "RmJoinSession, last character not hex", join_last_nonhex, ERROR_SESSION_CREDENTIAL_CONFLICT, ANY_ERROR },
    { "RmJoinSession, 0x prefix", join_0x, ERROR_SESSION_CREDENTIAL_CONFLICT, ANY_ERROR },
    { "RmJoinSession, trailing space", join_space, ERROR_SESSION_CREDENTIAL_CONFLICT, ANY_ERROR },
    { "RmJoinSession, 32,767 hex characters", join_long, ERROR_SESSION_CREDENTIAL_CONFLICT, ANY_ERROR },
    { "RmJoinSession, unknown key", join_zeros, ERROR_SESSION_CREDENTIAL_CONFLICT },
    { "RmJoinSession, valid", join_valid, ERROR_SUCCESS },

    { "RmEndSession, 0xffffffff", end_none, ERROR_INVALID_HANDLE },
    { "RmEndSession, 0x7fffffff", end_large, ERROR_INVALID_HANDLE },
    { "RmEndSession, ended handle", end_ended, ERROR_INVALID_HANDLE },
    { "RmEndSession, other process's handle", end_foreign, ERROR_INVALID_HANDLE, NONE, WINE_ONLY },

    { "RmRegisterResources, 0xffffffff", reg_none, ERROR_INVALID_HANDLE },
    { "RmRegisterResources, ended handle", reg_ended, ERROR_INVALID_HANDLE },
    { "RmRegisterResources, other process's handle", reg_foreign, ERROR_INVALID_HANDLE, NONE, WINE_ONLY },
    { "RmRegisterResources, NULL files, 1", reg_files_1, ERROR_BAD_ARGUMENTS },
    { "RmRegisterResources, NULL files, UINT_MAX", reg_files_max, ERROR_BAD_ARGUMENTS },
    { "RmRegisterResources, NULL files, UINT_MAX - 1", reg_files_max2, ERROR_BAD_ARGUMENTS },
    { "RmRegisterResources, NULL files, 0x80000000", reg_files_high, ERROR_BAD_ARGUMENTS },
    { "RmRegisterResources, NULL processes, 1", reg_procs_1, ERROR_BAD_ARGUMENTS },
    { "RmRegisterResources, NULL processes, UINT_MAX", reg_procs_max, ERROR_BAD_ARGUMENTS },
    { "RmRegisterResources, NULL services, 1", reg_svcs_1, ERROR_BAD_ARGUMENTS },
    { "RmRegisterResources, NULL services, UINT_MAX", reg_svcs_max, ERROR_BAD_ARGUMENTS },
    { "RmRegisterResources, all NULL, all UINT_MAX", reg_all_max, ERROR_BAD_ARGUMENTS },
    { "RmRegisterResources, all NULL, all 0", reg_nothing, ERROR_SUCCESS },
    { "RmRegisterResources, real arrays, all 0", reg_zero_real, ERROR_SUCCESS },
    { "RmRegisterResources, 32,767-character path", reg_long_path, ERROR_SUCCESS, ANY_ERROR },
    { "RmRegisterResources, 32,767-character service", reg_long_service, ERROR_SUCCESS, ANY_ERROR },
    { "RmRegisterResources, NULL file in the array", reg_null_file, ERROR_BAD_ARGUMENTS, NONE, WINE_ONLY },
    { "RmRegisterResources, NULL service in the array", reg_null_service, ERROR_BAD_ARGUMENTS, NONE, WINE_ONLY },
    { "RmRegisterResources, empty file name", reg_empty_file, ERROR_BAD_ARGUMENTS, ALT_SUCCESS },
    { "RmRegisterResources, empty service name", reg_empty_service, ERROR_BAD_ARGUMENTS, ALT_SUCCESS },
    { "RmRegisterResources, processes that do not exist", reg_zero_process, ERROR_SUCCESS },
    { "RmRegisterResources, secondary", reg_secondary, ERROR_SUCCESS },

    { "RmGetList, 0xffffffff", list_none, ERROR_INVALID_HANDLE },
    { "RmGetList, ended handle", list_ended, ERROR_INVALID_HANDLE },
    { "RmGetList, other process's handle", list_foreign, ERROR_INVALID_HANDLE, NONE, WINE_ONLY },
    { "RmGetList, NULL pnProcInfoNeeded", list_null_needed, ERROR_BAD_ARGUMENTS },
    { "RmGetList, NULL pnProcInfo", list_null_count, ERROR_BAD_ARGUMENTS },
    { "RmGetList, NULL lpdwRebootReasons", list_null_reasons, ERROR_BAD_ARGUMENTS },
    { "RmGetList, all NULL", list_all_null, ERROR_BAD_ARGUMENTS },
    { "RmGetList, NULL array, count 1", list_count_1, ERROR_BAD_ARGUMENTS, ALT_SUCCESS },
    { "RmGetList, NULL array, count UINT_MAX", list_count_max, ERROR_BAD_ARGUMENTS, ALT_SUCCESS },
    { "RmGetList, NULL array, count 0, 32,767-character path registered", list_zero, ERROR_SUCCESS },
    { "RmGetList, real array", list_buffer, ERROR_SUCCESS },
    /* Windows refuses a joined handle (Tailscale's restartmgr_windows.go); 0 was the old answer. */
    { "RmGetList, secondary", list_secondary, ERROR_SESSION_CREDENTIAL_CONFLICT, ALT_SUCCESS },

    { "RmRestart, 0xffffffff", restart_none, ERROR_INVALID_HANDLE },
    { "RmRestart, ended handle", restart_ended, ERROR_INVALID_HANDLE },
    { "RmRestart, other process's handle", restart_foreign, ERROR_INVALID_HANDLE, NONE, WINE_ONLY },
    { "RmRestart, secondary", restart_secondary, ERROR_SESSION_CREDENTIAL_CONFLICT, ANY_ERROR },
    { "RmRestart, flags 1", restart_flags, ERROR_BAD_ARGUMENTS, ERROR_REQUEST_OUT_OF_SEQUENCE },
    { "RmRestart, before RmShutdown", restart_primary, ERROR_REQUEST_OUT_OF_SEQUENCE },

    { "RmShutdown, 0xffffffff", shutdown_none, ERROR_INVALID_HANDLE },
    { "RmShutdown, ended handle", shutdown_ended, ERROR_INVALID_HANDLE },
    { "RmShutdown, other process's handle", shutdown_foreign, ERROR_INVALID_HANDLE, NONE, WINE_ONLY },
    { "RmShutdown, secondary", shutdown_secondary, ERROR_SESSION_CREDENTIAL_CONFLICT, ANY_ERROR },
    { "RmShutdown, secondary, forced", shutdown_secondary_force, ERROR_SESSION_CREDENTIAL_CONFLICT, ANY_ERROR },
    { "RmShutdown, undefined flag", shutdown_bad_flags, ERROR_BAD_ARGUMENTS, ALT_SUCCESS },
    { "RmShutdown, nothing affected", shutdown_primary, ERROR_SUCCESS },
    { "RmRestart, nothing to restart", restart_primary, ERROR_SUCCESS },

    { "RmCancelCurrentTask, 0xffffffff", cancel_none, ERROR_INVALID_HANDLE },
    { "RmCancelCurrentTask, ended handle", cancel_ended, ERROR_INVALID_HANDLE },
    { "RmCancelCurrentTask, other process's handle", cancel_foreign, ERROR_INVALID_HANDLE, NONE, WINE_ONLY },
    /* Documented as the session starter's (RmCancelCurrentTask's page); the code is ours. */
    { "RmCancelCurrentTask, secondary", cancel_secondary, ERROR_SESSION_CREDENTIAL_CONFLICT, ALT_SUCCESS },
    { "RmCancelCurrentTask, nothing running", cancel_primary, ERROR_SUCCESS, ANY_ERROR },

    { "RmAddFilter, 0xffffffff", addf_none, ERROR_INVALID_HANDLE },
    { "RmAddFilter, ended handle", addf_ended, ERROR_INVALID_HANDLE },
    { "RmAddFilter, other process's handle", addf_foreign, ERROR_INVALID_HANDLE, NONE, WINE_ONLY },
    { "RmAddFilter, secondary", addf_secondary, ERROR_SESSION_CREDENTIAL_CONFLICT },
    { "RmAddFilter, no target", addf_no_target, ERROR_BAD_ARGUMENTS },
    { "RmAddFilter, file and process", addf_file_process, ERROR_BAD_ARGUMENTS },
    { "RmAddFilter, three targets", addf_all_targets, ERROR_BAD_ARGUMENTS },
    { "RmAddFilter, RmInvalidFilterAction", addf_invalid_action, ERROR_BAD_ARGUMENTS },
    { "RmAddFilter, action 3", addf_action_3, ERROR_BAD_ARGUMENTS },
    { "RmAddFilter, action 0x7fffffff", addf_action_max, ERROR_BAD_ARGUMENTS },
    { "RmAddFilter, empty file name", addf_empty_file, ERROR_BAD_ARGUMENTS, ALT_SUCCESS },
    { "RmAddFilter, empty service name", addf_empty_service, ERROR_BAD_ARGUMENTS, ALT_SUCCESS },
    { "RmAddFilter, file", addf_file, ERROR_SUCCESS },
    { "RmAddFilter, 16,000-character path", addf_path_16000, ERROR_SUCCESS, ANY_ERROR },
    /* More than a registry value name holds: this implementation cannot store it. */
    { "RmAddFilter, 32,767-character path", addf_long_path, ERROR_BAD_ARGUMENTS, ALT_SUCCESS },
    { "RmAddFilter, 32,767-character service", addf_long_service, ERROR_BAD_ARGUMENTS, ALT_SUCCESS },
    { "RmAddFilter, process 0", addf_zero_process, ERROR_SUCCESS },

    { "RmGetFilterList, 0xffffffff", getf_none, ERROR_INVALID_HANDLE },
    { "RmGetFilterList, ended handle", getf_ended, ERROR_INVALID_HANDLE },
    { "RmGetFilterList, other process's handle", getf_foreign, ERROR_INVALID_HANDLE, NONE, WINE_ONLY },
    { "RmGetFilterList, secondary", getf_secondary, ERROR_SESSION_CREDENTIAL_CONFLICT },
    { "RmGetFilterList, NULL cbFilterBufNeeded", getf_null_needed, ERROR_MORE_DATA },
    { "RmGetFilterList, NULL buffer, size 16", getf_null_buffer, ERROR_BAD_ARGUMENTS, ERROR_MORE_DATA },
    { "RmGetFilterList, NULL buffer, size UINT_MAX", getf_null_buffer_max, ERROR_BAD_ARGUMENTS, ERROR_MORE_DATA },
    { "RmGetFilterList, NULL buffer, size 0", getf_size_0, ERROR_MORE_DATA },
    { "RmGetFilterList, 8-byte buffer", getf_small, ERROR_MORE_DATA },
    { "RmGetFilterList, 64 KB buffer", getf_buffer, ERROR_SUCCESS },

    { "RmRemoveFilter, 0xffffffff", remf_none, ERROR_INVALID_HANDLE },
    { "RmRemoveFilter, ended handle", remf_ended, ERROR_INVALID_HANDLE },
    { "RmRemoveFilter, other process's handle", remf_foreign, ERROR_INVALID_HANDLE, NONE, WINE_ONLY },
    { "RmRemoveFilter, secondary", remf_secondary, ERROR_SESSION_CREDENTIAL_CONFLICT },
    { "RmRemoveFilter, no target", remf_no_target, ERROR_BAD_ARGUMENTS },
    { "RmRemoveFilter, two targets", remf_two_targets, ERROR_BAD_ARGUMENTS },
    { "RmRemoveFilter, never added", remf_never_added, ERROR_FILE_NOT_FOUND },
    { "RmRemoveFilter, file", remf_file, ERROR_SUCCESS },
    { "RmRemoveFilter, file again", remf_file, ERROR_FILE_NOT_FOUND },
    { "RmRemoveFilter, 16,000-character path", remf_path_16000, ERROR_SUCCESS, ANY_ERROR },
    { "RmRemoveFilter, 32,767-character path", remf_long_path, ERROR_FILE_NOT_FOUND, ALT_SUCCESS },
    { "RmRemoveFilter, process 0", remf_zero_process, ERROR_SUCCESS },

    /* Undocumented, in no header: this implementation accepts every request. */
    { "RmReserveHeap, 0", heap_0, ERROR_SUCCESS, ANY_ERROR },
    { "RmReserveHeap, ~0", heap_max, ERROR_SUCCESS, ANY_ERROR },
};

/* ------------------------------------------------------------------ the foreign handle */

struct child
{
    PROCESS_INFORMATION pi;
    HANDLE output;
    HANDLE release;
};

/* Starts this program as "sweep host EVENT MIN": it opens sessions until it holds a handle of
 * at least MIN, prints "handle N", and waits for the event. */
static BOOL start_host(struct child *child, DWORD min_handle, DWORD *handle)
{
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
    char cmdline[MAX_PATH + 128], event_name[64], buffer[512], *line;
    STARTUPINFOA si = { sizeof(si) };
    HANDLE write_pipe;
    DWORD used = 0, got, start = GetTickCount();
    BOOL ret;

    snprintf(event_name, sizeof(event_name), "rmtest_sweep_%lx_%lx", GetCurrentProcessId(), GetTickCount());
    if (!(child->release = CreateEventA(NULL, TRUE, FALSE, event_name))) return FALSE;
    if (!CreatePipe(&child->output, &write_pipe, &sa, 0))
    {
        CloseHandle(child->release);
        return FALSE;
    }
    SetHandleInformation(child->output, HANDLE_FLAG_INHERIT, 0);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdOutput = si.hStdError = write_pipe;
    snprintf(cmdline, sizeof(cmdline), "\"%s\" sweep host %s %lu", self_exe, event_name, min_handle);
    ret = CreateProcessA(NULL, cmdline, NULL, NULL, TRUE, 0, NULL, NULL, &si, &child->pi);
    CloseHandle(write_pipe);
    ok(ret, "CreateProcessA failed, error %lu\n", GetLastError());
    if (!ret)
    {
        CloseHandle(child->output);
        CloseHandle(child->release);
        return FALSE;
    }
    get_process_owner(child->pi.dwProcessId, &child_owner);

    while (GetTickCount() - start < 30000 && used < sizeof(buffer) - 1)
    {
        if (!ReadFile(child->output, buffer + used, sizeof(buffer) - 1 - used, &got, NULL) || !got) break;
        used += got;
        buffer[used] = 0;
        if ((line = strstr(buffer, "handle ")) && strchr(line, '\n'))
        {
            *handle = strtoul(line + 7, NULL, 10);
            return TRUE;
        }
    }
    buffer[used] = 0;
    ok(0, "the child did not report a handle: %s\n", buffer);
    return TRUE;
}

static void stop_host(struct child *child)
{
    char buffer[4096], *line, *end;
    DWORD got, used = 0;

    SetEvent(child->release);
    while (used < sizeof(buffer) - 1 && ReadFile(child->output, buffer + used, sizeof(buffer) - 1 - used, &got, NULL)
           && got)
        used += got;
    buffer[used] = 0;
    for (line = buffer; *line; line = end)
    {
        if ((end = strchr(line, '\n'))) *end++ = 0;
        else end = line + strlen(line);
        if (*line && *line != '\r') trace("child: %s\n", line);
    }
    wait_child_process(&child->pi);
    CloseHandle(child->pi.hProcess);
    CloseHandle(child->pi.hThread);
    CloseHandle(child->output);
    CloseHandle(child->release);
}

static void child_host(const char *event_name, const char *min_arg)
{
    DWORD handles[MAX_SESSIONS], min_handle = strtoul(min_arg, NULL, 10), ret, reasons;
    WCHAR key[KEY_BUFFER];
    unsigned int count = 0, i;
    HANDLE event;
    UINT needed, n;

    event = OpenEventA(SYNCHRONIZE, FALSE, event_name);
    ok(event != NULL, "OpenEventA failed, error %lu\n", GetLastError());
    while (count < ARRAY_SIZE(handles))
    {
        ret = RmStartSession(&handles[count], 0, key);
        ok(!ret, "RmStartSession: got %lu\n", ret);
        if (ret) break;
        if (handles[count++] >= min_handle) break;
    }
    printf("handle %lu\n", count ? handles[count - 1] : NO_SESSION);
    fflush(stdout);
    if (event)
    {
        ok(WaitForSingleObject(event, 120000) == WAIT_OBJECT_0, "the parent did not release the child\n");
        CloseHandle(event);
    }
    /* The parent's calls with this number did not touch the session. */
    if (count)
    {
        ret = RmRegisterResources(handles[count - 1], 0, NULL, 0, NULL, 0, NULL);
        ok(!ret, "RmRegisterResources: got %lu\n", ret);
        needed = n = 0;
        ret = RmGetList(handles[count - 1], &needed, &n, NULL, &reasons);
        ok(!ret, "RmGetList: got %lu\n", ret);
    }
    for (i = 0; i < count; i++)
    {
        ret = RmEndSession(handles[i]);
        ok(!ret, "RmEndSession(%lu): got %lu\n", handles[i], ret);
    }
}

/* ------------------------------------------------------------------ the store afterwards */

/* Whether one session key parses: Owner, SessionHash, Sequence of the right types, and
 * registrations as terminated REG_MULTI_SZ lists. */
static BOOL check_session_key(HKEY root, const WCHAR *name, RM_UNIQUE_PROCESS *owner)
{
    DWORD type, size, index, name_len, max_name, max_data, sequence;
    BOOL good = TRUE, has_hash = FALSE;
    WCHAR *value;
    BYTE *data;
    HKEY key;

    if (RegOpenKeyExW(root, name, 0, KEY_QUERY_VALUE, &key)) return TRUE;  /* gone meanwhile */
    size = sizeof(*owner);
    if (RegQueryValueExW(key, L"Owner", NULL, &type, (BYTE *)owner, &size) || type != REG_BINARY
            || size != sizeof(*owner))
    {
        ok(0, "%s: Owner does not parse\n", wine_dbgstr_w(name));
        good = FALSE;
    }
    size = sizeof(sequence);
    if (RegQueryValueExW(key, L"Sequence", NULL, &type, (BYTE *)&sequence, &size) || type != REG_DWORD
            || size != sizeof(sequence))
    {
        ok(0, "%s: Sequence does not parse\n", wine_dbgstr_w(name));
        good = FALSE;
    }
    if (RegQueryInfoKeyW(key, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &max_name, &max_data, NULL, NULL))
    {
        RegCloseKey(key);
        return FALSE;
    }
    value = malloc((max_name + 1) * sizeof(WCHAR));
    data = malloc(max_data + 4);
    for (index = 0; value && data; index++)
    {
        name_len = max_name + 1;
        size = max_data;
        if (RegEnumValueW(key, index, value, &name_len, NULL, &type, data, &size)) break;
        if (!wcscmp(value, L"SessionHash"))
        {
            has_hash = TRUE;
            ok(type == REG_BINARY && size, "%s: SessionHash has type %lu, size %lu\n", wine_dbgstr_w(name), type, size);
        }
        else if (!wcsncmp(value, L"RegFiles", 8) || !wcsncmp(value, L"RegProcs", 8) || !wcsncmp(value, L"RegSvcs", 7))
        {
            if (type != REG_BINARY)
            {
                BOOL terminated = type == REG_MULTI_SZ && !(size & 1) && size >= 4
                                  && !((WCHAR *)data)[size / 2 - 1] && !((WCHAR *)data)[size / 2 - 2];

                ok(terminated, "%s\\%s: type %lu, size %lu, not a terminated list\n", wine_dbgstr_w(name),
                   wine_dbgstr_w(value), type, size);
                if (!terminated) good = FALSE;
            }
        }
    }
    ok(has_hash, "%s: no SessionHash\n", wine_dbgstr_w(name));
    free(value);
    free(data);
    RegCloseKey(key);
    return good && has_hash;
}

/* Every session key parses; at the end, none of this process or the child is left. */
static void check_store(BOOL final)
{
    RM_UNIQUE_PROCESS owner;
    unsigned int own = 0, child = 0, checked = 0;
    WCHAR name[256];
    DWORD index, len;
    HANDLE mutex;
    HKEY root;

    if (RegOpenKeyExW(HKEY_CURRENT_USER, rm_root, 0, KEY_ENUMERATE_SUB_KEYS, &root))
    {
        trace("no store\n");
        return;
    }
    /* Under the store mutex, so no session is half-written while it is read. */
    mutex = CreateMutexW(NULL, FALSE, store_mutex_name);
    if (mutex) WaitForSingleObject(mutex, 20000);
    for (index = 0; ; index++)
    {
        len = ARRAY_SIZE(name);
        if (RegEnumKeyExW(root, index, name, &len, NULL, NULL, NULL, NULL)) break;
        if (!is_session_key_name(name)) continue;
        memset(&owner, 0, sizeof(owner));
        check_session_key(root, name, &owner);
        checked++;
        if (owner_equal(&owner, &self_owner)) own++;
        if (owner_equal(&owner, &child_owner)) child++;
    }
    if (mutex)
    {
        ReleaseMutex(mutex);
        CloseHandle(mutex);
    }
    RegCloseKey(root);
    trace("%u session keys checked\n", checked);
    if (!final)
    {
        ok(own == 1, "%u session keys of this process\n", own);
        return;
    }
    ok(!own, "%u session keys of this process remain\n", own);
    ok(!child, "%u session keys of the child remain\n", child);
}

/* ------------------------------------------------------------------ the sweep */

static WCHAR *make_long_path(void)
{
    WCHAR *path = malloc((LONG_PATH + 1) * sizeof(WCHAR));
    unsigned int i;

    if (!path) return NULL;
    /* C:\rmtest-sweep\aaa...\aaa..., components of 200 characters, 32,767 in all. */
    wcscpy(path, L"C:\\rmtest-sweep");
    for (i = wcslen(path); i < LONG_PATH; i++) path[i] = (i % 201) ? 'a' + i % 26 : '\\';
    if (path[LONG_PATH - 1] == '\\') path[LONG_PATH - 1] = 'z';
    path[LONG_PATH] = 0;
    return path;
}

static WCHAR *make_string(WCHAR c, unsigned int len)
{
    WCHAR *str = malloc((len + 1) * sizeof(WCHAR));
    unsigned int i;

    if (!str) return NULL;
    for (i = 0; i < len; i++) str[i] = c;
    str[len] = 0;
    return str;
}

static void test_sweep(void)
{
    struct child child;
    WCHAR key[KEY_BUFFER];
    unsigned int i;
    DWORD ret;

    long_path = make_long_path();
    long_name = make_string('s', LONG_PATH);
    long_key = make_string('a', LONG_PATH);
    if (!long_path || !long_name || !long_key)
    {
        skip("out of memory\n");
        return;
    }

    ret = RmStartSession(&primary, 0, primary_key);
    ok(ret == ERROR_SUCCESS, "RmStartSession: got %lu\n", ret);
    if (ret) return;
    ret = RmJoinSession(&secondary, primary_key);
    ok(ret == ERROR_SUCCESS, "RmJoinSession: got %lu\n", ret);
    /* Rows that open a session get this number while they run, and end it again. */
    ret = RmStartSession(&ended, 0, key);
    ok(ret == ERROR_SUCCESS, "RmStartSession: got %lu\n", ret);
    if (!ret)
    {
        ret = RmEndSession(ended);
        ok(ret == ERROR_SUCCESS, "RmEndSession: got %lu\n", ret);
    }
    trace("primary %lu, secondary %lu, ended %lu\n", primary, secondary, ended);

    memset(&child, 0, sizeof(child));
    if (start_host(&child, FOREIGN_MIN, &foreign))
        trace("the child's handle is %lu\n", foreign);
    ok(foreign != primary && foreign != secondary && foreign != ended,
       "the child's handle %lu is one of ours\n", foreign);

    for (i = 0; i < ARRAY_SIZE(rows); i++)
    {
        const struct row *row = &rows[i];

        if ((row->flags & WINE_ONLY) && !winetest_platform_is_wine) continue;
        ret = row->call();
        ok(ret == row->expected
           || broken(row->windows_alt == ANY_ERROR && ret != ERROR_SUCCESS)
           || broken(row->windows_alt == ALT_SUCCESS && ret == ERROR_SUCCESS)
           || broken(row->windows_alt == ANY_RESULT)
           || broken(row->windows_alt && ret == row->windows_alt),
           "%s: got %lu, expected %lu\n", row->description, ret, row->expected);
    }

    check_store(FALSE);
    if (child.pi.hProcess) stop_host(&child);
    ret = RmEndSession(secondary);
    ok(ret == ERROR_SUCCESS, "secondary RmEndSession: got %lu\n", ret);
    ret = RmEndSession(primary);
    ok(ret == ERROR_SUCCESS, "primary RmEndSession: got %lu\n", ret);
    free(long_path);
    free(long_name);
    free(long_key);
}

START_TEST(sweep)
{
    char **argv;
    int argc;

    argc = winetest_get_mainargs(&argv);
    get_process_owner(GetCurrentProcessId(), &self_owner);
    GetModuleFileNameA(NULL, self_exe, sizeof(self_exe));
    pRmReserveHeap = (void *)GetProcAddress(GetModuleHandleW(L"rstrtmgr.dll"), "RmReserveHeap");
    trace_loaded_dll();

    if (argc >= 5 && !strcmp(argv[2], "host"))
    {
        child_host(argv[3], argv[4]);
        return;
    }

    test_sweep();
    check_store(TRUE);
}
