/*
 * rmtool: the command-line face of the Restart Manager
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

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <windows.h>
#include <restartmanager.h>

#include "rstrtmgr_compat.h"
#include "storeview.h"

/* Exit codes of every command. */
#define EXIT_NOBODY 0
#define EXIT_IN_USE 1
#define EXIT_ERROR  2

static void usage(void)
{
    fprintf(stderr,
            "usage: rmtool COMMAND [ARGS]\n"
            "  list [--json] FILE...       who uses these files (exit 0: nobody, 1: in use, 2: error)\n"
            "  close [--force] [--restart] FILE...\n"
            "                              close what uses these files (and start it again);\n"
            "                              exit 0: closed (or nobody), 1: something stayed, 2: error\n"
            "  sessions                    every Restart Manager session of this user\n"
            "  demo [--partner EXE] FILE   start a session, let a second process (EXE, e.g. the\n"
            "                              other architecture's rmtool) join it and register FILE\n"
            "  join-register KEY FILE...   join the session KEY, register FILEs, leave\n");
}

static const char *error_name(DWORD code)
{
    switch (code)
    {
    case ERROR_SUCCESS: return "ERROR_SUCCESS";
    case ERROR_FILE_NOT_FOUND: return "ERROR_FILE_NOT_FOUND";
    case ERROR_ACCESS_DENIED: return "ERROR_ACCESS_DENIED";
    case ERROR_INVALID_HANDLE: return "ERROR_INVALID_HANDLE";
    case ERROR_OUTOFMEMORY: return "ERROR_OUTOFMEMORY";
    case ERROR_WRITE_FAULT: return "ERROR_WRITE_FAULT";
    case ERROR_SEM_TIMEOUT: return "ERROR_SEM_TIMEOUT";
    case ERROR_BAD_ARGUMENTS: return "ERROR_BAD_ARGUMENTS";
    case ERROR_MORE_DATA: return "ERROR_MORE_DATA";
    case ERROR_FAIL_NOACTION_REBOOT: return "ERROR_FAIL_NOACTION_REBOOT";
    case ERROR_FAIL_SHUTDOWN: return "ERROR_FAIL_SHUTDOWN";
    case ERROR_FAIL_RESTART: return "ERROR_FAIL_RESTART";
    case ERROR_MAX_SESSIONS_REACHED: return "ERROR_MAX_SESSIONS_REACHED";
    case ERROR_REQUEST_OUT_OF_SEQUENCE: return "ERROR_REQUEST_OUT_OF_SEQUENCE";
    case ERROR_SESSION_CREDENTIAL_CONFLICT: return "ERROR_SESSION_CREDENTIAL_CONFLICT";
    case ERROR_CANCELLED: return "ERROR_CANCELLED";
    default: return "error";
    }
}

static int report_error(const char *what, DWORD code)
{
    fprintf(stderr, "rmtool: %s failed: %lu (%s)\n", what, code, error_name(code));
    return EXIT_ERROR;
}

/* Make paths absolute: the Restart Manager wants full paths, people type relative ones. */
static WCHAR **full_paths(int count, WCHAR **names)
{
    WCHAR **paths = calloc(count, sizeof(*paths));
    int i;

    if (!paths) return NULL;
    for (i = 0; i < count; i++)
    {
        DWORD len = GetFullPathNameW(names[i], 0, NULL, NULL);

        if (!len || !(paths[i] = malloc(len * sizeof(WCHAR)))) return NULL;
        GetFullPathNameW(names[i], len, paths[i], NULL);
    }
    return paths;
}

/* ------------------------------------------------------------------ list */

static const char *app_type_name(RM_APP_TYPE type)
{
    switch (type)
    {
    case RmUnknownApp: return "unknown";
    case RmMainWindow: return "window";
    case RmOtherWindow: return "other-window";
    case RmService: return "service";
    case RmExplorer: return "explorer";
    case RmConsole: return "console";
    case RmCritical: return "critical";
    default: return "?";
    }
}

static void print_reasons(DWORD reasons, BOOL json)
{
    static const struct { DWORD bit; const char *name; } names[] =
    {
        { RmRebootReasonPermissionDenied, "permission-denied" },
        { RmRebootReasonSessionMismatch, "session-mismatch" },
        { RmRebootReasonCriticalProcess, "critical-process" },
        { RmRebootReasonCriticalService, "critical-service" },
        { RmRebootReasonDetectedSelf, "detected-self" },
    };
    const char *sep = "";
    unsigned int i;

    for (i = 0; i < ARRAYSIZE(names); i++)
    {
        if (!(reasons & names[i].bit)) continue;
        printf(json ? "%s\"%s\"" : "%s%s", sep, names[i].name);
        sep = json ? ", " : " ";
    }
    if (!json && !reasons) printf("none");
}

