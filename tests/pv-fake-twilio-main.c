/* pv-fake-twilio-main.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pv-fake-twilio-main"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "pv-fake-twilio.h"

/* A developer sandbox: it stands in for Twilio *and* for the customer's phone, so printing
 * each SMS body (code included) is its purpose. It is a developer tool, not part of the app,
 * so its texts are not translated. */

#define DEFAULT_PORT             8089
#define DEFAULT_DELIVERY_STEP_MS 2000
#define UNDELIVERED_CODE         30003  /* Unreachable destination handset */
#define FAILED_CODE              30001  /* Queue overflow */
#define CALL_FAILED_CODE         13224  /* Twilio cannot call this number */
#define NO_FAULT_COUNT           (-1)

static const struct
{
  const char        *name;
  PvFakeTwilioFault  fault;
} fault_names[] = {
  { "429", PV_FAKE_TWILIO_FAULT_HTTP_429 },
  { "500", PV_FAKE_TWILIO_FAULT_HTTP_500 },
  { "503", PV_FAKE_TWILIO_FAULT_HTTP_503 },
  { "not-json", PV_FAKE_TWILIO_FAULT_NOT_JSON },
  { "slow", PV_FAKE_TWILIO_FAULT_SLOW },
  { "truncated", PV_FAKE_TWILIO_FAULT_TRUNCATED },
  { "oversized", PV_FAKE_TWILIO_FAULT_OVERSIZED },
  { "drop-after-processing", PV_FAKE_TWILIO_FAULT_DROP_AFTER_PROCESSING },
  { "500-after-processing", PV_FAKE_TWILIO_FAULT_HTTP_500_AFTER_PROCESSING },
};

static const char fault_help[] =
  "Faults (--fault KIND) apply to sending an SMS or placing a call only; fetching a message,\n"
  "a call or the account is never affected, so delivery can still be polled.\n"
  "\n"
  "Answered before processing, so no SMS or call is accepted or printed:\n"
  "  429                    HTTP 429 with Twilio error 20429\n"
  "  500                    HTTP 500 with Twilio error 20500\n"
  "  503                    HTTP 503 with Twilio error 20503\n"
  "  not-json               HTTP 200 with an HTML page, as a captive portal sends\n"
  "\n"
  "Processed first, so the SMS or call is accepted and printed, then the answer goes wrong:\n"
  "  slow                   the normal answer, after --slow-delay\n"
  "  truncated              the normal answer, cut off half-way\n"
  "  oversized              the normal answer, padded to more than 512 KiB\n"
  "  drop-after-processing  no answer: the connection is closed\n"
  "  500-after-processing   HTTP 500 with Twilio error 20500\n";

static gboolean
quit_main_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_CONTINUE;
}

static void
print_message (PvFakeTwilio              *fake,
               const PvFakeTwilioMessage *message,
               gpointer                   user_data)
{
  g_print ("SMS to %s: %s\n", message->to, message->body);
  fflush (stdout);
}

static void
print_inbound (PvFakeTwilio              *fake,
               const PvFakeTwilioMessage *message,
               gpointer                   user_data)
{
  g_print ("SMS from %s to %s: %s\n", message->from, message->to, message->body);
  fflush (stdout);
}

/* What the customer would hear, one line per <Say>, so that staff can read the code off. */
static void
print_call (PvFakeTwilio           *fake,
            const PvFakeTwilioCall *call,
            gpointer                user_data)
{
  if (call->says->len == 0)
    g_print ("Call to %s: (says nothing)\n", call->to);

  for (guint i = 0; i < call->says->len; i++)
    {
      const PvFakeTwilioSay *say = g_ptr_array_index (call->says, i);

      g_print ("Call to %s: [%s] %s\n", call->to,
               say->language != NULL ? say->language : "en-US", say->text);
    }
  fflush (stdout);
}

