/* test-country.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The office's country: from a locale name, from the environment, and on the first start
 * from the settings of an earlier version; and countries' names. The test environment
 * sets GSETTINGS_BACKEND=memory, so the settings start out at their defaults in each run
 * of this program. */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "pv-country.h"
#include "pv-engine.h"
#include "pv-phone-number.h"

#define SHOWN(value) ((value) != NULL ? (value) : "(unset)")

/* -- pv_country_from_locale -------------------------------------------------------------- */

typedef struct
{
  const char *locale;
  const char *expected;   /* NULL: names no country */
} LocaleCase;

static const LocaleCase locale_cases[] = {
  { "de_DE.UTF-8", "DE" },
  { "fr_FR", "FR" },
  { "en_US", "US" },
  { "sr_RS@latin", "RS" },
  { "pt_BR.UTF-8", "BR" },
  { "ca_ES@valencia", "ES" },
  { "en_US.ISO-8859-1", "US" },
  { "en_GB.utf8@euro", "GB" },
  { "de_de", "DE" },
  /* No territory, or not a two-letter one. */
  { "C", NULL },
  { "C.UTF-8", NULL },
  { "POSIX", NULL },
  { "", NULL },
  { "en", NULL },
  { "es_419", NULL },
  { "de_DEU", NULL },
  { "de_D", NULL },
  { "de_", NULL },
  { NULL, NULL },
};

static void
test_from_locale (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (locale_cases); i++)
    {
      const LocaleCase *c = &locale_cases[i];
      g_autofree char *country = pv_country_from_locale (c->locale);

      g_test_message ("case %u: “%s”", i, c->locale != NULL ? c->locale : "(null)");
      g_assert_cmpstr (country, ==, c->expected);
    }
}

/* -- pv_country_get_default -------------------------------------------------------------- */

/* The variables pv_country_get_default() reads, in the order it reads them. */
static const char * const locale_variables[] = { "LC_ALL", "LC_TELEPHONE", "LC_ADDRESS", "LANG" };

typedef struct
{
  const char *lc_all;        /* NULL: unset */
  const char *lc_telephone;
  const char *lc_address;
  const char *lang;
  const char *expected;
} DefaultCase;

static const DefaultCase default_cases[] = {
  /* Nothing names a country: the fallback. */
  { NULL, NULL, NULL, NULL, PV_COUNTRY_FALLBACK },
  { "C", NULL, NULL, NULL, "US" },
  { NULL, NULL, NULL, "C.UTF-8", "US" },
  { "C.UTF-8", "POSIX", "C", "C", "US" },
  { "", "", "", "", "US" },
  /* Each variable on its own. */
  { NULL, NULL, NULL, "de_DE.UTF-8", "DE" },
  { NULL, NULL, "fr_FR.UTF-8", NULL, "FR" },
  { NULL, "it_IT.UTF-8", NULL, NULL, "IT" },
  { "es_ES.UTF-8", NULL, NULL, NULL, "ES" },
  /* The C library's precedence: LC_ALL, then the category, then LANG. */
  { NULL, NULL, "fr_FR.UTF-8", "de_DE.UTF-8", "FR" },
  { NULL, "it_IT.UTF-8", "fr_FR.UTF-8", "de_DE.UTF-8", "IT" },
  { "es_ES.UTF-8", "it_IT.UTF-8", "fr_FR.UTF-8", "de_DE.UTF-8", "ES" },
  { "sr_RS@latin", NULL, NULL, "de_DE.UTF-8", "RS" },
  /* As documented, the first variable that names a country: one that names none, or is
   * empty, does not stop the search (LC_ALL=C does stop the C library's). */
  { "C.UTF-8", NULL, NULL, "de_DE.UTF-8", "DE" },
  { "", "", NULL, "en_GB.UTF-8", "GB" },
  { NULL, "C", "pt_BR.UTF-8", "de_DE.UTF-8", "BR" },
};

static void
set_locale_environment (const char *values[4])
{
  for (guint v = 0; v < G_N_ELEMENTS (locale_variables); v++)
    {
      if (values[v] != NULL)
        g_setenv (locale_variables[v], values[v], TRUE);
      else
        g_unsetenv (locale_variables[v]);
    }
}

