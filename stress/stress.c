/*
 * stress: the Restart Manager's session store under concurrency and killed owners
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
 * usage: stress [--short] [--other EXE] [--workers N] [--cycles N] [--files N] [--kills N]
 *               [--getlist-every N] [--seed N] [--timeout SECONDS]
 *
 * The coordinator (this program without a mode option; tools/stress.sh runs it) starts every
 * other process, of its own architecture and of the other one (--other: the other
 * architecture's stress.exe), and checks the store at HKCU\Software\Microsoft\RestartManager
 * itself, from a monitor thread that samples it every few milliseconds while holding the
 * store's mutex (so every sample is a consistent snapshot).
 *
 *  1. Concurrency: N workers (half of each architecture), each with a persistent join partner
 *     (same or other architecture, all four pairings).  A cycle: RmStartSession,
 *     RmRegisterResources of F files (temp paths, a few existing), the partner joins by key,
 *     registers one more file (one the worker holds open) and leaves, the worker counts the
 *     RegFiles strings of its session in the store (F + 1), RmGetList must list the worker
 *     itself (it holds the partner's file), RmEndSession, and the session's key must be gone.
 *     Under Wine one RmGetList costs about 1 s of wineserver time here, so --short calls it in
 *     each process's last cycle only (the store check runs in every cycle).
 *  2. Killed owners: a child (alternating architectures) loops start/register/register/end and
 *     is killed 0-50 ms into its loop, while the coordinator holds 0-3 sessions of its own
 *     (so the child's slot varies).  What the dead child left must parse or be reclaimed by the
 *     next RmStartSession; every dead slot must be reclaimed when its slot is needed.
 *  3. Reclaim and capacity, per architecture: children leave 40 sessions with dead owners
 *     (killed, or exited without RmEndSession; their process handles stay open, as a parent
 *     installer's would); one process then starts 65 sessions: the first 64 succeed
 *     (reclaiming every dead slot), the 65th gets ERROR_MAX_SESSIONS_REACHED.
 *  4. The cap under contention: four processes (two per architecture) each start 24 sessions
 *     at once: exactly 64 succeed, exactly 32 get ERROR_MAX_SESSIONS_REACHED.
 *
 * Every check prints "ok" or "FAIL"; the tables follow; the last line is "N passed, N failed",
 * and the exit code is 1 if any check failed.  The other modes (--worker, --join, --churn,
 * --sessions) are the child processes.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <windows.h>
#include <wincrypt.h>
#include <restartmanager.h>

#include "rstrtmgr_compat.h"
#include "storeview.h"

#define MAX_SESSIONS   64
#define KEY_CHARS      CCH_RM_SESSION_KEY
#define HASH_BYTES     32
#define STORE_ROOT     L"Software\\Microsoft\\RestartManager"
/* The DLL's store mutex (README, "Sessions"): holding it gives a consistent snapshot. */
#define STORE_MUTEX    L"Local\\RstrMgr3887CAB8-533F-4C85-B0DC-3E5639F8D511"
#define MAX_WORKERS    32
#define MAX_SCAN_KEYS  256
#define EXISTING_FILES 3

static const char *arch_names[2] = { "i686", "x86_64" };
static const int my_arch = sizeof(void *) == 8;

/* ------------------------------------------------------------------ small helpers */

static double now_ms(void)
{
    static LARGE_INTEGER freq;
    LARGE_INTEGER counter;

    if (!freq.QuadPart) QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&counter);
    return counter.QuadPart * 1000.0 / freq.QuadPart;
}

static unsigned int rng_state = 1;

static unsigned int rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Formatted output to a handle, unbuffered: children talk to the coordinator this way. */
static void hprintf(HANDLE handle, const char *format, ...)
{
    char buffer[4096];
    va_list args;
    DWORD done;
    int len;

    va_start(args, format);
    len = _vsnprintf(buffer, sizeof(buffer) - 1, format, args);
    va_end(args);
    if (len < 0) len = sizeof(buffer) - 1;
    WriteFile(handle, buffer, len, &done, NULL);
}

static char *to_utf8(const WCHAR *str, char *buffer, int size)
{
    if (!WideCharToMultiByte(CP_UTF8, 0, str, -1, buffer, size, NULL, NULL)) buffer[0] = 0;
    return buffer;
}

static const char *error_name(DWORD code)
{
    switch (code)
    {
    case ERROR_SUCCESS: return "ERROR_SUCCESS";
    case ERROR_FILE_NOT_FOUND: return "ERROR_FILE_NOT_FOUND";
    case ERROR_ACCESS_DENIED: return "ERROR_ACCESS_DENIED";
    case ERROR_INVALID_HANDLE: return "ERROR_INVALID_HANDLE";
    case ERROR_OUTOFMEMORY: return "ERROR_OUTOFMEMORY";
    case ERROR_WRITE_FAULT: return "ERROR_WRITE_FAULT";
    case ERROR_SEM_TIMEOUT: return "ERROR_SEM_TIMEOUT";
    case ERROR_BAD_ARGUMENTS: return "ERROR_BAD_ARGUMENTS";
    case ERROR_MORE_DATA: return "ERROR_MORE_DATA";
    case ERROR_MAX_SESSIONS_REACHED: return "ERROR_MAX_SESSIONS_REACHED";
    case ERROR_SESSION_CREDENTIAL_CONFLICT: return "ERROR_SESSION_CREDENTIAL_CONFLICT";
    case ERROR_CANCELLED: return "ERROR_CANCELLED";
    case ERROR_TIMEOUT: return "ERROR_TIMEOUT (tool: no answer)";
    case ERROR_BROKEN_PIPE: return "ERROR_BROKEN_PIPE (tool: partner gone)";
    default: return "";
    }
}

/* ------------------------------------------------------------------ error counts */

enum api
{
    API_START, API_REGISTER, API_GETLIST, API_END,
    API_JOIN, API_JOIN_REGISTER, API_JOIN_END, API_TOOL, API_COUNT
};

static const char *api_names[API_COUNT] =
{
    "RmStartSession", "RmRegisterResources", "RmGetList", "RmEndSession",
    "RmJoinSession (2nd)", "RmRegisterResources (2nd)", "RmEndSession (2nd)", "tool",
};

struct error_count
{
    int api;
    DWORD code;
    unsigned int count;
};

struct errors
{
    struct error_count items[64];
    unsigned int count;
    unsigned int total;
};

static void add_error(struct errors *errors, int api, DWORD code, unsigned int count)
{
    unsigned int i;

    if (!count) return;
    errors->total += count;
    for (i = 0; i < errors->count; i++)
    {
        if (errors->items[i].api == api && errors->items[i].code == code)
        {
            errors->items[i].count += count;
            return;
        }
    }
    if (errors->count == ARRAYSIZE(errors->items)) return;
    errors->items[errors->count].api = api;
    errors->items[errors->count].code = code;
    errors->items[errors->count].count = count;
    errors->count++;
}

static void merge_errors(struct errors *to, const struct errors *from)
{
    unsigned int i;

    for (i = 0; i < from->count; i++) add_error(to, from->items[i].api, from->items[i].code, from->items[i].count);
}

static unsigned int count_code(const struct errors *errors, DWORD code)
{
    unsigned int i, total = 0;

    for (i = 0; i < errors->count; i++) if (errors->items[i].code == code) total += errors->items[i].count;
    return total;
}

/* "api:code:count,..." or "-", the form children report them in. */
static char *format_errors(const struct errors *errors, char *buffer, size_t size)
{
    size_t len = 0;
    unsigned int i;

    buffer[0] = '-';
    buffer[1] = 0;
    for (i = 0; i < errors->count && len + 40 < size; i++)
        len += sprintf(buffer + len, "%s%d:%lu:%u", i ? "," : "", errors->items[i].api,
                       errors->items[i].code, errors->items[i].count);
    return buffer;
}

static void parse_errors(const char *text, struct errors *errors)
{
    while (text && *text && *text != '-' && *text != ' ' && *text != '\n')
    {
        char *end;
        int api = strtol(text, &end, 10);
        DWORD code;
        unsigned int count;

        if (*end != ':') break;
        code = strtoul(end + 1, &end, 10);
        if (*end != ':') break;
        count = strtoul(end + 1, &end, 10);
        if (api < 0 || api >= API_COUNT) api = API_TOOL;
        add_error(errors, api, code, count);
        text = *end == ',' ? end + 1 : NULL;
    }
}

/* The text after "name=" in a "key=value key=value" line. */
static const char *field(const char *line, const char *name)
{
    size_t len = strlen(name);
    const char *p = line;

    while ((p = strstr(p, name)))
    {
        if ((p == line || p[-1] == ' ') && p[len] == '=') return p + len + 1;
        p += len;
    }
    return NULL;
}

static unsigned int field_uint(const char *line, const char *name)
{
    const char *value = field(line, name);
    return value ? strtoul(value, NULL, 10) : 0;
}

static double field_double(const char *line, const char *name)
{
    const char *value = field(line, name);
    return value ? strtod(value, NULL) : 0.0;
}

/* ------------------------------------------------------------------ lines over pipes */

struct reader
{
    HANDLE handle;
    char buffer[8192];
    DWORD len;
};

/* One line, without its newline.  timeout INFINITE blocks; otherwise the pipe is polled, so
 * a child that hangs or dies cannot hang the coordinator.  FALSE: end of input or timeout. */
static BOOL read_line(struct reader *reader, char *line, DWORD size, DWORD timeout)
{
    double deadline = now_ms() + timeout;

    for (;;)
    {
        char *newline = memchr(reader->buffer, '\n', reader->len);
        DWORD done, available;

        if (newline)
        {
            DWORD len = newline - reader->buffer;

            if (len >= size) len = size - 1;
            memcpy(line, reader->buffer, len);
            line[len] = 0;
            if (len && line[len - 1] == '\r') line[len - 1] = 0;
            reader->len -= newline + 1 - reader->buffer;
            memmove(reader->buffer, newline + 1, reader->len);
            return TRUE;
        }
        if (reader->len == sizeof(reader->buffer)) reader->len = 0;  /* overlong line: drop it */
        if (timeout != INFINITE)
        {
            while (PeekNamedPipe(reader->handle, NULL, 0, NULL, &available, NULL) && !available)
            {
                if (now_ms() > deadline) return FALSE;
                Sleep(2);
            }
        }
        if (!ReadFile(reader->handle, reader->buffer + reader->len, sizeof(reader->buffer) - reader->len, &done, NULL)
                || !done)
            return FALSE;
        reader->len += done;
    }
}

