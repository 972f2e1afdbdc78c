/* pv-secret-store.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The Twilio credentials, the code digest key and the shared database's password live only
 * in the Secret Service (the GNOME keyring), never in a file of our own: if the keyring
 * cannot be reached, every call fails with a PV_SECRET_ERROR that says why, and the app asks
 * staff to fix that.
 *
 * The schema names and attributes below are a persistent contract: changing them would
 * orphan what installations already stored. */

#define G_LOG_DOMAIN "pv-secret-store"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>

#include "pv-code.h"
#include "pv-secret-store.h"

G_DEFINE_QUARK (pv-secret-error-quark, pv_secret_error)

static const SecretSchema credentials_schema = {
  .name = "com.example.PhoneVerify.Credentials",
  .flags = SECRET_SCHEMA_NONE,
  .attributes = {
    { .name = "account", .type = SECRET_SCHEMA_ATTRIBUTE_STRING },
    { .name = NULL },
  },
};

static const SecretSchema digest_key_schema = {
  .name = "com.example.PhoneVerify.DigestKey",
  .flags = SECRET_SCHEMA_NONE,
  .attributes = {
    { .name = "purpose", .type = SECRET_SCHEMA_ATTRIBUTE_STRING },
    { .name = NULL },
  },
};

/* One item for each shared database server, told apart by "user@host:port/database", so
 * that a desk switching between servers keeps each one's password. */
static const SecretSchema database_password_schema = {
  .name = "com.example.PhoneVerify.DatabasePassword",
  .flags = SECRET_SCHEMA_NONE,
  .attributes = {
    { .name = "server", .type = SECRET_SCHEMA_ATTRIBUTE_STRING },
    { .name = NULL },
  },
};

#define CREDENTIALS_ATTRIBUTES "account", "twilio", NULL
#define DIGEST_KEY_ATTRIBUTES  "purpose", "code-digest", NULL

/**
 * pv_secret_text_free:
 * @text: (nullable): text holding a secret
 *
 * Overwrites @text with zeros and frees it, so the secret does not linger in freed memory.
 */
void
pv_secret_text_free (char *text)
{
  if (text != NULL)
    {
      explicit_bzero (text, strlen (text));
      g_free (text);
    }
}

static gboolean
is_unreachable (const GError *error)
{
  /* Remote errors nobody registered a domain for arrive as G_IO_ERROR_DBUS_ERROR: the
   * service answered, so it is there. Every other I/O or spawn error means no bus. */
  if (error->domain == G_IO_ERROR)
    return error->code != G_IO_ERROR_DBUS_ERROR;

  if (error->domain == G_SPAWN_ERROR)
    return TRUE;

  if (error->domain != G_DBUS_ERROR)
    return FALSE;

  switch (error->code)
    {
    case G_DBUS_ERROR_SERVICE_UNKNOWN:
    case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
    case G_DBUS_ERROR_NO_SERVER:
    case G_DBUS_ERROR_DISCONNECTED:
    case G_DBUS_ERROR_NO_REPLY:
    case G_DBUS_ERROR_TIMEOUT:
    case G_DBUS_ERROR_TIMED_OUT:
    case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
    case G_DBUS_ERROR_SPAWN_FORK_FAILED:
    case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
    case G_DBUS_ERROR_SPAWN_CHILD_SIGNALED:
    case G_DBUS_ERROR_SPAWN_FAILED:
    case G_DBUS_ERROR_SPAWN_SETUP_FAILED:
    case G_DBUS_ERROR_SPAWN_CONFIG_INVALID:
    case G_DBUS_ERROR_SPAWN_SERVICE_INVALID:
    case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
    case G_DBUS_ERROR_SPAWN_PERMISSIONS_INVALID:
    case G_DBUS_ERROR_SPAWN_FILE_INVALID:
    case G_DBUS_ERROR_SPAWN_NO_MEMORY:
      return TRUE;

    default:
      return FALSE;
    }
}

