/* test-verifier.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The whole flow through the real client, the real store (a temporary file) and the fake
 * Twilio on loopback. Time is a manual clock, so expiry and cooldowns are tested by moving
 * it forward rather than by sleeping. */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pv-sqlite-store.h"
#include "pv-code.h"
#include "pv-country.h"
#include "pv-engine-enums.h"
#include "pv-fake-twilio.h"
#include "pv-language.h"
#include "pv-message-template.h"
#include "pv-phone-number.h"
#include "pv-process-owner.h"
#include "pv-text.h"
#include "pv-twilio-error.h"
#include "pv-verifier.h"

#define START_TIME 1767225600  /* 2026-01-01 00:00:00 UTC */
#define NUMBER     "+14155552671"
#define SHOWN      "(415) 555-2671"  /* NUMBER as staff read it out in a US office */

typedef struct
{
  char           *tmpdir;
  PvClock        *clock;
  PvStore        *store;
  PvFakeTwilio   *fake;
  PvTwilioClient *client;
  PvVerifier     *verifier;
  GPtrArray      *signals;   /* "code-sent +1…", "update error retry …", "reset", … */
} Fixture;

/* What the verifier makes of the customer as stored now. */
static guint
cooldown_remaining (Fixture    *fixture,
                    const char *number)
{
  g_autoptr(PvCustomer) customer = pv_store_lookup (fixture->store, number, NULL);

  return pv_verifier_get_cooldown_remaining (fixture->verifier, customer);
}

static guint
attempts_left (Fixture    *fixture,
               const char *number)
{
  g_autoptr(PvCustomer) customer = pv_store_lookup (fixture->store, number, NULL);

  return pv_verifier_get_attempts_left (fixture->verifier, customer);
}

static void
record (Fixture    *fixture,
        const char *format,
        ...) G_GNUC_PRINTF (2, 3);

static void
record (Fixture    *fixture,
        const char *format,
        ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (fixture->signals, g_strdup_vprintf (format, args));
  va_end (args);
}

static const char *
enum_nick (GType type,
           int   value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);

  return g_enum_get_value (klass, value)->value_nick;
}

static void
code_sent_cb (PvVerifier *verifier,
              const char *number,
              Fixture    *fixture)
{
  record (fixture, "code-sent %s", number);
}

static void
update_cb (PvVerifier     *verifier,
           const char     *message,
           PvUpdateKind    kind,
           PvUpdateAction  action,
           Fixture        *fixture)
{
  record (fixture, "update %s %s %s",
          enum_nick (PV_TYPE_UPDATE_KIND, kind),
          enum_nick (PV_TYPE_UPDATE_ACTION, action),
          message);
}

static void
verified_cb (PvVerifier *verifier,
             const char *number,
             Fixture    *fixture)
{
  record (fixture, "verified %s", number);
}

static void
reset_cb (PvVerifier *verifier,
          Fixture    *fixture)
{
  record (fixture, "reset");
}

static void
delivery_changed_cb (PvVerifier *verifier,
                     const char *number,
                     const char *status,
                     int         error_code,
                     Fixture    *fixture)
{
  record (fixture, "delivery %s %s %d", number, status, error_code);
}

static void
awaiting_ended_cb (PvVerifier *verifier,
                   const char *number,
                   Fixture    *fixture)
{
  record (fixture, "awaiting-ended %s", number);
}

static GBytes *
test_key (void)
{
  return g_bytes_new_static ("0123456789abcdef0123456789abcdef", PV_CODE_KEY_SIZE);
}

static PvTwilioClient *
new_client (Fixture    *fixture,
            const char *base_url)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;
  PvTwilioClient *client = pv_twilio_client_new (base_url);

  credentials = pv_twilio_credentials_new (pv_fake_twilio_get_account_sid (fixture->fake),
                                           NULL,
                                           pv_fake_twilio_get_auth_token (fixture->fake),
                                           pv_fake_twilio_get_phone_number (fixture->fake),
                                           NULL);
  pv_twilio_client_set_credentials (client, credentials);

  return client;
}

/* Set up like any other desk's, with its signals recorded in the fixture's one list: the
 * order of what every desk says is part of what the tests check. */
static PvVerifier *
new_verifier (Fixture        *fixture,
              PvStore        *store,
              PvTwilioClient *client)
{
  g_autoptr(GBytes) key = test_key ();
  PvVerifier *verifier = pv_verifier_new (store, client, fixture->clock);

  pv_verifier_set_digest_key (verifier, key);
  g_object_set (verifier, "poll-interval", 20, NULL);

  g_signal_connect (verifier, "code-sent", G_CALLBACK (code_sent_cb), fixture);
  g_signal_connect (verifier, "update", G_CALLBACK (update_cb), fixture);
  g_signal_connect (verifier, "verified", G_CALLBACK (verified_cb), fixture);
  g_signal_connect (verifier, "reset", G_CALLBACK (reset_cb), fixture);
  g_signal_connect (verifier, "delivery-changed", G_CALLBACK (delivery_changed_cb), fixture);
  g_signal_connect (verifier, "awaiting-ended", G_CALLBACK (awaiting_ended_cb), fixture);
  pv_verifier_set_inbound_interval (verifier, 20);

  return verifier;
}

static PvStore *
open_store (Fixture    *fixture,
            const char *path)
{
  g_autoptr(GError) error = NULL;
  PvStore *store = PV_STORE (pv_sqlite_store_open (path, fixture->clock, &error));

  g_assert_no_error (error);
  return store;
}

/* A second connection to the fixture's database, as another process would have. */
static PvStore *
open_other_store (Fixture *fixture)
{
  return open_store (fixture, pv_sqlite_store_get_path (PV_SQLITE_STORE (fixture->store)));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *base_url = NULL;

  fixture->tmpdir = g_dir_make_tmp ("pv-verifier-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->tmpdir, "phone-verify.db", NULL);

  fixture->clock = pv_clock_new_manual (START_TIME);
  fixture->store = open_store (fixture, path);

  fixture->fake = pv_fake_twilio_new ();
  pv_fake_twilio_set_delivery_step (fixture->fake, 30);
  pv_fake_twilio_listen (fixture->fake, 0, &error);
  g_assert_no_error (error);

  base_url = pv_fake_twilio_dup_base_url (fixture->fake);
  fixture->client = new_client (fixture, base_url);

  fixture->signals = g_ptr_array_new_with_free_func (g_free);
  fixture->verifier = new_verifier (fixture, fixture->store, fixture->client);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  gint64 until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  /* Work a test set going may hold the verifier a moment longer: a poll for texts on its
   * way back from the fake, a store job after the last signal (seen under the sanitizers,
   * which slow everything). Once that is over, the last reference must free it. */
  while (G_OBJECT (fixture->verifier)->ref_count > 1 && g_get_monotonic_time () < until)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  g_assert_finalize_object (fixture->verifier);
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->fake);
  g_clear_object (&fixture->store);
  g_clear_object (&fixture->clock);
  g_clear_pointer (&fixture->signals, g_ptr_array_unref);

  /* Let cancelled requests finish unwinding before the next test. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  dir = g_dir_open (fixture->tmpdir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->tmpdir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (fixture->tmpdir);
  g_free (fixture->tmpdir);
}

/* Each call gets its own slot, so that calls under way at once cannot take each other's
 * results. */
static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

static GAsyncResult *
wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return g_steal_pointer (slot);
}

static void
start_register (PvVerifier    *verifier,
                const char    *input,
                GCancellable  *cancellable,
                GAsyncResult **slot)
{
  pv_verifier_register_async (verifier, input, NULL, cancellable, result_cb, slot);
}

static char *
finish_register (PvVerifier    *verifier,
                 GAsyncResult **slot,
                 GError       **error)
{
  g_autoptr(GAsyncResult) result = wait_for_result (slot);

  return pv_verifier_register_finish (verifier, result, error);
}

/* By text: most tests are about what happens to a text; those about the channel the
 * Register step proposes use register_as_proposed (). */
static char *
register_with (PvVerifier  *verifier,
               const char  *input,
               const char  *name,
               GError     **error)
{
  GAsyncResult *result = NULL;

  pv_verifier_register_in_country_async (verifier, input, NULL, name, PV_CHANNEL_SMS, NULL,
                                         result_cb, &result);

  return finish_register (verifier, &result, error);
}

static char *
register_as_proposed (Fixture     *fixture,
                      const char  *input,
                      GError     **error)
{
  GAsyncResult *result = NULL;

  pv_verifier_register_async (fixture->verifier, input, NULL, NULL, result_cb, &result);

  return finish_register (fixture->verifier, &result, error);
}

static char *
do_register (Fixture     *fixture,
             const char  *input,
             const char  *name,
             GError     **error)
{
  return register_with (fixture->verifier, input, name, error);
}

static gboolean
do_resend (Fixture     *fixture,
           const char  *number,
           GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  pv_verifier_resend_async (fixture->verifier, number, NULL, result_cb, &slot);
  result = wait_for_result (&slot);

  return pv_verifier_resend_finish (fixture->verifier, result, error);
}

/* Registers NUMBER successfully and returns the code the customer's phone received. */
static char *
register_and_read_code (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = do_register (fixture, NUMBER, NULL, &error);
  char *code;

  g_assert_no_error (error);
  g_assert_cmpstr (number, ==, NUMBER);
  code = pv_fake_twilio_dup_last_code_to (fixture->fake, NUMBER);
  g_assert_nonnull (code);
  g_ptr_array_set_size (fixture->signals, 0);

  return code;
}

static void
assert_signals (Fixture          *fixture,
                const char *const expected[])
{
  guint n_expected = g_strv_length ((char **) expected);

  for (guint i = 0; i < MIN (n_expected, fixture->signals->len); i++)
    g_assert_cmpstr (g_ptr_array_index (fixture->signals, i), ==, expected[i]);
  g_assert_cmpuint (fixture->signals->len, ==, n_expected);
}

static guint
count_messages (Fixture *fixture)
{
  return pv_fake_twilio_get_messages (fixture->fake)->len;
}

/* Runs the main loop until the fake has accepted a text to @number; its reply may still
 * be held back. */
static void
wait_for_text_to (Fixture    *fixture,
                  const char *number)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (pv_fake_twilio_get_last_message_to (fixture->fake, number) == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static PvCustomer *
lookup (Fixture    *fixture,
        const char *number)
{
  g_autoptr(GError) error = NULL;
  PvCustomer *customer = pv_store_lookup (fixture->store, number, &error);

  g_assert_no_error (error);
  return customer;
}

static guint
count_events (Fixture     *fixture,
              const char  *number,
              PvEventKind  kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = pv_store_list_events (fixture->store, number, &error);
  guint n_events = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    if (((PvEvent *) g_ptr_array_index (events, i))->kind == kind)
      n_events++;

  return n_events;
}

static char *
wrong_code_for (const char *code)
{
  char *wrong = g_strdup (code);

  wrong[0] = wrong[0] == '9' ? '0' : wrong[0] + 1;
  return wrong;
}

/* Resend is only offered once it can be used: until then, staff are told how long to wait. */
static char *
unconfirmed_update (const char *number,
                    guint       wait)
{
  if (wait == 0)
    return g_strdup_printf ("update error resend Twilio did not confirm the text to %s. It may "
                            "or may not arrive: wait for it, or send a new code.",
                            number);

  return g_strdup_printf ("update error none Twilio did not confirm the text to %s. It may or "
                          "may not arrive: wait for it, or send a new code in %u %s.",
                          number, wait, wait == 1 ? "second" : "seconds");
}

static char *
unconfirmed_info (const char *number)
{
  return g_strdup_printf ("update info resend Twilio never confirmed the last text to %s. It "
                          "may or may not arrive: wait for it, or resend once the wait is over.",
                          number);
}

/* The claimed send stays, with nobody knowing whether the text went out: the code, the
 * counters and the customer are kept, so that a text that does arrive can be used. */
static void
assert_send_unknown (Fixture    *fixture,
                     const char *number,
                     gint64      sent_at,
                     guint       sends_in_window)
{
  g_autoptr(PvCustomer) customer = lookup (fixture, number);

  g_assert_nonnull (customer);
  g_assert_cmpint (customer->status, ==, PV_CUSTOMER_STATUS_PENDING);
  g_assert_cmpint (customer->send_state, ==, PV_SEND_STATE_UNKNOWN);
  g_assert_null (customer->send_owner);
  g_assert_nonnull (customer->code_digest);
  g_assert_cmpint (customer->code_expires_at, ==, sent_at + 600);
  g_assert_cmpuint (customer->failed_attempts, ==, 0);
  g_assert_cmpint (customer->last_sent_at, ==, sent_at);
  g_assert_cmpuint (customer->sends_in_window, ==, sends_in_window);
  g_assert_null (customer->message_sid);
  g_assert_cmpuint (count_events (fixture, number, PV_EVENT_SEND_UNKNOWN), ==, 1);
}

/* Inside the cooldown after a send whose outcome is unknown, neither registering again nor
 * resending texts the customer, who may be holding the code already. */
static void
assert_no_text_within_cooldown (Fixture    *fixture,
                                const char *number,
                                const char *shown,
                                guint       wait)
{
  g_autofree char *info = unconfirmed_info (shown);
  g_autofree char *code_sent = g_strdup_printf ("code-sent %s", number);
  g_autofree char *cooldown = g_strdup_printf ("update error none Wait %u seconds before "
                                               "sending another code to %s.",
                                               wait, shown);
  g_autofree char *registered = NULL;
  g_autoptr(GError) error = NULL;
  guint n_messages = count_messages (fixture);

  g_ptr_array_set_size (fixture->signals, 0);
  registered = do_register (fixture, number, NULL, &error);
  g_assert_null (registered);
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_ALREADY_REQUESTED);
  g_clear_error (&error);
  assert_signals (fixture, (const char *[]) { info, code_sent, NULL });

  g_ptr_array_set_size (fixture->signals, 0);
  g_assert_false (do_resend (fixture, number, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_COOLDOWN);
  assert_signals (fixture, (const char *[]) { cooldown, NULL });

  g_assert_cmpuint (count_messages (fixture), ==, n_messages);
}

/* Makes the answer to the next send go missing with @fault. A slow answer only goes
 * missing if the client gives up on it first. */
static void
lose_next_answer (Fixture           *fixture,
                  PvFakeTwilioFault  fault)
{
  if (fault == PV_FAKE_TWILIO_FAULT_SLOW)
    {
      g_object_set (fixture->client, "timeout", 1, NULL);
      pv_fake_twilio_set_slow_delay (fixture->fake, 3000);
    }

  pv_fake_twilio_set_create_fault (fixture->fake, fault, 1);
}

/* A loopback address nothing listens on, so that a send fails before any request. */
static char *
unreachable_base_url (void)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;

  /* Binding picks a free port; closing the socket again leaves nobody there. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any_port, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  g_socket_close (socket, &error);
  g_assert_no_error (error);

  return g_strdup_printf ("http://127.0.0.1:%u",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
}

static void
wait_for_signal_text (Fixture    *fixture,
                      const char *text)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  for (;;)
    {
      for (guint i = 0; i < fixture->signals->len; i++)
        if (g_str_equal (g_ptr_array_index (fixture->signals, i), text))
          return;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* -- registering ------------------------------------------------------------------------ */

static void
test_register_invalid_input (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) expected = NULL;
  g_autofree char *number = do_register (fixture, "1-800-FLOWERS", NULL, &error);
  g_autofree char *update = NULL;

  g_assert_null (number);
  g_assert_error (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_LETTERS);

  pv_phone_number_normalize ("1-800-FLOWERS", "US", &expected);
  /* The number's field is at fault. */
  update = g_strdup_printf ("update error edit-number %s", expected->message);
  assert_signals (fixture, (const char *[]) { update, NULL });

  /* Nothing reached Twilio. */
  g_assert_cmpuint (pv_fake_twilio_get_requests (fixture->fake)->len, ==, 0);
}

