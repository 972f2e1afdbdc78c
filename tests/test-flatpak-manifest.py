# test-flatpak-manifest.py
#
# Copyright 2026 The PhoneVerify developers
#
# SPDX-License-Identifier: GPL-3.0-or-later

"""Checks the Flatpak manifest offline, since no GNOME runtime can be downloaded here.

    test-flatpak-manifest.py MANIFEST APP_ID COMMAND

Prints TAP. flatpak-builder must parse the manifest with warnings made fatal (so an unknown
key fails), and the manifest must give exactly the sandbox the issue asks for.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

FINISH_ARGS = [
    "--share=network",
    "--share=ipc",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",
]
USUAL_CLEANUP = ["/include", "/lib/pkgconfig", "/share/man", "*.la", "*.a"]

results = []


def check(ok, description, diagnostic=None):
    results.append((bool(ok), description, diagnostic))


def show_manifest(path):
    """Returns flatpak-builder's own reading of the manifest, or None after a failed check."""
    flatpak_builder = shutil.which("flatpak-builder")
    # Looked up here rather than when configuring: build-aux/run.sh configures with tests on
    # but installs only the packages needed to run. A missing flatpak-builder still fails
    # this test rather than skipping it.
    check(flatpak_builder, "flatpak-builder is installed",
          "install it with build-aux/install-deps.sh --tests")
    if not flatpak_builder:
        return None

    env = dict(os.environ, G_DEBUG="fatal-warnings")
    # flatpak-builder creates .flatpak-builder/ in its working directory, even for this.
    with tempfile.TemporaryDirectory() as workdir:
        run = subprocess.run([flatpak_builder, "--show-manifest", os.path.abspath(path)],
                             cwd=workdir, env=env, capture_output=True, text=True)
    status = (f"killed by signal {-run.returncode}" if run.returncode < 0
              else f"exit status {run.returncode}")
    check(run.returncode == 0, "G_DEBUG=fatal-warnings flatpak-builder --show-manifest parses it",
          f"{status}: {run.stderr.strip()}")
    if run.returncode != 0:
        return None
    return json.loads(run.stdout)


def main():
    manifest_path, app_id, command = sys.argv[1:4]

    shown = show_manifest(manifest_path)

    try:
        with open(manifest_path, encoding="utf-8") as manifest_file:
            manifest = json.load(manifest_file)
        check(True, "the manifest is strict JSON")
    except ValueError as error:
        check(False, "the manifest is strict JSON", error)
        manifest = {}

    check(manifest.get("id") == app_id, f"the app id is {app_id}", manifest.get("id"))
    check(manifest.get("runtime") == "org.gnome.Platform", "the runtime is org.gnome.Platform",
          manifest.get("runtime"))
    check(manifest.get("sdk") == "org.gnome.Sdk", "the SDK is org.gnome.Sdk", manifest.get("sdk"))
    check(re.fullmatch(r"[0-9]+", str(manifest.get("runtime-version", ""))),
          "the runtime is a numbered stable branch", manifest.get("runtime-version"))
    check(manifest.get("command") == command, f"the command is {command}",
          manifest.get("command"))

    finish_args = manifest.get("finish-args", [])
    check(len(finish_args) == len(set(finish_args)) and set(finish_args) == set(FINISH_ARGS),
          "finish-args are exactly " + " ".join(FINISH_ARGS), " ".join(finish_args))

    cleanup = manifest.get("cleanup", [])
    check(all(entry in cleanup for entry in USUAL_CLEANUP),
          "cleanup removes headers, pkg-config files, man pages and libtool/static archives",
          " ".join(cleanup))

    modules = manifest.get("modules", [])
    check(len(modules) == 1, "there is one module", f"{len(modules)} modules")
    module = modules[0] if modules else {}
    check(module.get("buildsystem") == "meson", "the module is built with meson",
          module.get("buildsystem"))
    check(module.get("sources") == [{"type": "dir", "path": "."}],
          "the module is built from the local directory", module.get("sources"))
    check("-Dtests=false" in module.get("config-opts", []), "the module is built without tests",
          module.get("config-opts"))

    if shown is not None:
        check((shown.get("id"), shown.get("command"), shown.get("finish-args"))
              == (app_id, command, finish_args),
              "flatpak-builder reads the same app id, command and finish-args",
              (shown.get("id"), shown.get("command"), shown.get("finish-args")))

    for number, (ok, description, diagnostic) in enumerate(results, start=1):
        print(f"{'ok' if ok else 'not ok'} {number} - {description}")
        if not ok and diagnostic is not None:
            print(f"# {diagnostic}")
    print(f"1..{len(results)}")

    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
