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

G_DEFINE_QUARK (pv-twilio-error-quark, pv_twilio_error)

static const struct
{
  int           twilio_code;
  PvTwilioError error;
} code_table[] = {
  { 20003, PV_TWILIO_ERROR_AUTH_FAILED },
  { 20404, PV_TWILIO_ERROR_NOT_FOUND },
  { 20429, PV_TWILIO_ERROR_RATE_LIMITED },
  { 20500, PV_TWILIO_ERROR_UNAVAILABLE },
  { 20503, PV_TWILIO_ERROR_UNAVAILABLE },
  { 21211, PV_TWILIO_ERROR_INVALID_NUMBER },
  { 21212, PV_TWILIO_ERROR_INVALID_SENDER },
  { 21408, PV_TWILIO_ERROR_REGION_DISABLED },
  { 21603, PV_TWILIO_ERROR_INVALID_SENDER },
  { 21606, PV_TWILIO_ERROR_INVALID_SENDER },
  { 21608, PV_TWILIO_ERROR_UNVERIFIED_TRIAL_NUMBER },
  { 21610, PV_TWILIO_ERROR_OPTED_OUT },
  /* The sender's queue is full: waiting is the cure, exactly as for 20429. */
  { 21611, PV_TWILIO_ERROR_RATE_LIMITED },
  { 21612, PV_TWILIO_ERROR_INVALID_NUMBER },
  { 21614, PV_TWILIO_ERROR_INVALID_NUMBER },
  { 21635, PV_TWILIO_ERROR_INVALID_NUMBER },
};

static const char *
describe_error (PvTwilioError code)
{
  switch (code)
    {
    case PV_TWILIO_ERROR_INVALID_NUMBER:
      return _("Twilio cannot send a text message to this phone number. Check the number with "
               "the customer, or use a different mobile number.");

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
  for (guint i = 0; i < G_N_ELEMENTS (code_table); i++)
    {
      if (code_table[i].twilio_code == twilio_code)
        return code_table[i].error;
    }

  /* An unknown code still comes with an HTTP status that tells what kind of problem it is. */
  return classify_http_status (http_status);
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

static GError *
new_error (PvTwilioError code,
           int           twilio_code,
           guint         http_status)
{
  const char *text = describe_error (code);

  if (twilio_code > 0)
    /* Translators: the first %s is a complete sentence explaining the problem, the %d a
     * Twilio error number that support can look up. */
    return g_error_new (PV_TWILIO_ERROR, code, _("%s (Twilio error %d)"), text, twilio_code);

  if (code == PV_TWILIO_ERROR_REJECTED && http_status != 0)
    /* Translators: the %s is a complete sentence, the %u an HTTP status code such as 400. */
    return g_error_new (PV_TWILIO_ERROR, code, _("%s (HTTP status %u)"), text, http_status);

  return g_error_new_literal (PV_TWILIO_ERROR, code, text);
}

/**
 * pv_twilio_error_new_from_code:
 * @twilio_code: the `code` of Twilio's error body, or 0 when there was none
 * @http_status: the HTTP status of the reply
 *
 * The message is always PhoneVerify's own: Twilio's free text is untranslated and comes
 * from the network. The Twilio code is appended so support can look it up.
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
 * pv_twilio_error_describe_delivery:
 * @twilio_code: the `error_code` of an undelivered or failed message
 *
 * Returns: a translated reason why the message did not reach the customer
 */
const char *
pv_twilio_error_describe_delivery (int twilio_code)
{
  switch (twilio_code)
    {
    case 30001:
      return _("Twilio had too many messages waiting to be sent from this number. Wait a few "
               "minutes, then send a new code.");

    case 30002:
      return _("The Twilio account is suspended, so the message was not sent. Check the account "
               "in the Twilio Console.");

    case 30003:
      return _("The customer’s phone is switched off or out of coverage. Ask the customer to "
               "check their phone, then send a new code.");

    case 30004:
      return _("The message was blocked, by the customer’s phone or by their carrier. Ask the "
               "customer whether they block messages from unknown senders.");

    case 30005:
      return _("The phone number is unknown or no longer in service. Check the number with the "
               "customer.");

    case 30006:
      return _("The number is a landline, or its carrier cannot receive text messages. Ask the "
               "customer for a mobile number.");

    case 30007:
      return _("The customer’s carrier filtered the message as spam. Try again later; if this "
               "keeps happening, the sender may need to be registered with the carriers.");

    case 30008:
      return _("The customer’s carrier reported an unknown error. Send a new code, or try "
               "again later.");

    default:
      return _("The message could not be delivered to the customer’s phone. Check the number "
               "with the customer, then send a new code.");
    }
}
