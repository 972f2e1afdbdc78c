/* pv-engine.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Everything the window works with, and how far it has got in loading it. The database is
 * opened on a worker thread (a migration can take a while on a large file) and the keyring
 * is read asynchronously, so start-up never blocks the main thread. The window follows
 * the "state" property: each state has a page of its own. */

#define G_LOG_DOMAIN "pv-engine"

#include "config.h"

#include <glib/gi18n.h>

#include "pv-engine.h"
#include "pv-engine-enums.h"
#include "pv-country.h"
#include "pv-database.h"
#include "pv-memory.h"
#include "pv-message-composer.h"
#include "pv-phone-number.h"
#include "pv-secret-store.h"
#include "pv-sqlite-store.h"

struct _PvEngine
{
  GObject               parent_instance;

  GSettings            *settings;
  PvClock              *clock;
  PvTwilioClient       *client;
  PvStore              *store;      /* NULL until opened */
  char                 *database;   /* --database's URI, over what the settings say */
  PvVerifier           *verifier;   /* NULL until the store is open */
  GBytes               *digest_key; /* NULL until read from the keyring */
  PvTwilioCredentials  *credentials;
  PvCredentialsSource   credentials_source;
  PvEngineState         state;
  char                 *problem;
  GCancellable         *cancellable;
};

G_DEFINE_FINAL_TYPE (PvEngine, pv_engine, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_PROBLEM,
  PROP_CREDENTIALS_SOURCE,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_state (PvEngine      *self,
           PvEngineState  state,
           const char    *problem)
{
  g_object_freeze_notify (G_OBJECT (self));

  if (g_strcmp0 (self->problem, problem) != 0)
    {
      g_free (self->problem);
      self->problem = g_strdup (problem);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
    }

  if (self->state != state)
    {
      /* Opening the store and the keyring, and reading the phone number metadata beside
       * them, leave about 1.5 MiB freed in the threads' arenas that would stay there. */
      if (self->state == PV_ENGINE_LOADING)
        pv_memory_trim_soon ();
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

static void
set_credentials (PvEngine                  *self,
                 const PvTwilioCredentials *credentials,
                 PvCredentialsSource        source)
{
  g_clear_pointer (&self->credentials, pv_twilio_credentials_free);
  if (credentials != NULL)
    self->credentials = pv_twilio_credentials_copy (credentials);
  pv_twilio_client_set_credentials (self->client, credentials);

  if (self->credentials_source != source)
    {
      self->credentials_source = source;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CREDENTIALS_SOURCE]);
    }
}

static void
settle_state (PvEngine *self)
{
  if (self->credentials != NULL && pv_twilio_credentials_is_complete (self->credentials))
    set_state (self, PV_ENGINE_READY, NULL);
  else
    set_state (self, PV_ENGINE_NEEDS_ACCOUNT, NULL);
}

static void
credentials_looked_up_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(PvEngine) self = user_data;
  g_autoptr(PvTwilioCredentials) credentials = NULL;
  g_autoptr(GError) error = NULL;

  credentials = pv_secret_store_lookup_credentials_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    {
      set_state (self, PV_ENGINE_KEYRING_FAILED, error->message);
      return;
    }

  set_credentials (self, credentials,
                   credentials != NULL ? PV_CREDENTIALS_SOURCE_KEYRING
                                       : PV_CREDENTIALS_SOURCE_NONE);
  settle_state (self);
}

static void
digest_key_ready_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(PvEngine) self = user_data;
  g_autoptr(PvTwilioCredentials) from_environment = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = NULL;

  key = pv_secret_store_ensure_digest_key_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (key == NULL)
    {
      set_state (self, PV_ENGINE_KEYRING_FAILED, error->message);
      return;
    }

  g_clear_pointer (&self->digest_key, g_bytes_unref);
  self->digest_key = g_bytes_ref (key);
  pv_verifier_set_digest_key (self->verifier, key);

  /* The environment is for automation: when it names an account, the keyring's is not used. */
  from_environment = pv_twilio_credentials_new_from_environment ();
  if (from_environment != NULL)
    {
      set_credentials (self, from_environment, PV_CREDENTIALS_SOURCE_ENVIRONMENT);
      settle_state (self);
      return;
    }

  pv_secret_store_lookup_credentials_async (self->cancellable,
                                            credentials_looked_up_cb,
                                            g_object_ref (self));
}

