/* pv-phone-number-backend.cpp
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The one C++ file: libphonenumber, Google's reference implementation of the world's
 * numbering plans, behind the small C API of pv-phone-number-private.h. Nothing else in
 * PhoneVerify knows a numbering rule; everything asks here. No exception or C++ type
 * crosses the API, and every string handed out is a g_malloc'd copy. */

#include "config.h"

#include <cstring>
#include <memory>
#include <set>
#include <string>

#include <phonenumbers/asyoutypeformatter.h>
#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "pv-phone-number-private.h"

using i18n::phonenumbers::AsYouTypeFormatter;
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

/* libphonenumber logs parse failures to stderr; what staff typed is no business of the
 * log, and each failure is reported as an error anyway. */
static PhoneNumberUtil *
get_util (void)
{
  static gsize initialized = 0;
  static PhoneNumberUtil *util = NULL;

  if (g_once_init_enter (&initialized))
    {
      util = PhoneNumberUtil::GetInstance ();
      util->SetLogger (new i18n::phonenumbers::NullLogger ());
      g_once_init_leave (&initialized, 1);
    }

  return util;
}

static char *
dup_string (const std::string &text)
{
  return g_strndup (text.data (), text.size ());
}

static PvPhoneNumberType
convert_type (PhoneNumberUtil::PhoneNumberType type)
{
  switch (type)
    {
    case PhoneNumberUtil::FIXED_LINE:           return PV_PHONE_NUMBER_TYPE_FIXED_LINE;
    case PhoneNumberUtil::MOBILE:               return PV_PHONE_NUMBER_TYPE_MOBILE;
    case PhoneNumberUtil::FIXED_LINE_OR_MOBILE: return PV_PHONE_NUMBER_TYPE_FIXED_LINE_OR_MOBILE;
    case PhoneNumberUtil::TOLL_FREE:            return PV_PHONE_NUMBER_TYPE_TOLL_FREE;
    case PhoneNumberUtil::PREMIUM_RATE:         return PV_PHONE_NUMBER_TYPE_PREMIUM_RATE;
    case PhoneNumberUtil::SHARED_COST:          return PV_PHONE_NUMBER_TYPE_SHARED_COST;
    case PhoneNumberUtil::VOIP:                 return PV_PHONE_NUMBER_TYPE_VOIP;
    case PhoneNumberUtil::PERSONAL_NUMBER:      return PV_PHONE_NUMBER_TYPE_PERSONAL;
    case PhoneNumberUtil::PAGER:                return PV_PHONE_NUMBER_TYPE_PAGER;
    case PhoneNumberUtil::UAN:                  return PV_PHONE_NUMBER_TYPE_UAN;
    case PhoneNumberUtil::VOICEMAIL:            return PV_PHONE_NUMBER_TYPE_VOICEMAIL;
    case PhoneNumberUtil::UNKNOWN:
    default:                                    return PV_PHONE_NUMBER_TYPE_UNKNOWN;
    }
}

static PvPhoneNumberProblem
convert_parse_error (PhoneNumberUtil::ErrorType error)
{
  switch (error)
    {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR: return PV_PHONE_NUMBER_PROBLEM_COUNTRY_CODE;
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    case PhoneNumberUtil::TOO_SHORT_NSN:              return PV_PHONE_NUMBER_PROBLEM_TOO_SHORT;
    case PhoneNumberUtil::TOO_LONG_NSN:               return PV_PHONE_NUMBER_PROBLEM_TOO_LONG;
    case PhoneNumberUtil::NOT_A_NUMBER:
    default:                                          return PV_PHONE_NUMBER_PROBLEM_NOT_A_NUMBER;
    }
}

/* Why a parsed number cannot exist, from its length alone. */
static PvPhoneNumberProblem
convert_possibility (PhoneNumberUtil::ValidationResult result)
{
  switch (result)
    {
    case PhoneNumberUtil::IS_POSSIBLE:            return PV_PHONE_NUMBER_PROBLEM_NONE;
    case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY: return PV_PHONE_NUMBER_PROBLEM_LOCAL_ONLY;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE:   return PV_PHONE_NUMBER_PROBLEM_COUNTRY_CODE;
    case PhoneNumberUtil::TOO_SHORT:              return PV_PHONE_NUMBER_PROBLEM_TOO_SHORT;
    case PhoneNumberUtil::TOO_LONG:               return PV_PHONE_NUMBER_PROBLEM_TOO_LONG;
    case PhoneNumberUtil::INVALID_LENGTH:
    default:                                      return PV_PHONE_NUMBER_PROBLEM_INVALID;
    }
}

/* The national form, unless it would be read back in @region as another number: Gabon's
 * old seven-digit numbers and its new eight-digit ones that add a leading 0 are both written
 * "05 55 26 71" at home, so only the international form tells them apart. */
static void
format_national (PhoneNumberUtil   *util,
                 const PhoneNumber &number,
                 const std::string &region,
                 std::string       *text)
{
  PhoneNumber again;
  std::string e164;
  std::string e164_again;

  util->Format (number, PhoneNumberUtil::NATIONAL, text);
  util->Format (number, PhoneNumberUtil::E164, &e164);
  if (util->Parse (*text, region, &again) == PhoneNumberUtil::NO_PARSING_ERROR)
    {
      util->Format (again, PhoneNumberUtil::E164, &e164_again);
      if (e164_again == e164)
        return;
    }

  util->Format (number, PhoneNumberUtil::INTERNATIONAL, text);
}

