/* pv-secret-store.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pv-twilio-credentials.h"

G_BEGIN_DECLS

#define PV_SECRET_ERROR (pv_secret_error_quark ())

typedef enum
{
  PV_SECRET_ERROR_UNAVAILABLE,  /* no session bus, no Secret Service, or no default keyring */
  PV_SECRET_ERROR_LOCKED,       /* the keyring exists but is locked and nobody can unlock it */
  PV_SECRET_ERROR_CORRUPT,      /* an item is there, but not in the shape we wrote */
  PV_SECRET_ERROR_FAILED,
} PvSecretError;

/* Text holding a secret; g_autoptr(PvSecretText) wipes it before freeing it. */
typedef char PvSecretText;

GQuark               pv_secret_error_quark                      (void);
void                 pv_secret_text_free                        (char                       *text);

void                 pv_secret_store_lookup_credentials_async  (GCancellable               *cancellable,
                                                                 GAsyncReadyCallback         callback,
                                                                 gpointer                    user_data);
PvTwilioCredentials *pv_secret_store_lookup_credentials_finish (GAsyncResult               *result,
                                                                 GError                    **error);
void                 pv_secret_store_save_credentials_async    (const PvTwilioCredentials  *credentials,
                                                                 GCancellable               *cancellable,
                                                                 GAsyncReadyCallback         callback,
                                                                 gpointer                    user_data);
gboolean             pv_secret_store_save_credentials_finish   (GAsyncResult               *result,
                                                                 GError                    **error);
void                 pv_secret_store_clear_credentials_async   (GCancellable               *cancellable,
                                                                 GAsyncReadyCallback         callback,
                                                                 gpointer                    user_data);
gboolean             pv_secret_store_clear_credentials_finish  (GAsyncResult               *result,
                                                                 GError                    **error);
void                 pv_secret_store_ensure_digest_key_async   (GCancellable               *cancellable,
                                                                 GAsyncReadyCallback         callback,
                                                                 gpointer                    user_data);
GBytes              *pv_secret_store_ensure_digest_key_finish  (GAsyncResult               *result,
                                                                 GError                    **error);
void                 pv_secret_store_lookup_database_password_async  (const char          *server,
                                                                      GCancellable        *cancellable,
                                                                      GAsyncReadyCallback  callback,
                                                                      gpointer             user_data);
char                *pv_secret_store_lookup_database_password_finish (GAsyncResult        *result,
                                                                      GError             **error);
char                *pv_secret_store_lookup_database_password_sync   (const char          *server,
                                                                      GCancellable        *cancellable,
                                                                      GError             **error);
void                 pv_secret_store_save_database_password_async    (const char          *server,
                                                                      const char          *password,
                                                                      GCancellable        *cancellable,
                                                                      GAsyncReadyCallback  callback,
                                                                      gpointer             user_data);
gboolean             pv_secret_store_save_database_password_finish   (GAsyncResult        *result,
                                                                      GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvSecretText, pv_secret_text_free)

G_END_DECLS
