/* test-text.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pv-text.h"

#define OK (-1)

typedef struct
{
  const char *input;
  const char *expected;        /* NULL when an error is expected */
  int         expected_error;
} NameCase;

static const NameCase name_cases[] = {
  /* As typed. */
  { "Ada Lovelace", "Ada Lovelace", OK },
  { "", "", OK },
  { "O’Brien-Smith, Jr.", "O’Brien-Smith, Jr.", OK },

  /* Whitespace is trimmed and every run of it, of any kind, becomes one space. */
  { "  Ada   Lovelace  ", "Ada Lovelace", OK },
  { "Ada\tLovelace\n", "Ada Lovelace", OK },
  { "Ada\r\nLovelace", "Ada Lovelace", OK },
  { "Ada\vLovelace\f", "Ada Lovelace", OK },
  { "Ada\xc2\x85Lovelace", "Ada Lovelace", OK },                  /* NEL */
  { "Ada\u2028\u2029Lovelace", "Ada Lovelace", OK },              /* line, paragraph separators */
  { "Ada\u00a0\u2003\u3000Lovelace", "Ada Lovelace", OK },        /* no-break, em, ideographic */
  { " \t\n\u00a0 ", "", OK },

  /* Other scripts, and the same name typed two ways. */
  { "דוד כהן", "דוד כהן", OK },
  { "محمد عبد الله", "محمد عبد الله", OK },
  { "Jose\u0301", "Jos\u00e9", OK },
  { "Nguye\u0302\u0303n", "Nguy\u1ec5n", OK },

  /* ZWNJ, ZWJ and variation selectors inside the scripts and emoji that need them… */
  { "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", OK },
  { "\u0915\u094d\u200d\u0937", "\u0915\u094d\u200d\u0937", OK },
  { "Ada \U0001f469\u200d\U0001f4bb", "Ada \U0001f469\u200d\U0001f4bb", OK },
  { "Ada \u2764\ufe0f", "Ada \u2764\ufe0f", OK },

  /* …but not where they could only hide. */
  { "Ada\u200dLovelace", NULL, PV_TEXT_ERROR_INVISIBLE },
  { "Ada\u200cLovelace", NULL, PV_TEXT_ERROR_INVISIBLE },
  { "\u200d\u00e9", NULL, PV_TEXT_ERROR_INVISIBLE },
  { "\u00e9\u200d", NULL, PV_TEXT_ERROR_INVISIBLE },
  { "\u00e9\u200d e", NULL, PV_TEXT_ERROR_INVISIBLE },
  { "Ada\ufe0f", NULL, PV_TEXT_ERROR_INVISIBLE },

  /* C0 and C1 controls other than whitespace. */
  { "Ada\x1b[31m Lovelace", NULL, PV_TEXT_ERROR_CONTROL },
  { "\x01" "Ada", NULL, PV_TEXT_ERROR_CONTROL },
  { "Ada\x08\x08\x08", NULL, PV_TEXT_ERROR_CONTROL },
  { "Ada\x7f", NULL, PV_TEXT_ERROR_CONTROL },
  { "Ada\xc2\x80", NULL, PV_TEXT_ERROR_CONTROL },
  { "Ada\xc2\x9b" "31m", NULL, PV_TEXT_ERROR_CONTROL },           /* C1 CSI */
  { "Ada\xc2\x9f", NULL, PV_TEXT_ERROR_CONTROL },

  /* Bidi embeddings, overrides and isolates, every one. */
  { "Ada \u202aLovelace", NULL, PV_TEXT_ERROR_BIDI },
  { "Ada \u202bLovelace", NULL, PV_TEXT_ERROR_BIDI },
  { "Ada \u202cLovelace", NULL, PV_TEXT_ERROR_BIDI },
  { "Ada \u202dLovelace", NULL, PV_TEXT_ERROR_BIDI },
  { "Ada \u202eecalevoL", NULL, PV_TEXT_ERROR_BIDI },
  { "Ada \u2066Lovelace", NULL, PV_TEXT_ERROR_BIDI },
  { "Ada \u2067Lovelace", NULL, PV_TEXT_ERROR_BIDI },
  { "Ada \u2068Lovelace", NULL, PV_TEXT_ERROR_BIDI },
  { "Ada \u2069Lovelace", NULL, PV_TEXT_ERROR_BIDI },
  { "\u05d3\u05d5\u05d3\u202c", NULL, PV_TEXT_ERROR_BIDI },

  /* Other invisible formatting. */
  { "Ada\u200bLovelace", NULL, PV_TEXT_ERROR_INVISIBLE },         /* zero-width space */
  { "Ada\u200e", NULL, PV_TEXT_ERROR_INVISIBLE },                 /* LRM */
  { "\u05d3\u05d5\u05d3\u200f", NULL, PV_TEXT_ERROR_INVISIBLE },  /* RLM */
  { "\u0645\u062d\u0645\u062f\u061c", NULL, PV_TEXT_ERROR_INVISIBLE },  /* ALM */
  { "Ada\u2060Lovelace", NULL, PV_TEXT_ERROR_INVISIBLE },         /* word joiner */
  { "\ufeffAda", NULL, PV_TEXT_ERROR_INVISIBLE },                 /* BOM */
  { "Ada\u00adLovelace", NULL, PV_TEXT_ERROR_INVISIBLE },         /* soft hyphen */
  { "Ada\u180eLovelace", NULL, PV_TEXT_ERROR_INVISIBLE },         /* Mongolian vowel separator */
  { "Ada\U000e0041", NULL, PV_TEXT_ERROR_INVISIBLE },             /* a tag character */
  { "\u3164", NULL, PV_TEXT_ERROR_INVISIBLE },                    /* Hangul filler */
  { "\u115f\u1160", NULL, PV_TEXT_ERROR_INVISIBLE },
  { "\u2800", NULL, PV_TEXT_ERROR_INVISIBLE },                    /* blank Braille pattern */
  { "Ad\u034fa", NULL, PV_TEXT_ERROR_INVISIBLE },                 /* combining grapheme joiner */

  /* Not UTF-8. */
  { "\xff", NULL, PV_TEXT_ERROR_INVALID_UTF8 },
  { "Ada \xe9", NULL, PV_TEXT_ERROR_INVALID_UTF8 },               /* Latin-1 */
  { "Ada \xc3", NULL, PV_TEXT_ERROR_INVALID_UTF8 },               /* cut short at the end */
  { "Ada\xe2\x82 x", NULL, PV_TEXT_ERROR_INVALID_UTF8 },          /* cut short inside */
  { "\xc0\xaf", NULL, PV_TEXT_ERROR_INVALID_UTF8 },               /* overlong "/" */
  { "\xed\xa0\x80", NULL, PV_TEXT_ERROR_INVALID_UTF8 },           /* a surrogate */
  { "\xf4\x90\x80\x80", NULL, PV_TEXT_ERROR_INVALID_UTF8 },       /* past U+10FFFF */
  { "\x80" "Ada", NULL, PV_TEXT_ERROR_INVALID_UTF8 },             /* a lone continuation byte */
  /* The encoding is checked before anything else. */
  { "\x1b\xff", NULL, PV_TEXT_ERROR_INVALID_UTF8 },
};

