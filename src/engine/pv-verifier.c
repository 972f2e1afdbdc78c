/* pv-verifier.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The verification flow. Its signals mirror the events of the web tutorial it replaces
 * (code_generated, update, reset, verified), so a page can follow it the same way; what
 * changed is underneath: random codes stored as keyed digests, expiry, attempt and send
 * limits, E.164 numbers, and Twilio errors explained one by one.
 *
 * Every outcome is reported twice: as an "update" for staff, and as the result of the
 * call for code that needs to branch on it. */

#define G_LOG_DOMAIN "pv-verifier"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "pv-code.h"
#include "pv-country.h"
#include "pv-engine-enums.h"
#include "pv-message-template.h"
#include "pv-phone-number.h"
#include "pv-process-owner.h"
#include "pv-twilio-error.h"
#include "pv-verifier-private.h"


G_DEFINE_FINAL_TYPE (PvVerifier, pv_verifier, G_TYPE_OBJECT)

G_DEFINE_QUARK (pv-verifier-error-quark, pv_verifier_error)

enum {
  PROP_0,
  PROP_DEFAULT_COUNTRY,
  PROP_SERVED_COUNTRIES,
  PROP_CODE_LENGTH,
  PROP_CODE_LIFETIME,
  PROP_MAX_ATTEMPTS,
  PROP_RESEND_COOLDOWN,
  PROP_MAX_SENDS_PER_HOUR,
  PROP_DELIVERY_TIMEOUT,
  PROP_POLL_INTERVAL,
  PROP_CHECK_LINE_TYPE,
  PROP_REPLY_TO_CONFIRM,
  N_PROPS
};


static GParamSpec *properties[N_PROPS];
guint _pv_verifier_signals[N_SIGNALS];

void
_pv_verifier_emit_update (PvVerifier     *self,
             PvUpdateKind    kind,
             PvUpdateAction  action,
             const char     *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_signal_emit (self, _pv_verifier_signals[UPDATE], 0, message, kind, action);
}

/* Reports @error to staff as it is: every error that reaches here already carries a clear,
 * translated message. */
void
_pv_verifier_emit_error_update (PvVerifier     *self,
                   const GError   *error,
                   PvUpdateAction  action)
{
  g_signal_emit (self, _pv_verifier_signals[UPDATE], 0, error->message, PV_UPDATE_ERROR, action);
}

/* The button for what staff can do about a Twilio problem. */
PvUpdateAction
_pv_verifier_action_for_next_step (PvTwilioNextStep step)
{
  switch (step)
    {
    case PV_TWILIO_NEXT_STEP_RETRY:
      return PV_UPDATE_ACTION_RETRY;

    case PV_TWILIO_NEXT_STEP_CHECK_SETTINGS:
      return PV_UPDATE_ACTION_OPEN_PREFERENCES;

    case PV_TWILIO_NEXT_STEP_SEND_NEW_CODE:
      return PV_UPDATE_ACTION_RESEND;

    /* What was typed stays, to be corrected rather than typed again. */
    case PV_TWILIO_NEXT_STEP_CHANGE_NUMBER:
      return PV_UPDATE_ACTION_EDIT_NUMBER;

    case PV_TWILIO_NEXT_STEP_GEO_PERMISSIONS:
      return PV_UPDATE_ACTION_OPEN_GEO_PERMISSIONS;

    case PV_TWILIO_NEXT_STEP_VERIFIED_NUMBERS:
      return PV_UPDATE_ACTION_OPEN_VERIFIED_NUMBERS;

    case PV_TWILIO_NEXT_STEP_VOICE_GEO_PERMISSIONS:
      return PV_UPDATE_ACTION_OPEN_VOICE_GEO_PERMISSIONS;

    /* A button that cannot fix it would only send staff in circles. */
    case PV_TWILIO_NEXT_STEP_NONE:
    default:
      return PV_UPDATE_ACTION_NONE;
    }
}

/* Tells staff why, then hands @reason to the caller. Always returns %FALSE. */
gboolean
_pv_verifier_report_failure (PvVerifier      *self,
                GError         **error,
                GError          *reason,
                PvUpdateKind     kind,
                PvUpdateAction   action,
                gboolean         reset)
{
  g_signal_emit (self, _pv_verifier_signals[UPDATE], 0, reason->message, kind, action);
  if (reset)
    g_signal_emit (self, _pv_verifier_signals[RESET], 0);
  g_propagate_error (error, reason);

  return FALSE;
}

gboolean
_pv_verifier_check_configured (PvVerifier  *self,
                  GError     **error)
{
  if (self->digest_key == NULL || !pv_twilio_client_has_credentials (self->client))
    {
      g_set_error_literal (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_NOT_CONFIGURED,
                           _("Connect your Twilio account in Preferences to send codes."));
      return FALSE;
    }

  return TRUE;
}

/* Staff read numbers back to customers, so messages show them the way the office writes
 * them; only storage and the wire keep E.164. */
char *
_pv_verifier_display_number (PvVerifier *self,
                             const char *e164)
{
  return pv_phone_number_format_for_display (e164, self->default_country);
}

static void
stop_and_unref_tracker (PvPollTracker *tracker)
{
  pv_poll_tracker_stop (tracker);
  g_object_unref (tracker);
}

