/*
 * Restart Manager store robustness tests: a damaged HKCU\Software\Microsoft\RestartManager
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
 * A project test, not a conformance test: it writes the Restart Manager's own registry store
 * directly, which no application does and no document describes.  Any program of the user may
 * write there, though, so a correct implementation must survive it, and the checks are only
 * what must then hold for Microsoft's DLL as well as for ours:
 *   - every call returns one of the codes documented for it, and nothing crashes;
 *   - a session opened before the damage keeps working (register, list, end: all 0).
 * Each case damages the store after starting an intact session, a victim session (whose own
 * key is the one damaged) and a secondary of the victim, calls every function, and removes
 * what it wrote.  Slot keys (SessionNNNN, NNNN < 64) are only deleted when they are not a
 * live session of another process, so a test run next to other Restart Manager users does
 * not destroy their sessions.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <windows.h>
#include <tlhelp32.h>
#include <sddl.h>
#include <restartmanager.h>

#include "wine/test.h"
#include "rmtest.h"

/* Registry value names are at most 16,383 characters. */
#define MAX_VALUE_NAME 16383
/* Keys a case writes below the root, besides the victim's own. */
#define MAX_CASE_KEYS 80
/* Marks keys this test wrote with another live process as Owner, so cleanup recognises them. */
#define MARKER_VALUE L"rstrtmgr-store-test"
/* What the registry links of the link cases point to: a key outside the store. */
#define LINK_TARGET L"Software\\rmtest-store-link-target"

/* The codes documented for each function (api-spec.md §0.3 and the reference pages; the
 * filter functions also get ERROR_INVALID_HANDLE, which the SDK header lists for them). */
static const DWORD start_codes[] = { 0, 14, 29, 121, 160, 353 };
static const DWORD join_codes[] = { 0, 14, 29, 121, 160, 353, 1219 };
static const DWORD end_codes[] = { 0, 6, 14, 29, 121, 160 };
static const DWORD register_codes[] = { 0, 6, 14, 29, 121, 160 };
static const DWORD getlist_codes[] = { 0, 5, 6, 14, 29, 121, 160, 234, 1219, 1223 };
static const DWORD shutdown_codes[] = { 0, 6, 14, 29, 121, 160, 350, 351, 1219, 1223 };
static const DWORD restart_codes[] = { 0, 6, 14, 29, 121, 160, 352, 776, 1219, 1223 };
static const DWORD cancel_codes[] = { 0, 6, 14, 160, 1219 };
static const DWORD addfilter_codes[] = { 0, 6, 160, 1219 };
static const DWORD removefilter_codes[] = { 0, 2, 6, 160, 1219 };
static const DWORD getfilter_codes[] = { 0, 6, 160, 234, 1219 };

static RM_UNIQUE_PROCESS self_owner;
static RM_UNIQUE_PROCESS other_owner;   /* another live process, if one could be found */
static BOOL have_other_owner;
/* Set while another thread may reclaim the key being damaged: then writes may fail. */
static BOOL damage_may_fail;

/* One damage case: the sessions it opened and the keys it wrote. */
struct case_state
{
    DWORD intact;                       /* opened before the damage; must keep working */
    DWORD victim;                       /* primary whose own key is damaged */
    DWORD joined;                       /* secondary of the victim, joined before the damage */
    BOOL intact_open, victim_open, joined_open;
    WCHAR victim_key[KEY_BUFFER];
    WCHAR victim_name[32];              /* its SessionNNNN */
    WCHAR file[MAX_PATH];               /* registered by the sessions; nobody holds it */
    WCHAR keys[MAX_CASE_KEYS][32];      /* written below the root by the damage */
    unsigned int nkeys;
    BOOL nonvolatile;                   /* the root is non-volatile: write non-volatile keys */
    BOOL link_target;                   /* LINK_TARGET was made, with a value and a subkey */
};

static LONG (WINAPI *pNtDeleteKey)(HANDLE);

/* Some other process of this user whose identity can be read, to name as a live Owner. */
static void find_other_owner(void)
{
    PROCESSENTRY32W entry = { sizeof(entry) };
    HANDLE snapshot;
    BOOL more;

    if ((snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0)) == INVALID_HANDLE_VALUE) return;
    for (more = Process32FirstW(snapshot, &entry); more; more = Process32NextW(snapshot, &entry))
    {
        if (!entry.th32ProcessID || entry.th32ProcessID == GetCurrentProcessId()) continue;
        if (get_process_owner(entry.th32ProcessID, &other_owner))
        {
            have_other_owner = TRUE;
            break;
        }
    }
    CloseHandle(snapshot);
}

static BOOL is_slot_name(const WCHAR *name)
{
    unsigned int i, n = 0;

    if (wcsnicmp(name, L"Session", 7)) return FALSE;
    for (i = 7; i < 11; i++)
    {
        if (name[i] < '0' || name[i] > '9') return FALSE;
        n = n * 10 + name[i] - '0';
    }
    return !name[11] && n < MAX_SESSIONS;
}

static HANDLE lock_store(void)
{
    HANDLE mutex = CreateMutexW(NULL, FALSE, store_mutex_name);
    DWORD wait;

    if (!mutex) return NULL;
    wait = WaitForSingleObject(mutex, 20000);
    ok(wait == WAIT_OBJECT_0 || wait == WAIT_ABANDONED, "cannot take the store mutex: %#lx\n", wait);
    if (wait != WAIT_OBJECT_0 && wait != WAIT_ABANDONED)
    {
        CloseHandle(mutex);
        return NULL;
    }
    return mutex;
}

static void unlock_store(HANDLE mutex)
{
    if (!mutex) return;
    ReleaseMutex(mutex);
    CloseHandle(mutex);
}

/* The root, created volatile (as the Restart Manager creates it) if it is missing. */
static HKEY open_root(void)
{
    HKEY root = NULL;
    LSTATUS ret;

    ret = RegCreateKeyExW(HKEY_CURRENT_USER, rm_root, 0, NULL, REG_OPTION_VOLATILE, KEY_ALL_ACCESS, NULL,
                          &root, NULL);
    ok(!ret, "cannot open the store root, error %ld\n", ret);
    return ret ? NULL : root;
}

static BOOL read_value(const WCHAR *key_name, const WCHAR *value, DWORD *type, void *data, DWORD *size)
{
    HKEY root, key;
    LSTATUS ret;

    if (RegOpenKeyExW(HKEY_CURRENT_USER, rm_root, 0, KEY_ENUMERATE_SUB_KEYS, &root)) return FALSE;
    ret = RegOpenKeyExW(root, key_name, 0, KEY_QUERY_VALUE, &key);
    RegCloseKey(root);
    if (ret) return FALSE;
    ret = RegQueryValueExW(key, value, NULL, type, data, size);
    RegCloseKey(key);
    return !ret;
}

