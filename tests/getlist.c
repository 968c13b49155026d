/*
 * Restart Manager detection tests: RmRegisterResources and RmGetList
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
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <windows.h>
#include <restartmanager.h>

#include <aclapi.h>
#include <tlhelp32.h>

#include "wine/test.h"
#include "rmtest.h"
#include "rmwindow.h"

#define MAX_HELD_FILES 8

#define BATCH_CALLS 10
#define BATCH_SIZE 1000

static const WCHAR window_title[] = L"rstrtmgr getlist test window";

static WCHAR self_exe[MAX_PATH];
static RM_UNIQUE_PROCESS self_id;

static BOOL same_time(const FILETIME *a, const FILETIME *b)
{
    return a->dwLowDateTime == b->dwLowDateTime && a->dwHighDateTime == b->dwHighDateTime;
}

/* ------------------------------------------------------------------ children */

/* Starts "exe getlist <mode> <quit event> <args>..." and waits until it is ready (rmtest.c). */
#define launch_child(a, b, c, d, e) launch_child_(__FILE__, __LINE__, a, b, L"getlist", c, d, e, NULL, 0)

/* A child of the given executable that holds the files open with share mode 0. */
static BOOL launch_holder(struct child *child, const WCHAR *exe, const WCHAR *file)
{
    return launch_child(child, exe, L"hold", file ? 1 : 0, &file);
}

/* ------------------------------------------------------------------ sessions and lists */

static DWORD register_file(DWORD handle, const WCHAR *path)
{
    LPCWSTR files[1];

    files[0] = path;
    return RmRegisterResources(handle, 1, files, 0, NULL, 0, NULL);
}

static unsigned int count_entries(const RM_PROCESS_INFO *infos, UINT count, DWORD pid)
{
    unsigned int found = 0;
    UINT i;

    for (i = 0; i < count; i++)
        if (infos[i].Process.dwProcessId == pid) found++;
    return found;
}

/* Checks that RmGetList lists the process, with its creation time; the entry goes to out. */
#define check_listed(a, b, c) check_listed_(__FILE__, __LINE__, a, b, c)
static BOOL check_listed_(const char *file, int line, DWORD handle, const RM_UNIQUE_PROCESS *id, RM_PROCESS_INFO *out)
{
    const RM_PROCESS_INFO *entry;
    RM_PROCESS_INFO *infos;
    DWORD ret, reasons;
    UINT count;

    ret = get_list(handle, &infos, &count, &reasons);
    ok_(file, line)(ret == ERROR_SUCCESS, "RmGetList: got %lu, expected 0\n", ret);
    entry = find_entry(infos, count, id->dwProcessId);
    ok_(file, line)(entry != NULL, "process %04lx is not among the %u listed\n", id->dwProcessId, count);
    if (entry)
    {
        ok_(file, line)(same_time(&entry->Process.ProcessStartTime, &id->ProcessStartTime),
                        "got start time %08lx:%08lx, expected %08lx:%08lx\n",
                        entry->Process.ProcessStartTime.dwHighDateTime, entry->Process.ProcessStartTime.dwLowDateTime,
                        id->ProcessStartTime.dwHighDateTime, id->ProcessStartTime.dwLowDateTime);
        if (out) *out = *entry;
    }
    free(infos);
    return entry != NULL;
}

/* A new session with just this file registered must list the process. */
#define check_file_listed(a, b, c) check_file_listed_(__FILE__, __LINE__, a, b, c)
static BOOL check_file_listed_(const char *file, int line, const WCHAR *path, const RM_UNIQUE_PROCESS *id,
                               RM_PROCESS_INFO *out)
{
    DWORD handle, ret;
    BOOL found;

    if (!start_session_(file, line, &handle, NULL)) return FALSE;
    ret = register_file(handle, path);
    ok_(file, line)(ret == ERROR_SUCCESS, "RmRegisterResources(%s): got %lu, expected 0\n", wine_dbgstr_w(path), ret);
    found = check_listed_(file, line, handle, id, out);
    end_session_(file, line, handle);
    return found;
}

/* Checks that RmGetList succeeds with nothing to list. */
#define check_empty_list(a) check_empty_list_(__FILE__, __LINE__, a)
static void check_empty_list_(const char *file, int line, DWORD handle)
{
    UINT needed = SENTINEL, count = 0;
    DWORD ret, reasons = SENTINEL;

    ret = RmGetList(handle, &needed, &count, NULL, &reasons);
    ok_(file, line)(ret == ERROR_SUCCESS, "RmGetList: got %lu, expected 0\n", ret);
    ok_(file, line)(needed == 0, "got needed %u, expected 0\n", needed);
    ok_(file, line)(count == 0, "got count %u, expected 0\n", count);
    ok_(file, line)(reasons == RmRebootReasonNone, "got reasons %#lx, expected 0\n", reasons);
}

/* ------------------------------------------------------------------ tests */

static void test_more_data(void)
{
    RM_PROCESS_INFO *infos;
    const RM_PROCESS_INFO *entry;
    struct child child;
    WCHAR file[MAX_PATH];
    DWORD handle, ret, reasons, session_id;
    UINT needed, count, i;
    unsigned int len;

    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    if (!launch_holder(&child, self_exe, file)) goto done;
    if (!start_session(&handle)) goto done;
    ret = register_file(handle, file);
    ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);

    needed = SENTINEL;
    count = 0;
    reasons = SENTINEL;
    ret = RmGetList(handle, &needed, &count, NULL, &reasons);
    ok(ret == ERROR_MORE_DATA, "got %lu, expected 234\n", ret);
    ok(needed != SENTINEL && needed >= 1, "got needed %u, expected >= 1\n", needed);
    /* What *pnProcInfo holds on ERROR_MORE_DATA is not documented. */
    trace("count after ERROR_MORE_DATA: %u\n", count);
    /* Whether the reboot reasons are written on ERROR_MORE_DATA is not documented either; this
     * implementation always writes them. */
    ok(reasons != SENTINEL || broken(reasons == SENTINEL), "reboot reasons not written on ERROR_MORE_DATA\n");
    trace("reasons after ERROR_MORE_DATA: %#lx\n", reasons);

    if (ret == ERROR_MORE_DATA && needed != SENTINEL && needed && needed < 1000)
    {
        infos = malloc(needed * sizeof(*infos));
        memset(infos, 0xcc, needed * sizeof(*infos));
        count = needed;
        needed = SENTINEL;
        reasons = SENTINEL;
        ret = RmGetList(handle, &needed, &count, infos, &reasons);
        ok(ret == ERROR_SUCCESS, "got %lu, expected 0\n", ret);
        ok(count == needed, "got count %u, expected %u\n", count, needed);
        ok(reasons != SENTINEL, "reboot reasons not written\n");
        for (i = 0; i < count && i < needed && !ret; i++) trace_entry(&infos[i]);
        entry = ret ? NULL : find_entry(infos, min(count, needed), child.id.dwProcessId);
        ok(entry != NULL, "the child %04lx is not listed\n", child.id.dwProcessId);
        if (entry)
        {
            ok(same_time(&entry->Process.ProcessStartTime, &child.id.ProcessStartTime),
               "got start time %08lx:%08lx, expected %08lx:%08lx\n",
               entry->Process.ProcessStartTime.dwHighDateTime, entry->Process.ProcessStartTime.dwLowDateTime,
               child.id.ProcessStartTime.dwHighDateTime, child.id.ProcessStartTime.dwLowDateTime);
            ok(entry->AppStatus & RmStatusRunning, "got AppStatus %#lx, expected RmStatusRunning\n", entry->AppStatus);
            len = name_length(entry->strAppName, ARRAY_SIZE(entry->strAppName));
            ok(len < ARRAY_SIZE(entry->strAppName), "strAppName is not NUL-terminated\n");
            ok(len > 0, "strAppName is empty\n");
            session_id = SENTINEL;
            ret = ProcessIdToSessionId(child.id.dwProcessId, &session_id);
            ok(ret, "ProcessIdToSessionId failed, error %lu\n", GetLastError());
            ok(entry->TSSessionId == session_id, "got TSSessionId %lu, expected %lu\n",
               entry->TSSessionId, session_id);
        }
        free(infos);
    }
    end_session(handle);
done:
    stop_child(&child);
    delete_temp_file(file);
}

