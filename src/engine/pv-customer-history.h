/* pv-customer-history.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pv-customer.h"
#include "pv-store.h"

G_BEGIN_DECLS

/* One line of a customer's history, as staff read it. */
typedef struct
{
  PvEventKind  kind;
  char        *title;       /* "Wrong code", "Text not delivered" */
  char        *detail;      /* nullable: the attempt, the reason, the message */
  const char  *icon_name;   /* nullable */
  gint64       time;        /* Unix seconds, UTC */
} PvHistoryEntry;

/* A customer and their events, read together. */
typedef struct
{
  PvCustomer *customer;     /* nullable: deleted */
  GPtrArray  *events;       /* (element-type PvEvent), oldest first */
} PvCustomerRecord;

void              pv_history_entry_free           (PvHistoryEntry    *entry);
void              pv_customer_record_free         (PvCustomerRecord  *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvCustomerRecord, pv_customer_record_free)

GPtrArray        *pv_customer_history_describe    (GPtrArray         *events,
                                                   guint              max_attempts);

void              pv_customer_record_load_async   (PvStore           *store,
                                                   const char        *number,
                                                   GCancellable      *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer           user_data);
PvCustomerRecord *pv_customer_record_load_finish  (PvStore           *store,
                                                   GAsyncResult      *result,
                                                   GError           **error);

void              pv_customer_rename_async        (PvStore           *store,
                                                   const char        *number,
                                                   const char        *name,
                                                   GCancellable      *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer           user_data);
gboolean          pv_customer_rename_finish       (PvStore           *store,
                                                   GAsyncResult      *result,
                                                   GError           **error);

void              pv_customer_set_language_async  (PvStore           *store,
                                                   const char        *number,
                                                   const char        *language,
                                                   GCancellable      *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer           user_data);
gboolean          pv_customer_set_language_finish (PvStore           *store,
                                                   GAsyncResult      *result,
                                                   GError           **error);

G_END_DECLS
