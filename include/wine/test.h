/*
 * Conformance-test harness compatible with Wine's wine/test.h.
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
 * This is an independent implementation written from a behavioural description of the
 * harness that ships with current Wine (the Wine 9.x/10.x header): same macro and function
 * names, same output lines, same summary line, same environment variables and the same
 * exit status, so tests written for Wine's tree build and report unchanged here.  In
 * particular it follows the newest conventions: ok() formats its message only when the
 * message is printed, todo and flaky blocks, context strings, per-line muting, and
 * wait_child_process() taking a PROCESS_INFORMATION pointer and closing both handles.
 *
 * Known differences from Wine's header:
 *  - debugstr_*() and wine_dbg_sprintf() come from our wine/debug.h, whose ring of buffers
 *    is shared by all threads instead of being per thread.
 *  - WINETEST_COLOR defaults to off; "auto" colours only when stdout is a character device.
 *  - ignore_exceptions(TRUE) makes the unhandled-exception filter of the calling thread
 *    stay silent and fall back to the system's default handling.
 *
 * Usage: every test unit includes this header.  The one translation unit that defines
 * STANDALONE before including it also gets the implementation and main(); a unit built on
 * its own as an exe just compiles with -DSTANDALONE, and START_TEST() then provides the
 * one-entry test list as well.
 */

#ifndef RSTRTMGR_WINE_TEST_H
#define RSTRTMGR_WINE_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windef.h>
#include <winbase.h>
#include "wine/debug.h"

#ifndef INVALID_FILE_ATTRIBUTES
#define INVALID_FILE_ATTRIBUTES (~0u)
#endif
#ifndef INVALID_SET_FILE_POINTER
#define INVALID_SET_FILE_POINTER (~0u)
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#endif

/* Check messages against the printf that will actually print them (msvcrt or mingw's own). */
#if defined(__MINGW_PRINTF_FORMAT)
#define WINETEST_PRINTF_ATTR(fmt, args) __attribute__((format(__MINGW_PRINTF_FORMAT, fmt, args)))
#elif defined(__GNUC__)
#define WINETEST_PRINTF_ATTR(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define WINETEST_PRINTF_ATTR(fmt, args)
#endif

#if defined(__GNUC__)
#define WINETEST_NORETURN __attribute__((noreturn))
#else
#define WINETEST_NORETURN
#endif

/* Settings, filled in by main() from the environment. */
extern int winetest_debug;
extern int winetest_interactive;
extern const char *winetest_platform;
extern int winetest_platform_is_wine;
extern int winetest_report_success;
extern int winetest_report_flaky;
extern int winetest_time;
extern int winetest_mute_threshold;
extern int winetest_color;

/* Entry of the table of units that main() can run. */
struct test
{
    const char *name;
    void (*func)(void);
};

extern const struct test winetest_testlist[];

extern void winetest_set_location(const char *file, int line);
extern int winetest_ok_begin(int condition);
extern void winetest_ok_end(const char *msg, ...) WINETEST_PRINTF_ATTR(1, 2);
extern void winetest_ok_vend(const char *msg, va_list args) WINETEST_PRINTF_ATTR(1, 0);
extern void winetest_skip(const char *msg, ...) WINETEST_PRINTF_ATTR(1, 2);
extern void winetest_vskip(const char *msg, va_list args) WINETEST_PRINTF_ATTR(1, 0);
extern void winetest_win_skip(const char *msg, ...) WINETEST_PRINTF_ATTR(1, 2);
extern void winetest_trace(const char *msg, ...) WINETEST_PRINTF_ATTR(1, 2);
extern void winetest_vtrace(const char *msg, va_list args) WINETEST_PRINTF_ATTR(1, 0);
extern void winetest_subtest(const char *name);
extern void winetest_ignore_exceptions(BOOL ignore);
extern void winetest_wait_child_process(const PROCESS_INFORMATION *pi);
extern int winetest_get_mainargs(char ***pargv);
extern LONG winetest_get_failures(void);
extern void winetest_add_failures(LONG new_failures);
extern void winetest_push_context(const char *fmt, ...) WINETEST_PRINTF_ATTR(1, 2);
extern void winetest_pop_context(void);
extern void winetest_start_todo(int is_todo);
extern int winetest_loop_todo(void);
extern void winetest_end_todo(void);
extern void winetest_start_flaky(int is_flaky);
extern int winetest_loop_flaky(void);
extern void winetest_end_flaky(void);

