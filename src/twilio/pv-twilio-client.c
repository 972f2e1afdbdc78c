/* pv-twilio-client.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pv-twilio-client"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include <string.h>

#include "pv-twilio-client.h"
#include "pv-twilio-error.h"
#include "pv-twilio-json.h"

#define DEFAULT_TIMEOUT_SECONDS 20
#define READ_CHUNK_SIZE         (16 * 1024)
#define API_VERSION_PATH        "/2010-04-01/Accounts/"
#define DEFAULT_LOOKUPS_URL     "https://lookups.twilio.com"
#define LOOKUP_PATH             "/v2/PhoneNumbers/"

/* How a failed send is reported. A caller may undo a send only when Twilio definitely did
 * not carry it out: undoing one that did leaves the customer holding a code that can never
 * work, and retrying it texts them twice. So the POST that creates a message keeps track of
 * whether it may have reached Twilio: from SoupMessage::starting on, once a connection is
 * up and writing begins. (libsoup signals wrote-body a few main-loop turns after the
 * server may already hold the whole request, so waiting for it would take a cancel in that
 * gap for "not sent".) Then:
 *
 *  - it failed before that: connection refused, DNS or TLS failure, connect timeout, a bad
 *    base URL → PV_TWILIO_ERROR_NETWORK, or G_IO_ERROR_CANCELLED if the caller cancelled.
 *    Twilio cannot act on a request it has not received in full.
 *  - it failed after that: no answer in time, the connection reset or closed, a truncated
 *    reply or one that is not HTTP, the caller cancelling → PV_TWILIO_ERROR_OUTCOME_UNKNOWN.
 *  - a 5xx, whatever its body says (20500, 20503 …) → OUTCOME_UNKNOWN: Twilio may have sent
 *    the text before failing, and warns that retrying such a POST can send it twice.
 *  - a 2xx whose body cannot be used (truncated, not JSON, too large, wrong shape) →
 *    OUTCOME_UNKNOWN: Twilio said yes, only the receipt is unreadable.
 *  - a 4xx → the specific Twilio error, a definite refusal; 429/20429 stays RATE_LIMITED,
 *    since Twilio did not process the request. So does a 3xx, which is never followed: what
 *    answered with it did not pass the request on.
 *
 * Starting a call is such a create too: a call placed twice rings the customer twice. Its
 * errors speak of a call (pv_twilio_error_new_from_call_code()).
 *
 * Fetching a message or the account changes nothing at Twilio, so those GETs keep the plain
 * classification (NETWORK, UNAVAILABLE, MALFORMED_REPLY), and GTask turns whatever they end
 * with into G_IO_ERROR_CANCELLED once the caller cancels. A send cannot leave that to GTask:
 * after the request went out, "cancelled" would wrongly say that nothing was sent.
 *
 * Nothing here logs request bodies, the Authorization header or replies: the first two
 * hold the verification code and the secret, and a Message reply echoes the code. That is
 * also why no SoupLogger is ever attached to the session. */

struct _PvTwilioClient
{
  GObject              parent_instance;

  SoupSession         *session;
  char                *base_url;
  char                *lookups_url;
  PvTwilioCredentials *credentials;
};

