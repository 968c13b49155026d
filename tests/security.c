/*
 * Restart Manager security tests: session keys, foreign handles, what RmShutdown never touches
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
 * The session key is the only credential a secondary installer needs, so it must be
 * unpredictable and must not be readable from the store; a handle is only valid in the
 * process that opened it; and RmShutdown must never end its caller or a process the system
 * needs, even when forced.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <windows.h>
#include <tlhelp32.h>
#include <restartmanager.h>

#include "wine/test.h"
#include "rmtest.h"

#define KEY_BYTES 16
#define KEY_COUNT 1000
#define JOIN_ATTEMPTS 10000
/* The child's handle is at least this; this process never holds as many. */
#define FOREIGN_MIN 8

static RM_UNIQUE_PROCESS self_owner;
static char self_exe[MAX_PATH];

static int hex_value(WCHAR c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static WCHAR ascii_lower(WCHAR c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static BOOL key_to_bytes(const WCHAR *key, BYTE bytes[KEY_BYTES])
{
    unsigned int i;

    for (i = 0; i < KEY_BYTES; i++)
    {
        int high = hex_value(key[2 * i]), low = hex_value(key[2 * i + 1]);

        if (high < 0 || low < 0) return FALSE;
        bytes[i] = high << 4 | low;
    }
    return !key[KEY_CHARS];
}

/* Whether data holds the key as UTF-16 or 8-bit text (any case, any offset), or its bytes. */
static BOOL data_contains_key(const BYTE *data, DWORD size, const WCHAR *key, const BYTE bytes[KEY_BYTES])
{
    DWORD i, j;

    for (i = 0; i + KEY_CHARS * sizeof(WCHAR) <= size; i++)
    {
        for (j = 0; j < KEY_CHARS; j++)
        {
            WCHAR c = data[i + 2 * j] | (data[i + 2 * j + 1] << 8);
            if (ascii_lower(c) != ascii_lower(key[j])) break;
        }
        if (j == KEY_CHARS) return TRUE;
    }
    for (i = 0; i + KEY_CHARS <= size; i++)
    {
        for (j = 0; j < KEY_CHARS; j++)
            if (ascii_lower(data[i + j]) != ascii_lower(key[j])) break;
        if (j == KEY_CHARS) return TRUE;
    }
    for (i = 0; i + KEY_BYTES <= size; i++)
        if (!memcmp(data + i, bytes, KEY_BYTES)) return TRUE;
    return FALSE;
}

static BOOL name_contains_key(const WCHAR *name, const WCHAR *key, const BYTE bytes[KEY_BYTES])
{
    return data_contains_key((const BYTE *)name, (DWORD)(wcslen(name) * sizeof(WCHAR)), key, bytes);
}

/* Looks through a key and all below it; returns the number of places the key was found. */
static unsigned int search_tree(HKEY key, const WCHAR *path, const WCHAR *session_key, const BYTE bytes[KEY_BYTES],
                                unsigned int *values)
{
    DWORD index, max_name, max_data, max_subkey, name_len, size, type;
    unsigned int found = 0;
    WCHAR *name, *subkey_name;
    BYTE *data;
    HKEY subkey;

    if (RegQueryInfoKeyW(key, NULL, NULL, NULL, NULL, &max_subkey, NULL, NULL, &max_name, &max_data, NULL, NULL))
        return 0;
    name = malloc((max_name + 1) * sizeof(WCHAR));
    subkey_name = malloc((max_subkey + 1) * sizeof(WCHAR));
    data = malloc(max_data + 1);
    for (index = 0; name && data; index++)
    {
        name_len = max_name + 1;
        size = max_data;
        if (RegEnumValueW(key, index, name, &name_len, NULL, &type, data, &size)) break;
        (*values)++;
        if (name_contains_key(name, session_key, bytes) || data_contains_key(data, size, session_key, bytes))
        {
            ok(0, "%s\\%s holds the session key\n", wine_dbgstr_w(path), wine_dbgstr_w(name));
            found++;
        }
    }
    for (index = 0; subkey_name; index++)
    {
        WCHAR sub_path[512];

        name_len = max_subkey + 1;
        if (RegEnumKeyExW(key, index, subkey_name, &name_len, NULL, NULL, NULL, NULL)) break;
        if (name_contains_key(subkey_name, session_key, bytes))
        {
            ok(0, "%s\\%s is named after the session key\n", wine_dbgstr_w(path), wine_dbgstr_w(subkey_name));
            found++;
        }
        if (RegOpenKeyExW(key, subkey_name, 0, KEY_READ, &subkey)) continue;
        swprintf(sub_path, ARRAY_SIZE(sub_path), L"%ls\\%ls", path, subkey_name);
        found += search_tree(subkey, sub_path, session_key, bytes, values);
        RegCloseKey(subkey);
    }
    free(name);
    free(subkey_name);
    free(data);
    return found;
}

static int compare_keys(const void *a, const void *b)
{
    return wcscmp(a, b);
}

/* ------------------------------------------------------------------ keys */

static void test_key_randomness(void)
{
    static WCHAR keys[KEY_COUNT][KEY_BUFFER];
    unsigned int digits[16] = { 0 }, position[KEY_CHARS][16], bits[KEY_BYTES * 8] = { 0 };
    unsigned int i, j, count = 0, bad = 0, duplicates = 0, worst_bit = 0;
    double chi2 = 0, worst_position = 0, expected;
    DWORD ret, handle, start = GetTickCount();

    memset(position, 0, sizeof(position));
    for (i = 0; i < KEY_COUNT; i++)
    {
        ret = RmStartSession(&handle, 0, keys[count]);
        ok(ret == ERROR_SUCCESS, "session %u: RmStartSession: got %lu\n", i, ret);
        if (ret) break;
        ret = RmEndSession(handle);
        ok(ret == ERROR_SUCCESS, "session %u: RmEndSession: got %lu\n", i, ret);
        count++;
    }
    trace("%u keys in %lu ms\n", count, GetTickCount() - start);
    if (count < KEY_COUNT) return;

    for (i = 0; i < count; i++)
    {
        BYTE bytes[KEY_BYTES];

        if (!key_to_bytes(keys[i], bytes))
        {
            if (!bad++) ok(0, "key %s is not 32 hex digits\n", wine_dbgstr_w(keys[i]));
            continue;
        }
        for (j = 0; j < KEY_CHARS; j++)
        {
            int v = hex_value(keys[i][j]);

            digits[v]++;
            position[j][v]++;
        }
        for (j = 0; j < KEY_BYTES * 8; j++) if (bytes[j / 8] & (1 << (j % 8))) bits[j]++;
    }
    ok(!bad, "%u keys are not 32 hex digits\n", bad);

    qsort(keys, count, sizeof(keys[0]), compare_keys);
    for (i = 1; i < count; i++)
        if (!wcscmp(keys[i - 1], keys[i]) && !duplicates++) ok(0, "key %s was issued twice\n", wine_dbgstr_w(keys[i]));
    ok(!duplicates, "%u duplicate keys among %u\n", duplicates, count);

    /* Uniform keys are a project requirement (16 random bytes): the one key seen from Windows
     * has a version-4 GUID's fixed digits, so these run under Wine only. */
    /* 32,000 digits in 16 classes: chi-square with 15 degrees of freedom has mean 15; 80 or
     * more happens by chance with a probability below 1e-10. */
    expected = count * KEY_CHARS / 16.0;
    for (i = 0; i < 16; i++) chi2 += (digits[i] - expected) * (digits[i] - expected) / expected;
    if (winetest_platform_is_wine)
        ok(chi2 < 80.0, "hex digit frequencies are not uniform: chi-square %.1f\n", chi2);
    trace("hex digit chi-square %.1f (15 degrees of freedom)\n", chi2);

    /* The same per position (1,000 digits each): a stuck or biased digit shows there. */
    expected = count / 16.0;
    for (j = 0; j < KEY_CHARS; j++)
    {
        double c = 0;

        for (i = 0; i < 16; i++) c += (position[j][i] - expected) * (position[j][i] - expected) / expected;
        if (c > worst_position) worst_position = c;
    }
    if (winetest_platform_is_wine)
        ok(worst_position < 80.0, "a key position is not uniform: chi-square %.1f\n", worst_position);

    /* Each of the 128 bits is set about 500 times in 1,000 keys (standard deviation 16). */
    for (j = 0; j < KEY_BYTES * 8; j++)
        if (abs((int)bits[j] - (int)count / 2) > abs((int)bits[worst_bit] - (int)count / 2)) worst_bit = j;
    if (winetest_platform_is_wine)
        ok(abs((int)bits[worst_bit] - (int)count / 2) < 120, "key bit %u is set in %u of %u keys\n", worst_bit,
           bits[worst_bit], count);
}

/* The store holds no key: not as text, in either case, and not as its 16 bytes. */
static void test_key_not_stored(void)
{
    WCHAR key[KEY_BUFFER], key2[KEY_BUFFER], file[MAX_PATH];
    LPCWSTR files[1] = { file }, services[1] = { L"rmtest-security-service" };
    RM_UNIQUE_PROCESS procs[1] = { self_owner };
    unsigned int found, values = 0;
    DWORD ret, handle, handle2, joined;
    BYTE bytes[KEY_BYTES], bytes2[KEY_BYTES];
    HKEY root;

    swprintf(file, ARRAY_SIZE(file), L"%ls\\rmtest_security_%lx.dat", temp_dir, GetCurrentProcessId());
    ret = RmStartSession(&handle, 0, key);
    ok(ret == ERROR_SUCCESS, "RmStartSession: got %lu\n", ret);
    if (ret) return;
    ret = RmStartSession(&handle2, 0, key2);
    ok(ret == ERROR_SUCCESS, "RmStartSession: got %lu\n", ret);
    if (ret)
    {
        RmEndSession(handle);
        return;
    }
    /* Everything a session can hold: a secondary, registrations, filters. */
    ret = RmJoinSession(&joined, key);
    ok(ret == ERROR_SUCCESS, "RmJoinSession: got %lu\n", ret);
    if (ret) joined = NO_SESSION;
    ret = RmRegisterResources(handle, 1, files, 1, procs, 1, services);
    ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu\n", ret);
    ret = RmAddFilter(handle, file, NULL, NULL, RmNoRestart);
    ok(ret == ERROR_SUCCESS, "RmAddFilter: got %lu\n", ret);
    ret = RmAddFilter(handle, NULL, &procs[0], NULL, RmNoShutdown);
    ok(ret == ERROR_SUCCESS, "RmAddFilter: got %lu\n", ret);

    ok(key_to_bytes(key, bytes) && key_to_bytes(key2, bytes2), "keys %s, %s\n", wine_dbgstr_w(key), wine_dbgstr_w(key2));
    ret = RegOpenKeyExW(HKEY_CURRENT_USER, rm_root, 0, KEY_READ, &root);
    ok(!ret, "cannot open the store, error %lu\n", ret);
    if (!ret)
    {
        found = search_tree(root, rm_root, key, bytes, &values);
        found += search_tree(root, rm_root, key2, bytes2, &values);
        ok(!found, "the key was found %u times in the store\n", found);
        ok(values >= 6, "only %u values in the store\n", values);
        trace("%u values searched\n", values);
        RegCloseKey(root);
    }
    if (!RegOpenKeyExW(HKEY_CURRENT_USER, L"Software\\rstrtmgr", 0, KEY_READ, &root))
    {
        found = search_tree(root, L"Software\\rstrtmgr", key, bytes, &values);
        ok(!found, "the key was found %u times in Software\\rstrtmgr\n", found);
        RegCloseKey(root);
    }

    if (joined != NO_SESSION) RmEndSession(joined);
    ret = RmEndSession(handle2);
    ok(ret == ERROR_SUCCESS, "RmEndSession: got %lu\n", ret);
    ret = RmEndSession(handle);
    ok(ret == ERROR_SUCCESS, "RmEndSession: got %lu\n", ret);
}

/* A small generator of guesses, independent of the one the keys come from. */
static ULONGLONG guess_state;

static unsigned int next_guess(void)
{
    guess_state ^= guess_state << 13;
    guess_state ^= guess_state >> 7;
    guess_state ^= guess_state << 17;
    return (unsigned int)(guess_state >> 32);
}

static void test_join_guessing(void)
{
    static const WCHAR hex[] = L"0123456789abcdef";
    unsigned int i, j, wrong = 0, joined = 0;
    WCHAR key[KEY_BUFFER], guess[KEY_BUFFER];
    DWORD ret, handle, handle2, start;

    ret = RmStartSession(&handle, 0, key);
    ok(ret == ERROR_SUCCESS, "RmStartSession: got %lu\n", ret);
    if (ret) return;

    guess_state = ((ULONGLONG)GetTickCount() << 32) ^ GetCurrentProcessId() ^ 0x9e3779b97f4a7c15ull;
    start = GetTickCount();
    for (i = 0; i < JOIN_ATTEMPTS; i++)
    {
        for (j = 0; j < KEY_CHARS; j++) guess[j] = hex[next_guess() & 15];
        guess[KEY_CHARS] = 0;
        if (!wcsicmp(guess, key)) continue;  /* 1 in 2^128 */
        if (i & 1) for (j = 0; j < KEY_CHARS; j++) if (guess[j] >= 'a') guess[j] -= 'a' - 'A';
        handle2 = 0xdeadbeef;
        ret = RmJoinSession(&handle2, guess);
        if (ret == ERROR_SESSION_CREDENTIAL_CONFLICT) continue;
        if (!ret)
        {
            joined++;
            RmEndSession(handle2);
        }
        if (!wrong++) ok(0, "guess %s: got %lu, expected 1219\n", wine_dbgstr_w(guess), ret);
    }
    trace("%u guesses in %lu ms\n", JOIN_ATTEMPTS, GetTickCount() - start);
    ok(!wrong, "%u of %u guesses did not fail with 1219\n", wrong, JOIN_ATTEMPTS);
    ok(!joined, "%u guesses joined the session\n", joined);

    /* The session is unharmed, and its key still works. */
    ret = RmJoinSession(&handle2, key);
    ok(ret == ERROR_SUCCESS, "RmJoinSession with the key: got %lu\n", ret);
    if (!ret) RmEndSession(handle2);
    ret = RmEndSession(handle);
    ok(ret == ERROR_SUCCESS, "RmEndSession: got %lu\n", ret);
}

/* ------------------------------------------------------------------ handles of another process */

static BOOL get_other_arch_exe(char *exe, DWORD size)
{
    char dir[MAX_PATH];
    DWORD len;

    len = GetEnvironmentVariableA("RSTRTMGR_TEST_OTHER_ARCH", dir, sizeof(dir));
    if (!len || len >= sizeof(dir)) return FALSE;
    while (len && (dir[len - 1] == '\\' || dir[len - 1] == '/')) dir[--len] = 0;
    snprintf(exe, size, "%s\\security.exe", dir);
    return GetFileAttributesA(exe) != INVALID_FILE_ATTRIBUTES;
}

/* Child: opens sessions until one has a handle of at least the given number, prints it, waits
 * for the event, then checks that its session is untouched. */
static void child_host(const char *event_name, const char *min_arg)
{
    DWORD handles[FOREIGN_MIN + 2], min_handle = strtoul(min_arg, NULL, 10), ret, reasons, needed;
    unsigned int count = 0, i;
    WCHAR key[KEY_BUFFER];
    BYTE filters[1024];
    HANDLE event;
    UINT n, infos_needed;

    event = OpenEventA(SYNCHRONIZE, FALSE, event_name);
    ok(event != NULL, "OpenEventA failed, error %lu\n", GetLastError());
    while (count < ARRAY_SIZE(handles))
    {
        ret = RmStartSession(&handles[count], 0, key);
        ok(!ret, "RmStartSession: got %lu\n", ret);
        if (ret) break;
        if (handles[count++] >= min_handle) break;
    }
    printf("handle %lu\n", count ? handles[count - 1] : NO_SESSION);
    fflush(stdout);
    if (event)
    {
        ok(WaitForSingleObject(event, 120000) == WAIT_OBJECT_0, "the parent did not release the child\n");
        CloseHandle(event);
    }
    if (count)
    {
        DWORD h = handles[count - 1];

        /* The parent's calls did not end it, add to it or filter it. */
        needed = 0xdeadbeef;
        ret = RmGetFilterList(h, filters, sizeof(filters), &needed);
        ok(!ret, "RmGetFilterList: got %lu\n", ret);
        ok(!needed, "the session has %lu bytes of filters\n", needed);
        infos_needed = n = 0;
        ret = RmGetList(h, &infos_needed, &n, NULL, &reasons);
        ok(!ret, "RmGetList: got %lu\n", ret);
        ok(!infos_needed, "%u affected\n", infos_needed);
        ret = RmRegisterResources(h, 0, NULL, 0, NULL, 0, NULL);
        ok(!ret, "RmRegisterResources: got %lu\n", ret);
    }
    for (i = 0; i < count; i++)
    {
        ret = RmEndSession(handles[i]);
        ok(!ret, "RmEndSession(%lu): got %lu\n", handles[i], ret);
    }
}

static void run_foreign_handle(const char *exe)
{
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
    char cmdline[MAX_PATH + 128], event_name[64], buffer[4096], *line, *end;
    STARTUPINFOA si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    HANDLE read_pipe, write_pipe, event;
    WCHAR key[KEY_BUFFER], file[MAX_PATH];
    LPCWSTR files[1] = { file };
    DWORD used = 0, got, foreign = NO_SESSION, own, ret, reasons, needed;
    BYTE filters[256];
    UINT n, infos_needed;
    BOOL started;

    /* This process holds a session of its own, numbered below the child's. */
    ret = RmStartSession(&own, 0, key);
    ok(ret == ERROR_SUCCESS, "RmStartSession: got %lu\n", ret);
    if (ret) return;
    swprintf(file, ARRAY_SIZE(file), L"%ls\\rmtest_security_foreign.dat", temp_dir);

    snprintf(event_name, sizeof(event_name), "rmtest_security_%lx_%lx", GetCurrentProcessId(), GetTickCount());
    event = CreateEventA(NULL, TRUE, FALSE, event_name);
    CreatePipe(&read_pipe, &write_pipe, &sa, 0);
    SetHandleInformation(read_pipe, HANDLE_FLAG_INHERIT, 0);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdOutput = si.hStdError = write_pipe;
    snprintf(cmdline, sizeof(cmdline), "\"%s\" security host %s %u", exe, event_name, FOREIGN_MIN);
    started = CreateProcessA(NULL, cmdline, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi);
    ok(started, "CreateProcessA(%s) failed, error %lu\n", cmdline, GetLastError());
    CloseHandle(write_pipe);
    while (started && used < sizeof(buffer) - 1)
    {
        if (!ReadFile(read_pipe, buffer + used, sizeof(buffer) - 1 - used, &got, NULL) || !got) break;
        used += got;
        buffer[used] = 0;
        if ((line = strstr(buffer, "handle ")) && strchr(line, '\n'))
        {
            foreign = strtoul(line + 7, NULL, 10);
            break;
        }
    }
    ok(foreign != NO_SESSION, "the child reported no handle\n");
    ok(foreign != own, "the child's handle %lu is ours too\n", foreign);

    /* Project requirement: handle numbers are per process.  Whether Windows' are was never seen,
     * and there the calls might act on the child's session, so they run under Wine only. */
    if (foreign != NO_SESSION && foreign != own && winetest_platform_is_wine)
    {
        trace("using the child's handle %lu\n", foreign);
        ret = RmRegisterResources(foreign, 1, files, 0, NULL, 0, NULL);
        ok(ret == ERROR_INVALID_HANDLE, "RmRegisterResources: got %lu\n", ret);
        infos_needed = n = 0;
        ret = RmGetList(foreign, &infos_needed, &n, NULL, &reasons);
        ok(ret == ERROR_INVALID_HANDLE, "RmGetList: got %lu\n", ret);
        ret = RmAddFilter(foreign, file, NULL, NULL, RmNoShutdown);
        ok(ret == ERROR_INVALID_HANDLE, "RmAddFilter: got %lu\n", ret);
        ret = RmRemoveFilter(foreign, file, NULL, NULL);
        ok(ret == ERROR_INVALID_HANDLE, "RmRemoveFilter: got %lu\n", ret);
        needed = 0;
        ret = RmGetFilterList(foreign, filters, sizeof(filters), &needed);
        ok(ret == ERROR_INVALID_HANDLE, "RmGetFilterList: got %lu\n", ret);
        ret = RmShutdown(foreign, RmForceShutdown, NULL);
        ok(ret == ERROR_INVALID_HANDLE, "RmShutdown: got %lu\n", ret);
        ret = RmRestart(foreign, 0, NULL);
        ok(ret == ERROR_INVALID_HANDLE, "RmRestart: got %lu\n", ret);
        ret = RmCancelCurrentTask(foreign);
        ok(ret == ERROR_INVALID_HANDLE, "RmCancelCurrentTask: got %lu\n", ret);
        ret = RmEndSession(foreign);
        ok(ret == ERROR_INVALID_HANDLE, "RmEndSession: got %lu\n", ret);
    }

    if (event) SetEvent(event);
    if (started)
    {
        while (used < sizeof(buffer) - 1 && ReadFile(read_pipe, buffer + used, sizeof(buffer) - 1 - used, &got, NULL)
               && got)
            used += got;
        buffer[used] = 0;
        for (line = buffer; *line; line = end)
        {
            if ((end = strchr(line, '\n'))) *end++ = 0;
            else end = line + strlen(line);
            if (*line && *line != '\r' && strncmp(line, "handle ", 7)) trace("child: %s\n", line);
        }
        wait_child_process(&pi);
        CloseHandle(pi.hProcess);
        CloseHandle(pi.hThread);
    }
    CloseHandle(read_pipe);
    if (event) CloseHandle(event);
    ret = RmEndSession(own);
    ok(ret == ERROR_SUCCESS, "RmEndSession: got %lu\n", ret);
}

static void test_foreign_handle(void)
{
    char exe[MAX_PATH];

    winetest_push_context("same arch");
    run_foreign_handle(self_exe);
    winetest_pop_context();
    if (!get_other_arch_exe(exe, sizeof(exe)))
    {
        skip("other architecture not available\n");
        return;
    }
    winetest_push_context("other arch");
    run_foreign_handle(exe);
    winetest_pop_context();
}

/* ------------------------------------------------------------------ what RmShutdown spares */

static void test_shutdown_spares_caller(void)
{
    WCHAR file[MAX_PATH];
    LPCWSTR files[1] = { file };
    const RM_PROCESS_INFO *entry;
    RM_PROCESS_INFO *infos;
    DWORD ret, handle, reasons, written;
    UINT count;
    HANDLE h;
    static const ULONG flags[] = { 0, RmForceShutdown, RmShutdownOnlyRegistered, RmForceShutdown | RmShutdownOnlyRegistered };
    unsigned int i;

    swprintf(file, ARRAY_SIZE(file), L"%ls\\rmtest_security_self_%lx.dat", temp_dir, GetCurrentProcessId());
    h = CreateFileW(file, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_FLAG_DELETE_ON_CLOSE, NULL);
    ok(h != INVALID_HANDLE_VALUE, "CreateFileW failed, error %lu\n", GetLastError());
    if (h == INVALID_HANDLE_VALUE) return;

    ret = RmStartSession(&handle, 0, (WCHAR[KEY_BUFFER]){ 0 });
    ok(ret == ERROR_SUCCESS, "RmStartSession: got %lu\n", ret);
    if (!ret)
    {
        ret = RmRegisterResources(handle, 1, files, 0, NULL, 0, NULL);
        ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu\n", ret);
        ret = get_list(handle, &infos, &count, &reasons);
        ok(ret == ERROR_SUCCESS, "RmGetList: got %lu\n", ret);
        entry = find_entry(infos, count, GetCurrentProcessId());
        ok(entry != NULL, "this process is not listed\n");
        if (entry)
        {
            ok(owner_equal(&entry->Process, &self_owner), "wrong start time\n");
            ok(entry->ApplicationType == RmCritical || broken(is_user_app_type(entry->ApplicationType)),
               "got type %d, expected RmCritical\n", entry->ApplicationType);
        }
        ok(reasons & RmRebootReasonDetectedSelf, "got reasons %#lx\n", reasons);
        free(infos);

        for (i = 0; i < ARRAY_SIZE(flags); i++)
        {
            ret = RmShutdown(handle, flags[i], NULL);
            if (winetest_platform_is_wine)
                ok(ret == ERROR_FAIL_NOACTION_REBOOT, "flags %#lx: got %lu, expected 350\n", flags[i], ret);
        }
        /* Still here, and the file is still open. */
        ok(WriteFile(h, "x", 1, &written, NULL) && written == 1, "the file handle is gone, error %lu\n", GetLastError());
        ret = RmEndSession(handle);
        ok(ret == ERROR_SUCCESS, "RmEndSession: got %lu\n", ret);
    }
    CloseHandle(h);
}

struct system_process
{
    const WCHAR *name;
    RM_UNIQUE_PROCESS id;
    BOOL found;
};

static unsigned int find_processes(struct system_process *procs, unsigned int count)
{
    PROCESSENTRY32W entry = { sizeof(entry) };
    unsigned int i, found = 0;
    HANDLE snapshot;
    BOOL more;

    if ((snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0)) == INVALID_HANDLE_VALUE) return 0;
    for (more = Process32FirstW(snapshot, &entry); more; more = Process32NextW(snapshot, &entry))
    {
        for (i = 0; i < count; i++)
        {
            if (procs[i].found || wcsicmp(entry.szExeFile, procs[i].name)) continue;
            if (get_process_owner(entry.th32ProcessID, &procs[i].id))
            {
                procs[i].found = TRUE;
                found++;
            }
        }
    }
    CloseHandle(snapshot);
    return found;
}

/* Registers one file, checks the list, and checks that even a forced RmShutdown touches
 * nothing; returns the processes listed. */
static void shutdown_spares(const WCHAR *file, struct system_process *procs, unsigned int nprocs, BOOL critical_listed)
{
    LPCWSTR files[1] = { file };
    RM_PROCESS_INFO *infos, *before;
    const RM_PROCESS_INFO *entry;
    DWORD ret, handle, reasons;
    UINT count, nbefore, i;

    winetest_push_context("%s", wine_dbgstr_w(file));
    ret = RmStartSession(&handle, 0, (WCHAR[KEY_BUFFER]){ 0 });
    ok(ret == ERROR_SUCCESS, "RmStartSession: got %lu\n", ret);
    if (ret)
    {
        winetest_pop_context();
        return;
    }
    ret = RmRegisterResources(handle, 1, files, 0, NULL, 0, NULL);
    ok(ret == ERROR_SUCCESS, "RmRegisterResources: got %lu\n", ret);
    ret = get_list(handle, &before, &nbefore, &reasons);
    ok(ret == ERROR_SUCCESS, "RmGetList: got %lu\n", ret);
    trace("%u listed, reasons %#lx\n", nbefore, reasons);
    ok(reasons != RmRebootReasonNone, "no reboot reason\n");
    for (i = 0; i < nprocs; i++)
    {
        if (!procs[i].found || !critical_listed) continue;
        entry = find_entry(before, nbefore, procs[i].id.dwProcessId);
        ok(entry != NULL, "%s (pid %#lx) is not listed\n", wine_dbgstr_w(procs[i].name), procs[i].id.dwProcessId);
        if (!entry) continue;
        ok(entry->ApplicationType == RmCritical, "%s: got type %d, expected RmCritical\n",
           wine_dbgstr_w(procs[i].name), entry->ApplicationType);
    }
    if (critical_listed)
        ok(reasons & (RmRebootReasonCriticalProcess | RmRebootReasonCriticalService | RmRebootReasonPermissionDenied),
           "got reasons %#lx\n", reasons);

    ret = RmShutdown(handle, RmForceShutdown, NULL);
    ok(ret == ERROR_FAIL_NOACTION_REBOOT, "RmShutdown: got %lu, expected 350\n", ret);

    for (i = 0; i < nprocs; i++)
        if (procs[i].found)
            ok(process_alive(&procs[i].id), "%s (pid %#lx) is gone\n", wine_dbgstr_w(procs[i].name), procs[i].id.dwProcessId);
    /* Everything listed before is still there, unless it ended by itself (a Wine helper,
     * another test's process): those are traced only. */
    for (i = 0; i < nbefore; i++)
        if (!process_alive(&before[i].Process))
            trace("pid %#lx (%s) has exited\n", before[i].Process.dwProcessId, wine_dbgstr_w(before[i].strAppName));

    ret = get_list(handle, &infos, &count, &reasons);
    ok(ret == ERROR_SUCCESS, "RmGetList after RmShutdown: got %lu\n", ret);
    for (i = 0; i < count; i++)
        ok(!(infos[i].AppStatus & (RmStatusStopped | RmStatusStoppedOther | RmStatusErrorOnStop)),
           "pid %#lx has status %#lx\n", infos[i].Process.dwProcessId, infos[i].AppStatus);
    free(infos);
    free(before);
    ret = RmEndSession(handle);
    ok(ret == ERROR_SUCCESS, "RmEndSession: got %lu\n", ret);
    winetest_pop_context();
}

static void test_shutdown_spares_system(void)
{
    struct system_process wine_procs[] =
    {
        { L"services.exe" }, { L"explorer.exe" }, { L"winedevice.exe" }, { L"plugplay.exe" }, { L"svchost.exe" },
        { L"rpcss.exe" },
    };
    struct system_process windows_procs[] = { { L"services.exe" } };
    struct system_process *procs = winetest_platform_is_wine ? wine_procs : windows_procs;
    unsigned int nprocs = winetest_platform_is_wine ? ARRAY_SIZE(wine_procs) : ARRAY_SIZE(windows_procs), i;
    WCHAR system_dir[MAX_PATH], file[MAX_PATH];

    find_processes(procs, nprocs);
    for (i = 0; i < nprocs; i++)
    {
        if (procs[i].found) trace("%s is pid %#lx\n", wine_dbgstr_w(procs[i].name), procs[i].id.dwProcessId);
        else trace("%s is not running\n", wine_dbgstr_w(procs[i].name));
    }
    if (!procs[0].found)
    {
        skip("services.exe is not running\n");
        return;
    }
    GetSystemDirectoryW(system_dir, ARRAY_SIZE(system_dir));

    /* services.exe's own image: it is listed, as critical, and nothing is shut down.  On
     * Windows a protected services.exe may not be visible to a normal user: not required. */
    swprintf(file, ARRAY_SIZE(file), L"%ls\\services.exe", system_dir);
    shutdown_spares(file, procs, 1, winetest_platform_is_wine);

    /* A DLL every process has loaded, this one too. */
    swprintf(file, ARRAY_SIZE(file), L"%ls\\kernel32.dll", system_dir);
    shutdown_spares(file, procs, nprocs, FALSE);
}

static void test_other_session(void)
{
    DWORD session = 0;

    ProcessIdToSessionId(GetCurrentProcessId(), &session);
    if (winetest_platform_is_wine)
        skip("Wine runs every process in session %lu: no process of another terminal session can be made\n", session);
    else
        skip("starting a process in another terminal session needs SYSTEM rights\n");
}

START_TEST(security)
{
    char **argv;
    int argc;

    argc = winetest_get_mainargs(&argv);
    get_process_owner(GetCurrentProcessId(), &self_owner);
    GetModuleFileNameA(NULL, self_exe, sizeof(self_exe));
    init_temp_dir(L"security");
    trace_loaded_dll();

    if (argc >= 5 && !strcmp(argv[2], "host"))
    {
        child_host(argv[3], argv[4]);
        return;
    }

    test_key_randomness();
    test_key_not_stored();
    test_join_guessing();
    test_foreign_handle();
    test_shutdown_spares_caller();
    test_shutdown_spares_system();
    test_other_session();
}
