/* pv-sqlite-store.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pv-store"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "pv-phone-number.h"
#include "pv-sqlite-store-private.h"
#include "pv-store-rules.h"

#define BUSY_TIMEOUT_MS 5000

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

/* Version 2: sends are recorded before they go out, with a token that makes finishing
 * one a compare-and-set; and a log of changed numbers lets other processes follow. */
static const char migration_to_2[] =
  "ALTER TABLE customers ADD COLUMN send_state TEXT"
  "  CHECK (send_state IN ('sending', 'sent', 'unknown'));"
  "ALTER TABLE customers ADD COLUMN send_id INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE customers ADD COLUMN send_owner TEXT;"
  "UPDATE customers SET send_state = 'sent' WHERE message_sid IS NOT NULL;"
  "CREATE INDEX customers_sending ON customers (number) WHERE send_state = 'sending';"
  "CREATE TABLE send_tokens (last INTEGER NOT NULL);"
  "INSERT INTO send_tokens (last) SELECT coalesce (max (send_id), 0) FROM customers;"
  /* Written by each connection's own temporary triggers (see add_change_triggers ()). */
  "CREATE TABLE changes ("
  "  seq INTEGER PRIMARY KEY,"
  "  number TEXT NOT NULL,"
  "  writer TEXT NOT NULL"
  ");"
  /* Watchers look a second or so back; keeping the last few thousand is plenty. */
  "CREATE TRIGGER changes_prune AFTER INSERT ON changes WHEN new.seq % 1024 = 0 BEGIN"
  "  DELETE FROM changes WHERE seq <= new.seq - 8192;"
  "END;";

/* Version 3: names found as people spell them. The trigram index matches any part of a
 * name but only with the accents typed ("Muller" missed "Müller"); this one holds each
 * word of the name with case and accents folded, for every script FTS5 knows, with
 * indexes of the first one and two letters so that a short search is a prefix lookup
 * instead of a pass over every customer. */
static const char migration_to_3[] =
  "CREATE VIRTUAL TABLE customers_words USING fts5 ("
  "  name, content='customers', content_rowid='id',"
  "  tokenize='unicode61 remove_diacritics 2', prefix='1 2'"
  ");"
  "INSERT INTO customers_words (customers_words) VALUES ('rebuild');"
  "CREATE TRIGGER customers_words_insert AFTER INSERT ON customers BEGIN"
  "  INSERT INTO customers_words (rowid, name) VALUES (new.id, new.name);"
  "END;"
  "CREATE TRIGGER customers_words_delete AFTER DELETE ON customers BEGIN"
  "  INSERT INTO customers_words (customers_words, rowid, name)"
  "    VALUES ('delete', old.id, old.name);"
  "END;"
  "CREATE TRIGGER customers_words_update AFTER UPDATE OF name ON customers"
  "  WHEN old.name IS NOT new.name BEGIN"
  "  INSERT INTO customers_words (customers_words, rowid, name)"
  "    VALUES ('delete', old.id, old.name);"
  "  INSERT INTO customers_words (rowid, name) VALUES (new.id, new.name);"
  "END;";

/* Version 4: numbers found by how they start, with or without the country code, for the
 * one or two digits a trigram index cannot take. Each number has two words: its digits
 * ("14155552671") and those after the calling code ("4155552671"), which calling_codes
 * (filled by fill_calling_codes () first) tells apart: calling codes are prefix-free, so at
 * most one fits. The table is contentless: the triggers work the words out again to
 * delete them, from the same calling codes. */
#define DIGIT_WORDS(row) \
  "substr (" row ".number, 2), " \
  "substr (" row ".number, 2 + coalesce ((SELECT length (code) FROM calling_codes" \
  "                                       WHERE code = substr (" row ".number, 2, length (code))" \
  "                                       LIMIT 1), 0))"

static const char migration_to_4[] =
  "CREATE VIRTUAL TABLE customers_digits USING fts5 ("
  "  full, national, content='', prefix='1 2'"
  ");"
  "INSERT INTO customers_digits (rowid, full, national)"
  "  SELECT id, " DIGIT_WORDS ("customers") " FROM customers;"
  "CREATE TRIGGER customers_digits_insert AFTER INSERT ON customers BEGIN"
  "  INSERT INTO customers_digits (rowid, full, national) VALUES (new.id, " DIGIT_WORDS ("new") ");"
  "END;"
  "CREATE TRIGGER customers_digits_delete AFTER DELETE ON customers BEGIN"
  "  INSERT INTO customers_digits (customers_digits, rowid, full, national)"
  "    VALUES ('delete', old.id, " DIGIT_WORDS ("old") ");"
  "END;"
  "CREATE TRIGGER customers_digits_update AFTER UPDATE OF number ON customers"
  "  WHEN old.number IS NOT new.number BEGIN"
  "  INSERT INTO customers_digits (customers_digits, rowid, full, national)"
  "    VALUES ('delete', old.id, " DIGIT_WORDS ("old") ");"
  "  INSERT INTO customers_digits (rowid, full, national) VALUES (new.id, " DIGIT_WORDS ("new") ");"
  "END;";

/* Version 5: how many customers there are, kept as they come and go. count(*) reads every
 * page of an index: at a million customers, 35 to 75 ms before the Customers view could
 * show its first rows, where this is one row. */
static const char migration_to_5[] =
  "CREATE TABLE customer_count (n INTEGER NOT NULL);"
  "INSERT INTO customer_count SELECT count(*) FROM customers;"
  "CREATE TRIGGER customer_count_insert AFTER INSERT ON customers BEGIN"
  "  UPDATE customer_count SET n = n + 1;"
  "END;"
  "CREATE TRIGGER customer_count_delete AFTER DELETE ON customers BEGIN"
  "  UPDATE customer_count SET n = n - 1;"
  "END;";

/* Version 6: calls besides texts. The seed of the live code, so that a call or another
 * text carries the same code; the channel of each send; and the language staff chose for
 * a customer. Sends recorded before this version have no channel: they were texts (see
 * channel_or_text ()), which saves rewriting every row of a large database. */
static const char migration_to_6[] =
  "ALTER TABLE customers ADD COLUMN code_seed TEXT;"
  "ALTER TABLE customers ADD COLUMN channel TEXT CHECK (channel IN ('sms', 'call'));"
  "ALTER TABLE customers ADD COLUMN language TEXT;"
  "ALTER TABLE events ADD COLUMN channel TEXT;";

/* Version 7: codes the customer texts to the office. SQLite cannot change a column's CHECK
 * in place, so the channels move to a new column with the wider one; the old column is
 * referenced by nothing else in the schema, which DROP COLUMN requires. */
