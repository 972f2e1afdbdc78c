/* test-message-template.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "pv-message-template.h"

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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/message-template/render", test_render);
  g_test_add_func ("/message-template/validate", test_validate);
  g_test_add_func ("/message-template/length", test_validate_length);

  return g_test_run ();
}