/* gnome-keyring answers "Object does not exist at path …/collection/login" (UnknownMethod)
 * when there is no login keyring and no prompt to create one, as on a headless session. */
static gboolean
lacks_default_keyring (const GError *error)
{
  return g_error_matches (error, SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT)
         || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD)
         || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT);
}

static GError *
new_locked_error (void)
{
  return g_error_new_literal (PV_SECRET_ERROR, PV_SECRET_ERROR_LOCKED,
                              _("The keyring is locked. Unlock it, then try again."));
}

/* Takes @error. Cancellation passes through so callers can keep ignoring it. */
static GError *
translate_error (GError *error)
{
  g_autoptr(GError) original = error;

  if (g_error_matches (original, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_steal_pointer (&original);

  /* Secret Service errors name objects and operations, never secret values. */
  g_debug ("Secret Service failed: %s %d: %s",
           g_quark_to_string (original->domain), original->code, original->message);

  if (is_unreachable (original))
    return g_error_new_literal (PV_SECRET_ERROR, PV_SECRET_ERROR_UNAVAILABLE,
                                _("The keyring is not available. PhoneVerify keeps its passwords "
                                  "only in the keyring of a desktop session, and this session "
                                  "has none."));

  /* In Flatpak, secrets go through the desktop's Secret portal, not to a keyring the user
   * manages in Passwords and Keys. */
  if (lacks_default_keyring (original) && g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    return g_error_new_literal (PV_SECRET_ERROR, PV_SECRET_ERROR_UNAVAILABLE,
                                _("The keyring is not available: the desktop’s Secret portal "
                                  "did not answer. Make sure a keyring service such as GNOME "
                                  "Keyring is running, then try again."));

  if (lacks_default_keyring (original))
    return g_error_new_literal (PV_SECRET_ERROR, PV_SECRET_ERROR_UNAVAILABLE,
                                _("The keyring is not available because there is no default "
                                  "keyring. Create one in Passwords and Keys, then try again."));

  if (g_error_matches (original, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    return new_locked_error ();

  return g_error_new (PV_SECRET_ERROR, PV_SECRET_ERROR_FAILED,
                      /* Translators: %s is an error message from the keyring service */
                      _("The keyring could not be used: %s"), original->message);
}

/* libsecret skips locked items without an error: lookup answers "nothing" and clear
 * removes nothing when the unlock prompt is dismissed or cannot be shown. Worse, in a
 * keyring gnome-keyring loaded locked from disk, items do not match "xdg:schema" (the schema
 * name libsecret adds to every search) until it is unlocked, so lookup does not even prompt.
 * Mistaking a locked keyring for an empty one would make us store a new digest key over the
 * hidden one, or tell staff the Twilio account was removed when it was not. So matching
 * items are found by their own attributes alone, and unlocked (one prompt) before use. */
static void
on_unlock_search_done (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autolist(GObject) items = NULL;
  g_autoptr(GError) error = NULL;

  items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, translate_error (g_steal_pointer (&error)));
      return;
    }

  for (const GList *l = items; l != NULL; l = l->next)
    {
      if (SECRET_IS_ITEM (l->data) && secret_item_get_locked (SECRET_ITEM (l->data)))
        {
          g_task_return_error (task, new_locked_error ());
          return;
        }
    }

  g_task_return_boolean (task, TRUE);
}

/* Fails with PV_SECRET_ERROR_LOCKED if an item matching @attributes stays locked. */
static void
unlock_matching_async (GHashTable          *attributes,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, unlock_matching_async);

  /* No schema: with one, libsecret would add "xdg:schema" to the search. */
  secret_password_searchv (NULL, attributes, SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK,
                           cancellable, on_unlock_search_done, g_steal_pointer (&task));
}

static gboolean
unlock_matching_finish (GAsyncResult  *result,
                        GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  const SecretSchema *schema;
  GHashTable         *attributes;
} LookupData;

static void
lookup_data_free (LookupData *data)
{
  g_hash_table_unref (data->attributes);
  g_free (data);
}

/* The binary variant, because secret_password_lookup_finish() answers "nothing" for a
 * secret that is not text: that is damage to report, not an empty slot to fill. */
static void
on_lookup_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  SecretValue *value;

  value = secret_password_lookup_binary_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, translate_error (g_steal_pointer (&error)));
  else
    g_task_return_pointer (task, value, (GDestroyNotify) secret_value_unref);
}

