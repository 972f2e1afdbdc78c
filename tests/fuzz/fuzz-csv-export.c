/* fuzz-csv-export.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* CSV export of customers whose every field comes from the input, read back with a strict
 * RFC 4180 reader: the file must parse, have one row per customer after the header, seven
 * fields in each, and every field must come back exactly as the customer had it, apart from
 * the documented changes (invalid UTF-8 repaired, a leading apostrophe on anything a
 * spreadsheet would run as a formula, times as ISO 8601 in UTC).
 *
 * The customers come from a store of our own (tests/pv-test-list-store.c), not SQLite:
 * export only sees the PvStore interface, and only a store of our own can hand it
 * everything a store might return, such as numbers that are not E.164, or empty (the
 * SQLite store's pages start after "", so it never returns that one).
 *
 * The input is a list of customers, four NUL-terminated strings each:
 *
 *   number, name, delivery status, settings
 *
 * where the settings bytes are:
 *
 *   0  flags: 1 verified, 2 no name (NULL), 4 no delivery status (NULL),
 *      8 (first customer only) add two thousand more, to cross a page of the export
 *   1  failed attempts
 *   2  when the code expires   (see pick_time())
 *   3  created
 *   4  verified
 *   5  last activity
 *   6  Twilio's delivery error code (see pick_error_code())
 *
 * A missing byte is 0, a missing string empty. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <time.h>

#include "pv-csv-export.h"
#include "pv-phone-number.h"
#include "pv-customer-row.h"
#include "pv-fuzz.h"
#include "pv-test-list-store.h"

#define START_TIME   1767225600  /* 2026-01-01 00:00:00 UTC */
#define NOW          (START_TIME + 3600)
#define MAX_ATTEMPTS 5
#define MAX_CUSTOMERS 64
#define N_COLUMNS    8
#define OFFICE       "US"

/* The last second ISO 8601 with four-digit years can write: 9999-12-31T23:59:59Z. */
#define LAST_TIME G_GINT64_CONSTANT (253402300799)

enum
{
  FLAG_VERIFIED = 1 << 0,
  FLAG_NO_NAME = 1 << 1,
  FLAG_NO_DELIVERY = 1 << 2,
  FLAG_PAD = 1 << 3,
};

/* Turning input into customers. */

static gint64
pick_time (guint8 choice)
{
  static const gint64 special[] = {
    0, -1, 1, G_MININT64, G_MAXINT64, LAST_TIME, LAST_TIME + 1,
    START_TIME, NOW - 1, NOW, NOW + 1,
  };

  if (choice < G_N_ELEMENTS (special))
    return special[choice];

  /* Odd steps, to land on every second, minute and hour. */
  return START_TIME + (gint64) (choice - G_N_ELEMENTS (special)) * 86399 * 37;
}

static int
pick_error_code (guint8 choice)
{
  static const int special[] = { 0, 30003, 30005, 30007, 21610, G_MAXINT, 1, 99999 };

  if (choice < G_N_ELEMENTS (special))
    return special[choice];

  return 30000 + choice;
}

static PvCustomer *
take_customer (PvFuzzInput *input,
               guint8      *flags)
{
  g_autofree char *number = pv_fuzz_input_take_string (input);
  g_autofree char *name = pv_fuzz_input_take_string (input);
  g_autofree char *delivery = pv_fuzz_input_take_string (input);
  g_autofree char *settings = pv_fuzz_input_take_string (input);
  PvFuzzInput bytes = { (const guint8 *) settings, strlen (settings) };
  PvCustomer *customer = pv_customer_new (number);

  *flags = pv_fuzz_input_take_byte (&bytes);
  customer->status = *flags & FLAG_VERIFIED ? PV_CUSTOMER_STATUS_VERIFIED
                                            : PV_CUSTOMER_STATUS_PENDING;
  if (!(*flags & FLAG_NO_NAME))
    customer->name = g_steal_pointer (&name);
  if (!(*flags & FLAG_NO_DELIVERY))
    customer->delivery_status = g_steal_pointer (&delivery);
  customer->failed_attempts = pv_fuzz_input_take_byte (&bytes);
  customer->code_expires_at = pick_time (pv_fuzz_input_take_byte (&bytes));
  customer->created_at = pick_time (pv_fuzz_input_take_byte (&bytes));
  customer->verified_at = pick_time (pv_fuzz_input_take_byte (&bytes));
  customer->updated_at = pick_time (pv_fuzz_input_take_byte (&bytes));
  customer->delivery_error_code = pick_error_code (pv_fuzz_input_take_byte (&bytes));

  /* What export must leave out, so that a leak would show in the file. */
  customer->code_digest = g_strdup ("c0ffee5eed");
  customer->message_sid = g_strdup ("SM0123456789abcdef0123456789abcdef");

  return customer;
}

