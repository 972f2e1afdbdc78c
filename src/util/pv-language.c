/* pv-language.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The customer's language, which the text message and the call are in: not the staff's,
 * whose language the UI follows. PhoneVerify has its own wording in a few languages, and
 * picks one for each number from its country unless staff chose one for the customer.
 *
 * Languages are ISO 639-1 codes ("de"), without a region: the wordings are the same
 * across the countries that speak a language, and Twilio's voices need a region only to
 * choose an accent (pv_language_get_voice_locale()). */

#define G_LOG_DOMAIN "pv-language"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "pv-language.h"

typedef struct
{
  const char *code;
  const char *voice_locale;  /* for <Say language="…">, one that Twilio's voices speak */
  const char *name;          /* in English, translated when shown */
} Language;

/* In the order they are offered in. */
static const Language languages[] = {
  /* Translators: the name of a language customers can be texted or called in */
  { "en", "en-US", N_("English") },
  /* Translators: the name of a language customers can be texted or called in */
  { "de", "de-DE", N_("German") },
  /* Translators: the name of a language customers can be texted or called in */
  { "fr", "fr-FR", N_("French") },
  /* Translators: the name of a language customers can be texted or called in */
  { "es", "es-ES", N_("Spanish") },
};

static const char * const builtin[] = { "en", "de", "fr", "es", NULL };

G_STATIC_ASSERT (G_N_ELEMENTS (builtin) == G_N_ELEMENTS (languages) + 1);

typedef struct
{
  char        region[3];
  const char *language;
} CountryLanguage;

/* The language most people in the country read, where it is one of ours; a country not
 * listed gets none, and the office's default decides. A number tells only the country, so
 * a country with two languages gets the one most of its people speak, and staff set the
 * other for a customer by hand. */
static const CountryLanguage countries[] = {
  { "DE", "de" },
  { "AT", "de" },
  { "LI", "de" },
  /* About 60% speak German, 20% French, 8% Italian; Romandy's numbers look like Zurich's. */
  { "CH", "de" },

  { "FR", "fr" },
  { "MC", "fr" },
  /* Luxembourgish, French and German are all official. French is the language of its
   * laws and its administration, and the everyday one of the many residents and cross-border
   * workers who speak no Luxembourgish; German would be as fair a guess for natives. */
  { "LU", "fr" },
  /* Overseas France has numbers of its own. */
  { "GP", "fr" },  /* Guadeloupe */
  { "MQ", "fr" },  /* Martinique */
  { "GF", "fr" },  /* French Guiana */
  { "RE", "fr" },  /* Réunion */
  { "YT", "fr" },  /* Mayotte */
  { "PM", "fr" },  /* Saint Pierre and Miquelon */
  { "NC", "fr" },  /* New Caledonia */
  { "PF", "fr" },  /* French Polynesia */
  { "WF", "fr" },  /* Wallis and Futuna */
  { "BL", "fr" },  /* Saint Barthélemy */
  { "MF", "fr" },  /* Saint Martin */
  /* Africa, where French is the language of the state, the schools and writing. In Mali,
   * Burkina Faso and Niger the national languages have recently been made official and
   * French a "working language", but it is still the written one. Central Africa's Sango
   * and Chad's Arabic are spoken more, and written less, than French. */
  { "SN", "fr" },
  { "CI", "fr" },
  { "ML", "fr" },
  { "BF", "fr" },
  { "NE", "fr" },
  { "TG", "fr" },
  { "BJ", "fr" },
  { "GA", "fr" },
  { "CG", "fr" },
  { "CD", "fr" },
  { "GN", "fr" },
  { "CF", "fr" },
  { "TD", "fr" },
  /* About four in five are francophone; the two English-speaking regions cannot be told
   * apart by number, as Quebec cannot in Canada. */
  { "CM", "fr" },
  /* Not Madagascar: Malagasy is what nearly everyone speaks and reads, French a second
   * language of the few, so it is left to the office as Belgium is. */

  { "ES", "es" },
  { "MX", "es" },
  { "AR", "es" },
  { "CO", "es" },
  { "CL", "es" },
  { "PE", "es" },
  { "VE", "es" },
  { "EC", "es" },
  { "GT", "es" },
  { "CU", "es" },
  /* Quechua, Aymara and Guaraní are official too, but Spanish is written by most. */
  { "BO", "es" },
  { "PY", "es" },
  { "DO", "es" },
  { "HN", "es" },
  { "SV", "es" },
  { "NI", "es" },
  { "CR", "es" },
  { "PA", "es" },
  { "UY", "es" },
  /* English is official too, but most Puerto Ricans speak Spanish at home. */
  { "PR", "es" },
  { "GQ", "es" },

  /* Where English is what most people speak. Not where it is only the common second
   * language (India, Nigeria, Singapore): there, the office decides. */
  { "US", "en" },
  { "GB", "en" },
  { "IE", "en" },
  { "AU", "en" },
  { "NZ", "en" },
  /* Quebec's numbers cannot be told from the rest of Canada's, which mostly speaks English. */
  { "CA", "en" },
  { "GG", "en" },
  { "JE", "en" },
  { "IM", "en" },
  { "GI", "en" },
  { "BM", "en" },
  { "FK", "en" },
  /* The English-speaking Caribbean. */
  { "AG", "en" },
  { "AI", "en" },
  { "BB", "en" },
  { "BS", "en" },
  { "DM", "en" },
  { "GD", "en" },
  { "GY", "en" },
  { "JM", "en" },
  { "KN", "en" },
  { "KY", "en" },
  { "LC", "en" },
  { "MS", "en" },
  { "TC", "en" },
  { "TT", "en" },
  { "VC", "en" },
  { "VG", "en" },
  { "VI", "en" },
  /* Not Belgium (most speak Dutch), the Netherlands, Italy: none of ours. */
};

