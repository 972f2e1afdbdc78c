/* pv-csv-export.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pv-clock.h"
#include "pv-store.h"

G_BEGIN_DECLS

void   pv_csv_export_async  (PvStore              *store,
                             const char           *search,
                             GFile                *file,
                             PvClock              *clock,
                             guint                 max_attempts,
                             const char           *office_country,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data);
gssize pv_csv_export_finish (GAsyncResult         *result,
                             GError              **error);

G_END_DECLS
