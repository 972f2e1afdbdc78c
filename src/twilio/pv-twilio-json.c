/* pv-twilio-json.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pv-twilio-json"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include <stdio.h>
#include <string.h>

#include "pv-twilio-credentials.h"
#include "pv-twilio-error.h"
#include "pv-twilio-json.h"

/* Longer than any status Twilio defines ("partially_delivered"), short enough to display. */
#define MAX_STATUS_LENGTH 32

/* Replies are never logged: a Message echoes its body, which holds the verification code. */

gboolean
pv_twilio_message_sid_is_valid (const char *sid)
{
  return pv_twilio_sid_is_valid (sid, "SM") || pv_twilio_sid_is_valid (sid, "MM");
}

gboolean
pv_twilio_call_sid_is_valid (const char *sid)
{
  return pv_twilio_sid_is_valid (sid, "CA");
}

static void
set_malformed (GError     **error,
               const char  *why)
{
  g_debug ("Malformed reply from Twilio: %s", why);
  g_propagate_error (error, pv_twilio_error_new (PV_TWILIO_ERROR_MALFORMED_REPLY));
}

/* The returned object belongs to @parser. */
/* Twilio's replies are flat. json-glib 1.6 recurses once per nesting level, so a reply of
 * a few hundred thousand "[" overflows the stack; and it takes "{…} {…}" as its first value,
 * leaking the rest. Both are refused before parsing, by a scan that skips strings. */
#define MAX_JSON_DEPTH 64

static gboolean
check_shape (const char *data,
             gsize       len)
{
  gboolean in_string = FALSE;
  gboolean closed = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        continue;

      /* Only white space may follow the top-level value. */
      if (closed)
        return FALSE;

      if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > MAX_JSON_DEPTH)
            return FALSE;
        }
      else if (c == '}' || c == ']')
        {
          if (depth == 0)
            return FALSE;
          if (--depth == 0)
            closed = TRUE;
        }
    }

  return TRUE;
}

static JsonObject *
parse_object (JsonParser  *parser,
              GBytes      *reply,
              GError     **error)
{
  const char *data;
  gsize len;
  JsonNode *root;

  data = g_bytes_get_data (reply, &len);
  if (data == NULL || len == 0)
    {
      set_malformed (error, "empty body");
      return NULL;
    }

  /* Also refuses embedded NUL bytes, which would cut strings short further down. */
  if (!g_utf8_validate (data, len, NULL))
    {
      set_malformed (error, "not UTF-8");
      return NULL;
    }

  if (!check_shape (data, len))
    {
      set_malformed (error, "too deeply nested, or more than one value");
      return NULL;
    }

  /* The parser's own message quotes the offending text, so it is not logged. */
  if (!json_parser_load_from_data (parser, data, len, NULL))
    {
      set_malformed (error, "not JSON");
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      set_malformed (error, "not a JSON object");
      return NULL;
    }

  return json_node_get_object (root);
}

static gboolean
node_holds_type (JsonNode *node,
                 GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
get_string (JsonObject  *object,
            const char  *name,
            const char **value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !node_holds_type (node, G_TYPE_STRING))
    return FALSE;

  /* "\ud800" alone decodes to bytes that are not UTF-8; such a string is no string. */
  *value = json_node_get_string (node);
  if (*value != NULL && !g_utf8_validate (*value, -1, NULL))
    return FALSE;

  return TRUE;
}

/* Absent and null both give %NULL; any other type is an error. */
static gboolean
get_optional_string (JsonObject  *object,
                     const char  *name,
                     const char **value)
{
  JsonNode *node = json_object_get_member (object, name);

  *value = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  return get_string (object, name, value);
}

/* Absent and null both give 0; anything but a non-negative integer is an error. */
static gboolean
get_optional_int (JsonObject *object,
                  const char *name,
                  int        *value)
{
  JsonNode *node = json_object_get_member (object, name);
  gint64 number;

  *value = 0;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!node_holds_type (node, G_TYPE_INT64))
    return FALSE;

  number = json_node_get_int (node);
  if (number < 0 || number > G_MAXINT)
    return FALSE;

  *value = (int) number;
  return TRUE;
}

static gboolean
status_is_plausible (const char *status)
{
  gsize len = strlen (status);

  if (len == 0 || len > MAX_STATUS_LENGTH)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      /* Calls spell theirs with a hyphen: in-progress, no-answer. */
      if (!g_ascii_islower (status[i]) && status[i] != '_' && status[i] != '-')
        return FALSE;
    }

  return TRUE;
}

