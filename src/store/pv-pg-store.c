/* pv-pg-store.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The store on a PostgreSQL server that several desks share. The rows and their meaning
 * are the SQLite store's; what differs is how an intent stays atomic across desks (row
 * locks with SELECT … FOR UPDATE, or one conditional statement) and how other desks'
 * changes are heard (LISTEN/NOTIFY, in pv-pg-store-watch.c).
 *
 * Times are stored as seconds since the epoch, as on SQLite, and always come from the
 * store's clock rather than the server's: desks agree through the data, and tests can
 * move the clock. */

#define G_LOG_DOMAIN "pv-store"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "pv-pg-store-private.h"
#include "pv-store-rules.h"

/* Two desks opening an empty database at the same moment must not both create it: the
 * migration runs under this advisory lock ("PhoneVer" in ASCII). */
#define MIGRATION_LOCK "5075686f6e655665"

static const char migration_to_1[] =
  "CREATE TABLE customers ("
  "  id bigserial PRIMARY KEY,"
  "  number text NOT NULL UNIQUE,"
  "  name text,"
  "  status text NOT NULL CHECK (status IN ('pending', 'verified')),"
  "  code_digest text,"
  "  code_expires_at bigint,"
  "  failed_attempts integer NOT NULL DEFAULT 0,"
  "  sends_in_window integer NOT NULL DEFAULT 0,"
  "  send_window_started_at bigint,"
  "  last_sent_at bigint,"
  "  message_sid text,"
  "  delivery_status text,"
  "  delivery_error_code integer,"
  "  created_at bigint NOT NULL,"
  "  verified_at bigint,"
  "  updated_at bigint NOT NULL,"
  "  send_state text CHECK (send_state IN ('sending', 'sent', 'unknown')),"
  "  send_id bigint NOT NULL DEFAULT 0,"
  "  send_owner text,"
  "  code_seed text,"
  "  channel text CHECK (channel IN ('sms', 'call')),"
  "  language text,"
  /* Written by the store with each name and number, for the search indexes. */
  "  name_words text,"
  "  national text"
  ");"
  "CREATE INDEX customers_sending ON customers (number) WHERE send_state = 'sending';"
  /* The deletion event outlives its customer: hence SET NULL and the copy of the number. */
  "CREATE TABLE events ("
  "  id bigserial PRIMARY KEY,"
  "  customer_id bigint REFERENCES customers (id) ON DELETE SET NULL,"
  "  number text NOT NULL,"
  "  kind text NOT NULL,"
  "  detail text,"
  "  time bigint NOT NULL,"
  "  channel text"
  ");"
  "CREATE INDEX events_number ON events (number, time);"
  "CREATE INDEX events_customer ON events (customer_id);"
  /* Send tokens come from one counter for the whole database, never from the row: a
   * customer deleted and registered again must not get a token an old send still holds. */
  "CREATE SEQUENCE send_tokens;"
  /* Each connection says who it is in pv.writer, so that a desk can tell its own changes
   * from the others'. NOTIFY is delivered at commit, and never for a rollback. */
  "CREATE FUNCTION pv_notify_change () RETURNS trigger LANGUAGE plpgsql AS $$"
  "BEGIN"
  "  IF TG_OP <> 'INSERT' THEN"
  "    PERFORM pg_notify ('" PV_PG_CHANGES_CHANNEL "',"
  "                       coalesce (current_setting ('pv.writer', true), '') || ' ' || OLD.number);"
  "  END IF;"
  "  IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.number <> OLD.number) THEN"
  "    PERFORM pg_notify ('" PV_PG_CHANGES_CHANNEL "',"
  "                       coalesce (current_setting ('pv.writer', true), '') || ' ' || NEW.number);"
  "  END IF;"
  "  RETURN NULL;"
  "END $$;"
  "CREATE TRIGGER customers_notify AFTER INSERT OR UPDATE OR DELETE ON customers"
  "  FOR EACH ROW EXECUTE FUNCTION pv_notify_change ();";

/* Version 2: codes the customer texts to the office. The wider check holds for every row
 * already there, so it is not checked against them (NOT VALID): no scan of the table. */
static const char migration_to_2[] =
  "ALTER TABLE customers DROP CONSTRAINT customers_channel_check,"
  "  ADD CONSTRAINT customers_channel_check CHECK (channel IN ('sms', 'call', 'inbound')) NOT VALID;";

/* Version 3: the number of customers, kept as rows come and go, for the list's first
 * frame: count(*) reads every row. Statement triggers with transition tables add a whole
 * import of thousands in one update. Other desks' inserts wait for the lock, so that none
 * falls between the count and the triggers. */
