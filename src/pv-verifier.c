/* pv-verifier.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The verification flow. Its signals mirror the events of the web tutorial it replaces
 * (code_generated, update, reset, verified), so a page can follow it the same way; what
 * changed is underneath: random codes stored as keyed digests, expiry, attempt and send
 * limits, E.164 numbers, and Twilio errors explained one by one.
 *
 * Every outcome is reported twice: as an "update" for staff, and as the result of the
 * call for code that needs to branch on it. */

#define G_LOG_DOMAIN "pv-verifier"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "pv-code.h"
#include "pv-delivery-tracker.h"
#include "pv-enums.h"
#include "pv-message-template.h"
#include "pv-phone-number.h"
#include "pv-twilio-error.h"
#include "pv-verifier.h"

#define SEND_WINDOW_SECONDS (60 * 60)

struct _PvVerifier
{
  GObject          parent_instance;

  PvStore         *store;
  PvTwilioClient  *client;
  PvClock         *clock;
  GBytes          *digest_key;

  GHashTable      *sends_in_flight;  /* E.164 number → itself */
  GHashTable      *trackers;         /* E.164 number → PvDeliveryTracker */

  guint            default_country_code;
  guint            code_length;
  guint            code_lifetime;
  guint            max_attempts;
  guint            resend_cooldown;
  guint            max_sends_per_hour;
  guint            delivery_timeout;
  guint            poll_interval;
  char            *message_template;
};

G_DEFINE_FINAL_TYPE (PvVerifier, pv_verifier, G_TYPE_OBJECT)

G_DEFINE_QUARK (pv-verifier-error-quark, pv_verifier_error)

enum {
  PROP_0,
  PROP_DEFAULT_COUNTRY_CODE,
  PROP_CODE_LENGTH,
  PROP_CODE_LIFETIME,
  PROP_MAX_ATTEMPTS,
  PROP_RESEND_COOLDOWN,
  PROP_MAX_SENDS_PER_HOUR,
  PROP_DELIVERY_TIMEOUT,
  PROP_POLL_INTERVAL,
  PROP_MESSAGE_TEMPLATE,
  N_PROPS
};

