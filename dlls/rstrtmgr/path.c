/*
 * Restart Manager: comparing file names
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
 * Registered names and the names the system reports for open files and loaded modules are
 * brought to one canonical form: a full DOS path, long names instead of 8.3 ones, no \\?\ or
 * \??\ prefix, backslashes, upper case, and a 32-bit caller's Sysnative alias resolved to the
 * real system32.  Registered names go into a hash set, so each name the system reports costs
 * one hash and one probe, however many files are registered.
 */

#include "rstrtmgr_private.h"

WINE_DEFAULT_DEBUG_CHANNEL(rstrtmgr);

/* Device names (\Device\HarddiskVolume1) of the drive letters, for names Windows reports. */
struct dos_device
{
    WCHAR letter;
    WCHAR target[MAX_PATH];
    size_t len;
};

static struct dos_device *dos_devices;
static unsigned int dos_device_count;
static INIT_ONCE dos_devices_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK init_dos_devices(INIT_ONCE *once, void *param, void **context)
{
    static struct dos_device devices[26];
    WCHAR drive[3] = L"A:";
    DWORD drives = GetLogicalDrives();
    unsigned int i;

    for (i = 0; i < 26; i++)
    {
        if (!(drives & (1u << i))) continue;
        drive[0] = 'A' + i;
        if (!QueryDosDeviceW(drive, devices[dos_device_count].target, MAX_PATH)) continue;
        devices[dos_device_count].letter = drive[0];
        devices[dos_device_count].len = wcslen(devices[dos_device_count].target);
        dos_device_count++;
    }
    dos_devices = devices;
    return TRUE;
}

static BOOL starts_with(const WCHAR *str, const WCHAR *prefix)
{
    return !wcsnicmp(str, prefix, wcslen(prefix));
}

/* Turn \Device\HarddiskVolumeN\x into C:\x; other names are returned unchanged. */
static const WCHAR *device_to_dos(const WCHAR *name, WCHAR *buffer, size_t size)
{
    unsigned int i;

    if (!starts_with(name, L"\\Device\\")) return name;
    InitOnceExecuteOnce(&dos_devices_once, init_dos_devices, NULL, NULL);
    for (i = 0; i < dos_device_count; i++)
    {
        const struct dos_device *device = &dos_devices[i];

        if (!wcsnicmp(name, device->target, device->len) && name[device->len] == '\\'
                && wcslen(name + device->len) + 3 <= size)
        {
            buffer[0] = device->letter;
            buffer[1] = ':';
            wcscpy(buffer + 2, name + device->len);
            return buffer;
        }
    }
    return name;
}

/* Upper case as the invariant locale has it, and backslashes.  Most names are plain ASCII,
 * which is done here; LCMapStringEx, far slower per call under Wine, does only the rest. */
static void to_upper(WCHAR *str, size_t len)
{
    size_t i;

    for (i = 0; i < len && str[i] < 0x80; i++)
    {
        if (str[i] >= 'a' && str[i] <= 'z') str[i] -= 'a' - 'A';
        else if (str[i] == '/') str[i] = '\\';
    }
    if (i == len) return;
    if (!LCMapStringEx(LOCALE_NAME_INVARIANT, LCMAP_UPPERCASE, str + i, (int)(len - i), str + i, (int)(len - i),
                       NULL, NULL, 0))
    {
        for (; i < len; i++) str[i] = towupper(str[i]);
    }
    for (; i < len; i++) if (str[i] == '/') str[i] = '\\';
}

static WCHAR *sysnative_dir;      /* "C:\WINDOWS\SYSNATIVE\" for a 32-bit process on 64-bit */
static WCHAR *system_dir;         /* "C:\WINDOWS\SYSTEM32\" */
static size_t sysnative_len;
static INIT_ONCE redirect_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK init_redirect(INIT_ONCE *once, void *param, void **context)
{
    WCHAR windir[MAX_PATH];
    BOOL wow64 = FALSE;
    UINT len;

    IsWow64Process(GetCurrentProcess(), &wow64);
    if (!wow64) return TRUE;
    len = GetWindowsDirectoryW(windir, MAX_PATH);
    if (!len || len > MAX_PATH - 16) return TRUE;
    if (!(sysnative_dir = malloc((len + 16) * sizeof(WCHAR)))) return TRUE;
    if (!(system_dir = malloc((len + 16) * sizeof(WCHAR)))) return TRUE;
    swprintf(sysnative_dir, len + 16, L"%ls\\SYSNATIVE\\", windir);
    swprintf(system_dir, len + 16, L"%ls\\SYSTEM32\\", windir);
    /* Compared with names already in upper case. */
    to_upper(sysnative_dir, wcslen(sysnative_dir));
    to_upper(system_dir, wcslen(system_dir));
    sysnative_len = wcslen(sysnative_dir);
    return TRUE;
}

