/* pv-text.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Text that staff type or paste, and that PhoneVerify stores and shows again: names, and
 * any input repeated in a message.
 *
 * The rules, and why:
 *
 *  - Invalid UTF-8 is refused. Nothing downstream (GTK, SQLite, the terminal) can show it
 *    faithfully, and guessing an encoding would store something nobody typed.
 *  - Whitespace of any kind is folded: runs of spaces, TAB, CR, LF, VT, FF, NEL and the
 *    Unicode line and paragraph separators become one space, and the ends are trimmed. A
 *    name pasted from a spreadsheet or an e-mail keeps its words and loses the layout.
 *  - Every other C0 and C1 control (ESC, NUL, DEL, U+0080–U+009F) is refused rather than
 *    stripped: no name contains one, and it reaches a terminal as a command. Refusing says
 *    so; stripping would store something other than what was typed, silently.
 *  - Bidi embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) are
 *    refused with their own error: an override flips the rest of whatever message or row
 *    the name is shown in. Names written right to left need none of them; the letters
 *    carry their direction.
 *  - Other invisible formatting is refused too: every format character (Unicode category
 *    Cf), so U+200B–U+200F (zero-width space, LRM, RLM), U+061C (ALM), U+2060–U+2064,
 *    U+FEFF, the soft hyphen and the tag characters, plus the letters that draw nothing
 *    (the Hangul fillers, the blank Braille pattern, the combining grapheme joiner and the
 *    Khmer inherent vowels). They make two names that look the same differ, or one look
 *    empty. LRM, RLM and ALM go with them: a name's letters already set its direction,
 *    so in a name these marks could only move the characters around them.
 *  - The exceptions are ZWNJ, ZWJ and the variation selectors, which written Persian, the
 *    Indic scripts and emoji need: they are kept between characters that are not ASCII
 *    (a variation selector only needs one before it), and refused next to ASCII or
 *    whitespace, where all they could do is hide.
 *  - The result is in NFC, so that the same name typed two ways is the same text, and is
 *    at most PV_TEXT_NAME_MAX_CHARS characters (code points, not bytes), counted after
 *    folding; longer names are refused, not cut.
 *
 * Input repeated in a message goes through pv_text_escape(): the quotes around it belong
 * to the translated message, so that each language can use its own. */

#define G_LOG_DOMAIN "pv-text"

#include "config.h"

#include <glib/gi18n.h>

#include "pv-text.h"

G_DEFINE_QUARK (pv-text-error-quark, pv_text_error)

static gboolean
is_variation_selector (gunichar c)
{
  return (c >= 0xfe00 && c <= 0xfe0f)
         || (c >= 0xe0100 && c <= 0xe01ef)
         || (c >= 0x180b && c <= 0x180d) || c == 0x180f;  /* Mongolian */
}

/* Letters and marks that take up no visible space at all. */
static gboolean
is_blank_letter (gunichar c)
{
  return c == 0x115f || c == 0x1160 || c == 0x3164 || c == 0xffa0  /* Hangul fillers */
         || c == 0x2800                                            /* Braille blank */
         || c == 0x034f                                            /* grapheme joiner */
         || c == 0x17b4 || c == 0x17b5;                            /* Khmer inherent vowels */
}

/**
 * pv_text_classify:
 * @c: a character
 *
 * Returns: whether @c can be shown as it is, and if not, why not
 */
PvTextCharClass
pv_text_classify (gunichar c)
{
  switch (c)
    {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case 0x85:    /* NEL */
    case 0x2028:  /* LINE SEPARATOR */
    case 0x2029:  /* PARAGRAPH SEPARATOR */
      return PV_TEXT_CHAR_SPACE;

    case 0x200c:  /* ZWNJ */
    case 0x200d:  /* ZWJ */
      return PV_TEXT_CHAR_JOINER;

    default:
      break;
    }

  if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
    return PV_TEXT_CHAR_CONTROL;

  if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
    return PV_TEXT_CHAR_BIDI;

  if (is_variation_selector (c))
    return PV_TEXT_CHAR_JOINER;

  if (is_blank_letter (c) || g_unichar_type (c) == G_UNICODE_FORMAT)
    return PV_TEXT_CHAR_INVISIBLE;

  if (g_unichar_isspace (c))
    return PV_TEXT_CHAR_SPACE;

  return PV_TEXT_CHAR_SAFE;
}

static gboolean
is_joinable (gunichar c)
{
  PvTextCharClass class = pv_text_classify (c);

  /* U+FFFD stands for bytes that were not text: nothing there for a joiner to join. */
  return c >= 0x80 && c != 0xfffd
         && (class == PV_TEXT_CHAR_SAFE || class == PV_TEXT_CHAR_JOINER);
}

/* A joiner joins what is on both sides of it; a variation selector modifies the one before. */
static gboolean
joiner_in_place (gunichar previous,
                 gunichar c,
                 gunichar next)
{
  if (!is_joinable (previous))
    return FALSE;

  return is_variation_selector (c) || is_joinable (next);
}

static void
set_invisible_error (GError **error)
{
  g_set_error_literal (error, PV_TEXT_ERROR, PV_TEXT_ERROR_INVISIBLE,
                       _("The name contains an invisible formatting character. Type the name "
                         "again instead of pasting it."));
}

/**
 * pv_text_clean_name:
 * @input: a customer's name as typed or pasted
 *
 * Folds whitespace and trims it, and refuses what cannot be shown safely; see the top of
 * this file for the rules. An empty or blank @input gives an empty string.
 *
 * Returns: (transfer full): the name to store, or %NULL with a translated @error in
 *   %PV_TEXT_ERROR
 */
