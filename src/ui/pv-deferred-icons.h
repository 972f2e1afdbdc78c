/* pv-deferred-icons.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void pv_stack_defer_status_icons (GtkStack *stack);

G_END_DECLS