static void
read_keyring (PvEngine *self)
{
  set_state (self, PV_ENGINE_LOADING, NULL);
  pv_secret_store_ensure_digest_key_async (self->cancellable,
                                           digest_key_ready_cb,
                                           g_object_ref (self));
}

static void
sends_recovered_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (pv_verifier_recover_sends_finish (PV_VERIFIER (object), result, &error) < 0)
    g_warning ("Could not look for interrupted sends: %s", error->message);
}

static void
store_opened_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PvEngine) self = user_data;
  g_autoptr(GError) error = NULL;
  PvStore *store;

  store = pv_database_open_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (store == NULL)
    {
      set_state (self, PV_ENGINE_STORE_FAILED, error->message);
      return;
    }

  self->store = store;
  self->verifier = pv_verifier_new (self->store, self->client, self->clock);
  pv_verifier_bind_settings (self->verifier, self->settings);

  /* Before any send of ours, which queues behind it. */
  pv_verifier_recover_sends_async (self->verifier, NULL, sends_recovered_cb, NULL);
  pv_store_watch (self->store);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);

  read_keyring (self);
}

/**
 * pv_engine_load:
 *
 * Opens the database and reads the keyring, or, after a keyring failure, tries the
 * keyring again. Follow #PvEngine:state to see how it went.
 */
void
pv_engine_load (PvEngine *self)
{
  g_return_if_fail (PV_IS_ENGINE (self));

  if (self->state == PV_ENGINE_READY || self->state == PV_ENGINE_NEEDS_ACCOUNT)
    return;

  if (self->store != NULL)
    {
      read_keyring (self);
      return;
    }

  set_state (self, PV_ENGINE_LOADING, NULL);
  pv_database_open_async (self->settings, self->database, self->clock, self->cancellable,
                          store_opened_cb, g_object_ref (self));
}

static void
save_credentials_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PvEngine *self = g_task_get_source_object (task);
  PvTwilioCredentials *credentials = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!pv_secret_store_save_credentials_finish (result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  set_credentials (self, credentials, PV_CREDENTIALS_SOURCE_KEYRING);
  if (self->digest_key != NULL)
    settle_state (self);

  g_task_return_boolean (task, TRUE);
}

/**
 * pv_engine_save_credentials_async:
 *
 * Saves @credentials in the keyring and uses them from then on. Refused while the
 * TWILIO_* environment variables are in charge.
 */
void
pv_engine_save_credentials_async (PvEngine                  *self,
                                  const PvTwilioCredentials *credentials,
                                  GCancellable              *cancellable,
                                  GAsyncReadyCallback        callback,
                                  gpointer                   user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PV_IS_ENGINE (self));
  g_return_if_fail (credentials != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_engine_save_credentials_async);

  if (self->credentials_source == PV_CREDENTIALS_SOURCE_ENVIRONMENT)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_READ_ONLY, "%s",
                               _("The Twilio account comes from TWILIO_* environment "
                                 "variables, so it cannot be changed here."));
      return;
    }

  if (!pv_twilio_credentials_is_complete (credentials))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                               _("Enter the Account SID, the Auth Token and a sender "
                                 "before saving."));
      return;
    }

  g_task_set_task_data (task, pv_twilio_credentials_copy (credentials),
                        (GDestroyNotify) pv_twilio_credentials_free);
  pv_secret_store_save_credentials_async (credentials, cancellable,
                                          save_credentials_cb, g_object_ref (task));
}

gboolean
pv_engine_save_credentials_finish (PvEngine      *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
forget_credentials_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PvEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!pv_secret_store_clear_credentials_finish (result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  set_credentials (self, NULL, PV_CREDENTIALS_SOURCE_NONE);
  if (self->digest_key != NULL)
    settle_state (self);

  g_task_return_boolean (task, TRUE);
}

void
pv_engine_forget_credentials_async (PvEngine            *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PV_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_engine_forget_credentials_async);

  if (self->credentials_source == PV_CREDENTIALS_SOURCE_ENVIRONMENT)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_READ_ONLY, "%s",
                               _("The Twilio account comes from TWILIO_* environment "
                                 "variables, so it cannot be changed here."));
      return;
    }

  pv_secret_store_clear_credentials_async (cancellable, forget_credentials_cb,
                                           g_object_ref (task));
}

