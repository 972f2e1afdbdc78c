/* pv-call-tracker.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Follows a call until it is over; PvPollTracker decides when to ask. A Call has no error
 * code of its own, so when one ends "failed" the reason is fetched once from its
 * Notifications before ::finished: staff need to know whether the number or the account's
 * Geo Permissions is at fault. Busy, no-answer and canceled say all there is to say. */

#define G_LOG_DOMAIN "pv-call-tracker"

#include "config.h"

#include "pv-call-tracker.h"
#include "pv-twilio-enums.h"
#include "pv-twilio-error.h"

struct _PvCallTracker
{
  PvPollTracker    parent_instance;

  PvTwilioClient  *client;
  char            *call_sid;
  char            *status;
  int              failure_code;
  char            *failure_message;
};

G_DEFINE_FINAL_TYPE (PvCallTracker, pv_call_tracker, PV_TYPE_POLL_TRACKER)

enum {
  STATUS_CHANGED,
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
fetch_failure_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PvCallTracker) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message_text = NULL;
  int error_code = 0;

  if (!pv_twilio_client_fetch_call_failure_finish (PV_TWILIO_CLIENT (object), result,
                                                   &error_code, &message_text, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* The call is over all the same; only its reason is missing. */
      g_debug ("No reason for the failure of %s: %s", self->call_sid, error->message);
    }

  self->failure_code = error_code;
  self->failure_message = g_steal_pointer (&message_text);
  pv_poll_tracker_finish (PV_POLL_TRACKER (self), PV_POLL_TRACKER_FINAL);
}

static void
fetch_call_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PvCallTracker) self = user_data;
  PvPollTracker *poll_tracker = PV_POLL_TRACKER (self);
  g_autoptr(PvTwilioCall) call = NULL;
  g_autoptr(GError) error = NULL;

  call = pv_twilio_client_fetch_call_finish (PV_TWILIO_CLIENT (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      pv_poll_tracker_is_finished (poll_tracker))
    return;

  if (error == NULL && g_strcmp0 (call->status, self->status) != 0)
    {
      g_free (self->status);
      self->status = g_strdup (call->status);
      g_signal_emit (self, signals[STATUS_CHANGED], 0, call);

      if (g_str_equal (call->status, "failed"))
        {
          pv_twilio_client_fetch_call_failure_async (self->client,
                                                     self->call_sid,
                                                     pv_poll_tracker_get_cancellable (poll_tracker),
                                                     fetch_failure_cb,
                                                     g_object_ref (self));
          return;
        }

      if (pv_twilio_call_is_final (call))
        {
          pv_poll_tracker_finish (poll_tracker, PV_POLL_TRACKER_FINAL);
          return;
        }
    }

  pv_poll_tracker_poll_done (poll_tracker, self->call_sid, error);
}

static void
pv_call_tracker_poll (PvPollTracker *poll_tracker,
                      GCancellable  *cancellable)
{
  PvCallTracker *self = PV_CALL_TRACKER (poll_tracker);

  pv_twilio_client_fetch_call_async (self->client,
                                     self->call_sid,
                                     cancellable,
                                     fetch_call_cb,
                                     g_object_ref (self));
}

static void
pv_call_tracker_finished (PvPollTracker    *poll_tracker,
                          PvPollTrackerEnd  end)
{
  g_signal_emit (poll_tracker, signals[FINISHED], 0, (PvCallTrackerResult) end);
}

static void
pv_call_tracker_dispose (GObject *object)
{
  PvCallTracker *self = (PvCallTracker *) object;

  G_OBJECT_CLASS (pv_call_tracker_parent_class)->dispose (object);

  g_clear_object (&self->client);
}

static void
pv_call_tracker_finalize (GObject *object)
{
  PvCallTracker *self = (PvCallTracker *) object;

  g_clear_pointer (&self->call_sid, g_free);
  g_clear_pointer (&self->status, g_free);
  g_clear_pointer (&self->failure_message, g_free);

  G_OBJECT_CLASS (pv_call_tracker_parent_class)->finalize (object);
}

static void
pv_call_tracker_class_init (PvCallTrackerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PvPollTrackerClass *poll_tracker_class = PV_POLL_TRACKER_CLASS (klass);

  object_class->dispose = pv_call_tracker_dispose;
  object_class->finalize = pv_call_tracker_finalize;
  poll_tracker_class->poll = pv_call_tracker_poll;
  poll_tracker_class->finished = pv_call_tracker_finished;

  /**
   * PvCallTracker::status-changed:
   * @call: the call as Twilio now reports it
   */
  signals[STATUS_CHANGED] =
    g_signal_new ("status-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, PV_TYPE_TWILIO_CALL | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * PvCallTracker::finished:
   * @result: how tracking ended; for a failed call, the failure code and message are set
   *   by now
   */
  signals[FINISHED] =
    g_signal_new ("finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, PV_TYPE_CALL_TRACKER_RESULT);
}

static void
pv_call_tracker_init (PvCallTracker *self)
{
}

PvCallTracker *
pv_call_tracker_new (PvTwilioClient *client,
                     const char     *call_sid,
                     const char     *initial_status)
{
  PvCallTracker *self;

  g_return_val_if_fail (PV_IS_TWILIO_CLIENT (client), NULL);
  g_return_val_if_fail (call_sid != NULL, NULL);

  self = g_object_new (PV_TYPE_CALL_TRACKER, NULL);
  self->client = g_object_ref (client);
  self->call_sid = g_strdup (call_sid);
  self->status = g_strdup (initial_status);

  return self;
}

const char *
pv_call_tracker_get_call_sid (PvCallTracker *self)
{
  g_return_val_if_fail (PV_IS_CALL_TRACKER (self), NULL);

  return self->call_sid;
}

const char *
pv_call_tracker_get_status (PvCallTracker *self)
{
  g_return_val_if_fail (PV_IS_CALL_TRACKER (self), NULL);

  return self->status;
}

/**
 * pv_call_tracker_get_failure_code:
 *
 * Returns: the Twilio code of why the call failed (see
 *   pv_twilio_error_describe_call_failure()), or 0 when it did not fail or none is known
 */
int
pv_call_tracker_get_failure_code (PvCallTracker *self)
{
  g_return_val_if_fail (PV_IS_CALL_TRACKER (self), 0);

  return self->failure_code;
}

/**
 * pv_call_tracker_get_failure_message:
 *
 * Returns: (nullable): Twilio's own, untranslated words for the failure, for logs and
 *   support
 */
const char *
pv_call_tracker_get_failure_message (PvCallTracker *self)
{
  g_return_val_if_fail (PV_IS_CALL_TRACKER (self), NULL);

  return self->failure_message;
}

guint
pv_call_tracker_get_n_polls (PvCallTracker *self)
{
  g_return_val_if_fail (PV_IS_CALL_TRACKER (self), 0);

  return pv_poll_tracker_get_n_polls (PV_POLL_TRACKER (self));
}

void
pv_call_tracker_start (PvCallTracker *self)
{
  g_return_if_fail (PV_IS_CALL_TRACKER (self));

  pv_poll_tracker_start (PV_POLL_TRACKER (self));
}

void
pv_call_tracker_stop (PvCallTracker *self)
{
  g_return_if_fail (PV_IS_CALL_TRACKER (self));

  pv_poll_tracker_stop (PV_POLL_TRACKER (self));
}
