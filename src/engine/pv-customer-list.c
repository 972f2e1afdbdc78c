/* pv-customer-list.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The customers in the store, as a list model that never holds them all: a million customers
 * must scroll as smoothly as ten. The count and each page of customers come from the store on
 * a worker thread. get_item() answers at once with a row, empty until its page arrives; the
 * page then fills every row of it in place.
 *
 * Rows stand for positions. The list keeps a weak table of the rows handed out, so that a row
 * the view still holds is the one filled when its page arrives, and a small cache of pages,
 * from which the pages farthest from where the view last looked are dropped.
 *
 * A new search or sort, or a reload, bumps a generation counter: anything fetched for an
 * older generation is dropped when it arrives. A refresh fetches the count together with the
 * pages the view shows, so the new list appears in one step, without a flash of empty rows. */

#define G_LOG_DOMAIN "pv-customer-list"

#include "config.h"

#include <glib/gi18n.h>

#include "pv-customer-list.h"
#include "pv-memory.h"
#include "pv-phone-number.h"

/* Enough for a tall window and the rows GTK keeps around it. */
#define MAX_CACHED_PAGES 8

/* How long a search must stay unchanged before an estimated count is counted exactly:
 * longer than a pause between two keystrokes. */
#define COUNT_DELAY_MS 400

/* More than a tall window shows; about 5 ms of the main thread's time. */
#define ROWS_FILLED_AT_ONCE 48

typedef struct
{
  GPtrArray    *customers;      /* (element-type PvCustomer) NULL until fetched */
  GPtrArray    *shown;          /* (element-type utf8) their numbers as staff read them */
  GCancellable *cancellable;    /* the fetch in flight, if any */
} Page;

/* What a worker fetches, and what it found. */
typedef struct
{
  PvStore     *store;
  char        *search;
  PvStoreSort  sort;
  gboolean     descending;
  guint        generation;
  gboolean     count;           /* a refresh: count the customers first */
  gboolean     count_exactly;   /* never estimate */
  GArray      *page_indices;    /* (element-type guint) */
  char        *office_country;
  PvCustomer  *anchor;          /* the last customer of the page before the first index */

  guint        n_items;
  gboolean     exact;           /* or n_items is an estimate */
  GPtrArray   *pages;           /* one GPtrArray of PvCustomer per page index */
  GPtrArray   *shown;           /* and one of their formatted numbers */
} Fetch;

struct _PvCustomerList
{
  GObject        parent_instance;

  PvStore       *store;
  PvClock       *clock;
  char          *search;
  PvStoreSort    sort;
  gboolean       descending;
  guint          max_attempts;
  char          *office_country;

  guint          n_items;
  gboolean       estimated;
  guint          count_source;          /* counts an estimate exactly, once typing stops */
  GCancellable  *count_cancellable;
  guint          generation;
  GCancellable  *refresh_cancellable;   /* NULL unless a refresh is in flight */
  Fetch         *pending_refresh;       /* what it fetches, until the worker is asked */
  guint          launch_source;
  gboolean       restarting;            /* the refresh in flight is for a new query */

  GHashTable    *pages;                 /* page index → Page */
  guint          last_page;             /* where the view last looked */
  GHashTable    *rows;                  /* position → PvCustomerRow, weak */
  guint          n_rows_made;
  GArray        *unfilled;              /* (element-type guint) rows refilled in batches */
  guint          refill_source;
};

static void pv_customer_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PvCustomerList, pv_customer_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      pv_customer_list_model_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_CLOCK,
  PROP_SEARCH,
  PROP_MAX_ATTEMPTS,
  PROP_OFFICE_COUNTRY,
  PROP_LOADING,
  PROP_ESTIMATED,
  N_PROPS
};

