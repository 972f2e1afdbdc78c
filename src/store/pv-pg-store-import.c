/* pv-pg-store-import.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Copying an office's customers in, from the SQLite file its first desk kept. A page of
 * customers goes in as two statements, whatever its size: each column travels as one
 * array, unnest() turns the arrays back into rows, and ON CONFLICT skips the numbers the
 * server has already. Only the histories of customers actually added are copied, in the
 * same transaction, so running the copy again after an interruption adds nothing twice. */

#define G_LOG_DOMAIN "pv-store"

#include "config.h"

#include "pv-pg-store-private.h"

enum
{
  CUSTOMER_NUMBER,
  CUSTOMER_NAME,
  CUSTOMER_STATUS,
  CUSTOMER_CODE_DIGEST,
  CUSTOMER_CODE_EXPIRES_AT,
  CUSTOMER_FAILED_ATTEMPTS,
  CUSTOMER_SENDS_IN_WINDOW,
  CUSTOMER_SEND_WINDOW_STARTED_AT,
  CUSTOMER_LAST_SENT_AT,
  CUSTOMER_MESSAGE_SID,
  CUSTOMER_DELIVERY_STATUS,
  CUSTOMER_DELIVERY_ERROR_CODE,
  CUSTOMER_CREATED_AT,
  CUSTOMER_VERIFIED_AT,
  CUSTOMER_UPDATED_AT,
  CUSTOMER_SEND_STATE,
  CUSTOMER_SEND_ID,
  CUSTOMER_SEND_OWNER,
  CUSTOMER_CODE_SEED,
  CUSTOMER_CHANNEL,
  CUSTOMER_LANGUAGE,
  CUSTOMER_NAME_WORDS,
  CUSTOMER_NATIONAL,
  N_CUSTOMER_ARRAYS
};

enum
{
  EVENT_NUMBER,
  EVENT_KIND,
  EVENT_DETAIL,
  EVENT_TIME,
  EVENT_CHANNEL,
  N_EVENT_ARRAYS
};

/* Array literals in PostgreSQL's text format: {"a","b\"c",NULL}. */
static GString *
array_new (void)
{
  return g_string_new ("{");
}

static void
array_add_text (GString    *array,
                const char *text)
{
  if (array->len > 1)
    g_string_append_c (array, ',');

  if (text == NULL)
    {
      g_string_append (array, "NULL");
      return;
    }

  g_string_append_c (array, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (array, '\\');
      g_string_append_c (array, *p);
    }
  g_string_append_c (array, '"');
}

static void
array_add_int (GString *array,
               gint64   value,
               gboolean zero_is_null)
{
  g_autofree char *text = NULL;

  if (zero_is_null && value == 0)
    {
      array_add_text (array, NULL);
      return;
    }

  text = g_strdup_printf ("%" G_GINT64_FORMAT, value);
  array_add_text (array, text);
}

static void
add_customer (GString          **arrays,
              const PvCustomer  *customer)
{
  g_autofree char *words = _pv_pg_store_fold_words (customer->name);
  g_autofree char *national = _pv_pg_store_national_digits (customer->number);

  array_add_text (arrays[CUSTOMER_NUMBER], customer->number);
  array_add_text (arrays[CUSTOMER_NAME], customer->name);
  array_add_text (arrays[CUSTOMER_STATUS], pv_customer_status_to_string (customer->status));
  array_add_text (arrays[CUSTOMER_CODE_DIGEST], customer->code_digest);
  array_add_int (arrays[CUSTOMER_CODE_EXPIRES_AT], customer->code_expires_at, TRUE);
  array_add_int (arrays[CUSTOMER_FAILED_ATTEMPTS], customer->failed_attempts, FALSE);
  array_add_int (arrays[CUSTOMER_SENDS_IN_WINDOW], customer->sends_in_window, FALSE);
  array_add_int (arrays[CUSTOMER_SEND_WINDOW_STARTED_AT], customer->send_window_started_at,
                 TRUE);
  array_add_int (arrays[CUSTOMER_LAST_SENT_AT], customer->last_sent_at, TRUE);
  array_add_text (arrays[CUSTOMER_MESSAGE_SID], customer->message_sid);
  array_add_text (arrays[CUSTOMER_DELIVERY_STATUS], customer->delivery_status);
  array_add_int (arrays[CUSTOMER_DELIVERY_ERROR_CODE], customer->delivery_error_code, TRUE);
  array_add_int (arrays[CUSTOMER_CREATED_AT], customer->created_at, FALSE);
  array_add_int (arrays[CUSTOMER_VERIFIED_AT], customer->verified_at, TRUE);
  array_add_int (arrays[CUSTOMER_UPDATED_AT], customer->updated_at, FALSE);
  array_add_text (arrays[CUSTOMER_SEND_STATE], pv_send_state_to_string (customer->send_state));
  array_add_int (arrays[CUSTOMER_SEND_ID], customer->send_id, FALSE);
  array_add_text (arrays[CUSTOMER_SEND_OWNER], customer->send_owner);
  array_add_text (arrays[CUSTOMER_CODE_SEED], customer->code_seed);
  array_add_text (arrays[CUSTOMER_CHANNEL], pv_channel_to_string (customer->channel));
  array_add_text (arrays[CUSTOMER_LANGUAGE], customer->language);
  array_add_text (arrays[CUSTOMER_NAME_WORDS], words);
  array_add_text (arrays[CUSTOMER_NATIONAL], national);
}

