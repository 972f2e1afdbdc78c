/* pv-poll-tracker.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A desktop app cannot receive Twilio's status callbacks, so it asks. The interval starts
 * short, because most messages are delivered and most calls answered within seconds, and
 * grows by half each time up to a ceiling, which keeps a slow carrier from turning into a
 * stream of requests. Transient failures (network, 429, 5xx) only make it wait longer; a
 * reply that cannot change by asking again (bad credentials, unknown SID) ends the tracking.
 * What is asked, and what counts as the end, is the subclass's. */

#define G_LOG_DOMAIN "pv-poll-tracker"

#include "config.h"

#include "pv-poll-tracker.h"
#include "pv-twilio-error.h"

#define GROWTH_FACTOR 1.5

typedef struct
{
  GCancellable *cancellable;
  guint         poll_source;

  guint         initial_interval;  /* milliseconds */
  guint         max_interval;      /* milliseconds */
  guint         timeout;           /* seconds */

  guint         next_interval;
  gint64        started_at;        /* monotonic, microseconds */
  guint         n_polls;
  gboolean      finished;
} PvPollTrackerPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (PvPollTracker, pv_poll_tracker, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_INITIAL_INTERVAL,
  PROP_MAX_INTERVAL,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void schedule_poll (PvPollTracker *self);

/**
 * pv_poll_tracker_finish:
 *
 * Ends the tracking with @end, once: later calls do nothing.
 */
void
pv_poll_tracker_finish (PvPollTracker    *self,
                        PvPollTrackerEnd  end)
{
  PvPollTrackerPrivate *priv = pv_poll_tracker_get_instance_private (self);

  g_return_if_fail (PV_IS_POLL_TRACKER (self));

  if (priv->finished)
    return;

  priv->finished = TRUE;
  g_clear_handle_id (&priv->poll_source, g_source_remove);
  PV_POLL_TRACKER_GET_CLASS (self)->finished (self, end);
}

static gboolean
is_transient (const GError *error)
{
  return g_error_matches (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_NETWORK)
         || g_error_matches (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_UNAVAILABLE)
         || g_error_matches (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_RATE_LIMITED)
         || g_error_matches (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_MALFORMED_REPLY);
}

/**
 * pv_poll_tracker_poll_done:
 * @what: the SID asked about, for the log
 * @error: (nullable): why the poll failed, or %NULL when it got an answer that is not the end
 *
 * Asks again later, unless @error says that asking again cannot help.
 */
void
pv_poll_tracker_poll_done (PvPollTracker *self,
                           const char    *what,
                           const GError  *error)
{
  PvPollTrackerPrivate *priv = pv_poll_tracker_get_instance_private (self);

  g_return_if_fail (PV_IS_POLL_TRACKER (self));

  if (priv->finished)
    return;

  if (error != NULL && !is_transient (error))
    {
      g_debug ("Stopped tracking %s: %s", what, error->message);
      pv_poll_tracker_finish (self, PV_POLL_TRACKER_GAVE_UP);
      return;
    }

  if (error != NULL)
    g_debug ("Will ask again about %s: %s", what, error->message);

  schedule_poll (self);
}

static gboolean
poll_cb (gpointer user_data)
{
  PvPollTracker *self = user_data;
  PvPollTrackerPrivate *priv = pv_poll_tracker_get_instance_private (self);

  priv->poll_source = 0;
  priv->n_polls++;
  PV_POLL_TRACKER_GET_CLASS (self)->poll (self, priv->cancellable);

  return G_SOURCE_REMOVE;
}

static void
schedule_poll (PvPollTracker *self)
{
  PvPollTrackerPrivate *priv = pv_poll_tracker_get_instance_private (self);
  gint64 elapsed = g_get_monotonic_time () - priv->started_at;
  guint interval = priv->next_interval;

  if (elapsed + (gint64) interval * 1000 > (gint64) priv->timeout * G_USEC_PER_SEC)
    {
      pv_poll_tracker_finish (self, PV_POLL_TRACKER_TIMED_OUT);
      return;
    }

  priv->next_interval = MIN ((guint) (interval * GROWTH_FACTOR), priv->max_interval);
  priv->poll_source = g_timeout_add (interval, poll_cb, self);
}

static void
pv_poll_tracker_dispose (GObject *object)
{
  PvPollTracker *self = (PvPollTracker *) object;
  PvPollTrackerPrivate *priv = pv_poll_tracker_get_instance_private (self);

  g_cancellable_cancel (priv->cancellable);
  g_clear_handle_id (&priv->poll_source, g_source_remove);

  G_OBJECT_CLASS (pv_poll_tracker_parent_class)->dispose (object);
}

static void
pv_poll_tracker_finalize (GObject *object)
{
  PvPollTracker *self = (PvPollTracker *) object;
  PvPollTrackerPrivate *priv = pv_poll_tracker_get_instance_private (self);

  g_clear_object (&priv->cancellable);

  G_OBJECT_CLASS (pv_poll_tracker_parent_class)->finalize (object);
}

static void
pv_poll_tracker_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PvPollTracker *self = PV_POLL_TRACKER (object);
  PvPollTrackerPrivate *priv = pv_poll_tracker_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_INITIAL_INTERVAL:
      g_value_set_uint (value, priv->initial_interval);
      break;

    case PROP_MAX_INTERVAL:
      g_value_set_uint (value, priv->max_interval);
      break;

    case PROP_TIMEOUT:
      g_value_set_uint (value, priv->timeout);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_poll_tracker_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PvPollTracker *self = PV_POLL_TRACKER (object);
  PvPollTrackerPrivate *priv = pv_poll_tracker_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_INITIAL_INTERVAL:
      priv->initial_interval = g_value_get_uint (value);
      break;

    case PROP_MAX_INTERVAL:
      priv->max_interval = g_value_get_uint (value);
      break;

    case PROP_TIMEOUT:
      priv->timeout = g_value_get_uint (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_poll_tracker_class_init (PvPollTrackerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pv_poll_tracker_dispose;
  object_class->finalize = pv_poll_tracker_finalize;
  object_class->get_property = pv_poll_tracker_get_property;
  object_class->set_property = pv_poll_tracker_set_property;

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
}

static void
pv_poll_tracker_init (PvPollTracker *self)
{
  PvPollTrackerPrivate *priv = pv_poll_tracker_get_instance_private (self);

  priv->cancellable = g_cancellable_new ();
}

guint
pv_poll_tracker_get_n_polls (PvPollTracker *self)
{
  PvPollTrackerPrivate *priv = pv_poll_tracker_get_instance_private (self);

  g_return_val_if_fail (PV_IS_POLL_TRACKER (self), 0);

  return priv->n_polls;
}

gboolean
pv_poll_tracker_is_finished (PvPollTracker *self)
{
  PvPollTrackerPrivate *priv = pv_poll_tracker_get_instance_private (self);

  g_return_val_if_fail (PV_IS_POLL_TRACKER (self), TRUE);

  return priv->finished;
}

/* Cancelled by pv_poll_tracker_stop() and on dispose: for requests beyond the polls. */
GCancellable *
pv_poll_tracker_get_cancellable (PvPollTracker *self)
{
  PvPollTrackerPrivate *priv = pv_poll_tracker_get_instance_private (self);

  g_return_val_if_fail (PV_IS_POLL_TRACKER (self), NULL);

  return priv->cancellable;
}

void
pv_poll_tracker_start (PvPollTracker *self)
{
  PvPollTrackerPrivate *priv = pv_poll_tracker_get_instance_private (self);

  g_return_if_fail (PV_IS_POLL_TRACKER (self));
  g_return_if_fail (priv->started_at == 0);

  priv->started_at = g_get_monotonic_time ();
  priv->next_interval = priv->initial_interval;
  schedule_poll (self);
}

/* Stops without a ::finished: whoever stops it knows. */
void
pv_poll_tracker_stop (PvPollTracker *self)
{
  PvPollTrackerPrivate *priv = pv_poll_tracker_get_instance_private (self);

  g_return_if_fail (PV_IS_POLL_TRACKER (self));

  g_cancellable_cancel (priv->cancellable);
  priv->finished = TRUE;
  g_clear_handle_id (&priv->poll_source, g_source_remove);
}
