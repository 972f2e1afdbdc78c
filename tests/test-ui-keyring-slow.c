/* test-ui-keyring-slow.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A keyring that takes its time, as one waiting for its password to be typed into the
 * system's prompt does: the real gnome-keyring-daemon of the test session, stopped with
 * SIGSTOP while the window opens. The window says what it waits for, in words, and goes on
 * by itself once the keyring answers. */

#include "config.h"

#include <signal.h>
#include <sys/types.h>

#include "pv-ui-test.h"

static pid_t keyring_pid;

/* The process that owns the Secret Service's name on the test's session bus. */
static pid_t
find_keyring_daemon (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint32 pid = 0;

  g_assert_nonnull (bus);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus",
                                       "GetConnectionUnixProcessID",
                                       g_variant_new ("(s)", "org.freedesktop.secrets"),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, 5000,
                                       NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &pid);
  g_assert_cmpuint (pid, >, 1);

  return (pid_t) pid;
}

/* Whatever happens to the test, the keyring goes on: a stopped daemon would outlive the
 * session. */
static void
resume_keyring (void)
{
  if (keyring_pid > 0)
    kill (keyring_pid, SIGCONT);
}

static gboolean
engine_loaded (gpointer user_data)
{
  return pv_engine_get_state (user_data) != PV_ENGINE_LOADING;
}

static void
test_waiting_for_keyring (void)
{
  PvApplication *application;
  PvWindow *window;
  PvEngine *engine;

  keyring_pid = find_keyring_daemon ();
  atexit (resume_keyring);
  g_assert_cmpint (kill (keyring_pid, SIGSTOP), ==, 0);

  window = pv_ui_test_open_window (&application);
  engine = pv_window_get_engine (window);

  /* The database opens; the keyring does not answer: after a moment the step says so,
   * and what to do. */
  pv_ui_test_wait_for_step (GTK_WIDGET (window), "loading");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "Waiting for the Keyring…");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "If your computer asks for a password to "
                             "unlock the keyring, enter it to go on.");
  g_assert_nonnull (pv_engine_get_store (engine));
  g_assert_cmpint (pv_engine_get_state (engine), ==, PV_ENGINE_LOADING);
  pv_ui_test_screenshot (GTK_WIDGET (window), "keyring-waiting");

  /* Unlocked: the window goes on by itself, no button to press. */
  g_assert_cmpint (kill (keyring_pid, SIGCONT), ==, 0);
  if (!pv_ui_test_wait_until (engine_loaded, engine, 30000))
    g_error ("The window still waits for the keyring after it answered");
  g_assert_cmpint (pv_engine_get_state (engine), !=, PV_ENGINE_KEYRING_FAILED);
  g_assert_cmpstr (pv_ui_test_get_step (GTK_WIDGET (window)), !=, "loading");

  pv_ui_test_close_window (window, application);
}

int
main (int   argc,
      char *argv[])
{
  pv_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/keyring-slow", test_waiting_for_keyring);

  return g_test_run ();
}
