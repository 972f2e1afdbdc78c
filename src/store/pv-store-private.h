/* pv-store-private.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Shared by the two halves of PvStore: pv-store.c (opening, migrating, writing) and
 * pv-store-search.c (counting, searching and paging). */

#pragma once

#include <sqlite3.h>

#include "pv-store.h"

G_BEGIN_DECLS

#define CUSTOMER_COLUMNS \
  "id, number, name, status, code_digest, code_expires_at, failed_attempts, sends_in_window, " \
  "send_window_started_at, last_sent_at, message_sid, delivery_status, delivery_error_code, " \
  "created_at, verified_at, updated_at"

struct _PvStore
{
  GObject     parent_instance;

  /* Guards everything below: the UI pages from a worker thread while the main thread writes. */
  GMutex      mutex;
  sqlite3    *db;
  GHashTable *statements;       /* SQL text → sqlite3_stmt */

  char       *path;
  PvClock    *clock;
  int         schema_version;
};

/* A cached statement is never finalized by its user, only reset, which also ends the read
 * transaction a SELECT keeps open until then.
 */
typedef sqlite3_stmt PvCachedStatement;

void               _pv_store_release_statement  (PvCachedStatement  *stmt);
PvCachedStatement *_pv_store_get_statement      (PvStore            *self,
                                                 const char         *sql,
                                                 GError            **error);
void               _pv_store_set_database_error (PvStore            *self,
                                                 PvStoreError        code,
                                                 GError            **error);
PvCustomer        *_pv_store_customer_from_row  (sqlite3_stmt       *stmt,
                                                 GError            **error);
void               _pv_store_bind_text          (sqlite3_stmt       *stmt,
                                                 int                 index,
                                                 const char         *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvCachedStatement, _pv_store_release_statement)

G_END_DECLS
