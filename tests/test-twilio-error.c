/* test-twilio-error.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-twilio-error"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "pv-twilio-error.h"

/* How a case's error is made: the way the client makes it for that situation. */
typedef enum
{
  FROM_REPLY,       /* pv_twilio_error_new_from_code (): Twilio, or something on the way,
                     * answered with an error */
  STANDARD,         /* pv_twilio_error_new (): no reply to go by */
  OUTCOME_UNKNOWN,  /* pv_twilio_error_new_outcome_unknown (): a send whose answer was lost */
  FROM_CALL_REPLY,  /* pv_twilio_error_new_from_call_code (): the same, for a call */
  CALL_OUTCOME_UNKNOWN, /* pv_twilio_error_new_call_outcome_unknown () */
} Origin;

typedef struct
{
  const char       *name;
  Origin            origin;
  int               twilio_code;
  guint             http_status;
  PvTwilioError     error;
  PvTwilioNextStep  next_step;
  const char       *same_as;  /* the case with the same cause, whose sentence this one
                               * shares, or NULL: every other sentence is its own */
} ErrorCase;

static const ErrorCase error_cases[] = {
  /* The customer's number */
  { "21211", FROM_REPLY, 21211, 400, PV_TWILIO_ERROR_INVALID_NUMBER,
    PV_TWILIO_NEXT_STEP_CHANGE_NUMBER, NULL },
  { "21612", FROM_REPLY, 21612, 400, PV_TWILIO_ERROR_INVALID_NUMBER,
    PV_TWILIO_NEXT_STEP_CHANGE_NUMBER, NULL },
  { "21614", FROM_REPLY, 21614, 400, PV_TWILIO_ERROR_INVALID_NUMBER,
    PV_TWILIO_NEXT_STEP_CHANGE_NUMBER, NULL },
  { "21635", FROM_REPLY, 21635, 400, PV_TWILIO_ERROR_INVALID_NUMBER,
    PV_TWILIO_NEXT_STEP_CHANGE_NUMBER, NULL },

  /* Fixed outside PhoneVerify: in the Twilio Console, or by the customer. */
  { "21408", FROM_REPLY, 21408, 400, PV_TWILIO_ERROR_REGION_DISABLED,
    PV_TWILIO_NEXT_STEP_GEO_PERMISSIONS, NULL },
  { "21608", FROM_REPLY, 21608, 400, PV_TWILIO_ERROR_UNVERIFIED_TRIAL_NUMBER,
    PV_TWILIO_NEXT_STEP_VERIFIED_NUMBERS, NULL },
  { "21610", FROM_REPLY, 21610, 400, PV_TWILIO_ERROR_OPTED_OUT,
    PV_TWILIO_NEXT_STEP_NONE, NULL },

  /* The sender in Preferences */
  { "21212", FROM_REPLY, 21212, 400, PV_TWILIO_ERROR_INVALID_SENDER,
    PV_TWILIO_NEXT_STEP_CHECK_SETTINGS, NULL },
  { "21603", FROM_REPLY, 21603, 400, PV_TWILIO_ERROR_INVALID_SENDER,
    PV_TWILIO_NEXT_STEP_CHECK_SETTINGS, NULL },
  { "21606", FROM_REPLY, 21606, 400, PV_TWILIO_ERROR_INVALID_SENDER,
    PV_TWILIO_NEXT_STEP_CHECK_SETTINGS, NULL },
  { "21659", FROM_REPLY, 21659, 400, PV_TWILIO_ERROR_INVALID_SENDER,
    PV_TWILIO_NEXT_STEP_CHECK_SETTINGS, NULL },

  /* The account details in Preferences. A 401 is a 401 with or without Twilio's body. */
  { "20003", FROM_REPLY, 20003, 401, PV_TWILIO_ERROR_AUTH_FAILED,
    PV_TWILIO_NEXT_STEP_CHECK_SETTINGS, NULL },
  { "HTTP 401", FROM_REPLY, 0, 401, PV_TWILIO_ERROR_AUTH_FAILED,
    PV_TWILIO_NEXT_STEP_CHECK_SETTINGS, "20003" },
  { "HTTP 403", FROM_REPLY, 0, 403, PV_TWILIO_ERROR_AUTH_FAILED,
    PV_TWILIO_NEXT_STEP_CHECK_SETTINGS, NULL },
  { "unknown code, HTTP 403", FROM_REPLY, 99997, 403, PV_TWILIO_ERROR_AUTH_FAILED,
    PV_TWILIO_NEXT_STEP_CHECK_SETTINGS, "HTTP 403" },
  { "20404", FROM_REPLY, 20404, 404, PV_TWILIO_ERROR_NOT_FOUND,
    PV_TWILIO_NEXT_STEP_CHECK_SETTINGS, NULL },
  { "HTTP 404", FROM_REPLY, 0, 404, PV_TWILIO_ERROR_NOT_FOUND,
    PV_TWILIO_NEXT_STEP_CHECK_SETTINGS, "20404" },

  /* Passing problems */
  { "20429", FROM_REPLY, 20429, 429, PV_TWILIO_ERROR_RATE_LIMITED,
    PV_TWILIO_NEXT_STEP_RETRY, NULL },
  { "HTTP 429", FROM_REPLY, 0, 429, PV_TWILIO_ERROR_RATE_LIMITED,
    PV_TWILIO_NEXT_STEP_RETRY, "20429" },
  { "21611", FROM_REPLY, 21611, 400, PV_TWILIO_ERROR_RATE_LIMITED,
    PV_TWILIO_NEXT_STEP_RETRY, NULL },
  { "20500", FROM_REPLY, 20500, 500, PV_TWILIO_ERROR_UNAVAILABLE,
    PV_TWILIO_NEXT_STEP_RETRY, NULL },
  { "20503", FROM_REPLY, 20503, 503, PV_TWILIO_ERROR_UNAVAILABLE,
    PV_TWILIO_NEXT_STEP_RETRY, NULL },
  { "HTTP 502", FROM_REPLY, 0, 502, PV_TWILIO_ERROR_UNAVAILABLE,
    PV_TWILIO_NEXT_STEP_RETRY, NULL },
  { "HTTP 500", FROM_REPLY, 0, 500, PV_TWILIO_ERROR_UNAVAILABLE,
    PV_TWILIO_NEXT_STEP_RETRY, "HTTP 502" },
  { "HTTP 504", FROM_REPLY, 0, 504, PV_TWILIO_ERROR_UNAVAILABLE,
    PV_TWILIO_NEXT_STEP_RETRY, "HTTP 502" },
  { "unknown code, HTTP 503", FROM_REPLY, 99998, 503, PV_TWILIO_ERROR_UNAVAILABLE,
    PV_TWILIO_NEXT_STEP_RETRY, "HTTP 502" },
  { "no connection", STANDARD, 0, 0, PV_TWILIO_ERROR_NETWORK,
    PV_TWILIO_NEXT_STEP_RETRY, NULL },
  { "malformed reply", STANDARD, 0, 0, PV_TWILIO_ERROR_MALFORMED_REPLY,
    PV_TWILIO_NEXT_STEP_RETRY, NULL },

  /* The text may be on its way: a new code, never the same request again. */
  { "outcome unknown", OUTCOME_UNKNOWN, 0, 0, PV_TWILIO_ERROR_OUTCOME_UNKNOWN,
    PV_TWILIO_NEXT_STEP_SEND_NEW_CODE, NULL },
  { "outcome unknown, 20500", OUTCOME_UNKNOWN, 20500, 0, PV_TWILIO_ERROR_OUTCOME_UNKNOWN,
    PV_TWILIO_NEXT_STEP_SEND_NEW_CODE, "outcome unknown" },

  /* Codes PhoneVerify does not know: refused, and support gets the code. */
  { "unknown code", FROM_REPLY, 21617, 400, PV_TWILIO_ERROR_REJECTED,
    PV_TWILIO_NEXT_STEP_NONE, NULL },
  /* Known to Twilio, but not a refusal PhoneVerify can explain better. */
  { "21602", FROM_REPLY, 21602, 400, PV_TWILIO_ERROR_REJECTED,
    PV_TWILIO_NEXT_STEP_NONE, "unknown code" },
  { "HTTP 400", FROM_REPLY, 0, 400, PV_TWILIO_ERROR_REJECTED,
    PV_TWILIO_NEXT_STEP_NONE, "unknown code" },

  /* Placing a call: its own words, even for codes a text shares (21212). */
  { "call 21210", FROM_CALL_REPLY, 21210, 400, PV_TWILIO_ERROR_INVALID_SENDER,
    PV_TWILIO_NEXT_STEP_CHECK_SETTINGS, NULL },
  { "call 21212", FROM_CALL_REPLY, 21212, 400, PV_TWILIO_ERROR_INVALID_SENDER,
    PV_TWILIO_NEXT_STEP_CHECK_SETTINGS, NULL },
  { "call 21214", FROM_CALL_REPLY, 21214, 400, PV_TWILIO_ERROR_INVALID_NUMBER,
    PV_TWILIO_NEXT_STEP_CHANGE_NUMBER, NULL },
  { "call 21215", FROM_CALL_REPLY, 21215, 400, PV_TWILIO_ERROR_REGION_DISABLED,
    PV_TWILIO_NEXT_STEP_VOICE_GEO_PERMISSIONS, NULL },
  { "call 21216", FROM_CALL_REPLY, 21216, 400, PV_TWILIO_ERROR_INVALID_NUMBER,
    PV_TWILIO_NEXT_STEP_CHANGE_NUMBER, NULL },
  { "call 21217", FROM_CALL_REPLY, 21217, 400, PV_TWILIO_ERROR_INVALID_NUMBER,
    PV_TWILIO_NEXT_STEP_CHANGE_NUMBER, NULL },
  { "call 21219", FROM_CALL_REPLY, 21219, 400, PV_TWILIO_ERROR_UNVERIFIED_TRIAL_NUMBER,
    PV_TWILIO_NEXT_STEP_VERIFIED_NUMBERS, NULL },
  /* What is no different for a call reads as for a text. */
  { "call 21220", FROM_CALL_REPLY, 21220, 400, PV_TWILIO_ERROR_REJECTED,
    PV_TWILIO_NEXT_STEP_NONE, "unknown code" },
  { "call HTTP 503", FROM_CALL_REPLY, 0, 503, PV_TWILIO_ERROR_UNAVAILABLE,
    PV_TWILIO_NEXT_STEP_RETRY, "HTTP 502" },
  { "call outcome unknown", CALL_OUTCOME_UNKNOWN, 0, 0, PV_TWILIO_ERROR_OUTCOME_UNKNOWN,
    PV_TWILIO_NEXT_STEP_SEND_NEW_CODE, NULL },

  /* Lookup's line type package: the check cannot be made, the number may be fine. */
  { "60601", FROM_REPLY, 60601, 400, PV_TWILIO_ERROR_REJECTED,
    PV_TWILIO_NEXT_STEP_NONE, NULL },
  { "60607", FROM_REPLY, 60607, 400, PV_TWILIO_ERROR_REJECTED,
    PV_TWILIO_NEXT_STEP_NONE, NULL },
  { "60610", FROM_REPLY, 60610, 400, PV_TWILIO_ERROR_REJECTED,
    PV_TWILIO_NEXT_STEP_NONE, NULL },
  { "60619", FROM_REPLY, 60619, 400, PV_TWILIO_ERROR_REJECTED,
    PV_TWILIO_NEXT_STEP_NONE, NULL },
};

