/* test-twilio-calls.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-twilio-calls"

#include "config.h"

#include <string.h>

#include "pv-fake-twilio.h"
#include "pv-test-twilio.h"
#include "pv-twilio-client.h"
#include "pv-twilio-error.h"
#include "pv-twilio-json.h"

/* The client's calls and Lookup against the fake, on the wire. */

#define CUSTOMER "+14155552671"
#define CALL_SID "CA0123456789abcdef0123456789abcdef"
/* Escapes, an apostrophe, a "+" and non-ASCII: the form must carry them unchanged. */
#define TWIML \
  "<Response><Pause length=\"1\"/>" \
  "<Say language=\"de-DE\">Grüß Gott &amp; willkommen bei &lt;Müller&gt;'s +1.</Say>" \
  "<Say language=\"de-DE\" loop=\"3\">Ihr Code ist 4, 8, 2, 9, 1, 3.</Say>" \
  "</Response>"

typedef struct
{
  PvFakeTwilio   *fake;
  PvTwilioClient *client;
} Fixture;

static PvTwilioCall *
start_call (PvTwilioClient  *client,
            const char      *to,
            const char      *twiml,
            GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pv_twilio_client_start_call_async (client, to, twiml, 15, 90, NULL,
                                     pv_test_store_result_cb, &result);
  return pv_twilio_client_start_call_finish (client, pv_test_wait_for_result (&result), error);
}

static PvTwilioCall *
fetch_call (PvTwilioClient  *client,
            const char      *sid,
            GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pv_twilio_client_fetch_call_async (client, sid, NULL, pv_test_store_result_cb, &result);
  return pv_twilio_client_fetch_call_finish (client, pv_test_wait_for_result (&result), error);
}

static gboolean
fetch_call_failure (PvTwilioClient  *client,
                    const char      *sid,
                    int             *code,
                    char           **text,
                    GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pv_twilio_client_fetch_call_failure_async (client, sid, NULL, pv_test_store_result_cb, &result);
  return pv_twilio_client_fetch_call_failure_finish (client, pv_test_wait_for_result (&result),
                                                     code, text, error);
}

static PvTwilioLookup *
lookup_line_type (PvTwilioClient  *client,
                  const char      *number,
                  GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pv_twilio_client_lookup_line_type_async (client, number, NULL, pv_test_store_result_cb, &result);
  return pv_twilio_client_lookup_line_type_finish (client, pv_test_wait_for_result (&result),
                                                   error);
}

static void
set_credentials (Fixture    *fixture,
                 const char *secret,
                 const char *from,
                 const char *service_sid)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;

  credentials = pv_twilio_credentials_new (pv_fake_twilio_get_account_sid (fixture->fake),
                                           NULL, secret, from, service_sid);
  pv_twilio_client_set_credentials (fixture->client, credentials);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->fake = pv_fake_twilio_new ();
  pv_fake_twilio_listen (fixture->fake, 0, &error);
  g_assert_no_error (error);

  fixture->client = pv_test_new_fake_client (fixture->fake);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->fake);
  pv_test_drain_main_context ();
}

static guint
count_requests (Fixture *fixture)
{
  return pv_fake_twilio_get_requests (fixture->fake)->len;
}

static PvFakeTwilioRequest *
get_last_request (Fixture *fixture)
{
  GPtrArray *requests = pv_fake_twilio_get_requests (fixture->fake);

  g_assert_cmpuint (requests->len, >, 0);
  return g_ptr_array_index (requests, requests->len - 1);
}

static void
assert_twilio_code_mentioned (const GError *error,
                              int           twilio_code)
{
  g_autofree char *mention = g_strdup_printf ("(Twilio error %d)", twilio_code);

  g_assert_nonnull (strstr (error->message, mention));
}

/* Calls */

