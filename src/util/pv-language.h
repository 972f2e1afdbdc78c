/* pv-language.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The language every number falls back to, and the one the call script reads in when it
 * has no phrases for the one asked for. */
#define PV_LANGUAGE_FALLBACK "en"

/* The languages PhoneVerify has built-in templates and call phrases for: "en", "de", "fr", "es". */
const char * const *pv_language_get_builtin      (void);
gboolean            pv_language_is_builtin       (const char *language);
const char         *pv_language_for_country      (const char *region);
const char         *pv_language_get_voice_locale (const char *language);
char               *pv_language_dup_name         (const char *language);
const char         *pv_language_from_locale      (const char *locale);
const char         *pv_language_choose           (const char *override,
                                                  const char *region,
                                                  const char *office_default,
                                                  GHashTable *custom_templates);

G_END_DECLS
