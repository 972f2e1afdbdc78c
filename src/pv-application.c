/* pv-application.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pv-application"

#include "config.h"

#include <glib/gi18n.h>

#include "pv-application.h"
#include "pv-command-line.h"

struct _PvApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (PvApplication, pv_application, ADW_TYPE_APPLICATION)

/* Command-line verbs run in the calling process and never open a window, so they work
 * without a display: for --version, for scripts, and for the sandbox. */
static int
pv_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  const char *send_to = NULL;
  const char *verify = NULL;
  const char *code = NULL;
  const char *name = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return 0;
    }

  g_variant_dict_lookup (options, "send-code", "&s", &send_to);
  g_variant_dict_lookup (options, "verify", "&s", &verify);
  g_variant_dict_lookup (options, "code", "&s", &code);
  g_variant_dict_lookup (options, "name", "&s", &name);

  if (send_to != NULL && verify != NULL)
    {
      g_printerr ("%s\n", _("Use either --send-code or --verify, not both."));
      return 2;
    }

  if (send_to != NULL)
    return pv_command_line_send_code (send_to, name);

  if (verify != NULL)
    {
      if (code == NULL)
        {
          g_printerr ("%s\n", _("--verify needs the code the customer received: --code=CODE"));
          return 2;
        }
      return pv_command_line_verify (verify, code);
    }

  return G_APPLICATION_CLASS (pv_application_parent_class)->handle_local_options (application,
                                                                                   options);
}

static void
pv_application_activate (GApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    {
      window = GTK_WINDOW (adw_application_window_new (GTK_APPLICATION (application)));
      gtk_window_set_title (window, _("PhoneVerify"));
      gtk_window_set_default_size (window, 600, 640);
    }

  gtk_window_present (window);
}

static void
pv_application_class_init (PvApplicationClass *klass)
{
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  application_class->handle_local_options = pv_application_handle_local_options;
  application_class->activate = pv_application_activate;
}

static void
pv_application_init (PvApplication *self)
{
  static const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Show the version and exit"), NULL },
    { "send-code", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Send a verification code to NUMBER, without opening a window"), N_("NUMBER") },
    { "name", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("The customer’s name, with --send-code"), N_("NAME") },
    { "verify", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Check the code a customer read out for NUMBER, without opening a window"),
      N_("NUMBER") },
    { "code", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("The code the customer received, with --verify"), N_("CODE") },
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
