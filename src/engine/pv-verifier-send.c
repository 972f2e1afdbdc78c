/* pv-verifier-send.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Registering a number and sending it a code: the half of PvVerifier that talks to
 * Twilio. The digest is stored before the text goes out, so a code the customer may
 * already hold always has a record to be checked against; if Twilio refuses, the store
 * goes back to what it was. */

#define G_LOG_DOMAIN "pv-verifier"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "pv-code.h"
#include "pv-message-template.h"
#include "pv-phone-number.h"
#include "pv-twilio-error.h"
#include "pv-verifier-private.h"

#define SEND_WINDOW_SECONDS (60 * 60)

/* What a send needs once Twilio has answered. */
typedef struct
{
  PvCustomer *customer;  /* as stored while the message is in flight */
  PvCustomer *previous;  /* as it was before, or NULL for a customer new to the store */
} SendData;

static void
send_data_free (SendData *data)
{
  g_clear_pointer (&data->customer, pv_customer_free);
  g_clear_pointer (&data->previous, pv_customer_free);
  g_free (data);
}

static PvUpdateAction
action_for_twilio_error (const GError *error)
{
  if (error->domain != PV_TWILIO_ERROR)
    return PV_UPDATE_ACTION_RETRY;

  switch ((PvTwilioError) error->code)
    {
    case PV_TWILIO_ERROR_AUTH_FAILED:
    case PV_TWILIO_ERROR_INVALID_SENDER:
    case PV_TWILIO_ERROR_REGION_DISABLED:
      return PV_UPDATE_ACTION_OPEN_PREFERENCES;

    case PV_TWILIO_ERROR_RATE_LIMITED:
    case PV_TWILIO_ERROR_UNAVAILABLE:
    case PV_TWILIO_ERROR_NETWORK:
    case PV_TWILIO_ERROR_MALFORMED_REPLY:
      return PV_UPDATE_ACTION_RETRY;

    case PV_TWILIO_ERROR_INVALID_NUMBER:
    case PV_TWILIO_ERROR_UNVERIFIED_TRIAL_NUMBER:
    case PV_TWILIO_ERROR_OPTED_OUT:
    case PV_TWILIO_ERROR_NOT_FOUND:
    case PV_TWILIO_ERROR_REJECTED:
    default:
      return PV_UPDATE_ACTION_START_OVER;
    }
}

static gboolean
has_live_code (PvVerifier       *self,
               const PvCustomer *customer)
{
  return customer->code_digest != NULL
         && customer->failed_attempts < self->max_attempts
         && pv_clock_get_now (self->clock) < customer->code_expires_at;
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

/* Reports the first reason a new code cannot be sent to @customer now, if any. */
static gboolean
check_send_allowed (PvVerifier        *self,
                    const PvCustomer  *customer,
                    GError           **error)
{
  gint64 now = pv_clock_get_now (self->clock);
  guint wait = cooldown_remaining (self, customer);

  if (wait > 0)
    {
      g_set_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_COOLDOWN,
                   ngettext ("Wait %u second before sending another code to %s.",
                             "Wait %u seconds before sending another code to %s.",
                             wait),
                   wait, customer->number);
      return FALSE;
    }

  if (now - customer->send_window_started_at < SEND_WINDOW_SECONDS
      && customer->sends_in_window >= self->max_sends_per_hour)
    {
      gint64 window_ends = customer->send_window_started_at + SEND_WINDOW_SECONDS;
      guint minutes = (guint) ((window_ends - now + 59) / 60);

      g_set_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_SEND_LIMIT,
                   ngettext ("%s has had too many codes this hour. Try again in %u minute.",
                             "%s has had too many codes this hour. Try again in %u minutes.",
                             minutes),
                   customer->number, minutes);
      return FALSE;
    }

  return TRUE;
}

/* The customer as stored now, if it still holds the code this send put there: anything
 * else (verified with a code that arrived before Twilio's slow reply, deleted, sent a newer
 * code) happened later and must not be overwritten with the state from before the send. */
static PvCustomer *
lookup_unchanged_since_send (PvVerifier *self,
                             SendData   *data)
{
  g_autoptr(PvCustomer) current = pv_store_lookup (self->store, data->customer->number, NULL);

  if (current == NULL || g_strcmp0 (current->code_digest, data->customer->code_digest) != 0)
    return NULL;

  return g_steal_pointer (&current);
}

