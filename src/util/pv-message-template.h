/* pv-message-template.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PV_MESSAGE_TEMPLATE_PLACEHOLDER "{code}"
#define PV_MESSAGE_TEMPLATE_MAX_LENGTH  1600

gboolean  pv_message_template_validate (const char  *template_text,
                                        GError     **error);
char     *pv_message_template_render   (const char  *template_text,
                                        const char  *code);

G_END_DECLS
