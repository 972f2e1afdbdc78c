/* pv-fake-twilio.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pv-fake-twilio"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

#include "pv-fake-twilio.h"
#include "pv-fake-twilio-private.h"

/* Paths, fields, codes and wording follow Twilio's OpenAPI description (twilio/twilio-oai) and
 * its error pages. The texts are wire data in Twilio's English, so nothing here is translated. */

#define MAX_BODY_CHARS  1600
/* libsoup 3.2 has no name for it. */
#define STATUS_TOO_MANY_REQUESTS 429
/* Comfortably above the 512 KiB that clients are expected to cap replies at. */
#define OVERSIZED_PADDING (520 * 1024)

typedef struct
{
  PvFakeTwilioMessage  public;  /* first, so that a StoredMessage* is a PvFakeTwilioMessage* */
  GDateTime           *date_created;
  gint64               created_usec;  /* monotonic, drives the delivery progression */
  guint                num_segments;
  char                *final_status;
  int                  error_code;
  gboolean             inbound;       /* from a customer, date_created being when it arrived */
} StoredMessage;

typedef struct
{
  char *final_status;
  int   error_code;
} Outcome;

/* A reply held back: sent late (SLOW), or never, the connection being closed instead. */
typedef struct
{
  PvFakeTwilio      *self;
  SoupServerMessage *msg;
  GSource           *source;
  gboolean           drop;
} SlowReply;

typedef enum
{
  RESOURCE_NONE,
  RESOURCE_ACCOUNT,
  RESOURCE_MESSAGES,
  RESOURCE_MESSAGE_LIST,
  RESOURCE_MESSAGE,
  RESOURCE_CALLS,
  RESOURCE_CALL,
  RESOURCE_CALL_NOTIFICATIONS,
  RESOURCE_LOOKUP,
} Resource;

/* What a snapshot of a message looks like at a given moment. */
typedef struct
{
  const char *status;
  const char *from;
  guint       num_segments;
  int         error_code;
  GDateTime  *date_updated;
  GDateTime  *date_sent;
} MessageState;


G_DEFINE_FINAL_TYPE (PvFakeTwilio, pv_fake_twilio, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ACCOUNT_SID,
  PROP_AUTH_TOKEN,
  N_PROPS
};

enum {
  MESSAGE_RECEIVED,
  INBOUND_RECEIVED,
  CALL_STARTED,
  REQUEST_STARTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

char *
pv_fake_random_hex (const char *prefix)
{
  GString *text = g_string_new (prefix);

  for (guint i = 0; i < 32; i++)
    g_string_append_c (text, "0123456789abcdef"[g_random_int_range (0, 16)]);

  return g_string_free (text, FALSE);
}

static gboolean
is_hex (const char *text,
        gsize       length)
{
  if (text == NULL || strlen (text) != length)
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isxdigit (text[i]))
        return FALSE;
    }

  return TRUE;
}

/* Twilio SIDs are a two-letter prefix and 32 hex digits. */
gboolean
pv_fake_is_sid (const char *text,
                const char *prefix)
{
  return text != NULL && g_str_has_prefix (text, prefix) && is_hex (text + 2, 32);
}

gboolean
pv_fake_is_e164 (const char *text)
{
  gsize digits;

  if (text[0] != '+' || text[1] < '1' || text[1] > '9')
    return FALSE;

  for (digits = 0; text[digits + 1] != '\0'; digits++)
    {
      if (!g_ascii_isdigit (text[digits + 1]))
        return FALSE;
    }

  return digits >= 2 && digits <= 15;
}

gboolean
pv_fake_is_blank (const char *text)
{
  return text == NULL || text[0] == '\0';
}

/* RFC 2822 needs English day and month names whatever the locale, so no strftime. */
static char *
format_rfc2822 (GDateTime *time)
{
  static const char * const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char * const months[] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  };
  g_autoptr(GDateTime) utc = g_date_time_to_utc (time);

  return g_strdup_printf ("%s, %02d %s %04d %02d:%02d:%02d +0000",
                          days[g_date_time_get_day_of_week (utc) - 1],
                          g_date_time_get_day_of_month (utc),
                          months[g_date_time_get_month (utc) - 1],
                          g_date_time_get_year (utc),
                          g_date_time_get_hour (utc),
                          g_date_time_get_minute (utc),
                          g_date_time_get_second (utc));
}

static gboolean
utf8_set_contains (const char *set,
                   gunichar    c)
{
  return g_utf8_strchr (set, -1, c) != NULL;
}

/* GSM 03.38: characters of the basic table cost one septet, the extension table two; anything
 * else forces UCS-2. Long messages lose a few characters per segment to the concatenation
 * header. */
static guint
count_segments (const char *body)
{
  static const char gsm7_basic[] =
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  static const char gsm7_extension[] = "\f^{}\\[~]|€";
  gsize septets = 0;
  gsize utf16_units = 0;
  gboolean gsm7 = TRUE;

  for (const char *p = body; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      utf16_units += c > 0xFFFF ? 2 : 1;

      if (!gsm7)
        continue;
      else if (utf8_set_contains (gsm7_basic, c))
        septets += 1;
      else if (utf8_set_contains (gsm7_extension, c))
        septets += 2;
      else
        gsm7 = FALSE;
    }

  if (gsm7)
    return septets <= 160 ? 1 : (septets + 152) / 153;

  return utf16_units <= 70 ? 1 : (utf16_units + 66) / 67;
}

static char *
describe_create_error (int         code,
                       const char *to,
                       const char *from,
                       const char *service_sid)
{
  g_autofree char *safe_to = g_utf8_make_valid (to != NULL ? to : "", -1);
  g_autofree char *safe_from = g_utf8_make_valid (from != NULL ? from : "", -1);
  g_autofree char *safe_service = g_utf8_make_valid (service_sid != NULL ? service_sid : "", -1);

  switch (code)
    {
    case 21211:
      return g_strdup_printf ("The 'To' number %s is not a valid phone number.", safe_to);
    case 21212:
      return g_strdup_printf ("The 'From' number %s is not a valid phone number, shortcode, "
                              "or alphanumeric sender ID.", safe_from);
    case 21266:
      return g_strdup_printf ("'To' and 'From' number cannot be the same: %s", safe_to);
    case 21408:
      return g_strdup_printf ("Permission to send an SMS has not been enabled for the region "
                              "indicated by the 'To' number: %s.", safe_to);
    case 21602:
      return g_strdup ("Message body is required.");
    case 21603:
      return g_strdup ("A 'From' phone number is required.");
    case 21604:
      return g_strdup ("A 'To' phone number is required.");
    case 21606:
      return g_strdup_printf ("The 'From' phone number provided (%s) is not a valid "
                              "message-capable Twilio phone number for this destination/account.",
                              safe_from);
    case 21608:
      return g_strdup_printf ("The number %s is unverified. Trial accounts cannot send messages "
                              "to unverified numbers; verify %s at "
                              "twilio.com/user/account/phone-numbers/verified, or purchase a "
                              "Twilio number to send messages to unverified numbers.",
                              safe_to, safe_to);
    case 21610:
      return g_strdup ("Attempt to send to unsubscribed recipient");
    case 21611:
      return g_strdup ("This 'From' number has exceeded the maximum number of queued messages");
    case 21612:
      return g_strdup_printf ("The 'To' phone number: %s, is not currently reachable using the "
                              "'From' phone number: %s via SMS.", safe_to, safe_from);
    case 21614:
      return g_strdup_printf ("'To' number %s is not a valid mobile number", safe_to);
    case 21617:
      return g_strdup ("The concatenated message body exceeds the 1600 character limit.");
    case 21635:
      return g_strdup_printf ("'To' number %s cannot be a landline.", safe_to);
    case 21701:
      return g_strdup_printf ("The Messaging Service %s does not exist.", safe_service);
    case 21705:
      return g_strdup_printf ("The Messaging Service Sid %s is invalid.", safe_service);
    default:
      return g_strdup_printf ("Error %d", code);
    }
}

static const char *
describe_delivery_error (int code)
{
  switch (code)
    {
    case 30001:
      return "Queue overflow";
    case 30002:
      return "Account suspended";
    case 30003:
      return "Unreachable destination handset";
    case 30004:
      return "Message blocked";
    case 30005:
      return "Unknown destination handset";
    case 30006:
      return "Landline or unreachable carrier";
    case 30007:
      return "Message filtered";
    case 30008:
      return "Unknown error";
    default:
      return "Message delivery failed";
    }
}

