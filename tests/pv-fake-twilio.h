/* pv-fake-twilio.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PV_TYPE_FAKE_TWILIO (pv_fake_twilio_get_type ())

#define PV_FAKE_TWILIO_DEFAULT_DELIVERY_STEP_MS 1000
#define PV_FAKE_TWILIO_DEFAULT_SLOW_DELAY_MS    3000

/* The number the account owns and may send from; Twilio's magic "valid From" test number. */
#define PV_FAKE_TWILIO_PHONE_NUMBER "+15005550006"

/* Trial accounts prepend this to every body, as Twilio does. */
#define PV_FAKE_TWILIO_TRIAL_PREFIX "Sent from your Twilio trial account - "

/* What the next replies do instead of answering normally.
 *
 * HTTP_429/500/503 and NOT_JSON stand for something answering before the API does: the
 * request is not processed, so no SMS is accepted. The others process the request normally
 * first (a valid SMS *is* accepted, recorded and announced by ::message-received) and then
 * delay, damage or lose the reply, as when the answer goes missing on its way back. */
typedef enum
{
  PV_FAKE_TWILIO_FAULT_NONE,
  PV_FAKE_TWILIO_FAULT_HTTP_429,      /* 429 + {"code":20429,…} */
  PV_FAKE_TWILIO_FAULT_HTTP_500,      /* 500 + {"code":20500,…} */
  PV_FAKE_TWILIO_FAULT_HTTP_503,      /* 503 + {"code":20503,…} */
  PV_FAKE_TWILIO_FAULT_SLOW,          /* answers normally, but only after the slow delay */
  PV_FAKE_TWILIO_FAULT_TRUNCATED,     /* 201/200 with the JSON cut off half-way */
  PV_FAKE_TWILIO_FAULT_NOT_JSON,      /* 200 text/html "<html>…" as a proxy would send */
  PV_FAKE_TWILIO_FAULT_OVERSIZED,     /* a syntactically valid reply larger than any client cap */
  PV_FAKE_TWILIO_FAULT_DROP_AFTER_PROCESSING,     /* closes the connection, no reply at all */
  PV_FAKE_TWILIO_FAULT_HTTP_500_AFTER_PROCESSING, /* 500 + {"code":20500,…} */
} PvFakeTwilioFault;

typedef struct
{
  char       *method;
  char       *path;           /* percent-decoded, as libsoup's server hands it over */
  char       *authorization;  /* the raw header, or NULL */
  GHashTable *form;           /* decoded form fields (string → string), or NULL */
  guint       status;         /* what the fake answered, 0 for no answer at all */
  char       *query;          /* the raw query string, as sent, or NULL */
} PvFakeTwilioRequest;

/* One SMS the fake accepted, as the customer's phone will see it. */
typedef struct
{
  char *sid;
  char *to;
  char *from;                   /* NULL when a Messaging Service was used */
  char *messaging_service_sid;  /* NULL when From was used */
  char *body;
} PvFakeTwilioMessage;

/* One <Say> of a call's TwiML: what the customer hears, entities decoded. */
typedef struct
{
  char *language;  /* the language attribute, or NULL for Twilio's default (en-US) */
  char *text;
} PvFakeTwilioSay;

/* One call the fake placed. */
typedef struct
{
  char      *sid;
  char      *to;
  char      *from;
  char      *twiml;   /* exactly as received */
  char      *status;  /* as a fetch would report it now, refreshed by pv_fake_twilio_get_calls() */
  GPtrArray *says;    /* PvFakeTwilioSay*, in document order */
} PvFakeTwilioCall;

G_DECLARE_FINAL_TYPE (PvFakeTwilio, pv_fake_twilio, PV, FAKE_TWILIO, GObject)

/* Random credentials. */
PvFakeTwilio              *pv_fake_twilio_new                   (void);
/* Fixed credentials (AC + 32 hex, 32 hex), e.g. so that scripts know them in advance. */
PvFakeTwilio              *pv_fake_twilio_new_with_credentials  (const char         *account_sid,
                                                                 const char         *auth_token);
gboolean                   pv_fake_twilio_listen                (PvFakeTwilio       *self,
                                                                 guint               port,
                                                                 GError            **error);
char                      *pv_fake_twilio_dup_base_url          (PvFakeTwilio       *self);
const char                *pv_fake_twilio_get_account_sid       (PvFakeTwilio       *self);
const char                *pv_fake_twilio_get_auth_token        (PvFakeTwilio       *self);
const char                *pv_fake_twilio_get_phone_number      (PvFakeTwilio       *self);
const char                *pv_fake_twilio_get_messaging_service_sid (PvFakeTwilio   *self);
void                       pv_fake_twilio_add_api_key           (PvFakeTwilio       *self,
                                                                 const char         *key_sid,
                                                                 const char         *secret);
