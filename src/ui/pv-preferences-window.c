/* pv-preferences-window.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The Twilio account is checked as it is typed but only saved on Save, because its values
 * only work together and saving them writes to the keyring. Everything else applies at
 * once, like any GNOME preference; each language's wording is written on every change that
 * is valid (see PvMessageEditor), so the setting never holds a text without “{code}”. */

#define G_LOG_DOMAIN "pv-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "pv-accessible.h"
#include "pv-database-copy.h"
#include "pv-database.h"
#include "pv-language.h"
#include "pv-message-editor.h"
#include "pv-phone-number.h"
#include "pv-country-row.h"
#include "pv-pg-store.h"
#include "pv-preferences-window.h"
#include "pv-secret-store.h"
#include "pv-toast.h"
#include "pv-twilio-credentials.h"

/* Only ever an example: staff never see a real code. */

struct _PvPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  PvEngine             *engine;
  GSettings            *settings;
  GCancellable         *cancellable;
  PvTwilioCredentials  *saved;    /* what the engine uses, to tell whether the fields differ */
  PvTwilioCredentials  *saving;   /* what is being saved, or NULL */
  char                 *failure;  /* why the last test, save or forget failed, until edited */
  gboolean              testing;
  gboolean              forgetting;
  gboolean              disposed;

  /* The Database page */
  char                 *opened_server;    /* the shared database named when the window opened */
  char                 *database_problem; /* markup: why the last test failed, or the
                                           * keyring's password cannot be used, until edited */
  char                 *password_saved;   /* what the keyring has for password_server; wiped */
  char                 *password_server;
  struct _PasswordSave *password_saving;  /* the password being saved, or NULL */
  gboolean              database_testing;
  GCancellable         *copy_cancellable; /* while copying */
  PvStore              *copy_from;
  PvDatabaseCopy       *copy;

  /* Template widgets */
  AdwPreferencesGroup  *account_group;
  AdwEntryRow          *account_sid_row;
  AdwEntryRow          *api_key_sid_row;
  AdwPasswordEntryRow  *secret_row;
  AdwEntryRow          *sender_row;
  AdwPreferencesGroup  *forget_group;
  AdwActionRow         *forget_row;
  GtkButton            *forget_button;
  GtkSpinner           *test_spinner;
  GtkButton            *test_button;
  GtkButton            *save_button;
  AdwActionRow         *code_length_row;
  GtkSpinButton        *code_length_spin;
  AdwActionRow         *code_lifetime_row;
  GtkSpinButton        *code_lifetime_spin;
  AdwActionRow         *max_attempts_row;
  GtkSpinButton        *max_attempts_spin;
  AdwActionRow         *resend_cooldown_row;
  GtkSpinButton        *resend_cooldown_spin;
  AdwActionRow         *sends_per_hour_row;
  GtkSpinButton        *sends_per_hour_spin;
  PvCountryRow         *country_row;
  AdwEntryRow          *served_row;
  AdwPreferencesPage   *messages_page;
  AdwEntryRow          *office_name_row;
  AdwComboRow          *office_language_row;
  GtkSwitch            *line_type_switch;
  GtkSwitch            *reply_switch;
  AdwPreferencesGroup  *database_group;
  GtkCheckButton       *local_check;
  GtkCheckButton       *shared_check;
  AdwPreferencesGroup  *shared_group;
  AdwEntryRow          *host_row;
  AdwActionRow         *port_row;
  GtkSpinButton        *port_spin;
  AdwEntryRow          *name_row;
  AdwEntryRow          *user_row;
  AdwPasswordEntryRow  *password_row;
  AdwComboRow          *tls_row;
  GtkSpinner           *database_test_spinner;
  GtkButton            *database_test_button;
  AdwPreferencesGroup  *copy_group;
  AdwActionRow         *copy_row;
  GtkProgressBar       *copy_progress;
  GtkButton            *copy_button;
  GtkButton            *copy_cancel_button;
};

