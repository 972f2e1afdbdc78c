/* pv-database-copy.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Copies every customer, with their history, from one store into another: an office
 * moving from the file its first desk kept to the database all its desks share. The
 * source is read by number a page at a time, so that a hundred thousand customers never sit
 * in memory together, and each page goes into the target in one transaction that skips the
 * numbers it has already (see pv_store_import_customers()). So an interrupted copy leaves
 * whole pages behind, and running it again copies the rest and nothing twice.
 *
 * The source keeps changing while it is copied, as desks work on: a customer added behind
 * the page being read is not copied this time, and the next run picks it up. */

#define G_LOG_DOMAIN "pv-database-copy"

#include "config.h"

#include "pv-database-copy.h"

struct _PvDatabaseCopy
{
  GObject   parent_instance;

  PvStore  *from;
  PvStore  *to;
  guint     n_done;     /* customers read so far, copied or already there */
  guint     n_total;
  gboolean  running;
};

G_DEFINE_FINAL_TYPE (PvDatabaseCopy, pv_database_copy, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_FROM,
  PROP_TO,
  PROP_PROGRESS,
  PROP_N_DONE,
  PROP_N_TOTAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  guint n_copied;
  guint n_already_there;
} Counts;

typedef struct
{
  PvDatabaseCopy *self;
  guint           n_done;
  guint           n_total;
} Progress;

static void
progress_free (Progress *progress)
{
  g_object_unref (progress->self);
  g_free (progress);
}