/* Lists the SessionNNNN keys owned by this process. */
static unsigned int list_own_keys(WCHAR (*names)[32], unsigned int max)
{
    RM_UNIQUE_PROCESS owner;
    WCHAR name[256];
    unsigned int count = 0;
    DWORD index, len;
    HKEY root;

    if (RegOpenKeyExW(HKEY_CURRENT_USER, rm_root, 0, KEY_ENUMERATE_SUB_KEYS, &root)) return 0;
    for (index = 0; ; index++)
    {
        len = ARRAY_SIZE(name);
        if (RegEnumKeyExW(root, index, name, &len, NULL, NULL, NULL, NULL)) break;
        if (!is_slot_name(name) || !get_session_owner(name, &owner) || !owner_equal(&owner, &self_owner)) continue;
        if (count < max) lstrcpynW(names[count], name, 32);
        count++;
    }
    RegCloseKey(root);
    return count;
}

static unsigned int count_own_keys(void)
{
    return list_own_keys(NULL, 0);
}

/* Creates (or opens) a key below the root; path may name nested keys, which must exist or
 * are created with the same option. */
static BOOL create_key(const WCHAR *path, BOOL nonvolatile)
{
    HKEY root, key;
    LSTATUS ret;

    if (!(root = open_root())) return FALSE;
    ret = RegCreateKeyExW(root, path, 0, NULL, nonvolatile ? REG_OPTION_NON_VOLATILE : REG_OPTION_VOLATILE,
                          KEY_ALL_ACCESS, NULL, &key, NULL);
    /* Below a volatile key (a session key the Restart Manager made) only volatile keys can be. */
    if (ret == ERROR_CHILD_MUST_BE_VOLATILE)
        ret = RegCreateKeyExW(root, path, 0, NULL, REG_OPTION_VOLATILE, KEY_ALL_ACCESS, NULL, &key, NULL);
    RegCloseKey(root);
    ok(!ret || damage_may_fail, "cannot create %s, error %ld\n", wine_dbgstr_w(path), ret);
    if (!ret) RegCloseKey(key);
    return !ret;
}

/* Writes a value into an existing key below the root ("" is the root itself). */
#define set_value(a, b, c, d, e) set_value_(__FILE__, __LINE__, a, b, c, d, e)
static void set_value_(const char *file, int line, const WCHAR *path, const WCHAR *name, DWORD type,
                       const void *data, DWORD size)
{
    HKEY root, key;
    LSTATUS ret;

    if (RegOpenKeyExW(HKEY_CURRENT_USER, rm_root, 0, KEY_ALL_ACCESS, &root)) return;
    ret = RegOpenKeyExW(root, path, 0, KEY_SET_VALUE, &key);
    RegCloseKey(root);
    ok_(file, line)(!ret || damage_may_fail, "cannot open %s, error %ld\n", wine_dbgstr_w(path), ret);
    if (ret) return;
    ret = RegSetValueExW(key, name, 0, type, data, size);
    ok_(file, line)(!ret || damage_may_fail, "cannot write %s\\%s (%lu bytes), error %ld\n", wine_dbgstr_w(path),
                    wine_dbgstr_w(name), size, ret);
    RegCloseKey(key);
}

static void set_string(const WCHAR *path, const WCHAR *name, DWORD type, const WCHAR *str)
{
    set_value(path, name, type, str, (DWORD)((wcslen(str) + 1) * sizeof(WCHAR)));
}

/* A REG_MULTI_SZ with its terminators; strings are given as one buffer with NUL separators. */
static void set_multi_sz(const WCHAR *path, const WCHAR *name, const WCHAR *strings, size_t chars)
{
    set_value(path, name, REG_MULTI_SZ, strings, (DWORD)(chars * sizeof(WCHAR)));
}

static void set_dword(const WCHAR *path, const WCHAR *name, DWORD value)
{
    set_value(path, name, REG_DWORD, &value, sizeof(value));
}

static void delete_value(const WCHAR *path, const WCHAR *name)
{
    HKEY root, key;
    LSTATUS ret;

    if (RegOpenKeyExW(HKEY_CURRENT_USER, rm_root, 0, KEY_ALL_ACCESS, &root)) return;
    ret = RegOpenKeyExW(root, path, 0, KEY_SET_VALUE, &key);
    RegCloseKey(root);
    if (ret) return;
    ret = RegDeleteValueW(key, name);
    ok(!ret || damage_may_fail, "cannot delete %s\\%s, error %ld\n", wine_dbgstr_w(path), wine_dbgstr_w(name), ret);
    RegCloseKey(key);
}

/* Deletes a key and all below it; registry links are deleted, not what they point to. */
static BOOL delete_tree(HKEY parent, const WCHAR *name)
{
    WCHAR subkey[256];
    DWORD index = 0, len;
    LSTATUS ret;
    HKEY key;

    if (RegOpenKeyExW(parent, name, REG_OPTION_OPEN_LINK, KEY_ENUMERATE_SUB_KEYS | DELETE, &key)) return FALSE;
    for (;;)
    {
        len = ARRAY_SIZE(subkey);
        if (RegEnumKeyExW(key, index, subkey, &len, NULL, NULL, NULL, NULL)) break;
        if (!delete_tree(key, subkey)) index++;
    }
    ret = pNtDeleteKey ? pNtDeleteKey(key) : RegDeleteKeyW(parent, name);
    RegCloseKey(key);
    return !ret;
}

/* Deletes a key below the root and all it holds.  A slot key is left alone if it now holds a
 * live session of another process (one may have reclaimed the slot meanwhile), unless it
 * carries this test's marker. */
static void delete_key(const WCHAR *name)
{
    RM_UNIQUE_PROCESS owner;
    DWORD type, size, marker;
    HANDLE mutex;
    HKEY root;

    mutex = lock_store();
    if (!RegOpenKeyExW(HKEY_CURRENT_USER, rm_root, 0, KEY_ALL_ACCESS, &root))
    {
        size = sizeof(marker);
        if (is_slot_name(name) && !read_value(name, MARKER_VALUE, &type, &marker, &size)
                && get_session_owner(name, &owner) && !owner_equal(&owner, &self_owner) && process_alive(&owner))
            trace("%s now belongs to pid %#lx, left alone\n", wine_dbgstr_w(name), owner.dwProcessId);
        else delete_tree(root, name);
        RegCloseKey(root);
    }
    unlock_store(mutex);
}

/* A slot name no key uses yet; the lowest one, so the next RmStartSession meets it first. */
static BOOL find_free_slot(WCHAR *name)
{
    unsigned int i;

    for (i = 0; i < MAX_SESSIONS; i++)
    {
        swprintf(name, 32, L"Session%04u", i);
        if (!session_key_exists(name)) return TRUE;
    }
    return FALSE;
}

/* Records a key the case writes, so that end_case removes it. */
static BOOL add_case_key(struct case_state *st, const WCHAR *name)
{
    unsigned int i;

    for (i = 0; i < st->nkeys; i++) if (!wcsicmp(st->keys[i], name)) return TRUE;
    ok(st->nkeys < MAX_CASE_KEYS, "too many keys\n");
    if (st->nkeys >= MAX_CASE_KEYS) return FALSE;
    lstrcpynW(st->keys[st->nkeys++], name, 32);
    return TRUE;
}

/* Creates a recorded key below the root. */
static BOOL case_key(struct case_state *st, const WCHAR *name)
{
    return add_case_key(st, name) && create_key(name, st->nonvolatile);
}