static void
test_register_new_number (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PvCustomer) customer = NULL;
  g_autofree char *number = do_register (fixture, "(415) 555-2671", "  Ada Lovelace ", &error);
  g_autofree char *code = NULL;
  const PvFakeTwilioMessage *sms;

  g_assert_no_error (error);
  g_assert_cmpstr (number, ==, NUMBER);

  sms = pv_fake_twilio_get_last_message_to (fixture->fake, NUMBER);
  g_assert_nonnull (sms);
  code = pv_fake_twilio_dup_last_code_to (fixture->fake, NUMBER);
  g_assert_cmpuint (strlen (code), ==, 6);
  {
    /* The built-in English wording, with the code and its ten minutes. */
    g_autofree char *expected = g_strdup_printf ("Your verification code is %s. Valid for 10 "
                                                 "min. Do not share it with anyone.", code);

    g_assert_cmpstr (sms->body, ==, expected);
  }

  assert_signals (fixture, (const char *[]) {
    "update success none A verification code was sent to (415) 555-2671.",
    "code-sent +14155552671",
    "delivery +14155552671 queued 0",
    NULL });

  customer = lookup (fixture, NUMBER);
  g_assert_nonnull (customer);
  g_assert_cmpint (customer->status, ==, PV_CUSTOMER_STATUS_PENDING);
  g_assert_cmpstr (customer->name, ==, "Ada Lovelace");
  g_assert_cmpstr (customer->message_sid, ==, sms->sid);
  g_assert_cmpstr (customer->delivery_status, ==, "queued");
  g_assert_cmpint (customer->code_expires_at, ==, START_TIME + 600);
  g_assert_cmpint (customer->last_sent_at, ==, START_TIME);
  g_assert_cmpint (customer->created_at, ==, START_TIME);
  g_assert_cmpuint (customer->sends_in_window, ==, 1);
  g_assert_cmpuint (customer->failed_attempts, ==, 0);
  g_assert_cmpint (customer->send_state, ==, PV_SEND_STATE_SENT);
  g_assert_cmpint (customer->send_id, ==, 1);
  g_assert_null (customer->send_owner);

  /* Only a keyed digest is stored, never the code. */
  g_assert_cmpuint (strlen (customer->code_digest), ==, 64);
  g_assert_null (strstr (customer->code_digest, code));
  g_assert_cmpuint (count_events (fixture, NUMBER, PV_EVENT_CODE_SENT), ==, 1);
}

/* Names are cleaned before they are stored: whitespace of any kind folded to one space. */
static void
test_register_name_is_cleaned (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PvCustomer) customer = NULL;
  g_autofree char *number = do_register (fixture, NUMBER, "\tAda \u00a0 Lovelace\r\n", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (number, ==, NUMBER);
  customer = lookup (fixture, NUMBER);
  g_assert_cmpstr (customer->name, ==, "Ada Lovelace");
}

static char *
repeat (const char *piece,
        guint       times)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < times; i++)
    g_string_append (text, piece);

  return g_string_free (text, FALSE);
}

typedef struct
{
  const char  *name;
  const char  *customer_name;   /* NULL: PV_TEXT_NAME_MAX_CHARS + 1 times "é" */
  PvTextError  expected;
} HostileNameCase;

static const HostileNameCase hostile_names[] = {
  { "rtl-override", "Ada \u202eecalevoL", PV_TEXT_ERROR_BIDI },
  { "isolate", "\u2067Ada\u2069 Lovelace", PV_TEXT_ERROR_BIDI },
  { "escape", "Ada\x1b[2J\x1b]0;owned\x07", PV_TEXT_ERROR_CONTROL },
  { "c1-control", "Ada\xc2\x9b" "2J", PV_TEXT_ERROR_CONTROL },
  { "zero-width", "Ada\u200bLovelace", PV_TEXT_ERROR_INVISIBLE },
  { "invalid-utf8", "Ada \xff\xfe", PV_TEXT_ERROR_INVALID_UTF8 },
  { "too-long", NULL, PV_TEXT_ERROR_TOO_LONG },
};

/* A name that cannot be shown safely is refused with its own message before anything
 * else happens: no customer, no event, no request to Twilio. */
static void
test_register_hostile_name (Fixture       *fixture,
                            gconstpointer  data)
{
  const HostileNameCase *c = data;
  g_autofree char *long_name = repeat ("é", PV_TEXT_NAME_MAX_CHARS + 1);
  const char *name = c->customer_name != NULL ? c->customer_name : long_name;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) expected = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *update = NULL;
  g_autofree char *number = NULL;

  number = do_register (fixture, "(415) 555-2671", name, &error);
  g_assert_null (number);
  g_assert_error (error, PV_TEXT_ERROR, (int) c->expected);

  g_assert_null (pv_text_clean_name (name, &expected));
  update = g_strdup_printf ("update error edit-name %s", expected->message);
  assert_signals (fixture, (const char *[]) { update, NULL });

  g_assert_cmpuint (pv_fake_twilio_get_requests (fixture->fake)->len, ==, 0);
  g_assert_null (lookup (fixture, NUMBER));
  events = pv_store_list_events (fixture->store, NUMBER, NULL);
  g_assert_cmpuint (events->len, ==, 0);
}

/* A customer already on file keeps their name, code and limits as they were. */
static void
test_register_hostile_name_known_customer (Fixture       *fixture,
                                           gconstpointer  data)
{
  g_autoptr(PvCustomer) before = NULL;
  g_autoptr(PvCustomer) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = do_register (fixture, NUMBER, "Ada Lovelace", &error);
  guint n_requests;

  g_assert_no_error (error);
  before = lookup (fixture, NUMBER);
  n_requests = pv_fake_twilio_get_requests (fixture->fake)->len;
  pv_clock_advance (fixture->clock, 3600);

  g_clear_pointer (&number, g_free);
  number = do_register (fixture, NUMBER, "\u202eecalevoL adA", &error);
  g_assert_null (number);
  g_assert_error (error, PV_TEXT_ERROR, PV_TEXT_ERROR_BIDI);

  after = lookup (fixture, NUMBER);
  g_assert_cmpstr (after->name, ==, "Ada Lovelace");
  g_assert_cmpstr (after->code_digest, ==, before->code_digest);
  g_assert_cmpint (after->send_id, ==, before->send_id);
  g_assert_cmpuint (after->sends_in_window, ==, before->sends_in_window);
  g_assert_cmpuint (count_events (fixture, NUMBER, PV_EVENT_CODE_SENT), ==, 1);
  g_assert_cmpuint (pv_fake_twilio_get_requests (fixture->fake)->len, ==, n_requests);
}

/* Up to the limit, counted in characters: 200 two-byte characters are 400 bytes. */
static void
test_register_longest_name (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *name = repeat ("é", PV_TEXT_NAME_MAX_CHARS);
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = do_register (fixture, NUMBER, name, &error);

  g_assert_no_error (error);
  customer = lookup (fixture, NUMBER);
  g_assert_cmpstr (customer->name, ==, name);
}

/* The number is checked first, as it comes first in the form; the name before whether
 * codes can be sent at all, since it can be fixed on the spot. */
static void
test_register_checks_in_order (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = do_register (fixture, "1-800-FLOWERS", "Ada\x1b", &error);

  g_assert_null (number);
  g_assert_error (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_LETTERS);
  g_clear_error (&error);

  pv_verifier_set_digest_key (fixture->verifier, NULL);
  number = do_register (fixture, NUMBER, "Ada\x1b", &error);
  g_assert_null (number);
  g_assert_error (error, PV_TEXT_ERROR, PV_TEXT_ERROR_CONTROL);
}

/* The office's own wording for @language, as Preferences would store it. */
static void
set_office_wording (Fixture    *fixture,
                    const char *language,
                    const char *text)
{
  g_object_set (pv_verifier_get_composer (fixture->verifier),
                "message-templates", pv_message_templates_replace (NULL, language, text),
                "default-language", "en",
                NULL);
}

static void
test_register_uses_template_and_length (Fixture       *fixture,
                                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  g_autofree char *code = NULL;
  g_autofree char *expected = NULL;

  set_office_wording (fixture, "en", "{code} is your Example Dental code");
  g_object_set (fixture->verifier, "code-length", 8, NULL);
  number = do_register (fixture, NUMBER, NULL, &error);
  g_assert_no_error (error);

  code = pv_fake_twilio_dup_last_code_to (fixture->fake, NUMBER);
  g_assert_cmpuint (strlen (code), ==, 8);
  expected = g_strdup_printf ("%s is your Example Dental code", code);
  g_assert_cmpstr (pv_fake_twilio_get_last_message_to (fixture->fake, NUMBER)->body, ==, expected);
}

static void
test_register_invalid_template (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;

  set_office_wording (fixture, "en", "Your code is on its way");
  number = do_register (fixture, NUMBER, NULL, &error);

  g_assert_null (number);
  g_assert_error (error, PV_MESSAGE_TEMPLATE_ERROR, PV_MESSAGE_TEMPLATE_ERROR_NO_CODE);
  g_assert_cmpuint (fixture->signals->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (fixture->signals, 0),
                                   "update error open-preferences "));
  g_assert_cmpuint (count_messages (fixture), ==, 0);
  g_assert_null (lookup (fixture, NUMBER));
}

typedef struct
{
  const char     *number;
  int             twilio_code;   /* forced with set_create_error, or 0 for a magic number */
  PvTwilioError   expected;
  const char     *action;
} RefusalCase;

static const RefusalCase refusals[] = {
  { "+15005550001", 0, PV_TWILIO_ERROR_INVALID_NUMBER, "edit-number" },
  { "+15005550002", 0, PV_TWILIO_ERROR_INVALID_NUMBER, "edit-number" },
  { "+15005550009", 0, PV_TWILIO_ERROR_INVALID_NUMBER, "edit-number" },
  { "+15005550003", 0, PV_TWILIO_ERROR_REGION_DISABLED, "open-geo-permissions" },
  { "+15005550004", 0, PV_TWILIO_ERROR_OPTED_OUT, "none" },
  { "+442071838750", 21635, PV_TWILIO_ERROR_INVALID_NUMBER, "edit-number" },
  { "+442071838751", 21608, PV_TWILIO_ERROR_UNVERIFIED_TRIAL_NUMBER, "open-verified-numbers" },
};

/* A refused send leaves no trace of a new customer but the refusal itself, and says why,
 * in Twilio's own terms. */
static void
test_register_refused_by_twilio (Fixture       *fixture,
                                 gconstpointer  data)
{
  /* The British numbers must get as far as Twilio. */
  g_object_set (fixture->verifier,
                "served-countries", (const char * const[]) { "US", "GB", NULL },
                NULL);

  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      const RefusalCase *c = &refusals[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *number = NULL;
      g_autofree char *prefix = NULL;

      g_ptr_array_set_size (fixture->signals, 0);
      if (c->twilio_code != 0)
        pv_fake_twilio_set_create_error (fixture->fake, c->number, c->twilio_code);

      number = do_register (fixture, c->number, NULL, &error);
      g_assert_null (number);
      g_assert_error (error, PV_TWILIO_ERROR, (int) c->expected);

      prefix = g_strdup_printf ("update error %s ", c->action);
      g_assert_cmpuint (fixture->signals->len, ==, 1);
      g_assert_true (g_str_has_prefix (g_ptr_array_index (fixture->signals, 0), prefix));
      g_assert_nonnull (strstr (g_ptr_array_index (fixture->signals, 0), error->message));

      g_assert_null (lookup (fixture, c->number));
      g_assert_cmpuint (count_events (fixture, c->number, PV_EVENT_CODE_SENT), ==, 0);
      g_assert_cmpuint (count_events (fixture, c->number, PV_EVENT_SEND_REFUSED), ==, 1);
    }
}

/* Definite refusals: Twilio turned the request down, or it never left this machine. */
typedef struct
{
  const char        *name;
  PvFakeTwilioFault  fault;        /* for the send, or NONE */
  int                twilio_code;  /* forced on the send, or 0 */
  gboolean           unreachable;  /* sent by a desk whose client has no server to reach */
  PvTwilioError      expected;
  const char        *action;
} RestoreCase;

static const RestoreCase restore_cases[] = {
  { "http-429", PV_FAKE_TWILIO_FAULT_HTTP_429, 0, FALSE, PV_TWILIO_ERROR_RATE_LIMITED, "retry" },
  { "opted-out", PV_FAKE_TWILIO_FAULT_NONE, 21610, FALSE, PV_TWILIO_ERROR_OPTED_OUT,
    "none" },
  { "unreachable", PV_FAKE_TWILIO_FAULT_NONE, 0, TRUE, PV_TWILIO_ERROR_NETWORK, "retry" },
};

/* Everything the claim changed but the name is put back; only send_id stays moved on, so
 * that nothing can take the refused send for the one before it. */
static void
assert_customer_restored (const PvCustomer *before,
                          const PvCustomer *after)
{
  g_assert_nonnull (after);
  g_assert_cmpint (after->status, ==, before->status);
  g_assert_cmpstr (after->code_digest, ==, before->code_digest);
  g_assert_cmpint (after->code_expires_at, ==, before->code_expires_at);
  g_assert_cmpuint (after->failed_attempts, ==, before->failed_attempts);
  g_assert_cmpuint (after->sends_in_window, ==, before->sends_in_window);
  g_assert_cmpint (after->send_window_started_at, ==, before->send_window_started_at);
  g_assert_cmpint (after->last_sent_at, ==, before->last_sent_at);
  g_assert_cmpstr (after->message_sid, ==, before->message_sid);
  g_assert_cmpstr (after->delivery_status, ==, before->delivery_status);
  g_assert_cmpint (after->delivery_error_code, ==, before->delivery_error_code);
  g_assert_cmpint (after->send_state, ==, before->send_state);
  g_assert_null (after->send_owner);
  g_assert_cmpint (after->send_id, ==, before->send_id + 1);
}

