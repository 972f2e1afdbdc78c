/* pv-sqlite-store-intents.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The store's intents on SQLite. Each is one statement, or one BEGIN IMMEDIATE transaction
 * that takes the database's write lock before it reads, so whatever it decides from what it
 * read still holds when it writes, whichever other processes share the file. Conditions
 * that make a write a compare-and-set (send_id, code_digest, message_sid) stand in the
 * UPDATE's WHERE clause, and sqlite3_changes() says whether it applied. */

#define G_LOG_DOMAIN "pv-store"

#include "config.h"

#include <glib/gi18n.h>

#include "pv-sqlite-store-private.h"
#include "pv-store-rules.h"

static gboolean
insert_claimed_customer (PvSqliteStore        *self,
                         const PvSendRequest  *request,
                         gint64                now,
                         gint64                send_id,
                         GError              **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;

  stmt = _pv_sqlite_store_get_statement (self,
                                         "INSERT INTO customers (number, name, status, code_digest, "
                                         "code_expires_at, failed_attempts, sends_in_window, "
                                         "send_window_started_at, last_sent_at, created_at, "
                                         "updated_at, send_state, send_id, send_owner, "
                                         "code_seed, channel) "
                                         "VALUES (?1, ?2, 'pending', ?3, ?4 + ?5, 0, 1, ?4, ?4, ?4, "
                                         "?4, 'sending', ?7, ?6, ?8, ?9)",
                                         error);
  if (stmt == NULL)
    return FALSE;

  _pv_sqlite_store_bind_text (stmt, 1, request->number);
  _pv_sqlite_store_bind_text (stmt, 2, request->name);
  _pv_sqlite_store_bind_text (stmt, 3, request->code_digest);
  sqlite3_bind_int64 (stmt, 4, now);
  sqlite3_bind_int64 (stmt, 5, request->code_lifetime);
  _pv_sqlite_store_bind_text (stmt, 6, request->owner);
  sqlite3_bind_int64 (stmt, 7, send_id);
  _pv_sqlite_store_bind_text (stmt, 8, request->code_seed);
  _pv_sqlite_store_bind_text (stmt, 9, pv_channel_to_string (request->channel));

  return _pv_sqlite_store_step_done (self, stmt, NULL, error);
}

/* With @keep_code the live code, its expiry and the attempts used on it stay: sending it
 * again, by another channel or the same one, must not give a guesser fresh attempts or
 * the code a longer life. */
static gboolean
update_claimed_customer (PvSqliteStore        *self,
                         const PvSendRequest  *request,
                         const PvCustomer     *stored,
                         gboolean              keep_code,
                         gint64                now,
                         gint64                send_id,
                         GError              **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;
  gboolean new_window = _pv_store_starts_new_window (stored, now);

  stmt = _pv_sqlite_store_get_statement (self,
                                         "UPDATE customers SET status = 'pending', "
                                         "name = coalesce (?2, name), "
                                         "code_digest = CASE WHEN ?9 THEN code_digest ELSE ?3 END, "
                                         "code_seed = CASE WHEN ?9 THEN code_seed ELSE ?10 END, "
                                         "code_expires_at = CASE WHEN ?9 THEN code_expires_at "
                                         "  ELSE ?4 + ?5 END, "
                                         "failed_attempts = CASE WHEN ?9 THEN failed_attempts "
                                         "  ELSE 0 END, channel = ?11, "
                                         "sends_in_window = CASE WHEN ?7 THEN 1 "
                                         "  ELSE sends_in_window + 1 END, "
                                         "send_window_started_at = CASE WHEN ?7 THEN ?4 "
                                         "  ELSE send_window_started_at END, "
                                         "last_sent_at = ?4, message_sid = NULL, "
                                         "delivery_status = NULL, delivery_error_code = NULL, "
                                         "updated_at = ?4, send_state = 'sending', "
                                         "send_id = ?8, send_owner = ?6 "
                                         "WHERE number = ?1",
                                         error);
  if (stmt == NULL)
    return FALSE;

  _pv_sqlite_store_bind_text (stmt, 1, request->number);
  _pv_sqlite_store_bind_text (stmt, 2, request->name);
  _pv_sqlite_store_bind_text (stmt, 3, request->code_digest);
  sqlite3_bind_int64 (stmt, 4, now);
  sqlite3_bind_int64 (stmt, 5, request->code_lifetime);
  _pv_sqlite_store_bind_text (stmt, 6, request->owner);
  sqlite3_bind_int (stmt, 7, new_window);
  sqlite3_bind_int64 (stmt, 8, send_id);
  sqlite3_bind_int (stmt, 9, keep_code);
  _pv_sqlite_store_bind_text (stmt, 10, request->code_seed);
  _pv_sqlite_store_bind_text (stmt, 11, pv_channel_to_string (request->channel));

  return _pv_sqlite_store_step_done (self, stmt, NULL, error);
}

