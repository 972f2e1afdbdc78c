/* bench-store.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Times the customer list's queries on a large database. Not a test: run it by hand,
 * e.g. build/tests/bench-store --rows 1000000
 */

#define G_LOG_DOMAIN "bench-store"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "pv-store.h"

#define PAGE_SIZE 50

static const char * const first_names[] = {
  "Ada", "Alan", "Amara", "Ana", "Anders", "Bea", "Bruno", "Chen", "Chiara", "Dara", "Diego",
  "Elif", "Emeka", "Farah", "Grace", "Hana", "Ivan", "Jonas", "Kofi", "Lena", "Luis", "Maya",
  "Mei", "Nadia", "Noor", "Olga", "Omar", "Priya", "Rafael", "Sofia", "Tariq", "Ursula", "Vera",
  "Wei", "Yusuf", "Zoe",
};

static const char * const last_names[] = {
  "Abara", "Andersson", "Bianchi", "Chowdhury", "Dubois", "Eriksen", "Fernandes", "García",
  "Haddad", "Ito", "Jansen", "Kowalski", "Larsen", "Müller", "Nakamura", "Okafor", "Petrov",
  "Quinn", "Rossi", "Santos", "Schmidt", "Tanaka", "Ueda", "Virtanen", "Wójcik", "Xu", "Yilmaz",
  "Zhang",
};

static const char * const sort_names[] = {
  [PV_STORE_SORT_NUMBER] = "number",
  [PV_STORE_SORT_NAME] = "name",
  [PV_STORE_SORT_STATUS] = "status",
  [PV_STORE_SORT_LAST_ACTIVITY] = "last activity",
  [PV_STORE_SORT_CREATED] = "created",
};

static guint n_runs = 7;

static void
check_sqlite (sqlite3 *db,
              int      result,
              int      expected)
{
  if (result != expected)
    g_error ("SQLite: %s", sqlite3_errmsg (db));
}

/* Raw SQL through a staging table: the customers table and its search index get every row in
 * one statement, where row by row FTS5 would flush its index after each.
 */
static char *
fill_database (const char *path,
               guint       n_rows)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GHashTable) numbers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *sample = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  gint64 base = 1767225600;  /* 2026-01-01 */

  check_sqlite (db, sqlite3_open (path, &db), SQLITE_OK);
  check_sqlite (db, sqlite3_exec (db,
                                  "PRAGMA cache_size = -262144;"
                                  "CREATE TEMP TABLE staging (number, name, status, created_at, "
                                  "verified_at, updated_at);"
                                  "BEGIN",
                                  NULL, NULL, NULL),
                SQLITE_OK);
  check_sqlite (db, sqlite3_prepare_v2 (db,
                                        "INSERT INTO staging (number, name, status, created_at, "
                                        "verified_at, updated_at) "
                                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                        -1, &stmt, NULL),
                SQLITE_OK);

  for (guint i = 0; i < n_rows; i++)
    {
      g_autofree char *number = NULL;
      g_autofree char *name = NULL;
      gboolean verified = g_rand_int_range (rand, 0, 10) < 7;
      gint64 created = base + (gint64) i * 20 + g_rand_int_range (rand, 0, 20);
      gint64 updated = created + g_rand_int_range (rand, 0, 86400 * 30);

      do
        {
          g_free (number);
          number = g_strdup_printf ("+1%03d%07d",
                                    g_rand_int_range (rand, 201, 990),
                                    g_rand_int_range (rand, 0, 10000000));
        }
      while (g_hash_table_contains (numbers, number));
      g_hash_table_add (numbers, g_strdup (number));

      if (g_rand_int_range (rand, 0, 20) != 0)
        name = g_strdup_printf ("%s %s",
                                first_names[g_rand_int_range (rand, 0,
                                                              G_N_ELEMENTS (first_names))],
                                last_names[g_rand_int_range (rand, 0,
                                                             G_N_ELEMENTS (last_names))]);

      sqlite3_bind_text (stmt, 1, number, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, verified ? "verified" : "pending", -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 4, created);
      if (verified)
        sqlite3_bind_int64 (stmt, 5, created + 60);
      else
        sqlite3_bind_null (stmt, 5);
      sqlite3_bind_int64 (stmt, 6, updated);
      check_sqlite (db, sqlite3_step (stmt), SQLITE_DONE);
      sqlite3_reset (stmt);

      if (i == n_rows / 2)
        sample = g_strdup (number);
    }

  sqlite3_finalize (stmt);
  check_sqlite (db, sqlite3_exec (db,
                                  "INSERT INTO customers (number, name, status, failed_attempts, "
                                  "sends_in_window, created_at, verified_at, updated_at, "
                                  "delivery_status) "
                                  "SELECT number, name, status, 0, 1, created_at, verified_at, "
                                  "updated_at, 'delivered' FROM staging ORDER BY rowid;"
                                  "COMMIT",
                                  NULL, NULL, NULL),
                SQLITE_OK);
  sqlite3_close (db);

  return g_steal_pointer (&sample);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

