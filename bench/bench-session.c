/*
 * bench-session: a session's life (start, register, end) against the registry work it needs
 *
 * Copyright 2026 The rstrtmgr authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * usage: bench-session [--cycles N] [--files N]     (defaults: 500 cycles, 100 files)
 *
 * One cycle through the API is RmStartSession, RmRegisterResources(N files), RmEndSession.
 * The raw cycle, measured in the same run and the same process, is the least registry work
 * that stores the same session: create a volatile key under HKCU\Software\Microsoft\
 * RestartManager (named BenchRaw<pid>, which no session slot can be), write Owner (12 bytes),
 * Sequence, a 32-byte hash and one REG_MULTI_SZ of the N paths, then delete the key.  The
 * parent key is opened once for the whole run and the owner identity read once, as they never
 * change.  "raw + mutex" adds taking and releasing a named mutex once per cycle, since the
 * API must serialise writers across processes; "raw + mutex per call" takes it three times,
 * once per API call of the cycle.  The cycles are interleaved (raw, raw + mutex, raw + mutex
 * per call, API), so that a busy machine slows all alike.  Figures are microseconds per cycle.
 *
 * The last table times, in the same run, single calls of the primitives the API's work is made
 * of, to tell from outside which part of a session's life costs what.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>
#include <windows.h>
#include <bcrypt.h>
#include <restartmanager.h>

#include "floor.h"

/* ntdll; not in mingw-w64's headers. */
extern LONG WINAPI NtDeleteKey(HANDLE key);

#define STORE_ROOT L"Software\\Microsoft\\RestartManager"
#define MUTEX_NAME L"Local\\RstrMgr3887CAB8-533F-4C85-B0DC-3E5639F8D511"

#ifndef BCRYPT_USE_SYSTEM_PREFERRED_RNG
#define BCRYPT_USE_SYSTEM_PREFERRED_RNG 0x00000002
#endif

/* Microseconds, from floor.c's clock. */
static double now_us(void)
{
    return now_ms() * 1000.0;
}

static double mean(const double *values, unsigned int count)
{
    double sum = 0;
    unsigned int i;

    for (i = 0; i < count; i++) sum += values[i];
    return count ? sum / count : 0;
}

struct series
{
    const char *name;
    double *values;
    double median, mean;
};

static void summarise(struct series *s, unsigned int count)
{
    s->mean = mean(s->values, count);
    s->median = median(s->values, count);
}

/* ------------------------------------------------------------------ the raw cycle */

struct raw
{
    HKEY root;
    HANDLE mutex;
    WCHAR name[32];
    BYTE owner[12];
    BYTE hash[32];
    const WCHAR *multi_sz;
    DWORD multi_sz_bytes;
};

static void lock(struct raw *raw, BOOL on)
{
    if (on) WaitForSingleObject(raw->mutex, INFINITE);
}

static void unlock(struct raw *raw, BOOL on)
{
    if (on) ReleaseMutex(raw->mutex);
}

/* takes: how often the mutex is taken in the cycle (0, 1 or 3). */
static BOOL raw_cycle(struct raw *raw, unsigned int takes)
{
    DWORD sequence = 0;
    LSTATUS status;
    HKEY key;

    lock(raw, takes >= 1);
    status = RegCreateKeyExW(raw->root, raw->name, 0, NULL, REG_OPTION_VOLATILE, KEY_ALL_ACCESS, NULL, &key, NULL);
    if (status) return FALSE;
    RegSetValueExW(key, L"Owner", 0, REG_BINARY, raw->owner, sizeof(raw->owner));
    RegSetValueExW(key, L"Sequence", 0, REG_DWORD, (BYTE *)&sequence, sizeof(sequence));
    RegSetValueExW(key, L"SessionHash", 0, REG_BINARY, raw->hash, sizeof(raw->hash));
    unlock(raw, takes == 3);
    lock(raw, takes == 3);
    RegSetValueExW(key, L"RegFiles0000", 0, REG_MULTI_SZ, (const BYTE *)raw->multi_sz, raw->multi_sz_bytes);
    RegCloseKey(key);
    unlock(raw, takes == 3);
    lock(raw, takes == 3);
    status = RegDeleteKeyW(raw->root, raw->name);
    unlock(raw, takes >= 1);
    return !status;
}

/* ------------------------------------------------------------------ primitives */

struct primitive
{
    const char *name;
    void (*run)(struct raw *raw);
    void (*setup)(struct raw *raw);      /* untimed, before */
    void (*cleanup)(struct raw *raw);    /* untimed, after */
    double *values;
};