G_DEFINE_FINAL_TYPE (PvTwilioClient, pv_twilio_client, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (PvTwilioMessage, pv_twilio_message,
                     pv_twilio_message_copy, pv_twilio_message_free)
G_DEFINE_BOXED_TYPE (PvTwilioCall, pv_twilio_call,
                     pv_twilio_call_copy, pv_twilio_call_free)
G_DEFINE_BOXED_TYPE (PvTwilioLookup, pv_twilio_lookup,
                     pv_twilio_lookup_copy, pv_twilio_lookup_free)
G_DEFINE_BOXED_TYPE (PvTwilioInbound, pv_twilio_inbound,
                     pv_twilio_inbound_copy, pv_twilio_inbound_free)

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_LOOKUPS_URL,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum
{
  REPLY_MESSAGE,
  REPLY_ACCOUNT,
  REPLY_CALL,
  REPLY_CALL_FAILURE,
  REPLY_LOOKUP,
  REPLY_INBOUND_PAGE,
} ReplyKind;

/* What fetch_call_failure returns through its task. */
typedef struct
{
  int   error_code;
  char *message_text;
} CallFailure;

static void
call_failure_free (CallFailure *failure)
{
  g_free (failure->message_text);
  g_free (failure);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CallFailure, call_failure_free)

typedef struct
{
  SoupMessage  *message;
  GInputStream *stream;
  GByteArray   *body;
  ReplyKind     kind;
  gboolean      creates;       /* the POST that texts or calls the customer */
  gboolean      maybe_sent;    /* writing began: Twilio may have it */
} Request;

static void
request_free (Request *request)
{
  if (request->stream != NULL)
    g_input_stream_close_async (request->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);

  /* The session may hold on to the message a little longer than the request lives. */
  g_signal_handlers_disconnect_by_data (request->message, request);

  g_clear_object (&request->stream);
  g_clear_object (&request->message);
  g_clear_pointer (&request->body, g_byte_array_unref);
  g_free (request);
}

PvTwilioMessage *
pv_twilio_message_copy (const PvTwilioMessage *self)
{
  PvTwilioMessage *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (PvTwilioMessage, 1);
  copy->sid = g_strdup (self->sid);
  copy->status = g_strdup (self->status);
  copy->error_code = self->error_code;
  copy->error_message = g_strdup (self->error_message);

  return copy;
}

void
pv_twilio_message_free (PvTwilioMessage *self)
{
  if (self == NULL)
    return;

  g_free (self->sid);
  g_free (self->status);
  g_free (self->error_message);
  g_free (self);
}

/**
 * pv_twilio_message_is_final:
 *
 * Returns: %TRUE once the status can no longer change for an outbound message
 */
gboolean
pv_twilio_message_is_final (const PvTwilioMessage *self)
{
  static const char * const final_statuses[] = {
    "delivered", "undelivered", "failed", "canceled", NULL
  };

  g_return_val_if_fail (self != NULL, FALSE);

  return self->status != NULL && g_strv_contains (final_statuses, self->status);
}

PvTwilioCall *
pv_twilio_call_copy (const PvTwilioCall *self)
{
  PvTwilioCall *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (PvTwilioCall, 1);
  copy->sid = g_strdup (self->sid);
  copy->status = g_strdup (self->status);
  copy->duration = self->duration;

  return copy;
}

void
pv_twilio_call_free (PvTwilioCall *self)
{
  if (self == NULL)
    return;

  g_free (self->sid);
  g_free (self->status);
  g_free (self);
}

/**
 * pv_twilio_call_is_final:
 *
 * Returns: %TRUE once the call is over and its status can no longer change
 */
gboolean
pv_twilio_call_is_final (const PvTwilioCall *self)
{
  static const char * const final_statuses[] = {
    "completed", "busy", "failed", "no-answer", "canceled", NULL
  };

  g_return_val_if_fail (self != NULL, FALSE);

  return self->status != NULL && g_strv_contains (final_statuses, self->status);
}

PvTwilioLookup *
pv_twilio_lookup_copy (const PvTwilioLookup *self)
{
  PvTwilioLookup *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (PvTwilioLookup, 1);
  copy->valid = self->valid;
  copy->phone_number = g_strdup (self->phone_number);
  copy->country_code = g_strdup (self->country_code);
  copy->validation_errors = g_strdupv (self->validation_errors);
  copy->line_type = self->line_type;
  copy->carrier_name = g_strdup (self->carrier_name);
  copy->line_type_error_code = self->line_type_error_code;

  return copy;
}

void
pv_twilio_lookup_free (PvTwilioLookup *self)
{
  if (self == NULL)
    return;

  g_free (self->phone_number);
  g_free (self->country_code);
  g_strfreev (self->validation_errors);
  g_free (self->carrier_name);
  g_free (self);
}

PvTwilioInbound *
pv_twilio_inbound_copy (const PvTwilioInbound *self)
{
  PvTwilioInbound *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (PvTwilioInbound, 1);
  copy->sid = g_strdup (self->sid);
  copy->from = g_strdup (self->from);
  copy->to = g_strdup (self->to);
  copy->body = g_strdup (self->body);
  copy->date_sent = self->date_sent;

  return copy;
}

void
pv_twilio_inbound_free (PvTwilioInbound *self)
{
  if (self == NULL)
    return;

  g_free (self->sid);
  g_free (self->from);
  g_free (self->to);
  g_free (self->body);
  g_free (self);
}

/* @url if set, else the environment variable @variable if set, else @fallback; without a
 * trailing slash. */
static char *
resolve_url (const char *base_url,
             const char *variable,
             const char *fallback)
{
  g_autofree char *url = NULL;
  gsize len;

  if (base_url == NULL || base_url[0] == '\0')
    base_url = g_getenv (variable);

  if (base_url == NULL || base_url[0] == '\0')
    base_url = fallback;

  url = g_strdup (base_url);
  len = strlen (url);
  while (len > 0 && url[len - 1] == '/')
    url[--len] = '\0';

  return g_steal_pointer (&url);
}

static void
pv_twilio_client_finalize (GObject *object)
{
  PvTwilioClient *self = (PvTwilioClient *)object;

  g_clear_object (&self->session);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->lookups_url, g_free);
  g_clear_pointer (&self->credentials, pv_twilio_credentials_free);

  G_OBJECT_CLASS (pv_twilio_client_parent_class)->finalize (object);
}

