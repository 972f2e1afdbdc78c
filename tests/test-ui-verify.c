/* test-ui-verify.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The Verify view, driven like staff would drive it, against the fake Twilio. One window
 * for the whole program: the tests follow on from each other like a day at the desk. */

#include "config.h"

#include <string.h>

#include "pv-country-row.h"
#include "pv-twilio-error.h"
#include "pv-ui-test.h"
#include "pv-verify-view.h"

static PvFakeTwilio  *fake;
static PvApplication *application;
static PvWindow      *window;

static GtkWidget *
find (const char *id)
{
  return pv_ui_test_get (GTK_WIDGET (window), id);
}

/* The shared helpers, on this suite's window. */
#define visible_page()       pv_ui_test_get_step (GTK_WIDGET (window))
#define wait_for_page(step)  pv_ui_test_wait_for_step (GTK_WIDGET (window), (step))
#define type_into(id, text)  pv_ui_test_type_into (GTK_WIDGET (window), (id), (text))
#define start_over()         pv_ui_test_start_over (GTK_WIDGET (window))

static void
press (const char *id)
{
  pv_ui_test_click (find (id));
}

static gboolean focus_in_phone_field (gpointer user_data);

static gboolean
code_field_cleared (gpointer user_data)
{
  return gtk_editable_get_text (GTK_EDITABLE (find ("code_row")))[0] == '\0';
}

/* A typed code is checked off the main thread, one at a time; a code that does not verify
 * empties the field once its check is done, ready for the next. */
static void
enter_refused_code (const char *code)
{
  type_into ("code_row", code);
  press ("verify_button");
  if (!pv_ui_test_wait_until (code_field_cleared, NULL, 10000))
    g_error ("The check of a refused code did not end");
}


static void
send_to (const char *number)
{
  start_over ();
  type_into ("phone_row", number);
  press ("send_button");
}

/* Staff never see a code: no label anywhere in the window contains it. */
static void
assert_code_not_shown (const char *code)
{
  g_assert_null (pv_ui_test_find_label (GTK_WIDGET (window), code));
}

static gboolean
focus_is (gpointer user_data)
{
  return gtk_root_get_focus (GTK_ROOT (window)) == user_data;
}

/* Presses Send Code and checks what staff are told; returns the code the customer got. */
static char *
send_and_read_code (const char *shown,
                    const char *e164)
{
  g_autofree char *title = g_strdup_printf ("Enter the Code Sent to %s", shown);
  g_autofree char *toast = g_strdup_printf ("A verification code was sent to %s.", shown);
  char *code;

  press ("send_button");
  wait_for_page ("verify");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), title);
  pv_ui_test_wait_for_toast (GTK_WIDGET (window), toast);

  code = pv_fake_twilio_dup_last_code_to (fake, e164);
  g_assert_nonnull (code);
  return code;
}

static void
test_verify_again_from_toast (void)
{
  GSettings *settings = pv_engine_get_settings (pv_window_get_engine (window));
  g_autofree char *second_code = NULL;
  GtkWidget *button;

  /* No wait since the first code: the verification just happened. */
  g_settings_set_uint (settings, "resend-cooldown", 0);
  type_into ("phone_row", "(415) 555-2671");
  press ("send_button");
  pv_ui_test_wait_for_toast (GTK_WIDGET (window), "(415) 555-2671 is already verified.");
  button = pv_ui_test_find_toast_button (GTK_WIDGET (window), "Verify _Again");
  g_assert_nonnull (button);
  pv_ui_test_click (button);

  wait_for_page ("verify");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "Enter the Code Sent to (415) 555-2671");
  second_code = pv_fake_twilio_dup_last_code_to (fake, "+14155552671");
  g_assert_nonnull (second_code);
  type_into ("code_row", second_code);
  g_signal_emit_by_name (find ("code_row"), "entry-activated");
  wait_for_page ("verified");
  g_settings_reset (settings, "resend-cooldown");
  press ("another_button");
  wait_for_page ("register");
}

