/* test-fake-twilio.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-fake-twilio"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "pv-fake-twilio.h"

/* These tests talk to the fake with a bare SoupSession, not with the app's client, so that
 * they pin down the wire shape the client is written against. */

#define CUSTOMER "+14155552671"

typedef struct
{
  PvFakeTwilio *fake;
  SoupSession  *session;
  char         *base_url;
  char         *messages_path;
} Harness;

typedef struct
{
  SoupMessage *msg;
  GBytes      *body;
  GError      *error;
  gboolean     done;
} Exchange;

static void
harness_init (Harness *h)
{
  g_autoptr(GError) error = NULL;

  h->fake = pv_fake_twilio_new ();
  pv_fake_twilio_listen (h->fake, 0, &error);
  g_assert_no_error (error);

  h->base_url = pv_fake_twilio_dup_base_url (h->fake);
  h->messages_path = g_strdup_printf ("/2010-04-01/Accounts/%s/Messages.json",
                                      pv_fake_twilio_get_account_sid (h->fake));
  h->session = soup_session_new_with_options ("timeout", 5, "proxy-resolver", NULL, NULL);
}

static void
harness_clear (Harness *h)
{
  g_clear_object (&h->session);

  if (h->fake != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (h->fake), (gpointer *) &h->fake);
      g_object_unref (h->fake);
      g_assert_null (h->fake);
    }

  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_clear_pointer (&h->base_url, g_free);
  g_clear_pointer (&h->messages_path, g_free);
}

static void
exchange_clear (Exchange *exchange)
{
  g_clear_object (&exchange->msg);
  g_clear_pointer (&exchange->body, g_bytes_unref);
  g_clear_error (&exchange->error);
  exchange->done = FALSE;
}

static void
set_basic_auth (SoupMessage *msg,
                const char  *user,
                const char  *password)
{
  g_autofree char *pair = g_strconcat (user, ":", password, NULL);
  g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
  g_autofree char *header = g_strconcat ("Basic ", encoded, NULL);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", header);
}

/* form is taken; NULL sends no body. */
static SoupMessage *
new_message (Harness    *h,
             const char *method,
             const char *path,
             char       *form)
{
  g_autofree char *url = g_strconcat (h->base_url, path, NULL);
  SoupMessage *msg;

  if (form != NULL)
    msg = soup_message_new_from_encoded_form (method, url, form);
  else
    msg = soup_message_new (method, url);

  g_assert_nonnull (msg);
  set_basic_auth (msg,
                  pv_fake_twilio_get_account_sid (h->fake),
                  pv_fake_twilio_get_auth_token (h->fake));

  return msg;
}

static void
exchange_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Exchange *exchange = user_data;

  exchange->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                      &exchange->error);
  exchange->done = TRUE;
}

static void
exchange_start (Harness      *h,
                Exchange     *exchange,
                GCancellable *cancellable)
{
  soup_session_send_and_read_async (h->session, exchange->msg, G_PRIORITY_DEFAULT, cancellable,
                                    exchange_done, exchange);
}

static void
exchange_wait (Exchange *exchange)
{
  while (!exchange->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
exchange_run (Harness  *h,
              Exchange *exchange)
{
  exchange_start (h, exchange, NULL);
  exchange_wait (exchange);
  g_assert_no_error (exchange->error);
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;

  return G_SOURCE_REMOVE;
}

/* Sleeps while still serving the fake, which runs in this thread. */
static void
wait_ms (guint milliseconds)
{
  gboolean due = FALSE;

  g_timeout_add (milliseconds, set_flag, &due);
  while (!due)
    g_main_context_iteration (NULL, TRUE);
}

static const char *
content_type_of (SoupMessage *msg)
{
  return soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);
}

static JsonObject *
parse_object (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  gsize length;
  const char *data = g_bytes_get_data (body, &length);

  json_parser_load_from_data (parser, data, length, &error);
  g_assert_no_error (error);

  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));

  return json_object_ref (json_node_get_object (root));
}

static JsonObject *
exchange_json (Harness  *h,
               Exchange *exchange,
               guint     expected_status)
{
  exchange_run (h, exchange);
  g_assert_cmpuint (soup_message_get_status (exchange->msg), ==, expected_status);
  g_assert_cmpstr (content_type_of (exchange->msg), ==, "application/json");

  return parse_object (exchange->body);
}

/* Pairs of field name and value, NULL-terminated. */
static JsonObject *
post_messages (Harness    *h,
               guint       expected_status,
               const char *first_field,
               ...)
{
  Exchange exchange = { 0 };
  JsonObject *object;
  va_list args;

  va_start (args, first_field);
  exchange.msg = new_message (h, SOUP_METHOD_POST, h->messages_path,
                              soup_form_encode_valist (first_field, args));
  va_end (args);

  object = exchange_json (h, &exchange, expected_status);
  exchange_clear (&exchange);

  return object;
}

static JsonObject *
get_json (Harness    *h,
          const char *path,
          guint       expected_status)
{
  Exchange exchange = { 0 };
  JsonObject *object;

  exchange.msg = new_message (h, SOUP_METHOD_GET, path, NULL);
  object = exchange_json (h, &exchange, expected_status);
  exchange_clear (&exchange);

  return object;
}

static JsonObject *
fetch_message (Harness    *h,
               const char *sid)
{
  g_autofree char *path = g_strdup_printf ("/2010-04-01/Accounts/%s/Messages/%s.json",
                                           pv_fake_twilio_get_account_sid (h->fake), sid);

  return get_json (h, path, SOUP_STATUS_OK);
}

static JsonNode *
get_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    g_error ("member “%s” is missing", name);

  return node;
}

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = get_member (object, name);

  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpstr (g_type_name (json_node_get_value_type (node)), ==, "gchararray");

  return json_node_get_string (node);
}

static gint64
get_int (JsonObject *object,
         const char *name)
{
  JsonNode *node = get_member (object, name);

  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpstr (g_type_name (json_node_get_value_type (node)), ==, "gint64");

  return json_node_get_int (node);
}

static void
assert_null_member (JsonObject *object,
                    const char *name)
{
  g_assert_true (JSON_NODE_HOLDS_NULL (get_member (object, name)));
}

static void
assert_matches (const char *pattern,
                const char *text)
{
  if (!g_regex_match_simple (pattern, text, 0, 0))
    g_error ("“%s” does not match %s", text, pattern);
}

/* Parses "Thu, 24 Aug 2023 05:01:45 +0000" strictly, including the day name. */
static GDateTime *
parse_rfc2822 (const char *text)
{
  static const char * const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char * const months[] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  };
  char day_name[4], month_name[4], zone[6];
  int day, year, hour, minute, second;
  int month = 0;
  GDateTime *time;

  if (strlen (text) != strlen ("Thu, 24 Aug 2023 05:01:45 +0000") ||
      sscanf (text, "%3s, %2d %3s %4d %2d:%2d:%2d %5s",
              day_name, &day, month_name, &year, &hour, &minute, &second, zone) != 8 ||
      !g_str_equal (zone, "+0000"))
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (months); i++)
    {
      if (g_str_equal (month_name, months[i]))
        month = i + 1;
    }

  time = g_date_time_new_utc (year, month, day, hour, minute, second);
  if (time != NULL && !g_str_equal (days[g_date_time_get_day_of_week (time) - 1], day_name))
    g_clear_pointer (&time, g_date_time_unref);

  return time;
}

static void
assert_recent_date (JsonObject *object,
                    const char *name)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) time = parse_rfc2822 (get_string (object, name));

  g_assert_nonnull (time);
  g_assert_cmpint (ABS (g_date_time_difference (now, time)), <=, 5 * G_TIME_SPAN_SECOND);
}

static void
assert_twilio_error (JsonObject *object,
                     int         code,
                     guint       status)
{
  g_autofree char *more_info = g_strdup_printf ("https://www.twilio.com/docs/errors/%d", code);

  g_assert_cmpint (get_int (object, "code"), ==, code);
  g_assert_cmpint (get_int (object, "status"), ==, status);
  g_assert_cmpstr (get_string (object, "more_info"), ==, more_info);
  g_assert_cmpstr (get_string (object, "message"), !=, "");
  g_assert_cmpuint (json_object_get_size (object), ==, 4);
}

static void
count_signal (PvFakeTwilio              *fake,
              const PvFakeTwilioMessage *message,
              gpointer                   user_data)
{
  GPtrArray *seen = user_data;

  g_ptr_array_add (seen, g_strdup (message->sid));
}

static void
test_account_identity (void)
{
  g_autoptr(PvFakeTwilio) fake = pv_fake_twilio_new ();
  g_autoptr(PvFakeTwilio) other = pv_fake_twilio_new ();
  g_autoptr(PvFakeTwilio) fixed = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;

  assert_matches ("^AC[0-9a-f]{32}$", pv_fake_twilio_get_account_sid (fake));
  assert_matches ("^[0-9a-f]{32}$", pv_fake_twilio_get_auth_token (fake));
  assert_matches ("^MG[0-9a-f]{32}$", pv_fake_twilio_get_messaging_service_sid (fake));
  g_assert_cmpstr (pv_fake_twilio_get_phone_number (fake), ==, "+15005550006");
  g_assert_cmpstr (pv_fake_twilio_get_account_sid (fake), !=,
                   pv_fake_twilio_get_account_sid (other));
  g_assert_cmpstr (pv_fake_twilio_get_auth_token (fake), !=,
                   pv_fake_twilio_get_auth_token (other));

  g_assert_null (pv_fake_twilio_dup_base_url (fake));
  pv_fake_twilio_listen (fake, 0, &error);
  g_assert_no_error (error);
  url = pv_fake_twilio_dup_base_url (fake);
  assert_matches ("^http://127\\.0\\.0\\.1:[1-9][0-9]*$", url);

  fixed = pv_fake_twilio_new_with_credentials ("AC0123456789abcdef0123456789abcdef",
                                               "00112233445566778899aabbccddeeff");
  g_assert_cmpstr (pv_fake_twilio_get_account_sid (fixed), ==,
                   "AC0123456789abcdef0123456789abcdef");
  g_assert_cmpstr (pv_fake_twilio_get_auth_token (fixed), ==,
                   "00112233445566778899aabbccddeeff");
}

static void
test_create_full_resource (void)
{
  Harness h = { 0 };
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *uri = NULL;
  g_autofree char *media = NULL;
  g_autofree char *code = NULL;
  const PvFakeTwilioMessage *stored;
  JsonObject *subresources;
  const char *sid;

  harness_init (&h);
  g_signal_connect (h.fake, "message-received", G_CALLBACK (count_signal), seen);

  message = post_messages (&h, SOUP_STATUS_CREATED,
                           "To", CUSTOMER,
                           "From", "+15005550006",
                           "Body", "Your verification code is: 123456",
                           NULL);

  sid = get_string (message, "sid");
  assert_matches ("^SM[0-9a-f]{32}$", sid);
  g_assert_cmpstr (get_string (message, "account_sid"), ==,
                   pv_fake_twilio_get_account_sid (h.fake));
  assert_null_member (message, "messaging_service_sid");
  g_assert_cmpstr (get_string (message, "to"), ==, CUSTOMER);
  g_assert_cmpstr (get_string (message, "from"), ==, "+15005550006");
  g_assert_cmpstr (get_string (message, "body"), ==, "Your verification code is: 123456");
  g_assert_cmpstr (get_string (message, "status"), ==, "queued");
  g_assert_cmpstr (get_string (message, "direction"), ==, "outbound-api");
  g_assert_cmpstr (get_string (message, "num_segments"), ==, "1");
  g_assert_cmpstr (get_string (message, "num_media"), ==, "0");
  assert_null_member (message, "price");
  g_assert_cmpstr (get_string (message, "price_unit"), ==, "USD");
  assert_null_member (message, "error_code");
  assert_null_member (message, "error_message");
  assert_recent_date (message, "date_created");
  assert_recent_date (message, "date_updated");
  assert_null_member (message, "date_sent");
  g_assert_cmpstr (get_string (message, "api_version"), ==, "2010-04-01");

  uri = g_strdup_printf ("/2010-04-01/Accounts/%s/Messages/%s.json",
                         pv_fake_twilio_get_account_sid (h.fake), sid);
  g_assert_cmpstr (get_string (message, "uri"), ==, uri);
  media = g_strdup_printf ("/2010-04-01/Accounts/%s/Messages/%s/Media.json",
                           pv_fake_twilio_get_account_sid (h.fake), sid);
  subresources = json_node_get_object (get_member (message, "subresource_uris"));
  g_assert_nonnull (subresources);
  g_assert_cmpstr (get_string (subresources, "media"), ==, media);
  g_assert_cmpuint (json_object_get_size (message), ==, 20);

  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, sid);
  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 1);
  stored = pv_fake_twilio_get_last_message_to (h.fake, CUSTOMER);
  g_assert_nonnull (stored);
  g_assert_cmpstr (stored->sid, ==, sid);
  g_assert_cmpstr (stored->from, ==, "+15005550006");
  g_assert_null (stored->messaging_service_sid);
  code = pv_fake_twilio_dup_last_code_to (h.fake, CUSTOMER);
  g_assert_cmpstr (code, ==, "123456");

  harness_clear (&h);
}

