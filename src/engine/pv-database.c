/* pv-database.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Which customer database PhoneVerify uses: the SQLite file of this computer, or the
 * PostgreSQL server several desks share. The settings name the server; its password is only
 * ever in the keyring, one item for each server, so it never reaches a settings file, a
 * URI on a command line, or a log. */

#define G_LOG_DOMAIN "pv-database"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "pv-database.h"
#include "pv-pg-store.h"
#include "pv-secret-store.h"
#include "pv-sqlite-store.h"

/* Tells the office's database administrator which connections are ours (pg_stat_activity). */
#define APPLICATION_NAME "PhoneVerify"

/* A host name in the ASCII form the resolver needs, or an IP address, or a Unix socket
 * folder, as given. */
static char *
dup_ascii_host (const char *host)
{
  char *ascii;

  if (host[0] == '/' || g_hostname_is_ip_address (host))
    return g_strdup (host);

  ascii = g_hostname_to_ascii (host);

  return ascii != NULL ? ascii : g_strdup (host);
}

static void
append_host (GString    *uri,
             const char *typed)
{
  g_autofree char *host = g_strdup (typed);
  g_autofree char *ascii = NULL;
  gsize length = strlen (host);

  /* "[::1]" as it would be written in a URI. */
  if (length > 2 && host[0] == '[' && host[length - 1] == ']')
    {
      host[length - 1] = '\0';
      memmove (host, host + 1, length - 1);
    }

  ascii = dup_ascii_host (host);

  /* An IPv6 address's colons would read as the port's, so it goes in brackets, where libpq
   * takes them as they are; a zone ("%eth0") is still escaped. */
  if (strchr (ascii, ':') != NULL)
    {
      g_string_append_c (uri, '[');
      g_string_append_uri_escaped (uri, ascii, ":", FALSE);
      g_string_append_c (uri, ']');
    }
  else
    {
      /* libpq decodes every part of the URI, a socket folder's slashes included. */
      g_string_append_uri_escaped (uri, ascii, NULL, FALSE);
    }
}

/**
 * pv_database_dup_uri:
 * @settings: (nullable): PhoneVerify's settings
 *
 * The shared database the settings name, as a libpq connection URI without a password:
 * postgresql://USER@HOST:PORT/NAME?sslmode=TLS&application_name=PhoneVerify, each part
 * percent-encoded. Without a user, libpq connects as the user logged in.
 *
 * Returns: (transfer full) (nullable): the URI, or %NULL when PhoneVerify is to use this
 *   computer's database, or no server is named yet
 */
char *
pv_database_dup_uri (GSettings *settings)
{
  g_autofree char *kind = NULL;
  g_autofree char *host = NULL;
  g_autofree char *user = NULL;
  g_autofree char *name = NULL;
  g_autofree char *tls = NULL;
  GString *uri;

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  if (settings == NULL)
    return NULL;

  kind = g_settings_get_string (settings, "database");
  host = g_strstrip (g_settings_get_string (settings, "database-host"));
  if (!g_str_equal (kind, "shared") || host[0] == '\0')
    return NULL;

  user = g_strstrip (g_settings_get_string (settings, "database-user"));
  name = g_strstrip (g_settings_get_string (settings, "database-name"));
  tls = g_settings_get_string (settings, "database-tls");

  uri = g_string_new ("postgresql://");
  if (user[0] != '\0')
    {
      g_string_append_uri_escaped (uri, user, NULL, FALSE);
      g_string_append_c (uri, '@');
    }
  append_host (uri, host);
  g_string_append_printf (uri, ":%d/", g_settings_get_int (settings, "database-port"));
  g_string_append_uri_escaped (uri, name, NULL, FALSE);
  g_string_append (uri, "?sslmode=");
  g_string_append_uri_escaped (uri, tls, NULL, FALSE);
  g_string_append (uri, "&application_name=" APPLICATION_NAME);

  return g_string_free (uri, FALSE);
}

/* The keyring item's name for the server @uri points to: the same whatever the URI's
 * options, and never with a password, even when @uri has one. */
