/* test-csv-export.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <sqlite3.h>
#include <string.h>

#include "pv-sqlite-store.h"
#include "pv-csv-export.h"
#include "pv-test-list-store.h"

#define OFFICE     "US"  /* whose numbers the Formatted Number column writes nationally */
#define START_TIME 1767225600  /* 2026-01-01 00:00:00 UTC */
#define HEADER "Number,Formatted Number,Name,Status,Created (UTC),Verified (UTC)," \
               "Last Activity (UTC),Delivery\r\n"

typedef struct
{
  char    *directory;
  char    *path;
  PvClock *clock;
  PvStore *store;
  GFile   *file;      /* where the tests export to, in its own directory */
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
  g_autofree char *export_directory = NULL;

  fixture->directory = g_dir_make_tmp ("test-csv-export-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->directory, "customers.db", NULL);
  fixture->clock = pv_clock_new_manual (START_TIME + 3600);
  fixture->store = PV_STORE (pv_sqlite_store_open (fixture->path, fixture->clock, &error));
  g_assert_no_error (error);

  export_directory = g_build_filename (fixture->directory, "export", NULL);
  g_assert_cmpint (g_mkdir (export_directory, 0700), ==, 0);
  fixture->file = g_file_new_build_filename (export_directory, "customers.csv", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->store);
  g_clear_object (&fixture->clock);
  g_clear_object (&fixture->file);
  remove_tree (fixture->directory);
  g_clear_pointer (&fixture->directory, g_free);
  g_clear_pointer (&fixture->path, g_free);
}

static void
insert (Fixture    *fixture,
        PvCustomer *customer)
{
  g_autoptr(GError) error = NULL;

  pv_store_insert_customer (fixture->store, customer, PV_EVENT_CODE_SENT, NULL, &error);
  g_assert_no_error (error);
}

static void
insert_named (Fixture    *fixture,
              const char *number,
              const char *name)
{
  g_autoptr(PvCustomer) customer = pv_customer_new (number);

  customer->name = g_strdup (name);
  customer->created_at = START_TIME;
  customer->updated_at = START_TIME;
  insert (fixture, customer);
}

/* Many customers at once, through a second connection: the store takes them one by one. */
static void
insert_many (Fixture *fixture,
             guint    n_customers)
{
  g_autofree char *sql = NULL;
  sqlite3 *db = NULL;
  char *message = NULL;

  sql = g_strdup_printf ("WITH RECURSIVE seq (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq"
                         "                          WHERE i + 1 < %u)"
                         "INSERT INTO customers (number, name, status, created_at, updated_at)"
                         " SELECT printf ('+1555%%07d', i), 'Customer ' || i, 'verified',"
                         "        %d, %d"
                         " FROM seq",
                         n_customers, START_TIME, START_TIME);

  g_assert_cmpint (sqlite3_open_v2 (fixture->path, &db, SQLITE_OPEN_READWRITE, NULL), ==,
                   SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s", message);
  sqlite3_close (db);
}

typedef struct
{
  gboolean  done;
  gssize    n_customers;
  GError   *error;
} Result;

static void
exported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Result *outcome = user_data;

  g_assert_null (object);
  outcome->n_customers = pv_csv_export_finish (result, &outcome->error);
  outcome->done = TRUE;
}

static gssize
export (Fixture       *fixture,
        const char    *search,
        GFile         *file,
        GCancellable  *cancellable,
        GError       **error)
{
  Result outcome = { FALSE, 0, NULL };

  pv_csv_export_async (fixture->store, search, file, fixture->clock, 5, OFFICE,
                       cancellable, exported_cb, &outcome);
  while (!outcome.done)
    g_main_context_iteration (NULL, TRUE);

  if (outcome.error != NULL)
    g_propagate_error (error, outcome.error);

  return outcome.n_customers;
}

static char *
read_file (GFile *file)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_load_contents (file, NULL, &contents, NULL, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

static char *
export_to_string (Fixture    *fixture,
                  const char *search,
                  gssize      expected_count)
{
  g_autoptr(GError) error = NULL;
  gssize n_customers;

  n_customers = export (fixture, search, fixture->file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n_customers, ==, expected_count);

  return read_file (fixture->file);
}

/* The names of the files in the export directory, sorted, joined by spaces. */
static char *
list_export_directory (Fixture *fixture)
{
  g_autoptr(GFile) parent = g_file_get_parent (fixture->file);
  g_autofree char *path = g_file_get_path (parent);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, (gpointer) name);
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);

  return g_strjoinv (" ", (char **) names->pdata);
}

