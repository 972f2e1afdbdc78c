/* pv-pg-store-search.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Counting, searching and paging through customers on PostgreSQL: the same customers, in the
 * same order, as the SQLite store finds (see the top of pv-sqlite-store-search.c), kept fast
 * at a million rows.
 *
 * PostgreSQL visits a table row to learn whether an index entry is visible, some
 * microseconds each: counting the 56,000 matches of "xu" through a GIN index took 90 ms. The
 * broad searches, a word and the starts of numbers, are therefore counted in btree indexes,
 * which answer without the table. customer_words holds each distinct word of each name,
 * kept by triggers from name_words, with the customer's name key and number; a customer with
 * several words starting alike is counted once, on the first of them in byte order: the one
 * whose "previous" word (the one before it in that order, or "") comes before what was
 * typed. Numbers are ranges of the number index, and of the national index on the
 * digits after the calling code. Several words are looked for together in a GIN trigram
 * index of name_words, whose matches are few.
 *
 * Past ESTIMATE_CAP matches a count is estimated from a sample: partial indexes over the
 * customers whose id hashes to a multiple of SAMPLE_RATE, a subset nothing else correlates
 * with, counted without the planner's statistics, which are missing after an import.
 *
 * The sample also chooses how to read a page: walk the sort order's index and test each row
 * when matches are dense; fetch the matches by id and sort them when rare; for a word in
 * name or number order, take the first matches from customer_words alone. The SQL leaves the
 * planner no other choice: the test on a row has no index to use (strpos (name_words, …),
 * left (number, n) = …), the fetch goes through an array of ids; deep into a walk, where the
 * planner would rather sort what it takes for a few matches, it is told not to sort. Digits
 * anywhere in a number and text of symbols have indexes of their own and are left to the
 * planner. Jumps deep into every customer read the customer before the page from the order's
 * index alone; unlike the SQLite store's anchors, nothing is kept between calls. */

#define G_LOG_DOMAIN "pv-store"

#include "config.h"

#include <string.h>

#include "pv-phone-number.h"
#include "pv-pg-store-private.h"

/* Up to this many matches, a count is exact; what the tests of every store expect. */
#define ESTIMATE_CAP 50000

/* One customer in SAMPLE_RATE is in the sample, by a hash of its id. */
#define SAMPLE_RATE 32
#define IN_SAMPLE(id) "(hashint8extended (" id ", 0) & 31) = 0"

/* A sample of n matches is off by about 1 / √n: this many give the count within 2 %. */
#define MIN_SAMPLED_MATCHES 2500

/* Choosing a page's plan reads at most this many sampled matches, about half a millisecond. */
#define PLAN_SAMPLE_CAP 2048

/* Several words: up to this many matches are read by id, to be sorted; more are walked to. */
#define MAX_READ_MATCHES 8192

/* What the plans cost, in microseconds a match or row, measured at a million customers. A
 * walk visits a row to test it: in the order rows were added, the next is mostly on the same
 * page; in the other orders, on another. A sort fetches a match through the primary key; a
 * top reads its entry in customer_words and keeps it among the best. */
#define COST_WALK_NEAR_ROW  1.5
#define COST_WALK_FAR_ROW   6.0
#define COST_FETCH_MATCH    6.0
#define COST_TOP_MATCH      0.4

/* Names that digits or punctuation can be found in. [[:digit:]] and [[:punct:]] hold the
 * ASCII ones in every locale, which is all a search for them needs. */
#define ODD_NAME "name ~ '[[:digit:][:punct:]]'"

const char _pv_pg_store_search_schema[] =
  "CREATE EXTENSION IF NOT EXISTS pg_trgm;"
  /* Byte order, whatever the database's locale: the order of the SQLite store, and the one
   * in which a prefix is a range of an index. The name is ordered by its key, ASCII letters
   * folded, as SQLite's NOCASE folds them. */
  "ALTER TABLE customers"
  "  ALTER COLUMN number TYPE text COLLATE \"C\","
  "  ALTER COLUMN status TYPE text COLLATE \"C\","
  "  ALTER COLUMN name_words TYPE text COLLATE \"C\","
  "  ALTER COLUMN national TYPE text COLLATE \"C\","
  "  ADD COLUMN name_key text COLLATE \"C\""
  "    GENERATED ALWAYS AS (lower (name COLLATE \"C\")) STORED;"
  /* Each sort order with its tie-break, so that a page is one range, from its start or from
   * the customer before it. Customers without a name come first, as in SQLite. */
  "CREATE INDEX customers_by_name ON customers (name_key NULLS FIRST, number);"
  "CREATE INDEX customers_by_status ON customers (status, number);"
  "CREATE INDEX customers_by_activity ON customers (updated_at, id);"
  "CREATE INDEX customers_by_creation ON customers (created_at, id);"
  /* One or two digits: the start of the number after its calling code. The number, in the
   * key, tells apart those the start of the whole number finds too. */
  "CREATE INDEX customers_national ON customers (national, number);"
  /* Three or more: anywhere in the number, or in the few names with digits in them. */
  "CREATE INDEX customers_number_trigrams ON customers USING gin (number gin_trgm_ops);"
  "CREATE INDEX customers_odd_names ON customers (id) WHERE " ODD_NAME ";"
  /* Several words at once. */
  "CREATE INDEX customers_word_trigrams ON customers USING gin (name_words gin_trgm_ops);"
  /* The sample; the name order's places a walk in that order (see name_walk_is_cheaper()). */
  "CREATE INDEX customers_number_sample ON customers (number) WHERE " IN_SAMPLE ("id") ";"
  "CREATE INDEX customers_national_sample ON customers (national, number)"
  "  WHERE " IN_SAMPLE ("id") ";"
  "CREATE INDEX customers_name_sample ON customers (name_key, number) WHERE " IN_SAMPLE ("id") ";"
  /* The customer's name key and number, so that the first matches in those orders are found
   * in the index alone. */
  "CREATE TABLE customer_words ("
  "  word text COLLATE \"C\" NOT NULL,"
  "  customer_id bigint NOT NULL,"
  "  previous text COLLATE \"C\" NOT NULL,"
  "  name_key text COLLATE \"C\","
  "  number text COLLATE \"C\" NOT NULL,"
  "  PRIMARY KEY (word, customer_id) INCLUDE (previous, name_key, number)"
  ");"
  "CREATE INDEX customer_words_sample ON customer_words (word, customer_id)"
  "  INCLUDE (previous, name_key, number) WHERE " IN_SAMPLE ("customer_id") ";"
  /* The distinct words of a name_words value, each with the one before it in byte order. */
  "CREATE FUNCTION pv_customer_word_list (words text) RETURNS TABLE (word text, previous text)"
  "  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$"
  "    SELECT w, coalesce (lag (w) OVER (ORDER BY w COLLATE \"C\"), '')"
  "      FROM (SELECT DISTINCT w FROM unnest (string_to_array (words COLLATE \"C\", ' ')) AS w"
  "             WHERE w <> '') AS d"
  "  $$;"
  /* Once for all the customers a statement adds: an import adds thousands at a time. */
  "CREATE FUNCTION pv_add_customer_words () RETURNS trigger"
  "  LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
  "  BEGIN"
  "    INSERT INTO customer_words (word, customer_id, previous, name_key, number)"
  "      SELECT w.word, a.id, w.previous, a.name_key, a.number"
  "        FROM added AS a, pv_customer_word_list (a.name_words) AS w;"
  "    RETURN NULL;"
  "  END"
  "  $$;"
  /* Row by row for the rest, which a condition on the trigger skips for most updates. */
  "CREATE FUNCTION pv_change_customer_words () RETURNS trigger"
  "  LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
  "  BEGIN"
  "    DELETE FROM customer_words"
  "      WHERE word = ANY (string_to_array (OLD.name_words, ' ')) AND customer_id = OLD.id;"
  "    IF TG_OP = 'UPDATE' THEN"
  "      INSERT INTO customer_words (word, customer_id, previous, name_key, number)"
  "        SELECT w.word, NEW.id, w.previous, NEW.name_key, NEW.number"
  "          FROM pv_customer_word_list (NEW.name_words) AS w;"
  "    END IF;"
  "    RETURN NULL;"
  "  END"
  "  $$;"
  "CREATE FUNCTION pv_clear_customer_words () RETURNS trigger"
  "  LANGUAGE plpgsql SET search_path FROM CURRENT AS $$"
  "  BEGIN"
  "    TRUNCATE customer_words;"
  "    RETURN NULL;"
  "  END"
  "  $$;"
  "CREATE TRIGGER customers_words_added AFTER INSERT ON customers"
  "  REFERENCING NEW TABLE AS added FOR EACH STATEMENT"
  "  EXECUTE FUNCTION pv_add_customer_words ();"
  "CREATE TRIGGER customers_words_changed AFTER UPDATE OF name_words, name, number, id"
  "  ON customers FOR EACH ROW"
  "  WHEN (OLD.name_words IS DISTINCT FROM NEW.name_words OR OLD.name IS DISTINCT FROM NEW.name"
  "        OR OLD.number <> NEW.number OR OLD.id <> NEW.id)"
  "  EXECUTE FUNCTION pv_change_customer_words ();"
  "CREATE TRIGGER customers_words_deleted AFTER DELETE ON customers FOR EACH ROW"
  "  WHEN (OLD.name_words IS NOT NULL) EXECUTE FUNCTION pv_change_customer_words ();"
  "CREATE TRIGGER customers_words_truncated AFTER TRUNCATE ON customers"
  "  FOR EACH STATEMENT EXECUTE FUNCTION pv_clear_customer_words ();"
  "INSERT INTO customer_words (word, customer_id, previous, name_key, number)"
  "  SELECT w.word, c.id, w.previous, c.name_key, c.number"
  "    FROM customers AS c, pv_customer_word_list (c.name_words) AS w;";