static void
test_start_form_fields (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(PvTwilioCall) call = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  PvFakeTwilioRequest *request;
  const PvFakeTwilioCall *placed;

  call = start_call (fixture->client, CUSTOMER, TWIML, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (count_requests (fixture), ==, 1);
  request = get_last_request (fixture);
  path = g_strdup_printf ("/2010-04-01/Accounts/%s/Calls.json",
                          pv_fake_twilio_get_account_sid (fixture->fake));
  g_assert_cmpstr (request->method, ==, "POST");
  g_assert_cmpstr (request->path, ==, path);
  g_assert_cmpuint (g_hash_table_size (request->form), ==, 5);
  g_assert_cmpstr (g_hash_table_lookup (request->form, "To"), ==, CUSTOMER);
  g_assert_cmpstr (g_hash_table_lookup (request->form, "From"), ==,
                   pv_fake_twilio_get_phone_number (fixture->fake));
  g_assert_cmpstr (g_hash_table_lookup (request->form, "Twiml"), ==, TWIML);
  g_assert_cmpstr (g_hash_table_lookup (request->form, "Timeout"), ==, "15");
  g_assert_cmpstr (g_hash_table_lookup (request->form, "TimeLimit"), ==, "90");
  g_assert_false (g_hash_table_contains (request->form, "Url"));
  g_assert_false (g_hash_table_contains (request->form, "MessagingServiceSid"));

  placed = pv_fake_twilio_get_last_call_to (fixture->fake, CUSTOMER);
  g_assert_nonnull (placed);
  g_assert_cmpstr (call->sid, ==, placed->sid);
  g_assert_cmpstr (call->status, ==, "queued");
  g_assert_cmpint (call->duration, ==, 0);
  g_assert_false (pv_twilio_call_is_final (call));
  g_assert_cmpstr (placed->twiml, ==, TWIML);
}

/* A Messaging Service cannot place a call; with both, the call uses the number. */
static void
test_start_sender (Fixture       *fixture,
                   gconstpointer  user_data)
{
  const char *service_sid = pv_fake_twilio_get_messaging_service_sid (fixture->fake);
  const char *token = pv_fake_twilio_get_auth_token (fixture->fake);
  g_autoptr(PvTwilioCall) refused = NULL;
  g_autoptr(PvTwilioCall) call = NULL;
  g_autoptr(GError) error = NULL;
  PvFakeTwilioRequest *request;

  set_credentials (fixture, token, NULL, service_sid);
  refused = start_call (fixture->client, CUSTOMER, TWIML, &error);
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_INVALID_SENDER);
  g_assert_null (refused);
  g_assert_nonnull (strstr (error->message, "Messaging Service"));
  g_assert_cmpint (pv_twilio_error_get_next_step (error), ==, PV_TWILIO_NEXT_STEP_CHECK_SETTINGS);
  g_assert_cmpuint (count_requests (fixture), ==, 0);
  g_clear_error (&error);

  set_credentials (fixture, token, pv_fake_twilio_get_phone_number (fixture->fake), service_sid);
  call = start_call (fixture->client, CUSTOMER, TWIML, &error);
  g_assert_no_error (error);
  request = get_last_request (fixture);
  g_assert_false (g_hash_table_contains (request->form, "MessagingServiceSid"));
  g_assert_cmpstr (g_hash_table_lookup (request->form, "From"), ==,
                   pv_fake_twilio_get_phone_number (fixture->fake));
}

static char *
make_twiml (guint length)
{
  const char *open = "<Response><Say>";
  const char *close = "</Say></Response>";
  g_autofree char *padding = g_strnfill (length - strlen (open) - strlen (close), 'x');

  return g_strconcat (open, padding, close, NULL);
}

static void
test_start_twiml_limit (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autofree char *longest = make_twiml (4000);
  g_autofree char *too_long = make_twiml (4001);
  g_autoptr(PvTwilioCall) call = NULL;
  g_autoptr(PvTwilioCall) refused = NULL;
  g_autoptr(GError) error = NULL;

  refused = start_call (fixture->client, CUSTOMER, too_long, &error);
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_REJECTED);
  g_assert_false (pv_twilio_error_is_outcome_unknown (error));
  g_assert_null (refused);
  g_assert_cmpuint (count_requests (fixture), ==, 0);
  g_clear_error (&error);

  call = start_call (fixture->client, CUSTOMER, longest, &error);
  g_assert_no_error (error);
  g_assert_nonnull (call);
}

