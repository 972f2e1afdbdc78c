/* pv-customer.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PV_TYPE_CUSTOMER (pv_customer_get_type ())
#define PV_TYPE_EVENT    (pv_event_get_type ())

typedef enum
{
  PV_CUSTOMER_STATUS_PENDING,
  PV_CUSTOMER_STATUS_VERIFIED,
} PvCustomerStatus;

typedef enum
{
  PV_EVENT_NONE,
  PV_EVENT_CODE_SENT,
  PV_EVENT_DELIVERY_UPDATE,
  PV_EVENT_CHECK_FAILED,
  PV_EVENT_VERIFIED,
  PV_EVENT_DELETED,
  PV_EVENT_SEND_UNKNOWN,     /* the request may have reached Twilio, but no answer came */
  PV_EVENT_SEND_REFUSED,     /* Twilio definitely did not send it */
  PV_EVENT_RENAMED,          /* the detail is the new name, or NULL when it was cleared */
  PV_EVENT_LANGUAGE_SET,     /* the detail is the customer's language, or NULL for the
                              * one their number's country speaks */
} PvEventKind;

/* How a code reached, or was to reach, the customer. */
typedef enum
{
  PV_CHANNEL_NONE,
  PV_CHANNEL_SMS,
  PV_CHANNEL_CALL,
  PV_CHANNEL_INBOUND,  /* nothing goes out: the customer texts the code to the office */
} PvChannel;

/* Where the last code's text message stands. SENDING is written before the request goes
 * out, so a process killed mid-send leaves a trace that the next start turns into UNKNOWN
 * instead of pretending the text arrived. */
typedef enum
{
  PV_SEND_STATE_NONE,
  PV_SEND_STATE_SENDING,
  PV_SEND_STATE_SENT,
  PV_SEND_STATE_UNKNOWN,
} PvSendState;

/* All times are seconds since the Unix epoch, UTC; 0 means "never". */
typedef struct
{
  gint64            id;                 /* 0 until the store assigns one */
  char             *number;             /* E.164 */
  char             *name;               /* nullable */
  PvCustomerStatus  status;
  char             *code_digest;        /* hex HMAC-SHA256, nullable; never the code itself */
  gint64            code_expires_at;
  guint             failed_attempts;
  guint             sends_in_window;
  gint64            send_window_started_at;
  gint64            last_sent_at;
  char             *message_sid;        /* nullable */
  char             *delivery_status;    /* nullable; Twilio's status word */
  int               delivery_error_code;
  gint64            created_at;
  gint64            verified_at;
  gint64            updated_at;         /* last activity */
  PvSendState       send_state;
  gint64            send_id;            /* grows with every send: the send's compare-and-set token */
  char             *send_owner;         /* nullable; the process sending, while SENDING */
  char             *code_seed;          /* nullable; with the keyring's key, makes the live
                                         * code again, so a call or another text can carry
                                         * the same code (see pv_code_derive()) */
  PvChannel         channel;            /* of the last send */
  char             *language;           /* nullable; staff's choice over the country's */
} PvCustomer;

typedef struct
{
  gint64       id;
  char        *number;
  PvEventKind  kind;
  char        *detail;                  /* nullable */
  gint64       time;
  PvChannel    channel;                 /* for sends and their delivery, else NONE */
} PvEvent;

GType             pv_customer_get_type              (void) G_GNUC_CONST;
PvCustomer       *pv_customer_new                   (const char        *number);
PvCustomer       *pv_customer_copy                  (const PvCustomer  *self);
void              pv_customer_free                  (PvCustomer        *self);
const char       *pv_customer_status_to_string      (PvCustomerStatus   status);
gboolean          pv_customer_status_from_string    (const char        *string,
                                                     PvCustomerStatus  *status);
const char       *pv_send_state_to_string           (PvSendState        state);
gboolean          pv_send_state_from_string         (const char        *string,
                                                     PvSendState       *state);
const char       *pv_channel_to_string              (PvChannel          channel);
gboolean          pv_channel_from_string            (const char        *string,
                                                     PvChannel         *channel);
PvChannel         pv_channel_from_sid               (const char        *sid);

GType             pv_event_get_type                 (void) G_GNUC_CONST;
PvEvent          *pv_event_new                      (const char        *number,
                                                     PvEventKind        kind,
                                                     const char        *detail,
                                                     gint64             time);
PvEvent          *pv_event_copy                     (const PvEvent     *self);
void              pv_event_free                     (PvEvent           *self);
const char       *pv_event_kind_to_string           (PvEventKind        kind);
gboolean          pv_event_kind_from_string         (const char        *string,
                                                     PvEventKind       *kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvCustomer, pv_customer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvEvent, pv_event_free)

G_END_DECLS
