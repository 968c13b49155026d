/*
 * Restart Manager: RmShutdown
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

/* ------------------------------------------------------------------ processes */

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
    if (hr == E_NOTIMPL) read_start_params(process, record->info.Process.dwProcessId, &record->params);
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
    size_t windows_capacity;
    unsigned int *owners;       /* the app of each window */
    size_t owners_capacity;
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

    if (!array_reserve((void **)&job->windows, &collect->windows_capacity, job->count + 1, sizeof(*job->windows))
            || !array_reserve((void **)&collect->owners, &collect->owners_capacity, job->count + 1,
                              sizeof(*collect->owners)))
        return FALSE;
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

/* Mark an application by how its close went: stopped if it exited (wait 0), or if forced and
 * it could be terminated; otherwise it stays, and the shutdown fails. */
static void record_close(struct session *session, struct window_app *app, DWORD wait, BOOL force, BOOL *failed)
{
    if (!wait || (force && terminate_app(app->process)))
        set_app_status(session, app->record, RmStatusStopped, RmStatusRunning | RmStatusErrorOnStop);
    else
    {
        set_app_status(session, app->record, RmStatusErrorOnStop, 0);
        *failed = TRUE;
    }
}

/* Every top-level window of the applications, with room for the first round's answers. */
static DWORD collect_app_windows(struct window_collect *collect, const struct timeouts *timeouts)
{
    struct message_job *job;

    if (!(job = collect->job = new_job(0, WM_QUERYENDSESSION, 0, ENDSESSION_CLOSEAPP, timeouts->hung_app)))
        return ERROR_OUTOFMEMORY;
    EnumWindows(collect_window, (LPARAM)collect);
    if (job->count && (!(job->answered = calloc(job->count, sizeof(BOOL)))
                       || !(job->results = calloc(job->count, sizeof(LRESULT)))))
        return ERROR_OUTOFMEMORY;
    return ERROR_SUCCESS;
}

/* First round: ask every window.  No answer in time counts as a refusal. */
static DWORD ask_windows(struct session *session, struct window_collect *collect, BOOL *any_refused)
{
    struct message_job *job = collect->job;
    unsigned int i;
    DWORD ret;

    if ((ret = send_messages(session, job))) return ret;
    for (i = 0; i < job->count; i++)
    {
        struct window_app *app = &collect->apps[collect->owners[i]];

        if (job->answered[i] && job->results[i]) continue;
        /* A window that is gone by now did not refuse: its process is on its way out. */
        if (!job->answered[i] && !IsWindow(job->windows[i])) continue;
        TRACE("pid %lu refuses to close\n", app->record->info.Process.dwProcessId);
        app->refused = TRUE;
        *any_refused = TRUE;
    }
    return ERROR_SUCCESS;
}

/* All agreed (or the shutdown is forced): WM_ENDSESSION(TRUE), then WM_CLOSE to what is still
 * there (Wine's DefWindowProcW does not end anything on WM_ENDSESSION), then wait for each
 * application to exit. */
static DWORD end_window_apps(struct session *session, struct window_collect *collect, BOOL force,
                             const struct timeouts *timeouts, struct progress *progress, BOOL *failed)
{
    struct window_app *apps = collect->apps;
    unsigned int i;
    DWORD ret;

    if ((ret = notify_windows(session, collect, FALSE, WM_ENDSESSION, TRUE, ENDSESSION_CLOSEAPP, timeouts->hung_app)))
        return ret;
    for (i = 0; i < collect->job->count; i++)
        if (!apps[collect->owners[i]].refused && IsWindow(collect->job->windows[i]))
            PostMessageW(collect->job->windows[i], WM_CLOSE, 0, 0);

    for (i = 0; i < collect->napps; i++)
    {
        DWORD wait = apps[i].refused ? WAIT_TIMEOUT : wait_for_exit(session, apps[i].process, timeouts->kill_app);

        if (wait == ERROR_CANCELLED) return ERROR_CANCELLED;
        record_close(session, &apps[i], wait, force, failed);
        progress->done++;
        report_progress(progress, FALSE);
    }
    return ERROR_SUCCESS;
}

static DWORD close_window_apps(struct session *session, struct window_app *apps, unsigned int napps, BOOL force,
                               const struct timeouts *timeouts, struct progress *progress, BOOL *failed)
{
    struct window_collect collect = { apps, napps };
    BOOL any_refused = FALSE;
    unsigned int i;
    DWORD ret;

    if (!napps) return ERROR_SUCCESS;
    ret = collect_app_windows(&collect, timeouts);
    if (!ret) ret = ask_windows(session, &collect, &any_refused);
    if (ret) ;
    else if (any_refused && !force)
    {
        /* The shutdown is called off: tell the others the session goes on. */
        ret = notify_windows(session, &collect, FALSE, WM_ENDSESSION, FALSE, ENDSESSION_CLOSEAPP, timeouts->hung_app);
        for (i = 0; i < napps; i++)
            if (apps[i].refused) set_app_status(session, apps[i].record, RmStatusErrorOnStop, 0);
        *failed = TRUE;
    }
    else ret = end_window_apps(session, &collect, force, timeouts, progress, failed);

    free(collect.owners);
    if (collect.job) release_job(collect.job);
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
 * (Under Wine a process that disabled Ctrl+C gets neither event: winecompat.c.)
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
    record_close(session, app, wait, force, failed);
    return ERROR_SUCCESS;
}

