/* pv-customer-history.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What the customer page shows of the event log: when codes went out, whether they
 * arrived and why not, wrong codes and the one that locked a code, verifications, name
 * changes and deletions. The store keeps events as facts; the words are made here. Every
 * entry has an icon, so that the lines of the history align. */

#include "config.h"

#include <stdlib.h>

#include <glib/gi18n.h>

#include "pv-customer-history.h"
#include "pv-language.h"
#include "pv-send-status.h"
#include "pv-text.h"
#include "pv-twilio-error.h"

void
pv_history_entry_free (PvHistoryEntry *entry)
{
  g_free (entry->title);
  g_free (entry->detail);
  g_free (entry);
}

void
pv_customer_record_free (PvCustomerRecord *record)
{
  g_clear_pointer (&record->customer, pv_customer_free);
  g_clear_pointer (&record->events, g_ptr_array_unref);
  g_free (record);
}

/* A call's progress, in the history's words: the same as the Verify step's line. */
static PvHistoryEntry *
describe_call_progress (const char *status,
                        int         code)
{
  PvHistoryEntry *entry = g_new0 (PvHistoryEntry, 1);
  PvSendStatusTone tone;

  entry->title = pv_send_status_describe (PV_CHANNEL_CALL, status, code, &tone);
  if (tone == PV_SEND_STATUS_DONE)
    entry->icon_name = "emblem-ok-symbolic";
  else if (tone == PV_SEND_STATUS_FAILED)
    entry->icon_name = "dialog-warning-symbolic";
  else
    entry->icon_name = "call-start-symbolic";

  return entry;
}

/* "undelivered 30003": Twilio's status word, then its error code if it gave one. */
static PvHistoryEntry *
describe_delivery (const char *detail,
                   PvChannel   channel)
{
  PvHistoryEntry *entry;
  g_auto(GStrv) parts = g_strsplit (detail != NULL ? detail : "", " ", 2);
  const char *status = parts[0] != NULL ? parts[0] : "";
  int code = parts[0] != NULL && parts[1] != NULL ? atoi (parts[1]) : 0;

  if (channel == PV_CHANNEL_CALL)
    return describe_call_progress (status, code);

  entry = g_new0 (PvHistoryEntry, 1);
  if (g_str_equal (status, "delivered") || g_str_equal (status, "read"))
    {
      entry->title = g_strdup (_("Text delivered"));
      entry->icon_name = "emblem-ok-symbolic";
    }
  else if (g_str_equal (status, "undelivered") || g_str_equal (status, "failed"))
    {
      entry->title = g_strdup (_("Text not delivered"));
      entry->detail = g_strdup (pv_twilio_error_describe_delivery (code));
      entry->icon_name = "dialog-warning-symbolic";
    }
  else if (g_str_equal (status, "sent"))
    {
      entry->title = g_strdup (_("Text passed to the carrier"));
      entry->icon_name = "mail-send-symbolic";
    }
  else
    {
      entry->title = g_strdup (_("Text waiting to be sent"));
      entry->icon_name = "mail-send-symbolic";
    }

  return entry;
}

static char *
describe_unknown (const char *detail,
                  PvChannel   channel)
{
  if (channel == PV_CHANNEL_CALL && g_strcmp0 (detail, "cancelled") == 0)
    return g_strdup (_("The call was cancelled before Twilio answered. The phone may still ring."));
  if (channel == PV_CHANNEL_CALL)
    return g_strdup (_("Twilio did not answer. The phone may or may not ring."));
  if (g_strcmp0 (detail, "cancelled") == 0)
    return g_strdup (_("The send was cancelled before Twilio answered. The text may still arrive."));

  return g_strdup (_("Twilio did not answer. The text may or may not arrive."));
}

/**
 * pv_customer_history_describe:
 * @events: (element-type PvEvent): a customer's events, oldest first
 * @max_attempts: how many wrong codes lock a code, to tell which one did
 *
 * Returns: (transfer full) (element-type PvHistoryEntry): what staff read, newest first
 */
