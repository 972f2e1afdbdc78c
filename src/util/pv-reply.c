/* pv-reply.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pv-reply"

#include "config.h"

#include <string.h>

#include "pv-code.h"
#include "pv-reply.h"

/* Twilio's default keywords, which it acts on itself when a text is only that word. */
static const char * const opt_out_words[] = {
  "stop", "stopall", "unsubscribe", "cancel", "end", "quit", "optout", "revoke", NULL
};
static const char * const opt_in_words[] = { "start", "yes", "unstop", NULL };
static const char * const help_words[] = { "help", "info", NULL };

/* What may come before the code: the office's own prefix, or a yes in the languages our
 * customers write it in, folded as fold_words () leaves them. */
static const char * const code_prefixes[] = {
  "pv", "yes", "y", "ja", "j", "oui", "si", "ok", NULL
};

/* Words of @body in lower case without accents; digits of any script become ASCII digits.
 * Everything that is neither a letter nor a digit separates words, and so does a change
 * from letters to digits: "PV482913" is "pv" "482913". */
static GPtrArray *
fold_words (const char *body)
{
  /* g_utf8_normalize () reads past the end of text that is not UTF-8. Twilio's JSON is, but
   * this must hold whatever reaches it. */
  g_autofree char *valid = g_utf8_make_valid (body, -1);
  g_autofree char *decomposed = g_utf8_normalize (valid, -1, G_NORMALIZE_NFKD);
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) word = g_string_new (NULL);
  gboolean in_digits = FALSE;

  if (decomposed == NULL)
    return g_steal_pointer (&words);

  for (const char *p = decomposed; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      int digit = g_unichar_digit_value (c);

      if (c != 0 && g_unichar_ismark (c))
        continue;

      if (word->len > 0 && (digit >= 0 || g_unichar_isalpha (c)) && (digit >= 0) != in_digits)
        {
          g_ptr_array_add (words, g_strdup (word->str));
          g_string_truncate (word, 0);
        }
      in_digits = digit >= 0;

      if (digit >= 0)
        g_string_append_c (word, (char) ('0' + digit));
      else if (c != 0 && g_unichar_isalpha (c))
        g_string_append_unichar (word, g_unichar_tolower (c));
      else if (word->len > 0)
        {
          g_ptr_array_add (words, g_strdup (word->str));
          g_string_truncate (word, 0);
        }

      if (c == 0)
        break;
    }

  return g_steal_pointer (&words);
}

static gboolean
is_digits (const char *word)
{
  for (const char *p = word; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  return *word != '\0';
}

/**
 * pv_reply_read:
 * @body: a text a customer sent
 * @code: (out) (optional): for %PV_REPLY_CODE, the code's digits; clear it with
 *   explicit_bzero() before freeing
 *
 * Reads a customer's text as people write them: "PV 482913", "yes 482 913", "482913!",
 * "Oui, 482913". A text that is only a keyword Twilio acts on itself (STOP, START, HELP
 * and their like) says so, so that it is shown to staff rather than ignored.
 *
 * Returns: what the text says
 */
PvReplyKind
pv_reply_read (const char  *body,
               char       **code)
{
  g_autoptr(GPtrArray) words = NULL;
  g_autoptr(GString) digits = NULL;
  guint first = 0;

  if (code != NULL)
    *code = NULL;
  if (body == NULL)
    return PV_REPLY_OTHER;

  words = fold_words (body);
  if (words->len == 0)
    return PV_REPLY_OTHER;

  if (words->len == 1 || (words->len == 2 && g_str_equal (words->pdata[0], "stop") &&
                          g_str_equal (words->pdata[1], "all")))
    {
      const char *word = words->pdata[0];

      if (g_strv_contains (opt_out_words, word))
        return PV_REPLY_OPT_OUT;
      if (g_strv_contains (opt_in_words, word))
        return PV_REPLY_OPT_IN;
      if (g_strv_contains (help_words, word))
        return PV_REPLY_HELP;
    }

  /* "PV 482913", "yes PV 482913": any number of prefixes, then only digits. */
  while (first < words->len && g_strv_contains (code_prefixes, words->pdata[first]))
    first++;

  digits = g_string_new (NULL);
  for (guint i = first; i < words->len; i++)
    {
      if (!is_digits (words->pdata[i]))
        {
          explicit_bzero (digits->str, digits->len);
          return PV_REPLY_OTHER;
        }
      g_string_append (digits, words->pdata[i]);
    }

  if (digits->len < PV_CODE_MIN_LENGTH || digits->len > PV_CODE_MAX_LENGTH)
    {
      explicit_bzero (digits->str, digits->len);
      return PV_REPLY_OTHER;
    }

  if (code != NULL)
    *code = g_string_free (g_steal_pointer (&digits), FALSE);
  else
    explicit_bzero (digits->str, digits->len);

  return PV_REPLY_CODE;
}