static void
set_progress (PvDatabaseCopy *self,
              guint           n_done,
              guint           n_total)
{
  gboolean done_changed = self->n_done != n_done;
  gboolean total_changed = self->n_total != n_total;

  self->n_done = n_done;
  self->n_total = n_total;

  g_object_freeze_notify (G_OBJECT (self));
  if (done_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DONE]);
  if (total_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TOTAL]);
  if (done_changed || total_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
apply_progress_cb (gpointer user_data)
{
  Progress *progress = user_data;

  set_progress (progress->self, progress->n_done, progress->n_total);

  return G_SOURCE_REMOVE;
}

/* From the worker: the properties change, and are notified, where the caller lives. Each
 * report is queued before the task returns, in the same context at the same priority, so
 * the last one arrives before the result. */
static void
report_progress (GTask *task,
                 guint  n_done,
                 guint  n_total)
{
  Progress *progress = g_new0 (Progress, 1);

  progress->self = g_object_ref (g_task_get_source_object (task));
  progress->n_done = n_done;
  /* Desks add customers while we copy. */
  progress->n_total = MAX (n_done, n_total);

  g_main_context_invoke_full (g_task_get_context (task), G_PRIORITY_DEFAULT,
                              apply_progress_cb, progress, (GDestroyNotify) progress_free);
}

static GPtrArray *
list_histories (PvStore    *store,
                GPtrArray  *customers,
                GError    **error)
{
  g_autoptr(GPtrArray) histories = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  for (guint i = 0; i < customers->len; i++)
    {
      const PvCustomer *customer = g_ptr_array_index (customers, i);
      GPtrArray *events = pv_store_list_events (store, customer->number, error);

      if (events == NULL)
        return NULL;
      g_ptr_array_add (histories, events);
    }

  return g_steal_pointer (&histories);
}

static void
copy_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PvDatabaseCopy *self = source_object;
  Counts *counts = task_data;
  g_autofree char *after = NULL;
  GError *error = NULL;
  guint n_total = 0;
  guint n_done = 0;

  if (!pv_store_count_customers (self->from, NULL, &n_total, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  report_progress (task, 0, n_total);

  for (;;)
    {
      g_autoptr(GPtrArray) page = NULL;
      g_autoptr(GPtrArray) histories = NULL;
      guint n_imported = 0;

      if (g_cancellable_set_error_if_cancelled (cancellable, &error))
        break;

      page = pv_store_list_customers_after (self->from, NULL, after,
                                            PV_DATABASE_COPY_PAGE_SIZE, &error);
      if (page == NULL)
        break;
      if (page->len == 0)
        {
          g_debug ("Copied %u customers; %u were there already",
                   counts->n_copied, counts->n_already_there);
          g_task_return_boolean (task, TRUE);
          return;
        }

      histories = list_histories (self->from, page, &error);
      if (histories == NULL)
        break;

      /* Reading the histories takes a while: a copy cancelled meanwhile writes nothing more. */
      if (g_cancellable_set_error_if_cancelled (cancellable, &error))
        break;

      if (!pv_store_import_customers (self->to, page, histories, &n_imported, &error))
        break;

      counts->n_copied += n_imported;
      counts->n_already_there += page->len - n_imported;
      n_done += page->len;
      report_progress (task, n_done, n_total);

      g_free (after);
      after = g_strdup (((PvCustomer *) g_ptr_array_index (page, page->len - 1))->number);
    }

  g_task_return_error (task, error);
}

static void
pv_database_copy_dispose (GObject *object)
{
  PvDatabaseCopy *self = PV_DATABASE_COPY (object);

  g_clear_object (&self->from);
  g_clear_object (&self->to);

  G_OBJECT_CLASS (pv_database_copy_parent_class)->dispose (object);
}

static void
pv_database_copy_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PvDatabaseCopy *self = PV_DATABASE_COPY (object);

  switch (prop_id)
    {
    case PROP_FROM:
      g_value_set_object (value, self->from);
      break;

    case PROP_TO:
      g_value_set_object (value, self->to);
      break;

    case PROP_PROGRESS:
      g_value_set_double (value, pv_database_copy_get_progress (self));
      break;

    case PROP_N_DONE:
      g_value_set_uint (value, self->n_done);
      break;

    case PROP_N_TOTAL:
      g_value_set_uint (value, self->n_total);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_database_copy_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  PvDatabaseCopy *self = PV_DATABASE_COPY (object);

  switch (prop_id)
    {
    case PROP_FROM:
      self->from = g_value_dup_object (value);
      break;

    case PROP_TO:
      self->to = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_database_copy_class_init (PvDatabaseCopyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pv_database_copy_dispose;
  object_class->get_property = pv_database_copy_get_property;
  object_class->set_property = pv_database_copy_set_property;

  properties[PROP_FROM] =
    g_param_spec_object ("from", NULL, NULL,
                         PV_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_TO] =
    g_param_spec_object ("to", NULL, NULL,
                         PV_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PvDatabaseCopy:progress:
   *
   * How far the copy has got, from 0 to 1.
   */
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL,
                         0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * PvDatabaseCopy:n-done:
   *
   * The customers read so far in this run, whether they were copied or already there.
   */
  properties[PROP_N_DONE] =
    g_param_spec_uint ("n-done", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * PvDatabaseCopy:n-total:
   *
   * The customers to copy, as counted when the run started.
   */
  properties[PROP_N_TOTAL] =
    g_param_spec_uint ("n-total", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pv_database_copy_init (PvDatabaseCopy *self)
{
}

/**
 * pv_database_copy_new:
 * @from: the store to copy the customers from
 * @to: the store to copy them into; it must be one that can import
 *   (pv_store_can_import())
 *
 * Neither store may be used on another thread while the copy runs.
 */
PvDatabaseCopy *
pv_database_copy_new (PvStore *from,
                      PvStore *to)
{
  g_return_val_if_fail (PV_IS_STORE (from), NULL);
  g_return_val_if_fail (PV_IS_STORE (to), NULL);
  g_return_val_if_fail (from != to, NULL);

  return g_object_new (PV_TYPE_DATABASE_COPY, "from", from, "to", to, NULL);
}

double
pv_database_copy_get_progress (PvDatabaseCopy *self)
{
  g_return_val_if_fail (PV_IS_DATABASE_COPY (self), 0.0);

  if (self->n_total == 0)
    return self->running ? 0.0 : 1.0;

  return MIN (1.0, (double) self->n_done / self->n_total);
}

guint
pv_database_copy_get_n_done (PvDatabaseCopy *self)
{
  g_return_val_if_fail (PV_IS_DATABASE_COPY (self), 0);

  return self->n_done;
}

guint
pv_database_copy_get_n_total (PvDatabaseCopy *self)
{
  g_return_val_if_fail (PV_IS_DATABASE_COPY (self), 0);

  return self->n_total;
}

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  PvDatabaseCopy *self = PV_DATABASE_COPY (source);
  Counts *counts = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  self->running = FALSE;

  g_task_set_task_data (outer, g_memdup2 (counts, sizeof *counts), g_free);
  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_boolean (outer, TRUE);
  else
    g_task_return_error (outer, error);
}

/**
 * pv_database_copy_run_async:
 * @cancellable: (nullable): stops the copy before its next page
 *
 * Copies the customers @from has and @to does not, with their histories, on a worker
 * thread. #PvDatabaseCopy:n-done and #PvDatabaseCopy:progress follow it, notified in the
 * thread-default main context of the caller. One run at a time; a run after a cancelled or
 * failed one copies what that one did not.
 */
void
pv_database_copy_run_async (PvDatabaseCopy      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PV_IS_DATABASE_COPY (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, pv_database_copy_run_async);

  if (self->running)
    {
      g_task_return_new_error (outer, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The customers are being copied already");
      return;
    }

  self->running = TRUE;
  set_progress (self, 0, 0);

  /* The worker has a task of its own, so that the copy no longer counts as running when
   * the caller hears the result, and the caller may start the next run from its callback. */
  task = g_task_new (self, cancellable, on_run_done, g_steal_pointer (&outer));
  g_task_set_source_tag (task, copy_thread);
  g_task_set_task_data (task, g_new0 (Counts, 1), g_free);
  g_task_run_in_thread (task, copy_thread);
}

/**
 * pv_database_copy_run_finish:
 * @n_copied: (out) (optional): how many customers this run copied
 * @n_already_there: (out) (optional): how many it found in the target already, and left
 *   as they were there
 *
 * The counts are set also when the run failed or was cancelled, for the pages it copied.
 *
 * Returns: %TRUE when every customer was copied or there already; else %FALSE with @error
 *   set, %G_IO_ERROR_CANCELLED when cancelled
 */
gboolean
pv_database_copy_run_finish (PvDatabaseCopy  *self,
                             GAsyncResult    *result,
                             guint           *n_copied,
                             guint           *n_already_there,
                             GError         **error)
{
  Counts *counts;

  g_return_val_if_fail (PV_IS_DATABASE_COPY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pv_database_copy_run_async,
                        FALSE);

  counts = g_task_get_task_data (G_TASK (result));
  if (n_copied != NULL)
    *n_copied = counts != NULL ? counts->n_copied : 0;
  if (n_already_there != NULL)
    *n_already_there = counts != NULL ? counts->n_already_there : 0;

  return g_task_propagate_boolean (G_TASK (result), error);
}