static void prim_mutex(struct raw *raw)
{
    WaitForSingleObject(raw->mutex, INFINITE);
    ReleaseMutex(raw->mutex);
}

static void prim_create_root(struct raw *raw)
{
    HKEY key;

    if (!RegCreateKeyExW(HKEY_CURRENT_USER, STORE_ROOT, 0, NULL, REG_OPTION_VOLATILE, KEY_ALL_ACCESS, NULL, &key, NULL))
        RegCloseKey(key);
}

static void prim_open_missing(struct raw *raw)
{
    HKEY key;

    if (!RegOpenKeyExW(raw->root, L"Session0063", 0, KEY_QUERY_VALUE, &key)) RegCloseKey(key);
}

/* The slot scan's enumeration of a store with no sessions. */
static void prim_enum_root(struct raw *raw)
{
    WCHAR name[32];
    DWORD len = ARRAYSIZE(name), index = 0;

    while (!RegEnumKeyExW(raw->root, index, name, &len, NULL, NULL, NULL, NULL)) len = ARRAYSIZE(name), index++;
}

static void prim_query_missing_value(struct raw *raw)
{
    RegQueryValueExW(raw->root, L"RegFiles0000", NULL, NULL, NULL, NULL);
}

/* What a slot with a live owner costs to check: open the owner, read its times, check it runs. */
static void prim_owner_check(struct raw *raw)
{
    FILETIME created, exited, kernel, user;
    HANDLE process;
    DWORD code;

    if (!(process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, GetCurrentProcessId()))) return;
    GetProcessTimes(process, &created, &exited, &kernel, &user);
    GetExitCodeProcess(process, &code);
    CloseHandle(process);
}

static void prim_own_times(struct raw *raw)
{
    FILETIME created, exited, kernel, user;

    GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user);
}

static void prim_random(struct raw *raw)
{
    BYTE key[16];

    BCryptGenRandom(NULL, key, sizeof(key), BCRYPT_USE_SYSTEM_PREFERRED_RNG);
}

/* SHA-256 of 16 bytes, opening and closing the provider each time. */
static void prim_sha256(struct raw *raw)
{
    BCRYPT_ALG_HANDLE alg;
    BCRYPT_HASH_HANDLE ctx;
    BYTE key[16] = { 0 };

    if (BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM, NULL, 0)) return;
    if (!BCryptCreateHash(alg, &ctx, NULL, 0, NULL, 0, 0))
    {
        BCryptHashData(ctx, key, sizeof(key), 0);
        BCryptFinishHash(ctx, raw->hash, sizeof(raw->hash), 0);
        BCryptDestroyHash(ctx);
    }
    BCryptCloseAlgorithmProvider(alg, 0);
}

static void prim_event(struct raw *raw)
{
    CloseHandle(CreateEventW(NULL, TRUE, FALSE, NULL));
}

/* A session-like key: created, with a Sequence and a hash. */
static void make_key(struct raw *raw)
{
    DWORD sequence = 0;
    HKEY key;

    if (RegCreateKeyExW(raw->root, raw->name, 0, NULL, REG_OPTION_VOLATILE, KEY_ALL_ACCESS, NULL, &key, NULL)) return;
    RegSetValueExW(key, L"Sequence", 0, REG_DWORD, (BYTE *)&sequence, sizeof(sequence));
    RegSetValueExW(key, L"SessionHash", 0, REG_BINARY, raw->hash, sizeof(raw->hash));
    RegCloseKey(key);
}

static void delete_key(struct raw *raw)
{
    RegDeleteKeyW(raw->root, raw->name);
}

/* Open a session key from scratch and check its hash, as every call on a session must. */
static void prim_open_session(struct raw *raw)
{
    BYTE hash[32];
    DWORD size = sizeof(hash), type;
    HKEY root, key;

    if (RegOpenKeyExW(HKEY_CURRENT_USER, STORE_ROOT, 0, KEY_ENUMERATE_SUB_KEYS, &root)) return;
    if (!RegOpenKeyExW(root, raw->name, 0, KEY_SET_VALUE | KEY_QUERY_VALUE, &key))
    {
        RegQueryValueExW(key, L"SessionHash", NULL, &type, hash, &size);
        RegCloseKey(key);
    }
    RegCloseKey(root);
}

/* The Sequence bump: open, query, set, close. */
static void prim_bump_sequence(struct raw *raw)
{
    DWORD sequence = 0, size = sizeof(sequence), type;
    HKEY key;

    if (RegOpenKeyExW(raw->root, raw->name, 0, KEY_SET_VALUE | KEY_QUERY_VALUE, &key)) return;
    RegQueryValueExW(key, L"Sequence", NULL, &type, (BYTE *)&sequence, &size);
    sequence++;
    RegSetValueExW(key, L"Sequence", 0, REG_DWORD, (BYTE *)&sequence, sizeof(sequence));
    RegCloseKey(key);
}

