/* pv-phone-number.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Turns what staff type into a number that exists, in E.164 for storage and Twilio and in
 * the forms people read. The characters are checked here, for what a paste can bring
 * along; the numbering plans, trunk prefixes, exit codes and validity are libphonenumber's
 * (pv-phone-number-backend.cpp), read in the office's country unless the number says
 * otherwise. Each refusal says why, in words staff can pass on. */

#define G_LOG_DOMAIN "pv-phone-number"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "pv-country.h"
#include "pv-phone-number-private.h"
#include "pv-text.h"

G_DEFINE_QUARK (pv-phone-number-error-quark, pv_phone_number_error)

/* Separators people write numbers with, in any locale we expect. Any space counts, TAB
 * and line breaks included, as in names: they come along when a number is pasted. */
static gboolean
is_separator (gunichar c)
{
  return c == '-' || c == '.' || c == '(' || c == ')' || c == '/'
         || pv_text_classify (c) == PV_TEXT_CHAR_SPACE
         || c == 0x2010 || c == 0x2011 || c == 0x2012 || c == 0x2013;  /* hyphens and dashes */
}

/* Numbers copied from web pages and chat apps often bring bidi controls or marks along
 * (U+202A…U+202C, U+200E), and anything may come from a paste. Such characters are
 * refused before anything else, with a message that does not repeat them: shown, they
 * would reorder or hide the rest of the message, or reach a terminal as commands. */
static gboolean
check_characters (const char  *input,
                  GError     **error)
{
  for (const char *p = input; *p != '\0'; p = g_utf8_next_char (p))
    {
      PvTextCharClass class = pv_text_classify (g_utf8_get_char (p));

      if (class != PV_TEXT_CHAR_SAFE && class != PV_TEXT_CHAR_SPACE)
        {
          g_set_error_literal (error, PV_PHONE_NUMBER_ERROR,
                               PV_PHONE_NUMBER_ERROR_CONTROL_CHARACTER,
                               _("This number contains invisible control or formatting "
                                 "characters, often copied along with it. Type the number "
                                 "instead of pasting it."));
          return FALSE;
        }
    }

  return TRUE;
}

/* Letters would be read as a keypad's digits ("1-800-FLOWERS"); staff type numbers as the
 * customer says them, so letters are a typing mistake, and said to be one. */
static gboolean
check_digits_only (const char  *input,
                   GError     **error)
{
  gboolean seen_digit = FALSE;
  gboolean seen_plus = FALSE;

  for (const char *p = input; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= '0' && c <= '9')
        {
          /* "+0…" is no number: calling codes start from 1, and "+00" is "+" typed twice. */
          if (c == '0' && seen_plus && !seen_digit)
            {
              g_set_error_literal (error, PV_PHONE_NUMBER_ERROR,
                                   PV_PHONE_NUMBER_ERROR_BAD_COUNTRY_CODE,
                                   _("Country calling codes never start with 0. Check the "
                                     "digits after “+”."));
              return FALSE;
            }
          seen_digit = TRUE;
        }
      else if (c == '+' && !seen_digit && !seen_plus)
        {
          seen_plus = TRUE;
        }
      else if (c == '+')
        {
          g_set_error_literal (error, PV_PHONE_NUMBER_ERROR,
                               PV_PHONE_NUMBER_ERROR_INVALID_CHARACTER,
                               _("A phone number can have only one “+”, at its start."));
          return FALSE;
        }
      else if (is_separator (c))
        {
          continue;
        }
      else if (g_unichar_isalpha (c))
        {
          g_set_error_literal (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_LETTERS,
                               _("A phone number can only contain digits, not letters."));
          return FALSE;
        }
      else
        {
          char symbol[8] = { 0 };
          g_autofree char *shown = NULL;

          g_unichar_to_utf8 (c, symbol);
          shown = pv_text_escape (symbol, 1);
          g_set_error (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_INVALID_CHARACTER,
                       /* Translators: %s is a single character, such as “#” or “*” */
                       _("“%s” can’t be part of a phone number. Use only digits, spaces, "
                         "dashes and a leading “+”."),
                       shown);
          return FALSE;
        }
    }

  if (!seen_digit)
    {
      g_set_error_literal (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_EMPTY,
                           _("Enter a phone number."));
      return FALSE;
    }

  return TRUE;
}

void
_pv_phone_number_parsed_clear (PvPhoneNumberParsed *parsed)
{
  g_clear_pointer (&parsed->e164, g_free);
  g_clear_pointer (&parsed->national, g_free);
  g_clear_pointer (&parsed->international, g_free);
  g_clear_pointer (&parsed->region, g_free);
}