static const char migration_to_7[] =
  "ALTER TABLE customers ADD COLUMN send_channel TEXT "
  "  CHECK (send_channel IN ('sms', 'call', 'inbound'));"
  "UPDATE customers SET send_channel = channel WHERE channel IS NOT NULL;"
  "ALTER TABLE customers DROP COLUMN channel;"
  "ALTER TABLE customers RENAME COLUMN send_channel TO channel;";

/* Step i takes a database from version i to version i + 1. */
static const char * const migrations[] = {
  migration_to_1,
  migration_to_2,
  migration_to_3,
  migration_to_4,
  migration_to_5,
  migration_to_6,
  migration_to_7,
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == PV_STORE_SCHEMA_VERSION);

static void pv_sqlite_store_iface_init (PvStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PvSqliteStore, pv_sqlite_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PV_TYPE_STORE, pv_sqlite_store_iface_init))

void
_pv_sqlite_store_release_statement (PvCachedStatement *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}


static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

/* What went wrong with the customer database, in terms staff can act on. */
typedef enum
{
  PROBLEM_UNKNOWN,
  PROBLEM_FOLDER_UNCREATABLE,   /* its folder is missing and cannot be made, for no reason found */
  PROBLEM_FOLDER_BLOCKED,       /* a file stands where one of the folders should be */
  PROBLEM_FOLDER_DENIED,        /* not allowed to create its folder */
  PROBLEM_FOLDER_CLOSED,        /* not allowed into its folder */
  PROBLEM_FILE_DENIED,          /* not allowed to read the file */
  PROBLEM_IS_FOLDER,            /* a folder has the file's name */
  PROBLEM_READ_ONLY_FILE,
  PROBLEM_READ_ONLY_COMPANION,  /* one of SQLite's working files beside it is read-only */
  PROBLEM_READ_ONLY_FOLDER,     /* SQLite cannot create its working files beside it */
  PROBLEM_READ_ONLY_DISK,
  PROBLEM_DISK_FULL,
  PROBLEM_DAMAGED,
  PROBLEM_NOT_A_DATABASE,
  PROBLEM_MOVED,                /* moved or deleted while open */
  PROBLEM_BUSY,
  PROBLEM_NO_MEMORY,
} Problem;

/* For the debug log. */
static const char * const problem_names[] = {
  "unknown", "folder-uncreatable", "folder-blocked", "folder-denied", "folder-closed",
  "file-denied", "is-folder", "read-only-file", "read-only-companion", "read-only-folder",
  "read-only-disk", "disk-full", "damaged", "not-a-database", "moved", "busy", "no-memory",
};

G_STATIC_ASSERT (G_N_ELEMENTS (problem_names) == PROBLEM_NO_MEMORY + 1);

/* How a failure is looked into on the file system: stat (), statvfs (), and access () with
 * the effective IDs. The tests hand in a made-up file system, to reach what they cannot set
 * up for real (a disk that turns read-only under an open database, for one). */

typedef struct
{
  PvStatFunc    stat;
  PvStatvfsFunc statvfs;
  PvAccessFunc  access;
} Probes;

/* SQLite's working files, which it creates beside the database and must be able to write. */
static const char * const companion_suffixes[] = { "-wal", "-shm", "-journal" };

/* Returns 0 when allowed, else the reason: EACCES, EPERM or EROFS (or another errno). */
static int
refusal (const Probes *probes,
         const char   *path,
         int           mode)
{
  return probes->access (path, mode) == 0 ? 0 : errno;
}

static gboolean
is_denied (int refused)
{
  return refused == EACCES || refused == EPERM;
}

static gboolean
is_read_only_disk (const Probes *probes,
                   const char   *path)
{
  struct statvfs info;

  return probes->statvfs (path, &info) == 0 && (info.f_flag & ST_RDONLY) != 0;
}

/* The file is there: may PhoneVerify read and write it, and SQLite its working files? */
static Problem
find_file_problem (const Probes  *probes,
                   const char    *path,
                   char         **culprit)
{
  g_autofree char *folder = g_path_get_dirname (path);
  int refused = refusal (probes, path, W_OK);

  if (is_denied (refusal (probes, path, R_OK)))
    return PROBLEM_FILE_DENIED;

  if (refused == EROFS)
    return PROBLEM_READ_ONLY_DISK;

  if (is_denied (refused))
    return PROBLEM_READ_ONLY_FILE;

  for (guint i = 0; i < G_N_ELEMENTS (companion_suffixes); i++)
    {
      g_autofree char *companion = g_strconcat (path, companion_suffixes[i], NULL);
      struct stat info;

      if (probes->stat (companion, &info) == 0 &&
          refusal (probes, companion, R_OK | W_OK) != 0)
        {
          *culprit = g_steal_pointer (&companion);
          return PROBLEM_READ_ONLY_COMPANION;
        }
    }

  if (refusal (probes, folder, W_OK | X_OK) != 0)
    {
      *culprit = g_steal_pointer (&folder);
      return PROBLEM_READ_ONLY_FOLDER;
    }

  return PROBLEM_UNKNOWN;
}

/* Looks along the database's path for what keeps SQLite from using it. *culprit is set
 * when what to name to staff is not the database file itself, but a folder or a working
 * file. */
static Problem
find_storage_problem (const Probes  *probes,
                      const char    *path,
                      gboolean       opening,
                      char         **culprit)
{
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *existing = g_strdup (path);
  struct stat info;

  /* The nearest thing on the path that is there: the file, its folder, or one above. */
  while (probes->stat (existing, &info) != 0)
    {
      g_autofree char *parent = g_path_get_dirname (existing);

      if (g_str_equal (parent, existing))
        return PROBLEM_UNKNOWN;

      g_free (existing);
      existing = g_steal_pointer (&parent);
    }

  if (g_str_equal (existing, path))
    {
      if (S_ISDIR (info.st_mode))
        return PROBLEM_IS_FOLDER;

      if (is_read_only_disk (probes, path))
        return PROBLEM_READ_ONLY_DISK;

      return find_file_problem (probes, path, culprit);
    }

  if (!S_ISDIR (info.st_mode))
    {
      *culprit = g_steal_pointer (&existing);
      return PROBLEM_FOLDER_BLOCKED;
    }

  if (is_read_only_disk (probes, existing))
    return PROBLEM_READ_ONLY_DISK;

  /* The file is not there. It was when the store opened, so it went while in use. */
  if (!opening)
    return PROBLEM_MOVED;

  if (refusal (probes, existing, X_OK) != 0)
    {
      *culprit = g_steal_pointer (&existing);
      return PROBLEM_FOLDER_CLOSED;
    }

  if (g_str_equal (existing, folder))
    {
      /* Allowed to create the file, so something else is wrong. */
      if (refusal (probes, folder, W_OK) == 0)
        return PROBLEM_UNKNOWN;

      *culprit = g_steal_pointer (&folder);
      return PROBLEM_READ_ONLY_FOLDER;
    }

  /* The folder is missing: may it be created in the nearest one that is there? */
  *culprit = g_steal_pointer (&folder);

  return refusal (probes, existing, W_OK) != 0 ? PROBLEM_FOLDER_DENIED
                                                : PROBLEM_FOLDER_UNCREATABLE;
}

