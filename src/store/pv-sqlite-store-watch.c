/* pv-sqlite-store-watch.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Noticing what other processes change. A read-only connection of the watcher's own asks
 * SQLite's PRAGMA data_version, which changes when any other connection has committed, a
 * few times a second: a read of shared memory, not of the table. Only when it moved does
 * the watcher read the change log for the numbers touched by writers other than this
 * store's own connection. */

#define G_LOG_DOMAIN "pv-store"

#include "config.h"

#include "pv-sqlite-store-private.h"

/* Often enough that an open window follows another desk well within a second. */
#define WATCH_INTERVAL_MS 300

/* More changed numbers than this in one go, and a full refresh is cheaper than a list. */
#define MAX_CHANGES_LISTED 256

static gboolean
read_int64 (sqlite3     *db,
            const char  *sql,
            gint64      *value)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ret = FALSE;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    {
      *value = sqlite3_column_int64 (stmt, 0);
      ret = TRUE;
    }

  sqlite3_finalize (stmt);

  return ret;
}

/* Collects the numbers others changed after watch_last_seq. Returns FALSE when there are too
 * many to list, or the log no longer reaches back that far. */
static gboolean
collect_changes (PvSqliteStore *self,
                 GPtrArray     *numbers,
                 gint64        *last_seq)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  sqlite3_stmt *stmt = NULL;
  gint64 oldest = 0;
  gboolean complete = TRUE;

  if (!read_int64 (self->watch_db, "SELECT coalesce (min (seq), 0) FROM changes", &oldest))
    return FALSE;

  /* Pruned past where we stopped reading: something may be missing. */
  if (oldest > self->watch_last_seq + 1 && self->watch_last_seq != 0)
    complete = FALSE;

  if (sqlite3_prepare_v2 (self->watch_db,
                          "SELECT seq, number, writer FROM changes WHERE seq > ?1 ORDER BY seq",
                          -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, self->watch_last_seq);

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *number = (const char *) sqlite3_column_text (stmt, 1);
      const char *writer = (const char *) sqlite3_column_text (stmt, 2);

      *last_seq = sqlite3_column_int64 (stmt, 0);

      if (g_strcmp0 (writer, self->writer) == 0 || number == NULL)
        continue;

      if (!g_hash_table_contains (seen, number))
        {
          char *copy = g_strdup (number);

          g_hash_table_add (seen, copy);
          g_ptr_array_add (numbers, copy);
        }

      if (numbers->len > MAX_CHANGES_LISTED)
        complete = FALSE;
    }

  sqlite3_finalize (stmt);

  return complete;
}

static gboolean
watch_cb (gpointer user_data)
{
  PvSqliteStore *self = user_data;
  g_autoptr(GPtrArray) numbers = g_ptr_array_new_with_free_func (g_free);
  gint64 data_version = 0;
  gint64 last_seq;
  gboolean complete;

  if (!read_int64 (self->watch_db, "PRAGMA data_version", &data_version) ||
      data_version == self->watch_data_version)
    return G_SOURCE_CONTINUE;

  /* One snapshot for the version and the log: a commit landing between reading the two
   * would otherwise be read now and look like a commit that logged nothing next time. */
  if (sqlite3_exec (self->watch_db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    return G_SOURCE_CONTINUE;

  last_seq = self->watch_last_seq;
  complete = collect_changes (self, numbers, &last_seq);
  read_int64 (self->watch_db, "PRAGMA data_version", &data_version);
  sqlite3_exec (self->watch_db, "COMMIT", NULL, NULL, NULL);

  self->watch_data_version = data_version;

  /* A commit that logged nothing came from another tool, which logs nothing: say that
   * anything may have changed. Our own commits always log a row of ours. */
  if (last_seq == self->watch_last_seq)
    complete = FALSE;

  self->watch_last_seq = last_seq;

  if (complete && numbers->len == 0)
    return G_SOURCE_CONTINUE;

  g_debug ("Another process changed %s", complete ? "some customers" : "the database");

  if (complete)
    {
      g_ptr_array_add (numbers, NULL);
      pv_store_emit_changed (PV_STORE (self), (const char * const *) numbers->pdata);
    }
  else
    {
      pv_store_emit_changed (PV_STORE (self), NULL);
    }

  return G_SOURCE_CONTINUE;
}

void
_pv_sqlite_store_watch (PvSqliteStore *self)
{
  if (self->watch_source != NULL)
    return;

  if (sqlite3_open_v2 (self->path, &self->watch_db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      g_warning ("Cannot watch the customer database for other programs’ changes: %s",
                 self->watch_db != NULL ? sqlite3_errmsg (self->watch_db) : "out of memory");
      g_clear_pointer (&self->watch_db, sqlite3_close_v2);
      return;
    }

  sqlite3_busy_timeout (self->watch_db, 100);
  read_int64 (self->watch_db, "PRAGMA data_version", &self->watch_data_version);
  read_int64 (self->watch_db, "SELECT coalesce (max (seq), 0) FROM changes", &self->watch_last_seq);

  self->watch_source = g_timeout_source_new (WATCH_INTERVAL_MS);
  g_source_set_callback (self->watch_source, watch_cb, self, NULL);
  g_source_set_static_name (self->watch_source, "[phone-verify] store watch");
  g_source_attach (self->watch_source, g_main_context_get_thread_default ());
}

void
_pv_sqlite_store_unwatch (PvSqliteStore *self)
{
  if (self->watch_source != NULL)
    {
      g_source_destroy (self->watch_source);
      g_clear_pointer (&self->watch_source, g_source_unref);
    }

  g_clear_pointer (&self->watch_db, sqlite3_close_v2);
}
