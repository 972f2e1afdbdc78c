/* test-ui-store-failure.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* When the customer database cannot be opened, both views say why in the store's own
 * words, with the file to look at and what to do: never SQLite's or the system's. Each
 * test breaks the default location (in the throwaway XDG_DATA_HOME of keyring-session.sh)
 * in its own way, then opens the real window. */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "pv-customers-view.h"
#include "pv-ui-test.h"

static void
assert_no_raw_text (const char *message)
{
  for (int result = 1; result <= SQLITE_WARNING; result++)
    g_assert_null (strstr (message, sqlite3_errstr (result)));

  g_assert_null (strstr (message, g_strerror (ENOTDIR)));
  g_assert_null (strstr (message, g_strerror (ENOENT)));
}

static PvApplication *application;
static PvWindow *window;
static PvEngine *engine;

static char *
data_folder (void)
{
  return g_build_filename (g_get_user_data_dir (), "phone-verify", NULL);
}

/* Checks that both views show the engine's whole explanation, which says @expected, under
 * their title. */
static void
check_store_failure (const char *expected,
                     const char *screenshot)
{
  GtkWidget *customers_view;
  GtkWidget *view_stack = pv_ui_test_find (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK,
                                           "view_stack");
  GtkWidget *stack;
  const char *problem;

  pv_ui_test_wait_for_state (engine, PV_ENGINE_STORE_FAILED);
  problem = pv_engine_get_problem (engine);
  g_assert_nonnull (problem);
  if (strstr (problem, expected) == NULL)
    g_error ("“%s” does not say “%s”", problem, expected);
  assert_no_raw_text (problem);

  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (view_stack), "verify");
  stack = pv_ui_test_find (GTK_WIDGET (window), GTK_TYPE_STACK, "steps");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "store-failed");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "The Customer List Cannot Be Opened");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), problem);
  pv_ui_test_screenshot (GTK_WIDGET (window), screenshot);

  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (view_stack), "customers");
  customers_view = pv_ui_test_find (GTK_WIDGET (window), PV_TYPE_CUSTOMERS_VIEW, NULL);
  stack = pv_ui_test_find (customers_view, GTK_TYPE_STACK, "stack");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "store-failed");
  pv_ui_test_wait_for_label (customers_view, problem);
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (view_stack), "verify");
}

/* main () put a file where PhoneVerify's folder should be, before the window opened. The
 * system would only have said “Not a directory”. */
static void
test_folder_blocked (void)
{
  g_autofree char *folder = data_folder ();
  g_autofree char *display_name = g_filename_display_name (folder);
  g_autofree char *expected = g_strdup_printf ("because “%s” is a file, not a folder. Move or "
                                               "rename that file, then restart PhoneVerify.",
                                               display_name);

  check_store_failure (expected, "store-failed-folder-blocked");
}

/* A file that is not a database at all: SQLite would say “file is not a database”. */
static void
test_damaged (void)
{
  g_autofree char *folder = data_folder ();
  g_autofree char *path = g_build_filename (folder, "phone-verify.db", NULL);
  g_autofree char *display_name = g_filename_display_name (path);
  g_autofree char *expected = g_strdup_printf ("The file “%s” is damaged, or it is not a "
                                               "customer database.", display_name);
  g_autofree char *after = NULL;

  g_assert_cmpint (g_unlink (folder), ==, 0);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "minutes of the office meeting", -1, NULL));

  /* What a restart would do. */
  pv_engine_load (engine);
  check_store_failure (expected, "store-failed-damaged");

  /* Left as it was, for someone to rescue. */
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, "minutes of the office meeting");
}

/* Once the file is moved away, as the message says, PhoneVerify starts a new one. */
static void
test_moved_away (void)
{
  g_autofree char *folder = data_folder ();
  g_autofree char *path = g_build_filename (folder, "phone-verify.db", NULL);
  g_autofree char *moved = g_build_filename (g_get_user_data_dir (), "minutes.txt", NULL);
  GtkWidget *stack = pv_ui_test_find (GTK_WIDGET (window), GTK_TYPE_STACK, "steps");

  g_assert_cmpint (g_rename (path, moved), ==, 0);
  pv_engine_load (engine);
  pv_ui_test_wait_for_state (engine, PV_ENGINE_NEEDS_ACCOUNT);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), !=, "store-failed");
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (moved, G_FILE_TEST_IS_REGULAR));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *folder = NULL;
  int status;

  pv_ui_test_init (&argc, &argv);

  /* Broken before the window opens, since opening it opens the database. */
  folder = data_folder ();
  g_assert_true (g_file_set_contents (folder, "not a folder", -1, NULL));
  window = pv_ui_test_open_window (&application);
  engine = pv_window_get_engine (window);

  g_test_add_func ("/ui/store-failure/folder-blocked", test_folder_blocked);
  g_test_add_func ("/ui/store-failure/damaged", test_damaged);
  g_test_add_func ("/ui/store-failure/moved-away", test_moved_away);

  status = g_test_run ();
  pv_ui_test_close_window (window, application);

  return status;
}
