/* test-customer-history.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "pv-customer-history.h"
#include "pv-sqlite-store.h"
#include "pv-text.h"
#include "pv-twilio-error.h"

#define NUMBER     "+14155552671"
#define START_TIME 1767225600  /* 2026-01-01 00:00:00 UTC */

static void
add_event (GPtrArray   *events,
           PvEventKind  kind,
           const char  *detail)
{
  PvEvent *event = g_new0 (PvEvent, 1);

  event->id = events->len + 1;
  event->number = g_strdup (NUMBER);
  event->kind = kind;
  event->detail = g_strdup (detail);
  event->time = START_TIME + 60 * events->len;
  g_ptr_array_add (events, event);
}

static const PvHistoryEntry *
entry_at (GPtrArray *entries,
          guint      newest_first)
{
  g_assert_cmpuint (newest_first, <, entries->len);

  return g_ptr_array_index (entries, newest_first);
}

/* Each event in words, newest first, with the wrong code that locked a code told apart
 * and a failed text's reason in Twilio's terms. */
static void
test_describe (void)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_event_free);
  g_autoptr(GPtrArray) entries = NULL;

  add_event (events, PV_EVENT_CODE_SENT, "SM0123");
  add_event (events, PV_EVENT_DELIVERY_UPDATE, "undelivered 30003");
  add_event (events, PV_EVENT_CHECK_FAILED, NULL);
  add_event (events, PV_EVENT_CHECK_FAILED, NULL);
  add_event (events, PV_EVENT_CHECK_FAILED, NULL);
  add_event (events, PV_EVENT_CODE_SENT, "SM4567");
  add_event (events, PV_EVENT_DELIVERY_UPDATE, "delivered");
  add_event (events, PV_EVENT_CHECK_FAILED, NULL);
  add_event (events, PV_EVENT_VERIFIED, NULL);
  add_event (events, PV_EVENT_RENAMED, "Ada Lovelace");
  add_event (events, PV_EVENT_SEND_UNKNOWN, "no answer");
  add_event (events, PV_EVENT_RENAMED, NULL);
  add_event (events, PV_EVENT_DELETED, "asked to");

  entries = pv_customer_history_describe (events, 3);
  g_assert_cmpuint (entries->len, ==, events->len);
  /* So that the lines align. */
  for (guint i = 0; i < entries->len; i++)
    g_assert_nonnull (entry_at (entries, i)->icon_name);

  g_assert_cmpstr (entry_at (entries, 0)->title, ==, "Deleted");
  g_assert_cmpstr (entry_at (entries, 0)->detail, ==, "asked to");
  g_assert_cmpint (entry_at (entries, 0)->time, ==, START_TIME + 60 * 12);
  g_assert_cmpstr (entry_at (entries, 1)->title, ==, "Name removed");
  g_assert_cmpstr (entry_at (entries, 2)->title, ==, "Send not confirmed");
  g_assert_cmpstr (entry_at (entries, 3)->title, ==, "Name changed to “Ada Lovelace”");
  g_assert_cmpstr (entry_at (entries, 4)->title, ==, "Verified");
  /* A new code starts the count again. */
  g_assert_cmpstr (entry_at (entries, 5)->title, ==, "Wrong code");
  g_assert_cmpstr (entry_at (entries, 5)->detail, ==, "Attempt 1 of 3");
  g_assert_cmpstr (entry_at (entries, 6)->title, ==, "Text delivered");
  g_assert_cmpstr (entry_at (entries, 7)->title, ==, "Code sent by text message");
  g_assert_cmpstr (entry_at (entries, 7)->detail, ==, "Message SM4567");
  g_assert_cmpstr (entry_at (entries, 8)->title, ==, "Wrong code: the code is locked");
  g_assert_cmpstr (entry_at (entries, 8)->detail, ==, "After 3 wrong codes. A new code is needed.");
  g_assert_cmpstr (entry_at (entries, 9)->detail, ==, "Attempt 2 of 3");
  g_assert_cmpstr (entry_at (entries, 10)->detail, ==, "Attempt 1 of 3");
  g_assert_cmpstr (entry_at (entries, 11)->title, ==, "Text not delivered");
  g_assert_cmpstr (entry_at (entries, 11)->detail, ==, pv_twilio_error_describe_delivery (30003));
  g_assert_cmpint (entry_at (entries, 12)->kind, ==, PV_EVENT_CODE_SENT);
  g_assert_cmpint (entry_at (entries, 12)->time, ==, START_TIME);
}

