/* pv-store.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pv-store"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <sqlite3.h>
#include <string.h>

#include "pv-store-private.h"

#define BUSY_TIMEOUT_MS 5000

enum
{
  COLUMN_ID,
  COLUMN_NUMBER,
  COLUMN_NAME,
  COLUMN_STATUS,
  COLUMN_CODE_DIGEST,
  COLUMN_CODE_EXPIRES_AT,
  COLUMN_FAILED_ATTEMPTS,
  COLUMN_SENDS_IN_WINDOW,
  COLUMN_SEND_WINDOW_STARTED_AT,
  COLUMN_LAST_SENT_AT,
  COLUMN_MESSAGE_SID,
  COLUMN_DELIVERY_STATUS,
  COLUMN_DELIVERY_ERROR_CODE,
  COLUMN_CREATED_AT,
  COLUMN_VERIFIED_AT,
  COLUMN_UPDATED_AT,
};

/* The same fifteen parameters, in this order, serve INSERT and UPDATE; UPDATE adds ?16, the id. */
#define CUSTOMER_VALUES \
  "number, name, status, code_digest, code_expires_at, failed_attempts, sends_in_window, " \
  "send_window_started_at, last_sent_at, message_sid, delivery_status, delivery_error_code, " \
  "created_at, verified_at, updated_at"

static const char migration_to_1[] =
  "CREATE TABLE customers ("
  "  id INTEGER PRIMARY KEY,"
  "  number TEXT NOT NULL UNIQUE,"
  "  name TEXT,"
  "  status TEXT NOT NULL CHECK (status IN ('pending', 'verified')),"
  "  code_digest TEXT,"
  "  code_expires_at INTEGER,"
  "  failed_attempts INTEGER NOT NULL DEFAULT 0,"
  "  sends_in_window INTEGER NOT NULL DEFAULT 0,"
  "  send_window_started_at INTEGER,"
  "  last_sent_at INTEGER,"
  "  message_sid TEXT,"
  "  delivery_status TEXT,"
  "  delivery_error_code INTEGER,"
  "  created_at INTEGER NOT NULL,"
  "  verified_at INTEGER,"
  "  updated_at INTEGER NOT NULL"
  ");"
  /* Each index holds its sort order's tie-break (the rowid implicitly), so a page is one range. */
  "CREATE INDEX customers_name ON customers (name COLLATE NOCASE, number);"
  "CREATE INDEX customers_status ON customers (status, number);"
  "CREATE INDEX customers_updated ON customers (updated_at);"
  "CREATE INDEX customers_created ON customers (created_at);"
  /* The deletion event outlives its customer: hence SET NULL and the copy of the number. */
  "CREATE TABLE events ("
  "  id INTEGER PRIMARY KEY,"
  "  customer_id INTEGER REFERENCES customers (id) ON DELETE SET NULL,"
  "  number TEXT NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  detail TEXT,"
  "  time INTEGER NOT NULL"
  ");"
  "CREATE INDEX events_number ON events (number, time);"
  "CREATE INDEX events_customer ON events (customer_id, time);"
  /* Trigram tokens make any substring of three or more characters an index lookup. */
  "CREATE VIRTUAL TABLE customers_search USING fts5 ("
  "  number, name, content='customers', content_rowid='id', tokenize='trigram'"
  ");"
  "CREATE TRIGGER customers_search_insert AFTER INSERT ON customers BEGIN"
  "  INSERT INTO customers_search (rowid, number, name) VALUES (new.id, new.number, new.name);"
  "END;"
  "CREATE TRIGGER customers_search_delete AFTER DELETE ON customers BEGIN"
  "  INSERT INTO customers_search (customers_search, rowid, number, name)"
  "    VALUES ('delete', old.id, old.number, old.name);"
  "END;"
  /* Most updates only touch the verification state; they must not rewrite the index. */
  "CREATE TRIGGER customers_search_update AFTER UPDATE OF number, name ON customers"
  "  WHEN old.number IS NOT new.number OR old.name IS NOT new.name BEGIN"
  "  INSERT INTO customers_search (customers_search, rowid, number, name)"
  "    VALUES ('delete', old.id, old.number, old.name);"
  "  INSERT INTO customers_search (rowid, number, name) VALUES (new.id, new.number, new.name);"
  "END;";