static void
test_happy_path (void)
{
  g_autofree char *code = NULL;
  GtkWidget *send_button = find ("send_button");

  wait_for_page ("register");

  /* Send Code waits for a number. */
  g_assert_false (gtk_widget_is_sensitive (send_button));
  pv_ui_test_screenshot (GTK_WIDGET (window), "register-empty");

  type_into ("phone_row", "(415) 555-2671");
  type_into ("name_row", "Ada Lovelace");
  g_assert_true (gtk_widget_is_sensitive (send_button));
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "The code will be sent to (415) 555-2671, United States");
  pv_ui_test_screenshot (GTK_WIDGET (window), "register");

  /* The customer's phone gets the code; staff hear it read out and type it. */
  code = send_and_read_code ("(415) 555-2671", "+14155552671");
  assert_code_not_shown (code);
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "Delivered");
  pv_ui_test_screenshot (GTK_WIDGET (window), "verify");

  /* The keyboard is where it needs to be: typing the code, then Enter. */
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), find ("code_row")));
  type_into ("code_row", code);
  g_signal_emit_by_name (find ("code_row"), "entry-activated");
  wait_for_page ("verified");
  /* The focus moves once the page transition ends: wait for it, however slow the frames. */
  if (!pv_ui_test_wait_until (focus_is, find ("another_button"), 10000))
    g_error ("Verify Another Number did not get the focus");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "Number Verified");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "(415) 555-2671 · Ada Lovelace");
  pv_ui_test_wait_for_toast (GTK_WIDGET (window), "(415) 555-2671 is now verified.");
  pv_ui_test_screenshot (GTK_WIDGET (window), "verified");

  /* And the Customers view lists them as verified. */
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (find ("view_stack")), "customers");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "Ada Lovelace");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "Verified");
  pv_ui_test_screenshot (GTK_WIDGET (window), "customers");
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (find ("view_stack")), "verify");

  /* Verify Another Number goes back to an empty form. */
  press ("another_button");
  wait_for_page ("register");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find ("phone_row"))), ==, "");

  /* The same number again: it is verified, and the toast offers to verify it again, which
   * sends it a new code at once. */
  test_verify_again_from_toast ();
}

static void
test_enter_sends (void)
{
  start_over ();
  type_into ("phone_row", "+1 415 555 2672");
  g_signal_emit_by_name (find ("phone_row"), "entry-activated");
  wait_for_page ("verify");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "Enter the Code Sent to (415) 555-2672");
}

/* Back a step (Escape) keeps the number as typed; sending again finds the code already
 * sent and comes back to the code step without a second text. */
static void
test_back_a_step (void)
{
  guint n_messages;

  start_over ();
  type_into ("phone_row", "+1 415 555 2673");
  press ("send_button");
  wait_for_page ("verify");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "Enter the Code Sent to (415) 555-2673");
  n_messages = pv_fake_twilio_get_messages (fake)->len;

  g_assert_true (gtk_widget_activate_action (find ("verify_view"), "verify.back", NULL));
  wait_for_page ("register");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find ("phone_row"))), ==,
                   "+1 415 555 2673");
  if (!pv_ui_test_wait_until (focus_in_phone_field, NULL, 5000))
    g_error ("Back did not put the focus in the number field");

  press ("send_button");
  wait_for_page ("verify");
  pv_ui_test_wait_for_toast (GTK_WIDGET (window), "A code was already sent to (415) 555-2673.");
  g_assert_cmpuint (pv_fake_twilio_get_messages (fake)->len, ==, n_messages);
}

/* The toast gives the gist (the first sentence); the register step shows all of it. */
static void
expect_problem (const char *message,
                const char *button)
{
  const char *end = strstr (message, ". ");
  g_autofree char *gist = end != NULL ? g_strndup (message, end + 1 - message)
                                      : g_strdup (message);

  pv_ui_test_wait_for_toast (GTK_WIDGET (window), gist);
  if (button != NULL)
    pv_ui_test_wait_for_toast (GTK_WIDGET (window), button);
  pv_ui_test_wait_for_label (find ("register_problem_label"), message);
  g_assert_cmpstr (visible_page (), ==, "register");
}

/* A problem with what was typed is shown once, at its field: marked (for sight and for
 * assistive technologies) with the whole explanation under the form, and no toast. */
static void
expect_field_problem (const char *message,
                      const char *field)
{
  const char *end = strstr (message, ". ");
  g_autofree char *gist = end != NULL ? g_strndup (message, end + 1 - message)
                                      : g_strdup (message);

  pv_ui_test_wait_for_label (find ("register_problem_label"), message);
  g_assert_cmpstr (visible_page (), ==, "register");
  g_assert_true (gtk_widget_has_css_class (find (field), "error"));
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), find (field)) ||
                 gtk_root_get_focus (GTK_ROOT (window)) == find (field));
  pv_ui_test_iterate (300);
  g_assert_false (pv_ui_test_has_toast (GTK_WIDGET (window), gist));
}

