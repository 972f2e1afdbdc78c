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

#define PV_TYPE_TWILIO_CALL (pv_twilio_call_get_type ())

/* Twilio reads TwiML given inline up to this many characters. */
#define PV_TWILIO_MAX_TWIML_LENGTH 4000

typedef struct
{
  char *sid;        /* CA… */
  char *status;     /* queued, ringing, in-progress, completed, busy, failed, no-answer, canceled */
  int   duration;   /* seconds; 0 when Twilio sent "" or null */
} PvTwilioCall;

GType         pv_twilio_call_get_type  (void) G_GNUC_CONST;
PvTwilioCall *pv_twilio_call_copy      (const PvTwilioCall *self);
void          pv_twilio_call_free      (PvTwilioCall       *self);
gboolean      pv_twilio_call_is_final  (const PvTwilioCall *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvTwilioCall, pv_twilio_call_free)

/* Lookup's line_type_intelligence "type", in the order Twilio lists them. */
typedef enum
{
  PV_LINE_TYPE_UNKNOWN,
  PV_LINE_TYPE_MOBILE,
  PV_LINE_TYPE_LANDLINE,
  PV_LINE_TYPE_FIXED_VOIP,
  PV_LINE_TYPE_NON_FIXED_VOIP,
  PV_LINE_TYPE_PERSONAL,
  PV_LINE_TYPE_TOLL_FREE,
  PV_LINE_TYPE_PREMIUM,
  PV_LINE_TYPE_SHARED_COST,
  PV_LINE_TYPE_UAN,
  PV_LINE_TYPE_VOICEMAIL,
  PV_LINE_TYPE_PAGER,
} PvLineType;

#define PV_TYPE_TWILIO_LOOKUP (pv_twilio_lookup_get_type ())

typedef struct
{
  gboolean    valid;
  char       *phone_number;          /* E.164, NULL when invalid */
  char       *country_code;          /* ISO alpha-2, NULL when invalid */
  char      **validation_errors;     /* NULL-terminated, NULL when none */
  PvLineType  line_type;             /* UNKNOWN when not given */
  char       *carrier_name;          /* nullable */
  int         line_type_error_code;  /* line_type_intelligence.error_code, 0 when null */
} PvTwilioLookup;

GType           pv_twilio_lookup_get_type  (void) G_GNUC_CONST;
PvTwilioLookup *pv_twilio_lookup_copy      (const PvTwilioLookup *self);
void            pv_twilio_lookup_free      (PvTwilioLookup       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvTwilioLookup, pv_twilio_lookup_free)

#define PV_TYPE_TWILIO_INBOUND (pv_twilio_inbound_get_type ())

/* Listing follows at most this many pages before giving up. */
#define PV_TWILIO_MAX_LIST_PAGES 50

/* A text a customer sent to the account's number. */
typedef struct
{
  char   *sid;        /* SM… or MM… */
  char   *from;       /* the sender, as Twilio gives it (E.164 for phones); "" when null */
  char   *to;         /* our number; "" when null */
  char   *body;       /* "" when Twilio sent null */
  gint64  date_sent;  /* Unix seconds (UTC); 0 when null or unreadable */
} PvTwilioInbound;

GType            pv_twilio_inbound_get_type  (void) G_GNUC_CONST;
PvTwilioInbound *pv_twilio_inbound_copy      (const PvTwilioInbound *self);
void             pv_twilio_inbound_free      (PvTwilioInbound       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvTwilioInbound, pv_twilio_inbound_free)

G_DECLARE_FINAL_TYPE (PvTwilioClient, pv_twilio_client, PV, TWILIO_CLIENT, GObject)

PvTwilioClient  *pv_twilio_client_new                     (const char                 *base_url);
const char      *pv_twilio_client_get_base_url            (PvTwilioClient             *self);
void             pv_twilio_client_set_lookups_url         (PvTwilioClient             *self,
                                                           const char                 *base_url);
const char      *pv_twilio_client_get_lookups_url         (PvTwilioClient             *self);
void             pv_twilio_client_set_credentials         (PvTwilioClient             *self,
                                                           const PvTwilioCredentials  *credentials);
gboolean         pv_twilio_client_has_credentials         (PvTwilioClient             *self);
const char      *pv_twilio_client_get_phone_number        (PvTwilioClient             *self);
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
void             pv_twilio_client_start_call_async        (PvTwilioClient             *self,
                                                           const char                 *to,
                                                           const char                 *twiml,
                                                           guint                       timeout_seconds,
                                                           guint                       time_limit_seconds,
                                                           GCancellable               *cancellable,
                                                           GAsyncReadyCallback         callback,
                                                           gpointer                    user_data);
PvTwilioCall    *pv_twilio_client_start_call_finish       (PvTwilioClient             *self,
                                                           GAsyncResult               *result,
                                                           GError                    **error);
void             pv_twilio_client_fetch_call_async        (PvTwilioClient             *self,
                                                           const char                 *call_sid,
                                                           GCancellable               *cancellable,
                                                           GAsyncReadyCallback         callback,
                                                           gpointer                    user_data);
PvTwilioCall    *pv_twilio_client_fetch_call_finish       (PvTwilioClient             *self,
                                                           GAsyncResult               *result,
                                                           GError                    **error);
void             pv_twilio_client_fetch_call_failure_async (PvTwilioClient            *self,
                                                           const char                 *call_sid,
                                                           GCancellable               *cancellable,
                                                           GAsyncReadyCallback         callback,
                                                           gpointer                    user_data);
gboolean         pv_twilio_client_fetch_call_failure_finish (PvTwilioClient           *self,
                                                           GAsyncResult               *result,
                                                           int                        *error_code,
                                                           char                      **message_text,
                                                           GError                    **error);
void             pv_twilio_client_lookup_line_type_async  (PvTwilioClient             *self,
                                                           const char                 *e164,
                                                           GCancellable               *cancellable,
                                                           GAsyncReadyCallback         callback,
                                                           gpointer                    user_data);
PvTwilioLookup  *pv_twilio_client_lookup_line_type_finish (PvTwilioClient             *self,
                                                           GAsyncResult               *result,
                                                           GError                    **error);
void             pv_twilio_client_list_inbound_async      (PvTwilioClient             *self,
                                                           const char                 *to,
                                                           const char                 *from,
                                                           GDateTime                  *sent_since,
                                                           GCancellable               *cancellable,
                                                           GAsyncReadyCallback         callback,
                                                           gpointer                    user_data);
GPtrArray       *pv_twilio_client_list_inbound_finish     (PvTwilioClient             *self,
                                                           GAsyncResult               *result,
                                                           GError                    **error);

G_END_DECLS
