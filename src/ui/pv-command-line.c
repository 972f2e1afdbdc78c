/* pv-command-line.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The same flow as the window, from a terminal: for trying PhoneVerify against the
 * sandbox (the fake Twilio run on its own) and for automation, where the TWILIO_*
 * variables stand in for the keyring. It prints exactly what the window would show as
 * notifications, and nothing more: never a code that goes out to a customer. (The one
 * --texts-us prints is for the customer to send us, and proves nothing on its own.) */

#define G_LOG_DOMAIN "pv-command-line"

#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "pv-command-line.h"
#include "pv-database.h"
#include "pv-engine.h"
#include "pv-phone-number.h"
#include "pv-engine-enums.h"
#include "pv-qr-code.h"
#include "pv-secret-store.h"
#include "pv-send-status.h"
#include "pv-sms-uri.h"
#include "pv-twilio-error.h"
#include "pv-verifier.h"

typedef struct
{
  GAsyncResult *result;
} Waiter;

static void
waiter_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Waiter *waiter = user_data;

  waiter->result = g_object_ref (result);
}

/* The command line has nothing else to do while it waits, so it waits here. */
static GAsyncResult *
wait_for (Waiter *waiter)
{
  while (waiter->result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return g_steal_pointer (&waiter->result);
}

static void
update_cb (PvVerifier     *verifier,
           const char     *message,
           PvUpdateKind    kind,
           PvUpdateAction  action,
           gpointer        user_data)
{
  if (kind == PV_UPDATE_ERROR)
    g_printerr ("%s\n", message);
  else
    g_print ("%s\n", message);
}

static PvTwilioCredentials *
load_credentials (GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  PvTwilioCredentials *credentials;
  Waiter waiter = { NULL };

  credentials = pv_twilio_credentials_new_from_environment ();
  if (credentials != NULL)
    return credentials;

  pv_secret_store_lookup_credentials_async (NULL, waiter_cb, &waiter);
  result = wait_for (&waiter);
  credentials = pv_secret_store_lookup_credentials_finish (result, error);

  if (credentials == NULL && error != NULL && *error == NULL)
    g_set_error_literal (error, PV_VERIFIER_ERROR, PV_VERIFIER_ERROR_NOT_CONFIGURED,
                         _("No Twilio account is set up. Add it in Preferences, or set "
                           "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_PHONE_NUMBER."));

  return credentials;
}

/* The shared database --database named, or NULL for the one Preferences chose. */
static char *database_override;

void
pv_command_line_set_database (const char *uri)
{
  g_free (database_override);
  database_override = g_strdup (uri);
}

/* Checking a code is local work, so only sending needs a Twilio account. */
static PvVerifier *
create_verifier (gboolean   need_credentials,
                 GError   **error)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;
  g_autoptr(PvTwilioClient) client = NULL;
  g_autoptr(PvClock) clock = pv_clock_new ();
  g_autoptr(PvStore) store = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GSettings) settings = NULL;
  PvVerifier *verifier;
  Waiter waiter = { NULL };

  if (need_credentials)
    {
      credentials = load_credentials (error);
      if (credentials == NULL)
        return NULL;
    }

  pv_secret_store_ensure_digest_key_async (NULL, waiter_cb, &waiter);
  result = wait_for (&waiter);
  key = pv_secret_store_ensure_digest_key_finish (result, error);
  if (key == NULL)
    return NULL;

  settings = g_settings_new (APP_ID);
  store = pv_database_open (settings, database_override, clock, NULL, error);
  if (store == NULL)
    return NULL;

  client = pv_twilio_client_new (NULL);
  if (credentials != NULL)
    pv_twilio_client_set_credentials (client, credentials);

  verifier = pv_verifier_new (store, client, clock);
  pv_verifier_set_digest_key (verifier, key);
  pv_engine_choose_office_country (settings);
  pv_verifier_bind_settings (verifier, settings);
  g_signal_connect (verifier, "update", G_CALLBACK (update_cb), NULL);

  /* A window or another command killed mid-send left a trace: say so rather than claim
   * the text went out. */
  if (pv_verifier_recover_sends (verifier, error) < 0)
    {
      g_object_unref (verifier);
      return NULL;
    }

  return verifier;
}

/* 0: this process sent a code and Twilio took it; 2: it may or may not have gone out;
 * 1: nothing was sent. Scripts can tell "try again later" from "wait and see". */
