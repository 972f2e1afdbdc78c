/* pv-process-owner.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char     *pv_process_owner_new     (void);
gboolean  pv_process_owner_is_gone (const char *owner);

G_END_DECLS
