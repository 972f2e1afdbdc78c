/* test-database.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Which database the settings name, its password in the keyring, and copying an office's
 * customers into a shared database. The copy runs against a real PostgreSQL server of the
 * test's own (pv-test-postgres.h), and skips where there are no server binaries.
 *
 * The keyring tests run only inside keyring-session.sh (the `database-keyring` test), so
 * that the developer's own keyring is never read or written; with PV_TEST_EXPECT_NO_KEYRING=1
 * (`database-no-keyring`) the bus has no Secret Service at all. */

#include "config.h"

#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <string.h>

#include "pv-database-copy.h"
#include "pv-database.h"
#include "pv-pg-store.h"
#include "pv-secret-store.h"
#include "pv-sqlite-store.h"
#include "pv-test-customers.h"
#include "pv-test-postgres.h"

#define N_CUSTOMERS 2000
#define N_LARGE     100000

/* Written out again rather than shared with the code under test: it is what installations
 * will have in their keyrings, so a change must break this test. */
static const SecretSchema database_password_schema = {
  .name = "com.example.PhoneVerify.DatabasePassword",
  .flags = SECRET_SCHEMA_NONE,
  .attributes = {
    { .name = "server", .type = SECRET_SCHEMA_ATTRIBUTE_STRING },
    { .name = NULL },
  },
};

static PvTestPostgres *postgres;
static GError *postgres_error;

static void
on_ready (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static void
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static GSettings *
new_settings (void)
{
  GSettings *settings = g_settings_new (APP_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);

  return settings;
}

static void
set_shared (GSettings  *settings,
            const char *host,
            int         port,
            const char *name,
            const char *user,
            const char *tls)
{
  g_settings_set_string (settings, "database", "shared");
  g_settings_set_string (settings, "database-host", host);
  g_settings_set_int (settings, "database-port", port);
  g_settings_set_string (settings, "database-name", name);
  g_settings_set_string (settings, "database-user", user);
  g_settings_set_string (settings, "database-tls", tls);
}

/* The test server's database @uri, as staff would type it in Preferences. */
static void
set_shared_from_uri (GSettings  *settings,
                     const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);

  g_assert_nonnull (parsed);
  set_shared (settings, g_uri_get_host (parsed), g_uri_get_port (parsed),
              g_uri_get_path (parsed) + 1, g_uri_get_user (parsed), "disable");
}

static void
test_uri_local (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autofree char *uri = NULL;

  /* The default: this computer's file, whatever a server's keys hold. */
  g_assert_cmpstr (g_settings_get_string (settings, "database"), ==, "local");
  g_settings_set_string (settings, "database-host", "db.example.com");
  uri = pv_database_dup_uri (settings);
  g_assert_null (uri);

  g_assert_null (pv_database_dup_uri (NULL));
}

static void
test_uri_no_host (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autofree char *uri = NULL;
  g_autofree char *spaces = NULL;

  g_settings_set_string (settings, "database", "shared");
  uri = pv_database_dup_uri (settings);
  g_assert_null (uri);

  g_settings_set_string (settings, "database-host", "  ");
  spaces = pv_database_dup_uri (settings);
  g_assert_null (spaces);
}

static void
test_uri_defaults (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autofree char *uri = NULL;
  g_autofree char *described = NULL;

  g_settings_set_string (settings, "database", "shared");
  g_settings_set_string (settings, "database-host", " db.example.com ");
  uri = pv_database_dup_uri (settings);

  /* No user: libpq connects as whoever is logged in. */
  g_assert_cmpstr (uri, ==, "postgresql://db.example.com:5432/phoneverify"
                            "?sslmode=prefer&application_name=PhoneVerify");
  g_assert_true (pv_pg_store_is_uri (uri));
  described = pv_pg_store_describe_uri (uri);
  g_assert_cmpstr (described, ==, "db.example.com:5432/phoneverify");
}

/* Each part is percent-encoded, and libpq reads back exactly what was typed. */
static void
test_uri_escaping (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autofree char *uri = NULL;
  g_autofree char *described = NULL;

  set_shared (settings, "db.example.com", 6432, "phone verify/2026?", "o'brien@x", "require");
  uri = pv_database_dup_uri (settings);
  g_assert_cmpstr (uri, ==, "postgresql://o%27brien%40x@db.example.com:6432/"
                            "phone%20verify%2F2026%3F?sslmode=require"
                            "&application_name=PhoneVerify");

  described = pv_pg_store_describe_uri (uri);
  g_assert_cmpstr (described, ==, "o'brien@x@db.example.com:6432/phone verify/2026?");
}

