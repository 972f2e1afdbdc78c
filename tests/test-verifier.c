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
#include <string.h>

#include "pv-code.h"
#include "pv-engine-enums.h"
#include "pv-fake-twilio.h"
#include "pv-phone-number.h"
#include "pv-twilio-error.h"
#include "pv-verifier.h"

#define START_TIME 1767225600  /* 2026-01-01 00:00:00 UTC */
#define NUMBER     "+14155552671"

typedef struct
{
  char           *tmpdir;
  PvClock        *clock;
  PvStore        *store;
  PvFakeTwilio   *fake;
  PvTwilioClient *client;
  PvVerifier     *verifier;
  GPtrArray      *signals;   /* "code-sent +1…", "update error retry …", "reset", … */
  GAsyncResult   *result;
} Fixture;

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

static GBytes *
test_key (void)
{
  return g_bytes_new_static ("0123456789abcdef0123456789abcdef", PV_CODE_KEY_SIZE);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PvTwilioCredentials) credentials = NULL;
  g_autoptr(GBytes) key = test_key ();
  g_autofree char *path = NULL;
  g_autofree char *base_url = NULL;

  fixture->tmpdir = g_dir_make_tmp ("pv-verifier-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->tmpdir, "phone-verify.db", NULL);

  fixture->clock = pv_clock_new_manual (START_TIME);
  fixture->store = pv_store_open (path, fixture->clock, &error);
  g_assert_no_error (error);

  fixture->fake = pv_fake_twilio_new ();
  pv_fake_twilio_set_delivery_step (fixture->fake, 30);
  pv_fake_twilio_listen (fixture->fake, 0, &error);
  g_assert_no_error (error);

  base_url = pv_fake_twilio_dup_base_url (fixture->fake);
  fixture->client = pv_twilio_client_new (base_url);
  credentials = pv_twilio_credentials_new (pv_fake_twilio_get_account_sid (fixture->fake),
                                           NULL,
                                           pv_fake_twilio_get_auth_token (fixture->fake),
                                           pv_fake_twilio_get_phone_number (fixture->fake),
                                           NULL);
  pv_twilio_client_set_credentials (fixture->client, credentials);

  fixture->verifier = pv_verifier_new (fixture->store, fixture->client, fixture->clock);
  pv_verifier_set_digest_key (fixture->verifier, key);
  g_object_set (fixture->verifier, "poll-interval", 20, NULL);

  fixture->signals = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->verifier, "code-sent", G_CALLBACK (code_sent_cb), fixture);
  g_signal_connect (fixture->verifier, "update", G_CALLBACK (update_cb), fixture);
  g_signal_connect (fixture->verifier, "verified", G_CALLBACK (verified_cb), fixture);
  g_signal_connect (fixture->verifier, "reset", G_CALLBACK (reset_cb), fixture);
  g_signal_connect (fixture->verifier, "delivery-changed",
                    G_CALLBACK (delivery_changed_cb), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

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

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Fixture *fixture = user_data;

  fixture->result = g_object_ref (result);
}