static void
add_event (GString       **arrays,
           const PvEvent  *event)
{
  array_add_text (arrays[EVENT_NUMBER], event->number);
  array_add_text (arrays[EVENT_KIND], pv_event_kind_to_string (event->kind));
  array_add_text (arrays[EVENT_DETAIL], event->detail);
  array_add_int (arrays[EVENT_TIME], event->time, FALSE);
  array_add_text (arrays[EVENT_CHANNEL], pv_channel_to_string (event->channel));
}

static void
params_take_arrays (PvPgParams  *params,
                    GString    **arrays,
                    guint        n_arrays)
{
  for (guint i = 0; i < n_arrays; i++)
    {
      g_string_append_c (arrays[i], '}');
      g_ptr_array_add (params->values, g_string_free (g_steal_pointer (&arrays[i]), FALSE));
    }
}

/* The send tokens go on from the highest copied, so that no new send reuses one. */
#define ADVANCE_SEND_TOKENS \
  "SELECT setval ('send_tokens', greatest ((SELECT last_value FROM send_tokens), " \
  "                                        (SELECT coalesce (max (send_id), 1) FROM customers)))"

static gboolean
insert_customers (PvPgStore   *self,
                  GPtrArray   *customers,
                  GPtrArray   *histories,
                  guint       *n_imported,
                  GError     **error)
{
  g_auto(PvPgParams) params = { 0, };
  g_auto(PvPgParams) event_params = { 0, };
  g_autoptr(PGresult) added = NULL;
  g_autoptr(GHashTable) is_added = g_hash_table_new (g_str_hash, g_str_equal);
  GString *arrays[N_CUSTOMER_ARRAYS];
  GString *event_arrays[N_EVENT_ARRAYS];

  for (guint i = 0; i < N_CUSTOMER_ARRAYS; i++)
    arrays[i] = array_new ();
  for (guint i = 0; i < customers->len; i++)
    add_customer (arrays, g_ptr_array_index (customers, i));

  _pv_pg_params_init (&params);
  params_take_arrays (&params, arrays, N_CUSTOMER_ARRAYS);

  added = _pv_pg_store_exec (self, &self->write,
                             "INSERT INTO customers (number, name, status, code_digest, "
                             "code_expires_at, failed_attempts, sends_in_window, "
                             "send_window_started_at, last_sent_at, message_sid, "
                             "delivery_status, delivery_error_code, created_at, verified_at, "
                             "updated_at, send_state, send_id, send_owner, code_seed, channel, "
                             "language, name_words, national) "
                             "SELECT * FROM unnest ($1::text[], $2::text[], $3::text[], "
                             "$4::text[], $5::bigint[], $6::integer[], $7::integer[], "
                             "$8::bigint[], $9::bigint[], $10::text[], $11::text[], "
                             "$12::integer[], $13::bigint[], $14::bigint[], $15::bigint[], "
                             "$16::text[], $17::bigint[], $18::text[], $19::text[], "
                             "$20::text[], $21::text[], $22::text[], $23::text[]) "
                             "ON CONFLICT (number) DO NOTHING RETURNING number",
                             &params, error);
  if (added == NULL)
    return FALSE;

  *n_imported = (guint) PQntuples (added);
  if (*n_imported == 0)
    return TRUE;

  for (int row = 0; row < PQntuples (added); row++)
    g_hash_table_add (is_added, PQgetvalue (added, row, 0));

  for (guint i = 0; i < N_EVENT_ARRAYS; i++)
    event_arrays[i] = array_new ();
  for (guint i = 0; i < customers->len; i++)
    {
      const PvCustomer *customer = g_ptr_array_index (customers, i);
      GPtrArray *history = g_ptr_array_index (histories, i);

      if (!g_hash_table_contains (is_added, customer->number))
        continue;

      for (guint j = 0; j < history->len; j++)
        add_event (event_arrays, g_ptr_array_index (history, j));
    }

  _pv_pg_params_init (&event_params);
  params_take_arrays (&event_params, event_arrays, N_EVENT_ARRAYS);

  return _pv_pg_store_run (self, &self->write,
                           "INSERT INTO events (customer_id, number, kind, detail, time, channel) "
                           "SELECT c.id, e.number, e.kind, e.detail, e.time, e.channel "
                           "FROM unnest ($1::text[], $2::text[], $3::text[], $4::bigint[], "
                           "$5::text[]) WITH ORDINALITY AS e (number, kind, detail, time, "
                           "channel, position) "
                           "LEFT JOIN customers c ON c.number = e.number "
                           "ORDER BY e.position",
                           &event_params, NULL, error) &&
         _pv_pg_store_run (self, &self->write, ADVANCE_SEND_TOKENS, NULL, NULL, error);
}

gboolean
_pv_pg_store_import_customers (PvStore    *store,
                               GPtrArray  *customers,
                               GPtrArray  *histories,
                               guint      *n_imported,
                               GError    **error)
{
  PvPgStore *self = PV_PG_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->write.mutex);

  *n_imported = 0;

  if (customers->len == 0)
    return TRUE;

  if (!_pv_pg_store_begin (self, &self->write, error))
    return FALSE;

  if (!insert_customers (self, customers, histories, n_imported, error) ||
      !_pv_pg_store_commit (self, &self->write, error))
    {
      _pv_pg_store_rollback (self, &self->write);
      *n_imported = 0;
      return FALSE;
    }

  return TRUE;
}
