/* pv-pg-store-intents.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The store's intents on PostgreSQL, with several desks on one server. A decision that
 * reads first (a send's cooldown and caps) reads the row with SELECT … FOR UPDATE, so no
 * other desk can change it before this transaction writes and commits. Everything else is
 * one conditional UPDATE whose WHERE clause is the compare-and-set; PostgreSQL re-checks
 * that clause against the newest row when another desk updated it meanwhile, so the
 * count of rows changed says whether the intent applied. */

#define G_LOG_DOMAIN "pv-store"

#include "config.h"

#include <glib/gi18n.h>

#include "pv-pg-store-private.h"
#include "pv-store-rules.h"

static gboolean
insert_claimed_customer (PvPgStore            *self,
                         const PvSendRequest  *request,
                         gint64                now,
                         gint64                send_id,
                         gboolean             *inserted,
                         GError              **error)
{
  g_auto(PvPgParams) params = { 0, };
  g_autofree char *words = _pv_pg_store_fold_words (request->name);
  g_autofree char *national = _pv_pg_store_national_digits (request->number);
  int changes = 0;

  _pv_pg_params_init (&params);
  _pv_pg_params_add_text (&params, request->number);
  _pv_pg_params_add_text (&params, request->name);
  _pv_pg_params_add_text (&params, request->code_digest);
  _pv_pg_params_add_int (&params, now);
  _pv_pg_params_add_int (&params, request->code_lifetime);
  _pv_pg_params_add_text (&params, request->owner);
  _pv_pg_params_add_int (&params, send_id);
  _pv_pg_params_add_text (&params, request->code_seed);
  _pv_pg_params_add_text (&params, pv_channel_to_string (request->channel));
  _pv_pg_params_add_text (&params, words);
  _pv_pg_params_add_text (&params, national);

  /* Desks take the number's lock first (see lock_number ()); a row that appears anyway
   * came from outside PhoneVerify, and is judged as it is. */
  if (!_pv_pg_store_run (self, &self->write,
                         "INSERT INTO customers (number, name, status, code_digest, "
                         "code_expires_at, failed_attempts, sends_in_window, "
                         "send_window_started_at, last_sent_at, created_at, updated_at, "
                         "send_state, send_id, send_owner, code_seed, channel, name_words, "
                         "national) "
                         "VALUES ($1, $2, 'pending', $3, $4::bigint + $5::bigint, 0, 1, $4, $4, "
                         "$4, $4, 'sending', $7, $6, $8, $9, $10, $11) "
                         "ON CONFLICT (number) DO NOTHING",
                         &params, &changes, error))
    return FALSE;

  *inserted = changes > 0;

  return TRUE;
}

/* With @keep_code the live code, its expiry and the attempts used on it stay: sending it
 * again, by another channel or the same one, must not give a guesser fresh attempts or
 * the code a longer life. */
static gboolean
update_claimed_customer (PvPgStore            *self,
                         const PvSendRequest  *request,
                         const PvCustomer     *stored,
                         gboolean              keep_code,
                         gint64                now,
                         gint64                send_id,
                         GError              **error)
{
  g_auto(PvPgParams) params = { 0, };
  g_autofree char *words = _pv_pg_store_fold_words (request->name);

  _pv_pg_params_init (&params);
  _pv_pg_params_add_text (&params, request->number);
  _pv_pg_params_add_text (&params, request->name);
  _pv_pg_params_add_text (&params, request->code_digest);
  _pv_pg_params_add_int (&params, now);
  _pv_pg_params_add_int (&params, request->code_lifetime);
  _pv_pg_params_add_text (&params, request->owner);
  _pv_pg_params_add_bool (&params, _pv_store_starts_new_window (stored, now));
  _pv_pg_params_add_int (&params, send_id);
  _pv_pg_params_add_bool (&params, keep_code);
  _pv_pg_params_add_text (&params, request->code_seed);
  _pv_pg_params_add_text (&params, pv_channel_to_string (request->channel));
  _pv_pg_params_add_text (&params, words);

  return _pv_pg_store_run (self, &self->write,
                           "UPDATE customers SET status = 'pending', "
                           "name = coalesce ($2, name), "
                           "name_words = CASE WHEN $2::text IS NULL THEN name_words ELSE $12 END, "
                           "code_digest = CASE WHEN $9 THEN code_digest ELSE $3 END, "
                           "code_seed = CASE WHEN $9 THEN code_seed ELSE $10 END, "
                           "code_expires_at = CASE WHEN $9 THEN code_expires_at "
                           "  ELSE $4::bigint + $5::bigint END, "
                           "failed_attempts = CASE WHEN $9 THEN failed_attempts ELSE 0 END, "
                           "channel = $11, "
                           "sends_in_window = CASE WHEN $7 THEN 1 ELSE sends_in_window + 1 END, "
                           "send_window_started_at = CASE WHEN $7 THEN $4 "
                           "  ELSE send_window_started_at END, "
                           "last_sent_at = $4, message_sid = NULL, delivery_status = NULL, "
                           "delivery_error_code = NULL, updated_at = $4, send_state = 'sending', "
                           "send_id = $8, send_owner = $6 "
                           "WHERE number = $1",
                           &params, NULL, error);
}

