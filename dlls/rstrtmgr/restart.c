/*
 * Restart Manager: RmRestart
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
 * RmRestart starts again what this session's RmShutdown closed, in the reverse order: the
 * services it stopped (those it stopped last first), then the applications (the last closed
 * first), each with its registered command line or, where the platform keeps none, the way it
 * was started (winecompat.c).
 */

#include "rstrtmgr_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(rstrtmgr);

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
    SC_HANDLE service;
    DWORD ret = ERROR_SUCCESS;

    if (!(service = OpenServiceW(manager, name, SERVICE_START | SERVICE_QUERY_STATUS))) return GetLastError();
    if (!StartServiceW(service, 0, NULL) && GetLastError() != ERROR_SERVICE_ALREADY_RUNNING) ret = GetLastError();
    if (!ret) ret = wait_for_service(session, service, timeout, FALSE);
    CloseServiceHandle(service);
    return ret;
}

/* Whether the service an RmService entry names was among those that did not start again. */
static BOOL service_restart_failed(const struct session *session, const BOOL *service_failed, const WCHAR *name)
{
    size_t n;

    for (n = 0; n < session->nservices; n++)
        if (!wcsicmp(session->services[n], name)) return service_failed[n];
    return FALSE;
}

/* Services first, in the reverse of the order they were stopped (dependents last).  Marks in
 * service_failed those that did not start again: their entries get RmStatusErrorOnRestart. */
static DWORD restart_services(struct session *session, BOOL *service_failed, struct progress *progress, BOOL *failed)
{
    struct timeouts timeouts;
    SC_HANDLE manager;
    DWORD ret = ERROR_SUCCESS;
    int n;

    if (!session->nservices) return ERROR_SUCCESS;
    if (!(manager = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT)))
    {
        *failed = TRUE;
        for (n = 0; n < (int)session->nservices; n++) service_failed[n] = TRUE;
        return ERROR_SUCCESS;
    }
    get_timeouts(&timeouts);
    for (n = (int)session->nservices - 1; n >= 0 && !ret; n--)
    {
        DWORD err;

        if (task_cancelled(session)) ret = ERROR_CANCELLED;
        else if ((err = start_service(session, manager, session->services[n], timeouts.kill_service)) == ERROR_CANCELLED)
            ret = err;
        else if (err)
        {
            WARN("cannot restart service %s: %lu\n", debugstr_w(session->services[n]), err);
            *failed = service_failed[n] = TRUE;
        }
        progress->done++;
        report_progress(progress, FALSE);
    }
    CloseServiceHandle(manager);
    return ret;
}

/* Then applications, the last stopped first.  A service host counts as restarted when its
 * service started again. */
static DWORD restart_apps(struct session *session, const BOOL *service_failed, struct progress *progress, BOOL *failed)
{
    DWORD ret = ERROR_SUCCESS;
    int n;

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
            set_app_status(session, record, RmStatusRestarted, RmStatusErrorOnRestart);
        else
        {
            set_app_status(session, record, RmStatusErrorOnRestart, 0);
            *failed = TRUE;
        }
        progress->done++;
        report_progress(progress, FALSE);
    }
    return ret;
}

/* How many steps the restart has: the services, and the applications to start again. */
static unsigned int count_restarts(const struct session *session)
{
    unsigned int total = session->nservices;
    size_t i;

    for (i = 0; i < session->napps; i++)
        if (session->apps[i].restart && (session->apps[i].info.AppStatus & RmStatusStopped)
                && !(session->apps[i].info.AppStatus & RmStatusRestarted))
            total++;
    return total;
}

/***********************************************************************
 *           RmRestart (rstrtmgr.@)
 */
DWORD WINAPI RmRestart(DWORD handle, DWORD flags, RM_WRITE_STATUS_CALLBACK status)
{
    struct progress progress = { status, -1, 0, 0 };
    struct session *session;
    BOOL failed = FALSE, *service_failed = NULL;
    DWORD ret;

    TRACE("%lu, %#lx, %p\n", handle, flags, status);

    if (flags) return ERROR_BAD_ARGUMENTS;
    if ((ret = grab_primary_session(handle, &session))) return ret;
    if (!session->shutdown_done) ret = ERROR_REQUEST_OUT_OF_SEQUENCE;
    else ret = start_task(session);
    if (ret)
    {
        release_session(session);
        return ret;
    }

    progress.total = count_restarts(session);
    report_progress(&progress, FALSE);
    if (session->nservices && !(service_failed = calloc(session->nservices, sizeof(*service_failed))))
        ret = ERROR_OUTOFMEMORY;
    if (!ret) ret = restart_services(session, service_failed, &progress, &failed);
    if (!ret) ret = restart_apps(session, service_failed, &progress, &failed);

    free(service_failed);
    if (!ret && failed) ret = ERROR_FAIL_RESTART;
    if (ret != ERROR_CANCELLED) report_progress(&progress, TRUE);
    release_session(session);
    TRACE("returning %lu\n", ret);
    return ret;
}