static void test_more_data_two_lockers(void)
{
    const WCHAR *args[1];
    struct child child1, child2;
    RM_PROCESS_INFO info, *infos;
    WCHAR file[MAX_PATH];
    DWORD handle, ret, reasons;
    UINT needed, count;

    memset(&child2, 0, sizeof(child2));
    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    args[0] = file;
    /* Both children open the same file, sharing it. */
    if (!launch_child(&child1, self_exe, L"share", 1, args)) goto done;
    if (!launch_child(&child2, self_exe, L"share", 1, args)) goto done;
    if (!start_session(&handle)) goto done;
    ret = register_file(handle, file);
    ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);

    needed = SENTINEL;
    count = 1;
    reasons = SENTINEL;
    memset(&info, 0xcc, sizeof(info));
    ret = RmGetList(handle, &needed, &count, &info, &reasons);
    ok(ret == ERROR_MORE_DATA, "got %lu, expected 234\n", ret);
    ok(needed != SENTINEL && needed >= 2, "got needed %u, expected >= 2\n", needed);
    trace("count after ERROR_MORE_DATA: %u\n", count);

    ret = get_list(handle, &infos, &count, &reasons);
    ok(ret == ERROR_SUCCESS, "RmGetList: got %lu, expected 0\n", ret);
    ok(find_entry(infos, count, child1.id.dwProcessId) != NULL, "the first child is not listed\n");
    ok(find_entry(infos, count, child2.id.dwProcessId) != NULL, "the second child is not listed\n");
    free(infos);
    end_session(handle);
done:
    stop_child(&child2);
    stop_child(&child1);
    delete_temp_file(file);
}

static void test_one_entry_per_process(void)
{
    WCHAR files[3][MAX_PATH];
    const WCHAR *args[3];
    RM_PROCESS_INFO *infos;
    struct child child;
    DWORD handle, ret, reasons;
    unsigned int i, found;
    UINT count;

    for (i = 0; i < ARRAY_SIZE(files); i++)
    {
        make_temp_name(files[i], ARRAY_SIZE(files[i]), L".dat");
        args[i] = files[i];
    }
    if (!launch_child(&child, self_exe, L"hold", ARRAY_SIZE(args), args)) goto done;

    /* Three registered files, all held by the child. */
    if (start_session(&handle))
    {
        ret = RmRegisterResources(handle, ARRAY_SIZE(args), args, 0, NULL, 0, NULL);
        ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);
        ret = get_list(handle, &infos, &count, &reasons);
        ok(ret == ERROR_SUCCESS, "RmGetList: got %lu, expected 0\n", ret);
        found = count_entries(infos, count, child.id.dwProcessId);
        ok(found == 1, "got %u entries for the child, expected 1\n", found);
        ok(count == 1, "got %u entries, expected 1\n", count);
        free(infos);
        end_session(handle);
    }

    /* The same file registered in two calls. */
    if (start_session(&handle))
    {
        ret = register_file(handle, files[0]);
        ok(ret == ERROR_SUCCESS, "first RmRegisterResources: got %lu, expected 0\n", ret);
        ret = register_file(handle, files[0]);
        ok(ret == ERROR_SUCCESS, "second RmRegisterResources: got %lu, expected 0\n", ret);
        ret = get_list(handle, &infos, &count, &reasons);
        ok(ret == ERROR_SUCCESS, "RmGetList: got %lu, expected 0\n", ret);
        found = count_entries(infos, count, child.id.dwProcessId);
        ok(found == 1, "got %u entries for the child, expected 1\n", found);
        free(infos);
        end_session(handle);
    }
done:
    stop_child(&child);
    for (i = 0; i < ARRAY_SIZE(files); i++) delete_temp_file(files[i]);
}

static void test_nonexistent_file(void)
{
    WCHAR file[MAX_PATH];
    DWORD handle, ret;

    make_temp_name(file, ARRAY_SIZE(file), L"_missing.dat");
    ok(GetFileAttributesW(file) == INVALID_FILE_ATTRIBUTES, "%s exists\n", wine_dbgstr_w(file));
    if (!start_session(&handle)) return;
    ret = register_file(handle, file);
    ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);
    check_empty_list(handle);
    end_session(handle);
}

/* RmShutdown with a registered directory: 5, and nothing is touched.  Microsoft's RmShutdown
 * page does not list ERROR_ACCESS_DENIED, but it says that RmShutdown calls RmGetList to
 * update the list before it shuts anything down, and that its return value is "the most recent
 * error received", from the system error codes; RmGetList's page documents 5 for a registered
 * directory (MicrosoftDocs/sdk-api PR #1868).  So RmShutdown passes
 * RmGetList's 5 on rather than inventing a code of its own, and acts on nothing.  Its answer
 * was never seen on Windows: another error code is accepted there, and with it the holder's
 * shutdown. */
static void test_directory_shutdown(void)
{
    WCHAR file[MAX_PATH];
    const WCHAR *files[2];
    struct child holder;
    DWORD handle, ret;

    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    if (!launch_holder(&holder, self_exe, file)) return;
    files[0] = file;
    files[1] = temp_dir;
    if (start_session(&handle))
    {
        ret = RmRegisterResources(handle, 2, files, 0, NULL, 0, NULL);
        ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);
        ret = RmShutdown(handle, RmForceShutdown, NULL);
        ok(ret == ERROR_ACCESS_DENIED || broken(ret != ERROR_SUCCESS), "RmShutdown: got %lu, expected 5\n", ret);
        ok(process_alive(&holder.id) || broken(ret != ERROR_ACCESS_DENIED),
           "the holder of the registered file was shut down\n");
        end_session(handle);
    }
    stop_child(&holder);
    delete_temp_file(file);
}

static void test_directory(void)
{
    WCHAR windir[MAX_PATH];
    const WCHAR *dirs[2];
    UINT needed, count, i;
    DWORD handle, ret, reasons;

    GetWindowsDirectoryW(windir, ARRAY_SIZE(windir));
    dirs[0] = temp_dir;
    dirs[1] = windir;
    for (i = 0; i < ARRAY_SIZE(dirs); i++)
    {
        winetest_push_context("%s", wine_dbgstr_w(dirs[i]));
        if (start_session(&handle))
        {
            /* Accepted here; refused when the list is asked for. */
            ret = register_file(handle, dirs[i]);
            ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);
            needed = SENTINEL;
            count = 0;
            reasons = SENTINEL;
            ret = RmGetList(handle, &needed, &count, NULL, &reasons);
            ok(ret == ERROR_ACCESS_DENIED, "got %lu, expected 5\n", ret);
            end_session(handle);
        }
        winetest_pop_context();
    }
    test_directory_shutdown();
}

/* ------------------------------------------------------------------ names that are not files */

/* A call that has not returned after this long is taken to hang. */
#define DEVICE_WATCHDOG 15000

struct list_call
{
    DWORD handle;
    DWORD ret;
};

static DWORD WINAPI list_thread(void *arg)
{
    struct list_call *call = arg;
    UINT needed, count = 0;
    DWORD reasons;

    call->ret = RmGetList(call->handle, &needed, &count, NULL, &reasons);
    return 0;
}

/* RmGetList in a thread of its own, so that a hang fails the test instead of stopping it. */
static BOOL get_list_watched(DWORD handle, DWORD *ret)
{
    struct list_call call = { handle, SENTINEL };
    HANDLE thread = CreateThread(NULL, 0, list_thread, &call, 0, NULL);
    DWORD wait;

    ok(thread != NULL, "CreateThread failed, error %lu\n", GetLastError());
    if (!thread) return FALSE;
    wait = WaitForSingleObject(thread, DEVICE_WATCHDOG);
    if (wait) TerminateThread(thread, 1);
    CloseHandle(thread);
    *ret = call.ret;
    return !wait;
}

/* Registering a device, a pipe or a mailslot is accepted, and RmGetList neither reads from it
 * nor waits on it: it returns at once (issue 13, item 2).  None is a file a process can use,
 * so nothing is listed.  What Windows answers for such names is not known: any error is
 * accepted there, from either call, and so is a call that does not return (not hanging is a
 * project requirement). */
