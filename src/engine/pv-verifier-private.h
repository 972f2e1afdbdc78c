/* pv-verifier-private.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Shared by the two halves of PvVerifier: pv-verifier.c (the object, checking codes,
 * delivery) and pv-verifier-send.c (registering and sending codes). */

#pragma once

#include "pv-call-tracker.h"
#include "pv-delivery-tracker.h"
#include "pv-inbound-watcher.h"
#include "pv-store-queue.h"
#include "pv-twilio-error.h"
#include "pv-verifier.h"

G_BEGIN_DECLS

struct _PvVerifier
{
  GObject          parent_instance;

  PvStore         *store;
  PvStoreQueue    *queue;            /* the store calls that must not hold up the window */
  PvTwilioClient  *client;
  PvClock         *clock;
  GBytes          *digest_key;

  char            *owner;            /* names this process on the sends it claims */
  GHashTable      *trackers;         /* E.164 number → PvDeliveryTracker or PvCallTracker */
  PvMessageComposer *composer;       /* what customers are sent, in their language */
  gboolean         check_line_type;  /* ask Twilio Lookup before a first send */
  PvInboundWatcher *inbound;         /* made when a text is first awaited */
  gboolean         reply_to_confirm; /* a texted code may also be texted back */
  guint            inbound_interval; /* milliseconds, 0 for the watcher's own */

  char            *default_country;   /* ISO 3166-1 alpha-2 */
  char           **served_countries;  /* served besides default_country */
  guint            code_length;
  guint            code_lifetime;
  guint            max_attempts;
  guint            resend_cooldown;
  guint            max_sends_per_hour;
  guint            delivery_timeout;
  guint            poll_interval;
};

enum {
  CODE_SENT,
  UPDATE,
  VERIFIED,
  RESET,
  DELIVERY_CHANGED,
  AWAITING_ENDED,
  N_SIGNALS
};

extern guint _pv_verifier_signals[N_SIGNALS];

PvUpdateAction _pv_verifier_action_for_next_step (PvTwilioNextStep step);
void     _pv_verifier_emit_update       (PvVerifier             *self,
                                         PvUpdateKind            kind,
                                         PvUpdateAction          action,
                                         const char             *format,
                                         ...) G_GNUC_PRINTF (4, 5);
void     _pv_verifier_emit_error_update (PvVerifier             *self,
                                         const GError           *error,
                                         PvUpdateAction          action);
gboolean _pv_verifier_report_failure    (PvVerifier             *self,
                                         GError                **error,
                                         GError                 *reason,
                                         PvUpdateKind            kind,
                                         PvUpdateAction          action,
                                         gboolean                reset);
gboolean _pv_verifier_check_configured  (PvVerifier             *self,
                                         GError                **error);
char    *_pv_verifier_display_number    (PvVerifier             *self,
                                         const char             *e164);
void     _pv_verifier_track_delivery    (PvVerifier             *self,
                                         const char             *number,
                                         const PvTwilioMessage  *message);
gboolean _pv_verifier_check_code        (PvVerifier             *self,
                                         const char             *e164,
                                         const char             *digits,
                                         gboolean                typed,
                                         const char             *inbound_sid,
                                         GError                **error);
void     _pv_verifier_check_code_async  (PvVerifier             *self,
                                         const char             *e164,
                                         const char             *digits,
                                         gboolean                typed,
                                         const char             *inbound_sid,
                                         GCancellable           *cancellable,
                                         GAsyncReadyCallback     callback,
                                         gpointer                user_data);
void     _pv_verifier_await_text        (PvVerifier             *self,
                                         const char             *number,
                                         gint64                  since,
                                         gint64                  until);
void     _pv_verifier_track_call        (PvVerifier             *self,
                                         const char             *number,
                                         const PvTwilioCall     *call);

G_END_DECLS