static void
test_register_refused_restores_previous_state (Fixture       *fixture,
                                               gconstpointer  data)
{
  const RestoreCase *c = data;
  g_autofree char *code = register_and_read_code (fixture);
  g_autofree char *wrong = wrong_code_for (code);
  g_autoptr(PvTwilioClient) client = NULL;
  g_autoptr(PvVerifier) sender = NULL;
  g_autoptr(PvCustomer) before = NULL;
  g_autoptr(PvCustomer) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  g_autofree char *prefix = g_strdup_printf ("update error %s ", c->action);

  /* Give each field something to go back to: a final delivery status, a used attempt. */
  wait_for_signal_text (fixture, "delivery +14155552671 delivered 0");
  g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, wrong, NULL));

  /* The code expires, so the next register sends a new one; but that send is refused. */
  pv_clock_advance (fixture->clock, 601);
  before = lookup (fixture, NUMBER);

  if (c->unreachable)
    {
      g_autofree char *base_url = unreachable_base_url ();

      client = new_client (fixture, base_url);
      sender = new_verifier (fixture, fixture->store, client);
    }
  else
    {
      sender = g_object_ref (fixture->verifier);
    }
  if (c->fault != PV_FAKE_TWILIO_FAULT_NONE)
    pv_fake_twilio_set_create_fault (fixture->fake, c->fault, 1);
  if (c->twilio_code != 0)
    pv_fake_twilio_set_create_error (fixture->fake, NUMBER, c->twilio_code);

  g_ptr_array_set_size (fixture->signals, 0);
  number = register_with (sender, NUMBER, "Someone Else", &error);
  g_assert_null (number);
  g_assert_error (error, PV_TWILIO_ERROR, (int) c->expected);
  g_assert_cmpuint (fixture->signals->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (fixture->signals, 0), prefix));

  after = lookup (fixture, NUMBER);
  assert_customer_restored (before, after);
  g_assert_cmpuint (count_events (fixture, NUMBER, PV_EVENT_SEND_REFUSED), ==, 1);
  g_assert_cmpuint (count_events (fixture, NUMBER, PV_EVENT_SEND_UNKNOWN), ==, 0);
  g_assert_cmpuint (count_messages (fixture), ==, 1);

  /* The name the claim wrote goes too: a refused register changes nothing. */
  g_assert_cmpstr (after->name, ==, before->name);
}

/* Every way Twilio's answer to a send can go missing. */
typedef struct
{
  const char        *name;
  PvFakeTwilioFault  fault;
  gboolean           accepted;     /* the fake took the text before the answer was lost */
} LostAnswerCase;

static const LostAnswerCase lost_answers[] = {
  { "http-500", PV_FAKE_TWILIO_FAULT_HTTP_500, FALSE },
  { "http-503", PV_FAKE_TWILIO_FAULT_HTTP_503, FALSE },
  { "not-json", PV_FAKE_TWILIO_FAULT_NOT_JSON, FALSE },
  { "truncated", PV_FAKE_TWILIO_FAULT_TRUNCATED, TRUE },
  { "oversized", PV_FAKE_TWILIO_FAULT_OVERSIZED, TRUE },
  { "dropped-after-processing", PV_FAKE_TWILIO_FAULT_DROP_AFTER_PROCESSING, TRUE },
  { "http-500-after-processing", PV_FAKE_TWILIO_FAULT_HTTP_500_AFTER_PROCESSING, TRUE },
  { "slow-past-timeout", PV_FAKE_TWILIO_FAULT_SLOW, TRUE },
};

/* No answer says whether the text went out, so it may arrive: its code is kept and must
 * work, and staff may not text the customer again before the cooldown is over. */
static void
test_register_lost_answer (Fixture       *fixture,
                           gconstpointer  data)
{
  const LostAnswerCase *c = data;
  g_autofree char *update = unconfirmed_update (SHOWN, 30);
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  g_autofree char *code = NULL;
  guint n_messages = c->accepted ? 1 : 0;

  lose_next_answer (fixture, c->fault);
  number = do_register (fixture, NUMBER, NULL, &error);
  g_assert_null (number);
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_OUTCOME_UNKNOWN);
  g_clear_error (&error);
  assert_signals (fixture, (const char *[]) { update, "code-sent +14155552671", NULL });

  assert_send_unknown (fixture, NUMBER, START_TIME, 1);
  g_assert_cmpuint (count_events (fixture, NUMBER, PV_EVENT_SEND_REFUSED), ==, 0);
  g_assert_cmpuint (count_messages (fixture), ==, n_messages);

  pv_clock_advance (fixture->clock, 10);
  assert_no_text_within_cooldown (fixture, NUMBER, SHOWN, 20);

  if (!c->accepted)
    {
      /* Nothing arrived: once the cooldown is over, a new code goes out. */
      pv_clock_advance (fixture->clock, 20);
      g_assert_true (do_resend (fixture, NUMBER, &error));
      g_assert_no_error (error);
      n_messages++;
    }

  g_assert_cmpuint (count_messages (fixture), ==, n_messages);
  code = pv_fake_twilio_dup_last_code_to (fixture->fake, NUMBER);
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
  g_assert_no_error (error);
}

/* What staff are told to wait for follows the cooldown in force. */
static const guint unconfirmed_waits[] = { 0, 1, 30 };

static void
test_register_lost_answer_wait (Fixture       *fixture,
                                gconstpointer  data)
{
  guint cooldown = *(const guint *) data;
  g_autofree char *update = unconfirmed_update (SHOWN, cooldown);
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;

  g_object_set (fixture->verifier, "resend-cooldown", cooldown, NULL);
  lose_next_answer (fixture, PV_FAKE_TWILIO_FAULT_HTTP_500);
  number = do_register (fixture, NUMBER, NULL, &error);
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_OUTCOME_UNKNOWN);
  assert_signals (fixture, (const char *[]) { update, "code-sent +14155552671", NULL });
  g_assert_cmpuint (cooldown_remaining (fixture, NUMBER), ==, cooldown);
}

/* No answer in time to the send of a new code for a known customer: the new code replaces
 * the old one, and the send counts against the cooldown and the hourly limit. */
static void
test_register_timeout_still_counts (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autofree char *old_code = register_and_read_code (fixture);
  g_autofree char *new_code = NULL;
  g_autoptr(PvCustomer) before = NULL;
  g_autoptr(PvCustomer) after = NULL;
  g_autoptr(GError) error = NULL;

  pv_clock_advance (fixture->clock, 601);
  before = lookup (fixture, NUMBER);
  lose_next_answer (fixture, PV_FAKE_TWILIO_FAULT_SLOW);

  g_free (do_register (fixture, NUMBER, NULL, &error));
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_OUTCOME_UNKNOWN);
  g_clear_error (&error);

  assert_send_unknown (fixture, NUMBER, START_TIME + 601, before->sends_in_window + 1);
  after = lookup (fixture, NUMBER);
  g_assert_cmpstr (after->code_digest, !=, before->code_digest);
  g_assert_cmpint (after->send_id, ==, before->send_id + 1);
  g_assert_cmpuint (cooldown_remaining (fixture, NUMBER), ==, 30);

  /* The text did go out, and its code is the one that works. */
  g_assert_cmpuint (count_messages (fixture), ==, 2);
  new_code = pv_fake_twilio_dup_last_code_to (fixture->fake, NUMBER);
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, new_code, &error));
  g_assert_no_error (error);
}

static void
test_register_auth_failure (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(PvTwilioCredentials) wrong = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;

  wrong = pv_twilio_credentials_new (pv_fake_twilio_get_account_sid (fixture->fake), NULL,
                                     "0123456789abcdef0123456789abcdef",
                                     pv_fake_twilio_get_phone_number (fixture->fake), NULL);
  pv_twilio_client_set_credentials (fixture->client, wrong);

  number = do_register (fixture, NUMBER, NULL, &error);
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_AUTH_FAILED);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (fixture->signals, 0),
                                   "update error open-preferences "));
  g_assert_null (strstr (g_ptr_array_index (fixture->signals, 0),
                         "0123456789abcdef0123456789abcdef"));
  g_assert_null (lookup (fixture, NUMBER));
}

static void
test_register_already_verified (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autofree char *code = register_and_read_code (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;

  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
  g_assert_no_error (error);
  g_ptr_array_set_size (fixture->signals, 0);

  number = do_register (fixture, "+1 415 555 2671", NULL, &error);
  g_assert_null (number);
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_ALREADY_VERIFIED);
  assert_signals (fixture, (const char *[]) {
    "update info verify-again (415) 555-2671 is already verified.",
    "reset",
    NULL });
  g_assert_cmpuint (count_messages (fixture), ==, 1);
}

static gboolean
do_verify_again (Fixture     *fixture,
                 const char  *number,
                 GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  pv_verifier_verify_again_async (fixture->verifier, number, NULL, result_cb, &slot);
  result = wait_for_result (&slot);

  return pv_verifier_verify_again_finish (fixture->verifier, result, error);
}

/* Numbers get reassigned: a verified customer can be sent a new code on purpose. They are
 * pending until it is read back, and the history keeps both verifications. */
static void
test_verify_again (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *code = register_and_read_code (fixture);
  g_autofree char *second = NULL;
  g_autoptr(PvCustomer) pending = NULL;
  g_autoptr(PvCustomer) verified = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
  g_assert_no_error (error);
  pv_clock_advance (fixture->clock, 3600);

  g_assert_true (do_verify_again (fixture, NUMBER, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_messages (fixture), ==, 2);
  second = pv_fake_twilio_dup_last_code_to (fixture->fake, NUMBER);
  pending = lookup (fixture, NUMBER);
  g_assert_cmpint (pending->status, ==, PV_CUSTOMER_STATUS_PENDING);
  g_assert_nonnull (pending->code_digest);
  /* When it was last verified is kept until it is verified again. */
  g_assert_cmpint (pending->verified_at, ==, START_TIME);

  /* The old code is no good any more. */
  if (g_strcmp0 (code, second) != 0)
    g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, code, NULL));
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, second, &error));
  g_assert_no_error (error);

  verified = lookup (fixture, NUMBER);
  g_assert_cmpint (verified->status, ==, PV_CUSTOMER_STATUS_VERIFIED);
  g_assert_cmpint (verified->verified_at, ==, START_TIME + 3600);
  g_assert_cmpuint (count_events (fixture, NUMBER, PV_EVENT_VERIFIED), ==, 2);
  g_assert_cmpuint (count_events (fixture, NUMBER, PV_EVENT_CODE_SENT), ==, 2);
}

/* A re-verification Twilio refuses reached nobody: the customer stays verified, and the
 * cooldown still holds for the next try. */
static void
test_verify_again_refused (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *code = register_and_read_code (fixture);
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
  g_assert_no_error (error);

  /* Too soon after the first code. */
  g_assert_false (do_verify_again (fixture, NUMBER, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_COOLDOWN);
  g_clear_error (&error);

  pv_clock_advance (fixture->clock, 3600);
  pv_fake_twilio_set_create_error (fixture->fake, NUMBER, 21610);
  g_assert_false (do_verify_again (fixture, NUMBER, &error));
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_OPTED_OUT);

  customer = lookup (fixture, NUMBER);
  g_assert_cmpint (customer->status, ==, PV_CUSTOMER_STATUS_VERIFIED);
  g_assert_null (customer->code_digest);
  g_assert_cmpuint (count_events (fixture, NUMBER, PV_EVENT_VERIFIED), ==, 1);
}

/* No second text while a code is live; the task fails, but staff are taken on to the code
 * step, since the customer may be reading that code out right now. */
static void
test_register_already_requested (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autofree char *code = register_and_read_code (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;

  pv_clock_advance (fixture->clock, 120);
  number = do_register (fixture, NUMBER, NULL, &error);
  g_assert_null (number);
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_ALREADY_REQUESTED);
  g_clear_error (&error);
  assert_signals (fixture, (const char *[]) {
    "update info resend A code was already sent to (415) 555-2671. Enter the code from that "
      "text message.",
    "code-sent +14155552671",
    NULL });

  /* No second text, and the first code still works. */
  g_assert_cmpuint (count_messages (fixture), ==, 1);
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
  g_assert_no_error (error);
}

static void
test_register_after_expiry_sends_new_code (Fixture       *fixture,
                                           gconstpointer  data)
{
  g_autofree char *old_code = register_and_read_code (fixture);
  g_autofree char *new_code = NULL;
  g_autoptr(GError) error = NULL;

  pv_clock_advance (fixture->clock, 600);
  g_free (do_register (fixture, NUMBER, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_messages (fixture), ==, 2);

  new_code = pv_fake_twilio_dup_last_code_to (fixture->fake, NUMBER);
  if (g_strcmp0 (old_code, new_code) != 0)
    {
      g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, old_code, &error));
      g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_WRONG_CODE);
      g_clear_error (&error);
    }
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, new_code, &error));
  g_assert_no_error (error);
}

static void
test_register_not_configured (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;

  pv_verifier_set_digest_key (fixture->verifier, NULL);
  number = do_register (fixture, NUMBER, NULL, &error);
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_NOT_CONFIGURED);
  assert_signals (fixture, (const char *[]) {
    "update error open-preferences Connect your Twilio account in Preferences to send codes.",
    NULL });
  g_assert_cmpuint (pv_fake_twilio_get_requests (fixture->fake)->len, ==, 0);
}

/* The send is claimed before its request goes out, so a second one, even from this very
 * verifier, is refused while the first is under way. */
static void
test_register_busy (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *owner = pv_process_owner_new ();
  g_autoptr(PvCustomer) sending = NULL;
  g_autoptr(PvCustomer) sent = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  GAsyncResult *first = NULL;
  GAsyncResult *second = NULL;

  pv_fake_twilio_set_create_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_SLOW, 1);
  pv_fake_twilio_set_slow_delay (fixture->fake, 200);
  start_register (fixture->verifier, NUMBER, NULL, &first);

  /* The claim is made on the verifier's store queue, so it is in the store soon after. */
  while ((sending = lookup (fixture, NUMBER)) == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (sending);
  g_assert_cmpint (sending->send_state, ==, PV_SEND_STATE_SENDING);
  g_assert_cmpstr (sending->send_owner, ==, owner);
  g_assert_cmpint (sending->send_id, ==, 1);
  g_assert_nonnull (sending->code_digest);
  g_assert_cmpuint (sending->sends_in_window, ==, 1);
  g_assert_cmpint (sending->last_sent_at, ==, START_TIME);

  start_register (fixture->verifier, NUMBER, NULL, &second);
  number = finish_register (fixture->verifier, &second, &error);
  g_assert_null (number);
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_BUSY);
  g_clear_error (&error);
  assert_signals (fixture, (const char *[]) {
    "update error none A code is already on its way to (415) 555-2671.",
    NULL });

  number = finish_register (fixture->verifier, &first, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (number, ==, NUMBER);
  g_assert_cmpuint (count_messages (fixture), ==, 1);

  sent = lookup (fixture, NUMBER);
  g_assert_cmpint (sent->send_state, ==, PV_SEND_STATE_SENT);
  g_assert_null (sent->send_owner);
  g_assert_cmpint (sent->send_id, ==, 1);
  g_assert_cmpstr (sent->message_sid, ==,
                   pv_fake_twilio_get_last_message_to (fixture->fake, NUMBER)->sid);
}

/* Cancelled at once: the claim is queued off the main thread, so the cancellation reaches
 * it before the store does. Nothing was claimed or sent, so nothing is kept, not even a
 * refused send in the history. */
