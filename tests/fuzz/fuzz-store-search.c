/* fuzz-store-search.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The search box of the Customers view, against a real SQLite store on a temporary file: the
 * input, up to a NUL, is what staff typed. It reaches the store's search parser, which turns
 * it into an FTS5 phrase or a LIKE pattern, and every query built from it.
 *
 * Beyond not crashing, and SQLite never refusing a query: counting, every sort order in
 * both directions, pages by offset and pages after a number all agree on which customers
 * match; each order is the one documented, descending is ascending reversed; and for
 * searches in ASCII, the matches are exactly those documented: customers whose name has a
 * word starting with each word of the text, folded; for one or two digits, whose number
 * starts with them, with or without its calling code; or, for longer text that looks like
 * part of a number (separators ignored) or text with no letters or digits, whose number or
 * name contains it, ignoring case. */

#include "config.h"

#include <string.h>

#include "pv-fuzz.h"
#include "pv-sqlite-store.h"
#include "pv-test-search.h"

#define START_TIME 1767225600  /* 2026-01-01 00:00:00 UTC */

typedef struct
{
  const char *number;
  const char *name;
  gboolean    verified;
  gint64      updated_at;
} Seed;

/* Names with what a search must treat as text: LIKE's wildcards and escape, FTS5's quotes
 * and operators, SQL, non-ASCII letters, spaces; and one customer without a name.
 *
 * None has letters whose Unicode case folding is ASCII (such as U+212A KELVIN SIGN, "K"):
 * the oracle below folds ASCII only. */
static const Seed seeds[] = {
  { "+14155550100", "Ada Lovelace", TRUE, START_TIME + 50 },
  { "+14155550101", "Grace Hopper", FALSE, START_TIME + 10 },
  { "+442079460000", "Zoë Ærø 日本", FALSE, START_TIME + 90 },
  { "+4930123456", NULL, TRUE, START_TIME + 30 },
  { "+15555550123", "100% _under\\score", FALSE, START_TIME + 70 },
  { "+33123456789", "O'Brien \"Bob\" (the 2nd) AND NOT ada*", TRUE, START_TIME + 20 },
  { "+819012345678", "École Normale", FALSE, START_TIME + 60 },
  { "+12025550199", "ab", FALSE, START_TIME + 40 },
  { "+61298765432", "'; DROP TABLE customers; --", TRUE, START_TIME + 80 },
  { "+4915112345678", "  spaced  out  ", FALSE, START_TIME + 100 },
};

static PvStore *store;
static PvClock *clock_;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *path = NULL;

  pv_fuzz_init ();

  directory = pv_fuzz_make_temp_dir ("fuzz-store-search");
  path = g_build_filename (directory, "customers.db", NULL);
  clock_ = pv_clock_new_manual (START_TIME + 3600);
  store = PV_STORE (pv_sqlite_store_open (path, clock_, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (seeds); i++)
    {
      g_autoptr(PvCustomer) customer = pv_customer_new (seeds[i].number);

      customer->name = g_strdup (seeds[i].name);
      customer->status = seeds[i].verified ? PV_CUSTOMER_STATUS_VERIFIED
                                           : PV_CUSTOMER_STATUS_PENDING;
      /* Reversed, so that creation order is neither number nor activity order. */
      customer->created_at = START_TIME - i;
      customer->updated_at = seeds[i].updated_at;
      pv_store_insert_customer (store, customer, PV_EVENT_CODE_SENT, NULL, &error);
      g_assert_no_error (error);
    }

  return 0;
}

static gboolean
is_separator (char c)
{
  return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
}

/* What pv_store_list_customers() documents, for text that is all ASCII; NULL otherwise. */
static GHashTable *
expected_matches (const char *search)
{
  g_autofree char *text = g_strstrip (g_strdup (search));
  g_autoptr(GHashTable) matches = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) search_words = NULL;
  gboolean digits = FALSE;
  gboolean phone = TRUE;

  if (!g_str_is_ascii (text))
    return NULL;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digits = TRUE;
      else if (*p != '+' && !is_separator (*p))
        phone = FALSE;
    }

  if (phone && digits)
    {
      char *out = text;

      for (const char *in = text; *in != '\0'; in++)
        if (!is_separator (*in))
          *out++ = *in;
      *out = '\0';
    }

  search_words = pv_test_fold_words (phone && digits ? NULL : text);

  for (guint i = 0; i < G_N_ELEMENTS (seeds); i++)
    {
      g_autofree char *needle = g_ascii_strdown (text, -1);
      g_autofree char *number = g_ascii_strdown (seeds[i].number, -1);
      g_autofree char *name = seeds[i].name != NULL ? g_ascii_strdown (seeds[i].name, -1) : NULL;

      gboolean substring = strstr (number, needle) != NULL ||
                           (name != NULL && strstr (name, needle) != NULL);
      gboolean words = pv_test_words_start (seeds[i].name, search_words);

      if (phone && digits && strlen (text) < 3 && strchr (text + 1, '+') == NULL)
        {
          if (pv_test_number_starts (seeds[i].number, text))
            g_hash_table_add (matches, (gpointer) seeds[i].number);
          continue;
        }

      if (search_words->len == 0 ? substring : words)
        g_hash_table_add (matches, (gpointer) seeds[i].number);
    }

  return g_steal_pointer (&matches);
}

