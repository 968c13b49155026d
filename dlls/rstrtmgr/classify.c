/*
 * Restart Manager: describing affected processes (RM_PROCESS_INFO)
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

/*
 * The application type, in this order:
 *   RmCritical    the caller itself (reboot reason DetectedSelf), a system process that must
 *                 not be shut down (CriticalProcess / CriticalService), or one we may not
 *                 terminate (PermissionDenied);
 *   RmService     it hosts a Win32 service;
 *   RmExplorer    Windows Explorer (under Wine, explorer.exe is the desktop: critical);
 *   RmMainWindow  it owns a visible, unowned top-level window;
 *   RmOtherWindow it owns other top-level windows;
 *   RmConsole     its image is a console program;
 *   RmUnknownApp  anything else.
 * The name: the service's display name, the FileDescription of the image's version resource
 * (find_description says which translation), or the image's file name without its
 * extension, whichever comes first.  The window title is never used.
 */

#include "rstrtmgr_private.h"

#include <winuser.h>
#include <winver.h>

WINE_DEFAULT_DEBUG_CHANNEL(rstrtmgr);

/* Processes whose loss takes the session down (winecompat.c has Wine's). */
static const WCHAR * const critical_images[] =
{
    L"smss.exe", L"csrss.exe", L"wininit.exe", L"logonui.exe", L"lsass.exe", L"services.exe",
    L"winlogon.exe", L"system",
};
/* Services Windows cannot restart without a reboot. */
static const WCHAR * const critical_services[] = { L"RpcSs", L"DcomLaunch", L"PlugPlay", L"RpcEptMapper" };

static BOOL in_list(const WCHAR *name, const WCHAR * const *list, size_t count)
{
    size_t i;

    for (i = 0; i < count; i++) if (!wcsicmp(name, list[i])) return TRUE;
    return FALSE;
}

static BOOL is_critical_image(const WCHAR *base)
{
    if (running_on_wine()) return is_wine_system_image(base);
    return in_list(base, critical_images, ARRAYSIZE(critical_images));
}

struct window_info
{
    HWND hwnd;
    DWORD pid;
    BOOL main;      /* visible and unowned */
};

struct window_list
{
    struct window_info *windows;
    size_t count, capacity;
};

static BOOL CALLBACK add_window(HWND hwnd, LPARAM param)
{
    struct window_list *list = (struct window_list *)param;
    struct window_info *info;

    if (!array_reserve((void **)&list->windows, &list->capacity, list->count + 1, sizeof(*info))) return FALSE;
    info = &list->windows[list->count];
    info->hwnd = hwnd;
    if (!GetWindowThreadProcessId(hwnd, &info->pid)) return TRUE;
    info->main = IsWindowVisible(hwnd) && !GetWindow(hwnd, GW_OWNER);
    list->count++;
    return TRUE;
}

/* The process's main window, or any of its top-level windows if it has no main one. */
static HWND find_window(const struct window_list *list, DWORD pid, BOOL *main)
{
    HWND other = NULL;
    size_t i;

    for (i = 0; i < list->count; i++)
    {
        if (list->windows[i].pid != pid) continue;
        if (list->windows[i].main)
        {
            *main = TRUE;
            return list->windows[i].hwnd;
        }
        if (!other) other = list->windows[i].hwnd;
    }
    *main = FALSE;
    return other;
}

/* Whether the image is a console program, from the Subsystem field of its PE header. */
static BOOL is_console_image(const WCHAR *path)
{
    IMAGE_DOS_HEADER dos;
    BYTE nt[4 + sizeof(IMAGE_FILE_HEADER) + 70];
    WORD subsystem = 0;
    DWORD got;
    HANDLE file;

    file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                       OPEN_EXISTING, 0, NULL);
    if (file == INVALID_HANDLE_VALUE) return FALSE;
    if (ReadFile(file, &dos, sizeof(dos), &got, NULL) && got == sizeof(dos) && dos.e_magic == IMAGE_DOS_SIGNATURE
            && SetFilePointer(file, dos.e_lfanew, NULL, FILE_BEGIN) != INVALID_SET_FILE_POINTER
            && ReadFile(file, nt, sizeof(nt), &got, NULL) && got == sizeof(nt)
            && !memcmp(nt, "PE\0\0", 4))
    {
        /* Subsystem sits at the same offset of the optional header in PE32 and PE32+. */
        memcpy(&subsystem, nt + 4 + sizeof(IMAGE_FILE_HEADER) + 68, sizeof(subsystem));
    }
    CloseHandle(file);
    return subsystem == IMAGE_SUBSYSTEM_WINDOWS_CUI;
}

