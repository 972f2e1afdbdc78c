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
  PV_PHONE_NUMBER_ERROR_BAD_COUNTRY_CODE,   /* no country has that calling code */
  PV_PHONE_NUMBER_ERROR_INVALID_UTF8,
  PV_PHONE_NUMBER_ERROR_CONTROL_CHARACTER,  /* control, bidi or invisible formatting */
  PV_PHONE_NUMBER_ERROR_INVALID,            /* no such number in its country */
  PV_PHONE_NUMBER_ERROR_PREMIUM_RATE,       /* never texted: the sender pays, or worse */
  PV_PHONE_NUMBER_ERROR_SHARED_COST,
  PV_PHONE_NUMBER_ERROR_TOLL_FREE,          /* these cannot receive texts */
  PV_PHONE_NUMBER_ERROR_UNKNOWN_COUNTRY,    /* the country to read it in is not one */
} PvPhoneNumberError;

typedef enum
{
  PV_PHONE_NUMBER_TYPE_UNKNOWN,
  PV_PHONE_NUMBER_TYPE_FIXED_LINE,
  PV_PHONE_NUMBER_TYPE_MOBILE,
  PV_PHONE_NUMBER_TYPE_FIXED_LINE_OR_MOBILE,
  PV_PHONE_NUMBER_TYPE_TOLL_FREE,
  PV_PHONE_NUMBER_TYPE_PREMIUM_RATE,
  PV_PHONE_NUMBER_TYPE_SHARED_COST,
  PV_PHONE_NUMBER_TYPE_VOIP,
  PV_PHONE_NUMBER_TYPE_PERSONAL,
  PV_PHONE_NUMBER_TYPE_PAGER,
  PV_PHONE_NUMBER_TYPE_UAN,
  PV_PHONE_NUMBER_TYPE_VOICEMAIL,
} PvPhoneNumberType;

/* A number that exists, as libphonenumber reads it. */
typedef struct
{
  char              *e164;           /* "+493012345678": storage, Twilio and CSV */
  char              *national;       /* "030 12345678": how the country's people write it */
  char              *international;  /* "+49 30 12345678" */
  char              *region;         /* ISO 3166-1 alpha-2, "DE"; "001" for +800 and the like */
  guint              country_code;
  PvPhoneNumberType  type;
} PvPhoneNumber;

typedef struct _PvPhoneNumberFormatter PvPhoneNumberFormatter;

GQuark          pv_phone_number_error_quark        (void);
PvPhoneNumber  *pv_phone_number_parse              (const char             *input,
                                                    const char             *region,
                                                    GError                **error);
char           *pv_phone_number_normalize          (const char             *input,
                                                    const char             *region,
                                                    GError                **error);
PvPhoneNumber  *pv_phone_number_copy               (const PvPhoneNumber    *self);
void            pv_phone_number_free               (PvPhoneNumber          *self);
gboolean        pv_phone_number_may_not_get_texts  (const PvPhoneNumber    *self);
const char     *pv_phone_number_type_describe      (PvPhoneNumberType       type);
const char     *pv_phone_number_type_to_string     (PvPhoneNumberType       type);
char           *pv_phone_number_format_for_display (const char             *e164,
                                                    const char             *office_region);

gboolean        pv_phone_number_is_region          (const char             *region);
gboolean        pv_phone_number_check_region       (const char             *region,
                                                    GError                **error);
char          **pv_phone_number_dup_regions        (void);
void            pv_phone_number_preload            (void);
guint           pv_phone_number_country_code_for_region (const char        *region);
char           *pv_phone_number_region_for_country_code (guint              country_code);

PvPhoneNumberFormatter *pv_phone_number_formatter_new    (const char             *region);
char                   *pv_phone_number_formatter_format (PvPhoneNumberFormatter *self,
                                                          const char             *input);
void                    pv_phone_number_formatter_free   (PvPhoneNumberFormatter *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvPhoneNumber, pv_phone_number_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvPhoneNumberFormatter, pv_phone_number_formatter_free)

G_END_DECLS