/* Creates a recorded key in the lowest free slot. */
static BOOL case_slot(struct case_state *st, WCHAR *name)
{
    if (!find_free_slot(name))
    {
        skip("no free slot\n");
        return FALSE;
    }
    return case_key(st, name);
}

#define check_code(func, ret, codes) check_code_(__FILE__, __LINE__, func, ret, codes, ARRAY_SIZE(codes))
static void check_code_(const char *file, int line, const char *func, DWORD ret, const DWORD *codes,
                        unsigned int count)
{
    unsigned int i;

    for (i = 0; i < count; i++) if (codes[i] == ret) break;
    /* Project requirement: the pages allow any system error code, and Windows was never seen
     * on a damaged store. */
    ok_(file, line)(i < count || broken(i == count), "%s: got %lu, not a code documented for it\n", func, ret);
    if (ret && i < count && winetest_debug > 1) trace_(file, line)("%s: got %lu\n", func, ret);
}

static DWORD register_file(DWORD handle, const WCHAR *file)
{
    LPCWSTR files[1] = { file };

    return RmRegisterResources(handle, 1, files, 0, NULL, 0, NULL);
}

/* One RmGetList call into a small buffer: the code it returns is what a case checks. */
static DWORD get_list_once(DWORD handle, UINT *found, DWORD *reasons)
{
    RM_PROCESS_INFO infos[8];
    UINT needed = 0, count = ARRAY_SIZE(infos);
    DWORD ret;

    *reasons = 0;
    ret = RmGetList(handle, &needed, &count, infos, reasons);
    *found = ret ? 0 : count;
    return ret;
}

/* LINK_TARGET, outside the store, with a value and a subkey that must survive. */
static BOOL make_link_target(struct case_state *st)
{
    HKEY key, sub;
    LSTATUS ret;

    ret = RegCreateKeyExW(HKEY_CURRENT_USER, LINK_TARGET, 0, NULL, REG_OPTION_VOLATILE, KEY_ALL_ACCESS, NULL, &key, NULL);
    ok(!ret, "cannot create the link target, error %ld\n", ret);
    if (ret) return FALSE;
    st->link_target = TRUE;
    RegSetValueExW(key, L"precious", 0, REG_SZ, (const BYTE *)L"data", 5 * sizeof(WCHAR));
    if (!RegCreateKeyExW(key, L"sub", 0, NULL, REG_OPTION_VOLATILE, KEY_ALL_ACCESS, NULL, &sub, NULL)) RegCloseKey(sub);
    RegCloseKey(key);
    return TRUE;
}

static void check_link_target(struct case_state *st)
{
    HKEY key, sub;
    BOOL intact = FALSE;
    DWORD values = 0, subkeys = 0;

    if (!st->link_target) return;
    if (!RegOpenKeyExW(HKEY_CURRENT_USER, LINK_TARGET, 0, KEY_READ, &key))
    {
        intact = !RegQueryValueExW(key, L"precious", NULL, NULL, NULL, NULL)
                 && !RegOpenKeyExW(key, L"sub", 0, KEY_READ, &sub);
        if (intact) RegCloseKey(sub);
        RegQueryInfoKeyW(key, NULL, NULL, NULL, &subkeys, NULL, NULL, &values, NULL, NULL, NULL, NULL);
        RegCloseKey(key);
    }
    /* Deleting or writing through a link planted in the store damages data elsewhere; whether
     * Windows' own Restart Manager guards against that is not known. */
    ok(intact || broken(!intact), "the key a link in the store points to was damaged\n");
    ok(values == 1 || broken(values != 1), "got %lu values in the key a link points to, expected 1\n", values);
    ok(subkeys == 1 || broken(subkeys != 1), "got %lu subkeys in the key a link points to, expected 1\n", subkeys);
    delete_tree(HKEY_CURRENT_USER, LINK_TARGET);
    st->link_target = FALSE;
}

/* A registry link named path (below the root) to LINK_TARGET. */
static BOOL make_link(struct case_state *st, const WCHAR *path)
{
    WCHAR target[512], *sid = NULL;
    BYTE buffer[256];
    HANDLE token;
    DWORD len;
    HKEY root, link;
    LSTATUS ret;

    if (!make_link_target(st)) return FALSE;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) return FALSE;
    if (GetTokenInformation(token, TokenUser, buffer, sizeof(buffer), &len))
        ConvertSidToStringSidW(((TOKEN_USER *)buffer)->User.Sid, &sid);
    CloseHandle(token);
    if (!sid) return FALSE;
    swprintf(target, ARRAY_SIZE(target), L"\\Registry\\User\\%ls\\%ls", sid, LINK_TARGET);
    LocalFree(sid);

    if (!(root = open_root())) return FALSE;
    ret = RegCreateKeyExW(root, path, 0, NULL, REG_OPTION_VOLATILE | REG_OPTION_CREATE_LINK,
                          KEY_ALL_ACCESS | KEY_CREATE_LINK, NULL, &link, NULL);
    RegCloseKey(root);
    if (ret)
    {
        skip("cannot create a registry link, error %ld\n", ret);
        return FALSE;
    }
    ret = RegSetValueExW(link, L"SymbolicLinkValue", 0, REG_LINK, (const BYTE *)target,
                         (DWORD)(wcslen(target) * sizeof(WCHAR)));
    ok(!ret, "cannot set the link, error %ld\n", ret);
    RegCloseKey(link);
    return !ret;
}

/* Opens the intact session, the victim and its secondary, and finds the victim's key. */
static BOOL begin_case(struct case_state *st)
{
    WCHAR before[MAX_SESSIONS][32], after[MAX_SESSIONS][32], key[KEY_BUFFER];
    unsigned int nbefore, nafter, i, j;
    DWORD ret;

    memset(st, 0, sizeof(*st));
    make_temp_name(st->file, ARRAY_SIZE(st->file), L".dat");

    ret = RmStartSession(&st->intact, 0, key);
    ok(ret == ERROR_SUCCESS, "intact RmStartSession: got %lu\n", ret);
    if (ret) return FALSE;
    st->intact_open = TRUE;
    ret = register_file(st->intact, st->file);
    ok(ret == ERROR_SUCCESS, "intact RmRegisterResources: got %lu\n", ret);

    nbefore = min(list_own_keys(before, ARRAY_SIZE(before)), ARRAY_SIZE(before));
    ret = RmStartSession(&st->victim, 0, st->victim_key);
    ok(ret == ERROR_SUCCESS, "victim RmStartSession: got %lu\n", ret);
    if (ret) return FALSE;
    st->victim_open = TRUE;
    nafter = min(list_own_keys(after, ARRAY_SIZE(after)), ARRAY_SIZE(after));
    for (i = 0; i < nafter; i++)
    {
        for (j = 0; j < nbefore; j++) if (!wcsicmp(after[i], before[j])) break;
        if (j == nbefore)
        {
            lstrcpyW(st->victim_name, after[i]);
            break;
        }
    }
    ok(st->victim_name[0] != 0, "the victim's key was not found\n");
    if (!st->victim_name[0]) return FALSE;

    ret = RmJoinSession(&st->joined, st->victim_key);
    ok(ret == ERROR_SUCCESS, "RmJoinSession: got %lu\n", ret);
    st->joined_open = !ret;
    ret = register_file(st->victim, st->file);
    ok(ret == ERROR_SUCCESS, "victim RmRegisterResources: got %lu\n", ret);
    return TRUE;
}

