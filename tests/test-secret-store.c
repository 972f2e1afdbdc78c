/* test-secret-store.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Runs inside keyring-session.sh, against a real, throwaway gnome-keyring; two tests run
 * it again in sessions of their own, where the keyring is locked or missing. With
 * PV_TEST_EXPECT_NO_KEYRING=1 it runs on a bus with no Secret Service instead, and only
 * checks that every call says so. With PV_TEST_EXPECT_NO_DEFAULT_KEYRING=1 it runs against
 * a gnome-keyring that has no login keyring (KEYRING_SESSION_MODE=nologin), and checks what
 * staff are told: on the desktop, or, with PV_TEST_EXPECT_FLATPAK=1, inside
 * flatpak-sandbox.sh. */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>

#include <fcntl.h>
#include <string.h>
#include <sys/file.h>

#include "pv-code.h"
#include "pv-secret-store.h"

#define ACCOUNT_SID "AC0123456789abcdef0123456789abcdef"
#define API_KEY_SID "SK0123456789abcdef0123456789abcdef"
#define SERVICE_SID "MG0123456789abcdef0123456789abcdef"
#define SECRET      "hunter2-not-a-real-token"

/* Written out again rather than shared with the code under test: these names are what
 * installations already have in their keyrings, so a change must break this test. */
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

#define CREDENTIALS_ATTRIBUTES "account", "twilio", NULL
#define DIGEST_KEY_ATTRIBUTES  "purpose", "code-digest", NULL

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

static PvTwilioCredentials *
lookup_credentials (GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pv_secret_store_lookup_credentials_async (cancellable, on_ready, &result);
  wait_for (&result);

  return pv_secret_store_lookup_credentials_finish (result, error);
}

static gboolean
save_credentials (const PvTwilioCredentials  *credentials,
                  GCancellable               *cancellable,
                  GError                    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pv_secret_store_save_credentials_async (credentials, cancellable, on_ready, &result);
  wait_for (&result);

  return pv_secret_store_save_credentials_finish (result, error);
}

static gboolean
clear_credentials (GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pv_secret_store_clear_credentials_async (cancellable, on_ready, &result);
  wait_for (&result);

  return pv_secret_store_clear_credentials_finish (result, error);
}

static GBytes *
ensure_digest_key (GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pv_secret_store_ensure_digest_key_async (cancellable, on_ready, &result);
  wait_for (&result);

  return pv_secret_store_ensure_digest_key_finish (result, error);
}

static void
reset_keyring (void)
{
  g_autoptr(GError) error = NULL;

  secret_password_clear_sync (&credentials_schema, NULL, &error, CREDENTIALS_ATTRIBUTES);
  g_assert_no_error (error);
  secret_password_clear_sync (&digest_key_schema, NULL, &error, DIGEST_KEY_ATTRIBUTES);
  g_assert_no_error (error);
}

static guint
count_items (const SecretSchema *schema,
             const char         *attribute,
             const char         *value)
{
  g_autolist(GObject) items = NULL;
  g_autoptr(GError) error = NULL;

  items = secret_password_search_sync (schema, SECRET_SEARCH_ALL, NULL, &error,
                                       attribute, value, NULL);
  g_assert_no_error (error);

  return g_list_length (items);
}

static char *
lookup_raw (const SecretSchema *schema,
            const char         *attribute,
            const char         *value)
{
  g_autoptr(GError) error = NULL;
  char *text;

  text = secret_password_lookup_sync (schema, NULL, &error, attribute, value, NULL);
  g_assert_no_error (error);

  return text;
}

static void
store_raw (const SecretSchema *schema,
           const char         *text,
           const char         *attribute,
           const char         *value)
{
  g_autoptr(GError) error = NULL;

  secret_password_store_sync (schema, SECRET_COLLECTION_DEFAULT, "raw test item", text,
                              NULL, &error, attribute, value, NULL);
  g_assert_no_error (error);
}

static void
store_raw_binary (const SecretSchema *schema,
                  const char         *data,
                  gsize               length,
                  const char         *content_type,
                  const char         *attribute,
                  const char         *value)
{
  g_autoptr(SecretValue) secret = secret_value_new (data, length, content_type);
  g_autoptr(GError) error = NULL;

  secret_password_store_binary_sync (schema, SECRET_COLLECTION_DEFAULT, "raw test item", secret,
                                     NULL, &error, attribute, value, NULL);
  g_assert_no_error (error);
}

