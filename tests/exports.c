/*
 * Restart Manager export, ABI and header layout tests
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
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <windows.h>
#include <restartmanager.h>

#include "wine/test.h"
#include "rmtest.h"

static HMODULE rstrtmgr;

/* The exports of rstrtmgr.dll with their x86 stdcall argument sizes. RmReserveHeap is
 * undocumented and is never called here. */
static const struct
{
    const char *name;
    unsigned int arg_bytes;
}
exports[] =
{
    { "RmAddFilter", 20 },
    { "RmCancelCurrentTask", 4 },
    { "RmEndSession", 4 },
    { "RmGetFilterList", 16 },
    { "RmGetList", 20 },
    { "RmJoinSession", 8 },
    { "RmRegisterResources", 28 },
    { "RmRemoveFilter", 16 },
    { "RmReserveHeap", 4 },
    { "RmRestart", 12 },
    { "RmShutdown", 12 },
    { "RmStartSession", 12 },
};

static void test_exports(void)
{
    char decorated[64];
    unsigned int i;
    FARPROC proc;

    for (i = 0; i < ARRAY_SIZE(exports); i++)
    {
        winetest_push_context("%s", exports[i].name);

        proc = GetProcAddress(rstrtmgr, exports[i].name);
        ok(proc != NULL, "not exported, error %lu\n", GetLastError());

        /* stdcall decorations exist only in the import library. */
        snprintf(decorated, sizeof(decorated), "%s@%u", exports[i].name, exports[i].arg_bytes);
        proc = GetProcAddress(rstrtmgr, decorated);
        ok(proc == NULL, "%s is exported\n", decorated);
        snprintf(decorated, sizeof(decorated), "_%s@%u", exports[i].name, exports[i].arg_bytes);
        proc = GetProcAddress(rstrtmgr, decorated);
        ok(proc == NULL, "%s is exported\n", decorated);

        winetest_pop_context();
    }
}

/* Walks the export directory of the loaded image. */
static void test_export_directory(void)
{
    const IMAGE_DOS_HEADER *dos = (const IMAGE_DOS_HEADER *)rstrtmgr;
    const IMAGE_NT_HEADERS *nt;
    const IMAGE_EXPORT_DIRECTORY *dir;
    const IMAGE_DATA_DIRECTORY *data;
    const BYTE *base = (const BYTE *)rstrtmgr;
    const DWORD *names;
    unsigned int i, j, known = 0;
    const char *name;

    ok(dos->e_magic == IMAGE_DOS_SIGNATURE, "got DOS magic %#x\n", dos->e_magic);
    if (dos->e_magic != IMAGE_DOS_SIGNATURE) return;
    nt = (const IMAGE_NT_HEADERS *)(base + dos->e_lfanew);
    ok(nt->Signature == IMAGE_NT_SIGNATURE, "got NT signature %#lx\n", nt->Signature);
    if (nt->Signature != IMAGE_NT_SIGNATURE) return;
    ok(nt->OptionalHeader.Magic == IMAGE_NT_OPTIONAL_HDR_MAGIC, "got optional header magic %#x\n",
       nt->OptionalHeader.Magic);
    if (nt->OptionalHeader.Magic != IMAGE_NT_OPTIONAL_HDR_MAGIC) return;

    data = &nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_EXPORT];
    ok(data->VirtualAddress && data->Size, "no export directory\n");
    if (!data->VirtualAddress || !data->Size) return;
    dir = (const IMAGE_EXPORT_DIRECTORY *)(base + data->VirtualAddress);
    names = (const DWORD *)(base + dir->AddressOfNames);
    trace("%lu named exports, %lu functions\n", dir->NumberOfNames, dir->NumberOfFunctions);

    for (i = 0; i < dir->NumberOfNames; i++)
    {
        name = (const char *)(base + names[i]);
        ok(!strchr(name, '@'), "decorated export name %s\n", name);
        for (j = 0; j < ARRAY_SIZE(exports); j++)
            if (!strcmp(name, exports[j].name)) break;
        if (j < ARRAY_SIZE(exports)) known++;
        else trace("additional export %s\n", name);
    }
    ok(known == ARRAY_SIZE(exports), "found %u of the %u known names\n", known, (UINT)ARRAY_SIZE(exports));
}

