/* test-message-template.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "pv-language.h"
#include "pv-message-template.h"
#include "pv-sms-encoding.h"

/* 30 characters, the longest office name the built-in wordings are measured with. */
#define OFFICE_30 "Zahnarztpraxis Dr. Mustermann"  "s"

static void
test_render (void)
{
  g_autofree char *plain = pv_message_template_render ("Your verification code is: {code}",
                                                       "004711");
  g_autofree char *twice = pv_message_template_render ("{code} is your code ({code})", "1234");
  g_autofree char *braces = pv_message_template_render ("{cod} {code}} {{code}", "99");

  g_assert_cmpstr (plain, ==, "Your verification code is: 004711");
  g_assert_cmpstr (twice, ==, "1234 is your code (1234)");
  g_assert_cmpstr (braces, ==, "{cod} 99} {99");
}

static void
test_validate (void)
{
  const char *valid[] = {
    "Your verification code is: {code}",
    "{code}",
    "Ihr Bestätigungscode lautet: {code}",
  };
  const char *invalid[] = {
    "",
    "Your verification code is:",
    "Your code is {CODE}",
    "Your code is { code }",
    NULL,
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (pv_message_template_validate (valid[i], &error));
      g_assert_no_error (error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (pv_message_template_validate (invalid[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_nonnull (g_strstr_len (error->message, -1, "{code}"));
    }
}

static void
test_validate_length (void)
{
  g_autoptr(GError) error = NULL;
  /* 1590 characters plus a 10-digit code is exactly the limit; one more is too many. */
  g_autofree char *filler = g_strnfill (PV_MESSAGE_TEMPLATE_MAX_LENGTH - 10, 'x');
  g_autofree char *fits = g_strconcat (filler, "{code}", NULL);
  g_autofree char *too_long = g_strconcat (filler, "x{code}", NULL);

  g_assert_true (pv_message_template_validate (fits, &error));
  g_assert_no_error (error);
  g_assert_false (pv_message_template_validate (too_long, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static void
test_render_full (void)
{
  g_autofree char *all = pv_message_template_render_full ("{office}: {code}, {minutes} min. "
                                                          "{code} ({minutes})",
                                                          "004711", 10, "Praxis Ärzte");
  /* An office name is sent as typed, even when it looks like a placeholder. */
  g_autofree char *literal = pv_message_template_render_full ("{office} {code}", "1234", 5,
                                                              "{code} & {minutes}");
  g_autofree char *no_office = pv_message_template_render_full ("[{office}] {code}", "1234", 5,
                                                                NULL);
  g_autofree char *others = pv_message_template_render_full ("{cod} {name} {{code}} {minutes}} "
                                                             "{offic {",
                                                             "99", 4294967295u, "X");
  g_autofree char *zero = pv_message_template_render_full ("{minutes}", "1", 0, "");

  g_assert_cmpstr (all, ==, "Praxis Ärzte: 004711, 10 min. 004711 (10)");
  g_assert_cmpstr (literal, ==, "{code} & {minutes} 1234");
  g_assert_cmpstr (no_office, ==, "[] 1234");
  g_assert_cmpstr (others, ==, "{cod} {name} {99} 4294967295} {offic {");
  g_assert_cmpstr (zero, ==, "0");
}

static void
assert_invalid (const char             *template_text,
                const char             *office_name,
                PvMessageTemplateError  code,
                const char             *in_message)
{
  g_autoptr(GError) error = NULL;

  if (pv_message_template_validate_full (template_text, office_name, &error))
    g_error ("“%s” with office “%s” was accepted", template_text, office_name);
  g_assert_error (error, PV_MESSAGE_TEMPLATE_ERROR, (int) code);
  if (strstr (error->message, in_message) == NULL)
    g_error ("“%s”: the error “%s” does not say “%s”", template_text, error->message,
             in_message);
}

static void
test_validate_full (void)
{
  const char *valid[] = {
    "Your verification code is: {code}",
    "{code}",
    "Ihr Bestätigungscode für {office}: {code}. Gültig für {minutes} Min.",
    "{{code}} {} { } {a: b} {-} {12} { }{code}{",
    "{code} {this is far too long to be a placeholder}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;

      if (!pv_message_template_validate_full (valid[i], "Praxis", &error))
        g_error ("“%s”: %s", valid[i], error->message);
    }

  assert_invalid (NULL, "Praxis", PV_MESSAGE_TEMPLATE_ERROR_NO_CODE, "{code}");
  assert_invalid ("", "Praxis", PV_MESSAGE_TEMPLATE_ERROR_NO_CODE, "{code}");
  assert_invalid ("Your code", "Praxis", PV_MESSAGE_TEMPLATE_ERROR_NO_CODE, "{code}");
  assert_invalid ("{code} \xff", "Praxis", PV_MESSAGE_TEMPLATE_ERROR_NO_CODE, "{code}");

  /* Misspelt placeholders are named, each once, whether or not {code} is there too. */
  assert_invalid ("Your code is {cod}", "Praxis", PV_MESSAGE_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER,
                  "{cod} is not");
  assert_invalid ("{code} {CODE}", "Praxis", PV_MESSAGE_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER,
                  "{CODE}");
  assert_invalid ("{ code }", "Praxis", PV_MESSAGE_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER,
                  "{ code }");
  assert_invalid ("{name}: {code} ({minute}, {name})", "Praxis",
                  PV_MESSAGE_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER, "{name}, {minute} are not");

  /* {office} needs a name, and says where to set one. */
  assert_invalid ("{office}: {code}", NULL, PV_MESSAGE_TEMPLATE_ERROR_NO_OFFICE_NAME,
                  "Preferences");
  assert_invalid ("{office}: {code}", "", PV_MESSAGE_TEMPLATE_ERROR_NO_OFFICE_NAME, "{office}");
  g_assert_true (pv_message_template_validate_full ("{code}", NULL, NULL));
  g_assert_true (pv_message_template_validate_full ("{code} {minutes}", "", NULL));
}

static void
test_validate_full_length (void)
{
  /* With "Praxis", a 10-digit code and 10-digit minutes, 1600 characters exactly. */
  g_autofree char *filler = g_strnfill (PV_MESSAGE_TEMPLATE_MAX_LENGTH - 26, 'x');
  g_autofree char *fits = g_strconcat (filler, "{office}{code}{minutes}", NULL);
  g_autofree char *too_long = g_strconcat (filler, "x{office}{code}{minutes}", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (pv_message_template_validate_full (fits, "Praxis", &error));
  g_assert_no_error (error);
  /* The office's name counts. */
  assert_invalid (fits, "Praxis!", PV_MESSAGE_TEMPLATE_ERROR_TOO_LONG, "1600");
  assert_invalid (too_long, "Praxis", PV_MESSAGE_TEMPLATE_ERROR_TOO_LONG, "1600");
}

static void
test_builtin (void)
{
  const char * const *languages = pv_language_get_builtin ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpuint (strlen (OFFICE_30), ==, 30);

  for (guint i = 0; languages[i] != NULL; i++)
    {
      for (int with_office = FALSE; with_office <= TRUE; with_office++)
        {
          const char *text = pv_message_template_get_builtin (languages[i], with_office);
          g_autoptr(GError) error = NULL;
          g_autofree char *rendered = NULL;
          PvSmsLength length;

          g_assert_nonnull (text);
          /* Each its own text. */
          g_assert_true (g_hash_table_add (seen, (gpointer) text));

          if (!pv_message_template_validate_full (text, with_office ? OFFICE_30 : NULL, &error))
            g_error ("%s: %s", languages[i], error->message);

          g_assert_nonnull (strstr (text, PV_MESSAGE_TEMPLATE_PLACEHOLDER));
          g_assert_nonnull (strstr (text, PV_MESSAGE_TEMPLATE_MINUTES));
          g_assert_true ((strstr (text, PV_MESSAGE_TEMPLATE_OFFICE) != NULL) == with_office);

          /* The longest code and lifetime the settings allow (24 hours). */
          rendered = pv_message_template_render_full (text, "0123456789", 1440, OFFICE_30);
          pv_sms_length_measure (rendered, &length);
          if (length.encoding != PV_SMS_ENCODING_GSM7 || length.n_segments != 1)
            g_error ("%s: “%s” is %s, %u segments (U+%04X)", languages[i], rendered,
                     length.encoding == PV_SMS_ENCODING_GSM7 ? "GSM-7" : "UCS-2",
                     length.n_segments, length.first_non_gsm);
        }
    }

  /* In the customer's language, not English. */
  g_assert_nonnull (strstr (pv_message_template_get_builtin ("de", TRUE), "Bestätigungscode"));
  g_assert_nonnull (strstr (pv_message_template_get_builtin ("fr", FALSE), "vérification"));
  g_assert_nonnull (strstr (pv_message_template_get_builtin ("es", TRUE), "clave"));
  g_assert_nonnull (strstr (pv_message_template_get_builtin ("en", FALSE), "verification"));

  g_assert_null (pv_message_template_get_builtin ("it", TRUE));
  g_assert_null (pv_message_template_get_builtin (NULL, FALSE));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/message-template/render", test_render);
  g_test_add_func ("/message-template/validate", test_validate);
  g_test_add_func ("/message-template/length", test_validate_length);
  g_test_add_func ("/message-template/render-full", test_render_full);
  g_test_add_func ("/message-template/validate-full", test_validate_full);
  g_test_add_func ("/message-template/validate-full-length", test_validate_full_length);
  g_test_add_func ("/message-template/builtin", test_builtin);

  return g_test_run ();
}
