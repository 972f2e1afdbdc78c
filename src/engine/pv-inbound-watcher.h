/* pv-inbound-watcher.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pv-clock.h"
#include "pv-twilio-client.h"

G_BEGIN_DECLS

#define PV_TYPE_INBOUND_WATCHER (pv_inbound_watcher_get_type ())

/* How often Twilio is asked while a text is awaited, and the longest wait after errors. */
#define PV_INBOUND_WATCHER_DEFAULT_INTERVAL_MS 5000
#define PV_INBOUND_WATCHER_MAX_INTERVAL_MS     60000

G_DECLARE_FINAL_TYPE (PvInboundWatcher, pv_inbound_watcher, PV, INBOUND_WATCHER, GObject)

PvInboundWatcher *pv_inbound_watcher_new          (PvTwilioClient   *client,
                                                   PvClock          *clock);
void              pv_inbound_watcher_set_interval (PvInboundWatcher *self,
                                                   guint             milliseconds);
void              pv_inbound_watcher_watch        (PvInboundWatcher *self,
                                                   const char       *number,
                                                   gint64            since,
                                                   gint64            until);
void              pv_inbound_watcher_unwatch      (PvInboundWatcher *self,
                                                   const char       *number);
gboolean          pv_inbound_watcher_is_watching  (PvInboundWatcher *self,
                                                   const char       *number);
guint             pv_inbound_watcher_get_n_polls  (PvInboundWatcher *self);

G_END_DECLS
