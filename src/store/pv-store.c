/* pv-store.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The store interface: what the verifier, the customer list and export ask of a customer
 * database, whichever holds it. Implementations: PvSqliteStore. */

#define G_LOG_DOMAIN "pv-store"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "pv-store.h"

G_DEFINE_INTERFACE (PvStore, pv_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (pv-store-error-quark, pv_store_error)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
pv_store_default_init (PvStoreInterface *iface)
{
  /**
   * PvStore::changed:
   * @numbers: (nullable) (array zero-terminated=1): the E.164 numbers of the customers
   *   that were added, changed or removed, or %NULL when too much changed to say
   *
   * Another process (another window, the command line, another desk) changed the
   * database. Emitted on the main context of the thread that called pv_store_watch().
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRV);
}

#define STORE_IFACE(self) (PV_STORE_GET_IFACE (self))

const char *
pv_store_get_location (PvStore *self)
{
  g_return_val_if_fail (PV_IS_STORE (self), NULL);

  return STORE_IFACE (self)->get_location (self);
}

/**
 * pv_store_lookup:
 * @number: an E.164 phone number
 *
 * A point lookup, cheap enough for the main thread.
 *
 * Returns: (transfer full) (nullable): the customer, or %NULL without an error when there is
 *   none with @number
 */
PvCustomer *
pv_store_lookup (PvStore     *self,
                 const char  *number,
                 GError     **error)
{
  g_return_val_if_fail (PV_IS_STORE (self), NULL);
  g_return_val_if_fail (number != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return STORE_IFACE (self)->lookup (self, number, error);
}

/**
 * pv_store_insert_customer:
 * @customer: the new customer; its id is ignored
 * @event: what to record about it, or %PV_EVENT_NONE
 *
 * Adds a complete customer record and its event at once, for importing and for tests.
 * On success the store writes back the id it assigned, and fills in @created_at and
 * @updated_at where they were 0.
 *
 * Returns: %TRUE on success; %PV_STORE_ERROR_EXISTS if the number is already stored
 */
gboolean
pv_store_insert_customer (PvStore     *self,
                          PvCustomer  *customer,
                          PvEventKind  event,
                          const char  *detail,
                          GError     **error)
{
  g_return_val_if_fail (PV_IS_STORE (self), FALSE);
  g_return_val_if_fail (customer != NULL && customer->number != NULL, FALSE);
  g_return_val_if_fail (pv_customer_status_to_string (customer->status) != NULL, FALSE);
  g_return_val_if_fail (event == PV_EVENT_NONE || pv_event_kind_to_string (event) != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return STORE_IFACE (self)->insert_customer (self, customer, event, detail, error);
}

/**
 * pv_store_delete_customer:
 * @number: the customer's E.164 number
 * @event: what to record, usually %PV_EVENT_DELETED, or %PV_EVENT_NONE
 *
 * Deletes the customer and records @event at once. The customer's events, including this
 * one, stay listed under @number.
 *
 * Returns: %TRUE on success; %PV_STORE_ERROR_NOT_FOUND if @number is not stored
 */
gboolean
pv_store_delete_customer (PvStore     *self,
                          const char  *number,
                          PvEventKind  event,
                          const char  *detail,
                          GError     **error)
{
  g_return_val_if_fail (PV_IS_STORE (self), FALSE);
  g_return_val_if_fail (number != NULL, FALSE);
  g_return_val_if_fail (event == PV_EVENT_NONE || pv_event_kind_to_string (event) != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return STORE_IFACE (self)->delete_customer (self, number, event, detail, error);
}

/**
 * pv_store_rename_customer:
 * @number: the customer's E.164 number
 * @name: (nullable): the new name, already cleaned (see pv_text_clean_name()); %NULL or
 *   empty clears it
 * @applied: (out) (optional): whether the name changed; not when it was already @name or
 *   the customer is gone
 *
 * Sets the customer's name and records %PV_EVENT_RENAMED with it, in one statement: no
 * other field is read or written, so a send or a verification by another desk meanwhile is
 * never undone.
 *
 * Returns: %TRUE on success
 */
gboolean
pv_store_rename_customer (PvStore     *self,
                          const char  *number,
                          const char  *name,
                          gboolean    *applied,
                          GError     **error)
{
  g_return_val_if_fail (PV_IS_STORE (self), FALSE);
  g_return_val_if_fail (number != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (name != NULL && name[0] == '\0')
    name = NULL;

  return STORE_IFACE (self)->rename_customer (self, number, name, applied, error);
}

/**
 * pv_store_set_customer_language:
 * @number: the customer's E.164 number
 * @language: (nullable): a language code such as "de"; %NULL or empty goes back to the
 *   language of the number's country
 * @applied: (out) (optional): whether it changed
 *
 * Sets the language the customer's codes are sent in and records %PV_EVENT_LANGUAGE_SET,
 * in one statement that touches no other field.
 *
 * Returns: %TRUE on success
 */
gboolean
pv_store_set_customer_language (PvStore     *self,
                                const char  *number,
                                const char  *language,
                                gboolean    *applied,
                                GError     **error)
{
  g_return_val_if_fail (PV_IS_STORE (self), FALSE);
  g_return_val_if_fail (number != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (language != NULL && language[0] == '\0')
    language = NULL;

  return STORE_IFACE (self)->set_customer_language (self, number, language, applied, error);
}

/**
 * pv_store_claim_send:
 * @request: the send and the limits it must respect
 * @claim: (out caller-allocates): what was decided; clear it with pv_send_claim_clear()
 *
 * Decides whether a new code may be sent and, if so, reserves the send in the same
 * transaction: the new digest is stored, the cooldown and hourly counters advance, and
 * the send is marked as in flight before any request goes out. Two processes can never
 * both be granted the same slot.
 *
 * Returns: %FALSE only when the database failed; a refusal is a verdict in @claim
 */
gboolean
pv_store_claim_send (PvStore              *self,
                     const PvSendRequest  *request,
                     PvSendClaim          *claim,
                     GError              **error)
{
  g_return_val_if_fail (PV_IS_STORE (self), FALSE);
  g_return_val_if_fail (request != NULL && request->number != NULL, FALSE);
  g_return_val_if_fail (request->code_digest != NULL && request->owner != NULL, FALSE);
  g_return_val_if_fail (claim != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (claim, 0, sizeof *claim);

  return STORE_IFACE (self)->claim_send (self, request, claim, error);
}

/**
 * pv_store_finish_send:
 * @claim: a granted claim
 * @outcome: what became of the request
 * @applied: (out) (optional): whether the claim was still current; %FALSE when a later
 *   send, a deletion or a restart's recovery has moved the customer on
 *
 * Records the outcome of a claimed send, only if nothing claimed a newer send meanwhile.
 * A refusal undoes the claim exactly: a customer it created is removed again, and a known
 * one gets back its previous code and counters.
 */
gboolean
pv_store_finish_send (PvStore              *self,
                      const PvSendClaim    *claim,
                      const PvSendOutcome  *outcome,
                      gboolean             *applied,
                      GError              **error)
{
  PvSendOutcome on_channel;
  gboolean ignored;

  g_return_val_if_fail (PV_IS_STORE (self), FALSE);
  g_return_val_if_fail (claim != NULL && claim->verdict == PV_SEND_GRANTED, FALSE);
  g_return_val_if_fail (outcome != NULL, FALSE);
  /* Only a code the customer texts us goes out without a message of ours. */
  g_return_val_if_fail (outcome->kind != PV_SEND_OUTCOME_SENT || outcome->message_sid != NULL ||
                        claim->customer->channel == PV_CHANNEL_INBOUND, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  on_channel = *outcome;
  on_channel.channel = claim->customer->channel;

  return STORE_IFACE (self)->finish_send (self, claim->customer->number,
                                          claim->customer->send_id,
                                          claim->created ? NULL : claim->before,
                                          &on_channel, applied != NULL ? applied : &ignored,
                                          error);
}

/**
 * pv_store_abandon_send:
 * @sending: a customer as listed by pv_store_list_sends_in_flight()
 *
 * Marks a send whose process is gone as having an unknown outcome, unless it finished
 * or was replaced meanwhile.
 */
gboolean
pv_store_abandon_send (PvStore           *self,
                       const PvCustomer  *sending,
                       const char        *detail,
                       gboolean          *applied,
                       GError           **error)
{
  PvSendOutcome outcome = {
    .kind = PV_SEND_OUTCOME_UNKNOWN,
    .detail = detail,
    .channel = sending->channel,
  };
  gboolean ignored;

  g_return_val_if_fail (PV_IS_STORE (self), FALSE);
  g_return_val_if_fail (sending != NULL && sending->number != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return STORE_IFACE (self)->finish_send (self, sending->number, sending->send_id, NULL,
                                          &outcome, applied != NULL ? applied : &ignored,
                                          error);
}

/**
 * pv_store_list_sends_in_flight:
 *
 * Returns: (transfer full) (element-type PvCustomer): the customers whose last send is
 *   still marked %PV_SEND_STATE_SENDING, or %NULL with @error set
 */
GPtrArray *
pv_store_list_sends_in_flight (PvStore  *self,
                               GError  **error)
{
  g_return_val_if_fail (PV_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return STORE_IFACE (self)->list_sends_in_flight (self, error);
}

/**
 * pv_store_claim_attempt:
 * @attempt: (out caller-allocates): the verdict; clear it with pv_attempt_clear()
 *
 * Counts an attempt at the current code *before* it is compared, and hands out the digest
 * to compare with. Once @max_attempts have been counted, every further attempt is refused
 * without ever seeing the digest, however many processes try at once.
 *
 * Returns: %FALSE only when the database failed
 */
gboolean
pv_store_claim_attempt (PvStore     *self,
                        const char  *number,
                        guint        max_attempts,
                        PvAttempt   *attempt,
                        GError     **error)
{
  g_return_val_if_fail (PV_IS_STORE (self), FALSE);
  g_return_val_if_fail (number != NULL, FALSE);
  g_return_val_if_fail (attempt != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (attempt, 0, sizeof *attempt);

  return STORE_IFACE (self)->claim_attempt (self, number, max_attempts, attempt, error);
}

/**
 * pv_store_record_failed_attempt:
 *
 * Records that a claimed attempt did not match. The attempt itself was already counted.
 */
gboolean
pv_store_record_failed_attempt (PvStore     *self,
                                const char  *number,
                                GError     **error)
{
  g_return_val_if_fail (PV_IS_STORE (self), FALSE);
  g_return_val_if_fail (number != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return STORE_IFACE (self)->record_failed_attempt (self, number, error);
}

/**
 * pv_store_mark_verified:
 * @code_digest: the digest that was just matched
 * @inbound_sid: (nullable): the message SID of the customer's text that held the code, when
 *   they verified by texting it; %NULL for a code read out to staff
 * @applied: (out): %FALSE when the customer no longer holds that digest: verified by
 *   someone else with the same code, sent a newer code, or deleted
 *
 * Compare-and-set: the customer becomes verified only if the stored digest is still the
 * one just matched, and the digest goes in the same statement, so a code works once. The
 * verification's event says how: by a text (channel %PV_CHANNEL_INBOUND, the SID as its
 * detail) or by a code typed in.
 */
gboolean
pv_store_mark_verified (PvStore     *self,
                        const char  *number,
                        const char  *code_digest,
                        const char  *inbound_sid,
                        gboolean    *applied,
                        GError     **error)
{
  g_return_val_if_fail (PV_IS_STORE (self), FALSE);
  g_return_val_if_fail (number != NULL && code_digest != NULL, FALSE);
  g_return_val_if_fail (applied != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return STORE_IFACE (self)->mark_verified (self, number, code_digest, inbound_sid, applied,
                                            error);
}

/**
 * pv_store_record_delivery:
 * @applied: (out) (optional): %FALSE when the customer's current message is another one
 *
 * Records a delivery status, only for the customer's current message.
 */
gboolean
pv_store_record_delivery (PvStore     *self,
                          const char  *number,
                          const char  *message_sid,
                          const char  *status,
                          int          error_code,
                          gboolean    *applied,
                          GError     **error)
{
  gboolean ignored;

  g_return_val_if_fail (PV_IS_STORE (self), FALSE);
  g_return_val_if_fail (number != NULL && message_sid != NULL && status != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return STORE_IFACE (self)->record_delivery (self, number, message_sid, status, error_code,
                                              applied != NULL ? applied : &ignored, error);
}

/**
 * pv_store_list_customers:
 * @search: (nullable): text to find in numbers and names
 *
 * Returns: (transfer full) (element-type PvCustomer): one page of customers
 */
GPtrArray *
pv_store_list_customers (PvStore      *self,
                         const char   *search,
                         PvStoreSort   sort,
                         gboolean      descending,
                         guint         offset,
                         guint         limit,
                         GError      **error)
{
  g_return_val_if_fail (PV_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return STORE_IFACE (self)->list_customers (self, search, sort, descending, offset, limit,
                                             error);
}

/**
 * pv_store_list_customers_after:
 * @after: (nullable): the last number of the previous page, or %NULL for the first
 *
 * Returns: (transfer full) (element-type PvCustomer): the next page by number
 */
GPtrArray *
pv_store_list_customers_after (PvStore     *self,
                               const char  *search,
                               const char  *after,
                               guint        limit,
                               GError     **error)
{
  g_return_val_if_fail (PV_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return STORE_IFACE (self)->list_customers_after (self, search, after, limit, error);
}

/**
 * pv_store_can_list_following:
 *
 * Returns: whether the store reads a page from the row before it, rather than by offset
 */
gboolean
pv_store_can_list_following (PvStore *self)
{
  g_return_val_if_fail (PV_IS_STORE (self), FALSE);

  return STORE_IFACE (self)->list_customers_following != NULL;
}

/**
 * pv_store_list_customers_following:
 * @after: the last customer of the previous page, as the store returned it
 *
 * The page that follows @after in the order of @sort, as pv_store_list_customers() with
 * the offset just past @after would return it; but finding its place costs an index
 * lookup, where an offset costs a walk over every customer before it. Only for stores for
 * which pv_store_can_list_following() is %TRUE.
 *
 * Returns: (transfer full) (element-type PvCustomer): the page, or %NULL with @error set
 */
GPtrArray *
pv_store_list_customers_following (PvStore           *self,
                                   const char        *search,
                                   PvStoreSort        sort,
                                   gboolean           descending,
                                   const PvCustomer  *after,
                                   guint              limit,
                                   GError           **error)
{
  g_return_val_if_fail (PV_IS_STORE (self), NULL);
  g_return_val_if_fail (after != NULL, NULL);
  g_return_val_if_fail (pv_store_can_list_following (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return STORE_IFACE (self)->list_customers_following (self, search, sort, descending, after,
                                                       limit, error);
}

gboolean
pv_store_count_customers (PvStore     *self,
                          const char  *search,
                          guint       *n_customers,
                          GError     **error)
{
  g_return_val_if_fail (PV_IS_STORE (self), FALSE);
  g_return_val_if_fail (n_customers != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return STORE_IFACE (self)->count_customers (self, search, n_customers, error);
}

/**
 * pv_store_estimate_customers:
 * @self: a #PvStore
 * @search: (nullable): the same search as for pv_store_list_customers()
 * @n_customers: (out): return location for about how many customers match
 * @exact: (out): return location for whether that is their exact number
 * @error: return location for a #GError
 *
 * Like pv_store_count_customers(), but a store may answer a broad search with an estimate,
 * much sooner than it could count.
 *
 * Returns: %TRUE on success
 */
gboolean
pv_store_estimate_customers (PvStore     *self,
                             const char  *search,
                             guint       *n_customers,
                             gboolean    *exact,
                             GError     **error)
{
  g_return_val_if_fail (PV_IS_STORE (self), FALSE);
  g_return_val_if_fail (n_customers != NULL, FALSE);
  g_return_val_if_fail (exact != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (STORE_IFACE (self)->estimate_customers == NULL)
    {
      *exact = TRUE;
      return pv_store_count_customers (self, search, n_customers, error);
    }

  return STORE_IFACE (self)->estimate_customers (self, search, n_customers, exact, error);
}

/**
 * pv_store_list_events:
 *
 * Returns: (transfer full) (element-type PvEvent): the events recorded for @number, oldest
 *   first, including those of a deleted customer; or %NULL with @error set
 */
GPtrArray *
pv_store_list_events (PvStore     *self,
                      const char  *number,
                      GError     **error)
{
  g_return_val_if_fail (PV_IS_STORE (self), NULL);
  g_return_val_if_fail (number != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return STORE_IFACE (self)->list_events (self, number, error);
}

/**
 * pv_store_watch:
 *
 * Starts emitting #PvStore::changed, within a second of another process changing the
 * database, on the thread-default main context of the caller.
 */
void
pv_store_watch (PvStore *self)
{
  g_return_if_fail (PV_IS_STORE (self));

  STORE_IFACE (self)->watch (self);
}

/* For implementations. */
/**
 * pv_store_can_import:
 *
 * Returns: whether pv_store_import_customers() works on this store
 */
gboolean
pv_store_can_import (PvStore *self)
{
  g_return_val_if_fail (PV_IS_STORE (self), FALSE);

  return STORE_IFACE (self)->import_customers != NULL;
}

/**
 * pv_store_import_customers:
 * @customers: (element-type PvCustomer): customers copied from another store
 * @histories: (element-type GPtrArray): for each customer, its #PvEvent list
 * @n_imported: (out) (optional): how many were added
 *
 * Adds the customers this store does not have yet, each with its whole history, in one
 * transaction; a customer whose number is already stored is left as it is, with its
 * history. Copying the same customers again therefore adds nothing, which is what makes
 * an interrupted copy safe to start over.
 */
gboolean
pv_store_import_customers (PvStore    *self,
                           GPtrArray  *customers,
                           GPtrArray  *histories,
                           guint      *n_imported,
                           GError    **error)
{
  guint ignored;

  g_return_val_if_fail (PV_IS_STORE (self), FALSE);
  g_return_val_if_fail (customers != NULL && histories != NULL, FALSE);
  g_return_val_if_fail (customers->len == histories->len, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (STORE_IFACE (self)->import_customers == NULL)
    {
      g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_FAILED,
                           _("Customers cannot be copied into this database."));
      return FALSE;
    }

  return STORE_IFACE (self)->import_customers (self, customers, histories,
                                               n_imported != NULL ? n_imported : &ignored,
                                               error);
}

void
pv_store_emit_changed (PvStore            *self,
                       const char * const *numbers)
{
  g_return_if_fail (PV_IS_STORE (self));

  g_signal_emit (self, signals[CHANGED], 0, numbers);
}

void
pv_send_claim_clear (PvSendClaim *claim)
{
  g_clear_pointer (&claim->customer, pv_customer_free);
  g_clear_pointer (&claim->before, pv_customer_free);
}

void
pv_attempt_clear (PvAttempt *attempt)
{
  g_clear_pointer (&attempt->code_digest, g_free);
}
