/* pv-code.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PV_CODE_MIN_LENGTH     4
#define PV_CODE_MAX_LENGTH     10
#define PV_CODE_DEFAULT_LENGTH 6
#define PV_CODE_KEY_SIZE       32
#define PV_CODE_SEED_SIZE      16

char     *pv_code_generate       (guint        length,
                                  GError     **error);
GBytes   *pv_code_generate_key   (GError     **error);
char     *pv_code_digest         (GBytes      *key,
                                  const char  *number,
                                  const char  *code);
gboolean  pv_code_digest_matches (GBytes      *key,
                                  const char  *number,
                                  const char  *code,
                                  const char  *stored_digest);
char     *pv_code_generate_seed  (GError     **error);
char     *pv_code_derive         (GBytes      *key,
                                  const char  *number,
                                  const char  *seed,
                                  guint        length);

G_END_DECLS
