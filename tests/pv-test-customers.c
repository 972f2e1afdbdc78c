/* pv-test-customers.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A large, realistic customer database for the benchmarks and the tests that need one. */

#include "config.h"

#include "pv-test-customers.h"

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

/* Dies with SQLite's message unless @result is @expected: a benchmark or test on a half-filled
 * database would measure nothing. */
void
pv_test_check_sqlite (sqlite3 *db,
                      int      result,
                      int      expected)
{
  if (result != expected)
    g_error ("SQLite: %s", sqlite3_errmsg (db));
}

/* Raw SQL through a staging table: the customers table and its search index get every row in
 * one statement, where row by row FTS5 would flush its index after each.
 */
/**
 * pv_test_customers_fill:
 * @path: a database the store has created, with no customers yet
 * @n_rows: how many customers to add
 *
 * Fills the database with customers as an office collects them: random numbers across the
 * North American area codes, names from many languages (one customer in twenty has none),
 * seven in ten verified, one created every 20 seconds or so since 2026-01-01. The same
 * @n_rows always gives the same customers.
 *
 * Returns: (transfer full): the number of the customer in the middle
 */
char *
pv_test_customers_fill (const char *path,
                        guint       n_rows)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GHashTable) numbers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *sample = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  gint64 base = 1767225600;  /* 2026-01-01 */

  pv_test_check_sqlite (db, sqlite3_open (path, &db), SQLITE_OK);
  pv_test_check_sqlite (db, sqlite3_exec (db,
                                  "PRAGMA cache_size = -262144;"
                                  "CREATE TEMP TABLE staging (number, name, status, created_at, "
                                  "verified_at, updated_at);"
                                  "BEGIN",
                                  NULL, NULL, NULL),
                SQLITE_OK);
  pv_test_check_sqlite (db, sqlite3_prepare_v2 (db,
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
      pv_test_check_sqlite (db, sqlite3_step (stmt), SQLITE_DONE);
      sqlite3_reset (stmt);

      if (i == n_rows / 2)
        sample = g_strdup (number);
    }

  sqlite3_finalize (stmt);
  pv_test_check_sqlite (db, sqlite3_exec (db,
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
