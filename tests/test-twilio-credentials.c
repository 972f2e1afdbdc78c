/* test-twilio-credentials.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-twilio-credentials"

#include "config.h"

#include "pv-twilio-credentials.h"

#define ACCOUNT_SID "AC0123456789abcdef0123456789ABCDEF"
#define KEY_SID     "SK00000000000000000000000000000001"
#define SERVICE_SID "MGfedcba9876543210fedcba9876543210"

static const char * const environment_variables[] = {
  "TWILIO_ACCOUNT_SID",
  "TWILIO_AUTH_TOKEN",
  "TWILIO_API_KEY_SID",
  "TWILIO_API_KEY_SECRET",
  "TWILIO_PHONE_NUMBER",
  "TWILIO_MESSAGING_SERVICE_SID",
};

static void
clear_environment (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (environment_variables); i++)
    g_unsetenv (environment_variables[i]);
}

static void
test_sid_validation (void)
{
  static const struct
  {
    const char *sid;
    const char *prefix;
    gboolean    valid;
  } cases[] = {
    { ACCOUNT_SID, "AC", TRUE },
    { "AC00000000000000000000000000000000", "AC", TRUE },
    { "ACffffffffffffffffffffffffffffffff", "AC", TRUE },
    { KEY_SID, "SK", TRUE },
    { SERVICE_SID, "MG", TRUE },
    { "SM0123456789abcdef0123456789abcdef", "SM", TRUE },
    /* Wrong or lower-case prefix. */
    { ACCOUNT_SID, "SK", FALSE },
    { "ac0123456789abcdef0123456789abcdef", "AC", FALSE },
    /* One digit short, one too many. */
    { "AC0123456789abcdef0123456789abcde", "AC", FALSE },
    { "AC0123456789abcdef0123456789abcdef0", "AC", FALSE },
    /* Not hexadecimal. */
    { "AC0123456789abcdef0123456789abcdeg", "AC", FALSE },
    { "AC0123456789abcdef 123456789abcdef", "AC", FALSE },
    { "AC0123456789abcdef0123456789abcde/", "AC", FALSE },
    { " AC0123456789abcdef0123456789abcdef", "AC", FALSE },
    { "AC0123456789abcdef0123456789abcdef\n", "AC", FALSE },
    { "AC", "AC", FALSE },
    { "", "AC", FALSE },
    { NULL, "AC", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("SID %s with prefix %s", cases[i].sid, cases[i].prefix);
      g_assert_cmpint (pv_twilio_sid_is_valid (cases[i].sid, cases[i].prefix), ==, cases[i].valid);
    }
}

static void
test_new_trims_and_drops_empty (void)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;

  credentials = pv_twilio_credentials_new (" " ACCOUNT_SID "\n", "", "  token\t", "+15005550006",
                                           "   ");

  g_assert_cmpstr (credentials->account_sid, ==, ACCOUNT_SID);
  g_assert_null (credentials->api_key_sid);
  g_assert_cmpstr (credentials->secret, ==, "token");
  g_assert_cmpstr (credentials->from, ==, "+15005550006");
  g_assert_null (credentials->messaging_service_sid);
  g_assert_true (pv_twilio_credentials_is_complete (credentials));
}

static void
test_copy (void)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;
  g_autoptr(PvTwilioCredentials) copy = NULL;

  credentials = pv_twilio_credentials_new (ACCOUNT_SID, KEY_SID, "secret", "+15005550006",
                                           SERVICE_SID);
  copy = g_boxed_copy (PV_TYPE_TWILIO_CREDENTIALS, credentials);

  g_assert_true (copy != credentials);
  g_assert_true (copy->secret != credentials->secret);
  g_assert_cmpstr (copy->account_sid, ==, ACCOUNT_SID);
  g_assert_cmpstr (copy->api_key_sid, ==, KEY_SID);
  g_assert_cmpstr (copy->secret, ==, "secret");
  g_assert_cmpstr (copy->from, ==, "+15005550006");
  g_assert_cmpstr (copy->messaging_service_sid, ==, SERVICE_SID);
}

