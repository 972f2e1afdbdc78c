/* pv-clock.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Every expiry, cooldown and hourly limit is measured against a PvClock rather than
 * g_get_real_time() directly, so tests can move time forward instead of sleeping. A
 * manual clock stands still until it is advanced. */

#define G_LOG_DOMAIN "pv-clock"

#include "config.h"

#include "pv-clock.h"

struct _PvClock
{
  GObject  parent_instance;

  gboolean manual;
  gint64   now;
};

G_DEFINE_FINAL_TYPE (PvClock, pv_clock, G_TYPE_OBJECT)

static void
pv_clock_class_init (PvClockClass *klass)
{
}

static void
pv_clock_init (PvClock *self)
{
}

/**
 * pv_clock_new:
 *
 * Returns: (transfer full): a clock that follows the system's wall-clock time.
 */
PvClock *
pv_clock_new (void)
{
  return g_object_new (PV_TYPE_CLOCK, NULL);
}

/**
 * pv_clock_new_manual:
 * @start: the initial time, in seconds since the Unix epoch
 *
 * Returns: (transfer full): a clock that only moves when pv_clock_advance() is called.
 */
PvClock *
pv_clock_new_manual (gint64 start)
{
  PvClock *self = g_object_new (PV_TYPE_CLOCK, NULL);

  self->manual = TRUE;
  self->now = start;

  return self;
}

/**
 * pv_clock_get_now:
 *
 * Returns: the current time in seconds since the Unix epoch, UTC.
 */
gint64
pv_clock_get_now (PvClock *self)
{
  g_return_val_if_fail (PV_IS_CLOCK (self), 0);

  if (self->manual)
    return self->now;

  return g_get_real_time () / G_USEC_PER_SEC;
}

void
pv_clock_advance (PvClock *self,
                  gint64   seconds)
{
  g_return_if_fail (PV_IS_CLOCK (self));
  g_return_if_fail (self->manual);
  g_return_if_fail (seconds >= 0);

  self->now += seconds;
}
