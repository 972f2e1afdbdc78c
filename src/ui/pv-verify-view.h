/* pv-verify-view.h
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pv-engine.h"

G_BEGIN_DECLS

#define PV_TYPE_VERIFY_VIEW (pv_verify_view_get_type ())

G_DECLARE_FINAL_TYPE (PvVerifyView, pv_verify_view, PV, VERIFY_VIEW, AdwBin)

PvEngine *pv_verify_view_get_engine (PvVerifyView *self);
void      pv_verify_view_set_engine (PvVerifyView *self,
                                     PvEngine     *engine);
void      pv_verify_view_prepare    (PvVerifyView *self,
                                     const char   *number,
                                     const char   *name);
void      pv_verify_view_retry      (PvVerifyView *self);
void      pv_verify_view_resend     (PvVerifyView *self);
guint     pv_verify_view_get_resend_wait (PvVerifyView *self);
void      pv_verify_view_switch_channel (PvVerifyView *self);
void      pv_verify_view_start_over (PvVerifyView *self);
void      pv_verify_view_verify_again_typed (PvVerifyView *self);
gboolean  pv_verify_view_shows_form (PvVerifyView *self);
void      pv_verify_view_edit       (PvVerifyView *self);
void      pv_verify_view_verify_again (PvVerifyView *self,
                                       const char   *number,
                                       const char   *name);

G_END_DECLS