gboolean
pv_engine_forget_credentials_finish (PvEngine      *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
check_credentials_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *account_name;

  account_name = pv_twilio_client_check_credentials_finish (PV_TWILIO_CLIENT (object),
                                                            result, &error);
  if (account_name == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, account_name, g_free);
}

/**
 * pv_engine_test_credentials_async:
 *
 * Asks Twilio whether @credentials work, without saving or using them.
 */
void
pv_engine_test_credentials_async (PvEngine                  *self,
                                  const PvTwilioCredentials *credentials,
                                  GCancellable              *cancellable,
                                  GAsyncReadyCallback        callback,
                                  gpointer                   user_data)
{
  g_autoptr(PvTwilioClient) client = NULL;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PV_IS_ENGINE (self));
  g_return_if_fail (credentials != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_engine_test_credentials_async);

  client = pv_twilio_client_new (pv_twilio_client_get_base_url (self->client));
  pv_twilio_client_set_credentials (client, credentials);
  pv_twilio_client_check_credentials_async (client, cancellable, check_credentials_cb,
                                            g_object_ref (task));
}

/**
 * pv_engine_test_credentials_finish:
 *
 * Returns: (transfer full): the Twilio account's name, or %NULL with @error set
 */
char *
pv_engine_test_credentials_finish (PvEngine      *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

PvEngineState
pv_engine_get_state (PvEngine *self)
{
  g_return_val_if_fail (PV_IS_ENGINE (self), PV_ENGINE_LOADING);

  return self->state;
}

/**
 * pv_engine_get_problem:
 *
 * Returns: (nullable): why the keyring or the database failed, translated
 */
const char *
pv_engine_get_problem (PvEngine *self)
{
  g_return_val_if_fail (PV_IS_ENGINE (self), NULL);

  return self->problem;
}

PvCredentialsSource
pv_engine_get_credentials_source (PvEngine *self)
{
  g_return_val_if_fail (PV_IS_ENGINE (self), PV_CREDENTIALS_SOURCE_NONE);

  return self->credentials_source;
}

/**
 * pv_engine_dup_credentials:
 *
 * Returns: (transfer full) (nullable): a copy of the account in use
 */
PvTwilioCredentials *
pv_engine_dup_credentials (PvEngine *self)
{
  g_return_val_if_fail (PV_IS_ENGINE (self), NULL);

  return self->credentials != NULL ? pv_twilio_credentials_copy (self->credentials) : NULL;
}

GSettings *
pv_engine_get_settings (PvEngine *self)
{
  g_return_val_if_fail (PV_IS_ENGINE (self), NULL);

  return self->settings;
}

PvClock *
pv_engine_get_clock (PvEngine *self)
{
  g_return_val_if_fail (PV_IS_ENGINE (self), NULL);

  return self->clock;
}

/**
 * pv_engine_get_store:
 *
 * Returns: (transfer none) (nullable): the database, once it is open
 */
PvStore *
pv_engine_get_store (PvEngine *self)
{
  g_return_val_if_fail (PV_IS_ENGINE (self), NULL);

  return self->store;
}

PvTwilioClient *
pv_engine_get_client (PvEngine *self)
{
  g_return_val_if_fail (PV_IS_ENGINE (self), NULL);

  return self->client;
}

/**
 * pv_engine_get_verifier:
 *
 * Returns: (transfer none) (nullable): the verification flow, once the database is open
 */
PvVerifier *
pv_engine_get_verifier (PvEngine *self)
{
  g_return_val_if_fail (PV_IS_ENGINE (self), NULL);

  return self->verifier;
}

static void
pv_engine_dispose (GObject *object)
{
  PvEngine *self = (PvEngine *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->verifier);
  g_clear_object (&self->store);
  g_clear_object (&self->client);
  g_clear_object (&self->clock);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (pv_engine_parent_class)->dispose (object);
}

static void
pv_engine_finalize (GObject *object)
{
  PvEngine *self = (PvEngine *) object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->digest_key, g_bytes_unref);
  g_clear_pointer (&self->credentials, pv_twilio_credentials_free);
  g_clear_pointer (&self->problem, g_free);
  g_clear_pointer (&self->database, g_free);

  G_OBJECT_CLASS (pv_engine_parent_class)->finalize (object);
}