static void
test_register_cancelled (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  GAsyncResult *result = NULL;

  start_register (fixture->verifier, NUMBER, cancellable, &result);
  g_cancellable_cancel (cancellable);

  number = finish_register (fixture->verifier, &result, &error);
  g_assert_null (number);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Cancelling is the staff member's own doing: no message about it. */
  assert_signals (fixture, (const char *[]) { NULL });
  g_assert_null (lookup (fixture, NUMBER));
  g_assert_cmpuint (count_events (fixture, NUMBER, PV_EVENT_SEND_REFUSED), ==, 0);
  g_assert_cmpuint (count_events (fixture, NUMBER, PV_EVENT_CODE_SENT), ==, 0);
  g_assert_cmpuint (count_messages (fixture), ==, 0);
}

/* Cancelled once the request is out: the text goes out all the same, so it is kept like
 * any other unanswered send, only without telling staff about their own doing. */
typedef struct
{
  const char *name;
  gboolean    client_caught_up;  /* the client has seen its request written in full */
} CancelCase;

static const CancelCase late_cancels[] = {
  { "while-reply-held", TRUE },
  { "as-request-arrives", FALSE },
};

static void
test_register_cancelled_after_sending (Fixture       *fixture,
                                       gconstpointer  data)
{
  const CancelCase *c = data;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  g_autofree char *code = NULL;
  GAsyncResult *result = NULL;

  pv_fake_twilio_set_create_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_SLOW, 1);
  pv_fake_twilio_set_slow_delay (fixture->fake, 3000);
  start_register (fixture->verifier, NUMBER, cancellable, &result);
  wait_for_text_to (fixture, NUMBER);

  /* libsoup says a request body was written a few iterations after the server has it. */
  if (c->client_caught_up)
    while (g_main_context_iteration (NULL, FALSE))
      ;
  g_cancellable_cancel (cancellable);

  number = finish_register (fixture->verifier, &result, &error);
  g_assert_null (number);
  assert_signals (fixture, (const char *[]) { NULL });

  /* However soon after the server took the request the cancel comes, the send may have
   * gone out: the claim stays, and the task says so rather than "cancelled". */
  customer = lookup (fixture, NUMBER);
  g_assert_nonnull (customer);
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_OUTCOME_UNKNOWN);
  g_clear_error (&error);

  assert_send_unknown (fixture, NUMBER, START_TIME, 1);
  code = pv_fake_twilio_dup_last_code_to (fixture->fake, NUMBER);
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
  g_assert_no_error (error);
}

/* The customer reads out a code that arrived before Twilio's answer, and is verified at
 * this desk or at another one with its own connection to the database. What comes of the
 * send afterwards, an answer or none, must not put them back to pending with a live code. */
typedef struct
{
  gboolean  other_desk;
  gboolean  answer_lost;
} LateReplyCase;

static const LateReplyCase late_replies[] = {
  { FALSE, FALSE },
  { FALSE, TRUE },
  { TRUE, FALSE },
  { TRUE, TRUE },
};

static void
test_register_late_reply_keeps_verification (Fixture       *fixture,
                                             gconstpointer  data)
{
  const LateReplyCase *c = data;
  g_autofree char *base_url = pv_fake_twilio_dup_base_url (fixture->fake);
  g_autoptr(PvStore) other_store = NULL;
  g_autoptr(PvTwilioClient) other_client = NULL;
  g_autoptr(PvVerifier) checker = NULL;
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  g_autofree char *code = NULL;
  GAsyncResult *result = NULL;

  if (c->other_desk)
    {
      other_store = open_other_store (fixture);
      other_client = new_client (fixture, base_url);
      checker = new_verifier (fixture, other_store, other_client);
    }
  else
    {
      checker = g_object_ref (fixture->verifier);
    }

  if (c->answer_lost)
    {
      lose_next_answer (fixture, PV_FAKE_TWILIO_FAULT_SLOW);
    }
  else
    {
      pv_fake_twilio_set_create_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_SLOW, 1);
      pv_fake_twilio_set_slow_delay (fixture->fake, 300);
    }
  start_register (fixture->verifier, NUMBER, NULL, &result);
  wait_for_text_to (fixture, NUMBER);

  /* Whichever desk asks, the send under way is not doubled. */
  g_free (register_with (checker, NUMBER, NULL, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_BUSY);
  g_clear_error (&error);

  code = pv_fake_twilio_dup_last_code_to (fixture->fake, NUMBER);
  g_assert_true (pv_verifier_verify (checker, NUMBER, code, &error));
  g_assert_no_error (error);
  g_ptr_array_set_size (fixture->signals, 0);

  number = finish_register (fixture->verifier, &result, &error);
  if (c->answer_lost)
    {
      g_assert_null (number);
      g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_OUTCOME_UNKNOWN);
      g_clear_error (&error);
    }
  else
    {
      g_assert_no_error (error);
      g_assert_cmpstr (number, ==, NUMBER);
    }

  /* The customer is verified: there is no code to wait for, nothing to announce, whether
   * Twilio answered or not. */
  assert_signals (fixture, (const char *[]) { NULL });

  customer = lookup (fixture, NUMBER);
  g_assert_cmpint (customer->status, ==, PV_CUSTOMER_STATUS_VERIFIED);
  g_assert_cmpint (customer->verified_at, ==, START_TIME);
  g_assert_null (customer->code_digest);
  g_assert_cmpint (customer->send_state, ==,
                   c->answer_lost ? PV_SEND_STATE_UNKNOWN : PV_SEND_STATE_SENT);
  g_assert_cmpuint (count_messages (fixture), ==, 1);

  /* The code was good for one verification, on either desk. */
  g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_ALREADY_VERIFIED);
}

/* -- recovering sends ------------------------------------------------------------------- */

typedef enum
{
  OWNER_GONE,         /* this boot, a pid that no longer exists */
  OWNER_LIVE,         /* this boot, a running process other than this one */
  OWNER_OTHER_BOOT,   /* cannot be checked, so is not known to be gone */
  OWNER_SELF,         /* this very process */
} OwnerKind;

typedef struct
{
  OwnerKind  owner;
  gint64     age;        /* seconds since the send was claimed */
  gboolean   recovered;
} RecoveryCase;

static const RecoveryCase recovery_cases[] = {
  { OWNER_GONE, 5, TRUE },
  { OWNER_LIVE, 5, FALSE },
  { OWNER_LIVE, PV_SEND_IN_FLIGHT_MAX_SECONDS - 1, FALSE },
  { OWNER_LIVE, PV_SEND_IN_FLIGHT_MAX_SECONDS, TRUE },
  { OWNER_OTHER_BOOT, 5, FALSE },
  { OWNER_OTHER_BOOT, PV_SEND_IN_FLIGHT_MAX_SECONDS, TRUE },
  { OWNER_SELF, 5, FALSE },
  { OWNER_SELF, PV_SEND_IN_FLIGHT_MAX_SECONDS, FALSE },
};

static char *
read_boot_id (void)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents ("/proc/sys/kernel/random/boot_id", &contents, NULL, NULL))
    return g_strdup ("unknown-boot");

  return g_strdup (g_strstrip (contents));
}

/* A child that has exited and been reaped leaves a pid nothing runs under. */
static pid_t
exited_pid (void)
{
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (0);
  g_assert_cmpint (waitpid (pid, NULL, 0), ==, pid);

  return pid;
}

static char *
owner_of_kind (OwnerKind kind)
{
  g_autofree char *boot_id = read_boot_id ();

  switch (kind)
    {
    case OWNER_GONE:
      return g_strdup_printf ("%s:%ld", boot_id, (long) exited_pid ());

    case OWNER_LIVE:
      /* The parent outlives the test; in another pid namespace it reads as 0, and init
       * is always there. */
      return g_strdup_printf ("%s:%ld", boot_id, (long) MAX (getppid (), 1));

    case OWNER_OTHER_BOOT:
      return g_strdup ("00000000-0000-0000-0000-000000000000:1");

    case OWNER_SELF:
      return pv_process_owner_new ();

    default:
      g_assert_not_reached ();
    }
}

static char *
recovery_number (guint i)
{
  return g_strdup_printf ("+1415555%04u", 100 + i);
}

/* What another process leaves behind when it claims a send: a code, and the send marked
 * as in flight. */
static void
insert_send_in_flight (Fixture    *fixture,
                       const char *number,
                       const char *owner,
                       gint64      sent_at)
{
  g_autoptr(PvCustomer) customer = pv_customer_new (number);
  g_autoptr(GBytes) key = test_key ();
  g_autoptr(GError) error = NULL;

  customer->code_digest = pv_code_digest (key, number, "123456");
  customer->code_expires_at = sent_at + 600;
  customer->sends_in_window = 1;
  customer->send_window_started_at = sent_at;
  customer->last_sent_at = sent_at;
  customer->send_state = PV_SEND_STATE_SENDING;
  customer->send_id = 7;
  customer->send_owner = g_strdup (owner);

  pv_store_insert_customer (fixture->store, customer, PV_EVENT_NONE, NULL, &error);
  g_assert_no_error (error);
}

static void
assert_recovered (Fixture    *fixture,
                  const char *number,
                  const char *owner,
                  gboolean    recovered)
{
  g_autoptr(PvCustomer) customer = lookup (fixture, number);

  g_assert_nonnull (customer);
  g_assert_cmpint (customer->send_id, ==, 7);
  g_assert_nonnull (customer->code_digest);
  if (recovered)
    {
      g_assert_cmpint (customer->send_state, ==, PV_SEND_STATE_UNKNOWN);
      g_assert_null (customer->send_owner);
      g_assert_cmpuint (count_events (fixture, number, PV_EVENT_SEND_UNKNOWN), ==, 1);
    }
  else
    {
      g_assert_cmpint (customer->send_state, ==, PV_SEND_STATE_SENDING);
      g_assert_cmpstr (customer->send_owner, ==, owner);
      g_assert_cmpuint (count_events (fixture, number, PV_EVENT_SEND_UNKNOWN), ==, 0);
    }
}

/* Only sends that nobody can still be carrying out are given up on: their owner is
 * certainly gone, or they are older than any request can take. */
static void
test_recover_sends (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(GStrv) owners = g_new0 (char *, G_N_ELEMENTS (recovery_cases) + 1);
  g_autoptr(GError) error = NULL;
  int expected = 0;

  for (guint i = 0; i < G_N_ELEMENTS (recovery_cases); i++)
    {
      g_autofree char *number = recovery_number (i);

      owners[i] = owner_of_kind (recovery_cases[i].owner);
      insert_send_in_flight (fixture, number, owners[i], START_TIME - recovery_cases[i].age);
      expected += recovery_cases[i].recovered ? 1 : 0;
    }

  g_assert_cmpint (pv_verifier_recover_sends (fixture->verifier, &error), ==, expected);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (recovery_cases); i++)
    {
      g_autofree char *number = recovery_number (i);

      g_test_message ("case %u: owner %s, %" G_GINT64_FORMAT " s old",
                      i, owners[i], recovery_cases[i].age);
      assert_recovered (fixture, number, owners[i], recovery_cases[i].recovered);
    }

  /* Once given up on, a send is not given up on again. */
  g_assert_cmpint (pv_verifier_recover_sends (fixture->verifier, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->signals->len, ==, 0);
}

/* A recovered send is one whose outcome is unknown, like any other: its code is kept, and
 * the cooldown holds off another text. */
