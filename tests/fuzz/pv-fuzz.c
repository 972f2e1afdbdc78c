/* pv-fuzz.c
 *
 * Copyright 2026 The PhoneVerify developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "pv-fuzz.h"

#define FATAL_LEVELS (G_LOG_FLAG_FATAL | G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL \
                      | G_LOG_LEVEL_WARNING)

/* GLib ends on a fatal message with SIGTRAP, which libFuzzer does not catch: it would
 * neither save nor minimise the input. Aborting instead makes it a crash like any other. */
static GLogWriterOutput
abort_on_warnings (GLogLevelFlags   log_level,
                   const GLogField *fields,
                   gsize            n_fields,
                   gpointer         user_data)
{
  if (!(log_level & FATAL_LEVELS))
    return g_log_writer_default (log_level, fields, n_fields, NULL);

  g_log_writer_standard_streams (log_level, fields, n_fields, NULL);
  abort ();
}

/* A g_return_if_fail() or g_warning() reached from fuzzed input is a bug like any other.
 *
 * Settings are always in memory, so that hours of fuzzing never write to the developer's
 * own, and come from the build tree's schema unless told otherwise: a target run by hand
 * needs no environment. */
void
pv_fuzz_init (void)
{
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_log_set_writer_func (abort_on_warnings, NULL, NULL);

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GSETTINGS_SCHEMA_DIR", PV_FUZZ_SCHEMA_DIR, FALSE);
}

static GPtrArray *temp_dirs;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR)
              && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_unlink (child);
        }
    }

  g_rmdir (path);
}

static void
remove_temp_dirs (void)
{
  for (guint i = 0; i < temp_dirs->len; i++)
    remove_tree (g_ptr_array_index (temp_dirs, i));
  g_clear_pointer (&temp_dirs, g_ptr_array_unref);
}

/* libFuzzer leaves through exit() when its time or run count is up, so an atexit handler
 * is the one place to clean up; a crash leaves the directory behind for inspection. */
char *
pv_fuzz_make_temp_dir (const char *prefix)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *template = g_strconcat (prefix, "-XXXXXX", NULL);
  char *path = g_dir_make_tmp (template, &error);

  g_assert_no_error (error);

  if (temp_dirs == NULL)
    {
      temp_dirs = g_ptr_array_new_with_free_func (g_free);
      atexit (remove_temp_dirs);
    }
  g_ptr_array_add (temp_dirs, g_strdup (path));

  return path;
}

/* 0 once the input is used up, so that short inputs still mean something. */
guint8
pv_fuzz_input_take_byte (PvFuzzInput *input)
{
  guint8 byte;

  if (input->size == 0)
    return 0;

  byte = input->data[0];
  input->data++;
  input->size--;

  return byte;
}

/* The bytes up to the next NUL (or the end), which a C string could not hold anyway; an
 * empty string once the input is used up. The bytes are not checked: invalid UTF-8 is
 * part of what the targets feed in. */
char *
pv_fuzz_input_take_string (PvFuzzInput *input)
{
  const guint8 *end = memchr (input->data, '\0', input->size);
  gsize len = end != NULL ? (gsize) (end - input->data) : input->size;
  char *string = g_strndup ((const char *) input->data, len);

  input->data += len;
  input->size -= len;
  if (end != NULL)
    {
      input->data++;
      input->size--;
    }

  return string;
}

gboolean
pv_fuzz_input_is_empty (PvFuzzInput *input)
{
  return input->size == 0;
}
