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
 * counting them did, and the count comes with it.
 *
 * Reading a million ids still takes a tenth of a second, which the first digit of a number
 * matches in a one-country office. Numbers need no index to be tested: pv_number_starts()
 * tests the row's own number, as the digits' index would, so that a walk over dense matches
 * reads only the rows it passes, and their count can be estimated from the first few
 * thousand ids. Names are tested the same way by pv_words_match(), with the words' index's
 * own tokenizer, so that "a", the start of a word in a fifth of all names, does not read
 * two hundred thousand ids either. */

#define G_LOG_DOMAIN "pv-store"

#include "config.h"

#include <string.h>

#include "pv-sqlite-store-private.h"

struct _PvMatchSet
{
  char    *key;             /* the query the bits answer */
  gint64   data_version;    /* of the database when they were read */
  gboolean complete;        /* or only the matches up to last_id were read */
  gint64   last_id;
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

  sqlite3_result_int (context, self->read_matches != NULL && self->read_matches->complete &&
                               match_set_contains (self->read_matches,
                                                   sqlite3_value_int64 (values[0])));
}

/* The length of the calling code @digits start with, or 0; calling codes are prefix-free,
 * so at most one fits. */
static gsize
calling_code_length (PvSqliteStore *self,
                     const char    *digits)
{
  char code[4] = { 0 };

  for (gsize length = 1; length < sizeof code && digits[length - 1] != '\0'; length++)
    {
      code[length - 1] = digits[length - 1];
      if (g_hash_table_contains (self->read_calling_codes, code))
        return length;
    }

  return 0;
}

/* pv_number_starts(number): whether the number starts so, as the digits' index finds it (see
 * migration_to_4): a "+" and digits, the start of the number with its calling code; digits
 * alone, the start of its digits with or without the calling code. */
static void
number_starts_function (sqlite3_context  *context,
                        int               n_values,
                        sqlite3_value   **values)
{
  PvSqliteStore *self = sqlite3_user_data (context);
  const char *number = (const char *) sqlite3_value_text (values[0]);
  const char *start = self->read_number_start;
  const char *digits;

  if (number == NULL || start == NULL || number[0] != '+')
    {
      sqlite3_result_int (context, 0);
      return;
    }

  if (start[0] == '+')
    {
      sqlite3_result_int (context, g_str_has_prefix (number, start));
      return;
    }

  digits = number + 1;
  sqlite3_result_int (context, g_str_has_prefix (digits, start) ||
                               g_str_has_prefix (digits + calling_code_length (self, digits),
                                                 start));
}