typedef void (*BenchFunc) (PvStore *store, gconstpointer data);

/* Median milliseconds of n_runs runs, after one warm-up run. */
static double
measure (PvStore       *store,
         BenchFunc      func,
         gconstpointer  data)
{
  g_autofree double *times = g_new (double, n_runs);

  func (store, data);

  for (guint i = 0; i < n_runs; i++)
    {
      gint64 start = g_get_monotonic_time ();

      func (store, data);
      times[i] = (g_get_monotonic_time () - start) / 1000.0;
    }

  qsort (times, n_runs, sizeof *times, compare_doubles);

  return times[n_runs / 2];
}

static void
bench_lookup (PvStore       *store,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PvCustomer) customer = pv_store_lookup (store, data, &error);

  g_assert_no_error (error);
  g_assert_nonnull (customer);
}

typedef struct
{
  const char  *search;
  PvStoreSort  sort;
  gboolean     descending;
  guint        offset;
} PageQuery;

static void
bench_page (PvStore       *store,
            gconstpointer  data)
{
  const PageQuery *query = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;

  page = pv_store_list_customers (store, query->search, query->sort, query->descending,
                                  query->offset, PAGE_SIZE, &error);
  g_assert_no_error (error);
}

static void
bench_count (PvStore       *store,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint n;

  pv_store_count_customers (store, data, &n, &error);
  g_assert_no_error (error);
}