static GError *
make_error (const ErrorCase *c)
{
  switch (c->origin)
    {
    case FROM_REPLY:
      return pv_twilio_error_new_from_code (c->twilio_code, c->http_status);

    case STANDARD:
      return pv_twilio_error_new (c->error);

    case OUTCOME_UNKNOWN:
      return pv_twilio_error_new_outcome_unknown (c->twilio_code);

    case FROM_CALL_REPLY:
      return pv_twilio_error_new_from_call_code (c->twilio_code, c->http_status);

    case CALL_OUTCOME_UNKNOWN:
      return pv_twilio_error_new_call_outcome_unknown (c->twilio_code);

    default:
      g_assert_not_reached ();
    }
}

/* What support gets at the end: Twilio's code if there was one, else the HTTP status. */
static char *
expected_suffix (const ErrorCase *c)
{
  if (c->twilio_code > 0)
    return g_strdup_printf (" (Twilio error %d)", c->twilio_code);

  if (c->http_status != 0)
    return g_strdup_printf (" (HTTP status %u)", c->http_status);

  return g_strdup ("");
}

static void
assert_well_formed (const char *message)
{
  gsize length = strlen (message);

  g_assert_cmpuint (length, >, 20);
  g_assert_true (message[length - 1] == '.' || message[length - 1] == ')');
  g_assert_null (strchr (message, '!'));
  /* Sentence case. */
  g_assert_true (g_ascii_isupper (message[0]));
}

