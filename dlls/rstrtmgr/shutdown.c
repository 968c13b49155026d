/*
 * Restart Manager: shutting down and restarting applications
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
 * RmShutdown refreshes the list, refuses to touch anything if a reboot would be needed, and
 * then closes in Windows' order: window applications, console applications, services,
 * Explorer.  Wine's default window procedure ends nothing, so the whole conversation is driven
 * from here: WM_QUERYENDSESSION (lParam ENDSESSION_CLOSEAPP) to every top-level window of every
 * window application; if all agree, WM_ENDSESSION(TRUE), then WM_CLOSE to whatever is still
 * there, then a wait for the process to end.  If one refuses and the shutdown is not forced,
 * the shutdown is called off: the others hear WM_ENDSESSION(FALSE) and nothing is closed.
 * Console applications get CTRL_C_EVENT, then CTRL_CLOSE_EVENT if they stay, delivered to them
 * alone.  Services are stopped through the SCM, their dependents first.  What does not end in
 * time is terminated when forced, and marked RmStatusErrorOnStop otherwise.
 *
 * Every closed application is remembered in the session with how it was started, so RmRestart
 * can start it again (in reverse order) and RmGetList can keep reporting it with its status.
 * That record is history only: each RmShutdown decides from the list and the filters as they
 * are at that moment, never from what an earlier call saw (masked, refused, stopped).
 */

#include "rstrtmgr_private.h"

#include <wingdi.h>
#include <wincon.h>
#include <winsvc.h>
#include <winuser.h>

WINE_DEFAULT_DEBUG_CHANNEL(rstrtmgr);

#ifndef ENDSESSION_CLOSEAPP
#define ENDSESSION_CLOSEAPP 0x00000001
#endif

#define VALID_SHUTDOWN_FLAGS (RmForceShutdown | RmShutdownOnlyRegistered)

/* ------------------------------------------------------------------ settings */

struct timeouts
{
    DWORD hung_app;        /* how long a window may take to answer a message */
    DWORD kill_app;        /* how long an application may take to exit */
    DWORD kill_service;    /* how long a service may take to stop */
};

/* Windows keeps these as strings of milliseconds; accept a DWORD too. */
static DWORD read_timeout(HKEY root, const WCHAR *path, const WCHAR *name, DWORD fallback)
{
    WCHAR text[32];
    DWORD size = sizeof(text), type, value;

    if (RegGetValueW(root, path, name, RRF_RT_REG_SZ | RRF_RT_REG_DWORD, &type, text, &size)) return fallback;
    if (type == REG_DWORD) memcpy(&value, text, sizeof(value));
    else value = wcstoul(text, NULL, 10);
    return value ? min(value, 10 * 60 * 1000) : fallback;
}

static void get_timeouts(struct timeouts *timeouts)
{
    timeouts->hung_app = read_timeout(HKEY_CURRENT_USER, L"Control Panel\\Desktop", L"HungAppTimeout", 5000);
    timeouts->kill_app = read_timeout(HKEY_CURRENT_USER, L"Control Panel\\Desktop", L"WaitToKillAppTimeout", 20000);
    timeouts->kill_service = read_timeout(HKEY_LOCAL_MACHINE, L"System\\CurrentControlSet\\Control",
                                          L"WaitToKillServiceTimeout", 20000);
}

/* ------------------------------------------------------------------ status callback */

#ifdef __i386__
/* The callback is cdecl, but callers declare stdcall ones too (several bindings do): calling
 * it through a frame pointer and restoring the stack pointer afterwards works for both. */
extern void call_status_callback(RM_WRITE_STATUS_CALLBACK callback, UINT percent);
__asm__(".text\n\t"
        ".p2align 4\n\t"
        ".globl _call_status_callback\n\t"
        ".def _call_status_callback; .scl 2; .type 32; .endef\n"
        "_call_status_callback:\n\t"
        "pushl %ebp\n\t"
        "movl %esp, %ebp\n\t"
        "pushl 12(%ebp)\n\t"
        "call *8(%ebp)\n\t"
        "movl %ebp, %esp\n\t"
        "popl %ebp\n\t"
        "ret");
#else
static void call_status_callback(RM_WRITE_STATUS_CALLBACK callback, UINT percent)
{
    callback(percent);
}
#endif

struct progress
{
    RM_WRITE_STATUS_CALLBACK callback;
    int last;               /* -1 before the first report */
    unsigned int done;
    unsigned int total;
};

/* Report a percentage: never decreasing, each value once, 100 only at the end. */
static void report_progress(struct progress *progress, BOOL finished)
{
    int percent;

    if (!progress->callback) return;
    if (finished) percent = 100;
    else if (!progress->total) percent = 0;
    else percent = min(99, (int)(progress->done * 100 / progress->total));
    if (percent <= progress->last) return;
    progress->last = percent;
    call_status_callback(progress->callback, percent);
}

/* ------------------------------------------------------------------ the session's memory */

static struct app_record *find_record(struct session *session, const RM_UNIQUE_PROCESS *process)
{
    unsigned int i;

    for (i = 0; i < session->napps; i++)
        if (!memcmp(&session->apps[i].info.Process, process, sizeof(*process))) return &session->apps[i];
    return NULL;
}

/* Make room for more records up front: a shutdown holds pointers to records while it adds
 * others, so the array must not move under it. */
static BOOL reserve_records(struct session *session, unsigned int count)
{
    struct app_record *apps;

    if (session->napps + count <= session->apps_capacity) return TRUE;
    if (!(apps = realloc(session->apps, (session->napps + count) * sizeof(*apps)))) return FALSE;
    session->apps = apps;
    session->apps_capacity = session->napps + count;
    return TRUE;
}

