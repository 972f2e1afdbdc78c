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
#include <langinfo.h>
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