/* Calling codes */

static gpointer
load_calling_codes (gpointer data)
{
  g_auto(GStrv) regions = pv_phone_number_dup_regions ();
  GHashTable *codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; regions[i] != NULL; i++)
    g_hash_table_add (codes, g_strdup_printf ("%u",
                                              pv_phone_number_country_code_for_region (regions[i])));

  return codes;
}

/* The length of the calling code @digits start with, or 0. Calling codes are prefix-free, so
 * at most one fits; the table is read-only once loaded. */
static gsize
calling_code_length (const char *digits)
{
  static GOnce once = G_ONCE_INIT;
  GHashTable *codes = g_once (&once, load_calling_codes, NULL);
  char code[4] = { 0 };

  for (gsize length = 1; length < sizeof code && g_ascii_isdigit (digits[length - 1]); length++)
    {
      code[length - 1] = digits[length - 1];
      if (g_hash_table_contains (codes, code))
        return length;
    }

  return 0;
}

/**
 * _pv_pg_store_national_digits:
 * @e164: (nullable): a number as stored, "+14155552671"
 *
 * What to store in the national column: the digits after the calling code, for the searches
 * of one or two digits, which find numbers starting so with or without it.
 *
 * Returns: (transfer full) (nullable): "4155552671", or %NULL when @e164 starts with no
 *   calling code
 */
char *
_pv_pg_store_national_digits (const char *e164)
{
  gsize length;

  if (e164 == NULL || e164[0] != '+')
    return NULL;

  length = calling_code_length (e164 + 1);
  if (length == 0)
    return NULL;

  return g_strdup (e164 + 1 + length);
}

/* Folding */

/* Splits @text into words as FTS5's unicode61 tokenizer with remove_diacritics does, which is
 * what the SQLite store's index holds: at anything but letters and digits, accents dropped,
 * case folded. */
static GPtrArray *
fold_words (const char *text)
{
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_autofree char *decomposed = g_utf8_normalize (valid, -1, G_NORMALIZE_NFD);
  g_autoptr(GString) word = g_string_new (NULL);
  const char *p = decomposed;

  for (;;)
    {
      gunichar c = g_utf8_get_char (p);

      if (c != 0 && g_unichar_isalnum (c))
        g_string_append_unichar (word, c);
      else if (c == 0 || !g_unichar_ismark (c))
        {
          if (word->len > 0)
            g_ptr_array_add (words, g_utf8_casefold (word->str, word->len));
          g_string_truncate (word, 0);
        }

      if (c == 0)
        return words;
      p = g_utf8_next_char (p);
    }
}

/**
 * _pv_pg_store_fold_words:
 * @name: (nullable): a customer's name
 *
 * What to store in the name_words column, from which customer_words is kept: the folded
 * words of @name, each after a space, so that "% " || word || "%" finds the start of any.
 *
 * Returns: (transfer full) (nullable): " muller hans" for "Müller, Hans", "" for a name
 *   without letters or digits, %NULL for no name
 */
char *
_pv_pg_store_fold_words (const char *name)
{
  g_autoptr(GPtrArray) words = NULL;
  GString *joined;

  if (name == NULL)
    return NULL;

  words = fold_words (name);
  joined = g_string_new (NULL);
  for (guint i = 0; i < words->len; i++)
    {
      g_string_append_c (joined, ' ');
      g_string_append (joined, g_ptr_array_index (words, i));
    }

  return g_string_free (joined, FALSE);
}

/* What every store's search decides the same way, whatever its database: what staff typed
 * is words, the start of a number with or without its calling code, or text to find
 * anywhere. The SQLite store decides it in its parse_search(); these are written to be shared
 * with it, from pv-store-rules.c. */

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Where the numbers the digits search @digits finds lie in number order: after the "+", or
 * after each of the calling codes @codes, the digits; each the start of a range of numbers.
 * Calling codes are prefix-free, so sorted by them the ranges come in number order, and only
 * the "+" one can hold others, which are left out. */
static GPtrArray *
number_starts (const char *digits,
               GPtrArray  *codes)
{
  g_autoptr(GPtrArray) starts = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *disjoint = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (starts, g_strconcat ("+", digits, NULL));
  for (guint i = 0; i < codes->len; i++)
    g_ptr_array_add (starts, g_strconcat ("+", (const char *) g_ptr_array_index (codes, i),
                                          digits, NULL));
  g_ptr_array_sort (starts, compare_strings);

  /* Sorted, the ranges inside another come right after it. */
  for (guint i = 0; i < starts->len; i++)
    {
      const char *start = g_ptr_array_index (starts, i);

      if (disjoint->len == 0 ||
          !g_str_has_prefix (start, g_ptr_array_index (disjoint, disjoint->len - 1)))
        g_ptr_array_add (disjoint, g_strdup (start));
    }

  return disjoint;
}

/* What a search means here */

typedef enum
{
  ANYWHERE_NUMBER,        /* ASCII digits: in numbers, and in the names with digits */
  ANYWHERE_ODD_NAME,      /* with ASCII punctuation: in the names with some; no number */
  ANYWHERE_NAME,          /* neither: in names, with no index to help */
} AnywhereKind;

/* The start of a word or number, and the end of the range of an index that holds every
 * string starting so. */
typedef struct
{
  char  *low;
  char  *high;            /* nullable: no end */
  char  *pattern;         /* WORDS: for name_words LIKE, which the trigram index serves */
  char  *needle;          /* WORDS: for strpos (name_words, …), which no index serves */
  guint  length;          /* in characters */
} Prefix;

typedef struct
{
  PvSearchKind  kind;
  AnywhereKind  anywhere;
  char         *pattern;  /* ANYWHERE: for LIKE */
  GArray       *words;    /* (element-type Prefix) WORDS: none the start of another */
  Prefix        number;   /* NUMBER_START, DIGITS: "+12" or "+4" */
  Prefix        national; /* DIGITS: "4" */
  guint         driver;   /* WORDS: the word whose matches customer_words reads */
} Search;

/* The least string after every string that starts with @prefix, in byte order, which is code
 * point order: the last character that is not the greatest, plus one. */
static char *
dup_past_prefix (const char *prefix)
{
  g_autofree gunichar *chars = g_utf8_to_ucs4_fast (prefix, -1, NULL);
  glong length = 0;

  while (chars[length] != 0)
    length++;
  while (length > 0 && chars[length - 1] == 0x10FFFF)
    length--;
  if (length == 0)
    return NULL;

  /* No character is encoded between the surrogates. */
  chars[length - 1] = chars[length - 1] == 0xD7FF ? 0xE000 : chars[length - 1] + 1;

  return g_ucs4_to_utf8 (chars, length, NULL, NULL, NULL);
}

static void
prefix_init (Prefix     *prefix,
             const char *low)
{
  prefix->low = g_strdup (low);
  prefix->high = dup_past_prefix (low);
  prefix->length = (guint) g_utf8_strlen (low, -1);
}

