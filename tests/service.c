/*
 * Restart Manager service tests: RmShutdown stops a registered service and the services that
 * depend on it, RmRestart starts them again
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
 * The services are this program in its service mode: service A, and service B that depends on
 * A.  Each service process appends what happens to it to a log file ("start" when it starts,
 * "running" just before it reports SERVICE_RUNNING, "stop" when the stop request arrives,
 * "stopped" just before it reports SERVICE_STOPPED), so the order in
 * which RmShutdown and RmRestart treat them can be read back.  Creating services needs an
 * administrator on Windows; without the right the tests are skipped.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <windows.h>
#include <restartmanager.h>

#include "wine/test.h"
#include "rmtest.h"

/* How long a service may take to reach a state. */
#define STATE_TIMEOUT 30000
/* How long a service runs if nobody stops it. */
#define SERVICE_LIFETIME 120000
/* How long a service stays START_PENDING. */
#define START_DELAY 300
#define MAX_LOG_LINES 32

static WCHAR self_exe[MAX_PATH];

/* ------------------------------------------------------------------ sessions and lists */

static BOOL is_service_entry(const RM_PROCESS_INFO *info, const WCHAR *name)
{
    WCHAR short_name[CCH_RM_MAX_SVC_NAME + 1];
    unsigned int len = name_length(info->strServiceShortName, ARRAY_SIZE(info->strServiceShortName));

    memcpy(short_name, info->strServiceShortName, len * sizeof(WCHAR));
    short_name[len] = 0;
    return !wcsicmp(short_name, name);
}

/* ------------------------------------------------------------------ services */

struct test_service
{
    WCHAR name[64];
    SC_HANDLE handle;
    DWORD pid;          /* the process it ran in when last seen running */
    HANDLE process;     /* that process, to wait for its exit */
};

/* The service's state, or 0 if it cannot be read. */
static DWORD service_state(struct test_service *service, DWORD *pid)
{
    SERVICE_STATUS_PROCESS status;
    DWORD size;

    if (!QueryServiceStatusEx(service->handle, SC_STATUS_PROCESS_INFO, (BYTE *)&status, sizeof(status), &size))
        return 0;
    if (pid) *pid = status.dwProcessId;
    return status.dwCurrentState;
}

static BOOL wait_service_state(struct test_service *service, DWORD state, DWORD *pid)
{
    DWORD start = GetTickCount(), current;

    for (;;)
    {
        if (!(current = service_state(service, pid))) return FALSE;
        if (current == state) return TRUE;
        if (GetTickCount() - start > STATE_TIMEOUT)
        {
            trace("service %s: state %lu, waited for %lu\n", wine_dbgstr_w(service->name), current, state);
            return FALSE;
        }
        Sleep(20);
    }
}

/* Remembers the process the running service is in. */
static void note_service_process(struct test_service *service, DWORD pid)
{
    if (service->process) CloseHandle(service->process);
    service->pid = pid;
    service->process = OpenProcess(SYNCHRONIZE, FALSE, pid);
    ok(service->process != NULL, "OpenProcess(%04lx) failed, error %lu\n", pid, GetLastError());
}

