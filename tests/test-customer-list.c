/* test-customer-list.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "pv-sqlite-store.h"
#include "pv-customer-list.h"

#define START_TIME 1767225600  /* 2026-01-01 00:00:00 UTC, a Thursday */
#define LARGE_ROWS 100000

/* The large data set: customer i has number +1555 followed by i in seven digits, so sorting
 * by number is sorting by i, and the name below.
 */
static const char * const first_names[] = { "Ada", "Omar", "Mei", "Luis", "Zoë" };
static const char * const last_names[] = { "Okafor", "Rossi", "Tanaka", "Dubois" };

static struct
{
  char    *directory;
  char    *path;
  PvClock *clock;
  PvStore *store;
} large;

static char *
large_number (guint i)
{
  return g_strdup_printf ("+1555%07u", i);
}

static char *
large_name (guint i)
{
  return g_strdup_printf ("%s %s", first_names[i % G_N_ELEMENTS (first_names)],
                          last_names[(i / G_N_ELEMENTS (first_names)) % G_N_ELEMENTS (last_names)]);
}

static void
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

/* One statement through a second connection: row by row through the store would take
 * minutes. Every third customer is pending.
 */
static void
ensure_large_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  gint64 start = g_get_monotonic_time ();

  if (large.store != NULL)
    return;

  large.directory = g_dir_make_tmp ("test-customer-list-XXXXXX", &error);
  g_assert_no_error (error);
  large.path = g_build_filename (large.directory, "customers.db", NULL);
  large.clock = pv_clock_new_manual (START_TIME + 86400 * 30);
  large.store = PV_STORE (pv_sqlite_store_open (large.path, large.clock, &error));
  g_assert_no_error (error);

  sql = g_strdup_printf ("WITH RECURSIVE seq (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq"
                         "                          WHERE i + 1 < %d)"
                         "INSERT INTO customers (number, name, status, created_at, updated_at)"
                         " SELECT printf ('+1555%%07d', i),"
                         "        CASE i %% 5 WHEN 0 THEN 'Ada' WHEN 1 THEN 'Omar'"
                         "                    WHEN 2 THEN 'Mei' WHEN 3 THEN 'Luis' ELSE 'Zoë' END"
                         "        || ' ' ||"
                         "        CASE (i / 5) %% 4 WHEN 0 THEN 'Okafor' WHEN 1 THEN 'Rossi'"
                         "                          WHEN 2 THEN 'Tanaka' ELSE 'Dubois' END,"
                         "        CASE WHEN i %% 3 = 0 THEN 'pending' ELSE 'verified' END,"
                         "        %d + i, %d + i"
                         " FROM seq",
                         LARGE_ROWS, START_TIME, START_TIME);
  raw_exec (large.path, sql);

  g_test_message ("Generated %d customers in %.1f s", LARGE_ROWS,
                  (g_get_monotonic_time () - start) / 1e6);
}

static void
remove_store_files (const char *directory,
                    const char *path)
{
  const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }

  g_assert_cmpint (g_rmdir (directory), ==, 0);
}

static void
free_large_store (void)
{
  if (large.store == NULL)
    return;

  g_clear_object (&large.store);
  g_clear_object (&large.clock);
  remove_store_files (large.directory, large.path);
  g_clear_pointer (&large.directory, g_free);
  g_clear_pointer (&large.path, g_free);
}

/* Records every items-changed, to check what the view would have been told. */
typedef struct
{
  guint n_items;
  guint n_signals;
  guint position;
  guint removed;
  guint added;
  char  log[256];   /* the last few signals, "position-removed-added" each, oldest first */
} Changes;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Changes    *changes)
{
  /* The count has changed by the time the view hears of it. */
  g_assert_cmpuint (changes->n_items, >=, removed);
  changes->n_items = changes->n_items - removed + added;
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, changes->n_items);

  changes->n_signals++;
  g_snprintf (changes->log + strlen (changes->log), sizeof changes->log - strlen (changes->log),
              "%s%u-%u-%u", changes->log[0] != '\0' ? " " : "", position, removed, added);
  changes->position = position;
  changes->removed = removed;
  changes->added = added;
}

static void
count_cb (guint *count)
{
  (*count)++;
}