/* Follows a text or a call: one at a time per number, so a new one replaces the last. */
static void
follow_send (PvVerifier    *self,
             const char    *number,
             PvPollTracker *tracker,
             GCallback      status_changed_cb,
             GCallback      finished_cb)
{
  g_object_set (tracker,
                "initial-interval", self->poll_interval,
                "timeout", self->delivery_timeout,
                NULL);
  g_object_set_data_full (G_OBJECT (tracker), "number", g_strdup (number), g_free);
  g_signal_connect_object (tracker, "status-changed", status_changed_cb, self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (tracker, "finished", finished_cb, self, G_CONNECT_SWAPPED);

  g_hash_table_replace (self->trackers, g_strdup (number), g_object_ref (tracker));
  pv_poll_tracker_start (tracker);
}

/* Only forgets the tracker if it is still the current one for its number. */
static void
forget_tracker (PvVerifier    *self,
                const char    *number,
                PvPollTracker *tracker)
{
  if (g_hash_table_lookup (self->trackers, number) == tracker)
    g_hash_table_remove (self->trackers, number);
}

/* A send's progress, recorded on the store queue while it is the customer's current send,
 * then told from the main thread. */
typedef struct _DeliveryRecord DeliveryRecord;
typedef void (*DeliveryRecorded) (PvVerifier     *self,
                                  DeliveryRecord *record);

struct _DeliveryRecord
{
  PvVerifier       *verifier;
  char             *number;
  char             *sid;
  char             *status;
  int               error_code;
  int               failure_code;     /* a failed call's reason */
  gboolean          record;           /* FALSE: only read the customer */
  gboolean          look_up;          /* read the customer once recorded */
  DeliveryRecorded  recorded;         /* (nullable) what to tell once recorded */

  gboolean          applied;
  PvCustomer       *current;
  GError           *error;
};

static void
delivery_record_free (DeliveryRecord *record)
{
  g_object_unref (record->verifier);
  g_free (record->number);
  g_free (record->sid);
  g_free (record->status);
  g_clear_pointer (&record->current, pv_customer_free);
  g_clear_error (&record->error);
  g_free (record);
}

static gboolean
record_delivery_job (PvStore   *store,
                     gpointer   data,
                     GError   **error)
{
  DeliveryRecord *record = data;

  record->applied = TRUE;
  if (record->record &&
      !pv_store_record_delivery (store, record->number, record->sid, record->status,
                                 record->error_code, &record->applied, &record->error))
    return TRUE;

  if (record->applied && record->look_up)
    record->current = pv_store_lookup (store, record->number, NULL);

  return TRUE;
}

static void
delivery_recorded_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  DeliveryRecord *record = user_data;
  PvVerifier *self = record->verifier;

  pv_store_queue_run_finish (PV_STORE_QUEUE (object), result, NULL);

  if (record->error != NULL)
    _pv_verifier_emit_error_update (self, record->error, PV_UPDATE_ACTION_NONE);
  else if (record->applied)
    {
      if (record->record)
        g_signal_emit (self, _pv_verifier_signals[DELIVERY_CHANGED], 0,
                       record->number, record->status, record->error_code);
      if (record->recorded != NULL)
        record->recorded (self, record);
    }

  delivery_record_free (record);
}

/* Only for the customer's current send: after a deletion or a newer code, this one no
 * longer matters. */
static DeliveryRecord *
delivery_record_new (PvVerifier *self,
                     const char *number,
                     const char *sid,
                     const char *status,
                     int         error_code)
{
  DeliveryRecord *record = g_new0 (DeliveryRecord, 1);

  record->verifier = g_object_ref (self);
  record->number = g_strdup (number);
  record->sid = g_strdup (sid);
  record->status = g_strdup (status);
  record->error_code = error_code;
  record->record = TRUE;

  return record;
}

static void
record_delivery (PvVerifier     *self,
                 DeliveryRecord *record)
{
  pv_store_queue_run_async (self->queue, record_delivery_job, record, NULL,
                            delivery_recorded_cb, record);
}

static void
report_undelivered (PvVerifier     *self,
                    DeliveryRecord *record)
{
  g_autofree char *shown = NULL;

  if (!g_str_equal (record->status, "undelivered") && !g_str_equal (record->status, "failed"))
    return;

  shown = _pv_verifier_display_number (self, record->number);
  _pv_verifier_emit_update (self, PV_UPDATE_ERROR,
             _pv_verifier_action_for_next_step (
               pv_twilio_error_get_delivery_next_step (record->error_code)),
             /* Translators: %s is a phone number, then the reason Twilio gave */
             _("The code could not be delivered to %s. %s"),
             shown, pv_twilio_error_describe_delivery (record->error_code));
}

static void
delivery_status_changed_cb (PvVerifier        *self,
                            PvTwilioMessage   *message,
                            PvDeliveryTracker *tracker)
{
  DeliveryRecord *record;

  record = delivery_record_new (self, g_object_get_data (G_OBJECT (tracker), "number"),
                                message->sid, message->status, message->error_code);
  record->recorded = report_undelivered;
  record_delivery (self, record);
}

static void
delivery_finished_cb (PvVerifier              *self,
                      PvDeliveryTrackerResult  result,
                      PvDeliveryTracker       *tracker)
{
  forget_tracker (self, g_object_get_data (G_OBJECT (tracker), "number"),
                  PV_POLL_TRACKER (tracker));
}

void
_pv_verifier_track_delivery (PvVerifier            *self,
                const char            *number,
                const PvTwilioMessage *message)
{
  g_autoptr(PvDeliveryTracker) tracker = NULL;

  if (pv_twilio_message_is_final (message))
    return;

  tracker = pv_delivery_tracker_new (self->client, message->sid, message->status);
  follow_send (self, number, PV_POLL_TRACKER (tracker),
               G_CALLBACK (delivery_status_changed_cb), G_CALLBACK (delivery_finished_cb));
}

static void
call_status_changed_cb (PvVerifier         *self,
                        const PvTwilioCall *call,
                        PvCallTracker      *tracker)
{
  const char *number = g_object_get_data (G_OBJECT (tracker), "number");

  /* A failed call's reason comes with "finished", once the notifications are read. */
  if (!g_str_equal (call->status, "failed"))
    record_delivery (self, delivery_record_new (self, number, call->sid, call->status, 0));
}

