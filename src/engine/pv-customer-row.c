/* pv-customer-row.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* One line of the Customers list, as staff see it. A row stands for a position in the list:
 * it starts empty while its page is fetched, and is filled in place when the page arrives,
 * so the widgets bound to it update without being rebuilt. */

#define G_LOG_DOMAIN "pv-customer-row"

#include "config.h"

#include <glib/gi18n.h>

#include "pv-customer-row.h"
#include "pv-time-format.h"

struct _PvCustomerRow
{
  GObject              parent_instance;

  guint                position;
  gboolean             loaded;
  char                *number;
  char                *display_number;
  char                *name;
  PvCustomerRowStatus  status;
  char                *last_activity;
};

G_DEFINE_FINAL_TYPE (PvCustomerRow, pv_customer_row, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (PvCustomerRowStatus, pv_customer_row_status,
  G_DEFINE_ENUM_VALUE (PV_CUSTOMER_ROW_STATUS_PENDING, "pending"),
  G_DEFINE_ENUM_VALUE (PV_CUSTOMER_ROW_STATUS_VERIFIED, "verified"),
  G_DEFINE_ENUM_VALUE (PV_CUSTOMER_ROW_STATUS_LOCKED, "locked"),
  G_DEFINE_ENUM_VALUE (PV_CUSTOMER_ROW_STATUS_EXPIRED, "expired"))

enum {
  PROP_0,
  PROP_LOADED,
  PROP_NUMBER,
  PROP_DISPLAY_NUMBER,
  PROP_NAME,
  PROP_STATUS,
  PROP_STATUS_LABEL,
  PROP_STATUS_CLASSES,
  PROP_LAST_ACTIVITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The badge is a pill (style.css) coloured by libadwaita's own state classes. */
static const char * const status_classes[][3] = {
  [PV_CUSTOMER_ROW_STATUS_PENDING] = { "status-badge", "dim-label", NULL },
  [PV_CUSTOMER_ROW_STATUS_VERIFIED] = { "status-badge", "success", NULL },
  [PV_CUSTOMER_ROW_STATUS_LOCKED] = { "status-badge", "error", NULL },
  [PV_CUSTOMER_ROW_STATUS_EXPIRED] = { "status-badge", "warning", NULL },
};

/**
 * pv_customer_row_status_for:
 * @now: the current time, from the app's #PvClock
 * @max_attempts: the "max-attempts" setting
 *
 * Returns: what staff should be told about @customer at @now
 */
PvCustomerRowStatus
pv_customer_row_status_for (const PvCustomer *customer,
                            gint64            now,
                            guint             max_attempts)
{
  g_return_val_if_fail (customer != NULL, PV_CUSTOMER_ROW_STATUS_PENDING);

  if (customer->status == PV_CUSTOMER_STATUS_VERIFIED)
    return PV_CUSTOMER_ROW_STATUS_VERIFIED;

  /* A locked code stays locked when it also expires: a new code is the way out of both. */
  if (customer->failed_attempts >= max_attempts)
    return PV_CUSTOMER_ROW_STATUS_LOCKED;

  if (customer->code_expires_at != 0 && customer->code_expires_at <= now)
    return PV_CUSTOMER_ROW_STATUS_EXPIRED;

  return PV_CUSTOMER_ROW_STATUS_PENDING;
}

const char *
pv_customer_row_status_get_label (PvCustomerRowStatus status)
{
  switch (status)
    {
    case PV_CUSTOMER_ROW_STATUS_PENDING:
      /* Translators: a customer's status: a code was sent, not yet entered */
      return C_("customer status", "Pending");

    case PV_CUSTOMER_ROW_STATUS_VERIFIED:
      return C_("customer status", "Verified");

    case PV_CUSTOMER_ROW_STATUS_LOCKED:
      /* Translators: a customer's status: too many wrong codes were entered */
      return C_("customer status", "Locked");

    case PV_CUSTOMER_ROW_STATUS_EXPIRED:
      /* Translators: a customer's status: the code ran out of time before it was entered */
      return C_("customer status", "Expired");

    default:
      g_return_val_if_reached (NULL);
    }
}

static void
get_local_date (GDateTime *date_time,
                GDate     *date)
{
  int year, month, day;

  g_date_time_get_ymd (date_time, &year, &month, &day);
  g_date_clear (date, 1);
  g_date_set_dmy (date, day, month, year);
}

/**
 * pv_customer_row_format_time:
 * @time: seconds since the Unix epoch, or 0 for never
 * @now: the current time
 *
 * Returns: (transfer full): @time in local time, short: "Today 14:32", "Yesterday 09:10",
 *   "12 Mar 2026"; or "" for never
 */
char *
pv_customer_row_format_time (gint64 time,
                             gint64 now)
{
  g_autoptr(GDateTime) then = NULL;
  g_autoptr(GDateTime) local_now = NULL;
  GDate then_date, today;
  int days;

  if (time <= 0)
    return g_strdup ("");

  then = g_date_time_new_from_unix_local (time);
  local_now = g_date_time_new_from_unix_local (now);
  if (then == NULL || local_now == NULL)
    return g_strdup ("");

  get_local_date (then, &then_date);
  get_local_date (local_now, &today);
  days = g_date_days_between (&then_date, &today);

  if (days == 0 || days == 1)
    {
      g_autofree char *clock = pv_time_format_time_of_day (then,
                                                           pv_time_format_is_twelve_hour ());

      /* Translators: when something last happened, today; %s is the time of day, "14:32"
       * or "2:32 PM", on the clock the desktop is set to */
      if (days == 0)
        return g_strdup_printf (_("Today %s"), clock);
      /* Translators: the same, yesterday */
      return g_strdup_printf (_("Yesterday %s"), clock);
    }

  /* Before yesterday: the day, month and year. */
  return pv_time_format_date (then, FALSE);
}

static void
pv_customer_row_finalize (GObject *object)
{
  PvCustomerRow *self = (PvCustomerRow *) object;

  g_clear_pointer (&self->number, g_free);
  g_clear_pointer (&self->display_number, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->last_activity, g_free);

  G_OBJECT_CLASS (pv_customer_row_parent_class)->finalize (object);
}

static void
pv_customer_row_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PvCustomerRow *self = PV_CUSTOMER_ROW (object);

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;

    case PROP_NUMBER:
      g_value_set_string (value, self->number);
      break;

    case PROP_DISPLAY_NUMBER:
      g_value_set_string (value, self->display_number);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;

    case PROP_STATUS_LABEL:
      g_value_set_string (value, pv_customer_row_get_status_label (self));
      break;

    case PROP_STATUS_CLASSES:
      g_value_set_boxed (value, pv_customer_row_get_status_classes (self));
      break;

    case PROP_LAST_ACTIVITY:
      g_value_set_string (value, self->last_activity);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_customer_row_class_init (PvCustomerRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pv_customer_row_finalize;
  object_class->get_property = pv_customer_row_get_property;

  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_NUMBER] =
    g_param_spec_string ("number", NULL, NULL,
                         "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /* As staff read it out: national for the office's country, international otherwise. */
  properties[PROP_DISPLAY_NUMBER] =
    g_param_spec_string ("display-number", NULL, NULL,
                         "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       PV_TYPE_CUSTOMER_ROW_STATUS,
                       PV_CUSTOMER_ROW_STATUS_PENDING,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_STATUS_LABEL] =
    g_param_spec_string ("status-label", NULL, NULL,
                         "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /* For binding to GtkWidget:css-classes, which the status badge's style comes from. */
  properties[PROP_STATUS_CLASSES] =
    g_param_spec_boxed ("status-classes", NULL, NULL,
                        G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_LAST_ACTIVITY] =
    g_param_spec_string ("last-activity", NULL, NULL,
                         "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pv_customer_row_init (PvCustomerRow *self)
{
  self->number = g_strdup ("");
  self->name = g_strdup ("");
  self->last_activity = g_strdup ("");
}

/**
 * pv_customer_row_new:
 * @position: where the row is in its list
 *
 * Returns: (transfer full): an empty row, waiting for its customer
 */
PvCustomerRow *
pv_customer_row_new (guint position)
{
  PvCustomerRow *self = g_object_new (PV_TYPE_CUSTOMER_ROW, NULL);

  self->position = position;

  return self;
}

guint
pv_customer_row_get_position (PvCustomerRow *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_ROW (self), 0);

  return self->position;
}

gboolean
pv_customer_row_get_loaded (PvCustomerRow *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_ROW (self), FALSE);

  return self->loaded;
}

const char *
pv_customer_row_get_number (PvCustomerRow *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_ROW (self), NULL);

  return self->number;
}

const char *
pv_customer_row_get_name (PvCustomerRow *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_ROW (self), NULL);

  return self->name;
}

/**
 * pv_customer_row_get_display_number:
 *
 * Returns: (nullable): the number as staff read it out, or %NULL until loaded
 */
const char *
pv_customer_row_get_display_number (PvCustomerRow *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_ROW (self), NULL);

  return self->display_number;
}

