/* pv-fuzz.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What the fuzz targets share: the entry points libFuzzer calls, and small helpers for
 * turning its bytes into arguments. */

int  LLVMFuzzerInitialize   (int           *argc,
                             char        ***argv);
int  LLVMFuzzerTestOneInput (const guint8  *data,
                             gsize          size);

typedef struct
{
  const guint8 *data;
  gsize         size;
} PvFuzzInput;

void     pv_fuzz_init             (void);
char    *pv_fuzz_make_temp_dir    (const char  *prefix);

guint8   pv_fuzz_input_take_byte   (PvFuzzInput *input);
char    *pv_fuzz_input_take_string (PvFuzzInput *input);
gboolean pv_fuzz_input_is_empty    (PvFuzzInput *input);

G_END_DECLS
