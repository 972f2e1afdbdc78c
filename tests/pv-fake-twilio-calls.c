/* pv-fake-twilio-calls.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pv-fake-twilio"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "pv-fake-twilio-private.h"

/* Programmable Voice calls and Lookup v2, as ../shared/reference/twilio-api-2.md, sections 2a
 * and 2b, describe them. Twilio's texts are wire data in English, so nothing is translated.
 *
 * Where the reference names no code, the fake picks one and says so: Twilio's own choice for
 * those cases was not confirmed. */

#define MAX_TWIML_CHARS 4000
#define MAX_TIMEOUT     600
#define MAX_TIME_LIMIT  (4 * 60 * 60)
/* Not confirmed: the codes Twilio gives a POST Calls without To or From, without any of
 * Url, Twiml and ApplicationSid, with a Twiml it cannot read, and with a bad Timeout. */
#define CODE_NO_TO            21201
#define CODE_NO_FROM          21213
#define CODE_NO_INSTRUCTIONS  21205
#define CODE_BAD_TWIML        12100
#define CODE_BAD_PARAMETER    21207

typedef struct
{
  PvFakeTwilioCall  public;  /* first, so that a StoredCall* is a PvFakeTwilioCall* */
  GDateTime        *date_created;
  gint64            created_usec;  /* monotonic, drives the status progression */
  char             *final_status;
  int               notification_code;
} StoredCall;

typedef struct
{
  char *final_status;
  int   notification_code;
} CallOutcome;

static void
say_free (PvFakeTwilioSay *say)
{
  g_free (say->language);
  g_free (say->text);
  g_free (say);
}

static void
stored_call_free (StoredCall *call)
{
  g_free (call->public.sid);
  g_free (call->public.to);
  g_free (call->public.from);
  g_free (call->public.twiml);
  g_free (call->public.status);
  g_ptr_array_unref (call->public.says);
  g_date_time_unref (call->date_created);
  g_free (call->final_status);
  g_free (call);
}

static void
call_outcome_free (CallOutcome *outcome)
{
  g_free (outcome->final_status);
  g_free (outcome);
}

void
pv_fake_twilio_init_calls (PvFakeTwilio *self)
{
  self->call_outcomes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) call_outcome_free);
  self->calls = g_ptr_array_new_with_free_func ((GDestroyNotify) stored_call_free);
  self->calls_by_sid = g_hash_table_new (g_str_hash, g_str_equal);
  self->line_types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->invalid_numbers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

void
pv_fake_twilio_finalize_calls (PvFakeTwilio *self)
{
  g_clear_pointer (&self->call_outcomes, g_hash_table_unref);
  g_clear_pointer (&self->calls_by_sid, g_hash_table_unref);
  g_clear_pointer (&self->calls, g_ptr_array_unref);
  g_clear_pointer (&self->line_types, g_hash_table_unref);
  g_clear_pointer (&self->invalid_numbers, g_hash_table_unref);
}

void
pv_fake_twilio_clear_calls (PvFakeTwilio *self)
{
  g_hash_table_remove_all (self->calls_by_sid);
  g_ptr_array_set_size (self->calls, 0);
}

/* Reading TwiML: only what a call to read out a code uses is checked, but the document must
 * be XML with a <Response> root, as Twilio requires. */

typedef struct
{
  GPtrArray       *says;
  PvFakeTwilioSay *current;  /* the <Say> being read, or NULL */
  GString         *text;     /* what it says so far */
  guint            depth;
} TwimlReader;

static void
twiml_start_element (GMarkupParseContext  *context,
                     const char           *element_name,
                     const char          **attribute_names,
                     const char          **attribute_values,
                     gpointer              user_data,
                     GError              **error)
{
  TwimlReader *reader = user_data;

  if (reader->depth++ == 0)
    {
      if (!g_str_equal (element_name, "Response"))
        g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                     "the root element is not <Response>");
      return;
    }

  if (!g_str_equal (element_name, "Say") || reader->current != NULL)
    return;

  reader->current = g_new0 (PvFakeTwilioSay, 1);
  g_string_truncate (reader->text, 0);
  for (guint i = 0; attribute_names[i] != NULL; i++)
    {
      if (g_str_equal (attribute_names[i], "language"))
        reader->current->language = g_strdup (attribute_values[i]);
    }
}

