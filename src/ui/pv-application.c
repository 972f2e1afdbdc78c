/* pv-application.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pv-application"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "pv-application.h"
#include "pv-command-line.h"
#include "pv-engine.h"
#include "pv-pg-store.h"
#include "pv-phone-number.h"
#include "pv-release-notes.h"
#include "pv-preferences-window.h"
#include "pv-text.h"
#include "pv-window.h"

struct _PvApplication
{
  AdwApplication  parent_instance;

  PvEngine       *engine;
  char           *database;     /* --database, for the window as for the verbs */
};

G_DEFINE_FINAL_TYPE (PvApplication, pv_application, ADW_TYPE_APPLICATION)

/* A code is at most ten digits; a line this long is not one, however it is spaced. The
 * bound only keeps a runaway pipe from filling memory. */
#define CODE_LINE_MAX 1024

/* Reads one whole line, so that nothing after a fixed length is silently dropped: what is
 * not a code is refused, never cut down into one. Returns NULL with @error unset when
 * nothing was typed. */
static char *
read_code_from_stdin (GError **error)
{
  g_autoptr(GString) line = g_string_new (NULL);
  int c;

  if (isatty (STDIN_FILENO))
    {
      g_print ("%s ", _("Code:"));
      fflush (stdout);
    }

  while (line->len <= CODE_LINE_MAX && (c = getc (stdin)) != EOF && c != '\n')
    g_string_append_c (line, (char) c);

  /* Whatever was pasted after the line would otherwise wait in the terminal for the shell,
   * which would run it as a command. */
  if (isatty (STDIN_FILENO))
    tcflush (STDIN_FILENO, TCIFLUSH);

  if (line->len > CODE_LINE_MAX)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                           _("This code is too long. Enter only the code the customer "
                             "received."));
      return NULL;
    }

  if (memchr (line->str, '\0', line->len) != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The code read from standard input contains a NUL byte. Enter "
                             "only the digits of the code."));
      return NULL;
    }

  if (!g_utf8_validate_len (line->str, line->len, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The code read from standard input is not valid UTF-8 text. "
                             "Enter only the digits of the code."));
      return NULL;
    }

  g_strstrip (line->str);
  if (line->str[0] == '\0')
    return NULL;

  return g_strdup (line->str);
}

/* Command-line verbs run in the calling process and never open a window, so they work
 * without a display: for --version, for scripts, and for the sandbox. */
/* 0 and 1 mean done and not done; 2 is the command line's "the text may or may not have
 * gone out". Misuse gets sysexits' EX_USAGE. */
#define EXIT_USAGE 64

/* These options are G_OPTION_ARG_FILENAME, which hands over the bytes as they came, and are
 * checked here: G_OPTION_ARG_STRING would convert from the locale's encoding, and its
 * failure is GLib's own "Invalid byte sequence in conversion input", with exit status 1
 * and no word of which option. Arguments are taken as UTF-8 whatever the locale: GNOME
 * and the Flatpak runtime are UTF-8, and under the C locale a name such as “José” still
 * works. Returns FALSE, having said why, when @option's value is not UTF-8. */
static gboolean
lookup_text_option (GVariantDict  *options,
                    const char    *option,
                    const char   **value)
{
  g_autofree char *flag = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *message = NULL;

  *value = NULL;
  if (!g_variant_dict_lookup (options, option, "^&ay", value))
    return TRUE;

  if (g_utf8_validate (*value, -1, NULL))
    return TRUE;

  flag = g_strconcat ("--", option, NULL);
  shown = pv_text_escape (*value, PV_TEXT_ECHO_MAX_CHARS);
  /* Translators: the first %s is an option such as --name; the second is what was given,
   * with each byte that is not UTF-8 shown as � */
  message = g_strdup_printf (_("The value given to %s, “%s”, is not valid UTF-8 text."),
                             flag, shown);
  g_printerr ("%s\n", message);
  *value = NULL;

  return FALSE;
}

