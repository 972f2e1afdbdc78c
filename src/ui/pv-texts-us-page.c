/* pv-texts-us-page.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The Verify view's step where the customer texts a code to the office: a QR code that
 * opens that text on their phone, the same text spelt out for a phone without a camera, and
 * how long the code holds. Only shows: its buttons are the Verify view's actions
 * (verify.texts-us for a new code, verify.stop-texts-us to go back), so what they do stays
 * with the rest of the flow. */

#define G_LOG_DOMAIN "pv-texts-us-page"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "pv-qr-image.h"
#include "pv-sms-uri.h"
#include "pv-texts-us-page.h"

struct _PvTextsUsPage
{
  AdwBin       parent_instance;

  PvClock     *clock;
  char        *number;         /* E.164: whose text is awaited; NULL when none is */
  char        *customer_shown;
  gint64       expires_at;     /* Unix seconds, on the verifier's clock */
  guint        expiry_source;
  gboolean     expired;

  /* Template widgets */
  GtkStack    *state_stack;
  GtkLabel    *description_label;
  PvQrImage   *qr_image;
  GtkLabel    *instructions_label;
  GtkLabel    *waiting_label;
  GtkSpinner  *waiting_spinner;
  GtkLabel    *expiry_label;
  GtkLabel    *expired_label;
  GtkButton   *new_code_button;
  GtkButton   *back_button;
};

G_DEFINE_FINAL_TYPE (PvTextsUsPage, pv_texts_us_page, ADW_TYPE_BIN)

static void schedule_expiry_label (PvTextsUsPage *self);

static gint64
now (PvTextsUsPage *self)
{
  return self->clock != NULL ? pv_clock_get_now (self->clock) : g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
expiry_tick_cb (gpointer user_data)
{
  PvTextsUsPage *self = user_data;

  self->expiry_source = 0;
  schedule_expiry_label (self);

  return G_SOURCE_REMOVE;
}

/* Whole minutes, rounded up, as the code's own text says them; the label changes as the
 * count does rather than every second, and the verifier, not this label, says when the
 * code is over. */
static void
schedule_expiry_label (PvTextsUsPage *self)
{
  g_autofree char *text = NULL;
  gint64 left = self->expires_at - now (self);
  guint minutes = (guint) MAX ((left + 59) / 60, 1);
  gint64 until_change = left - (gint64) (minutes - 1) * 60;

  g_clear_handle_id (&self->expiry_source, g_source_remove);

  /* Translators: how long the code on screen can still be texted to the office */
  text = g_strdup_printf (ngettext ("Valid for %u more minute", "Valid for %u more minutes",
                                    minutes),
                          minutes);
  gtk_label_set_label (self->expiry_label, text);

  if (left > 0 && minutes > 1)
    self->expiry_source = g_timeout_add_seconds ((guint) MAX (until_change, 1),
                                                 expiry_tick_cb, self);
}

static void
set_waiting (PvTextsUsPage *self,
             gboolean       waiting)
{
  gtk_spinner_set_spinning (self->waiting_spinner, waiting);
  if (!waiting)
    g_clear_handle_id (&self->expiry_source, g_source_remove);
}

/**
 * pv_texts_us_page_set_clock:
 * @clock: (nullable): the verifier's clock, which the expiry times are on
 */
void
pv_texts_us_page_set_clock (PvTextsUsPage *self,
                            PvClock       *clock)
{
  g_return_if_fail (PV_IS_TEXTS_US_PAGE (self));

  g_set_object (&self->clock, clock);
}

/* Spaces made no-break spaces. (A line may not break after the hyphens in a number
 * anyway: they are followed by digits.) */
static char *
keep_together (const char *text)
{
  g_autoptr(GString) kept = g_string_new (text);

  g_string_replace (kept, " ", "\u00a0", 0);
  return g_string_free (g_steal_pointer (&kept), FALSE);
}

/**
 * pv_texts_us_page_show_code:
 * @texts_us: what pv_verifier_texts_us_finish() gave
 * @customer_shown: the customer's number as staff read it
 * @office_shown: the office's number as the customer dials it
 *
 * Shows the code to text, and waits with the verifier for that text.
 */
void
pv_texts_us_page_show_code (PvTextsUsPage   *self,
                            const PvTextsUs *texts_us,
                            const char      *customer_shown,
                            const char      *office_shown)
{
  g_autofree char *uri = NULL;
  g_autofree char *body_kept = NULL;
  g_autofree char *office_kept = NULL;
  g_autofree char *body = NULL;
  g_autofree char *office = NULL;
  g_autofree char *instructions = NULL;
  g_autofree char *waiting = NULL;

  g_return_if_fail (PV_IS_TEXTS_US_PAGE (self));
  g_return_if_fail (texts_us != NULL);

  g_free (self->number);
  self->number = g_strdup (texts_us->number);
  g_free (self->customer_shown);
  self->customer_shown = g_strdup (customer_shown);
  self->expires_at = texts_us->expires_at;
  self->expired = FALSE;

  uri = pv_sms_uri_new (texts_us->office_number, texts_us->body);
  pv_qr_image_set_text (self->qr_image, uri);

  /* The body as large as a page title and in a fixed-width font, so that the customer can
   * copy it from across the desk: 0 and O, 1 and l do not look alike there. Neither it nor
   * the number is split over two lines. */
  body_kept = keep_together (texts_us->body);
  office_kept = keep_together (office_shown);
  body = g_markup_printf_escaped ("<span font_family=\"monospace\" size=\"20pt\" "
                                  "weight=\"heavy\">%s</span>",
                                  body_kept);
  office = g_markup_printf_escaped ("<span weight=\"heavy\" font_features=\"tnum\">%s</span>",
                                    office_kept);
  /* Translators: what the customer does; the first %s is what to text, such as “PV 482913”,
   * the second the office's phone number */
  instructions = g_strdup_printf (_("Text %s to %s"), body, office);
  gtk_label_set_markup (self->instructions_label, instructions);

  /* Translators: %s is the customer's phone number */
  waiting = g_strdup_printf (_("Waiting for a text from %s…"), customer_shown);
  gtk_label_set_label (self->waiting_label, waiting);

  schedule_expiry_label (self);
  set_waiting (self, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->description_label), TRUE);
  gtk_stack_set_visible_child_name (self->state_stack, "waiting");
}

