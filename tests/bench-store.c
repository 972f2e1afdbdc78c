/* bench-store.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Times the customer list's queries, and the rate of the store's write intents against a
 * raw insert, on a large database: on SQLite, and with --postgresql or --postgresql-server
 * on PostgreSQL too, with the same customers copied in from the SQLite file, each figure
 * beside the other store's. Not a test: run it by hand,
 * e.g. _build/tests/bench-store --rows 1000000 --postgresql-server
 */

#define G_LOG_DOMAIN "bench-store"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "pv-database-copy.h"
#include "pv-pg-store.h"
#include "pv-process-owner.h"
#include "pv-sqlite-store.h"
#include "pv-store.h"
#include "pv-test-customers.h"
#include "pv-test-postgres.h"

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

/* The database work of one search keystroke should take no longer, in milliseconds. */
#define KEYSTROKE_GOAL_MS 16

/* New customers get numbers of their own, "+44" and ten digits, above any already stored,
 * so that a kept database can be benchmarked again. A range of the number index in both
 * stores, which order numbers by their bytes. */
#define BENCH_NUMBERS "number >= '+44' AND number < '+45' AND length (number) = 13"
#define FIRST_BENCH_NUMBER G_GUINT64_CONSTANT (7000000000)

#define RAW_CODE_DIGEST "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* Each figure has a column per store, this wide. */
#define VALUE_WIDTH 8

#define MAX_BACKENDS 2

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

static const char * const sort_names[] = {
  [PV_STORE_SORT_NUMBER] = "number",
  [PV_STORE_SORT_NAME] = "name",
  [PV_STORE_SORT_STATUS] = "status",
  [PV_STORE_SORT_LAST_ACTIVITY] = "last activity",
  [PV_STORE_SORT_CREATED] = "created",
};

#define N_SORTS G_N_ELEMENTS (sort_names)

typedef enum
{
  BACKEND_SQLITE,
  BACKEND_POSTGRESQL,
} BackendKind;

typedef struct
{
  BackendKind  kind;
  const char  *name;            /* its columns' heading */
  const char  *location;        /* the SQLite file, or the PostgreSQL URI */
  gboolean     kept;            /* the database outlives the bench: leave it as it was found */
  PvStore     *store;
} Backend;

static Backend backends[MAX_BACKENDS];
static guint n_backends;

static guint n_runs = 7;

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Sorts @values. */
static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof *values, compare_doubles);

  return values[n / 2];
}

/* ---------------------------------------------------------------------------------------------
 * The baselines: SQL on a connection of their own, none of the store's code, the least each
 * engine can do for the same result.
 */

/* The orders, as each store's indexes serve them. */
static const char * const raw_orders[][N_SORTS] = {
  [BACKEND_SQLITE] = {
    [PV_STORE_SORT_NUMBER] = "number",
    [PV_STORE_SORT_NAME] = "name COLLATE NOCASE, number",
    [PV_STORE_SORT_STATUS] = "status, number",
    [PV_STORE_SORT_LAST_ACTIVITY] = "updated_at, id",
    [PV_STORE_SORT_CREATED] = "created_at, id",
  },
  [BACKEND_POSTGRESQL] = {
    [PV_STORE_SORT_NUMBER] = "number",
    [PV_STORE_SORT_NAME] = "name_key NULLS FIRST, number",
    [PV_STORE_SORT_STATUS] = "status, number",
    [PV_STORE_SORT_LAST_ACTIVITY] = "updated_at, id",
    [PV_STORE_SORT_CREATED] = "created_at, id",
  },
};

typedef struct
{
  BackendKind   kind;
  PGconn       *conn;
  sqlite3      *db;
  /* SQLite's statements, prepared once; PostgreSQL's page is prepared by name. */
  sqlite3_stmt *page;
  sqlite3_stmt *begin;
  sqlite3_stmt *insert;
  sqlite3_stmt *commit;
} Raw;

/* Dies with the server's message unless @result has the @expected status: a benchmark on a
 * half-done setup would measure nothing. */
static void
check_pg (PGconn         *conn,
          const PGresult *result,
          ExecStatusType  expected)
{
  if (PQresultStatus (result) != expected)
    g_error ("PostgreSQL: %s", PQerrorMessage (conn));
}

static void
pg_command (PGconn             *conn,
            const char         *sql,
            int                 n_params,
            const char * const *values)
{
  g_autoptr(PGresult) result = PQexecParams (conn, sql, n_params, NULL, values, NULL, NULL, 0);

  check_pg (conn, result, PGRES_COMMAND_OK);
}

static void
sqlite_prepare (sqlite3       *db,
                const char    *sql,
                sqlite3_stmt **stmt)
{
  pv_test_check_sqlite (db, sqlite3_prepare_v2 (db, sql, -1, stmt, NULL), SQLITE_OK);
}

static void
step_reset (sqlite3      *db,
            sqlite3_stmt *stmt)
{
  pv_test_check_sqlite (db, sqlite3_step (stmt), SQLITE_DONE);
  sqlite3_reset (stmt);
}