static void
wait_until_loaded (PvCustomerList *list)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (pv_customer_list_get_loading (list))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
wait_for_row (PvCustomerRow *row)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!pv_customer_row_get_loaded (row))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* Lets the fetches in flight finish, so that the list goes away with its last reference. */
static void
drain (void)
{
  gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 5;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

static PvCustomerList *
new_loaded_list (PvStore *store,
                 PvClock *clock,
                 Changes *changes)
{
  PvCustomerList *list = pv_customer_list_new (store, clock);

  if (changes != NULL)
    g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), changes);

  g_assert_true (pv_customer_list_get_loading (list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  wait_until_loaded (list);

  return list;
}

static void
test_count (void)
{
  g_autoptr(PvCustomerList) list = NULL;
  Changes changes = { 0 };

  ensure_large_store ();
  list = new_loaded_list (large.store, large.clock, &changes);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, LARGE_ROWS);
  g_assert_cmpuint (changes.n_signals, ==, 1);
  g_assert_cmpuint (changes.position, ==, 0);
  g_assert_cmpuint (changes.removed, ==, 0);
  g_assert_cmpuint (changes.added, ==, LARGE_ROWS);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (list)) == PV_TYPE_CUSTOMER_ROW);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), LARGE_ROWS));
  drain ();
}

static void
test_placeholder_then_loaded (void)
{
  g_autoptr(PvCustomerList) list = NULL;
  g_autoptr(PvCustomerRow) first = NULL;
  g_autoptr(PvCustomerRow) row = NULL;
  g_autoptr(PvCustomerRow) again = NULL;
  g_autofree char *number = large_number (54322);
  g_autofree char *name = large_name (54322);
  guint notifications = 0;

  ensure_large_store ();
  list = new_loaded_list (large.store, large.clock, NULL);

  /* The first page comes with the count: the top of the list is there at once. */
  first = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_true (pv_customer_row_get_loaded (first));
  g_assert_cmpstr (pv_customer_row_get_number (first), ==, "+15550000000");

  row = g_list_model_get_item (G_LIST_MODEL (list), 54322);
  g_assert_false (pv_customer_row_get_loaded (row));
  g_assert_cmpstr (pv_customer_row_get_number (row), ==, "");
  g_assert_cmpstr (pv_customer_row_get_name (row), ==, "");
  g_assert_cmpstr (pv_customer_row_get_status_label (row), ==, "");
  g_signal_connect_swapped (row, "notify::name", G_CALLBACK (count_cb), &notifications);

  wait_for_row (row);
  g_assert_cmpstr (pv_customer_row_get_number (row), ==, number);
  g_assert_cmpstr (pv_customer_row_get_name (row), ==, name);
  /* 54322 is not a multiple of three: verified. */
  g_assert_cmpint (pv_customer_row_get_status (row), ==, PV_CUSTOMER_ROW_STATUS_VERIFIED);
  g_assert_cmpstr (pv_customer_row_get_status_label (row), ==, "Verified");
  g_assert_cmpuint (notifications, ==, 1);

  /* Asked again while it is alive, the list hands out the same row. */
  again = g_list_model_get_item (G_LIST_MODEL (list), 54322);
  g_assert_true (again == row);
  drain ();
}

static void
test_few_pages (void)
{
  g_autoptr(PvCustomerList) list = NULL;
  g_autoptr(PvCustomerRow) first = NULL;
  g_autoptr(PvCustomerRow) last = NULL;
  g_autofree char *last_number = large_number (LARGE_ROWS - 1);

  ensure_large_store ();
  list = new_loaded_list (large.store, large.clock, NULL);

  first = g_list_model_get_item (G_LIST_MODEL (list), 0);
  last = g_list_model_get_item (G_LIST_MODEL (list), LARGE_ROWS - 1);
  wait_for_row (last);
  g_assert_cmpstr (pv_customer_row_get_number (last), ==, last_number);
  g_assert_cmpuint (pv_customer_list_get_n_cached_pages (list), ==, 2);

  /* Scrolling through: each row is dropped again, as a view drops rows it no longer shows. */
  for (guint position = 0; position < LARGE_ROWS; position += 997)
    {
      g_autoptr(PvCustomerRow) row = g_list_model_get_item (G_LIST_MODEL (list), position);

      g_assert_nonnull (row);
    }
  g_assert_cmpuint (pv_customer_list_get_n_cached_pages (list), <=, 10);

  /* The rows still held keep their pages, and stay filled. */
  drain ();
  g_assert_true (pv_customer_row_get_loaded (first));
  g_assert_cmpstr (pv_customer_row_get_number (last), ==, last_number);
}

/* A view holds a few hundred rows, most off screen: a new result set refills those nearest
 * the top at once and the rest soon after, a batch per main-loop iteration; in the end every
 * row shows the new results. */
