/* pv-twilio-error.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PV_TWILIO_ERROR (pv_twilio_error_quark ())

/* Each value is a kind of problem, and so one next step (see PvTwilioNextStep); the Twilio
 * codes within a kind still get their own message. Values are only ever appended. */
typedef enum
{
  PV_TWILIO_ERROR_INVALID_NUMBER,          /* 21211, 21612, 21614, 21635; for a call 21214,
                                            * 21216, 21217 */
  PV_TWILIO_ERROR_UNVERIFIED_TRIAL_NUMBER, /* 21608; for a call 21219 */
  PV_TWILIO_ERROR_OPTED_OUT,               /* 21610 */
  PV_TWILIO_ERROR_REGION_DISABLED,         /* 21408; for a call 21215 */
  PV_TWILIO_ERROR_INVALID_SENDER,          /* 21212, 21603, 21606, 21659; for a call 21210 */
  PV_TWILIO_ERROR_AUTH_FAILED,             /* 20003, HTTP 401/403; also: no account set up */
  PV_TWILIO_ERROR_RATE_LIMITED,            /* 20429, 21611, HTTP 429 */
  PV_TWILIO_ERROR_UNAVAILABLE,             /* 20500, 20503, HTTP 5xx (not for a send) */
  PV_TWILIO_ERROR_NETWORK,                 /* no connection, TLS failure, timeout; for a send,
                                            * only when the request never went out */
  PV_TWILIO_ERROR_MALFORMED_REPLY,         /* not JSON, wrong shape, too large, truncated (not
                                            * for a send's 2xx) */
  PV_TWILIO_ERROR_NOT_FOUND,               /* 20404, HTTP 404 */
  PV_TWILIO_ERROR_REJECTED,                /* any other Twilio error code; Lookup's 60601,
                                            * 60607, 60610, 60619 */
  PV_TWILIO_ERROR_OUTCOME_UNKNOWN,         /* a send only: the request went out, but no answer
                                            * says whether Twilio carried it out */
} PvTwilioError;

/* What staff can do about a Twilio error, in this layer's terms; the engine turns it into a
 * button. */
typedef enum
{
  PV_TWILIO_NEXT_STEP_NONE,           /* nothing in PhoneVerify helps: the fix is in the Twilio
                                       * Console, with the customer, or with support */
  PV_TWILIO_NEXT_STEP_RETRY,          /* a passing problem: the same request again, later */
  PV_TWILIO_NEXT_STEP_CHECK_SETTINGS, /* the account details or the sender are wrong */
  PV_TWILIO_NEXT_STEP_SEND_NEW_CODE,  /* the number is right; another text may get through */
  PV_TWILIO_NEXT_STEP_CHANGE_NUMBER,  /* this number cannot be texted: correct it, or ask
                                       * for another */
  PV_TWILIO_NEXT_STEP_GEO_PERMISSIONS, /* the Console's SMS Geo Permissions: allow the country */
  PV_TWILIO_NEXT_STEP_VERIFIED_NUMBERS, /* a trial account: verify the recipient in the Console */
  PV_TWILIO_NEXT_STEP_VOICE_GEO_PERMISSIONS, /* the Console's Voice Geo Permissions: allow the
                                              * country or number range for calls */
} PvTwilioNextStep;

/* Where in the Twilio Console those are fixed. */
#define PV_TWILIO_CONSOLE_GEO_PERMISSIONS_URL \
  "https://console.twilio.com/us1/develop/sms/settings/geo-permissions"
#define PV_TWILIO_CONSOLE_VOICE_GEO_PERMISSIONS_URL \
  "https://console.twilio.com/us1/develop/voice/settings/geo-permissions"
#define PV_TWILIO_CONSOLE_VERIFIED_NUMBERS_URL \
  "https://console.twilio.com/us1/develop/phone-numbers/manage/verified"

GQuark            pv_twilio_error_quark                   (void);
GError           *pv_twilio_error_new                     (PvTwilioError  code);
GError           *pv_twilio_error_new_from_code           (int            twilio_code,
                                                           guint          http_status);
GError           *pv_twilio_error_new_from_call_code      (int            twilio_code,
                                                           guint          http_status);
GError           *pv_twilio_error_new_outcome_unknown     (int            twilio_code);
GError           *pv_twilio_error_new_call_outcome_unknown (int           twilio_code);
gboolean          pv_twilio_error_is_outcome_unknown      (const GError  *error);
PvTwilioNextStep  pv_twilio_error_get_next_step           (const GError  *error);
const char       *pv_twilio_error_describe_delivery       (int            twilio_code);
PvTwilioNextStep  pv_twilio_error_get_delivery_next_step  (int            twilio_code);
const char       *pv_twilio_error_describe_call_failure   (int            twilio_code);
PvTwilioNextStep  pv_twilio_error_get_call_failure_next_step (int          twilio_code);

G_END_DECLS
