/* pv-message-editor.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* One language's text message in Preferences: the office's own wording, or the built-in
 * one, with what the customer will get and how many segments it costs, counted as it is
 * typed. A character outside the GSM alphabet makes the whole text UCS-2, 70 characters a
 * segment instead of 160, and staff rarely know which ones do: the counter names it. */

#define G_LOG_DOMAIN "pv-message-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "pv-accessible.h"
#include "pv-language.h"
#include "pv-message-composer.h"
#include "pv-message-editor.h"
#include "pv-message-template.h"
#include "pv-sms-encoding.h"

/* Codes are at most this long, so the count holds for any code length. */
#define EXAMPLE_CODE "1234567890"

struct _PvMessageEditor
{
  AdwPreferencesGroup  parent_instance;

  GSettings           *settings;
  char                *language;
  char                *counter;      /* the description, for tests and screen readers */
  AdwEntryRow         *entry_row;
  AdwActionRow        *example_row;
  GtkButton           *reset_button;
  gboolean             showing;      /* the setting, not staff, is changing the text */
};

G_DEFINE_FINAL_TYPE (PvMessageEditor, pv_message_editor, ADW_TYPE_PREFERENCES_GROUP)

static char *
dup_office_name (PvMessageEditor *self)
{
  g_autofree char *name = g_settings_get_string (self->settings, "office-name");

  return g_strstrip (g_steal_pointer (&name));
}

/* The office's own wording for the language, or NULL. */
static char *
dup_custom_text (PvMessageEditor *self)
{
  g_autoptr(GVariant) templates = g_settings_get_value (self->settings, "message-templates");
  const char *text = NULL;

  if (g_variant_lookup (templates, self->language, "&s", &text) && text[0] != '\0')
    return g_strdup (text);

  return NULL;
}

static char *
dup_shown_text (PvMessageEditor *self)
{
  g_autofree char *office = dup_office_name (self);
  char *custom = dup_custom_text (self);

  if (custom != NULL)
    return custom;

  return g_strdup (pv_message_template_get_builtin (self->language, office[0] != '\0'));
}

static char *
describe_length (const char *example)
{
  PvSmsLength length;
  g_autofree char *segments = NULL;

  pv_sms_length_measure (example, &length);
  segments = g_strdup_printf (ngettext ("%u segment", "%u segments", length.n_segments),
                              length.n_segments);

  if (length.encoding == PV_SMS_ENCODING_GSM7)
    /* Translators: “1 segment”, then a count such as 98; GSM-7 is the name of an encoding */
    return g_strdup_printf (ngettext ("%s, GSM-7: %u character",
                                      "%s, GSM-7: %u characters", length.n_units),
                            segments, length.n_units);

  {
    char character[8] = { 0 };

    g_unichar_to_utf8 (length.first_non_gsm, character);
    /* Translators: “2 segments”, then a character such as “ó” that forces the encoding */
    return g_strdup_printf (_("%s, Unicode (UCS-2) because of “%s”. Replace it (for example "
                              "with a plain letter or another word) to fit 160 characters "
                              "in a segment instead of 70."),
                            segments, character);
  }
}

/* Shows what the customer gets for @text, and whether it can be used. Returns whether it
 * can. */
static gboolean
show_text (PvMessageEditor *self,
           const char      *text)
{
  g_autofree char *office = dup_office_name (self);
  g_autofree char *example = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->counter, g_free);

  if (!pv_message_template_validate_full (text, office, &error))
    {
      pv_accessible_show_problem (GTK_WIDGET (self->entry_row), error->message);
      self->counter = g_strdup (error->message);
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self), self->counter);
      adw_action_row_set_subtitle (self->example_row, "");
      return FALSE;
    }

  pv_accessible_show_problem (GTK_WIDGET (self->entry_row), NULL);
  example = pv_message_template_render_full (text, EXAMPLE_CODE, 10, office);
  self->counter = describe_length (example);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self), self->counter);
  adw_action_row_set_subtitle (self->example_row, example);

  return TRUE;
}

/* The wording is stored only when it is the office's own: equal to the built-in one, the
 * language follows the built-in wording again, as it would after Reset. */
static void
store_text (PvMessageEditor *self,
            const char      *text)
{
  g_autoptr(GVariant) templates = g_settings_get_value (self->settings, "message-templates");
  g_autofree char *office = dup_office_name (self);
  const char *builtin = pv_message_template_get_builtin (self->language, office[0] != '\0');

  if (g_strcmp0 (text, builtin) == 0)
    text = NULL;

  g_settings_set_value (self->settings, "message-templates",
                        pv_message_templates_replace (templates, self->language, text));
}

static void
text_changed_cb (PvMessageEditor *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry_row));

  if (self->showing)
    return;

  /* Wording that would text customers nothing to verify with is never stored. */
  if (show_text (self, text))
    store_text (self, text);
}

