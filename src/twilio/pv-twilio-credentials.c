/* pv-twilio-credentials.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pv-twilio-credentials"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "pv-twilio-credentials.h"

#define SID_HEX_DIGITS 32

G_DEFINE_BOXED_TYPE (PvTwilioCredentials, pv_twilio_credentials,
                     pv_twilio_credentials_copy, pv_twilio_credentials_free)

gboolean
pv_twilio_sid_is_valid (const char *sid,
                        const char *prefix)
{
  gsize prefix_len;

  g_return_val_if_fail (prefix != NULL, FALSE);

  if (sid == NULL)
    return FALSE;

  prefix_len = strlen (prefix);
  if (strncmp (sid, prefix, prefix_len) != 0)
    return FALSE;

  sid += prefix_len;
  for (guint i = 0; i < SID_HEX_DIGITS; i++)
    {
      if (!g_ascii_isxdigit (sid[i]))
        return FALSE;
    }

  return sid[SID_HEX_DIGITS] == '\0';
}

/* Copy-pasted SIDs and tokens often carry a stray space or newline, which Twilio rejects
 * with a puzzling 20003; no valid value contains whitespace at either end. */
static char *
dup_trimmed_or_null (const char *value)
{
  g_autofree char *copy = NULL;

  if (value == NULL)
    return NULL;

  copy = g_strstrip (g_strdup (value));
  if (copy[0] == '\0')
    return NULL;

  return g_steal_pointer (&copy);
}

/* The secret must not linger in freed heap memory where a crash dump could pick it up. */
static void
clear_secret (char **secret)
{
  if (*secret != NULL)
    {
      volatile char *p = *secret;

      while (*p != '\0')
        *p++ = '\0';

      g_clear_pointer (secret, g_free);
    }
}

/**
 * pv_twilio_credentials_new:
 *
 * Surrounding whitespace is trimmed from every value, and empty values count as unset.
 */
PvTwilioCredentials *
pv_twilio_credentials_new (const char *account_sid,
                           const char *api_key_sid,
                           const char *secret,
                           const char *from,
                           const char *messaging_service_sid)
{
  PvTwilioCredentials *self = g_new0 (PvTwilioCredentials, 1);

  self->account_sid = dup_trimmed_or_null (account_sid);
  self->api_key_sid = dup_trimmed_or_null (api_key_sid);
  self->secret = dup_trimmed_or_null (secret);
  self->from = dup_trimmed_or_null (from);
  self->messaging_service_sid = dup_trimmed_or_null (messaging_service_sid);

  return self;
}

/**
 * pv_twilio_credentials_new_from_environment:
 *
 * An API key (TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET, both set) is preferred over
 * TWILIO_AUTH_TOKEN, as Twilio recommends. Empty variables count as unset.
 *
 * Returns: (transfer full) (nullable): the credentials, or %NULL unless they are complete
 */
PvTwilioCredentials *
pv_twilio_credentials_new_from_environment (void)
{
  g_autoptr(PvTwilioCredentials) self = NULL;
  g_autofree char *key_sid = dup_trimmed_or_null (g_getenv ("TWILIO_API_KEY_SID"));
  g_autofree char *key_secret = dup_trimmed_or_null (g_getenv ("TWILIO_API_KEY_SECRET"));
  const char *account_sid = g_getenv ("TWILIO_ACCOUNT_SID");
  const char *from = g_getenv ("TWILIO_PHONE_NUMBER");
  const char *service_sid = g_getenv ("TWILIO_MESSAGING_SERVICE_SID");

  if (key_sid != NULL && key_secret != NULL)
    self = pv_twilio_credentials_new (account_sid, key_sid, key_secret, from, service_sid);
  else
    self = pv_twilio_credentials_new (account_sid, NULL, g_getenv ("TWILIO_AUTH_TOKEN"),
                                      from, service_sid);

  clear_secret (&key_secret);

  if (!pv_twilio_credentials_is_complete (self))
    return NULL;

  return g_steal_pointer (&self);
}

PvTwilioCredentials *
pv_twilio_credentials_copy (const PvTwilioCredentials *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return pv_twilio_credentials_new (self->account_sid,
                                    self->api_key_sid,
                                    self->secret,
                                    self->from,
                                    self->messaging_service_sid);
}

void
pv_twilio_credentials_free (PvTwilioCredentials *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->account_sid, g_free);
  g_clear_pointer (&self->api_key_sid, g_free);
  clear_secret (&self->secret);
  g_clear_pointer (&self->from, g_free);
  g_clear_pointer (&self->messaging_service_sid, g_free);
  g_free (self);
}

/**
 * pv_twilio_credentials_is_complete:
 *
 * Complete means: a valid AC account SID, a secret, a valid SK key SID if one is set, and
 * a sender — a From value or a valid MG Messaging Service SID. A Messaging Service SID that
 * is set but malformed makes the credentials incomplete even when From is set, because the
 * client would send with the service.
 */
gboolean
pv_twilio_credentials_is_complete (const PvTwilioCredentials *self)
{
  if (self == NULL)
    return FALSE;

  if (!pv_twilio_sid_is_valid (self->account_sid, "AC"))
    return FALSE;

  if (self->secret == NULL || self->secret[0] == '\0')
    return FALSE;

  if (self->api_key_sid != NULL && !pv_twilio_sid_is_valid (self->api_key_sid, "SK"))
    return FALSE;

  if (self->messaging_service_sid != NULL)
    return pv_twilio_sid_is_valid (self->messaging_service_sid, "MG");

  return self->from != NULL && self->from[0] != '\0';
}