static void print_json_string(const WCHAR *str)
{
    putchar('"');
    for (; *str; str++)
    {
        if (*str == '"' || *str == '\\') printf("\\%c", (char)*str);
        else if (*str < 0x20 || *str > 0x7e) printf("\\u%04x", *str);
        else putchar((char)*str);
    }
    putchar('"');
}

/* The Restart Manager's list for some files, with the documented retry loop: the list can
 * grow between the call that sizes the buffer and the one that fills it. */
static DWORD get_list(DWORD handle, RM_PROCESS_INFO **infos, UINT *count, DWORD *reasons)
{
    UINT needed = 0, capacity = 0;
    DWORD ret;
    int tries;

    *infos = NULL;
    for (tries = 0; tries < 5; tries++)
    {
        *count = capacity;
        ret = RmGetList(handle, &needed, count, *infos, reasons);
        if (ret != ERROR_MORE_DATA) return ret;
        free(*infos);
        capacity = needed + 4;
        if (!(*infos = calloc(capacity, sizeof(**infos)))) return ERROR_OUTOFMEMORY;
    }
    return ret;
}

static int cmd_list(int argc, WCHAR **argv)
{
    WCHAR key[CCH_RM_SESSION_KEY + 1], **paths;
    RM_PROCESS_INFO *infos;
    DWORD handle, reasons = 0, ret;
    BOOL json = FALSE;
    UINT count = 0, i;
    int nfiles = 0;

    if (argc && !wcscmp(argv[0], L"--json"))
    {
        json = TRUE;
        argc--;
        argv++;
    }
    if (!argc)
    {
        usage();
        return EXIT_ERROR;
    }
    nfiles = argc;
    if (!(paths = full_paths(nfiles, argv))) return report_error("allocating", ERROR_OUTOFMEMORY);

    if ((ret = RmStartSession(&handle, 0, key))) return report_error("RmStartSession", ret);
    if ((ret = RmRegisterResources(handle, nfiles, (const WCHAR **)paths, 0, NULL, 0, NULL)))
    {
        RmEndSession(handle);
        return report_error("RmRegisterResources", ret);
    }
    ret = get_list(handle, &infos, &count, &reasons);
    RmEndSession(handle);
    if (ret) return report_error("RmGetList", ret);

    if (json)
    {
        printf("{\"processes\": [");
        for (i = 0; i < count; i++)
        {
            printf("%s\n  {\"pid\": %lu, \"type\": \"%s\", \"name\": ", i ? "," : "",
                   infos[i].Process.dwProcessId, app_type_name(infos[i].ApplicationType));
            print_json_string(infos[i].strAppName);
            printf(", \"service\": ");
            print_json_string(infos[i].strServiceShortName);
            printf(", \"session\": %ld, \"status\": %lu, \"restartable\": %s}",
                   (LONG)infos[i].TSSessionId, infos[i].AppStatus, infos[i].bRestartable ? "true" : "false");
        }
        printf("%s], \"reboot_reasons\": [", count ? "\n" : "");
        print_reasons(reasons, TRUE);
        printf("]}\n");
    }
    else if (!count)
        printf("no process uses %s\n", nfiles == 1 ? "this file" : "these files");
    else
    {
        printf("%8s  %-12s %-11s %s\n", "PID", "type", "restartable", "name");
        for (i = 0; i < count; i++)
            printf("%8lu  %-12s %-11s %ls%s%ls%s\n", infos[i].Process.dwProcessId,
                   app_type_name(infos[i].ApplicationType), infos[i].bRestartable ? "yes" : "no",
                   infos[i].strAppName, infos[i].strServiceShortName[0] ? " (service " : "",
                   infos[i].strServiceShortName, infos[i].strServiceShortName[0] ? ")" : "");
        printf("reboot reasons: ");
        print_reasons(reasons, FALSE);
        printf("\n");
    }
    free(infos);
    return count ? EXIT_IN_USE : EXIT_NOBODY;
}

/* ------------------------------------------------------------------ close */

/* The status callback: a progress bar on standard error. */
static void __cdecl draw_progress(UINT percent)
{
    char bar[41];
    UINT i, filled = percent * 40 / 100;

    for (i = 0; i < 40; i++) bar[i] = i < filled ? '#' : '.';
    bar[40] = 0;
    fprintf(stderr, "\r  [%s] %3u%%%s", bar, percent, percent >= 100 ? "\n" : "");
    fflush(stderr);
}

