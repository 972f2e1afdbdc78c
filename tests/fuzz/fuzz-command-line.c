/* fuzz-command-line.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The command line of phone-verify, through the real PvApplication and g_application_run():
 * the input, split at NUL bytes, is argv after the program name. GApplication parses it
 * against the app's own option entries (--version, --send-code, --name, --resend, --verify,
 * --code, --check-number, --country) and hands the result to handle-local-options.
 *
 * The app's handler would send texts, open the keyring or a window, or read standard
 * input, so a handler of ours runs first. It checks what the parser produced, then lets
 * the app's handler run only where that does no work: --version, --check-number (which
 * reads the number, without Twilio or the database), and the usage errors (more than one
 * verb, a value that is not UTF-8). Everything else stops there, with a status of our own.
 *
 * Beyond not crashing: a string option is valid UTF-8 by the time the app reads it, the
 * exit status is the one the options imply, a command line that fails to parse never
 * reaches the handler, and what the app prints holds no control character.
 *
 * Not reachable from here: "--help" and its relatives print and exit() from inside GLib,
 * which would end the fuzzer, so any argument that could ask for help is left out. */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "pv-application.h"
#include "pv-fuzz.h"
#include "pv-pg-store.h"
#include "pv-text.h"

#define MAX_ARGUMENTS 16

/* What our handler returns when it stops the app from doing real work: a value no path of
 * the app's own uses. */
#define STOPPED 99
#define EXIT_USAGE 64
/* --check-number's answer is 0 or 1, as the number is good or not. */
#define CHECKED -2

/* Every option of the app that takes a value, and which of them are verbs: the answer
 * expected is worked out from them, so each must be here. (--database and --texts-us were
 * missing: a --check-number with a --database that is not UTF-8 was expected to be checked,
 * and the app rightly refused it with EXIT_USAGE.) */
static const struct
{
  const char *name;
  gboolean    verb;
} value_options[] = {
  { "send-code", TRUE },
  { "name", FALSE },
  { "resend", TRUE },
  { "verify", TRUE },
  { "check-number", TRUE },
  { "texts-us", TRUE },
  { "country", FALSE },
  { "code", FALSE },
  { "channel", FALSE },
  { "database", FALSE },
};

typedef struct
{
  gboolean handled;
  int      expected;
} Run;

/* What the app printed in this run, on either stream. */
static GString *printed;

static void
capture (const char *text)
{
  g_string_append (printed, text);
}

/* Printed on a terminal: nothing may reorder or hide the rest, or be taken as a command.
 * Zero-width joiners may stay where pv_text_escape keeps them, inside non-ASCII text
 * (Persian and Indic names need them): they neither reorder text nor reach a terminal as
 * commands. */
static void
assert_safe_output (const char *text)
{
  g_assert_true (g_utf8_validate (text, -1, NULL));

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      PvTextCharClass class = pv_text_classify (g_utf8_get_char (p));

      g_assert_true (class == PV_TEXT_CHAR_SAFE || class == PV_TEXT_CHAR_SPACE
                     || class == PV_TEXT_CHAR_JOINER);
    }
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  pv_fuzz_init ();

  /* In the C locale GOption refuses every byte above 127; in UTF-8 it must convert, and
   * check, what it is given, which is the more interesting case. */
  setlocale (LC_ALL, "C.UTF-8");

  /* The app prints on almost every run: kept to be checked, not shown. */
  printed = g_string_new (NULL);
  g_set_print_handler (capture);
  g_set_printerr_handler (capture);

  return 0;
}

static int
handle_local_options_cb (GApplication *application,
                         GVariantDict *options,
                         gpointer      user_data)
{
  Run *run = user_data;
  guint n_verbs = 0;
  gboolean all_text = TRUE;
  gboolean bad_channel = FALSE;
  gboolean bad_database = FALSE;

  run->handled = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (value_options); i++)
    {
      g_autoptr(GVariant) value = g_variant_dict_lookup_value (options, value_options[i].name,
                                                               NULL);
      const char *text;

      if (value == NULL)
        continue;

      /* A STRING option arrives converted to UTF-8, or the parse fails; a FILENAME one as
       * the bytes given, for the app to check. */
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        {
          text = g_variant_get_string (value, NULL);
          g_assert_true (g_utf8_validate (text, -1, NULL));
        }
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING))
        {
          text = g_variant_get_bytestring (value);
          all_text &= g_utf8_validate (text, -1, NULL);
        }
      else
        {
          g_error ("--%s holds a %s", value_options[i].name, g_variant_get_type_string (value));
        }


      if (value_options[i].verb)
        n_verbs++;
      /* --channel takes the two words it documents, and nothing else. */
      if (g_str_equal (value_options[i].name, "channel"))
        bad_channel = g_strcmp0 (text, "sms") != 0 && g_strcmp0 (text, "call") != 0;
      /* Only a PostgreSQL address without its password, by the store's own check (which
       * test-store tests on its own); a file name is not taken. */
      if (g_str_equal (value_options[i].name, "database"))
        bad_database = !g_utf8_validate (text, -1, NULL) || !pv_pg_store_check_uri (text, NULL);
    }

  /* The app's own answer, in the order it checks, wherever it does no work: --check-number
   * only reads the number (in the memory GSettings backend's office country). */
  if (g_variant_dict_contains (options, "version"))
    {
      run->expected = 0;
    }
  else if (!all_text || bad_channel || bad_database || n_verbs > 1)
    {
      run->expected = EXIT_USAGE;
    }
  else if (g_variant_dict_contains (options, "check-number"))
    {
      run->expected = CHECKED;
    }
  else
    {
      run->expected = STOPPED;
      return STOPPED;
    }

  return -1;
}

/* Whether GOption would take @argument, anywhere on the line, as a request for help. */
static gboolean
could_ask_for_help (const char *argument)
{
  if (g_str_has_prefix (argument, "--help"))
    return TRUE;

  /* Short options come in clusters: "-xh". "-" alone and "--…" are not clusters. */
  return argument[0] == '-' && argument[1] != '-' && argument[1] != '\0'
         && strpbrk (argument + 1, "h?") != NULL;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        gsize         size)
{
  PvFuzzInput input = { data, size };
  g_autoptr(GPtrArray) arguments = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(PvApplication) application = NULL;
  Run run = { FALSE, -1 };
  int status;

  g_ptr_array_add (arguments, g_strdup ("phone-verify"));
  while (!pv_fuzz_input_is_empty (&input) && arguments->len < MAX_ARGUMENTS)
    {
      char *argument = pv_fuzz_input_take_string (&input);

      if (could_ask_for_help (argument))
        g_free (argument);
      else
        g_ptr_array_add (arguments, argument);
    }
  g_ptr_array_add (arguments, NULL);

  /* A new application each time: parsing consumes the option entries. */
  application = pv_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_signal_connect (application, "handle-local-options",
                    G_CALLBACK (handle_local_options_cb), &run);

  status = g_application_run (G_APPLICATION (application), arguments->len - 1,
                              (char **) arguments->pdata);

  if (!run.handled)
    g_assert_cmpint (status, ==, 1);  /* a parse error: GOption said why, on stderr */
  else if (run.expected == CHECKED)
    g_assert_true (status == 0 || status == 1);
  else
    g_assert_cmpint (status, ==, run.expected);

  /* Only the app's own words: GOption repeats a bad option as it was given. */
  if (run.handled)
    assert_safe_output (printed->str);
  g_string_truncate (printed, 0);

  return 0;
}
