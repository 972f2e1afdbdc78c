/* pv-ui-test.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Helpers for driving the real widgets in-process, under Xvfb, inside the private
 * keyring session of keyring-session.sh. Widgets are found by their .ui id. */

#include "config.h"

#include <string.h>

#include "pv-secret-store.h"
#include "pv-ui-test.h"

/* A stand-in for the desktop's notification server (org.freedesktop.Notifications), owned
 * by the test process itself on its private session bus. GNotification talks to it exactly
 * as to GNOME Shell, so tests can see what the app announced; without one, GLib warns on
 * the first notification, which gtk_test_init() makes fatal. */
static const char notifications_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    </method>"
  "    <signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "    <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "  </interface>"
  "</node>";

static GPtrArray *notifications;  /* "summary\nbody" */
static gboolean   notifications_ready;

static void
notifications_method_cb (GDBusConnection       *connection,
                         const char            *sender,
                         const char            *object_path,
                         const char            *interface_name,
                         const char            *method_name,
                         GVariant              *parameters,
                         GDBusMethodInvocation *invocation,
                         gpointer               user_data)
{
  if (g_str_equal (method_name, "Notify"))
    {
      const char *summary;
      const char *body;

      g_variant_get (parameters, "(&su&s&s&s@as@a{sv}i)", NULL, NULL, NULL, &summary, &body,
                     NULL, NULL, NULL);
      g_ptr_array_add (notifications, g_strdup_printf ("%s\n%s", summary, body));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", notifications->len));
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    {
      const char *capabilities[] = { "body", "actions", NULL };

      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(^as)", capabilities));
    }
  else if (g_str_equal (method_name, "GetServerInformation"))
    {
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(ssss)", "pv-ui-test", "PhoneVerify",
                                                            "1", "1.2"));
    }
  else
    {
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
}

static void
notifications_name_acquired_cb (GDBusConnection *connection,
                                const char      *name,
                                gpointer         user_data)
{
  notifications_ready = TRUE;
}

static void
start_notification_server (void)
{
  static const GDBusInterfaceVTable vtable = { notifications_method_cb, NULL, NULL };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

  notifications = g_ptr_array_new_with_free_func (g_free);
  if (bus == NULL)
    return;

  g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications",
                                     info->interfaces[0], &vtable, NULL, NULL, NULL);
  g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications",
                                G_BUS_NAME_OWNER_FLAGS_NONE,
                                notifications_name_acquired_cb, NULL, NULL, NULL);
  while (!notifications_ready)
    g_main_context_iteration (NULL, TRUE);
}

/**
 * pv_ui_test_get_notifications:
 *
 * Returns: (transfer none): the desktop notifications sent so far, as "summary\nbody"
 */
GPtrArray *
pv_ui_test_get_notifications (void)
{
  return notifications;
}

void
pv_ui_test_init (int    *argc,
                 char ***argv)
{
  gtk_test_init (argc, argv, NULL);
  adw_init ();

  /* GNOME's interface font (when installed) and title bar buttons, so windows look and
   * measure as they do on a GNOME desktop. Without a settings daemon GTK would fall back to
   * plain "Sans" and minimize/maximize/close buttons. */
  g_object_set (gtk_settings_get_default (),
                "gtk-font-name", "Cantarell 11",
                "gtk-decoration-layout", "appmenu:close",
                NULL);

  start_notification_server ();
}

/**
 * pv_ui_test_start_fake:
 *
 * Starts the fake Twilio on loopback and points every client the app creates at it.
 */