static const char migration_to_3[] =
  "LOCK TABLE customers IN SHARE ROW EXCLUSIVE MODE;"
  "CREATE TABLE customer_count (n bigint NOT NULL);"
  "INSERT INTO customer_count SELECT count(*) FROM customers;"
  /* A statement that changed no row (a claim that lost the race to insert, a refusal with
   * nothing to delete) leaves the count's row unlocked for the other desks. */
  "CREATE FUNCTION pv_count_added () RETURNS trigger LANGUAGE plpgsql AS $$"
  "BEGIN"
  "  IF EXISTS (SELECT 1 FROM added) THEN"
  "    UPDATE customer_count SET n = n + (SELECT count(*) FROM added);"
  "  END IF;"
  "  RETURN NULL;"
  "END $$;"
  "CREATE FUNCTION pv_count_removed () RETURNS trigger LANGUAGE plpgsql AS $$"
  "BEGIN"
  "  IF EXISTS (SELECT 1 FROM removed) THEN"
  "    UPDATE customer_count SET n = n - (SELECT count(*) FROM removed);"
  "  END IF;"
  "  RETURN NULL;"
  "END $$;"
  "CREATE TRIGGER customers_count_added AFTER INSERT ON customers"
  "  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION pv_count_added ();"
  "CREATE TRIGGER customers_count_removed AFTER DELETE ON customers"
  "  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION pv_count_removed ();"
  "CREATE FUNCTION pv_count_emptied () RETURNS trigger LANGUAGE plpgsql AS $$"
  "BEGIN"
  "  UPDATE customer_count SET n = 0;"
  "  RETURN NULL;"
  "END $$;"
  "CREATE TRIGGER customers_count_emptied AFTER TRUNCATE ON customers"
  "  FOR EACH STATEMENT EXECUTE FUNCTION pv_count_emptied ();";

/* Step i takes a database from version i to version i + 1. */
static const char * const migrations[] = {
  migration_to_1,
  migration_to_2,
  migration_to_3,
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == PV_PG_STORE_SCHEMA_VERSION);

static void pv_pg_store_iface_init (PvStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PvPgStore, pv_pg_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PV_TYPE_STORE, pv_pg_store_iface_init))

enum
{
  PROP_0,
  PROP_ONLINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
_pv_pg_params_init (PvPgParams *params)
{
  params->values = g_ptr_array_new_with_free_func (g_free);
}

void
_pv_pg_params_clear (PvPgParams *params)
{
  g_clear_pointer (&params->values, g_ptr_array_unref);
}

void
_pv_pg_params_add_text (PvPgParams *params,
                        const char *text)
{
  g_ptr_array_add (params->values, g_strdup (text));
}

void
_pv_pg_params_add_int (PvPgParams *params,
                       gint64      value)
{
  g_ptr_array_add (params->values, g_strdup_printf ("%" G_GINT64_FORMAT, value));
}

void
_pv_pg_params_add_time (PvPgParams *params,
                        gint64      time)
{
  if (time == 0)
    g_ptr_array_add (params->values, NULL);
  else
    _pv_pg_params_add_int (params, time);
}

void
_pv_pg_params_add_bool (PvPgParams *params,
                        gboolean    value)
{
  _pv_pg_params_add_text (params, value ? "t" : "f");
}

gboolean
pv_pg_store_is_uri (const char *location)
{
  return location != NULL &&
         (g_str_has_prefix (location, "postgresql://") ||
          g_str_has_prefix (location, "postgres://"));
}

/**
 * pv_pg_store_check_uri:
 * @uri: what staff gave as the shared database's address
 *
 * Refuses what is not a PostgreSQL address, and one with a password in it: an address
 * shows in process lists, shell histories and settings, where a password must not be.
 */
gboolean
pv_pg_store_check_uri (const char  *uri,
                       GError     **error)
{
  PQconninfoOption *options = NULL;
  gboolean has_password = FALSE;

  if (pv_pg_store_is_uri (uri))
    options = PQconninfoParse (uri, NULL);

  if (options == NULL)
    {
      g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_OPEN,
                           _("The shared database’s address is not a valid PostgreSQL "
                             "address, such as postgresql://desk@server/phoneverify."));
      return FALSE;
    }

  for (PQconninfoOption *option = options; option->keyword != NULL; option++)
    if (strcmp (option->keyword, "password") == 0 && option->val != NULL)
      has_password = TRUE;

  PQconninfoFree (options);

  if (has_password)
    {
      g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_OPEN,
                           _("The shared database’s address must not contain its password. "
                             "Save the password in Preferences, or in a PostgreSQL password "
                             "file (PGPASSFILE)."));
      return FALSE;
    }

  return TRUE;
}

/**
 * pv_pg_store_describe_uri:
 * @uri: a postgresql:// URI
 *
 * Returns: (transfer full): "user@host:port/database", with any password left out, for
 *   people to read; or %NULL when @uri cannot be parsed
 */