enum {
  CODE_SENT,
  UPDATE,
  VERIFIED,
  RESET,
  DELIVERY_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

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

G_GNUC_PRINTF (4, 5)
static void
emit_update (PvVerifier     *self,
             PvUpdateKind    kind,
             PvUpdateAction  action,
             const char     *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_signal_emit (self, signals[UPDATE], 0, message, kind, action);
}

/* Reports @error to staff as it is: every error that reaches here already carries a clear,
 * translated message. */
static void
emit_error_update (PvVerifier     *self,
                   const GError   *error,
                   PvUpdateAction  action)
{
  g_signal_emit (self, signals[UPDATE], 0, error->message, PV_UPDATE_ERROR, action);
}

/* Tells staff why, then hands @reason to the caller. Always returns %FALSE. */
static gboolean
report_failure (PvVerifier      *self,
                GError         **error,
                GError          *reason,
                PvUpdateKind     kind,
                PvUpdateAction   action,
                gboolean         reset)
{
  g_signal_emit (self, signals[UPDATE], 0, reason->message, kind, action);
  if (reset)
    g_signal_emit (self, signals[RESET], 0);
  g_propagate_error (error, reason);

  return FALSE;
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

static gboolean
check_configured (PvVerifier  *self,
                  GError     **error)
{
  if (self->digest_key == NULL || !pv_twilio_client_has_credentials (self->client))
    {
      g_set_error_literal (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_NOT_CONFIGURED,
                           _("Connect your Twilio account in Preferences to send codes."));
      return FALSE;
    }

  return TRUE;
}

static void
stop_and_unref_tracker (PvDeliveryTracker *tracker)
{
  pv_delivery_tracker_stop (tracker);
  g_object_unref (tracker);
}

static void
delivery_status_changed_cb (PvVerifier        *self,
                            PvTwilioMessage   *message,
                            PvDeliveryTracker *tracker)
{
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(GError) error = NULL;
  const char *number = g_object_get_data (G_OBJECT (tracker), "number");

  customer = pv_store_lookup (self->store, number, &error);
  if (customer == NULL || g_strcmp0 (customer->message_sid, message->sid) != 0)
    {
      /* Deleted, or a newer code has been sent since: this message no longer matters. */
      if (error != NULL)
        g_warning ("Could not record the delivery status: %s", error->message);
      return;
    }

  g_free (customer->delivery_status);
  customer->delivery_status = g_strdup (message->status);
  customer->delivery_error_code = message->error_code;
  customer->updated_at = pv_clock_get_now (self->clock);

  if (!pv_store_update_customer (self->store, customer, PV_EVENT_DELIVERY_UPDATE,
                                 message->status, &error))
    {
      emit_error_update (self, error, PV_UPDATE_ACTION_NONE);
      return;
    }

  g_signal_emit (self, signals[DELIVERY_CHANGED], 0,
                 number, message->status, message->error_code);

  if (g_str_equal (message->status, "undelivered") || g_str_equal (message->status, "failed"))
    emit_update (self, PV_UPDATE_ERROR, PV_UPDATE_ACTION_RESEND,
                 /* Translators: %s is a phone number, then the reason Twilio gave */
                 _("The code could not be delivered to %s. %s"),
                 number, pv_twilio_error_describe_delivery (message->error_code));
}

static void
delivery_finished_cb (PvVerifier              *self,
                      PvDeliveryTrackerResult  result,
                      PvDeliveryTracker       *tracker)
{
  const char *number = g_object_get_data (G_OBJECT (tracker), "number");

  /* Only forget the tracker if it is still the current one for this number. */
  if (g_hash_table_lookup (self->trackers, number) == tracker)
    g_hash_table_remove (self->trackers, number);
}

static void
track_delivery (PvVerifier            *self,
                const char            *number,
                const PvTwilioMessage *message)
{
  g_autoptr(PvDeliveryTracker) tracker = NULL;

  if (pv_twilio_message_is_final (message))
    return;

  tracker = pv_delivery_tracker_new (self->client, message->sid, message->status);
  g_object_set (tracker,
                "initial-interval", self->poll_interval,
                "timeout", self->delivery_timeout,
                NULL);
  g_object_set_data_full (G_OBJECT (tracker), "number", g_strdup (number), g_free);
  g_signal_connect_object (tracker, "status-changed",
                           G_CALLBACK (delivery_status_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (tracker, "finished",
                           G_CALLBACK (delivery_finished_cb), self, G_CONNECT_SWAPPED);

  /* Replacing the entry stops tracking the previous message to that number. */
  g_hash_table_replace (self->trackers, g_strdup (number), g_object_ref (tracker));
  pv_delivery_tracker_start (tracker);
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
      emit_update (self, PV_UPDATE_ERROR, PV_UPDATE_ACTION_RESEND,
                   _("Twilio’s reply could not be read, so the code may or may not have "
                     "been sent to %s. If it does not arrive, send a new code."),
                   customer->number);
      g_signal_emit (self, signals[CODE_SENT], 0, customer->number);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (message == NULL)
    {
      restore_after_failed_send (self, data, error);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        emit_error_update (self, error, action_for_twilio_error (error));
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

  emit_update (self, PV_UPDATE_SUCCESS, PV_UPDATE_ACTION_NONE,
               _("A verification code was sent to %s."), customer->number);
  g_signal_emit (self, signals[CODE_SENT], 0, customer->number);
  g_signal_emit (self, signals[DELIVERY_CHANGED], 0,
                 customer->number, message->status, message->error_code);

  track_delivery (self, customer->number, message);

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
      emit_error_update (self, error, PV_UPDATE_ACTION_NONE);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!pv_message_template_validate (self->message_template, &error))
    {
      emit_error_update (self, error, PV_UPDATE_ACTION_OPEN_PREFERENCES);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  code = pv_code_generate (self->code_length, &error);
  if (code == NULL)
    {
      emit_error_update (self, error, PV_UPDATE_ACTION_RETRY);
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
      emit_error_update (self, error, PV_UPDATE_ACTION_RETRY);
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

  if (!check_configured (self, &local_error))
    {
      return report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_ERROR, PV_UPDATE_ACTION_OPEN_PREFERENCES, FALSE);
    }

  if (g_hash_table_contains (self->sends_in_flight, number))
    {
      g_set_error (&local_error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_BUSY,
                   _("A code is already on its way to %s."), number);
      return report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_ERROR, PV_UPDATE_ACTION_NONE, FALSE);
    }

  customer = pv_store_lookup (self->store, number, &local_error);
  if (local_error != NULL)
    {
      return report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_ERROR, PV_UPDATE_ACTION_RETRY, FALSE);
    }

  if (customer != NULL && customer->status == PV_CUSTOMER_STATUS_VERIFIED)
    {
      g_set_error (&local_error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_ALREADY_VERIFIED,
                   _("You have already verified %s!"), number);
      return report_failure (self, error, g_steal_pointer (&local_error),
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
      emit_error_update (self, error, PV_UPDATE_ACTION_NONE);
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
      emit_update (self, PV_UPDATE_INFO, PV_UPDATE_ACTION_RESEND,
                   _("You have already requested a verification code for %s. Enter the code "
                     "from that text message."),
                   number);
      g_signal_emit (self, signals[CODE_SENT], 0, number);
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
      emit_update (self, PV_UPDATE_ERROR, PV_UPDATE_ACTION_NONE, "%s", error->message);
      g_signal_emit (self, signals[RESET], 0);
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

/* Customers read codes out loud, and staff type what they hear: "123 456" or "123-456". */
static char *
clean_code (const char *code)
{
  GString *digits = g_string_new (NULL);

  for (const char *p = code; p != NULL && *p != '\0'; p++)
    {
      if (*p == ' ' || *p == '-')
        continue;
      if (!g_ascii_isdigit (*p) || digits->len >= PV_CODE_MAX_LENGTH)
        {
          g_string_free (digits, TRUE);
          return NULL;
        }
      g_string_append_c (digits, *p);
    }

  if (digits->len < PV_CODE_MIN_LENGTH)
    {
      g_string_free (digits, TRUE);
      return NULL;
    }

  return g_string_free (digits, FALSE);
}

static gboolean
record_failed_attempt (PvVerifier  *self,
                       PvCustomer  *customer,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  guint attempts_left;

  customer->failed_attempts++;
  customer->updated_at = pv_clock_get_now (self->clock);
  attempts_left = self->max_attempts - MIN (customer->failed_attempts, self->max_attempts);

  if (!pv_store_update_customer (self->store, customer, PV_EVENT_CHECK_FAILED, NULL,
                                 &local_error))
    {
      return report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_ERROR, PV_UPDATE_ACTION_RETRY, FALSE);
    }

  if (attempts_left == 0)
    {
      g_set_error_literal (&local_error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_LOCKED,
                           _("Wrong code. That was the last attempt, so the code is now locked. "
                             "Send a new code to try again."));
      return report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_ERROR, PV_UPDATE_ACTION_RESEND, FALSE);
    }

  g_set_error (&local_error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_WRONG_CODE,
               ngettext ("Wrong code. %u attempt left.",
                         "Wrong code. %u attempts left.",
                         attempts_left),
               attempts_left);
  return report_failure (self, error, g_steal_pointer (&local_error),
                         PV_UPDATE_ERROR, PV_UPDATE_ACTION_NONE, FALSE);
}

/**
 * pv_verifier_verify:
 * @number: the number the code was sent to, in any form pv_phone_number_normalize() takes
 * @code: the code as the customer read it out
 *
 * Checks a code locally against its stored digest. Input that is not a code at all
 * (letters, too few digits) is refused without using up an attempt.
 *
 * Returns: %TRUE if the number is now verified
 */
gboolean
pv_verifier_verify (PvVerifier  *self,
                    const char  *number,
                    const char  *code,
                    GError     **error)
{
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *e164 = NULL;
  g_autofree char *digits = NULL;
  gint64 now;

  g_return_val_if_fail (PV_IS_VERIFIER (self), FALSE);

  e164 = pv_phone_number_normalize (number, self->default_country_code, &local_error);
  if (e164 == NULL)
    {
      return report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_ERROR, PV_UPDATE_ACTION_START_OVER, FALSE);
    }

  if (self->digest_key == NULL)
    {
      check_configured (self, &local_error);
      return report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_ERROR, PV_UPDATE_ACTION_OPEN_PREFERENCES, FALSE);
    }

  customer = pv_store_lookup (self->store, e164, &local_error);
  if (local_error != NULL)
    {
      return report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_ERROR, PV_UPDATE_ACTION_RETRY, FALSE);
    }

  if (customer == NULL)
    {
      g_set_error (&local_error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_NOT_REQUESTED,
                   _("You have not requested a verification code for %s yet!"), e164);
      return report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_ERROR, PV_UPDATE_ACTION_NONE, TRUE);
    }

