/* pv-verifier.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pv-clock.h"
#include "pv-message-composer.h"
#include "pv-phone-number.h"
#include "pv-store.h"
#include "pv-store-queue.h"
#include "pv-twilio-client.h"

G_BEGIN_DECLS

#define PV_TYPE_VERIFIER  (pv_verifier_get_type ())
#define PV_VERIFIER_ERROR (pv_verifier_error_quark ())

typedef enum
{
  PV_VERIFIER_ERROR_BUSY,              /* a send to that number is already in flight */
  PV_VERIFIER_ERROR_ALREADY_VERIFIED,
  PV_VERIFIER_ERROR_ALREADY_REQUESTED, /* a live code exists; no new one was sent */
  PV_VERIFIER_ERROR_COOLDOWN,
  PV_VERIFIER_ERROR_SEND_LIMIT,
  PV_VERIFIER_ERROR_NOT_REQUESTED,
  PV_VERIFIER_ERROR_INVALID_CODE,      /* not digits, or the wrong length: no attempt used */
  PV_VERIFIER_ERROR_WRONG_CODE,
  PV_VERIFIER_ERROR_EXPIRED,
  PV_VERIFIER_ERROR_LOCKED,
  PV_VERIFIER_ERROR_NOT_CONFIGURED,    /* no Twilio credentials or no digest key */
  PV_VERIFIER_ERROR_COUNTRY_NOT_SERVED, /* a number from a country the office does not serve */
  PV_VERIFIER_ERROR_LINE_TYPE_REFUSED, /* Twilio Lookup: invalid, premium and the like */
  PV_VERIFIER_ERROR_AWAITING_TEXT,     /* a code the customer is to text us is typed in */
  PV_VERIFIER_ERROR_OPTED_OUT,         /* the customer replied STOP or the like */
  PV_VERIFIER_ERROR_NO_CODE_IN_TEXT,   /* the customer's text holds no code */
  PV_VERIFIER_ERROR_NO_OFFICE_NUMBER,  /* a Messaging Service sends: no number to text */
} PvVerifierError;

typedef enum
{
  PV_UPDATE_INFO,
  PV_UPDATE_SUCCESS,
  PV_UPDATE_ERROR,
} PvUpdateKind;

/* What the staff member could usefully do next; the UI turns it into a toast button. */
typedef enum
{
  PV_UPDATE_ACTION_NONE,
  PV_UPDATE_ACTION_RETRY,
  PV_UPDATE_ACTION_OPEN_PREFERENCES,
  PV_UPDATE_ACTION_RESEND,
  PV_UPDATE_ACTION_START_OVER,
  PV_UPDATE_ACTION_VERIFY_AGAIN,  /* the number is verified: send it a new code anyway */
  PV_UPDATE_ACTION_EDIT_NUMBER,   /* the number as typed is at fault: its field can say so */
  PV_UPDATE_ACTION_EDIT_NAME,     /* the name as typed is at fault */
  PV_UPDATE_ACTION_OPEN_GEO_PERMISSIONS,   /* in the Twilio Console */
  PV_UPDATE_ACTION_OPEN_VERIFIED_NUMBERS,  /* in the Twilio Console */
  PV_UPDATE_ACTION_CALL_INSTEAD,  /* the same code, read out by a call */
  PV_UPDATE_ACTION_TEXT_INSTEAD,  /* the same code, by text */
  PV_UPDATE_ACTION_OPEN_VOICE_GEO_PERMISSIONS,  /* in the Twilio Console */
} PvUpdateAction;

/* A code the customer texts to the office, from pv_verifier_texts_us_finish(). */
typedef struct
{
  char   *number;         /* the customer's, E.164: only a text from it counts */
  char   *office_number;  /* E.164: where the customer texts the code */
  char   *code;           /* shown to the customer; never logged or stored in clear */
  char   *body;           /* what their text says: the code after PV_TEXTS_US_PREFIX */
  gint64  expires_at;     /* Unix seconds */
} PvTextsUs;

/* Tells the office's texts apart from anything else the customer might send it. */
#define PV_TEXTS_US_PREFIX "PV"