char *
pv_pg_store_describe_uri (const char *uri)
{
  PQconninfoOption *options = PQconninfoParse (uri, NULL);
  const char *user = NULL, *host = NULL, *port = NULL, *dbname = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  if (options == NULL)
    return NULL;

  for (PQconninfoOption *option = options; option->keyword != NULL; option++)
    {
      if (option->val == NULL)
        continue;
      if (strcmp (option->keyword, "user") == 0)
        user = option->val;
      else if (strcmp (option->keyword, "host") == 0)
        host = option->val;
      else if (strcmp (option->keyword, "port") == 0)
        port = option->val;
      else if (strcmp (option->keyword, "dbname") == 0)
        dbname = option->val;
    }

  if (user != NULL)
    g_string_append_printf (text, "%s@", user);
  g_string_append (text, host != NULL ? host : "localhost");
  if (port != NULL)
    g_string_append_printf (text, ":%s", port);
  g_string_append_printf (text, "/%s", dbname != NULL ? dbname : (user != NULL ? user : ""));

  PQconninfoFree (options);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* libpq's messages end in a newline and may span lines; one line reads better in a toast
 * and a log. They never contain the password. */
static char *
one_line (const char *message)
{
  g_autofree char *copy = g_strdup (message != NULL ? message : "");

  g_strstrip (copy);
  for (char *p = copy; *p != '\0'; p++)
    if (*p == '\n' || *p == '\r' || *p == '\t')
      *p = ' ';

  return g_steal_pointer (&copy);
}

void
_pv_pg_store_set_error_from_conn (PGconn  *conn,
                                  GError **error)
{
  g_autofree char *reason = one_line (conn != NULL ? PQerrorMessage (conn) : NULL);

  if (conn != NULL && PQconnectionNeedsPassword (conn))
    g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_OPEN,
                 _("The shared database needs a password. Enter it in Preferences (%s)."),
                 reason);
  else
    g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_OPEN,
                 _("The shared database cannot be reached (%s)."), reason);
}

static void
set_result_error (PGconn          *conn,
                  const PGresult  *result,
                  GError         **error)
{
  const char *state = result != NULL ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;
  g_autofree char *reason = one_line (result != NULL ? PQresultErrorMessage (result)
                                                     : PQerrorMessage (conn));

  if (PQstatus (conn) == CONNECTION_BAD)
    g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_OPEN,
                 _("The connection to the shared database was lost, so it is not known "
                   "whether the last change was saved (%s)."), reason);
  else if (g_strcmp0 (state, "23505") == 0)
    g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_EXISTS,
                         _("A customer with this phone number is already stored."));
  else if (g_strcmp0 (state, "55P03") == 0 || g_strcmp0 (state, "57014") == 0 ||
           g_strcmp0 (state, "40P01") == 0 || g_strcmp0 (state, "40001") == 0)
    g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_BUSY,
                         _("Another desk held the customer database too long. Try again."));
  else if (g_strcmp0 (state, "25006") == 0 || g_strcmp0 (state, "42501") == 0)
    g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_READ_ONLY,
                 _("The shared database cannot be written with this account (%s)."), reason);
  else if (g_strcmp0 (state, "53100") == 0)
    g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_NO_SPACE,
                 _("The shared database server is out of disk space (%s)."), reason);
  else
    g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_FAILED,
                 _("The shared database failed (%s)."), reason);
}

static gboolean
configure_connection (PvPgStore  *self,
                      PGconn     *conn,
                      GError    **error)
{
  const char *values[] = { self->writer };
  g_autoptr(PGresult) result = NULL;

  /* A desk waiting on another's row lock gives up rather than freezing; an intent's
   * transaction holds its locks for a few milliseconds. The intents and the migrations
   * read what committed before each statement, whatever the server's default isolation. */
  result = PQexecParams (conn,
                         "SELECT set_config ('pv.writer', $1, false),"
                         " set_config ('default_transaction_isolation', 'read committed', false),"
                         " set_config ('lock_timeout', '10s', false),"
                         " set_config ('idle_in_transaction_session_timeout', '60s', false),"
                         " set_config ('client_encoding', 'UTF8', false)",
                         1, NULL, values, NULL, NULL, 0);
  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    {
      set_result_error (conn, result, error);
      return FALSE;
    }

  return TRUE;
}

/* The server's notices ("relation … already exists, skipping") are for a developer, not
 * for the terminal of whoever runs the command line. */
static void
log_notice (void       *user_data,
            const char *message)
{
  g_autofree char *line = one_line (message);

  g_debug ("PostgreSQL: %s", line);
}

/* Blocks for at most connect_timeout seconds; call off the main thread. */
PGconn *
_pv_pg_store_connect (PvPgStore  *self,
                      GError    **error)
{
  const char *keywords[] = {
    "dbname", "password", "application_name", "connect_timeout",
    /* A server that vanished without closing the connection is noticed in seconds, not
     * after the kernel's two hours. */
    "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
    NULL,
  };
  const char *values[] = {
    self->uri, self->password, "PhoneVerify", "5",
    "10", "5", "3", "15000",
    NULL,
  };
  PGconn *conn;

  conn = PQconnectdbParams (keywords, values, TRUE);
  if (conn == NULL || PQstatus (conn) != CONNECTION_OK)
    {
      _pv_pg_store_set_error_from_conn (conn, error);
      g_clear_pointer (&conn, PQfinish);
      return NULL;
    }

  PQsetNoticeProcessor (conn, log_notice, NULL);

  if (!configure_connection (self, conn, error))
    {
      PQfinish (conn);
      return NULL;
    }

  return conn;
}