/* ------------------------------------------------------------------ child processes */

struct child
{
    HANDLE process;
    DWORD pid;
    int arch;
    HANDLE input;           /* our end of its standard input */
    struct reader output;   /* our end of its standard output (unless it writes to a file) */
};

static WCHAR self_exe[MAX_PATH], other_exe[MAX_PATH];

static int other_arch_available(void)
{
    return other_exe[0] != 0;
}

/* The architecture to use for the n-th process of an alternating series. */
static int pick_arch(unsigned int n)
{
    if (!other_arch_available()) return my_arch;
    return n % 2 ? 0 : 1;
}

static const WCHAR *exe_for(int arch)
{
    return arch == my_arch || !other_arch_available() ? self_exe : other_exe;
}

static HANDLE inheritable(HANDLE handle)
{
    HANDLE copy = NULL;

    if (!handle || handle == INVALID_HANDLE_VALUE) return NULL;
    if (!DuplicateHandle(GetCurrentProcess(), handle, GetCurrentProcess(), &copy, 0, TRUE, DUPLICATE_SAME_ACCESS))
        return NULL;
    return copy;
}

/* Start "EXE ARGS" with pipes for its standard input and output (or output into a file). */
static BOOL start_child_exe(struct child *child, const WCHAR *exe, int arch, const WCHAR *args, HANDLE output_file)
{
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
    STARTUPINFOW si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    HANDLE in_read = NULL, in_write = NULL, out_read = NULL, out_write = NULL;
    WCHAR *cmdline;
    size_t len;
    BOOL ret;

    memset(child, 0, sizeof(*child));
    if (!CreatePipe(&in_read, &in_write, &sa, 0)) return FALSE;
    SetHandleInformation(in_write, HANDLE_FLAG_INHERIT, 0);
    if (output_file) out_write = inheritable(output_file);
    else if (CreatePipe(&out_read, &out_write, &sa, 0)) SetHandleInformation(out_read, HANDLE_FLAG_INHERIT, 0);

    len = wcslen(exe) + wcslen(args) + 8;
    cmdline = malloc(len * sizeof(WCHAR));
    swprintf(cmdline, len, L"\"%ls\" %ls", exe, args);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = in_read;
    si.hStdOutput = out_write;
    si.hStdError = inheritable(GetStdHandle(STD_ERROR_HANDLE));
    ret = CreateProcessW(exe, cmdline, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi);
    free(cmdline);
    CloseHandle(in_read);
    if (out_write) CloseHandle(out_write);
    if (si.hStdError) CloseHandle(si.hStdError);
    if (!ret)
    {
        fprintf(stderr, "stress: cannot start %ls: error %lu\n", exe, GetLastError());
        CloseHandle(in_write);
        if (out_read) CloseHandle(out_read);
        return FALSE;
    }
    CloseHandle(pi.hThread);
    child->process = pi.hProcess;
    child->pid = pi.dwProcessId;
    child->arch = arch;
    child->input = in_write;
    child->output.handle = out_read;
    return TRUE;
}

static BOOL start_child(struct child *child, int arch, const WCHAR *args, HANDLE output_file)
{
    return start_child_exe(child, exe_for(arch), arch, args, output_file);
}

static void close_child(struct child *child)
{
    if (child->input) CloseHandle(child->input);
    if (child->output.handle) CloseHandle(child->output.handle);
    if (child->process) CloseHandle(child->process);
    memset(child, 0, sizeof(*child));
}

/* Wait for a child to exit; kill it if it does not. */
static BOOL reap_child(struct child *child, DWORD timeout)
{
    BOOL exited = WaitForSingleObject(child->process, timeout) == WAIT_OBJECT_0;

    if (!exited)
    {
        TerminateProcess(child->process, 255);
        WaitForSingleObject(child->process, 5000);
    }
    close_child(child);
    return exited;
}

/* ------------------------------------------------------------------ the store */

static HCRYPTPROV crypt_provider;

/* The store keeps SHA-256 of the 16 key bytes (README, "Sessions"). */
static BOOL hash_key(const WCHAR *key, BYTE hash[HASH_BYTES])
{
    BYTE bytes[16];
    HCRYPTHASH ctx;
    DWORD size = HASH_BYTES;
    unsigned int i;
    BOOL ret;

    for (i = 0; i < 16; i++)
    {
        WCHAR digits[3] = { key[2 * i], key[2 * i + 1], 0 };
        bytes[i] = (BYTE)wcstoul(digits, NULL, 16);
    }
    if (!crypt_provider && !CryptAcquireContextW(&crypt_provider, NULL, NULL, PROV_RSA_AES, CRYPT_VERIFYCONTEXT))
        return FALSE;
    if (!CryptCreateHash(crypt_provider, CALG_SHA_256, 0, 0, &ctx)) return FALSE;
    ret = CryptHashData(ctx, bytes, sizeof(bytes), 0) && CryptGetHashParam(ctx, HP_HASHVAL, hash, &size, 0);
    CryptDestroyHash(ctx);
    return ret;
}

static BOOL identity_of(HANDLE process, DWORD pid, RM_UNIQUE_PROCESS *identity)
{
    FILETIME created, exited, kernel, user;

    if (!GetProcessTimes(process, &created, &exited, &kernel, &user)) return FALSE;
    identity->dwProcessId = pid;
    identity->ProcessStartTime = created;
    return TRUE;
}

static BOOL same_process(const RM_UNIQUE_PROCESS *a, const RM_UNIQUE_PROCESS *b)
{
    return a->dwProcessId == b->dwProcessId && !memcmp(&a->ProcessStartTime, &b->ProcessStartTime, sizeof(FILETIME));
}

struct key_info
{
    WCHAR name[64];
    int slot;                  /* -1: a name the DLL never uses */
    BOOL has_owner, has_hash, has_sequence;
    RM_UNIQUE_PROCESS owner;
    BYTE hash[HASH_BYTES];
    BOOL alive;
    int arch;                  /* of a live owner */
    FILETIME written;          /* last write time: tells a key from its successor */
    unsigned int files;        /* RegFiles strings, when asked for */
};

struct scan
{
    unsigned int count;        /* keys below the root (only the first MAX_SCAN_KEYS described) */
    unsigned int live, dead, torn, foreign;
    unsigned int live_arch[2];
    struct key_info keys[MAX_SCAN_KEYS];
};

static BOOL key_parses(const struct key_info *info)
{
    return info->has_owner && info->has_hash && info->has_sequence;
}

static BOOL read_binary(HKEY key, const WCHAR *name, void *data, DWORD size)
{
    DWORD type, len = size;
    return !RegQueryValueExW(key, name, NULL, &type, data, &len) && type == REG_BINARY && len == size;
}

static void read_key(HKEY root, const WCHAR *name, struct key_info *info, BOOL files)
{
    DWORD type, size, sequence;
    WCHAR *end;
    HKEY key;

    memset(info, 0, sizeof(*info));
    lstrcpynW(info->name, name, ARRAYSIZE(info->name));
    info->slot = -1;
    if (!wcsncmp(name, L"Session", 7) && wcslen(name) == 11)
    {
        unsigned long slot = wcstoul(name + 7, &end, 10);
        if (!*end && slot < MAX_SESSIONS) info->slot = slot;
    }
    if (RegOpenKeyExW(root, name, 0, KEY_READ, &key)) return;
    info->has_owner = read_binary(key, L"Owner", &info->owner, sizeof(info->owner));
    info->has_hash = read_binary(key, L"SessionHash", info->hash, sizeof(info->hash));
    size = sizeof(sequence);
    info->has_sequence = !RegQueryValueExW(key, L"Sequence", NULL, &type, (BYTE *)&sequence, &size)
                         && type == REG_DWORD && size == sizeof(sequence);
    RegQueryInfoKeyW(key, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &info->written);
    if (files) info->files = store_count_strings(key, L"RegFiles");
    RegCloseKey(key);
    if (info->has_owner) info->alive = store_owner_alive(&info->owner, &info->arch);
}

/* Every key below the store's root.  Take the store lock first for a consistent snapshot. */
static void scan_store(struct scan *scan, BOOL files)
{
    WCHAR name[256];
    DWORD index;
    HKEY root;

    memset(scan, 0, sizeof(*scan));
    if (RegOpenKeyExW(HKEY_CURRENT_USER, STORE_ROOT, 0, KEY_READ, &root)) return;
    for (index = 0;; index++)
    {
        DWORD len = ARRAYSIZE(name);
        struct key_info info, *slot;

        if (RegEnumKeyExW(root, index, name, &len, NULL, NULL, NULL, NULL)) break;
        slot = scan->count < MAX_SCAN_KEYS ? &scan->keys[scan->count] : &info;
        read_key(root, name, slot, files);
        scan->count++;
        if (slot->slot < 0) scan->foreign++;
        if (!key_parses(slot)) scan->torn++;
        else if (slot->alive)
        {
            scan->live++;
            scan->live_arch[slot->arch]++;
        }
        else scan->dead++;
    }
    RegCloseKey(root);
}

/* The key of one session, found by its hash: names are probed, not enumerated, so keys that
 * others create or delete meanwhile cannot make us miss it.  -1 if there is none. */
static int find_session(const BYTE hash[HASH_BYTES], unsigned int *files)
{
    WCHAR name[16];
    BYTE stored[HASH_BYTES];
    HKEY root, key;
    int slot, found = -1;

    if (RegOpenKeyExW(HKEY_CURRENT_USER, STORE_ROOT, 0, KEY_READ, &root)) return -1;
    for (slot = 0; slot < MAX_SESSIONS && found < 0; slot++)
    {
        swprintf(name, ARRAYSIZE(name), L"Session%04u", slot);
        if (RegOpenKeyExW(root, name, 0, KEY_READ, &key)) continue;
        if (read_binary(key, L"SessionHash", stored, sizeof(stored)) && !memcmp(stored, hash, HASH_BYTES))
        {
            found = slot;
            if (files) *files = store_count_strings(key, L"RegFiles");
        }
        RegCloseKey(key);
    }
    RegCloseKey(root);
    return found;
}