/* Creates "exe service svc <name> <log> <held file>" (depending on depends_on, if given). */
static BOOL create_test_service(SC_HANDLE manager, struct test_service *service, const WCHAR *tag,
                                const WCHAR *log, const WCHAR *held, const WCHAR *depends_on, BOOL *denied)
{
    WCHAR display[96], cmdline[3 * MAX_PATH + 128], dependencies[72];

    memset(service, 0, sizeof(*service));
    swprintf(service->name, ARRAY_SIZE(service->name), L"rmtest_svc_%ls_%lx_%lx", tag, GetCurrentProcessId(),
             GetTickCount());
    swprintf(display, ARRAY_SIZE(display), L"rstrtmgr service test %ls %lx", tag, GetCurrentProcessId());
    swprintf(cmdline, ARRAY_SIZE(cmdline), L"\"%ls\" service svc %ls \"%ls\" \"%ls\"", self_exe, service->name, log,
             held ? held : L"-");
    if (depends_on)
    {
        /* A double-null-terminated list of one name. */
        memset(dependencies, 0, sizeof(dependencies));
        lstrcpynW(dependencies, depends_on, ARRAY_SIZE(dependencies) - 1);
    }
    service->handle = CreateServiceW(manager, service->name, display, SERVICE_ALL_ACCESS, SERVICE_WIN32_OWN_PROCESS,
                                     SERVICE_DEMAND_START, SERVICE_ERROR_IGNORE, cmdline, NULL, NULL,
                                     depends_on ? dependencies : NULL, NULL, NULL);
    if (!service->handle && GetLastError() == ERROR_ACCESS_DENIED)
    {
        *denied = TRUE;
        return FALSE;
    }
    ok(service->handle != NULL, "CreateServiceW(%s) failed, error %lu\n", wine_dbgstr_w(service->name),
       GetLastError());
    return service->handle != NULL;
}

/* Stops the service if it runs and deletes it, whatever state the test left it in. */
static void delete_test_service(struct test_service *service)
{
    SERVICE_STATUS status;
    DWORD pid = 0, state;

    if (!service->handle) return;
    state = service_state(service, &pid);
    if (state && state != SERVICE_STOPPED)
    {
        if (pid) note_service_process(service, pid);
        if (!ControlService(service->handle, SERVICE_CONTROL_STOP, &status))
            trace("ControlService(%s) failed, error %lu\n", wine_dbgstr_w(service->name), GetLastError());
        if (!wait_service_state(service, SERVICE_STOPPED, NULL))
            trace("service %s did not stop\n", wine_dbgstr_w(service->name));
    }
    if (service->process)
    {
        if (WaitForSingleObject(service->process, EXIT_TIMEOUT))
            trace("the process of service %s did not exit\n", wine_dbgstr_w(service->name));
        CloseHandle(service->process);
        service->process = NULL;
    }
    if (!DeleteService(service->handle))
        ok(0, "DeleteService(%s) failed, error %lu\n", wine_dbgstr_w(service->name), GetLastError());
    CloseServiceHandle(service->handle);
    service->handle = NULL;
}

/* ------------------------------------------------------------------ the log */

struct log_line
{
    char event[16];     /* start, running, stop, stopped */
    WCHAR name[64];
    DWORD pid;
};

/* The lines the services appended to the log: "<event> <name> <pid>". */
static unsigned int read_log(const WCHAR *path, struct log_line *lines, unsigned int max)
{
    char data[4096], name[64], *p, *eol;
    unsigned int count = 0;

    if (!read_text_file(path, data, sizeof(data))) return 0;
    for (p = data; count < max && (eol = strchr(p, '\n')); p = eol + 1)
    {
        struct log_line *line = &lines[count];

        *eol = 0;
        memset(line, 0, sizeof(*line));
        if (sscanf(p, "%15s %63s %lu", line->event, name, &line->pid) < 3) continue;
        MultiByteToWideChar(CP_ACP, 0, name, -1, line->name, ARRAY_SIZE(line->name));
        trace("log: %s\n", p);
        count++;
    }
    return count;
}

/* The index of the first line at or after from with the event and service, or -1. */
static int find_log_line(const struct log_line *lines, unsigned int count, unsigned int from, const char *event,
                         const WCHAR *name)
{
    unsigned int i;

    for (i = from; i < count; i++)
        if (!strcmp(lines[i].event, event) && !wcsicmp(lines[i].name, name)) return i;
    return -1;
}

/* ------------------------------------------------------------------ tests */

/* The service manager, with the right to create services; NULL (after a skip where that is
 * not allowed, a failed check otherwise) if it cannot be opened. */
