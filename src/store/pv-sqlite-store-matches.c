/* pv-sqlite-store-matches.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The customers a search matches, as one bit per customer id, kept between the count and
 * the pages of one search. A page walks a sort order's index and keeps the customers whose
 * bit is set: SQLite's own way, "id IN (SELECT rowid FROM … MATCH …)", first copies every
 * match into a temporary b-tree, which for "an" over a million customers (84,000 matches)
 * took 25 ms of each keystroke's 39. Reading the matches' ids into bits costs about what
 * counting them did, and the count comes with it. */

#define G_LOG_DOMAIN "pv-store"

#include "config.h"

#include <string.h>

#include "pv-sqlite-store-private.h"

struct _PvMatchSet
{
  char    *key;             /* the query the bits answer */
  gint64   data_version;    /* of the database when they were read */
  guint    n_matches;
  gsize    n_words;
  guint64 *words;
};

void
_pv_match_set_free (PvMatchSet *set)
{
  g_free (set->key);
  g_free (set->words);
  g_free (set);
}

static gboolean
match_set_contains (const PvMatchSet *set,
                    gint64            id)
{
  guint64 word = (guint64) id / 64;

  return id >= 0 && word < set->n_words && (set->words[word] & (G_GUINT64_CONSTANT (1) << (id % 64))) != 0;
}

static void
match_set_add (PvMatchSet *set,
               gint64      id)
{
  guint64 word = (guint64) id / 64;

  if (id < 0)
    return;

  /* Ids grow by one: doubling keeps a million customers to about 20 reallocations. */
  if (word >= set->n_words)
    {
      gsize n_words = MAX (word + 1, set->n_words * 2);

      set->words = g_renew (guint64, set->words, n_words);
      memset (set->words + set->n_words, 0, (n_words - set->n_words) * sizeof (guint64));
      set->n_words = n_words;
    }

  if ((set->words[word] & (G_GUINT64_CONSTANT (1) << (id % 64))) == 0)
    set->n_matches++;
  set->words[word] |= G_GUINT64_CONSTANT (1) << (id % 64);
}

/* pv_matches(id): whether the latest search loaded matches that customer. */
static void
matches_function (sqlite3_context  *context,
                  int               n_values,
                  sqlite3_value   **values)
{
  PvSqliteStore *self = sqlite3_user_data (context);

  sqlite3_result_int (context, self->read_matches != NULL &&
                               match_set_contains (self->read_matches,
                                                   sqlite3_value_int64 (values[0])));
}

gboolean
_pv_sqlite_store_add_matches_function (PvSqliteStore  *self,
                                       GError        **error)
{
  /* Direct only: a view or trigger in a database file must never call it. */
  if (sqlite3_create_function_v2 (self->read_db, "pv_matches", 1,
                                  SQLITE_UTF8 | SQLITE_DIRECTONLY, self, matches_function,
                                  NULL, NULL, NULL) != SQLITE_OK)
    {
      _pv_sqlite_store_set_read_error (self, error);
      return FALSE;
    }

  return TRUE;
}

/* Any commit by another connection, which is every write: the reading one never writes. */
static gboolean
get_data_version (PvSqliteStore  *self,
                  gint64         *data_version,
                  GError        **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;

  stmt = _pv_sqlite_store_get_read_statement (self, "PRAGMA data_version", error);
  if (stmt == NULL)
    return FALSE;

  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      _pv_sqlite_store_set_read_error (self, error);
      return FALSE;
    }

  *data_version = sqlite3_column_int64 (stmt, 0);

  return TRUE;
}

/**
 * _pv_sqlite_store_load_matches:
 * @self: a #PvSqliteStore
 * @matches: a bound statement whose rows' first column is a matching customer's id
 * @key: what identifies the search @matches runs, its SQL and bound values
 * @n_matches: (out): return location for the number of matches
 * @error: return location for a #GError
 *
 * Makes pv_matches() answer for @key, reading the ids from @matches unless they were read
 * for the same search with no write since. Call with the read mutex held.
 *
 * Returns: %TRUE on success
 */
gboolean
_pv_sqlite_store_load_matches (PvSqliteStore      *self,
                               PvCachedStatement  *matches,
                               const char         *key,
                               guint              *n_matches,
                               GError            **error)
{
  PvMatchSet *set;
  gint64 data_version;
  int result;

  if (!get_data_version (self, &data_version, error))
    return FALSE;

  if (self->read_matches != NULL && self->read_matches->data_version == data_version &&
      g_str_equal (self->read_matches->key, key))
    {
      *n_matches = self->read_matches->n_matches;
      return TRUE;
    }

  g_clear_pointer (&self->read_matches, _pv_match_set_free);

  set = g_new0 (PvMatchSet, 1);
  while ((result = sqlite3_step (matches)) == SQLITE_ROW)
    match_set_add (set, sqlite3_column_int64 (matches, 0));

  if (result != SQLITE_DONE)
    {
      _pv_sqlite_store_set_read_error (self, error);
      _pv_match_set_free (set);
      return FALSE;
    }

  set->key = g_strdup (key);
  set->data_version = data_version;
  self->read_matches = set;
  *n_matches = set->n_matches;

  return TRUE;
}
