/* pv-csv-export.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Writes customers to a CSV file (RFC 4180: UTF-8, CRLF, a header row) on a worker thread,
 * a page at a time, so that a million customers never sit in memory together. The file is
 * replaced in one step when it is complete: an export that fails or is cancelled leaves
 * whatever was there before.
 *
 * Only what staff see in the list goes out; nothing about codes (digests, expiry, attempts). */

#define G_LOG_DOMAIN "pv-csv-export"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "pv-csv-export.h"
#include "pv-customer-row.h"
#include "pv-phone-number.h"

/* Pages continue from the last number written, so none costs more than the first; this size
 * keeps the store's lock short while other work waits for it, and holds well under a
 * megabyte of text. */
#define EXPORT_PAGE_SIZE 2000

typedef struct
{
  PvStore *store;
  char    *search;
  GFile   *file;
  gint64   now;
  guint    max_attempts;
  char    *office_country;
} Export;

static void
export_free (Export *export)
{
  g_clear_object (&export->store);
  g_clear_pointer (&export->search, g_free);
  g_clear_object (&export->file);
  g_clear_pointer (&export->office_country, g_free);
  g_free (export);
}

/* Spreadsheets run a cell that starts with one of these as a formula, and a CSV file from
 * us may be opened by anyone: such a field gets a leading apostrophe, which spreadsheets
 * show as text.
 */
static gboolean
could_be_formula (const char *field)
{
  return field[0] != '\0' && strchr ("=+-@\t\r", field[0]) != NULL;
}

/* Numbers are stored in E.164, "+" and digits only: a spreadsheet reads that as a number,
 * never as a formula that does something, so the Number column keeps its "+" as staff
 * expect. Anything else in that column gets the same guard as every other field.
 */