static gboolean
ensure_connected (PvPgStore  *self,
                  PvPgLink   *link,
                  GError    **error)
{
  /* A server that restarted said goodbye on the socket before closing it: reading what
   * is there (without waiting) tells a dead connection from a live one before anything is
   * sent down it, so the statement can go on a new one with no doubt about its outcome. */
  if (link->conn != NULL && !link->in_transaction)
    PQconsumeInput (link->conn);

  if (link->conn != NULL && PQstatus (link->conn) == CONNECTION_OK)
    return TRUE;

  /* The watcher is already trying: every intent waiting out a connect timeout of its own
   * would freeze the window instead. */
  if (self->watch_context != NULL && !g_atomic_int_get (&self->online))
    {
      g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_OPEN,
                           _("Reconnecting to the shared database…"));
      return FALSE;
    }

  if (link->in_transaction)
    {
      g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_OPEN,
                           _("The connection to the shared database was lost, so it is not "
                             "known whether the last change was saved."));
      return FALSE;
    }

  g_clear_pointer (&link->conn, PQfinish);
  link->conn = _pv_pg_store_connect (self, error);

  return link->conn != NULL;
}

static PGresult *
exec_params (PvPgLink    *link,
             const char  *sql,
             PvPgParams  *params)
{
  return PQexecParams (link->conn, sql,
                       params != NULL ? (int) params->values->len : 0, NULL,
                       params != NULL ? (const char * const *) params->values->pdata : NULL,
                       NULL, NULL, 0);
}

static PGresult *
exec_on_link (PvPgStore   *self,
              PvPgLink    *link,
              const char  *sql,
              PvPgParams  *params,
              gboolean     may_resend,
              GError     **error)
{
  g_autoptr(PGresult) result = NULL;
  ExecStatusType status;

  if (!ensure_connected (self, link, error))
    return NULL;

  result = exec_params (link, sql, params);
  status = PQresultStatus (result);

  /* The connection died while idle (the server restarted) and only sending found out.
   * A statement that changes nothing is sent again on a new connection; anything else
   * has an unknown outcome, and says so. */
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && may_resend &&
      !link->in_transaction && PQstatus (link->conn) == CONNECTION_BAD &&
      ensure_connected (self, link, NULL))
    {
      g_clear_pointer (&result, PQclear);
      result = exec_params (link, sql, params);
      status = PQresultStatus (result);
    }

  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      set_result_error (link->conn, result, error);
      return NULL;
    }

  return g_steal_pointer (&result);
}

PGresult *
_pv_pg_store_exec (PvPgStore   *self,
                   PvPgLink    *link,
                   const char  *sql,
                   PvPgParams  *params,
                   GError     **error)
{
  /* The reading connection only ever reads. */
  return exec_on_link (self, link, sql, params, link == &self->read, error);
}

/* As _pv_pg_store_exec(), for a statement that changes nothing: a read outside any
 * transaction, or BEGIN. */
PGresult *
_pv_pg_store_query (PvPgStore   *self,
                    PvPgLink    *link,
                    const char  *sql,
                    PvPgParams  *params,
                    GError     **error)
{
  return exec_on_link (self, link, sql, params, TRUE, error);
}

/* Several statements, no parameters: what migrations are. PQexecParams() takes only one. */
static gboolean
run_script (PvPgStore   *self,
            const char  *sql,
            GError     **error)
{
  g_autoptr(PGresult) result = PQexec (self->write.conn, sql);
  ExecStatusType status = PQresultStatus (result);

  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      set_result_error (self->write.conn, result, error);
      return FALSE;
    }

  return TRUE;
}

gboolean
_pv_pg_store_run (PvPgStore   *self,
                  PvPgLink    *link,
                  const char  *sql,
                  PvPgParams  *params,
                  int         *changes,
                  GError     **error)
{
  g_autoptr(PGresult) result = _pv_pg_store_exec (self, link, sql, params, error);

  if (result == NULL)
    return FALSE;

  if (changes != NULL)
    *changes = atoi (PQcmdTuples (result));

  return TRUE;
}

gboolean
_pv_pg_store_begin (PvPgStore  *self,
                    PvPgLink   *link,
                    GError    **error)
{
  g_autoptr(PGresult) result = _pv_pg_store_query (self, link, "BEGIN", NULL, error);

  if (result == NULL)
    return FALSE;

  link->in_transaction = TRUE;

  return TRUE;
}

gboolean
_pv_pg_store_commit (PvPgStore  *self,
                     PvPgLink   *link,
                     GError    **error)
{
  gboolean committed = _pv_pg_store_run (self, link, "COMMIT", NULL, NULL, error);

  link->in_transaction = FALSE;

  return committed;
}

void
_pv_pg_store_rollback (PvPgStore *self,
                       PvPgLink  *link)
{
  if (link->conn != NULL && PQstatus (link->conn) == CONNECTION_OK)
    PQclear (PQexec (link->conn, "ROLLBACK"));

  link->in_transaction = FALSE;
}

gint64
_pv_pg_store_now (PvPgStore *self)
{
  return pv_clock_get_now (self->clock);
}

gint64
_pv_pg_result_int (const PGresult *result,
                   int             row,
                   int             column)
{
  if (PQgetisnull (result, row, column))
    return 0;

  return g_ascii_strtoll (PQgetvalue (result, row, column), NULL, 10);
}

char *
_pv_pg_result_dup (const PGresult *result,
                   int             row,
                   int             column)
{
  if (PQgetisnull (result, row, column))
    return NULL;

  return g_strdup (PQgetvalue (result, row, column));
}

static const char *
result_text (const PGresult *result,
             int             row,
             int             column)
{
  return PQgetisnull (result, row, column) ? NULL : PQgetvalue (result, row, column);
}

typedef struct
{
  const PGresult *result;
  int             row;
} ResultRow;

