/* pv-sqlite-store.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pv-clock.h"
#include "pv-store.h"

G_BEGIN_DECLS

#define PV_TYPE_SQLITE_STORE (pv_sqlite_store_get_type ())

G_DECLARE_FINAL_TYPE (PvSqliteStore, pv_sqlite_store, PV, SQLITE_STORE, GObject)

char          *pv_sqlite_store_get_default_path   (void);
PvSqliteStore *pv_sqlite_store_open               (const char     *path,
                                                   PvClock        *clock,
                                                   GError        **error);
const char    *pv_sqlite_store_get_path           (PvSqliteStore  *self);
int            pv_sqlite_store_get_schema_version (PvSqliteStore  *self);

G_END_DECLS