/* One or more statements that return no rows. */
static void
raw_exec (Raw        *raw,
          const char *sql)
{
  if (raw->kind == BACKEND_POSTGRESQL)
    {
      g_autoptr(PGresult) result = PQexec (raw->conn, sql);

      check_pg (raw->conn, result, PGRES_COMMAND_OK);
    }
  else
    {
      pv_test_check_sqlite (raw->db, sqlite3_exec (raw->db, sql, NULL, NULL, NULL), SQLITE_OK);
    }
}

/* The first column of the first row, or NULL. */
static char *
raw_query (Raw        *raw,
           const char *sql)
{
  char *value = NULL;

  if (raw->kind == BACKEND_POSTGRESQL)
    {
      g_autoptr(PGresult) result = PQexec (raw->conn, sql);

      check_pg (raw->conn, result, PGRES_TUPLES_OK);
      if (PQntuples (result) > 0 && !PQgetisnull (result, 0, 0))
        value = g_strdup (PQgetvalue (result, 0, 0));
    }
  else
    {
      sqlite3_stmt *stmt = NULL;

      sqlite_prepare (raw->db, sql, &stmt);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_finalize (stmt);
    }

  return value;
}

/* With @writes, a connection set up as the store's own: SQLite's with the store's pragmas
 * and the insert's statements ready. Else SQLite's is read-only, with its defaults. */
static void
raw_open (Raw           *raw,
          const Backend *backend,
          gboolean       writes)
{
  g_autofree char *journal_mode = NULL;

  raw->kind = backend->kind;

  if (backend->kind == BACKEND_POSTGRESQL)
    {
      raw->conn = PQconnectdb (backend->location);
      if (PQstatus (raw->conn) != CONNECTION_OK)
        g_error ("PostgreSQL: %s", PQerrorMessage (raw->conn));
      return;
    }

  if (!writes)
    {
      pv_test_check_sqlite (raw->db, sqlite3_open_v2 (backend->location, &raw->db,
                                                      SQLITE_OPEN_READONLY, NULL),
                            SQLITE_OK);
      return;
    }

  pv_test_check_sqlite (raw->db, sqlite3_open (backend->location, &raw->db), SQLITE_OK);
  sqlite3_busy_timeout (raw->db, STORE_BUSY_TIMEOUT_MS);
  raw_exec (raw, STORE_PRAGMAS);
  journal_mode = raw_query (raw, "PRAGMA journal_mode");
  g_assert_cmpstr (journal_mode, ==, "wal");

  sqlite_prepare (raw->db, "BEGIN IMMEDIATE", &raw->begin);
  sqlite_prepare (raw->db, "COMMIT", &raw->commit);
  sqlite_prepare (raw->db,
                  "INSERT INTO customers (number, name, status, code_digest, "
                  "code_expires_at, failed_attempts, sends_in_window, "
                  "send_window_started_at, last_sent_at, created_at, "
                  "updated_at, send_state, send_id, send_owner) "
                  "VALUES (?1, 'Bench Customer', 'pending', ?2, ?3 + ?4, 0, "
                  "1, ?3, ?3, ?3, ?3, 'sending', 1, ?5)",
                  &raw->insert);
}

static void
raw_close (Raw *raw)
{
  g_clear_pointer (&raw->page, sqlite3_finalize);
  g_clear_pointer (&raw->begin, sqlite3_finalize);
  g_clear_pointer (&raw->insert, sqlite3_finalize);
  g_clear_pointer (&raw->commit, sqlite3_finalize);
  g_clear_pointer (&raw->db, sqlite3_close);
  g_clear_pointer (&raw->conn, PQfinish);
}

/* A page by OFFSET: what a jump cost before the store read on from its anchors. */
static void
raw_prepare_page (Raw         *raw,
                  PvStoreSort  sort,
                  guint        offset)
{
  g_autofree char *sql = g_strdup_printf ("SELECT * FROM customers ORDER BY %s LIMIT %d "
                                          "OFFSET %u", raw_orders[raw->kind][sort], PAGE_SIZE,
                                          offset);

  if (raw->kind == BACKEND_POSTGRESQL)
    {
      g_autoptr(PGresult) result = PQprepare (raw->conn, "page", sql, 0, NULL);

      check_pg (raw->conn, result, PGRES_COMMAND_OK);
    }
  else
    {
      sqlite_prepare (raw->db, sql, &raw->page);
    }
}

static void
raw_read_page (Raw *raw)
{
  if (raw->kind == BACKEND_POSTGRESQL)
    {
      g_autoptr(PGresult) result = PQexecPrepared (raw->conn, "page", 0, NULL, NULL, NULL, 0);

      check_pg (raw->conn, result, PGRES_TUPLES_OK);
      g_assert_cmpint (PQntuples (result), ==, PAGE_SIZE);
    }
  else
    {
      while (sqlite3_step (raw->page) == SQLITE_ROW)
        ;
      sqlite3_reset (raw->page);
    }
}

