/* pv-message-editor.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PV_TYPE_MESSAGE_EDITOR (pv_message_editor_get_type ())

G_DECLARE_FINAL_TYPE (PvMessageEditor, pv_message_editor, PV, MESSAGE_EDITOR, AdwPreferencesGroup)

GtkWidget  *pv_message_editor_new          (GSettings       *settings,
                                            const char      *language);
const char *pv_message_editor_get_language (PvMessageEditor *self);
GtkWidget  *pv_message_editor_get_entry    (PvMessageEditor *self);
const char *pv_message_editor_get_counter  (PvMessageEditor *self);

G_END_DECLS
