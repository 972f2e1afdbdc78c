/* test-test-postgres.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pv-test-postgres.h"

/* The throwaway server the PostgreSQL store's tests stand on, and its command for the
 * Python and shell tests: each test here starts one of its own. */

#define URI_LINE         "export PV_TEST_POSTGRES_URI="
#define PID_LINE         "export PV_TEST_POSTGRES_PID="
#define SERVER_PID_LINE  "export PV_TEST_POSTGRES_SERVER_PID="
#define EXIT_SKIPPED     77
#define GONE_TIMEOUT_US  (30 * G_USEC_PER_SEC)

static PvTestPostgres *
start_or_skip (void)
{
  g_autoptr(GError) error = NULL;
  PvTestPostgres *server = pv_test_postgres_start (&error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_test_skip (error->message);
      return NULL;
    }

  g_assert_no_error (error);
  g_assert_nonnull (server);

  return server;
}

typedef struct
{
  PvTestPostgres *server;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->server = start_or_skip ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_pointer (&fixture->server, pv_test_postgres_free);
}

static gboolean
can_connect (const char *uri)
{
  PGconn *connection = PQconnectdb (uri);
  gboolean connected = PQstatus (connection) == CONNECTION_OK;

  PQfinish (connection);

  return connected;
}

/* The server's temporary directory, as the server itself reports it. */
static char *
server_directory (const char *uri)
{
  g_autofree char *data_directory = pv_test_postgres_query (uri, "SHOW data_directory");

  g_assert_nonnull (data_directory);

  return g_path_get_dirname (data_directory);
}

/* A zombie counts as gone: the postmaster belongs to init, which may be slow to reap it (or,
 * as PID 1 of some containers, never do). */
static gboolean
process_gone (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *state;

  if (kill (pid, 0) != 0 && errno == ESRCH)
    return TRUE;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;

  state = strrchr (stat, ')');

  return state != NULL && g_str_has_prefix (state, ") Z");
}

/* Waits until the server's process and directory (unless NULL) are gone. */
static void
assert_server_gone (GPid        pid,
                    const char *directory)
{
  gint64 deadline = g_get_monotonic_time () + GONE_TIMEOUT_US;

  while (!process_gone (pid) ||
         (directory != NULL && g_file_test (directory, G_FILE_TEST_EXISTS)))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("The PostgreSQL server outlived its owner: %s",
                 process_gone (pid) ? directory : "its postmaster runs on");
      g_usleep (50 * 1000);
    }
}

static guint
uri_port (const char *uri)
{
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GRegex) regex = g_regex_new ("^postgresql://" PV_TEST_POSTGRES_ROLE
                                         "@127\\.0\\.0\\.1:([0-9]+)/", 0, 0, NULL);
  g_autofree char *port = NULL;

  g_assert_true (g_regex_match (regex, uri, 0, &match));
  port = g_match_info_fetch (match, 1);

  return (guint) atoi (port);
}

static void
assert_query (const char *uri,
              const char *sql,
              const char *expected)
{
  g_autofree char *value = pv_test_postgres_query (uri, sql);

  g_assert_cmpstr (value, ==, expected);
}