static void
test_create_with_messaging_service (void)
{
  Harness h = { 0 };
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) fetched = NULL;
  const PvFakeTwilioMessage *stored;
  const char *service_sid;

  harness_init (&h);
  service_sid = pv_fake_twilio_get_messaging_service_sid (h.fake);

  created = post_messages (&h, SOUP_STATUS_CREATED,
                           "To", CUSTOMER,
                           "MessagingServiceSid", service_sid,
                           "Body", "Your verification code is: 123456",
                           NULL);
  g_assert_cmpstr (get_string (created, "status"), ==, "accepted");
  g_assert_cmpstr (get_string (created, "messaging_service_sid"), ==, service_sid);
  assert_null_member (created, "from");
  g_assert_cmpstr (get_string (created, "num_segments"), ==, "0");

  stored = pv_fake_twilio_get_last_message_to (h.fake, CUSTOMER);
  g_assert_null (stored->from);
  g_assert_cmpstr (stored->messaging_service_sid, ==, service_sid);

  /* Once the service has picked its sender, the message looks like any other. */
  fetched = fetch_message (&h, get_string (created, "sid"));
  g_assert_cmpstr (get_string (fetched, "status"), ==, "queued");
  g_assert_cmpstr (get_string (fetched, "from"), ==, "+15005550006");
  g_assert_cmpstr (get_string (fetched, "num_segments"), ==, "1");

  harness_clear (&h);
}

static void
test_create_rejects_foreign_messaging_service (void)
{
  Harness h = { 0 };
  g_autoptr(JsonObject) foreign = NULL;
  g_autoptr(JsonObject) malformed = NULL;

  harness_init (&h);

  foreign = post_messages (&h, SOUP_STATUS_BAD_REQUEST,
                           "To", CUSTOMER,
                           "MessagingServiceSid", "MG0123456789abcdef0123456789abcdef",
                           "Body", "Hello",
                           NULL);
  assert_twilio_error (foreign, 21701, 400);

  malformed = post_messages (&h, SOUP_STATUS_BAD_REQUEST,
                             "To", CUSTOMER,
                             "MessagingServiceSid", "MG-not-a-sid",
                             "Body", "Hello",
                             NULL);
  assert_twilio_error (malformed, 21705, 400);
  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 0);

  harness_clear (&h);
}

static void
assert_unauthorized (Harness     *h,
                     SoupMessage *msg)
{
  Exchange exchange = { 0 };
  g_autoptr(JsonObject) error = NULL;
  const char *challenge;

  exchange.msg = msg;
  error = exchange_json (h, &exchange, SOUP_STATUS_UNAUTHORIZED);
  challenge = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                            "WWW-Authenticate");
  g_assert_cmpstr (challenge, ==, "Basic realm=\"Twilio API\"");
  assert_twilio_error (error, 20003, 401);
  g_assert_cmpstr (get_string (error, "message"), ==, "Authenticate");

  exchange_clear (&exchange);
}

static void
test_auth_failures (void)
{
  Harness h = { 0 };
  g_autoptr(PvFakeTwilio) other = pv_fake_twilio_new ();
  g_autofree char *other_path = NULL;
  SoupMessage *msg;

  harness_init (&h);

  msg = new_message (&h, SOUP_METHOD_POST, h.messages_path,
                     soup_form_encode ("To", CUSTOMER, "From", "+15005550006", "Body", "Hi", NULL));
  soup_message_headers_remove (soup_message_get_request_headers (msg), "Authorization");
  assert_unauthorized (&h, msg);

  msg = new_message (&h, SOUP_METHOD_POST, h.messages_path,
                     soup_form_encode ("To", CUSTOMER, "From", "+15005550006", "Body", "Hi", NULL));
  set_basic_auth (msg, pv_fake_twilio_get_account_sid (h.fake),
                  pv_fake_twilio_get_auth_token (other));
  assert_unauthorized (&h, msg);

  msg = new_message (&h, SOUP_METHOD_GET, h.messages_path, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                "Basic !!!not-base64");
  assert_unauthorized (&h, msg);

  /* Good credentials, but another account's URL. */
  other_path = g_strdup_printf ("/2010-04-01/Accounts/%s/Messages.json",
                                pv_fake_twilio_get_account_sid (other));
  msg = new_message (&h, SOUP_METHOD_POST, other_path,
                     soup_form_encode ("To", CUSTOMER, "From", "+15005550006", "Body", "Hi", NULL));
  assert_unauthorized (&h, msg);

  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 0);

  harness_clear (&h);
}

static void
test_auth_api_key (void)
{
  Harness h = { 0 };
  g_autoptr(JsonObject) message = NULL;
  Exchange exchange = { 0 };

  harness_init (&h);
  pv_fake_twilio_add_api_key (h.fake, "SK0123456789abcdef0123456789abcdef", "key-secret");

  exchange.msg = new_message (&h, SOUP_METHOD_POST, h.messages_path,
                              soup_form_encode ("To", CUSTOMER, "From", "+15005550006",
                                                "Body", "Hi", NULL));
  set_basic_auth (exchange.msg, "SK0123456789abcdef0123456789abcdef", "key-secret");
  message = exchange_json (&h, &exchange, SOUP_STATUS_CREATED);
  g_assert_cmpstr (get_string (message, "account_sid"), ==,
                   pv_fake_twilio_get_account_sid (h.fake));
  exchange_clear (&exchange);

  exchange.msg = new_message (&h, SOUP_METHOD_POST, h.messages_path,
                              soup_form_encode ("To", CUSTOMER, "From", "+15005550006",
                                                "Body", "Hi", NULL));
  set_basic_auth (exchange.msg, "SK0123456789abcdef0123456789abcdef", "wrong-secret");
  assert_unauthorized (&h, g_steal_pointer (&exchange.msg));

  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 1);

  harness_clear (&h);
}

static void
test_magic_numbers (void)
{
  static const struct { const char *from; const char *to; int code; } cases[] = {
    { "+15005550001", CUSTOMER, 21212 },
    { "+15005550007", CUSTOMER, 21606 },
    { "+15005550008", CUSTOMER, 21611 },
    { "+14155550000", CUSTOMER, 21606 },
    { "+15005550006", "+15005550001", 21211 },
    { "+15005550006", "+15005550002", 21612 },
    { "+15005550006", "+15005550003", 21408 },
    { "+15005550006", "+15005550004", 21610 },
    { "+15005550006", "+15005550009", 21614 },
    { "+15005550006", "4155552671", 21211 },
    { "+15005550006", "+04155552671", 21211 },
    { "+15005550006", "+1415555267123456", 21211 },
    { "+15005550006", "+1 415 555 2671", 21211 },
    { "+15005550006", "+15005550006", 21266 },
  };
  Harness h = { 0 };

  harness_init (&h);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) error = NULL;

      g_test_message ("From %s To %s", cases[i].from, cases[i].to);
      error = post_messages (&h, SOUP_STATUS_BAD_REQUEST,
                             "To", cases[i].to,
                             "From", cases[i].from,
                             "Body", "Your verification code is: 123456",
                             NULL);
      assert_twilio_error (error, cases[i].code, 400);
    }

  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 0);

  harness_clear (&h);
}

static void
test_missing_parameters (void)
{
  Harness h = { 0 };
  g_autoptr(JsonObject) no_to = NULL;
  g_autoptr(JsonObject) no_sender = NULL;
  g_autoptr(JsonObject) no_body = NULL;
  g_autoptr(JsonObject) empty_body = NULL;
  g_autoptr(JsonObject) long_body = NULL;
  g_autoptr(JsonObject) json_request = NULL;
  g_autofree char *too_long = g_strnfill (1601, 'x');
  g_autofree char *url = NULL;
  g_autoptr(GBytes) json_body = g_bytes_new_static ("{\"To\":\"" CUSTOMER "\"}",
                                                    strlen ("{\"To\":\"" CUSTOMER "\"}"));
  Exchange exchange = { 0 };

  harness_init (&h);

  no_to = post_messages (&h, SOUP_STATUS_BAD_REQUEST,
                         "From", "+15005550006", "Body", "Hi", NULL);
  assert_twilio_error (no_to, 21604, 400);

  no_sender = post_messages (&h, SOUP_STATUS_BAD_REQUEST,
                             "To", CUSTOMER, "Body", "Hi", NULL);
  assert_twilio_error (no_sender, 21603, 400);

  no_body = post_messages (&h, SOUP_STATUS_BAD_REQUEST,
                           "To", CUSTOMER, "From", "+15005550006", NULL);
  assert_twilio_error (no_body, 21602, 400);

  empty_body = post_messages (&h, SOUP_STATUS_BAD_REQUEST,
                              "To", CUSTOMER, "From", "+15005550006", "Body", "", NULL);
  assert_twilio_error (empty_body, 21602, 400);

  long_body = post_messages (&h, SOUP_STATUS_BAD_REQUEST,
                             "To", CUSTOMER, "From", "+15005550006", "Body", too_long, NULL);
  assert_twilio_error (long_body, 21617, 400);

  /* Twilio only reads form bodies; a JSON body carries no To at all. */
  url = g_strconcat (h.base_url, h.messages_path, NULL);
  exchange.msg = soup_message_new (SOUP_METHOD_POST, url);
  set_basic_auth (exchange.msg, pv_fake_twilio_get_account_sid (h.fake),
                  pv_fake_twilio_get_auth_token (h.fake));
  soup_message_set_request_body_from_bytes (exchange.msg, "application/json", json_body);
  json_request = exchange_json (&h, &exchange, SOUP_STATUS_BAD_REQUEST);
  assert_twilio_error (json_request, 21604, 400);
  exchange_clear (&exchange);

  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 0);

  harness_clear (&h);
}

static void
test_forced_create_error (void)
{
  Harness h = { 0 };
  g_autoptr(JsonObject) landline = NULL;
  g_autoptr(JsonObject) other = NULL;
  g_autoptr(JsonObject) again = NULL;

  harness_init (&h);
  pv_fake_twilio_set_create_error (h.fake, CUSTOMER, 21635);

  landline = post_messages (&h, SOUP_STATUS_BAD_REQUEST,
                            "To", CUSTOMER, "From", "+15005550006", "Body", "Hi", NULL);
  assert_twilio_error (landline, 21635, 400);

  other = post_messages (&h, SOUP_STATUS_CREATED,
                         "To", "+442071838750", "From", "+15005550006", "Body", "Hi", NULL);
  g_assert_cmpstr (get_string (other, "to"), ==, "+442071838750");

  pv_fake_twilio_set_create_error (h.fake, CUSTOMER, 0);
  again = post_messages (&h, SOUP_STATUS_CREATED,
                         "To", CUSTOMER, "From", "+15005550006", "Body", "Hi", NULL);
  g_assert_cmpstr (get_string (again, "to"), ==, CUSTOMER);

  harness_clear (&h);
}