static SC_HANDLE open_manager(void)
{
    SC_HANDLE manager = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE);

    if (!manager && GetLastError() == ERROR_ACCESS_DENIED)
    {
        skip("not allowed to create services\n");
        return NULL;
    }
    ok(manager != NULL, "OpenSCManagerW failed, error %lu\n", GetLastError());
    return manager;
}

/* Service A is registered (by its name, or through a file its process holds), service B depends
 * on A.  RmShutdown stops B and then A, RmRestart starts A and then B.  The steps below share
 * this state. */
struct service_case
{
    BOOL by_file;
    WCHAR log[MAX_PATH], held[MAX_PATH];
    struct test_service a, b;
    SC_HANDLE manager;
    DWORD handle;
    DWORD pid_a, pid_b;     /* the processes the services first ran in */
    unsigned int mark;      /* log lines written before RmRestart */
};

/* Creates both services and starts A, then B, each in a process of its own. */
static BOOL start_service_pair(struct service_case *c)
{
    BOOL denied = FALSE, ret;

    if (!create_test_service(c->manager, &c->a, L"a", c->log, c->by_file ? c->held : NULL, NULL, &denied)
            || !create_test_service(c->manager, &c->b, L"b", c->log, NULL, c->a.name, &denied))
    {
        if (denied) skip("not allowed to create services\n");
        return FALSE;
    }
    trace("service A %s, service B %s\n", wine_dbgstr_w(c->a.name), wine_dbgstr_w(c->b.name));

    /* A first: B's start would start it on Windows, but not every SCM does. */
    ret = StartServiceW(c->a.handle, 0, NULL);
    ok(ret, "StartServiceW(A) failed, error %lu\n", GetLastError());
    if (!ret) return FALSE;
    ok(wait_service_state(&c->a, SERVICE_RUNNING, &c->pid_a), "service A did not start\n");
    ret = StartServiceW(c->b.handle, 0, NULL);
    ok(ret, "StartServiceW(B) failed, error %lu\n", GetLastError());
    if (!ret) return FALSE;
    ok(wait_service_state(&c->b, SERVICE_RUNNING, &c->pid_b), "service B did not start\n");
    if (!c->pid_a || !c->pid_b) return FALSE;
    note_service_process(&c->a, c->pid_a);
    note_service_process(&c->b, c->pid_b);
    trace("service A runs in %04lx, B in %04lx\n", c->pid_a, c->pid_b);
    ok(c->pid_a != c->pid_b, "both services run in process %04lx\n", c->pid_a);
    return TRUE;
}

/* A session that registers service A, by its name or through the file its process holds. */
static BOOL register_service_case(struct service_case *c)
{
    LPCWSTR names[1];
    DWORD ret;

    if (!start_session(&c->handle)) return FALSE;
    if (c->by_file)
    {
        names[0] = c->held;
        ret = RmRegisterResources(c->handle, 1, names, 0, NULL, 0, NULL);
    }
    else
    {
        names[0] = c->a.name;
        ret = RmRegisterResources(c->handle, 0, NULL, 0, NULL, 1, names);
    }
    ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);
    return TRUE;
}

/* Before the shutdown: A's process is listed as a running, restartable service. */
static void check_services_listed(const struct service_case *c)
{
    const RM_PROCESS_INFO *entry = NULL;
    RM_PROCESS_INFO *infos;
    DWORD ret, reasons;
    UINT count, i;

    ret = get_list(c->handle, &infos, &count, &reasons);
    ok(ret == ERROR_SUCCESS, "RmGetList: got %lu, expected 0\n", ret);
    ok(reasons == RmRebootReasonNone, "got reboot reasons %#lx, expected 0\n", reasons);
    for (i = 0; i < count; i++)
    {
        trace_entry(&infos[i]);
        if (infos[i].Process.dwProcessId == c->pid_a) entry = &infos[i];
        /* Whether B, which is not registered, is listed too is not documented. */
        else if (infos[i].Process.dwProcessId == c->pid_b)
            ok(infos[i].ApplicationType == RmService, "service B: got type %d, expected %d\n",
               infos[i].ApplicationType, RmService);
    }
    ok(entry != NULL, "the process of service A (%04lx) is not among the %u listed\n", c->pid_a, count);
    if (entry)
    {
        ok(entry->ApplicationType == RmService, "got type %d, expected %d\n", entry->ApplicationType, RmService);
        ok(is_service_entry(entry, c->a.name), "got service %s, expected %s\n",
           wine_dbgstr_wn(entry->strServiceShortName,
                          name_length(entry->strServiceShortName, ARRAY_SIZE(entry->strServiceShortName))),
           wine_dbgstr_w(c->a.name));
        ok(entry->AppStatus == RmStatusRunning, "got AppStatus %#lx, expected %#x\n", entry->AppStatus,
           RmStatusRunning);
        ok(entry->bRestartable, "got bRestartable %d, expected TRUE\n", entry->bRestartable);
    }
    free(infos);
}