G_DEFINE_FINAL_TYPE (PvPreferencesWindow, pv_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* AdwPasswordEntryRow's button that shows what is typed, before it is pressed. */
#define PEEK_ICON "view-reveal-symbolic"

static const PvTwilioCredentials no_credentials = { NULL, NULL, NULL, NULL, NULL };

static void
add_toast (PvPreferencesWindow *self,
           const char          *markup,
           AdwToastPriority     priority)
{
  AdwToast *toast = adw_toast_new (markup);

  adw_toast_set_priority (toast, priority);
  /* Through pv_toast_add(), which wraps a long title and names the close button: from a
   * page, since the window's toast overlay is inside the window. */
  pv_toast_add (GTK_WIDGET (self->messages_page), toast);
}

static char *
dup_row_text (gpointer row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static void
set_row_text (gpointer    row,
              const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

static void
show_row_problem (gpointer    row,
                  const char *problem)
{
  pv_accessible_show_problem (GTK_WIDGET (row), problem);
}

/* Messaging Service SIDs start with letters, phone numbers never do. */
static gboolean
is_messaging_service (const char *sender)
{
  return g_ascii_isalpha (sender[0]);
}

static char *
sender_problem (const char *sender,
                const char *country)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;

  if (sender[0] == '\0')
    return NULL;

  if (is_messaging_service (sender))
    {
      if (pv_twilio_sid_is_valid (sender, "MG"))
        return NULL;

      return g_strdup (_("The sender is a phone number, or a Messaging Service SID: “MG” "
                         "followed by 32 characters from 0–9 and a–f."));
    }

  number = pv_phone_number_normalize (sender, country, &error);
  if (number != NULL)
    return NULL;

  /* Translators: %s says what is wrong with the number, such as “This number is too short.” */
  return g_strdup_printf (_("Check the sender’s number. %s"), error->message);
}

/* The fields as credentials, with the sender normalised when it is a valid number, so
 * they compare equal to what was saved from them. */
static PvTwilioCredentials *
read_account_fields (PvPreferencesWindow *self)
{
  g_autofree char *country = g_settings_get_string (self->settings, "default-country");
  g_autofree char *sender = dup_row_text (self->sender_row);
  g_autofree char *number = NULL;
  const char *from = NULL;
  const char *service_sid = NULL;

  if (is_messaging_service (sender))
    {
      service_sid = sender;
    }
  else
    {
      number = pv_phone_number_normalize (sender, country, NULL);
      from = number != NULL ? number : sender;
    }

  return pv_twilio_credentials_new (gtk_editable_get_text (GTK_EDITABLE (self->account_sid_row)),
                                    gtk_editable_get_text (GTK_EDITABLE (self->api_key_sid_row)),
                                    gtk_editable_get_text (GTK_EDITABLE (self->secret_row)),
                                    from,
                                    service_sid);
}

static void
fill_account_fields (PvPreferencesWindow       *self,
                     const PvTwilioCredentials *credentials)
{
  if (credentials == NULL)
    credentials = &no_credentials;

  set_row_text (self->account_sid_row, credentials->account_sid);
  set_row_text (self->api_key_sid_row, credentials->api_key_sid);
  set_row_text (self->secret_row, credentials->secret);
  set_row_text (self->sender_row, credentials->messaging_service_sid != NULL
                                  ? credentials->messaging_service_sid
                                  : credentials->from);
}

static gboolean
credentials_equal (const PvTwilioCredentials *a,
                   const PvTwilioCredentials *b)
{
  if (a == NULL)
    a = &no_credentials;
  if (b == NULL)
    b = &no_credentials;

  return g_strcmp0 (a->account_sid, b->account_sid) == 0
         && g_strcmp0 (a->api_key_sid, b->api_key_sid) == 0
         && g_strcmp0 (a->secret, b->secret) == 0
         && g_strcmp0 (a->from, b->from) == 0
         && g_strcmp0 (a->messaging_service_sid, b->messaging_service_sid) == 0;
}

static const char *
account_description (PvPreferencesWindow *self,
                     const char          *problem)
{
  PvEngineState state = pv_engine_get_state (self->engine);

  if (pv_engine_get_credentials_source (self->engine) == PV_CREDENTIALS_SOURCE_ENVIRONMENT)
    return _("Set by the TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_PHONE_NUMBER "
             "environment variables. Unset them to manage the account here.");

  if (state == PV_ENGINE_KEYRING_FAILED || state == PV_ENGINE_STORE_FAILED)
    {
      const char *engine_problem = pv_engine_get_problem (self->engine);

      return engine_problem != NULL ? engine_problem
                                    : _("The keyring cannot be read, so the account cannot "
                                        "be changed.");
    }

  if (state == PV_ENGINE_LOADING)
    return _("Reading the keyring…");

  if (problem != NULL)
    return problem;

  if (self->failure != NULL)
    return self->failure;

  return _("Find the Account SID and Auth Token in the Twilio Console. The sender is one of "
           "the account’s phone numbers, or a Messaging Service SID.");
}

/* Marks malformed fields and decides what can be done with them. Empty fields are not
 * malformed, only incomplete: staff have not got to them yet. */
static void
update_account (PvPreferencesWindow *self)
{
  g_autofree char *description = NULL;
  PvEngineState state = pv_engine_get_state (self->engine);
  PvCredentialsSource source = pv_engine_get_credentials_source (self->engine);
  g_autofree char *country = g_settings_get_string (self->settings, "default-country");
  g_autoptr(PvTwilioCredentials) fields = read_account_fields (self);
  g_autofree char *account_sid = dup_row_text (self->account_sid_row);
  g_autofree char *key_sid = dup_row_text (self->api_key_sid_row);
  g_autofree char *sender = dup_row_text (self->sender_row);
  g_autofree char *sender_text = sender_problem (sender, country);
  const char *account_text = NULL;
  const char *key_text = NULL;
  const char *problem;
  gboolean editable;
  gboolean can_sign_in;

  if (account_sid[0] != '\0' && !pv_twilio_sid_is_valid (account_sid, "AC"))
    account_text = _("An Account SID is “AC” followed by 32 characters from 0–9 and a–f.");
  if (key_sid[0] != '\0' && !pv_twilio_sid_is_valid (key_sid, "SK"))
    key_text = _("An API Key SID is “SK” followed by 32 characters from 0–9 and a–f.");

  show_row_problem (self->account_sid_row, account_text);
  show_row_problem (self->api_key_sid_row, key_text);
  show_row_problem (self->sender_row, sender_text);

  /* An API key signs in with its own secret, in place of the account's Auth Token. */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->secret_row),
                                 key_sid[0] != '\0' ? _("API Key Secret") : _("Auth Token"));

  problem = account_text != NULL ? account_text : key_text != NULL ? key_text : sender_text;
  /* The description is markup, and it can quote what was typed ("&" in a number), a
   * Twilio error or a file path. */
  description = g_markup_escape_text (account_description (self, problem), -1);
  adw_preferences_group_set_description (self->account_group, description);

  /* Row by row rather than the whole group, so that the description saying why stays
   * readable. */
  editable = (state == PV_ENGINE_NEEDS_ACCOUNT || state == PV_ENGINE_READY)
             && source != PV_CREDENTIALS_SOURCE_ENVIRONMENT;
  gtk_widget_set_sensitive (GTK_WIDGET (self->account_sid_row), editable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->api_key_sid_row), editable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->secret_row), editable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sender_row), editable);

  can_sign_in = pv_twilio_sid_is_valid (fields->account_sid, "AC")
                && key_text == NULL
                && fields->secret != NULL;

  /* Complete credentials take any From value; the number must also be one. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button),
                            editable
                            && self->saving == NULL
                            && sender_text == NULL
                            && pv_twilio_credentials_is_complete (fields)
                            && !credentials_equal (fields, self->saved));
  gtk_widget_set_sensitive (GTK_WIDGET (self->test_button),
                            editable && !self->testing && can_sign_in);
  gtk_widget_set_visible (GTK_WIDGET (self->forget_group),
                          source == PV_CREDENTIALS_SOURCE_KEYRING);
  gtk_widget_set_sensitive (GTK_WIDGET (self->forget_row), editable && !self->forgetting);
}

static void
account_field_changed_cb (PvPreferencesWindow *self)
{
  g_clear_pointer (&self->failure, g_free);
  update_account (self);
}

/* A toast is too short for the specific reasons Twilio and the keyring give, so the
 * reason goes next to the fields and the toast only says what failed. */