static void
test_get_default (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (default_cases); i++)
    {
      const DefaultCase *c = &default_cases[i];
      const char *values[4] = { c->lc_all, c->lc_telephone, c->lc_address, c->lang };
      g_autofree char *country = NULL;

      g_test_message ("case %u: LC_ALL=%s LC_TELEPHONE=%s LC_ADDRESS=%s LANG=%s", i,
                      SHOWN (c->lc_all), SHOWN (c->lc_telephone), SHOWN (c->lc_address),
                      SHOWN (c->lang));
      set_locale_environment (values);
      country = pv_country_get_default ();
      g_assert_cmpstr (country, ==, c->expected);
    }
}

/* Only the four: the language of messages and the other categories are not the office's
 * country. */
static void
test_get_default_ignores_others (void)
{
  const char *none[4] = { NULL, NULL, NULL, NULL };
  g_autofree char *country = NULL;

  set_locale_environment (none);
  g_setenv ("LANGUAGE", "de_DE:fr", TRUE);
  g_setenv ("LC_MESSAGES", "fr_FR.UTF-8", TRUE);
  g_setenv ("LC_MONETARY", "ja_JP.UTF-8", TRUE);
  g_setenv ("LC_CTYPE", "it_IT.UTF-8", TRUE);

  country = pv_country_get_default ();
  g_assert_cmpstr (country, ==, "US");

  g_unsetenv ("LANGUAGE");
  g_unsetenv ("LC_MESSAGES");
  g_unsetenv ("LC_MONETARY");
  g_unsetenv ("LC_CTYPE");
}

/* -- pv_country_get_name ----------------------------------------------------------------- */

typedef struct
{
  const char *region;
  const char *expected;
} NameCase;

static const NameCase name_cases[] = {
  { "DE", "Germany" },
  { "FR", "France" },
  { "US", "United States" },
  { "GB", "United Kingdom" },
  { "GG", "Guernsey" },
  { "VA", "Holy See (Vatican City State)" },
  /* iso-codes' everyday name where it has one. */
  { "BO", "Bolivia" },
  { "KR", "South Korea" },
  { "TW", "Taiwan" },
  /* Dialled regions iso-codes has no code for: named by us. */
  { "AC", "Ascension Island" },
  { "TA", "Tristan da Cunha" },
  { "XK", "Kosovo" },
  /* What iso-codes does not know comes back as it is. */
  { "XX", "XX" },
  { "001", "001" },
  { "ZZ", "ZZ" },
  { "de", "de" },
  { "", "" },
  { NULL, "?" },
};