GPtrArray *
pv_customer_history_describe (GPtrArray *events,
                              guint      max_attempts)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_history_entry_free);
  guint wrong_codes = 0;

  g_return_val_if_fail (events != NULL, entries);

  for (guint i = 0; i < events->len; i++)
    {
      const PvEvent *event = g_ptr_array_index (events, i);
      PvHistoryEntry *entry = NULL;

      switch (event->kind)
        {
        case PV_EVENT_CODE_SENT:
          wrong_codes = 0;
          entry = g_new0 (PvHistoryEntry, 1);
          if (event->channel == PV_CHANNEL_INBOUND)
            {
              /* Nothing went out: the code was on the screen, for the customer to text. */
              entry->title = g_strdup (_("Code shown for the customer to text"));
              entry->icon_name = "phone-symbolic";
            }
          else if (event->channel == PV_CHANNEL_CALL)
            {
              entry->title = g_strdup (_("Code read out by phone call"));
              /* Translators: %s is Twilio's id of the call, CA and 32 characters */
              entry->detail = event->detail != NULL ? g_strdup_printf (_("Call %s"), event->detail)
                                                    : NULL;
              entry->icon_name = "call-start-symbolic";
            }
          else
            {
              entry->title = g_strdup (_("Code sent by text message"));
              /* Translators: %s is Twilio's id of the message, SM and 32 characters */
              entry->detail = event->detail != NULL ? g_strdup_printf (_("Message %s"), event->detail)
                                                    : NULL;
              entry->icon_name = "mail-send-symbolic";
            }
          break;

        case PV_EVENT_DELIVERY_UPDATE:
          entry = describe_delivery (event->detail, event->channel);
          break;

        case PV_EVENT_CHECK_FAILED:
          wrong_codes++;
          entry = g_new0 (PvHistoryEntry, 1);
          if (max_attempts > 0 && wrong_codes == max_attempts)
            {
              entry->title = g_strdup (_("Wrong code: the code is locked"));
              entry->detail = g_strdup_printf (ngettext ("After %u wrong code. A new code is needed.",
                                                         "After %u wrong codes. A new code is needed.",
                                                         wrong_codes),
                                               wrong_codes);
              entry->icon_name = "changes-prevent-symbolic";
            }
          else
            {
              entry->title = g_strdup (_("Wrong code"));
              entry->icon_name = "dialog-warning-symbolic";
              if (max_attempts > 0)
                /* Translators: the first %u counts the wrong codes typed for this code */
                entry->detail = g_strdup_printf (_("Attempt %u of %u"), wrong_codes, max_attempts);
            }
          break;

        case PV_EVENT_VERIFIED:
          wrong_codes = 0;
          entry = g_new0 (PvHistoryEntry, 1);
          /* The text that held the code is Twilio's record of who sent it. */
          entry->title = g_strdup (event->channel == PV_CHANNEL_INBOUND
                                   ? _("Verified by the customer’s text")
                                   : _("Verified"));
          entry->detail = event->channel == PV_CHANNEL_INBOUND && event->detail != NULL
                          ? g_strdup_printf (_("Message %s"), event->detail)
                          : NULL;
          entry->icon_name = "emblem-ok-symbolic";
          break;

        case PV_EVENT_DELETED:
          entry = g_new0 (PvHistoryEntry, 1);
          entry->title = g_strdup (_("Deleted"));
          entry->detail = g_strdup (event->detail);
          entry->icon_name = "user-trash-symbolic";
          break;

        case PV_EVENT_SEND_UNKNOWN:
          entry = g_new0 (PvHistoryEntry, 1);
          entry->title = g_strdup (_("Send not confirmed"));
          entry->detail = describe_unknown (event->detail, event->channel);
          entry->icon_name = "dialog-question-symbolic";
          break;

        case PV_EVENT_SEND_REFUSED:
          entry = g_new0 (PvHistoryEntry, 1);
          entry->title = g_strdup (event->channel == PV_CHANNEL_CALL
                                   ? _("Call refused by Twilio")
                                   : _("Text refused by Twilio"));
          entry->detail = g_strdup (event->detail);
          entry->icon_name = "dialog-warning-symbolic";
          break;

        case PV_EVENT_RENAMED:
          entry = g_new0 (PvHistoryEntry, 1);
          if (event->detail != NULL)
            /* Translators: %s is the customer's new name */
            entry->title = g_strdup_printf (_("Name changed to “%s”"), event->detail);
          else
            entry->title = g_strdup (_("Name removed"));
          entry->icon_name = "document-edit-symbolic";
          break;

        case PV_EVENT_LANGUAGE_SET:
          entry = g_new0 (PvHistoryEntry, 1);
          if (event->detail != NULL)
            {
              g_autofree char *language = pv_language_dup_name (event->detail);

              /* Translators: %s is a language, such as “German” */
              entry->title = g_strdup_printf (_("Codes now sent in %s"), language);
            }
          else
            {
              entry->title = g_strdup (_("Codes now sent in the language of the number’s country"));
            }
          entry->icon_name = "preferences-desktop-locale-symbolic";
          break;

        case PV_EVENT_NONE:
        default:
          continue;
        }

      entry->kind = event->kind;
      entry->time = event->time;
      g_ptr_array_insert (entries, 0, entry);
    }

  return entries;
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PvStore *store = source_object;
  const char *number = task_data;
  g_autoptr(PvCustomerRecord) record = g_new0 (PvCustomerRecord, 1);
  GError *error = NULL;

  record->customer = pv_store_lookup (store, number, &error);
  if (error == NULL)
    record->events = pv_store_list_events (store, number, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&record),
                           (GDestroyNotify) pv_customer_record_free);
}

