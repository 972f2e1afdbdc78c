/* pv-pg-store-private.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Shared by the parts of PvPgStore: pv-pg-store.c (connecting, migrating, reading and
 * writing customers), pv-pg-store-intents.c (the atomic intents), pv-pg-store-search.c
 * (counting, searching and paging) and pv-pg-store-watch.c (LISTEN/NOTIFY and
 * reconnecting). */

#pragma once

#include <libpq-fe.h>

#include "pv-pg-store.h"
#include "pv-store-rules.h"

G_BEGIN_DECLS

/* Every customer query selects PV_CUSTOMER_COLUMNS (pv-store-rules.h). */
#define PV_PG_CUSTOMER_COLUMNS PV_CUSTOMER_COLUMNS

/* The channel NOTIFY speaks on; the payload is "<writer> <number>". */
#define PV_PG_CHANGES_CHANNEL "pv_customers"

/* One connection and the lock that serializes its users. */
typedef struct
{
  GMutex    mutex;
  PGconn   *conn;
  /* A connection lost inside a transaction is not silently made again: the statements
   * after it would run outside the transaction. */
  gboolean  in_transaction;
} PvPgLink;

struct _PvPgStore
{
  GObject     parent_instance;

  char       *uri;
  char       *password;     /* nullable; from the keyring, never logged */
  char       *location;     /* the URI without any password, for people to read */
  PvClock    *clock;
  int         schema_version;
  /* Tags this store's NOTIFY payloads, so that its own writes are not news. */
  char       *writer;

  /* Intents and point lookups. */
  PvPgLink    write;
  /* The Customers list's counts and pages and the CSV export, on workers, so that a long
   * search never holds up an intent. */
  PvPgLink    read;

  /* Only touched on the thread that called pv_store_watch(). */
  PGconn     *listen_conn;
  GSource    *listen_source;
  GSource    *reconnect_source;
  GCancellable *reconnect_cancellable;
  guint       reconnect_delay_ms;
  GMainContext *watch_context;
  gboolean    online;
};

/* Text-format parameters for PQexecParams(): each value a string, or NULL for SQL NULL. */
typedef struct
{
  GPtrArray *values;        /* (element-type utf8) (nullable) */
} PvPgParams;

void        _pv_pg_params_init        (PvPgParams   *params);
void        _pv_pg_params_clear       (PvPgParams   *params);
void        _pv_pg_params_add_text    (PvPgParams   *params,
                                       const char   *text);
void        _pv_pg_params_add_int     (PvPgParams   *params,
                                       gint64        value);
/* 0 ("never") binds NULL. */
void        _pv_pg_params_add_time    (PvPgParams   *params,
                                       gint64        time);
void        _pv_pg_params_add_bool    (PvPgParams   *params,
                                       gboolean      value);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PvPgParams, _pv_pg_params_clear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

/* Call with @link's mutex held. Connects again first when the connection was lost (only
 * then: a statement whose answer was lost is never sent twice, since it may have been
 * applied). Returns the result when its status is COMMAND_OK or TUPLES_OK, else NULL with
 * @error set: PV_STORE_ERROR_EXISTS for a unique violation, PV_STORE_ERROR_BUSY for a lock
 * or statement timeout, PV_STORE_ERROR_OPEN when the server cannot be reached. */
PGresult   *_pv_pg_store_exec         (PvPgStore    *self,
                                       PvPgLink     *link,
                                       const char   *sql,
                                       PvPgParams   *params,
                                       GError      **error);
PGresult   *_pv_pg_store_query        (PvPgStore    *self,
                                       PvPgLink     *link,
                                       const char   *sql,
                                       PvPgParams   *params,
                                       GError      **error);
gboolean    _pv_pg_store_run          (PvPgStore    *self,
                                       PvPgLink     *link,
                                       const char   *sql,
                                       PvPgParams   *params,
                                       int          *changes,
                                       GError      **error);
gboolean    _pv_pg_store_begin        (PvPgStore    *self,
                                       PvPgLink     *link,
                                       GError      **error);
gboolean    _pv_pg_store_commit       (PvPgStore    *self,
                                       PvPgLink     *link,
                                       GError      **error);
void        _pv_pg_store_rollback     (PvPgStore    *self,
                                       PvPgLink     *link);
PGconn     *_pv_pg_store_connect      (PvPgStore    *self,
                                       GError      **error);
void        _pv_pg_store_set_error_from_conn (PGconn  *conn,
                                       GError      **error);

gint64      _pv_pg_store_now          (PvPgStore    *self);
gint64      _pv_pg_result_int         (const PGresult *result,
                                       int           row,
                                       int           column);
char       *_pv_pg_result_dup         (const PGresult *result,
                                       int           row,
                                       int           column);
