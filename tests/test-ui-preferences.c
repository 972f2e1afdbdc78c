/* test-ui-preferences.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The Preferences window over the real application's window, in a private keyring with
 * the fake Twilio. Each test starts from an empty keyring and default settings. The
 * TWILIO_* variables are process-wide, so the test that sets them runs last. */

#include "config.h"

#include <string.h>

#include "pv-database.h"
#include "pv-language.h"
#include "pv-message-editor.h"
#include "pv-message-template.h"
#include "pv-preferences-window.h"
#include "pv-secret-store.h"
#include "pv-test-postgres.h"
#include "pv-twilio-error.h"
#include "pv-country-row.h"
#include "pv-ui-test.h"

/* The friendly name the fake gives its account, as Twilio does for a new account. */
#define FAKE_ACCOUNT_NAME "My first Twilio account"

static PvFakeTwilio *fake;

/* In GTK 4.8 a registered application is never freed, so a second one with the same ID
 * cannot register: the tests share one window. The first opens Preferences as staff do;
 * the others give it an engine of their own, loaded from the keyring as they left it. */
static PvApplication *application;
static PvWindow *main_window;

typedef struct
{
  PvEngine            *engine;
  PvPreferencesWindow *preferences;
} Fixture;

static void
on_ready (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static void
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static PvTwilioCredentials *
lookup_keyring (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PvTwilioCredentials *credentials;

  pv_secret_store_lookup_credentials_async (NULL, on_ready, &result);
  wait_for (&result);
  credentials = pv_secret_store_lookup_credentials_finish (result, &error);
  g_assert_no_error (error);

  return credentials;
}

static void
clear_keyring (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  pv_secret_store_clear_credentials_async (NULL, on_ready, &result);
  wait_for (&result);
  pv_secret_store_clear_credentials_finish (result, &error);
  g_assert_no_error (error);
}

static void
reset_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

static gboolean
preferences_mapped (gpointer user_data)
{
  Fixture *f = user_data;

  return f->preferences != NULL && gtk_widget_get_mapped (GTK_WIDGET (f->preferences));
}

/* Opens Preferences over the main window, for an engine of the test's own, loaded from
 * the keyring as it is now. */
static void
open_preferences (Fixture       *f,
                  PvEngineState  state)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  f->engine = pv_engine_new (settings);
  pv_engine_load (f->engine);
  pv_ui_test_wait_for_state (f->engine, state);

  f->preferences = pv_preferences_window_new (GTK_WINDOW (main_window), f->engine);
  gtk_window_present (GTK_WINDOW (f->preferences));
  g_assert_true (pv_ui_test_wait_until (preferences_mapped, f, 5000));
}

/* Every test starts from an empty keyring and the default settings. */
static void
setup (Fixture       *f,
       gconstpointer  data)
{
  clear_keyring ();
  reset_settings ();
}

/* The window must go away once closed: nothing it started may keep it alive. */
static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  PvPreferencesWindow *preferences = f->preferences;

  g_object_add_weak_pointer (G_OBJECT (preferences), (gpointer *) &preferences);
  gtk_window_destroy (GTK_WINDOW (f->preferences));
  pv_ui_test_iterate (50);
  g_assert_null (preferences);

  g_clear_object (&f->engine);
}

static GtkWidget *
find (Fixture    *f,
      GType       type,
      const char *id)
{
  GtkWidget *widget = pv_ui_test_find (GTK_WIDGET (f->preferences), type, id);

  g_assert_nonnull (widget);
  return widget;
}

static void
type_into (Fixture    *f,
           const char *id,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (find (f, ADW_TYPE_ENTRY_ROW, id)), text);
}

static const char *
row_text (Fixture    *f,
          const char *id)
{
  return gtk_editable_get_text (GTK_EDITABLE (find (f, ADW_TYPE_ENTRY_ROW, id)));
}

static gboolean
row_has_error (Fixture    *f,
               const char *id)
{
  return gtk_widget_has_css_class (find (f, ADW_TYPE_ENTRY_ROW, id), "error");
}

static gboolean
button_sensitive (Fixture    *f,
                  const char *id)
{
  return gtk_widget_is_sensitive (find (f, GTK_TYPE_BUTTON, id));
}

static void
clicked_cb (GtkButton *button,
            gpointer   user_data)
{
  gboolean *clicked = user_data;

  *clicked = TRUE;
}

static gboolean
is_true (gpointer user_data)
{
  return *(gboolean *) user_data;
}

/* As from the keyboard: the button shows itself pressed for a moment before “clicked”. */
static gboolean
shown (Fixture    *f,
       const char *id)
{
  return gtk_widget_is_visible (find (f, GTK_TYPE_WIDGET, id));
}

static void
click (Fixture    *f,
       const char *id)
{
  GtkWidget *button = find (f, GTK_TYPE_BUTTON, id);
  gboolean clicked = FALSE;
  gulong handler;

  g_assert_true (gtk_widget_is_sensitive (button));
  handler = g_signal_connect (button, "clicked", G_CALLBACK (clicked_cb), &clicked);
  g_assert_true (gtk_widget_activate (button));
  g_assert_true (pv_ui_test_wait_until (is_true, &clicked, 2000));
  g_signal_handler_disconnect (button, handler);
}

