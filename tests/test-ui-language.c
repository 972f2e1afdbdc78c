/* test-ui-language.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The real window in German (LANGUAGE=de), with the catalogs just built in the build tree:
 * the .ui files, the C code, plurals and the schema's translated default all reach the
 * screen. The screenshots are there for people to check that long German words fit. */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "pv-preferences-window.h"
#include "pv-ui-test.h"

static PvFakeTwilio  *fake;
static PvApplication *application;
static PvWindow      *window;

static GtkWidget *
find (const char *id)
{
  GtkWidget *widget = pv_ui_test_find (GTK_WIDGET (window), G_TYPE_NONE, id);

  g_assert_nonnull (widget);
  return widget;
}

static PvPreferencesWindow *
find_preferences_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (PV_IS_PREFERENCES_WINDOW (toplevel) && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return PV_PREFERENCES_WINDOW (toplevel);
    }

  return NULL;
}

static gboolean
preferences_shown (gpointer user_data)
{
  return find_preferences_window () != NULL;
}

static gboolean
page_is (gpointer user_data)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (find ("steps"))),
                    user_data) == 0;
}

static gboolean
window_is_active (gpointer user_data)
{
  return gtk_window_is_active (GTK_WINDOW (window));
}

static char *
dup_menu_label (GMenuModel *menu,
                guint       section,
                guint       item)
{
  g_autoptr(GMenuModel) items = g_menu_model_get_item_link (menu, section, G_MENU_LINK_SECTION);
  char *label = NULL;

  g_assert_nonnull (items);
  g_assert_true (g_menu_model_get_item_attribute (items, item, G_MENU_ATTRIBUTE_LABEL, "s",
                                                  &label));
  return label;
}

static void
test_first_run (void)
{
  GtkWidget *root = GTK_WIDGET (window);
  GtkWidget *view_stack = find ("view_stack");
  GMenuModel *menu;
  g_autofree char *preferences_label = NULL;
  g_autofree char *about_label = NULL;

  pv_ui_test_wait_for_state (pv_window_get_engine (window), PV_ENGINE_NEEDS_ACCOUNT);

  /* From the .ui files: the first-run page, its button, the view switcher and the menu. */
  pv_ui_test_wait_for_label (root, "Verbinden Sie Ihr Twilio-Konto");
  pv_ui_test_wait_for_label (root, "Einstellungen öffnen");
  pv_ui_test_wait_for_label (root, "Verifizieren");
  pv_ui_test_wait_for_label (root, "Kunden");
  g_assert_null (pv_ui_test_find_label (root, "Connect Your Twilio Account"));
  g_assert_cmpstr (adw_view_stack_page_get_title (
                     adw_view_stack_get_page (ADW_VIEW_STACK (view_stack),
                                              adw_view_stack_get_child_by_name (
                                                ADW_VIEW_STACK (view_stack), "customers"))),
                   ==, "Kunden");

  menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (find ("primary_menu_button")));
  preferences_label = dup_menu_label (menu, 0, 0);
  about_label = dup_menu_label (menu, 0, 2);
  g_assert_cmpstr (preferences_label, ==, "_Einstellungen");
  g_assert_cmpstr (about_label, ==, "_Info zu PhoneVerify");

  pv_ui_test_screenshot (root, "language-de");
}

static void
test_preferences (void)
{
  PvPreferencesWindow *preferences;

  pv_ui_test_click (find ("setup_button"));
  g_assert_true (pv_ui_test_wait_until (preferences_shown, NULL, 5000));
  preferences = find_preferences_window ();

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (preferences)), ==, "Einstellungen");
  pv_ui_test_wait_for_label (GTK_WIDGET (preferences), "Twilio-Konto");
  pv_ui_test_wait_for_label (GTK_WIDGET (preferences), "Absender");
  pv_ui_test_wait_for_label (GTK_WIDGET (preferences), "Verbindung testen");
  pv_ui_test_screenshot (GTK_WIDGET (preferences), "language-de-preferences");

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences),
                                                "verification");
  pv_ui_test_wait_for_label (GTK_WIDGET (preferences), "Wartezeit vor erneutem Senden");
  pv_ui_test_wait_for_label (GTK_WIDGET (preferences), "Land des Büros");
  pv_ui_test_screenshot (GTK_WIDGET (preferences), "language-de-preferences-verification");

  /* The office's language is the one the app runs in; the wording is the customers'. */
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences),
                                                "messages");
  pv_ui_test_wait_for_label (GTK_WIDGET (preferences), "Sprache des Büros");
  pv_ui_test_wait_for_label (GTK_WIDGET (preferences), "Deutsch");
  pv_ui_test_wait_for_label (GTK_WIDGET (preferences), "Ihr Bestätigungscode: 1234567890.");
  pv_ui_test_screenshot (GTK_WIDGET (preferences), "language-de-preferences-messages");

  gtk_window_destroy (GTK_WINDOW (preferences));

  /* Back to the main window, as staff would: while it is inactive, delivery reports go out
   * as desktop notifications, and this session has no notification server. */
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (pv_ui_test_wait_until (window_is_active, NULL, 5000));
}

