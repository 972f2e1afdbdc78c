/* pv-pg-store.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pv-clock.h"
#include "pv-store.h"

G_BEGIN_DECLS

#define PV_TYPE_PG_STORE (pv_pg_store_get_type ())

/* The schema version the PostgreSQL store writes (in its pv_schema table). */
#define PV_PG_STORE_SCHEMA_VERSION 3

G_DECLARE_FINAL_TYPE (PvPgStore, pv_pg_store, PV, PG_STORE, GObject)

gboolean   pv_pg_store_is_uri                (const char  *location);
gboolean   pv_pg_store_check_uri             (const char  *uri,
                                              GError     **error);
PvPgStore *pv_pg_store_open                  (const char  *uri,
                                              const char  *password,
                                              PvClock     *clock,
                                              GError     **error);
gboolean   pv_pg_store_probe                 (const char  *uri,
                                              const char  *password,
                                              char       **server_version,
                                              gint64      *n_customers,
                                              GError     **error);
int        pv_pg_store_get_schema_version    (PvPgStore   *self);
gboolean   pv_pg_store_get_online            (PvPgStore   *self);
char      *pv_pg_store_describe_uri          (const char  *uri);

G_END_DECLS