/* How a call that did not read the code out ended, for staff. */
static void
report_unanswered_call (PvVerifier *self,
                        const char *number,
                        const char *status,
                        int         failure_code)
{
  g_autofree char *shown = _pv_verifier_display_number (self, number);

  if (g_str_equal (status, "busy"))
    _pv_verifier_emit_update (self, PV_UPDATE_ERROR, PV_UPDATE_ACTION_TEXT_INSTEAD,
                              _("The line of %s was busy. Call again in a moment, or text "
                                "the code instead."),
                              shown);
  else if (g_str_equal (status, "no-answer"))
    _pv_verifier_emit_update (self, PV_UPDATE_ERROR, PV_UPDATE_ACTION_TEXT_INSTEAD,
                              _("Nobody answered the call to %s. Call again later, or text "
                                "the code instead."),
                              shown);
  else if (g_str_equal (status, "canceled"))
    _pv_verifier_emit_update (self, PV_UPDATE_ERROR, PV_UPDATE_ACTION_TEXT_INSTEAD,
                              _("The call to %s was cancelled before it rang."), shown);
  else
    /* Translators: %s is a phone number, then the reason Twilio gave */
    _pv_verifier_emit_update (self, PV_UPDATE_ERROR, PV_UPDATE_ACTION_TEXT_INSTEAD,
                              _("The call to %s could not be made. %s"),
                              shown, pv_twilio_error_describe_call_failure (failure_code));
}

/* Told only while the call is still the customer's current send, and the code still
 * unread. */
static void
report_unanswered_if_current (PvVerifier     *self,
                              DeliveryRecord *record)
{
  const PvCustomer *customer = record->current;

  if (customer != NULL && customer->status == PV_CUSTOMER_STATUS_PENDING &&
      g_strcmp0 (customer->message_sid, record->sid) == 0)
    report_unanswered_call (self, record->number, record->status, record->failure_code);
}

static void
call_finished_cb (PvVerifier          *self,
                  PvCallTrackerResult  result,
                  PvCallTracker       *tracker)
{
  g_autofree char *number = g_strdup (g_object_get_data (G_OBJECT (tracker), "number"));
  const char *status = pv_call_tracker_get_status (tracker);
  DeliveryRecord *record;

  record = delivery_record_new (self, number, pv_call_tracker_get_call_sid (tracker), status,
                                pv_call_tracker_get_failure_code (tracker));
  record->failure_code = pv_call_tracker_get_failure_code (tracker);
  record->record = g_str_equal (status, "failed");
  record->look_up = result == PV_CALL_TRACKER_FINAL && !g_str_equal (status, "completed");
  if (record->look_up)
    record->recorded = report_unanswered_if_current;

  if (record->record || record->look_up)
    record_delivery (self, record);
  else
    delivery_record_free (record);

  forget_tracker (self, number, PV_POLL_TRACKER (tracker));
}

void
_pv_verifier_track_call (PvVerifier         *self,
                         const char         *number,
                         const PvTwilioCall *call)
{
  g_autoptr(PvCallTracker) tracker = NULL;

  if (pv_twilio_call_is_final (call))
    return;

  tracker = pv_call_tracker_new (self->client, call->sid, call->status);
  follow_send (self, number, PV_POLL_TRACKER (tracker),
               G_CALLBACK (call_status_changed_cb), G_CALLBACK (call_finished_cb));
}

/* Customers read codes out loud, and staff type what they hear: "123 456" or "123-456".
 * More digits than any code has is said as such rather than cut to length: the extra
 * digits are a slip or something else pasted, and a cut could turn them into a match. */