void pv_texts_us_free (PvTextsUs *texts_us);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvTextsUs, pv_texts_us_free)

G_DECLARE_FINAL_TYPE (PvVerifier, pv_verifier, PV, VERIFIER, GObject)

GQuark       pv_verifier_error_quark    (void);
PvVerifier  *pv_verifier_new            (PvStore              *store,
                                         PvTwilioClient       *client,
                                         PvClock              *clock);
void         pv_verifier_set_digest_key (PvVerifier           *self,
                                         GBytes               *key);
void         pv_verifier_bind_settings  (PvVerifier           *self,
                                         GSettings            *settings);
PvMessageComposer *pv_verifier_get_composer (PvVerifier       *self);
PvStore     *pv_verifier_get_store      (PvVerifier           *self);
PvChannel    pv_verifier_propose_channel (PvVerifier          *self,
                                         const PvPhoneNumber  *number);
PvStoreQueue *pv_verifier_get_store_queue (PvVerifier        *self);
guint        pv_verifier_get_cooldown_remaining (PvVerifier   *self,
                                         const PvCustomer     *customer);
guint        pv_verifier_get_attempts_left (PvVerifier        *self,
                                         const PvCustomer     *customer);
void         pv_verifier_register_async (PvVerifier           *self,
                                         const char           *input,
                                         const char           *name,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
void         pv_verifier_register_in_country_async (PvVerifier *self,
                                         const char           *input,
                                         const char           *country,
                                         const char           *name,
                                         PvChannel             channel,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
char        *pv_verifier_register_finish (PvVerifier          *self,
                                         GAsyncResult         *result,
                                         GError              **error);
void         pv_verifier_send_again_async  (PvVerifier        *self,
                                            const char        *number,
                                            PvChannel          channel,
                                            GCancellable      *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer           user_data);
gboolean     pv_verifier_send_again_finish (PvVerifier        *self,
                                            GAsyncResult      *result,
                                            GError           **error);
void         pv_verifier_resend_async   (PvVerifier           *self,
                                         const char           *number,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean     pv_verifier_resend_finish  (PvVerifier           *self,
                                         GAsyncResult         *result,
                                         GError              **error);
void         pv_verifier_verify_again_async  (PvVerifier           *self,
                                              const char           *number,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean     pv_verifier_verify_again_finish (PvVerifier           *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void         pv_verifier_texts_us_async (PvVerifier           *self,
                                         const char           *input,
                                         const char           *country,
                                         const char           *name,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
PvTextsUs   *pv_verifier_texts_us_finish (PvVerifier          *self,
                                         GAsyncResult         *result,
                                         GError              **error);
gboolean     pv_verifier_is_awaiting_text (PvVerifier         *self,
                                         const char           *number);
void         pv_verifier_stop_awaiting_text (PvVerifier       *self,
                                         const char           *number);
void         pv_verifier_set_inbound_interval (PvVerifier     *self,
                                         guint                 milliseconds);
gboolean     pv_verifier_read_text      (PvVerifier           *self,
                                         const char           *number,
                                         const char           *body,
                                         const char           *sid,
                                         GError              **error);
int          pv_verifier_recover_sends  (PvVerifier           *self,
                                         GError              **error);
void         pv_verifier_recover_sends_async (PvVerifier      *self,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
int          pv_verifier_recover_sends_finish (PvVerifier     *self,
                                         GAsyncResult         *result,
                                         GError              **error);
gboolean     pv_verifier_verify_in_country (PvVerifier        *self,
                                         const char           *number,
                                         const char           *country,
                                         const char           *code,
                                         GError              **error);
gboolean     pv_verifier_verify         (PvVerifier           *self,
                                         const char           *number,
                                         const char           *code,
                                         GError              **error);
void         pv_verifier_verify_async   (PvVerifier           *self,
                                         const char           *number,
                                         const char           *country,
                                         const char           *code,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean     pv_verifier_verify_finish  (PvVerifier           *self,
                                         GAsyncResult         *result,
                                         guint                *attempts_left,
                                         GError              **error);

G_END_DECLS