  if (customer->status == PV_CUSTOMER_STATUS_VERIFIED)
    {
      g_set_error (&local_error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_ALREADY_VERIFIED,
                   _("You have already verified %s!"), e164);
      return report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_INFO, PV_UPDATE_ACTION_NONE, TRUE);
    }

  digits = clean_code (code);
  if (digits == NULL)
    {
      g_set_error_literal (&local_error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_INVALID_CODE,
                           _("Enter the code from the text message, using digits only."));
      return report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_ERROR, PV_UPDATE_ACTION_NONE, FALSE);
    }

  now = pv_clock_get_now (self->clock);

  if (customer->code_digest == NULL || customer->failed_attempts >= self->max_attempts)
    {
      g_set_error (&local_error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_LOCKED,
                   _("The code for %s is locked after too many wrong attempts. Send a new "
                     "code to try again."),
                   e164);
      return report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_ERROR, PV_UPDATE_ACTION_RESEND, FALSE);
    }

  if (now >= customer->code_expires_at)
    {
      g_set_error (&local_error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_EXPIRED,
                   _("The code for %s has expired. Send a new code."), e164);
      return report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_ERROR, PV_UPDATE_ACTION_RESEND, FALSE);
    }

  if (!pv_code_digest_matches (self->digest_key, e164, digits, customer->code_digest))
    {
      explicit_bzero (digits, strlen (digits));
      return record_failed_attempt (self, customer, error);
    }

  explicit_bzero (digits, strlen (digits));

  /* A code works once: its digest goes as soon as it has been used. */
  customer->status = PV_CUSTOMER_STATUS_VERIFIED;
  customer->verified_at = now;
  customer->updated_at = now;
  customer->failed_attempts = 0;
  customer->code_expires_at = 0;
  g_clear_pointer (&customer->code_digest, g_free);

  if (!pv_store_update_customer (self->store, customer, PV_EVENT_VERIFIED, NULL, &local_error))
    {
      return report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_ERROR, PV_UPDATE_ACTION_RETRY, FALSE);
    }

  g_hash_table_remove (self->trackers, e164);

  emit_update (self, PV_UPDATE_SUCCESS, PV_UPDATE_ACTION_NONE,
               _("You have successfully verified %s!"), e164);
  g_signal_emit (self, signals[VERIFIED], 0, e164);

  return TRUE;
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