static void
on_lookup_unlocked (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LookupData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!unlock_matching_finish (result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    secret_password_lookupv (data->schema, data->attributes, g_task_get_cancellable (task),
                             on_lookup_done, g_object_ref (task));
}

/* secret_password_lookupv(), except that a locked item is an error, not "nothing stored". */
static void
lookup_async (const SecretSchema  *schema,
              GHashTable          *attributes,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LookupData *data;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lookup_async);

  data = g_new0 (LookupData, 1);
  data->schema = schema;
  data->attributes = g_hash_table_ref (attributes);
  g_task_set_task_data (task, data, (GDestroyNotify) lookup_data_free);

  unlock_matching_async (attributes, cancellable, on_lookup_unlocked, g_steal_pointer (&task));
}

/* Returns: (transfer full) (nullable): the secret, or %NULL without an error when nothing
 *   is stored */
static SecretValue *
lookup_finish (GAsyncResult  *result,
               GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Returns: (nullable): the text in @value, or %NULL if it is not text, or has a NUL inside */
static const char *
get_text (SecretValue *value)
{
  const char *text = secret_value_get_text (value);
  gsize length = 0;

  secret_value_get (value, &length);
  if (text == NULL || strlen (text) != length)
    return NULL;

  return text;
}

static GError *
new_corrupt_credentials_error (void)
{
  return g_error_new_literal (PV_SECRET_ERROR, PV_SECRET_ERROR_CORRUPT,
                              _("The Twilio account saved in the keyring is damaged. Enter the "
                                "account details again to replace it."));
}

/* A missing or null member reads as NULL; any other type means we did not write it. */
static gboolean
read_string_member (JsonObject  *object,
                    const char  *name,
                    const char **value)
{
  JsonNode *node = json_object_get_member (object, name);

  *value = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;

  *value = json_node_get_string (node);

  return TRUE;
}

static PvTwilioCredentials *
parse_credentials (const char  *text,
                   GError     **error)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *account_sid;
  const char *api_key_sid;
  const char *secret;
  const char *from;
  const char *messaging_service_sid;
  JsonObject *object;
  JsonNode *root;

  /* The parser's own error would quote the text, which is the secret. */
  if (text == NULL
      || !json_parser_load_from_data (parser, text, -1, NULL)
      || (root = json_parser_get_root (parser)) == NULL
      || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_propagate_error (error, new_corrupt_credentials_error ());
      return NULL;
    }

  /* Members we do not know are ignored, so a newer version can add some. */
  object = json_node_get_object (root);
  if (!read_string_member (object, "account_sid", &account_sid)
      || !read_string_member (object, "api_key_sid", &api_key_sid)
      || !read_string_member (object, "secret", &secret)
      || !read_string_member (object, "from", &from)
      || !read_string_member (object, "messaging_service_sid", &messaging_service_sid))
    {
      g_propagate_error (error, new_corrupt_credentials_error ());
      return NULL;
    }

  credentials = pv_twilio_credentials_new (account_sid, api_key_sid, secret, from,
                                           messaging_service_sid);

  /* Whether the rest is complete is for the caller to judge, but without these two
   * there is nothing to show or fix: we never save such an item. */
  if (credentials->account_sid == NULL || credentials->secret == NULL)
    {
      g_propagate_error (error, new_corrupt_credentials_error ());
      return NULL;
    }

  return g_steal_pointer (&credentials);
}