/* Sorts a failure into what staff can act on. @result is SQLite's extended result code, or
 * SQLITE_CANTOPEN for a folder that could not be made; @system_errno is the failed system
 * call's errno, or 0. */
static Problem
classify_failure (const Probes  *probes,
                  const char    *path,
                  gboolean       opening,
                  int            result,
                  int            system_errno,
                  char         **culprit)
{
  Problem problem;

  switch (result & 0xff)
    {
    case SQLITE_CORRUPT:
      return PROBLEM_DAMAGED;

    case SQLITE_NOTADB:
      return PROBLEM_NOT_A_DATABASE;

    case SQLITE_FULL:
      return PROBLEM_DISK_FULL;

    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return PROBLEM_BUSY;

    case SQLITE_NOMEM:
      return PROBLEM_NO_MEMORY;

    default:
      break;
    }

  if (result == SQLITE_READONLY_DBMOVED)
    return PROBLEM_MOVED;

  /* SQLite reports a full disk as SQLITE_FULL only where it expects one; growing its
   * working files on a full disk is an I/O error with ENOSPC. */
  if (system_errno == ENOSPC || system_errno == EDQUOT)
    return PROBLEM_DISK_FULL;

  if (system_errno == ENOMEM)
    return PROBLEM_NO_MEMORY;

  switch (result & 0xff)
    {
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_IOERR:
    case SQLITE_AUTH:
      break;

    default:
      return PROBLEM_UNKNOWN;
    }

  /* The errno alone is not enough: SQLite retries a refused open read-only, and reports
   * how the retry failed. The file system itself says why. */
  problem = find_storage_problem (probes, path, opening, culprit);
  if (problem != PROBLEM_UNKNOWN)
    return problem;

  switch (system_errno)
    {
    case EROFS:
      return PROBLEM_READ_ONLY_DISK;

    case EISDIR:
      return PROBLEM_IS_FOLDER;

    case EACCES:
    case EPERM:
      return (result & 0xff) == SQLITE_READONLY ? PROBLEM_READ_ONLY_FILE : PROBLEM_FILE_DENIED;

    default:
      break;
    }

  /* The connection could not write the file, and nothing more is known. */
  return (result & 0xff) == SQLITE_READONLY ? PROBLEM_READ_ONLY_FILE : PROBLEM_UNKNOWN;
}

static void
set_problem_error (Problem        problem,
                   const char    *path,
                   const char    *culprit,
                   PvStoreError   code,
                   GError       **error)
{
  gboolean opening = code == PV_STORE_ERROR_OPEN;
  g_autofree char *name = g_filename_display_name (culprit != NULL ? culprit : path);

  switch (problem)
    {
    case PROBLEM_FOLDER_UNCREATABLE:
      g_set_error (error, PV_STORE_ERROR, code,
                   /* Translators: %s is a folder */
                   _("PhoneVerify cannot create the folder “%s” for the customer database. Ask "
                     "whoever looks after this computer for help, then restart PhoneVerify."),
                   name);
      break;

    case PROBLEM_FOLDER_BLOCKED:
      g_set_error (error, PV_STORE_ERROR, code,
                   /* Translators: %s is a file that stands where a folder should be */
                   _("PhoneVerify cannot create the folder for the customer database, because "
                     "“%s” is a file, not a folder. Move or rename that file, then restart "
                     "PhoneVerify."),
                   name);
      break;

    case PROBLEM_FOLDER_DENIED:
      g_set_error (error, PV_STORE_ERROR, code,
                   /* Translators: %s is a folder */
                   _("PhoneVerify is not allowed to create the folder “%s” for the customer "
                     "database. Ask whoever looks after this computer to give you access, then "
                     "restart PhoneVerify."),
                   name);
      break;

    case PROBLEM_FOLDER_CLOSED:
      g_set_error (error, PV_STORE_ERROR, code,
                   /* Translators: %s is a folder */
                   _("PhoneVerify is not allowed into the folder “%s”, which holds the customer "
                     "database. Ask whoever looks after this computer to give you access to the "
                     "folder, then restart PhoneVerify."),
                   name);
      break;

    case PROBLEM_FILE_DENIED:
      g_set_error (error, PV_STORE_ERROR, code,
                   /* Translators: %s is a file */
                   _("PhoneVerify is not allowed to open the customer database “%s”. Ask "
                     "whoever looks after this computer to give you access to the file, then "
                     "restart PhoneVerify."),
                   name);
      break;

    case PROBLEM_IS_FOLDER:
      g_set_error (error, PV_STORE_ERROR, code,
                   /* Translators: %s is the folder that has the database file's name */
                   _("The customer database “%s” cannot be opened, because it is a folder, not "
                     "a file. Move or rename that folder, then restart PhoneVerify."),
                   name);
      break;

    case PROBLEM_READ_ONLY_FILE:
      g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_READ_ONLY,
                   /* Translators: %s is a file */
                   _("The customer database “%s” is read-only, so PhoneVerify cannot save "
                     "changes to it. Ask whoever looks after this computer to allow changes to "
                     "the file, then restart PhoneVerify."),
                   name);
      break;

    case PROBLEM_READ_ONLY_COMPANION:
      g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_READ_ONLY,
                   /* Translators: %s is a working file beside the database, such as
                    * customers.db-wal */
                   _("PhoneVerify cannot save changes to the customer database, because its "
                     "working file “%s” is read-only. Ask whoever looks after this computer to "
                     "allow changes to that file, then restart PhoneVerify."),
                   name);
      break;

    case PROBLEM_READ_ONLY_FOLDER:
      g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_READ_ONLY,
                   /* Translators: %s is a folder */
                   _("PhoneVerify cannot save changes to the customer database, because its "
                     "folder “%s” is read-only. PhoneVerify keeps working files beside the "
                     "database and needs to create them. Ask whoever looks after this computer "
                     "to allow changes to the folder, then restart PhoneVerify."),
                   name);
      break;

    case PROBLEM_READ_ONLY_DISK:
      g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_READ_ONLY,
                   /* Translators: %s is a file */
                   _("The customer database “%s” is on a read-only disk, so PhoneVerify cannot "
                     "save changes to it. Ask whoever looks after this computer to make the disk "
                     "writable, then restart PhoneVerify."),
                   name);
      break;

    case PROBLEM_DISK_FULL:
      if (opening)
        g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_NO_SPACE,
                     /* Translators: %s is a file */
                     _("The disk that holds the customer database “%s” is full. Free up space "
                       "on it, for example by emptying the trash, then restart PhoneVerify."),
                     name);
      else
        g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_NO_SPACE,
                     /* Translators: %s is a file */
                     _("The disk that holds the customer database “%s” is full. Free up space "
                       "on it, for example by emptying the trash, then try again."),
                     name);
      break;

    case PROBLEM_DAMAGED:
      g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_DAMAGED,
                   /* Translators: %s is a file */
                   _("The customer database “%s” is damaged. Close PhoneVerify, then put back a "
                     "copy of the file from a backup, or move the file to another folder so "
                     "that PhoneVerify starts a new, empty customer list. PhoneVerify never "
                     "deletes the file itself."),
                   name);
      break;

    case PROBLEM_NOT_A_DATABASE:
      g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_DAMAGED,
                   /* Translators: %s is a file */
                   _("The file “%s” is damaged, or it is not a customer database. Close "
                     "PhoneVerify, then put back a copy of the customer database from a backup, "
                     "or move the file to another folder so that PhoneVerify starts a new, empty "
                     "customer list. PhoneVerify never deletes the file itself."),
                   name);
      break;

    case PROBLEM_MOVED:
      g_set_error (error, PV_STORE_ERROR, code,
                   /* Translators: %s is a file */
                   _("The customer database “%s” was moved or deleted while PhoneVerify was "
                     "using it. If it was moved, put it back, then restart PhoneVerify."),
                   name);
      break;

    case PROBLEM_BUSY:
      if (opening)
        g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_BUSY,
                     /* Translators: %s is a file */
                     _("The customer database “%s” is busy in another program. Wait a moment, "
                       "then restart PhoneVerify."),
                     name);
      else
        g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_BUSY,
                             _("The customer database is busy in another program. "
                               "Try again in a moment."));
      break;

    case PROBLEM_NO_MEMORY:
      if (opening)
        g_set_error_literal (error, PV_STORE_ERROR, code,
                             _("There is not enough memory to open the customer database. "
                               "Close some other programs, then restart PhoneVerify."));
      else
        g_set_error_literal (error, PV_STORE_ERROR, code,
                             _("There is not enough memory to use the customer database. "
                               "Close some other programs, then try again."));
      break;

    case PROBLEM_UNKNOWN:
    default:
      /* SQLite's own words are for developers (see the debug message); staff get a next
       * step instead. */
      if (opening)
        g_set_error (error, PV_STORE_ERROR, code,
                     /* Translators: %s is a file */
                     _("PhoneVerify cannot open the customer database “%s”. Restart "
                       "PhoneVerify; if this keeps happening, ask whoever looks after this "
                       "computer for help."),
                     name);
      else
        g_set_error (error, PV_STORE_ERROR, code,
                     /* Translators: %s is a file */
                     _("PhoneVerify could not use the customer database “%s”. Try again; if "
                       "this keeps happening, ask whoever looks after this computer for help."),
                     name);
      break;
    }
}