static HANDLE store_mutex;
static LONG abandoned_seen;    /* waits that found the store mutex abandoned by a dead owner */

/* Take the DLL's store mutex: WAIT_OBJECT_0 (also for an abandoned one, which is counted),
 * or WAIT_TIMEOUT. */
static DWORD lock_store(DWORD timeout)
{
    DWORD wait;

    if (!store_mutex && !(store_mutex = CreateMutexW(NULL, FALSE, STORE_MUTEX))) return WAIT_FAILED;
    wait = WaitForSingleObject(store_mutex, timeout);
    if (wait == WAIT_ABANDONED)
    {
        InterlockedIncrement(&abandoned_seen);
        wait = WAIT_OBJECT_0;
    }
    return wait;
}

static void unlock_store(void)
{
    ReleaseMutex(store_mutex);
}

static BOOL locked_scan(struct scan *scan, BOOL files)
{
    if (lock_store(30000) != WAIT_OBJECT_0) return FALSE;
    scan_store(scan, files);
    unlock_store();
    return TRUE;
}

/* ------------------------------------------------------------------ options */

struct options
{
    BOOL short_mode;
    unsigned int workers, cycles, files, kills, seed, timeout, getlist_every;
    /* child modes */
    const WCHAR *mode;
    unsigned int id, attempts;
    const WCHAR *dir, *partner, *after, *go;
};

/* ------------------------------------------------------------------ child: join partner */

/* Reads "KEY PATH" lines; joins the session, registers PATH, leaves; answers with the three
 * return codes.  Ends at the end of its input. */
static int run_join(void)
{
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    struct reader in = { GetStdHandle(STD_INPUT_HANDLE) };
    char line[2048];

    hprintf(out, "ready\n");
    while (read_line(&in, line, sizeof(line), INFINITE))
    {
        WCHAR key[KEY_CHARS + 1], path[MAX_PATH];
        const WCHAR *files[1] = { path };
        DWORD handle, join, reg = ~0u, end = ~0u;

        if (strlen(line) < KEY_CHARS + 2) break;
        MultiByteToWideChar(CP_UTF8, 0, line, KEY_CHARS, key, KEY_CHARS);
        key[KEY_CHARS] = 0;
        if (!MultiByteToWideChar(CP_UTF8, 0, line + KEY_CHARS + 1, -1, path, MAX_PATH)) break;
        if (!(join = RmJoinSession(&handle, key)))
        {
            reg = RmRegisterResources(handle, 1, files, 0, NULL, 0, NULL);
            end = RmEndSession(handle);
        }
        hprintf(out, "%lu %lu %lu\n", join, reg, end);
    }
    return 0;
}

/* ------------------------------------------------------------------ child: worker */

static DWORD get_list(DWORD handle, BOOL *listed_self)
{
    static RM_PROCESS_INFO *infos;
    static UINT capacity;
    UINT needed = 0, count, i;
    DWORD reasons, ret;
    int tries;

    *listed_self = FALSE;
    for (tries = 0; tries < 5; tries++)
    {
        count = capacity;
        ret = RmGetList(handle, &needed, &count, infos, &reasons);
        if (ret != ERROR_MORE_DATA) break;
        free(infos);
        capacity = needed + 8;
        if (!(infos = calloc(capacity, sizeof(*infos)))) return ERROR_OUTOFMEMORY;
    }
    if (ret) return ret;
    for (i = 0; i < count; i++)
        if (infos[i].Process.dwProcessId == GetCurrentProcessId()) *listed_self = TRUE;
    return ERROR_SUCCESS;
}

struct worker_stats
{
    unsigned int completed, visible_ok, visible_bad, getlists, listed_ok, listed_bad, left, details;
    double t_start, t_register, t_join, t_getlist, t_end, max_getlist, max_cycle;
    struct errors errors;
};

static void detail(struct worker_stats *stats, const char *format, ...)
{
    char buffer[1024];
    va_list args;

    if (stats->details++ >= 5) return;
    va_start(args, format);
    _vsnprintf(buffer, sizeof(buffer) - 1, format, args);
    buffer[sizeof(buffer) - 1] = 0;
    va_end(args);
    hprintf(GetStdHandle(STD_OUTPUT_HANDLE), "detail [%s worker pid %lu] %s\n", arch_names[my_arch],
            GetCurrentProcessId(), buffer);
}

static BOOL create_file(const WCHAR *path, HANDLE *keep)
{
    HANDLE file = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                              NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);

    if (file == INVALID_HANDLE_VALUE) return FALSE;
    if (keep) *keep = file;
    else CloseHandle(file);
    return TRUE;
}

static int run_worker(const struct options *opt)
{
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE), held, ready, go;
    WCHAR dir[MAX_PATH], held_path[MAX_PATH], name[64], **paths;
    char line[256], held_utf8[3 * MAX_PATH], errors_text[2048];
    struct worker_stats stats;
    struct child partner;
    unsigned int cycle, i;
    double start, t0;

    memset(&stats, 0, sizeof(stats));
    swprintf(dir, ARRAYSIZE(dir), L"%ls\\w%02u", opt->dir, opt->id);
    CreateDirectoryW(dir, NULL);
    swprintf(held_path, ARRAYSIZE(held_path), L"%ls\\held.dat", dir);
    if (!create_file(held_path, &held))
    {
        hprintf(out, "detail worker %u cannot create %ls: error %lu\n", opt->id, held_path, GetLastError());
        return 1;
    }
    to_utf8(held_path, held_utf8, sizeof(held_utf8));

    /* The registered names: a few existing files, the rest temp names that do not exist, new
     * ones every cycle (as an installer registers what it is about to write). */
    paths = calloc(opt->files, sizeof(*paths));
    for (i = 0; i < opt->files; i++) paths[i] = malloc(MAX_PATH * sizeof(WCHAR));
    for (i = 0; i < EXISTING_FILES && i < opt->files; i++)
    {
        swprintf(paths[i], MAX_PATH, L"%ls\\existing%u.dat", dir, i);
        create_file(paths[i], NULL);
    }

    /* The partner, of the architecture the coordinator chose, runs the exe it named. */
    if (!start_child_exe(&partner, opt->partner, lstrcmpiW(opt->partner, self_exe) ? !my_arch : my_arch, L"--join", NULL))
        return 1;
    if (!read_line(&partner.output, line, sizeof(line), 120000) || strcmp(line, "ready"))
    {
        hprintf(out, "detail worker %u: the join partner did not start\n", opt->id);
        return 1;
    }

    /* All workers start their cycles at once. */
    swprintf(name, ARRAYSIZE(name), L"Local\\rmstress-ready-%ls", opt->go);
    ready = OpenSemaphoreW(SEMAPHORE_MODIFY_STATE, FALSE, name);
    swprintf(name, ARRAYSIZE(name), L"Local\\rmstress-go-%ls", opt->go);
    go = OpenEventW(SYNCHRONIZE, FALSE, name);
    if (ready) ReleaseSemaphore(ready, 1, NULL);
    if (go) WaitForSingleObject(go, 300000);

    start = now_ms();
    for (cycle = 0; cycle < opt->cycles; cycle++)
    {
        WCHAR key[KEY_CHARS + 1];
        char request[KEY_CHARS + 3 * MAX_PATH + 4], key_utf8[KEY_CHARS + 1];
        BYTE hash[HASH_BYTES];
        DWORD handle, ret, join, reg, end;
        unsigned int files = 0;
        double cycle_start = now_ms(), t;
        BOOL listed, ok = TRUE;
        int slot;

        t0 = now_ms();
        ret = RmStartSession(&handle, 0, key);
        stats.t_start += now_ms() - t0;
        if (ret)
        {
            add_error(&stats.errors, API_START, ret, 1);
            detail(&stats, "cycle %u: RmStartSession failed: %lu", cycle, ret);
            continue;
        }
        hash_key(key, hash);

        for (i = EXISTING_FILES; i < opt->files; i++)
            swprintf(paths[i], MAX_PATH, L"%ls\\c%05u\\file%04u.tmp", dir, cycle, i);
        t0 = now_ms();
        ret = RmRegisterResources(handle, opt->files, (const WCHAR **)paths, 0, NULL, 0, NULL);
        stats.t_register += now_ms() - t0;
        if (ret)
        {
            add_error(&stats.errors, API_REGISTER, ret, 1);
            detail(&stats, "cycle %u: RmRegisterResources failed: %lu", cycle, ret);
            ok = FALSE;
        }

        /* The partner joins by key, registers the file this worker holds open, and leaves. */
        t0 = now_ms();
        sprintf(request, "%s %s\n", to_utf8(key, key_utf8, sizeof(key_utf8)), held_utf8);
        hprintf(partner.input, "%s", request);
        if (!read_line(&partner.output, line, sizeof(line), INFINITE)
                || sscanf(line, "%lu %lu %lu", &join, &reg, &end) != 3)
        {
            add_error(&stats.errors, API_TOOL, ERROR_BROKEN_PIPE, 1);
            detail(&stats, "cycle %u: no answer from the join partner", cycle);
            ok = FALSE;
        }
        else
        {
            if (join) add_error(&stats.errors, API_JOIN, join, 1);
            if (!join && reg) add_error(&stats.errors, API_JOIN_REGISTER, reg, 1);
            if (!join && end) add_error(&stats.errors, API_JOIN_END, end, 1);
            if (join || reg || end)
            {
                detail(&stats, "cycle %u: partner: join %lu, register %lu, end %lu", cycle, join, reg, end);
                ok = FALSE;
            }
        }
        stats.t_join += now_ms() - t0;

        /* Every registered file, the partner's too, is in the session the primary reads. */
        slot = find_session(hash, &files);
        if (slot >= 0 && files == opt->files + 1) stats.visible_ok++;
        else
        {
            stats.visible_bad++;
            detail(&stats, "cycle %u: session in slot %d holds %u RegFiles strings, expected %u", cycle, slot,
                   files, opt->files + 1);
            ok = FALSE;
        }

        /* ... and RmGetList sees it: the worker holds the partner's file, so it lists itself.
         * Under Wine each call walks every process's handles and modules through the one
         * wineserver (about 1 s with 50 processes), so the short mode calls it less often. */
        if ((cycle + 1) % opt->getlist_every == 0 || cycle + 1 == opt->cycles)
        {
            t0 = now_ms();
            ret = get_list(handle, &listed);
            t = now_ms() - t0;
            stats.getlists++;
            stats.t_getlist += t;
            if (t > stats.max_getlist) stats.max_getlist = t;
            if (ret)
            {
                add_error(&stats.errors, API_GETLIST, ret, 1);
                detail(&stats, "cycle %u: RmGetList failed: %lu", cycle, ret);
                ok = FALSE;
            }
            else if (listed) stats.listed_ok++;
            else
            {
                stats.listed_bad++;
                detail(&stats, "cycle %u: RmGetList does not list the holder of the partner's file", cycle);
                ok = FALSE;
            }
        }

        t0 = now_ms();
        ret = RmEndSession(handle);
        stats.t_end += now_ms() - t0;
        if (ret)
        {
            add_error(&stats.errors, API_END, ret, 1);
            detail(&stats, "cycle %u: RmEndSession failed: %lu", cycle, ret);
            ok = FALSE;
        }
        else if ((slot = find_session(hash, NULL)) >= 0)
        {
            stats.left++;
            detail(&stats, "cycle %u: the ended session is still in slot %d", cycle, slot);
            ok = FALSE;
        }
        if (ok) stats.completed++;
        t = now_ms() - cycle_start;
        if (t > stats.max_cycle) stats.max_cycle = t;
    }

    CloseHandle(partner.input);
    partner.input = NULL;
    reap_child(&partner, 30000);
    CloseHandle(held);

    hprintf(out, "result arch=%d cycles=%u completed=%u visible_ok=%u visible_bad=%u getlists=%u listed_ok=%u listed_bad=%u "
            "left=%u t_start=%.3f t_register=%.3f t_join=%.3f t_getlist=%.3f t_end=%.3f max_getlist=%.3f "
            "max_cycle=%.3f wall=%.3f errors=%s\n",
            my_arch, opt->cycles, stats.completed, stats.visible_ok, stats.visible_bad, stats.getlists, stats.listed_ok,
            stats.listed_bad, stats.left, stats.t_start, stats.t_register, stats.t_join, stats.t_getlist,
            stats.t_end, stats.max_getlist, stats.max_cycle, now_ms() - start,
            format_errors(&stats.errors, errors_text, sizeof(errors_text)));
    return 0;
}