static void
test_refill_in_batches (void)
{
  g_autoptr(PvCustomerList) list = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_stale = 0;

  ensure_large_store ();
  list = new_loaded_list (large.store, large.clock, NULL);
  for (guint i = 0; i < 400; i++)
    g_ptr_array_add (rows, g_list_model_get_item (G_LIST_MODEL (list), i));
  for (guint i = 0; i < rows->len; i++)
    wait_for_row (rows->pdata[i]);

  /* Every fifth customer is an Omar: the rows are someone else now. */
  pv_customer_list_set_search (list, "Omar");
  wait_until_loaded (list);

  for (guint i = 0; i < 48; i++)
    g_assert_true (g_str_has_prefix (pv_customer_row_get_name (rows->pdata[i]), "Omar "));
  for (guint i = 0; i < rows->len; i++)
    n_stale += !g_str_has_prefix (pv_customer_row_get_name (rows->pdata[i]), "Omar ");
  g_test_message ("%u of %u rows still to refill after the results came", n_stale, rows->len);
  g_assert_cmpuint (n_stale, >, 0);

  drain ();
  for (guint i = 0; i < rows->len; i++)
    {
      g_assert_true (pv_customer_row_get_loaded (rows->pdata[i]));
      g_assert_true (g_str_has_prefix (pv_customer_row_get_name (rows->pdata[i]), "Omar "));
    }
}

/* Scrolling down reads each page from the last customer of the one before it (an index
 * lookup, not an offset): the rows are the same as the store's pages by offset. */
static void
test_pages_follow_on (void)
{
  g_autoptr(PvCustomerList) list = NULL;
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(GError) error = NULL;
  const guint n_rows = 4 * PV_CUSTOMER_LIST_PAGE_SIZE + 7;

  ensure_large_store ();
  list = new_loaded_list (large.store, large.clock, NULL);
  pv_customer_list_set_sort (list, PV_STORE_SORT_NAME, TRUE);
  wait_until_loaded (list);

  expected = pv_store_list_customers (large.store, NULL, PV_STORE_SORT_NAME, TRUE, 0, n_rows,
                                      &error);
  g_assert_no_error (error);

  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr(PvCustomerRow) row = g_list_model_get_item (G_LIST_MODEL (list), i);

      wait_for_row (row);
      g_assert_cmpstr (pv_customer_row_get_number (row), ==,
                       ((PvCustomer *) expected->pdata[i])->number);
    }
  drain ();
}

static void
test_search (void)
{
  g_autoptr(PvCustomerList) list = NULL;
  g_autoptr(PvCustomerRow) row = NULL;
  Changes changes = { 0 };

  ensure_large_store ();
  list = new_loaded_list (large.store, large.clock, &changes);

  pv_customer_list_set_search (list, "Omar");
  g_assert_cmpstr (pv_customer_list_get_search (list), ==, "Omar");
  g_assert_true (pv_customer_list_get_loading (list));
  /* Until the new count arrives, the list stays as it was. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, LARGE_ROWS);
  wait_until_loaded (list);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, LARGE_ROWS / 5);
  /* A new result set takes the positions of the old one in place: only those past its end go
   * (any other signal makes GTK 4.8 ask for every row, see refreshed_cb ()). */
  g_assert_cmpstr (changes.log, ==, "0-0-100000 20000-80000-0");

  row = g_list_model_get_item (G_LIST_MODEL (list), 3);
  g_assert_true (pv_customer_row_get_loaded (row));
  g_assert_cmpstr (pv_customer_row_get_number (row), ==, "+15550000016");
  g_assert_cmpstr (pv_customer_row_get_name (row), ==, "Omar Dubois");

  /* Phone-number fragments as staff type them. */
  pv_customer_list_set_search (list, "555 0001");
  wait_until_loaded (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1000);

  pv_customer_list_set_search (list, "nobody");
  wait_until_loaded (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_cmpuint (changes.added, ==, 0);

  /* The row handed out before has no customer at its position any more. */
  g_assert_false (pv_customer_row_get_loaded (row));

  pv_customer_list_set_search (list, "");
  g_assert_null (pv_customer_list_get_search (list));
  wait_until_loaded (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, LARGE_ROWS);
  drain ();
}

static void
test_stale_results (void)
{
  g_autoptr(PvCustomerList) list = NULL;
  g_autoptr(PvCustomerRow) row = NULL;
  Changes changes = { 0 };

  ensure_large_store ();
  list = new_loaded_list (large.store, large.clock, &changes);

  /* Typing fast: only the last search may reach the view. */
  pv_customer_list_set_search (list, "Ada");
  pv_customer_list_set_search (list, "Ada Rossi");
  pv_customer_list_set_search (list, "Luis");
  row = g_list_model_get_item (G_LIST_MODEL (list), 99999);
  wait_until_loaded (list);
  drain ();

  g_assert_cmpstr (changes.log, ==, "0-0-100000 20000-80000-0");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, LARGE_ROWS / 5);

  /* A row asked for under the old count is past the end of the new one: left empty. */
  g_assert_false (pv_customer_row_get_loaded (row));

  g_clear_object (&row);
  row = g_list_model_get_item (G_LIST_MODEL (list), 0);
  wait_for_row (row);
  g_assert_cmpstr (pv_customer_row_get_name (row), ==, "Luis Okafor");
  drain ();
}