/* Send tokens come from one counter for the whole database, never from the row: a customer
 * deleted and registered again must not get a token that an old send still holds. */
static gboolean
next_send_id (PvSqliteStore  *self,
              gint64         *send_id,
              GError        **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;

  stmt = _pv_sqlite_store_get_statement (self,
                                         "UPDATE send_tokens SET last = last + 1 RETURNING last",
                                         error);
  if (stmt == NULL)
    return FALSE;

  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      _pv_sqlite_store_set_database_error (self, PV_STORE_ERROR_FAILED, error);
      return FALSE;
    }

  *send_id = sqlite3_column_int64 (stmt, 0);

  return _pv_sqlite_store_step_done (self, stmt, NULL, error);
}

gboolean
_pv_sqlite_store_claim_send (PvStore              *store,
                             const PvSendRequest  *request,
                             PvSendClaim          *claim,
                             GError              **error)
{
  PvSqliteStore *self = PV_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  g_autoptr(PvCustomer) stored = NULL;
  g_autoptr(GError) local_error = NULL;
  PvSendRequest named = *request;
  gint64 now = _pv_sqlite_store_now (self);
  gint64 send_id = 0;
  gboolean written;

  /* An empty name keeps the stored one. */
  if (named.name != NULL && named.name[0] == '\0')
    named.name = NULL;

  if (!_pv_sqlite_store_begin (self, error))
    return FALSE;

  stored = _pv_sqlite_store_lookup_locked (self, request->number, &local_error);
  if (local_error != NULL)
    goto failed;

  if (stored == NULL && request->resend)
    {
      claim->verdict = PV_SEND_REFUSED_NOT_FOUND;
      _pv_sqlite_store_rollback (self);
      return TRUE;
    }

  if (stored != NULL)
    {
      claim->verdict = _pv_store_judge_send (request, stored, now, &claim->wait);
      if (claim->verdict != PV_SEND_GRANTED)
        {
          claim->customer = g_steal_pointer (&stored);
          _pv_sqlite_store_rollback (self);
          return TRUE;
        }
    }

  claim->verdict = PV_SEND_GRANTED;
  claim->created = stored == NULL;

  if (!next_send_id (self, &send_id, &local_error))
    goto failed;

  claim->kept_code = _pv_store_keeps_code (request, stored, now);

  if (stored == NULL)
    written = insert_claimed_customer (self, &named, now, send_id, &local_error);
  else
    written = update_claimed_customer (self, &named, stored, claim->kept_code, now, send_id,
                                       &local_error);

  if (!written)
    goto failed;

  claim->customer = _pv_sqlite_store_lookup_locked (self, request->number, &local_error);
  if (claim->customer == NULL || !_pv_sqlite_store_commit (self, &local_error))
    goto failed;

  claim->before = g_steal_pointer (&stored);

  return TRUE;

failed:
  _pv_sqlite_store_rollback (self);
  pv_send_claim_clear (claim);
  if (local_error == NULL)
    g_set_error_literal (&local_error, PV_STORE_ERROR, PV_STORE_ERROR_FAILED,
                         _("The customer database changed unexpectedly. Try again."));
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
record_sent (PvSqliteStore        *self,
             const char           *number,
             gint64                send_id,
             const PvSendOutcome  *outcome,
             int                  *changes,
             GError              **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;

  /* Also over UNKNOWN: a restart may have given up on a send that did finish. */
  stmt = _pv_sqlite_store_get_statement (self,
                                         "UPDATE customers SET send_state = 'sent', "
                                         "send_owner = NULL, message_sid = ?3, "
                                         "delivery_status = ?4, delivery_error_code = ?5, "
                                         "updated_at = ?6 "
                                         "WHERE number = ?1 AND send_id = ?2",
                                         error);
  if (stmt == NULL)
    return FALSE;

  _pv_sqlite_store_bind_text (stmt, 1, number);
  sqlite3_bind_int64 (stmt, 2, send_id);
  _pv_sqlite_store_bind_text (stmt, 3, outcome->message_sid);
  _pv_sqlite_store_bind_text (stmt, 4, outcome->delivery_status);
  if (outcome->error_code == 0)
    sqlite3_bind_null (stmt, 5);
  else
    sqlite3_bind_int (stmt, 5, outcome->error_code);
  sqlite3_bind_int64 (stmt, 6, _pv_sqlite_store_now (self));

  return _pv_sqlite_store_step_done (self, stmt, changes, error);
}

static gboolean
record_unknown (PvSqliteStore  *self,
                const char     *number,
                gint64          send_id,
                int            *changes,
                GError        **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;

  stmt = _pv_sqlite_store_get_statement (self,
                                         "UPDATE customers SET send_state = 'unknown', "
                                         "send_owner = NULL, updated_at = ?3 "
                                         "WHERE number = ?1 AND send_id = ?2 "
                                         "AND send_state = 'sending'",
                                         error);
  if (stmt == NULL)
    return FALSE;

  _pv_sqlite_store_bind_text (stmt, 1, number);
  sqlite3_bind_int64 (stmt, 2, send_id);
  sqlite3_bind_int64 (stmt, 3, _pv_sqlite_store_now (self));

  return _pv_sqlite_store_step_done (self, stmt, changes, error);
}

/* A refused send never reached the customer: the claim goes, exactly. Nothing else can have
 * claimed a send in between, or send_id would differ (tokens are never reused); so the
 * counters can simply be put back as they were. */
static gboolean
undo_claim (PvSqliteStore     *self,
            const char        *number,
            gint64             send_id,
            const PvCustomer  *before,
            int               *changes,
            GError           **error)
{
  g_autoptr(PvCachedStatement) stmt = NULL;

  if (before == NULL)
    {
      stmt = _pv_sqlite_store_get_statement (self,
                                             "DELETE FROM customers "
                                             "WHERE number = ?1 AND send_id = ?2",
                                             error);
      if (stmt == NULL)
        return FALSE;

      _pv_sqlite_store_bind_text (stmt, 1, number);
      sqlite3_bind_int64 (stmt, 2, send_id);

      return _pv_sqlite_store_step_done (self, stmt, changes, error);
    }

  stmt = _pv_sqlite_store_get_statement (self,
                                         "UPDATE customers SET code_digest = ?3, "
                                         "code_expires_at = ?4, failed_attempts = ?5, "
                                         "sends_in_window = ?6, send_window_started_at = ?7, "
                                         "last_sent_at = ?8, message_sid = ?9, "
                                         "delivery_status = ?10, delivery_error_code = ?11, "
                                         "send_state = ?12, send_owner = NULL, updated_at = ?13, "
                                         "name = ?14, status = ?15, code_seed = ?16, channel = ?17 "
                                         "WHERE number = ?1 AND send_id = ?2",
                                         error);
  if (stmt == NULL)
    return FALSE;

  _pv_sqlite_store_bind_text (stmt, 1, number);
  sqlite3_bind_int64 (stmt, 2, send_id);
  _pv_sqlite_store_bind_text (stmt, 3, before->code_digest);
  _pv_sqlite_store_bind_time (stmt, 4, before->code_expires_at);
  sqlite3_bind_int64 (stmt, 5, before->failed_attempts);
  sqlite3_bind_int64 (stmt, 6, before->sends_in_window);
  _pv_sqlite_store_bind_time (stmt, 7, before->send_window_started_at);
  _pv_sqlite_store_bind_time (stmt, 8, before->last_sent_at);
  _pv_sqlite_store_bind_text (stmt, 9, before->message_sid);
  _pv_sqlite_store_bind_text (stmt, 10, before->delivery_status);
  if (before->delivery_error_code == 0)
    sqlite3_bind_null (stmt, 11);
  else
    sqlite3_bind_int (stmt, 11, before->delivery_error_code);
  _pv_sqlite_store_bind_text (stmt, 12, pv_send_state_to_string (before->send_state));
  _pv_sqlite_store_bind_time (stmt, 13, before->updated_at);
  _pv_sqlite_store_bind_text (stmt, 14, before->name);
  /* A re-verification Twilio refused leaves the customer verified, as before it. */
  _pv_sqlite_store_bind_text (stmt, 15, pv_customer_status_to_string (before->status));
  _pv_sqlite_store_bind_text (stmt, 16, before->code_seed);
  _pv_sqlite_store_bind_text (stmt, 17, pv_channel_to_string (before->channel));

  return _pv_sqlite_store_step_done (self, stmt, changes, error);
}

gboolean
_pv_sqlite_store_finish_send (PvStore              *store,
                              const char           *number,
                              gint64                send_id,
                              const PvCustomer     *before,
                              const PvSendOutcome  *outcome,
                              gboolean             *applied,
                              GError              **error)
{
  PvSqliteStore *self = PV_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  const char *detail = NULL;
  PvEventKind event = _pv_store_outcome_event (outcome, &detail);
  int changes = 0;
  gboolean written;

  if (!_pv_sqlite_store_begin (self, error))
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
      (changes > 0 && !_pv_sqlite_store_insert_channel_event (self, number, event,
                                                              outcome->channel, detail,
                                                              error)) ||
      !_pv_sqlite_store_commit (self, error))
    {
      _pv_sqlite_store_rollback (self);
      return FALSE;
    }

  *applied = changes > 0;

  return TRUE;
}

