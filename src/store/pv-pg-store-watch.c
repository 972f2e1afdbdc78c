/* pv-pg-store-watch.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Hearing other desks, and getting the server back. A connection of the watcher's own
 * LISTENs on PV_PG_CHANGES_CHANNEL; the server pushes a notification at each commit that
 * changed a customer, which arrives on the connection's socket, so the main loop only
 * wakes when there is news. Connecting blocks, so it happens on a worker.
 *
 * When that connection drops (the server restarted, the network went), the store is
 * offline: intents fail at once with a clear message instead of each waiting for a
 * connect timeout on the main thread, and the watcher tries again after 0.5 s, doubling
 * up to 30 s. Once back, everything may have changed while we were away, so watchers are
 * told to reload. */

#define G_LOG_DOMAIN "pv-store"

#include "config.h"

#include <glib-unix.h>
#include <string.h>

#include "pv-pg-store-private.h"

#define FIRST_RECONNECT_DELAY_MS 500
#define MAX_RECONNECT_DELAY_MS   30000

/* More changed numbers than this in one go, and a full refresh is cheaper than a list. */
#define MAX_CHANGES_LISTED 256

static void connect_listener (PvPgStore *self);

/* Drops a link's connection, so that its next user connects afresh before sending
 * anything: a statement sent down a dead connection has an unknown outcome. */
static void
drop_link (PvPgLink *link)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&link->mutex);

  if (!link->in_transaction)
    g_clear_pointer (&link->conn, PQfinish);
}

static void
stop_listening (PvPgStore *self)
{
  if (self->listen_source != NULL)
    {
      g_source_destroy (self->listen_source);
      g_clear_pointer (&self->listen_source, g_source_unref);
    }

  g_clear_pointer (&self->listen_conn, PQfinish);
}

static gboolean listen_cb (int fd, GIOCondition condition, gpointer user_data);

static void
start_listening (PvPgStore *self)
{
  self->listen_source = g_unix_fd_source_new (PQsocket (self->listen_conn),
                                              G_IO_IN | G_IO_ERR | G_IO_HUP);
  g_source_set_callback (self->listen_source, G_SOURCE_FUNC (listen_cb), self, NULL);
  g_source_set_static_name (self->listen_source, "[phone-verify] shared database notifications");
  g_source_attach (self->listen_source, self->watch_context);
}

static gboolean
reconnect_cb (gpointer user_data)
{
  PvPgStore *self = user_data;

  g_clear_pointer (&self->reconnect_source, g_source_unref);
  connect_listener (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (PvPgStore *self)
{
  if (self->reconnect_source != NULL)
    return;

  self->reconnect_delay_ms = self->reconnect_delay_ms == 0
                             ? FIRST_RECONNECT_DELAY_MS
                             : MIN (self->reconnect_delay_ms * 2, MAX_RECONNECT_DELAY_MS);

  self->reconnect_source = g_timeout_source_new (self->reconnect_delay_ms);
  g_source_set_callback (self->reconnect_source, reconnect_cb, self, NULL);
  g_source_set_static_name (self->reconnect_source, "[phone-verify] shared database reconnect");
  g_source_attach (self->reconnect_source, self->watch_context);
}

static void
go_offline (PvPgStore *self)
{
  g_message ("Lost the connection to the shared database %s; reconnecting", self->location);

  stop_listening (self);
  drop_link (&self->write);
  drop_link (&self->read);
  _pv_pg_store_set_online (self, FALSE);
  schedule_reconnect (self);
}

static void
emit_notifications (PvPgStore *self)
{
  g_autoptr(GPtrArray) numbers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean complete = TRUE;
  PGnotify *notify;

  while ((notify = PQnotifies (self->listen_conn)) != NULL)
    {
      const char *space = strchr (notify->extra, ' ');
      const char *number = space != NULL ? space + 1 : NULL;

      if (number != NULL && *number != '\0' &&
          strncmp (notify->extra, self->writer, space - notify->extra) != 0 &&
          !g_hash_table_contains (seen, number))
        {
          char *copy = g_strdup (number);

          g_hash_table_add (seen, copy);
          g_ptr_array_add (numbers, copy);
        }

      PQfreemem (notify);
    }

  if (numbers->len == 0)
    return;

  if (numbers->len > MAX_CHANGES_LISTED)
    complete = FALSE;

  g_debug ("Another desk changed %u customers", numbers->len);

  if (complete)
    {
      g_ptr_array_add (numbers, NULL);
      pv_store_emit_changed (PV_STORE (self), (const char * const *) numbers->pdata);
    }
  else
    {
      pv_store_emit_changed (PV_STORE (self), NULL);
    }
}

static gboolean
listen_cb (int          fd,
           GIOCondition condition,
           gpointer     user_data)
{
  PvPgStore *self = user_data;

  /* Reads only what already arrived: it does not block. */
  if (PQconsumeInput (self->listen_conn) == 0 || PQstatus (self->listen_conn) != CONNECTION_OK)
    {
      g_clear_pointer (&self->listen_source, g_source_unref);
      go_offline (self);
      return G_SOURCE_REMOVE;
    }

  emit_notifications (self);

  return G_SOURCE_CONTINUE;
}

/* Links lost while offline are made again here too, off the main thread, so that the
 * first intent after the server is back does not wait for a connection. */
static void
reconnect_link (PvPgStore *self,
                PvPgLink  *link)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&link->mutex);

  if (link->conn == NULL || PQstatus (link->conn) != CONNECTION_OK)
    {
      g_clear_pointer (&link->conn, PQfinish);
      link->conn = _pv_pg_store_connect (self, NULL);
    }
}