static void
show_failure (PvPreferencesWindow *self,
              const char          *what,
              const GError        *error)
{
  g_free (self->failure);
  self->failure = g_strdup (error->message);
  update_account (self);

  add_toast (self, what, ADW_TOAST_PRIORITY_HIGH);
}

/* The keyring was read, or the account saved or forgotten elsewhere. Fields staff have
 * not touched follow along; edited ones are left for them to save. */
static void
engine_changed_cb (PvPreferencesWindow *self)
{
  g_autoptr(PvTwilioCredentials) fields = read_account_fields (self);
  gboolean untouched = credentials_equal (fields, self->saved);

  g_clear_pointer (&self->saved, pv_twilio_credentials_free);
  self->saved = pv_engine_dup_credentials (self->engine);

  if (untouched)
    fill_account_fields (self, self->saved);

  update_account (self);
}

static void
credentials_saved_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(PvPreferencesWindow) self = user_data;
  g_autoptr(PvTwilioCredentials) sent = g_steal_pointer (&self->saving);
  g_autoptr(PvTwilioCredentials) fields = NULL;
  g_autoptr(GError) error = NULL;

  if (!pv_engine_save_credentials_finish (PV_ENGINE (object), result, &error))
    {
      show_failure (self, _("Could not save the Twilio account"), error);
      return;
    }

  g_clear_pointer (&self->failure, g_free);
  fields = read_account_fields (self);
  g_clear_pointer (&self->saved, pv_twilio_credentials_free);
  self->saved = pv_engine_dup_credentials (self->engine);

  /* Shows the sender as it was saved, in E.164, unless staff typed on meanwhile. */
  if (credentials_equal (fields, sent))
    fill_account_fields (self, self->saved);

  update_account (self);
  add_toast (self, _("Twilio account saved"), ADW_TOAST_PRIORITY_NORMAL);
}

static void
save_clicked_cb (PvPreferencesWindow *self)
{
  g_autoptr(PvTwilioCredentials) credentials = read_account_fields (self);

  g_return_if_fail (self->saving == NULL);

  self->saving = pv_twilio_credentials_copy (credentials);
  update_account (self);

  /* Not cancelled when the window closes: staff asked for it to be saved. */
  pv_engine_save_credentials_async (self->engine, credentials, NULL,
                                    credentials_saved_cb, g_object_ref (self));
}

static void
credentials_tested_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  PvPreferencesWindow *self;
  g_autoptr(GError) error = NULL;
  g_autofree char *account_name = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *title = NULL;

  account_name = pv_engine_test_credentials_finish (PV_ENGINE (object), result, &error);

  /* The window is gone: it cancels the test when it goes. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  self->testing = FALSE;
  gtk_spinner_stop (self->test_spinner);

  if (account_name == NULL)
    {
      show_failure (self, _("The connection test failed"), error);
      return;
    }

  g_clear_pointer (&self->failure, g_free);
  update_account (self);

  escaped = g_markup_escape_text (account_name, -1);
  /* Translators: %s is the name of the Twilio account, as set in the Twilio Console */
  title = g_strdup_printf (_("Connected to “%s”"), escaped);
  add_toast (self, title, ADW_TOAST_PRIORITY_NORMAL);
}

static void
test_clicked_cb (PvPreferencesWindow *self)
{
  g_autoptr(PvTwilioCredentials) credentials = read_account_fields (self);

  self->testing = TRUE;
  gtk_spinner_start (self->test_spinner);
  update_account (self);

  pv_engine_test_credentials_async (self->engine, credentials, self->cancellable,
                                    credentials_tested_cb, self);
}

static void
credentials_forgotten_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(PvPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  self->forgetting = FALSE;

  if (!pv_engine_forget_credentials_finish (PV_ENGINE (object), result, &error))
    {
      show_failure (self, _("Could not forget the Twilio account"), error);
      return;
    }

  g_clear_pointer (&self->saved, pv_twilio_credentials_free);
  self->saved = pv_engine_dup_credentials (self->engine);
  fill_account_fields (self, NULL);
  update_account (self);
  add_toast (self, _("Twilio account forgotten"), ADW_TOAST_PRIORITY_NORMAL);
}

static void
forget_confirmed_cb (PvPreferencesWindow *self)
{
  self->forgetting = TRUE;
  update_account (self);

  pv_engine_forget_credentials_async (self->engine, NULL,
                                      credentials_forgotten_cb, g_object_ref (self));
}

static void
forget_clicked_cb (PvPreferencesWindow *self)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Forget the Twilio Account?"),
                                                       _("Codes cannot be sent until an "
                                                         "account is added again. The account "
                                                         "itself stays open at Twilio.")));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "forget", _("_Forget"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "forget", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response::forget",
                           G_CALLBACK (forget_confirmed_cb), self, G_CONNECT_SWAPPED);

  gtk_window_present (GTK_WINDOW (dialog));
}

/* A combo row lists a setting's choices, @choices, by their index. */
static guint
find_choice (const char * const *choices,
             const char         *choice)
{
  for (guint i = 0; choices[i] != NULL; i++)
    if (g_strcmp0 (choice, choices[i]) == 0)
      return i;

  return 0;
}

