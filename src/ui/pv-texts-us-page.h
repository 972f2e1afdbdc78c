/* pv-texts-us-page.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pv-clock.h"
#include "pv-verifier.h"

G_BEGIN_DECLS

#define PV_TYPE_TEXTS_US_PAGE (pv_texts_us_page_get_type ())

G_DECLARE_FINAL_TYPE (PvTextsUsPage, pv_texts_us_page, PV, TEXTS_US_PAGE, AdwBin)

void        pv_texts_us_page_set_clock    (PvTextsUsPage   *self,
                                           PvClock         *clock);
void        pv_texts_us_page_show_code    (PvTextsUsPage   *self,
                                           const PvTextsUs *texts_us,
                                           const char      *customer_shown,
                                           const char      *office_shown);
void        pv_texts_us_page_show_expired (PvTextsUsPage   *self);
gboolean    pv_texts_us_page_is_expired   (PvTextsUsPage   *self);
void        pv_texts_us_page_clear        (PvTextsUsPage   *self);
const char *pv_texts_us_page_get_number   (PvTextsUsPage   *self);

G_END_DECLS