static void
prefix_clear (gpointer data)
{
  Prefix *prefix = data;

  g_clear_pointer (&prefix->low, g_free);
  g_clear_pointer (&prefix->high, g_free);
  g_clear_pointer (&prefix->pattern, g_free);
  g_clear_pointer (&prefix->needle, g_free);
}

/* The words to look for, folded as names are: a word that starts another, or repeats one,
 * finds nothing more. */
static GArray *
words_of_search (const char *text)
{
  g_autoptr(GPtrArray) folded = fold_words (text);
  GArray *words = g_array_new (FALSE, TRUE, sizeof (Prefix));

  g_array_set_clear_func (words, prefix_clear);

  for (guint i = 0; i < folded->len; i++)
    {
      const char *word = g_ptr_array_index (folded, i);
      gboolean implied = FALSE;
      Prefix prefix = { NULL };

      for (guint j = 0; j < folded->len && !implied; j++)
        implied = j != i && g_str_has_prefix (g_ptr_array_index (folded, j), word) &&
                  (j < i || !g_str_equal (g_ptr_array_index (folded, j), word));
      if (implied)
        continue;

      prefix_init (&prefix, word);
      /* Letters and digits only: nothing for LIKE to escape. */
      prefix.pattern = g_strconcat ("% ", word, "%", NULL);
      prefix.needle = g_strconcat (" ", word, NULL);
      g_array_append_val (words, prefix);
    }

  return words;
}

static AnywhereKind
anywhere_kind (const char *text)
{
  gboolean all_digits = TRUE;
  gboolean odd = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      all_digits = all_digits && g_ascii_isdigit (*p);
      odd = odd || g_ascii_isdigit (*p) || g_ascii_ispunct (*p);
    }

  if (all_digits)
    return ANYWHERE_NUMBER;

  return odd ? ANYWHERE_ODD_NAME : ANYWHERE_NAME;
}

static void
search_init (Search     *search,
             const char *typed)
{
  g_autofree char *text = NULL;
  g_autofree char *start = NULL;

  memset (search, 0, sizeof *search);
  search->kind = _pv_store_classify_search (typed, &text);

  switch (search->kind)
    {
    case PV_SEARCH_WORDS:
      search->words = words_of_search (text);
      break;

    case PV_SEARCH_NUMBER_START:
      prefix_init (&search->number, text);
      break;

    case PV_SEARCH_DIGITS:
      start = g_strconcat ("+", text, NULL);
      prefix_init (&search->number, start);
      prefix_init (&search->national, text);
      break;

    case PV_SEARCH_ANYWHERE:
      /* A number is a "+" and digits: a lone "+" is in every one. */
      if (g_str_equal (text, "+"))
        {
          search->kind = PV_SEARCH_NONE;
          break;
        }
      search->anywhere = anywhere_kind (text);
      search->pattern = _pv_store_like_pattern (text);
      break;

    case PV_SEARCH_NONE:
    default:
      break;
    }
}

static void
search_clear (Search *search)
{
  g_clear_pointer (&search->words, g_array_unref);
  g_clear_pointer (&search->pattern, g_free);
  prefix_clear (&search->number);
  prefix_clear (&search->national);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Search, search_clear)

static const Prefix *
search_word (const Search *search,
             guint         i)
{
  return &g_array_index (search->words, Prefix, i);
}

/* SQL */

static guint
add_text (PvPgParams *params,
          const char *text)
{
  _pv_pg_params_add_text (params, text);

  return params->values->len;
}

static void
append_text (GString    *sql,
             PvPgParams *params,
             const char *text)
{
  g_string_append_printf (sql, "$%u", add_text (params, text));
}

static void
append_int (GString    *sql,
            PvPgParams *params,
            gint64      value)
{
  _pv_pg_params_add_int (params, value);
  g_string_append_printf (sql, "$%u", params->values->len);
}

/* "@column >= low AND @column < high" */
static void
append_range (GString      *sql,
              PvPgParams   *params,
              const char   *column,
              const Prefix *prefix)
{
  g_string_append_printf (sql, "%s >= ", column);
  append_text (sql, params, prefix->low);
  if (prefix->high != NULL)
    {
      g_string_append_printf (sql, " AND %s < ", column);
      append_text (sql, params, prefix->high);
    }
}

static PGresult *
run_query (PvPgStore   *self,
           GString     *sql,
           PvPgParams  *params,
           GError     **error)
{
  return _pv_pg_store_exec (self, &self->read, sql->str, params, error);
}

static gboolean
query_count (PvPgStore   *self,
             GString     *sql,
             PvPgParams  *params,
             guint       *count,
             GError     **error)
{
  g_autoptr(PGresult) result = run_query (self, sql, params, error);

  if (result == NULL)
    return FALSE;

  *count = (guint) CLAMP (_pv_pg_result_int (result, 0, 0), 0, G_MAXUINT);

  return TRUE;
}

/* Where matches are counted */

typedef enum
{
  SOURCE_WORD,            /* customer_words: a word starting with a prefix */
  SOURCE_WORDS,           /* customers: several words, through the trigram index */
  SOURCE_NUMBER,          /* customers: a range of the number index */
  SOURCE_NATIONAL,        /* customers: a range of the national index, less the number's */
} SourceKind;

typedef struct
{
  SourceKind     kind;
  const Search  *search;
  const Prefix  *prefix;  /* SOURCE_WORDS: the word whose matches are sampled */
} Source;

/* "strpos (name_words, ' word') > 0" for each word but @except: a word starts so. */
static void
append_word_tests (GString      *sql,
                   PvPgParams   *params,
                   const Search *search,
                   const Prefix *except,
                   const char   *joiner)
{
  for (guint i = 0; i < search->words->len; i++)
    {
      const Prefix *word = search_word (search, i);

      if (word == except)
        continue;

      g_string_append_printf (sql, "%sstrpos (name_words, ", joiner);
      append_text (sql, params, word->needle);
      g_string_append (sql, ") > 0");
      joiner = " AND ";
    }
}

/* " FROM customer_words WHERE …": the customers with a word starting with @word, once each,
 * on the first such word, the one after a word before @word. */
static void
append_word_source (GString      *sql,
                    PvPgParams   *params,
                    const Prefix *word,
                    gboolean      sampled)
{
  guint low = add_text (params, word->low);

  g_string_append_printf (sql, " FROM customer_words WHERE word >= $%u", low);
  if (word->high != NULL)
    {
      g_string_append (sql, " AND word < ");
      append_text (sql, params, word->high);
    }
  g_string_append_printf (sql, " AND previous < $%u", low);
  if (sampled)
    g_string_append (sql, " AND " IN_SAMPLE ("customer_id"));
}

/* Appends " FROM … WHERE …" for @source's matches, or its sampled ones. */
static void
append_source (GString      *sql,
               PvPgParams   *params,
               const Source *source,
               gboolean      sampled)
{
  switch (source->kind)
    {
    case SOURCE_WORD:
      append_word_source (sql, params, source->prefix, sampled);
      break;

    case SOURCE_WORDS:
      if (sampled)
        {
          /* The sampled matches of one word, each tested for the others. */
          g_string_append (sql, " FROM customers WHERE id = ANY (ARRAY (SELECT customer_id");
          append_word_source (sql, params, source->prefix, TRUE);
          g_string_append (sql, "))");
          append_word_tests (sql, params, source->search, source->prefix, " AND ");
          break;
        }
      g_string_append (sql, " FROM customers WHERE ");
      for (guint i = 0; i < source->search->words->len; i++)
        {
          g_string_append (sql, i > 0 ? " AND name_words LIKE " : "name_words LIKE ");
          append_text (sql, params, search_word (source->search, i)->pattern);
        }
      break;

    case SOURCE_NUMBER:
      g_string_append (sql, " FROM customers WHERE ");
      append_range (sql, params, "number", source->prefix);
      if (sampled)
        g_string_append (sql, " AND " IN_SAMPLE ("id"));
      break;

    case SOURCE_NATIONAL:
    default:
      g_string_append (sql, " FROM customers WHERE ");
      append_range (sql, params, "national", source->prefix);
      g_string_append (sql, " AND NOT (");
      append_range (sql, params, "number", &source->search->number);
      g_string_append (sql, ")");
      if (sampled)
        g_string_append (sql, " AND " IN_SAMPLE ("id"));
      break;
    }
}

/* The columns @source's index is ordered by, which tell one match from the next; NULL for
 * several words, found through an index with no order. */