static void
request_free (PvFakeTwilioRequest *request)
{
  g_free (request->method);
  g_free (request->path);
  g_free (request->authorization);
  g_free (request->query);
  g_clear_pointer (&request->form, g_hash_table_unref);
  g_free (request);
}

static void
stored_message_free (StoredMessage *message)
{
  g_free (message->public.sid);
  g_free (message->public.to);
  g_free (message->public.from);
  g_free (message->public.messaging_service_sid);
  g_free (message->public.body);
  g_date_time_unref (message->date_created);
  g_free (message->final_status);
  g_free (message);
}

static void
outcome_free (Outcome *outcome)
{
  g_free (outcome->final_status);
  g_free (outcome);
}

static void
slow_reply_free (SlowReply *slow)
{
  g_source_destroy (slow->source);
  g_source_unref (slow->source);
  g_object_unref (slow->msg);
  g_free (slow);
}

void
pv_fake_reply_take_builder (Reply       *reply,
                            guint        status,
                            JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (generator, root);
  reply->status = status;
  reply->content_type = "application/json";
  reply->body = json_generator_to_data (generator, &reply->length);
}

void
pv_fake_reply_error (Reply      *reply,
                     guint       status,
                     int         code,
                     const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *more_info = g_strdup_printf (ERROR_DOCS_URL "%d", code);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_set_member_name (builder, "more_info");
  json_builder_add_string_value (builder, more_info);
  json_builder_set_member_name (builder, "status");
  json_builder_add_int_value (builder, status);
  json_builder_end_object (builder);

  pv_fake_reply_take_builder (reply, status, builder);
}

static void
reply_unauthorized (Reply *reply)
{
  pv_fake_reply_error (reply, SOUP_STATUS_UNAUTHORIZED, 20003, "Authenticate");
  reply->challenge = TRUE;
}

void
pv_fake_reply_not_found (Reply      *reply,
                         const char *path)
{
  g_autofree char *safe_path = g_utf8_make_valid (path, -1);
  g_autofree char *message = g_strdup_printf ("The requested resource %s was not found",
                                              safe_path);

  pv_fake_reply_error (reply, SOUP_STATUS_NOT_FOUND, 20404, message);
}

/* What a captive portal or a misconfigured proxy answers instead of the API. */
static void
reply_html (Reply *reply)
{
  static const char html[] =
    "<!DOCTYPE html>\n<html><head><title>Sign in to the network</title></head>"
    "<body><h1>Sign in to the network</h1></body></html>\n";

  reply->status = SOUP_STATUS_OK;
  reply->content_type = "text/html";
  reply->body = g_strdup (html);
  reply->length = strlen (html);
}

/* Whitespace inside the object keeps the reply valid JSON, so only a size cap can stop it. */
static void
reply_pad (Reply *reply)
{
  const char *closing = strrchr (reply->body, '}');
  GString *padded;

  if (closing == NULL)
    return;

  padded = g_string_sized_new (reply->length + OVERSIZED_PADDING);
  g_string_append_len (padded, reply->body, closing - reply->body);
  for (guint i = 0; i < OVERSIZED_PADDING; i++)
    g_string_append_c (padded, ' ');
  g_string_append (padded, closing);

  g_free (reply->body);
  reply->length = padded->len;
  reply->body = g_string_free (padded, FALSE);
}

void
pv_fake_add_string_or_null (JsonBuilder *builder,
                            const char  *name,
                            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
pv_fake_add_date_or_null (JsonBuilder *builder,
                          const char  *name,
                          GDateTime   *time)
{
  g_autofree char *text = time != NULL ? format_rfc2822 (time) : NULL;

  pv_fake_add_string_or_null (builder, name, text);
}

/* Without status callbacks a client can only learn the outcome by fetching the message again,
 * so the status is worked out from how long ago the message was created:
 * queued → sent after one delivery step → delivered/undelivered after two, or failed straight
 * away at the first step. A Messaging Service answers the create with "accepted" and picks the
 * sender (the account's number) right after. */
static void
compute_state (PvFakeTwilio  *self,
               StoredMessage *message,
               gboolean       just_created,
               MessageState  *state)
{
  gint64 step_usec = (gint64) self->delivery_step_ms * G_TIME_SPAN_MILLISECOND;
  gint64 steps;

  if (just_created)
    steps = 0;
  else if (step_usec == 0)
    steps = 2;
  else
    steps = MIN ((g_get_monotonic_time () - message->created_usec) / step_usec, 2);

  state->error_code = 0;
  state->date_sent = NULL;
  state->num_segments = message->num_segments;
  state->from = message->public.from;

  if (message->inbound)
    {
      state->status = "received";
      state->date_sent = g_date_time_ref (message->date_created);
      state->date_updated = g_date_time_ref (message->date_created);
      return;
    }

  if (state->from == NULL && !just_created)
    state->from = PV_FAKE_TWILIO_PHONE_NUMBER;

  if (steps == 0)
    {
      gboolean accepted = just_created && message->public.messaging_service_sid != NULL;

      state->status = accepted ? "accepted" : "queued";
      /* Segments are only counted once a sender is picked. */
      state->num_segments = accepted ? 0 : message->num_segments;
      state->date_updated = g_date_time_ref (message->date_created);
    }
  else if (g_str_equal (message->final_status, "failed"))
    {
      state->status = "failed";
      state->error_code = message->error_code;
      state->date_updated = g_date_time_add (message->date_created, step_usec);
    }
  else if (steps == 1 || g_str_equal (message->final_status, "sent"))
    {
      state->status = "sent";
      state->date_sent = g_date_time_add (message->date_created, step_usec);
      state->date_updated = g_date_time_ref (state->date_sent);
    }
  else
    {
      state->status = message->final_status;
      state->error_code = message->error_code;
      state->date_sent = g_date_time_add (message->date_created, step_usec);
      state->date_updated = g_date_time_add (message->date_created, 2 * step_usec);
    }
}

/* Adds the Message resource as a value to @builder, from @state (see compute_state()).
 * Member order follows what api.twilio.com sends. */
static void
add_message (PvFakeTwilio       *self,
             JsonBuilder        *builder,
             StoredMessage      *message,
             const MessageState *state)
{
  g_autofree char *uri = NULL;
  g_autofree char *media_uri = NULL;
  g_autofree char *num_segments = NULL;

  uri = g_strdup_printf (ACCOUNTS_PREFIX "%s/Messages/%s.json",
                         self->account_sid, message->public.sid);
  media_uri = g_strdup_printf (ACCOUNTS_PREFIX "%s/Messages/%s/Media.json",
                               self->account_sid, message->public.sid);
  num_segments = g_strdup_printf ("%u", state->num_segments);

  json_builder_begin_object (builder);
  pv_fake_add_string_or_null (builder, "body", message->public.body);
  pv_fake_add_string_or_null (builder, "num_segments", num_segments);
  pv_fake_add_string_or_null (builder, "direction",
                              message->inbound ? "inbound" : "outbound-api");
  pv_fake_add_string_or_null (builder, "from", state->from);
  pv_fake_add_date_or_null (builder, "date_updated", state->date_updated);
  pv_fake_add_string_or_null (builder, "price", NULL);
  pv_fake_add_string_or_null (builder, "error_message",
                              state->error_code != 0
                                ? describe_delivery_error (state->error_code)
                                : NULL);
  pv_fake_add_string_or_null (builder, "uri", uri);
  pv_fake_add_string_or_null (builder, "account_sid", self->account_sid);
  pv_fake_add_string_or_null (builder, "num_media", "0");
  pv_fake_add_string_or_null (builder, "to", message->public.to);
  pv_fake_add_date_or_null (builder, "date_created", message->date_created);
  pv_fake_add_string_or_null (builder, "status", state->status);
  pv_fake_add_string_or_null (builder, "sid", message->public.sid);
  pv_fake_add_date_or_null (builder, "date_sent", state->date_sent);
  pv_fake_add_string_or_null (builder, "messaging_service_sid",
                              message->public.messaging_service_sid);
  json_builder_set_member_name (builder, "error_code");
  if (state->error_code != 0)
    json_builder_add_int_value (builder, state->error_code);
  else
    json_builder_add_null_value (builder);
  pv_fake_add_string_or_null (builder, "price_unit", "USD");
  pv_fake_add_string_or_null (builder, "api_version", API_VERSION);
  json_builder_set_member_name (builder, "subresource_uris");
  json_builder_begin_object (builder);
  pv_fake_add_string_or_null (builder, "media", media_uri);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

static void
clear_state (MessageState *state)
{
  g_clear_pointer (&state->date_updated, g_date_time_unref);
  g_clear_pointer (&state->date_sent, g_date_time_unref);
}

static void
reply_message (PvFakeTwilio  *self,
               Reply         *reply,
               guint          status,
               StoredMessage *message,
               gboolean       just_created)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  MessageState state;

  compute_state (self, message, just_created, &state);
  add_message (self, builder, message, &state);
  clear_state (&state);

  pv_fake_reply_take_builder (reply, status, builder);
}

/* Twilio returns the auth token here; the fake leaves it out so that no test can come to
 * rely on a secret travelling back. */
static void
reply_account (PvFakeTwilio *self,
               Reply        *reply)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *uri = g_strdup_printf (ACCOUNTS_PREFIX "%s.json", self->account_sid);
  g_autofree char *messages_uri = g_strdup_printf (ACCOUNTS_PREFIX "%s/Messages.json",
                                                   self->account_sid);
  g_autofree char *balance_uri = g_strdup_printf (ACCOUNTS_PREFIX "%s/Balance.json",
                                                  self->account_sid);

  json_builder_begin_object (builder);
  pv_fake_add_date_or_null (builder, "date_created", self->account_created);
  pv_fake_add_date_or_null (builder, "date_updated", self->account_created);
  pv_fake_add_string_or_null (builder, "friendly_name", "My first Twilio account");
  pv_fake_add_string_or_null (builder, "owner_account_sid", self->account_sid);
  pv_fake_add_string_or_null (builder, "sid", self->account_sid);
  pv_fake_add_string_or_null (builder, "status", "active");
  json_builder_set_member_name (builder, "subresource_uris");
  json_builder_begin_object (builder);
  pv_fake_add_string_or_null (builder, "balance", balance_uri);
  pv_fake_add_string_or_null (builder, "messages", messages_uri);
  json_builder_end_object (builder);
  pv_fake_add_string_or_null (builder, "type", self->trial ? "Trial" : "Full");
  pv_fake_add_string_or_null (builder, "uri", uri);
  json_builder_end_object (builder);

  pv_fake_reply_take_builder (reply, SOUP_STATUS_OK, builder);
}

