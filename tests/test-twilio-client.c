/* test-twilio-client.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-twilio-client"

#include "config.h"

#include <string.h>

#include "pv-fake-twilio.h"
#include "pv-test-twilio.h"
#include "pv-twilio-client.h"
#include "pv-twilio-error.h"
#include "pv-twilio-json.h"

#define CUSTOMER    "+14155552671"
#define CODE        "482915"
#define BODY        "Your PhoneVerify code is " CODE
#define KEY_SID     "SK0123456789abcdef0123456789abcdef"
#define KEY_SECRET  "api-key-secret-4d1f"
#define WRONG_TOKEN "wrong-token-0b7e5a"
#define MESSAGE_SID "SM0123456789abcdef0123456789abcdef"

typedef struct
{
  PvFakeTwilio   *fake;
  PvTwilioClient *client;
  char           *base_url;
} Fixture;

static PvTwilioMessage *
send_message (PvTwilioClient  *client,
              const char      *to,
              GCancellable    *cancellable,
              GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pv_twilio_client_send_message_async (client, to, BODY, cancellable,
                                       pv_test_store_result_cb, &result);
  return pv_twilio_client_send_message_finish (client, pv_test_wait_for_result (&result), error);
}

static PvTwilioMessage *
fetch_message (PvTwilioClient  *client,
               const char      *sid,
               GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pv_twilio_client_fetch_message_async (client, sid, NULL, pv_test_store_result_cb, &result);
  return pv_twilio_client_fetch_message_finish (client, pv_test_wait_for_result (&result), error);
}

static char *
check_credentials (PvTwilioClient  *client,
                   GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pv_twilio_client_check_credentials_async (client, NULL, pv_test_store_result_cb, &result);
  return pv_twilio_client_check_credentials_finish (client, pv_test_wait_for_result (&result),
                                                    error);
}

/* Assertions shared by the error cases */

static void
assert_error_is_safe (const GError *error,
                      const char   *secret)
{
  g_assert_nonnull (error);
  g_assert_nonnull (error->message);
  g_assert_cmpstr (error->message, !=, "");
  g_assert_null (strstr (error->message, secret));
  g_assert_null (strstr (error->message, CODE));
}

static void
assert_twilio_code_mentioned (const GError *error,
                              int           twilio_code)
{
  g_autofree char *mention = g_strdup_printf ("(Twilio error %d)", twilio_code);

  g_assert_nonnull (strstr (error->message, mention));
}

/* A definite refusal: the caller may undo the send. */
static void
assert_refused (const GError  *error,
                PvTwilioError  code)
{
  g_assert_error (error, PV_TWILIO_ERROR, (int) code);
  g_assert_false (pv_twilio_error_is_outcome_unknown (error));
}

static void
assert_outcome_unknown (const GError *error)
{
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_OUTCOME_UNKNOWN);
  g_assert_true (pv_twilio_error_is_outcome_unknown (error));
  g_assert_nonnull (strstr (error->message, "may or may not have been sent"));
}

static guint
count_messages (Fixture *fixture)
{
  return pv_fake_twilio_get_messages (fixture->fake)->len;
}

static char *
expected_authorization (const char *username,
                        const char *secret)
{
  g_autofree char *pair = g_strconcat (username, ":", secret, NULL);
  g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));

  return g_strconcat ("Basic ", encoded, NULL);
}

static PvFakeTwilioRequest *
get_only_request (Fixture *fixture)
{
  GPtrArray *requests = pv_fake_twilio_get_requests (fixture->fake);

  g_assert_cmpuint (requests->len, ==, 1);
  return g_ptr_array_index (requests, 0);
}

static PvTwilioCredentials *
new_fake_credentials (Fixture    *fixture,
                      const char *secret,
                      gboolean    with_service)
{
  return pv_twilio_credentials_new (pv_fake_twilio_get_account_sid (fixture->fake),
                                    NULL,
                                    secret,
                                    pv_fake_twilio_get_phone_number (fixture->fake),
                                    with_service
                                      ? pv_fake_twilio_get_messaging_service_sid (fixture->fake)
                                      : NULL);
}

static const char *
token (Fixture *fixture)
{
  return pv_fake_twilio_get_auth_token (fixture->fake);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;
  g_autoptr(GError) error = NULL;

  fixture->fake = pv_fake_twilio_new ();
  pv_fake_twilio_listen (fixture->fake, 0, &error);
  g_assert_no_error (error);

  fixture->base_url = pv_fake_twilio_dup_base_url (fixture->fake);
  fixture->client = pv_twilio_client_new (fixture->base_url);

  credentials = new_fake_credentials (fixture, token (fixture), FALSE);
  pv_twilio_client_set_credentials (fixture->client, credentials);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->fake);
  g_clear_pointer (&fixture->base_url, g_free);
  pv_test_drain_main_context ();
}

/* Client setup */

static void
test_base_url (void)
{
  g_autoptr(PvTwilioClient) explicit_client = NULL;
  g_autoptr(PvTwilioClient) environment_client = NULL;
  g_autoptr(PvTwilioClient) default_client = NULL;
  g_autofree char *saved = g_strdup (g_getenv ("PHONE_VERIFY_TWILIO_API_URL"));

  explicit_client = pv_twilio_client_new ("http://127.0.0.1:8080/twilio//");
  g_assert_cmpstr (pv_twilio_client_get_base_url (explicit_client), ==,
                   "http://127.0.0.1:8080/twilio");

  g_setenv ("PHONE_VERIFY_TWILIO_API_URL", "http://localhost:4010/", TRUE);
  environment_client = pv_twilio_client_new (NULL);
  g_assert_cmpstr (pv_twilio_client_get_base_url (environment_client), ==,
                   "http://localhost:4010");

  g_setenv ("PHONE_VERIFY_TWILIO_API_URL", "", TRUE);
  default_client = pv_twilio_client_new (NULL);
  g_assert_cmpstr (pv_twilio_client_get_base_url (default_client), ==, "https://api.twilio.com");
  g_assert_cmpstr (PV_TWILIO_DEFAULT_API_URL, ==, "https://api.twilio.com");

  if (saved != NULL)
    g_setenv ("PHONE_VERIFY_TWILIO_API_URL", saved, TRUE);
  else
    g_unsetenv ("PHONE_VERIFY_TWILIO_API_URL");
}

static void
test_timeout_property (void)
{
  g_autoptr(PvTwilioClient) client = pv_twilio_client_new ("http://127.0.0.1:9");
  guint timeout = 0;

  g_object_get (client, "timeout", &timeout, NULL);
  g_assert_cmpuint (timeout, ==, 20);

  pv_twilio_client_set_timeout (client, 3);
  g_object_get (client, "timeout", &timeout, NULL);
  g_assert_cmpuint (timeout, ==, 3);
}

/* Sends through a client at @base_url with throwaway credentials; such a client must fail
 * before any request, and say nothing of the token. */
static GError *
send_to_unusable_base_url (const char *base_url)
{
  g_autoptr(PvTwilioClient) client = pv_twilio_client_new (base_url);
  g_autoptr(PvTwilioCredentials) credentials = NULL;
  g_autoptr(PvTwilioMessage) message = NULL;
  GError *error = NULL;

  credentials = pv_twilio_credentials_new ("AC0123456789abcdef0123456789abcdef", NULL, "token",
                                           "+15005550006", NULL);
  pv_twilio_client_set_credentials (client, credentials);

  message = send_message (client, CUSTOMER, NULL, &error);

  g_assert_null (message);
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_NETWORK);
  assert_error_is_safe (error, "token");

  return error;
}

static void
test_unusable_base_url (void)
{
  g_autoptr(GError) error = send_to_unusable_base_url ("ftp://example.com");
}

/* Every request carries the token, so plain HTTP is refused unless the server is on this
 * machine (the sandbox). The host name here is not a loopback literal, so the client must
 * refuse it before looking it up. */
static void
test_plain_http_only_to_loopback (void)
{
  g_autoptr(GError) error = send_to_unusable_base_url ("http://localhost.localdomain:9");

  g_assert_nonnull (strstr (error->message, "localhost.localdomain"));
}

/* Sending */

