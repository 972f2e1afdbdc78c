/* pv-test-postgres.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pv-test-postgres"

#include "config.h"

#include "pv-test-postgres.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <libpq-fe.h>
#include <locale.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

/* A bind failure is the only start failure another try can mend. */
#define START_ATTEMPTS      10
#define PG_CTL_TIMEOUT      "60"
#define READY_TIMEOUT_US    (30 * G_USEC_PER_SEC)
#define LOG_TAIL_BYTES      4096
/* PostgreSQL truncates longer names (NAMEDATALEN - 1), which would leave the URI we return
 * naming a database that does not exist. */
#define MAX_NAME_LENGTH     63
/* A sockaddr_un's sun_path, less its terminating NUL. */
#define MAX_SOCKET_PATH     107
#define SOCKET_NAME_LENGTH  (sizeof "/.s.PGSQL.65535" - 1)

struct _PvTestPostgres
{
  char     *initdb;
  char     *pg_ctl;
  char     *directory;   /* the temporary directory: data directory, log and socket */
  char     *data_dir;
  char     *log_path;
  char     *uri;
  guint16   port;
  /* As root: the user initdb, pg_ctl and so the server run as */
  gboolean  switch_user;
  uid_t     uid;
  gid_t     gid;
  int       watchdog_fd; /* the write end of the watchdog's standard input, or -1 */
};

static gint database_counter;

static gboolean
has_server_binaries (const char *bindir)
{
  static const char * const names[] = { "initdb", "pg_ctl", "postgres" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (bindir, names[i], NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) ||
          g_file_test (path, G_FILE_TEST_IS_DIR))
        return FALSE;
    }

  return TRUE;
}

/* Debian installs each major version side by side; the newest is what a developer upgraded
 * to last. */
static char *
find_debian_bindir (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/usr/lib/postgresql", 0, NULL);
  g_autofree char *best = NULL;
  guint64 best_version = 0;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *bindir = NULL;
      guint64 version;

      if (!g_ascii_string_to_unsigned (name, 10, 1, G_MAXUINT, &version, NULL) ||
          version <= best_version)
        continue;

      bindir = g_build_filename ("/usr/lib/postgresql", name, "bin", NULL);
      if (has_server_binaries (bindir))
        {
          g_free (best);
          best = g_steal_pointer (&bindir);
          best_version = version;
        }
    }

  return g_steal_pointer (&best);
}

static char *
find_pg_config_bindir (void)
{
  g_autofree char *pg_config = g_find_program_in_path ("pg_config");
  g_autofree char *output = NULL;
  const char *argv[] = { pg_config, "--bindir", NULL };
  int status;

  if (pg_config == NULL ||
      !g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &output, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    return NULL;

  g_strstrip (output);
  if (!has_server_binaries (output))
    return NULL;

  return g_steal_pointer (&output);
}

static gboolean
find_binaries (PvTestPostgres  *self,
               GError         **error)
{
  const char *chosen = g_getenv ("PV_TEST_PG_BINDIR");
  g_autofree char *bindir = NULL;

  if (chosen != NULL && *chosen != '\0')
    {
      /* Someone asked for this server: skipping the tests instead would hide the mistake. */
      if (!has_server_binaries (chosen))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "PV_TEST_PG_BINDIR=%s holds no initdb, pg_ctl and postgres", chosen);
          return FALSE;
        }
      bindir = g_strdup (chosen);
    }

  if (bindir == NULL)
    bindir = find_debian_bindir ();
  /* Debian's pg_config comes with libpq-dev and may name a server that is not installed. */
  if (bindir == NULL)
    bindir = find_pg_config_bindir ();

  if (bindir != NULL)
    {
      self->initdb = g_build_filename (bindir, "initdb", NULL);
      self->pg_ctl = g_build_filename (bindir, "pg_ctl", NULL);
      return TRUE;
    }

  self->initdb = g_find_program_in_path ("initdb");
  self->pg_ctl = g_find_program_in_path ("pg_ctl");
  if (self->initdb == NULL || self->pg_ctl == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "No PostgreSQL server (initdb and pg_ctl) is installed: run "
                           "build-aux/install-deps.sh --tests, or set PV_TEST_PG_BINDIR");
      return FALSE;
    }

  return TRUE;
}