/* The checks run in the order a person filling in the form would trip over them: missing
 * fields first, then the sender, then the recipient. A MessagingServiceSid of this account's
 * shape that is not this account's gets 21701 ("does not exist or does not match the Account
 * SID"); a malformed one gets 21705 ("invalid"). */
static int
validate_create (PvFakeTwilio *self,
                 const char   *to,
                 const char   *from,
                 const char   *service_sid,
                 const char   *body)
{
  static const struct { const char *number; int code; } magic_to[] = {
    { "+15005550001", 21211 },
    { "+15005550002", 21612 },
    { "+15005550003", 21408 },
    { "+15005550004", 21610 },
    { "+15005550009", 21614 },
  };
  gpointer forced;

  if (pv_fake_is_blank (to))
    return 21604;

  if (pv_fake_is_blank (from) && pv_fake_is_blank (service_sid))
    return 21603;

  if (pv_fake_is_blank (body) || !g_utf8_validate (body, -1, NULL))
    return 21602;

  if (g_utf8_strlen (body, -1) > MAX_BODY_CHARS)
    return 21617;

  if (!pv_fake_is_blank (service_sid))
    {
      if (!pv_fake_is_sid (service_sid, "MG"))
        return 21705;
      if (!g_str_equal (service_sid, self->messaging_service_sid))
        return 21701;
    }

  if (!pv_fake_is_blank (from) && !g_str_equal (from, PV_FAKE_TWILIO_PHONE_NUMBER))
    {
      if (g_str_equal (from, "+15005550001"))
        return 21212;
      if (g_str_equal (from, "+15005550008"))
        return 21611;
      return 21606;
    }

  if (!pv_fake_is_e164 (to))
    return 21211;

  for (guint i = 0; i < G_N_ELEMENTS (magic_to); i++)
    {
      if (g_str_equal (to, magic_to[i].number))
        return magic_to[i].code;
    }

  if (g_str_equal (to, PV_FAKE_TWILIO_PHONE_NUMBER))
    return 21266;

  if (g_hash_table_lookup_extended (self->create_errors, to, NULL, &forced))
    return GPOINTER_TO_INT (forced);

  if (self->trial && !g_hash_table_contains (self->verified_recipients, to))
    return 21608;

  return 0;
}

static void
create_message (PvFakeTwilio *self,
                GHashTable   *form,
                Reply        *reply)
{
  const char *to = form != NULL ? g_hash_table_lookup (form, "To") : NULL;
  const char *from = form != NULL ? g_hash_table_lookup (form, "From") : NULL;
  const char *service_sid = form != NULL ? g_hash_table_lookup (form, "MessagingServiceSid") : NULL;
  const char *body = form != NULL ? g_hash_table_lookup (form, "Body") : NULL;
  StoredMessage *message;
  Outcome *outcome;
  int code;

  code = validate_create (self, to, from, service_sid, body);
  if (code != 0)
    {
      g_autofree char *text = describe_create_error (code, to, from, service_sid);

      pv_fake_reply_error (reply, SOUP_STATUS_BAD_REQUEST, code, text);
      return;
    }

  outcome = g_hash_table_lookup (self->outcomes, to);

  message = g_new0 (StoredMessage, 1);
  message->public.sid = pv_fake_random_hex ("SM");
  message->public.to = g_strdup (to);
  message->public.from = pv_fake_is_blank (from) ? NULL : g_strdup (from);
  message->public.messaging_service_sid = pv_fake_is_blank (service_sid) ? NULL
                                                                       : g_strdup (service_sid);
  message->public.body = self->trial ? g_strconcat (PV_FAKE_TWILIO_TRIAL_PREFIX, body, NULL)
                                     : g_strdup (body);
  message->date_created = g_date_time_new_now_utc ();
  message->created_usec = g_get_monotonic_time ();
  message->num_segments = count_segments (message->public.body);
  message->final_status = g_strdup (outcome != NULL ? outcome->final_status : "delivered");
  message->error_code = outcome != NULL ? outcome->error_code : 0;

  g_ptr_array_add (self->messages, message);
  g_hash_table_insert (self->messages_by_sid, message->public.sid, message);

  reply_message (self, reply, SOUP_STATUS_CREATED, message, TRUE);

  g_signal_emit (self, signals[MESSAGE_RECEIVED], 0, &message->public);
}

/* The Messages list (GET …/Messages.json). */

#define DEFAULT_PAGE_SIZE 50
#define MAX_PAGE_SIZE     1000

typedef struct
{
  const char *to;
  const char *from;
  const char *sent_after_text;   /* DateSent>, on or after that GMT day */
  const char *sent_before_text;  /* DateSent<, before that GMT day */
  const char *sent_on_text;      /* DateSent, that GMT day */
  GDateTime  *sent_after;
  GDateTime  *sent_before;
  GDateTime  *sent_on;
  guint       page_size;
  guint       page;
  const char *page_token;
} ListQuery;

typedef struct
{
  StoredMessage *message;
  MessageState   state;
} ListedMessage;