static void
test_send_success (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *authorization = NULL;
  PvFakeTwilioRequest *request;

  message = send_message (fixture->client, CUSTOMER, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_assert_true (pv_twilio_sid_is_valid (message->sid, "SM"));
  g_assert_cmpstr (message->status, ==, "queued");
  g_assert_cmpint (message->error_code, ==, 0);
  g_assert_null (message->error_message);
  g_assert_false (pv_twilio_message_is_final (message));

  request = get_only_request (fixture);
  path = g_strdup_printf ("/2010-04-01/Accounts/%s/Messages.json",
                          pv_fake_twilio_get_account_sid (fixture->fake));
  authorization = expected_authorization (pv_fake_twilio_get_account_sid (fixture->fake),
                                          token (fixture));
  g_assert_cmpstr (request->method, ==, "POST");
  g_assert_cmpstr (request->path, ==, path);
  g_assert_cmpstr (request->authorization, ==, authorization);
  g_assert_cmpuint (request->status, ==, 201);
  g_assert_nonnull (request->form);
  g_assert_cmpuint (g_hash_table_size (request->form), ==, 3);
  g_assert_cmpstr (g_hash_table_lookup (request->form, "To"), ==, CUSTOMER);
  g_assert_cmpstr (g_hash_table_lookup (request->form, "Body"), ==, BODY);
  g_assert_cmpstr (g_hash_table_lookup (request->form, "From"), ==,
                   pv_fake_twilio_get_phone_number (fixture->fake));

  g_assert_cmpstr (pv_fake_twilio_get_last_message_to (fixture->fake, CUSTOMER)->sid, ==,
                   message->sid);
  g_assert_cmpstr (pv_fake_twilio_get_last_message_to (fixture->fake, CUSTOMER)->body, ==, BODY);
}

static void
test_send_prefers_messaging_service (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  const PvFakeTwilioMessage *sent;
  PvFakeTwilioRequest *request;

  /* Both a From and a service: the service wins. */
  credentials = new_fake_credentials (fixture, token (fixture), TRUE);
  g_assert_nonnull (credentials->from);
  pv_twilio_client_set_credentials (fixture->client, credentials);

  message = send_message (fixture->client, CUSTOMER, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);

  request = get_only_request (fixture);
  g_assert_cmpuint (g_hash_table_size (request->form), ==, 3);
  g_assert_cmpstr (g_hash_table_lookup (request->form, "To"), ==, CUSTOMER);
  g_assert_cmpstr (g_hash_table_lookup (request->form, "Body"), ==, BODY);
  g_assert_cmpstr (g_hash_table_lookup (request->form, "MessagingServiceSid"), ==,
                   pv_fake_twilio_get_messaging_service_sid (fixture->fake));
  g_assert_false (g_hash_table_contains (request->form, "From"));

  sent = pv_fake_twilio_get_last_message_to (fixture->fake, CUSTOMER);
  g_assert_nonnull (sent);
  g_assert_null (sent->from);
  g_assert_cmpstr (sent->messaging_service_sid, ==,
                   pv_fake_twilio_get_messaging_service_sid (fixture->fake));
}

static void
test_send_with_api_key (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *authorization = NULL;
  PvFakeTwilioRequest *request;

  pv_fake_twilio_add_api_key (fixture->fake, KEY_SID, KEY_SECRET);
  credentials = pv_twilio_credentials_new (pv_fake_twilio_get_account_sid (fixture->fake),
                                           KEY_SID,
                                           KEY_SECRET,
                                           pv_fake_twilio_get_phone_number (fixture->fake),
                                           NULL);
  pv_twilio_client_set_credentials (fixture->client, credentials);

  message = send_message (fixture->client, CUSTOMER, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);

  /* The key logs in; the account still appears in the path. */
  request = get_only_request (fixture);
  authorization = expected_authorization (KEY_SID, KEY_SECRET);
  g_assert_cmpstr (request->authorization, ==, authorization);
  g_assert_nonnull (strstr (request->path, pv_fake_twilio_get_account_sid (fixture->fake)));
}

static void
test_send_wrong_token (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  credentials = new_fake_credentials (fixture, WRONG_TOKEN, FALSE);
  pv_twilio_client_set_credentials (fixture->client, credentials);

  message = send_message (fixture->client, CUSTOMER, NULL, &error);

  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_AUTH_FAILED);
  g_assert_null (message);
  assert_twilio_code_mentioned (error, 20003);
  assert_error_is_safe (error, WRONG_TOKEN);
  assert_error_is_safe (error, token (fixture));
  g_assert_cmpuint (get_only_request (fixture)->status, ==, 401);
  g_assert_cmpuint (pv_fake_twilio_get_messages (fixture->fake)->len, ==, 0);

  /* The failed login leaves nothing behind that spoils the next request. */
  g_clear_pointer (&credentials, pv_twilio_credentials_free);
  credentials = new_fake_credentials (fixture, token (fixture), FALSE);
  pv_twilio_client_set_credentials (fixture->client, credentials);
  g_clear_error (&error);

  message = send_message (fixture->client, CUSTOMER, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
}

static void
test_send_magic_numbers (Fixture       *fixture,
                         gconstpointer  user_data)
{
  static const struct
  {
    const char   *from;
    const char   *to;
    int           twilio_code;
    PvTwilioError error;
  } cases[] = {
    { NULL, "+15005550001", 21211, PV_TWILIO_ERROR_INVALID_NUMBER },
    { NULL, "+15005550002", 21612, PV_TWILIO_ERROR_INVALID_NUMBER },
    { NULL, "+15005550003", 21408, PV_TWILIO_ERROR_REGION_DISABLED },
    { NULL, "+15005550004", 21610, PV_TWILIO_ERROR_OPTED_OUT },
    { NULL, "+15005550009", 21614, PV_TWILIO_ERROR_INVALID_NUMBER },
    { "+15005550001", CUSTOMER, 21212, PV_TWILIO_ERROR_INVALID_SENDER },
    { "+15005550007", CUSTOMER, 21606, PV_TWILIO_ERROR_INVALID_SENDER },
    { "+15005550008", CUSTOMER, 21611, PV_TWILIO_ERROR_RATE_LIMITED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PvTwilioCredentials) credentials = NULL;
      g_autoptr(PvTwilioMessage) message = NULL;
      g_autoptr(GError) error = NULL;
      const char *from = cases[i].from;

      g_test_message ("From %s To %s", from, cases[i].to);
      if (from == NULL)
        from = pv_fake_twilio_get_phone_number (fixture->fake);

      credentials = pv_twilio_credentials_new (pv_fake_twilio_get_account_sid (fixture->fake),
                                               NULL, token (fixture), from, NULL);
      pv_twilio_client_set_credentials (fixture->client, credentials);

      message = send_message (fixture->client, cases[i].to, NULL, &error);

      assert_refused (error, cases[i].error);
      g_assert_null (message);
      assert_twilio_code_mentioned (error, cases[i].twilio_code);
      assert_error_is_safe (error, token (fixture));
    }

  g_assert_cmpuint (pv_fake_twilio_get_messages (fixture->fake)->len, ==, 0);
}

static void
test_send_trial_account (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  pv_fake_twilio_set_trial_account (fixture->fake, TRUE);

  message = send_message (fixture->client, CUSTOMER, NULL, &error);

  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_UNVERIFIED_TRIAL_NUMBER);
  g_assert_null (message);
  assert_twilio_code_mentioned (error, 21608);
  assert_error_is_safe (error, token (fixture));
  g_clear_error (&error);

  pv_fake_twilio_add_verified_recipient (fixture->fake, CUSTOMER);
  message = send_message (fixture->client, CUSTOMER, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
}

static void
test_send_create_errors (Fixture       *fixture,
                         gconstpointer  user_data)
{
  static const struct
  {
    int           twilio_code;
    PvTwilioError error;
  } cases[] = {
    { 21635, PV_TWILIO_ERROR_INVALID_NUMBER },
    { 21608, PV_TWILIO_ERROR_UNVERIFIED_TRIAL_NUMBER },
    { 21603, PV_TWILIO_ERROR_INVALID_SENDER },
    /* Not one PhoneVerify knows: refused, with the code for support. */
    { 21617, PV_TWILIO_ERROR_REJECTED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PvTwilioMessage) message = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("Twilio error %d", cases[i].twilio_code);
      pv_fake_twilio_set_create_error (fixture->fake, CUSTOMER, cases[i].twilio_code);

      message = send_message (fixture->client, CUSTOMER, NULL, &error);

      assert_refused (error, cases[i].error);
      g_assert_null (message);
      assert_twilio_code_mentioned (error, cases[i].twilio_code);
      assert_error_is_safe (error, token (fixture));
    }

  g_assert_cmpuint (count_messages (fixture), ==, 0);
}

/* Whether the fake processed the request does not change what the client can know: a 5xx
 * or an unreadable 2xx leaves the outcome open either way. The message counts show that
 * each case does stand for what it claims. */
static void
test_send_http_faults (Fixture       *fixture,
                       gconstpointer  user_data)
{
  static const struct
  {
    PvFakeTwilioFault fault;
    PvTwilioError     error;
    int               twilio_code;
    guint             messages;
  } cases[] = {
    /* Twilio did not process it: a definite refusal, safe to undo. */
    { PV_FAKE_TWILIO_FAULT_HTTP_429, PV_TWILIO_ERROR_RATE_LIMITED, 20429, 0 },
    /* Answered before the API got to it, but a 5xx cannot say so. */
    { PV_FAKE_TWILIO_FAULT_HTTP_500, PV_TWILIO_ERROR_OUTCOME_UNKNOWN, 20500, 0 },
    { PV_FAKE_TWILIO_FAULT_HTTP_503, PV_TWILIO_ERROR_OUTCOME_UNKNOWN, 20503, 0 },
    /* A 2xx that is not Twilio's, from a proxy: the client cannot tell it from one that is. */
    { PV_FAKE_TWILIO_FAULT_NOT_JSON, PV_TWILIO_ERROR_OUTCOME_UNKNOWN, 0, 0 },
    /* Processed, the SMS accepted, and then the answer lost. */
    { PV_FAKE_TWILIO_FAULT_HTTP_500_AFTER_PROCESSING, PV_TWILIO_ERROR_OUTCOME_UNKNOWN, 20500, 1 },
    { PV_FAKE_TWILIO_FAULT_DROP_AFTER_PROCESSING, PV_TWILIO_ERROR_OUTCOME_UNKNOWN, 0, 1 },
    { PV_FAKE_TWILIO_FAULT_TRUNCATED, PV_TWILIO_ERROR_OUTCOME_UNKNOWN, 0, 1 },
    { PV_FAKE_TWILIO_FAULT_OVERSIZED, PV_TWILIO_ERROR_OUTCOME_UNKNOWN, 0, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PvTwilioMessage) message = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("Fault %d", cases[i].fault);
      pv_fake_twilio_clear (fixture->fake);
      pv_fake_twilio_set_fault (fixture->fake, cases[i].fault);

      message = send_message (fixture->client, CUSTOMER, NULL, &error);

      g_assert_null (message);
      if (cases[i].error == PV_TWILIO_ERROR_OUTCOME_UNKNOWN)
        assert_outcome_unknown (error);
      else
        assert_refused (error, cases[i].error);
      if (cases[i].twilio_code != 0)
        assert_twilio_code_mentioned (error, cases[i].twilio_code);
      else
        g_assert_null (strstr (error->message, "("));
      assert_error_is_safe (error, token (fixture));
      g_assert_cmpuint (count_messages (fixture), ==, cases[i].messages);
    }
}

/* A fault of the fake, and the error the client should make of it. */
typedef struct
{
  PvFakeTwilioFault fault;
  PvTwilioError     error;
} FaultCase;

/* Fetching changes nothing at Twilio, so it keeps the plain classification. */
static void
test_fetch_faults (Fixture       *fixture,
                   gconstpointer  user_data)
{
  static const FaultCase cases[] = {
    { PV_FAKE_TWILIO_FAULT_HTTP_429, PV_TWILIO_ERROR_RATE_LIMITED },
    { PV_FAKE_TWILIO_FAULT_HTTP_500, PV_TWILIO_ERROR_UNAVAILABLE },
    { PV_FAKE_TWILIO_FAULT_HTTP_503, PV_TWILIO_ERROR_UNAVAILABLE },
    { PV_FAKE_TWILIO_FAULT_HTTP_500_AFTER_PROCESSING, PV_TWILIO_ERROR_UNAVAILABLE },
    { PV_FAKE_TWILIO_FAULT_DROP_AFTER_PROCESSING, PV_TWILIO_ERROR_NETWORK },
    { PV_FAKE_TWILIO_FAULT_TRUNCATED, PV_TWILIO_ERROR_MALFORMED_REPLY },
    { PV_FAKE_TWILIO_FAULT_NOT_JSON, PV_TWILIO_ERROR_MALFORMED_REPLY },
    { PV_FAKE_TWILIO_FAULT_OVERSIZED, PV_TWILIO_ERROR_MALFORMED_REPLY },
  };
  g_autoptr(PvTwilioMessage) sent = NULL;
  g_autoptr(GError) error = NULL;

  sent = send_message (fixture->client, CUSTOMER, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PvTwilioMessage) message = NULL;
      g_autofree char *name = NULL;

      g_test_message ("Fault %d", cases[i].fault);
      pv_fake_twilio_set_fault (fixture->fake, cases[i].fault);

      message = fetch_message (fixture->client, sent->sid, &error);

      g_assert_error (error, PV_TWILIO_ERROR, (int) cases[i].error);
      g_assert_null (message);
      assert_error_is_safe (error, token (fixture));
      g_clear_error (&error);

      name = check_credentials (fixture->client, &error);

      g_assert_error (error, PV_TWILIO_ERROR, (int) cases[i].error);
      g_assert_null (name);
      g_clear_error (&error);
    }
}

