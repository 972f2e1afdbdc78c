/* test-store.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "pv-store.h"

#define START_TIME 1767225600  /* 2026-01-01 00:00:00 UTC */
#define LARGE_ROWS 100000

/* Each test gets a fresh directory, removed with everything in it afterwards. */
typedef struct
{
  char    *directory;
  char    *path;
  PvClock *clock;
} Fixture;

static void
remove_tree (const char *directory)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (directory, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_assert_cmpint (g_unlink (child), ==, 0);
    }

  g_assert_cmpint (g_rmdir (directory), ==, 0);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->directory = g_dir_make_tmp ("test-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->directory, "customers.db", NULL);
  fixture->clock = pv_clock_new_manual (START_TIME);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  remove_tree (fixture->directory);
  g_clear_pointer (&fixture->directory, g_free);
  g_clear_pointer (&fixture->path, g_free);
  g_clear_object (&fixture->clock);
}

static PvStore *
open_store (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  PvStore *store = pv_store_open (fixture->path, fixture->clock, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);

  return store;
}

/* A second connection that bypasses the store, to see what is really on disk. */
static sqlite3 *
open_raw (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);

  return db;
}

static void
raw_exec (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static gint64
raw_int (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

static char *
raw_text (sqlite3    *db,
          const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return value;
}

static PvCustomer *
insert_customer (PvStore    *store,
                 const char *number,
                 const char *name)
{
  g_autoptr(GError) error = NULL;
  PvCustomer *customer = pv_customer_new (number);

  customer->name = g_strdup (name);
  pv_store_insert_customer (store, customer, PV_EVENT_CODE_SENT, NULL, &error);
  g_assert_no_error (error);

  return customer;
}

static guint
count_events (PvStore    *store,
              const char *number)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = pv_store_list_events (store, number, &error);

  g_assert_no_error (error);

  return events->len;
}

static void
test_strings (void)
{
  const char *statuses[] = { "pending", "verified" };
  const char *kinds[] = { NULL, "code-sent", "delivery-update", "check-failed", "verified",
                          "deleted" };
  PvCustomerStatus status;
  PvEventKind kind;

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_assert_cmpstr (pv_customer_status_to_string (i), ==, statuses[i]);
      g_assert_true (pv_customer_status_from_string (statuses[i], &status));
      g_assert_cmpint (status, ==, i);
    }
  g_assert_null (pv_customer_status_to_string (G_N_ELEMENTS (statuses)));
  g_assert_false (pv_customer_status_from_string ("Verified", &status));
  g_assert_false (pv_customer_status_from_string (NULL, &status));

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_assert_cmpstr (pv_event_kind_to_string (i), ==, kinds[i]);
      if (kinds[i] == NULL)
        continue;
      g_assert_true (pv_event_kind_from_string (kinds[i], &kind));
      g_assert_cmpint (kind, ==, i);
    }
  g_assert_null (pv_event_kind_to_string (G_N_ELEMENTS (kinds)));
  g_assert_false (pv_event_kind_from_string ("", &kind));
  g_assert_false (pv_event_kind_from_string ("none", &kind));
}

static void
test_boxed_copy (void)
{
  g_autoptr(PvCustomer) customer = pv_customer_new ("+15552600001");
  g_autoptr(PvCustomer) copy = NULL;
  g_autoptr(PvEvent) event = pv_event_new ("+15552600001", PV_EVENT_CHECK_FAILED, "2 left", 7);
  g_autoptr(PvEvent) event_copy = NULL;

  g_assert_cmpstr (g_type_name (PV_TYPE_CUSTOMER), ==, "PvCustomer");
  g_assert_cmpstr (g_type_name (PV_TYPE_EVENT), ==, "PvEvent");
  g_assert_cmpint (customer->status, ==, PV_CUSTOMER_STATUS_PENDING);
  g_assert_cmpint (customer->id, ==, 0);

  customer->name = g_strdup ("Ada");
  customer->code_digest = g_strdup ("ab12");
  customer->delivery_error_code = 30003;
  copy = g_boxed_copy (PV_TYPE_CUSTOMER, customer);
  g_assert_true (copy->number != customer->number);
  g_assert_cmpstr (copy->number, ==, "+15552600001");
  g_assert_cmpstr (copy->name, ==, "Ada");
  g_assert_cmpstr (copy->code_digest, ==, "ab12");
  g_assert_null (copy->message_sid);
  g_assert_cmpint (copy->delivery_error_code, ==, 30003);

  event_copy = g_boxed_copy (PV_TYPE_EVENT, event);
  g_assert_true (event_copy->detail != event->detail);
  g_assert_cmpstr (event_copy->detail, ==, "2 left");
  g_assert_cmpint (event_copy->kind, ==, PV_EVENT_CHECK_FAILED);
  g_assert_cmpint (event_copy->time, ==, 7);
}

