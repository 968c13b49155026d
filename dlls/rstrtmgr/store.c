/*
 * Restart Manager: the session store in the registry
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
 * Sessions live where Windows keeps them, HKCU\Software\Microsoft\RestartManager\SessionNNNN,
 * in volatile keys, so that any process of the user, 32- or 64-bit, can join one.  Each
 * session key holds:
 *
 *   Owner        REG_BINARY, 12 bytes: RM_UNIQUE_PROCESS of the primary (pid, creation time)
 *   Sequence     REG_DWORD, bumped by every change to the session
 *   SessionHash  REG_BINARY, 32 bytes: SHA-256 of the 16 key bytes
 *   RegFilesNNNN, RegProcsNNNN, RegSvcsNNNN   REG_MULTI_SZ, one value per registration call
 *
 * Every change is made while holding one named mutex, so a slot is never handed to two
 * sessions and a reader never sees a half-written session.  A slot whose owner process has
 * exited (or whose pid now belongs to a process with another creation time) is abandoned
 * and may be reclaimed.  So is a slot that does not parse, since only a writer killed in the
 * middle of its work, or a foreign program, leaves one behind.
 */

#include "rstrtmgr_private.h"
#include "winternl_shim.h"

WINE_DEFAULT_DEBUG_CHANNEL(rstrtmgr);

/* NtDeleteKey deletes the key the handle refers to: for a handle opened with
 * REG_OPTION_OPEN_LINK, the link itself rather than its target. */

/* The name Windows' own Restart Manager uses, so that both serialise against each other. */
static const WCHAR store_mutex_name[] = L"Local\\RstrMgr3887CAB8-533F-4C85-B0DC-3E5639F8D511";

/* How long a writer waits for another before giving up with ERROR_SEM_TIMEOUT.  Writers hold
 * the lock for a few registry operations only, so reaching this means something is stuck. */
#define STORE_LOCK_TIMEOUT 10000

static HANDLE store_mutex;

/* Opened once per process: under Wine every open and close is a wineserver round trip, and
 * a session start, register and end would otherwise open the root several times. */
static HKEY store_root;

enum slot_state
{
    SLOT_FREE,
    SLOT_LIVE,
    SLOT_ABANDONED,
};

static DWORD map_registry_error(LSTATUS status)
{
    switch (status)
    {
    case ERROR_SUCCESS:
        return ERROR_SUCCESS;
    case ERROR_OUTOFMEMORY:
    case ERROR_NOT_ENOUGH_MEMORY:
        return ERROR_OUTOFMEMORY;
    default:
        WARN("registry error %ld\n", status);
        return ERROR_WRITE_FAULT;
    }
}

/* What a failed registry operation on a session's key, or on a key below it, means to the
 * caller.  Such a key is deleted only when the session ends (or its abandoned slot is
 * reclaimed): a caller still using it holds a handle that no longer refers to a session, so it
 * gets ERROR_INVALID_HANDLE, as every later call with that handle does, never a store error. */
DWORD session_store_error(LSTATUS status)
{
    if (status == ERROR_KEY_DELETED) return ERROR_INVALID_HANDLE;
    return map_registry_error(status);
}

DWORD lock_store(void)
{
    HANDLE mutex = store_mutex;
    DWORD wait;

    if (!mutex)
    {
        /* Created once per process and kept: the mutex outlives every session handle. */
        if (!(mutex = CreateMutexW(NULL, FALSE, store_mutex_name)))
            mutex = OpenMutexW(SYNCHRONIZE, FALSE, store_mutex_name);
        if (!mutex)
        {
            ERR("cannot create the store mutex, error %lu\n", GetLastError());
            return ERROR_SEM_TIMEOUT;
        }
        if (InterlockedCompareExchangePointer(&store_mutex, mutex, NULL))
        {
            CloseHandle(mutex);
            mutex = store_mutex;
        }
    }

    wait = WaitForSingleObject(mutex, STORE_LOCK_TIMEOUT);
    switch (wait)
    {
    case WAIT_ABANDONED:
        /* A writer died holding the lock.  What it left is checked slot by slot when read. */
        WARN("store mutex was abandoned\n");
        /* fall through */
    case WAIT_OBJECT_0:
        return ERROR_SUCCESS;
    default:
        WARN("cannot take the store mutex: wait %#lx, error %lu\n", wait, GetLastError());
        return ERROR_SEM_TIMEOUT;
    }
}

void unlock_store(void)
{
    ReleaseMutex(store_mutex);
}