static GAsyncResult *
wait_for_result (Fixture *fixture)
{
  while (fixture->result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return fixture->result;
}

static char *
do_register (Fixture     *fixture,
             const char  *input,
             const char  *name,
             GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_clear_object (&fixture->result);
  pv_verifier_register_async (fixture->verifier, input, name, NULL, result_cb, fixture);
  result = g_steal_pointer (&fixture->result);
  if (result == NULL)
    {
      wait_for_result (fixture);
      result = g_steal_pointer (&fixture->result);
    }

  return pv_verifier_register_finish (fixture->verifier, result, error);
}

static gboolean
do_resend (Fixture     *fixture,
           const char  *number,
           GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_clear_object (&fixture->result);
  pv_verifier_resend_async (fixture->verifier, number, NULL, result_cb, fixture);
  wait_for_result (fixture);
  result = g_steal_pointer (&fixture->result);

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

static PvCustomer *
lookup (Fixture    *fixture,
        const char *number)
{
  g_autoptr(GError) error = NULL;
  PvCustomer *customer = pv_store_lookup (fixture->store, number, &error);

  g_assert_no_error (error);
  return customer;
}

static gboolean
has_event (Fixture     *fixture,
           const char  *number,
           PvEventKind  kind)
{
  g_autoptr(GPtrArray) events = pv_store_list_events (fixture->store, number, NULL);

  for (guint i = 0; events != NULL && i < events->len; i++)
    {
      PvEvent *event = g_ptr_array_index (events, i);

      if (event->kind == kind)
        return TRUE;
    }

  return FALSE;
}

static char *
wrong_code_for (const char *code)
{
  char *wrong = g_strdup (code);

  wrong[0] = wrong[0] == '9' ? '0' : wrong[0] + 1;
  return wrong;
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

  pv_phone_number_normalize ("1-800-FLOWERS", 1, &expected);
  update = g_strdup_printf ("update error none %s", expected->message);
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
  g_assert_true (g_str_has_prefix (sms->body, "Your verification code is: "));
  code = pv_fake_twilio_dup_last_code_to (fixture->fake, NUMBER);
  g_assert_cmpuint (strlen (code), ==, 6);
  g_assert_cmpstr (sms->body + strlen ("Your verification code is: "), ==, code);

  assert_signals (fixture, (const char *[]) {
    "update success none A verification code was sent to +14155552671.",
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

  /* Only a keyed digest is stored, never the code. */
  g_assert_cmpuint (strlen (customer->code_digest), ==, 64);
  g_assert_null (strstr (customer->code_digest, code));
  g_assert_true (has_event (fixture, NUMBER, PV_EVENT_CODE_SENT));
}

static void
test_register_uses_template_and_length (Fixture       *fixture,
                                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  g_autofree char *code = NULL;
  g_autofree char *expected = NULL;

  g_object_set (fixture->verifier,
                "message-template", "{code} is your Example Dental code",
                "code-length", 8,
                NULL);
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

  g_object_set (fixture->verifier, "message-template", "Your code is on its way", NULL);
  number = do_register (fixture, NUMBER, NULL, &error);

  g_assert_null (number);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
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
  { "+15005550001", 0, PV_TWILIO_ERROR_INVALID_NUMBER, "start-over" },
  { "+15005550002", 0, PV_TWILIO_ERROR_INVALID_NUMBER, "start-over" },
  { "+15005550009", 0, PV_TWILIO_ERROR_INVALID_NUMBER, "start-over" },
  { "+15005550003", 0, PV_TWILIO_ERROR_REGION_DISABLED, "open-preferences" },
  { "+15005550004", 0, PV_TWILIO_ERROR_OPTED_OUT, "start-over" },
  { "+442071838750", 21635, PV_TWILIO_ERROR_INVALID_NUMBER, "start-over" },
  { "+442071838751", 21608, PV_TWILIO_ERROR_UNVERIFIED_TRIAL_NUMBER, "start-over" },
};

/* A refused send leaves no trace of a new customer, and says why, in Twilio's own terms. */
static void
test_register_refused_by_twilio (Fixture       *fixture,
                                 gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      const RefusalCase *c = &refusals[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) expected = NULL;
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
      g_assert_false (has_event (fixture, c->number, PV_EVENT_CODE_SENT));
    }
}

static void
test_register_refused_restores_previous_state (Fixture       *fixture,
                                               gconstpointer  data)
{
  g_autofree char *code = register_and_read_code (fixture);
  g_autoptr(PvCustomer) before = NULL;
  g_autoptr(PvCustomer) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;

  /* The code expires; the next register would send a new one, but Twilio is down. */
  pv_clock_advance (fixture->clock, 601);
  before = lookup (fixture, NUMBER);
  pv_fake_twilio_set_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_HTTP_503);

  number = do_register (fixture, NUMBER, "Someone Else", &error);
  g_assert_null (number);
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_UNAVAILABLE);
  g_assert_cmpuint (fixture->signals->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (fixture->signals, 0), "update error retry "));

  after = lookup (fixture, NUMBER);
  g_assert_cmpstr (after->code_digest, ==, before->code_digest);
  g_assert_cmpint (after->code_expires_at, ==, before->code_expires_at);
  g_assert_cmpuint (after->sends_in_window, ==, before->sends_in_window);
  g_assert_cmpint (after->last_sent_at, ==, before->last_sent_at);
  g_assert_cmpstr (after->message_sid, ==, before->message_sid);
  g_assert_cmpstr (after->name, ==, before->name);
}

