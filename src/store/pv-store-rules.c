/* pv-store-rules.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

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

  if (!request->resend && _pv_store_has_live_code (customer, request->max_attempts, now))
    return PV_SEND_REFUSED_LIVE_CODE;

  ready_at = customer->last_sent_at + request->resend_cooldown;
  if (customer->last_sent_at != 0 && now < ready_at)
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

/* Codes sent before schema version 6 have no seed, and cannot be made again. */
gboolean
_pv_store_keeps_code (const PvSendRequest *request,
                      const PvCustomer    *stored,
                      gint64               now)
{
  return stored != NULL && request->keep_code && stored->code_seed != NULL &&
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

/* The history tells why a text was not delivered. */
char *
_pv_store_delivery_detail (const char *status,
                           int         error_code)
{
  return error_code != 0 ? g_strdup_printf ("%s %d", status, error_code) : g_strdup (status);
}
