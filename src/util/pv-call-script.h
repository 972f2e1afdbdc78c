/* pv-call-script.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Twilio takes at most 4,000 characters of inline TwiML. */
#define PV_CALL_SCRIPT_MAX_LENGTH 4000

/* How much of the office's name the call reads out; the rest is left out. */
#define PV_CALL_SCRIPT_MAX_OFFICE_CHARS 64

char *pv_call_script_build (const char *language,
                            const char *code,
                            const char *office_name,
                            guint       minutes);

G_END_DECLS
