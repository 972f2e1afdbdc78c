/* pv-country.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Countries by their ISO 3166-1 alpha-2 code: their names in the user's language, from
 * the iso-codes package every GNOME system has, and the office's country from the
 * locale. */

#define G_LOG_DOMAIN "pv-country"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "pv-country.h"
#include "pv-phone-number.h"

#define ISO_CODES_JSON "/usr/share/iso-codes/json/iso_3166-1.json"

/* Regions libphonenumber dials that ISO 3166-1 has no code of their own for: Ascension and
 * Tristan da Cunha are parts of Saint Helena there, and Kosovo's XK is only a user-assigned
 * code. Without these, the country list began with "AC (+247)". */
static const struct
{
  const char *code;
  const char *name;
} names_iso_codes_lacks[] = {
  /* Translators: a country in the list of countries to choose from */
  { "AC", N_("Ascension Island") },
  /* Translators: a country in the list of countries to choose from */
  { "TA", N_("Tristan da Cunha") },
  /* Translators: a country in the list of countries to choose from */
  { "XK", N_("Kosovo") },
};

static void
read_iso_codes (GHashTable *names)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  JsonArray *countries;

  if (!json_parser_load_from_file (parser, ISO_CODES_JSON, &error))
    {
      g_debug ("No country names: %s", error->message);
      return;
    }

  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      (countries = json_object_get_array_member (json_node_get_object (root), "3166-1")) == NULL)
    return;

  for (guint i = 0; i < json_array_get_length (countries); i++)
    {
      JsonObject *country = json_array_get_object_element (countries, i);
      const char *code, *name;

      if (country == NULL)
        continue;

      code = json_object_get_string_member_with_default (country, "alpha_2", NULL);
      /* The everyday name where iso-codes has one: "Bolivia", not "Bolivia, Plurinational
       * State of". */
      name = json_object_get_string_member_with_default (country, "common_name", NULL);
      if (name == NULL)
        name = json_object_get_string_member_with_default (country, "name", NULL);

      if (code != NULL && name != NULL)
        g_hash_table_insert (names, g_strdup (code), g_strdup (g_dgettext ("iso_3166-1", name)));
    }
}

/* code → translated name; read once, kept for the life of the process. */
static GHashTable *
load_names (void)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  read_iso_codes (names);

  /* Should a later iso-codes name one of them, its name and translations win. */
  for (guint i = 0; i < G_N_ELEMENTS (names_iso_codes_lacks); i++)
    if (!g_hash_table_contains (names, names_iso_codes_lacks[i].code))
      g_hash_table_insert (names, g_strdup (names_iso_codes_lacks[i].code),
                           g_strdup (_(names_iso_codes_lacks[i].name)));

  return names;
}

/**
 * pv_country_get_name:
 * @region: (nullable): an ISO 3166-1 alpha-2 code, such as “DE”
 *
 * Returns: the country's name in the user's language, or @region itself when iso-codes
 *   does not know it (or “?” for %NULL)
 */
const char *
pv_country_get_name (const char *region)
{
  static gsize initialized = 0;
  static GHashTable *names = NULL;
  const char *name;

  if (g_once_init_enter (&initialized))
    {
      names = load_names ();
      g_once_init_leave (&initialized, 1);
    }

  if (region == NULL)
    return "?";

  name = g_hash_table_lookup (names, region);

  return name != NULL ? name : region;
}

/**
 * pv_country_from_locale:
 * @locale: a locale name such as “de_DE.UTF-8” or “sr_RS@latin”
 *
 * Returns: (transfer full) (nullable): its territory, “DE”, or %NULL if it names none
 */
char *
pv_country_from_locale (const char *locale)
{
  const char *underscore, *end;

  if (locale == NULL || (underscore = strchr (locale, '_')) == NULL)
    return NULL;

  end = underscore + 1;
  while (g_ascii_isalpha (*end))
    end++;

  if (end - underscore - 1 != 2)
    return NULL;

  return g_ascii_strup (underscore + 1, 2);
}

/**
 * pv_country_get_default:
 *
 * The office's country as the user's locale has it: the territory of the first of
 * LC_ALL, LC_TELEPHONE, LC_ADDRESS and LANG that names one, in the order the C library
 * gives them precedence, else %PV_COUNTRY_FALLBACK.
 *
 * Returns: (transfer full): an ISO 3166-1 alpha-2 code
 */
char *
pv_country_get_default (void)
{
  static const char * const variables[] = { "LC_ALL", "LC_TELEPHONE", "LC_ADDRESS", "LANG" };

  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    {
      char *region = pv_country_from_locale (g_getenv (variables[i]));

      /* A territory no numbering plan knows would make every number a foreign one. */
      if (region != NULL && pv_phone_number_is_region (region))
        return region;
      g_free (region);
    }

  return g_strdup (PV_COUNTRY_FALLBACK);
}