static void
test_uri_ipv6 (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  const char * const typed[] = { "::1", "[::1]", " ::1 " };

  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    {
      g_autofree char *uri = NULL;
      g_autofree char *described = NULL;

      set_shared (settings, typed[i], 5432, "phoneverify", "desk", "prefer");
      uri = pv_database_dup_uri (settings);
      g_assert_cmpstr (uri, ==, "postgresql://desk@[::1]:5432/phoneverify"
                                "?sslmode=prefer&application_name=PhoneVerify");
      described = pv_pg_store_describe_uri (uri);
      g_assert_cmpstr (described, ==, "desk@::1:5432/phoneverify");
    }

  /* A link-local address's zone is escaped inside the brackets. */
  {
    g_autofree char *uri = NULL;

    set_shared (settings, "fe80::1%eth0", 5432, "phoneverify", "", "prefer");
    uri = pv_database_dup_uri (settings);
    g_assert_cmpstr (uri, ==, "postgresql://[fe80::1%25eth0]:5432/phoneverify"
                              "?sslmode=prefer&application_name=PhoneVerify");
  }
}

/* A host name in another script reaches the resolver in ASCII; an IPv4 address as it is. */
static void
test_uri_hosts (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autofree char *idn = NULL;
  g_autofree char *ipv4 = NULL;

  set_shared (settings, "bücher.example", 5432, "phoneverify", "", "prefer");
  idn = pv_database_dup_uri (settings);
  g_assert_true (g_str_has_prefix (idn, "postgresql://xn--bcher-kva.example:5432/"));

  set_shared (settings, "192.0.2.10", 5432, "phoneverify", "", "prefer");
  ipv4 = pv_database_dup_uri (settings);
  g_assert_true (g_str_has_prefix (ipv4, "postgresql://192.0.2.10:5432/"));
}

static void
test_uri_tls (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  const char * const modes[] = { "disable", "prefer", "require", "verify-full" };

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *uri = NULL;
      g_autofree char *expected = NULL;

      set_shared (settings, "db.example.com", 5432, "phoneverify", "desk", modes[i]);
      uri = pv_database_dup_uri (settings);
      expected = g_strdup_printf ("postgresql://desk@db.example.com:5432/phoneverify"
                                  "?sslmode=%s&application_name=PhoneVerify", modes[i]);
      g_assert_cmpstr (uri, ==, expected);
    }
}

static gboolean
save_password (const char  *uri,
               const char  *password,
               GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pv_database_save_password_async (uri, password, NULL, on_ready, &result);
  wait_for (&result);

  return pv_database_save_password_finish (result, error);
}

static char *
lookup_password (const char  *uri,
                 GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pv_database_lookup_password_async (uri, NULL, on_ready, &result);
  wait_for (&result);

  return pv_database_lookup_password_finish (result, error);
}

#define SERVER_URI "postgresql://desk@db.example.com:5432/phoneverify?sslmode=require"
#define PASSWORD   "correct horse battery staple"