static const char *
account_description (Fixture *f)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (find (f, ADW_TYPE_PREFERENCES_GROUP,
                                                            "account_group"));

  return adw_preferences_group_get_description (group);
}

static void
type_fake_account (Fixture *f)
{
  type_into (f, "account_sid_row", pv_fake_twilio_get_account_sid (fake));
  type_into (f, "secret_row", pv_fake_twilio_get_auth_token (fake));
  type_into (f, "sender_row", pv_fake_twilio_get_phone_number (fake));
}

/* What the main menu and Ctrl+, do. */
static void
test_app_action (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(PvEngine) engine = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_window), "app.preferences", NULL));

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (application)); l; l = l->next)
    {
      if (PV_IS_PREFERENCES_WINDOW (l->data))
        f->preferences = l->data;
    }

  g_assert_nonnull (f->preferences);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (f->preferences))
                 == GTK_WINDOW (main_window));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (f->preferences)));
  g_object_get (f->preferences, "engine", &engine, NULL);
  g_assert_true (engine == pv_window_get_engine (main_window));
  g_assert_true (pv_ui_test_wait_until (preferences_mapped, f, 5000));
}

static void
test_validation (Fixture       *f,
                 gconstpointer  data)
{
  AdwPreferencesRow *secret_row;

  open_preferences (f, PV_ENGINE_NEEDS_ACCOUNT);

  g_assert_cmpstr (row_text (f, "account_sid_row"), ==, "");
  g_assert_false (row_has_error (f, "account_sid_row"));
  g_assert_false (button_sensitive (f, "save_button"));
  g_assert_false (button_sensitive (f, "test_button"));
  /* Nothing saved, nothing to forget. */
  g_assert_false (shown (f, "forget_button"));
  pv_ui_test_screenshot (GTK_WIDGET (f->preferences), "preferences-empty");

  /* A SID being typed, or pasted with a character missing. */
  type_into (f, "account_sid_row", "AC0123456789abcdef");
  type_into (f, "secret_row", pv_fake_twilio_get_auth_token (fake));
  type_into (f, "sender_row", "+1 500 555 0006");
  g_assert_true (row_has_error (f, "account_sid_row"));
  g_assert_false (row_has_error (f, "sender_row"));
  g_assert_nonnull (strstr (account_description (f), "“AC”"));
  g_assert_false (button_sensitive (f, "save_button"));
  g_assert_false (button_sensitive (f, "test_button"));

  type_into (f, "sender_row", "12");
  g_assert_true (row_has_error (f, "sender_row"));

  pv_ui_test_screenshot (GTK_WIDGET (f->preferences), "preferences-invalid");

  type_into (f, "account_sid_row", pv_fake_twilio_get_account_sid (fake));

  /* What was typed is quoted in the explanation, which is markup: an "&" must not break it
   * (GTK would warn, fatally here, and the explanation would vanish). */
  type_into (f, "sender_row", "+1 555 & 1234");
  g_assert_true (row_has_error (f, "sender_row"));
  pv_ui_test_wait_for_label (GTK_WIDGET (f->preferences), "“&”");

  type_into (f, "sender_row", "12");
  g_assert_false (row_has_error (f, "account_sid_row"));
  g_assert_nonnull (strstr (account_description (f), "too short"));
  g_assert_false (button_sensitive (f, "save_button"));
  /* Checking the account does not need a sender. */
  g_assert_true (button_sensitive (f, "test_button"));

  /* A Messaging Service instead of a number. */
  type_into (f, "sender_row", "MG0123456789abcdef");
  g_assert_true (row_has_error (f, "sender_row"));
  g_assert_nonnull (strstr (account_description (f), "“MG”"));
  type_into (f, "sender_row", "MG0123456789abcdef0123456789abcdef");
  g_assert_false (row_has_error (f, "sender_row"));
  g_assert_true (button_sensitive (f, "save_button"));

  /* An API key signs in with its own secret. */
  secret_row = ADW_PREFERENCES_ROW (find (f, ADW_TYPE_PASSWORD_ENTRY_ROW, "secret_row"));
  g_assert_cmpstr (adw_preferences_row_get_title (secret_row), ==, "Auth Token");
  type_into (f, "api_key_sid_row", "SK0123");
  g_assert_true (row_has_error (f, "api_key_sid_row"));
  g_assert_false (button_sensitive (f, "save_button"));
  g_assert_cmpstr (adw_preferences_row_get_title (secret_row), ==, "API Key Secret");
  type_into (f, "api_key_sid_row", "SK0123456789abcdef0123456789abcdef");
  g_assert_false (row_has_error (f, "api_key_sid_row"));
  g_assert_true (button_sensitive (f, "save_button"));
  type_into (f, "api_key_sid_row", "");
  g_assert_cmpstr (adw_preferences_row_get_title (secret_row), ==, "Auth Token");

  type_into (f, "sender_row", pv_fake_twilio_get_phone_number (fake));
  g_assert_true (button_sensitive (f, "save_button"));
  g_assert_true (button_sensitive (f, "test_button"));
  g_assert_nonnull (pv_ui_test_find_label (GTK_WIDGET (f->preferences), "Twilio Console"));
  pv_ui_test_screenshot (GTK_WIDGET (f->preferences), "preferences-filled");
}