static void
test_settings (Fixture       *fixture,
               gconstpointer  user_data)
{
  PvTestPostgres *server = fixture->server;
  g_autofree char *port = NULL;
  g_autofree char *connections = NULL;
  g_autofree char *collation = NULL;
  g_autofree char *proc = NULL;
  const char *uri;
  GStatBuf info;

  if (server == NULL)
    return;

  uri = pv_test_postgres_get_uri (server);
  g_assert_true (g_str_has_suffix (uri, "/postgres"));
  port = g_strdup_printf ("%u", uri_port (uri));

  assert_query (uri, "SELECT 1", "1");
  assert_query (uri, "SELECT current_user", PV_TEST_POSTGRES_ROLE);
  assert_query (uri, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user", "t");
  assert_query (uri, "SHOW port", port);
  assert_query (uri, "SHOW listen_addresses", "127.0.0.1");
  assert_query (uri, "SELECT host (inet_server_addr ())", "127.0.0.1");
  assert_query (uri, "SHOW server_encoding", "UTF8");
  assert_query (uri, "SHOW fsync", "off");
  assert_query (uri, "SHOW TimeZone", "UTC");

  collation = pv_test_postgres_query (uri, "SHOW lc_collate");
  g_assert_true (g_strv_contains ((const char * const[]) { "C.UTF-8", "C", NULL }, collation));

  connections = pv_test_postgres_query (uri, "SHOW max_connections");
  g_assert_cmpint (atoi (connections), >=, 100);

  /* PostgreSQL refuses to run as root; as root, the server runs as another user. */
  proc = g_strdup_printf ("/proc/%d", (int) pv_test_postgres_get_server_pid (server));
  g_assert_cmpint (g_stat (proc, &info), ==, 0);
  g_assert_cmpuint (info.st_uid, !=, 0);
  if (geteuid () != 0)
    g_assert_cmpuint (info.st_uid, ==, geteuid ());
}

static void
test_databases (Fixture       *fixture,
                gconstpointer  user_data)
{
  PvTestPostgres *server = fixture->server;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *first_name = NULL;
  g_autofree char *name_pattern = NULL;

  if (server == NULL)
    return;

  first = pv_test_postgres_create_database (server, "Store Test-1", &error);
  g_assert_no_error (error);
  second = pv_test_postgres_create_database (server, "Store Test-1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, !=, second);

  /* A name any SQL can use without quoting, which the URI carries as it is. */
  name_pattern = g_strdup_printf ("^postgresql://" PV_TEST_POSTGRES_ROLE "@127\\.0\\.0\\.1:%u/"
                                  "store_test_1_[0-9]+_%d$",
                                  uri_port (pv_test_postgres_get_uri (server)), (int) getpid ());
  g_assert_true (g_regex_match_simple (name_pattern, first, 0, 0));
  g_assert_true (g_regex_match_simple (name_pattern, second, 0, 0));
  first_name = g_path_get_basename (first);
  assert_query (first, "SELECT current_database ()", first_name);

  assert_query (first, "CREATE TABLE marks (value int); INSERT INTO marks VALUES (42); "
                "SELECT value FROM marks", "42");
  g_assert_null (pv_test_postgres_query (second, "SELECT to_regclass ('marks')"));
  assert_query (second, "SELECT 1", "1");
}

/* PostgreSQL would cut a longer name short, and the URI would name no database. */
static void
test_long_database_name (Fixture       *fixture,
                         gconstpointer  user_data)
{
  PvTestPostgres *server = fixture->server;
  g_autoptr(GError) error = NULL;
  g_autofree char *prefix = g_strnfill (100, 'x');
  g_autofree char *database = NULL;
  g_autofree char *suffix = g_strdup_printf ("_%d", (int) getpid ());

  if (server == NULL)
    return;

  database = pv_test_postgres_create_database (server, prefix, &error);
  g_assert_no_error (error);
  assert_query (database, "SELECT length (current_database ()) <= 63", "t");
  g_assert_true (g_str_has_suffix (database, suffix));
}

/* A database with a row in it, to show that it survives what the server goes through. */
static char *
create_marked_database (PvTestPostgres *server)
{
  g_autoptr(GError) error = NULL;
  char *database = pv_test_postgres_create_database (server, "marked", &error);

  g_assert_no_error (error);
  pv_test_postgres_query (database, "CREATE TABLE marks (value int); "
                          "INSERT INTO marks VALUES (42)");

  return database;
}

static void
test_restart (Fixture       *fixture,
              gconstpointer  user_data)
{
  PvTestPostgres *server = fixture->server;
  g_autoptr(GError) error = NULL;
  g_autofree char *database = NULL;
  g_autofree char *uri_before = NULL;
  GPid pid_before;

  if (server == NULL)
    return;

  database = create_marked_database (server);
  uri_before = g_strdup (pv_test_postgres_get_uri (server));
  pid_before = pv_test_postgres_get_server_pid (server);

  g_assert_true (pv_test_postgres_restart (server, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (pv_test_postgres_get_uri (server), ==, uri_before);
  g_assert_cmpint (pv_test_postgres_get_server_pid (server), !=, pid_before);
  g_assert_cmpint (pv_test_postgres_get_server_pid (server), >, 0);
  assert_query (uri_before, "SELECT 1", "1");
  assert_query (database, "SELECT value FROM marks", "42");
}

static void
test_stop_and_start (Fixture       *fixture,
                     gconstpointer  user_data)
{
  PvTestPostgres *server = fixture->server;
  g_autoptr(GError) error = NULL;
  g_autofree char *database = NULL;

  if (server == NULL)
    return;

  database = create_marked_database (server);

  g_assert_true (pv_test_postgres_stop_server (server, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pv_test_postgres_get_server_pid (server), ==, 0);
  g_assert_false (can_connect (pv_test_postgres_get_uri (server)));
  g_assert_false (can_connect (database));

  g_assert_true (pv_test_postgres_start_server (server, &error));
  g_assert_no_error (error);
  g_assert_true (can_connect (pv_test_postgres_get_uri (server)));
  assert_query (database, "SELECT value FROM marks", "42");
}

static void
test_free (Fixture       *fixture,
           gconstpointer  user_data)
{
  PvTestPostgres *server = fixture->server;
  g_autofree char *directory = NULL;
  GPid pid;

  if (server == NULL)
    return;

  directory = server_directory (pv_test_postgres_get_uri (server));
  pid = pv_test_postgres_get_server_pid (server);
  g_assert_true (g_file_test (directory, G_FILE_TEST_IS_DIR));
  g_assert_cmpint (pid, >, 0);

  g_clear_pointer (&fixture->server, pv_test_postgres_free);

  /* At once: a test that frees its server can count on it. */
  g_assert_false (g_file_test (directory, G_FILE_TEST_EXISTS));
  assert_server_gone (pid, directory);
}

/* A server that was stopped on purpose is freed as well. */
static void
test_free_stopped (Fixture       *fixture,
                   gconstpointer  user_data)
{
  PvTestPostgres *server = fixture->server;
  g_autoptr(GError) error = NULL;
  g_autofree char *directory = NULL;

  if (server == NULL)
    return;

  directory = server_directory (pv_test_postgres_get_uri (server));
  g_assert_true (pv_test_postgres_stop_server (server, &error));
  g_assert_no_error (error);

  g_clear_pointer (&fixture->server, pv_test_postgres_free);
  g_assert_false (g_file_test (directory, G_FILE_TEST_EXISTS));
}

/* `pv-test-postgres start`, with its standard input and output piped. */
typedef struct
{
  GSubprocess *process;
  char        *uri;
  GPid         pid;
  GPid         server_pid;
  char        *directory;
} Command;

static void
command_clear (Command *command)
{
  if (command->process != NULL)
    {
      g_subprocess_force_exit (command->process);
      g_subprocess_wait (command->process, NULL, NULL);
    }
  g_clear_object (&command->process);
  g_clear_pointer (&command->uri, g_free);
  g_clear_pointer (&command->directory, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Command, command_clear)

static GPid
parse_pid (const char *text)
{
  guint64 pid;

  g_assert_true (g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT, &pid, NULL));

  return (GPid) pid;
}

/* Reads the export lines to the end of the output, which must come while the server runs
 * on, as the Python harness and a shell's FIFO read them. Returns FALSE, after
 * g_test_skip(), when there is no server to start. */
static gboolean
command_start (Command *command)
{
  const char *path = g_getenv ("PV_TEST_POSTGRES");
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  char *line;

  if (path == NULL)
    {
      g_test_skip ("PV_TEST_POSTGRES names no pv-test-postgres: run this through meson test");
      return FALSE;
    }

  command->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                       &error, path, "start", NULL);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (command->process));
  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error)) != NULL)
    {
      g_autofree char *owned = line;

      if (g_str_has_prefix (line, URI_LINE))
        command->uri = g_strdup (line + strlen (URI_LINE));
      else if (g_str_has_prefix (line, PID_LINE))
        command->pid = parse_pid (line + strlen (PID_LINE));
      else if (g_str_has_prefix (line, SERVER_PID_LINE))
        command->server_pid = parse_pid (line + strlen (SERVER_PID_LINE));
      else
        g_error ("pv-test-postgres printed “%s”", line);
    }
  g_assert_no_error (error);

  if (command->uri == NULL)
    {
      g_assert_true (g_subprocess_wait (command->process, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_exited (command->process));
      g_assert_cmpint (g_subprocess_get_exit_status (command->process), ==, EXIT_SKIPPED);
      g_clear_object (&command->process);
      g_test_skip ("No PostgreSQL server is installed");
      return FALSE;
    }

  g_assert_cmpint (command->pid, ==,
                   parse_pid (g_subprocess_get_identifier (command->process)));
  g_assert_cmpint (command->server_pid, >, 0);
  assert_query (command->uri, "SELECT 1", "1");
  command->directory = server_directory (command->uri);

  return TRUE;
}

/* Waits for the command to end, and checks that it took its server along. */
static void
command_assert_ended (Command *command,
                      int      expected_status)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_wait (command->process, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (command->process));
  g_assert_cmpint (g_subprocess_get_exit_status (command->process), ==, expected_status);
  g_clear_object (&command->process);

  assert_server_gone (command->server_pid, command->directory);
}

