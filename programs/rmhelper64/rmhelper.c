/*
 * rmhelper64: lists the modules of 64-bit processes for the 32-bit rstrtmgr.dll
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
 * A 32-bit process cannot read a 64-bit process's module list (under Wine the loader data
 * lies beyond what it can address), yet most installers are 32-bit.  The 32-bit DLL runs
 * this 64-bit program instead:
 *
 *     rmhelper64.exe modules PID...      (PIDs in hex)
 *
 * It writes one UTF-16 line per module to standard output, "<pid hex> <path>\n", and exits
 * with 0.  It loads nothing but kernel32, so it starts fast.  Starting a process costs a good
 * part of a second under Wine, so the DLL keeps one running instead:
 *
 *     rmhelper64.exe serve
 *
 * reads requests from standard input, one UTF-16 line each, and answers each with lines
 * followed by a line holding only ".":
 *
 *     <pid hex> <pid hex>...   the module lines of those processes
 *     P <pid hex>              how the process was started: "I <image>", "C <command line>",
 *                              "D <working directory>", then "E <variable>" lines
 *     K <pid hex>              send CTRL_C_EVENT to that process only: "1" or "0"
 *
 * It exits when its input is closed (when the process that started it ends).
 */

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <windows.h>

#include "remote.h"

static HANDLE output;

static void write_line(DWORD pid, const WCHAR *path)
{
    WCHAR line[32 + MAX_PATH * 4];
    DWORD written;
    int len = pid ? swprintf(line, ARRAYSIZE(line), L"%lx %ls\n", pid, path)
                  : swprintf(line, ARRAYSIZE(line), L"%ls\n", path);

    if (len > 0) WriteFile(output, line, len * sizeof(WCHAR), &written, NULL);
}

/* "<tag> <text>\n", or just "<tag>\n" without text. */
static void write_tagged(WCHAR tag, const WCHAR *text)
{
    size_t len = text ? wcslen(text) : 0;
    WCHAR *line = malloc((len + 4) * sizeof(WCHAR));
    DWORD written;

    if (!line) return;
    line[0] = tag;
    if (text)
    {
        line[1] = ' ';
        memcpy(line + 2, text, len * sizeof(WCHAR));
        line[len + 2] = '\n';
        len += 3;
    }
    else
    {
        line[1] = '\n';
        len = 2;
    }
    WriteFile(output, line, (DWORD)(len * sizeof(WCHAR)), &written, NULL);
    free(line);
}

static BOOL write_module(void *ctx, const WCHAR *name)
{
    write_line(*(const DWORD *)ctx, name);
    return FALSE;
}

static void list_modules(DWORD pid)
{
    HANDLE process;

    if (!(process = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, pid))) return;
    name_modules(process, write_module, &pid);
    CloseHandle(process);
}

static void write_params(DWORD pid)
{
    struct process_params params;
    HANDLE process;
    const WCHAR *var;

    if (!(process = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, pid))) return;
    if (read_process_params(process, &params))
    {
        if (params.image) write_tagged('I', params.image);
        write_tagged('C', params.cmdline);
        if (params.cwd) write_tagged('D', params.cwd);
        for (var = params.env; var && *var; var += wcslen(var) + 1) write_tagged('E', var);
        free_process_params(&params);
    }
    CloseHandle(process);
}

static void serve(void)
{
    HANDLE input = GetStdHandle(STD_INPUT_HANDLE);
    WCHAR request[8192];
    size_t len = 0;
    DWORD got;

    for (;;)
    {
        WCHAR *newline, *p, *end;

        if (!ReadFile(input, (BYTE *)request + len * sizeof(WCHAR), (DWORD)((ARRAYSIZE(request) - 1 - len) * sizeof(WCHAR)),
                      &got, NULL) || !got)
            return;
        len += got / sizeof(WCHAR);
        request[len] = 0;
        while ((newline = wcschr(request, '\n')))
        {
            *newline = 0;
            if (request[0] == 'P' && request[1] == ' ') write_params(wcstoul(request + 2, NULL, 16));
            else if (request[0] == 'K' && request[1] == ' ')
            {
                /* "K <pid> <event>", both in hex; an older DLL sends no event: CTRL_C_EVENT. */
                DWORD pid = wcstoul(request + 2, &end, 16);

                write_tagged(send_ctrl_event(pid, wcstoul(end, NULL, 16)) ? '1' : '0', NULL);
            }
            else
            {
                for (p = request; *p; p = end)
                {
                    DWORD pid = wcstoul(p, &end, 16);

                    if (end == p) break;
                    list_modules(pid);
                }
            }
            write_line(0, L".");
            len -= newline + 1 - request;
            memmove(request, newline + 1, (len + 1) * sizeof(WCHAR));
        }
        if (len >= ARRAYSIZE(request) - 1) len = 0;  /* a line too long to be a request */
    }
}

int wmain(int argc, WCHAR **argv)
{
    int i;

    output = GetStdHandle(STD_OUTPUT_HANDLE);
    if (argc == 2 && !wcscmp(argv[1], L"serve"))
    {
        serve();
        return 0;
    }
    if (argc < 2 || wcscmp(argv[1], L"modules")) return 2;
    for (i = 2; i < argc; i++) list_modules(wcstoul(argv[i], NULL, 16));
    return 0;
}
