/* pv-verifier-texts-us.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The customer proves they hold the phone by texting the office: what counts is that the
 * text comes from their number. The code in it only ties the text to this request, which
 * is why it may be shown on the screen, and why a code typed in never verifies it. */

#define G_LOG_DOMAIN "pv-verifier"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pv-reply.h"
#include "pv-verifier-private.h"

void
pv_texts_us_free (PvTextsUs *texts_us)
{
  if (texts_us == NULL)
    return;

  g_free (texts_us->number);
  g_free (texts_us->office_number);
  if (texts_us->code != NULL)
    explicit_bzero (texts_us->code, strlen (texts_us->code));
  g_free (texts_us->code);
  if (texts_us->body != NULL)
    explicit_bzero (texts_us->body, strlen (texts_us->body));
  g_free (texts_us->body);
  g_free (texts_us);
}

static void
text_received_cb (PvInboundWatcher *watcher,
                  const char       *number,
                  const char       *body,
                  const char       *sid,
                  PvVerifier       *self)
{
  /* Told to staff through ::update; the message SID is the only trace of it in the log. */
  g_debug ("Text %s from a customer awaited", sid);
  pv_verifier_read_text (self, number, body, NULL);
}

static void
expired_cb (PvInboundWatcher *watcher,
            const char       *number,
            PvVerifier       *self)
{
  g_autofree char *shown = _pv_verifier_display_number (self, number);
  g_autoptr(PvCustomer) current = pv_store_lookup (self->store, number, NULL);

  /* Verified meanwhile by a text another desk read, or by a code sent out since; a texted
   * code that could also be replied to simply expires, as any texted code does. */
  if (current == NULL || current->status == PV_CUSTOMER_STATUS_VERIFIED ||
      current->channel != PV_CHANNEL_INBOUND)
    return;

  _pv_verifier_emit_update (self, PV_UPDATE_ERROR, PV_UPDATE_ACTION_NONE,
                            _("No text came from %s before the code expired."), shown);
  g_signal_emit (self, _pv_verifier_signals[AWAITING_ENDED], 0, number);
}

static void
poll_failed_cb (PvInboundWatcher *watcher,
                const GError     *error,
                PvVerifier       *self)
{
  _pv_verifier_emit_update (self, PV_UPDATE_ERROR, PV_UPDATE_ACTION_NONE,
                            _("Could not ask Twilio for the customer’s text: %s Trying again."),
                            error->message);
}

void
_pv_verifier_await_text (PvVerifier *self,
                         const char *number,
                         gint64      since,
                         gint64      until)
{
  if (self->inbound == NULL)
    {
      self->inbound = pv_inbound_watcher_new (self->client, self->clock);
      if (self->inbound_interval > 0)
        pv_inbound_watcher_set_interval (self->inbound, self->inbound_interval);
      g_signal_connect (self->inbound, "text-received", G_CALLBACK (text_received_cb), self);
      g_signal_connect (self->inbound, "expired", G_CALLBACK (expired_cb), self);
      g_signal_connect (self->inbound, "poll-failed", G_CALLBACK (poll_failed_cb), self);
    }

  pv_inbound_watcher_watch (self->inbound, number, since, until);
}

/**
 * pv_verifier_is_awaiting_text:
 * @number: an E.164 number
 *
 * Returns: whether this verifier is asking Twilio for a text from @number
 */
gboolean
pv_verifier_is_awaiting_text (PvVerifier *self,
                              const char *number)
{
  g_return_val_if_fail (PV_IS_VERIFIER (self), FALSE);

  return self->inbound != NULL && pv_inbound_watcher_is_watching (self->inbound, number);
}

/**
 * pv_verifier_stop_awaiting_text:
 * @number: an E.164 number
 *
 * Stops asking for a text from @number, as when staff go back. The code stays valid: a
 * text that comes later verifies the number when anyone awaits it again.
 */
void
pv_verifier_stop_awaiting_text (PvVerifier *self,
                                const char *number)
{
  g_return_if_fail (PV_IS_VERIFIER (self));
  g_return_if_fail (number != NULL);

  if (self->inbound != NULL)
    pv_inbound_watcher_unwatch (self->inbound, number);
}

/**
 * pv_verifier_set_inbound_interval:
 * @milliseconds: how long between two questions to Twilio while a text is awaited
 */
void
pv_verifier_set_inbound_interval (PvVerifier *self,
                                  guint       milliseconds)
{
  g_return_if_fail (PV_IS_VERIFIER (self));
  g_return_if_fail (milliseconds > 0);

  self->inbound_interval = milliseconds;
  if (self->inbound != NULL)
    pv_inbound_watcher_set_interval (self->inbound, milliseconds);
}

static gboolean
report_text (PvVerifier      *self,
             GError         **error,
             PvVerifierError  code,
             PvUpdateKind     kind,
             const char      *message)
{
  return _pv_verifier_report_failure (self, error,
                                      g_error_new_literal (PV_VERIFIER_ERROR, code, message),
                                      kind, PV_UPDATE_ACTION_NONE, FALSE);
}

/**
 * pv_verifier_read_text:
 * @number: the E.164 number the text came from, as Twilio says
 * @body: what it says
 *
 * Acts on a text a customer sent the office: a code in it is checked like a code read out
 * (an attempt is counted, and only the live code verifies), whichever way that code went
 * out. STOP and its like are told to staff, since Twilio will not text the customer
 * until they reply START.
 *
 * Returns: %TRUE if the number is now verified
 */
gboolean
pv_verifier_read_text (PvVerifier  *self,
                       const char  *number,
                       const char  *body,
                       GError     **error)
{
  g_autofree char *shown = NULL;
  g_autofree char *message = NULL;
  g_autofree char *code = NULL;
  gboolean verified;

  g_return_val_if_fail (PV_IS_VERIFIER (self), FALSE);
  g_return_val_if_fail (number != NULL, FALSE);

  shown = _pv_verifier_display_number (self, number);

  switch (pv_reply_read (body, &code))
    {
    case PV_REPLY_OPT_OUT:
      message = g_strdup_printf (_("%s replied STOP: Twilio will not deliver texts to them "
                                   "until they reply START. A code they text us still "
                                   "counts."),
                                 shown);
      return report_text (self, error, PV_VERIFIER_ERROR_OPTED_OUT, PV_UPDATE_ERROR, message);

    case PV_REPLY_OPT_IN:
      message = g_strdup_printf (_("%s replied START: texts can reach them again, but the "
                                   "reply held no code."),
                                 shown);
      return report_text (self, error, PV_VERIFIER_ERROR_NO_CODE_IN_TEXT, PV_UPDATE_INFO,
                          message);

    case PV_REPLY_HELP:
    case PV_REPLY_OTHER:
      message = g_strdup_printf (_("%s texted the office, but the text holds no code. Ask "
                                   "them to send the code alone."),
                                 shown);
      return report_text (self, error, PV_VERIFIER_ERROR_NO_CODE_IN_TEXT, PV_UPDATE_INFO,
                          message);

    case PV_REPLY_CODE:
    default:
      break;
    }

  if (self->digest_key == NULL)
    {
      g_autoptr(GError) reason = NULL;

      explicit_bzero (code, strlen (code));
      _pv_verifier_check_configured (self, &reason);
      return _pv_verifier_report_failure (self, error, g_steal_pointer (&reason),
                                          PV_UPDATE_ERROR, PV_UPDATE_ACTION_OPEN_PREFERENCES,
                                          FALSE);
    }

  verified = _pv_verifier_check_code (self, number, code, FALSE, error);
  explicit_bzero (code, strlen (code));

  return verified;
}