/* Step i takes a database from version i to version i + 1. */
static const char * const migrations[] = {
  migration_to_1,
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == PV_STORE_SCHEMA_VERSION);

G_DEFINE_FINAL_TYPE (PvStore, pv_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (pv-store-error-quark, pv_store_error)

void
_pv_store_release_statement (PvCachedStatement *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}


static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

void
_pv_store_set_database_error (PvStore       *self,
                    PvStoreError   code,
                    GError       **error)
{
  int result = sqlite3_errcode (self->db);

  switch (result)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error_literal (error, PV_STORE_ERROR, code,
                           _("The customer database is busy in another program. "
                             "Try again in a moment."));
      break;

    case SQLITE_FULL:
      g_set_error_literal (error, PV_STORE_ERROR, code,
                           _("The disk is full, so the customer database cannot be changed."));
      break;

    case SQLITE_READONLY:
    case SQLITE_PERM:
      g_set_error_literal (error, PV_STORE_ERROR, code,
                           _("The customer database cannot be changed: the file is read-only."));
      break;

    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error_literal (error, PV_STORE_ERROR, code,
                           _("The customer database is damaged."));
      break;

    case SQLITE_NOMEM:
      g_set_error_literal (error, PV_STORE_ERROR, code,
                           _("There is not enough memory to use the customer database."));
      break;

    default:
      /* Translators: %s is SQLite's own explanation, in English. */
      g_set_error (error, PV_STORE_ERROR, code,
                   _("The customer database reported an error: %s"),
                   sqlite3_errmsg (self->db));
      break;
    }
}

/* Returns a statement owned by the cache, or NULL with @error set. Call with the mutex held. */
PvCachedStatement *
_pv_store_get_statement (PvStore     *self,
               const char  *sql,
               GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt != NULL)
    return stmt;

  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      _pv_store_set_database_error (self, PV_STORE_ERROR_FAILED, error);
      return NULL;
    }

  g_hash_table_insert (self->statements, g_strdup (sql), stmt);

  return stmt;
}

static gboolean
execute (PvStore       *self,
         const char    *sql,
         PvStoreError   code,
         GError       **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      _pv_store_set_database_error (self, code, error);
      return FALSE;
    }

  return TRUE;
}

static gboolean
begin_transaction (PvStore       *self,
                   PvStoreError   code,
                   GError       **error)
{
  /* IMMEDIATE takes the write lock up front, so another process cannot make us fail halfway. */
  return execute (self, "BEGIN IMMEDIATE", code, error);
}

static void
rollback_transaction (PvStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
commit_transaction (PvStore       *self,
                    PvStoreError   code,
                    GError       **error)
{
  if (!execute (self, "COMMIT", code, error))
    {
      rollback_transaction (self);
      return FALSE;
    }

  return TRUE;
}

static gboolean
read_user_version (PvStore  *self,
                   int      *version)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ret = FALSE;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    {
      *version = sqlite3_column_int (stmt, 0);
      ret = TRUE;
    }

  sqlite3_finalize (stmt);

  return ret;
}

/* Whether FTS5 and its trigram tokenizer are there. sqlite3_compileoption_used ("ENABLE_FTS5")
 * proves nothing either way: FTS5 may be registered as an extension without that option, and a
 * build with SQLITE_OMIT_COMPILEOPTION_DIAGS answers 0 to every option. Asking FTS5 itself does.
 */