/**
 * pv_verifier_get_attempts_left:
 * @number: an E.164 number
 *
 * Returns: how many wrong codes may still be entered for @number's current code
 */
guint
pv_verifier_get_attempts_left (PvVerifier *self,
                               const char *number)
{
  g_autoptr(PvCustomer) customer = NULL;

  g_return_val_if_fail (PV_IS_VERIFIER (self), 0);

  customer = pv_store_lookup (self->store, number, NULL);
  if (customer == NULL || customer->code_digest == NULL)
    return 0;

  return self->max_attempts - MIN (customer->failed_attempts, self->max_attempts);
}

void
pv_verifier_set_digest_key (PvVerifier *self,
                            GBytes     *key)
{
  g_return_if_fail (PV_IS_VERIFIER (self));
  g_return_if_fail (key == NULL || g_bytes_get_size (key) > 0);

  g_clear_pointer (&self->digest_key, g_bytes_unref);
  if (key != NULL)
    self->digest_key = g_bytes_ref (key);
}

/**
 * pv_verifier_bind_settings:
 *
 * Takes every limit from @settings, and follows it when it changes.
 */
void
pv_verifier_bind_settings (PvVerifier *self,
                           GSettings  *settings)
{
  static const char * const keys[] = {
    "default-country-code",
    "code-length",
    "code-lifetime",
    "max-attempts",
    "resend-cooldown",
    "max-sends-per-hour",
    "delivery-timeout",
    "message-template",
  };

  g_return_if_fail (PV_IS_VERIFIER (self));
  g_return_if_fail (G_IS_SETTINGS (settings));

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_bind (settings, keys[i], self, keys[i], G_SETTINGS_BIND_GET);
}