static void
assert_credentials_equal (const PvTwilioCredentials *a,
                          const PvTwilioCredentials *b)
{
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpstr (a->account_sid, ==, b->account_sid);
  g_assert_cmpstr (a->api_key_sid, ==, b->api_key_sid);
  g_assert_cmpstr (a->secret, ==, b->secret);
  g_assert_cmpstr (a->from, ==, b->from);
  g_assert_cmpstr (a->messaging_service_sid, ==, b->messaging_service_sid);
}

static void
test_credentials_none (void)
{
  g_autoptr(PvTwilioCredentials) found = NULL;
  g_autoptr(GError) error = NULL;

  reset_keyring ();

  found = lookup_credentials (NULL, &error);
  g_assert_no_error (error);
  g_assert_null (found);
}

static void
test_credentials_round_trip (void)
{
  PvTwilioCredentials *variants[] = {
    pv_twilio_credentials_new (ACCOUNT_SID, API_KEY_SID, SECRET, "+15005550006", SERVICE_SID),
    pv_twilio_credentials_new (ACCOUNT_SID, NULL, SECRET, "+15005550006", NULL),
    pv_twilio_credentials_new (ACCOUNT_SID, API_KEY_SID, SECRET, NULL, SERVICE_SID),
  };

  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autoptr(PvTwilioCredentials) saved = variants[i];
      g_autoptr(PvTwilioCredentials) found = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *raw = NULL;
      JsonObject *object;

      reset_keyring ();

      g_assert_true (save_credentials (saved, NULL, &error));
      g_assert_no_error (error);

      found = lookup_credentials (NULL, &error);
      g_assert_no_error (error);
      assert_credentials_equal (found, saved);

      /* The item's text is a contract too: every version must be able to read it. */
      raw = lookup_raw (&credentials_schema, "account", "twilio");
      g_assert_true (json_parser_load_from_data (parser, raw, -1, &error));
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpstr (json_object_get_string_member (object, "account_sid"), ==, ACCOUNT_SID);
      g_assert_cmpstr (json_object_get_string_member (object, "secret"), ==, SECRET);
      g_assert_true (json_object_has_member (object, "api_key_sid"));
      g_assert_true (json_object_has_member (object, "from"));
      g_assert_true (json_object_has_member (object, "messaging_service_sid"));
    }
}

