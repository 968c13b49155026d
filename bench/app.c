/*
 * bench-shutdown-app: the window application the benchmarks close and restart
 *
 * Copyright 2026 The rstrtmgr authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * usage: bench-shutdown-app FILE INDEX BENCHPID
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>
#include <windows.h>

#include "apps.h"

/* ------------------------------------------------------------------ the application */

static unsigned int app_index;

static LRESULT CALLBACK app_proc(HWND hwnd, UINT msg, WPARAM wparam, LPARAM lparam)
{
    switch (msg)
    {
    case WM_QUERYENDSESSION:
        if (stamps && !stamps->query[app_index]) stamps->query[app_index] = counter();
        return TRUE;
    case WM_ENDSESSION:
        if (wparam) PostQuitMessage(0);
        return 0;
    case WM_DESTROY:
        PostQuitMessage(0);
        return 0;
    }
    return DefWindowProcW(hwnd, msg, wparam, lparam);
}

/* bench-shutdown-app FILE INDEX BENCHPID */
int WINAPI wWinMain(HINSTANCE instance, HINSTANCE prev, WCHAR *cmdline, int show)
{
    WNDCLASSW cls = { 0 };
    WCHAR title[64], **argv;
    const WCHAR *file_name;
    unsigned int index;
    DWORD bench_pid;
    HANDLE file;
    MSG msg;
    int argc;

    if (!(argv = CommandLineToArgvW(GetCommandLineW(), &argc)) || argc != 4) return 2;
    file_name = argv[1];
    index = wcstoul(argv[2], NULL, 10);
    bench_pid = wcstoul(argv[3], NULL, 10);
    app_index = index < MAX_APPS ? index : 0;
    stamps = map_stamps(bench_pid, FALSE);
    cls.lpfnWndProc = app_proc;
    cls.hInstance = GetModuleHandleW(NULL);
    cls.lpszClassName = APP_CLASS;
    RegisterClassW(&cls);
    swprintf(title, ARRAYSIZE(title), L"bench app %u of %lu", index, bench_pid);
    CreateWindowW(APP_CLASS, title, WS_OVERLAPPEDWINDOW | WS_VISIBLE, 0, 0, 300, 100, NULL, NULL, cls.hInstance, NULL);
    file = CreateFileW(file_name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_ALWAYS, 0, NULL);
    if (file == INVALID_HANDLE_VALUE) return 1;
    if (stamps) stamps->ready[app_index] = counter();
    while (GetMessageW(&msg, NULL, 0, 0) > 0)
    {
        TranslateMessage(&msg);
        DispatchMessageW(&msg);
    }
    CloseHandle(file);
    return 0;
}