/* The message and its arguments are only evaluated when something is going to be printed,
 * which keeps passing checks cheap and lets the arguments call GetLastError() safely. */
#define winetest_ok(condition, ...) \
    (winetest_ok_begin(!!(condition)) ? winetest_ok_end(__VA_ARGS__) : (void)0)

static inline void WINETEST_PRINTF_ATTR(2, 0) winetest_vok(int condition, const char *msg, va_list args)
{
    if (winetest_ok_begin(condition)) winetest_ok_vend(msg, args);
}

/* Legacy behaviour accepted only on real Windows. */
static inline int broken(int condition)
{
    return condition && winetest_platform && !strcmp(winetest_platform, "windows");
}

#ifdef WINETEST_NO_LINE_NUMBERS
#define WINETEST_LINE 0
#else
#define WINETEST_LINE __LINE__
#endif

/* Each location macro records where it was used, then yields the function to call. */
#define ok_(file, line)       (winetest_set_location(file, line), 0) ? (void)0 : winetest_ok
#define skip_(file, line)     (winetest_set_location(file, line), 0) ? (void)0 : winetest_skip
#define win_skip_(file, line) (winetest_set_location(file, line), 0) ? (void)0 : winetest_win_skip
#define trace_(file, line)    (winetest_set_location(file, line), 0) ? (void)0 : winetest_trace
#define subtest_(file, line)  (winetest_set_location(file, line), 0) ? (void)0 : winetest_subtest
#define ignore_exceptions_(file, line) \
    (winetest_set_location(file, line), 0) ? (void)0 : winetest_ignore_exceptions
#define wait_child_process_(file, line) \
    (winetest_set_location(file, line), 0) ? (void)0 : winetest_wait_child_process

/* Function-like, so that variables or fields that happen to be called "skip" or "trace"
 * are left alone; GCC gives __LINE__ the line of the macro name, as Wine's reports expect. */
#define ok(...)                 ok_(__FILE__, WINETEST_LINE)(__VA_ARGS__)
#define skip(...)               skip_(__FILE__, WINETEST_LINE)(__VA_ARGS__)
#define win_skip(...)           win_skip_(__FILE__, WINETEST_LINE)(__VA_ARGS__)
#define trace(...)              trace_(__FILE__, WINETEST_LINE)(__VA_ARGS__)
#define subtest(...)            subtest_(__FILE__, WINETEST_LINE)(__VA_ARGS__)
#define ignore_exceptions(...)  ignore_exceptions_(__FILE__, WINETEST_LINE)(__VA_ARGS__)
#define wait_child_process(...) wait_child_process_(__FILE__, WINETEST_LINE)(__VA_ARGS__)

/* A for statement whose body runs exactly once, with the block's state pushed on entry and
 * popped on exit, so the blocks nest and need no closing macro. */
#define todo_if(is_todo) for (winetest_start_todo(is_todo); winetest_loop_todo(); winetest_end_todo())
#define todo_wine              todo_if(winetest_platform_is_wine)
#define todo_wine_if(is_todo)  todo_if((is_todo) && winetest_platform_is_wine)

#define flaky_if(is_flaky) for (winetest_start_flaky(is_flaky); winetest_loop_flaky(); winetest_end_flaky())
#define flaky                  flaky_if(TRUE)
#define flaky_wine             flaky_if(winetest_platform_is_wine)
#define flaky_wine_if(is_flaky) flaky_if((is_flaky) && winetest_platform_is_wine)