/* What every resource that changes over time has: its SID and where it has got to. */
static gboolean
get_sid_and_status (JsonObject   *object,
                    gboolean    (*sid_is_valid) (const char *sid),
                    const char  **sid,
                    const char  **status,
                    GError      **error)
{
  if (!get_string (object, "sid", sid) || !sid_is_valid (*sid))
    {
      set_malformed (error, "bad sid");
      return FALSE;
    }

  if (!get_string (object, "status", status) || !status_is_plausible (*status))
    {
      set_malformed (error, "bad status");
      return FALSE;
    }

  return TRUE;
}

/**
 * pv_twilio_json_parse_message:
 * @reply: the body of a 2xx reply to a Messages request
 *
 * Returns: (transfer full): the message, or %NULL with a
 *   %PV_TWILIO_ERROR_MALFORMED_REPLY error
 */
PvTwilioMessage *
pv_twilio_json_parse_message (GBytes  *reply,
                              GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(PvTwilioMessage) message = NULL;
  JsonObject *object;
  const char *sid;
  const char *status;
  const char *error_message;
  int error_code;

  g_return_val_if_fail (reply != NULL, NULL);

  if (!(object = parse_object (parser, reply, error)))
    return NULL;

  if (!get_sid_and_status (object, pv_twilio_message_sid_is_valid, &sid, &status, error))
    return NULL;

  if (!get_optional_int (object, "error_code", &error_code))
    {
      set_malformed (error, "bad error_code");
      return NULL;
    }

  if (!get_optional_string (object, "error_message", &error_message))
    {
      set_malformed (error, "bad error_message");
      return NULL;
    }

  message = g_new0 (PvTwilioMessage, 1);
  message->sid = g_strdup (sid);
  message->status = g_strdup (status);
  message->error_code = error_code;
  message->error_message = g_strdup (error_message);

  return g_steal_pointer (&message);
}

/* A call's duration is a string of seconds, "" until it is known; null is taken the same
 * way, and so is a plain number, which costs nothing to accept. */
static gboolean
get_duration (JsonObject *object,
              int        *value)
{
  JsonNode *node = json_object_get_member (object, "duration");
  const char *text;
  guint64 number;

  *value = 0;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (node_holds_type (node, G_TYPE_INT64))
    return get_optional_int (object, "duration", value);

  if (!get_string (object, "duration", &text))
    return FALSE;

  if (text[0] == '\0')
    return TRUE;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT, &number, NULL))
    return FALSE;

  *value = (int) number;
  return TRUE;
}

/**
 * pv_twilio_json_parse_call:
 * @reply: the body of a 2xx reply to a Calls request
 *
 * Returns: (transfer full): the call, or %NULL with a %PV_TWILIO_ERROR_MALFORMED_REPLY error
 */
PvTwilioCall *
pv_twilio_json_parse_call (GBytes  *reply,
                           GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(PvTwilioCall) call = NULL;
  JsonObject *object;
  const char *sid;
  const char *status;
  int duration;

  g_return_val_if_fail (reply != NULL, NULL);

  if (!(object = parse_object (parser, reply, error)))
    return NULL;

  if (!get_sid_and_status (object, pv_twilio_call_sid_is_valid, &sid, &status, error))
    return NULL;

  if (!get_duration (object, &duration))
    {
      set_malformed (error, "bad duration");
      return NULL;
    }

  call = g_new0 (PvTwilioCall, 1);
  call->sid = g_strdup (sid);
  call->status = g_strdup (status);
  call->duration = duration;

  return g_steal_pointer (&call);
}

/* A notification's error_code is a string of digits, unlike a message's. */
static gboolean
get_notification_code (JsonObject *object,
                       int        *code)
{
  const char *text;
  guint64 number;

  *code = 0;

  if (!get_optional_string (object, "error_code", &text))
    return FALSE;

  if (text == NULL || text[0] == '\0')
    return TRUE;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT, &number, NULL))
    return FALSE;

  *code = (int) number;
  return TRUE;
}

/**
 * pv_twilio_json_parse_call_failure:
 * @reply: the body of a 2xx reply to a call's Notifications list
 * @error_code: (out): the notification's Twilio code, 0 when there is none
 * @message_text: (out) (transfer full) (nullable): its message_text
 *
 * Returns: %TRUE, or %FALSE with a %PV_TWILIO_ERROR_MALFORMED_REPLY error
 */
