/* test-store.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* For unshare (), setresuid () and the like: a few storage failures can only be set up in a
 * private mount namespace, or as an ordinary user. */
#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <sched.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pv-pg-store.h"
#include "pv-sqlite-store-private.h"
#include "pv-store.h"
#include "pv-test-postgres.h"
#include "pv-test-search.h"

#define START_TIME 1767225600  /* 2026-01-01 00:00:00 UTC */
#define LARGE_ROWS 100000

/* The intents and the reads that mean the same on every backend run twice: on SQLite,
 * and under /store/postgresql/ on a real PostgreSQL server of the test's own. */
#define POSTGRESQL "postgresql"

static PvTestPostgres *postgres;

/* Each test gets a fresh directory, removed with everything in it afterwards; a
 * PostgreSQL test also gets a fresh database on the test's server. */
typedef struct
{
  char    *directory;
  char    *path;
  char    *uri;
  PvClock *clock;
} Fixture;

static void
remove_tree (const char *directory)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (directory, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_assert_cmpint (g_unlink (child), ==, 0);
    }

  g_assert_cmpint (g_rmdir (directory), ==, 0);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->directory = g_dir_make_tmp ("test-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->directory, "customers.db", NULL);
  fixture->clock = pv_clock_new_manual (START_TIME);

  if (g_strcmp0 (data, POSTGRESQL) == 0)
    {
      fixture->uri = pv_test_postgres_create_database (postgres, "test_store", &error);
      g_assert_no_error (error);
    }
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  remove_tree (fixture->directory);
  g_clear_pointer (&fixture->directory, g_free);
  g_clear_pointer (&fixture->path, g_free);
  g_clear_pointer (&fixture->uri, g_free);
  g_clear_object (&fixture->clock);
}

static PvStore *
open_store (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  PvStore *store;

  if (fixture->uri != NULL)
    store = PV_STORE (pv_pg_store_open (fixture->uri, NULL, fixture->clock, &error));
  else
    store = PV_STORE (pv_sqlite_store_open (fixture->path, fixture->clock, &error));

  g_assert_no_error (error);
  g_assert_nonnull (store);

  return store;
}

/* A second connection that bypasses the store, to see what is really on disk. */
static sqlite3 *
open_raw (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);

  return db;
}

static void
raw_exec (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static gint64
raw_int (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

static char *
raw_text (sqlite3    *db,
          const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return value;
}

static PvCustomer *
insert_customer (PvStore    *store,
                 const char *number,
                 const char *name)
{
  g_autoptr(GError) error = NULL;
  PvCustomer *customer = pv_customer_new (number);

  customer->name = g_strdup (name);
  pv_store_insert_customer (store, customer, PV_EVENT_CODE_SENT, NULL, &error);
  g_assert_no_error (error);

  return customer;
}

static guint
count_events (PvStore    *store,
              const char *number)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = pv_store_list_events (store, number, &error);

  g_assert_no_error (error);

  return events->len;
}

static GPtrArray *
list_events (PvStore    *store,
             const char *number)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *events = pv_store_list_events (store, number, &error);

  g_assert_no_error (error);

  return events;
}

/* The limits every send in these tests asks for. */
#define CODE_LIFETIME  600
#define MAX_ATTEMPTS   5
#define COOLDOWN       30
#define SENDS_PER_HOUR 3
#define OWNER          "4242:test-store"

static PvSendRequest
send_request (const char *number,
              const char *name,
              gboolean    resend,
              const char *code_digest)
{
  PvSendRequest request = {
    .number = number,
    .name = name,
    .resend = resend,
    .code_digest = code_digest,
    /* Tests tell codes apart by their digests; the seed names the same code. */
    .code_seed = code_digest != NULL ? g_intern_string (code_digest) : NULL,
    .channel = PV_CHANNEL_SMS,
    .owner = OWNER,
    .code_lifetime = CODE_LIFETIME,
    .max_attempts = MAX_ATTEMPTS,
    .resend_cooldown = COOLDOWN,
    .max_sends_per_hour = SENDS_PER_HOUR,
  };

  return request;
}

/* A refusal is a verdict, not an error: the call itself must always succeed here. */
static PvSendVerdict
claim_send (PvStore     *store,
            const char  *number,
            const char  *name,
            gboolean     resend,
            const char  *code_digest,
            PvSendClaim *claim)
{
  g_autoptr(GError) error = NULL;
  PvSendRequest request = send_request (number, name, resend, code_digest);

  g_assert_true (pv_store_claim_send (store, &request, claim, &error));
  g_assert_no_error (error);
  g_assert_true (claim->verdict == PV_SEND_GRANTED || claim->before == NULL);

  return claim->verdict;
}

/* A resend that keeps the live code, on @channel. */
static PvSendVerdict
claim_send_again (PvStore     *store,
                  const char  *number,
                  PvChannel    channel,
                  const char  *code_digest,
                  PvSendClaim *claim)
{
  g_autoptr(GError) error = NULL;
  PvSendRequest request = send_request (number, NULL, TRUE, code_digest);

  request.keep_code = TRUE;
  request.channel = channel;
  g_assert_true (pv_store_claim_send (store, &request, claim, &error));
  g_assert_no_error (error);

  return claim->verdict;
}

/* @text is the message SID for SENT, the detail otherwise. Returns whether it applied. */
static gboolean
finish_send (PvStore           *store,
             const PvSendClaim *claim,
             PvSendOutcomeKind  kind,
             const char        *text)
{
  g_autoptr(GError) error = NULL;
  PvSendOutcome outcome = { .kind = kind };
  gboolean applied = 42;

  if (kind == PV_SEND_OUTCOME_SENT)
    {
      outcome.message_sid = text;
      outcome.delivery_status = "queued";
    }
  else
    {
      outcome.detail = text;
    }

  g_assert_true (pv_store_finish_send (store, claim, &outcome, &applied, &error));
  g_assert_no_error (error);
  g_assert_true (applied == TRUE || applied == FALSE);

  return applied;
}

/* Sends a code the way the verifier does when all goes well: claimed, then accepted. */
static void
send_code (PvStore    *store,
           const char *number,
           const char *code_digest,
           const char *message_sid)
{
  g_autoptr(PvCustomer) existing = pv_store_lookup (store, number, NULL);
  g_auto(PvSendClaim) claim = { 0 };

  g_assert_cmpint (claim_send (store, number, NULL, existing != NULL, code_digest, &claim),
                   ==, PV_SEND_GRANTED);
  g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_SENT, message_sid));
}

static guint
count_matches (PvStore    *store,
               const char *search)
{
  g_autoptr(GError) error = NULL;
  guint n = 0;

  g_assert_true (pv_store_count_customers (store, search, &n, &error));
  g_assert_no_error (error);

  return n;
}

static PvCustomer *
lookup (PvStore    *store,
        const char *number)
{
  g_autoptr(GError) error = NULL;
  PvCustomer *customer = pv_store_lookup (store, number, &error);

  g_assert_no_error (error);
  g_assert_nonnull (customer);

  return customer;
}

static PvAttemptVerdict
claim_attempt (PvStore    *store,
               const char *number,
               PvAttempt  *attempt)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pv_store_claim_attempt (store, number, MAX_ATTEMPTS, attempt, &error));
  g_assert_no_error (error);
  /* The digest is handed out with a granted attempt, and only then. */
  g_assert_true ((attempt->verdict == PV_ATTEMPT_GRANTED) == (attempt->code_digest != NULL));

  return attempt->verdict;
}

static gboolean
mark_verified (PvStore    *store,
               const char *number,
               const char *code_digest)
{
  g_autoptr(GError) error = NULL;
  gboolean applied = 42;

  g_assert_true (pv_store_mark_verified (store, number, code_digest, NULL, &applied, &error));
  g_assert_no_error (error);
  g_assert_true (applied == TRUE || applied == FALSE);

  return applied;
}

static gboolean
record_delivery (PvStore    *store,
                 const char *number,
                 const char *message_sid,
                 const char *status,
                 int         error_code)
{
  g_autoptr(GError) error = NULL;
  gboolean applied = 42;

  g_assert_true (pv_store_record_delivery (store, number, message_sid, status, error_code,
                                           &applied, &error));
  g_assert_no_error (error);
  g_assert_true (applied == TRUE || applied == FALSE);

  return applied;
}

static void
assert_last_event (PvStore     *store,
                   const char  *number,
                   PvEventKind  kind,
                   const char  *detail,
                   gint64       time)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = pv_store_list_events (store, number, &error);
  const PvEvent *event;

  g_assert_no_error (error);
  g_assert_cmpuint (events->len, >, 0);
  event = g_ptr_array_index (events, events->len - 1);
  g_assert_cmpint (event->kind, ==, kind);
  g_assert_cmpstr (event->detail, ==, detail);
  g_assert_cmpint (event->time, ==, time);
}

static guint
count_customers (PvStore *store)
{
  g_autoptr(GError) error = NULL;
  guint n = G_MAXUINT;

  g_assert_true (pv_store_count_customers (store, NULL, &n, &error));
  g_assert_no_error (error);

  return n;
}

static void
test_strings (void)
{
  const char *statuses[] = { "pending", "verified" };
  const char *kinds[] = { NULL, "code-sent", "delivery-update", "check-failed", "verified",
                          "deleted", "send-unknown", "send-refused", "renamed",
                          "language-set" };
  const char *send_states[] = { NULL, "sending", "sent", "unknown" };
  const char *channels[] = { NULL, "sms", "call", "inbound" };
  PvCustomerStatus status;
  PvChannel channel;
  PvEventKind kind;
  PvSendState send_state;

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_assert_cmpstr (pv_customer_status_to_string (i), ==, statuses[i]);
      g_assert_true (pv_customer_status_from_string (statuses[i], &status));
      g_assert_cmpint (status, ==, i);
    }
  g_assert_null (pv_customer_status_to_string (G_N_ELEMENTS (statuses)));
  g_assert_false (pv_customer_status_from_string ("Verified", &status));
  g_assert_false (pv_customer_status_from_string (NULL, &status));

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_assert_cmpstr (pv_event_kind_to_string (i), ==, kinds[i]);
      if (kinds[i] == NULL)
        continue;
      g_assert_true (pv_event_kind_from_string (kinds[i], &kind));
      g_assert_cmpint (kind, ==, i);
    }
  g_assert_null (pv_event_kind_to_string (G_N_ELEMENTS (kinds)));
  g_assert_false (pv_event_kind_from_string ("", &kind));
  g_assert_false (pv_event_kind_from_string ("none", &kind));

  /* NONE is stored as NULL, so NULL must read back as NONE. */
  for (guint i = 0; i < G_N_ELEMENTS (send_states); i++)
    {
      g_assert_cmpstr (pv_send_state_to_string (i), ==, send_states[i]);
      g_assert_true (pv_send_state_from_string (send_states[i], &send_state));
      g_assert_cmpint (send_state, ==, i);
    }
  g_assert_null (pv_send_state_to_string (G_N_ELEMENTS (send_states)));
  g_assert_false (pv_send_state_from_string ("Sent", &send_state));

  for (guint i = 0; i < G_N_ELEMENTS (channels); i++)
    {
      g_assert_cmpstr (pv_channel_to_string (i), ==, channels[i]);
      g_assert_true (pv_channel_from_string (channels[i], &channel));
      g_assert_cmpint (channel, ==, i);
    }
  g_assert_null (pv_channel_to_string (G_N_ELEMENTS (channels)));
  g_assert_false (pv_channel_from_string ("voice", &channel));
  g_assert_cmpint (pv_channel_from_sid ("CA0123456789abcdef0123456789abcdef"), ==, PV_CHANNEL_CALL);
  g_assert_cmpint (pv_channel_from_sid ("SM0123456789abcdef0123456789abcdef"), ==, PV_CHANNEL_SMS);
  g_assert_cmpint (pv_channel_from_sid ("MM0123456789abcdef0123456789abcdef"), ==, PV_CHANNEL_SMS);
  g_assert_cmpint (pv_channel_from_sid (NULL), ==, PV_CHANNEL_NONE);
}

static void
test_boxed_copy (void)
{
  g_autoptr(PvCustomer) customer = pv_customer_new ("+15552600001");
  g_autoptr(PvCustomer) copy = NULL;
  g_autoptr(PvEvent) event = pv_event_new ("+15552600001", PV_EVENT_CHECK_FAILED, "2 left", 7);
  g_autoptr(PvEvent) event_copy = NULL;

  g_assert_cmpstr (g_type_name (PV_TYPE_CUSTOMER), ==, "PvCustomer");
  g_assert_cmpstr (g_type_name (PV_TYPE_EVENT), ==, "PvEvent");
  g_assert_cmpint (customer->status, ==, PV_CUSTOMER_STATUS_PENDING);
  g_assert_cmpint (customer->id, ==, 0);

  customer->name = g_strdup ("Ada");
  customer->code_digest = g_strdup ("ab12");
  customer->delivery_error_code = 30003;
  copy = g_boxed_copy (PV_TYPE_CUSTOMER, customer);
  g_assert_true (copy->number != customer->number);
  g_assert_cmpstr (copy->number, ==, "+15552600001");
  g_assert_cmpstr (copy->name, ==, "Ada");
  g_assert_cmpstr (copy->code_digest, ==, "ab12");
  g_assert_null (copy->message_sid);
  g_assert_cmpint (copy->delivery_error_code, ==, 30003);

  event_copy = g_boxed_copy (PV_TYPE_EVENT, event);
  g_assert_true (event_copy->detail != event->detail);
  g_assert_cmpstr (event_copy->detail, ==, "2 left");
  g_assert_cmpint (event_copy->kind, ==, PV_EVENT_CHECK_FAILED);
  g_assert_cmpint (event_copy->time, ==, 7);
}

/* SQLite's and the system's own words, which are for developers, never for staff. */
static void
assert_no_raw_text (const char *message)
{
  static const int errnos[] = {
    EACCES, EPERM, EROFS, ENOSPC, EDQUOT, ENOTDIR, EISDIR, ENOENT, ENOMEM, EIO, EBUSY, ELOOP,
  };

  for (int result = 1; result <= SQLITE_WARNING; result++)
    {
      const char *raw = sqlite3_errstr (result);

      if (raw != NULL && strstr (message, raw) != NULL)
        g_error ("“%s” quotes SQLite: “%s”", message, raw);
    }

  for (guint i = 0; i < G_N_ELEMENTS (errnos); i++)
    if (strstr (message, g_strerror (errnos[i])) != NULL)
      g_error ("“%s” quotes the system: “%s”", message, g_strerror (errnos[i]));

  g_assert_null (strstr (message, "SQLITE"));
  g_assert_null (strstr (message, "errno"));
}

/* A storage failure, as staff read it: its own code, the file or folder to look at quoted
 * (@culprit, when given), what went wrong (@problem) and what to do (@advice), in sentences,
 * with nothing from SQLite or the system. */
static void
assert_store_failure (const GError *error,
                      PvStoreError  code,
                      const char   *culprit,
                      const char   *problem,
                      const char   *advice)
{
  const char *message;
  gsize length;

  g_assert_error (error, PV_STORE_ERROR, (int) code);
  message = error->message;
  length = strlen (message);

  if (culprit != NULL)
    {
      g_autofree char *display_name = g_filename_display_name (culprit);
      g_autofree char *quoted = g_strdup_printf ("“%s”", display_name);

      if (strstr (message, quoted) == NULL)
        g_error ("“%s” does not name %s", message, quoted);
    }

  if (strstr (message, problem) == NULL)
    g_error ("“%s” does not say “%s”", message, problem);
  if (strstr (message, advice) == NULL)
    g_error ("“%s” does not advise “%s”", message, advice);

  assert_no_raw_text (message);
  g_assert_true (g_ascii_isupper (message[0]));
  g_assert_cmpint (message[length - 1], ==, '.');
  g_assert_null (strchr (message, '!'));
}

static void
test_open_fresh (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(PvStore) store = NULL;
  g_autofree char *journal_mode = NULL;
  g_autofree char *nested = g_build_filename (fixture->directory, "a", "b", NULL);
  g_autofree char *path = g_build_filename (nested, "customers.db", NULL);
  g_autoptr(GError) error = NULL;
  struct stat info;
  sqlite3 *db;

  store = PV_STORE (pv_sqlite_store_open (path, fixture->clock, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (pv_store_get_location (store), ==, path);
  g_assert_cmpstr (pv_sqlite_store_get_path (PV_SQLITE_STORE (store)), ==, path);
  g_assert_cmpint (pv_sqlite_store_get_schema_version (PV_SQLITE_STORE (store)), ==,
                   PV_STORE_SCHEMA_VERSION);

  g_assert_cmpint (g_stat (nested, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0700);

  db = open_raw (path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, PV_STORE_SCHEMA_VERSION);
  journal_mode = raw_text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (journal_mode, ==, "wal");
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                                "('customers', 'events', 'customers_search', 'changes')"), ==, 4);
  sqlite3_close (db);
}

static void
test_open_default_path (void)
{
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "phone-verify",
                                                "phone-verify.db", NULL);
  g_autofree char *path = pv_sqlite_store_get_default_path ();
  g_autoptr(PvStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (path, ==, expected);

  /* G_TEST_OPTION_ISOLATE_DIRS points the user data dir at a throwaway directory. */
  store = PV_STORE (pv_sqlite_store_open (NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (pv_store_get_location (store), ==, expected);
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_REGULAR));
}

static void
test_open_reopen (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) customer = insert_customer (store, "+15552600001", "Ada Lovelace");
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_object (&store);
  store = open_store (fixture);

  found = pv_store_lookup (store, "+15552600001", &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpint (found->id, ==, customer->id);
  g_assert_cmpstr (found->name, ==, "Ada Lovelace");
  g_assert_cmpuint (count_events (store, "+15552600001"), ==, 1);
  g_assert_cmpint (pv_sqlite_store_get_schema_version (PV_SQLITE_STORE (store)), ==,
                   PV_STORE_SCHEMA_VERSION);
}

static void
test_open_too_new (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  g_autoptr(PvStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gsize before_length, after_length;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  sql = g_strdup_printf ("CREATE TABLE future (x); PRAGMA user_version = %d;",
                         PV_STORE_SCHEMA_VERSION + 1);
  raw_exec (db, sql);
  sqlite3_close (db);
  g_assert_true (g_file_get_contents (fixture->path, &before, &before_length, NULL));

  store = PV_STORE (pv_sqlite_store_open (fixture->path, fixture->clock, &error));
  assert_store_failure (error, PV_STORE_ERROR_TOO_NEW, fixture->path,
                        "was written by a newer version of PhoneVerify", "Update PhoneVerify");
  g_assert_null (store);

  /* Not a byte changed: not even the journal mode in the header. */
  g_assert_true (g_file_get_contents (fixture->path, &after, &after_length, NULL));
  g_assert_cmpmem (before, before_length, after, after_length);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
}

static void
test_open_garbage (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *garbage = "These are the minutes of the office meeting, not a database. "
                        "Please do not overwrite them; they are needed for the audit.\n";
  g_autofree char *after = NULL;
  g_autoptr(PvStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (fixture->path, garbage, -1, NULL));

  store = PV_STORE (pv_sqlite_store_open (fixture->path, fixture->clock, &error));
  assert_store_failure (error, PV_STORE_ERROR_DAMAGED, fixture->path,
                        "is damaged, or it is not a customer database",
                        "from a backup, or move the file to another folder");
  g_assert_nonnull (strstr (error->message, "PhoneVerify never deletes the file"));
  g_assert_null (store);

  g_assert_true (g_file_get_contents (fixture->path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, garbage);
}

static void
test_open_unusable_directory (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *blocker = g_build_filename (fixture->directory, "blocker", NULL);
  g_autofree char *path = g_build_filename (blocker, "customers.db", NULL);
  g_autoptr(PvStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (blocker, "a file where a folder should be", -1, NULL));

  /* ENOTDIR, which the system words as “Not a directory”: staff are told which file is in
   * the way. */
  store = PV_STORE (pv_sqlite_store_open (path, fixture->clock, &error));
  assert_store_failure (error, PV_STORE_ERROR_OPEN, blocker, "is a file, not a folder",
                        "Move or rename that file, then restart PhoneVerify.");
  g_assert_null (store);
  g_clear_error (&error);

  /* Deeper down, the same file is still what is in the way. */
  g_clear_pointer (&path, g_free);
  path = g_build_filename (blocker, "a", "b", "customers.db", NULL);
  store = PV_STORE (pv_sqlite_store_open (path, fixture->clock, &error));
  assert_store_failure (error, PV_STORE_ERROR_OPEN, blocker, "is a file, not a folder",
                        "Move or rename that file");
  g_assert_null (store);
}

static void
test_open_failed_migration (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(PvStore) store = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  /* A stray table with a name the migration needs makes its second statement fail. */
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  raw_exec (db, "CREATE TABLE customers_name (x);");
  sqlite3_close (db);

  /* SQLite's “index customers_name already exists” is no use to staff. */
  store = PV_STORE (pv_sqlite_store_open (fixture->path, fixture->clock, &error));
  assert_store_failure (error, PV_STORE_ERROR_OPEN, fixture->path,
                        "PhoneVerify cannot open the customer database",
                        "if this keeps happening, ask whoever looks after this computer");
  g_assert_null (strstr (error->message, "already exists"));
  g_assert_null (store);

  /* The whole step was rolled back: no half-made schema, version still 0. */
  db = open_raw (fixture->path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, 0);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM sqlite_schema WHERE name = 'customers'"),
                   ==, 0);
  sqlite3_close (db);
}

static void
test_failure_path_is_folder (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(PvStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (fixture->path, 0700), ==, 0);

  /* EISDIR, which SQLite reports as “unable to open database file”. */
  store = PV_STORE (pv_sqlite_store_open (fixture->path, fixture->clock, &error));
  assert_store_failure (error, PV_STORE_ERROR_OPEN, fixture->path,
                        "because it is a folder, not a file",
                        "Move or rename that folder, then restart PhoneVerify.");
  g_assert_null (store);
  g_assert_true (g_file_test (fixture->path, G_FILE_TEST_IS_DIR));
}

/* Fills the file at @offset onwards, up to @end (or its end, for 0), with garbage. */
static void
damage_file (const char *path,
             gsize       offset,
             gsize       end)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  if (end == 0 || end > length)
    end = length;
  g_assert_cmpuint (offset, <, end);
  memset (contents + offset, 0x5a, end - offset);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
}

static void
fill_store (Fixture *fixture,
            guint    n_customers)
{
  g_autoptr(PvStore) store = open_store (fixture);

  for (guint i = 0; i < n_customers; i++)
    {
      g_autofree char *number = g_strdup_printf ("+1555%07u", i);

      pv_customer_free (insert_customer (store, number, "A name long enough to fill pages"));
    }
}

static void
test_failure_damaged_at_open (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(PvStore) store = NULL;
  g_autoptr(GError) error = NULL;
  struct stat before, after;

  fill_store (fixture, 50);
  /* The header stays (so it still looks like SQLite); the schema after it does not. */
  damage_file (fixture->path, 100, 4096);
  g_assert_cmpint (g_stat (fixture->path, &before), ==, 0);

  store = PV_STORE (pv_sqlite_store_open (fixture->path, fixture->clock, &error));
  assert_store_failure (error, PV_STORE_ERROR_DAMAGED, fixture->path, "is damaged",
                        "put back a copy of the file from a backup, or move the file to "
                        "another folder");
  g_assert_nonnull (strstr (error->message, "PhoneVerify never deletes the file itself."));
  g_assert_null (store);

  /* Left for someone to rescue. */
  g_assert_cmpint (g_stat (fixture->path, &after), ==, 0);
  g_assert_cmpint (after.st_size, ==, before.st_size);
}

static void
test_failure_damaged_at_read (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(PvStore) store = NULL;
  g_autoptr(PvCustomer) customer = pv_customer_new ("+15559999999");
  g_autoptr(GError) error = NULL;
  sqlite3 *db;
  gint64 schema_pages, page_size;
  guint n;

  /* The schema is whole, so the store opens; the customers are not: every page written
   * after the empty database was set up is overwritten. */
  g_clear_object (&store);
  store = open_store (fixture);
  g_clear_object (&store);
  db = open_raw (fixture->path);
  schema_pages = raw_int (db, "PRAGMA page_count");
  page_size = raw_int (db, "PRAGMA page_size");
  sqlite3_close (db);
  /* Enough customers that every index outgrows its first page, or counting could still
   * read one whole. */
  fill_store (fixture, 1500);
  damage_file (fixture->path, schema_pages * page_size, 0);
  store = open_store (fixture);

  g_assert_null (pv_store_lookup (store, "+15550000123", &error));
  assert_store_failure (error, PV_STORE_ERROR_DAMAGED, fixture->path, "is damaged",
                        "from a backup");
  g_clear_error (&error);

  /* The count of every customer is one row kept beside the schema: a search reads the
   * damaged pages. */
  g_assert_false (pv_store_count_customers (store, "name", &n, &error));
  assert_store_failure (error, PV_STORE_ERROR_DAMAGED, fixture->path, "is damaged",
                        "from a backup");
  g_clear_error (&error);

  g_assert_false (pv_store_insert_customer (store, customer, PV_EVENT_CODE_SENT, NULL, &error));
  assert_store_failure (error, PV_STORE_ERROR_DAMAGED, fixture->path, "is damaged",
                        "from a backup");
  g_assert_true (g_file_test (fixture->path, G_FILE_TEST_IS_REGULAR));
}

/* Rows SQLite reads fine, but no PhoneVerify would have written. */
static void
test_failure_damaged_rows (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) customer = insert_customer (store, "+15552600001", "Ada Lovelace");
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = open_raw (fixture->path);

  raw_exec (db, "PRAGMA ignore_check_constraints = ON;"
                "UPDATE customers SET status = 'archived' WHERE number = '+15552600001';"
                "INSERT INTO events (number, kind, time) "
                "VALUES ('+15552600002', 'teleported', 1);");
  sqlite3_close (db);

  g_assert_null (pv_store_lookup (store, "+15552600001", &error));
  assert_store_failure (error, PV_STORE_ERROR_DAMAGED, fixture->path, "is damaged",
                        "from a backup");
  g_clear_error (&error);

  events = pv_store_list_events (store, "+15552600002", &error);
  g_assert_null (events);
  assert_store_failure (error, PV_STORE_ERROR_DAMAGED, fixture->path, "is damaged",
                        "from a backup");
}