static const char *
column_text (gconstpointer row,
             int           column)
{
  const ResultRow *at = row;

  return result_text (at->result, at->row, column);
}

static gint64
column_int64 (gconstpointer row,
              int           column)
{
  const ResultRow *at = row;

  return _pv_pg_result_int (at->result, at->row, column);
}

PvCustomer *
_pv_pg_store_customer_from_row (const PGresult  *result,
                                int              row,
                                GError         **error)
{
  ResultRow at = { result, row };
  PvCustomer *customer = _pv_store_customer_from_columns (&at, column_text, column_int64);

  if (customer == NULL)
    g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_DAMAGED,
                         _("The shared database holds a customer this version of "
                           "PhoneVerify does not understand."));

  return customer;
}

GPtrArray *
_pv_pg_store_customers_from_result (const PGresult  *result,
                                    GError         **error)
{
  g_autoptr(GPtrArray) customers = NULL;
  int n_rows = PQntuples (result);

  customers = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_customer_free);
  for (int row = 0; row < n_rows; row++)
    {
      PvCustomer *customer = _pv_pg_store_customer_from_row (result, row, error);

      if (customer == NULL)
        return NULL;
      g_ptr_array_add (customers, customer);
    }

  return g_steal_pointer (&customers);
}

/* Call with @link's mutex held. Returns NULL without an error when there is no such
 * customer. With @for_update, inside a transaction, the row stays locked until it ends. */
PvCustomer *
_pv_pg_store_lookup_locked (PvPgStore   *self,
                            PvPgLink    *link,
                            const char  *number,
                            gboolean     for_update,
                            GError     **error)
{
  g_auto(PvPgParams) params = { 0, };
  g_autoptr(PGresult) result = NULL;

  _pv_pg_params_init (&params);
  _pv_pg_params_add_text (&params, number);

  result = _pv_pg_store_query (self, link,
                               for_update
                               ? "SELECT " PV_CUSTOMER_COLUMNS " FROM customers WHERE number = $1 "
                                 "FOR UPDATE"
                               : "SELECT " PV_CUSTOMER_COLUMNS " FROM customers WHERE number = $1",
                               &params, error);
  if (result == NULL || PQntuples (result) == 0)
    return NULL;

  return _pv_pg_store_customer_from_row (result, 0, error);
}

/* Call inside a transaction. The event is tied to the customer while there is one; a
 * deletion's event comes after the row is gone, and stays under the number. */
gboolean
_pv_pg_store_insert_event (PvPgStore    *self,
                           PvPgLink     *link,
                           const char   *number,
                           PvEventKind   kind,
                           PvChannel     channel,
                           const char   *detail,
                           GError      **error)
{
  g_auto(PvPgParams) params = { 0, };

  if (kind == PV_EVENT_NONE)
    return TRUE;

  _pv_pg_params_init (&params);
  _pv_pg_params_add_text (&params, number);
  _pv_pg_params_add_text (&params, pv_event_kind_to_string (kind));
  _pv_pg_params_add_text (&params, detail);
  _pv_pg_params_add_int (&params, _pv_pg_store_now (self));
  _pv_pg_params_add_text (&params, pv_channel_to_string (channel));

  return _pv_pg_store_run (self, link,
                           "INSERT INTO events (customer_id, number, kind, detail, time, "
                           "channel) "
                           "VALUES ((SELECT id FROM customers WHERE number = $1), $1, $2, $3, "
                           "$4, $5)",
                           &params, NULL, error);
}

static gboolean
read_schema_version (PvPgStore  *self,
                     GError    **error)
{
  g_autoptr(PGresult) result = NULL;

  if (!_pv_pg_store_run (self, &self->write,
                         "CREATE TABLE IF NOT EXISTS pv_schema (version integer NOT NULL)",
                         NULL, NULL, error))
    return FALSE;

  result = _pv_pg_store_exec (self, &self->write, "SELECT max (version) FROM pv_schema", NULL,
                              error);
  if (result == NULL)
    return FALSE;

  self->schema_version = (int) _pv_pg_result_int (result, 0, 0);

  return TRUE;
}

static gboolean
migrate (PvPgStore  *self,
         GError    **error)
{
  g_auto(PvPgParams) params = { 0, };

  if (!_pv_pg_store_begin (self, &self->write, error))
    return FALSE;

  if (!_pv_pg_store_run (self, &self->write,
                         "SELECT pg_advisory_xact_lock (x'" MIGRATION_LOCK "'::bigint)",
                         NULL, NULL, error) ||
      !read_schema_version (self, error))
    goto failed;

  if (self->schema_version > PV_PG_STORE_SCHEMA_VERSION)
    {
      g_autofree char *where = pv_pg_store_describe_uri (self->uri);

      g_set_error (error, PV_STORE_ERROR, PV_STORE_ERROR_TOO_NEW,
                   _("The shared database %s was set up by a newer version of PhoneVerify. "
                     "Update PhoneVerify on this computer to use it."), where);
      goto failed;
    }

  for (int version = self->schema_version; version < PV_PG_STORE_SCHEMA_VERSION; version++)
    {
      if (!run_script (self, migrations[version], error) ||
          (version == 0 && !run_script (self, _pv_pg_store_search_schema, error)))
        goto failed;
    }

  _pv_pg_params_init (&params);
  _pv_pg_params_add_int (&params, PV_PG_STORE_SCHEMA_VERSION);
  if (self->schema_version < PV_PG_STORE_SCHEMA_VERSION &&
      (!_pv_pg_store_run (self, &self->write, "DELETE FROM pv_schema", NULL, NULL, error) ||
       !_pv_pg_store_run (self, &self->write, "INSERT INTO pv_schema (version) VALUES ($1)",
                          &params, NULL, error)))
    goto failed;

  if (!_pv_pg_store_commit (self, &self->write, error))
    return FALSE;

  self->schema_version = PV_PG_STORE_SCHEMA_VERSION;

  return TRUE;

failed:
  _pv_pg_store_rollback (self, &self->write);
  return FALSE;
}

