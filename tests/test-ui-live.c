/* test-ui-live.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Several windows, the command line or other desks share one database. Here a second
 * connection to the same database stands in for them: what it changes, the open window
 * must show within a second, without anyone pressing anything.
 *
 * With PV_UI_LIVE_BACKEND=postgresql the window uses a shared database on a real
 * PostgreSQL server of the test's own, set up through the settings as Preferences would,
 * and the other desk is a second PvPgStore on it; then the server also restarts under the
 * open window. */

#include "config.h"

#include "pv-pg-store.h"
#include "pv-sqlite-store.h"
#include "pv-test-postgres.h"
#include "pv-ui-test.h"

#define NUMBER "+14155550142"
#define SHOWN "(415) 555-0142"  /* NUMBER as a US office reads it out */

/* "Within a second": the watcher looks a few times a second, and the Customers view
 * coalesces reloads over a moment. */
#define FOLLOW_TIMEOUT_MS 1000

static PvFakeTwilio  *fake;
static PvApplication *application;
static PvWindow      *window;
static PvStore       *other_desk;
static PvTestPostgres *postgres;

static GtkWidget *
find (const char *id)
{
  GtkWidget *widget = pv_ui_test_find (GTK_WIDGET (window), G_TYPE_NONE, id);

  g_assert_nonnull (widget);
  return widget;
}

static gboolean
page_is (gpointer user_data)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (find ("steps"))),
                    user_data) == 0;
}

static gboolean
label_shown (gpointer user_data)
{
  GtkWidget *label = pv_ui_test_find_label (GTK_WIDGET (window), user_data);

  return label != NULL && gtk_widget_is_drawable (label);
}

static gboolean
label_gone (gpointer user_data)
{
  return !label_shown (user_data);
}

static void
assert_follows (PvUiTestPredicate  predicate,
                const char        *what)
{
  gint64 start = g_get_monotonic_time ();

  if (!pv_ui_test_wait_until (predicate, (gpointer) what, FOLLOW_TIMEOUT_MS))
    g_error ("The window did not show “%s” within %d ms of the other desk's change",
             what, FOLLOW_TIMEOUT_MS);

  g_test_message ("“%s” shown after %" G_GINT64_FORMAT " ms", what,
                  (g_get_monotonic_time () - start) / 1000);
}

/* What a wrong code typed at the other desk does to the store. */
static void
other_desk_enters_wrong_code (void)
{
  g_auto(PvAttempt) attempt = { 0, };
  g_autoptr(GError) error = NULL;

  g_assert_true (pv_store_claim_attempt (other_desk, NUMBER, 5, &attempt, &error));
  g_assert_no_error (error);
  g_assert_cmpint (attempt.verdict, ==, PV_ATTEMPT_GRANTED);
  g_assert_true (pv_store_record_failed_attempt (other_desk, NUMBER, &error));
  g_assert_no_error (error);
}

static void
test_verify_step_follows (void)
{
  g_auto(PvAttempt) attempt = { 0, };
  g_autoptr(GError) error = NULL;
  gboolean applied = FALSE;

  gtk_editable_set_text (GTK_EDITABLE (find ("phone_row")), NUMBER);
  pv_ui_test_click (find ("send_button"));
  pv_ui_test_wait_until (page_is, "verify", 10000);
  pv_ui_test_wait_for_toast (GTK_WIDGET (window), "A verification code was sent to " SHOWN ".");
  g_assert_false (gtk_widget_get_visible (find ("attempts_label")));

  other_desk_enters_wrong_code ();
  assert_follows (label_shown, "4 attempts left");

  /* The customer read the code out at the other desk. */
  g_assert_true (pv_store_claim_attempt (other_desk, NUMBER, 5, &attempt, &error));
  g_assert_cmpint (attempt.verdict, ==, PV_ATTEMPT_GRANTED);
  g_assert_true (pv_store_mark_verified (other_desk, NUMBER, attempt.code_digest, NULL, &applied,
                                         &error));
  g_assert_no_error (error);
  g_assert_true (applied);
  assert_follows (page_is, "verified");
}