static void
test_save (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(PvTwilioCredentials) saved = NULL;

  g_assert_null (lookup_keyring ());
  open_preferences (f, PV_ENGINE_NEEDS_ACCOUNT);

  type_into (f, "account_sid_row", pv_fake_twilio_get_account_sid (fake));
  type_into (f, "secret_row", pv_fake_twilio_get_auth_token (fake));
  /* Typed in national format: saved in E.164, with the default country code 1. */
  type_into (f, "sender_row", "(500) 555-0006");
  click (f, "save_button");
  g_assert_false (button_sensitive (f, "save_button"));

  pv_ui_test_wait_for_toast (GTK_WIDGET (f->preferences), "Twilio account saved");
  pv_ui_test_wait_for_state (f->engine, PV_ENGINE_READY);
  g_assert_cmpint (pv_engine_get_credentials_source (f->engine), ==,
                   PV_CREDENTIALS_SOURCE_KEYRING);

  saved = lookup_keyring ();
  g_assert_nonnull (saved);
  g_assert_cmpstr (saved->account_sid, ==, pv_fake_twilio_get_account_sid (fake));
  g_assert_null (saved->api_key_sid);
  g_assert_cmpstr (saved->secret, ==, pv_fake_twilio_get_auth_token (fake));
  g_assert_cmpstr (saved->from, ==, PV_FAKE_TWILIO_PHONE_NUMBER);
  g_assert_null (saved->messaging_service_sid);

  /* The sender is shown as saved; nothing is left to save, and now there is something to
   * forget. */
  g_assert_cmpstr (row_text (f, "sender_row"), ==, PV_FAKE_TWILIO_PHONE_NUMBER);
  g_assert_false (button_sensitive (f, "save_button"));
  g_assert_true (shown (f, "forget_button"));
  g_assert_true (button_sensitive (f, "forget_button"));

  type_into (f, "sender_row", "MG0123456789abcdef0123456789abcdef");
  g_assert_true (button_sensitive (f, "save_button"));
}

static void
test_connection (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) auth_error = pv_twilio_error_new (PV_TWILIO_ERROR_AUTH_FAILED);
  g_autofree char *wrong_token = NULL;
  GtkSpinner *spinner;

  open_preferences (f, PV_ENGINE_NEEDS_ACCOUNT);
  spinner = GTK_SPINNER (find (f, GTK_TYPE_SPINNER, "test_spinner"));
  type_fake_account (f);

  /* Slow enough to see it busy. */
  pv_fake_twilio_set_slow_delay (fake, 500);
  pv_fake_twilio_set_fault (fake, PV_FAKE_TWILIO_FAULT_SLOW);
  click (f, "test_button");
  g_assert_true (gtk_spinner_get_spinning (spinner));
  g_assert_false (button_sensitive (f, "test_button"));
  pv_ui_test_wait_for_toast (GTK_WIDGET (f->preferences), "Connected to “" FAKE_ACCOUNT_NAME "”");
  pv_fake_twilio_set_fault (fake, PV_FAKE_TWILIO_FAULT_NONE);
  g_assert_false (gtk_spinner_get_spinning (spinner));
  g_assert_true (button_sensitive (f, "test_button"));

  /* Testing neither saves nor uses what was tested. */
  g_assert_null (lookup_keyring ());
  g_assert_cmpint (pv_engine_get_state (f->engine), ==, PV_ENGINE_NEEDS_ACCOUNT);

  wrong_token = g_strdup (pv_fake_twilio_get_auth_token (fake));
  wrong_token[0] = wrong_token[0] == '0' ? '1' : '0';
  type_into (f, "secret_row", wrong_token);
  click (f, "test_button");
  pv_ui_test_wait_for_toast (GTK_WIDGET (f->preferences), "The connection test failed");
  /* The reason in full, next to the fields, until they are edited. */
  g_assert_true (g_str_has_prefix (account_description (f), auth_error->message));
  g_assert_nonnull (pv_ui_test_find_label (GTK_WIDGET (f->preferences), auth_error->message));
  pv_ui_test_screenshot (GTK_WIDGET (f->preferences), "preferences-test-failed");
  g_assert_true (button_sensitive (f, "test_button"));

  type_into (f, "secret_row", pv_fake_twilio_get_auth_token (fake));
  g_assert_nonnull (strstr (account_description (f), "Twilio Console"));
}

static AdwMessageDialog *
find_dialog (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_window_get_transient_for (window) == parent
          && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }

  return NULL;
}

