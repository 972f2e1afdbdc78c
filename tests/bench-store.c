/* bench-store.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Times the customer list's queries, and the rate of the store's write intents against a
 * raw SQLite insert, on a large database. Not a test: run it by hand,
 * e.g. build/tests/bench-store --rows 1000000
 */

#define G_LOG_DOMAIN "bench-store"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "pv-process-owner.h"
#include "pv-sqlite-store.h"
#include "pv-store.h"
#include "pv-test-customers.h"

#define PAGE_SIZE 50

/* What pv-sqlite-store.c's open_database () sets on its connection: the baseline must pay for
 * the same durability as the store, or the comparison says nothing. */
#define STORE_PRAGMAS \
  "PRAGMA journal_mode = WAL;" \
  "PRAGMA synchronous = NORMAL;" \
  "PRAGMA foreign_keys = ON;" \
  "PRAGMA cache_size = -65536;"
#define STORE_BUSY_TIMEOUT_MS 5000

/* The limits of the send intents; generous, so that no request is refused. */
#define CODE_LIFETIME      600
#define MAX_ATTEMPTS       5
#define RESEND_COOLDOWN    30
#define MAX_SENDS_PER_HOUR 5

/* The intents should keep at least this share of a raw single-row insert's rate. */
#define WRITE_GOAL_PERCENT 50


static const char * const sort_names[] = {
  [PV_STORE_SORT_NUMBER] = "number",
  [PV_STORE_SORT_NAME] = "name",
  [PV_STORE_SORT_STATUS] = "status",
  [PV_STORE_SORT_LAST_ACTIVITY] = "last activity",
  [PV_STORE_SORT_CREATED] = "created",
};

static guint n_runs = 7;

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

typedef void (*BenchFunc) (PvStore *store, gconstpointer data);

/* The baseline's orders, as the store's indexes serve them. */
static const char * const raw_orders[] = {
  [PV_STORE_SORT_NUMBER] = "number",
  [PV_STORE_SORT_NAME] = "name COLLATE NOCASE, number",
  [PV_STORE_SORT_STATUS] = "status, number",
  [PV_STORE_SORT_LAST_ACTIVITY] = "updated_at, id",
  [PV_STORE_SORT_CREATED] = "created_at, id",
};

/* Median milliseconds of n_runs runs, after one warm-up run. */
static double
measure_runs (PvStore       *store,
              BenchFunc      func,
              gconstpointer  data,
              gboolean       fresh)
{
  g_autofree double *times = g_new (double, n_runs);

  func (store, data);

  for (guint i = 0; i < n_runs; i++)
    {
      gint64 start;

      /* The store keeps the matches of its latest search for that search's next pages: an
       * untimed search for something else makes the timed one start afresh, as each
       * keystroke's does. */
      if (fresh)
        {
          guint n;

          pv_store_count_customers (store, "zq", &n, NULL);
        }

      start = g_get_monotonic_time ();

      func (store, data);
      times[i] = (g_get_monotonic_time () - start) / 1000.0;
    }

  qsort (times, n_runs, sizeof *times, compare_doubles);

  return times[n_runs / 2];
}

static double
measure (PvStore       *store,
         BenchFunc      func,
         gconstpointer  data)
{
  return measure_runs (store, func, data, FALSE);
}

/* The same, for a search typed anew each time. */
static double
measure_fresh (PvStore       *store,
               BenchFunc      func,
               gconstpointer  data)
{
  return measure_runs (store, func, data, TRUE);
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
  PvCustomer  *after;           /* set: the page that follows this customer, not an offset */
} PageQuery;

static void
bench_page (PvStore       *store,
            gconstpointer  data)
{
  const PageQuery *query = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;

  if (query->after != NULL)
    page = pv_store_list_customers_following (store, query->search, query->sort,
                                              query->descending, query->after, PAGE_SIZE,
                                              &error);
  else
    page = pv_store_list_customers (store, query->search, query->sort, query->descending,
                                    query->offset, PAGE_SIZE, &error);
  g_assert_no_error (error);
}

/* What the Customers list asks for when the search changes: a count, estimated for a broad
 * number search, and the first page. */