/* initdb and the server refuse to run as root, which CI is. */
static gboolean
choose_server_user (PvTestPostgres  *self,
                    GError         **error)
{
  static const char * const candidates[] = { "postgres", "nobody" };

  if (geteuid () != 0)
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      struct passwd entry, *found = NULL;
      char buffer[4096];

      if (getpwnam_r (candidates[i], &entry, buffer, sizeof buffer, &found) == 0 &&
          found != NULL && found->pw_uid != 0)
        {
          self->switch_user = TRUE;
          self->uid = found->pw_uid;
          self->gid = found->pw_gid;
          return TRUE;
        }
    }

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                       "Running as root, and there is neither a postgres nor a nobody user "
                       "to run the PostgreSQL server as");
  return FALSE;
}

/* Runs in the child between fork and exec, so it makes system calls only. */
static void
drop_privileges (gpointer user_data)
{
  PvTestPostgres *self = user_data;

  if (self->switch_user &&
      (setgroups (0, NULL) != 0 || setgid (self->gid) != 0 || setuid (self->uid) != 0))
    _exit (126);
}

/* Its own session: Ctrl-C in a terminal, or meson killing the test's process group on a
 * timeout, must leave it running to clean up after the test. */
static void
detach_and_drop_privileges (gpointer user_data)
{
  setsid ();
  drop_privileges (user_data);
}

/* Whether another user can reach @path, which as root the server's user must. */
static gboolean
traversable_by_others (const char *path)
{
  g_autofree char *current = g_canonicalize_filename (path, "/");

  for (;;)
    {
      g_autofree char *parent = NULL;
      GStatBuf info;

      if (g_stat (current, &info) != 0 || (info.st_mode & S_IXOTH) == 0)
        return FALSE;

      parent = g_path_get_dirname (current);
      if (g_str_equal (parent, current))
        return TRUE;

      g_free (current);
      current = g_steal_pointer (&parent);
    }
}

static gboolean
make_directory (PvTestPostgres  *self,
                GError         **error)
{
  const char *base = g_get_tmp_dir ();
  g_autofree char *template = NULL;

  if (self->switch_user && !traversable_by_others (base))
    base = "/tmp";

  template = g_build_filename (base, "pv-test-postgres-XXXXXX", NULL);
  if (g_mkdtemp_full (template, 0700) == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not make a directory for the PostgreSQL server in %s: %s", base,
                   g_strerror (saved_errno));
      return FALSE;
    }

  self->directory = g_steal_pointer (&template);
  self->data_dir = g_build_filename (self->directory, "data", NULL);
  self->log_path = g_build_filename (self->directory, "server.log", NULL);

  if (self->switch_user && chown (self->directory, self->uid, self->gid) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not give %s to the PostgreSQL server's user: %s", self->directory,
                   g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

/* The developer's PGDATA, PGPORT, PGHOST… must not steer the throwaway server, and its
 * messages must be English for port_was_taken() to read them. */
static char **
tool_environment (void)
{
  g_auto(GStrv) inherited = g_get_environ ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; inherited[i] != NULL; i++)
    {
      if (!g_str_has_prefix (inherited[i], "PG") && !g_str_has_prefix (inherited[i], "LC_ALL="))
        g_strv_builder_add (builder, inherited[i]);
    }
  g_strv_builder_add (builder, "LC_ALL=C");

  return g_strv_builder_end (builder);
}

static goffset
log_size (PvTestPostgres *self)
{
  GStatBuf info;

  return g_stat (self->log_path, &info) == 0 ? info.st_size : 0;
}

