/* pv-sqlite-store-search.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Counting, searching and paging through customers: what the Customers view and the CSV
 * export need, kept fast at a million rows. Words find names with a word starting with each
 * of them, case and accents folded in every script ("Muller" finds "Müller", "ольга"
 * finds "Ольга"), through an FTS5 index of folded words with prefix indexes for the first
 * one and two letters. Digits, as staff type them, find any part of the number from three
 * on, through an FTS5 trigram index; one or two find numbers starting so, with or without
 * their calling code, through prefix indexes; after a "+", they find numbers starting so
 * in E.164. Text with no letters or digits at all is looked for anywhere, with the trigram
 * index or LIKE.
 *
 * A search's matches are read as ids once and tested by its pages (see
 * pv-sqlite-store-matches.c); one that matches more than ESTIMATE_CAP customers, the start
 * of a word or a number, is estimated instead and walked by testing each row. */

#define G_LOG_DOMAIN "pv-store"

#include "config.h"

#include <string.h>

#include "pv-sqlite-store-private.h"

/* Queries of at least this many characters can use the trigram index; shorter ones cannot. */
#define MIN_FTS_QUERY_LENGTH 3

typedef struct
{
  const char *ascending;
  const char *descending;
} SortOrder;

/* The only source of ORDER BY text: user input never reaches it. */
static const SortOrder sort_orders[] = {
  [PV_STORE_SORT_NUMBER] = { "number", "number DESC" },
  [PV_STORE_SORT_NAME] = { "name COLLATE NOCASE, number", "name COLLATE NOCASE DESC, number DESC" },
  [PV_STORE_SORT_STATUS] = { "status, number", "status DESC, number DESC" },
  [PV_STORE_SORT_LAST_ACTIVITY] = { "updated_at, id", "updated_at DESC, id DESC" },
  [PV_STORE_SORT_CREATED] = { "created_at, id", "created_at DESC, id DESC" },
};

typedef enum
{
  FILTER_NONE,
  FILTER_FULL_TEXT,   /* ?1 anywhere in the number or the name, through the trigram index */
  FILTER_WORDS,       /* words of the name starting with those of ?4 */
  FILTER_DIGITS,      /* numbers starting with ?1, digits, with or without their calling
                       * code; ?4 finds them */
  FILTER_NUMBER_START, /* numbers starting with ?1, "+" and digits, in E.164; ?4 finds them */
  FILTER_LIKE,        /* ?1 anywhere in the number or the name */
} FilterKind;

#define TRIGRAM_MATCHES "SELECT rowid FROM customers_search WHERE customers_search MATCH ?1"
#define WORD_MATCHES    "SELECT rowid FROM customers_words WHERE customers_words MATCH ?4"
#define DIGIT_MATCHES   "SELECT rowid FROM customers_digits WHERE customers_digits MATCH ?4"
/* ':' follows '9': a range of the number index, in number order. Its ids come faster from
 * the digits' index, as ?4. */
#define NUMBER_STARTS   " WHERE number >= ?1 AND number < ?1 || ':'"

/* Two ways to a page of search results, for SQLite cannot estimate how many customers a
 * search matches and so cannot choose well on its own.
 */
typedef enum
{
  /* Walk the sort order's index, test each customer, stop once the page is full: cheap when
   * matches are dense, ruinous when they are rare.
   */
  PLAN_WALK,
  /* Collect every match, fetch and sort them: cheap when matches are few. */
  PLAN_SORT,
} Plan;

/* ?1 is the search term in each filter. */
static const char * const list_filters[][2] = {
  [FILTER_NONE] = { "", "" },
  [FILTER_FULL_TEXT] = {
    /* pv_matches() tests the matches loaded for the walk: see pv-sqlite-store-matches.c. */
    [PLAN_WALK] = " WHERE pv_matches(id)",
    [PLAN_SORT] = " WHERE id IN (" TRIGRAM_MATCHES ")",
  },
  [FILTER_WORDS] = {
    [PLAN_WALK] = " WHERE pv_matches(id)",
    [PLAN_SORT] = " WHERE id IN (" WORD_MATCHES ")",
  },
  [FILTER_DIGITS] = {
    /* pv_number_starts() tests the row's number: see pv-sqlite-store-matches.c. */
    [PLAN_WALK] = " WHERE pv_number_starts(number)",
    [PLAN_SORT] = " WHERE id IN (" DIGIT_MATCHES ")",
  },
  [FILTER_NUMBER_START] = {
    [PLAN_WALK] = " WHERE pv_number_starts(number)",
    [PLAN_SORT] = " WHERE id IN (" DIGIT_MATCHES ")",
  },
  [FILTER_LIKE] = {
    [PLAN_WALK] = " WHERE (number LIKE ?1 ESCAPE '\\' OR name LIKE ?1 ESCAPE '\\')",
    /* The inner query tests every name, but on the name index, without reading rows. */
    [PLAN_SORT] =
      " WHERE id IN (SELECT id FROM customers"
      "              WHERE number LIKE ?1 ESCAPE '\\' OR name LIKE ?1 ESCAPE '\\')",
  },
};

