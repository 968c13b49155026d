/*
 * Wine-compatible debug channel support for PE modules built outside the Wine tree.
 *
 * Copyright 2026 The rstrtmgr authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Under Wine, ntdll.dll exports the debug back end (__wine_dbg_get_channel_flags,
 * __wine_dbg_header, __wine_dbg_output), so TRACE/WARN/FIXME/ERR obey WINEDEBUG exactly
 * like Wine's own modules.  On Windows those exports do not exist: the macros then cost one
 * test of a cached pointer and print nothing.  Everything here is header-only so that the
 * DLL, the tools and the tests need no extra library.
 */

#ifndef RSTRTMGR_WINE_DEBUG_H
#define RSTRTMGR_WINE_DEBUG_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <windef.h>
#include <winbase.h>

enum __wine_debug_class
{
    __WINE_DBCL_FIXME,
    __WINE_DBCL_ERR,
    __WINE_DBCL_WARN,
    __WINE_DBCL_TRACE,
    __WINE_DBCL_INIT = 7  /* set while the channel's flags have not been looked up yet */
};

/* Layout shared with Wine's ntdll: one flag byte, then the channel name. */
struct __wine_debug_channel
{
    unsigned char flags;
    char name[15];
};

struct wine_debug_backend
{
    LONG resolved;
    unsigned char (__cdecl *get_channel_flags)(struct __wine_debug_channel *channel);
    int (__cdecl *header)(enum __wine_debug_class cls, struct __wine_debug_channel *channel,
                          const char *function);
    int (__cdecl *output)(const char *str);
};

/* The backend and the ring of debug strings below exist once per module: the header declares
 * them, and one source file of each module defines them with WINE_DEBUG_STORAGE (the DLL's
 * util.c; a test program's wine/test.h under STANDALONE). */
extern struct wine_debug_backend wine_debug_backend;

static inline const struct wine_debug_backend *wine_debug_get_backend(void)
{
    if (!wine_debug_backend.resolved)
    {
        HMODULE ntdll = GetModuleHandleA("ntdll.dll");
        DWORD error = GetLastError();  /* tracing must never change the caller's last error */

        if (ntdll)
        {
            wine_debug_backend.get_channel_flags = (void *)GetProcAddress(ntdll, "__wine_dbg_get_channel_flags");
            wine_debug_backend.header = (void *)GetProcAddress(ntdll, "__wine_dbg_header");
            wine_debug_backend.output = (void *)GetProcAddress(ntdll, "__wine_dbg_output");
        }
        if (!wine_debug_backend.get_channel_flags || !wine_debug_backend.header || !wine_debug_backend.output)
            wine_debug_backend.get_channel_flags = NULL;
        wine_debug_backend.resolved = 1;
        SetLastError(error);
    }
    return &wine_debug_backend;
}

static inline int wine_debug_enabled(struct __wine_debug_channel *channel, enum __wine_debug_class cls)
{
    const struct wine_debug_backend *backend = wine_debug_get_backend();

    if (!backend->get_channel_flags) return 0;
    return (backend->get_channel_flags(channel) >> cls) & 1;
}

static inline int __attribute__((format(printf, 4, 5)))
wine_dbg_log(enum __wine_debug_class cls, struct __wine_debug_channel *channel,
             const char *function, const char *format, ...)
{
    const struct wine_debug_backend *backend = wine_debug_get_backend();
    char buffer[1024];
    va_list args;
    DWORD error = GetLastError();
    int len;

    if (!backend->get_channel_flags) return -1;
    va_start(args, format);
    len = vsnprintf(buffer, sizeof(buffer), format, args);
    va_end(args);
    if (len < 0) buffer[0] = 0;
    else if (len >= (int)sizeof(buffer)) strcpy(buffer + sizeof(buffer) - 5, "...\n");
    if (backend->header(cls, channel, function) != -1) backend->output(buffer);
    SetLastError(error);
    return len;
}

/* Debug strings live in a small ring of buffers, so several may appear in one message. */
#define WINE_DBG_RING_SLOTS 32
#define WINE_DBG_RING_SIZE  512

extern char wine_dbg_ring[WINE_DBG_RING_SLOTS][WINE_DBG_RING_SIZE];
extern LONG wine_dbg_ring_next;

#define WINE_DEBUG_STORAGE \
    struct wine_debug_backend wine_debug_backend; \
    char wine_dbg_ring[WINE_DBG_RING_SLOTS][WINE_DBG_RING_SIZE]; \
    LONG wine_dbg_ring_next

static inline char *wine_dbg_ring_alloc(void)
{
    LONG slot = InterlockedIncrement(&wine_dbg_ring_next);
    return wine_dbg_ring[(ULONG)slot % WINE_DBG_RING_SLOTS];
}

static inline const char * __attribute__((format(printf, 1, 2))) wine_dbg_sprintf(const char *format, ...)
{
    char *buffer = wine_dbg_ring_alloc();
    va_list args;

    va_start(args, format);
    vsnprintf(buffer, WINE_DBG_RING_SIZE, format, args);
    va_end(args);
    return buffer;
}