static void
twiml_end_element (GMarkupParseContext  *context,
                   const char           *element_name,
                   gpointer              user_data,
                   GError              **error)
{
  TwimlReader *reader = user_data;

  reader->depth--;

  if (g_str_equal (element_name, "Say") && reader->current != NULL)
    {
      reader->current->text = g_strstrip (g_strdup (reader->text->str));
      g_ptr_array_add (reader->says, g_steal_pointer (&reader->current));
    }
}

/* SSML children of <Say> (<prosody>, <say-as>) are read through: their text is spoken too. */
static void
twiml_text (GMarkupParseContext  *context,
            const char           *text,
            gsize                 text_len,
            gpointer              user_data,
            GError              **error)
{
  TwimlReader *reader = user_data;

  if (reader->current != NULL)
    g_string_append_len (reader->text, text, text_len);
}

/* Returns: (transfer full): the <Say>s of @twiml, or %NULL if Twilio could not read it */
static GPtrArray *
read_twiml (const char *twiml)
{
  static const GMarkupParser parser = {
    twiml_start_element, twiml_end_element, twiml_text, NULL, NULL,
  };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GPtrArray) says = g_ptr_array_new_with_free_func ((GDestroyNotify) say_free);
  g_autoptr(GString) text = g_string_new (NULL);
  TwimlReader reader = { says, NULL, text, 0 };
  gboolean ok;

  /* GMarkup refuses an empty document, text outside any element and a second root. */
  context = g_markup_parse_context_new (&parser, G_MARKUP_TREAT_CDATA_AS_TEXT, &reader, NULL);
  ok = g_markup_parse_context_parse (context, twiml, -1, NULL) &&
       g_markup_parse_context_end_parse (context, NULL);
  g_clear_pointer (&reader.current, say_free);

  if (!ok)
    return NULL;

  return g_steal_pointer (&says);
}

/* Absent is fine: Twilio has defaults for both. */
static gboolean
is_seconds (const char *text,
            guint64     max)
{
  guint64 value;

  return text == NULL || g_ascii_string_to_unsigned (text, 10, 1, max, &value, NULL);
}

/* In the order Twilio's test credentials document them: the sender first, then the
 * recipient's magic numbers, then the trial account's verified numbers. */
static int
validate_call (PvFakeTwilio *self,
               GHashTable   *form,
               GPtrArray   **says)
{
  static const struct { const char *number; int code; } magic_to[] = {
    { "+15005550001", 21217 },
    { "+15005550002", 21214 },
    { "+15005550003", 21215 },
    { "+15005550004", 21216 },
  };
  const char *to = g_hash_table_lookup (form, "To");
  const char *from = g_hash_table_lookup (form, "From");
  const char *url = g_hash_table_lookup (form, "Url");
  const char *twiml = g_hash_table_lookup (form, "Twiml");
  const char *application_sid = g_hash_table_lookup (form, "ApplicationSid");
  guint n_instructions = !pv_fake_is_blank (url) + !pv_fake_is_blank (twiml) +
                         !pv_fake_is_blank (application_sid);

  if (pv_fake_is_blank (to))
    return CODE_NO_TO;

  if (pv_fake_is_blank (from))
    return CODE_NO_FROM;

  /* Twilio ignores Twiml when Url is there too; the fake is stricter, so a client that sends
   * both is caught. */
  if (n_instructions != 1)
    return CODE_NO_INSTRUCTIONS;

  if (!is_seconds (g_hash_table_lookup (form, "Timeout"), MAX_TIMEOUT) ||
      !is_seconds (g_hash_table_lookup (form, "TimeLimit"), MAX_TIME_LIMIT))
    return CODE_BAD_PARAMETER;

  if (!pv_fake_is_blank (twiml))
    {
      if (!g_utf8_validate (twiml, -1, NULL) || g_utf8_strlen (twiml, -1) > MAX_TWIML_CHARS)
        return CODE_BAD_TWIML;

      *says = read_twiml (twiml);
      if (*says == NULL)
        return CODE_BAD_TWIML;
    }
  else
    {
      *says = g_ptr_array_new_with_free_func ((GDestroyNotify) say_free);
    }

  if (!g_str_equal (from, PV_FAKE_TWILIO_PHONE_NUMBER))
    return g_str_equal (from, "+15005550001") ? 21212 : 21210;

  for (guint i = 0; i < G_N_ELEMENTS (magic_to); i++)
    {
      if (g_str_equal (to, magic_to[i].number))
        return magic_to[i].code;
    }

  if (!pv_fake_is_e164 (to))
    return 21217;

  if (self->trial && !g_hash_table_contains (self->verified_recipients, to))
    return 21219;

  return 0;
}