static void
test_trial_account (void)
{
  Harness h = { 0 };
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(JsonObject) accepted = NULL;
  g_autoptr(JsonObject) account = NULL;
  g_autofree char *account_path = NULL;
  g_autofree char *code = NULL;

  harness_init (&h);
  pv_fake_twilio_set_trial_account (h.fake, TRUE);
  pv_fake_twilio_add_verified_recipient (h.fake, "+442071838750");

  refused = post_messages (&h, SOUP_STATUS_BAD_REQUEST,
                           "To", CUSTOMER, "From", "+15005550006", "Body", "Code: 4321", NULL);
  assert_twilio_error (refused, 21608, 400);

  accepted = post_messages (&h, SOUP_STATUS_CREATED,
                            "To", "+442071838750", "From", "+15005550006", "Body", "Code: 4321",
                            NULL);
  g_assert_cmpstr (get_string (accepted, "body"), ==,
                   "Sent from your Twilio trial account - Code: 4321");
  code = pv_fake_twilio_dup_last_code_to (h.fake, "+442071838750");
  g_assert_cmpstr (code, ==, "4321");

  account_path = g_strdup_printf ("/2010-04-01/Accounts/%s.json",
                                  pv_fake_twilio_get_account_sid (h.fake));
  account = get_json (&h, account_path, SOUP_STATUS_OK);
  g_assert_cmpstr (get_string (account, "type"), ==, "Trial");

  harness_clear (&h);
}

/* Fetches the message until it reaches final_status and returns the statuses seen, with
 * repeats collapsed. */
static GPtrArray *
follow_message (Harness     *h,
                const char  *sid,
                const char  *final_status,
                JsonObject **last)
{
  GPtrArray *statuses = g_ptr_array_new_with_free_func (g_free);
  gint64 deadline = g_get_monotonic_time () + 2 * G_TIME_SPAN_SECOND;

  for (;;)
    {
      g_autoptr(JsonObject) message = fetch_message (h, sid);
      const char *status = get_string (message, "status");

      if (statuses->len == 0 || !g_str_equal (g_ptr_array_index (statuses, statuses->len - 1),
                                              status))
        g_ptr_array_add (statuses, g_strdup (status));

      if (g_str_equal (status, final_status))
        {
          *last = g_steal_pointer (&message);
          return statuses;
        }

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      wait_ms (5);
    }
}

static char *
join_statuses (GPtrArray *statuses)
{
  g_ptr_array_add (statuses, NULL);

  return g_strjoinv (" → ", (char **) statuses->pdata);
}

static char *
send_and_follow (Harness     *h,
                 const char  *to,
                 const char  *final_status,
                 JsonObject **last)
{
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(GPtrArray) statuses = NULL;

  created = post_messages (h, SOUP_STATUS_CREATED,
                           "To", to, "From", "+15005550006", "Body", "Code 123456", NULL);
  statuses = follow_message (h, get_string (created, "sid"), final_status, last);

  return join_statuses (statuses);
}

static void
test_delivery_progression (void)
{
  Harness h = { 0 };
  g_autoptr(JsonObject) last = NULL;
  g_autoptr(GDateTime) created = NULL;
  g_autoptr(GDateTime) sent = NULL;
  g_autofree char *statuses = NULL;

  harness_init (&h);
  pv_fake_twilio_set_delivery_step (h.fake, 120);

  statuses = send_and_follow (&h, CUSTOMER, "delivered", &last);
  g_assert_cmpstr (statuses, ==, "queued → sent → delivered");
  assert_null_member (last, "error_code");
  assert_null_member (last, "error_message");
  created = parse_rfc2822 (get_string (last, "date_created"));
  sent = parse_rfc2822 (get_string (last, "date_sent"));
  g_assert_nonnull (created);
  g_assert_nonnull (sent);
  g_assert_cmpint (g_date_time_compare (sent, created), >=, 0);
  assert_recent_date (last, "date_updated");

  harness_clear (&h);
}

static void
test_delivery_undelivered (void)
{
  Harness h = { 0 };
  g_autoptr(JsonObject) last = NULL;
  g_autofree char *statuses = NULL;

  harness_init (&h);
  pv_fake_twilio_set_delivery_step (h.fake, 120);
  pv_fake_twilio_set_delivery_outcome (h.fake, CUSTOMER, "undelivered", 30003);

  statuses = send_and_follow (&h, CUSTOMER, "undelivered", &last);
  g_assert_cmpstr (statuses, ==, "queued → sent → undelivered");
  g_assert_cmpint (get_int (last, "error_code"), ==, 30003);
  g_assert_cmpstr (get_string (last, "error_message"), ==, "Unreachable destination handset");
  assert_recent_date (last, "date_sent");

  harness_clear (&h);
}

static void
test_delivery_failed (void)
{
  Harness h = { 0 };
  g_autoptr(JsonObject) last = NULL;
  g_autofree char *statuses = NULL;

  harness_init (&h);
  pv_fake_twilio_set_delivery_step (h.fake, 120);
  pv_fake_twilio_set_delivery_outcome (h.fake, CUSTOMER, "failed", 30002);

  statuses = send_and_follow (&h, CUSTOMER, "failed", &last);
  g_assert_cmpstr (statuses, ==, "queued → failed");
  g_assert_cmpint (get_int (last, "error_code"), ==, 30002);
  g_assert_cmpstr (get_string (last, "error_message"), ==, "Account suspended");
  assert_null_member (last, "date_sent");

  harness_clear (&h);
}

static void
test_delivery_stays_sent (void)
{
  Harness h = { 0 };
  g_autoptr(JsonObject) last = NULL;
  g_autoptr(JsonObject) later = NULL;
  g_autofree char *statuses = NULL;

  harness_init (&h);
  pv_fake_twilio_set_delivery_step (h.fake, 40);
  pv_fake_twilio_set_delivery_outcome (h.fake, CUSTOMER, "sent", 0);

  statuses = send_and_follow (&h, CUSTOMER, "sent", &last);
  g_assert_cmpstr (statuses, ==, "queued → sent");
  wait_ms (120);
  later = fetch_message (&h, get_string (last, "sid"));
  g_assert_cmpstr (get_string (later, "status"), ==, "sent");
  assert_null_member (later, "error_code");

  harness_clear (&h);
}

static void
test_not_found (void)
{
  static const struct { const char *method; gboolean below_account; const char *path; } cases[] = {
    { "GET", TRUE, "/Messages/SM0123456789abcdef0123456789abcdef.json" },
    { "GET", TRUE, "/Messages/nonsense.json" },
    { "DELETE", TRUE, "/Messages/SM0123456789abcdef0123456789abcdef.json" },
    { "GET", TRUE, "/Calls.json" },
    { "DELETE", TRUE, "/Messages.json" },
    { "POST", TRUE, ".json" },
    { "GET", TRUE, "" },
    { "GET", FALSE, "/v2/Services/VA0123456789abcdef0123456789abcdef/Verifications" },
    { "GET", FALSE, "/" },
  };
  Harness h = { 0 };
  Exchange exchange = { 0 };

  harness_init (&h);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = NULL;
      g_autoptr(JsonObject) error = NULL;

      if (cases[i].below_account)
        path = g_strconcat ("/2010-04-01/Accounts/", pv_fake_twilio_get_account_sid (h.fake),
                            cases[i].path, NULL);
      else
        path = g_strdup (cases[i].path);

      g_test_message ("%s %s", cases[i].method, path);
      exchange.msg = new_message (&h, cases[i].method, path, NULL);
      error = exchange_json (&h, &exchange, SOUP_STATUS_NOT_FOUND);
      assert_twilio_error (error, 20404, 404);
      exchange_clear (&exchange);
    }

  /* Credentials are checked before anything else. */
  exchange.msg = new_message (&h, SOUP_METHOD_GET, "/nowhere", NULL);
  soup_message_headers_remove (soup_message_get_request_headers (exchange.msg), "Authorization");
  assert_unauthorized (&h, g_steal_pointer (&exchange.msg));

  harness_clear (&h);
}

static void
test_account_fetch (void)
{
  Harness h = { 0 };
  g_autoptr(JsonObject) account = NULL;
  g_autofree char *path = NULL;
  const char *account_sid;

  harness_init (&h);
  account_sid = pv_fake_twilio_get_account_sid (h.fake);
  path = g_strdup_printf ("/2010-04-01/Accounts/%s.json", account_sid);

  account = get_json (&h, path, SOUP_STATUS_OK);
  g_assert_cmpstr (get_string (account, "sid"), ==, account_sid);
  g_assert_cmpstr (get_string (account, "owner_account_sid"), ==, account_sid);
  g_assert_cmpstr (get_string (account, "status"), ==, "active");
  g_assert_cmpstr (get_string (account, "type"), ==, "Full");
  g_assert_cmpstr (get_string (account, "friendly_name"), !=, "");
  g_assert_cmpstr (get_string (account, "uri"), ==, path);
  assert_recent_date (account, "date_created");
  g_assert_false (json_object_has_member (account, "auth_token"));

  harness_clear (&h);
}

static void
test_fault_http_errors (void)
{
  static const struct { PvFakeTwilioFault fault; guint status; int code; } cases[] = {
    { PV_FAKE_TWILIO_FAULT_HTTP_429, 429, 20429 },
    { PV_FAKE_TWILIO_FAULT_HTTP_500, 500, 20500 },
    { PV_FAKE_TWILIO_FAULT_HTTP_503, 503, 20503 },
  };
  Harness h = { 0 };
  g_autoptr(JsonObject) recovered = NULL;

  harness_init (&h);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) first = NULL;
      g_autoptr(JsonObject) second = NULL;

      pv_fake_twilio_set_fault (h.fake, cases[i].fault);
      first = post_messages (&h, cases[i].status,
                             "To", CUSTOMER, "From", "+15005550006", "Body", "Hi", NULL);
      assert_twilio_error (first, cases[i].code, cases[i].status);
      /* The fault stays until it is cleared. */
      second = post_messages (&h, cases[i].status,
                              "To", CUSTOMER, "From", "+15005550006", "Body", "Hi", NULL);
      assert_twilio_error (second, cases[i].code, cases[i].status);
    }

  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 0);

  pv_fake_twilio_set_fault (h.fake, PV_FAKE_TWILIO_FAULT_NONE);
  recovered = post_messages (&h, SOUP_STATUS_CREATED,
                             "To", CUSTOMER, "From", "+15005550006", "Body", "Hi", NULL);
  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 1);

  harness_clear (&h);
}

static void
test_fault_slow (void)
{
  Harness h = { 0 };
  g_autoptr(JsonObject) message = NULL;
  gint64 start;

  harness_init (&h);
  pv_fake_twilio_set_fault (h.fake, PV_FAKE_TWILIO_FAULT_SLOW);
  pv_fake_twilio_set_slow_delay (h.fake, 150);

  start = g_get_monotonic_time ();
  message = post_messages (&h, SOUP_STATUS_CREATED,
                           "To", CUSTOMER, "From", "+15005550006", "Body", "Hi", NULL);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 150 * G_TIME_SPAN_MILLISECOND);
  assert_matches ("^SM[0-9a-f]{32}$", get_string (message, "sid"));
  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 1);

  harness_clear (&h);
}

static gboolean
cancel_soon (gpointer user_data)
{
  g_cancellable_cancel (user_data);

  return G_SOURCE_REMOVE;
}

static void
cancel_when_accepted (PvFakeTwilio              *fake,
                      const PvFakeTwilioMessage *message,
                      gpointer                   user_data)
{
  g_idle_add (cancel_soon, user_data);
}

static void
test_fault_slow_client_gone (void)
{
  Harness h = { 0 };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JsonObject) after = NULL;
  Exchange exchange = { 0 };
  gulong handler;

  harness_init (&h);
  pv_fake_twilio_set_fault (h.fake, PV_FAKE_TWILIO_FAULT_SLOW);
  pv_fake_twilio_set_slow_delay (h.fake, 100);

  /* Once the fake holds the reply, not after a fixed time that a busy machine can outlast. */
  handler = g_signal_connect (h.fake, "message-received",
                              G_CALLBACK (cancel_when_accepted), cancellable);
  exchange.msg = new_message (&h, SOUP_METHOD_POST, h.messages_path,
                              soup_form_encode ("To", CUSTOMER, "From", "+15005550006",
                                                "Body", "Hi", NULL));
  exchange_start (&h, &exchange, cancellable);
  exchange_wait (&exchange);
  g_signal_handler_disconnect (h.fake, handler);
  g_assert_error (exchange.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  exchange_clear (&exchange);

  /* Let the delayed reply come due with nobody listening. */
  wait_ms (150);

  pv_fake_twilio_set_fault (h.fake, PV_FAKE_TWILIO_FAULT_NONE);
  after = post_messages (&h, SOUP_STATUS_CREATED,
                         "To", CUSTOMER, "From", "+15005550006", "Body", "Hi", NULL);
  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 2);

  harness_clear (&h);
}