/* @user_data is the setting's choices, in the row's order. */
static gboolean
choice_from_setting (GValue   *value,
                     GVariant *variant,
                     gpointer  user_data)
{
  g_value_set_uint (value, find_choice (user_data, g_variant_get_string (variant, NULL)));
  return TRUE;
}

static GVariant *
choice_to_setting (const GValue       *value,
                   const GVariantType *expected_type,
                   gpointer            user_data)
{
  const char * const *choices = user_data;
  guint selected = g_value_get_uint (value);

  if (selected >= g_strv_length ((char **) choices))
    return NULL;

  return g_variant_new_string (choices[selected]);
}

/* The office's language is stored as its code; the row lists the languages' names. */
static gboolean
language_from_setting (GValue   *value,
                       GVariant *variant,
                       gpointer  user_data)
{
  const char *language = g_variant_get_string (variant, NULL);

  /* Unset: the language PhoneVerify runs in, as the verifier reads it. */
  if (language[0] == '\0')
    language = pv_language_from_locale (g_get_language_names ()[0]);

  g_value_set_uint (value, find_choice (user_data, language));
  return TRUE;
}

static void
setup_messages_page (PvPreferencesWindow *self)
{
  const char * const *languages = pv_language_get_builtin ();
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  for (guint i = 0; languages[i] != NULL; i++)
    {
      g_autofree char *name = pv_language_dup_name (languages[i]);

      gtk_string_list_append (names, name);
    }
  adw_combo_row_set_model (self->office_language_row, G_LIST_MODEL (names));

  g_settings_bind (self->settings, "office-name", self->office_name_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "default-language", self->office_language_row,
                                "selected", G_SETTINGS_BIND_DEFAULT, language_from_setting,
                                choice_to_setting, (gpointer) languages, NULL);
  g_settings_bind (self->settings, "check-line-type", self->line_type_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "reply-to-confirm", self->reply_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);

  for (guint i = 0; languages[i] != NULL; i++)
    adw_preferences_page_add (self->messages_page,
                              ADW_PREFERENCES_GROUP (pv_message_editor_new (self->settings,
                                                                            languages[i])));
}

/* The row's title is a separate label, so a control beside it gets its own name. */
static void
name_after_row (GtkWidget    *widget,
                AdwActionRow *row)
{
  const char *subtitle = adw_action_row_get_subtitle (row);

  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                                  -1);
  if (subtitle != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle,
                                    -1);
}

/* @user_data is how many of the setting's units one shown unit is: the lifetime is kept
 * in seconds, but staff think of it in minutes. */
static gboolean
number_from_setting (GValue   *value,
                     GVariant *variant,
                     gpointer  user_data)
{
  guint scale = GPOINTER_TO_UINT (user_data);

  g_value_set_double (value, (g_variant_get_uint32 (variant) + scale / 2) / scale);
  return TRUE;
}

static GVariant *
number_to_setting (const GValue       *value,
                   const GVariantType *expected_type,
                   gpointer            user_data)
{
  guint scale = GPOINTER_TO_UINT (user_data);
  guint shown = (guint) (g_value_get_double (value) + 0.5);

  return g_variant_new_uint32 (shown * scale);
}

static void
bind_number (PvPreferencesWindow *self,
             const char          *key,
             guint                scale,
             AdwActionRow        *row,
             GtkSpinButton       *spin)
{
  g_settings_bind_with_mapping (self->settings, key, spin, "value", G_SETTINGS_BIND_DEFAULT,
                                number_from_setting, number_to_setting,
                                GUINT_TO_POINTER (scale), NULL);
  name_after_row (GTK_WIDGET (spin), row);
}

/* "FR, be  ES" → ["FR", "BE", "ES"]; NULL if any is not a country. */
static char **
parse_served (const char *text)
{
  g_auto(GStrv) words = g_regex_split_simple ("[\\s,;]+", text != NULL ? text : "", 0, 0);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *code = g_ascii_strup (words[i], -1);

      if (code[0] == '\0')
        continue;
      if (!pv_phone_number_is_region (code))
        return NULL;
      g_strv_builder_add (builder, code);
    }

  return g_strv_builder_end (builder);
}

static gboolean
served_from_setting (GValue   *value,
                     GVariant *variant,
                     gpointer  user_data)
{
  g_autofree const char **codes = g_variant_get_strv (variant, NULL);
  g_autofree char *text = g_strjoinv (", ", (char **) codes);

  g_value_set_string (value, text);

  return TRUE;
}

/* A list with a code that is no country is not saved; the row says so. */
static GVariant *
served_to_setting (const GValue       *value,
                   const GVariantType *expected_type,
                   gpointer            user_data)
{
  g_auto(GStrv) codes = parse_served (g_value_get_string (value));

  if (codes == NULL)
    return NULL;

  return g_variant_new_strv ((const char * const *) codes, -1);
}

static void
served_changed_cb (PvPreferencesWindow *self)
{
  g_auto(GStrv) codes = parse_served (gtk_editable_get_text (GTK_EDITABLE (self->served_row)));

  if (codes == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->served_row), "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (self->served_row),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->served_row), "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (self->served_row),
                                  GTK_ACCESSIBLE_STATE_INVALID);
    }
}

/* The Database page. The rows write their settings as they are typed, like every other
 * page; the password goes to the keyring instead, for the server the settings name when it
 * is applied, when staff leave its row, or when the window closes. The engine reads the
 * settings once, when PhoneVerify starts. */

static const char * const tls_modes[] = { "disable", "prefer", "require", "verify-full", NULL };

/* A radio row stands for the setting's @user_data choice. */
static gboolean
radio_from_setting (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  g_value_set_boolean (value, g_strcmp0 (g_variant_get_string (variant, NULL), user_data) == 0);
  return TRUE;
}

