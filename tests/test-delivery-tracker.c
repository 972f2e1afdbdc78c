/* test-delivery-tracker.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pv-delivery-tracker.h"
#include "pv-twilio-enums.h"
#include "pv-fake-twilio.h"
#include "pv-test-twilio.h"

#define NUMBER "+14155552671"

typedef struct
{
  PvFakeTwilio      *fake;
  PvTwilioClient    *client;
  PvDeliveryTracker *tracker;
  GPtrArray         *statuses;
  gboolean           finished;
  PvDeliveryTrackerResult result;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->fake = pv_fake_twilio_new ();
  pv_fake_twilio_listen (fixture->fake, 0, &error);
  g_assert_no_error (error);
  fixture->client = pv_test_new_fake_client (fixture->fake);
  fixture->statuses = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->tracker != NULL)
    {
      pv_delivery_tracker_stop (fixture->tracker);
      g_clear_object (&fixture->tracker);
    }
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->fake);
  g_clear_pointer (&fixture->statuses, g_ptr_array_unref);
  pv_test_drain_main_context ();
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  PvTwilioMessage **message = user_data;
  g_autoptr(GError) error = NULL;

  *message = pv_twilio_client_send_message_finish (PV_TWILIO_CLIENT (object), result, &error);
  g_assert_no_error (error);
}

static void
status_changed_cb (PvDeliveryTracker *tracker,
                   PvTwilioMessage   *message,
                   Fixture           *fixture)
{
  g_ptr_array_add (fixture->statuses,
                   g_strdup_printf ("%s %d", message->status, message->error_code));
}

static void
finished_cb (PvDeliveryTracker       *tracker,
             PvDeliveryTrackerResult  result,
             Fixture                 *fixture)
{
  g_assert_false (fixture->finished);
  fixture->finished = TRUE;
  fixture->result = result;
}

/* Sends a real message through the fake and starts tracking it. */
static void
track_new_message (Fixture *fixture,
                   guint    initial_interval,
                   guint    timeout)
{
  g_autoptr(PvTwilioMessage) message = NULL;

  pv_twilio_client_send_message_async (fixture->client, NUMBER, "Your code is: 123456", NULL,
                                       send_cb, &message);
  while (message == NULL)
    g_main_context_iteration (NULL, TRUE);

  fixture->tracker = pv_delivery_tracker_new (fixture->client, message->sid, message->status);
  g_object_set (fixture->tracker,
                "initial-interval", initial_interval,
                "timeout", timeout,
                NULL);
  g_signal_connect (fixture->tracker, "status-changed", G_CALLBACK (status_changed_cb), fixture);
  g_signal_connect (fixture->tracker, "finished", G_CALLBACK (finished_cb), fixture);
  pv_delivery_tracker_start (fixture->tracker);
}

static void
wait_until_finished (Fixture *fixture)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!fixture->finished)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
test_reaches_delivered (Fixture       *fixture,
                        gconstpointer  data)
{
  pv_fake_twilio_set_delivery_step (fixture->fake, 40);
  track_new_message (fixture, 20, 30);
  wait_until_finished (fixture);

  g_assert_cmpint (fixture->result, ==, PV_DELIVERY_TRACKER_FINAL);
  g_assert_cmpstr (pv_delivery_tracker_get_status (fixture->tracker), ==, "delivered");
  g_assert_cmpstr (g_ptr_array_index (fixture->statuses, fixture->statuses->len - 1), ==,
                   "delivered 0");
  /* Each change is reported once, in order, and nothing after the final status. */
  g_assert_cmpuint (fixture->statuses->len, <=, 2);
  if (fixture->statuses->len == 2)
    g_assert_cmpstr (g_ptr_array_index (fixture->statuses, 0), ==, "sent 0");
}

static void
test_reaches_undelivered (Fixture       *fixture,
                          gconstpointer  data)
{
  pv_fake_twilio_set_delivery_step (fixture->fake, 40);
  pv_fake_twilio_set_delivery_outcome (fixture->fake, NUMBER, "undelivered", 30005);
  track_new_message (fixture, 20, 30);
  wait_until_finished (fixture);

  g_assert_cmpint (fixture->result, ==, PV_DELIVERY_TRACKER_FINAL);
  g_assert_cmpstr (g_ptr_array_index (fixture->statuses, fixture->statuses->len - 1), ==,
                   "undelivered 30005");
}

