/* pv-store.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pv-customer.h"

G_BEGIN_DECLS

#define PV_TYPE_STORE  (pv_store_get_type ())
#define PV_STORE_ERROR (pv_store_error_quark ())

typedef enum
{
  PV_STORE_ERROR_OPEN,          /* the database cannot be opened or created */
  PV_STORE_ERROR_TOO_NEW,       /* written by a newer PhoneVerify; we refuse to touch it */
  PV_STORE_ERROR_EXISTS,        /* that number is already stored */
  PV_STORE_ERROR_NOT_FOUND,
  PV_STORE_ERROR_FAILED,
  PV_STORE_ERROR_READ_ONLY,     /* the file, its folder or its disk cannot be written */
  PV_STORE_ERROR_NO_SPACE,      /* the disk that holds the database is full */
  PV_STORE_ERROR_DAMAGED,       /* damaged, or not a database at all; left as it is */
  PV_STORE_ERROR_BUSY,          /* another program held the database too long */
} PvStoreError;

typedef enum
{
  PV_STORE_SORT_NUMBER,
  PV_STORE_SORT_NAME,
  PV_STORE_SORT_STATUS,
  PV_STORE_SORT_LAST_ACTIVITY,
  PV_STORE_SORT_CREATED,
} PvStoreSort;

/* A send still marked in flight after this long is not: the client gives up on a request
 * long before, so its process died or lost track of it. */
#define PV_SEND_IN_FLIGHT_MAX_SECONDS 120

/* What a send may do, decided in the same transaction that reserves it. */
typedef struct
{
  const char *number;           /* E.164 */
  const char *name;             /* nullable; replaces the stored name when not empty */
  gboolean    resend;           /* FALSE: a live code is kept rather than replaced */
  gboolean    reverify;         /* a verified customer is sent a new code and is pending
                                 * again until it is read back; else refused */
  gboolean    keep_code;        /* a live code is sent again as it is (same digest, seed,
                                 * expiry and attempts used); the new one only replaces a
                                 * code that expired, was used up or never was */
  const char *code_digest;      /* the new code's digest */
  const char *code_seed;        /* the new code's seed: see pv_code_derive() */
  PvChannel   channel;          /* SMS or CALL */
  const char *owner;            /* who sends: see pv_process_owner_new() */
  guint       code_lifetime;    /* seconds */
  guint       max_attempts;
  guint       resend_cooldown;  /* seconds */
  guint       max_sends_per_hour;
} PvSendRequest;

typedef enum
{
  PV_SEND_GRANTED,
  PV_SEND_REFUSED_VERIFIED,
  PV_SEND_REFUSED_LIVE_CODE,    /* a code is live; claim->customer says how its send went */
  PV_SEND_REFUSED_IN_FLIGHT,    /* another send to the number has not finished */
  PV_SEND_REFUSED_COOLDOWN,     /* claim->wait seconds to go */
  PV_SEND_REFUSED_HOURLY_LIMIT, /* claim->wait seconds to go */
  PV_SEND_REFUSED_NOT_FOUND,    /* a resend to a number that never had a code */
} PvSendVerdict;

/* The answer to pv_store_claim_send(). */
typedef struct
{
  PvSendVerdict  verdict;
  guint          wait;
  gboolean       created;       /* the claim added the customer */
  gboolean       kept_code;     /* the live code goes out again, not the request's */
  PvCustomer    *customer;      /* as stored after the claim; NULL for NOT_FOUND */
  PvCustomer    *before;        /* as it was before a granted claim, NULL when created */
} PvSendClaim;

typedef enum
{
  PV_SEND_OUTCOME_SENT,         /* Twilio accepted the message */
  PV_SEND_OUTCOME_UNKNOWN,      /* it may have reached Twilio; the code stays */
  PV_SEND_OUTCOME_REFUSED,      /* it definitely did not go out; the claim is undone */
} PvSendOutcomeKind;

typedef struct
{
  PvSendOutcomeKind  kind;
  const char        *message_sid;     /* SENT */
  const char        *delivery_status; /* SENT */
  int                error_code;      /* SENT: Twilio's delivery error code, or 0 */
  const char        *detail;          /* UNKNOWN, REFUSED: recorded with the event */
  PvChannel          channel;         /* set by pv_store_finish_send(), from the claim */
} PvSendOutcome;