/* The bits a record gets from the filters: they describe the filters of the moment, not
 * what happened, and are never carried from one call to the next. */
#define FILTER_STATUS (RmStatusShutdownMasked | RmStatusRestartMasked)

/* The record of an application this session acts on, made on first use in the room
 * reserve_records made.  Its description and filter bits become the current ones (info is a
 * fresh list entry); what earlier calls did to it stays. */
static struct app_record *get_record(struct session *session, const RM_PROCESS_INFO *info)
{
    struct app_record *record;

    if (!(record = find_record(session, &info->Process)))
    {
        if (session->napps == session->apps_capacity) return NULL;
        record = &session->apps[session->napps++];
        memset(record, 0, sizeof(*record));
    }
    /* A fresh entry carries the record's history already (merge_app_records). */
    record->info = *info;
    record->info.AppStatus &= ~RmStatusRunning;
    return record;
}

static void set_status(struct session *session, struct app_record *record, ULONG set, ULONG clear)
{
    AcquireSRWLockExclusive(&session->state_lock);
    record->info.AppStatus = (record->info.AppStatus & ~clear) | set;
    ReleaseSRWLockExclusive(&session->state_lock);
}

void free_app_records(struct session *session)
{
    unsigned int i;

    for (i = 0; i < session->napps; i++) free_process_params(&session->apps[i].params);
    free(session->apps);
    for (i = 0; i < session->nservices; i++) free(session->services[i]);
    free(session->services);
    session->apps = NULL;
    session->services = NULL;
    session->napps = session->nservices = session->apps_capacity = 0;
}

/* Fold what this session did into a fresh list: processes it acted on that still run carry
 * their history, and those it stopped are listed with their status though they are gone. */
DWORD merge_app_records(struct session *session, RM_PROCESS_INFO **infos, unsigned int *count)
{
    unsigned int i, j, extra = 0;
    RM_PROCESS_INFO *merged;
    DWORD ret = ERROR_SUCCESS;

    AcquireSRWLockShared(&session->state_lock);
    for (i = 0; i < session->napps; i++)
    {
        const struct app_record *record = &session->apps[i];

        for (j = 0; j < *count; j++)
            if (!memcmp(&(*infos)[j].Process, &record->info.Process, sizeof(record->info.Process))) break;
        /* A process still listed is running: its filter bits are those of now. */
        if (j < *count) (*infos)[j].AppStatus |= record->info.AppStatus & ~(RmStatusStopped | FILTER_STATUS);
        else extra++;
    }
    if (extra)
    {
        if (!(merged = realloc(*infos, (*count + extra) * sizeof(*merged)))) ret = ERROR_OUTOFMEMORY;
        else
        {
            *infos = merged;
            for (i = 0; i < session->napps; i++)
            {
                const struct app_record *record = &session->apps[i];

                for (j = 0; j < *count; j++)
                    if (!memcmp(&merged[j].Process, &record->info.Process, sizeof(record->info.Process))) break;
                if (j == *count) merged[(*count)++] = record->info;
            }
        }
    }
    ReleaseSRWLockShared(&session->state_lock);
    return ret;
}

/* ------------------------------------------------------------------ processes */

/* The event is made on first use: most sessions never shut anything down. */
static HANDLE get_cancel_event(struct session *session)
{
    HANDLE event;

    if ((event = session->cancel_event)) return event;
    if (!(event = CreateEventW(NULL, TRUE, FALSE, NULL))) return NULL;
    if (InterlockedCompareExchangePointer(&session->cancel_event, event, NULL)) CloseHandle(event);
    return session->cancel_event;
}

/* Start a task: forget earlier cancellation requests. */
static DWORD reset_cancel(struct session *session)
{
    HANDLE event = get_cancel_event(session);

    if (!event) return ERROR_OUTOFMEMORY;
    InterlockedExchange(&session->cancel_requested, FALSE);
    ResetEvent(event);
    return ERROR_SUCCESS;
}

/* Open the process a record describes, if it still is that process. */
static HANDLE open_app(const RM_PROCESS_INFO *info, DWORD access)
{
    FILETIME created, exited, kernel, user;
    HANDLE process;
    DWORD code;

    if (!(process = OpenProcess(access | PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, FALSE,
                                info->Process.dwProcessId)))
        return NULL;
    if (!GetProcessTimes(process, &created, &exited, &kernel, &user)
            || memcmp(&created, &info->Process.ProcessStartTime, sizeof(created))
            || (GetExitCodeProcess(process, &code) && code != STILL_ACTIVE))
    {
        CloseHandle(process);
        return NULL;
    }
    return process;
}

/* Wait for a process to end: 0 when it did, WAIT_TIMEOUT, or ERROR_CANCELLED. */
static DWORD wait_for_exit(struct session *session, HANDLE process, DWORD timeout)
{
    HANDLE handles[2] = { process, session->cancel_event };

    switch (WaitForMultipleObjects(2, handles, FALSE, timeout))
    {
    case WAIT_OBJECT_0: return ERROR_SUCCESS;
    case WAIT_OBJECT_0 + 1: return ERROR_CANCELLED;
    default: return WAIT_TIMEOUT;
    }
}

static BOOL terminate_app(HANDLE process)
{
    if (!TerminateProcess(process, 1)) return FALSE;
    return !WaitForSingleObject(process, 5000);
}