static void
test_fault_slow_fake_finalized (void)
{
  Harness h = { 0 };
  Exchange exchange = { 0 };
  gint64 start;

  harness_init (&h);
  pv_fake_twilio_set_fault (h.fake, PV_FAKE_TWILIO_FAULT_SLOW);
  pv_fake_twilio_set_slow_delay (h.fake, 10000);

  exchange.msg = new_message (&h, SOUP_METHOD_POST, h.messages_path,
                              soup_form_encode ("To", CUSTOMER, "From", "+15005550006",
                                                "Body", "Hi", NULL));
  exchange_start (&h, &exchange, NULL);
  while (pv_fake_twilio_get_requests (h.fake)->len == 0)
    g_main_context_iteration (NULL, TRUE);

  /* The reply is now paused inside the fake; finalizing must close it, not leave it hanging. */
  start = g_get_monotonic_time ();
  g_object_add_weak_pointer (G_OBJECT (h.fake), (gpointer *) &h.fake);
  g_object_unref (h.fake);
  g_assert_null (h.fake);

  exchange_wait (&exchange);
  g_assert_nonnull (exchange.error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_TIME_SPAN_SECOND);
  exchange_clear (&exchange);

  harness_clear (&h);
}

static gsize
post_and_measure (Harness  *h,
                  Exchange *exchange)
{
  exchange->msg = new_message (h, SOUP_METHOD_POST, h->messages_path,
                               soup_form_encode ("To", CUSTOMER, "From", "+15005550006",
                                                 "Body", "Hi", NULL));
  exchange_run (h, exchange);

  return g_bytes_get_size (exchange->body);
}

static void
test_fault_truncated (void)
{
  Harness h = { 0 };
  Exchange exchange = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize whole;
  gsize truncated;

  harness_init (&h);

  whole = post_and_measure (&h, &exchange);
  exchange_clear (&exchange);

  pv_fake_twilio_set_fault (h.fake, PV_FAKE_TWILIO_FAULT_TRUNCATED);
  truncated = post_and_measure (&h, &exchange);
  g_assert_cmpuint (soup_message_get_status (exchange.msg), ==, SOUP_STATUS_CREATED);
  g_assert_cmpstr (content_type_of (exchange.msg), ==, "application/json");
  g_assert_cmpuint (truncated, ==, whole / 2);
  json_parser_load_from_data (parser, g_bytes_get_data (exchange.body, NULL), truncated, &error);
  /* Which parse error depends on where the cut falls. */
  g_assert_nonnull (error);
  g_assert_cmpstr (g_quark_to_string (error->domain), ==, g_quark_to_string (JSON_PARSER_ERROR));
  exchange_clear (&exchange);

  /* The SMS itself went out; only the reply was damaged. */
  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 2);

  harness_clear (&h);
}

static void
test_fault_not_json (void)
{
  Harness h = { 0 };
  Exchange exchange = { 0 };

  harness_init (&h);
  pv_fake_twilio_set_fault (h.fake, PV_FAKE_TWILIO_FAULT_NOT_JSON);

  post_and_measure (&h, &exchange);
  g_assert_cmpuint (soup_message_get_status (exchange.msg), ==, SOUP_STATUS_OK);
  g_assert_cmpstr (content_type_of (exchange.msg), ==, "text/html");
  g_assert_true (g_str_has_prefix (g_bytes_get_data (exchange.body, NULL), "<!DOCTYPE html>"));
  exchange_clear (&exchange);

  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 0);

  harness_clear (&h);
}

static void
test_fault_oversized (void)
{
  Harness h = { 0 };
  Exchange exchange = { 0 };
  g_autoptr(JsonObject) message = NULL;
  gsize size;

  harness_init (&h);
  pv_fake_twilio_set_fault (h.fake, PV_FAKE_TWILIO_FAULT_OVERSIZED);

  size = post_and_measure (&h, &exchange);
  g_assert_cmpuint (soup_message_get_status (exchange.msg), ==, SOUP_STATUS_CREATED);
  g_assert_cmpuint (size, >, 512 * 1024);
  message = parse_object (exchange.body);
  assert_matches ("^SM[0-9a-f]{32}$", get_string (message, "sid"));
  exchange_clear (&exchange);

  harness_clear (&h);
}

/* Starts a POST of a valid SMS; the caller waits for it. */
static void
start_post (Harness  *h,
            Exchange *exchange)
{
  exchange->msg = new_message (h, SOUP_METHOD_POST, h->messages_path,
                               soup_form_encode ("To", CUSTOMER, "From", "+15005550006",
                                                 "Body", "Code 123456", NULL));
  exchange_start (h, exchange, NULL);
}

static PvFakeTwilioRequest *
last_request (Harness *h)
{
  GPtrArray *requests = pv_fake_twilio_get_requests (h->fake);

  g_assert_cmpuint (requests->len, >, 0);
  return g_ptr_array_index (requests, requests->len - 1);
}

static void
test_fault_drop_after_processing (void)
{
  Harness h = { 0 };
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonObject) fetched = NULL;
  g_autoptr(JsonObject) after = NULL;
  const PvFakeTwilioMessage *stored;
  Exchange exchange = { 0 };

  harness_init (&h);
  g_signal_connect (h.fake, "message-received", G_CALLBACK (count_signal), seen);
  pv_fake_twilio_set_fault (h.fake, PV_FAKE_TWILIO_FAULT_DROP_AFTER_PROCESSING);

  /* Closed with not one byte of a reply, which is what libsoup calls cut short. */
  start_post (&h, &exchange);
  exchange_wait (&exchange);
  g_assert_error (exchange.error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
  g_assert_cmpuint (soup_message_get_status (exchange.msg), ==, SOUP_STATUS_NONE);
  exchange_clear (&exchange);

  /* And yet the SMS went out, as the signal (which prints it in the sandbox) says. */
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 1);
  stored = pv_fake_twilio_get_last_message_to (h.fake, CUSTOMER);
  g_assert_cmpstr (stored->sid, ==, g_ptr_array_index (seen, 0));
  g_assert_cmpuint (last_request (&h)->status, ==, 0);

  /* The fault stays until it is cleared. */
  start_post (&h, &exchange);
  exchange_wait (&exchange);
  g_assert_error (exchange.error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
  exchange_clear (&exchange);
  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 2);

  pv_fake_twilio_set_fault (h.fake, PV_FAKE_TWILIO_FAULT_NONE);
  fetched = fetch_message (&h, stored->sid);
  g_assert_cmpstr (get_string (fetched, "sid"), ==, stored->sid);
  after = post_messages (&h, SOUP_STATUS_CREATED,
                         "To", CUSTOMER, "From", "+15005550006", "Body", "Hi", NULL);
  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 3);

  harness_clear (&h);
}

static void
test_fault_500_after_processing (void)
{
  Harness h = { 0 };
  g_autoptr(JsonObject) error = NULL;
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(JsonObject) fetched = NULL;
  const PvFakeTwilioMessage *stored;

  harness_init (&h);
  pv_fake_twilio_set_fault (h.fake, PV_FAKE_TWILIO_FAULT_HTTP_500_AFTER_PROCESSING);

  /* The same answer as PV_FAKE_TWILIO_FAULT_HTTP_500, but the SMS was accepted. */
  error = post_messages (&h, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                         "To", CUSTOMER, "From", "+15005550006", "Body", "Code 123456", NULL);
  assert_twilio_error (error, 20500, 500);
  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 1);
  g_assert_cmpuint (last_request (&h)->status, ==, 500);

  /* Processing that refuses the SMS accepts nothing, and its answer is lost all the same. */
  refused = post_messages (&h, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                           "To", "+15005550001", "From", "+15005550006", "Body", "Hi", NULL);
  assert_twilio_error (refused, 20500, 500);
  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 1);

  pv_fake_twilio_set_fault (h.fake, PV_FAKE_TWILIO_FAULT_NONE);
  stored = pv_fake_twilio_get_last_message_to (h.fake, CUSTOMER);
  fetched = fetch_message (&h, stored->sid);
  g_assert_cmpstr (get_string (fetched, "body"), ==, "Code 123456");

  harness_clear (&h);
}

/* SLOW accepts the SMS at once; only the answer waits, long enough to outlast a client. */
static void
test_fault_slow_past_timeout (void)
{
  Harness h = { 0 };
  g_autoptr(JsonObject) after = NULL;
  Exchange exchange = { 0 };
  gint64 start;

  harness_init (&h);
  g_object_set (h.session, "timeout", 1, NULL);
  pv_fake_twilio_set_fault (h.fake, PV_FAKE_TWILIO_FAULT_SLOW);
  pv_fake_twilio_set_slow_delay (h.fake, 2500);

  start = g_get_monotonic_time ();
  start_post (&h, &exchange);
  exchange_wait (&exchange);
  g_assert_error (exchange.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_TIME_SPAN_SECOND);
  exchange_clear (&exchange);
  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 1);

  /* Let the held answer come due with nobody listening. */
  wait_ms (2000);

  pv_fake_twilio_set_fault (h.fake, PV_FAKE_TWILIO_FAULT_NONE);
  after = post_messages (&h, SOUP_STATUS_CREATED,
                         "To", CUSTOMER, "From", "+15005550006", "Body", "Hi", NULL);
  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 2);

  harness_clear (&h);
}

static void
test_create_fault (void)
{
  Harness h = { 0 };
  g_autofree char *account_path = NULL;
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) unavailable = NULL;
  Exchange exchange = { 0 };

  harness_init (&h);
  account_path = g_strdup_printf ("/2010-04-01/Accounts/%s.json",
                                  pv_fake_twilio_get_account_sid (h.fake));

  /* The next two creates only; other requests go through untouched and do not count. */
  pv_fake_twilio_set_create_fault (h.fake, PV_FAKE_TWILIO_FAULT_HTTP_429, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonObject) account = get_json (&h, account_path, SOUP_STATUS_OK);
      g_autoptr(JsonObject) limited = NULL;

      limited = post_messages (&h, 429,
                               "To", CUSTOMER, "From", "+15005550006", "Body", "Hi", NULL);
      assert_twilio_error (limited, 20429, 429);
    }

  created = post_messages (&h, SOUP_STATUS_CREATED,
                           "To", CUSTOMER, "From", "+15005550006", "Body", "Hi", NULL);
  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 1);

  /* A count of 0 is every create, ahead of the general fault, until set back to none. */
  pv_fake_twilio_set_fault (h.fake, PV_FAKE_TWILIO_FAULT_HTTP_503);
  pv_fake_twilio_set_create_fault (h.fake, PV_FAKE_TWILIO_FAULT_DROP_AFTER_PROCESSING, 0);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonObject) account = get_json (&h, account_path,
                                                SOUP_STATUS_SERVICE_UNAVAILABLE);

      start_post (&h, &exchange);
      exchange_wait (&exchange);
      g_assert_error (exchange.error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
      exchange_clear (&exchange);
    }
  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 4);

  pv_fake_twilio_set_create_fault (h.fake, PV_FAKE_TWILIO_FAULT_NONE, 0);
  unavailable = post_messages (&h, SOUP_STATUS_SERVICE_UNAVAILABLE,
                               "To", CUSTOMER, "From", "+15005550006", "Body", "Hi", NULL);
  assert_twilio_error (unavailable, 20503, 503);
  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 4);

  harness_clear (&h);
}

/* Calls and Lookup */

#define TWIML \
  "<Response><Pause length=\"1\"/>" \
  "<Say language=\"de-DE\">Guten Tag &amp; willkommen.</Say>" \
  "<Say language=\"de-DE\" loop=\"3\">Ihr Code ist 4, 8, 2, 9, 1, 3.</Say>" \
  "<Say>Goodbye.</Say></Response>"

static char *
calls_path (Harness *h)
{
  return g_strdup_printf ("/2010-04-01/Accounts/%s/Calls.json",
                          pv_fake_twilio_get_account_sid (h->fake));
}

/* Takes @form. */
static JsonObject *
post_calls (Harness *h,
            guint    expected_status,
            char    *form)
{
  g_autofree char *path = calls_path (h);
  Exchange exchange = { 0 };
  JsonObject *object;

  exchange.msg = new_message (h, SOUP_METHOD_POST, path, form);
  object = exchange_json (h, &exchange, expected_status);
  exchange_clear (&exchange);

  return object;
}

