/* pv-process-owner.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Names the process that marks a send as in flight, so that the next process to start can
 * tell a send still under way from one whose process was killed. The boot id keeps a pid
 * from an earlier boot, or from another machine sharing the database, from being taken for
 * a live one. */

#define G_LOG_DOMAIN "pv-process-owner"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "pv-process-owner.h"

static char *
read_boot_id (void)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents ("/proc/sys/kernel/random/boot_id", &contents, NULL, NULL))
    return g_strdup ("unknown-boot");

  return g_strdup (g_strstrip (contents));
}

/**
 * pv_process_owner_new:
 *
 * Returns: (transfer full): "BOOT-ID:PID" for this process
 */
char *
pv_process_owner_new (void)
{
  g_autofree char *boot_id = read_boot_id ();

  return g_strdup_printf ("%s:%ld", boot_id, (long) getpid ());
}

/**
 * pv_process_owner_is_gone:
 * @owner: (nullable): as made by pv_process_owner_new(), possibly in another process
 *
 * Returns: %TRUE only when @owner is certainly not running: a process of this boot that
 *   no longer exists. An owner of another boot or machine, or one that cannot be read, is
 *   not known to be gone.
 */
gboolean
pv_process_owner_is_gone (const char *owner)
{
  g_autofree char *boot_id = read_boot_id ();
  const char *colon;
  char *end = NULL;
  long pid;

  if (owner == NULL || (colon = strrchr (owner, ':')) == NULL)
    return FALSE;

  if ((gsize) (colon - owner) != strlen (boot_id) || strncmp (owner, boot_id, colon - owner) != 0)
    return FALSE;

  errno = 0;
  pid = strtol (colon + 1, &end, 10);
  if (errno != 0 || end == colon + 1 || *end != '\0' || pid <= 0)
    return FALSE;

  return kill ((pid_t) pid, 0) != 0 && errno == ESRCH;
}
