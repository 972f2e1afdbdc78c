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

static char *read_code_in_text (PvVerifier  *self,
                                 const char  *number,
                                 const char  *body,
                                 GError     **error);

static void
text_checked_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  /* Staff were told the outcome through ::update. */
  pv_verifier_verify_finish (PV_VERIFIER (object), result, NULL, NULL);
}

static void
text_received_cb (PvInboundWatcher *watcher,
                  const char       *number,
                  const char       *body,
                  const char       *sid,
                  PvVerifier       *self)
{
  g_autofree char *code = NULL;

  /* Told to staff through ::update; the message SID is the only trace of it in the log. */
  g_debug ("Text %s from a customer awaited", sid);
  code = read_code_in_text (self, number, body, NULL);
  if (code == NULL)
    return;

  _pv_verifier_check_code_async (self, number, code, FALSE, sid, NULL, text_checked_cb, NULL);
  explicit_bzero (code, strlen (code));
}

static void
expired_lookup_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PvVerifier) self = user_data;
  g_autoptr(PvCustomer) current = NULL;
  g_autofree char *shown = NULL;

  current = pv_store_queue_lookup_finish (PV_STORE_QUEUE (object), result, NULL);

  /* Verified meanwhile by a text another desk read, or by a code sent out since; a texted
   * code that could also be replied to simply expires, as any texted code does. */
  if (current == NULL || current->status == PV_CUSTOMER_STATUS_VERIFIED ||
      current->channel != PV_CHANNEL_INBOUND)
    return;

  shown = _pv_verifier_display_number (self, current->number);
  _pv_verifier_emit_update (self, PV_UPDATE_ERROR, PV_UPDATE_ACTION_NONE,
                            _("No text came from %s before the code expired."), shown);
  g_signal_emit (self, _pv_verifier_signals[AWAITING_ENDED], 0, current->number);
}

static void
expired_cb (PvInboundWatcher *watcher,
            const char       *number,
            PvVerifier       *self)
{
  pv_store_queue_lookup_async (self->queue, number, NULL, expired_lookup_cb,
                               g_object_ref (self));
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

/* What a text says, told to staff unless it holds a code. Returns the code to check, or
 * NULL. */
static char *
read_code_in_text (PvVerifier  *self,
                   const char  *number,
                   const char  *body,
                   GError     **error)
{
  g_autofree char *shown = _pv_verifier_display_number (self, number);
  g_autofree char *message = NULL;
  g_autofree char *code = NULL;

  switch (pv_reply_read (body, &code))
    {
    case PV_REPLY_OPT_OUT:
      message = g_strdup_printf (_("%s replied STOP: Twilio will not deliver texts to them "
                                   "until they reply START. A code they text us still "
                                   "counts."),
                                 shown);
      report_text (self, error, PV_VERIFIER_ERROR_OPTED_OUT, PV_UPDATE_ERROR, message);
      return NULL;

    case PV_REPLY_OPT_IN:
      message = g_strdup_printf (_("%s replied START: texts can reach them again, but the "
                                   "reply held no code."),
                                 shown);
      report_text (self, error, PV_VERIFIER_ERROR_NO_CODE_IN_TEXT, PV_UPDATE_INFO, message);
      return NULL;

    case PV_REPLY_HELP:
    case PV_REPLY_OTHER:
      message = g_strdup_printf (_("%s texted the office, but the text holds no code. Ask "
                                   "them to send the code alone."),
                                 shown);
      report_text (self, error, PV_VERIFIER_ERROR_NO_CODE_IN_TEXT, PV_UPDATE_INFO, message);
      return NULL;

    case PV_REPLY_CODE:
    default:
      break;
    }

  if (self->digest_key == NULL)
    {
      g_autoptr(GError) reason = NULL;

      explicit_bzero (code, strlen (code));
      _pv_verifier_check_configured (self, &reason);
      _pv_verifier_report_failure (self, error, g_steal_pointer (&reason), PV_UPDATE_ERROR,
                                   PV_UPDATE_ACTION_OPEN_PREFERENCES, FALSE);
      return NULL;
    }

  return g_steal_pointer (&code);
}

/**
 * pv_verifier_read_text:
 * @number: the E.164 number the text came from, as Twilio says
 * @body: what it says
 * @sid: (nullable): its message SID, which the verification's event keeps
 *
 * Acts on a text a customer sent the office: a code in it is checked like a code read out
 * (an attempt is counted, and only the live code verifies), whichever way that code went
 * out. STOP and its like are told to staff, since Twilio will not text the customer
 * until they reply START. This waits for the store; the texts the verifier awaits itself
 * are checked on its store queue.
 *
 * Returns: %TRUE if the number is now verified
 */
gboolean
pv_verifier_read_text (PvVerifier  *self,
                       const char  *number,
                       const char  *body,
                       const char  *sid,
                       GError     **error)
{
  g_autofree char *code = NULL;
  gboolean verified;

  g_return_val_if_fail (PV_IS_VERIFIER (self), FALSE);
  g_return_val_if_fail (number != NULL, FALSE);

  code = read_code_in_text (self, number, body, error);
  if (code == NULL)
    return FALSE;

  verified = _pv_verifier_check_code (self, number, code, FALSE, sid, error);
  explicit_bzero (code, strlen (code));

  return verified;
}