static DWORD open_root(HKEY *root)
{
    HKEY key = store_root;
    DWORD ret;

    if (!key)
    {
        /* Volatile like Windows' own: sessions never outlive the logon session. */
        if ((ret = map_registry_error(RegCreateKeyExW(HKEY_CURRENT_USER, RM_STORE_ROOT, 0, NULL,
                                                      REG_OPTION_VOLATILE, KEY_ALL_ACCESS, NULL, &key, NULL))))
            return ret;
        if (InterlockedCompareExchangePointer((void **)&store_root, key, NULL))
        {
            RegCloseKey(key);
            key = store_root;
        }
    }
    *root = key;
    return ERROR_SUCCESS;
}

/* Whether a key was deleted while open.  Asked only after an operation through a kept handle
 * failed, so keeping handles costs nothing while all is well. */
BOOL stored_key_deleted(HKEY key)
{
    DWORD subkeys;

    return RegQueryInfoKeyW(key, NULL, NULL, NULL, &subkeys, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
           == ERROR_KEY_DELETED;
}

/* The kept root was deleted by someone else: the next open_root makes a new one.  The stale
 * handle stays open, as another thread may be using it right now (this is rare enough that
 * the one handle it costs does not matter). */
static void forget_root(HKEY root)
{
    InterlockedCompareExchangePointer((void **)&store_root, NULL, root);
}

/* On FreeLibrary: the process goes on without us. */
void release_store(void)
{
    if (store_root) RegCloseKey(store_root);
    if (store_mutex) CloseHandle(store_mutex);
    store_root = NULL;
    store_mutex = NULL;
}

static void format_slot_name(unsigned int slot, WCHAR name[16])
{
    swprintf(name, 16, L"Session%04u", slot);
}

static BOOL owner_is_alive(const RM_UNIQUE_PROCESS *owner)
{
    RM_UNIQUE_PROCESS current;

    SetLastError(ERROR_SUCCESS);
    if (!get_process_identity(owner->dwProcessId, &current))
    {
        /* A process we may not query still exists: never take its slot. */
        return GetLastError() == ERROR_ACCESS_DENIED;
    }
    return !memcmp(&current.ProcessStartTime, &owner->ProcessStartTime, sizeof(FILETIME));
}

static BOOL read_binary_value(HKEY key, const WCHAR *name, void *data, DWORD size)
{
    DWORD type, len = size;

    return !RegQueryValueExW(key, name, NULL, &type, data, &len) && type == REG_BINARY && len == size;
}

static enum slot_state read_slot(HKEY root, unsigned int slot, BYTE hash[RM_KEY_HASH_BYTES])
{
    RM_UNIQUE_PROCESS owner;
    enum slot_state state;
    WCHAR name[16];
    HKEY key;

    format_slot_name(slot, name);
    if (RegOpenKeyExW(root, name, 0, KEY_QUERY_VALUE, &key)) return SLOT_FREE;

    if (!read_binary_value(key, L"Owner", &owner, sizeof(owner))
            || !read_binary_value(key, L"SessionHash", hash, RM_KEY_HASH_BYTES))
    {
        TRACE("%s does not parse, treating it as abandoned\n", debugstr_w(name));
        state = SLOT_ABANDONED;
    }
    else if (owner_is_alive(&owner)) state = SLOT_LIVE;
    else
    {
        TRACE("%s: owner %s is gone\n", debugstr_w(name), debugstr_rm_unique_process(&owner));
        state = SLOT_ABANDONED;
    }
    RegCloseKey(key);
    return state;
}

/* Delete a key and everything below it without following registry links: a link that some
 * other program planted in the store (as a slot or below one) must not make us delete the
 * key it points to.  Returns whether the key is gone. */
static BOOL delete_tree(HKEY parent, const WCHAR *name)
{
    WCHAR subkey[256];
    DWORD index = 0, len;
    NTSTATUS status;
    HKEY key;

    if (RegOpenKeyExW(parent, name, REG_OPTION_OPEN_LINK, KEY_ENUMERATE_SUB_KEYS | DELETE, &key)) return FALSE;
    for (;;)
    {
        len = ARRAYSIZE(subkey);
        if (RegEnumKeyExW(key, index, subkey, &len, NULL, NULL, NULL, NULL)) break;
        /* A subkey that cannot be deleted keeps its place: step over it. */
        if (!delete_tree(key, subkey)) index++;
    }
    status = NtDeleteKey(key);
    RegCloseKey(key);
    return !status;
}

/*
 * Open or create a subkey of a session key without following a registry link: a link that
 * some other program planted there (as "Filters", say) must not make us write into the key it
 * points to.  Such a link is deleted (the link only, not its target) and a real key takes its
 * place.  Returns a registry status.
 */
LSTATUS open_session_subkey(HKEY parent, const WCHAR *name, BOOL create, HKEY *key)
{
    DWORD type = REG_NONE;
    HKEY probe;

    if (!RegOpenKeyExW(parent, name, REG_OPTION_OPEN_LINK, KEY_QUERY_VALUE | DELETE, &probe))
    {
        if (!RegQueryValueExW(probe, L"SymbolicLinkValue", NULL, &type, NULL, NULL) && type == REG_LINK)
        {
            WARN("%s is a registry link: deleting the link\n", debugstr_w(name));
            NtDeleteKey(probe);
        }
        RegCloseKey(probe);
    }
    if (create)
        return RegCreateKeyExW(parent, name, 0, NULL, REG_OPTION_VOLATILE, KEY_ALL_ACCESS, NULL, key, NULL);
    return RegOpenKeyExW(parent, name, 0, KEY_ALL_ACCESS, key);
}

/* Which slots have a key: one enumeration of what exists is far cheaper than probing all 64
 * names, since most slots are usually empty. */
static void find_present_slots(HKEY root, BOOL present[RM_MAX_SESSIONS])
{
    WCHAR name[32], *end;
    DWORD index, len;
    unsigned long n;

    memset(present, 0, RM_MAX_SESSIONS * sizeof(*present));
    for (index = 0;; index++)
    {
        LSTATUS status;

        len = ARRAYSIZE(name);
        status = RegEnumKeyExW(root, index, name, &len, NULL, NULL, NULL, NULL);
        if (status == ERROR_MORE_DATA) continue;  /* a foreign key with a long name */
        if (status) break;
        /* Key names compare case-insensitively, so "session0001" is slot 1 as well. */
        if (len != 11 || wcsnicmp(name, L"Session", 7)) continue;
        n = wcstoul(name + 7, &end, 10);
        if (*end || end != name + 11 || name[7] < '0' || name[7] > '9') continue;
        if (n < RM_MAX_SESSIONS) present[n] = TRUE;
    }
}

static void delete_slot(HKEY root, unsigned int slot)
{
    WCHAR name[16];

    format_slot_name(slot, name);
    if (!delete_tree(root, name)) WARN("cannot delete %s\n", debugstr_w(name));
}

static DWORD write_new_session(HKEY root, unsigned int slot, const BYTE hash[RM_KEY_HASH_BYTES], HKEY *kept)
{
    RM_UNIQUE_PROCESS owner;
    DWORD sequence = 0, disposition;
    LSTATUS status;
    WCHAR name[16];
    HKEY key;

    if (!get_process_identity(GetCurrentProcessId(), &owner)) return ERROR_WRITE_FAULT;

    format_slot_name(slot, name);
    if ((status = RegCreateKeyExW(root, name, 0, NULL, REG_OPTION_VOLATILE, KEY_ALL_ACCESS, NULL,
                                  &key, &disposition)))
        return map_registry_error(status);

    if (!(status = RegSetValueExW(key, L"Owner", 0, REG_BINARY, (BYTE *)&owner, sizeof(owner))))
        if (!(status = RegSetValueExW(key, L"Sequence", 0, REG_DWORD, (BYTE *)&sequence, sizeof(sequence))))
            status = RegSetValueExW(key, L"SessionHash", 0, REG_BINARY, hash, RM_KEY_HASH_BYTES);

    if (status)
    {
        RegCloseKey(key);
        delete_slot(root, slot);
        return map_registry_error(status);
    }
    *kept = key;
    return ERROR_SUCCESS;
}

/* Run one step on the store's root key.  If the step fails because someone deleted the root
 * (the kept handle then refers to nothing), forget that root and run the step once more on a
 * new one. */
static DWORD on_store_root(DWORD (*step)(HKEY root, void *context), void *context)
{
    HKEY root;
    DWORD ret;

    if ((ret = open_root(&root))) return ret;
    if (!(ret = step(root, context)) || !stored_key_deleted(root)) return ret;
    forget_root(root);
    if ((ret = open_root(&root))) return ret;
    return step(root, context);
}

struct slot_search
{
    const BYTE *hash;
    unsigned int slot;
    HKEY key;
};

/* Clear every abandoned slot, not only the one taken: a key a killed writer left behind must
 * not wait until a start happens to need its number.  Then take the first free slot. */
static DWORD take_free_slot(HKEY root, void *context)
{
    struct slot_search *search = context;
    BYTE stored[RM_KEY_HASH_BYTES];
    BOOL present[RM_MAX_SESSIONS];
    unsigned int i, free_slot = RM_MAX_SESSIONS;
    DWORD ret;

    find_present_slots(root, present);
    for (i = 0; i < RM_MAX_SESSIONS; i++)
    {
        if (present[i])
        {
            enum slot_state state = read_slot(root, i, stored);

            if (state == SLOT_LIVE) continue;
            if (state == SLOT_ABANDONED)
            {
                TRACE("reclaiming slot %u\n", i);
                delete_slot(root, i);
            }
        }
        if (free_slot == RM_MAX_SESSIONS) free_slot = i;
    }
    if (free_slot == RM_MAX_SESSIONS) return ERROR_MAX_SESSIONS_REACHED;
    if (!(ret = write_new_session(root, free_slot, search->hash, &search->key))) search->slot = free_slot;
    return ret;
}

DWORD create_stored_session(const BYTE hash[RM_KEY_HASH_BYTES], unsigned int *slot, HKEY *kept)
{
    struct slot_search search = { hash };
    DWORD ret;

    if ((ret = lock_store())) return ret;
    if (!(ret = on_store_root(take_free_slot, &search)))
    {
        *slot = search.slot;
        *kept = search.key;
    }
    unlock_store();
    return ret;
}

/* The live slot that holds a session with this key hash. */
static DWORD find_slot(HKEY root, void *context)
{
    struct slot_search *search = context;
    BYTE stored[RM_KEY_HASH_BYTES];
    BOOL present[RM_MAX_SESSIONS];
    unsigned int i;

    find_present_slots(root, present);
    for (i = 0; i < RM_MAX_SESSIONS; i++)
    {
        if (present[i] && read_slot(root, i, stored) == SLOT_LIVE && !memcmp(stored, search->hash, RM_KEY_HASH_BYTES))
        {
            search->slot = i;
            return ERROR_SUCCESS;
        }
    }
    return ERROR_SESSION_CREDENTIAL_CONFLICT;
}

DWORD find_stored_session(const BYTE hash[RM_KEY_HASH_BYTES], unsigned int *slot)
{
    struct slot_search search = { hash };
    DWORD ret;

    if ((ret = lock_store())) return ret;
    if (!(ret = on_store_root(find_slot, &search))) *slot = search.slot;
    unlock_store();
    return ret;
}

struct slot_open
{
    const WCHAR *name;
    REGSAM access;
    HKEY key;
    LSTATUS status;
};

static DWORD open_slot(HKEY root, void *context)
{
    struct slot_open *open = context;

    open->status = RegOpenKeyExW(root, open->name, 0, open->access | KEY_QUERY_VALUE, &open->key);
    return open->status;
}

/* Open the key of a session this process holds a handle to.  If the slot now holds another
 * session (ours was ended by its primary and the slot reused), the handle is stale. */
DWORD open_stored_session(const struct session *session, REGSAM access, HKEY *key)
{
    struct slot_open open = { NULL, access, NULL, ERROR_SUCCESS };
    BYTE stored[RM_KEY_HASH_BYTES];
    WCHAR name[16];
    DWORD ret;

    format_slot_name(session->slot, name);
    open.name = name;
    /* A failure that is not the open's own is the root's: the handle can refer to nothing. */
    if ((ret = on_store_root(open_slot, &open)) && (LSTATUS)ret != open.status) return ERROR_INVALID_HANDLE;
    if (open.status) return open.status == ERROR_FILE_NOT_FOUND ? ERROR_INVALID_HANDLE : map_registry_error(open.status);

    if (!read_binary_value(open.key, L"SessionHash", stored, sizeof(stored))
            || memcmp(stored, session->key_hash, sizeof(stored)))
    {
        RegCloseKey(open.key);
        return ERROR_INVALID_HANDLE;
    }
    *key = open.key;
    return ERROR_SUCCESS;
}

DWORD delete_stored_session(const struct session *session)
{
    HKEY key, root;
    DWORD ret;

    if ((ret = lock_store())) return ret;
    /* The kept key is the session's own: delete it directly.  If that fails (someone deleted or
     * replaced it, or it has subkeys), the careful way: by name, after checking the hash. */
    if (!session->key || NtDeleteKey(session->key))
    {
        if (!(ret = open_stored_session(session, KEY_QUERY_VALUE, &key)))
        {
            RegCloseKey(key);
            if (!(ret = open_root(&root))) delete_slot(root, session->slot);
        }
    }
    unlock_store();
    return ret;
}

/* The session's Sequence value, or ~0u if it is missing or damaged: that never matches
 * what a reader or writer remembers. */
DWORD read_sequence(HKEY key)
{
    DWORD type, sequence = 0, size = sizeof(sequence);

    if (RegQueryValueExW(key, L"Sequence", NULL, &type, (BYTE *)&sequence, &size) || type != REG_DWORD
            || size != sizeof(sequence))
        sequence = ~0u;
    return sequence;
}

DWORD set_sequence(HKEY key, DWORD sequence)
{
    return map_registry_error(RegSetValueExW(key, L"Sequence", 0, REG_DWORD, (BYTE *)&sequence, sizeof(sequence)));
}

/* Every change to a session moves its Sequence on; a damaged one starts again at 1. */
DWORD bump_sequence(HKEY key)
{
    DWORD sequence = read_sequence(key);

    return set_sequence(key, sequence == ~0u ? 1 : sequence + 1);
}
