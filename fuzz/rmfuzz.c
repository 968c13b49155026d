/*
 * rmfuzz: randomized sequences of Restart Manager calls, with oracles
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
 * usage: rmfuzz [--seed S] [--steps N] [--threads T] [--thread-steps N] [--other EXE]
 *               [--child-steps N] [--holder EXE] [--skip CLASS[,CLASS...]] [--watchdog SECONDS]
 *               [--verbose]
 *
 * One run is one seed (tools/fuzz.sh runs many).  Phases:
 *  1. Sequence: --steps calls drawn from a seeded generator over a pool of 4 session slots
 *     (primary, joined, ended and unowned handle numbers; valid, ended and mutated keys), odd
 *     names (devices, pipes, mailslots, directories, 32767-character paths, relative, UNC,
 *     \\?\ and \??\ forms, empty), every parameter's edge cases, filters added and removed
 *     between shutdowns, and holder processes (window holders: --holder, programs/holdfile/holdfile.exe;
 *     console holders: this program with --hold) that keep a registered file open.
 *     With --other, a process of the other architecture (the same program, --child) joins the
 *     first two sessions by key and makes --child-steps calls on them meanwhile.
 *  2. Threads: --threads threads make --thread-steps calls each on three shared sessions
 *     (primary and joined handles, a few hundred registered names each), ending and starting
 *     them again under each other's calls.
 *  3. The end: every session ended; no key of this run left in the store, every key there
 *     parses; 64 sessions start (the 65th: ERROR_MAX_SESSIONS_REACHED); the store is empty.
 *
 * Oracles: every return code is in its function's documented set; no call takes longer than
 * --watchdog seconds (a watchdog thread reports the call in flight and ends the process);
 * out-parameters agree with the code (needed counts, untouched guard bytes, a filter buffer
 * whose records stay inside it); the progress callback never decreases; in phase 1, RmShutdown
 * never returns ERROR_SUCCESS while a holder it targeted, that no RmNoShutdown filter protects
 * now (RmGetFilterList), is still running, and RmRestart never returns ERROR_SUCCESS on a
 * session whose RmShutdown calls all failed before acting (ERROR_REQUEST_OUT_OF_SEQUENCE).
 *
 * Replay: the calls of phase 1 are a function of the seed (and of the DLL's answers, which
 * pick the handle numbers): "--seed S --steps N+1 --threads 0" without --other (with the same
 * --holder and --skip) replays a failure at step N exactly; every failure prints the
 * tools/fuzz.sh command.  With --other the child's calls on the shared sessions run beside
 * the driver's and may change its answers.  Thread interleavings are not reproducible: a phase-2 failure prints its
 * seed, thread and step, and the same options give the same per-thread call sequences.
 *
 * --skip leaves out a class of known problems (issue 13), off by default:
 *   devices  register no device, pipe or mailslot names (RmGetList hangs on them)
 *   ended    never end a session while other threads or the child call on it
 *   race     accept ERROR_WRITE_FAULT from a call racing RmEndSession
 *   filters  no "still running" verdict for a holder an earlier RmShutdown of the session
 *            skipped because of a filter
 *   restart  no ERROR_REQUEST_OUT_OF_SEQUENCE verdict after failed RmShutdown calls
 *   cancel   accept 0 from RmCancelCurrentTask on a joined handle whose session its primary
 *            ended (found by this tester; joined handles get 1219 once issue 10 lands)
 *
 * The last line is "PASS seed S" or "FAIL seed S"; the exit code is 0 or 1 (3: watchdog).
 * The other modes are this program's own children: "--child --keys K1,K2 ..." (the
 * other-architecture secondary) and "--hold FILE PARENT-PID" (a console holder).
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <windows.h>
#include <tlhelp32.h>
#include <restartmanager.h>

#include "rstrtmgr_compat.h"

#define STORE_ROOT    L"Software\\Microsoft\\RestartManager"
#define MAX_THREADS   8
#define SLOTS         4
#define JOINED        2
#define OLD_HANDLES   4
#define HOLDERS       3
#define THREAD_SLOTS  3
#define MAX_SESSIONS  64
#define LONG_CHARS    32767
#define GUARD         0xcd

static const char *arch_name = sizeof(void *) == 8 ? "x86_64" : "i686";

enum skip_class { SKIP_DEVICES = 1, SKIP_ENDED = 2, SKIP_RACE = 4, SKIP_FILTERS = 8, SKIP_RESTART = 16, SKIP_CANCEL = 32 };

static struct
{
    unsigned int seed, steps, threads, thread_steps, child_steps, watchdog, skip;
    BOOL verbose, child, hold;
    const WCHAR *other, *holder, *keys, *hold_file;
} opt = { 1, 400, 2, 150, 300, 30, 0 };

/* ------------------------------------------------------------------ generator */

/* xorshift64*, seeded through splitmix64: one stream per thread. */
struct rng
{
    unsigned long long state;
};

static void rng_seed(struct rng *rng, unsigned long long seed, unsigned int stream)
{
    unsigned long long z = seed * 0x9e3779b97f4a7c15ull + stream + 1;

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    rng->state = (z ^ (z >> 31)) | 1;
}

static unsigned int rnd(struct rng *rng, unsigned int n)
{
    rng->state ^= rng->state >> 12;
    rng->state ^= rng->state << 25;
    rng->state ^= rng->state >> 27;
    return n ? (unsigned int)((rng->state * 0x2545f4914f6cdd1dull) >> 32) % n : 0;
}

static BOOL chance(struct rng *rng, unsigned int percent)
{
    return rnd(rng, 100) < percent;
}

/* ------------------------------------------------------------------ reporting and watchdog */

/* What each thread is doing: the watchdog reads it. */
struct flight
{
    volatile LONG active;
    DWORD start;
    unsigned int step;
    char call[600];
};

static struct flight flights[MAX_THREADS + 1];
static CRITICAL_SECTION print_cs;
static volatile LONG failures, calls_made;
/* What phase 1's RmShutdown calls did to targeted holders: closed, left under a filter. */
static unsigned int holders_closed, holders_filtered, shutdowns_ok;

static void say(const char *format, ...)
{
    va_list args;

    EnterCriticalSection(&print_cs);
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    fflush(stdout);
    LeaveCriticalSection(&print_cs);
}

static const char *skip_text(void);

/* The command that replays a failure (tools/fuzz.sh passes the holder and the other
 * architecture's program as it did). */
static const char *replay_hint(unsigned int thread, unsigned int step)
{
    static char hint[300];
    char skip[80] = "";

    if (opt.skip) snprintf(skip, sizeof(skip), " --skip %s", skip_text());
    if (opt.child) snprintf(hint, sizeof(hint), "the driver's command (this child runs with it)");
    else if (!thread)
        snprintf(hint, sizeof(hint), "tools/fuzz.sh --no-build --arch %s --seeds %u --steps %u --threads 0%s%s",
                 arch_name, opt.seed, step + 1, skip, opt.other ? " (the child's calls may take part: "
                 "--no-other replays the driver's alone, exactly)" : " --no-other");
    else
        snprintf(hint, sizeof(hint), "tools/fuzz.sh --no-build --arch %s --seeds %u --steps %u --threads %u "
                 "--thread-steps %u%s (thread interleavings vary)", arch_name, opt.seed, opt.steps, opt.threads,
                 step + 1, skip);
    return hint;
}

/* thread 0 is the sequence (phase 1), 1..N the threads of phase 2. */
static void fail(unsigned int thread, unsigned int step, const char *format, ...)
{
    char text[1024];
    va_list args;

    va_start(args, format);
    vsnprintf(text, sizeof(text), format, args);
    va_end(args);
    InterlockedIncrement(&failures);
    say("FAIL %s%s seed %u thread %u step %u: %s\n  replay: %s\n", arch_name, opt.child ? " child" : "",
        opt.seed, thread, step, text, replay_hint(thread, step));
}

static void begin_call(unsigned int thread, unsigned int step, const char *format, ...)
{
    struct flight *flight = &flights[thread];
    va_list args;

    va_start(args, format);
    vsnprintf(flight->call, sizeof(flight->call), format, args);
    va_end(args);
    flight->step = step;
    flight->start = GetTickCount();
    InterlockedExchange(&flight->active, 1);
    if (opt.verbose) say("%s t%u #%u %s\n", arch_name, thread, step, flight->call);
}

static void end_call(unsigned int thread)
{
    InterlockedExchange(&flights[thread].active, 0);
    InterlockedIncrement(&calls_made);
}

/* A call that does not return within the limit is a hang: report it and end the process
 * (the hung call may hold locks that a clean exit would wait for). */
