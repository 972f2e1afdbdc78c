/* pv-message-template.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The text message is an office's own wording, kept in GSettings. It is checked before
 * every send, because a template without "{code}" would text customers a message they
 * cannot verify with. */

#define G_LOG_DOMAIN "pv-message-template"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include <string.h>

#include "pv-code.h"
#include "pv-message-template.h"

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

  if (template_text == NULL || !g_utf8_validate (template_text, -1, NULL)
      || strstr (template_text, PV_MESSAGE_TEMPLATE_PLACEHOLDER) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   /* Translators: %s is the placeholder “{code}”; keep it as it is */
                   _("The message must contain %s, where the verification code goes."),
                   PV_MESSAGE_TEMPLATE_PLACEHOLDER);
      return FALSE;
    }

  longest = g_strnfill (PV_CODE_MAX_LENGTH, '0');
  rendered = pv_message_template_render (template_text, longest);
  if (g_utf8_strlen (rendered, -1) > PV_MESSAGE_TEMPLATE_MAX_LENGTH)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The message is too long. Twilio sends at most %d characters."),
                   PV_MESSAGE_TEMPLATE_MAX_LENGTH);
      return FALSE;
    }

  return TRUE;
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