static const Language *
lookup (const char *language)
{
  if (language == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      if (g_strcmp0 (languages[i].code, language) == 0)
        return &languages[i];
    }

  return NULL;
}

/**
 * pv_language_get_builtin:
 *
 * Returns: (transfer none): the languages with built-in wordings, %NULL-terminated, in the
 *   order to offer them in
 */
const char * const *
pv_language_get_builtin (void)
{
  return builtin;
}

/**
 * pv_language_is_builtin:
 * @language: (nullable): a language code, such as “de”
 *
 * Returns: whether PhoneVerify has its own text message and call in @language
 */
gboolean
pv_language_is_builtin (const char *language)
{
  return lookup (language) != NULL;
}

/**
 * pv_language_for_country:
 * @region: (nullable): an ISO 3166-1 alpha-2 code, such as “AT”, in either case
 *
 * Returns: (nullable): the built-in language most people in @region read, or %NULL when
 *   their language is none of the built-in ones
 */
const char *
pv_language_for_country (const char *region)
{
  if (region == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (countries); i++)
    {
      if (g_ascii_strcasecmp (countries[i].region, region) == 0)
        return countries[i].language;
    }

  return NULL;
}

/**
 * pv_language_get_voice_locale:
 * @language: (nullable): a language code
 *
 * Returns: (nullable): the BCP 47 tag for a Twilio voice speaking @language, such as
 *   “de-DE”, or %NULL if it is not built in
 */
const char *
pv_language_get_voice_locale (const char *language)
{
  const Language *found = lookup (language);

  return found != NULL ? found->voice_locale : NULL;
}

/**
 * pv_language_dup_name:
 * @language: a language code
 *
 * Returns: (transfer full): the name of @language in the user's language, such as
 *   “Deutsch” for “de” under a German locale; a language that is not built in, one an
 *   office wrote its own template for, is shown by its code
 */
char *
pv_language_dup_name (const char *language)
{
  const Language *found;

  g_return_val_if_fail (language != NULL, NULL);

  found = lookup (language);

  return g_strdup (found != NULL ? _(found->name) : language);
}

/**
 * pv_language_from_locale:
 * @locale: (nullable): a locale name such as “de_AT.UTF-8” or “fr”
 *
 * Returns: (nullable): its language if that is built in, else %NULL (also for “C” and
 *   “POSIX”)
 */
const char *
pv_language_from_locale (const char *locale)
{
  gsize n = 0;

  if (locale == NULL)
    return NULL;

  while (g_ascii_isalpha (locale[n]))
    n++;

  if (locale[n] != '\0' && locale[n] != '_' && locale[n] != '.' && locale[n] != '@')
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      if (strlen (languages[i].code) == n
          && g_ascii_strncasecmp (languages[i].code, locale, n) == 0)
        return languages[i].code;
    }

  return NULL;
}

/* A language there is a wording for: built in, or the office's own. */
static const char *
has_template (const char *language,
              GHashTable *custom_templates)
{
  const Language *found = lookup (language);
  gpointer key;

  if (found != NULL)
    return found->code;

  if (language != NULL && custom_templates != NULL
      && g_hash_table_lookup_extended (custom_templates, language, &key, NULL))
    return key;

  return NULL;
}

/**
 * pv_language_choose:
 * @override: (nullable): the language staff chose for this customer
 * @region: (nullable): the ISO 3166-1 alpha-2 code of the customer's number
 * @office_default: (nullable): the office's language for customers
 * @custom_templates: (nullable) (element-type utf8 utf8): language → the office's own
 *   wording in it
 *
 * Picks the language to text or call a number in: @override when there is a wording for
 * it, else the language of the number's country if built in, else @office_default when
 * there is a wording for it, else %PV_LANGUAGE_FALLBACK. The country's language beats the
 * office's because a number abroad is most likely a customer from abroad.
 *
 * An @override or @office_default that is only in @custom_templates counts, so that an
 * office that wrote an Italian text can send it.
 *
 * Returns: a built-in language, or a key of @custom_templates (valid as long as it is)
 */
const char *
pv_language_choose (const char *override,
                    const char *region,
                    const char *office_default,
                    GHashTable *custom_templates)
{
  const char *chosen;

  if ((chosen = has_template (override, custom_templates)) != NULL)
    return chosen;

  if ((chosen = pv_language_for_country (region)) != NULL)
    return chosen;

  if ((chosen = has_template (office_default, custom_templates)) != NULL)
    return chosen;

  return PV_LANGUAGE_FALLBACK;
}
