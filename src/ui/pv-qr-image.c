/* pv-qr-image.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Draws a QR code for a phone's camera to read off the screen. Scanners want dark modules
 * on light, with a light quiet zone around, and sharp edges: so the card is white and the
 * modules black whatever the style, and every module is a whole number of device pixels,
 * the largest that fits, so that no edge is smoothed across two pixels. */

#define G_LOG_DOMAIN "pv-qr-image"

#include "config.h"

#include "pv-qr-image.h"

/* Device pixels per module: below the minimum, phone cameras start to miss modules on a
 * typical desk monitor; the natural size reads at once from a little further away. */
#define MIN_MODULE_PIXELS     4
#define NATURAL_MODULE_PIXELS 6
/* The card's corner radius, at most; and at most two modules, since rounding eats into the
 * quiet zone beside three finder patterns, and half of it is left whole there. */
#define CORNER_RADIUS         8.f

struct _PvQrImage
{
  GtkWidget  parent_instance;

  char      *text;
  PvQrCode  *code;
};

G_DEFINE_FINAL_TYPE (PvQrImage, pv_qr_image, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const GdkRGBA light = { 1.f, 1.f, 1.f, 1.f };
static const GdkRGBA dark = { 0.f, 0.f, 0.f, 1.f };

static guint
modules_with_border (PvQrImage *self)
{
  return pv_qr_code_get_size (self->code) + 2 * PV_QR_CODE_QUIET_ZONE;
}

static void
pv_qr_image_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  PvQrImage *self = PV_QR_IMAGE (widget);
  int modules;

  if (self->code == NULL)
    {
      *minimum = *natural = 0;
      return;
    }

  /* The same in both orientations, whatever the other one gets: the code stays square as
   * long as whoever packs it centres it rather than filling. */
  modules = modules_with_border (self);
  *minimum = modules * MIN_MODULE_PIXELS;
  *natural = modules * NATURAL_MODULE_PIXELS;
}

static void
pv_qr_image_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  PvQrImage *self = PV_QR_IMAGE (widget);
  int scale, width, height, modules, module_px, side_px, size;
  float module, left, top, side, radius;
  GskRoundedRect card;

  if (self->code == NULL)
    return;

  /* GTK 4.8 scales by whole factors only, and allocations are whole logical pixels, so
   * whole device pixels are multiples of 1/scale from the widget's origin. */
  scale = gtk_widget_get_scale_factor (widget);
  width = gtk_widget_get_width (widget) * scale;
  height = gtk_widget_get_height (widget) * scale;
  modules = modules_with_border (self);
  module_px = MIN (width, height) / modules;
  if (module_px < 1)
    return;

  side_px = module_px * modules;
  module = (float) module_px / scale;
  left = (float) ((width - side_px) / 2) / scale;
  top = (float) ((height - side_px) / 2) / scale;
  side = (float) side_px / scale;
  radius = MIN (CORNER_RADIUS, 2 * module);

  gsk_rounded_rect_init_from_rect (&card, &GRAPHENE_RECT_INIT (left, top, side, side), radius);
  gtk_snapshot_push_rounded_clip (snapshot, &card);
  gtk_snapshot_append_color (snapshot, &light, &card.bounds);
  gtk_snapshot_pop (snapshot);

  /* One rectangle per horizontal run of dark modules rather than per module: far fewer
   * render nodes, and no seam can show between neighbours in a run. */
  size = pv_qr_code_get_size (self->code);
  left += PV_QR_CODE_QUIET_ZONE * module;
  top += PV_QR_CODE_QUIET_ZONE * module;
  for (int y = 0; y < size; y++)
    {
      int x = 0;

      while (x < size)
        {
          int run_start;

          if (!pv_qr_code_is_dark (self->code, x, y))
            {
              x++;
              continue;
            }
          run_start = x;
          while (x < size && pv_qr_code_is_dark (self->code, x, y))
            x++;
          gtk_snapshot_append_color (snapshot, &dark,
                                     &GRAPHENE_RECT_INIT (left + run_start * module,
                                                          top + y * module,
                                                          (x - run_start) * module,
                                                          module));
        }
    }
}

static void
pv_qr_image_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PvQrImage *self = PV_QR_IMAGE (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_qr_image_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  PvQrImage *self = PV_QR_IMAGE (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      pv_qr_image_set_text (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pv_qr_image_finalize (GObject *object)
{
  PvQrImage *self = PV_QR_IMAGE (object);

  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->code, pv_qr_code_unref);

  G_OBJECT_CLASS (pv_qr_image_parent_class)->finalize (object);
}

static void
pv_qr_image_class_init (PvQrImageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = pv_qr_image_get_property;
  object_class->set_property = pv_qr_image_set_property;
  object_class->finalize = pv_qr_image_finalize;

  widget_class->measure = pv_qr_image_measure;
  widget_class->snapshot = pv_qr_image_snapshot;

  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "qrimage");
  /* What the code says is for whoever shows it to put in words, as the label. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
pv_qr_image_init (PvQrImage *self)
{
}

GtkWidget *
pv_qr_image_new (void)
{
  return g_object_new (PV_TYPE_QR_IMAGE, NULL);
}

const char *
pv_qr_image_get_text (PvQrImage *self)
{
  g_return_val_if_fail (PV_IS_QR_IMAGE (self), NULL);

  return self->text;
}

/* Encodes at once: the texts are short, and measure() needs the code's size. */
void
pv_qr_image_set_text (PvQrImage  *self,
                      const char *text)
{
  g_return_if_fail (PV_IS_QR_IMAGE (self));

  if (g_strcmp0 (self->text, text) == 0)
    return;

  g_free (self->text);
  self->text = g_strdup (text);
  g_clear_pointer (&self->code, pv_qr_code_unref);
  if (text != NULL)
    {
      g_autoptr(GError) error = NULL;

      self->code = pv_qr_code_new (text, &error);
      if (self->code == NULL)
        g_debug ("No QR code to draw: %s", error->message);
    }

  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

/* Returns: (transfer none) (nullable): the code drawn, or NULL when there is none. */
PvQrCode *
pv_qr_image_get_code (PvQrImage *self)
{
  g_return_val_if_fail (PV_IS_QR_IMAGE (self), NULL);

  return self->code;
}