static void
test_recover_sends_then_register (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autofree char *owner = owner_of_kind (OWNER_GONE);
  g_autoptr(GError) error = NULL;

  insert_send_in_flight (fixture, NUMBER, owner, START_TIME - 5);
  g_assert_cmpint (pv_verifier_recover_sends (fixture->verifier, &error), ==, 1);
  g_assert_no_error (error);

  assert_no_text_within_cooldown (fixture, NUMBER, SHOWN, 25);

  pv_clock_advance (fixture->clock, 25);
  g_assert_true (do_resend (fixture, NUMBER, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_messages (fixture), ==, 1);
}

/* This process's own send is under way, not lost, whatever recovery finds. */
static void
test_recover_sends_leaves_own_send (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  GAsyncResult *result = NULL;

  pv_fake_twilio_set_create_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_SLOW, 1);
  pv_fake_twilio_set_slow_delay (fixture->fake, 300);
  start_register (fixture->verifier, NUMBER, NULL, &result);
  wait_for_text_to (fixture, NUMBER);

  g_assert_cmpint (pv_verifier_recover_sends (fixture->verifier, &error), ==, 0);
  g_assert_no_error (error);

  number = finish_register (fixture->verifier, &result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (number, ==, NUMBER);

  customer = lookup (fixture, NUMBER);
  g_assert_cmpint (customer->send_state, ==, PV_SEND_STATE_SENT);
  g_assert_cmpuint (count_events (fixture, NUMBER, PV_EVENT_SEND_UNKNOWN), ==, 0);
}

/* -- resending --------------------------------------------------------------------------- */

static void
test_resend_cooldown (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *old_code = register_and_read_code (fixture);
  g_autofree char *new_code = NULL;
  g_autoptr(GError) error = NULL;

  pv_clock_advance (fixture->clock, 10);
  g_assert_cmpuint (cooldown_remaining (fixture, NUMBER), ==, 20);
  g_assert_false (do_resend (fixture, NUMBER, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_COOLDOWN);
  assert_signals (fixture, (const char *[]) {
    "update error none Wait 20 seconds before sending another code to (415) 555-2671.",
    NULL });
  g_assert_cmpuint (count_messages (fixture), ==, 1);
  g_clear_error (&error);

  pv_clock_advance (fixture->clock, 20);
  g_assert_cmpuint (cooldown_remaining (fixture, NUMBER), ==, 0);
  g_assert_true (do_resend (fixture, NUMBER, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_messages (fixture), ==, 2);

  /* While it is valid, the code the customer may already hold goes out again: a first
   * text that arrives late still works. */
  new_code = pv_fake_twilio_dup_last_code_to (fixture->fake, NUMBER);
  g_assert_cmpstr (new_code, ==, old_code);
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, new_code, &error));
}

static void
test_resend_hourly_limit (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *code = register_and_read_code (fixture);
  g_autoptr(GError) error = NULL;

  for (guint i = 2; i <= 5; i++)
    {
      pv_clock_advance (fixture->clock, 30);
      g_assert_true (do_resend (fixture, NUMBER, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (count_messages (fixture), ==, 5);

  /* Two minutes after the first send, the sixth in the hour is refused. */
  pv_clock_advance (fixture->clock, 30);
  g_ptr_array_set_size (fixture->signals, 0);
  g_assert_false (do_resend (fixture, NUMBER, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_SEND_LIMIT);
  assert_signals (fixture, (const char *[]) {
    "update error none (415) 555-2671 has had too many codes this hour. Try again in 58 minutes.",
    NULL });
  g_assert_cmpuint (count_messages (fixture), ==, 5);
  g_clear_error (&error);

  /* An hour after the window opened, it opens anew. */
  pv_clock_advance (fixture->clock, 60 * 60 - 150);
  g_assert_true (do_resend (fixture, NUMBER, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_messages (fixture), ==, 6);
}

static void
test_resend_unknown_number (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (do_resend (fixture, NUMBER, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_NOT_REQUESTED);
  assert_signals (fixture, (const char *[]) {
    "update error none No code has been sent to (415) 555-2671 yet.",
    "reset",
    NULL });
}

/* -- verifying --------------------------------------------------------------------------- */

static void
test_verify_success (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *code = register_and_read_code (fixture);
  g_autofree char *spoken = g_strdup_printf ("%.3s %s", code, code + 3);
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(GError) error = NULL;

  pv_clock_advance (fixture->clock, 42);
  g_assert_true (pv_verifier_verify (fixture->verifier, "(415) 555-2671", spoken, &error));
  g_assert_no_error (error);
  assert_signals (fixture, (const char *[]) {
    "update success none (415) 555-2671 is now verified.",
    "verified +14155552671",
    NULL });

  customer = lookup (fixture, NUMBER);
  g_assert_cmpint (customer->status, ==, PV_CUSTOMER_STATUS_VERIFIED);
  g_assert_cmpint (customer->verified_at, ==, START_TIME + 42);
  g_assert_null (customer->code_digest);
  g_assert_cmpuint (count_events (fixture, NUMBER, PV_EVENT_VERIFIED), ==, 1);
}

/* -- off the main thread ------------------------------------------------------------------ */

/* Another process holds the database's write lock, as a desk mid-transaction does: the
 * verifier's store calls wait for it on their queue, not on the main thread. */
static sqlite3 *
hold_write_lock (Fixture *fixture)
{
  const char *path = pv_sqlite_store_get_path (PV_SQLITE_STORE (fixture->store));
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);

  return db;
}

static void
release_write_lock (sqlite3 *db)
{
  g_assert_cmpint (sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static gboolean
count_tick_cb (gpointer user_data)
{
  guint *ticks = user_data;

  (*ticks)++;
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop for @milliseconds; returns how often a 10 ms timeout ran meanwhile. */
static guint
run_main_loop_for (guint milliseconds)
{
  gint64 until = g_get_monotonic_time () + milliseconds * G_TIME_SPAN_MILLISECOND;
  guint ticks = 0;
  guint source = g_timeout_add (10, count_tick_cb, &ticks);

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (source);

  return ticks;
}

/* The check in @slot verified the number: staff were told, and the store says so. */
static void
assert_async_verified (Fixture       *fixture,
                       GAsyncResult **slot)
{
  g_autoptr(GAsyncResult) result = wait_for_result (slot);
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (pv_verifier_verify_finish (fixture->verifier, result, NULL, &error));
  g_assert_no_error (error);
  assert_signals (fixture, (const char *[]) {
    "update success none (415) 555-2671 is now verified.",
    "verified +14155552671",
    NULL });
  customer = lookup (fixture, NUMBER);
  g_assert_cmpint (customer->status, ==, PV_CUSTOMER_STATUS_VERIFIED);
}

static void
test_async_verify_waits_off_main_thread (Fixture       *fixture,
                                         gconstpointer  data)
{
  g_autofree char *code = NULL;
  GAsyncResult *slot = NULL;
  sqlite3 *lock;

  /* No delivery report while the main loop runs: only the check's signals are expected. */
  pv_fake_twilio_set_delivery_step (fixture->fake, 60000);
  code = register_and_read_code (fixture);
  lock = hold_write_lock (fixture);

  pv_verifier_verify_async (fixture->verifier, NUMBER, NULL, code, NULL, result_cb, &slot);

  /* The main loop keeps running while the check waits for the lock, and the check does. */
  g_assert_cmpuint (run_main_loop_for (300), >=, 10);
  g_assert_null (slot);
  assert_signals (fixture, (const char *[]) { NULL });

  release_write_lock (lock);
  assert_async_verified (fixture, &slot);
}

static void
test_async_send_waits_off_main_thread (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  GAsyncResult *slot = NULL;
  sqlite3 *lock = hold_write_lock (fixture);

  pv_fake_twilio_set_delivery_step (fixture->fake, 60000);
  start_register (fixture->verifier, NUMBER, NULL, &slot);

  /* Nothing goes to Twilio before the claim is made, and the window draws meanwhile. */
  g_assert_cmpuint (run_main_loop_for (300), >=, 10);
  g_assert_null (slot);
  g_assert_cmpuint (pv_fake_twilio_get_requests (fixture->fake)->len, ==, 0);

  release_write_lock (lock);
  number = finish_register (fixture->verifier, &slot, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (number, ==, NUMBER);
  g_assert_cmpuint (count_messages (fixture), ==, 1);
  assert_signals (fixture, (const char *[]) {
    "update success none A verification code was sent to (415) 555-2671.",
    "code-sent +14155552671",
    "delivery +14155552671 queued 0",
    NULL });
}

/* Holds up the verifier's store queue until the test opens it. */
typedef struct
{
  GMutex   mutex;
  GCond    cond;
  gboolean open;
} Gate;

static gboolean
wait_at_gate_job (PvStore   *store,
                  gpointer   data,
                  GError   **error)
{
  Gate *gate = data;

  g_mutex_lock (&gate->mutex);
  while (!gate->open)
    g_cond_wait (&gate->cond, &gate->mutex);
  g_mutex_unlock (&gate->mutex);

  return TRUE;
}

static void
open_gate (Gate *gate)
{
  g_mutex_lock (&gate->mutex);
  gate->open = TRUE;
  g_cond_signal (&gate->cond);
  g_mutex_unlock (&gate->mutex);
}

/* Cancelled while it waited its turn, the check never began: no attempt is used. */
static void
test_async_verify_cancelled_before_store (Fixture       *fixture,
                                          gconstpointer  data)
{
  g_autofree char *code = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) gate_result = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PvStoreQueue *queue = pv_verifier_get_store_queue (fixture->verifier);
  GAsyncResult *gate_slot = NULL;
  GAsyncResult *slot = NULL;
  Gate gate = { 0, };

  /* No delivery report meanwhile: only the check's signals are expected. */
  pv_fake_twilio_set_delivery_step (fixture->fake, 60000);
  code = register_and_read_code (fixture);
  g_mutex_init (&gate.mutex);
  g_cond_init (&gate.cond);
  pv_store_queue_run_async (queue, wait_at_gate_job, &gate, NULL, result_cb, &gate_slot);
  pv_verifier_verify_async (fixture->verifier, NUMBER, NULL, code, cancellable, result_cb,
                            &slot);
  g_cancellable_cancel (cancellable);
  open_gate (&gate);

  gate_result = wait_for_result (&gate_slot);
  g_assert_true (pv_store_queue_run_finish (queue, gate_result, NULL));
  result = wait_for_result (&slot);
  g_assert_false (pv_verifier_verify_finish (fixture->verifier, result, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_signals (fixture, (const char *[]) { NULL });
  g_assert_cmpuint (attempts_left (fixture, NUMBER), ==, 5);
  g_assert_cmpuint (count_events (fixture, NUMBER, PV_EVENT_VERIFIED), ==, 0);
  g_mutex_clear (&gate.mutex);
  g_cond_clear (&gate.cond);
}

/* Cancelled once the check has reached the store, it runs to its end and says so: a number
 * verified is never reported as cancelled. */
static void
test_async_verify_cancelled_while_checking (Fixture       *fixture,
                                            gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *code = NULL;
  GAsyncResult *slot = NULL;
  sqlite3 *lock;

  pv_fake_twilio_set_delivery_step (fixture->fake, 60000);
  code = register_and_read_code (fixture);
  lock = hold_write_lock (fixture);

  pv_verifier_verify_async (fixture->verifier, NUMBER, NULL, code, cancellable, result_cb,
                            &slot);
  /* The only job on the queue: by now it waits for the lock inside the store. */
  run_main_loop_for (300);
  g_cancellable_cancel (cancellable);
  release_write_lock (lock);

  assert_async_verified (fixture, &slot);
}

/* Cancelled once the claim is made but before the text went out: the claim is undone, so
 * the number is not left "on its way" with a send counted that never happened. */
static void
test_async_send_cancelled_after_claim (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PvCustomer) customer = NULL;
  g_autofree char *number = NULL;
  GAsyncResult *slot = NULL;
  sqlite3 *lock = hold_write_lock (fixture);

  start_register (fixture->verifier, NUMBER, cancellable, &slot);
  /* The claim waits for the lock inside the store. */
  run_main_loop_for (300);
  g_cancellable_cancel (cancellable);
  release_write_lock (lock);

  number = finish_register (fixture->verifier, &slot, &error);
  g_assert_null (number);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (count_messages (fixture), ==, 0);
  customer = lookup (fixture, NUMBER);
  g_assert_null (customer);
  assert_signals (fixture, (const char *[]) { NULL });
}

static void
test_async_verify_wrong_code (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *code = NULL;
  g_autofree char *wrong = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  guint left = 99;

  /* No delivery report meanwhile: only the check's signals are expected. */
  pv_fake_twilio_set_delivery_step (fixture->fake, 60000);
  code = register_and_read_code (fixture);
  wrong = wrong_code_for (code);
  pv_verifier_verify_async (fixture->verifier, "(415) 555-2671", NULL, wrong, NULL,
                            result_cb, &slot);
  result = wait_for_result (&slot);
  g_assert_false (pv_verifier_verify_finish (fixture->verifier, result, &left, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_WRONG_CODE);
  g_assert_cmpuint (left, ==, 4);
  g_assert_cmpuint (attempts_left (fixture, NUMBER), ==, 4);
  g_assert_cmpuint (count_events (fixture, NUMBER, PV_EVENT_CHECK_FAILED), ==, 1);
  assert_signals (fixture, (const char *[]) {
    "update error none Wrong code: 4 attempts left.",
    NULL });
}

/* Input that is not a code is refused before the store is asked, through the callback. */
static void
test_async_verify_malformed (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  pv_verifier_verify_async (fixture->verifier, NUMBER, NULL, "12ab56", NULL, result_cb,
                            &slot);
  g_assert_null (slot);
  result = wait_for_result (&slot);
  g_assert_false (pv_verifier_verify_finish (fixture->verifier, result, NULL, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_INVALID_CODE);
}

static void
test_verify_not_requested (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, "123456", &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_NOT_REQUESTED);
  assert_signals (fixture, (const char *[]) {
    "update error none No code has been sent to (415) 555-2671 yet.",
    "reset",
    NULL });
}

static void
test_verify_already_verified (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *code = register_and_read_code (fixture);
  g_autoptr(GError) error = NULL;

  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, code, NULL));
  g_ptr_array_set_size (fixture->signals, 0);

  /* The same code again: it was single-use. */
  g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_ALREADY_VERIFIED);
  assert_signals (fixture, (const char *[]) {
    "update info none (415) 555-2671 is already verified.",
    "reset",
    NULL });
}

static void
test_verify_expired (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *code = register_and_read_code (fixture);
  g_autoptr(GError) error = NULL;

  pv_clock_advance (fixture->clock, 600);
  g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_EXPIRED);
  assert_signals (fixture, (const char *[]) {
    "update error resend The code for (415) 555-2671 has expired. Send a new code.",
    NULL });
}

static void
test_verify_just_before_expiry (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autofree char *code = register_and_read_code (fixture);
  g_autoptr(GError) error = NULL;

  g_object_set (fixture->verifier, "code-lifetime", 120, NULL);
  pv_clock_advance (fixture->clock, 599);
  /* The lifetime that counts is the one in force when the code was sent. */
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
  g_assert_no_error (error);
}

static void
test_verify_wrong_code_then_lock (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autofree char *code = register_and_read_code (fixture);
  g_autofree char *wrong = wrong_code_for (code);
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(GError) error = NULL;

  for (guint left = 4; left >= 1; left--)
    {
      g_autofree char *expected = g_strdup_printf ("update error none Wrong code: %u %s left.",
                                                   left, left == 1 ? "attempt" : "attempts");

      g_ptr_array_set_size (fixture->signals, 0);
      g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, wrong, &error));
      g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_WRONG_CODE);
      g_clear_error (&error);
      assert_signals (fixture, (const char *[]) { expected, NULL });
      g_assert_cmpuint (attempts_left (fixture, NUMBER), ==, left);
    }

  customer = lookup (fixture, NUMBER);
  g_assert_cmpuint (customer->failed_attempts, ==, 4);
  g_assert_cmpuint (count_events (fixture, NUMBER, PV_EVENT_CHECK_FAILED), ==, 4);

  /* The fifth wrong code locks it. */
  g_ptr_array_set_size (fixture->signals, 0);
  g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, wrong, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_LOCKED);
  g_clear_error (&error);
  assert_signals (fixture, (const char *[]) {
    "update error resend Wrong code, and that was the last attempt: the code is now locked, "
      "so send a new one to try again.",
    NULL });

  /* Now even the right code is refused… */
  g_ptr_array_set_size (fixture->signals, 0);
  g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_LOCKED);
  g_clear_error (&error);
  assert_signals (fixture, (const char *[]) {
    "update error resend The code for (415) 555-2671 is locked after too many wrong attempts. "
      "Send a new code to try again.",
    NULL });

  /* …until a new code unlocks it. */
  pv_clock_advance (fixture->clock, 30);
  g_assert_true (do_resend (fixture, NUMBER, &error));
  g_free (code);
  code = pv_fake_twilio_dup_last_code_to (fixture->fake, NUMBER);
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
  g_assert_no_error (error);
}

static void
test_verify_max_attempts_setting (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autofree char *code = register_and_read_code (fixture);
  g_autofree char *wrong = wrong_code_for (code);
  g_autoptr(GError) error = NULL;

  g_object_set (fixture->verifier, "max-attempts", 2, NULL);
  g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, wrong, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_WRONG_CODE);
  g_clear_error (&error);
  g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, wrong, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_LOCKED);
}

static void
test_verify_malformed_code (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *code = register_and_read_code (fixture);
  const char *malformed[] = { "", "12a456", "123", "１２３４５６", "<b>1</b>", "123\x1b" "456",
                              "12345678901x" };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_ptr_array_set_size (fixture->signals, 0);
      g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, malformed[i], &error));
      g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_INVALID_CODE);
      g_clear_error (&error);
      assert_signals (fixture, (const char *[]) {
        "update error none Enter the code the customer received, using digits only.",
        NULL });
    }

  /* None of that used up an attempt. */
  g_assert_cmpuint (attempts_left (fixture, NUMBER), ==, 5);
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
}

/* More digits than any code has is said to be too long, never cut down to a code: not
 * even when its first digits are the right ones. No attempt is used either way. */