static void
bench_keystroke (PvStore       *store,
                 gconstpointer  data)
{
  const PageQuery *query = data;
  g_autoptr(GError) error = NULL;
  gboolean exact;
  guint n;

  pv_store_estimate_customers (store, query->search, &n, &exact, &error);
  g_assert_no_error (error);
  bench_page (store, query);
}

/* A page by OFFSET on a connection of its own, in raw SQL: what a jump cost before the
 * store read on from its anchors. Median milliseconds. */
static double
raw_offset_ms (const char  *path,
               PvStoreSort  sort,
               guint        offset)
{
  g_autofree double *times = g_new (double, n_runs);
  g_autofree char *sql = g_strdup_printf ("SELECT * FROM customers ORDER BY %s LIMIT %d "
                                          "OFFSET %u", raw_orders[sort], PAGE_SIZE, offset);
  sqlite3_stmt *stmt = NULL;
  sqlite3 *raw = NULL;

  pv_test_check_sqlite (raw, sqlite3_open_v2 (path, &raw, SQLITE_OPEN_READONLY, NULL),
                        SQLITE_OK);
  pv_test_check_sqlite (raw, sqlite3_prepare_v2 (raw, sql, -1, &stmt, NULL), SQLITE_OK);
  for (guint i = 0; i <= n_runs; i++)
    {
      gint64 start = g_get_monotonic_time ();

      while (sqlite3_step (stmt) == SQLITE_ROW)
        ;
      sqlite3_reset (stmt);
      /* The first run warms the cache. */
      if (i > 0)
        times[i - 1] = (g_get_monotonic_time () - start) / 1000.0;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (raw);
  qsort (times, n_runs, sizeof *times, compare_doubles);

  return times[n_runs / 2];
}

/* A jump into an order whose anchors are not read yet: the store keeps one order's, so a
 * jump the other way first makes each timed one walk its order's index. */
static double
first_jump_ms (PvStore     *store,
               PvStoreSort  sort,
               guint        offset)
{
  g_autofree double *times = g_new (double, n_runs);

  for (guint i = 0; i < n_runs; i++)
    {
      g_autoptr(GPtrArray) other = NULL;
      g_autoptr(GPtrArray) page = NULL;
      gint64 start;

      other = pv_store_list_customers (store, NULL, sort, TRUE, offset, PAGE_SIZE, NULL);
      start = g_get_monotonic_time ();
      page = pv_store_list_customers (store, NULL, sort, FALSE, offset, PAGE_SIZE, NULL);
      times[i] = (g_get_monotonic_time () - start) / 1000.0;
      g_assert_nonnull (page);
    }
  qsort (times, n_runs, sizeof *times, compare_doubles);

  return times[n_runs / 2];
}

/* The customer at @offset, for a page that follows it. */
static PvCustomer *
customer_at (PvStore           *store,
             const PageQuery   *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;

  page = pv_store_list_customers (store, query->search, query->sort, query->descending,
                                  query->offset, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 1);

  return pv_customer_copy (page->pdata[0]);
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

/* ---------------------------------------------------------------------------------------------
 * Writes. Each operation is what one desk does for one customer: a whole transaction (or two),
 * committed, in WAL mode. New customers get numbers of their own, "+44" and ten digits, above
 * any already stored, so that a kept database can be benchmarked again.
 */

typedef struct
{
  PvStore      *store;
  sqlite3      *raw;            /* the baseline's own connection */
  sqlite3_stmt *begin;
  sqlite3_stmt *insert;
  sqlite3_stmt *commit;
  char         *owner;
  guint64       first_number;
  guint64       next_number;
  guint         n_ops;
  GPtrArray    *claimed;        /* the numbers the last claim round sent a code to */
} WriteBench;

typedef void (*WriteFunc) (WriteBench *bench);

static char *
next_number (WriteBench *bench)
{
  return g_strdup_printf ("+44%010" G_GUINT64_FORMAT, bench->next_number++);
}

static void
step_reset (sqlite3      *db,
            sqlite3_stmt *stmt)
{
  pv_test_check_sqlite (db, sqlite3_step (stmt), SQLITE_DONE);
  sqlite3_reset (stmt);
}

/* The baseline: one customer row, as a claimed send writes it, in a transaction of its own.
 * Statements are prepared once, BEGIN and COMMIT too: the least SQLite itself can do. */
static void
bench_raw_insert (WriteBench *bench)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = 0; i < bench->n_ops; i++)
    {
      g_autofree char *number = next_number (bench);

      step_reset (bench->raw, bench->begin);
      sqlite3_bind_text (bench->insert, 1, number, -1, SQLITE_STATIC);
      sqlite3_bind_text (bench->insert, 2, "0123456789abcdef0123456789abcdef0123456789abcdef"
                                           "0123456789abcdef", -1, SQLITE_STATIC);
      sqlite3_bind_int64 (bench->insert, 3, now);
      sqlite3_bind_int64 (bench->insert, 4, CODE_LIFETIME);
      sqlite3_bind_text (bench->insert, 5, bench->owner, -1, SQLITE_STATIC);
      step_reset (bench->raw, bench->insert);
      sqlite3_clear_bindings (bench->insert);
      step_reset (bench->raw, bench->commit);
    }
}