static void
test_forget (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(PvTwilioCredentials) still_saved = NULL;
  AdwMessageDialog *dialog;

  pv_ui_test_save_credentials (fake);
  open_preferences (f, PV_ENGINE_READY);

  /* The fields show the saved account. */
  g_assert_cmpstr (row_text (f, "account_sid_row"), ==, pv_fake_twilio_get_account_sid (fake));
  g_assert_cmpstr (row_text (f, "secret_row"), ==, pv_fake_twilio_get_auth_token (fake));
  g_assert_cmpstr (row_text (f, "sender_row"), ==, PV_FAKE_TWILIO_PHONE_NUMBER);
  g_assert_false (button_sensitive (f, "save_button"));
  pv_ui_test_screenshot (GTK_WIDGET (f->preferences), "preferences-saved");

  /* Cancelled: nothing happens. */
  click (f, "forget_button");
  dialog = find_dialog (GTK_WINDOW (f->preferences));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Forget the Twilio Account?");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "forget"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  adw_message_dialog_response (dialog, "cancel");
  pv_ui_test_iterate (200);
  still_saved = lookup_keyring ();
  g_assert_nonnull (still_saved);
  g_assert_cmpint (pv_engine_get_state (f->engine), ==, PV_ENGINE_READY);

  click (f, "forget_button");
  dialog = find_dialog (GTK_WINDOW (f->preferences));
  g_assert_nonnull (dialog);
  pv_ui_test_screenshot (GTK_WIDGET (dialog), "preferences-forget-dialog");
  adw_message_dialog_response (dialog, "forget");

  pv_ui_test_wait_for_toast (GTK_WIDGET (f->preferences), "Twilio account forgotten");
  g_assert_null (lookup_keyring ());
  g_assert_cmpint (pv_engine_get_state (f->engine), ==, PV_ENGINE_NEEDS_ACCOUNT);
  g_assert_cmpstr (row_text (f, "account_sid_row"), ==, "");
  g_assert_cmpstr (row_text (f, "secret_row"), ==, "");
  g_assert_cmpstr (row_text (f, "sender_row"), ==, "");
  g_assert_false (shown (f, "forget_button"));
}

static void
set_spin (Fixture    *f,
          const char *id,
          double      value)
{
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find (f, GTK_TYPE_SPIN_BUTTON, id)), value);
}

static double
spin_value (Fixture    *f,
            const char *id)
{
  return gtk_spin_button_get_value (GTK_SPIN_BUTTON (find (f, GTK_TYPE_SPIN_BUTTON, id)));
}

static void
test_settings (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  open_preferences (f, PV_ENGINE_NEEDS_ACCOUNT);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (f->preferences),
                                                "verification");

  /* The defaults, as shown. */
  g_assert_cmpfloat (spin_value (f, "code_length_spin"), ==, 6);
  g_assert_cmpfloat (spin_value (f, "code_lifetime_spin"), ==, 10);
  pv_ui_test_screenshot (GTK_WIDGET (f->preferences), "preferences-verification");

  set_spin (f, "code_length_spin", 8);
  g_assert_cmpuint (g_settings_get_uint (settings, "code-length"), ==, 8);
  set_spin (f, "code_lifetime_spin", 15);
  g_assert_cmpuint (g_settings_get_uint (settings, "code-lifetime"), ==, 15 * 60);
  set_spin (f, "max_attempts_spin", 3);
  g_assert_cmpuint (g_settings_get_uint (settings, "max-attempts"), ==, 3);
  set_spin (f, "resend_cooldown_spin", 120);
  g_assert_cmpuint (g_settings_get_uint (settings, "resend-cooldown"), ==, 120);
  set_spin (f, "sends_per_hour_spin", 2);
  g_assert_cmpuint (g_settings_get_uint (settings, "max-sends-per-hour"), ==, 2);
  /* The office's country is a country, not a calling code (+1 is shared by twenty). */
  pv_country_row_set_country (PV_COUNTRY_ROW (find (f, PV_TYPE_COUNTRY_ROW, "country_row")), "DE");
  g_assert_cmpstr (g_settings_get_string (settings, "default-country"), ==, "DE");
  g_settings_set_string (settings, "default-country", "FR");
  g_assert_cmpstr (pv_country_row_get_country (PV_COUNTRY_ROW (find (f, PV_TYPE_COUNTRY_ROW, "country_row"))), ==,
                   "FR");
  g_settings_set_string (settings, "default-country", "DE");

  /* Other countries served: codes in any case and with any separators; a list with a code
   * that is no country is marked and not saved. */
  gtk_editable_set_text (GTK_EDITABLE (find (f, ADW_TYPE_ENTRY_ROW, "served_row")), "be, ch  at");
  {
    g_auto(GStrv) served = g_settings_get_strv (settings, "served-countries");
    const char * const expected[] = { "BE", "CH", "AT", NULL };

    g_assert_true (g_strv_equal ((const char * const *) served, expected));
  }
  g_assert_false (gtk_widget_has_css_class (find (f, ADW_TYPE_ENTRY_ROW, "served_row"), "error"));
  gtk_editable_set_text (GTK_EDITABLE (find (f, ADW_TYPE_ENTRY_ROW, "served_row")), "BE, XQ");
  g_assert_true (gtk_widget_has_css_class (find (f, ADW_TYPE_ENTRY_ROW, "served_row"), "error"));
  g_assert_cmpuint (g_strv_length (g_settings_get_strv (settings, "served-countries")), ==, 3);
  gtk_editable_set_text (GTK_EDITABLE (find (f, ADW_TYPE_ENTRY_ROW, "served_row")), "");
  g_assert_cmpuint (g_strv_length (g_settings_get_strv (settings, "served-countries")), ==, 0);

  /* The spin buttons keep to the settings' ranges. */
  set_spin (f, "code_length_spin", 11);
  g_assert_cmpuint (g_settings_get_uint (settings, "code-length"), ==, 10);
  set_spin (f, "code_lifetime_spin", 2000);
  g_assert_cmpuint (g_settings_get_uint (settings, "code-lifetime"), ==, 86400);

  /* And follow changes made elsewhere. */
  g_settings_set_uint (settings, "code-lifetime", 1200);
  g_assert_cmpfloat (spin_value (f, "code_lifetime_spin"), ==, 20);

  /* The sender is read with the default country code. */
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (f->preferences), "twilio");
  type_fake_account (f);
  type_into (f, "sender_row", "030 1234567");
  g_assert_false (row_has_error (f, "sender_row"));
  click (f, "save_button");
  pv_ui_test_wait_for_toast (GTK_WIDGET (f->preferences), "Twilio account saved");
  g_assert_cmpstr (row_text (f, "sender_row"), ==, "+49301234567");
}