/* What each field must read as, from the documentation rather than the code. */

static gboolean
is_e164 (const char *number)
{
  if (number[0] != '+' || number[1] == '\0')
    return FALSE;

  for (const char *p = number + 1; *p != '\0'; p++)
    if (*p < '0' || *p > '9')
      return FALSE;

  return TRUE;
}

static char *
expected_text (const char *field,
               gboolean    guard)
{
  g_autofree char *valid = g_utf8_make_valid (field != NULL ? field : "", -1);

  if (guard && valid[0] != '\0' && strchr ("=+-@\t\r", valid[0]) != NULL)
    return g_strconcat ("'", valid, NULL);

  return g_steal_pointer (&valid);
}

static char *
expected_time (gint64 time)
{
  time_t seconds = (time_t) time;
  struct tm tm;
  char text[64];

  if (time <= 0 || time > LAST_TIME || gmtime_r (&seconds, &tm) == NULL)
    return g_strdup ("");

  g_assert_cmpuint (strftime (text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm), >, 0);

  return g_strdup (text);
}

/* The words the export writes for Twilio's status words it knows (in the C locale), and
 * any other as it came, with the error code. */
static char *
expected_delivery (const char *status,
                   int         code)
{
  static const struct { const char *word; const char *shown; } known[] = {
    { "delivered", "Delivered" }, { "read", "Delivered" }, { "sent", "Sent" },
    { "queued", "Sending" }, { "accepted", "Sending" }, { "sending", "Sending" },
    { "scheduled", "Sending" },
  };

  if (status == NULL)
    return NULL;
  if (strcmp (status, "undelivered") == 0 || strcmp (status, "failed") == 0)
    return code != 0 ? g_strdup_printf ("Not delivered (%d)", code) : g_strdup ("Not delivered");
  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (strcmp (status, known[i].word) == 0)
      return g_strdup (known[i].shown);

  return code != 0 ? g_strdup_printf ("%s (%d)", status, code) : g_strdup (status);
}

static GStrv
expected_row (const PvCustomer *customer)
{
  GStrv row = g_new0 (char *, N_COLUMNS + 1);
  g_autofree char *delivery = NULL;
  g_autofree char *formatted = pv_phone_number_format_for_display (customer->number, OFFICE);

  delivery = expected_delivery (customer->delivery_status, customer->delivery_error_code);

  row[0] = expected_text (customer->number, !is_e164 (customer->number));
  row[1] = expected_text (formatted, TRUE);
  row[2] = expected_text (customer->name, TRUE);
  row[3] = g_strdup (pv_customer_row_status_get_label (
    pv_customer_row_status_for (customer, NOW, MAX_ATTEMPTS)));
  row[4] = expected_time (customer->created_at);
  row[5] = expected_time (customer->verified_at);
  row[6] = expected_time (customer->updated_at);
  row[7] = expected_text (delivery, TRUE);

  return row;
}

/* A strict RFC 4180 reader: records end in CRLF, the last one too; a field is either
 * quoted, with quotes doubled inside, or holds no quote, CR or LF. Anything else is
 * refused with the reason in @why. @text must end in a NUL, and hold no other.
 */
static GPtrArray *
read_csv (const char  *text,
          const char **why)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  const char *p = text;

  while (*p != '\0')
    {
      g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);

      for (;;)
        {
          g_autoptr(GString) field = g_string_new (NULL);

          if (*p == '"')
            {
              for (p++;;)
                {
                  const char *quote = strchr (p, '"');

                  if (quote == NULL)
                    {
                      *why = "a quoted field is not closed";
                      return NULL;
                    }
                  g_string_append_len (field, p, quote - p);
                  p = quote + 1;
                  if (*p != '"')
                    break;
                  g_string_append_c (field, '"');
                  p++;
                }
            }
          else
            {
              gsize span = strcspn (p, ",\r\n\"");

              g_string_append_len (field, p, span);
              p += span;
              if (*p == '"' || *p == '\n')
                {
                  *why = "an unquoted field holds a quote or a line feed";
                  return NULL;
                }
            }

          g_ptr_array_add (fields, g_string_free (g_steal_pointer (&field), FALSE));

          if (*p == ',')
            {
              p++;
              continue;
            }
          if (p[0] == '\r' && p[1] == '\n')
            {
              p += 2;
              break;
            }
          *why = "a field is followed by neither a comma nor CRLF";
          return NULL;
        }

      g_ptr_array_add (fields, NULL);
      g_ptr_array_add (records, g_ptr_array_steal (fields, NULL));
    }

  return g_steal_pointer (&records);
}

G_GNUC_NORETURN G_GNUC_PRINTF (2, 3) static void
fail (const char *csv,
      const char *format,
      ...)
{
  g_autofree char *message = NULL;
  g_autofree char *escaped = g_strescape (csv, NULL);
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("The exported CSV: \"%s\"\n", escaped);
  g_error ("%s", message);
}

