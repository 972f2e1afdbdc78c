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

#include "pv-store.h"

#define BUSY_TIMEOUT_MS 5000

/* Queries of at least this many characters can use the trigram index; shorter ones cannot. */
#define MIN_FTS_QUERY_LENGTH 3

#define CUSTOMER_COLUMNS \
  "id, number, name, status, code_digest, code_expires_at, failed_attempts, sends_in_window, " \
  "send_window_started_at, last_sent_at, message_sid, delivery_status, delivery_error_code, " \
  "created_at, verified_at, updated_at"

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

typedef struct
{
  const char *ascending;
  const char *descending;
} SortOrder;

/* The only source of ORDER BY text: user input never reaches it. */
static const SortOrder sort_orders[] = {
  [PV_STORE_SORT_NUMBER] = { "number", "number DESC" },
  [PV_STORE_SORT_NAME] = { "name COLLATE NOCASE, number", "name COLLATE NOCASE DESC, number DESC" },
  [PV_STORE_SORT_STATUS] = { "status, number", "status DESC, number DESC" },
  [PV_STORE_SORT_LAST_ACTIVITY] = { "updated_at, id", "updated_at DESC, id DESC" },
  [PV_STORE_SORT_CREATED] = { "created_at, id", "created_at DESC, id DESC" },
};

typedef enum
{
  FILTER_NONE,
  FILTER_FULL_TEXT,
  FILTER_LIKE,
} FilterKind;

/* Two ways to a page of search results, for SQLite cannot estimate how many customers a
 * search matches and so cannot choose well on its own.
 */
typedef enum
{
  /* Walk the sort order's index, test each customer, stop once the page is full: cheap when
   * matches are dense, ruinous when they are rare.
   */
  PLAN_WALK,
  /* Collect every match, fetch and sort them: cheap when matches are few. */
  PLAN_SORT,
} Plan;

/* ?1 is the search term in each filter. */
static const char * const list_filters[][2] = {
  [FILTER_NONE] = { "", "" },
  [FILTER_FULL_TEXT] = {
    /* The unary plus keeps SQLite from looking the matches up by id. */
    [PLAN_WALK] =
      " WHERE +id IN (SELECT rowid FROM customers_search WHERE customers_search MATCH ?1)",
    [PLAN_SORT] =
      " WHERE id IN (SELECT rowid FROM customers_search WHERE customers_search MATCH ?1)",
  },
  [FILTER_LIKE] = {
    [PLAN_WALK] = " WHERE (number LIKE ?1 ESCAPE '\\' OR name LIKE ?1 ESCAPE '\\')",
    /* The inner query tests every name, but on the name index, without reading rows. */
    [PLAN_SORT] =
      " WHERE id IN (SELECT id FROM customers"
      "              WHERE number LIKE ?1 ESCAPE '\\' OR name LIKE ?1 ESCAPE '\\')",
  },
};

/* What the plans cost, in steps over one index entry; measured at a million customers. */
#define COST_CHECK_MATCH  3     /* is this id among the full-text matches? */
#define COST_READ_ROW     15    /* fetch a row to test it with LIKE */
#define COST_FETCH_MATCH  5     /* fetch a match to sort it */
#define COST_KEEP_SORTED  30    /* keep a fetched match among the offset + limit best */

static const char * const count_queries[] = {
  [FILTER_NONE] = "SELECT count(*) FROM customers",
  [FILTER_FULL_TEXT] = "SELECT count(*) FROM customers_search WHERE customers_search MATCH ?1",
  [FILTER_LIKE] =
    "SELECT count(*) FROM customers WHERE (number LIKE ?1 ESCAPE '\\' OR name LIKE ?1 ESCAPE '\\')",
};

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