#ifdef STANDALONE
/* A unit built as its own exe also provides the test list that main() walks. */
#define START_TEST(name) \
    void func_##name(void); \
    const struct test winetest_testlist[] = { { #name, func_##name }, { 0, 0 } }; \
    void func_##name(void)
#else
#define START_TEST(name) void func_##name(void)
#endif


/************************************************************************/
/* Implementation, emitted only in the translation unit that owns main() */

#ifdef STANDALONE

#include <io.h>
#include <wingdi.h>  /* wincon.h needs LF_FACESIZE */
#include <wincon.h>

#ifndef ENABLE_VIRTUAL_TERMINAL_PROCESSING
#define ENABLE_VIRTUAL_TERMINAL_PROCESSING 0x0004
#endif

/* The unit's one copy of wine/debug.h's ring of debug strings (rmtest.c uses it too). */
WINE_DEBUG_STORAGE;

#define WINETEST_MAX_CONTEXTS     8
#define WINETEST_CONTEXT_SIZE     128
#define WINETEST_LINE_COUNTERS    16384
#define WINETEST_CHILD_TIMEOUT_MS 30000

int winetest_debug = 1;
int winetest_interactive = 0;
const char *winetest_platform = "windows";
int winetest_platform_is_wine = 0;
int winetest_report_success = 0;
int winetest_report_flaky = 0;
int winetest_time = 0;
int winetest_mute_threshold = 42;
int winetest_color = 0;

static const char *winetest_current_test = "";
static int winetest_argc;
static char **winetest_argv;
static char winetest_platform_buffer[32];
static HANDLE winetest_print_mutex;
static DWORD winetest_tls_index = TLS_OUT_OF_INDEXES;
static DWORD winetest_start_time;
static LONG winetest_last_time;

/* Counters are shared by all threads of the test, hence the Interlocked* updates. */
static LONG winetest_successes;
static LONG winetest_failures;
static LONG winetest_flaky_failures;
static LONG winetest_skipped;
static LONG winetest_todo_successes;
static LONG winetest_todo_failures;
static LONG winetest_muted_todo_successes;
static LONG winetest_muted_skipped;
static LONG winetest_muted_traces;

/* How often each line (modulo the table size) has printed a todo, skip or trace. */
static LONG winetest_line_counters[WINETEST_LINE_COUNTERS];

/* What winetest_ok_end() has to print for the check winetest_ok_begin() just judged. */
enum winetest_pending
{
    WINETEST_PENDING_NONE,
    WINETEST_PENDING_FAILED,
    WINETEST_PENDING_TODO,
    WINETEST_PENDING_TODO_SUCCEEDED,
    WINETEST_PENDING_FLAKY,
    WINETEST_PENDING_FLAKY_TODO_SUCCEEDED
};

enum winetest_colour
{
    WINETEST_COLOUR_NONE,
    WINETEST_COLOUR_RED,
    WINETEST_COLOUR_YELLOW,
    WINETEST_COLOUR_BLUE,
    WINETEST_COLOUR_GREEN
};

/* Everything that belongs to the check a thread is currently making. */
struct winetest_thread_data
{
    const char *file;           /* basename of the file of the last located macro */
    int line;
    int todo_level;             /* one bit per enclosing todo block, innermost in bit 0 */
    int todo_do_loop;
    int flaky_level;            /* same for flaky blocks */
    int flaky_do_loop;
    enum winetest_pending pending;
    BOOL exceptions_ignored;    /* set by ignore_exceptions() */
    unsigned int context_count; /* may exceed WINETEST_MAX_CONTEXTS; extra levels are not shown */
    char context[WINETEST_MAX_CONTEXTS][WINETEST_CONTEXT_SIZE];
    char elapsed[32];
};

static DWORD winetest_get_tls_index(void)
{
    DWORD index;

    if (winetest_tls_index != TLS_OUT_OF_INDEXES) return winetest_tls_index;
    /* main() normally allocates the slot; this covers checks made before it runs. */
    index = TlsAlloc();
    if (index == TLS_OUT_OF_INDEXES)
    {
        fprintf(stderr, "Fatal: cannot allocate a TLS slot for the test harness.\n");
        ExitProcess(1);
    }
    if (InterlockedCompareExchange((LONG *)&winetest_tls_index, (LONG)index, (LONG)TLS_OUT_OF_INDEXES)
            != (LONG)TLS_OUT_OF_INDEXES)
        TlsFree(index);
    return winetest_tls_index;
}

/* Tests check GetLastError() right after ok() calls, so looking up or creating this data
 * must leave the last error exactly as the code under test set it. */
static struct winetest_thread_data *winetest_get_thread_data(void)
{
    DWORD error = GetLastError();
    DWORD index = winetest_get_tls_index();
    struct winetest_thread_data *data = TlsGetValue(index);

    if (!data)
    {
        data = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*data));
        if (!data)
        {
            fprintf(stderr, "Fatal: out of memory in the test harness.\n");
            ExitProcess(1);
        }
        data->file = "";
        TlsSetValue(index, data);
    }
    SetLastError(error);
    return data;
}