static void
pv_verifier_dispose (GObject *object)
{
  PvVerifier *self = (PvVerifier *) object;

  g_hash_table_remove_all (self->trackers);
  g_clear_object (&self->store);
  g_clear_object (&self->client);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (pv_verifier_parent_class)->dispose (object);
}

static void
pv_verifier_finalize (GObject *object)
{
  PvVerifier *self = (PvVerifier *) object;

  g_clear_pointer (&self->digest_key, g_bytes_unref);
  g_clear_pointer (&self->sends_in_flight, g_hash_table_unref);
  g_clear_pointer (&self->trackers, g_hash_table_unref);
  g_clear_pointer (&self->message_template, g_free);

  G_OBJECT_CLASS (pv_verifier_parent_class)->finalize (object);
}

static guint *
uint_field (PvVerifier *self,
            guint       prop_id)
{
  switch (prop_id)
    {
    case PROP_DEFAULT_COUNTRY_CODE: return &self->default_country_code;
    case PROP_CODE_LENGTH:          return &self->code_length;
    case PROP_CODE_LIFETIME:        return &self->code_lifetime;
    case PROP_MAX_ATTEMPTS:         return &self->max_attempts;
    case PROP_RESEND_COOLDOWN:      return &self->resend_cooldown;
    case PROP_MAX_SENDS_PER_HOUR:   return &self->max_sends_per_hour;
    case PROP_DELIVERY_TIMEOUT:     return &self->delivery_timeout;
    case PROP_POLL_INTERVAL:        return &self->poll_interval;
    default:                        return NULL;
    }
}

static void
pv_verifier_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PvVerifier *self = PV_VERIFIER (object);
  guint *field = uint_field (self, prop_id);

  if (field != NULL)
    g_value_set_uint (value, *field);
  else if (prop_id == PROP_MESSAGE_TEMPLATE)
    g_value_set_string (value, self->message_template);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
