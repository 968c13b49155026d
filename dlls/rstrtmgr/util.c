/*
 * Restart Manager: growing arrays, and the storage of the debug strings
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

#include "rstrtmgr_private.h"

/* The one definition of wine/debug.h's ring of debug strings for the whole DLL. */
WINE_DEBUG_STORAGE;

/*
 * Make room for at least count elements of size bytes in *elements, which has room for
 * *capacity.  The room at least doubles each time, so adding elements one by one costs a
 * constant amount each on average.  Returns FALSE, leaving the array as it was, when the
 * memory (or the size_t arithmetic) runs out.
 */
BOOL array_reserve(void **elements, size_t *capacity, size_t count, size_t size)
{
    size_t max_capacity = ~(size_t)0 / size, new_capacity;
    void *new_elements;

    if (count <= *capacity) return TRUE;
    if (count > max_capacity) return FALSE;

    new_capacity = max(*capacity, 4);
    while (new_capacity < count && new_capacity <= max_capacity / 2) new_capacity *= 2;
    if (new_capacity < count) new_capacity = max_capacity;

    if (!(new_elements = realloc(*elements, new_capacity * size))) return FALSE;
    *elements = new_elements;
    *capacity = new_capacity;
    return TRUE;
}
