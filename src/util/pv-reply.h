/* pv-reply.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a text a customer sent the office says. */
typedef enum
{
  PV_REPLY_OTHER,    /* anything else: no code in it */
  PV_REPLY_CODE,     /* a code, alone or after "PV", "YES" and the like */
  PV_REPLY_OPT_OUT,  /* STOP and its like: Twilio stops texting them until START */
  PV_REPLY_OPT_IN,   /* START, YES or UNSTOP alone */
  PV_REPLY_HELP,     /* HELP or INFO alone */
} PvReplyKind;

PvReplyKind pv_reply_read (const char  *body,
                           char       **code);

G_END_DECLS