static void
restore_after_failed_send (PvVerifier   *self,
                           SendData     *data,
                           const GError *reason)
{
  g_autoptr(PvCustomer) current = lookup_unchanged_since_send (self, data);
  g_autoptr(GError) error = NULL;
  gboolean restored;

  if (current == NULL)
    return;

  /* Nothing may stay half-stored: a customer new to the store is removed again, and a
   * known one goes back to what it was, its old code included. */
  if (data->previous == NULL)
    {
      restored = pv_store_delete_customer (self->store, current->number,
                                           PV_EVENT_NONE, NULL, &error);
    }
  else
    {
      /* When the request may have reached Twilio (no answer, or the window closed under
       * it), the send still counts towards the cooldown and the hourly limit; otherwise
       * Retry on a flaky line could text the customer without limit. */
      if (g_error_matches (reason, PV_TWILIO_ERROR, PV_TWILIO_ERROR_NETWORK)
          || g_error_matches (reason, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          data->previous->sends_in_window = current->sends_in_window;
          data->previous->send_window_started_at = current->send_window_started_at;
          data->previous->last_sent_at = current->last_sent_at;
        }

      restored = pv_store_update_customer (self->store, data->previous,
                                           PV_EVENT_NONE, NULL, &error);
    }

  if (!restored)
    g_warning ("Could not undo the unsent code for a customer: %s", error->message);
}

static void
send_message_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PvVerifier *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);
  PvCustomer *customer = data->customer;
  g_autoptr(PvCustomer) current = NULL;
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  message = pv_twilio_client_send_message_finish (PV_TWILIO_CLIENT (object), result, &error);
  g_hash_table_remove (self->sends_in_flight, customer->number);

  /* Twilio answered "success" but the reply was unreadable (or something in between
   * answered for it): the text may well be on its way. Undoing the stored digest would
   * leave the customer holding a code that can never work, so the code stays, and staff
   * are told to resend only if nothing arrives. */
  if (g_error_matches (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_MALFORMED_REPLY))
    {
      _pv_verifier_emit_update (self, PV_UPDATE_ERROR, PV_UPDATE_ACTION_RESEND,
                   _("Twilio’s reply could not be read, so the code may or may not have "
                     "been sent to %s. If it does not arrive, send a new code."),
                   customer->number);
      g_signal_emit (self, _pv_verifier_signals[CODE_SENT], 0, customer->number);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (message == NULL)
    {
      restore_after_failed_send (self, data, error);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _pv_verifier_emit_error_update (self, error, action_for_twilio_error (error));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  current = lookup_unchanged_since_send (self, data);
  if (current == NULL)
    {
      /* Already verified (or deleted) while Twilio took its time to answer. */
      g_task_return_pointer (task, g_strdup (customer->number), g_free);
      return;
    }

  current->message_sid = g_strdup (message->sid);
  current->delivery_status = g_strdup (message->status);
  current->delivery_error_code = message->error_code;

  if (!pv_store_update_customer (self->store, current, PV_EVENT_CODE_SENT, message->sid, &error))
    {
      /* The text is on its way and its digest is stored; only the receipt is missing. */
      g_warning ("Could not record the sent message: %s", error->message);
      g_clear_error (&error);
    }

  _pv_verifier_emit_update (self, PV_UPDATE_SUCCESS, PV_UPDATE_ACTION_NONE,
               _("A verification code was sent to %s."), customer->number);
  g_signal_emit (self, _pv_verifier_signals[CODE_SENT], 0, customer->number);
  g_signal_emit (self, _pv_verifier_signals[DELIVERY_CHANGED], 0,
                 customer->number, message->status, message->error_code);

  _pv_verifier_track_delivery (self, customer->number, message);

  g_task_return_pointer (task, g_strdup (customer->number), g_free);
}

/* Gives @customer a fresh code, stores its digest, and texts it. @previous is the stored
 * state to go back to if Twilio refuses, or %NULL for a customer not yet stored. */
static void
send_new_code (PvVerifier *self,
               GTask      *task,
               PvCustomer *customer,
               PvCustomer *previous)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *body = NULL;
  gint64 now = pv_clock_get_now (self->clock);
  SendData *data;
  gboolean stored;

  if (!check_send_allowed (self, customer, &error))
    {
      _pv_verifier_emit_error_update (self, error, PV_UPDATE_ACTION_NONE);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

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

  if (now - customer->send_window_started_at >= SEND_WINDOW_SECONDS)
    {
      customer->send_window_started_at = now;
      customer->sends_in_window = 0;
    }

  g_free (customer->code_digest);
  customer->code_digest = pv_code_digest (self->digest_key, customer->number, code);
  customer->code_expires_at = now + self->code_lifetime;
  customer->failed_attempts = 0;
  customer->sends_in_window++;
  customer->last_sent_at = now;
  customer->updated_at = now;
  g_clear_pointer (&customer->message_sid, g_free);
  g_clear_pointer (&customer->delivery_status, g_free);
  customer->delivery_error_code = 0;

  /* The code exists only in this body from here on. */
  explicit_bzero (code, strlen (code));

  /* The digest is stored before the text goes out, so a code the customer may already
   * hold always has a record to be checked against. */
  if (previous == NULL)
    stored = pv_store_insert_customer (self->store, customer, PV_EVENT_NONE, NULL, &error);
  else
    stored = pv_store_update_customer (self->store, customer, PV_EVENT_NONE, NULL, &error);

  if (!stored)
    {
      explicit_bzero (body, strlen (body));
      _pv_verifier_emit_error_update (self, error, PV_UPDATE_ACTION_RETRY);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data = g_new0 (SendData, 1);
  data->customer = pv_customer_copy (customer);
  data->previous = previous != NULL ? pv_customer_copy (previous) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);

  g_hash_table_add (self->sends_in_flight, g_strdup (customer->number));

  pv_twilio_client_send_message_async (self->client,
                                       customer->number,
                                       body,
                                       g_task_get_cancellable (task),
                                       send_message_cb,
                                       g_object_ref (task));

  explicit_bzero (body, strlen (body));
}

/* The checks shared by register and resend, up to the stored customer (or NULL if none). */
static gboolean
prepare_send (PvVerifier  *self,
              const char  *number,
              PvCustomer **customer_out,
              GError     **error)
{
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!_pv_verifier_check_configured (self, &local_error))
    {
      return _pv_verifier_report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_ERROR, PV_UPDATE_ACTION_OPEN_PREFERENCES, FALSE);
    }

  if (g_hash_table_contains (self->sends_in_flight, number))
    {
      g_set_error (&local_error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_BUSY,
                   _("A code is already on its way to %s."), number);
      return _pv_verifier_report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_ERROR, PV_UPDATE_ACTION_NONE, FALSE);
    }

  customer = pv_store_lookup (self->store, number, &local_error);
  if (local_error != NULL)
    {
      return _pv_verifier_report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_ERROR, PV_UPDATE_ACTION_RETRY, FALSE);
    }

  if (customer != NULL && customer->status == PV_CUSTOMER_STATUS_VERIFIED)
    {
      g_set_error (&local_error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_ALREADY_VERIFIED,
                   _("You have already verified %s!"), number);
      return _pv_verifier_report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_INFO, PV_UPDATE_ACTION_NONE, TRUE);
    }

  *customer_out = g_steal_pointer (&customer);
  return TRUE;
}