char *
pv_text_clean_name (const char  *input,
                    GError     **error)
{
  g_autoptr(GString) folded = NULL;
  g_autofree char *normalized = NULL;
  gunichar previous = 0;
  gboolean pending_space = FALSE;

  g_return_val_if_fail (input != NULL, NULL);

  if (!g_utf8_validate (input, -1, NULL))
    {
      g_set_error_literal (error, PV_TEXT_ERROR, PV_TEXT_ERROR_INVALID_UTF8,
                           _("The name is not valid text. Type it again."));
      return NULL;
    }

  folded = g_string_new (NULL);

  for (const char *p = input; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      switch (pv_text_classify (c))
        {
        case PV_TEXT_CHAR_SPACE:
          pending_space = TRUE;
          break;

        case PV_TEXT_CHAR_CONTROL:
          g_set_error_literal (error, PV_TEXT_ERROR, PV_TEXT_ERROR_CONTROL,
                               _("The name contains a control character, which can’t be "
                                 "shown. Type the name again."));
          return NULL;

        case PV_TEXT_CHAR_BIDI:
          g_set_error_literal (error, PV_TEXT_ERROR, PV_TEXT_ERROR_BIDI,
                               _("The name contains an invisible character that changes the "
                                 "direction of text. Type the name again instead of pasting "
                                 "it."));
          return NULL;

        case PV_TEXT_CHAR_JOINER:
          if (!joiner_in_place (previous, c, g_utf8_get_char (g_utf8_next_char (p))))
            {
              set_invisible_error (error);
              return NULL;
            }
          G_GNUC_FALLTHROUGH;

        case PV_TEXT_CHAR_SAFE:
          if (pending_space && folded->len > 0)
            g_string_append_c (folded, ' ');
          pending_space = FALSE;
          g_string_append_unichar (folded, c);
          break;

        case PV_TEXT_CHAR_INVISIBLE:
        default:
          set_invisible_error (error);
          return NULL;
        }

      previous = c;
    }

  /* Composing never turns what was allowed above into what was not: NFC only joins
   * letters with their marks. */
  normalized = g_utf8_normalize (folded->str, folded->len, G_NORMALIZE_NFC);

  if (g_utf8_strlen (normalized, -1) > PV_TEXT_NAME_MAX_CHARS)
    {
      g_set_error (error, PV_TEXT_ERROR, PV_TEXT_ERROR_TOO_LONG,
                   ngettext ("The name is too long. Use at most %u character.",
                             "The name is too long. Use at most %u characters.",
                             PV_TEXT_NAME_MAX_CHARS),
                   (guint) PV_TEXT_NAME_MAX_CHARS);
      return NULL;
    }

  return g_steal_pointer (&normalized);
}

/* What pv_text_clean_name() keeps is shown as it is: letters, marks, symbols, spaces, and
 * joiners in their place. */
static gboolean
shown_as_is (gunichar    previous,
             const char *p)
{
  gunichar c = g_utf8_get_char (p);

  switch (pv_text_classify (c))
    {
    case PV_TEXT_CHAR_SAFE:
      return TRUE;

    case PV_TEXT_CHAR_SPACE:
      return g_unichar_type (c) == G_UNICODE_SPACE_SEPARATOR;

    case PV_TEXT_CHAR_JOINER:
      return joiner_in_place (previous, c, g_utf8_get_char (g_utf8_next_char (p)));

    case PV_TEXT_CHAR_CONTROL:
    case PV_TEXT_CHAR_BIDI:
    case PV_TEXT_CHAR_INVISIBLE:
    default:
      return FALSE;
    }
}

/**
 * pv_text_escape:
 * @untrusted: (nullable): text from outside, in any encoding
 * @max_chars: how many of its characters to show at most
 *
 * Makes @untrusted safe to put inside a message, between the quotes the translated message
 * supplies: every byte that is not UTF-8 becomes U+FFFD, a C0 control its Control Pictures
 * symbol (ESC shows as ␛), any other control, bidi or invisible character its code point
 * (<U+202E>), and a combining mark at the start sits on a dotted circle rather than on the
 * opening quote. Past @max_chars characters the rest is left out and “…” added. A name
 * pv_text_clean_name() returned comes out unchanged, if it is not cut.
 *
 * Returns: (transfer full): text that shows what @untrusted holds and does nothing else
 */
char *
pv_text_escape (const char *untrusted,
                gsize       max_chars)
{
  g_autofree char *valid = NULL;
  GString *shown = g_string_new (NULL);
  gunichar previous = 0;
  gsize n_chars = 0;

  if (untrusted == NULL)
    return g_string_free (shown, FALSE);

  valid = g_utf8_make_valid (untrusted, -1);

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p), n_chars++)
    {
      gunichar c = g_utf8_get_char (p);

      if (n_chars == max_chars)
        {
          g_string_append (shown, "…");
          break;
        }

      if (c < 0x20)
        {
          g_string_append_unichar (shown, 0x2400 + c);
        }
      else if (c == 0x7f)
        {
          g_string_append_unichar (shown, 0x2421);
        }
      else if (shown_as_is (previous, p))
        {
          if (shown->len == 0 && g_unichar_ismark (c))
            g_string_append_unichar (shown, 0x25cc);
          g_string_append_unichar (shown, c);
        }
      else
        {
          g_string_append_printf (shown, "<U+%04X>", c);
        }

      previous = c;
    }

  return g_string_free (shown, FALSE);
}