static void
test_open_fresh (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(PvStore) store = NULL;
  g_autofree char *journal_mode = NULL;
  g_autofree char *nested = g_build_filename (fixture->directory, "a", "b", NULL);
  g_autofree char *path = g_build_filename (nested, "customers.db", NULL);
  g_autoptr(GError) error = NULL;
  struct stat info;
  sqlite3 *db;

  store = pv_store_open (path, fixture->clock, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pv_store_get_path (store), ==, path);
  g_assert_cmpint (pv_store_get_schema_version (store), ==, PV_STORE_SCHEMA_VERSION);

  g_assert_cmpint (g_stat (nested, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0700);

  db = open_raw (path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, PV_STORE_SCHEMA_VERSION);
  journal_mode = raw_text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (journal_mode, ==, "wal");
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                                "('customers', 'events', 'customers_search')"), ==, 3);
  sqlite3_close (db);
}

static void
test_open_default_path (void)
{
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "phone-verify",
                                                "phone-verify.db", NULL);
  g_autofree char *path = pv_store_get_default_path ();
  g_autoptr(PvStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (path, ==, expected);

  /* G_TEST_OPTION_ISOLATE_DIRS points the user data dir at a throwaway directory. */
  store = pv_store_open (NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pv_store_get_path (store), ==, expected);
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_REGULAR));
}

static void
test_open_reopen (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) customer = insert_customer (store, "+15552600001", "Ada Lovelace");
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_object (&store);
  store = open_store (fixture);

  found = pv_store_lookup (store, "+15552600001", &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpint (found->id, ==, customer->id);
  g_assert_cmpstr (found->name, ==, "Ada Lovelace");
  g_assert_cmpuint (count_events (store, "+15552600001"), ==, 1);
  g_assert_cmpint (pv_store_get_schema_version (store), ==, PV_STORE_SCHEMA_VERSION);
}

static void
test_open_too_new (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  g_autoptr(PvStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gsize before_length, after_length;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  sql = g_strdup_printf ("CREATE TABLE future (x); PRAGMA user_version = %d;",
                         PV_STORE_SCHEMA_VERSION + 1);
  raw_exec (db, sql);
  sqlite3_close (db);
  g_assert_true (g_file_get_contents (fixture->path, &before, &before_length, NULL));

  store = pv_store_open (fixture->path, fixture->clock, &error);
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_TOO_NEW);
  g_assert_null (store);

  /* Not a byte changed: not even the journal mode in the header. */
  g_assert_true (g_file_get_contents (fixture->path, &after, &after_length, NULL));
  g_assert_cmpmem (before, before_length, after, after_length);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
}

static void
test_open_garbage (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *garbage = "These are the minutes of the office meeting, not a database. "
                        "Please do not overwrite them; they are needed for the audit.\n";
  g_autofree char *after = NULL;
  g_autoptr(PvStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (fixture->path, garbage, -1, NULL));

  store = pv_store_open (fixture->path, fixture->clock, &error);
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_OPEN);
  g_assert_null (store);
  g_assert_nonnull (strstr (error->message, "customers.db"));

  g_assert_true (g_file_get_contents (fixture->path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, garbage);
}

static void
test_open_unusable_directory (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *blocker = g_build_filename (fixture->directory, "blocker", NULL);
  g_autofree char *path = g_build_filename (blocker, "customers.db", NULL);
  g_autoptr(PvStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (blocker, "a file where a folder should be", -1, NULL));

  store = pv_store_open (path, fixture->clock, &error);
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_OPEN);
  g_assert_null (store);
}

static void
test_open_failed_migration (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(PvStore) store = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  /* A stray table with a name the migration needs makes its second statement fail. */
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  raw_exec (db, "CREATE TABLE customers_name (x);");
  sqlite3_close (db);

  store = pv_store_open (fixture->path, fixture->clock, &error);
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_OPEN);
  g_assert_null (store);

  /* The whole step was rolled back: no half-made schema, version still 0. */
  db = open_raw (fixture->path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, 0);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM sqlite_schema WHERE name = 'customers'"),
                   ==, 0);
  sqlite3_close (db);
}

static PvCustomer *
make_full_customer (void)
{
  PvCustomer *customer = pv_customer_new ("+447700900123");

  customer->name = g_strdup ("Zoë “Zed” O’Neil");
  customer->status = PV_CUSTOMER_STATUS_VERIFIED;
  customer->code_digest =
    g_strdup ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  customer->code_expires_at = START_TIME + 600;
  customer->failed_attempts = 2;
  customer->sends_in_window = 3;
  customer->send_window_started_at = START_TIME - 100;
  customer->last_sent_at = START_TIME - 10;
  customer->message_sid = g_strdup ("SM0123456789abcdef0123456789abcdef");
  customer->delivery_status = g_strdup ("undelivered");
  customer->delivery_error_code = 30003;
  customer->created_at = START_TIME - 1000;
  customer->verified_at = START_TIME + 5;
  customer->updated_at = START_TIME + 6;

  return customer;
}

