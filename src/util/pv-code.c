/* pv-code.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Verification codes are secrets with a short life. They come from the kernel's CSPRNG,
 * never from g_random (a seeded, predictable generator), and only an HMAC of them is ever
 * stored: with a plain hash, anyone holding the database could try all 10^6 codes offline.
 *
 * A code the customer may already hold must sometimes go out again, by a call instead of
 * a text or by another text, and it must be the same code. So a code is made from a random
 * seed and the keyring's key (pv_code_derive()): the store keeps the seed beside the
 * digest, and neither tells the code without the key, which never leaves the keyring and
 * this process. */

#define G_LOG_DOMAIN "pv-code"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "pv-code.h"

static gboolean
fill_random (guint8  *buffer,
             gsize    length,
             GError **error)
{
  gsize filled = 0;

  while (filled < length)
    {
      gssize n = getrandom (buffer + filled, length - filled, 0);

      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("The system could not provide secure random numbers: %s"),
                       g_strerror (saved_errno));
          return FALSE;
        }

      filled += n;
    }

  return TRUE;
}

/**
 * pv_code_generate:
 * @length: how many digits, from %PV_CODE_MIN_LENGTH to %PV_CODE_MAX_LENGTH
 *
 * Every digit is equally likely: random bytes of 250 or more are thrown away rather
 * than folded with a modulo, which would make 0–5 slightly more common than 6–9.
 *
 * Returns: (transfer full): a string of @length decimal digits, or %NULL
 */
char *
pv_code_generate (guint    length,
                  GError **error)
{
  g_autofree char *code = NULL;
  guint8 random_bytes[32];
  gsize n_digits = 0;

  g_return_val_if_fail (length >= PV_CODE_MIN_LENGTH && length <= PV_CODE_MAX_LENGTH, NULL);

  code = g_malloc0 (length + 1);

  while (n_digits < length)
    {
      if (!fill_random (random_bytes, sizeof random_bytes, error))
        return NULL;

      for (gsize i = 0; i < sizeof random_bytes && n_digits < length; i++)
        {
          if (random_bytes[i] < 250)
            code[n_digits++] = '0' + random_bytes[i] % 10;
        }
    }

  explicit_bzero (random_bytes, sizeof random_bytes);

  return g_steal_pointer (&code);
}

/**
 * pv_code_generate_key:
 *
 * Returns: (transfer full): %PV_CODE_KEY_SIZE random bytes for keying code digests
 */
GBytes *
pv_code_generate_key (GError **error)
{
  guint8 key[PV_CODE_KEY_SIZE];
  GBytes *bytes;

  if (!fill_random (key, sizeof key, error))
    return NULL;

  bytes = g_bytes_new (key, sizeof key);
  explicit_bzero (key, sizeof key);

  return bytes;
}

/**
 * pv_code_digest:
 * @key: the per-installation digest key
 * @number: the E.164 number the code was sent to
 * @code: the code
 *
 * The number is part of the message so that a digest only ever verifies for the
 * customer it was made for.
 *
 * Returns: (transfer full): the lowercase hex HMAC-SHA256 of @number and @code
 */
char *
pv_code_digest (GBytes     *key,
                const char *number,
                const char *code)
{
  g_autoptr(GHmac) hmac = NULL;
  gsize key_size = 0;
  const guint8 *key_data;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (number != NULL, NULL);
  g_return_val_if_fail (code != NULL, NULL);

  key_data = g_bytes_get_data (key, &key_size);
  g_return_val_if_fail (key_size > 0, NULL);

  hmac = g_hmac_new (G_CHECKSUM_SHA256, key_data, key_size);
  g_hmac_update (hmac, (const guchar *) number, -1);
  /* A separator no E.164 number contains, so "1"+"23" and "12"+"3" differ. */
  g_hmac_update (hmac, (const guchar *) "\n", 1);
  g_hmac_update (hmac, (const guchar *) code, -1);

  return g_strdup (g_hmac_get_string (hmac));
}