/* The FileDescription of one translation of a version resource, if it has a non-empty one. */
static BOOL query_description(void *info, WORD language, WORD codepage, WCHAR *name, size_t size)
{
    WCHAR query[64], *text;
    UINT len;

    swprintf(query, ARRAYSIZE(query), L"\\StringFileInfo\\%04x%04x\\FileDescription", language, codepage);
    if (!VerQueryValueW(info, query, (void **)&text, &len) || !len || !text[0]) return FALSE;
    lstrcpynW(name, text, (int)size);
    return TRUE;
}

/* The FileDescription of a version resource: the translation in the user's UI language (the
 * same language, then the same primary language), else the first translation listed, else
 * English or language-neutral text under the usual code pages (Unicode, Windows-1252, none). */
static BOOL find_description(void *info, WCHAR *name, size_t size)
{
    static const WORD languages[] = { 0x0409, 0x0000 }, codepages[] = { 0x04b0, 0x04e4, 0x0000 };
    struct { WORD language, codepage; } *translations = NULL;
    LANGID ui = GetUserDefaultUILanguage();
    UINT len = 0, count = 0, i, j, pass;

    if (VerQueryValueW(info, L"\\VarFileInfo\\Translation", (void **)&translations, &len) && translations)
        count = len / sizeof(*translations);
    for (pass = 0; pass < 2; pass++)
        for (i = 0; i < count; i++)
        {
            WORD language = translations[i].language;

            if ((pass ? PRIMARYLANGID(language) == PRIMARYLANGID(ui) : language == ui)
                    && query_description(info, language, translations[i].codepage, name, size))
                return TRUE;
        }
    if (count && query_description(info, translations[0].language, translations[0].codepage, name, size))
        return TRUE;
    for (i = 0; i < ARRAYSIZE(languages); i++)
        for (j = 0; j < ARRAYSIZE(codepages); j++)
            if (query_description(info, languages[i], codepages[j], name, size)) return TRUE;
    return FALSE;
}

static BOOL get_file_description(const WCHAR *path, WCHAR *name, size_t size)
{
    DWORD info_size, dummy;
    void *info;
    BOOL ret;

    if (!(info_size = GetFileVersionInfoSizeW(path, &dummy)) || !(info = malloc(info_size))) return FALSE;
    ret = GetFileVersionInfoW(path, 0, info_size, info) && find_description(info, name, size);
    free(info);
    return ret;
}

/* The image's file name without its extension ("setup" for setup.exe), as Windows
 * names an application whose image has no FileDescription. */
static void name_from_file(const WCHAR *base, WCHAR *name, size_t size)
{
    const WCHAR *dot = wcsrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : wcslen(base);

    lstrcpynW(name, base, (int)min(len + 1, size));
}

/* Whether RmRestart can start the application again: exactly when it registered with
 * RegisterApplicationRestart, and not with RESTART_NO_PATCH.  Where the platform keeps no
 * registrations, winecompat.c decides. */
static BOOL can_restart(HANDLE process, RM_APP_TYPE type)
{
    DWORD size = 0, flags = 0;
    HRESULT hr;

    if (!process) return FALSE;
    hr = GetApplicationRestartSettings(process, NULL, &size, &flags);
    if (hr == E_NOTIMPL) return restartable_without_registration(type);
    if (hr != S_OK && hr != HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER)) return FALSE;
    return !(flags & RESTART_NO_PATCH);
}

/* What a process of this session is, in this order: the caller itself, a critical image or
 * service, one we may not terminate (all RmCritical, each with its reboot reason), then a
 * service host, Explorer, a window application, a console program, anything else. */