/* A create fault leaves the delivery polls alone. */
static void
test_send_create_fault (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(PvTwilioMessage) first = NULL;
  g_autoptr(PvTwilioMessage) second = NULL;
  g_autoptr(PvTwilioMessage) fetched = NULL;
  g_autoptr(GError) error = NULL;
  const PvFakeTwilioMessage *accepted;

  pv_fake_twilio_set_create_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_DROP_AFTER_PROCESSING, 1);

  first = send_message (fixture->client, CUSTOMER, NULL, &error);
  assert_outcome_unknown (error);
  g_assert_null (first);
  g_assert_cmpuint (count_messages (fixture), ==, 1);
  g_clear_error (&error);

  /* The accepted message is real: delivery can be polled as usual. */
  accepted = pv_fake_twilio_get_last_message_to (fixture->fake, CUSTOMER);
  fetched = fetch_message (fixture->client, accepted->sid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fetched->sid, ==, accepted->sid);

  second = send_message (fixture->client, CUSTOMER, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (second);
  g_assert_cmpuint (count_messages (fixture), ==, 2);
}

static char *
dup_unused_url (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  /* Bound but never listening, then closed: nothing answers on that port. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, &error);
  g_assert_no_error (error);

  return g_strdup_printf ("http://127.0.0.1:%u", port);
}

static void
test_connection_refused (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autofree char *url = dup_unused_url ();
  g_autoptr(PvTwilioClient) client = pv_twilio_client_new (url);
  g_autoptr(PvTwilioCredentials) credentials = NULL;
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  credentials = new_fake_credentials (fixture, token (fixture), FALSE);
  pv_twilio_client_set_credentials (client, credentials);

  /* Nothing listens, so nothing can have been sent. */
  message = send_message (client, CUSTOMER, NULL, &error);

  assert_refused (error, PV_TWILIO_ERROR_NETWORK);
  g_assert_null (message);
  assert_error_is_safe (error, token (fixture));
  g_clear_error (&error);

  name = check_credentials (client, &error);

  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_NETWORK);
  g_assert_null (name);
}

/* The fake accepts the SMS at once and holds the answer past the client's timeout. */
static void
test_timeout (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started;
  gint64 elapsed;

  pv_fake_twilio_set_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_SLOW);
  pv_fake_twilio_set_slow_delay (fixture->fake, 4000);
  pv_twilio_client_set_timeout (fixture->client, 1);

  started = g_get_monotonic_time ();
  message = send_message (fixture->client, CUSTOMER, NULL, &error);
  elapsed = g_get_monotonic_time () - started;

  assert_outcome_unknown (error);
  g_assert_nonnull (strstr (error->message, "did not answer in time"));
  g_assert_null (message);
  assert_error_is_safe (error, token (fixture));
  g_assert_cmpint (elapsed, >=, 900 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (elapsed, <, 3500 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint (count_messages (fixture), ==, 1);
}

static void
test_fetch_timeout (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(PvTwilioMessage) sent = NULL;
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  /* Before any connection exists: libsoup only applies the timeout to new ones. */
  pv_twilio_client_set_timeout (fixture->client, 1);

  sent = send_message (fixture->client, CUSTOMER, NULL, &error);
  g_assert_no_error (error);

  pv_fake_twilio_set_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_SLOW);
  pv_fake_twilio_set_slow_delay (fixture->fake, 4000);

  message = fetch_message (fixture->client, sent->sid, &error);

  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "did not answer in time"));
  g_assert_null (message);
}

static void
test_slow_but_within_timeout (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  pv_fake_twilio_set_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_SLOW);
  pv_fake_twilio_set_slow_delay (fixture->fake, 300);
  pv_twilio_client_set_timeout (fixture->client, 2);

  message = send_message (fixture->client, CUSTOMER, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
}

/* Fetching */

static void
test_fetch_progresses_to_delivered (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  g_autoptr(PvTwilioMessage) sent = NULL;
  g_autoptr(GPtrArray) statuses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  PvFakeTwilioRequest *request;
  GPtrArray *requests;

  pv_fake_twilio_set_delivery_step (fixture->fake, 50);

  sent = send_message (fixture->client, CUSTOMER, NULL, &error);
  g_assert_no_error (error);

  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_autoptr(PvTwilioMessage) message = fetch_message (fixture->client, sent->sid, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (message->sid, ==, sent->sid);

      if (statuses->len == 0 ||
          g_strcmp0 (g_ptr_array_index (statuses, statuses->len - 1), message->status) != 0)
        g_ptr_array_add (statuses, g_strdup (message->status));

      if (pv_twilio_message_is_final (message))
        {
          g_assert_cmpint (message->error_code, ==, 0);
          g_assert_null (message->error_message);
          break;
        }

      pv_test_spin_main_context (20);
    }

  g_assert_cmpuint (statuses->len, >=, 2);
  g_assert_cmpstr (g_ptr_array_index (statuses, statuses->len - 1), ==, "delivered");

  requests = pv_fake_twilio_get_requests (fixture->fake);
  request = g_ptr_array_index (requests, requests->len - 1);
  path = g_strdup_printf ("/2010-04-01/Accounts/%s/Messages/%s.json",
                          pv_fake_twilio_get_account_sid (fixture->fake), sent->sid);
  g_assert_cmpstr (request->method, ==, "GET");
  g_assert_cmpstr (request->path, ==, path);
  g_assert_cmpuint (request->status, ==, 200);
  g_assert_null (request->form);
}

static void
test_fetch_undelivered (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(PvTwilioMessage) sent = NULL;
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  pv_fake_twilio_set_delivery_step (fixture->fake, 20);
  pv_fake_twilio_set_delivery_outcome (fixture->fake, CUSTOMER, "undelivered", 30003);

  sent = send_message (fixture->client, CUSTOMER, NULL, &error);
  g_assert_no_error (error);

  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_clear_pointer (&message, pv_twilio_message_free);
      message = fetch_message (fixture->client, sent->sid, &error);
      g_assert_no_error (error);

      if (pv_twilio_message_is_final (message))
        break;

      pv_test_spin_main_context (20);
    }

  g_assert_cmpstr (message->status, ==, "undelivered");
  g_assert_cmpint (message->error_code, ==, 30003);
  g_assert_true (pv_twilio_message_is_final (message));
  g_assert_cmpstr (pv_twilio_error_describe_delivery (message->error_code), !=,
                   pv_twilio_error_describe_delivery (0));
}

static void
test_fetch_unknown_message (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  message = fetch_message (fixture->client, MESSAGE_SID, &error);

  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_NOT_FOUND);
  g_assert_null (message);
  g_assert_cmpuint (get_only_request (fixture)->status, ==, 404);
}

static void
test_fetch_invalid_sid (Fixture       *fixture,
                        gconstpointer  user_data)
{
  static const char * const sids[] = {
    "",
    "SM123",
    "AC0123456789abcdef0123456789abcdef",
    "SM0123456789abcdef0123456789abcdeg",
    "SM0123456789abcdef0123456789abcdef/../../x",
    "../Messages.json?PageSize=1000",
    NULL,
  };

  for (guint i = 0; i < G_N_ELEMENTS (sids); i++)
    {
      g_autoptr(PvTwilioMessage) message = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("SID “%s”", sids[i]);
      message = fetch_message (fixture->client, sids[i], &error);

      g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_NOT_FOUND);
      g_assert_null (message);
    }

  g_assert_cmpuint (pv_fake_twilio_get_requests (fixture->fake)->len, ==, 0);
}

/* Checking the account */

static void
test_check_credentials (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  PvFakeTwilioRequest *request;

  name = check_credentials (fixture->client, &error);

  g_assert_no_error (error);
  g_assert_nonnull (name);
  g_assert_cmpstr (name, !=, "");

  request = get_only_request (fixture);
  path = g_strdup_printf ("/2010-04-01/Accounts/%s.json",
                          pv_fake_twilio_get_account_sid (fixture->fake));
  g_assert_cmpstr (request->method, ==, "GET");
  g_assert_cmpstr (request->path, ==, path);
}

static void
test_check_credentials_without_sender (Fixture       *fixture,
                                       gconstpointer  user_data)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  /* Preferences can test the login before a sender is chosen; sending still needs one. */
  credentials = pv_twilio_credentials_new (pv_fake_twilio_get_account_sid (fixture->fake),
                                           NULL, token (fixture), NULL, NULL);
  pv_twilio_client_set_credentials (fixture->client, credentials);
  g_assert_false (pv_twilio_client_has_credentials (fixture->client));

  name = check_credentials (fixture->client, &error);
  g_assert_no_error (error);
  g_assert_nonnull (name);

  message = send_message (fixture->client, CUSTOMER, NULL, &error);
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_AUTH_FAILED);
  g_assert_cmpuint (pv_fake_twilio_get_requests (fixture->fake)->len, ==, 1);
}

static void
test_check_credentials_wrong_token (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  credentials = new_fake_credentials (fixture, WRONG_TOKEN, FALSE);
  pv_twilio_client_set_credentials (fixture->client, credentials);

  name = check_credentials (fixture->client, &error);

  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_AUTH_FAILED);
  g_assert_null (name);
  assert_error_is_safe (error, WRONG_TOKEN);
}

/* Cancellation and missing credentials */

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
cancel_when_accepted_cb (PvFakeTwilio              *fake,
                         const PvFakeTwilioMessage *message,
                         gpointer                   user_data)
{
  g_idle_add (cancel_cb, user_data);
}