static JsonObject *
fetch_call (Harness    *h,
            const char *sid,
            const char *suffix)
{
  g_autofree char *path = g_strdup_printf ("/2010-04-01/Accounts/%s/Calls/%s%s",
                                           pv_fake_twilio_get_account_sid (h->fake), sid,
                                           suffix);

  return get_json (h, path, SOUP_STATUS_OK);
}

static void
count_call_signal (PvFakeTwilio           *fake,
                   const PvFakeTwilioCall *call,
                   gpointer                user_data)
{
  g_ptr_array_add (user_data, g_strdup (call->sid));
}

static void
test_call_create (void)
{
  Harness h = { 0 };
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *code = NULL;
  const PvFakeTwilioCall *call;
  const PvFakeTwilioSay *say;
  GPtrArray *calls;

  harness_init (&h);
  g_signal_connect (h.fake, "call-started", G_CALLBACK (count_call_signal), seen);

  created = post_calls (&h, SOUP_STATUS_CREATED,
                        soup_form_encode ("To", CUSTOMER, "From", "+15005550006",
                                          "Twiml", TWIML, "Timeout", "15", "TimeLimit", "90",
                                          NULL));
  assert_matches ("^CA[0-9a-f]{32}$", get_string (created, "sid"));
  g_assert_cmpstr (get_string (created, "status"), ==, "queued");
  g_assert_cmpstr (get_string (created, "to"), ==, CUSTOMER);
  g_assert_cmpstr (get_string (created, "from"), ==, "+15005550006");
  g_assert_cmpstr (get_string (created, "price_unit"), ==, "USD");
  assert_null_member (created, "duration");
  assert_recent_date (created, "date_created");

  calls = pv_fake_twilio_get_calls (h.fake);
  g_assert_cmpuint (calls->len, ==, 1);
  call = g_ptr_array_index (calls, 0);
  g_assert_cmpstr (call->sid, ==, get_string (created, "sid"));
  g_assert_cmpstr (call->to, ==, CUSTOMER);
  g_assert_cmpstr (call->from, ==, "+15005550006");
  g_assert_cmpstr (call->twiml, ==, TWIML);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, call->sid);

  /* Entities decoded, <Pause> skipped, the default language left to Twilio. */
  g_assert_cmpuint (call->says->len, ==, 3);
  say = g_ptr_array_index (call->says, 0);
  g_assert_cmpstr (say->language, ==, "de-DE");
  g_assert_cmpstr (say->text, ==, "Guten Tag & willkommen.");
  say = g_ptr_array_index (call->says, 1);
  g_assert_cmpstr (say->text, ==, "Ihr Code ist 4, 8, 2, 9, 1, 3.");
  say = g_ptr_array_index (call->says, 2);
  g_assert_null (say->language);
  g_assert_cmpstr (say->text, ==, "Goodbye.");

  code = pv_fake_twilio_dup_last_call_code_to (h.fake, CUSTOMER);
  g_assert_cmpstr (code, ==, "482913");
  g_assert_null (pv_fake_twilio_dup_last_call_code_to (h.fake, "+442071838750"));
  /* A call is no text. */
  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 0);

  pv_fake_twilio_clear (h.fake);
  g_assert_cmpuint (pv_fake_twilio_get_calls (h.fake)->len, ==, 0);

  harness_clear (&h);
}

static void
test_call_validation (void)
{
  g_autofree char *long_twiml = NULL;
  g_autofree char *padding = g_strnfill (4000, 'x');
  const struct
  {
    const char *to;
    const char *from;
    const char *twiml;
    const char *url;
    const char *timeout;
    const char *time_limit;
    int         code;
  } cases[] = {
    { NULL, "+15005550006", TWIML, NULL, NULL, NULL, 21201 },
    { CUSTOMER, NULL, TWIML, NULL, NULL, NULL, 21213 },
    { CUSTOMER, "+14155550000", TWIML, NULL, NULL, NULL, 21210 },
    { CUSTOMER, "+15005550001", TWIML, NULL, NULL, NULL, 21212 },
    { CUSTOMER, "+15005550006", NULL, NULL, NULL, NULL, 21205 },
    { CUSTOMER, "+15005550006", TWIML, "https://example.com/twiml", NULL, NULL, 21205 },
    { CUSTOMER, "+15005550006", "<Say>Hi</Say>", NULL, NULL, NULL, 12100 },
    { CUSTOMER, "+15005550006", "<Response><Say>Hi</Response>", NULL, NULL, NULL, 12100 },
    { CUSTOMER, "+15005550006", "Just text", NULL, NULL, NULL, 12100 },
    { CUSTOMER, "+15005550006", TWIML, NULL, "fifteen", NULL, 21207 },
    { CUSTOMER, "+15005550006", TWIML, NULL, "601", NULL, 21207 },
    { CUSTOMER, "+15005550006", TWIML, NULL, NULL, "1.5", 21207 },
    { "+15005550001", "+15005550006", TWIML, NULL, NULL, NULL, 21217 },
    { "+15005550002", "+15005550006", TWIML, NULL, NULL, NULL, 21214 },
    { "+15005550003", "+15005550006", TWIML, NULL, NULL, NULL, 21215 },
    { "+15005550004", "+15005550006", TWIML, NULL, NULL, NULL, 21216 },
    { "4155552671", "+15005550006", TWIML, NULL, NULL, NULL, 21217 },
    { CUSTOMER, "+15005550006", NULL /* too long */, NULL, NULL, NULL, 12100 },
  };
  Harness h = { 0 };

  /* 4001 characters, still a well-formed document. */
  long_twiml = g_strdup_printf ("<Response><Say>%.*s</Say></Response>",
                                (int) (4001 - strlen ("<Response><Say></Say></Response>")),
                                padding);
  g_assert_cmpint (g_utf8_strlen (long_twiml, -1), ==, 4001);

  harness_init (&h);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) error = NULL;
      g_autoptr(GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
      const char *twiml = cases[i].twiml;

      if (i == G_N_ELEMENTS (cases) - 1)
        twiml = long_twiml;

      g_test_message ("case %u: To %s From %s", i, cases[i].to, cases[i].from);
      if (cases[i].to != NULL)
        g_hash_table_insert (form, "To", (char *) cases[i].to);
      if (cases[i].from != NULL)
        g_hash_table_insert (form, "From", (char *) cases[i].from);
      if (twiml != NULL)
        g_hash_table_insert (form, "Twiml", (char *) twiml);
      if (cases[i].url != NULL)
        g_hash_table_insert (form, "Url", (char *) cases[i].url);
      if (cases[i].timeout != NULL)
        g_hash_table_insert (form, "Timeout", (char *) cases[i].timeout);
      if (cases[i].time_limit != NULL)
        g_hash_table_insert (form, "TimeLimit", (char *) cases[i].time_limit);

      error = post_calls (&h, SOUP_STATUS_BAD_REQUEST, soup_form_encode_hash (form));
      assert_twilio_error (error, cases[i].code, 400);
    }

  g_assert_cmpuint (pv_fake_twilio_get_calls (h.fake)->len, ==, 0);

  harness_clear (&h);
}

static void
test_call_trial_account (void)
{
  Harness h = { 0 };
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(JsonObject) created = NULL;

  harness_init (&h);
  pv_fake_twilio_set_trial_account (h.fake, TRUE);

  refused = post_calls (&h, SOUP_STATUS_BAD_REQUEST,
                        soup_form_encode ("To", CUSTOMER, "From", "+15005550006",
                                          "Twiml", TWIML, NULL));
  assert_twilio_error (refused, 21219, 400);

  pv_fake_twilio_add_verified_recipient (h.fake, CUSTOMER);
  created = post_calls (&h, SOUP_STATUS_CREATED,
                        soup_form_encode ("To", CUSTOMER, "From", "+15005550006",
                                          "Twiml", TWIML, NULL));
  g_assert_cmpstr (get_string (created, "status"), ==, "queued");

  harness_clear (&h);
}

/* Fetches the call until it is over; returns the statuses seen, joined by " → ". */
static char *
call_and_follow (Harness     *h,
                 const char  *to,
                 JsonObject **last)
{
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(GString) statuses = g_string_new (NULL);
  g_autofree char *sid = NULL;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  created = post_calls (h, SOUP_STATUS_CREATED,
                        soup_form_encode ("To", to, "From", "+15005550006", "Twiml", TWIML,
                                          NULL));
  sid = g_strdup (get_string (created, "sid"));
  g_string_append (statuses, get_string (created, "status"));

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(JsonObject) call = NULL;
      const char *status;

      wait_ms (20);
      call = fetch_call (h, sid, ".json");
      status = get_string (call, "status");
      if (!g_str_has_suffix (statuses->str, status))
        g_string_append_printf (statuses, " → %s", status);

      if (g_strv_contains ((const char * const[]) { "completed", "busy", "failed", "no-answer",
                                                    NULL }, status))
        {
          *last = g_steal_pointer (&call);
          return g_string_free (g_steal_pointer (&statuses), FALSE);
        }
    }

  g_error ("the call never ended: %s", statuses->str);
}

static void
test_call_progression (void)
{
  static const struct
  {
    const char *final_status;
    int         notification_code;
    const char *statuses;
    const char *duration;
  } cases[] = {
    { "completed", 0, "queued → ringing → in-progress → completed", "1" },
    { "busy", 0, "queued → ringing → busy", "" },
    { "no-answer", 0, "queued → ringing → no-answer", "" },
    { "failed", 13224, "queued → failed", "" },
  };
  Harness h = { 0 };

  harness_init (&h);
  pv_fake_twilio_set_delivery_step (h.fake, 120);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) last = NULL;
      g_autoptr(JsonObject) notifications = NULL;
      g_autofree char *statuses = NULL;
      g_autofree char *to = g_strdup_printf ("+1415555010%u", i);
      JsonArray *items;

      pv_fake_twilio_set_call_outcome (h.fake, to, cases[i].final_status,
                                       cases[i].notification_code);
      statuses = call_and_follow (&h, to, &last);
      g_assert_cmpstr (statuses, ==, cases[i].statuses);
      g_assert_cmpstr (get_string (last, "duration"), ==, cases[i].duration);
      g_assert_cmpstr (pv_fake_twilio_get_last_call_to (h.fake, to)->status, ==,
                       cases[i].final_status);

      notifications = fetch_call (&h, get_string (last, "sid"), "/Notifications.json");
      items = json_node_get_array (get_member (notifications, "notifications"));
      if (cases[i].notification_code == 0)
        {
          g_assert_cmpuint (json_array_get_length (items), ==, 0);
        }
      else
        {
          JsonObject *item = json_array_get_object_element (items, 0);

          g_assert_cmpuint (json_array_get_length (items), ==, 1);
          /* A string, unlike a message's error_code. */
          g_assert_cmpstr (get_string (item, "error_code"), ==, "13224");
          g_assert_cmpstr (get_string (item, "log"), ==, "0");
          g_assert_cmpstr (get_string (item, "message_text"), !=, "");
          g_assert_cmpstr (get_string (item, "more_info"), ==,
                           "https://www.twilio.com/docs/errors/13224");
          assert_recent_date (item, "message_date");
        }
    }

  harness_clear (&h);
}

static JsonObject *
lookup (Harness    *h,
        const char *escaped_number,
        const char *query)
{
  g_autofree char *path = g_strconcat ("/v2/PhoneNumbers/", escaped_number,
                                       query != NULL ? "?" : "", query, NULL);

  return get_json (h, path, SOUP_STATUS_OK);
}