static void
on_credentials_looked_up (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(SecretValue) value = NULL;
  g_autoptr(GError) error = NULL;
  PvTwilioCredentials *credentials;

  value = lookup_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (value == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  credentials = parse_credentials (get_text (value), &error);
  if (credentials == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, credentials, (GDestroyNotify) pv_twilio_credentials_free);
}

/**
 * pv_secret_store_lookup_credentials_async:
 *
 * Finds the Twilio credentials saved with pv_secret_store_save_credentials_async().
 */
void
pv_secret_store_lookup_credentials_async (GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_secret_store_lookup_credentials_async);

  attributes = secret_attributes_build (&credentials_schema, CREDENTIALS_ATTRIBUTES);
  lookup_async (&credentials_schema, attributes, cancellable,
                on_credentials_looked_up, g_steal_pointer (&task));
}

/**
 * pv_secret_store_lookup_credentials_finish:
 *
 * Returns: (transfer full) (nullable): the credentials, or %NULL with @error unset when
 *   none are saved
 */
PvTwilioCredentials *
pv_secret_store_lookup_credentials_finish (GAsyncResult  *result,
                                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == pv_secret_store_lookup_credentials_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static char *
serialize_credentials (const PvTwilioCredentials *credentials)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "account_sid");
  json_builder_add_string_value (builder, credentials->account_sid);
  json_builder_set_member_name (builder, "api_key_sid");
  json_builder_add_string_value (builder, credentials->api_key_sid);
  json_builder_set_member_name (builder, "secret");
  json_builder_add_string_value (builder, credentials->secret);
  json_builder_set_member_name (builder, "from");
  json_builder_add_string_value (builder, credentials->from);
  json_builder_set_member_name (builder, "messaging_service_sid");
  json_builder_add_string_value (builder, credentials->messaging_service_sid);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, translate_error (g_steal_pointer (&error)));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * pv_secret_store_save_credentials_async:
 *
 * Saves @credentials in the default keyring, replacing any saved before. Optional
 * members that are %NULL are stored as JSON null.
 */
void
pv_secret_store_save_credentials_async (const PvTwilioCredentials *credentials,
                                        GCancellable              *cancellable,
                                        GAsyncReadyCallback        callback,
                                        gpointer                   user_data)
{
  g_autoptr(PvSecretText) text = NULL;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (credentials != NULL);
  g_return_if_fail (credentials->account_sid != NULL);
  g_return_if_fail (credentials->secret != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_secret_store_save_credentials_async);

  /* libsecret copies the text before returning, so it can be wiped right away. */
  text = serialize_credentials (credentials);
  secret_password_store (&credentials_schema, SECRET_COLLECTION_DEFAULT,
                         _("PhoneVerify Twilio account"), text, cancellable,
                         on_stored, g_steal_pointer (&task),
                         CREDENTIALS_ATTRIBUTES);
}