enum {
  LOAD_FAILED,
  REPLACED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
page_free (Page *page)
{
  if (page->cancellable != NULL)
    g_cancellable_cancel (page->cancellable);
  g_clear_object (&page->cancellable);
  g_clear_pointer (&page->customers, g_ptr_array_unref);
  g_clear_pointer (&page->shown, g_ptr_array_unref);
  g_free (page);
}

static void
fetch_free (Fetch *fetch)
{
  g_clear_object (&fetch->store);
  g_clear_pointer (&fetch->search, g_free);
  g_clear_pointer (&fetch->page_indices, g_array_unref);
  g_clear_pointer (&fetch->pages, g_ptr_array_unref);
  g_clear_pointer (&fetch->shown, g_ptr_array_unref);
  g_clear_pointer (&fetch->office_country, g_free);
  g_clear_pointer (&fetch->anchor, pv_customer_free);
  g_free (fetch);
}

static Fetch *
fetch_new (PvCustomerList *self,
           gboolean        count)
{
  Fetch *fetch = g_new0 (Fetch, 1);

  fetch->store = g_object_ref (self->store);
  fetch->search = g_strdup (self->search);
  fetch->sort = self->sort;
  fetch->descending = self->descending;
  fetch->generation = self->generation;
  fetch->count = count;
  fetch->page_indices = g_array_new (FALSE, FALSE, sizeof (guint));
  fetch->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  fetch->shown = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  fetch->office_country = g_strdup (self->office_country);

  return fetch;
}

/* Formatting a number takes libphonenumber tens of microseconds: for a few hundred rows,
 * done here on the worker, not while the main thread refills the rows. */
static GPtrArray *
format_numbers (GPtrArray  *customers,
                const char *office_country)
{
  GPtrArray *shown = g_ptr_array_new_full (customers->len, g_free);

  for (guint i = 0; i < customers->len; i++)
    {
      const PvCustomer *customer = g_ptr_array_index (customers, i);

      g_ptr_array_add (shown, pv_phone_number_format_for_display (customer->number,
                                                                   office_country));
    }

  return shown;
}

/* The page at @index, read from the customer before it when that one is known: an offset
 * walks over every customer before the page, tens of milliseconds deep into a million,
 * where the customer before it is found with one index lookup. */
static GPtrArray *
fetch_page (Fetch             *fetch,
            guint              index,
            const PvCustomer  *before,
            GError           **error)
{
  if (before != NULL && pv_store_can_list_following (fetch->store))
    return pv_store_list_customers_following (fetch->store, fetch->search, fetch->sort,
                                              fetch->descending, before,
                                              PV_CUSTOMER_LIST_PAGE_SIZE, error);

  return pv_store_list_customers (fetch->store, fetch->search, fetch->sort, fetch->descending,
                                  index * PV_CUSTOMER_LIST_PAGE_SIZE,
                                  PV_CUSTOMER_LIST_PAGE_SIZE, error);
}

static void
fetch_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Fetch *fetch = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  fetch->exact = fetch->count_exactly;
  if (fetch->count &&
      !(fetch->count_exactly
        ? pv_store_count_customers (fetch->store, fetch->search, &fetch->n_items, &error)
        : pv_store_estimate_customers (fetch->store, fetch->search, &fetch->n_items,
                                       &fetch->exact, &error)))
    {
      g_task_return_error (task, error);
      return;
    }

  for (guint i = 0; i < fetch->page_indices->len; i++)
    {
      guint index = g_array_index (fetch->page_indices, guint, i);
      const PvCustomer *before = NULL;
      GPtrArray *customers;

      /* The view has moved on, or a newer query has started: skip the work. */
      if (g_task_return_error_if_cancelled (task))
        return;

      /* Pages come in order: the one just fetched may be the one before. */
      if (i == 0)
        before = fetch->anchor;
      else if (g_array_index (fetch->page_indices, guint, i - 1) + 1 == index)
        {
          GPtrArray *previous = g_ptr_array_index (fetch->pages, i - 1);

          if (previous->len == PV_CUSTOMER_LIST_PAGE_SIZE)
            before = g_ptr_array_index (previous, previous->len - 1);
        }

      if (fetch->count && (guint64) index * PV_CUSTOMER_LIST_PAGE_SIZE >= fetch->n_items)
        customers = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_customer_free);
      else
        customers = fetch_page (fetch, index, before, &error);

      if (customers == NULL)
        {
          g_task_return_error (task, error);
          return;
        }

      g_ptr_array_add (fetch->pages, customers);
      g_ptr_array_add (fetch->shown, format_numbers (customers, fetch->office_country));
    }

  g_task_return_boolean (task, TRUE);
}

static gint64
get_now (PvCustomerList *self)
{
  return pv_clock_get_now (self->clock);
}

static void
fill_row (PvCustomerList *self,
          PvCustomerRow  *row,
          gint64          now)
{
  guint position = pv_customer_row_get_position (row);
  Page *page = g_hash_table_lookup (self->pages,
                                    GUINT_TO_POINTER (position / PV_CUSTOMER_LIST_PAGE_SIZE));
  guint offset = position % PV_CUSTOMER_LIST_PAGE_SIZE;

  if (page != NULL && page->customers != NULL && offset < page->customers->len)
    pv_customer_row_fill (row, g_ptr_array_index (page->customers, offset),
                          g_ptr_array_index (page->shown, offset), now, self->max_attempts);
  else
    pv_customer_row_clear (row);
}

