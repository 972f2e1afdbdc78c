/* pv-message-composer.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What a customer is sent, in their language: the office's own wording for that language
 * when it has one, else the built-in wording, for a text; the built-in phrases for a call.
 * The language is staff's choice for the customer, else the one the number's country
 * speaks when there is wording for it, else the office's. */

#define G_LOG_DOMAIN "pv-composer"

#include "config.h"

#include "pv-call-script.h"
#include "pv-language.h"
#include "pv-message-composer.h"
#include "pv-message-template.h"

struct _PvMessageComposer
{
  GObject     parent_instance;

  char       *office_name;
  char       *default_language;
  GHashTable *templates;        /* language → the office's own wording */
};

G_DEFINE_FINAL_TYPE (PvMessageComposer, pv_message_composer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_OFFICE_NAME,
  PROP_DEFAULT_LANGUAGE,
  PROP_MESSAGE_TEMPLATES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_templates (PvMessageComposer *self,
               GVariant          *templates)
{
  GVariantIter iter;
  const char *language;
  const char *text;

  g_hash_table_remove_all (self->templates);
  if (templates == NULL || !g_variant_is_of_type (templates, G_VARIANT_TYPE ("a{ss}")))
    return;

  g_variant_iter_init (&iter, templates);
  while (g_variant_iter_next (&iter, "{&s&s}", &language, &text))
    {
      /* An emptied template is no wording at all: the built-in one stands. */
      if (text[0] != '\0')
        g_hash_table_replace (self->templates, g_strdup (language), g_strdup (text));
    }
}

static GVariant *
dup_templates (PvMessageComposer *self)
{
  GVariantBuilder builder;
  GHashTableIter iter;
  gpointer language, text;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  g_hash_table_iter_init (&iter, self->templates);
  while (g_hash_table_iter_next (&iter, &language, &text))
    g_variant_builder_add (&builder, "{ss}", language, text);

  return g_variant_builder_end (&builder);
}

static void
pv_message_composer_finalize (GObject *object)
{
  PvMessageComposer *self = PV_MESSAGE_COMPOSER (object);

  g_clear_pointer (&self->office_name, g_free);
  g_clear_pointer (&self->default_language, g_free);
  g_clear_pointer (&self->templates, g_hash_table_unref);

  G_OBJECT_CLASS (pv_message_composer_parent_class)->finalize (object);
}

static void
pv_message_composer_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  PvMessageComposer *self = PV_MESSAGE_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_OFFICE_NAME:
      g_value_set_string (value, self->office_name);
      break;
    case PROP_DEFAULT_LANGUAGE:
      g_value_set_string (value, self->default_language);
      break;
    case PROP_MESSAGE_TEMPLATES:
      g_value_take_variant (value, dup_templates (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_message_composer_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  PvMessageComposer *self = PV_MESSAGE_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_OFFICE_NAME:
      g_free (self->office_name);
      self->office_name = g_strstrip (g_value_dup_string (value) ?: g_strdup (""));
      break;
    case PROP_DEFAULT_LANGUAGE:
      g_free (self->default_language);
      self->default_language = g_value_dup_string (value);
      break;
    case PROP_MESSAGE_TEMPLATES:
      set_templates (self, g_value_get_variant (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_message_composer_class_init (PvMessageComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pv_message_composer_finalize;
  object_class->get_property = pv_message_composer_get_property;
  object_class->set_property = pv_message_composer_set_property;

  properties[PROP_OFFICE_NAME] =
    g_param_spec_string ("office-name", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  /* Empty: the language the app runs in, when there is wording for it. */
  properties[PROP_DEFAULT_LANGUAGE] =
    g_param_spec_string ("default-language", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGE_TEMPLATES] =
    g_param_spec_variant ("message-templates", NULL, NULL, G_VARIANT_TYPE ("a{ss}"), NULL,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pv_message_composer_init (PvMessageComposer *self)
{
  self->templates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

PvMessageComposer *
pv_message_composer_new (void)
{
  return g_object_new (PV_TYPE_MESSAGE_COMPOSER, NULL);
}

static void
templates_changed_cb (GSettings         *settings,
                      const char        *key,
                      PvMessageComposer *self)
{
  g_autoptr(GVariant) templates = g_settings_get_value (settings, "message-templates");

  set_templates (self, templates);
}

/**
 * pv_message_composer_bind_settings:
 *
 * Follows the office name, its language and its wording in @settings.
 */
void
pv_message_composer_bind_settings (PvMessageComposer *self,
                                   GSettings         *settings)
{
  g_return_if_fail (PV_IS_MESSAGE_COMPOSER (self));

  g_settings_bind (settings, "office-name", self, "office-name", G_SETTINGS_BIND_GET);
  g_settings_bind (settings, "default-language", self, "default-language",
                   G_SETTINGS_BIND_GET);
  g_signal_connect_object (settings, "changed::message-templates",
                           G_CALLBACK (templates_changed_cb), self, 0);
  templates_changed_cb (settings, "message-templates", self);
}

const char *
pv_message_composer_get_office_name (PvMessageComposer *self)
{
  g_return_val_if_fail (PV_IS_MESSAGE_COMPOSER (self), NULL);

  return self->office_name;
}

/**
 * pv_message_composer_get_default_language:
 *
 * Returns: the office's language: the one set, else the one the app runs in when there
 *   is wording for it, else English
 */
const char *
pv_message_composer_get_default_language (PvMessageComposer *self)
{
  const char *language;

  g_return_val_if_fail (PV_IS_MESSAGE_COMPOSER (self), NULL);

  if (self->default_language != NULL && pv_language_is_builtin (self->default_language))
    return self->default_language;

  /* The language gettext shows the app in: LANGUAGE first, then the locale. */
  language = pv_language_from_locale (g_get_language_names ()[0]);

  return language != NULL ? language : "en";
}

/**
 * pv_message_composer_choose_language:
 * @override: (nullable): staff's choice for this customer
 * @region: (nullable): the country of the customer's number
 *
 * Returns: the language to write to this customer in
 */
const char *
pv_message_composer_choose_language (PvMessageComposer *self,
                                     const char        *override,
                                     const char        *region)
{
  g_return_val_if_fail (PV_IS_MESSAGE_COMPOSER (self), NULL);

  return pv_language_choose (override, region, pv_message_composer_get_default_language (self),
                             self->templates);
}

/**
 * pv_message_composer_dup_template:
 *
 * Returns: (transfer full): the office's wording for @language, else the built-in one
 */
char *
pv_message_composer_dup_template (PvMessageComposer *self,
                                  const char        *language)
{
  const char *custom;

  g_return_val_if_fail (PV_IS_MESSAGE_COMPOSER (self), NULL);

  custom = g_hash_table_lookup (self->templates, language);
  if (custom != NULL)
    return g_strdup (custom);

  return g_strdup (pv_message_template_get_builtin (language, self->office_name[0] != '\0'));
}

/**
 * pv_message_composer_check_text:
 *
 * Returns: whether a text in @language can be composed; if not, @error says why
 */
gboolean
pv_message_composer_check_text (PvMessageComposer  *self,
                                const char         *language,
                                GError            **error)
{
  g_autofree char *template_text = NULL;

  g_return_val_if_fail (PV_IS_MESSAGE_COMPOSER (self), FALSE);

  template_text = pv_message_composer_dup_template (self, language);

  return pv_message_template_validate_full (template_text, self->office_name, error);
}

/**
 * pv_message_composer_compose_text:
 * @minutes: how long the code stays valid
 *
 * Returns: (transfer full): the text message, or %NULL when the office's wording cannot
 *   be used, with @error saying why
 */
char *
pv_message_composer_compose_text (PvMessageComposer  *self,
                                  const char         *language,
                                  const char         *code,
                                  guint               minutes,
                                  GError            **error)
{
  g_autofree char *template_text = NULL;

  g_return_val_if_fail (PV_IS_MESSAGE_COMPOSER (self), NULL);

  if (!pv_message_composer_check_text (self, language, error))
    return NULL;

  template_text = pv_message_composer_dup_template (self, language);

  return pv_message_template_render_full (template_text, code, minutes, self->office_name);
}

/**
 * pv_message_composer_compose_call:
 *
 * Returns: (transfer full): the TwiML document that reads @code out in @language
 */
char *
pv_message_composer_compose_call (PvMessageComposer *self,
                                  const char        *language,
                                  const char        *code,
                                  guint              minutes)
{
  g_return_val_if_fail (PV_IS_MESSAGE_COMPOSER (self), NULL);

  return pv_call_script_build (language, code, self->office_name, minutes);
}

/**
 * pv_message_templates_replace:
 * @templates: (nullable): an a{ss} of wording by language, as in the settings
 * @language: the language to change
 * @text: (nullable): its new wording, or %NULL for the built-in one
 *
 * Returns: (transfer floating): @templates with @language's wording replaced or removed
 */
GVariant *
pv_message_templates_replace (GVariant   *templates,
                              const char *language,
                              const char *text)
{
  GVariantBuilder builder;
  GVariantIter iter;
  const char *key;
  const char *value;

  g_return_val_if_fail (language != NULL, NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  if (templates != NULL && g_variant_is_of_type (templates, G_VARIANT_TYPE ("a{ss}")))
    {
      g_variant_iter_init (&iter, templates);
      while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
        if (!g_str_equal (key, language))
          g_variant_builder_add (&builder, "{ss}", key, value);
    }

  if (text != NULL)
    g_variant_builder_add (&builder, "{ss}", language, text);

  return g_variant_builder_end (&builder);
}