static void
test_clean_name_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (name_cases); i++)
    {
      const NameCase *c = &name_cases[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *shown = pv_text_escape (c->input, G_MAXSIZE);
      g_autofree char *result = NULL;

      g_test_message ("case %u: “%s”", i, shown);
      result = pv_text_clean_name (c->input, &error);

      if (c->expected != NULL)
        {
          g_autofree char *escaped = NULL;

          g_assert_no_error (error);
          g_assert_cmpstr (result, ==, c->expected);

          /* A clean name is shown as it is, joiners and all. */
          escaped = pv_text_escape (result, PV_TEXT_NAME_MAX_CHARS);
          g_assert_cmpstr (escaped, ==, result);
        }
      else
        {
          g_assert_null (result);
          g_assert_error (error, PV_TEXT_ERROR, c->expected_error);
          g_assert_cmpstr (error->message, !=, "");
        }
    }
}

static char *
repeat (const char *piece,
        guint       times)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < times; i++)
    g_string_append (text, piece);

  return g_string_free (text, FALSE);
}

typedef struct
{
  const char *piece;    /* one character, as the name will be stored */
  const char *typed;    /* how it is typed */
} LengthCase;

/* Characters, not bytes: one to four bytes each, and two code points composed into one. */
static const LengthCase length_cases[] = {
  { "a", "a" },
  { "é", "é" },
  { "€", "€" },
  { "\U0001f600", "\U0001f600" },
  { "é", "e\u0301" },
};

