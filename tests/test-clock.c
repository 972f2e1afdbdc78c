/* test-clock.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pv-clock.h"

static void
test_manual_clock_stands_still_until_advanced (void)
{
  g_autoptr(PvClock) clock = pv_clock_new_manual (1700000000);

  g_assert_cmpint (pv_clock_get_now (clock), ==, 1700000000);
  g_assert_cmpint (pv_clock_get_now (clock), ==, 1700000000);

  pv_clock_advance (clock, 31);
  g_assert_cmpint (pv_clock_get_now (clock), ==, 1700000031);

  pv_clock_advance (clock, 0);
  g_assert_cmpint (pv_clock_get_now (clock), ==, 1700000031);
}

static void
test_system_clock_follows_wall_time (void)
{
  g_autoptr(PvClock) clock = pv_clock_new ();
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;
  gint64 now = pv_clock_get_now (clock);
  gint64 after = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_cmpint (now, >=, before);
  g_assert_cmpint (now, <=, after);
}

static void
test_system_clock_cannot_be_advanced (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(PvClock) clock = pv_clock_new ();

      pv_clock_advance (clock, 10);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*manual*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/clock/manual", test_manual_clock_stands_still_until_advanced);
  g_test_add_func ("/clock/system", test_system_clock_follows_wall_time);
  g_test_add_func ("/clock/system-cannot-advance", test_system_clock_cannot_be_advanced);

  return g_test_run ();
}