static void
test_empty (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *csv = export_to_string (fixture, NULL, 0);

  g_assert_cmpstr (csv, ==, HEADER);
}

static void
test_quoting (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(PvCustomer) verified = pv_customer_new ("+14155550105");
  g_autofree char *csv = NULL;

  insert_named (fixture, "+14155550100", "Plain Name");
  insert_named (fixture, "+14155550101", "Lovelace, Ada");
  insert_named (fixture, "+14155550102", "Ada \"The Countess\" Lovelace");
  insert_named (fixture, "+14155550103", "Two\nLines\r\nHere");
  insert_named (fixture, "+14155550104", "Zoë Ærø 日本");

  verified->status = PV_CUSTOMER_STATUS_VERIFIED;
  verified->created_at = START_TIME;
  verified->verified_at = START_TIME + 90;
  verified->updated_at = START_TIME + 90;
  verified->delivery_status = g_strdup ("delivered");
  insert (fixture, verified);

  csv = export_to_string (fixture, NULL, 6);
  g_assert_cmpstr (csv, ==,
                   HEADER
                   "+14155550100,(415) 555-0100,Plain Name,Pending,2026-01-01T00:00:00Z,,"
                   "2026-01-01T00:00:00Z,\r\n"
                   "+14155550101,(415) 555-0101,\"Lovelace, Ada\",Pending,2026-01-01T00:00:00Z,,"
                   "2026-01-01T00:00:00Z,\r\n"
                   "+14155550102,(415) 555-0102,\"Ada \"\"The Countess\"\" Lovelace\",Pending,"
                   "2026-01-01T00:00:00Z,,2026-01-01T00:00:00Z,\r\n"
                   "+14155550103,(415) 555-0103,\"Two\nLines\r\nHere\",Pending,"
                   "2026-01-01T00:00:00Z,,2026-01-01T00:00:00Z,\r\n"
                   "+14155550104,(415) 555-0104,Zoë Ærø 日本,Pending,2026-01-01T00:00:00Z,,"
                   "2026-01-01T00:00:00Z,\r\n"
                   "+14155550105,(415) 555-0105,,Verified,2026-01-01T00:00:00Z,"
                   "2026-01-01T00:01:30Z,2026-01-01T00:01:30Z,Delivered\r\n");
}

/* Replaces the fixture's SQLite store with an empty PvTestListStore, and returns it. */
static PvTestListStore *
use_list_store (Fixture *fixture)
{
  g_clear_object (&fixture->store);
  fixture->store = g_object_new (PV_TYPE_TEST_LIST_STORE, NULL);

  return PV_TEST_LIST_STORE (fixture->store);
}

static PvCustomer *
new_customer (const char *number,
              const char *name)
{
  PvCustomer *customer = pv_customer_new (number);

  customer->name = g_strdup (name);
  customer->created_at = START_TIME;
  customer->updated_at = START_TIME;

  return customer;
}

/* An empty first field keeps its comma: the rest of the row stays in its columns. Found by
 * tests/fuzz/fuzz-csv-export, whose smallest case was one NUL byte: a customer with an
 * empty number and no name.
 */
static void
test_empty_first_field (Fixture       *fixture,
                        gconstpointer  data)
{
  PvTestListStore *store = use_list_store (fixture);
  g_autoptr(PvCustomer) nameless = pv_customer_new ("");
  g_autofree char *csv = NULL;

  pv_test_list_store_add (store, new_customer ("", "Ada Lovelace"));
  pv_test_list_store_add (store, new_customer ("+14155550100", "Grace Hopper"));

  csv = export_to_string (fixture, NULL, 2);
  g_assert_cmpstr (csv, ==,
                   HEADER
                   ",,Ada Lovelace,Pending,2026-01-01T00:00:00Z,,2026-01-01T00:00:00Z,\r\n"
                   "+14155550100,(415) 555-0100,Grace Hopper,Pending,2026-01-01T00:00:00Z,,"
                   "2026-01-01T00:00:00Z,\r\n");

  /* The fuzzer's own case: every field but the status empty. */
  g_clear_pointer (&csv, g_free);
  store = use_list_store (fixture);
  pv_test_list_store_add (store, g_steal_pointer (&nameless));

  csv = export_to_string (fixture, NULL, 1);
  g_assert_cmpstr (csv, ==, HEADER ",,,Pending,,,,\r\n");
}