/* Only the row turned on writes: the other one turning off follows from it. */
static GVariant *
radio_to_setting (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  if (!g_value_get_boolean (value))
    return NULL;

  return g_variant_new_string (user_data);
}

/* The shared database the settings name, as pv_store_get_location() names a shared store
 * and the keyring its password; NULL for this computer's. */
static char *
dup_wanted_server (PvPreferencesWindow *self)
{
  g_autofree char *uri = pv_database_dup_uri (self->settings);

  return uri != NULL ? pv_pg_store_describe_uri (uri) : NULL;
}

/* The same for the database the engine opened; until it has one, the one the settings
 * named when the window opened. */
static char *
dup_server_in_use (PvPreferencesWindow *self)
{
  PvStore *store = pv_engine_get_store (self->engine);

  if (store == NULL)
    return g_strdup (self->opened_server);

  if (PV_IS_PG_STORE (store))
    return g_strdup (pv_store_get_location (store));

  return NULL;
}

static void
update_database_page (PvPreferencesWindow *self)
{
  g_autofree char *kind = g_settings_get_string (self->settings, "database");
  g_autofree char *wanted = dup_wanted_server (self);
  g_autofree char *in_use = dup_server_in_use (self);
  gboolean copying = self->copy_cancellable != NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->shared_group), g_str_equal (kind, "shared"));
  adw_preferences_group_set_description (self->shared_group,
                                         self->database_problem != NULL
                                         ? self->database_problem
                                         : _("Ask whoever looks after the office’s PostgreSQL "
                                             "server for these. The password is kept in this "
                                             "computer’s keyring."));
  gtk_widget_set_sensitive (GTK_WIDGET (self->database_test_button),
                            wanted != NULL && !self->database_testing);
  gtk_widget_set_sensitive (GTK_WIDGET (self->copy_group), wanted != NULL || copying);
  gtk_widget_set_sensitive (GTK_WIDGET (self->copy_button), wanted != NULL && !copying);
  gtk_widget_set_visible (GTK_WIDGET (self->copy_button), !copying);
  gtk_widget_set_visible (GTK_WIDGET (self->copy_cancel_button), copying);
  gtk_widget_set_visible (GTK_WIDGET (self->copy_progress), copying);

  /* Switching databases under open windows and running sends is not safe. */
  adw_preferences_group_set_description (self->database_group,
                                         g_strcmp0 (wanted, in_use) != 0
                                         ? _("Restart PhoneVerify to use the new database.")
                                         : NULL);
}

static void
show_database_problem (PvPreferencesWindow *self,
                       const GError        *error)
{
  g_free (self->database_problem);
  self->database_problem = error != NULL ? g_markup_escape_text (error->message, -1) : NULL;
  update_database_page (self);
}

/* Filled in from the keyring: nothing to apply, so no apply button. */
static void
set_password_text (PvPreferencesWindow *self,
                   const char          *password)
{
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (self->password_row), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password != NULL ? password : "");
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (self->password_row), TRUE);
}

static void
remember_saved_password (PvPreferencesWindow *self,
                         const char          *server,
                         const char          *password)
{
  g_clear_pointer (&self->password_saved, pv_secret_text_free);
  g_free (self->password_server);
  self->password_saved = g_strdup (password != NULL ? password : "");
  self->password_server = g_strdup (server);
}

static void
password_looked_up_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  PvPreferencesWindow *self;
  g_autoptr(PvSecretText) password = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *server = NULL;

  password = pv_database_lookup_password_finish (result, &error);

  /* The window is gone: it cancels the lookup when it goes. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  if (error != NULL)
    {
      show_database_problem (self, error);
      return;
    }

  server = dup_wanted_server (self);
  if (g_strcmp0 (server, self->opened_server) != 0)
    return;

  remember_saved_password (self, server, password);
  /* What staff typed meanwhile wins. */
  if (gtk_editable_get_text (GTK_EDITABLE (self->password_row))[0] == '\0')
    set_password_text (self, password);
}

/* Whether the keyring's password for @server is not what the row says. A row left empty
 * for a server we know nothing about has nothing to save. */
static gboolean
password_unsaved (PvPreferencesWindow *self,
                  const char          *server)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  if (server == NULL)
    return FALSE;

  if (g_strcmp0 (server, self->password_server) != 0)
    return text[0] != '\0';

  return g_strcmp0 (text, self->password_saved) != 0;
}

typedef struct _PasswordSave
{
  PvPreferencesWindow *self;
  char                *server;
  char                *password;
  gboolean             then_copy;
} PasswordSave;

static void
password_save_free (PasswordSave *save)
{
  g_object_unref (save->self);
  g_free (save->server);
  pv_secret_text_free (save->password);
  g_free (save);
}

static void start_copy (PvPreferencesWindow *self);

static void
password_saved_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  PasswordSave *save = user_data;
  PvPreferencesWindow *self = save->self;
  g_autoptr(GError) error = NULL;

  self->password_saving = NULL;

  if (!pv_database_save_password_finish (result, &error))
    {
      /* Saved as the window closed: there is nobody left to tell but the log. */
      if (self->disposed)
        g_message ("Could not save the shared database’s password: %s", error->message);
      else
        {
          show_database_problem (self, error);
          add_toast (self, _("Could not save the database password"), ADW_TOAST_PRIORITY_HIGH);
        }
      password_save_free (save);
      return;
    }

  remember_saved_password (self, save->server, save->password);

  if (!self->disposed)
    {
      show_database_problem (self, NULL);
      add_toast (self,
                 save->password[0] != '\0' ? _("Database password saved in the keyring")
                                           : _("Database password removed from the keyring"),
                 ADW_TOAST_PRIORITY_NORMAL);
      if (save->then_copy)
        start_copy (self);
    }

  password_save_free (save);
}