/* Costs the store's whole busy timeout, five seconds. */
static void
test_failure_busy (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) customer = pv_customer_new ("+15552600001");
  g_autoptr(GError) error = NULL;
  sqlite3 *db = open_raw (fixture->path);

  /* Another program takes the write lock and keeps it. */
  raw_exec (db, "BEGIN IMMEDIATE");

  g_assert_false (pv_store_insert_customer (store, customer, PV_EVENT_CODE_SENT, NULL, &error));
  assert_store_failure (error, PV_STORE_ERROR_BUSY, NULL, "is busy in another program",
                        "Try again in a moment.");
  g_clear_error (&error);

  /* Once it lets go, trying again works, as the message says. */
  raw_exec (db, "ROLLBACK");
  sqlite3_close (db);
  g_assert_true (pv_store_insert_customer (store, customer, PV_EVENT_CODE_SENT, NULL, &error));
  g_assert_no_error (error);
}

static void
test_failure_out_of_memory (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) customer = insert_customer (store, "+15552600001", "Ada Lovelace");
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3_int64 limit;

  /* SQLite's own allocations stop here: the next statement cannot be prepared. */
  limit = sqlite3_hard_heap_limit64 (sqlite3_memory_used () + 1);
  events = pv_store_list_events (store, "+15552600001", &error);
  sqlite3_hard_heap_limit64 (limit);

  if (events != NULL)
    {
      g_test_skip ("this SQLite does not enforce sqlite3_hard_heap_limit64 ()");
      return;
    }

  assert_store_failure (error, PV_STORE_ERROR_FAILED, NULL, "There is not enough memory",
                        "Close some other programs, then try again.");
  g_clear_error (&error);

  events = pv_store_list_events (store, "+15552600001", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
}

/* Some failures take a privilege to set up: a read-only or full disk needs a tmpfs mounted
 * in a mount namespace of the test's own, and as root, who may write any file, read-only
 * files and folders need an ordinary user. Such tests run in a child process
 * (g_test_trap_subprocess ()), whose mounts and user go with it. Each ability is tried
 * first in a throwaway fork that only makes system calls, since this process has threads. */
#define NOBODY 65534

static gboolean
can_mount (void)
{
  static int answer = -1;

  if (answer < 0)
    {
      g_autofree char *target = g_dir_make_tmp ("test-store-mount-XXXXXX", NULL);
      int status = 0;
      pid_t pid;

      g_assert_nonnull (target);
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        _exit (unshare (CLONE_NEWNS) == 0 &&
               mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
               mount ("tmpfs", target, "tmpfs", 0, "size=64k") == 0 ? 0 : 1);

      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      answer = WIFEXITED (status) && WEXITSTATUS (status) == 0;
      g_assert_cmpint (g_rmdir (target), ==, 0);
    }

  return answer;
}

static gboolean
can_become_unprivileged (void)
{
  static int answer = -1;

  if (geteuid () != 0)
    return TRUE;

  if (answer < 0)
    {
      int status = 0;
      pid_t pid = fork ();

      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        _exit (setresgid (NOBODY, NOBODY, 0) == 0 && setresuid (NOBODY, NOBODY, 0) == 0 &&
               setresuid (0, 0, 0) == 0 ? 0 : 1);

      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      answer = WIFEXITED (status) && WEXITSTATUS (status) == 0;
    }

  return answer;
}

typedef enum
{
  NEEDS_MOUNT,
  NEEDS_UNPRIVILEGED,
} ChildNeed;

/* Returns TRUE in the child, which runs the test; in the parent, runs the child (or skips
 * the test, saying why) and returns FALSE. */
static gboolean
run_in_child (ChildNeed need)
{
  if (g_test_subprocess ())
    return TRUE;

  if (need == NEEDS_MOUNT && !can_mount ())
    {
      g_test_skip ("cannot mount a tmpfs in a private mount namespace here (needs root with "
                   "CAP_SYS_ADMIN); the table test covers this failure");
      return FALSE;
    }

  if (need == NEEDS_UNPRIVILEGED && !can_become_unprivileged ())
    {
      g_test_skip ("running as root, and cannot switch to user 65534 to make file "
                   "permissions count; the table test covers this failure");
      return FALSE;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();

  return FALSE;
}

/* In the child: from now on, file permissions apply, even when the tests run as root. The
 * fixture's directory becomes the user's, so that everything made in it is theirs. */
static void
become_unprivileged (Fixture *fixture)
{
  if (geteuid () != 0)
    return;

  g_assert_cmpint (chown (fixture->directory, NOBODY, NOBODY), ==, 0);
  g_assert_cmpint (setgroups (0, NULL), ==, 0);
  g_assert_cmpint (setresgid (NOBODY, NOBODY, 0), ==, 0);
  g_assert_cmpint (setresuid (NOBODY, NOBODY, 0), ==, 0);
}

/* Back to root, if the tests ran as root, to clean up. */
static void
become_privileged_again (void)
{
  uid_t real, effective, saved;

  g_assert_cmpint (getresuid (&real, &effective, &saved), ==, 0);
  if (saved != 0 || effective == 0)
    return;

  g_assert_cmpint (setresuid (0, 0, 0), ==, 0);
  g_assert_cmpint (setresgid (0, 0, 0), ==, 0);
}

/* In the child: a small tmpfs of its own at @name in the fixture's directory. */
static char *
mount_disk (Fixture    *fixture,
            const char *name,
            const char *size)
{
  g_autofree char *options = g_strdup_printf ("size=%s,mode=0700", size);
  char *disk = g_build_filename (fixture->directory, name, NULL);

  g_assert_cmpint (g_mkdir (disk, 0700), ==, 0);
  g_assert_cmpint (unshare (CLONE_NEWNS), ==, 0);
  g_assert_cmpint (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), ==, 0);
  g_assert_cmpint (mount ("tmpfs", disk, "tmpfs", MS_NOSUID | MS_NODEV, options), ==, 0);

  return disk;
}

static void
unmount_disk (const char *disk)
{
  g_assert_cmpint (umount2 (disk, MNT_DETACH), ==, 0);
}

/* Writes to @path until the disk is full. */
static void
fill_disk (const char *path)
{
  static const char block[65536] = { 0 };
  int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  gssize written;

  g_assert_cmpint (fd, >=, 0);
  do
    written = write (fd, block, sizeof block);
  while (written > 0);
  g_assert_cmpint (errno, ==, ENOSPC);

  /* Smaller pieces, for what is left. */
  do
    written = write (fd, block, 512);
  while (written > 0);
  g_assert_cmpint (errno, ==, ENOSPC);
  g_assert_cmpint (close (fd), ==, 0);
}