/* Shutdown: B (a running dependent) is stopped before A, and both processes end. */
static void check_services_stopped(struct service_case *c)
{
    struct log_line lines[MAX_LOG_LINES];
    int stop_a, stop_b, stopped_b;
    unsigned int nlines;
    DWORD ret, state;

    reset_status();
    ret = RmShutdown(c->handle, 0, status_callback);
    ok(ret == ERROR_SUCCESS, "RmShutdown: got %lu, expected 0\n", ret);
    /* The callback being called at all is a check of its own here. */
    ok(status_count > 0, "RmShutdown: the status callback was not called\n");
    check_status("RmShutdown", FALSE);
    state = service_state(&c->a, NULL);
    ok(state == SERVICE_STOPPED, "service A: got state %lu, expected %u\n", state, SERVICE_STOPPED);
    state = service_state(&c->b, NULL);
    ok(state == SERVICE_STOPPED, "service B: got state %lu, expected %u\n", state, SERVICE_STOPPED);
    ok(!WaitForSingleObject(c->a.process, EXIT_TIMEOUT), "the process of service A is still running\n");
    ok(!WaitForSingleObject(c->b.process, EXIT_TIMEOUT), "the process of service B is still running\n");

    nlines = read_log(c->log, lines, ARRAY_SIZE(lines));
    stop_b = find_log_line(lines, nlines, 0, "stop", c->b.name);
    stopped_b = find_log_line(lines, nlines, 0, "stopped", c->b.name);
    stop_a = find_log_line(lines, nlines, 0, "stop", c->a.name);
    ok(stop_b >= 0, "service B was not asked to stop\n");
    ok(stopped_b >= 0, "service B did not stop\n");
    ok(stop_a >= 0, "service A was not asked to stop\n");
    ok(stopped_b >= 0 && stop_a > stopped_b, "service A was asked to stop (line %d) before B had stopped (line %d)\n",
       stop_a, stopped_b);
    ok(find_log_line(lines, nlines, 0, "stopped", c->a.name) >= 0, "service A did not stop\n");
    c->mark = nlines;
}

/* After the shutdown: A's entry stays in the list, stopped. */
static void check_stopped_listed(const struct service_case *c)
{
    const RM_PROCESS_INFO *entry = NULL;
    RM_PROCESS_INFO *infos;
    DWORD ret, reasons;
    UINT count, i;

    ret = get_list(c->handle, &infos, &count, &reasons);
    ok(ret == ERROR_SUCCESS, "RmGetList: got %lu, expected 0\n", ret);
    for (i = 0; i < count; i++)
    {
        trace_entry(&infos[i]);
        if (infos[i].Process.dwProcessId == c->pid_a) entry = &infos[i];
    }
    ok(entry != NULL, "the stopped service A (%04lx) is not among the %u listed\n", c->pid_a, count);
    if (entry)
    {
        ok(entry->ApplicationType == RmService, "got type %d, expected %d\n", entry->ApplicationType, RmService);
        ok(is_service_entry(entry, c->a.name), "the entry of process %04lx does not name service A\n", c->pid_a);
        ok(entry->AppStatus & RmStatusStopped, "got AppStatus %#lx, expected RmStatusStopped\n", entry->AppStatus);
        ok(!(entry->AppStatus & RmStatusRunning), "got AppStatus %#lx, expected no RmStatusRunning\n",
           entry->AppStatus);
    }
    free(infos);
}

