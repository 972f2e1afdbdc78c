/* test-call-tracker.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pv-call-tracker.h"
#include "pv-twilio-enums.h"
#include "pv-fake-twilio.h"
#include "pv-test-twilio.h"

#define NUMBER "+14155552671"
#define TWIML  "<Response><Say>Your code is 4, 8, 2, 9, 1, 3.</Say></Response>"

typedef struct
{
  PvFakeTwilio        *fake;
  PvTwilioClient      *client;
  PvCallTracker       *tracker;
  GPtrArray           *statuses;
  gboolean             finished;
  PvCallTrackerResult  result;
  int                  failure_code_when_finished;
  gboolean             fail_requests_after_failed;
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
  fixture->failure_code_when_finished = -1;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->tracker != NULL)
    {
      pv_call_tracker_stop (fixture->tracker);
      g_clear_object (&fixture->tracker);
    }
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->fake);
  g_clear_pointer (&fixture->statuses, g_ptr_array_unref);
  pv_test_drain_main_context ();
}

static void
start_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  PvTwilioCall **call = user_data;
  g_autoptr(GError) error = NULL;

  *call = pv_twilio_client_start_call_finish (PV_TWILIO_CLIENT (object), result, &error);
  g_assert_no_error (error);
}

static void
status_changed_cb (PvCallTracker *tracker,
                   PvTwilioCall  *call,
                   Fixture       *fixture)
{
  g_assert_cmpstr (call->sid, ==, pv_call_tracker_get_call_sid (tracker));
  g_assert_cmpstr (call->status, ==, pv_call_tracker_get_status (tracker));
  g_ptr_array_add (fixture->statuses, g_strdup (call->status));

  if (fixture->fail_requests_after_failed && g_str_equal (call->status, "failed"))
    pv_fake_twilio_set_fault (fixture->fake, PV_FAKE_TWILIO_FAULT_HTTP_503);
}

static void
finished_cb (PvCallTracker       *tracker,
             PvCallTrackerResult  result,
             Fixture             *fixture)
{
  g_assert_false (fixture->finished);
  fixture->finished = TRUE;
  fixture->result = result;
  fixture->failure_code_when_finished = pv_call_tracker_get_failure_code (tracker);
}

static PvCallTracker *
new_tracker (Fixture    *fixture,
             const char *sid,
             const char *status)
{
  PvCallTracker *tracker = pv_call_tracker_new (fixture->client, sid, status);

  g_signal_connect (tracker, "status-changed", G_CALLBACK (status_changed_cb), fixture);
  g_signal_connect (tracker, "finished", G_CALLBACK (finished_cb), fixture);

  return tracker;
}

/* Places a real call through the fake and follows it, asking often enough to see every
 * step of @step milliseconds. */
