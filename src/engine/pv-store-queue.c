/* pv-store-queue.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A desk's own store calls, off the main thread and one after another. A write can wait:
 * on SQLite for another process's transaction (up to the busy timeout), on a shared
 * PostgreSQL server for a row lock or for the network. The window must keep drawing
 * meanwhile, so the verifier and the Verify step hand their intents and point lookups to
 * this queue. One worker keeps them in the order they were asked: a send is claimed
 * before it is finished, and a lookup made after a write reads what that write left. */

#define G_LOG_DOMAIN "pv-store-queue"

#include "config.h"

#include "pv-store-queue.h"

struct _PvStoreQueue
{
  GObject      parent_instance;

  PvStore     *store;
  GThreadPool *pool;
};

G_DEFINE_FINAL_TYPE (PvStoreQueue, pv_store_queue, G_TYPE_OBJECT)

typedef struct
{
  PvStoreJobFunc func;
  gpointer       data;
} Job;

static gboolean
drop_task_cb (gpointer task)
{
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
run_job (gpointer job_task,
         gpointer user_data)
{
  GTask *task = job_task;
  PvStoreQueue *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GSource) drop = NULL;
  GError *error = NULL;

  /* Cancelled before it began, the job has changed nothing; once begun it runs to its
   * end, so that no state change is ever left half made. */
  if (!g_task_return_error_if_cancelled (task))
    {
      if (job->func (self->store, job->data, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
    }

  /* Let go of the task where it was made: the last reference to the queue, and to its
   * store, must not be dropped on the queue's own thread, whose pool the queue frees. */
  drop = g_idle_source_new ();
  g_source_set_callback (drop, drop_task_cb, task, NULL);
  g_source_attach (drop, g_task_get_context (task));
}

/**
 * pv_store_queue_run_async:
 * @func: the job, run on the queue's thread with the queue's store
 * @data: what @func reads and writes; it must live until @callback runs
 *
 * Runs @func after every job queued before it, then calls @callback in the caller's
 * thread-default main context. A job that @cancellable cancels before it starts does not
 * run; one that has started is not interrupted.
 */
void
pv_store_queue_run_async (PvStoreQueue        *self,
                          PvStoreJobFunc       func,
                          gpointer             data,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;
  Job *job;

  g_return_if_fail (PV_IS_STORE_QUEUE (self));
  g_return_if_fail (func != NULL);

  job = g_new0 (Job, 1);
  job->func = func;
  job->data = data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_store_queue_run_async);
  /* A job that ran says what it did even if cancelled meanwhile: what it wrote stands. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, job, g_free);

  /* The pool cannot refuse a push once made: it is never freed while tasks hold us. */
  g_thread_pool_push (self->pool, task, NULL);
}

gboolean
pv_store_queue_run_finish (PvStoreQueue  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  char       *number;
  PvCustomer *customer;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_free (lookup->number);
  g_clear_pointer (&lookup->customer, pv_customer_free);
  g_free (lookup);
}

static gboolean
lookup_job (PvStore   *store,
            gpointer   data,
            GError   **error)
{
  Lookup *lookup = data;
  g_autoptr(GError) local_error = NULL;

  lookup->customer = pv_store_lookup (store, lookup->number, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

static void
lookup_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  GError *error = NULL;

  if (!pv_store_queue_run_finish (PV_STORE_QUEUE (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&lookup->customer),
                           (GDestroyNotify) pv_customer_free);
}

/**
 * pv_store_queue_lookup_async:
 * @number: an E.164 number
 *
 * Reads the customer with @number after every job queued before.
 */
void
pv_store_queue_lookup_async (PvStoreQueue        *self,
                             const char          *number,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;
  Lookup *lookup;

  g_return_if_fail (PV_IS_STORE_QUEUE (self));
  g_return_if_fail (number != NULL);

  lookup = g_new0 (Lookup, 1);
  lookup->number = g_strdup (number);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pv_store_queue_lookup_async);
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);

  pv_store_queue_run_async (self, lookup_job, lookup, cancellable, lookup_done_cb, task);
}

/**
 * pv_store_queue_lookup_finish:
 *
 * Returns: (transfer full) (nullable): the customer, or %NULL with @error unset when there
 *   is none, or %NULL with @error set when the store could not be read
 */
PvCustomer *
pv_store_queue_lookup_finish (PvStoreQueue  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

PvStore *
pv_store_queue_get_store (PvStoreQueue *self)
{
  g_return_val_if_fail (PV_IS_STORE_QUEUE (self), NULL);

  return self->store;
}

static void
pv_store_queue_finalize (GObject *object)
{
  PvStoreQueue *self = PV_STORE_QUEUE (object);

  /* Every task holds a reference to us, so the queue is empty by now. */
  g_thread_pool_free (self->pool, FALSE, TRUE);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (pv_store_queue_parent_class)->finalize (object);
}

static void
pv_store_queue_class_init (PvStoreQueueClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pv_store_queue_finalize;
}

static void
pv_store_queue_init (PvStoreQueue *self)
{
  /* One thread: the jobs keep their order. Not exclusive, so an idle queue holds none. */
  self->pool = g_thread_pool_new (run_job, self, 1, FALSE, NULL);
}

PvStoreQueue *
pv_store_queue_new (PvStore *store)
{
  PvStoreQueue *self;

  g_return_val_if_fail (PV_IS_STORE (store), NULL);

  self = g_object_new (PV_TYPE_STORE_QUEUE, NULL);
  self->store = g_object_ref (store);

  return self;
}
