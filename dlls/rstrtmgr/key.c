/*
 * Restart Manager: session keys
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
 * A session key is the only credential a secondary installer needs to join a session, so it
 * comes from the system's cryptographic generator, and the store keeps only its SHA-256:
 * reading the registry does not let another process join.
 */

#include "rstrtmgr_private.h"

#include <bcrypt.h>

WINE_DEFAULT_DEBUG_CHANNEL(rstrtmgr);

#ifndef BCRYPT_USE_SYSTEM_PREFERRED_RNG
#define BCRYPT_USE_SYSTEM_PREFERRED_RNG 0x00000002
#endif

DWORD generate_session_key(BYTE key[RM_KEY_BYTES])
{
    NTSTATUS status = BCryptGenRandom(NULL, key, RM_KEY_BYTES, BCRYPT_USE_SYSTEM_PREFERRED_RNG);

    if (status)
    {
        ERR("BCryptGenRandom failed, status %#lx\n", status);
        return ERROR_OUTOFMEMORY;
    }
    return ERROR_SUCCESS;
}

void format_session_key(const BYTE key[RM_KEY_BYTES], WCHAR text[CCH_RM_SESSION_KEY + 1])
{
    static const WCHAR hex[] = L"0123456789abcdef";
    unsigned int i;

    for (i = 0; i < RM_KEY_BYTES; i++)
    {
        text[2 * i] = hex[key[i] >> 4];
        text[2 * i + 1] = hex[key[i] & 15];
    }
    text[CCH_RM_SESSION_KEY] = 0;
}

static int hex_digit(WCHAR c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Accepts exactly 32 hex digits in either case; anything else cannot be a key we issued. */
BOOL parse_session_key(const WCHAR *text, BYTE key[RM_KEY_BYTES])
{
    unsigned int i;

    for (i = 0; i < RM_KEY_BYTES; i++)
    {
        int high, low;

        if ((high = hex_digit(text[2 * i])) < 0) return FALSE;
        if ((low = hex_digit(text[2 * i + 1])) < 0) return FALSE;
        key[i] = (BYTE)(high << 4 | low);
    }
    return !text[CCH_RM_SESSION_KEY];
}

DWORD hash_session_key(const BYTE key[RM_KEY_BYTES], BYTE hash[RM_KEY_HASH_BYTES])
{
    BCRYPT_ALG_HANDLE alg;
    BCRYPT_HASH_HANDLE ctx;
    NTSTATUS status;

    if ((status = BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM, NULL, 0)))
    {
        ERR("cannot open SHA-256, status %#lx\n", status);
        return ERROR_OUTOFMEMORY;
    }
    if (!(status = BCryptCreateHash(alg, &ctx, NULL, 0, NULL, 0, 0)))
    {
        if (!(status = BCryptHashData(ctx, (UCHAR *)key, RM_KEY_BYTES, 0)))
            status = BCryptFinishHash(ctx, hash, RM_KEY_HASH_BYTES, 0);
        BCryptDestroyHash(ctx);
    }
    BCryptCloseAlgorithmProvider(alg, 0);
    if (status)
    {
        ERR("hashing failed, status %#lx\n", status);
        return ERROR_OUTOFMEMORY;
    }
    return ERROR_SUCCESS;
}