static void
pv_engine_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  PvEngine *self = PV_ENGINE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;

    case PROP_CREDENTIALS_SOURCE:
      g_value_set_enum (value, self->credentials_source);
      break;

    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_engine_class_init (PvEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pv_engine_dispose;
  object_class->finalize = pv_engine_finalize;
  object_class->get_property = pv_engine_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       PV_TYPE_ENGINE_STATE, PV_ENGINE_LOADING,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_CREDENTIALS_SOURCE] =
    g_param_spec_enum ("credentials-source", NULL, NULL,
                       PV_TYPE_CREDENTIALS_SOURCE, PV_CREDENTIALS_SOURCE_NONE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * PvEngine:store:
   *
   * The database, once it is open: the customers can be listed before the keyring has
   * been read.
   */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, PV_TYPE_STORE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pv_engine_init (PvEngine *self)
{
  self->cancellable = g_cancellable_new ();
  self->clock = pv_clock_new ();
  self->client = pv_twilio_client_new (NULL);
}

/**
 * pv_engine_choose_office_country:
 *
 * On the first start, the office's country: from the calling code an earlier version was
 * set to (+44 → GB), or else from the locale. A calling code names a country only loosely
 * (+1 is shared by some twenty), which is why the setting is a country now.
 */
void
pv_engine_choose_office_country (GSettings *settings)
{
  g_autofree char *country = g_settings_get_string (settings, "default-country");
  g_autoptr(GVariant) old_code = NULL;

  if (country[0] != '\0')
    return;

  g_clear_pointer (&country, g_free);
  old_code = g_settings_get_user_value (settings, "default-country-code");
  if (old_code != NULL)
    country = pv_phone_number_region_for_country_code (g_variant_get_uint32 (old_code));
  if (country == NULL)
    country = pv_country_get_default ();

  g_settings_set_string (settings, "default-country", country);
}

/**
 * pv_engine_keep_office_wording:
 *
 * Earlier versions had one text for every customer. An office that wrote its own keeps it,
 * as its wording for the office's language; the other languages get the built-in wording.
 */
void
pv_engine_keep_office_wording (GSettings *settings)
{
  g_autoptr(GVariant) old_text = g_settings_get_user_value (settings, "message-template");
  g_autoptr(GVariant) templates = NULL;
  g_autoptr(PvMessageComposer) composer = NULL;
  const char *text;
  const char *language;

  if (old_text == NULL)
    return;

  text = g_variant_get_string (old_text, NULL);
  composer = pv_message_composer_new ();
  pv_message_composer_bind_settings (composer, settings);
  language = pv_message_composer_get_default_language (composer);

  templates = g_settings_get_value (settings, "message-templates");
  if (text[0] != '\0' && !g_variant_lookup (templates, language, "&s", NULL))
    g_settings_set_value (settings, "message-templates",
                          pv_message_templates_replace (templates, language, text));
  g_settings_reset (settings, "message-template");
}

/**
 * pv_engine_format_number:
 * @e164: a stored number
 *
 * Returns: (transfer full): @e164 as staff read it out: national for the office's
 *   country, international otherwise
 */
char *
pv_engine_format_number (PvEngine   *self,
                         const char *e164)
{
  g_autofree char *office = NULL;

  g_return_val_if_fail (PV_IS_ENGINE (self), NULL);
  g_return_val_if_fail (e164 != NULL, NULL);

  office = g_settings_get_string (self->settings, "default-country");

  return pv_phone_number_format_for_display (e164, office);
}

/**
 * pv_engine_new:
 * @settings: the app's settings, whose limits the verifier follows
 *
 * Call pv_engine_load() to open the database and read the keyring.
 */
/**
 * pv_engine_set_database:
 * @uri: (nullable): a postgresql:// URI, or %NULL for the database the settings choose
 *
 * Opens @uri rather than what Preferences chose; for `--database`. Call before
 * pv_engine_load().
 */
void
pv_engine_set_database (PvEngine   *self,
                        const char *uri)
{
  g_return_if_fail (PV_IS_ENGINE (self));
  g_return_if_fail (self->store == NULL);

  g_free (self->database);
  self->database = g_strdup (uri);
}

PvEngine *
pv_engine_new (GSettings *settings)
{
  PvEngine *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (PV_TYPE_ENGINE, NULL);
  self->settings = g_object_ref (settings);
  pv_engine_choose_office_country (settings);
  pv_engine_keep_office_wording (settings);

  return self;
}
