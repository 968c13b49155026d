/*
 * Helpers shared by the Restart Manager test units
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
 * Every unit includes this after wine/test.h and is linked with rmtest.c, which is built
 * without STANDALONE so that the unit's own copy of the test framework serves both.  Only
 * helpers whose logic is the same in every unit that uses them belong here; a helper whose
 * checks differ from unit to unit stays in its unit, so that each unit keeps its own count of
 * checks.  Nothing here needs more than kernel32, advapi32 and rstrtmgr.dll.
 */

#ifndef RSTRTMGR_RMTEST_H
#define RSTRTMGR_RMTEST_H

#include <stddef.h>

#include <windows.h>
#include <restartmanager.h>

#include "wine/test.h"

/* Missing from older SDK headers (mingw-w64's among them). */
#ifndef ERROR_FAIL_NOACTION_REBOOT
#define ERROR_FAIL_NOACTION_REBOOT 350
#endif
#ifndef ERROR_FAIL_SHUTDOWN
#define ERROR_FAIL_SHUTDOWN 351
#endif
#ifndef ERROR_FAIL_RESTART
#define ERROR_FAIL_RESTART 352
#endif
#ifndef ERROR_MAX_SESSIONS_REACHED
#define ERROR_MAX_SESSIONS_REACHED 353
#endif
#ifndef ERROR_REQUEST_OUT_OF_SEQUENCE
#define ERROR_REQUEST_OUT_OF_SEQUENCE 776
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#endif

/* Microsoft's samples use this value as "no session"; at most 64 sessions exist, so it is never
 * a live handle. */
#define NO_SESSION 0xffffffff
/* CCH_RM_SESSION_KEY is an unparenthesised size_t expression; use a plain constant. */
#define KEY_CHARS 32
/* Key buffers are larger than the documented CCH_RM_SESSION_KEY + 1, so that writes past the
 * documented size can be detected. */
#define KEY_BUFFER 40
/* Documented limit: 64 sessions per user session, so slots are Session0000 to Session0063. */
#define MAX_SESSIONS 64
/* Written into output parameters before a call, to see whether the call wrote them. */
#define SENTINEL 0xdeadbeef

/* The store's root below HKEY_CURRENT_USER, and its mutex (README, "Sessions"; the name
 * Windows' own Restart Manager creates). */
extern const WCHAR rm_root[];
extern const WCHAR store_mutex_name[];

/* ------------------------------------------------------------------ processes */

void trace_loaded_dll(void);

/* The identity of a process by handle; a failure to read it is a failed check. */
void get_process_id(HANDLE process, RM_UNIQUE_PROCESS *id);
/* The identity of a process by id, without a check: FALSE if it cannot be read. */
BOOL get_process_owner(DWORD pid, RM_UNIQUE_PROCESS *owner);
BOOL owner_equal(const RM_UNIQUE_PROCESS *a, const RM_UNIQUE_PROCESS *b);
/* Whether the process is still the same running process. */
BOOL process_alive(const RM_UNIQUE_PROCESS *process);

/* ------------------------------------------------------------------ the store */

/* Whether a subkey name of the root has the SessionNNNN form. */
BOOL is_session_key_name(const WCHAR *name);
BOOL session_key_exists(const WCHAR *name);
/* Reads the Owner value of a SessionNNNN key; FALSE if the key or a 12-byte REG_BINARY value
 * is missing. */
BOOL get_session_owner(const WCHAR *name, RM_UNIQUE_PROCESS *owner);
/* Reads one value of a SessionNNNN key; FALSE if the key or the value is missing. */
BOOL read_session_value(const WCHAR *name, const WCHAR *value, DWORD *type, void *data, DWORD *size);

/* ------------------------------------------------------------------ sessions and lists */

/* Starts a primary session (start_session_key also returns its key); returns FALSE, after a
 * failed check, if that is impossible. */
#define start_session(a) start_session_(__FILE__, __LINE__, a, NULL)
#define start_session_key(a, b) start_session_(__FILE__, __LINE__, a, b)
BOOL start_session_(const char *file, int line, DWORD *handle, WCHAR *key_out);
#define end_session(a) end_session_(__FILE__, __LINE__, a)
void end_session_(const char *file, int line, DWORD handle);

/* The two-call pattern of Microsoft's sample, retried because the list may grow between the
 * calls.  On success *infos (NULL if empty; free it) holds *count entries. */