static void
test_start_errors (Fixture       *fixture,
                   gconstpointer  user_data)
{
  static const struct
  {
    const char       *from;
    const char       *to;
    gboolean          trial;
    int               twilio_code;
    PvTwilioError     error;
    PvTwilioNextStep  next_step;
  } cases[] = {
    { "+14155550000", CUSTOMER, FALSE, 21210, PV_TWILIO_ERROR_INVALID_SENDER,
      PV_TWILIO_NEXT_STEP_CHECK_SETTINGS },
    { "+15005550001", CUSTOMER, FALSE, 21212, PV_TWILIO_ERROR_INVALID_SENDER,
      PV_TWILIO_NEXT_STEP_CHECK_SETTINGS },
    { NULL, "+15005550002", FALSE, 21214, PV_TWILIO_ERROR_INVALID_NUMBER,
      PV_TWILIO_NEXT_STEP_CHANGE_NUMBER },
    { NULL, "+15005550003", FALSE, 21215, PV_TWILIO_ERROR_REGION_DISABLED,
      PV_TWILIO_NEXT_STEP_VOICE_GEO_PERMISSIONS },
    { NULL, "+15005550004", FALSE, 21216, PV_TWILIO_ERROR_INVALID_NUMBER,
      PV_TWILIO_NEXT_STEP_CHANGE_NUMBER },
    { NULL, "+15005550001", FALSE, 21217, PV_TWILIO_ERROR_INVALID_NUMBER,
      PV_TWILIO_NEXT_STEP_CHANGE_NUMBER },
    { NULL, CUSTOMER, TRUE, 21219, PV_TWILIO_ERROR_UNVERIFIED_TRIAL_NUMBER,
      PV_TWILIO_NEXT_STEP_VERIFIED_NUMBERS },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PvTwilioCall) call = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) expected = NULL;
      const char *from = cases[i].from;

      g_test_message ("From %s To %s", from, cases[i].to);
      if (from == NULL)
        from = pv_fake_twilio_get_phone_number (fixture->fake);
      set_credentials (fixture, pv_fake_twilio_get_auth_token (fixture->fake), from, NULL);
      pv_fake_twilio_set_trial_account (fixture->fake, cases[i].trial);

      call = start_call (fixture->client, cases[i].to, TWIML, &error);

      g_assert_null (call);
      g_assert_error (error, PV_TWILIO_ERROR, (int) cases[i].error);
      g_assert_false (pv_twilio_error_is_outcome_unknown (error));
      g_assert_cmpint (pv_twilio_error_get_next_step (error), ==, cases[i].next_step);
      assert_twilio_code_mentioned (error, cases[i].twilio_code);
      /* The call's own words, not a text's. */
      expected = pv_twilio_error_new_from_call_code (cases[i].twilio_code, 400);
      g_assert_cmpstr (error->message, ==, expected->message);
      g_assert_nonnull (strstr (error->message, "call"));
    }

  g_assert_cmpuint (pv_fake_twilio_get_calls (fixture->fake)->len, ==, 0);
}

/* As for a text: once the request may have reached Twilio, only an answer says whether the
 * phone will ring. */
static void
test_start_lost_answer (Fixture       *fixture,
                        gconstpointer  user_data)
{
  static const PvFakeTwilioFault lost[] = {
    PV_FAKE_TWILIO_FAULT_DROP_AFTER_PROCESSING,
    PV_FAKE_TWILIO_FAULT_HTTP_500_AFTER_PROCESSING,
    PV_FAKE_TWILIO_FAULT_TRUNCATED,
    PV_FAKE_TWILIO_FAULT_NOT_JSON,
  };
  g_autoptr(PvTwilioCall) limited = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (lost); i++)
    {
      g_autoptr(PvTwilioCall) call = NULL;
      g_autoptr(GError) lost_error = NULL;

      g_test_message ("fault %d", lost[i]);
      pv_fake_twilio_set_create_fault (fixture->fake, lost[i], 1);
      call = start_call (fixture->client, CUSTOMER, TWIML, &lost_error);

      g_assert_null (call);
      g_assert_error (lost_error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_OUTCOME_UNKNOWN);
      g_assert_true (pv_twilio_error_is_outcome_unknown (lost_error));
      g_assert_nonnull (strstr (lost_error->message, "call"));
      g_assert_null (strstr (lost_error->message, "message"));
      g_assert_cmpint (pv_twilio_error_get_next_step (lost_error), ==,
                       PV_TWILIO_NEXT_STEP_SEND_NEW_CODE);
    }

  /* The fake placed the calls whose answers went missing, bar the HTML, which stands for
   * something in front of Twilio. */
  g_assert_cmpuint (pv_fake_twilio_get_calls (fixture->fake)->len, ==, 3);

  /* A 429 is a definite "not now": nothing was placed. */
  pv_fake_twilio_set_create_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_HTTP_429, 1);
  limited = start_call (fixture->client, CUSTOMER, TWIML, &error);
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_RATE_LIMITED);
  g_assert_cmpuint (pv_fake_twilio_get_calls (fixture->fake)->len, ==, 3);
}

static void
test_fetch_progression (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(PvTwilioCall) call = NULL;
  g_autoptr(GString) statuses = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  int duration = -1;

  pv_fake_twilio_set_delivery_step (fixture->fake, 150);
  call = start_call (fixture->client, CUSTOMER, TWIML, &error);
  g_assert_no_error (error);
  g_string_append (statuses, call->status);

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(PvTwilioCall) now = fetch_call (fixture->client, call->sid, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (now->sid, ==, call->sid);
      if (!g_str_has_suffix (statuses->str, now->status))
        g_string_append_printf (statuses, " → %s", now->status);
      if (pv_twilio_call_is_final (now))
        {
          duration = now->duration;
          break;
        }
      g_assert_cmpint (now->duration, ==, 0);
      pv_test_spin_main_context (20);
    }

  g_assert_cmpstr (statuses->str, ==, "queued → ringing → in-progress → completed");
  g_assert_cmpint (duration, >, 0);

  path = g_strdup_printf ("/2010-04-01/Accounts/%s/Calls/%s.json",
                          pv_fake_twilio_get_account_sid (fixture->fake), call->sid);
  g_assert_cmpstr (get_last_request (fixture)->method, ==, "GET");
  g_assert_cmpstr (get_last_request (fixture)->path, ==, path);
}