static void
set_problem_error (const PvPhoneNumberParsed  *parsed,
                   const char                 *region,
                   GError                    **error)
{
  g_autofree char *code_country = NULL;
  const char *country;

  /* The country the number would be in; for a calling code several countries share (or
   * none), its main country; else the one it was read in. */
  if (parsed->region != NULL && pv_phone_number_is_region (parsed->region))
    country = pv_country_get_name (parsed->region);
  else if (parsed->country_code != 0 &&
           (code_country = pv_phone_number_region_for_country_code (parsed->country_code)) != NULL)
    country = pv_country_get_name (code_country);
  else if (parsed->country_code != 0)
    country = NULL;
  else
    country = pv_country_get_name (region);

  if (country == NULL && parsed->problem == PV_PHONE_NUMBER_PROBLEM_TOO_LONG)
    {
      g_set_error_literal (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_TOO_LONG,
                           _("This number is too long. Check it with the customer."));
      return;
    }

  if (country == NULL && parsed->problem == PV_PHONE_NUMBER_PROBLEM_INVALID)
    {
      g_set_error_literal (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_INVALID,
                           _("This is not a valid phone number. Check it with the customer."));
      return;
    }

  switch (parsed->problem)
    {
    case PV_PHONE_NUMBER_PROBLEM_COUNTRY_CODE:
      g_set_error_literal (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_BAD_COUNTRY_CODE,
                           _("No country has the calling code this number starts with. Check "
                             "the digits after “+” or “00”."));
      break;

    case PV_PHONE_NUMBER_PROBLEM_TOO_SHORT:
      g_set_error_literal (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_TOO_SHORT,
                           _("This number is too short. Enter the whole number, including "
                             "the area code."));
      break;

    case PV_PHONE_NUMBER_PROBLEM_LOCAL_ONLY:
      g_set_error_literal (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_TOO_SHORT,
                           _("This number is missing its area code. Enter the whole number, "
                             "including the area code."));
      break;

    case PV_PHONE_NUMBER_PROBLEM_TOO_LONG:
      g_set_error (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_TOO_LONG,
                   /* Translators: %s is a country, such as “Germany” */
                   _("This number is too long for a phone number in %s. Check it with the "
                     "customer."),
                   country);
      break;

    case PV_PHONE_NUMBER_PROBLEM_INVALID:
      g_set_error (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_INVALID,
                   /* Translators: %s is a country, such as “Germany” */
                   _("This is not a valid phone number in %s. Check it with the customer, or "
                     "choose the country the number is from."),
                   country);
      break;

    case PV_PHONE_NUMBER_PROBLEM_NOT_A_NUMBER:
    case PV_PHONE_NUMBER_PROBLEM_NONE:
    default:
      g_set_error_literal (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_INVALID,
                           _("This is not a phone number. Check it with the customer."));
      break;
    }
}

/* Numbers that must never get a code, whatever Twilio would allow. */
static gboolean
check_type (const PvPhoneNumberParsed  *parsed,
            GError                    **error)
{
  switch (parsed->type)
    {
    case PV_PHONE_NUMBER_TYPE_PREMIUM_RATE:
      g_set_error_literal (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_PREMIUM_RATE,
                           _("This is a premium-rate number. PhoneVerify never texts "
                             "premium-rate numbers: texting them can cost the office money."));
      return FALSE;

    case PV_PHONE_NUMBER_TYPE_SHARED_COST:
      g_set_error_literal (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_SHARED_COST,
                           _("This is a shared-cost number, which PhoneVerify does not text. "
                             "Ask the customer for a mobile number."));
      return FALSE;

    case PV_PHONE_NUMBER_TYPE_TOLL_FREE:
      g_set_error_literal (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_TOLL_FREE,
                           _("This is a toll-free number, which cannot receive text messages. "
                             "Ask the customer for a mobile number."));
      return FALSE;

    default:
      return TRUE;
    }
}

/**
 * pv_phone_number_check_region:
 * @region: (nullable): what was given as a country, such as “DE”
 *
 * Returns: %TRUE if libphonenumber knows @region; else %FALSE with a translated @error
 *   that quotes it safely
 */
gboolean
pv_phone_number_check_region (const char  *region,
                              GError     **error)
{
  g_autofree char *shown = NULL;

  if (pv_phone_number_is_region (region))
    return TRUE;

  shown = pv_text_escape (region != NULL ? region : "", PV_TEXT_ECHO_MAX_CHARS);
  g_set_error (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_UNKNOWN_COUNTRY,
               /* Translators: %s is what was given as a country, such as “XX” */
               _("“%s” is not a country code PhoneVerify knows. Use a two-letter code such as "
                 "DE, FR or US."),
               shown);
  return FALSE;
}