static PvMessageEditor *
find_editor (GtkWidget  *root,
             const char *language)
{
  if (PV_IS_MESSAGE_EDITOR (root) &&
      g_strcmp0 (pv_message_editor_get_language (PV_MESSAGE_EDITOR (root)), language) == 0)
    return PV_MESSAGE_EDITOR (root);

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      PvMessageEditor *found = find_editor (child, language);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static char *
dup_stored_wording (GSettings  *settings,
                    const char *language)
{
  g_autoptr(GVariant) templates = g_settings_get_value (settings, "message-templates");
  char *text = NULL;

  if (!g_variant_lookup (templates, language, "s", &text))
    return NULL;

  return text;
}

/* Each language's wording, with its segments counted as it is typed. */
static void
test_template (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *stored = NULL;
  PvMessageEditor *spanish;
  GtkWidget *entry;
  GtkWidget *reset;

  g_settings_reset (settings, "message-templates");
  g_settings_reset (settings, "office-name");
  open_preferences (f, PV_ENGINE_NEEDS_ACCOUNT);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (f->preferences),
                                                "messages");
  for (guint i = 0; pv_language_get_builtin ()[i] != NULL; i++)
    g_assert_nonnull (find_editor (GTK_WIDGET (f->preferences), pv_language_get_builtin ()[i]));

  spanish = find_editor (GTK_WIDGET (f->preferences), "es");
  entry = pv_message_editor_get_entry (spanish);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==,
                   pv_message_template_get_builtin ("es", FALSE));
  g_assert_true (g_str_has_prefix (pv_message_editor_get_counter (spanish), "1 segment, GSM-7: "));
  pv_ui_test_screenshot (GTK_WIDGET (f->preferences), "preferences-messages");

  /* The natural wording has an ó, which makes the whole text UCS-2. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "Su código es {code}");
  g_assert_nonnull (strstr (pv_message_editor_get_counter (spanish),
                            "Unicode (UCS-2) because of “ó”"));
  g_assert_true (g_str_has_prefix (pv_message_editor_get_counter (spanish), "1 segment"));
  stored = dup_stored_wording (settings, "es");
  g_assert_cmpstr (stored, ==, "Su código es {code}");

  /* 70 characters in UCS-2 is one segment; the 71st makes two. */
  gtk_editable_set_text (GTK_EDITABLE (entry),
                         "Su código de verificación para la consulta de hoy es {code}. "
                         "Válido diez minutos.");
  g_assert_true (g_str_has_prefix (pv_message_editor_get_counter (spanish), "2 segments"));
  pv_ui_test_screenshot (GTK_WIDGET (f->preferences), "preferences-messages-ucs2");

  /* A typo in a placeholder is named, and nothing is stored. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "Su clave es {cod}");
  g_assert_true (gtk_widget_has_css_class (entry, "error"));
  g_assert_nonnull (strstr (pv_message_editor_get_counter (spanish), "{cod}"));
  g_clear_pointer (&stored, g_free);
  stored = dup_stored_wording (settings, "es");
  g_assert_cmpstr (stored, ==, "Su código de verificación para la consulta de hoy es {code}. "
                               "Válido diez minutos.");

  /* Reset brings the built-in wording back, and stores nothing. */
  reset = pv_ui_test_find (GTK_WIDGET (spanish), GTK_TYPE_BUTTON, NULL);
  g_assert_nonnull (reset);
  g_assert_true (gtk_widget_is_sensitive (reset));
  g_signal_emit_by_name (reset, "clicked");
  g_clear_pointer (&stored, g_free);
  stored = dup_stored_wording (settings, "es");
  g_assert_null (stored);
  g_assert_false (gtk_widget_is_sensitive (reset));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==,
                   pv_message_template_get_builtin ("es", FALSE));

  /* With an office name, the built-in wording names the office. */
  type_into (f, "office_name_row", "Clínica Ruiz");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==,
                   pv_message_template_get_builtin ("es", TRUE));
  g_settings_reset (settings, "office-name");
}