PvCustomerRowStatus
pv_customer_row_get_status (PvCustomerRow *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_ROW (self), PV_CUSTOMER_ROW_STATUS_PENDING);

  return self->status;
}

/**
 * pv_customer_row_get_status_label:
 *
 * Returns: the translated status, or "" while the row is empty
 */
const char *
pv_customer_row_get_status_label (PvCustomerRow *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_ROW (self), NULL);

  return self->loaded ? pv_customer_row_status_get_label (self->status) : "";
}

/**
 * pv_customer_row_get_status_classes:
 *
 * Returns: (transfer none): the CSS classes of the status badge
 */
const char * const *
pv_customer_row_get_status_classes (PvCustomerRow *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_ROW (self), NULL);

  return status_classes[self->status];
}

const char *
pv_customer_row_get_last_activity (PvCustomerRow *self)
{
  g_return_val_if_fail (PV_IS_CUSTOMER_ROW (self), NULL);

  return self->last_activity;
}

static void
set_string (PvCustomerRow  *self,
            char          **field,
            const char     *value,
            guint           prop_id)
{
  if (value == NULL)
    value = "";

  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_status (PvCustomerRow       *self,
            gboolean             loaded,
            PvCustomerRowStatus  status)
{
  gboolean label_changed = self->loaded != loaded || self->status != status;

  if (self->status != status)
    {
      self->status = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_CLASSES]);
    }

  if (label_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_LABEL]);

  if (self->loaded != loaded)
    {
      self->loaded = loaded;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }
}

