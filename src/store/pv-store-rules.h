/* pv-store-rules.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What every store decides the same way, whatever its database: whether a send may go out,
 * why an attempt was refused, what an old row's missing channel means; and the columns a
 * customer is read from, which both schemas name alike. Each store applies the rules
 * inside its own transaction, to the row it has locked. Only the store layer sees this
 * header. */

#pragma once

#include "pv-store.h"

G_BEGIN_DECLS

/* The columns every customer query selects, in the order of PvCustomerColumn. */
#define PV_CUSTOMER_COLUMNS \
  "id, number, name, status, code_digest, code_expires_at, failed_attempts, sends_in_window, " \
  "send_window_started_at, last_sent_at, message_sid, delivery_status, delivery_error_code, " \
  "created_at, verified_at, updated_at, send_state, send_id, send_owner, code_seed, channel, " \
  "language"

typedef enum
{
  PV_CUSTOMER_COLUMN_ID,
  PV_CUSTOMER_COLUMN_NUMBER,
  PV_CUSTOMER_COLUMN_NAME,
  PV_CUSTOMER_COLUMN_STATUS,
  PV_CUSTOMER_COLUMN_CODE_DIGEST,
  PV_CUSTOMER_COLUMN_CODE_EXPIRES_AT,
  PV_CUSTOMER_COLUMN_FAILED_ATTEMPTS,
  PV_CUSTOMER_COLUMN_SENDS_IN_WINDOW,
  PV_CUSTOMER_COLUMN_SEND_WINDOW_STARTED_AT,
  PV_CUSTOMER_COLUMN_LAST_SENT_AT,
  PV_CUSTOMER_COLUMN_MESSAGE_SID,
  PV_CUSTOMER_COLUMN_DELIVERY_STATUS,
  PV_CUSTOMER_COLUMN_DELIVERY_ERROR_CODE,
  PV_CUSTOMER_COLUMN_CREATED_AT,
  PV_CUSTOMER_COLUMN_VERIFIED_AT,
  PV_CUSTOMER_COLUMN_UPDATED_AT,
  PV_CUSTOMER_COLUMN_SEND_STATE,
  PV_CUSTOMER_COLUMN_SEND_ID,
  PV_CUSTOMER_COLUMN_SEND_OWNER,
  PV_CUSTOMER_COLUMN_CODE_SEED,
  PV_CUSTOMER_COLUMN_CHANNEL,
  PV_CUSTOMER_COLUMN_LANGUAGE,
} PvCustomerColumn;

/* Read a column of the row a store's query is on; NULL text for SQL NULL, 0 for a NULL
 * number. */
typedef const char *(*PvColumnTextFunc)  (gconstpointer  row,
                                          int            column);
typedef gint64      (*PvColumnInt64Func) (gconstpointer  row,
                                          int            column);

/* The hourly cap counts sends in a window of this length from the first one. */
#define PV_SEND_WINDOW_SECONDS (60 * 60)

/* What a search typed by staff looks for, the same on every store. */
typedef enum
{
  PV_SEARCH_NONE,
  PV_SEARCH_WORDS,        /* names with a word starting with each word of the text */
  PV_SEARCH_NUMBER_START, /* numbers starting with the text, "+" and digits, in E.164 */
  PV_SEARCH_DIGITS,       /* numbers starting with the text, one or two digits, with or
                           * without their calling code */
  PV_SEARCH_ANYWHERE,     /* the text anywhere in the number or the name */
} PvSearchKind;

PvSearchKind      _pv_store_classify_search         (const char           *search,
                                                     char                **text);
char             *_pv_store_like_pattern            (const char           *text);
gboolean          _pv_store_has_live_code           (const PvCustomer     *customer,
                                                     guint                 max_attempts,
                                                     gint64                now);
PvSendVerdict     _pv_store_judge_send              (const PvSendRequest  *request,
                                                     const PvCustomer     *customer,
                                                     gint64                now,
                                                     guint                *wait);
gboolean          _pv_store_keeps_code              (const PvSendRequest  *request,
                                                     const PvCustomer     *stored,
                                                     gint64                now);
gboolean          _pv_store_starts_new_window       (const PvCustomer     *stored,
                                                     gint64                now);
PvAttemptVerdict  _pv_store_explain_refused_attempt (const PvCustomer     *customer,
                                                     guint                 max_attempts);
gboolean          _pv_store_is_send_event           (PvEventKind           kind);
PvChannel         _pv_store_channel_or_text         (const char           *stored,
                                                     gboolean              was_sent);
PvCustomer       *_pv_store_customer_from_columns   (gconstpointer         row,
                                                     PvColumnTextFunc      text,
                                                     PvColumnInt64Func     int64);
PvEventKind       _pv_store_outcome_event           (const PvSendOutcome  *outcome,
                                                     const char          **detail);
char             *_pv_store_delivery_detail         (const char           *status,
                                                     int                   error_code);

G_END_DECLS