/* What the server logged since @start, at most its last LOG_TAIL_BYTES: why it failed. */
static char *
read_log_since (PvTestPostgres *self,
                goffset         start)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (self->log_path, &contents, &length, NULL))
    return g_strdup ("");

  if ((gsize) start > length)
    start = 0;
  if (length - start > LOG_TAIL_BYTES)
    start = length - LOG_TAIL_BYTES;

  return g_strdup (contents + start);
}

/* A failed tool's error holds what it printed and what the server logged while it ran. */
static void
set_tool_error (PvTestPostgres      *self,
                const char * const  *argv,
                const char          *status,
                char                *output,
                char                *errors,
                goffset              log_start,
                GError             **error)
{
  g_autofree char *command = g_strjoinv (" ", (char **) argv);
  g_autofree char *logged = read_log_since (self, log_start);
  g_autoptr(GString) message = g_string_new (NULL);

  g_string_printf (message, "%s: %s", command, status);
  if (*g_strstrip (output) != '\0')
    g_string_append_printf (message, "\n%s", output);
  if (*g_strstrip (errors) != '\0')
    g_string_append_printf (message, "\n%s", errors);
  if (*logged != '\0')
    g_string_append_printf (message, "\nThe server's log says:\n%s", logged);

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, message->str);
}

/* Runs initdb or pg_ctl to the end, as the server's user. */
static gboolean
run_tool (PvTestPostgres      *self,
          const char * const  *argv,
          GError             **error)
{
  g_auto(GStrv) envp = tool_environment ();
  g_autoptr(GError) status_error = NULL;
  g_autofree char *output = NULL;
  g_autofree char *errors = NULL;
  goffset log_start = log_size (self);
  int status;

  if (!g_spawn_sync (self->directory, (char **) argv, envp, G_SPAWN_DEFAULT, drop_privileges,
                     self, &output, &errors, &status, error))
    return FALSE;

  if (g_spawn_check_wait_status (status, &status_error))
    return TRUE;

  set_tool_error (self, argv, status_error->message, output, errors, log_start, error);
  return FALSE;
}

static gboolean
locale_exists (const char *name)
{
  locale_t locale = newlocale (LC_ALL_MASK, name, (locale_t) 0);

  if (locale == (locale_t) 0)
    return FALSE;

  freelocale (locale);
  return TRUE;
}

static gboolean
run_initdb (PvTestPostgres  *self,
            GError         **error)
{
  /* glibc has had C.UTF-8 built in since 2.35 (Debian 12): UTF-8 text, byte-order collation
   * that no locale package changes. */
  const char *locale = locale_exists ("C.UTF-8") ? "--locale=C.UTF-8" : "--no-locale";
  const char *argv[] = {
    self->initdb, "-D", self->data_dir, "--auth=trust", "-U", PV_TEST_POSTGRES_ROLE,
    "--encoding=UTF8", locale, "--no-sync", NULL
  };

  return run_tool (self, argv, error);
}

/* A postgresql.conf string: quotes and backslashes are escapes there. */
static char *
quote_setting (const char *value)
{
  g_autoptr(GString) quoted = g_string_new ("'");

  for (const char *c = value; *c != '\0'; c++)
    {
      if (*c == '\'' || *c == '\\')
        g_string_append_c (quoted, *c);
      g_string_append_c (quoted, *c);
    }
  g_string_append_c (quoted, '\'');

  return g_string_free (g_steal_pointer (&quoted), FALSE);
}