static char *
describe_call_error (int         code,
                     const char *to,
                     const char *from)
{
  g_autofree char *safe_to = g_utf8_make_valid (to != NULL ? to : "", -1);
  g_autofree char *safe_from = g_utf8_make_valid (from != NULL ? from : "", -1);

  switch (code)
    {
    case CODE_NO_TO:
      return g_strdup ("No 'To' number is specified");
    case CODE_NO_FROM:
      return g_strdup ("No 'From' number is specified");
    case CODE_NO_INSTRUCTIONS:
      return g_strdup ("Exactly one of Url, Twiml or ApplicationSid is required");
    case CODE_BAD_TWIML:
      return g_strdup ("The Twiml is not a valid TwiML document of at most 4000 characters");
    case CODE_BAD_PARAMETER:
      return g_strdup ("Timeout and TimeLimit must be whole numbers of seconds");
    case 21210:
      return g_strdup_printf ("The source phone number provided, %s, is not yet verified for "
                              "your account. You may only make calls from phone numbers that "
                              "you've verified or purchased from Twilio.", safe_from);
    case 21212:
      return g_strdup_printf ("The phone number %s is not a valid caller ID.", safe_from);
    case 21214:
      return g_strdup_printf ("'To' phone number %s cannot be reached", safe_to);
    case 21215:
      return g_strdup_printf ("Account not authorized to call %s. Perhaps you need to enable "
                              "some international permissions: "
                              "https://www.twilio.com/console/voice/calls/geo-permissions",
                              safe_to);
    case 21216:
      return g_strdup_printf ("Account not allowed to call %s", safe_to);
    case 21217:
      return g_strdup_printf ("Phone number %s does not appear to be valid", safe_to);
    case 21219:
      return g_strdup_printf ("The number %s is unverified. Trial accounts may only make "
                              "calls to verified numbers.", safe_to);
    default:
      return g_strdup_printf ("Error %d", code);
    }
}

/* A call goes queued → ringing → in-progress → completed, one delivery step each; busy and
 * no-answer end after ringing, failed right after queued. */
static const char *
compute_status (PvFakeTwilio *self,
                StoredCall   *call,
                gboolean      just_created)
{
  gint64 step_usec = (gint64) self->delivery_step_ms * G_TIME_SPAN_MILLISECOND;
  gint64 steps;

  if (just_created)
    steps = 0;
  else if (step_usec == 0)
    steps = 3;
  else
    steps = MIN ((g_get_monotonic_time () - call->created_usec) / step_usec, 3);

  if (steps == 0)
    return "queued";
  if (g_str_equal (call->final_status, "failed"))
    return "failed";
  if (steps == 1)
    return "ringing";
  if (!g_str_equal (call->final_status, "completed"))
    return call->final_status;
  if (steps == 2)
    return "in-progress";

  return "completed";
}

static void
refresh_status (PvFakeTwilio *self,
                StoredCall   *call,
                gboolean      just_created)
{
  g_free (call->public.status);
  call->public.status = g_strdup (compute_status (self, call, just_created));
}

static gboolean
status_is_final (const char *status)
{
  return !g_str_equal (status, "queued") && !g_str_equal (status, "ringing") &&
         !g_str_equal (status, "in-progress");
}

/* A subset of the Call resource, in the spec's member order. duration is a string of
 * seconds, "" while unknown or for a call that was never answered. */
