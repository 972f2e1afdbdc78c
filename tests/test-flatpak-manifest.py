# test-flatpak-manifest.py
#
# Copyright 2026 The PhoneVerify developers
#
# SPDX-License-Identifier: GPL-3.0-or-later

"""Checks the Flatpak manifest offline, since no GNOME runtime can be downloaded here.

    test-flatpak-manifest.py MANIFEST APP_ID COMMAND

Prints TAP. flatpak-builder must parse the manifest with warnings made fatal (so an unknown
key fails), and the manifest must give exactly the sandbox the issue asks for. The app itself is
the last module, built from this directory; every module before it (libphonenumber and what it
needs, and libpq and libqrencode, which the GNOME SDK lacks) must come from release archives
pinned by https URL and sha256, since nothing here can download them to check.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

FINISH_ARGS = [
    "--share=network",
    "--share=ipc",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",
]
USUAL_CLEANUP = ["/include", "/lib/cmake", "/lib/pkgconfig", "/share/man", "*.la", "*.a"]
APP_MODULE = "phone-verify"
SHA256 = re.compile(r"[0-9a-f]{64}")
# CMake options libphonenumber must be built with: what each turns off, and why it matters here.
LIBPHONENUMBER_OFF = {
    "BUILD_GEOCODER": "the geocoder",
    "BUILD_TESTING": "the tests (which need googletest)",
    "REGENERATE_METADATA": "metadata regeneration (which needs Java)",
    "USE_BOOST": "Boost (not in the SDK)",
}

# libpq comes from a PostgreSQL 15 release, the major version Debian 12 builds the app against.
LIBPQ_ARCHIVE = re.compile(r"https://ftp\.postgresql\.org/pub/source/v(15\.[0-9]+)/"
                           r"postgresql-\1\.tar\.bz2")
# Where libpq's make commands may go: the library and the headers its own headers include.
# Anywhere else, or no -C at all, builds the server and tools the app never runs.
LIBPQ_MAKE_DIRS = {"src/interfaces/libpq", "src/include"}
# configure options libpq must be built with, and why; each entry lists the spellings.
LIBPQ_CONFIGURE = {
    ("--with-ssl=openssl", "--with-openssl"): "OpenSSL, for offices whose server demands TLS",
    ("--without-readline",): "readline, which only psql uses",
    ("--without-icu",): "ICU, which only the server uses",
}

# libqrencode comes from an upstream 4.x release tarball, the major version Debian 12 ships.
QRENCODE_ARCHIVE = re.compile(r"https://fukuchi\.org/works/qrencode/"
                              r"qrencode-4\.[0-9]+\.[0-9]+\.tar\.(gz|bz2)")
# How each build system spells "no qrencode command-line tool": the app only needs the library,
# and the tool would pull in libpng and ship a binary nobody runs.
QRENCODE_NO_TOOLS = {
    "autotools": lambda opts: "--without-tools" in opts or "--with-tools=no" in opts,
    "cmake": lambda opts: str(cmake_options(opts).get("WITH_TOOLS", "")).upper()
    in ("OFF", "FALSE", "NO", "0"),
}
QRENCODE_NO_TOOLS["cmake-ninja"] = QRENCODE_NO_TOOLS["cmake"]

results = []


def check(ok, description, diagnostic=None):
    results.append((bool(ok), description, diagnostic))


def cmake_options(config_opts):
    """Maps each -DNAME[:TYPE]=VALUE in config-opts to its value; a later one wins, as in CMake."""
    options = {}
    for opt in config_opts:
        match = re.fullmatch(r"-D([A-Za-z0-9_]+)(?::[A-Z]+)?=(.*)", str(opt))
        if match:
            options[match.group(1)] = match.group(2)
    return options


def bad_archive_sources(sources):
    """Lists what is wrong with a module's sources: nothing if all are pinned archives."""
    if not isinstance(sources, list) or not sources:
        return ["no sources"]
    problems = []
    for source in sources:
        if not isinstance(source, dict):
            problems.append(f"{source!r} is not written out")
            continue
        url = str(source.get("url", ""))
        parsed = urllib.parse.urlparse(url)
        if source.get("type") != "archive":
            problems.append(f"type {source.get('type')!r} is not archive")
        if parsed.scheme != "https" or not parsed.netloc:
            problems.append(f"url {url!r} is not https")
        if not SHA256.fullmatch(str(source.get("sha256", ""))):
            problems.append(f"{url or source!r} has no sha256 of 64 lowercase hex digits")
    return problems


def make_commands(commands):
    """Maps each make command among a module's build-commands to its -C directory, or None."""
    found = []
    for command in commands:
        try:
            words = shlex.split(str(command))
        except ValueError:
            continue
        if words[:1] != ["make"]:
            continue
        directory = words[words.index("-C") + 1] if "-C" in words[:-1] else None
        found.append((directory, "install" in words))
    return found