static void
test_clean_name_length (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (length_cases); i++)
    {
      g_autofree char *longest = repeat (length_cases[i].typed, PV_TEXT_NAME_MAX_CHARS);
      g_autofree char *too_long = repeat (length_cases[i].typed, PV_TEXT_NAME_MAX_CHARS + 1);
      g_autofree char *expected = repeat (length_cases[i].piece, PV_TEXT_NAME_MAX_CHARS);
      g_autofree char *result = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%u × “%s”", PV_TEXT_NAME_MAX_CHARS, length_cases[i].piece);
      result = pv_text_clean_name (longest, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (result, ==, expected);
      g_assert_cmpint (g_utf8_strlen (result, -1), ==, PV_TEXT_NAME_MAX_CHARS);
      g_clear_pointer (&result, g_free);

      result = pv_text_clean_name (too_long, &error);
      g_assert_null (result);
      g_assert_error (error, PV_TEXT_ERROR, PV_TEXT_ERROR_TOO_LONG);
    }
}

/* The limit counts the name as stored: folded whitespace does not count against it. */
static void
test_clean_name_length_after_folding (void)
{
  g_autofree char *spaces = repeat (" \t", 500);
  g_autofree char *rest = repeat ("b", PV_TEXT_NAME_MAX_CHARS - 2);
  g_autofree char *input = g_strconcat (spaces, "a", spaces, rest, spaces, NULL);
  g_autofree char *expected = g_strconcat ("a ", rest, NULL);
  g_autofree char *result = NULL;
  g_autofree char *one_more = NULL;
  g_autoptr(GError) error = NULL;

  result = pv_text_clean_name (input, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result, ==, expected);

  one_more = g_strconcat (input, "c", NULL);
  g_assert_null (pv_text_clean_name (one_more, &error));
  g_assert_error (error, PV_TEXT_ERROR, PV_TEXT_ERROR_TOO_LONG);
}

/* Each refusal says what is wrong in its own words. */
static void
test_clean_name_messages_are_distinct (void)
{
  g_autofree char *too_long = repeat ("a", PV_TEXT_NAME_MAX_CHARS + 1);
  const char *inputs[] = { "\xff", "\x1b", "\u202e", "\u200b", too_long };
  g_autoptr(GHashTable) messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (pv_text_clean_name (inputs[i], &error));
      g_assert_nonnull (error);
      g_assert_cmpint (error->code, ==, (int) i);
      g_assert_false (g_hash_table_contains (messages, error->message));
      g_hash_table_add (messages, g_strdup (error->message));
    }
}

typedef struct
{
  gunichar        c;
  PvTextCharClass expected;
} ClassCase;