/* Remember how the application was started, for RmRestart. */
static void capture_restart_info(struct app_record *record, HANDLE process)
{
    WCHAR args[RESTART_MAX_CMD_LINE], image[MAX_PATH];
    DWORD size = ARRAYSIZE(args), flags = 0, len = ARRAYSIZE(image);
    HRESULT hr;

    hr = GetApplicationRestartSettings(process, args, &size, &flags);
    if (hr == S_OK)
    {
        /* Registered for restart: Windows starts the image with the registered arguments. */
        if (QueryFullProcessImageNameW(process, 0, image, &len)
                && (record->params.cmdline = malloc((len + wcslen(args) + 4) * sizeof(WCHAR))))
        {
            swprintf(record->params.cmdline, len + wcslen(args) + 4, L"\"%ls\" %ls", image, args);
            record->params.image = wcsdup(image);
        }
        return;
    }
    if (hr != E_NOTIMPL) return;

    /* The platform keeps no registrations (Wine 8.0): start it again as it was started. */
    if (needs_helper(process))
        helper_read_params(record->info.Process.dwProcessId, &record->params);
    else
        read_process_params(process, &record->params);
    if (!record->params.cmdline) WARN("cannot read how pid %lu was started\n", record->info.Process.dwProcessId);
}

/* ------------------------------------------------------------------ window applications */

struct message_job
{
    LONG refcount;
    unsigned int count;
    HWND *windows;
    UINT message;
    WPARAM wparam;
    LPARAM lparam;
    UINT timeout;
    BOOL *answered;
    LRESULT *results;
};

static void release_job(struct message_job *job)
{
    if (InterlockedDecrement(&job->refcount)) return;
    free(job->windows);
    free(job->answered);
    free(job->results);
    free(job);
}

/* Messages are sent from a thread of their own, so that RmCancelCurrentTask can end the
 * wait at once even while an application takes its time to answer. */
static DWORD WINAPI message_thread(void *arg)
{
    struct message_job *job = arg;
    unsigned int i;

    for (i = 0; i < job->count; i++)
    {
        DWORD_PTR result = 0;

        job->answered[i] = !!SendMessageTimeoutW(job->windows[i], job->message, job->wparam, job->lparam,
                                                 SMTO_ABORTIFHUNG | SMTO_NORMAL, job->timeout, &result);
        job->results[i] = result;
    }
    release_job(job);
    return 0;
}

static DWORD send_messages(struct session *session, struct message_job *job)
{
    HANDLE thread, handles[2];
    DWORD wait;

    InterlockedIncrement(&job->refcount);
    if (!(thread = CreateThread(NULL, 0, message_thread, job, 0, NULL)))
    {
        release_job(job);
        return ERROR_OUTOFMEMORY;
    }
    handles[0] = thread;
    handles[1] = session->cancel_event;
    wait = WaitForMultipleObjects(2, handles, FALSE, INFINITE);
    CloseHandle(thread);
    return wait == WAIT_OBJECT_0 ? ERROR_SUCCESS : ERROR_CANCELLED;
}

struct window_app
{
    struct app_record *record;
    HANDLE process;
    BOOL refused;
};

struct window_collect
{
    struct window_app *apps;
    unsigned int napps;
    struct message_job *job;
    unsigned int *owners;       /* the app of each window */
    unsigned int capacity;
};

static BOOL CALLBACK collect_window(HWND hwnd, LPARAM param)
{
    struct window_collect *collect = (struct window_collect *)param;
    struct message_job *job = collect->job;
    DWORD pid = 0;
    unsigned int i;

    GetWindowThreadProcessId(hwnd, &pid);
    for (i = 0; i < collect->napps; i++)
        if (collect->apps[i].record->info.Process.dwProcessId == pid) break;
    if (i == collect->napps) return TRUE;

    if (job->count == collect->capacity)
    {
        unsigned int capacity = collect->capacity ? collect->capacity * 2 : 16;
        HWND *windows = realloc(job->windows, capacity * sizeof(*windows));
        unsigned int *owners = windows ? realloc(collect->owners, capacity * sizeof(*owners)) : NULL;

        if (windows) job->windows = windows;
        if (!owners) return FALSE;
        collect->owners = owners;
        collect->capacity = capacity;
    }
    job->windows[job->count] = hwnd;
    collect->owners[job->count++] = i;
    return TRUE;
}

static struct message_job *new_job(unsigned int count, UINT message, WPARAM wparam, LPARAM lparam, UINT timeout)
{
    struct message_job *job = calloc(1, sizeof(*job));

    if (!job) return NULL;
    job->refcount = 1;
    job->message = message;
    job->wparam = wparam;
    job->lparam = lparam;
    job->timeout = timeout;
    if (count && (!(job->windows = calloc(count, sizeof(*job->windows)))
                  || !(job->answered = calloc(count, sizeof(*job->answered)))
                  || !(job->results = calloc(count, sizeof(*job->results)))))
    {
        release_job(job);
        return NULL;
    }
    return job;
}

/* Send one message to the windows of the apps selected by want (refused or agreeing ones). */
static DWORD notify_windows(struct session *session, const struct window_collect *collect, BOOL refused,
                            UINT message, WPARAM wparam, LPARAM lparam, UINT timeout)
{
    struct message_job *job;
    unsigned int i;
    DWORD ret;

    if (!(job = new_job(collect->job->count, message, wparam, lparam, timeout))) return ERROR_OUTOFMEMORY;
    for (i = 0; i < collect->job->count; i++)
        if (collect->apps[collect->owners[i]].refused == refused && IsWindow(collect->job->windows[i]))
            job->windows[job->count++] = collect->job->windows[i];
    ret = job->count ? send_messages(session, job) : ERROR_SUCCESS;
    release_job(job);
    return ret;
}