static void
test_customers_view_follows (void)
{
  g_autoptr(PvCustomer) customer = pv_customer_new ("+14155550199");
  g_autoptr(GError) error = NULL;

  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (find ("view_stack")), "customers");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "Verified");
  g_assert_null (pv_ui_test_find_label (GTK_WIDGET (window), "Grace Hopper"));

  customer->name = g_strdup ("Grace Hopper");
  g_assert_true (pv_store_insert_customer (other_desk, customer, PV_EVENT_CODE_SENT, NULL, &error));
  g_assert_no_error (error);
  assert_follows (label_shown, "Grace Hopper");

  g_assert_true (pv_store_delete_customer (other_desk, "+14155550199", PV_EVENT_DELETED, NULL,
                                           &error));
  g_assert_no_error (error);
  /* And gone again once the other desk deletes it. */
  if (!pv_ui_test_wait_until (label_gone, "Grace Hopper", FOLLOW_TIMEOUT_MS))
    g_error ("The deleted customer is still listed");
}

static gboolean
offline_bar_shown (gpointer user_data)
{
  GtkWidget *bar = find ("offline_revealer");

  return gtk_widget_get_visible (bar) && gtk_revealer_get_reveal_child (GTK_REVEALER (bar));
}

/* Folded, and once folded hidden: it costs the window no measuring while it is not needed. */
static gboolean
offline_bar_gone (gpointer user_data)
{
  return !gtk_widget_get_visible (find ("offline_revealer"));
}

/* The server restarts under the open window: it says it is reconnecting for as long as
 * it is, keeps what it shows, and once back follows the other desk again. */
static void
test_server_restart (void)
{
  g_autoptr(PvCustomer) customer = pv_customer_new ("+14155550177");
  g_autoptr(GError) error = NULL;
  gboolean inserted;

  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (find ("view_stack")), "customers");
  g_assert_true (offline_bar_gone (NULL));

  g_assert_true (pv_test_postgres_stop_server (postgres, &error));
  g_assert_no_error (error);
  if (!pv_ui_test_wait_until (offline_bar_shown, NULL, 10000))
    g_error ("The window did not say it is reconnecting");
  pv_ui_test_screenshot (GTK_WIDGET (window), "shared-database-reconnecting");
  /* What was listed stays listed. */
  g_assert_true (label_shown ("Verified"));

  g_assert_true (pv_test_postgres_start_server (postgres, &error));
  g_assert_no_error (error);
  if (!pv_ui_test_wait_until (offline_bar_gone, NULL, 20000))
    g_error ("The window still says it is reconnecting after the server came back");

  customer->name = g_strdup ("Ada Lovelace");
  inserted = pv_store_insert_customer (other_desk, customer, PV_EVENT_CODE_SENT, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (inserted);
  assert_follows (label_shown, "Ada Lovelace");
}

/* The window's settings point at a fresh database on the test's server. */
static char *
use_shared_database (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) error = NULL;
  char *address;

  postgres = pv_test_postgres_start (&error);
  g_assert_no_error (error);
  address = pv_test_postgres_create_database (postgres, "ui_live", &error);
  g_assert_no_error (error);

  uri = g_uri_parse (address, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_settings_set_string (settings, "database", "shared");
  g_settings_set_string (settings, "database-host", g_uri_get_host (uri));
  g_settings_set_int (settings, "database-port", g_uri_get_port (uri));
  g_settings_set_string (settings, "database-name", g_uri_get_path (uri) + 1);
  g_settings_set_string (settings, "database-user", g_uri_get_user (uri));
  g_settings_set_string (settings, "database-tls", "disable");

  return address;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *address = NULL;
  gboolean shared = g_strcmp0 (g_getenv ("PV_UI_LIVE_BACKEND"), "postgresql") == 0;
  int status;

  pv_ui_test_init (&argc, &argv);

  if (shared)
    address = use_shared_database ();

  fake = pv_ui_test_start_fake ();
  pv_ui_test_save_credentials (fake);
  window = pv_ui_test_open_window (&application);
  pv_ui_test_wait_for_state (pv_window_get_engine (window), PV_ENGINE_READY);

  if (shared)
    {
      g_assert_true (PV_IS_PG_STORE (pv_engine_get_store (pv_window_get_engine (window))));
      other_desk = PV_STORE (pv_pg_store_open (address, NULL, NULL, &error));
    }
  else
    {
      path = pv_sqlite_store_get_default_path ();
      other_desk = PV_STORE (pv_sqlite_store_open (path, NULL, &error));
    }
  g_assert_no_error (error);

  g_test_add_func ("/ui/live/verify-step-follows", test_verify_step_follows);
  g_test_add_func ("/ui/live/customers-view-follows", test_customers_view_follows);
  if (shared)
    g_test_add_func ("/ui/live/server-restart", test_server_restart);

  status = g_test_run ();

  g_clear_object (&other_desk);
  pv_ui_test_close_window (window, application);
  g_clear_object (&fake);
  g_clear_pointer (&postgres, pv_test_postgres_free);

  return status;
}
