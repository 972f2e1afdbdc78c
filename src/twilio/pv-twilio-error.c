/* pv-twilio-error.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pv-twilio-error"

#include "config.h"

#include <glib/gi18n.h>

#include "pv-twilio-error.h"

/* An error remembers whether it is about a phone call, because the same kind of problem
 * needs another place in the Console for calls: Voice Geo Permissions are separate from
 * Messaging's. The message already speaks of a call; the next step must agree with it. */
typedef struct
{
  gboolean for_call;
} PvTwilioErrorPrivate;

static void
pv_twilio_error_private_init (PvTwilioErrorPrivate *priv)
{
  priv->for_call = FALSE;
}

static void
pv_twilio_error_private_copy (const PvTwilioErrorPrivate *src,
                              PvTwilioErrorPrivate       *dest)
{
  dest->for_call = src->for_call;
}

static void
pv_twilio_error_private_clear (PvTwilioErrorPrivate *priv)
{
}

G_DEFINE_EXTENDED_ERROR (PvTwilioError, pv_twilio_error)

/* Every code Twilio may answer a request with that PhoneVerify knows. Staff act on the
 * message, so a code whose cause or cure differs from its kind's gets a message of its own;
 * one that means exactly its kind uses the kind's (describe_error()).
 *
 * The meanings are those of ../shared/reference/twilio-api.md, section 3, except for
 * 21659, which it lacks: Twilio's error dictionary, https://www.twilio.com/docs/api/errors/21659,
 * "'From' is not a Twilio phone number or Short Code country mismatch". */
typedef struct
{
  int           twilio_code;
  PvTwilioError error;
  const char   *text;
} CodeEntry;

static const CodeEntry code_table[] = {
  { 20003, PV_TWILIO_ERROR_AUTH_FAILED, NULL },
  { 20404, PV_TWILIO_ERROR_NOT_FOUND, NULL },
  { 20429, PV_TWILIO_ERROR_RATE_LIMITED, NULL },
  { 20500, PV_TWILIO_ERROR_UNAVAILABLE,
    N_("Twilio ran into an error of its own and could not finish the request. Try again in "
       "a few minutes.") },
  /* 503 is the HTTP status for an overload or maintenance (RFC 9110, section 15.6.4). */
  { 20503, PV_TWILIO_ERROR_UNAVAILABLE,
    N_("Twilio is overloaded or down for maintenance. Try again in a few minutes.") },
  { 21211, PV_TWILIO_ERROR_INVALID_NUMBER, NULL },
  { 21212, PV_TWILIO_ERROR_INVALID_SENDER,
    N_("The sending phone number in Preferences is not a valid phone number. Correct it "
       "there.") },
  { 21408, PV_TWILIO_ERROR_REGION_DISABLED, NULL },
  { 21603, PV_TWILIO_ERROR_INVALID_SENDER,
    N_("No sender is set up: Twilio needs a sending phone number or a Messaging Service. "
       "Enter one in Preferences.") },
  { 21606, PV_TWILIO_ERROR_INVALID_SENDER,
    N_("The sending phone number in Preferences is not one of this Twilio account’s "
       "numbers, or it cannot send text messages. Choose another sending number in "
       "Preferences.") },
  { 21608, PV_TWILIO_ERROR_UNVERIFIED_TRIAL_NUMBER, NULL },
  { 21610, PV_TWILIO_ERROR_OPTED_OUT, NULL },
  /* The sender's queue is full: waiting is the cure, exactly as for 20429. */
  { 21611, PV_TWILIO_ERROR_RATE_LIMITED,
    N_("Too many text messages are waiting to go out from the sending number. Wait a few "
       "minutes, then try again.") },
  /* The customer's number may be fine, but no route reaches it from this sender: another
   * number is what the desk can try. */
  { 21612, PV_TWILIO_ERROR_INVALID_NUMBER,
    N_("Twilio cannot carry a text message from this account’s sender to this number. Ask "
       "the customer for a different mobile number.") },
  { 21614, PV_TWILIO_ERROR_INVALID_NUMBER,
    N_("This phone number cannot receive text messages, for example because it is not a "
       "mobile number. Ask the customer for a mobile number.") },
  { 21635, PV_TWILIO_ERROR_INVALID_NUMBER,
    N_("This is a landline, and Twilio cannot text landlines in this country. Ask the "
       "customer for a mobile number.") },
  { 21659, PV_TWILIO_ERROR_INVALID_SENDER,
    N_("The sending phone number in Preferences is not a Twilio number, or it cannot text "
       "numbers in this country. Choose a Twilio number for this country, or a Messaging "
       "Service, in Preferences.") },
  /* Lookup's line type package (twilio-api-2.md, section 2b): none of these says anything
   * about the number itself, so the caller can still text or call it unchecked. */
  { 60601, PV_TWILIO_ERROR_REJECTED,
    N_("Twilio only looks up the line type of Canadian numbers for accounts approved for it. "
       "Ask Twilio support for access, or go ahead without the check.") },
  { 60607, PV_TWILIO_ERROR_REJECTED,
    N_("Twilio cannot look up the line type of numbers in this country. Go ahead without the "
       "check.") },
  { 60610, PV_TWILIO_ERROR_REJECTED,
    N_("This number is outside what Twilio’s line type lookup covers. Go ahead without the "
       "check.") },
  { 60619, PV_TWILIO_ERROR_REJECTED,
    N_("Twilio’s line type lookup is not available in the Twilio region this account uses. Go "
       "ahead without the check.") },
};

