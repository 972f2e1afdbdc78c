/* fuzz-message-template.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The SMS template, which staff edit in Preferences and GSettings stores: validate and
 * render. The first byte chooses the code's length (as pv_code_generate() makes them, 4 to
 * 10 digits); the rest, up to a NUL, is the template.
 *
 * Beyond not crashing: a valid template contains the placeholder and fits one Twilio message
 * with the longest code; rendering replaces every placeholder and nothing else, with the
 * length that implies; an invalid one says why in readable text. */

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "pv-code.h"
#include "pv-fuzz.h"
#include "pv-message-template.h"

#define PLACEHOLDER_LENGTH (sizeof PV_MESSAGE_TEMPLATE_PLACEHOLDER - 1)

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  pv_fuzz_init ();
  return 0;
}

/* Non-overlapping, left to right, as g_strsplit() finds them. */
static guint
count_placeholders (const char *text)
{
  guint n = 0;

  for (const char *p = strstr (text, PV_MESSAGE_TEMPLATE_PLACEHOLDER); p != NULL;
       p = strstr (p + PLACEHOLDER_LENGTH, PV_MESSAGE_TEMPLATE_PLACEHOLDER))
    n++;

  return n;
}

static void
check_render (const char *template_text,
              const char *code)
{
  g_autofree char *rendered = pv_message_template_render (template_text, code);
  guint n = count_placeholders (template_text);

  g_assert_nonnull (rendered);
  g_assert_cmpuint (strlen (rendered), ==,
                    strlen (template_text) + n * strlen (code) - n * PLACEHOLDER_LENGTH);
  /* A code of digits cannot complete a placeholder across the seams; an empty one can
   * ("{co{code}de}"), which is why codes are never empty. */
  if (code[0] != '\0')
    g_assert_null (strstr (rendered, PV_MESSAGE_TEMPLATE_PLACEHOLDER));
  if (n == 0)
    g_assert_cmpstr (rendered, ==, template_text);
  if (g_utf8_validate (template_text, -1, NULL))
    g_assert_true (g_utf8_validate (rendered, -1, NULL));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        gsize         size)
{
  PvFuzzInput input = { data, size };
  guint length = PV_CODE_MIN_LENGTH
                 + pv_fuzz_input_take_byte (&input) % (PV_CODE_MAX_LENGTH - PV_CODE_MIN_LENGTH + 1);
  g_autofree char *template_text = pv_fuzz_input_take_string (&input);
  g_autofree char *code = g_strnfill (length, '7');
  g_autofree char *longest = g_strnfill (PV_CODE_MAX_LENGTH, '9');
  g_autoptr(GError) error = NULL;
  gboolean valid;

  valid = pv_message_template_validate (template_text, &error);

  if (valid)
    {
      g_autofree char *rendered = NULL;

      g_assert_no_error (error);
      g_assert_true (g_utf8_validate (template_text, -1, NULL));
      g_assert_nonnull (strstr (template_text, PV_MESSAGE_TEMPLATE_PLACEHOLDER));

      rendered = pv_message_template_render (template_text, longest);
      g_assert_cmpint (g_utf8_strlen (rendered, -1), <=, PV_MESSAGE_TEMPLATE_MAX_LENGTH);
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_true (strstr (error->message, PV_MESSAGE_TEMPLATE_PLACEHOLDER) != NULL
                     || strstr (template_text, PV_MESSAGE_TEMPLATE_PLACEHOLDER) != NULL);
    }

  /* The verifier only renders validated templates, but render is public: anything goes. */
  check_render (template_text, code);
  check_render (template_text, longest);
  check_render (template_text, "");

  return 0;
}