static void check_device_name(const WCHAR *name)
{
    DWORD handle, ret;

    winetest_push_context("%s", wine_dbgstr_w(name));
    if (start_session(&handle))
    {
        ret = register_file(handle, name);
        ok(ret == ERROR_SUCCESS || broken(ret != ERROR_SUCCESS), "RmRegisterResources: got %lu, expected 0\n", ret);
        if (get_list_watched(handle, &ret))
            ok(ret == ERROR_SUCCESS || broken(ret != ERROR_SUCCESS), "RmGetList: got %lu, expected 0\n", ret);
        else ok(broken(TRUE), "RmGetList still runs after %u ms\n", DEVICE_WATCHDOG);
        end_session(handle);
    }
    winetest_pop_context();
}

static void test_device_names(void)
{
    static const WCHAR * const devices[] =
    {
        L"COM1", L"AUX", L"CONIN$", L"CONOUT$", L"CON", L"NUL", L"PRN", L"LPT1", L"\\\\.\\COM1", L"COM1.txt",
    };
    WCHAR pipe_name[64], slot_name[64];
    HANDLE pipe, slot, client;
    struct child console;
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(devices); i++) check_device_name(devices[i]);
    /* The console names again, where there is a console to read from. */
    if (start_child(&console, self_exe, L"getlist", L"console", FALSE, 0, NULL, NULL, 0))
    {
        get_process_id(console.pi.hProcess, &console.id);
        stop_child(&console);
    }

    /* A pipe whose server waits for a client: opening it for reading would connect and wait
     * for data, and would take the only instance. */
    swprintf(pipe_name, ARRAY_SIZE(pipe_name), L"\\\\.\\pipe\\rmtest_getlist_%lx", GetCurrentProcessId());
    pipe = CreateNamedPipeW(pipe_name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_WAIT, 1, 0, 0, 0, NULL);
    ok(pipe != INVALID_HANDLE_VALUE, "CreateNamedPipeW failed, error %lu\n", GetLastError());
    if (pipe != INVALID_HANDLE_VALUE)
    {
        check_device_name(pipe_name);
        client = CreateFileW(pipe_name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
        ok(client != INVALID_HANDLE_VALUE || broken(GetLastError() == ERROR_PIPE_BUSY),
           "the pipe's only instance is taken: error %lu\n", GetLastError());
        if (client != INVALID_HANDLE_VALUE) CloseHandle(client);
        CloseHandle(pipe);
    }
    swprintf(slot_name, ARRAY_SIZE(slot_name), L"\\\\.\\mailslot\\rmtest_getlist_%lx", GetCurrentProcessId());
    slot = CreateMailslotW(slot_name, 0, MAILSLOT_WAIT_FOREVER, NULL);
    ok(slot != INVALID_HANDLE_VALUE, "CreateMailslotW failed, error %lu\n", GetLastError());
    if (slot != INVALID_HANDLE_VALUE)
    {
        check_device_name(slot_name);
        CloseHandle(slot);
    }
}

/* console: the console device names, in a process with a console of its own (where reading
 * CONIN$ waits for a key). */
static void child_console(void)
{
    FreeConsole();
    ok(AllocConsole(), "AllocConsole failed, error %lu\n", GetLastError());
    check_device_name(L"CONIN$");
    check_device_name(L"CONOUT$");
}

/* ------------------------------------------------------------------ files the caller may not open */

/* Gives the file a protected, empty DACL: nobody may open it any more. */
static BOOL deny_everyone(const WCHAR *file)
{
    ACL acl;
    DWORD ret;

    if (!InitializeAcl(&acl, sizeof(acl), ACL_REVISION)) return FALSE;
    ret = SetNamedSecurityInfoW((WCHAR *)file, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION
                                | PROTECTED_DACL_SECURITY_INFORMATION, NULL, NULL, &acl, NULL);
    ok(ret == ERROR_SUCCESS, "SetNamedSecurityInfoW: got %lu\n", ret);
    return !ret;
}

static void allow_again(const WCHAR *file)
{
    SetNamedSecurityInfoW((WCHAR *)file, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION
                          | UNPROTECTED_DACL_SECURITY_INFORMATION, NULL, NULL, NULL, NULL);
}

/* A registered file that exists but whose security denies the caller: RmGetList fails with
 * ERROR_ACCESS_DENIED, even though the caller itself holds the file open (ForceOps'
 * RmGetListThrowsError5 on a Windows CI runner), and so does the list
 * refresh of RmShutdown, which nothing else is done after (inferred from the same; 350 for the
 * caller itself is accepted on Windows).  Needs a platform that enforces file security. */
static void test_denied_file(void)
{
    WCHAR file[MAX_PATH];
    DWORD handle, ret, reasons;
    UINT needed, count = 0;
    HANDLE held, probe;

    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    held = CreateFileW(file, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
    ok(held != INVALID_HANDLE_VALUE, "CreateFileW failed, error %lu\n", GetLastError());
    if (held == INVALID_HANDLE_VALUE) return;
    if (!deny_everyone(file)) goto done;

    probe = CreateFileW(file, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                        OPEN_EXISTING, 0, NULL);
    if (probe != INVALID_HANDLE_VALUE)
    {
        CloseHandle(probe);
        skip("the platform lets this process open a file whose DACL denies everyone: it does not enforce "
             "file security (Wine does not)\n");
        goto done;
    }
    ok(GetLastError() == ERROR_ACCESS_DENIED, "opening the denied file: got error %lu\n", GetLastError());
    if (!start_session(&handle)) goto done;
    ret = register_file(handle, file);
    ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);
    ret = RmGetList(handle, &needed, &count, NULL, &reasons);
    ok(ret == ERROR_ACCESS_DENIED, "RmGetList: got %lu, expected 5\n", ret);
    ret = RmShutdown(handle, 0, NULL);
    ok(ret == ERROR_ACCESS_DENIED || broken(ret == ERROR_FAIL_NOACTION_REBOOT), "RmShutdown: got %lu, expected 5\n",
       ret);
    end_session(handle);
done:
    allow_again(file);
    CloseHandle(held);
    delete_temp_file(file);
}

/* Files that cannot be opened for other reasons than security are not refused: held by another
 * process without sharing, the holder is listed; deleted while this process still holds it,
 * this process is (project requirement: Windows' answer for the latter is not known). */