static void
test_failure_read_only_file (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(PvStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (!run_in_child (NEEDS_UNPRIVILEGED))
    return;

  become_unprivileged (fixture);
  store = open_store (fixture);
  g_clear_object (&store);
  g_assert_cmpint (g_chmod (fixture->path, 0444), ==, 0);

  /* SQLite falls back to reading only; every change would fail. It is found at once. */
  store = PV_STORE (pv_sqlite_store_open (fixture->path, fixture->clock, &error));
  assert_store_failure (error, PV_STORE_ERROR_READ_ONLY, fixture->path,
                        "is read-only, so PhoneVerify cannot save changes to it",
                        "allow changes to the file, then restart PhoneVerify.");
  g_assert_null (store);

  g_assert_cmpint (g_chmod (fixture->path, 0644), ==, 0);
  become_privileged_again ();
}

static void
test_failure_read_only_folder (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (fixture->directory, "office", NULL);
  g_autofree char *path = g_build_filename (folder, "customers.db", NULL);
  g_autofree char *fresh = g_build_filename (folder, "fresh.db", NULL);
  g_autoptr(PvStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (!run_in_child (NEEDS_UNPRIVILEGED))
    return;

  become_unprivileged (fixture);
  store = PV_STORE (pv_sqlite_store_open (path, fixture->clock, &error));
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_cmpint (g_chmod (folder, 0555), ==, 0);

  /* The file may be written, but SQLite cannot create its working files beside it. Before,
   * this was blamed on the file. */
  store = PV_STORE (pv_sqlite_store_open (path, fixture->clock, &error));
  assert_store_failure (error, PV_STORE_ERROR_READ_ONLY, folder, "is read-only",
                        "allow changes to the folder, then restart PhoneVerify.");
  g_assert_nonnull (strstr (error->message, "folder"));
  g_assert_nonnull (strstr (error->message, "working files"));
  g_assert_null (store);
  g_clear_error (&error);

  /* Nor can it create a new database there. */
  store = PV_STORE (pv_sqlite_store_open (fresh, fixture->clock, &error));
  assert_store_failure (error, PV_STORE_ERROR_READ_ONLY, folder, "is read-only",
                        "allow changes to the folder");
  g_assert_null (store);

  g_assert_cmpint (g_chmod (folder, 0700), ==, 0);
  become_privileged_again ();
}

static void
test_failure_not_allowed (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (fixture->directory, "office", NULL);
  g_autofree char *path = g_build_filename (folder, "customers.db", NULL);
  g_autofree char *new_folder = g_build_filename (folder, "phone-verify", NULL);
  g_autofree char *nested = g_build_filename (new_folder, "customers.db", NULL);
  g_autoptr(PvStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (!run_in_child (NEEDS_UNPRIVILEGED))
    return;

  become_unprivileged (fixture);
  store = PV_STORE (pv_sqlite_store_open (path, fixture->clock, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  /* A file that may not even be read: EACCES. */
  g_assert_cmpint (g_chmod (path, 0000), ==, 0);
  store = PV_STORE (pv_sqlite_store_open (path, fixture->clock, &error));
  assert_store_failure (error, PV_STORE_ERROR_OPEN, path, "is not allowed to open",
                        "access to the file, then restart PhoneVerify.");
  g_assert_null (store);
  g_clear_error (&error);
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);

  /* A folder that may not be entered. */
  g_assert_cmpint (g_chmod (folder, 0600), ==, 0);
  store = PV_STORE (pv_sqlite_store_open (path, fixture->clock, &error));
  assert_store_failure (error, PV_STORE_ERROR_OPEN, folder, "is not allowed into the folder",
                        "access to the folder, then restart PhoneVerify.");
  g_assert_null (store);
  g_clear_error (&error);

  /* A folder that may not be created. */
  g_assert_cmpint (g_chmod (folder, 0555), ==, 0);
  store = PV_STORE (pv_sqlite_store_open (nested, fixture->clock, &error));
  assert_store_failure (error, PV_STORE_ERROR_OPEN, new_folder,
                        "is not allowed to create the folder",
                        "to give you access, then restart PhoneVerify.");
  g_assert_null (store);

  g_assert_cmpint (g_chmod (folder, 0700), ==, 0);
  become_privileged_again ();
}

static void
test_failure_read_only_disk (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *disk = NULL;
  g_autofree char *path = NULL;
  g_autofree char *fresh = NULL;
  g_autofree char *nested = NULL;
  g_autoptr(PvStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (!run_in_child (NEEDS_MOUNT))
    return;

  disk = mount_disk (fixture, "disk", "4m");
  path = g_build_filename (disk, "customers.db", NULL);
  fresh = g_build_filename (disk, "fresh.db", NULL);
  nested = g_build_filename (disk, "phone-verify", "customers.db", NULL);
  store = PV_STORE (pv_sqlite_store_open (path, fixture->clock, &error));
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_cmpint (mount (NULL, disk, NULL, MS_REMOUNT | MS_RDONLY, NULL), ==, 0);

  /* Before, SQLite's “unable to open database file” came through. Root or not, nobody
   * writes here. */
  store = PV_STORE (pv_sqlite_store_open (path, fixture->clock, &error));
  assert_store_failure (error, PV_STORE_ERROR_READ_ONLY, path, "is on a read-only disk",
                        "make the disk writable, then restart PhoneVerify.");
  g_assert_null (store);
  g_clear_error (&error);

  store = PV_STORE (pv_sqlite_store_open (fresh, fixture->clock, &error));
  assert_store_failure (error, PV_STORE_ERROR_READ_ONLY, fresh, "is on a read-only disk",
                        "make the disk writable");
  g_assert_null (store);
  g_clear_error (&error);

  /* EROFS from creating the folder. */
  store = PV_STORE (pv_sqlite_store_open (nested, fixture->clock, &error));
  assert_store_failure (error, PV_STORE_ERROR_READ_ONLY, nested, "is on a read-only disk",
                        "make the disk writable");
  g_assert_null (store);

  unmount_disk (disk);
}

static void
test_failure_disk_full_at_open (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autofree char *disk = NULL;
  g_autofree char *path = NULL;
  g_autofree char *filler = NULL;
  g_autoptr(PvStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (!run_in_child (NEEDS_MOUNT))
    return;

  disk = mount_disk (fixture, "disk", "1m");
  path = g_build_filename (disk, "customers.db", NULL);
  filler = g_build_filename (disk, "filler", NULL);
  fill_disk (filler);

  /* Creating the tables needs room. */
  store = PV_STORE (pv_sqlite_store_open (path, fixture->clock, &error));
  assert_store_failure (error, PV_STORE_ERROR_NO_SPACE, path, "is full",
                        "Free up space on it, for example by emptying the trash, then restart "
                        "PhoneVerify.");
  g_assert_null (store);
  g_clear_error (&error);

  /* With room again, restarting works, as the message says. */
  g_assert_cmpint (g_unlink (filler), ==, 0);
  store = PV_STORE (pv_sqlite_store_open (path, fixture->clock, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  unmount_disk (disk);
}

static void
test_failure_disk_full_at_write (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autofree char *disk = NULL;
  g_autofree char *path = NULL;
  g_autofree char *filler = NULL;
  g_autoptr(PvStore) store = NULL;
  g_autoptr(GError) error = NULL;
  guint i;

  if (!run_in_child (NEEDS_MOUNT))
    return;

  disk = mount_disk (fixture, "disk", "2m");
  path = g_build_filename (disk, "customers.db", NULL);
  filler = g_build_filename (disk, "filler", NULL);
  store = PV_STORE (pv_sqlite_store_open (path, fixture->clock, &error));
  g_assert_no_error (error);
  fill_disk (filler);

  /* The write-ahead log grows in pages; some writes may still fit in what it has. */
  for (i = 0; i < 1000 && error == NULL; i++)
    {
      g_autofree char *number = g_strdup_printf ("+1555%07u", i);
      g_autoptr(PvCustomer) customer = pv_customer_new (number);

      customer->name = g_strnfill (200, 'x');
      pv_store_insert_customer (store, customer, PV_EVENT_CODE_SENT, NULL, &error);
    }

  assert_store_failure (error, PV_STORE_ERROR_NO_SPACE, path, "is full",
                        "Free up space on it, for example by emptying the trash, then try "
                        "again.");
  g_clear_error (&error);

  /* With room again, trying again works, as the message says. */
  g_assert_cmpint (g_unlink (filler), ==, 0);
  pv_customer_free (insert_customer (store, "+15559999999", "After"));
  g_clear_object (&store);

  unmount_disk (disk);
}

/* The failure explanation on a made-up file system, for what cannot be set up for real
 * here: a disk that turns read-only under an open database, a full quota, a database moved
 * while open, a read-only working file, and every case the real tests had to skip. */

typedef struct
{
  const char *path;
  gboolean    folder;
  int         refused;          /* R_OK, W_OK, X_OK: what the user may not do */
} FakeEntry;

/* Terminated by an entry without a path. "/" is always there, and may be anything. */
static const FakeEntry *fake_entries;
static gboolean fake_read_only_disk;

static const FakeEntry *
find_fake_entry (const char *path)
{
  static const FakeEntry root = { "/", TRUE, 0 };

  for (const FakeEntry *entry = fake_entries; entry->path != NULL; entry++)
    if (g_str_equal (entry->path, path))
      return entry;

  return g_str_equal (path, "/") ? &root : NULL;
}

/* Walks the folders above @path the way the kernel does; sets errno and returns FALSE when
 * one of them is missing, a file, or may not be entered. */
static gboolean
fake_reach (const char *path)
{
  g_autofree char *parent = g_path_get_dirname (path);
  const FakeEntry *entry;

  if (g_str_equal (parent, path))
    return TRUE;

  if (!fake_reach (parent))
    return FALSE;

  entry = find_fake_entry (parent);
  errno = entry == NULL ? ENOENT : !entry->folder ? ENOTDIR : EACCES;

  return entry != NULL && entry->folder && (entry->refused & X_OK) == 0;
}

static int
fake_stat (const char  *path,
           struct stat *info)
{
  const FakeEntry *entry;

  if (!fake_reach (path))
    return -1;

  entry = find_fake_entry (path);
  if (entry == NULL)
    {
      errno = ENOENT;
      return -1;
    }

  memset (info, 0, sizeof *info);
  info->st_mode = entry->folder ? S_IFDIR | 0700 : S_IFREG | 0600;

  return 0;
}

static int
fake_statvfs (const char     *path,
              struct statvfs *info)
{
  struct stat ignored;

  if (fake_stat (path, &ignored) != 0)
    return -1;

  memset (info, 0, sizeof *info);
  info->f_flag = fake_read_only_disk ? ST_RDONLY : 0;

  return 0;
}

static int
fake_access (const char *path,
             int         mode)
{
  struct stat ignored;
  const FakeEntry *entry;

  if (fake_stat (path, &ignored) != 0)
    return -1;

  entry = find_fake_entry (path);
  if ((mode & W_OK) != 0 && fake_read_only_disk)
    {
      errno = EROFS;
      return -1;
    }

  if ((entry->refused & mode) != 0)
    {
      errno = EACCES;
      return -1;
    }

  return 0;
}

#define RAW_DETAIL "RAW DETAIL FROM SQLITE"
#define DB "/office/customers.db"

typedef struct
{
  const char      *name;
  const char      *path;            /* the database's path, when not DB */
  FakeEntry        entries[5];
  gboolean         read_only_disk;
  PvStoreError     code;            /* OPEN while opening, FAILED after */
  int              result;          /* SQLite's extended result code */
  int              system_errno;
  PvStoreError     expected_code;
  const char      *culprit;         /* quoted in the message, when not NULL */
  const char      *problem;
  const char      *advice;
} FailureCase;

#define OFFICE { "/office", TRUE, 0 }
#define DATABASE { DB, FALSE, 0 }

static const FailureCase failure_cases[] = {
  /* Cannot open or create. */
  { "folder blocked by a file", NULL, { { "/office", FALSE, 0 } }, FALSE,
    PV_STORE_ERROR_OPEN, SQLITE_CANTOPEN, ENOTDIR,
    PV_STORE_ERROR_OPEN, "/office", "is a file, not a folder", "Move or rename that file" },
  { "folder blocked further up", "/office/a/b/customers.db", { { "/office", FALSE, 0 } }, FALSE,
    PV_STORE_ERROR_OPEN, SQLITE_CANTOPEN, ENOTDIR,
    PV_STORE_ERROR_OPEN, "/office", "is a file, not a folder", "Move or rename that file" },
  { "folder may not be created", "/office/phone-verify/customers.db",
    { { "/office", TRUE, W_OK } }, FALSE,
    PV_STORE_ERROR_OPEN, SQLITE_CANTOPEN, EACCES,
    PV_STORE_ERROR_OPEN, "/office/phone-verify", "is not allowed to create the folder",
    "give you access, then restart PhoneVerify." },
  { "folder cannot be created, no reason found", "/office/phone-verify/customers.db",
    { OFFICE }, FALSE,
    PV_STORE_ERROR_OPEN, SQLITE_CANTOPEN, ELOOP,
    PV_STORE_ERROR_OPEN, "/office/phone-verify", "cannot create the folder",
    "Ask whoever looks after this computer for help, then restart PhoneVerify." },
  { "folder may not be entered", NULL, { { "/office", TRUE, X_OK } }, FALSE,
    PV_STORE_ERROR_OPEN, SQLITE_CANTOPEN, EACCES,
    PV_STORE_ERROR_OPEN, "/office", "is not allowed into the folder",
    "access to the folder, then restart PhoneVerify." },
  { "file may not be read", NULL, { OFFICE, { DB, FALSE, R_OK | W_OK } }, FALSE,
    PV_STORE_ERROR_OPEN, SQLITE_CANTOPEN, EACCES,
    PV_STORE_ERROR_OPEN, DB, "is not allowed to open the customer database",
    "access to the file, then restart PhoneVerify." },
  { "refused, nothing found on disk", NULL, { OFFICE, DATABASE }, FALSE,
    PV_STORE_ERROR_OPEN, SQLITE_CANTOPEN, EPERM,
    PV_STORE_ERROR_OPEN, DB, "is not allowed to open the customer database",
    "restart PhoneVerify." },
  { "a folder with the file's name", NULL, { OFFICE, { DB, TRUE, 0 } }, FALSE,
    PV_STORE_ERROR_OPEN, SQLITE_CANTOPEN, EISDIR,
    PV_STORE_ERROR_OPEN, DB, "because it is a folder, not a file", "Move or rename that folder" },

  /* Read-only: the file, a working file, the folder, the disk. */
  { "read-only file", NULL, { OFFICE, { DB, FALSE, W_OK } }, FALSE,
    PV_STORE_ERROR_OPEN, SQLITE_READONLY, 0,
    PV_STORE_ERROR_READ_ONLY, DB, "is read-only, so PhoneVerify cannot save changes to it",
    "allow changes to the file, then restart PhoneVerify." },
  { "read-only file, found at a write", NULL, { OFFICE, { DB, FALSE, W_OK } }, FALSE,
    PV_STORE_ERROR_FAILED, SQLITE_READONLY, 0,
    PV_STORE_ERROR_READ_ONLY, DB, "is read-only", "allow changes to the file" },
  { "read-only, nothing found on disk", NULL, { OFFICE, DATABASE }, FALSE,
    PV_STORE_ERROR_FAILED, SQLITE_READONLY, 0,
    PV_STORE_ERROR_READ_ONLY, DB, "is read-only", "allow changes to the file" },
  { "read-only working file", NULL, { OFFICE, DATABASE, { DB "-wal", FALSE, W_OK } }, FALSE,
    PV_STORE_ERROR_OPEN, SQLITE_READONLY, 0,
    PV_STORE_ERROR_READ_ONLY, DB "-wal", "its working file", "allow changes to that file" },
  { "read-only folder", NULL, { { "/office", TRUE, W_OK }, DATABASE }, FALSE,
    PV_STORE_ERROR_OPEN, SQLITE_READONLY_CANTINIT, 0,
    PV_STORE_ERROR_READ_ONLY, "/office", "is read-only. PhoneVerify keeps working files",
    "allow changes to the folder, then restart PhoneVerify." },
  { "read-only folder, found at a write", NULL, { { "/office", TRUE, W_OK }, DATABASE }, FALSE,
    PV_STORE_ERROR_FAILED, SQLITE_CANTOPEN, EACCES,
    PV_STORE_ERROR_READ_ONLY, "/office", "folder", "allow changes to the folder" },
  { "read-only folder, new file", NULL, { { "/office", TRUE, W_OK } }, FALSE,
    PV_STORE_ERROR_OPEN, SQLITE_CANTOPEN, ENOENT,
    PV_STORE_ERROR_READ_ONLY, "/office", "is read-only", "allow changes to the folder" },
  { "read-only disk", NULL, { OFFICE, DATABASE }, TRUE,
    PV_STORE_ERROR_OPEN, SQLITE_CANTOPEN, ENOENT,
    PV_STORE_ERROR_READ_ONLY, DB, "is on a read-only disk",
    "make the disk writable, then restart PhoneVerify." },
  { "disk turned read-only under an open database", NULL, { OFFICE, DATABASE }, TRUE,
    PV_STORE_ERROR_FAILED, SQLITE_IOERR_WRITE, EROFS,
    PV_STORE_ERROR_READ_ONLY, DB, "is on a read-only disk", "make the disk writable" },
  { "read-only disk, new folder", "/office/phone-verify/customers.db", { OFFICE }, TRUE,
    PV_STORE_ERROR_OPEN, SQLITE_CANTOPEN, EROFS,
    PV_STORE_ERROR_READ_ONLY, "/office/phone-verify/customers.db", "is on a read-only disk",
    "make the disk writable" },
  { "EROFS, nothing found on disk", NULL, { OFFICE, DATABASE }, FALSE,
    PV_STORE_ERROR_FAILED, SQLITE_IOERR_TRUNCATE, EROFS,
    PV_STORE_ERROR_READ_ONLY, DB, "is on a read-only disk", "make the disk writable" },

  /* Full. */
  { "full disk at open", NULL, { OFFICE, DATABASE }, FALSE,
    PV_STORE_ERROR_OPEN, SQLITE_FULL, 0,
    PV_STORE_ERROR_NO_SPACE, DB, "is full", "emptying the trash, then restart PhoneVerify." },
  { "full disk at a write", NULL, { OFFICE, DATABASE }, FALSE,
    PV_STORE_ERROR_FAILED, SQLITE_FULL, 0,
    PV_STORE_ERROR_NO_SPACE, DB, "is full", "emptying the trash, then try again." },
  { "full disk growing the shared memory", NULL, { OFFICE, DATABASE }, FALSE,
    PV_STORE_ERROR_FAILED, SQLITE_IOERR_SHMSIZE, ENOSPC,
    PV_STORE_ERROR_NO_SPACE, DB, "is full", "then try again." },
  { "quota used up", NULL, { OFFICE, DATABASE }, FALSE,
    PV_STORE_ERROR_FAILED, SQLITE_IOERR_WRITE, EDQUOT,
    PV_STORE_ERROR_NO_SPACE, DB, "is full", "then try again." },
  { "full disk creating a file", NULL, { OFFICE }, FALSE,
    PV_STORE_ERROR_OPEN, SQLITE_CANTOPEN, ENOSPC,
    PV_STORE_ERROR_NO_SPACE, DB, "is full", "then restart PhoneVerify." },

  /* Damaged. */
  { "damaged", NULL, { OFFICE, DATABASE }, FALSE,
    PV_STORE_ERROR_FAILED, SQLITE_CORRUPT, 0,
    PV_STORE_ERROR_DAMAGED, DB, "is damaged",
    "from a backup, or move the file to another folder" },
  { "damaged index", NULL, { OFFICE, DATABASE }, FALSE,
    PV_STORE_ERROR_FAILED, SQLITE_CORRUPT_INDEX, 0,
    PV_STORE_ERROR_DAMAGED, DB, "is damaged", "PhoneVerify never deletes the file itself." },
  { "not a database", NULL, { OFFICE, DATABASE }, FALSE,
    PV_STORE_ERROR_OPEN, SQLITE_NOTADB, 0,
    PV_STORE_ERROR_DAMAGED, DB, "is damaged, or it is not a customer database",
    "from a backup, or move the file to another folder" },

  /* Moved away while open. */
  { "moved while open", NULL, { OFFICE, DATABASE }, FALSE,
    PV_STORE_ERROR_FAILED, SQLITE_READONLY_DBMOVED, 0,
    PV_STORE_ERROR_FAILED, DB, "was moved or deleted while PhoneVerify was using it",
    "put it back, then restart PhoneVerify." },
  { "gone while open", NULL, { OFFICE }, FALSE,
    PV_STORE_ERROR_FAILED, SQLITE_IOERR_FSTAT, ENOENT,
    PV_STORE_ERROR_FAILED, DB, "was moved or deleted", "put it back" },

  /* Busy, out of memory. */
  { "busy at a write", NULL, { OFFICE, DATABASE }, FALSE,
    PV_STORE_ERROR_FAILED, SQLITE_BUSY, 0,
    PV_STORE_ERROR_BUSY, NULL, "is busy in another program", "Try again in a moment." },
  { "busy at open", NULL, { OFFICE, DATABASE }, FALSE,
    PV_STORE_ERROR_OPEN, SQLITE_BUSY_RECOVERY, 0,
    PV_STORE_ERROR_BUSY, DB, "is busy in another program",
    "Wait a moment, then restart PhoneVerify." },
  { "locked", NULL, { OFFICE, DATABASE }, FALSE,
    PV_STORE_ERROR_FAILED, SQLITE_LOCKED_SHAREDCACHE, 0,
    PV_STORE_ERROR_BUSY, NULL, "is busy in another program", "Try again in a moment." },
  { "out of memory at a write", NULL, { OFFICE, DATABASE }, FALSE,
    PV_STORE_ERROR_FAILED, SQLITE_NOMEM, 0,
    PV_STORE_ERROR_FAILED, NULL, "There is not enough memory to use the customer database",
    "Close some other programs, then try again." },
  { "out of memory at open", NULL, { OFFICE, DATABASE }, FALSE,
    PV_STORE_ERROR_OPEN, SQLITE_IOERR_NOMEM, ENOMEM,
    PV_STORE_ERROR_OPEN, NULL, "There is not enough memory to open the customer database",
    "Close some other programs, then restart PhoneVerify." },

  /* Anything else. */
  { "SQL error at open", NULL, { OFFICE, DATABASE }, FALSE,
    PV_STORE_ERROR_OPEN, SQLITE_ERROR, 0,
    PV_STORE_ERROR_OPEN, DB, "PhoneVerify cannot open the customer database",
    "Restart PhoneVerify; if this keeps happening, ask whoever looks after this computer" },
  { "I/O error at a write", NULL, { OFFICE, DATABASE }, FALSE,
    PV_STORE_ERROR_FAILED, SQLITE_IOERR_FSYNC, EIO,
    PV_STORE_ERROR_FAILED, DB, "PhoneVerify could not use the customer database",
    "Try again; if this keeps happening, ask whoever looks after this computer" },
  { "constraint at a write", NULL, { OFFICE, DATABASE }, FALSE,
    PV_STORE_ERROR_FAILED, SQLITE_CONSTRAINT_TRIGGER, 0,
    PV_STORE_ERROR_FAILED, DB, "could not use the customer database", "Try again" },
  { "cannot open, nothing found", NULL, { OFFICE, DATABASE }, FALSE,
    PV_STORE_ERROR_OPEN, SQLITE_CANTOPEN, 0,
    PV_STORE_ERROR_OPEN, DB, "cannot open the customer database", "Restart PhoneVerify" },
};

static void
test_failure_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (failure_cases); i++)
    {
      const FailureCase *failure = &failure_cases[i];
      const char *path = failure->path != NULL ? failure->path : DB;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", failure->name);
      fake_entries = failure->entries;
      fake_read_only_disk = failure->read_only_disk;

      _pv_sqlite_store_explain_failure (path, failure->code, failure->result,
                                        failure->system_errno, RAW_DETAIL,
                                        fake_stat, fake_statvfs, fake_access, &error);
      assert_store_failure (error, failure->expected_code, failure->culprit, failure->problem,
                            failure->advice);
      g_assert_null (strstr (error->message, RAW_DETAIL));
    }

  fake_entries = NULL;
}

static PvCustomer *
make_full_customer (void)
{
  PvCustomer *customer = pv_customer_new ("+447700900123");

  customer->name = g_strdup ("Zoë “Zed” O’Neil");
  customer->status = PV_CUSTOMER_STATUS_VERIFIED;
  customer->code_digest =
    g_strdup ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  customer->code_expires_at = START_TIME + 600;
  customer->failed_attempts = 2;
  customer->sends_in_window = 3;
  customer->send_window_started_at = START_TIME - 100;
  customer->last_sent_at = START_TIME - 10;
  customer->message_sid = g_strdup ("SM0123456789abcdef0123456789abcdef");
  customer->delivery_status = g_strdup ("undelivered");
  customer->delivery_error_code = 30003;
  customer->created_at = START_TIME - 1000;
  customer->verified_at = START_TIME + 5;
  customer->updated_at = START_TIME + 6;
  customer->send_state = PV_SEND_STATE_SENT;
  customer->send_id = 4;
  customer->code_seed = g_strdup ("00112233445566778899aabbccddeeff");
  customer->channel = PV_CHANNEL_CALL;
  customer->language = g_strdup ("fr");

  return customer;
}

static void
assert_customers_equal (const PvCustomer *a,
                        const PvCustomer *b)
{
  g_assert_cmpint (a->id, ==, b->id);
  g_assert_cmpstr (a->number, ==, b->number);
  g_assert_cmpstr (a->name, ==, b->name);
  g_assert_cmpint (a->status, ==, b->status);
  g_assert_cmpstr (a->code_digest, ==, b->code_digest);
  g_assert_cmpint (a->code_expires_at, ==, b->code_expires_at);
  g_assert_cmpuint (a->failed_attempts, ==, b->failed_attempts);
  g_assert_cmpuint (a->sends_in_window, ==, b->sends_in_window);
  g_assert_cmpint (a->send_window_started_at, ==, b->send_window_started_at);
  g_assert_cmpint (a->last_sent_at, ==, b->last_sent_at);
  g_assert_cmpstr (a->message_sid, ==, b->message_sid);
  g_assert_cmpstr (a->delivery_status, ==, b->delivery_status);
  g_assert_cmpint (a->delivery_error_code, ==, b->delivery_error_code);
  g_assert_cmpint (a->created_at, ==, b->created_at);
  g_assert_cmpint (a->verified_at, ==, b->verified_at);
  g_assert_cmpint (a->updated_at, ==, b->updated_at);
  g_assert_cmpint (a->send_state, ==, b->send_state);
  g_assert_cmpint (a->send_id, ==, b->send_id);
  g_assert_cmpstr (a->send_owner, ==, b->send_owner);
  g_assert_cmpstr (a->code_seed, ==, b->code_seed);
  g_assert_cmpint (a->channel, ==, b->channel);
  g_assert_cmpstr (a->language, ==, b->language);
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) full = make_full_customer ();
  g_autoptr(PvCustomer) empty = pv_customer_new ("+15552600002");
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  g_assert_true (pv_store_insert_customer (store, full, PV_EVENT_NONE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (full->id, >, 0);
  found = pv_store_lookup (store, full->number, &error);
  g_assert_no_error (error);
  assert_customers_equal (found, full);
  g_clear_pointer (&found, pv_customer_free);

  /* Zero times are filled in from the clock; everything else stays empty. */
  g_assert_true (pv_store_insert_customer (store, empty, PV_EVENT_NONE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (empty->id, >, full->id);
  g_assert_cmpint (empty->created_at, ==, START_TIME);
  g_assert_cmpint (empty->updated_at, ==, START_TIME);
  found = pv_store_lookup (store, empty->number, &error);
  g_assert_no_error (error);
  assert_customers_equal (found, empty);
  g_assert_null (found->name);
  g_assert_null (found->code_digest);
  g_assert_null (found->message_sid);
  g_assert_null (found->delivery_status);
  g_assert_cmpint (found->code_expires_at, ==, 0);
  g_assert_cmpint (found->verified_at, ==, 0);

  /* 0 and NULL pointers are SQL NULL on disk, not 0 or ''. */
  db = open_raw (fixture->path);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM customers WHERE number = '+15552600002' "
                                "AND name IS NULL AND code_digest IS NULL "
                                "AND code_expires_at IS NULL AND send_window_started_at IS NULL "
                                "AND last_sent_at IS NULL AND message_sid IS NULL "
                                "AND delivery_status IS NULL AND delivery_error_code IS NULL "
                                "AND verified_at IS NULL AND status = 'pending' "
                                "AND send_state IS NULL AND send_id = 0 "
                                "AND send_owner IS NULL"), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM customers WHERE status = 'verified'"),
                   ==, 1);
  sqlite3_close (db);
}

static void
test_lookup_missing (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) customer = insert_customer (store, "+15552600001", NULL);
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GError) error = NULL;

  found = pv_store_lookup (store, "+15552600009", &error);
  g_assert_no_error (error);
  g_assert_null (found);
}

static void
test_insert_duplicate (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) first = insert_customer (store, "+15552600001", "First");
  g_autoptr(PvCustomer) second = pv_customer_new ("+15552600001");
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  second->name = g_strdup ("Second");
  g_assert_false (pv_store_insert_customer (store, second, PV_EVENT_CODE_SENT, "again", &error));
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_EXISTS);
  g_assert_cmpint (second->id, ==, 0);
  g_clear_error (&error);

  found = pv_store_lookup (store, "+15552600001", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->name, ==, "First");
  g_assert_cmpuint (count_events (store, "+15552600001"), ==, 1);
  g_assert_true (pv_store_count_customers (store, NULL, &n, &error));
  g_assert_cmpuint (n, ==, 1);

  /* The failed transaction was closed: the store keeps working. */
  g_clear_pointer (&second->number, g_free);
  second->number = g_strdup ("+15552600002");
  g_assert_true (pv_store_insert_customer (store, second, PV_EVENT_CODE_SENT, NULL, &error));
  g_assert_no_error (error);
}

static void
test_missing_rows (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *ghost_number = "+15552600009";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) customer = insert_customer (store, "+15552600001", NULL);
  g_autoptr(PvCustomer) ghost = pv_customer_new (ghost_number);
  g_autoptr(GPtrArray) sending = NULL;
  g_auto(PvSendClaim) claim = { 0 };
  g_auto(PvAttempt) attempt = { 0 };
  g_autoptr(GError) error = NULL;
  gboolean applied = TRUE;

  /* Every intent on a number that is not stored says so, and creates nothing: only a first
   * send may add a customer. */
  g_assert_cmpint (claim_send (store, ghost_number, "Ghost", TRUE, "d1", &claim), ==,
                   PV_SEND_REFUSED_NOT_FOUND);
  g_assert_null (claim.customer);
  g_assert_cmpint (claim_attempt (store, ghost_number, &attempt), ==, PV_ATTEMPT_NOT_FOUND);
  g_assert_false (mark_verified (store, ghost_number, "d1"));
  g_assert_false (record_delivery (store, ghost_number, "SM1", "delivered", 0));

  ghost->send_id = 1;
  ghost->send_state = PV_SEND_STATE_SENDING;
  g_assert_true (pv_store_abandon_send (store, ghost, "gone", &applied, &error));
  g_assert_no_error (error);
  g_assert_false (applied);

  g_assert_false (pv_store_delete_customer (store, ghost_number, PV_EVENT_DELETED, NULL,
                                            &error));
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_null (pv_store_lookup (store, ghost_number, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_customers (store), ==, 1);
  sending = pv_store_list_sends_in_flight (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sending->len, ==, 0);

  /* None of the failures left an event behind. */
  g_assert_cmpuint (count_events (store, ghost_number), ==, 0);
}

/* An intent changes the record and records its event in one go, at the clock's time; what it
 * does not concern stays as it was. */
static void
test_update (Fixture       *fixture,
             gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) before = NULL;
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(PvAttempt) attempt = { 0 };
  const PvEvent *event;

  send_code (store, number, "d1", "SM1");
  before = lookup (store, number);

  pv_clock_advance (fixture->clock, 60);
  g_assert_cmpint (claim_attempt (store, number, &attempt), ==, PV_ATTEMPT_GRANTED);
  g_assert_true (mark_verified (store, number, attempt.code_digest));

  found = lookup (store, number);
  g_assert_cmpint (found->status, ==, PV_CUSTOMER_STATUS_VERIFIED);
  g_assert_cmpint (found->verified_at, ==, START_TIME + 60);
  g_assert_cmpint (found->updated_at, ==, START_TIME + 60);
  g_assert_null (found->code_digest);
  g_assert_cmpint (found->code_expires_at, ==, 0);
  g_assert_cmpuint (found->failed_attempts, ==, 0);

  /* Untouched: */
  g_assert_cmpint (found->id, ==, before->id);
  g_assert_cmpint (found->created_at, ==, START_TIME);
  g_assert_cmpint (found->last_sent_at, ==, START_TIME);
  g_assert_cmpuint (found->sends_in_window, ==, 1);
  g_assert_cmpstr (found->message_sid, ==, "SM1");
  g_assert_cmpstr (found->delivery_status, ==, "queued");
  g_assert_cmpint (found->send_state, ==, PV_SEND_STATE_SENT);
  g_assert_cmpint (found->send_id, ==, before->send_id);

  events = pv_store_list_events (store, number, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 2);
  event = g_ptr_array_index (events, 0);
  g_assert_cmpint (event->kind, ==, PV_EVENT_CODE_SENT);
  g_assert_cmpstr (event->detail, ==, "SM1");
  g_assert_cmpint (event->time, ==, START_TIME);
  event = g_ptr_array_index (events, 1);
  g_assert_cmpint (event->kind, ==, PV_EVENT_VERIFIED);
  g_assert_null (event->detail);
  g_assert_cmpint (event->time, ==, START_TIME + 60);
  g_assert_cmpstr (event->number, ==, number);
}

/* A number is stored once, however it arrives: a send to a stored number changes that
 * customer instead of adding another, and a refused one adds nothing. */
static void
test_update_number_taken (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) first = insert_customer (store, "+15552600001", "First");
  g_autoptr(PvCustomer) found = NULL;
  g_auto(PvSendClaim) claim = { 0 };
  g_auto(PvSendClaim) again = { 0 };
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  g_assert_cmpint (claim_send (store, "+15552600001", "Second", FALSE, "d1", &claim), ==,
                   PV_SEND_GRANTED);
  g_assert_false (claim.created);
  g_assert_cmpint (claim.customer->id, ==, first->id);
  g_assert_cmpstr (claim.customer->name, ==, "Second");
  g_assert_nonnull (claim.before);
  g_assert_cmpstr (claim.before->name, ==, "First");
  g_assert_cmpuint (count_customers (store), ==, 1);

  g_assert_cmpint (claim_send (store, "+15552600001", "Third", FALSE, "d2", &again), ==,
                   PV_SEND_REFUSED_IN_FLIGHT);
  g_assert_cmpuint (count_customers (store), ==, 1);
  found = lookup (store, "+15552600001");
  g_assert_cmpstr (found->name, ==, "Second");
  g_assert_cmpstr (found->code_digest, ==, "d1");

  /* And the table itself refuses a second row, whoever writes it. */
  db = open_raw (fixture->path);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO customers (number, status, created_at, "
                                     "updated_at) VALUES ('+15552600001', 'pending', 1, 1)",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  sqlite3_close (db);
}

static void
test_events_history (Fixture       *fixture,
                     gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) again = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(PvAttempt) attempt = { 0 };
  const PvEventKind expected[] = { PV_EVENT_CODE_SENT, PV_EVENT_DELIVERY_UPDATE,
                                   PV_EVENT_CHECK_FAILED, PV_EVENT_VERIFIED, PV_EVENT_DELETED,
                                   PV_EVENT_CODE_SENT };
  sqlite3 *db;

  send_code (store, number, "d1", "SM1");
  pv_clock_advance (fixture->clock, 10);
  g_assert_true (record_delivery (store, number, "SM1", "delivered", 0));
  pv_clock_advance (fixture->clock, 10);
  g_assert_cmpint (claim_attempt (store, number, &attempt), ==, PV_ATTEMPT_GRANTED);
  g_assert_true (pv_store_record_failed_attempt (store, number, &error));
  g_assert_no_error (error);
  pv_clock_advance (fixture->clock, 10);
  pv_attempt_clear (&attempt);
  g_assert_cmpint (claim_attempt (store, number, &attempt), ==, PV_ATTEMPT_GRANTED);
  g_assert_true (mark_verified (store, number, attempt.code_digest));
  /* What did not apply records nothing. */
  g_assert_false (mark_verified (store, number, attempt.code_digest));
  g_assert_false (record_delivery (store, number, "SM0", "delivered", 0));
  pv_clock_advance (fixture->clock, 10);
  g_assert_true (pv_store_delete_customer (store, number, PV_EVENT_DELETED, "asked to", &error));
  g_assert_no_error (error);
  g_assert_null (pv_store_lookup (store, number, &error));
  g_assert_no_error (error);

  /* Same number, new customer: the old history is still listed before the new one. */
  pv_clock_advance (fixture->clock, 10);
  send_code (store, number, "d2", "SM2");
  again = lookup (store, number);

  events = pv_store_list_events (store, number, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < events->len; i++)
    {
      const PvEvent *event = g_ptr_array_index (events, i);

      g_assert_cmpint (event->kind, ==, expected[i]);
      g_assert_cmpint (event->time, ==, START_TIME + 10 * i);
      g_assert_cmpstr (event->number, ==, number);
      g_assert_cmpint (event->id, >, 0);
    }
  g_assert_cmpstr (((PvEvent *) g_ptr_array_index (events, 0))->detail, ==, "SM1");
  g_assert_cmpstr (((PvEvent *) g_ptr_array_index (events, 1))->detail, ==, "delivered");
  g_assert_null (((PvEvent *) g_ptr_array_index (events, 2))->detail);
  g_assert_cmpstr (((PvEvent *) g_ptr_array_index (events, 4))->detail, ==, "asked to");
  g_assert_cmpstr (((PvEvent *) g_ptr_array_index (events, 5))->detail, ==, "SM2");

  /* The deleted customer's events are detached from any row, the new one's are attached. */
  db = open_raw (fixture->path);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM events WHERE customer_id IS NULL"), ==, 5);
  g_assert_cmpint (raw_int (db, "SELECT customer_id FROM events ORDER BY id DESC LIMIT 1"), ==,
                   again->id);
  sqlite3_close (db);
}

static void
test_transaction_rollback (Fixture       *fixture,
                           gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = NULL;
  g_autoptr(PvCustomer) customer = NULL;
  g_autoptr(PvCustomer) newcomer = pv_customer_new ("+15552600002");
  g_autoptr(PvCustomer) found = NULL;
  g_auto(PvSendClaim) claim = { 0 };
  g_auto(PvAttempt) attempt = { 0 };
  g_autoptr(GError) error = NULL;
  PvSendOutcome sent = { .kind = PV_SEND_OUTCOME_SENT, .message_sid = "SM2" };
  gboolean applied = 42;
  guint n;
  sqlite3 *db;

  store = open_store (fixture);
  send_code (store, number, "d1", "SM1");
  pv_clock_advance (fixture->clock, COOLDOWN);
  g_assert_cmpint (claim_send (store, number, NULL, TRUE, "d2", &claim), ==, PV_SEND_GRANTED);
  customer = lookup (store, number);

  /* Every event write now fails, after the customer row has been written. */
  db = open_raw (fixture->path);
  raw_exec (db, "CREATE TRIGGER events_read_only BEFORE INSERT ON events "
                "BEGIN SELECT RAISE (ABORT, 'events are read-only'); END;");
  sqlite3_close (db);
  pv_clock_advance (fixture->clock, 5);

  /* The trigger's own words are SQLite's, not ours: staff get the general message. */
  g_assert_false (pv_store_finish_send (store, &claim, &sent, &applied, &error));
  assert_store_failure (error, PV_STORE_ERROR_FAILED, fixture->path,
                        "PhoneVerify could not use the customer database",
                        "Try again; if this keeps happening");
  g_assert_null (strstr (error->message, "events are read-only"));
  g_clear_error (&error);
  g_assert_cmpint (applied, ==, 42);
  found = lookup (store, number);
  assert_customers_equal (found, customer);
  g_clear_pointer (&found, pv_customer_free);

  /* The attempt is counted (that takes no event), but its failure is not, and neither is
   * a verification. */
  g_assert_cmpint (claim_attempt (store, number, &attempt), ==, PV_ATTEMPT_GRANTED);
  g_clear_pointer (&customer, pv_customer_free);
  customer = lookup (store, number);
  g_assert_cmpuint (customer->failed_attempts, ==, 1);
  pv_clock_advance (fixture->clock, 5);
  g_assert_false (pv_store_record_failed_attempt (store, number, &error));
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (pv_store_mark_verified (store, number, attempt.code_digest, NULL, &applied,
                                          &error));
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_FAILED);
  g_clear_error (&error);
  found = lookup (store, number);
  assert_customers_equal (found, customer);
  g_clear_pointer (&found, pv_customer_free);

  newcomer->name = g_strdup ("After");
  g_assert_false (pv_store_insert_customer (store, newcomer, PV_EVENT_CODE_SENT, NULL, &error));
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_null (pv_store_lookup (store, "+15552600002", &error));
  g_assert_no_error (error);

  g_assert_false (pv_store_delete_customer (store, number, PV_EVENT_DELETED, NULL, &error));
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_FAILED);
  g_clear_error (&error);
  found = lookup (store, number);
  assert_customers_equal (found, customer);
  g_clear_pointer (&found, pv_customer_free);

  /* The search index was rolled back with its rows. */
  g_assert_true (pv_store_count_customers (store, "After", &n, &error));
  g_assert_cmpuint (n, ==, 0);
  g_assert_true (pv_store_count_customers (store, NULL, &n, &error));
  g_assert_cmpuint (n, ==, 1);

  /* Without an event nothing touches the events table, so the same insert goes through. */
  g_assert_true (pv_store_insert_customer (store, newcomer, PV_EVENT_NONE, NULL, &error));
  g_assert_no_error (error);
  found = lookup (store, "+15552600002");
  g_assert_cmpstr (found->name, ==, "After");
  g_assert_true (pv_store_count_customers (store, "After", &n, &error));
  g_assert_cmpuint (n, ==, 1);
}