static void
test_get_name (void)
{
  if (!g_file_test ("/usr/share/iso-codes/json/iso_3166-1.json", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("iso-codes is not installed");
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (name_cases); i++)
    {
      const NameCase *c = &name_cases[i];

      g_test_message ("case %u: %s", i, c->region != NULL ? c->region : "(null)");
      g_assert_cmpstr (pv_country_get_name (c->region), ==, c->expected);
    }

  /* Every country libphonenumber knows has a name of its own, not its code. */
  {
    g_auto(GStrv) regions = pv_phone_number_dup_regions ();
    guint n_unnamed = 0;

    for (guint i = 0; regions[i] != NULL; i++)
      {
        if (g_str_equal (pv_country_get_name (regions[i]), regions[i]))
          {
            g_test_message ("no name for %s", regions[i]);
            n_unnamed++;
          }
      }

    g_assert_cmpuint (n_unnamed, ==, 0);
  }
}

/* -- pv_engine_choose_office_country ----------------------------------------------------- */

typedef struct
{
  const char *name;
  const char *country;    /* default-country before, "" as on a first start */
  guint       old_code;   /* default-country-code set by the user, or 0 for never set */
  const char *lang;       /* LANG, the only locale variable set */
  const char *expected;
} ChooseCase;

static const ChooseCase choose_cases[] = {
  /* A first start, never set up before: the locale's. */
  { "locale", "", 0, "de_DE.UTF-8", "DE" },
  { "locale-fr", "", 0, "fr_FR.UTF-8", "FR" },
  { "locale-without-country", "", 0, "C.UTF-8", PV_COUNTRY_FALLBACK },
  /* An upgrade: the calling code earlier versions were set to, whatever the locale. */
  { "old-code-44", "", 44, "de_DE.UTF-8", "GB" },
  { "old-code-1", "", 1, "de_DE.UTF-8", "US" },
  { "old-code-49", "", 49, "C.UTF-8", "DE" },
  { "old-code-7", "", 7, "de_DE.UTF-8", "RU" },
  { "old-code-39", "", 39, "de_DE.UTF-8", "IT" },
  /* A code no country has: the locale's. Nor do the codes of international services
   * (+800 freephone, +882 networks), whose "country" is libphonenumber's "001". */
  { "old-code-999", "", 999, "fr_FR.UTF-8", "FR" },
  { "old-code-800", "", 800, "fr_FR.UTF-8", "FR" },
  { "old-code-882", "", 882, "fr_FR.UTF-8", "FR" },
  /* Chosen already: left alone. */
  { "already-set", "FR", 0, "de_DE.UTF-8", "FR" },
  { "already-set-old-code", "FR", 44, "de_DE.UTF-8", "FR" },
  { "already-set-same-as-locale", "DE", 0, "de_DE.UTF-8", "DE" },
};

static void
changed_cb (GSettings  *settings,
            const char *key,
            guint      *n_changed)
{
  (*n_changed)++;
}

/* Runs @c on fresh settings; returns what default-country became. */
static char *
choose (const ChooseCase *c,
        guint            *n_changed)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  const char *values[4] = { NULL, NULL, NULL, c->lang };

  /* The memory backend keeps values for the life of the process: start from scratch. */
  g_settings_reset (settings, "default-country");
  g_settings_reset (settings, "default-country-code");
  g_assert_null (g_settings_get_user_value (settings, "default-country-code"));

  if (c->country[0] != '\0')
    g_settings_set_string (settings, "default-country", c->country);
  if (c->old_code != 0)
    g_settings_set_uint (settings, "default-country-code", c->old_code);
  set_locale_environment (values);

  *n_changed = 0;
  g_signal_connect (settings, "changed::default-country", G_CALLBACK (changed_cb), n_changed);
  pv_engine_choose_office_country (settings);

  /* The old key is left as it was, for an earlier version run again. */
  if (c->old_code != 0)
    g_assert_cmpuint (g_settings_get_uint (settings, "default-country-code"), ==, c->old_code);

  return g_settings_get_string (settings, "default-country");
}

static void
test_choose_office_country (gconstpointer data)
{
  const ChooseCase *c = data;
  guint n_changed = 0;
  g_autofree char *country = choose (c, &n_changed);

  g_assert_cmpstr (country, ==, c->expected);
  /* A country already chosen is not written again. */
  g_assert_cmpuint (n_changed, ==, c->country[0] == '\0' ? 1 : 0);
  g_assert_true (pv_phone_number_is_region (country));

  /* Once chosen, a second start keeps it, whatever the locale says by then. */
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);
    g_autofree char *again = NULL;

    g_setenv ("LANG", "ja_JP.UTF-8", TRUE);
    pv_engine_choose_office_country (settings);
    again = g_settings_get_string (settings, "default-country");
    g_assert_cmpstr (again, ==, c->expected);
  }
}

int
main (int   argc,
      char *argv[])
{
  /* Country names in English: iso-codes' own. */
  setlocale (LC_ALL, "C.UTF-8");
  g_unsetenv ("LANGUAGE");

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/country/from-locale", test_from_locale);
  g_test_add_func ("/country/default", test_get_default);
  g_test_add_func ("/country/default-ignores-others", test_get_default_ignores_others);
  g_test_add_func ("/country/name", test_get_name);
  for (guint i = 0; i < G_N_ELEMENTS (choose_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/country/choose-office-country/",
                                           choose_cases[i].name, NULL);

      g_test_add_data_func (path, &choose_cases[i], test_choose_office_country);
    }

  return g_test_run ();
}