typedef enum
{
  PV_ATTEMPT_GRANTED,           /* counted; compare the code with attempt->code_digest */
  PV_ATTEMPT_NOT_FOUND,
  PV_ATTEMPT_VERIFIED,
  PV_ATTEMPT_LOCKED,            /* no code, or every attempt used */
  PV_ATTEMPT_EXPIRED,
} PvAttemptVerdict;

typedef struct
{
  PvAttemptVerdict  verdict;
  char             *code_digest;      /* GRANTED */
  guint             attempts_used;    /* GRANTED: including this one */
  PvChannel         channel;          /* GRANTED: how the code reached, or is to reach, the
                                       * customer */
} PvAttempt;

/* The schema version the SQLite store writes (PRAGMA user_version). */
#define PV_STORE_SCHEMA_VERSION 7

G_DECLARE_INTERFACE (PvStore, pv_store, PV, STORE, GObject)

/* Every state change is one intent: checked and applied in one statement or one short
 * transaction, with what actually happened reported back, so that several processes (or
 * desks) on one database can never lose each other's changes. Nothing reads a whole
 * customer, changes it, and writes it back. */
struct _PvStoreInterface
{
  GTypeInterface parent_iface;

  const char *(*get_location)          (PvStore              *self);
  PvCustomer *(*lookup)                (PvStore              *self,
                                        const char           *number,
                                        GError              **error);
  gboolean    (*insert_customer)       (PvStore              *self,
                                        PvCustomer           *customer,
                                        PvEventKind           event,
                                        const char           *detail,
                                        GError              **error);
  gboolean    (*delete_customer)       (PvStore              *self,
                                        const char           *number,
                                        PvEventKind           event,
                                        const char           *detail,
                                        GError              **error);
  gboolean    (*rename_customer)       (PvStore              *self,
                                        const char           *number,
                                        const char           *name,
                                        gboolean             *applied,
                                        GError              **error);
  gboolean    (*set_customer_language) (PvStore              *self,
                                        const char           *number,
                                        const char           *language,
                                        gboolean             *applied,
                                        GError              **error);
  gboolean    (*claim_send)            (PvStore              *self,
                                        const PvSendRequest  *request,
                                        PvSendClaim          *claim,
                                        GError              **error);
  gboolean    (*finish_send)           (PvStore              *self,
                                        const char           *number,
                                        gint64                send_id,
                                        const PvCustomer     *before,
                                        const PvSendOutcome  *outcome,
                                        gboolean             *applied,
                                        GError              **error);
  GPtrArray  *(*list_sends_in_flight)  (PvStore              *self,
                                        GError              **error);
  gboolean    (*claim_attempt)         (PvStore              *self,
                                        const char           *number,
                                        guint                 max_attempts,
                                        PvAttempt            *attempt,
                                        GError              **error);
  gboolean    (*record_failed_attempt) (PvStore              *self,
                                        const char           *number,
                                        GError              **error);
  gboolean    (*mark_verified)         (PvStore              *self,
                                        const char           *number,
                                        const char           *code_digest,
                                        const char           *inbound_sid,
                                        gboolean             *applied,
                                        GError              **error);
  gboolean    (*record_delivery)       (PvStore              *self,
                                        const char           *number,
                                        const char           *message_sid,
                                        const char           *status,
                                        int                   error_code,
                                        gboolean             *applied,
                                        GError              **error);
  GPtrArray  *(*list_customers)        (PvStore              *self,
                                        const char           *search,
                                        PvStoreSort           sort,
                                        gboolean              descending,
                                        guint                 offset,
                                        guint                 limit,
                                        GError              **error);
  GPtrArray  *(*list_customers_after)  (PvStore              *self,
                                        const char           *search,
                                        const char           *after,
                                        guint                 limit,
                                        GError              **error);
  /* Optional: without it, pages are read by offset. */
  GPtrArray  *(*list_customers_following) (PvStore           *self,
                                           const char        *search,
                                           PvStoreSort        sort,
                                           gboolean           descending,
                                           const PvCustomer  *after,
                                           guint              limit,
                                           GError           **error);
  gboolean    (*count_customers)       (PvStore              *self,
                                        const char           *search,
                                        guint                *n_customers,
                                        GError              **error);
  /* Optional: without it, estimates are exact counts. */
  gboolean    (*estimate_customers)    (PvStore              *self,
                                        const char           *search,
                                        guint                *n_customers,
                                        gboolean             *exact,
                                        GError              **error);
  GPtrArray  *(*list_events)           (PvStore              *self,
                                        const char           *number,
                                        GError              **error);
  void        (*watch)                 (PvStore              *self);
  /* Optional: only stores that can be copied into implement it. */
  gboolean    (*import_customers)      (PvStore              *self,
                                        GPtrArray            *customers,
                                        GPtrArray            *histories,
                                        guint                *n_imported,
                                        GError              **error);
};