static void
track_new_call (Fixture *fixture,
                guint    step,
                guint    timeout)
{
  g_autoptr(PvTwilioCall) call = NULL;

  pv_fake_twilio_set_delivery_step (fixture->fake, step);
  pv_twilio_client_start_call_async (fixture->client, NUMBER, TWIML, 15, 90, NULL,
                                     start_cb, &call);
  while (call == NULL)
    g_main_context_iteration (NULL, TRUE);

  fixture->tracker = new_tracker (fixture, call->sid, call->status);
  g_object_set (fixture->tracker,
                "initial-interval", 20,
                "max-interval", MAX (step / 4, 10),
                "timeout", timeout,
                NULL);
  pv_call_tracker_start (fixture->tracker);
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

static char *
join_statuses (Fixture *fixture)
{
  g_ptr_array_add (fixture->statuses, NULL);
  return g_strjoinv (" → ", (char **) g_ptr_array_steal (fixture->statuses, NULL));
}

static guint
count_notification_requests (Fixture *fixture)
{
  GPtrArray *requests = pv_fake_twilio_get_requests (fixture->fake);
  guint n = 0;

  for (guint i = 0; i < requests->len; i++)
    {
      PvFakeTwilioRequest *request = g_ptr_array_index (requests, i);

      if (g_str_has_suffix (request->path, "/Notifications.json"))
        n++;
    }

  return n;
}

static void
test_reaches_completed (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *statuses = NULL;

  track_new_call (fixture, 120, 30);
  wait_until_finished (fixture);

  g_assert_cmpint (fixture->result, ==, PV_CALL_TRACKER_FINAL);
  g_assert_cmpstr (pv_call_tracker_get_status (fixture->tracker), ==, "completed");
  /* Each change once, in order, and nothing after the end. */
  statuses = join_statuses (fixture);
  g_assert_cmpstr (statuses, ==, "ringing → in-progress → completed");
  g_assert_cmpint (pv_call_tracker_get_failure_code (fixture->tracker), ==, 0);
  g_assert_null (pv_call_tracker_get_failure_message (fixture->tracker));
  g_assert_cmpuint (count_notification_requests (fixture), ==, 0);
}

static void
test_busy (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *statuses = NULL;

  pv_fake_twilio_set_call_outcome (fixture->fake, NUMBER, "busy", 0);
  track_new_call (fixture, 120, 30);
  wait_until_finished (fixture);

  g_assert_cmpint (fixture->result, ==, PV_CALL_TRACKER_FINAL);
  statuses = join_statuses (fixture);
  g_assert_cmpstr (statuses, ==, "ringing → busy");
  /* Busy says all there is to say: no reason is fetched. */
  g_assert_cmpint (pv_call_tracker_get_failure_code (fixture->tracker), ==, 0);
  g_assert_cmpuint (count_notification_requests (fixture), ==, 0);
}

static void
test_failed_with_reason (Fixture       *fixture,
                         gconstpointer  data)
{
  pv_fake_twilio_set_call_outcome (fixture->fake, NUMBER, "failed", 13224);
  track_new_call (fixture, 120, 30);
  wait_until_finished (fixture);

  g_assert_cmpint (fixture->result, ==, PV_CALL_TRACKER_FINAL);
  g_assert_cmpstr (pv_call_tracker_get_status (fixture->tracker), ==, "failed");
  g_assert_cmpint (pv_call_tracker_get_failure_code (fixture->tracker), ==, 13224);
  g_assert_nonnull (pv_call_tracker_get_failure_message (fixture->tracker));
  /* The reason is known by the time ::finished says the call is over. */
  g_assert_cmpint (fixture->failure_code_when_finished, ==, 13224);
  g_assert_cmpuint (count_notification_requests (fixture), ==, 1);
}

/* A reason that cannot be had does not keep the end from being reported. */
static void
test_failed_without_reason (Fixture       *fixture,
                            gconstpointer  data)
{
  fixture->fail_requests_after_failed = TRUE;
  pv_fake_twilio_set_call_outcome (fixture->fake, NUMBER, "failed", 13224);
  track_new_call (fixture, 120, 30);
  wait_until_finished (fixture);

  g_assert_cmpint (fixture->result, ==, PV_CALL_TRACKER_FINAL);
  g_assert_cmpstr (pv_call_tracker_get_status (fixture->tracker), ==, "failed");
  g_assert_cmpint (pv_call_tracker_get_failure_code (fixture->tracker), ==, 0);
  g_assert_null (pv_call_tracker_get_failure_message (fixture->tracker));
  g_assert_cmpuint (count_notification_requests (fixture), ==, 1);
}

static void
test_times_out (Fixture       *fixture,
                gconstpointer  data)
{
  /* Still ringing, as far as the tracker can tell. */
  track_new_call (fixture, 60 * 1000, 1);
  wait_until_finished (fixture);

  g_assert_cmpint (fixture->result, ==, PV_CALL_TRACKER_TIMED_OUT);
  g_assert_cmpuint (fixture->statuses->len, ==, 0);
  g_assert_cmpuint (pv_call_tracker_get_n_polls (fixture->tracker), >, 0);
}

static void
test_gives_up_on_unknown_call (Fixture       *fixture,
                               gconstpointer  data)
{
  fixture->tracker = new_tracker (fixture, "CA00000000000000000000000000000000", "queued");
  g_object_set (fixture->tracker, "initial-interval", 20, NULL);
  pv_call_tracker_start (fixture->tracker);
  wait_until_finished (fixture);

  g_assert_cmpint (fixture->result, ==, PV_CALL_TRACKER_GAVE_UP);
  g_assert_cmpuint (pv_call_tracker_get_n_polls (fixture->tracker), ==, 1);
  g_assert_cmpstr (pv_call_tracker_get_status (fixture->tracker), ==, "queued");
}

static void
test_stop (Fixture       *fixture,
           gconstpointer  data)
{
  guint n_requests;

  track_new_call (fixture, 60 * 1000, 30);
  while (pv_call_tracker_get_n_polls (fixture->tracker) < 1)
    g_main_context_iteration (NULL, TRUE);

  pv_call_tracker_stop (fixture->tracker);
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
  g_test_add ("/call-tracker/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("completed", test_reaches_completed);
  ADD ("busy", test_busy);
  ADD ("failed-with-reason", test_failed_with_reason);
  ADD ("failed-without-reason", test_failed_without_reason);
  ADD ("times-out", test_times_out);
  ADD ("unknown-call", test_gives_up_on_unknown_call);
  ADD ("stop", test_stop);

#undef ADD

  return g_test_run ();
}