/* Sets @error to what staff should know about a failure with the database at @path and
 * what to do about it. @code is the error code when the failure has none of its own:
 * %PV_STORE_ERROR_OPEN while opening, which also picks the advice. SQLite's and the
 * system's own words (@detail) only go to the debug log. */
void
_pv_sqlite_store_explain_failure (const char     *path,
                                  PvStoreError    code,
                                  int             result,
                                  int             system_errno,
                                  const char     *detail,
                                  PvStatFunc      stat_func,
                                  PvStatvfsFunc   statvfs_func,
                                  PvAccessFunc    access_func,
                                  GError        **error)
{
  Probes probes = { stat_func, statvfs_func, access_func };
  g_autofree char *culprit = NULL;
  Problem problem;

  problem = classify_failure (&probes, path, code == PV_STORE_ERROR_OPEN, result, system_errno,
                              &culprit);

  g_debug ("Customer database “%s”: SQLite result %d (%s), system error %d (%s): %s; "
           "reported as %s, about “%s”",
           path, result, sqlite3_errstr (result), system_errno,
           system_errno != 0 ? g_strerror (system_errno) : "none",
           detail != NULL ? detail : "no detail", problem_names[problem],
           culprit != NULL ? culprit : path);

  set_problem_error (problem, path, culprit, code, error);
}

/* Like access (), but with the effective IDs, which are the ones open () goes by. */
static int
access_as_effective_user (const char *path,
                          int         mode)
{
  return faccessat (AT_FDCWD, path, mode, AT_EACCESS);
}

static void
explain_failure (const char    *path,
                 PvStoreError   code,
                 int            result,
                 int            system_errno,
                 const char    *detail,
                 GError       **error)
{
  _pv_sqlite_store_explain_failure (path, code, result, system_errno, detail,
                                    stat, statvfs, access_as_effective_user, error);
}

void
_pv_sqlite_store_set_database_error (PvSqliteStore  *self,
                                     PvStoreError    code,
                                     GError        **error)
{
  explain_failure (self->path, code, sqlite3_extended_errcode (self->db),
                   sqlite3_system_errno (self->db), sqlite3_errmsg (self->db), error);
}

/* For a row that SQLite reads fine but that no PhoneVerify would have written. */
static void
set_damaged_error (sqlite3_stmt  *stmt,
                   const char    *detail,
                   GError       **error)
{
  const char *path = sqlite3_db_filename (sqlite3_db_handle (stmt), "main");

  explain_failure (path != NULL ? path : "", PV_STORE_ERROR_FAILED, SQLITE_CORRUPT, 0, detail,
                   error);
}

static PvCachedStatement *
get_cached_statement (PvSqliteStore  *self,
                      sqlite3        *db,
                      GHashTable     *statements,
                      const char     *sql,
                      GError        **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (statements, sql);

  if (stmt != NULL)
    return stmt;

  if (sqlite3_prepare_v3 (db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      explain_failure (self->path, PV_STORE_ERROR_FAILED, sqlite3_extended_errcode (db),
                       sqlite3_system_errno (db), sqlite3_errmsg (db), error);
      return NULL;
    }

  g_hash_table_insert (statements, g_strdup (sql), stmt);

  return stmt;
}

/* Returns a statement owned by the cache, or NULL with @error set. Call with the mutex held. */
PvCachedStatement *
_pv_sqlite_store_get_statement (PvSqliteStore     *self,
               const char  *sql,
               GError     **error)
{
  return get_cached_statement (self, self->db, self->statements, sql, error);
}

/* The same, on the reading connection. Call with the read mutex held. */
PvCachedStatement *
_pv_sqlite_store_get_read_statement (PvSqliteStore  *self,
                                     const char     *sql,
                                     GError        **error)
{
  return get_cached_statement (self, self->read_db, self->read_statements, sql, error);
}

void
_pv_sqlite_store_set_read_error (PvSqliteStore  *self,
                                 GError        **error)
{
  explain_failure (self->path, PV_STORE_ERROR_FAILED, sqlite3_extended_errcode (self->read_db),
                   sqlite3_system_errno (self->read_db), sqlite3_errmsg (self->read_db), error);
}

/* Steps a bound statement of the reading connection for the one value it returns. */
gboolean
_pv_sqlite_store_read_int64 (PvSqliteStore      *self,
                             PvCachedStatement  *stmt,
                             gint64             *value,
                             GError            **error)
{
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      _pv_sqlite_store_set_read_error (self, error);
      return FALSE;
    }

  *value = sqlite3_column_int64 (stmt, 0);

  return TRUE;
}