static DWORD close_window_apps(struct session *session, struct window_app *apps, unsigned int napps, BOOL force,
                               const struct timeouts *timeouts, struct progress *progress, BOOL *failed)
{
    struct window_collect collect = { apps, napps, NULL, NULL, 0 };
    BOOL any_refused = FALSE;
    unsigned int i;
    DWORD ret;

    if (!napps) return ERROR_SUCCESS;
    if (!(collect.job = new_job(0, WM_QUERYENDSESSION, 0, ENDSESSION_CLOSEAPP, timeouts->hung_app)))
        return ERROR_OUTOFMEMORY;
    EnumWindows(collect_window, (LPARAM)&collect);
    if (collect.job->count && (!(collect.job->answered = calloc(collect.job->count, sizeof(BOOL)))
                               || !(collect.job->results = calloc(collect.job->count, sizeof(LRESULT)))))
    {
        ret = ERROR_OUTOFMEMORY;
        goto done;
    }

    /* First round: ask every window.  No answer in time counts as a refusal. */
    if ((ret = send_messages(session, collect.job))) goto done;
    for (i = 0; i < collect.job->count; i++)
    {
        struct window_app *app = &apps[collect.owners[i]];

        if (!collect.job->answered[i] || !collect.job->results[i])
        {
            /* A window that is gone by now did not refuse: its process is on its way out. */
            if (!collect.job->answered[i] && !IsWindow(collect.job->windows[i])) continue;
            TRACE("pid %lu refuses to close\n", app->record->info.Process.dwProcessId);
            app->refused = TRUE;
            any_refused = TRUE;
        }
    }

    if (any_refused && !force)
    {
        /* The shutdown is called off: tell the others the session goes on. */
        ret = notify_windows(session, &collect, FALSE, WM_ENDSESSION, FALSE, ENDSESSION_CLOSEAPP, timeouts->hung_app);
        for (i = 0; i < napps; i++)
            if (apps[i].refused) set_status(session, apps[i].record, RmStatusErrorOnStop, 0);
        *failed = TRUE;
        goto done;
    }

    if ((ret = notify_windows(session, &collect, FALSE, WM_ENDSESSION, TRUE, ENDSESSION_CLOSEAPP, timeouts->hung_app)))
        goto done;
    /* Wine's default window procedure does not end anything on WM_ENDSESSION: close the
     * windows that are still there. */
    for (i = 0; i < collect.job->count; i++)
        if (!apps[collect.owners[i]].refused && IsWindow(collect.job->windows[i]))
            PostMessageW(collect.job->windows[i], WM_CLOSE, 0, 0);

    for (i = 0; i < napps && !ret; i++)
    {
        struct window_app *app = &apps[i];
        DWORD wait = app->refused ? WAIT_TIMEOUT : wait_for_exit(session, app->process, timeouts->kill_app);

        if (wait == ERROR_CANCELLED) ret = ERROR_CANCELLED;
        else if (!wait || (force && terminate_app(app->process)))
            set_status(session, app->record, RmStatusStopped, RmStatusRunning | RmStatusErrorOnStop);
        else
        {
            set_status(session, app->record, RmStatusErrorOnStop, 0);
            *failed = TRUE;
        }
        progress->done++;
        report_progress(progress, FALSE);
    }

done:
    free(collect.owners);
    release_job(collect.job);
    return ret;
}

/* ------------------------------------------------------------------ console and other apps */

static BOOL ctrl_event(DWORD pid, HANDLE process, DWORD event)
{
    if (needs_helper(process)) return helper_send_ctrl_event(pid, event);
    return send_ctrl_event(pid, event);
}

/* How long a console application gets to exit on CTRL_C_EVENT before it gets
 * CTRL_CLOSE_EVENT: a quarter of WaitToKillAppTimeout, at most 5 s.  A program that ends on
 * Ctrl+C does so as soon as its handler thread runs; one that ignores it never will, and
 * waiting longer only delays it.  Windows gives a console program 5 s to handle
 * CTRL_CLOSE_EVENT when its console is closed, so a cleanup on Ctrl+C gets as long. */
static DWORD ctrl_c_grace(const struct timeouts *timeouts)
{
    return min(timeouts->kill_app / 4, 5000);
}

/*
 * Ask a console application to exit: CTRL_C_EVENT, and if it is still running after the
 * grace, CTRL_CLOSE_EVENT (a Windows-CI test shows Windows closing a console program that
 * cannot receive Ctrl+C but exits on the close event), both through CtrlRoutine in the target.
 * The whole wait stays within WaitToKillAppTimeout.  Returns 0 when it exited, WAIT_TIMEOUT or
 * ERROR_CANCELLED.
 *
 * Under Wine 8.0, a process that disabled Ctrl+C (SetConsoleCtrlHandler(NULL, TRUE), or
 * started with CREATE_NEW_PROCESS_GROUP, which sets the same flag) gets neither event: Wine's
 * CtrlRoutine returns before calling any handler, whatever the event, where Windows ignores
 * only Ctrl+C.  Such an application therefore stays until RmForceShutdown terminates it
 * (README, "Closing and restarting").  Nothing here works around it.
 */