/* The large data set is built once and shared by the tests that page and search through it. */
typedef struct
{
  gint64            id;
  char             *number;
  char             *name;
  char             *folded_name;  /* ASCII lower case, for working out the expected matches */
  PvCustomerStatus  status;
  gint64            created_at;
  gint64            updated_at;
} Row;

static struct
{
  char      *directory;
  char      *path;
  PvStore   *store;
  GPtrArray *rows;
  /* The same customers on the PostgreSQL server, copied in once they are first needed
   * there; and which of the two the search tests are reading. */
  char      *uri;
  PvStore   *pg_store;
  PvStore   *searched;
} large;

static void
row_free (Row *row)
{
  g_free (row->number);
  g_free (row->name);
  g_free (row->folded_name);
  g_free (row);
}

static const char * const first_names[] = {
  "Ada", "alan", "Amara", "ANA", "Bea", "Chen", "Dara", "Diego", "Elif", "emeka", "Grace",
  "Hana", "Ivan", "Kofi", "Lena", "Luis", "Maya", "Noor", "Omar", "Priya", "Sofia", "Wei",
};

static const char * const last_names[] = {
  "Abara", "Bianchi", "chowdhury", "Dubois", "Haddad", "Ito", "Jansen", "Kowalski", "Nakamura",
  "Okafor", "Petrov", "Rossi", "Santos", "SCHMIDT", "Tanaka", "Xu", "Yilmaz",
};

/* Names that put the escaping to work. */
static const char * const odd_names[] = {
  "100% \"Quoted\" Ltd", "Under_score (Main St)", "Back\\slash: NEAR * AND", "Zoë Ærø",
  /* And the folding of accents and of case in other scripts. */
  "Ángel Müller", "Ольга Петрова",
};

static void
ensure_large_data_set (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20260101);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  sqlite3_stmt *stmt = NULL;
  gint64 start = g_get_monotonic_time ();
  sqlite3 *db;

  if (large.store != NULL)
    return;

  large.directory = g_dir_make_tmp ("test-store-large-XXXXXX", &error);
  g_assert_no_error (error);
  large.path = g_build_filename (large.directory, "large.db", NULL);
  large.store = PV_STORE (pv_sqlite_store_open (large.path, NULL, &error));
  g_assert_no_error (error);
  large.rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);

  /* Through a second connection and a staging table, so that all rows reach the customers
   * table, and its search index, in one statement: row by row, FTS5 flushes after each.
   */
  db = open_raw (large.path);
  raw_exec (db, "PRAGMA cache_size = -65536;"
                "CREATE TEMP TABLE staging (number, name, status, created_at, updated_at);"
                "BEGIN");
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO staging (rowid, number, name, status, "
                                       "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);

  while (large.rows->len < LARGE_ROWS)
    {
      Row *row = g_new0 (Row, 1);
      guint i = large.rows->len;

      row->number = g_strdup_printf ("+%d%03d%07d",
                                     g_rand_int_range (rand, 0, 4) == 0 ? 44 : 1,
                                     g_rand_int_range (rand, 201, 990),
                                     g_rand_int_range (rand, 0, 10000000));
      if (g_hash_table_contains (seen, row->number))
        {
          row_free (row);
          continue;
        }

      row->id = i + 1;
      if (i < G_N_ELEMENTS (odd_names))
        row->name = g_strdup (odd_names[i]);
      else if (g_rand_int_range (rand, 0, 20) != 0)
        row->name = g_strdup_printf ("%s %s",
                                     first_names[g_rand_int_range (rand, 0,
                                                                   G_N_ELEMENTS (first_names))],
                                     last_names[g_rand_int_range (rand, 0,
                                                                  G_N_ELEMENTS (last_names))]);
      row->folded_name = row->name != NULL ? g_ascii_strdown (row->name, -1) : NULL;
      row->status = g_rand_int_range (rand, 0, 3) == 0 ? PV_CUSTOMER_STATUS_PENDING
                                                       : PV_CUSTOMER_STATUS_VERIFIED;
      /* Narrow ranges, so that ties are common and the tie-breaks matter. */
      row->created_at = START_TIME + g_rand_int_range (rand, 0, 5000);
      row->updated_at = row->created_at + g_rand_int_range (rand, 0, 100);

      sqlite3_bind_int64 (stmt, 1, row->id);
      sqlite3_bind_text (stmt, 2, row->number, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, row->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, pv_customer_status_to_string (row->status), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 5, row->created_at);
      sqlite3_bind_int64 (stmt, 6, row->updated_at);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);

      g_hash_table_add (seen, row->number);
      g_ptr_array_add (large.rows, row);
    }

  sqlite3_finalize (stmt);
  raw_exec (db, "INSERT INTO customers (id, number, name, status, created_at, updated_at) "
                "SELECT rowid, number, name, status, created_at, updated_at FROM staging;"
                "COMMIT");
  sqlite3_close (db);

  g_test_message ("Generated %u customers in %.1f s", large.rows->len,
                  (g_get_monotonic_time () - start) / 1e6);
  large.searched = large.store;
}

/* Copies the large data set into a database on the test's server, as an office's copy
 * would, and makes the search tests read it there. */
static void
search_on_postgresql (void)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  ensure_large_data_set ();
  if (large.pg_store == NULL)
    {
      large.uri = pv_test_postgres_create_database (postgres, "test_store_large", &error);
      g_assert_no_error (error);
      large.pg_store = PV_STORE (pv_pg_store_open (large.uri, NULL, NULL, &error));
      g_assert_no_error (error);

      /* In id order, so that the server numbers them alike: ties in a sort order fall back
       * on the id, and the expected orders are worked out from the SQLite ids. */
      for (guint first = 0; first < large.rows->len; first += 5000)
        {
          g_autoptr(GPtrArray) page = NULL;
          g_autoptr(GPtrArray) histories = NULL;
          guint n_imported = 0;

          page = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_customer_free);
          histories = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
          for (guint i = first; i < MIN (first + 5000, large.rows->len); i++)
            {
              const Row *row = g_ptr_array_index (large.rows, i);

              g_ptr_array_add (page, pv_store_lookup (large.store, row->number, &error));
              g_assert_no_error (error);
              g_ptr_array_add (histories, g_ptr_array_new ());
            }

          g_assert_true (pv_store_import_customers (large.pg_store, page, histories,
                                                    &n_imported, &error));
          g_assert_no_error (error);
          g_assert_cmpuint (n_imported, ==, page->len);
        }

      g_test_message ("Copied %u customers to PostgreSQL in %.1f s", large.rows->len,
                      (g_get_monotonic_time () - start) / 1e6);
    }

  large.searched = large.pg_store;
}

/* Runs a search test of the large data set on the PostgreSQL server. */
static void
test_on_postgresql (gconstpointer data)
{
  void (*test) (void) = data;

  search_on_postgresql ();
  test ();
  large.searched = large.store;
}

static void
free_large_data_set (void)
{
  if (large.store == NULL)
    return;

  g_clear_object (&large.store);
  g_clear_object (&large.pg_store);
  g_clear_pointer (&large.uri, g_free);
  g_clear_pointer (&large.rows, g_ptr_array_unref);
  remove_tree (large.directory);
  g_clear_pointer (&large.directory, g_free);
  g_clear_pointer (&large.path, g_free);
}

static int
compare_by_number (gconstpointer a,
                   gconstpointer b)
{
  const Row *x = *(const Row * const *) a;
  const Row *y = *(const Row * const *) b;

  return strcmp (x->number, y->number);
}

/* SQLite's NOCASE folds ASCII only, like g_ascii_strcasecmp; NULL sorts first. */
static int
compare_by_name (gconstpointer a,
                 gconstpointer b)
{
  const Row *x = *(const Row * const *) a;
  const Row *y = *(const Row * const *) b;
  int result;

  if (x->name == NULL || y->name == NULL)
    result = (x->name != NULL) - (y->name != NULL);
  else
    result = g_ascii_strcasecmp (x->name, y->name);

  return result != 0 ? result : compare_by_number (a, b);
}

static int
compare_by_status (gconstpointer a,
                   gconstpointer b)
{
  const Row *x = *(const Row * const *) a;
  const Row *y = *(const Row * const *) b;
  int result = strcmp (pv_customer_status_to_string (x->status),
                       pv_customer_status_to_string (y->status));

  return result != 0 ? result : compare_by_number (a, b);
}

#define COMPARE_THEN_ID(x, y, field) \
  ((x)->field != (y)->field ? ((x)->field > (y)->field) - ((x)->field < (y)->field) \
                            : ((x)->id > (y)->id) - ((x)->id < (y)->id))

static int
compare_by_activity (gconstpointer a,
                     gconstpointer b)
{
  const Row *x = *(const Row * const *) a;
  const Row *y = *(const Row * const *) b;

  return COMPARE_THEN_ID (x, y, updated_at);
}

static int
compare_by_created (gconstpointer a,
                    gconstpointer b)
{
  const Row *x = *(const Row * const *) a;
  const Row *y = *(const Row * const *) b;

  return COMPARE_THEN_ID (x, y, created_at);
}

static const GCompareFunc comparers[] = {
  [PV_STORE_SORT_NUMBER] = compare_by_number,
  [PV_STORE_SORT_NAME] = compare_by_name,
  [PV_STORE_SORT_STATUS] = compare_by_status,
  [PV_STORE_SORT_LAST_ACTIVITY] = compare_by_activity,
  [PV_STORE_SORT_CREATED] = compare_by_created,
};

static gboolean
is_phone_search (const char *search)
{
  gboolean has_digit = FALSE;

  for (const char *p = search; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        has_digit = TRUE;
      else if (strchr ("+ -.()", *p) == NULL)
        return FALSE;
    }

  return has_digit;
}

/* What a search should find, worked out without SQL: names with a word starting with each
 * word of the search, folded (so "Muller" finds "Müller"); for one or two digits, numbers
 * starting with them; for more digits typed like a number, and for searches with no
 * letters or digits at all, @needle anywhere in the number or the name, in ASCII lower
 * case. */
static gboolean
row_matches (const Row       *row,
             const char      *needle,
             gboolean         phone,
             const GPtrArray *search_words)
{
  if (phone && strlen (needle) < 3 && strchr (needle + 1, '+') == NULL)
    return pv_test_number_starts (row->number, needle);
  if (phone || search_words->len == 0)
    return strstr (row->number, needle) != NULL ||
           (row->folded_name != NULL && strstr (row->folded_name, needle) != NULL);

  return pv_test_words_start (row->name, search_words);
}

static GPtrArray *
expected_rows (const char  *search,
               const char  *needle,
               PvStoreSort  sort,
               gboolean     descending)
{
  GPtrArray *rows = g_ptr_array_new ();
  g_autofree char *stripped = g_strstrip (g_strdup (search != NULL ? search : ""));
  gboolean phone = is_phone_search (stripped);
  g_autoptr(GPtrArray) search_words = pv_test_fold_words (phone ? NULL : stripped);

  for (guint i = 0; i < large.rows->len; i++)
    {
      Row *row = g_ptr_array_index (large.rows, i);

      if (needle == NULL || row_matches (row, needle, phone, search_words))
        g_ptr_array_add (rows, row);
    }

  g_ptr_array_sort (rows, comparers[sort]);

  if (descending)
    for (guint i = 0; i < rows->len / 2; i++)
      {
        gpointer swap = rows->pdata[i];

        rows->pdata[i] = rows->pdata[rows->len - 1 - i];
        rows->pdata[rows->len - 1 - i] = swap;
      }

  return rows;
}

/* Pages through the whole result and checks it against the expected order, row by row. */
static void
assert_pages (const char  *search,
              const char  *needle,
              PvStoreSort  sort,
              gboolean     descending,
              guint        page_size)
{
  g_autoptr(GPtrArray) expected = expected_rows (search, needle, sort, descending);
  g_autoptr(GPtrArray) previous = NULL;
  g_autoptr(GError) error = NULL;
  guint n_customers;
  guint offset = 0;

  g_assert_true (pv_store_count_customers (large.searched, search, &n_customers, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_customers, ==, expected->len);

  /* By offset, and again from each page's last row: the same pages. */
  for (guint pass = 0; pass < 2; pass++)
    {
      offset = 0;
      g_clear_pointer (&previous, g_ptr_array_unref);

      for (;;)
        {
          g_autoptr(GPtrArray) page = NULL;

          if (pass == 1 && previous != NULL)
            page = pv_store_list_customers_following (large.searched, search, sort, descending,
                                                      previous->pdata[previous->len - 1],
                                                      page_size, &error);
          else
            page = pv_store_list_customers (large.searched, search, sort, descending, offset,
                                            page_size, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (page->len, <=, page_size);

          for (guint i = 0; i < page->len; i++)
            {
              const PvCustomer *customer = g_ptr_array_index (page, i);
              const Row *row = g_ptr_array_index (expected, offset + i);

              g_assert_cmpint (customer->id, ==, row->id);
              g_assert_cmpstr (customer->number, ==, row->number);
            }

          offset += page->len;
          if (page->len < page_size)
            break;
          g_clear_pointer (&previous, g_ptr_array_unref);
          previous = g_steal_pointer (&page);
        }

      g_assert_cmpuint (offset, ==, expected->len);
    }
}

/* Jumps to any position give the same customers as paging there: the deep ones read on from
 * the store's anchors, a few hundred customers apart, instead of by offset. */
static void
assert_jumps (const char  *search,
              const char  *needle,
              PvStoreSort  sort,
              gboolean     descending)
{
  g_autoptr(GPtrArray) expected = expected_rows (search, needle, sort, descending);
  const guint n = expected->len;
  /* Either side of the first anchors, odd places, the middle, the end and past it; deep
   * first, then back, so that the anchors of one walk serve every jump. */
  const guint offsets[] = { n / 2, 255, 256, 257, 511, 512, 1000, 4097, 33333, n / 3 + 7,
                            n - 1, n, n + 300, 1, 0 };

  for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
    {
      g_autoptr(GPtrArray) page = NULL;
      g_autoptr(GError) error = NULL;
      guint want = offsets[i] < n ? MIN (37, n - offsets[i]) : 0;

      page = pv_store_list_customers (large.searched, search, sort, descending, offsets[i], 37,
                                      &error);
      g_assert_no_error (error);
      g_assert_cmpuint (page->len, ==, want);
      for (guint j = 0; j < page->len; j++)
        {
          const PvCustomer *customer = g_ptr_array_index (page, j);

          g_assert_cmpint (customer->id, ==,
                           ((const Row *) g_ptr_array_index (expected, offsets[i] + j))->id);
        }
    }
}

static void
test_list_jumps (void)
{
  ensure_large_data_set ();

  for (PvStoreSort sort = PV_STORE_SORT_NUMBER; sort <= PV_STORE_SORT_CREATED; sort++)
    for (int descending = 0; descending < 2; descending++)
      {
        assert_jumps (NULL, NULL, sort, descending);
        assert_jumps ("+1 2", "+12", sort, descending);
        assert_jumps ("wei", "wei", sort, !descending);
      }
  /* A digits search in number order reads one range of the number index per calling code;
   * its anchors are read the same way. */
  assert_jumps ("2", "2", PV_STORE_SORT_NUMBER, FALSE);
  assert_jumps ("2", "2", PV_STORE_SORT_NUMBER, TRUE);
  assert_jumps ("(44", "44", PV_STORE_SORT_NAME, FALSE);
}

/* The pages of a jump follow every write, by this process or another: stale anchors would
 * shift them by the customers added or deleted before them. */
static void
assert_jump_reads (PvStore *store,
                   guint    offset,
                   guint    n_customers)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;

  /* The first page, which reads from the start of the order, holds them all. */
  all = pv_store_list_customers (store, NULL, PV_STORE_SORT_NUMBER, FALSE, 0, n_customers + 1,
                                 &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, n_customers);
  page = pv_store_list_customers (store, NULL, PV_STORE_SORT_NUMBER, FALSE, offset, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 5);
  for (guint i = 0; i < page->len; i++)
    g_assert_cmpstr (((PvCustomer *) page->pdata[i])->number, ==,
                     ((PvCustomer *) all->pdata[offset + i])->number);
}

static void
test_list_jumps_follow_writes (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvStore) other = open_store (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;
  guint n = 600;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *number = g_strdup_printf ("+1415555%04u", 2 * i + 1000);

      pv_customer_free (insert_customer (store, number, NULL));
    }
  assert_jump_reads (store, 300, n);

  /* One that comes first, from another connection. */
  pv_customer_free (insert_customer (other, "+14155550000", NULL));
  assert_jump_reads (store, 300, ++n);

  /* The customer the jump read on from, the 256th: the anchors go with it. */
  page = pv_store_list_customers (store, NULL, PV_STORE_SORT_NUMBER, FALSE, 255, 1, &error);
  g_assert_no_error (error);
  g_assert_true (pv_store_delete_customer (store, ((PvCustomer *) page->pdata[0])->number,
                                           PV_EVENT_DELETED, NULL, &error));
  g_assert_no_error (error);
  assert_jump_reads (store, 300, --n);
  assert_jump_reads (store, 256, n);
}

static void
test_list_pages (void)
{
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;

  ensure_large_data_set ();

  for (PvStoreSort sort = PV_STORE_SORT_NUMBER; sort <= PV_STORE_SORT_CREATED; sort++)
    {
      assert_pages (NULL, NULL, sort, FALSE, 9973);
      assert_pages (NULL, NULL, sort, TRUE, 9973);
    }

  page = pv_store_list_customers (large.searched, NULL, PV_STORE_SORT_NAME, FALSE, LARGE_ROWS, 50,
                                  &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 0);
  g_clear_pointer (&page, g_ptr_array_unref);

  page = pv_store_list_customers (large.searched, NULL, PV_STORE_SORT_NAME, FALSE, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 0);
}

/* An estimate is exact, or within a few per cent for a broad number filter. Returns
 * whether it was estimated. */
static gboolean
assert_estimate (const char *search)
{
  g_autoptr(GError) error = NULL;
  guint counted, estimated;
  gboolean exact;

  /* Another search first: the store keeps the ids its latest one read, all of them after a
   * count. */
  g_assert_true (pv_store_count_customers (large.searched, "zq", &counted, &error));
  g_assert_true (pv_store_estimate_customers (large.searched, search, &estimated, &exact, &error));
  g_assert_true (pv_store_count_customers (large.searched, search, &counted, &error));
  g_assert_no_error (error);
  g_test_message ("“%s”: %u counted, %s %u", search, counted, exact ? "exactly" : "about",
                  estimated);

  if (exact)
    {
      g_assert_cmpuint (estimated, ==, counted);
      return FALSE;
    }

  g_assert_cmpuint (counted, >=, 50000);
  g_assert_cmpfloat (ABS ((double) estimated - counted), <=, 0.05 * counted);

  return TRUE;
}

static void
test_search (void)
{
  /* search as typed → the substring that must match */
  const struct {
    const char *search;
    const char *needle;
  } cases[] = {
    { "nakam", "nakam" },                   /* the start of a word */
    { "kamura", "kamura" },                 /* not the middle of one */
    { "NaKaMuRa", "nakamura" },             /* any case */
    { "ada ", "ada" },                      /* outer spaces do not count */
    { "a ros", "a ros" },                   /* the starts of two words */
    { "xu", "xu" },                         /* short: the prefix index */
    { "Q", "q" },
    { "+1", "+1" },                         /* every +1 number, and not +44 */
    { "+4", "+4" },                         /* the +44 numbers */
    { "2", "2" },                           /* numbers starting so after +1 or +44 */
    { "(44", "44" },                        /* +44, or a +1 number whose area code is 44x */
    { "99", "99" },
    { "+1 2", "+12" },                      /* most rows: the index-walking plan */
    { "555", "555" },
    { "(555) 26", "55526" },                /* typed like a printed number */
    { "20-1", "201" },
    { "5.5.5", "555" },
    { "44 20", "4420" },
    { "%", "%" },                           /* LIKE wildcards are literal */
    { "_", "_" },
    { "\\", "\\" },
    { "r_s", "r_s" },
    { "\"", "\"" },                         /* FTS5 syntax is literal */
    { "\"Quoted\"", "\"quoted\"" },
    { "100% \"q", "100% \"q" },
    { "*", "*" },
    { "Ada*", "ada*" },
    { "(Main", "(main" },
    { "e (Ma", "e (ma" },
    { ": NEAR", ": near" },
    { "NEAR", "near" },
    { "NEAR(ada xu)", "near(ada xu)" },
    { "ada OR xu", "ada or xu" },
    { "ada AND", "ada and" },
    { "NOT ada", "not ada" },
    { "name:ada", "name:ada" },
    { "-ada", "-ada" },
    { "^ada", "^ada" },
    { "ada\"", "ada\"" },
    { "\"\"\"", "\"\"\"" },
    { "Zoë", "zoë" },
    /* Words found as people type them: without accents, in any case, in any script. */
    { "Muller", "muller" },
    { "angel", "angel" },
    { "ÁNGEL", "Ángel" },
    { "Zoe", "zoe" },
    { "ольга", "ольга" },
    { "ПЕТРОВ", "ПЕТРОВ" },
    { "mu", "mu" },                         /* short: the words that start so */
    { "an", "an" },
    { "Ol", "ol" },
    { "ángel mül", "Ángel mül" },           /* every word, in any order */
    { "müller ang", "müller ang" },
  };
  guint n;
  guint n_estimated = 0;
  g_autoptr(GError) error = NULL;

  ensure_large_data_set ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("search “%s”", cases[i].search);
      assert_pages (cases[i].search, cases[i].needle, PV_STORE_SORT_NUMBER, FALSE, 4999);
      n_estimated += assert_estimate (cases[i].search);
    }
  /* "+1" matches more than the store reads the ids of to estimate. */
  g_assert_cmpuint (n_estimated, >=, 1);

  /* The odd names are there to be found. */
  g_assert_true (pv_store_count_customers (large.searched, "100% \"Q", &n, &error));
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (pv_store_count_customers (large.searched, "Muller", &n, &error));
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (pv_store_count_customers (large.searched, "петрова", &n, &error));
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (pv_store_count_customers (large.searched, "_", &n, &error));
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (pv_store_count_customers (large.searched, "slash: NEAR *", &n, &error));
  g_assert_cmpuint (n, ==, 1);

  /* Blank searches are no filter at all. */
  g_assert_true (pv_store_count_customers (large.searched, "  ", &n, &error));
  g_assert_cmpuint (n, ==, LARGE_ROWS);
  g_assert_true (pv_store_count_customers (large.searched, "", &n, &error));
  g_assert_cmpuint (n, ==, LARGE_ROWS);
  g_assert_no_error (error);
}

static void
test_search_sorted (void)
{
  ensure_large_data_set ();

  /* Dense, medium and rare matches, so that both ways to a page are taken, for full-text and
   * short searches, in every sort order and both directions.
   */
  for (PvStoreSort sort = PV_STORE_SORT_NUMBER; sort <= PV_STORE_SORT_CREATED; sort++)
    {
      assert_pages ("+1 2", "+12", sort, sort % 2 == 0, 3001);
      assert_pages ("Tanaka", "tanaka", sort, sort % 2 == 1, 401);
      assert_pages ("wei", "wei", sort, TRUE, 1009);
      assert_pages ("Xu", "xu", sort, sort % 2 == 0, 401);
      assert_pages ("%", "%", sort, TRUE, 50);
      /* The digits' ranges, one per calling code, in number order both ways. */
      assert_pages ("2", "2", sort, sort % 2 == 1, 997);
      assert_pages ("(44", "44", sort, TRUE, 1999);
    }
}

typedef struct
{
  PvStore *store;
  guint    n_calls;
} ThreadData;

static gpointer
list_in_thread (gpointer user_data)
{
  ThreadData *data = user_data;

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GPtrArray) page = NULL;
      g_autoptr(GError) error = NULL;
      guint n;

      page = pv_store_list_customers (data->store, i % 2 ? "555" : NULL, PV_STORE_SORT_NAME,
                                      FALSE, 0, 20, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (page->len, <=, 20);
      g_assert_true (pv_store_count_customers (data->store, NULL, &n, &error));
      g_assert_no_error (error);
      data->n_calls++;
    }

  return NULL;
}

static void
test_threads (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(GError) error = NULL;
  ThreadData thread_data = { store, 0 };
  GThread *thread;
  guint n;

  thread = g_thread_new ("lister", list_in_thread, &thread_data);

  /* The main thread writes through the intents while the other pages through the list. */
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *number = g_strdup_printf ("+1555%07u", i);
      g_auto(PvSendClaim) claim = { 0 };
      g_auto(PvAttempt) attempt = { 0 };

      g_assert_cmpint (claim_send (store, number, "Threaded", FALSE, "d1", &claim), ==,
                       PV_SEND_GRANTED);
      g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_SENT, "SM1"));
      g_assert_cmpint (claim_attempt (store, number, &attempt), ==, PV_ATTEMPT_GRANTED);
      g_assert_true (mark_verified (store, number, attempt.code_digest));
    }

  g_thread_join (thread);
  g_assert_cmpuint (thread_data.n_calls, ==, 200);

  g_assert_true (pv_store_count_customers (store, "threaded", &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 200);
  for (guint i = 0; i < 200; i += 37)
    {
      g_autofree char *number = g_strdup_printf ("+1555%07u", i);
      g_autoptr(PvCustomer) customer = lookup (store, number);

      g_assert_cmpint (customer->status, ==, PV_CUSTOMER_STATUS_VERIFIED);
    }
}