PvFakeTwilio *
pv_ui_test_start_fake (void)
{
  g_autoptr(PvFakeTwilio) fake = pv_fake_twilio_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *base_url = NULL;

  pv_fake_twilio_set_delivery_step (fake, 100);
  pv_fake_twilio_listen (fake, 0, &error);
  g_assert_no_error (error);

  base_url = pv_fake_twilio_dup_base_url (fake);
  g_setenv ("PHONE_VERIFY_TWILIO_API_URL", base_url, TRUE);

  return g_steal_pointer (&fake);
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  pv_secret_store_save_credentials_finish (result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

/* Puts the fake's account in the keyring, as Preferences would. */
void
pv_ui_test_save_credentials (PvFakeTwilio *fake)
{
  g_autoptr(PvTwilioCredentials) credentials = NULL;
  gboolean done = FALSE;

  credentials = pv_twilio_credentials_new (pv_fake_twilio_get_account_sid (fake), NULL,
                                           pv_fake_twilio_get_auth_token (fake),
                                           pv_fake_twilio_get_phone_number (fake), NULL);
  pv_secret_store_save_credentials_async (credentials, NULL, saved_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
window_is_mapped (gpointer user_data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (user_data));
}

/**
 * pv_ui_test_open_window:
 *
 * Starts the real application as a non-unique instance and waits for its window.
 */
PvWindow *
pv_ui_test_open_window (PvApplication **application)
{
  g_autoptr(GError) error = NULL;
  GtkWindow *window;

  *application = pv_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (*application), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (*application));

  window = gtk_application_get_active_window (GTK_APPLICATION (*application));
  g_assert_true (PV_IS_WINDOW (window));
  g_assert_true (pv_ui_test_wait_until (window_is_mapped, window, 5000));

  return PV_WINDOW (window);
}

void
pv_ui_test_close_window (PvWindow      *window,
                         PvApplication *application)
{
  gtk_window_destroy (GTK_WINDOW (window));
  pv_ui_test_iterate (50);
  g_object_unref (application);
}

static gboolean
time_is_up (gpointer user_data)
{
  gboolean *up = user_data;

  *up = TRUE;
  return G_SOURCE_REMOVE;
}

void
pv_ui_test_iterate (guint milliseconds)
{
  gboolean up = FALSE;

  g_timeout_add (milliseconds, time_is_up, &up);
  while (!up)
    g_main_context_iteration (NULL, TRUE);
}

gboolean
pv_ui_test_wait_until (PvUiTestPredicate predicate,
                       gpointer          user_data,
                       guint             timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!predicate (user_data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      pv_ui_test_iterate (10);
    }

  return TRUE;
}

typedef struct
{
  PvEngine      *engine;
  PvEngineState  state;
} StateWait;

static gboolean
engine_in_state (gpointer user_data)
{
  StateWait *wait = user_data;

  return pv_engine_get_state (wait->engine) == wait->state;
}

void
pv_ui_test_wait_for_state (PvEngine      *engine,
                           PvEngineState  state)
{
  StateWait wait = { engine, state };

  if (!pv_ui_test_wait_until (engine_in_state, &wait, 10000))
    g_error ("The engine is in state %d, not %d (problem: %s)",
             pv_engine_get_state (engine), state, pv_engine_get_problem (engine));
}

/**
 * pv_ui_test_find:
 * @type: the widget's type, or %G_TYPE_NONE for any
 * @id: (nullable): the id the widget has in its .ui file
 *
 * Returns: (transfer none) (nullable): the first match, depth first
 */
GtkWidget *
pv_ui_test_find (GtkWidget  *root,
                 GType       type,
                 const char *id)
{
  if ((type == G_TYPE_NONE || g_type_is_a (G_OBJECT_TYPE (root), type))
      && (id == NULL || g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (root)), id) == 0))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = pv_ui_test_find (child, type, id);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/**
 * pv_ui_test_get:
 * @id: the id a .ui template gives the widget
 *
 * Returns: (transfer none): the widget under @root with @id; the test fails without one
 */
GtkWidget *
pv_ui_test_get (GtkWidget  *root,
                const char *id)
{
  GtkWidget *widget = pv_ui_test_find (root, G_TYPE_NONE, id);

  if (widget == NULL)
    g_error ("No widget “%s” in the window", id);

  return widget;
}

/**
 * pv_ui_test_get_stack_page:
 * @stack_id: the id of a #GtkStack under @root
 *
 * Returns: the name of the page the stack shows
 */
const char *
pv_ui_test_get_stack_page (GtkWidget  *root,
                           const char *stack_id)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (pv_ui_test_get (root, stack_id)));
}