#ifndef TYPE_ALIGNMENT
#define TYPE_ALIGNMENT(type) offsetof(struct { char c; type t; }, t)
#endif

static void test_structures(void)
{
    /* RM_UNIQUE_PROCESS: identical on all architectures. */
    ok(sizeof(RM_UNIQUE_PROCESS) == 12, "RM_UNIQUE_PROCESS: got size %u\n", (UINT)sizeof(RM_UNIQUE_PROCESS));
    ok(TYPE_ALIGNMENT(RM_UNIQUE_PROCESS) == 4, "RM_UNIQUE_PROCESS: got alignment %u\n",
       (UINT)TYPE_ALIGNMENT(RM_UNIQUE_PROCESS));
    ok(offsetof(RM_UNIQUE_PROCESS, dwProcessId) == 0, "dwProcessId: got offset %u\n",
       (UINT)offsetof(RM_UNIQUE_PROCESS, dwProcessId));
    ok(offsetof(RM_UNIQUE_PROCESS, ProcessStartTime) == 4, "ProcessStartTime: got offset %u\n",
       (UINT)offsetof(RM_UNIQUE_PROCESS, ProcessStartTime));

    /* RM_PROCESS_INFO: identical on all architectures. */
    ok(sizeof(RM_PROCESS_INFO) == 668, "RM_PROCESS_INFO: got size %u\n", (UINT)sizeof(RM_PROCESS_INFO));
    ok(offsetof(RM_PROCESS_INFO, Process) == 0, "Process: got offset %u\n",
       (UINT)offsetof(RM_PROCESS_INFO, Process));
    ok(offsetof(RM_PROCESS_INFO, strAppName) == 12, "strAppName: got offset %u\n",
       (UINT)offsetof(RM_PROCESS_INFO, strAppName));
    ok(offsetof(RM_PROCESS_INFO, strServiceShortName) == 524, "strServiceShortName: got offset %u\n",
       (UINT)offsetof(RM_PROCESS_INFO, strServiceShortName));
    ok(offsetof(RM_PROCESS_INFO, ApplicationType) == 652, "ApplicationType: got offset %u\n",
       (UINT)offsetof(RM_PROCESS_INFO, ApplicationType));
    ok(offsetof(RM_PROCESS_INFO, AppStatus) == 656, "AppStatus: got offset %u\n",
       (UINT)offsetof(RM_PROCESS_INFO, AppStatus));
    ok(offsetof(RM_PROCESS_INFO, TSSessionId) == 660, "TSSessionId: got offset %u\n",
       (UINT)offsetof(RM_PROCESS_INFO, TSSessionId));
    ok(offsetof(RM_PROCESS_INFO, bRestartable) == 664, "bRestartable: got offset %u\n",
       (UINT)offsetof(RM_PROCESS_INFO, bRestartable));

    /* RM_FILTER_INFO: the union holds pointers, so it follows the pointer size. */
    ok(sizeof(RM_FILTER_INFO) == (sizeof(void *) == 8 ? 32 : 24), "RM_FILTER_INFO: got size %u\n",
       (UINT)sizeof(RM_FILTER_INFO));
    ok(TYPE_ALIGNMENT(RM_FILTER_INFO) == sizeof(void *), "RM_FILTER_INFO: got alignment %u\n",
       (UINT)TYPE_ALIGNMENT(RM_FILTER_INFO));
    ok(offsetof(RM_FILTER_INFO, FilterAction) == 0, "FilterAction: got offset %u\n",
       (UINT)offsetof(RM_FILTER_INFO, FilterAction));
    ok(offsetof(RM_FILTER_INFO, FilterTrigger) == 4, "FilterTrigger: got offset %u\n",
       (UINT)offsetof(RM_FILTER_INFO, FilterTrigger));
    ok(offsetof(RM_FILTER_INFO, cbNextOffset) == 8, "cbNextOffset: got offset %u\n",
       (UINT)offsetof(RM_FILTER_INFO, cbNextOffset));
    ok(offsetof(RM_FILTER_INFO, strFilename) == (sizeof(void *) == 8 ? 16 : 12),
       "strFilename: got offset %u\n", (UINT)offsetof(RM_FILTER_INFO, strFilename));
    ok(offsetof(RM_FILTER_INFO, Process) == offsetof(RM_FILTER_INFO, strFilename), "Process: got offset %u\n",
       (UINT)offsetof(RM_FILTER_INFO, Process));
    ok(offsetof(RM_FILTER_INFO, strServiceShortName) == offsetof(RM_FILTER_INFO, strFilename),
       "strServiceShortName: got offset %u\n", (UINT)offsetof(RM_FILTER_INFO, strServiceShortName));

    /* The enumerations are plain 4-byte ints. */
    ok(sizeof(RM_APP_TYPE) == 4, "RM_APP_TYPE: got size %u\n", (UINT)sizeof(RM_APP_TYPE));
    ok(sizeof(RM_APP_STATUS) == 4, "RM_APP_STATUS: got size %u\n", (UINT)sizeof(RM_APP_STATUS));
    ok(sizeof(RM_SHUTDOWN_TYPE) == 4, "RM_SHUTDOWN_TYPE: got size %u\n", (UINT)sizeof(RM_SHUTDOWN_TYPE));
    ok(sizeof(RM_REBOOT_REASON) == 4, "RM_REBOOT_REASON: got size %u\n", (UINT)sizeof(RM_REBOOT_REASON));
    ok(sizeof(RM_FILTER_TRIGGER) == 4, "RM_FILTER_TRIGGER: got size %u\n", (UINT)sizeof(RM_FILTER_TRIGGER));
    ok(sizeof(RM_FILTER_ACTION) == 4, "RM_FILTER_ACTION: got size %u\n", (UINT)sizeof(RM_FILTER_ACTION));
}