static char *
dup_server (const char  *uri,
            GError     **error)
{
  char *server = pv_pg_store_is_uri (uri) ? pv_pg_store_describe_uri (uri) : NULL;

  if (server == NULL)
    g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_OPEN,
                         _("The shared database’s address is not a valid PostgreSQL "
                           "address."));

  return server;
}

/* A task for the keyring item of @uri's server, which goes in @server; or NULL when @uri
 * names no server, the error returned to @callback already. */
static GTask *
new_server_task (const char           *uri,
                 gpointer              source_tag,
                 GCancellable         *cancellable,
                 GAsyncReadyCallback   callback,
                 gpointer              user_data,
                 char                **server)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, source_tag);

  *server = dup_server (uri, &error);
  if (*server == NULL)
    {
      g_task_return_error (task, error);
      return NULL;
    }

  return g_steal_pointer (&task);
}

static void
on_password_looked_up (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *password;

  password = pv_secret_store_lookup_database_password_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, password, (GDestroyNotify) pv_secret_text_free);
}

/**
 * pv_database_lookup_password_async:
 * @uri: the shared database's URI, as pv_database_dup_uri() makes it
 *
 * Finds the password saved for the server @uri names.
 */
void
pv_database_lookup_password_async (const char          *uri,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;
  g_autofree char *server = NULL;

  g_return_if_fail (uri != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = new_server_task (uri, pv_database_lookup_password_async, cancellable, callback,
                          user_data, &server);
  if (task != NULL)
    pv_secret_store_lookup_database_password_async (server, cancellable, on_password_looked_up,
                                                    task);
}

/**
 * pv_database_lookup_password_finish:
 *
 * Returns: (transfer full) (nullable): the password, to be freed with
 *   pv_secret_text_free(); or %NULL with @error unset when none is saved
 */
char *
pv_database_lookup_password_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == pv_database_lookup_password_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * pv_database_lookup_password_sync:
 *
 * pv_database_lookup_password_async(), for worker threads.
 *
 * Returns: (transfer full) (nullable): as pv_database_lookup_password_finish()
 */
char *
pv_database_lookup_password_sync (const char    *uri,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  g_autofree char *server = NULL;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  server = dup_server (uri, error);
  if (server == NULL)
    return NULL;

  return pv_secret_store_lookup_database_password_sync (server, cancellable, error);
}

static void
on_password_saved (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!pv_secret_store_save_database_password_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * pv_database_save_password_async:
 * @uri: the shared database's URI, as pv_database_dup_uri() makes it
 * @password: (nullable): the password; %NULL or empty removes the one saved
 *
 * Saves @password in the keyring for the server @uri names, replacing any saved before.
 */
void
pv_database_save_password_async (const char          *uri,
                                 const char          *password,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;
  g_autofree char *server = NULL;

  g_return_if_fail (uri != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = new_server_task (uri, pv_database_save_password_async, cancellable, callback,
                          user_data, &server);
  if (task != NULL)
    pv_secret_store_save_database_password_async (server, password, cancellable,
                                                  on_password_saved, task);
}

gboolean
pv_database_save_password_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == pv_database_save_password_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * pv_database_open:
 * @settings: (nullable): PhoneVerify's settings, which say which database to use; %NULL
 *   for this computer's, unless @uri_override names another
 * @uri_override: (nullable): a shared database to use whatever the settings say, such as
 *   the command line's --database
 * @clock: (nullable): the clock that timestamps changes, or %NULL for the real time
 *
 * Opens the customer database. A shared database's password comes from the keyring; if
 * none is saved, or the keyring cannot be read, libpq looks in PGPASSFILE or ~/.pgpass, and
 * the server may not need one at all. Blocks on the disk, the keyring and the network: call
 * it on a worker thread.
 *
 * Returns: (transfer full): the store, or %NULL with @error set as pv_sqlite_store_open()
 *   or pv_pg_store_open() set it
 */
PvStore *
pv_database_open (GSettings     *settings,
                  const char    *uri_override,
                  PvClock       *clock,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autofree char *uri = NULL;
  g_autoptr(PvSecretText) password = NULL;
  g_autoptr(GError) keyring_error = NULL;

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (clock == NULL || PV_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  uri = uri_override != NULL ? g_strdup (uri_override) : pv_database_dup_uri (settings);
  if (uri == NULL)
    return PV_STORE (pv_sqlite_store_open (NULL, clock, error));

  password = pv_database_lookup_password_sync (uri, cancellable, &keyring_error);
  if (g_error_matches (keyring_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&keyring_error));
      return NULL;
    }

  /* A server set up with trust or peer authentication, or a ~/.pgpass, needs no keyring:
   * if the password was needed, the server's refusal says so better than the keyring. An
   * address libpq cannot read fails below with the same words. */
  if (keyring_error != NULL && keyring_error->domain == PV_SECRET_ERROR)
    g_message ("Connecting to the shared database without a password from the keyring: %s",
               keyring_error->message);

  return PV_STORE (pv_pg_store_open (uri, password, clock, error));
}

typedef struct
{
  char    *uri;
  PvClock *clock;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_free (data->uri);
  g_clear_object (&data->clock);
  g_free (data);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OpenData *data = task_data;
  GError *error = NULL;
  PvStore *store;

  store = pv_database_open (NULL, data->uri, data->clock, cancellable, &error);
  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

/**
 * pv_database_open_async:
 *
 * pv_database_open() on a worker thread. The settings are read before it starts.
 */
void
pv_database_open_async (GSettings           *settings,
                        const char          *uri_override,
                        PvClock             *clock,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpenData *data;

  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));
  g_return_if_fail (clock == NULL || PV_IS_CLOCK (clock));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (OpenData, 1);
  data->uri = uri_override != NULL ? g_strdup (uri_override) : pv_database_dup_uri (settings);
  data->clock = clock != NULL ? g_object_ref (clock) : NULL;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_database_open_async);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  g_task_run_in_thread (task, open_thread);
}

/**
 * pv_database_open_finish:
 *
 * Returns: (transfer full): the store, or %NULL with @error set
 */
PvStore *
pv_database_open_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pv_database_open_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char   *uri;
  char   *password;
  char   *server_version;
  gint64  n_customers;
} TestData;