static void
test_fetch_unknown (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(PvTwilioCall) unknown = NULL;
  g_autoptr(PvTwilioCall) malformed = NULL;
  g_autoptr(GError) error = NULL;
  int code = -1;
  char *text = (char *) "unset";

  unknown = fetch_call (fixture->client, CALL_SID, &error);
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_NOT_FOUND);
  g_assert_cmpuint (count_requests (fixture), ==, 1);
  g_clear_error (&error);

  /* A message's SID is no call's: refused without asking. */
  malformed = fetch_call (fixture->client, "SM0123456789abcdef0123456789abcdef", &error);
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (fetch_call_failure (fixture->client, "CA123", &code, &text, &error));
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_NOT_FOUND);
  g_assert_cmpint (code, ==, 0);
  g_assert_null (text);
  g_assert_cmpuint (count_requests (fixture), ==, 1);
}

static void
test_fetch_failure (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(PvTwilioCall) failed = NULL;
  g_autoptr(PvTwilioCall) completed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = NULL;
  int code = -1;

  pv_fake_twilio_set_delivery_step (fixture->fake, 0);
  pv_fake_twilio_set_call_outcome (fixture->fake, CUSTOMER, "failed", 13224);

  failed = start_call (fixture->client, CUSTOMER, TWIML, &error);
  g_assert_no_error (error);
  g_assert_true (fetch_call_failure (fixture->client, failed->sid, &code, &text, &error));
  g_assert_no_error (error);
  g_assert_cmpint (code, ==, 13224);
  g_assert_nonnull (text);
  g_assert_cmpstr (text, !=, "");

  path = g_strdup_printf ("/2010-04-01/Accounts/%s/Calls/%s/Notifications.json",
                          pv_fake_twilio_get_account_sid (fixture->fake), failed->sid);
  g_assert_cmpstr (get_last_request (fixture)->path, ==, path);
  g_clear_pointer (&text, g_free);

  completed = start_call (fixture->client, "+14155550100", TWIML, &error);
  g_assert_no_error (error);
  g_assert_true (fetch_call_failure (fixture->client, completed->sid, &code, &text, &error));
  g_assert_no_error (error);
  g_assert_cmpint (code, ==, 0);
  g_assert_null (text);

  /* Both out values are optional. */
  g_assert_true (fetch_call_failure (fixture->client, failed->sid, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_call_wrong_token (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(PvTwilioCall) call = NULL;
  g_autoptr(PvTwilioCall) fetched = NULL;
  g_autoptr(GError) error = NULL;

  set_credentials (fixture, "wrong-token-0b7e5a", pv_fake_twilio_get_phone_number (fixture->fake),
                   NULL);

  call = start_call (fixture->client, CUSTOMER, TWIML, &error);
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_AUTH_FAILED);
  g_assert_null (strstr (error->message, "wrong-token"));
  g_clear_error (&error);

  fetched = fetch_call (fixture->client, CALL_SID, &error);
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_AUTH_FAILED);
  g_assert_cmpuint (pv_fake_twilio_get_calls (fixture->fake)->len, ==, 0);
}

/* Lookup */

static void
test_lookup_request (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(PvTwilioLookup) lookup = NULL;
  g_autoptr(GError) error = NULL;
  PvFakeTwilioRequest *request;

  lookup = lookup_line_type (fixture->client, CUSTOMER, &error);
  g_assert_no_error (error);

  request = get_last_request (fixture);
  g_assert_cmpstr (request->method, ==, "GET");
  /* libsoup's server decodes the path; lookup/plus-escaped sees it as sent. */
  g_assert_cmpstr (request->path, ==, "/v2/PhoneNumbers/" CUSTOMER);
  g_assert_cmpstr (request->query, ==, "Fields=line_type_intelligence");
  g_assert_nonnull (request->authorization);
  g_assert_true (g_str_has_prefix (request->authorization, "Basic "));

  g_assert_true (lookup->valid);
  g_assert_cmpstr (lookup->phone_number, ==, CUSTOMER);
  g_assert_cmpstr (lookup->country_code, ==, "US");
  g_assert_null (lookup->validation_errors);
  g_assert_cmpint (lookup->line_type, ==, PV_LINE_TYPE_MOBILE);
  g_assert_nonnull (lookup->carrier_name);
  g_assert_cmpint (lookup->line_type_error_code, ==, 0);
}

static void
test_lookup_line_types (Fixture       *fixture,
                        gconstpointer  user_data)
{
  static const struct
  {
    const char *number;
    const char *type;
    PvLineType  line_type;
    gboolean    carrier;
  } cases[] = {
    { "+14155550100", "landline", PV_LINE_TYPE_LANDLINE, TRUE },
    { "+19005550100", "premium", PV_LINE_TYPE_PREMIUM, FALSE },
    { "+14155550101", "nonFixedVoip", PV_LINE_TYPE_NON_FIXED_VOIP, TRUE },
    { "+18005550100", "tollFree", PV_LINE_TYPE_TOLL_FREE, FALSE },
    { "+14155550102", "somethingNew", PV_LINE_TYPE_UNKNOWN, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PvTwilioLookup) lookup = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", cases[i].type);
      pv_fake_twilio_set_line_type (fixture->fake, cases[i].number, cases[i].type);
      lookup = lookup_line_type (fixture->client, cases[i].number, &error);

      g_assert_no_error (error);
      g_assert_true (lookup->valid);
      g_assert_cmpint (lookup->line_type, ==, cases[i].line_type);
      g_assert_cmpint (lookup->carrier_name != NULL, ==, cases[i].carrier);
    }
}

static void
test_lookup_invalid (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(PvTwilioLookup) lookup = NULL;
  g_autoptr(PvTwilioLookup) configured = NULL;
  g_autoptr(PvTwilioLookup) copy = NULL;
  g_autoptr(GError) error = NULL;

  lookup = lookup_line_type (fixture->client, "+1415555267123456789", &error);
  g_assert_no_error (error);
  g_assert_false (lookup->valid);
  g_assert_null (lookup->phone_number);
  g_assert_null (lookup->country_code);
  g_assert_nonnull (lookup->validation_errors);
  g_assert_cmpstrv (lookup->validation_errors, ((const char * const[]) { "TOO_LONG", NULL }));
  g_assert_cmpint (lookup->line_type, ==, PV_LINE_TYPE_UNKNOWN);
  g_assert_null (lookup->carrier_name);

  pv_fake_twilio_set_number_invalid (fixture->fake, "+14155550199", "INVALID_BUT_POSSIBLE");
  configured = lookup_line_type (fixture->client, "+14155550199", &error);
  g_assert_no_error (error);
  g_assert_false (configured->valid);
  g_assert_cmpstrv (configured->validation_errors,
                    ((const char * const[]) { "INVALID_BUT_POSSIBLE", NULL }));

  copy = pv_twilio_lookup_copy (configured);
  g_assert_false (copy->valid);
  g_assert_cmpstrv (copy->validation_errors, configured->validation_errors);
  g_assert_true (copy->validation_errors != configured->validation_errors);
}

static void
test_lookup_auth_error (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(PvTwilioLookup) lookup = NULL;
  g_autoptr(GError) error = NULL;

  set_credentials (fixture, "wrong-token-0b7e5a", pv_fake_twilio_get_phone_number (fixture->fake),
                   NULL);
  lookup = lookup_line_type (fixture->client, CUSTOMER, &error);

  g_assert_null (lookup);
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_AUTH_FAILED);
  assert_twilio_code_mentioned (error, 20003);
  g_assert_cmpint (pv_twilio_error_get_next_step (error), ==, PV_TWILIO_NEXT_STEP_CHECK_SETTINGS);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* Answers one request from a thread, after keeping its request line: the fake's server
 * decodes the path before anyone can look at it. */
static gboolean
raw_run_cb (GThreadedSocketService *service,
            GSocketConnection      *connection,
            GObject                *source_object,
            gpointer                user_data)
{
  static const char reply[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 14\r\n"
    "Connection: close\r\n\r\n{\"valid\":true}";
  GAsyncQueue *lines = user_data;
  g_autoptr(GDataInputStream) input = NULL;
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  char *line;

  input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (input), FALSE);
  line = g_data_input_stream_read_line (input, NULL, NULL, NULL);
  g_async_queue_push (lines, line != NULL ? line : g_strdup (""));

  /* The headers, up to the empty line. */
  while ((line = g_data_input_stream_read_line (input, NULL, NULL, NULL)) != NULL)
    {
      gboolean end = line[0] == '\0' || g_str_equal (line, "\r");

      g_free (line);
      if (end)
        break;
    }

  g_output_stream_write_all (output, reply, strlen (reply), NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  return TRUE;
}

static void
test_lookup_plus_escaped (void)
{
  g_autoptr(GSocketService) service = g_threaded_socket_service_new (1);
  g_autoptr(GAsyncQueue) lines = g_async_queue_new_full (g_free);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(PvTwilioClient) client = NULL;
  g_autoptr(PvTwilioCredentials) credentials = NULL;
  g_autoptr(PvTwilioLookup) lookup = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *line = NULL;

  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "run", G_CALLBACK (raw_run_cb), lines);
  g_socket_service_start (service);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  client = pv_twilio_client_new ("http://127.0.0.1:9");
  pv_twilio_client_set_lookups_url (client, url);
  credentials = pv_twilio_credentials_new ("AC0123456789abcdef0123456789abcdef", NULL,
                                           "0123456789abcdef0123456789abcdef",
                                           "+15005550006", NULL);
  pv_twilio_client_set_credentials (client, credentials);

  lookup = lookup_line_type (client, CUSTOMER, &error);
  g_assert_no_error (error);
  g_assert_true (lookup->valid);

  line = g_async_queue_pop (lines);
  g_assert_cmpstr (line, ==,
                   "GET /v2/PhoneNumbers/%2B14155552671?Fields=line_type_intelligence "
                   "HTTP/1.1\r");

  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
}

/* Lookup lives on a host of its own; the REST API's is not asked. */
static void
test_lookup_url (void)
{
  g_autoptr(PvTwilioClient) plain = NULL;
  g_autoptr(PvTwilioClient) from_env = NULL;
  g_autoptr(PvTwilioClient) client = NULL;
  g_autofree char *property = NULL;
  guint notified = 0;

  g_setenv ("PHONE_VERIFY_TWILIO_LOOKUPS_URL", "", TRUE);
  plain = pv_twilio_client_new ("http://127.0.0.1:9");
  g_assert_cmpstr (pv_twilio_client_get_lookups_url (plain), ==, "https://lookups.twilio.com");

  g_setenv ("PHONE_VERIFY_TWILIO_LOOKUPS_URL", "http://127.0.0.1:7/", TRUE);
  from_env = pv_twilio_client_new ("http://127.0.0.1:9");
  g_assert_cmpstr (pv_twilio_client_get_lookups_url (from_env), ==, "http://127.0.0.1:7");
  g_unsetenv ("PHONE_VERIFY_TWILIO_LOOKUPS_URL");

  client = g_object_new (PV_TYPE_TWILIO_CLIENT,
                         "base-url", "http://127.0.0.1:9",
                         "lookups-url", "http://127.0.0.1:8//",
                         NULL);
  g_object_get (client, "lookups-url", &property, NULL);
  g_assert_cmpstr (property, ==, "http://127.0.0.1:8");

  g_signal_connect (client, "notify::lookups-url", G_CALLBACK (count_notify_cb), &notified);
  pv_twilio_client_set_lookups_url (client, "http://127.0.0.1:8");
  g_assert_cmpuint (notified, ==, 0);
  pv_twilio_client_set_lookups_url (client, "http://127.0.0.1:6");
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpstr (pv_twilio_client_get_lookups_url (client), ==, "http://127.0.0.1:6");
}

/* Lookup without an account fails at once, as every other request does. */
static void
test_lookup_no_credentials (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(PvTwilioLookup) lookup = NULL;
  g_autoptr(PvTwilioCall) call = NULL;
  g_autoptr(GError) error = NULL;

  pv_twilio_client_set_credentials (fixture->client, NULL);

  lookup = lookup_line_type (fixture->client, CUSTOMER, &error);
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_AUTH_FAILED);
  g_clear_error (&error);
  call = start_call (fixture->client, CUSTOMER, TWIML, &error);
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_AUTH_FAILED);
  g_assert_cmpuint (count_requests (fixture), ==, 0);
}