GQuark       pv_store_error_quark         (void);
const char  *pv_store_get_location        (PvStore              *self);
PvCustomer  *pv_store_lookup              (PvStore              *self,
                                           const char           *number,
                                           GError              **error);
gboolean     pv_store_insert_customer     (PvStore              *self,
                                           PvCustomer           *customer,
                                           PvEventKind           event,
                                           const char           *detail,
                                           GError              **error);
gboolean     pv_store_delete_customer     (PvStore              *self,
                                           const char           *number,
                                           PvEventKind           event,
                                           const char           *detail,
                                           GError              **error);
gboolean     pv_store_rename_customer     (PvStore              *self,
                                           const char           *number,
                                           const char           *name,
                                           gboolean             *applied,
                                           GError              **error);
gboolean     pv_store_set_customer_language (PvStore            *self,
                                           const char           *number,
                                           const char           *language,
                                           gboolean             *applied,
                                           GError              **error);
gboolean     pv_store_claim_send          (PvStore              *self,
                                           const PvSendRequest  *request,
                                           PvSendClaim          *claim,
                                           GError              **error);
gboolean     pv_store_finish_send         (PvStore              *self,
                                           const PvSendClaim    *claim,
                                           const PvSendOutcome  *outcome,
                                           gboolean             *applied,
                                           GError              **error);
gboolean     pv_store_abandon_send        (PvStore              *self,
                                           const PvCustomer     *sending,
                                           const char           *detail,
                                           gboolean             *applied,
                                           GError              **error);
GPtrArray   *pv_store_list_sends_in_flight (PvStore             *self,
                                           GError              **error);
gboolean     pv_store_claim_attempt       (PvStore              *self,
                                           const char           *number,
                                           guint                 max_attempts,
                                           PvAttempt            *attempt,
                                           GError              **error);
gboolean     pv_store_record_failed_attempt (PvStore            *self,
                                           const char           *number,
                                           GError              **error);
gboolean     pv_store_mark_verified       (PvStore              *self,
                                           const char           *number,
                                           const char           *code_digest,
                                           const char           *inbound_sid,
                                           gboolean             *applied,
                                           GError              **error);
gboolean     pv_store_record_delivery     (PvStore              *self,
                                           const char           *number,
                                           const char           *message_sid,
                                           const char           *status,
                                           int                   error_code,
                                           gboolean             *applied,
                                           GError              **error);
GPtrArray   *pv_store_list_customers      (PvStore              *self,
                                           const char           *search,
                                           PvStoreSort           sort,
                                           gboolean              descending,
                                           guint                 offset,
                                           guint                 limit,
                                           GError              **error);
GPtrArray   *pv_store_list_customers_after (PvStore             *self,
                                           const char           *search,
                                           const char           *after,
                                           guint                 limit,
                                           GError              **error);
gboolean     pv_store_can_list_following  (PvStore              *self);
GPtrArray   *pv_store_list_customers_following (PvStore         *self,
                                           const char           *search,
                                           PvStoreSort           sort,
                                           gboolean              descending,
                                           const PvCustomer     *after,
                                           guint                 limit,
                                           GError              **error);
gboolean     pv_store_count_customers     (PvStore              *self,
                                           const char           *search,
                                           guint                *n_customers,
                                           GError              **error);
gboolean     pv_store_estimate_customers  (PvStore              *self,
                                           const char           *search,
                                           guint                *n_customers,
                                           gboolean             *exact,
                                           GError              **error);
GPtrArray   *pv_store_list_events         (PvStore              *self,
                                           const char           *number,
                                           GError              **error);
void         pv_store_watch               (PvStore              *self);
gboolean     pv_store_can_import          (PvStore              *self);
gboolean     pv_store_import_customers    (PvStore              *self,
                                           GPtrArray            *customers,
                                           GPtrArray            *histories,
                                           guint                *n_imported,
                                           GError              **error);
void         pv_store_emit_changed        (PvStore              *self,
                                           const char * const   *numbers);

void         pv_send_claim_clear          (PvSendClaim          *claim);
void         pv_attempt_clear             (PvAttempt            *attempt);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PvSendClaim, pv_send_claim_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PvAttempt, pv_attempt_clear)

G_END_DECLS