static void
list_query_clear (ListQuery *list)
{
  g_clear_pointer (&list->sent_after, g_date_time_unref);
  g_clear_pointer (&list->sent_before, g_date_time_unref);
  g_clear_pointer (&list->sent_on, g_date_time_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ListQuery, list_query_clear)

static void
listed_message_clear (ListedMessage *listed)
{
  clear_state (&listed->state);
}

/* Twilio filters by whole GMT days, written YYYY-MM-DD and nothing else. */
static gboolean
parse_day (const char  *text,
           GDateTime  **day)
{
  static const char shape[] = "dddd-dd-dd";

  if (text == NULL)
    return TRUE;

  if (strlen (text) != strlen (shape))
    return FALSE;

  for (guint i = 0; shape[i] != '\0'; i++)
    {
      if (shape[i] == 'd' ? !g_ascii_isdigit (text[i]) : text[i] != shape[i])
        return FALSE;
    }

  *day = g_date_time_new_utc (atoi (text), atoi (text + 5), atoi (text + 8), 0, 0, 0);

  return *day != NULL;
}

static gboolean
parse_count (const char *text,
             guint       min,
             guint       max,
             guint      *value)
{
  guint64 number;

  if (text == NULL)
    return TRUE;

  if (!g_ascii_string_to_unsigned (text, 10, min, max, &number, NULL))
    return FALSE;

  *value = (guint) number;
  return TRUE;
}

/* "PA" (the page after) or "PB" (the page before) and the SID of a message, as the fake
 * writes them into next_page_uri and previous_page_uri. */
static gboolean
is_page_token (const char *token)
{
  if (!g_str_has_prefix (token, "PA") && !g_str_has_prefix (token, "PB"))
    return FALSE;

  return pv_fake_is_sid (token + 2, "SM") || pv_fake_is_sid (token + 2, "MM");
}

/* Returns: %FALSE, having replied 400 as Twilio would, when a parameter is unusable. */
static gboolean
parse_list_query (GHashTable *query,
                  ListQuery  *list,
                  Reply      *reply)
{
#define QUERY_VALUE(name) (query != NULL ? g_hash_table_lookup (query, name) : NULL)
  list->to = QUERY_VALUE ("To");
  list->from = QUERY_VALUE ("From");
  list->sent_after_text = QUERY_VALUE ("DateSent>");
  list->sent_before_text = QUERY_VALUE ("DateSent<");
  list->sent_on_text = QUERY_VALUE ("DateSent");
  list->page_token = QUERY_VALUE ("PageToken");
  list->page_size = DEFAULT_PAGE_SIZE;
  list->page = 0;

  if (!parse_day (list->sent_after_text, &list->sent_after) ||
      !parse_day (list->sent_before_text, &list->sent_before) ||
      !parse_day (list->sent_on_text, &list->sent_on))
    {
      pv_fake_reply_error (reply, SOUP_STATUS_BAD_REQUEST, 20001, "Invalid date value");
      return FALSE;
    }

  /* The API description bounds PageSize to 1–1000; Twilio refuses what is outside. */
  if (!parse_count (QUERY_VALUE ("PageSize"), 1, MAX_PAGE_SIZE, &list->page_size))
    {
      pv_fake_reply_error (reply, SOUP_STATUS_BAD_REQUEST, 20001,
                           "Invalid PageSize: must be between 1 and 1000");
      return FALSE;
    }

  if (!parse_count (QUERY_VALUE ("Page"), 0, G_MAXINT, &list->page))
    {
      pv_fake_reply_error (reply, SOUP_STATUS_BAD_REQUEST, 20001, "Invalid Page");
      return FALSE;
    }

  if (list->page_token != NULL && !is_page_token (list->page_token))
    {
      pv_fake_reply_error (reply, SOUP_STATUS_BAD_REQUEST, 20001, "Invalid PageToken");
      return FALSE;
    }
#undef QUERY_VALUE

  return TRUE;
}

static gboolean
list_query_matches (const ListQuery     *list,
                    const ListedMessage *listed)
{
  GDateTime *sent = listed->state.date_sent;
  gboolean by_date = list->sent_after != NULL || list->sent_before != NULL ||
                     list->sent_on != NULL;

  if (list->to != NULL && g_strcmp0 (list->to, listed->message->public.to) != 0)
    return FALSE;

  if (list->from != NULL && g_strcmp0 (list->from, listed->state.from) != 0)
    return FALSE;

  /* What has not gone out yet has no date to filter on. */
  if (by_date && sent == NULL)
    return FALSE;

  if (list->sent_after != NULL && g_date_time_compare (sent, list->sent_after) < 0)
    return FALSE;

  if (list->sent_before != NULL && g_date_time_compare (sent, list->sent_before) >= 0)
    return FALSE;

  if (list->sent_on != NULL)
    {
      g_autoptr(GDateTime) next_day = g_date_time_add_days (list->sent_on, 1);

      if (g_date_time_compare (sent, list->sent_on) < 0 ||
          g_date_time_compare (sent, next_day) >= 0)
        return FALSE;
    }

  return TRUE;
}

static GDateTime *
listed_date (const ListedMessage *listed)
{
  return listed->state.date_sent != NULL ? listed->state.date_sent
                                         : listed->message->date_created;
}

/* Newest first by date_sent, as Twilio lists them; a stable sort keeps ties in the order
 * the messages were stored. */
static int
compare_listed (gconstpointer a,
                gconstpointer b)
{
  const ListedMessage *first = a;
  const ListedMessage *second = b;

  return g_date_time_compare (listed_date (second), listed_date (first));
}

static void
append_query_param (GString    *uri,
                    const char *encoded_name,
                    const char *value)
{
  g_autofree char *escaped = NULL;

  if (value == NULL)
    return;

  escaped = g_uri_escape_string (value, NULL, FALSE);
  g_string_append_printf (uri, "%s%s=%s", strchr (uri->str, '?') != NULL ? "&" : "?",
                          encoded_name, escaped);
}

/* The list's own URI with @page and @page_token (nullable), its filters kept. */
static char *
build_list_uri (PvFakeTwilio    *self,
                const ListQuery *list,
                guint            page,
                const char      *page_token)
{
  GString *uri = g_string_new (NULL);
  g_autofree char *page_size = g_strdup_printf ("%u", list->page_size);
  g_autofree char *page_number = g_strdup_printf ("%u", page);

  g_string_append_printf (uri, ACCOUNTS_PREFIX "%s/Messages.json", self->account_sid);
  append_query_param (uri, "To", list->to);
  append_query_param (uri, "From", list->from);
  append_query_param (uri, "DateSent%3E", list->sent_after_text);
  append_query_param (uri, "DateSent%3C", list->sent_before_text);
  append_query_param (uri, "DateSent", list->sent_on_text);
  append_query_param (uri, "PageSize", page_size);
  append_query_param (uri, "Page", page_number);
  append_query_param (uri, "PageToken", page_token);

  return g_string_free (uri, FALSE);
}

static void
add_listed (PvFakeTwilio    *self,
            GArray          *listed,
            const ListQuery *list,
            GPtrArray       *messages)
{
  for (guint i = 0; i < messages->len; i++)
    {
      ListedMessage item = { .message = g_ptr_array_index (messages, i) };

      compute_state (self, item.message, FALSE, &item.state);
      if (list_query_matches (list, &item))
        g_array_append_val (listed, item);
      else
        listed_message_clear (&item);
    }
}

/* Where the page starts: after the message a "PA" token names, a page before the one a "PB"
 * token names, else at Page × PageSize. Tokens keep paging steady while new messages arrive
 * at the front; a token whose message is gone falls back to the page number. */
static guint
find_page_start (const ListQuery *list,
                 GArray          *listed)
{
  guint fallback = MIN ((guint64) list->page * list->page_size, listed->len);

  if (list->page_token == NULL)
    return fallback;

  for (guint i = 0; i < listed->len; i++)
    {
      const ListedMessage *item = &g_array_index (listed, ListedMessage, i);

      if (!g_str_equal (item->message->public.sid, list->page_token + 2))
        continue;

      if (g_str_has_prefix (list->page_token, "PB"))
        return i > list->page_size ? i - list->page_size : 0;

      return i + 1;
    }

  return fallback;
}

static void
list_messages (PvFakeTwilio *self,
               GHashTable   *query,
               Reply        *reply)
{
  g_auto(ListQuery) list = { 0 };
  g_autoptr(GArray) listed = g_array_new (FALSE, TRUE, sizeof (ListedMessage));
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *uri = NULL;
  g_autofree char *first_page_uri = NULL;
  g_autofree char *next_page_uri = NULL;
  g_autofree char *previous_page_uri = NULL;
  guint start;
  guint end;

  g_array_set_clear_func (listed, (GDestroyNotify) listed_message_clear);

  if (!parse_list_query (query, &list, reply))
    return;

  add_listed (self, listed, &list, self->messages);
  add_listed (self, listed, &list, self->inbound);
  g_array_sort (listed, compare_listed);

  start = find_page_start (&list, listed);
  end = MIN (start + list.page_size, listed->len);

  uri = build_list_uri (self, &list, list.page, list.page_token);
  first_page_uri = build_list_uri (self, &list, 0, NULL);
  if (end < listed->len)
    {
      g_autofree char *token = g_strconcat ("PA", g_array_index (listed, ListedMessage,
                                                                 end - 1).message->public.sid,
                                            NULL);

      next_page_uri = build_list_uri (self, &list, list.page + 1, token);
    }
  if (list.page > 0 && start < end)
    {
      g_autofree char *token = g_strconcat ("PB", g_array_index (listed, ListedMessage,
                                                                 start).message->public.sid,
                                            NULL);

      previous_page_uri = build_list_uri (self, &list, list.page - 1, token);
    }

  /* Members in the order api.twilio.com sends them. */
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "end");
  json_builder_add_int_value (builder, end > start ? end - 1 : start);
  pv_fake_add_string_or_null (builder, "first_page_uri", first_page_uri);
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  for (guint i = start; i < end; i++)
    {
      ListedMessage *item = &g_array_index (listed, ListedMessage, i);

      add_message (self, builder, item->message, &item->state);
    }
  json_builder_end_array (builder);
  pv_fake_add_string_or_null (builder, "next_page_uri", next_page_uri);
  json_builder_set_member_name (builder, "page");
  json_builder_add_int_value (builder, list.page);
  json_builder_set_member_name (builder, "page_size");
  json_builder_add_int_value (builder, list.page_size);
  pv_fake_add_string_or_null (builder, "previous_page_uri", previous_page_uri);
  json_builder_set_member_name (builder, "start");
  json_builder_add_int_value (builder, start);
  pv_fake_add_string_or_null (builder, "uri", uri);
  json_builder_end_object (builder);

  pv_fake_reply_take_builder (reply, SOUP_STATUS_OK, builder);
}

