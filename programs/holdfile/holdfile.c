/*
 * holdfile: a small window application that keeps a file open, for the demo and benchmarks
 *
 * Copyright 2026 The rstrtmgr authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * usage: holdfile FILE [SECONDS]
 * Opens FILE without sharing, shows a window titled "holdfile: <name>", and runs until its
 * window is closed (WM_CLOSE, WM_ENDSESSION) or SECONDS pass (default 300).  RmGetList names
 * it by the FileDescription of its version resource (programs/holdfile/holdfile.rc), "rstrtmgr demo file
 * holder", not by the window title.
 */

#include <windows.h>
#include <wchar.h>

static LRESULT CALLBACK window_proc(HWND hwnd, UINT msg, WPARAM wparam, LPARAM lparam)
{
    switch (msg)
    {
    case WM_QUERYENDSESSION:
        return TRUE;
    case WM_ENDSESSION:
        if (wparam) PostQuitMessage(0);
        return 0;
    case WM_DESTROY:
        PostQuitMessage(0);
        return 0;
    case WM_TIMER:
        DestroyWindow(hwnd);
        return 0;
    }
    return DefWindowProcW(hwnd, msg, wparam, lparam);
}

int WINAPI wWinMain(HINSTANCE instance, HINSTANCE prev, WCHAR *cmdline, int show)
{
    WNDCLASSW cls = { 0 };
    WCHAR title[MAX_PATH + 16];
    int argc, seconds = 300;
    WCHAR **argv = CommandLineToArgvW(GetCommandLineW(), &argc);
    HANDLE file;
    HWND hwnd;
    MSG msg;

    if (!argv || argc < 2) return 2;
    if (argc > 2) seconds = _wtoi(argv[2]);

    /* The window first: whoever sees the file in use also sees a window application. */
    cls.lpfnWndProc = window_proc;
    cls.hInstance = instance;
    cls.lpszClassName = L"rstrtmgr_holdfile";
    RegisterClassW(&cls);
    swprintf(title, ARRAYSIZE(title), L"holdfile: %ls", wcsrchr(argv[1], '\\') ? wcsrchr(argv[1], '\\') + 1 : argv[1]);
    hwnd = CreateWindowW(cls.lpszClassName, title, WS_OVERLAPPEDWINDOW | WS_VISIBLE, 0, 0, 300, 100,
                         NULL, NULL, instance, NULL);
    /* Without a window nothing could ever close us (no display?): fail instead of waiting. */
    if (!hwnd) return 3;
    file = CreateFileW(argv[1], GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_ALWAYS, 0, NULL);
    if (file == INVALID_HANDLE_VALUE) return 1;
    SetTimer(hwnd, 1, seconds * 1000, NULL);
    while (GetMessageW(&msg, NULL, 0, 0) > 0)
    {
        TranslateMessage(&msg);
        DispatchMessageW(&msg);
    }
    CloseHandle(file);
    return 0;
}
