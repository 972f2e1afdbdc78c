/* pv-text.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PV_TEXT_ERROR (pv_text_error_quark ())

typedef enum
{
  PV_TEXT_ERROR_INVALID_UTF8,
  PV_TEXT_ERROR_CONTROL,    /* C0 or C1 control, other than the line-breaking ones */
  PV_TEXT_ERROR_BIDI,       /* an embedding, override or isolate control */
  PV_TEXT_ERROR_INVISIBLE,  /* other invisible formatting, such as U+200B or U+200F */
  PV_TEXT_ERROR_TOO_LONG,
} PvTextError;

/* What a character is, as far as showing it to staff safely is concerned. */
typedef enum
{
  PV_TEXT_CHAR_SAFE,
  PV_TEXT_CHAR_SPACE,      /* any space, and TAB and the line breaks, which become one */
  PV_TEXT_CHAR_CONTROL,    /* U+0000–U+001F, U+007F–U+009F, except the ones above */
  PV_TEXT_CHAR_BIDI,       /* U+202A–U+202E and U+2066–U+2069 */
  PV_TEXT_CHAR_JOINER,     /* ZWNJ, ZWJ, variation selectors: fine only inside some scripts */
  PV_TEXT_CHAR_INVISIBLE,  /* other format characters (Cf), and the blank Hangul fillers */
} PvTextCharClass;

/* In characters (code points), after whitespace is folded. */
#define PV_TEXT_NAME_MAX_CHARS 200

/* How much of an untrusted text an error message repeats. */
#define PV_TEXT_ECHO_MAX_CHARS 64

GQuark           pv_text_error_quark (void);
PvTextCharClass  pv_text_classify    (gunichar     c);
char            *pv_text_clean_name  (const char  *input,
                                      GError     **error);
char            *pv_text_escape      (const char  *untrusted,
                                      gsize        max_chars);

G_END_DECLS
