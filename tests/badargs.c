/*
 * Restart Manager argument validation tests
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

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <windows.h>
#include <restartmanager.h>

#include "wine/test.h"
#include "rmtest.h"

static const WCHAR never_added[] = L"C:\\never-added.exe";
static const WCHAR some_exe[] = L"C:\\a.exe";
static const WCHAR some_service[] = L"Spooler";

static void test_RmStartSession(void)
{
    WCHAR key[KEY_BUFFER];
    DWORD ret, handle;

    memset(key, 0xcc, sizeof(key));
    ret = RmStartSession(NULL, 0, key);
    ok(ret == ERROR_BAD_ARGUMENTS, "NULL handle: got %lu, expected 160\n", ret);

    handle = 0xdeadbeef;
    ret = RmStartSession(&handle, 0, NULL);
    ok(ret == ERROR_BAD_ARGUMENTS, "NULL key: got %lu, expected 160\n", ret);
    if (!ret) end_session(handle);

    /* dwSessionFlags is reserved and must be 0; what Windows does with 1 was never seen. */
    handle = 0xdeadbeef;
    ret = RmStartSession(&handle, 1, key);
    ok(ret == ERROR_BAD_ARGUMENTS || broken(ret == ERROR_SUCCESS || ret == ERROR_INVALID_PARAMETER),
       "flags 1: got %lu, expected 160\n", ret);
    if (!ret) end_session(handle);
}

static void test_RmJoinSession(void)
{
    WCHAR key[KEY_BUFFER];
    DWORD ret, handle, handle2;

    if (!start_session_key(&handle, key)) return;

    ret = RmJoinSession(NULL, key);
    ok(ret == ERROR_BAD_ARGUMENTS, "NULL handle: got %lu, expected 160\n", ret);

    handle2 = 0xdeadbeef;
    ret = RmJoinSession(&handle2, NULL);
    ok(ret == ERROR_BAD_ARGUMENTS, "NULL key: got %lu, expected 160\n", ret);
    if (!ret) end_session(handle2);

    end_session(handle);
}

static void test_RmEndSession(void)
{
    DWORD ret;

    ret = RmEndSession(NO_SESSION);
    ok(ret == ERROR_INVALID_HANDLE, "got %lu, expected 6\n", ret);
}

static void test_RmRegisterResources(void)
{
    LPCWSTR files[1] = { some_exe }, services[1] = { some_service };
    RM_UNIQUE_PROCESS processes[1];
    DWORD ret, handle;

    get_process_id(GetCurrentProcess(), &processes[0]);

    ret = RmRegisterResources(NO_SESSION, 0, NULL, 0, NULL, 0, NULL);
    ok(ret == ERROR_INVALID_HANDLE, "invalid handle: got %lu, expected 6\n", ret);
    ret = RmRegisterResources(NO_SESSION, 0, files, 0, processes, 0, services);
    ok(ret == ERROR_INVALID_HANDLE, "invalid handle, empty arrays: got %lu, expected 6\n", ret);

    if (!start_session(&handle)) return;

    ret = RmRegisterResources(handle, 1, NULL, 0, NULL, 0, NULL);
    ok(ret == ERROR_BAD_ARGUMENTS, "NULL files: got %lu, expected 160\n", ret);
    ret = RmRegisterResources(handle, 0, NULL, 1, NULL, 0, NULL);
    ok(ret == ERROR_BAD_ARGUMENTS, "NULL processes: got %lu, expected 160\n", ret);
    ret = RmRegisterResources(handle, 0, NULL, 0, NULL, 1, NULL);
    ok(ret == ERROR_BAD_ARGUMENTS, "NULL services: got %lu, expected 160\n", ret);

    ret = RmRegisterResources(handle, 0, NULL, 0, NULL, 0, NULL);
    ok(ret == ERROR_SUCCESS, "nothing: got %lu\n", ret);
    ret = RmRegisterResources(handle, 0, files, 0, processes, 0, services);
    ok(ret == ERROR_SUCCESS, "empty arrays: got %lu\n", ret);

    end_session(handle);
}