static void
test_lookup (void)
{
  Harness h = { 0 };
  g_autoptr(JsonObject) mobile = NULL;
  g_autoptr(JsonObject) landline = NULL;
  g_autoptr(JsonObject) premium = NULL;
  g_autoptr(JsonObject) basic = NULL;
  JsonObject *intelligence;
  PvFakeTwilioRequest *request;
  GPtrArray *requests;

  harness_init (&h);
  pv_fake_twilio_set_line_type (h.fake, "+14155550100", "landline");
  pv_fake_twilio_set_line_type (h.fake, "+19005550100", "premium");

  mobile = lookup (&h, "%2B14155552671", "Fields=line_type_intelligence");
  g_assert_true (json_object_get_boolean_member (mobile, "valid"));
  g_assert_cmpstr (get_string (mobile, "phone_number"), ==, CUSTOMER);
  g_assert_cmpstr (get_string (mobile, "country_code"), ==, "US");
  assert_null_member (mobile, "validation_errors");
  intelligence = json_object_get_object_member (mobile, "line_type_intelligence");
  g_assert_cmpstr (get_string (intelligence, "type"), ==, "mobile");
  g_assert_cmpstr (get_string (intelligence, "carrier_name"), !=, "");
  assert_null_member (intelligence, "error_code");

  landline = lookup (&h, "%2B14155550100", "Fields=line_type_intelligence");
  intelligence = json_object_get_object_member (landline, "line_type_intelligence");
  g_assert_cmpstr (get_string (intelligence, "type"), ==, "landline");
  assert_null_member (intelligence, "mobile_network_code");

  premium = lookup (&h, "%2B19005550100", "Fields=line_type_intelligence");
  intelligence = json_object_get_object_member (premium, "line_type_intelligence");
  g_assert_cmpstr (get_string (intelligence, "type"), ==, "premium");
  assert_null_member (intelligence, "carrier_name");

  /* Without the package, it is the free basic lookup. */
  basic = lookup (&h, "%2B14155550100", "Fields=caller_name");
  g_assert_true (json_object_get_boolean_member (basic, "valid"));
  assert_null_member (basic, "line_type_intelligence");
  g_clear_pointer (&basic, json_object_unref);
  basic = lookup (&h, "%2B14155550100", NULL);
  assert_null_member (basic, "line_type_intelligence");

  requests = pv_fake_twilio_get_requests (h.fake);
  request = g_ptr_array_index (requests, 0);
  g_assert_cmpstr (request->query, ==, "Fields=line_type_intelligence");
  request = g_ptr_array_index (requests, requests->len - 1);
  g_assert_null (request->query);

  harness_clear (&h);
}

static void
test_lookup_invalid (void)
{
  static const struct { const char *escaped; const char *validation_error; } cases[] = {
    { "12345", "NOT_A_NUMBER" },
    { "%2B1415555267123456789", "TOO_LONG" },
    { "%2B14155550199", "INVALID_BUT_POSSIBLE" },
  };
  Harness h = { 0 };
  g_autoptr(JsonObject) unauthorized = NULL;
  Exchange exchange = { 0 };

  harness_init (&h);
  pv_fake_twilio_set_number_invalid (h.fake, "+14155550199", "INVALID_BUT_POSSIBLE");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) result = lookup (&h, cases[i].escaped,
                                             "Fields=line_type_intelligence");
      JsonArray *errors = json_node_get_array (get_member (result, "validation_errors"));

      g_test_message ("%s", cases[i].escaped);
      g_assert_false (json_object_get_boolean_member (result, "valid"));
      g_assert_cmpuint (json_array_get_length (errors), ==, 1);
      g_assert_cmpstr (json_array_get_string_element (errors, 0), ==,
                       cases[i].validation_error);
      assert_null_member (result, "country_code");
      assert_null_member (result, "calling_country_code");
      assert_null_member (result, "national_format");
      assert_null_member (result, "line_type_intelligence");
    }

  exchange.msg = new_message (&h, SOUP_METHOD_GET, "/v2/PhoneNumbers/%2B14155552671", NULL);
  set_basic_auth (exchange.msg, pv_fake_twilio_get_account_sid (h.fake), "wrong");
  unauthorized = exchange_json (&h, &exchange, SOUP_STATUS_UNAUTHORIZED);
  assert_twilio_error (unauthorized, 20003, 401);
  exchange_clear (&exchange);

  harness_clear (&h);
}

/* The Messages list */

#define OTHER_CUSTOMER "+14155550100"

static void
add_inbound_at (Harness    *h,
                const char *from,
                const char *body,
                const char *iso8601)
{
  g_autoptr(GDateTime) sent = g_date_time_new_from_iso8601 (iso8601, NULL);
  g_autofree char *sid = NULL;

  g_assert_nonnull (sent);
  sid = pv_fake_twilio_add_inbound (h->fake, from, body, sent);

  assert_matches ("^SM[0-9a-f]{32}$", sid);
}

/* GET …/Messages.json?@query (raw, as sent) */
static JsonObject *
list_json (Harness    *h,
           const char *query,
           guint       expected_status)
{
  g_autofree char *path = g_strconcat (h->messages_path, "?", query, NULL);

  return get_json (h, path, expected_status);
}

/* The bodies of a list page, in order, joined by "|". */
static char *
list_bodies (Harness    *h,
             const char *query)
{
  g_autoptr(JsonObject) page = list_json (h, query, SOUP_STATUS_OK);
  JsonArray *messages = json_node_get_array (get_member (page, "messages"));
  g_autoptr(GString) bodies = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (messages); i++)
    g_string_append_printf (bodies, "%s%s", i > 0 ? "|" : "",
                            get_string (json_array_get_object_element (messages, i), "body"));

  return g_string_free (g_steal_pointer (&bodies), FALSE);
}

static void
test_list_filters (void)
{
  static const struct
  {
    const char *query;
    const char *bodies;
  } cases[] = {
    { "To=%2B15005550006", "late|yes|other|early" },
    { "To=%2B15005550006&From=%2B14155552671", "late|yes|early" },
    { "To=%2B15005550006&DateSent%3E=2026-12-02", "late|yes|other" },
    { "To=%2B15005550006&DateSent%3C=2026-12-02", "early" },
    { "To=%2B15005550006&DateSent=2026-12-02", "yes|other" },
    { "To=%2B15005550006&DateSent%3E=2026-12-02&DateSent%3C=2026-12-03", "yes|other" },
    { "From=%2B15005550006&To=%2B14155552671", "Code 123456" },
    { "To=%2B19995550000", "" },
  };
  Harness h = { 0 };
  g_autoptr(JsonObject) sent = NULL;
  g_autoptr(JsonObject) page = NULL;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  JsonArray *messages;
  JsonObject *inbound;

  harness_init (&h);
  pv_fake_twilio_set_delivery_step (h.fake, 0);
  g_signal_connect (h.fake, "inbound-received", G_CALLBACK (count_signal), seen);

  sent = post_messages (&h, SOUP_STATUS_CREATED,
                        "To", CUSTOMER, "From", "+15005550006", "Body", "Code 123456", NULL);
  add_inbound_at (&h, CUSTOMER, "early", "2026-12-01T23:59:59Z");
  add_inbound_at (&h, CUSTOMER, "yes", "2026-12-02T20:00:00Z");
  add_inbound_at (&h, OTHER_CUSTOMER, "other", "2026-12-02T19:00:00+00:00");
  add_inbound_at (&h, CUSTOMER, "late", "2026-12-03T03:00:00+02:00");
  g_assert_cmpuint (seen->len, ==, 4);
  g_assert_cmpuint (pv_fake_twilio_get_inbound (h.fake)->len, ==, 4);
  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *bodies = list_bodies (&h, cases[i].query);

      g_test_message ("Query: %s", cases[i].query);
      g_assert_cmpstr (bodies, ==, cases[i].bodies);
    }

  /* Both directions, with the full Message resource. */
  page = list_json (&h, "PageSize=10", SOUP_STATUS_OK);
  messages = json_node_get_array (get_member (page, "messages"));
  g_assert_cmpuint (json_array_get_length (messages), ==, 5);
  inbound = NULL;
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *item = json_array_get_object_element (messages, i);

      if (g_str_equal (get_string (item, "body"), "yes"))
        inbound = item;
      else if (g_str_equal (get_string (item, "body"), "Code 123456"))
        g_assert_cmpstr (get_string (item, "direction"), ==, "outbound-api");
    }
  g_assert_nonnull (inbound);
  g_assert_cmpstr (get_string (inbound, "direction"), ==, "inbound");
  g_assert_cmpstr (get_string (inbound, "status"), ==, "received");
  g_assert_cmpstr (get_string (inbound, "from"), ==, CUSTOMER);
  g_assert_cmpstr (get_string (inbound, "to"), ==, "+15005550006");
  g_assert_cmpstr (get_string (inbound, "date_sent"), ==, "Wed, 02 Dec 2026 20:00:00 +0000");
  g_assert_cmpuint (json_object_get_size (inbound), ==, 20);

  /* An inbound message can be fetched like any other. */
  {
    g_autoptr(JsonObject) fetched = fetch_message (&h, g_ptr_array_index (seen, 1));

    g_assert_cmpstr (get_string (fetched, "body"), ==, "yes");
    g_assert_cmpstr (get_string (fetched, "direction"), ==, "inbound");
  }

  harness_clear (&h);
}

static void
test_list_bad_parameters (void)
{
  static const char * const bad_dates[] = {
    "DateSent=%3E%3D2026-12-01",   /* the operator in the value */
    "DateSent%3E==2026-12-01",     /* "DateSent>=" with "=" doubled */
    "DateSent%3E=2026-12-01T00:00:00Z",
    "DateSent%3C=2026-12-1",
    "DateSent=2026-02-30",
    "DateSent%3E=",
  };
  static const char * const bad_others[] = {
    "PageSize=1001", "PageSize=0", "PageSize=ten", "Page=-1", "PageToken=PAnope",
  };
  Harness h = { 0 };
  Exchange exchange = { 0 };
  g_autoptr(JsonObject) unauthorized = NULL;
  g_autoptr(JsonObject) largest = NULL;

  harness_init (&h);

  for (guint i = 0; i < G_N_ELEMENTS (bad_dates); i++)
    {
      g_autoptr(JsonObject) error = NULL;

      g_test_message ("Query: %s", bad_dates[i]);
      error = list_json (&h, bad_dates[i], SOUP_STATUS_BAD_REQUEST);
      assert_twilio_error (error, 20001, 400);
      g_assert_cmpstr (get_string (error, "message"), ==, "Invalid date value");
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad_others); i++)
    {
      g_autoptr(JsonObject) error = NULL;

      g_test_message ("Query: %s", bad_others[i]);
      error = list_json (&h, bad_others[i], SOUP_STATUS_BAD_REQUEST);
      assert_twilio_error (error, 20001, 400);
    }

  largest = list_json (&h, "PageSize=1000", SOUP_STATUS_OK);
  g_assert_cmpint (get_int (largest, "page_size"), ==, 1000);

  exchange.msg = new_message (&h, SOUP_METHOD_GET, h.messages_path, NULL);
  set_basic_auth (exchange.msg, pv_fake_twilio_get_account_sid (h.fake), "wrong");
  unauthorized = exchange_json (&h, &exchange, SOUP_STATUS_UNAUTHORIZED);
  assert_twilio_error (unauthorized, 20003, 401);
  exchange_clear (&exchange);

  harness_clear (&h);
}

