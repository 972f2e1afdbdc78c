/* pv-memory.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Scrolling a long list reads pages on worker threads and frees them on the main thread,
 * so glibc's allocator keeps the freed pages in each thread's arena long after the list has
 * let them go: about a third of the window's memory after a few jumps through a million
 * customers. Once a burst of that is over, they are handed back to the system. */

#define G_LOG_DOMAIN "pv-memory"

#include "config.h"

#include <gio/gio.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "pv-memory.h"

/* Long enough after the last page that scrolling has stopped. */
#define TRIM_DELAY_MS 500

static guint trim_source;
static gboolean trimming;  /* one trim at a time: each locks every arena in turn */

#ifdef __GLIBC__
static void
trim_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  /* Every arena, not only this thread's: the work is proportional to the heap, so it is
   * kept off the main thread. */
  malloc_trim (0);
  g_task_return_boolean (task, TRUE);
}
#endif

#ifdef __GLIBC__
static void
trimmed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  trimming = FALSE;
}
#endif

static gboolean
trim_cb (gpointer user_data)
{
  trim_source = 0;

#ifdef __GLIBC__
  if (!trimming)
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, trimmed_cb, NULL);

      trimming = TRUE;
      g_task_set_source_tag (task, pv_memory_trim_soon);
      g_task_run_in_thread (task, trim_thread);
    }
#endif

  return G_SOURCE_REMOVE;
}

/**
 * pv_memory_trim_soon:
 *
 * Gives memory that was freed back to the system, once nothing has asked for this for a
 * moment. Call it from the main thread after letting go of a lot of small allocations.
 */
void
pv_memory_trim_soon (void)
{
  g_clear_handle_id (&trim_source, g_source_remove);
  trim_source = g_timeout_add (TRIM_DELAY_MS, trim_cb, NULL);
}
