/* pv-test-twilio.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pv-test-twilio.h"

void
pv_test_store_result_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

GAsyncResult *
pv_test_wait_for_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}

static gboolean
timeout_reached_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;

  return G_SOURCE_REMOVE;
}

/* Sleeps while still serving the fake, which runs in this thread. */
void
pv_test_spin_main_context (guint milliseconds)
{
  gboolean reached = FALSE;

  g_timeout_add (milliseconds, timeout_reached_cb, &reached);
  while (!reached)
    g_main_context_iteration (NULL, TRUE);
}

void
pv_test_drain_main_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

PvTwilioClient *
pv_test_new_fake_client (PvFakeTwilio *fake)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;
  g_autofree char *base_url = pv_fake_twilio_dup_base_url (fake);
  PvTwilioClient *client = pv_twilio_client_new (base_url);

  pv_twilio_client_set_lookups_url (client, base_url);
  credentials = pv_twilio_credentials_new (pv_fake_twilio_get_account_sid (fake), NULL,
                                           pv_fake_twilio_get_auth_token (fake),
                                           pv_fake_twilio_get_phone_number (fake), NULL);
  pv_twilio_client_set_credentials (client, credentials);

  return client;
}