static const ClassCase class_cases[] = {
  { 'a', PV_TEXT_CHAR_SAFE },
  { '#', PV_TEXT_CHAR_SAFE },
  { 0x05d3, PV_TEXT_CHAR_SAFE },       /* Hebrew dalet */
  { 0x0301, PV_TEXT_CHAR_SAFE },       /* combining acute */
  { 0xe000, PV_TEXT_CHAR_SAFE },       /* private use */
  { ' ', PV_TEXT_CHAR_SPACE },
  { '\t', PV_TEXT_CHAR_SPACE },
  { '\n', PV_TEXT_CHAR_SPACE },
  { '\r', PV_TEXT_CHAR_SPACE },
  { 0x85, PV_TEXT_CHAR_SPACE },
  { 0xa0, PV_TEXT_CHAR_SPACE },
  { 0x2028, PV_TEXT_CHAR_SPACE },
  { 0x3000, PV_TEXT_CHAR_SPACE },
  { 0x00, PV_TEXT_CHAR_CONTROL },
  { 0x1b, PV_TEXT_CHAR_CONTROL },
  { 0x1f, PV_TEXT_CHAR_CONTROL },
  { 0x7f, PV_TEXT_CHAR_CONTROL },
  { 0x80, PV_TEXT_CHAR_CONTROL },
  { 0x9b, PV_TEXT_CHAR_CONTROL },
  { 0x9f, PV_TEXT_CHAR_CONTROL },
  { 0x202a, PV_TEXT_CHAR_BIDI },
  { 0x202e, PV_TEXT_CHAR_BIDI },
  { 0x2066, PV_TEXT_CHAR_BIDI },
  { 0x2069, PV_TEXT_CHAR_BIDI },
  { 0x200c, PV_TEXT_CHAR_JOINER },
  { 0x200d, PV_TEXT_CHAR_JOINER },
  { 0xfe0f, PV_TEXT_CHAR_JOINER },
  { 0xe0100, PV_TEXT_CHAR_JOINER },
  { 0x200b, PV_TEXT_CHAR_INVISIBLE },
  { 0x200e, PV_TEXT_CHAR_INVISIBLE },
  { 0x200f, PV_TEXT_CHAR_INVISIBLE },
  { 0x061c, PV_TEXT_CHAR_INVISIBLE },
  { 0x2060, PV_TEXT_CHAR_INVISIBLE },
  { 0xfeff, PV_TEXT_CHAR_INVISIBLE },
  { 0xad, PV_TEXT_CHAR_INVISIBLE },
  { 0x3164, PV_TEXT_CHAR_INVISIBLE },
  { 0xe0001, PV_TEXT_CHAR_INVISIBLE },
};

static void
test_classify (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (class_cases); i++)
    {
      g_test_message ("U+%04X", class_cases[i].c);
      g_assert_cmpint (pv_text_classify (class_cases[i].c), ==, class_cases[i].expected);
    }
}

typedef struct
{
  const char *input;
  gsize       max_chars;
  const char *expected;
} EscapeCase;

static const EscapeCase escape_cases[] = {
  { "Ada Lovelace", 64, "Ada Lovelace" },
  { "", 64, "" },
  { "דוד כהן", 64, "דוד כהן" },
  { "Ada\u00a0Lovelace", 64, "Ada\u00a0Lovelace" },

  /* C0 controls as their pictures, so a terminal shows ESC rather than obeying it. */
  { "\x1b[31mred", 64, "\u241b[31mred" },
  { "a\tb\r\n", 64, "a\u2409b\u240d\u240a" },
  { "\x01\x1f", 64, "\u2401\u241f" },
  { "\x7f", 64, "\u2421" },

  /* C1, bidi and invisible characters as their code points. */
  { "\xc2\x9b" "31m", 64, "<U+009B>31m" },
  { "Ada \u202eecalevoL", 64, "Ada <U+202E>ecalevoL" },
  { "\u2066x\u2069", 64, "<U+2066>x<U+2069>" },
  { "A\u200bB\u200eC\ufeff", 64, "A<U+200B>B<U+200E>C<U+FEFF>" },
  { "a\u2028b\xc2\x85", 64, "a<U+2028>b<U+0085>" },
  { "A\u200dB", 64, "A<U+200D>B" },
  { "\u200d\u00e9", 64, "<U+200D>\u00e9" },
  { "\u00e9\u200d\u00e9", 64, "\u00e9\u200d\u00e9" },
  { "\u2764\ufe0f", 64, "\u2764\ufe0f" },
  { "x\ufe0f", 64, "x<U+FE0F>" },
  { "x\U000e0041", 64, "x<U+E0041>" },

  /* Bytes that are not UTF-8. */
  { "Ada \xff", 64, "Ada \ufffd" },
  { "\xc0\xaf", 64, "\ufffd\ufffd" },

  /* A combining mark at the start would sit on the opening quote. */
  { "\u0301x", 64, "\u25cc\u0301x" },
  { "e\u0301", 64, "e\u0301" },

  /* Long input is cut where the message says so. */
  { "abcdef", 3, "abc…" },
  { "abc", 3, "abc" },
  { "\x1b\x1b\x1b\x1b", 2, "\u241b\u241b…" },
  { "ééééé", 4, "éééé…" },
};