/* The message without what support gets. */
static char *
dup_sentence (const ErrorCase *c,
              const char      *message)
{
  g_autofree char *suffix = expected_suffix (c);

  g_assert_true (g_str_has_suffix (message, suffix));
  return g_strndup (message, strlen (message) - strlen (suffix));
}

static const char *
cause_of (const ErrorCase *c)
{
  return c->same_as != NULL ? c->same_as : c->name;
}

static void
test_error_cases (void)
{
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) sentences = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      const ErrorCase *c = &error_cases[i];
      g_autoptr(GError) error = make_error (c);
      g_autofree char *sentence = NULL;

      g_test_message ("%s: %s", c->name, error->message);

      g_assert_error (error, PV_TWILIO_ERROR, (int) c->error);
      g_assert_cmpint (pv_twilio_error_get_next_step (error), ==, c->next_step);
      g_assert_cmpint (pv_twilio_error_is_outcome_unknown (error), ==,
                       c->error == PV_TWILIO_ERROR_OUTCOME_UNKNOWN);
      assert_well_formed (error->message);

      sentence = dup_sentence (c, error->message);
      g_assert_true (g_str_has_suffix (sentence, "."));
      g_assert_null (strstr (sentence, "Twilio error"));
      g_assert_null (strstr (sentence, "HTTP status"));

      g_ptr_array_add (messages, g_strdup (error->message));
      g_ptr_array_add (sentences, g_steal_pointer (&sentence));
    }

  /* Each case says something of its own; only cases of one cause share their sentence. */
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      for (guint j = i + 1; j < G_N_ELEMENTS (error_cases); j++)
        {
          const char *cause_i = cause_of (&error_cases[i]);
          const char *cause_j = cause_of (&error_cases[j]);

          g_test_message ("%s and %s", error_cases[i].name, error_cases[j].name);
          g_assert_cmpstr (messages->pdata[i], !=, messages->pdata[j]);
          if (g_str_equal (cause_i, cause_j))
            g_assert_cmpstr (sentences->pdata[i], ==, sentences->pdata[j]);
          else
            g_assert_cmpstr (sentences->pdata[i], !=, sentences->pdata[j]);
        }
    }
}

