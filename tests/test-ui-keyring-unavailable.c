/* test-ui-keyring-unavailable.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Run on a D-Bus session where nothing provides the Secret Service (keyring-session.sh
 * with KEYRING_SESSION_MODE=none): the app says so, keeps working for browsing, and
 * never falls back to storing secrets anywhere else. */

#include "config.h"

#include <glib/gstdio.h>

#include "pv-preferences-window.h"
#include "pv-secret-store.h"
#include "pv-ui-test.h"

static void
test_keyring_unavailable (void)
{
  PvApplication *application;
  PvWindow *window = pv_ui_test_open_window (&application);
  PvEngine *engine = pv_window_get_engine (window);
  g_autoptr(GError) expected = NULL;
  g_autofree char *data_dir = NULL;
  PvPreferencesWindow *preferences;
  GtkWidget *stack;
  GtkWidget *view_stack;

  pv_ui_test_wait_for_state (engine, PV_ENGINE_KEYRING_FAILED);
  g_assert_nonnull (pv_engine_get_problem (engine));

  stack = pv_ui_test_find (GTK_WIDGET (window), GTK_TYPE_STACK, "steps");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "keyring-failed");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "Can’t Open the Keyring");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), pv_engine_get_problem (engine));
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "Customers can still be browsed.");
  pv_ui_test_screenshot (GTK_WIDGET (window), "keyring-unavailable");

  /* The customer list is still there. */
  g_assert_nonnull (pv_engine_get_store (engine));
  view_stack = pv_ui_test_find (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK, "view_stack");
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (view_stack), "customers");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "No Customers Yet");

  /* Preferences opens without crashing, and explains. */
  preferences = pv_preferences_window_new (GTK_WINDOW (window), engine);
  gtk_window_present (GTK_WINDOW (preferences));
  pv_ui_test_wait_for_label (GTK_WIDGET (preferences), pv_engine_get_problem (engine));
  pv_ui_test_screenshot (GTK_WIDGET (preferences), "preferences-keyring-unavailable");
  gtk_window_destroy (GTK_WINDOW (preferences));

  /* Trying again finds the keyring still missing, and says so again. */
  pv_ui_test_click (pv_ui_test_find (GTK_WIDGET (window), GTK_TYPE_BUTTON,
                                      "keyring_retry_button"));
  pv_ui_test_wait_for_state (engine, PV_ENGINE_KEYRING_FAILED);

  /* Nothing fell back to a plain file: the data folder holds only the database. */
  data_dir = g_build_filename (g_get_user_data_dir (), "phone-verify", NULL);
  {
    g_autoptr(GDir) dir = g_dir_open (data_dir, 0, NULL);
    const char *name;

    g_assert_nonnull (dir);
    while ((name = g_dir_read_name (dir)) != NULL)
      g_assert_true (g_str_has_prefix (name, "phone-verify.db"));
  }

  pv_ui_test_close_window (window, application);
}

int
main (int   argc,
      char *argv[])
{
  pv_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/keyring-unavailable", test_keyring_unavailable);

  return g_test_run ();
}