/* A damaged "success" reply: the text may have gone out, so its code must keep working. */
static void
test_register_unreadable_reply_keeps_code (Fixture       *fixture,
                                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PvCustomer) customer = NULL;
  g_autofree char *number = NULL;
  g_autofree char *code = NULL;

  pv_fake_twilio_set_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_TRUNCATED);
  number = do_register (fixture, NUMBER, NULL, &error);
  g_assert_null (number);
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_MALFORMED_REPLY);
  g_clear_error (&error);
  assert_signals (fixture, (const char *[]) {
    "update error resend Twilio’s reply could not be read, so the code may or may not have "
      "been sent to +14155552671. If it does not arrive, send a new code.",
    "code-sent +14155552671",
    NULL });

  customer = lookup (fixture, NUMBER);
  g_assert_nonnull (customer);
  g_assert_nonnull (customer->code_digest);

  pv_fake_twilio_set_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_NONE);
  code = pv_fake_twilio_dup_last_code_to (fixture->fake, NUMBER);
  g_assert_nonnull (code);
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
  g_assert_no_error (error);
}

/* The customer reads out a code that arrived before Twilio's (slow) reply, and is
 * verified; the late reply must not put them back to pending with a live code. */
static void
test_register_late_reply_keeps_verification (Fixture       *fixture,
                                             gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  g_autofree char *code = NULL;

  pv_fake_twilio_set_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_SLOW);
  pv_fake_twilio_set_slow_delay (fixture->fake, 300);
  pv_verifier_register_async (fixture->verifier, NUMBER, NULL, NULL, result_cb, fixture);
  while (pv_fake_twilio_get_last_message_to (fixture->fake, NUMBER) == NULL)
    g_main_context_iteration (NULL, TRUE);

  code = pv_fake_twilio_dup_last_code_to (fixture->fake, NUMBER);
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
  g_assert_no_error (error);

  result = wait_for_result (fixture);
  fixture->result = NULL;
  number = pv_verifier_register_finish (fixture->verifier, result, &error);
  g_assert_no_error (error);

  customer = lookup (fixture, NUMBER);
  g_assert_cmpint (customer->status, ==, PV_CUSTOMER_STATUS_VERIFIED);
  g_assert_null (customer->code_digest);
  g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, code, NULL));
}

/* No answer from Twilio: the code is undone, but the attempt still counts against the
 * cooldown, since the text may have gone out. */
static void
test_register_timeout_still_counts (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autofree char *code = register_and_read_code (fixture);
  g_autoptr(PvCustomer) before = NULL;
  g_autoptr(PvCustomer) after = NULL;
  g_autoptr(GError) error = NULL;

  pv_clock_advance (fixture->clock, 601);
  before = lookup (fixture, NUMBER);
  pv_twilio_client_set_timeout (fixture->client, 1);
  pv_fake_twilio_set_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_SLOW);
  pv_fake_twilio_set_slow_delay (fixture->fake, 3000);

  g_free (do_register (fixture, NUMBER, NULL, &error));
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_NETWORK);
  g_clear_error (&error);

  after = lookup (fixture, NUMBER);
  g_assert_cmpstr (after->code_digest, ==, before->code_digest);
  g_assert_cmpint (after->last_sent_at, ==, START_TIME + 601);
  g_assert_cmpuint (after->sends_in_window, ==, before->sends_in_window + 1);
  g_assert_cmpuint (pv_verifier_get_cooldown_remaining (fixture->verifier, NUMBER), ==, 30);
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
    "update info none You have already verified +14155552671!",
    "reset",
    NULL });
  g_assert_cmpuint (count_messages (fixture), ==, 1);
}