static gboolean
check_active (Fixture    *f,
              const char *id)
{
  return gtk_check_button_get_active (GTK_CHECK_BUTTON (find (f, GTK_TYPE_CHECK_BUTTON, id)));
}

static gboolean
widget_sensitive (Fixture    *f,
                  const char *id)
{
  return gtk_widget_is_sensitive (find (f, GTK_TYPE_WIDGET, id));
}

static gboolean
restart_asked (Fixture *f)
{
  const char *description = adw_preferences_group_get_description (
    ADW_PREFERENCES_GROUP (find (f, ADW_TYPE_PREFERENCES_GROUP, "database_group")));

  return description != NULL && strstr (description, "Restart PhoneVerify") != NULL;
}

static const char *
shared_description (Fixture *f)
{
  return adw_preferences_group_get_description (
    ADW_PREFERENCES_GROUP (find (f, ADW_TYPE_PREFERENCES_GROUP, "shared_group")));
}

static char *
lookup_database_password (const char *uri)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *password;

  pv_database_lookup_password_async (uri, NULL, on_ready, &result);
  wait_for (&result);
  password = pv_database_lookup_password_finish (result, &error);
  g_assert_no_error (error);

  return password;
}

static gboolean
password_saved_for (gpointer user_data)
{
  g_autofree char *password = lookup_database_password (user_data);

  return g_strcmp0 (password, "s3cret pass") == 0;
}

/* The Database page: this computer's file, or a shared server whose settings take effect
 * at the next start. */
static void
test_database (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *uri = NULL;
  g_autofree char *password = NULL;
  g_autofree char *changed_uri = NULL;

  open_preferences (f, PV_ENGINE_NEEDS_ACCOUNT);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (f->preferences),
                                                "database");

  /* This computer's, by default: nothing about a server to fill in, test or copy to. */
  g_assert_true (check_active (f, "local_check"));
  g_assert_false (check_active (f, "shared_check"));
  g_assert_false (widget_sensitive (f, "shared_group"));
  g_assert_false (widget_sensitive (f, "host_row"));
  g_assert_false (widget_sensitive (f, "password_row"));
  g_assert_false (button_sensitive (f, "copy_button"));
  g_assert_false (restart_asked (f));
  pv_ui_test_screenshot (GTK_WIDGET (f->preferences), "preferences-database-local");

  gtk_check_button_set_active (GTK_CHECK_BUTTON (find (f, GTK_TYPE_CHECK_BUTTON, "shared_check")),
                               TRUE);
  g_assert_cmpstr (g_settings_get_string (settings, "database"), ==, "shared");
  g_assert_false (check_active (f, "local_check"));
  g_assert_true (widget_sensitive (f, "shared_group"));
  g_assert_true (widget_sensitive (f, "host_row"));
  /* No server yet: still this computer's database. */
  g_assert_null (pv_database_dup_uri (settings));
  g_assert_false (button_sensitive (f, "database_test_button"));
  g_assert_false (button_sensitive (f, "copy_button"));
  g_assert_false (restart_asked (f));

  /* The defaults, as shown. */
  g_assert_cmpfloat (spin_value (f, "port_spin"), ==, 5432);
  g_assert_cmpstr (row_text (f, "name_row"), ==, "phoneverify");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (find (f, ADW_TYPE_COMBO_ROW,
                                                                     "tls_row"))), ==, 1);

  type_into (f, "host_row", "db.example.com");
  set_spin (f, "port_spin", 6432);
  type_into (f, "name_row", "clinic");
  type_into (f, "user_row", "o'brien");
  adw_combo_row_set_selected (ADW_COMBO_ROW (find (f, ADW_TYPE_COMBO_ROW, "tls_row")), 3);

  g_assert_cmpstr (g_settings_get_string (settings, "database-host"), ==, "db.example.com");
  g_assert_cmpint (g_settings_get_int (settings, "database-port"), ==, 6432);
  g_assert_cmpstr (g_settings_get_string (settings, "database-name"), ==, "clinic");
  g_assert_cmpstr (g_settings_get_string (settings, "database-user"), ==, "o'brien");
  g_assert_cmpstr (g_settings_get_string (settings, "database-tls"), ==, "verify-full");
  uri = pv_database_dup_uri (settings);
  g_assert_cmpstr (uri, ==, "postgresql://o%27brien@db.example.com:6432/clinic"
                            "?sslmode=verify-full&application_name=PhoneVerify");

  g_assert_true (button_sensitive (f, "database_test_button"));
  g_assert_true (button_sensitive (f, "copy_button"));
  g_assert_true (restart_asked (f));

  /* The password goes to the keyring, for this server, never to the settings. */
  type_into (f, "password_row", "s3cret pass");
  g_signal_emit_by_name (find (f, ADW_TYPE_PASSWORD_ENTRY_ROW, "password_row"), "apply");
  pv_ui_test_wait_for_toast (GTK_WIDGET (f->preferences), "Database password saved");
  password = lookup_database_password (uri);
  g_assert_cmpstr (password, ==, "s3cret pass");
  pv_ui_test_screenshot (GTK_WIDGET (f->preferences), "preferences-database");

  /* Changes made elsewhere show. */
  g_settings_set_int (settings, "database-port", 5433);
  g_assert_cmpfloat (spin_value (f, "port_spin"), ==, 5433);
  g_settings_set_string (settings, "database-tls", "disable");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (find (f, ADW_TYPE_COMBO_ROW,
                                                                     "tls_row"))), ==, 0);

  /* Nothing listens there: the server's reason, whole. */
  type_into (f, "host_row", "127.0.0.1");
  set_spin (f, "port_spin", 9);
  click (f, "database_test_button");
  pv_ui_test_wait_for_toast (GTK_WIDGET (f->preferences),
                             "Could not connect to the shared database");
  g_assert_nonnull (strstr (shared_description (f), "127.0.0.1"));
  g_assert_false (gtk_spinner_get_spinning (GTK_SPINNER (find (f, GTK_TYPE_SPINNER,
                                                               "database_test_spinner"))));
  g_assert_true (button_sensitive (f, "database_test_button"));
  pv_ui_test_screenshot (GTK_WIDGET (f->preferences), "preferences-database-test-failed");

  /* The password was saved for the other server; applied again, it goes to this one too
   * (and would when staff leave the row, or close the window). */
  changed_uri = pv_database_dup_uri (settings);
  g_assert_cmpstr (changed_uri, ==, "postgresql://o%27brien@127.0.0.1:9/clinic"
                                    "?sslmode=disable&application_name=PhoneVerify");
  g_clear_pointer (&password, g_free);
  password = lookup_database_password (changed_uri);
  g_assert_null (password);
  g_signal_emit_by_name (find (f, ADW_TYPE_PASSWORD_ENTRY_ROW, "password_row"), "apply");
  g_assert_true (pv_ui_test_wait_until (password_saved_for, changed_uri, 5000));

  /* Editing clears the reason. */
  type_into (f, "user_row", "obrien");
  g_assert_null (strstr (shared_description (f), "127.0.0.1"));
  type_into (f, "user_row", "o'brien");

  /* Back to this computer: the server's settings stay for next time. */
  gtk_check_button_set_active (GTK_CHECK_BUTTON (find (f, GTK_TYPE_CHECK_BUTTON, "local_check")),
                               TRUE);
  g_assert_cmpstr (g_settings_get_string (settings, "database"), ==, "local");
  g_assert_false (check_active (f, "shared_check"));
  g_assert_false (widget_sensitive (f, "shared_group"));
  g_assert_false (button_sensitive (f, "copy_button"));
  g_assert_cmpstr (row_text (f, "host_row"), ==, "127.0.0.1");
  g_assert_false (restart_asked (f));
  g_assert_null (pv_database_dup_uri (settings));
}