/* Each problem gets its own explanation, and a button for the useful next step. */
static void
test_errors_become_toasts (void)
{
  g_autoptr(GError) trial = pv_twilio_error_new_from_code (21608, 400);
  g_autoptr(GError) rate_limited = pv_twilio_error_new_from_code (20429, 429);
  g_autoptr(GError) invalid = pv_twilio_error_new_from_code (21211, 400);
  g_autoptr(GError) auth = pv_twilio_error_new_from_code (20003, 401);
  PvTwilioClient *client = pv_engine_get_client (pv_window_get_engine (window));
  g_autoptr(PvTwilioCredentials) good = NULL;
  g_autoptr(PvTwilioCredentials) wrong = NULL;

  /* Refused before anything is sent. */
  send_to ("1-800-FLOWERS");
  expect_field_problem ("A phone number can only contain digits, not letters.", "phone_row");
  pv_ui_test_screenshot (GTK_WIDGET (window), "register-error");
  /* Editing the number clears the mark. */
  type_into ("phone_row", "1-800-FLOWER");
  g_assert_false (gtk_widget_has_css_class (find ("phone_row"), "error"));

  /* Twilio's "invalid number", not a generic failure: also the number's to correct. */
  send_to ("+15005550001");
  expect_field_problem (invalid->message, "phone_row");

  /* A trial account texting an unverified number. */
  pv_fake_twilio_set_trial_account (fake, TRUE);
  send_to ("+14155550100");
  expect_problem (trial->message, "Open Twilio Console");
  pv_fake_twilio_set_trial_account (fake, FALSE);

  /* Too many requests: nothing was sent, and it is worth retrying. */
  pv_fake_twilio_set_fault (fake, PV_FAKE_TWILIO_FAULT_HTTP_429);
  send_to ("+14155550101");
  expect_problem (rate_limited->message, "Retry");
  pv_fake_twilio_set_fault (fake, PV_FAKE_TWILIO_FAULT_NONE);

  /* A 5xx may come after Twilio took the message: not a failure, an unknown outcome. The
   * code may arrive, so the code step opens and says so, and Resend is the way on. */
  pv_fake_twilio_set_fault (fake, PV_FAKE_TWILIO_FAULT_HTTP_503);
  send_to ("+14155550110");
  wait_for_page ("verify");
  pv_ui_test_wait_for_toast (GTK_WIDGET (window),
                             "Twilio did not confirm the text to (415) 555-0110.");
  pv_ui_test_wait_for_label (GTK_WIDGET (window),
                             "Not confirmed by Twilio: the text may or may not arrive");
  pv_ui_test_screenshot (GTK_WIDGET (window), "verify-outcome-unknown");
  pv_fake_twilio_set_fault (fake, PV_FAKE_TWILIO_FAULT_NONE);

  /* Wrong credentials: the way out is in Preferences. */
  good = pv_engine_dup_credentials (pv_window_get_engine (window));
  wrong = pv_twilio_credentials_new (good->account_sid, NULL, "00000000000000000000000000000000",
                                     good->from, NULL);
  pv_twilio_client_set_credentials (client, wrong);
  send_to ("+14155550102");
  expect_problem (auth->message, "Open Preferences");
  pv_ui_test_screenshot (GTK_WIDGET (window), "toast-auth-failed");
  pv_twilio_client_set_credentials (client, good);

  /* The next attempt clears the explanation. */
  send_to ("+14155550107");
  wait_for_page ("verify");
  start_over ();
  g_assert_false (gtk_widget_get_visible (find ("register_problem_label")));
}

static void
test_wrong_code_then_lock (void)
{
  g_autofree char *code = NULL;
  g_autofree char *wrong = NULL;
  guint n_messages;

  send_to ("+14155550103");
  wait_for_page ("verify");
  n_messages = pv_fake_twilio_get_messages (fake)->len;
  code = pv_fake_twilio_dup_last_code_to (fake, "+14155550103");
  wrong = g_strdup (code);
  wrong[0] = wrong[0] == '9' ? '0' : wrong[0] + 1;

  enter_refused_code (wrong);
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "4 attempts left");
  pv_ui_test_wait_for_toast (GTK_WIDGET (window), "Wrong code: 4 attempts left.");
  pv_ui_test_screenshot (GTK_WIDGET (window), "verify-wrong-code");

  for (guint i = 0; i < 4; i++)
    enter_refused_code (wrong);
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "The code is locked. Send a new code to try again.");
  /* The toast says the whole fact, not only "Wrong code." */
  pv_ui_test_wait_for_toast (GTK_WIDGET (window),
                             "Wrong code, and that was the last attempt: the code is now "
                             "locked, so send a new one to try again.");

  /* Its Resend button, pressed while the cooldown runs, says when a code can go. */
  g_assert_true (pv_verify_view_get_resend_wait (PV_VERIFY_VIEW (find ("verify_view"))) > 0);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.resend", NULL);
  pv_ui_test_wait_for_toast (GTK_WIDGET (window), "Another code can be sent in ");
  g_assert_cmpuint (pv_fake_twilio_get_messages (fake)->len, ==, n_messages);

  /* The right code no longer works either. */
  enter_refused_code (code);
  pv_ui_test_wait_for_toast (GTK_WIDGET (window),
                             "The code for (415) 555-0103 is locked after too many wrong "
                             "attempts.");
  g_assert_cmpstr (visible_page (), ==, "verify");
}

