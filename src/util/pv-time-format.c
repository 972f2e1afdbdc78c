/* pv-time-format.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Times of day as the person at the desk reads them: on the 12- or 24-hour clock that
 * GNOME's clock-format setting chooses, or, where that setting is not installed (another
 * desktop), the one of the locale's own time format. */

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <langinfo.h>
#include <locale.h>
#include <string.h>

#include "pv-time-format.h"

#define DESKTOP_SCHEMA "org.gnome.desktop.interface"

static GSettings *
get_desktop_settings (void)
{
  static GSettings *settings;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
      g_autoptr(GSettingsSchema) schema = NULL;

      if (source != NULL)
        schema = g_settings_schema_source_lookup (source, DESKTOP_SCHEMA, TRUE);
      if (schema != NULL && g_settings_schema_has_key (schema, "clock-format"))
        settings = g_settings_new (DESKTOP_SCHEMA);
      g_once_init_leave (&initialized, 1);
    }

  return settings;
}

/**
 * pv_time_format_is_twelve_hour:
 *
 * Returns: whether times of day are shown on the 12-hour clock
 */
gboolean
pv_time_format_is_twelve_hour (void)
{
  GSettings *settings = get_desktop_settings ();
  g_autofree char *format = NULL;
  const char *locale_format;

  if (settings != NULL)
    {
      format = g_settings_get_string (settings, "clock-format");
      return g_strcmp0 (format, "12h") == 0;
    }

  /* The locale's time format has an AM/PM designator on the 12-hour clock. */
  locale_format = nl_langinfo (T_FMT);
  return locale_format != NULL &&
         (strstr (locale_format, "%p") != NULL || strstr (locale_format, "%r") != NULL ||
          strstr (locale_format, "%I") != NULL);
}

/**
 * pv_time_format_time_of_day:
 * @time: a local time
 * @twelve_hour: whether to use the 12-hour clock
 *
 * Returns: (transfer full): "14:32", or "2:32 PM" with the locale's AM/PM
 */
char *
pv_time_format_time_of_day (GDateTime *time,
                            gboolean   twelve_hour)
{
  g_return_val_if_fail (time != NULL, NULL);

  /* The hour unpadded: %l would pad it with a figure space. */
  if (twelve_hour)
    return g_date_time_format (time, "%-l:%M %p");

  return g_date_time_format (time, "%H:%M");
}

/**
 * pv_time_format_month_first:
 * @date_format: (nullable): a strftime() date format, such as the locale's D_FMT
 *
 * Returns: whether dates in @date_format start with the month, then the day, as in the
 *   United States ("%m/%d/%Y"); not for the year first ("%Y-%m-%d"), where the month
 *   only follows the year
 */
gboolean
pv_time_format_month_first (const char *date_format)
{
  const char *month;
  const char *day;
  const char *year;

  if (date_format == NULL)
    return FALSE;

  month = strstr (date_format, "%m");
  if (month == NULL)
    month = strstr (date_format, "%b");
  day = strstr (date_format, "%d");
  if (day == NULL)
    day = strstr (date_format, "%e");
  year = strstr (date_format, "%Y");
  if (year == NULL)
    year = strstr (date_format, "%y");

  return month != NULL && day != NULL && month < day && (year == NULL || year > day);
}

/* The C and POSIX locales stand for no country, whatever their D_FMT says. */
static gboolean
time_locale_is_neutral (void)
{
  const char *locale = setlocale (LC_TIME, NULL);

  return locale == NULL || g_str_equal (locale, "C") || g_str_equal (locale, "POSIX") ||
         g_str_has_prefix (locale, "C.");
}

/**
 * pv_time_format_date:
 * @time: a local time
 * @full_month: the month's whole name ("December") rather than its abbreviation ("Dec")
 *
 * Returns: (transfer full): the day, month and year: in the translators' format, or, in
 *   English, in the order of the locale's own dates ("3 Dec 2026", "Dec 3, 2026")
 */
char *
pv_time_format_date (GDateTime *time,
                     gboolean   full_month)
{
  /* Translators: a date as in “3 Dec 2026”, in GDateTime's format.
   * xgettext:no-c-format */
  static const char short_msgid[] = N_("%-d %b %Y");
  /* Translators: a date as in “3 December 2026”, in GDateTime's format.
   * xgettext:no-c-format */
  static const char full_msgid[] = N_("%-d %B %Y");
  const char *msgid = full_month ? full_msgid : short_msgid;
  const char *format = gettext (msgid);

  g_return_val_if_fail (time != NULL, NULL);

  /* Untranslated (gettext hands back the very string it was given; a translation may be
   * the same words), the English follows the locale: the month first in the United
   * States. */
  if (format == msgid && !time_locale_is_neutral () &&
      pv_time_format_month_first (nl_langinfo (D_FMT)))
    format = full_month ? "%B %-d, %Y" : "%b %-d, %Y";

  return g_date_time_format (time, format);
}