GPtrArray *
_pv_sqlite_store_list_sends_in_flight (PvStore  *store,
                                       GError  **error)
{
  PvSqliteStore *self = PV_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  g_autoptr(PvCachedStatement) stmt = NULL;
  g_autoptr(GPtrArray) customers = NULL;
  int result;

  stmt = _pv_sqlite_store_get_statement (self,
                                         "SELECT " PV_CUSTOMER_COLUMNS " FROM customers "
                                         "WHERE send_state = 'sending'",
                                         error);
  if (stmt == NULL)
    return NULL;

  customers = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_customer_free);

  while ((result = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PvCustomer *customer = _pv_sqlite_store_customer_from_row (stmt, error);

      if (customer == NULL)
        return NULL;
      g_ptr_array_add (customers, customer);
    }

  if (result != SQLITE_DONE)
    {
      _pv_sqlite_store_set_database_error (self, PV_STORE_ERROR_FAILED, error);
      return NULL;
    }

  return g_steal_pointer (&customers);
}

/* Says why an attempt was not granted, from the row as it is now. */
static gboolean
explain_refused_attempt (PvSqliteStore  *self,
                         const char     *number,
                         guint           max_attempts,
                         PvAttempt      *attempt,
                         GError        **error)
{
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(GError) local_error = NULL;

  customer = _pv_sqlite_store_lookup_locked (self, number, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  attempt->verdict = _pv_store_explain_refused_attempt (customer, max_attempts);

  return TRUE;
}

gboolean
_pv_sqlite_store_claim_attempt (PvStore     *store,
                                const char  *number,
                                guint        max_attempts,
                                PvAttempt   *attempt,
                                GError     **error)
{
  PvSqliteStore *self = PV_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  g_autoptr(PvCachedStatement) stmt = NULL;
  int result;

  /* One statement: the count goes up before anyone compares, and only while it is below
   * the limit. */
  stmt = _pv_sqlite_store_get_statement (self,
                                         "UPDATE customers SET failed_attempts = failed_attempts + 1, "
                                         "updated_at = ?3 "
                                         "WHERE number = ?1 AND status = 'pending' "
                                         "AND code_digest IS NOT NULL AND failed_attempts < ?2 "
                                         "AND code_expires_at > ?3 "
                                         "RETURNING code_digest, failed_attempts, channel",
                                         error);
  if (stmt == NULL)
    return FALSE;

  _pv_sqlite_store_bind_text (stmt, 1, number);
  sqlite3_bind_int64 (stmt, 2, max_attempts);
  sqlite3_bind_int64 (stmt, 3, _pv_sqlite_store_now (self));

  result = sqlite3_step (stmt);
  if (result == SQLITE_ROW)
    {
      attempt->verdict = PV_ATTEMPT_GRANTED;
      attempt->code_digest = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      attempt->attempts_used = (guint) sqlite3_column_int64 (stmt, 1);
      attempt->channel = _pv_store_channel_or_text ((const char *) sqlite3_column_text (stmt, 2),
                                                    TRUE);
      result = sqlite3_step (stmt);
    }
  else if (result == SQLITE_DONE)
    {
      _pv_sqlite_store_release_statement (stmt);
      return explain_refused_attempt (self, number, max_attempts, attempt, error);
    }

  if (result != SQLITE_DONE)
    {
      pv_attempt_clear (attempt);
      _pv_sqlite_store_set_database_error (self, PV_STORE_ERROR_FAILED, error);
      return FALSE;
    }

  return TRUE;
}

/* Runs @stmt, a conditional UPDATE, and records @event only if it applied, all in one
 * transaction. */
static gboolean
apply_with_event (PvSqliteStore  *self,
                  sqlite3_stmt   *stmt,
                  const char     *number,
                  PvEventKind     event,
                  PvChannel       channel,
                  const char     *detail,
                  gboolean       *applied,
                  GError        **error)
{
  int changes = 0;

  if (!_pv_sqlite_store_begin (self, error))
    return FALSE;

  if (!_pv_sqlite_store_step_done (self, stmt, &changes, error) ||
      (changes > 0 && !_pv_sqlite_store_insert_channel_event (self, number, event, channel,
                                                              detail, error)) ||
      !_pv_sqlite_store_commit (self, error))
    {
      _pv_sqlite_store_rollback (self);
      return FALSE;
    }

  if (applied != NULL)
    *applied = changes > 0;

  return TRUE;
}

gboolean
_pv_sqlite_store_record_failed_attempt (PvStore     *store,
                                        const char  *number,
                                        GError     **error)
{
  PvSqliteStore *self = PV_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  g_autoptr(PvCachedStatement) stmt = NULL;

  /* Touches the customer too, so that watchers hear of it. */
  stmt = _pv_sqlite_store_get_statement (self,
                                         "UPDATE customers SET updated_at = ?2 WHERE number = ?1",
                                         error);
  if (stmt == NULL)
    return FALSE;

  _pv_sqlite_store_bind_text (stmt, 1, number);
  sqlite3_bind_int64 (stmt, 2, _pv_sqlite_store_now (self));

  /* A customer deleted since the attempt was claimed gets no event. */
  return apply_with_event (self, stmt, number, PV_EVENT_CHECK_FAILED, PV_CHANNEL_NONE, NULL,
                           NULL, error);
}

gboolean
_pv_sqlite_store_mark_verified (PvStore     *store,
                                const char  *number,
                                const char  *code_digest,
                                const char  *inbound_sid,
                                gboolean    *applied,
                                GError     **error)
{
  PvSqliteStore *self = PV_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  g_autoptr(PvCachedStatement) stmt = NULL;

  stmt = _pv_sqlite_store_get_statement (self,
                                         "UPDATE customers SET status = 'verified', "
                                         "verified_at = ?3, updated_at = ?3, code_digest = NULL, "
                                         "code_expires_at = NULL, failed_attempts = 0 "
                                         "WHERE number = ?1 AND status = 'pending' "
                                         "AND code_digest = ?2",
                                         error);
  if (stmt == NULL)
    return FALSE;

  _pv_sqlite_store_bind_text (stmt, 1, number);
  _pv_sqlite_store_bind_text (stmt, 2, code_digest);
  sqlite3_bind_int64 (stmt, 3, _pv_sqlite_store_now (self));

  return apply_with_event (self, stmt, number, PV_EVENT_VERIFIED,
                           inbound_sid != NULL ? PV_CHANNEL_INBOUND : PV_CHANNEL_NONE,
                           inbound_sid, applied, error);
}

gboolean
_pv_sqlite_store_record_delivery (PvStore     *store,
                                  const char  *number,
                                  const char  *message_sid,
                                  const char  *status,
                                  int          error_code,
                                  gboolean    *applied,
                                  GError     **error)
{
  PvSqliteStore *self = PV_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  g_autoptr(PvCachedStatement) stmt = NULL;
  g_autofree char *detail = NULL;

  stmt = _pv_sqlite_store_get_statement (self,
                                         "UPDATE customers SET delivery_status = ?3, "
                                         "delivery_error_code = ?4, updated_at = ?5 "
                                         "WHERE number = ?1 AND message_sid = ?2",
                                         error);
  if (stmt == NULL)
    return FALSE;

  _pv_sqlite_store_bind_text (stmt, 1, number);
  _pv_sqlite_store_bind_text (stmt, 2, message_sid);
  _pv_sqlite_store_bind_text (stmt, 3, status);
  if (error_code == 0)
    sqlite3_bind_null (stmt, 4);
  else
    sqlite3_bind_int (stmt, 4, error_code);
  sqlite3_bind_int64 (stmt, 5, _pv_sqlite_store_now (self));

  detail = _pv_store_delivery_detail (status, error_code);

  return apply_with_event (self, stmt, number, PV_EVENT_DELIVERY_UPDATE,
                           pv_channel_from_sid (message_sid), detail, applied,
                           error);
}

/* Sets one of the customer's own text fields, which no other intent writes, and records
 * @event with the new value, only when it changes. @sql reads ?1 number, ?2 value, ?3 now. */
static gboolean
set_customer_field (PvSqliteStore  *self,
                    const char     *sql,
                    const char     *number,
                    const char     *value,
                    PvEventKind     event,
                    gboolean       *applied,
                    GError        **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  g_autoptr(PvCachedStatement) stmt = NULL;

  stmt = _pv_sqlite_store_get_statement (self, sql, error);
  if (stmt == NULL)
    return FALSE;

  _pv_sqlite_store_bind_text (stmt, 1, number);
  _pv_sqlite_store_bind_text (stmt, 2, value);
  sqlite3_bind_int64 (stmt, 3, _pv_sqlite_store_now (self));

  return apply_with_event (self, stmt, number, event, PV_CHANNEL_NONE, value, applied,
                           error);
}

gboolean
_pv_sqlite_store_set_customer_language (PvStore     *store,
                                        const char  *number,
                                        const char  *language,
                                        gboolean    *applied,
                                        GError     **error)
{
  return set_customer_field (PV_SQLITE_STORE (store),
                             "UPDATE customers SET language = ?2, updated_at = ?3 "
                             "WHERE number = ?1 AND language IS NOT ?2",
                             number, language, PV_EVENT_LANGUAGE_SET, applied, error);
}

gboolean
_pv_sqlite_store_rename_customer (PvStore     *store,
                                  const char  *number,
                                  const char  *name,
                                  gboolean    *applied,
                                  GError     **error)
{
  return set_customer_field (PV_SQLITE_STORE (store),
                             "UPDATE customers SET name = ?2, updated_at = ?3 "
                             "WHERE number = ?1 AND name IS NOT ?2",
                             number, name, PV_EVENT_RENAMED, applied, error);
}