/* What POST Calls answers with, worded for a call: some of these codes mean something else
 * for a text (21212), or the text's wording would tell staff to ask for a mobile number
 * when a call is what failed. Meanings from ../shared/reference/twilio-api-2.md, section 2a. */
static const CodeEntry call_code_table[] = {
  { 21210, PV_TWILIO_ERROR_INVALID_SENDER,
    N_("The sending phone number in Preferences is not a Twilio number or a verified caller "
       "ID of this account, so it cannot place calls. Choose another sending number in "
       "Preferences.") },
  { 21212, PV_TWILIO_ERROR_INVALID_SENDER,
    N_("The sending phone number in Preferences is not a valid caller ID for phone calls. "
       "Correct it there.") },
  { 21214, PV_TWILIO_ERROR_INVALID_NUMBER,
    N_("Twilio cannot reach this phone number with a call. Check the number with the "
       "customer, or ask for a different number.") },
  { 21215, PV_TWILIO_ERROR_REGION_DISABLED,
    N_("The Twilio account is not allowed to call this country or number range. Enable it in "
       "the Twilio Console, in the Voice Geo Permissions settings.") },
  { 21216, PV_TWILIO_ERROR_INVALID_NUMBER,
    N_("Twilio does not allow this account to call this phone number, for example because "
       "the number is blocked. Ask the customer for a different number.") },
  { 21217, PV_TWILIO_ERROR_INVALID_NUMBER,
    N_("Twilio says this is not a valid phone number to call. Check the number with the "
       "customer, then enter it again.") },
  { 21219, PV_TWILIO_ERROR_UNVERIFIED_TRIAL_NUMBER,
    N_("The Twilio account is a trial account, which can only call numbers verified in the "
       "Twilio Console. Verify this number there, or upgrade the account.") },
};

/* The kind's own message, for pv_twilio_error_new() and for codes that mean just that. */
static const char *
describe_error (PvTwilioError code)
{
  switch (code)
    {
    case PV_TWILIO_ERROR_INVALID_NUMBER:
      return _("Twilio says this phone number is not valid. Check the number with the "
               "customer, then enter it again.");

    case PV_TWILIO_ERROR_UNVERIFIED_TRIAL_NUMBER:
      return _("The Twilio account is a trial account, which can only text numbers verified in "
               "the Twilio Console. Verify this number there, or upgrade the account.");

    case PV_TWILIO_ERROR_OPTED_OUT:
      return _("This customer has opted out of text messages from this sender. The customer can "
               "text START to the sending number to receive messages again.");

    case PV_TWILIO_ERROR_REGION_DISABLED:
      return _("The Twilio account is not allowed to text this country. Enable the country in "
               "the Twilio Console, in the Messaging Geo Permissions settings.");

    case PV_TWILIO_ERROR_INVALID_SENDER:
      return _("The sender set up for this Twilio account cannot send text messages. Check the "
               "sending phone number or Messaging Service in Preferences.");

    case PV_TWILIO_ERROR_AUTH_FAILED:
      return _("Twilio did not accept the account details. Check the Account SID and the Auth "
               "Token or API key in Preferences.");

    case PV_TWILIO_ERROR_RATE_LIMITED:
      return _("Twilio is receiving too many requests from this account. Wait a minute, then "
               "try again.");

    case PV_TWILIO_ERROR_UNAVAILABLE:
      return _("Twilio is temporarily unavailable. Try again in a few minutes.");

    case PV_TWILIO_ERROR_NETWORK:
      return _("PhoneVerify could not reach Twilio. Check the internet connection, then try "
               "again.");

    case PV_TWILIO_ERROR_MALFORMED_REPLY:
      return _("Twilio sent a reply PhoneVerify could not understand. Try again; if this keeps "
               "happening, a proxy or firewall may be interfering.");

    case PV_TWILIO_ERROR_NOT_FOUND:
      return _("Twilio has no record of this message or account. Check the account details in "
               "Preferences.");

    case PV_TWILIO_ERROR_OUTCOME_UNKNOWN:
      return _("Twilio did not confirm the message, so it may or may not have been sent.");

    case PV_TWILIO_ERROR_REJECTED:
    default:
      return _("Twilio refused the request. If this keeps happening, contact support.");
    }
}

