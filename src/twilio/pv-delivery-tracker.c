/* pv-delivery-tracker.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A desktop app cannot receive Twilio's status callbacks, so it asks. The interval starts
 * short, because most messages are delivered within seconds, and grows by half each time
 * up to a ceiling, which keeps a slow carrier from turning into a stream of requests.
 * Transient failures (network, 429, 5xx) only make it wait longer; a reply that cannot
 * change by asking again (bad credentials, unknown message) ends the tracking. */

#define G_LOG_DOMAIN "pv-delivery-tracker"

#include "config.h"

#include "pv-delivery-tracker.h"
#include "pv-twilio-enums.h"
#include "pv-twilio-error.h"

#define GROWTH_FACTOR 1.5

struct _PvDeliveryTracker
{
  GObject          parent_instance;

  PvTwilioClient  *client;
  char            *message_sid;
  char            *status;
  GCancellable    *cancellable;
  guint            poll_source;

  guint            initial_interval;  /* milliseconds */
  guint            max_interval;      /* milliseconds */
  guint            timeout;           /* seconds */

  guint            next_interval;
  gint64           started_at;        /* monotonic, microseconds */
  guint            n_polls;
  gboolean         finished;
};

G_DEFINE_FINAL_TYPE (PvDeliveryTracker, pv_delivery_tracker, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_INITIAL_INTERVAL,
  PROP_MAX_INTERVAL,
  PROP_TIMEOUT,
  N_PROPS
};

enum {
  STATUS_CHANGED,
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void schedule_poll (PvDeliveryTracker *self);

static void
finish (PvDeliveryTracker       *self,
        PvDeliveryTrackerResult  result)
{
  if (self->finished)
    return;

  self->finished = TRUE;
  g_clear_handle_id (&self->poll_source, g_source_remove);
  g_signal_emit (self, signals[FINISHED], 0, result);
}

static gboolean
is_transient (const GError *error)
{
  return g_error_matches (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_NETWORK)
         || g_error_matches (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_UNAVAILABLE)
         || g_error_matches (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_RATE_LIMITED)
         || g_error_matches (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_MALFORMED_REPLY);
}

static void
fetch_message_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PvDeliveryTracker) self = user_data;
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  message = pv_twilio_client_fetch_message_finish (PV_TWILIO_CLIENT (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->finished)
    return;

  if (error != NULL)
    {
      if (!is_transient (error))
        {
          g_debug ("Stopped tracking %s: %s", self->message_sid, error->message);
          finish (self, PV_DELIVERY_TRACKER_GAVE_UP);
          return;
        }

      g_debug ("Will ask again about %s: %s", self->message_sid, error->message);
    }
  else if (g_strcmp0 (message->status, self->status) != 0)
    {
      g_free (self->status);
      self->status = g_strdup (message->status);
      g_signal_emit (self, signals[STATUS_CHANGED], 0, message);

      if (pv_twilio_message_is_final (message))
        {
          finish (self, PV_DELIVERY_TRACKER_FINAL);
          return;
        }
    }

  schedule_poll (self);
}

static gboolean
poll_cb (gpointer user_data)
{
  PvDeliveryTracker *self = user_data;

  self->poll_source = 0;
  self->n_polls++;
  pv_twilio_client_fetch_message_async (self->client,
                                        self->message_sid,
                                        self->cancellable,
                                        fetch_message_cb,
                                        g_object_ref (self));

  return G_SOURCE_REMOVE;
}

static void
schedule_poll (PvDeliveryTracker *self)
{
  gint64 elapsed = g_get_monotonic_time () - self->started_at;
  guint interval = self->next_interval;

  if (elapsed + (gint64) interval * 1000 > (gint64) self->timeout * G_USEC_PER_SEC)
    {
      finish (self, PV_DELIVERY_TRACKER_TIMED_OUT);
      return;
    }

  self->next_interval = MIN ((guint) (interval * GROWTH_FACTOR), self->max_interval);
  self->poll_source = g_timeout_add (interval, poll_cb, self);
}

static void
pv_delivery_tracker_dispose (GObject *object)
{
  PvDeliveryTracker *self = (PvDeliveryTracker *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->poll_source, g_source_remove);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (pv_delivery_tracker_parent_class)->dispose (object);
}

static void
pv_delivery_tracker_finalize (GObject *object)
{
  PvDeliveryTracker *self = (PvDeliveryTracker *) object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->message_sid, g_free);
  g_clear_pointer (&self->status, g_free);

  G_OBJECT_CLASS (pv_delivery_tracker_parent_class)->finalize (object);
}

static void
pv_delivery_tracker_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  PvDeliveryTracker *self = PV_DELIVERY_TRACKER (object);

  switch (prop_id)
    {
    case PROP_INITIAL_INTERVAL:
      g_value_set_uint (value, self->initial_interval);
      break;

    case PROP_MAX_INTERVAL:
      g_value_set_uint (value, self->max_interval);
      break;

    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_delivery_tracker_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  PvDeliveryTracker *self = PV_DELIVERY_TRACKER (object);

  switch (prop_id)
    {
    case PROP_INITIAL_INTERVAL:
      self->initial_interval = g_value_get_uint (value);
      break;

    case PROP_MAX_INTERVAL:
      self->max_interval = g_value_get_uint (value);
      break;

    case PROP_TIMEOUT:
      self->timeout = g_value_get_uint (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_delivery_tracker_class_init (PvDeliveryTrackerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pv_delivery_tracker_dispose;
  object_class->finalize = pv_delivery_tracker_finalize;
  object_class->get_property = pv_delivery_tracker_get_property;
  object_class->set_property = pv_delivery_tracker_set_property;

  properties[PROP_INITIAL_INTERVAL] =
    g_param_spec_uint ("initial-interval", NULL, NULL,
                       10, 60 * 1000, 2000,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);

  properties[PROP_MAX_INTERVAL] =
    g_param_spec_uint ("max-interval", NULL, NULL,
                       10, 10 * 60 * 1000, 30 * 1000,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);

  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL,
                       1, 24 * 60 * 60, 600,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

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
  self->cancellable = g_cancellable_new ();
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

  return self->n_polls;
}

void
pv_delivery_tracker_start (PvDeliveryTracker *self)
{
  g_return_if_fail (PV_IS_DELIVERY_TRACKER (self));
  g_return_if_fail (self->started_at == 0);

  self->started_at = g_get_monotonic_time ();
  self->next_interval = self->initial_interval;
  schedule_poll (self);
}

void
pv_delivery_tracker_stop (PvDeliveryTracker *self)
{
  g_return_if_fail (PV_IS_DELIVERY_TRACKER (self));

  g_cancellable_cancel (self->cancellable);
  self->finished = TRUE;
  g_clear_handle_id (&self->poll_source, g_source_remove);
}