/* Quoting and the formula guard for what no one should type, but a paste or another program
 * can store: every field reads back as it was, and none starts a formula. */
static void
test_hostile_fields (Fixture       *fixture,
                     gconstpointer  data)
{
  PvTestListStore *store = use_list_store (fixture);
  PvCustomer *formula_number = new_customer ("=1+1", "\"=cmd|' /C calc'!A0\"");
  PvCustomer *controls = new_customer ("+14155550100", "\x01\x1b[31mred\x7f");
  PvCustomer *line_breaks = new_customer ("+14155550101", "\n=1+1\r");
  PvCustomer *spaced_number = new_customer ("+1 415 555 0102", "-");
  g_autofree char *long_name = g_strnfill (5000, 'x');
  g_autofree char *csv = NULL;
  g_autofree char *expected = NULL;

  formula_number->delivery_status = g_strdup ("@SUM(A1)");
  controls->delivery_status = g_strdup ("\tdelivered");
  pv_test_list_store_add (store, spaced_number);
  pv_test_list_store_add (store, controls);
  pv_test_list_store_add (store, line_breaks);
  pv_test_list_store_add (store, new_customer ("+14155550103", long_name));
  pv_test_list_store_add (store, formula_number);

  csv = export_to_string (fixture, NULL, 5);
  expected = g_strconcat (HEADER,
                          /* Not E.164, so guarded like any other field. */
                          "\"'+1 415 555 0102\",(415) 555-0102,\"'-\",Pending,"
                          "2026-01-01T00:00:00Z,,2026-01-01T00:00:00Z,\r\n"
                          /* Control characters are kept: only CR and LF need quotes. */
                          "+14155550100,(415) 555-0100,\x01\x1b[31mred\x7f,Pending,"
                          "2026-01-01T00:00:00Z,,2026-01-01T00:00:00Z,\"'\tdelivered\"\r\n"
                          "+14155550101,(415) 555-0101,\"\n=1+1\r\",Pending,2026-01-01T00:00:00Z,,"
                          "2026-01-01T00:00:00Z,\r\n"
                          "+14155550103,(415) 555-0103,", long_name, ",Pending,"
                          "2026-01-01T00:00:00Z,,2026-01-01T00:00:00Z,\r\n"
                          "\"'=1+1\",\"'=1+1\",\"\"\"=cmd|' /C calc'!A0\"\"\",Pending,"
                          "2026-01-01T00:00:00Z,,2026-01-01T00:00:00Z,\"'@SUM(A1)\"\r\n",
                          NULL);
  g_assert_cmpstr (csv, ==, expected);
}

static void
test_statuses (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(PvCustomer) locked = pv_customer_new ("+14155550100");
  g_autoptr(PvCustomer) expired = pv_customer_new ("+14155550101");
  g_autoptr(PvCustomer) failed = pv_customer_new ("+14155550102");
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;

  locked->failed_attempts = 5;
  locked->code_expires_at = START_TIME + 7200;
  insert (fixture, locked);

  /* The clock is at START_TIME + 3600. */
  expired->code_expires_at = START_TIME + 3600;
  insert (fixture, expired);

  failed->code_expires_at = START_TIME + 7200;
  failed->delivery_status = g_strdup ("undelivered");
  failed->delivery_error_code = 30003;
  insert (fixture, failed);

  csv = export_to_string (fixture, NULL, 3);
  lines = g_strsplit (csv, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 5);
  g_assert_true (g_str_has_prefix (lines[1], "+14155550100,(415) 555-0100,,Locked,"));
  g_assert_true (g_str_has_prefix (lines[2], "+14155550101,(415) 555-0101,,Expired,"));
  g_assert_true (g_str_has_prefix (lines[3], "+14155550102,(415) 555-0102,,Pending,"));
  g_assert_true (g_str_has_suffix (lines[3], ",Not delivered (30003)"));
  g_assert_cmpstr (lines[4], ==, "");
}

