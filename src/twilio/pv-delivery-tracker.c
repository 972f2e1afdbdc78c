/* pv-delivery-tracker.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Follows a message until it is delivered, or known not to be; PvPollTracker decides when
 * to ask. */

#define G_LOG_DOMAIN "pv-delivery-tracker"

#include "config.h"

#include "pv-delivery-tracker.h"
#include "pv-twilio-enums.h"
#include "pv-twilio-error.h"

struct _PvDeliveryTracker
{
  PvPollTracker    parent_instance;

  PvTwilioClient  *client;
  char            *message_sid;
  char            *status;
};

G_DEFINE_FINAL_TYPE (PvDeliveryTracker, pv_delivery_tracker, PV_TYPE_POLL_TRACKER)

enum {
  STATUS_CHANGED,
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
fetch_message_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PvDeliveryTracker) self = user_data;
  PvPollTracker *poll_tracker = PV_POLL_TRACKER (self);
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  message = pv_twilio_client_fetch_message_finish (PV_TWILIO_CLIENT (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      pv_poll_tracker_is_finished (poll_tracker))
    return;

  if (error == NULL && g_strcmp0 (message->status, self->status) != 0)
    {
      g_free (self->status);
      self->status = g_strdup (message->status);
      g_signal_emit (self, signals[STATUS_CHANGED], 0, message);

      if (pv_twilio_message_is_final (message))
        {
          pv_poll_tracker_finish (poll_tracker, PV_POLL_TRACKER_FINAL);
          return;
        }
    }

  pv_poll_tracker_poll_done (poll_tracker, self->message_sid, error);
}

static void
pv_delivery_tracker_poll (PvPollTracker *poll_tracker,
                          GCancellable  *cancellable)
{
  PvDeliveryTracker *self = PV_DELIVERY_TRACKER (poll_tracker);

  pv_twilio_client_fetch_message_async (self->client,
                                        self->message_sid,
                                        cancellable,
                                        fetch_message_cb,
                                        g_object_ref (self));
}

static void
pv_delivery_tracker_finished (PvPollTracker    *poll_tracker,
                              PvPollTrackerEnd  end)
{
  g_signal_emit (poll_tracker, signals[FINISHED], 0, (PvDeliveryTrackerResult) end);
}

static void
pv_delivery_tracker_dispose (GObject *object)
{
  PvDeliveryTracker *self = (PvDeliveryTracker *) object;

  G_OBJECT_CLASS (pv_delivery_tracker_parent_class)->dispose (object);

  g_clear_object (&self->client);
}

static void
pv_delivery_tracker_finalize (GObject *object)
{
  PvDeliveryTracker *self = (PvDeliveryTracker *) object;

  g_clear_pointer (&self->message_sid, g_free);
  g_clear_pointer (&self->status, g_free);

  G_OBJECT_CLASS (pv_delivery_tracker_parent_class)->finalize (object);
}

static void
pv_delivery_tracker_class_init (PvDeliveryTrackerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PvPollTrackerClass *poll_tracker_class = PV_POLL_TRACKER_CLASS (klass);

  object_class->dispose = pv_delivery_tracker_dispose;
  object_class->finalize = pv_delivery_tracker_finalize;
  poll_tracker_class->poll = pv_delivery_tracker_poll;
  poll_tracker_class->finished = pv_delivery_tracker_finished;

  /**
   * PvDeliveryTracker::status-changed:
   * @message: the message as Twilio now reports it
   */
  signals[STATUS_CHANGED] =
    g_signal_new ("status-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, PV_TYPE_TWILIO_MESSAGE | G_SIGNAL_TYPE_STATIC_SCOPE);

  signals[FINISHED] =
    g_signal_new ("finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, PV_TYPE_DELIVERY_TRACKER_RESULT);
}

static void
pv_delivery_tracker_init (PvDeliveryTracker *self)
{
}

PvDeliveryTracker *
pv_delivery_tracker_new (PvTwilioClient *client,
                         const char     *message_sid,
                         const char     *initial_status)
{
  PvDeliveryTracker *self;

  g_return_val_if_fail (PV_IS_TWILIO_CLIENT (client), NULL);
  g_return_val_if_fail (message_sid != NULL, NULL);

  self = g_object_new (PV_TYPE_DELIVERY_TRACKER, NULL);
  self->client = g_object_ref (client);
  self->message_sid = g_strdup (message_sid);
  self->status = g_strdup (initial_status);

  return self;
}

const char *
pv_delivery_tracker_get_message_sid (PvDeliveryTracker *self)
{
  g_return_val_if_fail (PV_IS_DELIVERY_TRACKER (self), NULL);

  return self->message_sid;
}

const char *
pv_delivery_tracker_get_status (PvDeliveryTracker *self)
{
  g_return_val_if_fail (PV_IS_DELIVERY_TRACKER (self), NULL);

  return self->status;
}

guint
pv_delivery_tracker_get_n_polls (PvDeliveryTracker *self)
{
  g_return_val_if_fail (PV_IS_DELIVERY_TRACKER (self), 0);

  return pv_poll_tracker_get_n_polls (PV_POLL_TRACKER (self));
}

void
pv_delivery_tracker_start (PvDeliveryTracker *self)
{
  g_return_if_fail (PV_IS_DELIVERY_TRACKER (self));

  pv_poll_tracker_start (PV_POLL_TRACKER (self));
}

void
pv_delivery_tracker_stop (PvDeliveryTracker *self)
{
  g_return_if_fail (PV_IS_DELIVERY_TRACKER (self));

  pv_poll_tracker_stop (PV_POLL_TRACKER (self));
}
