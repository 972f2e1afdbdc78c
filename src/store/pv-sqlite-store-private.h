/* pv-sqlite-store-private.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Shared by the parts of PvSqliteStore: pv-sqlite-store.c (opening, migrating, the
 * intents), pv-sqlite-store-search.c (counting, searching and paging),
 * pv-sqlite-store-matches.c (the customers a search matches, between its pages) and
 * pv-sqlite-store-watch.c (noticing other processes' changes). */

#pragma once

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "pv-sqlite-store.h"
#include "pv-store-rules.h"

G_BEGIN_DECLS


typedef struct _PvMatchSet PvMatchSet;
typedef struct _PvAnchorSet PvAnchorSet;

struct _PvSqliteStore
{
  GObject     parent_instance;

  /* Guards everything below: the UI pages from a worker thread while the main thread writes. */
  GMutex      mutex;
  sqlite3    *db;
  GHashTable *statements;       /* SQL text → sqlite3_stmt */

  char       *path;
  PvClock    *clock;
  int         schema_version;
  /* Tags this connection's rows in the changes table, so its own writes are not news. */
  char       *writer;

  /* The Customers list's counts and pages and the CSV export read through a connection of
   * their own, on workers: a search over a million customers can take that one for a
   * quarter of a second, which the verifier's writes and lookups on the main thread then
   * never wait for (in WAL mode, readers and the writer do not block each other). */
  GMutex      read_mutex;
  sqlite3    *read_db;
  GHashTable *read_statements;
  PvMatchSet *read_matches;     /* what pv_matches() answers, in pv-sqlite-store-matches.c */
  PvAnchorSet *read_anchors;    /* where jumps start, in pv-sqlite-store-anchors.c */
  char       *read_number_start;  /* what pv_number_starts() looks for */
  GHashTable *read_calling_codes; /* (element-type utf8) */
  GPtrArray  *read_word_phrases;  /* what pv_words_match() looks for */
  fts5_tokenizer read_tokenizer_class;
  Fts5Tokenizer *read_tokenizer;  /* customers_words' own */

  /* Only touched on the watching thread: a read-only connection of its own. */
  sqlite3    *watch_db;
  GSource    *watch_source;
  gint64      watch_data_version;
  gint64      watch_last_seq;
};

/* A cached statement is never finalized by its user, only reset, which also ends the read
 * transaction a SELECT keeps open until then.
 */
typedef sqlite3_stmt PvCachedStatement;

void               _pv_sqlite_store_release_statement  (PvCachedStatement  *stmt);
PvCachedStatement *_pv_sqlite_store_get_statement      (PvSqliteStore      *self,
                                                        const char         *sql,
                                                        GError            **error);
void               _pv_sqlite_store_set_database_error (PvSqliteStore      *self,
                                                        PvStoreError        code,
                                                        GError            **error);
PvCachedStatement *_pv_sqlite_store_get_read_statement (PvSqliteStore      *self,
                                                        const char         *sql,
                                                        GError            **error);
void               _pv_sqlite_store_set_read_error     (PvSqliteStore      *self,
                                                        GError            **error);
gboolean           _pv_sqlite_store_read_int64         (PvSqliteStore      *self,
                                                        PvCachedStatement  *stmt,
                                                        gint64             *value,
                                                        GError            **error);
gboolean           _pv_sqlite_store_read_data_version  (PvSqliteStore      *self,
                                                        gint64             *data_version,
                                                        GError            **error);
gboolean           _pv_sqlite_store_read_every_id      (PvSqliteStore      *self,
                                                        PvCachedStatement  *stmt,
                                                        guint               every,
                                                        guint64            *position,
                                                        GArray             *ids,
                                                        GError            **error);
PvCustomer        *_pv_sqlite_store_customer_from_row  (sqlite3_stmt       *stmt,
                                                        GError            **error);
void               _pv_sqlite_store_bind_text          (sqlite3_stmt       *stmt,
                                                        int                 index,
                                                        const char         *text);

void               _pv_match_set_free                    (PvMatchSet       *set);
void               _pv_anchor_set_free                   (PvAnchorSet      *set);
gboolean           _pv_sqlite_store_find_anchor          (PvSqliteStore    *self,
                                                          const char       *search,
                                                          PvStoreSort       sort,
                                                          gboolean          descending,
                                                          guint             offset,
                                                          PvCustomer      **anchor,
                                                          guint            *skip,
                                                          GError          **error);
gboolean           _pv_sqlite_store_walk_order           (PvSqliteStore    *self,
                                                          const char       *search,
                                                          PvStoreSort       sort,
                                                          gboolean          descending,
                                                          guint             every,
                                                          GArray           *ids,
                                                          GError          **error);
gboolean           _pv_sqlite_store_add_matches_function (PvSqliteStore    *self,
                                                          GError          **error);
gboolean           _pv_sqlite_store_load_matches         (PvSqliteStore    *self,
                                                          PvCachedStatement *matches,
                                                          const char       *key,
                                                          guint             cap,
                                                          guint            *n_matches,
                                                          gint64           *last_id,
                                                          GError          **error);
gboolean           _pv_sqlite_store_set_words            (PvSqliteStore    *self,
                                                          const char       *query);
gboolean           _pv_sqlite_store_set_number_start     (PvSqliteStore    *self,
                                                          const char       *start,
                                                          GError          **error);