DWORD get_list(DWORD handle, RM_PROCESS_INFO **infos, UINT *count, DWORD *reasons);
/* Registers the files and gets the list (get_list), checking both calls succeed. */
#define register_and_list(a, b, c, d, e, f) register_and_list_(__FILE__, __LINE__, a, b, c, d, e, f)
DWORD register_and_list_(const char *file, int line, DWORD handle, UINT nfiles, const WCHAR **files,
                         RM_PROCESS_INFO **infos, UINT *count, DWORD *reasons);
const RM_PROCESS_INFO *find_entry(const RM_PROCESS_INFO *infos, UINT count, DWORD pid);
/* The length of a fixed-size name field, which need not be terminated. */
unsigned int name_length(const WCHAR *name, unsigned int size);
void trace_entry(const RM_PROCESS_INFO *info);
/* Whether the type is one Windows may give a user's program that is neither a service nor
 * critical (RmUnknownApp, RmMainWindow, RmOtherWindow, RmConsole): how Windows tells these
 * apart is not documented, so the tests accept any of them there (tests/EVIDENCE.md). */
BOOL is_user_app_type(RM_APP_TYPE type);

/* Whether the data holds the key's 32 hex digits as UTF-16 text at any byte offset, or as
 * 8-bit text, in either case. */
BOOL data_contains_key(const BYTE *data, DWORD size, const WCHAR *key);

/* ------------------------------------------------------------------ status callbacks */

#define MAX_STATUS_VALUES 256

/* What status_callback got since reset_status(); status_count may exceed what was kept. */
extern UINT status_values[MAX_STATUS_VALUES];
extern LONG status_count;

void reset_status(void);
void record_status(UINT percent);
/* The callback as the SDK declares it: cdecl on x86. */
void status_callback(UINT percent);
/* The values a status callback got: 0..100, never decreasing, ending at 100.  A callback that
 * was not called is a failure if must_be_called, else only traced. */
#define check_status(a, b) check_status_(__FILE__, __LINE__, a, b)
void check_status_(const char *file, int line, const char *what, BOOL must_be_called);

/* ------------------------------------------------------------------ files */

/* The temp directory, in its long form (so that short names made from it differ), without
 * the trailing backslash; init_temp_dir() fills it and names the unit for make_temp_name(). */
extern WCHAR temp_dir[MAX_PATH];
/* Counts up for every name this process makes, so that no two are the same. */
extern unsigned int name_counter;

BOOL init_temp_dir(const WCHAR *unit);
/* A fresh name in the temp directory: <temp>\rmtest_<unit>_<pid>_<n><suffix>. */
void make_temp_name(WCHAR *name, size_t size, const WCHAR *suffix);
void delete_temp_file(const WCHAR *name);
/* Reads a text file other processes may be writing, NUL-terminated, into data (at most size - 1
 * bytes); FALSE (and data empty) if it cannot be opened. */
BOOL read_text_file(const WCHAR *path, char *data, DWORD size);
BOOL directory_of(const WCHAR *path, WCHAR *dir, size_t size);
void to_wide(const char *arg, WCHAR *path, DWORD size);
/* Copies the executable, and the rstrtmgr.dll beside it if there is one (the copy imports it),
 * into a new directory in the temp directory.  The copy's path is returned in copy. */
BOOL copy_executable(const WCHAR *exe, WCHAR *dir, WCHAR *copy);
void delete_executable_copy(const WCHAR *dir, const WCHAR *copy);

/* ------------------------------------------------------------------ child processes */

/* A unit's command line: "<exe> <unit>" for the tests, "<exe> <unit> <mode> <args>..." for a
 * child; get_unit_args also fills the unit's own path. */
struct unit_args
{
    int argc;
    char **argv;
};
struct unit_args get_unit_args(WCHAR self_exe[MAX_PATH]);

/* How long a child may take to say it is ready, and to exit once let go. */
#define READY_TIMEOUT 30000
#define EXIT_TIMEOUT 10000
#define CHILD_WAIT 120000

/* A child process started as "exe <unit> <mode> [<quit event>] <args>...": a unit's program
 * run in one of the modes of its START_TEST.  Its standard output and error come back through
 * a pipe: a line "ready" once it holds what it was asked to hold, "notready <reason>" if it
 * cannot, or "handle <n>" naming a session handle it opened; other lines (its own test
 * output) are traced and kept in log. */
