/*
 * Restart Manager: declarations shared by the files of rstrtmgr.dll
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

#ifndef RSTRTMGR_PRIVATE_H
#define RSTRTMGR_PRIVATE_H

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <windef.h>
#include <winbase.h>
#include <winnls.h>
#include <winreg.h>
#include <winsvc.h>
#include <restartmanager.h>

#include "rstrtmgr_compat.h"
#include "remote.h"
#include "wine/debug.h"

/* The store: one volatile key per session below this one, as Windows keeps it. */
#define RM_STORE_ROOT      L"Software\\Microsoft\\RestartManager"
#define RM_MAX_SESSIONS    64
#define RM_KEY_BYTES       16      /* CCH_RM_SESSION_KEY hex digits encode these */
#define RM_KEY_HASH_BYTES  32      /* SHA-256 of the key bytes; the key itself is never stored */

struct prepared_resources;

/* An application this session acted on; info.AppStatus holds its history. */
struct app_record
{
    RM_PROCESS_INFO info;
    BOOL restart;                       /* RmRestart is to start it again */
    struct process_params params;       /* how to start it again */
};

/* One open handle of this process.  Several handles (a primary and any number of
 * secondaries) may refer to the same stored session. */
struct session
{
    LONG refcount;
    unsigned int slot;                  /* n of the SessionNNNN key */
    BOOL primary;                       /* started here, rather than joined */
    BYTE key_hash[RM_KEY_HASH_BYTES];   /* identifies the stored session across slot reuse */
    LONG shutdown_done;                 /* RmShutdown acted, so RmRestart is in sequence */
    LONG cancel_requested;              /* set by RmCancelCurrentTask, polled by long tasks */
    HANDLE cancel_event;                /* made on first use; signalled with cancel_requested */
    HKEY key;                           /* the primary's session key, kept open until the end */
    SRWLOCK cache_lock;
    struct prepared_resources *prepared; /* registered names made ready for matching */
    SRWLOCK state_lock;                 /* guards the records below against RmGetList */
    struct app_record *apps;            /* what RmShutdown acted on, in shutdown order */
    unsigned int napps;
    unsigned int apps_capacity;
    WCHAR **services;                   /* services RmShutdown stopped, in stop order */
    unsigned int nservices;
};

/* handle.c: this process's table of session handles */
extern DWORD alloc_session_handle(struct session *session, DWORD *handle);
extern struct session *grab_session(DWORD handle);
extern BOOL free_session_handle(DWORD handle, struct session *session);
extern void release_session(struct session *session);
extern DWORD grab_primary_session(DWORD handle, struct session **session);

/* key.c: session keys */
extern DWORD generate_session_key(BYTE key[RM_KEY_BYTES]);
extern void format_session_key(const BYTE key[RM_KEY_BYTES], WCHAR text[CCH_RM_SESSION_KEY + 1]);
extern BOOL parse_session_key(const WCHAR *text, BYTE key[RM_KEY_BYTES]);
extern DWORD hash_session_key(const BYTE key[RM_KEY_BYTES], BYTE hash[RM_KEY_HASH_BYTES]);

/* store.c: the registry store shared by every process of the user */
struct store_lock
{
    HANDLE mutex;
};
extern DWORD lock_store(struct store_lock *lock);
extern void unlock_store(struct store_lock *lock);
extern DWORD create_stored_session(const BYTE hash[RM_KEY_HASH_BYTES], unsigned int *slot, HKEY *key);
extern DWORD find_stored_session(const BYTE hash[RM_KEY_HASH_BYTES], unsigned int *slot);
extern DWORD open_stored_session(const struct session *session, REGSAM access, HKEY *key);
extern DWORD delete_stored_session(const struct session *session);
extern BOOL stored_key_deleted(HKEY key);
extern DWORD session_store_error(LSTATUS status);
extern LSTATUS open_session_subkey(HKEY parent, const WCHAR *name, BOOL create, HKEY *key);
extern void release_store(void);
extern DWORD bump_sequence(HKEY key);
extern BOOL get_process_identity(DWORD pid, RM_UNIQUE_PROCESS *identity);

/* resources.c: what sessions register */
extern DWORD store_resources(const struct session *session, UINT nfiles, const WCHAR **files,
                             UINT nprocs, const RM_UNIQUE_PROCESS *procs,
                             UINT nservices, const WCHAR **services);