/* Cancelled while the fake holds the answer to an SMS it accepted. */
static void
test_cancel_after_sending (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started;

  pv_fake_twilio_set_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_SLOW);
  pv_fake_twilio_set_slow_delay (fixture->fake, 5000);
  g_signal_connect (fixture->fake, "message-received",
                    G_CALLBACK (cancel_when_accepted_cb), cancellable);

  started = g_get_monotonic_time ();
  message = send_message (fixture->client, CUSTOMER, cancellable, &error);

  assert_outcome_unknown (error);
  g_assert_null (message);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 2 * G_TIME_SPAN_SECOND);
  g_assert_cmpuint (count_messages (fixture), ==, 1);
}

static void
test_cancel_before_start (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);

  message = send_message (fixture->client, CUSTOMER, cancellable, &error);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (message);
  g_assert_cmpuint (pv_fake_twilio_get_requests (fixture->fake)->len, ==, 0);
}

/* Started, then cancelled before the main loop ever ran: the request never left. */
static void
test_cancel_before_sending (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  pv_twilio_client_send_message_async (fixture->client, CUSTOMER, BODY, cancellable,
                                       pv_test_store_result_cb, &result);
  g_cancellable_cancel (cancellable);
  message = pv_twilio_client_send_message_finish (fixture->client,
                                                  pv_test_wait_for_result (&result), &error);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (message);

  /* Long enough for a request that did leave to arrive. */
  pv_test_spin_main_context (200);
  g_assert_cmpuint (pv_fake_twilio_get_requests (fixture->fake)->len, ==, 0);
}

/* A GET leaves nothing behind at Twilio, so cancelling it is plain cancelling. */
static void
test_cancel_fetch (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PvTwilioMessage) sent = NULL;
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  sent = send_message (fixture->client, CUSTOMER, NULL, &error);
  g_assert_no_error (error);

  pv_fake_twilio_set_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_SLOW);
  pv_fake_twilio_set_slow_delay (fixture->fake, 5000);
  g_timeout_add (100, cancel_cb, cancellable);

  pv_twilio_client_fetch_message_async (fixture->client, sent->sid, cancellable,
                                        pv_test_store_result_cb, &result);
  message = pv_twilio_client_fetch_message_finish (fixture->client,
                                                   pv_test_wait_for_result (&result), &error);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (message);
}

static void
test_no_credentials (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(PvTwilioMessage) sent = NULL;
  g_autoptr(PvTwilioMessage) fetched = NULL;
  g_autoptr(GError) send_error = NULL;
  g_autoptr(GError) fetch_error = NULL;
  g_autoptr(GError) check_error = NULL;
  g_autofree char *name = NULL;

  pv_twilio_client_set_credentials (fixture->client, NULL);
  g_assert_false (pv_twilio_client_has_credentials (fixture->client));

  sent = send_message (fixture->client, CUSTOMER, NULL, &send_error);
  fetched = fetch_message (fixture->client, MESSAGE_SID, &fetch_error);
  name = check_credentials (fixture->client, &check_error);

  g_assert_error (send_error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_AUTH_FAILED);
  g_assert_error (fetch_error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_AUTH_FAILED);
  g_assert_error (check_error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (send_error->message, "No Twilio account is set up"));
  g_assert_null (sent);
  g_assert_null (fetched);
  g_assert_null (name);
  g_assert_cmpuint (pv_fake_twilio_get_requests (fixture->fake)->len, ==, 0);
}

/* A scripted HTTP server for replies the fake does not produce. Every connection gets the
 * same bytes: the reply, then optionally megabytes of spaces and a trailer, after which the
 * server can linger until the client hangs up. */

typedef struct
{
  const char *reply;
  guint       filler_mib;
  const char *trailer;
  gboolean    linger;
} RawScript;

typedef struct
{
  GSocketService *service;
  char           *base_url;
  RawScript       script;
  GMutex          mutex;
  GCond           cond;
  guint           connections;
  guint           active;
  guint64         bytes_sent;
} RawServer;

#define FILLER_CHUNK_SIZE (64 * 1024)

static void
read_request (GSocketConnection *connection)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  g_autoptr(GDataInputStream) data = g_data_input_stream_new (input);
  gsize content_length = 0;

  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (data), FALSE);

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (data, NULL, NULL, NULL);

      if (line == NULL || g_strstrip (line)[0] == '\0')
        break;

      if (g_ascii_strncasecmp (line, "Content-Length:", strlen ("Content-Length:")) == 0)
        content_length = g_ascii_strtoull (line + strlen ("Content-Length:"), NULL, 10);
    }

  if (content_length > 0)
    g_input_stream_skip (G_INPUT_STREAM (data), content_length, NULL, NULL);
}

static guint64
write_script (GSocketConnection *connection,
              const RawScript   *script)
{
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autofree char *filler = g_strnfill (FILLER_CHUNK_SIZE, ' ');
  guint64 sent = 0;

  if (!g_output_stream_write_all (output, script->reply, strlen (script->reply), NULL, NULL, NULL))
    return sent;
  sent += strlen (script->reply);

  for (guint i = 0; i < script->filler_mib * (1024 * 1024 / FILLER_CHUNK_SIZE); i++)
    {
      if (!g_output_stream_write_all (output, filler, FILLER_CHUNK_SIZE, NULL, NULL, NULL))
        return sent;
      sent += FILLER_CHUNK_SIZE;
    }

  if (script->trailer != NULL &&
      g_output_stream_write_all (output, script->trailer, strlen (script->trailer),
                                 NULL, NULL, NULL))
    sent += strlen (script->trailer);

  return sent;
}

static void
wait_for_hang_up (GSocketConnection *connection)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  char buffer[256];

  while (g_input_stream_read (input, buffer, sizeof buffer, NULL, NULL) > 0)
    ;
}

static gboolean
raw_server_run_cb (GThreadedSocketService *service,
                   GSocketConnection      *connection,
                   GObject                *source_object,
                   gpointer                user_data)
{
  RawServer *server = user_data;
  guint64 sent;

  g_mutex_lock (&server->mutex);
  server->connections++;
  server->active++;
  g_mutex_unlock (&server->mutex);

  /* Never block for long on a client that stopped reading or went quiet. */
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 10);

  read_request (connection);
  sent = write_script (connection, &server->script);
  if (server->script.linger)
    wait_for_hang_up (connection);

  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  g_mutex_lock (&server->mutex);
  server->bytes_sent += sent;
  server->active--;
  g_cond_signal (&server->cond);
  g_mutex_unlock (&server->mutex);

  return TRUE;
}

static RawServer *
raw_server_new (const RawScript *script)
{
  RawServer *server = g_new0 (RawServer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  g_mutex_init (&server->mutex);
  g_cond_init (&server->cond);
  server->script = *script;
  server->service = g_threaded_socket_service_new (2);
  g_signal_connect (server->service, "run", G_CALLBACK (raw_server_run_cb), server);

  g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);

  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  server->base_url = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_socket_service_start (server->service);

  return server;
}

/* Waits until every connection has been served, so the counters are final. */
static void
raw_server_stop (RawServer *server)
{
  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));

  g_mutex_lock (&server->mutex);
  while (server->active > 0)
    g_cond_wait (&server->cond, &server->mutex);
  g_mutex_unlock (&server->mutex);
}

static void
raw_server_free (RawServer *server)
{
  raw_server_stop (server);

  g_clear_object (&server->service);
  g_free (server->base_url);
  g_mutex_clear (&server->mutex);
  g_cond_clear (&server->cond);
  g_free (server);
}

static PvTwilioClient *
new_client_for_url (const char *base_url,
                    guint       timeout)
{
  PvTwilioClient *client = pv_twilio_client_new (base_url);
  g_autoptr(PvTwilioCredentials) credentials = NULL;

  credentials = pv_twilio_credentials_new ("AC0123456789abcdef0123456789abcdef", NULL, "token",
                                           "+15005550006", NULL);
  pv_twilio_client_set_credentials (client, credentials);
  pv_twilio_client_set_timeout (client, timeout);

  return client;
}

static PvTwilioClient *
new_raw_server_client (RawServer *server,
                       guint      timeout)
{
  return new_client_for_url (server->base_url, timeout);
}

/* Dropping the client closes its connections, which ends a lingering server. */
static void
drop_raw_server_client (PvTwilioClient **client)
{
  g_clear_object (client);
  pv_test_drain_main_context ();
}

/* Each of these uses a client of its own, so that no connection is shared. */

static GError *
send_to_raw_server (RawServer *server,
                    guint      timeout,
                    gint64    *elapsed)
{
  g_autoptr(PvTwilioClient) client = new_raw_server_client (server, timeout);
  g_autoptr(PvTwilioMessage) message = NULL;
  GError *error = NULL;
  gint64 started;

  started = g_get_monotonic_time ();
  message = send_message (client, CUSTOMER, NULL, &error);
  if (elapsed != NULL)
    *elapsed = g_get_monotonic_time () - started;
  g_assert_null (message);

  drop_raw_server_client (&client);

  return error;
}

static GError *
fetch_from_raw_server (RawServer *server,
                       guint      timeout,
                       gint64    *elapsed)
{
  g_autoptr(PvTwilioClient) client = new_raw_server_client (server, timeout);
  g_autoptr(PvTwilioMessage) message = NULL;
  GError *error = NULL;
  gint64 started;

  started = g_get_monotonic_time ();
  message = fetch_message (client, MESSAGE_SID, &error);
  if (elapsed != NULL)
    *elapsed = g_get_monotonic_time () - started;
  g_assert_null (message);

  drop_raw_server_client (&client);

  return error;
}

#define MESSAGE_JSON \
  "{\"sid\": \"SM0123456789abcdef0123456789abcdef\", \"status\": \"queued\"}"

static void
test_reply_premature_close (void)
{
  RawScript script = {
    .reply = "HTTP/1.1 201 Created\r\n"
             "Content-Type: application/json\r\n"
             "Content-Length: 400\r\n"
             "\r\n"
             MESSAGE_JSON,
  };
  RawServer *server = raw_server_new (&script);
  g_autoptr(GError) send_error = send_to_raw_server (server, 5, NULL);
  g_autoptr(GError) fetch_error = fetch_from_raw_server (server, 5, NULL);

  /* Headers arrived, so Twilio did get the request: not a network failure that would
   * invite a blind retry. */
  assert_outcome_unknown (send_error);
  g_assert_error (fetch_error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_MALFORMED_REPLY);
  raw_server_free (server);
}