/* Any commit by another connection, which is every write: the reading one never writes.
 * Call with the read mutex held. */
gboolean
_pv_sqlite_store_read_data_version (PvSqliteStore  *self,
                                    gint64         *data_version,
                                    GError        **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;

  stmt = _pv_sqlite_store_get_read_statement (self, "PRAGMA data_version", error);

  return stmt != NULL && _pv_sqlite_store_read_int64 (self, stmt, data_version, error);
}

/* Appends the first column of each @every-th row of @stmt to @ids, counting rows on from
 * @position, which it updates. */
gboolean
_pv_sqlite_store_read_every_id (PvSqliteStore      *self,
                                PvCachedStatement  *stmt,
                                guint               every,
                                guint64            *position,
                                GArray             *ids,
                                GError            **error)
{
  int result;

  while ((result = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (++*position % every == 0)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);

          g_array_append_val (ids, id);
        }
    }

  if (result != SQLITE_DONE)
    {
      _pv_sqlite_store_set_read_error (self, error);
      return FALSE;
    }

  return TRUE;
}

/* Opened once the schema is current. A missing file or folder was reported by the writing
 * connection already; this one can only fail for want of memory or file handles. */
static gboolean
open_read_connection (PvSqliteStore  *self,
                      GError        **error)
{
  if (sqlite3_open_v2 (self->path, &self->read_db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX,
                       NULL) != SQLITE_OK)
    {
      if (self->read_db != NULL)
        _pv_sqlite_store_set_read_error (self, error);
      else
        explain_failure (self->path, PV_STORE_ERROR_OPEN, SQLITE_NOMEM, ENOMEM,
                         "no memory for a connection", error);
      return FALSE;
    }

  sqlite3_busy_timeout (self->read_db, BUSY_TIMEOUT_MS);

  /* Paging through a million customers walks indexes of tens of megabytes, but the
   * operating system caches the file too: 4 MiB pages and searches as fast at a million
   * customers as 64 MiB did, and after a scroll with jumps the app holds 50 MiB less. */
  if (sqlite3_exec (self->read_db, "PRAGMA cache_size = -4096;", NULL, NULL, NULL) != SQLITE_OK)
    {
      _pv_sqlite_store_set_read_error (self, error);
      return FALSE;
    }

  return _pv_sqlite_store_add_matches_function (self, error);
}

static gboolean
execute (PvSqliteStore       *self,
         const char    *sql,
         PvStoreError   code,
         GError       **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      _pv_sqlite_store_set_database_error (self, code, error);
      return FALSE;
    }

  return TRUE;
}

static gboolean
begin_transaction (PvSqliteStore  *self,
                   PvStoreError    code,
                   GError        **error)
{
  /* IMMEDIATE takes the write lock up front, so another process cannot make us fail halfway. */
  return execute (self, "BEGIN IMMEDIATE", code, error);
}

