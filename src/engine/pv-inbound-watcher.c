/* pv-inbound-watcher.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Texts customers send the office reach a desktop app only by asking Twilio for them.
 * Twilio is asked only while some text is awaited, for whole GMT days (its filter knows no
 * finer time), so each message is handed on once, by its SID, and only if it was sent
 * after its number began to be awaited: an old text with an old code never counts. */

#define G_LOG_DOMAIN "pv-inbound-watcher"

#include "config.h"

#include "pv-inbound-watcher.h"
#include "pv-twilio-error.h"

/* Twilio's clock and ours may differ by this much. */
#define CLOCK_SKEW_SECONDS 120

typedef struct
{
  gint64 since;  /* Unix seconds */
  gint64 until;
} Watch;

struct _PvInboundWatcher
{
  GObject         parent_instance;

  PvTwilioClient *client;
  PvClock        *clock;
  GHashTable     *watches;       /* E.164 number → Watch */
  GHashTable     *seen;          /* SIDs handed on, or too old to count */
  GCancellable   *cancellable;   /* of the poll in flight */
  guint           poll_source;
  guint           interval;      /* milliseconds */
  guint           next_interval;
  guint           n_polls;
  gboolean        failing;
};

G_DEFINE_FINAL_TYPE (PvInboundWatcher, pv_inbound_watcher, G_TYPE_OBJECT)

enum {
  TEXT_RECEIVED,
  EXPIRED,
  POLL_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void schedule_poll (PvInboundWatcher *self);

static void
stop_polling (PvInboundWatcher *self)
{
  g_clear_handle_id (&self->poll_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_hash_table_remove_all (self->seen);
  self->next_interval = self->interval;
  self->failing = FALSE;
}

/* Ends the watches whose code expired, telling whoever waits. */
static void
expire_watches (PvInboundWatcher *self)
{
  gint64 now = pv_clock_get_now (self->clock);
  g_autoptr(GPtrArray) expired = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->watches);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (((Watch *) value)->until <= now)
      g_ptr_array_add (expired, g_strdup (key));

  for (guint i = 0; i < expired->len; i++)
    {
      g_hash_table_remove (self->watches, expired->pdata[i]);
      g_signal_emit (self, signals[EXPIRED], 0, expired->pdata[i]);
    }

  if (g_hash_table_size (self->watches) == 0)
    stop_polling (self);
}

static void
hand_on (PvInboundWatcher      *self,
         const PvTwilioInbound *text)
{
  Watch *watch = g_hash_table_lookup (self->watches, text->from);

  if (g_hash_table_contains (self->seen, text->sid))
    return;

  if (watch == NULL)
    return;   /* someone else's text: it may be awaited later, so it is not marked seen */

  g_hash_table_add (self->seen, g_strdup (text->sid));
  if (text->date_sent != 0 && text->date_sent < watch->since - CLOCK_SKEW_SECONDS)
    return;

  g_signal_emit (self, signals[TEXT_RECEIVED], 0, text->from, text->body, text->sid);
}

static void
list_inbound_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PvInboundWatcher) self = user_data;
  g_autoptr(GPtrArray) texts = NULL;
  g_autoptr(GError) error = NULL;

  texts = pv_twilio_client_list_inbound_finish (PV_TWILIO_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->cancellable);
  self->n_polls++;

  if (texts == NULL)
    {
      /* Said once per run of failures; asking keeps on, more slowly. */
      if (!self->failing)
        g_signal_emit (self, signals[POLL_FAILED], 0, error);
      self->failing = TRUE;
      self->next_interval = MIN (self->next_interval * 2, PV_INBOUND_WATCHER_MAX_INTERVAL_MS);
    }
  else
    {
      self->failing = FALSE;
      self->next_interval = self->interval;
      /* A handler may end watches: each text is looked up again as it comes. */
      for (guint i = 0; i < texts->len; i++)
        hand_on (self, g_ptr_array_index (texts, i));
    }

  expire_watches (self);
  if (g_hash_table_size (self->watches) > 0)
    schedule_poll (self);
}

static gboolean
poll_cb (gpointer user_data)
{
  PvInboundWatcher *self = user_data;
  const char *office_number = NULL;
  const char *only_from = NULL;
  gint64 since = G_MAXINT64;
  g_autoptr(GDateTime) since_time = NULL;
  GHashTableIter iter;
  gpointer key, value;

  self->poll_source = 0;

  expire_watches (self);
  if (g_hash_table_size (self->watches) == 0)
    return G_SOURCE_REMOVE;

  g_hash_table_iter_init (&iter, self->watches);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      since = MIN (since, ((Watch *) value)->since);
      only_from = key;
    }
  if (g_hash_table_size (self->watches) > 1)
    only_from = NULL;

  office_number = pv_twilio_client_get_phone_number (self->client);

  /* From the earliest wait on, less the skew: a wait begun just before midnight GMT asks
   * for the day before too. */
  since_time = g_date_time_new_from_unix_utc (since - CLOCK_SKEW_SECONDS);
  self->cancellable = g_cancellable_new ();
  pv_twilio_client_list_inbound_async (self->client, office_number != NULL ? office_number : "",
                                       only_from, since_time, self->cancellable,
                                       list_inbound_cb, g_object_ref (self));

  return G_SOURCE_REMOVE;
}

