/* test-sms-encoding.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The length of a text message on the air: the encoding, the units, and how they fill the
 * segments, at every boundary where the count changes. */

#include "config.h"

#include <glib.h>
#include <string.h>

#include "pv-sms-encoding.h"

typedef struct
{
  PvSmsEncoding encoding;
  guint         n_units;
  guint         n_segments;
  guint         units_left;
  gunichar      first_non_gsm;
} Expected;

static void
assert_length (const char     *text,
               const Expected *expected)
{
  PvSmsLength length;

  pv_sms_length_measure (text, &length);

  if (length.encoding != expected->encoding || length.n_units != expected->n_units
      || length.n_segments != expected->n_segments || length.units_left != expected->units_left
      || length.first_non_gsm != expected->first_non_gsm)
    g_error ("“%.40s…” (%zu bytes): got %s, %u units, %u segments, %u left, U+%04X; "
             "expected %s, %u units, %u segments, %u left, U+%04X",
             text, strlen (text),
             length.encoding == PV_SMS_ENCODING_GSM7 ? "GSM-7" : "UCS-2", length.n_units,
             length.n_segments, length.units_left, length.first_non_gsm,
             expected->encoding == PV_SMS_ENCODING_GSM7 ? "GSM-7" : "UCS-2",
             expected->n_units, expected->n_segments, expected->units_left,
             expected->first_non_gsm);
}

/* @count copies of @piece, then @tail. */
static char *
repeat (const char *piece,
        guint       count,
        const char *tail)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < count; i++)
    g_string_append (text, piece);
  g_string_append (text, tail);

  return g_string_free (text, FALSE);
}

static void
test_empty (void)
{
  assert_length ("", &(Expected) { PV_SMS_ENCODING_GSM7, 0, 0, 160, 0 });
}

static void
test_gsm7_basic_set (void)
{
  /* Every character of the basic set outside ASCII, and the ASCII ones at odd places. */
  const char *basic = "£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà@$_\n\r";
  g_autoptr(GString) ascii = g_string_new (NULL);

  assert_length (basic, &(Expected) { PV_SMS_ENCODING_GSM7, 44, 1, 116, 0 });

  /* Printable ASCII but the backtick: 94 characters, 8 of them from the extension table. */
  for (char c = 0x20; c < 0x7f; c++)
    {
      if (c != '`')
        g_string_append_c (ascii, c);
    }
  assert_length (ascii->str, &(Expected) { PV_SMS_ENCODING_GSM7, 102, 1, 58, 0 });
}

static void
test_gsm7_extension (void)
{
  assert_length ("€", &(Expected) { PV_SMS_ENCODING_GSM7, 2, 1, 158, 0 });
  assert_length ("^{}\\[~]|€\f", &(Expected) { PV_SMS_ENCODING_GSM7, 20, 1, 140, 0 });
}

static void
test_not_gsm7 (void)
{
  /* Look-alikes of GSM-7 letters that are not in it, each forcing the whole text. */
  const char *letters[] = { "á", "í", "ó", "ú", "ç", "ê", "â", "î", "ô", "û", "ë", "ï", "œ",
                            "`", "\t", "\u00a0", "\u202f", "’", "“", "€€\u20ad" };

  for (guint i = 0; i < G_N_ELEMENTS (letters); i++)
    {
      g_autofree char *text = g_strconcat ("ab", letters[i], NULL);
      PvSmsLength length;
      const char *first = letters[i];

      pv_sms_length_measure (text, &length);

      /* "€€₭": € is GSM-7, so the first one that is not is the third. */
      if (g_str_has_prefix (first, "€€"))
        first = g_utf8_offset_to_pointer (first, 2);

      g_assert_cmpint (length.encoding, ==, PV_SMS_ENCODING_UCS2);
      g_assert_cmpuint (length.first_non_gsm, ==, g_utf8_get_char (first));
      g_assert_cmpuint (length.n_units, ==, g_utf8_strlen (text, -1));
    }

  /* The first, not the last. */
  assert_length ("a`ó", &(Expected) { PV_SMS_ENCODING_UCS2, 3, 1, 67, '`' });
}

static void
test_reference_examples (void)
{
  /* twilio-api-2.md §2e: the natural Spanish wording forces UCS-2; the German and French
   * drafts stay GSM-7 and in one segment. */
  const char *german = "Ihr Bestätigungscode für Praxis Dr. Mustermann: 482913. Gültig für 10 "
                       "Minuten. Bitte nicht weitergeben.";
  const char *french = "Votre code de vérification pour Praxis Dr. Mustermann : 482913. "
                       "Valable 10 minutes. Ne le communiquez à personne.";
  const char *spanish = "Su código de verificación para Clínica Dr. Mustermann es 482913. "
                        "Válido durante 10 minutos. No lo comparta con nadie.";

  assert_length ("código", &(Expected) { PV_SMS_ENCODING_UCS2, 6, 1, 64, 0x00f3 });
  assert_length (german, &(Expected) { PV_SMS_ENCODING_GSM7, 103, 1, 57, 0 });
  assert_length (french, &(Expected) { PV_SMS_ENCODING_GSM7, 113, 1, 47, 0 });
  assert_length (spanish, &(Expected) { PV_SMS_ENCODING_UCS2, 117, 2, 17, 0x00f3 });
}