static void test_unopenable_files(void)
{
    FILE_DISPOSITION_INFO disposition = { TRUE };
    const RM_PROCESS_INFO *entry;
    RM_PROCESS_INFO *infos;
    WCHAR file[MAX_PATH];
    struct child holder;
    DWORD handle, ret, reasons;
    HANDLE held, probe;
    UINT count;

    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    if (launch_holder(&holder, self_exe, file))
    {
        held = CreateFileW(file, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
        ok(held == INVALID_HANDLE_VALUE && GetLastError() == ERROR_SHARING_VIOLATION,
           "opening the held file: got error %lu, expected 32\n", GetLastError());
        if (held != INVALID_HANDLE_VALUE) CloseHandle(held);
        check_file_listed(file, &holder.id, NULL);
        stop_child(&holder);
    }
    delete_temp_file(file);

    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    held = CreateFileW(file, GENERIC_READ | GENERIC_WRITE | DELETE, FILE_SHARE_READ | FILE_SHARE_WRITE
                       | FILE_SHARE_DELETE, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
    ok(held != INVALID_HANDLE_VALUE, "CreateFileW failed, error %lu\n", GetLastError());
    if (held == INVALID_HANDLE_VALUE) return;
    ok(SetFileInformationByHandle(held, FileDispositionInfo, &disposition, sizeof(disposition)),
       "SetFileInformationByHandle failed, error %lu\n", GetLastError());
    probe = CreateFileW(file, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                        OPEN_EXISTING, 0, NULL);
    trace("opening the deleted file: error %lu\n", probe == INVALID_HANDLE_VALUE ? GetLastError() : 0);
    if (probe != INVALID_HANDLE_VALUE) CloseHandle(probe);
    if (start_session(&handle))
    {
        ret = register_file(handle, file);
        ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);
        ret = get_list(handle, &infos, &count, &reasons);
        ok(ret == ERROR_SUCCESS || broken(ret == ERROR_ACCESS_DENIED), "RmGetList: got %lu, expected 0\n", ret);
        entry = find_entry(infos, count, GetCurrentProcessId());
        ok(entry != NULL || broken(!entry), "this process is not among the %u listed\n", count);
        free(infos);
        end_session(handle);
    }
    CloseHandle(held);
}

static void test_nothing_locked(void)
{
    RM_PROCESS_INFO info;
    WCHAR file[MAX_PATH];
    DWORD handle, ret, reasons;
    UINT needed, count;
    HANDLE h;

    /* Nothing registered. */
    if (start_session(&handle))
    {
        check_empty_list(handle);
        end_session(handle);
    }

    /* A file that exists and that nobody holds open, asked with room for one entry. */
    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    h = CreateFileW(file, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
    ok(h != INVALID_HANDLE_VALUE, "CreateFileW failed, error %lu\n", GetLastError());
    if (h == INVALID_HANDLE_VALUE) return;
    CloseHandle(h);
    if (start_session(&handle))
    {
        ret = register_file(handle, file);
        ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);
        needed = SENTINEL;
        count = 1;
        reasons = SENTINEL;
        memset(&info, 0xcc, sizeof(info));
        ret = RmGetList(handle, &needed, &count, &info, &reasons);
        ok(ret == ERROR_SUCCESS, "got %lu, expected 0\n", ret);
        ok(needed == 0, "got needed %u, expected 0\n", needed);
        ok(count == 0, "got count %u, expected 0\n", count);
        ok(reasons == RmRebootReasonNone, "got reasons %#lx, expected 0\n", reasons);
        end_session(handle);
    }
    delete_temp_file(file);
}

static void test_self(void)
{
    const RM_PROCESS_INFO *entry;
    RM_PROCESS_INFO *infos;
    WCHAR file[MAX_PATH];
    DWORD handle, ret, reasons;
    UINT count;
    HANDLE h;

    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    h = CreateFileW(file, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
    ok(h != INVALID_HANDLE_VALUE, "CreateFileW failed, error %lu\n", GetLastError());
    if (h == INVALID_HANDLE_VALUE) return;

    if (start_session(&handle))
    {
        ret = register_file(handle, file);
        ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);
        ret = get_list(handle, &infos, &count, &reasons);
        ok(ret == ERROR_SUCCESS, "RmGetList: got %lu, expected 0\n", ret);
        /* Windows CI tests assert exactly this: one entry, the caller's PID and start time
         * (LockCheck's LockManagerTests), and no reboot reason but RmRebootReasonDetectedSelf
         * (Meziantou's RestartManagerTests). */
        ok(count == 1, "got %u entries, expected 1\n", count);
        ok(reasons == RmRebootReasonDetectedSelf, "got reasons %#lx, expected %#x\n", reasons,
           RmRebootReasonDetectedSelf);
        entry = find_entry(infos, count, GetCurrentProcessId());
        ok(entry != NULL, "this process is not among the %u listed\n", count);
        if (entry)
        {
            ok(same_time(&entry->Process.ProcessStartTime, &self_id.ProcessStartTime),
               "got start time %08lx:%08lx, expected %08lx:%08lx\n",
               entry->Process.ProcessStartTime.dwHighDateTime, entry->Process.ProcessStartTime.dwLowDateTime,
               self_id.ProcessStartTime.dwHighDateTime, self_id.ProcessStartTime.dwLowDateTime);
            /* RmCritical is expected for the caller, but no Windows test checks the type. */
            trace_entry(entry);
        }
        free(infos);
        end_session(handle);
    }
    CloseHandle(h);
    delete_temp_file(file);
}

static void upper_case(WCHAR *path)
{
    for (; *path; path++) if (*path >= 'a' && *path <= 'z') *path -= 'a' - 'A';
}

static void forward_slashes(WCHAR *path)
{
    for (; *path; path++) if (*path == '\\') *path = '/';
}

/* How Windows matches other spellings of a registered path is not documented; a file system
 * that compares names case-insensitively and resolves these forms makes them name the same
 * file, and the project requires that they are found (under Wine only: never seen on Windows). */
static void test_path_spelling(void)
{
    WCHAR file[MAX_PATH], variant[MAX_PATH + 8], name[64];
    struct child child;
    DWORD len;

    swprintf(name, ARRAY_SIZE(name), L" long name for spelling %u.data", GetTickCount() % 1000);
    make_temp_name(file, ARRAY_SIZE(file), name);
    if (!launch_holder(&child, self_exe, file)) goto done;

    winetest_push_context("as registered");
    check_file_listed(file, &child.id, NULL);
    winetest_pop_context();

    winetest_push_context("upper case");
    wcscpy(variant, file);
    upper_case(variant);
    if (winetest_platform_is_wine) check_file_listed(variant, &child.id, NULL);
    winetest_pop_context();

    winetest_push_context("forward slashes");
    wcscpy(variant, file);
    forward_slashes(variant);
    if (winetest_platform_is_wine) check_file_listed(variant, &child.id, NULL);
    winetest_pop_context();

    winetest_push_context("\\\\?\\ prefix");
    swprintf(variant, ARRAY_SIZE(variant), L"\\\\?\\%ls", file);
    if (winetest_platform_is_wine) check_file_listed(variant, &child.id, NULL);
    winetest_pop_context();

    winetest_push_context("short name");
    len = GetShortPathNameW(file, variant, ARRAY_SIZE(variant));
    if (!len || len >= ARRAY_SIZE(variant)) skip("GetShortPathNameW failed, error %lu\n", GetLastError());
    else if (!wcscmp(variant, file)) skip("the short name is the long name\n");
    else
    {
        trace("%s\n", wine_dbgstr_w(variant));
        if (winetest_platform_is_wine) check_file_listed(variant, &child.id, NULL);
    }
    winetest_pop_context();
done:
    stop_child(&child);
    delete_temp_file(file);
}

/* The child copies a DLL of its own architecture to dll and loads it. */
static void run_module_dll(const WCHAR *exe)
{
    WCHAR dll[MAX_PATH];
    const WCHAR *args[1];
    struct child child;

    make_temp_name(dll, ARRAY_SIZE(dll), L"_mod.dll");
    args[0] = dll;
    if (launch_child(&child, exe, L"loaddll", 1, args))
    {
        check_file_listed(dll, &child.id, NULL);
        stop_child(&child);
    }
    delete_temp_file(dll);
}

/* A copy of exe runs; its path is registered. */
static void run_module_exe(const WCHAR *exe)
{
    WCHAR dir[MAX_PATH], copy[MAX_PATH];
    struct child child;

    if (!copy_executable(exe, dir, copy)) return;
    if (launch_holder(&child, copy, NULL))
    {
        check_file_listed(copy, &child.id, NULL);
        stop_child(&child);
    }
    delete_executable_copy(dir, copy);
}

static void test_modules(void)
{
    winetest_push_context("dll");
    run_module_dll(self_exe);
    winetest_pop_context();

    winetest_push_context("exe");
    run_module_exe(self_exe);
    winetest_pop_context();
}

/* A 32-bit caller must see a 64-bit process's handles and modules, and the reverse. */
static void test_other_arch(void)
{
    WCHAR exe[MAX_PATH], file[MAX_PATH];
    struct child child;

    if (!find_other_arch_exe(L"getlist.exe", exe, ARRAY_SIZE(exe)))
    {
        skip("other architecture not available\n");
        return;
    }

    winetest_push_context("other arch file");
    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    if (launch_holder(&child, exe, file))
    {
        check_file_listed(file, &child.id, NULL);
        stop_child(&child);
    }
    delete_temp_file(file);
    winetest_pop_context();

    winetest_push_context("other arch dll");
    run_module_dll(exe);
    winetest_pop_context();

    winetest_push_context("other arch exe");
    run_module_exe(exe);
    winetest_pop_context();
}

static void test_registered_process(void)
{
    RM_UNIQUE_PROCESS process;
    ULARGE_INTEGER time;
    struct child child;
    DWORD handle, ret;

    if (!launch_holder(&child, self_exe, NULL)) return;

    if (start_session(&handle))
    {
        process = child.id;
        ret = RmRegisterResources(handle, 0, NULL, 1, &process, 0, NULL);
        ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);
        check_listed(handle, &child.id, NULL);
        end_session(handle);
    }

    /* The same pid with another creation time is another process, long gone. */
    if (start_session(&handle))
    {
        process = child.id;
        time.LowPart = process.ProcessStartTime.dwLowDateTime;
        time.HighPart = process.ProcessStartTime.dwHighDateTime;
        time.QuadPart -= 10000000;
        process.ProcessStartTime.dwLowDateTime = time.LowPart;
        process.ProcessStartTime.dwHighDateTime = time.HighPart;
        ret = RmRegisterResources(handle, 0, NULL, 1, &process, 0, NULL);
        ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);
        check_empty_list(handle);
        end_session(handle);
    }
    stop_child(&child);
}

