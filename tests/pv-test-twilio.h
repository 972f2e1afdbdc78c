/* pv-test-twilio.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pv-fake-twilio.h"
#include "pv-twilio-client.h"

G_BEGIN_DECLS

/* What the Twilio client's and trackers' tests share: waiting on the default main context,
 * and a client logged in to a fake. */

/* A GAsyncReadyCallback: @user_data is a GAsyncResult** that receives a reference. */
void            pv_test_store_result_cb    (GObject       *object,
                                            GAsyncResult  *result,
                                            gpointer       user_data);
/* Runs the default main context until *@result is set by pv_test_store_result_cb(). */
GAsyncResult   *pv_test_wait_for_result    (GAsyncResult **result);
void            pv_test_spin_main_context  (guint          milliseconds);
void            pv_test_drain_main_context (void);
/* A client for @fake's REST API and Lookup, with its account's token and phone number. */
PvTwilioClient *pv_test_new_fake_client    (PvFakeTwilio  *fake);

G_END_DECLS
