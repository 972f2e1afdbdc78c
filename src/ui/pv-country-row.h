/* pv-country-row.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PV_TYPE_COUNTRY_ROW (pv_country_row_get_type ())

G_DECLARE_FINAL_TYPE (PvCountryRow, pv_country_row, PV, COUNTRY_ROW, AdwActionRow)

const char *pv_country_row_get_country (PvCountryRow *self);
void        pv_country_row_set_country (PvCountryRow *self,
                                        const char   *country);

G_END_DECLS
