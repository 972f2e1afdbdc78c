/* pv-message-template.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The text message: PhoneVerify's own wording in each built-in language, or an office's,
 * kept in GSettings. It is checked before every send, because a template without "{code}"
 * would text customers a message they cannot verify with, and one with a misspelt
 * placeholder would text them the braces.
 *
 * Besides {code}, a template may say how long the code is valid, {minutes}, and who sent
 * it, {office}: the office's name as set in Preferences. */

#define G_LOG_DOMAIN "pv-message-template"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include <string.h>

#include "pv-code.h"
#include "pv-message-template.h"

G_DEFINE_QUARK (pv-message-template-error-quark, pv_message_template_error)

/* The longest a placeholder-like name between braces can be: longer text in braces is
 * the message's own, not a misspelt placeholder. */
#define MAX_PLACEHOLDER_NAME 20

/* Any guint: the widest {minutes} can become, for the length check. */
#define WIDEST_MINUTES "4294967295"

typedef struct
{
  const char *language;
  const char *with_office;
  const char *without_office;
} BuiltinTemplate;

/* In the customer's language, so not for translators. Each is GSM-7 and one segment with a
 * 30-character office name, a 10-digit code and 4-digit minutes (tests/test-message-template.c
 * checks it), because a single non-GSM character makes the message UCS-2 and three segments:
 * so "Min." rather than "Minute"/"Minuten" (which also spares a plural), the French colon
 * after a plain space rather than a no-break one, and Spanish "clave" with no accent where
 * "código" and "válido" would need ó and á. */
static const BuiltinTemplate builtin_templates[] = {
  {
    "en",
    "Your verification code for {office} is {code}. Valid for {minutes} min. "
    "Do not share it with anyone.",
    "Your verification code is {code}. Valid for {minutes} min. Do not share it with anyone.",
  },
  {
    "de",
    "Ihr Bestätigungscode für {office}: {code}. Gültig für {minutes} Min. "
    "Bitte nicht weitergeben.",
    "Ihr Bestätigungscode: {code}. Gültig für {minutes} Min. Bitte nicht weitergeben.",
  },
  {
    "fr",
    "Votre code de vérification pour {office} : {code}. Valable {minutes} min. "
    "Ne le communiquez à personne.",
    "Votre code de vérification : {code}. Valable {minutes} min. "
    "Ne le communiquez à personne.",
  },
  {
    "es",
    "Su clave de un solo uso para {office} es {code}. Vence en {minutes} min. "
    "No la comparta con nadie.",
    "Su clave de un solo uso es {code}. Vence en {minutes} min. No la comparta con nadie.",
  },
};

static gboolean
check_has_code (const char  *template_text,
                GQuark       domain,
                int          code,
                GError     **error)
{
  if (template_text != NULL && g_utf8_validate (template_text, -1, NULL)
      && strstr (template_text, PV_MESSAGE_TEMPLATE_PLACEHOLDER) != NULL)
    return TRUE;

  g_set_error (error, domain, code,
               /* Translators: %s is the placeholder “{code}”; keep it as it is */
               _("The message must contain %s, where the verification code goes."),
               PV_MESSAGE_TEMPLATE_PLACEHOLDER);
  return FALSE;
}

static gboolean
check_length (const char  *rendered,
              GQuark       domain,
              int          code,
              GError     **error)
{
  if (g_utf8_strlen (rendered, -1) <= PV_MESSAGE_TEMPLATE_MAX_LENGTH)
    return TRUE;

  g_set_error (error, domain, code,
               _("The message is too long. Twilio sends at most %d characters."),
               PV_MESSAGE_TEMPLATE_MAX_LENGTH);
  return FALSE;
}

/**
 * pv_message_template_validate:
 * @template_text: the template, such as “Your verification code is: {code}”
 *
 * Returns: %TRUE if @template_text contains the placeholder and, with the longest
 *   possible code, fits in one Twilio message
 */