static char *
clean_code (const char  *code,
            GError     **error)
{
  gsize n_digits = 0;
  GString *digits;

  for (const char *p = code; p != NULL && *p != '\0'; p++)
    {
      if (*p == ' ' || *p == '-')
        continue;
      if (!g_ascii_isdigit (*p))
        {
          g_set_error_literal (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_INVALID_CODE,
                               _("Enter the code the customer received, using digits only."));
          return NULL;
        }
      n_digits++;
    }

  if (n_digits > PV_CODE_MAX_LENGTH)
    {
      g_set_error_literal (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_INVALID_CODE,
                           _("This code is too long. Enter only the code the customer "
                             "received."));
      return NULL;
    }

  if (n_digits < PV_CODE_MIN_LENGTH)
    {
      g_set_error_literal (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_INVALID_CODE,
                           _("Enter the code the customer received, using digits only."));
      return NULL;
    }

  digits = g_string_sized_new (n_digits + 1);
  for (const char *p = code; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (digits, *p);

  return g_string_free (digits, FALSE);
}

/* One code checked against the store, from the attempt to its verdict. The store's part
 * runs on the verifier's store queue, or in the caller for the blocking form. */
typedef enum
{
  CHECK_VERIFIED,
  CHECK_WRONG,          /* the attempt is counted and recorded */
  CHECK_REFUSED,        /* no attempt: see attempt.verdict */
  CHECK_AWAITING_TEXT,  /* typed in, for a code the customer is to text us */
  CHECK_LOST,           /* matched, but the code went before it could verify */
} CheckResult;

typedef struct
{
  char        *e164;
  char        *digits;
  gboolean     typed;
  char        *inbound_sid;  /* the customer's text that held the code, when not typed */
  guint        max_attempts;
  GBytes      *digest_key;

  CheckResult  result;
  PvAttempt    attempt;
  gboolean     verified_meanwhile; /* LOST: someone verified with the same code */
} CodeCheck;

static void
code_check_free (CodeCheck *check)
{
  g_free (check->e164);
  if (check->digits != NULL)
    explicit_bzero (check->digits, strlen (check->digits));
  g_free (check->digits);
  g_free (check->inbound_sid);
  g_bytes_unref (check->digest_key);
  pv_attempt_clear (&check->attempt);
  g_free (check);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CodeCheck, code_check_free)

static CodeCheck *
code_check_new (PvVerifier *self,
                const char *e164,
                const char *digits,
                gboolean    typed,
                const char *inbound_sid)
{
  CodeCheck *check = g_new0 (CodeCheck, 1);

  check->e164 = g_strdup (e164);
  check->digits = g_strdup (digits);
  check->typed = typed;
  check->inbound_sid = g_strdup (inbound_sid);
  check->max_attempts = self->max_attempts;
  check->digest_key = g_bytes_ref (self->digest_key);

  return check;
}

/* Counts an attempt, then compares the digits with the live code's digest. A code typed
 * in by staff never verifies one that the customer was to text us: staff can see that
 * one. Only store calls and the comparison: it may run on the store queue's thread. */
static gboolean
check_code_job (PvStore   *store,
                gpointer   data,
                GError   **error)
{
  CodeCheck *check = data;
  g_autoptr(GError) local_error = NULL;
  gboolean applied = FALSE;

  /* A point lookup first, so that staff typing in the code they see on the screen for the
   * customer to text us does not use up one of the customer's attempts. */
  if (check->typed)
    {
      g_autoptr(PvCustomer) stored = pv_store_lookup (store, check->e164, NULL);

      if (stored != NULL && stored->channel == PV_CHANNEL_INBOUND &&
          stored->status == PV_CUSTOMER_STATUS_PENDING)
        {
          check->result = CHECK_AWAITING_TEXT;
          return TRUE;
        }
    }

  if (!pv_store_claim_attempt (store, check->e164, check->max_attempts, &check->attempt,
                               error))
    return FALSE;

  if (check->attempt.verdict != PV_ATTEMPT_GRANTED)
    {
      check->result = CHECK_REFUSED;
      return TRUE;
    }

  /* Checked again here, atomically with the attempt: the lookup above is only a
   * courtesy. */
  if (check->typed && check->attempt.channel == PV_CHANNEL_INBOUND)
    {
      check->result = CHECK_AWAITING_TEXT;
      return TRUE;
    }

  if (!pv_code_digest_matches (check->digest_key, check->e164, check->digits,
                               check->attempt.code_digest))
    {
      /* The attempt is counted already; this only adds it to the history. */
      if (!pv_store_record_failed_attempt (store, check->e164, &local_error))
        g_warning ("Could not record a wrong code: %s", local_error->message);
      check->result = CHECK_WRONG;
      return TRUE;
    }

  /* A code works once: the digest goes in the same statement that verifies. */
  if (!pv_store_mark_verified (store, check->e164, check->attempt.code_digest,
                               check->inbound_sid, &applied, error))
    return FALSE;

  if (!applied)
    {
      g_autoptr(PvCustomer) customer = pv_store_lookup (store, check->e164, NULL);

      check->verified_meanwhile = customer != NULL &&
                                  customer->status == PV_CUSTOMER_STATUS_VERIFIED;
      check->result = CHECK_LOST;
      return TRUE;
    }

  check->result = CHECK_VERIFIED;
  return TRUE;
}

/* After a wrong code, how many more may be tried. */
static guint
attempts_left_after (const CodeCheck *check)
{
  return check->max_attempts - MIN (check->attempt.attempts_used, check->max_attempts);
}

static gboolean
report_wrong_code (PvVerifier       *self,
                   const CodeCheck  *check,
                   GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  guint attempts_left = attempts_left_after (check);

  if (attempts_left == 0)
    {
      g_set_error_literal (&local_error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_LOCKED,
                           /* One sentence: a toast shows only the first. */
                           _("Wrong code, and that was the last attempt: the code is now "
                             "locked, so send a new one to try again."));
      return _pv_verifier_report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_ERROR, PV_UPDATE_ACTION_RESEND, FALSE);
    }

  if (check->typed)
    g_set_error (&local_error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_WRONG_CODE,
                 ngettext ("Wrong code: %u attempt left.",
                           "Wrong code: %u attempts left.",
                           attempts_left),
                 attempts_left);
  else
    {
      g_autofree char *shown = _pv_verifier_display_number (self, check->e164);

      /* Staff did not type it: say whose text it was, so they can ask the customer. */
      g_set_error (&local_error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_WRONG_CODE,
                   /* Translators: %s is a phone number */
                   ngettext ("The code %s texted is wrong: %u attempt left.",
                             "The code %s texted is wrong: %u attempts left.",
                             attempts_left),
                   shown, attempts_left);
    }
  return _pv_verifier_report_failure (self, error, g_steal_pointer (&local_error),
                         PV_UPDATE_ERROR, PV_UPDATE_ACTION_NONE, FALSE);
}

/* The attempt was not even counted; says why. */
static gboolean
report_awaiting_text (PvVerifier  *self,
                      const char  *e164,
                      GError     **error)
{
  g_autofree char *shown = _pv_verifier_display_number (self, e164);
  GError *reason = g_error_new (PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_AWAITING_TEXT,
                                _("%s verifies by texting the code to the office. Wait for "
                                  "their text, or send them a new code."),
                                shown);

  return _pv_verifier_report_failure (self, error, reason, PV_UPDATE_ERROR,
                                      PV_UPDATE_ACTION_NONE, FALSE);
}

static gboolean
report_refused_attempt (PvVerifier       *self,
                        const char       *number,
                        const PvAttempt  *attempt,
                        GError          **error)
{
  g_autofree char *shown = _pv_verifier_display_number (self, number);
  g_autoptr(GError) local_error = NULL;

  switch (attempt->verdict)
    {
    case PV_ATTEMPT_NOT_FOUND:
      g_set_error (&local_error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_NOT_REQUESTED,
                   _("No code has been sent to %s yet."), shown);
      return _pv_verifier_report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_ERROR, PV_UPDATE_ACTION_NONE, TRUE);

    case PV_ATTEMPT_VERIFIED:
      g_set_error (&local_error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_ALREADY_VERIFIED,
                   _("%s is already verified."), shown);
      return _pv_verifier_report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_INFO, PV_UPDATE_ACTION_NONE, TRUE);

    case PV_ATTEMPT_LOCKED:
      g_set_error (&local_error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_LOCKED,
                   _("The code for %s is locked after too many wrong attempts. Send a new "
                     "code to try again."),
                   shown);
      return _pv_verifier_report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_ERROR, PV_UPDATE_ACTION_RESEND, FALSE);

    case PV_ATTEMPT_EXPIRED:
      g_set_error (&local_error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_EXPIRED,
                   _("The code for %s has expired. Send a new code."), shown);
      return _pv_verifier_report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_ERROR, PV_UPDATE_ACTION_RESEND, FALSE);

    case PV_ATTEMPT_GRANTED:
    default:
      g_assert_not_reached ();
    }
}