static gboolean
write_settings (PvTestPostgres  *self,
                GError         **error)
{
  g_autofree char *path = g_build_filename (self->data_dir, "postgresql.conf", NULL);
  g_autofree char *sockets = NULL;
  g_autofree char *settings = NULL;
  FILE *file;

  /* A socket path too long to bind would stop the server: under a deep TMPDIR it has TCP
   * only, which is all the URIs use. */
  if (strlen (self->directory) + SOCKET_NAME_LENGTH <= MAX_SOCKET_PATH)
    sockets = quote_setting (self->directory);
  else
    sockets = g_strdup ("''");

  settings = g_strdup_printf (
    "\n# pv-test-postgres: a throwaway server for PhoneVerify's tests\n"
    "listen_addresses = '127.0.0.1'\n"
    "unix_socket_directories = %s\n"
    /* Nothing here needs to survive a power cut, and durability costs time. */
    "fsync = off\n"
    "synchronous_commit = off\n"
    "full_page_writes = off\n"
    /* Small, with room for the multi-process tests' many connections. */
    "shared_buffers = 16MB\n"
    "max_connections = 200\n"
    /* The same answers whatever the machine's time zone. */
    "timezone = 'UTC'\n"
    "log_timezone = 'UTC'\n",
    sockets);

  /* Appended rather than replaced: as root, a new file would be root's, and the server could
   * not read it. */
  file = g_fopen (path, "a");
  if (file == NULL || fputs (settings, file) == EOF || fclose (file) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not write %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

/* A shell that waits for end of file on its standard input, which only this process holds
 * open: however this process ends, even by SIGKILL, the kernel closes it, and the shell
 * stops the server and removes its directory. pv_test_postgres_free() does the same at
 * once, leaving it nothing to do. */
static gboolean
start_watchdog (PvTestPostgres  *self,
                GError         **error)
{
  static const char script[] =
    "cat >/dev/null\n"
    "\"$0\" stop -D \"$1\" -m immediate -w -s >/dev/null 2>&1\n"
    "rm -rf \"$2\"\n";
  const char *argv[] = { "/bin/sh", "-c", script, self->pg_ctl, self->data_dir, self->directory,
                         NULL };
  g_auto(GStrv) envp = tool_environment ();

  /* Not G_SPAWN_DO_NOT_REAP_CHILD: GLib double-forks, so the watchdog belongs to init and
   * no one has to wait for it. Its output goes nowhere, lest it hold a pipe that a test
   * harness reads to end of file. */
  return g_spawn_async_with_pipes ("/", (char **) argv, envp,
                                   G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                   detach_and_drop_privileges, self, NULL, &self->watchdog_fd,
                                   NULL, NULL, error);
}

/* A port nothing listens on now. The server binds it a moment later, so that another
 * program may take it first: starting is then tried again on another. */
static guint16
pick_free_port (GError **error)
{
  struct sockaddr_in address = { 0 };
  socklen_t length = sizeof address;
  guint16 port = 0;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd >= 0 && bind (fd, (struct sockaddr *) &address, sizeof address) == 0 &&
      getsockname (fd, (struct sockaddr *) &address, &length) == 0)
    port = ntohs (address.sin_port);
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 "Could not find a free port on 127.0.0.1: %s", g_strerror (errno));

  if (fd >= 0)
    close (fd);

  return port;
}

static gboolean
port_was_taken (PvTestPostgres *self,
                goffset         log_start)
{
  g_autofree char *logged = read_log_since (self, log_start);

  return strstr (logged, "could not bind") != NULL ||
         strstr (logged, "Address already in use") != NULL;
}

/* pg_ctl ACTION, with the port on the command line, since this is the only place it is
 * kept: a restart or a start after a stop comes back on the same one. */
static gboolean
run_pg_ctl (PvTestPostgres  *self,
            const char      *action,
            const char      *mode,
            GError         **error)
{
  g_autofree char *options = g_strdup_printf ("-p %u", self->port);
  const char *argv[] = {
    self->pg_ctl, action, "-D", self->data_dir, "-l", self->log_path, "-o", options,
    "-m", mode, "-w", "-t", PG_CTL_TIMEOUT, "-s", NULL
  };

  return run_tool (self, argv, error);
}

/* pg_ctl -w waits for the postmaster to say it is ready; this checks that it answers on
 * the URI's address and port, as the tests will connect. */
