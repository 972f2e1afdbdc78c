/* pv-test-postgres.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A real PostgreSQL server of the test's own, thrown away afterwards: initdb into a fresh
 * temporary directory, listening on 127.0.0.1 only, on a free port, with trust
 * authentication for one superuser role, PV_TEST_POSTGRES_ROLE. As root, the server runs as
 * Debian's `postgres` user (else `nobody`), since PostgreSQL refuses to run as root.
 *
 * The caller frees the server with pv_test_postgres_free(), also when a test fails: nothing
 * global is registered. Should the test process die first (a crash, SIGKILL, a timeout), a
 * small watchdog process it started notices and stops the server and removes its directory,
 * so that no server outlives the test. */

#define PV_TEST_POSTGRES_ROLE "pv_test"

typedef struct _PvTestPostgres PvTestPostgres;

/* Finds initdb and pg_ctl: in $PV_TEST_PG_BINDIR, else in /usr/lib/postgresql/<highest>/bin,
 * else in `pg_config --bindir`, else on PATH. Fails with G_IO_ERROR_NOT_FOUND only when
 * there are no server binaries at all (callers then g_test_skip()), and with
 * G_IO_ERROR_INVALID_ARGUMENT when $PV_TEST_PG_BINDIR names a folder without them. Any other
 * failure's message ends with the tail of the server's log. */
PvTestPostgres *pv_test_postgres_start           (GError         **error);
/* postgresql://pv_test@127.0.0.1:PORT/postgres: the superuser's maintenance database. */
const char     *pv_test_postgres_get_uri         (PvTestPostgres  *self);
/* CREATE DATABASE under a fresh name, @prefix (lowered, anything but [a-z0-9_] made '_')
 * with a counter and the process id, and returns its URI, postgresql://pv_test@127.0.0.1:
 * PORT/NAME. */
char           *pv_test_postgres_create_database (PvTestPostgres  *self,
                                                  const char      *prefix,
                                                  GError         **error);
/* The same on the server that @uri (any database there) connects to; for the
 * pv-test-postgres command, which has only the URI. */
char           *pv_test_postgres_create_database_at (const char  *uri,
                                                     const char  *prefix,
                                                     GError     **error);
/* Runs @sql (one or more statements) on the database @uri and returns the first column of
 * the first row of the last one, or NULL for no row or SQL NULL. Any failure fails the test:
 * it is for assertions, such as "SELECT count(*) FROM events WHERE …". */
char           *pv_test_postgres_query           (const char      *uri,
                                                  const char      *sql);
/* pg_ctl restart -m fast, on the same port, and waits until it accepts connections. */
gboolean        pv_test_postgres_restart         (PvTestPostgres  *self,
                                                  GError         **error);
/* pg_ctl stop -m fast: the server stays stopped, for tests of an unreachable server, until
 * pv_test_postgres_start_server() starts it again on the same port. */
gboolean        pv_test_postgres_stop_server     (PvTestPostgres  *self,
                                                  GError         **error);
gboolean        pv_test_postgres_start_server    (PvTestPostgres  *self,
                                                  GError         **error);
/* The server's postmaster process, or 0 while it is stopped. */
GPid            pv_test_postgres_get_server_pid  (PvTestPostgres  *self);
/* Stops the server (immediate shutdown) and removes its directory. NULL is allowed. */
void            pv_test_postgres_free            (PvTestPostgres  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvTestPostgres, pv_test_postgres_free)

G_END_DECLS