static GPtrArray *
list (const char  *search,
      PvStoreSort  sort,
      gboolean     descending,
      guint        offset,
      guint        limit)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *page;

  page = pv_store_list_customers (store, search, sort, descending, offset, limit, &error);
  g_assert_no_error (error);
  g_assert_nonnull (page);

  return page;
}

static int
compare_by (PvStoreSort       sort,
            const PvCustomer *a,
            const PvCustomer *b)
{
  int result = 0;

  switch (sort)
    {
    case PV_STORE_SORT_NUMBER:
      break;
    case PV_STORE_SORT_NAME:
      /* SQLite sorts NULL first, and NOCASE folds ASCII only. */
      if (a->name == NULL || b->name == NULL)
        result = (a->name != NULL) - (b->name != NULL);
      else
        result = g_ascii_strcasecmp (a->name, b->name);
      break;
    case PV_STORE_SORT_STATUS:
      result = strcmp (pv_customer_status_to_string (a->status),
                       pv_customer_status_to_string (b->status));
      break;
    case PV_STORE_SORT_LAST_ACTIVITY:
      result = (a->updated_at > b->updated_at) - (a->updated_at < b->updated_at);
      if (result == 0)
        result = (a->id > b->id) - (a->id < b->id);
      return result;
    case PV_STORE_SORT_CREATED:
      result = (a->created_at > b->created_at) - (a->created_at < b->created_at);
      if (result == 0)
        result = (a->id > b->id) - (a->id < b->id);
      return result;
    default:
      g_assert_not_reached ();
    }

  return result != 0 ? result : strcmp (a->number, b->number);
}

static void
check_sorted (GPtrArray   *customers,
              PvStoreSort  sort)
{
  for (guint i = 1; i < customers->len; i++)
    g_assert_cmpint (compare_by (sort, g_ptr_array_index (customers, i - 1),
                                 g_ptr_array_index (customers, i)), <, 0);
}

static void
assert_same_customers (GPtrArray *a,
                       GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      const PvCustomer *first = g_ptr_array_index (a, i);
      const PvCustomer *second = g_ptr_array_index (b, i);

      g_assert_cmpstr (first->number, ==, second->number);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        gsize         size)
{
  g_autofree char *search = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) by_number = NULL;
  g_autoptr(GHashTable) expected = NULL;
  g_autoptr(GHashTable) found = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_customers = G_MAXUINT;
  guint n_paged = 0;
  g_autofree char *after = NULL;

  g_assert_true (pv_store_count_customers (store, search, &n_customers, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_customers, <=, G_N_ELEMENTS (seeds));

  by_number = list (search, PV_STORE_SORT_NUMBER, FALSE, 0, 100);
  g_assert_cmpuint (by_number->len, ==, n_customers);
  check_sorted (by_number, PV_STORE_SORT_NUMBER);
  for (guint i = 0; i < by_number->len; i++)
    g_hash_table_add (found, ((PvCustomer *) g_ptr_array_index (by_number, i))->number);

  expected = expected_matches (search);
  if (expected != NULL)
    {
      GHashTableIter iter;
      gpointer number;

      g_assert_cmpuint (g_hash_table_size (expected), ==, n_customers);
      g_hash_table_iter_init (&iter, expected);
      while (g_hash_table_iter_next (&iter, &number, NULL))
        g_assert_true (g_hash_table_contains (found, number));
    }

  for (PvStoreSort sort = PV_STORE_SORT_NUMBER; sort <= PV_STORE_SORT_CREATED; sort++)
    {
      g_autoptr(GPtrArray) ascending = list (search, sort, FALSE, 0, 100);
      g_autoptr(GPtrArray) descending = list (search, sort, TRUE, 0, 100);

      g_assert_cmpuint (ascending->len, ==, n_customers);
      check_sorted (ascending, sort);
      for (guint i = 0; i < ascending->len; i++)
        {
          const PvCustomer *customer = g_ptr_array_index (ascending, i);
          const PvCustomer *mirror = g_ptr_array_index (descending, descending->len - 1 - i);

          g_assert_true (g_hash_table_contains (found, customer->number));
          g_assert_cmpstr (customer->number, ==, mirror->number);
        }

      /* Pages by offset, as the customer list loads them, and one page past the end. */
      for (guint offset = 0; offset <= n_customers; offset += 3)
        {
          g_autoptr(GPtrArray) page = list (search, sort, FALSE, offset, 3);
          g_autoptr(GPtrArray) slice = g_ptr_array_new ();

          for (guint i = offset; i < MIN (offset + 3, ascending->len); i++)
            g_ptr_array_add (slice, g_ptr_array_index (ascending, i));
          assert_same_customers (page, slice);
        }
    }

  /* Pages after a number, as export reads them. */
  for (;;)
    {
      g_autoptr(GPtrArray) page = pv_store_list_customers_after (store, search, after, 4,
                                                                 &error);

      g_assert_no_error (error);
      g_assert_nonnull (page);
      for (guint i = 0; i < page->len; i++)
        {
          const PvCustomer *customer = g_ptr_array_index (page, i);

          g_assert_cmpuint (n_paged, <, by_number->len);
          g_assert_cmpstr (customer->number, ==,
                           ((PvCustomer *) g_ptr_array_index (by_number, n_paged))->number);
          n_paged++;
        }
      if (page->len < 4)
        break;
      g_free (after);
      after = g_strdup (((PvCustomer *) g_ptr_array_index (page, page->len - 1))->number);
    }
  g_assert_cmpuint (n_paged, ==, n_customers);

  return 0;
}