/* Every function, on the damaged store: documented codes only. */
static void exercise(struct case_state *st)
{
    RM_UNIQUE_PROCESS process;
    BYTE filters[4096];
    WCHAR key[KEY_BUFFER];
    DWORD ret, handle, reasons, needed;
    UINT found;

    ret = register_file(st->victim, st->file);
    check_code("victim RmRegisterResources", ret, register_codes);
    if (st->joined_open)
    {
        ret = register_file(st->joined, st->file);
        check_code("secondary RmRegisterResources", ret, register_codes);
        ret = get_list_once(st->joined, &found, &reasons);
        check_code("secondary RmGetList", ret, getlist_codes);
    }

    ret = get_list_once(st->victim, &found, &reasons);
    check_code("victim RmGetList", ret, getlist_codes);

    ret = RmAddFilter(st->victim, st->file, NULL, NULL, RmNoRestart);
    check_code("RmAddFilter(file)", ret, addfilter_codes);
    get_process_owner(GetCurrentProcessId(), &process);
    process.dwProcessId ^= 0x40000000;  /* nobody */
    ret = RmAddFilter(st->victim, NULL, &process, NULL, RmNoShutdown);
    check_code("RmAddFilter(process)", ret, addfilter_codes);
    needed = 0;
    ret = RmGetFilterList(st->victim, filters, sizeof(filters), &needed);
    check_code("RmGetFilterList", ret, getfilter_codes);
    ret = RmGetFilterList(st->victim, NULL, 0, &needed);
    check_code("RmGetFilterList(NULL)", ret, getfilter_codes);
    ret = RmRemoveFilter(st->victim, st->file, NULL, NULL);
    check_code("RmRemoveFilter", ret, removefilter_codes);

    /* Nothing uses the registered file, so nothing can be shut down. */
    ret = RmShutdown(st->victim, 0, status_callback);
    check_code("RmShutdown", ret, shutdown_codes);
    ret = RmRestart(st->victim, 0, NULL);
    check_code("RmRestart", ret, restart_codes);
    ret = RmCancelCurrentTask(st->victim);
    check_code("RmCancelCurrentTask", ret, cancel_codes);

    ret = RmJoinSession(&handle, st->victim_key);
    check_code("RmJoinSession", ret, join_codes);
    if (!ret)
    {
        ret = RmEndSession(handle);
        check_code("joined RmEndSession", ret, end_codes);
    }

    /* A new session, which may have to step over or reclaim the damage. */
    ret = RmStartSession(&handle, 0, key);
    check_code("new RmStartSession", ret, start_codes);
    if (!ret)
    {
        ret = RmRegisterResources(handle, 0, NULL, 0, NULL, 0, NULL);
        check_code("new RmRegisterResources", ret, register_codes);
        ret = get_list_once(handle, &found, &reasons);
        check_code("new RmGetList", ret, getlist_codes);
        ret = RmEndSession(handle);
        check_code("new RmEndSession", ret, end_codes);
    }

    if (st->joined_open)
    {
        ret = RmEndSession(st->joined);
        check_code("secondary RmEndSession", ret, end_codes);
        st->joined_open = FALSE;
    }
    ret = RmEndSession(st->victim);
    check_code("victim RmEndSession", ret, end_codes);
    st->victim_open = FALSE;
}

/* The intact session still works, and everything the case left is removed. */
static void end_case(struct case_state *st)
{
    unsigned int i, own;
    DWORD ret, reasons;
    UINT found;

    if (st->intact_open)
    {
        ret = register_file(st->intact, st->file);
        ok(ret == ERROR_SUCCESS || broken(ret != ERROR_SUCCESS), "intact RmRegisterResources: got %lu\n", ret);
        ret = get_list_once(st->intact, &found, &reasons);
        ok(ret == ERROR_SUCCESS || broken(ret != ERROR_SUCCESS), "intact RmGetList: got %lu\n", ret);
        ok(!found, "intact RmGetList: %u affected\n", found);
        ret = RmEndSession(st->intact);
        ok(ret == ERROR_SUCCESS || broken(ret != ERROR_SUCCESS), "intact RmEndSession: got %lu\n", ret);
    }
    if (st->joined_open) RmEndSession(st->joined);
    if (st->victim_open) RmEndSession(st->victim);
    check_link_target(st);

    for (i = 0; i < st->nkeys; i++) delete_key(st->keys[i]);
    if (st->victim_name[0]) delete_key(st->victim_name);
    for (i = 0; i < st->nkeys; i++)
        ok(!session_key_exists(st->keys[i]) || is_slot_name(st->keys[i]), "%s was not removed\n", wine_dbgstr_w(st->keys[i]));
    own = count_own_keys();
    ok(!own, "%u keys owned by this process remain\n", own);
}

/* ------------------------------------------------------------------ damage */

static void fill_random(void *data, size_t size)
{
    BYTE *bytes = data;
    size_t i;

    for (i = 0; i < size; i++) bytes[i] = (BYTE)(rand() >> 4);
}

static void damage_owner_sz(struct case_state *st)
{
    set_string(st->victim_name, L"Owner", REG_SZ, L"not an owner");
}

static void damage_owner_truncated(struct case_state *st)
{
    set_value(st->victim_name, L"Owner", REG_BINARY, &self_owner, 8);
}

static void damage_owner_oversized(struct case_state *st)
{
    BYTE data[4096];

    memset(data, 0xa5, sizeof(data));
    memcpy(data, &self_owner, sizeof(self_owner));
    set_value(st->victim_name, L"Owner", REG_BINARY, data, sizeof(data));
}

static void damage_owner_missing(struct case_state *st)
{
    delete_value(st->victim_name, L"Owner");
}

static void damage_owner_dead(struct case_state *st)
{
    RM_UNIQUE_PROCESS owner = self_owner;

    /* This pid, another start time: the owner has gone and the pid was reused. */
    owner.ProcessStartTime.dwLowDateTime ^= 0x12345;
    set_value(st->victim_name, L"Owner", REG_BINARY, &owner, sizeof(owner));
}

static void damage_owner_other(struct case_state *st)
{
    if (!have_other_owner)
    {
        skip("no other process to name\n");
        return;
    }
    set_dword(st->victim_name, MARKER_VALUE, 1);
    set_value(st->victim_name, L"Owner", REG_BINARY, &other_owner, sizeof(other_owner));
}

static void damage_sequence_binary(struct case_state *st)
{
    BYTE data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

    set_value(st->victim_name, L"Sequence", REG_BINARY, data, sizeof(data));
}

static void damage_sequence_other(struct case_state *st)
{
    BYTE small[2] = { 7, 0 };

    set_string(st->victim_name, L"Sequence", REG_SZ, L"12");
    set_value(st->victim_name, L"Sequence", REG_DWORD, small, sizeof(small));
}