static void
scroll_to_end (Fixture    *f,
               const char *id)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (find (f, GTK_TYPE_WIDGET, id),
                                                 GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

  pv_ui_test_iterate (100);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
}

/* Copy This Computer's Customers, into a real PostgreSQL server, twice. */
static void
test_database_copy (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(PvTestPostgres) postgres = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) parsed = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *count = NULL;
  g_autofree char *events = NULL;
  guint n_local = 0;
  PvStore *local;

  postgres = pv_test_postgres_start (&error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_test_skip (error->message);
      return;
    }
  g_assert_no_error (error);
  uri = pv_test_postgres_create_database (postgres, "ui_copy", &error);
  g_assert_no_error (error);

  open_preferences (f, PV_ENGINE_NEEDS_ACCOUNT);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (f->preferences),
                                                "database");

  /* Three customers of this computer's, however many earlier tests left. */
  local = pv_engine_get_store (f->engine);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *number = g_strdup_printf ("+1415555019%u", i);
      g_autoptr(PvCustomer) customer = pv_customer_new (number);

      pv_store_insert_customer (local, customer, PV_EVENT_CODE_SENT, "SM0123", NULL);
    }
  g_assert_true (pv_store_count_customers (local, NULL, &n_local, &error));
  g_assert_cmpuint (n_local, >=, 3);

  /* As staff type the server in; the test server trusts its role. */
  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (find (f, GTK_TYPE_CHECK_BUTTON, "shared_check")),
                               TRUE);
  type_into (f, "host_row", g_uri_get_host (parsed));
  set_spin (f, "port_spin", g_uri_get_port (parsed));
  type_into (f, "name_row", g_uri_get_path (parsed) + 1);
  type_into (f, "user_row", g_uri_get_user (parsed));
  adw_combo_row_set_selected (ADW_COMBO_ROW (find (f, ADW_TYPE_COMBO_ROW, "tls_row")), 0);

  click (f, "database_test_button");
  pv_ui_test_wait_for_toast (GTK_WIDGET (f->preferences), "PhoneVerify will set up this database");

  click (f, "copy_button");
  g_assert_false (shown (f, "copy_button"));
  g_assert_true (shown (f, "copy_cancel_button"));
  pv_ui_test_wait_for_toast (GTK_WIDGET (f->preferences), "Copied ");
  g_assert_true (shown (f, "copy_button"));
  g_assert_false (shown (f, "copy_cancel_button"));
  count = pv_test_postgres_query (uri, "SELECT count(*) FROM customers");
  g_assert_cmpint (g_ascii_strtoll (count, NULL, 10), ==, n_local);
  events = pv_test_postgres_query (uri, "SELECT count(*) FROM events "
                                        "WHERE number LIKE '+1415555019_'");
  g_assert_cmpint (g_ascii_strtoll (events, NULL, 10), >=, 3);

  /* Again: nothing twice. */
  click (f, "copy_button");
  pv_ui_test_wait_for_toast (GTK_WIDGET (f->preferences), "were in the shared database already");
  g_clear_pointer (&count, g_free);
  count = pv_test_postgres_query (uri, "SELECT count(*) FROM customers");
  g_assert_cmpint (g_ascii_strtoll (count, NULL, 10), ==, n_local);

  scroll_to_end (f, "copy_row");
  pv_ui_test_screenshot (GTK_WIDGET (f->preferences), "preferences-database-copied");

  /* Set up now, with the customers counted. */
  click (f, "database_test_button");
  {
    g_autofree char *counted = g_strdup_printf (": %u customers", n_local);

    pv_ui_test_wait_for_toast (GTK_WIDGET (f->preferences), counted);
  }
}