static gboolean
next_send_id (PvPgStore  *self,
              gint64     *send_id,
              GError    **error)
{
  g_autoptr(PGresult) result = _pv_pg_store_exec (self, &self->write,
                                                  "SELECT nextval ('send_tokens')", NULL,
                                                  error);

  if (result == NULL)
    return FALSE;

  *send_id = _pv_pg_result_int (result, 0, 0);

  return TRUE;
}

static gboolean
lock_number (PvPgStore   *self,
             const char  *number,
             GError     **error)
{
  g_auto(PvPgParams) params = { 0, };

  _pv_pg_params_init (&params);
  _pv_pg_params_add_text (&params, number);

  return _pv_pg_store_run (self, &self->write,
                           "SELECT pg_advisory_xact_lock (hashtextextended ($1, 0))",
                           &params, NULL, error);
}

/* Judges a send from the locked row; TRUE when it is granted and written. */
static gboolean
claim_stored (PvPgStore            *self,
              const PvSendRequest  *request,
              PvCustomer           *stored,
              gint64                now,
              PvSendClaim          *claim,
              GError              **error)
{
  gint64 send_id = 0;

  claim->verdict = _pv_store_judge_send (request, stored, now, &claim->wait);
  if (claim->verdict != PV_SEND_GRANTED)
    return TRUE;

  claim->kept_code = _pv_store_keeps_code (request, stored, now);

  return next_send_id (self, &send_id, error) &&
         update_claimed_customer (self, request, stored, claim->kept_code, now, send_id, error);
}

gboolean
_pv_pg_store_claim_send (PvStore              *store,
                         const PvSendRequest  *request,
                         PvSendClaim          *claim,
                         GError              **error)
{
  PvPgStore *self = PV_PG_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->write.mutex);
  g_autoptr(PvCustomer) stored = NULL;
  g_autoptr(GError) local_error = NULL;
  PvSendRequest named = *request;
  gint64 now = _pv_pg_store_now (self);
  gboolean inserted = FALSE;

  /* An empty name keeps the stored one. */
  if (named.name != NULL && named.name[0] == '\0')
    named.name = NULL;

  if (!_pv_pg_store_begin (self, &self->write, error))
    return FALSE;

  /* FOR UPDATE cannot lock a row that is not there yet: desks registering the same new
   * number queue on a lock named after it instead, so only one of them creates it, and
   * the others judge the row it made. */
  if (!lock_number (self, request->number, &local_error))
    goto failed;

  stored = _pv_pg_store_lookup_locked (self, &self->write, request->number, TRUE, &local_error);
  if (local_error != NULL)
    goto failed;

  if (stored == NULL && request->resend)
    {
      claim->verdict = PV_SEND_REFUSED_NOT_FOUND;
      _pv_pg_store_rollback (self, &self->write);
      return TRUE;
    }

  if (stored == NULL)
    {
      gint64 send_id = 0;

      if (!next_send_id (self, &send_id, &local_error) ||
          !insert_claimed_customer (self, &named, now, send_id, &inserted, &local_error))
        goto failed;

      /* Lost the race to another desk: its row is there now, committed, to be judged. */
      if (!inserted)
        {
          stored = _pv_pg_store_lookup_locked (self, &self->write, request->number, TRUE,
                                               &local_error);
          if (stored == NULL)
            goto failed;
        }
    }

  if (inserted)
    {
      claim->verdict = PV_SEND_GRANTED;
      claim->created = TRUE;
    }
  else
    {
      if (!claim_stored (self, &named, stored, now, claim, &local_error))
        goto failed;

      if (claim->verdict != PV_SEND_GRANTED)
        {
          claim->customer = g_steal_pointer (&stored);
          _pv_pg_store_rollback (self, &self->write);
          return TRUE;
        }
    }

  claim->customer = _pv_pg_store_lookup_locked (self, &self->write, request->number, FALSE,
                                                &local_error);
  if (claim->customer == NULL || !_pv_pg_store_commit (self, &self->write, &local_error))
    goto failed;

  claim->before = g_steal_pointer (&stored);

  return TRUE;