static void
test_sort (void)
{
  g_autoptr(PvCustomerList) list = NULL;
  g_autoptr(PvCustomerRow) row = NULL;
  g_autofree char *last_number = large_number (LARGE_ROWS - 1);
  Changes changes = { 0 };
  guint replaced = 0;

  ensure_large_store ();
  list = new_loaded_list (large.store, large.clock, &changes);
  g_signal_connect_swapped (list, "replaced", G_CALLBACK (count_cb), &replaced);

  pv_customer_list_set_sort (list, PV_STORE_SORT_NUMBER, TRUE);
  g_assert_true (pv_customer_list_get_descending (list));
  wait_until_loaded (list);
  /* As many customers in another order: nothing for the view to add or remove, only rows
   * to refill, and it is told to show them from the top. */
  g_assert_cmpstr (changes.log, ==, "0-0-100000");
  g_assert_cmpuint (replaced, ==, 1);

  row = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_cmpstr (pv_customer_row_get_number (row), ==, last_number);
  g_clear_object (&row);

  pv_customer_list_set_sort (list, PV_STORE_SORT_NAME, FALSE);
  g_assert_cmpint (pv_customer_list_get_sort (list), ==, PV_STORE_SORT_NAME);
  wait_until_loaded (list);
  row = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_cmpstr (pv_customer_row_get_name (row), ==, "Ada Dubois");
  drain ();
}