static void damage_sequence_missing(struct case_state *st)
{
    delete_value(st->victim_name, L"Sequence");
}

static void damage_sequence_max(struct case_state *st)
{
    set_dword(st->victim_name, L"Sequence", 0xffffffff);
}

static void damage_hash_dword(struct case_state *st)
{
    set_dword(st->victim_name, L"SessionHash", 0x12345678);
}

static void damage_hash_missing(struct case_state *st)
{
    delete_value(st->victim_name, L"SessionHash");
}

static void damage_hash_garbage(struct case_state *st)
{
    BYTE data[32];

    /* Owner still names this live process: a slot that is live but matches no key. */
    fill_random(data, sizeof(data));
    set_value(st->victim_name, L"SessionHash", REG_BINARY, data, sizeof(data));
}

static void damage_hash_sizes(struct case_state *st)
{
    BYTE data[1024];

    fill_random(data, sizeof(data));
    set_value(st->victim_name, L"SessionHash", REG_BINARY, data, 0);
    set_value(st->victim_name, L"SessionHash", REG_BINARY, data, sizeof(data));
}

static void damage_regfiles_odd(struct case_state *st)
{
    static const WCHAR text[] = L"C:\\rmtest-store-odd";

    /* An odd byte count and no terminator at all. */
    set_value(st->victim_name, L"RegFiles0000", REG_MULTI_SZ, text, (DWORD)(wcslen(text) * sizeof(WCHAR) + 1));
    set_value(st->victim_name, L"RegFiles0001", REG_MULTI_SZ, text, 1);
}

static void damage_regfiles_unterminated(struct case_state *st)
{
    static const WCHAR text[] = L"C:\\rmtest-store-a\0C:\\rmtest-store-b";

    /* Two strings, the last one without its NUL, and no list terminator. */
    set_value(st->victim_name, L"RegFiles0000", REG_MULTI_SZ, text, sizeof(text) - sizeof(WCHAR));
    set_value(st->victim_name, L"RegSvcs0000", REG_MULTI_SZ, L"rmtest-no-service", 10);
}

static void damage_regfiles_empty(struct case_state *st)
{
    static const WCHAR gaps[] = L"C:\\rmtest-store-a\0\0C:\\rmtest-store-b\0\0";

    set_value(st->victim_name, L"RegFiles0000", REG_MULTI_SZ, L"", 0);
    set_value(st->victim_name, L"RegFiles0001", REG_MULTI_SZ, L"\0", 2 * sizeof(WCHAR));
    set_multi_sz(st->victim_name, L"RegFiles0002", gaps, ARRAY_SIZE(gaps));
}

static void damage_regfiles_huge(struct case_state *st)
{
    const size_t chars = 1024 * 1024 / sizeof(WCHAR);
    WCHAR *data = malloc(chars * sizeof(WCHAR));
    size_t pos = 0;
    unsigned int n = 0;

    if (!data) return;
    /* 1 MB of names nobody uses, with proper terminators. */
    while (pos + 300 < chars)
        pos += swprintf(data + pos, chars - pos, L"%ls\\rmtest-store-huge-%06u-%0200u", temp_dir, n++, 0) + 1;
    while (pos < chars) data[pos++] = 0;
    set_multi_sz(st->victim_name, L"RegFiles0000", data, chars);
    free(data);
}

static void damage_regfiles_long_string(struct case_state *st)
{
    const size_t chars = 200 * 1024 / sizeof(WCHAR);
    WCHAR *data = malloc(chars * sizeof(WCHAR));
    size_t i;

    if (!data) return;
    /* One name of 102,397 characters: more than any path can have. */
    wcscpy(data, L"C:\\");
    for (i = 3; i < chars - 2; i++) data[i] = (i % 200) ? 'a' + i % 26 : '\\';
    data[chars - 2] = data[chars - 1] = 0;
    set_multi_sz(st->victim_name, L"RegFiles0000", data, chars);
    free(data);
}

static void damage_regfiles_types(struct case_state *st)
{
    static const WCHAR file[] = L"C:\\rmtest-store-typed";
    ULONGLONG qword = 0x0043004100430041ull;

    set_string(st->victim_name, L"RegFiles0000", REG_SZ, file);
    set_value(st->victim_name, L"RegFiles0001", REG_BINARY, file, sizeof(file));
    set_dword(st->victim_name, L"RegFiles0002", (DWORD)qword);
    set_string(st->victim_name, L"RegFiles0003", REG_EXPAND_SZ, L"%TEMP%\\rmtest-store-expand");
    set_value(st->victim_name, L"RegFiles0004", REG_NONE, NULL, 0);
    set_value(st->victim_name, L"RegProcs0000", REG_QWORD, &qword, sizeof(qword));
}

static void damage_regfiles_names(struct case_state *st)
{
    static const WCHAR file[] = L"C:\\rmtest-store-named\0";

    /* Numbers with gaps, without digits, with letters, beyond 9999. */
    set_multi_sz(st->victim_name, L"RegFiles0005", file, ARRAY_SIZE(file));
    set_multi_sz(st->victim_name, L"RegFiles", file, ARRAY_SIZE(file));
    set_multi_sz(st->victim_name, L"RegFilesABCD", file, ARRAY_SIZE(file));
    set_multi_sz(st->victim_name, L"RegFiles99999", file, ARRAY_SIZE(file));
    set_multi_sz(st->victim_name, L"regfiles0007", file, ARRAY_SIZE(file));
    set_multi_sz(st->victim_name, L"RegProcs", L"garbage\0", 9);
    set_multi_sz(st->victim_name, L"RegSvcsX", L"rmtest-no-service\0", 19);
}

static void damage_regprocs(struct case_state *st)
{
    static const WCHAR procs[] =
        L"garbage\0"
        L"1:2:3\0"
        L"00000001:00000002\0"
        L"zzzzzzzz:zzzzzzzz:zzzzzzzz\0"
        L"+0000001:-0000002:0x000003\0"
        L" 0000001: 0000002: 0000003\0"
        L"00000000:00000000:00000000\0"
        L"ffffffff:ffffffff:ffffffff\0"
        L"00000001:00000002:000000030\0"
        L"00000001:00000002:00000003:\0"
        L"00000001;00000002;00000003\0"
        L"0000000100000002000000030000\0"
        L"\x4e00\x4e01\x4e02\x4e03\x4e04\x4e05\x4e06\x4e07:00000002:00000003\0";
    WCHAR dead[64], *big;
    RM_UNIQUE_PROCESS owner = self_owner;
    size_t i, chars = 10000;

    set_multi_sz(st->victim_name, L"RegProcs0000", procs, ARRAY_SIZE(procs));
    /* This pid with another start time: a process that is gone. */
    owner.ProcessStartTime.dwHighDateTime ^= 1;
    i = swprintf(dead, ARRAY_SIZE(dead), L"%08lx:%08lx:%08lx", owner.dwProcessId,
                 owner.ProcessStartTime.dwHighDateTime, owner.ProcessStartTime.dwLowDateTime);
    dead[i + 1] = 0;
    set_multi_sz(st->victim_name, L"RegProcs0001", dead, i + 2);
    if ((big = malloc(chars * sizeof(WCHAR))))
    {
        for (i = 0; i < chars - 2; i++) big[i] = (i % 9 == 8) ? ':' : '1';
        big[chars - 2] = big[chars - 1] = 0;
        set_multi_sz(st->victim_name, L"RegProcs0002", big, chars);
        free(big);
    }
}