failed:
  _pv_pg_store_rollback (self, &self->write);
  pv_send_claim_clear (claim);
  if (local_error == NULL)
    g_set_error_literal (&local_error, PV_STORE_ERROR, PV_STORE_ERROR_FAILED,
                         _("The customer database changed unexpectedly. Try again."));
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
record_sent (PvPgStore            *self,
             const char           *number,
             gint64                send_id,
             const PvSendOutcome  *outcome,
             int                  *changes,
             GError              **error)
{
  g_auto(PvPgParams) params = { 0, };

  _pv_pg_params_init (&params);
  _pv_pg_params_add_text (&params, number);
  _pv_pg_params_add_int (&params, send_id);
  _pv_pg_params_add_text (&params, outcome->message_sid);
  _pv_pg_params_add_text (&params, outcome->delivery_status);
  if (outcome->error_code == 0)
    _pv_pg_params_add_text (&params, NULL);
  else
    _pv_pg_params_add_int (&params, outcome->error_code);
  _pv_pg_params_add_int (&params, _pv_pg_store_now (self));

  /* Also over UNKNOWN: a restart may have given up on a send that did finish. */
  return _pv_pg_store_run (self, &self->write,
                           "UPDATE customers SET send_state = 'sent', send_owner = NULL, "
                           "message_sid = $3, delivery_status = $4, delivery_error_code = $5, "
                           "updated_at = $6 "
                           "WHERE number = $1 AND send_id = $2",
                           &params, changes, error);
}

static gboolean
record_unknown (PvPgStore   *self,
                const char  *number,
                gint64       send_id,
                int         *changes,
                GError     **error)
{
  g_auto(PvPgParams) params = { 0, };

  _pv_pg_params_init (&params);
  _pv_pg_params_add_text (&params, number);
  _pv_pg_params_add_int (&params, send_id);
  _pv_pg_params_add_int (&params, _pv_pg_store_now (self));

  return _pv_pg_store_run (self, &self->write,
                           "UPDATE customers SET send_state = 'unknown', send_owner = NULL, "
                           "updated_at = $3 "
                           "WHERE number = $1 AND send_id = $2 AND send_state = 'sending'",
                           &params, changes, error);
}

/* A refused send never reached the customer: the claim goes, exactly. Nothing else can
 * have claimed a send in between, or send_id would differ (tokens are never reused); so
 * the counters can simply be put back as they were. */