/* A case's same_as must name a case that is its own cause, or the check above says less
 * than it seems to. */
static void
test_error_cases_consistent (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      const ErrorCase *c = &error_cases[i];
      gboolean found = FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (error_cases); j++)
        {
          if (j != i)
            g_assert_cmpstr (error_cases[j].name, !=, c->name);
          if (c->same_as != NULL && g_str_equal (error_cases[j].name, c->same_as))
            {
              g_assert_null (error_cases[j].same_as);
              g_assert_cmpint (error_cases[j].error, ==, c->error);
              found = TRUE;
            }
        }

      g_assert_true (c->same_as == NULL || found);
    }
}

/* Every kind on its own, as pv_twilio_error_new() gives it. */
static void
test_standard_messages (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int code = PV_TWILIO_ERROR_INVALID_NUMBER; code <= PV_TWILIO_ERROR_OUTCOME_UNKNOWN; code++)
    {
      g_autoptr(GError) error = pv_twilio_error_new (code);

      g_assert_error (error, PV_TWILIO_ERROR, code);
      assert_well_formed (error->message);
      g_assert_true (g_str_has_suffix (error->message, "."));
      g_assert_false (g_hash_table_contains (seen, error->message));
      g_hash_table_add (seen, g_strdup (error->message));
    }
}

