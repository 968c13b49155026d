/*
 * Window helpers of the test units that open windows (getlist, shutdown)
 *
 * Copyright 2026 The rstrtmgr authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef RSTRTMGR_RMWINDOW_H
#define RSTRTMGR_RMWINDOW_H

/* For a window child: registers the class, shows a top-level window with the title and
 * pumps its first messages.  If the window cannot be made or file is not open, prints the
 * "notready" line for the parent and returns NULL; else the caller says "ready". */
HWND show_child_window(const WCHAR *class_name, WNDPROC proc, const WCHAR *title, HANDLE file);

#endif  /* RSTRTMGR_RMWINDOW_H */