static int
pv_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  PvApplication *self = PV_APPLICATION (application);
  const char *send_to = NULL;
  const char *resend = NULL;
  const char *verify = NULL;
  const char *code = NULL;
  const char *name = NULL;
  const char *check = NULL;
  const char *country = NULL;
  const char *texts_us = NULL;
  const char *channel_name = NULL;
  const char *database = NULL;
  PvChannel channel = PV_CHANNEL_NONE;
  g_autoptr(GError) database_error = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return 0;
    }

  if (!lookup_text_option (options, "send-code", &send_to)
      || !lookup_text_option (options, "resend", &resend)
      || !lookup_text_option (options, "texts-us", &texts_us)
      || !lookup_text_option (options, "verify", &verify)
      || !lookup_text_option (options, "code", &code)
      || !lookup_text_option (options, "name", &name)
      || !lookup_text_option (options, "check-number", &check)
      || !lookup_text_option (options, "country", &country)
      || !lookup_text_option (options, "channel", &channel_name)
      || !lookup_text_option (options, "database", &database))
    return EXIT_USAGE;

  if (database != NULL && !pv_pg_store_check_uri (database, &database_error))
    {
      g_printerr ("%s\n", database_error->message);
      return EXIT_USAGE;
    }
  pv_command_line_set_database (database);
  g_free (self->database);
  self->database = g_strdup (database);

  /* The stored words are the option's: "sms" and "call". */
  if (channel_name != NULL &&
      (!pv_channel_from_string (channel_name, &channel) || channel == PV_CHANNEL_NONE ||
       channel == PV_CHANNEL_INBOUND))
    {
      /* Translators: keep “sms” and “call” as they are: they are what to type */
      g_printerr ("%s\n", _("--channel takes “sms” or “call”."));
      return EXIT_USAGE;
    }

  if ((send_to != NULL) + (resend != NULL) + (verify != NULL) + (check != NULL) +
      (texts_us != NULL) > 1)
    {
      g_printerr ("%s\n", _("Use only one of --send-code, --texts-us, --resend, --verify "
                             "and --check-number."));
      return EXIT_USAGE;
    }

  if (check != NULL)
    return pv_command_line_check_number (check, country);

  if (send_to != NULL)
    return pv_command_line_send_code (send_to, country, name, channel);

  if (resend != NULL)
    return pv_command_line_resend (resend, channel);

  if (texts_us != NULL)
    return pv_command_line_texts_us (texts_us, country, name);

  if (verify != NULL)
    {
      g_autofree char *typed = NULL;

      /* A code on the command line is visible to every user of the machine (ps) and stays
       * in the shell's history, so without --code it is read from standard input. */
      if (code == NULL)
        {
          g_autoptr(GError) error = NULL;

          typed = read_code_from_stdin (&error);
          /* A line too long to be a code is a wrong code, as with --code; a line that is
           * not text at all is misuse, as such an argument would be. */
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
            {
              g_printerr ("%s\n", error->message);
              return 1;
            }
          if (error != NULL)
            {
              g_printerr ("%s\n", error->message);
              return EXIT_USAGE;
            }
          if (typed == NULL)
            {
              g_printerr ("%s\n", _("Type the code the customer received, then Enter."));
              return EXIT_USAGE;
            }
          code = typed;
        }
      return pv_command_line_verify (verify, country, code);
    }

  return G_APPLICATION_CLASS (pv_application_parent_class)->handle_local_options (application,
                                                                                   options);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  PvApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  PvPreferencesWindow *preferences = pv_preferences_window_new (parent, self->engine);

  gtk_window_present (GTK_WINDOW (preferences));
}

/* What a bug report needs: versions, where the data is, where the credentials come from.
 * Never a credential, a number or a code. */
static char *
dup_debug_info (PvApplication *self)
{
  PvStore *store = pv_engine_get_store (self->engine);
  const char *sources[] = {
    [PV_CREDENTIALS_SOURCE_NONE] = "none",
    [PV_CREDENTIALS_SOURCE_KEYRING] = "keyring",
    [PV_CREDENTIALS_SOURCE_ENVIRONMENT] = "environment",
  };
  guint source = pv_engine_get_credentials_source (self->engine);

  return g_strdup_printf ("PhoneVerify %s\n"
                          "GLib %u.%u.%u\n"
                          "GTK %u.%u.%u\n"
                          "libadwaita %u.%u.%u\n"
                          "libsoup %u.%u.%u\n"
                          "Flatpak: %s\n"
                          "Customer database: %s\n"
                          "Twilio credentials from: %s\n",
                          PACKAGE_VERSION,
                          glib_major_version, glib_minor_version, glib_micro_version,
                          gtk_get_major_version (), gtk_get_minor_version (),
                          gtk_get_micro_version (),
                          adw_get_major_version (), adw_get_minor_version (),
                          adw_get_micro_version (),
                          soup_get_major_version (), soup_get_minor_version (),
                          soup_get_micro_version (),
                          g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS) ? "yes" : "no",
                          store != NULL ? pv_store_get_location (store) : "not open",
                          source < G_N_ELEMENTS (sources) ? sources[source] : "unknown");
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  PvApplication *self = user_data;
  static const char *developers[] = { "The PhoneVerify developers", NULL };
  g_autoptr(GBytes) metainfo = NULL;
  g_autofree char *release_notes = NULL;
  g_autofree char *release = NULL;
  g_autofree char *debug_info = dup_debug_info (self);

  /* The same notes as the software store's, from the metainfo compiled in. */
  metainfo = g_resources_lookup_data (RESOURCE_BASE_PATH "/" APP_ID ".metainfo.xml",
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  if (metainfo != NULL)
    release_notes = pv_release_notes_from_metainfo (g_bytes_get_data (metainfo, NULL),
                                                    g_get_language_names (), &release);

  adw_show_about_window (gtk_application_get_active_window (GTK_APPLICATION (self)),
                         "application-name", _("PhoneVerify"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Check that customers own the phone numbers they give, "
                                       "with a one-time code sent by text message."),
                         "developer-name", _("The PhoneVerify developers"),
                         "developers", developers,
                         /* Translators: replace with your name(s), one per line */
                         "translator-credits", _("translator-credits"),
                         "website", "https://example.com/phone-verify",
                         "issue-url", "https://example.com/phone-verify/issues",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "copyright", "© 2026 The PhoneVerify developers",
                         "release-notes", release_notes != NULL ? release_notes : "",
                         "release-notes-version", release,
                         "debug-info", debug_info,
                         "debug-info-filename", "phone-verify-debug-info.txt",
                         NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GApplication *application = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (application));

  /* Closing the windows first lets them cancel their requests cleanly. */
  while (windows != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (windows->data));
      windows = gtk_application_get_windows (GTK_APPLICATION (application));
    }

  g_application_quit (application);
}

