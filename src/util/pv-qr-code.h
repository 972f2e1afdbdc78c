/* pv-qr-code.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The light border every side of a QR code needs to be found by a scanner, in modules. */
#define PV_QR_CODE_QUIET_ZONE 4

#define PV_QR_CODE_ERROR (pv_qr_code_error_quark ())

/* Why pv_qr_code_new() made no code. */
typedef enum
{
  PV_QR_CODE_ERROR_EMPTY,     /* nothing to encode */
  PV_QR_CODE_ERROR_TOO_LONG,  /* more than the largest QR code holds */
  PV_QR_CODE_ERROR_FAILED,
} PvQrCodeError;

#define PV_TYPE_QR_CODE (pv_qr_code_get_type ())

/* An immutable QR code matrix and the text it encodes; shared by reference. */
typedef struct _PvQrCode PvQrCode;

GType       pv_qr_code_get_type    (void) G_GNUC_CONST;
GQuark      pv_qr_code_error_quark (void);
PvQrCode   *pv_qr_code_new         (const char     *text,
                                    GError        **error);
PvQrCode   *pv_qr_code_ref         (PvQrCode       *self);
void        pv_qr_code_unref       (PvQrCode       *self);
guint       pv_qr_code_get_size    (const PvQrCode *self);
gboolean    pv_qr_code_is_dark     (const PvQrCode *self,
                                    guint           x,
                                    guint           y);
const char *pv_qr_code_get_text    (const PvQrCode *self);
char       *pv_qr_code_to_terminal (const PvQrCode *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvQrCode, pv_qr_code_unref)

G_END_DECLS