static void
test_reply_announced_too_large (void)
{
  RawScript script = {
    .reply = "HTTP/1.1 201 Created\r\n"
             "Content-Type: application/json\r\n"
             "Content-Length: 1073741824\r\n"
             "\r\n"
             MESSAGE_JSON,
    .linger = TRUE,
  };
  RawServer *server = raw_server_new (&script);
  gint64 send_elapsed;
  gint64 fetch_elapsed;
  g_autoptr(GError) send_error = send_to_raw_server (server, 3, &send_elapsed);
  g_autoptr(GError) fetch_error = fetch_from_raw_server (server, 3, &fetch_elapsed);

  /* Refused from the headers alone, not after waiting for the rest of the gigabyte. */
  assert_outcome_unknown (send_error);
  g_assert_cmpint (send_elapsed, <, 2 * G_TIME_SPAN_SECOND);
  g_assert_error (fetch_error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_MALFORMED_REPLY);
  g_assert_cmpint (fetch_elapsed, <, 2 * G_TIME_SPAN_SECOND);
  raw_server_free (server);
}

static void
test_reply_endless (void)
{
  RawScript script = {
    .reply = "HTTP/1.1 201 Created\r\n"
             "Content-Type: application/json\r\n"
             "Connection: close\r\n"
             "\r\n"
             "{\"sid\": \"SM0123456789abcdef0123456789abcdef\", \"status\": \"queued\", "
             "\"pad\": \"",
    .filler_mib = 64,
    .trailer = "\"}",
  };
  RawServer *server = raw_server_new (&script);
  g_autoptr(GError) send_error = send_to_raw_server (server, 5, NULL);
  g_autoptr(GError) fetch_error = fetch_from_raw_server (server, 5, NULL);

  /* Valid JSON in the end, but with no length announced only the read cap can refuse it;
   * the client hangs up long before the server is done. */
  assert_outcome_unknown (send_error);
  g_assert_error (fetch_error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_MALFORMED_REPLY);
  raw_server_stop (server);
  g_assert_cmpuint (server->bytes_sent, <, 2 * 16 * 1024 * 1024);
  raw_server_free (server);
}

static void
test_reply_html_gateway_error (void)
{
  RawScript script = {
    .reply = "HTTP/1.1 502 Bad Gateway\r\n"
             "Content-Type: text/html\r\n"
             "Content-Length: 29\r\n"
             "\r\n"
             "<html><h1>Bad Gateway</h1>   ",
  };
  RawServer *server = raw_server_new (&script);
  g_autoptr(GError) send_error = send_to_raw_server (server, 5, NULL);
  g_autoptr(GError) fetch_error = fetch_from_raw_server (server, 5, NULL);

  /* The gateway may have passed the request on before Twilio failed. */
  assert_outcome_unknown (send_error);
  g_assert_error (fetch_error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_UNAVAILABLE);
  raw_server_free (server);
}

static void
test_reply_not_http (void)
{
  RawScript script = {
    .reply = "SMTP ready, not HTTP\r\n"
             "\r\n",
  };
  RawServer *server = raw_server_new (&script);
  g_autoptr(GError) send_error = send_to_raw_server (server, 5, NULL);
  g_autoptr(GError) fetch_error = fetch_from_raw_server (server, 5, NULL);

  assert_outcome_unknown (send_error);
  g_assert_error (fetch_error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_MALFORMED_REPLY);
  raw_server_free (server);
}

/* An HTTPS client meets a server that does not speak TLS: the connection is never set up,
 * so the request cannot have gone out. */
static void
test_tls_handshake_fails (void)
{
  RawScript script = { .reply = "" };
  RawServer *server = raw_server_new (&script);
  g_autofree char *https_url = g_strconcat ("https", server->base_url + strlen ("http"), NULL);
  g_autoptr(PvTwilioClient) client = new_client_for_url (https_url, 1);
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  message = send_message (client, CUSTOMER, NULL, &error);

  assert_refused (error, PV_TWILIO_ERROR_NETWORK);
  g_assert_null (message);

  drop_raw_server_client (&client);
  raw_server_free (server);
}

/* Each way of not reaching Twilio says which one it was, since the cures differ: the
 * connection, the computer's clock or a proxy, or patience. All are worth a retry. */
static void
test_network_messages (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autofree char *unused_url = dup_unused_url ();
  RawScript script = { .reply = "" };
  RawServer *server = raw_server_new (&script);
  g_autofree char *https_url = g_strconcat ("https", server->base_url + strlen ("http"), NULL);
  g_autoptr(PvTwilioClient) refused_client = new_client_for_url (unused_url, 5);
  g_autoptr(PvTwilioClient) tls_client = new_client_for_url (https_url, 1);
  g_autoptr(PvTwilioMessage) sent = NULL;
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) refused = NULL;
  g_autoptr(GError) tls = NULL;
  g_autoptr(GError) timed_out = NULL;
  g_autoptr(GError) standard = pv_twilio_error_new (PV_TWILIO_ERROR_NETWORK);
  const GError *errors[3];

  message = fetch_message (refused_client, MESSAGE_SID, &refused);
  g_assert_null (message);
  message = fetch_message (tls_client, MESSAGE_SID, &tls);
  g_assert_null (message);
  drop_raw_server_client (&tls_client);
  raw_server_free (server);

  /* Before any connection exists: libsoup only applies the timeout to new ones. */
  pv_twilio_client_set_timeout (fixture->client, 1);
  sent = send_message (fixture->client, CUSTOMER, NULL, &timed_out);
  g_assert_no_error (timed_out);
  pv_fake_twilio_set_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_SLOW);
  pv_fake_twilio_set_slow_delay (fixture->fake, 4000);
  message = fetch_message (fixture->client, sent->sid, &timed_out);
  g_assert_null (message);

  errors[0] = refused;
  errors[1] = tls;
  errors[2] = timed_out;
  for (guint i = 0; i < G_N_ELEMENTS (errors); i++)
    {
      const char *text = errors[i]->message;
      gsize length = strlen (text);

      g_test_message ("%s", text);
      g_assert_error (errors[i], PV_TWILIO_ERROR, PV_TWILIO_ERROR_NETWORK);
      g_assert_cmpint (pv_twilio_error_get_next_step (errors[i]), ==, PV_TWILIO_NEXT_STEP_RETRY);
      g_assert_cmpuint (length, >, 20);
      g_assert_cmpint (text[length - 1], ==, '.');
      g_assert_null (strchr (text, '!'));

      for (guint j = i + 1; j < G_N_ELEMENTS (errors); j++)
        g_assert_cmpstr (text, !=, errors[j]->message);
    }

  g_assert_cmpstr (refused->message, ==, standard->message);
  g_assert_nonnull (strstr (tls->message, "secure connection"));
  g_assert_nonnull (strstr (timed_out->message, "did not answer in time"));
}

static void
test_reply_redirect_not_followed (void)
{
  g_autofree char *unused = dup_unused_url ();
  g_autofree char *reply = g_strdup_printf ("HTTP/1.1 307 Temporary Redirect\r\n"
                                            "Location: %s/elsewhere\r\n"
                                            "Content-Length: 0\r\n"
                                            "\r\n",
                                            unused);
  RawScript script = { .reply = reply };
  RawServer *server = raw_server_new (&script);
  g_autoptr(PvTwilioClient) client = new_raw_server_client (server, 5);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  /* A GET, which libsoup would follow: that would send the Authorization header to wherever
   * Location points (here, nowhere, which would make this a network error). */
  name = check_credentials (client, &error);

  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "307"));
  g_assert_null (name);

  drop_raw_server_client (&client);
  g_clear_error (&error);

  /* Whatever answered with a redirect did not pass the request on. */
  error = send_to_raw_server (server, 5, NULL);
  assert_refused (error, PV_TWILIO_ERROR_REJECTED);

  raw_server_free (server);
}

static void
test_cancel_while_reading_body (void)
{
  RawScript script = {
    .reply = "HTTP/1.1 201 Created\r\n"
             "Content-Type: application/json\r\n"
             "Content-Length: 400\r\n"
             "\r\n"
             "{\"sid\": ",
    .linger = TRUE,
  };
  RawServer *server = raw_server_new (&script);
  g_autoptr(PvTwilioClient) client = new_raw_server_client (server, 5);
  g_autoptr(GCancellable) send_cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) fetch_cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  /* Twilio said 201: the text is on its way, whatever the caller wants now. */
  g_timeout_add (300, cancel_cb, send_cancellable);

  message = send_message (client, CUSTOMER, send_cancellable, &error);

  assert_outcome_unknown (error);
  g_assert_null (message);
  drop_raw_server_client (&client);
  g_clear_error (&error);

  client = new_raw_server_client (server, 5);
  g_timeout_add (300, cancel_cb, fetch_cancellable);

  pv_twilio_client_fetch_message_async (client, MESSAGE_SID, fetch_cancellable,
                                        pv_test_store_result_cb, &result);
  message = pv_twilio_client_fetch_message_finish (client, pv_test_wait_for_result (&result),
                                                   &error);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (message);

  drop_raw_server_client (&client);
  raw_server_free (server);
}

/* Listing inbound messages */

#define OUR_NUMBER "+15005550006"
#define OTHER      "+14155550100"

static GPtrArray *
list_inbound (PvTwilioClient  *client,
              const char      *from,
              GDateTime       *sent_since,
              GCancellable    *cancellable,
              GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pv_twilio_client_list_inbound_async (client, OUR_NUMBER, from, sent_since, cancellable,
                                       pv_test_store_result_cb, &result);
  return pv_twilio_client_list_inbound_finish (client, pv_test_wait_for_result (&result),
                                               error);
}

static GDateTime *
new_time (const char *iso8601)
{
  GDateTime *time = g_date_time_new_from_iso8601 (iso8601, NULL);

  g_assert_nonnull (time);
  return time;
}

/* @count texts from CUSTOMER, one a minute from 2026-12-02 08:00 GMT, added in an order
 * that is not theirs. */
static void
add_inbound_texts (Fixture *fixture,
                   guint    count)
{
  g_autoptr(GDateTime) start = new_time ("2026-12-02T08:00:00Z");

  for (guint i = 0; i < count; i++)
    {
      guint minute = (i * 7) % count;
      g_autoptr(GDateTime) sent = g_date_time_add_minutes (start, minute);
      g_autofree char *body = g_strdup_printf ("YES %u", minute);
      g_autofree char *sid = pv_fake_twilio_add_inbound (fixture->fake, CUSTOMER, body, sent);
    }
}