static void winetest_lock(void)
{
    if (winetest_print_mutex) WaitForSingleObject(winetest_print_mutex, INFINITE);
}

static void winetest_unlock(void)
{
    if (winetest_print_mutex) ReleaseMutex(winetest_print_mutex);
}

/* Seconds since start, with a leading field only when WINETEST_TIME asked for timing. */
static const char *winetest_elapsed(struct winetest_thread_data *data)
{
    DWORD now;

    if (!winetest_time) return "";
    now = GetTickCount();
    InterlockedExchange(&winetest_last_time, (LONG)now);
    snprintf(data->elapsed, sizeof(data->elapsed), "%.3f", (now - winetest_start_time) / 1000.0);
    return data->elapsed;
}

static void winetest_print_colour(enum winetest_colour colour)
{
    static const char *const codes[] =
    {
        "\033[0m", "\033[1;31m", "\033[1;33m", "\033[1;34m", "\033[1;32m"
    };

    if (winetest_color) fputs(codes[colour], stdout);
}

/* "file:line:elapsed " followed by every context string, each with ": " after it. */
static void winetest_print_location(struct winetest_thread_data *data, BOOL with_context)
{
    unsigned int i;

    printf("%s:%d:%s ", data->file, data->line, winetest_elapsed(data));
    if (!with_context) return;
    for (i = 0; i < data->context_count && i < WINETEST_MAX_CONTEXTS; i++)
        printf("%s: ", data->context[i]);
}

/* One complete output line; the caller's message supplies its own newline, as in Wine. */
static void WINETEST_PRINTF_ATTR(4, 0)
winetest_vprint(struct winetest_thread_data *data, enum winetest_colour colour,
                const char *label, const char *msg, va_list args)
{
    DWORD error = GetLastError();

    winetest_lock();
    winetest_print_location(data, TRUE);
    if (label)
    {
        winetest_print_colour(colour);
        fputs(label, stdout);
        if (colour != WINETEST_COLOUR_NONE) winetest_print_colour(WINETEST_COLOUR_NONE);
    }
    vprintf(msg, args);
    winetest_unlock();
    SetLastError(error);
}

static void WINETEST_PRINTF_ATTR(4, 5)
winetest_print(struct winetest_thread_data *data, enum winetest_colour colour,
               const char *label, const char *msg, ...)
{
    va_list args;

    va_start(args, msg);
    winetest_vprint(data, colour, label, msg, args);
    va_end(args);
}