static void test_RmGetList(void)
{
    RM_PROCESS_INFO info[2];
    DWORD ret, handle, reasons;
    UINT needed, count;

    needed = 0xdeadbeef;
    count = 0;
    reasons = 0xdeadbeef;
    ret = RmGetList(NO_SESSION, &needed, &count, NULL, &reasons);
    ok(ret == ERROR_INVALID_HANDLE, "invalid handle: got %lu, expected 6\n", ret);

    if (!start_session(&handle)) return;

    count = 0;
    reasons = 0xdeadbeef;
    ret = RmGetList(handle, NULL, &count, NULL, &reasons);
    ok(ret == ERROR_BAD_ARGUMENTS, "NULL needed: got %lu, expected 160\n", ret);

    needed = 0xdeadbeef;
    reasons = 0xdeadbeef;
    ret = RmGetList(handle, &needed, NULL, NULL, &reasons);
    ok(ret == ERROR_BAD_ARGUMENTS, "NULL count: got %lu, expected 160\n", ret);

    needed = 0xdeadbeef;
    count = 0;
    ret = RmGetList(handle, &needed, &count, NULL, NULL);
    ok(ret == ERROR_BAD_ARGUMENTS, "NULL reasons: got %lu, expected 160\n", ret);

    /* Nothing registered. */
    needed = 0xdeadbeef;
    count = 0;
    reasons = 0xdeadbeef;
    ret = RmGetList(handle, &needed, &count, NULL, &reasons);
    ok(ret == ERROR_SUCCESS, "got %lu\n", ret);
    ok(needed == 0, "got needed %u\n", needed);
    ok(count == 0, "got count %u\n", count);
    ok(reasons == RmRebootReasonNone, "got reasons %#lx\n", reasons);

    needed = 0xdeadbeef;
    count = ARRAY_SIZE(info);
    reasons = 0xdeadbeef;
    ret = RmGetList(handle, &needed, &count, info, &reasons);
    ok(ret == ERROR_SUCCESS, "with buffer: got %lu\n", ret);
    ok(needed == 0, "with buffer: got needed %u\n", needed);
    ok(count == 0, "with buffer: got count %u\n", count);
    ok(reasons == RmRebootReasonNone, "with buffer: got reasons %#lx\n", reasons);

    end_session(handle);
}

static void test_RmShutdown(void)
{
    DWORD ret;

    ret = RmShutdown(NO_SESSION, 0, NULL);
    ok(ret == ERROR_INVALID_HANDLE, "got %lu, expected 6\n", ret);
}

static void test_RmRestart(void)
{
    DWORD ret, handle;

    ret = RmRestart(NO_SESSION, 0, NULL);
    ok(ret == ERROR_INVALID_HANDLE, "invalid handle: got %lu, expected 6\n", ret);

    if (!start_session(&handle)) return;
    ret = RmRestart(handle, 0, NULL);
    ok(ret == ERROR_REQUEST_OUT_OF_SEQUENCE, "before RmShutdown: got %lu, expected 776\n", ret);
    end_session(handle);
}

static void test_RmCancelCurrentTask(void)
{
    DWORD ret, handle;

    ret = RmCancelCurrentTask(NO_SESSION);
    ok(ret == ERROR_INVALID_HANDLE, "invalid handle: got %lu, expected 6\n", ret);

    if (!start_session(&handle)) return;
    ret = RmCancelCurrentTask(handle);
    ok(ret == ERROR_SUCCESS || broken(ret != ERROR_SUCCESS), "nothing running: got %lu\n", ret);
    end_session(handle);
}