static void
bench_claim_send (WriteBench *bench)
{
  g_ptr_array_set_size (bench->claimed, 0);

  for (guint i = 0; i < bench->n_ops; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *number = next_number (bench);
      g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, number, -1);
      g_autofree char *sid = g_strdup_printf ("SM%032x", i);
      g_auto(PvSendClaim) claim = { 0 };
      PvSendRequest request = {
        .number = number,
        .name = "Bench Customer",
        .resend = FALSE,
        .code_digest = digest,
        .owner = bench->owner,
        .code_lifetime = CODE_LIFETIME,
        .max_attempts = MAX_ATTEMPTS,
        .resend_cooldown = RESEND_COOLDOWN,
        .max_sends_per_hour = MAX_SENDS_PER_HOUR,
      };
      PvSendOutcome outcome = {
        .kind = PV_SEND_OUTCOME_SENT,
        .message_sid = sid,
        .delivery_status = "queued",
      };
      gboolean applied = FALSE;

      pv_store_claim_send (bench->store, &request, &claim, &error);
      g_assert_no_error (error);
      g_assert_cmpint (claim.verdict, ==, PV_SEND_GRANTED);
      pv_store_finish_send (bench->store, &claim, &outcome, &applied, &error);
      g_assert_no_error (error);
      g_assert_true (applied);

      g_ptr_array_add (bench->claimed, g_steal_pointer (&number));
    }
}

/* A wrong code: the attempt is counted, then its failure recorded. */
static void
bench_failed_attempt (WriteBench *bench)
{
  for (guint i = 0; i < bench->claimed->len; i++)
    {
      const char *number = g_ptr_array_index (bench->claimed, i);
      g_autoptr(GError) error = NULL;
      g_auto(PvAttempt) attempt = { 0 };

      pv_store_claim_attempt (bench->store, number, MAX_ATTEMPTS, &attempt, &error);
      g_assert_no_error (error);
      g_assert_cmpint (attempt.verdict, ==, PV_ATTEMPT_GRANTED);
      pv_store_record_failed_attempt (bench->store, number, &error);
      g_assert_no_error (error);
    }
}

/* The right code: the attempt is counted, then the customer verified against its digest. */
static void
bench_verify (WriteBench *bench)
{
  for (guint i = 0; i < bench->claimed->len; i++)
    {
      const char *number = g_ptr_array_index (bench->claimed, i);
      g_autoptr(GError) error = NULL;
      g_auto(PvAttempt) attempt = { 0 };
      gboolean applied = FALSE;

      pv_store_claim_attempt (bench->store, number, MAX_ATTEMPTS, &attempt, &error);
      g_assert_no_error (error);
      g_assert_cmpint (attempt.verdict, ==, PV_ATTEMPT_GRANTED);
      pv_store_mark_verified (bench->store, number, attempt.code_digest, &applied, &error);
      g_assert_no_error (error);
      g_assert_true (applied);
    }
}