static char *
read_all_after (PvStore    *store,
                const char *search,
                guint       page_size,
                guint      *n_read)
{
  g_autoptr(GString) numbers = g_string_new (NULL);
  g_autofree char *after = NULL;

  *n_read = 0;
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) page = pv_store_list_customers_after (store, search, after, page_size,
                                                                 &error);

      g_assert_no_error (error);
      for (guint i = 0; i < page->len; i++)
        {
          PvCustomer *customer = g_ptr_array_index (page, i);

          /* Strictly increasing: nothing repeated, nothing out of order. */
          g_assert_true (after == NULL || strcmp (customer->number, after) > 0);
          g_free (after);
          after = g_strdup (customer->number);
          g_string_append_printf (numbers, "%s\n", customer->number);
          (*n_read)++;
        }

      if (page->len < page_size)
        return g_string_free (g_steal_pointer (&numbers), FALSE);
    }
}

/* Reading everything page by page from the last number seen: the same set as one big list,
 * with or without a search. */
static void
test_list_after (void)
{
  const char *searches[] = { NULL, "Nakamura", "an", "+1 2", "2", "44" };
  guint n_read;
  guint n_expected;

  ensure_large_data_set ();

  for (guint i = 0; i < G_N_ELEMENTS (searches); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *numbers = read_all_after (large.searched, searches[i], 997, &n_read);

      g_assert_true (pv_store_count_customers (large.searched, searches[i], &n_expected, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (n_read, ==, n_expected);
      g_assert_nonnull (numbers);
    }
}

/* A customer added before the place a reader has reached does not shift its next page, as it
 * would with an offset. */
static void
test_list_after_stable_under_inserts (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(GError) error = NULL;
  const char *last;

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *number = g_strdup_printf ("+1415555010%u", i);

      pv_customer_free (insert_customer (store, number, NULL));
    }

  first = pv_store_list_customers_after (store, NULL, NULL, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first->len, ==, 5);
  last = ((PvCustomer *) g_ptr_array_index (first, 4))->number;
  g_assert_cmpstr (last, ==, "+14155550104");

  pv_customer_free (insert_customer (store, "+14155550000", NULL));

  second = pv_store_list_customers_after (store, NULL, last, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (second->len, ==, 5);
  g_assert_cmpstr (((PvCustomer *) g_ptr_array_index (second, 0))->number, ==, "+14155550105");
}

/* ---------------------------------------------------------------------------------------------
 * The intents, one by one. Times are the manual clock's; every limit is the request's.
 */

static void
test_claim_send_new (Fixture       *fixture,
                     gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GPtrArray) sending = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(PvSendClaim) claim = { 0 };

  g_assert_cmpint (claim_send (store, number, "Ada", FALSE, "d1", &claim), ==, PV_SEND_GRANTED);
  g_assert_true (claim.created);
  g_assert_null (claim.before);
  g_assert_cmpuint (claim.wait, ==, 0);
  g_assert_nonnull (claim.customer);

  /* The send is reserved before any request goes out. */
  found = lookup (store, number);
  assert_customers_equal (claim.customer, found);
  g_assert_cmpint (found->id, >, 0);
  g_assert_cmpstr (found->name, ==, "Ada");
  g_assert_cmpint (found->status, ==, PV_CUSTOMER_STATUS_PENDING);
  g_assert_cmpint (found->send_state, ==, PV_SEND_STATE_SENDING);
  g_assert_cmpint (found->send_id, ==, 1);
  g_assert_cmpstr (found->send_owner, ==, OWNER);
  g_assert_cmpstr (found->code_digest, ==, "d1");
  g_assert_cmpint (found->code_expires_at, ==, START_TIME + CODE_LIFETIME);
  g_assert_cmpuint (found->failed_attempts, ==, 0);
  g_assert_cmpuint (found->sends_in_window, ==, 1);
  g_assert_cmpint (found->send_window_started_at, ==, START_TIME);
  g_assert_cmpint (found->last_sent_at, ==, START_TIME);
  g_assert_cmpint (found->created_at, ==, START_TIME);
  g_assert_cmpint (found->updated_at, ==, START_TIME);
  g_assert_null (found->message_sid);

  /* Only the outcome is an event. */
  g_assert_cmpuint (count_events (store, number), ==, 0);

  sending = pv_store_list_sends_in_flight (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sending->len, ==, 1);
  g_assert_cmpstr (((PvCustomer *) g_ptr_array_index (sending, 0))->number, ==, number);
}

static void
test_claim_send_live_code (Fixture       *fixture,
                           gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) before = NULL;
  g_autoptr(PvCustomer) found = NULL;
  g_auto(PvSendClaim) claim = { 0 };

  send_code (store, number, "d1", "SM1");
  pv_clock_advance (fixture->clock, COOLDOWN);
  before = lookup (store, number);

  /* Past the cooldown, but the code is still good: it is kept, and the claim says how its
   * send went. */
  g_assert_cmpint (claim_send (store, number, NULL, FALSE, "d2", &claim), ==,
                   PV_SEND_REFUSED_LIVE_CODE);
  g_assert_false (claim.created);
  g_assert_nonnull (claim.customer);
  g_assert_cmpint (claim.customer->send_state, ==, PV_SEND_STATE_SENT);
  g_assert_cmpstr (claim.customer->message_sid, ==, "SM1");
  found = lookup (store, number);
  assert_customers_equal (found, before);
  g_clear_pointer (&found, pv_customer_free);
  pv_send_claim_clear (&claim);

  /* A resend replaces it. */
  g_assert_cmpint (claim_send (store, number, NULL, TRUE, "d2", &claim), ==, PV_SEND_GRANTED);
  g_assert_cmpint (claim.customer->send_id, ==, 2);
  g_assert_cmpstr (claim.customer->code_digest, ==, "d2");
  g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_SENT, "SM2"));
  pv_send_claim_clear (&claim);

  /* Once expired, the code no longer stands in the way of a plain send. */
  pv_clock_advance (fixture->clock, CODE_LIFETIME - 1);
  g_assert_cmpint (claim_send (store, number, NULL, FALSE, "d3", &claim), ==,
                   PV_SEND_REFUSED_LIVE_CODE);
  pv_send_claim_clear (&claim);
  pv_clock_advance (fixture->clock, 1);
  g_assert_cmpint (claim_send (store, number, NULL, FALSE, "d3", &claim), ==, PV_SEND_GRANTED);
  g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_SENT, "SM3"));
  pv_send_claim_clear (&claim);

  /* Nor does one whose attempts are all used (on another number: this one has used up its
   * hour). */
  send_code (store, "+15552600002", "d1", "SM4");
  pv_clock_advance (fixture->clock, COOLDOWN);
  for (guint i = 0; i < MAX_ATTEMPTS; i++)
    {
      g_auto(PvAttempt) attempt = { 0 };

      g_assert_cmpint (claim_attempt (store, "+15552600002", &attempt), ==, PV_ATTEMPT_GRANTED);
    }
  g_assert_cmpint (claim_send (store, "+15552600002", NULL, FALSE, "d4", &claim), ==,
                   PV_SEND_GRANTED);
  g_assert_cmpuint (claim.customer->failed_attempts, ==, 0);
  g_assert_cmpstr (claim.customer->code_digest, ==, "d4");
}

static void
test_claim_send_in_flight (Fixture       *fixture,
                           gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) before = NULL;
  g_autoptr(PvCustomer) found = NULL;
  g_auto(PvSendClaim) first = { 0 };
  g_auto(PvSendClaim) claim = { 0 };

  g_assert_cmpint (claim_send (store, number, NULL, FALSE, "d1", &first), ==, PV_SEND_GRANTED);
  before = lookup (store, number);

  /* Well past the cooldown, and even for a resend: the first send has not finished. */
  pv_clock_advance (fixture->clock, PV_SEND_IN_FLIGHT_MAX_SECONDS - 1);
  g_assert_cmpint (claim_send (store, number, NULL, FALSE, "d2", &claim), ==,
                   PV_SEND_REFUSED_IN_FLIGHT);
  g_assert_cmpint (claim.customer->send_state, ==, PV_SEND_STATE_SENDING);
  pv_send_claim_clear (&claim);
  g_assert_cmpint (claim_send (store, number, NULL, TRUE, "d2", &claim), ==,
                   PV_SEND_REFUSED_IN_FLIGHT);
  pv_send_claim_clear (&claim);
  found = lookup (store, number);
  assert_customers_equal (found, before);
  g_clear_pointer (&found, pv_customer_free);

  /* As soon as it has finished, the usual rules apply. */
  g_assert_true (finish_send (store, &first, PV_SEND_OUTCOME_SENT, "SM1"));
  g_assert_cmpint (claim_send (store, number, NULL, TRUE, "d2", &claim), ==, PV_SEND_GRANTED);
}

/* A send still SENDING after PV_SEND_IN_FLIGHT_MAX_SECONDS was lost by its process: it no
 * longer blocks, and the new claim makes the old one's outcome stale. */
static void
test_claim_send_stale_in_flight (Fixture       *fixture,
                                 gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) found = NULL;
  g_auto(PvSendClaim) first = { 0 };
  g_auto(PvSendClaim) claim = { 0 };

  g_assert_cmpint (claim_send (store, number, NULL, FALSE, "d1", &first), ==, PV_SEND_GRANTED);
  pv_clock_advance (fixture->clock, PV_SEND_IN_FLIGHT_MAX_SECONDS);

  g_assert_cmpint (claim_send (store, number, NULL, TRUE, "d2", &claim), ==, PV_SEND_GRANTED);
  g_assert_false (claim.created);
  g_assert_cmpint (claim.before->send_state, ==, PV_SEND_STATE_SENDING);
  g_assert_cmpint (claim.customer->send_id, ==, 2);
  g_assert_cmpint (claim.customer->send_state, ==, PV_SEND_STATE_SENDING);
  g_assert_cmpint (claim.customer->last_sent_at, ==, START_TIME + PV_SEND_IN_FLIGHT_MAX_SECONDS);
  g_assert_cmpuint (claim.customer->sends_in_window, ==, 2);

  g_assert_false (finish_send (store, &first, PV_SEND_OUTCOME_SENT, "SM1"));
  found = lookup (store, number);
  assert_customers_equal (found, claim.customer);
}

static void
test_claim_send_cooldown (Fixture       *fixture,
                          gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) before = NULL;
  g_autoptr(PvCustomer) found = NULL;
  g_auto(PvSendClaim) claim = { 0 };

  send_code (store, number, "d1", "SM1");
  before = lookup (store, number);

  g_assert_cmpint (claim_send (store, number, NULL, TRUE, "d2", &claim), ==,
                   PV_SEND_REFUSED_COOLDOWN);
  g_assert_cmpuint (claim.wait, ==, COOLDOWN);
  pv_send_claim_clear (&claim);

  pv_clock_advance (fixture->clock, 10);
  g_assert_cmpint (claim_send (store, number, NULL, TRUE, "d2", &claim), ==,
                   PV_SEND_REFUSED_COOLDOWN);
  g_assert_cmpuint (claim.wait, ==, COOLDOWN - 10);
  pv_send_claim_clear (&claim);

  pv_clock_advance (fixture->clock, COOLDOWN - 10 - 1);
  g_assert_cmpint (claim_send (store, number, NULL, TRUE, "d2", &claim), ==,
                   PV_SEND_REFUSED_COOLDOWN);
  g_assert_cmpuint (claim.wait, ==, 1);
  pv_send_claim_clear (&claim);

  /* Refusals change nothing: not the counters, not the time of the last send. */
  found = lookup (store, number);
  assert_customers_equal (found, before);

  pv_clock_advance (fixture->clock, 1);
  g_assert_cmpint (claim_send (store, number, NULL, TRUE, "d2", &claim), ==, PV_SEND_GRANTED);
  g_assert_cmpint (claim.customer->last_sent_at, ==, START_TIME + COOLDOWN);
}

/* A call instead of the text, or the text again, carries the code the customer may already
 * hold: the digest, seed, expiry and attempts used stay; the limits count it as a send. */
static void
test_claim_send_keeps_live_code (Fixture       *fixture,
                                 gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) first = NULL;
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_auto(PvSendClaim) claim = { 0 };
  PvEvent *last;

  send_code (store, number, "d1", "SM1");
  first = lookup (store, number);
  g_assert_cmpstr (first->code_seed, ==, "d1");
  g_assert_cmpint (first->channel, ==, PV_CHANNEL_SMS);
  {
    g_auto(PvAttempt) attempt = { 0 };

    g_assert_true (pv_store_claim_attempt (store, number, MAX_ATTEMPTS, &attempt, NULL));
    g_assert_cmpint (attempt.verdict, ==, PV_ATTEMPT_GRANTED);
  }

  /* The cooldown holds across channels. */
  g_assert_cmpint (claim_send_again (store, number, PV_CHANNEL_CALL, "d2", &claim), ==,
                   PV_SEND_REFUSED_COOLDOWN);
  pv_send_claim_clear (&claim);

  pv_clock_advance (fixture->clock, COOLDOWN);
  g_assert_cmpint (claim_send_again (store, number, PV_CHANNEL_CALL, "d2", &claim), ==,
                   PV_SEND_GRANTED);
  g_assert_true (claim.kept_code);
  g_assert_cmpstr (claim.customer->code_digest, ==, "d1");
  g_assert_cmpstr (claim.customer->code_seed, ==, "d1");
  g_assert_cmpint (claim.customer->code_expires_at, ==, first->code_expires_at);
  g_assert_cmpuint (claim.customer->failed_attempts, ==, 1);
  g_assert_cmpint (claim.customer->channel, ==, PV_CHANNEL_CALL);
  g_assert_cmpuint (claim.customer->sends_in_window, ==, 2);
  g_assert_cmpint (claim.customer->last_sent_at, ==, START_TIME + COOLDOWN);
  g_assert_cmpint (claim.customer->send_state, ==, PV_SEND_STATE_SENDING);
  g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_SENT,
                              "CA0123456789abcdef0123456789abcdef"));
  pv_send_claim_clear (&claim);

  /* The history says which channel each send used, and so does the call's progress. */
  g_assert_true (record_delivery (store, number, "CA0123456789abcdef0123456789abcdef",
                                  "no-answer", 0));
  events = list_events (store, number);
  last = g_ptr_array_index (events, events->len - 1);
  g_assert_cmpint (last->kind, ==, PV_EVENT_DELIVERY_UPDATE);
  g_assert_cmpint (last->channel, ==, PV_CHANNEL_CALL);
  last = g_ptr_array_index (events, events->len - 2);
  g_assert_cmpint (last->kind, ==, PV_EVENT_CODE_SENT);
  g_assert_cmpint (last->channel, ==, PV_CHANNEL_CALL);
  g_assert_cmpint (((PvEvent *) g_ptr_array_index (events, 0))->channel, ==, PV_CHANNEL_SMS);

  /* The hourly cap counts every send on every channel. */
  pv_clock_advance (fixture->clock, COOLDOWN);
  g_assert_cmpint (claim_send_again (store, number, PV_CHANNEL_SMS, "d3", &claim), ==,
                   PV_SEND_GRANTED);
  g_assert_true (claim.kept_code);
  g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_SENT, "SM3"));
  pv_send_claim_clear (&claim);
  pv_clock_advance (fixture->clock, COOLDOWN);
  g_assert_cmpint (claim_send_again (store, number, PV_CHANNEL_CALL, "d4", &claim), ==,
                   PV_SEND_REFUSED_HOURLY_LIMIT);
  pv_send_claim_clear (&claim);

  found = lookup (store, number);
  g_assert_cmpstr (found->code_digest, ==, "d1");
  g_assert_cmpuint (found->failed_attempts, ==, 1);
}

/* Once the live code is gone, keeping it is no longer possible, and a new one goes out. */
static void
test_claim_send_again_after_expiry (Fixture       *fixture,
                                    gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_auto(PvSendClaim) claim = { 0 };

  send_code (store, number, "d1", "SM1");
  pv_clock_advance (fixture->clock, CODE_LIFETIME);
  g_assert_cmpint (claim_send_again (store, number, PV_CHANNEL_CALL, "d2", &claim), ==,
                   PV_SEND_GRANTED);
  g_assert_false (claim.kept_code);
  g_assert_cmpstr (claim.customer->code_digest, ==, "d2");
  g_assert_cmpstr (claim.customer->code_seed, ==, "d2");
  g_assert_cmpint (claim.customer->code_expires_at, ==,
                   START_TIME + 2 * CODE_LIFETIME);
  g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_SENT, "CA1"));
  pv_send_claim_clear (&claim);

  /* Used up: every attempt spent. */
  for (guint i = 0; i < MAX_ATTEMPTS; i++)
    {
      g_auto(PvAttempt) attempt = { 0 };

      g_assert_true (pv_store_claim_attempt (store, number, MAX_ATTEMPTS, &attempt, NULL));
      g_assert_cmpint (attempt.verdict, ==, PV_ATTEMPT_GRANTED);
    }
  pv_clock_advance (fixture->clock, COOLDOWN);
  g_assert_cmpint (claim_send_again (store, number, PV_CHANNEL_SMS, "d3", &claim), ==,
                   PV_SEND_GRANTED);
  g_assert_false (claim.kept_code);
  g_assert_cmpstr (claim.customer->code_digest, ==, "d3");
  g_assert_cmpuint (claim.customer->failed_attempts, ==, 0);
}

/* A call Twilio refused never happened: the channel and the kept code are as before it. */
static void
test_claim_send_again_refused (Fixture       *fixture,
                               gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) before = NULL;
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_auto(PvSendClaim) claim = { 0 };
  PvEvent *last;

  send_code (store, number, "d1", "SM1");
  before = lookup (store, number);
  pv_clock_advance (fixture->clock, COOLDOWN);
  g_assert_cmpint (claim_send_again (store, number, PV_CHANNEL_CALL, "d2", &claim), ==,
                   PV_SEND_GRANTED);
  g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_REFUSED, "21217"));

  /* Only the send token moves on: tokens are never handed out twice. */
  found = lookup (store, number);
  g_assert_cmpint (found->send_id, >, before->send_id);
  found->send_id = before->send_id;
  assert_customers_equal (found, before);
  events = list_events (store, number);
  last = g_ptr_array_index (events, events->len - 1);
  g_assert_cmpint (last->kind, ==, PV_EVENT_SEND_REFUSED);
  g_assert_cmpint (last->channel, ==, PV_CHANNEL_CALL);
}

/* Staff's language for a customer is one field of its own, set with an event. */
static void
test_set_customer_language (Fixture       *fixture,
                            gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  gboolean applied = FALSE;
  PvEvent *last;

  send_code (store, number, "d1", "SM1");
  g_assert_true (pv_store_set_customer_language (store, number, "de", &applied, &error));
  g_assert_no_error (error);
  g_assert_true (applied);
  g_assert_true (pv_store_set_customer_language (store, number, "de", &applied, &error));
  g_assert_false (applied);

  found = lookup (store, number);
  g_assert_cmpstr (found->language, ==, "de");
  g_assert_cmpstr (found->code_digest, ==, "d1");
  events = list_events (store, number);
  last = g_ptr_array_index (events, events->len - 1);
  g_assert_cmpint (last->kind, ==, PV_EVENT_LANGUAGE_SET);
  g_assert_cmpstr (last->detail, ==, "de");
  g_assert_cmpuint (events->len, ==, 2);

  g_assert_true (pv_store_set_customer_language (store, number, "", &applied, &error));
  g_assert_true (applied);
  g_clear_pointer (&found, pv_customer_free);
  found = lookup (store, number);
  g_assert_null (found->language);

  g_assert_true (pv_store_set_customer_language (store, "+15552600009", "fr", &applied, &error));
  g_assert_false (applied);
}

static void
test_claim_send_hourly_limit (Fixture       *fixture,
                              gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) before = NULL;
  g_autoptr(PvCustomer) found = NULL;
  g_auto(PvSendClaim) claim = { 0 };
  gint64 elapsed = 0;

  for (guint i = 0; i < SENDS_PER_HOUR; i++)
    {
      g_autofree char *digest = g_strdup_printf ("d%u", i);
      g_autofree char *sid = g_strdup_printf ("SM%u", i);

      send_code (store, number, digest, sid);
      pv_clock_advance (fixture->clock, COOLDOWN);
      elapsed += COOLDOWN;
    }

  before = lookup (store, number);
  g_assert_cmpuint (before->sends_in_window, ==, SENDS_PER_HOUR);
  g_assert_cmpint (before->send_window_started_at, ==, START_TIME);

  g_assert_cmpint (claim_send (store, number, NULL, TRUE, "dx", &claim), ==,
                   PV_SEND_REFUSED_HOURLY_LIMIT);
  g_assert_cmpuint (claim.wait, ==, 3600 - elapsed);
  pv_send_claim_clear (&claim);

  pv_clock_advance (fixture->clock, 3600 - elapsed - 1);
  g_assert_cmpint (claim_send (store, number, NULL, TRUE, "dx", &claim), ==,
                   PV_SEND_REFUSED_HOURLY_LIMIT);
  g_assert_cmpuint (claim.wait, ==, 1);
  pv_send_claim_clear (&claim);
  found = lookup (store, number);
  assert_customers_equal (found, before);

  /* An hour after the window opened, a new one starts with this send. */
  pv_clock_advance (fixture->clock, 1);
  g_assert_cmpint (claim_send (store, number, NULL, TRUE, "dx", &claim), ==, PV_SEND_GRANTED);
  g_assert_cmpuint (claim.customer->sends_in_window, ==, 1);
  g_assert_cmpint (claim.customer->send_window_started_at, ==, START_TIME + 3600);
  g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_SENT, "SMx"));
  pv_send_claim_clear (&claim);

  /* And counts from there. */
  pv_clock_advance (fixture->clock, COOLDOWN);
  g_assert_cmpint (claim_send (store, number, NULL, TRUE, "dy", &claim), ==, PV_SEND_GRANTED);
  g_assert_cmpuint (claim.customer->sends_in_window, ==, 2);
  g_assert_cmpint (claim.customer->send_window_started_at, ==, START_TIME + 3600);
}

static void
test_claim_send_verified (Fixture       *fixture,
                          gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) before = NULL;
  g_autoptr(PvCustomer) found = NULL;
  g_auto(PvSendClaim) claim = { 0 };
  g_auto(PvAttempt) attempt = { 0 };

  send_code (store, number, "d1", "SM1");
  g_assert_cmpint (claim_attempt (store, number, &attempt), ==, PV_ATTEMPT_GRANTED);
  g_assert_true (mark_verified (store, number, "d1"));
  before = lookup (store, number);

  pv_clock_advance (fixture->clock, 2 * 3600);
  for (int resend = FALSE; resend <= TRUE; resend++)
    {
      g_assert_cmpint (claim_send (store, number, "Eve", resend, "d2", &claim), ==,
                       PV_SEND_REFUSED_VERIFIED);
      g_assert_nonnull (claim.customer);
      g_assert_cmpint (claim.customer->status, ==, PV_CUSTOMER_STATUS_VERIFIED);
      pv_send_claim_clear (&claim);
    }

  found = lookup (store, number);
  assert_customers_equal (found, before);
}

static void
test_claim_send_resend_unknown (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_auto(PvSendClaim) claim = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (claim_send (store, "+15552600001", "Ada", TRUE, "d1", &claim), ==,
                   PV_SEND_REFUSED_NOT_FOUND);
  g_assert_false (claim.created);
  g_assert_null (claim.customer);
  g_assert_null (pv_store_lookup (store, "+15552600001", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_customers (store), ==, 0);
}

static void
test_claim_send_name (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  /* Empty or absent, the stored name stays; anything else replaces it, search index and
   * all. */
  const struct {
    const char *name;
    const char *stored;
  } sends[] = {
    { "Ada", "Ada" },
    { "", "Ada" },
    { NULL, "Ada" },
    { "Ada Lovelace", "Ada Lovelace" },
    { "", "Ada Lovelace" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (sends); i++)
    {
      g_auto(PvSendClaim) claim = { 0 };

      g_assert_cmpint (claim_send (store, number, sends[i].name, i > 0, "d", &claim), ==,
                       PV_SEND_GRANTED);
      g_assert_cmpstr (claim.customer->name, ==, sends[i].stored);
      g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_SENT, "SM"));
      found = lookup (store, number);
      g_assert_cmpstr (found->name, ==, sends[i].stored);
      g_clear_pointer (&found, pv_customer_free);
      /* Past the hourly limit too. */
      pv_clock_advance (fixture->clock, 3600);
    }

  g_assert_true (pv_store_count_customers (store, "Lovelace", &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);

  /* A first send with an empty name stores none. */
  {
    g_auto(PvSendClaim) claim = { 0 };

    g_assert_cmpint (claim_send (store, "+15552600002", "", FALSE, "d", &claim), ==,
                     PV_SEND_GRANTED);
    g_assert_null (claim.customer->name);
  }
}

static void
test_finish_send_sent (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GPtrArray) sending = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(PvSendClaim) claim = { 0 };
  PvSendOutcome outcome = {
    .kind = PV_SEND_OUTCOME_SENT,
    .message_sid = "SM0123456789abcdef0123456789abcdef",
    .delivery_status = "failed",
    .error_code = 30007,
  };
  gboolean applied = FALSE;

  g_assert_cmpint (claim_send (store, number, NULL, FALSE, "d1", &claim), ==, PV_SEND_GRANTED);
  pv_clock_advance (fixture->clock, 2);
  g_assert_true (pv_store_finish_send (store, &claim, &outcome, &applied, &error));
  g_assert_no_error (error);
  g_assert_true (applied);

  found = lookup (store, number);
  g_assert_cmpint (found->send_state, ==, PV_SEND_STATE_SENT);
  g_assert_cmpstr (found->message_sid, ==, outcome.message_sid);
  g_assert_cmpstr (found->delivery_status, ==, "failed");
  g_assert_cmpint (found->delivery_error_code, ==, 30007);
  g_assert_null (found->send_owner);
  g_assert_cmpint (found->send_id, ==, 1);
  g_assert_cmpint (found->updated_at, ==, START_TIME + 2);
  /* The code and its counters are the claim's. */
  g_assert_cmpstr (found->code_digest, ==, "d1");
  g_assert_cmpint (found->code_expires_at, ==, START_TIME + CODE_LIFETIME);
  g_assert_cmpint (found->last_sent_at, ==, START_TIME);
  g_assert_cmpuint (found->sends_in_window, ==, 1);
  assert_last_event (store, number, PV_EVENT_CODE_SENT, outcome.message_sid, START_TIME + 2);
  g_assert_cmpuint (count_events (store, number), ==, 1);

  sending = pv_store_list_sends_in_flight (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sending->len, ==, 0);
}