/**
 * pv_customer_row_fill:
 * @display_number: @customer's number as staff read it out (see
 *   pv_phone_number_format_for_display ()), worked out beforehand off the main thread
 * @now: the current time, for the status and the last activity
 * @max_attempts: the "max-attempts" setting
 *
 * Shows @customer in the row, notifying only the properties that change.
 */
void
pv_customer_row_fill (PvCustomerRow    *self,
                      const PvCustomer *customer,
                      const char       *display_number,
                      gint64            now,
                      guint             max_attempts)
{
  g_autofree char *last_activity = NULL;

  g_return_if_fail (PV_IS_CUSTOMER_ROW (self));
  g_return_if_fail (customer != NULL);

  last_activity = pv_customer_row_format_time (customer->updated_at, now);

  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->number, customer->number, PROP_NUMBER);
  set_string (self, &self->display_number, display_number, PROP_DISPLAY_NUMBER);
  set_string (self, &self->name, customer->name, PROP_NAME);
  set_string (self, &self->last_activity, last_activity, PROP_LAST_ACTIVITY);
  set_status (self, TRUE, pv_customer_row_status_for (customer, now, max_attempts));
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * pv_customer_row_clear:
 *
 * Empties the row again, for a customer that is no longer at its position.
 */
void
pv_customer_row_clear (PvCustomerRow *self)
{
  g_return_if_fail (PV_IS_CUSTOMER_ROW (self));

  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->number, NULL, PROP_NUMBER);
  set_string (self, &self->display_number, NULL, PROP_DISPLAY_NUMBER);
  set_string (self, &self->name, NULL, PROP_NAME);
  set_string (self, &self->last_activity, NULL, PROP_LAST_ACTIVITY);
  set_status (self, FALSE, PV_CUSTOMER_ROW_STATUS_PENDING);
  g_object_thaw_notify (G_OBJECT (self));
}