static gboolean
resend_ready (gpointer user_data)
{
  return gtk_widget_is_sensitive (find ("resend_button"));
}

static gboolean
fake_has_messages (gpointer user_data)
{
  return pv_fake_twilio_get_messages (fake)->len >= *(guint *) user_data;
}

static void
test_resend_cooldown (void)
{
  GSettings *settings = pv_engine_get_settings (pv_window_get_engine (window));
  GtkButton *resend = GTK_BUTTON (find ("resend_button"));
  guint n_messages, expected_messages;

  g_settings_set_uint (settings, "resend-cooldown", 3);
  send_to ("+14155550104");
  wait_for_page ("verify");
  n_messages = pv_fake_twilio_get_messages (fake)->len;

  /* The button counts down, and cannot be used until it reaches zero. */
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (resend)));
  g_assert_true (g_str_has_prefix (gtk_button_get_label (resend), "_Text Again ("));
  g_assert_true (g_str_has_suffix (gtk_button_get_label (resend), "seconds)"));
  g_assert_false (gtk_widget_is_sensitive (find ("switch_button")));
  g_assert_true (g_str_has_prefix (gtk_button_get_label (GTK_BUTTON (find ("switch_button"))),
                                   "Call _Instead ("));
  pv_ui_test_screenshot (GTK_WIDGET (window), "verify-cooldown");

  g_assert_true (pv_ui_test_wait_until (resend_ready, NULL, 6000));
  g_assert_cmpstr (gtk_button_get_label (resend), ==, "_Text Again");
  pv_ui_test_click (GTK_WIDGET (resend));
  /* The first send's toast may still be up with the same words: wait for the text itself. */
  expected_messages = n_messages + 1;
  g_assert_true (pv_ui_test_wait_until (fake_has_messages, &expected_messages, 10000));
  pv_ui_test_wait_for_toast (GTK_WIDGET (window), "The same code was texted to (415) 555-0104 again.");
  pv_ui_test_iterate (200);
  g_assert_cmpuint (pv_fake_twilio_get_messages (fake)->len, ==, n_messages + 1);
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (resend)));

  g_settings_reset (settings, "resend-cooldown");
}

static gboolean
switch_ready (gpointer user_data)
{
  return gtk_widget_is_sensitive (find ("switch_button"));
}

/* Call Instead reads out the same code; the line under the title follows the call. */
static void
test_call_instead (void)
{
  GSettings *settings = pv_engine_get_settings (pv_window_get_engine (window));
  g_autoptr(GSettingsSchema) desktop_schema = NULL;
  g_autoptr(GSettings) desktop = NULL;
  g_autofree char *texted = NULL;
  g_autofree char *called = NULL;
  const char *description;

  desktop_schema = g_settings_schema_source_lookup (g_settings_schema_source_get_default (),
                                                    "org.gnome.desktop.interface", TRUE);
  g_settings_set_uint (settings, "resend-cooldown", 1);
  start_over ();
  type_into ("phone_row", "+14155550121");
  press ("send_button");
  wait_for_page ("verify");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "Enter the Code Sent to (415) 555-0121");
  texted = pv_fake_twilio_dup_last_code_to (fake, "+14155550121");
  g_assert_nonnull (texted);

  g_assert_true (pv_ui_test_wait_until (switch_ready, NULL, 6000));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (find ("switch_button"))), ==, "Call _Instead");
  press ("switch_button");
  pv_ui_test_wait_for_toast (GTK_WIDGET (window), "Calling (415) 555-0121 to read out the same code.");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "Call ended: the code was read out");
  called = pv_fake_twilio_dup_last_call_code_to (fake, "+14155550121");
  g_assert_cmpstr (called, ==, texted);

  /* After a call, the buttons offer the call again, or a text. */
  g_assert_true (pv_ui_test_wait_until (switch_ready, NULL, 6000));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (find ("resend_button"))), ==, "_Call Again");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (find ("switch_button"))), ==, "Text _Instead");

  /* The Verified step's time follows the desktop's clock, here the 12-hour one. */
  if (desktop_schema != NULL)
    {
      desktop = g_settings_new ("org.gnome.desktop.interface");
      g_settings_set_string (desktop, "clock-format", "12h");
    }

  type_into ("code_row", texted);
  g_signal_emit_by_name (find ("code_row"), "entry-activated");
  wait_for_page ("verified");
  description = adw_status_page_get_description (ADW_STATUS_PAGE (find ("verified_page")));
  g_assert_true (strstr (description, "\nVerified on ") != NULL);
  if (desktop != NULL)
    {
      g_assert_true (g_str_has_suffix (description, " AM") ||
                     g_str_has_suffix (description, " PM"));
      g_settings_reset (desktop, "clock-format");
    }
  g_settings_reset (settings, "resend-cooldown");
}

