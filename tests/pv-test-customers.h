/* pv-test-customers.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

void  pv_test_check_sqlite   (sqlite3    *db,
                             int         result,
                             int         expected);
char *pv_test_customers_fill (const char *path,
                              guint       n_rows);

G_END_DECLS