static gboolean
has_trigram_search (PvStore *self)
{
  sqlite3_stmt *stmt = NULL;
  fts5_api *api = NULL;
  void *user_data = NULL;
  fts5_tokenizer tokenizer;

  if (sqlite3_prepare_v2 (self->db, "SELECT fts5(?1)", -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;

  sqlite3_bind_pointer (stmt, 1, &api, "fts5_api_ptr", NULL);
  sqlite3_step (stmt);
  sqlite3_finalize (stmt);

  return api != NULL &&
         api->xFindTokenizer (api, "trigram", &user_data, &tokenizer) == SQLITE_OK;
}

static gboolean
migrate (PvStore  *self,
         GError  **error)
{
  int version;

  if (!read_user_version (self, &version))
    {
      _pv_store_set_database_error (self, PV_STORE_ERROR_OPEN, error);
      return FALSE;
    }

  while (version < PV_STORE_SCHEMA_VERSION)
    {
      g_autofree char *set_version = NULL;
      int current;

      if (!begin_transaction (self, PV_STORE_ERROR_OPEN, error))
        return FALSE;

      /* Another PhoneVerify may have migrated while we waited for the write lock. */
      if (!read_user_version (self, &current))
        {
          _pv_store_set_database_error (self, PV_STORE_ERROR_OPEN, error);
          rollback_transaction (self);
          return FALSE;
        }

      if (current != version)
        {
          rollback_transaction (self);
          version = current;
          continue;
        }

      set_version = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

      if (!execute (self, migrations[version], PV_STORE_ERROR_OPEN, error) ||
          !execute (self, set_version, PV_STORE_ERROR_OPEN, error) ||
          !commit_transaction (self, PV_STORE_ERROR_OPEN, error))
        {
          rollback_transaction (self);
          return FALSE;
        }

      version++;
      g_debug ("Customer database migrated to schema version %d", version);
    }

  self->schema_version = version;

  return TRUE;
}

static gboolean
open_database (PvStore  *self,
               GError  **error)
{
  g_autofree char *display_name = g_filename_display_name (self->path);
  g_autofree char *directory = g_path_get_dirname (self->path);
  int version;

  if (g_mkdir_with_parents (directory, 0700) != 0)
    {
      int saved_errno = errno;
      g_autofree char *display_directory = g_filename_display_name (directory);

      /* Translators: the first %s is a folder, the second the reason from the system. */
      g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_OPEN,
                   _("Could not create the folder “%s”: %s"),
                   display_directory, g_strerror (saved_errno));
      return FALSE;
    }

  /* The connection is only ever used under self->mutex, but SQLite's own serialization stays
   * on (no SQLITE_OPEN_NOMUTEX) so that a mistake here cannot corrupt the database.
   */
  if (sqlite3_open_v2 (self->path, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                       NULL) != SQLITE_OK)
    {
      /* Translators: the first %s is a file name, the second the reason from the system. */
      g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_OPEN,
                   _("Could not open the customer database “%s”: %s"),
                   display_name,
                   self->db != NULL ? sqlite3_errmsg (self->db) : g_strerror (ENOMEM));
      return FALSE;
    }

  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  /* Read before anything writes: a newer or foreign file must be left exactly as it is. */
  if (!read_user_version (self, &version))
    {
      if (sqlite3_errcode (self->db) == SQLITE_NOTADB)
        g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_OPEN,
                     _("The file “%s” is not a customer database."), display_name);
      else
        _pv_store_set_database_error (self, PV_STORE_ERROR_OPEN, error);
      return FALSE;
    }

  if (version > PV_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_TOO_NEW,
                   _("The customer database “%s” was written by a newer version of "
                     "PhoneVerify. Update PhoneVerify to use it."),
                   display_name);
      return FALSE;
    }

  if (!has_trigram_search (self))
    {
      g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_OPEN,
                           _("The customer database cannot be opened: this system’s SQLite "
                             "library lacks full-text search (FTS5 with the trigram tokenizer)."));
      return FALSE;
    }

  /* A bigger page cache than the 2 MiB default, because paging through a million customers
   * walks indexes of tens of megabytes; memory is only taken as pages are read.
   */
  return execute (self,
                  "PRAGMA journal_mode = WAL;"
                  "PRAGMA synchronous = NORMAL;"
                  "PRAGMA foreign_keys = ON;"
                  "PRAGMA cache_size = -65536;",
                  PV_STORE_ERROR_OPEN, error) &&
         migrate (self, error);
}