static gboolean
undo_claim (PvPgStore         *self,
            const char        *number,
            gint64             send_id,
            const PvCustomer  *before,
            int               *changes,
            GError           **error)
{
  g_auto(PvPgParams) params = { 0, };
  g_autofree char *words = NULL;

  _pv_pg_params_init (&params);
  _pv_pg_params_add_text (&params, number);
  _pv_pg_params_add_int (&params, send_id);

  if (before == NULL)
    return _pv_pg_store_run (self, &self->write,
                             "DELETE FROM customers WHERE number = $1 AND send_id = $2",
                             &params, changes, error);

  words = _pv_pg_store_fold_words (before->name);
  _pv_pg_params_add_text (&params, before->code_digest);
  _pv_pg_params_add_time (&params, before->code_expires_at);
  _pv_pg_params_add_int (&params, before->failed_attempts);
  _pv_pg_params_add_int (&params, before->sends_in_window);
  _pv_pg_params_add_time (&params, before->send_window_started_at);
  _pv_pg_params_add_time (&params, before->last_sent_at);
  _pv_pg_params_add_text (&params, before->message_sid);
  _pv_pg_params_add_text (&params, before->delivery_status);
  if (before->delivery_error_code == 0)
    _pv_pg_params_add_text (&params, NULL);
  else
    _pv_pg_params_add_int (&params, before->delivery_error_code);
  _pv_pg_params_add_text (&params, pv_send_state_to_string (before->send_state));
  _pv_pg_params_add_time (&params, before->updated_at);
  _pv_pg_params_add_text (&params, before->name);
  /* A re-verification Twilio refused leaves the customer verified, as before it. */
  _pv_pg_params_add_text (&params, pv_customer_status_to_string (before->status));
  _pv_pg_params_add_text (&params, before->code_seed);
  _pv_pg_params_add_text (&params, pv_channel_to_string (before->channel));
  _pv_pg_params_add_text (&params, words);

  return _pv_pg_store_run (self, &self->write,
                           "UPDATE customers SET code_digest = $3, code_expires_at = $4, "
                           "failed_attempts = $5, sends_in_window = $6, "
                           "send_window_started_at = $7, last_sent_at = $8, message_sid = $9, "
                           "delivery_status = $10, delivery_error_code = $11, "
                           "send_state = $12, send_owner = NULL, updated_at = $13, name = $14, "
                           "status = $15, code_seed = $16, channel = $17, name_words = $18 "
                           "WHERE number = $1 AND send_id = $2",
                           &params, changes, error);
}

gboolean
_pv_pg_store_finish_send (PvStore              *store,
                          const char           *number,
                          gint64                send_id,
                          const PvCustomer     *before,
                          const PvSendOutcome  *outcome,
                          gboolean             *applied,
                          GError              **error)
{
  PvPgStore *self = PV_PG_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->write.mutex);
  const char *detail = NULL;
  PvEventKind event = _pv_store_outcome_event (outcome, &detail);
  int changes = 0;
  gboolean written;

  if (!_pv_pg_store_begin (self, &self->write, error))
    return FALSE;

  switch (outcome->kind)
    {
    case PV_SEND_OUTCOME_SENT:
      written = record_sent (self, number, send_id, outcome, &changes, error);
      break;

    case PV_SEND_OUTCOME_UNKNOWN:
      written = record_unknown (self, number, send_id, &changes, error);
      break;

    case PV_SEND_OUTCOME_REFUSED:
    default:
      written = undo_claim (self, number, send_id, before, &changes, error);
      break;
    }

  if (!written ||
      (changes > 0 && !_pv_pg_store_insert_event (self, &self->write, number, event,
                                                  outcome->channel, detail, error)) ||
      !_pv_pg_store_commit (self, &self->write, error))
    {
      _pv_pg_store_rollback (self, &self->write);
      return FALSE;
    }

  *applied = changes > 0;

  return TRUE;
}

GPtrArray *
_pv_pg_store_list_sends_in_flight (PvStore  *store,
                                   GError  **error)
{
  PvPgStore *self = PV_PG_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->write.mutex);
  g_autoptr(PGresult) result = NULL;

  result = _pv_pg_store_exec (self, &self->write,
                              "SELECT " PV_CUSTOMER_COLUMNS " FROM customers "
                              "WHERE send_state = 'sending'",
                              NULL, error);
  if (result == NULL)
    return NULL;

  return _pv_pg_store_customers_from_result (result, error);
}