static DWORD WINAPI watchdog_thread(void *arg)
{
    unsigned int i;

    for (;;)
    {
        Sleep(250);
        for (i = 0; i <= MAX_THREADS; i++)
        {
            struct flight *flight = &flights[i];

            if (!flight->active || GetTickCount() - flight->start < opt.watchdog * 1000) continue;
            fail(i, flight->step, "watchdog: %s still running after %u s", flight->call, opt.watchdog);
            say("FAIL seed %u\n", opt.seed);
            TerminateProcess(GetCurrentProcess(), 3);
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ documented codes */

enum api
{
    API_START, API_JOIN, API_END, API_REGISTER, API_GETLIST, API_SHUTDOWN, API_RESTART, API_CANCEL,
    API_ADDFILTER, API_REMOVEFILTER, API_GETFILTERLIST, API_RESERVEHEAP, API_COUNT
};

static const char *api_names[API_COUNT] =
{
    "RmStartSession", "RmJoinSession", "RmEndSession", "RmRegisterResources", "RmGetList", "RmShutdown",
    "RmRestart", "RmCancelCurrentTask", "RmAddFilter", "RmRemoveFilter", "RmGetFilterList", "RmReserveHeap"
};

/* Each function's documented codes (Microsoft's pages and the SDK header; api-spec.md 0.3 and
 * 2.x), plus: 1219 for RmGetList and RmCancelCurrentTask on a joined handle and for RmShutdown
 * and RmRestart from a secondary; 5 for RmShutdown (its list refresh meets a registered
 * directory or a file the caller may not open, as RmGetList does); 776 for RmRestart. */
static const DWORD api_codes[API_COUNT][12] =
{
    { 0, 121, 160, 353, 29, 14 },
    { 0, 1219, 121, 160, 29, 353, 14 },
    { 0, 121, 29, 14, 6, 160 },
    { 0, 121, 160, 29, 14, 6 },
    { 0, 234, 1223, 121, 160, 29, 14, 6, 5, 1219 },
    { 0, 350, 351, 1223, 121, 160, 29, 14, 6, 5, 1219 },
    { 0, 776, 352, 121, 1223, 160, 29, 14, 6, 1219 },
    { 0, 160, 14, 6, 1219 },
    { 0, 160, 1219, 6 },
    { 0, 2, 1219, 160, 6 },
    { 0, 160, 234, 1219, 6 },
    { 0 },
};
static const unsigned int api_code_count[API_COUNT] = { 6, 7, 6, 6, 10, 11, 10, 5, 4, 5, 5, 1 };

static BOOL documented(enum api api, DWORD code)
{
    unsigned int i;

    for (i = 0; i < api_code_count[api]; i++) if (api_codes[api][i] == code) return TRUE;
    return FALSE;
}

/* Ends the call in flight and applies the code oracle; racing: the call may have raced an
 * RmEndSession of its session (--skip race accepts ERROR_WRITE_FAULT then). */
static DWORD check_code(unsigned int thread, unsigned int step, enum api api, DWORD code, BOOL racing)
{
    end_call(thread);
    if (opt.verbose) say("%s t%u #%u   -> %lu\n", arch_name, thread, step, code);
    if (documented(api, code)) return code;
    if (racing && (opt.skip & SKIP_RACE) && code == ERROR_WRITE_FAULT) return code;
    fail(thread, step, "%s returned %lu, not one of its documented codes (call: %s)", api_names[api], code,
         flights[thread].call);
    return code;
}

/* check_code for RmStartSession and RmJoinSession; the verbose log names the handle each
 * success gave out, so a replay can follow every number the DLL holds for this process. */
static DWORD check_new_handle(unsigned int thread, unsigned int step, enum api api, DWORD code, BOOL racing,
                              const DWORD *handle)
{
    check_code(thread, step, api, code, racing);
    if (opt.verbose && !code && handle) say("%s t%u #%u   -> handle %lu\n", arch_name, thread, step, *handle);
    return code;
}

/* ------------------------------------------------------------------ names */

/* holder: the holder whose file this names (any spelling), -1 none, -2 every window holder
 * (the window holders' image). */
struct name
{
    WCHAR *text;
    int holder;
    BOOL device;
};

static struct name names[64];
static unsigned int name_count;
/* The first names leave a session usable for RmShutdown: the held files, the holders' image,
 * missing and plain files; the others (directories, the caller's image, devices...) make
 * every later RmShutdown of the session fail before acting. */
static unsigned int benign_names, device_names;
static WCHAR work_dir[MAX_PATH], self_exe[MAX_PATH], holder_exe[MAX_PATH];
static HANDLE pipe_server, mailslot;

static WCHAR *wcsdup_printf(const WCHAR *format, ...)
{
    WCHAR buffer[MAX_PATH * 2];
    va_list args;

    va_start(args, format);
    vswprintf(buffer, ARRAYSIZE(buffer), format, args);
    va_end(args);
    return wcsdup(buffer);
}

static void add_name(WCHAR *text, int holder, BOOL device)
{
    if (name_count == ARRAYSIZE(names)) return;
    names[name_count].text = text;
    names[name_count].holder = holder;
    names[name_count].device = device;
    name_count++;
}

static WCHAR *long_path(const WCHAR *prefix, unsigned int total)
{
    WCHAR *text = malloc((total + 1) * sizeof(WCHAR));
    size_t len = wcslen(prefix), i;

    wcscpy(text, prefix);
    for (i = len; i < total; i++) text[i] = (i - len) % 200 == 199 ? '\\' : 'a' + i % 26;
    text[total] = 0;
    return text;
}

static void held_file_path(unsigned int holder, WCHAR *path, size_t size)
{
    swprintf(path, size, L"%ls\\held-%u.txt", work_dir, holder);
}

/* The spellings of one held file that name the same file: any case, '/' or '\', \\?\ or
 * \??\ in front (README, "Who uses a file"). */
static void add_held_names(unsigned int holder)
{
    WCHAR path[MAX_PATH], *upper, *slashes;

    held_file_path(holder, path, ARRAYSIZE(path));
    add_name(wcsdup(path), holder, FALSE);
    upper = wcsdup(path);
    CharUpperW(upper);
    add_name(upper, holder, FALSE);
    slashes = wcsdup(path);
    for (WCHAR *p = slashes; *p; p++) if (*p == '\\') *p = '/';
    add_name(slashes, holder, FALSE);
    add_name(wcsdup_printf(L"\\\\?\\%ls", path), holder, FALSE);
    add_name(wcsdup_printf(L"\\??\\%ls", path), holder, FALSE);
}

static void add_device_names(void)
{
    static const WCHAR *devices[] =
    {
        L"COM1", L"AUX", L"NUL", L"CON", L"CONIN$", L"CONOUT$", L"PRN", L"LPT1", L"\\\\.\\COM1", L"\\\\.\\NUL",
        L"\\\\.\\C:", L"C:\\COM1",
    };
    unsigned int i;

    for (i = 0; i < ARRAYSIZE(devices); i++) add_name(wcsdup(devices[i]), -1, TRUE);
    add_name(wcsdup_printf(L"\\\\.\\pipe\\rmfuzz-%lu", GetCurrentProcessId()), -1, TRUE);
    add_name(wcsdup_printf(L"\\\\.\\mailslot\\rmfuzz-%lu", GetCurrentProcessId()), -1, TRUE);
    add_name(wcsdup_printf(L"%ls\\com1.txt", work_dir), -1, TRUE);
}

/* The pool of names to register: held files, missing and plain files, directories, devices,
 * pipes and mailslots, long, relative, UNC and prefixed forms, empty strings. */
static void build_names(BOOL holders)
{
    WCHAR windir[MAX_PATH];
    unsigned int i;
    HANDLE file;

    if (holders) for (i = 0; i < HOLDERS; i++) add_held_names(i);
    if (holders && holder_exe[0]) add_name(wcsdup(holder_exe), -2, FALSE);
    for (i = 0; i < 4; i++) add_name(wcsdup_printf(L"%ls\\missing-%u.txt", work_dir, i), -1, FALSE);
    for (i = 0; i < 2; i++)
    {
        WCHAR *path = wcsdup_printf(L"%ls\\plain-%u.txt", work_dir, i);

        file = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
        if (file != INVALID_HANDLE_VALUE) CloseHandle(file);
        add_name(path, -1, FALSE);
    }
    benign_names = name_count;
    GetWindowsDirectoryW(windir, MAX_PATH);
    add_name(wcsdup(work_dir), -1, FALSE);
    add_name(wcsdup_printf(L"%ls\\", work_dir), -1, FALSE);
    add_name(wcsdup(windir), -1, FALSE);
    add_name(long_path(L"C:\\", LONG_CHARS), -1, FALSE);
    add_name(long_path(L"\\\\?\\C:\\", LONG_CHARS - 1), -1, FALSE);
    add_name(long_path(L"C:\\rmfuzz\\", 300), -1, FALSE);
    add_name(wcsdup(L"rmfuzz-relative.txt"), -1, FALSE);
    add_name(wcsdup(L"..\\rmfuzz-relative.txt"), -1, FALSE);
    add_name(wcsdup(L"."), -1, FALSE);
    add_name(wcsdup(L"\\\\server\\share\\x"), -1, FALSE);
    add_name(wcsdup(L"\\\\?\\UNC\\server\\share\\x"), -1, FALSE);
    add_name(wcsdup(L""), -1, FALSE);
    add_name(wcsdup(L" "), -1, FALSE);
    add_name(wcsdup(L"C:"), -1, FALSE);
    add_name(wcsdup(L"\\\\?\\"), -1, FALSE);
    add_name(wcsdup(self_exe), -1, FALSE);  /* the caller's own image: RmRebootReasonDetectedSelf */
    device_names = name_count;
    if (!(opt.skip & SKIP_DEVICES)) add_device_names();
}

static const struct name *pick_name(struct rng *rng)
{
    unsigned int r = rnd(rng, 100);

    if (r < 75 || name_count == benign_names) return &names[rnd(rng, benign_names)];
    if (r < 88 || name_count == device_names) return &names[benign_names + rnd(rng, device_names - benign_names)];
    return &names[device_names + rnd(rng, name_count - device_names)];
}

static const WCHAR *service_names[] = { L"rmfuzz-no-such-service", L"", L"RpcSs", L"a\\b", L"rmfuzz service" };

/* ------------------------------------------------------------------ holders */

struct holder
{
    HANDLE process;
    RM_UNIQUE_PROCESS id;
    BOOL window;
};

static struct holder holders[HOLDERS];
static HANDLE child_process;

static BOOL identity_of(HANDLE process, DWORD pid, RM_UNIQUE_PROCESS *id)
{
    FILETIME created, exited, kernel, user;

    if (!GetProcessTimes(process, &created, &exited, &kernel, &user)) return FALSE;
    id->dwProcessId = pid;
    id->ProcessStartTime = created;
    return TRUE;
}

static BOOL holder_running(const struct holder *holder)
{
    return holder->process && WaitForSingleObject(holder->process, 0) == WAIT_TIMEOUT;
}

static BOOL is_our_holder(DWORD pid)
{
    unsigned int i;

    for (i = 0; i < HOLDERS; i++) if (holders[i].process && holders[i].id.dwProcessId == pid) return TRUE;
    return FALSE;
}

/* Processes this one started that the model does not track: holders RmRestart started again.
 * They would hold the files of the model's holders; end them (children of ours only). */
static void end_strays(BOOL all)
{
    PROCESSENTRY32W entry = { sizeof(entry) };
    DWORD self = GetCurrentProcessId(), child = child_process ? GetProcessId(child_process) : 0;
    HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);

    if (snapshot == INVALID_HANDLE_VALUE) return;
    if (Process32FirstW(snapshot, &entry)) do
    {
        HANDLE process;

        if (entry.th32ParentProcessID != self || entry.th32ProcessID == child) continue;
        if (!all && is_our_holder(entry.th32ProcessID)) continue;
        if (_wcsicmp(entry.szExeFile, L"holdfile.exe") && _wcsicmp(entry.szExeFile, L"rmfuzz.exe")) continue;
        if (!(process = OpenProcess(PROCESS_TERMINATE | SYNCHRONIZE, FALSE, entry.th32ProcessID))) continue;
        TerminateProcess(process, 1);
        WaitForSingleObject(process, 2000);
        CloseHandle(process);
    } while (Process32NextW(snapshot, &entry));
    CloseHandle(snapshot);
}

/* Whether someone holds the file without sharing (the holders open it so). */
static BOOL file_held(const WCHAR *path)
{
    HANDLE file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                              OPEN_EXISTING, 0, NULL);

    if (file != INVALID_HANDLE_VALUE)
    {
        CloseHandle(file);
        return FALSE;
    }
    return GetLastError() == ERROR_SHARING_VIOLATION;
}

static void drop_holder(struct holder *holder)
{
    if (!holder->process) return;
    if (holder_running(holder)) TerminateProcess(holder->process, 1);
    WaitForSingleObject(holder->process, 5000);
    CloseHandle(holder->process);
    memset(holder, 0, sizeof(*holder));
}

/* A window holder (programs/holdfile/holdfile.exe) or a console one (this program, --hold) of the
 * holder's file; returns once the file is held. */
static BOOL spawn_holder(unsigned int index, BOOL window)
{
    struct holder *holder = &holders[index];
    STARTUPINFOW si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    WCHAR path[MAX_PATH], cmdline[3 * MAX_PATH];
    unsigned int i;

    drop_holder(holder);
    end_strays(FALSE);
    held_file_path(index, path, ARRAYSIZE(path));
    if (window && !holder_exe[0]) window = FALSE;
    if (window) swprintf(cmdline, ARRAYSIZE(cmdline), L"\"%ls\" \"%ls\" 600", holder_exe, path);
    else swprintf(cmdline, ARRAYSIZE(cmdline), L"\"%ls\" --hold \"%ls\" %lu", self_exe, path, GetCurrentProcessId());
    if (!CreateProcessW(window ? holder_exe : self_exe, cmdline, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
        return FALSE;
    CloseHandle(pi.hThread);
    holder->process = pi.hProcess;
    holder->window = window;
    identity_of(pi.hProcess, pi.dwProcessId, &holder->id);
    for (i = 0; i < 200 && !file_held(path); i++)
    {
        if (!holder_running(holder)) break;
        Sleep(25);
    }
    return file_held(path);
}

/* --hold FILE PARENT: a console application that keeps FILE open until its parent exits (or
 * a console control event ends it: the default handler exits). */
static int run_hold(int argc, WCHAR **argv)
{
    HANDLE file, parent;

    if (argc < 4) return 2;
    file = CreateFileW(argv[2], GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_ALWAYS, 0, NULL);
    if (file == INVALID_HANDLE_VALUE) return 1;
    parent = OpenProcess(SYNCHRONIZE, FALSE, wcstoul(argv[3], NULL, 10));
    WaitForSingleObject(parent, 600000);
    CloseHandle(file);
    return 0;
}

/* ------------------------------------------------------------------ sessions, handles, keys */

enum shut_state { SHUT_NONE, SHUT_ACTED, SHUT_FAILED };

struct slot
{
    volatile LONG handle, live;         /* the primary handle */
    volatile LONG joined[JOINED], joined_live[JOINED];
    BOOL joined_stale[JOINED];          /* its session ended; the number is not released yet,
                                         * so the entry may not take another one */
    volatile LONG busy;                 /* phase 2: a thread is replacing the session */
    DWORD old[OLD_HANDLES];             /* numbers this process held once */
    unsigned int old_next;
    WCHAR key[CCH_RM_SESSION_KEY + 1], old_key[CCH_RM_SESSION_KEY + 1];
    BOOL shared;                        /* the other-architecture child calls on it */
    /* The model (phase 1): what this session targets and what its RmShutdown calls did. */
    enum shut_state shut;
    BOOL target_file[HOLDERS], target_window_image, skipped[HOLDERS];
    RM_UNIQUE_PROCESS target_proc[16];
    unsigned int ntarget_proc;
    char devices[160];                  /* device names this process registered in it */
};

enum role { ROLE_NONE, ROLE_PRIMARY, ROLE_JOINED };

struct actor
{
    unsigned int thread, step;
    struct rng rng;
    struct slot *slots;
    unsigned int nslots;
    BOOL model;     /* single-threaded with a model: the state oracles apply */
    BOOL owner;     /* single-threaded: keeps the slots' handle bookkeeping */
};

static RM_UNIQUE_PROCESS self_id;

static void remember_old(struct slot *slot, DWORD handle)
{
    slot->old[slot->old_next++ % OLD_HANDLES] = handle;
}

static void reset_model(struct slot *slot)
{
    slot->shut = SHUT_NONE;
    memset(slot->target_file, 0, sizeof(slot->target_file));
    memset(slot->skipped, 0, sizeof(slot->skipped));
    slot->target_window_image = FALSE;
    slot->ntarget_proc = 0;
    slot->devices[0] = 0;
}

/* Device names registered in the session of a handle, for the watchdog's report. */
static const char *session_note(const struct actor *actor, DWORD handle)
{
    static __thread char note[200];
    unsigned int i, j;

    note[0] = 0;
    for (i = 0; i < actor->nslots; i++)
    {
        const struct slot *slot = &actor->slots[i];
        BOOL match = (DWORD)slot->handle == handle;

        for (j = 0; j < JOINED; j++) match |= (DWORD)slot->joined[j] == handle;
        if (match && slot->devices[0]) snprintf(note, sizeof(note), " [devices registered: %s]", slot->devices);
    }
    return note;
}

/* Which of our slots, and in which role, a handle number stands for now. */
static enum role resolve(const struct actor *actor, DWORD handle, struct slot **found)
{
    unsigned int i, j;

    *found = NULL;
    for (i = 0; i < actor->nslots; i++)
    {
        struct slot *slot = &actor->slots[i];

        if (slot->live && (DWORD)slot->handle == handle)
        {
            *found = slot;
            return ROLE_PRIMARY;
        }
        for (j = 0; j < JOINED; j++)
            if (slot->joined_live[j] && (DWORD)slot->joined[j] == handle)
            {
                *found = slot;
                return ROLE_JOINED;
            }
    }
    return ROLE_NONE;
}

/* Primary, joined, once-held and never-held handle numbers. */
static DWORD pick_handle(struct actor *actor)
{
    struct slot *slot = &actor->slots[rnd(&actor->rng, actor->nslots)];
    unsigned int r = rnd(&actor->rng, 100);
    static const DWORD unowned[] = { 0xffffffff, 0x80000000, 0x7fffffff, 4096 };

    if (r < 50) return slot->handle;
    if (r < 75) return slot->joined[rnd(&actor->rng, JOINED)];
    if (r < 87) return slot->old[rnd(&actor->rng, OLD_HANDLES)];
    if (r < 94) return 100 + rnd(&actor->rng, 64);
    return unowned[rnd(&actor->rng, ARRAYSIZE(unowned))];
}

enum key_kind { KEY_EXACT, KEY_UPPER, KEY_FLIPPED, KEY_SHORT, KEY_LONG, KEY_NONHEX, KEY_EMPTY, KEY_NULL,
                KEY_BRACES, KEY_RANDOM, KEY_OLD, KEY_KINDS };

/* A key for the slot's session, or a mutation of it; NULL for KEY_NULL. */
static const WCHAR *make_key(struct actor *actor, const struct slot *slot, enum key_kind kind, WCHAR *buffer)
{
    unsigned int i, pos = rnd(&actor->rng, CCH_RM_SESSION_KEY);

    wcscpy(buffer, slot->key);
    switch (kind)
    {
    case KEY_EXACT: break;
    case KEY_UPPER: CharUpperW(buffer); break;
    case KEY_FLIPPED: buffer[pos] = buffer[pos] == '0' ? '1' : '0'; break;
    case KEY_SHORT: buffer[CCH_RM_SESSION_KEY - 1] = 0; break;
    case KEY_LONG: wcscat(buffer, L"0"); break;
    case KEY_NONHEX: buffer[pos] = 'g'; break;
    case KEY_EMPTY: buffer[0] = 0; break;
    case KEY_NULL: return NULL;
    case KEY_BRACES: swprintf(buffer, CCH_RM_SESSION_KEY + 8, L"{%ls}", slot->key); break;
    case KEY_RANDOM:
        for (i = 0; i < CCH_RM_SESSION_KEY; i++) buffer[i] = L"0123456789abcdef"[rnd(&actor->rng, 16)];
        buffer[CCH_RM_SESSION_KEY] = 0;
        break;
    case KEY_OLD: wcscpy(buffer, slot->old_key); break;
    default: break;
    }
    return buffer;
}

/* ------------------------------------------------------------------ the progress callback */

struct progress
{
    int last;
    UINT bad;
};

static DWORD progress_tls;

static void progress_report(UINT percent)
{
    struct progress *progress = TlsGetValue(progress_tls);

    if (!progress) return;
    if (percent > 100 || (int)percent < progress->last) progress->bad = percent + 1;
    progress->last = percent;
}

static void progress_cdecl(UINT percent)
{
    progress_report(percent);
}

/* Some bindings declare the callback stdcall; the DLL restores the stack after it. */
static void WINAPI progress_stdcall(UINT percent)
{
    progress_report(percent);
}

static RM_WRITE_STATUS_CALLBACK pick_callback(struct actor *actor, struct progress *progress)
{
    unsigned int r = rnd(&actor->rng, 3);

    progress->last = -1;
    progress->bad = 0;
    TlsSetValue(progress_tls, progress);
    if (r == 0) return NULL;
    if (r == 1) return progress_cdecl;
    return (RM_WRITE_STATUS_CALLBACK)(void *)progress_stdcall;
}

static void check_progress(struct actor *actor, const char *api, const struct progress *progress)
{
    if (progress->bad)
        fail(actor->thread, actor->step, "%s reported progress %u after %d", api, progress->bad - 1,
             progress->last);
}

/* A joined handle of a session its primary ended, not released yet: RmEndSession may release
 * it with 0 (once).  TRUE if the handle is one. */
static BOOL stale_joined(struct actor *actor, DWORD handle, BOOL release)
{
    unsigned int i, j;

    for (i = 0; i < actor->nslots; i++)
        for (j = 0; j < JOINED; j++)
            if (actor->slots[i].joined_stale[j] && (DWORD)actor->slots[i].joined[j] == handle)
            {
                if (release) actor->slots[i].joined_stale[j] = FALSE;
                return TRUE;
            }
    return FALSE;
}

/* A handle this process does not hold never succeeds (single-threaded actors only). */
static void check_unheld(struct actor *actor, enum role role, DWORD handle, enum api api, DWORD ret)
{
    if (!actor->owner || role != ROLE_NONE || ret) return;
    if (api == API_END && stale_joined(actor, handle, TRUE)) return;
    if (api == API_CANCEL && (opt.skip & SKIP_CANCEL) && stale_joined(actor, handle, FALSE)) return;
    fail(actor->thread, actor->step, "%s returned 0 for handle %lu, which this process does not hold%s",
         api_names[api], handle, stale_joined(actor, handle, FALSE) ? " (a joined handle whose session ended)" : "");
}

/* A secondary may not shut down, restart or touch filters (1219, or 6 once ended). */
static void check_secondary(struct actor *actor, enum role role, enum api api, DWORD ret)
{
    if (actor->owner && role == ROLE_JOINED && !ret)
        fail(actor->thread, actor->step, "%s returned 0 on a joined handle", api_names[api]);
}

/* ------------------------------------------------------------------ sessions: start, join, end */

static BOOL racing(const struct actor *actor)
{
    return actor->thread != 0 || opt.child;
}

static void short_text(const WCHAR *text, char *out, size_t size)
{
    size_t len = text ? wcslen(text) : 0;

    if (!text) snprintf(out, size, "NULL");
    else if (len > 48) snprintf(out, size, "\"%.40ls...\" (%u chars)", text, (unsigned int)len);
    else snprintf(out, size, "\"%ls\"", text);
}

/* RmEndSession on one number, with the bookkeeping of an owner. */
static void end_handle(struct actor *actor, DWORD handle)
{
    struct slot *slot;
    enum role role = resolve(actor, handle, &slot);
    unsigned int j;
    DWORD ret;

    begin_call(actor->thread, actor->step, "RmEndSession(%lu)", handle);
    ret = check_code(actor->thread, actor->step, API_END, RmEndSession(handle), racing(actor));
    check_unheld(actor, role, handle, API_END, ret);
    if (!actor->owner || ret) return;
    if (role == ROLE_PRIMARY)
    {
        slot->live = FALSE;
        remember_old(slot, handle);
        for (j = 0; j < JOINED; j++)
        {
            if (!slot->joined_live[j]) continue;
            remember_old(slot, slot->joined[j]);
            slot->joined_stale[j] = TRUE;
            slot->joined_live[j] = FALSE;
        }
    }
    else if (role == ROLE_JOINED)
    {
        for (j = 0; j < JOINED; j++)
            if (slot->joined_live[j] && (DWORD)slot->joined[j] == handle) slot->joined_live[j] = FALSE;
        remember_old(slot, handle);
    }
}

/* A session started and ended at once: from threads and the child, which own no slots. */
static void transient_session(struct actor *actor)
{
    WCHAR key[CCH_RM_SESSION_KEY + 8];
    DWORD handle, ret;

    begin_call(actor->thread, actor->step, "RmStartSession(&h, 0, key)");
    ret = check_new_handle(actor->thread, actor->step, API_START, RmStartSession(&handle, 0, key), racing(actor),
                           &handle);
    if (ret) return;
    begin_call(actor->thread, actor->step, "RmEndSession(%lu) (just started)", handle);
    ret = check_code(actor->thread, actor->step, API_END, RmEndSession(handle), racing(actor));
    if (ret) fail(actor->thread, actor->step, "RmEndSession of a session just started returned %lu", ret);
}

static void op_start(struct actor *actor)
{
    struct slot *slot = &actor->slots[rnd(&actor->rng, actor->nslots)];
    unsigned int r = rnd(&actor->rng, 100);
    DWORD flags = r < 4 ? 1 : r < 8 ? 0x80000000 : 0, handle = 0xdeadbeef, ret;
    BOOL null_handle = r >= 8 && r < 14, null_key = r >= 14 && r < 18;
    WCHAR key[CCH_RM_SESSION_KEY + 8] = { 0 };

    if (!actor->owner || opt.child)
    {
        transient_session(actor);
        return;
    }
    if (slot->live)
    {
        if (!(slot->shared && (opt.skip & SKIP_ENDED))) end_handle(actor, slot->handle);
        return;
    }
    begin_call(actor->thread, actor->step, "RmStartSession(%s, %#lx, %s)", null_handle ? "NULL" : "&h", flags,
               null_key ? "NULL" : "key");
    ret = check_new_handle(actor->thread, actor->step, API_START,
                           RmStartSession(null_handle ? NULL : &handle, flags, null_key ? NULL : key), FALSE,
                           null_handle ? NULL : &handle);
    if (ret) return;
    if (null_handle)
    {
        fail(actor->thread, actor->step, "RmStartSession(NULL, ...) returned 0");
        return;
    }
    slot->handle = handle;
    slot->live = TRUE;
    slot->shared = FALSE;
    wcscpy(slot->old_key, slot->key);
    wcscpy(slot->key, null_key ? L"" : key);
    reset_model(slot);
}

static void op_end(struct actor *actor)
{
    DWORD handle = pick_handle(actor);
    struct slot *slot;
    enum role role = resolve(actor, handle, &slot);

    if (role == ROLE_PRIMARY && slot->shared && (opt.skip & SKIP_ENDED)) return;
    end_handle(actor, handle);
}

static void op_join(struct actor *actor)
{
    struct slot *slot = &actor->slots[rnd(&actor->rng, actor->nslots)];
    unsigned int j = rnd(&actor->rng, JOINED);
    enum key_kind kind = rnd(&actor->rng, KEY_KINDS);
    BOOL null_handle = chance(&actor->rng, 5), valid = kind == KEY_EXACT || kind == KEY_UPPER;
    WCHAR buffer[CCH_RM_SESSION_KEY + 8];
    const WCHAR *key = make_key(actor, slot, kind, buffer);
    DWORD handle = 0xdeadbeef, ret;
    char text[80];

    /* The entry takes a new number only once the DLL no longer holds its old one: a joined
     * handle whose session ended stays allocated until RmEndSession releases it. */
    if (actor->owner && (slot->joined_live[j] || slot->joined_stale[j]))
    {
        end_handle(actor, slot->joined[j]);
        return;
    }
    short_text(key, text, sizeof(text));
    begin_call(actor->thread, actor->step, "RmJoinSession(%s, %s)", null_handle ? "NULL" : "&h", text);
    ret = check_new_handle(actor->thread, actor->step, API_JOIN, RmJoinSession(null_handle ? NULL : &handle, key),
                           racing(actor), null_handle ? NULL : &handle);
    if (actor->model && valid && !null_handle && slot->live && slot->key[0] && ret == ERROR_SESSION_CREDENTIAL_CONFLICT)
        fail(actor->thread, actor->step, "RmJoinSession refused the key of a live session: %s", text);
    if (ret) return;
    if (null_handle) fail(actor->thread, actor->step, "RmJoinSession(NULL, key) returned 0");
    else if (!valid || !slot->key[0] || (actor->model && !slot->live))
        fail(actor->thread, actor->step, "RmJoinSession accepted a key that names no live session: %s", text);
    if (null_handle) return;
    if (actor->owner)
    {
        slot->joined[j] = handle;
        slot->joined_live[j] = TRUE;
        return;
    }
    begin_call(actor->thread, actor->step, "RmEndSession(%lu) (just joined)", handle);
    check_code(actor->thread, actor->step, API_END, RmEndSession(handle), TRUE);
}

/* ------------------------------------------------------------------ registration */

static void pick_process(struct actor *actor, RM_UNIQUE_PROCESS *process)
{
    const struct holder *holder = &holders[rnd(&actor->rng, HOLDERS)];

    memset(process, 0, sizeof(*process));
    switch (rnd(&actor->rng, 10))
    {
    case 0: case 1: case 2: case 3: case 4:
        if (!opt.child) *process = holder->id;
        break;
    case 5: case 6:
        if (!opt.child) *process = holder->id;
        process->ProcessStartTime.dwLowDateTime++;  /* the right PID at the wrong time */
        break;
    case 7: *process = self_id; break;
    case 8: break;
    default: process->dwProcessId = 0xffffffff; break;
    }
}

static void note_targets(struct slot *slot, UINT nfiles, const struct name **picked, UINT nprocs,
                         const RM_UNIQUE_PROCESS *procs)
{
    unsigned int i;

    for (i = 0; i < nfiles; i++)
    {
        if (picked[i]->holder >= 0) slot->target_file[picked[i]->holder] = TRUE;
        else if (picked[i]->holder == -2) slot->target_window_image = TRUE;
    }
    for (i = 0; i < nprocs && slot->ntarget_proc < ARRAYSIZE(slot->target_proc); i++)
        slot->target_proc[slot->ntarget_proc++] = procs[i];
}

static void op_register(struct actor *actor)
{
    static const UINT huge[] = { 1, 0x7fffffff, 0xffffffff };
    DWORD handle = pick_handle(actor), ret;
    const struct name *picked[5];
    LPCWSTR files[5], svcs[1];
    RM_UNIQUE_PROCESS procs[3];
    UINT nfiles = rnd(&actor->rng, 5), nprocs = chance(&actor->rng, 30) ? rnd(&actor->rng, 3) : 0;
    UINT nsvcs = chance(&actor->rng, 15), i, r = rnd(&actor->rng, 100);
    LPCWSTR *file_array = files, *svc_array = svcs;
    RM_UNIQUE_PROCESS *proc_array = procs;
    struct slot *slot;
    enum role role;
    char text[400] = "", one[80];

    for (i = 0; i < nfiles; i++)
    {
        picked[i] = pick_name(&actor->rng);
        files[i] = picked[i]->text;
    }
    for (i = 0; i < nprocs; i++) pick_process(actor, &procs[i]);
    if (nsvcs) svcs[0] = service_names[rnd(&actor->rng, ARRAYSIZE(service_names))];
    if (r < 6) { nfiles = huge[rnd(&actor->rng, 3)]; file_array = NULL; }
    else if (r < 9) { nprocs = huge[rnd(&actor->rng, 3)]; proc_array = NULL; }
    else if (r < 12) { nsvcs = huge[rnd(&actor->rng, 3)]; svc_array = NULL; }
    else if (r < 16 && nfiles) files[rnd(&actor->rng, nfiles)] = NULL;
    role = resolve(actor, handle, &slot);
    for (i = 0; file_array && i < nfiles; i++)
    {
        short_text(files[i], one, sizeof(one));
        snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s", i ? ", " : "", one);
    }
    begin_call(actor->thread, actor->step, "RmRegisterResources(%lu, %u, %s%s%s, %u, %s, %u, %s)", handle, nfiles,
               file_array ? "{" : "", file_array ? text : "NULL", file_array ? "}" : "", nprocs,
               proc_array ? "{...}" : "NULL", nsvcs, svc_array ? "{...}" : "NULL");
    ret = RmRegisterResources(handle, nfiles, file_array, nprocs, proc_array, nsvcs, svc_array);
    ret = check_code(actor->thread, actor->step, API_REGISTER, ret, racing(actor));
    check_unheld(actor, role, handle, API_REGISTER, ret);
    if (!ret && (!file_array || !proc_array || !svc_array || (r >= 12 && r < 16 && nfiles)))
        fail(actor->thread, actor->step, "RmRegisterResources returned 0 for a NULL array or name");
    if (actor->model && !ret && slot) note_targets(slot, file_array ? nfiles : 0, picked, proc_array ? nprocs : 0, procs);
    if (actor->owner && !ret && slot)
        for (i = 0; file_array && i < nfiles; i++)
            if (picked[i]->device && strlen(slot->devices) < sizeof(slot->devices) - 40)
                snprintf(slot->devices + strlen(slot->devices), sizeof(slot->devices) - strlen(slot->devices), "%s%ls",
                         slot->devices[0] ? " " : "", picked[i]->text);
}

/* Registers count missing names at once (phase 2's sessions). */
static void register_many(struct actor *actor, DWORD handle, unsigned int count)
{
    LPCWSTR *files = malloc(count * sizeof(*files));
    WCHAR **paths = malloc(count * sizeof(*paths));
    unsigned int i;

    for (i = 0; i < count; i++)
    {
        paths[i] = wcsdup_printf(L"%ls\\many\\file-%u.dll", work_dir, i);
        files[i] = paths[i];
    }
    begin_call(actor->thread, actor->step, "RmRegisterResources(%lu, %u files)", handle, count);
    check_code(actor->thread, actor->step, API_REGISTER, RmRegisterResources(handle, count, files, 0, NULL, 0, NULL),
               racing(actor));
    for (i = 0; i < count; i++) free(paths[i]);
    free(paths);
    free(files);
}

/* ------------------------------------------------------------------ RmGetList */

static BOOL guard_intact(const void *start, size_t size)
{
    const BYTE *bytes = start;
    size_t i;

    for (i = 0; i < size; i++) if (bytes[i] != GUARD) return FALSE;
    return TRUE;
}

static BOOL entry_sane(const RM_PROCESS_INFO *info)
{
    if (wcsnlen(info->strAppName, CCH_RM_MAX_APP_NAME + 1) > CCH_RM_MAX_APP_NAME) return FALSE;
    if (wcsnlen(info->strServiceShortName, CCH_RM_MAX_SVC_NAME + 1) > CCH_RM_MAX_SVC_NAME) return FALSE;
    return info->ApplicationType <= RmConsole || info->ApplicationType == RmCritical;
}

/* One RmGetList with capacity cap (array: cap entries and two guard entries, or NULL) and
 * the out-parameter oracles. */
static DWORD call_getlist(struct actor *actor, DWORD handle, UINT cap, BOOL with_array, unsigned int nulls,
                          UINT *needed_out)
{
    RM_PROCESS_INFO *array = with_array ? malloc((cap + 2) * sizeof(*array)) : NULL;
    UINT needed = 0xdeadbeef, got = cap, i;
    DWORD reasons = 0xdeadbeef, ret;
    struct slot *slot;
    enum role role = resolve(actor, handle, &slot);

    if (array) memset(array, GUARD, (cap + 2) * sizeof(*array));
    begin_call(actor->thread, actor->step, "RmGetList(%lu, %s, %s(%u), %s, %s)%s", handle, nulls & 1 ? "NULL" : "&needed",
               nulls & 2 ? "NULL" : "&count", cap, array ? "array" : "NULL", nulls & 4 ? "NULL" : "&reasons",
               session_note(actor, handle));
    ret = RmGetList(handle, nulls & 1 ? NULL : &needed, nulls & 2 ? NULL : &got, array, nulls & 4 ? NULL : &reasons);
    ret = check_code(actor->thread, actor->step, API_GETLIST, ret, racing(actor));
    check_unheld(actor, role, handle, API_GETLIST, ret);
    if (nulls && !ret) fail(actor->thread, actor->step, "RmGetList returned 0 with a NULL out-parameter");
    if (array && !guard_intact(array + cap, 2 * sizeof(*array)))
        fail(actor->thread, actor->step, "RmGetList wrote past the %u entries it was given", cap);
    if (!nulls && ret == ERROR_MORE_DATA && needed <= cap)
        fail(actor->thread, actor->step, "RmGetList returned ERROR_MORE_DATA with %u needed and room for %u", needed, cap);
    if (!nulls && !ret && (got != needed || needed > cap))
        fail(actor->thread, actor->step, "RmGetList returned 0 with %u needed, %u written, room for %u", needed, got, cap);
    if (!nulls && (!ret || ret == ERROR_MORE_DATA) && (reasons & ~0x1fu))
        fail(actor->thread, actor->step, "RmGetList reported reboot reasons %#lx", reasons);
    if (!nulls && !ret && array)
        for (i = 0; i < got && i < cap; i++)
            if (!entry_sane(&array[i])) fail(actor->thread, actor->step, "RmGetList entry %u is malformed", i);
    if (needed_out) *needed_out = !nulls && (!ret || ret == ERROR_MORE_DATA) ? needed : 0;
    free(array);
    return ret;
}

static void op_getlist(struct actor *actor)
{
    DWORD handle = pick_handle(actor);
    UINT needed = 0;

    switch (rnd(&actor->rng, 10))
    {
    case 0: call_getlist(actor, handle, 0, FALSE, 0, NULL); break;
    case 1: call_getlist(actor, handle, 0, TRUE, 0, NULL); break;
    case 2: call_getlist(actor, handle, 1, TRUE, 0, NULL); break;
    case 3:
        /* The documented two-call pattern: exactly the size asked for. */
        if (call_getlist(actor, handle, 0, FALSE, 0, &needed) == ERROR_MORE_DATA)
            call_getlist(actor, handle, min(needed, 64), TRUE, 0, NULL);
        break;
    case 4:
        if (call_getlist(actor, handle, 0, FALSE, 0, &needed) == ERROR_MORE_DATA && needed > 1)
            call_getlist(actor, handle, min(needed - 1, 64), TRUE, 0, NULL);
        break;
    case 5: call_getlist(actor, handle, 8, TRUE, 0, NULL); break;
    case 6: call_getlist(actor, handle, 0, FALSE, 1, NULL); break;
    case 7: call_getlist(actor, handle, 0, FALSE, 2, NULL); break;
    case 8: call_getlist(actor, handle, 0, FALSE, 4, NULL); break;
    default:
        /* A NULL array that claims room for 3. */
        {
            UINT needed2, count = 3;
            DWORD reasons, ret;
            struct slot *slot;
            enum role role = resolve(actor, handle, &slot);

            begin_call(actor->thread, actor->step, "RmGetList(%lu, &needed, &count(3), NULL, &reasons)", handle);
            ret = RmGetList(handle, &needed2, &count, NULL, &reasons);
            ret = check_code(actor->thread, actor->step, API_GETLIST, ret, racing(actor));
            check_unheld(actor, role, handle, API_GETLIST, ret);
        }
        break;
    }
}

/* ------------------------------------------------------------------ filters */

static void canonical(const WCHAR *in, WCHAR *out, size_t size)
{
    size_t i;

    if (!wcsncmp(in, L"\\\\?\\", 4) || !wcsncmp(in, L"\\??\\", 4)) in += 4;
    for (i = 0; in[i] && i + 1 < size; i++) out[i] = in[i] == '/' ? '\\' : towlower(in[i]);
    out[i] = 0;
}

static BOOL same_name(const WCHAR *a, const WCHAR *b)
{
    WCHAR ca[MAX_PATH * 2], cb[MAX_PATH * 2];

    canonical(a, ca, ARRAYSIZE(ca));
    canonical(b, cb, ARRAYSIZE(cb));
    return !wcscmp(ca, cb);
}

static BOOL inside(const BYTE *buffer, DWORD size, const void *pointer)
{
    return (const BYTE *)pointer >= buffer && (const BYTE *)pointer < buffer + size;
}

/* The records of an RmGetFilterList buffer stay inside it: each at least a record apart,
 * strings inside and terminated.  Returns the record count, -1 if malformed. */
static int parse_filters(const BYTE *buffer, DWORD size)
{
    DWORD offset = 0;
    int count = 0;

    if (!size) return 0;
    for (;;)
    {
        const RM_FILTER_INFO *info = (const RM_FILTER_INFO *)(buffer + offset);

        if (offset + sizeof(*info) > size) return -1;
        if (info->FilterTrigger == RmFilterTriggerFile || info->FilterTrigger == RmFilterTriggerService)
        {
            const WCHAR *text = info->strFilename;

            if (!inside(buffer, size, text)) return -1;
            if (wcsnlen(text, (buffer + size - (const BYTE *)text) / sizeof(WCHAR)) * sizeof(WCHAR)
                    >= (size_t)(buffer + size - (const BYTE *)text))
                return -1;
        }
        else if (info->FilterTrigger != RmFilterTriggerProcess) return -1;
        count++;
        if (!info->cbNextOffset) return count;
        if (info->cbNextOffset < sizeof(*info) || count > 10000) return -1;
        offset += info->cbNextOffset;
    }
}

/* Whether a RmNoShutdown filter of the session protects the holder now. */
static BOOL filter_protects(struct actor *actor, DWORD handle, const struct holder *holder)
{
    static BYTE buffer[65536];
    DWORD needed = 0, offset = 0, ret;
    WCHAR path[MAX_PATH];

    begin_call(actor->thread, actor->step, "RmGetFilterList(%lu, buffer, %u, &needed) (oracle)", handle,
               (unsigned int)sizeof(buffer));
    ret = check_code(actor->thread, actor->step, API_GETFILTERLIST,
                     RmGetFilterList(handle, buffer, sizeof(buffer), &needed), FALSE);
    if (ret || parse_filters(buffer, needed) < 0) return TRUE;  /* cannot tell: no verdict */
    wcscpy(path, holder->window ? holder_exe : self_exe);
    while (needed)
    {
        const RM_FILTER_INFO *info = (const RM_FILTER_INFO *)(buffer + offset);

        if (info->FilterAction == RmNoShutdown)
        {
            if (info->FilterTrigger == RmFilterTriggerFile && same_name(info->strFilename, path)) return TRUE;
            if (info->FilterTrigger == RmFilterTriggerProcess && info->Process.dwProcessId == holder->id.dwProcessId
                    && !memcmp(&info->Process.ProcessStartTime, &holder->id.ProcessStartTime, sizeof(FILETIME)))
                return TRUE;
        }
        if (!info->cbNextOffset) break;
        offset += info->cbNextOffset;
    }
    return FALSE;
}

struct filter_target
{
    const WCHAR *module;
    RM_UNIQUE_PROCESS *process;
    const WCHAR *service;
    RM_UNIQUE_PROCESS storage;
    WCHAR upper[MAX_PATH];
};

static void pick_filter_target(struct actor *actor, struct filter_target *target)
{
    const WCHAR *window_exe = holder_exe[0] ? holder_exe : self_exe;

    memset(target, 0, sizeof(*target));
    switch (rnd(&actor->rng, 10))
    {
    case 0: case 1: target->module = window_exe; break;
    case 2:
        wcscpy(target->upper, window_exe);
        CharUpperW(target->upper);
        target->module = target->upper;
        break;
    case 3: target->module = self_exe; break;
    case 4: target->module = names[rnd(&actor->rng, name_count)].text; break;
    case 5: case 6:
        pick_process(actor, &target->storage);
        target->process = &target->storage;
        break;
    case 7: target->service = service_names[rnd(&actor->rng, ARRAYSIZE(service_names))]; break;
    case 8: break;  /* no target */
    default:        /* two targets */
        target->module = window_exe;
        target->service = service_names[0];
        break;
    }
}

static void describe_target(const struct filter_target *target, char *out, size_t size)
{
    char text[80];

    short_text(target->module, text, sizeof(text));
    snprintf(out, size, "%s, %s, %s", text, target->process ? "&process" : "NULL",
             target->service ? "service" : "NULL");
}

/* RmAddFilter (add) or RmRemoveFilter on a drawn handle and target. */
static void filter_op(struct actor *actor, BOOL add)
{
    static const RM_FILTER_ACTION actions[] = { RmNoShutdown, RmNoShutdown, RmNoShutdown, RmNoRestart, RmNoRestart,
                                                RmInvalidFilterAction, 3 };
    RM_FILTER_ACTION action = add ? actions[rnd(&actor->rng, ARRAYSIZE(actions))] : RmInvalidFilterAction;
    DWORD handle = pick_handle(actor), ret;
    enum api api = add ? API_ADDFILTER : API_REMOVEFILTER;
    struct filter_target target;
    struct slot *slot;
    enum role role = resolve(actor, handle, &slot);
    char text[200];

    pick_filter_target(actor, &target);
    describe_target(&target, text, sizeof(text));
    if (add)
    {
        begin_call(actor->thread, actor->step, "RmAddFilter(%lu, %s, %d)", handle, text, action);
        ret = RmAddFilter(handle, target.module, target.process, target.service, action);
    }
    else
    {
        begin_call(actor->thread, actor->step, "RmRemoveFilter(%lu, %s)", handle, text);
        ret = RmRemoveFilter(handle, target.module, target.process, target.service);
    }
    ret = check_code(actor->thread, actor->step, api, ret, racing(actor));
    check_unheld(actor, role, handle, api, ret);
    check_secondary(actor, role, api, ret);
}

static void op_addfilter(struct actor *actor)
{
    filter_op(actor, TRUE);
}

static void op_removefilter(struct actor *actor)
{
    filter_op(actor, FALSE);
}

/* One RmGetFilterList of cb bytes (guard bytes after them) and its out-parameter oracles. */
static DWORD call_getfilterlist(struct actor *actor, DWORD handle, DWORD cb, BOOL with_buffer, BOOL with_needed,
                                DWORD *needed_out)
{
    BYTE *buffer = with_buffer ? malloc(cb + 64) : NULL;
    DWORD needed = 0xdeadbeef, ret;
    struct slot *slot;
    enum role role = resolve(actor, handle, &slot);

    if (buffer) memset(buffer, GUARD, cb + 64);
    begin_call(actor->thread, actor->step, "RmGetFilterList(%lu, %s, %lu, %s)", handle, buffer ? "buffer" : "NULL", cb,
               with_needed ? "&needed" : "NULL");
    ret = RmGetFilterList(handle, buffer, cb, with_needed ? &needed : NULL);
    ret = check_code(actor->thread, actor->step, API_GETFILTERLIST, ret, racing(actor));
    check_unheld(actor, role, handle, API_GETFILTERLIST, ret);
    check_secondary(actor, role, API_GETFILTERLIST, ret);
    if (buffer && !guard_intact(buffer + cb, 64))
        fail(actor->thread, actor->step, "RmGetFilterList wrote past the %lu bytes it was given", cb);
    if (with_needed && ret == ERROR_MORE_DATA && needed <= cb && buffer)
        fail(actor->thread, actor->step, "RmGetFilterList returned ERROR_MORE_DATA with %lu needed and %lu given",
             needed, cb);
    if (!ret && !with_needed) fail(actor->thread, actor->step, "RmGetFilterList returned 0 without cbFilterBufNeeded");
    if (!ret && with_needed && needed > cb)
        fail(actor->thread, actor->step, "RmGetFilterList returned 0 with %lu needed and %lu given", needed, cb);
    if (!ret && with_needed && buffer && needed <= cb && parse_filters(buffer, needed) < 0)
        fail(actor->thread, actor->step, "RmGetFilterList filled a malformed buffer (%lu bytes)", needed);
    if (needed_out) *needed_out = with_needed && (!ret || ret == ERROR_MORE_DATA) ? needed : 0;
    free(buffer);
    return ret;
}

static void op_getfilterlist(struct actor *actor)
{
    DWORD handle = pick_handle(actor), needed;

    switch (rnd(&actor->rng, 8))
    {
    case 0: call_getfilterlist(actor, handle, 0, FALSE, TRUE, NULL); break;
    case 1: call_getfilterlist(actor, handle, 0, TRUE, TRUE, NULL); break;
    case 2: call_getfilterlist(actor, handle, 1, TRUE, TRUE, NULL); break;
    case 3:
        if (call_getfilterlist(actor, handle, 0, FALSE, TRUE, &needed) == ERROR_MORE_DATA && needed < 65536)
            call_getfilterlist(actor, handle, needed, TRUE, TRUE, NULL);
        break;
    case 4:
        if (call_getfilterlist(actor, handle, 0, FALSE, TRUE, &needed) == ERROR_MORE_DATA && needed > 1 && needed < 65536)
            call_getfilterlist(actor, handle, needed - 1, TRUE, TRUE, NULL);
        break;
    case 5: call_getfilterlist(actor, handle, 4096, TRUE, TRUE, NULL); break;
    case 6: call_getfilterlist(actor, handle, 4096, TRUE, FALSE, NULL); break;
    default: call_getfilterlist(actor, handle, 100, FALSE, TRUE, NULL); break;
    }
}

/* ------------------------------------------------------------------ shutdown, restart, cancel */

static BOOL targets(const struct slot *slot, unsigned int index)
{
    const struct holder *holder = &holders[index];
    unsigned int i;

    if (slot->target_file[index] || (holder->window && slot->target_window_image)) return TRUE;
    for (i = 0; i < slot->ntarget_proc; i++)
        if (slot->target_proc[i].dwProcessId == holder->id.dwProcessId
                && !memcmp(&slot->target_proc[i].ProcessStartTime, &holder->id.ProcessStartTime, sizeof(FILETIME)))
            return TRUE;
    return FALSE;
}

/* After RmShutdown on a live primary handle: every targeted holder that no RmNoShutdown filter
 * protects now must be gone when it returns ERROR_SUCCESS. */
static void shutdown_oracle(struct actor *actor, struct slot *slot, DWORD handle, DWORD ret)
{
    unsigned int i;

    if (!ret || ret == ERROR_FAIL_SHUTDOWN || ret == ERROR_CANCELLED) slot->shut = SHUT_ACTED;
    else if (slot->shut != SHUT_ACTED) slot->shut = SHUT_FAILED;
    if (ret && ret != ERROR_FAIL_SHUTDOWN) return;
    if (!ret) shutdowns_ok++;
    for (i = 0; i < HOLDERS; i++)
    {
        struct holder *holder = &holders[i];
        BOOL running;

        if (!holder->process || !targets(slot, i)) continue;
        running = WaitForSingleObject(holder->process, ret ? 0 : 3000) == WAIT_TIMEOUT;
        if (!running)
        {
            holders_closed++;
            continue;
        }
        if (filter_protects(actor, handle, holder))
        {
            holders_filtered++;
            slot->skipped[i] = TRUE;
            continue;
        }
        if (ret || ((opt.skip & SKIP_FILTERS) && slot->skipped[i])) continue;
        fail(actor->thread, actor->step, "RmShutdown returned 0 but the %s holder %lu of %ls, targeted and not "
             "protected by any filter, is still running%s", holder->window ? "window" : "console",
             holder->id.dwProcessId, names[i * 5].text,
             slot->skipped[i] ? " (an earlier RmShutdown of the session skipped it under a filter)" : "");
    }
}

static void op_shutdown(struct actor *actor)
{
    static const ULONG flag_set[] = { 0, 0, 0, RmForceShutdown, RmShutdownOnlyRegistered,
                                      RmForceShutdown | RmShutdownOnlyRegistered, 2, 0x80000000 };
    DWORD handle = pick_handle(actor), ret;
    ULONG flags = flag_set[rnd(&actor->rng, ARRAYSIZE(flag_set))];
    struct progress progress;
    RM_WRITE_STATUS_CALLBACK callback = pick_callback(actor, &progress);
    struct slot *slot;
    enum role role = resolve(actor, handle, &slot);

    begin_call(actor->thread, actor->step, "RmShutdown(%lu, %#lx, %s)%s", handle, flags, callback ? "callback" : "NULL",
               session_note(actor, handle));
    ret = check_code(actor->thread, actor->step, API_SHUTDOWN, RmShutdown(handle, flags, callback), racing(actor));
    check_progress(actor, "RmShutdown", &progress);
    check_unheld(actor, role, handle, API_SHUTDOWN, ret);
    check_secondary(actor, role, API_SHUTDOWN, ret);
    if (actor->model && role == ROLE_PRIMARY) shutdown_oracle(actor, slot, handle, ret);
}

static void op_restart(struct actor *actor)
{
    DWORD handle = pick_handle(actor), flags = chance(&actor->rng, 15) ? 1 : 0, ret;
    struct progress progress;
    RM_WRITE_STATUS_CALLBACK callback = pick_callback(actor, &progress);
    struct slot *slot;
    enum role role = resolve(actor, handle, &slot);

    begin_call(actor->thread, actor->step, "RmRestart(%lu, %#lx, %s)", handle, flags, callback ? "callback" : "NULL");
    ret = check_code(actor->thread, actor->step, API_RESTART, RmRestart(handle, flags, callback), racing(actor));
    check_progress(actor, "RmRestart", &progress);
    check_unheld(actor, role, handle, API_RESTART, ret);
    check_secondary(actor, role, API_RESTART, ret);
    if (!actor->model || role != ROLE_PRIMARY || ret) return;
    if (slot->shut == SHUT_NONE)
        fail(actor->thread, actor->step, "RmRestart returned 0 before any RmShutdown of the session");
    else if (slot->shut == SHUT_FAILED && !(opt.skip & SKIP_RESTART))
        fail(actor->thread, actor->step, "RmRestart returned 0 though every RmShutdown of the session failed "
             "before acting (expected ERROR_REQUEST_OUT_OF_SEQUENCE)");
}

static void op_cancel(struct actor *actor)
{
    DWORD handle = pick_handle(actor), ret;
    struct slot *slot;
    enum role role = resolve(actor, handle, &slot);

    begin_call(actor->thread, actor->step, "RmCancelCurrentTask(%lu)", handle);
    ret = check_code(actor->thread, actor->step, API_CANCEL, RmCancelCurrentTask(handle), racing(actor));
    check_unheld(actor, role, handle, API_CANCEL, ret);
}

static void op_reserveheap(struct actor *actor)
{
    static const DWORD sizes[] = { 0, 1, 4096, 0xffffffff };
    DWORD size = sizes[rnd(&actor->rng, ARRAYSIZE(sizes))];

    begin_call(actor->thread, actor->step, "RmReserveHeap(%lu)", size);
    check_code(actor->thread, actor->step, API_RESERVEHEAP, RmReserveHeap(size), FALSE);
}

static void op_spawn(struct actor *actor)
{
    unsigned int index = rnd(&actor->rng, HOLDERS);
    BOOL window = chance(&actor->rng, 60), keep = chance(&actor->rng, 70);

    if (keep && holder_running(&holders[index])) return;
    if (!spawn_holder(index, window))
        say("note: seed %u step %u: holder %u (%s) did not take its file\n", opt.seed, actor->step, index,
            window ? "window" : "console");
}

/* ------------------------------------------------------------------ the op tables */

typedef void (*op_func)(struct actor *actor);

struct op
{
    op_func func;
    unsigned int weight;
};

static void op_cycle(struct actor *actor);

static const struct op sequence_ops[] =
{
    { op_start, 8 }, { op_join, 8 }, { op_end, 5 }, { op_register, 16 }, { op_getlist, 10 }, { op_shutdown, 12 },
    { op_restart, 6 }, { op_cancel, 3 }, { op_addfilter, 12 }, { op_removefilter, 9 }, { op_getfilterlist, 4 },
    { op_spawn, 8 }, { op_reserveheap, 1 },
};

static const struct op thread_ops[] =
{
    { op_getlist, 28 }, { op_getfilterlist, 16 }, { op_register, 10 }, { op_addfilter, 8 }, { op_removefilter, 6 },
    { op_shutdown, 6 }, { op_restart, 4 }, { op_cancel, 8 }, { op_start, 2 }, { op_join, 2 }, { op_cycle, 10 },
};

static const struct op child_ops[] =
{
    { op_register, 20 }, { op_getlist, 18 }, { op_getfilterlist, 10 }, { op_addfilter, 8 }, { op_removefilter, 6 },
    { op_shutdown, 8 }, { op_restart, 5 }, { op_cancel, 6 }, { op_join, 12 }, { op_start, 3 }, { op_end, 4 },
};

static void run_op(struct actor *actor, const struct op *ops, unsigned int count)
{
    unsigned int total = 0, i, r;

    for (i = 0; i < count; i++) total += ops[i].weight;
    r = rnd(&actor->rng, total);
    for (i = 0; r >= ops[i].weight; i++) r -= ops[i].weight;
    ops[i].func(actor);
}

/* ------------------------------------------------------------------ phase 2: threads */

static struct slot thread_slots[THREAD_SLOTS];
static const unsigned int names_per_session = 300;

/* Start a session with a few hundred names and join it twice; FALSE if it would not start. */
static BOOL fill_slot(struct actor *actor, struct slot *slot)
{
    DWORD handle, joined;
    WCHAR key[CCH_RM_SESSION_KEY + 8];
    unsigned int j;

    begin_call(actor->thread, actor->step, "RmStartSession(&h, 0, key)");
    if (check_new_handle(actor->thread, actor->step, API_START, RmStartSession(&handle, 0, key), racing(actor),
                         &handle)) return FALSE;
    register_many(actor, handle, names_per_session);
    for (j = 0; j < JOINED; j++)
    {
        begin_call(actor->thread, actor->step, "RmJoinSession(&h, key)");
        if (check_new_handle(actor->thread, actor->step, API_JOIN, RmJoinSession(&joined, key), racing(actor),
                             &joined)) joined = handle;
        InterlockedExchange(&slot->joined[j], joined);
        slot->joined_live[j] = TRUE;
    }
    wcscpy(slot->key, key);
    InterlockedExchange(&slot->handle, handle);
    slot->live = TRUE;
    return TRUE;
}

/* Ends a shared session under the other threads' calls and puts a new one in its place. */
static void op_cycle(struct actor *actor)
{
    struct slot *slot = &actor->slots[rnd(&actor->rng, actor->nslots)];
    DWORD handle = slot->handle, old_joined[JOINED];
    unsigned int j;

    if ((opt.skip & SKIP_ENDED) || InterlockedCompareExchange(&slot->busy, 1, 0))
    {
        op_getlist(actor);
        return;
    }
    for (j = 0; j < JOINED; j++) old_joined[j] = slot->joined[j];
    begin_call(actor->thread, actor->step, "RmEndSession(%lu) (shared, under other threads' calls)", handle);
    if (check_code(actor->thread, actor->step, API_END, RmEndSession(handle), TRUE))
        fail(actor->thread, actor->step, "RmEndSession of a shared session's primary handle failed");
    slot->live = FALSE;
    slot->old[slot->old_next++ % OLD_HANDLES] = handle;
    fill_slot(actor, slot);
    for (j = 0; j < JOINED; j++)
    {
        begin_call(actor->thread, actor->step, "RmEndSession(%lu) (joined, session ended)", old_joined[j]);
        check_code(actor->thread, actor->step, API_END, RmEndSession(old_joined[j]), TRUE);
    }
    InterlockedExchange(&slot->busy, 0);
}

struct worker
{
    struct actor actor;
    HANDLE thread;
};

static DWORD WINAPI worker_thread(void *arg)
{
    struct worker *worker = arg;
    unsigned int i;

    for (i = 0; i < opt.thread_steps; i++)
    {
        worker->actor.step = i;
        run_op(&worker->actor, thread_ops, ARRAYSIZE(thread_ops));
    }
    return 0;
}

static void phase_threads(void)
{
    struct worker workers[MAX_THREADS];
    struct actor setup = { 0 };
    unsigned int i, j;

    setup.slots = thread_slots;
    setup.nslots = THREAD_SLOTS;
    for (i = 0; i < THREAD_SLOTS; i++) fill_slot(&setup, &thread_slots[i]);
    for (i = 0; i < opt.threads; i++)
    {
        memset(&workers[i].actor, 0, sizeof(workers[i].actor));
        workers[i].actor.thread = i + 1;
        workers[i].actor.slots = thread_slots;
        workers[i].actor.nslots = THREAD_SLOTS;
        rng_seed(&workers[i].actor.rng, opt.seed, i + 1);
        workers[i].thread = CreateThread(NULL, 0, worker_thread, &workers[i], 0, NULL);
    }
    for (i = 0; i < opt.threads; i++)
    {
        WaitForSingleObject(workers[i].thread, INFINITE);
        CloseHandle(workers[i].thread);
    }
    for (i = 0; i < THREAD_SLOTS; i++)
    {
        for (j = 0; j < JOINED; j++)
        {
            begin_call(0, opt.steps, "RmEndSession(%lu) (joined, phase 2 over)", (DWORD)thread_slots[i].joined[j]);
            check_code(0, opt.steps, API_END, RmEndSession(thread_slots[i].joined[j]), FALSE);
        }
        begin_call(0, opt.steps, "RmEndSession(%lu) (phase 2 over)", (DWORD)thread_slots[i].handle);
        if (check_code(0, opt.steps, API_END, RmEndSession(thread_slots[i].handle), FALSE))
            fail(0, opt.steps, "RmEndSession of phase 2's session %u failed", i);
    }
}

/* ------------------------------------------------------------------ the other-architecture child */

static HANDLE child_output;

static DWORD WINAPI relay_thread(void *arg)
{
    char buffer[4096], line[4096];
    DWORD done, len = 0, i;

    while (ReadFile(child_output, buffer, sizeof(buffer), &done, NULL) && done)
    {
        for (i = 0; i < done; i++)
        {
            if (buffer[i] == '\r') continue;
            if (buffer[i] != '\n' && len < sizeof(line) - 1)
            {
                line[len++] = buffer[i];
                continue;
            }
            line[len] = 0;
            if (buffer[i] == '\n') say("  [child] %s\n", line);
            len = 0;
        }
    }
    return 0;
}

static const char *skip_text(void)
{
    static char text[64];

    snprintf(text, sizeof(text), "%s%s%s%s%s%s", opt.skip & SKIP_DEVICES ? "devices," : "",
             opt.skip & SKIP_ENDED ? "ended," : "", opt.skip & SKIP_RACE ? "race," : "",
             opt.skip & SKIP_FILTERS ? "filters," : "", opt.skip & SKIP_RESTART ? "restart," : "",
             opt.skip & SKIP_CANCEL ? "cancel," : "");
    if (text[0]) text[strlen(text) - 1] = 0;
    else strcpy(text, "none");
    return text;
}

static BOOL start_child(const struct slot *slots, unsigned int count)
{
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
    STARTUPINFOW si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    WCHAR cmdline[1024];
    HANDLE write_end;
    unsigned int i;

    swprintf(cmdline, ARRAYSIZE(cmdline), L"\"%ls\" --child --seed %u --child-steps %u --watchdog %u --skip %hs --keys ",
             opt.other, opt.seed, opt.child_steps, opt.watchdog, skip_text());
    for (i = 0; i < count; i++)
    {
        wcscat(cmdline, slots[i].key);
        if (i + 1 < count) wcscat(cmdline, L",");
    }
    if (!CreatePipe(&child_output, &write_end, &sa, 0)) return FALSE;
    SetHandleInformation(child_output, HANDLE_FLAG_INHERIT, 0);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdOutput = write_end;
    si.hStdError = write_end;
    if (!CreateProcessW(opt.other, cmdline, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi))
    {
        CloseHandle(write_end);
        return FALSE;
    }
    CloseHandle(write_end);
    CloseHandle(pi.hThread);
    child_process = pi.hProcess;
    CloseHandle(CreateThread(NULL, 0, relay_thread, NULL, 0, NULL));
    return TRUE;
}

/* --child: joins the driver's sessions by key and calls on them as a secondary. */
static int run_child(void)
{
    struct slot slots[SLOTS];
    struct actor actor = { 0 };
    const WCHAR *key = opt.keys;
    unsigned int count = 0, i, j;

    memset(slots, 0, sizeof(slots));
    while (key && *key && count < SLOTS)
    {
        lstrcpynW(slots[count].key, key, CCH_RM_SESSION_KEY + 1);
        slots[count].handle = 0x7fff0000 + count;  /* a primary handle the child never holds */
        count++;
        key = wcschr(key, ',');
        if (key) key++;
    }
    if (!count) return 2;
    actor.slots = slots;
    actor.nslots = count;
    actor.owner = TRUE;
    rng_seed(&actor.rng, opt.seed, 100);
    for (i = 0; i < count; i++)
        for (j = 0; j < JOINED; j++)
        {
            DWORD handle;

            begin_call(0, 0, "RmJoinSession(&h, key %u)", i);
            if (check_new_handle(0, 0, API_JOIN, RmJoinSession(&handle, slots[i].key), TRUE, &handle)) continue;
            slots[i].joined[j] = handle;
            slots[i].joined_live[j] = TRUE;
        }
    for (i = 0; i < opt.child_steps; i++)
    {
        actor.step = i;
        run_op(&actor, child_ops, ARRAYSIZE(child_ops));
    }
    for (i = 0; i < count; i++)
        for (j = 0; j < JOINED; j++)
            if (slots[i].joined_live[j]) end_handle(&actor, slots[i].joined[j]);
    say("%s child: %ld calls, %ld failures\n", arch_name, calls_made, failures);
    return failures ? 1 : 0;
}

/* ------------------------------------------------------------------ phase 3: the store */

struct store_scan
{
    unsigned int keys, ours, malformed;
};

/* Every SessionNNNN key: whether it parses (Owner: 12 bytes, SessionHash: 32) and whether
 * this run's processes own it. */
static void scan_store(struct store_scan *scan)
{
    DWORD child_pid = child_process ? GetProcessId(child_process) : 0, i, len;
    WCHAR name[64];
    HKEY root, key;

    memset(scan, 0, sizeof(*scan));
    if (RegOpenKeyExW(HKEY_CURRENT_USER, STORE_ROOT, 0, KEY_READ, &root)) return;
    for (i = 0; len = ARRAYSIZE(name), !RegEnumKeyExW(root, i, name, &len, NULL, NULL, NULL, NULL); i++)
    {
        BYTE owner[12], hash[32];
        DWORD type, size = sizeof(owner), pid;

        if (wcsncmp(name, L"Session", 7)) continue;
        scan->keys++;
        if (RegOpenKeyExW(root, name, 0, KEY_READ, &key))
        {
            scan->malformed++;
            continue;
        }
        if (RegQueryValueExW(key, L"Owner", NULL, &type, owner, &size) || type != REG_BINARY || size != sizeof(owner))
            scan->malformed++;
        else
        {
            memcpy(&pid, owner, sizeof(pid));
            if (pid == GetCurrentProcessId() || (child_pid && pid == child_pid)) scan->ours++;
            size = sizeof(hash);
            if (RegQueryValueExW(key, L"SessionHash", NULL, &type, hash, &size) || type != REG_BINARY
                    || size != sizeof(hash))
                scan->malformed++;
        }
        RegCloseKey(key);
    }
    RegCloseKey(root);
}

static void phase_store(void)
{
    DWORD handles[MAX_SESSIONS + 1], ret;
    WCHAR key[CCH_RM_SESSION_KEY + 8];
    struct store_scan scan;
    unsigned int i, started = 0;

    scan_store(&scan);
    if (scan.ours) fail(0, opt.steps, "%u keys of this run are left in the store after every session ended", scan.ours);
    if (scan.malformed) fail(0, opt.steps, "%u keys in the store do not parse", scan.malformed);
    for (i = 0; i <= MAX_SESSIONS; i++)
    {
        begin_call(0, opt.steps, "RmStartSession(&h, 0, key) (%u of 65)", i + 1);
        ret = check_new_handle(0, opt.steps, API_START, RmStartSession(&handles[i], 0, key), FALSE, &handles[i]);
        if (i < MAX_SESSIONS && ret) fail(0, opt.steps, "session %u of 64 did not start: %lu", i + 1, ret);
        if (i == MAX_SESSIONS && ret != ERROR_MAX_SESSIONS_REACHED)
            fail(0, opt.steps, "the 65th session got %lu, expected ERROR_MAX_SESSIONS_REACHED", ret);
        if (!ret) handles[started++] = handles[i];
    }
    for (i = 0; i < started; i++)
    {
        begin_call(0, opt.steps, "RmEndSession(%lu) (of the 64)", handles[i]);
        if (check_code(0, opt.steps, API_END, RmEndSession(handles[i]), FALSE))
            fail(0, opt.steps, "RmEndSession of one of the 64 sessions failed");
    }
    scan_store(&scan);
    if (scan.keys) fail(0, opt.steps, "the store holds %u keys at the end, expected none", scan.keys);
}

/* ------------------------------------------------------------------ phase 1 and main */

static struct slot sequence_slots[SLOTS];

/* With --other: the first two sessions, with a few hundred names each, are the child's too. */
static void share_sessions(struct actor *actor)
{
    unsigned int i;

    for (i = 0; i < 2; i++)
    {
        if (!fill_slot(actor, &sequence_slots[i])) continue;
        sequence_slots[i].shared = TRUE;
        reset_model(&sequence_slots[i]);
    }
    if (!start_child(sequence_slots, 2)) fail(0, 0, "cannot start %ls", opt.other);
}

static void phase_sequence(void)
{
    struct actor actor = { 0 };
    unsigned int i;

    actor.slots = sequence_slots;
    actor.nslots = SLOTS;
    actor.model = actor.owner = TRUE;
    rng_seed(&actor.rng, opt.seed, 0);
    if (opt.other) share_sessions(&actor);
    for (i = 0; i < opt.steps && !failures; i++)
    {
        actor.step = i;
        run_op(&actor, sequence_ops, ARRAYSIZE(sequence_ops));
    }
}

static void end_sequence_sessions(void)
{
    struct actor actor = { 0 };
    unsigned int i, j;

    actor.slots = sequence_slots;
    actor.nslots = SLOTS;
    actor.owner = TRUE;
    actor.step = opt.steps;
    for (i = 0; i < SLOTS; i++)
    {
        for (j = 0; j < JOINED; j++)
            if (sequence_slots[i].joined_live[j]) end_handle(&actor, sequence_slots[i].joined[j]);
        if (sequence_slots[i].live) end_handle(&actor, sequence_slots[i].handle);
    }
}

static void wait_child(void)
{
    DWORD code = 0;

    if (!child_process) return;
    if (WaitForSingleObject(child_process, (opt.watchdog + 600) * 1000) != WAIT_OBJECT_0)
    {
        fail(0, opt.steps, "the other-architecture child did not finish");
        TerminateProcess(child_process, 1);
    }
    GetExitCodeProcess(child_process, &code);
    if (code) fail(0, opt.steps, "the other-architecture child failed (exit code %lu; its lines above)", code);
}

static BOOL parse_skip(const WCHAR *text)
{
    static const struct { const WCHAR *name; unsigned int bit; } classes[] =
    {
        { L"devices", SKIP_DEVICES }, { L"ended", SKIP_ENDED }, { L"race", SKIP_RACE },
        { L"filters", SKIP_FILTERS }, { L"restart", SKIP_RESTART }, { L"cancel", SKIP_CANCEL },
    };
    WCHAR copy[128], *token, *next;
    unsigned int i;

    lstrcpynW(copy, text, ARRAYSIZE(copy));
    for (token = copy; token; token = next)
    {
        if ((next = wcschr(token, ','))) *next++ = 0;
        if (!*token || !wcscmp(token, L"none")) continue;
        for (i = 0; i < ARRAYSIZE(classes) && wcscmp(token, classes[i].name); i++);
        if (i == ARRAYSIZE(classes)) return FALSE;
        opt.skip |= classes[i].bit;
    }
    return TRUE;
}

static BOOL parse_options(int argc, WCHAR **argv)
{
    int i;

    for (i = 1; i < argc; i++)
    {
        const WCHAR *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;

        if (!wcscmp(arg, L"--verbose")) opt.verbose = TRUE;
        else if (!wcscmp(arg, L"--child")) opt.child = TRUE;
        else if (!value) return FALSE;
        else
        {
            i++;
            if (!wcscmp(arg, L"--seed")) opt.seed = wcstoul(value, NULL, 10);
            else if (!wcscmp(arg, L"--steps")) opt.steps = wcstoul(value, NULL, 10);
            else if (!wcscmp(arg, L"--threads")) opt.threads = min(wcstoul(value, NULL, 10), MAX_THREADS);
            else if (!wcscmp(arg, L"--thread-steps")) opt.thread_steps = wcstoul(value, NULL, 10);
            else if (!wcscmp(arg, L"--child-steps")) opt.child_steps = wcstoul(value, NULL, 10);
            else if (!wcscmp(arg, L"--watchdog")) opt.watchdog = wcstoul(value, NULL, 10);
            else if (!wcscmp(arg, L"--other")) opt.other = value;
            else if (!wcscmp(arg, L"--holder")) opt.holder = value;
            else if (!wcscmp(arg, L"--keys")) opt.keys = value;
            else if (!wcscmp(arg, L"--skip")) { if (!parse_skip(value)) return FALSE; }
            else return FALSE;
        }
    }
    return opt.watchdog > 0;
}

static void setup(void)
{
    WCHAR temp[MAX_PATH], name[MAX_PATH];
    HANDLE process = GetCurrentProcess();

    InitializeCriticalSection(&print_cs);
    progress_tls = TlsAlloc();
    GetModuleFileNameW(NULL, self_exe, MAX_PATH);
    if (opt.holder) GetFullPathNameW(opt.holder, MAX_PATH, holder_exe, NULL);
    identity_of(process, GetCurrentProcessId(), &self_id);
    GetTempPathW(MAX_PATH, temp);
    swprintf(work_dir, ARRAYSIZE(work_dir), L"%lsrmfuzz-%lu", temp, GetCurrentProcessId());
    CreateDirectoryW(work_dir, NULL);
    swprintf(name, ARRAYSIZE(name), L"\\\\.\\pipe\\rmfuzz-%lu", GetCurrentProcessId());
    pipe_server = CreateNamedPipeW(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 4, 512, 512, 0, NULL);
    swprintf(name, ARRAYSIZE(name), L"\\\\.\\mailslot\\rmfuzz-%lu", GetCurrentProcessId());
    mailslot = CreateMailslotW(name, 0, MAILSLOT_WAIT_FOREVER, NULL);
    CloseHandle(CreateThread(NULL, 0, watchdog_thread, NULL, 0, NULL));
}

static void remove_work_dir(void)
{
    WCHAR pattern[MAX_PATH], path[MAX_PATH];
    WIN32_FIND_DATAW data;
    HANDLE find;

    swprintf(pattern, ARRAYSIZE(pattern), L"%ls\\*", work_dir);
    if ((find = FindFirstFileW(pattern, &data)) == INVALID_HANDLE_VALUE) return;
    do
    {
        swprintf(path, ARRAYSIZE(path), L"%ls\\%ls", work_dir, data.cFileName);
        DeleteFileW(path);
    } while (FindNextFileW(find, &data));
    FindClose(find);
    RemoveDirectoryW(work_dir);
}

int wmain(int argc, WCHAR **argv)
{
    DWORD start = GetTickCount();
    double seconds;
    unsigned int i;

    if (argc > 1 && !wcscmp(argv[1], L"--hold")) return run_hold(argc, argv);
    if (!parse_options(argc, argv))
    {
        fprintf(stderr, "usage: rmfuzz [--seed S] [--steps N] [--threads T] [--thread-steps N] [--other EXE]\n"
                "              [--child-steps N] [--holder EXE] [--skip CLASS,...] [--watchdog SECONDS] [--verbose]\n");
        return 2;
    }
    setup();
    build_names(!opt.child);
    if (opt.child)
    {
        int ret = run_child();

        remove_work_dir();
        return ret;
    }
    say("rmfuzz: %s seed %u, %u steps, %u threads x %u steps, child: %s, skip: %s\n", arch_name, opt.seed, opt.steps,
        opt.threads, opt.thread_steps, opt.other ? "yes" : "no", skip_text());

    phase_sequence();
    if (!failures && opt.threads) phase_threads();
    wait_child();
    end_sequence_sessions();
    for (i = 0; i < HOLDERS; i++) drop_holder(&holders[i]);
    end_strays(TRUE);
    if (!failures) phase_store();
    remove_work_dir();

    seconds = (GetTickCount() - start) / 1000.0;
    say("rmfuzz: %s seed %u: %ld calls in %.1f s (%.0f calls/s), %ld failures\n", arch_name, opt.seed, calls_made,
        seconds, calls_made / (seconds > 0 ? seconds : 1), failures);
    say("rmfuzz: phase 1: %u RmShutdown calls returned 0; targeted holders closed %u times, left under a filter %u times\n",
        shutdowns_ok, holders_closed, holders_filtered);
    say("%s seed %u\n", failures ? "FAIL" : "PASS", opt.seed);
    return failures ? 1 : 0;
}
