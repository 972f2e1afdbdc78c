/* pv-engine.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pv-clock.h"
#include "pv-store.h"
#include "pv-twilio-client.h"
#include "pv-twilio-credentials.h"
#include "pv-verifier.h"

G_BEGIN_DECLS

#define PV_TYPE_ENGINE (pv_engine_get_type ())

typedef enum
{
  PV_ENGINE_LOADING,          /* opening the database, reading the keyring */
  PV_ENGINE_NEEDS_ACCOUNT,    /* no Twilio account yet: codes cannot be sent */
  PV_ENGINE_READY,
  PV_ENGINE_KEYRING_FAILED,   /* the keyring is unavailable or locked; customers can be browsed */
  PV_ENGINE_STORE_FAILED,     /* the database cannot be opened; nothing works */
} PvEngineState;

typedef enum
{
  PV_CREDENTIALS_SOURCE_NONE,
  PV_CREDENTIALS_SOURCE_KEYRING,
  PV_CREDENTIALS_SOURCE_ENVIRONMENT,  /* TWILIO_* variables; read-only */
} PvCredentialsSource;

G_DECLARE_FINAL_TYPE (PvEngine, pv_engine, PV, ENGINE, GObject)

void                 pv_engine_choose_office_country    (GSettings            *settings);
void                 pv_engine_keep_office_wording      (GSettings            *settings);
char                *pv_engine_format_number            (PvEngine             *self,
                                                         const char           *e164);
PvEngine            *pv_engine_new                      (GSettings            *settings);
void             pv_engine_set_database         (PvEngine     *self,
                                                 const char   *uri);
PvEngineState        pv_engine_get_state                (PvEngine             *self);
const char          *pv_engine_get_problem              (PvEngine             *self);
PvCredentialsSource  pv_engine_get_credentials_source   (PvEngine             *self);
PvTwilioCredentials *pv_engine_dup_credentials          (PvEngine             *self);
GSettings           *pv_engine_get_settings             (PvEngine             *self);
PvClock             *pv_engine_get_clock                (PvEngine             *self);
PvStore             *pv_engine_get_store                (PvEngine             *self);
PvTwilioClient      *pv_engine_get_client               (PvEngine             *self);
PvVerifier          *pv_engine_get_verifier             (PvEngine             *self);
void                 pv_engine_load                     (PvEngine             *self);
void                 pv_engine_save_credentials_async   (PvEngine             *self,
                                                         const PvTwilioCredentials *credentials,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean             pv_engine_save_credentials_finish  (PvEngine             *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void                 pv_engine_forget_credentials_async (PvEngine             *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean             pv_engine_forget_credentials_finish (PvEngine            *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);
void                 pv_engine_test_credentials_async   (PvEngine             *self,
                                                         const PvTwilioCredentials *credentials,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
char                *pv_engine_test_credentials_finish  (PvEngine             *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

G_END_DECLS
