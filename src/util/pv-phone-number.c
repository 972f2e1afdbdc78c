/* pv-phone-number.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Turns what staff type into E.164, the only form Twilio accepts reliably: "+", a
 * country calling code that never starts with 0, and at most 15 digits in all.
 *
 * Only the shape is checked here. Whether a number exists is Twilio's call, and it
 * answers with its own error codes. */

#define G_LOG_DOMAIN "pv-phone-number"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "pv-phone-number.h"
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

/* Collects the digits and a leading "+" (or "00", its dialled equivalent). */
static gboolean
collect_digits (const char  *input,
                GString     *digits,
                gboolean    *international,
                GError     **error)
{
  gboolean seen_digit = FALSE;

  *international = FALSE;

  for (const char *p = input; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= '0' && c <= '9')
        {
          g_string_append_c (digits, (char) c);
          seen_digit = TRUE;
        }
      else if (c == '+' && !seen_digit && !*international)
        {
          *international = TRUE;
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

  if (!*international && digits->len >= 2 && digits->str[0] == '0' && digits->str[1] == '0')
    {
      g_string_erase (digits, 0, 2);
      *international = TRUE;
    }

  return TRUE;
}

/**
 * pv_phone_number_normalize:
 * @input: what was typed, such as “(415) 555-2671” or “004930 1234567”
 * @default_country_code: the calling code for numbers typed without one, such as 49
 *
 * A number without “+” or “00” is national: its trunk prefix (the “0” of “030 1234567”,
 * or the “1” of “1 415 555 2671” in North America) is dropped and @default_country_code
 * put in front.
 *
 * Returns: (transfer full): the number in E.164, or %NULL with a translated @error
 */
char *
pv_phone_number_normalize (const char  *input,
                           guint        default_country_code,
                           GError     **error)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  g_autofree char *without_trunk = NULL;
  gboolean international;

  g_return_val_if_fail (default_country_code >= 1 && default_country_code <= 999, NULL);

  if (input == NULL)
    input = "";

  if (!g_utf8_validate (input, -1, NULL))
    {
      g_set_error_literal (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_INVALID_UTF8,
                           _("This number is not valid text. Type it again."));
      return NULL;
    }

  if (!check_characters (input, error))
    return NULL;

  /* "+49 (0)30 …" marks the trunk zero that is dialled only from inside the country. */
  if (strstr (input, "(0)") != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (input, "(0)", -1);

      without_trunk = g_strjoinv ("", parts);
      input = without_trunk;
    }

  if (!collect_digits (input, digits, &international, error))
    return NULL;

  if (digits->len == 0)
    {
      g_set_error_literal (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_EMPTY,
                           _("Enter a phone number."));
      return NULL;
    }

  if (international)
    {
      if (digits->str[0] == '0')
        {
          g_set_error_literal (error, PV_PHONE_NUMBER_ERROR,
                               PV_PHONE_NUMBER_ERROR_BAD_COUNTRY_CODE,
                               _("Country calling codes never start with 0. Check the digits "
                                 "after “+” or “00”."));
          return NULL;
        }
    }
  else
    {
      g_autofree char *prefix = g_strdup_printf ("%u", default_country_code);

      /* Trunk prefixes: "0" in most of the world; in the North American plan it is "1",
       * dialled before the ten-digit number. */
      if (digits->str[0] == '0')
        g_string_erase (digits, 0, 1);
      else if (default_country_code == 1 && digits->len == 11 && digits->str[0] == '1')
        g_string_erase (digits, 0, 1);
      g_string_prepend (digits, prefix);
    }

  if (digits->len < PV_PHONE_NUMBER_MIN_DIGITS)
    {
      g_set_error_literal (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_TOO_SHORT,
                           _("This number is too short. Enter the whole number, including "
                             "the area code."));
      return NULL;
    }

  if (digits->len > PV_PHONE_NUMBER_MAX_DIGITS)
    {
      g_set_error (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_TOO_LONG,
                   _("This number is too long. Phone numbers have at most %d digits, "
                     "including the country code."),
                   PV_PHONE_NUMBER_MAX_DIGITS);
      return NULL;
    }

  g_string_prepend_c (digits, '+');

  return g_string_free (g_steal_pointer (&digits), FALSE);
}