static void
pv_twilio_client_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PvTwilioClient *self = PV_TWILIO_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;

    case PROP_LOOKUPS_URL:
      g_value_set_string (value, self->lookups_url);
      break;

    case PROP_TIMEOUT:
      g_value_set_uint (value, soup_session_get_timeout (self->session));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_twilio_client_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  PvTwilioClient *self = PV_TWILIO_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_free (self->base_url);
      self->base_url = resolve_url (g_value_get_string (value),
                                    "PHONE_VERIFY_TWILIO_API_URL", PV_TWILIO_DEFAULT_API_URL);
      break;

    case PROP_LOOKUPS_URL:
      pv_twilio_client_set_lookups_url (self, g_value_get_string (value));
      break;

    case PROP_TIMEOUT:
      pv_twilio_client_set_timeout (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_twilio_client_class_init (PvTwilioClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pv_twilio_client_finalize;
  object_class->get_property = pv_twilio_client_get_property;
  object_class->set_property = pv_twilio_client_set_property;

  /**
   * PvTwilioClient:base-url:
   *
   * Where the REST API lives, without a trailing slash. %NULL at construction picks
   * `PHONE_VERIFY_TWILIO_API_URL` when set, else Twilio itself.
   */
  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * PvTwilioClient:lookups-url:
   *
   * Where Lookup v2 lives, without a trailing slash: another host than the REST API's.
   * %NULL picks `PHONE_VERIFY_TWILIO_LOOKUPS_URL` when set, else Twilio itself.
   */
  properties[PROP_LOOKUPS_URL] =
    g_param_spec_string ("lookups-url", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * PvTwilioClient:timeout:
   *
   * Seconds to wait for Twilio, for the connection and for each read.
   */
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL,
                       1, G_MAXUINT, DEFAULT_TIMEOUT_SECONDS,
                       (G_PARAM_READWRITE |
                        G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pv_twilio_client_init (PvTwilioClient *self)
{
  /* One session for the client's lifetime keeps the TLS connection to Twilio alive between
   * the send and the delivery polls. */
  self->session = soup_session_new_with_options ("timeout", DEFAULT_TIMEOUT_SECONDS,
                                                 "user-agent", "PhoneVerify/" PACKAGE_VERSION,
                                                 NULL);

  /* Authorization is sent preemptively on every request. The auth manager would only
   * answer a 401 by asking for credentials nobody here can give, and it keeps a cache of
   * its own that this client does not want. */
  soup_session_remove_feature_by_type (self->session, SOUP_TYPE_AUTH_MANAGER);
}

/**
 * pv_twilio_client_new:
 * @base_url: (nullable): where the REST API lives, or %NULL for
 *   `PHONE_VERIFY_TWILIO_API_URL` if set, else https://api.twilio.com
 *
 * Returns: (transfer full): a new client, without credentials
 */
PvTwilioClient *
pv_twilio_client_new (const char *base_url)
{
  return g_object_new (PV_TYPE_TWILIO_CLIENT,
                       "base-url", base_url,
                       NULL);
}

const char *
pv_twilio_client_get_base_url (PvTwilioClient *self)
{
  g_return_val_if_fail (PV_IS_TWILIO_CLIENT (self), NULL);

  return self->base_url;
}

/**
 * pv_twilio_client_set_lookups_url:
 * @base_url: (nullable): where Lookup v2 lives, or %NULL for
 *   `PHONE_VERIFY_TWILIO_LOOKUPS_URL` if set, else https://lookups.twilio.com
 */
void
pv_twilio_client_set_lookups_url (PvTwilioClient *self,
                                  const char     *base_url)
{
  g_autofree char *url = NULL;

  g_return_if_fail (PV_IS_TWILIO_CLIENT (self));

  url = resolve_url (base_url, "PHONE_VERIFY_TWILIO_LOOKUPS_URL", DEFAULT_LOOKUPS_URL);
  if (g_strcmp0 (url, self->lookups_url) == 0)
    return;

  g_free (self->lookups_url);
  self->lookups_url = g_steal_pointer (&url);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOOKUPS_URL]);
}

const char *
pv_twilio_client_get_lookups_url (PvTwilioClient *self)
{
  g_return_val_if_fail (PV_IS_TWILIO_CLIENT (self), NULL);

  return self->lookups_url;
}

/**
 * pv_twilio_client_set_credentials:
 * @credentials: (nullable): the account to use, copied; %NULL forgets the account
 *
 * Incomplete credentials are kept, but every request then fails without reaching the
 * network, as when none are set.
 */
void
pv_twilio_client_set_credentials (PvTwilioClient            *self,
                                  const PvTwilioCredentials *credentials)
{
  g_return_if_fail (PV_IS_TWILIO_CLIENT (self));

  g_clear_pointer (&self->credentials, pv_twilio_credentials_free);

  if (credentials != NULL)
    self->credentials = pv_twilio_credentials_copy (credentials);
}

/**
 * pv_twilio_client_has_credentials:
 *
 * Returns: %TRUE if complete credentials are set, so that messages can be sent
 */
gboolean
pv_twilio_client_has_credentials (PvTwilioClient *self)
{
  g_return_val_if_fail (PV_IS_TWILIO_CLIENT (self), FALSE);

  return pv_twilio_credentials_is_complete (self->credentials);
}

/**
 * pv_twilio_client_get_phone_number:
 *
 * Returns: (nullable): the account's number texts are sent from, in E.164; %NULL when a
 *   Messaging Service picks the sender, or without credentials
 */
const char *
pv_twilio_client_get_phone_number (PvTwilioClient *self)
{
  g_return_val_if_fail (PV_IS_TWILIO_CLIENT (self), NULL);

  return self->credentials != NULL ? self->credentials->from : NULL;
}

void
pv_twilio_client_set_timeout (PvTwilioClient *self,
                              guint           seconds)
{
  g_return_if_fail (PV_IS_TWILIO_CLIENT (self));
  g_return_if_fail (seconds > 0);

  if (soup_session_get_timeout (self->session) == seconds)
    return;

  soup_session_set_timeout (self->session, seconds);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

/* Checking a message or the account needs no sender, only a way to log in. */
static gboolean
can_authenticate (PvTwilioClient *self)
{
  const PvTwilioCredentials *credentials = self->credentials;

  return credentials != NULL &&
         pv_twilio_sid_is_valid (credentials->account_sid, "AC") &&
         credentials->secret != NULL &&
         (credentials->api_key_sid == NULL ||
          pv_twilio_sid_is_valid (credentials->api_key_sid, "SK"));
}

static GError *
new_no_account_error (void)
{
  return g_error_new_literal (PV_TWILIO_ERROR, PV_TWILIO_ERROR_AUTH_FAILED,
                              _("No Twilio account is set up. Enter the account details in "
                                "Preferences."));
}

static char *
build_authorization (const PvTwilioCredentials *credentials)
{
  const char *username;
  g_autofree char *pair = NULL;
  g_autofree char *encoded = NULL;

  /* With an API key, the key logs in but the account still owns the resources. */
  username = credentials->api_key_sid != NULL ? credentials->api_key_sid : credentials->account_sid;

  pair = g_strconcat (username, ":", credentials->secret, NULL);
  encoded = g_base64_encode ((const guchar *) pair, strlen (pair));

  return g_strconcat ("Basic ", encoded, NULL);
}

static gboolean
is_for_call (Request *request)
{
  return request->kind == REPLY_CALL || request->kind == REPLY_CALL_FAILURE;
}

static GError *
new_outcome_unknown (Request *request,
                     int      twilio_code)
{
  if (is_for_call (request))
    return pv_twilio_error_new_call_outcome_unknown (twilio_code);

  return pv_twilio_error_new_outcome_unknown (twilio_code);
}

/* @reply: (nullable): the body of a non-2xx reply, or %NULL if it could not be read */
static GError *
new_error_reply (Request *request,
                 GBytes  *reply,
                 guint    http_status)
{
  if (is_for_call (request))
    return pv_twilio_error_new_from_call_code (pv_twilio_json_parse_error_code (reply),
                                               http_status);

  return pv_twilio_json_parse_error_reply (reply, http_status);
}

static GError *
new_transport_error (Request      *request,
                     const GError *error)
{
  g_debug ("Request to Twilio failed %s the request was written: %s",
           request->maybe_sent ? "after" : "before", error->message);

  if (request->creates && request->maybe_sent)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) && !is_for_call (request))
        return g_error_new_literal (PV_TWILIO_ERROR, PV_TWILIO_ERROR_OUTCOME_UNKNOWN,
                                    _("Twilio did not answer in time, so the message may or "
                                      "may not have been sent."));

      return new_outcome_unknown (request, 0);
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new_literal (PV_TWILIO_ERROR, PV_TWILIO_ERROR_NETWORK,
                                _("Twilio did not answer in time. Check the internet connection, "
                                  "then try again."));

  if (error->domain == G_TLS_ERROR)
    return g_error_new_literal (PV_TWILIO_ERROR, PV_TWILIO_ERROR_NETWORK,
                                _("PhoneVerify could not set up a secure connection to Twilio. "
                                  "Check that the computer’s date and time are correct, and "
                                  "whether a proxy or firewall is interfering."));

  /* The server answered, but not in HTTP that can be trusted. */
  if (g_error_matches (error, SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_PARSING) ||
      g_error_matches (error, SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_ENCODING))
    return pv_twilio_error_new (PV_TWILIO_ERROR_MALFORMED_REPLY);

  return pv_twilio_error_new (PV_TWILIO_ERROR_NETWORK);
}

static gboolean
status_is_success (guint status)
{
  return status >= 200 && status <= 299;
}

/* A 5xx (or a status no server should send) may come after the work was done. */
static gboolean
status_is_server_failure (guint status)
{
  return status >= 500;
}

/* Handles @task if it is a send that its caller cancelled: the request cancelled before it
 * went out was not sent, but one cancelled after may have been, whatever the reply said. */
static gboolean
return_if_send_cancelled (GTask *task)
{
  Request *request = g_task_get_task_data (task);

  if (!request->creates || !g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    return FALSE;

  if (request->maybe_sent)
    g_task_return_error (task, new_outcome_unknown (request, 0));
  else
    g_task_return_error_if_cancelled (task);

  return TRUE;
}

/* Takes over @error. */
static void
return_error (GTask  *task,
              GError *error)
{
  if (return_if_send_cancelled (task))
    g_error_free (error);
  else
    g_task_return_error (task, error);
}

/* Takes over @resource, or @error when @resource is %NULL. A create's 2xx said yes, so a
 * receipt that cannot be read still leaves its outcome open. */
static void
return_resource (GTask          *task,
                 gpointer        resource,
                 GError         *error,
                 GDestroyNotify  free_func)
{
  Request *request = g_task_get_task_data (task);

  if (resource != NULL && return_if_send_cancelled (task))
    {
      free_func (resource);
    }
  else if (resource != NULL)
    {
      g_task_return_pointer (task, resource, free_func);
    }
  else if (request->creates)
    {
      g_clear_error (&error);
      return_error (task, new_outcome_unknown (request, 0));
    }
  else
    {
      return_error (task, error);
    }
}

static void
finish_reply (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  guint status = soup_message_get_status (request->message);
  g_autoptr(GBytes) reply = g_byte_array_free_to_bytes (g_steal_pointer (&request->body));
  GError *error = NULL;
  gpointer resource = NULL;
  GDestroyNotify free_func = NULL;

  if (!status_is_success (status))
    {
      if (request->creates && status_is_server_failure (status))
        {
          int twilio_code = pv_twilio_json_parse_error_code (reply);

          g_debug ("Twilio answered a send with HTTP %u, error code %d", status, twilio_code);
          return_error (task, new_outcome_unknown (request, twilio_code));
        }
      else
        {
          return_error (task, new_error_reply (request, reply, status));
        }
      return;
    }

  switch (request->kind)
    {
    case REPLY_MESSAGE:
      resource = pv_twilio_json_parse_message (reply, &error);
      free_func = (GDestroyNotify) pv_twilio_message_free;
      break;

    case REPLY_CALL:
      resource = pv_twilio_json_parse_call (reply, &error);
      free_func = (GDestroyNotify) pv_twilio_call_free;
      break;

    case REPLY_CALL_FAILURE:
      {
        g_autoptr(CallFailure) failure = g_new0 (CallFailure, 1);

        if (pv_twilio_json_parse_call_failure (reply, &failure->error_code,
                                               &failure->message_text, &error))
          resource = g_steal_pointer (&failure);
        free_func = (GDestroyNotify) call_failure_free;
      }
      break;

    case REPLY_LOOKUP:
      resource = pv_twilio_json_parse_lookup (reply, &error);
      free_func = (GDestroyNotify) pv_twilio_lookup_free;
      break;

    case REPLY_ACCOUNT:
      resource = pv_twilio_json_parse_account_name (reply, &error);
      free_func = g_free;
      break;

    case REPLY_INBOUND_PAGE:
      resource = pv_twilio_json_parse_inbound_page (reply, &error);
      free_func = (GDestroyNotify) pv_twilio_inbound_page_free;
      break;

    default:
      g_assert_not_reached ();
    }

  return_resource (task, resource, error, free_func);
}

/* The status line and headers already arrived, so the status still says what happened;
 * only a send's 2xx or 5xx leaves its outcome open. Reporting any of this as a network
 * failure would invite a blind retry and a second text to the customer. */
static void
fail_reading_body (GTask      *task,
                   const char *why)
{
  Request *request = g_task_get_task_data (task);
  guint status = soup_message_get_status (request->message);

  g_debug ("Could not read the reply from Twilio: %s", why);

  if (request->creates && (status_is_success (status) || status_is_server_failure (status)))
    return_error (task, new_outcome_unknown (request, 0));
  else if (status_is_success (status))
    return_error (task, pv_twilio_error_new (PV_TWILIO_ERROR_MALFORMED_REPLY));
  else
    return_error (task, new_error_reply (request, NULL, status));
}

static void read_next_chunk (GTask *task);

static void
read_chunk_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (chunk == NULL)
    {
      fail_reading_body (task, error->message);
      return;
    }

  len = g_bytes_get_size (chunk);
  if (len == 0)
    {
      finish_reply (task);
      return;
    }

  if (request->body->len + len > PV_TWILIO_MAX_REPLY_SIZE)
    {
      fail_reading_body (task, "too large");
      return;
    }

  g_byte_array_append (request->body, g_bytes_get_data (chunk, NULL), len);
  read_next_chunk (g_steal_pointer (&task));
}

/* Takes over @task. */
static void
read_next_chunk (GTask *task)
{
  Request *request = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (request->stream,
                                   READ_CHUNK_SIZE,
                                   G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task),
                                   read_chunk_cb,
                                   task);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  goffset content_length;

  request->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (request->stream == NULL)
    {
      return_error (task, new_transport_error (request, error));
      return;
    }

  g_debug ("Twilio answered %s %s with HTTP %u",
           soup_message_get_method (request->message),
           g_uri_get_path (soup_message_get_uri (request->message)),
           soup_message_get_status (request->message));

  /* Refuse a reply announced as too large before reading any of it. */
  headers = soup_message_get_response_headers (request->message);
  content_length = soup_message_headers_get_content_length (headers);
  if (content_length > PV_TWILIO_MAX_REPLY_SIZE)
    {
      fail_reading_body (task, "announced as too large");
      return;
    }

  request->body = g_byte_array_new ();
  read_next_chunk (g_steal_pointer (&task));
}

