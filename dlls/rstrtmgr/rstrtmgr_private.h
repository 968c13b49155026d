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

/*
 * Layers: util.c remote.c key.c path.c process.c store.c resources.c session.c filter.c
 * helper.c winecompat.c detect.c classify.c list.c task.c shutdown.c restart.c main.c
 *
 * The sections below follow that order, and a file only calls the files listed before it
 * (tools/check-layering.sh proves it from the objects at every build): the store knows
 * nothing of sessions' handles, the session nothing of how a list is made, and the exports at
 * the end use everything.  Reading another process has its own header, remote.h, as
 * rmhelper64.exe shares that file.
 */

/* util.c: growing arrays */
extern BOOL array_reserve(void **elements, size_t *capacity, size_t count, size_t size);

/* key.c: session keys */
extern DWORD generate_session_key(BYTE key[RM_KEY_BYTES]);
extern void format_session_key(const BYTE key[RM_KEY_BYTES], WCHAR text[CCH_RM_SESSION_KEY + 1]);
extern BOOL parse_session_key(const WCHAR *text, BYTE key[RM_KEY_BYTES]);
extern DWORD hash_session_key(const BYTE key[RM_KEY_BYTES], BYTE hash[RM_KEY_HASH_BYTES]);

/* path.c: canonical file names and sets of them */
struct path_set
{
    WCHAR **entries;
    unsigned int size;      /* a power of two */
    unsigned int count;
};
extern WCHAR *full_path(const WCHAR *name);
extern WCHAR *canonical_path(WCHAR *full);
extern WCHAR *normalize_path(const WCHAR *name);
extern BOOL path_set_init(struct path_set *set, unsigned int expected);
extern void path_set_free(struct path_set *set);
extern BOOL path_set_add(struct path_set *set, WCHAR *path);
extern BOOL path_set_contains(const struct path_set *set, const WCHAR *path);
extern BOOL path_set_match(const struct path_set *set, const WCHAR *name);

/* process.c: processes and services as the system lists them */
#define RM_PROCESS_TEXT_CHARS 26    /* "pid:hi:lo", eight hex digits each */
extern BOOL get_process_identity(DWORD pid, RM_UNIQUE_PROCESS *identity);
extern HANDLE open_identified_process(const RM_UNIQUE_PROCESS *process, DWORD access);
extern int format_process_text(const RM_UNIQUE_PROCESS *process, WCHAR text[RM_PROCESS_TEXT_CHARS + 1]);
extern BOOL parse_process_text(const WCHAR *text, RM_UNIQUE_PROCESS *process);
extern ENUM_SERVICE_STATUS_PROCESSW *enum_active_services(SC_HANDLE manager, DWORD *count);

/* store.c: the registry store shared by every process of the user */
struct session;
extern DWORD lock_store(void);
extern void unlock_store(void);
extern DWORD create_stored_session(const BYTE hash[RM_KEY_HASH_BYTES], unsigned int *slot, HKEY *key);
extern DWORD find_stored_session(const BYTE hash[RM_KEY_HASH_BYTES], unsigned int *slot);
extern DWORD open_stored_session(const struct session *session, REGSAM access, HKEY *key);
extern DWORD delete_stored_session(const struct session *session);
extern BOOL stored_key_deleted(HKEY key);
extern DWORD session_store_error(LSTATUS status);
extern LSTATUS open_session_subkey(HKEY parent, const WCHAR *name, BOOL create, HKEY *key);
extern void release_store(void);
extern DWORD read_sequence(HKEY key);
extern DWORD set_sequence(HKEY key, DWORD sequence);
extern DWORD bump_sequence(HKEY key);

/* resources.c: what sessions register, and the cache of it made ready for matching */
/* The first free number of each family of registration values, as the last writer left them;
 * valid while the session's Sequence still has the value it wrote. */
struct value_indexes
{
    BOOL valid;
    DWORD sequence;
    unsigned int files, procs, services;
};
extern DWORD store_resources(struct session *session, UINT nfiles, const WCHAR **files,
                             UINT nprocs, const RM_UNIQUE_PROCESS *procs,
                             UINT nservices, const WCHAR **services);
struct resources
{
    WCHAR **files;                  /* as registered */
    size_t nfiles, files_capacity;
    RM_UNIQUE_PROCESS *procs;
    size_t nprocs, procs_capacity;
    WCHAR **services;
    size_t nservices, services_capacity;
};
extern DWORD load_resources(HKEY session_key, struct resources *res);
extern void free_resources(struct resources *res);
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