static void damage_regsvcs(struct case_state *st)
{
    WCHAR *svc;
    size_t i, chars = 4000;

    if (!(svc = malloc(chars * sizeof(WCHAR)))) return;
    for (i = 0; i < chars - 2; i++) svc[i] = (i % 500 == 499) ? 0 : 'S';
    svc[chars - 2] = svc[chars - 1] = 0;
    set_multi_sz(st->victim_name, L"RegSvcs0000", svc, chars);
    set_value(st->victim_name, L"RegSvcs0001", REG_MULTI_SZ, L"x", 3);
    free(svc);
}

static void damage_foreign_values(struct case_state *st)
{
    WCHAR *name;
    size_t i;
    BYTE data[64];

    fill_random(data, sizeof(data));
    set_string(st->victim_name, L"Foo", REG_SZ, L"bar");
    set_dword(st->victim_name, L"", 42);
    set_value(st->victim_name, L"RegFilesHash", REG_BINARY, data, sizeof(data));
    set_value(st->victim_name, L"RegProcsHash", REG_MULTI_SZ, L"garbage\0", 9 * sizeof(WCHAR));
    set_value(st->victim_name, L"Owner2", REG_BINARY, &self_owner, sizeof(self_owner));
    if ((name = malloc((MAX_VALUE_NAME + 1) * sizeof(WCHAR))))
    {
        /* The longest value name there can be. */
        for (i = 0; i < MAX_VALUE_NAME; i++) name[i] = 'v';
        name[MAX_VALUE_NAME] = 0;
        memcpy(name, L"RegFiles", 8 * sizeof(WCHAR));
        set_multi_sz(st->victim_name, name, L"C:\\rmtest-store-longname\0", 26);
        free(name);
    }
}

static void damage_subkeys(struct case_state *st)
{
    WCHAR path[128];

    swprintf(path, ARRAY_SIZE(path), L"%ls\\Foo\\Bar\\Baz", st->victim_name);
    if (!create_key(path, st->nonvolatile)) return;
    set_string(path, L"Owner", REG_SZ, L"deep");
    swprintf(path, ARRAY_SIZE(path), L"%ls\\RegFiles0000", st->victim_name);
    create_key(path, st->nonvolatile);
    swprintf(path, ARRAY_SIZE(path), L"%ls\\Filters\\Sub", st->victim_name);
    create_key(path, st->nonvolatile);
}

static void damage_filters(struct case_state *st)
{
    static const WCHAR *names[] =
    {
        L"File:", L"Process:", L"Process:garbage", L"Process:1:2", L"Service:", L"Unknown:x", L"",
        L"File", L"file:C:\\rmtest-store-lower",
    };
    WCHAR path[64], *name;
    BYTE big[8192];
    unsigned int i;
    ULONGLONG qword = RmNoRestart;
    size_t j;

    swprintf(path, ARRAY_SIZE(path), L"%ls\\Filters", st->victim_name);
    if (!create_key(path, st->nonvolatile)) return;
    for (i = 0; i < ARRAY_SIZE(names); i++) set_dword(path, names[i], RmNoRestart);
    set_string(path, L"File:C:\\rmtest-store-sz", REG_SZ, L"1");
    set_dword(path, L"File:C:\\rmtest-store-action0", 0);
    set_dword(path, L"File:C:\\rmtest-store-action99", 99);
    set_dword(path, L"File:C:\\rmtest-store-action-1", 0xffffffff);
    set_value(path, L"File:C:\\rmtest-store-qword", REG_QWORD, &qword, sizeof(qword));
    set_value(path, L"File:C:\\rmtest-store-short", REG_DWORD, &qword, 2);
    fill_random(big, sizeof(big));
    set_value(path, L"File:C:\\rmtest-store-big", REG_BINARY, big, sizeof(big));
    set_value(path, L"Service:rmtest-big", REG_DWORD, big, sizeof(big));
    if ((name = malloc((MAX_VALUE_NAME + 1) * sizeof(WCHAR))))
    {
        for (j = 0; j < MAX_VALUE_NAME; j++) name[j] = 'f';
        name[MAX_VALUE_NAME] = 0;
        memcpy(name, L"File:C:\\", 8 * sizeof(WCHAR));
        set_dword(path, name, RmNoShutdown);
        free(name);
    }
    swprintf(path, ARRAY_SIZE(path), L"%ls\\Filters\\File:C:\\sub", st->victim_name);
    create_key(path, st->nonvolatile);
}

static void damage_filters_value(struct case_state *st)
{
    /* A value where the Filters key would be. */
    set_string(st->victim_name, L"Filters", REG_SZ, L"not a key");
}

static void damage_victim_deleted(struct case_state *st)
{
    delete_key(st->victim_name);
}

static void damage_victim_replaced(struct case_state *st)
{
    BYTE hash[64];
    DWORD type, size = sizeof(hash);

    /* The same values, read back and written into a new key of the same name. */
    if (!read_value(st->victim_name, L"SessionHash", &type, hash, &size)) size = 0;
    delete_key(st->victim_name);
    if (!create_key(st->victim_name, st->nonvolatile)) return;
    set_value(st->victim_name, L"Owner", REG_BINARY, &self_owner, sizeof(self_owner));
    set_dword(st->victim_name, L"Sequence", 0);
    if (size) set_value(st->victim_name, L"SessionHash", type, hash, size);
}

static void damage_foreign_keys(struct case_state *st)
{
    static const WCHAR *names[] =
    {
        L"Foo", L"Session9999", L"Session", L"Session0001x", L"Session-001", L"Session00001", L"Session 0002",
        L"Session0064", L"SessionABCD", L"RegFiles0000",
    };
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(names); i++)
    {
        if (!case_key(st, names[i])) continue;
        set_value(names[i], L"Owner", REG_BINARY, &self_owner, sizeof(self_owner));
        set_dword(names[i], L"Sequence", 1);
        set_string(names[i], L"SessionHash", REG_SZ, L"garbage");
    }
}

static void damage_root_values(struct case_state *st)
{
    BYTE data[32];

    fill_random(data, sizeof(data));
    set_string(L"", L"rmtest-store-foo", REG_SZ, L"bar");
    set_value(L"", L"rmtest-store-owner", REG_BINARY, &self_owner, sizeof(self_owner));
    set_value(L"", L"rmtest-store-hash", REG_BINARY, data, sizeof(data));
}

static void cleanup_root_values(void)
{
    delete_value(L"", L"rmtest-store-foo");
    delete_value(L"", L"rmtest-store-owner");
    delete_value(L"", L"rmtest-store-hash");
}