static void
pv_store_finalize (GObject *object)
{
  PvStore *self = (PvStore *)object;

  /* Statements must go before the connection they belong to. */
  g_clear_pointer (&self->statements, g_hash_table_unref);

  g_clear_pointer (&self->db, sqlite3_close_v2);

  g_clear_object (&self->clock);
  g_clear_pointer (&self->path, g_free);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (pv_store_parent_class)->finalize (object);
}

static void
pv_store_class_init (PvStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pv_store_finalize;
}

static void
pv_store_init (PvStore *self)
{
  g_mutex_init (&self->mutex);
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_statement);
}

char *
pv_store_get_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "phone-verify", "phone-verify.db", NULL);
}

/**
 * pv_store_open:
 * @path: (nullable): the database file, or %NULL for pv_store_get_default_path()
 * @clock: (nullable): the clock that timestamps events, or %NULL for the real time
 * @error: return location for a #GError
 *
 * Opens the customer database, creating it or bringing its schema up to date as needed.
 *
 * Returns: (transfer full): the store, or %NULL with @error set (%PV_STORE_ERROR_TOO_NEW for a
 *   database written by a newer PhoneVerify, which is left untouched)
 */
PvStore *
pv_store_open (const char  *path,
               PvClock     *clock,
               GError     **error)
{
  g_autoptr(PvStore) self = NULL;

  g_return_val_if_fail (clock == NULL || PV_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (PV_TYPE_STORE, NULL);
  self->path = path != NULL ? g_strdup (path) : pv_store_get_default_path ();
  self->clock = clock != NULL ? g_object_ref (clock) : pv_clock_new ();

  if (!open_database (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
pv_store_get_path (PvStore *self)
{
  g_return_val_if_fail (PV_IS_STORE (self), NULL);

  return self->path;
}

int
pv_store_get_schema_version (PvStore *self)
{
  g_return_val_if_fail (PV_IS_STORE (self), 0);

  return self->schema_version;
}

static void
bind_time (sqlite3_stmt *stmt,
           int           index,
           gint64        time)
{
  if (time == 0)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_int64 (stmt, index, time);
}

void
_pv_store_bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  /* A NULL pointer binds SQL NULL. */
  sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

static void
bind_customer_values (sqlite3_stmt     *stmt,
                      const PvCustomer *customer,
                      gint64            created_at,
                      gint64            updated_at)
{
  _pv_store_bind_text (stmt, 1, customer->number);
  _pv_store_bind_text (stmt, 2, customer->name);
  _pv_store_bind_text (stmt, 3, pv_customer_status_to_string (customer->status));
  _pv_store_bind_text (stmt, 4, customer->code_digest);
  bind_time (stmt, 5, customer->code_expires_at);
  sqlite3_bind_int64 (stmt, 6, customer->failed_attempts);
  sqlite3_bind_int64 (stmt, 7, customer->sends_in_window);
  bind_time (stmt, 8, customer->send_window_started_at);
  bind_time (stmt, 9, customer->last_sent_at);
  _pv_store_bind_text (stmt, 10, customer->message_sid);
  _pv_store_bind_text (stmt, 11, customer->delivery_status);
  if (customer->delivery_error_code == 0)
    sqlite3_bind_null (stmt, 12);
  else
    sqlite3_bind_int (stmt, 12, customer->delivery_error_code);
  bind_time (stmt, 13, created_at);
  bind_time (stmt, 14, customer->verified_at);
  bind_time (stmt, 15, updated_at);
}

static char *
dup_column_text (sqlite3_stmt *stmt,
                 int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

PvCustomer *
_pv_store_customer_from_row (sqlite3_stmt  *stmt,
                   GError       **error)
{
  g_autoptr(PvCustomer) customer = g_new0 (PvCustomer, 1);

  if (!pv_customer_status_from_string ((const char *) sqlite3_column_text (stmt, COLUMN_STATUS),
                                       &customer->status))
    {
      g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_FAILED,
                           _("The customer database is damaged."));
      return NULL;
    }

  customer->id = sqlite3_column_int64 (stmt, COLUMN_ID);
  customer->number = dup_column_text (stmt, COLUMN_NUMBER);
  customer->name = dup_column_text (stmt, COLUMN_NAME);
  customer->code_digest = dup_column_text (stmt, COLUMN_CODE_DIGEST);
  customer->code_expires_at = sqlite3_column_int64 (stmt, COLUMN_CODE_EXPIRES_AT);
  customer->failed_attempts = (guint) sqlite3_column_int64 (stmt, COLUMN_FAILED_ATTEMPTS);
  customer->sends_in_window = (guint) sqlite3_column_int64 (stmt, COLUMN_SENDS_IN_WINDOW);
  customer->send_window_started_at = sqlite3_column_int64 (stmt, COLUMN_SEND_WINDOW_STARTED_AT);
  customer->last_sent_at = sqlite3_column_int64 (stmt, COLUMN_LAST_SENT_AT);
  customer->message_sid = dup_column_text (stmt, COLUMN_MESSAGE_SID);
  customer->delivery_status = dup_column_text (stmt, COLUMN_DELIVERY_STATUS);
  customer->delivery_error_code = sqlite3_column_int (stmt, COLUMN_DELIVERY_ERROR_CODE);
  customer->created_at = sqlite3_column_int64 (stmt, COLUMN_CREATED_AT);
  customer->verified_at = sqlite3_column_int64 (stmt, COLUMN_VERIFIED_AT);
  customer->updated_at = sqlite3_column_int64 (stmt, COLUMN_UPDATED_AT);

  return g_steal_pointer (&customer);
}

/* Call inside a transaction with the mutex held. */
static gboolean
insert_event (PvStore      *self,
              gint64        customer_id,
              const char   *number,
              PvEventKind   kind,
              const char   *detail,
              GError      **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;

  if (kind == PV_EVENT_NONE)
    return TRUE;

  stmt = _pv_store_get_statement (self,
                        "INSERT INTO events (customer_id, number, kind, detail, time) "
                        "VALUES (?1, ?2, ?3, ?4, ?5)",
                        error);
  if (stmt == NULL)
    return FALSE;

  if (customer_id == 0)
    sqlite3_bind_null (stmt, 1);
  else
    sqlite3_bind_int64 (stmt, 1, customer_id);
  _pv_store_bind_text (stmt, 2, number);
  _pv_store_bind_text (stmt, 3, pv_event_kind_to_string (kind));
  _pv_store_bind_text (stmt, 4, detail);
  sqlite3_bind_int64 (stmt, 5, pv_clock_get_now (self->clock));

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      _pv_store_set_database_error (self, PV_STORE_ERROR_FAILED, error);
      return FALSE;
    }

  return TRUE;
}

static void
set_step_error (PvStore  *self,
                GError  **error)
{
  if (sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_UNIQUE)
    g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_EXISTS,
                         _("A customer with this phone number is already stored."));
  else
    _pv_store_set_database_error (self, PV_STORE_ERROR_FAILED, error);
}

/**
 * pv_store_lookup:
 * @self: a #PvStore
 * @number: an E.164 phone number
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the customer, or %NULL without an error when there is
 *   none with @number
 */
PvCustomer *
pv_store_lookup (PvStore     *self,
                 const char  *number,
                 GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(PvCachedStatement) stmt = NULL;
  int result;

  g_return_val_if_fail (PV_IS_STORE (self), NULL);
  g_return_val_if_fail (number != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->mutex);

  stmt = _pv_store_get_statement (self, "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE number = ?1",
                        error);
  if (stmt == NULL)
    return NULL;

  _pv_store_bind_text (stmt, 1, number);
  result = sqlite3_step (stmt);

  if (result == SQLITE_ROW)
    return _pv_store_customer_from_row (stmt, error);

  if (result != SQLITE_DONE)
    _pv_store_set_database_error (self, PV_STORE_ERROR_FAILED, error);

  return NULL;
}

static gboolean
insert_customer_row (PvStore           *self,
                     const PvCustomer  *customer,
                     gint64             created_at,
                     gint64             updated_at,
                     gint64            *id,
                     GError           **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;

  stmt = _pv_store_get_statement (self,
                        "INSERT INTO customers (" CUSTOMER_VALUES ") VALUES "
                        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                        error);
  if (stmt == NULL)
    return FALSE;

  bind_customer_values (stmt, customer, created_at, updated_at);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_step_error (self, error);
      return FALSE;
    }

  *id = sqlite3_last_insert_rowid (self->db);

  return TRUE;
}

/**
 * pv_store_insert_customer:
 * @self: a #PvStore
 * @customer: the new customer; its id is ignored
 * @event: what to record about it, or %PV_EVENT_NONE
 * @detail: (nullable): the event's detail
 * @error: return location for a #GError
 *
 * Adds @customer and its event in one transaction. On success the store writes back the id it
 * assigned, and fills in @created_at and @updated_at with the clock's time where they were 0.
 *
 * Returns: %TRUE on success; %PV_STORE_ERROR_EXISTS if the number is already stored
 */
gboolean
pv_store_insert_customer (PvStore      *self,
                          PvCustomer   *customer,
                          PvEventKind   event,
                          const char   *detail,
                          GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gint64 now, created_at, updated_at, id;

  g_return_val_if_fail (PV_IS_STORE (self), FALSE);
  g_return_val_if_fail (customer != NULL, FALSE);
  g_return_val_if_fail (customer->number != NULL, FALSE);
  g_return_val_if_fail (pv_customer_status_to_string (customer->status) != NULL, FALSE);
  g_return_val_if_fail (event == PV_EVENT_NONE || pv_event_kind_to_string (event) != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->mutex);

  now = pv_clock_get_now (self->clock);
  created_at = customer->created_at != 0 ? customer->created_at : now;
  updated_at = customer->updated_at != 0 ? customer->updated_at : now;

  if (!begin_transaction (self, PV_STORE_ERROR_FAILED, error))
    return FALSE;

  if (!insert_customer_row (self, customer, created_at, updated_at, &id, error) ||
      !insert_event (self, id, customer->number, event, detail, error) ||
      !commit_transaction (self, PV_STORE_ERROR_FAILED, error))
    {
      rollback_transaction (self);
      return FALSE;
    }

  customer->id = id;
  customer->created_at = created_at;
  customer->updated_at = updated_at;

  return TRUE;
}

static gboolean
update_customer_row (PvStore           *self,
                     const PvCustomer  *customer,
                     gint64             updated_at,
                     GError           **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;

  /* A created_at of 0 binds NULL, which keeps the stored one. */
  stmt = _pv_store_get_statement (self,
                        "UPDATE customers SET (" CUSTOMER_VALUES ") = "
                        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                        "coalesce (?13, created_at), ?14, ?15) "
                        "WHERE id = ?16",
                        error);
  if (stmt == NULL)
    return FALSE;

  bind_customer_values (stmt, customer, customer->created_at, updated_at);
  sqlite3_bind_int64 (stmt, 16, customer->id);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_step_error (self, error);
      return FALSE;
    }

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_NOT_FOUND,
                           _("The customer is no longer stored."));
      return FALSE;
    }

  return TRUE;
}

