/* pv-test-list-store.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pv-store.h"

G_BEGIN_DECLS

#define PV_TYPE_TEST_LIST_STORE (pv_test_list_store_get_type ())

G_DECLARE_FINAL_TYPE (PvTestListStore, pv_test_list_store, PV, TEST_LIST_STORE, GObject)

PvTestListStore *pv_test_list_store_new           (void);
gboolean         pv_test_list_store_add           (PvTestListStore *self,
                                                   PvCustomer      *customer);
GPtrArray       *pv_test_list_store_get_customers (PvTestListStore *self);

G_END_DECLS