static int
exit_status_for_send (gboolean      sent,
                      const GError *error)
{
  if (sent)
    return 0;

  if (pv_twilio_error_is_outcome_unknown (error))
    return 2;

  return 1;
}

/* The office's country, or the one --country names for this number; checked first, so
 * that a mistyped country is not mistaken for a bad number. */
static gboolean
check_country_option (const char  *country,
                      GError     **error)
{
  return country == NULL || pv_phone_number_check_region (country, error);
}

/* The verifier for a verb that reads a number in @country, or NULL once the reason is
 * printed. */
static PvVerifier *
create_verifier_in_country (gboolean    need_credentials,
                            const char *country)
{
  g_autoptr(PvVerifier) verifier = NULL;
  g_autoptr(GError) error = NULL;

  verifier = create_verifier (need_credentials, &error);
  if (verifier == NULL || !check_country_option (country, &error))
    {
      g_printerr ("%s\n", error->message);
      return NULL;
    }

  return g_steal_pointer (&verifier);
}

/**
 * pv_command_line_check_number:
 *
 * Prints how @input is read, one "field: value" line each, without Twilio or the
 * database; or why it is refused, exit status 1.
 */
int
pv_command_line_check_number (const char *input,
                              const char *country)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(PvPhoneNumber) number = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *office = NULL;

  pv_engine_choose_office_country (settings);
  office = g_settings_get_string (settings, "default-country");

  if (!check_country_option (country, &error) ||
      (number = pv_phone_number_parse (input, country != NULL ? country : office,
                                       &error)) == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  /* The field names are for scripts and stay English; the values are the number's. */
  g_print ("e164: %s\n", number->e164);
  g_print ("national: %s\n", number->national);
  g_print ("international: %s\n", number->international);
  g_print ("country: %s\n", number->region);
  g_print ("type: %s\n", pv_phone_number_type_to_string (number->type));

  if (pv_phone_number_may_not_get_texts (number))
    g_printerr ("%s\n", _("This looks like a landline: a text message may not arrive."));

  return 0;
}

typedef struct
{
  PvVerifier *verifier;
  char       *number;
  gboolean    over;
} CallFollower;

static void
call_progress_cb (PvVerifier   *verifier,
                  const char   *number,
                  const char   *status,
                  int           error_code,
                  CallFollower *follower)
{
  g_autofree char *line = NULL;
  PvSendStatusTone tone;

  if (g_strcmp0 (number, follower->number) != 0)
    return;

  line = pv_send_status_describe (PV_CHANNEL_CALL, status, error_code, &tone);
  g_print ("%s\n", line);
  follower->over = tone != PV_SEND_STATUS_UNDER_WAY;
}

static gboolean
call_timed_out_cb (gpointer user_data)
{
  CallFollower *follower = user_data;

  follower->over = TRUE;

  return G_SOURCE_REMOVE;
}

/* A call rings for a while after Twilio took it: its progress is printed as the window
 * would show it, until it ends or the delivery time limit passes. */
static void
follow_call (PvVerifier *verifier,
             const char *number)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *office = g_settings_get_string (settings, "default-country");
  g_autoptr(PvCustomer) customer = NULL;
  CallFollower follower = { verifier, pv_phone_number_normalize (number, office, NULL), FALSE };
  guint timeout_id;
  guint seconds;
  gulong handler;

  if (follower.number != NULL)
    customer = pv_store_lookup (pv_verifier_get_store (verifier), follower.number, NULL);
  if (customer == NULL || customer->channel != PV_CHANNEL_CALL)
    {
      g_free (follower.number);
      return;
    }

  /* Where it stands now, then each change. */
  call_progress_cb (verifier, follower.number, customer->delivery_status,
                    customer->delivery_error_code, &follower);

  g_object_get (verifier, "delivery-timeout", &seconds, NULL);
  handler = g_signal_connect (verifier, "delivery-changed", G_CALLBACK (call_progress_cb),
                              &follower);
  timeout_id = g_timeout_add_seconds (seconds, call_timed_out_cb, &follower);

  while (!follower.over)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (timeout_id);
  g_signal_handler_disconnect (verifier, handler);
  g_free (follower.number);
}

