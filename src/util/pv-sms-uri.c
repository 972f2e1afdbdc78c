/* pv-sms-uri.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* sms: URIs (RFC 5724), which a phone's camera app opens as a text ready to send. */

#define G_LOG_DOMAIN "pv-sms-uri"

#include "config.h"

#include "pv-sms-uri.h"

/* "sms:+493012345678?body=PV%20482913": an E.164 number keeps its "+" (a global number in
 * RFC 5724's grammar), and the body escapes everything outside RFC 3986's unreserved set.
 * That is stricter than RFC 5724 needs, but "&", "=", "#" and "%" must go anyway, "+" would
 * be read as a space by the many readers that treat the query as a form, and a space must
 * be %20 rather than "+" for the same reason. Non-ASCII text goes as percent-encoded UTF-8,
 * as RFC 5724 says. Without a body the URI is the number alone. */
char *
pv_sms_uri_new (const char *e164,
                const char *body)
{
  g_autofree char *number = NULL;
  g_autofree char *escaped_body = NULL;

  g_return_val_if_fail (e164 != NULL, NULL);

  /* Digits and "+" pass unchanged; anything else would break the URI, so it is escaped. */
  number = g_uri_escape_string (e164, "+", FALSE);
  if (body == NULL || *body == '\0')
    return g_strconcat ("sms:", number, NULL);

  escaped_body = g_uri_escape_string (body, NULL, FALSE);

  return g_strconcat ("sms:", number, "?body=", escaped_body, NULL);
}