/**
 * pv_phone_number_parse:
 * @input: what was typed, such as “(415) 555-2671”, “030 1234567” or “0049 30 1234567”
 * @region: the country to read a national number in, such as “DE”
 *
 * Reads @input as libphonenumber does: a number with “+” or the exit code dialled from
 * @region (“00”, “011”, …) is international; any other is national to @region, trunk
 * prefix and all. The number must exist (not merely have a possible length), and must
 * not be premium-rate, shared-cost or toll-free.
 *
 * Returns: (transfer full): the number, or %NULL with a translated @error
 */
PvPhoneNumber *
pv_phone_number_parse (const char  *input,
                       const char  *region,
                       GError     **error)
{
  g_auto(PvPhoneNumberParsed) parsed = { 0, };
  g_autoptr(GString) spaced = NULL;
  PvPhoneNumber *number;

  if (input == NULL)
    input = "";

  if (!pv_phone_number_check_region (region, error))
    return NULL;

  if (!g_utf8_validate (input, -1, NULL))
    {
      g_set_error_literal (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_INVALID_UTF8,
                           _("This number is not valid text. Type it again."));
      return NULL;
    }

  if (!check_characters (input, error) || !check_digits_only (input, error))
    return NULL;

  /* TAB, line breaks and the like come with pasted numbers; libphonenumber knows only the
   * separators people type. */
  spaced = g_string_new (NULL);
  for (const char *p = input; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (pv_text_classify (c) == PV_TEXT_CHAR_SPACE)
        g_string_append_c (spaced, ' ');
      else
        g_string_append_unichar (spaced, c);
    }

  if (!_pv_phone_number_backend_parse (spaced->str, region, &parsed))
    {
      set_problem_error (&parsed, region, error);
      return NULL;
    }

  /* E.164 ends at 15 digits, whatever some numbering plans would allow. */
  if (strlen (parsed.e164) > 16)
    {
      g_set_error_literal (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_TOO_LONG,
                           _("This number is too long: phone numbers have at most 15 digits, "
                             "including the country code. Check it with the customer."));
      return NULL;
    }

  if (!check_type (&parsed, error))
    return NULL;

  number = g_new0 (PvPhoneNumber, 1);
  number->e164 = g_steal_pointer (&parsed.e164);
  number->national = g_steal_pointer (&parsed.national);
  number->international = g_steal_pointer (&parsed.international);
  number->region = g_steal_pointer (&parsed.region);
  number->country_code = parsed.country_code;
  number->type = parsed.type;

  return number;
}

/**
 * pv_phone_number_normalize:
 *
 * pv_phone_number_parse(), for callers that only need E.164.
 *
 * Returns: (transfer full): the number in E.164, or %NULL with a translated @error
 */
char *
pv_phone_number_normalize (const char  *input,
                           const char  *region,
                           GError     **error)
{
  g_autoptr(PvPhoneNumber) number = pv_phone_number_parse (input, region, error);

  return number != NULL ? g_strdup (number->e164) : NULL;
}

PvPhoneNumber *
pv_phone_number_copy (const PvPhoneNumber *self)
{
  PvPhoneNumber *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->e164 = g_strdup (self->e164);
  copy->national = g_strdup (self->national);
  copy->international = g_strdup (self->international);
  copy->region = g_strdup (self->region);

  return copy;
}

void
pv_phone_number_free (PvPhoneNumber *self)
{
  if (self == NULL)
    return;

  g_free (self->e164);
  g_free (self->national);
  g_free (self->international);
  g_free (self->region);
  g_free (self);
}

/* Landlines, and lines that may be one, are worth a warning, not a refusal: some
 * carriers turn a text to a landline into a voice call. */
gboolean
pv_phone_number_may_not_get_texts (const PvPhoneNumber *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->type == PV_PHONE_NUMBER_TYPE_FIXED_LINE
         || self->type == PV_PHONE_NUMBER_TYPE_VOIP
         || self->type == PV_PHONE_NUMBER_TYPE_PAGER
         || self->type == PV_PHONE_NUMBER_TYPE_UAN
         || self->type == PV_PHONE_NUMBER_TYPE_VOICEMAIL;
}