static gboolean
is_authorized (PvFakeTwilio *self,
               const char   *authorization)
{
  g_autofree guchar *decoded = NULL;
  g_autofree char *credentials = NULL;
  g_autofree char *user = NULL;
  const char *encoded;
  const char *colon;
  const char *expected;
  gsize length;

  if (authorization == NULL || g_ascii_strncasecmp (authorization, "Basic ", 6) != 0)
    return FALSE;

  encoded = authorization + 6;
  while (*encoded == ' ')
    encoded++;

  decoded = g_base64_decode (encoded, &length);
  credentials = g_strndup ((const char *) decoded, length);
  if (strlen (credentials) != length)
    return FALSE;

  colon = strchr (credentials, ':');
  if (colon == NULL)
    return FALSE;

  user = g_strndup (credentials, colon - credentials);
  if (g_str_equal (user, self->account_sid))
    expected = self->auth_token;
  else
    expected = g_hash_table_lookup (self->api_keys, user);

  return expected != NULL && g_str_equal (colon + 1, expected);
}

#define LOOKUP_PREFIX "/v2/PhoneNumbers/"
#define SANDBOX_INBOUND_PATH "/sandbox/inbound"

/* The resources below an account: "/2010-04-01/Accounts/{AC}" then one of these, with a
 * SID where the pattern has "*"; a pattern may come once per method. (SOUP_METHOD_GET is
 * no constant, so the methods are spelt out.) */
static const struct
{
  const char *pattern;
  Resource    resource;
  const char *method;
} account_resources[] = {
  { ".json", RESOURCE_ACCOUNT, "GET" },
  { "/Messages.json", RESOURCE_MESSAGES, "POST" },
  { "/Messages.json", RESOURCE_MESSAGE_LIST, "GET" },
  { "/Messages/*.json", RESOURCE_MESSAGE, "GET" },
  { "/Calls.json", RESOURCE_CALLS, "POST" },
  { "/Calls/*.json", RESOURCE_CALL, "GET" },
  { "/Calls/*/Notifications.json", RESOURCE_CALL_NOTIFICATIONS, "GET" },
};

/* Whether @rest is @pattern, its "*" standing for a SID without slashes or dots; the SID is
 * returned in @sid. */
static gboolean
match_pattern (const char  *rest,
               const char  *pattern,
               char       **sid)
{
  const char *star = strchr (pattern, '*');
  gsize prefix_len;
  gsize suffix_len;
  gsize rest_len = strlen (rest);

  if (star == NULL)
    return g_str_equal (rest, pattern);

  prefix_len = star - pattern;
  suffix_len = strlen (star + 1);
  if (rest_len <= prefix_len + suffix_len ||
      strncmp (rest, pattern, prefix_len) != 0 ||
      !g_str_equal (rest + rest_len - suffix_len, star + 1))
    return FALSE;

  *sid = g_strndup (rest + prefix_len, rest_len - prefix_len - suffix_len);
  if (strpbrk (*sid, "/.") != NULL)
    {
      g_clear_pointer (sid, g_free);
      return FALSE;
    }

  return TRUE;
}

/* Splits "/2010-04-01/Accounts/{AC}…" into the account and the SID of the resource, if any;
 * Lookup's "/v2/PhoneNumbers/{number}" gives the number, still percent-encoded, as the SID.
 * A method the resource does not serve makes it RESOURCE_NONE. */
static Resource
parse_path (const char  *method,
            const char  *path,
            char       **account_sid,
            char       **sid)
{
  const char *rest;

  if (g_str_has_prefix (path, LOOKUP_PREFIX) && g_str_equal (method, SOUP_METHOD_GET) &&
      strchr (path + strlen (LOOKUP_PREFIX), '/') == NULL &&
      path[strlen (LOOKUP_PREFIX)] != '\0')
    {
      *sid = g_strdup (path + strlen (LOOKUP_PREFIX));
      return RESOURCE_LOOKUP;
    }

  if (!g_str_has_prefix (path, ACCOUNTS_PREFIX))
    return RESOURCE_NONE;

  rest = path + strlen (ACCOUNTS_PREFIX);

  for (guint i = 0; i < G_N_ELEMENTS (account_resources); i++)
    {
      const char *pattern = account_resources[i].pattern;
      const char *end;

      /* The account SID runs up to the first "/" or "." of what follows it. */
      end = strpbrk (rest, pattern[0] == '.' ? "/." : "/");
      if (end == NULL || !match_pattern (end, pattern, sid))
        continue;

      if (!g_str_equal (method, account_resources[i].method))
        {
          g_clear_pointer (sid, g_free);
          continue;
        }

      *account_sid = g_strndup (rest, end - rest);
      return account_resources[i].resource;
    }

  return RESOURCE_NONE;
}

static void
route (PvFakeTwilio *self,
       const char   *method,
       const char   *path,
       GHashTable   *query,
       GHashTable   *form,
       Reply        *reply)
{
  g_autofree char *account_sid = NULL;
  g_autofree char *message_sid = NULL;
  Resource resource;
  StoredMessage *message;

  resource = parse_path (method, path, &account_sid, &message_sid);

  if (resource == RESOURCE_NONE)
    {
      pv_fake_reply_not_found (reply, path);
      return;
    }

  /* Lookup is not under an account: the credentials alone say whose it is. */
  if (resource == RESOURCE_LOOKUP)
    {
      g_autofree char *number = g_uri_unescape_string (message_sid, NULL);

      if (number == NULL)
        pv_fake_reply_not_found (reply, path);
      else
        pv_fake_twilio_reply_lookup (self, number, query, reply);
      return;
    }

  /* Valid credentials used on another account's URL get 20003/401, as test credentials used
   * against live resources do: Twilio authenticates against the account in the path. */
  if (!g_str_equal (account_sid, self->account_sid))
    {
      reply_unauthorized (reply);
      return;
    }

  switch (resource)
    {
    case RESOURCE_ACCOUNT:
      reply_account (self, reply);
      break;

    case RESOURCE_MESSAGES:
      create_message (self, form, reply);
      break;

    case RESOURCE_MESSAGE_LIST:
      list_messages (self, query, reply);
      break;

    case RESOURCE_MESSAGE:
      message = g_hash_table_lookup (self->messages_by_sid, message_sid);
      if (message == NULL)
        pv_fake_reply_not_found (reply, path);
      else
        reply_message (self, reply, SOUP_STATUS_OK, message, FALSE);
      break;

    case RESOURCE_CALLS:
      pv_fake_twilio_create_call (self, form, reply);
      break;

    case RESOURCE_CALL:
    case RESOURCE_CALL_NOTIFICATIONS:
      if (!pv_fake_twilio_reply_call (self, message_sid,
                                      resource == RESOURCE_CALL_NOTIFICATIONS, reply))
        pv_fake_reply_not_found (reply, path);
      break;

    case RESOURCE_LOOKUP:
    case RESOURCE_NONE:
    default:
      g_assert_not_reached ();
    }
}

/* POST /sandbox/inbound with From, Body and, for tests, DateSent (ISO 8601): a customer's
 * text to the account's number. No credentials: the fake only listens on 127.0.0.1. */
