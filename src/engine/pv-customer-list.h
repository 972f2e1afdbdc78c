/* pv-customer-list.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pv-clock.h"
#include "pv-customer-row.h"
#include "pv-store.h"

G_BEGIN_DECLS

#define PV_TYPE_CUSTOMER_LIST (pv_customer_list_get_type ())

/* How many customers one query fetches. */
#define PV_CUSTOMER_LIST_PAGE_SIZE 100

G_DECLARE_FINAL_TYPE (PvCustomerList, pv_customer_list, PV, CUSTOMER_LIST, GObject)

PvCustomerList *pv_customer_list_new                 (PvStore        *store,
                                                      PvClock        *clock);
PvStore        *pv_customer_list_get_store           (PvCustomerList *self);
const char     *pv_customer_list_get_search          (PvCustomerList *self);
void            pv_customer_list_set_search          (PvCustomerList *self,
                                                      const char     *search);
PvStoreSort     pv_customer_list_get_sort            (PvCustomerList *self);
gboolean        pv_customer_list_get_descending      (PvCustomerList *self);
void            pv_customer_list_set_sort            (PvCustomerList *self,
                                                      PvStoreSort     sort,
                                                      gboolean        descending);
guint           pv_customer_list_get_max_attempts    (PvCustomerList *self);
void            pv_customer_list_set_max_attempts    (PvCustomerList *self,
                                                      guint           max_attempts);
const char     *pv_customer_list_get_office_country  (PvCustomerList *self);
gboolean        pv_customer_list_get_loading         (PvCustomerList *self);
gboolean        pv_customer_list_get_estimated       (PvCustomerList *self);
void            pv_customer_list_reload              (PvCustomerList *self);
guint           pv_customer_list_get_n_cached_pages  (PvCustomerList *self);
guint           pv_customer_list_get_n_rows_made     (PvCustomerList *self);

G_END_DECLS
