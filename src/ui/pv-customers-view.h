/* pv-customers-view.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pv-engine.h"

G_BEGIN_DECLS

#define PV_TYPE_CUSTOMERS_VIEW (pv_customers_view_get_type ())

G_DECLARE_FINAL_TYPE (PvCustomersView, pv_customers_view, PV, CUSTOMERS_VIEW, AdwBin)

PvEngine *pv_customers_view_get_engine     (PvCustomersView *self);
void      pv_customers_view_set_engine     (PvCustomersView *self,
                                            PvEngine        *engine);
void      pv_customers_view_start_search   (PvCustomersView *self);
void      pv_customers_view_show_customer  (PvCustomersView *self,
                                            const char      *number);
void      pv_customers_view_reload         (PvCustomersView *self);
void      pv_customers_view_export_to_file (PvCustomersView *self,
                                            GFile           *file);

G_END_DECLS