static void
test_verify_too_long_code (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *code = register_and_read_code (fixture);
  g_autofree char *padding = repeat ("0", 100 - strlen (code));
  g_autofree char *eleven = g_strdup_printf ("%s%.*s", code, 11 - (int) strlen (code), padding);
  g_autofree char *hundred = g_strconcat (code, padding, NULL);
  g_autofree char *spaced = g_strdup_printf ("%.3s %s 12345", code, code + 3);
  const char *too_long[] = { eleven, hundred, spaced };
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (strlen (eleven), ==, PV_CODE_MAX_LENGTH + 1);
  for (guint i = 0; i < G_N_ELEMENTS (too_long); i++)
    {
      g_ptr_array_set_size (fixture->signals, 0);
      g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, too_long[i], &error));
      g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_INVALID_CODE);
      g_clear_error (&error);
      assert_signals (fixture, (const char *[]) {
        "update error none This code is too long. Enter only the code the customer received.",
        NULL });
    }

  g_assert_cmpuint (attempts_left (fixture, NUMBER), ==, 5);
  g_assert_cmpuint (count_events (fixture, NUMBER, PV_EVENT_CHECK_FAILED), ==, 0);
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
  g_assert_no_error (error);
}

/* -- delivery ---------------------------------------------------------------------------- */

static void
test_delivery_reaches_delivered (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autofree char *code = register_and_read_code (fixture);
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(GPtrArray) events = NULL;
  guint n_updates = 0;

  wait_for_signal_text (fixture, "delivery +14155552671 delivered 0");

  customer = lookup (fixture, NUMBER);
  g_assert_cmpstr (customer->delivery_status, ==, "delivered");

  /* Every change that was signalled was also stored. */
  events = pv_store_list_events (fixture->store, NUMBER, NULL);
  for (guint i = 0; i < events->len; i++)
    if (((PvEvent *) g_ptr_array_index (events, i))->kind == PV_EVENT_DELIVERY_UPDATE)
      n_updates++;
  g_assert_cmpuint (n_updates, ==, fixture->signals->len);
  g_assert_cmpuint (n_updates, >=, 1);
}

static void
test_delivery_undelivered (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *code = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(PvCustomer) customer = NULL;

  pv_fake_twilio_set_delivery_outcome (fixture->fake, NUMBER, "undelivered", 30003);
  code = register_and_read_code (fixture);

  wait_for_signal_text (fixture, "delivery +14155552671 undelivered 30003");
  expected = g_strdup_printf ("update error resend The code could not be delivered to "
                              "(415) 555-2671. %s",
                              pv_twilio_error_describe_delivery (30003));
  wait_for_signal_text (fixture, expected);

  customer = lookup (fixture, NUMBER);
  g_assert_cmpstr (customer->delivery_status, ==, "undelivered");
  g_assert_cmpint (customer->delivery_error_code, ==, 30003);
}

static void
test_delivery_stops_when_verified (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autofree char *code = register_and_read_code (fixture);
  guint n_requests;

  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, code, NULL));
  n_requests = pv_fake_twilio_get_requests (fixture->fake)->len;

  /* Give a tracker that was not stopped plenty of time to ask again. */
  for (guint i = 0; i < 20; i++)
    {
      g_usleep (10000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  g_assert_cmpuint (pv_fake_twilio_get_requests (fixture->fake)->len, ==, n_requests);
}

/* -- countries served -------------------------------------------------------------------- */

static char *
register_in_country (Fixture     *fixture,
                     const char  *input,
                     const char  *country,
                     GError     **error)
{
  GAsyncResult *result = NULL;

  pv_verifier_register_in_country_async (fixture->verifier, input, country, NULL, PV_CHANNEL_SMS,
                                         NULL, result_cb, &result);

  return finish_register (fixture->verifier, &result, error);
}

typedef struct
{
  const char         *name;
  const char         *office;      /* default-country */
  const char * const *served;      /* served-countries, or NULL for none set */
  gboolean            in_country;  /* with register_in_country_async (), in @country */
  const char         *country;
  const char         *input;
  const char         *e164;        /* what @input is */
  const char         *refused;     /* NULL if sent; else the country the refusal names */
  const char         *shown;       /* how staff are told the number: national in the
                                    * office's country, international elsewhere */
} ServedCase;

static const char * const de_fr[] = { "DE", "FR", NULL };
static const char * const us_de[] = { "US", "DE", NULL };

static const ServedCase served_cases[] = {
  /* Only the office's country, while nothing else is served. */
  { "gb-from-us", "US", NULL, FALSE, NULL, "+44 20 7946 0018", "+442079460018",
    "United Kingdom", "+44 20 7946 0018" },
  { "fr-from-de", "DE", NULL, FALSE, NULL, "+33 6 12 34 56 78", "+33612345678",
    "France", "+33 6 12 34 56 78" },
  { "fr-from-de-exit-code", "DE", NULL, FALSE, NULL, "0033 6 12 34 56 78", "+33612345678",
    "France", "+33 6 12 34 56 78" },
  /* A country is not a calling code: +1 is Canada's as well as the United States'. */
  { "ca-from-us", "US", NULL, FALSE, NULL, "+1 416 555 0123", "+14165550123",
    "Canada", "+1 416-555-0123" },
  { "de-from-de", "DE", NULL, FALSE, NULL, "030 1234567", "+49301234567", NULL, "030 1234567" },
  /* Served countries. */
  { "fr-served", "DE", de_fr, FALSE, NULL, "+33 6 12 34 56 78", "+33612345678", NULL,
    "+33 6 12 34 56 78" },
  { "fr-served-exit-code", "DE", de_fr, FALSE, NULL, "0033 6 12 34 56 78", "+33612345678",
    NULL, "+33 6 12 34 56 78" },
  { "office-served", "DE", de_fr, FALSE, NULL, "030 1234567", "+49301234567", NULL,
    "030 1234567" },
  { "gb-not-served", "DE", de_fr, FALSE, NULL, "+44 20 7946 0018", "+442079460018",
    "United Kingdom", "+44 20 7946 0018" },
  /* A national number read in another country: the countries served stay the office's. */
  { "in-fr-served", "DE", de_fr, TRUE, "FR", "06 12 34 56 78", "+33612345678", NULL,
    "+33 6 12 34 56 78" },
  { "in-fr-not-served", "DE", NULL, TRUE, "FR", "06 12 34 56 78", "+33612345678",
    "France", "+33 6 12 34 56 78" },
  { "in-us-not-served", "DE", NULL, TRUE, "US", "(415) 555-2671", "+14155552671",
    "United States", "+1 415-555-2671" },
  { "in-de-served", "US", us_de, TRUE, "DE", "030 1234567", "+49301234567", NULL,
    "+49 30 1234567" },
  { "in-office-country", "DE", NULL, TRUE, "DE", "030 1234567", "+49301234567", NULL,
    "030 1234567" },
  { "in-null-country", "DE", NULL, TRUE, NULL, "030 1234567", "+49301234567", NULL,
    "030 1234567" },
  /* The country only says how to read a national number: one with its own code is that
   * code's, and served or not as such. */
  { "in-fr-international", "DE", NULL, TRUE, "FR", "+49 30 1234567", "+49301234567",
    NULL, "030 1234567" },
  { "in-de-international", "DE", NULL, TRUE, "DE", "+33 6 12 34 56 78", "+33612345678",
    "France", "+33 6 12 34 56 78" },
};

static void
test_register_country_served (Fixture       *fixture,
                              gconstpointer  data)
{
  const ServedCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(PvCustomer) customer = NULL;
  g_autofree char *number = NULL;
  g_autofree char *update = NULL;

  g_object_set (fixture->verifier, "default-country", c->office, NULL);
  if (c->served != NULL)
    g_object_set (fixture->verifier, "served-countries", c->served, NULL);

  if (c->in_country)
    number = register_in_country (fixture, c->input, c->country, &error);
  else
    number = do_register (fixture, c->input, NULL, &error);

  if (c->refused == NULL)
    {
      g_autofree char *sent = g_strdup_printf ("code-sent %s", c->e164);
      PvMessageComposer *composer = pv_verifier_get_composer (fixture->verifier);
      g_autoptr(PvPhoneNumber) parsed = pv_phone_number_parse (c->e164, c->office, NULL);
      const char *language = pv_message_composer_choose_language (composer, NULL,
                                                                  parsed->region);
      g_autofree char *name = pv_language_dup_name (language);
      /* The language is named when it is not the office's. */
      g_autofree char *told = g_strcmp0 (language, "en") == 0
        ? g_strdup_printf ("update success none A verification code was sent to %s.", c->shown)
        : g_strdup_printf ("update success none A verification code was sent to %s, in %s.",
                           c->shown, name);

      g_assert_no_error (error);
      g_assert_cmpstr (number, ==, c->e164);
      g_assert_nonnull (pv_fake_twilio_get_last_message_to (fixture->fake, c->e164));
      g_assert_cmpuint (count_messages (fixture), ==, 1);
      wait_for_signal_text (fixture, told);
      wait_for_signal_text (fixture, sent);
      customer = lookup (fixture, c->e164);
      g_assert_nonnull (customer);
      return;
    }

  /* Refused before anything else: with the number, the country and where to add it. */
  g_assert_null (number);
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_COUNTRY_NOT_SERVED);
  g_assert_nonnull (strstr (error->message, c->shown));
  g_assert_nonnull (strstr (error->message, c->refused));
  g_assert_nonnull (strstr (error->message, "Countries Served"));
  update = g_strdup_printf ("update error edit-number %s", error->message);
  assert_signals (fixture, (const char *[]) { update, NULL });

  /* Nothing sent, nothing asked of Twilio, nothing stored. */
  g_assert_cmpuint (pv_fake_twilio_get_requests (fixture->fake)->len, ==, 0);
  g_assert_cmpuint (count_messages (fixture), ==, 0);
  g_assert_null (lookup (fixture, c->e164));
  g_clear_error (&error);
  events = pv_store_list_events (fixture->store, c->e164, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 0);
}

/* A country that is no country is said not to be one, and nothing is sent. */
static void
test_register_in_unknown_country (Fixture       *fixture,
                                  gconstpointer  data)
{
  static const char * const countries[] = { "XX", "de", "", "001" };

  for (guint i = 0; i < G_N_ELEMENTS (countries); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *number = register_in_country (fixture, "030 1234567", countries[i],
                                                     &error);

      g_test_message ("“%s”", countries[i]);
      g_assert_null (number);
      g_assert_error (error, PV_PHONE_NUMBER_ERROR, PV_PHONE_NUMBER_ERROR_UNKNOWN_COUNTRY);
    }

  g_assert_cmpuint (pv_fake_twilio_get_requests (fixture->fake)->len, ==, 0);
}

/* A country no longer served gets no more codes, not even a resend to a customer who had
 * one while it was. */
