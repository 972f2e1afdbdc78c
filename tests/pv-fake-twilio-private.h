/* pv-fake-twilio-private.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "pv-fake-twilio.h"

G_BEGIN_DECLS

/* Shared by the parts of the fake: messages and accounts in pv-fake-twilio.c, calls and
 * Lookup in pv-fake-twilio-calls.c. */

#define API_VERSION     "2010-04-01"
#define ACCOUNTS_PREFIX "/" API_VERSION "/Accounts/"
#define ERROR_DOCS_URL  "https://www.twilio.com/docs/errors/"

typedef struct
{
  guint       status;
  const char *content_type;
  char       *body;
  gsize       length;
  gboolean    challenge;  /* add WWW-Authenticate */
} Reply;

struct _PvFakeTwilio
{
  GObject            parent_instance;

  SoupServer        *server;
  GMainContext      *context;

  char              *account_sid;
  char              *auth_token;
  char              *messaging_service_sid;
  GDateTime         *account_created;
  GHashTable        *api_keys;             /* key SID → secret */
  gboolean           trial;
  GHashTable        *verified_recipients;  /* set of numbers */

  PvFakeTwilioFault  fault;
  PvFakeTwilioFault  create_fault;
  int                create_fault_left;    /* -1 for every create */
  guint              slow_delay_ms;
  guint              delivery_step_ms;
  GHashTable        *outcomes;             /* To → Outcome */
  GHashTable        *create_errors;        /* To → GINT_TO_POINTER (Twilio code) */

  GPtrArray         *requests;             /* PvFakeTwilioRequest* */
  GPtrArray         *messages;             /* StoredMessage*, oldest first */
  GPtrArray         *inbound;              /* StoredMessage* customers sent, oldest first */
  GHashTable        *messages_by_sid;      /* SID → StoredMessage*, borrowed from messages
                                            * and inbound */
  GPtrArray         *slow_replies;         /* SlowReply* */

  /* pv-fake-twilio-calls.c */
  GHashTable        *call_outcomes;        /* To → CallOutcome */
  GPtrArray         *calls;                /* StoredCall*, oldest first */
  GHashTable        *calls_by_sid;         /* SID → StoredCall*, borrowed from calls */
  GHashTable        *line_types;           /* number → line type */
  GHashTable        *invalid_numbers;      /* number → validation error */
};

char     *pv_fake_random_hex          (const char  *prefix);
gboolean  pv_fake_is_sid              (const char  *text,
                                       const char  *prefix);
gboolean  pv_fake_is_e164             (const char  *text);
gboolean  pv_fake_is_blank            (const char  *text);
void      pv_fake_reply_take_builder  (Reply       *reply,
                                       guint        status,
                                       JsonBuilder *builder);
void      pv_fake_reply_error         (Reply       *reply,
                                       guint        status,
                                       int          code,
                                       const char  *message);
void      pv_fake_reply_not_found     (Reply       *reply,
                                       const char  *path);
void      pv_fake_add_string_or_null  (JsonBuilder *builder,
                                       const char  *name,
                                       const char  *value);
void      pv_fake_add_date_or_null    (JsonBuilder *builder,
                                       const char  *name,
                                       GDateTime   *time);

/* pv-fake-twilio-calls.c */
void      pv_fake_twilio_init_calls     (PvFakeTwilio *self);
void      pv_fake_twilio_finalize_calls (PvFakeTwilio *self);
void      pv_fake_twilio_clear_calls    (PvFakeTwilio *self);
void      pv_fake_twilio_create_call    (PvFakeTwilio *self,
                                         GHashTable   *form,
                                         Reply        *reply);
/* Returns: %FALSE when there is no call @call_sid (nothing is replied then). */
gboolean  pv_fake_twilio_reply_call     (PvFakeTwilio *self,
                                         const char   *call_sid,
                                         gboolean      notifications,
                                         Reply        *reply);
void      pv_fake_twilio_reply_lookup   (PvFakeTwilio *self,
                                         const char   *number,
                                         GHashTable   *query,
                                         Reply        *reply);

G_END_DECLS