static gboolean
wait_until_accepting (PvTestPostgres  *self,
                      GError         **error)
{
  gint64 deadline = g_get_monotonic_time () + READY_TIMEOUT_US;
  PGPing ping;

  while ((ping = PQping (self->uri)) != PQPING_OK)
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *logged = read_log_since (self, 0);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "The PostgreSQL server at %s does not accept connections (PQping: %d)"
                       "\nThe server's log says:\n%s", self->uri, ping, logged);
          return FALSE;
        }
      g_usleep (20 * 1000);
    }

  return TRUE;
}

static gboolean
start_on_free_port (PvTestPostgres  *self,
                    GError         **error)
{
  for (guint attempt = 1;; attempt++)
    {
      g_autoptr(GError) start_error = NULL;
      goffset log_start = log_size (self);

      self->port = pick_free_port (error);
      if (self->port == 0)
        return FALSE;

      g_free (self->uri);
      self->uri = g_strdup_printf ("postgresql://" PV_TEST_POSTGRES_ROLE "@127.0.0.1:%u/postgres",
                                   self->port);
      if (run_pg_ctl (self, "start", "fast", &start_error))
        return wait_until_accepting (self, error);

      if (attempt == START_ATTEMPTS || !port_was_taken (self, log_start))
        {
          g_propagate_error (error, g_steal_pointer (&start_error));
          return FALSE;
        }
    }
}

