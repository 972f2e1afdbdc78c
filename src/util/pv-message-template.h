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
#define PV_MESSAGE_TEMPLATE_MINUTES     "{minutes}"
#define PV_MESSAGE_TEMPLATE_OFFICE      "{office}"
#define PV_MESSAGE_TEMPLATE_MAX_LENGTH  1600

#define PV_MESSAGE_TEMPLATE_ERROR (pv_message_template_error_quark ())

/* Why pv_message_template_validate_full() refused a template. */
typedef enum
{
  PV_MESSAGE_TEMPLATE_ERROR_NO_CODE,              /* also for text that is not UTF-8 */
  PV_MESSAGE_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER,  /* such as {cod} or {name} */
  PV_MESSAGE_TEMPLATE_ERROR_NO_OFFICE_NAME,       /* {office}, and the office has no name */
  PV_MESSAGE_TEMPLATE_ERROR_TOO_LONG,
} PvMessageTemplateError;

GQuark       pv_message_template_error_quark   (void);
gboolean     pv_message_template_validate      (const char  *template_text,
                                                GError     **error);
char        *pv_message_template_render        (const char  *template_text,
                                                const char  *code);
const char  *pv_message_template_get_builtin   (const char  *language,
                                                gboolean     with_office);
gboolean     pv_message_template_validate_full (const char  *template_text,
                                                const char  *office_name,
                                                GError     **error);
char        *pv_message_template_render_full   (const char  *template_text,
                                                const char  *code,
                                                guint        minutes,
                                                const char  *office_name);

G_END_DECLS