static void
setting_changed_cb (PvMessageEditor *self)
{
  g_autofree char *shown = dup_shown_text (self);
  g_autofree char *custom = dup_custom_text (self);
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->entry_row));
  g_autofree char *office = dup_office_name (self);

  /* Staff in the middle of fixing an invalid text would lose it. */
  if (g_strcmp0 (typed, shown) != 0 && pv_message_template_validate_full (typed, office, NULL))
    {
      self->showing = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->entry_row), shown);
      self->showing = FALSE;
    }

  show_text (self, gtk_editable_get_text (GTK_EDITABLE (self->entry_row)));
  gtk_widget_set_sensitive (GTK_WIDGET (self->reset_button), custom != NULL);
}

/* Reset is asked for: it wins over a text being typed, even an invalid one. */
static void
reset_clicked_cb (PvMessageEditor *self)
{
  g_autofree char *office = dup_office_name (self);

  self->showing = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->entry_row),
                         pv_message_template_get_builtin (self->language, office[0] != '\0'));
  self->showing = FALSE;
  store_text (self, NULL);
}

static void
pv_message_editor_dispose (GObject *object)
{
  PvMessageEditor *self = PV_MESSAGE_EDITOR (object);

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (pv_message_editor_parent_class)->dispose (object);
}

static void
pv_message_editor_finalize (GObject *object)
{
  PvMessageEditor *self = PV_MESSAGE_EDITOR (object);

  g_free (self->language);
  g_free (self->counter);

  G_OBJECT_CLASS (pv_message_editor_parent_class)->finalize (object);
}

static void
pv_message_editor_class_init (PvMessageEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pv_message_editor_dispose;
  object_class->finalize = pv_message_editor_finalize;
}

static void
pv_message_editor_init (PvMessageEditor *self)
{
  self->entry_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->entry_row), _("Message Text"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->entry_row));

  self->example_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->example_row), _("Example Message"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->example_row), FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->example_row));

  self->reset_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Reset")));
  gtk_widget_set_valign (GTK_WIDGET (self->reset_button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->reset_button), "flat");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->reset_button), _("Use the built-in wording"));
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (self),
                                           GTK_WIDGET (self->reset_button));
}

/**
 * pv_message_editor_new:
 * @language: a built-in language, such as "de"
 *
 * Returns: (transfer full): an editor of @language's wording in @settings
 */
GtkWidget *
pv_message_editor_new (GSettings  *settings,
                       const char *language)
{
  PvMessageEditor *self;
  g_autofree char *name = NULL;
  g_autofree char *entry_name = NULL;
  g_autofree char *reset_name = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (pv_language_is_builtin (language), NULL);

  self = g_object_new (PV_TYPE_MESSAGE_EDITOR, NULL);
  self->settings = g_object_ref (settings);
  self->language = g_strdup (language);

  name = pv_language_dup_name (language);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), name);
  /* Four rows share the title "Message Text": each says its language to screen readers. */
  /* Translators: %s is a language, such as “German” */
  entry_name = g_strdup_printf (_("Message Text in %s"), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry_row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, entry_name, -1);
  /* Translators: %s is a language, such as “German” */
  reset_name = g_strdup_printf (_("Reset the Text in %s"), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->reset_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, reset_name, -1);

  g_signal_connect_object (self->entry_row, "changed", G_CALLBACK (text_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->reset_button, "clicked", G_CALLBACK (reset_clicked_cb), self,
                           G_CONNECT_SWAPPED);
  /* GSettings only reports changes to keys read after connecting, so connect first. */
  g_signal_connect_object (settings, "changed::message-templates",
                           G_CALLBACK (setting_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed::office-name",
                           G_CALLBACK (setting_changed_cb), self, G_CONNECT_SWAPPED);

  self->showing = TRUE;
  {
    g_autofree char *shown = dup_shown_text (self);

    gtk_editable_set_text (GTK_EDITABLE (self->entry_row), shown);
  }
  self->showing = FALSE;
  setting_changed_cb (self);

  return GTK_WIDGET (self);
}

const char *
pv_message_editor_get_language (PvMessageEditor *self)
{
  g_return_val_if_fail (PV_IS_MESSAGE_EDITOR (self), NULL);

  return self->language;
}

GtkWidget *
pv_message_editor_get_entry (PvMessageEditor *self)
{
  g_return_val_if_fail (PV_IS_MESSAGE_EDITOR (self), NULL);

  return GTK_WIDGET (self->entry_row);
}

/**
 * pv_message_editor_get_counter:
 *
 * Returns: what the editor says under its title: the segments and the encoding, or why
 *   the text cannot be used
 */
const char *
pv_message_editor_get_counter (PvMessageEditor *self)
{
  g_return_val_if_fail (PV_IS_MESSAGE_EDITOR (self), NULL);

  return self->counter;
}