static void
test_completeness (void)
{
  static const struct
  {
    const char *account_sid;
    const char *api_key_sid;
    const char *secret;
    const char *from;
    const char *service_sid;
    gboolean    complete;
  } cases[] = {
    { ACCOUNT_SID, NULL, "token", "+15005550006", NULL, TRUE },
    { ACCOUNT_SID, NULL, "token", NULL, SERVICE_SID, TRUE },
    { ACCOUNT_SID, NULL, "token", "+15005550006", SERVICE_SID, TRUE },
    { ACCOUNT_SID, KEY_SID, "key secret", "+15005550006", NULL, TRUE },
    /* An alphanumeric sender ID is a valid From. */
    { ACCOUNT_SID, NULL, "token", "PhoneVerify", NULL, TRUE },
    { NULL, NULL, "token", "+15005550006", NULL, FALSE },
    { "AC123", NULL, "token", "+15005550006", NULL, FALSE },
    { KEY_SID, NULL, "token", "+15005550006", NULL, FALSE },
    { ACCOUNT_SID, NULL, NULL, "+15005550006", NULL, FALSE },
    { ACCOUNT_SID, NULL, "", "+15005550006", NULL, FALSE },
    { ACCOUNT_SID, NULL, "token", NULL, NULL, FALSE },
    { ACCOUNT_SID, NULL, "token", "", NULL, FALSE },
    { ACCOUNT_SID, ACCOUNT_SID, "token", "+15005550006", NULL, FALSE },
    { ACCOUNT_SID, "SK123", "token", "+15005550006", NULL, FALSE },
    /* A malformed service would be used in preference to the valid From. */
    { ACCOUNT_SID, NULL, "token", "+15005550006", "MG123", FALSE },
    { ACCOUNT_SID, NULL, "token", NULL, ACCOUNT_SID, FALSE },
  };

  g_assert_false (pv_twilio_credentials_is_complete (NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PvTwilioCredentials) credentials = NULL;

      g_test_message ("Case %u", i);
      credentials = pv_twilio_credentials_new (cases[i].account_sid,
                                               cases[i].api_key_sid,
                                               cases[i].secret,
                                               cases[i].from,
                                               cases[i].service_sid);
      g_assert_cmpint (pv_twilio_credentials_is_complete (credentials), ==, cases[i].complete);
    }
}

static void
test_environment_auth_token (void)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;

  clear_environment ();
  g_setenv ("TWILIO_ACCOUNT_SID", ACCOUNT_SID, TRUE);
  g_setenv ("TWILIO_AUTH_TOKEN", "token", TRUE);
  g_setenv ("TWILIO_PHONE_NUMBER", "+15005550006", TRUE);

  credentials = pv_twilio_credentials_new_from_environment ();

  g_assert_nonnull (credentials);
  g_assert_cmpstr (credentials->account_sid, ==, ACCOUNT_SID);
  g_assert_null (credentials->api_key_sid);
  g_assert_cmpstr (credentials->secret, ==, "token");
  g_assert_cmpstr (credentials->from, ==, "+15005550006");
  g_assert_null (credentials->messaging_service_sid);
}

static void
test_environment_api_key_preferred (void)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;

  clear_environment ();
  g_setenv ("TWILIO_ACCOUNT_SID", ACCOUNT_SID, TRUE);
  g_setenv ("TWILIO_AUTH_TOKEN", "token", TRUE);
  g_setenv ("TWILIO_API_KEY_SID", KEY_SID, TRUE);
  g_setenv ("TWILIO_API_KEY_SECRET", "key secret", TRUE);
  g_setenv ("TWILIO_MESSAGING_SERVICE_SID", SERVICE_SID, TRUE);

  credentials = pv_twilio_credentials_new_from_environment ();

  g_assert_nonnull (credentials);
  g_assert_cmpstr (credentials->account_sid, ==, ACCOUNT_SID);
  g_assert_cmpstr (credentials->api_key_sid, ==, KEY_SID);
  g_assert_cmpstr (credentials->secret, ==, "key secret");
  g_assert_null (credentials->from);
  g_assert_cmpstr (credentials->messaging_service_sid, ==, SERVICE_SID);
}

