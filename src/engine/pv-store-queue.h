/* pv-store-queue.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pv-store.h"

G_BEGIN_DECLS

#define PV_TYPE_STORE_QUEUE (pv_store_queue_get_type ())

/* Runs on the queue's worker thread: store calls only, and nothing of the caller's that
 * the main thread may touch meanwhile. @data holds the job's inputs and its outputs. */
typedef gboolean (*PvStoreJobFunc) (PvStore   *store,
                                    gpointer   data,
                                    GError   **error);

G_DECLARE_FINAL_TYPE (PvStoreQueue, pv_store_queue, PV, STORE_QUEUE, GObject)

PvStoreQueue *pv_store_queue_new          (PvStore              *store);
PvStore      *pv_store_queue_get_store    (PvStoreQueue         *self);
void          pv_store_queue_run_async    (PvStoreQueue         *self,
                                           PvStoreJobFunc        func,
                                           gpointer              data,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean      pv_store_queue_run_finish   (PvStoreQueue         *self,
                                           GAsyncResult         *result,
                                           GError              **error);
void          pv_store_queue_lookup_async (PvStoreQueue         *self,
                                           const char           *number,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
PvCustomer   *pv_store_queue_lookup_finish (PvStoreQueue        *self,
                                           GAsyncResult         *result,
                                           GError              **error);

G_END_DECLS