/* A small store where the test changes customers under the list. */
typedef struct
{
  char    *directory;
  char    *path;
  PvClock *clock;
  PvStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->directory = g_dir_make_tmp ("test-customer-list-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->directory, "customers.db", NULL);
  fixture->clock = pv_clock_new_manual (START_TIME);
  fixture->store = PV_STORE (pv_sqlite_store_open (fixture->path, fixture->clock, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  drain ();
  g_clear_object (&fixture->store);
  g_clear_object (&fixture->clock);
  remove_store_files (fixture->directory, fixture->path);
  g_clear_pointer (&fixture->directory, g_free);
  g_clear_pointer (&fixture->path, g_free);
}

static PvCustomer *
insert (Fixture    *fixture,
        const char *number,
        const char *name)
{
  g_autoptr(GError) error = NULL;
  PvCustomer *customer = pv_customer_new (number);

  customer->name = g_strdup (name);
  customer->code_digest = g_strdup ("digest");
  customer->code_expires_at = START_TIME + 600;
  pv_store_insert_customer (fixture->store, customer, PV_EVENT_CODE_SENT, NULL, &error);
  g_assert_no_error (error);

  return customer;
}

static void
test_reload_in_place (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(PvCustomerList) list = NULL;
  g_autoptr(PvCustomerRow) row = NULL;
  g_autoptr(PvCustomer) ada = insert (fixture, "+14155550100", "Ada");
  g_autoptr(PvCustomer) omar = insert (fixture, "+14155550101", "Omar");
  g_autoptr(GError) error = NULL;
  Changes changes = { 0 };
  gboolean applied = FALSE;

  list = new_loaded_list (fixture->store, fixture->clock, &changes);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  row = g_list_model_get_item (G_LIST_MODEL (list), 1);
  g_assert_cmpstr (pv_customer_row_get_name (row), ==, "Omar");
  g_assert_cmpint (pv_customer_row_get_status (row), ==, PV_CUSTOMER_ROW_STATUS_PENDING);

  /* Same count: the row the view holds changes in place, and the items stay. */
  g_assert_true (pv_store_mark_verified (fixture->store, omar->number, "digest", NULL, &applied,
                                         &error));
  g_assert_no_error (error);
  g_assert_true (applied);
  pv_customer_list_reload (list);
  wait_until_loaded (list);
  g_assert_cmpuint (changes.n_signals, ==, 1);
  g_assert_cmpint (pv_customer_row_get_status (row), ==, PV_CUSTOMER_ROW_STATUS_VERIFIED);

  /* A deletion changes the count: the view is told. */
  pv_store_delete_customer (fixture->store, ada->number, PV_EVENT_DELETED, NULL, &error);
  g_assert_no_error (error);
  pv_customer_list_reload (list);
  wait_until_loaded (list);
  /* Only the last position goes: the view keeps its place, and refilled rows show who
   * moved up. */
  g_assert_cmpstr (changes.log, ==, "0-0-2 1-1-0");
  /* Position 1 is past the end now. */
  g_assert_false (pv_customer_row_get_loaded (row));
}

static void
test_statuses (Fixture       *fixture,
               gconstpointer  data)
{
  const struct
  {
    const char          *number;
    PvCustomerStatus     status;
    guint                failed_attempts;
    gint64               expires_in;
    PvCustomerRowStatus  expected;
    const char          *label;
  } cases[] = {
    { "+14155550100", PV_CUSTOMER_STATUS_VERIFIED, 0, 0, PV_CUSTOMER_ROW_STATUS_VERIFIED,
      "Verified" },
    { "+14155550101", PV_CUSTOMER_STATUS_PENDING, 0, 600, PV_CUSTOMER_ROW_STATUS_PENDING,
      "Pending" },
    { "+14155550102", PV_CUSTOMER_STATUS_PENDING, 3, 600, PV_CUSTOMER_ROW_STATUS_LOCKED,
      "Locked" },
    { "+14155550103", PV_CUSTOMER_STATUS_PENDING, 0, 0, PV_CUSTOMER_ROW_STATUS_EXPIRED,
      "Expired" },
    { "+14155550104", PV_CUSTOMER_STATUS_PENDING, 3, -60, PV_CUSTOMER_ROW_STATUS_LOCKED,
      "Locked" },
    { "+14155550105", PV_CUSTOMER_STATUS_VERIFIED, 9, -60, PV_CUSTOMER_ROW_STATUS_VERIFIED,
      "Verified" },
  };
  g_autoptr(PvCustomerList) list = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PvCustomer) customer = pv_customer_new (cases[i].number);
      g_autoptr(GError) error = NULL;

      customer->status = cases[i].status;
      customer->failed_attempts = cases[i].failed_attempts;
      customer->code_expires_at = START_TIME + cases[i].expires_in;
      pv_store_insert_customer (fixture->store, customer, PV_EVENT_CODE_SENT, NULL, &error);
      g_assert_no_error (error);

      g_assert_cmpint (pv_customer_row_status_for (customer, START_TIME, 3), ==,
                       cases[i].expected);
    }

  list = pv_customer_list_new (fixture->store, fixture->clock);
  pv_customer_list_set_max_attempts (list, 3);
  g_assert_cmpuint (pv_customer_list_get_max_attempts (list), ==, 3);
  wait_until_loaded (list);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PvCustomerRow) row = g_list_model_get_item (G_LIST_MODEL (list), i);
      const char * const *classes = pv_customer_row_get_status_classes (row);

      g_assert_cmpstr (pv_customer_row_get_number (row), ==, cases[i].number);
      g_assert_cmpint (pv_customer_row_get_status (row), ==, cases[i].expected);
      g_assert_cmpstr (pv_customer_row_get_status_label (row), ==, cases[i].label);
      g_assert_true (g_strv_contains (classes, "status-badge"));
    }

  /* More attempts allowed: the locked customers are pending or expired again. */
  pv_customer_list_set_max_attempts (list, 5);
  wait_until_loaded (list);
  {
    g_autoptr(PvCustomerRow) locked = g_list_model_get_item (G_LIST_MODEL (list), 2);
    g_autoptr(PvCustomerRow) expired = g_list_model_get_item (G_LIST_MODEL (list), 4);

    g_assert_cmpint (pv_customer_row_get_status (locked), ==, PV_CUSTOMER_ROW_STATUS_PENDING);
    g_assert_cmpint (pv_customer_row_get_status (expired), ==, PV_CUSTOMER_ROW_STATUS_EXPIRED);
  }
}