/* ------------------------------------------------------------------ child: churn */

/* Start, register, register, end, forever; "ready" after the first round, "error API CODE"
 * for every failed call.  Killed by the coordinator at a random point. */
static int run_churn(const struct options *opt)
{
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    WCHAR names[20][MAX_PATH], key[KEY_CHARS + 1];
    const WCHAR *paths[20];
    unsigned int i, round;

    for (i = 0; i < 20; i++)
    {
        swprintf(names[i], MAX_PATH, L"%ls\\churn%lu-%02u.tmp", opt->dir, GetCurrentProcessId(), i);
        paths[i] = names[i];
    }
    for (round = 0;; round++)
    {
        DWORD handle, ret;

        if ((ret = RmStartSession(&handle, 0, key))) hprintf(out, "error %d %lu\n", API_START, ret);
        else
        {
            if ((ret = RmRegisterResources(handle, 10, paths, 0, NULL, 0, NULL)))
                hprintf(out, "error %d %lu\n", API_REGISTER, ret);
            if ((ret = RmRegisterResources(handle, 10, paths + 10, 0, NULL, 0, NULL)))
                hprintf(out, "error %d %lu\n", API_REGISTER, ret);
            if ((ret = RmEndSession(handle))) hprintf(out, "error %d %lu\n", API_END, ret);
        }
        if (!round) hprintf(out, "ready\n");
    }
    return 0;
}

/* ------------------------------------------------------------------ child: many sessions */

/* Wait for the event named by --go (if any), make --attempts RmStartSession calls, report
 * "opened N errors E", then --after: "end" ends them all when a line (or the end of input)
 * arrives and reports "ended N errors E"; "exit" exits without ending them; "hold" waits to
 * be killed. */
static int run_sessions(const struct options *opt)
{
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    struct reader in = { GetStdHandle(STD_INPUT_HANDLE) };
    struct errors errors;
    char line[64], text[2048];
    WCHAR key[KEY_CHARS + 1];
    DWORD *handles = calloc(opt->attempts + 1, sizeof(DWORD)), ret;
    unsigned int i, opened = 0, ended = 0;

    memset(&errors, 0, sizeof(errors));
    if (opt->go)
    {
        HANDLE go = OpenEventW(SYNCHRONIZE, FALSE, opt->go);

        hprintf(out, "ready\n");
        if (go) WaitForSingleObject(go, 60000);
    }
    for (i = 0; i < opt->attempts; i++)
    {
        if (!(ret = RmStartSession(&handles[opened], 0, key))) opened++;
        else add_error(&errors, API_START, ret, 1);
    }
    hprintf(out, "opened %u errors %s\n", opened, format_errors(&errors, text, sizeof(text)));
    if (!wcscmp(opt->after, L"exit")) ExitProcess(0);
    if (!wcscmp(opt->after, L"hold")) Sleep(INFINITE);

    read_line(&in, line, sizeof(line), INFINITE);
    memset(&errors, 0, sizeof(errors));
    for (i = 0; i < opened; i++)
    {
        if (!(ret = RmEndSession(handles[i]))) ended++;
        else add_error(&errors, API_END, ret, 1);
    }
    hprintf(out, "ended %u errors %s\n", ended, format_errors(&errors, text, sizeof(text)));
    return 0;
}

/* ------------------------------------------------------------------ coordinator: checks */

static unsigned int checks_passed, checks_failed;

static BOOL check(BOOL condition, const char *format, ...)
{
    va_list args;

    printf(condition ? "ok   " : "FAIL ");
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    printf("\n");
    fflush(stdout);
    if (condition) checks_passed++;
    else checks_failed++;
    return condition;
}

static void note(const char *format, ...)
{
    va_list args;

    printf("     ");
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    printf("\n");
    fflush(stdout);
}

/* ------------------------------------------------------------------ coordinator: monitor */

enum phase { PHASE_IDLE, PHASE_CONCURRENCY, PHASE_KILLS, PHASE_RECLAIM, PHASE_CAP, PHASE_COUNT };
static const char *phase_names[PHASE_COUNT] = { "setup", "1 concurrency", "2 killed owners", "3 reclaim", "4 cap race" };

struct monitor_stats
{
    unsigned int samples, max_live, max_live_arch[2], max_keys, duplicates, torn_live, lock_timeouts;
    double max_lock_wait, wall;
};

static struct monitor_stats monitor[PHASE_COUNT];
static CRITICAL_SECTION monitor_cs;
static volatile LONG monitor_phase, monitor_stop;
static DWORD monitor_interval = 5;

static void monitor_sample(void)
{
    struct scan *scan = malloc(sizeof(*scan));
    struct monitor_stats *stats;
    unsigned int i, j, duplicates = 0;
    double t0 = now_ms(), waited;
    DWORD wait = lock_store(1000);

    waited = now_ms() - t0;
    if (wait == WAIT_OBJECT_0)
    {
        scan_store(scan, FALSE);
        unlock_store();
        /* Two live sessions with one key: the same SessionHash in two slots. */
        for (i = 0; i < scan->count && i < MAX_SCAN_KEYS; i++)
            for (j = i + 1; j < scan->count && j < MAX_SCAN_KEYS; j++)
                if (scan->keys[i].alive && scan->keys[j].alive && scan->keys[i].has_hash && scan->keys[j].has_hash
                        && !memcmp(scan->keys[i].hash, scan->keys[j].hash, HASH_BYTES))
                    duplicates++;
    }
    EnterCriticalSection(&monitor_cs);
    stats = &monitor[monitor_phase];
    if (waited > stats->max_lock_wait) stats->max_lock_wait = waited;
    if (wait != WAIT_OBJECT_0) stats->lock_timeouts++;
    else
    {
        stats->samples++;
        if (scan->live > stats->max_live) stats->max_live = scan->live;
        for (i = 0; i < 2; i++)
            if (scan->live_arch[i] > stats->max_live_arch[i]) stats->max_live_arch[i] = scan->live_arch[i];
        if (scan->count > stats->max_keys) stats->max_keys = scan->count;
        stats->duplicates += duplicates;
        /* Under the lock, only a writer that died can leave a key that does not parse; a live
         * owner's key that does not parse is a torn write. */
        for (i = 0; i < scan->count && i < MAX_SCAN_KEYS; i++)
            if (!key_parses(&scan->keys[i]) && scan->keys[i].alive) stats->torn_live++;
    }
    LeaveCriticalSection(&monitor_cs);
    free(scan);
}

static DWORD WINAPI monitor_thread(void *arg)
{
    while (!monitor_stop)
    {
        monitor_sample();
        Sleep(monitor_interval);
    }
    return 0;
}

static void set_phase(enum phase phase)
{
    EnterCriticalSection(&monitor_cs);
    monitor_phase = phase;
    LeaveCriticalSection(&monitor_cs);
}

static struct monitor_stats get_monitor(enum phase phase)
{
    struct monitor_stats stats;

    EnterCriticalSection(&monitor_cs);
    stats = monitor[phase];
    LeaveCriticalSection(&monitor_cs);
    return stats;
}

/* ------------------------------------------------------------------ coordinator: results */