static void
reply_call (PvFakeTwilio *self,
            Reply        *reply,
            guint         status,
            StoredCall   *call)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *uri = g_strdup_printf (ACCOUNTS_PREFIX "%s/Calls/%s.json",
                                          self->account_sid, call->public.sid);
  g_autofree char *notifications_uri = g_strdup_printf (ACCOUNTS_PREFIX
                                                        "%s/Calls/%s/Notifications.json",
                                                        self->account_sid, call->public.sid);
  const char *state = call->public.status;
  g_autofree char *duration = NULL;

  if (g_str_equal (state, "completed"))
    duration = g_strdup_printf ("%u", MAX (self->delivery_step_ms / 1000, 1));
  else if (status_is_final (state))
    duration = g_strdup ("");

  json_builder_begin_object (builder);
  pv_fake_add_string_or_null (builder, "account_sid", self->account_sid);
  pv_fake_add_string_or_null (builder, "answered_by", NULL);
  pv_fake_add_string_or_null (builder, "api_version", API_VERSION);
  pv_fake_add_date_or_null (builder, "date_created", call->date_created);
  pv_fake_add_date_or_null (builder, "date_updated", call->date_created);
  pv_fake_add_string_or_null (builder, "direction", "outbound-api");
  pv_fake_add_string_or_null (builder, "duration", duration);
  pv_fake_add_string_or_null (builder, "from", call->public.from);
  pv_fake_add_string_or_null (builder, "parent_call_sid", NULL);
  pv_fake_add_string_or_null (builder, "price", NULL);
  pv_fake_add_string_or_null (builder, "price_unit", "USD");
  pv_fake_add_string_or_null (builder, "sid", call->public.sid);
  pv_fake_add_string_or_null (builder, "status", state);
  json_builder_set_member_name (builder, "subresource_uris");
  json_builder_begin_object (builder);
  pv_fake_add_string_or_null (builder, "notifications", notifications_uri);
  json_builder_end_object (builder);
  pv_fake_add_string_or_null (builder, "to", call->public.to);
  pv_fake_add_string_or_null (builder, "uri", uri);
  json_builder_end_object (builder);

  pv_fake_reply_take_builder (reply, status, builder);
}

static const char *
describe_call_failure (int code)
{
  switch (code)
    {
    case 13224:
      return "Call: Twilio does not support calling this number or the number is invalid";
    case 13227:
      return "Call: No International Authorization";
    case 32205:
      return "Geo Permission configuration is not permitting call";
    default:
      return "Call failed";
    }
}

/* The list envelope, with the one ERROR a failed call leaves once it is over. */
static void
reply_notifications (PvFakeTwilio *self,
                     Reply        *reply,
                     StoredCall   *call)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *uri = g_strdup_printf (ACCOUNTS_PREFIX "%s/Calls/%s/Notifications.json",
                                          self->account_sid, call->public.sid);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "notifications");
  json_builder_begin_array (builder);
  if (call->notification_code != 0 && status_is_final (call->public.status))
    {
      g_autofree char *code = g_strdup_printf ("%d", call->notification_code);
      g_autofree char *more_info = g_strdup_printf (ERROR_DOCS_URL "%d",
                                                    call->notification_code);
      g_autofree char *sid = pv_fake_random_hex ("NO");

      json_builder_begin_object (builder);
      pv_fake_add_string_or_null (builder, "account_sid", self->account_sid);
      pv_fake_add_string_or_null (builder, "call_sid", call->public.sid);
      pv_fake_add_string_or_null (builder, "error_code", code);
      pv_fake_add_string_or_null (builder, "log", "0");
      pv_fake_add_date_or_null (builder, "message_date", call->date_created);
      pv_fake_add_string_or_null (builder, "message_text",
                                  describe_call_failure (call->notification_code));
      pv_fake_add_string_or_null (builder, "more_info", more_info);
      pv_fake_add_string_or_null (builder, "sid", sid);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  pv_fake_add_string_or_null (builder, "next_page_uri", NULL);
  json_builder_set_member_name (builder, "page");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "page_size");
  json_builder_add_int_value (builder, 50);
  pv_fake_add_string_or_null (builder, "uri", uri);
  json_builder_end_object (builder);

  pv_fake_reply_take_builder (reply, SOUP_STATUS_OK, builder);
}

void
pv_fake_twilio_create_call (PvFakeTwilio *self,
                            GHashTable   *form,
                            Reply        *reply)
{
  g_autoptr(GHashTable) empty = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) says = NULL;
  const char *to;
  StoredCall *call;
  CallOutcome *outcome;
  int code;

  if (form == NULL)
    form = empty;

  to = g_hash_table_lookup (form, "To");
  code = validate_call (self, form, &says);
  if (code != 0)
    {
      g_autofree char *text = describe_call_error (code, to, g_hash_table_lookup (form, "From"));

      pv_fake_reply_error (reply, SOUP_STATUS_BAD_REQUEST, code, text);
      return;
    }

  outcome = g_hash_table_lookup (self->call_outcomes, to);

  call = g_new0 (StoredCall, 1);
  call->public.sid = pv_fake_random_hex ("CA");
  call->public.to = g_strdup (to);
  call->public.from = g_strdup (g_hash_table_lookup (form, "From"));
  call->public.twiml = g_strdup (g_hash_table_lookup (form, "Twiml"));
  call->public.says = g_steal_pointer (&says);
  call->date_created = g_date_time_new_now_utc ();
  call->created_usec = g_get_monotonic_time ();
  call->final_status = g_strdup (outcome != NULL ? outcome->final_status : "completed");
  call->notification_code = outcome != NULL ? outcome->notification_code : 0;
  refresh_status (self, call, TRUE);

  g_ptr_array_add (self->calls, call);
  g_hash_table_insert (self->calls_by_sid, call->public.sid, call);

  reply_call (self, reply, SOUP_STATUS_CREATED, call);

  g_signal_emit_by_name (self, "call-started", &call->public);
}