/* One customer row, as a claimed send writes it, in a transaction of its own. SQLite's
 * statements are prepared once, BEGIN and COMMIT too; PostgreSQL's go as the store sends
 * its own, each by PQexecParams. */
static void
raw_insert_claimed (Raw        *raw,
                    const char *number,
                    gint64      now,
                    const char *owner)
{
  if (raw->kind == BACKEND_POSTGRESQL)
    {
      g_autofree char *time = g_strdup_printf ("%" G_GINT64_FORMAT, now);
      /* name_words and national as the store writes them, for its search triggers and
       * indexes: the folded name, and the digits after "+44". */
      const char *values[] = {
        number, RAW_CODE_DIGEST, time, G_STRINGIFY (CODE_LIFETIME), owner, number + 3,
      };

      pg_command (raw->conn, "BEGIN", 0, NULL);
      pg_command (raw->conn,
                  "INSERT INTO customers (number, name, status, code_digest, "
                  "code_expires_at, failed_attempts, sends_in_window, "
                  "send_window_started_at, last_sent_at, created_at, updated_at, "
                  "send_state, send_id, send_owner, name_words, national) "
                  "VALUES ($1, 'Bench Customer', 'pending', $2, $3::bigint + $4::bigint, 0, "
                  "1, $3, $3, $3, $3, 'sending', 1, $5, ' bench customer', $6)",
                  G_N_ELEMENTS (values), values);
      pg_command (raw->conn, "COMMIT", 0, NULL);
      return;
    }

  step_reset (raw->db, raw->begin);
  sqlite3_bind_text (raw->insert, 1, number, -1, SQLITE_STATIC);
  sqlite3_bind_text (raw->insert, 2, RAW_CODE_DIGEST, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (raw->insert, 3, now);
  sqlite3_bind_int64 (raw->insert, 4, CODE_LIFETIME);
  sqlite3_bind_text (raw->insert, 5, owner, -1, SQLITE_STATIC);
  step_reset (raw->db, raw->insert);
  sqlite3_clear_bindings (raw->insert);
  step_reset (raw->db, raw->commit);
}

/* The engine, and what it pays for each commit. */
static char *
describe_backend (const Backend *backend)
{
  Raw raw = { 0 };
  g_autofree char *settings = NULL;
  g_autofree char *where = NULL;

  if (backend->kind == BACKEND_SQLITE)
    return g_strdup_printf ("SQLite %s, WAL, synchronous = NORMAL: %s", sqlite3_libversion (),
                            backend->location);

  raw_open (&raw, backend, FALSE);
  settings = raw_query (&raw,
                        "SELECT 'PostgreSQL ' || current_setting ('server_version')"
                        " || ', fsync = ' || current_setting ('fsync')"
                        " || ', synchronous_commit = ' || current_setting ('synchronous_commit')"
                        " || ', shared_buffers = ' || current_setting ('shared_buffers')");
  raw_close (&raw);

  where = pv_pg_store_describe_uri (backend->location);

  return g_strdup_printf ("%s: %s", settings, where);
}

/* ---------------------------------------------------------------------------------------------
 * Reads.
 */

typedef void (*BenchFunc) (PvStore *store, gconstpointer data);

/* What the app's main loop does between a desk's actions: PostgreSQL's notifications of
 * changes are read as they come. Unread, they fill the listening connection's socket, and
 * its server process waits for it inside a transaction: one that keeps VACUUM from marking
 * any page newer than it all-visible, which slows every index-only scan after it. */
static void
run_pending_events (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Median milliseconds of n_runs runs of @func, after one warm-up run; @before, if any, runs
 * untimed before each timed one. */
static double
measure_runs (PvStore       *store,
              BenchFunc      before,
              BenchFunc      func,
              gconstpointer  data)
{
  g_autofree double *times = g_new (double, n_runs);

  func (store, data);

  for (guint i = 0; i < n_runs; i++)
    {
      gint64 start;

      if (before != NULL)
        before (store, data);
      run_pending_events ();

      start = g_get_monotonic_time ();
      func (store, data);
      times[i] = (g_get_monotonic_time () - start) / 1000.0;
    }

  return median (times, n_runs);
}

static double
measure (PvStore       *store,
         BenchFunc      func,
         gconstpointer  data)
{
  return measure_runs (store, NULL, func, data);
}

/* The store keeps the matches of its latest search for that search's next pages: a search
 * for something else makes the timed one start afresh, as each keystroke's does. */
static void
search_something_else (PvStore       *store,
                       gconstpointer  data)
{
  guint n;

  pv_store_count_customers (store, "zq", &n, NULL);
}

/* The same, for a search typed anew each time. */
static double
measure_fresh (PvStore       *store,
               BenchFunc      func,
               gconstpointer  data)
{
  return measure_runs (store, search_something_else, func, data);
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

static void
bench_count (PvStore       *store,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint n;

  pv_store_count_customers (store, data, &n, &error);
  g_assert_no_error (error);
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

/* The store keeps one order's anchors: a jump the other way first makes the next one walk
 * its order's index, as a first jump into an order does. */
static void
jump_the_other_way (PvStore       *store,
                    gconstpointer  data)
{
  const PageQuery *query = data;
  g_autoptr(GPtrArray) page = NULL;

  page = pv_store_list_customers (store, query->search, query->sort, !query->descending,
                                  query->offset, PAGE_SIZE, NULL);
  g_assert_nonnull (page);
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

static void
bench_raw_page (PvStore       *unused,
                gconstpointer  data)
{
  raw_read_page ((Raw *) data);
}

/* The OFFSET baseline, on a connection of its own. */
static double
raw_offset_ms (const Backend *backend,
               PvStoreSort    sort,
               guint          offset)
{
  Raw raw = { 0 };
  double ms;

  raw_open (&raw, backend, FALSE);
  raw_prepare_page (&raw, sort, offset);
  ms = measure (NULL, bench_raw_page, &raw);
  raw_close (&raw);

  return ms;
}

/* The customer at @offset, for a page that follows it. */
static PvCustomer *
customer_at (PvStore         *store,
             const PageQuery *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;

  page = pv_store_list_customers (store, query->search, query->sort, query->descending,
                                  query->offset, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 1);

  return pv_customer_copy (page->pdata[0]);
}

/* The tables: a column per backend under each figure's name. */
static void
print_backend_names (int   label_width,
                     guint n_figures)
{
  g_print ("%-*s", label_width, "");
  for (guint i = 0; i < n_figures; i++)
    {
      g_print (" ");
      for (guint b = 0; b < n_backends; b++)
        g_print (" %*s", VALUE_WIDTH, backends[b].name);
    }
  g_print ("\n");
}

static void
print_heading (int                 label_width,
               const char         *label,
               const char * const *figures,
               guint               first,
               guint               n)
{
  g_print ("%-*s", label_width, label);
  for (guint i = first; i < first + n; i++)
    g_print (" %*s", (int) n_backends * (VALUE_WIDTH + 1), figures[i]);
  g_print ("\n");
  print_backend_names (label_width, n);
}

static void
print_values (double ms[][MAX_BACKENDS],
              guint  first,
              guint  n)
{
  for (guint i = first; i < first + n; i++)
    {
      g_print (" ");
      for (guint b = 0; b < n_backends; b++)
        g_print (" %*.3f", VALUE_WIDTH, ms[i][b]);
    }
  g_print ("\n");
}

enum
{
  PAGE_FIRST,
  PAGE_MIDDLE,
  PAGE_FIRST_JUMP,
  PAGE_RAW_OFFSET,
  PAGE_AFTER_MIDDLE,
  PAGE_LAST,
  PAGE_DESC_FIRST,
  PAGE_DESC_LAST,
  N_PAGE_FIGURES
};

static const char * const page_figures[N_PAGE_FIGURES] = {
  [PAGE_FIRST] = "first",
  [PAGE_MIDDLE] = "middle",
  [PAGE_FIRST_JUMP] = "1st jump",
  [PAGE_RAW_OFFSET] = "OFFSET (raw)",
  [PAGE_AFTER_MIDDLE] = "after middle",
  [PAGE_LAST] = "last",
  [PAGE_DESC_FIRST] = "desc first",
  [PAGE_DESC_LAST] = "desc last",
};

static void
measure_pages (guint        b,
               PvStoreSort  sort,
               guint        n_rows,
               double       ms[][MAX_BACKENDS])
{
  PvStore *store = backends[b].store;
  PageQuery first = { NULL, sort, FALSE, 0, NULL };
  PageQuery middle = { NULL, sort, FALSE, n_rows / 2, NULL };
  PageQuery following = { NULL, sort, FALSE, 0, customer_at (store, &middle) };
  PageQuery last = { NULL, sort, FALSE, n_rows - PAGE_SIZE, NULL };
  PageQuery desc_first = { NULL, sort, TRUE, 0, NULL };
  PageQuery desc_last = { NULL, sort, TRUE, n_rows - PAGE_SIZE, NULL };

  ms[PAGE_FIRST][b] = measure (store, bench_page, &first);
  ms[PAGE_MIDDLE][b] = measure (store, bench_page, &middle);
  ms[PAGE_FIRST_JUMP][b] = measure_runs (store, jump_the_other_way, bench_page, &middle);
  ms[PAGE_RAW_OFFSET][b] = raw_offset_ms (&backends[b], sort, n_rows / 2);
  ms[PAGE_AFTER_MIDDLE][b] = measure (store, bench_page, &following);
  ms[PAGE_LAST][b] = measure (store, bench_page, &last);
  ms[PAGE_DESC_FIRST][b] = measure (store, bench_page, &desc_first);
  ms[PAGE_DESC_LAST][b] = measure (store, bench_page, &desc_last);

  pv_customer_free (following.after);
}

/* "after middle" is the page after the middle one, read from its last customer as the
 * Customers list reads it while scrolling; "middle" jumps to the same depth, reading on
 * from the store's anchors, "1st jump" when they are not read yet, and "OFFSET (raw)"
 * reaches it by offset in raw SQL, the baseline. */
static void
bench_pages (guint n_rows)
{
  double ms[N_SORTS][N_PAGE_FIGURES][MAX_BACKENDS];

  for (guint sort = 0; sort < N_SORTS; sort++)
    for (guint b = 0; b < n_backends; b++)
      measure_pages (b, sort, n_rows, ms[sort]);

  for (guint first = 0; first < N_PAGE_FIGURES; first += N_PAGE_FIGURES / 2)
    {
      g_print ("\n");
      print_heading (14, "sort", page_figures, first, N_PAGE_FIGURES / 2);
      for (guint sort = 0; sort < N_SORTS; sort++)
        {
          g_print ("%-14s", sort_names[sort]);
          print_values (ms[sort], first, N_PAGE_FIGURES / 2);
        }
    }
}

enum
{
  SEARCH_COUNT,
  SEARCH_PAGE_ACTIVITY,
  SEARCH_KEYSTROKE,
  SEARCH_PAGE_NUMBER,
  SEARCH_PAGE_NAME,
  SEARCH_MIDDLE_NAME,
  N_SEARCH_FIGURES
};

static const char * const search_figures[N_SEARCH_FIGURES] = {
  [SEARCH_COUNT] = "count",
  [SEARCH_PAGE_ACTIVITY] = "page/activ",
  [SEARCH_KEYSTROKE] = "keystroke",
  [SEARCH_PAGE_NUMBER] = "number",
  [SEARCH_PAGE_NAME] = "name",
  [SEARCH_MIDDLE_NAME] = "mid/name",
};

typedef double SearchFigures[N_SEARCH_FIGURES][MAX_BACKENDS];

/* Returns how many customers @search finds. */
static guint
measure_search (guint       b,
                const char *search,
                double      ms[][MAX_BACKENDS])
{
  PvStore *store = backends[b].store;
  PageQuery by_activity = { search, PV_STORE_SORT_LAST_ACTIVITY, TRUE, 0 };
  PageQuery by_number = { search, PV_STORE_SORT_NUMBER, FALSE, 0 };
  PageQuery by_name = { search, PV_STORE_SORT_NAME, FALSE, 0 };
  PageQuery middle = { search, PV_STORE_SORT_NAME, FALSE, 0 };
  g_autoptr(GError) error = NULL;
  guint count;

  pv_store_count_customers (store, search, &count, &error);
  g_assert_no_error (error);
  middle.offset = count / 2;

  ms[SEARCH_KEYSTROKE][b] = measure_fresh (store, bench_keystroke, &by_activity);
  ms[SEARCH_COUNT][b] = measure_fresh (store, bench_count, search);
  ms[SEARCH_PAGE_ACTIVITY][b] = measure_fresh (store, bench_page, &by_activity);
  ms[SEARCH_PAGE_NUMBER][b] = measure_fresh (store, bench_page, &by_number);
  ms[SEARCH_PAGE_NAME][b] = measure_fresh (store, bench_page, &by_name);
  ms[SEARCH_MIDDLE_NAME][b] = measure_fresh (store, bench_page, &middle);

  return count;
}

/* A keystroke in the Customers view costs a count and the first page in its default order,
 * newest activity first. Each figure is for a search typed anew. */
static void
bench_searches (const char * const (*searches)[2],
                guint               n_searches)
{
  g_autofree SearchFigures *ms = g_new (SearchFigures, n_searches);
  g_autofree guint *matches = g_new (guint, n_searches);
  double worst[MAX_BACKENDS] = { 0 };
  guint worst_search[MAX_BACKENDS] = { 0 };

  for (guint i = 0; i < n_searches; i++)
    for (guint b = 0; b < n_backends; b++)
      {
        guint count = measure_search (b, searches[i][1], ms[i]);

        /* The same customers: any store that finds others is wrong, and said to be. */
        if (b == 0)
          matches[i] = count;
        else if (count != matches[i])
          g_printerr ("%s finds %u customers for \"%s\", %s %u\n", backends[b].name, count,
                      searches[i][1], backends[0].name, matches[i]);

        if (ms[i][SEARCH_KEYSTROKE][b] > worst[b])
          {
            worst[b] = ms[i][SEARCH_KEYSTROKE][b];
            worst_search[b] = i;
          }
      }

  g_print ("\n");
  print_heading (45, "search                   text        matches", search_figures,
                 SEARCH_COUNT, SEARCH_KEYSTROKE + 1);
  for (guint i = 0; i < n_searches; i++)
    {
      g_print ("%-24s %-10s %9u", searches[i][0], searches[i][1], matches[i]);
      print_values (ms[i], SEARCH_COUNT, SEARCH_KEYSTROKE + 1);
    }

  g_print ("\n");
  print_heading (35, "search                   text", search_figures, SEARCH_PAGE_NUMBER,
                 N_SEARCH_FIGURES - SEARCH_PAGE_NUMBER);
  for (guint i = 0; i < n_searches; i++)
    {
      g_print ("%-24s %-10s", searches[i][0], searches[i][1]);
      print_values (ms[i], SEARCH_PAGE_NUMBER, N_SEARCH_FIGURES - SEARCH_PAGE_NUMBER);
    }

  g_print ("\nWorst database work for a search keystroke, goal <= %d ms:\n", KEYSTROKE_GOAL_MS);
  for (guint b = 0; b < n_backends; b++)
    g_print ("  %-8s %6.1f ms, \"%s\" (%s): %s\n", backends[b].name, worst[b],
             searches[worst_search[b]][1], searches[worst_search[b]][0],
             worst[b] <= KEYSTROKE_GOAL_MS ? "met" : "NOT MET");
}

/* ---------------------------------------------------------------------------------------------
 * Writes. Each operation is what one desk does for one customer: a whole transaction (or two),
 * committed.
 */

typedef struct
{
  const Backend *backend;
  Raw            raw;           /* the baseline's own connection */
  char          *owner;
  guint64        first_number;
  guint64        next_number;
  guint          n_ops;
  GPtrArray     *claimed;       /* the numbers the last claim round sent a code to */
} WriteBench;

typedef void (*WriteFunc) (WriteBench *bench);

static char *
next_number (WriteBench *bench)
{
  return g_strdup_printf ("+44%010" G_GUINT64_FORMAT, bench->next_number++);
}

static void
bench_raw_insert (WriteBench *bench)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = 0; i < bench->n_ops; i++)
    {
      g_autofree char *number = next_number (bench);

      raw_insert_claimed (&bench->raw, number, now, bench->owner);
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

      pv_store_claim_send (bench->backend->store, &request, &claim, &error);
      g_assert_no_error (error);
      g_assert_cmpint (claim.verdict, ==, PV_SEND_GRANTED);
      pv_store_finish_send (bench->backend->store, &claim, &outcome, &applied, &error);
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

      pv_store_claim_attempt (bench->backend->store, number, MAX_ATTEMPTS, &attempt, &error);
      g_assert_no_error (error);
      g_assert_cmpint (attempt.verdict, ==, PV_ATTEMPT_GRANTED);
      pv_store_record_failed_attempt (bench->backend->store, number, &error);
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

      pv_store_claim_attempt (bench->backend->store, number, MAX_ATTEMPTS, &attempt, &error);
      g_assert_no_error (error);
      g_assert_cmpint (attempt.verdict, ==, PV_ATTEMPT_GRANTED);
      pv_store_mark_verified (bench->backend->store, number, attempt.code_digest, NULL, &applied,
                              &error);
      g_assert_no_error (error);
      g_assert_true (applied);
    }
}

static void
write_bench_init (WriteBench    *bench,
                  const Backend *backend,
                  guint          n_ops)
{
  g_autofree char *highest = NULL;

  bench->backend = backend;
  bench->n_ops = n_ops;
  bench->owner = pv_process_owner_new ();
  bench->claimed = g_ptr_array_new_with_free_func (g_free);

  raw_open (&bench->raw, backend, TRUE);

  /* Above every number of ours already there, from an earlier run on a kept database. */
  highest = raw_query (&bench->raw, "SELECT max (number) FROM customers WHERE " BENCH_NUMBERS);
  bench->first_number = highest != NULL ? g_ascii_strtoull (highest + 3, NULL, 10) + 1
                                        : FIRST_BENCH_NUMBER;
  bench->next_number = bench->first_number;
}

/* Leaves a kept database as it was found: without the customers and events added here. */
static void
write_bench_clear (WriteBench *bench)
{
  if (bench->backend->kept)
    {
      g_autofree char *sql = g_strdup_printf (
        "BEGIN;"
        "DELETE FROM customers WHERE " BENCH_NUMBERS " AND number >= '+44%010" G_GUINT64_FORMAT "';"
        "DELETE FROM events WHERE " BENCH_NUMBERS " AND number >= '+44%010" G_GUINT64_FORMAT "';"
        "COMMIT",
        bench->first_number, bench->first_number);

      raw_exec (&bench->raw, sql);
    }

  raw_close (&bench->raw);
  g_clear_pointer (&bench->owner, g_free);
  g_clear_pointer (&bench->claimed, g_ptr_array_unref);
}

static void
bench_writes (guint n_rows,
              guint n_ops)
{
  static const struct {
    const char *name;
    WriteFunc   func;
  } benches[] = {
    { "raw INSERT (BEGIN; 1 row; COMMIT)", bench_raw_insert },
    { "claim_send + finish_send (SENT), new number", bench_claim_send },
    { "claim_attempt + record_failed_attempt", bench_failed_attempt },
    { "claim_attempt + mark_verified", bench_verify },
  };
  WriteBench writes[MAX_BACKENDS] = { 0 };
  g_autofree double *seconds = g_new0 (double, n_backends * G_N_ELEMENTS (benches) * n_runs);
  double baseline[MAX_BACKENDS] = { 0 };

  for (guint b = 0; b < n_backends; b++)
    write_bench_init (&writes[b], &backends[b], n_ops);

  /* Round by round, so that every figure sees the same database as it grows and the same
   * checkpoints, and the stores the same machine; the attempts of a round go to the
   * customers its claims created. The first round warms the caches and is not counted. */
  for (guint run = 0; run <= n_runs; run++)
    for (guint b = 0; b < n_backends; b++)
      for (guint i = 0; i < G_N_ELEMENTS (benches); i++)
        {
          gint64 start;

          run_pending_events ();
          start = g_get_monotonic_time ();
          benches[i].func (&writes[b]);
          if (run > 0)
            seconds[(b * G_N_ELEMENTS (benches) + i) * n_runs + run - 1] =
              (g_get_monotonic_time () - start) / 1e6;
        }

  g_print ("\nWrites on %u customers: operations per second, median of %u runs of %u, "
           "each store's durability as above\n\n", n_rows, n_runs, n_ops);
  g_print ("%-46s", "");
  for (guint b = 0; b < n_backends; b++)
    g_print (" %20s", backends[b].name);
  g_print ("\n%-46s", "operation");
  for (guint b = 0; b < n_backends; b++)
    g_print (" %11s %8s", "per second", "of raw");
  g_print ("\n");

  for (guint i = 0; i < G_N_ELEMENTS (benches); i++)
    {
      g_autoptr(GString) below = g_string_new (NULL);

      g_print ("%-46s", benches[i].name);
      for (guint b = 0; b < n_backends; b++)
        {
          double rate = n_ops / median (seconds + (b * G_N_ELEMENTS (benches) + i) * n_runs,
                                        n_runs);
          int percent;

          if (i == 0)
            baseline[b] = rate;
          /* Rounded down, so that a figure said to be below the goal reads below it. */
          percent = (int) (100 * rate / baseline[b]);
          if (percent < WRITE_GOAL_PERCENT)
            g_string_append_printf (below, " %s", backends[b].name);

          g_print (" %11.0f %6d %%", rate, percent);
        }
      g_print ("%s%s\n", below->len > 0 ? "  below the goal:" : "", below->str);
    }

  g_print ("\nraw: SQLite's BEGIN IMMEDIATE, INSERT and COMMIT prepared once");
  if (n_backends > 1)
    g_print ("; PostgreSQL's BEGIN, INSERT and COMMIT as three PQexecParams on one connection");
  g_print (".\nGoal: every intent at %d %% or more of its store's raw insert.\n",
           WRITE_GOAL_PERCENT);

  for (guint b = 0; b < n_backends; b++)
    write_bench_clear (&writes[b]);
}

/* ---------------------------------------------------------------------------------------------
 * The PostgreSQL database: the SQLite one's customers, copied in as the app copies them.
 */

typedef struct
{
  gboolean  done;
  guint     n_copied;
  guint     n_already_there;
  GError   *error;
} CopyRun;

static void
copy_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CopyRun *run = user_data;

  pv_database_copy_run_finish (PV_DATABASE_COPY (source), result, &run->n_copied,
                               &run->n_already_there, &run->error);
  run->done = TRUE;
}

/* PvDatabaseCopy, as when an office moves to a shared database: the source read by number a
 * page at a time, each page imported in one transaction with pv_store_import_customers(). */
static void
copy_customers (PvStore *from,
                PvStore *to,
                guint    n_rows)
{
  g_autoptr(PvDatabaseCopy) copy = pv_database_copy_new (from, to);
  g_autoptr(GError) error = NULL;
  CopyRun run = { 0 };
  gint64 start = g_get_monotonic_time ();
  double seconds;
  guint count;

  pv_database_copy_run_async (copy, NULL, copy_done_cb, &run);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_assert_no_error (run.error);

  g_print ("Copied %u customers into PostgreSQL in %.1f s", run.n_copied, seconds);
  if (run.n_copied > 0)
    g_print (", %.0f a second, in pages of %d", run.n_copied / seconds,
             PV_DATABASE_COPY_PAGE_SIZE);
  if (run.n_already_there > 0)
    g_print ("; %u were there already", run.n_already_there);
  g_print ("\n");

  /* Every SQLite customer is there now; as many as in SQLite means no others. */
  pv_store_count_customers (to, NULL, &count, &error);
  g_assert_no_error (error);
  if (count != n_rows)
    g_error ("The PostgreSQL database holds %u customers, the SQLite one %u: --postgresql "
             "must name an empty database, or one an earlier run with as many --rows filled",
             count, n_rows);
}

/* Autovacuum would soon vacuum and analyze the rows just copied, under the reads below; done
 * now, and timed apart, it leaves them the database as it settles. Until every page is
 * all-visible, an index-only scan reads the table too: ten times slower deep in a million
 * rows. VACUUM cannot mark a page all-visible while any transaction may still not see its
 * rows, such as an autovacuum ANALYZE that began during the copy, so it goes again until
 * the pages are marked. */
static void
settle (const Backend *backend)
{
  Raw raw = { 0 };
  g_autofree char *visible = NULL;
  gint64 start = g_get_monotonic_time ();
  guint n_vacuums = 0;
  gboolean done;

  raw_open (&raw, backend, FALSE);
  do
    {
      g_autofree char *settled = NULL;

      if (n_vacuums > 0)
        g_usleep (G_USEC_PER_SEC);
      run_pending_events ();
      raw_exec (&raw, "VACUUM ANALYZE");
      n_vacuums++;
      settled = raw_query (&raw, "SELECT sum (relallvisible) = sum (relpages) FROM pg_class "
                                 "WHERE relname IN ('customers', 'customer_words')");
      done = g_strcmp0 (settled, "t") == 0;
    }
  while (!done && n_vacuums < 60);
  visible = raw_query (&raw, "SELECT sum (relallvisible) || ' of ' || sum (relpages) "
                             "FROM pg_class WHERE relname IN ('customers', 'customer_words')");
  raw_close (&raw);

  g_print ("then VACUUM ANALYZE in %.1f s, %u times: %s pages of customers and "
           "customer_words all-visible\n",
           (g_get_monotonic_time () - start) / 1e6, n_vacuums, visible);
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
  /* Before the stores: freed after them. */
  g_autoptr(PvTestPostgres) server = NULL;
  g_autoptr(PvStore) store = NULL;
  g_autoptr(PvStore) pg_store = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *path = NULL;
  g_autofree char *database = NULL;
  g_autofree char *pg_uri = NULL;
  g_autofree char *sample = NULL;
  g_autofree char *fragment = NULL;
  double ms[2][MAX_BACKENDS];
  gboolean pg_server = FALSE;
  int n_rows = 1000000;
  int runs = 7;
  int write_ops = 2000;
  gint64 start;
  guint count;
  const GOptionEntry entries[] = {
    { "rows", 0, 0, G_OPTION_ARG_INT, &n_rows, "Number of customers (default 1000000)", "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Timed runs per query (default 7)", "N" },
    { "write-ops", 0, 0, G_OPTION_ARG_INT, &write_ops,
      "Operations per timed run of each write (default 2000)", "N" },
    { "database", 0, 0, G_OPTION_ARG_FILENAME, &database,
      "Keep the database in FILE, and reuse it if it exists", "FILE" },
    { "postgresql", 0, 0, G_OPTION_ARG_STRING, &pg_uri,
      "PostgreSQL too, on the database URI: empty, or one an earlier run filled", "URI" },
    { "postgresql-server", 0, 0, G_OPTION_ARG_NONE, &pg_server,
      "PostgreSQL too, on a throwaway server of its own", NULL },
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
      write_ops < 1 || (pg_uri != NULL && pg_server))
    {
      g_printerr ("%s\n", error != NULL ? error->message
                                        : "--rows ≥ 50, --runs ≥ 1 and --write-ops ≥ 1, and "
                                          "--postgresql or --postgresql-server, not both");
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
      g_print ("\n");
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
  backends[n_backends++] = (Backend) { BACKEND_SQLITE, "SQLite", path, database != NULL, store };

  if (pg_server)
    {
      server = pv_test_postgres_start (&error);
      if (server == NULL)
        {
          g_printerr ("Could not start a PostgreSQL server: %s\n", error->message);
          return EXIT_FAILURE;
        }
      pg_uri = pv_test_postgres_create_database (server, "bench_store", &error);
      g_assert_no_error (error);
    }

  if (pg_uri != NULL)
    {
      pg_store = PV_STORE (pv_pg_store_open (pg_uri, NULL, NULL, &error));
      if (pg_store == NULL)
        {
          g_printerr ("%s\n", error->message);
          return EXIT_FAILURE;
        }
      /* As a desk's engine does, hearing the other desks: see run_pending_events (). */
      pv_store_watch (pg_store);

      copy_customers (store, pg_store, n_rows);
      backends[n_backends++] = (Backend) { BACKEND_POSTGRESQL, "PG", pg_uri, !pg_server, pg_store };
      settle (&backends[n_backends - 1]);
    }

  g_print ("\n");
  for (guint b = 0; b < n_backends; b++)
    {
      g_autofree char *description = describe_backend (&backends[b]);

      g_print ("%-6s = %s\n", backends[b].name, description);
    }

  g_print ("\nMedian of %u runs, milliseconds, page size %d\n\n", n_runs, PAGE_SIZE);
  for (guint b = 0; b < n_backends; b++)
    {
      ms[0][b] = measure (backends[b].store, bench_lookup, sample);
      ms[1][b] = measure (backends[b].store, bench_count, NULL);
      pv_store_count_customers (backends[b].store, NULL, &count, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (count, ==, n_rows);
    }
  print_backend_names (30, 1);
  g_print ("%-30s", "lookup by number");
  print_values (ms, 0, 1);
  g_print ("%-30s", "count, no filter");
  print_values (ms, 1, 1);

  bench_pages (n_rows);
  bench_searches ((const char * const (*)[2]) searches, G_N_ELEMENTS (searches));

  /* Last, so that the reads above see exactly the --rows customers. */
  bench_writes (n_rows, write_ops);

  g_clear_object (&pg_store);
  g_clear_object (&store);

  if (directory != NULL)
    remove_database (directory, path);

  return EXIT_SUCCESS;
}
