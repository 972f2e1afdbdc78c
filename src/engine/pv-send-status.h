/* pv-send-status.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pv-customer.h"

G_BEGIN_DECLS

typedef enum
{
  PV_SEND_STATUS_UNDER_WAY,   /* nothing to do yet */
  PV_SEND_STATUS_DONE,        /* delivered, or the call read the code out */
  PV_SEND_STATUS_FAILED,      /* the customer did not get the code this way */
} PvSendStatusTone;

char *pv_send_status_describe (PvChannel          channel,
                               const char        *status,
                               int                error_code,
                               PvSendStatusTone  *tone);

G_END_DECLS