/* Last: the TWILIO_* variables stay set for the rest of the process. */
static void
test_environment (Fixture       *f,
                  gconstpointer  data)
{
  GtkWidget *row;

  g_setenv ("TWILIO_ACCOUNT_SID", pv_fake_twilio_get_account_sid (fake), TRUE);
  g_setenv ("TWILIO_AUTH_TOKEN", pv_fake_twilio_get_auth_token (fake), TRUE);
  g_setenv ("TWILIO_PHONE_NUMBER", pv_fake_twilio_get_phone_number (fake), TRUE);

  open_preferences (f, PV_ENGINE_READY);
  g_assert_cmpint (pv_engine_get_credentials_source (f->engine), ==,
                   PV_CREDENTIALS_SOURCE_ENVIRONMENT);

  row = find (f, ADW_TYPE_ENTRY_ROW, "account_sid_row");
  g_assert_cmpstr (row_text (f, "account_sid_row"), ==, pv_fake_twilio_get_account_sid (fake));
  g_assert_false (gtk_widget_is_sensitive (row));
  g_assert_false (gtk_widget_is_sensitive (find (f, ADW_TYPE_PASSWORD_ENTRY_ROW, "secret_row")));
  g_assert_false (gtk_widget_is_sensitive (find (f, ADW_TYPE_ENTRY_ROW, "sender_row")));
  g_assert_false (button_sensitive (f, "save_button"));
  g_assert_false (button_sensitive (f, "test_button"));
  g_assert_false (shown (f, "forget_button"));
  g_assert_nonnull (strstr (account_description (f), "TWILIO_ACCOUNT_SID"));
  g_assert_nonnull (pv_ui_test_find_label (GTK_WIDGET (f->preferences),
                                           "Unset them to manage the account here"));
  pv_ui_test_screenshot (GTK_WIDGET (f->preferences), "preferences-env");

  /* The keyring was not written. */
  g_assert_null (lookup_keyring ());
}

int
main (int   argc,
      char *argv[])
{
  int status;

  pv_ui_test_init (&argc, &argv);
  fake = pv_ui_test_start_fake ();
  main_window = pv_ui_test_open_window (&application);
  pv_ui_test_wait_for_state (pv_window_get_engine (main_window), PV_ENGINE_NEEDS_ACCOUNT);

  g_test_add ("/ui/preferences/app-action", Fixture, NULL, setup, test_app_action, teardown);
  g_test_add ("/ui/preferences/validation", Fixture, NULL, setup, test_validation, teardown);
  g_test_add ("/ui/preferences/save", Fixture, NULL, setup, test_save, teardown);
  g_test_add ("/ui/preferences/test-connection", Fixture, NULL, setup, test_connection, teardown);
  g_test_add ("/ui/preferences/forget", Fixture, NULL, setup, test_forget, teardown);
  g_test_add ("/ui/preferences/settings", Fixture, NULL, setup, test_settings, teardown);
  g_test_add ("/ui/preferences/template", Fixture, NULL, setup, test_template, teardown);
  g_test_add ("/ui/preferences/database", Fixture, NULL, setup, test_database, teardown);
  g_test_add ("/ui/preferences/database-copy", Fixture, NULL, setup, test_database_copy,
              teardown);
  g_test_add ("/ui/preferences/environment", Fixture, NULL, setup, test_environment, teardown);

  status = g_test_run ();
  pv_ui_test_close_window (main_window, application);
  g_clear_object (&fake);

  return status;
}