static void
test_register_already_requested (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autofree char *code = register_and_read_code (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;

  pv_clock_advance (fixture->clock, 120);
  number = do_register (fixture, NUMBER, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (number, ==, NUMBER);
  assert_signals (fixture, (const char *[]) {
    "update info resend You have already requested a verification code for +14155552671. "
      "Enter the code from that text message.",
    "code-sent +14155552671",
    NULL });

  /* No second text, and the first code still works. */
  g_assert_cmpuint (count_messages (fixture), ==, 1);
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
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

static void
busy_result_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static void
test_register_busy (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;

  pv_fake_twilio_set_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_SLOW);
  pv_fake_twilio_set_slow_delay (fixture->fake, 200);
  pv_verifier_register_async (fixture->verifier, NUMBER, NULL, NULL, busy_result_cb, &first);
  pv_verifier_register_async (fixture->verifier, NUMBER, NULL, NULL, busy_result_cb, &second);

  while (first == NULL || second == NULL)
    g_main_context_iteration (NULL, TRUE);

  number = pv_verifier_register_finish (fixture->verifier, second, &error);
  g_assert_null (number);
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_BUSY);
  g_clear_error (&error);

  number = pv_verifier_register_finish (fixture->verifier, first, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (number, ==, NUMBER);
  g_assert_cmpuint (count_messages (fixture), ==, 1);
}

static void
test_register_cancelled (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;

  pv_fake_twilio_set_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_SLOW);
  pv_fake_twilio_set_slow_delay (fixture->fake, 2000);
  pv_verifier_register_async (fixture->verifier, NUMBER, NULL, cancellable, result_cb, fixture);
  g_ptr_array_set_size (fixture->signals, 0);
  g_cancellable_cancel (cancellable);

  result = wait_for_result (fixture);
  fixture->result = NULL;
  number = pv_verifier_register_finish (fixture->verifier, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Cancelling is the staff member's own doing: no message about it, and nothing stored. */
  g_assert_cmpuint (fixture->signals->len, ==, 0);
  g_assert_null (lookup (fixture, NUMBER));
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
  g_assert_cmpuint (pv_verifier_get_cooldown_remaining (fixture->verifier, NUMBER), ==, 20);
  g_assert_false (do_resend (fixture, NUMBER, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_COOLDOWN);
  assert_signals (fixture, (const char *[]) {
    "update error none Wait 20 seconds before sending another code to +14155552671.",
    NULL });
  g_assert_cmpuint (count_messages (fixture), ==, 1);
  g_clear_error (&error);

  pv_clock_advance (fixture->clock, 20);
  g_assert_cmpuint (pv_verifier_get_cooldown_remaining (fixture->verifier, NUMBER), ==, 0);
  g_assert_true (do_resend (fixture, NUMBER, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_messages (fixture), ==, 2);

  /* The new code replaces the old one. */
  new_code = pv_fake_twilio_dup_last_code_to (fixture->fake, NUMBER);
  if (g_strcmp0 (old_code, new_code) != 0)
    {
      g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, old_code, &error));
      g_clear_error (&error);
    }
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
    "update error none +14155552671 has had too many codes this hour. Try again in 58 minutes.",
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
    "update error none You have not requested a verification code for +14155552671 yet!",
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
    "update success none You have successfully verified +14155552671!",
    "verified +14155552671",
    NULL });

  customer = lookup (fixture, NUMBER);
  g_assert_cmpint (customer->status, ==, PV_CUSTOMER_STATUS_VERIFIED);
  g_assert_cmpint (customer->verified_at, ==, START_TIME + 42);
  g_assert_null (customer->code_digest);
  g_assert_true (has_event (fixture, NUMBER, PV_EVENT_VERIFIED));
}

static void
test_verify_not_requested (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, "123456", &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_NOT_REQUESTED);
  assert_signals (fixture, (const char *[]) {
    "update error none You have not requested a verification code for +14155552671 yet!",
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
    "update info none You have already verified +14155552671!",
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
    "update error resend The code for +14155552671 has expired. Send a new code.",
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
      g_autofree char *expected = g_strdup_printf ("update error none Wrong code. %u %s left.",
                                                   left, left == 1 ? "attempt" : "attempts");

      g_ptr_array_set_size (fixture->signals, 0);
      g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, wrong, &error));
      g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_WRONG_CODE);
      g_clear_error (&error);
      assert_signals (fixture, (const char *[]) { expected, NULL });
      g_assert_cmpuint (pv_verifier_get_attempts_left (fixture->verifier, NUMBER), ==, left);
    }

  customer = lookup (fixture, NUMBER);
  g_assert_cmpuint (customer->failed_attempts, ==, 4);
  g_assert_true (has_event (fixture, NUMBER, PV_EVENT_CHECK_FAILED));

  /* The fifth wrong code locks it. */
  g_ptr_array_set_size (fixture->signals, 0);
  g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, wrong, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_LOCKED);
  g_clear_error (&error);
  assert_signals (fixture, (const char *[]) {
    "update error resend Wrong code. That was the last attempt, so the code is now locked. "
      "Send a new code to try again.",
    NULL });

  /* Now even the right code is refused… */
  g_ptr_array_set_size (fixture->signals, 0);
  g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
  g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_LOCKED);
  g_clear_error (&error);
  assert_signals (fixture, (const char *[]) {
    "update error resend The code for +14155552671 is locked after too many wrong attempts. "
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
  const char *malformed[] = { "", "12a456", "123", "12345678901", "１２３４５６", "<b>1</b>" };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_ptr_array_set_size (fixture->signals, 0);
      g_assert_false (pv_verifier_verify (fixture->verifier, NUMBER, malformed[i], &error));
      g_assert_error (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_INVALID_CODE);
      g_clear_error (&error);
      assert_signals (fixture, (const char *[]) {
        "update error none Enter the code from the text message, using digits only.",
        NULL });
    }

  /* None of that used up an attempt. */
  g_assert_cmpuint (pv_verifier_get_attempts_left (fixture->verifier, NUMBER), ==, 5);
  g_assert_true (pv_verifier_verify (fixture->verifier, NUMBER, code, &error));
}