static void
fill_result (PhoneNumberUtil       *util,
             const PhoneNumber     &number,
             PvPhoneNumberParsed   *parsed)
{
  std::string text;

  std::string region;

  util->GetRegionCodeForNumber (number, &region);
  parsed->region = dup_string (region);
  util->Format (number, PhoneNumberUtil::E164, &text);
  parsed->e164 = dup_string (text);
  format_national (util, number, region, &text);
  parsed->national = dup_string (text);
  util->Format (number, PhoneNumberUtil::INTERNATIONAL, &text);
  parsed->international = dup_string (text);
  parsed->country_code = (guint) number.country_code ();
  parsed->type = convert_type (util->GetNumberType (number));
}

extern "C" gboolean
_pv_phone_number_backend_parse (const char           *input,
                                const char           *default_region,
                                PvPhoneNumberParsed  *parsed)
{
  PhoneNumberUtil *util = get_util ();
  PhoneNumber number;
  PhoneNumberUtil::ErrorType error;

  memset (parsed, 0, sizeof *parsed);

  try
    {
      error = util->Parse (input, default_region != NULL ? default_region : "ZZ", &number);
      if (error != PhoneNumberUtil::NO_PARSING_ERROR)
        {
          parsed->problem = convert_parse_error (error);
          return FALSE;
        }

      parsed->problem = convert_possibility (util->IsPossibleNumberWithReason (number));
      if (parsed->problem == PV_PHONE_NUMBER_PROBLEM_NONE && !util->IsValidNumber (number))
        parsed->problem = PV_PHONE_NUMBER_PROBLEM_INVALID;

      /* Even a refused number says which country it would be in, for the message. */
      fill_result (util, number, parsed);
    }
  catch (...)
    {
      _pv_phone_number_parsed_clear (parsed);
      parsed->problem = PV_PHONE_NUMBER_PROBLEM_NOT_A_NUMBER;
      return FALSE;
    }

  return parsed->problem == PV_PHONE_NUMBER_PROBLEM_NONE;
}

/* Every row of a list and an export asks this: only the country code and, where the office
 * shares it with other countries (+1, +44, +7), the region are worked out, without the
 * validity and type checks of a full parse. */
extern "C" char *
_pv_phone_number_backend_format_for_display (const char *e164,
                                             const char *office_region)
{
  PhoneNumberUtil *util = get_util ();
  PhoneNumber number;
  std::string text;

  try
    {
      if (util->Parse (e164, "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR)
        return NULL;

      if (office_region != NULL &&
          number.country_code () == util->GetCountryCodeForRegion (office_region))
        {
          std::string region;

          util->GetRegionCodeForNumber (number, &region);
          if (region == office_region)
            {
              format_national (util, number, region, &text);
              return dup_string (text);
            }
        }

      util->Format (number, PhoneNumberUtil::INTERNATIONAL, &text);
      return dup_string (text);
    }
  catch (...)
    {
      return NULL;
    }
}

extern "C" gboolean
_pv_phone_number_backend_is_region (const char *region)
{
  std::set<std::string> regions;

  if (region == NULL)
    return FALSE;

  get_util ()->GetSupportedRegions (&regions);

  return regions.count (region) > 0;
}

extern "C" char **
_pv_phone_number_backend_dup_regions (void)
{
  std::set<std::string> regions;
  GPtrArray *array = g_ptr_array_new ();

  get_util ()->GetSupportedRegions (&regions);
  for (const std::string &region : regions)
    g_ptr_array_add (array, dup_string (region));
  g_ptr_array_add (array, NULL);

  return (char **) g_ptr_array_free (array, FALSE);
}

extern "C" void
_pv_phone_number_backend_load (void)
{
  get_util ();
}

extern "C" guint
_pv_phone_number_backend_country_code_for_region (const char *region)
{
  return region != NULL ? (guint) get_util ()->GetCountryCodeForRegion (region) : 0;
}

extern "C" char *
_pv_phone_number_backend_region_for_country_code (guint country_code)
{
  std::string region;

  get_util ()->GetRegionCodeForCountryCode ((int) country_code, &region);

  /* "001" is libphonenumber's name for +800, +882 and other codes of no country. */
  return region == "ZZ" || region == "001" ? NULL : dup_string (region);
}

struct _PvPhoneNumberFormatter
{
  std::unique_ptr<AsYouTypeFormatter> formatter;
};

extern "C" PvPhoneNumberFormatter *
pv_phone_number_formatter_new (const char *region)
{
  PvPhoneNumberFormatter *self = new PvPhoneNumberFormatter ();

  self->formatter.reset (get_util ()->GetAsYouTypeFormatter (region != NULL ? region : "ZZ"));

  return self;
}

extern "C" void
pv_phone_number_formatter_free (PvPhoneNumberFormatter *self)
{
  delete self;
}

/* The formatter works keystroke by keystroke; a text field changes anywhere (paste,
 * deletion in the middle), so the whole input is fed afresh each time. Only digits and a
 * leading "+" are fed: the formatter puts in the separators itself. */
extern "C" char *
pv_phone_number_formatter_format (PvPhoneNumberFormatter *self,
                                  const char             *input)
{
  std::string result;

  g_return_val_if_fail (self != NULL, NULL);

  self->formatter->Clear ();

  for (const char *p = input != NULL ? input : ""; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p) || (*p == '+' && result.empty ()))
        self->formatter->InputDigit ((i18n::phonenumbers::char32) *p, &result);
    }

  return dup_string (result);
}
