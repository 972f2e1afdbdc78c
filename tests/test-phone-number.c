/* test-phone-number.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pv-phone-number.h"
#include "pv-text.h"

typedef struct
{
  const char *input;
  guint       default_country_code;
  const char *expected;       /* NULL when an error is expected */
  int         expected_error;
} NormalizeCase;

static const NormalizeCase cases[] = {
  /* The forms staff type, from the issue. */
  { "(415) 555-2671", 1, "+14155552671", -1 },
  { "+1 415-555-2671", 1, "+14155552671", -1 },
  { "004930 1234567", 1, "+49301234567", -1 },
  { "030 1234567", 49, "+49301234567", -1 },

  /* Separators and spacing. */
  { "  +44 20 7183 8750  ", 1, "+442071838750", -1 },
  { "415.555.2671", 1, "+14155552671", -1 },
  { "+49 (0)30/1234567", 1, "+49301234567", -1 },
  { "+44 (0) 20 7183 8750", 1, "+442071838750", -1 },
  { "+1\u00a0415\u2011555\u20112671", 1, "+14155552671", -1 },
  { "1 415 555 2671", 1, "+14155552671", -1 },
  { "0044 20 7183 8750", 49, "+442071838750", -1 },
  { "+15005550006", 44, "+15005550006", -1 },
  { "0612345678", 33, "+33612345678", -1 },
  { "2345678", 1, "+12345678", -1 },
  { "+123456789012345", 1, "+123456789012345", -1 },

  /* Empty. */
  { "", 1, NULL, PV_PHONE_NUMBER_ERROR_EMPTY },
  { "   ", 1, NULL, PV_PHONE_NUMBER_ERROR_EMPTY },
  { "+", 1, NULL, PV_PHONE_NUMBER_ERROR_EMPTY },
  { "( - )", 1, NULL, PV_PHONE_NUMBER_ERROR_EMPTY },
  { NULL, 1, NULL, PV_PHONE_NUMBER_ERROR_EMPTY },

  /* Letters. */
  { "1-800-FLOWERS", 1, NULL, PV_PHONE_NUMBER_ERROR_LETTERS },
  { "four one five", 1, NULL, PV_PHONE_NUMBER_ERROR_LETTERS },
  { "+1 415 555 267l", 1, NULL, PV_PHONE_NUMBER_ERROR_LETTERS },
  { "+49 30 ÄÖÜ", 1, NULL, PV_PHONE_NUMBER_ERROR_LETTERS },

  /* Other symbols, and a "+" that is not leading. */
  { "+1 415 555 2671#", 1, NULL, PV_PHONE_NUMBER_ERROR_INVALID_CHARACTER },
  { "*31#4155552671", 1, NULL, PV_PHONE_NUMBER_ERROR_INVALID_CHARACTER },
  { "1+4155552671", 1, NULL, PV_PHONE_NUMBER_ERROR_INVALID_CHARACTER },
  { "++14155552671", 1, NULL, PV_PHONE_NUMBER_ERROR_INVALID_CHARACTER },
  { "+1 415; DROP TABLE customers", 1, NULL, PV_PHONE_NUMBER_ERROR_INVALID_CHARACTER },

  /* Too short or too long. */
  { "+1 555", 1, NULL, PV_PHONE_NUMBER_ERROR_TOO_SHORT },
  { "12345", 1, NULL, PV_PHONE_NUMBER_ERROR_TOO_SHORT },
  { "+1234567890123456", 1, NULL, PV_PHONE_NUMBER_ERROR_TOO_LONG },
  { "0049 30 1234567890123", 1, NULL, PV_PHONE_NUMBER_ERROR_TOO_LONG },
  { "4155552671000000", 1, NULL, PV_PHONE_NUMBER_ERROR_TOO_LONG },

  /* Country codes never start with 0. */
  { "+0 415 555 2671", 1, NULL, PV_PHONE_NUMBER_ERROR_BAD_COUNTRY_CODE },
  { "000 415 555 2671", 1, NULL, PV_PHONE_NUMBER_ERROR_BAD_COUNTRY_CODE },

  /* TAB and line breaks that come with a paste are spaces. */
  { "+1\t415\t555 2671\n", 1, "+14155552671", -1 },
  { "(415)\r\n555-2671", 1, "+14155552671", -1 },
  { "+1\u2028415 555 2671", 1, "+14155552671", -1 },

  /* Controls, bidi controls and invisible formatting, before the digits are looked at. */
  { "+1 415\x1b[31m 555 2671", 1, NULL, PV_PHONE_NUMBER_ERROR_CONTROL_CHARACTER },
  { "\x1b" "abc", 1, NULL, PV_PHONE_NUMBER_ERROR_CONTROL_CHARACTER },
  { "+1 415 555 2671\x7f", 1, NULL, PV_PHONE_NUMBER_ERROR_CONTROL_CHARACTER },
  { "+1 415 555 2671\xc2\x9b", 1, NULL, PV_PHONE_NUMBER_ERROR_CONTROL_CHARACTER },
  { "\u202a+1 415 555 2671\u202c", 1, NULL, PV_PHONE_NUMBER_ERROR_CONTROL_CHARACTER },
  { "\u202e1762 555 514 1+", 1, NULL, PV_PHONE_NUMBER_ERROR_CONTROL_CHARACTER },
  { "+1 415\u2066 555 2671", 1, NULL, PV_PHONE_NUMBER_ERROR_CONTROL_CHARACTER },
  { "\u200e+1 415 555 2671", 1, NULL, PV_PHONE_NUMBER_ERROR_CONTROL_CHARACTER },
  { "+1 415\u200b555 2671", 1, NULL, PV_PHONE_NUMBER_ERROR_CONTROL_CHARACTER },
  { "\ufeff+14155552671", 1, NULL, PV_PHONE_NUMBER_ERROR_CONTROL_CHARACTER },
  { "+1 415\u200d555 2671", 1, NULL, PV_PHONE_NUMBER_ERROR_CONTROL_CHARACTER },

  /* Not UTF-8 at all. */
  { "+1 415\xff\xfe 555", 1, NULL, PV_PHONE_NUMBER_ERROR_INVALID_UTF8 },
  { "+1 415 555 267\xc3", 1, NULL, PV_PHONE_NUMBER_ERROR_INVALID_UTF8 },
  { "\xed\xa0\x80", 1, NULL, PV_PHONE_NUMBER_ERROR_INVALID_UTF8 },
};

