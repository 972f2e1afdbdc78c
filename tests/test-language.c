/* test-language.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The customer's language: which ones are built in, from a country, from a locale, the
 * voice for each, their names, and the choice for one number. */

#include "config.h"

#include <glib.h>
#include <locale.h>

#include "pv-language.h"
#include "pv-phone-number.h"

#define SHOWN(value) ((value) != NULL ? (value) : "(null)")

/* What @function returns for each input. */
typedef struct
{
  const char *input;
  const char *expected;
} Case;

static void
assert_cases (const char *(*function) (const char *input),
              const Case  *cases,
              gsize        n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    {
      const char *got = function (cases[i].input);

      if (g_strcmp0 (got, cases[i].expected) != 0)
        g_error ("%s: got %s, expected %s", SHOWN (cases[i].input), SHOWN (got),
                 SHOWN (cases[i].expected));
    }
}

static void
test_builtin (void)
{
  const char * const *languages = pv_language_get_builtin ();
  const char *expected[] = { "en", "de", "fr", "es" };

  g_assert_cmpuint (g_strv_length ((char **) languages), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_cmpstr (languages[i], ==, expected[i]);
      g_assert_true (pv_language_is_builtin (expected[i]));
    }

  g_assert_false (pv_language_is_builtin (NULL));
  g_assert_false (pv_language_is_builtin (""));
  g_assert_false (pv_language_is_builtin ("it"));
  g_assert_false (pv_language_is_builtin ("DE"));
  g_assert_false (pv_language_is_builtin ("de-DE"));
  g_assert_false (pv_language_is_builtin ("d"));
}

static void
test_for_country (void)
{
  const Case cases[] = {
    { "DE", "de" }, { "AT", "de" }, { "LI", "de" }, { "CH", "de" }, { "de", "de" },
    { "FR", "fr" }, { "MC", "fr" }, { "LU", "fr" }, { "RE", "fr" }, { "GP", "fr" },
    { "NC", "fr" }, { "SN", "fr" }, { "CI", "fr" }, { "CD", "fr" }, { "CM", "fr" },
    { "ES", "es" }, { "MX", "es" }, { "AR", "es" }, { "PR", "es" }, { "GQ", "es" },
    { "UY", "es" }, { "BO", "es" },
    { "US", "en" }, { "GB", "en" }, { "IE", "en" }, { "AU", "en" }, { "NZ", "en" },
    { "CA", "en" }, { "JM", "en" },
    /* None of ours is the main language. */
    { "IT", NULL }, { "BE", NULL }, { "NL", NULL }, { "MG", NULL }, { "BR", NULL },
    { "PT", NULL }, { "IN", NULL }, { "CN", NULL },
    /* Not a country. */
    { "", NULL }, { NULL, NULL }, { "D", NULL }, { "DEU", NULL }, { "XX", NULL },
  };

  assert_cases (pv_language_for_country, cases, G_N_ELEMENTS (cases));
}

/* Every country in the table is one a number can come from, and has a built-in language:
 * a typo such as "UK" would never match a number. */
static void
test_countries_are_real (void)
{
  const char * const *languages = pv_language_get_builtin ();
  guint n_found = 0;

  for (char a = 'A'; a <= 'Z'; a++)
    {
      for (char b = 'A'; b <= 'Z'; b++)
        {
          const char region[] = { a, b, '\0' };
          const char *language = pv_language_for_country (region);

          if (language == NULL)
            continue;

          n_found++;
          if (!pv_phone_number_is_region (region))
            g_error ("%s is in the table but has no numbering plan", region);
          g_assert_true (g_strv_contains (languages, language));
        }
    }

  g_assert_cmpuint (n_found, >, 60);
}

static void
test_voice_locale (void)
{
  g_assert_cmpstr (pv_language_get_voice_locale ("en"), ==, "en-US");
  g_assert_cmpstr (pv_language_get_voice_locale ("de"), ==, "de-DE");
  g_assert_cmpstr (pv_language_get_voice_locale ("fr"), ==, "fr-FR");
  g_assert_cmpstr (pv_language_get_voice_locale ("es"), ==, "es-ES");
  g_assert_null (pv_language_get_voice_locale ("it"));
  g_assert_null (pv_language_get_voice_locale (NULL));
}