static const char *
source_key (const Source *source)
{
  switch (source->kind)
    {
    case SOURCE_WORD:
      return "word, customer_id";
    case SOURCE_NUMBER:
      return "number";
    case SOURCE_NATIONAL:
      return "national, number";
    case SOURCE_WORDS:
    default:
      return NULL;
    }
}

/* Counts @source's matches, or its sampled ones, or no more than @limit of them (0: all). */
static gboolean
count_source (PvPgStore     *self,
              const Source  *source,
              gboolean       sampled,
              guint          limit,
              guint         *count,
              GError       **error)
{
  g_autoptr(GString) sql = g_string_new (limit == 0 ? "SELECT count(*)"
                                                    : "SELECT count(*) FROM (SELECT 1");
  g_auto(PvPgParams) params = { NULL };

  _pv_pg_params_init (&params);
  append_source (sql, &params, source, sampled);
  if (limit != 0)
    {
      g_string_append (sql, " LIMIT ");
      append_int (sql, &params, limit);
      g_string_append (sql, ") AS capped");
    }

  return query_count (self, sql, &params, count, error);
}

/* Estimates a count of more than ESTIMATE_CAP: exact up to the match after the cap, which
 * the index order finds, and from the sample beyond it, so that only the rest can be off.
 * Sets @key_found to FALSE if there is no such match. */
static gboolean
estimate_past_cap (PvPgStore     *self,
                   const Source  *source,
                   guint         *n_matches,
                   gboolean      *key_found,
                   GError       **error)
{
  g_autoptr(GString) key_sql = g_string_new (NULL);
  g_autoptr(GString) rest_sql = g_string_new ("SELECT count(*)");
  g_auto(PvPgParams) key_params = { NULL };
  g_auto(PvPgParams) rest_params = { NULL };
  g_autoptr(PGresult) key = NULL;
  const char *columns = source_key (source);
  guint rest;

  _pv_pg_params_init (&key_params);
  g_string_append_printf (key_sql, "SELECT %s", columns);
  append_source (key_sql, &key_params, source, FALSE);
  g_string_append_printf (key_sql, " ORDER BY %s OFFSET %u LIMIT 1", columns, ESTIMATE_CAP);

  key = run_query (self, key_sql, &key_params, error);
  if (key == NULL)
    return FALSE;

  *key_found = PQntuples (key) > 0;
  if (!*key_found)
    return TRUE;

  _pv_pg_params_init (&rest_params);
  append_source (rest_sql, &rest_params, source, TRUE);
  g_string_append_printf (rest_sql, " AND (%s) > (", columns);
  for (int i = 0; i < PQnfields (key); i++)
    {
      g_string_append (rest_sql, i > 0 ? ", " : "");
      append_text (rest_sql, &rest_params, PQgetvalue (key, 0, i));
    }
  g_string_append (rest_sql, ")");

  if (!query_count (self, rest_sql, &rest_params, &rest, error))
    return FALSE;

  *n_matches = ESTIMATE_CAP + 1 + MIN (rest, (G_MAXUINT - ESTIMATE_CAP - 1) / SAMPLE_RATE) * SAMPLE_RATE;

  return TRUE;
}

/* An exact count up to ESTIMATE_CAP, or an estimate; see the top of this file. */
static gboolean
estimate_source (PvPgStore     *self,
                 const Source  *source,
                 guint         *n_matches,
                 gboolean      *exact,
                 GError       **error)
{
  gboolean keyed = source_key (source) != NULL;
  guint sampled = 0;
  gboolean key_found;

  *exact = FALSE;

  /* Several words find few customers, at once; their sample is dear: last. */
  if (keyed)
    {
      if (!count_source (self, source, TRUE, 0, &sampled, error))
        return FALSE;
      if (sampled >= MIN_SAMPLED_MATCHES)
        {
          *n_matches = MIN (sampled, G_MAXUINT / SAMPLE_RATE) * SAMPLE_RATE;
          return TRUE;
        }
    }

  /* Most likely within the cap: counted at once, with no cap at all when surely within. */
  if (!keyed || sampled * SAMPLE_RATE <= ESTIMATE_CAP * 11 / 10)
    {
      gboolean surely = keyed && sampled * SAMPLE_RATE * 2 < ESTIMATE_CAP;

      if (!count_source (self, source, FALSE, surely ? 0 : ESTIMATE_CAP + 1, n_matches, error))
        return FALSE;
      if (*n_matches <= ESTIMATE_CAP)
        {
          *exact = TRUE;
          return TRUE;
        }
      if (!keyed)
        {
          if (!count_source (self, source, TRUE, 0, &sampled, error))
            return FALSE;
          *n_matches = MAX (*n_matches, MIN (sampled, G_MAXUINT / SAMPLE_RATE) * SAMPLE_RATE);
          return TRUE;
        }
    }

  if (!estimate_past_cap (self, source, n_matches, &key_found, error))
    return FALSE;
  if (key_found)
    return TRUE;

  /* The sample overstated them. */
  *exact = TRUE;

  return count_source (self, source, FALSE, 0, n_matches, error);
}

/* The word of several whose matches are fewest, by the sample: the others are tested on
 * those. Call with the read mutex held. */
static gboolean
choose_driver (PvPgStore  *self,
               Search     *search,
               GError    **error)
{
  guint fewest = G_MAXUINT;

  search->driver = 0;
  for (guint i = 0; i < search->words->len && search->words->len > 1; i++)
    {
      Source source = { SOURCE_WORD, search, search_word (search, i) };
      guint sampled;

      if (!count_source (self, &source, TRUE, PLAN_SAMPLE_CAP, &sampled, error))
        return FALSE;
      if (sampled < fewest ||
          (sampled == fewest && source.prefix->length > search_word (search, search->driver)->length))
        {
          fewest = sampled;
          search->driver = i;
        }
    }

  return TRUE;
}

/* Where @search's matches are counted: one source, or two for the starts of numbers with
 * and without their calling code. Returns how many. */
static guint
search_sources (const Search *search,
                Source        sources[2])
{
  switch (search->kind)
    {
    case PV_SEARCH_WORDS:
      sources[0] = (Source) { search->words->len > 1 ? SOURCE_WORDS : SOURCE_WORD, search,
                              search_word (search, search->driver) };
      return 1;

    case PV_SEARCH_NUMBER_START:
      sources[0] = (Source) { SOURCE_NUMBER, search, &search->number };
      return 1;

    case PV_SEARCH_DIGITS:
      sources[0] = (Source) { SOURCE_NUMBER, search, &search->number };
      sources[1] = (Source) { SOURCE_NATIONAL, search, &search->national };
      return 2;

    case PV_SEARCH_NONE:
    case PV_SEARCH_ANYWHERE:
    default:
      return 0;
    }
}

static gboolean
count_all (PvPgStore  *self,
           guint      *n_customers,
           GError    **error)
{
  /* Kept by the customers table's triggers in the same transaction as each insert and
   * delete (schema 3): count(*) read a million rows, over a hundred milliseconds. */
  g_autoptr(GString) sql = g_string_new ("SELECT n FROM customer_count");

  return query_count (self, sql, NULL, n_customers, error);
}

static void append_filter (GString      *sql,
                           PvPgParams   *params,
                           const Search *search,
                           PvStoreSort   sort,
                           gboolean      walk);

/* Counts the customers @search finds, or with @estimate, estimates a broad search's count.
 * Call with the read mutex held. */
static gboolean
count_locked (PvPgStore  *self,
              Search     *search,
              gboolean    estimate,
              guint      *n_customers,
              gboolean   *exact,
              GError    **error)
{
  Source sources[2];
  guint n_sources;

  *exact = TRUE;
  *n_customers = 0;

  if (search->kind == PV_SEARCH_NONE)
    return count_all (self, n_customers, error);

  if (search->kind == PV_SEARCH_ANYWHERE)
    {
      g_autoptr(GString) sql = g_string_new ("SELECT count(*) FROM customers WHERE ");
      g_auto(PvPgParams) params = { NULL };

      _pv_pg_params_init (&params);
      append_filter (sql, &params, search, PV_STORE_SORT_NUMBER, FALSE);

      return query_count (self, sql, &params, n_customers, error);
    }

  /* Several words are sampled through one of them, past the cap. */
  if (search->kind == PV_SEARCH_WORDS && estimate && !choose_driver (self, search, error))
    return FALSE;

  n_sources = search_sources (search, sources);
  for (guint i = 0; i < n_sources; i++)
    {
      guint n = 0;
      gboolean source_exact = TRUE;

      if (estimate
          ? !estimate_source (self, &sources[i], &n, &source_exact, error)
          : !count_source (self, &sources[i], FALSE, 0, &n, error))
        return FALSE;

      *n_customers = n > G_MAXUINT - *n_customers ? G_MAXUINT : *n_customers + n;
      *exact = *exact && source_exact;
    }

  return TRUE;
}