static void
fill_page_rows (PvCustomerList *self,
                guint           index)
{
  gint64 now = get_now (self);
  guint first = index * PV_CUSTOMER_LIST_PAGE_SIZE;

  for (guint position = first; position < first + PV_CUSTOMER_LIST_PAGE_SIZE; position++)
    {
      PvCustomerRow *row = g_hash_table_lookup (self->rows, GUINT_TO_POINTER (position));

      if (row != NULL)
        fill_row (self, row, now);
    }
}

static void
row_finalized_cb (gpointer  user_data,
                  GObject  *where_the_object_was)
{
  PvCustomerList *self = user_data;
  guint position = pv_customer_row_get_position (PV_CUSTOMER_ROW (where_the_object_was));

  if (g_hash_table_lookup (self->rows, GUINT_TO_POINTER (position)) == where_the_object_was)
    g_hash_table_remove (self->rows, GUINT_TO_POINTER (position));
}

static void
forget_row (PvCustomerList *self,
            PvCustomerRow  *row)
{
  g_object_weak_unref (G_OBJECT (row), row_finalized_cb, self);
  g_hash_table_remove (self->rows, GUINT_TO_POINTER (pv_customer_row_get_position (row)));
}

/* Drops the pages farthest from where the view last looked, but never one the view still
 * holds rows of: those rows would wait forever for a page nobody fetches.
 */
static void
trim_pages (PvCustomerList *self)
{
  g_autoptr(GHashTable) pages_in_view = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (g_hash_table_size (self->pages) <= MAX_CACHED_PAGES)
    return;

  pages_in_view = g_hash_table_new (NULL, NULL);
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (pages_in_view,
                      GUINT_TO_POINTER (GPOINTER_TO_UINT (key) / PV_CUSTOMER_LIST_PAGE_SIZE));

  while (g_hash_table_size (self->pages) > MAX_CACHED_PAGES)
    {
      gboolean found = FALSE;
      guint farthest = 0;
      guint farthest_distance = 0;

      g_hash_table_iter_init (&iter, self->pages);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          guint index = GPOINTER_TO_UINT (key);
          Page *page = value;
          guint distance = index > self->last_page ? index - self->last_page
                                                   : self->last_page - index;

          if (g_hash_table_contains (pages_in_view, key)
              || (page->cancellable != NULL && page->cancellable == self->refresh_cancellable))
            continue;

          if (!found || distance > farthest_distance)
            {
              found = TRUE;
              farthest = index;
              farthest_distance = distance;
            }
        }

      if (!found)
        break;

      g_hash_table_remove (self->pages, GUINT_TO_POINTER (farthest));
    }
}

static void
emit_load_failed (PvCustomerList *self,
                  const GError   *error)
{
  g_debug ("Could not load customers: %s", error->message);
  g_signal_emit (self, signals[LOAD_FAILED], 0, error);
}

static void
page_loaded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  PvCustomerList *self = PV_CUSTOMER_LIST (object);
  Fetch *fetch = g_task_get_task_data (G_TASK (result));
  guint index = g_array_index (fetch->page_indices, guint, 0);
  g_autoptr(GError) error = NULL;
  Page *page;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* Forget the page, so that the view asking again tries again. */
      if (fetch->generation == self->generation)
        g_hash_table_remove (self->pages, GUINT_TO_POINTER (index));
      emit_load_failed (self, error);
      return;
    }

  /* Fetched for an older search, sort or version of the data. */
  if (fetch->generation != self->generation)
    return;

  page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));
  if (page == NULL || page->customers != NULL)
    return;

  g_clear_object (&page->cancellable);
  page->customers = g_ptr_array_ref (g_ptr_array_index (fetch->pages, 0));
  page->shown = g_ptr_array_ref (g_ptr_array_index (fetch->shown, 0));
  fill_page_rows (self, index);
  /* Older pages have gone to make room for this one. */
  pv_memory_trim_soon ();
}