G_DEFINE_FINAL_TYPE (PvStore, pv_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (pv-store-error-quark, pv_store_error)

/* A cached statement is never finalized by its user, only reset, which also ends the read
 * transaction a SELECT keeps open until then.
 */
typedef sqlite3_stmt PvCachedStatement;

static void
release_statement (PvCachedStatement *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvCachedStatement, release_statement)

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
set_database_error (PvStore       *self,
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
static PvCachedStatement *
get_statement (PvStore     *self,
               const char  *sql,
               GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt != NULL)
    return stmt;

  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      set_database_error (self, PV_STORE_ERROR_FAILED, error);
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
      set_database_error (self, code, error);
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
      set_database_error (self, PV_STORE_ERROR_OPEN, error);
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
          set_database_error (self, PV_STORE_ERROR_OPEN, error);
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
        set_database_error (self, PV_STORE_ERROR_OPEN, error);
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

static void
bind_text (sqlite3_stmt *stmt,
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
  bind_text (stmt, 1, customer->number);
  bind_text (stmt, 2, customer->name);
  bind_text (stmt, 3, pv_customer_status_to_string (customer->status));
  bind_text (stmt, 4, customer->code_digest);
  bind_time (stmt, 5, customer->code_expires_at);
  sqlite3_bind_int64 (stmt, 6, customer->failed_attempts);
  sqlite3_bind_int64 (stmt, 7, customer->sends_in_window);
  bind_time (stmt, 8, customer->send_window_started_at);
  bind_time (stmt, 9, customer->last_sent_at);
  bind_text (stmt, 10, customer->message_sid);
  bind_text (stmt, 11, customer->delivery_status);
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

static PvCustomer *
customer_from_row (sqlite3_stmt  *stmt,
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

  stmt = get_statement (self,
                        "INSERT INTO events (customer_id, number, kind, detail, time) "
                        "VALUES (?1, ?2, ?3, ?4, ?5)",
                        error);
  if (stmt == NULL)
    return FALSE;

  if (customer_id == 0)
    sqlite3_bind_null (stmt, 1);
  else
    sqlite3_bind_int64 (stmt, 1, customer_id);
  bind_text (stmt, 2, number);
  bind_text (stmt, 3, pv_event_kind_to_string (kind));
  bind_text (stmt, 4, detail);
  sqlite3_bind_int64 (stmt, 5, pv_clock_get_now (self->clock));

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_database_error (self, PV_STORE_ERROR_FAILED, error);
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
    set_database_error (self, PV_STORE_ERROR_FAILED, error);
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

  stmt = get_statement (self, "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE number = ?1",
                        error);
  if (stmt == NULL)
    return NULL;

  bind_text (stmt, 1, number);
  result = sqlite3_step (stmt);

  if (result == SQLITE_ROW)
    return customer_from_row (stmt, error);

  if (result != SQLITE_DONE)
    set_database_error (self, PV_STORE_ERROR_FAILED, error);

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

  stmt = get_statement (self,
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
  stmt = get_statement (self,
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

  stmt = get_statement (self, "DELETE FROM customers WHERE number = ?1", error);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, number);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_database_error (self, PV_STORE_ERROR_FAILED, error);
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

static gboolean
is_phone_separator (char c)
{
  return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
}

/* Staff type numbers the way they are printed: "(555) 260-01". */
static gboolean
looks_like_phone_fragment (const char *text)
{
  gboolean has_digit = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        has_digit = TRUE;
      else if (*p != '+' && !is_phone_separator (*p))
        return FALSE;
    }

  return has_digit;
}

/* Turns what staff typed into the bound value for one of list_filters, or returns FILTER_NONE. */
static FilterKind
parse_search (const char  *search,
              char       **term)
{
  g_autofree char *text = NULL;
  GString *quoted;

  *term = NULL;

  if (search == NULL)
    return FILTER_NONE;

  text = g_strstrip (g_utf8_make_valid (search, -1));

  if (looks_like_phone_fragment (text))
    {
      char *out = text;

      for (const char *in = text; *in != '\0'; in++)
        if (!is_phone_separator (*in))
          *out++ = *in;
      *out = '\0';
    }

  if (*text == '\0')
    return FILTER_NONE;

  quoted = g_string_new (NULL);

  if (g_utf8_strlen (text, -1) >= MIN_FTS_QUERY_LENGTH)
    {
      /* One FTS5 string, with its quotes doubled, is a phrase: no operator can get in. */
      g_string_append_c (quoted, '"');
      for (const char *p = text; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (quoted, '"');
          g_string_append_c (quoted, *p);
        }
      g_string_append_c (quoted, '"');

      *term = g_string_free (quoted, FALSE);
      return FILTER_FULL_TEXT;
    }

  g_string_append_c (quoted, '%');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (quoted, '\\');
      g_string_append_c (quoted, *p);
    }
  g_string_append_c (quoted, '%');

  *term = g_string_free (quoted, FALSE);
  return FILTER_LIKE;
}

/* Call with the mutex held. */
static gboolean
count_locked (PvStore     *self,
              FilterKind   filter,
              const char  *term,
              guint       *n_customers,
              GError     **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;

  stmt = get_statement (self, count_queries[filter], error);
  if (stmt == NULL)
    return FALSE;

  if (filter != FILTER_NONE)
    bind_text (stmt, 1, term);

  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      set_database_error (self, PV_STORE_ERROR_FAILED, error);
      return FALSE;
    }

  *n_customers = (guint) sqlite3_column_int64 (stmt, 0);

  return TRUE;
}

/* An upper bound on the number of customers that costs one index probe, unlike count(*). */
static gboolean
get_max_id (PvStore  *self,
            gint64   *max_id,
            GError  **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;

  stmt = get_statement (self, "SELECT coalesce (max (id), 0) FROM customers", error);
  if (stmt == NULL)
    return FALSE;

  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      set_database_error (self, PV_STORE_ERROR_FAILED, error);
      return FALSE;
    }

  *max_id = sqlite3_column_int64 (stmt, 0);

  return TRUE;
}

/* Counts the matches first to choose the cheaper plan. Returns the WHERE clause, "" when the
 * page is empty, or NULL with @error set.
 */
static const char *
choose_search_filter (PvStore      *self,
                      FilterKind    filter,
                      const char   *term,
                      PvStoreSort   sort,
                      guint         offset,
                      guint         limit,
                      GError      **error)
{
  guint n_matches;
  gint64 max_id;
  double entries_walked, walk_cost, sort_cost;
  Plan plan;

  /* The name index holds both columns LIKE tests: walking it never reads a row. */
  if (filter == FILTER_LIKE && sort == PV_STORE_SORT_NAME)
    return list_filters[filter][PLAN_WALK];

  if (!count_locked (self, filter, term, &n_matches, error) ||
      !get_max_id (self, &max_id, error))
    return NULL;

  if (offset >= n_matches)
    return "";

  /* The walk steps over about max_id / n_matches entries for each customer it keeps. */
  entries_walked = ((double) offset + limit) * max_id / n_matches;
  sort_cost = (double) n_matches * COST_FETCH_MATCH + ((double) offset + limit) * COST_KEEP_SORTED;

  if (filter == FILTER_FULL_TEXT)
    {
      walk_cost = entries_walked * COST_CHECK_MATCH;
    }
  else
    {
      walk_cost = entries_walked * COST_READ_ROW;
      sort_cost += max_id;
    }

  plan = walk_cost <= sort_cost ? PLAN_WALK : PLAN_SORT;
  g_debug ("Search matches %u customers: %s", n_matches,
           plan == PLAN_WALK ? "walking the sort order" : "sorting the matches");

  return list_filters[filter][plan];
}

/**
 * pv_store_list_customers:
 * @self: a #PvStore
 * @search: (nullable): text to find in numbers and names, or %NULL for every customer
 * @sort: the sort order
 * @descending: whether to reverse it
 * @offset: how many matching customers to skip
 * @limit: the most customers to return
 * @error: return location for a #GError
 *
 * Returns one page of customers. @search matches any part of the number or the name, ignoring
 * case; when it is only digits, "+" and separators such as spaces or dashes, the separators
 * are ignored.
 *
 * Returns: (transfer full) (element-type PvCustomer): the page, or %NULL with @error set
 */
GPtrArray *
pv_store_list_customers (PvStore      *self,
                         const char   *search,
                         PvStoreSort   sort,
                         gboolean      descending,
                         guint         offset,
                         guint         limit,
                         GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(PvCachedStatement) stmt = NULL;
  g_autoptr(GPtrArray) customers = NULL;
  g_autofree char *term = NULL;
  g_autofree char *sql = NULL;
  const char *where;
  FilterKind filter;
  int result;

  g_return_val_if_fail (PV_IS_STORE (self), NULL);
  g_return_val_if_fail ((guint) sort < G_N_ELEMENTS (sort_orders), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  customers = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_customer_free);

  if (limit == 0)
    return g_steal_pointer (&customers);

  filter = parse_search (search, &term);

  locker = g_mutex_locker_new (&self->mutex);

  if (filter == FILTER_NONE)
    {
      where = "";
    }
  else
    {
      where = choose_search_filter (self, filter, term, sort, offset, limit, error);
      if (where == NULL)
        return NULL;
      if (*where == '\0')
        return g_steal_pointer (&customers);
    }

  sql = g_strconcat ("SELECT " CUSTOMER_COLUMNS " FROM customers",
                     where,
                     " ORDER BY ",
                     descending ? sort_orders[sort].descending : sort_orders[sort].ascending,
                     " LIMIT ?2 OFFSET ?3",
                     NULL);

  stmt = get_statement (self, sql, error);
  if (stmt == NULL)
    return NULL;

  if (filter != FILTER_NONE)
    bind_text (stmt, 1, term);
  sqlite3_bind_int64 (stmt, 2, limit);
  sqlite3_bind_int64 (stmt, 3, offset);

  while ((result = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PvCustomer *customer = customer_from_row (stmt, error);

      if (customer == NULL)
        return NULL;

      g_ptr_array_add (customers, customer);
    }

  if (result != SQLITE_DONE)
    {
      set_database_error (self, PV_STORE_ERROR_FAILED, error);
      return NULL;
    }

  g_debug ("Listed %u customers", customers->len);

  return g_steal_pointer (&customers);
}

/**
 * pv_store_list_customers_after:
 * @self: a #PvStore
 * @search: (nullable): the same search as for pv_store_list_customers()
 * @after: (nullable): the last number of the previous page, or %NULL to start
 * @limit: the most customers to return
 * @error: return location for a #GError
 *
 * Returns the next page of customers in number order, for reading them all. Unlike an
 * offset, the last number seen marks the place: customers added or deleted meanwhile
 * cannot shift the pages, so none is read twice or skipped, and no page costs more than
 * the first.
 *
 * Returns: (transfer full) (element-type PvCustomer): the page (empty at the end), or %NULL
 *   with @error set
 */
GPtrArray *
pv_store_list_customers_after (PvStore     *self,
                               const char  *search,
                               const char  *after,
                               guint        limit,
                               GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(PvCachedStatement) stmt = NULL;
  g_autoptr(GPtrArray) customers = NULL;
  g_autofree char *term = NULL;
  g_autofree char *sql = NULL;
  const char *where;
  FilterKind filter;
  int result;

  g_return_val_if_fail (PV_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  customers = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_customer_free);
  if (limit == 0)
    return g_steal_pointer (&customers);

  filter = parse_search (search, &term);
  /* Walking the number index is the plan here: the reader wants every match in order. */
  where = list_filters[filter][PLAN_WALK];
  sql = g_strconcat ("SELECT " CUSTOMER_COLUMNS " FROM customers",
                     where,
                     *where == '\0' ? " WHERE" : " AND",
                     " number > ?2 ORDER BY number LIMIT ?3",
                     NULL);

  locker = g_mutex_locker_new (&self->mutex);

  stmt = get_statement (self, sql, error);
  if (stmt == NULL)
    return NULL;

  if (filter != FILTER_NONE)
    bind_text (stmt, 1, term);
  bind_text (stmt, 2, after != NULL ? after : "");
  sqlite3_bind_int64 (stmt, 3, limit);

  while ((result = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PvCustomer *customer = customer_from_row (stmt, error);

      if (customer == NULL)
        return NULL;

      g_ptr_array_add (customers, customer);
    }

  if (result != SQLITE_DONE)
    {
      set_database_error (self, PV_STORE_ERROR_FAILED, error);
      return NULL;
    }

  return g_steal_pointer (&customers);
}

/**
 * pv_store_count_customers:
 * @self: a #PvStore
 * @search: (nullable): the same search as for pv_store_list_customers()
 * @n_customers: (out): return location for the number of matching customers
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
pv_store_count_customers (PvStore      *self,
                          const char   *search,
                          guint        *n_customers,
                          GError      **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *term = NULL;
  FilterKind filter;

  g_return_val_if_fail (PV_IS_STORE (self), FALSE);
  g_return_val_if_fail (n_customers != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  filter = parse_search (search, &term);

  locker = g_mutex_locker_new (&self->mutex);

  return count_locked (self, filter, term, n_customers, error);
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

  stmt = get_statement (self,
                        "SELECT id, kind, detail, time FROM events WHERE number = ?1 "
                        "ORDER BY time, id",
                        error);
  if (stmt == NULL)
    return NULL;

  bind_text (stmt, 1, number);
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
      set_database_error (self, PV_STORE_ERROR_FAILED, error);
      return NULL;
    }

  return g_steal_pointer (&events);
}