/* Pages */

typedef enum
{
  /* Walk the sort order's index and test each row: cheap when matches are dense. */
  PLAN_WALK,
  /* Fetch every match by id and sort them: cheap when they are few. */
  PLAN_SORT,
  /* One word in name or number order: the first matches, from customer_words alone. */
  PLAN_TOP,
  /* The matches are a range of the sort order's own index. */
  PLAN_RANGE,
} Plan;

typedef struct
{
  const char *ascending;
  const char *descending;
} SortOrder;

/* The only source of ORDER BY text: user input never reaches it. customer_words has the
 * columns of the name and number orders too. */
static const SortOrder sort_orders[] = {
  [PV_STORE_SORT_NUMBER] = { "number", "number DESC" },
  [PV_STORE_SORT_NAME] = { "name_key NULLS FIRST, number", "name_key DESC NULLS LAST, number DESC" },
  [PV_STORE_SORT_STATUS] = { "status, number", "status DESC, number DESC" },
  [PV_STORE_SORT_LAST_ACTIVITY] = { "updated_at, id", "updated_at DESC, id DESC" },
  [PV_STORE_SORT_CREATED] = { "created_at, id", "created_at DESC, id DESC" },
};

static const char *
order_by (PvStoreSort sort,
          gboolean    descending)
{
  return descending ? sort_orders[sort].descending : sort_orders[sort].ascending;
}

/* In name order, customers without a name come first; a row value with a NULL in it compares
 * as unknown. After a customer without a name come the others without one, then, in a second
 * range, those with one; after the last with a name in descending order, those without. */
static gboolean
has_second_range (PvStoreSort       sort,
                  gboolean          descending,
                  const PvCustomer *after)
{
  return sort == PV_STORE_SORT_NAME && (after->name == NULL) != descending;
}

/* Whether the range after @after that list_page() reads holds only customers without a
 * name, whom no words find. */
static gboolean
range_is_nameless (PvStoreSort       sort,
                   gboolean          descending,
                   const PvCustomer *after,
                   gboolean          second_range)
{
  return sort == PV_STORE_SORT_NAME && (second_range ? descending : after->name == NULL);
}

/* Appends the keyset condition for the customers after @after: a range of the order's index. */
static void
append_following (GString          *sql,
                  PvPgParams       *params,
                  PvStoreSort       sort,
                  gboolean          descending,
                  const PvCustomer *after,
                  gboolean          second_range)
{
  const char *beyond = descending ? " < " : " > ";

  if (second_range)
    {
      g_string_append (sql, descending ? "name_key IS NULL" : "name_key IS NOT NULL");
      return;
    }

  switch (sort)
    {
    case PV_STORE_SORT_NAME:
      if (after->name == NULL)
        {
          g_string_append_printf (sql, "name_key IS NULL AND number%s", beyond);
          append_text (sql, params, after->number);
          break;
        }
      g_string_append_printf (sql, "(name_key, number)%s(lower (", beyond);
      append_text (sql, params, after->name);
      g_string_append (sql, " COLLATE \"C\"), ");
      append_text (sql, params, after->number);
      g_string_append (sql, ")");
      break;

    case PV_STORE_SORT_STATUS:
      g_string_append_printf (sql, "(status, number)%s(", beyond);
      append_text (sql, params, pv_customer_status_to_string (after->status));
      g_string_append (sql, ", ");
      append_text (sql, params, after->number);
      g_string_append (sql, ")");
      break;

    case PV_STORE_SORT_LAST_ACTIVITY:
    case PV_STORE_SORT_CREATED:
      g_string_append_printf (sql, "(%s, id)%s(",
                              sort == PV_STORE_SORT_CREATED ? "created_at" : "updated_at", beyond);
      append_int (sql, params, sort == PV_STORE_SORT_CREATED ? after->created_at
                                                             : after->updated_at);
      g_string_append (sql, ", ");
      append_int (sql, params, after->id);
      g_string_append (sql, ")");
      break;

    case PV_STORE_SORT_NUMBER:
    default:
      g_string_append_printf (sql, "number%s", beyond);
      append_text (sql, params, after->number);
      break;
    }
}

/* Appends the condition for @search's matches, in the form a plan reads them by (see the top
 * of this file); @walk, the form with no index. */
static void
append_filter (GString      *sql,
               PvPgParams   *params,
               const Search *search,
               PvStoreSort   sort,
               gboolean      walk)
{
  guint pattern;

  switch (search->kind)
    {
    case PV_SEARCH_WORDS:
      if (walk)
        {
          /* Past the customers without a name, who come first in name order, and whom no
           * word finds. */
          append_word_tests (sql, params, search, NULL,
                             sort == PV_STORE_SORT_NAME ? "name_key >= '' AND " : "");
        }
      else if (search->words->len == 1)
        {
          g_string_append (sql, "id = ANY (ARRAY (SELECT customer_id");
          append_word_source (sql, params, search_word (search, 0), FALSE);
          g_string_append (sql, "))");
        }
      else
        {
          Source words = { SOURCE_WORDS, search, NULL };

          g_string_append (sql, "id = ANY (ARRAY (SELECT id");
          append_source (sql, params, &words, FALSE);
          g_string_append (sql, "))");
        }
      break;

    case PV_SEARCH_NUMBER_START:
      if (walk)
        {
          g_string_append (sql, "left (number, ");
          append_int (sql, params, search->number.length);
          g_string_append (sql, ") = ");
          append_text (sql, params, search->number.low);
        }
      else
        {
          g_string_append (sql, "id = ANY (ARRAY (SELECT id FROM customers WHERE ");
          append_range (sql, params, "number", &search->number);
          g_string_append (sql, "))");
        }
      break;

    case PV_SEARCH_DIGITS:
      if (walk)
        {
          g_string_append (sql, "(left (number, ");
          append_int (sql, params, search->number.length);
          g_string_append (sql, ") = ");
          append_text (sql, params, search->number.low);
          g_string_append (sql, " OR left (national, ");
          append_int (sql, params, search->national.length);
          g_string_append (sql, ") = ");
          append_text (sql, params, search->national.low);
          g_string_append (sql, ")");
        }
      else
        {
          g_string_append (sql, "id = ANY (ARRAY (SELECT id FROM customers WHERE (");
          append_range (sql, params, "number", &search->number);
          g_string_append (sql, ") OR (");
          append_range (sql, params, "national", &search->national);
          g_string_append (sql, ")))");
        }
      break;

    case PV_SEARCH_ANYWHERE:
      pattern = add_text (params, search->pattern);
      if (search->anywhere == ANYWHERE_NUMBER)
        g_string_append_printf (sql, "(number LIKE $%u OR (" ODD_NAME " AND name LIKE $%u))",
                                pattern, pattern);
      else if (search->anywhere == ANYWHERE_ODD_NAME)
        g_string_append_printf (sql, "(" ODD_NAME " AND name LIKE $%u)", pattern);
      else
        g_string_append_printf (sql, "name LIKE $%u", pattern);
      break;

    case PV_SEARCH_NONE:
    default:
      g_string_append (sql, "TRUE");
      break;
    }
}

static double
walk_row_cost (PvStoreSort sort)
{
  return sort == PV_STORE_SORT_LAST_ACTIVITY || sort == PV_STORE_SORT_CREATED
         ? COST_WALK_NEAR_ROW : COST_WALK_FAR_ROW;
}

/* In name order a word's matches may stand together, anywhere (a first name): a walk to them
 * passes every customer before, which the uniform spread the other orders assume does not
 * tell. The sample does: the sampled match at about the page's end, and how many sampled
 * customers come before it. Sets @walk to whether walking costs less than @top_cost. Call
 * with the read mutex held. */