static Page *
ensure_page (PvCustomerList *self,
             guint           index)
{
  g_autoptr(GTask) task = NULL;
  Fetch *fetch;
  Page *page;

  page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));
  if (page != NULL)
    return page;

  page = g_new0 (Page, 1);
  page->cancellable = g_cancellable_new ();
  g_hash_table_insert (self->pages, GUINT_TO_POINTER (index), page);

  fetch = fetch_new (self, FALSE);
  g_array_append_val (fetch->page_indices, index);
  if (index > 0)
    {
      Page *before = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index - 1));

      if (before != NULL && before->customers != NULL &&
          before->customers->len == PV_CUSTOMER_LIST_PAGE_SIZE)
        fetch->anchor = pv_customer_copy (g_ptr_array_index (before->customers,
                                                             before->customers->len - 1));
    }

  task = g_task_new (self, page->cancellable, page_loaded_cb, NULL);
  g_task_set_source_tag (task, ensure_page);
  g_task_set_task_data (task, fetch, (GDestroyNotify) fetch_free);
  g_task_run_in_thread (task, fetch_thread);

  trim_pages (self);

  return page;
}

static void
set_loading (PvCustomerList *self,
             gboolean        loading)
{
  gboolean was_loading = self->refresh_cancellable != NULL;

  if (!loading)
    g_clear_object (&self->refresh_cancellable);

  if (was_loading != loading)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static gboolean
refill_some_cb (gpointer user_data)
{
  PvCustomerList *self = user_data;
  gint64 now = get_now (self);
  guint n = MIN (self->unfilled->len, ROWS_FILLED_AT_ONCE);

  for (guint i = 0; i < n; i++)
    {
      guint position = g_array_index (self->unfilled, guint, i);
      PvCustomerRow *row = g_hash_table_lookup (self->rows, GUINT_TO_POINTER (position));

      if (row != NULL)
        fill_row (self, row, now);
    }
  g_array_remove_range (self->unfilled, 0, n);

  if (self->unfilled->len > 0)
    return G_SOURCE_CONTINUE;

  self->refill_source = 0;
  return G_SOURCE_REMOVE;
}

typedef struct
{
  guint position;
  guint distance;
} Held;

static int
compare_distance (gconstpointer a,
                  gconstpointer b)
{
  guint x = ((const Held *) a)->distance, y = ((const Held *) b)->distance;

  return (x > y) - (x < y);
}

/* Every row the view holds shows the new generation, or waits for its page. GTK 4.8 holds
 * about 410, most of them off screen: those nearest to where the view shows (the top, for a
 * new search; the middle of the rows held, for a reload) are refilled now, the others a
 * batch per main-loop iteration, so that a new result set costs the view one short frame
 * rather than one long one. */
static void
refill_rows (PvCustomerList *self,
             gboolean        restarted)
{
  g_autoptr(GArray) held = g_array_new (FALSE, FALSE, sizeof (Held));
  g_autoptr(GList) rows = g_hash_table_get_values (self->rows);
  gint64 now = get_now (self);
  guint around = 0;

  g_array_set_size (self->unfilled, 0);
  g_clear_handle_id (&self->refill_source, g_source_remove);

  for (const GList *l = rows; l != NULL; l = l->next)
    {
      PvCustomerRow *row = l->data;
      Held entry = { pv_customer_row_get_position (row), 0 };

      if (entry.position >= self->n_items)
        {
          forget_row (self, row);
          pv_customer_row_clear (row);
          continue;
        }

      ensure_page (self, entry.position / PV_CUSTOMER_LIST_PAGE_SIZE);
      g_array_append_val (held, entry);
    }

  if (held->len == 0)
    return;

  if (!restarted)
    {
      guint lowest = G_MAXUINT, highest = 0;

      for (guint i = 0; i < held->len; i++)
        {
          lowest = MIN (lowest, g_array_index (held, Held, i).position);
          highest = MAX (highest, g_array_index (held, Held, i).position);
        }
      around = lowest + (highest - lowest) / 2;
    }

  for (guint i = 0; i < held->len; i++)
    {
      Held *entry = &g_array_index (held, Held, i);

      entry->distance = entry->position > around ? entry->position - around
                                                 : around - entry->position;
    }
  g_array_sort (held, compare_distance);

  for (guint i = 0; i < held->len; i++)
    {
      guint position = g_array_index (held, Held, i).position;

      if (i < ROWS_FILLED_AT_ONCE)
        fill_row (self, g_hash_table_lookup (self->rows, GUINT_TO_POINTER (position)), now);
      else
        g_array_append_val (self->unfilled, position);
    }

  if (self->unfilled->len > 0)
    self->refill_source = g_idle_add (refill_some_cb, self);
}

static void
set_estimated (PvCustomerList *self,
               gboolean        estimated)
{
  if (self->estimated == estimated)
    return;

  self->estimated = estimated;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ESTIMATED]);
}

static void
stop_counting (PvCustomerList *self)
{
  g_clear_handle_id (&self->count_source, g_source_remove);
  if (self->count_cancellable != NULL)
    g_cancellable_cancel (self->count_cancellable);
  g_clear_object (&self->count_cancellable);
}