/**
 * pv_code_digest_matches:
 *
 * Compares in constant time, so the time taken does not reveal how many leading
 * characters of a guess were right.
 *
 * Returns: %TRUE if @code, sent to @number, is the one @stored_digest was made from
 */
gboolean
pv_code_digest_matches (GBytes     *key,
                        const char *number,
                        const char *code,
                        const char *stored_digest)
{
  g_autofree char *candidate = NULL;
  gsize candidate_length;
  guint8 difference = 0;

  g_return_val_if_fail (key != NULL, FALSE);

  if (number == NULL || code == NULL || stored_digest == NULL)
    return FALSE;

  candidate = pv_code_digest (key, number, code);
  candidate_length = strlen (candidate);

  /* Digests are always 64 hex characters, so the length itself gives nothing away. */
  if (strlen (stored_digest) != candidate_length)
    return FALSE;

  for (gsize i = 0; i < candidate_length; i++)
    difference |= (guint8) candidate[i] ^ (guint8) stored_digest[i];

  return difference == 0;
}

/**
 * pv_code_generate_seed:
 *
 * Returns: (transfer full): %PV_CODE_SEED_SIZE random bytes as lowercase hex, to make a
 *   code from with pv_code_derive()
 */
char *
pv_code_generate_seed (GError **error)
{
  guint8 seed[PV_CODE_SEED_SIZE];
  char *hex;

  if (!fill_random (seed, sizeof seed, error))
    return NULL;

  hex = g_malloc (2 * sizeof seed + 1);
  for (gsize i = 0; i < sizeof seed; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", seed[i]);
  explicit_bzero (seed, sizeof seed);

  return hex;
}

/**
 * pv_code_derive:
 * @key: the per-installation digest key
 * @number: the E.164 number the code is for
 * @seed: from pv_code_generate_seed()
 * @length: how many digits, from %PV_CODE_MIN_LENGTH to %PV_CODE_MAX_LENGTH
 *
 * An HMAC of a random seed is as unpredictable as the seed to anyone without the key.
 * Its bytes become digits as pv_code_generate() makes them, throwing away 250 and above so
 * that every digit is equally likely; a further block is made in the rare case that one
 * block has too few.
 *
 * Returns: (transfer full): a string of @length decimal digits, the same for the same
 *   arguments
 */
char *
pv_code_derive (GBytes     *key,
                const char *number,
                const char *seed,
                guint       length)
{
  g_autofree char *code = NULL;
  const guint8 *key_data;
  gsize key_size = 0;
  gsize n_digits = 0;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (number != NULL, NULL);
  g_return_val_if_fail (seed != NULL, NULL);
  g_return_val_if_fail (length >= PV_CODE_MIN_LENGTH && length <= PV_CODE_MAX_LENGTH, NULL);

  key_data = g_bytes_get_data (key, &key_size);
  g_return_val_if_fail (key_size > 0, NULL);

  code = g_malloc0 (length + 1);

  for (guint8 block = 0; n_digits < length; block++)
    {
      g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key_data, key_size);
      guint8 output[32];
      gsize output_size = sizeof output;

      /* The label keeps these apart from digests, whose message starts with the number. */
      g_hmac_update (hmac, (const guchar *) "pv-code-derive", sizeof "pv-code-derive");
      g_hmac_update (hmac, (const guchar *) number, -1);
      g_hmac_update (hmac, (const guchar *) "\n", 1);
      g_hmac_update (hmac, (const guchar *) seed, -1);
      g_hmac_update (hmac, &block, 1);
      g_hmac_get_digest (hmac, output, &output_size);

      for (gsize i = 0; i < output_size && n_digits < length; i++)
        {
          if (output[i] < 250)
            code[n_digits++] = '0' + output[i] % 10;
        }

      explicit_bzero (output, sizeof output);
    }

  return g_steal_pointer (&code);
}