/* A code the customer texted us: shown, not sent, and verified by their text, whose SID
 * the history keeps. */
static void
test_describe_texted (void)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_event_free);
  g_autoptr(GPtrArray) entries = NULL;

  add_event (events, PV_EVENT_CODE_SENT, NULL);
  ((PvEvent *) g_ptr_array_index (events, 0))->channel = PV_CHANNEL_INBOUND;
  add_event (events, PV_EVENT_VERIFIED, "SM89ab");
  ((PvEvent *) g_ptr_array_index (events, 1))->channel = PV_CHANNEL_INBOUND;

  entries = pv_customer_history_describe (events, 3);
  g_assert_cmpstr (entry_at (entries, 0)->title, ==, "Verified by the customer’s text");
  g_assert_cmpstr (entry_at (entries, 0)->detail, ==, "Message SM89ab");
  g_assert_cmpstr (entry_at (entries, 1)->title, ==, "Code shown for the customer to text");
  g_assert_null (entry_at (entries, 1)->detail);
}

typedef struct
{
  char    *directory;
  PvStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(PvCustomer) customer = pv_customer_new (NUMBER);

  fixture->directory = g_dir_make_tmp ("test-history-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->directory, "customers.db", NULL);
  fixture->store = PV_STORE (pv_sqlite_store_open (path, NULL, &error));
  g_assert_no_error (error);
  customer->name = g_strdup ("Grace");
  g_assert_true (pv_store_insert_customer (fixture->store, customer, PV_EVENT_CODE_SENT, "SM1",
                                           &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->directory, 0, NULL);
  const char *name;

  g_clear_object (&fixture->store);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->directory, name, NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->directory);
  g_free (fixture->directory);
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

static PvCustomerRecord *
load (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  PvCustomerRecord *record;

  pv_customer_record_load_async (fixture->store, NUMBER, NULL, result_cb, &slot);
  result = wait_for (&slot);
  record = pv_customer_record_load_finish (fixture->store, result, &error);
  g_assert_no_error (error);

  return record;
}

static gboolean
rename_to (Fixture     *fixture,
           const char  *name,
           GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  pv_customer_rename_async (fixture->store, NUMBER, name, NULL, result_cb, &slot);
  result = wait_for (&slot);

  return pv_customer_rename_finish (fixture->store, result, error);
}

/* Renames go through the same cleaning as names typed at registration: a name it refuses
 * stores nothing; an accepted one is cleaned, stored and in the history. */
static void
test_rename (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(PvCustomerRecord) before = load (fixture);
  g_autoptr(PvCustomerRecord) after = NULL;
  g_autoptr(GError) error = NULL;
  const PvEvent *last;

  g_assert_cmpstr (before->customer->name, ==, "Grace");
  g_assert_cmpuint (before->events->len, ==, 1);

  g_assert_false (rename_to (fixture, "Grace\u202eHopper", &error));
  g_assert_error (error, PV_TEXT_ERROR, PV_TEXT_ERROR_BIDI);
  g_clear_error (&error);

  g_assert_true (rename_to (fixture, "  Grace   Hopper ", &error));
  g_assert_no_error (error);

  after = load (fixture);
  g_assert_cmpstr (after->customer->name, ==, "Grace Hopper");
  g_assert_cmpuint (after->events->len, ==, 2);
  last = g_ptr_array_index (after->events, 1);
  g_assert_cmpint (last->kind, ==, PV_EVENT_RENAMED);
  g_assert_cmpstr (last->detail, ==, "Grace Hopper");
}

/* A deleted customer's page still has the history. */
static void
test_load_deleted (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(PvCustomerRecord) record = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (pv_store_delete_customer (fixture->store, NUMBER, PV_EVENT_DELETED, NULL,
                                           &error));
  record = load (fixture);
  g_assert_null (record->customer);
  g_assert_cmpuint (record->events->len, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/customer-history/describe", test_describe);
  g_test_add_func ("/customer-history/describe-texted", test_describe_texted);
  g_test_add ("/customer-history/rename", Fixture, NULL, fixture_set_up, test_rename,
              fixture_tear_down);
  g_test_add ("/customer-history/load-deleted", Fixture, NULL, fixture_set_up,
              test_load_deleted, fixture_tear_down);

  return g_test_run ();
}