static const GActionEntry app_actions[] = {
  { "preferences", preferences_action },
  { "about", about_action },
  { "quit", quit_action },
};

static void
pv_application_startup (GApplication *application)
{
  PvApplication *self = PV_APPLICATION (application);
  g_autoptr(GSettings) settings = NULL;

  /* Meanwhile libadwaita loads its style sheets, which takes longer. */
  pv_phone_number_preload ();

  G_APPLICATION_CLASS (pv_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         (const char *[]) { "<Primary>comma", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit",
                                         (const char *[]) { "<Primary>q", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay",
                                         (const char *[]) { "<Primary>question", NULL });
  /* Application accelerators, unlike widget bindings, are what the Shortcuts window can
   * show. */
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.search",
                                         (const char *[]) { "<Primary>f", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close",
                                         (const char *[]) { "<Primary>w", NULL });

  settings = g_settings_new (APP_ID);
  self->engine = pv_engine_new (settings);
  pv_engine_set_database (self->engine, self->database);
  pv_engine_load (self->engine);
}

static void
pv_application_activate (GApplication *application)
{
  PvApplication *self = PV_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    window = GTK_WINDOW (pv_window_new (ADW_APPLICATION (self), self->engine));

  gtk_window_present (window);
}

static void
pv_application_dispose (GObject *object)
{
  PvApplication *self = (PvApplication *) object;

  g_clear_object (&self->engine);
  g_clear_pointer (&self->database, g_free);

  G_OBJECT_CLASS (pv_application_parent_class)->dispose (object);
}

static void
pv_application_class_init (PvApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = pv_application_dispose;

  application_class->handle_local_options = pv_application_handle_local_options;
  application_class->startup = pv_application_startup;
  application_class->activate = pv_application_activate;
}

static void
pv_application_init (PvApplication *self)
{
  /* FILENAME rather than STRING: see lookup_text_option(). */
  static const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Show the version and exit"), NULL },
    { "send-code", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Send a verification code to NUMBER, without opening a window"), N_("NUMBER") },
    { "name", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("The customer’s name, with --send-code"), N_("NAME") },
    { "texts-us", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Verify NUMBER by a text the customer sends the office: prints the number to text, "
         "the code and a QR code, then waits for the text"), N_("NUMBER") },
    { "resend", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Send a new code to NUMBER once the wait after the last one is over, without "
         "opening a window"), N_("NUMBER") },
    { "verify", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Check the code a customer read out for NUMBER, without opening a window"),
      N_("NUMBER") },
    { "check-number", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Show how NUMBER is read: E.164, national and international forms, country and "
         "type; nothing is sent or stored"), N_("NUMBER") },
    { "channel", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("How to send the code with --send-code and --resend: “sms” for a text message, "
         "“call” to read it out by phone; without it, as the Register step would"),
      N_("CHANNEL") },
    { "country", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("The country to read a national number in, with --send-code, --verify and "
         "--check-number, such as DE"), N_("COUNTRY") },
    { "database", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Use the shared PostgreSQL database at URI with the other options, such as "
         "postgresql://desk@server/phoneverify; its password comes from the keyring or "
         "PGPASSFILE"), N_("URI") },
    { "code", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("The code the customer received, with --verify; without it, the code is read from "
         "standard input"), N_("CODE") },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

PvApplication *
pv_application_new (const char        *application_id,
                    GApplicationFlags  flags)
{
  g_return_val_if_fail (application_id != NULL, NULL);

  return g_object_new (PV_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", flags,
                       "resource-base-path", RESOURCE_BASE_PATH,
                       NULL);
}