/* Callers store and compare these values: new ones only ever go at the end. */
static void
test_enum_stable (void)
{
  g_assert_cmpint (PV_TWILIO_ERROR_INVALID_NUMBER, ==, 0);
  g_assert_cmpint (PV_TWILIO_ERROR_UNVERIFIED_TRIAL_NUMBER, ==, 1);
  g_assert_cmpint (PV_TWILIO_ERROR_OPTED_OUT, ==, 2);
  g_assert_cmpint (PV_TWILIO_ERROR_REGION_DISABLED, ==, 3);
  g_assert_cmpint (PV_TWILIO_ERROR_INVALID_SENDER, ==, 4);
  g_assert_cmpint (PV_TWILIO_ERROR_AUTH_FAILED, ==, 5);
  g_assert_cmpint (PV_TWILIO_ERROR_RATE_LIMITED, ==, 6);
  g_assert_cmpint (PV_TWILIO_ERROR_UNAVAILABLE, ==, 7);
  g_assert_cmpint (PV_TWILIO_ERROR_NETWORK, ==, 8);
  g_assert_cmpint (PV_TWILIO_ERROR_MALFORMED_REPLY, ==, 9);
  g_assert_cmpint (PV_TWILIO_ERROR_NOT_FOUND, ==, 10);
  g_assert_cmpint (PV_TWILIO_ERROR_REJECTED, ==, 11);
  g_assert_cmpint (PV_TWILIO_ERROR_OUTCOME_UNKNOWN, ==, 12);
}

/* HTTP statuses that are not errors of a kind PhoneVerify knows. */
static void
test_other_statuses (void)
{
  static const guint statuses[] = { 302, 400, 418, 600 };

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autoptr(GError) error = pv_twilio_error_new_from_code (0, statuses[i]);
      g_autofree char *mention = g_strdup_printf ("(HTTP status %u)", statuses[i]);

      g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_REJECTED);
      g_assert_true (g_str_has_suffix (error->message, mention));
      g_assert_cmpint (pv_twilio_error_get_next_step (error), ==, PV_TWILIO_NEXT_STEP_NONE);
    }
}

static void
test_outcome_unknown (void)
{
  g_autoptr(GError) with_code = pv_twilio_error_new_outcome_unknown (20500);
  g_autoptr(GError) without_code = pv_twilio_error_new_outcome_unknown (0);
  g_autoptr(GError) standard = pv_twilio_error_new (PV_TWILIO_ERROR_OUTCOME_UNKNOWN);
  g_autoptr(GError) unavailable = pv_twilio_error_new_from_code (20500, 500);
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x");

  g_assert_true (pv_twilio_error_is_outcome_unknown (with_code));
  g_assert_true (g_str_has_suffix (with_code->message, " (Twilio error 20500)"));
  g_assert_true (pv_twilio_error_is_outcome_unknown (without_code));
  g_assert_cmpstr (without_code->message, ==, standard->message);
  g_assert_cmpstr (standard->message, ==,
                   "Twilio did not confirm the message, so it may or may not have been sent.");

  /* Only sending can leave the outcome open; the same 500 on its own is plain unavailable. */
  g_assert_error (unavailable, PV_TWILIO_ERROR, PV_TWILIO_ERROR_UNAVAILABLE);
  g_assert_false (pv_twilio_error_is_outcome_unknown (unavailable));
  g_assert_false (pv_twilio_error_is_outcome_unknown (cancelled));
  g_assert_false (pv_twilio_error_is_outcome_unknown (NULL));
}

/* The call codes speak of a call, never of a text; and the call's next step survives a
 * copy, as errors are copied on their way to the window. */
static void
test_call_errors (void)
{
  static const int codes[] = { 21210, 21212, 21214, 21215, 21216, 21217, 21219 };

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autoptr(GError) error = pv_twilio_error_new_from_call_code (codes[i], 400);
      g_autoptr(GError) copy = g_error_copy (error);

      g_test_message ("%d: %s", codes[i], error->message);
      g_assert_nonnull (strstr (error->message, "call"));
      g_assert_null (strstr (error->message, "text"));
      g_assert_cmpstr (copy->message, ==, error->message);
      g_assert_cmpint (pv_twilio_error_get_next_step (copy), ==,
                       pv_twilio_error_get_next_step (error));
    }
}