/* Only positions at the end come or go: see refreshed_cb(). */
static void
counted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  PvCustomerList *self = PV_CUSTOMER_LIST (object);
  Fetch *fetch = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  guint old_n_items;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not count customers: %s", error->message);
      return;
    }

  if (fetch->generation != self->generation)
    return;

  g_clear_object (&self->count_cancellable);
  old_n_items = self->n_items;
  self->n_items = fetch->n_items;
  set_estimated (self, FALSE);

  if (self->n_items < old_n_items)
    g_list_model_items_changed (G_LIST_MODEL (self), self->n_items,
                                old_n_items - self->n_items, 0);
  else if (self->n_items > old_n_items)
    g_list_model_items_changed (G_LIST_MODEL (self), old_n_items, 0,
                                self->n_items - old_n_items);
}

static gboolean
count_exactly_cb (gpointer user_data)
{
  PvCustomerList *self = user_data;
  g_autoptr(GTask) task = NULL;
  Fetch *fetch;

  self->count_source = 0;
  self->count_cancellable = g_cancellable_new ();

  fetch = fetch_new (self, TRUE);
  fetch->count_exactly = TRUE;

  task = g_task_new (self, self->count_cancellable, counted_cb, NULL);
  g_task_set_source_tag (task, count_exactly_cb);
  g_task_set_task_data (task, fetch, (GDestroyNotify) fetch_free);
  g_task_run_in_thread (task, fetch_thread);

  return G_SOURCE_REMOVE;
}

static void
refreshed_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  PvCustomerList *self = PV_CUSTOMER_LIST (object);
  Fetch *fetch = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean restarted;
  guint old_n_items;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || fetch->generation != self->generation)
        return;

      /* Keep showing what was there; the next change or reload tries again. */
      g_hash_table_remove_all (self->pages);
      self->restarting = FALSE;
      set_loading (self, FALSE);
      emit_load_failed (self, error);
      return;
    }

  if (fetch->generation != self->generation)
    return;

  old_n_items = self->n_items;
  restarted = self->restarting;
  self->restarting = FALSE;

  self->n_items = fetch->n_items;
  set_estimated (self, !fetch->exact);
  if (!fetch->exact)
    self->count_source = g_timeout_add (COUNT_DELAY_MS, count_exactly_cb, self);

  for (guint i = 0; i < fetch->page_indices->len; i++)
    {
      guint index = g_array_index (fetch->page_indices, guint, i);
      Page *page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));

      if (page == NULL)
        {
          page = g_new0 (Page, 1);
          g_hash_table_insert (self->pages, GUINT_TO_POINTER (index), page);
        }

      g_clear_object (&page->cancellable);
      g_clear_pointer (&page->customers, g_ptr_array_unref);
      g_clear_pointer (&page->shown, g_ptr_array_unref);
      page->customers = g_ptr_array_ref (g_ptr_array_index (fetch->pages, i));
      page->shown = g_ptr_array_ref (g_ptr_array_index (fetch->shown, i));
    }

  /* Rows are positions, and the ones the view holds are refilled in place, for a new search
   * as for a reload: only positions at the end come or go. Any other signal costs seconds at
   * a million customers: GTK 4.8's list views, told that their focus or scroll anchor row
   * was removed while others were added, look for it among every added item, and removing
   * every row and adding them back makes the view build its row widgets anew. A view that
   * wants a new search shown from the top scrolls there.
   *
   * Positions past the new end go first: the view lets go of their rows, which then need
   * no emptying, and is asked for new positions only once the others are refilled. */
  if (self->n_items < old_n_items)
    g_list_model_items_changed (G_LIST_MODEL (self), self->n_items,
                                old_n_items - self->n_items, 0);

  refill_rows (self, restarted);

  if (self->n_items > old_n_items)
    g_list_model_items_changed (G_LIST_MODEL (self), old_n_items, 0,
                                self->n_items - old_n_items);

  if (restarted)
    g_signal_emit (self, signals[REPLACED], 0);

  set_loading (self, FALSE);
  trim_pages (self);
}

static int
compare_uint (gconstpointer a,
              gconstpointer b)
{
  guint x = *(const guint *) a;
  guint y = *(const guint *) b;

  return (x > y) - (x < y);
}

/* A new list gets its search, sort and settings one by one, each a new generation: only the
 * last is fetched, once the main loop runs, rather than a count of a million customers for
 * each while the last waits its turn. Before the next frame all the same. */