struct arch_results
{
    /* phase 1 */
    unsigned int workers, results, cycles, completed, visible_ok, visible_bad, getlists, listed_ok, listed_bad, left;
    double t_start, t_register, t_join, t_getlist, t_end, max_getlist, max_cycle, wall;
    struct errors errors;          /* every error, of every phase */
    /* phase 2 */
    unsigned int kills, died_in_lock, left_complete, left_torn, reclaimed_next, reclaimed_later, not_reclaimed;
    unsigned int next_start_failed;
    struct errors churn_errors;    /* what the killed children's calls returned before the kill */
    /* phase 3 */
    unsigned int dead_before_fill, reclaimed_by_fill, fill_opened, fill_ended, keys_after_fill;
    DWORD fill_extra;              /* what the 65th RmStartSession returned */
    BOOL fill_done;
    /* phase 4 */
    unsigned int cap_opened, cap_refused;
};

static struct arch_results results[2];
static struct options options;
static WCHAR work_dir[MAX_PATH], token[32];
static unsigned int keys_left_total;

static BOOL store_is_empty(const char *when)
{
    struct scan *scan = malloc(sizeof(*scan));
    BOOL ret;
    unsigned int i;

    if (!locked_scan(scan, FALSE))
    {
        free(scan);
        return check(FALSE, "no session keys remain %s (cannot take the store lock)", when);
    }
    ret = check(!scan->count, "no session keys remain %s: %u left", when, scan->count);
    for (i = 0; i < scan->count && i < 5; i++)
        note("left: %ls owner %lu%s%s", scan->keys[i].name, scan->keys[i].owner.dwProcessId,
             scan->keys[i].alive ? " (alive)" : " (dead)", key_parses(&scan->keys[i]) ? "" : ", does not parse");
    keys_left_total += scan->count;
    free(scan);
    return ret;
}

static void print_error_lines(const char *phase, int arch, const struct errors *errors)
{
    unsigned int i;

    for (i = 0; i < errors->count; i++)
        note("%s, %s: %s returned %lu %s (%u times)", phase, arch_names[arch], api_names[errors->items[i].api],
             errors->items[i].code, error_name(errors->items[i].code), errors->items[i].count);
}

/* ------------------------------------------------------------------ phase 1 */

static void phase_concurrency(void)
{
    struct child workers[MAX_WORKERS];
    HANDLE files[MAX_WORKERS], processes[MAX_WORKERS], ready, go;
    WCHAR name[64], path[MAX_PATH], args[3 * MAX_PATH];
    unsigned int i, started = 0, readies = 0, arch;
    struct errors phase_errors[2];
    double t0, wall;
    DWORD wait;

    char when[64];

    if (options.getlist_every == 1) strcpy(when, "every cycle");
    else if (options.getlist_every >= options.cycles) strcpy(when, "the last cycle only");
    else sprintf(when, "every %u cycles and the last", options.getlist_every);
    printf("\n== 1. concurrency: %u processes x %u cycles: start, register %u files, join from a partner, "
           "check the store, RmGetList (%s), end\n", options.workers, options.cycles, options.files, when);
    fflush(stdout);
    memset(phase_errors, 0, sizeof(phase_errors));
    swprintf(name, ARRAYSIZE(name), L"Local\\rmstress-ready-%ls", token);
    ready = CreateSemaphoreW(NULL, 0, MAX_WORKERS, name);
    swprintf(name, ARRAYSIZE(name), L"Local\\rmstress-go-%ls", token);
    go = CreateEventW(NULL, TRUE, FALSE, name);

    for (i = 0; i < options.workers; i++)
    {
        SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, FALSE };
        int worker_arch = pick_arch(i), partner_arch = (i / 2) % 2 ? !worker_arch : worker_arch;

        if (!other_arch_available()) partner_arch = my_arch;
        swprintf(path, ARRAYSIZE(path), L"%ls\\worker%02u.out", work_dir, i);
        files[i] = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa,
                               CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
        swprintf(args, ARRAYSIZE(args), L"--worker --id %u --cycles %u --files %u --getlist-every %u --dir \"%ls\" "
                 L"--partner \"%ls\" --go %ls", i, options.cycles, options.files, options.getlist_every, work_dir,
                 exe_for(partner_arch), token);
        if (!start_child(&workers[i], worker_arch, args, files[i])) break;
        processes[i] = workers[i].process;
        results[worker_arch].workers++;
        note("worker %2u: %-6s pid %4lu, join partner %s", i, arch_names[worker_arch], workers[i].pid,
             arch_names[partner_arch]);
        started++;
    }
    check(started == options.workers, "%u of %u workers started", started, options.workers);

    /* Wait until every worker and its partner are up, then let them all go at once. */
    t0 = now_ms();
    while (readies < started && now_ms() - t0 < 300000)
    {
        if (WaitForSingleObject(ready, 1000) == WAIT_OBJECT_0) readies++;
        else if (WaitForMultipleObjects(started, processes, FALSE, 0) < WAIT_OBJECT_0 + started) break;
    }
    check(readies == started, "%u of %u workers ready (with their join partners) after %.1f s", readies, started,
          (now_ms() - t0) / 1000);

    set_phase(PHASE_CONCURRENCY);
    t0 = now_ms();
    SetEvent(go);
    wait = WaitForMultipleObjects(started, processes, TRUE, options.timeout * 1000);
    wall = now_ms() - t0;
    set_phase(PHASE_IDLE);
    EnterCriticalSection(&monitor_cs);
    monitor[PHASE_CONCURRENCY].wall = wall;
    LeaveCriticalSection(&monitor_cs);
    if (!check(wait < WAIT_OBJECT_0 + started, "all workers finished within %u s (took %.1f s)", options.timeout,
               wall / 1000))
    {
        for (i = 0; i < started; i++) TerminateProcess(workers[i].process, 255);
        WaitForMultipleObjects(started, processes, TRUE, 10000);
    }

    for (i = 0; i < started; i++)
    {
        char *text, *line, *next;
        DWORD size = GetFileSize(files[i], NULL), done = 0, code = 255;
        BOOL have_result = FALSE;

        GetExitCodeProcess(workers[i].process, &code);
        arch = workers[i].arch;
        text = calloc(size + 1, 1);
        SetFilePointer(files[i], 0, NULL, FILE_BEGIN);
        ReadFile(files[i], text, size, &done, NULL);
        for (line = text; line && *line; line = next)
        {
            if ((next = strchr(line, '\n'))) *next++ = 0;
            if (!strncmp(line, "detail ", 7)) note("%s", line + 7);
            else if (!strncmp(line, "result ", 7))
            {
                struct arch_results *r = &results[arch];
                double t;

                have_result = TRUE;
                r->results++;
                r->cycles += field_uint(line, "cycles");
                r->completed += field_uint(line, "completed");
                r->visible_ok += field_uint(line, "visible_ok");
                r->visible_bad += field_uint(line, "visible_bad");
                r->getlists += field_uint(line, "getlists");
                r->listed_ok += field_uint(line, "listed_ok");
                r->listed_bad += field_uint(line, "listed_bad");
                r->left += field_uint(line, "left");
                r->t_start += field_double(line, "t_start");
                r->t_register += field_double(line, "t_register");
                r->t_join += field_double(line, "t_join");
                r->t_getlist += field_double(line, "t_getlist");
                r->t_end += field_double(line, "t_end");
                if ((t = field_double(line, "max_getlist")) > r->max_getlist) r->max_getlist = t;
                if ((t = field_double(line, "max_cycle")) > r->max_cycle) r->max_cycle = t;
                if ((t = field_double(line, "wall")) > r->wall) r->wall = t;
                parse_errors(field(line, "errors"), &phase_errors[arch]);
            }
        }
        if (!have_result) note("worker %u (%s, pid %lu) exited with %lu and no result", i, arch_names[arch],
                               workers[i].pid, code);
        free(text);
        CloseHandle(files[i]);
        close_child(&workers[i]);
    }
    CloseHandle(ready);
    CloseHandle(go);

    for (arch = 0; arch < 2; arch++)
    {
        struct arch_results *r = &results[arch];
        unsigned int expected = r->workers * options.cycles;

        if (!r->workers) continue;
        check(r->results == r->workers, "%s: %u of %u workers reported", arch_names[arch], r->results, r->workers);
        check(r->completed == expected, "%s: %u of %u cycles completed with every check passed", arch_names[arch],
              r->completed, expected);
        check(!phase_errors[arch].total, "%s: no errors (documented: only ERROR_MAX_SESSIONS_REACHED beyond 64 "
              "live sessions, which %u workers never reach): %u", arch_names[arch], options.workers,
              phase_errors[arch].total);
        print_error_lines("phase 1", arch, &phase_errors[arch]);
        check(r->visible_ok == expected && !r->visible_bad, "%s: the primary's session holds all %u files in "
              "%u of %u cycles (%u short)", arch_names[arch], options.files + 1, r->visible_ok, expected, r->visible_bad);
        check(r->listed_ok == r->workers * ((options.cycles + options.getlist_every - 1) / options.getlist_every)
              && r->listed_ok == r->getlists && !r->listed_bad, "%s: RmGetList of the primary lists the holder of the "
              "secondary's file: %u of %u calls", arch_names[arch], r->listed_ok, r->getlists);
        check(!r->left, "%s: every ended session's key is gone at once (%u left)", arch_names[arch], r->left);
        merge_errors(&r->errors, &phase_errors[arch]);
    }
    {
        struct monitor_stats m = get_monitor(PHASE_CONCURRENCY);

        check(m.samples > 0, "monitor: %u samples of the store during the run", m.samples);
        check(m.max_live <= MAX_SESSIONS, "monitor: never more than %u live sessions (max %u)", MAX_SESSIONS,
              m.max_live);
        check(!m.duplicates, "monitor: no two live sessions with one key (SessionHash): %u duplicates", m.duplicates);
        check(!m.torn_live, "monitor: every live session's key parses: %u that do not", m.torn_live);
        check(!m.lock_timeouts, "monitor: the store lock was always free within 1 s (%u timeouts, longest wait "
              "%.1f ms)", m.lock_timeouts, m.max_lock_wait);
    }
    store_is_empty("after phase 1");
}

/* ------------------------------------------------------------------ phase 2 */