/* Counts one more todo, skip or trace from the current line and says whether it may still
 * be printed.  The occurrence that crosses the threshold announces the silencing instead. */
static BOOL winetest_line_may_print(struct winetest_thread_data *data)
{
    LONG *counter, count;

    if (winetest_debug > 1) return TRUE;
    counter = &winetest_line_counters[(unsigned int)data->line % WINETEST_LINE_COUNTERS];
    count = InterlockedIncrement(counter) - 1;
    if (count < winetest_mute_threshold) return TRUE;
    if (count == winetest_mute_threshold)
        winetest_print(data, WINETEST_COLOUR_NONE, NULL, "Line has been silenced after %d occurrences\n",
                       winetest_mute_threshold);
    return FALSE;
}

void winetest_set_location(const char *file, int line)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    const char *p;

    /* Only the basename is shown, whatever path the build passed in __FILE__. */
    for (p = file; *p; p++)
        if (*p == '/' || *p == '\\') file = p + 1;
    data->file = file;
    data->line = line;
}

int winetest_ok_begin(int condition)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    DWORD error = GetLastError();
    int print = 0;

    data->pending = WINETEST_PENDING_NONE;
    if (data->todo_level)
    {
        if (condition)
        {
            /* A todo that passes means Wine got fixed: flag it so the todo gets removed. */
            if (data->flaky_level)
            {
                data->pending = WINETEST_PENDING_FLAKY_TODO_SUCCEEDED;
                InterlockedIncrement(&winetest_flaky_failures);
            }
            else
            {
                data->pending = WINETEST_PENDING_TODO_SUCCEEDED;
                InterlockedIncrement(&winetest_todo_failures);
            }
            print = 1;
        }
        else
        {
            InterlockedIncrement(&winetest_todo_successes);
            if (winetest_debug > 0)
            {
                if (winetest_line_may_print(data))
                {
                    data->pending = WINETEST_PENDING_TODO;
                    print = 1;
                }
                else InterlockedIncrement(&winetest_muted_todo_successes);
            }
        }
    }
    else if (!condition)
    {
        if (data->flaky_level)
        {
            data->pending = WINETEST_PENDING_FLAKY;
            InterlockedIncrement(&winetest_flaky_failures);
        }
        else
        {
            data->pending = WINETEST_PENDING_FAILED;
            InterlockedIncrement(&winetest_failures);
        }
        print = 1;
    }
    else
    {
        /* With WINETEST_TIME, one success a second shows that a slow test still progresses. */
        if (winetest_report_success
                || (winetest_time && GetTickCount() - (DWORD)winetest_last_time >= 1000))
            winetest_print(data, WINETEST_COLOUR_GREEN, NULL, "Test succeeded\n");
        InterlockedIncrement(&winetest_successes);
    }
    SetLastError(error);
    return print;
}

void winetest_ok_vend(const char *msg, va_list args)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    switch (data->pending)
    {
    case WINETEST_PENDING_FAILED:
        winetest_vprint(data, WINETEST_COLOUR_RED, "Test failed: ", msg, args);
        break;
    case WINETEST_PENDING_TODO:
        winetest_vprint(data, WINETEST_COLOUR_YELLOW, "Test marked todo: ", msg, args);
        break;
    case WINETEST_PENDING_TODO_SUCCEEDED:
        winetest_vprint(data, WINETEST_COLOUR_RED, "Test succeeded inside todo block: ", msg, args);
        break;
    case WINETEST_PENDING_FLAKY:
        winetest_vprint(data, WINETEST_COLOUR_YELLOW, "Test marked flaky: ", msg, args);
        break;
    case WINETEST_PENDING_FLAKY_TODO_SUCCEEDED:
        winetest_vprint(data, WINETEST_COLOUR_YELLOW, "Test succeeded inside flaky todo block: ", msg, args);
        break;
    case WINETEST_PENDING_NONE:
        break;
    }
    data->pending = WINETEST_PENDING_NONE;
}