/* Exporting, once the store is filled. */

static GFile *export_file;
static PvClock *clock_;

typedef struct
{
  gboolean  done;
  gssize    n_customers;
  GError   *error;
} Outcome;

static void
exported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->n_customers = pv_csv_export_finish (result, &outcome->error);
  outcome->done = TRUE;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autofree char *directory = NULL;

  pv_fuzz_init ();

  directory = pv_fuzz_make_temp_dir ("fuzz-csv-export");
  export_file = g_file_new_build_filename (directory, "customers.csv", NULL);
  clock_ = pv_clock_new_manual (NOW);

  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        gsize         size)
{
  static const char * const header[N_COLUMNS] = {
    "Number", "Formatted Number", "Name", "Status", "Created (UTC)", "Verified (UTC)",
    "Last Activity (UTC)", "Delivery",
  };
  PvFuzzInput input = { data, size };
  g_autoptr(PvTestListStore) store = pv_test_list_store_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *csv = NULL;
  GPtrArray *customers;
  gboolean pad = FALSE;
  Outcome outcome = { FALSE, 0, NULL };
  const char *why = NULL;
  gsize len;

  for (guint i = 0; i < MAX_CUSTOMERS && !pv_fuzz_input_is_empty (&input); i++)
    {
      guint8 flags;
      PvCustomer *customer = take_customer (&input, &flags);

      /* Two thousand customers cost more than all the rest: only the first asks. */
      if (i == 0)
        pad = (flags & FLAG_PAD) != 0;
      pv_test_list_store_add (store, customer);
    }

  /* Just past one page of the export, where its buffer starts again. */
  if (pad)
    {
      for (guint i = 0; i < 2010; i++)
        {
          g_autofree char *number = g_strdup_printf ("+1555%07u", i);
          PvCustomer *customer = pv_customer_new (number);

          customer->name = g_strdup_printf ("Customer %u", i);
          customer->created_at = START_TIME;
          customer->updated_at = START_TIME;
          pv_test_list_store_add (store, customer);
        }
    }

  customers = pv_test_list_store_get_customers (store);

  /* Replacing a file makes GIO sync it to disk, at a cost that would dominate each run:
   * the unit tests cover replacing, here the file is always new. */
  g_file_delete (export_file, NULL, NULL);

  pv_csv_export_async (PV_STORE (store), NULL, export_file, clock_, MAX_ATTEMPTS, OFFICE, NULL,
                       exported_cb, &outcome);
  while (!outcome.done)
    g_main_context_iteration (NULL, TRUE);

  g_assert_no_error (outcome.error);
  g_assert_cmpint (outcome.n_customers, ==, customers->len);

  g_file_load_contents (export_file, NULL, &csv, &len, NULL, &error);
  g_assert_no_error (error);

  if (strlen (csv) != len)
    fail (csv, "The file holds a NUL byte");
  if (!g_utf8_validate (csv, len, NULL))
    fail (csv, "The file is not UTF-8");

  records = read_csv (csv, &why);
  if (records == NULL)
    fail (csv, "Not RFC 4180: %s", why);

  if (records->len != customers->len + 1)
    fail (csv, "%u records for %u customers and the header", records->len,
          customers->len);

  for (guint column = 0; column < N_COLUMNS; column++)
    {
      GStrv got = g_ptr_array_index (records, 0);

      if (g_strv_length (got) != N_COLUMNS || !g_str_equal (got[column], header[column]))
        fail (csv, "The header is wrong at column %u", column + 1);
    }

  for (guint i = 0; i < customers->len; i++)
    {
      const PvCustomer *customer = g_ptr_array_index (customers, i);
      g_auto(GStrv) expected = expected_row (customer);
      GStrv got = g_ptr_array_index (records, i + 1);

      if (g_strv_length (got) != N_COLUMNS)
        fail (csv, "Row %u has %u fields, not %u", i + 2, g_strv_length (got), N_COLUMNS);

      for (guint column = 0; column < N_COLUMNS; column++)
        {
          if (!g_str_equal (got[column], expected[column]))
            {
              g_autofree char *want = g_strescape (expected[column], NULL);
              g_autofree char *have = g_strescape (got[column], NULL);

              fail (csv, "Row %u, column %u reads \"%s\", not \"%s\"", i + 2, column + 1,
                    have, want);
            }
        }

      /* Belt and braces: nothing but an E.164 number may start like a formula. */
      for (guint column = 0; column < N_COLUMNS; column++)
        {
          if (column == 0 && is_e164 (got[0]))
            continue;
          if (got[column][0] != '\0' && strchr ("=+-@\t\r", got[column][0]) != NULL)
            fail (csv, "Row %u, column %u could run as a formula", i + 2, column + 1);
        }
    }

  return 0;
}
