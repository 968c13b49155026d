/*
 * Restart Manager: reading and signalling another process (remote.c)
 *
 * Copyright 2026 The rstrtmgr authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef RSTRTMGR_REMOTE_H
#define RSTRTMGR_REMOTE_H

/* How a process was started: enough to start it again the same way. */
struct process_params
{
    WCHAR *image;       /* ImagePathName */
    WCHAR *cmdline;
    WCHAR *cwd;
    WCHAR *env;         /* environment block, env_len characters including the final NUL */
    size_t env_len;
};

extern BOOL read_process_params(HANDLE process, struct process_params *params);
extern void free_process_params(struct process_params *params);
extern BOOL send_ctrl_event(DWORD pid, DWORD event);
extern BOOL name_modules(HANDLE process, BOOL (*callback)(void *ctx, const WCHAR *name), void *ctx);

#endif /* RSTRTMGR_REMOTE_H */
