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
/* One page of a Messages list: only its inbound items (PvTwilioInbound*, in reply order),
 * and the relative URI of the next page, %NULL on the last. */
typedef struct
{
  GPtrArray *items;
  char      *next_page_uri;
} PvTwilioInboundPage;

void                 pv_twilio_inbound_page_free       (PvTwilioInboundPage *page);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvTwilioInboundPage, pv_twilio_inbound_page_free)

PvTwilioInboundPage *pv_twilio_json_parse_inbound_page (GBytes      *reply,
                                                        GError     **error);
/* "Wed, 02 Dec 2026 20:00:00 +0000" as Unix seconds, or 0 when @text is not such a date. */
gint64           pv_twilio_json_parse_rfc2822      (const char  *text);
int              pv_twilio_json_parse_error_code   (GBytes      *reply);
GError          *pv_twilio_json_parse_error_reply  (GBytes      *reply,
                                                    guint        http_status);

G_END_DECLS