static void damage_slot_empty(struct case_state *st)
{
    WCHAR name[32];

    /* A slot with no values, then slots with one value each. */
    if (!case_slot(st, name)) return;
    if (!case_slot(st, name)) return;
    set_value(name, L"Owner", REG_BINARY, &self_owner, sizeof(self_owner));
    if (!case_slot(st, name)) return;
    set_value(name, L"SessionHash", REG_BINARY, &self_owner, sizeof(self_owner));
    if (!case_slot(st, name)) return;
    set_dword(name, L"Sequence", 3);
}

static void damage_slot_live_garbage(struct case_state *st)
{
    WCHAR name[32];
    BYTE data[32];

    /* Owner names this live process, SessionHash matches no key. */
    if (!case_slot(st, name)) return;
    fill_random(data, sizeof(data));
    set_value(name, L"Owner", REG_BINARY, &self_owner, sizeof(self_owner));
    set_dword(name, L"Sequence", 0xdeadbeef);
    set_value(name, L"SessionHash", REG_BINARY, data, sizeof(data));
    set_multi_sz(name, L"RegFiles0000", L"C:\\rmtest-store-live\0", 22);
}

static void damage_slot_dead_subkeys(struct case_state *st)
{
    RM_UNIQUE_PROCESS owner = self_owner;
    WCHAR name[32], path[128];
    BYTE data[32];
    unsigned int i;

    /* An abandoned slot with a tree of subkeys below it, for whoever reclaims it. */
    if (!case_slot(st, name)) return;
    owner.ProcessStartTime.dwLowDateTime ^= 0x777;
    fill_random(data, sizeof(data));
    set_value(name, L"Owner", REG_BINARY, &owner, sizeof(owner));
    set_dword(name, L"Sequence", 5);
    set_value(name, L"SessionHash", REG_BINARY, data, sizeof(data));
    for (i = 0; i < 8; i++)
    {
        swprintf(path, ARRAY_SIZE(path), L"%ls\\Filters\\Level1-%u\\Level2\\Level3", name, i);
        if (create_key(path, st->nonvolatile)) set_dword(path, L"File:C:\\x", RmNoRestart);
    }
}

static void damage_slot_live_subkeys(struct case_state *st)
{
    WCHAR name[32], path[128];
    BYTE data[32];

    if (!case_slot(st, name)) return;
    fill_random(data, sizeof(data));
    set_value(name, L"Owner", REG_BINARY, &self_owner, sizeof(self_owner));
    set_value(name, L"SessionHash", REG_BINARY, data, sizeof(data));
    swprintf(path, ARRAY_SIZE(path), L"%ls\\Deep\\Deeper", name);
    create_key(path, st->nonvolatile);
}

static void damage_slot_wrong_types(struct case_state *st)
{
    WCHAR name[32];

    if (!case_slot(st, name)) return;
    set_string(name, L"Owner", REG_SZ, L"1234");
    set_value(name, L"Sequence", REG_BINARY, "abcd", 4);
    set_dword(name, L"SessionHash", 0);
    if (!case_slot(st, name)) return;
    set_value(name, L"Owner", REG_BINARY, &self_owner, 8);
    set_value(name, L"SessionHash", REG_BINARY, &self_owner, 4);
}

static void damage_slots_full_live(struct case_state *st)
{
    WCHAR name[32];
    BYTE data[32];
    unsigned int n = 0;

    /* Every free slot taken by a live-looking session nobody can join. */
    while (find_free_slot(name))
    {
        if (!case_key(st, name)) break;
        fill_random(data, sizeof(data));
        set_value(name, L"Owner", REG_BINARY, &self_owner, sizeof(self_owner));
        set_dword(name, L"Sequence", 0);
        set_value(name, L"SessionHash", REG_BINARY, data, sizeof(data));
        n++;
    }
    trace("filled %u slots\n", n);
}

static void damage_slots_full_dead(struct case_state *st)
{
    RM_UNIQUE_PROCESS owner = self_owner;
    WCHAR name[32];
    BYTE data[32];

    /* Every free slot abandoned: each start must reclaim one. */
    owner.ProcessStartTime.dwHighDateTime ^= 0x100;
    while (find_free_slot(name))
    {
        if (!case_key(st, name)) break;
        fill_random(data, sizeof(data));
        set_value(name, L"Owner", REG_BINARY, &owner, sizeof(owner));
        set_value(name, L"SessionHash", REG_BINARY, data, sizeof(data));
    }
}

static void damage_slot_case(struct case_state *st)
{
    WCHAR name[32];

    /* Registry names ignore case: "session0063" is slot 63. */
    lstrcpyW(name, L"session0063");
    if (session_key_exists(name))
    {
        skip("slot 63 is in use\n");
        return;
    }
    if (!case_key(st, name)) return;
    set_string(name, L"Owner", REG_MULTI_SZ, L"x");
}

static void damage_slot_link(struct case_state *st)
{
    WCHAR name[32];

    /* A slot that is a link: reclaiming it must not delete what it points to. */
    if (!find_free_slot(name) || !add_case_key(st, name)) return;
    make_link(st, name);
}

static void damage_filters_link(struct case_state *st)
{
    WCHAR path[64];

    swprintf(path, ARRAY_SIZE(path), L"%ls\\Filters", st->victim_name);
    make_link(st, path);
}

static void damage_slot_subkey_link(struct case_state *st)
{
    RM_UNIQUE_PROCESS owner = self_owner;
    WCHAR name[32], path[64];

    /* An abandoned slot with a link below it. */
    if (!case_slot(st, name)) return;
    owner.ProcessStartTime.dwLowDateTime ^= 0x999;
    set_value(name, L"Owner", REG_BINARY, &owner, sizeof(owner));
    set_value(name, L"SessionHash", REG_BINARY, &owner, sizeof(owner));
    swprintf(path, ARRAY_SIZE(path), L"%ls\\Foo", name);
    make_link(st, path);
}

struct store_case
{
    const char *name;
    void (*damage)(struct case_state *st);
    BOOL busy;      /* only changes the victim's key, quickly: also done under load */
};