/* The same kind, and the Console page that fixes it, differ between a text and a call. */
static void
test_region_disabled_next_step (void)
{
  g_autoptr(GError) text = pv_twilio_error_new_from_code (21408, 400);
  g_autoptr(GError) call = pv_twilio_error_new_from_call_code (21215, 400);
  g_autoptr(GError) plain = pv_twilio_error_new (PV_TWILIO_ERROR_REGION_DISABLED);

  g_assert_error (text, PV_TWILIO_ERROR, PV_TWILIO_ERROR_REGION_DISABLED);
  g_assert_error (call, PV_TWILIO_ERROR, PV_TWILIO_ERROR_REGION_DISABLED);
  g_assert_cmpint (pv_twilio_error_get_next_step (text), ==, PV_TWILIO_NEXT_STEP_GEO_PERMISSIONS);
  g_assert_cmpint (pv_twilio_error_get_next_step (call), ==,
                   PV_TWILIO_NEXT_STEP_VOICE_GEO_PERMISSIONS);
  g_assert_cmpint (pv_twilio_error_get_next_step (plain), ==,
                   PV_TWILIO_NEXT_STEP_GEO_PERMISSIONS);
  g_assert_cmpint (PV_TWILIO_NEXT_STEP_VOICE_GEO_PERMISSIONS, ==, 7);
  g_assert_true (g_str_has_prefix (PV_TWILIO_CONSOLE_VOICE_GEO_PERMISSIONS_URL,
                                   "https://console.twilio.com/"));
  g_assert_nonnull (strstr (PV_TWILIO_CONSOLE_VOICE_GEO_PERMISSIONS_URL, "/voice/"));
}

/* An error from elsewhere is the caller's to judge. */
static void
test_next_step_other_domain (void)
{
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x");

  g_assert_cmpint (pv_twilio_error_get_next_step (error), ==, PV_TWILIO_NEXT_STEP_NONE);
}

typedef struct
{
  int               twilio_code;
  PvTwilioNextStep  next_step;
  const char       *says;     /* a word that shows the right cause is named */
  int               same_as;  /* the code of the same cause, whose sentence this one shares */
} DeliveryCase;

static const DeliveryCase delivery_cases[] = {
  { 30001, PV_TWILIO_NEXT_STEP_SEND_NEW_CODE, "waiting" },
  { 30002, PV_TWILIO_NEXT_STEP_NONE, "suspended" },
  { 30003, PV_TWILIO_NEXT_STEP_SEND_NEW_CODE, "switched off" },
  { 30004, PV_TWILIO_NEXT_STEP_SEND_NEW_CODE, "blocked" },
  { 30005, PV_TWILIO_NEXT_STEP_CHANGE_NUMBER, "no longer in service" },
  { 30006, PV_TWILIO_NEXT_STEP_CHANGE_NUMBER, "landline" },
  { 30007, PV_TWILIO_NEXT_STEP_SEND_NEW_CODE, "spam" },
  { 30008, PV_TWILIO_NEXT_STEP_SEND_NEW_CODE, "unknown error" },
  { 30034, PV_TWILIO_NEXT_STEP_NONE, "not registered" },
};

static const DeliveryCase call_failure_cases[] = {
  { 13224, PV_TWILIO_NEXT_STEP_CHANGE_NUMBER, "not a valid number" },
  { 13227, PV_TWILIO_NEXT_STEP_VOICE_GEO_PERMISSIONS, "Voice Geo Permissions" },
  /* The same block, for another type of call. */
  { 32205, PV_TWILIO_NEXT_STEP_VOICE_GEO_PERMISSIONS, "Voice Geo Permissions", 13227 },
};

typedef struct
{
  const char        *(*describe)  (int twilio_code);
  PvTwilioNextStep   (*next_step) (int twilio_code);
  const DeliveryCase  *cases;
  guint                n_cases;
} FailureTable;

static const FailureTable delivery_table = {
  pv_twilio_error_describe_delivery, pv_twilio_error_get_delivery_next_step,
  delivery_cases, G_N_ELEMENTS (delivery_cases),
};

static const FailureTable call_failure_table = {
  pv_twilio_error_describe_call_failure, pv_twilio_error_get_call_failure_next_step,
  call_failure_cases, G_N_ELEMENTS (call_failure_cases),
};