/* Once a newer send is claimed, nothing the older one reports applies. */
static void
test_finish_send_stale (Fixture       *fixture,
                        gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) current = NULL;
  g_autoptr(PvCustomer) found = NULL;
  g_auto(PvSendClaim) first = { 0 };
  g_auto(PvSendClaim) second = { 0 };

  g_assert_cmpint (claim_send (store, number, NULL, FALSE, "d1", &first), ==, PV_SEND_GRANTED);
  pv_clock_advance (fixture->clock, PV_SEND_IN_FLIGHT_MAX_SECONDS);
  g_assert_cmpint (claim_send (store, number, NULL, TRUE, "d2", &second), ==, PV_SEND_GRANTED);
  current = lookup (store, number);
  pv_clock_advance (fixture->clock, 1);

  g_assert_false (finish_send (store, &first, PV_SEND_OUTCOME_SENT, "SM1"));
  g_assert_false (finish_send (store, &first, PV_SEND_OUTCOME_UNKNOWN, "timed out"));
  /* The first claim created the customer, but its refusal must not delete the second's. */
  g_assert_false (finish_send (store, &first, PV_SEND_OUTCOME_REFUSED, "invalid"));

  found = lookup (store, number);
  assert_customers_equal (found, current);
  g_clear_pointer (&found, pv_customer_free);
  g_assert_cmpuint (count_events (store, number), ==, 0);

  g_assert_true (finish_send (store, &second, PV_SEND_OUTCOME_SENT, "SM2"));
  found = lookup (store, number);
  g_assert_cmpstr (found->message_sid, ==, "SM2");
  g_assert_cmpstr (found->code_digest, ==, "d2");
}

static void
test_finish_send_unknown (Fixture       *fixture,
                          gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) claimed = NULL;
  g_autoptr(PvCustomer) found = NULL;
  g_auto(PvSendClaim) claim = { 0 };
  g_auto(PvAttempt) attempt = { 0 };

  g_assert_cmpint (claim_send (store, number, NULL, FALSE, "d1", &claim), ==, PV_SEND_GRANTED);
  claimed = lookup (store, number);
  pv_clock_advance (fixture->clock, 30);

  /* It may have gone out: the code and the counters stay. */
  g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_UNKNOWN, "timed out"));
  found = lookup (store, number);
  g_assert_cmpint (found->send_state, ==, PV_SEND_STATE_UNKNOWN);
  g_assert_null (found->send_owner);
  g_assert_cmpint (found->updated_at, ==, START_TIME + 30);
  g_assert_cmpstr (found->code_digest, ==, claimed->code_digest);
  g_assert_cmpint (found->code_expires_at, ==, claimed->code_expires_at);
  g_assert_cmpuint (found->sends_in_window, ==, claimed->sends_in_window);
  g_assert_cmpint (found->send_window_started_at, ==, claimed->send_window_started_at);
  g_assert_cmpint (found->last_sent_at, ==, claimed->last_sent_at);
  g_assert_cmpint (found->send_id, ==, claimed->send_id);
  g_assert_null (found->message_sid);
  assert_last_event (store, number, PV_EVENT_SEND_UNKNOWN, "timed out", START_TIME + 30);
  g_clear_pointer (&found, pv_customer_free);

  /* The code may have arrived, so it must still work. */
  g_assert_cmpint (claim_attempt (store, number, &attempt), ==, PV_ATTEMPT_GRANTED);
  g_assert_cmpstr (attempt.code_digest, ==, "d1");

  /* Told twice, it says nothing new. */
  g_assert_false (finish_send (store, &claim, PV_SEND_OUTCOME_UNKNOWN, "again"));
  g_assert_cmpuint (count_events (store, number), ==, 1);

  /* If the answer comes after all, it still counts. */
  g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_SENT, "SM1"));
  found = lookup (store, number);
  g_assert_cmpint (found->send_state, ==, PV_SEND_STATE_SENT);
  g_assert_cmpstr (found->message_sid, ==, "SM1");
  g_clear_pointer (&found, pv_customer_free);

  /* But after SENT, an UNKNOWN does not undo it. */
  g_assert_false (finish_send (store, &claim, PV_SEND_OUTCOME_UNKNOWN, "late"));
  found = lookup (store, number);
  g_assert_cmpint (found->send_state, ==, PV_SEND_STATE_SENT);
}

static void
test_finish_send_refused_created (Fixture       *fixture,
                                  gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(GError) error = NULL;
  g_auto(PvSendClaim) claim = { 0 };

  g_assert_cmpint (claim_send (store, number, "Ada", FALSE, "d1", &claim), ==, PV_SEND_GRANTED);
  g_assert_true (claim.created);
  pv_clock_advance (fixture->clock, 3);

  /* It never went out: the customer it added goes again, and the refusal is on record. */
  g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_REFUSED, "not a mobile number"));
  g_assert_null (pv_store_lookup (store, number, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_customers (store), ==, 0);
  g_assert_cmpuint (count_events (store, number), ==, 1);
  assert_last_event (store, number, PV_EVENT_SEND_REFUSED, "not a mobile number",
                     START_TIME + 3);

  g_assert_false (finish_send (store, &claim, PV_SEND_OUTCOME_REFUSED, "again"));
  g_assert_cmpuint (count_events (store, number), ==, 1);
}

/* A send that created its customer, that customer deleted and added again by another send:
 * the first send's outcome must not land on the second customer. Tokens come from one
 * counter for the database, so the second customer's send has a token of its own. */
static void
test_finish_send_after_recreate (Fixture       *fixture,
                                 gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) current = NULL;
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(PvSendClaim) first = { 0 };
  g_auto(PvSendClaim) second = { 0 };

  g_assert_cmpint (claim_send (store, number, "Ada", FALSE, "d1", &first), ==, PV_SEND_GRANTED);
  g_assert_true (pv_store_delete_customer (store, number, PV_EVENT_DELETED, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (claim_send (store, number, "Bea", FALSE, "d2", &second), ==, PV_SEND_GRANTED);
  g_assert_true (second.created);
  current = lookup (store, number);

  g_assert_cmpint (second.customer->send_id, !=, first.customer->send_id);
  g_assert_false (finish_send (store, &first, PV_SEND_OUTCOME_SENT, "SM1"));
  found = lookup (store, number);
  assert_customers_equal (found, current);
  g_clear_pointer (&found, pv_customer_free);

  g_assert_false (finish_send (store, &first, PV_SEND_OUTCOME_REFUSED, "invalid"));
  found = lookup (store, number);
  assert_customers_equal (found, current);
}

static void
assert_restored (PvStore          *store,
                 const PvCustomer *before)
{
  g_autoptr(PvCustomer) found = lookup (store, before->number);

  /* Everything as it was but the token, which only ever grows. */
  /* Tokens only grow, and are never handed out twice. */
  g_assert_cmpint (found->send_id, >, before->send_id);
  found->send_id = before->send_id;
  assert_customers_equal (found, before);
}

static void
test_finish_send_refused_known (Fixture       *fixture,
                                gconstpointer  data)
{
  const char *number = "+15552600001";
  const char *plain_number = "+15552600002";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) plain = insert_customer (store, plain_number, "Plain");
  g_autoptr(PvCustomer) before = NULL;
  PvSendRequest request = send_request (number, "Ada", FALSE, "d1");
  g_autoptr(GError) error = NULL;
  g_auto(PvSendClaim) claim = { 0 };
  g_auto(PvAttempt) attempt = { 0 };
  guint n;
  sqlite3 *db;

  /* A customer with some history: a long-lived code sent and delivered, one wrong attempt.
   * The code outlives the hour, so that the resend below also starts a new window. */
  request.code_lifetime = 3 * 3600;
  g_assert_true (pv_store_claim_send (store, &request, &claim, &error));
  g_assert_no_error (error);
  g_assert_cmpint (claim.verdict, ==, PV_SEND_GRANTED);
  g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_SENT, "SM1"));
  pv_send_claim_clear (&claim);
  pv_clock_advance (fixture->clock, 5);
  g_assert_true (record_delivery (store, number, "SM1", "undelivered", 30003));
  pv_clock_advance (fixture->clock, 5);
  g_assert_cmpint (claim_attempt (store, number, &attempt), ==, PV_ATTEMPT_GRANTED);
  g_assert_true (pv_store_record_failed_attempt (store, number, &error));
  g_assert_no_error (error);
  pv_attempt_clear (&attempt);
  before = lookup (store, number);
  g_assert_cmpuint (before->failed_attempts, ==, 1);
  g_assert_cmpint (before->send_state, ==, PV_SEND_STATE_SENT);

  pv_clock_advance (fixture->clock, 2 * 3600);
  g_assert_cmpint (claim_send (store, number, "Ada Lovelace", TRUE, "d2", &claim), ==,
                   PV_SEND_GRANTED);
  assert_customers_equal (claim.before, before);
  /* The claim really moved everything that the refusal has to put back. */
  g_assert_cmpstr (claim.customer->name, ==, "Ada Lovelace");
  g_assert_cmpstr (claim.customer->code_digest, ==, "d2");
  g_assert_cmpint (claim.customer->code_expires_at, !=, before->code_expires_at);
  g_assert_cmpuint (claim.customer->failed_attempts, ==, 0);
  g_assert_cmpint (claim.customer->send_window_started_at, !=, before->send_window_started_at);
  g_assert_cmpint (claim.customer->last_sent_at, !=, before->last_sent_at);
  g_assert_null (claim.customer->message_sid);
  g_assert_null (claim.customer->delivery_status);
  g_assert_cmpint (claim.customer->send_state, ==, PV_SEND_STATE_SENDING);

  pv_clock_advance (fixture->clock, 1);
  g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_REFUSED, "blocked"));
  assert_restored (store, before);
  assert_last_event (store, number, PV_EVENT_SEND_REFUSED, "blocked",
                     START_TIME + 10 + 2 * 3600 + 1);
  /* The name too, search index and all. */
  g_assert_true (pv_store_count_customers (store, "Lovelace", &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 0);

  /* The old code works again, with its attempt still counted. */
  g_assert_cmpint (claim_attempt (store, number, &attempt), ==, PV_ATTEMPT_GRANTED);
  g_assert_cmpstr (attempt.code_digest, ==, "d1");
  g_assert_cmpuint (attempt.attempts_used, ==, 2);
  pv_attempt_clear (&attempt);
  g_assert_true (record_delivery (store, number, "SM1", "delivered", 0));

  /* A customer that never had a send gets its empty state back: NULLs, not zeros. */
  pv_send_claim_clear (&claim);
  g_clear_pointer (&plain, pv_customer_free);
  plain = lookup (store, plain_number);
  g_assert_cmpint (claim_send (store, plain_number, NULL, FALSE, "d3", &claim), ==,
                   PV_SEND_GRANTED);
  g_assert_false (claim.created);
  g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_REFUSED, "blocked"));
  assert_restored (store, plain);
  db = open_raw (fixture->path);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM customers WHERE number = '+15552600002' "
                                "AND code_digest IS NULL AND code_expires_at IS NULL "
                                "AND send_window_started_at IS NULL AND last_sent_at IS NULL "
                                "AND message_sid IS NULL AND send_state IS NULL "
                                "AND send_owner IS NULL AND sends_in_window = 0"), ==, 1);
  sqlite3_close (db);
}

static void
test_abandon_send (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(PvCustomer) listed = NULL;
  g_autoptr(GPtrArray) sending = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(PvSendClaim) claim = { 0 };
  gboolean applied = FALSE;

  g_assert_cmpint (claim_send (store, number, NULL, FALSE, "d1", &claim), ==, PV_SEND_GRANTED);
  sending = pv_store_list_sends_in_flight (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sending->len, ==, 1);
  listed = pv_customer_copy (g_ptr_array_index (sending, 0));
  g_clear_pointer (&sending, g_ptr_array_unref);
  g_assert_cmpstr (listed->send_owner, ==, OWNER);
  g_assert_cmpint (listed->send_id, ==, 1);

  pv_clock_advance (fixture->clock, 7);
  g_assert_true (pv_store_abandon_send (store, listed, "the sender is gone", &applied, &error));
  g_assert_no_error (error);
  g_assert_true (applied);
  found = lookup (store, number);
  g_assert_cmpint (found->send_state, ==, PV_SEND_STATE_UNKNOWN);
  g_assert_null (found->send_owner);
  g_assert_cmpstr (found->code_digest, ==, "d1");
  assert_last_event (store, number, PV_EVENT_SEND_UNKNOWN, "the sender is gone",
                     START_TIME + 7);
  g_clear_pointer (&found, pv_customer_free);

  sending = pv_store_list_sends_in_flight (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sending->len, ==, 0);
  g_clear_pointer (&sending, g_ptr_array_unref);

  /* Once the send has finished, a late recovery leaves it alone. */
  g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_SENT, "SM1"));
  g_assert_true (pv_store_abandon_send (store, listed, "too late", &applied, &error));
  g_assert_no_error (error);
  g_assert_false (applied);
  found = lookup (store, number);
  g_assert_cmpint (found->send_state, ==, PV_SEND_STATE_SENT);
  g_assert_cmpstr (found->message_sid, ==, "SM1");
  assert_last_event (store, number, PV_EVENT_CODE_SENT, "SM1", START_TIME + 7);
}

static void
test_list_sends_in_flight (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) plain = insert_customer (store, "+15552600001", NULL);
  g_autoptr(GPtrArray) sending = NULL;
  g_autoptr(GHashTable) numbers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_auto(PvSendClaim) unknown = { 0 };
  g_auto(PvSendClaim) second = { 0 };
  g_auto(PvSendClaim) third = { 0 };
  g_auto(PvAttempt) attempt = { 0 };

  send_code (store, "+15552600002", "d2", "SM2");                    /* SENT */
  g_assert_cmpint (claim_send (store, "+15552600003", NULL, FALSE, "d3", &unknown), ==,
                   PV_SEND_GRANTED);
  g_assert_true (finish_send (store, &unknown, PV_SEND_OUTCOME_UNKNOWN, NULL));
  send_code (store, "+15552600004", "d4", "SM4");                    /* verified */
  g_assert_cmpint (claim_attempt (store, "+15552600004", &attempt), ==, PV_ATTEMPT_GRANTED);
  g_assert_true (mark_verified (store, "+15552600004", "d4"));
  g_assert_cmpint (claim_send (store, "+15552600005", NULL, FALSE, "d5", &second), ==,
                   PV_SEND_GRANTED);
  g_assert_cmpint (claim_send (store, "+15552600006", NULL, FALSE, "d6", &third), ==,
                   PV_SEND_GRANTED);

  sending = pv_store_list_sends_in_flight (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sending->len, ==, 2);
  for (guint i = 0; i < sending->len; i++)
    {
      const PvCustomer *customer = g_ptr_array_index (sending, i);

      g_assert_cmpint (customer->send_state, ==, PV_SEND_STATE_SENDING);
      g_hash_table_add (numbers, customer->number);
    }
  g_assert_true (g_hash_table_contains (numbers, "+15552600005"));
  g_assert_true (g_hash_table_contains (numbers, "+15552600006"));
  g_clear_pointer (&sending, g_ptr_array_unref);

  /* However long ago: a stale send is listed too, for the recovery to find. */
  pv_clock_advance (fixture->clock, 24 * 3600);
  g_assert_true (finish_send (store, &second, PV_SEND_OUTCOME_SENT, "SM5"));
  sending = pv_store_list_sends_in_flight (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sending->len, ==, 1);
  g_assert_cmpstr (((PvCustomer *) g_ptr_array_index (sending, 0))->number, ==, "+15552600006");
}

static void
test_claim_attempt_counts (Fixture       *fixture,
                           gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(PvCustomer) codeless = insert_customer (store, "+15552600002", NULL);
  g_auto(PvAttempt) attempt = { 0 };

  send_code (store, number, "d1", "SM1");

  for (guint i = 1; i <= MAX_ATTEMPTS; i++)
    {
      pv_clock_advance (fixture->clock, 1);
      g_assert_cmpint (claim_attempt (store, number, &attempt), ==, PV_ATTEMPT_GRANTED);
      g_assert_cmpstr (attempt.code_digest, ==, "d1");
      g_assert_cmpuint (attempt.attempts_used, ==, i);
      pv_attempt_clear (&attempt);

      /* Counted before anyone compares. */
      found = lookup (store, number);
      g_assert_cmpuint (found->failed_attempts, ==, i);
      g_assert_cmpint (found->updated_at, ==, START_TIME + i);
      g_clear_pointer (&found, pv_customer_free);
    }

  /* Every attempt used: refused, without the digest, and nothing more is counted. */
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (claim_attempt (store, number, &attempt), ==, PV_ATTEMPT_LOCKED);
      g_assert_null (attempt.code_digest);
      g_assert_cmpuint (attempt.attempts_used, ==, 0);
      pv_attempt_clear (&attempt);
    }
  found = lookup (store, number);
  g_assert_cmpuint (found->failed_attempts, ==, MAX_ATTEMPTS);
  g_assert_cmpint (found->status, ==, PV_CUSTOMER_STATUS_PENDING);

  /* No code at all is locked too. */
  g_assert_cmpint (claim_attempt (store, "+15552600002", &attempt), ==, PV_ATTEMPT_LOCKED);
}

static void
test_claim_attempt_expired (Fixture       *fixture,
                            gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) found = NULL;
  g_auto(PvAttempt) attempt = { 0 };

  send_code (store, number, "d1", "SM1");

  pv_clock_advance (fixture->clock, CODE_LIFETIME - 1);
  g_assert_cmpint (claim_attempt (store, number, &attempt), ==, PV_ATTEMPT_GRANTED);
  pv_attempt_clear (&attempt);

  pv_clock_advance (fixture->clock, 1);
  g_assert_cmpint (claim_attempt (store, number, &attempt), ==, PV_ATTEMPT_EXPIRED);
  g_assert_null (attempt.code_digest);
  found = lookup (store, number);
  g_assert_cmpuint (found->failed_attempts, ==, 1);
}

static void
test_claim_attempt_not_found (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(GError) error = NULL;
  g_auto(PvAttempt) attempt = { 0 };

  send_code (store, "+15552600001", "d1", "SM1");
  g_assert_cmpint (claim_attempt (store, "+15552600002", &attempt), ==, PV_ATTEMPT_NOT_FOUND);
  g_assert_null (attempt.code_digest);
  g_assert_null (pv_store_lookup (store, "+15552600002", &error));
  g_assert_no_error (error);
}

static void
test_claim_attempt_verified (Fixture       *fixture,
                             gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) customer = make_full_customer ();
  g_auto(PvAttempt) attempt = { 0 };
  g_autoptr(GError) error = NULL;

  send_code (store, number, "d1", "SM1");
  g_assert_cmpint (claim_attempt (store, number, &attempt), ==, PV_ATTEMPT_GRANTED);
  g_assert_true (mark_verified (store, number, "d1"));
  pv_attempt_clear (&attempt);
  g_assert_cmpint (claim_attempt (store, number, &attempt), ==, PV_ATTEMPT_VERIFIED);
  g_assert_null (attempt.code_digest);
  pv_attempt_clear (&attempt);

  /* Verified even with a digest still stored (as an import might leave it): never handed out. */
  g_assert_true (pv_store_insert_customer (store, customer, PV_EVENT_NONE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (claim_attempt (store, customer->number, &attempt), ==, PV_ATTEMPT_VERIFIED);
  g_assert_null (attempt.code_digest);

  /* Nor is such a customer verified a second time with it. */
  g_assert_false (mark_verified (store, customer->number, customer->code_digest));
  g_assert_cmpuint (count_events (store, customer->number), ==, 0);
}

static void
test_record_failed_attempt (Fixture       *fixture,
                            gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(PvAttempt) attempt = { 0 };

  send_code (store, number, "d1", "SM1");
  g_assert_cmpint (claim_attempt (store, number, &attempt), ==, PV_ATTEMPT_GRANTED);
  pv_clock_advance (fixture->clock, 4);
  g_assert_true (pv_store_record_failed_attempt (store, number, &error));
  g_assert_no_error (error);

  assert_last_event (store, number, PV_EVENT_CHECK_FAILED, NULL, START_TIME + 4);
  g_assert_cmpuint (count_events (store, number), ==, 2);
  found = lookup (store, number);
  /* The attempt was counted when it was claimed, not a second time now. */
  g_assert_cmpuint (found->failed_attempts, ==, 1);
  g_assert_cmpint (found->updated_at, ==, START_TIME + 4);
  g_assert_cmpstr (found->code_digest, ==, "d1");
  g_assert_cmpint (found->status, ==, PV_CUSTOMER_STATUS_PENDING);

  /* Deleted between the claim and the comparison: no wrong code is listed after the
   * deletion. */
  pv_attempt_clear (&attempt);
  g_assert_cmpint (claim_attempt (store, number, &attempt), ==, PV_ATTEMPT_GRANTED);
  g_assert_true (pv_store_delete_customer (store, number, PV_EVENT_DELETED, NULL, &error));
  g_assert_true (pv_store_record_failed_attempt (store, number, &error));
  g_assert_no_error (error);
  assert_last_event (store, number, PV_EVENT_DELETED, NULL, START_TIME + 4);
}

static void
test_mark_verified (Fixture       *fixture,
                    gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(PvCustomer) verified = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_auto(PvAttempt) attempt = { 0 };
  guint n_verified = 0;

  send_code (store, number, "d1", "SM1");
  g_assert_cmpint (claim_attempt (store, number, &attempt), ==, PV_ATTEMPT_GRANTED);

  /* A digest that is not the stored one changes nothing. */
  g_assert_false (mark_verified (store, number, "d0"));
  found = lookup (store, number);
  g_assert_cmpint (found->status, ==, PV_CUSTOMER_STATUS_PENDING);
  g_assert_cmpstr (found->code_digest, ==, "d1");
  g_assert_cmpint (found->verified_at, ==, 0);
  g_clear_pointer (&found, pv_customer_free);

  pv_clock_advance (fixture->clock, 9);
  g_assert_true (mark_verified (store, number, attempt.code_digest));
  verified = lookup (store, number);
  g_assert_cmpint (verified->status, ==, PV_CUSTOMER_STATUS_VERIFIED);
  g_assert_cmpint (verified->verified_at, ==, START_TIME + 9);
  g_assert_null (verified->code_digest);
  g_assert_cmpint (verified->code_expires_at, ==, 0);
  assert_last_event (store, number, PV_EVENT_VERIFIED, NULL, START_TIME + 9);

  /* The same code, matched again (a second desk, a double click), does not apply twice. */
  pv_clock_advance (fixture->clock, 1);
  g_assert_false (mark_verified (store, number, attempt.code_digest));
  found = lookup (store, number);
  assert_customers_equal (found, verified);

  events = pv_store_list_events (store, number, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    if (((PvEvent *) g_ptr_array_index (events, i))->kind == PV_EVENT_VERIFIED)
      n_verified++;
  g_assert_cmpuint (n_verified, ==, 1);
}

/* Verified by the customer's text: the event says so, with the text's SID. */
static void
test_mark_verified_by_text (Fixture       *fixture,
                            gconstpointer  data)
{
  const char *number = "+15552600002";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(PvAttempt) attempt = { 0 };
  const PvEvent *last;
  gboolean applied = FALSE;

  send_code (store, number, "d1", "SM1");
  g_assert_cmpint (claim_attempt (store, number, &attempt), ==, PV_ATTEMPT_GRANTED);
  g_assert_true (pv_store_mark_verified (store, number, attempt.code_digest, "SMtext01",
                                         &applied, &error));
  g_assert_no_error (error);
  g_assert_true (applied);

  events = pv_store_list_events (store, number, &error);
  g_assert_no_error (error);
  last = g_ptr_array_index (events, events->len - 1);
  g_assert_cmpint (last->kind, ==, PV_EVENT_VERIFIED);
  g_assert_cmpint (last->channel, ==, PV_CHANNEL_INBOUND);
  g_assert_cmpstr (last->detail, ==, "SMtext01");
}

/* A code matched just as a newer one was sent: the match was for a code that no longer
 * counts. */
static void
test_mark_verified_replaced_code (Fixture       *fixture,
                                  gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) found = NULL;
  g_auto(PvAttempt) attempt = { 0 };

  send_code (store, number, "d1", "SM1");
  g_assert_cmpint (claim_attempt (store, number, &attempt), ==, PV_ATTEMPT_GRANTED);
  pv_clock_advance (fixture->clock, COOLDOWN);
  send_code (store, number, "d2", "SM2");

  g_assert_false (mark_verified (store, number, attempt.code_digest));
  found = lookup (store, number);
  g_assert_cmpint (found->status, ==, PV_CUSTOMER_STATUS_PENDING);
  g_assert_cmpstr (found->code_digest, ==, "d2");
  g_assert_true (mark_verified (store, number, "d2"));
}

/* A name is changed by one statement that touches nothing else: a send by another desk
 * meanwhile keeps its code, and the change is in the history. */
static void
test_rename_customer (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvStore) other = open_store (fixture);
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GError) error = NULL;
  gboolean applied = FALSE;

  send_code (store, number, "d1", "SM1");
  pv_clock_advance (fixture->clock, 5);
  g_assert_true (pv_store_rename_customer (other, number, "Ada Lovelace", &applied, &error));
  g_assert_no_error (error);
  g_assert_true (applied);
  found = lookup (store, number);
  g_assert_cmpstr (found->name, ==, "Ada Lovelace");
  g_assert_cmpstr (found->code_digest, ==, "d1");
  g_assert_cmpstr (found->message_sid, ==, "SM1");
  g_assert_cmpint (found->updated_at, ==, START_TIME + 5);
  assert_last_event (store, number, PV_EVENT_RENAMED, "Ada Lovelace", START_TIME + 5);
  g_clear_pointer (&found, pv_customer_free);

  /* The same name again is no change, and no event. */
  g_assert_true (pv_store_rename_customer (store, number, "Ada Lovelace", &applied, &error));
  g_assert_false (applied);
  g_assert_cmpuint (count_events (store, number), ==, 2);

  /* An empty name clears it. */
  g_assert_true (pv_store_rename_customer (store, number, "", &applied, &error));
  g_assert_true (applied);
  found = lookup (store, number);
  g_assert_null (found->name);
  assert_last_event (store, number, PV_EVENT_RENAMED, NULL, START_TIME + 5);

  /* A customer deleted meanwhile is not brought back. */
  g_assert_true (pv_store_delete_customer (store, number, PV_EVENT_DELETED, NULL, &error));
  g_assert_true (pv_store_rename_customer (other, number, "Ada", &applied, &error));
  g_assert_no_error (error);
  g_assert_false (applied);
  g_assert_null (pv_store_lookup (store, number, &error));
}