static void
rollback_transaction (PvSqliteStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
commit_transaction (PvSqliteStore       *self,
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

/* For the intents, with the mutex held. */
gboolean
_pv_sqlite_store_begin (PvSqliteStore  *self,
                        GError        **error)
{
  return begin_transaction (self, PV_STORE_ERROR_FAILED, error);
}

gboolean
_pv_sqlite_store_commit (PvSqliteStore  *self,
                         GError        **error)
{
  return commit_transaction (self, PV_STORE_ERROR_FAILED, error);
}

void
_pv_sqlite_store_rollback (PvSqliteStore *self)
{
  rollback_transaction (self);
}

static gboolean
read_user_version (PvSqliteStore  *self,
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
has_trigram_search (PvSqliteStore *self)
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

/* The calling codes of every country libphonenumber knows, for migration_to_4. */
static gboolean
fill_calling_codes (PvSqliteStore  *self,
                    GError        **error)
{
  g_auto(GStrv) regions = pv_phone_number_dup_regions ();
  g_autoptr(GString) sql = g_string_new ("CREATE TABLE calling_codes (code TEXT PRIMARY KEY)"
                                         " WITHOUT ROWID;"
                                         "INSERT OR IGNORE INTO calling_codes (code) VALUES ");

  for (guint i = 0; regions[i] != NULL; i++)
    g_string_append_printf (sql, "%s('%u')", i > 0 ? ", " : "",
                            pv_phone_number_country_code_for_region (regions[i]));
  g_string_append_c (sql, ';');

  return execute (self, sql->str, PV_STORE_ERROR_OPEN, error);
}

static gboolean
migrate (PvSqliteStore  *self,
         GError  **error)
{
  int version;

  if (!read_user_version (self, &version))
    {
      _pv_sqlite_store_set_database_error (self, PV_STORE_ERROR_OPEN, error);
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
          _pv_sqlite_store_set_database_error (self, PV_STORE_ERROR_OPEN, error);
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

      if ((version == 3 && !fill_calling_codes (self, error)) ||
          !execute (self, migrations[version], PV_STORE_ERROR_OPEN, error) ||
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

/* Every write through this connection logs the numbers it touched, tagged with this
 * connection, so that watchers elsewhere learn what changed and skip their own writes.
 * The triggers are temporary, that is this connection's alone: other tools writing the
 * file (sqlite3, a backup) log nothing, and watchers then fall back to a full refresh. */
static gboolean
add_change_triggers (PvSqliteStore  *self,
                     GError        **error)
{
  g_autofree char *sql = NULL;
  guint64 writer = ((guint64) g_random_int () << 32) | g_random_int ();

  self->writer = g_strdup_printf ("%016" G_GINT64_MODIFIER "x", writer);
  sql = g_strdup_printf (
    "CREATE TEMP TRIGGER pv_changes_insert AFTER INSERT ON main.customers BEGIN"
    "  INSERT INTO changes (number, writer) VALUES (new.number, '%1$s');"
    "END;"
    "CREATE TEMP TRIGGER pv_changes_update AFTER UPDATE ON main.customers BEGIN"
    "  INSERT INTO changes (number, writer) VALUES (new.number, '%1$s');"
    "END;"
    "CREATE TEMP TRIGGER pv_changes_delete AFTER DELETE ON main.customers BEGIN"
    "  INSERT INTO changes (number, writer) VALUES (old.number, '%1$s');"
    "END;",
    self->writer);

  return execute (self, sql, PV_STORE_ERROR_OPEN, error);
}

/* Whether changes can be saved, found out now rather than at the first change: a folder
 * where SQLite may not create its journal only shows when it writes. Leaves the file as it
 * was: the change is rolled back before anything reaches the disk. */
static gboolean
check_writable (PvSqliteStore  *self,
                int             version,
                GError        **error)
{
  g_autofree char *sql = g_strdup_printf ("BEGIN IMMEDIATE; PRAGMA user_version = %d;", version);
  gboolean ret = execute (self, sql, PV_STORE_ERROR_OPEN, error);

  rollback_transaction (self);

  return ret;
}

static gboolean
open_database (PvSqliteStore  *self,
               GError        **error)
{
  g_autofree char *display_name = g_filename_display_name (self->path);
  g_autofree char *directory = g_path_get_dirname (self->path);
  int version;

  if (g_mkdir_with_parents (directory, 0700) != 0)
    {
      int saved_errno = errno;

      explain_failure (self->path, PV_STORE_ERROR_OPEN, SQLITE_CANTOPEN, saved_errno,
                       "could not create the folder", error);
      return FALSE;
    }

  /* The connection is only ever used under self->mutex, but SQLite's own serialization stays
   * on (no SQLITE_OPEN_NOMUTEX) so that a mistake here cannot corrupt the database.
   */
  if (sqlite3_open_v2 (self->path, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                       NULL) != SQLITE_OK)
    {
      if (self->db != NULL)
        _pv_sqlite_store_set_database_error (self, PV_STORE_ERROR_OPEN, error);
      else
        explain_failure (self->path, PV_STORE_ERROR_OPEN, SQLITE_NOMEM, ENOMEM,
                         "no memory for a connection", error);
      return FALSE;
    }

  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  /* Read before anything writes: a newer or foreign file must be left exactly as it is. */
  if (!read_user_version (self, &version))
    {
      _pv_sqlite_store_set_database_error (self, PV_STORE_ERROR_OPEN, error);
      return FALSE;
    }

  if (version > PV_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_TOO_NEW,
                   /* Translators: %s is a file */
                   _("The customer database “%s” was written by a newer version of "
                     "PhoneVerify. Update PhoneVerify to use it."),
                   display_name);
      return FALSE;
    }

  /* SQLite quietly opens a file it may not write for reading only; every change would then
   * fail. Saying why now beats failing at the first code sent. */
  if (sqlite3_db_readonly (self->db, "main") == 1)
    {
      explain_failure (self->path, PV_STORE_ERROR_OPEN, SQLITE_READONLY, 0,
                       "SQLite opened the file for reading only", error);
      return FALSE;
    }

  if (!has_trigram_search (self))
    {
      g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_OPEN,
                           _("The customer database cannot be opened: this system’s SQLite "
                             "library lacks full-text search (FTS5 with the trigram tokenizer)."));
      return FALSE;
    }

  /* The writer's own reads are lookups of one customer: the list's big page cache is on
   * the reading connection. */
  return execute (self,
                  "PRAGMA journal_mode = WAL;"
                  "PRAGMA synchronous = NORMAL;"
                  "PRAGMA foreign_keys = ON;"
                  "PRAGMA cache_size = -8192;",
                  PV_STORE_ERROR_OPEN, error) &&
         check_writable (self, version, error) &&
         migrate (self, error) &&
         add_change_triggers (self, error) &&
         open_read_connection (self, error);
}

static void
pv_sqlite_store_finalize (GObject *object)
{
  PvSqliteStore *self = (PvSqliteStore *)object;

  _pv_sqlite_store_unwatch (self);

  /* Statements must go before the connection they belong to, and the writing connection
   * last: only the last connection to close folds the write-ahead log into the file. */
  g_clear_pointer (&self->read_matches, _pv_match_set_free);
  g_clear_pointer (&self->read_anchors, _pv_anchor_set_free);
  g_clear_pointer (&self->read_number_start, g_free);
  g_clear_pointer (&self->read_calling_codes, g_hash_table_unref);
  g_clear_pointer (&self->read_word_phrases, g_ptr_array_unref);
  if (self->read_tokenizer != NULL)
    self->read_tokenizer_class.xDelete (self->read_tokenizer);
  g_clear_pointer (&self->read_statements, g_hash_table_unref);
  g_clear_pointer (&self->read_db, sqlite3_close_v2);

  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->db, sqlite3_close_v2);

  g_clear_object (&self->clock);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->writer, g_free);
  g_mutex_clear (&self->mutex);
  g_mutex_clear (&self->read_mutex);

  G_OBJECT_CLASS (pv_sqlite_store_parent_class)->finalize (object);
}

static void
pv_sqlite_store_class_init (PvSqliteStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pv_sqlite_store_finalize;
}

static void
pv_sqlite_store_init (PvSqliteStore *self)
{
  g_mutex_init (&self->mutex);
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_statement);
  g_mutex_init (&self->read_mutex);
  self->read_statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 finalize_statement);
}

char *
pv_sqlite_store_get_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "phone-verify", "phone-verify.db", NULL);
}

/**
 * pv_sqlite_store_open:
 * @path: (nullable): the database file, or %NULL for pv_sqlite_store_get_default_path()
 * @clock: (nullable): the clock that timestamps changes, or %NULL for the real time
 * @error: return location for a #GError
 *
 * Opens the customer database, creating it or bringing its schema up to date as needed.
 *
 * Returns: (transfer full): the store, or %NULL with @error set: %PV_STORE_ERROR_TOO_NEW for a
 *   database written by a newer PhoneVerify, which is left untouched; %PV_STORE_ERROR_READ_ONLY,
 *   %PV_STORE_ERROR_NO_SPACE, %PV_STORE_ERROR_DAMAGED or %PV_STORE_ERROR_BUSY for those
 *   causes; otherwise %PV_STORE_ERROR_OPEN. The message names the file or folder at fault and
 *   says what to do.
 */