/* How the store deletes a slot: opened as a link, subkeys enumerated, NtDeleteKey, closed. */
static void prim_delete_slot(struct raw *raw)
{
    WCHAR subkey[256];
    DWORD len = ARRAYSIZE(subkey);
    HKEY key;

    if (RegOpenKeyExW(raw->root, raw->name, REG_OPTION_OPEN_LINK, KEY_ENUMERATE_SUB_KEYS | DELETE, &key)) return;
    RegEnumKeyExW(key, 0, subkey, &len, NULL, NULL, NULL, NULL);
    NtDeleteKey(key);
    RegCloseKey(key);
}

static void prim_multi_sz(struct raw *raw)
{
    RegSetValueExW(raw->root, L"BenchRawFiles", 0, REG_MULTI_SZ, (const BYTE *)raw->multi_sz, raw->multi_sz_bytes);
}

/* ------------------------------------------------------------------ main */

static void fail(const char *what, DWORD error)
{
    printf("%s failed: %lu\n", what, error);
    exit(1);
}

int wmain(int argc, WCHAR **argv)
{
    unsigned int cycles = 500, nfiles = 100, warmup = 10, i, j;
    struct series series[] = {
        { "raw registry" },
        { "raw + mutex" },
        { "raw + mutex per call (3)" },
        { "API: start+register+end" },
        { "  RmStartSession" },
        { "  RmRegisterResources" },
        { "  RmEndSession" },
    };
    enum { RAW, RAW_MUTEX, RAW_MUTEX3, API, START, REGISTER, END, NSERIES };
    struct primitive prims[] = {
        { "mutex take + release", prim_mutex },
        { "RegCreateKeyEx of the store root + close", prim_create_root },
        { "RegOpenKeyEx of a missing slot", prim_open_missing },
        { "RegEnumKeyEx of the store root to its end", prim_enum_root },
        { "RegQueryValueEx of a missing value", prim_query_missing_value },
        { "OpenProcess + times + exit code + close", prim_owner_check },
        { "GetProcessTimes(self)", prim_own_times },
        { "BCryptGenRandom(16)", prim_random },
        { "SHA-256 (provider open..close)", prim_sha256 },
        { "CreateEvent + CloseHandle", prim_event },
        { "RegSetValueEx of the REG_MULTI_SZ", prim_multi_sz },
        { "create key + 2 values + close", make_key, NULL, delete_key },
        { "RegDeleteKeyW of a key", delete_key, make_key },
        { "open as link, enum, NtDeleteKey, close", prim_delete_slot, make_key },
        { "RegDeleteKeyW of a missing key", delete_key },
        { "open root, open key, query hash, close both", prim_open_session, make_key, delete_key },
        { "open key, query + set Sequence, close", prim_bump_sequence, make_key, delete_key },
    };
    unsigned int nprims = ARRAYSIZE(prims), prim_runs;
    WCHAR **paths, dir[MAX_PATH], *multi_sz, *p;
    FILETIME created, exited, kernel, user;
    struct raw raw = { 0 };
    size_t len = 0;
    int arg;

    for (arg = 1; arg + 1 < argc; arg += 2)
    {
        if (!wcscmp(argv[arg], L"--cycles")) cycles = wcstoul(argv[arg + 1], NULL, 10);
        else if (!wcscmp(argv[arg], L"--files")) nfiles = wcstoul(argv[arg + 1], NULL, 10);
    }
    if (!cycles || cycles > 100000) cycles = 500;
    if (!nfiles || nfiles > 10000) nfiles = 100;
    prim_runs = cycles < 200 ? 200 : cycles;

    /* Names of files an installer is about to write, as in bench-getlist. */
    GetTempPathW(MAX_PATH, dir);
    paths = calloc(nfiles, sizeof(*paths));
    for (i = 0; i < nfiles; i++)
    {
        paths[i] = malloc(MAX_PATH * sizeof(WCHAR));
        swprintf(paths[i], MAX_PATH, L"%lsrmbench%lu\\app\\component%05u.dll", dir, GetCurrentProcessId(), i);
        len += wcslen(paths[i]) + 1;
    }
    multi_sz = p = malloc((len + 1) * sizeof(WCHAR));
    for (i = 0; i < nfiles; i++)
    {
        wcscpy(p, paths[i]);
        p += wcslen(p) + 1;
    }
    *p = 0;
    raw.multi_sz = multi_sz;
    raw.multi_sz_bytes = (DWORD)((len + 1) * sizeof(WCHAR));

    /* Set up once, outside the timed part: what never changes in a process. */
    swprintf(raw.name, ARRAYSIZE(raw.name), L"BenchRaw%lu", GetCurrentProcessId());
    if ((arg = RegCreateKeyExW(HKEY_CURRENT_USER, STORE_ROOT, 0, NULL, REG_OPTION_VOLATILE, KEY_ALL_ACCESS, NULL,
                               &raw.root, NULL)))
        fail("RegCreateKeyEx", arg);
    if (!(raw.mutex = CreateMutexW(NULL, FALSE, MUTEX_NAME))) fail("CreateMutex", GetLastError());
    GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user);
    *(DWORD *)raw.owner = GetCurrentProcessId();
    memcpy(raw.owner + 4, &created, sizeof(created));
    prim_sha256(&raw);

    for (i = 0; i < NSERIES; i++) series[i].values = calloc(cycles, sizeof(double));
    for (i = 0; i < nprims; i++) prims[i].values = calloc(prim_runs, sizeof(double));

    for (i = 0; i < warmup + cycles; i++)
    {
        WCHAR key[CCH_RM_SESSION_KEY + 1];
        double t0, t1, t2, t3, r[3];
        DWORD session, ret;

        for (j = 0; j < 3; j++)
        {
            t0 = now_us();
            if (!raw_cycle(&raw, j ? (j == 1 ? 1 : 3) : 0)) fail("raw cycle", GetLastError());
            r[j] = now_us() - t0;
        }
        t0 = now_us();
        if ((ret = RmStartSession(&session, 0, key))) fail("RmStartSession", ret);
        t1 = now_us();
        if ((ret = RmRegisterResources(session, nfiles, (LPCWSTR *)paths, 0, NULL, 0, NULL)))
            fail("RmRegisterResources", ret);
        t2 = now_us();
        if ((ret = RmEndSession(session))) fail("RmEndSession", ret);
        t3 = now_us();
        if (i < warmup) continue;
        series[RAW].values[i - warmup] = r[0];
        series[RAW_MUTEX].values[i - warmup] = r[1];
        series[RAW_MUTEX3].values[i - warmup] = r[2];
        series[API].values[i - warmup] = t3 - t0;
        series[START].values[i - warmup] = t1 - t0;
        series[REGISTER].values[i - warmup] = t2 - t1;
        series[END].values[i - warmup] = t3 - t2;
    }
    for (i = 0; i < NSERIES; i++) summarise(&series[i], cycles);

    /* The primitives, round-robin as well. */
    for (i = 0; i < warmup + prim_runs; i++)
    {
        for (j = 0; j < nprims; j++)
        {
            double t0;

            if (prims[j].setup) prims[j].setup(&raw);
            t0 = now_us();
            prims[j].run(&raw);
            if (i >= warmup) prims[j].values[i - warmup] = now_us() - t0;
            if (prims[j].cleanup) prims[j].cleanup(&raw);
        }
    }
    RegDeleteValueW(raw.root, L"BenchRawFiles");
    RegDeleteKeyW(raw.root, raw.name);

    printf("bench-session (%d-bit), %u cycles of start + register(%u files) + end, microseconds per cycle\n",
           (int)sizeof(void *) * 8, cycles, nfiles);
    printf("%-32s %9s %9s %10s\n", "", "median", "mean", "API/this");
    for (i = 0; i < NSERIES; i++)
    {
        printf("%-32s %9.1f %9.1f", series[i].name, series[i].median, series[i].mean);
        if (i < API) printf(" %9.2fx", series[API].median / series[i].median);
        printf("\n");
    }
    printf("API / (raw + mutex), medians: %.2fx (goal: at most 2x)\n", series[API].median / series[RAW_MUTEX].median);
    printf("raw: create volatile key, set Owner, Sequence, hash, REG_MULTI_SZ of the paths, delete;\n"
           "parent key opened once per run; mutex taken once per cycle, or once per API call (3)\n\n");

    printf("primitives, one call each, median of %u, microseconds\n", prim_runs);
    for (i = 0; i < nprims; i++)
    {
        double m = mean(prims[i].values, prim_runs);

        printf("%-44s %9.1f   (mean %.1f)\n", prims[i].name, median(prims[i].values, prim_runs), m);
    }

    RegCloseKey(raw.root);
    CloseHandle(raw.mutex);
    return 0;
}