/* Whether a service runs again, in a new process. */
static void check_running_again(struct test_service *service, DWORD old_pid, const char *what)
{
    DWORD new_pid;
    BOOL restarted;

    restarted = wait_service_state(service, SERVICE_RUNNING, &new_pid);
    ok(restarted, "service %s is not running again\n", what);
    if (!restarted) return;
    ok(new_pid && new_pid != old_pid, "service %s runs in process %04lx, it ran in %04lx\n", what, new_pid, old_pid);
    note_service_process(service, new_pid);
}

/* Restart: A, then B, the reverse of the shutdown. */
static void check_services_restarted(struct service_case *c)
{
    struct log_line lines[MAX_LOG_LINES];
    int running_a, start_b;
    unsigned int nlines;
    DWORD ret;

    reset_status();
    ret = RmRestart(c->handle, 0, status_callback);
    ok(ret == ERROR_SUCCESS, "RmRestart: got %lu, expected 0\n", ret);
    /* The callback being called at all is a check of its own here. */
    ok(status_count > 0, "RmRestart: the status callback was not called\n");
    check_status("RmRestart", FALSE);
    check_running_again(&c->a, c->pid_a, "A");
    check_running_again(&c->b, c->pid_b, "B");

    nlines = read_log(c->log, lines, ARRAY_SIZE(lines));
    running_a = find_log_line(lines, nlines, c->mark, "running", c->a.name);
    start_b = find_log_line(lines, nlines, c->mark, "start", c->b.name);
    ok(running_a >= 0, "service A did not start again\n");
    ok(start_b >= 0, "service B did not start again\n");
    ok(running_a >= 0 && start_b > running_a, "service B started again (line %d) before A ran (line %d)\n",
       start_b, running_a);
}

/* After the restart: Windows does not document which process the entry names, so any entry
 * of service A will do, restarted without error. */
static void check_restarted_listed(const struct service_case *c)
{
    const RM_PROCESS_INFO *entry = NULL;
    RM_PROCESS_INFO *infos;
    DWORD ret, reasons;
    UINT count, i;

    ret = get_list(c->handle, &infos, &count, &reasons);
    ok(ret == ERROR_SUCCESS, "RmGetList: got %lu, expected 0\n", ret);
    for (i = 0; i < count; i++)
    {
        trace_entry(&infos[i]);
        if (is_service_entry(&infos[i], c->a.name) && (infos[i].AppStatus & RmStatusRestarted)) entry = &infos[i];
    }
    ok(entry != NULL, "no entry of service A with RmStatusRestarted among the %u listed\n", count);
    if (entry)
    {
        ok(entry->ApplicationType == RmService, "got type %d, expected %d\n", entry->ApplicationType, RmService);
        ok(!(entry->AppStatus & RmStatusErrorOnRestart), "got AppStatus %#lx, expected no RmStatusErrorOnRestart\n",
           entry->AppStatus);
    }
    free(infos);
}

static void run_service_restart(BOOL by_file)
{
    struct service_case c;

    memset(&c, 0, sizeof(c));
    c.by_file = by_file;
    c.handle = NO_SESSION;
    if (!(c.manager = open_manager())) return;
    make_temp_name(c.log, ARRAY_SIZE(c.log), L"_log.txt");
    make_temp_name(c.held, ARRAY_SIZE(c.held), L".dat");

    if (start_service_pair(&c) && register_service_case(&c))
    {
        check_services_listed(&c);
        check_services_stopped(&c);
        check_stopped_listed(&c);
        check_services_restarted(&c);
        check_restarted_listed(&c);
    }

    if (c.handle != NO_SESSION) end_session(c.handle);
    /* The dependent first, as the SCM asks. */
    delete_test_service(&c.b);
    delete_test_service(&c.a);
    CloseServiceHandle(c.manager);
    delete_temp_file(c.held);
    delete_temp_file(c.log);
}