PvTestPostgres *
pv_test_postgres_start (GError **error)
{
  g_autoptr(PvTestPostgres) self = g_new0 (PvTestPostgres, 1);

  self->watchdog_fd = -1;
  if (!find_binaries (self, error) ||
      !choose_server_user (self, error) ||
      !make_directory (self, error) ||
      !start_watchdog (self, error) ||
      !run_initdb (self, error) ||
      !write_settings (self, error) ||
      !start_on_free_port (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
pv_test_postgres_get_uri (PvTestPostgres *self)
{
  return self->uri;
}

/* @prefix, lowered, with anything but [a-z0-9_] made '_' and room left for the suffix. */
static char *
database_name (const char *prefix)
{
  g_autoptr(GString) name = g_string_new (NULL);
  g_autofree char *suffix = g_strdup_printf ("_%d_%d", g_atomic_int_add (&database_counter, 1) + 1,
                                             (int) getpid ());

  for (const char *c = prefix; *c != '\0' && name->len + strlen (suffix) < MAX_NAME_LENGTH; c++)
    g_string_append_c (name, g_ascii_isalnum (*c) || *c == '_' ? g_ascii_tolower (*c) : '_');
  if (name->len == 0)
    g_string_append (name, "pv");
  g_string_append (name, suffix);

  return g_string_free (g_steal_pointer (&name), FALSE);
}

/* The URI of @name on the server @connection is connected to, as it was reached. */
static char *
database_uri (PGconn     *connection,
              const char *name)
{
  const char *host = PQhost (connection);
  g_autofree char *escaped = NULL;

  if (host != NULL && host[0] != '/')
    return g_strdup_printf ("postgresql://%s@%s:%s/%s", PQuser (connection), host,
                            PQport (connection), name);

  /* A socket directory has no place in a URI's authority. */
  escaped = g_uri_escape_string (host != NULL ? host : "", NULL, FALSE);
  return g_strdup_printf ("postgresql:///%s?host=%s&port=%s&user=%s", name, escaped,
                          PQport (connection), PQuser (connection));
}

char *
pv_test_postgres_create_database_at (const char  *uri,
                                     const char  *prefix,
                                     GError     **error)
{
  g_autoptr(PGconn) connection = PQconnectdb (uri);

  if (PQstatus (connection) != CONNECTION_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                   "Could not connect to %s: %s", uri, PQerrorMessage (connection));
      return NULL;
    }

  /* The name may be taken when an earlier process had the same id. */
  for (guint attempt = 1;; attempt++)
    {
      g_autofree char *name = database_name (prefix);
      g_autofree char *sql = g_strdup_printf ("CREATE DATABASE \"%s\"", name);
      g_autoptr(PGresult) result = PQexec (connection, sql);

      if (PQresultStatus (result) == PGRES_COMMAND_OK)
        return database_uri (connection, name);

      if (attempt == 100 ||
          g_strcmp0 (PQresultErrorField (result, PG_DIAG_SQLSTATE), "42P04") != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s on %s failed: %s", sql, uri,
                       PQresultErrorMessage (result));
          return NULL;
        }
    }
}

char *
pv_test_postgres_create_database (PvTestPostgres  *self,
                                  const char      *prefix,
                                  GError         **error)
{
  return pv_test_postgres_create_database_at (self->uri, prefix, error);
}

char *
pv_test_postgres_query (const char *uri,
                        const char *sql)
{
  g_autoptr(PGconn) connection = PQconnectdb (uri);
  g_autoptr(PGresult) result = NULL;
  ExecStatusType status;

  if (PQstatus (connection) != CONNECTION_OK)
    g_error ("pv_test_postgres_query: could not connect to %s: %s", uri,
             PQerrorMessage (connection));

  result = PQexec (connection, sql);
  status = PQresultStatus (result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
    g_error ("pv_test_postgres_query: “%s” failed on %s: %s", sql, uri,
             PQresultErrorMessage (result));

  if (PQntuples (result) == 0 || PQnfields (result) == 0 || PQgetisnull (result, 0, 0))
    return NULL;

  return g_strdup (PQgetvalue (result, 0, 0));
}

gboolean
pv_test_postgres_restart (PvTestPostgres  *self,
                          GError         **error)
{
  return run_pg_ctl (self, "restart", "fast", error) && wait_until_accepting (self, error);
}

gboolean
pv_test_postgres_stop_server (PvTestPostgres  *self,
                              GError         **error)
{
  return run_pg_ctl (self, "stop", "fast", error);
}

gboolean
pv_test_postgres_start_server (PvTestPostgres  *self,
                               GError         **error)
{
  return run_pg_ctl (self, "start", "fast", error) && wait_until_accepting (self, error);
}

GPid
pv_test_postgres_get_server_pid (PvTestPostgres *self)
{
  g_autofree char *path = g_build_filename (self->data_dir, "postmaster.pid", NULL);
  g_autofree char *contents = NULL;
  guint64 pid;

  /* The lock file's first line is the postmaster's process id. */
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;

  contents[strcspn (contents, "\n")] = '\0';
  if (!g_ascii_string_to_unsigned (contents, 10, 1, G_MAXINT, &pid, NULL))
    return 0;

  return (GPid) pid;
}

/* Links are removed, never followed: only the server's own directory goes. */
static void
remove_tree (const char *path)
{
  GStatBuf info;

  if (g_lstat (path, &info) != 0)
    return;

  if (S_ISDIR (info.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
    }

  g_remove (path);
}

void
pv_test_postgres_free (PvTestPostgres *self)
{
  GPid pid;

  if (self == NULL)
    return;

  pid = self->data_dir != NULL ? pv_test_postgres_get_server_pid (self) : 0;
  if (pid > 0)
    {
      const char *argv[] = {
        self->pg_ctl, "stop", "-D", self->data_dir, "-m", "immediate", "-w", "-t",
        PG_CTL_TIMEOUT, "-s", NULL
      };
      g_autoptr(GError) error = NULL;

      /* Not a g_warning(): this also runs for a test that already failed, and a fatal
       * warning here would abort before the directory is gone. */
      if (!run_tool (self, argv, &error))
        {
          g_printerr ("pv-test-postgres: %s\n", error->message);
          kill (pid, SIGKILL);
        }
    }

  if (self->directory != NULL)
    remove_tree (self->directory);
  if (self->watchdog_fd >= 0)
    close (self->watchdog_fd);

  g_free (self->initdb);
  g_free (self->pg_ctl);
  g_free (self->directory);
  g_free (self->data_dir);
  g_free (self->log_path);
  g_free (self->uri);
  g_free (self);
}