typedef struct
{
  GtkWidget  *root;
  const char *stack_id;
  const char *page;
} PageWait;

static gboolean
page_shown (gpointer user_data)
{
  PageWait *wait = user_data;

  return g_strcmp0 (pv_ui_test_get_stack_page (wait->root, wait->stack_id), wait->page) == 0;
}

void
pv_ui_test_wait_for_stack_page (GtkWidget  *root,
                                const char *stack_id,
                                const char *page)
{
  PageWait wait = { root, stack_id, page };

  if (!pv_ui_test_wait_until (page_shown, &wait, 10000))
    g_error ("The %s stack shows “%s”, not “%s”", stack_id,
             pv_ui_test_get_stack_page (root, stack_id), page);
}

/**
 * pv_ui_test_get_step:
 *
 * Returns: which step of the Verify view is shown: "register", "verify", "texts-us"…
 */
const char *
pv_ui_test_get_step (GtkWidget *root)
{
  return pv_ui_test_get_stack_page (root, "steps");
}

void
pv_ui_test_wait_for_step (GtkWidget  *root,
                          const char *step)
{
  pv_ui_test_wait_for_stack_page (root, "steps", step);
}

/* Back to an empty Register form, as Start Over does. */
void
pv_ui_test_start_over (GtkWidget *root)
{
  gtk_widget_activate_action (pv_ui_test_get (root, "verify_view"), "verify.start-over", NULL);
  pv_ui_test_wait_for_step (root, "register");
}

void
pv_ui_test_type_into (GtkWidget  *root,
                      const char *id,
                      const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (pv_ui_test_get (root, id)), text);
}

/**
 * pv_ui_test_find_label:
 *
 * Returns: (transfer none) (nullable): a label that is drawn and contains @text
 */