#define check_value(value, expected) check_value_(__FILE__, __LINE__, #value, value, expected)
static void check_value_(const char *file, int line, const char *name, LONGLONG value, LONGLONG expected)
{
    ok_(file, line)(value == expected, "%s: got %s, expected %s\n", name,
                    wine_dbgstr_longlong(value), wine_dbgstr_longlong(expected));
}

static void test_constants(void)
{
    check_value(RM_SESSION_KEY_LEN, 16);
    check_value(CCH_RM_SESSION_KEY, 32);
    check_value(CCH_RM_MAX_APP_NAME, 255);
    check_value(CCH_RM_MAX_SVC_NAME, 63);
    check_value(RM_INVALID_TS_SESSION, -1);
    check_value(RM_INVALID_PROCESS, -1);

    check_value(RmUnknownApp, 0);
    check_value(RmMainWindow, 1);
    check_value(RmOtherWindow, 2);
    check_value(RmService, 3);
    check_value(RmExplorer, 4);
    check_value(RmConsole, 5);
    check_value(RmCritical, 1000);

    check_value(RmForceShutdown, 0x1);
    check_value(RmShutdownOnlyRegistered, 0x10);

    check_value(RmStatusUnknown, 0x0);
    check_value(RmStatusRunning, 0x1);
    check_value(RmStatusStopped, 0x2);
    check_value(RmStatusStoppedOther, 0x4);
    check_value(RmStatusRestarted, 0x8);
    check_value(RmStatusErrorOnStop, 0x10);
    check_value(RmStatusErrorOnRestart, 0x20);
    check_value(RmStatusShutdownMasked, 0x40);
    check_value(RmStatusRestartMasked, 0x80);

    check_value(RmRebootReasonNone, 0x0);
    check_value(RmRebootReasonPermissionDenied, 0x1);
    check_value(RmRebootReasonSessionMismatch, 0x2);
    check_value(RmRebootReasonCriticalProcess, 0x4);
    check_value(RmRebootReasonCriticalService, 0x8);
    check_value(RmRebootReasonDetectedSelf, 0x10);

    check_value(RmFilterTriggerInvalid, 0);
    check_value(RmFilterTriggerFile, 1);
    check_value(RmFilterTriggerProcess, 2);
    check_value(RmFilterTriggerService, 3);

    check_value(RmInvalidFilterAction, 0);
    check_value(RmNoRestart, 1);
    check_value(RmNoShutdown, 2);
}

#ifdef __i386__

