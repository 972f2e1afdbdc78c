/* pv-command-line.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pv-customer.h"

G_BEGIN_DECLS

void pv_command_line_set_database (const char *uri);
int pv_command_line_check_number (const char *input,
                                  const char *country);
int pv_command_line_send_code (const char *input,
                               const char *country,
                               const char *name,
                               PvChannel   channel);
int pv_command_line_texts_us  (const char *input,
                               const char *country,
                               const char *name);
int pv_command_line_resend    (const char *number,
                               PvChannel   channel);
int pv_command_line_verify    (const char *number,
                               const char *country,
                               const char *code);

G_END_DECLS