/* A call nobody answers says so, and its toast offers the same code by text. */
static void
test_call_not_answered (void)
{
  pv_fake_twilio_set_call_outcome (fake, "+14155550122", "no-answer", 0);
  start_over ();
  type_into ("phone_row", "+14155550122");
  adw_combo_row_set_selected (ADW_COMBO_ROW (find ("channel_row")), 1);
  press ("send_button");
  wait_for_page ("verify");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "No answer");
  pv_ui_test_wait_for_toast (GTK_WIDGET (window), "Nobody answered the call to (415) 555-0122.");
  g_assert_nonnull (pv_ui_test_find_toast_button (GTK_WIDGET (window), "Text _Instead"));
  pv_ui_test_screenshot (GTK_WIDGET (window), "verify-call-no-answer");
}

static void
test_delivery_line (void)
{
  pv_fake_twilio_set_delivery_outcome (fake, "+14155550105", "undelivered", 30003);
  send_to ("+14155550105");
  wait_for_page ("verify");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "Not delivered:");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), pv_twilio_error_describe_delivery (30003));
  pv_ui_test_wait_for_toast (GTK_WIDGET (window), "Resend");
  pv_ui_test_screenshot (GTK_WIDGET (window), "verify-not-delivered");
}

static gboolean
focus_in_phone_field (gpointer user_data)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  return focus != NULL && gtk_widget_is_ancestor (focus, find ("phone_row"));
}

/* Each refusal's toast offers what fixes it: the Console page for Geo Permissions, and
 * the number as typed, to correct, for a number that is not in service. */
static void
test_toast_next_steps (void)
{
  pv_fake_twilio_set_create_error (fake, "+14155550131", 21408);
  send_to ("+14155550131");
  pv_ui_test_wait_for_toast (GTK_WIDGET (window),
                             "The Twilio account is not allowed to text this country.");
  g_assert_nonnull (pv_ui_test_find_toast_button (GTK_WIDGET (window), "Open Twilio _Console"));
  g_assert_cmpstr (visible_page (), ==, "register");
  pv_fake_twilio_set_create_error (fake, "+14155550131", 0);

  pv_fake_twilio_set_delivery_outcome (fake, "+14155550132", "undelivered", 30005);
  send_to ("(415) 555-0132");
  wait_for_page ("verify");
  pv_ui_test_wait_for_toast (GTK_WIDGET (window), "The code could not be delivered to");
  g_assert_nonnull (pv_ui_test_find_toast_button (GTK_WIDGET (window), "_Edit Number"));

  /* Edit Number goes back to the form with the number as it was typed, ready to correct. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.edit-number", NULL));
  wait_for_page ("register");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find ("phone_row"))), ==,
                   "(415) 555-0132");
  if (!pv_ui_test_wait_until (focus_in_phone_field, NULL, 5000))
    g_error ("Edit Number did not put the focus in the number field");
}

static gboolean
window_is_inactive (gpointer user_data)
{
  return !gtk_window_is_active (GTK_WINDOW (user_data));
}

static gboolean
has_notification (gpointer user_data)
{
  GPtrArray *notifications = pv_ui_test_get_notifications ();

  for (guint i = 0; i < notifications->len; i++)
    if (g_str_equal (g_ptr_array_index (notifications, i), user_data))
      return TRUE;

  return FALSE;
}

/* With staff in another window, a verification is also announced on the desktop. */
static void
test_notifies_when_away (void)
{
  PvVerifier *verifier = pv_engine_get_verifier (pv_window_get_engine (window));
  g_autofree char *code = NULL;
  GtkWidget *other;

  send_to ("+14155550109");
  wait_for_page ("verify");
  code = pv_fake_twilio_dup_last_code_to (fake, "+14155550109");

  /* While the window has focus, only a toast. */
  g_assert_false (has_notification ("Code Delivered\nThe code reached (415) 555-0109."));

  other = gtk_window_new ();
  gtk_window_present (GTK_WINDOW (other));
  if (!pv_ui_test_wait_until (window_is_inactive, window, 3000))
    {
      gtk_window_destroy (GTK_WINDOW (other));
      g_test_skip ("The X server gave no other window the focus");
      return;
    }

  g_assert_true (pv_verifier_verify (verifier, "+14155550109", code, NULL));
  g_assert_true (pv_ui_test_wait_until (has_notification,
                                        "Number Verified\n(415) 555-0109 is now verified.", 5000));
  gtk_window_destroy (GTK_WINDOW (other));
  gtk_window_present (GTK_WINDOW (window));
}

static gboolean
window_is_mapped (gpointer user_data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (user_data));
}