static RM_APP_TYPE classify_process(const struct affected *item, const WCHAR *image, const WCHAR *base,
                                    const struct window_list *windows, DWORD *reasons)
{
    DWORD pid = item->process.dwProcessId;
    HANDLE terminate;
    BOOL main = FALSE;

    if (pid == GetCurrentProcessId())
    {
        *reasons |= RmRebootReasonDetectedSelf;
        return RmCritical;
    }
    if (base[0] && is_critical_image(base))
    {
        *reasons |= RmRebootReasonCriticalProcess;
        return RmCritical;
    }
    if (item->service[0] && in_list(item->service, critical_services, ARRAYSIZE(critical_services)))
    {
        *reasons |= RmRebootReasonCriticalService;
        return RmCritical;
    }
    if (!(terminate = OpenProcess(PROCESS_TERMINATE, FALSE, pid)) && GetLastError() == ERROR_ACCESS_DENIED)
    {
        *reasons |= RmRebootReasonPermissionDenied;
        return RmCritical;
    }
    if (terminate) CloseHandle(terminate);
    if (item->service[0]) return RmService;
    if (!wcsicmp(base, L"explorer.exe")) return RmExplorer;
    if (find_window(windows, pid, &main)) return main ? RmMainWindow : RmOtherWindow;
    if (image[0] && is_console_image(image)) return RmConsole;
    return RmUnknownApp;
}

/* The service's display name, the image's FileDescription, or the image's file name without
 * its extension; never the window title: every name seen in Windows' logs is one of those. */
static void name_process(const struct affected *item, const WCHAR *image, const WCHAR *base, RM_PROCESS_INFO *info)
{
    if (item->service[0])
    {
        lstrcpynW(info->strServiceShortName, item->service, ARRAYSIZE(info->strServiceShortName));
        lstrcpynW(info->strAppName, item->service_display, ARRAYSIZE(info->strAppName));
    }
    if (!info->strAppName[0] && image[0] && !get_file_description(image, info->strAppName, ARRAYSIZE(info->strAppName)))
        name_from_file(base, info->strAppName, ARRAYSIZE(info->strAppName));
}

/* Restart settings live in the process's memory: reading them takes PROCESS_VM_READ.  The
 * image name needs less. */
static HANDLE open_described_process(DWORD pid, WCHAR image[MAX_PATH])
{
    DWORD len = MAX_PATH;
    HANDLE process;

    if (!(process = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, pid)))
        process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
    if (!process || !QueryFullProcessImageNameW(process, 0, image, &len)) image[0] = 0;
    return process;
}

static void describe_process(const struct affected *item, const struct window_list *windows,
                             const struct filter_list *filters, RM_PROCESS_INFO *info, DWORD *reasons)
{
    DWORD pid = item->process.dwProcessId, session_id, my_session = 0;
    WCHAR image[MAX_PATH] = L"", *base;
    RM_FILTER_ACTION action;
    HANDLE process;

    memset(info, 0, sizeof(*info));
    info->Process = item->process;
    info->AppStatus = RmStatusRunning;
    info->TSSessionId = ProcessIdToSessionId(pid, &session_id) ? session_id : RM_INVALID_TS_SESSION;
    ProcessIdToSessionId(GetCurrentProcessId(), &my_session);

    process = open_described_process(pid, image);
    base = wcsrchr(image, '\\') ? wcsrchr(image, '\\') + 1 : image;
    info->ApplicationType = classify_process(item, image, base, windows, reasons);
    /* The Restart Manager does not reach across sessions: another session's process needs a
     * reboot (services live in session 0 and are stopped through the SCM instead). */
    if (info->ApplicationType != RmCritical && info->ApplicationType != RmService && info->TSSessionId != my_session)
        *reasons |= RmRebootReasonSessionMismatch;
    name_process(item, image, base, info);

    if (info->ApplicationType == RmService) info->bRestartable = TRUE;
    else if (info->ApplicationType != RmCritical) info->bRestartable = can_restart(process, info->ApplicationType);

    action = filter_action_for(filters, &item->process, image[0] ? image : NULL,
                               item->service[0] ? item->service : NULL);
    if (action == RmNoShutdown) info->AppStatus |= RmStatusShutdownMasked;
    else if (action == RmNoRestart) info->AppStatus |= RmStatusRestartMasked;

    if (process) CloseHandle(process);
    TRACE("pid %lu: type %d, name %s, session %ld, restartable %d\n", pid, info->ApplicationType,
          debugstr_w(info->strAppName), info->TSSessionId, info->bRestartable);
}

DWORD describe_affected(const struct affected_list *list, const struct filter_list *filters,
                        RM_PROCESS_INFO *infos, DWORD *reasons)
{
    struct window_list windows = { NULL, 0, 0 };
    size_t i;

    if (list->count) EnumWindows(add_window, (LPARAM)&windows);
    for (i = 0; i < list->count; i++) describe_process(&list->items[i], &windows, filters, &infos[i], reasons);
    free(windows.windows);
    return ERROR_SUCCESS;
}
