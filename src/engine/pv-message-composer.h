/* pv-message-composer.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PV_TYPE_MESSAGE_COMPOSER (pv_message_composer_get_type ())

G_DECLARE_FINAL_TYPE (PvMessageComposer, pv_message_composer, PV, MESSAGE_COMPOSER, GObject)

PvMessageComposer *pv_message_composer_new               (void);
void               pv_message_composer_bind_settings     (PvMessageComposer  *self,
                                                          GSettings          *settings);
const char        *pv_message_composer_get_office_name   (PvMessageComposer  *self);
const char        *pv_message_composer_get_default_language (PvMessageComposer *self);
const char        *pv_message_composer_choose_language   (PvMessageComposer  *self,
                                                          const char         *override,
                                                          const char         *region);
char              *pv_message_composer_dup_template      (PvMessageComposer  *self,
                                                          const char         *language);
gboolean           pv_message_composer_check_text        (PvMessageComposer  *self,
                                                          const char         *language,
                                                          GError            **error);
char              *pv_message_composer_compose_text      (PvMessageComposer  *self,
                                                          const char         *language,
                                                          const char         *code,
                                                          guint               minutes,
                                                          GError            **error);
char              *pv_message_composer_compose_call      (PvMessageComposer  *self,
                                                          const char         *language,
                                                          const char         *code,
                                                          guint               minutes);

GVariant          *pv_message_templates_replace          (GVariant           *templates,
                                                          const char         *language,
                                                          const char         *text);

G_END_DECLS