static gboolean
check_numbers (const char * const  *numbers,
               const char          *option,
               GError             **error)
{
  for (guint i = 0; numbers != NULL && numbers[i] != NULL; i++)
    {
      if (!g_regex_match_simple ("^\\+[1-9][0-9]{1,14}$", numbers[i], 0, 0))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "%s wants an E.164 number such as +14155552671, not “%s”",
                       option, numbers[i]);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
parse_fault (const char         *name,
             PvFakeTwilioFault  *fault,
             GError            **error)
{
  g_autoptr(GString) known = g_string_new (NULL);

  *fault = PV_FAKE_TWILIO_FAULT_NONE;
  if (name == NULL)
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (fault_names); i++)
    {
      if (g_str_equal (name, fault_names[i].name))
        {
          *fault = fault_names[i].fault;
          return TRUE;
        }

      g_string_append_printf (known, "%s%s", i > 0 ? ", " : "", fault_names[i].name);
    }

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--fault wants one of %s, not “%s”", known->str, name);
  return FALSE;
}

/* fault_count is NO_FAULT_COUNT when not given. */
static gboolean
check_fault_options (const char  *fault,
                     int          fault_count,
                     int          slow_delay,
                     GError     **error)
{
  if (fault_count != NO_FAULT_COUNT && fault_count < 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--fault-count wants a number of requests, 1 or more, not %d", fault_count);
      return FALSE;
    }

  if (fault_count != NO_FAULT_COUNT && fault == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--fault-count needs --fault");
      return FALSE;
    }

  if (slow_delay < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--slow-delay wants a number of milliseconds, not %d", slow_delay);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_options (int           port,
               int           delivery_step,
               const char   *account_sid,
               const char   *auth_token,
               GError      **error)
{
  if (port < 0 || port > G_MAXUINT16)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--port wants 0–65535, not %d", port);
      return FALSE;
    }

  if (delivery_step < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--delivery-step wants a number of milliseconds, not %d", delivery_step);
      return FALSE;
    }

  if (account_sid != NULL && !g_regex_match_simple ("^AC[0-9a-fA-F]{32}$", account_sid, 0, 0))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--account-sid wants “AC” followed by 32 hexadecimal digits");
      return FALSE;
    }

  if (auth_token != NULL && !g_regex_match_simple ("^[0-9a-fA-F]{32}$", auth_token, 0, 0))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--auth-token wants 32 hexadecimal digits");
      return FALSE;
    }

  return TRUE;
}

/* --text-us: the customer's phone replying, through the sandbox already running on @port. */
static int
text_us (int         port,
         const char *from,
         const char *body)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 10, NULL);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%d/sandbox/inbound", port);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  JsonObject *object;
  const char *data;
  gsize length;

  msg = soup_message_new_from_encoded_form (SOUP_METHOD_POST, url,
                                            soup_form_encode ("From", from, "Body", body, NULL));
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  if (reply == NULL)
    {
      g_printerr ("%s: no sandbox answers on 127.0.0.1:%d (start one with --port %d): %s\n",
                  g_get_prgname (), port, port, error->message);
      return EXIT_FAILURE;
    }

  data = g_bytes_get_data (reply, &length);
  if (!json_parser_load_from_data (parser, data != NULL ? data : "", length, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_printerr ("%s: what answers on 127.0.0.1:%d is not the sandbox (HTTP %u)\n",
                  g_get_prgname (), port, soup_message_get_status (msg));
      return EXIT_FAILURE;
    }

  object = json_node_get_object (root);
  if (soup_message_get_status (msg) != SOUP_STATUS_CREATED)
    {
      g_printerr ("%s: the sandbox refused the text (HTTP %u): %s\n", g_get_prgname (),
                  soup_message_get_status (msg),
                  json_object_get_string_member_with_default (object, "message", "?"));
      return EXIT_FAILURE;
    }

  g_print ("Text from %s: %s (%s)\n", from, body,
           json_object_get_string_member_with_default (object, "sid", "?"));
  return EXIT_SUCCESS;
}