/* filter.c: shutdown and restart filters */
struct filter
{
    RM_FILTER_ACTION action;
    RM_FILTER_TRIGGER trigger;
    WCHAR *name;                 /* file path or service short name */
    RM_UNIQUE_PROCESS process;
};
struct filter_list
{
    struct filter *filters;
    unsigned int count;
};
extern DWORD load_filters(HKEY session_key, struct filter_list *list);
extern void free_filters(struct filter_list *list);
extern RM_FILTER_ACTION filter_action_for(const struct filter_list *list, const RM_UNIQUE_PROCESS *process,
                                          const WCHAR *image, const WCHAR *service);

/* path.c: canonical file names and sets of them */
struct path_set
{
    WCHAR **entries;
    unsigned int size;      /* a power of two */
    unsigned int count;
};
extern WCHAR *normalize_path(const WCHAR *name, BOOL expand);
extern BOOL path_set_init(struct path_set *set, unsigned int expected);
extern void path_set_free(struct path_set *set);
extern BOOL path_set_add(struct path_set *set, WCHAR *path);
extern BOOL path_set_contains(const struct path_set *set, const WCHAR *path);
extern BOOL path_set_match(const struct path_set *set, const WCHAR *name);

/* resources.c: what a session has registered, read back from the store */
struct resources
{
    WCHAR **files;                  /* as registered */
    unsigned int nfiles;
    RM_UNIQUE_PROCESS *procs;
    unsigned int nprocs;
    WCHAR **services;
    unsigned int nservices;
};
extern DWORD load_resources(HKEY session_key, struct resources *res);
extern void free_resources(struct resources *res);

/* detect.c: which processes use the resources */
struct affected
{
    RM_UNIQUE_PROCESS process;
    WCHAR service[CCH_RM_MAX_SVC_NAME + 1];       /* short name, if it hosts a service */
    WCHAR service_display[CCH_RM_MAX_APP_NAME + 1];
};
struct affected_list
{
    struct affected *items;
    unsigned int count;
    unsigned int capacity;
};
/* The registered resources with file names in canonical form, cached per session handle
 * until the store's Sequence changes (every registration bumps it, in any process). */
struct prepared_resources
{
    LONG refcount;
    DWORD sequence;
    struct resources res;
    struct path_set files;
    DWORD error;            /* ERROR_ACCESS_DENIED: a directory, or a file the caller may not open */
    BOOL images;            /* some registered file may be an executable image */
    BOOL *devices;          /* per registered file: names a device, pipe or mailslot, never opened */
};
extern DWORD prepare_resources(struct session *session, HKEY session_key, struct prepared_resources **prepared);
extern void release_prepared(struct prepared_resources *prepared);
extern DWORD detect_affected(struct session *session, const struct prepared_resources *prepared,
                             struct affected_list *list);
extern BOOL task_cancelled(struct session *session);

/* helper.c: the 64-bit module-list helper of a 32-bit DLL */
extern DWORD query_helper_modules(const DWORD *pids, unsigned int count, WCHAR **answer);
extern BOOL helper_read_params(DWORD pid, struct process_params *params);
extern BOOL helper_send_ctrl_event(DWORD pid, DWORD event);
extern DWORD get_helper_pid(void);
extern BOOL needs_helper(HANDLE process);

/* classify.c: what RmGetList says about each process */
extern DWORD describe_affected(const struct affected_list *list, const struct filter_list *filters,
                               RM_PROCESS_INFO *infos, DWORD *reasons);
extern BOOL running_on_wine(void);
extern BOOL restart_unregistered_window_apps(void);
extern BOOL restart_unregistered_console_apps(void);

/* shutdown.c */
extern DWORD merge_app_records(struct session *session, RM_PROCESS_INFO **infos, unsigned int *count);
extern void free_app_records(struct session *session);

/* list.c */
extern DWORD get_affected_list(struct session *session, RM_PROCESS_INFO **infos, unsigned int *count, DWORD *reasons);

static inline const char *debugstr_rm_unique_process(const RM_UNIQUE_PROCESS *process)
{
    if (!process) return "(null)";
    return wine_dbg_sprintf("{pid %lu, start %08lx:%08lx}", process->dwProcessId,
                            process->ProcessStartTime.dwHighDateTime,
                            process->ProcessStartTime.dwLowDateTime);
}

#endif /* RSTRTMGR_PRIVATE_H */
