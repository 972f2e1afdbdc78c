/* pv-test-search.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

GPtrArray *pv_test_fold_words  (const char      *text);
gboolean   pv_test_words_start (const char      *name,
                                const GPtrArray *search_words);
gboolean   pv_test_number_starts (const char    *number,
                                  const char    *digits);

G_END_DECLS