/* Past this many matches of a number or words filter, their count is estimated: a walk
 * over them tests each row's number or name, not their ids. About 5 ms of reading ids. */
#define ESTIMATE_CAP 50000

/* Offsets from which a walk over a broad search's matches tests their ids, not its rows. */
#define DEEP_OFFSET 2000

/* What the plans cost, in steps over one index entry; measured at a million customers. */
#define COST_CHECK_MATCH  3     /* is this id among the full-text matches? */
#define COST_READ_ROW     15    /* fetch a row to test it with LIKE or a row test */
#define COST_FETCH_MATCH  5     /* fetch a match to sort it */
#define COST_KEEP_SORTED  30    /* keep a fetched match among the offset + limit best */

/* Filters with an index of their own are counted by reading their matches' ids, which
 * their walks then test; the others by counting. */
static const char * const count_queries[] = {
  [FILTER_NONE] = "SELECT n FROM customer_count",
  [FILTER_FULL_TEXT] = TRIGRAM_MATCHES,
  [FILTER_WORDS] = WORD_MATCHES,
  [FILTER_DIGITS] = DIGIT_MATCHES,
  [FILTER_NUMBER_START] = DIGIT_MATCHES,
  [FILTER_LIKE] =
    "SELECT count(*) FROM customers WHERE (number LIKE ?1 ESCAPE '\\' OR name LIKE ?1 ESCAPE '\\')",
};

/* An FTS5 query for names with a word starting with each word of @text, or NULL if @text
 * has no letters or digits. Each word is a quoted string, its quotes doubled: no operator
 * can get in. */
static char *
words_query (const char *text)
{
  GString *query = g_string_new (NULL);
  gboolean in_word = FALSE;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalnum (c) || g_unichar_ismark (c))
        {
          if (!in_word)
            g_string_append (query, query->len > 0 ? " \"" : "\"");
          g_string_append_unichar (query, c);
          in_word = TRUE;
        }
      else if (in_word)
        {
          g_string_append (query, "\"*");
          in_word = FALSE;
        }
    }
  if (in_word)
    g_string_append (query, "\"*");

  if (query->len == 0)
    {
      g_string_free (query, TRUE);
      return NULL;
    }

  return g_string_free (query, FALSE);
}

/* Turns what staff typed into the bound values for one of list_filters (@term for ?1,
 * @words for ?4), or returns FILTER_NONE. */
static FilterKind
parse_search (const char  *search,
              char       **term,
              char       **words)
{
  g_autofree char *text = NULL;
  GString *quoted;

  *term = NULL;
  *words = NULL;

  switch (_pv_store_classify_search (search, &text))
    {
    case PV_SEARCH_NONE:
      return FILTER_NONE;

    case PV_SEARCH_WORDS:
      *words = words_query (text);
      return FILTER_WORDS;

    case PV_SEARCH_NUMBER_START:
      *words = g_strdup_printf ("full : \"%s\"*", text + 1);
      *term = g_steal_pointer (&text);
      return FILTER_NUMBER_START;

    case PV_SEARCH_DIGITS:
      *words = g_strdup_printf ("\"%s\"*", text);
      *term = g_steal_pointer (&text);
      return FILTER_DIGITS;

    case PV_SEARCH_ANYWHERE:
    default:
      break;
    }

  if (g_utf8_strlen (text, -1) < MIN_FTS_QUERY_LENGTH)
    {
      *term = _pv_store_like_pattern (text);
      return FILTER_LIKE;
    }

  /* One FTS5 string, with its quotes doubled, is a phrase: no operator can get in. */
  quoted = g_string_new ("\"");
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (quoted, '"');
      g_string_append_c (quoted, *p);
    }
  g_string_append_c (quoted, '"');

  *term = g_string_free (quoted, FALSE);
  return FILTER_FULL_TEXT;
}

static void
bind_search (PvCachedStatement *stmt,
             const char        *term,
             const char        *words)
{
  if (term != NULL)
    _pv_sqlite_store_bind_text (stmt, 1, term);
  if (words != NULL)
    _pv_sqlite_store_bind_text (stmt, 4, words);
}