static const struct store_case cases[] =
{
    { "Owner as REG_SZ", damage_owner_sz, TRUE },
    { "Owner of 8 bytes", damage_owner_truncated, TRUE },
    { "Owner of 4096 bytes", damage_owner_oversized, TRUE },
    { "Owner missing", damage_owner_missing, TRUE },
    { "Owner a gone process", damage_owner_dead, TRUE },
    { "Owner another live process", damage_owner_other, TRUE },
    { "Sequence as REG_BINARY", damage_sequence_binary, TRUE },
    { "Sequence REG_SZ then 2-byte REG_DWORD", damage_sequence_other, TRUE },
    { "Sequence missing", damage_sequence_missing, TRUE },
    { "Sequence 0xffffffff", damage_sequence_max, TRUE },
    { "SessionHash as REG_DWORD", damage_hash_dword, TRUE },
    { "SessionHash missing", damage_hash_missing, TRUE },
    { "SessionHash garbage, Owner live", damage_hash_garbage, TRUE },
    { "SessionHash of 0 and 1024 bytes", damage_hash_sizes, TRUE },
    { "RegFiles odd length", damage_regfiles_odd, TRUE },
    { "RegFiles unterminated", damage_regfiles_unterminated, TRUE },
    { "RegFiles empty strings", damage_regfiles_empty, TRUE },
    { "RegFiles of 1 MB", damage_regfiles_huge, FALSE },
    { "RegFiles one 200 KB string", damage_regfiles_long_string, FALSE },
    { "RegFiles wrong types", damage_regfiles_types, TRUE },
    { "RegFiles odd names", damage_regfiles_names, TRUE },
    { "RegProcs unparsable", damage_regprocs, TRUE },
    { "RegSvcs long and odd", damage_regsvcs, TRUE },
    { "foreign values", damage_foreign_values, TRUE },
    { "subkeys", damage_subkeys, TRUE },
    { "Filters wrong types", damage_filters, TRUE },
    { "Filters as a value", damage_filters_value, TRUE },
    { "victim key deleted", damage_victim_deleted, FALSE },
    { "victim key recreated", damage_victim_replaced, FALSE },
    { "foreign keys", damage_foreign_keys, FALSE },
    { "root values", damage_root_values, FALSE },
    { "slots with missing values", damage_slot_empty, FALSE },
    { "slot live, hash garbage", damage_slot_live_garbage, FALSE },
    { "slot abandoned, with subkeys", damage_slot_dead_subkeys, FALSE },
    { "slot live, with subkeys", damage_slot_live_subkeys, FALSE },
    { "slots with wrong types", damage_slot_wrong_types, FALSE },
    { "all slots live garbage", damage_slots_full_live, FALSE },
    { "all slots abandoned", damage_slots_full_dead, FALSE },
    { "slot name in lower case", damage_slot_case, FALSE },
    { "slot is a registry link", damage_slot_link, FALSE },
    { "Filters is a registry link", damage_filters_link, FALSE },
    { "link below an abandoned slot", damage_slot_subkey_link, FALSE },
};

static void run_case(const struct store_case *c, BOOL nonvolatile)
{
    struct case_state st;

    winetest_push_context("%s", c->name);
    if (winetest_debug > 1) trace("start\n");
    if (begin_case(&st))
    {
        st.nonvolatile = nonvolatile;
        c->damage(&st);
        exercise(&st);
    }
    end_case(&st);
    if (c->damage == damage_root_values) cleanup_root_values();
    winetest_pop_context();
}

static void test_damaged_store(void)
{
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) run_case(&cases[i], FALSE);
}

/* The same damage in the key of a session this process holds, written while another thread
 * keeps calling: every call still returns a documented code. */
static volatile LONG stop_hammer;

static DWORD WINAPI hammer_thread(void *arg)
{
    const WCHAR *file = arg;
    DWORD ret, handle, reasons;
    WCHAR key[KEY_BUFFER];
    UINT found;

    while (!stop_hammer)
    {
        ret = RmStartSession(&handle, 0, key);
        check_code("thread RmStartSession", ret, start_codes);
        if (ret) continue;
        ret = register_file(handle, file);
        check_code("thread RmRegisterResources", ret, register_codes);
        ret = get_list_once(handle, &found, &reasons);
        check_code("thread RmGetList", ret, getlist_codes);
        ret = RmEndSession(handle);
        check_code("thread RmEndSession", ret, end_codes);
    }
    return 0;
}

static void test_damage_while_busy(void)
{
    struct case_state st;
    HANDLE thread;
    unsigned int i;

    if (!begin_case(&st))
    {
        end_case(&st);
        return;
    }
    stop_hammer = FALSE;
    thread = CreateThread(NULL, 0, hammer_thread, st.file, 0, NULL);
    ok(thread != NULL, "CreateThread failed, error %lu\n", GetLastError());
    /* Only damage to the victim's own key: slots elsewhere are the thread's to take.  Once
     * the victim's key no longer parses, the thread may reclaim it: writes may then fail, or
     * land in the thread's own session. */
    damage_may_fail = TRUE;
    for (i = 0; i < ARRAY_SIZE(cases); i++) if (cases[i].busy) cases[i].damage(&st);
    damage_may_fail = FALSE;
    Sleep(200);
    stop_hammer = TRUE;
    if (thread)
    {
        ok(WaitForSingleObject(thread, 60000) == WAIT_OBJECT_0, "the thread did not stop\n");
        CloseHandle(thread);
    }
    exercise(&st);
    end_case(&st);
}

/* A root that is not volatile (a foreign program created it so), with non-volatile keys in it.
 * Only done when the root is missing or empty, and then under the store mutex, so no session
 * of another process is disturbed; the root is removed again at the end. */
static void test_nonvolatile_root(void)
{
    static const struct store_case nv_cases[] =
    {
        { "non-volatile: victim key recreated", damage_victim_replaced },
        { "non-volatile: foreign keys", damage_foreign_keys },
        { "non-volatile: slots with missing values", damage_slot_empty },
        { "non-volatile: slot abandoned, with subkeys", damage_slot_dead_subkeys },
        { "non-volatile: Filters wrong types", damage_filters },
        { "non-volatile: subkeys", damage_subkeys },
    };
    DWORD subkeys = 0, values = 0, disposition;
    HANDLE mutex;
    HKEY root;
    LSTATUS ret;
    unsigned int i;

    mutex = lock_store();
    if (!mutex) return;
    if (!RegOpenKeyExW(HKEY_CURRENT_USER, rm_root, 0, KEY_ALL_ACCESS, &root))
    {
        RegQueryInfoKeyW(root, NULL, NULL, NULL, &subkeys, NULL, NULL, &values, NULL, NULL, NULL, NULL);
        RegCloseKey(root);
        if (subkeys || values)
        {
            unlock_store(mutex);
            skip("the store root is in use (%lu keys, %lu values); cannot make it non-volatile\n", subkeys, values);
            return;
        }
        ret = RegDeleteKeyW(HKEY_CURRENT_USER, rm_root);
        ok(!ret, "cannot delete the empty root, error %ld\n", ret);
    }
    ret = RegCreateKeyExW(HKEY_CURRENT_USER, rm_root, 0, NULL, REG_OPTION_NON_VOLATILE, KEY_ALL_ACCESS, NULL,
                          &root, &disposition);
    ok(!ret, "cannot create a non-volatile root, error %ld\n", ret);
    unlock_store(mutex);
    if (ret) return;
    RegCloseKey(root);
    ok(disposition == REG_CREATED_NEW_KEY, "got disposition %lu\n", disposition);

    for (i = 0; i < ARRAY_SIZE(nv_cases); i++) run_case(&nv_cases[i], TRUE);

    /* Removed if nothing else lives in it now; the next RmStartSession creates it volatile. */
    mutex = lock_store();
    ret = RegDeleteKeyW(HKEY_CURRENT_USER, rm_root);
    unlock_store(mutex);
    if (ret) trace("the non-volatile root stays (error %ld): another process uses it\n", ret);
}

START_TEST(store)
{
    trace_loaded_dll();
    pNtDeleteKey = (void *)GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtDeleteKey");
    get_process_owner(GetCurrentProcessId(), &self_owner);
    find_other_owner();
    srand(GetTickCount());
    init_temp_dir(L"store");

    /* First, while the root may not exist yet. */
    test_nonvolatile_root();
    test_damaged_store();
    test_damage_while_busy();
}