/* The FileDescriptions tests/getlist.rc gives this program: the translation RmGetList is to
 * pick (the user's UI language, English or German, else the first one listed, German) and
 * the other one.  Which translation Windows picks is not known: the other is broken() there. */
static const WCHAR *expected_description(BOOL other)
{
    static const WCHAR english[] = L"rstrtmgr getlist test program", german[] = L"rstrtmgr Testprogramm getlist";
    BOOL ui_english = PRIMARYLANGID(GetUserDefaultUILanguage()) == LANG_ENGLISH;

    return ui_english != other ? english : german;
}

/* The name is the expected one, or (only on Windows, through broken()) one of the
 * alternatives given (NULL: none). */
#define check_name(a, b, c, d) check_name_(__FILE__, __LINE__, a, b, c, d)
static void check_name_(const char *file, int line, const RM_PROCESS_INFO *info, const WCHAR *expected,
                        const WCHAR *alternative, const WCHAR *alternative2)
{
    unsigned int len = name_length(info->strAppName, ARRAY_SIZE(info->strAppName));
    BOOL terminated = len < ARRAY_SIZE(info->strAppName);

    ok_(file, line)((terminated && !wcscmp(info->strAppName, expected))
                    || broken(terminated && alternative && !wcscmp(info->strAppName, alternative))
                    || broken(terminated && alternative2 && !wcscmp(info->strAppName, alternative2)),
                    "got name %s, expected %s\n", wine_dbgstr_wn(info->strAppName, len), wine_dbgstr_w(expected));
}

static void test_window_app(void)
{
    WCHAR file[MAX_PATH];
    const WCHAR *args[1];
    RM_PROCESS_INFO info;
    struct child child;

    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    args[0] = file;
    if (!launch_child(&child, self_exe, L"window", 1, args)) goto done;
    if (check_file_listed(file, &child.id, &info))
    {
        /* The documented meaning of RmMainWindow: a stand-alone process with a top-level window. */
        ok(info.ApplicationType == RmMainWindow || broken(is_user_app_type(info.ApplicationType)),
           "got type %d, expected %d\n", info.ApplicationType, RmMainWindow);
        ok(info.AppStatus & RmStatusRunning, "got AppStatus %#lx, expected RmStatusRunning\n", info.AppStatus);
        trace_entry(&info);
        /* The name is the image's FileDescription, not the window title: every name in
         * Windows installer logs is one, though those applications were mostly windowless. */
        check_name(&info, expected_description(FALSE), expected_description(TRUE), window_title);
    }
    stop_child(&child);
done:
    delete_temp_file(file);
}

static void test_console_app(void)
{
    WCHAR file[MAX_PATH];
    RM_PROCESS_INFO info;
    struct child child;

    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    if (!launch_holder(&child, self_exe, file)) goto done;
    if (check_file_listed(file, &child.id, &info))
    {
        /* This program is a console program and the child has no window. */
        ok(info.ApplicationType == RmConsole || broken(is_user_app_type(info.ApplicationType)),
           "got type %d, expected %d\n", info.ApplicationType, RmConsole);
        trace_entry(&info);
        /* Its FileDescription (Inno Setup logs on Windows name console programs so), in the
         * user's language where the resource has it. */
        check_name(&info, expected_description(FALSE), expected_description(TRUE), NULL);
    }
    stop_child(&child);
done:
    delete_temp_file(file);
}

/* Takes the version resource (tests/getlist.rc) out of an executable, with whatever other
 * resources it has: Wine 8.0's UpdateResourceW does not delete a single resource. */
static BOOL remove_version_resource(const WCHAR *exe)
{
    HANDLE update;
    DWORD dummy;

    if (!(update = BeginUpdateResourceW(exe, TRUE)) || !EndUpdateResourceW(update, FALSE)) return FALSE;
    return !GetFileVersionInfoSizeW(exe, &dummy);
}

/* An image without a version resource is named by its file name without the extension
 * ("rmtest_copy" for rmtest_copy.exe): Inno Setup on Windows logged "ollama" for ollama.exe,
 * built without one. */
static void test_name_without_description(void)
{
    WCHAR dir[MAX_PATH], copy[MAX_PATH], file[MAX_PATH];
    RM_PROCESS_INFO info;
    struct child child;

    if (!copy_executable(self_exe, dir, copy)) return;
    if (!remove_version_resource(copy))
    {
        skip("cannot remove the version resource of %s, error %lu\n", wine_dbgstr_w(copy), GetLastError());
        delete_executable_copy(dir, copy);
        return;
    }
    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    if (launch_holder(&child, copy, file))
    {
        if (check_file_listed(file, &child.id, &info)) check_name(&info, L"rmtest_copy", NULL, NULL);
        stop_child(&child);
    }
    delete_temp_file(file);
    delete_executable_copy(dir, copy);
}

/* A running service in a process of its own, or failing that any running service not hosted
 * by this process. */
static BOOL find_running_service(WCHAR *name, size_t name_size, WCHAR *display, size_t display_size, DWORD *pid)
{
    ENUM_SERVICE_STATUS_PROCESSW *services = NULL;
    DWORD size = 0, needed = 0, count = 0, resume = 0, i, j;
    int best = -1;
    SC_HANDLE manager;
    BOOL ret;

    manager = OpenSCManagerW(NULL, NULL, SC_MANAGER_ENUMERATE_SERVICE);
    ok(manager != NULL, "OpenSCManagerW failed, error %lu\n", GetLastError());
    if (!manager) return FALSE;
    for (;;)
    {
        ret = EnumServicesStatusExW(manager, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_ACTIVE,
                                    (BYTE *)services, size, &needed, &count, &resume, NULL);
        if (ret) break;
        free(services);
        services = NULL;
        count = resume = 0;
        if (GetLastError() != ERROR_MORE_DATA || !(services = malloc(size + needed))) break;
        size += needed;
    }
    CloseServiceHandle(manager);
    ok(ret, "EnumServicesStatusExW failed, error %lu\n", GetLastError());

    for (i = 0; i < count; i++)
    {
        DWORD service_pid = services[i].ServiceStatusProcess.dwProcessId;

        trace("service %s, pid %04lx, state %lu\n", wine_dbgstr_w(services[i].lpServiceName), service_pid,
              services[i].ServiceStatusProcess.dwCurrentState);
        if (!service_pid || service_pid == GetCurrentProcessId()) continue;
        if (services[i].ServiceStatusProcess.dwCurrentState != SERVICE_RUNNING) continue;
        for (j = 0; j < count; j++)
            if (j != i && services[j].ServiceStatusProcess.dwProcessId == service_pid) break;
        if (j == count)
        {
            best = i;
            break;
        }
        if (best < 0) best = i;
    }
    if (best >= 0)
    {
        lstrcpynW(name, services[best].lpServiceName, name_size);
        lstrcpynW(display, services[best].lpDisplayName ? services[best].lpDisplayName : L"", display_size);
        *pid = services[best].ServiceStatusProcess.dwProcessId;
    }
    free(services);
    return best >= 0;
}