void winetest_ok_end(const char *msg, ...)
{
    va_list args;

    va_start(args, msg);
    winetest_ok_vend(msg, args);
    va_end(args);
}

void winetest_vskip(const char *msg, va_list args)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    InterlockedIncrement(&winetest_skipped);
    if (winetest_line_may_print(data))
        winetest_vprint(data, WINETEST_COLOUR_BLUE, "Tests skipped: ", msg, args);
    else
        InterlockedIncrement(&winetest_muted_skipped);
}

void winetest_skip(const char *msg, ...)
{
    va_list args;

    va_start(args, msg);
    winetest_vskip(msg, args);
    va_end(args);
}

/* Something missing on old Windows is acceptable there, but Wine must implement it. */
void winetest_win_skip(const char *msg, ...)
{
    va_list args;

    va_start(args, msg);
    if (winetest_platform_is_wine)
    {
        InterlockedIncrement(&winetest_failures);
        winetest_vprint(winetest_get_thread_data(), WINETEST_COLOUR_RED, "Test failed: ", msg, args);
    }
    else winetest_vskip(msg, args);
    va_end(args);
}

void winetest_vtrace(const char *msg, va_list args)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    if (winetest_debug <= 0) return;
    if (winetest_line_may_print(data))
        winetest_vprint(data, WINETEST_COLOUR_NONE, NULL, msg, args);
    else
        InterlockedIncrement(&winetest_muted_traces);
}

void winetest_trace(const char *msg, ...)
{
    va_list args;

    va_start(args, msg);
    winetest_vtrace(msg, args);
    va_end(args);
}

void winetest_subtest(const char *name)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    DWORD error = GetLastError();

    winetest_lock();
    winetest_print_location(data, FALSE);
    printf("Subtest %s\n", name);
    winetest_unlock();
    SetLastError(error);
}

void winetest_ignore_exceptions(BOOL ignore)
{
    winetest_get_thread_data()->exceptions_ignored = ignore;
}

/* The child reports its failure count as its exit status, and an unhandled exception
 * terminates it with the exception code, so both are folded into our own counts. */
void winetest_wait_child_process(const PROCESS_INFORMATION *pi)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    DWORD exit_code = 1;

    if (WaitForSingleObject(pi->hProcess, WINETEST_CHILD_TIMEOUT_MS) != WAIT_OBJECT_0)
    {
        winetest_ok(0, "Timed out waiting for the child process\n");
        TerminateProcess(pi->hProcess, 1);
        WaitForSingleObject(pi->hProcess, 5000);
    }
    else if (!GetExitCodeProcess(pi->hProcess, &exit_code))
    {
        winetest_ok(0, "Cannot get the exit code of the child process, error %lu\n", GetLastError());
    }
    else if (exit_code >= 0xc0000000)
    {
        InterlockedIncrement(&winetest_failures);
        winetest_print(data, WINETEST_COLOUR_RED, NULL, "unhandled exception %08lx in child process %04lx\n",
                       exit_code, pi->dwProcessId);
    }
    else if (exit_code)
    {
        InterlockedExchangeAdd(&winetest_failures, (LONG)exit_code);
        winetest_print(data, WINETEST_COLOUR_RED, NULL, "%lu failures in child process\n", exit_code);
    }
    CloseHandle(pi->hProcess);
    CloseHandle(pi->hThread);
}

int winetest_get_mainargs(char ***pargv)
{
    *pargv = winetest_argv;
    return winetest_argc;
}

LONG winetest_get_failures(void)
{
    return winetest_failures;
}

void winetest_add_failures(LONG new_failures)
{
    if (new_failures > 0) InterlockedExchangeAdd(&winetest_failures, new_failures);
}

