/*
 * Restart Manager: reading and signalling another process
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
 * Shared by rstrtmgr.dll and rmhelper64.exe (which does the same for a 32-bit DLL when the
 * target is a 64-bit process):
 *
 * - read_process_params: the command line, working directory and environment a process was
 *   started with, from its PEB, so that an application closed by RmShutdown can be started
 *   again the way it ran when the platform keeps no restart registration (Wine 8.0).
 * - send_ctrl_event: a console control event (CTRL_C_EVENT, CTRL_CLOSE_EVENT) for one process
 *   only.  Windows' console host starts kernelbase's CtrlRoutine in the target, with the event
 *   as its parameter; GenerateConsoleCtrlEvent would reach the caller's whole console group
 *   instead (and under Wine 8.0 only the caller's own group), so this starts CtrlRoutine in
 *   the target directly, at the address its kernelbase has there.
 */

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <windef.h>
#include <winbase.h>
#include <wingdi.h>
#include <wincon.h>
#include <stddef.h>
#include <psapi.h>

#include "remote.h"
#include "winternl_shim.h"

/* Where the fields sit, for 32- and 64-bit targets. */
struct params_layout
{
    size_t pointer;         /* size of a pointer */
    size_t peb_params;      /* PEB.ProcessParameters */
    size_t cwd;             /* RTL_USER_PROCESS_PARAMETERS.CurrentDirectory.DosPath */
    size_t image;           /* .ImagePathName */
    size_t cmdline;         /* .CommandLine */
    size_t env;             /* .Environment */
    size_t peb_ldr;         /* PEB.LdrData */
    size_t ldr_load_order;  /* PEB_LDR_DATA.InLoadOrderModuleList */
    size_t entry_name;      /* LDR_DATA_TABLE_ENTRY.FullDllName (its InLoadOrderLinks come first) */
};