static void
test_record_delivery (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) found = NULL;
  g_auto(PvSendClaim) claim = { 0 };

  send_code (store, number, "d1", "SM1");
  pv_clock_advance (fixture->clock, 3);
  g_assert_true (record_delivery (store, number, "SM1", "delivered", 0));
  found = lookup (store, number);
  g_assert_cmpstr (found->delivery_status, ==, "delivered");
  g_assert_cmpint (found->delivery_error_code, ==, 0);
  g_assert_cmpint (found->updated_at, ==, START_TIME + 3);
  assert_last_event (store, number, PV_EVENT_DELIVERY_UPDATE, "delivered", START_TIME + 3);
  g_clear_pointer (&found, pv_customer_free);

  /* While a newer send is under way, the old message's news is not the customer's. */
  pv_clock_advance (fixture->clock, COOLDOWN);
  g_assert_cmpint (claim_send (store, number, NULL, TRUE, "d2", &claim), ==, PV_SEND_GRANTED);
  g_assert_false (record_delivery (store, number, "SM1", "undelivered", 30003));
  g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_SENT, "SM2"));

  /* Nor after it went out. */
  g_assert_false (record_delivery (store, number, "SM1", "undelivered", 30003));
  found = lookup (store, number);
  g_assert_cmpstr (found->message_sid, ==, "SM2");
  g_assert_cmpstr (found->delivery_status, ==, "queued");
  g_assert_cmpint (found->delivery_error_code, ==, 0);
  g_clear_pointer (&found, pv_customer_free);
  g_assert_cmpuint (count_events (store, number), ==, 3);

  g_assert_true (record_delivery (store, number, "SM2", "undelivered", 30003));
  found = lookup (store, number);
  g_assert_cmpstr (found->delivery_status, ==, "undelivered");
  g_assert_cmpint (found->delivery_error_code, ==, 30003);
  /* The reason goes into the history with it. */
  assert_last_event (store, number, PV_EVENT_DELIVERY_UPDATE, "undelivered 30003",
                     START_TIME + 3 + COOLDOWN);

  /* Another customer's message is not this one's. */
  send_code (store, "+15552600002", "d3", "SM3");
  g_assert_false (record_delivery (store, number, "SM3", "delivered", 0));
  g_assert_false (record_delivery (store, "+15552600002", "SM2", "delivered", 0));
}

/* ---------------------------------------------------------------------------------------------
 * Several connections to one file at once, as several processes would have. Each thread has
 * a connection of its own: one connection serialises its callers on its mutex, which would
 * prove nothing about the database.
 */

#define N_RACERS 20

typedef struct
{
  GMutex   mutex;
  GCond    cond;
  gboolean open;
} Gate;

typedef struct
{
  Gate          *gate;
  PvStore       *store;
  const char    *number;
  int            verdict;
  guint          attempts_used;
  gboolean       created;
} Racer;

static void
gate_wait (Gate *gate)
{
  g_mutex_lock (&gate->mutex);
  while (!gate->open)
    g_cond_wait (&gate->cond, &gate->mutex);
  g_mutex_unlock (&gate->mutex);
}

static void
gate_open (Gate *gate)
{
  g_mutex_lock (&gate->mutex);
  gate->open = TRUE;
  g_cond_broadcast (&gate->cond);
  g_mutex_unlock (&gate->mutex);
}

static gpointer
race_attempt (gpointer user_data)
{
  Racer *racer = user_data;
  g_auto(PvAttempt) attempt = { 0 };

  gate_wait (racer->gate);
  racer->verdict = claim_attempt (racer->store, racer->number, &attempt);
  racer->attempts_used = attempt.attempts_used;

  return NULL;
}

static gpointer
race_send (gpointer user_data)
{
  Racer *racer = user_data;
  g_auto(PvSendClaim) claim = { 0 };

  gate_wait (racer->gate);
  racer->verdict = claim_send (racer->store, racer->number, NULL, FALSE, "d1", &claim);
  racer->created = claim.created;

  return NULL;
}

/* Opens a connection per racer, then lets them all go at once. */
static void
race (Fixture      *fixture,
      const char   *number,
      GThreadFunc   func,
      Racer        *racers)
{
  Gate gate = { 0 };
  GThread *threads[N_RACERS];

  g_mutex_init (&gate.mutex);
  g_cond_init (&gate.cond);

  for (guint i = 0; i < N_RACERS; i++)
    {
      racers[i].gate = &gate;
      racers[i].store = open_store (fixture);
      racers[i].number = number;
      racers[i].verdict = -1;
      threads[i] = g_thread_new ("racer", func, &racers[i]);
    }

  gate_open (&gate);

  for (guint i = 0; i < N_RACERS; i++)
    {
      g_thread_join (threads[i]);
      g_clear_object (&racers[i].store);
    }

  g_mutex_clear (&gate.mutex);
  g_cond_clear (&gate.cond);
}

static void
test_concurrent_attempts (Fixture       *fixture,
                          gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) found = NULL;
  Racer racers[N_RACERS] = { { 0 } };
  guint n_granted = 0;
  guint used = 0;

  send_code (store, number, "d1", "SM1");

  race (fixture, number, race_attempt, racers);

  for (guint i = 0; i < N_RACERS; i++)
    {
      if (racers[i].verdict == PV_ATTEMPT_GRANTED)
        {
          n_granted++;
          /* Each granted attempt got a number of its own: bit i set for attempt i. */
          g_assert_cmpuint (racers[i].attempts_used, >=, 1);
          g_assert_cmpuint (racers[i].attempts_used, <=, MAX_ATTEMPTS);
          g_assert_false (used & (1u << racers[i].attempts_used));
          used |= 1u << racers[i].attempts_used;
        }
      else
        {
          g_assert_cmpint (racers[i].verdict, ==, PV_ATTEMPT_LOCKED);
        }
    }

  g_assert_cmpuint (n_granted, ==, MAX_ATTEMPTS);
  found = lookup (store, number);
  g_assert_cmpuint (found->failed_attempts, ==, MAX_ATTEMPTS);
}

static void
test_concurrent_sends (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *number = "+15552600001";
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) found = NULL;
  Racer racers[N_RACERS] = { { 0 } };
  guint n_granted = 0;

  race (fixture, number, race_send, racers);

  for (guint i = 0; i < N_RACERS; i++)
    {
      if (racers[i].verdict == PV_SEND_GRANTED)
        {
          n_granted++;
          g_assert_true (racers[i].created);
        }
      else
        {
          g_assert_cmpint (racers[i].verdict, ==, PV_SEND_REFUSED_IN_FLIGHT);
          g_assert_false (racers[i].created);
        }
    }

  g_assert_cmpuint (n_granted, ==, 1);
  g_assert_cmpuint (count_customers (store), ==, 1);
  found = lookup (store, number);
  g_assert_cmpint (found->send_id, ==, 1);
  g_assert_cmpuint (found->sends_in_window, ==, 1);
}

/* ---------------------------------------------------------------------------------------------
 * The watcher: what other connections change arrives as "changed", within a second.
 */

typedef struct
{
  guint   n_emissions;
  char  **numbers;      /* of the last emission */
  gboolean full;        /* the last emission had no list */
} Changes;

static void
on_changed (PvStore  *store,
            char    **numbers,
            gpointer  user_data)
{
  Changes *changes = user_data;

  changes->n_emissions++;
  g_clear_pointer (&changes->numbers, g_strfreev);
  changes->numbers = g_strdupv (numbers);
  changes->full = numbers == NULL;
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;

  return G_SOURCE_REMOVE;
}

/* Iterates @context until a "changed" arrives or @timeout_ms have passed. */
static void
iterate_until_changed (GMainContext *context,
                       Changes      *changes,
                       guint         timeout_ms)
{
  g_autoptr(GSource) timeout = g_timeout_source_new (timeout_ms);
  guint before = changes->n_emissions;
  gboolean timed_out = FALSE;

  g_source_set_callback (timeout, set_flag, &timed_out, NULL);
  g_source_attach (timeout, context);

  while (!timed_out && changes->n_emissions == before)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (timeout);
}

typedef struct
{
  GMainContext *context;
  PvStore      *store;
  Changes       changes;
} Watcher;

static void
watcher_start (Watcher *watcher,
               Fixture *fixture)
{
  watcher->context = g_main_context_new ();
  watcher->store = open_store (fixture);
  g_signal_connect (watcher->store, "changed", G_CALLBACK (on_changed), &watcher->changes);

  g_main_context_push_thread_default (watcher->context);
  pv_store_watch (watcher->store);
  g_main_context_pop_thread_default (watcher->context);
}

static void
watcher_stop (Watcher *watcher)
{
  g_clear_object (&watcher->store);
  g_clear_pointer (&watcher->context, g_main_context_unref);
  g_clear_pointer (&watcher->changes.numbers, g_strfreev);
}

static void
test_watch_other_connection (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(PvStore) other = NULL;
  g_auto(PvSendClaim) claim = { 0 };
  Watcher watcher = { 0 };

  watcher_start (&watcher, fixture);
  other = open_store (fixture);

  g_assert_cmpint (claim_send (other, "+15552600001", NULL, FALSE, "d1", &claim), ==,
                   PV_SEND_GRANTED);
  iterate_until_changed (watcher.context, &watcher.changes, 1000);
  g_assert_cmpuint (watcher.changes.n_emissions, ==, 1);
  g_assert_false (watcher.changes.full);
  g_assert_cmpuint (g_strv_length (watcher.changes.numbers), ==, 1);
  g_assert_cmpstr (watcher.changes.numbers[0], ==, "+15552600001");

  /* Each change is news once. */
  iterate_until_changed (watcher.context, &watcher.changes, 1000);
  g_assert_cmpuint (watcher.changes.n_emissions, ==, 1);

  /* A deletion too. */
  g_assert_true (finish_send (other, &claim, PV_SEND_OUTCOME_REFUSED, NULL));
  iterate_until_changed (watcher.context, &watcher.changes, 1000);
  g_assert_cmpuint (watcher.changes.n_emissions, ==, 2);
  g_assert_cmpuint (g_strv_length (watcher.changes.numbers), ==, 1);
  g_assert_cmpstr (watcher.changes.numbers[0], ==, "+15552600001");

  watcher_stop (&watcher);
}

/* Iterates the watcher's context until its store is @online, for at most @timeout_ms. */
static gboolean
wait_for_online (Watcher  *watcher,
                 gboolean  online,
                 guint     timeout_ms)
{
  g_autoptr(GSource) timeout = g_timeout_source_new (timeout_ms);
  gboolean timed_out = FALSE;

  g_source_set_callback (timeout, set_flag, &timed_out, NULL);
  g_source_attach (timeout, watcher->context);

  while (!timed_out && pv_pg_store_get_online (PV_PG_STORE (watcher->store)) != online)
    g_main_context_iteration (watcher->context, TRUE);

  g_source_destroy (timeout);

  return pv_pg_store_get_online (PV_PG_STORE (watcher->store)) == online;
}

/* The server goes away mid-session and comes back: what was written stays, what is tried
 * meanwhile fails at once and applies nothing, and afterwards the store works and hears
 * other desks again, having told its watchers to reload. */
static void
test_postgresql_server_restart (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(PvStore) other = NULL;
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(PvAttempt) attempt = { 0 };
  g_auto(PvSendClaim) claim = { 0 };
  Watcher watcher = { 0 };

  watcher_start (&watcher, fixture);
  send_code (watcher.store, "+15552600001", "d1", "SM1");

  g_assert_true (pv_test_postgres_stop_server (postgres, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for_online (&watcher, FALSE, 10000));

  g_assert_false (pv_store_claim_attempt (watcher.store, "+15552600001", MAX_ATTEMPTS,
                                          &attempt, &error));
  g_assert_error (error, PV_STORE_ERROR, PV_STORE_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, "Reconnecting"));
  g_clear_error (&error);

  g_assert_true (pv_test_postgres_start_server (postgres, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for_online (&watcher, TRUE, 20000));
  /* Nothing was heard while away: watchers reload everything. */
  g_assert_cmpuint (watcher.changes.n_emissions, >=, 1);
  g_assert_true (watcher.changes.full);

  found = lookup (watcher.store, "+15552600001");
  g_assert_cmpstr (found->message_sid, ==, "SM1");
  g_assert_cmpuint (found->failed_attempts, ==, 0);

  g_assert_true (pv_store_claim_attempt (watcher.store, "+15552600001", MAX_ATTEMPTS,
                                         &attempt, &error));
  g_assert_no_error (error);
  g_assert_cmpint (attempt.verdict, ==, PV_ATTEMPT_GRANTED);
  g_assert_cmpuint (attempt.attempts_used, ==, 1);

  other = open_store (fixture);
  g_assert_cmpint (claim_send (other, "+15552600002", NULL, FALSE, "d2", &claim), ==,
                   PV_SEND_GRANTED);
  iterate_until_changed (watcher.context, &watcher.changes, 2000);
  g_assert_false (watcher.changes.full);
  g_assert_cmpstr (watcher.changes.numbers[0], ==, "+15552600002");

  watcher_stop (&watcher);
}

static void
test_watch_own_changes (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(PvStore) other = NULL;
  g_autoptr(GError) error = NULL;
  Watcher watcher = { 0 };

  watcher_start (&watcher, fixture);
  other = open_store (fixture);

  /* The watching store's own writes are not news to it... */
  send_code (watcher.store, "+15552600001", "d1", "SM1");
  g_assert_true (pv_store_delete_customer (watcher.store, "+15552600001", PV_EVENT_DELETED,
                                           NULL, &error));
  g_assert_no_error (error);
  iterate_until_changed (watcher.context, &watcher.changes, 1000);
  g_assert_cmpuint (watcher.changes.n_emissions, ==, 0);

  /* ...even mixed with another's, which alone are listed. */
  send_code (watcher.store, "+15552600002", "d2", "SM2");
  send_code (other, "+15552600003", "d3", "SM3");
  send_code (watcher.store, "+15552600004", "d4", "SM4");
  iterate_until_changed (watcher.context, &watcher.changes, 1000);
  g_assert_cmpuint (watcher.changes.n_emissions, ==, 1);
  g_assert_false (watcher.changes.full);
  g_assert_cmpuint (g_strv_length (watcher.changes.numbers), ==, 1);
  g_assert_cmpstr (watcher.changes.numbers[0], ==, "+15552600003");

  watcher_stop (&watcher);
}

/* Another tool writing the file logs nothing: anything may have changed. */
static void
test_watch_foreign_writer (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(PvCustomer) customer = NULL;
  Watcher watcher = { 0 };
  sqlite3 *db;

  watcher_start (&watcher, fixture);
  customer = insert_customer (watcher.store, "+15552600001", "Ada");
  iterate_until_changed (watcher.context, &watcher.changes, 1000);
  g_assert_cmpuint (watcher.changes.n_emissions, ==, 0);

  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  raw_exec (db, "UPDATE customers SET name = 'Ada Lovelace' WHERE number = '+15552600001'");
  sqlite3_close (db);

  iterate_until_changed (watcher.context, &watcher.changes, 1000);
  g_assert_cmpuint (watcher.changes.n_emissions, ==, 1);
  g_assert_true (watcher.changes.full);
  g_assert_null (watcher.changes.numbers);

  watcher_stop (&watcher);
}

/* ---------------------------------------------------------------------------------------------
 * Migration from schema version 1, as the first release wrote it.
 */

static const char schema_v1[] =
  "CREATE TABLE customers ("
  "  id INTEGER PRIMARY KEY,"
  "  number TEXT NOT NULL UNIQUE,"
  "  name TEXT,"
  "  status TEXT NOT NULL CHECK (status IN ('pending', 'verified')),"
  "  code_digest TEXT,"
  "  code_expires_at INTEGER,"
  "  failed_attempts INTEGER NOT NULL DEFAULT 0,"
  "  sends_in_window INTEGER NOT NULL DEFAULT 0,"
  "  send_window_started_at INTEGER,"
  "  last_sent_at INTEGER,"
  "  message_sid TEXT,"
  "  delivery_status TEXT,"
  "  delivery_error_code INTEGER,"
  "  created_at INTEGER NOT NULL,"
  "  verified_at INTEGER,"
  "  updated_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX customers_name ON customers (name COLLATE NOCASE, number);"
  "CREATE INDEX customers_status ON customers (status, number);"
  "CREATE INDEX customers_updated ON customers (updated_at);"
  "CREATE INDEX customers_created ON customers (created_at);"
  "CREATE TABLE events ("
  "  id INTEGER PRIMARY KEY,"
  "  customer_id INTEGER REFERENCES customers (id) ON DELETE SET NULL,"
  "  number TEXT NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  detail TEXT,"
  "  time INTEGER NOT NULL"
  ");"
  "CREATE INDEX events_number ON events (number, time);"
  "CREATE INDEX events_customer ON events (customer_id, time);"
  "CREATE VIRTUAL TABLE customers_search USING fts5 ("
  "  number, name, content='customers', content_rowid='id', tokenize='trigram'"
  ");"
  "CREATE TRIGGER customers_search_insert AFTER INSERT ON customers BEGIN"
  "  INSERT INTO customers_search (rowid, number, name) VALUES (new.id, new.number, new.name);"
  "END;"
  "CREATE TRIGGER customers_search_delete AFTER DELETE ON customers BEGIN"
  "  INSERT INTO customers_search (customers_search, rowid, number, name)"
  "    VALUES ('delete', old.id, old.number, old.name);"
  "END;"
  "CREATE TRIGGER customers_search_update AFTER UPDATE OF number, name ON customers"
  "  WHEN old.number IS NOT new.number OR old.name IS NOT new.name BEGIN"
  "  INSERT INTO customers_search (customers_search, rowid, number, name)"
  "    VALUES ('delete', old.id, old.number, old.name);"
  "  INSERT INTO customers_search (rowid, number, name) VALUES (new.id, new.number, new.name);"
  "END;"
  "PRAGMA user_version = 1;";

static void
test_open_migrate_v1 (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(PvStore) store = NULL;
  g_autoptr(PvCustomer) sent = NULL;
  g_autoptr(PvCustomer) never = NULL;
  g_autoptr(PvCustomer) verified = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_auto(PvSendClaim) claim = { 0 };
  g_autoptr(GError) error = NULL;
  guint n;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  raw_exec (db, schema_v1);
  raw_exec (db, "INSERT INTO customers (number, name, status, code_digest, code_expires_at, "
                "failed_attempts, sends_in_window, send_window_started_at, last_sent_at, "
                "message_sid, delivery_status, created_at, updated_at) VALUES "
                "('+15552600001', 'Ada Sent', 'pending', 'd1', 1767226200, 1, 1, 1767225600, "
                "1767225600, 'SM1', 'delivered', 1767225600, 1767225600);"
                "INSERT INTO customers (number, name, status, created_at, updated_at) VALUES "
                "('+15552600002', 'Never Sent', 'pending', 1767225600, 1767225600);"
                "INSERT INTO customers (number, status, message_sid, created_at, verified_at, "
                "updated_at) VALUES ('+15552600003', 'verified', 'SM3', 1767225000, "
                "1767225100, 1767225100);"
                "INSERT INTO customers (number, name, status, created_at, updated_at) VALUES "
                "('+15552600004', 'Zoë Müller', 'pending', 1767225600, 1767225600);"
                "INSERT INTO events (customer_id, number, kind, detail, time) VALUES "
                "(1, '+15552600001', 'code-sent', 'SM1', 1767225600);");
  sqlite3_close (db);

  store = open_store (fixture);
  g_assert_cmpint (pv_sqlite_store_get_schema_version (PV_SQLITE_STORE (store)), ==, 7);
  g_assert_cmpint (PV_STORE_SCHEMA_VERSION, ==, 7);
  /* Version 5 counted the customers already there. */
  g_assert_true (pv_store_count_customers (store, NULL, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 4);

  /* A customer whose text went out was sent; one that never had a text has no send state. */
  sent = lookup (store, "+15552600001");
  g_assert_cmpint (sent->send_state, ==, PV_SEND_STATE_SENT);
  g_assert_cmpint (sent->send_id, ==, 0);
  g_assert_null (sent->send_owner);
  g_assert_cmpstr (sent->code_digest, ==, "d1");
  g_assert_cmpuint (sent->failed_attempts, ==, 1);
  g_assert_cmpstr (sent->delivery_status, ==, "delivered");
  /* Version 6: what was sent before calls existed was a text, and its code has no seed. */
  g_assert_cmpint (sent->channel, ==, PV_CHANNEL_SMS);
  g_assert_null (sent->code_seed);
  g_assert_null (sent->language);
  events = list_events (store, "+15552600001");
  g_assert_cmpint (((PvEvent *) g_ptr_array_index (events, 0))->channel, ==, PV_CHANNEL_SMS);
  never = lookup (store, "+15552600002");
  g_assert_cmpint (never->send_state, ==, PV_SEND_STATE_NONE);
  g_assert_cmpint (never->channel, ==, PV_CHANNEL_NONE);
  g_assert_cmpint (never->send_id, ==, 0);
  verified = lookup (store, "+15552600003");
  g_assert_cmpint (verified->send_state, ==, PV_SEND_STATE_SENT);
  g_assert_cmpint (verified->status, ==, PV_CUSTOMER_STATUS_VERIFIED);
  g_assert_cmpuint (count_events (store, "+15552600001"), ==, 1);

  /* Search and the intents work on the old rows. */
  g_assert_true (pv_store_count_customers (store, "Ada Sent", &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  /* Version 3 indexed the names already there, folded, and version 4 their numbers'
   * starts, with and without the calling code. */
  g_assert_cmpuint (count_matches (store, "Muller"), ==, 1);
  g_assert_cmpuint (count_matches (store, "55"), ==, 4);
  g_assert_cmpuint (count_matches (store, "+1"), ==, 4);
  g_assert_cmpuint (count_matches (store, "+5"), ==, 0);
  g_assert_true (record_delivery (store, "+15552600001", "SM1", "read", 0));
  pv_clock_advance (fixture->clock, COOLDOWN);
  /* A live code without a seed cannot be sent again: a new one takes its place. */
  g_assert_cmpint (claim_send_again (store, "+15552600001", PV_CHANNEL_CALL, "d2", &claim), ==,
                   PV_SEND_GRANTED);
  g_assert_false (claim.kept_code);
  g_assert_cmpstr (claim.customer->code_digest, ==, "d2");
  g_assert_cmpint (claim.customer->send_id, ==, 1);
  g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_SENT, "SM2"));
  g_clear_object (&store);

  db = open_raw (fixture->path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, 7);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM sqlite_schema WHERE name = 'changes'"),
                   ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM sqlite_schema "
                                "WHERE name = 'customers_words'"), ==, 1);
  g_assert_cmpint (raw_int (db, "SELECT n FROM customer_count"), ==, 4);
  sqlite3_close (db);

  /* Opened again, nothing is migrated twice. */
  store = open_store (fixture);
  g_assert_cmpint (pv_sqlite_store_get_schema_version (PV_SQLITE_STORE (store)), ==, 7);
  g_clear_pointer (&sent, pv_customer_free);
  sent = lookup (store, "+15552600001");
  g_assert_cmpstr (sent->message_sid, ==, "SM2");
  g_assert_cmpint (sent->send_id, ==, 1);
}

