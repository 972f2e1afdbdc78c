/* fuzz-phone-number.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The phone-number parser (pv-phone-number.h, over libphonenumber) on anything staff could
 * type or paste, read in a country chosen by the input:
 *
 *   byte 0     the country: one of pv_phone_number_dup_regions() by index, or, past the
 *              end of that list, the next two bytes as they are (such as "XX", "de", "\xff")
 *   the rest   up to a NUL, the number
 *
 * Beyond not crashing: a parsed number is E.164 and never premium-rate, shared-cost or
 * toll-free; parsing its E.164 or international form again, in any country, or its
 * national form in its own country, gives the same number; what the Customers view and
 * the as-you-type formatter show of it is UTF-8; and a refusal is a phone-number error with
 * a message that is UTF-8 and repeats no control character. */

#include "config.h"

#include <string.h>

#include "pv-fuzz.h"
#include "pv-phone-number.h"
#include "pv-text.h"

static GStrv regions;
static guint n_regions;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  pv_fuzz_init ();

  regions = pv_phone_number_dup_regions ();
  n_regions = g_strv_length (regions);
  g_assert_cmpuint (n_regions, >, 200);

  return 0;
}

static void
assert_text (const char *text)
{
  g_assert_nonnull (text);
  g_assert_true (g_utf8_validate (text, -1, NULL));
}

/* Shown to staff, or printed on their terminal: nothing in it may reorder, hide or
 * command. */
static void
assert_safe_message (const char *message)
{
  assert_text (message);
  g_assert_cmpstr (message, !=, "");

  for (const char *p = message; *p != '\0'; p = g_utf8_next_char (p))
    {
      PvTextCharClass class = pv_text_classify (g_utf8_get_char (p));

      g_assert_true (class == PV_TEXT_CHAR_SAFE || class == PV_TEXT_CHAR_SPACE);
    }
}

static void
assert_e164 (const char *number)
{
  gsize len = strlen (number);

  g_assert_cmpint (number[0], ==, '+');
  g_assert_cmpuint (len, >=, 2);
  g_assert_cmpuint (len - 1, <=, 15);
  g_assert_cmpint (number[1], !=, '0');
  for (gsize i = 1; i < len; i++)
    g_assert_true (g_ascii_isdigit (number[i]));
}

static void
assert_reads_as (const char *text,
                 const char *region,
                 const char *e164)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PvPhoneNumber) again = pv_phone_number_parse (text, region, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (again->e164, ==, e164);
}

static void
check_number (const PvPhoneNumber *number,
              const char          *region)
{
  static const char * const others[] = { "US", "DE", "GB", "FR", "JP", "BR", "IN", "NU" };
  g_autoptr(PvPhoneNumber) copy = pv_phone_number_copy (number);
  g_autofree char *shown = NULL;
  g_autofree char *shown_abroad = NULL;

  assert_e164 (number->e164);
  assert_text (number->national);
  assert_text (number->international);
  assert_text (number->region);
  g_assert_cmpint (number->type, !=, PV_PHONE_NUMBER_TYPE_PREMIUM_RATE);
  g_assert_cmpint (number->type, !=, PV_PHONE_NUMBER_TYPE_SHARED_COST);
  g_assert_cmpint (number->type, !=, PV_PHONE_NUMBER_TYPE_TOLL_FREE);

  g_assert_cmpstr (copy->e164, ==, number->e164);
  g_assert_cmpstr (copy->region, ==, number->region);
  g_assert_cmpuint (copy->country_code, ==, number->country_code);

  /* Stored numbers are read again, anywhere: in the list, by the command line, on resend. */
  assert_reads_as (number->e164, region, number->e164);
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    {
      assert_reads_as (number->e164, others[i], number->e164);
      assert_reads_as (number->international, others[i], number->e164);
    }
  if (pv_phone_number_is_region (number->region))
    assert_reads_as (number->national, number->region, number->e164);

  shown = pv_phone_number_format_for_display (number->e164, region);
  assert_text (shown);
  shown_abroad = pv_phone_number_format_for_display (number->e164, NULL);
  assert_text (shown_abroad);

  pv_phone_number_may_not_get_texts (number);
  assert_text (pv_phone_number_type_to_string (number->type));
  assert_text (pv_phone_number_type_describe (number->type));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        gsize         size)
{
  PvFuzzInput input = { data, size };
  guint choice = pv_fuzz_input_take_byte (&input);
  g_autofree char *raw_region = NULL;
  g_autofree char *text = NULL;
  g_autoptr(PvPhoneNumberFormatter) formatter = NULL;
  g_autoptr(PvPhoneNumber) number = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *formatted = NULL;
  g_autofree char *shown = NULL;
  const char *region;

  if (choice < n_regions)
    {
      region = regions[choice];
    }
  else
    {
      char bytes[3] = { pv_fuzz_input_take_byte (&input), pv_fuzz_input_take_byte (&input) };

      region = raw_region = g_strdup (bytes);
    }
  text = pv_fuzz_input_take_string (&input);

  number = pv_phone_number_parse (text, region, &error);
  if (number != NULL)
    {
      g_autofree char *normalized = pv_phone_number_normalize (text, region, NULL);

      g_assert_no_error (error);
      g_assert_true (pv_phone_number_is_region (region));
      g_assert_cmpstr (normalized, ==, number->e164);
      check_number (number, region);
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == PV_PHONE_NUMBER_ERROR);
      assert_safe_message (error->message);
    }

  /* The Register step formats as staff type, and the list shows stored numbers, which a
   * database edited by hand may hold in any form. */
  formatter = pv_phone_number_formatter_new (region);
  formatted = pv_phone_number_formatter_format (formatter, text);
  assert_text (formatted);
  shown = pv_phone_number_format_for_display (text, region);
  g_assert_nonnull (shown);

  pv_phone_number_country_code_for_region (region);
  g_free (pv_phone_number_region_for_country_code (choice * 4 + (size & 3)));

  return 0;
}