/* session.c: a session's whole life in this process: its handles, the primary's rights,
 * what RmShutdown did (for RmRestart and RmGetList), and cancellation */

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
    struct value_indexes written;       /* where this handle's next registration goes; store lock */
    SRWLOCK cache_lock;
    struct prepared_resources *prepared; /* registered names made ready for matching */
    SRWLOCK state_lock;                 /* guards the records below against RmGetList */
    struct app_record *apps;            /* what RmShutdown acted on, in shutdown order */
    size_t napps, apps_capacity;
    WCHAR **services;                   /* services RmShutdown stopped, in stop order */
    size_t nservices, services_capacity;
};
extern struct session *grab_session(DWORD handle);
extern DWORD grab_primary_session(DWORD handle, struct session **session);
extern void release_session(struct session *session);
extern BOOL reserve_app_records(struct session *session, size_t count);
extern struct app_record *get_app_record(struct session *session, const RM_PROCESS_INFO *info);
extern void set_app_status(struct session *session, struct app_record *record, ULONG set, ULONG clear);
extern BOOL remember_service(struct session *session, const WCHAR *name);
extern DWORD merge_app_records(struct session *session, RM_PROCESS_INFO **infos, unsigned int *count);
extern DWORD start_task(struct session *session);
extern BOOL task_cancelled(struct session *session);

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
    size_t count, capacity;
};
extern DWORD load_filters(HKEY session_key, struct filter_list *list);
extern void free_filters(struct filter_list *list);
extern RM_FILTER_ACTION filter_action_for(const struct filter_list *list, const RM_UNIQUE_PROCESS *process,
                                          const WCHAR *image, const WCHAR *service);

/* helper.c: the 64-bit module-list helper of a 32-bit DLL */
extern DWORD query_helper_modules(const DWORD *pids, unsigned int count, WCHAR **answer);
extern BOOL helper_read_params(DWORD pid, struct process_params *params);
extern BOOL helper_send_ctrl_event(DWORD pid, DWORD event);
extern DWORD get_helper_pid(void);
extern BOOL needs_helper(HANDLE process);

/* winecompat.c: every choice Wine forces on us that Windows would not */
extern BOOL running_on_wine(void);
extern BOOL is_wine_system_image(const WCHAR *base);
extern BOOL restartable_without_registration(RM_APP_TYPE type);
extern void read_start_params(HANDLE process, DWORD pid, struct process_params *params);
extern WCHAR **running_dependents(SC_HANDLE manager, const WCHAR *name, size_t *count);

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
    size_t count, capacity;
};
extern DWORD detect_affected(struct session *session, const struct prepared_resources *prepared,
                             struct affected_list *list);

/* classify.c: what RmGetList says about each process */
extern DWORD describe_affected(const struct affected_list *list, const struct filter_list *filters,
                               RM_PROCESS_INFO *infos, DWORD *reasons);

/* list.c: RmGetList, and the list RmShutdown starts from */
extern DWORD get_affected_list(struct session *session, RM_PROCESS_INFO **infos, unsigned int *count, DWORD *reasons);

/* task.c: what RmShutdown and RmRestart share: settings, progress, waits that a cancel ends */
struct timeouts
{
    DWORD hung_app;        /* how long a window may take to answer a message */
    DWORD kill_app;        /* how long an application may take to exit */
    DWORD kill_service;    /* how long a service may take to stop */
};
extern void get_timeouts(struct timeouts *timeouts);
struct progress
{
    RM_WRITE_STATUS_CALLBACK callback;
    int last;               /* -1 before the first report */
    unsigned int done;
    unsigned int total;
};
extern void report_progress(struct progress *progress, BOOL finished);
extern DWORD wait_for_exit(struct session *session, HANDLE process, DWORD timeout);
extern BOOL terminate_app(HANDLE process);
extern DWORD wait_for_service(struct session *session, SC_HANDLE service, DWORD timeout, BOOL stopping);

/* The exports live with what they use: session.c (RmStartSession, RmJoinSession, RmEndSession,
 * RmCancelCurrentTask), filter.c (the filter functions), list.c (RmGetList), shutdown.c,
 * restart.c; main.c has DllMain, RmRegisterResources and RmReserveHeap. */

static inline const char *debugstr_rm_unique_process(const RM_UNIQUE_PROCESS *process)
{
    if (!process) return "(null)";
    return wine_dbg_sprintf("{pid %lu, start %08lx:%08lx}", process->dwProcessId,
                            process->ProcessStartTime.dwHighDateTime,
                            process->ProcessStartTime.dwLowDateTime);
}

#endif /* RSTRTMGR_PRIVATE_H */