struct leftover
{
    int slot, arch;
    BOOL torn;
    WCHAR name[64];
    FILETIME written;
    RM_UNIQUE_PROCESS owner;
    BOOL has_owner;
    unsigned int round;
};

/* Whether the key a leftover describes is still there, unchanged. */
static BOOL leftover_present(const struct leftover *left, const struct scan *scan)
{
    unsigned int i;

    for (i = 0; i < scan->count && i < MAX_SCAN_KEYS; i++)
    {
        const struct key_info *key = &scan->keys[i];

        if (wcscmp(key->name, left->name)) continue;
        if (memcmp(&key->written, &left->written, sizeof(FILETIME))) return FALSE;
        if (key->has_owner != left->has_owner) return FALSE;
        if (key->has_owner && !same_process(&key->owner, &left->owner)) return FALSE;
        return TRUE;
    }
    return FALSE;
}

static void phase_kills(void)
{
    struct leftover pending[MAX_SCAN_KEYS];
    unsigned int npending = 0, round, i, j;
    struct scan *scan = malloc(sizeof(*scan));
    RM_UNIQUE_PROCESS me;
    double t0 = now_ms();
    BOOL consistent = TRUE;

    printf("\n== 2. killed owners: %u children loop start/register/register/end and are killed 0-50 ms into "
           "the loop\n", options.kills);
    fflush(stdout);
    identity_of(GetCurrentProcess(), GetCurrentProcessId(), &me);
    set_phase(PHASE_KILLS);

    for (round = 0; round < options.kills; round++)
    {
        DWORD held[4], handle, ret;
        unsigned int nheld = rng() % 4, delay = rng() % 51, new_left = 0;
        WCHAR key[KEY_CHARS + 1], args[2 * MAX_PATH];
        RM_UNIQUE_PROCESS victim;
        struct arch_results *r;
        struct child child;
        LONG abandoned;
        char line[64] = "";
        int arch = pick_arch(round);

        r = &results[arch];
        /* Sessions of our own below the child's, ended after the kill: the dead child's slot
         * is then not the lowest free one. */
        for (i = 0; i < nheld; i++)
            if ((ret = RmStartSession(&held[i], 0, key)))
            {
                add_error(&results[my_arch].errors, API_START, ret, 1);
                nheld = i;
                break;
            }

        swprintf(args, ARRAYSIZE(args), L"--churn --dir \"%ls\"", work_dir);
        if (!start_child(&child, arch, args, NULL))
        {
            check(FALSE, "round %u: cannot start the %s child", round, arch_names[arch]);
            break;
        }
        while (read_line(&child.output, line, sizeof(line), 60000) && strcmp(line, "ready"))
        {
            int api;
            DWORD code;

            if (sscanf(line, "error %d %lu", &api, &code) == 2) add_error(&r->churn_errors, api, code, 1);
        }
        if (strcmp(line, "ready"))
        {
            check(FALSE, "round %u: the %s child never got through one round", round, arch_names[arch]);
            reap_child(&child, 0);
            break;
        }
        identity_of(child.process, child.pid, &victim);
        Sleep(delay);
        abandoned = abandoned_seen;
        TerminateProcess(child.process, 1);
        WaitForSingleObject(child.process, 10000);
        r->kills++;
        while (read_line(&child.output, line, sizeof(line), 2000))
        {
            int api;
            DWORD code;

            if (sscanf(line, "error %d %lu", &api, &code) == 2) add_error(&r->churn_errors, api, code, 1);
        }

        /* What the dead child left, under the lock. */
        locked_scan(scan, FALSE);
        if (abandoned_seen != abandoned) r->died_in_lock++;
        for (i = 0; i < scan->count && i < MAX_SCAN_KEYS; i++)
        {
            struct key_info *k = &scan->keys[i];
            BOOL known = FALSE;

            if (k->has_owner && same_process(&k->owner, &me))
            {
                if (!key_parses(k) && consistent)
                {
                    check(FALSE, "round %u: our own session %ls does not parse", round, k->name);
                    consistent = FALSE;
                }
                continue;
            }
            for (j = 0; j < npending; j++)
                if (!wcscmp(pending[j].name, k->name) && leftover_present(&pending[j], scan)) known = TRUE;
            if (known) continue;
            if (k->has_owner && !same_process(&k->owner, &victim))
            {
                if (consistent) check(FALSE, "round %u: %ls belongs to pid %lu, neither us nor the dead child", round,
                                      k->name, k->owner.dwProcessId);
                consistent = FALSE;
                continue;
            }
            if (npending == ARRAYSIZE(pending)) continue;
            pending[npending].slot = k->slot;
            pending[npending].arch = arch;
            pending[npending].torn = !key_parses(k);
            pending[npending].written = k->written;
            pending[npending].has_owner = k->has_owner;
            pending[npending].owner = k->owner;
            pending[npending].round = round;
            lstrcpynW(pending[npending].name, k->name, ARRAYSIZE(pending[npending].name));
            if (pending[npending].torn)
            {
                r->left_torn++;
                if (r->left_torn <= 3)
                    note("round %u (%s, killed after %u ms): %ls left half-written: Owner %s, SessionHash %s, "
                         "Sequence %s", round, arch_names[arch], delay, k->name, k->has_owner ? "yes" : "no",
                         k->has_hash ? "yes" : "no", k->has_sequence ? "yes" : "no");
            }
            else r->left_complete++;
            npending++;
            new_left++;
        }
        close_child(&child);

        for (i = 0; i < nheld; i++)
            if ((ret = RmEndSession(held[i]))) add_error(&results[my_arch].errors, API_END, ret, 1);

        /* The next RmStartSession, here and now. */
        if ((ret = RmStartSession(&handle, 0, key)))
        {
            add_error(&results[my_arch].errors, API_START, ret, 1);
            r->next_start_failed++;
        }
        locked_scan(scan, FALSE);
        for (j = 0; j < npending;)
        {
            if (leftover_present(&pending[j], scan))
            {
                if (pending[j].round == round && pending[j].torn)
                {
                    if (r->not_reclaimed + results[!arch].not_reclaimed < 5)
                        note("round %u (%s): half-written %ls not reclaimed by the next RmStartSession", round,
                             arch_names[arch], pending[j].name);
                }
                j++;
                continue;
            }
            if (pending[j].round == round) results[pending[j].arch].reclaimed_next++;
            else results[pending[j].arch].reclaimed_later++;
            pending[j] = pending[--npending];
        }
        /* Half-written keys of this round still there after the next start: counted once. */
        for (j = 0; j < npending; j++)
            if (pending[j].round == round && pending[j].torn) results[pending[j].arch].not_reclaimed++;
        if (!ret && (ret = RmEndSession(handle))) add_error(&results[my_arch].errors, API_END, ret, 1);
    }

    EnterCriticalSection(&monitor_cs);
    monitor[PHASE_KILLS].wall = now_ms() - t0;
    LeaveCriticalSection(&monitor_cs);
    set_phase(PHASE_IDLE);

    for (i = 0; i < 2; i++)
    {
        struct arch_results *r = &results[i];

        if (!r->kills) continue;
        check(!r->next_start_failed, "%s: RmStartSession after each kill succeeded (%u failed)", arch_names[i],
              r->next_start_failed);
        check(!r->churn_errors.total, "%s: the killed children's calls returned no errors before the kill (%u)",
              arch_names[i], r->churn_errors.total);
        print_error_lines("phase 2", i, &r->churn_errors);
        merge_errors(&r->errors, &r->churn_errors);
        check(!r->not_reclaimed, "%s: every half-written key of a killed writer (%u seen) was reclaimed by the "
              "next RmStartSession (not reclaimed: %u)", arch_names[i], r->left_torn, r->not_reclaimed);
    }
    check(consistent, "store consistent after every kill: only our sessions and what the dead child left");

    /* Every key left now parses, or is a half-written one the next start must still take. */
    locked_scan(scan, FALSE);
    {
        unsigned int torn = 0, live = 0;

        for (i = 0; i < scan->count && i < MAX_SCAN_KEYS; i++)
        {
            if (!key_parses(&scan->keys[i])) torn++;
            else if (scan->keys[i].alive) live++;
        }
        note("after the kills: %u keys left by dead owners (%u half-written), %u live", scan->count - live, torn,
             live);
        check(!live, "no live sessions after the kills (%u)", live);
    }
    free(scan);
}

/* ------------------------------------------------------------------ phase 3 */

static BOOL parse_opened(const char *line, unsigned int *count, struct errors *errors)
{
    const char *p;

    memset(errors, 0, sizeof(*errors));
    if (strncmp(line, "opened ", 7) && strncmp(line, "ended ", 6)) return FALSE;
    *count = strtoul(strchr(line, ' ') + 1, NULL, 10);
    if ((p = strstr(line, " errors "))) parse_errors(p + 8, errors);
    return TRUE;
}

/* A child that starts N sessions and then exits without ending them ("exit") or waits to be
 * killed ("hold").  Its process handle stays open: installers keep their children's. */
static unsigned int leave_sessions(struct child *child, int arch, unsigned int count, const WCHAR *after)
{
    struct errors errors;
    WCHAR args[64];
    char line[2048];
    unsigned int opened = 0;

    swprintf(args, ARRAYSIZE(args), L"--sessions --attempts %u --after %ls", count, after);
    if (!start_child(child, arch, args, NULL)) return 0;
    if (read_line(&child->output, line, sizeof(line), 60000)) parse_opened(line, &opened, &errors);
    return opened;
}