gboolean
pv_twilio_json_parse_call_failure (GBytes  *reply,
                                   int     *error_code,
                                   char   **message_text,
                                   GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *object;
  JsonNode *node;
  JsonArray *items;
  JsonObject *chosen = NULL;
  const char *text;
  guint n_items;

  g_return_val_if_fail (reply != NULL, FALSE);
  g_return_val_if_fail (error_code != NULL, FALSE);
  g_return_val_if_fail (message_text != NULL, FALSE);

  *error_code = 0;
  *message_text = NULL;

  if (!(object = parse_object (parser, reply, error)))
    return FALSE;

  node = json_object_get_member (object, "notifications");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      set_malformed (error, "no notifications list");
      return FALSE;
    }

  items = json_node_get_array (node);
  n_items = json_array_get_length (items);

  for (guint i = 0; i < n_items; i++)
    {
      JsonNode *item = json_array_get_element (items, i);
      const char *log;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          set_malformed (error, "notification is not an object");
          return FALSE;
        }

      if (chosen == NULL)
        chosen = json_node_get_object (item);

      /* An ERROR says why the call failed; a WARNING only that something was odd. */
      if (get_string (json_node_get_object (item), "log", &log) && g_str_equal (log, "0"))
        {
          chosen = json_node_get_object (item);
          break;
        }
    }

  if (chosen == NULL)
    return TRUE;

  if (!get_notification_code (chosen, error_code))
    {
      set_malformed (error, "bad notification error_code");
      return FALSE;
    }

  if (!get_optional_string (chosen, "message_text", &text))
    {
      *error_code = 0;
      set_malformed (error, "bad notification message_text");
      return FALSE;
    }

  *message_text = g_strdup (text);
  return TRUE;
}

static const struct
{
  const char *name;
  PvLineType  line_type;
} line_types[] = {
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
};

/* A type Twilio adds later is still a line, just not one PhoneVerify can judge. */
static PvLineType
parse_line_type (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (line_types); i++)
    {
      if (g_str_equal (name, line_types[i].name))
        return line_types[i].line_type;
    }

  return PV_LINE_TYPE_UNKNOWN;
}

static gboolean
parse_line_type_intelligence (JsonObject     *object,
                              PvTwilioLookup *lookup)
{
  JsonNode *node = json_object_get_member (object, "line_type_intelligence");
  JsonObject *intelligence;
  const char *type;
  const char *carrier_name;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;

  intelligence = json_node_get_object (node);
  if (!get_optional_string (intelligence, "type", &type) ||
      !get_optional_string (intelligence, "carrier_name", &carrier_name) ||
      !get_optional_int (intelligence, "error_code", &lookup->line_type_error_code))
    return FALSE;

  lookup->line_type = parse_line_type (type);
  lookup->carrier_name = g_strdup (carrier_name);
  return TRUE;
}

static gboolean
parse_validation_errors (JsonObject *object,
                         char     ***errors)
{
  JsonNode *node = json_object_get_member (object, "validation_errors");
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;
  guint n_items;

  *errors = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;

  array = json_node_get_array (node);
  n_items = json_array_get_length (array);
  if (n_items == 0)
    return TRUE;

  builder = g_strv_builder_new ();
  for (guint i = 0; i < n_items; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const char *text;

      if (!node_holds_type (item, G_TYPE_STRING))
        return FALSE;

      text = json_node_get_string (item);
      if (!g_utf8_validate (text, -1, NULL))
        return FALSE;

      g_strv_builder_add (builder, text);
    }

  *errors = g_strv_builder_end (builder);
  return TRUE;
}

/**
 * pv_twilio_json_parse_lookup:
 * @reply: the body of a 2xx reply to a Lookup v2 request
 *
 * An invalid number is a result, not an error: Twilio answers 200 with `valid` false.
 *
 * Returns: (transfer full): the lookup, or %NULL with a %PV_TWILIO_ERROR_MALFORMED_REPLY
 *   error
 */