/* Whether the filter's matches are counted from their ids, which a walk tests with
 * pv_matches() unless the filter is on the number. */
static gboolean
loads_matches (FilterKind filter)
{
  return filter != FILTER_NONE && filter != FILTER_LIKE;
}

static gboolean
is_number_filter (FilterKind filter)
{
  return filter == FILTER_DIGITS || filter == FILTER_NUMBER_START;
}

/* Makes the row tests answer for this search. Returns whether a walk over its matches can
 * test each row rather than their ids, so that their count can be estimated, in
 * @can_test_rows if given. Call with the read mutex held. */
static gboolean
prepare_row_tests (PvSqliteStore  *self,
                   FilterKind      filter,
                   const char     *term,
                   const char     *words,
                   gboolean       *can_test_rows,
                   GError        **error)
{
  gboolean words_testable = _pv_sqlite_store_set_words (self, filter == FILTER_WORDS ? words
                                                                                    : NULL);

  if (!_pv_sqlite_store_set_number_start (self, is_number_filter (filter) ? term : NULL, error))
    return FALSE;

  if (can_test_rows != NULL)
    *can_test_rows = is_number_filter (filter) || (filter == FILTER_WORDS && words_testable);

  return TRUE;
}

static gboolean get_max_id (PvSqliteStore  *self,
                            gint64         *max_id,
                            GError        **error);

/* Counts the matches, or with @cap, reads no more than @cap of their ids and estimates the
 * count from the share of ids they took: ids are given out in order, and matches spread
 * over them. @exact says which it was. Also makes pv_matches() answer for this search when
 * every match was read. Call with the read mutex held. */
static gboolean
count_locked (PvSqliteStore  *self,
              FilterKind      filter,
              const char     *term,
              const char     *words,
              guint           cap,
              guint          *n_customers,
              gboolean       *exact,
              GError        **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;
  gint64 count;

  stmt = _pv_sqlite_store_get_read_statement (self, count_queries[filter], error);
  if (stmt == NULL)
    return FALSE;

  bind_search (stmt, term, words);
  if (exact != NULL)
    *exact = TRUE;

  if (loads_matches (filter))
    {
      g_autofree char *key = g_strjoin ("\n", count_queries[filter], term != NULL ? term : "",
                                        words != NULL ? words : "", NULL);
      gint64 last_id, max_id;

      if (!_pv_sqlite_store_load_matches (self, stmt, key, cap, n_customers, &last_id, error))
        return FALSE;
      if (last_id == 0)
        return TRUE;

      if (!get_max_id (self, &max_id, error))
        return FALSE;
      *n_customers = (guint) MIN ((double) *n_customers * max_id / last_id, (double) max_id);
      if (exact != NULL)
        *exact = FALSE;

      return TRUE;
    }

  if (!_pv_sqlite_store_read_int64 (self, stmt, &count, error))
    return FALSE;
  *n_customers = (guint) count;

  return TRUE;
}

/* An upper bound on the number of customers that costs one index probe, unlike count(*). */
static gboolean
get_max_id (PvSqliteStore  *self,
            gint64   *max_id,
            GError  **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;

  stmt = _pv_sqlite_store_get_read_statement (self, "SELECT coalesce (max (id), 0) FROM customers", error);

  return stmt != NULL && _pv_sqlite_store_read_int64 (self, stmt, max_id, error);
}

/* Counts the matches first to choose the cheaper plan. Returns the WHERE clause, "" when the
 * page is empty, or NULL with @error set.
 */
