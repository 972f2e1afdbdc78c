/* pv-customer-page.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pv-engine.h"

G_BEGIN_DECLS

#define PV_TYPE_CUSTOMER_PAGE (pv_customer_page_get_type ())

G_DECLARE_FINAL_TYPE (PvCustomerPage, pv_customer_page, PV, CUSTOMER_PAGE, AdwBin)

void        pv_customer_page_set_engine (PvCustomerPage *self,
                                         PvEngine       *engine);
void        pv_customer_page_show       (PvCustomerPage *self,
                                         const char     *number);
void        pv_customer_page_reload     (PvCustomerPage *self);
GtkWidget  *pv_customer_page_get_back_button (PvCustomerPage *self);
const char *pv_customer_page_get_number (PvCustomerPage *self);
gboolean    pv_customer_page_get_loaded (PvCustomerPage *self);

G_END_DECLS