void winetest_push_context(const char *fmt, ...)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    DWORD error = GetLastError();
    va_list args;

    /* Levels beyond the table are still counted so that every pop matches its push. */
    if (data->context_count < WINETEST_MAX_CONTEXTS)
    {
        va_start(args, fmt);
        vsnprintf(data->context[data->context_count], WINETEST_CONTEXT_SIZE, fmt, args);
        va_end(args);
        data->context[data->context_count][WINETEST_CONTEXT_SIZE - 1] = 0;
    }
    data->context_count++;
    SetLastError(error);
}

void winetest_pop_context(void)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    if (data->context_count) data->context_count--;
}

void winetest_start_todo(int is_todo)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    data->todo_level = (data->todo_level << 1) | (is_todo != 0);
    data->todo_do_loop = 1;
}

int winetest_loop_todo(void)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    int do_loop = data->todo_do_loop;

    data->todo_do_loop = 0;
    return do_loop;
}

void winetest_end_todo(void)
{
    winetest_get_thread_data()->todo_level >>= 1;
}

void winetest_start_flaky(int is_flaky)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    data->flaky_level = (data->flaky_level << 1) | (is_flaky != 0);
    data->flaky_do_loop = 1;
}

int winetest_loop_flaky(void)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    int do_loop = data->flaky_do_loop;

    data->flaky_do_loop = 0;
    return do_loop;
}

void winetest_end_flaky(void)
{
    winetest_get_thread_data()->flaky_level >>= 1;
}

/* Installed for the whole process: a crash names the last check reached, then ends the
 * process with the exception code so that a parent's wait_child_process() reports it. */
static LONG WINAPI winetest_exception_filter(EXCEPTION_POINTERS *ptrs)
{
    struct winetest_thread_data *data = NULL;

    /* No allocation here: the heap or the stack may be what just failed. */
    if (winetest_tls_index != TLS_OUT_OF_INDEXES) data = TlsGetValue(winetest_tls_index);
    if (data && data->exceptions_ignored) return EXCEPTION_CONTINUE_SEARCH;

    winetest_lock();
    if (data && data->file[0])
        printf("%s:%d: this is the last test seen before the exception\n", data->file, data->line);
    printf("%04lx:%s:%s unhandled exception %08lx at %p\n", GetCurrentProcessId(), winetest_current_test,
           data ? winetest_elapsed(data) : "", ptrs->ExceptionRecord->ExceptionCode,
           ptrs->ExceptionRecord->ExceptionAddress);
    fflush(stdout);
    winetest_unlock();
    return EXCEPTION_EXECUTE_HANDLER;
}

static void winetest_list_tests(void)
{
    const struct test *test;

    printf("Valid test names:\n");
    for (test = winetest_testlist; test->name; test++) printf("    %s\n", test->name);
}

static void WINETEST_NORETURN winetest_usage(const char *argv0)
{
    printf("Usage: %s test_name\n\n", argv0);
    winetest_list_tests();
    exit(1);
}

static int winetest_run_test(const char *name)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    const struct test *test;
    LONG failures, status;

    for (test = winetest_testlist; test->name; test++)
        if (!strcmp(test->name, name)) break;
    if (!test->name)
    {
        printf("Fatal: test '%s' does not exist.\n", name);
        exit(1);
    }

    winetest_current_test = test->name;
    test->func();

    failures = winetest_failures + winetest_todo_failures;
    if (winetest_debug > 0)
    {
        winetest_lock();
        if (winetest_muted_todo_successes || winetest_muted_skipped || winetest_muted_traces)
            printf("%04lx:%s:%s Silenced %ld todos, %ld skips and %ld traces.\n",
                   GetCurrentProcessId(), test->name, winetest_elapsed(data),
                   winetest_muted_todo_successes, winetest_muted_skipped, winetest_muted_traces);
        printf("%04lx:%s:%s %ld tests executed (%ld marked as todo, %ld as flaky, %ld %s), %ld skipped.\n",
               GetCurrentProcessId(), test->name, winetest_elapsed(data),
               winetest_successes + winetest_failures + winetest_flaky_failures
                   + winetest_todo_successes + winetest_todo_failures,
               winetest_todo_successes, winetest_flaky_failures, failures,
               failures == 1 ? "failure" : "failures", winetest_skipped);
        winetest_unlock();
    }

    status = failures;
    if (winetest_report_flaky) status += winetest_flaky_failures;
    return status > 255 ? 255 : (int)status;
}