static void
test_environment_api_key_without_token (void)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;

  clear_environment ();
  g_setenv ("TWILIO_ACCOUNT_SID", ACCOUNT_SID, TRUE);
  g_setenv ("TWILIO_AUTH_TOKEN", "", TRUE);
  g_setenv ("TWILIO_API_KEY_SID", KEY_SID, TRUE);
  g_setenv ("TWILIO_API_KEY_SECRET", "key secret", TRUE);
  g_setenv ("TWILIO_PHONE_NUMBER", "+15005550006", TRUE);

  credentials = pv_twilio_credentials_new_from_environment ();

  g_assert_nonnull (credentials);
  g_assert_cmpstr (credentials->api_key_sid, ==, KEY_SID);
  g_assert_cmpstr (credentials->secret, ==, "key secret");
}

static void
test_environment_half_api_key_falls_back_to_token (void)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;

  clear_environment ();
  g_setenv ("TWILIO_ACCOUNT_SID", ACCOUNT_SID, TRUE);
  g_setenv ("TWILIO_AUTH_TOKEN", "token", TRUE);
  g_setenv ("TWILIO_API_KEY_SID", KEY_SID, TRUE);
  g_setenv ("TWILIO_API_KEY_SECRET", "", TRUE);
  g_setenv ("TWILIO_PHONE_NUMBER", "+15005550006", TRUE);

  credentials = pv_twilio_credentials_new_from_environment ();

  g_assert_nonnull (credentials);
  g_assert_null (credentials->api_key_sid);
  g_assert_cmpstr (credentials->secret, ==, "token");
}

static void
test_environment_incomplete (void)
{
  static const char * const required[] = {
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_PHONE_NUMBER",
  };

  /* Each required variable, unset or empty in turn, makes the whole set unusable. */
  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      for (guint empty = 0; empty <= 1; empty++)
        {
          g_autoptr(PvTwilioCredentials) credentials = NULL;

          clear_environment ();
          g_setenv ("TWILIO_ACCOUNT_SID", ACCOUNT_SID, TRUE);
          g_setenv ("TWILIO_AUTH_TOKEN", "token", TRUE);
          g_setenv ("TWILIO_PHONE_NUMBER", "+15005550006", TRUE);

          if (empty)
            g_setenv (required[i], "", TRUE);
          else
            g_unsetenv (required[i]);

          g_test_message ("%s %s", required[i], empty ? "empty" : "unset");
          credentials = pv_twilio_credentials_new_from_environment ();
          g_assert_null (credentials);
        }
    }
}

static void
test_environment_invalid_sid (void)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;

  clear_environment ();
  g_setenv ("TWILIO_ACCOUNT_SID", "ACnot-a-sid", TRUE);
  g_setenv ("TWILIO_AUTH_TOKEN", "token", TRUE);
  g_setenv ("TWILIO_PHONE_NUMBER", "+15005550006", TRUE);

  credentials = pv_twilio_credentials_new_from_environment ();

  g_assert_null (credentials);
}

static void
test_environment_empty (void)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;

  /* What tests/meson.build does so that tests never reach a real Twilio. */
  for (guint i = 0; i < G_N_ELEMENTS (environment_variables); i++)
    g_setenv (environment_variables[i], "", TRUE);

  credentials = pv_twilio_credentials_new_from_environment ();

  g_assert_null (credentials);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/twilio-credentials/sid-validation", test_sid_validation);
  g_test_add_func ("/twilio-credentials/new-trims-and-drops-empty", test_new_trims_and_drops_empty);
  g_test_add_func ("/twilio-credentials/copy", test_copy);
  g_test_add_func ("/twilio-credentials/completeness", test_completeness);
  g_test_add_func ("/twilio-credentials/environment/auth-token", test_environment_auth_token);
  g_test_add_func ("/twilio-credentials/environment/api-key-preferred",
                   test_environment_api_key_preferred);
  g_test_add_func ("/twilio-credentials/environment/api-key-without-token",
                   test_environment_api_key_without_token);
  g_test_add_func ("/twilio-credentials/environment/half-api-key",
                   test_environment_half_api_key_falls_back_to_token);
  g_test_add_func ("/twilio-credentials/environment/incomplete", test_environment_incomplete);
  g_test_add_func ("/twilio-credentials/environment/invalid-sid", test_environment_invalid_sid);
  g_test_add_func ("/twilio-credentials/environment/empty", test_environment_empty);

  return g_test_run ();
}
