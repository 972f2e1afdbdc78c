/* pv-send-status.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* One line for where the last send stands, the same in the window and on the command
 * line. Texts and calls share some of Twilio's words ("queued", "failed") but not their
 * meaning, so the channel decides. */

#include "config.h"

#include <glib/gi18n.h>

#include "pv-send-status.h"
#include "pv-twilio-error.h"

static char *
describe_text (const char       *status,
               int               error_code,
               PvSendStatusTone *tone)
{
  if (g_strcmp0 (status, "sent") == 0)
    return g_strdup (C_("delivery", "Sent"));

  if (g_strcmp0 (status, "delivered") == 0)
    {
      *tone = PV_SEND_STATUS_DONE;
      return g_strdup (C_("delivery", "Delivered"));
    }

  if (g_strcmp0 (status, "undelivered") == 0 || g_strcmp0 (status, "failed") == 0)
    {
      *tone = PV_SEND_STATUS_FAILED;
      /* Translators: %s says why, e.g. “The phone is switched off or out of coverage.” */
      return g_strdup_printf (_("Not delivered: %s"),
                              pv_twilio_error_describe_delivery (error_code));
    }

  return g_strdup (C_("delivery", "Sending…"));
}

static char *
describe_call (const char       *status,
               int               error_code,
               PvSendStatusTone *tone)
{
  if (g_strcmp0 (status, "ringing") == 0)
    return g_strdup (C_("call", "Ringing…"));

  if (g_strcmp0 (status, "in-progress") == 0)
    return g_strdup (C_("call", "Answered: the code is being read out"));

  if (g_strcmp0 (status, "completed") == 0)
    {
      *tone = PV_SEND_STATUS_DONE;
      return g_strdup (C_("call", "Call ended: the code was read out"));
    }

  *tone = PV_SEND_STATUS_FAILED;
  if (g_strcmp0 (status, "busy") == 0)
    return g_strdup (C_("call", "Busy: the call was not answered"));
  if (g_strcmp0 (status, "no-answer") == 0)
    return g_strdup (C_("call", "No answer"));
  if (g_strcmp0 (status, "canceled") == 0)
    return g_strdup (C_("call", "Cancelled before it rang"));
  if (g_strcmp0 (status, "failed") == 0)
    /* Translators: %s says why, e.g. “Twilio cannot call this number.” */
    return g_strdup_printf (C_("call", "Call failed: %s"),
                            pv_twilio_error_describe_call_failure (error_code));

  *tone = PV_SEND_STATUS_UNDER_WAY;
  return g_strdup (C_("call", "Calling…"));
}

/**
 * pv_send_status_describe:
 * @status: (nullable): Twilio's word for the message or call, %NULL before it answered
 * @error_code: the reason Twilio gave for a failure, or 0
 * @tone: (out): how it went, for an icon or a colour
 *
 * Returns: (transfer full): the line staff read
 */
char *
pv_send_status_describe (PvChannel         channel,
                         const char       *status,
                         int               error_code,
                         PvSendStatusTone *tone)
{
  g_return_val_if_fail (tone != NULL, NULL);

  *tone = PV_SEND_STATUS_UNDER_WAY;

  if (channel == PV_CHANNEL_CALL)
    return describe_call (status, error_code, tone);

  return describe_text (status, error_code, tone);
}
