/* pv-test-postgres-main.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pv-test-postgres-main"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pv-test-postgres.h"

/* A throwaway PostgreSQL server for the tests that are not in C: the Python multi-process
 * harness and the shell scripts. Like the fake Twilio, a test tool: its texts are not
 * translated. */

/* What test harnesses (automake's, meson's exitcode protocol) read as "skipped". */
#define EXIT_SKIPPED 77
#define PARENT_CHECK_MS 200

static const char usage[] =
  "Usage:\n"
  "  pv-test-postgres start\n"
  "      Starts a throwaway PostgreSQL server and prints\n"
  "        export PV_TEST_POSTGRES_URI=postgresql://" PV_TEST_POSTGRES_ROLE
  "@127.0.0.1:PORT/postgres\n"
  "        export PV_TEST_POSTGRES_PID=PID          this process: SIGTERM it to stop\n"
  "        export PV_TEST_POSTGRES_SERVER_PID=PID   the server's postmaster\n"
  "      (no value needs quoting), then closes standard output: whoever reads it to the\n"
  "      end has them while the server runs on. A shell, whose $(…) would wait for this\n"
  "      process to exit, reads them through a FIFO:\n"
  "        mkfifo \"$dir/pg\"\n"
  "        \"$PV_TEST_POSTGRES\" start >\"$dir/pg\" &\n"
  "        eval \"$(cat \"$dir/pg\")\"\n"
  "      It runs on until SIGTERM, SIGINT or SIGHUP, until its parent process exits, or,\n"
  "      when standard input is a pipe or a socket, until that reaches end of file; then\n"
  "      it stops the server and removes its directory. Exits with 77 when no PostgreSQL\n"
  "      server is installed.\n"
  "  pv-test-postgres createdb URI PREFIX\n"
  "      Creates a database with a fresh name starting with PREFIX on URI's server, and\n"
  "      prints its URI.\n";

typedef struct
{
  GMainLoop *loop;
  pid_t      parent;
} Watch;

static gboolean
quit_cb (gpointer user_data)
{
  Watch *watch = user_data;

  g_main_loop_quit (watch->loop);

  return G_SOURCE_CONTINUE;
}

static gboolean
stdin_cb (int          fd,
          GIOCondition condition,
          gpointer     user_data)
{
  Watch *watch = user_data;
  char buffer[256];
  ssize_t length = read (fd, buffer, sizeof buffer);

  /* What is written means nothing: only the end counts. */
  if (length > 0 || (length < 0 && errno == EINTR))
    return G_SOURCE_CONTINUE;

  g_main_loop_quit (watch->loop);

  return G_SOURCE_REMOVE;
}

/* When the parent dies, the kernel gives this process to another: a harness that crashed
 * or was killed cannot stop the server any more, so this does. */
static gboolean
parent_cb (gpointer user_data)
{
  Watch *watch = user_data;

  if (getppid () == watch->parent)
    return G_SOURCE_CONTINUE;

  g_main_loop_quit (watch->loop);

  return G_SOURCE_REMOVE;
}

/* /dev/null or a file would end at once, or never, so they tell nothing; a terminal would be
 * read from while the shell reads it too. */
static gboolean
stdin_can_end (void)
{
  struct stat info;

  return fstat (STDIN_FILENO, &info) == 0 && (S_ISFIFO (info.st_mode) || S_ISSOCK (info.st_mode));
}

static void
close_stdout (void)
{
  int null_fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);

  fflush (stdout);
  if (null_fd >= 0)
    {
      dup2 (null_fd, STDOUT_FILENO);
      close (null_fd);
    }
}

static int
run_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PvTestPostgres) server = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Watch watch = { loop, getppid () };

  /* Handled from the start: a SIGTERM while the server starts then stops it once it runs,
   * instead of killing this process and leaving the cleanup to the watchdog. */
  g_unix_signal_add (SIGTERM, quit_cb, &watch);
  g_unix_signal_add (SIGINT, quit_cb, &watch);
  g_unix_signal_add (SIGHUP, quit_cb, &watch);

  server = pv_test_postgres_start (&error);
  if (server == NULL)
    {
      g_printerr ("pv-test-postgres: %s\n", error->message);
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ? EXIT_SKIPPED
                                                                       : EXIT_FAILURE;
    }

  printf ("export PV_TEST_POSTGRES_URI=%s\n", pv_test_postgres_get_uri (server));
  printf ("export PV_TEST_POSTGRES_PID=%d\n", (int) getpid ());
  printf ("export PV_TEST_POSTGRES_SERVER_PID=%d\n",
          (int) pv_test_postgres_get_server_pid (server));
  close_stdout ();

  if (stdin_can_end ())
    g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_cb, &watch);
  g_timeout_add (PARENT_CHECK_MS, parent_cb, &watch);

  g_main_loop_run (loop);

  return EXIT_SUCCESS;
}

static int
run_createdb (const char *uri,
              const char *prefix)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *database_uri = pv_test_postgres_create_database_at (uri, prefix, &error);

  if (database_uri == NULL)
    {
      g_printerr ("pv-test-postgres: %s\n", error->message);
      return EXIT_FAILURE;
    }

  printf ("%s\n", database_uri);

  return EXIT_SUCCESS;
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 2 && g_str_equal (argv[1], "start"))
    return run_start ();

  if (argc == 4 && g_str_equal (argv[1], "createdb"))
    return run_createdb (argv[2], argv[3]);

  if (argc == 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      fputs (usage, stdout);
      return EXIT_SUCCESS;
    }

  fputs (usage, stderr);

  return 2;
}