/* Saves the row's password if it is not what the keyring has; then, with @then_copy,
 * copies the customers, which reads it back from there. */
static void
save_password (PvPreferencesWindow *self,
               gboolean             then_copy)
{
  g_autofree char *uri = pv_database_dup_uri (self->settings);
  g_autofree char *server = dup_wanted_server (self);
  PasswordSave *save;

  /* The copy waits for the password being saved; what was typed since is saved next time. */
  if (self->password_saving != NULL)
    {
      self->password_saving->then_copy = self->password_saving->then_copy || then_copy;
      return;
    }

  if (!password_unsaved (self, server))
    {
      if (then_copy)
        start_copy (self);
      return;
    }

  save = g_new0 (PasswordSave, 1);
  save->self = g_object_ref (self);
  save->server = g_steal_pointer (&server);
  save->password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
  save->then_copy = then_copy;
  self->password_saving = save;

  /* Not cancelled when the window closes: staff asked for it to be saved. */
  pv_database_save_password_async (uri, save->password, NULL, password_saved_cb, save);
}

static void
password_applied_cb (PvPreferencesWindow *self)
{
  save_password (self, FALSE);
}

static void
password_changed_cb (PvPreferencesWindow *self)
{
  show_database_problem (self, NULL);
}

static void
password_left_cb (PvPreferencesWindow *self)
{
  save_password (self, FALSE);
}

static void
database_tested_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  PvPreferencesWindow *self;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *escaped_version = NULL;
  g_autofree char *title = NULL;
  gint64 n_customers = -1;
  gboolean ok;

  ok = pv_database_test_finish (result, &version, &n_customers, &error);

  /* The window is gone: it cancels the test when it goes. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  self->database_testing = FALSE;
  gtk_spinner_stop (self->database_test_spinner);
  update_database_page (self);

  /* As on the Twilio page: the server's reason is too long for a toast. */
  if (!ok)
    {
      show_database_problem (self, error);
      add_toast (self, _("Could not connect to the shared database"), ADW_TOAST_PRIORITY_HIGH);
      return;
    }

  show_database_problem (self, NULL);

  escaped_version = g_markup_escape_text (version, -1);
  if (n_customers < 0)
    /* Translators: %s is the server's version, such as “15.18” */
    title = g_strdup_printf (_("Connected to PostgreSQL %s: PhoneVerify will set up this "
                               "database on first use"), escaped_version);
  else
    /* Translators: the first %s is the server's version, such as “15.18”; %'u is a number,
     * shown with the locale's digit grouping */
    title = g_strdup_printf (ngettext ("Connected to PostgreSQL %s: %'u customer",
                                       "Connected to PostgreSQL %s: %'u customers",
                                       (gulong) MIN (n_customers, G_MAXUINT)),
                             escaped_version, (guint) MIN (n_customers, G_MAXUINT));
  add_toast (self, title, ADW_TOAST_PRIORITY_NORMAL);
}

static void
database_test_clicked_cb (PvPreferencesWindow *self)
{
  g_autofree char *uri = pv_database_dup_uri (self->settings);

  g_return_if_fail (uri != NULL);

  self->database_testing = TRUE;
  gtk_spinner_start (self->database_test_spinner);
  update_database_page (self);

  /* What is typed, saved or not: testing is how staff find out whether to keep it. */
  pv_database_test_async (uri, gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                          self->cancellable, database_tested_cb, self);
}

static void
show_copy_status (PvPreferencesWindow *self,
                  const char          *text)
{
  g_autofree char *escaped = text != NULL ? g_markup_escape_text (text, -1) : NULL;

  adw_action_row_set_subtitle (self->copy_row,
                               escaped != NULL
                               ? escaped
                               : _("Customers already in the shared database are left as "
                                   "they are"));
}

static void
copy_progress_cb (PvPreferencesWindow *self)
{
  guint n_done = pv_database_copy_get_n_done (self->copy);
  guint n_total = pv_database_copy_get_n_total (self->copy);
  g_autofree char *text = NULL;

  /* Translators: %'u are numbers, shown with the locale's digit grouping */
  text = g_strdup_printf (ngettext ("Copied %'u of %'u customer…",
                                    "Copied %'u of %'u customers…", n_total),
                          n_done, n_total);
  show_copy_status (self, text);
  gtk_progress_bar_set_fraction (self->copy_progress, pv_database_copy_get_progress (self->copy));
}

static char *
describe_copy (guint n_copied,
               guint n_already_there)
{
  g_autofree char *copied = NULL;
  g_autofree char *there = NULL;

  if (n_copied == 0 && n_already_there == 0)
    return g_strdup (_("This computer has no customers to copy."));

  if (n_copied == 0)
    /* Translators: %'u is a number, shown with the locale's digit grouping */
    return g_strdup_printf (ngettext ("%'u customer was in the shared database already.",
                                      "All %'u customers were in the shared database already.",
                                      n_already_there),
                            n_already_there);

  if (n_already_there == 0)
    /* Translators: %'u is a number, shown with the locale's digit grouping */
    return g_strdup_printf (ngettext ("Copied %'u customer.", "Copied %'u customers.", n_copied),
                            n_copied);

  /* Translators: the first part of “Copied 99,880 customers; 120 were there already.” */
  copied = g_strdup_printf (ngettext ("Copied %'u customer", "Copied %'u customers", n_copied),
                            n_copied);
  /* Translators: the second part of “Copied 99,880 customers; 120 were there already.” */
  there = g_strdup_printf (ngettext ("%'u was there already", "%'u were there already",
                                     n_already_there),
                           n_already_there);

  /* Translators: “Copied 99,880 customers” and “120 were there already” */
  return g_strdup_printf (_("%s; %s."), copied, there);
}