/**
 * pv_customer_record_load_async:
 * @number: an E.164 number
 *
 * Reads the customer and every event recorded for the number, on a worker thread.
 */
void
pv_customer_record_load_async (PvStore             *store,
                               const char          *number,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PV_IS_STORE (store));
  g_return_if_fail (number != NULL);

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_customer_record_load_async);
  g_task_set_task_data (task, g_strdup (number), g_free);
  g_task_run_in_thread (task, load_thread);
}

/**
 * pv_customer_record_load_finish:
 *
 * Returns: (transfer full): the record, whose customer is %NULL once deleted; or %NULL
 *   with @error set
 */
PvCustomerRecord *
pv_customer_record_load_finish (PvStore       *store,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* A change to one of the customer's own fields, made on a worker. */
typedef struct
{
  char     *number;
  char     *value;
  gboolean  language;   /* the language, else the name */
} FieldChange;

static void
field_change_free (FieldChange *change)
{
  g_free (change->number);
  g_free (change->value);
  g_free (change);
}

static void
field_change_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  FieldChange *change = task_data;
  GError *error = NULL;
  gboolean done;

  if (change->language)
    done = pv_store_set_customer_language (source_object, change->number, change->value, NULL,
                                           &error);
  else
    done = pv_store_rename_customer (source_object, change->number, change->value, NULL,
                                     &error);

  if (done)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
run_field_change (GTask      *task,
                  const char *number,
                  char       *value,
                  gboolean    language)
{
  FieldChange *change = g_new0 (FieldChange, 1);

  change->number = g_strdup (number);
  change->value = value;
  change->language = language;
  g_task_set_task_data (task, change, (GDestroyNotify) field_change_free);
  g_task_run_in_thread (task, field_change_thread);
}

/**
 * pv_customer_rename_async:
 * @name: (nullable): the name as staff typed it; an empty one removes the name
 *
 * Cleans @name with pv_text_clean_name() and stores it, on a worker thread. A name that
 * function refuses fails the task with its %PV_TEXT_ERROR, and nothing is stored.
 */
void
pv_customer_rename_async (PvStore             *store,
                          const char          *number,
                          const char          *name,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cleaned = NULL;

  g_return_if_fail (PV_IS_STORE (store));
  g_return_if_fail (number != NULL);

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_customer_rename_async);

  if (name != NULL && name[0] != '\0')
    {
      cleaned = pv_text_clean_name (name, &error);
      if (cleaned == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  run_field_change (task, number, g_steal_pointer (&cleaned), FALSE);
}

gboolean
pv_customer_rename_finish (PvStore       *store,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * pv_customer_set_language_async:
 * @language: (nullable): a built-in language such as "de", or %NULL for the language of
 *   the number's country
 *
 * Stores staff's choice of language for the customer's codes, on a worker thread.
 */
void
pv_customer_set_language_async (PvStore             *store,
                                const char          *number,
                                const char          *language,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PV_IS_STORE (store));
  g_return_if_fail (number != NULL);
  g_return_if_fail (language == NULL || pv_language_is_builtin (language));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_customer_set_language_async);
  run_field_change (task, number, g_strdup (language), TRUE);
}

gboolean
pv_customer_set_language_finish (PvStore       *store,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return pv_customer_rename_finish (store, result, error);
}