static const char *
choose_search_filter (PvSqliteStore      *self,
                      FilterKind    filter,
                      const char   *term,
                      const char   *words,
                      gboolean      can_test_rows,
                      PvStoreSort   sort,
                      gboolean      name_ranged,
                      guint         offset,
                      guint         limit,
                      GError      **error)
{
  /* Deep into a search's matches, a walk that tests rows would read hundreds of thousands:
   * their ids are worth reading then. */
  gboolean test_rows = can_test_rows && offset < DEEP_OFFSET;
  guint n_matches;
  gint64 max_id;
  double entries_walked, walk_cost, sort_cost;
  Plan plan;

  /* The name index holds both columns LIKE tests: walking it never reads a row. */
  if (filter == FILTER_LIKE && sort == PV_STORE_SORT_NAME)
    return list_filters[filter][PLAN_WALK];

  /* Numbers that start alike sit together in number order, far from where a walk starts
   * (the matches for "42", (42x) 555-…, come after every (2xx) to (41x) number): the cost
   * below, which takes matches to be spread evenly, would choose that walk. */
  if (filter == FILTER_DIGITS && sort == PV_STORE_SORT_NUMBER)
    return list_filters[filter][PLAN_SORT];

  if (filter == FILTER_NUMBER_START && sort == PV_STORE_SORT_NUMBER)
    return NUMBER_STARTS;

  /* A walk tests a number filter's rows, any other filter's loaded ids. */
  if (!count_locked (self, filter, term, words, test_rows ? ESTIMATE_CAP : 0, &n_matches, NULL,
                     error) ||
      !get_max_id (self, &max_id, error))
    return NULL;

  if (offset >= n_matches)
    return "";

  /* The walk steps over about max_id / n_matches entries for each customer it keeps. */
  entries_walked = ((double) offset + limit) * max_id / n_matches;
  sort_cost = (double) n_matches * COST_FETCH_MATCH + ((double) offset + limit) * COST_KEEP_SORTED;

  if (filter == FILTER_LIKE)
    {
      walk_cost = entries_walked * COST_READ_ROW;
      sort_cost += max_id;
    }
  else if (test_rows)
    {
      walk_cost = entries_walked * COST_READ_ROW;
    }
  else
    {
      walk_cost = entries_walked * COST_CHECK_MATCH;
    }

  plan = walk_cost <= sort_cost ? PLAN_WALK : PLAN_SORT;
  g_debug ("Search matches %u customers: %s", n_matches,
           plan == PLAN_WALK ? "walking the sort order" : "sorting the matches");

  /* Customers without a name, a twentieth of them, come first in name order: the range
   * skips them in the name index instead of testing each. Not beside a page's own range
   * on the name, though: given two lower bounds, SQLite seeks with this one, and the page
   * after the middle of a million then tested half a million names. */
  if (plan == PLAN_WALK && filter == FILTER_WORDS && test_rows)
    return name_ranged ? " WHERE pv_words_match(name)"
                       : " WHERE name COLLATE NOCASE >= '' AND pv_words_match(name)";
  if (plan == PLAN_WALK && is_number_filter (filter) && !test_rows)
    return " WHERE pv_matches(id)";

  return list_filters[filter][plan];
}

/* Keyset conditions, one per order and direction: ?5 is the previous row's sort value, ?6
 * its number, ?7 its id. Each is a range the order's index can seek to. */
static const SortOrder following[] = {
  [PV_STORE_SORT_NUMBER] = { "number > ?6", "number < ?6" },
  /* The plain range on the name first: SQLite seeks with it, not with the row value. */
  [PV_STORE_SORT_NAME] = {
    "name COLLATE NOCASE >= ?5 AND (name COLLATE NOCASE, number) > (?5, ?6)",
    "name COLLATE NOCASE <= ?5 AND (name COLLATE NOCASE, number) < (?5, ?6)",
  },
  [PV_STORE_SORT_STATUS] = { "(status, number) > (?5, ?6)", "(status, number) < (?5, ?6)" },
  [PV_STORE_SORT_LAST_ACTIVITY] = { "(updated_at, id) > (?5, ?7)", "(updated_at, id) < (?5, ?7)" },
  [PV_STORE_SORT_CREATED] = { "(created_at, id) > (?5, ?7)", "(created_at, id) < (?5, ?7)" },
};

/* Names may be NULL, which sort first, and a row value with a NULL in it compares as
 * unknown: after a customer without a name come the others without one; and the customers
 * on the other side of the NULLs come from a second range (an OR of both would make SQLite
 * walk the index from its start). */
static const SortOrder following_nameless = {
  "name IS NULL AND number > ?6",
  "name IS NULL AND number < ?6",
};
static const SortOrder past_the_nameless = {
  "name IS NOT NULL",     /* ascending, after the last customer without a name */
  "name IS NULL",         /* descending, after the last customer with one */
};

static const char *
following_condition (PvStoreSort       sort,
                     gboolean          descending,
                     const PvCustomer *after)
{
  const SortOrder *order = sort == PV_STORE_SORT_NAME && after->name == NULL
                           ? &following_nameless : &following[sort];

  return descending ? order->descending : order->ascending;
}

/* Whether a keyset condition is a range of the name index. */
static gboolean
is_name_range (const char *condition)
{
  return condition == following[PV_STORE_SORT_NAME].ascending ||
         condition == following[PV_STORE_SORT_NAME].descending;
}

/* In name order, the second range to read when the first ran out, or NULL. */
static const char *
second_condition (PvStoreSort       sort,
                  gboolean          descending,
                  const PvCustomer *after)
{
  if (sort != PV_STORE_SORT_NAME || (after->name == NULL) == descending)
    return NULL;

  return descending ? past_the_nameless.descending : past_the_nameless.ascending;
}