static void
test_plurals (void)
{
  /* German has one form for 1 and another for everything else, 0 included. */
  g_assert_cmpstr (ngettext ("%u attempt left", "%u attempts left", 1), ==, "Noch %u Versuch");
  g_assert_cmpstr (ngettext ("%u attempt left", "%u attempts left", 0), ==, "Noch %u Versuche");
  g_assert_cmpstr (ngettext ("%u attempt left", "%u attempts left", 2), ==, "Noch %u Versuche");
  g_assert_cmpstr (C_("customer status", "Verified"), ==, "Verifiziert");
}

static void
credentials_saved_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  pv_engine_save_credentials_finish (PV_ENGINE (object), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

/* Connects the fake's account as Preferences would, so the window leaves the first-run page. */
static void
connect_account (void)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;
  gboolean done = FALSE;

  credentials = pv_twilio_credentials_new (pv_fake_twilio_get_account_sid (fake), NULL,
                                           pv_fake_twilio_get_auth_token (fake),
                                           pv_fake_twilio_get_phone_number (fake), NULL);
  pv_engine_save_credentials_async (pv_window_get_engine (window), credentials, NULL,
                                    credentials_saved_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_verify (void)
{
  GtkWidget *root = GTK_WIDGET (window);
  connect_account ();
  pv_ui_test_wait_for_state (pv_window_get_engine (window), PV_ENGINE_READY);
  g_assert_true (pv_ui_test_wait_until (page_is, (gpointer) "register", 10000));

  pv_ui_test_wait_for_label (root, "Telefonnummer verifizieren");
  gtk_editable_set_text (GTK_EDITABLE (find ("phone_row")), "(415) 555-2671");
  gtk_editable_set_text (GTK_EDITABLE (find ("name_row")), "Ada Lovelace");
  pv_ui_test_wait_for_label (root, "Der Code wird an (415) 555-2671 (Vereinigte Staaten) gesendet");
  pv_ui_test_wait_for_label (root, "Code senden");
  pv_ui_test_screenshot (root, "language-de-register");

  /* The longest label of all: the resend button counting down, in the C code's ngettext. */
  pv_ui_test_click (find ("send_button"));
  g_assert_true (pv_ui_test_wait_until (page_is, (gpointer) "verify", 10000));
  pv_ui_test_wait_for_label (root, "Code für (415) 555-2671 eingeben");
  pv_ui_test_wait_for_label (root, "SMS erneut senden (");
  /* A US number gets English, which is not the office's language, and the toast says so. */
  pv_ui_test_wait_for_toast (root, "Ein Bestätigungscode wurde an (415) 555-2671 gesendet "
                                   "(Sprache: Englisch).");
  pv_ui_test_screenshot (root, "language-de-code");

  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (find ("view_stack")), "customers");
  pv_ui_test_wait_for_label (root, "Letzte Aktivität");
  pv_ui_test_wait_for_label (root, "Ausstehend");
  pv_ui_test_wait_for_label (root, "Heute, ");
  pv_ui_test_screenshot (root, "language-de-customers");
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("PV_TEST_LOCALEDIR");
  int status;

  pv_ui_test_init (&argc, &argv);

  /* gtk_test_init() sets a fixed locale (en_US.UTF-8, or "C" where that is not installed,
   * and under "C" gettext ignores LANGUAGE), so take the environment's again. And the app
   * binds its domain to the install prefix in main.c, which this program does not run. */
  g_assert_nonnull (setlocale (LC_ALL, ""));
  g_assert_nonnull (localedir);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  fake = pv_ui_test_start_fake ();
  window = pv_ui_test_open_window (&application);

  g_test_add_func ("/ui/language/de/first-run", test_first_run);
  g_test_add_func ("/ui/language/de/preferences", test_preferences);
  g_test_add_func ("/ui/language/de/plurals", test_plurals);
  g_test_add_func ("/ui/language/de/verify", test_verify);

  status = g_test_run ();
  pv_ui_test_close_window (window, application);
  g_object_unref (fake);

  return status;
}