int
main (int   argc,
      char *argv[])
{
  int port = DEFAULT_PORT;
  int delivery_step = DEFAULT_DELIVERY_STEP_MS;
  gboolean trial = FALSE;
  g_auto(GStrv) verified = NULL;
  g_auto(GStrv) undelivered = NULL;
  g_auto(GStrv) failed = NULL;
  g_auto(GStrv) busy = NULL;
  g_auto(GStrv) no_answer = NULL;
  g_auto(GStrv) call_failed = NULL;
  g_auto(GStrv) landline = NULL;
  g_autofree char *account_sid = NULL;
  g_autofree char *auth_token = NULL;
  g_autofree char *fault_name = NULL;
  g_autofree char *text_us_from = NULL;
  int fault_count = NO_FAULT_COUNT;
  int slow_delay = PV_FAKE_TWILIO_DEFAULT_SLOW_DELAY_MS;
  PvFakeTwilioFault fault = PV_FAKE_TWILIO_FAULT_NONE;
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port,
      "Port to listen on at 127.0.0.1, 0 for any free port (default 8089)", "N" },
    { "delivery-step", 0, 0, G_OPTION_ARG_INT, &delivery_step,
      "Time from queued to sent, and from sent to delivered (default 2000)", "MS" },
    { "trial", 0, 0, G_OPTION_ARG_NONE, &trial,
      "Act as a trial account: only --verified numbers can be texted (21608 otherwise)", NULL },
    { "verified", 0, 0, G_OPTION_ARG_STRING_ARRAY, &verified,
      "A verified recipient of the trial account (repeatable)", "NUMBER" },
    { "undelivered", 0, 0, G_OPTION_ARG_STRING_ARRAY, &undelivered,
      "SMS to NUMBER end undelivered with 30003 (repeatable)", "NUMBER" },
    { "failed", 0, 0, G_OPTION_ARG_STRING_ARRAY, &failed,
      "SMS to NUMBER end failed with 30001 (repeatable)", "NUMBER" },
    { "busy", 0, 0, G_OPTION_ARG_STRING_ARRAY, &busy,
      "Calls to NUMBER end busy (repeatable)", "NUMBER" },
    { "no-answer", 0, 0, G_OPTION_ARG_STRING_ARRAY, &no_answer,
      "Calls to NUMBER ring out unanswered (repeatable)", "NUMBER" },
    { "call-failed", 0, 0, G_OPTION_ARG_STRING_ARRAY, &call_failed,
      "Calls to NUMBER fail with 13224 (repeatable)", "NUMBER" },
    { "landline", 0, 0, G_OPTION_ARG_STRING_ARRAY, &landline,
      "Lookup says NUMBER is a landline; other numbers are mobile (repeatable)", "NUMBER" },
    { "account-sid", 0, 0, G_OPTION_ARG_STRING, &account_sid,
      "Use this Account SID instead of a random one", "AC…" },
    { "auth-token", 0, 0, G_OPTION_ARG_STRING, &auth_token,
      "Use this Auth Token instead of a random one", "HEX" },
    { "fault", 0, 0, G_OPTION_ARG_STRING, &fault_name,
      "Make requests to send an SMS go wrong in this way (see the list below)", "KIND" },
    { "fault-count", 0, 0, G_OPTION_ARG_INT, &fault_count,
      "Only the next N requests to send an SMS go wrong, then all is well (default: every one)",
      "N" },
    { "slow-delay", 0, 0, G_OPTION_ARG_INT, &slow_delay,
      "How long --fault slow holds each answer (default 3000)", "MS" },
    { "text-us", 0, 0, G_OPTION_ARG_STRING, &text_us_from,
      "Instead of running a sandbox, text BODY from NUMBER to the one running on --port, "
      "as the customer replying", "NUMBER" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PvFakeTwilio) fake = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *base_url = NULL;
  guint sigint_id;
  guint sigterm_id;

  /* g_print() converts to the locale's charset; without this an é in a body prints as “?”. */
  setlocale (LC_ALL, "");

  context = g_option_context_new ("[--text-us NUMBER BODY]");
  g_option_context_set_summary (context,
                                "A local stand-in for Twilio's Messaging, Voice and Lookup "
                                "APIs. Paste the printed exports into the shell that runs "
                                "PhoneVerify; each SMS it “sends” and what each call "
                                "“says” is printed here.");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, fault_help);

  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      !check_options (port, delivery_step, account_sid, auth_token, &error) ||
      !parse_fault (fault_name, &fault, &error) ||
      !check_fault_options (fault_name, fault_count, slow_delay, &error) ||
      !check_numbers ((const char * const *) verified, "--verified", &error) ||
      !check_numbers ((const char * const *) undelivered, "--undelivered", &error) ||
      !check_numbers ((const char * const *) failed, "--failed", &error) ||
      !check_numbers ((const char * const *) busy, "--busy", &error) ||
      !check_numbers ((const char * const *) no_answer, "--no-answer", &error) ||
      !check_numbers ((const char * const *) call_failed, "--call-failed", &error) ||
      !check_numbers ((const char * const *) landline, "--landline", &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return EXIT_FAILURE;
    }

  if (text_us_from != NULL)
    {
      const char * const from[] = { text_us_from, NULL };

      if (argc != 2 || port == 0)
        {
          g_printerr ("%s: --text-us wants a NUMBER and one BODY, and the --port of the "
                      "running sandbox\n", g_get_prgname ());
          return EXIT_FAILURE;
        }

      if (!check_numbers (from, "--text-us", &error))
        {
          g_printerr ("%s: %s\n", g_get_prgname (), error->message);
          return EXIT_FAILURE;
        }

      return text_us (port, text_us_from, argv[1]);
    }

  fake = pv_fake_twilio_new_with_credentials (account_sid, auth_token);
  pv_fake_twilio_set_delivery_step (fake, delivery_step);
  pv_fake_twilio_set_trial_account (fake, trial);
  pv_fake_twilio_set_slow_delay (fake, slow_delay);
  pv_fake_twilio_set_create_fault (fake, fault, fault_count == NO_FAULT_COUNT ? 0 : fault_count);
  for (guint i = 0; verified != NULL && verified[i] != NULL; i++)
    pv_fake_twilio_add_verified_recipient (fake, verified[i]);
  for (guint i = 0; undelivered != NULL && undelivered[i] != NULL; i++)
    pv_fake_twilio_set_delivery_outcome (fake, undelivered[i], "undelivered", UNDELIVERED_CODE);
  for (guint i = 0; failed != NULL && failed[i] != NULL; i++)
    pv_fake_twilio_set_delivery_outcome (fake, failed[i], "failed", FAILED_CODE);
  for (guint i = 0; busy != NULL && busy[i] != NULL; i++)
    pv_fake_twilio_set_call_outcome (fake, busy[i], "busy", 0);
  for (guint i = 0; no_answer != NULL && no_answer[i] != NULL; i++)
    pv_fake_twilio_set_call_outcome (fake, no_answer[i], "no-answer", 0);
  for (guint i = 0; call_failed != NULL && call_failed[i] != NULL; i++)
    pv_fake_twilio_set_call_outcome (fake, call_failed[i], "failed", CALL_FAILED_CODE);
  for (guint i = 0; landline != NULL && landline[i] != NULL; i++)
    pv_fake_twilio_set_line_type (fake, landline[i], "landline");
  g_signal_connect (fake, "message-received", G_CALLBACK (print_message), NULL);
  g_signal_connect (fake, "inbound-received", G_CALLBACK (print_inbound), NULL);
  g_signal_connect (fake, "call-started", G_CALLBACK (print_call), NULL);

  if (!pv_fake_twilio_listen (fake, port, &error))
    {
      g_printerr ("%s: cannot listen on 127.0.0.1:%d: %s\n", g_get_prgname (), port,
                  error->message);
      return EXIT_FAILURE;
    }

  base_url = pv_fake_twilio_dup_base_url (fake);
  g_print ("export PHONE_VERIFY_TWILIO_API_URL=%s\n", base_url);
  g_print ("export PHONE_VERIFY_TWILIO_LOOKUPS_URL=%s\n", base_url);
  g_print ("export TWILIO_ACCOUNT_SID=%s\n", pv_fake_twilio_get_account_sid (fake));
  g_print ("export TWILIO_AUTH_TOKEN=%s\n", pv_fake_twilio_get_auth_token (fake));
  g_print ("export TWILIO_PHONE_NUMBER=%s\n", pv_fake_twilio_get_phone_number (fake));
  g_print ("# Messaging Service SID, usable instead of the phone number: %s\n",
           pv_fake_twilio_get_messaging_service_sid (fake));
  if (fault_count != NO_FAULT_COUNT)
    g_print ("# Fault %s for the next %d SMS\n", fault_name, fault_count);
  else if (fault_name != NULL)
    g_print ("# Fault %s for every SMS\n", fault_name);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  sigint_id = g_unix_signal_add (SIGINT, quit_main_loop, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_main_loop, loop);
  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  return EXIT_SUCCESS;
}
