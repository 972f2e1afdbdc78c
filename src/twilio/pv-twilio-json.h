/* pv-twilio-json.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pv-twilio-client.h"

G_BEGIN_DECLS

/* Private to the Twilio client; separate so that tests can feed it odd replies directly. */

gboolean         pv_twilio_message_sid_is_valid    (const char  *sid);
PvTwilioMessage *pv_twilio_json_parse_message      (GBytes      *reply,
                                                    GError     **error);
char            *pv_twilio_json_parse_account_name (GBytes      *reply,
                                                    GError     **error);
gboolean         pv_twilio_call_sid_is_valid       (const char  *sid);
PvTwilioCall    *pv_twilio_json_parse_call         (GBytes      *reply,
                                                    GError     **error);
/* The first ERROR (log "0") of a call's Notifications, else the first item; a code of 0 and
 * a %NULL text when the list is empty. */
gboolean         pv_twilio_json_parse_call_failure (GBytes      *reply,
                                                    int         *error_code,
                                                    char       **message_text,
                                                    GError     **error);
PvTwilioLookup  *pv_twilio_json_parse_lookup       (GBytes      *reply,
                                                    GError     **error);
int              pv_twilio_json_parse_error_code   (GBytes      *reply);
GError          *pv_twilio_json_parse_error_reply  (GBytes      *reply,
                                                    guint        http_status);

G_END_DECLS