static void
test_resend_country_no_longer_served (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;

  g_object_set (fixture->verifier, "default-country", "DE", "served-countries", de_fr, NULL);
  number = register_in_country (fixture, "06 12 34 56 78", "FR", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (number, ==, "+33612345678");

  g_object_set (fixture->verifier, "served-countries", NULL, NULL);
  pv_clock_advance (fixture->clock, 601);
  g_assert_false (do_resend (fixture, number, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_COUNTRY_NOT_SERVED);
  g_assert_cmpuint (count_messages (fixture), ==, 1);
}

/* A national number is verified in the country it was registered in. */
static void
test_verify_in_country (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  g_autofree char *code = NULL;

  g_object_set (fixture->verifier, "default-country", "DE", "served-countries", de_fr, NULL);
  number = register_in_country (fixture, "06 12 34 56 78", "FR", &error);
  g_assert_no_error (error);
  code = pv_fake_twilio_dup_last_code_to (fixture->fake, number);
  g_assert_nonnull (code);

  /* In the office's country the same digits are another number, which had no code. */
  g_assert_false (pv_verifier_verify (fixture->verifier, "06 12 34 56 78", code, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_true (pv_verifier_verify_in_country (fixture->verifier, "06 12 34 56 78", "FR",
                                                code, &error));
  g_assert_no_error (error);
}

/* -- settings ---------------------------------------------------------------------------- */

/* The memory backend keeps what a test set for the rest of the run. */
static void
reset_settings (GSettings *settings)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

static void
test_settings_are_bound (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *code = NULL;
  g_autofree char *number = NULL;
  g_autofree char *country = NULL;
  g_auto(GStrv) served = NULL;
  g_autoptr(GError) error = NULL;
  guint value;

  reset_settings (settings);
  pv_verifier_bind_settings (fixture->verifier, settings);
  g_settings_set_uint (settings, "code-length", 9);
  g_settings_set_string (settings, "default-country", "DE");
  g_settings_set_value (settings, "message-templates",
                        pv_message_templates_replace (NULL, "de", "Code: {code}"));
  g_settings_set_uint (settings, "resend-cooldown", 45);

  g_object_get (fixture->verifier, "resend-cooldown", &value, NULL);
  g_assert_cmpuint (value, ==, 45);
  g_object_get (fixture->verifier, "default-country", &country, NULL);
  g_assert_cmpstr (country, ==, "DE");

  /* A national number is read in the office's country, the one served; a German mobile
   * gets the office's German wording. */
  number = do_register (fixture, "0151 23456789", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (number, ==, "+4915123456789");
  code = pv_fake_twilio_dup_last_code_to (fixture->fake, number);
  g_assert_cmpuint (strlen (code), ==, 9);
  g_assert_true (g_str_has_prefix (pv_fake_twilio_get_last_message_to (fixture->fake, number)->body,
                                   "Code: "));

  g_assert_null (do_register (fixture, "+33 6 12 34 56 78", NULL, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_COUNTRY_NOT_SERVED);
  g_clear_error (&error);

  g_settings_set_strv (settings, "served-countries", de_fr);
  g_object_get (fixture->verifier, "served-countries", &served, NULL);
  g_assert_cmpstrv (served, de_fr);
  g_clear_pointer (&number, g_free);
  number = do_register (fixture, "+33 6 12 34 56 78", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (number, ==, "+33612345678");

  /* Until the first start fills it in, the setting is empty: the fallback. */
  g_settings_reset (settings, "default-country");
  g_clear_pointer (&country, g_free);
  g_object_get (fixture->verifier, "default-country", &country, NULL);
  g_assert_cmpstr (country, ==, PV_COUNTRY_FALLBACK);

  reset_settings (settings);
}

static void
add_test (const char     *path,
          const char     *name,
          gconstpointer   data,
          void          (*func) (Fixture *, gconstpointer))
{
  g_autofree char *full = g_strconcat ("/verifier/", path, name, NULL);

  g_test_add (full, Fixture, data, fixture_set_up, func, fixture_tear_down);
}


static gboolean
send_again (Fixture     *fixture,
            const char  *number,
            PvChannel    channel,
            GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  pv_verifier_send_again_async (fixture->verifier, number, channel, NULL, result_cb, &slot);
  result = wait_for_result (&slot);

  return pv_verifier_send_again_finish (fixture->verifier, result, error);
}

/* Runs the main loop until the verifier reports @status for @number. */
static void
wait_for_delivery (Fixture    *fixture,
                   const char *number,
                   const char *status,
                   int         error_code)
{
  g_autofree char *wanted = g_strdup_printf ("delivery %s %s %d", number, status, error_code);

  wait_for_signal_text (fixture, wanted);
}

static gboolean
has_signal (Fixture    *fixture,
            const char *expected)
{
  for (guint i = 0; i < fixture->signals->len; i++)
    if (g_str_equal (g_ptr_array_index (fixture->signals, i), expected))
      return TRUE;

  return FALSE;
}

/* Call Instead reads out the code the text carried; the cooldown holds across channels. */
static void
test_call_instead_keeps_code (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *texted = register_and_read_code (fixture);
  g_autofree char *called = NULL;
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(GError) error = NULL;

  pv_clock_advance (fixture->clock, 10);
  g_assert_false (send_again (fixture, NUMBER, PV_CHANNEL_CALL, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_COOLDOWN);
  g_clear_error (&error);
  g_ptr_array_set_size (fixture->signals, 0);

  pv_clock_advance (fixture->clock, 20);
  g_assert_true (send_again (fixture, NUMBER, PV_CHANNEL_CALL, &error));
  g_assert_no_error (error);
  g_assert_true (has_signal (fixture, "update success none Calling (415) 555-2671 to read "
                                      "out the same code."));
  called = pv_fake_twilio_dup_last_call_code_to (fixture->fake, NUMBER);
  g_assert_cmpstr (called, ==, texted);

  customer = lookup (fixture, NUMBER);
  g_assert_cmpint (customer->channel, ==, PV_CHANNEL_CALL);
  g_assert_true (g_str_has_prefix (customer->message_sid, "CA"));
  g_assert_cmpuint (customer->sends_in_window, ==, 2);

  /* The call is followed as a text is, to its end. */
  wait_for_delivery (fixture, NUMBER, "completed", 0);

  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, texted, &error));
  g_assert_no_error (error);
}

/* The hourly limit counts every send, texts and calls alike. */
static void
test_send_limit_across_channels (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autofree char *code = register_and_read_code (fixture);
  g_autoptr(GError) error = NULL;

  for (guint i = 2; i <= 5; i++)
    {
      pv_clock_advance (fixture->clock, 30);
      g_assert_true (send_again (fixture, NUMBER, i % 2 == 0 ? PV_CHANNEL_CALL : PV_CHANNEL_SMS,
                                 &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (count_messages (fixture), ==, 3);
  g_assert_cmpuint (pv_fake_twilio_get_calls (fixture->fake)->len, ==, 2);

  pv_clock_advance (fixture->clock, 30);
  g_assert_false (send_again (fixture, NUMBER, PV_CHANNEL_CALL, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_SEND_LIMIT);
  g_assert_cmpuint (pv_fake_twilio_get_calls (fixture->fake)->len, ==, 2);

  /* Every one of them carried the first code. */
  g_clear_error (&error);
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
}

/* Once the code has expired, a switch of channel sends a new one: the old one stays dead. */
static void
test_call_after_expiry_sends_new_code (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autofree char *texted = register_and_read_code (fixture);
  g_autofree char *called = NULL;
  g_autoptr(GError) error = NULL;

  pv_clock_advance (fixture->clock, 600);
  g_assert_true (send_again (fixture, NUMBER, PV_CHANNEL_CALL, &error));
  g_assert_no_error (error);
  g_assert_true (has_signal (fixture, "update success none Calling (415) 555-2671 to read "
                                      "out a verification code."));
  called = pv_fake_twilio_dup_last_call_code_to (fixture->fake, NUMBER);
  g_assert_nonnull (called);
  if (g_strcmp0 (called, texted) != 0)
    {
      g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, texted, &error));
      g_clear_error (&error);
    }
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, called, &error));
}

/* A German landline is called, in German, and the code it reads out verifies. */
static void
test_landline_called_in_its_language (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  g_autofree char *code = NULL;
  g_autoptr(PvCustomer) customer = NULL;
  PvFakeTwilioCall *call;

  g_object_set (fixture->verifier, "served-countries", de_fr, NULL);
  g_object_set (pv_verifier_get_composer (fixture->verifier), "default-language", "en", NULL);
  number = register_as_proposed (fixture, "+49 30 1234567", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (number, ==, "+49301234567");

  g_assert_cmpuint (count_messages (fixture), ==, 0);
  g_assert_cmpuint (pv_fake_twilio_get_calls (fixture->fake)->len, ==, 1);
  call = g_ptr_array_index (pv_fake_twilio_get_calls (fixture->fake), 0);
  g_assert_nonnull (strstr (call->twiml, "language=\"de-DE\""));
  g_assert_true (has_signal (fixture, "update success none Calling +49 30 1234567 to read out "
                                      "a verification code, in German."));

  customer = lookup (fixture, number);
  g_assert_cmpint (customer->channel, ==, PV_CHANNEL_CALL);
  wait_for_delivery (fixture, number, "completed", 0);

  code = pv_fake_twilio_dup_last_call_code_to (fixture->fake, number);
  g_assert_true (pv_verifier_verify (fixture->verifier, number, code, &error));
  g_assert_no_error (error);
}

/* Texts go out in the language of the number's country, or in staff's choice. */
static void
test_text_in_customer_language (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  g_autofree char *code = NULL;
  g_autofree char *french = NULL;
  g_autofree char *spanish = NULL;
  PvMessageComposer *composer = pv_verifier_get_composer (fixture->verifier);

  g_object_set (fixture->verifier, "served-countries", de_fr, NULL);
  g_object_set (composer, "default-language", "en", "office-name", "Cabinet Dupont", NULL);
  number = do_register (fixture, "+33 6 12 34 56 78", NULL, &error);
  g_assert_no_error (error);

  code = pv_fake_twilio_dup_last_code_to (fixture->fake, number);
  french = pv_message_template_render_full (pv_message_template_get_builtin ("fr", TRUE), code,
                                            10, "Cabinet Dupont");
  g_assert_cmpstr (pv_fake_twilio_get_last_message_to (fixture->fake, number)->body, ==, french);

  /* Staff's choice wins over the country's, for the next send. */
  g_assert_true (pv_store_set_customer_language (fixture->store, number, "es", NULL, &error));
  pv_clock_advance (fixture->clock, 30);
  g_assert_true (send_again (fixture, number, PV_CHANNEL_SMS, &error));
  g_assert_no_error (error);
  spanish = pv_message_template_render_full (pv_message_template_get_builtin ("es", TRUE), code,
                                             10, "Cabinet Dupont");
  g_assert_cmpstr (pv_fake_twilio_get_last_message_to (fixture->fake, number)->body, ==,
                   spanish);
}

typedef struct
{
  const char *name;
  const char *outcome;
  int         notification;
  const char *update;
} CallOutcomeCase;

static const CallOutcomeCase call_outcomes[] = {
  { "busy", "busy", 0,
    "update error text-instead The line of (415) 555-2671 was busy. Call again in a moment, "
    "or text the code instead." },
  { "no-answer", "no-answer", 0,
    "update error text-instead Nobody answered the call to (415) 555-2671. Call again later, "
    "or text the code instead." },
  { "failed", "failed", 13224, NULL },
};

/* A call that does not get through says why, and offers the same code by text. */
static void
test_call_not_answered (Fixture       *fixture,
                        gconstpointer  data)
{
  const CallOutcomeCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PvCustomer) customer = NULL;
  g_autofree char *expected = NULL;

  pv_fake_twilio_set_call_outcome (fixture->fake, NUMBER, c->outcome, c->notification);
  {
    GAsyncResult *slot = NULL;
    g_autoptr(GAsyncResult) result = NULL;
    g_autofree char *number = NULL;

    pv_verifier_register_in_country_async (fixture->verifier, NUMBER, NULL, NULL,
                                           PV_CHANNEL_CALL, NULL, result_cb, &slot);
    result = wait_for_result (&slot);
    number = pv_verifier_register_finish (fixture->verifier, result, &error);
    g_assert_no_error (error);
  }
  wait_for_delivery (fixture, NUMBER, c->outcome, c->notification);

  /* The update comes once the tracker is done, after the last status. */
  expected = c->update != NULL
             ? g_strdup (c->update)
             : g_strdup_printf ("update error text-instead The call to (415) 555-2671 could "
                                "not be made. %s",
                                pv_twilio_error_describe_call_failure (c->notification));
  wait_for_signal_text (fixture, expected);

  customer = lookup (fixture, NUMBER);
  g_assert_cmpstr (customer->delivery_status, ==, c->outcome);
  g_assert_cmpint (customer->delivery_error_code, ==, c->notification);
}

/* With the line-type check on, Twilio Lookup picks the channel and refuses costly lines. */
static void
test_lookup_chooses_channel (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  g_autofree char *base_url = pv_fake_twilio_dup_base_url (fixture->fake);

  pv_twilio_client_set_lookups_url (fixture->client, base_url);
  g_object_set (fixture->verifier, "check-line-type", TRUE, NULL);

  /* A mobile by libphonenumber's reckoning, a landline by the carrier's: called. */
  pv_fake_twilio_set_line_type (fixture->fake, NUMBER, "landline");
  number = register_as_proposed (fixture, NUMBER, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_messages (fixture), ==, 0);
  g_assert_cmpuint (pv_fake_twilio_get_calls (fixture->fake)->len, ==, 1);

  pv_fake_twilio_set_line_type (fixture->fake, "+14155552672", "premium");
  g_assert_null (register_as_proposed (fixture, "+14155552672", &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_LINE_TYPE_REFUSED);
  g_assert_null (lookup (fixture, "+14155552672"));
  g_assert_cmpuint (pv_fake_twilio_get_calls (fixture->fake)->len, ==, 1);
  g_assert_cmpuint (count_messages (fixture), ==, 0);
  g_clear_error (&error);

  pv_fake_twilio_set_line_type (fixture->fake, "+14155552673", "mobile");
  g_clear_pointer (&number, g_free);
  number = register_as_proposed (fixture, "+14155552673", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_messages (fixture), ==, 1);
}

/* -- the customer texts us -------------------------------------------------------------- */

static PvTextsUs *
start_texts_us (Fixture     *fixture,
                const char  *input,
                GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  pv_verifier_texts_us_async (fixture->verifier, input, NULL, "Ada", NULL, result_cb, &slot);
  result = wait_for_result (&slot);

  return pv_verifier_texts_us_finish (fixture->verifier, result, error);
}

static PvTextsUs *
texts_us (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  PvTextsUs *texts_us = start_texts_us (fixture, SHOWN, &error);

  g_assert_no_error (error);
  g_assert_nonnull (texts_us);
  return texts_us;
}

/* Runs the main loop until the fake has answered @n more lists of messages. */
static void
wait_for_polls (Fixture *fixture,
                guint    n)
{
  GPtrArray *requests = pv_fake_twilio_get_requests (fixture->fake);
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  guint seen = 0;
  guint start = requests->len;

  while (seen < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
      seen = 0;
      for (guint i = start; i < requests->len; i++)
        {
          const PvFakeTwilioRequest *request = g_ptr_array_index (requests, i);

          if (g_str_equal (request->method, "GET") && g_str_has_suffix (request->path, "/Messages.json"))
            seen++;
        }
    }
}

static gboolean
has_signal_prefix (Fixture    *fixture,
                   const char *prefix)
{
  for (guint i = 0; i < fixture->signals->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (fixture->signals, i), prefix))
      return TRUE;

  return FALSE;
}

static void
wait_for_signal_prefix (Fixture    *fixture,
                        const char *prefix)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!has_signal_prefix (fixture, prefix))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
text_from (Fixture    *fixture,
           const char *number,
           const char *body)
{
  g_autofree char *sid = pv_fake_twilio_add_inbound (fixture->fake, number, body, NULL);

  g_assert_nonnull (sid);
}

static void
test_texts_us_verifies (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(PvTextsUs) request = texts_us (fixture);
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *expected_body = NULL;
  g_autofree char *typed = NULL;
  g_autofree char *sid = NULL;
  const PvEvent *verified;

  g_assert_cmpstr (request->number, ==, NUMBER);
  g_assert_cmpstr (request->office_number, ==, pv_fake_twilio_get_phone_number (fixture->fake));
  g_assert_cmpuint (strlen (request->code), ==, PV_CODE_DEFAULT_LENGTH);
  expected_body = g_strdup_printf ("PV %s", request->code);
  g_assert_cmpstr (request->body, ==, expected_body);
  g_assert_cmpint (request->expires_at, ==, START_TIME + 600);
  /* Nothing goes out, and the code is stored as a digest only. */
  g_assert_cmpuint (count_messages (fixture), ==, 0);
  g_assert_cmpuint (pv_fake_twilio_get_calls (fixture->fake)->len, ==, 0);
  customer = lookup (fixture, NUMBER);
  g_assert_cmpint (customer->channel, ==, PV_CHANNEL_INBOUND);
  g_assert_cmpint (customer->status, ==, PV_CUSTOMER_STATUS_PENDING);
  g_assert_null (strstr (customer->code_digest, request->code));
  g_assert_true (pv_verifier_is_awaiting_text (fixture->verifier, NUMBER));

  /* As people type it: lower case, no space. */
  typed = g_strdup_printf ("pv%s", request->code);
  sid = pv_fake_twilio_add_inbound (fixture->fake, NUMBER, typed, NULL);
  wait_for_signal_text (fixture, "verified " NUMBER);
  /* The verification's event keeps the text that did it. */
  events = pv_store_list_events (fixture->store, NUMBER, NULL);
  verified = g_ptr_array_index (events, events->len - 1);
  g_assert_cmpint (verified->kind, ==, PV_EVENT_VERIFIED);
  g_assert_cmpint (verified->channel, ==, PV_CHANNEL_INBOUND);
  g_assert_cmpstr (verified->detail, ==, sid);
  g_assert_false (pv_verifier_is_awaiting_text (fixture->verifier, NUMBER));
  g_clear_pointer (&customer, pv_customer_free);
  customer = lookup (fixture, NUMBER);
  g_assert_cmpint (customer->status, ==, PV_CUSTOMER_STATUS_VERIFIED);
  g_assert_true (has_signal_prefix (fixture, "update success none " SHOWN " is now verified."));
}

/* Two texts with the code read in one poll: the first verifies, the second says nothing
 * (no "already verified", no going back to the form). */
static void
test_texts_us_twice (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(PvTextsUs) request = texts_us (fixture);

  text_from (fixture, NUMBER, request->body);
  text_from (fixture, NUMBER, request->body);
  wait_for_signal_text (fixture, "verified " NUMBER);
  run_main_loop_for (200);
  g_assert_false (has_signal_prefix (fixture, "reset"));
  g_assert_false (has_signal_prefix (fixture, "update info none " SHOWN " is already verified."));
  g_assert_cmpuint (count_events (fixture, NUMBER, PV_EVENT_VERIFIED), ==, 1);
}

static void
test_texts_us_wrong_sender (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(PvTextsUs) request = texts_us (fixture);
  g_autoptr(PvCustomer) customer = NULL;

  /* Anyone can text the code they see on the screen: only the customer's phone counts. */
  text_from (fixture, "+14155550100", request->body);
  wait_for_polls (fixture, 3);
  g_assert_false (has_signal_prefix (fixture, "verified"));
  customer = lookup (fixture, NUMBER);
  g_assert_cmpint (customer->status, ==, PV_CUSTOMER_STATUS_PENDING);
  g_assert_cmpuint (customer->failed_attempts, ==, 0);
  g_assert_true (pv_verifier_is_awaiting_text (fixture->verifier, NUMBER));

  text_from (fixture, NUMBER, request->body);
  wait_for_signal_text (fixture, "verified " NUMBER);
}

static void
test_texts_us_wrong_code (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(PvTextsUs) request = texts_us (fixture);
  g_autofree char *wrong = wrong_code_for (request->code);
  g_autofree char *body = g_strdup_printf ("PV %s", wrong);
  g_autoptr(PvCustomer) customer = NULL;

  text_from (fixture, NUMBER, body);
  wait_for_signal_prefix (fixture, "update error");
  /* Staff did not type it: the update says whose text it was. */
  g_assert_true (has_signal_prefix (fixture, "update error none The code " SHOWN
                                    " texted is wrong: 4 attempts left."));
  /* Listed again at every poll, the text counts once. */
  wait_for_polls (fixture, 3);
  customer = lookup (fixture, NUMBER);
  g_assert_cmpuint (customer->failed_attempts, ==, 1);
  g_assert_cmpint (customer->status, ==, PV_CUSTOMER_STATUS_PENDING);
  g_assert_false (has_signal_prefix (fixture, "verified"));

  text_from (fixture, NUMBER, request->body);
  wait_for_signal_text (fixture, "verified " NUMBER);
}

static void
test_texts_us_expired (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(PvTextsUs) request = texts_us (fixture);
  g_autoptr(PvCustomer) customer = NULL;
  g_autofree char *update = NULL;

  pv_clock_advance (fixture->clock, 601);
  text_from (fixture, NUMBER, request->body);
  wait_for_signal_text (fixture, "awaiting-ended " NUMBER);
  update = g_strdup_printf ("update error none No text came from %s before the code expired.",
                            SHOWN);
  g_assert_true (has_signal_prefix (fixture, update));
  g_assert_false (pv_verifier_is_awaiting_text (fixture->verifier, NUMBER));
  customer = lookup (fixture, NUMBER);
  g_assert_cmpint (customer->status, ==, PV_CUSTOMER_STATUS_PENDING);

  /* Read now, the text is too late all the same. */
  g_assert_false (pv_verifier_read_text (fixture->verifier, NUMBER, request->body, NULL, NULL));
  g_assert_false (has_signal_prefix (fixture, "verified"));
}

/* A text sent before the code was made (an earlier code's, or a message SID listed again)
 * never counts, even with the same digits. */
static void
test_texts_us_old_text (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(PvTextsUs) request = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) before = g_date_time_add_minutes (now, -10);
  g_autoptr(PvCustomer) customer = NULL;
  g_autofree char *old_sid = NULL;

  /* The manual clock starts at the real time here, as the fake dates messages by it. */
  pv_clock_advance (fixture->clock, g_date_time_to_unix (now) - START_TIME);
  request = texts_us (fixture);
  old_sid = pv_fake_twilio_add_inbound (fixture->fake, NUMBER, request->body, before);
  wait_for_polls (fixture, 3);
  g_assert_false (has_signal_prefix (fixture, "verified"));
  customer = lookup (fixture, NUMBER);
  g_assert_cmpuint (customer->failed_attempts, ==, 0);

  text_from (fixture, NUMBER, request->body);
  wait_for_signal_text (fixture, "verified " NUMBER);
}

static void
test_texts_us_typed_refused (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(PvTextsUs) request = texts_us (fixture);
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(GError) error = NULL;

  /* Staff can see this code: typed in, it proves nothing. */
  g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, request->code, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_AWAITING_TEXT);
  customer = lookup (fixture, NUMBER);
  g_assert_cmpint (customer->status, ==, PV_CUSTOMER_STATUS_PENDING);
  g_assert_cmpuint (customer->failed_attempts, ==, 0);
  g_assert_false (has_signal_prefix (fixture, "verified"));
}

/* Sending a code out afterwards never sends the one that was on the screen. */
static void
test_texts_us_then_text_out (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(PvTextsUs) request = texts_us (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *sent = NULL;
  GAsyncResult *slot = NULL;

  pv_verifier_send_again_async (fixture->verifier, NUMBER, PV_CHANNEL_SMS, NULL, result_cb,
                                &slot);
  result = wait_for_result (&slot);
  g_assert_true (pv_verifier_send_again_finish (fixture->verifier, result, &error));
  g_assert_no_error (error);
  sent = pv_fake_twilio_dup_last_code_to (fixture->fake, NUMBER);
  g_assert_nonnull (sent);
  g_assert_cmpstr (sent, !=, request->code);
  g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, request->code, NULL));
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, sent, &error));
  g_assert_no_error (error);
}