static gboolean
name_walk_is_cheaper (PvPgStore         *self,
                      const Search      *search,
                      gboolean           descending,
                      guint              offset,
                      guint              limit,
                      const PvCustomer  *after,
                      double             top_cost,
                      gboolean          *walk,
                      GError           **error)
{
  g_autoptr(GString) end_sql = g_string_new ("SELECT name_key, number");
  g_autoptr(GString) before_sql = g_string_new ("SELECT count(*) FROM (SELECT 1 FROM customers"
                                                " WHERE " IN_SAMPLE ("id") " AND name_key >= ''");
  g_auto(PvPgParams) end_params = { NULL };
  g_auto(PvPgParams) before_params = { NULL };
  g_autoptr(PGresult) end = NULL;
  gboolean named_after = after != NULL && after->name != NULL;
  double bound = top_cost / (COST_WALK_FAR_ROW * SAMPLE_RATE);
  guint n_before;

  _pv_pg_params_init (&end_params);
  append_word_source (end_sql, &end_params, search_word (search, 0), TRUE);
  if (named_after)
    {
      g_string_append (end_sql, " AND ");
      append_following (end_sql, &end_params, PV_STORE_SORT_NAME, descending, after, FALSE);
    }
  g_string_append_printf (end_sql, " ORDER BY %s OFFSET %u LIMIT 1",
                          order_by (PV_STORE_SORT_NAME, descending),
                          (offset + limit) / SAMPLE_RATE);

  end = run_query (self, end_sql, &end_params, error);
  if (end == NULL)
    return FALSE;

  /* Too few matches left for the sample to place: reading them all is cheap. */
  *walk = FALSE;
  if (PQntuples (end) == 0 || PQgetisnull (end, 0, 0))
    return TRUE;

  _pv_pg_params_init (&before_params);
  g_string_append (before_sql, descending ? " AND (name_key, number) > (" : " AND (name_key, number) < (");
  append_text (before_sql, &before_params, PQgetvalue (end, 0, 0));
  g_string_append (before_sql, ", ");
  append_text (before_sql, &before_params, PQgetvalue (end, 0, 1));
  g_string_append (before_sql, ")");
  if (named_after)
    {
      g_string_append (before_sql, " AND ");
      append_following (before_sql, &before_params, PV_STORE_SORT_NAME, descending, after, FALSE);
    }
  g_string_append (before_sql, " LIMIT ");
  append_int (before_sql, &before_params, (gint64) MIN (bound, G_MAXINT32) + 1);
  g_string_append (before_sql, ") AS capped");

  if (!query_count (self, before_sql, &before_params, &n_before, error))
    return FALSE;

  *walk = n_before < bound;

  return TRUE;
}

/* The first column of @result as an array literal, "{…}": numbers are "+" and digits, ids
 * digits, with nothing to quote. */
static char *
dup_column_array (const PGresult *result)
{
  GString *literal = g_string_new ("{");

  for (int row = 0; row < PQntuples (result); row++)
    g_string_append_printf (literal, "%s%s", row > 0 ? "," : "", PQgetvalue (result, row, 0));
  g_string_append_c (literal, '}');

  return g_string_free (literal, FALSE);
}

/* The ids of the customers with every word, through the trigram index, as an array literal:
 * NULL if there are more than @most. Call with the read mutex held. */
static gboolean
read_word_matches (PvPgStore   *self,
                   Search      *search,
                   guint        most,
                   char       **ids,
                   guint       *n_ids,
                   GError     **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT id");
  g_auto(PvPgParams) params = { NULL };
  g_autoptr(PGresult) result = NULL;
  Source words = { SOURCE_WORDS, search, NULL };

  _pv_pg_params_init (&params);
  append_source (sql, &params, &words, FALSE);
  g_string_append (sql, " LIMIT ");
  append_int (sql, &params, (gint64) most + 1);

  result = run_query (self, sql, &params, error);
  if (result == NULL)
    return FALSE;

  *n_ids = (guint) PQntuples (result);
  *ids = *n_ids > most ? NULL : dup_column_array (result);

  return TRUE;
}

/* Chooses how to read @limit matches after @offset, or after @after, from the sample; for
 * several words, from their matches, read at once, whose ids @ids gets if they are to be
 * sorted. Call with the read mutex held. */
static gboolean
choose_plan (PvPgStore         *self,
             Search            *search,
             PvStoreSort        sort,
             gboolean           descending,
             guint              offset,
             guint              limit,
             const PvCustomer  *after,
             Plan              *plan,
             char             **ids,
             GError           **error)
{
  gboolean top = search->kind == PV_SEARCH_WORDS && search->words->len == 1 &&
                 (sort == PV_STORE_SORT_NAME || sort == PV_STORE_SORT_NUMBER);
  g_autofree char *matches = NULL;
  Source sources[2];
  guint n_sources, n_customers;
  double n_matches = 0, walk_cost, other_cost;
  gint64 total;

  *plan = PLAN_WALK;
  *ids = NULL;

  if (search->kind == PV_SEARCH_NUMBER_START && sort == PV_STORE_SORT_NUMBER)
    {
      *plan = PLAN_RANGE;
      return TRUE;
    }
  if (search->kind != PV_SEARCH_WORDS && search->kind != PV_SEARCH_NUMBER_START &&
      search->kind != PV_SEARCH_DIGITS)
    return TRUE;

  if (search->kind == PV_SEARCH_WORDS && search->words->len > 1)
    {
      guint n_ids;

      if (!read_word_matches (self, search, MAX_READ_MATCHES, &matches, &n_ids, error))
        return FALSE;
      if (matches == NULL)
        return TRUE;
      n_matches = n_ids;
    }

  n_sources = matches != NULL ? 0 : search_sources (search, sources);
  for (guint i = 0; i < n_sources; i++)
    {
      guint sampled;

      if (!count_source (self, &sources[i], TRUE, PLAN_SAMPLE_CAP, &sampled, error))
        return FALSE;
      /* So many that a walk finds a page at once, where they are spread. */
      if (sampled >= PLAN_SAMPLE_CAP && !(top && sort == PV_STORE_SORT_NAME))
        return TRUE;
      n_matches += (double) sampled * SAMPLE_RATE;
    }

  if (top && sort == PV_STORE_SORT_NAME)
    {
      gboolean walk;

      if (!name_walk_is_cheaper (self, search, descending, offset, limit, after,
                                 n_matches * COST_TOP_MATCH, &walk, error))
        return FALSE;
      *plan = walk ? PLAN_WALK : PLAN_TOP;
      return TRUE;
    }

  if (!count_all (self, &n_customers, error))
    return FALSE;
  total = n_customers;

  /* The walk passes about total / n_matches customers for each match it keeps. */
  walk_cost = ((double) offset + limit) * total / MAX (n_matches, 1) * walk_row_cost (sort);
  other_cost = n_matches * (top ? COST_TOP_MATCH : COST_FETCH_MATCH);
  *plan = walk_cost <= other_cost ? PLAN_WALK : top ? PLAN_TOP : PLAN_SORT;
  if (*plan == PLAN_SORT)
    *ids = g_steal_pointer (&matches);

  g_debug ("Search matches about %.0f of %" G_GINT64_FORMAT " customers: %s", n_matches, total,
           *plan == PLAN_WALK ? "walking the sort order" : "reading the matches");

  return TRUE;
}

/* The column that tells customers apart in @sort's index, and with which the customers at an
 * offset are found in that index alone when it holds what the search tests. */
static const char *
order_key (PvStoreSort sort)
{
  return sort == PV_STORE_SORT_LAST_ACTIVITY || sort == PV_STORE_SORT_CREATED ? "id" : "number";
}

static GPtrArray *
read_customers (PvPgStore   *self,
                GString     *sql,
                PvPgParams  *params,
                GError     **error)
{
  g_autoptr(PGresult) result = run_query (self, sql, params, error);

  if (result == NULL)
    return NULL;

  return _pv_pg_store_customers_from_result (result, error);
}

/* The order's keys of the page @offset matches into a walk, read from the order's index, and
 * from rows only where it lacks what the search tests. Its statistics do not tell the
 * planner how dense the matches are, which the sample did: told not to sort, it walks. Call
 * with the read mutex held. */
