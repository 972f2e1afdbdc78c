/* fuzz-reply.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What customers text the office: anyone can send anything to its number, and every text
 * from an awaited number is read. The whole input is the body.
 *
 * Beyond not crashing: only a code reading has a code, and it is digits only, as long as a
 * code can be; the same body always reads the same way. */

#include "config.h"

#include <string.h>

#include "pv-code.h"
#include "pv-fuzz.h"
#include "pv-reply.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  pv_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        gsize         size)
{
  g_autofree char *body = g_strndup ((const char *) data, size);
  g_autofree char *code = NULL;
  PvReplyKind kind = pv_reply_read (body, &code);
  gsize length;

  g_assert_cmpint (pv_reply_read (body, NULL), ==, kind);
  if (kind != PV_REPLY_CODE)
    {
      g_assert_null (code);
      return 0;
    }

  g_assert_nonnull (code);
  length = strlen (code);
  g_assert_cmpuint (length, >=, PV_CODE_MIN_LENGTH);
  g_assert_cmpuint (length, <=, PV_CODE_MAX_LENGTH);
  for (gsize i = 0; i < length; i++)
    g_assert_true (g_ascii_isdigit (code[i]));

  /* The code alone reads as itself. */
  {
    g_autofree char *again = NULL;

    g_assert_cmpint (pv_reply_read (code, &again), ==, PV_REPLY_CODE);
    g_assert_cmpstr (again, ==, code);
  }

  return 0;
}