static void
receive_sandbox_inbound (PvFakeTwilio *self,
                         const char   *method,
                         GHashTable   *form,
                         Reply        *reply)
{
  const char *from = form != NULL ? g_hash_table_lookup (form, "From") : NULL;
  const char *body = form != NULL ? g_hash_table_lookup (form, "Body") : NULL;
  const char *date_text = form != NULL ? g_hash_table_lookup (form, "DateSent") : NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) date_sent = NULL;
  g_autofree char *sid = NULL;

  if (!g_str_equal (method, SOUP_METHOD_POST))
    {
      pv_fake_reply_error (reply, SOUP_STATUS_METHOD_NOT_ALLOWED, 20004, "Method not allowed");
      return;
    }

  if (pv_fake_is_blank (from) || !pv_fake_is_e164 (from))
    {
      g_autofree char *text = describe_create_error (21212, NULL, from, NULL);

      pv_fake_reply_error (reply, SOUP_STATUS_BAD_REQUEST, 21212, text);
      return;
    }

  if (pv_fake_is_blank (body) || !g_utf8_validate (body, -1, NULL))
    {
      pv_fake_reply_error (reply, SOUP_STATUS_BAD_REQUEST, 21602, "Message body is required.");
      return;
    }

  if (date_text != NULL && (date_sent = g_date_time_new_from_iso8601 (date_text, utc)) == NULL)
    {
      pv_fake_reply_error (reply, SOUP_STATUS_BAD_REQUEST, 20001, "Invalid date value");
      return;
    }

  sid = pv_fake_twilio_add_inbound (self, from, body, date_sent);
  reply_message (self, reply, SOUP_STATUS_CREATED,
                 g_hash_table_lookup (self->messages_by_sid, sid), FALSE);
}

static GHashTable *
decode_form (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  gsize length;
  const char *data;

  if (g_strcmp0 (content_type, "application/x-www-form-urlencoded") != 0)
    return NULL;

  bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  data = g_bytes_get_data (bytes, &length);
  text = g_strndup (data, length);

  return soup_form_decode (text);
}

static void
drop_connection (SoupServerMessage *msg)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);

  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
}

static gboolean
slow_reply_due (gpointer user_data)
{
  SlowReply *slow = user_data;

  /* A connection that went away (client gone, server shut down) has no socket any more:
   * unpausing it would be an error, and there is nothing left to drop. */
  if (soup_server_message_get_socket (slow->msg) != NULL)
    {
      if (slow->drop)
        drop_connection (slow->msg);
      else
        soup_server_message_unpause (slow->msg);
    }

  g_ptr_array_remove_fast (slow->self->slow_replies, slow);

  return G_SOURCE_REMOVE;
}

/* Dropping waits for the main loop too: stealing the connection from inside the handler
 * would pull libsoup's I/O state out from under the code that called it. */
static void
delay_reply (PvFakeTwilio      *self,
             SoupServerMessage *msg,
             guint              milliseconds,
             gboolean           drop)
{
  SlowReply *slow = g_new0 (SlowReply, 1);

  slow->self = self;
  slow->msg = g_object_ref (msg);
  slow->drop = drop;
  slow->source = g_timeout_source_new (milliseconds);
  g_source_set_static_name (slow->source, drop ? "[pv-fake-twilio] dropped reply"
                                               : "[pv-fake-twilio] slow reply");
  g_source_set_callback (slow->source, slow_reply_due, slow, NULL);
  g_source_attach (slow->source, self->context);
  g_ptr_array_add (self->slow_replies, slow);

  soup_server_message_pause (msg);
}

static gboolean
is_create_request (const char *method,
                   const char *path)
{
  g_autofree char *account_sid = NULL;
  g_autofree char *message_sid = NULL;

  Resource resource = parse_path (method, path, &account_sid, &message_sid);

  return resource == RESOURCE_MESSAGES || resource == RESOURCE_CALLS;
}

static PvFakeTwilioFault
take_fault (PvFakeTwilio *self,
            const char   *method,
            const char   *path)
{
  PvFakeTwilioFault fault = self->create_fault;

  if (fault == PV_FAKE_TWILIO_FAULT_NONE || !is_create_request (method, path))
    return self->fault;

  if (self->create_fault_left > 0 && --self->create_fault_left == 0)
    self->create_fault = PV_FAKE_TWILIO_FAULT_NONE;

  return fault;
}

static void
handle_request (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  PvFakeTwilio *self = PV_FAKE_TWILIO (user_data);
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  g_autofree char *request_id = pv_fake_random_hex ("RQ");
  PvFakeTwilioRequest *request;
  PvFakeTwilioFault fault;
  gboolean control;
  Reply reply = { 0 };

  request = g_new0 (PvFakeTwilioRequest, 1);
  request->method = g_strdup (soup_server_message_get_method (msg));
  request->path = g_strdup (path);
  request->authorization = g_strdup (soup_message_headers_get_one (request_headers,
                                                                   "Authorization"));
  request->form = decode_form (msg);
  request->query = g_strdup (g_uri_get_query (soup_server_message_get_uri (msg)));

  g_signal_emit (self, signals[REQUEST_STARTED], 0, request);

  /* The sandbox's own controls stand for the customer's phone, not for Twilio. */
  control = g_str_equal (path, SANDBOX_INBOUND_PATH);
  fault = control ? PV_FAKE_TWILIO_FAULT_NONE : take_fault (self, request->method, path);

  switch (fault)
    {
    case PV_FAKE_TWILIO_FAULT_HTTP_429:
      pv_fake_reply_error (&reply, STATUS_TOO_MANY_REQUESTS, 20429, "Too Many Requests");
      break;

    case PV_FAKE_TWILIO_FAULT_HTTP_500:
      pv_fake_reply_error (&reply, SOUP_STATUS_INTERNAL_SERVER_ERROR, 20500,
                           "An internal server error has occurred");
      break;

    case PV_FAKE_TWILIO_FAULT_HTTP_503:
      pv_fake_reply_error (&reply, SOUP_STATUS_SERVICE_UNAVAILABLE, 20503,
                           "Service is unavailable. Please try again");
      break;

    case PV_FAKE_TWILIO_FAULT_NOT_JSON:
      reply_html (&reply);
      break;

    case PV_FAKE_TWILIO_FAULT_NONE:
    case PV_FAKE_TWILIO_FAULT_SLOW:
    case PV_FAKE_TWILIO_FAULT_TRUNCATED:
    case PV_FAKE_TWILIO_FAULT_OVERSIZED:
    case PV_FAKE_TWILIO_FAULT_DROP_AFTER_PROCESSING:
    case PV_FAKE_TWILIO_FAULT_HTTP_500_AFTER_PROCESSING:
    default:
      if (control)
        receive_sandbox_inbound (self, request->method, request->form, &reply);
      else if (is_authorized (self, request->authorization))
        route (self, request->method, path, query, request->form, &reply);
      else
        reply_unauthorized (&reply);
      break;
    }

  if (fault == PV_FAKE_TWILIO_FAULT_DROP_AFTER_PROCESSING)
    {
      g_free (reply.body);
      request->status = 0;
      g_ptr_array_add (self->requests, request);
      delay_reply (self, msg, 0, TRUE);
      return;
    }

  if (fault == PV_FAKE_TWILIO_FAULT_TRUNCATED)
    {
      reply.length /= 2;
    }
  else if (fault == PV_FAKE_TWILIO_FAULT_OVERSIZED)
    {
      reply_pad (&reply);
    }
  else if (fault == PV_FAKE_TWILIO_FAULT_HTTP_500_AFTER_PROCESSING)
    {
      /* Whatever the processing came to, the answer is lost to an internal error. */
      g_clear_pointer (&reply.body, g_free);
      reply.challenge = FALSE;
      pv_fake_reply_error (&reply, SOUP_STATUS_INTERNAL_SERVER_ERROR, 20500,
                           "An internal server error has occurred");
    }

  request->status = reply.status;
  g_ptr_array_add (self->requests, request);

  if (reply.challenge)
    soup_message_headers_replace (response_headers, "WWW-Authenticate",
                                  "Basic realm=\"Twilio API\"");
  soup_message_headers_replace (response_headers, "Twilio-Request-Id", request_id);
  soup_server_message_set_status (msg, reply.status, NULL);
  soup_server_message_set_response (msg, reply.content_type, SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&reply.body), reply.length);

  if (fault == PV_FAKE_TWILIO_FAULT_SLOW)
    delay_reply (self, msg, self->slow_delay_ms, FALSE);
}