/* Run with LANGUAGE set (csv-export-de): every column heading and every word in the
 * cells comes out in that language, none left in English. */
static void
test_translated (Fixture       *fixture,
                 gconstpointer  data)
{
  const char *localedir = g_getenv ("PV_TEST_LOCALEDIR");
  g_autoptr(PvCustomer) failed = pv_customer_new ("+14155550102");
  g_autofree char *not_delivered = NULL;
  g_autofree char *expected_cells = NULL;
  g_autofree char *expected_header = NULL;
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;
  const char *pending;

  if (localedir == NULL || g_getenv ("LANGUAGE") == NULL)
    {
      g_test_skip ("run with LANGUAGE and PV_TEST_LOCALEDIR (the csv-export-de test)");
      return;
    }
  /* As the app's main () does: the core's strings are in the default domain. */
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_assert_nonnull (setlocale (LC_ALL, ""));

  failed->code_expires_at = START_TIME + 7200;
  failed->delivery_status = g_strdup ("undelivered");
  failed->delivery_error_code = 30003;
  insert (fixture, failed);

  csv = export_to_string (fixture, NULL, 1);
  lines = g_strsplit (csv, "\r\n", -1);

  expected_header = g_strjoin (",",
                               g_dpgettext2 (NULL, "CSV column", "Number"),
                               g_dpgettext2 (NULL, "CSV column", "Formatted Number"),
                               g_dpgettext2 (NULL, "CSV column", "Name"),
                               g_dpgettext2 (NULL, "CSV column", "Status"),
                               g_dpgettext2 (NULL, "CSV column", "Created (UTC)"),
                               g_dpgettext2 (NULL, "CSV column", "Verified (UTC)"),
                               g_dpgettext2 (NULL, "CSV column", "Last Activity (UTC)"),
                               g_dpgettext2 (NULL, "CSV column", "Delivery"),
                               NULL);
  g_assert_cmpstr (g_dpgettext2 (NULL, "CSV column", "Number"), !=, "Number");
  g_assert_cmpstr (lines[0], ==, expected_header);

  pending = g_dpgettext2 (NULL, "customer status", "Pending");
  g_assert_cmpstr (pending, !=, "Pending");
  not_delivered = g_strdup_printf (g_dpgettext2 (NULL, "CSV delivery",
                                                 "Not delivered (%d)"), 30003);
  g_assert_false (g_str_has_prefix (not_delivered, "Not delivered"));
  expected_cells = g_strconcat (",", pending, ",", NULL);
  g_assert_nonnull (strstr (lines[1], expected_cells));
  g_assert_true (g_str_has_suffix (lines[1], not_delivered));
}

static void
test_formula_guard (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(PvCustomer) sneaky = pv_customer_new ("+14155550106");
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;

  insert_named (fixture, "+14155550100", "=HYPERLINK(\"http://example.com\",\"Click\")");
  insert_named (fixture, "+14155550101", "+1+cmd|' /C calc'!A0");
  insert_named (fixture, "+14155550102", "-2+3");
  insert_named (fixture, "+14155550103", "@SUM(A1:A9)");
  insert_named (fixture, "+14155550104", "\tTabbed");
  insert_named (fixture, "+14155550105", "\rReturned");

  /* Twilio's words are not staff's, but are guarded the same. */
  sneaky->delivery_status = g_strdup ("=1+1");
  insert (fixture, sneaky);

  csv = export_to_string (fixture, NULL, 7);
  lines = g_strsplit (csv, "\r\n", -1);

  /* Numbers keep their "+": E.164 is only digits after it. */
  g_assert_true (g_str_has_prefix (lines[1],
                                   "+14155550100,(415) 555-0100,"
                                   "\"'=HYPERLINK(\"\"http://example.com\"\","
                                   "\"\"Click\"\")\",Pending,"));
  g_assert_true (g_str_has_prefix (lines[2], "+14155550101,(415) 555-0101,"
                                             "\"'+1+cmd|' /C calc'!A0\",Pending,"));
  g_assert_true (g_str_has_prefix (lines[3], "+14155550102,(415) 555-0102,\"'-2+3\",Pending,"));
  g_assert_true (g_str_has_prefix (lines[4], "+14155550103,(415) 555-0103,"
                                             "\"'@SUM(A1:A9)\",Pending,"));
  g_assert_true (g_str_has_prefix (lines[5], "+14155550104,(415) 555-0104,\"'\tTabbed\",Pending,"));
  g_assert_true (g_str_has_prefix (lines[6], "+14155550105,(415) 555-0105,"
                                             "\"'\rReturned\",Pending,"));
  g_assert_true (g_str_has_suffix (lines[7], ",\"'=1+1\""));
  g_assert_cmpstr (lines[8], ==, "");
}

