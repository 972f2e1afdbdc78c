/* pv-call-tracker.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pv-poll-tracker.h"
#include "pv-twilio-client.h"

G_BEGIN_DECLS

#define PV_TYPE_CALL_TRACKER (pv_call_tracker_get_type ())

/* The same values as PvPollTrackerEnd. */
typedef enum
{
  PV_CALL_TRACKER_FINAL,      /* completed, busy, failed, no-answer or canceled */
  PV_CALL_TRACKER_TIMED_OUT,  /* still not over when the time limit passed */
  PV_CALL_TRACKER_GAVE_UP,    /* Twilio answered in a way asking again cannot change */
} PvCallTrackerResult;

G_DECLARE_FINAL_TYPE (PvCallTracker, pv_call_tracker, PV, CALL_TRACKER, PvPollTracker)

PvCallTracker *pv_call_tracker_new                 (PvTwilioClient *client,
                                                    const char     *call_sid,
                                                    const char     *initial_status);
const char    *pv_call_tracker_get_call_sid        (PvCallTracker  *self);
const char    *pv_call_tracker_get_status          (PvCallTracker  *self);
int            pv_call_tracker_get_failure_code    (PvCallTracker  *self);
const char    *pv_call_tracker_get_failure_message (PvCallTracker  *self);
guint          pv_call_tracker_get_n_polls         (PvCallTracker  *self);
void           pv_call_tracker_start               (PvCallTracker  *self);
void           pv_call_tracker_stop                (PvCallTracker  *self);

G_END_DECLS
