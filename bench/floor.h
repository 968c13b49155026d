/*
 * The floors the benchmarks compare the Restart Manager with: the least work each call must do
 *
 * Copyright 2026 The rstrtmgr authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef RSTRTMGR_BENCH_FLOOR_H
#define RSTRTMGR_BENCH_FLOOR_H

#include <windows.h>

/* What a floor measurement saw. */
struct floor_counts
{
    unsigned int file_handles;  /* file handles in the snapshot, each named once */
    unsigned int readable;      /* processes whose module list this process read itself */
    unsigned int unreadable;    /* processes the 64-bit helper was asked about */
    unsigned int existing;      /* registered names that exist (first-call floor) */
};

extern double now_ms(void);
extern double median(double *values, unsigned int count);     /* sorts the values */
extern BOOL start_floor_helper(void);
extern BOOL floor_helper_running(void);

/* A repeated RmGetList's floor: the handle table, and the module lists when with_modules. */
extern double measure_list_floor(BOOL with_modules, struct floor_counts *counts);
/* What a first RmGetList adds for its registered names; see floor.c for what and why. */
extern double measure_names_floor(const WCHAR **names, unsigned int count, struct floor_counts *counts);
/* The registry work of starting a session, registering the names in batches, ending it. */
extern double measure_store_floor(const WCHAR **names, unsigned int count, unsigned int batch);

#endif /* RSTRTMGR_BENCH_FLOOR_H */
