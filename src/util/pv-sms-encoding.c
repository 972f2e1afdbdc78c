/* pv-sms-encoding.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* How long a text message is on the air, which is what the customer's carrier bills and
 * what Twilio counts in num_segments.
 *
 * A message goes out in GSM 03.38's 7-bit alphabet when every character is in it, and as
 * UCS-2 (UTF-16, in practice) otherwise: one "ó" or emoji makes the whole message UCS-2,
 * which more than halves what a segment holds. The characters of the extension table are
 * sent as an escape and a second septet, so they count twice.
 *
 * A message that needs more than one segment carries a header in each that tells the phone
 * how to join them, so a segment then holds 153 septets or 67 UTF-16 units. A character is
 * never cut in two at a segment's end: an escape and its septet, or the two halves of a
 * surrogate pair, go together into the next segment, leaving one unit of the last unused,
 * as phones and Twilio do, since a phone that showed a segment on its own would otherwise
 * show half a character. */

#define G_LOG_DOMAIN "pv-sms-encoding"

#include "config.h"

#include "pv-sms-encoding.h"

/* The basic character set of GSM 03.38 beyond ASCII, as Unicode; its ASCII part is handled
 * in gsm7_septets(). Ç is 0x09: the standard's table once said ç, but phones and carriers
 * (and Twilio) map it to the capital. */
static const gunichar gsm7_basic_non_ascii[] = {
  0x00a3, /* £ */ 0x00a5, /* ¥ */ 0x00e8, /* è */ 0x00e9, /* é */ 0x00f9, /* ù */
  0x00ec, /* ì */ 0x00f2, /* ò */ 0x00c7, /* Ç */ 0x00d8, /* Ø */ 0x00f8, /* ø */
  0x00c5, /* Å */ 0x00e5, /* å */ 0x0394, /* Δ */ 0x03a6, /* Φ */ 0x0393, /* Γ */
  0x039b, /* Λ */ 0x03a9, /* Ω */ 0x03a0, /* Π */ 0x03a8, /* Ψ */ 0x03a3, /* Σ */
  0x0398, /* Θ */ 0x039e, /* Ξ */ 0x00c6, /* Æ */ 0x00e6, /* æ */ 0x00df, /* ß */
  0x00c9, /* É */ 0x00a4, /* ¤ */ 0x00a1, /* ¡ */ 0x00c4, /* Ä */ 0x00d6, /* Ö */
  0x00d1, /* Ñ */ 0x00dc, /* Ü */ 0x00a7, /* § */ 0x00bf, /* ¿ */ 0x00e4, /* ä */
  0x00f6, /* ö */ 0x00f1, /* ñ */ 0x00fc, /* ü */ 0x00e0, /* à */
};

/* Septets a character takes in GSM-7: 1 in the basic set, 2 in the extension table (escape
 * first), 0 when it cannot be sent in GSM-7 at all. */
static guint
gsm7_septets (gunichar c)
{
  switch (c)
    {
    case '\f':
    case '^':
    case '{':
    case '}':
    case '\\':
    case '[':
    case '~':
    case ']':
    case '|':
    case 0x20ac:  /* € */
      return 2;

    case '\n':
    case '\r':
      return 1;

    /* The one printable ASCII character that GSM-7 has no place for. */
    case '`':
      return 0;

    default:
      break;
    }

  if (c >= 0x20 && c < 0x7f)
    return 1;

  for (guint i = 0; i < G_N_ELEMENTS (gsm7_basic_non_ascii); i++)
    {
      if (gsm7_basic_non_ascii[i] == c)
        return 1;
    }

  return 0;
}

static guint
ucs2_units (gunichar c)
{
  return c > 0xffff ? 2 : 1;
}

/**
 * pv_sms_length_measure:
 * @text: a message, in UTF-8
 * @length: (out caller-allocates): where to put its length on the air
 *
 * Measures @text the way the network sends it; see the top of this file. Empty text takes
 * no segments, and then all of a single segment's units are left.
 */
void
pv_sms_length_measure (const char  *text,
                       PvSmsLength *length)
{
  guint (*units_of) (gunichar c) = gsm7_septets;
  guint single, multi;
  guint used = 0;

  g_return_if_fail (length != NULL);

  *length = (PvSmsLength) { PV_SMS_ENCODING_GSM7, 0, 0, PV_SMS_GSM7_SINGLE_UNITS, 0 };

  g_return_if_fail (text != NULL);
  g_return_if_fail (g_utf8_validate (text, -1, NULL));

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (gsm7_septets (c) == 0)
        {
          length->encoding = PV_SMS_ENCODING_UCS2;
          length->first_non_gsm = c;
          units_of = ucs2_units;
          break;
        }
    }

  if (length->encoding == PV_SMS_ENCODING_GSM7)
    {
      single = PV_SMS_GSM7_SINGLE_UNITS;
      multi = PV_SMS_GSM7_MULTI_UNITS;
    }
  else
    {
      single = PV_SMS_UCS2_SINGLE_UNITS;
      multi = PV_SMS_UCS2_MULTI_UNITS;
    }

  /* Filled as the segments of a long message would be, in case it is one. */
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      guint units = units_of (g_utf8_get_char (p));

      if (length->n_segments == 0 || used + units > multi)
        {
          length->n_segments++;
          used = 0;
        }

      used += units;
      length->n_units += units;
    }

  if (length->n_units <= single)
    {
      length->n_segments = length->n_units > 0 ? 1 : 0;
      length->units_left = single - length->n_units;
    }
  else
    {
      length->units_left = multi - used;
    }
}