/* Both kinds of table start with the Twilio code, so one search serves them. */
#define FIND_ENTRY(table, twilio_code) \
  ((const void *) find_entry ((table), G_N_ELEMENTS (table), sizeof ((table)[0]), (twilio_code)))

static gconstpointer
find_entry (gconstpointer table,
            guint         n_entries,
            gsize         entry_size,
            int           twilio_code)
{
  for (guint i = 0; i < n_entries; i++)
    {
      const int *entry = (const int *) ((const guint8 *) table + i * entry_size);

      if (*entry == twilio_code)
        return entry;
    }

  return NULL;
}

static const CodeEntry *
find_code (int twilio_code)
{
  return FIND_ENTRY (code_table, twilio_code);
}

static PvTwilioError
classify_http_status (guint http_status)
{
  if (http_status == 401 || http_status == 403)
    return PV_TWILIO_ERROR_AUTH_FAILED;

  if (http_status == 404)
    return PV_TWILIO_ERROR_NOT_FOUND;

  if (http_status == 429)
    return PV_TWILIO_ERROR_RATE_LIMITED;

  if (http_status >= 500 && http_status <= 599)
    return PV_TWILIO_ERROR_UNAVAILABLE;

  return PV_TWILIO_ERROR_REJECTED;
}

static PvTwilioError
classify (int   twilio_code,
          guint http_status)
{
  const CodeEntry *entry = find_code (twilio_code);

  if (entry != NULL)
    return entry->error;

  /* An unknown code still comes with an HTTP status that tells what kind of problem it is. */
  return classify_http_status (http_status);
}

static const char *
describe (PvTwilioError code,
          int           twilio_code,
          guint         http_status)
{
  const CodeEntry *entry = find_code (twilio_code);

  if (entry != NULL && entry->error == code && entry->text != NULL)
    return _(entry->text);

  /* Details that log in but may not do this: unlike a 401, retyping the same ones will not
   * help. Test credentials get a 403 for anything but creating messages, calls and numbers
   * (twilio-api.md, section 5). */
  if (entry == NULL && code == PV_TWILIO_ERROR_AUTH_FAILED && http_status == 403)
    return _("Twilio knows these account details but does not allow this request with them. "
             "Test credentials, for example, can only send test messages. Enter the live "
             "Account SID and Auth Token, or an API key, in Preferences.");

  return describe_error (code);
}

/**
 * pv_twilio_error_new:
 * @code: a #PvTwilioError
 *
 * Returns: (transfer full): an error with the standard, translated message for @code
 */
GError *
pv_twilio_error_new (PvTwilioError code)
{
  return g_error_new_literal (PV_TWILIO_ERROR, code, describe_error (code));
}

/* Support needs to know what came back: Twilio's code when there was one, else the HTTP
 * status that decided the kind of problem. */
static GError *
new_error_with_text (PvTwilioError  code,
                     const char    *text,
                     int            twilio_code,
                     guint          http_status)
{
  if (twilio_code > 0)
    /* Translators: the first %s is a complete sentence explaining the problem, the %d a
     * Twilio error number that support can look up. */
    return g_error_new (PV_TWILIO_ERROR, code, _("%s (Twilio error %d)"), text, twilio_code);

  if (http_status != 0)
    /* Translators: the %s is a complete sentence, the %u an HTTP status code such as 400. */
    return g_error_new (PV_TWILIO_ERROR, code, _("%s (HTTP status %u)"), text, http_status);

  return g_error_new_literal (PV_TWILIO_ERROR, code, text);
}

