/* pv-qr-image.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "pv-qr-code.h"

G_BEGIN_DECLS

#define PV_TYPE_QR_IMAGE (pv_qr_image_get_type ())

G_DECLARE_FINAL_TYPE (PvQrImage, pv_qr_image, PV, QR_IMAGE, GtkWidget)

GtkWidget  *pv_qr_image_new      (void);
const char *pv_qr_image_get_text (PvQrImage  *self);
void        pv_qr_image_set_text (PvQrImage  *self,
                                  const char *text);
PvQrCode   *pv_qr_image_get_code (PvQrImage  *self);

G_END_DECLS