static void
test_format_time (void)
{
  /* TZ is UTC in main (). START_TIME is 2026-01-01 00:00. */
  gint64 now = START_TIME + 14 * 3600 + 32 * 60;
  g_autofree char *today = pv_customer_row_format_time (START_TIME + 9 * 3600 + 5 * 60, now);
  g_autofree char *midnight = pv_customer_row_format_time (START_TIME, now);
  g_autofree char *yesterday = pv_customer_row_format_time (START_TIME - 3600, now);
  g_autofree char *older = pv_customer_row_format_time (START_TIME - 86400 - 1, now);
  g_autofree char *march = pv_customer_row_format_time (START_TIME + 70 * 86400, now);
  g_autofree char *never = pv_customer_row_format_time (0, now);

  g_assert_cmpstr (today, ==, "Today 09:05");
  g_assert_cmpstr (midnight, ==, "Today 00:00");
  g_assert_cmpstr (yesterday, ==, "Yesterday 23:00");
  g_assert_cmpstr (older, ==, "30 Dec 2025");
  g_assert_cmpstr (march, ==, "12 Mar 2026");
  g_assert_cmpstr (never, ==, "");
}

static void
wait_until_counted (PvCustomerList *list)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (pv_customer_list_get_estimated (list))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* A search for the start of every number is estimated from the first 50,000 matches, and
 * counted once the search stays unchanged; only positions at the end come or go. Runs last
 * of the tests on the large store, which it changes. */
static void
test_estimate_then_count (void)
{
  g_autoptr(PvCustomerList) list = NULL;
  Changes changes = { 0 };
  gint64 typed_at;

  ensure_large_store ();
  /* The last id stays: the estimate, from ids spread evenly, says 100,000. */
  raw_exec (large.path, "DELETE FROM customers WHERE id BETWEEN 99991 AND 99999");
  list = new_loaded_list (large.store, large.clock, &changes);
  g_assert_false (pv_customer_list_get_estimated (list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, LARGE_ROWS - 9);

  pv_customer_list_set_search (list, "+1");
  typed_at = g_get_monotonic_time ();
  wait_until_loaded (list);
  g_assert_true (pv_customer_list_get_estimated (list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, LARGE_ROWS);
  g_assert_cmpstr (changes.log, ==, "0-0-99991 99991-0-9");

  wait_until_counted (list);
  /* Not while staff may still be typing. */
  g_assert_cmpint (g_get_monotonic_time () - typed_at, >=, 400 * 1000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, LARGE_ROWS - 9);
  g_assert_cmpstr (changes.log, ==, "0-0-99991 99991-0-9 99991-9-0");

  /* A search typed on before the count comes in: the count of the old one is dropped. */
  pv_customer_list_set_search (list, "+15");
  wait_until_loaded (list);
  g_assert_true (pv_customer_list_get_estimated (list));
  pv_customer_list_set_search (list, "Omar");
  wait_until_loaded (list);
  g_assert_false (pv_customer_list_get_estimated (list));
  /* Past the delay before the old search would have been counted. */
  for (gint64 until = g_get_monotonic_time () + 600 * 1000; g_get_monotonic_time () < until;)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (10 * 1000);
    }
  g_assert_false (pv_customer_list_get_estimated (list));
  /* A fifth are Omar; two of them were deleted. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 19998);
}

int
main (int   argc,
      char *argv[])
{
  int result;

  /* Before GLib reads the local time zone for the first time; and English month names. */
  g_setenv ("TZ", "UTC", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/customer-list/count", test_count);
  g_test_add_func ("/customer-list/placeholder-then-loaded", test_placeholder_then_loaded);
  g_test_add_func ("/customer-list/few-pages", test_few_pages);
  g_test_add_func ("/customer-list/search", test_search);
  g_test_add_func ("/customer-list/refill-in-batches", test_refill_in_batches);
  g_test_add_func ("/customer-list/pages-follow-on", test_pages_follow_on);
  g_test_add_func ("/customer-list/stale-results", test_stale_results);
  g_test_add_func ("/customer-list/sort", test_sort);
  g_test_add_func ("/customer-list/estimate-then-count", test_estimate_then_count);
  g_test_add ("/customer-list/reload-in-place", Fixture, NULL, fixture_set_up,
              test_reload_in_place, fixture_tear_down);
  g_test_add ("/customer-list/statuses", Fixture, NULL, fixture_set_up, test_statuses,
              fixture_tear_down);
  g_test_add_func ("/customer-row/format-time", test_format_time);

  result = g_test_run ();
  free_large_store ();

  return result;
}