gboolean
pv_message_template_validate (const char  *template_text,
                              GError     **error)
{
  g_autofree char *longest = NULL;
  g_autofree char *rendered = NULL;

  if (!check_has_code (template_text, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, error))
    return FALSE;

  longest = g_strnfill (PV_CODE_MAX_LENGTH, '0');
  rendered = pv_message_template_render (template_text, longest);

  return check_length (rendered, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, error);
}

/**
 * pv_message_template_render:
 *
 * Returns: (transfer full): @template_text with every placeholder replaced by @code
 */
char *
pv_message_template_render (const char *template_text,
                            const char *code)
{
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (template_text != NULL, NULL);
  g_return_val_if_fail (code != NULL, NULL);

  parts = g_strsplit (template_text, PV_MESSAGE_TEMPLATE_PLACEHOLDER, -1);

  return g_strjoinv (code, parts);
}

/**
 * pv_message_template_get_builtin:
 * @language: (nullable): a language code, such as “de”
 * @with_office: whether the wording names the office, with {office}; without it, for an
 *   office that set no name
 *
 * Returns: (nullable): PhoneVerify's own wording in @language, or %NULL if it has none
 */
const char *
pv_message_template_get_builtin (const char *language,
                                 gboolean    with_office)
{
  for (guint i = 0; i < G_N_ELEMENTS (builtin_templates); i++)
    {
      const BuiltinTemplate *builtin = &builtin_templates[i];

      if (g_strcmp0 (builtin->language, language) == 0)
        return with_office ? builtin->with_office : builtin->without_office;
    }

  return NULL;
}

static gboolean
is_known_placeholder (const char *p)
{
  return g_str_has_prefix (p, PV_MESSAGE_TEMPLATE_PLACEHOLDER)
         || g_str_has_prefix (p, PV_MESSAGE_TEMPLATE_MINUTES)
         || g_str_has_prefix (p, PV_MESSAGE_TEMPLATE_OFFICE);
}

/* The length of what looks like a placeholder at @p, "{cod}" or "{ code }", braces
 * included; 0 if @p is not at one. */
static gsize
placeholder_length (const char *p)
{
  gboolean has_letter = FALSE;
  gsize n = 1;

  if (*p != '{')
    return 0;

  while (n <= MAX_PLACEHOLDER_NAME
         && (g_ascii_isalnum (p[n]) || p[n] == '_' || p[n] == '-' || p[n] == ' '))
    has_letter |= g_ascii_isalpha (p[n++]);

  return has_letter && p[n] == '}' ? n + 1 : 0;
}

static gboolean
check_placeholders (const char  *template_text,
                    GError     **error)
{
  g_autoptr(GPtrArray) unknown = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *names = NULL;

  for (const char *p = strchr (template_text, '{'); p != NULL; p = strchr (p + 1, '{'))
    {
      gsize length = placeholder_length (p);
      g_autofree char *name = NULL;

      if (length == 0 || is_known_placeholder (p))
        continue;

      name = g_strndup (p, length);
      if (!g_ptr_array_find_with_equal_func (unknown, name, g_str_equal, NULL))
        g_ptr_array_add (unknown, g_steal_pointer (&name));
    }

  if (unknown->len == 0)
    return TRUE;

  g_ptr_array_add (unknown, NULL);
  names = g_strjoinv (", ", (char **) unknown->pdata);
  g_set_error (error, PV_MESSAGE_TEMPLATE_ERROR, PV_MESSAGE_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER,
               /* Translators: %s is what staff typed between braces, such as “{cod}” or
                * “{cod}, {name}”. Keep {code}, {minutes} and {office} as they are. */
               ngettext ("%s is not something PhoneVerify can fill in. Use {code}, {minutes} "
                         "or {office}.",
                         "%s are not things PhoneVerify can fill in. Use {code}, {minutes} "
                         "or {office}.",
                         unknown->len - 1),
               names);
  return FALSE;
}

/**
 * pv_message_template_validate_full:
 * @template_text: the template, such as “Your code for {office} is {code}.”
 * @office_name: (nullable): the office's name, as {office} will be filled in
 *
 * As pv_message_template_validate(), and also refuses a name in braces that is not one
 * of the placeholders, and {office} while the office has no name (which would text
 * customers a message from nobody). The length is checked with the longest code, the
 * widest number of minutes and @office_name.
 *
 * Returns: %TRUE if @template_text can be sent, else %FALSE with a translated @error in
 *   %PV_MESSAGE_TEMPLATE_ERROR
 */