static gboolean
is_e164 (const char *number)
{
  if (number[0] != '+' || number[1] == '\0')
    return FALSE;

  for (const char *p = number + 1; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  return TRUE;
}

/* One field, quoted when it must be. The separators are append_record()'s business. */
static void
append_field (GString    *line,
              const char *field,
              gboolean    guard)
{
  g_autofree char *valid = NULL;

  if (field == NULL)
    field = "";

  if (!g_utf8_validate (field, -1, NULL))
    field = valid = g_utf8_make_valid (field, -1);

  if (strpbrk (field, ",\"\r\n") == NULL && !(guard && could_be_formula (field)))
    {
      g_string_append (line, field);
      return;
    }

  g_string_append_c (line, '"');
  if (guard && could_be_formula (field))
    g_string_append_c (line, '\'');
  for (const char *p = field; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (line, '"');
      g_string_append_c (line, *p);
    }
  g_string_append_c (line, '"');
}

typedef struct
{
  const char *text;     /* nullable: an empty field */
  gboolean    guard;    /* against spreadsheet formulas */
} Field;

/* Commas go between fields by their place in the record. The bytes already written cannot
 * tell: an empty first field writes none, so the field after it would look like the first,
 * lose its comma, and shift the rest of the row left. */
static void
append_record (GString     *buffer,
               const Field *fields,
               gsize        n_fields)
{
  for (gsize i = 0; i < n_fields; i++)
    {
      if (i > 0)
        g_string_append_c (buffer, ',');
      append_field (buffer, fields[i].text, fields[i].guard);
    }
  g_string_append (buffer, "\r\n");
}

/* ISO 8601 in UTC, or NULL for "never" and for times it cannot express. */
static char *
format_time (gint64 time)
{
  g_autoptr(GDateTime) date_time = NULL;

  if (time <= 0 || (date_time = g_date_time_new_from_unix_utc (time)) == NULL)
    return NULL;

  return g_date_time_format (date_time, "%Y-%m-%dT%H:%M:%SZ");
}

static void
append_header (GString *buffer)
{
  const Field fields[] = {
    /* Translators: the column headings of an exported CSV file */
    { C_("CSV column", "Number"), TRUE },
    { C_("CSV column", "Formatted Number"), TRUE },
    { C_("CSV column", "Name"), TRUE },
    { C_("CSV column", "Status"), TRUE },
    /* The times are in UTC, whatever the computer's time zone: the headers say so. */
    { C_("CSV column", "Created (UTC)"), TRUE },
    { C_("CSV column", "Verified (UTC)"), TRUE },
    { C_("CSV column", "Last Activity (UTC)"), TRUE },
    { C_("CSV column", "Delivery"), TRUE },
  };

  append_record (buffer, fields, G_N_ELEMENTS (fields));
}

/* Where the last text stands, in the words of the other columns' language, with Twilio's
 * error code when there is one; a status word PhoneVerify does not know goes as it came. */
static char *
format_delivery (const PvCustomer *customer)
{
  const char *status = customer->delivery_status;

  if (status == NULL)
    return NULL;

  if (g_str_equal (status, "delivered") || g_str_equal (status, "read"))
    return g_strdup (C_("CSV delivery", "Delivered"));

  if (g_str_equal (status, "undelivered") || g_str_equal (status, "failed"))
    return customer->delivery_error_code != 0
           /* Translators: %d is Twilio's error code, e.g. 30003 */
           ? g_strdup_printf (C_("CSV delivery", "Not delivered (%d)"),
                              customer->delivery_error_code)
           : g_strdup (C_("CSV delivery", "Not delivered"));

  if (g_str_equal (status, "sent"))
    return g_strdup (C_("CSV delivery", "Sent"));

  if (g_str_equal (status, "queued") || g_str_equal (status, "accepted") ||
      g_str_equal (status, "sending") || g_str_equal (status, "scheduled"))
    return g_strdup (C_("CSV delivery", "Sending"));

  if (customer->delivery_error_code != 0)
    return g_strdup_printf ("%s (%d)", status, customer->delivery_error_code);

  return g_strdup (status);
}

static void
append_customer (GString          *buffer,
                 const PvCustomer *customer,
                 const Export     *export)
{
  PvCustomerRowStatus status = pv_customer_row_status_for (customer, export->now,
                                                           export->max_attempts);
  g_autofree char *created = format_time (customer->created_at);
  g_autofree char *verified = format_time (customer->verified_at);
  g_autofree char *updated = format_time (customer->updated_at);
  g_autofree char *delivery = format_delivery (customer);
  g_autofree char *formatted = pv_phone_number_format_for_display (customer->number,
                                                                   export->office_country);
  const Field fields[] = {
    { customer->number, !is_e164 (customer->number) },
    /* "+44 20 7946 0018" is a formula to a spreadsheet: this one gets the guard. */
    { formatted, TRUE },
    { customer->name, TRUE },
    { pv_customer_row_status_get_label (status), TRUE },
    { created, TRUE },
    { verified, TRUE },
    { updated, TRUE },
    { delivery, TRUE },
  };

  append_record (buffer, fields, G_N_ELEMENTS (fields));
}

/* Closing with a cancelled cancellable makes GIO drop its temporary file instead of
 * putting it in place. A file that did not exist before was written directly: remove it.
 */
static void
abandon (GOutputStream *stream,
         GFile         *file,
         gboolean       existed)
{
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();

  g_cancellable_cancel (cancelled);
  g_output_stream_close (stream, cancelled, NULL);

  if (!existed)
    g_file_delete (file, NULL, NULL);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Export *export = task_data;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GString) buffer = g_string_new (NULL);
  GError *error = NULL;
  gboolean existed;
  g_autofree char *after = NULL;
  guint n_written = 0;

  existed = g_file_query_exists (export->file, cancellable);

  stream = g_file_replace (export->file, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, &error);
  if (stream == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  append_header (buffer);

  for (;;)
    {
      g_autoptr(GPtrArray) page = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, &error))
        break;

      page = pv_store_list_customers_after (export->store, export->search, after,
                                            EXPORT_PAGE_SIZE, &error);
      if (page == NULL)
        break;

      for (guint i = 0; i < page->len; i++)
        append_customer (buffer, g_ptr_array_index (page, i), export);

      if (!g_output_stream_write_all (G_OUTPUT_STREAM (stream), buffer->str, buffer->len,
                                      NULL, cancellable, &error))
        break;
      g_string_truncate (buffer, 0);

      n_written += page->len;
      if (page->len > 0)
        {
          g_free (after);
          after = g_strdup (((PvCustomer *) g_ptr_array_index (page, page->len - 1))->number);
        }

      if (page->len < EXPORT_PAGE_SIZE)
        {
          if (g_output_stream_close (G_OUTPUT_STREAM (stream), cancellable, &error))
            {
              g_debug ("Exported %u customers", n_written);
              g_task_return_int (task, n_written);
              return;
            }
          break;
        }
    }

  abandon (G_OUTPUT_STREAM (stream), export->file, existed);
  g_task_return_error (task, error);
}

/**
 * pv_csv_export_async:
 * @store: where the customers are
 * @search: (nullable): export only the customers matching this, as in the list
 * @file: the file to write; replaced when the export is complete
 * @clock: the clock that decides which codes have expired
 * @max_attempts: the "max-attempts" setting, which decides which customers are locked
 * @office_country: (nullable): the office's country, whose numbers the Formatted Number
 *   column writes in national form (all others in international form)
 *
 * Writes every customer that matches @search, sorted by number, to @file as CSV: Number
 * (E.164, for other programs), Formatted Number (as staff read it out), Name, Status,
 * Created, Verified, Last Activity (times in ISO 8601, UTC, which the headers say) and
 * Delivery, in the same language as the headers.
 */
void
pv_csv_export_async (PvStore             *store,
                     const char          *search,
                     GFile               *file,
                     PvClock             *clock,
                     guint                max_attempts,
                     const char          *office_country,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Export *export;

  g_return_if_fail (PV_IS_STORE (store));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (PV_IS_CLOCK (clock));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  export = g_new0 (Export, 1);
  export->store = g_object_ref (store);
  export->search = g_strdup (search);
  export->file = g_object_ref (file);
  export->now = pv_clock_get_now (clock);
  export->max_attempts = max_attempts;
  export->office_country = g_strdup (office_country);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_csv_export_async);
  g_task_set_task_data (task, export, (GDestroyNotify) export_free);
  g_task_run_in_thread (task, export_thread);
}

/**
 * pv_csv_export_finish:
 *
 * Returns: how many customers were written, or -1 with @error set
 */
gssize
pv_csv_export_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pv_csv_export_async, -1);

  return g_task_propagate_int (G_TASK (result), error);
}