gboolean
_pv_pg_store_claim_attempt (PvStore     *store,
                            const char  *number,
                            guint        max_attempts,
                            PvAttempt   *attempt,
                            GError     **error)
{
  PvPgStore *self = PV_PG_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->write.mutex);
  g_auto(PvPgParams) params = { 0, };
  g_autoptr(PGresult) result = NULL;
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(GError) local_error = NULL;

  _pv_pg_params_init (&params);
  _pv_pg_params_add_text (&params, number);
  _pv_pg_params_add_int (&params, max_attempts);
  _pv_pg_params_add_int (&params, _pv_pg_store_now (self));

  /* One statement: the count goes up before anyone compares, and only while it is below
   * the limit, however many desks try at once. It still goes in a transaction, whose
   * BEGIN finds a connection that died while idle before the count is sent. */
  if (!_pv_pg_store_begin (self, &self->write, error))
    return FALSE;

  result = _pv_pg_store_exec (self, &self->write,
                              "UPDATE customers SET failed_attempts = failed_attempts + 1, "
                              "updated_at = $3 "
                              "WHERE number = $1 AND status = 'pending' "
                              "AND code_digest IS NOT NULL AND failed_attempts < $2 "
                              "AND code_expires_at > $3 "
                              "RETURNING code_digest, failed_attempts, channel",
                              &params, error);
  if (result == NULL)
    goto failed;

  if (PQntuples (result) > 0)
    {
      attempt->verdict = PV_ATTEMPT_GRANTED;
      attempt->code_digest = _pv_pg_result_dup (result, 0, 0);
      attempt->attempts_used = (guint) _pv_pg_result_int (result, 0, 1);
      attempt->channel = _pv_store_channel_or_text (PQgetisnull (result, 0, 2)
                                                    ? NULL : PQgetvalue (result, 0, 2),
                                                    TRUE);
    }
  else
    {
      customer = _pv_pg_store_lookup_locked (self, &self->write, number, FALSE, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          goto failed;
        }

      attempt->verdict = _pv_store_explain_refused_attempt (customer, max_attempts);
    }

  if (!_pv_pg_store_commit (self, &self->write, error))
    {
      pv_attempt_clear (attempt);
      return FALSE;
    }

  return TRUE;

failed:
  _pv_pg_store_rollback (self, &self->write);
  return FALSE;
}

/* Runs @sql, a conditional UPDATE, and records @event only if it applied, all in one
 * transaction. */
static gboolean
apply_with_event (PvPgStore    *self,
                  const char   *sql,
                  PvPgParams   *params,
                  const char   *number,
                  PvEventKind   event,
                  PvChannel     channel,
                  const char   *detail,
                  gboolean     *applied,
                  GError      **error)
{
  int changes = 0;

  if (!_pv_pg_store_begin (self, &self->write, error))
    return FALSE;

  if (!_pv_pg_store_run (self, &self->write, sql, params, &changes, error) ||
      (changes > 0 && !_pv_pg_store_insert_event (self, &self->write, number, event, channel,
                                                  detail, error)) ||
      !_pv_pg_store_commit (self, &self->write, error))
    {
      _pv_pg_store_rollback (self, &self->write);
      return FALSE;
    }

  if (applied != NULL)
    *applied = changes > 0;

  return TRUE;
}

/* Runs @sql, which reads $1 the number, $2 @value and $3 the time, as apply_with_event()
 * does. */
static gboolean
apply_to_number (PvPgStore    *self,
                 const char   *sql,
                 const char   *number,
                 const char   *value,
                 PvEventKind   event,
                 PvChannel     channel,
                 const char   *detail,
                 gboolean     *applied,
                 GError      **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->write.mutex);
  g_auto(PvPgParams) params = { 0, };

  _pv_pg_params_init (&params);
  _pv_pg_params_add_text (&params, number);
  _pv_pg_params_add_text (&params, value);
  _pv_pg_params_add_int (&params, _pv_pg_store_now (self));

  return apply_with_event (self, sql, &params, number, event, channel, detail, applied, error);
}