static void phase_reclaim(void)
{
    struct scan *scan = malloc(sizeof(*scan));
    double t0 = now_ms();
    unsigned int pass;

    printf("\n== 3. reclaim: children leave sessions with dead owners (killed; exited without RmEndSession); "
           "one process then starts 65 sessions\n");
    fflush(stdout);
    set_phase(PHASE_RECLAIM);
    for (pass = 0; pass < 2; pass++)
    {
        int arch = pass ? !my_arch : my_arch;
        struct arch_results *r = &results[arch];
        unsigned int killed, exited, i, mine = 0, torn_before;
        struct child child, held, left;
        struct errors errors;
        char line[2048];
        WCHAR args[64];

        if (pass && !other_arch_available()) break;
        /* 20 sessions of a child killed later, 20 above them of one that exits without ending
         * them: 40 dead slots, more with what phase 2 left. */
        killed = leave_sessions(&held, pick_arch(0), 20, L"hold");
        exited = leave_sessions(&left, pick_arch(1), 20, L"exit");
        WaitForSingleObject(left.process, 30000);
        TerminateProcess(held.process, 1);
        WaitForSingleObject(held.process, 30000);
        locked_scan(scan, FALSE);
        r->dead_before_fill = scan->dead + scan->torn;
        torn_before = scan->torn;
        note("%s: %u sessions of a killed %s child, %u of an exited %s child (both handles still open here); "
             "%u keys with dead owners (%u half-written), %u live", arch_names[arch], killed, arch_names[pick_arch(0)],
             exited, arch_names[pick_arch(1)], r->dead_before_fill, torn_before, scan->live);

        swprintf(args, ARRAYSIZE(args), L"--sessions --attempts %u --after end", MAX_SESSIONS + 1);
        if (!start_child(&child, arch, args, NULL))
        {
            check(FALSE, "%s: cannot start the filling process", arch_names[arch]);
            close_child(&held);
            close_child(&left);
            continue;
        }
        if (!read_line(&child.output, line, sizeof(line), 120000) || !parse_opened(line, &r->fill_opened, &errors))
        {
            check(FALSE, "%s: no answer from the filling process", arch_names[arch]);
            reap_child(&child, 0);
            close_child(&held);
            close_child(&left);
            continue;
        }
        r->fill_done = TRUE;
        r->fill_extra = errors.count == 1 ? errors.items[0].code : errors.count ? ~0u : ERROR_SUCCESS;
        merge_errors(&r->errors, &errors);
        check(r->fill_opened == MAX_SESSIONS, "%s: one process starts %u sessions over %u dead slots: %u succeed",
              arch_names[arch], MAX_SESSIONS, r->dead_before_fill, r->fill_opened);
        check(errors.total == 1 && count_code(&errors, ERROR_MAX_SESSIONS_REACHED) == 1,
              "%s: the 65th RmStartSession returns ERROR_MAX_SESSIONS_REACHED (%u errors: %u of them 353)",
              arch_names[arch], errors.total, count_code(&errors, ERROR_MAX_SESSIONS_REACHED));
        print_error_lines("phase 3", arch, &errors);

        locked_scan(scan, FALSE);
        for (i = 0; i < scan->count && i < MAX_SCAN_KEYS; i++)
            if (key_parses(&scan->keys[i]) && scan->keys[i].owner.dwProcessId == child.pid && scan->keys[i].alive) mine++;
        r->reclaimed_by_fill = mine == MAX_SESSIONS && scan->count == MAX_SESSIONS ? r->dead_before_fill : 0;
        check(mine == MAX_SESSIONS && scan->count == MAX_SESSIONS, "%s: the store then holds the %u sessions of "
              "that process and nothing else (%u keys, %u its own): %u dead slots reclaimed", arch_names[arch],
              MAX_SESSIONS, scan->count, mine, r->reclaimed_by_fill);

        hprintf(child.input, "end\n");
        if (read_line(&child.output, line, sizeof(line), 120000) && parse_opened(line, &r->fill_ended, &errors))
        {
            merge_errors(&r->errors, &errors);
            check(r->fill_ended == r->fill_opened && !errors.total, "%s: it ends all %u (%u errors)", arch_names[arch],
                  r->fill_ended, errors.total);
            print_error_lines("phase 3", arch, &errors);
        }
        else check(FALSE, "%s: no answer from the filling process after ending", arch_names[arch]);
        reap_child(&child, 30000);
        close_child(&held);
        close_child(&left);
        locked_scan(scan, FALSE);
        r->keys_after_fill = scan->count;
        keys_left_total += scan->count;
        check(!scan->count, "%s: no session keys remain afterwards (%u)", arch_names[arch], scan->count);
    }
    EnterCriticalSection(&monitor_cs);
    monitor[PHASE_RECLAIM].wall = now_ms() - t0;
    LeaveCriticalSection(&monitor_cs);
    set_phase(PHASE_IDLE);
    free(scan);
}

/* ------------------------------------------------------------------ phase 4 */

#define CAP_PROCESSES 4
#define CAP_ATTEMPTS  24

static void phase_cap(void)
{
    struct child children[CAP_PROCESSES];
    struct scan *scan = malloc(sizeof(*scan));
    unsigned int i, started = 0, opened = 0, refused = 0, other = 0, ended = 0, end_errors = 0;
    WCHAR name[64], args[128];
    double t0 = now_ms();
    char line[2048];
    HANDLE go;

    printf("\n== 4. cap race: %u processes (both architectures) start %u sessions each at the same moment\n",
           CAP_PROCESSES, CAP_ATTEMPTS);
    fflush(stdout);
    swprintf(name, ARRAYSIZE(name), L"Local\\rmstress-cap-%ls", token);
    go = CreateEventW(NULL, TRUE, FALSE, name);
    set_phase(PHASE_CAP);
    for (i = 0; i < CAP_PROCESSES; i++)
    {
        swprintf(args, ARRAYSIZE(args), L"--sessions --attempts %u --after end --go %ls", CAP_ATTEMPTS, name);
        if (!start_child(&children[i], pick_arch(i), args, NULL)) break;
        started++;
        if (!read_line(&children[i].output, line, sizeof(line), 60000)) break;
    }
    SetEvent(go);
    for (i = 0; i < started; i++)
    {
        struct errors errors;
        unsigned int count = 0;

        if (!read_line(&children[i].output, line, sizeof(line), 120000) || !parse_opened(line, &count, &errors))
        {
            check(FALSE, "cap race: no answer from process %u", i);
            continue;
        }
        opened += count;
        refused += count_code(&errors, ERROR_MAX_SESSIONS_REACHED);
        other += errors.total - count_code(&errors, ERROR_MAX_SESSIONS_REACHED);
        results[children[i].arch].cap_opened += count;
        results[children[i].arch].cap_refused += count_code(&errors, ERROR_MAX_SESSIONS_REACHED);
        merge_errors(&results[children[i].arch].errors, &errors);
        print_error_lines("phase 4", children[i].arch, &errors);
    }
    locked_scan(scan, FALSE);
    check(started == CAP_PROCESSES && opened == MAX_SESSIONS,
          "cap race: exactly %u of %u attempts succeed (%u)", MAX_SESSIONS, CAP_PROCESSES * CAP_ATTEMPTS, opened);
    check(refused == CAP_PROCESSES * CAP_ATTEMPTS - MAX_SESSIONS && !other,
          "cap race: the other %u get ERROR_MAX_SESSIONS_REACHED (%u, and %u other errors)",
          CAP_PROCESSES * CAP_ATTEMPTS - MAX_SESSIONS, refused, other);
    check(scan->live == MAX_SESSIONS && scan->count == MAX_SESSIONS, "cap race: the store holds %u live sessions "
          "(%u keys, %u live)", MAX_SESSIONS, scan->count, scan->live);
    for (i = 0; i < started; i++)
    {
        struct errors errors;
        unsigned int count = 0;

        hprintf(children[i].input, "end\n");
        if (read_line(&children[i].output, line, sizeof(line), 120000) && parse_opened(line, &count, &errors))
        {
            ended += count;
            end_errors += errors.total;
            merge_errors(&results[children[i].arch].errors, &errors);
        }
        reap_child(&children[i], 30000);
    }
    check(ended == opened && !end_errors, "cap race: all %u sessions end (%u, %u errors)", opened, ended, end_errors);
    EnterCriticalSection(&monitor_cs);
    monitor[PHASE_CAP].wall = now_ms() - t0;
    LeaveCriticalSection(&monitor_cs);
    set_phase(PHASE_IDLE);
    {
        struct monitor_stats m = get_monitor(PHASE_CAP);

        check(m.max_live <= MAX_SESSIONS, "monitor: never more than %u live sessions during the race (max %u in %u "
              "samples)", MAX_SESSIONS, m.max_live, m.samples);
        check(!m.duplicates && !m.torn_live, "monitor: no duplicate keys (%u), no torn live keys (%u)", m.duplicates,
              m.torn_live);
    }
    store_is_empty("after the cap race");
    CloseHandle(go);
    free(scan);
}

/* ------------------------------------------------------------------ tables */