static inline void wine_dbg_append_char(char *buffer, size_t *pos, unsigned int c)
{
    static const char hex[] = "0123456789abcdef";
    char escaped[8];
    size_t len = 0, i;

    switch (c)
    {
    case '\n': escaped[len++] = '\\'; escaped[len++] = 'n'; break;
    case '\r': escaped[len++] = '\\'; escaped[len++] = 'r'; break;
    case '\t': escaped[len++] = '\\'; escaped[len++] = 't'; break;
    case '"':  escaped[len++] = '\\'; escaped[len++] = '"'; break;
    case '\\': escaped[len++] = '\\'; escaped[len++] = '\\'; break;
    default:
        if (c >= ' ' && c < 127) escaped[len++] = (char)c;
        else if (c < 256)
        {
            escaped[len++] = '\\'; escaped[len++] = 'x';
            escaped[len++] = hex[(c >> 4) & 15]; escaped[len++] = hex[c & 15];
        }
        else
        {
            escaped[len++] = '\\'; escaped[len++] = 'x';
            escaped[len++] = hex[(c >> 12) & 15]; escaped[len++] = hex[(c >> 8) & 15];
            escaped[len++] = hex[(c >> 4) & 15]; escaped[len++] = hex[c & 15];
        }
        break;
    }
    for (i = 0; i < len; i++) buffer[(*pos)++] = escaped[i];
}

/* Quote and escape a string; n < 0 means NUL-terminated.  Long strings end in "...". */
static inline const char *wine_dbgstr_an(const char *str, int n)
{
    char *buffer;
    size_t pos = 0;

    if (!str) return "(null)";
    if ((ULONG_PTR)str < 0x10000) return wine_dbg_sprintf("#%04x", (unsigned int)(ULONG_PTR)str);
    if (n < 0) n = (int)strlen(str);
    buffer = wine_dbg_ring_alloc();
    buffer[pos++] = '"';
    while (n-- > 0 && pos < WINE_DBG_RING_SIZE - 16)
        wine_dbg_append_char(buffer, &pos, (unsigned char)*str++);
    buffer[pos++] = '"';
    if (n >= 0) { buffer[pos++] = '.'; buffer[pos++] = '.'; buffer[pos++] = '.'; }
    buffer[pos] = 0;
    return buffer;
}

static inline const char *wine_dbgstr_wn(const WCHAR *str, int n)
{
    char *buffer;
    size_t pos = 0;

    if (!str) return "(null)";
    if ((ULONG_PTR)str < 0x10000) return wine_dbg_sprintf("#%04x", (unsigned int)(ULONG_PTR)str);
    if (n < 0) n = (int)wcslen(str);
    buffer = wine_dbg_ring_alloc();
    buffer[pos++] = 'L';
    buffer[pos++] = '"';
    while (n-- > 0 && pos < WINE_DBG_RING_SIZE - 16)
        wine_dbg_append_char(buffer, &pos, *str++);
    buffer[pos++] = '"';
    if (n >= 0) { buffer[pos++] = '.'; buffer[pos++] = '.'; buffer[pos++] = '.'; }
    buffer[pos] = 0;
    return buffer;
}

static inline const char *wine_dbgstr_a(const char *s) { return wine_dbgstr_an(s, -1); }
static inline const char *wine_dbgstr_w(const WCHAR *s) { return wine_dbgstr_wn(s, -1); }
static inline const char *debugstr_an(const char *s, int n) { return wine_dbgstr_an(s, n); }
static inline const char *debugstr_wn(const WCHAR *s, int n) { return wine_dbgstr_wn(s, n); }
static inline const char *debugstr_a(const char *s) { return wine_dbgstr_an(s, -1); }
static inline const char *debugstr_w(const WCHAR *s) { return wine_dbgstr_wn(s, -1); }

static inline const char *wine_dbgstr_guid(const GUID *id)
{
    if (!id) return "(null)";
    if ((ULONG_PTR)id < 0x10000) return wine_dbg_sprintf("<guid-0x%04x>", (unsigned int)(ULONG_PTR)id);
    return wine_dbg_sprintf("{%08lx-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}",
                            (unsigned long)id->Data1, id->Data2, id->Data3,
                            id->Data4[0], id->Data4[1], id->Data4[2], id->Data4[3],
                            id->Data4[4], id->Data4[5], id->Data4[6], id->Data4[7]);
}
static inline const char *debugstr_guid(const GUID *id) { return wine_dbgstr_guid(id); }

static inline const char *wine_dbgstr_longlong(ULONGLONG ll)
{
    if (ll >> 32) return wine_dbg_sprintf("%lx%08lx", (unsigned long)(ll >> 32), (unsigned long)ll);
    return wine_dbg_sprintf("%lx", (unsigned long)ll);
}

#define WINE_DECLARE_DEBUG_CHANNEL(ch) \
    static struct __wine_debug_channel __wine_dbch_##ch __attribute__((unused)) = { 0xff, #ch }
#define WINE_DEFAULT_DEBUG_CHANNEL(ch) \
    WINE_DECLARE_DEBUG_CHANNEL(ch); \
    static struct __wine_debug_channel * const __wine_dbch___default __attribute__((unused)) = &__wine_dbch_##ch

#define __WINE_DPRINTF(cls, channel, ...) \
    do { if (wine_debug_enabled(channel, cls)) wine_dbg_log(cls, channel, __func__, __VA_ARGS__); } while (0)

#define TRACE(...) __WINE_DPRINTF(__WINE_DBCL_TRACE, __wine_dbch___default, __VA_ARGS__)
#define WARN(...)  __WINE_DPRINTF(__WINE_DBCL_WARN,  __wine_dbch___default, __VA_ARGS__)
#define FIXME(...) __WINE_DPRINTF(__WINE_DBCL_FIXME, __wine_dbch___default, __VA_ARGS__)
#define ERR(...)   __WINE_DPRINTF(__WINE_DBCL_ERR,   __wine_dbch___default, __VA_ARGS__)
#define TRACE_ON(ch) wine_debug_enabled(&__wine_dbch_##ch, __WINE_DBCL_TRACE)
#define WARN_ON(ch)  wine_debug_enabled(&__wine_dbch_##ch, __WINE_DBCL_WARN)

#endif /* RSTRTMGR_WINE_DEBUG_H */