static void
test_describe_failures (gconstpointer data)
{
  const FailureTable *table = data;
  const char *generic = table->describe (0);
  g_autoptr(GPtrArray) sentences = g_ptr_array_new_with_free_func (g_free);

  assert_well_formed (generic);
  g_assert_true (g_str_has_suffix (generic, "."));
  g_assert_null (strstr (generic, "Twilio error"));

  for (guint i = 0; i < table->n_cases; i++)
    {
      const DeliveryCase *c = &table->cases[i];
      const char *text = table->describe (c->twilio_code);
      g_autofree char *suffix = g_strdup_printf (" (Twilio error %d)", c->twilio_code);

      g_test_message ("%d: %s", c->twilio_code, text);
      assert_well_formed (text);
      g_assert_true (g_str_has_suffix (text, suffix));
      g_assert_nonnull (strstr (text, c->says));
      g_assert_cmpint (table->next_step (c->twilio_code), ==, c->next_step);
      /* Callers keep the pointer, so it must stay the same string. */
      g_assert_true (table->describe (c->twilio_code) == text);

      g_ptr_array_add (sentences, g_strndup (text, strlen (text) - strlen (suffix)));
    }

  for (guint i = 0; i < sentences->len; i++)
    {
      g_assert_cmpstr (sentences->pdata[i], !=, generic);

      for (guint j = i + 1; j < sentences->len; j++)
        {
          if (table->cases[j].same_as == table->cases[i].twilio_code)
            g_assert_cmpstr (sentences->pdata[i], ==, sentences->pdata[j]);
          else
            g_assert_cmpstr (sentences->pdata[i], !=, sentences->pdata[j]);
        }
    }
}

/* A code PhoneVerify does not know still says what happened, and names the code. */
static void
test_describe_failures_unknown (gconstpointer data)
{
  static const int codes[] = { 30009, 30999, 21211, 13910 };
  const FailureTable *table = data;
  const char *generic = table->describe (0);

  g_assert_cmpint (table->next_step (0), ==, PV_TWILIO_NEXT_STEP_SEND_NEW_CODE);

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      const char *text = table->describe (codes[i]);
      g_autofree char *expected = g_strdup_printf ("%s (Twilio error %d)", generic, codes[i]);

      g_assert_cmpstr (text, ==, expected);
      g_assert_true (table->describe (codes[i]) == text);
      g_assert_cmpint (table->next_step (codes[i]), ==, PV_TWILIO_NEXT_STEP_SEND_NEW_CODE);
    }
}

/* The two generic reasons say which channel failed. */
static void
test_describe_generic (void)
{
  g_assert_nonnull (strstr (pv_twilio_error_describe_delivery (0), "message"));
  g_assert_nonnull (strstr (pv_twilio_error_describe_call_failure (0), "call"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/twilio-error/cases", test_error_cases);
  g_test_add_func ("/twilio-error/cases-consistent", test_error_cases_consistent);
  g_test_add_func ("/twilio-error/standard-messages", test_standard_messages);
  g_test_add_func ("/twilio-error/enum-stable", test_enum_stable);
  g_test_add_func ("/twilio-error/other-statuses", test_other_statuses);
  g_test_add_func ("/twilio-error/outcome-unknown", test_outcome_unknown);
  g_test_add_func ("/twilio-error/next-step-other-domain", test_next_step_other_domain);
  g_test_add_func ("/twilio-error/call-errors", test_call_errors);
  g_test_add_func ("/twilio-error/region-disabled-next-step", test_region_disabled_next_step);
  g_test_add_data_func ("/twilio-error/describe-delivery", &delivery_table,
                        test_describe_failures);
  g_test_add_data_func ("/twilio-error/describe-delivery-unknown", &delivery_table,
                        test_describe_failures_unknown);
  g_test_add_data_func ("/twilio-error/describe-call-failure", &call_failure_table,
                        test_describe_failures);
  g_test_add_data_func ("/twilio-error/describe-call-failure-unknown", &call_failure_table,
                        test_describe_failures_unknown);
  g_test_add_func ("/twilio-error/describe-generic", test_describe_generic);

  return g_test_run ();
}