static void
test_list_paging (void)
{
  Harness h = { 0 };
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GDateTime) start = g_date_time_new_utc (2026, 12, 2, 8, 0, 0);
  g_autofree char *path = NULL;
  g_autofree char *first_uri = NULL;
  guint page_number = 0;

  harness_init (&h);
  for (guint i = 0; i < 120; i++)
    {
      g_autoptr(GDateTime) sent = g_date_time_add_minutes (start, i);
      g_autofree char *sid = pv_fake_twilio_add_inbound (h.fake, CUSTOMER, "YES", sent);
    }

  first_uri = g_strconcat (h.messages_path,
                           "?To=%2B15005550006&DateSent%3E=2026-12-02&PageSize=50&Page=0",
                           NULL);
  path = g_strconcat (h.messages_path, "?To=%2B15005550006&DateSent%3E=2026-12-02&PageSize=50",
                      NULL);

  while (path != NULL)
    {
      g_autoptr(JsonObject) page = get_json (&h, path, SOUP_STATUS_OK);
      JsonArray *messages = json_node_get_array (get_member (page, "messages"));
      guint length = json_array_get_length (messages);
      JsonNode *next = get_member (page, "next_page_uri");

      g_test_message ("Page %u: %s", page_number, path);
      g_assert_cmpint (get_int (page, "page"), ==, page_number);
      g_assert_cmpint (get_int (page, "page_size"), ==, 50);
      g_assert_cmpint (get_int (page, "start"), ==, page_number * 50);
      g_assert_cmpint (get_int (page, "end"), ==, page_number * 50 + length - 1);
      g_assert_cmpstr (get_string (page, "first_page_uri"), ==, first_uri);
      g_assert_true (g_str_has_prefix (get_string (page, "uri"), h.messages_path));
      if (page_number == 0)
        assert_null_member (page, "previous_page_uri");
      else
        assert_matches ("[?&]Page=[0-9]+&PageToken=PBSM[0-9a-f]{32}$",
                        get_string (page, "previous_page_uri"));

      for (guint i = 0; i < length; i++)
        g_assert_true (g_hash_table_add (seen, g_strdup (get_string (
          json_array_get_object_element (messages, i), "sid"))));

      g_clear_pointer (&path, g_free);
      if (!JSON_NODE_HOLDS_NULL (next))
        {
          const char *uri = json_node_get_string (next);

          g_assert_true (g_str_has_prefix (uri, h.messages_path));
          g_assert_nonnull (strstr (uri, "To=%2B15005550006"));
          g_assert_nonnull (strstr (uri, "DateSent%3E=2026-12-02"));
          g_assert_nonnull (strstr (uri, "PageSize=50"));
          assert_matches ("[?&]Page=[0-9]+&PageToken=PASM[0-9a-f]{32}$", uri);
          path = g_strdup (uri);
        }
      page_number++;
    }

  g_assert_cmpuint (page_number, ==, 3);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 120);

  /* Without PageSize, Twilio's default of 50. */
  {
    g_autoptr(JsonObject) page = list_json (&h, "To=%2B15005550006", SOUP_STATUS_OK);

    g_assert_cmpint (get_int (page, "page_size"), ==, 50);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (get_member (page,
                                                                              "messages"))),
                      ==, 50);
  }

  harness_clear (&h);
}

/* POST /sandbox/inbound: the customer's phone, with no credentials. */
static void
test_sandbox_inbound_endpoint (void)
{
  Harness h = { 0 };
  Exchange exchange = { 0 };
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(JsonObject) error = NULL;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *url = NULL;
  const PvFakeTwilioMessage *stored;

  harness_init (&h);
  g_signal_connect (h.fake, "inbound-received", G_CALLBACK (count_signal), seen);
  url = g_strconcat (h.base_url, "/sandbox/inbound", NULL);

  exchange.msg = soup_message_new_from_encoded_form (SOUP_METHOD_POST, url,
                                                     soup_form_encode ("From", CUSTOMER,
                                                                       "Body", "PV 482913",
                                                                       "DateSent",
                                                                       "2026-12-02T21:00:00+01:00",
                                                                       NULL));
  message = exchange_json (&h, &exchange, SOUP_STATUS_CREATED);
  exchange_clear (&exchange);

  assert_matches ("^SM[0-9a-f]{32}$", get_string (message, "sid"));
  g_assert_cmpstr (get_string (message, "direction"), ==, "inbound");
  g_assert_cmpstr (get_string (message, "status"), ==, "received");
  g_assert_cmpstr (get_string (message, "from"), ==, CUSTOMER);
  g_assert_cmpstr (get_string (message, "to"), ==, "+15005550006");
  g_assert_cmpstr (get_string (message, "body"), ==, "PV 482913");
  g_assert_cmpstr (get_string (message, "date_sent"), ==, "Wed, 02 Dec 2026 20:00:00 +0000");
  g_assert_cmpuint (seen->len, ==, 1);
  stored = g_ptr_array_index (pv_fake_twilio_get_inbound (h.fake), 0);
  g_assert_cmpstr (stored->sid, ==, get_string (message, "sid"));
  g_assert_cmpstr (stored->from, ==, CUSTOMER);

  /* Without DateSent: now. */
  exchange.msg = soup_message_new_from_encoded_form (SOUP_METHOD_POST, url,
                                                     soup_form_encode ("From", CUSTOMER,
                                                                       "Body", "YES", NULL));
  g_clear_pointer (&message, json_object_unref);
  message = exchange_json (&h, &exchange, SOUP_STATUS_CREATED);
  exchange_clear (&exchange);
  assert_recent_date (message, "date_sent");

  exchange.msg = soup_message_new_from_encoded_form (SOUP_METHOD_POST, url,
                                                     soup_form_encode ("From", "me",
                                                                       "Body", "YES", NULL));
  error = exchange_json (&h, &exchange, SOUP_STATUS_BAD_REQUEST);
  assert_twilio_error (error, 21212, 400);
  exchange_clear (&exchange);
  g_clear_pointer (&error, json_object_unref);

  exchange.msg = soup_message_new_from_encoded_form (SOUP_METHOD_POST, url,
                                                     soup_form_encode ("From", CUSTOMER,
                                                                       "Body", "YES",
                                                                       "DateSent", "today",
                                                                       NULL));
  error = exchange_json (&h, &exchange, SOUP_STATUS_BAD_REQUEST);
  assert_twilio_error (error, 20001, 400);
  exchange_clear (&exchange);
  g_clear_pointer (&error, json_object_unref);

  exchange.msg = soup_message_new (SOUP_METHOD_GET, url);
  error = exchange_json (&h, &exchange, SOUP_STATUS_METHOD_NOT_ALLOWED);
  exchange_clear (&exchange);

  g_assert_cmpuint (seen->len, ==, 2);

  harness_clear (&h);
}

/* The standalone program, as multi-process shell tests run it. */

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *output;
  SoupSession      *session;
  char             *base_url;
  char             *account_sid;
  char             *auth_token;
} Sandbox;

static char *
sandbox_read_line (Sandbox *sandbox)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_utf8 (sandbox->output, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);

  return line;
}

/* Reads the exports up to the line announcing the fault, or without one the last line. */
static void
sandbox_start (Sandbox            *sandbox,
               const char * const *options)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "pv-fake-twilio", NULL);
  g_autoptr(GError) error = NULL;
  const char *last_line = g_strv_contains (options, "--fault") ? "# Fault" : "# Messaging Service";

  g_strv_builder_add_many (builder, program, "--port", "0", NULL);
  g_strv_builder_addv (builder, (const char **) options);
  argv = g_strv_builder_end (builder);

  sandbox->process = g_subprocess_newv ((const char * const *) argv,
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  sandbox->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sandbox->process));
  sandbox->session = soup_session_new_with_options ("timeout", 5, "proxy-resolver", NULL, NULL);

  for (;;)
    {
      g_autofree char *line = sandbox_read_line (sandbox);
      const char *value;

      if ((value = g_strstr_len (line, -1, "PHONE_VERIFY_TWILIO_API_URL=")) != NULL)
        sandbox->base_url = g_strdup (strchr (value, '=') + 1);
      else if ((value = g_strstr_len (line, -1, "TWILIO_ACCOUNT_SID=")) != NULL)
        sandbox->account_sid = g_strdup (strchr (value, '=') + 1);
      else if ((value = g_strstr_len (line, -1, "TWILIO_AUTH_TOKEN=")) != NULL)
        sandbox->auth_token = g_strdup (strchr (value, '=') + 1);
      else if (g_str_has_prefix (line, last_line))
        break;
    }

  g_assert_nonnull (sandbox->base_url);
  g_assert_nonnull (sandbox->account_sid);
  g_assert_nonnull (sandbox->auth_token);
}

static void
sandbox_stop (Sandbox *sandbox)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (sandbox->process, SIGTERM);
  g_subprocess_wait_check (sandbox->process, NULL, &error);
  g_assert_no_error (error);

  g_clear_object (&sandbox->output);
  g_clear_object (&sandbox->process);
  g_clear_object (&sandbox->session);
  g_clear_pointer (&sandbox->base_url, g_free);
  g_clear_pointer (&sandbox->account_sid, g_free);
  g_clear_pointer (&sandbox->auth_token, g_free);
}

/* Texts CUSTOMER; fills @exchange. */
static void
sandbox_post (Sandbox  *sandbox,
              Exchange *exchange)
{
  g_autofree char *url = g_strdup_printf ("%s/2010-04-01/Accounts/%s/Messages.json",
                                          sandbox->base_url, sandbox->account_sid);

  exchange->msg = soup_message_new_from_encoded_form (SOUP_METHOD_POST, url,
                                                      soup_form_encode ("To", CUSTOMER,
                                                                        "From", "+15005550006",
                                                                        "Body", "Code 123456",
                                                                        NULL));
  set_basic_auth (exchange->msg, sandbox->account_sid, sandbox->auth_token);
  soup_session_send_and_read_async (sandbox->session, exchange->msg, G_PRIORITY_DEFAULT, NULL,
                                    exchange_done, exchange);
  exchange_wait (exchange);
}

static void
assert_sms_printed (Sandbox *sandbox)
{
  g_autofree char *line = sandbox_read_line (sandbox);

  g_assert_cmpstr (line, ==, "SMS to " CUSTOMER ": Code 123456");
}

/* Staff in the sandbox read the code off what the call says. */
static void
test_sandbox_call (void)
{
  static const char * const options[] = { NULL };
  static const char * const expected[] = {
    "Call to " CUSTOMER ": [de-DE] Guten Tag & willkommen.",
    "Call to " CUSTOMER ": [de-DE] Ihr Code ist 4, 8, 2, 9, 1, 3.",
    "Call to " CUSTOMER ": [en-US] Goodbye.",
  };
  Sandbox sandbox = { 0 };
  Exchange exchange = { 0 };
  g_autofree char *url = NULL;

  sandbox_start (&sandbox, options);

  url = g_strdup_printf ("%s/2010-04-01/Accounts/%s/Calls.json",
                         sandbox.base_url, sandbox.account_sid);
  exchange.msg = soup_message_new_from_encoded_form (SOUP_METHOD_POST, url,
                                                     soup_form_encode ("To", CUSTOMER,
                                                                       "From", "+15005550006",
                                                                       "Twiml", TWIML,
                                                                       NULL));
  set_basic_auth (exchange.msg, sandbox.account_sid, sandbox.auth_token);
  soup_session_send_and_read_async (sandbox.session, exchange.msg, G_PRIORITY_DEFAULT, NULL,
                                    exchange_done, &exchange);
  exchange_wait (&exchange);
  g_assert_no_error (exchange.error);
  g_assert_cmpuint (soup_message_get_status (exchange.msg), ==, SOUP_STATUS_CREATED);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *line = sandbox_read_line (&sandbox);

      g_assert_cmpstr (line, ==, expected[i]);
    }

  exchange_clear (&exchange);
  sandbox_stop (&sandbox);
}

/* Runs pv-fake-twilio --text-us; returns its exit status and what it printed. */
static int
run_text_us (const char  *port,
             const char  *from,
             const char  *body,
             char       **out,
             char       **err)
{
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "pv-fake-twilio", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &error, program, "--port", port, "--text-us", from, body, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);

  return g_subprocess_get_exit_status (process);
}