static void
remove_database (const char *directory,
                 const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }

  g_rmdir (directory);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PvStore) store = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *path = NULL;
  g_autofree char *database = NULL;
  g_autofree char *sample = NULL;
  g_autofree char *fragment = NULL;
  int n_rows = 1000000;
  int runs = 7;
  gint64 start;
  guint count;
  const GOptionEntry entries[] = {
    { "rows", 0, 0, G_OPTION_ARG_INT, &n_rows, "Number of customers (default 1000000)", "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Timed runs per query (default 7)", "N" },
    { "database", 0, 0, G_OPTION_ARG_FILENAME, &database,
      "Keep the database in FILE, and reuse it if it exists", "FILE" },
    { NULL }
  };
  const char *searches[][2] = {
    { "2 characters, name", "an" },
    { "2 characters, digits", "42" },
    { "2 characters, no match", "zq" },
    { "3 characters, name", "ana" },
    { "3 characters, digits", "555" },
    { "3 characters, broad", "+12" },
    { "8 characters, name", "Nakamura" },
    { "8 characters, digits", NULL },
    { "8 characters, no match", "zzzzzzzz" },
  };

  context = g_option_context_new (NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n_rows < PAGE_SIZE || runs < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--rows ≥ 50 and --runs ≥ 1");
      return EXIT_FAILURE;
    }
  n_runs = runs;

  if (database != NULL)
    {
      path = g_strdup (database);
    }
  else
    {
      directory = g_dir_make_tmp ("bench-store-XXXXXX", &error);
      g_assert_no_error (error);
      path = g_build_filename (directory, "bench.db", NULL);
    }

  /* The store creates the schema; filling goes through a second connection. */
  store = pv_store_open (path, NULL, &error);
  g_assert_no_error (error);
  pv_store_count_customers (store, NULL, &count, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  if (count == 0)
    {
      GStatBuf info;

      start = g_get_monotonic_time ();
      sample = fill_database (path, n_rows);

      g_print ("Filled %d customers in %.1f s", n_rows, (g_get_monotonic_time () - start) / 1e6);
      if (g_stat (path, &info) == 0)
        g_print (", %.0f MiB on disk", info.st_size / 1048576.0);
      g_print ("\n\n");
    }
  else
    {
      g_autoptr(GPtrArray) page = NULL;

      store = pv_store_open (path, NULL, &error);
      g_assert_no_error (error);
      page = pv_store_list_customers (store, NULL, PV_STORE_SORT_CREATED, FALSE, count / 2, 1,
                                      &error);
      g_assert_no_error (error);
      sample = g_strdup (((PvCustomer *) page->pdata[0])->number);
      n_rows = count;
      g_clear_object (&store);
    }

  /* Eight digits from the middle of a real number, typed with a space in them. */
  fragment = g_strdup_printf ("%.4s %.4s", sample + 4, sample + 8);
  searches[7][1] = fragment;

  store = pv_store_open (path, NULL, &error);
  g_assert_no_error (error);

  g_print ("Median of %u runs, milliseconds, page size %d\n\n", n_runs, PAGE_SIZE);
  g_print ("%-34s %10.3f\n", "lookup by number", measure (store, bench_lookup, sample));
  g_print ("%-34s %10.3f\n\n", "count, no filter", measure (store, bench_count, NULL));
  pv_store_count_customers (store, NULL, &count, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, n_rows);

  g_print ("%-16s %10s %10s %10s %10s %10s\n",
           "sort", "first", "middle", "last", "desc first", "desc last");
  for (guint sort = 0; sort < G_N_ELEMENTS (sort_names); sort++)
    {
      PageQuery first = { NULL, sort, FALSE, 0 };
      PageQuery middle = { NULL, sort, FALSE, n_rows / 2 };
      PageQuery last = { NULL, sort, FALSE, n_rows - PAGE_SIZE };
      PageQuery desc_first = { NULL, sort, TRUE, 0 };
      PageQuery desc_last = { NULL, sort, TRUE, n_rows - PAGE_SIZE };

      g_print ("%-16s %10.3f %10.3f %10.3f %10.3f %10.3f\n", sort_names[sort],
               measure (store, bench_page, &first),
               measure (store, bench_page, &middle),
               measure (store, bench_page, &last),
               measure (store, bench_page, &desc_first),
               measure (store, bench_page, &desc_last));
    }

  g_print ("\n%-24s %-12s %9s %10s %12s %12s %12s\n",
           "search", "text", "matches", "count", "page/number", "page/name", "middle/name");
  for (guint i = 0; i < G_N_ELEMENTS (searches); i++)
    {
      PageQuery by_number = { searches[i][1], PV_STORE_SORT_NUMBER, FALSE, 0 };
      PageQuery by_name = { searches[i][1], PV_STORE_SORT_NAME, FALSE, 0 };
      PageQuery middle = { searches[i][1], PV_STORE_SORT_NAME, FALSE, 0 };

      pv_store_count_customers (store, searches[i][1], &count, &error);
      g_assert_no_error (error);
      middle.offset = count / 2;

      g_print ("%-24s %-12s %9u %10.3f %12.3f %12.3f %12.3f\n",
               searches[i][0], searches[i][1], count,
               measure (store, bench_count, searches[i][1]),
               measure (store, bench_page, &by_number),
               measure (store, bench_page, &by_name),
               measure (store, bench_page, &middle));
    }

  g_clear_object (&store);

  if (directory != NULL)
    remove_database (directory, path);

  return EXIT_SUCCESS;
}