void                       pv_fake_twilio_set_fault             (PvFakeTwilio       *self,
                                                                 PvFakeTwilioFault   fault);
/* Only for creating messages or calls (POST …/Messages.json, …/Calls.json), and ahead of
 * pv_fake_twilio_set_fault() there: the next @count creates get @fault, or all of them for a
 * @count of 0. */
void                       pv_fake_twilio_set_create_fault      (PvFakeTwilio       *self,
                                                                 PvFakeTwilioFault   fault,
                                                                 guint               count);
void                       pv_fake_twilio_set_slow_delay        (PvFakeTwilio       *self,
                                                                 guint               milliseconds);
void                       pv_fake_twilio_set_delivery_step     (PvFakeTwilio       *self,
                                                                 guint               milliseconds);
/* final_status: "delivered" (the default), "undelivered" or "failed" (with error_code, e.g.
 * 30003), or "sent" (the carrier never confirms, so the message stays at sent). Applies to
 * messages created afterwards. */
void                       pv_fake_twilio_set_delivery_outcome  (PvFakeTwilio       *self,
                                                                 const char         *to,
                                                                 const char         *final_status,
                                                                 int                 error_code);
/* twilio_code 0 removes the forced error. */
void                       pv_fake_twilio_set_create_error      (PvFakeTwilio       *self,
                                                                 const char         *to,
                                                                 int                 twilio_code);
void                       pv_fake_twilio_set_trial_account     (PvFakeTwilio       *self,
                                                                 gboolean            trial);
void                       pv_fake_twilio_add_verified_recipient (PvFakeTwilio      *self,
                                                                 const char         *number);
/* Both arrays are owned by the fake (PvFakeTwilioRequest* / PvFakeTwilioMessage*, oldest
 * first) and stay valid until pv_fake_twilio_clear() or finalization. */
GPtrArray                 *pv_fake_twilio_get_requests          (PvFakeTwilio       *self);
GPtrArray                 *pv_fake_twilio_get_messages          (PvFakeTwilio       *self);
const PvFakeTwilioMessage *pv_fake_twilio_get_last_message_to   (PvFakeTwilio       *self,
                                                                 const char         *to);
char                      *pv_fake_twilio_dup_last_code_to      (PvFakeTwilio       *self,
                                                                 const char         *to);
/* A text from @from to the account's number PV_FAKE_TWILIO_PHONE_NUMBER, as a customer's
 * reply: listed by GET …/Messages.json with direction "inbound", status "received".
 * @date_sent: (nullable): when it arrived, %NULL for now. Returns: (transfer full) its SM… SID */
char                      *pv_fake_twilio_add_inbound           (PvFakeTwilio       *self,
                                                                 const char         *from,
                                                                 const char         *body,
                                                                 GDateTime          *date_sent);
/* PvFakeTwilioMessage* of pv_fake_twilio_add_inbound(), oldest first, owned by the fake like
 * pv_fake_twilio_get_messages(), which only has what the account sent. */
GPtrArray                 *pv_fake_twilio_get_inbound           (PvFakeTwilio       *self);
void                       pv_fake_twilio_clear                 (PvFakeTwilio       *self);

/* Calls (pv-fake-twilio-calls.c). final_status: "completed" (the default), "busy",
 * "no-answer" or "failed"; notification_error_code (e.g. 13224) is what the call's
 * Notifications report once it is over, 0 for none. Applies to calls placed afterwards. */
void                       pv_fake_twilio_set_call_outcome      (PvFakeTwilio       *self,
                                                                 const char         *number,
                                                                 const char         *final_status,
                                                                 int                 notification_error_code);
/* PvFakeTwilioCall*, oldest first, owned by the fake like pv_fake_twilio_get_messages(). */
GPtrArray                 *pv_fake_twilio_get_calls             (PvFakeTwilio       *self);
const PvFakeTwilioCall    *pv_fake_twilio_get_last_call_to      (PvFakeTwilio       *self,
                                                                 const char         *to);
/* The digits the last call to @number reads out ("4, 8, 2, 9, 1, 3." gives "482913"). */
char                      *pv_fake_twilio_dup_last_call_code_to (PvFakeTwilio       *self,
                                                                 const char         *number);

/* Lookup v2 (/v2/PhoneNumbers/…), on the same server. line_type is one of Twilio's types:
 * "mobile" (the default), "landline", "fixedVoip", "nonFixedVoip", "tollFree", "premium", … */
void                       pv_fake_twilio_set_line_type         (PvFakeTwilio       *self,
                                                                 const char         *number,
                                                                 const char         *line_type);
/* Looking @number up answers valid:false with @validation_error (e.g. "TOO_LONG"). */
void                       pv_fake_twilio_set_number_invalid    (PvFakeTwilio       *self,
                                                                 const char         *number,
                                                                 const char         *validation_error);

G_END_DECLS