/**
 * pv_store_update_customer:
 * @self: a #PvStore
 * @customer: the customer, found by its id; every other field is written
 * @event: what to record about it, or %PV_EVENT_NONE
 * @detail: (nullable): the event's detail
 * @error: return location for a #GError
 *
 * Writes @customer and its event in one transaction. An @updated_at of 0 is stored as the
 * clock's time, a @created_at of 0 keeps the stored one.
 *
 * Returns: %TRUE on success; %PV_STORE_ERROR_NOT_FOUND if there is no such id,
 *   %PV_STORE_ERROR_EXISTS if the number was changed to one that is already stored
 */
gboolean
pv_store_update_customer (PvStore           *self,
                          const PvCustomer  *customer,
                          PvEventKind        event,
                          const char        *detail,
                          GError           **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gint64 updated_at;

  g_return_val_if_fail (PV_IS_STORE (self), FALSE);
  g_return_val_if_fail (customer != NULL, FALSE);
  g_return_val_if_fail (customer->number != NULL, FALSE);
  g_return_val_if_fail (pv_customer_status_to_string (customer->status) != NULL, FALSE);
  g_return_val_if_fail (event == PV_EVENT_NONE || pv_event_kind_to_string (event) != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->mutex);

  updated_at = customer->updated_at != 0 ? customer->updated_at : pv_clock_get_now (self->clock);

  if (!begin_transaction (self, PV_STORE_ERROR_FAILED, error))
    return FALSE;

  if (!update_customer_row (self, customer, updated_at, error) ||
      !insert_event (self, customer->id, customer->number, event, detail, error) ||
      !commit_transaction (self, PV_STORE_ERROR_FAILED, error))
    {
      rollback_transaction (self);
      return FALSE;
    }

  return TRUE;
}