static void
assert_customers_equal (const PvCustomer *a,
                        const PvCustomer *b)
{
  g_assert_cmpint (a->id, ==, b->id);
  g_assert_cmpstr (a->number, ==, b->number);
  g_assert_cmpstr (a->name, ==, b->name);
  g_assert_cmpint (a->status, ==, b->status);
  g_assert_cmpstr (a->code_digest, ==, b->code_digest);
  g_assert_cmpint (a->code_expires_at, ==, b->code_expires_at);
  g_assert_cmpuint (a->failed_attempts, ==, b->failed_attempts);
  g_assert_cmpuint (a->sends_in_window, ==, b->sends_in_window);
  g_assert_cmpint (a->send_window_started_at, ==, b->send_window_started_at);
  g_assert_cmpint (a->last_sent_at, ==, b->last_sent_at);
  g_assert_cmpstr (a->message_sid, ==, b->message_sid);
  g_assert_cmpstr (a->delivery_status, ==, b->delivery_status);
  g_assert_cmpint (a->delivery_error_code, ==, b->delivery_error_code);
  g_assert_cmpint (a->created_at, ==, b->created_at);
  g_assert_cmpint (a->verified_at, ==, b->verified_at);
  g_assert_cmpint (a->updated_at, ==, b->updated_at);
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) full = make_full_customer ();
  g_autoptr(PvCustomer) empty = pv_customer_new ("+15552600002");
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  g_assert_true (pv_store_insert_customer (store, full, PV_EVENT_NONE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (full->id, >, 0);
  found = pv_store_lookup (store, full->number, &error);
  g_assert_no_error (error);
  assert_customers_equal (found, full);
  g_clear_pointer (&found, pv_customer_free);

  /* Zero times are filled in from the clock; everything else stays empty. */
  g_assert_true (pv_store_insert_customer (store, empty, PV_EVENT_NONE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (empty->id, >, full->id);
  g_assert_cmpint (empty->created_at, ==, START_TIME);
  g_assert_cmpint (empty->updated_at, ==, START_TIME);
  found = pv_store_lookup (store, empty->number, &error);
  g_assert_no_error (error);
  assert_customers_equal (found, empty);
  g_assert_null (found->name);
  g_assert_null (found->code_digest);
  g_assert_null (found->message_sid);
  g_assert_null (found->delivery_status);
  g_assert_cmpint (found->code_expires_at, ==, 0);
  g_assert_cmpint (found->verified_at, ==, 0);

  /* 0 and NULL pointers are SQL NULL on disk, not 0 or ''. */
  db = open_raw (fixture->path);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM customers WHERE number = '+15552600002' "
                                "AND name IS NULL AND code_digest IS NULL "
                                "AND code_expires_at IS NULL AND send_window_started_at IS NULL "
                                "AND last_sent_at IS NULL AND message_sid IS NULL "
                                "AND delivery_status IS NULL AND delivery_error_code IS NULL "
                                "AND verified_at IS NULL AND status = 'pending'"), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM customers WHERE status = 'verified'"),
                   ==, 1);
  sqlite3_close (db);
}

static void
test_lookup_missing (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) customer = insert_customer (store, "+15552600001", NULL);
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GError) error = NULL;

  found = pv_store_lookup (store, "+15552600009", &error);
  g_assert_no_error (error);
  g_assert_null (found);
}

static void
test_insert_duplicate (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) first = insert_customer (store, "+15552600001", "First");
  g_autoptr(PvCustomer) second = pv_customer_new ("+15552600001");
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  second->name = g_strdup ("Second");
  g_assert_false (pv_store_insert_customer (store, second, PV_EVENT_CODE_SENT, "again", &error));
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_EXISTS);
  g_assert_cmpint (second->id, ==, 0);
  g_clear_error (&error);

  found = pv_store_lookup (store, "+15552600001", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->name, ==, "First");
  g_assert_cmpuint (count_events (store, "+15552600001"), ==, 1);
  g_assert_true (pv_store_count_customers (store, NULL, &n, &error));
  g_assert_cmpuint (n, ==, 1);

  /* The failed transaction was closed: the store keeps working. */
  g_clear_pointer (&second->number, g_free);
  second->number = g_strdup ("+15552600002");
  g_assert_true (pv_store_insert_customer (store, second, PV_EVENT_CODE_SENT, NULL, &error));
  g_assert_no_error (error);
}

static void
test_missing_rows (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) customer = insert_customer (store, "+15552600001", NULL);
  g_autoptr(PvCustomer) ghost = pv_customer_new ("+15552600009");
  g_autoptr(GError) error = NULL;

  ghost->id = customer->id + 100;
  g_assert_false (pv_store_update_customer (store, ghost, PV_EVENT_VERIFIED, NULL, &error));
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (pv_store_delete_customer (store, "+15552600009", PV_EVENT_DELETED, NULL,
                                            &error));
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Neither failure left an event behind. */
  g_assert_cmpuint (count_events (store, "+15552600009"), ==, 0);
}

static void
test_update (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) customer = insert_customer (store, "+15552600001", "Ada");
  g_autoptr(PvCustomer) changed = make_full_customer ();
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  const PvEvent *event;

  pv_clock_advance (fixture->clock, 60);
  changed->id = customer->id;
  changed->created_at = 0;
  changed->updated_at = 0;

  g_assert_true (pv_store_update_customer (store, changed, PV_EVENT_VERIFIED, "by phone",
                                           &error));
  g_assert_no_error (error);

  /* created_at 0 kept the stored time, updated_at 0 took the clock's. */
  found = pv_store_lookup (store, changed->number, &error);
  g_assert_no_error (error);
  changed->created_at = START_TIME;
  changed->updated_at = START_TIME + 60;
  assert_customers_equal (found, changed);
  g_clear_pointer (&found, pv_customer_free);

  found = pv_store_lookup (store, "+15552600001", &error);
  g_assert_no_error (error);
  g_assert_null (found);

  /* The number changed, and the history follows the number it was recorded under. */
  events = pv_store_list_events (store, changed->number, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  event = g_ptr_array_index (events, 0);
  g_assert_cmpint (event->kind, ==, PV_EVENT_VERIFIED);
  g_assert_cmpstr (event->detail, ==, "by phone");
  g_assert_cmpint (event->time, ==, START_TIME + 60);
  g_assert_cmpstr (event->number, ==, changed->number);
}