static void test_stdcall_stack(void)
{
    static const struct
    {
        const char *name;
        DWORD args[7];
        DWORD expect;   /* 0: any failure code */
    }
    tests[] =
    {
        /* NULL pSessionHandle / strSessionKey */
        { "RmStartSession", { 0, 0, 0 }, ERROR_BAD_ARGUMENTS },
        { "RmJoinSession", { 0, 0 }, ERROR_BAD_ARGUMENTS },
        { "RmEndSession", { NO_SESSION }, ERROR_INVALID_HANDLE },
        { "RmRegisterResources", { NO_SESSION, 0, 0, 0, 0, 0, 0 }, ERROR_INVALID_HANDLE },
        /* invalid handle and NULL pointers: the order of the checks is unknown */
        { "RmGetList", { NO_SESSION, 0, 0, 0, 0 }, 0 },
        { "RmShutdown", { NO_SESSION, 0, 0 }, ERROR_INVALID_HANDLE },
        { "RmRestart", { NO_SESSION, 0, 0 }, ERROR_INVALID_HANDLE },
        { "RmCancelCurrentTask", { NO_SESSION }, ERROR_INVALID_HANDLE },
        { "RmAddFilter", { NO_SESSION, 0, 0, 0, 0 }, 0 },
        { "RmRemoveFilter", { NO_SESSION, 0, 0, 0 }, 0 },
        { "RmGetFilterList", { NO_SESSION, 0, 0, 0 }, 0 },
    };
    DWORD (WINAPI *pRmEndSession)(DWORD);
    struct stdcall_probe probe;
    unsigned int i, j, mismatches = 0;
    DWORD ret, first = 0;

    ok(offsetof(struct stdcall_probe, ret) == 40 && offsetof(struct stdcall_probe, delta) == 44,
       "unexpected probe layout\n");

    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        winetest_push_context("%s", tests[i].name);
        for (j = 0; j < ARRAY_SIZE(exports); j++)
            if (!strcmp(exports[j].name, tests[i].name)) break;
        memset(&probe, 0, sizeof(probe));
        probe.func = (void *)GetProcAddress(rstrtmgr, tests[i].name);
        ok(probe.func != NULL, "not exported\n");
        if (probe.func && j < ARRAY_SIZE(exports))
        {
            probe.nargs = exports[j].arg_bytes / sizeof(DWORD);
            memcpy(probe.args, tests[i].args, sizeof(tests[i].args));
            probe.ret = 0xdeadbeef;
            probe.delta = 0x7fffffff;
            call_stdcall_probe(&probe);
            ok(probe.delta == 0, "ESP off by %ld bytes after a %u-byte call\n", probe.delta,
               exports[j].arg_bytes);
            if (tests[i].expect)
                ok(probe.ret == tests[i].expect, "got %lu, expected %lu\n", probe.ret, tests[i].expect);
            else
                ok(probe.ret != ERROR_SUCCESS && probe.ret != 0xdeadbeef, "got %lu\n", probe.ret);
        }
        winetest_pop_context();
    }

    /* Many calls through an ordinary stdcall pointer: an unbalanced callee would exhaust or
     * corrupt the stack long before the loop ends. */
    pRmEndSession = (void *)GetProcAddress(rstrtmgr, "RmEndSession");
    if (!pRmEndSession) return;
    for (i = 0; i < 10000; i++)
    {
        ret = pRmEndSession(NO_SESSION);
        if (ret != ERROR_INVALID_HANDLE && !mismatches++) first = ret;
    }
    ok(!mismatches, "%u of 10000 calls did not return 6, first got %lu\n", mismatches, first);

    memset(&probe, 0, sizeof(probe));
    probe.func = (void *)pRmEndSession;
    probe.nargs = 1;
    probe.args[0] = NO_SESSION;
    probe.delta = 0x7fffffff;
    call_stdcall_probe(&probe);
    ok(probe.delta == 0, "RmEndSession: ESP off by %ld bytes after 10000 calls\n", probe.delta);
}

#endif  /* __i386__ */

START_TEST(exports)
{
    rstrtmgr = LoadLibraryW(L"rstrtmgr.dll");
    ok(rstrtmgr != NULL, "LoadLibraryW failed, error %lu\n", GetLastError());
    trace_loaded_dll();

    test_structures();
    test_constants();
    if (!rstrtmgr) return;

    test_exports();
    test_export_directory();
#ifdef __i386__
    test_stdcall_stack();
#endif

    FreeLibrary(rstrtmgr);
}