static gboolean
fake_has_message_to (gpointer user_data)
{
  return pv_fake_twilio_get_last_message_to (fake, user_data) != NULL;
}

static gboolean
send_state_is_unknown (gpointer user_data)
{
  g_autoptr(PvCustomer) customer = pv_store_lookup (pv_engine_get_store (user_data),
                                                    "+14155550108", NULL);

  return customer != NULL && customer->send_state == PV_SEND_STATE_UNKNOWN;
}

/* Closing the window mid-send cancels the request cleanly: no crash, no late toast. The
 * request had already reached Twilio, so the customer and its code stay, with the outcome
 * unknown, for the next window to resend. */
static gboolean
phone_reads (gpointer user_data)
{
  return g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (find ("phone_row"))), user_data) == 0;
}

/* Types one character at a time at the cursor, as the keyboard does, so that the phone
 * field's as-you-type formatting runs as it does for staff. */
static void
type_keys (const char *id,
           const char *keys)
{
  GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (find (id)));

  gtk_editable_set_text (GTK_EDITABLE (find (id)), "");
  gtk_widget_grab_focus (GTK_WIDGET (text));
  for (const char *p = keys; *p != '\0'; p++)
    {
      char key[2] = { *p, '\0' };

      g_signal_emit_by_name (text, "insert-at-cursor", key);
      /* Keystrokes come with frames between them. */
      pv_ui_test_iterate (20);
    }
}

static gboolean
label_shown (gpointer user_data)
{
  return pv_ui_test_find_label (GTK_WIDGET (window), user_data) != NULL;
}

/* An office in Germany: a national number is read as German, formatted as it is typed,
 * texted to the right E.164 number and shown the German way everywhere; numbers from
 * elsewhere are shown in international form. */
static void
test_office_in_germany (void)
{
  GSettings *settings = pv_engine_get_settings (pv_window_get_engine (window));
  g_autofree char *code = NULL;
  guint n_texts = pv_fake_twilio_get_messages (fake)->len;

  g_settings_set_string (settings, "default-country", "DE");
  start_over ();

  type_keys ("phone_row", "0301234567");
  if (!pv_ui_test_wait_until (phone_reads, "030 1234567", 5000))
    g_error ("The phone field reads “%s”, not “030 1234567”",
             gtk_editable_get_text (GTK_EDITABLE (find ("phone_row"))));
  /* A landline: the code is read out by a call, in German, and that is what the row and
   * the line under the number say. */
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "The code will be read out by a call to "
                                                  "030 1234567, Germany");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (find ("channel_row"))), ==, 1);
  type_into ("name_row", "Emmy Noether");
  pv_ui_test_screenshot (GTK_WIDGET (window), "register-germany");

  press ("send_button");
  wait_for_page ("verify");
  pv_ui_test_wait_for_toast (GTK_WIDGET (window), "Calling 030 1234567 to read out a "
                                                  "verification code, in German.");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "Call ended: the code was read out");
  g_assert_cmpuint (pv_fake_twilio_get_messages (fake)->len, ==, n_texts);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (find ("resend_button"))), !=, NULL);
  pv_ui_test_screenshot (GTK_WIDGET (window), "verify-call");
  code = pv_fake_twilio_dup_last_call_code_to (fake, "+49301234567");
  g_assert_nonnull (code);
  assert_code_not_shown (code);

  type_into ("code_row", code);
  g_signal_emit_by_name (find ("code_row"), "entry-activated");
  wait_for_page ("verified");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "030 1234567 · Emmy Noether");
  pv_ui_test_wait_for_toast (GTK_WIDGET (window), "030 1234567 is now verified.");

  /* In the list: national for Germany, international for the US customers of before. */
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (find ("view_stack")), "customers");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "030 1234567");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "+1 415-555-2671");
  g_assert_null (pv_ui_test_find_label (GTK_WIDGET (window), "(415) 555-2671"));
  pv_ui_test_screenshot (GTK_WIDGET (window), "customers-germany");

  /* Back in a US office, the same list reads the other way round, without a restart. */
  g_settings_set_string (settings, "default-country", "US");
  if (!pv_ui_test_wait_until (label_shown, "(415) 555-2671", 5000))
    g_error ("The list did not follow the office's country");
  pv_ui_test_wait_for_label (GTK_WIDGET (window), "+49 30 1234567");
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (find ("view_stack")), "verify");
  start_over ();
}