static void
test_keyring_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  g_autofree char *other = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *with_options = NULL;

  g_assert_true (save_password (SERVER_URI, PASSWORD, &error));
  g_assert_no_error (error);

  found = lookup_password (SERVER_URI, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, PASSWORD);

  /* The item is the server's, whatever the URI's options; the schema is a contract. */
  with_options = lookup_password ("postgresql://desk@db.example.com:5432/phoneverify"
                                  "?sslmode=verify-full&application_name=PhoneVerify", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (with_options, ==, PASSWORD);
  raw = secret_password_lookup_sync (&database_password_schema, NULL, &error,
                                     "server", "desk@db.example.com:5432/phoneverify", NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (raw, ==, PASSWORD);

  /* Another server, user or database: nothing saved. */
  other = lookup_password ("postgresql://desk@db.example.com:5432/other", &error);
  g_assert_no_error (error);
  g_assert_null (other);
  g_clear_pointer (&other, g_free);
  other = lookup_password ("postgresql://admin@db.example.com:5432/phoneverify", &error);
  g_assert_no_error (error);
  g_assert_null (other);
}

static void
test_keyring_replace_and_remove (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *replaced = NULL;
  g_autofree char *removed = NULL;
  g_autolist(GObject) items = NULL;

  g_assert_true (save_password (SERVER_URI, "first", &error));
  g_assert_true (save_password (SERVER_URI, "second", &error));
  g_assert_no_error (error);
  replaced = lookup_password (SERVER_URI, &error);
  g_assert_cmpstr (replaced, ==, "second");

  items = secret_password_search_sync (&database_password_schema, SECRET_SEARCH_ALL, NULL,
                                       &error, "server", "desk@db.example.com:5432/phoneverify",
                                       NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (items), ==, 1);

  /* An emptied password row: libpq goes back to ~/.pgpass. Nothing to remove is fine. */
  g_assert_true (save_password (SERVER_URI, "", &error));
  g_assert_no_error (error);
  removed = lookup_password (SERVER_URI, &error);
  g_assert_no_error (error);
  g_assert_null (removed);
  g_assert_true (save_password (SERVER_URI, NULL, &error));
  g_assert_no_error (error);
}

/* A password that is not text was not saved by us. */
static void
test_keyring_corrupt (void)
{
  g_autoptr(SecretValue) value = secret_value_new ("\0\1\2", 3, "application/octet-stream");
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;

  secret_password_store_binary_sync (&database_password_schema, SECRET_COLLECTION_DEFAULT,
                                     "raw test item", value, NULL, &error,
                                     "server", "desk@db.example.com:5432/phoneverify", NULL);
  g_assert_no_error (error);

  found = lookup_password (SERVER_URI, &error);
  g_assert_error (error, PV_SECRET_ERROR, PV_SECRET_ERROR_CORRUPT);
  g_assert_null (found);

  g_clear_error (&error);
  g_assert_true (save_password (SERVER_URI, NULL, &error));
  g_assert_no_error (error);
}

static gpointer
lookup_in_thread (gpointer user_data)
{
  GError *error = NULL;
  char *found = pv_database_lookup_password_sync (user_data, NULL, &error);

  g_assert_no_error (error);

  return found;
}

/* The worker threads' lookup, with the main thread not iterating at all. */
static void
test_keyring_sync (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  g_autofree char *none = NULL;

  g_assert_true (save_password (SERVER_URI, PASSWORD, &error));
  g_assert_no_error (error);

  found = g_thread_join (g_thread_new ("lookup", lookup_in_thread, (gpointer) SERVER_URI));
  g_assert_cmpstr (found, ==, PASSWORD);
  none = g_thread_join (g_thread_new ("lookup", lookup_in_thread,
                                      (gpointer) "postgresql://nobody@db.example.com/x"));
  g_assert_null (none);

  g_assert_true (save_password (SERVER_URI, NULL, &error));
}

static void
test_keyring_not_a_uri (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;

  found = lookup_password ("/home/desk/phone-verify.db", &error);
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_OPEN);
  g_assert_null (found);
  g_clear_error (&error);

  g_assert_false (save_password ("mysql://db.example.com", PASSWORD, &error));
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_OPEN);
}

/* No keyring: every call says so, in words staff can act on. */
static void
test_no_keyring_lookup (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  g_autofree char *sync = NULL;

  found = lookup_password (SERVER_URI, &error);
  g_assert_error (error, PV_SECRET_ERROR, PV_SECRET_ERROR_UNAVAILABLE);
  g_assert_null (found);
  g_clear_error (&error);

  sync = pv_database_lookup_password_sync (SERVER_URI, NULL, &error);
  g_assert_error (error, PV_SECRET_ERROR, PV_SECRET_ERROR_UNAVAILABLE);
  g_clear_error (&error);

  g_assert_false (save_password (SERVER_URI, PASSWORD, &error));
  g_assert_error (error, PV_SECRET_ERROR, PV_SECRET_ERROR_UNAVAILABLE);
}