static void
pv_pg_store_finalize (GObject *object)
{
  PvPgStore *self = PV_PG_STORE (object);

  _pv_pg_store_unwatch (self);

  g_clear_pointer (&self->write.conn, PQfinish);
  g_clear_pointer (&self->read.conn, PQfinish);
  g_mutex_clear (&self->write.mutex);
  g_mutex_clear (&self->read.mutex);

  g_clear_pointer (&self->uri, g_free);
  if (self->password != NULL)
    explicit_bzero (self->password, strlen (self->password));
  g_clear_pointer (&self->password, g_free);
  g_clear_pointer (&self->location, g_free);
  g_clear_pointer (&self->writer, g_free);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (pv_pg_store_parent_class)->finalize (object);
}

static void
pv_pg_store_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PvPgStore *self = PV_PG_STORE (object);

  switch (prop_id)
    {
    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_pg_store_class_init (PvPgStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pv_pg_store_finalize;
  object_class->get_property = pv_pg_store_get_property;

  /**
   * PvPgStore:online:
   *
   * Whether the store hears the server: %FALSE from a lost connection until it is made
   * again, which the store keeps trying with growing pauses once it watches.
   */
  properties[PROP_ONLINE] =
    g_param_spec_boolean ("online", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pv_pg_store_init (PvPgStore *self)
{
  g_mutex_init (&self->write.mutex);
  g_mutex_init (&self->read.mutex);
  self->online = TRUE;
}

void
_pv_pg_store_set_online (PvPgStore *self,
                         gboolean   online)
{
  if (self->online == online)
    return;

  g_atomic_int_set (&self->online, online);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);
}

/**
 * pv_pg_store_open:
 * @uri: a postgresql:// URI; see libpq's connection URIs. `sslmode=verify-full` in it
 *   checks the server's certificate and name.
 * @password: (nullable): the password, from the keyring; without one libpq looks in
 *   PGPASSFILE or ~/.pgpass
 * @clock: (nullable): the clock that timestamps changes, or %NULL for the real time
 *
 * Connects to a shared customer database, creating its tables or bringing them up to date
 * as needed. Blocks on the network: call it on a worker thread.
 *
 * Returns: (transfer full): the store, or %NULL with @error set: %PV_STORE_ERROR_TOO_NEW
 *   for a database set up by a newer PhoneVerify, which is left untouched; otherwise
 *   %PV_STORE_ERROR_OPEN or the failure's own code, with the server's reason
 */
PvPgStore *
pv_pg_store_open (const char  *uri,
                  const char  *password,
                  PvClock     *clock,
                  GError     **error)
{
  g_autoptr(PvPgStore) self = NULL;
  g_autofree char *random = NULL;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (clock == NULL || PV_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (PV_TYPE_PG_STORE, NULL);
  self->uri = g_strdup (uri);
  self->password = g_strdup (password);
  self->clock = clock != NULL ? g_object_ref (clock) : pv_clock_new ();
  self->location = pv_pg_store_describe_uri (uri);
  random = g_uuid_string_random ();
  self->writer = g_strdup_printf ("%s", random);

  if (!pv_pg_store_check_uri (uri, error))
    return NULL;

  g_mutex_lock (&self->write.mutex);
  self->write.conn = _pv_pg_store_connect (self, error);
  if (self->write.conn == NULL || !migrate (self, error))
    {
      g_mutex_unlock (&self->write.mutex);
      return NULL;
    }
  g_mutex_unlock (&self->write.mutex);

  self->listen_conn = _pv_pg_store_connect_listener (self, error);
  if (self->listen_conn == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

/* 150018 → "15.18"; before version 10 it was 90624 → "9.6.24". */
static char *
describe_server_version (int number)
{
  if (number >= 100000)
    return g_strdup_printf ("%d.%d", number / 10000, number % 10000);

  return g_strdup_printf ("%d.%d.%d", number / 10000, number / 100 % 100, number % 100);
}

/**
 * pv_pg_store_probe:
 * @uri: a postgresql:// URI
 * @password: (nullable): its password
 * @server_version: (out): the server's version, as "15.18"
 * @n_customers: (out): how many customers it holds, or -1 when PhoneVerify has not set
 *   the database up yet
 *
 * Connects, looks, and disconnects, changing nothing: what Test Connection shows. Blocks
 * on the network: call it on a worker thread.
 *
 * Returns: %FALSE with @error set as pv_pg_store_open() does, and %PV_STORE_ERROR_TOO_NEW
 *   for a database set up by a newer PhoneVerify
 */
gboolean
pv_pg_store_probe (const char  *uri,
                   const char  *password,
                   char       **server_version,
                   gint64      *n_customers,
                   GError     **error)
{
  g_autoptr(PvPgStore) self = g_object_new (PV_TYPE_PG_STORE, NULL);
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (uri != NULL, FALSE);

  if (!pv_pg_store_check_uri (uri, error))
    return FALSE;

  self->uri = g_strdup (uri);
  self->password = g_strdup (password);
  self->writer = g_strdup ("probe");
  locker = g_mutex_locker_new (&self->write.mutex);

  self->write.conn = _pv_pg_store_connect (self, error);
  if (self->write.conn == NULL)
    return FALSE;

  result = _pv_pg_store_exec (self, &self->write,
                              "SELECT to_regclass ('pv_schema') IS NOT NULL", NULL, error);
  if (result == NULL)
    return FALSE;

  *server_version = describe_server_version (PQserverVersion (self->write.conn));
  *n_customers = -1;

  if (g_strcmp0 (PQgetvalue (result, 0, 0), "t") != 0)
    return TRUE;

  g_clear_pointer (&result, PQclear);
  result = _pv_pg_store_exec (self, &self->write,
                              "SELECT (SELECT max (version) FROM pv_schema), "
                              "(SELECT count(*) FROM customers)", NULL, error);
  if (result == NULL)
    return FALSE;

  if (_pv_pg_result_int (result, 0, 0) > PV_PG_STORE_SCHEMA_VERSION)
    {
      g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_TOO_NEW,
                           _("This shared database was set up by a newer version of "
                             "PhoneVerify. Update PhoneVerify on this computer to use it."));
      g_clear_pointer (server_version, g_free);
      return FALSE;
    }

  *n_customers = _pv_pg_result_int (result, 0, 1);

  return TRUE;
}

int
pv_pg_store_get_schema_version (PvPgStore *self)
{
  g_return_val_if_fail (PV_IS_PG_STORE (self), 0);

  return self->schema_version;
}

gboolean
pv_pg_store_get_online (PvPgStore *self)
{
  g_return_val_if_fail (PV_IS_PG_STORE (self), FALSE);

  return self->online;
}

static const char *
pv_pg_store_get_location (PvStore *store)
{
  return PV_PG_STORE (store)->location;
}

static PvCustomer *
pv_pg_store_lookup (PvStore     *store,
                    const char  *number,
                    GError     **error)
{
  PvPgStore *self = PV_PG_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->write.mutex);

  return _pv_pg_store_lookup_locked (self, &self->write, number, FALSE, error);
}

static gboolean
pv_pg_store_insert_customer (PvStore      *store,
                             PvCustomer   *customer,
                             PvEventKind   event,
                             const char   *detail,
                             GError      **error)
{
  PvPgStore *self = PV_PG_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->write.mutex);
  g_auto(PvPgParams) params = { 0, };
  g_autoptr(PGresult) result = NULL;
  g_autofree char *words = _pv_pg_store_fold_words (customer->name);
  g_autofree char *national = _pv_pg_store_national_digits (customer->number);
  gint64 now = _pv_pg_store_now (self);
  gint64 created_at = customer->created_at != 0 ? customer->created_at : now;
  gint64 updated_at = customer->updated_at != 0 ? customer->updated_at : now;

  _pv_pg_params_init (&params);
  _pv_pg_params_add_text (&params, customer->number);
  _pv_pg_params_add_text (&params, customer->name);
  _pv_pg_params_add_text (&params, pv_customer_status_to_string (customer->status));
  _pv_pg_params_add_text (&params, customer->code_digest);
  _pv_pg_params_add_time (&params, customer->code_expires_at);
  _pv_pg_params_add_int (&params, customer->failed_attempts);
  _pv_pg_params_add_int (&params, customer->sends_in_window);
  _pv_pg_params_add_time (&params, customer->send_window_started_at);
  _pv_pg_params_add_time (&params, customer->last_sent_at);
  _pv_pg_params_add_text (&params, customer->message_sid);
  _pv_pg_params_add_text (&params, customer->delivery_status);
  if (customer->delivery_error_code == 0)
    _pv_pg_params_add_text (&params, NULL);
  else
    _pv_pg_params_add_int (&params, customer->delivery_error_code);
  _pv_pg_params_add_time (&params, created_at);
  _pv_pg_params_add_time (&params, customer->verified_at);
  _pv_pg_params_add_time (&params, updated_at);
  _pv_pg_params_add_text (&params, pv_send_state_to_string (customer->send_state));
  _pv_pg_params_add_int (&params, customer->send_id);
  _pv_pg_params_add_text (&params, customer->send_owner);
  _pv_pg_params_add_text (&params, customer->code_seed);
  _pv_pg_params_add_text (&params, pv_channel_to_string (customer->channel));
  _pv_pg_params_add_text (&params, customer->language);
  _pv_pg_params_add_text (&params, words);
  _pv_pg_params_add_text (&params, national);

  if (!_pv_pg_store_begin (self, &self->write, error))
    return FALSE;

  result = _pv_pg_store_exec (self, &self->write,
                              "INSERT INTO customers (number, name, status, code_digest, "
                              "code_expires_at, failed_attempts, sends_in_window, "
                              "send_window_started_at, last_sent_at, message_sid, "
                              "delivery_status, delivery_error_code, created_at, "
                              "verified_at, updated_at, send_state, send_id, send_owner, "
                              "code_seed, channel, language, name_words, national) "
                              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
                              "$12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23) "
                              "RETURNING id",
                              &params, error);

  if (result == NULL ||
      !_pv_pg_store_insert_event (self, &self->write, customer->number, event, PV_CHANNEL_NONE,
                                  detail, error) ||
      !_pv_pg_store_commit (self, &self->write, error))
    {
      _pv_pg_store_rollback (self, &self->write);
      return FALSE;
    }

  customer->id = _pv_pg_result_int (result, 0, 0);
  customer->created_at = created_at;
  customer->updated_at = updated_at;

  return TRUE;
}

static gboolean
pv_pg_store_delete_customer (PvStore      *store,
                             const char   *number,
                             PvEventKind   event,
                             const char   *detail,
                             GError      **error)
{
  PvPgStore *self = PV_PG_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->write.mutex);
  g_auto(PvPgParams) params = { 0, };
  int changes = 0;

  _pv_pg_params_init (&params);
  _pv_pg_params_add_text (&params, number);

  if (!_pv_pg_store_begin (self, &self->write, error))
    return FALSE;

  if (!_pv_pg_store_run (self, &self->write, "DELETE FROM customers WHERE number = $1",
                         &params, &changes, error))
    {
      _pv_pg_store_rollback (self, &self->write);
      return FALSE;
    }

  if (changes == 0)
    {
      _pv_pg_store_rollback (self, &self->write);
      g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_NOT_FOUND,
                           _("The customer is no longer stored."));
      return FALSE;
    }

  if (!_pv_pg_store_insert_event (self, &self->write, number, event, PV_CHANNEL_NONE, detail,
                                  error) ||
      !_pv_pg_store_commit (self, &self->write, error))
    {
      _pv_pg_store_rollback (self, &self->write);
      return FALSE;
    }

  return TRUE;
}