static void
test_no_code_material (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(PvCustomer) customer = pv_customer_new ("+14155550100");
  g_autofree char *csv = NULL;

  customer->name = g_strdup ("Ada");
  customer->code_digest = g_strdup ("c0ffee5eed0fc0de0123456789abcdef"
                                    "0123456789abcdef0123456789abcdef");
  customer->code_expires_at = START_TIME + 7200;
  customer->message_sid = g_strdup ("SM0123456789abcdef0123456789abcdef");
  insert (fixture, customer);

  csv = export_to_string (fixture, NULL, 1);
  g_assert_null (strstr (csv, "c0ffee"));
  g_assert_null (strstr (csv, "SM0123"));
  /* Nor the expiry: 2026-01-01T02:00:00Z. */
  g_assert_null (strstr (csv, "T02:00"));
  g_assert_nonnull (strstr (csv, "+14155550100,(415) 555-0100,Ada,Pending,"));
}

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *csv = NULL;

  insert_named (fixture, "+14155550100", "Ada Lovelace");
  insert_named (fixture, "+14155550101", "Grace Hopper");
  insert_named (fixture, "+442079460000", "Ada Byron");

  csv = export_to_string (fixture, "ada", 2);
  g_assert_cmpstr (csv, ==,
                   HEADER
                   "+14155550100,(415) 555-0100,Ada Lovelace,Pending,2026-01-01T00:00:00Z,,"
                   "2026-01-01T00:00:00Z,\r\n"
                   "+442079460000,\"'+44 20 7946 0000\",Ada Byron,Pending,2026-01-01T00:00:00Z,,"
                   "2026-01-01T00:00:00Z,\r\n");

  g_clear_pointer (&csv, g_free);
  csv = export_to_string (fixture, "4420", 1);
  g_assert_true (g_str_has_suffix (csv, "\r\n+442079460000,\"'+44 20 7946 0000\",Ada Byron,Pending,"
                                         "2026-01-01T00:00:00Z,,2026-01-01T00:00:00Z,\r\n"));

  g_clear_pointer (&csv, g_free);
  csv = export_to_string (fixture, "nobody", 0);
  g_assert_cmpstr (csv, ==, HEADER);
}

/* More customers than one page of the export: none lost or repeated at the seams. */
static void
test_many (Fixture       *fixture,
           gconstpointer  data)
{
  const guint n_customers = 45678;
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;

  insert_many (fixture, n_customers);

  csv = export_to_string (fixture, NULL, n_customers);
  lines = g_strsplit (csv, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, n_customers + 2);

  for (guint i = 0; i < n_customers; i++)
    {
      /* Not a real area code, so not read as a US number: international form, guarded. */
      g_autofree char *expected = g_strdup_printf ("+1555%07u,\"'+1 555-%03u-%04u\","
                                                   "Customer %u,Verified,",
                                                   i, i / 10000, i % 10000, i);

      if (!g_str_has_prefix (lines[i + 1], expected))
        g_error ("Line %u is “%s”, expected “%s…”", i + 1, lines[i + 1], expected);
    }
}