GtkWidget *
pv_ui_test_find_label (GtkWidget  *root,
                       const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_is_drawable (root)
      && strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = pv_ui_test_find_label (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* AdwToastWidget is private; its title is the label inside it. */
static gboolean
find_toast (GtkWidget  *root,
            const char *text,
            gboolean    inside_toast)
{
  inside_toast = inside_toast || g_str_equal (G_OBJECT_TYPE_NAME (root), "AdwToastWidget");

  if (inside_toast && GTK_IS_LABEL (root)
      && strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (find_toast (child, text, inside_toast))
      return TRUE;

  return FALSE;
}

/* What the toasts under @root say, for a failure message. */
static void
collect_toasts (GtkWidget *root,
                GString   *texts,
                gboolean   inside_toast)
{
  inside_toast = inside_toast || g_str_equal (G_OBJECT_TYPE_NAME (root), "AdwToastWidget");

  if (inside_toast && GTK_IS_LABEL (root))
    g_string_append_printf (texts, " “%s”", gtk_label_get_text (GTK_LABEL (root)));

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_toasts (child, texts, inside_toast);
}

/**
 * pv_ui_test_find_toast_button:
 * @label: the button's label, with its mnemonic underline
 *
 * Returns: (transfer none) (nullable): the button of a toast shown under @root
 */
GtkWidget *
pv_ui_test_find_toast_button (GtkWidget  *root,
                              const char *label)
{
  gboolean in_toast = FALSE;

  for (GtkWidget *widget = root; widget != NULL && !in_toast;
       widget = gtk_widget_get_parent (widget))
    in_toast = g_str_equal (G_OBJECT_TYPE_NAME (widget), "AdwToastWidget");

  if (in_toast && GTK_IS_BUTTON (root) &&
      g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = pv_ui_test_find_toast_button (child, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

gboolean
pv_ui_test_has_toast (GtkWidget  *root,
                      const char *text)
{
  return find_toast (root, text, FALSE);
}

typedef struct
{
  GtkWidget  *root;
  const char *text;
  GString    *seen;   /* what the toasts said meanwhile, for a failure message */
} TextWait;

static gboolean
toast_shown (gpointer user_data)
{
  TextWait *wait = user_data;

  if (wait->seen != NULL)
    {
      g_autoptr(GString) now = g_string_new (NULL);

      collect_toasts (wait->root, now, FALSE);
      if (now->len > 0 && strstr (wait->seen->str, now->str) == NULL)
        g_string_append (wait->seen, now->str);
    }

  return pv_ui_test_has_toast (wait->root, wait->text);
}

void
pv_ui_test_wait_for_toast (GtkWidget  *root,
                           const char *text)
{
  g_autoptr(GString) seen = g_string_new (NULL);
  TextWait wait = { root, text, seen };

  if (!pv_ui_test_wait_until (toast_shown, &wait, 10000))
    g_error ("No toast saying “%s” appeared; the toasts said:%s", text,
             seen->len > 0 ? seen->str : " nothing");
}

static gboolean
label_shown (gpointer user_data)
{
  TextWait *wait = user_data;

  return pv_ui_test_find_label (wait->root, wait->text) != NULL;
}

void
pv_ui_test_wait_for_label (GtkWidget  *root,
                           const char *text)
{
  TextWait wait = { root, text };

  if (!pv_ui_test_wait_until (label_shown, &wait, 10000))
    g_error ("No label saying “%s” appeared", text);
}

/**
 * pv_ui_test_screenshot:
 * @name: the file name, without “.png”
 *
 * Renders @widget as it is on screen into screenshots/NAME.png in the test build
 * directory, for people to look at.
 */
void
pv_ui_test_screenshot (GtkWidget  *widget,
                       const char *name)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *file_name = NULL;
  g_autofree char *path = NULL;
  GskRenderer *renderer;
  int width;
  int height;

  /* Let the window map, and animations (page transitions, toasts) settle first. */
  g_assert_true (pv_ui_test_wait_until (window_is_mapped, widget, 5000));
  pv_ui_test_iterate (400);

  paintable = gtk_widget_paintable_new (widget);

  /* A widget between two frames (mid-transition, or right after a resize) can render
   * nothing; the next frame has it. */
  for (guint attempt = 0; node == NULL && attempt < 50; attempt++)
    {
      if (attempt > 0)
        pv_ui_test_iterate (100);
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  directory = g_test_build_filename (G_TEST_BUILT, "screenshots", NULL);
  g_mkdir_with_parents (directory, 0755);
  file_name = g_strconcat (name, ".png", NULL);
  path = g_build_filename (directory, file_name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s", path);
}

/**
 * pv_ui_test_click:
 *
 * Clicks @button as a pointer would. (gtk_widget_activate() animates the press and only
 * emits ::clicked after a delay, swallowing presses that come quicker than that.)
 */
void
pv_ui_test_click (GtkWidget *button)
{
  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  pv_ui_test_iterate (10);
}

/**
 * pv_ui_test_get_customer_list:
 * @root: the window, or the Customers view
 *
 * Returns: (transfer none) (nullable): the list the Customers table shows, once the Customers
 *   view has been shown
 */
PvCustomerList *
pv_ui_test_get_customer_list (GtkWidget *root)
{
  GtkWidget *column_view = pv_ui_test_find (root, GTK_TYPE_COLUMN_VIEW, "column_view");
  GtkSelectionModel *selection;

  g_assert_nonnull (column_view);
  selection = gtk_column_view_get_model (GTK_COLUMN_VIEW (column_view));
  /* The table has no model until the Customers view is first shown. */
  if (selection == NULL)
    return NULL;

  return PV_CUSTOMER_LIST (gtk_no_selection_get_model (GTK_NO_SELECTION (selection)));
}
