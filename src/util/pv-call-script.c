/* pv-call-script.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What Twilio says when it calls a customer with their code: a TwiML document, sent
 * inline with the call so that PhoneVerify needs no web server.
 *
 * The call waits a second for the customer to put the phone to their ear, says who is
 * calling, then reads the code digit by digit three times with a pause between, since a
 * listener cannot scroll back, and says how long the code lasts. Digits are separated by
 * commas because Twilio reads "482913" as one large number and pauses at commas.
 *
 * The phrases are in the customer's language, so they are PhoneVerify's own and not for
 * translators. Everything said is XML-escaped; the office's name, which staff type, is
 * also rid of what a voice cannot say (controls, invisible formatting) and cut to
 * PV_CALL_SCRIPT_MAX_OFFICE_CHARS, which keeps the document far below Twilio's limit. */

#define G_LOG_DOMAIN "pv-call-script"

#include "config.h"

#include <string.h>

#include "pv-call-script.h"
#include "pv-code.h"
#include "pv-language.h"
#include "pv-message-template.h"
#include "pv-text.h"

typedef struct
{
  const char *language;
  const char *greeting_office;  /* with {office} */
  const char *greeting;         /* when the office has no name */
  const char *code;             /* before the digits */
  const char *valid_one;        /* the code lasts one minute */
  const char *valid_many;       /* with {minutes} */
  const char *goodbye;
} CallPhrases;

/* English first: the one for any language without phrases of its own. */
static const CallPhrases phrases[] = {
  {
    "en",
    "Hello, this is {office} with your verification code.",
    "Hello, this is your verification code.",
    "Your code is:",
    "The code is valid for one minute.",
    "The code is valid for {minutes} minutes.",
    "Goodbye.",
  },
  {
    "de",
    "Guten Tag, hier ist {office} mit Ihrem Bestätigungscode.",
    "Guten Tag, hier ist Ihr Bestätigungscode.",
    "Ihr Code lautet:",
    "Der Code ist eine Minute gültig.",
    "Der Code ist {minutes} Minuten gültig.",
    "Auf Wiederhören.",
  },
  {
    "fr",
    "Bonjour, ici {office} avec votre code de vérification.",
    "Bonjour, voici votre code de vérification.",
    "Votre code est :",
    "Ce code est valable une minute.",
    "Ce code est valable {minutes} minutes.",
    "Au revoir.",
  },
  {
    "es",
    "Hola, le llama {office} con su código de verificación.",
    "Hola, este es su código de verificación.",
    "Su código es:",
    "El código es válido durante un minuto.",
    "El código es válido durante {minutes} minutos.",
    "Adiós.",
  },
};

static const CallPhrases *
lookup_phrases (const char *language)
{
  for (guint i = 0; i < G_N_ELEMENTS (phrases); i++)
    {
      if (g_strcmp0 (phrases[i].language, language) == 0)
        return &phrases[i];
    }

  return &phrases[0];
}

/* What a voice can read of the office's name: letters, marks and symbols, with anything
 * else (controls, line breaks, invisible formatting, the two code points XML forbids, and
 * U+FFFD, which stands for bytes that were not text) taken as a space, runs of spaces as one, and at most PV_CALL_SCRIPT_MAX_OFFICE_CHARS
 * characters. */
static char *
speakable_office_name (const char *office_name)
{
  g_autofree char *valid = NULL;
  g_autoptr(GString) name = g_string_new (NULL);
  gboolean pending_space = FALSE;
  glong n_chars = 0;

  if (office_name == NULL)
    return g_strdup ("");

  valid = g_utf8_make_valid (office_name, -1);

  for (const char *p = valid; *p != '\0' && n_chars < PV_CALL_SCRIPT_MAX_OFFICE_CHARS;
       p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (pv_text_classify (c) != PV_TEXT_CHAR_SAFE || (c >= 0xfffd && c <= 0xffff))
        {
          pending_space = TRUE;
          continue;
        }

      if (pending_space && name->len > 0 && n_chars + 1 < PV_CALL_SCRIPT_MAX_OFFICE_CHARS)
        {
          g_string_append_c (name, ' ');
          n_chars++;
        }
      pending_space = FALSE;

      g_string_append_unichar (name, c);
      n_chars++;
    }

  return g_string_free (g_steal_pointer (&name), FALSE);
}

/* "Your code is: 4, 8, 2, 9, 1, 3." */
static char *
code_sentence (const CallPhrases *said,
               const char        *code)
{
  GString *sentence = g_string_new (said->code);

  for (const char *p = code; *p != '\0'; p = g_utf8_next_char (p))
    {
      g_string_append (sentence, p == code ? " " : ", ");
      g_string_append_len (sentence, p, g_utf8_next_char (p) - p);
    }
  g_string_append_c (sentence, '.');

  return g_string_free (sentence, FALSE);
}

static void
append_say (GString    *twiml,
            const char *voice_locale,
            const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  g_string_append_printf (twiml, "<Say language=\"%s\">%s</Say>", voice_locale, escaped);
}

/**
 * pv_call_script_build:
 * @language: (nullable): the customer's language; one without phrases gets English
 * @code: the verification code, at most %PV_CODE_MAX_LENGTH characters
 * @office_name: (nullable): the office's name, or %NULL or empty for none
 * @minutes: how long @code is valid; 0 leaves that out
 *
 * Returns: (transfer full): a TwiML document to pass as a call's Twiml, well under
 *   %PV_CALL_SCRIPT_MAX_LENGTH characters
 */
char *
pv_call_script_build (const char *language,
                      const char *code,
                      const char *office_name,
                      guint       minutes)
{
  const CallPhrases *said = lookup_phrases (language);
  const char *voice_locale = pv_language_get_voice_locale (said->language);
  g_autofree char *office = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *digits = NULL;
  g_autofree char *validity = NULL;
  g_autofree char *farewell = NULL;
  GString *twiml;

  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (g_utf8_validate (code, -1, NULL), NULL);
  g_return_val_if_fail (g_utf8_strlen (code, -1) <= PV_CODE_MAX_LENGTH, NULL);

  office = speakable_office_name (office_name);
  /* In one pass, so that braces in the office's name are read out as they are. */
  greeting = office[0] != '\0'
             ? pv_message_template_render_full (said->greeting_office, "", minutes, office)
             : g_strdup (said->greeting);
  digits = code_sentence (said, code);
  if (minutes > 0)
    {
      validity = pv_message_template_render_full (minutes == 1 ? said->valid_one
                                                               : said->valid_many,
                                                  "", minutes, NULL);
      farewell = g_strconcat (validity, " ", said->goodbye, NULL);
    }
  else
    {
      farewell = g_strdup (said->goodbye);
    }

  twiml = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>");
  g_string_append (twiml, "<Pause length=\"1\"/>");
  append_say (twiml, voice_locale, greeting);
  for (guint i = 0; i < 3; i++)
    {
      append_say (twiml, voice_locale, digits);
      g_string_append (twiml, "<Pause length=\"1\"/>");
    }
  append_say (twiml, voice_locale, farewell);
  g_string_append (twiml, "</Response>");

  return g_string_free (twiml, FALSE);
}