static void
test_replaces (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *names = NULL;
  const char *old = "An older and much longer export, which must not leave a tail behind.\n";

  g_file_replace_contents (fixture->file, old, strlen (old), NULL, FALSE, G_FILE_CREATE_NONE,
                           NULL, NULL, &error);
  g_assert_no_error (error);

  csv = export_to_string (fixture, NULL, 0);
  g_assert_cmpstr (csv, ==, HEADER);

  names = list_export_directory (fixture);
  g_assert_cmpstr (names, ==, "customers.csv");
}

static void
test_unwritable (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) parent = g_file_get_parent (fixture->file);
  g_autoptr(GFile) directory = g_file_get_child (parent, "a directory");
  g_autoptr(GFile) inside = g_file_get_child (directory, "keep.txt");
  g_autofree char *names = NULL;
  g_autofree char *kept = NULL;

  insert_named (fixture, "+14155550100", "Ada");
  g_file_make_directory (directory, NULL, &error);
  g_assert_no_error (error);
  g_file_replace_contents (inside, "kept", 4, NULL, FALSE, G_FILE_CREATE_NONE, NULL, NULL,
                           &error);
  g_assert_no_error (error);

  g_assert_cmpint (export (fixture, NULL, directory, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);

  kept = read_file (inside);
  g_assert_cmpstr (kept, ==, "kept");
  names = list_export_directory (fixture);
  g_assert_cmpstr (names, ==, "a directory");
}

/* Cancelled halfway, the export leaves the file it was replacing exactly as it was, or no file
 * when there was none.
 */
static void
test_cancel_midway (Fixture       *fixture,
                    gconstpointer  data)
{
  gboolean existed = GPOINTER_TO_INT (data);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *before = NULL;
  g_autofree char *names = NULL;
  const char *old = "The export from last week.\r\n";
  Result outcome = { FALSE, 0, NULL };

  insert_many (fixture, 200000);
  if (existed)
    g_file_replace_contents (fixture->file, old, strlen (old), NULL, FALSE, G_FILE_CREATE_NONE,
                             NULL, NULL, NULL);
  before = list_export_directory (fixture);

  pv_csv_export_async (fixture->store, NULL, fixture->file, fixture->clock, 5, OFFICE,
                       cancellable, exported_cb, &outcome);

  /* Cancel once the export has started writing. */
  while (!outcome.done)
    {
      g_autofree char *now = list_export_directory (fixture);

      if (!g_str_equal (now, before))
        break;
      g_main_context_iteration (NULL, FALSE);
    }
  g_cancellable_cancel (cancellable);
  while (!outcome.done)
    g_main_context_iteration (NULL, TRUE);

  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (outcome.n_customers, ==, -1);
  g_clear_error (&outcome.error);

  names = list_export_directory (fixture);
  g_assert_cmpstr (names, ==, before);
  if (existed)
    {
      g_autofree char *kept = read_file (fixture->file);

      g_assert_cmpstr (kept, ==, old);
    }
}

/* Cancelled before it starts, the export creates nothing. */
static void
test_cancel_new_file (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;

  insert_named (fixture, "+14155550100", "Ada");
  g_cancellable_cancel (cancellable);

  g_assert_cmpint (export (fixture, NULL, fixture->file, cancellable, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  names = list_export_directory (fixture);
  g_assert_cmpstr (names, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define add_test(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  add_test ("/csv-export/empty", test_empty);
  add_test ("/csv-export/quoting", test_quoting);
  add_test ("/csv-export/empty-first-field", test_empty_first_field);
  add_test ("/csv-export/hostile-fields", test_hostile_fields);
  add_test ("/csv-export/statuses", test_statuses);
  add_test ("/csv-export/formula-guard", test_formula_guard);
  add_test ("/csv-export/no-code-material", test_no_code_material);
  add_test ("/csv-export/search", test_search);
  add_test ("/csv-export/many", test_many);
  add_test ("/csv-export/replaces", test_replaces);
  add_test ("/csv-export/unwritable", test_unwritable);
  g_test_add ("/csv-export/cancel-midway/replacing", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_cancel_midway, fixture_tear_down);
  g_test_add ("/csv-export/cancel-midway/new-file", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_cancel_midway, fixture_tear_down);
  add_test ("/csv-export/cancel-new-file", test_cancel_new_file);
  add_test ("/csv-export/translated", test_translated);

#undef add_test

  return g_test_run ();
}