static void
pv_fake_twilio_constructed (GObject *object)
{
  PvFakeTwilio *self = (PvFakeTwilio *)object;

  G_OBJECT_CLASS (pv_fake_twilio_parent_class)->constructed (object);

  if (self->account_sid == NULL)
    self->account_sid = pv_fake_random_hex ("AC");
  if (self->auth_token == NULL)
    self->auth_token = pv_fake_random_hex ("");
}

static void
pv_fake_twilio_dispose (GObject *object)
{
  PvFakeTwilio *self = (PvFakeTwilio *)object;

  /* Dropping the paused messages first means nothing can fire into a half-destroyed fake;
   * disconnecting then closes their connections, so clients see an error, not a hang. */
  g_clear_pointer (&self->slow_replies, g_ptr_array_unref);

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (pv_fake_twilio_parent_class)->dispose (object);
}

static void
pv_fake_twilio_finalize (GObject *object)
{
  PvFakeTwilio *self = (PvFakeTwilio *)object;

  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->account_sid, g_free);
  g_clear_pointer (&self->auth_token, g_free);
  g_clear_pointer (&self->messaging_service_sid, g_free);
  g_clear_pointer (&self->account_created, g_date_time_unref);
  g_clear_pointer (&self->api_keys, g_hash_table_unref);
  g_clear_pointer (&self->verified_recipients, g_hash_table_unref);
  g_clear_pointer (&self->outcomes, g_hash_table_unref);
  g_clear_pointer (&self->create_errors, g_hash_table_unref);
  g_clear_pointer (&self->requests, g_ptr_array_unref);
  g_clear_pointer (&self->messages_by_sid, g_hash_table_unref);
  g_clear_pointer (&self->messages, g_ptr_array_unref);
  g_clear_pointer (&self->inbound, g_ptr_array_unref);
  pv_fake_twilio_finalize_calls (self);

  G_OBJECT_CLASS (pv_fake_twilio_parent_class)->finalize (object);
}

static void
pv_fake_twilio_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PvFakeTwilio *self = PV_FAKE_TWILIO (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT_SID:
      g_value_set_string (value, self->account_sid);
      break;

    case PROP_AUTH_TOKEN:
      g_value_set_string (value, self->auth_token);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_fake_twilio_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PvFakeTwilio *self = PV_FAKE_TWILIO (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT_SID:
      g_free (self->account_sid);
      self->account_sid = g_value_dup_string (value);
      break;

    case PROP_AUTH_TOKEN:
      g_free (self->auth_token);
      self->auth_token = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_fake_twilio_class_init (PvFakeTwilioClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = pv_fake_twilio_constructed;
  object_class->dispose = pv_fake_twilio_dispose;
  object_class->finalize = pv_fake_twilio_finalize;
  object_class->get_property = pv_fake_twilio_get_property;
  object_class->set_property = pv_fake_twilio_set_property;

  /* NULL picks a random "AC" + 32 hex digits. */
  properties[PROP_ACCOUNT_SID] =
    g_param_spec_string ("account-sid", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  /* NULL picks 32 random hex digits. */
  properties[PROP_AUTH_TOKEN] =
    g_param_spec_string ("auth-token", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PvFakeTwilio::message-received:
   * @message: (type gpointer): the const PvFakeTwilioMessage* just accepted
   *
   * Emitted for each SMS the fake accepts, before the reply goes out.
   */
  signals[MESSAGE_RECEIVED] =
    g_signal_new ("message-received",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);

  /**
   * PvFakeTwilio::inbound-received:
   * @message: (type gpointer): the const PvFakeTwilioMessage* a customer just sent
   *
   * Emitted for each text pv_fake_twilio_add_inbound() or POST /sandbox/inbound adds.
   */
  signals[INBOUND_RECEIVED] =
    g_signal_new ("inbound-received",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);

  /**
   * PvFakeTwilio::request-started:
   * @request: (type gpointer): the PvFakeTwilioRequest* just received, its status still 0
   *
   * Emitted for each request before the fake decides on its fault, so that a handler can
   * set one for this very request, e.g. to fail the third page of a list.
   */
  signals[REQUEST_STARTED] =
    g_signal_new ("request-started",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);

  /**
   * PvFakeTwilio::call-started:
   * @call: (type gpointer): the const PvFakeTwilioCall* just placed
   *
   * Emitted for each call the fake accepts, before the reply goes out.
   */
  signals[CALL_STARTED] =
    g_signal_new ("call-started",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
pv_fake_twilio_init (PvFakeTwilio *self)
{
  self->server = soup_server_new ("server-header", "pv-fake-twilio", NULL);
  soup_server_add_handler (self->server, NULL, handle_request, self, NULL);

  self->messaging_service_sid = pv_fake_random_hex ("MG");
  self->account_created = g_date_time_new_now_utc ();
  self->api_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->verified_recipients = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->slow_delay_ms = PV_FAKE_TWILIO_DEFAULT_SLOW_DELAY_MS;
  self->delivery_step_ms = PV_FAKE_TWILIO_DEFAULT_DELIVERY_STEP_MS;
  self->outcomes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) outcome_free);
  self->create_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) request_free);
  self->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) stored_message_free);
  self->inbound = g_ptr_array_new_with_free_func ((GDestroyNotify) stored_message_free);
  self->messages_by_sid = g_hash_table_new (g_str_hash, g_str_equal);
  self->slow_replies = g_ptr_array_new_with_free_func ((GDestroyNotify) slow_reply_free);
  pv_fake_twilio_init_calls (self);
}

PvFakeTwilio *
pv_fake_twilio_new (void)
{
  return g_object_new (PV_TYPE_FAKE_TWILIO, NULL);
}

/**
 * pv_fake_twilio_new_with_credentials:
 * @account_sid: (nullable): "AC" + 32 hex digits, or %NULL for a random one
 * @auth_token: (nullable): 32 hex digits, or %NULL for a random one
 */
PvFakeTwilio *
pv_fake_twilio_new_with_credentials (const char *account_sid,
                                     const char *auth_token)
{
  g_return_val_if_fail (account_sid == NULL || pv_fake_is_sid (account_sid, "AC"), NULL);
  g_return_val_if_fail (auth_token == NULL || is_hex (auth_token, 32), NULL);

  return g_object_new (PV_TYPE_FAKE_TWILIO,
                       "account-sid", account_sid,
                       "auth-token", auth_token,
                       NULL);
}

/**
 * pv_fake_twilio_listen:
 * @port: the port, or 0 for any free one
 *
 * Listens on 127.0.0.1 only. Call it once, from the thread whose thread-default main context
 * is to run the fake.
 */