static void test_RmAddFilter(void)
{
    RM_UNIQUE_PROCESS process;
    DWORD ret, handle;

    get_process_id(GetCurrentProcess(), &process);

    ret = RmAddFilter(NO_SESSION, some_exe, NULL, NULL, RmNoRestart);
    ok(ret == ERROR_INVALID_HANDLE, "invalid handle: got %lu, expected 6\n", ret);

    if (!start_session(&handle)) return;

    ret = RmAddFilter(handle, NULL, NULL, NULL, RmNoRestart);
    ok(ret == ERROR_BAD_ARGUMENTS, "no target: got %lu, expected 160\n", ret);
    ret = RmAddFilter(handle, some_exe, &process, NULL, RmNoRestart);
    ok(ret == ERROR_BAD_ARGUMENTS, "file and process: got %lu, expected 160\n", ret);
    ret = RmAddFilter(handle, some_exe, NULL, some_service, RmNoRestart);
    ok(ret == ERROR_BAD_ARGUMENTS, "file and service: got %lu, expected 160\n", ret);
    ret = RmAddFilter(handle, NULL, &process, some_service, RmNoRestart);
    ok(ret == ERROR_BAD_ARGUMENTS, "process and service: got %lu, expected 160\n", ret);
    ret = RmAddFilter(handle, some_exe, &process, some_service, RmNoShutdown);
    ok(ret == ERROR_BAD_ARGUMENTS, "three targets: got %lu, expected 160\n", ret);
    ret = RmAddFilter(handle, some_exe, NULL, NULL, RmInvalidFilterAction);
    ok(ret == ERROR_BAD_ARGUMENTS, "RmInvalidFilterAction: got %lu, expected 160\n", ret);

    /* None of the rejected calls may have left a filter behind. */
    ret = RmRemoveFilter(handle, some_exe, NULL, NULL);
    ok(ret == ERROR_FILE_NOT_FOUND, "file filter: got %lu, expected 2\n", ret);
    ret = RmRemoveFilter(handle, NULL, &process, NULL);
    ok(ret == ERROR_FILE_NOT_FOUND, "process filter: got %lu, expected 2\n", ret);
    ret = RmRemoveFilter(handle, NULL, NULL, some_service);
    ok(ret == ERROR_FILE_NOT_FOUND, "service filter: got %lu, expected 2\n", ret);

    end_session(handle);
}

static void test_RmRemoveFilter(void)
{
    DWORD ret, handle;

    ret = RmRemoveFilter(NO_SESSION, some_exe, NULL, NULL);
    ok(ret == ERROR_INVALID_HANDLE, "invalid handle: got %lu, expected 6\n", ret);

    if (!start_session(&handle)) return;
    ret = RmRemoveFilter(handle, never_added, NULL, NULL);
    ok(ret == ERROR_FILE_NOT_FOUND, "not added: got %lu, expected 2\n", ret);
    end_session(handle);
}

static void test_RmGetFilterList(void)
{
    BYTE buffer[1024];
    DWORD ret, handle, needed;

    needed = 0xdeadbeef;
    ret = RmGetFilterList(NO_SESSION, NULL, 0, &needed);
    ok(ret == ERROR_INVALID_HANDLE, "invalid handle: got %lu, expected 6\n", ret);

    if (!start_session(&handle)) return;

    /* Documented: a missing cbFilterBufNeeded gives ERROR_MORE_DATA, not ERROR_BAD_ARGUMENTS. */
    ret = RmGetFilterList(handle, buffer, sizeof(buffer), NULL);
    ok(ret == ERROR_MORE_DATA, "NULL needed: got %lu, expected 234\n", ret);

    /* The result for an empty list is not documented; it must not crash. */
    needed = 0xdeadbeef;
    ret = RmGetFilterList(handle, NULL, 0, &needed);
    trace("no filters: got %lu, needed %lu\n", ret, needed);

    end_session(handle);
}