static GPtrArray *
pv_pg_store_list_events (PvStore     *store,
                         const char  *number,
                         GError     **error)
{
  PvPgStore *self = PV_PG_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->read.mutex);
  g_auto(PvPgParams) params = { 0, };
  g_autoptr(PGresult) result = NULL;
  g_autoptr(GPtrArray) events = NULL;

  _pv_pg_params_init (&params);
  _pv_pg_params_add_text (&params, number);

  result = _pv_pg_store_exec (self, &self->read,
                              "SELECT id, kind, detail, time, channel FROM events "
                              "WHERE number = $1 ORDER BY time, id",
                              &params, error);
  if (result == NULL)
    return NULL;

  events = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_event_free);

  for (int row = 0; row < PQntuples (result); row++)
    {
      PvEvent *event;
      PvEventKind kind;

      if (!pv_event_kind_from_string (result_text (result, row, 1), &kind))
        {
          g_set_error_literal (error, PV_STORE_ERROR, PV_STORE_ERROR_DAMAGED,
                               _("The shared database holds an event this version of "
                                 "PhoneVerify does not understand."));
          return NULL;
        }

      event = pv_event_new (number, kind, result_text (result, row, 2),
                            _pv_pg_result_int (result, row, 3));
      event->id = _pv_pg_result_int (result, row, 0);
      event->channel = _pv_store_channel_or_text (result_text (result, row, 4),
                                                  _pv_store_is_send_event (kind));
      g_ptr_array_add (events, event);
    }

  return g_steal_pointer (&events);
}