static gboolean
delete_customer_row (PvStore     *self,
                     const char  *number,
                     GError     **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;

  stmt = _pv_store_get_statement (self, "DELETE FROM customers WHERE number = ?1", error);
  if (stmt == NULL)
    return FALSE;

  _pv_store_bind_text (stmt, 1, number);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      _pv_store_set_database_error (self, PV_STORE_ERROR_FAILED, error);
      return FALSE;
    }

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_NOT_FOUND,
                           _("The customer is no longer stored."));
      return FALSE;
    }

  return TRUE;
}

/**
 * pv_store_delete_customer:
 * @self: a #PvStore
 * @number: the customer's E.164 number
 * @event: what to record, usually %PV_EVENT_DELETED, or %PV_EVENT_NONE
 * @detail: (nullable): the event's detail
 * @error: return location for a #GError
 *
 * Deletes the customer and records @event in one transaction. The customer's events, including
 * this one, stay listed under @number.
 *
 * Returns: %TRUE on success; %PV_STORE_ERROR_NOT_FOUND if @number is not stored
 */
gboolean
pv_store_delete_customer (PvStore      *self,
                          const char   *number,
                          PvEventKind   event,
                          const char   *detail,
                          GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (PV_IS_STORE (self), FALSE);
  g_return_val_if_fail (number != NULL, FALSE);
  g_return_val_if_fail (event == PV_EVENT_NONE || pv_event_kind_to_string (event) != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->mutex);

  if (!begin_transaction (self, PV_STORE_ERROR_FAILED, error))
    return FALSE;

  /* The event comes after the delete so that it is not tied to the vanished row. */
  if (!delete_customer_row (self, number, error) ||
      !insert_event (self, 0, number, event, detail, error) ||
      !commit_transaction (self, PV_STORE_ERROR_FAILED, error))
    {
      rollback_transaction (self);
      return FALSE;
    }

  return TRUE;
}

