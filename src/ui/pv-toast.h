/* pv-toast.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

void pv_toast_add (GtkWidget *from,
                   AdwToast  *toast);

G_END_DECLS