static void test_service(void)
{
    WCHAR name[256], display[256];
    const RM_PROCESS_INFO *entry;
    RM_PROCESS_INFO *infos;
    LPCWSTR services[1];
    DWORD handle, ret, reasons, pid;
    UINT count;

    if (!find_running_service(name, ARRAY_SIZE(name), display, ARRAY_SIZE(display), &pid))
    {
        skip("no running service\n");
        return;
    }
    trace("registering service %s (%s), pid %04lx\n", wine_dbgstr_w(name), wine_dbgstr_w(display), pid);
    if (!start_session(&handle)) return;

    services[0] = name;
    ret = RmRegisterResources(handle, 0, NULL, 0, NULL, 1, services);
    ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);
    ret = get_list(handle, &infos, &count, &reasons);
    ok(ret == ERROR_SUCCESS, "RmGetList: got %lu, expected 0\n", ret);
    entry = find_entry(infos, count, pid);
    ok(entry != NULL, "the host %04lx of %s is not among the %u listed\n", pid, wine_dbgstr_w(name), count);
    if (entry)
    {
        trace_entry(entry);
        trace("reasons %#lx\n", reasons);
        /* Hosts of critical services (RPCSS, DCOM, PnP) are reported as critical. */
        ok(entry->ApplicationType == RmService || entry->ApplicationType == RmCritical,
           "got type %d, expected %d or %d\n", entry->ApplicationType, RmService, RmCritical);
        ok(entry->AppStatus & RmStatusRunning, "got AppStatus %#lx, expected RmStatusRunning\n", entry->AppStatus);
        if (entry->ApplicationType == RmService)
        {
            ok(!wcsicmp(entry->strServiceShortName, name), "got service %s, expected %s\n",
               wine_dbgstr_wn(entry->strServiceShortName,
                              name_length(entry->strServiceShortName, ARRAY_SIZE(entry->strServiceShortName))),
               wine_dbgstr_w(name));
            ok(entry->bRestartable, "got bRestartable %d, expected TRUE\n", entry->bRestartable);
        }
        else ok(!entry->bRestartable, "got bRestartable %d for a critical process\n", entry->bRestartable);
    }
    free(infos);
    end_session(handle);
}

static BOOL wait_service_state(SC_HANDLE service, DWORD state, SERVICE_STATUS_PROCESS *status)
{
    DWORD start = GetTickCount(), size;

    for (;;)
    {
        if (!QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, (BYTE *)status, sizeof(*status), &size))
            return FALSE;
        if (status->dwCurrentState == state) return TRUE;
        if (GetTickCount() - start > READY_TIMEOUT) return FALSE;
        Sleep(50);
    }
}

/* A service of our own (this program in its service mode), so that a service that is not a
 * critical one is certainly there.  Needs the right to create services. */
static void test_own_service(void)
{
    WCHAR name[64], display[64], cmdline[MAX_PATH + 128];
    SERVICE_STATUS_PROCESS status;
    SERVICE_STATUS stop_status;
    const RM_PROCESS_INFO *entry;
    RM_PROCESS_INFO *infos;
    SC_HANDLE manager, service;
    LPCWSTR services[1];
    HANDLE process = NULL;
    DWORD handle, ret, reasons;
    UINT count;

    manager = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE);
    if (!manager && GetLastError() == ERROR_ACCESS_DENIED)
    {
        skip("not allowed to create services\n");
        return;
    }
    ok(manager != NULL, "OpenSCManagerW failed, error %lu\n", GetLastError());
    if (!manager) return;

    swprintf(name, ARRAY_SIZE(name), L"rmtest_getlist_%lx", GetCurrentProcessId());
    swprintf(display, ARRAY_SIZE(display), L"rstrtmgr getlist test service %lx", GetCurrentProcessId());
    swprintf(cmdline, ARRAY_SIZE(cmdline), L"\"%ls\" getlist service %ls", self_exe, name);
    service = CreateServiceW(manager, name, display, SERVICE_ALL_ACCESS, SERVICE_WIN32_OWN_PROCESS,
                             SERVICE_DEMAND_START, SERVICE_ERROR_IGNORE, cmdline, NULL, NULL, NULL, NULL, NULL);
    ok(service != NULL, "CreateServiceW failed, error %lu\n", GetLastError());
    if (!service)
    {
        CloseServiceHandle(manager);
        return;
    }

    ret = StartServiceW(service, 0, NULL);
    ok(ret, "StartServiceW failed, error %lu\n", GetLastError());
    if (ret && !wait_service_state(service, SERVICE_RUNNING, &status))
    {
        ok(0, "the service did not start: state %lu, error %lu\n", status.dwCurrentState, GetLastError());
        ret = FALSE;
    }
    if (ret && start_session(&handle))
    {
        trace("service %s runs in process %04lx\n", wine_dbgstr_w(name), status.dwProcessId);
        process = OpenProcess(SYNCHRONIZE, FALSE, status.dwProcessId);
        services[0] = name;
        ret = RmRegisterResources(handle, 0, NULL, 0, NULL, 1, services);
        ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);
        ret = get_list(handle, &infos, &count, &reasons);
        ok(ret == ERROR_SUCCESS, "RmGetList: got %lu, expected 0\n", ret);
        entry = find_entry(infos, count, status.dwProcessId);
        ok(entry != NULL, "the service process %04lx is not among the %u listed\n", status.dwProcessId, count);
        if (entry)
        {
            trace_entry(entry);
            ok(entry->ApplicationType == RmService, "got type %d, expected %d\n", entry->ApplicationType, RmService);
            ok(entry->AppStatus & RmStatusRunning, "got AppStatus %#lx, expected RmStatusRunning\n", entry->AppStatus);
            ok(!wcsicmp(entry->strServiceShortName, name), "got service %s, expected %s\n",
               wine_dbgstr_wn(entry->strServiceShortName,
                              name_length(entry->strServiceShortName, ARRAY_SIZE(entry->strServiceShortName))),
               wine_dbgstr_w(name));
            /* For a service the name is its long (display) name. */
            ok(!wcscmp(entry->strAppName, display), "got name %s, expected %s\n",
               wine_dbgstr_wn(entry->strAppName, name_length(entry->strAppName, ARRAY_SIZE(entry->strAppName))),
               wine_dbgstr_w(display));
            ok(entry->bRestartable, "got bRestartable %d, expected TRUE\n", entry->bRestartable);
            ok(!(reasons & RmRebootReasonCriticalService), "got reasons %#lx\n", reasons);
        }
        free(infos);
        end_session(handle);
    }

    if (ControlService(service, SERVICE_CONTROL_STOP, &stop_status))
        ok(wait_service_state(service, SERVICE_STOPPED, &status), "the service did not stop\n");
    if (process)
    {
        ok(WaitForSingleObject(process, READY_TIMEOUT) == WAIT_OBJECT_0, "the service process did not exit\n");
        CloseHandle(process);
    }
    ret = DeleteService(service);
    ok(ret, "DeleteService failed, error %lu\n", GetLastError());
    CloseServiceHandle(service);
    CloseServiceHandle(manager);
}

/* Only the process that started a session may ask for its list: Windows refuses a joined
 * handle of another process with 1219 (a maintainer's note in Tailscale's restartmgr_windows.go).
 * Whether it refuses a join inside the primary's own process is not known (broken() there).
 * RmCancelCurrentTask "must be called from the application that has started the session"
 * (its documentation page; the code is this project's choice). */
static void check_secondary_refused(DWORD handle, BOOL same_process)
{
    UINT needed = SENTINEL, count = 0;
    DWORD ret, reasons = SENTINEL;

    ret = RmGetList(handle, &needed, &count, NULL, &reasons);
    ok(ret == ERROR_SESSION_CREDENTIAL_CONFLICT || broken(same_process && ret == ERROR_SUCCESS),
       "secondary RmGetList: got %lu, expected 1219\n", ret);
    ret = RmCancelCurrentTask(handle);
    ok(ret == ERROR_SESSION_CREDENTIAL_CONFLICT || broken(ret == ERROR_SUCCESS),
       "secondary RmCancelCurrentTask: got %lu, expected 1219\n", ret);
}

