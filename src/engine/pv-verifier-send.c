/* pv-verifier-send.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Registering a number and sending it a code: the half of PvVerifier that talks to
 * Twilio. The store claims each send before the text goes out: the digest is stored, the
 * limits are counted and the send is marked in flight in one transaction, so no two
 * processes can both send, and a code the customer may hold always has a record to be
 * checked against. Only a definite refusal undoes the claim; when Twilio's answer is lost
 * the code stays, and staff are told the text may or may not arrive. */

#define G_LOG_DOMAIN "pv-verifier"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "pv-code.h"
#include "pv-country.h"
#include "pv-message-template.h"
#include "pv-phone-number.h"
#include "pv-text.h"
#include "pv-twilio-error.h"
#include "pv-verifier-private.h"

static void
pv_send_claim_free (PvSendClaim *claim)
{
  pv_send_claim_clear (claim);
  g_free (claim);
}

static PvUpdateAction
action_for_twilio_error (const GError *error)
{
  /* Not Twilio's answer but a local failure on the way, which may well pass. */
  if (error->domain != PV_TWILIO_ERROR)
    return PV_UPDATE_ACTION_RETRY;

  return _pv_verifier_action_for_next_step (pv_twilio_error_get_next_step (error));
}

static PvSendRequest
make_send_request (PvVerifier *self,
                   const char *number,
                   const char *name,
                   gboolean    resend,
                   gboolean    reverify,
                   const char *digest)
{
  PvSendRequest request = {
    .number = number,
    .name = name,
    .resend = resend,
    .reverify = reverify,
    .code_digest = digest,
    .owner = self->owner,
    .code_lifetime = self->code_lifetime,
    .max_attempts = self->max_attempts,
    .resend_cooldown = self->resend_cooldown,
    .max_sends_per_hour = self->max_sends_per_hour,
  };

  return request;
}

static guint
cooldown_remaining (PvVerifier       *self,
                    const PvCustomer *customer)
{
  gint64 now = pv_clock_get_now (self->clock);
  gint64 ready_at = customer->last_sent_at + self->resend_cooldown;

  if (customer->last_sent_at == 0 || now >= ready_at)
    return 0;

  return (guint) (ready_at - now);
}

/* Turns a refused claim into what staff are told. Returns the error for the task. */
static GError *
report_refused_claim (PvVerifier        *self,
                      const PvSendClaim *claim,
                      const char        *number)
{
  g_autofree char *shown = _pv_verifier_display_number (self, number);
  GError *error = NULL;

  switch (claim->verdict)
    {
    case PV_SEND_REFUSED_VERIFIED:
      g_set_error (&error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_ALREADY_VERIFIED,
                   _("%s is already verified."), shown);
      /* Numbers get reassigned: the next step may well be to check it again. */
      _pv_verifier_emit_update (self, PV_UPDATE_INFO, PV_UPDATE_ACTION_VERIFY_AGAIN, "%s",
                                error->message);
      g_signal_emit (self, _pv_verifier_signals[RESET], 0);
      return error;

    case PV_SEND_REFUSED_LIVE_CODE:
      g_set_error (&error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_ALREADY_REQUESTED,
                   _("A code was already sent to %s. Enter the code from "
                     "that text message."),
                   shown);
      if (claim->customer->send_state == PV_SEND_STATE_UNKNOWN)
        _pv_verifier_emit_update (self, PV_UPDATE_INFO, PV_UPDATE_ACTION_RESEND,
                                  _("Twilio never confirmed the last text to %s. It may or may "
                                    "not arrive: wait for it, or resend once the wait is "
                                    "over."),
                                  shown);
      else
        _pv_verifier_emit_update (self, PV_UPDATE_INFO, PV_UPDATE_ACTION_RESEND, "%s",
                                  error->message);
      /* The customer may be reading that code out right now: on to the code step. */
      g_signal_emit (self, _pv_verifier_signals[CODE_SENT], 0, number);
      return error;

    case PV_SEND_REFUSED_IN_FLIGHT:
      g_set_error (&error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_BUSY,
                   _("A code is already on its way to %s."), shown);
      break;

    case PV_SEND_REFUSED_COOLDOWN:
      g_set_error (&error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_COOLDOWN,
                   ngettext ("Wait %u second before sending another code to %s.",
                             "Wait %u seconds before sending another code to %s.",
                             claim->wait),
                   claim->wait, shown);
      break;

    case PV_SEND_REFUSED_HOURLY_LIMIT:
      {
        guint minutes = (claim->wait + 59) / 60;

        g_set_error (&error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_SEND_LIMIT,
                     ngettext ("%s has had too many codes this hour. Try again in %u minute.",
                               "%s has had too many codes this hour. Try again in %u minutes.",
                               minutes),
                     shown, minutes);
      }
      break;

    case PV_SEND_REFUSED_NOT_FOUND:
      g_set_error (&error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_NOT_REQUESTED,
                   _("No code has been sent to %s yet."), shown);
      _pv_verifier_emit_update (self, PV_UPDATE_ERROR, PV_UPDATE_ACTION_NONE, "%s",
                                error->message);
      g_signal_emit (self, _pv_verifier_signals[RESET], 0);
      return error;

    case PV_SEND_GRANTED:
    default:
      g_assert_not_reached ();
    }

  _pv_verifier_emit_error_update (self, error, PV_UPDATE_ACTION_NONE);
  return error;
}