static gboolean
read_walked_keys (PvPgStore     *self,
                  const Search  *search,
                  PvStoreSort    sort,
                  gboolean       descending,
                  guint          offset,
                  guint          limit,
                  char         **keys,
                  GError       **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  g_auto(PvPgParams) params = { NULL };
  g_autoptr(PGresult) result = NULL;

  _pv_pg_params_init (&params);
  g_string_printf (sql, "SELECT %s FROM customers WHERE ", order_key (sort));
  append_filter (sql, &params, search, sort, TRUE);
  g_string_append_printf (sql, " ORDER BY %s LIMIT ", order_by (sort, descending));
  append_int (sql, &params, limit);
  g_string_append (sql, " OFFSET ");
  append_int (sql, &params, offset);

  if (!_pv_pg_store_begin (self, &self->read, error))
    return FALSE;
  if (!_pv_pg_store_run (self, &self->read, "SET LOCAL enable_sort = off", NULL, NULL, error) ||
      (result = run_query (self, sql, &params, error)) == NULL)
    {
      _pv_pg_store_rollback (self, &self->read);
      return FALSE;
    }
  if (!_pv_pg_store_commit (self, &self->read, error))
    return FALSE;

  *keys = dup_column_array (result);

  return TRUE;
}

/* One page in the order of @sort: @offset customers in, or when @after is set, the customers
 * after it (in its second range if @second_range). Call with the read mutex held. */
static GPtrArray *
list_page (PvPgStore         *self,
           Search            *search,
           PvStoreSort        sort,
           gboolean           descending,
           guint              offset,
           const PvCustomer  *after,
           gboolean           second_range,
           guint              limit,
           GError           **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT " PV_PG_CUSTOMER_COLUMNS " FROM customers");
  g_auto(PvPgParams) params = { NULL };
  g_autofree char *ids = NULL;
  const char *joiner = " WHERE ";
  guint outer_offset = offset;
  Plan plan;

  _pv_pg_params_init (&params);

  /* The page after a customer costs about what a first page does. */
  if (!choose_plan (self, search, sort, descending, offset, limit,
                    second_range ? NULL : after, &plan, &ids, error))
    return NULL;

  switch (plan)
    {
    case PLAN_RANGE:
      g_string_append (sql, joiner);
      append_range (sql, &params, "number", &search->number);
      joiner = " AND ";
      break;

    case PLAN_TOP:
      g_string_append (sql, " WHERE id = ANY (ARRAY (SELECT customer_id");
      append_word_source (sql, &params, search_word (search, 0), FALSE);
      if (after != NULL && !second_range && (sort == PV_STORE_SORT_NUMBER || after->name != NULL))
        {
          g_string_append (sql, " AND ");
          append_following (sql, &params, sort, descending, after, FALSE);
        }
      /* The page itself, in the index alone. */
      g_string_append_printf (sql, " ORDER BY %s LIMIT ", order_by (sort, descending));
      append_int (sql, &params, limit);
      g_string_append (sql, " OFFSET ");
      append_int (sql, &params, offset);
      g_string_append (sql, "))");
      joiner = " AND ";
      outer_offset = 0;
      break;

    case PLAN_WALK:
      /* Only where the sample chose the walk: elsewhere, the planner knows best. */
      if (offset > 0 && (search->kind == PV_SEARCH_WORDS || search->kind == PV_SEARCH_NUMBER_START ||
                         search->kind == PV_SEARCH_DIGITS))
        {
          g_autofree char *keys = NULL;

          if (!read_walked_keys (self, search, sort, descending, offset, limit, &keys, error))
            return NULL;
          g_string_append_printf (sql, " WHERE %s = ANY (", order_key (sort));
          append_text (sql, &params, keys);
          g_string_append_printf (sql, "::%s[])", sort == PV_STORE_SORT_LAST_ACTIVITY ||
                                                  sort == PV_STORE_SORT_CREATED ? "bigint" : "text");
          joiner = " AND ";
          outer_offset = 0;
          break;
        }
      G_GNUC_FALLTHROUGH;

    case PLAN_SORT:
    default:
      if (ids != NULL)
        {
          g_string_append (sql, " WHERE id = ANY (");
          append_text (sql, &params, ids);
          g_string_append (sql, "::bigint[])");
          joiner = " AND ";
        }
      else if (search->kind != PV_SEARCH_NONE)
        {
          g_string_append (sql, joiner);
          append_filter (sql, &params, search, sort, plan == PLAN_WALK);
          joiner = " AND ";
        }
      break;
    }

  if (after != NULL)
    {
      g_string_append (sql, joiner);
      append_following (sql, &params, sort, descending, after, second_range);
    }

  g_string_append_printf (sql, " ORDER BY %s LIMIT ", order_by (sort, descending));
  append_int (sql, &params, limit);
  if (outer_offset > 0)
    {
      g_string_append (sql, " OFFSET ");
      append_int (sql, &params, outer_offset);
    }

  return read_customers (self, sql, &params, error);
}

/* The page that follows @after, in both of its ranges. Call with the read mutex held. */
static GPtrArray *
list_following (PvPgStore         *self,
                Search            *search,
                PvStoreSort        sort,
                gboolean           descending,
                const PvCustomer  *after,
                guint              limit,
                GError           **error)
{
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GPtrArray) rest = NULL;
  gboolean named_only = search->kind == PV_SEARCH_WORDS;

  if (named_only && range_is_nameless (sort, descending, after, FALSE))
    page = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_customer_free);
  else
    page = list_page (self, search, sort, descending, 0, after, FALSE, limit, error);
  if (page == NULL || page->len >= limit || !has_second_range (sort, descending, after) ||
      (named_only && range_is_nameless (sort, descending, after, TRUE)))
    return g_steal_pointer (&page);

  rest = list_page (self, search, sort, descending, 0, after, TRUE, limit - page->len, error);
  if (rest == NULL)
    return NULL;
  g_ptr_array_extend_and_steal (page, g_steal_pointer (&rest));

  return g_steal_pointer (&page);
}

/* An offset into every customer: the customer just before the page is found in the order's
 * index without reading rows, and the page follows it, where OFFSET would read every row
 * before it. Call with the read mutex held. */
static GPtrArray *
list_all_at (PvPgStore    *self,
             Search       *search,
             PvStoreSort   sort,
             gboolean      descending,
             guint         offset,
             guint         limit,
             GError      **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  g_auto(PvPgParams) params = { NULL };
  g_autoptr(GPtrArray) before = NULL;

  _pv_pg_params_init (&params);
  g_string_printf (sql, "SELECT " PV_PG_CUSTOMER_COLUMNS " FROM customers WHERE %s ="
                        " (SELECT %s FROM customers ORDER BY %s OFFSET ",
                   order_key (sort), order_key (sort), order_by (sort, descending));
  append_int (sql, &params, offset - 1);
  g_string_append (sql, " LIMIT 1)");

  before = read_customers (self, sql, &params, error);
  if (before == NULL || before->len == 0)
    return g_steal_pointer (&before);

  return list_following (self, search, sort, descending, g_ptr_array_index (before, 0), limit,
                         error);
}

/* The starts of numbers in number order */

/* The calling codes of the stored numbers, one index lookup each: past the numbers of one
 * code, the next number has the next. Call with the read mutex held. */
static GPtrArray *
list_calling_codes (PvPgStore  *self,
                    GError    **error)
{
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *cursor = g_strdup ("+");

  for (;;)
    {
      g_autoptr(GString) sql = g_string_new ("SELECT number FROM customers WHERE number > ");
      g_auto(PvPgParams) params = { NULL };
      g_autoptr(PGresult) result = NULL;
      const char *number;
      gsize length;

      _pv_pg_params_init (&params);
      append_text (sql, &params, cursor);
      g_string_append (sql, " ORDER BY number LIMIT 1");

      result = run_query (self, sql, &params, error);
      if (result == NULL)
        return NULL;
      if (PQntuples (result) == 0)
        return g_steal_pointer (&codes);

      number = PQgetvalue (result, 0, 0);
      length = number[0] == '+' ? calling_code_length (number + 1) : 0;
      g_free (cursor);
      if (length == 0)
        {
          cursor = g_strdup (number);
          continue;
        }

      g_ptr_array_add (codes, g_strndup (number + 1, length));
      /* ':' follows '9': past every number with this code. */
      cursor = g_strdup_printf ("+%s:", (const char *) g_ptr_array_index (codes, codes->len - 1));
    }
}

/* The ranges of the number index that number_starts() says, for the stored calling codes. */
static GArray *
number_start_ranges (const Search *search,
                     GPtrArray    *codes)
{
  g_autoptr(GPtrArray) starts = number_starts (search->national.low, codes);
  GArray *ranges = g_array_new (FALSE, TRUE, sizeof (Prefix));

  g_array_set_clear_func (ranges, prefix_clear);
  for (guint i = 0; i < starts->len; i++)
    {
      Prefix range = { NULL };

      prefix_init (&range, g_ptr_array_index (starts, i));
      g_array_append_val (ranges, range);
    }

  return ranges;
}

