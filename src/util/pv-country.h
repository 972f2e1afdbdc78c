/* pv-country.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The office's country when the locale names none (the C locale, say): the country whose
 * calling code, +1, PhoneVerify used before it had a setting for it. */
#define PV_COUNTRY_FALLBACK "US"

const char *pv_country_get_name        (const char *region);
char       *pv_country_from_locale     (const char *locale);
char       *pv_country_get_default     (void);

G_END_DECLS