gboolean
pv_fake_twilio_listen (PvFakeTwilio  *self,
                       guint          port,
                       GError       **error)
{
  g_return_val_if_fail (PV_IS_FAKE_TWILIO (self), FALSE);
  g_return_val_if_fail (self->context == NULL, FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);

  if (!soup_server_listen_local (self->server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return FALSE;

  /* The server attaches to this context too; delayed replies must fire where it runs. */
  self->context = g_main_context_ref_thread_default ();

  return TRUE;
}

/* "http://127.0.0.1:PORT", no trailing slash, or NULL before listening. */
char *
pv_fake_twilio_dup_base_url (PvFakeTwilio *self)
{
  GSList *uris;
  char *url = NULL;

  g_return_val_if_fail (PV_IS_FAKE_TWILIO (self), NULL);

  uris = soup_server_get_uris (self->server);
  if (uris != NULL)
    url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return url;
}

const char *
pv_fake_twilio_get_account_sid (PvFakeTwilio *self)
{
  g_return_val_if_fail (PV_IS_FAKE_TWILIO (self), NULL);

  return self->account_sid;
}

const char *
pv_fake_twilio_get_auth_token (PvFakeTwilio *self)
{
  g_return_val_if_fail (PV_IS_FAKE_TWILIO (self), NULL);

  return self->auth_token;
}

const char *
pv_fake_twilio_get_phone_number (PvFakeTwilio *self)
{
  g_return_val_if_fail (PV_IS_FAKE_TWILIO (self), NULL);

  return PV_FAKE_TWILIO_PHONE_NUMBER;
}

const char *
pv_fake_twilio_get_messaging_service_sid (PvFakeTwilio *self)
{
  g_return_val_if_fail (PV_IS_FAKE_TWILIO (self), NULL);

  return self->messaging_service_sid;
}

/* API keys authenticate for this same account; the AccountSid still goes in the URL. */
void
pv_fake_twilio_add_api_key (PvFakeTwilio *self,
                            const char   *key_sid,
                            const char   *secret)
{
  g_return_if_fail (PV_IS_FAKE_TWILIO (self));
  g_return_if_fail (key_sid != NULL);
  g_return_if_fail (secret != NULL);

  g_hash_table_insert (self->api_keys, g_strdup (key_sid), g_strdup (secret));
}

/* Stays in force until set back to PV_FAKE_TWILIO_FAULT_NONE. */
void
pv_fake_twilio_set_fault (PvFakeTwilio      *self,
                          PvFakeTwilioFault  fault)
{
  g_return_if_fail (PV_IS_FAKE_TWILIO (self));
  g_return_if_fail (fault <= PV_FAKE_TWILIO_FAULT_HTTP_500_AFTER_PROCESSING);

  self->fault = fault;
}

/* Counts every create request that arrives, whatever the fault makes of it; setting
 * PV_FAKE_TWILIO_FAULT_NONE ends it early. Other requests still get the fault of
 * pv_fake_twilio_set_fault(), so a client can poll delivery normally meanwhile. */
void
pv_fake_twilio_set_create_fault (PvFakeTwilio      *self,
                                 PvFakeTwilioFault  fault,
                                 guint              count)
{
  g_return_if_fail (PV_IS_FAKE_TWILIO (self));
  g_return_if_fail (fault <= PV_FAKE_TWILIO_FAULT_HTTP_500_AFTER_PROCESSING);
  g_return_if_fail (count <= G_MAXINT);

  self->create_fault = fault;
  self->create_fault_left = count == 0 ? -1 : (int) count;
}

void
pv_fake_twilio_set_slow_delay (PvFakeTwilio *self,
                               guint         milliseconds)
{
  g_return_if_fail (PV_IS_FAKE_TWILIO (self));

  self->slow_delay_ms = milliseconds;
}

/* Also applies to messages already sent: 0 makes every message reach its outcome at once. */
void
pv_fake_twilio_set_delivery_step (PvFakeTwilio *self,
                                  guint         milliseconds)
{
  g_return_if_fail (PV_IS_FAKE_TWILIO (self));

  self->delivery_step_ms = milliseconds;
}

void
pv_fake_twilio_set_delivery_outcome (PvFakeTwilio *self,
                                     const char   *to,
                                     const char   *final_status,
                                     int           error_code)
{
  Outcome *outcome;

  g_return_if_fail (PV_IS_FAKE_TWILIO (self));
  g_return_if_fail (to != NULL);
  g_return_if_fail (g_strcmp0 (final_status, "delivered") == 0 ||
                    g_strcmp0 (final_status, "undelivered") == 0 ||
                    g_strcmp0 (final_status, "failed") == 0 ||
                    g_strcmp0 (final_status, "sent") == 0);

  if (g_str_equal (final_status, "delivered"))
    {
      g_hash_table_remove (self->outcomes, to);
      return;
    }

  outcome = g_new0 (Outcome, 1);
  outcome->final_status = g_strdup (final_status);
  outcome->error_code = error_code;
  g_hash_table_replace (self->outcomes, g_strdup (to), outcome);
}

void
pv_fake_twilio_set_create_error (PvFakeTwilio *self,
                                 const char   *to,
                                 int           twilio_code)
{
  g_return_if_fail (PV_IS_FAKE_TWILIO (self));
  g_return_if_fail (to != NULL);

  if (twilio_code == 0)
    g_hash_table_remove (self->create_errors, to);
  else
    g_hash_table_replace (self->create_errors, g_strdup (to), GINT_TO_POINTER (twilio_code));
}

/* A trial account only texts verified recipients (21608 otherwise) and prefixes every body
 * with PV_FAKE_TWILIO_TRIAL_PREFIX. */
void
pv_fake_twilio_set_trial_account (PvFakeTwilio *self,
                                  gboolean      trial)
{
  g_return_if_fail (PV_IS_FAKE_TWILIO (self));

  self->trial = !!trial;
}

void
pv_fake_twilio_add_verified_recipient (PvFakeTwilio *self,
                                       const char   *number)
{
  g_return_if_fail (PV_IS_FAKE_TWILIO (self));
  g_return_if_fail (number != NULL);

  g_hash_table_add (self->verified_recipients, g_strdup (number));
}

GPtrArray *
pv_fake_twilio_get_requests (PvFakeTwilio *self)
{
  g_return_val_if_fail (PV_IS_FAKE_TWILIO (self), NULL);

  return self->requests;
}

GPtrArray *
pv_fake_twilio_get_messages (PvFakeTwilio *self)
{
  g_return_val_if_fail (PV_IS_FAKE_TWILIO (self), NULL);

  return self->messages;
}

const PvFakeTwilioMessage *
pv_fake_twilio_get_last_message_to (PvFakeTwilio *self,
                                    const char   *to)
{
  g_return_val_if_fail (PV_IS_FAKE_TWILIO (self), NULL);
  g_return_val_if_fail (to != NULL, NULL);

  for (guint i = self->messages->len; i > 0; i--)
    {
      const PvFakeTwilioMessage *message = g_ptr_array_index (self->messages, i - 1);

      if (g_str_equal (message->to, to))
        return message;
    }

  return NULL;
}

/* Reads the code the way the customer would: the first run of 4 to 10 digits, so that phone
 * numbers (11+ digits) and short numbers in the text are skipped. */
char *
pv_fake_twilio_dup_last_code_to (PvFakeTwilio *self,
                                 const char   *to)
{
  const PvFakeTwilioMessage *message;
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;

  g_return_val_if_fail (PV_IS_FAKE_TWILIO (self), NULL);
  g_return_val_if_fail (to != NULL, NULL);

  message = pv_fake_twilio_get_last_message_to (self, to);
  if (message == NULL)
    return NULL;

  regex = g_regex_new ("(?<![0-9])[0-9]{4,10}(?![0-9])", G_REGEX_OPTIMIZE, 0, NULL);
  if (!g_regex_match (regex, message->body, 0, &match))
    return NULL;

  return g_match_info_fetch (match, 0);
}

/**
 * pv_fake_twilio_add_inbound:
 * @from: the customer's number
 * @body: what they wrote
 * @date_sent: (nullable): when it reached Twilio, %NULL for now
 *
 * Returns: (transfer full): the new message's SM… SID
 */
char *
pv_fake_twilio_add_inbound (PvFakeTwilio *self,
                            const char   *from,
                            const char   *body,
                            GDateTime    *date_sent)
{
  StoredMessage *message;

  g_return_val_if_fail (PV_IS_FAKE_TWILIO (self), NULL);
  g_return_val_if_fail (from != NULL, NULL);
  g_return_val_if_fail (body != NULL, NULL);

  message = g_new0 (StoredMessage, 1);
  message->inbound = TRUE;
  message->public.sid = pv_fake_random_hex ("SM");
  message->public.to = g_strdup (PV_FAKE_TWILIO_PHONE_NUMBER);
  message->public.from = g_strdup (from);
  message->public.body = g_strdup (body);
  /* Twilio's dates have whole seconds; a listed date must compare as it reads. */
  message->date_created = date_sent != NULL
    ? g_date_time_add (date_sent, -(g_date_time_get_microsecond (date_sent)))
    : g_date_time_new_from_unix_utc (g_get_real_time () / G_USEC_PER_SEC);
  message->created_usec = g_get_monotonic_time ();
  message->num_segments = count_segments (message->public.body);
  message->final_status = g_strdup ("received");

  g_ptr_array_add (self->inbound, message);
  g_hash_table_insert (self->messages_by_sid, message->public.sid, message);

  g_signal_emit (self, signals[INBOUND_RECEIVED], 0, &message->public);

  return g_strdup (message->public.sid);
}

GPtrArray *
pv_fake_twilio_get_inbound (PvFakeTwilio *self)
{
  g_return_val_if_fail (PV_IS_FAKE_TWILIO (self), NULL);

  return self->inbound;
}

/* Forgets requests, messages and calls; the account, faults and per-number settings stay. */
void
pv_fake_twilio_clear (PvFakeTwilio *self)
{
  g_return_if_fail (PV_IS_FAKE_TWILIO (self));

  g_hash_table_remove_all (self->messages_by_sid);
  g_ptr_array_set_size (self->messages, 0);
  g_ptr_array_set_size (self->inbound, 0);
  g_ptr_array_set_size (self->requests, 0);
  pv_fake_twilio_clear_calls (self);
}