static void
test_update_number_taken (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) first = insert_customer (store, "+15552600001", "First");
  g_autoptr(PvCustomer) second = insert_customer (store, "+15552600002", "Second");
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GError) error = NULL;

  g_free (second->number);
  second->number = g_strdup ("+15552600001");
  g_assert_false (pv_store_update_customer (store, second, PV_EVENT_NONE, NULL, &error));
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_EXISTS);

  found = pv_store_lookup (store, "+15552600002", NULL);
  g_assert_nonnull (found);
  g_assert_cmpstr (found->name, ==, "Second");
}

static void
test_events_history (Fixture       *fixture,
                     gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) customer = insert_customer (store, number, "Ada");
  g_autoptr(PvCustomer) again = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  const PvEventKind expected[] = { PV_EVENT_CODE_SENT, PV_EVENT_DELIVERY_UPDATE,
                                   PV_EVENT_CHECK_FAILED, PV_EVENT_VERIFIED, PV_EVENT_DELETED,
                                   PV_EVENT_CODE_SENT };
  sqlite3 *db;

  pv_clock_advance (fixture->clock, 10);
  g_assert_true (pv_store_update_customer (store, customer, PV_EVENT_DELIVERY_UPDATE,
                                           "delivered", &error));
  pv_clock_advance (fixture->clock, 10);
  g_assert_true (pv_store_update_customer (store, customer, PV_EVENT_CHECK_FAILED, NULL, &error));
  pv_clock_advance (fixture->clock, 10);
  g_assert_true (pv_store_update_customer (store, customer, PV_EVENT_VERIFIED, NULL, &error));
  g_assert_true (pv_store_update_customer (store, customer, PV_EVENT_NONE, NULL, &error));
  pv_clock_advance (fixture->clock, 10);
  g_assert_true (pv_store_delete_customer (store, number, PV_EVENT_DELETED, "asked to", &error));
  g_assert_no_error (error);
  g_assert_null (pv_store_lookup (store, number, &error));
  g_assert_no_error (error);

  /* Same number, new customer: the old history is still listed before the new one. */
  pv_clock_advance (fixture->clock, 10);
  again = insert_customer (store, number, "Ada again");
  g_assert_cmpint (again->id, !=, 0);

  events = pv_store_list_events (store, number, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < events->len; i++)
    {
      const PvEvent *event = g_ptr_array_index (events, i);

      g_assert_cmpint (event->kind, ==, expected[i]);
      g_assert_cmpint (event->time, ==, START_TIME + 10 * i);
      g_assert_cmpstr (event->number, ==, number);
      g_assert_cmpint (event->id, >, 0);
    }
  g_assert_cmpstr (((PvEvent *) g_ptr_array_index (events, 1))->detail, ==, "delivered");
  g_assert_cmpstr (((PvEvent *) g_ptr_array_index (events, 4))->detail, ==, "asked to");
  g_assert_null (((PvEvent *) g_ptr_array_index (events, 2))->detail);

  /* The deleted customer's events are detached from any row, the new one's are attached. */
  db = open_raw (fixture->path);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM events WHERE customer_id IS NULL"), ==, 5);
  g_assert_cmpint (raw_int (db, "SELECT customer_id FROM events ORDER BY id DESC LIMIT 1"), ==,
                   again->id);
  sqlite3_close (db);
}

