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
      if (!g_ascii_islower (status[i]) && status[i] != '_')
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

  if (!get_string (object, "sid", &sid) || !pv_twilio_message_sid_is_valid (sid))
    {
      set_malformed (error, "bad message sid");
      return NULL;
    }

  if (!get_string (object, "status", &status) || !status_is_plausible (status))
    {
      set_malformed (error, "bad message status");
      return NULL;
    }

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