/* -- delivery ---------------------------------------------------------------------------- */

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
                              "+14155552671. %s",
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

/* -- settings ---------------------------------------------------------------------------- */

static void
test_settings_are_bound (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *code = NULL;
  g_autofree char *number = NULL;
  g_autoptr(GError) error = NULL;
  guint value;

  pv_verifier_bind_settings (fixture->verifier, settings);
  g_settings_set_uint (settings, "code-length", 9);
  g_settings_set_uint (settings, "default-country-code", 49);
  g_settings_set_string (settings, "message-template", "Code: {code}");
  g_settings_set_uint (settings, "resend-cooldown", 45);

  g_object_get (fixture->verifier, "resend-cooldown", &value, NULL);
  g_assert_cmpuint (value, ==, 45);

  number = do_register (fixture, "030 1234567", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (number, ==, "+49301234567");
  code = pv_fake_twilio_dup_last_code_to (fixture->fake, number);
  g_assert_cmpuint (strlen (code), ==, 9);
  g_assert_true (g_str_has_prefix (pv_fake_twilio_get_last_message_to (fixture->fake, number)->body,
                                   "Code: "));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/verifier/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("register/invalid-input", test_register_invalid_input);
  ADD ("register/new-number", test_register_new_number);
  ADD ("register/template-and-length", test_register_uses_template_and_length);
  ADD ("register/invalid-template", test_register_invalid_template);
  ADD ("register/refused", test_register_refused_by_twilio);
  ADD ("register/refused-restores", test_register_refused_restores_previous_state);
  ADD ("register/unreadable-reply", test_register_unreadable_reply_keeps_code);
  ADD ("register/late-reply", test_register_late_reply_keeps_verification);
  ADD ("register/timeout-counts", test_register_timeout_still_counts);
  ADD ("register/auth-failure", test_register_auth_failure);
  ADD ("register/already-verified", test_register_already_verified);
  ADD ("register/already-requested", test_register_already_requested);
  ADD ("register/after-expiry", test_register_after_expiry_sends_new_code);
  ADD ("register/not-configured", test_register_not_configured);
  ADD ("register/busy", test_register_busy);
  ADD ("register/cancelled", test_register_cancelled);
  ADD ("resend/cooldown", test_resend_cooldown);
  ADD ("resend/hourly-limit", test_resend_hourly_limit);
  ADD ("resend/unknown-number", test_resend_unknown_number);
  ADD ("verify/success", test_verify_success);
  ADD ("verify/not-requested", test_verify_not_requested);
  ADD ("verify/already-verified", test_verify_already_verified);
  ADD ("verify/expired", test_verify_expired);
  ADD ("verify/just-before-expiry", test_verify_just_before_expiry);
  ADD ("verify/wrong-then-locked", test_verify_wrong_code_then_lock);
  ADD ("verify/max-attempts-setting", test_verify_max_attempts_setting);
  ADD ("verify/malformed-code", test_verify_malformed_code);
  ADD ("delivery/delivered", test_delivery_reaches_delivered);
  ADD ("delivery/undelivered", test_delivery_undelivered);
  ADD ("delivery/stops-when-verified", test_delivery_stops_when_verified);
  ADD ("settings/bound", test_settings_are_bound);

#undef ADD

  return g_test_run ();
}
