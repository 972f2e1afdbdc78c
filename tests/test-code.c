/* test-code.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pv-code.h"

static GBytes *
make_test_key (void)
{
  guint8 key[PV_CODE_KEY_SIZE];

  for (guint i = 0; i < sizeof key; i++)
    key[i] = i;

  return g_bytes_new (key, sizeof key);
}

static void
test_generate_lengths (void)
{
  for (guint length = PV_CODE_MIN_LENGTH; length <= PV_CODE_MAX_LENGTH; length++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *code = pv_code_generate (length, &error);

      g_assert_no_error (error);
      g_assert_nonnull (code);
      g_assert_cmpuint (strlen (code), ==, length);
      for (guint i = 0; i < length; i++)
        g_assert_true (g_ascii_isdigit (code[i]));
    }
}

static void
test_generate_rejects_bad_length (void)
{
  if (g_test_subprocess ())
    {
      g_free (pv_code_generate (PV_CODE_MAX_LENGTH + 1, NULL));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
}

typedef char *(*CodeMaker) (gpointer data);

/* A million digits make a modulo bias (0–5 drawn 26/256 of the time, 6–9 25/256) stand
 * out with a chi-square near 225, while a fair generator stays near 9. The threshold is
 * far enough out that a fair generator fails it less than once in a million runs. */
static void
assert_digits_uniform (CodeMaker make,
                       gpointer  data)
{
  guint counts[10] = { 0 };
  const guint n_codes = 100000;
  const double expected = n_codes * 10 / 10.0;
  double chi_square = 0;

  for (guint i = 0; i < n_codes; i++)
    {
      g_autofree char *code = make (data);

      g_assert_cmpuint (strlen (code), ==, 10);
      for (guint j = 0; j < 10; j++)
        counts[code[j] - '0']++;
    }

  for (guint d = 0; d < 10; d++)
    chi_square += (counts[d] - expected) * (counts[d] - expected) / expected;

  g_test_message ("chi-square over 10 digits: %.2f", chi_square);
  g_assert_cmpfloat (chi_square, <, 45.0);
}

static char *
generate_code (gpointer data)
{
  return pv_code_generate (10, NULL);
}

static void
test_digits_are_uniform (void)
{
  assert_digits_uniform (generate_code, NULL);
}

static void
test_codes_differ (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < 1000; i++)
    {
      char *code = pv_code_generate (10, NULL);

      g_assert_false (g_hash_table_contains (seen, code));
      g_hash_table_add (seen, code);
    }
}

static void
test_key_is_random (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) a = pv_code_generate_key (&error);
  g_autoptr(GBytes) b = pv_code_generate_key (&error);

  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (a), ==, PV_CODE_KEY_SIZE);
  g_assert_false (g_bytes_equal (a, b));
}

static void
test_digest_is_keyed_hmac_sha256 (void)
{
  g_autoptr(GBytes) key = make_test_key ();
  g_autofree char *digest = pv_code_digest (key, "+14155552671", "123456");

  /* HMAC-SHA256(key = 00 01 … 1f, "+14155552671\n123456"), computed independently. */
  g_assert_cmpstr (digest, ==, "a3487847c3fe6eab5454c6402f9a5693819e1d1f225efbe0d5ec0fec53445116");
  g_assert_null (strstr (digest, "123456"));
}

static void
test_digest_depends_on_key_number_and_code (void)
{
  g_autoptr(GBytes) key = make_test_key ();
  g_autoptr(GBytes) other_key = pv_code_generate_key (NULL);
  g_autofree char *digest = pv_code_digest (key, "+14155552671", "123456");
  g_autofree char *other_code = pv_code_digest (key, "+14155552671", "123457");
  g_autofree char *other_number = pv_code_digest (key, "+14155552672", "123456");
  g_autofree char *other_keyed = pv_code_digest (other_key, "+14155552671", "123456");
  g_autofree char *shifted = pv_code_digest (key, "+1415555267", "1123456");

  g_assert_cmpstr (digest, !=, other_code);
  g_assert_cmpstr (digest, !=, other_number);
  g_assert_cmpstr (digest, !=, other_keyed);
  g_assert_cmpstr (digest, !=, shifted);
}