static DWORD ask_console_app(struct session *session, struct window_app *app, const struct timeouts *timeouts)
{
    DWORD pid = app->record->info.Process.dwProcessId, grace = ctrl_c_grace(timeouts), wait;

    if (!ctrl_event(pid, app->process, CTRL_C_EVENT)) WARN("cannot send CTRL_C_EVENT to pid %lu\n", pid);
    else if ((wait = wait_for_exit(session, app->process, grace)) != WAIT_TIMEOUT) return wait;
    TRACE("pid %lu still runs after CTRL_C_EVENT: CTRL_CLOSE_EVENT\n", pid);
    if (!ctrl_event(pid, app->process, CTRL_CLOSE_EVENT))
    {
        WARN("cannot send CTRL_CLOSE_EVENT to pid %lu\n", pid);
        return WAIT_TIMEOUT;
    }
    return wait_for_exit(session, app->process, timeouts->kill_app - grace);
}

/* Console applications are asked with control events; others have nothing to be asked with
 * and can only be terminated, which takes RmForceShutdown. */
static DWORD close_other_app(struct session *session, struct window_app *app, BOOL force,
                             const struct timeouts *timeouts, BOOL *failed)
{
    DWORD wait = WAIT_TIMEOUT;

    if (app->record->info.ApplicationType == RmConsole) wait = ask_console_app(session, app, timeouts);
    if (wait == ERROR_CANCELLED) return ERROR_CANCELLED;
    if (!wait || (force && terminate_app(app->process)))
        set_status(session, app->record, RmStatusStopped, RmStatusRunning | RmStatusErrorOnStop);
    else
    {
        set_status(session, app->record, RmStatusErrorOnStop, 0);
        *failed = TRUE;
    }
    return ERROR_SUCCESS;
}

/* ------------------------------------------------------------------ services */

static BOOL remember_service(struct session *session, const WCHAR *name)
{
    WCHAR **services, *copy;
    unsigned int i;

    for (i = 0; i < session->nservices; i++) if (!wcsicmp(session->services[i], name)) return TRUE;
    if (!(copy = wcsdup(name))) return FALSE;
    if (!(services = realloc(session->services, (session->nservices + 1) * sizeof(*services))))
    {
        free(copy);
        return FALSE;
    }
    AcquireSRWLockExclusive(&session->state_lock);
    session->services = services;
    session->services[session->nservices++] = copy;
    ReleaseSRWLockExclusive(&session->state_lock);
    return TRUE;
}

/* The services one depends on, as a double-null-terminated list (malloc'ed; NULL for none).
 * Wine 8.0's SCM leaves lpDependencies empty in QueryServiceConfigW, so an empty list there
 * is checked against the DependOnService value that both SCMs keep in the registry. */
static WCHAR *service_dependencies(SC_HANDLE manager, const WCHAR *name)
{
    QUERY_SERVICE_CONFIGW *config = NULL;
    DWORD size = 0, buffer_size;
    WCHAR *result = NULL, path[320];
    SC_HANDLE service;
    const WCHAR *dep;

    if ((service = OpenServiceW(manager, name, SERVICE_QUERY_CONFIG)))
    {
        QueryServiceConfigW(service, NULL, 0, &size);
        if (size && (config = malloc(size)) && QueryServiceConfigW(service, config, size, &size)
                && config->lpDependencies && config->lpDependencies[0])
        {
            for (dep = config->lpDependencies; *dep; dep += wcslen(dep) + 1)
                ;
            size = (dep + 1 - config->lpDependencies) * sizeof(WCHAR);
            if ((result = malloc(size))) memcpy(result, config->lpDependencies, size);
        }
        free(config);
        CloseServiceHandle(service);
        if (result) return result;
    }

    swprintf(path, ARRAYSIZE(path), L"System\\CurrentControlSet\\Services\\%ls", name);
    size = 0;
    if (RegGetValueW(HKEY_LOCAL_MACHINE, path, L"DependOnService", RRF_RT_REG_MULTI_SZ, NULL, NULL, &size) || !size)
        return NULL;
    /* Zeroed, with room for two more terminators than the value needs. */
    buffer_size = size + 2 * sizeof(WCHAR);
    if (!(result = calloc(1, buffer_size))) return NULL;
    if (RegGetValueW(HKEY_LOCAL_MACHINE, path, L"DependOnService", RRF_RT_REG_MULTI_SZ, NULL, result, &buffer_size))
    {
        free(result);
        return NULL;
    }
    return result;
}

/* The running services that depend on one, from their dependency lists (Wine 8.0's
 * EnumDependentServices always answers none). */
static WCHAR **running_dependents(SC_HANDLE manager, const WCHAR *name, unsigned int *count)
{
    ENUM_SERVICE_STATUS_PROCESSW *services = NULL;
    DWORD size = 0, needed = 0, nservices = 0, resume = 0, i;
    WCHAR **result = NULL;

    *count = 0;
    while (!EnumServicesStatusExW(manager, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_ACTIVE, (BYTE *)services,
                                  size, &needed, &nservices, &resume, NULL))
    {
        free(services);
        services = NULL;
        resume = 0;
        if (GetLastError() != ERROR_MORE_DATA || !(services = malloc(size + needed))) return NULL;
        size += needed;
    }
    for (i = 0; i < nservices; i++)
    {
        WCHAR *dependencies = service_dependencies(manager, services[i].lpServiceName);
        const WCHAR *dep;

        for (dep = dependencies; dep && *dep; dep += wcslen(dep) + 1)
        {
            WCHAR **bigger;

            if (wcsicmp(dep, name)) continue;  /* group names start with '+' and never match */
            if ((bigger = realloc(result, (*count + 1) * sizeof(*result))))
            {
                result = bigger;
                if ((result[*count] = wcsdup(services[i].lpServiceName))) (*count)++;
            }
            break;
        }
        free(dependencies);
    }
    free(services);
    return result;
}