static void
test_transaction_rollback (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) customer = insert_customer (store, "+15552600001", "Before");
  g_autoptr(PvCustomer) changed = pv_customer_copy (customer);
  g_autoptr(PvCustomer) newcomer = pv_customer_new ("+15552600002");
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GError) error = NULL;
  guint n;
  sqlite3 *db;

  /* Every event write now fails, after the customer row has been written. */
  db = open_raw (fixture->path);
  raw_exec (db, "CREATE TRIGGER events_read_only BEFORE INSERT ON events "
                "BEGIN SELECT RAISE (ABORT, 'events are read-only'); END;");
  sqlite3_close (db);

  g_free (changed->name);
  changed->name = g_strdup ("After");
  changed->status = PV_CUSTOMER_STATUS_VERIFIED;
  g_assert_false (pv_store_update_customer (store, changed, PV_EVENT_VERIFIED, NULL, &error));
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_FAILED);
  g_clear_error (&error);

  found = pv_store_lookup (store, "+15552600001", &error);
  g_assert_no_error (error);
  assert_customers_equal (found, customer);
  g_clear_pointer (&found, pv_customer_free);

  g_assert_false (pv_store_insert_customer (store, newcomer, PV_EVENT_CODE_SENT, NULL, &error));
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_null (pv_store_lookup (store, "+15552600002", &error));
  g_assert_no_error (error);

  g_assert_false (pv_store_delete_customer (store, "+15552600001", PV_EVENT_DELETED, NULL,
                                            &error));
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_FAILED);
  g_clear_error (&error);
  found = pv_store_lookup (store, "+15552600001", &error);
  g_assert_no_error (error);
  assert_customers_equal (found, customer);
  g_clear_pointer (&found, pv_customer_free);

  /* The search index was rolled back with its rows. */
  g_assert_true (pv_store_count_customers (store, "After", &n, &error));
  g_assert_cmpuint (n, ==, 0);
  g_assert_true (pv_store_count_customers (store, "Before", &n, &error));
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (pv_store_count_customers (store, NULL, &n, &error));
  g_assert_cmpuint (n, ==, 1);

  /* Without an event nothing touches the events table, so the same change goes through. */
  g_assert_true (pv_store_update_customer (store, changed, PV_EVENT_NONE, NULL, &error));
  g_assert_no_error (error);
  found = pv_store_lookup (store, "+15552600001", &error);
  g_assert_cmpstr (found->name, ==, "After");
  g_assert_true (pv_store_count_customers (store, "After", &n, &error));
  g_assert_cmpuint (n, ==, 1);
}

/* The large data set is built once and shared by the tests that page and search through it. */
typedef struct
{
  gint64            id;
  char             *number;
  char             *name;
  char             *folded_name;  /* ASCII lower case, for working out the expected matches */
  PvCustomerStatus  status;
  gint64            created_at;
  gint64            updated_at;
} Row;

static struct
{
  char      *directory;
  char      *path;
  PvStore   *store;
  GPtrArray *rows;
} large;

static void
row_free (Row *row)
{
  g_free (row->number);
  g_free (row->name);
  g_free (row->folded_name);
  g_free (row);
}

static const char * const first_names[] = {
  "Ada", "alan", "Amara", "ANA", "Bea", "Chen", "Dara", "Diego", "Elif", "emeka", "Grace",
  "Hana", "Ivan", "Kofi", "Lena", "Luis", "Maya", "Noor", "Omar", "Priya", "Sofia", "Wei",
};

static const char * const last_names[] = {
  "Abara", "Bianchi", "chowdhury", "Dubois", "Haddad", "Ito", "Jansen", "Kowalski", "Nakamura",
  "Okafor", "Petrov", "Rossi", "Santos", "SCHMIDT", "Tanaka", "Xu", "Yilmaz",
};

/* Names that put the escaping to work. */
static const char * const odd_names[] = {
  "100% \"Quoted\" Ltd", "Under_score (Main St)", "Back\\slash: NEAR * AND", "Zoë Ærø",
};

static void
ensure_large_data_set (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20260101);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  sqlite3_stmt *stmt = NULL;
  gint64 start = g_get_monotonic_time ();
  sqlite3 *db;

  if (large.store != NULL)
    return;

  large.directory = g_dir_make_tmp ("test-store-large-XXXXXX", &error);
  g_assert_no_error (error);
  large.path = g_build_filename (large.directory, "large.db", NULL);
  large.store = pv_store_open (large.path, NULL, &error);
  g_assert_no_error (error);
  large.rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);

  /* Through a second connection and a staging table, so that all rows reach the customers
   * table, and its search index, in one statement: row by row, FTS5 flushes after each.
   */
  db = open_raw (large.path);
  raw_exec (db, "PRAGMA cache_size = -65536;"
                "CREATE TEMP TABLE staging (number, name, status, created_at, updated_at);"
                "BEGIN");
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO staging (rowid, number, name, status, "
                                       "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);

  while (large.rows->len < LARGE_ROWS)
    {
      Row *row = g_new0 (Row, 1);
      guint i = large.rows->len;

      row->number = g_strdup_printf ("+%d%03d%07d",
                                     g_rand_int_range (rand, 0, 4) == 0 ? 44 : 1,
                                     g_rand_int_range (rand, 201, 990),
                                     g_rand_int_range (rand, 0, 10000000));
      if (g_hash_table_contains (seen, row->number))
        {
          row_free (row);
          continue;
        }

      row->id = i + 1;
      if (i < G_N_ELEMENTS (odd_names))
        row->name = g_strdup (odd_names[i]);
      else if (g_rand_int_range (rand, 0, 20) != 0)
        row->name = g_strdup_printf ("%s %s",
                                     first_names[g_rand_int_range (rand, 0,
                                                                   G_N_ELEMENTS (first_names))],
                                     last_names[g_rand_int_range (rand, 0,
                                                                  G_N_ELEMENTS (last_names))]);
      row->folded_name = row->name != NULL ? g_ascii_strdown (row->name, -1) : NULL;
      row->status = g_rand_int_range (rand, 0, 3) == 0 ? PV_CUSTOMER_STATUS_PENDING
                                                       : PV_CUSTOMER_STATUS_VERIFIED;
      /* Narrow ranges, so that ties are common and the tie-breaks matter. */
      row->created_at = START_TIME + g_rand_int_range (rand, 0, 5000);
      row->updated_at = row->created_at + g_rand_int_range (rand, 0, 100);

      sqlite3_bind_int64 (stmt, 1, row->id);
      sqlite3_bind_text (stmt, 2, row->number, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, row->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, pv_customer_status_to_string (row->status), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 5, row->created_at);
      sqlite3_bind_int64 (stmt, 6, row->updated_at);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);

      g_hash_table_add (seen, row->number);
      g_ptr_array_add (large.rows, row);
    }

  sqlite3_finalize (stmt);
  raw_exec (db, "INSERT INTO customers (id, number, name, status, created_at, updated_at) "
                "SELECT rowid, number, name, status, created_at, updated_at FROM staging;"
                "COMMIT");
  sqlite3_close (db);

  g_test_message ("Generated %u customers in %.1f s", large.rows->len,
                  (g_get_monotonic_time () - start) / 1e6);
}