int
pv_command_line_send_code (const char *input,
                           const char *country,
                           const char *name,
                           PvChannel   channel)
{
  g_autoptr(PvVerifier) verifier = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  Waiter waiter = { NULL };

  verifier = create_verifier_in_country (TRUE, country);
  if (verifier == NULL)
    return 1;

  pv_verifier_register_in_country_async (verifier, input, country, name, channel, NULL,
                                         waiter_cb, &waiter);
  result = wait_for (&waiter);
  number = pv_verifier_register_finish (verifier, result, &error);
  if (number != NULL)
    follow_call (verifier, number);

  /* The verifier has already said why, through its update signal. */
  return exit_status_for_send (number != NULL, error);
}

typedef struct
{
  const char *number;
  gboolean    over;
  gboolean    verified;
} TextAwaiter;

static void
text_verified_cb (PvVerifier  *verifier,
                  const char  *number,
                  TextAwaiter *awaiter)
{
  if (g_strcmp0 (number, awaiter->number) != 0)
    return;

  awaiter->verified = TRUE;
  awaiter->over = TRUE;
}

static void
awaiting_ended_cb (PvVerifier  *verifier,
                   const char  *number,
                   TextAwaiter *awaiter)
{
  if (g_strcmp0 (number, awaiter->number) == 0)
    awaiter->over = TRUE;
}

/* What the window's step shows, for a customer at the desk: where to text, what, and the
 * QR code that fills both in, drawn in text only where a terminal shows it. */
static void
print_texts_us (const PvTextsUs *texts_us,
                const char      *office_region)
{
  g_autofree char *office = pv_phone_number_format_for_display (texts_us->office_number,
                                                                office_region);
  g_autofree char *uri = pv_sms_uri_new (texts_us->office_number, texts_us->body);
  g_autoptr(PvQrCode) qr = NULL;

  /* Translators: the first %s is what to text, such as “PV 482913”; the second a number */
  g_print (_("Text “%s” to %s"), texts_us->body, office);
  g_print ("\n%s\n", uri);

  if (isatty (STDOUT_FILENO) && g_get_charset (NULL))
    {
      g_autofree char *drawn = NULL;

      qr = pv_qr_code_new (uri, NULL);
      if (qr != NULL)
        {
          drawn = pv_qr_code_to_terminal (qr);
          g_print ("%s", drawn);
        }
    }
}

int
pv_command_line_texts_us (const char *input,
                          const char *country,
                          const char *name)
{
  g_autoptr(PvVerifier) verifier = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PvTextsUs) texts_us = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *office_region = NULL;
  TextAwaiter awaiter = { NULL, FALSE, FALSE };
  Waiter waiter = { NULL };
  gulong verified_handler, ended_handler;

  verifier = create_verifier_in_country (TRUE, country);
  if (verifier == NULL)
    return 1;

  pv_verifier_texts_us_async (verifier, input, country, name, NULL, waiter_cb, &waiter);
  result = wait_for (&waiter);
  texts_us = pv_verifier_texts_us_finish (verifier, result, &error);
  if (texts_us == NULL)
    return 1;   /* the verifier has said why */

  settings = g_settings_new (APP_ID);
  office_region = g_settings_get_string (settings, "default-country");
  print_texts_us (texts_us, office_region);
  g_print ("%s\n", _("Waiting for the customer’s text…"));

  awaiter.number = texts_us->number;
  verified_handler = g_signal_connect (verifier, "verified", G_CALLBACK (text_verified_cb),
                                       &awaiter);
  ended_handler = g_signal_connect (verifier, "awaiting-ended", G_CALLBACK (awaiting_ended_cb),
                                    &awaiter);
  while (!awaiter.over)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (verifier, verified_handler);
  g_signal_handler_disconnect (verifier, ended_handler);

  return awaiter.verified ? 0 : 1;
}

int
pv_command_line_resend (const char *number,
                        PvChannel   channel)
{
  g_autoptr(PvVerifier) verifier = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Waiter waiter = { NULL };
  gboolean sent;

  verifier = create_verifier (TRUE, &error);
  if (verifier == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  pv_verifier_send_again_async (verifier, number, channel, NULL, waiter_cb, &waiter);
  result = wait_for (&waiter);
  sent = pv_verifier_send_again_finish (verifier, result, &error);
  if (sent)
    follow_call (verifier, number);

  return exit_status_for_send (sent, error);
}

int
pv_command_line_verify (const char *number,
                        const char *country,
                        const char *code)
{
  g_autoptr(PvVerifier) verifier = NULL;

  verifier = create_verifier_in_country (FALSE, country);
  if (verifier == NULL)
    return 1;

  return pv_verifier_verify_in_country (verifier, number, country, code, NULL) ? 0 : 1;
}
