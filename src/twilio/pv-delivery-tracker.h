/* pv-delivery-tracker.h
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

#define PV_TYPE_DELIVERY_TRACKER (pv_delivery_tracker_get_type ())

/* The same values as PvPollTrackerEnd. */
typedef enum
{
  PV_DELIVERY_TRACKER_FINAL,      /* delivered, undelivered, failed or canceled */
  PV_DELIVERY_TRACKER_TIMED_OUT,  /* still not final when the time limit passed */
  PV_DELIVERY_TRACKER_GAVE_UP,    /* Twilio answered in a way asking again cannot change */
} PvDeliveryTrackerResult;

G_DECLARE_FINAL_TYPE (PvDeliveryTracker, pv_delivery_tracker, PV, DELIVERY_TRACKER, PvPollTracker)

PvDeliveryTracker *pv_delivery_tracker_new          (PvTwilioClient    *client,
                                                     const char        *message_sid,
                                                     const char        *initial_status);
const char        *pv_delivery_tracker_get_message_sid (PvDeliveryTracker *self);
const char        *pv_delivery_tracker_get_status   (PvDeliveryTracker *self);
guint              pv_delivery_tracker_get_n_polls  (PvDeliveryTracker *self);
void               pv_delivery_tracker_start        (PvDeliveryTracker *self);
void               pv_delivery_tracker_stop         (PvDeliveryTracker *self);

G_END_DECLS