static GError *
new_error (PvTwilioError code,
           int           twilio_code,
           guint         http_status)
{
  return new_error_with_text (code, describe (code, twilio_code, http_status),
                              twilio_code, http_status);
}

/* Takes over @error. */
static GError *
mark_for_call (GError *error)
{
  pv_twilio_error_get_private (error)->for_call = TRUE;

  return error;
}

/**
 * pv_twilio_error_new_from_code:
 * @twilio_code: the `code` of Twilio's error body, or 0 when there was none
 * @http_status: the HTTP status of the reply
 *
 * The message is always PhoneVerify's own: Twilio's free text is untranslated and comes
 * from the network. The Twilio code, or failing that the HTTP status, is appended so
 * support can look it up.
 *
 * Returns: (transfer full): a #PV_TWILIO_ERROR error
 */
GError *
pv_twilio_error_new_from_code (int   twilio_code,
                               guint http_status)
{
  return new_error (classify (twilio_code, http_status), twilio_code, http_status);
}

/**
 * pv_twilio_error_new_from_call_code:
 * @twilio_code: the `code` of Twilio's error body for a call request, or 0 when there was none
 * @http_status: the HTTP status of the reply
 *
 * As pv_twilio_error_new_from_code(), but the codes that POST Calls answers with get
 * messages about a call, and pv_twilio_error_get_next_step() points to the Console's voice
 * settings rather than the messaging ones.
 *
 * Returns: (transfer full): a #PV_TWILIO_ERROR error
 */
GError *
pv_twilio_error_new_from_call_code (int   twilio_code,
                                    guint http_status)
{
  const CodeEntry *entry = FIND_ENTRY (call_code_table, twilio_code);

  if (entry == NULL)
    return mark_for_call (pv_twilio_error_new_from_code (twilio_code, http_status));

  return mark_for_call (new_error_with_text (entry->error, _(entry->text),
                                             twilio_code, http_status));
}

/**
 * pv_twilio_error_new_outcome_unknown:
 * @twilio_code: the `code` of Twilio's error body, or 0 when there was none
 *
 * For a send that went out but got no answer saying what became of it, such as a 5xx
 * (Twilio's own advice is that a POST which got a 500 may have been carried out).
 *
 * Returns: (transfer full): a %PV_TWILIO_ERROR_OUTCOME_UNKNOWN error
 */
GError *
pv_twilio_error_new_outcome_unknown (int twilio_code)
{
  return new_error (PV_TWILIO_ERROR_OUTCOME_UNKNOWN, twilio_code, 0);
}

/**
 * pv_twilio_error_new_call_outcome_unknown:
 * @twilio_code: the `code` of Twilio's error body, or 0 when there was none
 *
 * For a call that may have been placed although no answer says so.
 *
 * Returns: (transfer full): a %PV_TWILIO_ERROR_OUTCOME_UNKNOWN error
 */
GError *
pv_twilio_error_new_call_outcome_unknown (int twilio_code)
{
  const char *text = _("Twilio did not confirm the call, so the customer may or may not be "
                       "called.");

  return mark_for_call (new_error_with_text (PV_TWILIO_ERROR_OUTCOME_UNKNOWN, text,
                                             twilio_code, 0));
}

/**
 * pv_twilio_error_is_outcome_unknown:
 * @error: (nullable): an error from sending a message, or %NULL
 *
 * Whether the text may have reached the customer even though the send failed. Any other
 * error from a send is a definite "not sent".
 *
 * Returns: %TRUE for %PV_TWILIO_ERROR_OUTCOME_UNKNOWN
 */
gboolean
pv_twilio_error_is_outcome_unknown (const GError *error)
{
  return g_error_matches (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_OUTCOME_UNKNOWN);
}

/**
 * pv_twilio_error_get_next_step:
 * @error: an error from this layer
 *
 * What the message of @error tells staff to do, for the button that goes with it. Only
 * settings PhoneVerify holds count as %PV_TWILIO_NEXT_STEP_CHECK_SETTINGS: what is fixed in
 * the Twilio Console (Geo Permissions, verified numbers of a trial account) or by the
 * customer (texting START) is %PV_TWILIO_NEXT_STEP_NONE.
 *
 * Returns: the next step, or %PV_TWILIO_NEXT_STEP_NONE for an error of another domain
 */