static DWORD stop_service(struct session *session, SC_HANDLE manager, const WCHAR *name,
                          const struct timeouts *timeouts, unsigned int depth)
{
    SERVICE_STATUS_PROCESS status;
    SERVICE_STATUS control;
    WCHAR **dependents;
    unsigned int count, i;
    DWORD size, start, ret = ERROR_SUCCESS;
    SC_HANDLE service;

    if (depth > 16) return ERROR_SUCCESS;  /* a dependency cycle */
    if ((dependents = running_dependents(manager, name, &count)))
    {
        for (i = 0; i < count; i++)
        {
            if (!ret) ret = stop_service(session, manager, dependents[i], timeouts, depth + 1);
            free(dependents[i]);
        }
        free(dependents);
        if (ret) return ret;
    }

    if (!(service = OpenServiceW(manager, name, SERVICE_STOP | SERVICE_QUERY_STATUS))) return GetLastError();
    if (!QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, (BYTE *)&status, sizeof(status), &size)
            || status.dwCurrentState == SERVICE_STOPPED)
    {
        CloseServiceHandle(service);
        return ERROR_SUCCESS;
    }
    TRACE("stopping service %s\n", debugstr_w(name));
    remember_service(session, name);
    if (!ControlService(service, SERVICE_CONTROL_STOP, &control) && GetLastError() != ERROR_SERVICE_NOT_ACTIVE)
        ret = GetLastError();
    for (start = GetTickCount(); !ret; )
    {
        if (!QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, (BYTE *)&status, sizeof(status), &size)) break;
        if (status.dwCurrentState == SERVICE_STOPPED) break;
        if (GetTickCount() - start > timeouts->kill_service) ret = WAIT_TIMEOUT;
        else if (!WaitForSingleObject(session->cancel_event, 20)) ret = ERROR_CANCELLED;
    }
    CloseServiceHandle(service);
    return ret;
}

static DWORD close_service_app(struct session *session, struct window_app *app, BOOL force,
                               const struct timeouts *timeouts, BOOL *failed)
{
    SC_HANDLE manager;
    DWORD ret;

    if (!(manager = OpenSCManagerW(NULL, NULL, SC_MANAGER_ENUMERATE_SERVICE | SC_MANAGER_CONNECT)))
        ret = GetLastError();
    else
    {
        ret = stop_service(session, manager, app->record->info.strServiceShortName, timeouts, 0);
        CloseServiceHandle(manager);
    }
    if (ret == ERROR_CANCELLED) return ret;
    if (ret && force && terminate_app(app->process)) ret = ERROR_SUCCESS;
    if (!ret) set_status(session, app->record, RmStatusStopped, RmStatusRunning | RmStatusErrorOnStop);
    else
    {
        WARN("cannot stop service %s: %lu\n", debugstr_w(app->record->info.strServiceShortName), ret);
        set_status(session, app->record, RmStatusErrorOnStop, 0);
        *failed = TRUE;
    }
    return ERROR_SUCCESS;
}

/* ------------------------------------------------------------------ RmShutdown */

/* Windows' order: window applications, console applications (and others), services, Explorer. */
static int shutdown_stage(RM_APP_TYPE type)
{
    switch (type)
    {
    case RmMainWindow:
    case RmOtherWindow: return 0;
    case RmConsole:
    case RmUnknownApp: return 1;
    case RmService: return 2;
    case RmExplorer: return 3;
    default: return -1;
    }
}

static DWORD shutdown_apps(struct session *session, const RM_PROCESS_INFO *infos, unsigned int count, ULONG flags,
                           struct progress *progress)
{
    BOOL force = !!(flags & RmForceShutdown), failed = FALSE, out_of_reach = FALSE;
    struct window_app *apps;
    struct timeouts timeouts;
    unsigned int i, napps = 0, stage;
    DWORD ret = ERROR_SUCCESS;

    get_timeouts(&timeouts);
    if (!(apps = calloc(count ? count : 1, sizeof(*apps)))) return ERROR_OUTOFMEMORY;
    AcquireSRWLockExclusive(&session->state_lock);
    ret = reserve_records(session, count) ? ERROR_SUCCESS : ERROR_OUTOFMEMORY;
    ReleaseSRWLockExclusive(&session->state_lock);
    if (ret)
    {
        free(apps);
        return ret;
    }

    for (i = 0; i < count; i++)
    {
        const RM_PROCESS_INFO *info = &infos[i];
        struct app_record *record;
        HANDLE process;

        /* Entries that only remember what this session stopped earlier are not running. */
        if (!(info->AppStatus & RmStatusRunning) || shutdown_stage(info->ApplicationType) < 0) continue;
        AcquireSRWLockExclusive(&session->state_lock);
        record = get_record(session, info);
        ReleaseSRWLockExclusive(&session->state_lock);
        if (!record)
        {
            ret = ERROR_OUTOFMEMORY;
            break;
        }
        if (info->AppStatus & RmStatusShutdownMasked)
        {
            set_status(session, record, RmStatusShutdownMasked, 0);
            continue;
        }
        if (!(process = open_app(info, PROCESS_TERMINATE | PROCESS_QUERY_INFORMATION | PROCESS_VM_READ)))
        {
            if (!(process = open_app(info, 0)))
            {
                /* Gone before we came to it. */
                set_status(session, record, RmStatusStoppedOther, RmStatusRunning);
                continue;
            }
            /* Still running, but out of reach: it stays, and RmShutdown must say so. */
            CloseHandle(process);
            set_status(session, record, RmStatusErrorOnStop, 0);
            out_of_reach = TRUE;
            continue;
        }
        record->restart = info->bRestartable && !(info->AppStatus & RmStatusRestartMasked);
        if (record->restart && info->ApplicationType != RmService && !record->params.cmdline)
            capture_restart_info(record, process);
        apps[napps].record = record;
        apps[napps].process = process;
        napps++;
    }
    progress->total = napps;
    report_progress(progress, FALSE);

