/* pv-twilio-client.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pv-twilio-credentials.h"

G_BEGIN_DECLS

#define PV_TYPE_TWILIO_CLIENT  (pv_twilio_client_get_type ())
#define PV_TYPE_TWILIO_MESSAGE (pv_twilio_message_get_type ())

/* Replies larger than this are refused as malformed; a Message is about 1 KiB. */
#define PV_TWILIO_MAX_REPLY_SIZE (256 * 1024)

typedef struct
{
  char *sid;            /* SM… or MM… */
  char *status;         /* queued, sent, delivered, undelivered, failed, … */
  int   error_code;     /* 0 when Twilio sent null */
  char *error_message;  /* NULL when Twilio sent null */
} PvTwilioMessage;

GType            pv_twilio_message_get_type  (void) G_GNUC_CONST;
PvTwilioMessage *pv_twilio_message_copy      (const PvTwilioMessage *self);
void             pv_twilio_message_free      (PvTwilioMessage       *self);
gboolean         pv_twilio_message_is_final  (const PvTwilioMessage *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvTwilioMessage, pv_twilio_message_free)

G_DECLARE_FINAL_TYPE (PvTwilioClient, pv_twilio_client, PV, TWILIO_CLIENT, GObject)

PvTwilioClient  *pv_twilio_client_new                     (const char                 *base_url);
const char      *pv_twilio_client_get_base_url            (PvTwilioClient             *self);
void             pv_twilio_client_set_credentials         (PvTwilioClient             *self,
                                                           const PvTwilioCredentials  *credentials);
gboolean         pv_twilio_client_has_credentials         (PvTwilioClient             *self);
void             pv_twilio_client_set_timeout             (PvTwilioClient             *self,
                                                           guint                       seconds);
void             pv_twilio_client_send_message_async      (PvTwilioClient             *self,
                                                           const char                 *to,
                                                           const char                 *body,
                                                           GCancellable               *cancellable,
                                                           GAsyncReadyCallback         callback,
                                                           gpointer                    user_data);
PvTwilioMessage *pv_twilio_client_send_message_finish     (PvTwilioClient             *self,
                                                           GAsyncResult               *result,
                                                           GError                    **error);
void             pv_twilio_client_fetch_message_async     (PvTwilioClient             *self,
                                                           const char                 *message_sid,
                                                           GCancellable               *cancellable,
                                                           GAsyncReadyCallback         callback,
                                                           gpointer                    user_data);
PvTwilioMessage *pv_twilio_client_fetch_message_finish    (PvTwilioClient             *self,
                                                           GAsyncResult               *result,
                                                           GError                    **error);
void             pv_twilio_client_check_credentials_async (PvTwilioClient             *self,
                                                           GCancellable               *cancellable,
                                                           GAsyncReadyCallback         callback,
                                                           gpointer                    user_data);
char            *pv_twilio_client_check_credentials_finish (PvTwilioClient            *self,
                                                           GAsyncResult               *result,
                                                           GError                    **error);

G_END_DECLS