/* Only http(s) with a host: anything else would be a critical in libsoup, not an error. */
static gboolean
is_loopback_host (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  /* GUri keeps the brackets off IPv6 literals. */
  address = g_inet_address_new_from_string (host);

  return address != NULL && g_inet_address_get_is_loopback (address);
}

static GUri *
parse_http_url (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  const char *scheme;
  const char *host;

  if (uri == NULL)
    return NULL;

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (host == NULL || host[0] == '\0')
    return NULL;

  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return g_steal_pointer (&uri);

  /* Every request carries the Auth Token. Plain HTTP is only for a server on this very
   * machine, such as the sandbox; anywhere else it would show the token to the network. */
  if (g_ascii_strcasecmp (scheme, "http") == 0 && is_loopback_host (host))
    return g_steal_pointer (&uri);

  return NULL;
}

static void
starting_cb (SoupMessage *message,
             Request     *request)
{
  request->maybe_sent = TRUE;
}

/* Takes over @form: a form-encoded body for a POST, or %NULL for a GET. */
static void
start_request (PvTwilioClient *self,
               GTask          *task,
               const char     *base_url,
               const char     *path,
               char           *form,
               ReplyKind       kind)
{
  g_autofree char *url = g_strconcat (base_url, path, NULL);
  g_autofree char *authorization = NULL;
  g_autoptr(GUri) uri = NULL;
  SoupMessageHeaders *headers;
  Request *request;

  uri = parse_http_url (url);
  if (uri == NULL)
    {
      g_free (form);
      g_task_return_new_error (task, PV_TWILIO_ERROR, PV_TWILIO_ERROR_NETWORK,
                               _("The Twilio server address “%s” is not valid."),
                               base_url);
      return;
    }

  request = g_new0 (Request, 1);
  request->kind = kind;
  request->creates = form != NULL;
  request->message = soup_message_new_from_uri (form != NULL ? "POST" : "GET", uri);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  /* Never cleared: were libsoup to restart the message, the first attempt went out all the
   * same. */
  g_signal_connect (request->message, "starting", G_CALLBACK (starting_cb), request);

  /* See the top of this file: a send decides itself what cancelling means. */
  if (request->creates)
    g_task_set_check_cancellable (task, FALSE);

  if (form != NULL)
    {
      g_autoptr(GBytes) body = g_bytes_new_take (form, strlen (form));

      soup_message_set_request_body_from_bytes (request->message,
                                                SOUP_FORM_MIME_TYPE_URLENCODED,
                                                body);
    }

  /* A redirect would carry the Authorization header to wherever it points; Twilio's API
   * never redirects. */
  soup_message_add_flags (request->message, SOUP_MESSAGE_NO_REDIRECT);

  authorization = build_authorization (self->credentials);
  headers = soup_message_get_request_headers (request->message);
  soup_message_headers_replace (headers, "Authorization", authorization);
  soup_message_headers_replace (headers, "Accept", "application/json");

  soup_session_send_async (self->session,
                           request->message,
                           G_PRIORITY_DEFAULT,
                           g_task_get_cancellable (task),
                           send_cb,
                           g_object_ref (task));
}