/* The code matched, but mark_verified found the digest gone: someone else verified with
 * the same code a moment ago, or a newer code replaced it. */
static gboolean
report_lost_verification (PvVerifier       *self,
                          const CodeCheck  *check,
                          GError          **error)
{
  g_autofree char *shown = _pv_verifier_display_number (self, check->e164);
  g_autoptr(GError) local_error = NULL;

  if (check->verified_meanwhile)
    {
      g_set_error (&local_error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_ALREADY_VERIFIED,
                   _("%s is already verified."), shown);
      return _pv_verifier_report_failure (self, error, g_steal_pointer (&local_error),
                             PV_UPDATE_INFO, PV_UPDATE_ACTION_NONE, TRUE);
    }

  g_set_error (&local_error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_EXPIRED,
               _("A newer code has been sent to %s. Enter the code from the latest "
                 "text or call."),
               shown);
  return _pv_verifier_report_failure (self, error, g_steal_pointer (&local_error),
                         PV_UPDATE_ERROR, PV_UPDATE_ACTION_NONE, FALSE);
}

/* Tells staff how the check went. Returns whether the number is now verified. */
static gboolean
report_code_check (PvVerifier       *self,
                   const CodeCheck  *check,
                   GError          **error)
{
  g_autofree char *shown = NULL;

  /* A text that comes once the number is verified (a second text with the code, read in
   * the same poll, or a customer texting twice) has nothing to tell staff. */
  if (!check->typed &&
      ((check->result == CHECK_REFUSED && check->attempt.verdict == PV_ATTEMPT_VERIFIED) ||
       (check->result == CHECK_LOST && check->verified_meanwhile)))
    {
      g_set_error_literal (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_ALREADY_VERIFIED,
                           _("The number is already verified."));
      return FALSE;
    }

  switch (check->result)
    {
    case CHECK_REFUSED:
      return report_refused_attempt (self, check->e164, &check->attempt, error);

    case CHECK_AWAITING_TEXT:
      return report_awaiting_text (self, check->e164, error);

    case CHECK_WRONG:
      return report_wrong_code (self, check, error);

    case CHECK_LOST:
      return report_lost_verification (self, check, error);

    case CHECK_VERIFIED:
    default:
      break;
    }

  g_hash_table_remove (self->trackers, check->e164);
  pv_verifier_stop_awaiting_text (self, check->e164);

  shown = _pv_verifier_display_number (self, check->e164);
  _pv_verifier_emit_update (self, PV_UPDATE_SUCCESS, PV_UPDATE_ACTION_NONE,
               _("%s is now verified."), shown);
  g_signal_emit (self, _pv_verifier_signals[VERIFIED], 0, check->e164);

  return TRUE;
}

static gboolean
report_store_failure (PvVerifier  *self,
                      GError      *reason,
                      GError     **error)
{
  return _pv_verifier_report_failure (self, error, reason, PV_UPDATE_ERROR,
                                      PV_UPDATE_ACTION_RETRY, FALSE);
}

/* Blocks on the store: for the command line, which has no window to keep drawing. */
gboolean
_pv_verifier_check_code (PvVerifier  *self,
                         const char  *e164,
                         const char  *digits,
                         gboolean     typed,
                         const char  *inbound_sid,
                         GError     **error)
{
  g_autoptr(CodeCheck) check = code_check_new (self, e164, digits, typed, inbound_sid);
  GError *local_error = NULL;

  if (!check_code_job (self->store, check, &local_error))
    return report_store_failure (self, local_error, error);

  return report_code_check (self, check, error);
}