PvTwilioNextStep
pv_twilio_error_get_next_step (const GError *error)
{
  g_return_val_if_fail (error != NULL, PV_TWILIO_NEXT_STEP_NONE);

  if (error->domain != PV_TWILIO_ERROR)
    return PV_TWILIO_NEXT_STEP_NONE;

  switch ((PvTwilioError) error->code)
    {
    case PV_TWILIO_ERROR_INVALID_NUMBER:
      return PV_TWILIO_NEXT_STEP_CHANGE_NUMBER;

    case PV_TWILIO_ERROR_INVALID_SENDER:
    case PV_TWILIO_ERROR_AUTH_FAILED:
    /* For a send, the one thing Twilio can fail to find is the account in the URL. */
    case PV_TWILIO_ERROR_NOT_FOUND:
      return PV_TWILIO_NEXT_STEP_CHECK_SETTINGS;

    case PV_TWILIO_ERROR_RATE_LIMITED:
    case PV_TWILIO_ERROR_UNAVAILABLE:
    case PV_TWILIO_ERROR_NETWORK:
    case PV_TWILIO_ERROR_MALFORMED_REPLY:
      return PV_TWILIO_NEXT_STEP_RETRY;

    /* Never a retry: that could text the customer twice. A new code replaces the one that
     * may arrive, once the caller's wait between codes allows it. */
    case PV_TWILIO_ERROR_OUTCOME_UNKNOWN:
      return PV_TWILIO_NEXT_STEP_SEND_NEW_CODE;

    /* Fixed in the Twilio Console, which a link can open at the right page. */
    case PV_TWILIO_ERROR_REGION_DISABLED:
      return pv_twilio_error_get_private (error)->for_call
               ? PV_TWILIO_NEXT_STEP_VOICE_GEO_PERMISSIONS
               : PV_TWILIO_NEXT_STEP_GEO_PERMISSIONS;

    case PV_TWILIO_ERROR_UNVERIFIED_TRIAL_NUMBER:
      return PV_TWILIO_NEXT_STEP_VERIFIED_NUMBERS;

    /* Only the customer can undo an opt-out, by texting START. */
    case PV_TWILIO_ERROR_OPTED_OUT:
    case PV_TWILIO_ERROR_REJECTED:
    default:
      return PV_TWILIO_NEXT_STEP_NONE;
    }
}

/* Why a message that Twilio took did not reach the customer, and what then helps. The
 * meanings of 30001–30008 are those of twilio-api.md, section 3. 30034 is not there: it is
 * Twilio's "Message from an unregistered number", https://www.twilio.com/docs/api/errors/30034,
 * the block on US-bound texts from 10DLC numbers without an approved A2P campaign
 * (support.twilio.com article 14910496447771, "Shutdown of Unregistered 10DLC Messaging"). */
typedef struct
{
  int               twilio_code;
  const char       *text;
  PvTwilioNextStep  next_step;
} FailureEntry;

static const FailureEntry delivery_table[] = {
  { 30001, N_("Twilio had too many messages waiting to be sent from this number. Wait a few "
              "minutes, then send a new code."),
    PV_TWILIO_NEXT_STEP_SEND_NEW_CODE },
  { 30002, N_("The Twilio account is suspended, so the message was not sent. Check the account "
              "in the Twilio Console."),
    PV_TWILIO_NEXT_STEP_NONE },
  { 30003, N_("The customer’s phone is switched off or out of coverage. Ask the customer to "
              "check their phone, then send a new code."),
    PV_TWILIO_NEXT_STEP_SEND_NEW_CODE },
  /* Once the customer lets messages from unknown senders through, a new code arrives. */
  { 30004, N_("The message was blocked, by the customer’s phone or by their carrier. Ask the "
              "customer whether they block messages from unknown senders."),
    PV_TWILIO_NEXT_STEP_SEND_NEW_CODE },
  { 30005, N_("The phone number is unknown or no longer in service. Check the number with the "
              "customer."),
    PV_TWILIO_NEXT_STEP_CHANGE_NUMBER },
  { 30006, N_("The number is a landline, or its carrier cannot receive text messages. Ask the "
              "customer for a mobile number."),
    PV_TWILIO_NEXT_STEP_CHANGE_NUMBER },
  { 30007, N_("The customer’s carrier filtered the message as spam. Try again later; if this "
              "keeps happening, the sender may need to be registered with the carriers."),
    PV_TWILIO_NEXT_STEP_SEND_NEW_CODE },
  { 30008, N_("The customer’s carrier reported an unknown error. Send a new code, or try "
              "again later."),
    PV_TWILIO_NEXT_STEP_SEND_NEW_CODE },
  { 30034, N_("The message was blocked because the sending number is not registered for "
              "texting customers in the United States. Whoever manages the Twilio account can "
              "register it in the Twilio Console, under A2P 10DLC."),
    PV_TWILIO_NEXT_STEP_NONE },
};

