/* test-call-script.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The TwiML a call reads the code with, parsed back as XML: its shape, its language, what
 * it says, and that no office name can change the shape or the length. */

#include "config.h"

#include <glib.h>
#include <string.h>

#include "pv-call-script.h"

#define PROLOG "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"

typedef struct
{
  char *name;
  char *language;  /* of a Say */
  char *length;    /* of a Pause */
  char *text;
  guint depth;
} Element;

typedef struct
{
  GPtrArray *elements;
  guint      depth;
  Element   *open;  /* the innermost open element, for its text */
} Parsed;

static void
element_free (Element *element)
{
  g_free (element->name);
  g_free (element->language);
  g_free (element->length);
  g_free (element->text);
  g_free (element);
}

static void
start_element (GMarkupParseContext  *context,
               const char           *name,
               const char          **attribute_names,
               const char          **attribute_values,
               gpointer              user_data,
               GError              **error)
{
  Parsed *parsed = user_data;
  Element *element = g_new0 (Element, 1);

  element->name = g_strdup (name);
  element->depth = parsed->depth++;
  for (guint i = 0; attribute_names[i] != NULL; i++)
    {
      if (strcmp (attribute_names[i], "language") == 0)
        element->language = g_strdup (attribute_values[i]);
      else if (strcmp (attribute_names[i], "length") == 0)
        element->length = g_strdup (attribute_values[i]);
      else
        g_error ("unexpected attribute %s on %s", attribute_names[i], name);
    }

  g_ptr_array_add (parsed->elements, element);
  parsed->open = element;
}

static void
end_element (GMarkupParseContext  *context,
             const char           *name,
             gpointer              user_data,
             GError              **error)
{
  Parsed *parsed = user_data;

  parsed->depth--;
  parsed->open = NULL;
}

static void
text (GMarkupParseContext  *context,
      const char           *text_value,
      gsize                 text_len,
      gpointer              user_data,
      GError              **error)
{
  Parsed *parsed = user_data;

  /* Text outside a Say, or after an element closed, would be read out or be an error. */
  if (text_len == 0)
    return;
  g_assert_nonnull (parsed->open);
  g_assert_cmpstr (parsed->open->name, ==, "Say");
  g_assert_null (parsed->open->text);
  parsed->open->text = g_strndup (text_value, text_len);
}

