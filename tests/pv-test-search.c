/* pv-test-search.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The word and short-digit halves of the customer search, worked out without SQL, for the
 * tests and fuzz targets that check the store's answers against them. Nothing here but GLib
 * and pv-phone-number.h: the fuzz targets build their own, instrumented, copy of the core. */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pv-phone-number.h"
#include "pv-test-search.h"

/**
 * pv_test_fold_words:
 * @text: (nullable): a name, or what staff typed
 *
 * The words of @text folded as FTS5's unicode61 tokenizer with remove_diacritics folds
 * them: split at anything but letters and digits, accents dropped, case folded. (It also
 * drops what Unicode gives no decomposition, such as "ø" to "o"; no test depends on that.)
 *
 * Returns: (transfer full) (element-type utf8): the words
 */
GPtrArray *
pv_test_fold_words (const char *text)
{
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *decomposed = NULL;
  g_autoptr(GString) word = g_string_new (NULL);

  if (text == NULL)
    return words;

  decomposed = g_utf8_normalize (text, -1, G_NORMALIZE_NFD);
  for (const char *p = decomposed; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != 0 && g_unichar_ismark (c))
        continue;
      if (c != 0 && g_unichar_isalnum (c))
        {
          g_string_append_unichar (word, c);
          continue;
        }
      if (word->len > 0)
        {
          g_ptr_array_add (words, g_utf8_casefold (word->str, -1));
          g_string_truncate (word, 0);
        }
      if (c == 0)
        break;
    }

  return words;
}

/**
 * pv_test_words_start:
 * @name: (nullable): a customer's name
 * @search_words: what pv_test_fold_words() made of a search
 *
 * Returns: whether every word of the search starts a word of @name, in any order
 */
gboolean
pv_test_words_start (const char      *name,
                     const GPtrArray *search_words)
{
  g_autoptr(GPtrArray) name_words = pv_test_fold_words (name);

  if (search_words->len == 0)
    return FALSE;

  for (guint i = 0; i < search_words->len; i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < name_words->len && !found; j++)
        found = g_str_has_prefix (name_words->pdata[j], search_words->pdata[i]);
      if (!found)
        return FALSE;
    }

  return TRUE;
}

/**
 * pv_test_number_starts:
 * @number: a stored number, "+14155552671"
 * @digits: one or two digits as the search has them, perhaps after a "+"
 *
 * Returns: whether @number starts with @digits: after its "+" when @digits has one, else
 *   either after its "+" or after its calling code
 */
gboolean
pv_test_number_starts (const char *number,
                       const char *digits)
{
  if (number[0] != '+')
    return FALSE;

  if (digits[0] == '+')
    return g_str_has_prefix (number + 1, digits + 1);

  if (g_str_has_prefix (number + 1, digits))
    return TRUE;

  /* Calling codes are one to three digits, and none is the start of another. */
  for (gsize length = 1; length <= 3 && length < strlen (number); length++)
    {
      g_autofree char *code = g_strndup (number + 1, length);
      g_autofree char *region = NULL;

      if (!g_ascii_isdigit (code[length - 1]))
        break;
      region = pv_phone_number_region_for_country_code ((guint) strtoul (code, NULL, 10));
      if (region != NULL)
        return g_str_has_prefix (number + 1 + length, digits);
    }

  return FALSE;
}