/* Wine forces a platform through the environment; otherwise only Wine's ntdll exports these. */
static void winetest_init_platform(void)
{
    const char *env = getenv("WINETEST_PLATFORM");
    HMODULE ntdll = GetModuleHandleA("ntdll.dll");

    if (env)
    {
        /* Copied because tests may change the environment while they run. */
        snprintf(winetest_platform_buffer, sizeof(winetest_platform_buffer), "%s", env);
        winetest_platform = winetest_platform_buffer;
    }
    else if (ntdll && (GetProcAddress(ntdll, "wine_get_version")
                       || GetProcAddress(ntdll, "wine_server_call")))
        winetest_platform = "wine";
    else
        winetest_platform = "windows";
    winetest_platform_is_wine = !strcmp(winetest_platform, "wine");
}

static void winetest_init_color(void)
{
    const char *env = getenv("WINETEST_COLOR");
    HANDLE out;
    DWORD mode;

    if (!env) return;
    if (!strcmp(env, "auto")) winetest_color = _isatty(_fileno(stdout)) != 0;
    else winetest_color = atoi(env) != 0;
    if (!winetest_color) return;

    /* A Windows console only interprets the escape sequences once asked to. */
    out = GetStdHandle(STD_OUTPUT_HANDLE);
    if (GetConsoleMode(out, &mode)) SetConsoleMode(out, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING);
}

static int winetest_env_int(const char *name, int def)
{
    const char *env = getenv(name);

    return env ? atoi(env) : def;
}

#if defined(__GNUC__) && defined(__MINGW32__)
/* mingw's start-up code calls _fpreset(), whose own version leaves the x87 unit in 64-bit
 * precision; keeping the Windows default (53-bit) makes floating-point results match those
 * of programs built with MSVC, as tests written for Windows expect. */
void __cdecl _fpreset(void)
{
}
#endif

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    winetest_print_mutex = CreateMutexA(NULL, FALSE, "winetest_print_mutex");
    winetest_get_tls_index();
    winetest_start_time = GetTickCount();
    winetest_last_time = (LONG)winetest_start_time;
    winetest_argc = argc;
    winetest_argv = argv;

    winetest_init_platform();
    winetest_debug = winetest_env_int("WINETEST_DEBUG", 1);
    winetest_interactive = winetest_env_int("WINETEST_INTERACTIVE", 0);
    winetest_report_success = winetest_env_int("WINETEST_REPORT_SUCCESS", 0);
    winetest_report_flaky = winetest_env_int("WINETEST_REPORT_FLAKY", 0);
    winetest_mute_threshold = winetest_env_int("WINETEST_MUTE_THRESHOLD", 42);
    winetest_time = winetest_env_int("WINETEST_TIME", 0);
    winetest_init_color();

    /* Unattended runs must not stop on a dialog box about a missing disk or a crash. */
    if (!winetest_interactive) SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
    SetUnhandledExceptionFilter(winetest_exception_filter);

    if (argc < 2)
    {
        if (winetest_testlist[0].name && !winetest_testlist[1].name)
            return winetest_run_test(winetest_testlist[0].name);
        winetest_usage(argv[0]);
    }
    if (!strcmp(argv[1], "--list"))
    {
        winetest_list_tests();
        return 0;
    }
    return winetest_run_test(argv[1]);
}

#endif /* STANDALONE */

#endif /* RSTRTMGR_WINE_TEST_H */