static void
pv_pg_store_watch (PvStore *store)
{
  _pv_pg_store_watch (PV_PG_STORE (store));
}

static void
pv_pg_store_iface_init (PvStoreInterface *iface)
{
  iface->get_location = pv_pg_store_get_location;
  iface->lookup = pv_pg_store_lookup;
  iface->insert_customer = pv_pg_store_insert_customer;
  iface->delete_customer = pv_pg_store_delete_customer;
  iface->claim_send = _pv_pg_store_claim_send;
  iface->finish_send = _pv_pg_store_finish_send;
  iface->list_sends_in_flight = _pv_pg_store_list_sends_in_flight;
  iface->claim_attempt = _pv_pg_store_claim_attempt;
  iface->record_failed_attempt = _pv_pg_store_record_failed_attempt;
  iface->mark_verified = _pv_pg_store_mark_verified;
  iface->record_delivery = _pv_pg_store_record_delivery;
  iface->rename_customer = _pv_pg_store_rename_customer;
  iface->set_customer_language = _pv_pg_store_set_customer_language;
  iface->list_customers = _pv_pg_store_list_customers;
  iface->list_customers_after = _pv_pg_store_list_customers_after;
  iface->list_customers_following = _pv_pg_store_list_customers_following;
  iface->count_customers = _pv_pg_store_count_customers;
  iface->estimate_customers = _pv_pg_store_estimate_customers;
  iface->list_events = pv_pg_store_list_events;
  iface->watch = pv_pg_store_watch;
  iface->import_customers = _pv_pg_store_import_customers;
}