gboolean
_pv_pg_store_record_failed_attempt (PvStore     *store,
                                    const char  *number,
                                    GError     **error)
{
  PvPgStore *self = PV_PG_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->write.mutex);
  g_auto(PvPgParams) params = { 0, };

  _pv_pg_params_init (&params);
  _pv_pg_params_add_text (&params, number);
  _pv_pg_params_add_int (&params, _pv_pg_store_now (self));

  /* Touches the customer too, so that other desks hear of it. A customer deleted since
   * the attempt was claimed gets no event. */
  return apply_with_event (self, "UPDATE customers SET updated_at = $2 WHERE number = $1",
                           &params, number, PV_EVENT_CHECK_FAILED, PV_CHANNEL_NONE, NULL,
                           NULL, error);
}

gboolean
_pv_pg_store_mark_verified (PvStore     *store,
                            const char  *number,
                            const char  *code_digest,
                            const char  *inbound_sid,
                            gboolean    *applied,
                            GError     **error)
{
  return apply_to_number (PV_PG_STORE (store),
                          "UPDATE customers SET status = 'verified', verified_at = $3, "
                          "updated_at = $3, code_digest = NULL, code_expires_at = NULL, "
                          "failed_attempts = 0 "
                          "WHERE number = $1 AND status = 'pending' AND code_digest = $2",
                          number, code_digest, PV_EVENT_VERIFIED,
                          inbound_sid != NULL ? PV_CHANNEL_INBOUND : PV_CHANNEL_NONE,
                          inbound_sid, applied, error);
}

gboolean
_pv_pg_store_record_delivery (PvStore     *store,
                              const char  *number,
                              const char  *message_sid,
                              const char  *status,
                              int          error_code,
                              gboolean    *applied,
                              GError     **error)
{
  PvPgStore *self = PV_PG_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->write.mutex);
  g_auto(PvPgParams) params = { 0, };
  g_autofree char *detail = _pv_store_delivery_detail (status, error_code);

  _pv_pg_params_init (&params);
  _pv_pg_params_add_text (&params, number);
  _pv_pg_params_add_text (&params, message_sid);
  _pv_pg_params_add_text (&params, status);
  if (error_code == 0)
    _pv_pg_params_add_text (&params, NULL);
  else
    _pv_pg_params_add_int (&params, error_code);
  _pv_pg_params_add_int (&params, _pv_pg_store_now (self));

  return apply_with_event (self,
                           "UPDATE customers SET delivery_status = $3, "
                           "delivery_error_code = $4, updated_at = $5 "
                           "WHERE number = $1 AND message_sid = $2",
                           &params, number, PV_EVENT_DELIVERY_UPDATE,
                           pv_channel_from_sid (message_sid), detail, applied, error);
}

gboolean
_pv_pg_store_rename_customer (PvStore     *store,
                              const char  *number,
                              const char  *name,
                              gboolean    *applied,
                              GError     **error)
{
  PvPgStore *self = PV_PG_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->write.mutex);
  g_auto(PvPgParams) params = { 0, };
  g_autofree char *words = _pv_pg_store_fold_words (name);

  _pv_pg_params_init (&params);
  _pv_pg_params_add_text (&params, number);
  _pv_pg_params_add_text (&params, name);
  _pv_pg_params_add_int (&params, _pv_pg_store_now (self));
  _pv_pg_params_add_text (&params, words);

  return apply_with_event (self,
                           "UPDATE customers SET name = $2, name_words = $4, updated_at = $3 "
                           "WHERE number = $1 AND name IS DISTINCT FROM $2",
                           &params, number, PV_EVENT_RENAMED, PV_CHANNEL_NONE, name, applied,
                           error);
}

gboolean
_pv_pg_store_set_customer_language (PvStore     *store,
                                    const char  *number,
                                    const char  *language,
                                    gboolean    *applied,
                                    GError     **error)
{
  return apply_to_number (PV_PG_STORE (store),
                          "UPDATE customers SET language = $2, updated_at = $3 "
                          "WHERE number = $1 AND language IS DISTINCT FROM $2",
                          number, language, PV_EVENT_LANGUAGE_SET, PV_CHANNEL_NONE, language,
                          applied, error);
}
