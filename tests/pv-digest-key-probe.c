/* pv-digest-key-probe.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Asks the secret store for the digest key once, as the app does when it starts, and prints
 * the key's SHA-256 in hex: test-secret-store starts many of these at once and compares what
 * they print. Only the fingerprint leaves the process, never the key.
 *
 * With --wait it reads standard input to its end first, after connecting to the Secret
 * Service, so that a test can release all its probes at the same moment: process start-up
 * alone spreads them out enough to hide a race. */

#include "config.h"

#include <libsecret/secret.h>

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "pv-secret-store.h"

static void
on_ready (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/* Standard input reaches its end when the test closes the pipe. */
static gboolean
wait_for_go (void)
{
  char buffer[64];
  gssize n;

  do
    n = read (STDIN_FILENO, buffer, sizeof buffer);
  while (n > 0 || (n < 0 && errno == EINTR));

  return n == 0;
}

/* The app's main thread is busy building its window while the keyring answers, so each
 * step of looking up and storing the key runs a little late, and later in some processes
 * than in others. Idle probes would answer in lockstep and hide the race. */
static gboolean
busy_main_thread (gpointer user_data)
{
  g_usleep (g_random_int_range (0, 6) * G_TIME_SPAN_MILLISECOND);

  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autofree char *fingerprint = NULL;

  /* It may create a digest key: never in the developer's own keyring. */
  if (g_getenv ("KEYRING_SESSION_DIR") == NULL)
    {
      g_printerr ("Run this probe through tests/keyring-session.sh.\n");
      return EXIT_FAILURE;
    }

  if (argc == 2 && g_strcmp0 (argv[1], "--wait") == 0)
    {
      /* The store uses this same connection and session (libsecret keeps one per process),
       * so once released the probes race on the lookup-or-create alone. */
      service = secret_service_get_sync (SECRET_SERVICE_OPEN_SESSION, NULL, &error);
      if (service == NULL)
        {
          g_printerr ("%s\n", error->message);
          return EXIT_FAILURE;
        }

      if (!wait_for_go ())
        {
          g_printerr ("Could not read standard input: %s\n", g_strerror (errno));
          return EXIT_FAILURE;
        }
    }
  else if (argc != 1)
    {
      g_printerr ("Usage: %s [--wait]\n", argv[0]);
      return EXIT_FAILURE;
    }

  g_timeout_add (1, busy_main_thread, NULL);
  pv_secret_store_ensure_digest_key_async (NULL, on_ready, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  key = pv_secret_store_ensure_digest_key_finish (result, &error);
  if (key == NULL)
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }

  fingerprint = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, key);
  g_print ("%s\n", fingerprint);

  return EXIT_SUCCESS;
}