static gboolean
launch_refresh_cb (gpointer user_data)
{
  PvCustomerList *self = user_data;
  g_autoptr(GTask) task = NULL;

  self->launch_source = 0;

  task = g_task_new (self, self->refresh_cancellable, refreshed_cb, NULL);
  g_task_set_source_tag (task, launch_refresh_cb);
  g_task_set_task_data (task, g_steal_pointer (&self->pending_refresh),
                        (GDestroyNotify) fetch_free);
  g_task_run_in_thread (task, fetch_thread);

  return G_SOURCE_REMOVE;
}

/* Counts the customers and fetches the pages the view shows, all for a new generation. */
static void
refresh (PvCustomerList *self,
         gboolean        restart)
{
  g_autoptr(GHashTable) indices = NULL;
  gboolean was_loading = self->refresh_cancellable != NULL;
  GHashTableIter iter;
  gpointer key;
  Fetch *fetch;

  self->generation++;
  self->restarting = self->restarting || restart;
  stop_counting (self);

  if (self->refresh_cancellable != NULL)
    g_cancellable_cancel (self->refresh_cancellable);
  g_clear_object (&self->refresh_cancellable);
  self->refresh_cancellable = g_cancellable_new ();

  /* Cached pages belong to the old generation; their fetches in flight are wasted work, and
   * so are rows still to refill from them: the new generation refills every row. */
  g_hash_table_remove_all (self->pages);
  g_array_set_size (self->unfilled, 0);
  g_clear_handle_id (&self->refill_source, g_source_remove);

  indices = g_hash_table_new (NULL, NULL);
  g_hash_table_add (indices, GUINT_TO_POINTER (0));
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (indices,
                      GUINT_TO_POINTER (GPOINTER_TO_UINT (key) / PV_CUSTOMER_LIST_PAGE_SIZE));

  fetch = fetch_new (self, TRUE);
  g_hash_table_iter_init (&iter, indices);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      guint index = GPOINTER_TO_UINT (key);
      Page *page = g_new0 (Page, 1);

      /* Marked as on its way, so that get_item() does not fetch it a second time. */
      page->cancellable = g_object_ref (self->refresh_cancellable);
      g_hash_table_insert (self->pages, key, page);
      g_array_append_val (fetch->page_indices, index);
    }
  g_array_sort (fetch->page_indices, compare_uint);

  g_clear_pointer (&self->pending_refresh, fetch_free);
  self->pending_refresh = fetch;
  if (self->launch_source == 0)
    self->launch_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE, launch_refresh_cb, self, NULL);

  if (!was_loading)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static GType
pv_customer_list_get_item_type (GListModel *model)
{
  return PV_TYPE_CUSTOMER_ROW;
}

static guint
pv_customer_list_get_n_items (GListModel *model)
{
  return PV_CUSTOMER_LIST (model)->n_items;
}

static gpointer
pv_customer_list_get_item (GListModel *model,
                           guint       position)
{
  PvCustomerList *self = PV_CUSTOMER_LIST (model);
  PvCustomerRow *row;

  if (position >= self->n_items)
    return NULL;

  self->last_page = position / PV_CUSTOMER_LIST_PAGE_SIZE;

  row = g_hash_table_lookup (self->rows, GUINT_TO_POINTER (position));
  if (row != NULL)
    return g_object_ref (row);

  row = pv_customer_row_new (position);
  self->n_rows_made++;
  g_hash_table_insert (self->rows, GUINT_TO_POINTER (position), row);
  g_object_weak_ref (G_OBJECT (row), row_finalized_cb, self);

  ensure_page (self, self->last_page);
  fill_row (self, row, get_now (self));

  return row;
}

static void
pv_customer_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = pv_customer_list_get_item_type;
  iface->get_n_items = pv_customer_list_get_n_items;
  iface->get_item = pv_customer_list_get_item;
}

static void
pv_customer_list_constructed (GObject *object)
{
  PvCustomerList *self = (PvCustomerList *) object;

  G_OBJECT_CLASS (pv_customer_list_parent_class)->constructed (object);

  g_return_if_fail (PV_IS_STORE (self->store));
  g_return_if_fail (PV_IS_CLOCK (self->clock));

  refresh (self, TRUE);
}

