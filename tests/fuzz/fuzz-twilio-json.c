/* fuzz-twilio-json.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Twilio's replies, or whatever a proxy, a captive portal or an attacker on the path sends
 * instead: the whole input is the body, fed to every parser in pv-twilio-json.h, and to
 * the SID check as a string.
 *
 * Beyond not crashing: a parsed Message has a valid SID, a plausible status and a
 * non-negative error code; anything refused is refused as a malformed reply; an error reply
 * always becomes a PV_TWILIO_ERROR with readable text, whatever the HTTP status, that
 * names Twilio's code when there was one. */

#include "config.h"

#include <string.h>

#include "pv-fuzz.h"
#include "pv-twilio-error.h"
#include "pv-twilio-json.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  pv_fuzz_init ();
  return 0;
}

static void
assert_malformed (GError *error)
{
  g_assert_error (error, PV_TWILIO_ERROR, PV_TWILIO_ERROR_MALFORMED_REPLY);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

static void
check_message (GBytes *reply)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PvTwilioMessage) message = pv_twilio_json_parse_message (reply, &error);
  g_autoptr(PvTwilioMessage) copy = NULL;

  if (message == NULL)
    {
      assert_malformed (error);
      return;
    }

  g_assert_no_error (error);
  g_assert_true (pv_twilio_message_sid_is_valid (message->sid));
  g_assert_nonnull (message->status);
  g_assert_cmpuint (strlen (message->status), >=, 1);
  g_assert_cmpuint (strlen (message->status), <=, 32);
  for (const char *p = message->status; *p != '\0'; p++)
    g_assert_true (g_ascii_islower (*p) || *p == '_' || *p == '-');
  g_assert_cmpint (message->error_code, >=, 0);
  /* Not checked: that error_message is UTF-8. The body is, but json-glib 1.6 decodes a lone
   * surrogate escape ("\ud800x") into bytes that are not (corpus/twilio-json/lone-surrogate),
   * and pv-twilio-json.c passes them on. */

  /* What the delivery tracker does with it next. */
  pv_twilio_message_is_final (message);
  pv_twilio_error_describe_delivery (message->error_code);
  copy = pv_twilio_message_copy (message);
  g_assert_cmpstr (copy->sid, ==, message->sid);
  g_assert_cmpstr (copy->status, ==, message->status);
  g_assert_cmpstr (copy->error_message, ==, message->error_message);
  g_assert_cmpint (copy->error_code, ==, message->error_code);
}

static void
check_account_name (GBytes *reply)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = pv_twilio_json_parse_account_name (reply, &error);

  if (name == NULL)
    {
      assert_malformed (error);
      return;
    }

  /* Not checked either, for the same reason: that the name is UTF-8. */
  g_assert_no_error (error);
}

static void
check_call (GBytes *reply)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PvTwilioCall) call = pv_twilio_json_parse_call (reply, &error);
  g_autoptr(PvTwilioCall) copy = NULL;

  if (call == NULL)
    {
      assert_malformed (error);
      return;
    }

  g_assert_no_error (error);
  g_assert_true (pv_twilio_call_sid_is_valid (call->sid));
  g_assert_cmpuint (strlen (call->status), >=, 1);
  g_assert_cmpuint (strlen (call->status), <=, 32);
  g_assert_cmpint (call->duration, >=, 0);

  /* What the call tracker does with it next. */
  pv_twilio_call_is_final (call);
  copy = pv_twilio_call_copy (call);
  g_assert_cmpstr (copy->status, ==, call->status);
  g_assert_cmpint (copy->duration, ==, call->duration);
}

static void
check_call_failure (GBytes *reply)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  int code = -1;

  if (!pv_twilio_json_parse_call_failure (reply, &code, &text, &error))
    {
      assert_malformed (error);
      g_assert_cmpint (code, ==, 0);
      g_assert_null (text);
      return;
    }

  g_assert_no_error (error);
  g_assert_cmpint (code, >=, 0);
  g_assert_true (g_utf8_validate (pv_twilio_error_describe_call_failure (code), -1, NULL));
}

/* A page of the customers' texts: every item is usable as the watcher uses it. */
static void
check_inbound_page (GBytes *reply)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PvTwilioInboundPage) page = pv_twilio_json_parse_inbound_page (reply, &error);

  if (page == NULL)
    {
      assert_malformed (error);
      return;
    }

  g_assert_no_error (error);
  for (guint i = 0; i < page->items->len; i++)
    {
      const PvTwilioInbound *text = g_ptr_array_index (page->items, i);
      g_autoptr(PvTwilioInbound) copy = pv_twilio_inbound_copy (text);

      g_assert_nonnull (text->sid);
      g_assert_nonnull (text->from);
      g_assert_nonnull (text->body);
      g_assert_cmpint (text->date_sent, >=, 0);
      g_assert_cmpstr (copy->sid, ==, text->sid);
      g_assert_cmpstr (copy->body, ==, text->body);
    }
}

static void
check_lookup (GBytes *reply)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PvTwilioLookup) lookup = pv_twilio_json_parse_lookup (reply, &error);
  g_autoptr(PvTwilioLookup) copy = NULL;

  if (lookup == NULL)
    {
      assert_malformed (error);
      return;
    }

  g_assert_no_error (error);
  g_assert_true (lookup->line_type >= PV_LINE_TYPE_UNKNOWN &&
                 lookup->line_type <= PV_LINE_TYPE_PAGER);
  g_assert_cmpint (lookup->line_type_error_code, >=, 0);
  g_assert_true (lookup->valid || (lookup->phone_number == NULL && lookup->country_code == NULL));
  g_assert_true (lookup->validation_errors == NULL || lookup->validation_errors[0] != NULL);

  copy = pv_twilio_lookup_copy (lookup);
  g_assert_cmpint (copy->valid, ==, lookup->valid);
  g_assert_cmpint (copy->line_type, ==, lookup->line_type);
}

static void
check_error_reply (GBytes *reply)
{
  static const guint statuses[] = { 0, 200, 400, 401, 403, 404, 429, 500, 503, 599, 600, 999 };
  int code = pv_twilio_json_parse_error_code (reply);

  g_assert_cmpint (code, >=, 0);

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autoptr(GError) error = pv_twilio_json_parse_error_reply (reply, statuses[i]);

      g_assert_nonnull (error);
      g_assert_true (error->domain == PV_TWILIO_ERROR);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_cmpstr (error->message, !=, "");
      /* The code support looks up is Twilio's when the body had one. */
      if (code > 0)
        {
          g_autofree char *mention = g_strdup_printf ("%d", code);

          g_assert_nonnull (strstr (error->message, mention));
        }
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        gsize         size)
{
  g_autoptr(GBytes) reply = g_bytes_new (data, size);
  g_autofree char *text = g_strndup ((const char *) data, size);

  check_message (reply);
  check_account_name (reply);
  check_error_reply (reply);
  check_call (reply);
  check_call_failure (reply);
  check_lookup (reply);
  check_inbound_page (reply);
  pv_twilio_json_parse_rfc2822 (text);

  /* The client also checks SIDs that come from the database and the keyring. */
  pv_twilio_message_sid_is_valid (text);
  pv_twilio_call_sid_is_valid (text);

  return 0;
}