static void
free_large_data_set (void)
{
  if (large.store == NULL)
    return;

  g_clear_object (&large.store);
  g_clear_pointer (&large.rows, g_ptr_array_unref);
  remove_tree (large.directory);
  g_clear_pointer (&large.directory, g_free);
  g_clear_pointer (&large.path, g_free);
}

static int
compare_by_number (gconstpointer a,
                   gconstpointer b)
{
  const Row *x = *(const Row * const *) a;
  const Row *y = *(const Row * const *) b;

  return strcmp (x->number, y->number);
}

/* SQLite's NOCASE folds ASCII only, like g_ascii_strcasecmp; NULL sorts first. */
static int
compare_by_name (gconstpointer a,
                 gconstpointer b)
{
  const Row *x = *(const Row * const *) a;
  const Row *y = *(const Row * const *) b;
  int result;

  if (x->name == NULL || y->name == NULL)
    result = (x->name != NULL) - (y->name != NULL);
  else
    result = g_ascii_strcasecmp (x->name, y->name);

  return result != 0 ? result : compare_by_number (a, b);
}

static int
compare_by_status (gconstpointer a,
                   gconstpointer b)
{
  const Row *x = *(const Row * const *) a;
  const Row *y = *(const Row * const *) b;
  int result = strcmp (pv_customer_status_to_string (x->status),
                       pv_customer_status_to_string (y->status));

  return result != 0 ? result : compare_by_number (a, b);
}

#define COMPARE_THEN_ID(x, y, field) \
  ((x)->field != (y)->field ? ((x)->field > (y)->field) - ((x)->field < (y)->field) \
                            : ((x)->id > (y)->id) - ((x)->id < (y)->id))

static int
compare_by_activity (gconstpointer a,
                     gconstpointer b)
{
  const Row *x = *(const Row * const *) a;
  const Row *y = *(const Row * const *) b;

  return COMPARE_THEN_ID (x, y, updated_at);
}

static int
compare_by_created (gconstpointer a,
                    gconstpointer b)
{
  const Row *x = *(const Row * const *) a;
  const Row *y = *(const Row * const *) b;

  return COMPARE_THEN_ID (x, y, created_at);
}

static const GCompareFunc comparers[] = {
  [PV_STORE_SORT_NUMBER] = compare_by_number,
  [PV_STORE_SORT_NAME] = compare_by_name,
  [PV_STORE_SORT_STATUS] = compare_by_status,
  [PV_STORE_SORT_LAST_ACTIVITY] = compare_by_activity,
  [PV_STORE_SORT_CREATED] = compare_by_created,
};

/* What a search should find, worked out without SQL: a substring of the number or of the name
 * in ASCII lower case. @needle is what the search should boil down to, already in lower case.
 */
static gboolean
row_matches (const Row  *row,
             const char *needle)
{
  return strstr (row->number, needle) != NULL ||
         (row->folded_name != NULL && strstr (row->folded_name, needle) != NULL);
}

static GPtrArray *
expected_rows (const char  *needle,
               PvStoreSort  sort,
               gboolean     descending)
{
  GPtrArray *rows = g_ptr_array_new ();

  for (guint i = 0; i < large.rows->len; i++)
    {
      Row *row = g_ptr_array_index (large.rows, i);

      if (needle == NULL || row_matches (row, needle))
        g_ptr_array_add (rows, row);
    }

  g_ptr_array_sort (rows, comparers[sort]);

  if (descending)
    for (guint i = 0; i < rows->len / 2; i++)
      {
        gpointer swap = rows->pdata[i];

        rows->pdata[i] = rows->pdata[rows->len - 1 - i];
        rows->pdata[rows->len - 1 - i] = swap;
      }

  return rows;
}