static void
test_escape_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (escape_cases); i++)
    {
      g_autofree char *result = pv_text_escape (escape_cases[i].input, escape_cases[i].max_chars);

      g_test_message ("case %u", i);
      g_assert_cmpstr (result, ==, escape_cases[i].expected);
      g_assert_true (g_utf8_validate (result, -1, NULL));
    }
}

/* Whatever comes in, nothing that acts on a terminal or on text direction goes out; only
 * joiners stay, where a clean name could have them. */
static void
test_escape_output_is_inert (void)
{
  GString *every = g_string_new (NULL);
  g_autofree char *raw = NULL;
  g_autofree char *result = NULL;

  for (gunichar c = 1; c < 0x30000; c++)
    if (g_unichar_validate (c))
      g_string_append_unichar (every, c);
  g_string_append (every, "\xff\xfe\xc3");
  raw = g_string_free (every, FALSE);

  result = pv_text_escape (raw, G_MAXSIZE);
  g_assert_true (g_utf8_validate (result, -1, NULL));
  for (const char *p = result; *p != '\0'; p = g_utf8_next_char (p))
    {
      PvTextCharClass class = pv_text_classify (g_utf8_get_char (p));

      g_assert_cmpint (class, !=, PV_TEXT_CHAR_CONTROL);
      g_assert_cmpint (class, !=, PV_TEXT_CHAR_BIDI);
      g_assert_cmpint (class, !=, PV_TEXT_CHAR_INVISIBLE);
      g_assert_true (class != PV_TEXT_CHAR_SPACE
                     || g_unichar_type (g_utf8_get_char (p)) == G_UNICODE_SPACE_SEPARATOR);
    }

  g_clear_pointer (&result, g_free);
  result = pv_text_escape (NULL, 64);
  g_assert_cmpstr (result, ==, "");
}

/* Found by fuzzing: a joiner between bytes that are not text was shown raw, since both
 * sides became U+FFFD, which looked like letters to join. */
static void
test_escape_joiner_between_invalid_bytes (void)
{
  g_autofree char *escaped = pv_text_escape ("\xff\xe2\x80\x8c\xff", 64);

  g_assert_true (g_utf8_validate (escaped, -1, NULL));
  g_assert_null (strstr (escaped, "\xe2\x80\x8c"));
  g_assert_nonnull (strstr (escaped, "<U+200C>"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/text/clean-name", test_clean_name_table);
  g_test_add_func ("/text/clean-name/length", test_clean_name_length);
  g_test_add_func ("/text/clean-name/length-after-folding", test_clean_name_length_after_folding);
  g_test_add_func ("/text/clean-name/distinct-messages", test_clean_name_messages_are_distinct);
  g_test_add_func ("/text/classify", test_classify);
  g_test_add_func ("/text/escape", test_escape_table);
  g_test_add_func ("/text/escape/inert", test_escape_output_is_inert);

  g_test_add_func ("/text/escape/joiner-between-invalid-bytes",
                   test_escape_joiner_between_invalid_bytes);

  return g_test_run ();
}
