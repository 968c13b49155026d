/*
 * The window applications the benchmarks close and restart, and how they are driven
 *
 * Copyright 2026 The rstrtmgr authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef RSTRTMGR_BENCH_APPS_H
#define RSTRTMGR_BENCH_APPS_H

#include <windows.h>

#ifndef ENDSESSION_CLOSEAPP
#define ENDSESSION_CLOSEAPP 0x00000001
#endif

#define MAX_APPS 256
#define APP_CLASS L"rstrtmgr_bench_app"

/* What the applications note, in a mapping named after the benchmark's pid. */
struct stamps
{
    LONGLONG ready[MAX_APPS];   /* performance counter when it holds its file */
    LONGLONG query[MAX_APPS];   /* ... when the first WM_QUERYENDSESSION arrived */
};

extern struct stamps *stamps;
extern struct stamps *map_stamps(DWORD pid, BOOL create);
extern LONGLONG counter(void);

/* The benchmark side: napps applications, app the program, dir where their files are. */
extern unsigned int napps;
extern WCHAR app[MAX_PATH], dir[MAX_PATH];
extern LARGE_INTEGER freq;
extern unsigned int problems;

extern double to_ms(LONGLONG ticks);
extern void problem(const char *format, ...);
extern void file_name(unsigned int i, WCHAR *name);
extern LONGLONG wait_all_ready(DWORD timeout);
extern BOOL start_app(unsigned int index, HANDLE *process);
extern BOOL start_apps(HANDLE *processes, double *started, double *created);
extern void end_apps(HANDLE *processes);
extern LONGLONG first_query(void);
extern double own_close(HANDLE *processes);

struct restarted
{
    HANDLE *processes;
    unsigned int count;
    const HANDLE *closed;   /* the set RmShutdown closed: any still running is no restarted one */
};
extern BOOL CALLBACK find_restarted(HWND hwnd, LPARAM param);

#endif /* RSTRTMGR_BENCH_APPS_H */