/**
 * pv_texts_us_page_show_expired:
 *
 * No text came before the code expired: says so, and offers a new code.
 */
void
pv_texts_us_page_show_expired (PvTextsUsPage *self)
{
  g_autofree char *text = NULL;

  g_return_if_fail (PV_IS_TEXTS_US_PAGE (self));

  self->expired = TRUE;
  set_waiting (self, FALSE);
  /* The code is void: nothing to scan or copy any more. */
  pv_qr_image_set_text (self->qr_image, NULL);
  gtk_label_set_label (self->instructions_label, "");

  /* Translators: %s is the customer's phone number */
  text = g_strdup_printf (_("No text came from %s before the code expired. Show them a "
                            "new code to try again."),
                          self->customer_shown != NULL ? self->customer_shown : "");
  gtk_label_set_label (self->expired_label, text);
  /* It tells how to use a code there no longer is. */
  gtk_widget_set_visible (GTK_WIDGET (self->description_label), FALSE);
  gtk_stack_set_visible_child_name (self->state_stack, "expired");
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_grab_focus (GTK_WIDGET (self->new_code_button));
}

gboolean
pv_texts_us_page_is_expired (PvTextsUsPage *self)
{
  g_return_val_if_fail (PV_IS_TEXTS_US_PAGE (self), FALSE);

  return self->expired;
}

/**
 * pv_texts_us_page_clear:
 *
 * Forgets the code shown, as when staff leave the step.
 */
void
pv_texts_us_page_clear (PvTextsUsPage *self)
{
  g_return_if_fail (PV_IS_TEXTS_US_PAGE (self));

  set_waiting (self, FALSE);
  g_clear_pointer (&self->number, g_free);
  g_clear_pointer (&self->customer_shown, g_free);
  self->expired = FALSE;
  pv_qr_image_set_text (self->qr_image, NULL);
  gtk_label_set_label (self->instructions_label, "");
}

/**
 * pv_texts_us_page_get_number:
 *
 * Returns: (nullable): the E.164 number whose text the page shows a code for
 */
const char *
pv_texts_us_page_get_number (PvTextsUsPage *self)
{
  g_return_val_if_fail (PV_IS_TEXTS_US_PAGE (self), NULL);

  return self->number;
}

/* The step has no field: the keyboard goes to the button that moves on from it. */
static gboolean
pv_texts_us_page_grab_focus (GtkWidget *widget)
{
  PvTextsUsPage *self = PV_TEXTS_US_PAGE (widget);

  if (self->expired)
    return gtk_widget_grab_focus (GTK_WIDGET (self->new_code_button));

  return gtk_widget_grab_focus (GTK_WIDGET (self->back_button));
}

static void
pv_texts_us_page_dispose (GObject *object)
{
  PvTextsUsPage *self = PV_TEXTS_US_PAGE (object);

  g_clear_handle_id (&self->expiry_source, g_source_remove);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (pv_texts_us_page_parent_class)->dispose (object);
}

static void
pv_texts_us_page_finalize (GObject *object)
{
  PvTextsUsPage *self = PV_TEXTS_US_PAGE (object);

  g_clear_pointer (&self->number, g_free);
  g_clear_pointer (&self->customer_shown, g_free);

  G_OBJECT_CLASS (pv_texts_us_page_parent_class)->finalize (object);
}

static void
pv_texts_us_page_class_init (PvTextsUsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  g_type_ensure (PV_TYPE_QR_IMAGE);

  object_class->dispose = pv_texts_us_page_dispose;
  object_class->finalize = pv_texts_us_page_finalize;

  widget_class->grab_focus = pv_texts_us_page_grab_focus;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/ui/pv-texts-us-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PvTextsUsPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, PvTextsUsPage, description_label);
  gtk_widget_class_bind_template_child (widget_class, PvTextsUsPage, expired_label);
  gtk_widget_class_bind_template_child (widget_class, PvTextsUsPage, expiry_label);
  gtk_widget_class_bind_template_child (widget_class, PvTextsUsPage, instructions_label);
  gtk_widget_class_bind_template_child (widget_class, PvTextsUsPage, new_code_button);
  gtk_widget_class_bind_template_child (widget_class, PvTextsUsPage, qr_image);
  gtk_widget_class_bind_template_child (widget_class, PvTextsUsPage, state_stack);
  gtk_widget_class_bind_template_child (widget_class, PvTextsUsPage, waiting_label);
  gtk_widget_class_bind_template_child (widget_class, PvTextsUsPage, waiting_spinner);
}

static void
pv_texts_us_page_init (PvTextsUsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