/* The checks every _finish() makes, then its result. */
static gpointer
propagate_pointer (PvTwilioClient  *self,
                   GAsyncResult    *result,
                   gpointer         source_tag,
                   GError         **error)
{
  g_return_val_if_fail (PV_IS_TWILIO_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static char *
build_account_path (PvTwilioClient *self,
                    const char     *suffix)
{
  g_autofree char *account = g_uri_escape_string (self->credentials->account_sid, NULL, FALSE);

  return g_strconcat (API_VERSION_PATH, account, suffix, NULL);
}

/**
 * pv_twilio_client_send_message_async:
 * @to: the customer's number in E.164
 * @body: the text, which is never logged
 *
 * Sends from the Messaging Service when the credentials name one, even if they also have a
 * From number: Twilio then picks the best sender from the service's pool. Otherwise sends
 * from the credentials' From.
 */
void
pv_twilio_client_send_message_async (PvTwilioClient      *self,
                                     const char          *to,
                                     const char          *body,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;
  const PvTwilioCredentials *credentials;
  char *form;

  g_return_if_fail (PV_IS_TWILIO_CLIENT (self));
  g_return_if_fail (to != NULL);
  g_return_if_fail (body != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_twilio_client_send_message_async);

  if (!pv_twilio_client_has_credentials (self))
    {
      g_task_return_error (task, new_no_account_error ());
      return;
    }

  credentials = self->credentials;
  if (credentials->messaging_service_sid != NULL)
    form = soup_form_encode ("To", to,
                             "MessagingServiceSid", credentials->messaging_service_sid,
                             "Body", body,
                             NULL);
  else
    form = soup_form_encode ("To", to,
                             "From", credentials->from,
                             "Body", body,
                             NULL);

  path = build_account_path (self, "/Messages.json");
  start_request (self, task, self->base_url, path, form, REPLY_MESSAGE);
}

/**
 * pv_twilio_client_send_message_finish:
 *
 * A %PV_TWILIO_ERROR_OUTCOME_UNKNOWN error (see pv_twilio_error_is_outcome_unknown()) means
 * the text may have gone out; any other error, %G_IO_ERROR_CANCELLED included, means it did
 * not. Once the caller has cancelled, the result is always one of those two errors.
 *
 * Returns: (transfer full): the message Twilio created, usually `queued` or `accepted`
 */
PvTwilioMessage *
pv_twilio_client_send_message_finish (PvTwilioClient  *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  return propagate_pointer (self, result, pv_twilio_client_send_message_async, error);
}

/* Sets @path to that of the resource @sid in @collection ("/Messages/"), followed by
 * @suffix. Returns: %FALSE, having returned an error on @task, when @sid cannot be asked
 * about. */
static gboolean
build_sid_path (PvTwilioClient  *self,
                GTask           *task,
                const char      *collection,
                const char      *sid,
                gboolean       (*sid_is_valid) (const char *sid),
                const char      *suffix,
                char           **path)
{
  g_autofree char *escaped_sid = NULL;
  g_autofree char *account_suffix = NULL;

  if (!can_authenticate (self))
    {
      g_task_return_error (task, new_no_account_error ());
      return FALSE;
    }

  if (!sid_is_valid (sid))
    {
      g_debug ("Not fetching %s with a malformed SID", collection);
      g_task_return_error (task, pv_twilio_error_new (PV_TWILIO_ERROR_NOT_FOUND));
      return FALSE;
    }

  escaped_sid = g_uri_escape_string (sid, NULL, FALSE);
  account_suffix = g_strconcat (collection, escaped_sid, suffix, NULL);
  *path = build_account_path (self, account_suffix);
  return TRUE;
}

/**
 * pv_twilio_client_fetch_message_async:
 * @message_sid: the SM… or MM… SID of a message sent earlier
 *
 * A SID of any other shape fails with %PV_TWILIO_ERROR_NOT_FOUND without a request.
 */
void
pv_twilio_client_fetch_message_async (PvTwilioClient      *self,
                                      const char          *message_sid,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (PV_IS_TWILIO_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_twilio_client_fetch_message_async);

  if (build_sid_path (self, task, "/Messages/", message_sid, pv_twilio_message_sid_is_valid,
                      ".json", &path))
    start_request (self, task, self->base_url, path, NULL, REPLY_MESSAGE);
}

/**
 * pv_twilio_client_fetch_message_finish:
 *
 * Returns: (transfer full): the message as it is now
 */
PvTwilioMessage *
pv_twilio_client_fetch_message_finish (PvTwilioClient  *self,
                                       GAsyncResult    *result,
                                       GError         **error)
{
  return propagate_pointer (self, result, pv_twilio_client_fetch_message_async, error);
}

/**
 * pv_twilio_client_check_credentials_async:
 *
 * Logs in to the account, for a Preferences "Test" button. Only the account SID and the
 * secret (and API key SID, if any) are needed; the sender is not checked.
 */
void
pv_twilio_client_check_credentials_async (PvTwilioClient      *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (PV_IS_TWILIO_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_twilio_client_check_credentials_async);

  if (!can_authenticate (self))
    {
      g_task_return_error (task, new_no_account_error ());
      return;
    }

  path = build_account_path (self, ".json");
  start_request (self, task, self->base_url, path, NULL, REPLY_ACCOUNT);
}

/**
 * pv_twilio_client_check_credentials_finish:
 *
 * Returns: (transfer full): the account's friendly name
 */
char *
pv_twilio_client_check_credentials_finish (PvTwilioClient  *self,
                                           GAsyncResult    *result,
                                           GError         **error)
{
  return propagate_pointer (self, result, pv_twilio_client_check_credentials_async, error);
}

/**
 * pv_twilio_client_start_call_async:
 * @to: the customer's number in E.164
 * @twiml: the TwiML document the call reads out, at most %PV_TWILIO_MAX_TWIML_LENGTH
 *   characters; it holds the code, so it is never logged
 * @timeout_seconds: how long to let the phone ring
 * @time_limit_seconds: how long the call may last at most, a cap on its cost
 *
 * Calls from the credentials' From number: unlike a text, a call cannot go out through a
 * Messaging Service, so credentials with only a service fail with
 * %PV_TWILIO_ERROR_INVALID_SENDER before any request.
 */
void
pv_twilio_client_start_call_async (PvTwilioClient      *self,
                                   const char          *to,
                                   const char          *twiml,
                                   guint                timeout_seconds,
                                   guint                time_limit_seconds,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;
  g_autofree char *timeout = NULL;
  g_autofree char *time_limit = NULL;
  char *form;

  g_return_if_fail (PV_IS_TWILIO_CLIENT (self));
  g_return_if_fail (to != NULL);
  g_return_if_fail (twiml != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_twilio_client_start_call_async);

  if (!pv_twilio_client_has_credentials (self))
    {
      g_task_return_error (task, new_no_account_error ());
      return;
    }

  if (self->credentials->from == NULL || self->credentials->from[0] == '\0')
    {
      g_task_return_new_error (task, PV_TWILIO_ERROR, PV_TWILIO_ERROR_INVALID_SENDER,
                               _("Phone calls need a sending phone number: a Messaging "
                                 "Service can only send text messages. Enter one of the "
                                 "account’s Twilio numbers in Preferences."));
      return;
    }

  /* Twilio would refuse it after the request went out; refusing it here keeps the answer
   * a definite "not called". */
  if (!g_utf8_validate (twiml, -1, NULL) || g_utf8_strlen (twiml, -1) > PV_TWILIO_MAX_TWIML_LENGTH)
    {
      g_task_return_new_error (task, PV_TWILIO_ERROR, PV_TWILIO_ERROR_REJECTED,
                               _("The message for the phone call is too long for Twilio. "
                                 "Shorten the call’s wording."));
      return;
    }

  timeout = g_strdup_printf ("%u", timeout_seconds);
  time_limit = g_strdup_printf ("%u", time_limit_seconds);
  form = soup_form_encode ("To", to,
                           "From", self->credentials->from,
                           "Twiml", twiml,
                           "Timeout", timeout,
                           "TimeLimit", time_limit,
                           NULL);

  path = build_account_path (self, "/Calls.json");
  start_request (self, task, self->base_url, path, form, REPLY_CALL);
}

/**
 * pv_twilio_client_start_call_finish:
 *
 * As for pv_twilio_client_send_message_finish(): a %PV_TWILIO_ERROR_OUTCOME_UNKNOWN error
 * means the phone may ring all the same, any other error that it will not.
 *
 * Returns: (transfer full): the call Twilio created, usually `queued`
 */
PvTwilioCall *
pv_twilio_client_start_call_finish (PvTwilioClient  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  return propagate_pointer (self, result, pv_twilio_client_start_call_async, error);
}

/**
 * pv_twilio_client_fetch_call_async:
 * @call_sid: the CA… SID of a call started earlier
 *
 * A SID of any other shape fails with %PV_TWILIO_ERROR_NOT_FOUND without a request.
 */
void
pv_twilio_client_fetch_call_async (PvTwilioClient      *self,
                                   const char          *call_sid,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (PV_IS_TWILIO_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_twilio_client_fetch_call_async);

  if (build_sid_path (self, task, "/Calls/", call_sid, pv_twilio_call_sid_is_valid, ".json",
                      &path))
    start_request (self, task, self->base_url, path, NULL, REPLY_CALL);
}

/**
 * pv_twilio_client_fetch_call_finish:
 *
 * Returns: (transfer full): the call as it is now
 */
PvTwilioCall *
pv_twilio_client_fetch_call_finish (PvTwilioClient  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  return propagate_pointer (self, result, pv_twilio_client_fetch_call_async, error);
}

/**
 * pv_twilio_client_fetch_call_failure_async:
 * @call_sid: the CA… SID of a call that ended failed
 *
 * A Call has no error code of its own: why it failed is in its Notifications.
 */
void
pv_twilio_client_fetch_call_failure_async (PvTwilioClient      *self,
                                           const char          *call_sid,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (PV_IS_TWILIO_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_twilio_client_fetch_call_failure_async);

  if (build_sid_path (self, task, "/Calls/", call_sid, pv_twilio_call_sid_is_valid,
                      "/Notifications.json", &path))
    start_request (self, task, self->base_url, path, NULL, REPLY_CALL_FAILURE);
}

/**
 * pv_twilio_client_fetch_call_failure_finish:
 * @error_code: (out) (optional): the Twilio code of the call's first error notification
 *   (else of its first notification), 0 when it has none
 * @message_text: (out) (optional) (transfer full) (nullable): Twilio's untranslated text
 *   for it, for logs and support only, %NULL when there is none
 *
 * Returns: %TRUE when the notifications could be read, even if there are none
 */
gboolean
pv_twilio_client_fetch_call_failure_finish (PvTwilioClient  *self,
                                            GAsyncResult    *result,
                                            int             *error_code,
                                            char           **message_text,
                                            GError         **error)
{
  g_autoptr(CallFailure) failure = NULL;

  if (error_code != NULL)
    *error_code = 0;
  if (message_text != NULL)
    *message_text = NULL;

  failure = propagate_pointer (self, result, pv_twilio_client_fetch_call_failure_async, error);
  if (failure == NULL)
    return FALSE;

  if (error_code != NULL)
    *error_code = failure->error_code;
  if (message_text != NULL)
    *message_text = g_steal_pointer (&failure->message_text);

  return TRUE;
}

/**
 * pv_twilio_client_lookup_line_type_async:
 * @e164: the number to look up, in E.164
 *
 * Asks Lookup v2 for the line type package only: a basic lookup would not say whether a
 * number can take a text, and other packages cost more.
 */
void
pv_twilio_client_lookup_line_type_async (PvTwilioClient      *self,
                                         const char          *e164,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (PV_IS_TWILIO_CLIENT (self));
  g_return_if_fail (e164 != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_twilio_client_lookup_line_type_async);

  if (!can_authenticate (self))
    {
      g_task_return_error (task, new_no_account_error ());
      return;
    }

  /* A bare "+" in a path would reach Twilio as a space in some servers' hands. */
  escaped = g_uri_escape_string (e164, NULL, FALSE);
  path = g_strconcat (LOOKUP_PATH, escaped, "?Fields=line_type_intelligence", NULL);
  start_request (self, task, self->lookups_url, path, NULL, REPLY_LOOKUP);
}

/**
 * pv_twilio_client_lookup_line_type_finish:
 *
 * A number Twilio finds invalid is a result with `valid` %FALSE, not an error.
 *
 * Returns: (transfer full): what Twilio knows about the number
 */
PvTwilioLookup *
pv_twilio_client_lookup_line_type_finish (PvTwilioClient  *self,
                                          GAsyncResult    *result,
                                          GError         **error)
{
  return propagate_pointer (self, result, pv_twilio_client_lookup_line_type_async, error);
}

/* What listing inbound messages keeps between its pages. */
typedef struct
{
  char       *page_prefix;  /* what every next_page_uri must start with */
  GPtrArray  *items;        /* PvTwilioInbound* */
  GHashTable *seen;         /* SIDs in items, borrowed */
  guint       pages;
} InboundList;

static void
inbound_list_free (InboundList *list)
{
  g_free (list->page_prefix);
  g_clear_pointer (&list->seen, g_hash_table_unref);
  g_clear_pointer (&list->items, g_ptr_array_unref);
  g_free (list);
}

static int
compare_inbound (gconstpointer a,
                 gconstpointer b)
{
  const PvTwilioInbound *first = *(const PvTwilioInbound * const *) a;
  const PvTwilioInbound *second = *(const PvTwilioInbound * const *) b;

  if (first->date_sent != second->date_sent)
    return first->date_sent < second->date_sent ? -1 : 1;

  return strcmp (first->sid, second->sid);
}

static void request_inbound_page (PvTwilioClient *self,
                                  GTask          *task,
                                  const char     *path);

static void
inbound_page_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PvTwilioClient *self = PV_TWILIO_CLIENT (object);
  g_autoptr(GTask) task = user_data;
  InboundList *list = g_task_get_task_data (task);
  g_autoptr(PvTwilioInboundPage) page = NULL;
  GError *error = NULL;

  page = g_task_propagate_pointer (G_TASK (result), &error);
  if (page == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  for (guint i = 0; i < page->items->len; i++)
    {
      PvTwilioInbound *inbound = g_ptr_array_index (page->items, i);

      /* A message that arrives while paging shifts the pages under the client, so the same
       * one can be listed twice. */
      if (g_hash_table_contains (list->seen, inbound->sid))
        continue;

      inbound = pv_twilio_inbound_copy (inbound);
      g_ptr_array_add (list->items, inbound);
      g_hash_table_add (list->seen, inbound->sid);
    }

  if (page->next_page_uri == NULL)
    {
      g_ptr_array_sort (list->items, compare_inbound);
      g_task_return_pointer (task, g_ptr_array_ref (list->items),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  /* The URI is appended to the base URL, which carries the credentials: one that strays
   * from this account's Messages list ("@evil.example/…") must not be followed. */
  if (!g_str_has_prefix (page->next_page_uri, list->page_prefix))
    {
      g_debug ("Not following a next_page_uri outside the Messages list");
      g_task_return_error (task, pv_twilio_error_new (PV_TWILIO_ERROR_MALFORMED_REPLY));
      return;
    }

  if (list->pages >= PV_TWILIO_MAX_LIST_PAGES)
    {
      g_task_return_new_error (task, PV_TWILIO_ERROR, PV_TWILIO_ERROR_MALFORMED_REPLY,
                               _("Twilio listed more than %u pages of messages, so PhoneVerify "
                                 "stopped reading them. Try again later."),
                               PV_TWILIO_MAX_LIST_PAGES);
      return;
    }

  request_inbound_page (self, task, page->next_page_uri);
}

/* Each page is a request of its own, with the list's cancellable, so that it maps errors
 * and caps its size as every other request does. */
static void
request_inbound_page (PvTwilioClient *self,
                      GTask          *task,
                      const char     *path)
{
  InboundList *list = g_task_get_task_data (task);
  g_autoptr(GTask) page_task = NULL;

  list->pages++;
  page_task = g_task_new (self, g_task_get_cancellable (task), inbound_page_cb,
                          g_object_ref (task));
  g_task_set_source_tag (page_task, request_inbound_page);
  start_request (self, page_task, self->base_url, path, NULL, REPLY_INBOUND_PAGE);
}

/**
 * pv_twilio_client_list_inbound_async:
 * @to: our number, in E.164
 * @from: (nullable): only messages from this number, or %NULL for any sender
 * @sent_since: messages sent on or after the GMT day of this time are listed; Twilio
 *   filters by whole GMT days only, so earlier ones of that day come too
 *
 * Lists the messages sent to @to, following every page. Only items with direction
 * "inbound" are kept.
 */
void
pv_twilio_client_list_inbound_async (PvTwilioClient      *self,
                                     const char          *to,
                                     const char          *from,
                                     GDateTime           *sent_since,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GString) query = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *date = NULL;
  g_autofree char *path = NULL;
  InboundList *list;

  g_return_if_fail (PV_IS_TWILIO_CLIENT (self));
  g_return_if_fail (to != NULL);
  g_return_if_fail (sent_since != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_twilio_client_list_inbound_async);

  if (!can_authenticate (self))
    {
      g_task_return_error (task, new_no_account_error ());
      return;
    }

  list = g_new0 (InboundList, 1);
  list->page_prefix = build_account_path (self, "/Messages.json?");
  list->items = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_twilio_inbound_free);
  list->seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_task_set_task_data (task, list, (GDestroyNotify) inbound_list_free);

  /* The name is "DateSent>", the value a bare GMT date: putting the operator in the value
   * ("DateSent=>=…") is either ignored or refused with 20001. */
  utc = g_date_time_to_utc (sent_since);
  date = g_date_time_format (utc, "%Y-%m-%d");

  query = g_string_new (NULL);
  escaped = g_uri_escape_string (to, NULL, FALSE);
  g_string_append_printf (query, "To=%s", escaped);
  if (from != NULL)
    {
      g_free (escaped);
      escaped = g_uri_escape_string (from, NULL, FALSE);
      g_string_append_printf (query, "&From=%s", escaped);
    }
  g_string_append_printf (query, "&DateSent%%3E=%s&PageSize=100", date);

  path = g_strconcat (list->page_prefix, query->str, NULL);
  request_inbound_page (self, task, path);
}

/**
 * pv_twilio_client_list_inbound_finish:
 *
 * Returns: (transfer container) (element-type PvTwilioInbound): the messages, sorted by
 *   date_sent then SID, each SID once
 */
GPtrArray *
pv_twilio_client_list_inbound_finish (PvTwilioClient  *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  return propagate_pointer (self, result, pv_twilio_client_list_inbound_async, error);
}
