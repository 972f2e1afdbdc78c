/* test-time-format.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <locale.h>

#include "pv-customer-row.h"
#include "pv-time-format.h"

static void
test_time_of_day (void)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) afternoon = g_date_time_new (utc, 2026, 3, 12, 14, 32, 0);
  g_autoptr(GDateTime) morning = g_date_time_new (utc, 2026, 3, 12, 9, 5, 0);
  g_autofree char *a24 = pv_time_format_time_of_day (afternoon, FALSE);
  g_autofree char *a12 = pv_time_format_time_of_day (afternoon, TRUE);
  g_autofree char *m12 = pv_time_format_time_of_day (morning, TRUE);

  g_assert_cmpstr (a24, ==, "14:32");
  g_assert_cmpstr (a12, ==, "2:32 PM");
  g_assert_cmpstr (m12, ==, "9:05 AM");
}

static gboolean
desktop_schema_installed (void)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  schema = g_settings_schema_source_lookup (g_settings_schema_source_get_default (),
                                            "org.gnome.desktop.interface", TRUE);

  return schema != NULL;
}

/* GNOME's clock-format setting decides, and the Customers list's times follow it. */
static void
test_follows_clock_format (void)
{
  g_autoptr(GSettings) desktop = NULL;
  g_autofree char *today_12 = NULL;
  g_autofree char *today_24 = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (now);
  g_autoptr(GDateTime) noon = g_date_time_new_local (g_date_time_get_year (local),
                                                     g_date_time_get_month (local),
                                                     g_date_time_get_day_of_month (local),
                                                     13, 7, 0);

  if (!desktop_schema_installed ())
    {
      g_test_skip ("org.gnome.desktop.interface is not installed (gsettings-desktop-schemas)");
      return;
    }

  desktop = g_settings_new ("org.gnome.desktop.interface");
  g_settings_set_string (desktop, "clock-format", "12h");
  g_assert_true (pv_time_format_is_twelve_hour ());
  today_12 = pv_customer_row_format_time (g_date_time_to_unix (noon),
                                          g_date_time_to_unix (noon) + 60);
  g_assert_cmpstr (today_12, ==, "Today 1:07 PM");

  g_settings_set_string (desktop, "clock-format", "24h");
  g_assert_false (pv_time_format_is_twelve_hour ());
  today_24 = pv_customer_row_format_time (g_date_time_to_unix (noon),
                                          g_date_time_to_unix (noon) + 60);
  g_assert_cmpstr (today_24, ==, "Today 13:07");
}

/* English dates follow the locale's order, read from its own date format. */
static void
test_month_first (void)
{
  g_autoptr(GDateTime) day = g_date_time_new_local (2026, 12, 3, 9, 0, 0);
  g_autofree char *shown = NULL;
  g_autofree char *full = NULL;

  g_assert_true (pv_time_format_month_first ("%m/%d/%Y"));   /* en_US */
  g_assert_true (pv_time_format_month_first ("%b %e, %Y"));
  g_assert_false (pv_time_format_month_first ("%d/%m/%Y"));  /* en_GB */
  g_assert_false (pv_time_format_month_first ("%d.%m.%Y"));  /* de_DE */
  g_assert_false (pv_time_format_month_first ("%e/%m/%y"));
  /* The year first (ISO, sv_SE, ja_JP): not the American order. */
  g_assert_false (pv_time_format_month_first ("%Y-%m-%d"));
  g_assert_false (pv_time_format_month_first ("%Y年%m月%d日"));
  g_assert_false (pv_time_format_month_first ("%Y"));
  g_assert_false (pv_time_format_month_first (NULL));

  /* The C locale stands for no country: the English format as written. */
  shown = pv_time_format_date (day, FALSE);
  g_assert_cmpstr (shown, ==, "3 Dec 2026");
  full = pv_time_format_date (day, TRUE);
  g_assert_cmpstr (full, ==, "3 December 2026");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/time-format/time-of-day", test_time_of_day);
  g_test_add_func ("/time-format/follows-clock-format", test_follows_clock_format);
  g_test_add_func ("/time-format/month-first", test_month_first);

  return g_test_run ();
}