/* Pages through the whole result and checks it against the expected order, row by row. */
static void
assert_pages (const char  *search,
              const char  *needle,
              PvStoreSort  sort,
              gboolean     descending,
              guint        page_size)
{
  g_autoptr(GPtrArray) expected = expected_rows (needle, sort, descending);
  g_autoptr(GError) error = NULL;
  guint n_customers;
  guint offset = 0;

  g_assert_true (pv_store_count_customers (large.store, search, &n_customers, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_customers, ==, expected->len);

  for (;;)
    {
      g_autoptr(GPtrArray) page = NULL;

      page = pv_store_list_customers (large.store, search, sort, descending, offset, page_size,
                                      &error);
      g_assert_no_error (error);
      g_assert_cmpuint (page->len, <=, page_size);

      for (guint i = 0; i < page->len; i++)
        {
          const PvCustomer *customer = g_ptr_array_index (page, i);
          const Row *row = g_ptr_array_index (expected, offset + i);

          g_assert_cmpint (customer->id, ==, row->id);
          g_assert_cmpstr (customer->number, ==, row->number);
        }

      offset += page->len;
      if (page->len < page_size)
        break;
    }

  g_assert_cmpuint (offset, ==, expected->len);
}

static void
test_list_pages (void)
{
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;

  ensure_large_data_set ();

  for (PvStoreSort sort = PV_STORE_SORT_NUMBER; sort <= PV_STORE_SORT_CREATED; sort++)
    {
      assert_pages (NULL, NULL, sort, FALSE, 9973);
      assert_pages (NULL, NULL, sort, TRUE, 9973);
    }

  page = pv_store_list_customers (large.store, NULL, PV_STORE_SORT_NAME, FALSE, LARGE_ROWS, 50,
                                  &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 0);
  g_clear_pointer (&page, g_ptr_array_unref);

  page = pv_store_list_customers (large.store, NULL, PV_STORE_SORT_NAME, FALSE, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 0);
}

static void
test_search (void)
{
  /* search as typed → the substring that must match */
  const struct {
    const char *search;
    const char *needle;
  } cases[] = {
    { "nakam", "nakam" },                   /* part of a name, full-text */
    { "NaKaMuRa", "nakamura" },             /* any case */
    { "ada ", "ada" },                      /* outer spaces do not count */
    { "a ros", "a ros" },                   /* across the space in a name */
    { "xu", "xu" },                         /* short: LIKE */
    { "Q", "q" },
    { "+1", "+1" },                         /* every +1 number, and not +44 */
    { "+1 2", "+12" },                      /* most rows: the index-walking plan */
    { "555", "555" },
    { "(555) 26", "55526" },                /* typed like a printed number */
    { "20-1", "201" },
    { "5.5.5", "555" },
    { "44 20", "4420" },
    { "%", "%" },                           /* LIKE wildcards are literal */
    { "_", "_" },
    { "\\", "\\" },
    { "r_s", "r_s" },
    { "\"", "\"" },                         /* FTS5 syntax is literal */
    { "\"Quoted\"", "\"quoted\"" },
    { "100% \"q", "100% \"q" },
    { "*", "*" },
    { "Ada*", "ada*" },
    { "(Main", "(main" },
    { "e (Ma", "e (ma" },
    { ": NEAR", ": near" },
    { "NEAR", "near" },
    { "NEAR(ada xu)", "near(ada xu)" },
    { "ada OR xu", "ada or xu" },
    { "ada AND", "ada and" },
    { "NOT ada", "not ada" },
    { "name:ada", "name:ada" },
    { "-ada", "-ada" },
    { "^ada", "^ada" },
    { "ada\"", "ada\"" },
    { "\"\"\"", "\"\"\"" },
    { "Zoë", "zoë" },
  };
  guint n;
  g_autoptr(GError) error = NULL;

  ensure_large_data_set ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("search “%s”", cases[i].search);
      assert_pages (cases[i].search, cases[i].needle, PV_STORE_SORT_NUMBER, FALSE, 4999);
    }

  /* The odd names are there to be found. */
  g_assert_true (pv_store_count_customers (large.store, "100% \"Q", &n, &error));
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (pv_store_count_customers (large.store, "_", &n, &error));
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (pv_store_count_customers (large.store, "h: NEAR *", &n, &error));
  g_assert_cmpuint (n, ==, 1);

  /* Blank searches are no filter at all. */
  g_assert_true (pv_store_count_customers (large.store, "  ", &n, &error));
  g_assert_cmpuint (n, ==, LARGE_ROWS);
  g_assert_true (pv_store_count_customers (large.store, "", &n, &error));
  g_assert_cmpuint (n, ==, LARGE_ROWS);
  g_assert_no_error (error);
}

static void
test_search_sorted (void)
{
  ensure_large_data_set ();

  /* Dense, medium and rare matches, so that both ways to a page are taken, for full-text and
   * short searches, in every sort order and both directions.
   */
  for (PvStoreSort sort = PV_STORE_SORT_NUMBER; sort <= PV_STORE_SORT_CREATED; sort++)
    {
      assert_pages ("+1 2", "+12", sort, sort % 2 == 0, 3001);
      assert_pages ("Tanaka", "tanaka", sort, sort % 2 == 1, 401);
      assert_pages ("wei", "wei", sort, TRUE, 1009);
      assert_pages ("Xu", "xu", sort, sort % 2 == 0, 401);
      assert_pages ("%", "%", sort, TRUE, 50);
    }
}

typedef struct
{
  PvStore *store;
  guint    n_calls;
} ThreadData;

static gpointer
list_in_thread (gpointer user_data)
{
  ThreadData *data = user_data;

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GPtrArray) page = NULL;
      g_autoptr(GError) error = NULL;
      guint n;

      page = pv_store_list_customers (data->store, i % 2 ? "555" : NULL, PV_STORE_SORT_NAME,
                                      FALSE, 0, 20, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (page->len, <=, 20);
      g_assert_true (pv_store_count_customers (data->store, NULL, &n, &error));
      g_assert_no_error (error);
      data->n_calls++;
    }

  return NULL;
}

