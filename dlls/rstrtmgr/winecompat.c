/*
 * Restart Manager: where Wine forces a choice Windows would not make
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
 * The rest of the DLL reads as Windows' Restart Manager; every place where Wine 8.0 lacks what
 * that needs is here, each under the name of the Wine function whose gap it covers:
 *
 * - running_on_wine: the one test for Wine, through ntdll's wine_get_version export.
 * - is_wine_system_image: Wine has none of Windows' critical processes (csrss.exe, ...), but
 *   runs its own services, device host and desktop in every prefix; they count as critical.
 * - restartable_without_registration, read_start_params: GetApplicationRestartSettings
 *   (kernel32/kernelbase) returns E_NOTIMPL, as Wine keeps no restart registrations.  The
 *   HKCU\Software\rstrtmgr restart policy decides instead, and RmRestart starts an application
 *   again the way it was started, read from its PEB.
 * - running_dependents: EnumDependentServicesW (sechost) always answers none, and
 *   QueryServiceConfigW leaves lpDependencies empty.
 * - Not worked around: Wine's CtrlRoutine (kernelbase) returns before calling any handler in a
 *   process that disabled Ctrl+C (SetConsoleCtrlHandler(NULL, TRUE), or CREATE_NEW_PROCESS_GROUP,
 *   which sets the same flag), whatever the event, where Windows ignores only CTRL_C_EVENT.
 *   Such a console application gets neither event RmShutdown sends and stays until
 *   RmForceShutdown terminates it (README, "Closing and restarting").
 */

#include "rstrtmgr_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(rstrtmgr);

BOOL running_on_wine(void)
{
    static int wine = -1;

    if (wine < 0) wine = GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "wine_get_version") != NULL;
    return wine;
}

/* Processes whose loss takes the session down, under Wine: it runs its services, device host,
 * desktop and boot processes in every prefix.  A Wine gap only in that Wine has none of
 * Windows' own (classify.c lists those). */
static const WCHAR * const wine_system_images[] =
{
    L"services.exe", L"winedevice.exe", L"plugplay.exe", L"rpcss.exe", L"svchost.exe",
    L"explorer.exe", L"wineboot.exe", L"conhost.exe", L"start.exe", L"winedbg.exe",
};

BOOL is_wine_system_image(const WCHAR *base)
{
    size_t i;

    for (i = 0; i < ARRAYSIZE(wine_system_images); i++) if (!wcsicmp(base, wine_system_images[i])) return TRUE;
    return FALSE;
}

/*
 * Wine gap: GetApplicationRestartSettings (kernelbase) returns E_NOTIMPL, which would leave
 * every application closed for good after an update.  There, window applications count as
 * restartable, and are started again with the command line, working directory and
 * environment they had, unless HKCU\Software\rstrtmgr\RestartWindowApps is a DWORD 0.
 * Console applications count only when HKCU\Software\rstrtmgr\RestartConsoleApps is a
 * non-zero DWORD (opt-in): without a registration nothing says a console program can run
 * again unattended, in a console of its own.
 */
static BOOL read_restart_policy(const WCHAR *name, BOOL fallback)
{
    DWORD value = fallback, size = sizeof(value);

    if (RegGetValueW(HKEY_CURRENT_USER, L"Software\\rstrtmgr", name, RRF_RT_REG_DWORD, NULL, &value, &size))
        return fallback;
    return value != 0;
}

BOOL restartable_without_registration(RM_APP_TYPE type)
{
    if (type == RmMainWindow) return read_restart_policy(L"RestartWindowApps", TRUE);
    if (type == RmConsole) return read_restart_policy(L"RestartConsoleApps", FALSE);
    return FALSE;
}

/* Wine gap: GetApplicationRestartSettings (kernelbase) returns E_NOTIMPL, so there is no
 * registered command line: start the application again as it was started. */
void read_start_params(HANDLE process, DWORD pid, struct process_params *params)
{
    if (needs_helper(process)) helper_read_params(pid, params);
    else read_process_params(process, params);
    if (!params->cmdline) WARN("cannot read how pid %lu was started\n", pid);
}

/* The services one depends on, as a double-null-terminated list (malloc'ed; NULL for none).
 *
 * Wine gap: QueryServiceConfigW (advapi32/sechost, Wine 8.0) leaves lpDependencies empty, so
 * an empty list there is checked against the DependOnService value that both SCMs keep in the
 * registry. */
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

/* The running services that depend on one, from their dependency lists.
 *
 * Wine gap: EnumDependentServicesW (sechost, Wine 8.0) always answers none. */
WCHAR **running_dependents(SC_HANDLE manager, const WCHAR *name, size_t *count)
{
    ENUM_SERVICE_STATUS_PROCESSW *services;
    WCHAR **result = NULL;
    size_t capacity = 0;
    DWORD nservices, i;

    *count = 0;
    if (!(services = enum_active_services(manager, &nservices))) return NULL;
    for (i = 0; i < nservices; i++)
    {
        WCHAR *dependencies = service_dependencies(manager, services[i].lpServiceName);
        const WCHAR *dep;

        for (dep = dependencies; dep && *dep; dep += wcslen(dep) + 1)
        {
            if (wcsicmp(dep, name)) continue;  /* group names start with '+' and never match */
            if (array_reserve((void **)&result, &capacity, *count + 1, sizeof(*result))
                    && (result[*count] = wcsdup(services[i].lpServiceName)))
                (*count)++;
            break;
        }
        free(dependencies);
    }
    free(services);
    return result;
}