/**
 * pv_store_list_events:
 * @self: a #PvStore
 * @number: an E.164 phone number
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type PvEvent): the events recorded for @number, oldest
 *   first, including those of a deleted customer; or %NULL with @error set
 */
GPtrArray *
pv_store_list_events (PvStore     *self,
                      const char  *number,
                      GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(PvCachedStatement) stmt = NULL;
  g_autoptr(GPtrArray) events = NULL;
  int result;

  g_return_val_if_fail (PV_IS_STORE (self), NULL);
  g_return_val_if_fail (number != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->mutex);

  stmt = _pv_store_get_statement (self,
                        "SELECT id, kind, detail, time FROM events WHERE number = ?1 "
                        "ORDER BY time, id",
                        error);
  if (stmt == NULL)
    return NULL;

  _pv_store_bind_text (stmt, 1, number);
  events = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_event_free);

  while ((result = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PvEvent *event;
      PvEventKind kind;

      if (!pv_event_kind_from_string ((const char *) sqlite3_column_text (stmt, 1), &kind))
        {
          g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_FAILED,
                               _("The customer database is damaged."));
          return NULL;
        }

      event = pv_event_new (number, kind, (const char *) sqlite3_column_text (stmt, 2),
                            sqlite3_column_int64 (stmt, 3));
      event->id = sqlite3_column_int64 (stmt, 0);
      g_ptr_array_add (events, event);
    }

  if (result != SQLITE_DONE)
    {
      _pv_store_set_database_error (self, PV_STORE_ERROR_FAILED, error);
      return NULL;
    }

  return g_steal_pointer (&events);
}