static void test_join_secondary(void)
{
    WCHAR files[2][MAX_PATH], key[KEY_BUFFER], missing[MAX_PATH];
    struct child holder1, holder2, joiner;
    const WCHAR *args[2];
    RM_PROCESS_INFO *infos;
    DWORD handle, handle2, ret, reasons;
    UINT count;

    memset(&holder2, 0, sizeof(holder2));
    make_temp_name(files[0], ARRAY_SIZE(files[0]), L".dat");
    make_temp_name(files[1], ARRAY_SIZE(files[1]), L".dat");
    if (!launch_holder(&holder1, self_exe, files[0])) goto done;
    if (!launch_holder(&holder2, self_exe, files[1])) goto done;
    if (!start_session_key(&handle, key)) goto done;
    make_temp_name(missing, ARRAY_SIZE(missing), L".missing");
    ret = register_file(handle, missing);
    ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);

    /* A secondary in this process registers the first file and leaves. */
    handle2 = NO_SESSION;
    ret = RmJoinSession(&handle2, key);
    ok(ret == ERROR_SUCCESS, "RmJoinSession: got %lu, expected 0\n", ret);
    if (!ret)
    {
        ret = register_file(handle2, files[0]);
        ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);
        check_secondary_refused(handle2, TRUE);
        ret = RmEndSession(handle2);
        ok(ret == ERROR_SUCCESS, "RmEndSession: got %lu, expected 0\n", ret);
    }

    /* A secondary in a child process registers the second file and exits. */
    args[0] = key;
    args[1] = files[1];
    if (start_child(&joiner, self_exe, L"getlist", L"join", FALSE, 2, args, NULL, 0))
    {
        get_process_id(joiner.pi.hProcess, &joiner.id);
        stop_child(&joiner);
    }

    /* The primary registers again after both: its registration goes after theirs and takes
     * nothing of theirs away. */
    ret = register_file(handle, missing);
    ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);

    ret = get_list(handle, &infos, &count, &reasons);
    ok(ret == ERROR_SUCCESS, "RmGetList: got %lu, expected 0\n", ret);
    ok(find_entry(infos, count, holder1.id.dwProcessId) != NULL,
       "the holder of the file registered in this process is not listed\n");
    ok(find_entry(infos, count, holder2.id.dwProcessId) != NULL,
       "the holder of the file registered by the child is not listed\n");
    free(infos);
    end_session(handle);
done:
    stop_child(&holder2);
    stop_child(&holder1);
    delete_temp_file(files[0]);
    delete_temp_file(files[1]);
}

/* Inno Setup registers files in calls of 1000. */
static void test_large_batch(void)
{
    WCHAR file[MAX_PATH], *names;
    LPCWSTR *batch;
    struct child child;
    DWORD handle, ret, start, i, j;

    make_temp_name(file, ARRAY_SIZE(file), L".dat");
    names = malloc(BATCH_CALLS * BATCH_SIZE * MAX_PATH * sizeof(WCHAR));
    batch = malloc((BATCH_SIZE + 1) * sizeof(*batch));
    if (!names || !batch)
    {
        skip("out of memory\n");
        goto done;
    }
    if (!launch_holder(&child, self_exe, file)) goto done;
    if (start_session(&handle))
    {
        start = GetTickCount();
        for (i = 0; i < BATCH_CALLS; i++)
        {
            for (j = 0; j < BATCH_SIZE; j++)
            {
                WCHAR *name = names + (i * BATCH_SIZE + j) * MAX_PATH;

                swprintf(name, MAX_PATH, L"%ls\\rmtest_getlist_%lx_missing\\file%05lu.dll", temp_dir,
                         GetCurrentProcessId(), i * BATCH_SIZE + j);
                batch[j] = name;
            }
            /* The held file goes with the last call. */
            if (i == BATCH_CALLS - 1) batch[j++] = file;
            ret = RmRegisterResources(handle, j, batch, 0, NULL, 0, NULL);
            ok(ret == ERROR_SUCCESS, "call %lu: RmRegisterResources: got %lu, expected 0\n", i, ret);
        }
        trace("registered %u files in %lu ms\n", BATCH_CALLS * BATCH_SIZE + 1, GetTickCount() - start);
        start = GetTickCount();
        check_listed(handle, &child.id, NULL);
        trace("RmGetList (sizing call and filling call) took %lu ms\n", GetTickCount() - start);
        end_session(handle);
    }
    stop_child(&child);
done:
    free(batch);
    free(names);
    delete_temp_file(file);
}

/* The 64-bit helper a 32-bit caller starts must end with that caller, however the caller
 * ends: one left behind keeps whatever it inherited (the caller's standard output, under
 * Wine), which hangs a script reading that output.  Starting it in a background thread at
 * registration, tried once for speed, left one behind when the caller exited while the thread
 * was still in CreateProcess (the README's "Speed of RmGetList" says more).  The child counts
 * its own helpers just before it exits, so a helper that was never started cannot pass for one
 * that ended. */
static unsigned int count_helpers(DWORD parent)
{
    PROCESSENTRY32W entry = { sizeof(entry) };
    unsigned int count = 0;
    HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);

    if (snapshot == INVALID_HANDLE_VALUE) return 0;
    if (Process32FirstW(snapshot, &entry))
    {
        do
        {
            if (entry.th32ParentProcessID == parent && !wcsicmp(entry.szExeFile, L"rmhelper64.exe")) count++;
        } while (Process32NextW(snapshot, &entry));
    }
    CloseHandle(snapshot);
    return count;
}

/* Whether helpers of the ended process pid are still running after up to timeout ms. */
static unsigned int helpers_left(DWORD pid, DWORD timeout)
{
    DWORD start = GetTickCount();
    unsigned int count;

    while ((count = count_helpers(pid)) && GetTickCount() - start < timeout) Sleep(50);
    return count;
}

/* Whether the DLL under test has a helper: ours looks beside itself, then in the native
 * system directory.  Windows' own DLL has none. */
static BOOL helper_installed(void)
{
    WCHAR path[MAX_PATH], *slash;
    HMODULE module = GetModuleHandleW(L"rstrtmgr.dll");
    void *redirect;
    DWORD attrs;

    if (module && GetModuleFileNameW(module, path, ARRAY_SIZE(path)) && (slash = wcsrchr(path, '\\')))
    {
        wcscpy(slash + 1, L"rmhelper64.exe");
        if (GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES) return TRUE;
    }
    GetWindowsDirectoryW(path, ARRAY_SIZE(path) - 32);
    wcscat(path, L"\\system32\\rmhelper64.exe");
    if (!Wow64DisableWow64FsRedirection(&redirect)) return FALSE;
    attrs = GetFileAttributesW(path);
    Wow64RevertWow64FsRedirection(redirect);
    return attrs != INVALID_FILE_ATTRIBUTES;
}

static void test_helper_ends_with_caller(void)
{
    static const WCHAR *modes[] = { L"list", L"register" };
    static const char *expected[] = { "helpers 1", "helpers 0" };
    struct child child;
    BOOL wow64 = FALSE;
    unsigned int i, round;
    char said[32];

    if (sizeof(void *) != 4 || !IsWow64Process(GetCurrentProcess(), &wow64) || !wow64)
    {
        skip("only a 32-bit caller on 64-bit Windows starts the 64-bit helper\n");
        return;
    }
    if (!helper_installed())
    {
        skip("no rmhelper64.exe: the DLL under test starts no helper\n");
        return;
    }
    for (i = 0; i < ARRAY_SIZE(modes); i++)
    {
        winetest_push_context("%s", wine_dbgstr_w(modes[i]));
        /* A few rounds: a helper left behind by an exit racing its start shows up in some. */
        for (round = 0; round < 3; round++)
        {
            if (!start_child(&child, self_exe, L"getlist", L"quickexit", FALSE, 1, &modes[i], NULL, 0)) break;
            finish_child(&child, FALSE);
            snprintf(said, sizeof(said), "%s", expected[i]);
            ok(child_said(&child, said), "round %u: the child did not say \"%s\"\n", round, said);
            ok(!helpers_left(child.pi.dwProcessId, 5000), "round %u: a helper of the ended caller is still running\n",
               round);
        }
        winetest_pop_context();
    }
}

/* ------------------------------------------------------------------ child modes */

static HANDLE child_open_quit(const char *name)
{
    HANDLE event = OpenEventA(SYNCHRONIZE, FALSE, name);

    ok(event != NULL, "OpenEventA(%s) failed, error %lu\n", name, GetLastError());
    return event;
}

static void child_wait_quit(HANDLE quit)
{
    DWORD ret = WaitForSingleObject(quit, CHILD_WAIT);

    ok(ret == WAIT_OBJECT_0, "waiting for the parent: got %lu\n", ret);
}

/* hold|share <quit event> <file>...: opens each file (creating it if needed) with share mode 0,
 * or sharing everything, and holds them until told to quit. */
static void child_hold(const char *event_name, int count, char **args, DWORD share)
{
    HANDLE quit, files[MAX_HELD_FILES];
    WCHAR path[MAX_PATH];
    int i, opened = 0;

    if (!(quit = child_open_quit(event_name))) return;
    for (i = 0; i < count && i < MAX_HELD_FILES; i++)
    {
        to_wide(args[i], path, ARRAY_SIZE(path));
        files[i] = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, share, NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
        ok(files[i] != INVALID_HANDLE_VALUE, "CreateFileW(%s) failed, error %lu\n", wine_dbgstr_w(path), GetLastError());
        if (files[i] == INVALID_HANDLE_VALUE) break;
        opened++;
    }
    if (opened == count) printf("ready\n");
    else printf("notready cannot open %s\n", args[opened]);
    child_wait_quit(quit);
    for (i = 0; i < opened; i++) CloseHandle(files[i]);
    CloseHandle(quit);
}