/* Filters belong to the primary: a secondary installer gets ERROR_SESSION_CREDENTIAL_CONFLICT. */
static void test_secondary_filters(void)
{
    WCHAR key[KEY_BUFFER];
    DWORD ret, handle, handle2, needed;

    if (!start_session_key(&handle, key)) return;
    handle2 = 0xdeadbeef;
    ret = RmJoinSession(&handle2, key);
    ok(ret == ERROR_SUCCESS, "RmJoinSession: got %lu\n", ret);
    if (ret)
    {
        end_session(handle);
        return;
    }

    ret = RmAddFilter(handle2, some_exe, NULL, NULL, RmNoRestart);
    ok(ret == ERROR_SESSION_CREDENTIAL_CONFLICT, "RmAddFilter: got %lu, expected 1219\n", ret);
    ret = RmRemoveFilter(handle2, some_exe, NULL, NULL);
    ok(ret == ERROR_SESSION_CREDENTIAL_CONFLICT, "RmRemoveFilter: got %lu, expected 1219\n", ret);
    needed = 0xdeadbeef;
    ret = RmGetFilterList(handle2, NULL, 0, &needed);
    ok(ret == ERROR_SESSION_CREDENTIAL_CONFLICT, "RmGetFilterList: got %lu, expected 1219\n", ret);

    end_session(handle2);

    /* The secondary's RmAddFilter did not reach the session. */
    ret = RmRemoveFilter(handle, some_exe, NULL, NULL);
    ok(ret == ERROR_FILE_NOT_FOUND, "primary RmRemoveFilter: got %lu, expected 2\n", ret);

    end_session(handle);
}

/* Every function on a handle whose session has ended. */
static void test_stale_handle(void)
{
    BYTE buffer[256];
    DWORD ret, handle, reasons, needed;
    UINT count, info_needed;

    if (!start_session(&handle)) return;
    end_session(handle);

    ret = RmEndSession(handle);
    ok(ret == ERROR_INVALID_HANDLE, "RmEndSession: got %lu, expected 6\n", ret);
    ret = RmRegisterResources(handle, 0, NULL, 0, NULL, 0, NULL);
    ok(ret == ERROR_INVALID_HANDLE, "RmRegisterResources: got %lu, expected 6\n", ret);
    info_needed = 0xdeadbeef;
    count = 0;
    reasons = 0xdeadbeef;
    ret = RmGetList(handle, &info_needed, &count, NULL, &reasons);
    ok(ret == ERROR_INVALID_HANDLE, "RmGetList: got %lu, expected 6\n", ret);
    ret = RmShutdown(handle, 0, NULL);
    ok(ret == ERROR_INVALID_HANDLE, "RmShutdown: got %lu, expected 6\n", ret);
    ret = RmRestart(handle, 0, NULL);
    ok(ret == ERROR_INVALID_HANDLE, "RmRestart: got %lu, expected 6\n", ret);
    ret = RmCancelCurrentTask(handle);
    ok(ret == ERROR_INVALID_HANDLE, "RmCancelCurrentTask: got %lu, expected 6\n", ret);
    ret = RmAddFilter(handle, some_exe, NULL, NULL, RmNoRestart);
    ok(ret == ERROR_INVALID_HANDLE, "RmAddFilter: got %lu, expected 6\n", ret);
    ret = RmRemoveFilter(handle, some_exe, NULL, NULL);
    ok(ret == ERROR_INVALID_HANDLE, "RmRemoveFilter: got %lu, expected 6\n", ret);
    needed = 0xdeadbeef;
    ret = RmGetFilterList(handle, buffer, sizeof(buffer), &needed);
    ok(ret == ERROR_INVALID_HANDLE, "RmGetFilterList: got %lu, expected 6\n", ret);
}

START_TEST(badargs)
{
    trace_loaded_dll();

    test_RmStartSession();
    test_RmJoinSession();
    test_RmEndSession();
    test_RmRegisterResources();
    test_RmGetList();
    test_RmShutdown();
    test_RmRestart();
    test_RmCancelCurrentTask();
    test_RmAddFilter();
    test_RmRemoveFilter();
    test_RmGetFilterList();
    test_secondary_filters();
    test_stale_handle();
}