static void
test_list_inbound_wire (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(GDateTime) sent = new_time ("2026-12-02T23:00:00Z");
  g_autoptr(GDateTime) before = new_time ("2026-12-01T23:59:59Z");
  g_autoptr(GDateTime) since = new_time ("2026-12-03T00:30:00+02:00");
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sid = NULL;
  g_autofree char *other_sid = NULL;
  g_autofree char *old_sid = NULL;
  const PvTwilioInbound *inbound;
  PvFakeTwilioRequest *request;

  sid = pv_fake_twilio_add_inbound (fixture->fake, CUSTOMER, "Yes 482913", sent);
  other_sid = pv_fake_twilio_add_inbound (fixture->fake, OTHER, "Who is this?", sent);
  old_sid = pv_fake_twilio_add_inbound (fixture->fake, CUSTOMER, "Too early", before);

  /* 00:30 at +02:00 is still the 2nd in GMT: that is the day Twilio filters on. */
  messages = list_inbound (fixture->client, CUSTOMER, since, NULL, &error);
  g_assert_no_error (error);

  request = get_only_request (fixture);
  g_assert_cmpstr (request->method, ==, "GET");
  g_assert_true (g_str_has_suffix (request->path, "/Messages.json"));
  g_assert_nonnull (strstr (request->query, "To=%2B15005550006"));
  g_assert_nonnull (strstr (request->query, "From=%2B14155552671"));
  g_assert_nonnull (strstr (request->query, "DateSent%3E=2026-12-02"));
  g_assert_nonnull (strstr (request->query, "PageSize=100"));
  g_assert_null (strstr (request->query, "DateSent="));

  g_assert_cmpuint (messages->len, ==, 1);
  inbound = g_ptr_array_index (messages, 0);
  g_assert_cmpstr (inbound->sid, ==, sid);
  g_assert_cmpstr (inbound->from, ==, CUSTOMER);
  g_assert_cmpstr (inbound->to, ==, OUR_NUMBER);
  g_assert_cmpstr (inbound->body, ==, "Yes 482913");
  g_assert_cmpint (inbound->date_sent, ==, g_date_time_to_unix (sent));
  g_clear_pointer (&messages, g_ptr_array_unref);

  /* Without a sender, everyone's of that day, and no From= at all. */
  messages = list_inbound (fixture->client, NULL, since, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (pv_fake_twilio_get_requests (fixture->fake)->len, ==, 2);
  request = g_ptr_array_index (pv_fake_twilio_get_requests (fixture->fake), 1);
  g_assert_null (strstr (request->query, "From="));
  g_assert_cmpuint (messages->len, ==, 2);
  /* Same date_sent: ordered by SID. */
  g_assert_cmpint (strcmp (((PvTwilioInbound *) g_ptr_array_index (messages, 0))->sid,
                           ((PvTwilioInbound *) g_ptr_array_index (messages, 1))->sid), <, 0);
}

/* Adds a text in the middle of the listing: pages then shift, which must not show twice. */
static void
add_text_on_second_page_cb (PvFakeTwilio        *fake,
                            PvFakeTwilioRequest *request,
                            gpointer             user_data)
{
  guint *pages = user_data;

  if (++*pages == 2)
    {
      g_autoptr(GDateTime) sent = new_time ("2026-12-02T20:00:00Z");
      g_autofree char *sid = pv_fake_twilio_add_inbound (fake, CUSTOMER, "Late", sent);
    }
}

static void
test_list_inbound_paging (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(GDateTime) since = new_time ("2026-12-02T00:00:00Z");
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  GPtrArray *requests;
  guint pages = 0;

  add_inbound_texts (fixture, 250);
  g_signal_connect (fixture->fake, "request-started",
                    G_CALLBACK (add_text_on_second_page_cb), &pages);

  messages = list_inbound (fixture->client, CUSTOMER, since, NULL, &error);
  g_assert_no_error (error);

  requests = pv_fake_twilio_get_requests (fixture->fake);
  g_assert_cmpuint (requests->len, ==, 3);
  for (guint i = 1; i < requests->len; i++)
    {
      PvFakeTwilioRequest *request = g_ptr_array_index (requests, i);

      g_assert_nonnull (strstr (request->query, "PageToken=PA"));
      g_assert_nonnull (strstr (request->query, "DateSent%3E=2026-12-02"));
    }

  /* The late one came in on a page already read: it is for the next poll. */
  g_assert_cmpuint (messages->len, ==, 250);
  for (guint i = 0; i < messages->len; i++)
    {
      PvTwilioInbound *inbound = g_ptr_array_index (messages, i);
      g_autofree char *body = g_strdup_printf ("YES %u", i);

      g_assert_true (g_hash_table_add (seen, inbound->sid));
      g_assert_cmpstr (inbound->body, ==, body);
      if (i > 0)
        g_assert_cmpint (inbound->date_sent, >,
                         ((PvTwilioInbound *) g_ptr_array_index (messages, i - 1))->date_sent);
    }
}

/* Sets @user_data's fault on the second request. */
static void
fail_second_page_cb (PvFakeTwilio        *fake,
                     PvFakeTwilioRequest *request,
                     gpointer             user_data)
{
  PvFakeTwilioFault fault = GPOINTER_TO_INT (user_data);

  if (pv_fake_twilio_get_requests (fake)->len == 1)
    pv_fake_twilio_set_fault (fake, fault);
}

static void
test_list_inbound_fails_mid_paging (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  static const FaultCase cases[] = {
    { PV_FAKE_TWILIO_FAULT_HTTP_429, PV_TWILIO_ERROR_RATE_LIMITED },
    { PV_FAKE_TWILIO_FAULT_HTTP_503, PV_TWILIO_ERROR_UNAVAILABLE },
    { PV_FAKE_TWILIO_FAULT_TRUNCATED, PV_TWILIO_ERROR_MALFORMED_REPLY },
    { PV_FAKE_TWILIO_FAULT_NOT_JSON, PV_TWILIO_ERROR_MALFORMED_REPLY },
    { PV_FAKE_TWILIO_FAULT_OVERSIZED, PV_TWILIO_ERROR_MALFORMED_REPLY },
    { PV_FAKE_TWILIO_FAULT_DROP_AFTER_PROCESSING, PV_TWILIO_ERROR_NETWORK },
  };
  g_autoptr(GDateTime) since = new_time ("2026-12-02T00:00:00Z");

  add_inbound_texts (fixture, 250);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) messages = NULL;
      g_autoptr(GError) error = NULL;
      gulong handler;

      g_test_message ("Fault %d", cases[i].fault);
      pv_fake_twilio_set_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_NONE);
      g_ptr_array_set_size (pv_fake_twilio_get_requests (fixture->fake), 0);
      handler = g_signal_connect (fixture->fake, "request-started",
                                  G_CALLBACK (fail_second_page_cb),
                                  GINT_TO_POINTER (cases[i].fault));

      messages = list_inbound (fixture->client, NULL, since, NULL, &error);

      g_assert_error (error, PV_TWILIO_ERROR, (int) cases[i].error);
      g_assert_null (messages);
      /* libsoup sends a GET again once when a kept-alive connection drops it. */
      g_assert_cmpuint (pv_fake_twilio_get_requests (fixture->fake)->len, >=, 2);
      assert_error_is_safe (error, token (fixture));
      g_signal_handler_disconnect (fixture->fake, handler);
    }
  pv_fake_twilio_set_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_NONE);
}

static void
test_list_inbound_wrong_token (Fixture       *fixture,
                               gconstpointer  user_data)
{
  g_autoptr(PvTwilioCredentials) credentials = new_fake_credentials (fixture, WRONG_TOKEN,
                                                                     FALSE);
  g_autoptr(GDateTime) since = new_time ("2026-12-02T00:00:00Z");
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;

  pv_twilio_client_set_credentials (fixture->client, credentials);

  messages = list_inbound (fixture->client, NULL, since, NULL, &error);

  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_AUTH_FAILED);
  assert_twilio_code_mentioned (error, 20003);
  assert_error_is_safe (error, WRONG_TOKEN);
  g_assert_null (messages);
}

static void
cancel_on_second_page_cb (PvFakeTwilio        *fake,
                          PvFakeTwilioRequest *request,
                          gpointer             user_data)
{
  if (pv_fake_twilio_get_requests (fake)->len == 1)
    g_cancellable_cancel (user_data);
}

static void
test_list_inbound_cancel (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) between = g_cancellable_new ();
  g_autoptr(GDateTime) since = new_time ("2026-12-02T00:00:00Z");
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  gulong handler;

  add_inbound_texts (fixture, 150);

  /* While the fake holds the first page. */
  pv_fake_twilio_set_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_SLOW);
  pv_fake_twilio_set_slow_delay (fixture->fake, 5000);
  g_timeout_add (100, cancel_cb, cancellable);

  messages = list_inbound (fixture->client, NULL, since, cancellable, &error);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (messages);
  g_clear_error (&error);

  /* While the second page is on its way. */
  pv_fake_twilio_set_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_NONE);
  g_ptr_array_set_size (pv_fake_twilio_get_requests (fixture->fake), 0);
  handler = g_signal_connect (fixture->fake, "request-started",
                              G_CALLBACK (cancel_on_second_page_cb), between);

  messages = list_inbound (fixture->client, NULL, since, between, &error);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (messages);
  g_signal_handler_disconnect (fixture->fake, handler);
}

/* A server that always has another page must not keep the client reading forever. */
static void
test_list_inbound_page_cap (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(GDateTime) since = new_time ("2026-12-02T00:00:00Z");
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;

  add_inbound_texts (fixture, PV_TWILIO_MAX_LIST_PAGES * 100 + 1);

  messages = list_inbound (fixture->client, NULL, since, NULL, &error);

  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_MALFORMED_REPLY);
  g_assert_nonnull (strstr (error->message, "pages"));
  g_assert_null (messages);
  g_assert_cmpuint (pv_fake_twilio_get_requests (fixture->fake)->len, ==,
                    PV_TWILIO_MAX_LIST_PAGES);
}

/* Parsing, without a server */

#define VALID_SID "\"sid\": \"SM0123456789abcdef0123456789abcdef\""