static void
test_threads (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(GError) error = NULL;
  ThreadData thread_data = { store, 0 };
  GThread *thread;
  guint n;

  thread = g_thread_new ("lister", list_in_thread, &thread_data);

  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *number = g_strdup_printf ("+1555%07u", i);
      g_autoptr(PvCustomer) customer = insert_customer (store, number, "Threaded");

      customer->status = PV_CUSTOMER_STATUS_VERIFIED;
      g_assert_true (pv_store_update_customer (store, customer, PV_EVENT_VERIFIED, NULL, &error));
      g_assert_no_error (error);
    }

  g_thread_join (thread);
  g_assert_cmpuint (thread_data.n_calls, ==, 200);

  g_assert_true (pv_store_count_customers (store, "threaded", &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 200);
}

static char *
read_all_after (PvStore    *store,
                const char *search,
                guint       page_size,
                guint      *n_read)
{
  g_autoptr(GString) numbers = g_string_new (NULL);
  g_autofree char *after = NULL;

  *n_read = 0;
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) page = pv_store_list_customers_after (store, search, after, page_size,
                                                                 &error);

      g_assert_no_error (error);
      for (guint i = 0; i < page->len; i++)
        {
          PvCustomer *customer = g_ptr_array_index (page, i);

          /* Strictly increasing: nothing repeated, nothing out of order. */
          g_assert_true (after == NULL || strcmp (customer->number, after) > 0);
          g_free (after);
          after = g_strdup (customer->number);
          g_string_append_printf (numbers, "%s\n", customer->number);
          (*n_read)++;
        }

      if (page->len < page_size)
        return g_string_free (g_steal_pointer (&numbers), FALSE);
    }
}

/* Reading everything page by page from the last number seen: the same set as one big list,
 * with or without a search. */
static void
test_list_after (void)
{
  const char *searches[] = { NULL, "Nakamura", "an", "+1 2" };
  guint n_read;
  guint n_expected;

  ensure_large_data_set ();

  for (guint i = 0; i < G_N_ELEMENTS (searches); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *numbers = read_all_after (large.store, searches[i], 997, &n_read);

      g_assert_true (pv_store_count_customers (large.store, searches[i], &n_expected, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (n_read, ==, n_expected);
      g_assert_nonnull (numbers);
    }
}

/* A customer added before the place a reader has reached does not shift its next page, as it
 * would with an offset. */
static void
test_list_after_stable_under_inserts (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(GError) error = NULL;
  const char *last;

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *number = g_strdup_printf ("+1415555010%u", i);

      pv_customer_free (insert_customer (store, number, NULL));
    }

  first = pv_store_list_customers_after (store, NULL, NULL, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first->len, ==, 5);
  last = ((PvCustomer *) g_ptr_array_index (first, 4))->number;
  g_assert_cmpstr (last, ==, "+14155550104");

  pv_customer_free (insert_customer (store, "+14155550000", NULL));

  second = pv_store_list_customers_after (store, NULL, last, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (second->len, ==, 5);
  g_assert_cmpstr (((PvCustomer *) g_ptr_array_index (second, 0))->number, ==, "+14155550105");
}

int
main (int   argc,
      char *argv[])
{
  int result;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/store/customer/strings", test_strings);
  g_test_add_func ("/store/customer/boxed-copy", test_boxed_copy);
  ADD_TEST ("/store/open/fresh", test_open_fresh);
  g_test_add_func ("/store/open/default-path", test_open_default_path);
  ADD_TEST ("/store/open/reopen", test_open_reopen);
  ADD_TEST ("/store/open/too-new", test_open_too_new);
  ADD_TEST ("/store/open/not-a-database", test_open_garbage);
  ADD_TEST ("/store/open/unusable-directory", test_open_unusable_directory);
  ADD_TEST ("/store/open/failed-migration", test_open_failed_migration);
  ADD_TEST ("/store/customer/round-trip", test_round_trip);
  ADD_TEST ("/store/customer/lookup-missing", test_lookup_missing);
  ADD_TEST ("/store/customer/insert-duplicate", test_insert_duplicate);
  ADD_TEST ("/store/customer/missing-rows", test_missing_rows);
  ADD_TEST ("/store/customer/update", test_update);
  ADD_TEST ("/store/customer/update-number-taken", test_update_number_taken);
  ADD_TEST ("/store/events/history", test_events_history);
  ADD_TEST ("/store/transaction/rollback", test_transaction_rollback);
  g_test_add_func ("/store/list/pages", test_list_pages);
  g_test_add_func ("/store/list/search", test_search);
  g_test_add_func ("/store/list/search-sorted", test_search_sorted);
  g_test_add_func ("/store/list/after", test_list_after);
  ADD_TEST ("/store/list/after-stable", test_list_after_stable_under_inserts);
  ADD_TEST ("/store/threads", test_threads);

#undef ADD_TEST

  result = g_test_run ();
  free_large_data_set ();

  return result;
}