static GtkDropDown *
country_drop_down (void)
{
  GtkWidget *drop_down = pv_ui_test_find (find ("country_row"), GTK_TYPE_DROP_DOWN, NULL);

  g_assert_nonnull (drop_down);
  return GTK_DROP_DOWN (drop_down);
}

static gboolean
countries_filled (gpointer user_data)
{
  return g_list_model_get_n_items (gtk_drop_down_get_model (country_drop_down ())) > 200;
}

static const char *
selected_country_label (void)
{
  GtkStringObject *item = gtk_drop_down_get_selected_item (country_drop_down ());

  return item != NULL ? gtk_string_object_get_string (item) : NULL;
}

static guint
n_countries (GtkDropDown *drop_down)
{
  return g_list_model_get_n_items (gtk_drop_down_get_model (drop_down));
}

/* The country list holds only the office's country until staff come to it, however long the
 * page has been drawn; the focus coming to it fills it, and choosing a country there sets
 * that country. */
static void
test_country_list (void)
{
  PvCountryRow *row = PV_COUNTRY_ROW (find ("country_row"));
  GtkDropDown *drop_down = country_drop_down ();
  GListModel *countries;
  guint germany = GTK_INVALID_LIST_POSITION;

  pv_ui_test_iterate (500);
  g_assert_cmpuint (n_countries (drop_down), ==, 1);
  g_assert_cmpstr (selected_country_label (), ==, "United States (+1)");
  /* Drawn as the combo row under it, not as a button (resources/style.css). */
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (drop_down), "row-value"));
  g_assert_true (gtk_widget_has_css_class (gtk_widget_get_first_child (GTK_WIDGET (drop_down)),
                                           "flat"));

  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (drop_down)));
  if (!pv_ui_test_wait_until (countries_filled, NULL, 5000))
    g_error ("The country list still has %u countries", n_countries (drop_down));
  g_assert_cmpstr (pv_country_row_get_country (row), ==, "US");
  g_assert_cmpstr (selected_country_label (), ==, "United States (+1)");

  countries = gtk_drop_down_get_model (drop_down);
  for (guint i = 0; i < g_list_model_get_n_items (countries); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (countries, i);

      if (g_str_equal (gtk_string_object_get_string (item), "Germany (+49)"))
        germany = i;
    }
  g_assert_cmpuint (germany, !=, GTK_INVALID_LIST_POSITION);

  gtk_drop_down_set_selected (drop_down, germany);
  g_assert_cmpstr (pv_country_row_get_country (row), ==, "DE");
  pv_country_row_set_country (row, "US");
  g_assert_cmpstr (selected_country_label (), ==, "United States (+1)");
  gtk_widget_grab_focus (find ("phone_row"));
}

/* Opened with no approach first (its button clicked by assistive technology, or the row
 * activated), the list is full by the time it shows: no idle is waited for. */
static void
test_country_list_opened_at_once (void)
{
  for (guint how = 0; how < 2; how++)
    {
      GtkWidget *other = gtk_window_new ();
      GtkWidget *list = gtk_list_box_new ();
      GtkWidget *row = g_object_new (PV_TYPE_COUNTRY_ROW, "country", "FR", NULL);
      GtkDropDown *drop_down = GTK_DROP_DOWN (pv_ui_test_find (row, GTK_TYPE_DROP_DOWN, NULL));

      gtk_list_box_append (GTK_LIST_BOX (list), row);
      gtk_window_set_child (GTK_WINDOW (other), list);
      gtk_window_present (GTK_WINDOW (other));
      pv_ui_test_iterate (300);
      g_assert_cmpuint (n_countries (drop_down), ==, 1);

      if (how == 0)
        pv_ui_test_click (gtk_widget_get_first_child (GTK_WIDGET (drop_down)));
      else
        gtk_widget_activate (row);
      g_assert_cmpuint (n_countries (drop_down), >, 200);
      g_assert_cmpstr (pv_country_row_get_country (PV_COUNTRY_ROW (row)), ==, "FR");

      gtk_window_destroy (GTK_WINDOW (other));
      pv_ui_test_iterate (50);
    }
}

