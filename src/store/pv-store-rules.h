/* pv-store-rules.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What every store decides the same way, whatever its database: whether a send may go out,
 * why an attempt was refused, what an old row's missing channel means. Each store applies
 * these inside its own transaction, to the row it has locked. Only the store layer sees
 * this header. */

#pragma once

#include "pv-store.h"

G_BEGIN_DECLS

/* The hourly cap counts sends in a window of this length from the first one. */
#define PV_SEND_WINDOW_SECONDS (60 * 60)

gboolean          _pv_store_has_live_code           (const PvCustomer     *customer,
                                                     guint                 max_attempts,
                                                     gint64                now);
PvSendVerdict     _pv_store_judge_send              (const PvSendRequest  *request,
                                                     const PvCustomer     *customer,
                                                     gint64                now,
                                                     guint                *wait);
gboolean          _pv_store_keeps_code              (const PvSendRequest  *request,
                                                     const PvCustomer     *stored,
                                                     gint64                now);
gboolean          _pv_store_starts_new_window       (const PvCustomer     *stored,
                                                     gint64                now);
PvAttemptVerdict  _pv_store_explain_refused_attempt (const PvCustomer     *customer,
                                                     guint                 max_attempts);
gboolean          _pv_store_is_send_event           (PvEventKind           kind);
PvChannel         _pv_store_channel_or_text         (const char           *stored,
                                                     gboolean              was_sent);
char             *_pv_store_delivery_detail         (const char           *status,
                                                     int                   error_code);

G_END_DECLS