static gboolean
require_postgres (void)
{
  if (postgres != NULL)
    return TRUE;

  if (g_error_matches (postgres_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_test_skip (postgres_error->message);
      return FALSE;
    }

  g_error ("Could not start PostgreSQL: %s", postgres_error->message);
}

static char *
create_database (const char *prefix)
{
  g_autoptr(GError) error = NULL;
  char *uri = pv_test_postgres_create_database (postgres, prefix, &error);

  g_assert_no_error (error);

  return uri;
}

static gint64
query_int (const char *uri,
           const char *sql)
{
  g_autofree char *text = pv_test_postgres_query (uri, sql);

  g_assert_nonnull (text);

  return g_ascii_strtoll (text, NULL, 10);
}

/* Opening the shared database through the settings, as the app does at start: with a
 * password in the keyring (the test server trusts its role, so it is not checked), without
 * one, and without a keyring at all. */
static void
test_open_shared (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PvStore) store = NULL;
  g_autoptr(PvStore) overridden = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *other = NULL;
  g_autofree char *expected = NULL;

  if (!require_postgres ())
    return;

  uri = create_database ("open_shared");
  set_shared_from_uri (settings, uri);
  if (g_getenv ("PV_TEST_EXPECT_NO_KEYRING") == NULL)
    {
      g_autofree char *settings_uri = pv_database_dup_uri (settings);

      g_assert_true (save_password (settings_uri, PASSWORD, &error));
      g_assert_no_error (error);
    }

  store = pv_database_open (settings, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (PV_IS_PG_STORE (store));
  expected = pv_pg_store_describe_uri (uri);
  g_assert_cmpstr (pv_store_get_location (store), ==, expected);

  /* The command line's database wins over the settings'. */
  other = create_database ("open_override");
  overridden = pv_database_open (settings, other, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&expected, g_free);
  expected = pv_pg_store_describe_uri (other);
  g_assert_cmpstr (pv_store_get_location (overridden), ==, expected);
}

/* Runs in the keyring session, whose XDG_DATA_HOME is a scratch folder. */
static void
test_open_local (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PvStore) store = NULL;
  g_autoptr(PvStore) no_settings = NULL;
  g_autofree char *path = pv_sqlite_store_get_default_path ();

  g_assert_true (g_str_has_prefix (path, g_getenv ("KEYRING_SESSION_DIR")));

  /* Shared without a server is this computer's database still. */
  g_settings_set_string (settings, "database", "shared");
  store = pv_database_open (settings, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (PV_IS_SQLITE_STORE (store));
  g_assert_cmpstr (pv_sqlite_store_get_path (PV_SQLITE_STORE (store)), ==, path);

  no_settings = pv_database_open (NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (PV_IS_SQLITE_STORE (no_settings));
}

static gboolean
test_connection (const char  *uri,
                 char       **version,
                 gint64      *n_customers,
                 GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pv_database_test_async (uri, NULL, NULL, on_ready, &result);
  wait_for (&result);

  return pv_database_test_finish (result, version, n_customers, error);
}

/* Test Connection: what the server is, and whether PhoneVerify has set it up, changing
 * nothing. */
static void
test_test_connection (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PvPgStore) store = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *version = NULL;
  g_autofree char *missing = NULL;
  gint64 n_customers = 0;

  if (!require_postgres ())
    return;

  uri = create_database ("test_connection");
  g_assert_true (test_connection (uri, &version, &n_customers, &error));
  g_assert_no_error (error);
  /* "15.18", without what the packager adds. */
  g_assert_true (g_ascii_isdigit (version[0]));
  g_assert_null (strchr (version, ' '));
  g_assert_cmpint (n_customers, ==, -1);
  /* Still not set up. */
  g_assert_cmpint (query_int (uri, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
                   ==, 0);

  store = pv_pg_store_open (uri, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&version, g_free);
  g_assert_true (test_connection (uri, &version, &n_customers, &error));
  g_assert_cmpint (n_customers, ==, 0);

  /* A database that is not there: the server's words. */
  missing = g_strconcat (uri, "_missing", NULL);
  g_assert_false (test_connection (missing, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "_missing"));
}

/* A source store that cancels @cancellable when the copy asks for its page number
 * @cancel_at, so that a test can stop a copy between two pages for certain. Everything
 * else comes from the store it wraps. */
#define PV_TYPE_TEST_PAGED_STORE (pv_test_paged_store_get_type ())
G_DECLARE_FINAL_TYPE (PvTestPagedStore, pv_test_paged_store, PV, TEST_PAGED_STORE, GObject)

struct _PvTestPagedStore
{
  GObject       parent_instance;

  PvStore      *inner;
  GCancellable *cancellable;
  guint         cancel_at;
  guint         n_pages;
};

static void pv_test_paged_store_iface_init (PvStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PvTestPagedStore, pv_test_paged_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PV_TYPE_STORE,
                                                      pv_test_paged_store_iface_init))

static const char *
paged_get_location (PvStore *store)
{
  return pv_store_get_location (PV_TEST_PAGED_STORE (store)->inner);
}

static GPtrArray *
paged_list_customers_after (PvStore     *store,
                            const char  *search,
                            const char  *after,
                            guint        limit,
                            GError     **error)
{
  PvTestPagedStore *self = PV_TEST_PAGED_STORE (store);

  if (++self->n_pages == self->cancel_at)
    g_cancellable_cancel (self->cancellable);

  return pv_store_list_customers_after (self->inner, search, after, limit, error);
}

static gboolean
paged_count_customers (PvStore     *store,
                       const char  *search,
                       guint       *n_customers,
                       GError     **error)
{
  return pv_store_count_customers (PV_TEST_PAGED_STORE (store)->inner, search, n_customers,
                                   error);
}

static GPtrArray *
paged_list_events (PvStore     *store,
                   const char  *number,
                   GError     **error)
{
  return pv_store_list_events (PV_TEST_PAGED_STORE (store)->inner, number, error);
}

static void
pv_test_paged_store_iface_init (PvStoreInterface *iface)
{
  iface->get_location = paged_get_location;
  iface->list_customers_after = paged_list_customers_after;
  iface->count_customers = paged_count_customers;
  iface->list_events = paged_list_events;
}

static void
pv_test_paged_store_finalize (GObject *object)
{
  PvTestPagedStore *self = PV_TEST_PAGED_STORE (object);

  g_clear_object (&self->inner);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (pv_test_paged_store_parent_class)->finalize (object);
}

static void
pv_test_paged_store_class_init (PvTestPagedStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pv_test_paged_store_finalize;
}

static void
pv_test_paged_store_init (PvTestPagedStore *self)
{
}

static PvStore *
pv_test_paged_store_new (PvStore      *inner,
                         GCancellable *cancellable,
                         guint         cancel_at)
{
  PvTestPagedStore *self = g_object_new (PV_TYPE_TEST_PAGED_STORE, NULL);

  self->inner = g_object_ref (inner);
  self->cancellable = g_object_ref (cancellable);
  self->cancel_at = cancel_at;

  return PV_STORE (self);
}

typedef struct
{
  char     *dir;
  PvStore  *local;
  guint     n_events;     /* in the local store */
  char     *uri;          /* an empty shared database */
  PvStore  *shared;
} Fixture;

/* Customers with histories of one to three events: a send, and for some a rename and a
 * verification. */
static void
fill_local (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < N_CUSTOMERS; i++)
    {
      g_autoptr(PvCustomer) customer = NULL;
      g_autofree char *number = g_strdup_printf ("+1415555%04u", i);
      gboolean applied = FALSE;

      customer = pv_customer_new (number);
      customer->name = g_strdup_printf ("Customer %u", i);
      customer->sends_in_window = 1;
      g_assert_true (pv_store_insert_customer (f->local, customer, PV_EVENT_CODE_SENT,
                                               "SM0123", &error));
      g_assert_no_error (error);
      f->n_events++;

      if (i % 3 == 0)
        {
          g_autofree char *name = g_strdup_printf ("Renamed %u", i);

          g_assert_true (pv_store_rename_customer (f->local, number, name, &applied, &error));
          g_assert_true (applied);
          f->n_events++;
        }
    }
}

