/* pv-customer.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pv-customer"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "pv-customer.h"

G_DEFINE_BOXED_TYPE (PvCustomer, pv_customer, pv_customer_copy, pv_customer_free)
G_DEFINE_BOXED_TYPE (PvEvent, pv_event, pv_event_copy, pv_event_free)

/* These words are stored in the database: never change or translate them. */
static const char * const status_strings[] = {
  [PV_CUSTOMER_STATUS_PENDING] = "pending",
  [PV_CUSTOMER_STATUS_VERIFIED] = "verified",
};

static const char * const event_kind_strings[] = {
  [PV_EVENT_NONE] = NULL,
  [PV_EVENT_CODE_SENT] = "code-sent",
  [PV_EVENT_DELIVERY_UPDATE] = "delivery-update",
  [PV_EVENT_CHECK_FAILED] = "check-failed",
  [PV_EVENT_VERIFIED] = "verified",
  [PV_EVENT_DELETED] = "deleted",
  [PV_EVENT_SEND_UNKNOWN] = "send-unknown",
  [PV_EVENT_SEND_REFUSED] = "send-refused",
  [PV_EVENT_RENAMED] = "renamed",
  [PV_EVENT_LANGUAGE_SET] = "language-set",
};

/* NONE is stored as NULL. */
static const char * const send_state_strings[] = {
  [PV_SEND_STATE_NONE] = NULL,
  [PV_SEND_STATE_SENDING] = "sending",
  [PV_SEND_STATE_SENT] = "sent",
  [PV_SEND_STATE_UNKNOWN] = "unknown",
};

/* NONE is stored as NULL. */
static const char * const channel_strings[] = {
  [PV_CHANNEL_NONE] = NULL,
  [PV_CHANNEL_SMS] = "sms",
  [PV_CHANNEL_CALL] = "call",
  [PV_CHANNEL_INBOUND] = "inbound",
};

/* Where a NULL @string stands for the first value: finds @string in @strings[1…]. */
static gboolean
find_nullable_string (const char * const *strings,
                      guint               n_strings,
                      const char         *string,
                      guint              *index)
{
  if (string == NULL)
    {
      *index = 0;
      return TRUE;
    }

  for (guint i = 1; i < n_strings; i++)
    {
      if (g_str_equal (string, strings[i]))
        {
          *index = i;
          return TRUE;
        }
    }

  return FALSE;
}

PvCustomer *
pv_customer_new (const char *number)
{
  PvCustomer *self;

  g_return_val_if_fail (number != NULL, NULL);

  self = g_new0 (PvCustomer, 1);
  self->number = g_strdup (number);
  self->status = PV_CUSTOMER_STATUS_PENDING;

  return self;
}

PvCustomer *
pv_customer_copy (const PvCustomer *self)
{
  PvCustomer *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->number = g_strdup (self->number);
  copy->name = g_strdup (self->name);
  copy->code_digest = g_strdup (self->code_digest);
  copy->message_sid = g_strdup (self->message_sid);
  copy->delivery_status = g_strdup (self->delivery_status);
  copy->send_owner = g_strdup (self->send_owner);
  copy->code_seed = g_strdup (self->code_seed);
  copy->language = g_strdup (self->language);

  return copy;
}

void
pv_customer_free (PvCustomer *self)
{
  if (self == NULL)
    return;

  g_free (self->number);
  g_free (self->name);
  g_free (self->code_digest);
  g_free (self->message_sid);
  g_free (self->delivery_status);
  g_free (self->send_owner);
  if (self->code_seed != NULL)
    explicit_bzero (self->code_seed, strlen (self->code_seed));
  g_free (self->code_seed);
  g_free (self->language);
  g_free (self);
}

/* Returns NULL for a value outside the enumeration. */
const char *
pv_customer_status_to_string (PvCustomerStatus status)
{
  if ((guint) status >= G_N_ELEMENTS (status_strings))
    return NULL;

  return status_strings[status];
}

gboolean
pv_customer_status_from_string (const char       *string,
                                PvCustomerStatus *status)
{
  g_return_val_if_fail (status != NULL, FALSE);

  if (string == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (status_strings); i++)
    {
      if (g_str_equal (string, status_strings[i]))
        {
          *status = (PvCustomerStatus) i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
pv_send_state_to_string (PvSendState state)
{
  if ((guint) state >= G_N_ELEMENTS (send_state_strings))
    return NULL;

  return send_state_strings[state];
}

/* A NULL @string is NONE. */
gboolean
pv_send_state_from_string (const char  *string,
                           PvSendState *state)
{
  guint index;

  g_return_val_if_fail (state != NULL, FALSE);

  if (!find_nullable_string (send_state_strings, G_N_ELEMENTS (send_state_strings), string,
                             &index))
    return FALSE;

  *state = (PvSendState) index;
  return TRUE;
}

const char *
pv_channel_to_string (PvChannel channel)
{
  if ((guint) channel >= G_N_ELEMENTS (channel_strings))
    return NULL;

  return channel_strings[channel];
}

/* A NULL @string is NONE. */
gboolean
pv_channel_from_string (const char *string,
                        PvChannel  *channel)
{
  guint index;

  g_return_val_if_fail (channel != NULL, FALSE);

  if (!find_nullable_string (channel_strings, G_N_ELEMENTS (channel_strings), string, &index))
    return FALSE;

  *channel = (PvChannel) index;
  return TRUE;
}

/* Twilio's SIDs say what they name: CA… is a call, SM… and MM… are messages. */
PvChannel
pv_channel_from_sid (const char *sid)
{
  if (sid == NULL)
    return PV_CHANNEL_NONE;
  if (g_str_has_prefix (sid, "CA"))
    return PV_CHANNEL_CALL;
  if (g_str_has_prefix (sid, "SM") || g_str_has_prefix (sid, "MM"))
    return PV_CHANNEL_SMS;

  return PV_CHANNEL_NONE;
}

PvEvent *
pv_event_new (const char  *number,
              PvEventKind  kind,
              const char  *detail,
              gint64       time)
{
  PvEvent *self;

  g_return_val_if_fail (number != NULL, NULL);

  self = g_new0 (PvEvent, 1);
  self->number = g_strdup (number);
  self->kind = kind;
  self->detail = g_strdup (detail);
  self->time = time;

  return self;
}

PvEvent *
pv_event_copy (const PvEvent *self)
{
  PvEvent *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->number = g_strdup (self->number);
  copy->detail = g_strdup (self->detail);

  return copy;
}

void
pv_event_free (PvEvent *self)
{
  if (self == NULL)
    return;

  g_free (self->number);
  g_free (self->detail);
  g_free (self);
}

/* Returns NULL for PV_EVENT_NONE, which is never stored, and for values outside the enumeration. */
const char *
pv_event_kind_to_string (PvEventKind kind)
{
  if ((guint) kind >= G_N_ELEMENTS (event_kind_strings))
    return NULL;

  return event_kind_strings[kind];
}

gboolean
pv_event_kind_from_string (const char  *string,
                           PvEventKind *kind)
{
  g_return_val_if_fail (kind != NULL, FALSE);

  if (string == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (event_kind_strings); i++)
    {
      if (event_kind_strings[i] != NULL && g_str_equal (string, event_kind_strings[i]))
        {
          *kind = (PvEventKind) i;
          return TRUE;
        }
    }

  return FALSE;
}
