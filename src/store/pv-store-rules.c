/* pv-store-rules.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pv-store-rules.h"

gboolean
_pv_store_has_live_code (const PvCustomer *customer,
                         guint             max_attempts,
                         gint64            now)
{
  return customer->code_digest != NULL
         && customer->failed_attempts < max_attempts
         && now < customer->code_expires_at;
}

static gboolean
is_in_flight (const PvCustomer *customer,
              gint64            now)
{
  return customer->send_state == PV_SEND_STATE_SENDING
         && now - customer->last_sent_at < PV_SEND_IN_FLIGHT_MAX_SECONDS;
}

/* Decides a send from the stored state; NOT_FOUND and the new-customer case are the
 * caller's. */
PvSendVerdict
_pv_store_judge_send (const PvSendRequest *request,
                      const PvCustomer    *customer,
                      gint64               now,
                      guint               *wait)
{
  gint64 ready_at;

  if (customer->status == PV_CUSTOMER_STATUS_VERIFIED && !request->reverify)
    return PV_SEND_REFUSED_VERIFIED;

  if (is_in_flight (customer, now))
    return PV_SEND_REFUSED_IN_FLIGHT;

  /* The customer may be reading out a code that went out; one they were to text us went
   * nowhere, and sending a code out instead replaces it. */
  if (!request->resend && customer->channel != PV_CHANNEL_INBOUND &&
      _pv_store_has_live_code (customer, request->max_attempts, now))
    return PV_SEND_REFUSED_LIVE_CODE;

  /* The wait is between texts and calls: nothing went out for a code the customer was to
   * text us. */
  ready_at = customer->last_sent_at + request->resend_cooldown;
  if (customer->last_sent_at != 0 && customer->channel != PV_CHANNEL_INBOUND && now < ready_at)
    {
      *wait = (guint) (ready_at - now);
      return PV_SEND_REFUSED_COOLDOWN;
    }

  if (now - customer->send_window_started_at < PV_SEND_WINDOW_SECONDS
      && customer->sends_in_window >= request->max_sends_per_hour)
    {
      *wait = (guint) (customer->send_window_started_at + PV_SEND_WINDOW_SECONDS - now);
      return PV_SEND_REFUSED_HOURLY_LIMIT;
    }

  return PV_SEND_GRANTED;
}

/* Codes sent before schema version 6 have no seed, and cannot be made again. A code the
 * customer was to text us was on the screen: sent out, staff could read it back themselves. */
gboolean
_pv_store_keeps_code (const PvSendRequest *request,
                      const PvCustomer    *stored,
                      gint64               now)
{
  return stored != NULL && request->keep_code && stored->code_seed != NULL &&
         stored->channel != PV_CHANNEL_INBOUND &&
         _pv_store_has_live_code (stored, request->max_attempts, now);
}

gboolean
_pv_store_starts_new_window (const PvCustomer *stored,
                             gint64            now)
{
  return now - stored->send_window_started_at >= PV_SEND_WINDOW_SECONDS;
}

/* Says why an attempt was not granted, from the row as it is now (NULL: no such row). */
PvAttemptVerdict
_pv_store_explain_refused_attempt (const PvCustomer *customer,
                                   guint             max_attempts)
{
  if (customer == NULL)
    return PV_ATTEMPT_NOT_FOUND;
  if (customer->status == PV_CUSTOMER_STATUS_VERIFIED)
    return PV_ATTEMPT_VERIFIED;
  if (customer->code_digest == NULL || customer->failed_attempts >= max_attempts)
    return PV_ATTEMPT_LOCKED;

  return PV_ATTEMPT_EXPIRED;
}

gboolean
_pv_store_is_send_event (PvEventKind kind)
{
  return kind == PV_EVENT_CODE_SENT || kind == PV_EVENT_DELIVERY_UPDATE ||
         kind == PV_EVENT_SEND_UNKNOWN || kind == PV_EVENT_SEND_REFUSED;
}

/* A send from before schema version 6 has no channel: it was a text. NONE for a value no
 * version ever wrote. */
PvChannel
_pv_store_channel_or_text (const char *stored,
                           gboolean    was_sent)
{
  PvChannel channel = PV_CHANNEL_NONE;

  if (!pv_channel_from_string (stored, &channel))
    return PV_CHANNEL_NONE;
  if (channel == PV_CHANNEL_NONE && was_sent)
    return PV_CHANNEL_SMS;

  return channel;
}

/* A customer from the row a query selected PV_CUSTOMER_COLUMNS into, or NULL when its
 * status or send state is none this version knows. */