/* ------------------------------------------------------------------ services */

static DWORD stop_service(struct session *session, SC_HANDLE manager, const WCHAR *name,
                          const struct timeouts *timeouts, unsigned int depth)
{
    SERVICE_STATUS_PROCESS status;
    SERVICE_STATUS control;
    WCHAR **dependents;
    size_t count, i;
    DWORD size, ret = ERROR_SUCCESS;
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
    if (!ret) ret = wait_for_service(session, service, timeouts->kill_service, TRUE);
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
    if (!ret) set_app_status(session, app->record, RmStatusStopped, RmStatusRunning | RmStatusErrorOnStop);
    else
    {
        WARN("cannot stop service %s: %lu\n", debugstr_w(app->record->info.strServiceShortName), ret);
        set_app_status(session, app->record, RmStatusErrorOnStop, 0);
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

/* Take one entry of the list in hand: its record, and a handle that can end it (app->process
 * stays NULL when there is nothing to close: masked, gone, or out of reach). */
static DWORD take_app(struct session *session, const RM_PROCESS_INFO *info, struct window_app *app,
                      BOOL *out_of_reach)
{
    struct app_record *record;
    HANDLE process;

    app->process = NULL;
    /* Entries that only remember what this session stopped earlier are not running. */
    if (!(info->AppStatus & RmStatusRunning) || shutdown_stage(info->ApplicationType) < 0) return ERROR_SUCCESS;
    if (!(record = get_app_record(session, info))) return ERROR_OUTOFMEMORY;
    if (info->AppStatus & RmStatusShutdownMasked)
    {
        set_app_status(session, record, RmStatusShutdownMasked, 0);
        return ERROR_SUCCESS;
    }
    if (!(process = open_identified_process(&info->Process, PROCESS_TERMINATE | PROCESS_QUERY_INFORMATION
                                                            | PROCESS_VM_READ)))
    {
        if (!(process = open_identified_process(&info->Process, 0)))
        {
            /* Gone before we came to it. */
            set_app_status(session, record, RmStatusStoppedOther, RmStatusRunning);
            return ERROR_SUCCESS;
        }
        /* Still running, but out of reach: it stays, and RmShutdown must say so. */
        CloseHandle(process);
        set_app_status(session, record, RmStatusErrorOnStop, 0);
        *out_of_reach = TRUE;
        return ERROR_SUCCESS;
    }
    record->restart = info->bRestartable && !(info->AppStatus & RmStatusRestartMasked);
    if (record->restart && info->ApplicationType != RmService && !record->params.cmdline)
        capture_restart_info(record, process);
    app->record = record;
    app->process = process;
    return ERROR_SUCCESS;
}

/* Close the applications of one stage.  Window applications (and Explorer) are asked
 * together, so they are gathered first; the others are closed one by one. */
static DWORD close_stage(struct session *session, struct window_app *apps, unsigned int napps, int stage,
                         BOOL force, const struct timeouts *timeouts, struct progress *progress, BOOL *failed)
{
    struct window_app *together;
    unsigned int i, ntogether = 0;
    DWORD ret = ERROR_SUCCESS;

    if (!(together = calloc(napps ? napps : 1, sizeof(*together)))) return ERROR_OUTOFMEMORY;
    for (i = 0; i < napps && !ret; i++)
    {
        if (shutdown_stage(apps[i].record->info.ApplicationType) != stage) continue;
        if (stage == 0 || stage == 3)
        {
            together[ntogether++] = apps[i];
            continue;
        }
        if (stage == 1) ret = close_other_app(session, &apps[i], force, timeouts, failed);
        else ret = close_service_app(session, &apps[i], force, timeouts, failed);
        progress->done++;
        report_progress(progress, FALSE);
    }
    if (!ret && ntogether) ret = close_window_apps(session, together, ntogether, force, timeouts, progress, failed);
    free(together);
    return ret;
}

static DWORD shutdown_apps(struct session *session, const RM_PROCESS_INFO *infos, unsigned int count, ULONG flags,
                           struct progress *progress)
{
    BOOL force = !!(flags & RmForceShutdown), failed = FALSE, out_of_reach = FALSE;
    struct window_app *apps;
    struct timeouts timeouts;
    unsigned int i, napps = 0;
    DWORD ret = ERROR_SUCCESS;
    int stage;

    get_timeouts(&timeouts);
    if (!(apps = calloc(count ? count : 1, sizeof(*apps)))) return ERROR_OUTOFMEMORY;
    if (!reserve_app_records(session, count))
    {
        free(apps);
        return ERROR_OUTOFMEMORY;
    }
    for (i = 0; i < count && !ret; i++)
        if (!(ret = take_app(session, &infos[i], &apps[napps], &out_of_reach)) && apps[napps].process) napps++;
    progress->total = napps;
    report_progress(progress, FALSE);

    for (stage = 0; stage <= 3 && !ret && !(failed && !force); stage++)
        ret = close_stage(session, apps, napps, stage, force, &timeouts, progress, &failed);

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

    if ((ret = start_task(session)))
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