static void test_service_by_name(void)
{
    winetest_push_context("by name");
    run_service_restart(FALSE);
    winetest_pop_context();
}

static void test_service_by_file(void)
{
    winetest_push_context("by file");
    run_service_restart(TRUE);
    winetest_pop_context();
}

/* A stopped service that cannot start again (here: disabled after the shutdown) makes
 * RmRestart fail with ERROR_FAIL_RESTART, and its entry says so. */
static void test_service_restart_fails(void)
{
    WCHAR log[MAX_PATH];
    struct test_service a;
    const RM_PROCESS_INFO *entry;
    RM_PROCESS_INFO *infos;
    SC_HANDLE manager;
    DWORD handle = NO_SESSION, ret, reasons, pid_a = 0, state;
    BOOL denied = FALSE;
    LPCWSTR names[1];
    unsigned int i;
    UINT count;

    memset(&a, 0, sizeof(a));
    if (!(manager = open_manager())) return;

    make_temp_name(log, ARRAY_SIZE(log), L"_log.txt");
    if (!create_test_service(manager, &a, L"f", log, NULL, NULL, &denied))
    {
        if (denied) skip("not allowed to create services\n");
        goto done;
    }
    ret = StartServiceW(a.handle, 0, NULL);
    ok(ret, "StartServiceW failed, error %lu\n", GetLastError());
    if (!ret || !wait_service_state(&a, SERVICE_RUNNING, &pid_a) || !pid_a) goto done;
    note_service_process(&a, pid_a);

    if (!start_session(&handle)) goto done;
    names[0] = a.name;
    ret = RmRegisterResources(handle, 0, NULL, 0, NULL, 1, names);
    ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu, expected 0\n", ret);
    ret = RmShutdown(handle, 0, NULL);
    ok(ret == ERROR_SUCCESS, "RmShutdown: got %lu, expected 0\n", ret);
    state = service_state(&a, NULL);
    ok(state == SERVICE_STOPPED, "got state %lu, expected %u\n", state, SERVICE_STOPPED);

    ret = ChangeServiceConfigW(a.handle, SERVICE_NO_CHANGE, SERVICE_DISABLED, SERVICE_NO_CHANGE, NULL, NULL, NULL,
                               NULL, NULL, NULL, NULL);
    ok(ret, "ChangeServiceConfigW failed, error %lu\n", GetLastError());
    ret = RmRestart(handle, 0, NULL);
    ok(ret == ERROR_FAIL_RESTART, "RmRestart: got %lu, expected %u\n", ret, ERROR_FAIL_RESTART);
    state = service_state(&a, NULL);
    ok(state == SERVICE_STOPPED, "got state %lu, expected %u\n", state, SERVICE_STOPPED);

    ret = get_list(handle, &infos, &count, &reasons);
    ok(ret == ERROR_SUCCESS, "RmGetList: got %lu, expected 0\n", ret);
    entry = NULL;
    for (i = 0; i < count; i++)
    {
        trace_entry(&infos[i]);
        if (is_service_entry(&infos[i], a.name)) entry = &infos[i];
    }
    ok(entry != NULL, "no entry of the service among the %u listed\n", count);
    if (entry)
    {
        ok(entry->AppStatus & RmStatusErrorOnRestart, "got AppStatus %#lx, expected RmStatusErrorOnRestart\n",
           entry->AppStatus);
        ok(!(entry->AppStatus & RmStatusRestarted), "got AppStatus %#lx, expected no RmStatusRestarted\n",
           entry->AppStatus);
    }
    free(infos);

done:
    if (handle != NO_SESSION) end_session(handle);
    delete_test_service(&a);
    CloseServiceHandle(manager);
    delete_temp_file(log);
}