PvCustomer *
_pv_store_customer_from_columns (gconstpointer      row,
                                 PvColumnTextFunc   text,
                                 PvColumnInt64Func  int64)
{
  g_autoptr(PvCustomer) customer = g_new0 (PvCustomer, 1);

  if (!pv_customer_status_from_string (text (row, PV_CUSTOMER_COLUMN_STATUS), &customer->status) ||
      !pv_send_state_from_string (text (row, PV_CUSTOMER_COLUMN_SEND_STATE),
                                  &customer->send_state))
    return NULL;

  customer->id = int64 (row, PV_CUSTOMER_COLUMN_ID);
  customer->number = g_strdup (text (row, PV_CUSTOMER_COLUMN_NUMBER));
  customer->name = g_strdup (text (row, PV_CUSTOMER_COLUMN_NAME));
  customer->code_digest = g_strdup (text (row, PV_CUSTOMER_COLUMN_CODE_DIGEST));
  customer->code_expires_at = int64 (row, PV_CUSTOMER_COLUMN_CODE_EXPIRES_AT);
  customer->failed_attempts = (guint) int64 (row, PV_CUSTOMER_COLUMN_FAILED_ATTEMPTS);
  customer->sends_in_window = (guint) int64 (row, PV_CUSTOMER_COLUMN_SENDS_IN_WINDOW);
  customer->send_window_started_at = int64 (row, PV_CUSTOMER_COLUMN_SEND_WINDOW_STARTED_AT);
  customer->last_sent_at = int64 (row, PV_CUSTOMER_COLUMN_LAST_SENT_AT);
  customer->message_sid = g_strdup (text (row, PV_CUSTOMER_COLUMN_MESSAGE_SID));
  customer->delivery_status = g_strdup (text (row, PV_CUSTOMER_COLUMN_DELIVERY_STATUS));
  customer->delivery_error_code = (int) int64 (row, PV_CUSTOMER_COLUMN_DELIVERY_ERROR_CODE);
  customer->created_at = int64 (row, PV_CUSTOMER_COLUMN_CREATED_AT);
  customer->verified_at = int64 (row, PV_CUSTOMER_COLUMN_VERIFIED_AT);
  customer->updated_at = int64 (row, PV_CUSTOMER_COLUMN_UPDATED_AT);
  customer->send_id = int64 (row, PV_CUSTOMER_COLUMN_SEND_ID);
  customer->send_owner = g_strdup (text (row, PV_CUSTOMER_COLUMN_SEND_OWNER));
  customer->code_seed = g_strdup (text (row, PV_CUSTOMER_COLUMN_CODE_SEED));
  customer->language = g_strdup (text (row, PV_CUSTOMER_COLUMN_LANGUAGE));
  customer->channel = _pv_store_channel_or_text (text (row, PV_CUSTOMER_COLUMN_CHANNEL),
                                                 customer->last_sent_at != 0);

  return g_steal_pointer (&customer);
}

/* What the history says of a finished send, and with which detail. */
PvEventKind
_pv_store_outcome_event (const PvSendOutcome  *outcome,
                         const char          **detail)
{
  switch (outcome->kind)
    {
    case PV_SEND_OUTCOME_SENT:
      *detail = outcome->message_sid;
      return PV_EVENT_CODE_SENT;

    case PV_SEND_OUTCOME_UNKNOWN:
      *detail = outcome->detail;
      return PV_EVENT_SEND_UNKNOWN;

    case PV_SEND_OUTCOME_REFUSED:
      *detail = outcome->detail;
      return PV_EVENT_SEND_REFUSED;

    default:
      g_assert_not_reached ();
    }
}

/* The history tells why a text was not delivered. */
char *
_pv_store_delivery_detail (const char *status,
                           int         error_code)
{
  return error_code != 0 ? g_strdup_printf ("%s %d", status, error_code) : g_strdup (status);
}

static gboolean
is_phone_separator (char c)
{
  return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
}

/* Staff type numbers the way they are printed: "(555) 260-01". */
static gboolean
looks_like_phone_fragment (const char *text)
{
  gboolean has_digit = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        has_digit = TRUE;
      else if (*p != '+' && !is_phone_separator (*p))
        return FALSE;
    }

  return has_digit;
}

static gboolean
has_letter_or_digit (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_isalnum (g_utf8_get_char (p)))
      return TRUE;

  return FALSE;
}

/**
 * _pv_store_classify_search:
 * @search: (nullable): what staff typed, in any encoding
 * @text: (out): what the search looks for: the words, or the number with its separators
 *   taken out ("(555) 26" → "55526"), or the text, trimmed; %NULL for %PV_SEARCH_NONE
 *
 * Returns: the kind of search, which both stores answer with the same meaning
 */
PvSearchKind
_pv_store_classify_search (const char  *search,
                           char       **text)
{
  g_autofree char *trimmed = NULL;
  gboolean digits;

  *text = NULL;
  if (search == NULL)
    return PV_SEARCH_NONE;

  trimmed = g_strstrip (g_utf8_make_valid (search, -1));

  digits = looks_like_phone_fragment (trimmed);
  if (digits)
    {
      char *out = trimmed;

      for (const char *in = trimmed; *in != '\0'; in++)
        if (!is_phone_separator (*in))
          *out++ = *in;
      *out = '\0';
    }

  if (*trimmed == '\0')
    return PV_SEARCH_NONE;

  *text = g_steal_pointer (&trimmed);

  if (!digits)
    return has_letter_or_digit (*text) ? PV_SEARCH_WORDS : PV_SEARCH_ANYWHERE;

  /* A "+" and digits: the start of the number with its calling code, as stored. */
  if ((*text)[0] == '+' && strchr (*text + 1, '+') == NULL)
    return PV_SEARCH_NUMBER_START;

  /* One or two digits: the start of the number, with or without its calling code. */
  if (strlen (*text) < 3 && strchr (*text, '+') == NULL)
    return PV_SEARCH_DIGITS;

  return PV_SEARCH_ANYWHERE;
}

/* "%@text%" for LIKE with a backslash as its escape, @text's own %, _ and backslashes
 * escaped, so that it is found as typed. */
char *
_pv_store_like_pattern (const char *text)
{
  GString *pattern = g_string_new ("%");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *p);
    }
  g_string_append_c (pattern, '%');

  return g_string_free (pattern, FALSE);
}