static void
test_times_out (Fixture       *fixture,
                gconstpointer  data)
{
  gint64 started = g_get_monotonic_time ();

  /* Stuck at "sent", as when the carrier sends no receipt. */
  pv_fake_twilio_set_delivery_step (fixture->fake, 60 * 1000);
  track_new_message (fixture, 20, 1);
  wait_until_finished (fixture);

  g_assert_cmpint (fixture->result, ==, PV_DELIVERY_TRACKER_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - started, <=, 2 * G_USEC_PER_SEC);
  g_assert_cmpuint (fixture->statuses->len, ==, 0);
}

/* The interval grows by half each time: over a second, starting at 20 ms, that is about
 * eight requests where a fixed interval would make fifty. */
static void
test_interval_grows (Fixture       *fixture,
                     gconstpointer  data)
{
  pv_fake_twilio_set_delivery_step (fixture->fake, 60 * 1000);
  track_new_message (fixture, 20, 1);
  wait_until_finished (fixture);

  g_assert_cmpuint (pv_delivery_tracker_get_n_polls (fixture->tracker), >=, 5);
  g_assert_cmpuint (pv_delivery_tracker_get_n_polls (fixture->tracker), <=, 9);
}

static guint
count_answers (Fixture *fixture,
               guint    status)
{
  GPtrArray *requests = pv_fake_twilio_get_requests (fixture->fake);
  guint n = 0;

  for (guint i = 0; i < requests->len; i++)
    if (((PvFakeTwilioRequest *) g_ptr_array_index (requests, i))->status == status)
      n++;

  return n;
}

static void
test_keeps_asking_through_outages (Fixture       *fixture,
                                   gconstpointer  data)
{
  pv_fake_twilio_set_delivery_step (fixture->fake, 40);
  track_new_message (fixture, 20, 30);
  pv_fake_twilio_set_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_HTTP_503);

  while (count_answers (fixture, 503) < 3)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (fixture->finished);

  pv_fake_twilio_set_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_NONE);
  wait_until_finished (fixture);
  g_assert_cmpint (fixture->result, ==, PV_DELIVERY_TRACKER_FINAL);
  g_assert_cmpstr (pv_delivery_tracker_get_status (fixture->tracker), ==, "delivered");
}

static void
test_gives_up_on_unknown_message (Fixture       *fixture,
                                  gconstpointer  data)
{
  fixture->tracker = pv_delivery_tracker_new (fixture->client,
                                              "SM00000000000000000000000000000000", "queued");
  g_object_set (fixture->tracker, "initial-interval", 20, NULL);
  g_signal_connect (fixture->tracker, "finished", G_CALLBACK (finished_cb), fixture);
  pv_delivery_tracker_start (fixture->tracker);
  wait_until_finished (fixture);

  g_assert_cmpint (fixture->result, ==, PV_DELIVERY_TRACKER_GAVE_UP);
  g_assert_cmpuint (pv_delivery_tracker_get_n_polls (fixture->tracker), ==, 1);
}

static void
test_stop (Fixture       *fixture,
           gconstpointer  data)
{
  guint n_requests;

  pv_fake_twilio_set_delivery_step (fixture->fake, 60 * 1000);
  track_new_message (fixture, 20, 30);
  while (pv_delivery_tracker_get_n_polls (fixture->tracker) < 1)
    g_main_context_iteration (NULL, TRUE);

  pv_delivery_tracker_stop (fixture->tracker);
  n_requests = pv_fake_twilio_get_requests (fixture->fake)->len;

  for (guint i = 0; i < 20; i++)
    {
      g_usleep (10000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }

  g_assert_cmpuint (pv_fake_twilio_get_requests (fixture->fake)->len, <=, n_requests + 1);
  g_assert_false (fixture->finished);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/delivery-tracker/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("delivered", test_reaches_delivered);
  ADD ("undelivered", test_reaches_undelivered);
  ADD ("times-out", test_times_out);
  ADD ("interval-grows", test_interval_grows);
  ADD ("outages", test_keeps_asking_through_outages);
  ADD ("unknown-message", test_gives_up_on_unknown_message);
  ADD ("stop", test_stop);

#undef ADD

  return g_test_run ();
}