/* The full path of a name, in a new buffer: one call for the usual name that fits MAX_PATH. */
WCHAR *full_path(const WCHAR *src)
{
    WCHAR buffer[MAX_PATH], *result;
    DWORD len = GetFullPathNameW(src, ARRAYSIZE(buffer), buffer, NULL);

    if (!len) return NULL;
    if (len < ARRAYSIZE(buffer))
    {
        if ((result = malloc((len + 1) * sizeof(WCHAR)))) memcpy(result, buffer, (len + 1) * sizeof(WCHAR));
        return result;
    }
    if (!(result = malloc((len + 1) * sizeof(WCHAR)))) return NULL;
    if (GetFullPathNameW(src, len, result, NULL) >= len)
    {
        free(result);
        return NULL;
    }
    return result;
}

/*
 * Canonical form of a full path (full_path's result, whose buffer it takes over); NULL if it
 * cannot be made.  Short 8.3 components are replaced by long ones, which needs the file to
 * exist and costs a directory lookup per component, so only names with a '~' pay for it.
 */
WCHAR *canonical_path(WCHAR *full)
{
    size_t len;

    if (wcschr(full, '~'))
    {
        DWORD long_len = GetLongPathNameW(full, NULL, 0);
        WCHAR *long_name;

        if (long_len && (long_name = malloc(long_len * sizeof(WCHAR))))
        {
            if (GetLongPathNameW(full, long_name, long_len) && wcslen(long_name) < long_len)
            {
                free(full);
                full = long_name;
            }
            else free(long_name);
        }
    }

    len = wcslen(full);
    to_upper(full, len);

    InitOnceExecuteOnce(&redirect_once, init_redirect, NULL, NULL);
    if (sysnative_dir && system_dir && !wcsncmp(full, sysnative_dir, sysnative_len))
    {
        /* Both prefixes have the same length, so the replacement is done in place. */
        if (sysnative_len == wcslen(system_dir)) memcpy(full, system_dir, sysnative_len * sizeof(WCHAR));
    }
    return full;
}

/*
 * Canonical form of any file name, registered or reported; NULL if it cannot be made.  This
 * runs for every name the system reports, so the usual name (a drive-letter path) takes the
 * short way: only names starting with a backslash can carry a prefix or a device name.
 */
WCHAR *normalize_path(const WCHAR *name)
{
    WCHAR device_buffer[MAX_PATH + 8], *copy = NULL, *result;
    const WCHAR *src = name;

    if (!name || !name[0]) return NULL;
    if (src[0] == '\\')
    {
        if (starts_with(src, L"\\??\\UNC\\") || starts_with(src, L"\\\\?\\UNC\\"))
        {
            /* Keep one more character than needed and turn the "C" of UNC into the second slash. */
            if (!(copy = malloc((wcslen(src) + 1) * sizeof(WCHAR)))) return NULL;
            copy[0] = '\\';
            wcscpy(copy + 1, src + 7);
            src = copy;
        }
        else if (starts_with(src, L"\\??\\") || starts_with(src, L"\\\\?\\")) src += 4;
        else src = device_to_dos(src, device_buffer, ARRAYSIZE(device_buffer));
    }

    /* GetFullPathNameW also turns '/' into '\' and removes "." and ".." components. */
    result = full_path(src);
    free(copy);
    return result ? canonical_path(result) : NULL;
}

/* ------------------------------------------------------------------ hash set */

static ULONG hash_string(const WCHAR *str)
{
    ULONG hash = 2166136261u;

    while (*str)
    {
        hash ^= *str++;
        hash *= 16777619u;
    }
    return hash;
}

BOOL path_set_init(struct path_set *set, unsigned int expected)
{
    unsigned int size = 16;

    while (size < expected * 2) size *= 2;
    set->entries = calloc(size, sizeof(*set->entries));
    set->size = set->entries ? size : 0;
    set->count = 0;
    return set->entries != NULL;
}

void path_set_free(struct path_set *set)
{
    unsigned int i;

    for (i = 0; i < set->size; i++) free(set->entries[i]);
    free(set->entries);
    set->entries = NULL;
    set->size = set->count = 0;
}

/* Takes ownership of path. */
BOOL path_set_add(struct path_set *set, WCHAR *path)
{
    unsigned int mask = set->size - 1, i;

    if ((set->count + 1) * 2 > set->size)
    {
        struct path_set bigger;

        if (!path_set_init(&bigger, set->size)) return FALSE;
        for (i = 0; i < set->size; i++)
            if (set->entries[i]) path_set_add(&bigger, set->entries[i]);
        free(set->entries);
        *set = bigger;
        mask = set->size - 1;
    }
    for (i = hash_string(path) & mask; set->entries[i]; i = (i + 1) & mask)
    {
        if (!wcscmp(set->entries[i], path))
        {
            free(path);
            return TRUE;
        }
    }
    set->entries[i] = path;
    set->count++;
    return TRUE;
}

BOOL path_set_contains(const struct path_set *set, const WCHAR *path)
{
    unsigned int mask = set->size - 1, i;

    if (!set->count) return FALSE;
    for (i = hash_string(path) & mask; set->entries[i]; i = (i + 1) & mask)
        if (!wcscmp(set->entries[i], path)) return TRUE;
    return FALSE;
}

/* Normalise a reported name and look it up. */
BOOL path_set_match(const struct path_set *set, const WCHAR *name)
{
    WCHAR *path;
    BOOL ret;

    if (!set->count || !(path = normalize_path(name))) return FALSE;
    ret = path_set_contains(set, path);
    free(path);
    return ret;
}