static void
bind_following (sqlite3_stmt     *stmt,
                PvStoreSort       sort,
                const PvCustomer *after)
{
  switch (sort)
    {
    case PV_STORE_SORT_NAME:
      _pv_sqlite_store_bind_text (stmt, 5, after->name);
      break;
    case PV_STORE_SORT_STATUS:
      _pv_sqlite_store_bind_text (stmt, 5, pv_customer_status_to_string (after->status));
      break;
    case PV_STORE_SORT_LAST_ACTIVITY:
      sqlite3_bind_int64 (stmt, 5, after->updated_at);
      break;
    case PV_STORE_SORT_CREATED:
      sqlite3_bind_int64 (stmt, 5, after->created_at);
      break;
    case PV_STORE_SORT_NUMBER:
    default:
      break;
    }
  _pv_sqlite_store_bind_text (stmt, 6, after->number);
  sqlite3_bind_int64 (stmt, 7, after->id);
}

/* Steps @stmt to its end, adding a customer for each row. */
static gboolean
read_customers (PvSqliteStore  *self,
                sqlite3_stmt   *stmt,
                GPtrArray      *customers,
                GError        **error)
{
  int result;

  while ((result = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PvCustomer *customer = _pv_sqlite_store_customer_from_row (stmt, error);

      if (customer == NULL)
        return FALSE;

      g_ptr_array_add (customers, customer);
    }

  if (result != SQLITE_DONE)
    {
      _pv_sqlite_store_set_read_error (self, error);
      return FALSE;
    }

  return TRUE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Where the numbers a digits filter finds lie in number order: after the calling code, or
 * after the "+", the digits; each is where a range of the number index starts, up to the
 * same with ':' after. Calling codes are prefix-free, so sorted by them the ranges come in
 * number order, and only the "+" one can hold others. Needs the calling codes loaded. */
static GPtrArray *
number_start_ranges (PvSqliteStore *self,
                     const char    *digits)
{
  GPtrArray *starts = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *disjoint = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer code;

  g_ptr_array_add (starts, g_strconcat ("+", digits, NULL));
  g_hash_table_iter_init (&iter, self->read_calling_codes);
  while (g_hash_table_iter_next (&iter, &code, NULL))
    g_ptr_array_add (starts, g_strconcat ("+", (const char *) code, digits, NULL));
  g_ptr_array_sort (starts, compare_strings);

  /* Sorted, the ranges inside another come right after it. */
  for (guint i = 0; i < starts->len; i++)
    {
      const char *start = g_ptr_array_index (starts, i);

      if (disjoint->len == 0 ||
          !g_str_has_prefix (start, g_ptr_array_index (disjoint, disjoint->len - 1)))
        g_ptr_array_add (disjoint, g_strdup (start));
    }

  g_ptr_array_unref (starts);

  return disjoint;
}

/* A page of a digits filter in number order, range by range: the matches for "42", the
 * (42x) numbers, come after every (2xx) to (41x) one, which a walk of the number index
 * would pass, and sorting them all costs half a second when there are a million. Call with
 * the read mutex held and the calling codes loaded. */
static gboolean
list_number_starts (PvSqliteStore  *self,
                    const char     *digits,
                    gboolean        descending,
                    const char     *after,
                    guint           limit,
                    GPtrArray      *customers,
                    GError        **error)
{
  g_autoptr(GPtrArray) ranges = number_start_ranges (self, digits);
  const char *sql = descending
    ? "SELECT " PV_CUSTOMER_COLUMNS " FROM customers"
      " WHERE number >= ?1 AND number < ?2 AND number < ?3 ORDER BY number DESC LIMIT ?4"
    : "SELECT " PV_CUSTOMER_COLUMNS " FROM customers"
      " WHERE number >= ?1 AND number < ?2 AND number > ?3 ORDER BY number LIMIT ?4";

  for (guint i = 0; i < ranges->len && customers->len < limit; i++)
    {
      const char *start = g_ptr_array_index (ranges, descending ? ranges->len - 1 - i : i);
      g_autofree char *end = g_strconcat (start, ":", NULL);
      g_autoptr(PvCachedStatement) stmt = NULL;

      /* Wholly on the far side of @after. */
      if (after != NULL && (descending ? strcmp (start, after) >= 0 : strcmp (end, after) <= 0))
        continue;

      stmt = _pv_sqlite_store_get_read_statement (self, sql, error);
      if (stmt == NULL)
        return FALSE;

      _pv_sqlite_store_bind_text (stmt, 1, start);
      _pv_sqlite_store_bind_text (stmt, 2, end);
      /* '~' sorts after every number. */
      _pv_sqlite_store_bind_text (stmt, 3, after != NULL ? after : descending ? "~" : "");
      sqlite3_bind_int64 (stmt, 4, limit - customers->len);

      if (!read_customers (self, stmt, customers, error))
        return FALSE;
    }

  return TRUE;
}

/* The ids of a digits filter's matches in number order, range by range, as
 * list_number_starts() reads them. */
static gboolean
walk_number_starts (PvSqliteStore  *self,
                    const char     *digits,
                    gboolean        descending,
                    guint           every,
                    GArray         *ids,
                    GError        **error)
{
  g_autoptr(GPtrArray) ranges = number_start_ranges (self, digits);
  const char *sql = descending
    ? "SELECT id FROM customers WHERE number >= ?1 AND number < ?2 ORDER BY number DESC"
    : "SELECT id FROM customers WHERE number >= ?1 AND number < ?2 ORDER BY number";
  guint64 position = 0;

  for (guint i = 0; i < ranges->len; i++)
    {
      const char *start = g_ptr_array_index (ranges, descending ? ranges->len - 1 - i : i);
      g_autofree char *end = g_strconcat (start, ":", NULL);
      g_autoptr(PvCachedStatement) stmt = NULL;

      stmt = _pv_sqlite_store_get_read_statement (self, sql, error);
      if (stmt == NULL)
        return FALSE;
      _pv_sqlite_store_bind_text (stmt, 1, start);
      _pv_sqlite_store_bind_text (stmt, 2, end);
      if (!_pv_sqlite_store_read_every_id (self, stmt, every, &position, ids, error))
        return FALSE;
    }

  return TRUE;
}

/**
 * _pv_sqlite_store_walk_order:
 * @self: a #PvSqliteStore
 * @search: (nullable): the search, as for _pv_sqlite_store_list_customers()
 * @sort: the sort order
 * @descending: whether to reverse it
 * @every: how many customers apart the ids are
 * @ids: (element-type gint64): where the ids go
 *
 * Appends the id of the @every-th customer @search finds in that order, of the 2 × @every-th,
 * and so on: where a jump deep into the order starts its keyset paging. Only ids are read,
 * from the order's index where it holds them. Call with the read mutex held.
 *
 * Returns: %TRUE on success
 */
gboolean
_pv_sqlite_store_walk_order (PvSqliteStore  *self,
                             const char     *search,
                             PvStoreSort     sort,
                             gboolean        descending,
                             guint           every,
                             GArray         *ids,
                             GError        **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;
  g_autofree char *term = NULL;
  g_autofree char *words = NULL;
  g_autofree char *sql = NULL;
  const char *where = "";
  FilterKind filter;
  gboolean can_test_rows;
  guint64 position = 0;

  g_return_val_if_fail ((guint) sort < G_N_ELEMENTS (sort_orders), FALSE);

  filter = parse_search (search, &term, &words);
  if (!prepare_row_tests (self, filter, term, words, &can_test_rows, error))
    return FALSE;

  if (filter == FILTER_DIGITS && sort == PV_STORE_SORT_NUMBER)
    return walk_number_starts (self, term, descending, every, ids, error);

  if (filter != FILTER_NONE)
    {
      /* Planned as a page that runs to the end of the order. */
      where = choose_search_filter (self, filter, term, words, can_test_rows, sort, FALSE, 0,
                                    G_MAXUINT / 4, error);
      if (where == NULL)
        return FALSE;
      if (*where == '\0')
        return TRUE;
    }

  sql = g_strconcat ("SELECT id FROM customers", where, " ORDER BY ",
                     descending ? sort_orders[sort].descending : sort_orders[sort].ascending,
                     NULL);
  stmt = _pv_sqlite_store_get_read_statement (self, sql, error);
  if (stmt == NULL)
    return FALSE;
  bind_search (stmt, term, words);

  return _pv_sqlite_store_read_every_id (self, stmt, every, &position, ids, error);
}

/* One page in the order of @sort: @offset customers in, or, when @after is set, those that
 * meet @condition (a range after that customer). */
static GPtrArray *
list_page (PvSqliteStore     *self,
           const char        *search,
           PvStoreSort        sort,
           gboolean           descending,
           guint              offset,
           const PvCustomer  *after,
           const char        *condition,
           guint              limit,
           GError           **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(PvCachedStatement) stmt = NULL;
  g_autoptr(GPtrArray) customers = NULL;
  g_autofree char *term = NULL;
  g_autofree char *words = NULL;
  g_autofree char *sql = NULL;
  const char *where;
  FilterKind filter;
  gboolean can_test_rows;

  g_return_val_if_fail ((guint) sort < G_N_ELEMENTS (sort_orders), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  customers = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_customer_free);

  if (limit == 0)
    return g_steal_pointer (&customers);

  filter = parse_search (search, &term, &words);

  locker = g_mutex_locker_new (&self->read_mutex);

  if (!prepare_row_tests (self, filter, term, words, &can_test_rows, error))
    return NULL;

  if (filter == FILTER_DIGITS && sort == PV_STORE_SORT_NUMBER && (after != NULL || offset == 0))
    {
      if (!list_number_starts (self, term, descending, after != NULL ? after->number : NULL,
                               limit, customers, error))
        return NULL;
      return g_steal_pointer (&customers);
    }

  if (filter == FILTER_NONE)
    {
      where = "";
    }
  else
    {
      /* The page after a row costs about what a first page does. */
      where = choose_search_filter (self, filter, term, words, can_test_rows, sort,
                                    after != NULL && is_name_range (condition),
                                    after != NULL ? 0 : offset, limit, error);
      if (where == NULL)
        return NULL;
      if (*where == '\0')
        return g_steal_pointer (&customers);
    }

  sql = g_strconcat ("SELECT " PV_CUSTOMER_COLUMNS " FROM customers",
                     where,
                     after == NULL ? "" : (*where == '\0' ? " WHERE " : " AND "),
                     after == NULL ? "" : condition,
                     " ORDER BY ",
                     descending ? sort_orders[sort].descending : sort_orders[sort].ascending,
                     after == NULL ? " LIMIT ?2 OFFSET ?3" : " LIMIT ?2",
                     NULL);

  stmt = _pv_sqlite_store_get_read_statement (self, sql, error);
  if (stmt == NULL)
    return NULL;

  bind_search (stmt, term, words);
  sqlite3_bind_int64 (stmt, 2, limit);
  if (after != NULL)
    bind_following (stmt, sort, after);
  else
    sqlite3_bind_int64 (stmt, 3, offset);

  if (!read_customers (self, stmt, customers, error))
    return NULL;

  g_debug ("Listed %u customers", customers->len);

  return g_steal_pointer (&customers);
}

/**
 * _pv_sqlite_store_list_customers:
 * @self: a #PvSqliteStore
 * @search: (nullable): text to find in numbers and names, or %NULL for every customer
 * @sort: the sort order
 * @descending: whether to reverse it
 * @offset: how many matching customers to skip
 * @limit: the most customers to return
 * @error: return location for a #GError
 *
 * Returns one page of customers; see the top of this file for what @search finds.
 *
 * Returns: (transfer full) (element-type PvCustomer): the page, or %NULL with @error set
 */
GPtrArray *
_pv_sqlite_store_list_customers (PvSqliteStore      *self,
                                 const char         *search,
                                 PvStoreSort         sort,
                                 gboolean            descending,
                                 guint               offset,
                                 guint               limit,
                                 GError            **error)
{
  g_autoptr(PvCustomer) anchor = NULL;
  g_autoptr(GPtrArray) page = NULL;
  guint skip;

  if (offset == 0)
    return list_page (self, search, sort, descending, 0, NULL, NULL, limit, error);

  /* An offset would step over every customer before the page, tens of milliseconds in the
   * middle of a million: the page is read on from the nearest anchor before it instead. */
  if (!_pv_sqlite_store_find_anchor (self, search, sort, descending, offset, &anchor, &skip,
                                     error))
    return NULL;

  if (anchor != NULL)
    page = _pv_sqlite_store_list_customers_following (self, search, sort, descending, anchor,
                                                      skip + limit, error);
  else if (skip == offset)
    page = list_page (self, search, sort, descending, 0, NULL, NULL, skip + limit, error);
  else
    return list_page (self, search, sort, descending, offset, NULL, NULL, limit, error);

  if (page != NULL)
    g_ptr_array_remove_range (page, 0, MIN (skip, page->len));

  return g_steal_pointer (&page);
}

GPtrArray *
_pv_sqlite_store_list_customers_following (PvSqliteStore     *self,
                                           const char        *search,
                                           PvStoreSort        sort,
                                           gboolean           descending,
                                           const PvCustomer  *after,
                                           guint              limit,
                                           GError           **error)
{
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GPtrArray) rest = NULL;
  const char *second = second_condition (sort, descending, after);

  page = list_page (self, search, sort, descending, 0, after,
                    following_condition (sort, descending, after), limit, error);
  if (page == NULL || second == NULL || page->len >= limit)
    return g_steal_pointer (&page);

  rest = list_page (self, search, sort, descending, 0, after, second, limit - page->len, error);
  if (rest == NULL)
    return NULL;
  g_ptr_array_extend_and_steal (page, g_steal_pointer (&rest));

  return g_steal_pointer (&page);
}

/**
 * pv_store_list_customers_after:
 * @self: a #PvSqliteStore
 * @search: (nullable): the same search as for pv_store_list_customers()
 * @after: (nullable): the last number of the previous page, or %NULL to start
 * @limit: the most customers to return
 * @error: return location for a #GError
 *
 * Returns the next page of customers in number order, for reading them all. Unlike an
 * offset, the last number seen marks the place: customers added or deleted meanwhile
 * cannot shift the pages, so none is read twice or skipped, and no page costs more than
 * the first.
 *
 * Returns: (transfer full) (element-type PvCustomer): the page (empty at the end), or %NULL
 *   with @error set
 */
GPtrArray *
_pv_sqlite_store_list_customers_after (PvSqliteStore     *self,
                               const char  *search,
                               const char  *after,
                               guint        limit,
                               GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(PvCachedStatement) stmt = NULL;
  g_autoptr(GPtrArray) customers = NULL;
  g_autofree char *term = NULL;
  g_autofree char *words = NULL;
  g_autofree char *sql = NULL;
  const char *where;
  FilterKind filter;
  guint n_matches;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  customers = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_customer_free);
  if (limit == 0)
    return g_steal_pointer (&customers);

  filter = parse_search (search, &term, &words);
  /* Walking the number index is the plan here: the reader wants every match in order. */
  where = list_filters[filter][PLAN_WALK];
  sql = g_strconcat ("SELECT " PV_CUSTOMER_COLUMNS " FROM customers",
                     where,
                     *where == '\0' ? " WHERE" : " AND",
                     " number > ?2 ORDER BY number LIMIT ?3",
                     NULL);

  locker = g_mutex_locker_new (&self->read_mutex);

  /* The export reads every match: its walk tests loaded ids, or a number filter's rows. */
  if (!prepare_row_tests (self, filter, term, words, NULL, error))
    return NULL;

  if (filter == FILTER_DIGITS)
    {
      if (!list_number_starts (self, term, FALSE, after, limit, customers, error))
        return NULL;
      return g_steal_pointer (&customers);
    }

  if (loads_matches (filter) && !is_number_filter (filter) &&
      !count_locked (self, filter, term, words, 0, &n_matches, NULL, error))
    return NULL;

  stmt = _pv_sqlite_store_get_read_statement (self, sql, error);
  if (stmt == NULL)
    return NULL;

  bind_search (stmt, term, words);
  _pv_sqlite_store_bind_text (stmt, 2, after != NULL ? after : "");
  sqlite3_bind_int64 (stmt, 3, limit);

  if (!read_customers (self, stmt, customers, error))
    return NULL;

  return g_steal_pointer (&customers);
}