/**
 * pv_verifier_register_async:
 * @input: the number as staff typed it
 * @name: (nullable): the customer's name
 *
 * Starts verifying a number: a new number gets a code by text message. A number that
 * already has a live code is not sent another (the customer may be reading it out right
 * now); its code-sent is emitted again so the staff member can type the code in.
 */
void
pv_verifier_register_async (PvVerifier          *self,
                            const char          *input,
                            const char          *name,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(PvCustomer) previous = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  g_autofree char *clean_name = NULL;

  g_return_if_fail (PV_IS_VERIFIER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_verifier_register_async);

  number = pv_phone_number_normalize (input, self->default_country_code, &error);
  if (number == NULL)
    {
      _pv_verifier_emit_error_update (self, error, PV_UPDATE_ACTION_NONE);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!prepare_send (self, number, &customer, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (name != NULL)
    clean_name = g_strstrip (g_strdup (name));

  if (customer != NULL && has_live_code (self, customer))
    {
      _pv_verifier_emit_update (self, PV_UPDATE_INFO, PV_UPDATE_ACTION_RESEND,
                   _("You have already requested a verification code for %s. Enter the code "
                     "from that text message."),
                   number);
      g_signal_emit (self, _pv_verifier_signals[CODE_SENT], 0, number);
      g_task_return_pointer (task, g_steal_pointer (&number), g_free);
      return;
    }

  if (customer == NULL)
    {
      customer = pv_customer_new (number);
      customer->created_at = pv_clock_get_now (self->clock);
    }
  else
    {
      previous = pv_customer_copy (customer);
    }

  if (clean_name != NULL && clean_name[0] != '\0')
    {
      g_free (customer->name);
      customer->name = g_steal_pointer (&clean_name);
    }

  send_new_code (self, task, customer, previous);
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
  g_autoptr(GTask) task = NULL;
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(PvCustomer) previous = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PV_IS_VERIFIER (self));
  g_return_if_fail (number != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_verifier_resend_async);

  if (!prepare_send (self, number, &customer, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (customer == NULL)
    {
      g_set_error (&error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_NOT_REQUESTED,
                   _("You have not requested a verification code for %s yet!"), number);
      _pv_verifier_emit_update (self, PV_UPDATE_ERROR, PV_UPDATE_ACTION_NONE, "%s", error->message);
      g_signal_emit (self, _pv_verifier_signals[RESET], 0);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  previous = pv_customer_copy (customer);
  send_new_code (self, task, customer, previous);
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