PvCustomer *_pv_pg_store_customer_from_row (const PGresult *result,
                                       int           row,
                                       GError      **error);
GPtrArray  *_pv_pg_store_customers_from_result (const PGresult *result,
                                       GError      **error);
PvCustomer *_pv_pg_store_lookup_locked (PvPgStore   *self,
                                       PvPgLink     *link,
                                       const char   *number,
                                       gboolean      for_update,
                                       GError      **error);
gboolean    _pv_pg_store_insert_event (PvPgStore    *self,
                                       PvPgLink     *link,
                                       const char   *number,
                                       PvEventKind   kind,
                                       PvChannel     channel,
                                       const char   *detail,
                                       GError      **error);

/* The search schema (indexes and the columns they need), run by the first migration; and
 * the PvStoreInterface vfuncs of pv-pg-store-search.c. */
extern const char _pv_pg_store_search_schema[];

/* What the store writes beside each name and number for the search indexes. */
char       *_pv_pg_store_fold_words               (const char        *name);
char       *_pv_pg_store_national_digits          (const char        *e164);

GPtrArray  *_pv_pg_store_list_customers           (PvStore           *store,
                                                   const char        *search,
                                                   PvStoreSort        sort,
                                                   gboolean           descending,
                                                   guint              offset,
                                                   guint              limit,
                                                   GError           **error);
GPtrArray  *_pv_pg_store_list_customers_after     (PvStore           *store,
                                                   const char        *search,
                                                   const char        *after,
                                                   guint              limit,
                                                   GError           **error);
GPtrArray  *_pv_pg_store_list_customers_following (PvStore           *store,
                                                   const char        *search,
                                                   PvStoreSort        sort,
                                                   gboolean           descending,
                                                   const PvCustomer  *after,
                                                   guint              limit,
                                                   GError           **error);
gboolean    _pv_pg_store_count_customers          (PvStore           *store,
                                                   const char        *search,
                                                   guint             *n_customers,
                                                   GError           **error);
gboolean    _pv_pg_store_estimate_customers       (PvStore           *store,
                                                   const char        *search,
                                                   guint             *n_customers,
                                                   gboolean          *exact,
                                                   GError           **error);

/* The intents, in pv-pg-store-intents.c. */
gboolean    _pv_pg_store_claim_send            (PvStore              *store,
                                                const PvSendRequest  *request,
                                                PvSendClaim          *claim,
                                                GError              **error);
gboolean    _pv_pg_store_finish_send           (PvStore              *store,
                                                const char           *number,
                                                gint64                send_id,
                                                const PvCustomer     *before,
                                                const PvSendOutcome  *outcome,
                                                gboolean             *applied,
                                                GError              **error);
GPtrArray  *_pv_pg_store_list_sends_in_flight  (PvStore              *store,
                                                GError              **error);
gboolean    _pv_pg_store_claim_attempt         (PvStore              *store,
                                                const char           *number,
                                                guint                 max_attempts,
                                                PvAttempt            *attempt,
                                                GError              **error);
gboolean    _pv_pg_store_record_failed_attempt (PvStore              *store,
                                                const char           *number,
                                                GError              **error);
gboolean    _pv_pg_store_mark_verified         (PvStore              *store,
                                                const char           *number,
                                                const char           *code_digest,
                                                const char           *inbound_sid,
                                                gboolean             *applied,
                                                GError              **error);
gboolean    _pv_pg_store_record_delivery       (PvStore              *store,
                                                const char           *number,
                                                const char           *message_sid,
                                                const char           *status,
                                                int                   error_code,
                                                gboolean             *applied,
                                                GError              **error);
gboolean    _pv_pg_store_rename_customer       (PvStore              *store,
                                                const char           *number,
                                                const char           *name,
                                                gboolean             *applied,
                                                GError              **error);
gboolean    _pv_pg_store_set_customer_language (PvStore              *store,
                                                const char           *number,
                                                const char           *language,
                                                gboolean             *applied,
                                                GError              **error);

/* In pv-pg-store-import.c. */
gboolean    _pv_pg_store_import_customers      (PvStore              *store,
                                                GPtrArray            *customers,
                                                GPtrArray            *histories,
                                                guint                *n_imported,
                                                GError              **error);

/* In pv-pg-store-watch.c. */
PGconn     *_pv_pg_store_connect_listener      (PvPgStore            *self,
                                                GError              **error);
void        _pv_pg_store_watch                 (PvPgStore            *self);
void        _pv_pg_store_unwatch               (PvPgStore            *self);
void        _pv_pg_store_set_online            (PvPgStore            *self,
                                                gboolean              online);

G_END_DECLS
