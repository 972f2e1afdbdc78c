/* pv-clock.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PV_TYPE_CLOCK (pv_clock_get_type ())

G_DECLARE_FINAL_TYPE (PvClock, pv_clock, PV, CLOCK, GObject)

PvClock *pv_clock_new        (void);
PvClock *pv_clock_new_manual (gint64   start);
gint64   pv_clock_get_now    (PvClock *self);
void     pv_clock_advance    (PvClock *self,
                              gint64   seconds);

G_END_DECLS