static void
test_parse_message (void)
{
  static const struct
  {
    const char *json;
    gboolean    valid;
    const char *status;
    int         error_code;
  } cases[] = {
    { "{" VALID_SID ", \"status\": \"queued\", \"error_code\": null, \"error_message\": null}",
      TRUE, "queued", 0 },
    { "{" VALID_SID ", \"status\": \"undelivered\", \"error_code\": 30003,"
      " \"error_message\": \"Unreachable destination handset\"}",
      TRUE, "undelivered", 30003 },
    { "{\"sid\": \"MM0123456789abcdef0123456789abcdef\", \"status\": \"sent\"}", TRUE, "sent", 0 },
    { "{" VALID_SID ", \"status\": \"partially_delivered\", \"num_segments\": \"1\"}",
      TRUE, "partially_delivered", 0 },
    { "{" VALID_SID ", \"status\": \"failed\", \"error_code\": \"30003\"}", FALSE, NULL, 0 },
    { "{" VALID_SID ", \"status\": \"failed\", \"error_code\": 30003.0}", FALSE, NULL, 0 },
    { "{" VALID_SID ", \"status\": \"failed\", \"error_code\": -1}", FALSE, NULL, 0 },
    { "{" VALID_SID ", \"status\": \"failed\", \"error_code\": 99999999999}", FALSE, NULL, 0 },
    { "{" VALID_SID ", \"status\": \"failed\", \"error_code\": true}", FALSE, NULL, 0 },
    { "{" VALID_SID ", \"status\": \"failed\", \"error_message\": 7}", FALSE, NULL, 0 },
    { "{" VALID_SID ", \"status\": \"failed\", \"error_message\": {}}", FALSE, NULL, 0 },
    { "{\"status\": \"queued\"}", FALSE, NULL, 0 },
    { "{\"sid\": null, \"status\": \"queued\"}", FALSE, NULL, 0 },
    { "{\"sid\": 12, \"status\": \"queued\"}", FALSE, NULL, 0 },
    { "{\"sid\": \"AC0123456789abcdef0123456789abcdef\", \"status\": \"queued\"}", FALSE, NULL, 0 },
    { "{\"sid\": \"SM0123456789abcdef0123456789abcdef/..\", \"status\": \"queued\"}",
      FALSE, NULL, 0 },
    { "{" VALID_SID "}", FALSE, NULL, 0 },
    { "{" VALID_SID ", \"status\": null}", FALSE, NULL, 0 },
    { "{" VALID_SID ", \"status\": 3}", FALSE, NULL, 0 },
    { "{" VALID_SID ", \"status\": \"\"}", FALSE, NULL, 0 },
    { "{" VALID_SID ", \"status\": \"Queued\"}", FALSE, NULL, 0 },
    { "{" VALID_SID ", \"status\": \"queued <b>now</b>\"}", FALSE, NULL, 0 },
    { "[{" VALID_SID ", \"status\": \"queued\"}]", FALSE, NULL, 0 },
    { "{" VALID_SID ", \"status\": \"queu", FALSE, NULL, 0 },
    { "<html><body>Bad Gateway</body></html>", FALSE, NULL, 0 },
    { "null", FALSE, NULL, 0 },
    { "\"queued\"", FALSE, NULL, 0 },
    { "", FALSE, NULL, 0 },
    { "{" VALID_SID ", \"status\": \"qu\xff\xfe\"}", FALSE, NULL, 0 },
    /* Found by fuzzing: two values, and a lone surrogate that decodes to bytes that are
     * not UTF-8. */
    { "{" VALID_SID ", \"status\": \"queued\"} {\"status\": \"failed\"}", FALSE, NULL, 0 },
    { "{" VALID_SID ", \"status\": \"queued\\ud800x\"}", FALSE, NULL, 0 },
    /* Brackets inside strings are text, not nesting. */
    { "{" VALID_SID ", \"status\": \"queued\", \"body\": \"[[[{{\\\"\"}", TRUE, "queued", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) reply = g_bytes_new_static (cases[i].json, strlen (cases[i].json));
      g_autoptr(PvTwilioMessage) message = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *escaped = g_strescape (cases[i].json, NULL);

      g_test_message ("Reply: %s", escaped);
      message = pv_twilio_json_parse_message (reply, &error);

      if (cases[i].valid)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (message->status, ==, cases[i].status);
          g_assert_cmpint (message->error_code, ==, cases[i].error_code);
        }
      else
        {
          g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_MALFORMED_REPLY);
          g_assert_null (message);
        }
    }
}

/* Found by fuzzing: json-glib recurses once per level, and a reply within the size cap can
 * nest deep enough to overflow the stack. */
static void
test_parse_deeply_nested (void)
{
  g_autofree char *json = g_strnfill (262144, '[');
  g_autoptr(GBytes) reply = g_bytes_new (json, strlen (json));
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  message = pv_twilio_json_parse_message (reply, &error);

  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_MALFORMED_REPLY);
  g_assert_null (message);
}

static void
test_parse_message_with_nul (void)
{
  static const char json[] = "{" VALID_SID ", \"status\": \"queued\0\"}";
  g_autoptr(GBytes) reply = g_bytes_new_static (json, sizeof json - 1);
  g_autoptr(PvTwilioMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  message = pv_twilio_json_parse_message (reply, &error);

  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_MALFORMED_REPLY);
  g_assert_null (message);
}

#define INBOUND_SID  "SM00000000000000000000000000000001"
#define OUTBOUND_SID "SM00000000000000000000000000000002"