/* Counts the customers @search finds, or estimates a number filter's count when @estimate
 * allows. */
static gboolean
count_search (PvSqliteStore  *self,
              const char     *search,
              gboolean        estimate,
              guint          *n_customers,
              gboolean       *exact,
              GError        **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *term = NULL;
  g_autofree char *words = NULL;
  FilterKind filter;
  gboolean can_test_rows;

  g_return_val_if_fail (n_customers != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  filter = parse_search (search, &term, &words);

  locker = g_mutex_locker_new (&self->read_mutex);

  if (!prepare_row_tests (self, filter, term, words, &can_test_rows, error))
    return FALSE;

  return count_locked (self, filter, term, words, estimate && can_test_rows ? ESTIMATE_CAP : 0,
                       n_customers, exact, error);
}

/**
 * pv_store_count_customers:
 * @self: a #PvSqliteStore
 * @search: (nullable): the same search as for pv_store_list_customers()
 * @n_customers: (out): return location for the number of matching customers
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
_pv_sqlite_store_count_customers (PvSqliteStore      *self,
                                  const char         *search,
                                  guint              *n_customers,
                                  GError            **error)
{
  return count_search (self, search, FALSE, n_customers, NULL, error);
}

/* The store's side of pv_store_estimate_customers(): a number or words search that matches
 * more than ESTIMATE_CAP customers is estimated from its first ESTIMATE_CAP ids. */
gboolean
_pv_sqlite_store_estimate_customers (PvSqliteStore  *self,
                                     const char     *search,
                                     guint          *n_customers,
                                     gboolean       *exact,
                                     GError        **error)
{
  g_return_val_if_fail (exact != NULL, FALSE);

  return count_search (self, search, TRUE, n_customers, exact, error);
}