gboolean
pv_message_template_validate_full (const char  *template_text,
                                   const char  *office_name,
                                   GError     **error)
{
  g_autofree char *longest = NULL;
  g_autofree char *rendered = NULL;

  /* Not UTF-8 is said as missing {code}, as pv_message_template_validate() says it. */
  if (template_text == NULL || !g_utf8_validate (template_text, -1, NULL))
    return check_has_code (NULL, PV_MESSAGE_TEMPLATE_ERROR, PV_MESSAGE_TEMPLATE_ERROR_NO_CODE,
                           error);

  /* First, because a misspelt {code} is the likeliest reason for a missing one. */
  if (!check_placeholders (template_text, error)
      || !check_has_code (template_text, PV_MESSAGE_TEMPLATE_ERROR,
                          PV_MESSAGE_TEMPLATE_ERROR_NO_CODE, error))
    return FALSE;

  if ((office_name == NULL || *office_name == '\0')
      && strstr (template_text, PV_MESSAGE_TEMPLATE_OFFICE) != NULL)
    {
      g_set_error (error, PV_MESSAGE_TEMPLATE_ERROR, PV_MESSAGE_TEMPLATE_ERROR_NO_OFFICE_NAME,
                   /* Translators: %s is the placeholder “{office}”; keep it as it is */
                   _("The message contains %s, but the office has no name yet. Set the "
                     "office name in Preferences."),
                   PV_MESSAGE_TEMPLATE_OFFICE);
      return FALSE;
    }

  longest = g_strnfill (PV_CODE_MAX_LENGTH, '0');
  rendered = pv_message_template_render_full (template_text, longest, G_MAXUINT, office_name);

  return check_length (rendered, PV_MESSAGE_TEMPLATE_ERROR, PV_MESSAGE_TEMPLATE_ERROR_TOO_LONG,
                       error);
}

/**
 * pv_message_template_render_full:
 * @template_text: the template
 * @code: the verification code
 * @minutes: how long @code is valid
 * @office_name: (nullable): the office's name; %NULL is the same as empty
 *
 * Fills in every {code}, {minutes} and {office}, in one pass from left to right, so that
 * an office name that itself contains “{code}” is sent as it is rather than filled in
 * again. Names in braces that are not placeholders are left as they are.
 *
 * Returns: (transfer full): the message to send
 */
char *
pv_message_template_render_full (const char *template_text,
                                 const char *code,
                                 guint       minutes,
                                 const char *office_name)
{
  const struct {
    const char *placeholder;
    gsize       length;
    const char *value;
  } *fill, fills[] = {
    { PV_MESSAGE_TEMPLATE_PLACEHOLDER, strlen (PV_MESSAGE_TEMPLATE_PLACEHOLDER), code },
    { PV_MESSAGE_TEMPLATE_MINUTES, strlen (PV_MESSAGE_TEMPLATE_MINUTES), NULL },
    { PV_MESSAGE_TEMPLATE_OFFICE, strlen (PV_MESSAGE_TEMPLATE_OFFICE),
      office_name != NULL ? office_name : "" },
  };
  GString *message;
  const char *p;

  g_return_val_if_fail (template_text != NULL, NULL);
  g_return_val_if_fail (code != NULL, NULL);

  message = g_string_sized_new (strlen (template_text) + 32);

  for (p = template_text; *p != '\0';)
    {
      fill = NULL;
      for (guint i = 0; *p == '{' && i < G_N_ELEMENTS (fills); i++)
        {
          if (strncmp (p, fills[i].placeholder, fills[i].length) == 0)
            fill = &fills[i];
        }

      if (fill == NULL)
        {
          g_string_append_c (message, *p++);
          continue;
        }

      if (fill->value != NULL)
        g_string_append (message, fill->value);
      else
        g_string_append_printf (message, "%u", minutes);
      p += fill->length;
    }

  return g_string_free (message, FALSE);
}
