/* pv-sms-uri.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *pv_sms_uri_new (const char *e164,
                      const char *body);

G_END_DECLS