/* Records @outcome; on a database failure the outcome is only logged, since the send itself
 * is over either way and a restart will find it marked as in flight and say so. */
static gboolean
finish_send (PvVerifier          *self,
             const PvSendClaim   *claim,
             const PvSendOutcome *outcome)
{
  g_autoptr(GError) error = NULL;
  gboolean applied = FALSE;

  if (!pv_store_finish_send (self->store, claim, outcome, &applied, &error))
    g_warning ("Could not record how a send ended: %s", error->message);

  return applied;
}

/* Twilio may or may not have the message: the code, the customer and the counters stay,
 * and staff are told exactly that. */
static void
report_unknown_outcome (PvVerifier        *self,
                        const PvSendClaim *claim,
                        gboolean           cancelled)
{
  const char *number = claim->customer->number;
  g_autofree char *shown = _pv_verifier_display_number (self, number);
  g_autoptr(PvCustomer) current = NULL;
  guint wait;
  PvSendOutcome outcome = {
    .kind = PV_SEND_OUTCOME_UNKNOWN,
    .detail = cancelled ? "cancelled" : "no answer",
  };

  /* Verified at another desk, or a newer code sent, while Twilio did not answer: what
   * happened since stands, and this send has nothing left to say. */
  if (!finish_send (self, claim, &outcome) || cancelled)
    return;

  current = pv_store_lookup (self->store, number, NULL);
  if (current == NULL || current->send_id != claim->customer->send_id ||
      current->status == PV_CUSTOMER_STATUS_VERIFIED)
    return;

  /* Resend is offered only once it can be used; until then the code step counts down. */
  wait = cooldown_remaining (self, claim->customer);
  if (wait > 0)
    _pv_verifier_emit_update (self, PV_UPDATE_ERROR, PV_UPDATE_ACTION_NONE,
                              ngettext ("Twilio did not confirm the text to %s. It may or may "
                                        "not arrive: wait for it, or send a new code in %u "
                                        "second.",
                                        "Twilio did not confirm the text to %s. It may or may "
                                        "not arrive: wait for it, or send a new code in %u "
                                        "seconds.",
                                        wait),
                              shown, wait);
  else
    _pv_verifier_emit_update (self, PV_UPDATE_ERROR, PV_UPDATE_ACTION_RESEND,
                              _("Twilio did not confirm the text to %s. It may or may not "
                                "arrive: wait for it, or send a new code."),
                              shown);
  g_signal_emit (self, _pv_verifier_signals[CODE_SENT], 0, number);
}