/* loaddll <quit event> <path>: copies a system DLL of this process's architecture to path and
 * loads it. */
static void child_loaddll(const char *event_name, const char *dest_arg)
{
    WCHAR src[MAX_PATH], dest[MAX_PATH], loaded[MAX_PATH];
    HMODULE module;
    HANDLE quit;
    BOOL ret;

    if (!(quit = child_open_quit(event_name))) return;
    to_wide(dest_arg, dest, ARRAY_SIZE(dest));
    GetSystemDirectoryW(src, ARRAY_SIZE(src));
    wcscat(src, L"\\version.dll");
    ret = CopyFileW(src, dest, FALSE);
    ok(ret, "CopyFileW(%s) failed, error %lu\n", wine_dbgstr_w(src), GetLastError());
    module = ret ? LoadLibraryW(dest) : NULL;
    ok(!ret || module != NULL, "LoadLibraryW(%s) failed, error %lu\n", wine_dbgstr_w(dest), GetLastError());
    if (module)
    {
        loaded[0] = 0;
        GetModuleFileNameW(module, loaded, ARRAY_SIZE(loaded));
        printf("loaded %s\n", wine_dbgstr_w(loaded));
        printf("ready\n");
    }
    else printf("notready cannot load the DLL\n");
    child_wait_quit(quit);
    if (module) FreeLibrary(module);
    CloseHandle(quit);
}

/* window <quit event> <file>: holds the file and shows a top-level window until told to quit. */
static void child_window(const char *event_name, const char *file_arg)
{
    WCHAR path[MAX_PATH];
    HANDLE quit, file;
    HWND hwnd;
    MSG msg;
    DWORD ret;

    if (!(quit = child_open_quit(event_name))) return;
    to_wide(file_arg, path, ARRAY_SIZE(path));
    file = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    ok(file != INVALID_HANDLE_VALUE, "CreateFileW(%s) failed, error %lu\n", wine_dbgstr_w(path), GetLastError());

    if ((hwnd = show_child_window(L"rmtest_getlist_class", DefWindowProcW, window_title, file))) printf("ready\n");

    for (;;)
    {
        ret = MsgWaitForMultipleObjects(1, &quit, FALSE, CHILD_WAIT, QS_ALLINPUT);
        if (ret != WAIT_OBJECT_0 + 1) break;
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE))
        {
            TranslateMessage(&msg);
            DispatchMessageW(&msg);
        }
    }
    ok(ret == WAIT_OBJECT_0, "waiting for the parent: got %lu\n", ret);
    if (hwnd) DestroyWindow(hwnd);
    if (file != INVALID_HANDLE_VALUE) CloseHandle(file);
    CloseHandle(quit);
}

/* join <key> <file>: registers the file through a secondary and leaves. */
static void child_join(const char *key_arg, const char *file_arg)
{
    WCHAR key[KEY_BUFFER], path[MAX_PATH];
    DWORD ret, handle;

    memset(key, 0, sizeof(key));
    MultiByteToWideChar(CP_ACP, 0, key_arg, -1, key, KEY_BUFFER - 1);
    to_wide(file_arg, path, ARRAY_SIZE(path));

    handle = NO_SESSION;
    ret = RmJoinSession(&handle, key);
    ok(ret == ERROR_SUCCESS, "RmJoinSession(%s): got %lu, expected 0\n", wine_dbgstr_w(key), ret);
    if (ret) return;
    ret = register_file(handle, path);
    ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);
    check_secondary_refused(handle, FALSE);
    ret = RmEndSession(handle);
    ok(ret == ERROR_SUCCESS, "RmEndSession: got %lu, expected 0\n", ret);
}

/* service <name>: this program as a service that runs until it is stopped.  Its output goes
 * nowhere, so it does not test anything itself. */
static SERVICE_STATUS_HANDLE service_status_handle;
static HANDLE service_stop;
static WCHAR service_name[64];

static void set_service_state(DWORD state)
{
    SERVICE_STATUS status;

    memset(&status, 0, sizeof(status));
    status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    status.dwCurrentState = state;
    status.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP : 0;
    SetServiceStatus(service_status_handle, &status);
}

static DWORD WINAPI service_handler(DWORD control, DWORD type, void *data, void *context)
{
    switch (control)
    {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
        set_service_state(SERVICE_STOP_PENDING);
        SetEvent(service_stop);
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR;
    }
    return ERROR_CALL_NOT_IMPLEMENTED;
}

static void WINAPI service_main(DWORD argc, LPWSTR *argv)
{
    if (!(service_status_handle = RegisterServiceCtrlHandlerExW(service_name, service_handler, NULL))) return;
    set_service_state(SERVICE_RUNNING);
    WaitForSingleObject(service_stop, CHILD_WAIT);
    set_service_state(SERVICE_STOPPED);
}

/* quickexit list|register: registers its own executable, so that RmGetList must read every
 * module list (a 32-bit caller's helper reads the 64-bit ones), says how many helpers of its
 * own are running ("list": after one RmGetList; "register": right after registering), and
 * exits without ending the session. */
static void child_quick_exit(const char *mode)
{
    RM_PROCESS_INFO infos[8];
    UINT needed = 0, count = ARRAY_SIZE(infos);
    const WCHAR *names[1] = { self_exe };
    DWORD handle, reasons, ret;

    if (!start_session(&handle)) return;
    ret = RmRegisterResources(handle, 1, names, 0, NULL, 0, NULL);
    ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);
    if (!strcmp(mode, "list"))
    {
        ret = RmGetList(handle, &needed, &count, infos, &reasons);
        ok(ret == ERROR_SUCCESS, "RmGetList: got %lu, expected 0\n", ret);
    }
    printf("helpers %u\n", count_helpers(GetCurrentProcessId()));
    fflush(stdout);
    ExitProcess(winetest_get_failures());
}

static void child_service(const char *name)
{
    run_service_child(name, service_name, ARRAY_SIZE(service_name), service_main, &service_stop);
}

START_TEST(getlist)
{
    struct unit_args args = get_unit_args(self_exe);
    BOOL ret;

    get_process_id(GetCurrentProcess(), &self_id);
    ret = init_temp_dir(L"getlist");
    ok(ret, "GetTempPathW failed, error %lu\n", GetLastError());

    if (args.argc >= 3)
    {
        if (!strcmp(args.argv[2], "hold") && args.argc >= 4) child_hold(args.argv[3], args.argc - 4, args.argv + 4, 0);
        else if (!strcmp(args.argv[2], "share") && args.argc >= 4)
            child_hold(args.argv[3], args.argc - 4, args.argv + 4, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE);
        else if (!strcmp(args.argv[2], "loaddll") && args.argc >= 5) child_loaddll(args.argv[3], args.argv[4]);
        else if (!strcmp(args.argv[2], "window") && args.argc >= 5) child_window(args.argv[3], args.argv[4]);
        else if (!strcmp(args.argv[2], "join") && args.argc >= 5) child_join(args.argv[3], args.argv[4]);
        else if (!strcmp(args.argv[2], "console")) child_console();
        else if (!strcmp(args.argv[2], "service") && args.argc >= 4) child_service(args.argv[3]);
        else if (!strcmp(args.argv[2], "quickexit") && args.argc >= 4) child_quick_exit(args.argv[3]);
        else ok(0, "unknown child mode %s\n", args.argv[2]);
        return;
    }

    trace_loaded_dll();
    trace("temp directory %s\n", wine_dbgstr_w(temp_dir));

    test_more_data();
    test_more_data_two_lockers();
    test_one_entry_per_process();
    test_nonexistent_file();
    test_directory();
    test_device_names();
    test_denied_file();
    test_unopenable_files();
    test_nothing_locked();
    test_self();
    test_path_spelling();
    test_modules();
    test_other_arch();
    test_registered_process();
    test_window_app();
    test_console_app();
    test_name_without_description();
    test_service();
    test_own_service();
    test_join_secondary();
    test_large_batch();
    test_helper_ends_with_caller();
}