static const char *status_text(ULONG status)
{
    if (status & RmStatusErrorOnRestart) return "could not be restarted";
    if (status & RmStatusRestarted) return "restarted";
    if (status & RmStatusErrorOnStop) return "could not be closed";
    if (status & RmStatusShutdownMasked) return "left running (filtered)";
    if (status & RmStatusStopped) return "closed";
    if (status & RmStatusStoppedOther) return "ended by itself";
    if (status & RmStatusRunning) return "running";
    return "unknown";
}

static void print_statuses(DWORD handle)
{
    RM_PROCESS_INFO *infos;
    DWORD reasons;
    UINT count, i;

    if (get_list(handle, &infos, &count, &reasons)) return;
    for (i = 0; i < count; i++)
        printf("%8lu  %-12s %-24s %ls\n", infos[i].Process.dwProcessId, app_type_name(infos[i].ApplicationType),
               status_text(infos[i].AppStatus), infos[i].strAppName);
    free(infos);
}

static int cmd_close(int argc, WCHAR **argv)
{
    WCHAR key[CCH_RM_SESSION_KEY + 1], **paths;
    RM_PROCESS_INFO *infos;
    BOOL force = FALSE, restart = FALSE;
    DWORD handle, reasons = 0, ret;
    UINT count = 0;
    int code = EXIT_NOBODY;

    for (; argc && argv[0][0] == '-'; argc--, argv++)
    {
        if (!wcscmp(argv[0], L"--force")) force = TRUE;
        else if (!wcscmp(argv[0], L"--restart")) restart = TRUE;
        else
        {
            usage();
            return EXIT_ERROR;
        }
    }
    if (!argc)
    {
        usage();
        return EXIT_ERROR;
    }
    if (!(paths = full_paths(argc, argv))) return report_error("allocating", ERROR_OUTOFMEMORY);
    if ((ret = RmStartSession(&handle, 0, key))) return report_error("RmStartSession", ret);
    if ((ret = RmRegisterResources(handle, argc, (const WCHAR **)paths, 0, NULL, 0, NULL)))
    {
        RmEndSession(handle);
        return report_error("RmRegisterResources", ret);
    }
    if ((ret = get_list(handle, &infos, &count, &reasons)))
    {
        RmEndSession(handle);
        return report_error("RmGetList", ret);
    }
    free(infos);
    if (!count)
    {
        printf("no process uses %s\n", argc == 1 ? "this file" : "these files");
        RmEndSession(handle);
        return EXIT_NOBODY;
    }

    printf("closing %u application(s)%s\n", count, force ? " (forced)" : "");
    ret = RmShutdown(handle, force ? RmForceShutdown : 0, draw_progress);
    if (ret == ERROR_FAIL_NOACTION_REBOOT)
    {
        printf("nothing closed: a reboot would be needed (reboot reasons: ");
        print_reasons(reasons, FALSE);
        printf(")\n");
        code = EXIT_IN_USE;
    }
    else if (ret == ERROR_FAIL_SHUTDOWN)
    {
        printf("some applications could not be closed%s\n", force ? "" : " (try --force)");
        code = EXIT_IN_USE;
    }
    else if (ret) code = report_error("RmShutdown", ret);

    if (restart && (!ret || ret == ERROR_FAIL_SHUTDOWN))
    {
        printf("restarting\n");
        if ((ret = RmRestart(handle, 0, draw_progress)) && ret != ERROR_FAIL_RESTART)
            code = report_error("RmRestart", ret);
        else if (ret) printf("some applications could not be restarted\n");
    }
    print_statuses(handle);
    RmEndSession(handle);
    return code;
}

/* ------------------------------------------------------------------ sessions */

static int cmd_sessions(void)
{
    HKEY root;
    DWORD index, found = 0;
    WCHAR name[64];

    if (RegOpenKeyExW(HKEY_CURRENT_USER, L"Software\\Microsoft\\RestartManager", 0, KEY_READ, &root))
    {
        printf("no sessions\n");
        return EXIT_NOBODY;
    }
    printf("%-12s %8s %-6s %6s %6s %6s %8s\n", "slot", "owner", "alive", "files", "procs", "svcs", "sequence");
    for (index = 0;; index++)
    {
        DWORD name_len = ARRAYSIZE(name), type, size, sequence = 0;
        RM_UNIQUE_PROCESS owner;
        BOOL have_owner;
        HKEY key;

        if (RegEnumKeyExW(root, index, name, &name_len, NULL, NULL, NULL, NULL)) break;
        if (RegOpenKeyExW(root, name, 0, KEY_READ, &key)) continue;
        size = sizeof(owner);
        have_owner = !RegQueryValueExW(key, L"Owner", NULL, &type, (BYTE *)&owner, &size)
                     && type == REG_BINARY && size == sizeof(owner);
        size = sizeof(sequence);
        RegQueryValueExW(key, L"Sequence", NULL, NULL, (BYTE *)&sequence, &size);
        if (have_owner)
            printf("%-12ls %8lu %-6s %6u %6u %6u %8lu\n", name, owner.dwProcessId,
                   store_owner_alive(&owner, NULL) ? "yes" : "no", store_count_strings(key, L"RegFiles"),
                   store_count_strings(key, L"RegProcs"), store_count_strings(key, L"RegSvcs"), sequence);
        else
            printf("%-12ls %8s %-6s (no valid Owner value)\n", name, "-", "-");
        RegCloseKey(key);
        found++;
    }
    RegCloseKey(root);
    printf("%lu session key(s)\n", found);
    return EXIT_NOBODY;
}