static void
pv_customer_list_dispose (GObject *object)
{
  PvCustomerList *self = (PvCustomerList *) object;
  GHashTableIter iter;
  gpointer value;

  if (self->refresh_cancellable != NULL)
    g_cancellable_cancel (self->refresh_cancellable);
  g_clear_object (&self->refresh_cancellable);

  g_clear_handle_id (&self->launch_source, g_source_remove);
  g_clear_pointer (&self->pending_refresh, fetch_free);
  stop_counting (self);

  if (self->pages != NULL)
    g_hash_table_remove_all (self->pages);
  g_clear_handle_id (&self->refill_source, g_source_remove);

  /* The rows may outlive the list: they must not call back into it. */
  if (self->rows != NULL)
    {
      g_hash_table_iter_init (&iter, self->rows);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          g_object_weak_unref (G_OBJECT (value), row_finalized_cb, self);
          g_hash_table_iter_remove (&iter);
        }
    }

  g_clear_object (&self->store);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (pv_customer_list_parent_class)->dispose (object);
}

static void
pv_customer_list_finalize (GObject *object)
{
  PvCustomerList *self = (PvCustomerList *) object;

  g_clear_pointer (&self->pages, g_hash_table_unref);
  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_clear_pointer (&self->unfilled, g_array_unref);
  g_clear_pointer (&self->search, g_free);
  g_clear_pointer (&self->office_country, g_free);

  G_OBJECT_CLASS (pv_customer_list_parent_class)->finalize (object);
}

static void
pv_customer_list_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PvCustomerList *self = PV_CUSTOMER_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;

    case PROP_SEARCH:
      g_value_set_string (value, self->search);
      break;

    case PROP_MAX_ATTEMPTS:
      g_value_set_uint (value, self->max_attempts);
      break;

    case PROP_OFFICE_COUNTRY:
      g_value_set_string (value, self->office_country);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, pv_customer_list_get_loading (self));
      break;

    case PROP_ESTIMATED:
      g_value_set_boolean (value, self->estimated);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_customer_list_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  PvCustomerList *self = PV_CUSTOMER_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_CLOCK:
      self->clock = g_value_dup_object (value);
      break;

    case PROP_SEARCH:
      pv_customer_list_set_search (self, g_value_get_string (value));
      break;

    case PROP_MAX_ATTEMPTS:
      pv_customer_list_set_max_attempts (self, g_value_get_uint (value));
      break;

    case PROP_OFFICE_COUNTRY:
      if (g_strcmp0 (self->office_country, g_value_get_string (value)) != 0)
        {
          g_free (self->office_country);
          self->office_country = g_value_dup_string (value);
          /* Every number may now be shown differently. */
          if (self->store != NULL)
            refresh (self, FALSE);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_customer_list_class_init (PvCustomerListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = pv_customer_list_constructed;
  object_class->dispose = pv_customer_list_dispose;
  object_class->finalize = pv_customer_list_finalize;
  object_class->get_property = pv_customer_list_get_property;
  object_class->set_property = pv_customer_list_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         PV_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL,
                         PV_TYPE_CLOCK,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_SEARCH] =
    g_param_spec_string ("search", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /* The same range and default as the "max-attempts" setting, which the view binds. */
  properties[PROP_MAX_ATTEMPTS] =
    g_param_spec_uint ("max-attempts", NULL, NULL,
                       1, 20, 5,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /* Numbers of this country are shown in national form, others in international form. */
  properties[PROP_OFFICE_COUNTRY] =
    g_param_spec_string ("office-country", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /* The number of items is an estimate: a search matched so many customers that counting
   * them waits until the search has stayed the same for a moment. */
  properties[PROP_ESTIMATED] =
    g_param_spec_boolean ("estimated", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PvCustomerList::load-failed:
   * @error: what went wrong, in words for staff
   *
   * The store could not be read. The list keeps what it had; a reload tries again.
   */
  signals[LOAD_FAILED] =
    g_signal_new ("load-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * PvCustomerList::replaced:
   *
   * A new search or sort has put other customers at every position, in place (see
   * refreshed_cb ()): a view shows them from the top.
   */
  signals[REPLACED] =
    g_signal_new ("replaced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
pv_customer_list_init (PvCustomerList *self)
{
  self->sort = PV_STORE_SORT_NUMBER;
  self->max_attempts = 5;
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) page_free);
  self->rows = g_hash_table_new (NULL, NULL);
  self->unfilled = g_array_new (FALSE, FALSE, sizeof (guint));
}

/**
 * pv_customer_list_new:
 * @clock: the clock that decides which codes have expired
 *
 * Returns: (transfer full): every customer in @store, sorted by number, loading
 */
PvCustomerList *
pv_customer_list_new (PvStore *store,
                      PvClock *clock)
{
  g_return_val_if_fail (PV_IS_STORE (store), NULL);
  g_return_val_if_fail (PV_IS_CLOCK (clock), NULL);

  return g_object_new (PV_TYPE_CUSTOMER_LIST,
                       "store", store,
                       "clock", clock,
                       NULL);
}

PvStore *
pv_customer_list_get_store (PvCustomerList *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_LIST (self), NULL);

  return self->store;
}

/**
 * pv_customer_list_get_search:
 *
 * Returns: (nullable): the text customers are filtered by, or %NULL for all of them
 */
const char *
pv_customer_list_get_search (PvCustomerList *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_LIST (self), NULL);

  return self->search;
}

/**
 * pv_customer_list_set_search:
 * @search: (nullable): text to find in numbers and names, as for pv_store_list_customers()
 *
 * Starts over with the customers that match @search.
 */
void
pv_customer_list_set_search (PvCustomerList *self,
                             const char     *search)
{
  g_return_if_fail (PV_IS_CUSTOMER_LIST (self));

  if (search != NULL && *search == '\0')
    search = NULL;

  if (g_strcmp0 (self->search, search) == 0)
    return;

  g_free (self->search);
  self->search = g_strdup (search);
  refresh (self, TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH]);
}

PvStoreSort
pv_customer_list_get_sort (PvCustomerList *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_LIST (self), PV_STORE_SORT_NUMBER);

  return self->sort;
}

gboolean
pv_customer_list_get_descending (PvCustomerList *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_LIST (self), FALSE);

  return self->descending;
}