static void
test_parse_inbound_page (void)
{
  static const char page_json[] =
    "{\"messages\": ["
    "  {\"sid\": \"" INBOUND_SID "\", \"direction\": \"inbound\", \"status\": \"received\","
    "   \"from\": \"+14155552671\", \"to\": \"+15005550006\", \"body\": \"YES\","
    "   \"date_sent\": \"Wed, 02 Dec 2026 20:00:00 +0000\"},"
    "  {\"sid\": \"" OUTBOUND_SID "\", \"direction\": \"outbound-api\", \"to\": 12},"
    "  {\"sid\": \"MM00000000000000000000000000000003\", \"direction\": \"inbound\","
    "   \"from\": null, \"to\": \"+15005550006\", \"body\": null, \"date_sent\": null},"
    "  {\"sid\": \"SM00000000000000000000000000000004\", \"direction\": \"inbound\","
    "   \"from\": \"+1\", \"to\": \"+1\", \"body\": \"x\", \"date_sent\": \"yesterday\"}"
    " ],"
    " \"next_page_uri\": \"/2010-04-01/Accounts/AC0/Messages.json?Page=1&PageToken=PAx\"}";
  static const char * const malformed[] = {
    "{\"page\": 0, \"next_page_uri\": null}",
    "{\"messages\": {}, \"next_page_uri\": null}",
    "{\"messages\": [5], \"next_page_uri\": null}",
    "{\"messages\": [{\"sid\": \"XX1\", \"direction\": \"inbound\"}], \"next_page_uri\": null}",
    "{\"messages\": [{\"sid\": \"" INBOUND_SID "\", \"direction\": \"inbound\", \"body\": 5}]}",
    "{\"messages\": [], \"next_page_uri\": 3}",
    "[]",
  };
  g_autoptr(GBytes) reply = g_bytes_new_static (page_json, strlen (page_json));
  g_autoptr(PvTwilioInboundPage) page = NULL;
  g_autoptr(GError) error = NULL;
  PvTwilioInbound *inbound;

  page = pv_twilio_json_parse_inbound_page (reply, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (page->next_page_uri, ==,
                   "/2010-04-01/Accounts/AC0/Messages.json?Page=1&PageToken=PAx");

  /* The outbound item is left out, however odd it looks. */
  g_assert_cmpuint (page->items->len, ==, 3);
  inbound = g_ptr_array_index (page->items, 0);
  g_assert_cmpstr (inbound->sid, ==, INBOUND_SID);
  g_assert_cmpstr (inbound->from, ==, "+14155552671");
  g_assert_cmpstr (inbound->to, ==, "+15005550006");
  g_assert_cmpstr (inbound->body, ==, "YES");
  g_assert_cmpint (inbound->date_sent, ==, 1796241600);
  inbound = g_ptr_array_index (page->items, 1);
  g_assert_cmpstr (inbound->from, ==, "");
  g_assert_cmpstr (inbound->body, ==, "");
  g_assert_cmpint (inbound->date_sent, ==, 0);
  inbound = g_ptr_array_index (page->items, 2);
  g_assert_cmpint (inbound->date_sent, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_autoptr(GBytes) bad = g_bytes_new_static (malformed[i], strlen (malformed[i]));
      g_autoptr(PvTwilioInboundPage) bad_page = NULL;
      g_autoptr(GError) bad_error = NULL;

      g_test_message ("Reply: %s", malformed[i]);
      bad_page = pv_twilio_json_parse_inbound_page (bad, &bad_error);

      g_assert_error (bad_error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_MALFORMED_REPLY);
      g_assert_null (bad_page);
    }
}

static void
test_parse_rfc2822 (void)
{
  static const struct
  {
    const char *text;
    gint64      unix_time;
  } cases[] = {
    { "Wed, 02 Dec 2026 20:00:00 +0000", 1796241600 },
    { "02 Dec 2026 20:00:00 +0000", 1796241600 },
    { "Wed, 2 Dec 2026 22:00:00 +0200", 1796241600 },
    { "Wed, 02 Dec 2026 15:00:00 -0500", 1796241600 },
    { "Wed, 02 Dec 2026 20:00:00 GMT", 1796241600 },
    { "Wed, 02 Dek 2026 20:00:00 +0000", 0 },
    { "Wed, 31 Feb 2026 20:00:00 +0000", 0 },
    { "Wed, 02 Dec 2026 20:00:00", 0 },
    { "Wed, 02 Dec 2026 20:00:00 +0000 trailing", 0 },
    { "2026-12-02T20:00:00Z", 0 },
    { "", 0 },
    { NULL, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("Date: %s", cases[i].text);
      g_assert_cmpint (pv_twilio_json_parse_rfc2822 (cases[i].text), ==, cases[i].unix_time);
    }
}

static void
test_parse_account (void)
{
  static const struct
  {
    const char *json;
    const char *name;
  } cases[] = {
    { "{\"sid\": \"AC0123456789abcdef0123456789abcdef\", \"friendly_name\": \"Front desk\","
      " \"status\": \"active\"}", "Front desk" },
    { "{\"sid\": \"AC0123456789abcdef0123456789abcdef\", \"friendly_name\": null}", NULL },
    { "{\"sid\": \"AC0123456789abcdef0123456789abcdef\", \"friendly_name\": 5}", NULL },
    { "{\"sid\": \"AC0123456789abcdef0123456789abcdef\"}", NULL },
    { "{\"friendly_name\": \"Front desk\"}", NULL },
    { "{\"sid\": \"SK0123456789abcdef0123456789abcdef\", \"friendly_name\": \"Front desk\"}",
      NULL },
    { "[]", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) reply = g_bytes_new_static (cases[i].json, strlen (cases[i].json));
      g_autoptr(GError) error = NULL;
      g_autofree char *name = NULL;

      g_test_message ("Reply: %s", cases[i].json);
      name = pv_twilio_json_parse_account_name (reply, &error);

      if (cases[i].name != NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (name, ==, cases[i].name);
        }
      else
        {
          g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_MALFORMED_REPLY);
          g_assert_null (name);
        }
    }
}

static void
test_parse_error_reply (void)
{
  static const struct
  {
    guint         http_status;
    const char   *json;
    PvTwilioError error;
    const char   *mention;
  } cases[] = {
    { 400, "{\"code\": 21211, \"message\": \"The 'To' number 5551234567 is not a valid phone "
      "number.\", \"more_info\": \"https://www.twilio.com/docs/errors/21211\", \"status\": 400}",
      PV_TWILIO_ERROR_INVALID_NUMBER, "(Twilio error 21211)" },
    { 401, "{\"code\": 20003, \"message\": \"Authenticate\", \"more_info\": "
      "\"https://www.twilio.com/docs/errors/20003\", \"status\": 401}",
      PV_TWILIO_ERROR_AUTH_FAILED, "(Twilio error 20003)" },
    { 404, "{\"code\": 20404, \"message\": \"The requested resource was not found\", "
      "\"more_info\": \"https://www.twilio.com/docs/errors/20404\", \"status\": 404}",
      PV_TWILIO_ERROR_NOT_FOUND, "(Twilio error 20404)" },
    /* Only the code is required. */
    { 400, "{\"code\": 21610}", PV_TWILIO_ERROR_OPTED_OUT, "(Twilio error 21610)" },
    { 400, "{\"code\": 99999, \"message\": \"Something new\", \"status\": 400}",
      PV_TWILIO_ERROR_REJECTED, "(Twilio error 99999)" },
    /* An unknown code with a telling HTTP status. */
    { 503, "{\"code\": 99998, \"message\": \"Down\", \"status\": 503}",
      PV_TWILIO_ERROR_UNAVAILABLE, "(Twilio error 99998)" },
    /* Bodies that are not a Twilio error: the HTTP status decides. */
    { 400, "{\"code\": \"21211\", \"message\": \"x\"}", PV_TWILIO_ERROR_REJECTED,
      "(HTTP status 400)" },
    { 400, "{\"code\": 21211, \"message\": 42}", PV_TWILIO_ERROR_REJECTED, "(HTTP status 400)" },
    { 400, "{\"code\": 21211, \"more_info\": false}", PV_TWILIO_ERROR_REJECTED,
      "(HTTP status 400)" },
    { 400, "{\"code\": 21211, \"status\": \"400\"}", PV_TWILIO_ERROR_REJECTED,
      "(HTTP status 400)" },
    { 400, "{\"code\": 0}", PV_TWILIO_ERROR_REJECTED, "(HTTP status 400)" },
    { 400, "{\"code\": null}", PV_TWILIO_ERROR_REJECTED, "(HTTP status 400)" },
    { 400, "{\"code\": 2.1e4}", PV_TWILIO_ERROR_REJECTED, "(HTTP status 400)" },
    { 401, "", PV_TWILIO_ERROR_AUTH_FAILED, "(HTTP status 401)" },
    { 403, "Forbidden", PV_TWILIO_ERROR_AUTH_FAILED, "(HTTP status 403)" },
    { 404, "<html>Not Found</html>", PV_TWILIO_ERROR_NOT_FOUND, "(HTTP status 404)" },
    { 429, "{\"code\": 20429", PV_TWILIO_ERROR_RATE_LIMITED, "(HTTP status 429)" },
    { 500, "[1, 2]", PV_TWILIO_ERROR_UNAVAILABLE, "(HTTP status 500)" },
    { 502, "<html>Bad Gateway</html>", PV_TWILIO_ERROR_UNAVAILABLE, "(HTTP status 502)" },
    { 418, "{}", PV_TWILIO_ERROR_REJECTED, "(HTTP status 418)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) reply = g_bytes_new_static (cases[i].json, strlen (cases[i].json));
      g_autoptr(GError) error = NULL;

      g_test_message ("HTTP %u: %s", cases[i].http_status, cases[i].json);
      error = pv_twilio_json_parse_error_reply (reply, cases[i].http_status);

      g_assert_error (error, PV_TWILIO_ERROR, (int) cases[i].error);
      /* Twilio's code when it sent one, else the HTTP status: never neither. */
      g_assert_true (g_str_has_suffix (error->message, cases[i].mention));

      /* Twilio's own text never reaches the user. */
      g_assert_null (strstr (error->message, "Authenticate"));
      g_assert_null (strstr (error->message, "5551234567"));
      g_assert_null (strstr (error->message, "https://"));
    }
}

static void
test_parse_error_reply_unreadable (void)
{
  g_autoptr(GError) error = pv_twilio_json_parse_error_reply (NULL, 503);

  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_UNAVAILABLE);
}

static void
test_message_is_final (void)
{
  static const struct
  {
    const char *status;
    gboolean    final;
  } cases[] = {
    { "delivered", TRUE },
    { "undelivered", TRUE },
    { "failed", TRUE },
    { "canceled", TRUE },
    { "accepted", FALSE },
    { "scheduled", FALSE },
    { "queued", FALSE },
    { "sending", FALSE },
    { "sent", FALSE },
    { "received", FALSE },
    { "read", FALSE },
    { "partially_delivered", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PvTwilioMessage message = { .sid = (char *) MESSAGE_SID, .status = (char *) cases[i].status };
      g_autoptr(PvTwilioMessage) copy = pv_twilio_message_copy (&message);

      g_assert_cmpint (pv_twilio_message_is_final (&message), ==, cases[i].final);
      g_assert_cmpstr (copy->status, ==, cases[i].status);
      g_assert_cmpint (pv_twilio_message_is_final (copy), ==, cases[i].final);
    }
}

static void
add_fixture_test (const char *path,
                  void      (*test) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, test, fixture_tear_down);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/twilio-client/base-url", test_base_url);
  g_test_add_func ("/twilio-client/timeout-property", test_timeout_property);
  g_test_add_func ("/twilio-client/unusable-base-url", test_unusable_base_url);
  g_test_add_func ("/twilio-client/plain-http-only-to-loopback", test_plain_http_only_to_loopback);

  add_fixture_test ("/twilio-client/send/success", test_send_success);
  add_fixture_test ("/twilio-client/send/prefers-messaging-service",
                    test_send_prefers_messaging_service);
  add_fixture_test ("/twilio-client/send/api-key", test_send_with_api_key);
  add_fixture_test ("/twilio-client/send/wrong-token", test_send_wrong_token);
  add_fixture_test ("/twilio-client/send/magic-numbers", test_send_magic_numbers);
  add_fixture_test ("/twilio-client/send/trial-account", test_send_trial_account);
  add_fixture_test ("/twilio-client/send/create-errors", test_send_create_errors);
  add_fixture_test ("/twilio-client/send/http-faults", test_send_http_faults);
  add_fixture_test ("/twilio-client/send/create-fault", test_send_create_fault);
  add_fixture_test ("/twilio-client/send/connection-refused", test_connection_refused);
  add_fixture_test ("/twilio-client/send/timeout", test_timeout);
  add_fixture_test ("/twilio-client/send/slow-within-timeout", test_slow_but_within_timeout);
  add_fixture_test ("/twilio-client/fetch/progresses-to-delivered",
                    test_fetch_progresses_to_delivered);
  add_fixture_test ("/twilio-client/fetch/undelivered", test_fetch_undelivered);
  add_fixture_test ("/twilio-client/fetch/unknown-message", test_fetch_unknown_message);
  add_fixture_test ("/twilio-client/fetch/invalid-sid", test_fetch_invalid_sid);
  add_fixture_test ("/twilio-client/fetch/faults", test_fetch_faults);
  add_fixture_test ("/twilio-client/fetch/timeout", test_fetch_timeout);
  add_fixture_test ("/twilio-client/check-credentials/success", test_check_credentials);
  add_fixture_test ("/twilio-client/check-credentials/without-sender",
                    test_check_credentials_without_sender);
  add_fixture_test ("/twilio-client/check-credentials/wrong-token",
                    test_check_credentials_wrong_token);
  add_fixture_test ("/twilio-client/cancel/after-sending", test_cancel_after_sending);
  add_fixture_test ("/twilio-client/cancel/before-start", test_cancel_before_start);
  add_fixture_test ("/twilio-client/cancel/before-sending", test_cancel_before_sending);
  add_fixture_test ("/twilio-client/cancel/fetch", test_cancel_fetch);
  add_fixture_test ("/twilio-client/no-credentials", test_no_credentials);
  add_fixture_test ("/twilio-client/list-inbound/wire", test_list_inbound_wire);
  add_fixture_test ("/twilio-client/list-inbound/paging", test_list_inbound_paging);
  add_fixture_test ("/twilio-client/list-inbound/fails-mid-paging",
                    test_list_inbound_fails_mid_paging);
  add_fixture_test ("/twilio-client/list-inbound/wrong-token", test_list_inbound_wrong_token);
  add_fixture_test ("/twilio-client/list-inbound/cancel", test_list_inbound_cancel);
  add_fixture_test ("/twilio-client/list-inbound/page-cap", test_list_inbound_page_cap);

  g_test_add_func ("/twilio-client/reply/premature-close", test_reply_premature_close);
  g_test_add_func ("/twilio-client/reply/announced-too-large", test_reply_announced_too_large);
  g_test_add_func ("/twilio-client/reply/endless", test_reply_endless);
  g_test_add_func ("/twilio-client/reply/html-gateway-error", test_reply_html_gateway_error);
  g_test_add_func ("/twilio-client/reply/not-http", test_reply_not_http);
  g_test_add_func ("/twilio-client/reply/tls-handshake-fails", test_tls_handshake_fails);
  g_test_add_func ("/twilio-client/reply/redirect-not-followed", test_reply_redirect_not_followed);
  add_fixture_test ("/twilio-client/error/network-messages", test_network_messages);
  g_test_add_func ("/twilio-client/cancel/while-reading-body", test_cancel_while_reading_body);

  g_test_add_func ("/twilio-client/parse/message", test_parse_message);
  g_test_add_func ("/twilio-client/parse/message-with-nul", test_parse_message_with_nul);
  g_test_add_func ("/twilio-client/parse/deeply-nested", test_parse_deeply_nested);
  g_test_add_func ("/twilio-client/parse/account", test_parse_account);
  g_test_add_func ("/twilio-client/parse/inbound-page", test_parse_inbound_page);
  g_test_add_func ("/twilio-client/parse/rfc2822", test_parse_rfc2822);
  g_test_add_func ("/twilio-client/parse/error-reply", test_parse_error_reply);
  g_test_add_func ("/twilio-client/parse/error-reply-unreadable",
                   test_parse_error_reply_unreadable);

  g_test_add_func ("/twilio-client/message/is-final", test_message_is_final);

  return g_test_run ();
}