/* ------------------------------------------------------------------ demo */

static int cmd_join_register(int argc, WCHAR **argv)
{
    WCHAR **paths;
    DWORD handle, ret;

    if (argc < 2)
    {
        usage();
        return EXIT_ERROR;
    }
    if ((ret = RmJoinSession(&handle, argv[0]))) return report_error("RmJoinSession", ret);
    printf("[%s process %lu] joined as handle %lu\n", sizeof(void *) == 8 ? "64-bit" : "32-bit",
           GetCurrentProcessId(), handle);
    if (!(paths = full_paths(argc - 1, argv + 1))) return report_error("allocating", ERROR_OUTOFMEMORY);
    if ((ret = RmRegisterResources(handle, argc - 1, (const WCHAR **)paths, 0, NULL, 0, NULL)))
        return report_error("RmRegisterResources", ret);
    printf("[%s process %lu] registered %d file(s), leaving the session\n",
           sizeof(void *) == 8 ? "64-bit" : "32-bit", GetCurrentProcessId(), argc - 1);
    if ((ret = RmEndSession(handle))) return report_error("RmEndSession", ret);
    return EXIT_NOBODY;
}

static int cmd_demo(int argc, WCHAR **argv)
{
    WCHAR key[CCH_RM_SESSION_KEY + 1], partner[MAX_PATH], *cmdline;
    const WCHAR *file = NULL;
    PROCESS_INFORMATION pi;
    STARTUPINFOW si = { sizeof(si) };
    DWORD handle, ret, code = 1;
    size_t len;
    int i;

    GetModuleFileNameW(NULL, partner, ARRAYSIZE(partner));
    for (i = 0; i < argc; i++)
    {
        if (!wcscmp(argv[i], L"--partner") && i + 1 < argc) lstrcpynW(partner, argv[++i], ARRAYSIZE(partner));
        else file = argv[i];
    }
    if (!file)
    {
        usage();
        return EXIT_ERROR;
    }

    if ((ret = RmStartSession(&handle, 0, key))) return report_error("RmStartSession", ret);
    printf("[%s process %lu] started session %lu, key %ls\n", sizeof(void *) == 8 ? "64-bit" : "32-bit",
           GetCurrentProcessId(), handle, key);

    len = wcslen(partner) + wcslen(key) + wcslen(file) + 32;
    if (!(cmdline = malloc(len * sizeof(WCHAR)))) return report_error("allocating", ERROR_OUTOFMEMORY);
    swprintf(cmdline, len, L"\"%ls\" join-register %ls \"%ls\"", partner, key, file);
    printf("running %ls\n", cmdline);
    fflush(stdout);
    if (!CreateProcessW(NULL, cmdline, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
        return report_error("CreateProcess", GetLastError());
    WaitForSingleObject(pi.hProcess, 60000);
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    free(cmdline);
    if (code) fprintf(stderr, "rmtool: the partner process failed (exit code %lu)\n", code);

    printf("\nthe store while the session is open:\n");
    cmd_sessions();
    if ((ret = RmEndSession(handle))) return report_error("RmEndSession", ret);
    printf("\nended session %lu; the store now:\n", handle);
    cmd_sessions();
    return code ? EXIT_ERROR : EXIT_NOBODY;
}

int wmain(int argc, WCHAR **argv)
{
    if (argc < 2)
    {
        usage();
        return EXIT_ERROR;
    }
    if (!wcscmp(argv[1], L"list")) return cmd_list(argc - 2, argv + 2);
    if (!wcscmp(argv[1], L"close")) return cmd_close(argc - 2, argv + 2);
    if (!wcscmp(argv[1], L"sessions")) return cmd_sessions();
    if (!wcscmp(argv[1], L"demo")) return cmd_demo(argc - 2, argv + 2);
    if (!wcscmp(argv[1], L"join-register")) return cmd_join_register(argc - 2, argv + 2);
    usage();
    return EXIT_ERROR;
}