/* The document's elements in order; it must parse. */
static GPtrArray *
parse (const char *twiml)
{
  static const GMarkupParser parser = { start_element, end_element, text, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;
  Parsed parsed = { g_ptr_array_new_with_free_func ((GDestroyNotify) element_free), 0, NULL };

  g_assert_true (g_str_has_prefix (twiml, PROLOG "<Response>"));
  g_assert_true (g_utf8_validate (twiml, -1, NULL));

  context = g_markup_parse_context_new (&parser, G_MARKUP_TREAT_CDATA_AS_TEXT, &parsed, NULL);
  if (!g_markup_parse_context_parse (context, twiml + strlen (PROLOG), -1, &error)
      || !g_markup_parse_context_end_parse (context, &error))
    g_error ("%s: %s", twiml, error->message);

  return parsed.elements;
}

static const Element *
nth (GPtrArray *elements,
     guint      i)
{
  return g_ptr_array_index (elements, i);
}

/* Response > Pause, Say (greeting), then three times Say (code) and Pause, then Say
 * (goodbye), all siblings in @voice_locale; the code Says alike. */
static void
assert_shape (GPtrArray  *elements,
              const char *voice_locale)
{
  const char *names[] = { "Response", "Pause", "Say", "Say", "Pause", "Say", "Pause", "Say",
                          "Pause", "Say" };

  g_assert_cmpuint (elements->len, ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < elements->len; i++)
    {
      const Element *element = nth (elements, i);

      g_assert_cmpstr (element->name, ==, names[i]);
      g_assert_cmpuint (element->depth, ==, i == 0 ? 0 : 1);
      if (strcmp (element->name, "Say") == 0)
        {
          g_assert_cmpstr (element->language, ==, voice_locale);
          g_assert_nonnull (element->text);
          g_assert_null (element->length);
        }
      else if (strcmp (element->name, "Pause") == 0)
        {
          g_assert_cmpstr (element->length, ==, "1");
          g_assert_null (element->language);
          g_assert_null (element->text);
        }
    }

  g_assert_cmpstr (nth (elements, 3)->text, ==, nth (elements, 5)->text);
  g_assert_cmpstr (nth (elements, 5)->text, ==, nth (elements, 7)->text);
}

static void
test_languages (void)
{
  struct {
    const char *language;
    const char *voice_locale;
    const char *greeting;
    const char *code;
    const char *goodbye;
  } cases[] = {
    { "en", "en-US", "Hello, this is Praxis Nord with your verification code.",
      "Your code is: 4, 8, 2, 9, 1, 3.", "The code is valid for 10 minutes. Goodbye." },
    { "de", "de-DE", "Guten Tag, hier ist Praxis Nord mit Ihrem Bestätigungscode.",
      "Ihr Code lautet: 4, 8, 2, 9, 1, 3.", "Der Code ist 10 Minuten gültig. Auf Wiederhören." },
    { "fr", "fr-FR", "Bonjour, ici Praxis Nord avec votre code de vérification.",
      "Votre code est : 4, 8, 2, 9, 1, 3.", "Ce code est valable 10 minutes. Au revoir." },
    { "es", "es-ES", "Hola, le llama Praxis Nord con su código de verificación.",
      "Su código es: 4, 8, 2, 9, 1, 3.", "El código es válido durante 10 minutos. Adiós." },
    /* Without phrases of its own, English. */
    { "it", "en-US", "Hello, this is Praxis Nord with your verification code.",
      "Your code is: 4, 8, 2, 9, 1, 3.", "The code is valid for 10 minutes. Goodbye." },
    { NULL, "en-US", "Hello, this is Praxis Nord with your verification code.",
      "Your code is: 4, 8, 2, 9, 1, 3.", "The code is valid for 10 minutes. Goodbye." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *twiml = pv_call_script_build (cases[i].language, "482913", "Praxis Nord",
                                                     10);
      g_autoptr(GPtrArray) elements = parse (twiml);

      assert_shape (elements, cases[i].voice_locale);
      g_assert_cmpstr (nth (elements, 2)->text, ==, cases[i].greeting);
      g_assert_cmpstr (nth (elements, 3)->text, ==, cases[i].code);
      g_assert_cmpstr (nth (elements, 9)->text, ==, cases[i].goodbye);
    }
}

static void
test_digits (void)
{
  g_autofree char *short_code = pv_call_script_build ("en", "0042", NULL, 10);
  g_autofree char *long_code = pv_call_script_build ("de", "0123456789", NULL, 10);
  g_autoptr(GPtrArray) short_elements = parse (short_code);
  g_autoptr(GPtrArray) long_elements = parse (long_code);

  g_assert_cmpstr (nth (short_elements, 3)->text, ==, "Your code is: 0, 0, 4, 2.");
  g_assert_cmpstr (nth (long_elements, 3)->text, ==,
                   "Ihr Code lautet: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9.");
}

static void
test_no_office (void)
{
  const char *none[] = { NULL, "", "   ", "\n\t", "\u200b" };

  for (guint i = 0; i < G_N_ELEMENTS (none); i++)
    {
      g_autofree char *twiml = pv_call_script_build ("fr", "1234", none[i], 5);
      g_autoptr(GPtrArray) elements = parse (twiml);

      assert_shape (elements, "fr-FR");
      g_assert_cmpstr (nth (elements, 2)->text, ==, "Bonjour, voici votre code de vérification.");
    }
}

static void
test_minutes (void)
{
  g_autofree char *one = pv_call_script_build ("es", "1234", NULL, 1);
  g_autofree char *none = pv_call_script_build ("es", "1234", NULL, 0);
  g_autofree char *day = pv_call_script_build ("en", "1234", NULL, 1440);
  g_autoptr(GPtrArray) one_elements = parse (one);
  g_autoptr(GPtrArray) none_elements = parse (none);
  g_autoptr(GPtrArray) day_elements = parse (day);

  g_assert_cmpstr (nth (one_elements, 9)->text, ==, "El código es válido durante un minuto. Adiós.");
  g_assert_cmpstr (nth (none_elements, 9)->text, ==, "Adiós.");
  g_assert_cmpstr (nth (day_elements, 9)->text, ==,
                   "The code is valid for 1440 minutes. Goodbye.");
}

/* Markup, quotes and placeholders in the office's name are read out, never obeyed. */
static void
test_hostile_office (void)
{
  const char *hostile = "Dr. \"Smith\" & Sons' <P></Say><Hangup/><Say> ]]> {code} {minutes}";
  g_autofree char *twiml = pv_call_script_build ("en", "4829", hostile, 10);
  g_autoptr(GPtrArray) elements = parse (twiml);
  g_autofree char *expected = g_strdup_printf ("Hello, this is %s with your verification code.",
                                               hostile);

  assert_shape (elements, "en-US");
  g_assert_cmpstr (nth (elements, 2)->text, ==, expected);
  g_assert_null (strstr (twiml, "<Hangup"));
}

/* What a voice cannot say is a space, and XML 1.0 has no way to write a control even
 * escaped. */
static void
test_unspeakable_office (void)
{
  g_autofree char *twiml = pv_call_script_build ("de", "1234",
                                                 "\x01Praxis\x1b[31m\u202e  Nord\r\n\u200b"
                                                 "Ost\xff\uffff", 10);
  g_autoptr(GPtrArray) elements = parse (twiml);

  assert_shape (elements, "de-DE");
  g_assert_cmpstr (nth (elements, 2)->text, ==,
                   "Guten Tag, hier ist Praxis [31m Nord Ost mit Ihrem Bestätigungscode.");
  g_assert_null (strstr (twiml, "&#"));
}

static void
test_length_cap (void)
{
  /* The worst case: every character escaped to six, the longest code. */
  g_autofree char *quotes = g_strnfill (5000, '"');
  g_autoptr(GString) umlauts = g_string_new (NULL);
  g_autofree char *expected_quotes = g_strnfill (PV_CALL_SCRIPT_MAX_OFFICE_CHARS, '"');
  g_autofree char *twiml = NULL;
  g_autofree char *umlaut_twiml = NULL;
  g_autoptr(GPtrArray) elements = NULL;
  g_autoptr(GPtrArray) umlaut_elements = NULL;
  g_autofree char *expected = NULL;

  for (guint i = 0; i < 1000; i++)
    g_string_append (umlauts, "ü");

  for (guint i = 0; i < 4; i++)
    {
      const char *languages[] = { "en", "de", "fr", "es" };
      g_autofree char *longest = pv_call_script_build (languages[i], "0123456789", quotes,
                                                       G_MAXUINT);

      /* Far below the limit, so that Twilio never cuts the code off. */
      g_assert_cmpint (g_utf8_strlen (longest, -1), <, PV_CALL_SCRIPT_MAX_LENGTH / 2);
    }

  twiml = pv_call_script_build ("en", "0123456789", quotes, 10);
  elements = parse (twiml);
  expected = g_strdup_printf ("Hello, this is %s with your verification code.", expected_quotes);
  g_assert_cmpstr (nth (elements, 2)->text, ==, expected);

  /* Cut on a character, not a byte. */
  umlaut_twiml = pv_call_script_build ("de", "1234", umlauts->str, 10);
  umlaut_elements = parse (umlaut_twiml);
  g_assert_cmpuint (g_utf8_strlen (nth (umlaut_elements, 2)->text, -1), ==,
                    strlen ("Guten Tag, hier ist  mit Ihrem Bestätigungscode.") - 1
                    + PV_CALL_SCRIPT_MAX_OFFICE_CHARS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/call-script/languages", test_languages);
  g_test_add_func ("/call-script/digits", test_digits);
  g_test_add_func ("/call-script/no-office", test_no_office);
  g_test_add_func ("/call-script/minutes", test_minutes);
  g_test_add_func ("/call-script/hostile-office", test_hostile_office);
  g_test_add_func ("/call-script/unspeakable-office", test_unspeakable_office);
  g_test_add_func ("/call-script/length-cap", test_length_cap);

  return g_test_run ();
}