static void
write_bench_init (WriteBench *bench,
                  PvStore    *store,
                  const char *path,
                  guint       n_ops)
{
  g_autofree char *journal_mode = NULL;
  sqlite3_stmt *stmt = NULL;
  const char *highest;

  bench->store = store;
  bench->n_ops = n_ops;
  bench->owner = pv_process_owner_new ();
  bench->claimed = g_ptr_array_new_with_free_func (g_free);

  pv_test_check_sqlite (bench->raw, sqlite3_open (path, &bench->raw), SQLITE_OK);
  sqlite3_busy_timeout (bench->raw, STORE_BUSY_TIMEOUT_MS);
  pv_test_check_sqlite (bench->raw, sqlite3_exec (bench->raw, STORE_PRAGMAS, NULL, NULL, NULL),
                SQLITE_OK);

  pv_test_check_sqlite (bench->raw,
                sqlite3_prepare_v2 (bench->raw, "PRAGMA journal_mode", -1, &stmt, NULL),
                SQLITE_OK);
  pv_test_check_sqlite (bench->raw, sqlite3_step (stmt), SQLITE_ROW);
  journal_mode = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  g_assert_cmpstr (journal_mode, ==, "wal");

  /* Above every number of ours already there, from an earlier run on a kept database. */
  pv_test_check_sqlite (bench->raw,
                sqlite3_prepare_v2 (bench->raw,
                                    "SELECT max (number) FROM customers "
                                    "WHERE number GLOB '+44*' AND length (number) = 13",
                                    -1, &stmt, NULL),
                SQLITE_OK);
  pv_test_check_sqlite (bench->raw, sqlite3_step (stmt), SQLITE_ROW);
  highest = (const char *) sqlite3_column_text (stmt, 0);
  bench->first_number = highest != NULL ? g_ascii_strtoull (highest + 3, NULL, 10) + 1
                                        : G_GUINT64_CONSTANT (7000000000);
  bench->next_number = bench->first_number;
  sqlite3_finalize (stmt);

  pv_test_check_sqlite (bench->raw, sqlite3_prepare_v2 (bench->raw, "BEGIN IMMEDIATE", -1,
                                                &bench->begin, NULL), SQLITE_OK);
  pv_test_check_sqlite (bench->raw, sqlite3_prepare_v2 (bench->raw, "COMMIT", -1,
                                                &bench->commit, NULL), SQLITE_OK);
  pv_test_check_sqlite (bench->raw,
                sqlite3_prepare_v2 (bench->raw,
                                    "INSERT INTO customers (number, name, status, code_digest, "
                                    "code_expires_at, failed_attempts, sends_in_window, "
                                    "send_window_started_at, last_sent_at, created_at, "
                                    "updated_at, send_state, send_id, send_owner) "
                                    "VALUES (?1, 'Bench Customer', 'pending', ?2, ?3 + ?4, 0, "
                                    "1, ?3, ?3, ?3, ?3, 'sending', 1, ?5)",
                                    -1, &bench->insert, NULL),
                SQLITE_OK);
}

/* Leaves a kept database as it was found: without the customers and events added here. */
static void
write_bench_clear (WriteBench *bench,
                   gboolean    remove_rows)
{
  if (remove_rows)
    {
      g_autofree char *sql = g_strdup_printf (
        "BEGIN IMMEDIATE;"
        "DELETE FROM customers WHERE number GLOB '+44*' AND length (number) = 13 "
        "AND number >= '+44%010" G_GUINT64_FORMAT "';"
        "DELETE FROM events WHERE number GLOB '+44*' AND length (number) = 13 "
        "AND number >= '+44%010" G_GUINT64_FORMAT "';"
        "COMMIT",
        bench->first_number, bench->first_number);

      pv_test_check_sqlite (bench->raw, sqlite3_exec (bench->raw, sql, NULL, NULL, NULL), SQLITE_OK);
    }

  sqlite3_finalize (bench->begin);
  sqlite3_finalize (bench->insert);
  sqlite3_finalize (bench->commit);
  g_clear_pointer (&bench->raw, sqlite3_close);
  g_clear_pointer (&bench->owner, g_free);
  g_clear_pointer (&bench->claimed, g_ptr_array_unref);
}

