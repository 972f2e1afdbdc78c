/* pv-customer-row.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "pv-customer.h"

G_BEGIN_DECLS

#define PV_TYPE_CUSTOMER_ROW        (pv_customer_row_get_type ())
#define PV_TYPE_CUSTOMER_ROW_STATUS (pv_customer_row_status_get_type ())

/* What staff see: the stored status, refined by the state of the pending code. */
typedef enum
{
  PV_CUSTOMER_ROW_STATUS_PENDING,
  PV_CUSTOMER_ROW_STATUS_VERIFIED,
  PV_CUSTOMER_ROW_STATUS_LOCKED,    /* too many wrong codes: only a new code helps */
  PV_CUSTOMER_ROW_STATUS_EXPIRED,
} PvCustomerRowStatus;

G_DECLARE_FINAL_TYPE (PvCustomerRow, pv_customer_row, PV, CUSTOMER_ROW, GObject)

GType                pv_customer_row_status_get_type    (void) G_GNUC_CONST;
PvCustomerRowStatus  pv_customer_row_status_for         (const PvCustomer    *customer,
                                                         gint64               now,
                                                         guint                max_attempts);
const char          *pv_customer_row_status_get_label   (PvCustomerRowStatus  status);
char                *pv_customer_row_format_time        (gint64               time,
                                                         gint64               now);

PvCustomerRow       *pv_customer_row_new                (guint                position);
guint                pv_customer_row_get_position       (PvCustomerRow       *self);
gboolean             pv_customer_row_get_loaded         (PvCustomerRow       *self);
const char          *pv_customer_row_get_number         (PvCustomerRow       *self);
const char          *pv_customer_row_get_display_number (PvCustomerRow       *self);
const char          *pv_customer_row_get_name           (PvCustomerRow       *self);
PvCustomerRowStatus  pv_customer_row_get_status         (PvCustomerRow       *self);
const char          *pv_customer_row_get_status_label   (PvCustomerRow       *self);
const char * const  *pv_customer_row_get_status_classes (PvCustomerRow       *self);
const char          *pv_customer_row_get_last_activity  (PvCustomerRow       *self);
void                 pv_customer_row_fill               (PvCustomerRow       *self,
                                                         const PvCustomer    *customer,
                                                         const char          *display_number,
                                                         gint64               now,
                                                         guint                max_attempts);
void                 pv_customer_row_clear              (PvCustomerRow       *self);

G_END_DECLS