/* The customers are the same for every test: filled once, and the file copied. */
static char *template_dir;
static guint template_events;

/* Removes @dir and the database files in it. */
static void
remove_store_dir (char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *file = g_build_filename (dir, name, NULL);

      g_remove (file);
    }
  g_rmdir (dir);
  g_free (dir);
}

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (postgres == NULL)
    return;

  f->dir = g_dir_make_tmp ("test-database-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "phone-verify.db", NULL);

  if (template_dir == NULL)
    {
      g_autofree char *template_path = NULL;

      template_dir = g_dir_make_tmp ("test-database-template-XXXXXX", &error);
      g_assert_no_error (error);
      template_path = g_build_filename (template_dir, "phone-verify.db", NULL);
      f->local = PV_STORE (pv_sqlite_store_open (template_path, NULL, &error));
      g_assert_no_error (error);
      fill_local (f);
      template_events = f->n_events;
      g_clear_object (&f->local);
    }

  {
    g_autofree char *template_path = g_build_filename (template_dir, "phone-verify.db", NULL);
    g_autoptr(GFile) from = g_file_new_for_path (template_path);
    g_autoptr(GFile) to = g_file_new_for_path (path);

    g_assert_true (g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
  }

  f->local = PV_STORE (pv_sqlite_store_open (path, NULL, &error));
  g_assert_no_error (error);
  f->n_events = template_events;

  f->uri = create_database ("copy");
  f->shared = PV_STORE (pv_pg_store_open (f->uri, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  g_clear_object (&f->local);
  g_clear_object (&f->shared);
  g_clear_pointer (&f->uri, g_free);
  if (f->dir != NULL)
    remove_store_dir (g_steal_pointer (&f->dir));
}

typedef struct
{
  GThread *main_thread;
  guint    n_notifies;
  guint    last_done;
  double   last_progress;
} Watch;

static void
progress_cb (PvDatabaseCopy *copy,
             GParamSpec     *pspec,
             Watch          *watch)
{
  /* Notified where the caller lives, never on the worker. */
  g_assert_true (g_thread_self () == watch->main_thread);

  /* Forward only. */
  g_assert_cmpuint (pv_database_copy_get_n_done (copy), >=, watch->last_done);
  g_assert_cmpfloat (pv_database_copy_get_progress (copy), >=, watch->last_progress);
  watch->last_done = pv_database_copy_get_n_done (copy);
  watch->last_progress = pv_database_copy_get_progress (copy);
  watch->n_notifies++;
}

static gboolean
run_copy (PvDatabaseCopy  *copy,
          GCancellable    *cancellable,
          guint           *n_copied,
          guint           *n_already_there,
          GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pv_database_copy_run_async (copy, cancellable, on_ready, &result);
  wait_for (&result);

  return pv_database_copy_run_finish (copy, result, n_copied, n_already_there, error);
}

static void
assert_copied_once (Fixture *f)
{
  g_assert_cmpint (query_int (f->uri, "SELECT count(*) FROM customers"), ==, N_CUSTOMERS);
  g_assert_cmpint (query_int (f->uri, "SELECT count(DISTINCT number) FROM customers"), ==,
                   N_CUSTOMERS);
  g_assert_cmpint (query_int (f->uri, "SELECT count(*) FROM events"), ==, f->n_events);
  /* Each event belongs to its customer's row. */
  g_assert_cmpint (query_int (f->uri, "SELECT count(*) FROM events e JOIN customers c "
                                      "ON c.id = e.customer_id AND c.number = e.number"), ==,
                   f->n_events);
}

static void
test_copy_all (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(PvDatabaseCopy) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PvCustomer) copied = NULL;
  g_autoptr(PvCustomer) original = NULL;
  g_autoptr(GPtrArray) history = NULL;
  Watch watch = { g_thread_self (), 0, 0, 0.0 };
  guint n_copied = 0;
  guint n_already_there = 0;

  if (!require_postgres ())
    return;

  g_assert_true (pv_store_can_import (f->shared));
  copy = pv_database_copy_new (f->local, f->shared);
  g_signal_connect (copy, "notify::n-done", G_CALLBACK (progress_cb), &watch);

  g_assert_true (run_copy (copy, NULL, &n_copied, &n_already_there, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_copied, ==, N_CUSTOMERS);
  g_assert_cmpuint (n_already_there, ==, 0);

  /* A report for each page, and the last one before the result. */
  g_assert_cmpuint (watch.n_notifies, ==, N_CUSTOMERS / PV_DATABASE_COPY_PAGE_SIZE);
  g_assert_cmpuint (pv_database_copy_get_n_done (copy), ==, N_CUSTOMERS);
  g_assert_cmpuint (pv_database_copy_get_n_total (copy), ==, N_CUSTOMERS);
  g_assert_cmpfloat (pv_database_copy_get_progress (copy), ==, 1.0);

  assert_copied_once (f);

  /* As it was, history and all. */
  original = pv_store_lookup (f->local, "+14155550003", &error);
  copied = pv_store_lookup (f->shared, "+14155550003", &error);
  g_assert_no_error (error);
  g_assert_nonnull (copied);
  g_assert_cmpstr (copied->name, ==, "Renamed 3");
  g_assert_cmpstr (copied->name, ==, original->name);
  g_assert_cmpint (copied->created_at, ==, original->created_at);
  g_assert_cmpint (copied->updated_at, ==, original->updated_at);
  history = pv_store_list_events (f->shared, "+14155550003", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 2);
  g_assert_cmpint (((PvEvent *) g_ptr_array_index (history, 0))->kind, ==, PV_EVENT_CODE_SENT);
  g_assert_cmpint (((PvEvent *) g_ptr_array_index (history, 1))->kind, ==, PV_EVENT_RENAMED);
}

/* An office's whole list, as the README's copy step meets it: every one of 100,000
 * customers arrives, once, as it was. */
static void
test_copy_hundred_thousand (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *sample = NULL;
  g_autoptr(PvStore) local = NULL;
  g_autoptr(PvStore) shared = NULL;
  g_autoptr(PvDatabaseCopy) copy = NULL;
  g_autoptr(PvCustomer) original = NULL;
  g_autoptr(PvCustomer) copied = NULL;
  guint n_copied = 0;
  guint n_already_there = 0;

  if (!require_postgres ())
    return;

  dir = g_dir_make_tmp ("test-database-large-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "phone-verify.db", NULL);
  /* The store makes the schema; the filler writes through a connection of its own. */
  local = PV_STORE (pv_sqlite_store_open (path, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&local);
  sample = pv_test_customers_fill (path, N_LARGE);
  local = PV_STORE (pv_sqlite_store_open (path, NULL, &error));
  g_assert_no_error (error);

  uri = create_database ("copy_large");
  shared = PV_STORE (pv_pg_store_open (uri, NULL, NULL, &error));
  g_assert_no_error (error);

  copy = pv_database_copy_new (local, shared);
  g_assert_true (run_copy (copy, NULL, &n_copied, &n_already_there, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_copied, ==, N_LARGE);
  g_assert_cmpuint (n_already_there, ==, 0);
  g_assert_cmpint (query_int (uri, "SELECT count(*) FROM customers"), ==, N_LARGE);
  g_assert_cmpint (query_int (uri, "SELECT count(DISTINCT number) FROM customers"), ==, N_LARGE);

  original = pv_store_lookup (local, sample, &error);
  g_assert_no_error (error);
  copied = pv_store_lookup (shared, sample, &error);
  g_assert_no_error (error);
  g_assert_nonnull (copied);
  g_assert_cmpstr (copied->name, ==, original->name);
  g_assert_cmpint (copied->status, ==, original->status);
  g_assert_cmpint (copied->updated_at, ==, original->updated_at);
  g_assert_cmpint (copied->created_at, ==, original->created_at);

  g_clear_object (&local);
  g_remove (path);
  g_rmdir (dir);
}

/* Copying again adds nothing: every customer is there already. */
static void
test_copy_again (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(PvDatabaseCopy) copy = NULL;
  g_autoptr(GError) error = NULL;
  guint n_copied = 0;
  guint n_already_there = 0;

  if (!require_postgres ())
    return;

  copy = pv_database_copy_new (f->local, f->shared);
  g_assert_true (run_copy (copy, NULL, &n_copied, &n_already_there, &error));
  g_assert_no_error (error);

  g_assert_true (run_copy (copy, NULL, &n_copied, &n_already_there, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_copied, ==, 0);
  g_assert_cmpuint (n_already_there, ==, N_CUSTOMERS);
  g_assert_cmpfloat (pv_database_copy_get_progress (copy), ==, 1.0);

  assert_copied_once (f);
}

/* Stopped after its first page, the copy leaves that page whole; the next run copies the
 * rest, and nothing twice. */
static void
test_copy_cancel_and_resume (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(PvStore) paged = NULL;
  g_autoptr(PvDatabaseCopy) stopped = NULL;
  g_autoptr(PvDatabaseCopy) resumed = NULL;
  g_autoptr(GError) error = NULL;
  guint n_copied = 0;
  guint n_already_there = 0;

  if (!require_postgres ())
    return;

  paged = pv_test_paged_store_new (f->local, cancellable, 2);
  stopped = pv_database_copy_new (paged, f->shared);
  g_assert_false (run_copy (stopped, cancellable, &n_copied, &n_already_there, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (n_copied, ==, PV_DATABASE_COPY_PAGE_SIZE);
  g_assert_cmpuint (n_already_there, ==, 0);
  g_assert_cmpuint (pv_database_copy_get_n_done (stopped), ==, PV_DATABASE_COPY_PAGE_SIZE);
  g_assert_cmpfloat (pv_database_copy_get_progress (stopped), <, 1.0);
  g_assert_cmpint (query_int (f->uri, "SELECT count(*) FROM customers"), ==,
                   PV_DATABASE_COPY_PAGE_SIZE);

  /* Cancelled before it starts: nothing. */
  g_assert_false (run_copy (stopped, cancellable, &n_copied, &n_already_there, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (n_copied, ==, 0);

  resumed = pv_database_copy_new (f->local, f->shared);
  g_assert_true (run_copy (resumed, NULL, &n_copied, &n_already_there, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_copied, ==, N_CUSTOMERS - PV_DATABASE_COPY_PAGE_SIZE);
  g_assert_cmpuint (n_already_there, ==, PV_DATABASE_COPY_PAGE_SIZE);

  assert_copied_once (f);
}

/* A customer both stores have is left as the shared one has it: another desk may have
 * worked on it since. */
static void
test_copy_keeps_shared (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(PvDatabaseCopy) copy = NULL;
  g_autoptr(PvCustomer) customer = pv_customer_new ("+14155550007");
  g_autoptr(PvCustomer) kept = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) error = NULL;
  guint n_copied = 0;
  guint n_already_there = 0;

  if (!require_postgres ())
    return;

  customer->name = g_strdup ("Worked on at another desk");
  g_assert_true (pv_store_insert_customer (f->shared, customer, PV_EVENT_NONE, NULL, &error));
  g_assert_no_error (error);

  copy = pv_database_copy_new (f->local, f->shared);
  g_assert_true (run_copy (copy, NULL, &n_copied, &n_already_there, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_copied, ==, N_CUSTOMERS - 1);
  g_assert_cmpuint (n_already_there, ==, 1);

  kept = pv_store_lookup (f->shared, "+14155550007", &error);
  g_assert_cmpstr (kept->name, ==, "Worked on at another desk");
  history = pv_store_list_events (f->shared, "+14155550007", &error);
  g_assert_cmpuint (history->len, ==, 0);
}

/* The file store cannot be copied into, and says so. */
static void
test_copy_into_sqlite (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-database-XXXXXX", &error);
  g_autofree char *from_path = g_build_filename (dir, "from.db", NULL);
  g_autofree char *to_path = g_build_filename (dir, "to.db", NULL);
  g_autoptr(PvStore) from = NULL;
  g_autoptr(PvStore) to = NULL;
  g_autoptr(PvDatabaseCopy) copy = NULL;
  g_autoptr(PvCustomer) customer = pv_customer_new ("+14155550001");
  guint n_copied = 1;

  from = PV_STORE (pv_sqlite_store_open (from_path, NULL, &error));
  to = PV_STORE (pv_sqlite_store_open (to_path, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (pv_store_insert_customer (from, customer, PV_EVENT_NONE, NULL, &error));
  g_assert_false (pv_store_can_import (to));

  copy = pv_database_copy_new (from, to);
  g_assert_false (run_copy (copy, NULL, &n_copied, NULL, &error));
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_FAILED);
  g_assert_cmpuint (n_copied, ==, 0);

  g_clear_object (&from);
  g_clear_object (&to);
  remove_store_dir (g_steal_pointer (&dir));
}

int
main (int   argc,
      char *argv[])
{
  gboolean in_keyring_session = g_getenv ("KEYRING_SESSION_DIR") != NULL;
  gboolean expect_no_keyring = g_strcmp0 (g_getenv ("PV_TEST_EXPECT_NO_KEYRING"), "1") == 0;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (expect_no_keyring)
    {
      g_test_add_func ("/database/no-keyring/lookup", test_no_keyring_lookup);
      /* Not fatal: libpq tries ~/.pgpass, and the test server needs no password. */
      g_test_add_func ("/database/no-keyring/open-shared", test_open_shared);
    }
  else if (in_keyring_session)
    {
      g_test_add_func ("/database/keyring/round-trip", test_keyring_round_trip);
      g_test_add_func ("/database/keyring/replace-and-remove", test_keyring_replace_and_remove);
      g_test_add_func ("/database/keyring/corrupt", test_keyring_corrupt);
      g_test_add_func ("/database/keyring/sync", test_keyring_sync);
      g_test_add_func ("/database/keyring/not-a-uri", test_keyring_not_a_uri);
      g_test_add_func ("/database/open/shared", test_open_shared);
      g_test_add_func ("/database/open/local", test_open_local);
    }
  else
    {
      g_test_add_func ("/database/uri/local", test_uri_local);
      g_test_add_func ("/database/uri/no-host", test_uri_no_host);
      g_test_add_func ("/database/uri/defaults", test_uri_defaults);
      g_test_add_func ("/database/uri/escaping", test_uri_escaping);
      g_test_add_func ("/database/uri/ipv6", test_uri_ipv6);
      g_test_add_func ("/database/uri/hosts", test_uri_hosts);
      g_test_add_func ("/database/uri/tls", test_uri_tls);
      g_test_add_func ("/database/test-connection", test_test_connection);
      g_test_add_func ("/database/copy/into-sqlite", test_copy_into_sqlite);
      g_test_add ("/database/copy/all", Fixture, NULL, setup, test_copy_all, teardown);
      g_test_add_func ("/database/copy/hundred-thousand", test_copy_hundred_thousand);
      g_test_add ("/database/copy/again", Fixture, NULL, setup, test_copy_again, teardown);
      g_test_add ("/database/copy/cancel-and-resume", Fixture, NULL, setup,
                  test_copy_cancel_and_resume, teardown);
      g_test_add ("/database/copy/keeps-shared", Fixture, NULL, setup, test_copy_keeps_shared,
                  teardown);
    }

  /* One server for the whole program; the tests that need it skip without one. */
  postgres = pv_test_postgres_start (&postgres_error);

  status = g_test_run ();

  pv_test_postgres_free (postgres);
  g_clear_error (&postgres_error);
  if (template_dir != NULL)
    remove_store_dir (template_dir);

  return status;
}