static void
bench_writes (PvStore    *store,
              const char *path,
              guint       n_rows,
              guint       n_ops,
              gboolean    keep)
{
  const struct {
    const char *name;
    WriteFunc   func;
  } benches[] = {
    { "raw INSERT (BEGIN IMMEDIATE; 1 row; COMMIT)", bench_raw_insert },
    { "claim_send + finish_send (SENT), new number", bench_claim_send },
    { "claim_attempt + record_failed_attempt", bench_failed_attempt },
    { "claim_attempt + mark_verified", bench_verify },
  };
  WriteBench bench = { 0 };
  g_autofree double *seconds = g_new0 (double, G_N_ELEMENTS (benches) * n_runs);
  double baseline = 0;

  write_bench_init (&bench, store, path, n_ops);

  /* Round by round, so that every figure sees the same database as it grows and the same
   * checkpoints; the attempts of a round go to the customers its claims created. The first
   * round warms the caches and is not counted. */
  for (guint run = 0; run <= n_runs; run++)
    for (guint i = 0; i < G_N_ELEMENTS (benches); i++)
      {
        gint64 start = g_get_monotonic_time ();

        benches[i].func (&bench);
        if (run > 0)
          seconds[i * n_runs + run - 1] = (g_get_monotonic_time () - start) / 1e6;
      }

  g_print ("\nWrites on %u customers: operations per second, median of %u runs of %u, "
           "WAL, synchronous = NORMAL\n\n",
           n_rows, n_runs, n_ops);
  g_print ("%-46s %12s %10s\n", "operation", "per second", "of raw");

  for (guint i = 0; i < G_N_ELEMENTS (benches); i++)
    {
      double *times = seconds + i * n_runs;
      double rate;

      qsort (times, n_runs, sizeof *times, compare_doubles);
      rate = n_ops / times[n_runs / 2];
      if (i == 0)
        baseline = rate;

      g_print ("%-46s %12.0f %9.0f %%%s\n", benches[i].name, rate, 100 * rate / baseline,
               i > 0 && 100 * rate / baseline < WRITE_GOAL_PERCENT ? "  below the goal" : "");
    }
  g_print ("\nGoal: every intent at %d %% or more of the raw insert.\n", WRITE_GOAL_PERCENT);

  write_bench_clear (&bench, keep);
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
  int write_ops = 2000;
  gint64 start;
  guint count;
  double worst_keystroke = 0;
  const GOptionEntry entries[] = {
    { "rows", 0, 0, G_OPTION_ARG_INT, &n_rows, "Number of customers (default 1000000)", "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Timed runs per query (default 7)", "N" },
    { "write-ops", 0, 0, G_OPTION_ARG_INT, &write_ops,
      "Operations per timed run of each write (default 2000)", "N" },
    { "database", 0, 0, G_OPTION_ARG_FILENAME, &database,
      "Keep the database in FILE, and reuse it if it exists", "FILE" },
    { NULL }
  };
  const char *searches[][2] = {
    { "1 character, name", "a" },
    { "1 character, digits", "1" },
    { "2 characters, name", "an" },
    { "2 characters, +digits", "+1" },
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
  if (!g_option_context_parse (context, &argc, &argv, &error) || n_rows < PAGE_SIZE || runs < 1 ||
      write_ops < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message
                                        : "--rows ≥ 50, --runs ≥ 1 and --write-ops ≥ 1");
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
  store = PV_STORE (pv_sqlite_store_open (path, NULL, &error));
  g_assert_no_error (error);
  pv_store_count_customers (store, NULL, &count, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  if (count == 0)
    {
      GStatBuf info;

      start = g_get_monotonic_time ();
      sample = pv_test_customers_fill (path, n_rows);

      g_print ("Filled %d customers in %.1f s", n_rows, (g_get_monotonic_time () - start) / 1e6);
      if (g_stat (path, &info) == 0)
        g_print (", %.0f MiB on disk", info.st_size / 1048576.0);
      g_print ("\n\n");
    }
  else
    {
      g_autoptr(GPtrArray) page = NULL;

      store = PV_STORE (pv_sqlite_store_open (path, NULL, &error));
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
  for (guint i = 0; i < G_N_ELEMENTS (searches); i++)
    if (searches[i][1] == NULL)
      searches[i][1] = fragment;

  store = PV_STORE (pv_sqlite_store_open (path, NULL, &error));
  g_assert_no_error (error);

  g_print ("Median of %u runs, milliseconds, page size %d\n\n", n_runs, PAGE_SIZE);
  g_print ("%-34s %10.3f\n", "lookup by number", measure (store, bench_lookup, sample));
  g_print ("%-34s %10.3f\n\n", "count, no filter", measure (store, bench_count, NULL));
  pv_store_count_customers (store, NULL, &count, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, n_rows);

  /* "after middle" is the page after the middle one, read from its last customer as the
   * Customers list reads it while scrolling; "middle" jumps to the same depth, reading on
   * from the store's anchors, "1st jump" when they are not read yet, and "OFFSET (raw)"
   * reaches it by offset in raw SQL, the baseline. */
  g_print ("%-16s %8s %8s %9s %12s %12s %8s %10s %9s\n", "sort", "first", "middle",
           "1st jump", "OFFSET (raw)", "after middle", "last", "desc first", "desc last");
  for (guint sort = 0; sort < G_N_ELEMENTS (sort_names); sort++)
    {
      PageQuery first = { NULL, sort, FALSE, 0, NULL };
      PageQuery middle = { NULL, sort, FALSE, n_rows / 2, NULL };
      PageQuery following = { NULL, sort, FALSE, 0, customer_at (store, &middle) };
      PageQuery last = { NULL, sort, FALSE, n_rows - PAGE_SIZE, NULL };
      PageQuery desc_first = { NULL, sort, TRUE, 0, NULL };
      PageQuery desc_last = { NULL, sort, TRUE, n_rows - PAGE_SIZE, NULL };

      g_print ("%-16s %8.3f %8.3f %9.3f %12.3f %12.3f %8.3f %10.3f %9.3f\n",
               sort_names[sort],
               measure (store, bench_page, &first),
               measure (store, bench_page, &middle),
               first_jump_ms (store, sort, n_rows / 2),
               raw_offset_ms (path, sort, n_rows / 2),
               measure (store, bench_page, &following),
               measure (store, bench_page, &last),
               measure (store, bench_page, &desc_first),
               measure (store, bench_page, &desc_last));
      pv_customer_free (following.after);
    }

  /* A keystroke in the Customers view costs a count and the first page in its default
   * order, newest activity first. Each figure is for a search typed anew. */
  g_print ("\n%-24s %-12s %9s %8s %10s %8s %8s %8s %10s\n",
           "search", "text", "matches", "count", "page/activ", "number", "name",
           "mid/name", "keystroke");
  for (guint i = 0; i < G_N_ELEMENTS (searches); i++)
    {
      PageQuery by_activity = { searches[i][1], PV_STORE_SORT_LAST_ACTIVITY, TRUE, 0 };
      PageQuery by_number = { searches[i][1], PV_STORE_SORT_NUMBER, FALSE, 0 };
      PageQuery by_name = { searches[i][1], PV_STORE_SORT_NAME, FALSE, 0 };
      PageQuery middle = { searches[i][1], PV_STORE_SORT_NAME, FALSE, 0 };
      double keystroke_ms;

      pv_store_count_customers (store, searches[i][1], &count, &error);
      g_assert_no_error (error);
      middle.offset = count / 2;
      keystroke_ms = measure_fresh (store, bench_keystroke, &by_activity);
      worst_keystroke = MAX (worst_keystroke, keystroke_ms);

      g_print ("%-24s %-12s %9u %8.3f %10.3f %8.3f %8.3f %8.3f %10.3f\n",
               searches[i][0], searches[i][1], count,
               measure_fresh (store, bench_count, searches[i][1]),
               measure_fresh (store, bench_page, &by_activity),
               measure_fresh (store, bench_page, &by_number),
               measure_fresh (store, bench_page, &by_name),
               measure_fresh (store, bench_page, &middle),
               keystroke_ms);
    }
  g_print ("\nWorst database work for a search keystroke: %.1f ms; goal <= 16 ms: %s\n",
           worst_keystroke, worst_keystroke <= 16 ? "met" : "NOT MET");

  /* Last, so that the reads above see exactly the --rows customers. */
  bench_writes (store, path, n_rows, write_ops, database != NULL);

  g_clear_object (&store);

  if (directory != NULL)
    remove_database (directory, path);

  return EXIT_SUCCESS;
}