GPtrArray         *_pv_sqlite_store_list_customers       (PvSqliteStore    *self,
                                                          const char       *search,
                                                          PvStoreSort       sort,
                                                          gboolean          descending,
                                                          guint             offset,
                                                          guint             limit,
                                                          GError          **error);
GPtrArray         *_pv_sqlite_store_list_customers_after (PvSqliteStore    *self,
                                                          const char       *search,
                                                          const char       *after,
                                                          guint             limit,
                                                          GError          **error);
GPtrArray         *_pv_sqlite_store_list_customers_following (PvSqliteStore    *self,
                                                              const char       *search,
                                                              PvStoreSort       sort,
                                                              gboolean          descending,
                                                              const PvCustomer *after,
                                                              guint             limit,
                                                              GError          **error);
gboolean           _pv_sqlite_store_count_customers      (PvSqliteStore    *self,
                                                          const char       *search,
                                                          guint            *n_customers,
                                                          GError          **error);
gboolean           _pv_sqlite_store_estimate_customers   (PvSqliteStore    *self,
                                                          const char       *search,
                                                          guint            *n_customers,
                                                          gboolean         *exact,
                                                          GError          **error);
gint64             _pv_sqlite_store_now                  (PvSqliteStore    *self);
void               _pv_sqlite_store_bind_time            (sqlite3_stmt     *stmt,
                                                          int               index,
                                                          gint64            time);
gboolean           _pv_sqlite_store_begin                (PvSqliteStore    *self,
                                                          GError          **error);
gboolean           _pv_sqlite_store_commit               (PvSqliteStore    *self,
                                                          GError          **error);
void               _pv_sqlite_store_rollback             (PvSqliteStore    *self);
gboolean           _pv_sqlite_store_step_done            (PvSqliteStore    *self,
                                                          sqlite3_stmt     *stmt,
                                                          int              *changes,
                                                          GError          **error);
gboolean           _pv_sqlite_store_insert_event         (PvSqliteStore    *self,
                                                          const char       *number,
                                                          PvEventKind       kind,
                                                          const char       *detail,
                                                          GError          **error);
gboolean           _pv_sqlite_store_insert_channel_event (PvSqliteStore    *self,
                                                          const char       *number,
                                                          PvEventKind       kind,
                                                          PvChannel         channel,
                                                          const char       *detail,
                                                          GError          **error);
PvCustomer        *_pv_sqlite_store_lookup_locked        (PvSqliteStore    *self,
                                                          const char       *number,
                                                          GError          **error);

/* The intents, in pv-sqlite-store-intents.c: PvStoreInterface's vfuncs. */
gboolean           _pv_sqlite_store_claim_send           (PvStore              *store,
                                                          const PvSendRequest  *request,
                                                          PvSendClaim          *claim,
                                                          GError              **error);
gboolean           _pv_sqlite_store_finish_send          (PvStore              *store,
                                                          const char           *number,
                                                          gint64                send_id,
                                                          const PvCustomer     *before,
                                                          const PvSendOutcome  *outcome,
                                                          gboolean             *applied,
                                                          GError              **error);
GPtrArray         *_pv_sqlite_store_list_sends_in_flight (PvStore              *store,
                                                          GError              **error);
gboolean           _pv_sqlite_store_claim_attempt        (PvStore              *store,
                                                          const char           *number,
                                                          guint                 max_attempts,
                                                          PvAttempt            *attempt,
                                                          GError              **error);
gboolean           _pv_sqlite_store_record_failed_attempt (PvStore             *store,
                                                          const char           *number,
                                                          GError              **error);
gboolean           _pv_sqlite_store_mark_verified        (PvStore              *store,
                                                          const char           *number,
                                                          const char           *code_digest,
                                                          const char           *inbound_sid,
                                                          gboolean             *applied,
                                                          GError              **error);
gboolean           _pv_sqlite_store_record_delivery      (PvStore              *store,
                                                          const char           *number,
                                                          const char           *message_sid,
                                                          const char           *status,
                                                          int                   error_code,
                                                          gboolean             *applied,
                                                          GError              **error);
gboolean           _pv_sqlite_store_set_customer_language (PvStore            *store,
                                                          const char         *number,
                                                          const char         *language,
                                                          gboolean           *applied,
                                                          GError            **error);
gboolean           _pv_sqlite_store_rename_customer      (PvStore              *store,
                                                          const char           *number,
                                                          const char           *name,
                                                          gboolean             *applied,
                                                          GError              **error);

/* How failures are explained looks at the file system through these, so that tests can
 * also cover what cannot be set up for real (a disk turning read-only under an open
 * database, a full quota). */
typedef int (*PvStatFunc)    (const char      *path,
                              struct stat     *info);
typedef int (*PvStatvfsFunc) (const char      *path,
                              struct statvfs  *info);
typedef int (*PvAccessFunc)  (const char      *path,
                              int              mode);

void               _pv_sqlite_store_explain_failure      (const char       *path,
                                                          PvStoreError      code,
                                                          int               result,
                                                          int               system_errno,
                                                          const char       *detail,
                                                          PvStatFunc        stat_func,
                                                          PvStatvfsFunc     statvfs_func,
                                                          PvAccessFunc      access_func,
                                                          GError          **error);

void               _pv_sqlite_store_watch                (PvSqliteStore    *self);
void               _pv_sqlite_store_unwatch              (PvSqliteStore    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvCachedStatement, _pv_sqlite_store_release_statement)

G_END_DECLS
