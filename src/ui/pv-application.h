/* pv-application.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PV_TYPE_APPLICATION (pv_application_get_type ())

G_DECLARE_FINAL_TYPE (PvApplication, pv_application, PV, APPLICATION, AdwApplication)

PvApplication *pv_application_new (const char        *application_id,
                                   GApplicationFlags  flags);

G_END_DECLS