PvTwilioLookup *
pv_twilio_json_parse_lookup (GBytes  *reply,
                             GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(PvTwilioLookup) lookup = NULL;
  JsonObject *object;
  JsonNode *valid;
  const char *phone_number;
  const char *country_code;

  g_return_val_if_fail (reply != NULL, NULL);

  if (!(object = parse_object (parser, reply, error)))
    return NULL;

  valid = json_object_get_member (object, "valid");
  if (valid == NULL || !node_holds_type (valid, G_TYPE_BOOLEAN))
    {
      set_malformed (error, "bad valid");
      return NULL;
    }

  if (!get_optional_string (object, "phone_number", &phone_number) ||
      !get_optional_string (object, "country_code", &country_code))
    {
      set_malformed (error, "bad phone_number or country_code");
      return NULL;
    }

  lookup = g_new0 (PvTwilioLookup, 1);
  lookup->valid = json_node_get_boolean (valid);

  /* Twilio echoes what it was given even when it is no number; that is not E.164. */
  if (lookup->valid)
    {
      lookup->phone_number = g_strdup (phone_number);
      lookup->country_code = g_strdup (country_code);
    }

  if (!parse_validation_errors (object, &lookup->validation_errors))
    {
      set_malformed (error, "bad validation_errors");
      return NULL;
    }

  if (!parse_line_type_intelligence (object, lookup))
    {
      set_malformed (error, "bad line_type_intelligence");
      return NULL;
    }

  return g_steal_pointer (&lookup);
}

/**
 * pv_twilio_json_parse_account_name:
 * @reply: the body of a 2xx reply to an Account request
 *
 * Returns: (transfer full): the account's friendly name, or %NULL with a
 *   %PV_TWILIO_ERROR_MALFORMED_REPLY error
 */
char *
pv_twilio_json_parse_account_name (GBytes  *reply,
                                   GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *object;
  const char *sid;
  const char *friendly_name;

  g_return_val_if_fail (reply != NULL, NULL);

  if (!(object = parse_object (parser, reply, error)))
    return NULL;

  if (!get_string (object, "sid", &sid) || !pv_twilio_sid_is_valid (sid, "AC"))
    {
      set_malformed (error, "bad account sid");
      return NULL;
    }

  if (!get_string (object, "friendly_name", &friendly_name))
    {
      set_malformed (error, "bad friendly_name");
      return NULL;
    }

  return g_strdup (friendly_name);
}

/**
 * pv_twilio_json_parse_rfc2822:
 * @text: (nullable): a date as Twilio writes them, "Wed, 02 Dec 2026 20:00:00 +0000"
 *
 * The day name is optional and not checked, as RFC 2822 allows; the zone may be any
 * offset, or "GMT"/"UT".
 *
 * Returns: the time in Unix seconds, or 0 when @text is %NULL or not such a date
 */
gint64
pv_twilio_json_parse_rfc2822 (const char *text)
{
  static const char * const months[] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  };
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(GDateTime) time = NULL;
  char month_name[4];
  char zone_text[6];
  int day, year, hour, minute, second;
  int month = 0;
  int end = 0;
  const char *comma;

  if (text == NULL)
    return 0;

  comma = strchr (text, ',');
  if (comma != NULL)
    text = comma + 1;

  if (sscanf (text, " %2d %3s %4d %2d:%2d:%2d %5s%n",
              &day, month_name, &year, &hour, &minute, &second, zone_text, &end) != 7 ||
      text[end] != '\0')
    return 0;

  for (guint i = 0; i < G_N_ELEMENTS (months); i++)
    {
      if (g_str_equal (month_name, months[i]))
        month = i + 1;
    }

  if (g_str_equal (zone_text, "GMT") || g_str_equal (zone_text, "UT"))
    zone = g_time_zone_new_utc ();
  else if ((zone_text[0] == '+' || zone_text[0] == '-') && strlen (zone_text) == 5 &&
           strspn (zone_text + 1, "0123456789") == 4)
    zone = g_time_zone_new_identifier (zone_text);

  if (month == 0 || zone == NULL)
    return 0;

  time = g_date_time_new (zone, year, month, day, hour, minute, second);
  if (time == NULL)
    return 0;

  return g_date_time_to_unix (time);
}

void
pv_twilio_inbound_page_free (PvTwilioInboundPage *page)
{
  if (page == NULL)
    return;

  g_clear_pointer (&page->items, g_ptr_array_unref);
  g_free (page->next_page_uri);
  g_free (page);
}

/* Returns: (transfer full) (nullable): the item if it is an inbound message, else %NULL
 * with @error unset, or %NULL with @error set when it is an inbound one that cannot be read */
