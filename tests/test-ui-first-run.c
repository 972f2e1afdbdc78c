/* test-ui-first-run.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A fresh installation: an empty keyring, no customers. */

#include "config.h"

#include <string.h>

#include "pv-preferences-window.h"
#include "pv-verify-view.h"
#include "pv-toast.h"
#include "pv-ui-test.h"

static PvPreferencesWindow *
find_preferences_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (PV_IS_PREFERENCES_WINDOW (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return PV_PREFERENCES_WINDOW (window);
    }

  return NULL;
}

static gboolean
preferences_shown (gpointer user_data)
{
  return find_preferences_window () != NULL;
}

static PvApplication *application;
static PvWindow      *window;

static const char *
status_icon (GtkWidget  *root,
             const char *name)
{
  GtkWidget *page = pv_ui_test_find (root, ADW_TYPE_STATUS_PAGE, name);

  g_assert_nonnull (page);

  return adw_status_page_get_icon_name (ADW_STATUS_PAGE (page));
}

static void
test_first_run (void)
{
  PvEngine *engine = pv_window_get_engine (window);
  GtkWidget *stack;
  GtkWidget *button;
  GtkWidget *view_stack;

  pv_ui_test_wait_for_state (engine, PV_ENGINE_NEEDS_ACCOUNT);
  g_assert_cmpint (pv_engine_get_credentials_source (engine), ==, PV_CREDENTIALS_SOURCE_NONE);

  stack = pv_ui_test_find (GTK_WIDGET (window), GTK_TYPE_STACK, "steps");
  g_assert_nonnull (stack);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "setup");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "Connect Your Twilio Account");
  /* A status page gets its icon when shown: the hidden ones would load the SVG renderer. */
  g_assert_cmpstr (status_icon (GTK_WIDGET (window), "setup_page"), ==,
                   "dialog-password-symbolic");
  g_assert_null (status_icon (GTK_WIDGET (window), "keyring_failed_page"));
  g_assert_null (status_icon (GTK_WIDGET (window), "store_failed_page"));

  /* The Verify view is the one shown first. */
  view_stack = pv_ui_test_find (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK, "view_stack");
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (view_stack)), ==,
                   "verify");
  pv_ui_test_screenshot (GTK_WIDGET (window), "first-run");

  /* Its button opens Preferences. */
  button = pv_ui_test_find (GTK_WIDGET (window), GTK_TYPE_BUTTON, "setup_button");
  g_assert_nonnull (button);
  pv_ui_test_click (button);
  g_assert_true (pv_ui_test_wait_until (preferences_shown, NULL, 5000));
  gtk_window_destroy (GTK_WINDOW (find_preferences_window ()));
}

static AdwAboutWindow *
find_about_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_ABOUT_WINDOW (toplevel))
        return ADW_ABOUT_WINDOW (toplevel);
    }

  return NULL;
}

static gboolean
about_shown (gpointer user_data)
{
  return find_about_window () != NULL;
}

static void
assert_shortcuts_have_keys (GtkWidget *root,
                            guint     *n_shortcuts)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (root))
    {
      g_autofree char *title = NULL;
      g_autofree char *accelerator = NULL;
      g_autofree char *action_name = NULL;

      g_object_get (root, "title", &title, "accelerator", &accelerator,
                    "action-name", &action_name, NULL);
      if (action_name != NULL)
        {
          g_auto(GStrv) accels = gtk_application_get_accels_for_action (
            GTK_APPLICATION (application), action_name);

          if (accels[0] == NULL)
            g_error ("“%s” (%s) shows no keys", title, action_name);
        }
      else if (accelerator == NULL || accelerator[0] == '\0')
        {
          g_error ("“%s” shows no keys", title);
        }
      (*n_shortcuts)++;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    assert_shortcuts_have_keys (child, n_shortcuts);
}

static void
test_application_actions (void)
{
  g_auto(GStrv) preferences = NULL;
  g_auto(GStrv) quit = NULL;
  g_auto(GStrv) shortcuts = NULL;
  g_auto(GStrv) close = NULL;
  GtkShortcutsWindow *overlay;
  AdwAboutWindow *about;
  guint n_shortcuts = 0;

  preferences = gtk_application_get_accels_for_action (GTK_APPLICATION (application),
                                                       "app.preferences");
  quit = gtk_application_get_accels_for_action (GTK_APPLICATION (application), "app.quit");
  shortcuts = gtk_application_get_accels_for_action (GTK_APPLICATION (application),
                                                     "win.show-help-overlay");
  g_assert_cmpstr (preferences[0], ==, "<Control>comma");
  g_assert_cmpstr (quit[0], ==, "<Control>q");
  g_assert_cmpstr (shortcuts[0], ==, "<Control>question");
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (application), "about"));

  /* GtkApplication found the shortcuts window in the resources. */
  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_assert_nonnull (overlay);

  /* Every shortcut it lists shows keys: an action's come from the application. */
  assert_shortcuts_have_keys (GTK_WIDGET (overlay), &n_shortcuts);
  g_assert_cmpuint (n_shortcuts, >=, 10);
  close = gtk_application_get_accels_for_action (GTK_APPLICATION (application), "window.close");
  g_assert_cmpstr (close[0], ==, "<Control>w");

  /* The About window has this release's notes, from the metainfo, and debug info. */
  g_action_group_activate_action (G_ACTION_GROUP (application), "about", NULL);
  g_assert_true (pv_ui_test_wait_until (about_shown, NULL, 5000));
  about = find_about_window ();
  g_assert_cmpstr (adw_about_window_get_release_notes_version (about), ==, PACKAGE_VERSION);
  g_assert_nonnull (strstr (adw_about_window_get_release_notes (about), "<li>"));
  g_assert_true (g_str_has_prefix (adw_about_window_get_debug_info (about),
                                   "PhoneVerify " PACKAGE_VERSION "\n"));
  g_assert_nonnull (strstr (adw_about_window_get_debug_info (about), "Customer database: "));
  gtk_window_destroy (GTK_WINDOW (about));
}