/* The stable words --check-number prints for scripts; never translated. */
const char *
pv_phone_number_type_to_string (PvPhoneNumberType type)
{
  static const char * const words[] = {
    [PV_PHONE_NUMBER_TYPE_UNKNOWN] = "unknown",
    [PV_PHONE_NUMBER_TYPE_FIXED_LINE] = "fixed-line",
    [PV_PHONE_NUMBER_TYPE_MOBILE] = "mobile",
    [PV_PHONE_NUMBER_TYPE_FIXED_LINE_OR_MOBILE] = "fixed-line-or-mobile",
    [PV_PHONE_NUMBER_TYPE_TOLL_FREE] = "toll-free",
    [PV_PHONE_NUMBER_TYPE_PREMIUM_RATE] = "premium-rate",
    [PV_PHONE_NUMBER_TYPE_SHARED_COST] = "shared-cost",
    [PV_PHONE_NUMBER_TYPE_VOIP] = "voip",
    [PV_PHONE_NUMBER_TYPE_PERSONAL] = "personal",
    [PV_PHONE_NUMBER_TYPE_PAGER] = "pager",
    [PV_PHONE_NUMBER_TYPE_UAN] = "uan",
    [PV_PHONE_NUMBER_TYPE_VOICEMAIL] = "voicemail",
  };

  if ((guint) type >= G_N_ELEMENTS (words))
    return "unknown";

  return words[type];
}

/* In words for staff: for the customer page, which shows a number's type. */
const char *
pv_phone_number_type_describe (PvPhoneNumberType type)
{
  switch (type)
    {
    case PV_PHONE_NUMBER_TYPE_FIXED_LINE:           return C_("number type", "Landline");
    case PV_PHONE_NUMBER_TYPE_MOBILE:               return C_("number type", "Mobile");
    case PV_PHONE_NUMBER_TYPE_FIXED_LINE_OR_MOBILE: return C_("number type", "Landline or mobile");
    case PV_PHONE_NUMBER_TYPE_TOLL_FREE:            return C_("number type", "Toll-free");
    case PV_PHONE_NUMBER_TYPE_PREMIUM_RATE:         return C_("number type", "Premium-rate");
    case PV_PHONE_NUMBER_TYPE_SHARED_COST:          return C_("number type", "Shared-cost");
    case PV_PHONE_NUMBER_TYPE_VOIP:                 return C_("number type", "Internet phone");
    case PV_PHONE_NUMBER_TYPE_PERSONAL:             return C_("number type", "Personal number");
    case PV_PHONE_NUMBER_TYPE_PAGER:                return C_("number type", "Pager");
    case PV_PHONE_NUMBER_TYPE_UAN:                  return C_("number type", "Company number");
    case PV_PHONE_NUMBER_TYPE_VOICEMAIL:            return C_("number type", "Voicemail");
    case PV_PHONE_NUMBER_TYPE_UNKNOWN:
    default:                                        return C_("number type", "Unknown type");
    }
}

/**
 * pv_phone_number_format_for_display:
 * @e164: a stored number
 * @office_region: (nullable): the office's country
 *
 * Staff read numbers back to customers: a number of the office's country is shown the
 * way it is dialled there ("030 1234567"), any other in international form.
 *
 * Returns: (transfer full): the number to show; @e164 itself if it cannot be read
 */
char *
pv_phone_number_format_for_display (const char *e164,
                                    const char *office_region)
{
  char *shown;

  g_return_val_if_fail (e164 != NULL, NULL);

  shown = _pv_phone_number_backend_format_for_display (e164, office_region);

  return shown != NULL ? shown : g_strdup (e164);
}

gboolean
pv_phone_number_is_region (const char *region)
{
  return _pv_phone_number_backend_is_region (region);
}

static gpointer
preload_thread (gpointer data)
{
  _pv_phone_number_backend_load ();

  return NULL;
}

/**
 * pv_phone_number_preload:
 *
 * Starts reading libphonenumber's metadata on a thread of its own. The first call that
 * needs it otherwise reads it where it is made: for the first window, about 12 ms before it
 * can draw. Calls made meanwhile wait for the thread.
 */
void
pv_phone_number_preload (void)
{
  g_thread_unref (g_thread_new ("pv-phone-numbers", preload_thread, NULL));
}

/**
 * pv_phone_number_dup_regions:
 *
 * Returns: (transfer full): every country libphonenumber knows, sorted by code
 */
char **
pv_phone_number_dup_regions (void)
{
  return _pv_phone_number_backend_dup_regions ();
}

guint
pv_phone_number_country_code_for_region (const char *region)
{
  return _pv_phone_number_backend_country_code_for_region (region);
}

/**
 * pv_phone_number_region_for_country_code:
 *
 * Returns: (transfer full) (nullable): the main country of a calling code (+1 → US, +44 →
 *   GB), or %NULL for a code no country has
 */
char *
pv_phone_number_region_for_country_code (guint country_code)
{
  return _pv_phone_number_backend_region_for_country_code (country_code);
}