/* Parsing odd replies directly */

static GBytes *
bytes (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static void
test_parse_call (void)
{
  static const struct
  {
    const char *json;
    const char *status;  /* NULL: malformed */
    int         duration;
  } cases[] = {
    { "{\"sid\":\"" CALL_SID "\",\"status\":\"in-progress\",\"duration\":null}", "in-progress", 0 },
    { "{\"sid\":\"" CALL_SID "\",\"status\":\"no-answer\",\"duration\":\"\"}", "no-answer", 0 },
    { "{\"sid\":\"" CALL_SID "\",\"status\":\"completed\",\"duration\":\"37\"}", "completed", 37 },
    { "{\"sid\":\"" CALL_SID "\",\"status\":\"completed\",\"duration\":12}", "completed", 12 },
    { "{\"sid\":\"" CALL_SID "\",\"status\":\"queued\"}", "queued", 0 },
    { "{\"sid\":\"" CALL_SID "\",\"status\":\"completed\",\"duration\":\"3s\"}", NULL, 0 },
    { "{\"sid\":\"" CALL_SID "\",\"status\":\"completed\",\"duration\":\"-3\"}", NULL, 0 },
    { "{\"sid\":\"" CALL_SID "\",\"status\":\"Completed\"}", NULL, 0 },
    { "{\"sid\":\"SM0123456789abcdef0123456789abcdef\",\"status\":\"queued\"}", NULL, 0 },
    { "{\"status\":\"queued\"}", NULL, 0 },
    { "[]", NULL, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) reply = bytes (cases[i].json);
      g_autoptr(GError) error = NULL;
      g_autoptr(PvTwilioCall) call = pv_twilio_json_parse_call (reply, &error);

      g_test_message ("%s", cases[i].json);
      if (cases[i].status == NULL)
        {
          g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_MALFORMED_REPLY);
          g_assert_null (call);
          continue;
        }

      g_assert_no_error (error);
      g_assert_cmpstr (call->sid, ==, CALL_SID);
      g_assert_cmpstr (call->status, ==, cases[i].status);
      g_assert_cmpint (call->duration, ==, cases[i].duration);
    }
}

