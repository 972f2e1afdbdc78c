/* pv-window.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pv-engine.h"

G_BEGIN_DECLS

#define PV_TYPE_WINDOW (pv_window_get_type ())

G_DECLARE_FINAL_TYPE (PvWindow, pv_window, PV, WINDOW, AdwApplicationWindow)

PvWindow *pv_window_new        (AdwApplication *application,
                                PvEngine       *engine);
PvEngine *pv_window_get_engine (PvWindow       *self);

G_END_DECLS