static void
test_digest_matches (void)
{
  g_autoptr(GBytes) key = make_test_key ();
  g_autofree char *digest = pv_code_digest (key, "+14155552671", "004711");
  g_autofree char *truncated = g_strndup (digest, 63);

  g_assert_true (pv_code_digest_matches (key, "+14155552671", "004711", digest));
  /* Leading zeros matter: the original app's parseInt() dropped them. */
  g_assert_false (pv_code_digest_matches (key, "+14155552671", "4711", digest));
  g_assert_false (pv_code_digest_matches (key, "+14155552671", "004712", digest));
  g_assert_false (pv_code_digest_matches (key, "+14155552672", "004711", digest));
  g_assert_false (pv_code_digest_matches (key, "+14155552671", "004711", truncated));
  g_assert_false (pv_code_digest_matches (key, "+14155552671", "004711", ""));
  g_assert_false (pv_code_digest_matches (key, "+14155552671", "004711", NULL));
  g_assert_false (pv_code_digest_matches (key, "+14155552671", NULL, digest));
}

static void
test_derive_is_keyed_hmac_of_the_seed (void)
{
  g_autoptr(GBytes) key = make_test_key ();
  g_autofree char *code = pv_code_derive (key, "+4930123456",
                                          "00112233445566778899aabbccddeeff", 10);
  g_autofree char *shorter = pv_code_derive (key, "+4930123456",
                                             "00112233445566778899aabbccddeeff", 6);

  /* HMAC-SHA256(key = 00 01 … 1f, "pv-code-derive\0+4930123456\n<seed>\0"), bytes below
   * 250 taken modulo 10, computed independently. */
  g_assert_cmpstr (code, ==, "7384269252");
  g_assert_cmpstr (shorter, ==, "738426");
}

static void
test_derive_depends_on_key_number_and_seed (void)
{
  g_autoptr(GBytes) key = make_test_key ();
  g_autoptr(GBytes) other_key = pv_code_generate_key (NULL);
  const char *seed = "00112233445566778899aabbccddeeff";
  g_autofree char *code = pv_code_derive (key, "+4930123456", seed, 10);
  g_autofree char *again = pv_code_derive (key, "+4930123456", seed, 10);
  g_autofree char *other_number = pv_code_derive (key, "+4930123457", seed, 10);
  g_autofree char *other_keyed = pv_code_derive (other_key, "+4930123456", seed, 10);
  g_autofree char *other_seed = pv_code_derive (key, "+4930123456",
                                                "00112233445566778899aabbccddeef0", 10);

  g_assert_cmpstr (code, ==, again);
  g_assert_cmpstr (code, !=, other_number);
  g_assert_cmpstr (code, !=, other_keyed);
  g_assert_cmpstr (code, !=, other_seed);
}

static char *
derive_code (gpointer data)
{
  g_autofree char *seed = pv_code_generate_seed (NULL);

  g_assert_cmpuint (strlen (seed), ==, 2 * PV_CODE_SEED_SIZE);

  return pv_code_derive (data, "+4930123456", seed, 10);
}

static void
test_derived_digits_are_uniform (void)
{
  g_autoptr(GBytes) key = make_test_key ();

  assert_digits_uniform (derive_code, key);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/code/generate/lengths", test_generate_lengths);
  g_test_add_func ("/code/generate/bad-length", test_generate_rejects_bad_length);
  g_test_add_func ("/code/generate/uniform", test_digits_are_uniform);
  g_test_add_func ("/code/generate/differ", test_codes_differ);
  g_test_add_func ("/code/key/random", test_key_is_random);
  g_test_add_func ("/code/digest/hmac-sha256", test_digest_is_keyed_hmac_sha256);
  g_test_add_func ("/code/digest/inputs", test_digest_depends_on_key_number_and_code);
  g_test_add_func ("/code/digest/matches", test_digest_matches);
  g_test_add_func ("/code/derive/hmac-sha256", test_derive_is_keyed_hmac_of_the_seed);
  g_test_add_func ("/code/derive/inputs", test_derive_depends_on_key_number_and_seed);
  g_test_add_func ("/code/derive/uniform", test_derived_digits_are_uniform);

  return g_test_run ();
}