/* Why a call that Twilio took ended "failed": the first error of its Notifications
 * (twilio-api-2.md, section 2a). 13227 and 32205 are the same block for different call
 * types. */
static const FailureEntry call_failure_table[] = {
  { 13224, N_("Twilio could not call this number: it is not a valid number, or no carrier "
              "route reaches it. Check the number with the customer."),
    PV_TWILIO_NEXT_STEP_CHANGE_NUMBER },
  { 13227, N_("The call was blocked by the Twilio account’s Voice Geo Permissions. Enable the "
              "country in the Twilio Console, in the Voice Geo Permissions settings."),
    PV_TWILIO_NEXT_STEP_VOICE_GEO_PERMISSIONS },
  { 32205, N_("The call was blocked by the Twilio account’s Voice Geo Permissions. Enable the "
              "country in the Twilio Console, in the Voice Geo Permissions settings."),
    PV_TWILIO_NEXT_STEP_VOICE_GEO_PERMISSIONS },
};

/* Any code is named at the end, as in other Twilio errors, so that support can look up
 * one PhoneVerify does not know. */
static const char *
describe_failure (const FailureEntry *entry,
                  const char         *fallback,
                  int                 twilio_code)
{
  const char *text = entry != NULL ? _(entry->text) : fallback;
  g_autofree char *with_code = NULL;

  if (twilio_code <= 0)
    return text;

  /* Interned, so callers keep a plain const string: there are only so many codes. */
  with_code = g_strdup_printf (_("%s (Twilio error %d)"), text, twilio_code);
  return g_intern_string (with_code);
}

/**
 * pv_twilio_error_describe_delivery:
 * @twilio_code: the `error_code` of an undelivered or failed message, or 0 for none
 *
 * Returns: a translated reason why the message did not reach the customer, valid for the
 *   life of the process
 */
const char *
pv_twilio_error_describe_delivery (int twilio_code)
{
  return describe_failure (FIND_ENTRY (delivery_table, twilio_code),
                           _("The message could not be delivered to the customer’s phone. "
                             "Check the number with the customer, then send a new code."),
                           twilio_code);
}

/**
 * pv_twilio_error_get_delivery_next_step:
 * @twilio_code: the `error_code` of an undelivered or failed message, or 0 for none
 *
 * Returns: what the description from pv_twilio_error_describe_delivery() tells staff to do
 */
PvTwilioNextStep
pv_twilio_error_get_delivery_next_step (int twilio_code)
{
  const FailureEntry *entry = FIND_ENTRY (delivery_table, twilio_code);

  return entry != NULL ? entry->next_step : PV_TWILIO_NEXT_STEP_SEND_NEW_CODE;
}

/**
 * pv_twilio_error_describe_call_failure:
 * @twilio_code: the `error_code` of a failed call's Notifications, or 0 for none
 *
 * Returns: a translated reason why the call did not reach the customer, valid for the life
 *   of the process
 */
const char *
pv_twilio_error_describe_call_failure (int twilio_code)
{
  return describe_failure (FIND_ENTRY (call_failure_table, twilio_code),
                           _("The call to the customer failed. Check the number with the "
                             "customer, then try again."),
                           twilio_code);
}

/**
 * pv_twilio_error_get_call_failure_next_step:
 * @twilio_code: the `error_code` of a failed call's Notifications, or 0 for none
 *
 * Returns: what the description from pv_twilio_error_describe_call_failure() tells staff
 *   to do
 */
PvTwilioNextStep
pv_twilio_error_get_call_failure_next_step (int twilio_code)
{
  const FailureEntry *entry = FIND_ENTRY (call_failure_table, twilio_code);

  return entry != NULL ? entry->next_step : PV_TWILIO_NEXT_STEP_SEND_NEW_CODE;
}
