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
#include "pv-language.h"
#include "pv-message-composer.h"
#include "pv-phone-number.h"
#include "pv-text.h"
#include "pv-twilio-error.h"
#include "pv-verifier-private.h"

/* How long a call rings before Twilio gives up (about 30 s hangs up before most voicemail
 * answers), and the longest it may last: the script takes under a minute. */
#define CALL_RING_SECONDS  30
#define CALL_LIMIT_SECONDS 120

/* One send, from the checks to Twilio's answer: the task's data. The store's parts of it
 * run on the verifier's store queue, each step continuing from the one before. */
typedef struct _PendingSend PendingSend;
typedef void (*PendingStep) (PvVerifier *self,
                             GTask      *task);

struct _PendingSend
{
  char        *number;     /* E.164 */
  char        *region;     /* the number's country */
  char        *name;       /* cleaned; NULL for a send again */
  gboolean     resend;
  gboolean     reverify;
  PvChannel    channel;    /* NONE until chosen */
  PvChannel    proposed;   /* what the Register step offers for the number */
  PvChannel    last;       /* of the customer's last send, NONE for a new customer */
  gboolean     known;      /* the number was stored when the send was prepared */
  char        *language;   /* the customer's, from staff's choice or the country */
  PendingStep  prepared;   /* what comes once staff's choices for the customer are read */
  PendingStep  recorded;   /* what comes once the outcome is recorded */

  char        *code_digest;
  char        *code_seed;
  PvSendRequest request;   /* points into the fields above */
  PvSendClaim  claim;

  /* How the send ended, for the step after it is recorded. */
  PvSendOutcome outcome;   /* points into the fields below */
  char        *outcome_detail;
  char        *message_sid;
  char        *delivery_status;
  gboolean     finished;   /* the store took the outcome: nobody else's change came first */
  PvCustomer  *current;    /* the customer once the outcome is recorded */
  GError      *error;      /* why the send ended, for the task */
  PvUpdateAction error_action;
  gboolean     cancelled;
  PvTwilioMessage *message; /* Twilio took the text: to follow */
  PvTwilioCall *call;       /* Twilio took the call: to follow */
  PvTextsUs   *texts_us;   /* the code the customer is to text us */
};