    for (stage = 0; stage <= 3 && !ret && !(failed && !force); stage++)
    {
        struct window_app *stage_apps = NULL;
        unsigned int nstage = 0;

        for (i = 0; i < napps; i++)
        {
            if (shutdown_stage(apps[i].record->info.ApplicationType) != (int)stage) continue;
            if (stage == 0 || stage == 3)
            {
                /* Window applications (and Explorer) are asked together; they are contiguous
                 * in a copy made for the round. */
                struct window_app *bigger = realloc(stage_apps, (nstage + 1) * sizeof(*bigger));

                if (!bigger) { ret = ERROR_OUTOFMEMORY; break; }
                stage_apps = bigger;
                stage_apps[nstage++] = apps[i];
                continue;
            }
            if (stage == 1) ret = close_other_app(session, &apps[i], force, &timeouts, &failed);
            else ret = close_service_app(session, &apps[i], force, &timeouts, &failed);
            progress->done++;
            report_progress(progress, FALSE);
            if (ret) break;
        }
        if (!ret && nstage) ret = close_window_apps(session, stage_apps, nstage, force, &timeouts, progress, &failed);
        free(stage_apps);
    }

    for (i = 0; i < napps; i++) CloseHandle(apps[i].process);
    free(apps);
    if (!ret && (failed || out_of_reach)) ret = ERROR_FAIL_SHUTDOWN;
    return ret;
}

/***********************************************************************
 *           RmShutdown (rstrtmgr.@)
 */
DWORD WINAPI RmShutdown(DWORD handle, ULONG flags, RM_WRITE_STATUS_CALLBACK status)
{
    struct progress progress = { status, -1, 0, 0 };
    struct session *session;
    RM_PROCESS_INFO *infos = NULL;
    unsigned int count = 0, i;
    DWORD reasons, ret;

    TRACE("%lu, %#lx, %p\n", handle, flags, status);

    if (flags & ~VALID_SHUTDOWN_FLAGS) return ERROR_BAD_ARGUMENTS;
    if ((ret = grab_primary_session(handle, &session))) return ret;

    if ((ret = reset_cancel(session)))
    {
        release_session(session);
        return ret;
    }
    report_progress(&progress, FALSE);
    if ((ret = get_affected_list(session, &infos, &count, &reasons))) goto done;

    /* Anything that needs a reboot: touch nothing. */
    if (reasons)
    {
        TRACE("reboot reasons %#lx, nothing is shut down\n", reasons);
        ret = ERROR_FAIL_NOACTION_REBOOT;
        goto done;
    }
    if (flags & RmShutdownOnlyRegistered)
    {
        for (i = 0; i < count; i++)
        {
            if (!(infos[i].AppStatus & RmStatusRunning) || (infos[i].AppStatus & RmStatusShutdownMasked)) continue;
            if (!infos[i].bRestartable)
            {
                TRACE("pid %lu cannot be restarted, nothing is shut down\n", infos[i].Process.dwProcessId);
                ret = ERROR_FAIL_SHUTDOWN;
                goto done;
            }
        }
    }
    /* From here on applications are acted on, and RmRestart is in sequence even if this call
     * fails (it restarts what was closed).  A call that failed before this point touched
     * nothing: it leaves RmRestart as it was (out of sequence unless an earlier RmShutdown
     * got here). */
    InterlockedExchange(&session->shutdown_done, TRUE);
    ret = shutdown_apps(session, infos, count, flags, &progress);

done:
    if (ret != ERROR_CANCELLED) report_progress(&progress, TRUE);
    free(infos);
    release_session(session);
    TRACE("returning %lu\n", ret);
    return ret;
}

/* ------------------------------------------------------------------ RmRestart */

static BOOL start_app(struct app_record *record)
{
    STARTUPINFOW si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    DWORD flags = CREATE_UNICODE_ENVIRONMENT | CREATE_DEFAULT_ERROR_MODE;
    WCHAR *cmdline;
    BOOL ok;

    if (!record->params.cmdline || !(cmdline = wcsdup(record->params.cmdline))) return FALSE;
    /* Console applications restart in a console of their own. */
    if (record->info.ApplicationType == RmConsole) flags |= CREATE_NEW_CONSOLE;
    ok = CreateProcessW(record->params.image, cmdline, NULL, NULL, FALSE, flags, record->params.env,
                        record->params.cwd && record->params.cwd[0] ? record->params.cwd : NULL, &si, &pi);
    if (!ok && record->params.image)
        ok = CreateProcessW(NULL, cmdline, NULL, NULL, FALSE, flags, record->params.env, NULL, &si, &pi);
    free(cmdline);
    if (!ok)
    {
        WARN("cannot restart %s: %lu\n", debugstr_w(record->params.cmdline), GetLastError());
        return FALSE;
    }
    TRACE("restarted %s as pid %lu\n", debugstr_w(record->params.cmdline), pi.dwProcessId);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    return TRUE;
}

/* Start a service and wait until it runs: the services started after it may depend on it, and
 * Wine 8.0's SCM, unlike Windows', starts a service without waiting for those it depends on. */