#define PARAMS_LAYOUT(bits) \
    { \
        bits / 8, offsetof(PEB##bits, ProcessParameters), \
        offsetof(RTL_USER_PROCESS_PARAMETERS##bits, CurrentDirectory.DosPath), \
        offsetof(RTL_USER_PROCESS_PARAMETERS##bits, ImagePathName), \
        offsetof(RTL_USER_PROCESS_PARAMETERS##bits, CommandLine), \
        offsetof(RTL_USER_PROCESS_PARAMETERS##bits, Environment), \
        offsetof(PEB##bits, LdrData), offsetof(PEB_LDR_DATA##bits, InLoadOrderModuleList), \
        offsetof(LDR_DATA_TABLE_ENTRY##bits, FullDllName), \
    }
static const struct params_layout layout32 = PARAMS_LAYOUT(32);
static const struct params_layout layout64 = PARAMS_LAYOUT(64);

static BOOL read_memory(HANDLE process, ULONG64 address, void *buffer, size_t size)
{
    SIZE_T got = 0;

    if (!address || (sizeof(void *) == 4 && address + size > 0xffffffffull)) return FALSE;
    return ReadProcessMemory(process, (void *)(ULONG_PTR)address, buffer, size, &got) && got == size;
}

static ULONG64 read_pointer(HANDLE process, const struct params_layout *layout, ULONG64 address)
{
    ULONG64 value = 0;

    if (!read_memory(process, address, &value, layout->pointer)) return 0;
    return value;
}

/* A UNICODE_STRING of the target, copied and NUL-terminated. */
static WCHAR *read_string(HANDLE process, const struct params_layout *layout, ULONG64 address)
{
    USHORT length;
    ULONG64 buffer;
    WCHAR *str;

    if (!read_memory(process, address, &length, sizeof(length))) return NULL;
    if (!(buffer = read_pointer(process, layout, address + layout->pointer))) return NULL;
    if (!(str = calloc(length / sizeof(WCHAR) + 1, sizeof(WCHAR)))) return NULL;
    if (length && !read_memory(process, buffer, str, length))
    {
        free(str);
        return NULL;
    }
    return str;
}

/* The environment block ends with an empty string; read it page by page until it does. */
static WCHAR *read_environment(HANDLE process, ULONG64 address, size_t *len)
{
    size_t size = 0, used = 0, i;
    WCHAR *env = NULL, *bigger;

    while (size < 1024 * 1024)
    {
        /* Never read across a page boundary we might not own. */
        size_t chunk = 4096 - (size_t)((address + used * sizeof(WCHAR)) & 4095);

        if (!(bigger = realloc(env, size * sizeof(WCHAR) + chunk + 2 * sizeof(WCHAR)))) break;
        env = bigger;
        if (!read_memory(process, address + used * sizeof(WCHAR), (BYTE *)env + used * sizeof(WCHAR), chunk)) break;
        size = used + chunk / sizeof(WCHAR);
        for (i = used ? used - 1 : 0; i + 1 < size; i++)
        {
            if (!env[i] && !env[i + 1])
            {
                *len = i + 2;
                return env;
            }
        }
        used = size;
    }
    free(env);
    return NULL;
}

/*
 * The PEB of a process and the layout of its structures.  A 32-bit target of a 64-bit caller
 * has its own, 32-bit PEB on Windows; Wine 8.0 answers 1 instead of that address.  Then
 * *wine_wow64 is set and the 64-bit PEB is returned: Wine keeps the process parameters there
 * too, but not the loader's module list.
 */
static ULONG64 find_peb(HANDLE process, const struct params_layout **layout, BOOL *wine_wow64)
{
    PROCESS_BASIC_INFORMATION basic;
    ULONG_PTR wow64_peb = 0;

    *layout = sizeof(void *) == 8 ? &layout64 : &layout32;
    *wine_wow64 = FALSE;
    if (sizeof(void *) == 8 && !NtQueryInformationProcess(process, ProcessWow64Information, &wow64_peb,
                                                          sizeof(wow64_peb), NULL) && wow64_peb)
    {
        if (wow64_peb >= 0x10000)
        {
            *layout = &layout32;
            return wow64_peb;
        }
        *wine_wow64 = TRUE;
    }
    if (NtQueryInformationProcess(process, ProcessBasicInformation, &basic, sizeof(basic), NULL)) return 0;
    return (ULONG_PTR)basic.PebBaseAddress;
}

BOOL read_process_params(HANDLE process, struct process_params *params)
{
    const struct params_layout *layout;
    ULONG64 peb, block;
    BOOL wine_wow64;

    memset(params, 0, sizeof(*params));
    if (!(peb = find_peb(process, &layout, &wine_wow64))) return FALSE;
    if (!(block = read_pointer(process, layout, peb + layout->peb_params))) return FALSE;

    params->image = read_string(process, layout, block + layout->image);
    params->cmdline = read_string(process, layout, block + layout->cmdline);
    params->cwd = read_string(process, layout, block + layout->cwd);
    params->env = read_environment(process, read_pointer(process, layout, block + layout->env), &params->env_len);
    if (!params->cmdline)
    {
        free_process_params(params);
        return FALSE;
    }
    return TRUE;
}

void free_process_params(struct process_params *params)
{
    free(params->image);
    free(params->cmdline);
    free(params->cwd);
    free(params->env);
    memset(params, 0, sizeof(*params));
}

/*
 * Name every module of a process by walking its loader list: one read per entry and one per
 * name.  psapi's GetModuleFileNameExW walks the list again from the start for each module it
 * is asked about, which makes naming all modules quadratic in reads, and under Wine every
 * read is a round trip to the wineserver.  The callback returns TRUE to stop the walk.
 * Returns FALSE if the list cannot be read from its start (the caller then asks psapi); a walk
 * that breaks off later keeps what it named (a module list may change while it is read).
 */
static BOOL walk_module_names(HANDLE process, BOOL (*callback)(void *ctx, const WCHAR *name), void *ctx)
{
    const struct params_layout *layout;
    ULONG64 peb, ldr, head, entry;
    BYTE fields[sizeof(LDR_DATA_TABLE_ENTRY64)];   /* the larger of the two layouts */
    WCHAR *name;
    unsigned int count;
    BOOL wine_wow64;

    if (!(peb = find_peb(process, &layout, &wine_wow64)) || wine_wow64) return FALSE;
    if (!(ldr = read_pointer(process, layout, peb + layout->peb_ldr))) return FALSE;
    head = ldr + layout->ldr_load_order;
    if (!(entry = read_pointer(process, layout, head))) return FALSE;
    /* FullDllName.Length is a USHORT: no name is longer than this. */
    if (!(name = malloc(65536 + sizeof(WCHAR)))) return FALSE;

    /* The count only guards against a list that a racing change left circular. */
    for (count = 0; entry != head && count < 16384; count++)
    {
        size_t fields_size = layout->entry_name + 2 * layout->pointer;
        USHORT length;
        ULONG64 buffer = 0;

        if (!read_memory(process, entry, fields, fields_size)) break;
        memcpy(&length, fields + layout->entry_name, sizeof(length));
        memcpy(&buffer, fields + layout->entry_name + layout->pointer, layout->pointer);
        if (length && read_memory(process, buffer, name, length))
        {
            name[length / sizeof(WCHAR)] = 0;
            if (callback(ctx, name)) break;
        }
        entry = 0;
        memcpy(&entry, fields, layout->pointer);    /* InLoadOrderLinks.Flink */
        if (!entry) break;
    }
    free(name);
    return TRUE;
}

struct pe_file
{
    BYTE *data;
    DWORD size;
    const IMAGE_SECTION_HEADER *sections;
    DWORD nsections;
};

/* Map an RVA to the file data through the section table; NULL if it is not in the file. */
static void *rva_to_ptr(const struct pe_file *pe, DWORD rva)
{
    DWORD i;

    for (i = 0; i < pe->nsections; i++)
    {
        const IMAGE_SECTION_HEADER *section = &pe->sections[i];
        DWORD offset;

        if (rva < section->VirtualAddress || rva >= section->VirtualAddress + section->SizeOfRawData) continue;
        offset = section->PointerToRawData + (rva - section->VirtualAddress);
        return offset < pe->size ? pe->data + offset : NULL;
    }
    return NULL;
}

/* The RVA of an export, read from the DLL file itself: the target's copy may be the other
 * architecture's, which this process cannot load. */
static DWORD export_rva(const WCHAR *path, const char *name)
{
    struct pe_file pe = { NULL, 0, NULL, 0 };
    IMAGE_DOS_HEADER dos;
    IMAGE_NT_HEADERS32 *nt32;
    IMAGE_EXPORT_DIRECTORY *exports;
    IMAGE_DATA_DIRECTORY dir;
    DWORD got, rva = 0, n, *names, *functions;
    WORD *ordinals;
    HANDLE handle;

    handle = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL, OPEN_EXISTING, 0, NULL);
    if (handle == INVALID_HANDLE_VALUE) return 0;
    pe.size = GetFileSize(handle, NULL);
    if (pe.size != INVALID_FILE_SIZE && pe.size < 64 * 1024 * 1024 && (pe.data = malloc(pe.size))
            && (!ReadFile(handle, pe.data, pe.size, &got, NULL) || got != pe.size))
    {
        free(pe.data);
        pe.data = NULL;
    }
    CloseHandle(handle);
    if (!pe.data || pe.size < sizeof(dos)) goto done;

    memcpy(&dos, pe.data, sizeof(dos));
    if (dos.e_magic != IMAGE_DOS_SIGNATURE || dos.e_lfanew <= 0
            || (DWORD)dos.e_lfanew + sizeof(IMAGE_NT_HEADERS64) > pe.size)
        goto done;
    nt32 = (IMAGE_NT_HEADERS32 *)(pe.data + dos.e_lfanew);
    if (nt32->Signature != IMAGE_NT_SIGNATURE) goto done;
    /* The export directory entry sits at a different offset in PE32 and PE32+ headers. */
    if (nt32->OptionalHeader.Magic == IMAGE_NT_OPTIONAL_HDR64_MAGIC)
        dir = ((IMAGE_NT_HEADERS64 *)nt32)->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_EXPORT];
    else
        dir = nt32->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_EXPORT];
    pe.nsections = nt32->FileHeader.NumberOfSections;
    pe.sections = (IMAGE_SECTION_HEADER *)((BYTE *)&nt32->OptionalHeader + nt32->FileHeader.SizeOfOptionalHeader);
    if ((BYTE *)(pe.sections + pe.nsections) > pe.data + pe.size) goto done;

    if (!dir.VirtualAddress || !(exports = rva_to_ptr(&pe, dir.VirtualAddress))) goto done;
    names = rva_to_ptr(&pe, exports->AddressOfNames);
    ordinals = rva_to_ptr(&pe, exports->AddressOfNameOrdinals);
    functions = rva_to_ptr(&pe, exports->AddressOfFunctions);
    if (!names || !ordinals || !functions) goto done;
    for (n = 0; n < exports->NumberOfNames && !rva; n++)
    {
        const char *export_name = rva_to_ptr(&pe, names[n]);

        if (export_name && !strcmp(export_name, name) && ordinals[n] < exports->NumberOfFunctions)
            rva = functions[ordinals[n]];
    }

done:
    free(pe.data);
    return rva;
}

BOOL send_ctrl_event(DWORD pid, DWORD event)
{
    HMODULE stack_modules[512];
    WCHAR path[MAX_PATH], wow64_dir[MAX_PATH];
    DWORD needed = 0, i, rva;
    ULONG_PTR base = 0;
    HANDLE process, thread;
    BOOL wow64 = FALSE;

    process = OpenProcess(PROCESS_CREATE_THREAD | PROCESS_QUERY_INFORMATION | PROCESS_VM_OPERATION
                          | PROCESS_VM_WRITE | PROCESS_VM_READ, FALSE, pid);
    if (!process) return FALSE;
    IsWow64Process(process, &wow64);
    if (EnumProcessModulesEx(process, stack_modules, sizeof(stack_modules), &needed, LIST_MODULES_ALL))
    {
        for (i = 0; i < needed / sizeof(HMODULE) && i < ARRAYSIZE(stack_modules) && !base; i++)
        {
            const WCHAR *name;

            if (!GetModuleFileNameExW(process, stack_modules[i], path, ARRAYSIZE(path))) continue;
            name = wcsrchr(path, '\\') ? wcsrchr(path, '\\') + 1 : path;
            if (!wcsicmp(name, L"kernelbase.dll")) base = (ULONG_PTR)stack_modules[i];
        }
    }
    /* A 32-bit target's system DLLs live in syswow64, whatever path its loader reports. */
    if (base && wow64 && sizeof(void *) == 8 && GetSystemWow64DirectoryW(wow64_dir, MAX_PATH))
        swprintf(path, ARRAYSIZE(path), L"%ls\\kernelbase.dll", wow64_dir);
    if (!base || !(rva = export_rva(path, "CtrlRoutine")))
    {
        CloseHandle(process);
        return FALSE;
    }
    thread = CreateRemoteThread(process, NULL, 0, (LPTHREAD_START_ROUTINE)(base + rva),
                                (void *)(ULONG_PTR)event, 0, NULL);
    CloseHandle(process);
    if (!thread) return FALSE;
    CloseHandle(thread);
    return TRUE;
}

/* Where the loader list cannot be walked directly (a 32-bit process under Wine, from 64-bit):
 * psapi, module by module. */
static BOOL name_modules_by_psapi(HANDLE process, BOOL (*callback)(void *ctx, const WCHAR *name), void *ctx)
{
    HMODULE stack_modules[256], *modules = stack_modules;
    DWORD needed = 0, i;
    BOOL named = FALSE;
    WCHAR *name;

    if (!EnumProcessModulesEx(process, modules, sizeof(stack_modules), &needed, LIST_MODULES_ALL)) return FALSE;
    if (needed > sizeof(stack_modules))
    {
        if (!(modules = malloc(needed))) return FALSE;
        if (!EnumProcessModulesEx(process, modules, needed, &needed, LIST_MODULES_ALL)) needed = 0;
    }
    if ((name = malloc(32768 * sizeof(WCHAR))))
    {
        for (i = 0; i < needed / sizeof(HMODULE); i++)
            if (GetModuleFileNameExW(process, modules[i], name, 32768) && callback(ctx, name)) break;
        free(name);
        named = TRUE;
    }
    if (modules != stack_modules) free(modules);
    return named;
}

/* Name every module of a process to the callback (which returns TRUE to stop): one walk of its
 * loader list, or psapi where that cannot be walked.  FALSE if the modules cannot be listed. */
BOOL name_modules(HANDLE process, BOOL (*callback)(void *ctx, const WCHAR *name), void *ctx)
{
    return walk_module_names(process, callback, ctx) || name_modules_by_psapi(process, callback, ctx);
}
