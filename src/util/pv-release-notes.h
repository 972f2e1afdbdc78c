/* pv-release-notes.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *pv_release_notes_from_metainfo (const char          *metainfo,
                                      const char * const  *languages,
                                      char               **version);

G_END_DECLS
