/* pv-preferences-window.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pv-engine.h"

G_BEGIN_DECLS

#define PV_TYPE_PREFERENCES_WINDOW (pv_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (PvPreferencesWindow, pv_preferences_window, PV, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

PvPreferencesWindow *pv_preferences_window_new (GtkWindow *parent,
                                                PvEngine  *engine);

G_END_DECLS