static void
code_checked_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PvVerifier *self = g_task_get_source_object (task);
  CodeCheck *check = g_task_get_task_data (task);
  GError *reason = NULL;
  GError *error = NULL;

  if (!pv_store_queue_run_finish (PV_STORE_QUEUE (object), result, &reason))
    {
      /* Cancelled before it began: no attempt was used, and nothing is to be said. */
      if (g_error_matches (reason, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (&error, reason);
      else
        report_store_failure (self, reason, &error);
      g_task_return_error (task, error);
      return;
    }

  if (report_code_check (self, check, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* As _pv_verifier_check_code(), on the store queue. */
void
_pv_verifier_check_code_async (PvVerifier          *self,
                               const char          *e164,
                               const char          *digits,
                               gboolean             typed,
                               const char          *inbound_sid,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  CodeCheck *check = code_check_new (self, e164, digits, typed, inbound_sid);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, _pv_verifier_check_code_async);
  /* Once the attempt is counted, what it came to is reported, cancelled or not: staff must
   * not be told nothing happened when a number was verified. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, check, (GDestroyNotify) code_check_free);

  pv_store_queue_run_async (self->queue, check_code_job, check, cancellable, code_checked_cb,
                            task);
}

/* The checks before any attempt is counted: the number, the key, the code's form. Returns
 * the code's digits, or NULL once staff were told why. */
static char *
prepare_check (PvVerifier  *self,
               const char  *number,
               const char  *country,
               const char  *code,
               char       **e164,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *normalized = NULL;
  char *digits;

  normalized = pv_phone_number_normalize (number,
                                          country != NULL ? country : self->default_country,
                                          &local_error);
  if (normalized == NULL)
    {
      _pv_verifier_report_failure (self, error, g_steal_pointer (&local_error),
                                   PV_UPDATE_ERROR, PV_UPDATE_ACTION_START_OVER, FALSE);
      return NULL;
    }

  if (self->digest_key == NULL)
    {
      _pv_verifier_check_configured (self, &local_error);
      _pv_verifier_report_failure (self, error, g_steal_pointer (&local_error),
                                   PV_UPDATE_ERROR, PV_UPDATE_ACTION_OPEN_PREFERENCES, FALSE);
      return NULL;
    }

  digits = clean_code (code, &local_error);
  if (digits == NULL)
    {
      _pv_verifier_report_failure (self, error, g_steal_pointer (&local_error),
                                   PV_UPDATE_ERROR, PV_UPDATE_ACTION_NONE, FALSE);
      return NULL;
    }

  *e164 = g_steal_pointer (&normalized);
  return digits;
}

/**
 * pv_verifier_verify:
 * @number: the number the code was sent to, in any form pv_phone_number_normalize() takes
 * @code: the code as the customer read it out
 *
 * Checks a code locally against its stored digest. Input that is not a code at all
 * (letters, too few digits, more digits than any code has) is refused without using up
 * an attempt. Every other attempt is counted in the store before the code is compared,
 * so the limit holds however many processes check codes for the number at once.
 *
 * This waits for the store, which may take as long as another desk's transaction or the
 * network: it is for the command line. A window uses pv_verifier_verify_async().
 *
 * Returns: %TRUE if the number is now verified
 */
gboolean
pv_verifier_verify (PvVerifier  *self,
                    const char  *number,
                    const char  *code,
                    GError     **error)
{
  return pv_verifier_verify_in_country (self, number, NULL, code, error);
}

/**
 * pv_verifier_verify_in_country:
 * @country: (nullable): the country to read a national @number in; %NULL for the office's
 *
 * As pv_verifier_verify().
 */
gboolean
pv_verifier_verify_in_country (PvVerifier  *self,
                               const char  *number,
                               const char  *country,
                               const char  *code,
                               GError     **error)
{
  g_autofree char *e164 = NULL;
  g_autofree char *digits = NULL;
  gboolean verified;

  g_return_val_if_fail (PV_IS_VERIFIER (self), FALSE);

  digits = prepare_check (self, number, country, code, &e164, error);
  if (digits == NULL)
    return FALSE;

  verified = _pv_verifier_check_code (self, e164, digits, TRUE, NULL, error);
  explicit_bzero (digits, strlen (digits));

  return verified;
}

/**
 * pv_verifier_verify_async:
 * @number: as for pv_verifier_verify()
 * @country: (nullable): as for pv_verifier_verify_in_country()
 * @code: as for pv_verifier_verify()
 * @cancellable: (nullable): stops the check only if it has not reached the store yet
 *
 * As pv_verifier_verify_in_country(), with the store's part on the verifier's store
 * queue: the main loop runs while another desk holds the customer's row or the network is
 * slow. Staff are told the outcome through ::update, as for the blocking form.
 */
void
pv_verifier_verify_async (PvVerifier          *self,
                          const char          *number,
                          const char          *country,
                          const char          *code,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autofree char *e164 = NULL;
  g_autofree char *digits = NULL;
  GError *error = NULL;

  g_return_if_fail (PV_IS_VERIFIER (self));

  digits = prepare_check (self, number, country, code, &e164, &error);
  if (digits == NULL)
    {
      g_task_report_error (self, callback, user_data, pv_verifier_verify_async, error);
      return;
    }

  _pv_verifier_check_code_async (self, e164, digits, TRUE, NULL, cancellable, callback,
                                 user_data);
  explicit_bzero (digits, strlen (digits));
}

/**
 * pv_verifier_verify_finish:
 * @attempts_left: (out) (optional): after a wrong code, how many more may be tried
 *
 * Returns: %TRUE if the number is now verified, else %FALSE with @error set
 */
gboolean
pv_verifier_verify_finish (PvVerifier    *self,
                           GAsyncResult  *result,
                           guint         *attempts_left,
                           GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);

  if (attempts_left != NULL)
    {
      CodeCheck *check = g_task_get_task_data (G_TASK (result));

      *attempts_left = 0;
      if (check != NULL && check->result == CHECK_WRONG)
        *attempts_left = attempts_left_after (check);
    }

  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  char   *owner;
  gint64  now;
  int     recovered;
} Recovery;

static void
recovery_free (Recovery *recovery)
{
  g_free (recovery->owner);
  g_free (recovery);
}

static Recovery *
recovery_new (PvVerifier *self)
{
  Recovery *recovery = g_new0 (Recovery, 1);

  recovery->owner = g_strdup (self->owner);
  recovery->now = pv_clock_get_now (self->clock);

  return recovery;
}

static gboolean
recover_sends_job (PvStore   *store,
                   gpointer   data,
                   GError   **error)
{
  Recovery *recovery = data;
  g_autoptr(GPtrArray) sending = NULL;

  sending = pv_store_list_sends_in_flight (store, error);
  if (sending == NULL)
    return FALSE;

  for (guint i = 0; i < sending->len; i++)
    {
      const PvCustomer *customer = g_ptr_array_index (sending, i);
      gboolean applied = FALSE;

      /* Our own sends are still under way; others' only if their process lives and they
       * are recent. */
      if (g_strcmp0 (customer->send_owner, recovery->owner) == 0)
        continue;

      if (!pv_process_owner_is_gone (customer->send_owner) &&
          recovery->now - customer->last_sent_at < PV_SEND_IN_FLIGHT_MAX_SECONDS)
        continue;

      if (!pv_store_abandon_send (store, customer, "interrupted", &applied, error))
        return FALSE;

      if (applied)
        recovery->recovered++;
    }

  return TRUE;
}

/**
 * pv_verifier_recover_sends:
 *
 * Marks sends left in flight by a process that is gone (killed mid-send, or the machine
 * lost power) as having an unknown outcome, so nobody is told a text is on its way that
 * may never have left. This waits for the store: a window uses
 * pv_verifier_recover_sends_async().
 *
 * Returns: how many sends were recovered, or -1 with @error set
 */
int
pv_verifier_recover_sends (PvVerifier  *self,
                           GError     **error)
{
  Recovery *recovery;
  int recovered;

  g_return_val_if_fail (PV_IS_VERIFIER (self), -1);

  recovery = recovery_new (self);
  recovered = recover_sends_job (self->store, recovery, error) ? recovery->recovered : -1;
  recovery_free (recovery);

  return recovered;
}

static void
sends_recovered_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Recovery *recovery = g_task_get_task_data (task);
  GError *error = NULL;

  if (!pv_store_queue_run_finish (PV_STORE_QUEUE (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_int (task, recovery->recovered);
}

/**
 * pv_verifier_recover_sends_async:
 *
 * As pv_verifier_recover_sends(), on the verifier's store queue: the sends of this
 * process claimed after it are queued behind it.
 */
void
pv_verifier_recover_sends_async (PvVerifier          *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;
  Recovery *recovery;

  g_return_if_fail (PV_IS_VERIFIER (self));

  recovery = recovery_new (self);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_verifier_recover_sends_async);
  g_task_set_task_data (task, recovery, (GDestroyNotify) recovery_free);

  pv_store_queue_run_async (self->queue, recover_sends_job, recovery, cancellable,
                            sends_recovered_cb, task);
}

/**
 * pv_verifier_recover_sends_finish:
 *
 * Returns: how many sends were recovered, or -1 with @error set
 */
int
pv_verifier_recover_sends_finish (PvVerifier    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);

  return (int) g_task_propagate_int (G_TASK (result), error);
}

/**
 * pv_verifier_get_attempts_left:
 * @customer: a customer as the store has it
 *
 * Returns: how many wrong codes may still be entered for @customer's current code
 */
guint
pv_verifier_get_attempts_left (PvVerifier       *self,
                               const PvCustomer *customer)
{
  g_return_val_if_fail (PV_IS_VERIFIER (self), 0);

  if (customer == NULL || customer->code_digest == NULL)
    return 0;

  return self->max_attempts - MIN (customer->failed_attempts, self->max_attempts);
}

void
pv_verifier_set_digest_key (PvVerifier *self,
                            GBytes     *key)
{
  g_return_if_fail (PV_IS_VERIFIER (self));
  g_return_if_fail (key == NULL || g_bytes_get_size (key) > 0);

  g_clear_pointer (&self->digest_key, g_bytes_unref);
  if (key != NULL)
    self->digest_key = g_bytes_ref (key);
}

/**
 * pv_verifier_bind_settings:
 *
 * Takes every limit from @settings, and follows it when it changes.
 */
void
pv_verifier_bind_settings (PvVerifier *self,
                           GSettings  *settings)
{
  static const char * const keys[] = {
    "default-country",
    "served-countries",
    "code-length",
    "code-lifetime",
    "max-attempts",
    "resend-cooldown",
    "max-sends-per-hour",
    "delivery-timeout",
    "check-line-type",
    "reply-to-confirm",
  };

  g_return_if_fail (PV_IS_VERIFIER (self));
  g_return_if_fail (G_IS_SETTINGS (settings));

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_bind (settings, keys[i], self, keys[i], G_SETTINGS_BIND_GET);

  pv_message_composer_bind_settings (self->composer, settings);
}

/**
 * pv_verifier_get_store:
 *
 * Returns: (transfer none): the store the verifier claims sends in
 */
PvStore *
pv_verifier_get_store (PvVerifier *self)
{
  g_return_val_if_fail (PV_IS_VERIFIER (self), NULL);

  return self->store;
}

/**
 * pv_verifier_get_composer:
 *
 * Returns: (transfer none): what writes the customers' texts and calls
 */
PvMessageComposer *
pv_verifier_get_composer (PvVerifier *self)
{
  g_return_val_if_fail (PV_IS_VERIFIER (self), NULL);

  return self->composer;
}

static void
pv_verifier_dispose (GObject *object)
{
  PvVerifier *self = (PvVerifier *) object;

  g_hash_table_remove_all (self->trackers);
  g_clear_object (&self->composer);
  g_clear_object (&self->queue);
  g_clear_object (&self->store);
  if (self->inbound != NULL)
    g_signal_handlers_disconnect_by_data (self->inbound, self);
  g_clear_object (&self->inbound);
  g_clear_object (&self->client);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (pv_verifier_parent_class)->dispose (object);
}

static void
pv_verifier_finalize (GObject *object)
{
  PvVerifier *self = (PvVerifier *) object;

  g_clear_pointer (&self->digest_key, g_bytes_unref);
  g_clear_pointer (&self->owner, g_free);
  g_clear_pointer (&self->trackers, g_hash_table_unref);
  g_clear_pointer (&self->default_country, g_free);
  g_clear_pointer (&self->served_countries, g_strfreev);

  G_OBJECT_CLASS (pv_verifier_parent_class)->finalize (object);
}

static guint *
uint_field (PvVerifier *self,
            guint       prop_id)
{
  switch (prop_id)
    {
    case PROP_CODE_LENGTH:          return &self->code_length;
    case PROP_CODE_LIFETIME:        return &self->code_lifetime;
    case PROP_MAX_ATTEMPTS:         return &self->max_attempts;
    case PROP_RESEND_COOLDOWN:      return &self->resend_cooldown;
    case PROP_MAX_SENDS_PER_HOUR:   return &self->max_sends_per_hour;
    case PROP_DELIVERY_TIMEOUT:     return &self->delivery_timeout;
    case PROP_POLL_INTERVAL:        return &self->poll_interval;
    default:                        return NULL;
    }
}

static void
pv_verifier_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PvVerifier *self = PV_VERIFIER (object);
  guint *field = uint_field (self, prop_id);

  if (field != NULL)
    g_value_set_uint (value, *field);
  else if (prop_id == PROP_CHECK_LINE_TYPE)
    g_value_set_boolean (value, self->check_line_type);
  else if (prop_id == PROP_REPLY_TO_CONFIRM)
    g_value_set_boolean (value, self->reply_to_confirm);
  else if (prop_id == PROP_DEFAULT_COUNTRY)
    g_value_set_string (value, self->default_country);
  else if (prop_id == PROP_SERVED_COUNTRIES)
    g_value_set_boxed (value, self->served_countries);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
pv_verifier_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  PvVerifier *self = PV_VERIFIER (object);
  guint *field = uint_field (self, prop_id);

  if (field != NULL)
    {
      if (*field != g_value_get_uint (value))
        {
          *field = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
    }
  else if (prop_id == PROP_CHECK_LINE_TYPE)
    {
      self->check_line_type = g_value_get_boolean (value);
    }
  else if (prop_id == PROP_REPLY_TO_CONFIRM)
    {
      self->reply_to_confirm = g_value_get_boolean (value);
    }
  else if (prop_id == PROP_DEFAULT_COUNTRY)
    {
      /* Until the settings have one (the first start fills it in), the fallback. */
      const char *country = g_value_get_string (value);

      if (country == NULL || country[0] == '\0')
        country = PV_COUNTRY_FALLBACK;
      if (g_strcmp0 (self->default_country, country) != 0)
        {
          g_free (self->default_country);
          self->default_country = g_strdup (country);
          g_object_notify_by_pspec (object, pspec);
        }
    }
  else if (prop_id == PROP_SERVED_COUNTRIES)
    {
      g_strfreev (self->served_countries);
      self->served_countries = g_value_dup_boxed (value);
      g_object_notify_by_pspec (object, pspec);
    }
  else
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
uint_pspec (const char *name,
            guint       minimum,
            guint       maximum,
            guint       default_value)
{
  return g_param_spec_uint (name, NULL, NULL, minimum, maximum, default_value,
                            G_PARAM_READWRITE | G_PARAM_CONSTRUCT
                            | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

static void
pv_verifier_class_init (PvVerifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pv_verifier_dispose;
  object_class->finalize = pv_verifier_finalize;
  object_class->get_property = pv_verifier_get_property;
  object_class->set_property = pv_verifier_set_property;

  /* Ranges and defaults match the GSettings schema, which is what binds to them. */
  properties[PROP_DEFAULT_COUNTRY] =
    g_param_spec_string ("default-country", NULL, NULL, PV_COUNTRY_FALLBACK,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT
                         | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* Besides the office's own. */
  properties[PROP_SERVED_COUNTRIES] =
    g_param_spec_boxed ("served-countries", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CODE_LENGTH] = uint_pspec ("code-length", PV_CODE_MIN_LENGTH,
                                             PV_CODE_MAX_LENGTH, PV_CODE_DEFAULT_LENGTH);
  properties[PROP_CODE_LIFETIME] = uint_pspec ("code-lifetime", 60, 86400, 600);
  properties[PROP_MAX_ATTEMPTS] = uint_pspec ("max-attempts", 1, 20, 5);
  properties[PROP_RESEND_COOLDOWN] = uint_pspec ("resend-cooldown", 0, 3600, 30);
  properties[PROP_MAX_SENDS_PER_HOUR] = uint_pspec ("max-sends-per-hour", 1, 20, 5);
  properties[PROP_DELIVERY_TIMEOUT] = uint_pspec ("delivery-timeout", 30, 3600, 600);
  /* Not a setting: how soon to ask Twilio about a new message, in milliseconds. */
  properties[PROP_POLL_INTERVAL] = uint_pspec ("poll-interval", 10, 60000, 2000);
  /* Off by default: Twilio charges for each lookup. */
  properties[PROP_CHECK_LINE_TYPE] =
    g_param_spec_boolean ("check-line-type", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  /* Off by default: replies are read by asking Twilio every few seconds. */
  properties[PROP_REPLY_TO_CONFIRM] =
    g_param_spec_boolean ("reply-to-confirm", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PvVerifier::code-sent:
   * @number: the E.164 number that has a code to type in
   *
   * The tutorial's code_generated: time to move to the verify step.
   */
  _pv_verifier_signals[CODE_SENT] =
    g_signal_new ("code-sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * PvVerifier::update:
   * @message: a translated message for staff
   * @kind: whether it is news, good news or a problem
   * @action: what the staff member could usefully do next
   */
  _pv_verifier_signals[UPDATE] =
    g_signal_new ("update", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_STRING, PV_TYPE_UPDATE_KIND, PV_TYPE_UPDATE_ACTION);

  _pv_verifier_signals[VERIFIED] =
    g_signal_new ("verified", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * PvVerifier::awaiting-ended:
   * @number: a number whose text did not come before its code expired
   */
  _pv_verifier_signals[AWAITING_ENDED] =
    g_signal_new ("awaiting-ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * PvVerifier::reset:
   *
   * There is nothing to verify for this number: back to the start.
   */
  _pv_verifier_signals[RESET] =
    g_signal_new ("reset", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * PvVerifier::delivery-changed:
   * @number: the E.164 number the message went to
   * @status: Twilio's status word: queued, sent, delivered, undelivered, failed, …
   * @error_code: Twilio's delivery error code, or 0
   */
  _pv_verifier_signals[DELIVERY_CHANGED] =
    g_signal_new ("delivery-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT);
}

static void
pv_verifier_init (PvVerifier *self)
{
  self->owner = pv_process_owner_new ();
  self->trackers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) stop_and_unref_tracker);
  self->composer = pv_message_composer_new ();
}

PvVerifier *
pv_verifier_new (PvStore        *store,
                 PvTwilioClient *client,
                 PvClock        *clock)
{
  PvVerifier *self;

  g_return_val_if_fail (PV_IS_STORE (store), NULL);
  g_return_val_if_fail (PV_IS_TWILIO_CLIENT (client), NULL);
  g_return_val_if_fail (PV_IS_CLOCK (clock), NULL);

  self = g_object_new (PV_TYPE_VERIFIER, NULL);
  self->store = g_object_ref (store);
  self->queue = pv_store_queue_new (store);
  self->client = g_object_ref (client);
  self->clock = g_object_ref (clock);

  return self;
}

/**
 * pv_verifier_get_store_queue:
 *
 * The queue the verifier's own store calls go through, for a page that reads what they
 * wrote without holding up the window.
 *
 * Returns: (transfer none): the queue
 */
PvStoreQueue *
pv_verifier_get_store_queue (PvVerifier *self)
{
  g_return_val_if_fail (PV_IS_VERIFIER (self), NULL);

  return self->queue;
}
