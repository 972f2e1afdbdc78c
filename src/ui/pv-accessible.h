/* pv-accessible.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void pv_accessible_name_inner_button (GtkWidget  *widget,
                                      GType       button_type,
                                      const char *label);

void pv_accessible_name_icon_button (GtkWidget  *widget,
                                     const char *icon_name,
                                     const char *label);

void pv_accessible_name_unlabelled_buttons (GtkWidget  *widget,
                                            const char *label);

void pv_accessible_show_problem (GtkWidget  *widget,
                                 const char *problem);

G_END_DECLS