/**
 * pv_customer_list_set_sort:
 *
 * Starts over with the customers in a new order.
 */
void
pv_customer_list_set_sort (PvCustomerList *self,
                           PvStoreSort     sort,
                           gboolean        descending)
{
  g_return_if_fail (PV_IS_CUSTOMER_LIST (self));

  descending = !!descending;
  if (self->sort == sort && self->descending == descending)
    return;

  self->sort = sort;
  self->descending = descending;
  refresh (self, TRUE);
}

guint
pv_customer_list_get_max_attempts (PvCustomerList *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_LIST (self), 0);

  return self->max_attempts;
}

/**
 * pv_customer_list_get_office_country:
 *
 * Returns: (nullable): the country whose numbers the rows show in national form
 */
const char *
pv_customer_list_get_office_country (PvCustomerList *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_LIST (self), NULL);

  return self->office_country;
}

/**
 * pv_customer_list_set_max_attempts:
 *
 * Sets how many wrong codes lock a customer, which decides the statuses shown.
 */
void
pv_customer_list_set_max_attempts (PvCustomerList *self,
                                   guint           max_attempts)
{
  g_return_if_fail (PV_IS_CUSTOMER_LIST (self));

  if (self->max_attempts == max_attempts)
    return;

  self->max_attempts = max_attempts;
  if (self->store != NULL)
    refresh (self, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_ATTEMPTS]);
}

/**
 * pv_customer_list_get_loading:
 *
 * Returns: whether the list is still counting the customers of its latest query; until
 *   then it shows those of the one before
 */
gboolean
pv_customer_list_get_loading (PvCustomerList *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_LIST (self), FALSE);

  return self->refresh_cancellable != NULL;
}

/**
 * pv_customer_list_get_estimated:
 *
 * Returns: whether the number of items is an estimate, counted exactly once the search has
 *   stayed the same for a moment
 */
gboolean
pv_customer_list_get_estimated (PvCustomerList *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_LIST (self), FALSE);

  return self->estimated;
}

/**
 * pv_customer_list_reload:
 *
 * Fetches the count and the rows the view holds again, after customers changed. Rows are
 * updated in place; the list only announces a change of items when the count changed.
 */
void
pv_customer_list_reload (PvCustomerList *self)
{
  g_return_if_fail (PV_IS_CUSTOMER_LIST (self));

  refresh (self, FALSE);
}

/**
 * pv_customer_list_get_n_rows_made:
 *
 * A view should only ever ask for the rows it shows and a few around them, whatever the
 * number of customers; this says how many it has asked for in all, for tests and benchmarks.
 *
 * Returns: how many row objects the list has made so far
 */
guint
pv_customer_list_get_n_rows_made (PvCustomerList *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_LIST (self), 0);

  return self->n_rows_made;
}

/**
 * pv_customer_list_get_n_cached_pages:
 *
 * Returns: how many pages of customers the list holds or is fetching
 */
guint
pv_customer_list_get_n_cached_pages (PvCustomerList *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_LIST (self), 0);

  return g_hash_table_size (self->pages);
}