/* Send Code after Back: the code on the screen went nowhere, so a new one is texted out. */
static void
test_texts_us_then_register (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(PvTextsUs) request = texts_us (fixture);
  g_autofree char *code = NULL;

  pv_verifier_stop_awaiting_text (fixture->verifier, NUMBER);
  code = register_and_read_code (fixture);
  g_assert_cmpstr (code, !=, request->code);
  g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, request->code, NULL));
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, code, NULL));
}

static void
test_texts_us_stop (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(PvTextsUs) request = texts_us (fixture);
  g_autofree char *update = g_strdup_printf ("update error none %s replied STOP", SHOWN);

  text_from (fixture, NUMBER, "Stop");
  wait_for_signal_prefix (fixture, update);
  g_assert_true (pv_verifier_is_awaiting_text (fixture->verifier, NUMBER));

  text_from (fixture, NUMBER, "Hello?");
  wait_for_signal_prefix (fixture, "update info none " SHOWN " texted the office, but");

  text_from (fixture, NUMBER, request->body);
  wait_for_signal_text (fixture, "verified " NUMBER);
}

static void
test_texts_us_no_office_number (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;
  g_autoptr(PvTextsUs) request = NULL;
  g_autoptr(GError) error = NULL;

  credentials = pv_twilio_credentials_new (pv_fake_twilio_get_account_sid (fixture->fake), NULL,
                                           pv_fake_twilio_get_auth_token (fixture->fake), NULL,
                                           pv_fake_twilio_get_messaging_service_sid (fixture->fake));
  pv_twilio_client_set_credentials (fixture->client, credentials);

  request = start_texts_us (fixture, SHOWN, &error);
  g_assert_null (request);
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_NO_OFFICE_NUMBER);
  g_assert_true (has_signal_prefix (fixture, "update error open-preferences"));
  g_assert_null (lookup (fixture, NUMBER));
}

/* With the setting on, a texted code may also be texted back: "YES 482913" verifies. */
static void
test_reply_to_confirm (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *code = NULL;
  g_autofree char *reply = NULL;

  g_object_set (fixture->verifier, "reply-to-confirm", TRUE, NULL);
  code = register_and_read_code (fixture);
  g_assert_true (pv_verifier_is_awaiting_text (fixture->verifier, NUMBER));

  text_from (fixture, "+14155550100", code);
  wait_for_polls (fixture, 2);
  g_assert_false (has_signal_prefix (fixture, "verified"));

  reply = g_strdup_printf ("YES %s", code);
  text_from (fixture, NUMBER, reply);
  wait_for_signal_text (fixture, "verified " NUMBER);
  g_assert_false (pv_verifier_is_awaiting_text (fixture->verifier, NUMBER));
}

/* Off, nothing is asked: polling costs requests, and a typed code verifies as before. */
static void
test_reply_to_confirm_off (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *code = register_and_read_code (fixture);
  GPtrArray *requests = pv_fake_twilio_get_requests (fixture->fake);
  g_autoptr(GError) error = NULL;

  g_assert_false (pv_verifier_is_awaiting_text (fixture->verifier, NUMBER));
  for (guint i = 0; i < requests->len; i++)
    g_assert_false (g_str_equal (((PvFakeTwilioRequest *) requests->pdata[i])->method, "GET") &&
                    g_str_has_suffix (((PvFakeTwilioRequest *) requests->pdata[i])->path,
                                      "/Messages.json"));
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
  g_assert_no_error (error);
}

/* A typed code ends the wait for a reply. */
static void
test_reply_to_confirm_typed (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *code = NULL;
  g_autoptr(GError) error = NULL;

  g_object_set (fixture->verifier, "reply-to-confirm", TRUE, NULL);
  code = register_and_read_code (fixture);
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
  g_assert_no_error (error);
  g_assert_false (pv_verifier_is_awaiting_text (fixture->verifier, NUMBER));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) add_test (path, "", NULL, func)

  ADD ("register/invalid-input", test_register_invalid_input);
  ADD ("texts-us/verifies", test_texts_us_verifies);
  ADD ("texts-us/twice", test_texts_us_twice);
  ADD ("texts-us/wrong-sender", test_texts_us_wrong_sender);
  ADD ("texts-us/wrong-code", test_texts_us_wrong_code);
  ADD ("texts-us/expired", test_texts_us_expired);
  ADD ("texts-us/old-text", test_texts_us_old_text);
  ADD ("texts-us/typed-refused", test_texts_us_typed_refused);
  ADD ("texts-us/then-text-out", test_texts_us_then_text_out);
  ADD ("texts-us/stop", test_texts_us_stop);
  ADD ("texts-us/then-register", test_texts_us_then_register);
  ADD ("texts-us/no-office-number", test_texts_us_no_office_number);
  ADD ("reply-to-confirm/on", test_reply_to_confirm);
  ADD ("reply-to-confirm/off", test_reply_to_confirm_off);
  ADD ("reply-to-confirm/typed", test_reply_to_confirm_typed);
  ADD ("register/new-number", test_register_new_number);
  ADD ("register/name-cleaned", test_register_name_is_cleaned);
  for (guint i = 0; i < G_N_ELEMENTS (hostile_names); i++)
    add_test ("register/hostile-name/", hostile_names[i].name, &hostile_names[i],
              test_register_hostile_name);
  ADD ("register/hostile-name-known-customer", test_register_hostile_name_known_customer);
  ADD ("register/longest-name", test_register_longest_name);
  ADD ("register/checks-in-order", test_register_checks_in_order);
  ADD ("register/template-and-length", test_register_uses_template_and_length);
  ADD ("register/invalid-template", test_register_invalid_template);
  ADD ("register/refused", test_register_refused_by_twilio);
  for (guint i = 0; i < G_N_ELEMENTS (restore_cases); i++)
    add_test ("register/refused-restores/", restore_cases[i].name, &restore_cases[i],
              test_register_refused_restores_previous_state);
  for (guint i = 0; i < G_N_ELEMENTS (lost_answers); i++)
    add_test ("register/lost-answer/", lost_answers[i].name, &lost_answers[i],
              test_register_lost_answer);
  for (guint i = 0; i < G_N_ELEMENTS (late_replies); i++)
    {
      const LateReplyCase *c = &late_replies[i];
      g_autofree char *name = g_strdup_printf ("%s-%s",
                                               c->other_desk ? "other-desk" : "same-desk",
                                               c->answer_lost ? "answer-lost" : "answered");

      add_test ("register/late-reply/", name, c, test_register_late_reply_keeps_verification);
    }
  for (guint i = 0; i < G_N_ELEMENTS (unconfirmed_waits); i++)
    {
      g_autofree char *name = g_strdup_printf ("%us", unconfirmed_waits[i]);

      add_test ("register/lost-answer-wait/", name, &unconfirmed_waits[i],
                test_register_lost_answer_wait);
    }
  ADD ("register/timeout-counts", test_register_timeout_still_counts);
  ADD ("register/auth-failure", test_register_auth_failure);
  ADD ("register/already-verified", test_register_already_verified);
  ADD ("register/verify-again", test_verify_again);
  ADD ("register/verify-again-refused", test_verify_again_refused);
  ADD ("register/already-requested", test_register_already_requested);
  ADD ("register/after-expiry", test_register_after_expiry_sends_new_code);
  ADD ("register/not-configured", test_register_not_configured);
  ADD ("register/busy", test_register_busy);
  ADD ("register/cancelled", test_register_cancelled);
  for (guint i = 0; i < G_N_ELEMENTS (late_cancels); i++)
    add_test ("register/cancelled-after-sending/", late_cancels[i].name, &late_cancels[i],
              test_register_cancelled_after_sending);
  ADD ("recover/which-sends", test_recover_sends);
  ADD ("recover/then-register", test_recover_sends_then_register);
  ADD ("recover/own-send", test_recover_sends_leaves_own_send);
  ADD ("resend/cooldown", test_resend_cooldown);
  ADD ("resend/hourly-limit", test_resend_hourly_limit);
  ADD ("resend/unknown-number", test_resend_unknown_number);
  ADD ("verify/success", test_verify_success);
  ADD ("async/verify-waits-off-main-thread", test_async_verify_waits_off_main_thread);
  ADD ("async/send-waits-off-main-thread", test_async_send_waits_off_main_thread);
  ADD ("async/verify-cancelled-before-store", test_async_verify_cancelled_before_store);
  ADD ("async/verify-wrong-code", test_async_verify_wrong_code);
  ADD ("async/verify-cancelled-while-checking", test_async_verify_cancelled_while_checking);
  ADD ("async/send-cancelled-after-claim", test_async_send_cancelled_after_claim);
  ADD ("async/verify-malformed", test_async_verify_malformed);
  ADD ("verify/not-requested", test_verify_not_requested);
  ADD ("verify/already-verified", test_verify_already_verified);
  ADD ("verify/expired", test_verify_expired);
  ADD ("verify/just-before-expiry", test_verify_just_before_expiry);
  ADD ("verify/wrong-then-locked", test_verify_wrong_code_then_lock);
  ADD ("verify/max-attempts-setting", test_verify_max_attempts_setting);
  ADD ("verify/malformed-code", test_verify_malformed_code);
  ADD ("verify/too-long-code", test_verify_too_long_code);
  ADD ("delivery/delivered", test_delivery_reaches_delivered);
  ADD ("delivery/undelivered", test_delivery_undelivered);
  ADD ("delivery/stops-when-verified", test_delivery_stops_when_verified);
  for (guint i = 0; i < G_N_ELEMENTS (served_cases); i++)
    add_test ("register/country-served/", served_cases[i].name, &served_cases[i],
              test_register_country_served);
  ADD ("register/in-unknown-country", test_register_in_unknown_country);
  ADD ("resend/country-no-longer-served", test_resend_country_no_longer_served);
  ADD ("verify/in-country", test_verify_in_country);
  ADD ("settings/bound", test_settings_are_bound);
  ADD ("channel/call-instead-same-code", test_call_instead_keeps_code);
  ADD ("channel/limit-across-channels", test_send_limit_across_channels);
  ADD ("channel/call-after-expiry", test_call_after_expiry_sends_new_code);
  ADD ("channel/landline-called-in-german", test_landline_called_in_its_language);
  ADD ("language/text-by-country-and-choice", test_text_in_customer_language);
  ADD ("channel/lookup", test_lookup_chooses_channel);
  for (guint i = 0; i < G_N_ELEMENTS (call_outcomes); i++)
    add_test ("channel/not-answered/", call_outcomes[i].name, &call_outcomes[i],
              test_call_not_answered);

#undef ADD

  return g_test_run ();
}
