/* test-ui-translated.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Runs once per language (LANGUAGE=de, fr, es): every piece of text the window and
 * Preferences show must come out of that language's catalogue. A label still showing an
 * English message the catalogue knows (the translation of the text differs from the text)
 * means a string escaped translation. */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "pv-preferences-window.h"
#include "pv-ui-test.h"

static guint
count_untranslated (GtkWidget  *widget,
                    GPtrArray  *found)
{
  guint n = 0;

  if (GTK_IS_LABEL (widget) && gtk_widget_is_drawable (widget))
    {
      const char *texts[] = { gtk_label_get_label (GTK_LABEL (widget)),
                              gtk_label_get_text (GTK_LABEL (widget)) };

      for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
        {
          const char *text = texts[i];

          if (text[0] != '\0' && g_strcmp0 (g_dgettext (GETTEXT_PACKAGE, text), text) != 0)
            {
              g_ptr_array_add (found, g_strdup (text));
              n++;
              break;
            }
        }
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_untranslated (child, found);

  return n;
}

static void
assert_translated (GtkWidget  *root,
                   const char *what)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);

  count_untranslated (root, found);
  for (guint i = 0; i < found->len; i++)
    g_test_message ("%s: untranslated “%s”", what, (char *) g_ptr_array_index (found, i));
  g_assert_cmpuint (found->len, ==, 0);
}

static void
test_everything_translated (void)
{
  PvApplication *application;
  PvWindow *window = pv_ui_test_open_window (&application);
  PvEngine *engine = pv_window_get_engine (window);
  GtkWidget *view_stack;
  PvPreferencesWindow *preferences;
  g_autofree char *name = NULL;

  pv_ui_test_wait_for_state (engine, PV_ENGINE_NEEDS_ACCOUNT);

  /* The catalogue is really in use: a known title is not the English one. */
  g_assert_cmpstr (_("Connect Your Twilio Account"), !=, "Connect Your Twilio Account");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), _("Connect Your Twilio Account"));
  assert_translated (GTK_WIDGET (window), "first run");

  view_stack = pv_ui_test_find (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK, "view_stack");
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (view_stack), "customers");
  pv_ui_test_iterate (300);
  assert_translated (GTK_WIDGET (window), "customers");

  preferences = pv_preferences_window_new (GTK_WINDOW (window), engine);
  gtk_window_present (GTK_WINDOW (preferences));
  pv_ui_test_wait_for_label (GTK_WIDGET (preferences), _("Twilio Account"));
  assert_translated (GTK_WIDGET (preferences), "preferences");
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences),
                                                "verification");
  pv_ui_test_iterate (300);
  assert_translated (GTK_WIDGET (preferences), "verification preferences");

  name = g_strdup_printf ("translated-%s", g_getenv ("LANGUAGE"));
  pv_ui_test_screenshot (GTK_WIDGET (preferences), name);
  gtk_window_destroy (GTK_WINDOW (preferences));

  pv_ui_test_close_window (window, application);
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("PV_TEST_LOCALEDIR");

  pv_ui_test_init (&argc, &argv);

  /* gtk_test_init() fixes the locale; take the environment's again, and the catalogues of
   * the build tree rather than the install prefix main.c would use. */
  g_assert_nonnull (setlocale (LC_ALL, ""));
  g_assert_nonnull (localedir);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_add_func ("/ui/translated", test_everything_translated);

  return g_test_run ();
}