static void
end_copy (PvPreferencesWindow *self)
{
  if (self->copy != NULL)
    g_signal_handlers_disconnect_by_data (self->copy, self);
  g_clear_object (&self->copy);
  g_clear_object (&self->copy_from);
  g_clear_object (&self->copy_cancellable);
  update_database_page (self);
}

static void
copy_failed (PvPreferencesWindow *self,
             const GError        *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      show_copy_status (self, _("Copying stopped. Copy again to copy the rest."));
      add_toast (self, _("Copying stopped"), ADW_TOAST_PRIORITY_NORMAL);
    }
  else
    {
      show_copy_status (self, error->message);
      add_toast (self, _("Could not copy the customers"), ADW_TOAST_PRIORITY_HIGH);
    }

  end_copy (self);
}

static void
customers_copied_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(PvPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint n_copied = 0;
  guint n_already_there = 0;

  if (!pv_database_copy_run_finish (PV_DATABASE_COPY (object), result, &n_copied,
                                    &n_already_there, &error))
    {
      if (!self->disposed)
        copy_failed (self, error);
      return;
    }

  if (self->disposed)
    return;

  text = describe_copy (n_copied, n_already_there);
  show_copy_status (self, text);
  add_toast (self, text, ADW_TOAST_PRIORITY_NORMAL);
  end_copy (self);
}

static void
shared_store_opened_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(PvPreferencesWindow) self = user_data;
  g_autoptr(PvStore) to = NULL;
  g_autoptr(GError) error = NULL;

  to = pv_database_open_finish (result, &error);
  if (self->disposed)
    return;

  if (to == NULL)
    {
      copy_failed (self, error);
      return;
    }

  self->copy = pv_database_copy_new (self->copy_from, to);
  g_signal_connect_swapped (self->copy, "notify::n-done", G_CALLBACK (copy_progress_cb), self);
  g_signal_connect_swapped (self->copy, "notify::n-total", G_CALLBACK (copy_progress_cb), self);
  pv_database_copy_run_async (self->copy, self->copy_cancellable, customers_copied_cb,
                              g_object_ref (self));
}

static void
local_store_opened_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(PvPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  self->copy_from = pv_database_open_finish (result, &error);
  if (self->disposed)
    return;

  if (self->copy_from == NULL)
    {
      copy_failed (self, error);
      return;
    }

  pv_database_open_async (self->settings, NULL, pv_engine_get_clock (self->engine),
                          self->copy_cancellable, shared_store_opened_cb, g_object_ref (self));
}

/* Stores of the copy's own, on worker threads: the engine's is busy on the main thread,
 * and may be either of them. */
static void
start_copy (PvPreferencesWindow *self)
{
  if (self->copy_cancellable != NULL)
    return;

  self->copy_cancellable = g_cancellable_new ();
  gtk_widget_set_sensitive (GTK_WIDGET (self->copy_cancel_button), TRUE);
  gtk_progress_bar_set_fraction (self->copy_progress, 0.0);
  show_copy_status (self, _("Connecting…"));
  update_database_page (self);

  pv_database_open_async (NULL, NULL, pv_engine_get_clock (self->engine), self->copy_cancellable,
                          local_store_opened_cb, g_object_ref (self));
}

static void
copy_clicked_cb (PvPreferencesWindow *self)
{
  /* The copy connects with the keyring's password, so the row's goes there first. */
  save_password (self, TRUE);
}

static void
copy_cancel_clicked_cb (PvPreferencesWindow *self)
{
  /* A page being written is finished first, so nothing is copied by half. */
  g_cancellable_cancel (self->copy_cancellable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->copy_cancel_button), FALSE);
}

static void
database_settings_changed_cb (PvPreferencesWindow *self,
                              const char          *key)
{
  if (g_str_has_prefix (key, "database"))
    show_database_problem (self, NULL);
  else
    update_database_page (self);
}

static void
setup_database_page (PvPreferencesWindow *self)
{
  GtkEventController *focus;
  g_autofree char *uri = NULL;

  g_settings_bind_with_mapping (self->settings, "database", self->local_check, "active",
                                G_SETTINGS_BIND_DEFAULT, radio_from_setting, radio_to_setting,
                                (gpointer) "local", NULL);
  g_settings_bind_with_mapping (self->settings, "database", self->shared_check, "active",
                                G_SETTINGS_BIND_DEFAULT, radio_from_setting, radio_to_setting,
                                (gpointer) "shared", NULL);
  g_settings_bind (self->settings, "database-host", self->host_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "database-port", self->port_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "database-name", self->name_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "database-user", self->user_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "database-tls", self->tls_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, choice_from_setting, choice_to_setting,
                                (gpointer) tls_modes, NULL);

  name_after_row (GTK_WIDGET (self->port_spin), self->port_row);
  pv_accessible_name_inner_button (GTK_WIDGET (self->password_row), GTK_TYPE_BUTTON,
                                   _("Save the Password"));
  pv_accessible_name_icon_button (GTK_WIDGET (self->password_row), PEEK_ICON,
                                  _("Show the Password"));

  focus = gtk_event_controller_focus_new ();
  g_signal_connect_object (focus, "leave", G_CALLBACK (password_left_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->password_row), focus);

  /* GSettings only reports changes to keys read after connecting, so connect first. */
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (database_settings_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->engine, "notify::store", G_CALLBACK (update_database_page),
                           self, G_CONNECT_SWAPPED);

  self->opened_server = dup_wanted_server (self);
  show_copy_status (self, NULL);
  update_database_page (self);

  uri = pv_database_dup_uri (self->settings);
  if (uri != NULL)
    pv_database_lookup_password_async (uri, self->cancellable, password_looked_up_cb, self);
}

static gboolean
pv_preferences_window_close_request (GtkWindow *window)
{
  PvPreferencesWindow *self = PV_PREFERENCES_WINDOW (window);

  g_cancellable_cancel (self->cancellable);
  save_password (self, FALSE);

  return GTK_WINDOW_CLASS (pv_preferences_window_parent_class)->close_request (window);
}