PvSqliteStore *
pv_sqlite_store_open (const char  *path,
                      PvClock     *clock,
                      GError     **error)
{
  g_autoptr(PvSqliteStore) self = NULL;

  g_return_val_if_fail (clock == NULL || PV_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (PV_TYPE_SQLITE_STORE, NULL);
  self->path = path != NULL ? g_strdup (path) : pv_sqlite_store_get_default_path ();
  self->clock = clock != NULL ? g_object_ref (clock) : pv_clock_new ();

  if (!open_database (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
pv_sqlite_store_get_path (PvSqliteStore *self)
{
  g_return_val_if_fail (PV_IS_SQLITE_STORE (self), NULL);

  return self->path;
}

int
pv_sqlite_store_get_schema_version (PvSqliteStore *self)
{
  g_return_val_if_fail (PV_IS_SQLITE_STORE (self), 0);

  return self->schema_version;
}

static const char *
pv_sqlite_store_get_location (PvStore *store)
{
  return PV_SQLITE_STORE (store)->path;
}

gint64
_pv_sqlite_store_now (PvSqliteStore *self)
{
  return pv_clock_get_now (self->clock);
}

void
_pv_sqlite_store_bind_time (sqlite3_stmt *stmt,
                            int           index,
                            gint64        time)
{
  if (time == 0)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_int64 (stmt, index, time);
}

void
_pv_sqlite_store_bind_text (sqlite3_stmt *stmt,
                            int           index,
                            const char   *text)
{
  /* A NULL pointer binds SQL NULL. */
  sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

static PvChannel
channel_or_text (sqlite3_stmt *stmt,
                 int           column,
                 gboolean      was_sent)
{
  return _pv_store_channel_or_text ((const char *) sqlite3_column_text (stmt, column),
                                    was_sent);
}

static const char *
column_text (gconstpointer row,
             int           column)
{
  return (const char *) sqlite3_column_text ((sqlite3_stmt *) row, column);
}

static gint64
column_int64 (gconstpointer row,
              int           column)
{
  return sqlite3_column_int64 ((sqlite3_stmt *) row, column);
}

PvCustomer *
_pv_sqlite_store_customer_from_row (sqlite3_stmt  *stmt,
                                    GError       **error)
{
  PvCustomer *customer = _pv_store_customer_from_columns (stmt, column_text, column_int64);

  if (customer == NULL)
    set_damaged_error (stmt, "a customer has an unknown status or send state", error);

  return customer;
}

/* Call inside a transaction with the mutex held. The event is tied to the customer while
 * there is one; a deletion's event comes after the row is gone, and stays under the number. */
gboolean
_pv_sqlite_store_insert_event (PvSqliteStore  *self,
                               const char     *number,
                               PvEventKind     kind,
                               const char     *detail,
                               GError        **error)
{
  return _pv_sqlite_store_insert_channel_event (self, number, kind, PV_CHANNEL_NONE, detail,
                                                error);
}

/* As _pv_sqlite_store_insert_event(), for what happened to a send on @channel. */
gboolean
_pv_sqlite_store_insert_channel_event (PvSqliteStore  *self,
                                       const char     *number,
                                       PvEventKind     kind,
                                       PvChannel       channel,
                                       const char     *detail,
                                       GError        **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;

  if (kind == PV_EVENT_NONE)
    return TRUE;

  stmt = _pv_sqlite_store_get_statement (self,
                                         "INSERT INTO events (customer_id, number, kind, detail, "
                                         "time, channel) "
                                         "VALUES ((SELECT id FROM customers WHERE number = ?1), "
                                         "?1, ?2, ?3, ?4, ?5)",
                                         error);
  if (stmt == NULL)
    return FALSE;

  _pv_sqlite_store_bind_text (stmt, 1, number);
  _pv_sqlite_store_bind_text (stmt, 2, pv_event_kind_to_string (kind));
  _pv_sqlite_store_bind_text (stmt, 3, detail);
  sqlite3_bind_int64 (stmt, 4, pv_clock_get_now (self->clock));
  _pv_sqlite_store_bind_text (stmt, 5, pv_channel_to_string (channel));

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      _pv_sqlite_store_set_database_error (self, PV_STORE_ERROR_FAILED, error);
      return FALSE;
    }

  return TRUE;
}

/* Runs a statement that returns no rows; *changes tells how many rows it touched. */
gboolean
_pv_sqlite_store_step_done (PvSqliteStore  *self,
                            sqlite3_stmt   *stmt,
                            int            *changes,
                            GError        **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      if (sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_UNIQUE)
        g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_EXISTS,
                             _("A customer with this phone number is already stored."));
      else
        _pv_sqlite_store_set_database_error (self, PV_STORE_ERROR_FAILED, error);
      return FALSE;
    }

  if (changes != NULL)
    *changes = sqlite3_changes (self->db);

  return TRUE;
}

/* Call with the mutex held. Returns NULL without an error when there is no such customer. */
PvCustomer *
_pv_sqlite_store_lookup_locked (PvSqliteStore  *self,
                                const char     *number,
                                GError        **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;
  int result;

  stmt = _pv_sqlite_store_get_statement (self,
                                         "SELECT " PV_CUSTOMER_COLUMNS " FROM customers WHERE number = ?1",
                                         error);
  if (stmt == NULL)
    return NULL;

  _pv_sqlite_store_bind_text (stmt, 1, number);
  result = sqlite3_step (stmt);

  if (result == SQLITE_ROW)
    return _pv_sqlite_store_customer_from_row (stmt, error);

  if (result != SQLITE_DONE)
    _pv_sqlite_store_set_database_error (self, PV_STORE_ERROR_FAILED, error);

  return NULL;
}

static PvCustomer *
pv_sqlite_store_lookup (PvStore     *store,
                        const char  *number,
                        GError     **error)
{
  PvSqliteStore *self = PV_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

  return _pv_sqlite_store_lookup_locked (self, number, error);
}

static gboolean
pv_sqlite_store_insert_customer (PvStore      *store,
                                 PvCustomer   *customer,
                                 PvEventKind   event,
                                 const char   *detail,
                                 GError      **error)
{
  PvSqliteStore *self = PV_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  g_autoptr(PvCachedStatement) stmt = NULL;
  gint64 now = pv_clock_get_now (self->clock);
  gint64 created_at = customer->created_at != 0 ? customer->created_at : now;
  gint64 updated_at = customer->updated_at != 0 ? customer->updated_at : now;

  stmt = _pv_sqlite_store_get_statement (self,
                                         "INSERT INTO customers (number, name, status, code_digest, "
                                         "code_expires_at, failed_attempts, sends_in_window, "
                                         "send_window_started_at, last_sent_at, message_sid, "
                                         "delivery_status, delivery_error_code, created_at, "
                                         "verified_at, updated_at, send_state, send_id, send_owner, "
                                         "code_seed, channel, language) "
                                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                                         "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
                                         error);
  if (stmt == NULL)
    return FALSE;

  _pv_sqlite_store_bind_text (stmt, 1, customer->number);
  _pv_sqlite_store_bind_text (stmt, 2, customer->name);
  _pv_sqlite_store_bind_text (stmt, 3, pv_customer_status_to_string (customer->status));
  _pv_sqlite_store_bind_text (stmt, 4, customer->code_digest);
  _pv_sqlite_store_bind_time (stmt, 5, customer->code_expires_at);
  sqlite3_bind_int64 (stmt, 6, customer->failed_attempts);
  sqlite3_bind_int64 (stmt, 7, customer->sends_in_window);
  _pv_sqlite_store_bind_time (stmt, 8, customer->send_window_started_at);
  _pv_sqlite_store_bind_time (stmt, 9, customer->last_sent_at);
  _pv_sqlite_store_bind_text (stmt, 10, customer->message_sid);
  _pv_sqlite_store_bind_text (stmt, 11, customer->delivery_status);
  if (customer->delivery_error_code == 0)
    sqlite3_bind_null (stmt, 12);
  else
    sqlite3_bind_int (stmt, 12, customer->delivery_error_code);
  _pv_sqlite_store_bind_time (stmt, 13, created_at);
  _pv_sqlite_store_bind_time (stmt, 14, customer->verified_at);
  _pv_sqlite_store_bind_time (stmt, 15, updated_at);
  _pv_sqlite_store_bind_text (stmt, 16, pv_send_state_to_string (customer->send_state));
  sqlite3_bind_int64 (stmt, 17, customer->send_id);
  _pv_sqlite_store_bind_text (stmt, 18, customer->send_owner);
  _pv_sqlite_store_bind_text (stmt, 19, customer->code_seed);
  _pv_sqlite_store_bind_text (stmt, 20, pv_channel_to_string (customer->channel));
  _pv_sqlite_store_bind_text (stmt, 21, customer->language);

  if (!_pv_sqlite_store_begin (self, error))
    return FALSE;

  if (!_pv_sqlite_store_step_done (self, stmt, NULL, error) ||
      !_pv_sqlite_store_insert_event (self, customer->number, event, detail, error) ||
      !_pv_sqlite_store_commit (self, error))
    {
      _pv_sqlite_store_rollback (self);
      return FALSE;
    }

  customer->id = sqlite3_last_insert_rowid (self->db);
  customer->created_at = created_at;
  customer->updated_at = updated_at;

  return TRUE;
}

static gboolean
pv_sqlite_store_delete_customer (PvStore      *store,
                                 const char   *number,
                                 PvEventKind   event,
                                 const char   *detail,
                                 GError      **error)
{
  PvSqliteStore *self = PV_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  g_autoptr(PvCachedStatement) stmt = NULL;
  int changes = 0;

  stmt = _pv_sqlite_store_get_statement (self, "DELETE FROM customers WHERE number = ?1", error);
  if (stmt == NULL)
    return FALSE;

  _pv_sqlite_store_bind_text (stmt, 1, number);

  if (!_pv_sqlite_store_begin (self, error))
    return FALSE;

  if (!_pv_sqlite_store_step_done (self, stmt, &changes, error))
    {
      _pv_sqlite_store_rollback (self);
      return FALSE;
    }

  if (changes == 0)
    {
      _pv_sqlite_store_rollback (self);
      g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_NOT_FOUND,
                           _("The customer is no longer stored."));
      return FALSE;
    }

  if (!_pv_sqlite_store_insert_event (self, number, event, detail, error) ||
      !_pv_sqlite_store_commit (self, error))
    {
      _pv_sqlite_store_rollback (self);
      return FALSE;
    }

  return TRUE;
}

static GPtrArray *
pv_sqlite_store_list_events (PvStore     *store,
                             const char  *number,
                             GError     **error)
{
  PvSqliteStore *self = PV_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  g_autoptr(PvCachedStatement) stmt = NULL;
  g_autoptr(GPtrArray) events = NULL;
  int result;

  stmt = _pv_sqlite_store_get_statement (self,
                                         "SELECT id, kind, detail, time, channel FROM events WHERE number = ?1 "
                                         "ORDER BY time, id",
                                         error);
  if (stmt == NULL)
    return NULL;

  _pv_sqlite_store_bind_text (stmt, 1, number);
  events = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_event_free);

  while ((result = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PvEvent *event;
      PvEventKind kind;

      if (!pv_event_kind_from_string ((const char *) sqlite3_column_text (stmt, 1), &kind))
        {
          set_damaged_error (stmt, "an event of an unknown kind", error);
          return NULL;
        }

      event = pv_event_new (number, kind, (const char *) sqlite3_column_text (stmt, 2),
                            sqlite3_column_int64 (stmt, 3));
      event->id = sqlite3_column_int64 (stmt, 0);
      event->channel = channel_or_text (stmt, 4, _pv_store_is_send_event (kind));
      g_ptr_array_add (events, event);
    }

  if (result != SQLITE_DONE)
    {
      _pv_sqlite_store_set_database_error (self, PV_STORE_ERROR_FAILED, error);
      return NULL;
    }

  return g_steal_pointer (&events);
}

static void
pv_sqlite_store_watch (PvStore *store)
{
  _pv_sqlite_store_watch (PV_SQLITE_STORE (store));
}

static void
pv_sqlite_store_iface_init (PvStoreInterface *iface)
{
  iface->get_location = pv_sqlite_store_get_location;
  iface->lookup = pv_sqlite_store_lookup;
  iface->insert_customer = pv_sqlite_store_insert_customer;
  iface->delete_customer = pv_sqlite_store_delete_customer;
  iface->claim_send = _pv_sqlite_store_claim_send;
  iface->finish_send = _pv_sqlite_store_finish_send;
  iface->list_sends_in_flight = _pv_sqlite_store_list_sends_in_flight;
  iface->claim_attempt = _pv_sqlite_store_claim_attempt;
  iface->record_failed_attempt = _pv_sqlite_store_record_failed_attempt;
  iface->mark_verified = _pv_sqlite_store_mark_verified;
  iface->record_delivery = _pv_sqlite_store_record_delivery;
  iface->rename_customer = _pv_sqlite_store_rename_customer;
  iface->set_customer_language = _pv_sqlite_store_set_customer_language;
  iface->list_customers = (gpointer) _pv_sqlite_store_list_customers;
  iface->list_customers_after = (gpointer) _pv_sqlite_store_list_customers_after;
  iface->list_customers_following = (gpointer) _pv_sqlite_store_list_customers_following;
  iface->count_customers = (gpointer) _pv_sqlite_store_count_customers;
  iface->estimate_customers = (gpointer) _pv_sqlite_store_estimate_customers;
  iface->list_events = pv_sqlite_store_list_events;
  iface->watch = pv_sqlite_store_watch;
}