static void
test_command_stdin (void)
{
  g_auto(Command) command = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *database = NULL;
  g_autofree char *errors = NULL;
  int status;
  const char *argv[] = {
    g_getenv ("PV_TEST_POSTGRES"), "createdb", NULL, "multiprocess", NULL
  };

  if (!command_start (&command))
    return;

  argv[2] = command.uri;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &database, &errors, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (errors, ==, "");
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  g_strchomp (database);
  g_assert_true (g_str_has_prefix (database, "postgresql://" PV_TEST_POSTGRES_ROLE "@127.0.0.1:"));
  assert_query (database, "SELECT current_database () LIKE 'multiprocess\\_%'", "t");

  /* The harness is done, or has died: either way its end of the pipe closes. */
  g_assert_true (g_output_stream_close (g_subprocess_get_stdin_pipe (command.process), NULL,
                                        &error));
  g_assert_no_error (error);
  command_assert_ended (&command, EXIT_SUCCESS);
}

static void
test_command_sigterm (void)
{
  g_auto(Command) command = { 0 };

  if (!command_start (&command))
    return;

  g_subprocess_send_signal (command.process, SIGTERM);
  command_assert_ended (&command, EXIT_SUCCESS);
}

/* Nothing can clean up after SIGKILL in the process itself: its watchdog does. */
static void
test_command_killed (void)
{
  g_auto(Command) command = { 0 };
  g_autoptr(GError) error = NULL;

  if (!command_start (&command))
    return;

  g_subprocess_force_exit (command.process);
  g_assert_true (g_subprocess_wait (command.process, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_subprocess_get_if_exited (command.process));
  g_clear_object (&command.process);

  assert_server_gone (command.server_pid, command.directory);
}

/* The way the usage text tells shell scripts to read the lines, and a script that exits
 * without stopping the server: the command sees its parent go and stops it. */
static void
test_command_shell (void)
{
  static const char script[] =
    "set -eu\n"
    "dir=$(mktemp -d)\n"
    "trap 'rm -rf \"$dir\"' EXIT\n"
    "mkfifo \"$dir/pg\"\n"
    "\"$1\" start >\"$dir/pg\" &\n"
    "eval \"$(cat \"$dir/pg\")\"\n"
    "if [ -z \"${PV_TEST_POSTGRES_URI:-}\" ]; then\n"
    "  status=0; wait \"$!\" || status=$?; exit $status\n"
    "fi\n"
    "[ \"$PV_TEST_POSTGRES_PID\" = \"$!\" ]\n"
    "echo \"$PV_TEST_POSTGRES_SERVER_PID\"\n";
  const char *path = g_getenv ("PV_TEST_POSTGRES");
  const char *argv[] = { "/bin/sh", "-c", script, "sh", path, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  int status;

  if (path == NULL)
    {
      g_test_skip ("PV_TEST_POSTGRES names no pv-test-postgres: run this through meson test");
      return;
    }

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &output, NULL, &status, &error));
  g_assert_no_error (error);
  if (WIFEXITED (status) && WEXITSTATUS (status) == EXIT_SKIPPED)
    {
      g_test_skip ("No PostgreSQL server is installed");
      return;
    }
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);

  assert_server_gone (parse_pid (g_strstrip (output)), NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD_TEST ("/postgres/server/settings", test_settings);
  ADD_TEST ("/postgres/server/databases", test_databases);
  ADD_TEST ("/postgres/server/long-database-name", test_long_database_name);
  ADD_TEST ("/postgres/server/restart", test_restart);
  ADD_TEST ("/postgres/server/stop-and-start", test_stop_and_start);
  ADD_TEST ("/postgres/server/free", test_free);
  ADD_TEST ("/postgres/server/free-stopped", test_free_stopped);
  g_test_add_func ("/postgres/command/stdin-closes", test_command_stdin);
  g_test_add_func ("/postgres/command/sigterm", test_command_sigterm);
  g_test_add_func ("/postgres/command/killed", test_command_killed);
  g_test_add_func ("/postgres/command/shell", test_command_shell);

  return g_test_run ();
}