static void
test_normalize_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const NormalizeCase *c = &cases[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *result = NULL;
      g_autofree char *shown = pv_text_escape (c->input, G_MAXSIZE);

      /* Made visible: raw, the cases below would garble the TAP stream and the terminal. */
      g_test_message ("case %u: “%s”", i, c->input ? shown : "(null)");
      result = pv_phone_number_normalize (c->input, c->default_country_code, &error);

      if (c->expected != NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (result, ==, c->expected);
        }
      else
        {
          g_assert_null (result);
          g_assert_error (error, PV_PHONE_NUMBER_ERROR, c->expected_error);
          g_assert_nonnull (error->message);
          g_assert_cmpstr (error->message, !=, "");
        }
    }
}

/* Each rejection has its own message, so staff know what to fix. */
static void
test_messages_are_distinct (void)
{
  const char *inputs[] = { "", "abc", "12#34567", "123", "+1234567890123456", "+0123456789",
                           "\xff", "\x1b" };
  g_autoptr(GHashTable) messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (pv_phone_number_normalize (inputs[i], 1, &error));
      g_assert_nonnull (error);
      g_assert_false (g_hash_table_contains (messages, error->message));
      g_hash_table_add (messages, g_strdup (error->message));
    }
}

static void
test_invalid_utf8_is_rejected_not_crashed (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (pv_phone_number_normalize ("+1 415\xff\xfe 555", 1, &error));
  g_assert_error (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_INVALID_UTF8);
}

/* What was typed is never repeated as it is: a character in the message could reorder the
 * message, hide, or reach a terminal as a command. */
static void
test_messages_never_echo_raw_input (void)
{
  const char *inputs[] = {
    "+1 415\x1b]0;owned\x07 555", "\u202e1762 555 514 1+", "+1 415 \u2066555", "+1\xc2\x9b" "2J",
    "+1 415\xff", "+1 415 555 2671\u0301", "+1 415 555 2671\u2062",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (pv_phone_number_normalize (inputs[i], 1, &error));
      g_assert_nonnull (error);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      for (const char *p = error->message; *p != '\0'; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          g_assert_false (g_unichar_iscntrl (c));
          g_assert_cmpint (g_unichar_type (c), !=, G_UNICODE_FORMAT);
        }
    }
}

/* A symbol that is not part of a number is named, made visible. */
static void
test_invalid_character_is_shown_safely (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (pv_phone_number_normalize ("+1 415 555 2671\u0301", 1, &error));
  g_assert_error (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_INVALID_CHARACTER);
  /* A lone combining mark is shown on a dotted circle, not on the quote before it. */
  g_assert_nonnull (strstr (error->message, "“\u25cc\u0301”"));
  g_clear_error (&error);

  g_assert_null (pv_phone_number_normalize ("+1 415 555 2671#", 1, &error));
  g_assert_nonnull (strstr (error->message, "“#”"));
}

static void
test_output_is_always_e164 (void)
{
  g_autoptr(GRegex) e164 = g_regex_new ("^\\+[1-9][0-9]{6,14}$", 0, 0, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *result = pv_phone_number_normalize (cases[i].input,
                                                           cases[i].default_country_code,
                                                           NULL);

      if (result != NULL)
        g_assert_true (g_regex_match (e164, result, 0, NULL));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/phone-number/normalize", test_normalize_table);
  g_test_add_func ("/phone-number/distinct-messages", test_messages_are_distinct);
  g_test_add_func ("/phone-number/invalid-utf8", test_invalid_utf8_is_rejected_not_crashed);
  g_test_add_func ("/phone-number/no-raw-echo", test_messages_never_echo_raw_input);
  g_test_add_func ("/phone-number/invalid-character-shown", test_invalid_character_is_shown_safely);
  g_test_add_func ("/phone-number/e164", test_output_is_always_e164);

  return g_test_run ();
}
