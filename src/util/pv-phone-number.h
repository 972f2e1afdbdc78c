/* pv-phone-number.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PV_PHONE_NUMBER_ERROR (pv_phone_number_error_quark ())

typedef enum
{
  PV_PHONE_NUMBER_ERROR_EMPTY,
  PV_PHONE_NUMBER_ERROR_LETTERS,
  PV_PHONE_NUMBER_ERROR_INVALID_CHARACTER,
  PV_PHONE_NUMBER_ERROR_TOO_SHORT,
  PV_PHONE_NUMBER_ERROR_TOO_LONG,
  PV_PHONE_NUMBER_ERROR_BAD_COUNTRY_CODE,
  PV_PHONE_NUMBER_ERROR_INVALID_UTF8,
  PV_PHONE_NUMBER_ERROR_CONTROL_CHARACTER,  /* control, bidi or invisible formatting */
} PvPhoneNumberError;

/* E.164 allows at most 15 digits; fewer than 7 cannot be a full international number. */
#define PV_PHONE_NUMBER_MIN_DIGITS 7
#define PV_PHONE_NUMBER_MAX_DIGITS 15

GQuark  pv_phone_number_error_quark (void);
char   *pv_phone_number_normalize   (const char  *input,
                                     guint        default_country_code,
                                     GError     **error);

G_END_DECLS