static void
test_name (void)
{
  g_autofree char *english = pv_language_dup_name ("en");
  g_autofree char *german = pv_language_dup_name ("de");
  g_autofree char *french = pv_language_dup_name ("fr");
  g_autofree char *spanish = pv_language_dup_name ("es");
  g_autofree char *custom = pv_language_dup_name ("it");

  /* The test runs untranslated. */
  g_assert_cmpstr (english, ==, "English");
  g_assert_cmpstr (german, ==, "German");
  g_assert_cmpstr (french, ==, "French");
  g_assert_cmpstr (spanish, ==, "Spanish");
  g_assert_cmpstr (custom, ==, "it");
}

static void
test_from_locale (void)
{
  const Case cases[] = {
    { "de_AT.UTF-8", "de" }, { "de_DE", "de" }, { "de", "de" }, { "fr_CA.utf8", "fr" },
    { "es_MX@euro", "es" }, { "en_US.UTF-8", "en" }, { "en.UTF-8", "en" }, { "EN_gb", "en" },
    { "it_IT.UTF-8", NULL }, { "C", NULL }, { "C.UTF-8", NULL }, { "POSIX", NULL },
    { "deu_DE", NULL }, { "d", NULL }, { "", NULL }, { NULL, NULL }, { "de-DE", NULL },
    { "ende_US", NULL },
  };

  assert_cases (pv_language_from_locale, cases, G_N_ELEMENTS (cases));
}

static void
test_choose (void)
{
  g_autoptr(GHashTable) custom = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  struct {
    const char *override;
    const char *region;
    const char *office_default;
    gboolean    with_custom;
    const char *expected;
  } cases[] = {
    /* Staff's choice for the customer wins, if there is a wording for it. */
    { "fr", "DE", "de", FALSE, "fr" },
    { "it", "DE", "de", TRUE, "it" },
    { "it", "DE", "de", FALSE, "de" },
    { "pt", "FR", "de", TRUE, "fr" },
    { "", "ES", "de", TRUE, "es" },
    /* Then the country's language. */
    { NULL, "AT", "fr", TRUE, "de" },
    { NULL, "MX", "en", TRUE, "es" },
    { NULL, "US", "de", TRUE, "en" },
    /* Then the office's. */
    { NULL, "IT", "de", TRUE, "de" },
    { NULL, "BE", "fr", FALSE, "fr" },
    { NULL, NULL, "es", FALSE, "es" },
    { NULL, "IT", "it", TRUE, "it" },
    /* Then English. */
    { NULL, "IT", "it", FALSE, "en" },
    { NULL, "IT", NULL, TRUE, "en" },
    { NULL, NULL, NULL, FALSE, "en" },
    { "xx", "NL", "yy", TRUE, "en" },
  };

  g_hash_table_insert (custom, g_strdup ("it"), g_strdup ("Il suo codice è {code}"));
  /* A custom wording for a built-in language changes nothing about the choice. */
  g_hash_table_insert (custom, g_strdup ("de"), g_strdup ("Code: {code}"));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *chosen = pv_language_choose (cases[i].override, cases[i].region,
                                               cases[i].office_default,
                                               cases[i].with_custom ? custom : NULL);

      if (g_strcmp0 (chosen, cases[i].expected) != 0)
        g_error ("case %u (%s, %s, %s): got %s, expected %s", i, SHOWN (cases[i].override),
                 SHOWN (cases[i].region), SHOWN (cases[i].office_default), SHOWN (chosen),
                 cases[i].expected);
    }
}

/* The caller may free its own strings: what comes back belongs to the table or to
 * PhoneVerify. */
static void
test_choose_lifetime (void)
{
  g_autoptr(GHashTable) custom = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *override = g_strdup ("it");
  g_autofree char *builtin_override = g_strdup ("fr");
  gpointer key = NULL;
  const char *chosen;

  g_hash_table_insert (custom, g_strdup ("it"), g_strdup ("{code}"));
  g_assert_true (g_hash_table_lookup_extended (custom, "it", &key, NULL));

  chosen = pv_language_choose (override, "DE", NULL, custom);
  g_assert_true (chosen == key);

  chosen = pv_language_choose (builtin_override, "DE", NULL, custom);
  g_assert_true (chosen != builtin_override);
  g_assert_cmpstr (chosen, ==, "fr");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/language/builtin", test_builtin);
  g_test_add_func ("/language/for-country", test_for_country);
  g_test_add_func ("/language/countries-are-real", test_countries_are_real);
  g_test_add_func ("/language/voice-locale", test_voice_locale);
  g_test_add_func ("/language/name", test_name);
  g_test_add_func ("/language/from-locale", test_from_locale);
  g_test_add_func ("/language/choose", test_choose);
  g_test_add_func ("/language/choose-lifetime", test_choose_lifetime);

  return g_test_run ();
}