static gboolean
load_calling_codes (PvSqliteStore  *self,
                    GError        **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;
  int result;

  if (self->read_calling_codes != NULL)
    return TRUE;

  stmt = _pv_sqlite_store_get_read_statement (self, "SELECT code FROM calling_codes", error);
  if (stmt == NULL)
    return FALSE;

  self->read_calling_codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  while ((result = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_add (self->read_calling_codes,
                      g_strdup ((const char *) sqlite3_column_text (stmt, 0)));

  if (result != SQLITE_DONE)
    {
      _pv_sqlite_store_set_read_error (self, error);
      g_clear_pointer (&self->read_calling_codes, g_hash_table_unref);
      return FALSE;
    }

  return TRUE;
}

/* The tokenizer of customers_words, as migration_to_3 declares it. */
static const char * const word_tokenizer_args[] = { "remove_diacritics", "2" };

static gboolean
ensure_word_tokenizer (PvSqliteStore *self)
{
  sqlite3_stmt *stmt = NULL;
  fts5_api *api = NULL;
  void *user_data = NULL;

  if (self->read_tokenizer != NULL)
    return TRUE;

  /* The documented way to FTS5's API: a pointer passed through a bound value. */
  if (sqlite3_prepare_v2 (self->read_db, "SELECT fts5(?1)", -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  sqlite3_bind_pointer (stmt, 1, (void *) &api, "fts5_api_ptr", NULL);
  sqlite3_step (stmt);
  sqlite3_finalize (stmt);

  if (api == NULL ||
      api->xFindTokenizer (api, "unicode61", &user_data, &self->read_tokenizer_class) != SQLITE_OK ||
      self->read_tokenizer_class.xCreate (user_data, (const char **) word_tokenizer_args,
                                          G_N_ELEMENTS (word_tokenizer_args),
                                          &self->read_tokenizer) != SQLITE_OK)
    {
      self->read_tokenizer = NULL;
      return FALSE;
    }

  return TRUE;
}

static int
add_token (void       *user_data,
           int         flags,
           const char *token,
           int         n_bytes,
           int         start,
           int         end)
{
  if ((flags & FTS5_TOKEN_COLOCATED) == 0)
    g_ptr_array_add (user_data, g_strndup (token, n_bytes));

  return SQLITE_OK;
}

static GPtrArray *
tokenize (PvSqliteStore *self,
          int            flags,
          const char    *text,
          gsize          length)
{
  GPtrArray *tokens = g_ptr_array_new_with_free_func (g_free);

  if (self->read_tokenizer_class.xTokenize (self->read_tokenizer, tokens, flags, text,
                                            (int) length, add_token) != SQLITE_OK)
    g_clear_pointer (&tokens, g_ptr_array_unref);

  return tokens;
}

/* Whether @phrase's tokens come one after the other among @tokens, the last as a prefix:
 * what FTS5 makes of "…"*. */
static gboolean
phrase_found (GPtrArray *phrase,
              GPtrArray *tokens)
{
  for (guint i = 0; i + phrase->len <= tokens->len; i++)
    {
      guint j;

      for (j = 0; j + 1 < phrase->len; j++)
        if (!g_str_equal (g_ptr_array_index (tokens, i + j), g_ptr_array_index (phrase, j)))
          break;

      if (j + 1 == phrase->len &&
          g_str_has_prefix (g_ptr_array_index (tokens, i + j), g_ptr_array_index (phrase, j)))
        return TRUE;
    }

  return FALSE;
}

/* pv_words_match(name): whether every phrase of the words' query is in the name. */
static void
words_match_function (sqlite3_context  *context,
                      int               n_values,
                      sqlite3_value   **values)
{
  PvSqliteStore *self = sqlite3_user_data (context);
  const char *name = (const char *) sqlite3_value_text (values[0]);
  g_autoptr(GPtrArray) tokens = NULL;

  if (name == NULL || self->read_word_phrases == NULL)
    {
      sqlite3_result_int (context, 0);
      return;
    }

  tokens = tokenize (self, FTS5_TOKENIZE_DOCUMENT, name, sqlite3_value_bytes (values[0]));
  if (tokens == NULL)
    {
      sqlite3_result_error_nomem (context);
      return;
    }

  for (guint i = 0; i < self->read_word_phrases->len; i++)
    if (!phrase_found (g_ptr_array_index (self->read_word_phrases, i), tokens))
      {
        sqlite3_result_int (context, 0);
        return;
      }

  sqlite3_result_int (context, 1);
}

/**
 * _pv_sqlite_store_set_words:
 * @self: a #PvSqliteStore
 * @query: (nullable): a words query, quoted phrases each followed by "*"
 *
 * Makes pv_words_match() look for @query's phrases. Call with the read mutex held.
 *
 * Returns: whether pv_words_match() can answer for @query as its index would
 */
gboolean
_pv_sqlite_store_set_words (PvSqliteStore *self,
                            const char    *query)
{
  g_autoptr(GPtrArray) phrases = NULL;
  const char *p = query;

  g_clear_pointer (&self->read_word_phrases, g_ptr_array_unref);
  if (query == NULL || !ensure_word_tokenizer (self))
    return FALSE;

  phrases = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  /* words_query() quotes runs of letters and digits, which hold no quote. */
  while ((p = strchr (p, '"')) != NULL)
    {
      const char *end = strchr (p + 1, '"');
      GPtrArray *phrase;

      if (end == NULL)
        return FALSE;

      phrase = tokenize (self, FTS5_TOKENIZE_QUERY | FTS5_TOKENIZE_PREFIX, p + 1, end - p - 1);
      /* A phrase of no tokens: leave it to the index. */
      if (phrase == NULL || phrase->len == 0)
        {
          g_clear_pointer (&phrase, g_ptr_array_unref);
          return FALSE;
        }
      g_ptr_array_add (phrases, phrase);
      p = end + 1;
    }

  if (phrases->len == 0)
    return FALSE;

  self->read_word_phrases = g_steal_pointer (&phrases);

  return TRUE;
}

/**
 * _pv_sqlite_store_set_number_start:
 * @self: a #PvSqliteStore
 * @start: (nullable): what pv_number_starts() looks for: a "+" and digits, or digits
 * @error: return location for a #GError
 *
 * Call with the read mutex held, before a statement that calls pv_number_starts().
 *
 * Returns: %TRUE on success
 */
gboolean
_pv_sqlite_store_set_number_start (PvSqliteStore  *self,
                                   const char     *start,
                                   GError        **error)
{
  if (start != NULL && !load_calling_codes (self, error))
    return FALSE;

  g_free (self->read_number_start);
  self->read_number_start = g_strdup (start);

  return TRUE;
}

gboolean
_pv_sqlite_store_add_matches_function (PvSqliteStore  *self,
                                       GError        **error)
{
  /* Direct only: a view or trigger in a database file must never call them. */
  if (sqlite3_create_function_v2 (self->read_db, "pv_matches", 1,
                                  SQLITE_UTF8 | SQLITE_DIRECTONLY, self, matches_function,
                                  NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_create_function_v2 (self->read_db, "pv_number_starts", 1,
                                  SQLITE_UTF8 | SQLITE_DIRECTONLY, self, number_starts_function,
                                  NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_create_function_v2 (self->read_db, "pv_words_match", 1,
                                  SQLITE_UTF8 | SQLITE_DIRECTONLY, self, words_match_function,
                                  NULL, NULL, NULL) != SQLITE_OK)
    {
      _pv_sqlite_store_set_read_error (self, error);
      return FALSE;
    }

  return TRUE;
}

/**
 * _pv_sqlite_store_load_matches:
 * @self: a #PvSqliteStore
 * @matches: a bound statement whose rows' first column is a matching customer's id, in order
 * @key: what identifies the search @matches runs, its SQL and bound values
 * @cap: the most ids to read, or 0 for all of them
 * @n_matches: (out): return location for the number of matches read
 * @last_id: (out) (optional): return location for the last id read, when @cap stopped it
 * @error: return location for a #GError
 *
 * Reads the ids from @matches unless they were read for the same search with no write
 * since. Once every match is read, pv_matches() answers for @key. Call with the read mutex
 * held.
 *
 * Returns: %TRUE on success
 */
gboolean
_pv_sqlite_store_load_matches (PvSqliteStore      *self,
                               PvCachedStatement  *matches,
                               const char         *key,
                               guint               cap,
                               guint              *n_matches,
                               gint64             *last_id,
                               GError            **error)
{
  PvMatchSet *set = self->read_matches;
  gint64 data_version;
  int result;

  if (!_pv_sqlite_store_read_data_version (self, &data_version, error))
    return FALSE;

  if (last_id != NULL)
    *last_id = 0;

  if (set != NULL && set->data_version == data_version && g_str_equal (set->key, key) &&
      (set->complete || (cap != 0 && set->n_matches >= cap)))
    {
      *n_matches = set->n_matches;
      if (last_id != NULL && !set->complete)
        *last_id = set->last_id;
      return TRUE;
    }

  g_clear_pointer (&self->read_matches, _pv_match_set_free);

  set = g_new0 (PvMatchSet, 1);
  set->complete = TRUE;
  while ((result = sqlite3_step (matches)) == SQLITE_ROW)
    {
      set->last_id = sqlite3_column_int64 (matches, 0);
      match_set_add (set, set->last_id);
      if (cap != 0 && set->n_matches >= cap)
        {
          set->complete = FALSE;
          result = SQLITE_DONE;
          break;
        }
    }

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
  if (last_id != NULL && !set->complete)
    *last_id = set->last_id;

  return TRUE;
}