static void print_tables(double total_ms)
{
    unsigned int arch, p, any = 0;
    char text[64];

    printf("\n== Phase 1: concurrency (%u processes x %u cycles, %u files + 1 from the partner; times are "
           "averages per call, ms)\n\n", options.workers, options.cycles, options.files);
    printf("| arch | workers | cycles | completed | files visible | RmGetList calls | listed self | keys left | start | "
           "register | join (2nd process) | RmGetList | end | max RmGetList | wall s |\n");
    printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (arch = 0; arch < 2; arch++)
    {
        struct arch_results *r = &results[arch];
        double n = r->cycles ? r->cycles : 1, g = r->getlists ? r->getlists : 1;

        if (!r->workers) continue;
        printf("| %s | %u | %u | %u | %u | %u | %u | %u | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f | %.1f |\n",
               arch_names[arch], r->workers, r->cycles, r->completed, r->visible_ok, r->getlists, r->listed_ok, r->left,
               r->t_start / n, r->t_register / n, r->t_join / n, r->t_getlist / g, r->t_end / n, r->max_getlist,
               r->wall / 1000);
    }

    printf("\n== Phase 2: killed owners (a session-churning child killed 0-50 ms into its loop)\n\n");
    printf("| arch of the killed child | kills | died holding the store lock | keys left complete | "
           "keys left half-written | reclaimed by the next start | reclaimed later | half-written not reclaimed "
           "by the next start |\n");
    printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (arch = 0; arch < 2; arch++)
    {
        struct arch_results *r = &results[arch];

        if (!r->kills) continue;
        printf("| %s | %u | %u | %u | %u | %u | %u | %u |\n", arch_names[arch], r->kills, r->died_in_lock,
               r->left_complete, r->left_torn, r->reclaimed_next, r->reclaimed_later, r->not_reclaimed);
    }

    printf("\n== Phase 3 and 4: reclaim and the 64-session cap\n\n");
    printf("| arch | dead slots before filling | reclaimed | sessions started (of 65) | 65th start | keys left "
           "after ending | cap race: started | cap race: refused (353) |\n");
    printf("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |\n");
    for (arch = 0; arch < 2; arch++)
    {
        struct arch_results *r = &results[arch];

        if (!r->fill_done && !r->cap_opened && !r->cap_refused) continue;
        if (r->fill_done) sprintf(text, "%lu", r->fill_extra);
        else strcpy(text, "-");
        printf("| %s | %u | %u | %u | %s | %u | %u | %u |\n", arch_names[arch], r->dead_before_fill,
               r->reclaimed_by_fill, r->fill_opened, text, r->keys_after_fill, r->cap_opened, r->cap_refused);
    }

    printf("\n== Store monitor (sampled every %lu ms under the store lock)\n\n", monitor_interval);
    printf("| phase | samples | max live | max live i686 | max live x86_64 | max keys | duplicate keys | "
           "torn live keys | longest lock wait ms | wall s |\n");
    printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (p = PHASE_CONCURRENCY; p < PHASE_COUNT; p++)
    {
        struct monitor_stats m = get_monitor(p);

        printf("| %s | %u | %u | %u | %u | %u | %u | %u | %.1f | %.1f |\n", phase_names[p], m.samples, m.max_live,
               m.max_live_arch[0], m.max_live_arch[1], m.max_keys, m.duplicates, m.torn_live, m.max_lock_wait,
               m.wall / 1000);
    }

    printf("\n== Summary per architecture\n\n");
    printf("| arch | cycles | kills | errors | keys left | reclaimed slots | max live | wall s |\n");
    printf("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |\n");
    for (arch = 0; arch < 2; arch++)
    {
        struct arch_results *r = &results[arch];
        unsigned int max_live = 0, i;
        char errors[512];
        size_t len = 0;

        if (!r->workers && !r->kills && !r->fill_done) continue;
        for (p = PHASE_CONCURRENCY; p < PHASE_COUNT; p++)
        {
            struct monitor_stats m = get_monitor(p);
            if (m.max_live_arch[arch] > max_live) max_live = m.max_live_arch[arch];
        }
        errors[0] = 0;
        for (i = 0; i < r->errors.count && len < sizeof(errors) - 64; i++)
            len += sprintf(errors + len, "%s%lu x%u", i ? ", " : "", r->errors.items[i].code, r->errors.items[i].count);
        if (!len) strcpy(errors, "none");
        printf("| %s | %u | %u | %s | %u | %u | %u | %.1f |\n", arch_names[arch], r->cycles, r->kills, errors,
               r->left + r->keys_after_fill, r->reclaimed_next + r->reclaimed_later + r->reclaimed_by_fill, max_live,
               r->wall / 1000);
        any++;
    }
    printf("\nerrors: code x count, every phase (353 = ERROR_MAX_SESSIONS_REACHED, expected only in phases 3 "
           "and 4); keys left after phase 1 and 3 (total after every phase: %u); reclaimed slots: dead slots taken "
           "over by later sessions in phases 2 and 3; max live: most live sessions owned by that architecture in "
           "one sample; wall: phase 1, slowest worker. Total run %.1f s.\n", keys_left_total, total_ms / 1000);
}

/* ------------------------------------------------------------------ main */

static void usage(void)
{
    fprintf(stderr,
            "usage: stress [--short] [--other EXE] [--workers N] [--cycles N] [--files N] [--kills N]\n"
            "              [--getlist-every N] [--seed N] [--timeout SECONDS]\n"
            "  --short      CI mode: 10 cycles, RmGetList in the last one, 10 kills\n"
            "               (default: 200 cycles, RmGetList in every one, 100 kills)\n"
            "  --getlist-every N   RmGetList in every N-th cycle (and the last)\n"
            "  --other EXE  the other architecture's stress.exe: half the processes run it\n");
}

static BOOL parse_options(int argc, WCHAR **argv, struct options *opt)
{
    int i;

    memset(opt, 0, sizeof(*opt));
    opt->workers = 16;
    opt->files = 100;
    opt->seed = GetTickCount() ^ GetCurrentProcessId();
    for (i = 1; i < argc; i++)
    {
        const WCHAR *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;

        if (!wcscmp(arg, L"--short")) opt->short_mode = TRUE;
        else if (!wcscmp(arg, L"--worker") || !wcscmp(arg, L"--join") || !wcscmp(arg, L"--churn")
                 || !wcscmp(arg, L"--sessions"))
            opt->mode = arg + 2;
        else if (!value)
        {
            usage();
            return FALSE;
        }
        else
        {
            i++;
            if (!wcscmp(arg, L"--other")) lstrcpynW(other_exe, value, MAX_PATH);
            else if (!wcscmp(arg, L"--workers")) opt->workers = wcstoul(value, NULL, 10);
            else if (!wcscmp(arg, L"--cycles")) opt->cycles = wcstoul(value, NULL, 10);
            else if (!wcscmp(arg, L"--files")) opt->files = wcstoul(value, NULL, 10);
            else if (!wcscmp(arg, L"--kills")) opt->kills = wcstoul(value, NULL, 10);
            else if (!wcscmp(arg, L"--seed")) opt->seed = wcstoul(value, NULL, 10);
            else if (!wcscmp(arg, L"--timeout")) opt->timeout = wcstoul(value, NULL, 10);
            else if (!wcscmp(arg, L"--getlist-every")) opt->getlist_every = wcstoul(value, NULL, 10);
            else if (!wcscmp(arg, L"--id")) opt->id = wcstoul(value, NULL, 10);
            else if (!wcscmp(arg, L"--attempts")) opt->attempts = wcstoul(value, NULL, 10);
            else if (!wcscmp(arg, L"--dir")) opt->dir = value;
            else if (!wcscmp(arg, L"--partner")) opt->partner = value;
            else if (!wcscmp(arg, L"--after")) opt->after = value;
            else if (!wcscmp(arg, L"--go")) opt->go = value;
            else
            {
                usage();
                return FALSE;
            }
        }
    }
    if (!opt->cycles) opt->cycles = opt->short_mode ? 10 : 200;
    if (!opt->kills) opt->kills = opt->short_mode ? 10 : 100;
    if (!opt->timeout) opt->timeout = opt->short_mode ? 600 : 14400;
    if (!opt->getlist_every) opt->getlist_every = opt->short_mode ? 10 : 1;
    if (opt->workers > MAX_WORKERS) opt->workers = MAX_WORKERS;
    if (opt->files < EXISTING_FILES + 1) opt->files = EXISTING_FILES + 1;
    if (!opt->after) opt->after = L"end";
    return TRUE;
}

/* Delete the work directory: workers' files and their cycle directories (which stay empty). */
static void remove_tree(const WCHAR *dir)
{
    WIN32_FIND_DATAW data;
    WCHAR pattern[MAX_PATH], path[MAX_PATH];
    HANDLE find;

    swprintf(pattern, ARRAYSIZE(pattern), L"%ls\\*", dir);
    if ((find = FindFirstFileW(pattern, &data)) == INVALID_HANDLE_VALUE) return;
    do
    {
        if (!wcscmp(data.cFileName, L".") || !wcscmp(data.cFileName, L"..")) continue;
        swprintf(path, ARRAYSIZE(path), L"%ls\\%ls", dir, data.cFileName);
        if (data.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) remove_tree(path);
        else DeleteFileW(path);
    } while (FindNextFileW(find, &data));
    FindClose(find);
    RemoveDirectoryW(dir);
}

int wmain(int argc, WCHAR **argv)
{
    struct scan *scan;
    HANDLE thread;
    double start = now_ms();
    WCHAR temp[MAX_PATH];

    GetModuleFileNameW(NULL, self_exe, MAX_PATH);
    if (!parse_options(argc, argv, &options)) return 2;
    if (options.mode)
    {
        if (!wcscmp(options.mode, L"join")) return run_join();
        if (!wcscmp(options.mode, L"churn")) return options.dir ? run_churn(&options) : 2;
        if (!wcscmp(options.mode, L"sessions")) return run_sessions(&options);
        if (!wcscmp(options.mode, L"worker"))
            return options.dir && options.partner && options.go ? run_worker(&options) : 2;
        return 2;
    }

    rng_state = options.seed ? options.seed : 1;
    swprintf(token, ARRAYSIZE(token), L"%lu", GetCurrentProcessId());
    GetTempPathW(MAX_PATH, temp);
    swprintf(work_dir, ARRAYSIZE(work_dir), L"%lsrmstress-%ls", temp, token);
    CreateDirectoryW(work_dir, NULL);

    printf("stress: %s coordinator, pid %lu, %s mode, seed %u\n", arch_names[my_arch], GetCurrentProcessId(),
           options.short_mode ? "short" : "full", options.seed);
    printf("stress: %ls\n", self_exe);
    if (other_arch_available()) printf("stress: %ls\n", other_exe);
    else printf("stress: no --other: every process is %s\n", arch_names[my_arch]);
    fflush(stdout);

    /* A clean start: nothing may be in the store before we begin. */
    scan = malloc(sizeof(*scan));
    if (!check(locked_scan(scan, FALSE), "the store lock can be taken")) return 1;
    check(!scan->count, "the store is empty before the run (%u keys; tools/stress.sh restarts the prefix's "
          "wineserver to clear it)", scan->count);
    free(scan);

    InitializeCriticalSection(&monitor_cs);
    thread = CreateThread(NULL, 0, monitor_thread, NULL, 0, NULL);

    phase_concurrency();
    phase_kills();
    phase_reclaim();
    phase_cap();

    monitor_stop = TRUE;
    WaitForSingleObject(thread, 10000);
    remove_tree(work_dir);

    print_tables(now_ms() - start);
    printf("\n%u passed, %u failed\n", checks_passed, checks_failed);
    fflush(stdout);
    return checks_failed ? 1 : 0;
}