static PvTwilioInbound *
parse_inbound_item (JsonNode  *item,
                    GError   **error)
{
  g_autoptr(PvTwilioInbound) inbound = NULL;
  JsonObject *object;
  const char *direction;
  const char *sid;
  const char *from;
  const char *to;
  const char *body;
  const char *date_sent;

  if (!JSON_NODE_HOLDS_OBJECT (item))
    {
      set_malformed (error, "message is not an object");
      return NULL;
    }

  object = json_node_get_object (item);
  if (!get_optional_string (object, "direction", &direction))
    {
      set_malformed (error, "bad direction");
      return NULL;
    }

  /* What the account sent is no reply, whatever shape it has. */
  if (g_strcmp0 (direction, "inbound") != 0)
    return NULL;

  if (!get_string (object, "sid", &sid) || !pv_twilio_message_sid_is_valid (sid))
    {
      set_malformed (error, "bad sid");
      return NULL;
    }

  if (!get_optional_string (object, "from", &from) ||
      !get_optional_string (object, "to", &to) ||
      !get_optional_string (object, "body", &body))
    {
      set_malformed (error, "bad from, to or body");
      return NULL;
    }

  /* A date that cannot be read still leaves a reply worth showing. */
  if (!get_optional_string (object, "date_sent", &date_sent))
    date_sent = NULL;

  inbound = g_new0 (PvTwilioInbound, 1);
  inbound->sid = g_strdup (sid);
  inbound->from = g_strdup (from != NULL ? from : "");
  inbound->to = g_strdup (to != NULL ? to : "");
  inbound->body = g_strdup (body != NULL ? body : "");
  inbound->date_sent = pv_twilio_json_parse_rfc2822 (date_sent);

  return g_steal_pointer (&inbound);
}

/**
 * pv_twilio_json_parse_inbound_page:
 * @reply: the body of a 2xx reply to a Messages list
 *
 * Returns: (transfer full): the page, or %NULL with a %PV_TWILIO_ERROR_MALFORMED_REPLY
 *   error
 */
PvTwilioInboundPage *
pv_twilio_json_parse_inbound_page (GBytes  *reply,
                                   GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(PvTwilioInboundPage) page = NULL;
  JsonObject *object;
  JsonNode *node;
  JsonArray *items;
  const char *next_page_uri;
  guint n_items;

  g_return_val_if_fail (reply != NULL, NULL);

  if (!(object = parse_object (parser, reply, error)))
    return NULL;

  node = json_object_get_member (object, "messages");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      set_malformed (error, "no messages list");
      return NULL;
    }

  if (!get_optional_string (object, "next_page_uri", &next_page_uri))
    {
      set_malformed (error, "bad next_page_uri");
      return NULL;
    }

  page = g_new0 (PvTwilioInboundPage, 1);
  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_twilio_inbound_free);
  page->next_page_uri = g_strdup (next_page_uri);

  items = json_node_get_array (node);
  n_items = json_array_get_length (items);
  for (guint i = 0; i < n_items; i++)
    {
      GError *item_error = NULL;
      PvTwilioInbound *inbound = parse_inbound_item (json_array_get_element (items, i),
                                                     &item_error);

      if (item_error != NULL)
        {
          g_propagate_error (error, item_error);
          return NULL;
        }

      if (inbound != NULL)
        g_ptr_array_add (page->items, inbound);
    }

  return g_steal_pointer (&page);
}

static gboolean
parse_error_code (GBytes *reply,
                  int    *code)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *object;
  const char *text;
  int status;

  if (!(object = parse_object (parser, reply, NULL)))
    return FALSE;

  if (!get_optional_int (object, "code", code) || *code == 0)
    return FALSE;

  /* Only the code is used, but a body whose other fields have the wrong types is not the
   * Twilio error we think it is. */
  return get_optional_string (object, "message", &text) &&
         get_optional_string (object, "more_info", &text) &&
         get_optional_int (object, "status", &status);
}

/**
 * pv_twilio_json_parse_error_code:
 * @reply: (nullable): the body of a non-2xx reply, or %NULL if it could not be read
 *
 * Returns: the `code` of a Twilio error body, or 0 when @reply is not one
 */
int
pv_twilio_json_parse_error_code (GBytes *reply)
{
  int code = 0;

  if (reply == NULL || !parse_error_code (reply, &code))
    return 0;

  return code;
}

/**
 * pv_twilio_json_parse_error_reply:
 * @reply: (nullable): the body of a non-2xx reply, or %NULL if it could not be read
 * @http_status: the reply's HTTP status
 *
 * A body that is not a Twilio error object is not an error in itself: proxies and load
 * balancers answer with HTML, and the HTTP status then says what happened.
 *
 * Returns: (transfer full): a #PV_TWILIO_ERROR error
 */
GError *
pv_twilio_json_parse_error_reply (GBytes *reply,
                                  guint   http_status)
{
  int code = pv_twilio_json_parse_error_code (reply);

  g_debug ("Twilio answered HTTP %u with error code %d", http_status, code);

  return pv_twilio_error_new_from_code (code, http_status);
}