/* ------------------------------------------------------------------ service mode */

/* svc <name> <log> <held file>: this program as a service that runs until it is stopped and
 * logs what happens to it.  Its output goes nowhere, so it tests nothing itself. */
static SERVICE_STATUS_HANDLE service_status_handle;
static HANDLE service_stop;
static WCHAR service_name[64];
static WCHAR service_log[MAX_PATH];
static WCHAR service_held[MAX_PATH];

static void service_log_event(const char *event)
{
    char line[160];
    DWORD written, attempt;
    HANDLE file;
    int len;

    len = snprintf(line, sizeof(line), "%s %ls %lu\n", event, service_name, GetCurrentProcessId());
    /* Another service may be appending at the same moment. */
    for (attempt = 0; attempt < 50; attempt++)
    {
        file = CreateFileW(service_log, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                           NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
        if (file != INVALID_HANDLE_VALUE) break;
        Sleep(10);
    }
    if (file == INVALID_HANDLE_VALUE) return;
    WriteFile(file, line, len, &written, NULL);
    CloseHandle(file);
}

static void set_service_state(DWORD state)
{
    SERVICE_STATUS status;

    memset(&status, 0, sizeof(status));
    status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    status.dwCurrentState = state;
    status.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP : 0;
    if (state == SERVICE_STOP_PENDING || state == SERVICE_START_PENDING)
    {
        status.dwCheckPoint = 1;
        status.dwWaitHint = 5000;
    }
    SetServiceStatus(service_status_handle, &status);
}

static DWORD WINAPI service_handler(DWORD control, DWORD type, void *data, void *context)
{
    switch (control)
    {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
        service_log_event("stop");
        set_service_state(SERVICE_STOP_PENDING);
        SetEvent(service_stop);
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR;
    }
    return ERROR_CALL_NOT_IMPLEMENTED;
}

static void WINAPI service_main(DWORD argc, LPWSTR *argv)
{
    HANDLE file = INVALID_HANDLE_VALUE;

    if (!(service_status_handle = RegisterServiceCtrlHandlerExW(service_name, service_handler, NULL))) return;
    if (wcscmp(service_held, L"-"))
        file = CreateFileW(service_held, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL,
                           NULL);
    service_log_event(file == INVALID_HANDLE_VALUE && wcscmp(service_held, L"-") ? "nofile" : "start");
    /* Like most services, it takes a moment to get going: a service that depends on it must not
     * start before it runs. */
    set_service_state(SERVICE_START_PENDING);
    Sleep(START_DELAY);
    service_log_event("running");
    set_service_state(SERVICE_RUNNING);
    WaitForSingleObject(service_stop, SERVICE_LIFETIME);
    if (file != INVALID_HANDLE_VALUE) CloseHandle(file);
    /* Logged before the SCM hears of it, so that the log shows what RmShutdown waited for. */
    service_log_event("stopped");
    set_service_state(SERVICE_STOPPED);
}

static void child_service(const char *name, const char *log, const char *held)
{
    to_wide(log, service_log, ARRAY_SIZE(service_log));
    to_wide(held, service_held, ARRAY_SIZE(service_held));
    run_service_child(name, service_name, ARRAY_SIZE(service_name), service_main, &service_stop);
}

START_TEST(service)
{
    struct unit_args args = get_unit_args(self_exe);
    BOOL ret;

    if (args.argc >= 3)
    {
        if (!strcmp(args.argv[2], "svc") && args.argc >= 6) child_service(args.argv[3], args.argv[4], args.argv[5]);
        else ok(0, "unknown child mode %s\n", args.argv[2]);
        return;
    }

    ret = init_temp_dir(L"service");
    ok(ret, "GetTempPathW failed, error %lu\n", GetLastError());

    trace_loaded_dll();
    test_service_by_name();
    test_service_by_file();
    test_service_restart_fails();
}
