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

G_END_DECLS