gboolean
pv_secret_store_save_credentials_finish (GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == pv_secret_store_save_credentials_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_cleared (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* FALSE without an error only means there was nothing to remove. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, translate_error (g_steal_pointer (&error)));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_clear_unlocked (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LookupData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!unlock_matching_finish (result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    secret_password_clearv (data->schema, data->attributes, g_task_get_cancellable (task),
                            on_cleared, g_object_ref (task));
}

/* secret_password_clearv() into @task, except that a locked item is an error rather than
 * nothing removed. */
static void
clear_into_task (GTask              *task,
                 const SecretSchema *schema,
                 GHashTable         *attributes)
{
  LookupData *data;

  data = g_new0 (LookupData, 1);
  data->schema = schema;
  data->attributes = g_hash_table_ref (attributes);
  g_task_set_task_data (task, data, (GDestroyNotify) lookup_data_free);

  unlock_matching_async (attributes, g_task_get_cancellable (task), on_clear_unlocked,
                         g_object_ref (task));
}

/**
 * pv_secret_store_clear_credentials_async:
 *
 * Removes the saved Twilio credentials. Finding none is not an error.
 */
void
pv_secret_store_clear_credentials_async (GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_secret_store_clear_credentials_async);

  attributes = secret_attributes_build (&credentials_schema, CREDENTIALS_ATTRIBUTES);
  clear_into_task (task, &credentials_schema, attributes);
}

gboolean
pv_secret_store_clear_credentials_finish (GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == pv_secret_store_clear_credentials_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static GHashTable *
database_password_attributes (const char *server)
{
  return secret_attributes_build (&database_password_schema, "server", server, NULL);
}

static void
on_database_password_looked_up (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(SecretValue) value = NULL;
  g_autoptr(GError) error = NULL;
  const char *text;

  value = lookup_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (value == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  /* We never save an empty password (saving one removes the item), nor anything but text. */
  text = get_text (value);
  if (text == NULL || text[0] == '\0')
    {
      g_task_return_new_error (task, PV_SECRET_ERROR, PV_SECRET_ERROR_CORRUPT, "%s",
                               _("The shared database’s password saved in the keyring is "
                                 "damaged. Enter the password again to replace it."));
      return;
    }

  g_task_return_pointer (task, g_strdup (text), (GDestroyNotify) pv_secret_text_free);
}

/**
 * pv_secret_store_lookup_database_password_async:
 * @server: the shared database, as pv_pg_store_describe_uri() names it
 *
 * Finds the password saved for @server with pv_secret_store_save_database_password_async().
 */
void
pv_secret_store_lookup_database_password_async (const char          *server,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (server != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_secret_store_lookup_database_password_async);

  attributes = database_password_attributes (server);
  lookup_async (&database_password_schema, attributes, cancellable,
                on_database_password_looked_up, g_steal_pointer (&task));
}

/**
 * pv_secret_store_lookup_database_password_finish:
 *
 * Returns: (transfer full) (nullable): the password, to be freed with
 *   pv_secret_text_free(); or %NULL with @error unset when none is saved
 */
char *
pv_secret_store_lookup_database_password_finish (GAsyncResult  *result,
                                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == pv_secret_store_lookup_database_password_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_sync_ready (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/**
 * pv_secret_store_lookup_database_password_sync:
 *
 * pv_secret_store_lookup_database_password_async() for worker threads, which have no main
 * loop to wait in: it waits in a main context of its own.
 *
 * Returns: (transfer full) (nullable): as pv_secret_store_lookup_database_password_finish()
 */
char *
pv_secret_store_lookup_database_password_sync (const char    *server,
                                               GCancellable  *cancellable,
                                               GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;
  char *password;

  g_return_val_if_fail (server != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The same path as the asynchronous lookup, so that a locked item is an error here too;
   * libsecret dispatches its replies in the thread-default context of the caller. */
  g_main_context_push_thread_default (context);
  pv_secret_store_lookup_database_password_async (server, cancellable, on_sync_ready, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  password = pv_secret_store_lookup_database_password_finish (result, error);
  g_main_context_pop_thread_default (context);

  return password;
}

/**
 * pv_secret_store_save_database_password_async:
 * @server: the shared database, as pv_pg_store_describe_uri() names it
 * @password: (nullable): the password; %NULL or empty removes the one saved, so that libpq
 *   goes back to PGPASSFILE or ~/.pgpass
 *
 * Saves @password for @server in the default keyring, replacing any saved before.
 */
void
pv_secret_store_save_database_password_async (const char          *server,
                                              const char          *password,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GTask) task = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (server != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_secret_store_save_database_password_async);

  if (password == NULL || password[0] == '\0')
    {
      attributes = database_password_attributes (server);
      clear_into_task (task, &database_password_schema, attributes);
      return;
    }

  /* Translators: the name of the keyring item, as Passwords and Keys lists it; %s is the
   * database, as “user@host:port/database” */
  label = g_strdup_printf (_("PhoneVerify shared database password for %s"), server);
  secret_password_store (&database_password_schema, SECRET_COLLECTION_DEFAULT, label,
                         password, cancellable, on_stored, g_steal_pointer (&task),
                         "server", server, NULL);
}

gboolean
pv_secret_store_save_database_password_finish (GAsyncResult  *result,
                                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == pv_secret_store_save_database_password_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
wipe_key (gpointer key)
{
  explicit_bzero (key, PV_CODE_KEY_SIZE);
  g_free (key);
}

/* Only the exact text we write is accepted: g_base64_decode() skips characters outside
 * the alphabet, so anything that does not encode back to itself was not written by us. */
static GBytes *
decode_digest_key (const char *text)
{
  g_autoptr(PvSecretText) canonical = NULL;
  guchar *key;
  gsize length = 0;

  if (text == NULL)
    return NULL;

  key = g_base64_decode (text, &length);
  if (length == PV_CODE_KEY_SIZE)
    {
      canonical = g_base64_encode (key, length);
      if (strcmp (canonical, text) == 0)
        return g_bytes_new_with_free_func (key, length, wipe_key, key);
    }

  explicit_bzero (key, length);
  g_free (key);

  return NULL;
}

/* Creating the digest key is a lookup followed by a store, and the Secret Service has no
 * "store unless there is one". Processes starting together on a keyring without a key would
 * each find none and store their own; each store replaces the last, so all but one of them
 * would digest codes with a key that is gone, and those codes could never be verified.
 * Reading the item back after storing it does not help on its own: another process can
 * store its key just after our read, and we would keep digesting with the one it replaced.
 * So the lookup, the store and the read back run under an exclusive lock on a file that
 * every PhoneVerify of this user on this machine opens. The file holds nothing.
 *
 * flock() rather than fcntl() locks: they belong to the open file, not to the process, so
 * two calls in one process exclude each other too; and like fcntl() locks they go away with
 * a process that dies, so a crash never leaves the key locked. */

/* Whoever holds the lock is done within a few keyring calls, usually tens of milliseconds. */
#define DIGEST_KEY_LOCK_MAX_WAIT_MS 10

static int
open_lock_file (const char  *base,
                GError     **error)
{
  g_autofree char *dir = g_build_filename (base, "phone-verify", NULL);
  g_autofree char *path = g_build_filename (dir, "digest-key.lock", NULL);
  int saved_errno;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not create %s: %s", dir, g_strerror (saved_errno));
      return -1;
    }

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not open %s: %s", path, g_strerror (saved_errno));
    }

  return fd;
}

/* Not a blocking flock(): the holder may be waiting for staff to answer an unlock prompt,
 * and a blocked thread could not notice that the caller gave up. */
static gboolean
wait_for_lock (int            fd,
               GCancellable  *cancellable,
               GError       **error)
{
  gboolean locked = FALSE;
  gboolean can_poll;
  GPollFD pollfd;
  guint wait_ms = 1;
  int saved_errno;

  can_poll = g_cancellable_make_pollfd (cancellable, &pollfd);

  while (!g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      if (flock (fd, LOCK_EX | LOCK_NB) == 0)
        {
          locked = TRUE;
          break;
        }

      saved_errno = errno;
      if (saved_errno == EINTR)
        continue;

      if (saved_errno != EWOULDBLOCK)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Could not lock the digest key: %s", g_strerror (saved_errno));
          break;
        }

      /* Wakes up at once when the caller cancels. */
      if (can_poll)
        g_poll (&pollfd, 1, wait_ms);
      else
        g_usleep (wait_ms * G_TIME_SPAN_MILLISECOND);

      wait_ms = MIN (wait_ms * 2, DIGEST_KEY_LOCK_MAX_WAIT_MS);
    }

  if (can_poll)
    g_cancellable_release_fd (cancellable);

  return locked;
}

static void
lock_digest_key_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  g_autoptr(GError) runtime_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *runtime_dir = NULL;
  const char *flatpak_id = g_getenv ("FLATPAK_ID");
  int fd;

  /* The runtime directory is private and local, where locks work; the cache directory is
   * for when there is none we can write to. Each Flatpak instance has a runtime directory
   * of its own, except for app/ID, which all instances of the app share. */
  if (flatpak_id != NULL && flatpak_id[0] != '\0')
    runtime_dir = g_build_filename (g_get_user_runtime_dir (), "app", flatpak_id, NULL);
  else
    runtime_dir = g_strdup (g_get_user_runtime_dir ());

  fd = open_lock_file (runtime_dir, &runtime_error);
  if (fd < 0)
    {
      g_debug ("%s", runtime_error->message);
      fd = open_lock_file (g_get_user_cache_dir (), &error);
      if (fd < 0)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  if (!wait_for_lock (fd, cancellable, &error))
    {
      g_close (fd, NULL);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_int (task, fd);
}

/* Returns the lock file's descriptor, which holds the lock until released. */
static void
lock_digest_key_async (GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lock_digest_key_async);

  /* Otherwise a cancellation just after the thread took the lock would drop the descriptor
   * unseen, and the lock with it would be held until this process exits. The thread checks
   * the cancellable itself. */
  g_task_set_check_cancellable (task, FALSE);

  g_task_run_in_thread (task, lock_digest_key_thread);
}

static int
lock_digest_key_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gssize fd;

  fd = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return -1;
    }

  return fd;
}

typedef struct
{
  GHashTable *attributes;
  GBytes     *created;   /* the key we stored, until the keyring gives it back */
  int         lock_fd;   /* -1 when we do not hold the lock */
} EnsureData;

/* An explicit unlock, not just close(): a child forked in the meantime (whatever thread
 * spawned it) shares the open file until it execs, and would keep the lock held. */
static void
release_digest_key_lock (EnsureData *data)
{
  if (data->lock_fd >= 0)
    {
      flock (data->lock_fd, LOCK_UN);
      g_close (data->lock_fd, NULL);
      data->lock_fd = -1;
    }
}

static void
ensure_data_free (EnsureData *data)
{
  release_digest_key_lock (data);
  g_hash_table_unref (data->attributes);
  g_clear_pointer (&data->created, g_bytes_unref);
  g_free (data);
}

/* The lock goes before the caller's callback runs, not when the task is freed, which is
 * whenever the caller drops the result. */
static void
return_digest_key (GTask  *task,
                   GBytes *key)
{
  release_digest_key_lock (g_task_get_task_data (task));
  g_task_return_pointer (task, key, (GDestroyNotify) g_bytes_unref);
}

static void
return_digest_key_error (GTask  *task,
                         GError *error)
{
  release_digest_key_lock (g_task_get_task_data (task));
  g_task_return_error (task, error);
}

static GError *
new_corrupt_digest_key_error (void)
{
  return g_error_new (PV_SECRET_ERROR, PV_SECRET_ERROR_CORRUPT,
                      /* Translators: %s is the name of the item in the keyring */
                      _("The key that protects verification codes, kept in the keyring, "
                        "is damaged. It was left as it is, because replacing it would "
                        "make every code already sent unusable. To start over, remove "
                        "“%s” from the keyring."),
                      _("PhoneVerify verification code key"));
}

static void
return_stored_digest_key (GTask       *task,
                          SecretValue *value)
{
  GBytes *key = decode_digest_key (get_text (value));

  if (key != NULL)
    return_digest_key (task, key);
  else
    return_digest_key_error (task, new_corrupt_digest_key_error ());
}

static void
on_digest_key_read_back (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EnsureData *data = g_task_get_task_data (task);
  g_autoptr(SecretValue) value = NULL;
  g_autoptr(GError) error = NULL;

  value = lookup_finish (result, &error);
  if (error != NULL)
    {
      return_digest_key_error (task, g_steal_pointer (&error));
      return;
    }

  /* Only someone removing it by hand, this very moment: ours is the best there is. */
  if (value == NULL)
    {
      g_warning ("The new digest key was removed from the keyring as soon as it was stored");
      return_digest_key (task, g_bytes_ref (data->created));
      return;
    }

  /* A version of PhoneVerify from before the lock can still replace ours; theirs is what
   * every later start will find, so it is the one to digest with. */
  return_stored_digest_key (task, value);
}

static void
on_digest_key_stored (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EnsureData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    return_digest_key_error (task, translate_error (g_steal_pointer (&error)));
  else
    lookup_async (&digest_key_schema, data->attributes, g_task_get_cancellable (task),
                  on_digest_key_read_back, g_object_ref (task));
}

static void
store_new_digest_key (GTask *task)
{
  EnsureData *data = g_task_get_task_data (task);
  g_autoptr(PvSecretText) text = NULL;
  g_autoptr(GError) error = NULL;

  data->created = pv_code_generate_key (&error);
  if (data->created == NULL)
    {
      return_digest_key_error (task, g_error_new (PV_SECRET_ERROR, PV_SECRET_ERROR_FAILED,
                                                  "%s", error->message));
      return;
    }

  text = g_base64_encode (g_bytes_get_data (data->created, NULL),
                          g_bytes_get_size (data->created));

  secret_password_store (&digest_key_schema, SECRET_COLLECTION_DEFAULT,
                         _("PhoneVerify verification code key"), text,
                         g_task_get_cancellable (task),
                         on_digest_key_stored, g_object_ref (task),
                         DIGEST_KEY_ATTRIBUTES);
}

static void
on_digest_key_looked_up (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(SecretValue) value = NULL;
  g_autoptr(GError) error = NULL;

  value = lookup_finish (result, &error);
  if (error != NULL)
    return_digest_key_error (task, g_steal_pointer (&error));
  else if (value == NULL)
    store_new_digest_key (task);
  else
    return_stored_digest_key (task, value);
}

static void
on_digest_key_locked (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EnsureData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->lock_fd = lock_digest_key_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      return_digest_key_error (task, g_steal_pointer (&error));
      return;
    }

  /* A lock file we cannot make should not keep staff out of the app: without it we are no
   * worse off than before there was one, and only when several start at the same moment. */
  if (error != NULL)
    g_warning ("Looking up the digest key without a lock, so PhoneVerify starting elsewhere "
               "at the same moment could replace it: %s", error->message);

  lookup_async (&digest_key_schema, data->attributes, g_task_get_cancellable (task),
                on_digest_key_looked_up, g_object_ref (task));
}

/**
 * pv_secret_store_ensure_digest_key_async:
 *
 * Finds this installation's key for digesting verification codes, creating and saving
 * one the first time. Calls made at the same moment, in this process or others of this
 * user on this machine, take turns, so they all get the one key the keyring keeps.
 */
void
pv_secret_store_ensure_digest_key_async (GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  EnsureData *data;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_secret_store_ensure_digest_key_async);

  data = g_new0 (EnsureData, 1);
  data->attributes = secret_attributes_build (&digest_key_schema, DIGEST_KEY_ATTRIBUTES);
  data->lock_fd = -1;
  g_task_set_task_data (task, data, (GDestroyNotify) ensure_data_free);

  lock_digest_key_async (cancellable, on_digest_key_locked, g_steal_pointer (&task));
}

/**
 * pv_secret_store_ensure_digest_key_finish:
 *
 * Returns: (transfer full): the %PV_CODE_KEY_SIZE byte key, or %NULL on error
 */
GBytes *
pv_secret_store_ensure_digest_key_finish (GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == pv_secret_store_ensure_digest_key_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