static void
pv_preferences_window_constructed (GObject *object)
{
  PvPreferencesWindow *self = PV_PREFERENCES_WINDOW (object);
  G_OBJECT_CLASS (pv_preferences_window_parent_class)->constructed (object);

  self->settings = g_object_ref (pv_engine_get_settings (self->engine));

  bind_number (self, "code-length", 1, self->code_length_row, self->code_length_spin);
  bind_number (self, "code-lifetime", 60, self->code_lifetime_row, self->code_lifetime_spin);
  bind_number (self, "max-attempts", 1, self->max_attempts_row, self->max_attempts_spin);
  bind_number (self, "resend-cooldown", 1, self->resend_cooldown_row,
               self->resend_cooldown_spin);
  bind_number (self, "max-sends-per-hour", 1, self->sends_per_hour_row,
               self->sends_per_hour_spin);
  g_settings_bind (self->settings, "default-country", self->country_row, "country",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "served-countries", self->served_row, "text",
                                G_SETTINGS_BIND_DEFAULT, served_from_setting, served_to_setting,
                                self, NULL);
  g_signal_connect_object (self->served_row, "changed", G_CALLBACK (served_changed_cb), self,
                           G_CONNECT_SWAPPED);

  /* GSettings only reports changes to keys read after connecting, so connect first. */
  g_signal_connect_object (self->settings, "changed::default-country",
                           G_CALLBACK (update_account), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->engine, "notify::state",
                           G_CALLBACK (engine_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->engine, "notify::credentials-source",
                           G_CALLBACK (engine_changed_cb), self, G_CONNECT_SWAPPED);

  self->saved = pv_engine_dup_credentials (self->engine);
  fill_account_fields (self, self->saved);
  update_account (self);

  setup_messages_page (self);
  setup_database_page (self);
}

static void
pv_preferences_window_dispose (GObject *object)
{
  PvPreferencesWindow *self = (PvPreferencesWindow *) object;

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->copy_cancellable);
  if (self->copy != NULL)
    g_signal_handlers_disconnect_by_data (self->copy, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), PV_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (pv_preferences_window_parent_class)->dispose (object);
}

static void
pv_preferences_window_finalize (GObject *object)
{
  PvPreferencesWindow *self = (PvPreferencesWindow *) object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->saved, pv_twilio_credentials_free);
  g_clear_pointer (&self->saving, pv_twilio_credentials_free);
  g_clear_pointer (&self->failure, g_free);
  g_clear_object (&self->copy);
  g_clear_object (&self->copy_from);
  g_clear_object (&self->copy_cancellable);
  g_clear_pointer (&self->opened_server, g_free);
  g_clear_pointer (&self->database_problem, g_free);
  g_clear_pointer (&self->password_saved, pv_secret_text_free);
  g_clear_pointer (&self->password_server, g_free);

  G_OBJECT_CLASS (pv_preferences_window_parent_class)->finalize (object);
}

static void
pv_preferences_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  PvPreferencesWindow *self = PV_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_preferences_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  PvPreferencesWindow *self = PV_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      self->engine = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_preferences_window_class_init (PvPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  g_type_ensure (PV_TYPE_COUNTRY_ROW);

  object_class->constructed = pv_preferences_window_constructed;
  object_class->dispose = pv_preferences_window_dispose;
  object_class->finalize = pv_preferences_window_finalize;
  object_class->get_property = pv_preferences_window_get_property;
  object_class->set_property = pv_preferences_window_set_property;

  window_class->close_request = pv_preferences_window_close_request;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         PV_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/example/PhoneVerify/ui/pv-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, account_group);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, account_sid_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, api_key_sid_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, code_length_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, code_length_spin);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, code_lifetime_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, code_lifetime_spin);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, country_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, served_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, forget_button);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, forget_group);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, forget_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, max_attempts_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, max_attempts_spin);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, messages_page);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, office_name_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, office_language_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, line_type_switch);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, reply_switch);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, resend_cooldown_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, resend_cooldown_spin);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, save_button);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, secret_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, sender_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, sends_per_hour_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, sends_per_hour_spin);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, test_button);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, test_spinner);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, database_group);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, local_check);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, shared_check);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, shared_group);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, host_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, port_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, port_spin);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, name_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, user_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, password_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, tls_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, database_test_spinner);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, database_test_button);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, copy_group);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, copy_row);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, copy_progress);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, copy_button);
  gtk_widget_class_bind_template_child (widget_class, PvPreferencesWindow, copy_cancel_button);
  gtk_widget_class_bind_template_callback (widget_class, account_field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, copy_cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, copy_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, database_test_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, password_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, password_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, forget_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, test_clicked_cb);
}

static void
pv_preferences_window_init (PvPreferencesWindow *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Search is off, but its entry is there, and focusable. */
  pv_accessible_name_inner_button (GTK_WIDGET (self), GTK_TYPE_SEARCH_ENTRY,
                                   _("Search Preferences"));
  pv_accessible_name_icon_button (GTK_WIDGET (self->secret_row), PEEK_ICON, _("Show the Secret"));
}

/**
 * pv_preferences_window_new:
 * @parent: (nullable): the window it belongs to, whose application it joins
 * @engine: where the account and the settings live
 */
PvPreferencesWindow *
pv_preferences_window_new (GtkWindow *parent,
                           PvEngine  *engine)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (PV_IS_ENGINE (engine), NULL);

  /* Belonging to the application too keeps its shortcuts, such as Ctrl+Q, working here. */
  return g_object_new (PV_TYPE_PREFERENCES_WINDOW,
                       "application", parent != NULL ? gtk_window_get_application (parent) : NULL,
                       "transient-for", parent,
                       "engine", engine,
                       NULL);
}
