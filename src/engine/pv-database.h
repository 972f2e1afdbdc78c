/* pv-database.h
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

char     *pv_database_dup_uri                  (GSettings            *settings);

void      pv_database_lookup_password_async    (const char           *uri,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
char     *pv_database_lookup_password_finish   (GAsyncResult         *result,
                                                GError              **error);
char     *pv_database_lookup_password_sync     (const char           *uri,
                                                GCancellable         *cancellable,
                                                GError              **error);
void      pv_database_save_password_async      (const char           *uri,
                                                const char           *password,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean  pv_database_save_password_finish     (GAsyncResult         *result,
                                                GError              **error);

PvStore  *pv_database_open                     (GSettings            *settings,
                                                const char           *uri_override,
                                                PvClock              *clock,
                                                GCancellable         *cancellable,
                                                GError              **error);
void      pv_database_open_async               (GSettings            *settings,
                                                const char           *uri_override,
                                                PvClock              *clock,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PvStore  *pv_database_open_finish              (GAsyncResult         *result,
                                                GError              **error);

void      pv_database_test_async               (const char           *uri,
                                                const char           *password,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean  pv_database_test_finish              (GAsyncResult         *result,
                                                char                **server_version,
                                                gint64               *n_customers,
                                                GError              **error);

G_END_DECLS