/* The shared database's version 3 keeps the number of customers in a row of its own: a
 * database of version 2 with customers in it starts from their count, and the triggers
 * follow every insert, delete and import from then on. */
static void
test_postgresql_migrate_v2 (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *kept = NULL;
  static const char *numbers[] = { "+14155550101", "+14155550102", "+14155550103" };

  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    pv_customer_free (insert_customer (store, numbers[i], "Ada"));
  g_clear_object (&store);

  /* Back to version 2, as a desk of the last release left it. */
  g_free (pv_test_postgres_query (fixture->uri,
                                  "DROP TRIGGER customers_count_added ON customers;"
                                  "DROP TRIGGER customers_count_removed ON customers;"
                                  "DROP TRIGGER customers_count_emptied ON customers;"
                                  "DROP FUNCTION pv_count_added (), pv_count_removed (),"
                                  "  pv_count_emptied ();"
                                  "DROP TABLE customer_count;"
                                  "UPDATE pv_schema SET version = 2;"));

  store = open_store (fixture);
  version = pv_test_postgres_query (fixture->uri, "SELECT version FROM pv_schema");
  g_assert_cmpstr (version, ==, "3");
  g_assert_cmpuint (count_customers (store), ==, 3);

  pv_customer_free (insert_customer (store, "+14155550104", "Grace"));
  g_assert_cmpuint (count_customers (store), ==, 4);
  g_assert_true (pv_store_delete_customer (store, numbers[0], PV_EVENT_DELETED, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_customers (store), ==, 3);

  /* The count is the table's, whoever writes to it. */
  g_free (pv_test_postgres_query (fixture->uri,
                                  "DELETE FROM customers WHERE number = '+14155550102'"));
  g_assert_cmpuint (count_customers (store), ==, 2);
  kept = pv_test_postgres_query (fixture->uri, "SELECT n FROM customer_count");
  g_assert_cmpstr (kept, ==, "2");
  g_free (pv_test_postgres_query (fixture->uri, "TRUNCATE customers CASCADE"));
  g_assert_cmpuint (count_customers (store), ==, 0);
}

/* Version 7 widened the channel's check for codes the customer texts us: a database of
 * version 6 keeps every send's channel, and takes the new one. */
static void
test_open_migrate_v6 (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) called = NULL;
  g_autoptr(PvCustomer) texted = NULL;
  g_auto(PvSendClaim) claim = { 0 };
  g_auto(PvAttempt) attempt = { 0 };
  sqlite3 *db;

  g_assert_cmpint (claim_send (store, "+15552700001", "Called", FALSE, "d1", &claim), ==,
                   PV_SEND_GRANTED);
  g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_SENT, "CA1"));
  pv_send_claim_clear (&claim);
  g_clear_object (&store);

  /* Back to version 6's shape: the same column with the old check. */
  db = open_raw (fixture->path);
  raw_exec (db, "UPDATE customers SET channel = 'call';"
                "ALTER TABLE customers RENAME COLUMN channel TO channel_7;"
                "ALTER TABLE customers ADD COLUMN channel TEXT CHECK (channel IN ('sms', 'call'));"
                "UPDATE customers SET channel = channel_7;"
                "ALTER TABLE customers DROP COLUMN channel_7;"
                "INSERT INTO customers (number, status, channel, code_digest, code_expires_at, "
                "last_sent_at, send_state, created_at, updated_at) VALUES "
                "('+15552700002', 'pending', 'sms', 'd2', 1767229200, 1767225600, 'sent', "
                "1767225600, 1767225600);"
                "PRAGMA user_version = 6;");
  g_assert_cmpint (sqlite3_exec (db, "UPDATE customers SET channel = 'inbound'", NULL, NULL,
                                 NULL), ==, SQLITE_CONSTRAINT);
  sqlite3_close (db);

  store = open_store (fixture);
  g_assert_cmpint (pv_sqlite_store_get_schema_version (PV_SQLITE_STORE (store)), ==, 7);
  called = lookup (store, "+15552700001");
  g_assert_cmpint (called->channel, ==, PV_CHANNEL_CALL);
  g_assert_cmpstr (called->name, ==, "Called");
  texted = lookup (store, "+15552700002");
  g_assert_cmpint (texted->channel, ==, PV_CHANNEL_SMS);

  /* The attempt says how the code went out. */
  g_assert_cmpint (claim_attempt (store, "+15552700001", &attempt), ==, PV_ATTEMPT_GRANTED);
  g_assert_cmpint (attempt.channel, ==, PV_CHANNEL_CALL);
  g_clear_object (&store);

  db = open_raw (fixture->path);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, 7);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE customers SET channel = 'inbound' "
                                     "WHERE number = '+15552700002'", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE customers SET channel = 'fax'", NULL, NULL, NULL),
                   ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM pragma_table_info ('customers') "
                                "WHERE name LIKE '%channel%'"), ==, 1);
  sqlite3_close (db);
}

/* A code the customer is to text us is claimed like any other, and an attempt on it says
 * so, so that a code staff can see is never accepted as typed in. */
static void
test_claim_send_inbound (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(PvCustomer) customer = NULL;
  g_auto(PvSendClaim) claim = { 0 };
  g_auto(PvAttempt) attempt = { 0 };
  PvSendRequest request = send_request ("+15552700003", "Ada", FALSE, "d1");

  request.channel = PV_CHANNEL_INBOUND;
  g_assert_true (pv_store_claim_send (store, &request, &claim, &error));
  g_assert_no_error (error);
  g_assert_cmpint (claim.verdict, ==, PV_SEND_GRANTED);
  g_assert_cmpint (claim.customer->channel, ==, PV_CHANNEL_INBOUND);
  g_assert_true (finish_send (store, &claim, PV_SEND_OUTCOME_SENT, NULL));

  customer = lookup (store, "+15552700003");
  g_assert_cmpint (customer->channel, ==, PV_CHANNEL_INBOUND);
  g_assert_cmpint (customer->send_state, ==, PV_SEND_STATE_SENT);
  g_assert_cmpint (claim_attempt (store, "+15552700003", &attempt), ==, PV_ATTEMPT_GRANTED);
  g_assert_cmpint (attempt.channel, ==, PV_CHANNEL_INBOUND);
  g_assert_cmpstr (attempt.code_digest, ==, "d1");
}

/* The Customers list reads on workers through a connection of its own; the verifier's
 * lookups and writes on the main thread go through the other. Neither waits for the other:
 * a search of a quarter of a second must not freeze the window, nor a write the list. */
static gpointer
count_in_thread (gpointer user_data)
{
  PvStore *store = user_data;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  g_assert_true (pv_store_count_customers (store, "Ada", &n, &error));
  g_assert_no_error (error);

  return GUINT_TO_POINTER (n);
}

static void
test_reads_beside_writes (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  PvSqliteStore *self = PV_SQLITE_STORE (store);
  g_autoptr(PvCustomer) ada = insert_customer (store, "+15552600001", "Ada Lovelace");
  g_autoptr(PvCustomer) found = NULL;
  g_autoptr(PvCustomer) grace = NULL;
  GThread *thread;

  /* A write transaction open on the writing connection, its lock held: the count on a
   * worker still answers, from the last committed state. */
  g_mutex_lock (&self->mutex);
  g_assert_cmpint (sqlite3_exec (self->db, "BEGIN IMMEDIATE;"
                                 "UPDATE customers SET name = 'Ada King' WHERE id = 1;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  thread = g_thread_new ("count", count_in_thread, store);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (thread)), ==, 1);
  g_assert_cmpint (sqlite3_exec (self->db, "ROLLBACK;", NULL, NULL, NULL), ==, SQLITE_OK);
  g_mutex_unlock (&self->mutex);

  /* And the reading connection's lock held, as by a worker in the middle of a long search:
   * lookups and writes go ahead. (Were they to take that lock, this would never return.) */
  g_mutex_lock (&self->read_mutex);
  found = lookup (store, "+15552600001");
  g_assert_cmpstr (found->name, ==, "Ada Lovelace");
  grace = insert_customer (store, "+15552600002", "Grace Hopper");
  g_assert_nonnull (grace);
  g_mutex_unlock (&self->read_mutex);
}

/* The index of numbers' starts is kept by triggers, and worked out again to delete a
 * number from it: a deleted customer is not found, nor one that was never there. */
static void
test_short_digits_follow_changes (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvCustomer) ada = insert_customer (store, "+14155550100", "Ada Lovelace");
  g_autoptr(PvCustomer) mary = insert_customer (store, "+442079460000", "Mary Somerville");
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (count_matches (store, "41"), ==, 1);     /* (415) */
  g_assert_cmpuint (count_matches (store, "1"), ==, 1);      /* +1 */
  g_assert_cmpuint (count_matches (store, "20"), ==, 1);     /* +44 20 */
  g_assert_cmpuint (count_matches (store, "4"), ==, 2);      /* (415) and +44 */
  g_assert_cmpuint (count_matches (store, "+4"), ==, 1);
  g_assert_cmpuint (count_matches (store, "55"), ==, 0);     /* only in the middle */

  g_assert_true (pv_store_delete_customer (store, ada->number, PV_EVENT_DELETED, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_matches (store, "41"), ==, 0);
  g_assert_cmpuint (count_matches (store, "4"), ==, 1);
  g_assert_cmpuint (count_matches (store, "20"), ==, 1);
}

/* Walks of a broad words search test each row's name with FTS5's tokenizer, from the start;
 * deep offsets test the ids the words' index gave. Both must find the same customers: the
 * pages that reach 2,000 one after the other and the page at offset 2,000 agree, and the
 * estimate is close to the count. Names in several scripts, cases and accents, most with a
 * word starting with "a", so that the estimate is taken. */
static void
test_search_estimated_words (Fixture       *fixture,
                             gconstpointer  data)
{
  const char * const names[] = {
    "Ángel Álvarez", "ana", "ANDRÉ Bâ", "Zoë Ærø", "Mária Ávila", "O'Brien Adams",
    "Jean-Luc Arnaud", "Ольга Андреева", "Ada Lovelace", "Anaïs Nin", "Ärzte Ohne", NULL,
  };
  const char * const searches[] = { "a", "an", "Án", "AL", "a b", "ang ál", "ан", "ar" };
  g_autoptr(PvStore) store = open_store (fixture);
  sqlite3 *db = open_raw (fixture->path);
  sqlite3_stmt *insert = NULL;
  guint n_estimated = 0;

  raw_exec (db, "BEGIN");
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO customers (number, name, status, "
                                           "created_at, updated_at) VALUES (?1, ?2, 'pending', "
                                           "?3, ?3)", -1, &insert, NULL), ==, SQLITE_OK);
  /* Three in four names have a word starting with "a": 54,000 of them, past the 50,000
   * after which the store estimates. */
  for (guint i = 0; i < 72000; i++)
    {
      g_autofree char *number = g_strdup_printf ("+1555%07u", i);

      sqlite3_bind_text (insert, 1, number, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 2, names[i % G_N_ELEMENTS (names)], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (insert, 3, 1767225600 + (i * 7919) % 72000);
      g_assert_cmpint (sqlite3_step (insert), ==, SQLITE_DONE);
      sqlite3_reset (insert);
    }
  sqlite3_finalize (insert);
  raw_exec (db, "COMMIT");
  sqlite3_close (db);

  for (guint i = 0; i < G_N_ELEMENTS (searches); i++)
    for (PvStoreSort sort = PV_STORE_SORT_NAME; sort <= PV_STORE_SORT_LAST_ACTIVITY; sort += 2)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) walked = g_ptr_array_new_with_free_func ((GDestroyNotify) pv_customer_free);
        g_autoptr(GPtrArray) deep = NULL;
        guint counted, estimated;
        gboolean exact;

        g_assert_true (pv_store_count_customers (store, "zq", &counted, &error));
        g_assert_true (pv_store_estimate_customers (store, searches[i], &estimated, &exact,
                                                    &error));
        /* Page after page from the start, each from the last customer of the one before. */
        while (walked->len < 2100)
          {
            g_autoptr(GPtrArray) page = NULL;

            if (walked->len == 0)
              page = pv_store_list_customers (store, searches[i], sort, TRUE, 0, 300, &error);
            else
              page = pv_store_list_customers_following (store, searches[i], sort, TRUE,
                                                        g_ptr_array_index (walked,
                                                                           walked->len - 1),
                                                        300, &error);
            g_assert_no_error (error);
            if (page->len == 0)
              break;
            g_ptr_array_extend_and_steal (walked, g_steal_pointer (&page));
          }

        g_assert_true (pv_store_count_customers (store, searches[i], &counted, &error));
        g_assert_no_error (error);
        g_test_message ("“%s”: %u counted, %s %u", searches[i], counted,
                        exact ? "exactly" : "about", estimated);
        if (exact)
          g_assert_cmpuint (estimated, ==, counted);
        else
          g_assert_cmpfloat (ABS ((double) estimated - counted), <=, 0.05 * counted);
        n_estimated += !exact;

        deep = pv_store_list_customers (store, searches[i], sort, TRUE, 2000, 100, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (walked->len, ==, MIN (counted, 2100));
        for (guint j = 0; j < deep->len; j++)
          g_assert_cmpint (((PvCustomer *) g_ptr_array_index (deep, j))->id, ==,
                           ((PvCustomer *) g_ptr_array_index (walked, 2000 + j))->id);
      }

  /* "a", in both orders. */
  g_assert_cmpuint (n_estimated, >=, 2);
}

static char *
leading_names (PvStore    *store,
             const char *search)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = pv_store_list_customers (store, search, PV_STORE_SORT_NAME, FALSE,
                                                       0, 3, &error);
  GString *names = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < page->len; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ", " : "",
                            ((PvCustomer *) g_ptr_array_index (page, i))->name);

  return g_string_free (names, FALSE);
}

/* A search's pages test the matches its count loaded: a write by another process between
 * two pages, or between a count and a page, must show in the next one. */
static void
test_search_pages_follow_writes (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(PvStore) store = open_store (fixture);
  g_autoptr(PvStore) other_desk = open_store (fixture);
  g_autoptr(PvCustomer) early = NULL;
  g_autoptr(GError) error = NULL;
  char *names;

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *number = g_strdup_printf ("+1415555%04u", i);
      g_autofree char *name = g_strdup_printf ("Anna %02u", i);

      pv_customer_free (insert_customer (store, number, name));
    }
  pv_customer_free (insert_customer (store, "+14155559999", "Bob"));

  g_assert_cmpuint (count_matches (store, "anna"), ==, 20);
  names = leading_names (store, "anna");
  g_assert_cmpstr (names, ==, "Anna 00, Anna 01, Anna 02");
  g_free (names);

  early = insert_customer (other_desk, "+14155558888", "Anna 000");
  names = leading_names (store, "anna");
  g_assert_cmpstr (names, ==, "Anna 00, Anna 000, Anna 01");
  g_free (names);
  g_assert_cmpuint (count_matches (store, "anna"), ==, 21);

  g_assert_true (pv_store_delete_customer (other_desk, "+14155550000", PV_EVENT_DELETED, NULL,
                                           &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_matches (store, "anna"), ==, 20);
  names = leading_names (store, "anna");
  g_assert_cmpstr (names, ==, "Anna 000, Anna 01, Anna 02");
  g_free (names);

  /* Another search in between, then this one again: its own matches, not the other's. */
  g_assert_cmpuint (count_matches (store, "bob"), ==, 1);
  names = leading_names (store, "anna");
  g_assert_cmpstr (names, ==, "Anna 000, Anna 01, Anna 02");
  g_free (names);
}

/* Adds @path on SQLite, and as /store/postgresql/… on PostgreSQL when there is a server. */
static void
add_on_both_backends (const char *path,
                      void      (*func) (Fixture *, gconstpointer))
{
  g_autofree char *on_postgres = NULL;

  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);

  if (postgres == NULL)
    return;

  g_assert_true (g_str_has_prefix (path, "/store/"));
  on_postgres = g_strconcat ("/store/" POSTGRESQL, path + strlen ("/store"), NULL);
  g_test_add (on_postgres, Fixture, POSTGRESQL, fixture_set_up, func, fixture_tear_down);
}

int
main (int   argc,
      char *argv[])
{
  int result;

  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  postgres = pv_test_postgres_start (&error);
  if (postgres == NULL)
    {
      g_autofree char *reason = g_strdup_printf ("No PostgreSQL server to test on: %s",
                                                 error->message);

      g_test_add_data_func_full ("/store/" POSTGRESQL "/server", g_steal_pointer (&reason),
                                 (GTestDataFunc) g_test_skip, g_free);
    }

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
#define ADD_BOTH(path, func) add_on_both_backends (path, func)

  g_test_add_func ("/store/customer/strings", test_strings);
  g_test_add_func ("/store/customer/boxed-copy", test_boxed_copy);
  ADD_TEST ("/store/open/fresh", test_open_fresh);
  ADD_TEST ("/store/reads-beside-writes", test_reads_beside_writes);
  ADD_BOTH ("/store/short-digits-follow-changes", test_short_digits_follow_changes);
  ADD_TEST ("/store/search-pages-follow-writes", test_search_pages_follow_writes);
  ADD_TEST ("/store/search-estimated-words", test_search_estimated_words);
  g_test_add_func ("/store/open/default-path", test_open_default_path);
  ADD_TEST ("/store/open/reopen", test_open_reopen);
  ADD_TEST ("/store/open/too-new", test_open_too_new);
  ADD_TEST ("/store/open/not-a-database", test_open_garbage);
  ADD_TEST ("/store/open/unusable-directory", test_open_unusable_directory);
  ADD_TEST ("/store/open/failed-migration", test_open_failed_migration);
  ADD_TEST ("/store/failure/path-is-folder", test_failure_path_is_folder);
  ADD_TEST ("/store/failure/damaged-at-open", test_failure_damaged_at_open);
  ADD_TEST ("/store/failure/damaged-at-read", test_failure_damaged_at_read);
  ADD_TEST ("/store/failure/damaged-rows", test_failure_damaged_rows);
  ADD_TEST ("/store/failure/busy", test_failure_busy);
  ADD_TEST ("/store/failure/out-of-memory", test_failure_out_of_memory);
  ADD_TEST ("/store/failure/read-only-file", test_failure_read_only_file);
  ADD_TEST ("/store/failure/read-only-folder", test_failure_read_only_folder);
  ADD_TEST ("/store/failure/not-allowed", test_failure_not_allowed);
  ADD_TEST ("/store/failure/read-only-disk", test_failure_read_only_disk);
  ADD_TEST ("/store/failure/disk-full-at-open", test_failure_disk_full_at_open);
  ADD_TEST ("/store/failure/disk-full-at-write", test_failure_disk_full_at_write);
  g_test_add_func ("/store/failure/table", test_failure_table);
  ADD_TEST ("/store/customer/round-trip", test_round_trip);
  ADD_BOTH ("/store/customer/lookup-missing", test_lookup_missing);
  ADD_BOTH ("/store/customer/insert-duplicate", test_insert_duplicate);
  ADD_BOTH ("/store/customer/missing-rows", test_missing_rows);
  ADD_BOTH ("/store/customer/update", test_update);
  ADD_TEST ("/store/customer/update-number-taken", test_update_number_taken);
  ADD_TEST ("/store/events/history", test_events_history);
  ADD_TEST ("/store/transaction/rollback", test_transaction_rollback);
  g_test_add_func ("/store/list/pages", test_list_pages);
  g_test_add_func ("/store/list/jumps", test_list_jumps);
  g_test_add ("/store/list/jumps-follow-writes", Fixture, NULL, fixture_set_up,
              test_list_jumps_follow_writes, fixture_tear_down);
  g_test_add_func ("/store/list/search", test_search);
  g_test_add_func ("/store/list/search-sorted", test_search_sorted);
  g_test_add_func ("/store/list/after", test_list_after);
  if (postgres != NULL)
    {
      g_test_add_data_func ("/store/postgresql/list/search", test_search, test_on_postgresql);
      g_test_add_data_func ("/store/postgresql/list/search-sorted", test_search_sorted,
                            test_on_postgresql);
      g_test_add_data_func ("/store/postgresql/list/after", test_list_after,
                            test_on_postgresql);
    }
  ADD_BOTH ("/store/list/after-stable", test_list_after_stable_under_inserts);
  ADD_BOTH ("/store/threads", test_threads);
  ADD_TEST ("/store/open/migrate-v1", test_open_migrate_v1);
  ADD_TEST ("/store/open/migrate-v6", test_open_migrate_v6);
  ADD_BOTH ("/store/send/claim-new", test_claim_send_new);
  ADD_BOTH ("/store/send/claim-inbound", test_claim_send_inbound);
  ADD_BOTH ("/store/send/claim-live-code", test_claim_send_live_code);
  ADD_BOTH ("/store/send/claim-in-flight", test_claim_send_in_flight);
  ADD_BOTH ("/store/send/claim-stale-in-flight", test_claim_send_stale_in_flight);
  ADD_BOTH ("/store/send/claim-cooldown", test_claim_send_cooldown);
  ADD_BOTH ("/store/send/keeps-live-code", test_claim_send_keeps_live_code);
  ADD_BOTH ("/store/send/again-after-expiry", test_claim_send_again_after_expiry);
  ADD_BOTH ("/store/send/again-refused", test_claim_send_again_refused);
  ADD_BOTH ("/store/customer/language", test_set_customer_language);
  ADD_BOTH ("/store/send/claim-hourly-limit", test_claim_send_hourly_limit);
  ADD_BOTH ("/store/send/claim-verified", test_claim_send_verified);
  ADD_BOTH ("/store/send/claim-resend-unknown", test_claim_send_resend_unknown);
  ADD_BOTH ("/store/send/claim-name", test_claim_send_name);
  ADD_BOTH ("/store/send/finish-sent", test_finish_send_sent);
  ADD_BOTH ("/store/send/finish-stale", test_finish_send_stale);
  ADD_BOTH ("/store/send/finish-unknown", test_finish_send_unknown);
  ADD_BOTH ("/store/send/finish-refused-created", test_finish_send_refused_created);
  ADD_BOTH ("/store/send/finish-after-recreate", test_finish_send_after_recreate);
  ADD_TEST ("/store/send/finish-refused-known", test_finish_send_refused_known);
  ADD_BOTH ("/store/send/abandon", test_abandon_send);
  ADD_BOTH ("/store/send/list-in-flight", test_list_sends_in_flight);
  ADD_BOTH ("/store/attempt/counts", test_claim_attempt_counts);
  ADD_BOTH ("/store/attempt/expired", test_claim_attempt_expired);
  ADD_BOTH ("/store/attempt/not-found", test_claim_attempt_not_found);
  ADD_BOTH ("/store/attempt/verified", test_claim_attempt_verified);
  ADD_BOTH ("/store/attempt/record-failed", test_record_failed_attempt);
  ADD_BOTH ("/store/verify/compare-and-set", test_mark_verified);
  ADD_BOTH ("/store/verify/replaced-code", test_mark_verified_replaced_code);
  ADD_BOTH ("/store/verify/by-text", test_mark_verified_by_text);
  ADD_BOTH ("/store/delivery/current-message", test_record_delivery);
  ADD_BOTH ("/store/rename", test_rename_customer);
  ADD_BOTH ("/store/concurrency/attempts", test_concurrent_attempts);
  ADD_BOTH ("/store/concurrency/sends", test_concurrent_sends);
  ADD_BOTH ("/store/watch/other-connection", test_watch_other_connection);
  ADD_BOTH ("/store/watch/own-changes", test_watch_own_changes);
  ADD_TEST ("/store/watch/foreign-writer", test_watch_foreign_writer);
  if (postgres != NULL)
    {
      g_test_add ("/store/" POSTGRESQL "/server-restart", Fixture, POSTGRESQL, fixture_set_up,
                  test_postgresql_server_restart, fixture_tear_down);
      g_test_add ("/store/" POSTGRESQL "/open/migrate-v2", Fixture, POSTGRESQL, fixture_set_up,
                  test_postgresql_migrate_v2, fixture_tear_down);
    }

#undef ADD_TEST

  result = g_test_run ();
  free_large_data_set ();
  g_clear_pointer (&postgres, pv_test_postgres_free);

  return result;
}