/* A page of a digits search in number order, range by range: the matches for "42", the
 * (42x) numbers, come after every (2xx) to (41x) one, which a walk of the number index would
 * pass, and sorting a million matches takes seconds. Whole ranges before @offset are counted,
 * in the index alone, rather than read. Call with the read mutex held. */
static GPtrArray *
list_number_starts (PvPgStore    *self,
                    Search       *search,
                    gboolean      descending,
                    guint         offset,
                    const char   *after,
                    guint         limit,
                    GError      **error)
{
  g_autoptr(GPtrArray) customers = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_customer_free);
  g_autoptr(GPtrArray) codes = NULL;
  g_autoptr(GArray) ranges = NULL;

  codes = list_calling_codes (self, error);
  if (codes == NULL)
    return NULL;
  ranges = number_start_ranges (search, codes);

  for (guint i = 0; i < ranges->len && customers->len < limit; i++)
    {
      const Prefix *range = &g_array_index (ranges, Prefix, descending ? ranges->len - 1 - i : i);
      g_autoptr(GString) where = g_string_new (" FROM customers WHERE ");
      g_autoptr(GString) sql = g_string_new ("SELECT " PV_PG_CUSTOMER_COLUMNS);
      g_auto(PvPgParams) params = { NULL };
      g_autoptr(GPtrArray) page = NULL;

      /* Wholly on the far side of @after. */
      if (after != NULL && (descending ? strcmp (range->low, after) >= 0
                                       : range->high != NULL && strcmp (range->high, after) <= 0))
        continue;

      _pv_pg_params_init (&params);
      append_range (where, &params, "number", range);
      if (after != NULL)
        {
          g_string_append (where, descending ? " AND number < " : " AND number > ");
          append_text (where, &params, after);
        }

      if (offset > 0)
        {
          g_autoptr(GString) count_sql = g_string_new ("SELECT count(*) FROM (SELECT 1");
          guint n_range;

          /* The same conditions, so the same parameters. */
          g_string_append_printf (count_sql, "%s LIMIT %u) AS capped", where->str, offset + 1);
          if (!query_count (self, count_sql, &params, &n_range, error))
            return NULL;
          if (n_range <= offset)
            {
              offset -= n_range;
              continue;
            }
        }

      g_string_append_printf (sql, "%s ORDER BY number%s LIMIT %u OFFSET %u", where->str,
                              descending ? " DESC" : "", limit - customers->len, offset);
      offset = 0;

      page = read_customers (self, sql, &params, error);
      if (page == NULL)
        return NULL;
      g_ptr_array_extend_and_steal (customers, g_steal_pointer (&page));
    }

  return g_steal_pointer (&customers);
}

/* The store's vfuncs */

static GPtrArray *
new_customer_array (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) pv_customer_free);
}

/**
 * _pv_pg_store_list_customers:
 * @search: (nullable): text to find in numbers and names, or %NULL for every customer
 *
 * One page of customers; see the top of pv-sqlite-store-search.c for what @search finds.
 * A jump deep into every customer reads on from the customer before it; into a search's
 * matches, an offset walks them.
 *
 * Returns: (transfer full) (element-type PvCustomer): the page, or %NULL with @error set
 */
GPtrArray *
_pv_pg_store_list_customers (PvStore      *store,
                             const char   *search,
                             PvStoreSort   sort,
                             gboolean      descending,
                             guint         offset,
                             guint         limit,
                             GError      **error)
{
  PvPgStore *self = PV_PG_STORE (store);
  g_autoptr(GMutexLocker) locker = NULL;
  g_auto(Search) parsed = { 0 };

  g_return_val_if_fail ((guint) sort < G_N_ELEMENTS (sort_orders), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (limit == 0)
    return new_customer_array ();

  search_init (&parsed, search);
  locker = g_mutex_locker_new (&self->read.mutex);

  if (parsed.kind == PV_SEARCH_DIGITS && sort == PV_STORE_SORT_NUMBER)
    return list_number_starts (self, &parsed, descending, offset, NULL, limit, error);
  if (parsed.kind == PV_SEARCH_NONE && offset > 0)
    return list_all_at (self, &parsed, sort, descending, offset, limit, error);

  return list_page (self, &parsed, sort, descending, offset, NULL, FALSE, limit, error);
}

/**
 * _pv_pg_store_list_customers_following:
 * @after: the last customer of the previous page, as the store returned it
 *
 * The page that follows @after in the order of @sort: one range of the order's index from
 * @after, two in name order, where customers without a name come first.
 *
 * Returns: (transfer full) (element-type PvCustomer): the page, or %NULL with @error set
 */
GPtrArray *
_pv_pg_store_list_customers_following (PvStore           *store,
                                       const char        *search,
                                       PvStoreSort        sort,
                                       gboolean           descending,
                                       const PvCustomer  *after,
                                       guint              limit,
                                       GError           **error)
{
  PvPgStore *self = PV_PG_STORE (store);
  g_autoptr(GMutexLocker) locker = NULL;
  g_auto(Search) parsed = { 0 };

  g_return_val_if_fail ((guint) sort < G_N_ELEMENTS (sort_orders), NULL);
  g_return_val_if_fail (after != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (limit == 0)
    return new_customer_array ();

  search_init (&parsed, search);
  locker = g_mutex_locker_new (&self->read.mutex);

  if (parsed.kind == PV_SEARCH_DIGITS && sort == PV_STORE_SORT_NUMBER)
    return list_number_starts (self, &parsed, descending, 0, after->number, limit, error);

  return list_following (self, &parsed, sort, descending, after, limit, error);
}

/**
 * _pv_pg_store_list_customers_after:
 * @search: (nullable): the same search as for pv_store_list_customers()
 * @after: (nullable): the last number of the previous page, or %NULL to start
 *
 * The next page of customers in number order, for reading them all: the last number seen
 * marks the place, so customers added or deleted meanwhile cannot shift the pages.
 *
 * Returns: (transfer full) (element-type PvCustomer): the page (empty at the end), or %NULL
 *   with @error set
 */
GPtrArray *
_pv_pg_store_list_customers_after (PvStore      *store,
                                   const char   *search,
                                   const char   *after,
                                   guint         limit,
                                   GError      **error)
{
  PvPgStore *self = PV_PG_STORE (store);
  g_autoptr(GMutexLocker) locker = NULL;
  g_auto(Search) parsed = { 0 };
  PvCustomer last = { 0 };

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (limit == 0)
    return new_customer_array ();

  search_init (&parsed, search);
  locker = g_mutex_locker_new (&self->read.mutex);

  if (parsed.kind == PV_SEARCH_DIGITS)
    return list_number_starts (self, &parsed, FALSE, 0, after, limit, error);
  if (after == NULL)
    return list_page (self, &parsed, PV_STORE_SORT_NUMBER, FALSE, 0, NULL, FALSE, limit, error);

  last.number = (char *) after;

  return list_page (self, &parsed, PV_STORE_SORT_NUMBER, FALSE, 0, &last, FALSE, limit, error);
}

static gboolean
count_search (PvPgStore   *self,
              const char  *search,
              gboolean     estimate,
              guint       *n_customers,
              gboolean    *exact,
              GError     **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_auto(Search) parsed = { 0 };

  g_return_val_if_fail (n_customers != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  search_init (&parsed, search);
  locker = g_mutex_locker_new (&self->read.mutex);

  return count_locked (self, &parsed, estimate, n_customers, exact, error);
}

gboolean
_pv_pg_store_count_customers (PvStore      *store,
                              const char   *search,
                              guint        *n_customers,
                              GError      **error)
{
  gboolean exact;

  return count_search (PV_PG_STORE (store), search, FALSE, n_customers, &exact, error);
}

/**
 * _pv_pg_store_estimate_customers:
 *
 * The store's side of pv_store_estimate_customers(): every customer, exactly, from the count
 * the triggers keep; a words or number search that matches more than
 * ESTIMATE_CAP customers, from the sample. Other searches are counted.
 */
gboolean
_pv_pg_store_estimate_customers (PvStore      *store,
                                 const char   *search,
                                 guint        *n_customers,
                                 gboolean     *exact,
                                 GError      **error)
{
  g_return_val_if_fail (exact != NULL, FALSE);

  return count_search (PV_PG_STORE (store), search, TRUE, n_customers, exact, error);
}