def check_libpq(module):
    """libpq alone is built and installed, from a pinned PostgreSQL 15 release."""
    sources = module.get("sources")
    urls = [str(source.get("url", "")) for source in sources or [] if isinstance(source, dict)]
    check(len(urls) == 1 and LIBPQ_ARCHIVE.fullmatch(urls[0]),
          "libpq is built from one PostgreSQL 15 release archive on ftp.postgresql.org", urls)

    commands = module.get("build-commands", [])
    check(module.get("buildsystem") == "simple" and isinstance(commands, list),
          "libpq is built by commands of its own, not PostgreSQL's whole build",
          module.get("buildsystem"))
    if not isinstance(commands, list):
        commands = []

    makes = make_commands(commands)
    check(makes and all(directory in LIBPQ_MAKE_DIRS for directory, _ in makes),
          "every make command runs in " + " or ".join(sorted(LIBPQ_MAKE_DIRS)), makes)
    for directory in sorted(LIBPQ_MAKE_DIRS):
        check((directory, True) in makes, f"make -C {directory} install is run", makes)

    configure = next((shlex.split(str(command)) for command in commands
                      if str(command).startswith("./configure")), [])
    check(any(word.startswith("--prefix=") for word in configure),
          "libpq is configured with an install prefix", configure)
    for spellings, what in LIBPQ_CONFIGURE.items():
        check(any(spelling in configure for spelling in spellings),
              f"libpq is configured with {spellings[0]}: {what}", configure)


def check_qrencode(module):
    """libqrencode alone is built, from a pinned upstream release, without its tool."""
    sources = module.get("sources")
    urls = [str(source.get("url", "")) for source in sources or [] if isinstance(source, dict)]
    check(len(urls) == 1 and QRENCODE_ARCHIVE.fullmatch(urls[0]),
          "libqrencode is built from one qrencode 4 release archive on fukuchi.org", urls)

    buildsystem = module.get("buildsystem", "autotools")
    config_opts = module.get("config-opts", [])
    if not isinstance(config_opts, list):
        config_opts = []
    no_tools = QRENCODE_NO_TOOLS.get(buildsystem)
    check(no_tools and no_tools(config_opts),
          "libqrencode is built without its qrencode tool (--without-tools or -DWITH_TOOLS=NO)",
          (buildsystem, config_opts))


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
          "cleanup removes headers, CMake and pkg-config files, man pages, .la and .a files",
          " ".join(cleanup))

    modules = manifest.get("modules", [])
    if not isinstance(modules, list):
        modules = []
    check(modules and all(isinstance(module, dict) for module in modules),
          "every module is written out in the manifest",
          [module for module in modules if not isinstance(module, dict)] or "no modules")
    modules = [module for module in modules if isinstance(module, dict)]
    names = [module.get("name") for module in modules]
    check(len(names) == len(set(names)), "module names are unique", names)

    app = modules[-1] if modules else {}
    check(app.get("name") == APP_MODULE, f"the {APP_MODULE} module comes last", names)
    check(app.get("buildsystem") == "meson", f"{APP_MODULE} is built with meson",
          app.get("buildsystem"))
    check(app.get("sources") == [{"type": "dir", "path": "."}],
          f"{APP_MODULE} is built from the local directory", app.get("sources"))
    check("-Dtests=false" in app.get("config-opts", []), f"{APP_MODULE} is built without tests",
          app.get("config-opts"))

    for module in modules[:-1]:
        problems = bad_archive_sources(module.get("sources"))
        check(not problems,
              f"module {module.get('name')} is built only from archives pinned by https URL "
              "and sha256", "; ".join(problems))

    dependencies = names[:-1]
    check("libphonenumber" in dependencies, f"libphonenumber is built before {APP_MODULE}", names)
    check("protobuf" in dependencies and "libphonenumber" in dependencies
          and dependencies.index("protobuf") < dependencies.index("libphonenumber"),
          "protobuf is built before libphonenumber", names)
    libphonenumber = next((module for module in modules[:-1]
                           if module.get("name") == "libphonenumber"), {})
    check((libphonenumber.get("buildsystem"), libphonenumber.get("subdir"))
          == ("cmake-ninja", "cpp"),
          "libphonenumber is built with cmake-ninja from its cpp/ directory",
          (libphonenumber.get("buildsystem"), libphonenumber.get("subdir")))
    options = cmake_options(libphonenumber.get("config-opts", []))
    for option, what in LIBPHONENUMBER_OFF.items():
        check(str(options.get(option, "")).upper() in ("OFF", "FALSE", "NO", "0"),
              f"libphonenumber is built without {what}: -D{option}=OFF",
              f"-D{option}={options[option]}" if option in options else f"-D{option} unset")

    check("libpq" in dependencies, f"libpq is built before {APP_MODULE}", names)
    check_libpq(next((module for module in modules[:-1] if module.get("name") == "libpq"), {}))

    check("qrencode" in dependencies, f"qrencode is built before {APP_MODULE}", names)
    check_qrencode(next((module for module in modules[:-1] if module.get("name") == "qrencode"),
                        {}))

    if shown is not None:
        check((shown.get("id"), shown.get("command"), shown.get("finish-args"))
              == (app_id, command, finish_args),
              "flatpak-builder reads the same app id, command and finish-args",
              (shown.get("id"), shown.get("command"), shown.get("finish-args")))
        shown_names = [module.get("name") for module in shown.get("modules", [])
                       if isinstance(module, dict)]
        check(shown_names == names, "flatpak-builder reads the same modules, in the same order",
              shown_names)

    for number, (ok, description, diagnostic) in enumerate(results, start=1):
        print(f"{'ok' if ok else 'not ok'} {number} - {description}")
        if not ok and diagnostic is not None:
            print(f"# {diagnostic}")
    print(f"1..{len(results)}")

    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
