/* pv-sms-encoding.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  PV_SMS_ENCODING_GSM7,
  PV_SMS_ENCODING_UCS2,
} PvSmsEncoding;

/* Units per segment: a message that fits one segment has all of it, one that does not is
 * split into segments that each give up some units to the header that joins them. */
#define PV_SMS_GSM7_SINGLE_UNITS 160
#define PV_SMS_GSM7_MULTI_UNITS  153
#define PV_SMS_UCS2_SINGLE_UNITS 70
#define PV_SMS_UCS2_MULTI_UNITS  67

typedef struct
{
  PvSmsEncoding encoding;
  guint         n_units;        /* septets for GSM-7 (extension chars count 2), UTF-16 code
                                 * units for UCS-2 */
  guint         n_segments;
  guint         units_left;     /* in the last segment */
  gunichar      first_non_gsm;  /* 0 when GSM-7 */
} PvSmsLength;

void pv_sms_length_measure (const char  *text,
                            PvSmsLength *length);

G_END_DECLS