static void
test_close_cancels (void)
{
  PvEngine *engine = pv_window_get_engine (window);
  g_autoptr(PvCustomer) customer = NULL;
  const guint slow_delay_ms = 1500;
  gint64 reply_due;

  pv_fake_twilio_set_fault (fake, PV_FAKE_TWILIO_FAULT_SLOW);
  pv_fake_twilio_set_slow_delay (fake, slow_delay_ms);
  send_to ("+14155550108");
  /* Close only once the request has reached Twilio (the fake takes the message at once and
   * holds back its answer), however long the request takes to go out. */
  g_assert_true (pv_ui_test_wait_until (fake_has_message_to, "+14155550108", 10000));
  reply_due = g_get_monotonic_time () + (gint64) slow_delay_ms * 1000;

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (pv_ui_test_wait_until (send_state_is_unknown, engine, 10000));
  /* And the late answer comes to an app without that window: no crash. */
  if (g_get_monotonic_time () < reply_due + 500 * 1000)
    pv_ui_test_iterate ((reply_due + 500 * 1000 - g_get_monotonic_time ()) / 1000);
  customer = pv_store_lookup (pv_engine_get_store (engine), "+14155550108", NULL);
  g_assert_nonnull (customer);
  g_assert_nonnull (customer->code_digest);
  g_assert_cmpint (customer->send_state, ==, PV_SEND_STATE_UNKNOWN);
  pv_fake_twilio_set_fault (fake, PV_FAKE_TWILIO_FAULT_NONE);

  /* The application carries on; a new window picks up where the engine is. */
  g_application_activate (G_APPLICATION (application));
  window = PV_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (application)));
  g_assert_true (pv_ui_test_wait_until (window_is_mapped, window, 5000));
  wait_for_page ("register");
}

/* Run last: it stops the fake. */
static void
test_network_refused (void)
{
  g_clear_object (&fake);
  send_to ("+14155550106");
  pv_ui_test_wait_until ((PvUiTestPredicate) gtk_widget_get_visible, find ("register_problem_label"),
                         10000);
  expect_problem (gtk_label_get_label (GTK_LABEL (find ("register_problem_label"))), "Retry");
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (find ("register_problem_label"))),
                            "Twilio"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  pv_ui_test_init (&argc, &argv);

  fake = pv_ui_test_start_fake ();
  pv_ui_test_save_credentials (fake);
  window = pv_ui_test_open_window (&application);
  pv_ui_test_wait_for_state (pv_window_get_engine (window), PV_ENGINE_READY);

  g_test_add_func ("/ui/verify/country-list", test_country_list);
  g_test_add_func ("/ui/verify/country-list/opened-at-once", test_country_list_opened_at_once);
  g_test_add_func ("/ui/verify/happy-path", test_happy_path);
  g_test_add_func ("/ui/verify/enter-sends", test_enter_sends);
  g_test_add_func ("/ui/verify/back-a-step", test_back_a_step);
  g_test_add_func ("/ui/verify/errors", test_errors_become_toasts);
  g_test_add_func ("/ui/verify/wrong-code", test_wrong_code_then_lock);
  g_test_add_func ("/ui/verify/resend-cooldown", test_resend_cooldown);
  g_test_add_func ("/ui/verify/delivery", test_delivery_line);
  g_test_add_func ("/ui/verify/toast-next-steps", test_toast_next_steps);
  g_test_add_func ("/ui/verify/call-instead", test_call_instead);
  g_test_add_func ("/ui/verify/call-not-answered", test_call_not_answered);
  g_test_add_func ("/ui/verify/notifies-when-away", test_notifies_when_away);
  g_test_add_func ("/ui/verify/office-in-germany", test_office_in_germany);
  g_test_add_func ("/ui/verify/close-cancels", test_close_cancels);
  g_test_add_func ("/ui/verify/network-refused", test_network_refused);

  status = g_test_run ();

  pv_ui_test_close_window (window, application);
  g_clear_object (&fake);

  return status;
}
