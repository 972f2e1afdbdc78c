/* pv-customer-cells.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  PV_CUSTOMER_CELL_NUMBER,
  PV_CUSTOMER_CELL_NAME,
  PV_CUSTOMER_CELL_STATUS,
  PV_CUSTOMER_CELL_LAST_ACTIVITY,
  PV_CUSTOMER_CELL_NUMBER_AND_NAME,  /* narrow windows: the name under the number */
} PvCustomerCell;

GtkListItemFactory *pv_customer_cell_factory_new (PvCustomerCell cell);

G_END_DECLS
