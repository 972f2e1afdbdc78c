/* pv-poll-tracker.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PV_TYPE_POLL_TRACKER (pv_poll_tracker_get_type ())

/* How tracking ended; each subclass reports it in an enum of its own with the same values. */
typedef enum
{
  PV_POLL_TRACKER_FINAL,
  PV_POLL_TRACKER_TIMED_OUT,
  PV_POLL_TRACKER_GAVE_UP,
} PvPollTrackerEnd;

G_DECLARE_DERIVABLE_TYPE (PvPollTracker, pv_poll_tracker, PV, POLL_TRACKER, GObject)

struct _PvPollTrackerClass
{
  GObjectClass parent_class;

  /* Asks Twilio once; the answer must end in pv_poll_tracker_poll_done() or
   * pv_poll_tracker_finish(), unless @cancellable was cancelled. */
  void (*poll)     (PvPollTracker    *self,
                    GCancellable     *cancellable);
  void (*finished) (PvPollTracker    *self,
                    PvPollTrackerEnd  end);
};

void          pv_poll_tracker_start           (PvPollTracker    *self);
void          pv_poll_tracker_stop            (PvPollTracker    *self);
guint         pv_poll_tracker_get_n_polls     (PvPollTracker    *self);
gboolean      pv_poll_tracker_is_finished     (PvPollTracker    *self);
GCancellable *pv_poll_tracker_get_cancellable (PvPollTracker    *self);
void          pv_poll_tracker_poll_done       (PvPollTracker    *self,
                                               const char       *what,
                                               const GError     *error);
void          pv_poll_tracker_finish          (PvPollTracker    *self,
                                               PvPollTrackerEnd  end);

G_END_DECLS