struct child
{
    PROCESS_INFORMATION pi;
    RM_UNIQUE_PROCESS id;
    HANDLE output;
    HANDLE quit;        /* set to let the child exit; NULL for children that exit by themselves */
    char buffer[4096];
    DWORD used;
    char log[8192];
    DWORD log_used;
    DWORD exit_code;
    BOOL running;
};

/* Starts the child in cwd (NULL: this one's) with the creation flags given; quit makes the
 * event that lets it go, passed after the mode.  A failure to start is a failed check;
 * child->id is read without one. */
BOOL start_child(struct child *child, const WCHAR *exe, const WCHAR *unit, const WCHAR *mode, BOOL quit,
                 unsigned int count, const WCHAR * const *args, const WCHAR *cwd, DWORD create_flags);
/* Reads the child's output.  Stops at a "ready", "notready" or "handle" line, returned in
 * reply, unless to_end is set; then reads until the child closes its output.  Returns FALSE on
 * a timeout or when the output ends without such a line. */
BOOL read_child_output(struct child *child, char *reply, DWORD size, DWORD timeout, BOOL to_end);
/* Starts a child with a quit event, checks that its identity can be read, and waits until it
 * is ready.  A child that says
 * "notready" is skipped; one that says nothing fails.  On FALSE the child is already gone. */
BOOL launch_child_(const char *file, int line, struct child *child, const WCHAR *exe, const WCHAR *unit,
                   const WCHAR *mode, unsigned int count, const WCHAR * const *args, const WCHAR *cwd,
                   DWORD create_flags);
/* Collects the output and the exit code of a child and closes its handles.  With let_go, the
 * child is told to quit first; one that does not exit in time is terminated (and that fails). */
#define finish_child(a, b) finish_child_(__FILE__, __LINE__, a, b)
DWORD finish_child_(const char *file, int line, struct child *child, BOOL let_go);
/* Ends a child whatever state it is in, without judging how it ended. */
void kill_child(struct child *child);
/* Lets the child go; its exit code, its failure count, adds to this process's failures as
 * wait_child_process() does, without a check of its own. */
void stop_child(struct child *child);
BOOL child_running(const struct child *child);
/* Starts "exe <unit> host <event> <min>", a child that holds a session handle of at least
 * min_handle until *release is set, and reads the handle it reports (NO_SESSION if none).
 * FALSE if it could not be started. */
BOOL start_host(struct child *child, const WCHAR *exe, const WCHAR *unit, DWORD min_handle, HANDLE *release,
                DWORD *handle);
/* Releases such a child and collects its failures. */
void stop_host(struct child *child, HANDLE release);
/* Whether the child wrote a line containing text. */
BOOL child_said(const struct child *child, const char *text);
/* The other architecture's build of this unit (exe_name, e.g. L"getlist.exe"), if the
 * harness named its directory in RSTRTMGR_TEST_OTHER_ARCH. */
BOOL find_other_arch_exe(const WCHAR *exe_name, WCHAR *exe, size_t size);
/* Runs this process as the service name_arg (copied into name), with main as its ServiceMain,
 * until it stops; *stop is an event main may wait on, made before and closed after. */
void run_service_child(const char *name_arg, WCHAR *name, size_t size, LPSERVICE_MAIN_FUNCTIONW main, HANDLE *stop);
/* Runs a scenario with this unit's own program (self_exe), then, under the context
 * "other arch", with the other architecture's build of it (exe_name), or skips that. */
void run_in_both_arches(const WCHAR *self_exe, const WCHAR *exe_name, void (*run)(const WCHAR *exe));
/* The "host" child mode: opens sessions until one has a handle of at least min_arg (at most
 * max), prints "handle N", and waits for the parent to set the event; returns how many it
 * opened. */
unsigned int host_sessions(const char *event_name, const char *min_arg, DWORD *handles, unsigned int max);

/* ------------------------------------------------------------------ x86 calling convention */

#ifdef __i386__

/* Calls func with nargs DWORD arguments pushed right to left, the way a stdcall caller does, and
 * records by how much the callee left ESP unbalanced. */
struct stdcall_probe
{
    void *func;         /* offset 0 */
    DWORD nargs;        /* offset 4 */
    DWORD args[8];      /* offset 8 */
    DWORD ret;          /* offset 40 */
    LONG delta;         /* offset 44: ESP after the call minus ESP before pushing the arguments */
};

void call_stdcall_probe(struct stdcall_probe *probe);

#endif  /* __i386__ */

#endif  /* RSTRTMGR_RMTEST_H */
