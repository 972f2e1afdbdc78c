/* pv-database-copy.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pv-store.h"

G_BEGIN_DECLS

#define PV_TYPE_DATABASE_COPY (pv_database_copy_get_type ())

/* Customers copied at a time, each page in one transaction of the target. */
#define PV_DATABASE_COPY_PAGE_SIZE 500

G_DECLARE_FINAL_TYPE (PvDatabaseCopy, pv_database_copy, PV, DATABASE_COPY, GObject)

PvDatabaseCopy *pv_database_copy_new          (PvStore              *from,
                                               PvStore              *to);
double          pv_database_copy_get_progress (PvDatabaseCopy       *self);
guint           pv_database_copy_get_n_done   (PvDatabaseCopy       *self);
guint           pv_database_copy_get_n_total  (PvDatabaseCopy       *self);
void            pv_database_copy_run_async    (PvDatabaseCopy       *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean        pv_database_copy_run_finish   (PvDatabaseCopy       *self,
                                               GAsyncResult         *result,
                                               guint                *n_copied,
                                               guint                *n_already_there,
                                               GError              **error);

G_END_DECLS