static void
test_parse_call_failure (void)
{
  static const struct
  {
    const char *json;
    gboolean    ok;
    int         code;
    const char *text;
  } cases[] = {
    { "{\"notifications\":[]}", TRUE, 0, NULL },
    /* The ERROR wins over a WARNING before it. */
    { "{\"notifications\":[{\"log\":\"1\",\"error_code\":\"13910\",\"message_text\":\"w\"},"
      "{\"log\":\"0\",\"error_code\":\"13224\",\"message_text\":\"e\"}]}", TRUE, 13224, "e" },
    /* Without an ERROR, the first item. */
    { "{\"notifications\":[{\"log\":\"1\",\"error_code\":\"13910\",\"message_text\":\"w\"},"
      "{\"log\":\"1\",\"error_code\":\"13911\",\"message_text\":\"x\"}]}", TRUE, 13910, "w" },
    { "{\"notifications\":[{\"log\":\"0\",\"error_code\":\"32205\",\"message_text\":null}]}",
      TRUE, 32205, NULL },
    /* The code is a string on the wire; a number is not the shape Twilio sends. */
    { "{\"notifications\":[{\"log\":\"0\",\"error_code\":13224}]}", FALSE, 0, NULL },
    { "{\"notifications\":[{\"log\":\"0\",\"error_code\":\"13x\"}]}", FALSE, 0, NULL },
    { "{\"notifications\":[\"13224\"]}", FALSE, 0, NULL },
    { "{\"calls\":[]}", FALSE, 0, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) reply = bytes (cases[i].json);
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;
      int code = -1;
      gboolean ok;

      g_test_message ("%s", cases[i].json);
      ok = pv_twilio_json_parse_call_failure (reply, &code, &text, &error);

      g_assert_cmpint (ok, ==, cases[i].ok);
      if (!ok)
        g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_MALFORMED_REPLY);
      else
        g_assert_no_error (error);
      g_assert_cmpint (code, ==, cases[i].code);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_parse_lookup (void)
{
  static const struct
  {
    const char *type;
    PvLineType  line_type;
  } types[] = {
    { "mobile", PV_LINE_TYPE_MOBILE },
    { "landline", PV_LINE_TYPE_LANDLINE },
    { "fixedVoip", PV_LINE_TYPE_FIXED_VOIP },
    { "nonFixedVoip", PV_LINE_TYPE_NON_FIXED_VOIP },
    { "personal", PV_LINE_TYPE_PERSONAL },
    { "tollFree", PV_LINE_TYPE_TOLL_FREE },
    { "premium", PV_LINE_TYPE_PREMIUM },
    { "sharedCost", PV_LINE_TYPE_SHARED_COST },
    { "uan", PV_LINE_TYPE_UAN },
    { "voicemail", PV_LINE_TYPE_VOICEMAIL },
    { "pager", PV_LINE_TYPE_PAGER },
    { "unknown", PV_LINE_TYPE_UNKNOWN },
  };
  static const char * const malformed[] = {
    "{\"phone_number\":\"+14155552671\"}",
    "{\"valid\":\"true\"}",
    "{\"valid\":true,\"validation_errors\":\"TOO_LONG\"}",
    "{\"valid\":true,\"validation_errors\":[1]}",
    "{\"valid\":true,\"line_type_intelligence\":\"mobile\"}",
    "{\"valid\":true,\"line_type_intelligence\":{\"type\":1}}",
    "{\"valid\":true,\"line_type_intelligence\":{\"type\":\"mobile\",\"error_code\":\"60607\"}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"valid\":true,\"phone_number\":\"+14155552671\","
                                               "\"country_code\":\"US\",\"line_type_intelligence\":"
                                               "{\"type\":\"%s\",\"carrier_name\":null,"
                                               "\"error_code\":null}}", types[i].type);
      g_autoptr(GBytes) reply = bytes (json);
      g_autoptr(GError) error = NULL;
      g_autoptr(PvTwilioLookup) lookup = pv_twilio_json_parse_lookup (reply, &error);

      g_assert_no_error (error);
      g_assert_cmpint (lookup->line_type, ==, types[i].line_type);
      g_assert_null (lookup->carrier_name);
    }

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_autoptr(GBytes) reply = bytes (malformed[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(PvTwilioLookup) lookup = pv_twilio_json_parse_lookup (reply, &error);

      g_test_message ("%s", malformed[i]);
      g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_MALFORMED_REPLY);
      g_assert_null (lookup);
    }
}

