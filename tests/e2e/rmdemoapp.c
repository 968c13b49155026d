/*
 * rmdemoapp: the application that the Inno Setup end-to-end test installs, runs and upgrades
 *
 * Copyright 2026 The rstrtmgr authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Build: i686-w64-mingw32-windres -DAPP_VERSION=N -o rmdemoapp.o rmdemoapp.rc
 *        i686-w64-mingw32-gcc -mwindows -municode -static-libgcc -DAPP_VERSION=N rmdemoapp.c rmdemoapp.o
 *
 * usage: rmdemoapp [/refuse]
 * Shows a window titled "rmdemo app vN" (its FileDescription, the name the Restart Manager
 * gives it, is "rmdemo application vN") and appends "started vN <arguments>" to
 * %LOCALAPPDATA%\rmdemo-log.txt once the window exists.  Normally it agrees to
 * WM_QUERYENDSESSION and exits on WM_ENDSESSION(TRUE) or WM_CLOSE; with /refuse it answers
 * FALSE to WM_QUERYENDSESSION and ignores WM_CLOSE, so only termination ends it.  It registers
 * for restart with its own arguments, as an application that wants the Restart Manager to
 * relaunch it must.  Each session message is logged too, so the test can tell a polite
 * shutdown from a termination.
 */

#include <windows.h>
#include <wchar.h>

#ifndef APP_VERSION
#error "build with -DAPP_VERSION=N"
#endif

#define STR2(x) #x
#define STR(x) STR2(x)
#define WSTR2(x) L ## #x
#define WSTR(x) WSTR2(x)

/* A narrow marker the test can find in the installed file. */
const char rmdemo_version_marker[] __attribute__((used)) = "RMDEMO-APP-VERSION=v" STR(APP_VERSION) ";";

static BOOL refuse;
static WCHAR args[1024];

static void log_line(const WCHAR *fmt, ...)
{
    WCHAR path[MAX_PATH], line[1400];
    char utf8[4200];
    DWORD len, written;
    HANDLE file;
    va_list ap;
    int i;

    len = GetEnvironmentVariableW(L"LOCALAPPDATA", path, MAX_PATH - 20);
    if (!len || len >= MAX_PATH - 20) return;
    lstrcatW(path, L"\\rmdemo-log.txt");

    va_start(ap, fmt);
    vswprintf(line, ARRAYSIZE(line) - 2, fmt, ap);
    va_end(ap);
    lstrcatW(line, L"\r\n");
    len = WideCharToMultiByte(CP_UTF8, 0, line, -1, utf8, sizeof(utf8), NULL, NULL);
    if (!len) return;

    /* Several instances may write at once: append, retrying while another one has it open. */
    for (i = 0; i < 50; i++)
    {
        file = CreateFileW(path, FILE_APPEND_DATA, FILE_SHARE_READ, NULL, OPEN_ALWAYS,
                           FILE_ATTRIBUTE_NORMAL, NULL);
        if (file != INVALID_HANDLE_VALUE) break;
        Sleep(20);
    }
    if (file == INVALID_HANDLE_VALUE) return;
    WriteFile(file, utf8, len - 1, &written, NULL);
    CloseHandle(file);
}

static LRESULT CALLBACK window_proc(HWND hwnd, UINT msg, WPARAM wparam, LPARAM lparam)
{
    switch (msg)
    {
    case WM_QUERYENDSESSION:
        log_line(L"query-end-session v%d pid %lu lParam %#lx: %ls", APP_VERSION, GetCurrentProcessId(),
                 (unsigned long)lparam, refuse ? L"refused" : L"agreed");
        return !refuse;
    case WM_ENDSESSION:
        log_line(L"end-session v%d pid %lu ending %d lParam %#lx", APP_VERSION, GetCurrentProcessId(),
                 (int)wparam, (unsigned long)lparam);
        if (wparam) PostQuitMessage(0);
        return 0;
    case WM_CLOSE:
        log_line(L"close v%d pid %lu: %ls", APP_VERSION, GetCurrentProcessId(), refuse ? L"ignored" : L"closing");
        if (!refuse) DestroyWindow(hwnd);
        return 0;
    case WM_DESTROY:
        PostQuitMessage(0);
        return 0;
    }
    return DefWindowProcW(hwnd, msg, wparam, lparam);
}

int WINAPI wWinMain(HINSTANCE instance, HINSTANCE prev, WCHAR *cmdline, int show)
{
    WNDCLASSW cls = { 0 };
    WCHAR *p;
    HWND hwnd;
    MSG msg;

    lstrcpynW(args, cmdline ? cmdline : L"", ARRAYSIZE(args));
    for (p = args + lstrlenW(args); p > args && p[-1] == ' '; p--) p[-1] = 0;
    refuse = wcsstr(args, L"/refuse") != NULL || wcsstr(args, L"/REFUSE") != NULL;

    /* The Restart Manager relaunches only applications that asked for it, with these arguments. */
    RegisterApplicationRestart(args[0] ? args : NULL, 0);

    cls.lpfnWndProc = window_proc;
    cls.hInstance = instance;
    cls.hCursor = LoadCursorW(NULL, (const WCHAR *)IDC_ARROW);
    cls.hbrBackground = (HBRUSH)(COLOR_WINDOW + 1);
    cls.lpszClassName = L"rmdemo_app";
    RegisterClassW(&cls);
    hwnd = CreateWindowW(cls.lpszClassName, L"rmdemo app v" WSTR(APP_VERSION), WS_OVERLAPPEDWINDOW | WS_VISIBLE,
                         40, 40, 320, 120, NULL, NULL, instance, NULL);
    if (!hwnd) return 1;

    log_line(L"started v%d%ls%ls", APP_VERSION, args[0] ? L" " : L"", args);

    while (GetMessageW(&msg, NULL, 0, 0) > 0)
    {
        TranslateMessage(&msg);
        DispatchMessageW(&msg);
    }
    log_line(L"exiting v%d pid %lu", APP_VERSION, GetCurrentProcessId());
    return 0;
}