/* Each count where the number of segments changes, and one either side. */
static void
test_boundaries (void)
{
  struct {
    const char *first;   /* "ó" makes the rest UCS-2 */
    guint       count;   /* of "a", after it */
    Expected    expected;
  } cases[] = {
    { "", 1, { PV_SMS_ENCODING_GSM7, 1, 1, 159, 0 } },
    { "", 153, { PV_SMS_ENCODING_GSM7, 153, 1, 7, 0 } },
    { "", 160, { PV_SMS_ENCODING_GSM7, 160, 1, 0, 0 } },
    { "", 161, { PV_SMS_ENCODING_GSM7, 161, 2, 145, 0 } },
    { "", 306, { PV_SMS_ENCODING_GSM7, 306, 2, 0, 0 } },
    { "", 307, { PV_SMS_ENCODING_GSM7, 307, 3, 152, 0 } },
    { "", 459, { PV_SMS_ENCODING_GSM7, 459, 3, 0, 0 } },
    { "", 460, { PV_SMS_ENCODING_GSM7, 460, 4, 152, 0 } },
    { "ó", 0, { PV_SMS_ENCODING_UCS2, 1, 1, 69, 0xf3 } },
    { "ó", 69, { PV_SMS_ENCODING_UCS2, 70, 1, 0, 0xf3 } },
    { "ó", 70, { PV_SMS_ENCODING_UCS2, 71, 2, 63, 0xf3 } },
    { "ó", 133, { PV_SMS_ENCODING_UCS2, 134, 2, 0, 0xf3 } },
    { "ó", 134, { PV_SMS_ENCODING_UCS2, 135, 3, 66, 0xf3 } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *rest = repeat ("a", cases[i].count, "");
      g_autofree char *text = g_strconcat (cases[i].first, rest, NULL);

      assert_length (text, &cases[i].expected);
    }
}

static void
test_gsm7_escape_not_split (void)
{
  /* One segment is never split, so an escape may end it. */
  g_autofree char *single = repeat ("a", 158, "€");
  g_autofree char *rest = repeat ("a", 151, "");
  /* The escape would be the 153rd septet, its character the first of the next segment. */
  g_autofree char *escape = repeat ("a", 152, "€");
  g_autofree char *moved = g_strconcat (escape, "aaaaaaaaaa", NULL);
  /* 305 septets: the second segment takes the escaped character and is then full. */
  g_autofree char *filled = g_strconcat (escape, rest, NULL);
  /* 306 septets, which would fit two segments if the escape could be cut off. */
  g_autofree char *spills = g_strconcat (filled, "a", NULL);

  assert_length (single, &(Expected) { PV_SMS_ENCODING_GSM7, 160, 1, 0, 0 });
  assert_length (moved, &(Expected) { PV_SMS_ENCODING_GSM7, 164, 2, 141, 0 });
  assert_length (filled, &(Expected) { PV_SMS_ENCODING_GSM7, 305, 2, 0, 0 });
  assert_length (spills, &(Expected) { PV_SMS_ENCODING_GSM7, 306, 3, 152, 0 });
}

static void
test_emoji (void)
{
  /* A character outside the BMP is a surrogate pair: two units. */
  g_autofree char *fits = repeat ("😀", 35, "");
  g_autofree char *two = repeat ("😀", 36, "");
  /* 66 units, then a pair that would straddle the first segment's end. */
  g_autofree char *before = repeat ("a", 65, "ó");
  g_autofree char *straddles = g_strconcat (before, "😀", NULL);
  g_autofree char *after = repeat ("a", 65, "");
  /* 133 units: the pair moves, and the second segment is exactly full. */
  g_autofree char *full = g_strconcat (straddles, after, NULL);
  /* 134 units would fit two segments of 67 if the pair could be cut. */
  g_autofree char *spills = g_strconcat (full, "a", NULL);

  assert_length ("😀", &(Expected) { PV_SMS_ENCODING_UCS2, 2, 1, 68, 0x1f600 });
  assert_length ("a😀", &(Expected) { PV_SMS_ENCODING_UCS2, 3, 1, 67, 0x1f600 });
  assert_length (fits, &(Expected) { PV_SMS_ENCODING_UCS2, 70, 1, 0, 0x1f600 });
  /* 33 pairs in a segment of 67, then 3. */
  assert_length (two, &(Expected) { PV_SMS_ENCODING_UCS2, 72, 2, 61, 0x1f600 });
  assert_length (straddles, &(Expected) { PV_SMS_ENCODING_UCS2, 68, 1, 2, 0xf3 });
  assert_length (full, &(Expected) { PV_SMS_ENCODING_UCS2, 133, 2, 0, 0xf3 });
  assert_length (spills, &(Expected) { PV_SMS_ENCODING_UCS2, 134, 3, 66, 0xf3 });
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sms-encoding/empty", test_empty);
  g_test_add_func ("/sms-encoding/gsm7-basic-set", test_gsm7_basic_set);
  g_test_add_func ("/sms-encoding/gsm7-extension", test_gsm7_extension);
  g_test_add_func ("/sms-encoding/not-gsm7", test_not_gsm7);
  g_test_add_func ("/sms-encoding/reference-examples", test_reference_examples);
  g_test_add_func ("/sms-encoding/boundaries", test_boundaries);
  g_test_add_func ("/sms-encoding/gsm7-escape-not-split", test_gsm7_escape_not_split);
  g_test_add_func ("/sms-encoding/emoji", test_emoji);

  return g_test_run ();
}