/* Blocks: call off the main thread. */
PGconn *
_pv_pg_store_connect_listener (PvPgStore  *self,
                               GError    **error)
{
  g_autoptr(PGresult) result = NULL;
  PGconn *conn;

  conn = _pv_pg_store_connect (self, error);
  if (conn == NULL)
    return NULL;

  result = PQexec (conn, "LISTEN " PV_PG_CHANGES_CHANNEL);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    {
      _pv_pg_store_set_error_from_conn (conn, error);
      PQfinish (conn);
      return NULL;
    }

  return conn;
}

static void
connect_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PvPgStore *self = source_object;
  g_autoptr(GError) error = NULL;
  PGconn *conn;

  conn = _pv_pg_store_connect_listener (self, &error);
  if (conn == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  reconnect_link (self, &self->write);
  reconnect_link (self, &self->read);

  g_task_return_pointer (task, conn, (GDestroyNotify) PQfinish);
}

static void
connect_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  PvPgStore *self = PV_PG_STORE (object);
  g_autoptr(GError) error = NULL;
  PGconn *conn;
  gboolean was_offline;

  conn = g_task_propagate_pointer (G_TASK (result), &error);
  if (conn == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_debug ("Cannot listen to the shared database yet: %s", error->message);
      _pv_pg_store_set_online (self, FALSE);
      schedule_reconnect (self);
      return;
    }

  self->listen_conn = conn;
  self->reconnect_delay_ms = 0;
  start_listening (self);

  was_offline = !self->online;
  _pv_pg_store_set_online (self, TRUE);

  /* Nothing was heard while away. */
  if (was_offline)
    pv_store_emit_changed (PV_STORE (self), NULL);
}

static void
connect_listener (PvPgStore *self)
{
  g_autoptr(GTask) task = NULL;

  /* The answer comes back where the watcher watches, whichever context runs this. */
  g_main_context_push_thread_default (self->watch_context);
  task = g_task_new (self, self->reconnect_cancellable, connect_done, NULL);
  g_main_context_pop_thread_default (self->watch_context);

  g_task_set_source_tag (task, connect_listener);
  g_task_run_in_thread (task, connect_thread);
}

void
_pv_pg_store_watch (PvPgStore *self)
{
  if (self->watch_context != NULL)
    return;

  self->watch_context = g_main_context_ref_thread_default ();
  self->reconnect_cancellable = g_cancellable_new ();

  /* pv_pg_store_open() listened already, so that nothing committed between opening and
   * watching goes unheard: it waits on the socket. */
  if (self->listen_conn != NULL && PQstatus (self->listen_conn) == CONNECTION_OK)
    start_listening (self);
  else
    connect_listener (self);
}

void
_pv_pg_store_unwatch (PvPgStore *self)
{
  g_cancellable_cancel (self->reconnect_cancellable);
  g_clear_object (&self->reconnect_cancellable);

  if (self->reconnect_source != NULL)
    {
      g_source_destroy (self->reconnect_source);
      g_clear_pointer (&self->reconnect_source, g_source_unref);
    }

  stop_listening (self);
  g_clear_pointer (&self->watch_context, g_main_context_unref);
}
