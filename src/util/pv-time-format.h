/* pv-time-format.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean  pv_time_format_is_twelve_hour (void);
char     *pv_time_format_time_of_day    (GDateTime *time,
                                         gboolean   twelve_hour);

char     *pv_time_format_date           (GDateTime *time,
                                         gboolean   full_month);
gboolean  pv_time_format_month_first    (const char *date_format);

G_END_DECLS
