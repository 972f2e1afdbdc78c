/* pv-store.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pv-clock.h"
#include "pv-customer.h"

G_BEGIN_DECLS

#define PV_TYPE_STORE  (pv_store_get_type ())
#define PV_STORE_ERROR (pv_store_error_quark ())

typedef enum
{
  PV_STORE_ERROR_OPEN,          /* the file cannot be opened or created */
  PV_STORE_ERROR_TOO_NEW,       /* written by a newer PhoneVerify; we refuse to touch it */
  PV_STORE_ERROR_EXISTS,        /* that number is already stored */
  PV_STORE_ERROR_NOT_FOUND,
  PV_STORE_ERROR_FAILED,
} PvStoreError;

typedef enum
{
  PV_STORE_SORT_NUMBER,
  PV_STORE_SORT_NAME,
  PV_STORE_SORT_STATUS,
  PV_STORE_SORT_LAST_ACTIVITY,
  PV_STORE_SORT_CREATED,
} PvStoreSort;

/* The schema version this build writes (PRAGMA user_version). */
#define PV_STORE_SCHEMA_VERSION 1

G_DECLARE_FINAL_TYPE (PvStore, pv_store, PV, STORE, GObject)

GQuark       pv_store_error_quark       (void);
char        *pv_store_get_default_path  (void);
PvStore     *pv_store_open              (const char        *path,
                                         PvClock           *clock,
                                         GError           **error);
const char  *pv_store_get_path          (PvStore           *self);
int          pv_store_get_schema_version (PvStore          *self);
PvCustomer  *pv_store_lookup            (PvStore           *self,
                                         const char        *number,
                                         GError           **error);
gboolean     pv_store_insert_customer   (PvStore           *self,
                                         PvCustomer        *customer,
                                         PvEventKind        event,
                                         const char        *detail,
                                         GError           **error);
gboolean     pv_store_update_customer   (PvStore           *self,
                                         const PvCustomer  *customer,
                                         PvEventKind        event,
                                         const char        *detail,
                                         GError           **error);
gboolean     pv_store_delete_customer   (PvStore           *self,
                                         const char        *number,
                                         PvEventKind        event,
                                         const char        *detail,
                                         GError           **error);
GPtrArray   *pv_store_list_customers    (PvStore           *self,
                                         const char        *search,
                                         PvStoreSort        sort,
                                         gboolean           descending,
                                         guint              offset,
                                         guint              limit,
                                         GError           **error);
GPtrArray   *pv_store_list_customers_after (PvStore         *self,
                                         const char        *search,
                                         const char        *after,
                                         guint              limit,
                                         GError           **error);
gboolean     pv_store_count_customers   (PvStore           *self,
                                         const char        *search,
                                         guint             *n_customers,
                                         GError           **error);
GPtrArray   *pv_store_list_events       (PvStore           *self,
                                         const char        *number,
                                         GError           **error);

G_END_DECLS