/* The package's error inside a 200: the lookup still answers, with the code. */
static void
test_parse_lookup_error_code (void)
{
  g_autoptr(GBytes) reply = bytes ("{\"valid\":true,\"phone_number\":\"+14165550100\","
                                   "\"country_code\":\"CA\",\"validation_errors\":[],"
                                   "\"line_type_intelligence\":{\"type\":null,"
                                   "\"carrier_name\":null,\"error_code\":60601}}");
  g_autoptr(GError) error = NULL;
  g_autoptr(PvTwilioLookup) lookup = pv_twilio_json_parse_lookup (reply, &error);

  g_assert_no_error (error);
  g_assert_true (lookup->valid);
  g_assert_cmpstr (lookup->country_code, ==, "CA");
  g_assert_null (lookup->validation_errors);
  g_assert_cmpint (lookup->line_type, ==, PV_LINE_TYPE_UNKNOWN);
  g_assert_cmpint (lookup->line_type_error_code, ==, 60601);
}

static void
test_call_is_final (void)
{
  static const struct
  {
    const char *status;
    gboolean    final;
  } cases[] = {
    { "completed", TRUE },
    { "busy", TRUE },
    { "failed", TRUE },
    { "no-answer", TRUE },
    { "canceled", TRUE },
    { "queued", FALSE },
    { "ringing", FALSE },
    { "in-progress", FALSE },
    { "delivered", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PvTwilioCall call = { .sid = (char *) CALL_SID, .status = (char *) cases[i].status,
                            .duration = 5 };
      g_autoptr(PvTwilioCall) copy = pv_twilio_call_copy (&call);

      g_assert_cmpint (pv_twilio_call_is_final (&call), ==, cases[i].final);
      g_assert_cmpstr (copy->status, ==, cases[i].status);
      g_assert_cmpint (copy->duration, ==, 5);
      g_assert_cmpint (pv_twilio_call_is_final (copy), ==, cases[i].final);
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

  add_fixture_test ("/twilio-calls/start/form-fields", test_start_form_fields);
  add_fixture_test ("/twilio-calls/start/sender", test_start_sender);
  add_fixture_test ("/twilio-calls/start/twiml-limit", test_start_twiml_limit);
  add_fixture_test ("/twilio-calls/start/errors", test_start_errors);
  add_fixture_test ("/twilio-calls/start/lost-answer", test_start_lost_answer);
  add_fixture_test ("/twilio-calls/wrong-token", test_call_wrong_token);
  add_fixture_test ("/twilio-calls/fetch/progression", test_fetch_progression);
  add_fixture_test ("/twilio-calls/fetch/unknown", test_fetch_unknown);
  add_fixture_test ("/twilio-calls/fetch/failure", test_fetch_failure);
  add_fixture_test ("/twilio-calls/lookup/request", test_lookup_request);
  add_fixture_test ("/twilio-calls/lookup/line-types", test_lookup_line_types);
  add_fixture_test ("/twilio-calls/lookup/invalid", test_lookup_invalid);
  add_fixture_test ("/twilio-calls/lookup/auth-error", test_lookup_auth_error);
  add_fixture_test ("/twilio-calls/no-credentials", test_lookup_no_credentials);
  g_test_add_func ("/twilio-calls/lookup/url", test_lookup_url);
  g_test_add_func ("/twilio-calls/lookup/plus-escaped", test_lookup_plus_escaped);

  g_test_add_func ("/twilio-calls/parse/call", test_parse_call);
  g_test_add_func ("/twilio-calls/parse/call-failure", test_parse_call_failure);
  g_test_add_func ("/twilio-calls/parse/lookup", test_parse_lookup);
  g_test_add_func ("/twilio-calls/parse/lookup-error-code", test_parse_lookup_error_code);
  g_test_add_func ("/twilio-calls/call/is-final", test_call_is_final);

  return g_test_run ();
}