static void
pending_send_free (PendingSend *pending)
{
  g_free (pending->number);
  g_free (pending->region);
  g_free (pending->name);
  g_free (pending->language);
  g_free (pending->code_digest);
  g_free (pending->code_seed);
  pv_send_claim_clear (&pending->claim);
  g_free (pending->outcome_detail);
  g_free (pending->message_sid);
  g_free (pending->delivery_status);
  g_clear_pointer (&pending->current, pv_customer_free);
  g_clear_error (&pending->error);
  g_clear_pointer (&pending->message, pv_twilio_message_free);
  g_clear_pointer (&pending->call, pv_twilio_call_free);
  g_clear_pointer (&pending->texts_us, pv_texts_us_free);
  g_free (pending);
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
make_send_request (PvVerifier        *self,
                   const PendingSend *pending)
{
  PvSendRequest request = {
    .number = pending->number,
    .name = pending->name,
    .resend = pending->resend,
    .reverify = pending->reverify,
    /* Another channel, or the same one again, carries the code the customer may hold; a
     * re-verification is about a number that may have changed hands, so it gets a new one. */
    .keep_code = pending->resend && !pending->reverify,
    .code_digest = pending->code_digest,
    .code_seed = pending->code_seed,
    .channel = pending->channel,
    .owner = self->owner,
    .code_lifetime = self->code_lifetime,
    .max_attempts = self->max_attempts,
    /* A code the customer texts us costs the office nothing to show again. */
    .resend_cooldown = pending->channel == PV_CHANNEL_INBOUND ? 0 : self->resend_cooldown,
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

/* On the store queue: records how the send ended, then reads the customer as that left
 * it. On a database failure the outcome is only logged, since the send itself is over
 * either way and a restart will find it marked as in flight and say so. */
static gboolean
finish_send_job (PvStore   *store,
                 gpointer   data,
                 GError   **error)
{
  PendingSend *pending = data;
  g_autoptr(GError) local_error = NULL;

  if (!pv_store_finish_send (store, &pending->claim, &pending->outcome, &pending->finished,
                             &local_error))
    g_warning ("Could not record how a send ended: %s", local_error->message);
  else if (pending->finished)
    pending->current = pv_store_lookup (store, pending->number, NULL);

  return TRUE;
}

static void
send_finished_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PendingSend *pending = g_task_get_task_data (task);

  pv_store_queue_run_finish (PV_STORE_QUEUE (object), result, NULL);
  pending->recorded (g_task_get_source_object (task), task);
}

/* Records the outcome in @pending, then goes on with @then. Nothing cancels this: the send
 * happened or did not, and the store must say which. */
static void
finish_send (PvVerifier         *self,
             GTask              *task,
             PvSendOutcomeKind   kind,
             const char         *detail,
             PendingStep         then)
{
  PendingSend *pending = g_task_get_task_data (task);

  g_free (pending->outcome_detail);
  pending->outcome_detail = g_strdup (detail);
  pending->outcome.kind = kind;
  pending->outcome.detail = pending->outcome_detail;
  pending->outcome.message_sid = pending->message_sid;
  pending->outcome.delivery_status = pending->delivery_status;

  pending->recorded = then;
  pv_store_queue_run_async (self->queue, finish_send_job, pending, NULL,
                            send_finished_cb, g_object_ref (task));
}

/* Whether what the store holds now is still this send: not verified with a code that
 * arrived before Twilio's slow reply, replaced by a newer code, or deleted meanwhile. */
static gboolean
is_still_current (const PendingSend *pending)
{
  return pending->finished && pending->current != NULL &&
         pending->current->send_id == pending->claim.customer->send_id &&
         pending->current->status != PV_CUSTOMER_STATUS_VERIFIED;
}

static void
return_error (GTask *task)
{
  PendingSend *pending = g_task_get_task_data (task);

  g_task_return_error (task, g_steal_pointer (&pending->error));
}

/* Twilio may or may not have the message or the call: the code, the customer and the
 * counters stay, and staff are told exactly that. */
static void
unknown_outcome_recorded (PvVerifier *self,
                          GTask      *task)
{
  PendingSend *pending = g_task_get_task_data (task);
  const char *number = pending->number;
  gboolean call = pending->claim.customer->channel == PV_CHANNEL_CALL;
  g_autofree char *shown = NULL;
  guint wait;

  /* Verified at another desk, or a newer code sent, while Twilio did not answer: what
   * happened since stands, and this send has nothing left to say. */
  if (!is_still_current (pending) || pending->cancelled)
    {
      return_error (task);
      return;
    }

  /* Sending again is offered only once it can be used; until then the code step counts
   * down. */
  shown = _pv_verifier_display_number (self, number);
  wait = cooldown_remaining (self, pending->claim.customer);
  if (wait > 0 && call)
    _pv_verifier_emit_update (self, PV_UPDATE_ERROR, PV_UPDATE_ACTION_NONE,
                              ngettext ("Twilio did not confirm the call to %s. The phone may "
                                        "still ring: wait for it, or send the code again in "
                                        "%u second.",
                                        "Twilio did not confirm the call to %s. The phone may "
                                        "still ring: wait for it, or send the code again in "
                                        "%u seconds.",
                                        wait),
                              shown, wait);
  else if (wait > 0)
    _pv_verifier_emit_update (self, PV_UPDATE_ERROR, PV_UPDATE_ACTION_NONE,
                              ngettext ("Twilio did not confirm the text to %s. It may or may "
                                        "not arrive: wait for it, or send a new code in %u "
                                        "second.",
                                        "Twilio did not confirm the text to %s. It may or may "
                                        "not arrive: wait for it, or send a new code in %u "
                                        "seconds.",
                                        wait),
                              shown, wait);
  else if (call)
    _pv_verifier_emit_update (self, PV_UPDATE_ERROR, PV_UPDATE_ACTION_TEXT_INSTEAD,
                              _("Twilio did not confirm the call to %s. The phone may still "
                                "ring: wait for it, or text the code instead."),
                              shown);
  else
    _pv_verifier_emit_update (self, PV_UPDATE_ERROR, PV_UPDATE_ACTION_RESEND,
                              _("Twilio did not confirm the text to %s. It may or may not "
                                "arrive: wait for it, or send a new code."),
                              shown);
  g_signal_emit (self, _pv_verifier_signals[CODE_SENT], 0, number);
  return_error (task);
}

/* What staff are told once Twilio has taken the send, in one sentence (a toast shows only
 * the first). The language is named when it is not the office's own, so that staff know
 * the customer may hear or read another one. */
static void
report_sent (PvVerifier        *self,
             const PendingSend *pending)
{
  g_autofree char *shown = _pv_verifier_display_number (self, pending->number);
  g_autofree char *language = pv_language_dup_name (pending->language);
  gboolean call = pending->claim.customer->channel == PV_CHANNEL_CALL;
  gboolean kept = pending->claim.kept_code;
  const char *office_language = pv_message_composer_get_default_language (self->composer);

  if (g_strcmp0 (pending->language, office_language) == 0)
    _pv_verifier_emit_update (self, PV_UPDATE_SUCCESS, PV_UPDATE_ACTION_NONE,
                              call ? (kept ? _("Calling %s to read out the same code.")
                                           : _("Calling %s to read out a verification code."))
                                   : (kept ? _("The same code was texted to %s again.")
                                           : _("A verification code was sent to %s.")),
                              shown);
  else
    /* Translators: %s is a phone number, then a language such as “German” */
    _pv_verifier_emit_update (self, PV_UPDATE_SUCCESS, PV_UPDATE_ACTION_NONE,
                              call ? (kept ? _("Calling %s to read out the same code, in %s.")
                                           : _("Calling %s to read out a verification code, "
                                               "in %s."))
                                   : (kept ? _("The same code was texted to %s again, in %s.")
                                           : _("A verification code was sent to %s, in %s.")),
                              shown, language);
}

static void
refusal_recorded (PvVerifier *self,
                  GTask      *task)
{
  PendingSend *pending = g_task_get_task_data (task);

  if (!g_error_matches (pending->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _pv_verifier_emit_error_update (self, pending->error, pending->error_action);
  return_error (task);
}

/* Nothing went out: as if the claim had never been made. Takes @error. */
static void
refuse_claimed_send (PvVerifier     *self,
                     GTask          *task,
                     GError         *error,
                     PvUpdateAction  action)
{
  PendingSend *pending = g_task_get_task_data (task);

  pending->error = error;
  pending->error_action = action;
  finish_send (self, task, PV_SEND_OUTCOME_REFUSED, error->message, refusal_recorded);
}

static void
sent_recorded (PvVerifier *self,
               GTask      *task)
{
  PendingSend *pending = g_task_get_task_data (task);
  const char *number = pending->number;
  const PvCustomer *customer = pending->claim.customer;

  /* What happened later wins, and this send has nothing left to say. */
  if (!is_still_current (pending))
    {
      g_task_return_pointer (task, g_strdup (number), g_free);
      return;
    }

  report_sent (self, pending);
  if (self->reply_to_confirm && customer->channel == PV_CHANNEL_SMS)
    _pv_verifier_await_text (self, number, customer->last_sent_at, customer->code_expires_at);
  g_signal_emit (self, _pv_verifier_signals[CODE_SENT], 0, number);
  g_signal_emit (self, _pv_verifier_signals[DELIVERY_CHANGED], 0, number,
                 pending->delivery_status, pending->outcome.error_code);

  if (pending->message != NULL)
    _pv_verifier_track_delivery (self, number, pending->message);
  else if (pending->call != NULL)
    _pv_verifier_track_call (self, number, pending->call);

  g_task_return_pointer (task, g_strdup (number), g_free);
}

/* Twilio's answer to a text or a call: @sid and @status when it took the send, else
 * @error, which this takes. */
static void
finish_claimed_send (PvVerifier *self,
                     GTask      *task,
                     const char *sid,
                     const char *status,
                     int         error_code,
                     GError     *error)
{
  PendingSend *pending = g_task_get_task_data (task);

  if (sid == NULL && pv_twilio_error_is_outcome_unknown (error))
    {
      pending->error = error;
      pending->cancelled = g_cancellable_is_cancelled (g_task_get_cancellable (task));
      finish_send (self, task, PV_SEND_OUTCOME_UNKNOWN,
                   pending->cancelled ? "cancelled" : "no answer", unknown_outcome_recorded);
      return;
    }

  if (sid == NULL)
    {
      refuse_claimed_send (self, task, error, action_for_twilio_error (error));
      return;
    }

  pending->message_sid = g_strdup (sid);
  pending->delivery_status = g_strdup (status);
  pending->outcome.error_code = error_code;
  finish_send (self, task, PV_SEND_OUTCOME_SENT, NULL, sent_recorded);
}

static void
send_message_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PvVerifier *self = g_task_get_source_object (task);
  PendingSend *pending = g_task_get_task_data (task);
  PvTwilioMessage *message;
  GError *error = NULL;

  message = pv_twilio_client_send_message_finish (PV_TWILIO_CLIENT (object), result, &error);
  if (message == NULL)
    {
      finish_claimed_send (self, task, NULL, NULL, 0, error);
      return;
    }

  pending->message = message;
  finish_claimed_send (self, task, message->sid, message->status, message->error_code, NULL);
}

static void
start_call_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PvVerifier *self = g_task_get_source_object (task);
  PendingSend *pending = g_task_get_task_data (task);
  PvTwilioCall *call;
  GError *error = NULL;

  call = pv_twilio_client_start_call_finish (PV_TWILIO_CLIENT (object), result, &error);
  if (call == NULL)
    {
      finish_claimed_send (self, task, NULL, NULL, 0, error);
      return;
    }

  pending->call = call;
  finish_claimed_send (self, task, call->sid, call->status, 0, NULL);
}

/* The code a granted claim sends: a new one from its seed, or the live one made again.
 * The code length may have changed since the live code was made; its digest tells which
 * length it had. */
static char *
code_for_claim (PvVerifier         *self,
                const PvSendClaim  *claim,
                GError            **error)
{
  const PvCustomer *customer = claim->customer;

  if (!claim->kept_code)
    return pv_code_derive (self->digest_key, customer->number, customer->code_seed,
                           self->code_length);

  for (guint length = PV_CODE_MIN_LENGTH; length <= PV_CODE_MAX_LENGTH; length++)
    {
      g_autofree char *code = pv_code_derive (self->digest_key, customer->number,
                                              customer->code_seed, length);

      if (pv_code_digest_matches (self->digest_key, customer->number, code,
                                  customer->code_digest))
        return g_steal_pointer (&code);
      explicit_bzero (code, strlen (code));
    }

  /* Made with another key: the keyring's was replaced since. */
  g_set_error_literal (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_NOT_REQUESTED,
                       _("The code sent earlier cannot be sent again. Wait until it expires, "
                         "then send a new code."));
  return NULL;
}

static guint
minutes_left (PvVerifier       *self,
              const PvCustomer *customer)
{
  gint64 left = customer->code_expires_at - pv_clock_get_now (self->clock);

  return (guint) MAX ((left + 59) / 60, 1);
}

static void
awaited_text_recorded (PvVerifier *self,
                       GTask      *task)
{
  PendingSend *pending = g_task_get_task_data (task);
  const PvCustomer *customer = pending->claim.customer;

  /* Verified or sent a newer code at another desk in the meantime: this one is void. */
  if (!pending->finished)
    {
      g_task_return_new_error (task, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_BUSY,
                               _("Another desk changed this customer at the same moment. "
                                 "Try again."));
      return;
    }

  /* Whoever shows the code says that a text is awaited: no update, which would only repeat
   * it. */
  _pv_verifier_await_text (self, pending->number, customer->last_sent_at,
                           customer->code_expires_at);
  g_task_return_pointer (task, g_steal_pointer (&pending->texts_us),
                         (GDestroyNotify) pv_texts_us_free);
}

/* Nothing goes out for a code the customer texts us: the claim is done as it is made, and
 * the code goes to whoever shows it. Takes @code. */
static void
await_text (PvVerifier *self,
            GTask      *task,
            char       *code)
{
  PendingSend *pending = g_task_get_task_data (task);
  PvTextsUs *texts_us;

  texts_us = g_new0 (PvTextsUs, 1);
  texts_us->number = g_strdup (pending->number);
  texts_us->office_number = g_strdup (pv_twilio_client_get_phone_number (self->client));
  texts_us->body = g_strdup_printf ("%s %s", PV_TEXTS_US_PREFIX, code);
  texts_us->code = code;
  texts_us->expires_at = pending->claim.customer->code_expires_at;
  pending->texts_us = texts_us;

  finish_send (self, task, PV_SEND_OUTCOME_SENT, NULL, awaited_text_recorded);
}

/* Puts the granted claim's code in a text or a call script and sends it. */
static void
send_claimed (PvVerifier *self,
              GTask      *task)
{
  PendingSend *pending = g_task_get_task_data (task);
  const PvCustomer *customer = pending->claim.customer;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *content = NULL;
  guint minutes = minutes_left (self, customer);

  code = code_for_claim (self, &pending->claim, &error);
  if (code != NULL && customer->channel == PV_CHANNEL_INBOUND)
    {
      await_text (self, task, g_steal_pointer (&code));
      return;
    }
  if (code != NULL && customer->channel == PV_CHANNEL_CALL)
    content = pv_message_composer_compose_call (self->composer, pending->language, code,
                                                minutes);
  else if (code != NULL)
    content = pv_message_composer_compose_text (self->composer, pending->language, code,
                                                minutes, &error);
  if (code != NULL)
    explicit_bzero (code, strlen (code));

  if (content == NULL)
    {
      refuse_claimed_send (self, task, g_steal_pointer (&error),
                           PV_UPDATE_ACTION_OPEN_PREFERENCES);
      return;
    }

  /* The code exists only in this text or script from here on. */
  if (customer->channel == PV_CHANNEL_CALL)
    pv_twilio_client_start_call_async (self->client, pending->number, content,
                                       CALL_RING_SECONDS, CALL_LIMIT_SECONDS,
                                       g_task_get_cancellable (task),
                                       start_call_cb, g_object_ref (task));
  else
    pv_twilio_client_send_message_async (self->client, pending->number, content,
                                         g_task_get_cancellable (task),
                                         send_message_cb, g_object_ref (task));

  explicit_bzero (content, strlen (content));
}

static gboolean
claim_send_job (PvStore   *store,
                gpointer   data,
                GError   **error)
{
  PendingSend *pending = data;

  return pv_store_claim_send (store, &pending->request, &pending->claim, error);
}

static void
send_claimed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PvVerifier *self = g_task_get_source_object (task);
  PendingSend *pending = g_task_get_task_data (task);
  GError *error = NULL;

  if (!pv_store_queue_run_finish (PV_STORE_QUEUE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _pv_verifier_emit_error_update (self, error, PV_UPDATE_ACTION_RETRY);
      g_task_return_error (task, error);
      return;
    }

  if (pending->claim.verdict != PV_SEND_GRANTED)
    {
      g_task_return_error (task, report_refused_claim (self, &pending->claim, pending->number));
      return;
    }

  send_claimed (self, task);
}

/* Makes a fresh code, claims the send in the store (which stores the code's digest and
 * seed and marks the send in flight before any request goes out, or keeps the live code),
 * and sends it. */
static void
claim_and_send (PvVerifier *self,
                GTask      *task)
{
  PendingSend *pending = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;

  /* Wording the office cannot send is found before anything is claimed. */
  if (pending->channel == PV_CHANNEL_SMS &&
      !pv_message_composer_check_text (self->composer, pending->language, &error))
    {
      _pv_verifier_emit_error_update (self, error, PV_UPDATE_ACTION_OPEN_PREFERENCES);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  pending->code_seed = pv_code_generate_seed (&error);
  if (pending->code_seed == NULL)
    {
      _pv_verifier_emit_error_update (self, error, PV_UPDATE_ACTION_RETRY);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  code = pv_code_derive (self->digest_key, pending->number, pending->code_seed,
                         self->code_length);
  pending->code_digest = pv_code_digest (self->digest_key, pending->number, code);
  explicit_bzero (code, strlen (code));

  pending->request = make_send_request (self, pending);
  pv_store_queue_run_async (self->queue, claim_send_job, pending,
                            g_task_get_cancellable (task), send_claimed_cb,
                            g_object_ref (task));
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

/**
 * pv_verifier_propose_channel:
 * @number: a parsed number
 *
 * What the Register step offers first: a call for a number libphonenumber knows as a
 * fixed line, which cannot take texts, and a text for everything else.
 *
 * Returns: %PV_CHANNEL_SMS or %PV_CHANNEL_CALL
 */
PvChannel
pv_verifier_propose_channel (PvVerifier          *self,
                             const PvPhoneNumber *number)
{
  g_return_val_if_fail (number != NULL, PV_CHANNEL_SMS);

  return number->type == PV_PHONE_NUMBER_TYPE_FIXED_LINE ? PV_CHANNEL_CALL : PV_CHANNEL_SMS;
}

/* Staff's choices for this customer, if known, read after this verifier's own writes. The
 * claim decides the rest, so a store that cannot be read here will say so there. */
static void
choices_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PvVerifier *self = g_task_get_source_object (task);
  PendingSend *pending = g_task_get_task_data (task);
  g_autoptr(PvCustomer) stored = NULL;
  GError *error = NULL;

  stored = pv_store_queue_lookup_finish (PV_STORE_QUEUE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      return;
    }
  g_clear_error (&error);

  pending->last = stored != NULL ? stored->channel : PV_CHANNEL_NONE;
  pending->known = stored != NULL;
  pending->language = g_strdup (pv_message_composer_choose_language (
                                  self->composer, stored != NULL ? stored->language : NULL,
                                  pending->region));
  pending->prepared (self, task);
}

/* The checks register and resend share, in the order of the form: the number, then the
 * name (register only: @name is NULL for a resend), then whether codes can be sent at
 * all. Once they pass, reads staff's choices for the customer and goes on with @then;
 * otherwise fails @task with the reason told to staff and returns NULL. Nothing is stored
 * or sent before all of them pass. */
static PendingSend *
prepare_send (PvVerifier  *self,
              GTask       *task,
              const char  *input,
              const char  *country,
              const char  *name,
              PvChannel    channel,
              PendingStep  then)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PvPhoneNumber) parsed = NULL;
  g_autofree char *cleaned = NULL;
  PendingSend *pending;

  parsed = pv_phone_number_parse (input, country != NULL ? country : self->default_country,
                                  &error);
  if (parsed == NULL || !check_country_served (self, parsed, &error))
    {
      _pv_verifier_emit_error_update (self, error, PV_UPDATE_ACTION_EDIT_NUMBER);
      g_task_return_error (task, g_steal_pointer (&error));
      return NULL;
    }

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

  pending = g_new0 (PendingSend, 1);
  pending->number = g_strdup (parsed->e164);
  pending->region = g_strdup (parsed->region);
  pending->name = g_steal_pointer (&cleaned);
  pending->channel = channel;
  pending->proposed = pv_verifier_propose_channel (self, parsed);
  pending->prepared = then;
  g_task_set_task_data (task, pending, (GDestroyNotify) pending_send_free);

  pv_store_queue_lookup_async (self->queue, pending->number, g_task_get_cancellable (task),
                               choices_read_cb, g_object_ref (task));

  return pending;
}

static const char *
describe_refused_line_type (PvLineType type)
{
  switch (type)
    {
    case PV_LINE_TYPE_PREMIUM:
      return _("a premium-rate line, which would charge the office");
    case PV_LINE_TYPE_SHARED_COST:
      return _("a shared-cost line, which would charge the office");
    case PV_LINE_TYPE_TOLL_FREE:
      return _("a toll-free number, which cannot take texts and is rarely a person’s");
    case PV_LINE_TYPE_UAN:
      return _("a company’s switchboard number, not a person’s");
    case PV_LINE_TYPE_PAGER:
      return _("a pager");
    case PV_LINE_TYPE_VOICEMAIL:
      return _("a voicemail box");
    case PV_LINE_TYPE_PERSONAL:
      return _("a personal forwarding number, which may ring anywhere");
    case PV_LINE_TYPE_UNKNOWN:
    case PV_LINE_TYPE_MOBILE:
    case PV_LINE_TYPE_LANDLINE:
    case PV_LINE_TYPE_FIXED_VOIP:
    case PV_LINE_TYPE_NON_FIXED_VOIP:
    default:
      return NULL;
    }
}

static void
lookup_line_type_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PvVerifier *self = g_task_get_source_object (task);
  PendingSend *pending = g_task_get_task_data (task);
  g_autoptr(PvTwilioLookup) lookup = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = _pv_verifier_display_number (self, pending->number);
  const char *refused;

  lookup = pv_twilio_client_lookup_line_type_finish (PV_TWILIO_CLIENT (object), result, &error);
  if (lookup == NULL)
    {
      _pv_verifier_emit_error_update (self, error, action_for_twilio_error (error));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!lookup->valid)
    {
      g_set_error (&error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_LINE_TYPE_REFUSED,
                   _("Twilio Lookup says %s is not a number in use. Check it with the "
                     "customer."),
                   shown);
      _pv_verifier_emit_error_update (self, error, PV_UPDATE_ACTION_EDIT_NUMBER);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  refused = describe_refused_line_type (lookup->line_type);
  if (refused != NULL)
    {
      /* Translators: %s is a phone number, then what kind of line it is */
      g_set_error (&error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_LINE_TYPE_REFUSED,
                   _("No code was sent: Twilio Lookup says %s is %s. Ask the customer for "
                     "another number."),
                   shown, refused);
      _pv_verifier_emit_error_update (self, error, PV_UPDATE_ACTION_EDIT_NUMBER);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  pending->channel = lookup->line_type == PV_LINE_TYPE_LANDLINE ||
                     lookup->line_type == PV_LINE_TYPE_FIXED_VOIP
                     ? PV_CHANNEL_CALL : PV_CHANNEL_SMS;
  claim_and_send (self, task);
}

/* Sends once the channel is known: asked of Twilio Lookup first when the office wants it. */
static void
choose_channel_and_send (PvVerifier *self,
                         GTask      *task)
{
  PendingSend *pending = g_task_get_task_data (task);

  /* Twilio Lookup is asked only before a number's first send: after that, what happened
   * to earlier sends says more than the line type. */
  if (pending->channel == PV_CHANNEL_NONE && (pending->last != PV_CHANNEL_NONE ||
                                              !self->check_line_type))
    pending->channel = pending->proposed;

  if (pending->channel != PV_CHANNEL_NONE)
    {
      claim_and_send (self, task);
      return;
    }

  pv_twilio_client_lookup_line_type_async (self->client, pending->number,
                                           g_task_get_cancellable (task),
                                           lookup_line_type_cb, g_object_ref (task));
}

/**
 * pv_verifier_register_async:
 * @input: the number as staff typed it
 * @name: (nullable): the customer's name, as typed: it is cleaned with
 *   pv_text_clean_name(), and a name that function refuses fails the task with its
 *   %PV_TEXT_ERROR before anything is stored or sent
 *
 * Starts verifying a number: a new number gets a code, by the channel
 * pv_verifier_propose_channel() chooses (or Twilio Lookup, when the check-line-type
 * setting is on). A number that already has a live code is not sent another (the customer
 * may be reading it out right now); its code-sent is emitted again so the staff member can
 * type the code in, and the task fails with %PV_VERIFIER_ERROR_ALREADY_REQUESTED. When
 * Twilio's answer is lost, the code stays stored, code-sent is emitted (the text may
 * arrive), and the task fails with %PV_TWILIO_ERROR_OUTCOME_UNKNOWN.
 */
void
pv_verifier_register_async (PvVerifier          *self,
                            const char          *input,
                            const char          *name,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  pv_verifier_register_in_country_async (self, input, NULL, name, PV_CHANNEL_NONE,
                                         cancellable, callback, user_data);
}

/**
 * pv_verifier_register_in_country_async:
 * @country: (nullable): the country to read a national @input in, for this number only;
 *   %NULL for the office's. Which countries are served does not change with it.
 * @channel: %PV_CHANNEL_SMS, %PV_CHANNEL_CALL, or %PV_CHANNEL_NONE for the one
 *   pv_verifier_register_async() would choose
 *
 * As pv_verifier_register_async().
 */
void
pv_verifier_register_in_country_async (PvVerifier          *self,
                                       const char          *input,
                                       const char          *country,
                                       const char          *name,
                                       PvChannel            channel,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PV_IS_VERIFIER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_verifier_register_in_country_async);
  /* Once the request is out, cancelling does not make it unsent: the task reports what the
   * client says, OUTCOME_UNKNOWN included. */
  g_task_set_check_cancellable (task, FALSE);

  prepare_send (self, task, input, country, name, channel, choose_channel_and_send);
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

static void
claim_awaited_text (PvVerifier *self,
                    GTask      *task)
{
  PendingSend *pending = g_task_get_task_data (task);

  if (pv_twilio_client_get_phone_number (self->client) == NULL)
    {
      GError *error = g_error_new_literal (PV_VERIFIER_ERROR,
                                           PV_VERIFIER_ERROR_NO_OFFICE_NUMBER,
                                           _("Customers can text the office only when it "
                                             "sends from a phone number of its own. Enter "
                                             "the office’s Twilio number in Preferences."));

      _pv_verifier_emit_error_update (self, error, PV_UPDATE_ACTION_OPEN_PREFERENCES);
      g_task_return_error (task, error);
      return;
    }

  pending->resend = pending->known;
  claim_and_send (self, task);
}

/**
 * pv_verifier_texts_us_async:
 * @input: the number as staff typed it
 * @country: (nullable): as for pv_verifier_register_in_country_async()
 * @name: (nullable): as for pv_verifier_register_async()
 *
 * Makes a code for the customer to text to the office's number, and awaits that text:
 * nothing is sent to the customer. A new code replaces a live one (the customer may hold
 * a texted code, but staff may not see that one), so pressing again shows a new code. When
 * a text with the code comes from the number, ::verified is emitted; when the code expires
 * first, ::awaiting-ended.
 */
void
pv_verifier_texts_us_async (PvVerifier          *self,
                            const char          *input,
                            const char          *country,
                            const char          *name,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PV_IS_VERIFIER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_verifier_texts_us_async);

  prepare_send (self, task, input, country, name, PV_CHANNEL_INBOUND, claim_awaited_text);
}

/**
 * pv_verifier_texts_us_finish:
 *
 * Returns: (transfer full): the code to show and where to text it, or %NULL with @error
 *   set (staff were told why through ::update)
 */
PvTextsUs *
pv_verifier_texts_us_finish (PvVerifier    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Again the way it went last, unless staff said otherwise; a code the customer was to text
 * us is sent out this time, since that is what sending again means. */
static void
claim_code_again (PvVerifier *self,
                  GTask      *task)
{
  PendingSend *pending = g_task_get_task_data (task);

  if (pending->channel == PV_CHANNEL_NONE)
    pending->channel = pending->last != PV_CHANNEL_NONE && pending->last != PV_CHANNEL_INBOUND
                       ? pending->last : pending->proposed;
  claim_and_send (self, task);
}

/* A code again for a number that had one: on @channel, or with @reverify a new code for a
 * re-verification. Takes @task. */
static void
send_code_again (PvVerifier *self,
                 const char *number,
                 PvChannel   channel,
                 gboolean    reverify,
                 GTask      *task,
                 gpointer    source_tag)
{
  g_autoptr(GTask) owned = task;
  PendingSend *pending;

  g_task_set_source_tag (owned, source_tag);
  /* As for a registration: once the request is out, cancelling does not make it unsent. */
  g_task_set_check_cancellable (owned, FALSE);

  pending = prepare_send (self, owned, number, NULL, NULL, channel, claim_code_again);
  if (pending == NULL)
    return;

  pending->resend = TRUE;
  pending->reverify = reverify;
}

/**
 * pv_verifier_send_again_async:
 * @number: an E.164 number that already had a code
 * @channel: %PV_CHANNEL_SMS, %PV_CHANNEL_CALL, or %PV_CHANNEL_NONE for the channel of the
 *   last send
 *
 * Sends the customer's code again, once the cooldown has passed: the same code while it
 * is valid, so that a text that arrives late still works and a call reads out what the
 * text said; a new one once it expired or its attempts are used up. The hourly limit
 * counts every send, on either channel.
 */
void
pv_verifier_send_again_async (PvVerifier          *self,
                              const char          *number,
                              PvChannel            channel,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (PV_IS_VERIFIER (self));
  g_return_if_fail (number != NULL);

  send_code_again (self, number, channel, FALSE,
                   g_task_new (self, cancellable, callback, user_data),
                   pv_verifier_send_again_async);
}

gboolean
pv_verifier_send_again_finish (PvVerifier    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_autofree char *number = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  number = g_task_propagate_pointer (G_TASK (result), error);

  return number != NULL;
}

/**
 * pv_verifier_resend_async:
 * @number: an E.164 number that already had a code
 *
 * As pv_verifier_send_again_async() on the channel of the last send.
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

  send_code_again (self, number, PV_CHANNEL_NONE, FALSE,
                   g_task_new (self, cancellable, callback, user_data),
                   pv_verifier_resend_async);
}

gboolean
pv_verifier_resend_finish (PvVerifier    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return pv_verifier_send_again_finish (self, result, error);
}

/**
 * pv_verifier_verify_again_async:
 * @number: an E.164 number
 *
 * Sends a verified customer a new code, for numbers get reassigned: the customer is pending
 * again until the code is read back, and the earlier verification stays in the history. If
 * Twilio refuses the text, the customer stays verified. A customer who is not verified yet
 * is sent a new code; the cooldown and the hourly limit hold either way.
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

  send_code_again (self, number, PV_CHANNEL_NONE, TRUE,
                   g_task_new (self, cancellable, callback, user_data),
                   pv_verifier_verify_again_async);
}

gboolean
pv_verifier_verify_again_finish (PvVerifier    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return pv_verifier_send_again_finish (self, result, error);
}

/**
 * pv_verifier_get_cooldown_remaining:
 * @customer: (nullable): a customer as the store has it
 *
 * Returns: how many seconds until another code may be sent to @customer
 */
guint
pv_verifier_get_cooldown_remaining (PvVerifier       *self,
                                    const PvCustomer *customer)
{
  g_return_val_if_fail (PV_IS_VERIFIER (self), 0);

  if (customer == NULL)
    return 0;

  return cooldown_remaining (self, customer);
}
