/* pv-sqlite-store-anchors.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Jumps deep into an order without OFFSET. Dragging the scroll bar of the Customers view
 * asks for a page half a million customers in, whose neighbours are not loaded; an offset
 * steps over every customer before it, 20–46 ms in the middle of a million and twice that
 * at the end, for each jump. Instead, the first deep jump into an order walks that order's
 * index once, reading only ids, and keeps every ANCHOR_STEP-th: later jumps read on from
 * the nearest one before the page with keyset paging, as scrolling does. The anchors hold
 * until the next write by anyone, like the search's matches (see
 * pv-sqlite-store-matches.c). */

#define G_LOG_DOMAIN "pv-store"

#include "config.h"

#include "pv-sqlite-store-private.h"

/* A jump then reads at most this many customers more than its page. */
#define ANCHOR_STEP 256

struct _PvAnchorSet
{
  char   *key;            /* the order and search they are for */
  gint64  data_version;   /* of the database when they were read */
  GArray *ids;            /* (element-type gint64): the customers at positions STEP - 1,
                           * 2 × STEP - 1, … */
};

void
_pv_anchor_set_free (PvAnchorSet *set)
{
  g_free (set->key);
  g_array_unref (set->ids);
  g_free (set);
}

static PvCustomer *
read_customer (PvSqliteStore  *self,
               gint64          id,
               GError        **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;
  int result;

  stmt = _pv_sqlite_store_get_read_statement (self, "SELECT " PV_CUSTOMER_COLUMNS
                                              " FROM customers WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);

  result = sqlite3_step (stmt);
  if (result == SQLITE_ROW)
    return _pv_sqlite_store_customer_from_row (stmt, error);
  if (result != SQLITE_DONE)
    _pv_sqlite_store_set_read_error (self, error);

  return NULL;
}

static PvAnchorSet *
ensure_anchors (PvSqliteStore  *self,
                const char     *search,
                PvStoreSort     sort,
                gboolean        descending,
                GError        **error)
{
  g_autofree char *key = g_strdup_printf ("%d %d %s%s", sort, descending,
                                          search != NULL ? "=" : "-",
                                          search != NULL ? search : "");
  PvAnchorSet *set = self->read_anchors;
  gint64 data_version;

  if (!_pv_sqlite_store_read_data_version (self, &data_version, error))
    return NULL;

  if (set != NULL && set->data_version == data_version && g_str_equal (set->key, key))
    return set;

  g_clear_pointer (&self->read_anchors, _pv_anchor_set_free);

  set = g_new0 (PvAnchorSet, 1);
  set->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (!_pv_sqlite_store_walk_order (self, search, sort, descending, ANCHOR_STEP, set->ids,
                                    error))
    {
      _pv_anchor_set_free (set);
      return NULL;
    }
  g_debug ("Read %u anchors", set->ids->len);

  set->key = g_steal_pointer (&key);
  set->data_version = data_version;
  self->read_anchors = set;

  return set;
}

/**
 * _pv_sqlite_store_find_anchor:
 * @self: a #PvSqliteStore
 * @search: (nullable): the search, as for _pv_sqlite_store_list_customers()
 * @sort: the sort order
 * @descending: whether to reverse it
 * @offset: the position of the page wanted
 * @anchor: (out) (transfer full): return location for the customer to read on from, or
 *   %NULL to read from the start of the order
 * @skip: (out): return location for how many customers to skip after @anchor (or from the
 *   start) to reach @offset; not @offset when the anchor was deleted meanwhile, when only
 *   an offset will do
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
_pv_sqlite_store_find_anchor (PvSqliteStore  *self,
                              const char     *search,
                              PvStoreSort     sort,
                              gboolean        descending,
                              guint           offset,
                              PvCustomer    **anchor,
                              guint          *skip,
                              GError        **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->read_mutex);
  g_autoptr(GError) local_error = NULL;
  PvAnchorSet *set;
  guint index;

  *anchor = NULL;
  *skip = offset;

  if (offset < ANCHOR_STEP)
    return TRUE;

  set = ensure_anchors (self, search, sort, descending, error);
  if (set == NULL)
    return FALSE;

  /* Past the last anchor, the page reads on from it, and is short or empty. */
  index = MIN (offset / ANCHOR_STEP, set->ids->len);
  if (index == 0)
    return TRUE;

  *anchor = read_customer (self, g_array_index (set->ids, gint64, index - 1), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  /* Deleted between the anchors' version check and now. */
  *skip = *anchor != NULL ? offset - index * ANCHOR_STEP : G_MAXUINT;

  return TRUE;
}
