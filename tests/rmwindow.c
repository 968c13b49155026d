/*
 * Window helpers of the test units that open windows (getlist, shutdown)
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
 * A separate object of the helper library: only the units that link user32 (and use these)
 * pull it in, so the other units keep needing nothing but kernel32, advapi32 and rstrtmgr.dll.
 */

#include <stdarg.h>
#include <stdio.h>

#include <windows.h>

#include "rmwindow.h"

HWND show_child_window(const WCHAR *class_name, WNDPROC proc, const WCHAR *title, HANDLE file)
{
    WNDCLASSW cls;
    HWND hwnd;
    MSG msg;

    memset(&cls, 0, sizeof(cls));
    cls.lpfnWndProc = proc;
    cls.hInstance = GetModuleHandleW(NULL);
    cls.lpszClassName = class_name;
    RegisterClassW(&cls);
    hwnd = CreateWindowExW(0, cls.lpszClassName, title, WS_OVERLAPPEDWINDOW | WS_VISIBLE,
                           100, 100, 300, 200, NULL, NULL, cls.hInstance, NULL);
    if (!hwnd) printf("notready cannot create a window, error %lu\n", GetLastError());
    else if (file == INVALID_HANDLE_VALUE) printf("notready cannot open the file\n");
    else
    {
        UpdateWindow(hwnd);
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
        return hwnd;
    }
    if (hwnd) DestroyWindow(hwnd);
    return NULL;
}