gboolean
pv_fake_twilio_reply_call (PvFakeTwilio *self,
                           const char   *call_sid,
                           gboolean      notifications,
                           Reply        *reply)
{
  StoredCall *call = g_hash_table_lookup (self->calls_by_sid, call_sid);

  if (call == NULL)
    return FALSE;

  refresh_status (self, call, FALSE);

  if (notifications)
    reply_notifications (self, reply, call);
  else
    reply_call (self, reply, SOUP_STATUS_OK, call);

  return TRUE;
}

/* Lookup v2 answers 200 even for what is no number at all. */
void
pv_fake_twilio_reply_lookup (PvFakeTwilio *self,
                             const char   *number,
                             GHashTable   *query,
                             Reply        *reply)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *safe_number = g_utf8_make_valid (number, -1);
  g_autofree char *escaped = g_uri_escape_string (safe_number, NULL, FALSE);
  g_autofree char *url = g_strconcat ("https://lookups.twilio.com/v2/PhoneNumbers/", escaped,
                                      NULL);
  const char *fields = query != NULL ? g_hash_table_lookup (query, "Fields") : NULL;
  g_auto(GStrv) packages = g_strsplit (fields != NULL ? fields : "", ",", -1);
  const char *invalid = g_hash_table_lookup (self->invalid_numbers, number);
  const char *line_type = g_hash_table_lookup (self->line_types, number);
  gboolean valid;

  if (invalid == NULL && !pv_fake_is_e164 (number))
    invalid = strlen (number) > 16 ? "TOO_LONG" : "NOT_A_NUMBER";
  valid = invalid == NULL;

  json_builder_begin_object (builder);
  pv_fake_add_string_or_null (builder, "calling_country_code", valid ? "1" : NULL);
  pv_fake_add_string_or_null (builder, "country_code", valid ? "US" : NULL);
  pv_fake_add_string_or_null (builder, "phone_number", safe_number);
  pv_fake_add_string_or_null (builder, "national_format", valid ? safe_number + 1 : NULL);
  json_builder_set_member_name (builder, "valid");
  json_builder_add_boolean_value (builder, valid);
  json_builder_set_member_name (builder, "validation_errors");
  if (valid)
    {
      json_builder_add_null_value (builder);
    }
  else
    {
      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, invalid);
      json_builder_end_array (builder);
    }
  pv_fake_add_string_or_null (builder, "caller_name", NULL);
  pv_fake_add_string_or_null (builder, "sim_swap", NULL);
  pv_fake_add_string_or_null (builder, "call_forwarding", NULL);
  pv_fake_add_string_or_null (builder, "line_status", NULL);

  json_builder_set_member_name (builder, "line_type_intelligence");
  if (valid && g_strv_contains ((const char * const *) packages, "line_type_intelligence"))
    {
      static const char * const with_carrier[] = {
        "mobile", "landline", "fixedVoip", "nonFixedVoip", NULL
      };
      gboolean mobile;

      if (line_type == NULL)
        line_type = "mobile";
      mobile = g_str_equal (line_type, "mobile");

      json_builder_begin_object (builder);
      pv_fake_add_string_or_null (builder, "carrier_name",
                                  g_strv_contains (with_carrier, line_type)
                                  ? "Fake Telecom" : NULL);
      pv_fake_add_string_or_null (builder, "error_code", NULL);
      pv_fake_add_string_or_null (builder, "mobile_country_code", mobile ? "310" : NULL);
      pv_fake_add_string_or_null (builder, "mobile_network_code", mobile ? "260" : NULL);
      pv_fake_add_string_or_null (builder, "type", line_type);
      json_builder_end_object (builder);
    }
  else
    {
      json_builder_add_null_value (builder);
    }

  pv_fake_add_string_or_null (builder, "url", url);
  json_builder_end_object (builder);

  pv_fake_reply_take_builder (reply, SOUP_STATUS_OK, builder);
}

