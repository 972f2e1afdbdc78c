/* pv-phone-number-private.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The C face of pv-phone-number-backend.cpp, for pv-phone-number.c only. */

#pragma once

#include "pv-phone-number.h"

G_BEGIN_DECLS

/* What libphonenumber says is wrong with a number, before it is put into words. */
typedef enum
{
  PV_PHONE_NUMBER_PROBLEM_NONE,
  PV_PHONE_NUMBER_PROBLEM_NOT_A_NUMBER,
  PV_PHONE_NUMBER_PROBLEM_COUNTRY_CODE,   /* no country has it */
  PV_PHONE_NUMBER_PROBLEM_TOO_SHORT,
  PV_PHONE_NUMBER_PROBLEM_TOO_LONG,
  PV_PHONE_NUMBER_PROBLEM_LOCAL_ONLY,     /* dialable only locally: the area code is missing */
  PV_PHONE_NUMBER_PROBLEM_INVALID,        /* the right length, but no such number exists */
} PvPhoneNumberProblem;

typedef struct
{
  PvPhoneNumberProblem  problem;
  /* Set whenever the input parsed, even when it is then refused. */
  char                 *e164;
  char                 *national;
  char                 *international;
  char                 *region;           /* "DE", or "001" for non-geographic numbers */
  guint                 country_code;
  PvPhoneNumberType     type;
} PvPhoneNumberParsed;

void      _pv_phone_number_parsed_clear                  (PvPhoneNumberParsed *parsed);
gboolean  _pv_phone_number_backend_parse                 (const char          *input,
                                                          const char          *default_region,
                                                          PvPhoneNumberParsed *parsed);
char     *_pv_phone_number_backend_format_for_display (const char          *e164,
                                                          const char          *office_region);
gboolean  _pv_phone_number_backend_is_region             (const char          *region);
char    **_pv_phone_number_backend_dup_regions           (void);
void      _pv_phone_number_backend_load                  (void);
guint     _pv_phone_number_backend_country_code_for_region (const char        *region);
char     *_pv_phone_number_backend_region_for_country_code (guint              country_code);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PvPhoneNumberParsed, _pv_phone_number_parsed_clear)

G_END_DECLS