/* Staff play the customer replying, from a second terminal. */
static void
test_sandbox_text_us (void)
{
  static const char * const options[] = { NULL };
  Sandbox sandbox = { 0 };
  g_autofree char *port = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *line = NULL;

  sandbox_start (&sandbox, options);
  port = g_strdup (strrchr (sandbox.base_url, ':') + 1);

  g_assert_cmpint (run_text_us (port, CUSTOMER, "PV 482913", &out, &err), ==, 0);
  assert_matches ("^Text from \\+14155552671: PV 482913 \\(SM[0-9a-f]{32}\\)\n$", out);
  line = sandbox_read_line (&sandbox);
  g_assert_cmpstr (line, ==, "SMS from " CUSTOMER " to +15005550006: PV 482913");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_text_us (port, "me", "YES", &out, &err), !=, 0);
  g_assert_nonnull (strstr (err, "E.164"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  sandbox_stop (&sandbox);

  /* Nothing listens there any more. */
  g_assert_cmpint (run_text_us (port, CUSTOMER, "YES", &out, &err), !=, 0);
  g_assert_nonnull (strstr (err, "no sandbox answers"));
  g_assert_cmpstr (out, ==, "");
}

static void
test_sandbox_drop_after_processing (void)
{
  static const char * const options[] = {
    "--fault", "drop-after-processing", "--fault-count", "1", NULL
  };
  Sandbox sandbox = { 0 };
  Exchange exchange = { 0 };

  sandbox_start (&sandbox, options);

  /* Printed, that is sent, and then the answer lost. */
  sandbox_post (&sandbox, &exchange);
  g_assert_error (exchange.error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
  exchange_clear (&exchange);
  assert_sms_printed (&sandbox);

  /* Only the first one. */
  sandbox_post (&sandbox, &exchange);
  g_assert_no_error (exchange.error);
  g_assert_cmpuint (soup_message_get_status (exchange.msg), ==, SOUP_STATUS_CREATED);
  exchange_clear (&exchange);
  assert_sms_printed (&sandbox);

  sandbox_stop (&sandbox);
}

static void
test_sandbox_500_after_processing (void)
{
  static const char * const options[] = { "--fault", "500-after-processing", NULL };
  Sandbox sandbox = { 0 };

  sandbox_start (&sandbox, options);

  /* Every one, with no count. */
  for (guint i = 0; i < 3; i++)
    {
      Exchange exchange = { 0 };
      g_autoptr(JsonObject) error = NULL;

      sandbox_post (&sandbox, &exchange);
      g_assert_no_error (exchange.error);
      g_assert_cmpuint (soup_message_get_status (exchange.msg), ==,
                        SOUP_STATUS_INTERNAL_SERVER_ERROR);
      error = parse_object (exchange.body);
      assert_twilio_error (error, 20500, 500);
      exchange_clear (&exchange);
      assert_sms_printed (&sandbox);
    }

  sandbox_stop (&sandbox);
}

static void
test_sandbox_slow (void)
{
  static const char * const options[] = { "--fault", "slow", "--slow-delay", "400", NULL };
  Sandbox sandbox = { 0 };
  Exchange exchange = { 0 };
  gint64 start;

  sandbox_start (&sandbox, options);

  start = g_get_monotonic_time ();
  sandbox_post (&sandbox, &exchange);
  g_assert_no_error (exchange.error);
  g_assert_cmpuint (soup_message_get_status (exchange.msg), ==, SOUP_STATUS_CREATED);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 400 * G_TIME_SPAN_MILLISECOND);
  exchange_clear (&exchange);
  assert_sms_printed (&sandbox);

  sandbox_stop (&sandbox);
}

static void
test_sandbox_bad_fault_options (void)
{
  static const struct
  {
    const char *options[5];
    const char *complaint;
  } bad[] = {
    { { "--fault", "teapot", NULL }, "--fault wants one of 429, 500, 503, not-json" },
    { { "--fault", "slow", "--fault-count", "0", NULL }, "--fault-count wants" },
    { { "--fault-count", "2", NULL }, "--fault-count needs --fault" },
    { { "--fault", "slow", "--slow-delay", "-1", NULL }, "--slow-delay wants" },
  };
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "pv-fake-twilio", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) argv = NULL;
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_strv_builder_add_many (builder, program, "--port", "0", NULL);
      g_strv_builder_addv (builder, (const char **) bad[i].options);
      argv = g_strv_builder_end (builder);

      process = g_subprocess_newv ((const char * const *) argv,
                                   G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                   G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                   &error);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
      g_assert_no_error (error);

      g_test_message ("%s", err);
      g_assert_true (g_subprocess_get_if_exited (process));
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
      g_assert_cmpstr (out, ==, "");
      g_assert_nonnull (strstr (err, bad[i].complaint));
    }
}

static void
test_request_recording (void)
{
  Harness h = { 0 };
  g_autoptr(JsonObject) created = NULL;
  g_autofree char *credentials = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *authorization = NULL;
  Exchange exchange = { 0 };
  PvFakeTwilioRequest *request;
  GPtrArray *requests;

  harness_init (&h);

  created = post_messages (&h, SOUP_STATUS_CREATED,
                           "To", CUSTOMER, "From", "+15005550006", "Body", "Code 123456", NULL);

  exchange.msg = new_message (&h, SOUP_METHOD_GET, h.messages_path, NULL);
  soup_message_headers_remove (soup_message_get_request_headers (exchange.msg), "Authorization");
  exchange_run (&h, &exchange);
  exchange_clear (&exchange);

  requests = pv_fake_twilio_get_requests (h.fake);
  g_assert_cmpuint (requests->len, ==, 2);

  request = g_ptr_array_index (requests, 0);
  g_assert_cmpstr (request->method, ==, "POST");
  g_assert_cmpstr (request->path, ==, h.messages_path);
  g_assert_cmpuint (request->status, ==, 201);
  g_assert_nonnull (request->form);
  g_assert_cmpstr (g_hash_table_lookup (request->form, "To"), ==, CUSTOMER);
  g_assert_cmpstr (g_hash_table_lookup (request->form, "Body"), ==, "Code 123456");
  credentials = g_strconcat (pv_fake_twilio_get_account_sid (h.fake), ":",
                             pv_fake_twilio_get_auth_token (h.fake), NULL);
  encoded = g_base64_encode ((const guchar *) credentials, strlen (credentials));
  authorization = g_strconcat ("Basic ", encoded, NULL);
  g_assert_cmpstr (request->authorization, ==, authorization);

  request = g_ptr_array_index (requests, 1);
  g_assert_cmpstr (request->method, ==, "GET");
  g_assert_null (request->authorization);
  g_assert_null (request->form);
  g_assert_cmpuint (request->status, ==, 401);

  pv_fake_twilio_clear (h.fake);
  g_assert_cmpuint (pv_fake_twilio_get_requests (h.fake)->len, ==, 0);
  g_assert_cmpuint (pv_fake_twilio_get_messages (h.fake)->len, ==, 0);
  g_assert_null (pv_fake_twilio_get_last_message_to (h.fake, CUSTOMER));

  /* Cleared messages can no longer be fetched. */
  exchange.msg = new_message (&h, SOUP_METHOD_GET, get_string (created, "uri"), NULL);
  exchange_run (&h, &exchange);
  g_assert_cmpuint (soup_message_get_status (exchange.msg), ==, SOUP_STATUS_NOT_FOUND);
  exchange_clear (&exchange);

  harness_clear (&h);
}

static void
test_code_extraction (void)
{
  static const struct { const char *body; const char *code; } cases[] = {
    { "Your verification code is: 123456", "123456" },
    { "Call +14155552671, then enter 0042.", "0042" },
    { "Room 12, code 98765432 (valid 10 min)", "98765432" },
    { "Ref 12345678901 only", NULL },
    { "Nothing to see, 123", NULL },
  };
  Harness h = { 0 };

  harness_init (&h);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) created = NULL;
      g_autofree char *code = NULL;

      created = post_messages (&h, SOUP_STATUS_CREATED,
                               "To", CUSTOMER, "From", "+15005550006", "Body", cases[i].body,
                               NULL);
      code = pv_fake_twilio_dup_last_code_to (h.fake, CUSTOMER);
      g_assert_cmpstr (code, ==, cases[i].code);
      g_assert_cmpstr (pv_fake_twilio_get_last_message_to (h.fake, CUSTOMER)->sid, ==,
                       get_string (created, "sid"));
    }

  g_assert_null (pv_fake_twilio_get_last_message_to (h.fake, "+442071838750"));
  g_assert_null (pv_fake_twilio_dup_last_code_to (h.fake, "+442071838750"));

  harness_clear (&h);
}

static void
test_segments (void)
{
  static const struct { const char *unit; guint repeat; const char *segments; } cases[] = {
    { "a", 160, "1" },
    { "a", 161, "2" },
    { "a", 306, "2" },
    { "a", 307, "3" },
    { "€", 80, "1" },   /* two septets each */
    { "€", 81, "2" },
    { "ж", 70, "1" },   /* forces UCS-2 */
    { "ж", 71, "2" },
  };
  Harness h = { 0 };

  harness_init (&h);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) body = g_string_new (NULL);
      g_autoptr(JsonObject) created = NULL;

      for (guint j = 0; j < cases[i].repeat; j++)
        g_string_append (body, cases[i].unit);

      created = post_messages (&h, SOUP_STATUS_CREATED,
                               "To", CUSTOMER, "From", "+15005550006", "Body", body->str, NULL);
      g_assert_cmpstr (get_string (created, "num_segments"), ==, cases[i].segments);
    }

  harness_clear (&h);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fake-twilio/account/identity", test_account_identity);
  g_test_add_func ("/fake-twilio/account/fetch", test_account_fetch);
  g_test_add_func ("/fake-twilio/create/full-resource", test_create_full_resource);
  g_test_add_func ("/fake-twilio/create/messaging-service", test_create_with_messaging_service);
  g_test_add_func ("/fake-twilio/create/foreign-messaging-service",
                   test_create_rejects_foreign_messaging_service);
  g_test_add_func ("/fake-twilio/create/magic-numbers", test_magic_numbers);
  g_test_add_func ("/fake-twilio/create/missing-parameters", test_missing_parameters);
  g_test_add_func ("/fake-twilio/create/forced-error", test_forced_create_error);
  g_test_add_func ("/fake-twilio/create/trial-account", test_trial_account);
  g_test_add_func ("/fake-twilio/create/segments", test_segments);
  g_test_add_func ("/fake-twilio/auth/failures", test_auth_failures);
  g_test_add_func ("/fake-twilio/auth/api-key", test_auth_api_key);
  g_test_add_func ("/fake-twilio/delivery/progression", test_delivery_progression);
  g_test_add_func ("/fake-twilio/delivery/undelivered", test_delivery_undelivered);
  g_test_add_func ("/fake-twilio/delivery/failed", test_delivery_failed);
  g_test_add_func ("/fake-twilio/delivery/stays-sent", test_delivery_stays_sent);
  g_test_add_func ("/fake-twilio/routing/not-found", test_not_found);
  g_test_add_func ("/fake-twilio/fault/http-errors", test_fault_http_errors);
  g_test_add_func ("/fake-twilio/fault/slow", test_fault_slow);
  g_test_add_func ("/fake-twilio/fault/slow-client-gone", test_fault_slow_client_gone);
  g_test_add_func ("/fake-twilio/fault/slow-fake-finalized", test_fault_slow_fake_finalized);
  g_test_add_func ("/fake-twilio/fault/truncated", test_fault_truncated);
  g_test_add_func ("/fake-twilio/fault/not-json", test_fault_not_json);
  g_test_add_func ("/fake-twilio/fault/oversized", test_fault_oversized);
  g_test_add_func ("/fake-twilio/fault/drop-after-processing", test_fault_drop_after_processing);
  g_test_add_func ("/fake-twilio/fault/500-after-processing", test_fault_500_after_processing);
  g_test_add_func ("/fake-twilio/fault/slow-past-timeout", test_fault_slow_past_timeout);
  g_test_add_func ("/fake-twilio/fault/create-only", test_create_fault);
  g_test_add_func ("/fake-twilio/sandbox/drop-after-processing",
                   test_sandbox_drop_after_processing);
  g_test_add_func ("/fake-twilio/sandbox/500-after-processing",
                   test_sandbox_500_after_processing);
  g_test_add_func ("/fake-twilio/sandbox/slow", test_sandbox_slow);
  g_test_add_func ("/fake-twilio/sandbox/call", test_sandbox_call);
  g_test_add_func ("/fake-twilio/sandbox/text-us", test_sandbox_text_us);
  g_test_add_func ("/fake-twilio/sandbox/inbound-endpoint", test_sandbox_inbound_endpoint);
  g_test_add_func ("/fake-twilio/list/filters", test_list_filters);
  g_test_add_func ("/fake-twilio/list/bad-parameters", test_list_bad_parameters);
  g_test_add_func ("/fake-twilio/list/paging", test_list_paging);
  g_test_add_func ("/fake-twilio/sandbox/bad-fault-options", test_sandbox_bad_fault_options);
  g_test_add_func ("/fake-twilio/recording/requests", test_request_recording);
  g_test_add_func ("/fake-twilio/recording/code-extraction", test_code_extraction);
  g_test_add_func ("/fake-twilio/calls/create", test_call_create);
  g_test_add_func ("/fake-twilio/calls/validation", test_call_validation);
  g_test_add_func ("/fake-twilio/calls/trial-account", test_call_trial_account);
  g_test_add_func ("/fake-twilio/calls/progression", test_call_progression);
  g_test_add_func ("/fake-twilio/lookup/line-type", test_lookup);
  g_test_add_func ("/fake-twilio/lookup/invalid", test_lookup_invalid);

  return g_test_run ();
}