static void
test_data_free (TestData *data)
{
  g_free (data->uri);
  pv_secret_text_free (data->password);
  g_free (data->server_version);
  g_free (data);
}

static void
test_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  TestData *data = task_data;
  GError *error = NULL;

  if (!pv_pg_store_probe (data->uri, data->password, &data->server_version,
                          &data->n_customers, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

/**
 * pv_database_test_async:
 * @uri: the shared database's URI, as pv_database_dup_uri() makes it
 * @password: (nullable): the password to try; without one, libpq looks in PGPASSFILE or
 *   ~/.pgpass
 *
 * Connects to the shared database and looks, changing nothing, to tell staff whether the
 * settings they typed work before PhoneVerify uses them.
 */
void
pv_database_test_async (const char          *uri,
                        const char          *password,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TestData *data;

  g_return_if_fail (uri != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (TestData, 1);
  data->uri = g_strdup (uri);
  data->password = password != NULL && password[0] != '\0' ? g_strdup (password) : NULL;
  data->n_customers = -1;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_database_test_async);
  g_task_set_task_data (task, data, (GDestroyNotify) test_data_free);
  /* libpq cannot be interrupted once connecting: a cancelled test still finishes on its
   * thread, and only its answer is dropped. */
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, test_thread);
}

/**
 * pv_database_test_finish:
 * @server_version: (out) (optional): the server's version, as "15.18"
 * @n_customers: (out) (optional): how many customers the database holds, or -1 when
 *   PhoneVerify has not set it up yet (it does on first use)
 *
 * Returns: %TRUE if PhoneVerify can use the database; else %FALSE with @error set, in the
 *   server's words or %PV_STORE_ERROR_TOO_NEW
 */
gboolean
pv_database_test_finish (GAsyncResult  *result,
                         char         **server_version,
                         gint64        *n_customers,
                         GError       **error)
{
  TestData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pv_database_test_async, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  data = g_task_get_task_data (G_TASK (result));
  if (server_version != NULL)
    *server_version = g_strdup (data->server_version);
  if (n_customers != NULL)
    *n_customers = data->n_customers;

  return TRUE;
}