static DWORD start_service(struct session *session, SC_HANDLE manager, const WCHAR *name, DWORD timeout)
{
    SERVICE_STATUS_PROCESS status;
    SC_HANDLE service;
    DWORD size, start, ret = ERROR_SUCCESS;

    if (!(service = OpenServiceW(manager, name, SERVICE_START | SERVICE_QUERY_STATUS))) return GetLastError();
    if (!StartServiceW(service, 0, NULL) && GetLastError() != ERROR_SERVICE_ALREADY_RUNNING) ret = GetLastError();
    for (start = GetTickCount(); !ret; )
    {
        if (!QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, (BYTE *)&status, sizeof(status), &size)) break;
        if (status.dwCurrentState == SERVICE_STOPPED) ret = ERROR_SERVICE_NOT_ACTIVE;
        else if (status.dwCurrentState != SERVICE_START_PENDING) break;
        else if (GetTickCount() - start > timeout) ret = WAIT_TIMEOUT;
        else if (!WaitForSingleObject(session->cancel_event, 20)) ret = ERROR_CANCELLED;
    }
    CloseServiceHandle(service);
    return ret;
}

/* Whether the service an RmService entry names was among those that did not start again. */
static BOOL service_restart_failed(const struct session *session, const BOOL *service_failed, const WCHAR *name)
{
    unsigned int n;

    for (n = 0; n < session->nservices; n++)
        if (!wcsicmp(session->services[n], name)) return service_failed[n];
    return FALSE;
}

/***********************************************************************
 *           RmRestart (rstrtmgr.@)
 */
DWORD WINAPI RmRestart(DWORD handle, DWORD flags, RM_WRITE_STATUS_CALLBACK status)
{
    struct progress progress = { status, -1, 0, 0 };
    struct session *session;
    struct timeouts timeouts;
    SC_HANDLE manager = NULL;
    BOOL failed = FALSE, *service_failed = NULL;
    unsigned int i, total = 0;
    int n;
    DWORD ret;

    TRACE("%lu, %#lx, %p\n", handle, flags, status);

    if (flags) return ERROR_BAD_ARGUMENTS;
    if ((ret = grab_primary_session(handle, &session))) return ret;
    if (!session->shutdown_done)
    {
        release_session(session);
        return ERROR_REQUEST_OUT_OF_SEQUENCE;
    }
    if ((ret = reset_cancel(session)))
    {
        release_session(session);
        return ret;
    }

    for (i = 0; i < session->napps; i++)
        if (session->apps[i].restart && (session->apps[i].info.AppStatus & RmStatusStopped)
                && !(session->apps[i].info.AppStatus & RmStatusRestarted))
            total++;
    progress.total = total + session->nservices;
    report_progress(&progress, FALSE);
    get_timeouts(&timeouts);

    /* Services first, in the reverse of the order they were stopped (dependents last). */
    /* Which services did not start again: their entries get RmStatusErrorOnRestart below. */
    if (session->nservices && !(service_failed = calloc(session->nservices, sizeof(*service_failed))))
        ret = ERROR_OUTOFMEMORY;
    if (!ret && session->nservices && !(manager = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT)))
    {
        failed = TRUE;
        for (n = 0; n < (int)session->nservices; n++) service_failed[n] = TRUE;
    }
    for (n = (int)session->nservices - 1; manager && n >= 0 && !ret; n--)
    {
        DWORD err;

        if (task_cancelled(session)) ret = ERROR_CANCELLED;
        else if ((err = start_service(session, manager, session->services[n], timeouts.kill_service)) == ERROR_CANCELLED)
            ret = err;
        else if (err)
        {
            WARN("cannot restart service %s: %lu\n", debugstr_w(session->services[n]), err);
            failed = service_failed[n] = TRUE;
        }
        progress.done++;
        report_progress(&progress, FALSE);
    }
    if (manager) CloseServiceHandle(manager);

    /* Then applications, the last stopped first. */
    for (n = (int)session->napps - 1; n >= 0 && !ret; n--)
    {
        struct app_record *record = &session->apps[n];
        ULONG status_bits = record->info.AppStatus;

        if (!(status_bits & RmStatusStopped) || (status_bits & RmStatusRestarted)) continue;
        if (!record->restart)
        {
            if (status_bits & RmStatusRestartMasked) TRACE("pid %lu is not restarted: filtered\n", record->info.Process.dwProcessId);
            continue;
        }
        if (task_cancelled(session)) ret = ERROR_CANCELLED;
        else if (record->info.ApplicationType == RmService
                 ? !service_restart_failed(session, service_failed, record->info.strServiceShortName)
                 : start_app(record))
            set_status(session, record, RmStatusRestarted, RmStatusErrorOnRestart);
        else
        {
            set_status(session, record, RmStatusErrorOnRestart, 0);
            failed = TRUE;
        }
        progress.done++;
        report_progress(&progress, FALSE);
    }

    free(service_failed);
    if (!ret && failed) ret = ERROR_FAIL_RESTART;
    if (ret != ERROR_CANCELLED) report_progress(&progress, TRUE);
    release_session(session);
    TRACE("returning %lu\n", ret);
    return ret;
}

/***********************************************************************
 *           RmCancelCurrentTask (rstrtmgr.@)
 */
DWORD WINAPI RmCancelCurrentTask(DWORD handle)
{
    struct session *session;
    HANDLE event;
    DWORD ret;

    TRACE("%lu\n", handle);

    /* "Must be called from the application that has started the session", as for RmGetList. */
    if ((ret = grab_primary_session(handle, &session))) return ret;
    InterlockedExchange(&session->cancel_requested, TRUE);
    if ((event = get_cancel_event(session))) SetEvent(event);
    release_session(session);
    return ERROR_SUCCESS;
}