void
pv_fake_twilio_set_call_outcome (PvFakeTwilio *self,
                                 const char   *number,
                                 const char   *final_status,
                                 int           notification_error_code)
{
  CallOutcome *outcome;

  g_return_if_fail (PV_IS_FAKE_TWILIO (self));
  g_return_if_fail (number != NULL);
  g_return_if_fail (g_strcmp0 (final_status, "completed") == 0 ||
                    g_strcmp0 (final_status, "busy") == 0 ||
                    g_strcmp0 (final_status, "no-answer") == 0 ||
                    g_strcmp0 (final_status, "failed") == 0);

  outcome = g_new0 (CallOutcome, 1);
  outcome->final_status = g_strdup (final_status);
  outcome->notification_code = notification_error_code;
  g_hash_table_replace (self->call_outcomes, g_strdup (number), outcome);
}

GPtrArray *
pv_fake_twilio_get_calls (PvFakeTwilio *self)
{
  g_return_val_if_fail (PV_IS_FAKE_TWILIO (self), NULL);

  for (guint i = 0; i < self->calls->len; i++)
    refresh_status (self, g_ptr_array_index (self->calls, i), FALSE);

  return self->calls;
}

const PvFakeTwilioCall *
pv_fake_twilio_get_last_call_to (PvFakeTwilio *self,
                                 const char   *to)
{
  g_return_val_if_fail (PV_IS_FAKE_TWILIO (self), NULL);
  g_return_val_if_fail (to != NULL, NULL);

  for (guint i = self->calls->len; i > 0; i--)
    {
      StoredCall *call = g_ptr_array_index (self->calls, i - 1);

      if (g_str_equal (call->public.to, to))
        {
          refresh_status (self, call, FALSE);
          return &call->public;
        }
    }

  return NULL;
}

/* The code is read digit by digit, "4, 8, 2, 9, 1, 3.", so that Twilio does not say it as
 * one large number: the first run of 4 to 10 digits so separated, in any <Say>. */
char *
pv_fake_twilio_dup_last_call_code_to (PvFakeTwilio *self,
                                      const char   *number)
{
  const PvFakeTwilioCall *call;
  g_autoptr(GRegex) regex = NULL;

  g_return_val_if_fail (PV_IS_FAKE_TWILIO (self), NULL);
  g_return_val_if_fail (number != NULL, NULL);

  call = pv_fake_twilio_get_last_call_to (self, number);
  if (call == NULL)
    return NULL;

  regex = g_regex_new ("(?<![0-9])[0-9](, [0-9]){3,9}(?![0-9])", G_REGEX_OPTIMIZE, 0, NULL);
  for (guint i = 0; i < call->says->len; i++)
    {
      const PvFakeTwilioSay *say = g_ptr_array_index (call->says, i);
      g_autoptr(GMatchInfo) match = NULL;
      g_autofree char *spoken = NULL;
      GString *digits;

      if (!g_regex_match (regex, say->text, 0, &match))
        continue;

      spoken = g_match_info_fetch (match, 0);
      digits = g_string_new (NULL);
      for (const char *p = spoken; *p != '\0'; p++)
        {
          if (g_ascii_isdigit (*p))
            g_string_append_c (digits, *p);
        }

      return g_string_free (digits, FALSE);
    }

  return NULL;
}

void
pv_fake_twilio_set_line_type (PvFakeTwilio *self,
                              const char   *number,
                              const char   *line_type)
{
  g_return_if_fail (PV_IS_FAKE_TWILIO (self));
  g_return_if_fail (number != NULL);
  g_return_if_fail (line_type != NULL);

  g_hash_table_replace (self->line_types, g_strdup (number), g_strdup (line_type));
}

void
pv_fake_twilio_set_number_invalid (PvFakeTwilio *self,
                                   const char   *number,
                                   const char   *validation_error)
{
  g_return_if_fail (PV_IS_FAKE_TWILIO (self));
  g_return_if_fail (number != NULL);
  g_return_if_fail (validation_error != NULL);

  g_hash_table_replace (self->invalid_numbers, g_strdup (number), g_strdup (validation_error));
}