/* The window's size lives in GSettings, both ways. (Maximising needs a window manager,
 * which Xvfb does not have, so that half of the binding is not tested here.) */
static void
test_window_state_is_remembered (void)
{
  GSettings *settings = pv_engine_get_settings (pv_window_get_engine (window));
  int width;
  int height;

  gtk_window_set_default_size (GTK_WINDOW (window), 812, 654);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 812);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 654);

  g_settings_set_int (settings, "window-width", 700);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 700);
  g_assert_cmpint (height, ==, 654);
}

/* The metainfo promises a 360 px wide screen is enough: every view must fit. */
static GtkWidget *
find_toast_label (GtkWidget  *root,
                  const char *text)
{
  if (GTK_IS_LABEL (root) && strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL &&
      gtk_widget_get_ancestor (root, ADW_TYPE_TOAST_OVERLAY) != NULL &&
      gtk_widget_is_drawable (root))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_toast_label (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
test_fits_a_phone_width (void)
{
  GtkWidget *view_stack = pv_ui_test_find (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK, "view_stack");
  const char *views[] = { "verify", "customers" };
  GtkWidget *toast_label;
  AdwToast *long_toast;
  int minimum;

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (view_stack), views[i]);
      gtk_widget_measure (adw_application_window_get_content (ADW_APPLICATION_WINDOW (window)),
                          GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
      g_assert_cmpint (minimum, <=, 360);
    }

  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (view_stack), "verify");
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  pv_ui_test_screenshot (GTK_WIDGET (window), "narrow");

  /* A long toast wraps rather than losing the end of its sentence. */
  long_toast = adw_toast_new ("Twilio did not confirm the text to (415) 555-2671, so it may "
                              "or may not arrive.");
  /* Shown at once, not behind another. */
  adw_toast_set_priority (long_toast, ADW_TOAST_PRIORITY_HIGH);
  pv_toast_add (view_stack, long_toast);
  pv_ui_test_wait_for_toast (GTK_WIDGET (window), "so it may or may not arrive.");
  pv_ui_test_iterate (300);
  pv_ui_test_screenshot (GTK_WIDGET (window), "narrow-toast");
  toast_label = find_toast_label (GTK_WIDGET (window), "so it may or may not arrive.");
  g_assert_nonnull (toast_label);
  g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (toast_label))));
  g_assert_cmpint (pango_layout_get_line_count (gtk_label_get_layout (GTK_LABEL (toast_label))),
                   >, 1);
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 720);
}

static const char *
visible_step (GtkWidget *view)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (pv_ui_test_find (view, GTK_TYPE_STACK,
                                                                       "steps")));
}

/* The form is there from the first frame, while the database and the keyring are still
 * being opened: staff can start typing, and only Send Code waits. A start that takes long
 * (a keyring asking to be unlocked) says so with the spinner. The engine here is never
 * loaded, so it stays loading. */
static void
test_starts_on_the_form (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(PvEngine) engine = pv_engine_new (settings);
  GtkWidget *toplevel = gtk_window_new ();
  GtkWidget *view = g_object_new (PV_TYPE_VERIFY_VIEW, "engine", engine, NULL);
  GtkWidget *send_button = pv_ui_test_find (view, GTK_TYPE_BUTTON, "send_button");

  g_assert_cmpint (pv_engine_get_state (engine), ==, PV_ENGINE_LOADING);
  gtk_window_set_child (GTK_WINDOW (toplevel), view);
  gtk_window_set_default_size (GTK_WINDOW (toplevel), 600, 560);
  gtk_window_present (GTK_WINDOW (toplevel));
  pv_ui_test_iterate (100);

  g_assert_cmpstr (visible_step (view), ==, "register");
  gtk_editable_set_text (GTK_EDITABLE (pv_ui_test_find (view, G_TYPE_NONE, "phone_row")),
                         "(415) 555-2671");
  pv_ui_test_iterate (50);
  g_assert_false (gtk_widget_is_sensitive (send_button));
  pv_ui_test_screenshot (toplevel, "register-while-loading");

  pv_ui_test_iterate (1200);
  g_assert_cmpstr (visible_step (view), ==, "loading");
  g_assert_null (status_icon (view, "setup_page"));
  /* It says what it waits for: here the database, never opened. */
  pv_ui_test_wait_for_label (toplevel, "Opening the Customer List…");

  gtk_window_destroy (GTK_WINDOW (toplevel));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  pv_ui_test_init (&argc, &argv);
  window = pv_ui_test_open_window (&application);

  g_test_add_func ("/ui/first-run/setup-page", test_first_run);
  g_test_add_func ("/ui/first-run/actions", test_application_actions);
  g_test_add_func ("/ui/first-run/window-state", test_window_state_is_remembered);
  g_test_add_func ("/ui/first-run/narrow", test_fits_a_phone_width);
  g_test_add_func ("/ui/first-run/starts-on-the-form", test_starts_on_the_form);

  status = g_test_run ();
  pv_ui_test_close_window (window, application);

  return status;
}
