/* pv-twilio-credentials.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PV_TYPE_TWILIO_CREDENTIALS (pv_twilio_credentials_get_type ())

typedef struct
{
  char *account_sid;            /* AC…; always the account in the URL path */
  char *api_key_sid;            /* SK…, or NULL to authenticate as the account itself */
  char *secret;                 /* the Auth Token, or the API key's secret */
  char *from;                   /* E.164 sender, or NULL when a Messaging Service is used */
  char *messaging_service_sid;  /* MG…, or NULL */
} PvTwilioCredentials;

GType                pv_twilio_credentials_get_type         (void) G_GNUC_CONST;
PvTwilioCredentials *pv_twilio_credentials_new              (const char                 *account_sid,
                                                             const char                 *api_key_sid,
                                                             const char                 *secret,
                                                             const char                 *from,
                                                             const char                 *messaging_service_sid);
PvTwilioCredentials *pv_twilio_credentials_new_from_environment (void);
PvTwilioCredentials *pv_twilio_credentials_copy             (const PvTwilioCredentials  *self);
void                 pv_twilio_credentials_free             (PvTwilioCredentials        *self);
gboolean             pv_twilio_credentials_is_complete      (const PvTwilioCredentials  *self);
gboolean             pv_twilio_sid_is_valid                 (const char                 *sid,
                                                             const char                 *prefix);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvTwilioCredentials, pv_twilio_credentials_free)

G_END_DECLS