static void
schedule_poll (PvInboundWatcher *self)
{
  if (self->poll_source != 0 || self->cancellable != NULL)
    return;

  self->poll_source = g_timeout_add (self->next_interval, poll_cb, self);
}

static void
pv_inbound_watcher_dispose (GObject *object)
{
  PvInboundWatcher *self = (PvInboundWatcher *)object;

  stop_polling (self);
  g_clear_object (&self->client);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (pv_inbound_watcher_parent_class)->dispose (object);
}

static void
pv_inbound_watcher_finalize (GObject *object)
{
  PvInboundWatcher *self = (PvInboundWatcher *)object;

  g_hash_table_unref (self->watches);
  g_hash_table_unref (self->seen);

  G_OBJECT_CLASS (pv_inbound_watcher_parent_class)->finalize (object);
}

static void
pv_inbound_watcher_class_init (PvInboundWatcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pv_inbound_watcher_dispose;
  object_class->finalize = pv_inbound_watcher_finalize;

  /**
   * PvInboundWatcher::text-received:
   * @number: the sender, one of the numbers watched
   * @body: what they texted
   * @sid: the message's SID
   *
   * Once per message, only for messages sent since @number began to be watched.
   */
  signals[TEXT_RECEIVED] =
    g_signal_new ("text-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * PvInboundWatcher::expired:
   * @number: a number whose wait ran out before a text ended it
   */
  signals[EXPIRED] =
    g_signal_new ("expired", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * PvInboundWatcher::poll-failed:
   * @error: why Twilio could not be asked
   *
   * At the first failure of a run; polling goes on, more slowly, until it works again.
   */
  signals[POLL_FAILED] =
    g_signal_new ("poll-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
pv_inbound_watcher_init (PvInboundWatcher *self)
{
  self->watches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->interval = PV_INBOUND_WATCHER_DEFAULT_INTERVAL_MS;
  self->next_interval = self->interval;
}

PvInboundWatcher *
pv_inbound_watcher_new (PvTwilioClient *client,
                        PvClock        *clock)
{
  PvInboundWatcher *self;

  g_return_val_if_fail (PV_IS_TWILIO_CLIENT (client), NULL);
  g_return_val_if_fail (PV_IS_CLOCK (clock), NULL);

  self = g_object_new (PV_TYPE_INBOUND_WATCHER, NULL);
  self->client = g_object_ref (client);
  self->clock = g_object_ref (clock);

  return self;
}

/**
 * pv_inbound_watcher_set_interval:
 * @milliseconds: how long between two questions to Twilio while all is well
 */
void
pv_inbound_watcher_set_interval (PvInboundWatcher *self,
                                 guint             milliseconds)
{
  g_return_if_fail (PV_IS_INBOUND_WATCHER (self));
  g_return_if_fail (milliseconds > 0);

  self->interval = milliseconds;
  self->next_interval = milliseconds;
}

/**
 * pv_inbound_watcher_watch:
 * @number: the E.164 number a text is awaited from
 * @since: when the code it should carry was made, Unix seconds
 * @until: when that code expires
 *
 * Awaits a text from @number, replacing an earlier wait for it. Twilio is asked at once
 * and then at each interval.
 */
void
pv_inbound_watcher_watch (PvInboundWatcher *self,
                          const char       *number,
                          gint64            since,
                          gint64            until)
{
  Watch *watch;

  g_return_if_fail (PV_IS_INBOUND_WATCHER (self));
  g_return_if_fail (number != NULL);

  watch = g_new0 (Watch, 1);
  watch->since = since;
  watch->until = until;
  g_hash_table_replace (self->watches, g_strdup (number), watch);

  if (self->poll_source == 0 && self->cancellable == NULL)
    self->poll_source = g_idle_add (poll_cb, self);
}

void
pv_inbound_watcher_unwatch (PvInboundWatcher *self,
                            const char       *number)
{
  g_return_if_fail (PV_IS_INBOUND_WATCHER (self));
  g_return_if_fail (number != NULL);

  if (g_hash_table_remove (self->watches, number) && g_hash_table_size (self->watches) == 0)
    stop_polling (self);
}

gboolean
pv_inbound_watcher_is_watching (PvInboundWatcher *self,
                                const char       *number)
{
  g_return_val_if_fail (PV_IS_INBOUND_WATCHER (self), FALSE);

  return number != NULL && g_hash_table_contains (self->watches, number);
}

guint
pv_inbound_watcher_get_n_polls (PvInboundWatcher *self)
{
  g_return_val_if_fail (PV_IS_INBOUND_WATCHER (self), 0);

  return self->n_polls;
}