pv_verifier_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  PvVerifier *self = PV_VERIFIER (object);
  guint *field = uint_field (self, prop_id);

  if (field != NULL)
    {
      if (*field != g_value_get_uint (value))
        {
          *field = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
    }
  else if (prop_id == PROP_MESSAGE_TEMPLATE)
    {
      const char *template_text = g_value_get_string (value);

      if (g_strcmp0 (self->message_template, template_text) != 0)
        {
          g_free (self->message_template);
          self->message_template = g_strdup (template_text);
          g_object_notify_by_pspec (object, pspec);
        }
    }
  else
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
uint_pspec (const char *name,
            guint       minimum,
            guint       maximum,
            guint       default_value)
{
  return g_param_spec_uint (name, NULL, NULL, minimum, maximum, default_value,
                            G_PARAM_READWRITE | G_PARAM_CONSTRUCT
                            | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

static void
pv_verifier_class_init (PvVerifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pv_verifier_dispose;
  object_class->finalize = pv_verifier_finalize;
  object_class->get_property = pv_verifier_get_property;
  object_class->set_property = pv_verifier_set_property;

  /* Ranges and defaults match the GSettings schema, which is what binds to them. */
  properties[PROP_DEFAULT_COUNTRY_CODE] = uint_pspec ("default-country-code", 1, 999, 1);
  properties[PROP_CODE_LENGTH] = uint_pspec ("code-length", PV_CODE_MIN_LENGTH,
                                             PV_CODE_MAX_LENGTH, PV_CODE_DEFAULT_LENGTH);
  properties[PROP_CODE_LIFETIME] = uint_pspec ("code-lifetime", 60, 86400, 600);
  properties[PROP_MAX_ATTEMPTS] = uint_pspec ("max-attempts", 1, 20, 5);
  properties[PROP_RESEND_COOLDOWN] = uint_pspec ("resend-cooldown", 0, 3600, 30);
  properties[PROP_MAX_SENDS_PER_HOUR] = uint_pspec ("max-sends-per-hour", 1, 20, 5);
  properties[PROP_DELIVERY_TIMEOUT] = uint_pspec ("delivery-timeout", 30, 3600, 600);
  /* Not a setting: how soon to ask Twilio about a new message, in milliseconds. */
  properties[PROP_POLL_INTERVAL] = uint_pspec ("poll-interval", 10, 60000, 2000);
  properties[PROP_MESSAGE_TEMPLATE] =
    g_param_spec_string ("message-template", NULL, NULL,
                         "Your verification code is: " PV_MESSAGE_TEMPLATE_PLACEHOLDER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT
                         | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PvVerifier::code-sent:
   * @number: the E.164 number that has a code to type in
   *
   * The tutorial's code_generated: time to move to the verify step.
   */
  signals[CODE_SENT] =
    g_signal_new ("code-sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * PvVerifier::update:
   * @message: a translated message for staff
   * @kind: whether it is news, good news or a problem
   * @action: what the staff member could usefully do next
   */
  signals[UPDATE] =
    g_signal_new ("update", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_STRING, PV_TYPE_UPDATE_KIND, PV_TYPE_UPDATE_ACTION);

  signals[VERIFIED] =
    g_signal_new ("verified", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * PvVerifier::reset:
   *
   * There is nothing to verify for this number: back to the start.
   */
  signals[RESET] =
    g_signal_new ("reset", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * PvVerifier::delivery-changed:
   * @number: the E.164 number the message went to
   * @status: Twilio's status word: queued, sent, delivered, undelivered, failed, …
   * @error_code: Twilio's delivery error code, or 0
   */
  signals[DELIVERY_CHANGED] =
    g_signal_new ("delivery-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT);
}

static void
pv_verifier_init (PvVerifier *self)
{
  self->sends_in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->trackers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) stop_and_unref_tracker);
}

PvVerifier *
pv_verifier_new (PvStore        *store,
                 PvTwilioClient *client,
                 PvClock        *clock)
{
  PvVerifier *self;

  g_return_val_if_fail (PV_IS_STORE (store), NULL);
  g_return_val_if_fail (PV_IS_TWILIO_CLIENT (client), NULL);
  g_return_val_if_fail (PV_IS_CLOCK (clock), NULL);

  self = g_object_new (PV_TYPE_VERIFIER, NULL);
  self->store = g_object_ref (store);
  self->client = g_object_ref (client);
  self->clock = g_object_ref (clock);

  return self;
}