static void
test_credentials_replace (void)
{
  g_autoptr(PvTwilioCredentials) first = NULL;
  g_autoptr(PvTwilioCredentials) second = NULL;
  g_autoptr(PvTwilioCredentials) found = NULL;
  g_autoptr(GError) error = NULL;

  reset_keyring ();

  first = pv_twilio_credentials_new (ACCOUNT_SID, API_KEY_SID, SECRET, "+15005550006", NULL);
  second = pv_twilio_credentials_new ("AC99999999999999999999999999999999", NULL,
                                      "another-token", NULL, SERVICE_SID);

  g_assert_true (save_credentials (first, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (save_credentials (second, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (count_items (&credentials_schema, "account", "twilio"), ==, 1);

  found = lookup_credentials (NULL, &error);
  g_assert_no_error (error);
  assert_credentials_equal (found, second);
}

static void
test_credentials_clear (void)
{
  g_autoptr(PvTwilioCredentials) saved = NULL;
  g_autoptr(PvTwilioCredentials) found = NULL;
  g_autoptr(GError) error = NULL;

  reset_keyring ();

  saved = pv_twilio_credentials_new (ACCOUNT_SID, NULL, SECRET, "+15005550006", NULL);
  g_assert_true (save_credentials (saved, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (clear_credentials (NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_items (&credentials_schema, "account", "twilio"), ==, 0);

  found = lookup_credentials (NULL, &error);
  g_assert_no_error (error);
  g_assert_null (found);

  /* Clearing what is not there is what "forget the account" does twice. */
  g_assert_true (clear_credentials (NULL, &error));
  g_assert_no_error (error);
}

static void
test_credentials_corrupt (void)
{
  const char *damaged[] = {
    "",
    "hunter2, not JSON",
    "[\"hunter2\"]",
    "\"hunter2\"",
    "{\"secret\": \"hunter2\"}",
    "{\"account_sid\": \"" ACCOUNT_SID "\"}",
    "{\"account_sid\": \"   \", \"secret\": \"hunter2\"}",
    "{\"account_sid\": \"" ACCOUNT_SID "\", \"secret\": \"hunter2\", \"from\": 15005550006}",
    "{\"account_sid\": \"" ACCOUNT_SID "\", \"secret\": {\"value\": \"hunter2\"}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (damaged); i++)
    {
      g_autoptr(PvTwilioCredentials) found = NULL;
      g_autoptr(GError) error = NULL;

      reset_keyring ();
      store_raw (&credentials_schema, damaged[i], "account", "twilio");

      found = lookup_credentials (NULL, &error);
      g_assert_error (error, PV_SECRET_ERROR, PV_SECRET_ERROR_CORRUPT);
      g_assert_null (found);
      g_assert_null (strstr (error->message, "hunter2"));
    }
}

/* Secrets that are not one text: binary, or text with a NUL inside (which a plain string
 * lookup would cut short, leaving valid JSON). gnome-keyring does not keep content types,
 * so a binary secret reads back as "text/plain". */
static void
test_credentials_not_text (void)
{
  const char with_nul[] = "{\"account_sid\": \"" ACCOUNT_SID "\", \"secret\": \"" SECRET "\"}"
                          "\0{\"secret\": \"hunter2\"}";
  g_autoptr(PvTwilioCredentials) found = NULL;
  g_autoptr(GError) error = NULL;

  reset_keyring ();
  store_raw_binary (&credentials_schema, "\xff\xfe\x00\x01", 4, "application/octet-stream",
                    "account", "twilio");
  found = lookup_credentials (NULL, &error);
  g_assert_error (error, PV_SECRET_ERROR, PV_SECRET_ERROR_CORRUPT);
  g_assert_null (found);
  g_clear_error (&error);

  reset_keyring ();
  store_raw_binary (&credentials_schema, with_nul, sizeof with_nul - 1, "text/plain",
                    "account", "twilio");
  found = lookup_credentials (NULL, &error);
  g_assert_error (error, PV_SECRET_ERROR, PV_SECRET_ERROR_CORRUPT);
  g_assert_null (found);
}

static void
test_credentials_unknown_members (void)
{
  g_autoptr(PvTwilioCredentials) found = NULL;
  g_autoptr(GError) error = NULL;

  reset_keyring ();
  store_raw (&credentials_schema,
             "{\"account_sid\": \"" ACCOUNT_SID "\", \"secret\": \"" SECRET "\", "
             "\"from\": \"+15005550006\", \"region\": \"ie1\"}",
             "account", "twilio");

  found = lookup_credentials (NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpstr (found->account_sid, ==, ACCOUNT_SID);
  g_assert_cmpstr (found->secret, ==, SECRET);
  g_assert_cmpstr (found->from, ==, "+15005550006");
  g_assert_null (found->api_key_sid);
  g_assert_null (found->messaging_service_sid);
}

static void
test_digest_key_create (void)
{
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *expected = NULL;

  reset_keyring ();

  first = ensure_digest_key (NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_cmpuint (g_bytes_get_size (first), ==, PV_CODE_KEY_SIZE);

  stored = lookup_raw (&digest_key_schema, "purpose", "code-digest");
  expected = g_base64_encode (g_bytes_get_data (first, NULL), g_bytes_get_size (first));
  g_assert_cmpstr (stored, ==, expected);

  second = ensure_digest_key (NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (second);
  g_assert_true (g_bytes_equal (first, second));
  g_assert_cmpuint (count_items (&digest_key_schema, "purpose", "code-digest"), ==, 1);
}

static void
test_digest_key_existing (void)
{
  guint8 raw[PV_CODE_KEY_SIZE];
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  reset_keyring ();

  for (guint i = 0; i < sizeof raw; i++)
    raw[i] = 0xff - i;
  text = g_base64_encode (raw, sizeof raw);
  store_raw (&digest_key_schema, text, "purpose", "code-digest");

  key = ensure_digest_key (NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (key);
  g_assert_cmpmem (g_bytes_get_data (key, NULL), g_bytes_get_size (key), raw, sizeof raw);
}

static void
test_digest_key_corrupt (void)
{
  guint8 raw[PV_CODE_KEY_SIZE + 1] = { 0 };
  g_autofree char *short_key = g_base64_encode (raw, PV_CODE_KEY_SIZE - 1);
  g_autofree char *long_key = g_base64_encode (raw, PV_CODE_KEY_SIZE + 1);
  g_autofree char *right_key = g_base64_encode (raw, PV_CODE_KEY_SIZE);
  g_autofree char *with_newline = g_strconcat (right_key, "\n", NULL);
  g_autofree char *with_junk = g_strconcat ("*", right_key, NULL);
  const char *damaged[] = { "", "hunter2", short_key, long_key, with_newline, with_junk };

  for (guint i = 0; i < G_N_ELEMENTS (damaged); i++)
    {
      g_autoptr(GBytes) key = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *after = NULL;

      reset_keyring ();
      store_raw (&digest_key_schema, damaged[i], "purpose", "code-digest");

      key = ensure_digest_key (NULL, &error);
      g_assert_error (error, PV_SECRET_ERROR, PV_SECRET_ERROR_CORRUPT);
      g_assert_null (key);
      g_assert_null (strstr (error->message, "hunter2"));

      after = lookup_raw (&digest_key_schema, "purpose", "code-digest");
      g_assert_cmpstr (after, ==, damaged[i]);
      g_assert_cmpuint (count_items (&digest_key_schema, "purpose", "code-digest"), ==, 1);
    }
}

static void
test_digest_key_not_text (void)
{
  guint8 raw[PV_CODE_KEY_SIZE];
  g_autofree char *text = NULL;
  g_autofree char *with_nul = NULL;
  gsize text_length;
  struct {
    const char *data;
    gsize length;
    const char *content_type;
  } damaged[3];

  for (guint i = 0; i < sizeof raw; i++)
    raw[i] = 0x80 + i;
  text = g_base64_encode (raw, sizeof raw);
  text_length = strlen (text);
  with_nul = g_strconcat (text, "?junk", NULL);
  with_nul[text_length] = '\0';

  /* The raw key instead of its base64, as binary and as text that is not UTF-8; and the
   * right base64 followed by a NUL and more. */
  damaged[0].data = (const char *) raw;
  damaged[0].length = sizeof raw;
  damaged[0].content_type = "application/octet-stream";
  damaged[1].data = (const char *) raw;
  damaged[1].length = sizeof raw;
  damaged[1].content_type = "text/plain";
  damaged[2].data = with_nul;
  damaged[2].length = text_length + strlen ("?junk");
  damaged[2].content_type = "text/plain";

  for (guint i = 0; i < G_N_ELEMENTS (damaged); i++)
    {
      g_autoptr(SecretValue) after = NULL;
      g_autoptr(GBytes) key = NULL;
      g_autoptr(GError) error = NULL;
      gsize after_length = 0;

      reset_keyring ();
      store_raw_binary (&digest_key_schema, damaged[i].data, damaged[i].length,
                        damaged[i].content_type, "purpose", "code-digest");

      key = ensure_digest_key (NULL, &error);
      g_assert_error (error, PV_SECRET_ERROR, PV_SECRET_ERROR_CORRUPT);
      g_assert_null (key);
      g_clear_error (&error);

      after = secret_password_lookup_binary_sync (&digest_key_schema, NULL, &error,
                                                  "purpose", "code-digest", NULL);
      g_assert_no_error (error);
      g_assert_nonnull (after);
      g_assert_cmpmem (secret_value_get (after, &after_length), after_length,
                       damaged[i].data, damaged[i].length);
    }
}

#define RACE_PROBES 10
#define RACE_ROUNDS 5

/* The SHA-256 of the key the keyring holds, as pv-digest-key-probe prints it. */
static char *
stored_key_fingerprint (void)
{
  g_autofree char *text = lookup_raw (&digest_key_schema, "purpose", "code-digest");
  g_autofree guchar *raw = NULL;
  gsize length = 0;

  g_assert_nonnull (text);
  raw = g_base64_decode (text, &length);
  g_assert_cmpuint (length, ==, PV_CODE_KEY_SIZE);

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, raw, length);
}

/* Every process that starts on a keyring without a key must end up with the one key the
 * keyring keeps, or the codes the others digest can never be verified. The probes connect
 * first and wait on their standard input, so closing it releases them all at once. */
static void
test_digest_key_race (void)
{
  g_autofree char *probe = g_test_build_filename (G_TEST_BUILT, "pv-digest-key-probe", NULL);

  for (guint round = 0; round < RACE_ROUNDS; round++)
    {
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      GSubprocess *probes[RACE_PROBES];
      char *fingerprints[RACE_PROBES];
      g_autofree char *stored = NULL;
      g_autoptr(GError) error = NULL;

      secret_password_clear_sync (&digest_key_schema, NULL, &error, DIGEST_KEY_ATTRIBUTES);
      g_assert_no_error (error);
      g_assert_cmpuint (count_items (&digest_key_schema, "purpose", "code-digest"), ==, 0);

      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                            | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
      for (guint i = 0; i < RACE_PROBES; i++)
        {
          probes[i] = g_subprocess_launcher_spawn (launcher, &error, probe, "--wait", NULL);
          g_assert_no_error (error);
        }

      for (guint i = 0; i < RACE_PROBES; i++)
        {
          g_output_stream_close (g_subprocess_get_stdin_pipe (probes[i]), NULL, &error);
          g_assert_no_error (error);
        }

      for (guint i = 0; i < RACE_PROBES; i++)
        {
          g_autoptr(GDataInputStream) output = NULL;

          output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (probes[i]));
          fingerprints[i] = g_data_input_stream_read_line_utf8 (output, NULL, NULL, &error);
          g_assert_no_error (error);
          g_subprocess_wait_check (probes[i], NULL, &error);
          g_assert_no_error (error);
          g_assert_nonnull (fingerprints[i]);
          g_assert_cmpuint (strlen (fingerprints[i]), ==, 64);
        }

      for (guint i = 1; i < RACE_PROBES; i++)
        {
          if (g_strcmp0 (fingerprints[i], fingerprints[0]) != 0)
            g_test_message ("round %u: probe %u got %.12s…, probe 0 got %.12s…",
                            round, i, fingerprints[i], fingerprints[0]);
        }

      for (guint i = 0; i < RACE_PROBES; i++)
        g_assert_cmpstr (fingerprints[i], ==, fingerprints[0]);

      g_assert_cmpuint (count_items (&digest_key_schema, "purpose", "code-digest"), ==, 1);
      stored = stored_key_fingerprint ();
      g_assert_cmpstr (stored, ==, fingerprints[0]);

      for (guint i = 0; i < RACE_PROBES; i++)
        {
          g_free (fingerprints[i]);
          g_object_unref (probes[i]);
        }
    }
}

/* Written out again, like the schemas: every version must lock the same file, or a new one
 * and an old one starting together would not wait for each other. */
static int
take_digest_key_lock (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_runtime_dir (), "phone-verify", NULL);
  g_autofree char *path = g_build_filename (dir, "digest-key.lock", NULL);
  int fd;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (flock (fd, LOCK_EX | LOCK_NB), ==, 0);

  return fd;
}

static gboolean
on_timeout (gpointer user_data)
{
  gboolean *done = user_data;

  *done = TRUE;

  return G_SOURCE_REMOVE;
}

/* Keeps the main loop turning for @ms, which it could not if anything blocked it. */
static void
run_main_loop_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_timeout, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* While another process holds the lock, creating the key waits without blocking the main
 * thread, creates nothing, and can be cancelled; once the lock is free it goes ahead. */
static void
test_digest_key_waits_for_lock (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) cancelled = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  reset_keyring ();
  fd = take_digest_key_lock ();

  pv_secret_store_ensure_digest_key_async (cancellable, on_ready, &cancelled);
  pv_secret_store_ensure_digest_key_async (NULL, on_ready, &result);
  run_main_loop_for (300);
  g_assert_null (cancelled);
  g_assert_null (result);
  g_assert_cmpuint (count_items (&digest_key_schema, "purpose", "code-digest"), ==, 0);

  g_cancellable_cancel (cancellable);
  wait_for (&cancelled);
  key = pv_secret_store_ensure_digest_key_finish (cancelled, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (key);
  g_clear_error (&error);
  g_assert_null (result);

  g_assert_cmpint (flock (fd, LOCK_UN), ==, 0);
  g_close (fd, NULL);

  wait_for (&result);
  key = pv_secret_store_ensure_digest_key_finish (result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (key);
  g_assert_cmpuint (count_items (&digest_key_schema, "purpose", "code-digest"), ==, 1);

  /* It let go of the lock when it answered. */
  fd = take_digest_key_lock ();
  g_close (fd, NULL);
}

static void
test_cancelled_before (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(PvTwilioCredentials) saved = NULL;
  g_autoptr(PvTwilioCredentials) found = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GError) error = NULL;

  reset_keyring ();
  g_cancellable_cancel (cancellable);

  saved = pv_twilio_credentials_new (ACCOUNT_SID, NULL, SECRET, "+15005550006", NULL);
  g_assert_false (save_credentials (saved, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (count_items (&credentials_schema, "account", "twilio"), ==, 0);

  found = lookup_credentials (cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (found);
  g_clear_error (&error);

  g_assert_false (clear_credentials (cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  key = ensure_digest_key (cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (key);
  g_assert_cmpuint (count_items (&digest_key_schema, "purpose", "code-digest"), ==, 0);
}

static void
test_cancelled_in_flight (void)
{
  g_autoptr(PvTwilioCredentials) saved = NULL;
  GAsyncResult *results[4] = { NULL };
  GCancellable *cancellables[4];
  g_autoptr(PvTwilioCredentials) found = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GError) error = NULL;

  reset_keyring ();

  for (guint i = 0; i < G_N_ELEMENTS (cancellables); i++)
    cancellables[i] = g_cancellable_new ();

  saved = pv_twilio_credentials_new (ACCOUNT_SID, NULL, SECRET, "+15005550006", NULL);
  pv_secret_store_save_credentials_async (saved, cancellables[0], on_ready, &results[0]);
  pv_secret_store_lookup_credentials_async (cancellables[1], on_ready, &results[1]);
  pv_secret_store_clear_credentials_async (cancellables[2], on_ready, &results[2]);
  pv_secret_store_ensure_digest_key_async (cancellables[3], on_ready, &results[3]);

  for (guint i = 0; i < G_N_ELEMENTS (cancellables); i++)
    g_cancellable_cancel (cancellables[i]);

  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    wait_for (&results[i]);

  g_assert_false (pv_secret_store_save_credentials_finish (results[0], &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  found = pv_secret_store_lookup_credentials_finish (results[1], &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (found);
  g_clear_error (&error);

  g_assert_false (pv_secret_store_clear_credentials_finish (results[2], &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  key = pv_secret_store_ensure_digest_key_finish (results[3], &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (key);

  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_object_unref (results[i]);
      g_object_unref (cancellables[i]);
    }
}

/* Runs this program again, as @child, in a new D-Bus session whose gnome-keyring starts on
 * its own, as on a desktop where nothing unlocked it at login; @data_home decides which
 * keyring files it finds. That session has no display, so unlock prompts fail at once,
 * just as when staff dismiss them. */
static void
run_in_plain_session (const char *child,
                      const char *data_home)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *self = g_test_build_filename (G_TEST_BUILT, "test-secret-store", NULL);
  g_autofree char *runtime_dir = NULL;
  g_autofree char *output = NULL;
  g_auto(GStrv) lines = NULL;

  /* Its own runtime directory, or its daemon would find ours through the control socket. */
  runtime_dir = g_build_filename (g_getenv ("KEYRING_SESSION_DIR"), child, NULL);
  g_assert_cmpint (g_mkdir_with_parents (runtime_dir, 0700), ==, 0);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_setenv (launcher, "PV_TEST_CHILD", child, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");

  subprocess = g_subprocess_launcher_spawn (launcher, &error, "dbus-run-session", "--", self, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (subprocess, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);

  if (!g_subprocess_get_successful (subprocess))
    {
      lines = g_strsplit (output, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        g_test_message ("%s: %s", child, lines[i]);
    }

  g_assert_true (g_subprocess_get_successful (subprocess));
}

static void
test_plain_session_locked (void)
{
  g_autoptr(PvTwilioCredentials) saved = NULL;
  g_autoptr(PvTwilioCredentials) found = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GBytes) key_after = NULL;
  g_autoptr(GError) error = NULL;

  reset_keyring ();

  saved = pv_twilio_credentials_new (ACCOUNT_SID, NULL, SECRET, "+15005550006", NULL);
  g_assert_true (save_credentials (saved, NULL, &error));
  g_assert_no_error (error);
  key = ensure_digest_key (NULL, &error);
  g_assert_no_error (error);

  run_in_plain_session ("locked", g_get_user_data_dir ());

  /* Nothing was replaced or removed behind the locked door. */
  found = lookup_credentials (NULL, &error);
  g_assert_no_error (error);
  assert_credentials_equal (found, saved);
  key_after = ensure_digest_key (NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (key, key_after));
}

/* In the child: the login keyring holds both items, but nobody unlocked it. */
static void
test_child_locked (void)
{
  g_autoptr(PvTwilioCredentials) saved = NULL;
  g_autoptr(PvTwilioCredentials) found = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GError) error = NULL;

  found = lookup_credentials (NULL, &error);
  g_assert_error (error, PV_SECRET_ERROR, PV_SECRET_ERROR_LOCKED);
  g_assert_null (found);
  g_clear_error (&error);

  key = ensure_digest_key (NULL, &error);
  g_assert_error (error, PV_SECRET_ERROR, PV_SECRET_ERROR_LOCKED);
  g_assert_null (key);
  g_clear_error (&error);

  saved = pv_twilio_credentials_new (ACCOUNT_SID, NULL, "another-token", "+15005550006", NULL);
  g_assert_false (save_credentials (saved, NULL, &error));
  g_assert_error (error, PV_SECRET_ERROR, PV_SECRET_ERROR_LOCKED);
  g_clear_error (&error);

  g_assert_false (clear_credentials (NULL, &error));
  g_assert_error (error, PV_SECRET_ERROR, PV_SECRET_ERROR_LOCKED);
}

static void
test_plain_session_no_keyring (void)
{
  g_autofree char *empty = g_build_filename (g_getenv ("KEYRING_SESSION_DIR"), "empty", NULL);

  g_assert_cmpint (g_mkdir_with_parents (empty, 0700), ==, 0);
  run_in_plain_session ("no-keyring", empty);
}

/* Written out again rather than taken from the code under test: these are what staff read,
 * and each points them somewhere else, so the wrong one must fail here. */
#define NO_DEFAULT_KEYRING_MESSAGE \
  "The keyring is not available because there is no default keyring. Create one in " \
  "Passwords and Keys, then try again."
#define NO_PORTAL_ANSWER_MESSAGE \
  "The keyring is not available: the desktop’s Secret portal did not answer. Make sure a " \
  "keyring service such as GNOME Keyring is running, then try again."

/* gnome-keyring runs, but there is no login keyring and no prompt to create one. Nothing
 * can be stored there, so nothing is, not even in gnome-keyring's in-memory "session"
 * collection; staff get the hint for where the app runs; looking and clearing succeed. */
static void
check_no_default_keyring (const char *expected_message)
{
  g_autoptr(PvTwilioCredentials) saved = NULL;
  g_autoptr(PvTwilioCredentials) found = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GError) error = NULL;

  found = lookup_credentials (NULL, &error);
  g_assert_no_error (error);
  g_assert_null (found);

  saved = pv_twilio_credentials_new (ACCOUNT_SID, NULL, SECRET, "+15005550006", NULL);
  g_assert_false (save_credentials (saved, NULL, &error));
  g_assert_error (error, PV_SECRET_ERROR, PV_SECRET_ERROR_UNAVAILABLE);
  g_assert_cmpstr (error->message, ==, expected_message);
  g_clear_error (&error);

  key = ensure_digest_key (NULL, &error);
  g_assert_error (error, PV_SECRET_ERROR, PV_SECRET_ERROR_UNAVAILABLE);
  g_assert_cmpstr (error->message, ==, expected_message);
  g_assert_null (key);
  g_clear_error (&error);

  g_assert_cmpuint (count_items (&credentials_schema, "account", "twilio"), ==, 0);
  g_assert_cmpuint (count_items (&digest_key_schema, "purpose", "code-digest"), ==, 0);

  g_assert_true (clear_credentials (NULL, &error));
  g_assert_no_error (error);
}

/* In the child of a plain session, on the desktop. */
static void
test_child_no_keyring (void)
{
  check_no_default_keyring (NO_DEFAULT_KEYRING_MESSAGE);
}

/* The same, in a session of its own (KEYRING_SESSION_MODE=nologin), on the desktop or,
 * with PV_TEST_EXPECT_FLATPAK=1, under flatpak-sandbox.sh. There libsecret asks the Secret
 * portal first; this bus has none, so it falls back to gnome-keyring, and the error comes
 * from there. (Had it used the portal, the stores would have succeeded, into a file of its
 * own, and this test would fail.) */
static void
test_no_default_keyring (void)
{
  gboolean in_flatpak = g_strcmp0 (g_getenv ("PV_TEST_EXPECT_FLATPAK"), "1") == 0;

  /* What the code under test looks at to tell a Flatpak: make sure the sandbox (or its
   * absence) is the one this run means, so a broken sandbox cannot test the wrong branch. */
  g_assert_cmpint (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS), ==, in_flatpak);
  check_no_default_keyring (in_flatpak ? NO_PORTAL_ANSWER_MESSAGE : NO_DEFAULT_KEYRING_MESSAGE);
}

static void
test_unavailable_every_call (void)
{
  g_autoptr(PvTwilioCredentials) saved = NULL;
  g_autoptr(PvTwilioCredentials) found = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GError) error = NULL;

  found = lookup_credentials (NULL, &error);
  g_assert_error (error, PV_SECRET_ERROR, PV_SECRET_ERROR_UNAVAILABLE);
  g_assert_null (found);
  g_clear_error (&error);

  saved = pv_twilio_credentials_new (ACCOUNT_SID, NULL, SECRET, "+15005550006", NULL);
  g_assert_false (save_credentials (saved, NULL, &error));
  g_assert_error (error, PV_SECRET_ERROR, PV_SECRET_ERROR_UNAVAILABLE);
  g_assert_null (strstr (error->message, SECRET));
  g_clear_error (&error);

  g_assert_false (clear_credentials (NULL, &error));
  g_assert_error (error, PV_SECRET_ERROR, PV_SECRET_ERROR_UNAVAILABLE);
  g_clear_error (&error);

  key = ensure_digest_key (NULL, &error);
  g_assert_error (error, PV_SECRET_ERROR, PV_SECRET_ERROR_UNAVAILABLE);
  g_assert_null (key);
}

int
main (int   argc,
      char *argv[])
{
  const char *child = g_getenv ("PV_TEST_CHILD");

  g_test_init (&argc, &argv, NULL);

  /* These tests empty the keyring they find: never let that be the developer's own. */
  if (g_getenv ("KEYRING_SESSION_DIR") == NULL)
    {
      g_printerr ("Run this test through tests/keyring-session.sh (meson test does).\n");
      return 1;
    }

  if (g_strcmp0 (child, "locked") == 0)
    {
      g_test_add_func ("/secret-store/child/locked", test_child_locked);
      return g_test_run ();
    }

  if (g_strcmp0 (child, "no-keyring") == 0)
    {
      g_test_add_func ("/secret-store/child/no-keyring", test_child_no_keyring);
      return g_test_run ();
    }

  if (g_strcmp0 (g_getenv ("PV_TEST_EXPECT_NO_KEYRING"), "1") == 0)
    {
      g_test_add_func ("/secret-store/unavailable/every-call", test_unavailable_every_call);
      return g_test_run ();
    }

  if (g_strcmp0 (g_getenv ("PV_TEST_EXPECT_NO_DEFAULT_KEYRING"), "1") == 0)
    {
      g_test_add_func ("/secret-store/no-default-keyring/every-store", test_no_default_keyring);
      return g_test_run ();
    }

  g_test_add_func ("/secret-store/credentials/none", test_credentials_none);
  g_test_add_func ("/secret-store/credentials/round-trip", test_credentials_round_trip);
  g_test_add_func ("/secret-store/credentials/replace", test_credentials_replace);
  g_test_add_func ("/secret-store/credentials/clear", test_credentials_clear);
  g_test_add_func ("/secret-store/credentials/corrupt", test_credentials_corrupt);
  g_test_add_func ("/secret-store/credentials/not-text", test_credentials_not_text);
  g_test_add_func ("/secret-store/credentials/unknown-members", test_credentials_unknown_members);
  g_test_add_func ("/secret-store/digest-key/create", test_digest_key_create);
  g_test_add_func ("/secret-store/digest-key/existing", test_digest_key_existing);
  g_test_add_func ("/secret-store/digest-key/corrupt", test_digest_key_corrupt);
  g_test_add_func ("/secret-store/digest-key/not-text", test_digest_key_not_text);
  g_test_add_func ("/secret-store/digest-key/race", test_digest_key_race);
  g_test_add_func ("/secret-store/digest-key/waits-for-lock", test_digest_key_waits_for_lock);
  g_test_add_func ("/secret-store/cancellation/before", test_cancelled_before);
  g_test_add_func ("/secret-store/cancellation/in-flight", test_cancelled_in_flight);
  g_test_add_func ("/secret-store/plain-session/locked", test_plain_session_locked);
  g_test_add_func ("/secret-store/plain-session/no-keyring", test_plain_session_no_keyring);

  return g_test_run ();
}
