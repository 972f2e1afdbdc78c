/* pv-ui-test.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pv-application.h"
#include "pv-engine.h"
#include "pv-fake-twilio.h"
#include "pv-customer-list.h"
#include "pv-window.h"

G_BEGIN_DECLS

typedef gboolean (*PvUiTestPredicate) (gpointer user_data);

void          pv_ui_test_init              (int               *argc,
                                            char            ***argv);
PvFakeTwilio *pv_ui_test_start_fake        (void);
void          pv_ui_test_save_credentials  (PvFakeTwilio      *fake);
PvWindow     *pv_ui_test_open_window       (PvApplication    **application);
void          pv_ui_test_close_window      (PvWindow          *window,
                                            PvApplication     *application);
void          pv_ui_test_iterate           (guint              milliseconds);
gboolean      pv_ui_test_wait_until        (PvUiTestPredicate  predicate,
                                            gpointer           user_data,
                                            guint              timeout_ms);
void          pv_ui_test_wait_for_state    (PvEngine          *engine,
                                            PvEngineState      state);
GtkWidget    *pv_ui_test_find              (GtkWidget         *root,
                                            GType              type,
                                            const char        *id);
GtkWidget    *pv_ui_test_get               (GtkWidget         *root,
                                            const char        *id);
const char   *pv_ui_test_get_stack_page    (GtkWidget         *root,
                                            const char        *stack_id);
void          pv_ui_test_wait_for_stack_page (GtkWidget       *root,
                                            const char        *stack_id,
                                            const char        *page);
const char   *pv_ui_test_get_step          (GtkWidget         *root);
void          pv_ui_test_wait_for_step     (GtkWidget         *root,
                                            const char        *step);
void          pv_ui_test_start_over        (GtkWidget         *root);
void          pv_ui_test_type_into         (GtkWidget         *root,
                                            const char        *id,
                                            const char        *text);
GtkWidget    *pv_ui_test_find_label        (GtkWidget         *root,
                                            const char        *text);
GtkWidget    *pv_ui_test_find_toast_button (GtkWidget         *root,
                                           const char        *label);
gboolean      pv_ui_test_has_toast         (GtkWidget         *root,
                                            const char        *text);
void          pv_ui_test_wait_for_toast    (GtkWidget         *root,
                                            const char        *text);
void          pv_ui_test_wait_for_label    (GtkWidget         *root,
                                            const char        *text);
GPtrArray    *pv_ui_test_get_notifications (void);
void          pv_ui_test_click             (GtkWidget         *button);
void          pv_ui_test_screenshot        (GtkWidget         *widget,
                                            const char        *name);
PvCustomerList *pv_ui_test_get_customer_list (GtkWidget       *root);

G_END_DECLS