static void
send_message_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PvVerifier *self = g_task_get_source_object (task);
  PvSendClaim *claim = g_task_get_task_data (task);
  const char *number = claim->customer->number;
  g_autofree char *shown = _pv_verifier_display_number (self, number);
  g_autoptr(PvCustomer) current = NULL;
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  PvSendOutcome outcome = { 0, };

  message = pv_twilio_client_send_message_finish (PV_TWILIO_CLIENT (object), result, &error);

  if (message == NULL && pv_twilio_error_is_outcome_unknown (error))
    {
      report_unknown_outcome (self, claim, g_cancellable_is_cancelled (g_task_get_cancellable (task)));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (message == NULL)
    {
      /* Refused before anything went out: as if the claim had never been made. */
      outcome.kind = PV_SEND_OUTCOME_REFUSED;
      outcome.detail = error->message;
      finish_send (self, claim, &outcome);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _pv_verifier_emit_error_update (self, error, action_for_twilio_error (error));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  outcome.kind = PV_SEND_OUTCOME_SENT;
  outcome.message_sid = message->sid;
  outcome.delivery_status = message->status;
  outcome.error_code = message->error_code;

  /* Verified with a code that arrived before Twilio's slow reply, sent a newer code, or
   * deleted: what happened later wins, and this send has nothing left to say. */
  if (!finish_send (self, claim, &outcome) ||
      (current = pv_store_lookup (self->store, number, NULL)) == NULL ||
      current->send_id != claim->customer->send_id ||
      current->status == PV_CUSTOMER_STATUS_VERIFIED)
    {
      g_task_return_pointer (task, g_strdup (number), g_free);
      return;
    }

  _pv_verifier_emit_update (self, PV_UPDATE_SUCCESS, PV_UPDATE_ACTION_NONE,
               _("A verification code was sent to %s."), shown);
  g_signal_emit (self, _pv_verifier_signals[CODE_SENT], 0, number);
  g_signal_emit (self, _pv_verifier_signals[DELIVERY_CHANGED], 0,
                 number, message->status, message->error_code);

  _pv_verifier_track_delivery (self, number, message);

  g_task_return_pointer (task, g_strdup (number), g_free);
}

/* Makes a fresh code, claims the send in the store (which stores the code's digest and
 * marks the send in flight before any request goes out), and texts it. */
static void
claim_and_send (PvVerifier *self,
                GTask      *task,
                const char *number,
                const char *name,
                gboolean    resend,
                gboolean    reverify)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *body = NULL;
  g_autofree char *digest = NULL;
  PvSendRequest request;
  PvSendClaim *claim;

  if (!pv_message_template_validate (self->message_template, &error))
    {
      _pv_verifier_emit_error_update (self, error, PV_UPDATE_ACTION_OPEN_PREFERENCES);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  code = pv_code_generate (self->code_length, &error);
  if (code == NULL)
    {
      _pv_verifier_emit_error_update (self, error, PV_UPDATE_ACTION_RETRY);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  body = pv_message_template_render (self->message_template, code);
  digest = pv_code_digest (self->digest_key, number, code);

  /* The code exists only in this body from here on. */
  explicit_bzero (code, strlen (code));

  claim = g_new0 (PvSendClaim, 1);
  g_task_set_task_data (task, claim, (GDestroyNotify) pv_send_claim_free);

  request = make_send_request (self, number, name, resend, reverify, digest);
  if (!pv_store_claim_send (self->store, &request, claim, &error))
    {
      explicit_bzero (body, strlen (body));
      _pv_verifier_emit_error_update (self, error, PV_UPDATE_ACTION_RETRY);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (claim->verdict != PV_SEND_GRANTED)
    {
      explicit_bzero (body, strlen (body));
      g_task_return_error (task, report_refused_claim (self, claim, number));
      return;
    }

  pv_twilio_client_send_message_async (self->client,
                                       number,
                                       body,
                                       g_task_get_cancellable (task),
                                       send_message_cb,
                                       g_object_ref (task));

  explicit_bzero (body, strlen (body));
}

/* Codes go only to the countries the office serves: a stream of sends to far-away numbers
 * is how SMS-pumping fraud runs up a bill. */
static gboolean
check_country_served (PvVerifier           *self,
                      const PvPhoneNumber  *number,
                      GError              **error)
{
  const char *country;

  if (g_strcmp0 (number->region, self->default_country) == 0 ||
      (self->served_countries != NULL &&
       g_strv_contains ((const char * const *) self->served_countries, number->region)))
    return TRUE;

  country = pv_country_get_name (number->region);
  g_set_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_COUNTRY_NOT_SERVED,
               /* Translators: %s is a phone number, then twice the same country */
               _("%s is a number from %s, where this office does not send codes. To send "
                 "codes there, add %s under Countries Served in Preferences."),
               number->international, country, country);
  return FALSE;
}

/* The checks register and resend share, in the order of the form: the number, then the
 * name (register only: @name and @clean_name are NULL for a resend), then whether codes
 * can be sent at all. Returns the number in E.164, or NULL once @task has failed with the
 * reason told to staff; nothing is stored or sent before all of them pass. */
static char *
prepare_send (PvVerifier  *self,
              GTask       *task,
              const char  *input,
              const char  *country,
              const char  *name,
              char       **clean_name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PvPhoneNumber) parsed = NULL;
  g_autofree char *number = NULL;
  g_autofree char *cleaned = NULL;

  parsed = pv_phone_number_parse (input, country != NULL ? country : self->default_country,
                                  &error);
  if (parsed == NULL || !check_country_served (self, parsed, &error))
    {
      _pv_verifier_emit_error_update (self, error, PV_UPDATE_ACTION_EDIT_NUMBER);
      g_task_return_error (task, g_steal_pointer (&error));
      return NULL;
    }

  number = g_strdup (parsed->e164);

  if (name != NULL)
    {
      cleaned = pv_text_clean_name (name, &error);
      if (cleaned == NULL)
        {
          _pv_verifier_emit_error_update (self, error, PV_UPDATE_ACTION_EDIT_NAME);
          g_task_return_error (task, g_steal_pointer (&error));
          return NULL;
        }
    }

  if (!_pv_verifier_check_configured (self, &error))
    {
      _pv_verifier_emit_error_update (self, error, PV_UPDATE_ACTION_OPEN_PREFERENCES);
      g_task_return_error (task, g_steal_pointer (&error));
      return NULL;
    }

  if (clean_name != NULL)
    *clean_name = g_steal_pointer (&cleaned);

  return g_steal_pointer (&number);
}

/**
 * pv_verifier_register_async:
 * @input: the number as staff typed it
 * @name: (nullable): the customer's name, as typed: it is cleaned with
 *   pv_text_clean_name(), and a name that function refuses fails the task with its
 *   %PV_TEXT_ERROR before anything is stored or sent
 *
 * Starts verifying a number: a new number gets a code by text message. A number that
 * already has a live code is not sent another (the customer may be reading it out right
 * now); its code-sent is emitted again so the staff member can type the code in, and the
 * task fails with %PV_VERIFIER_ERROR_ALREADY_REQUESTED. When Twilio's answer is lost, the
 * code stays stored, code-sent is emitted (the text may arrive), and the task fails with
 * %PV_TWILIO_ERROR_OUTCOME_UNKNOWN.
 */
void
pv_verifier_register_async (PvVerifier          *self,
                            const char          *input,
                            const char          *name,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  pv_verifier_register_in_country_async (self, input, NULL, name, cancellable, callback,
                                         user_data);
}

/**
 * pv_verifier_register_in_country_async:
 * @country: (nullable): the country to read a national @input in, for this number only;
 *   %NULL for the office's. Which countries are served does not change with it.
 *
 * As pv_verifier_register_async().
 */
void
pv_verifier_register_in_country_async (PvVerifier          *self,
                                       const char          *input,
                                       const char          *country,
                                       const char          *name,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *number = NULL;
  g_autofree char *clean_name = NULL;

  g_return_if_fail (PV_IS_VERIFIER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_verifier_register_in_country_async);
  /* Once the request is out, cancelling does not make it unsent: the task reports what the
   * client says, OUTCOME_UNKNOWN included. */
  g_task_set_check_cancellable (task, FALSE);

  number = prepare_send (self, task, input, country, name, &clean_name);
  if (number == NULL)
    return;

  claim_and_send (self, task, number, clean_name, FALSE, FALSE);
}

/**
 * pv_verifier_register_finish:
 *
 * Returns: (transfer full): the number in E.164, or %NULL with @error set
 */
char *
pv_verifier_register_finish (PvVerifier    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* A new code for a number that had one: a resend, or with @reverify a re-verification.
 * Takes @task. */
static void
send_new_code (PvVerifier *self,
               const char *number,
               gboolean    reverify,
               GTask      *task,
               gpointer    source_tag)
{
  g_autoptr(GTask) owned = task;
  g_autofree char *e164 = NULL;

  g_task_set_source_tag (owned, source_tag);
  /* As for a registration: once the request is out, cancelling does not make it unsent. */
  g_task_set_check_cancellable (owned, FALSE);

  e164 = prepare_send (self, owned, number, NULL, NULL, NULL);
  if (e164 == NULL)
    return;

  claim_and_send (self, owned, e164, NULL, TRUE, reverify);
}

/**
 * pv_verifier_resend_async:
 * @number: an E.164 number that already had a code
 *
 * Replaces the customer's code with a new one, once the cooldown has passed. The old code
 * stops working.
 */
void
pv_verifier_resend_async (PvVerifier          *self,
                          const char          *number,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (PV_IS_VERIFIER (self));
  g_return_if_fail (number != NULL);

  send_new_code (self, number, FALSE,
                 g_task_new (self, cancellable, callback, user_data),
                 pv_verifier_resend_async);
}

gboolean
pv_verifier_resend_finish (PvVerifier    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_autofree char *number = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  number = g_task_propagate_pointer (G_TASK (result), error);

  return number != NULL;
}

/**
 * pv_verifier_verify_again_async:
 * @number: an E.164 number
 *
 * Sends a verified customer a new code, for numbers get reassigned: the customer is pending
 * again until the code is read back, and the earlier verification stays in the history. If
 * Twilio refuses the text, the customer stays verified. A customer who is not verified yet
 * is sent a new code, as by pv_verifier_resend_async(); the cooldown and the hourly limit
 * hold either way.
 */
void
pv_verifier_verify_again_async (PvVerifier          *self,
                                const char          *number,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (PV_IS_VERIFIER (self));
  g_return_if_fail (number != NULL);

  send_new_code (self, number, TRUE,
                 g_task_new (self, cancellable, callback, user_data),
                 pv_verifier_verify_again_async);
}

gboolean
pv_verifier_verify_again_finish (PvVerifier    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return pv_verifier_resend_finish (self, result, error);
}

/**
 * pv_verifier_get_cooldown_remaining:
 * @number: an E.164 number
 *
 * Returns: how many seconds until another code may be sent to @number
 */
guint
pv_verifier_get_cooldown_remaining (PvVerifier *self,
                                    const char *number)
{
  g_autoptr(PvCustomer) customer = NULL;

  g_return_val_if_fail (PV_IS_VERIFIER (self), 0);

  customer = pv_store_lookup (self->store, number, NULL);
  if (customer == NULL)
    return 0;

  return cooldown_remaining (self, customer);
}
