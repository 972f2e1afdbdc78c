/* pv-test-list-store.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A store that holds what a test gives it, in number order, for customers the SQLite store
 * would never hand out (numbers that are not E.164, or empty): the CSV export sees only the
 * PvStore interface, and another implementation might. It answers what the export asks and
 * nothing else; any other call crashes, which is what a test wants. The unit tests and the
 * fuzz target, which builds its own copy of the core, both compile it. */

#include "config.h"

#include <string.h>

#include "pv-test-list-store.h"

struct _PvTestListStore
{
  GObject    parent_instance;

  GPtrArray *customers;   /* sorted by number, no two alike */
};

static void pv_test_list_store_iface_init (PvStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PvTestListStore, pv_test_list_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PV_TYPE_STORE,
                                                      pv_test_list_store_iface_init))

static const char *
pv_test_list_store_get_location (PvStore *store)
{
  return "test";
}

static GPtrArray *
pv_test_list_store_list_customers_after (PvStore     *store,
                                         const char  *search,
                                         const char  *after,
                                         guint        limit,
                                         GError     **error)
{
  PvTestListStore *self = PV_TEST_LIST_STORE (store);
  GPtrArray *page = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_customer_free);

  g_assert_null (search);

  for (guint i = 0; i < self->customers->len && page->len < limit; i++)
    {
      const PvCustomer *customer = g_ptr_array_index (self->customers, i);

      if (after == NULL || strcmp (customer->number, after) > 0)
        g_ptr_array_add (page, pv_customer_copy (customer));
    }

  return page;
}

static void
pv_test_list_store_iface_init (PvStoreInterface *iface)
{
  iface->get_location = pv_test_list_store_get_location;
  iface->list_customers_after = pv_test_list_store_list_customers_after;
}

static void
pv_test_list_store_finalize (GObject *object)
{
  PvTestListStore *self = PV_TEST_LIST_STORE (object);

  g_clear_pointer (&self->customers, g_ptr_array_unref);

  G_OBJECT_CLASS (pv_test_list_store_parent_class)->finalize (object);
}

static void
pv_test_list_store_class_init (PvTestListStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pv_test_list_store_finalize;
}

static void
pv_test_list_store_init (PvTestListStore *self)
{
  self->customers = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_customer_free);
}

PvTestListStore *
pv_test_list_store_new (void)
{
  return g_object_new (PV_TYPE_TEST_LIST_STORE, NULL);
}

/**
 * pv_test_list_store_add:
 * @customer: (transfer full): the customer to hold
 *
 * Like the database's UNIQUE constraint, the first customer with a number wins.
 *
 * Returns: whether @customer was added; if not, it is freed
 */
gboolean
pv_test_list_store_add (PvTestListStore *self,
                        PvCustomer      *customer)
{
  guint low = 0, high = self->customers->len;

  while (low < high)
    {
      guint middle = low + (high - low) / 2;
      int order = strcmp (((PvCustomer *) self->customers->pdata[middle])->number,
                          customer->number);

      if (order == 0)
        {
          pv_customer_free (customer);
          return FALSE;
        }
      if (order < 0)
        low = middle + 1;
      else
        high = middle;
    }

  g_ptr_array_insert (self->customers, low, customer);
  return TRUE;
}

/**
 * pv_test_list_store_get_customers:
 *
 * Returns: (transfer none) (element-type PvCustomer): the customers, in number order
 */
GPtrArray *
pv_test_list_store_get_customers (PvTestListStore *self)
{
  return self->customers;
}
