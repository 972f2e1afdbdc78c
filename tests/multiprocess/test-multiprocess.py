#!/usr/bin/env python3
# test-multiprocess.py
#
# Copyright 2026 The PhoneVerify developers
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Many real phone-verify processes on one database at once.

Usage (inside tests/keyring-session.sh, which provides the private D-Bus session, the
unlocked throwaway keyring and private XDG directories):

    test-multiprocess.py PHONE_VERIFY PV_FAKE_TWILIO [--only KEY[,KEY…]] [--postgresql]

where the keys name scenarios: settings, wrong, wrong-right, send, send-again, resend,
lost, first-runs, kill (send-again and resend build on send).

Each scenario gets a fresh database (its own XDG_DATA_HOME) and its own settings: every
spawned process uses GSETTINGS_BACKEND=keyfile with the same keyfile, so they all share the
limits the scenario wrote. The standalone fake Twilio is started by the test, its exports are
passed to every process, and the codes are read from the SMS lines it prints.

With --postgresql, every scenario's processes share a fresh database on a real PostgreSQL
server instead of a SQLite file: the server comes from the pv-test-postgres helper (the
PV_TEST_POSTGRES environment variable names it), and the processes find it through the
shared keyfile settings (database=shared, host, port, name, user), as desks set up in
Preferences would; rows are checked with psql.

Output is TAP. Environment knobs for stress runs: PV_MULTIPROCESS_ROUNDS (rounds of the
wrong-code scenarios, default 10), PV_MULTIPROCESS_PROCESSES (processes per burst, default 20;
first runs use half as many), PV_MULTIPROCESS_FIRST_RUN_ROUNDS (default 5).
"""

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

# ---------------------------------------------------------------------------------------------
# The stable parts of what phone-verify prints. Wording may change (sentence case, no "!"),
# so these are the only places that know it.

# "Wrong code: 4 attempts left." and "Wrong code, and that was the last attempt: …"
WRONG_CODE_RE = re.compile(r'^Wrong code[.:,]', re.M)
ATTEMPTS_LEFT_RE = re.compile(r'(\d+) attempts? left')
LOCKED_RE = re.compile(r'locked', re.I)
SUCCESS_RE = re.compile(r'is now verified', re.I)
UNKNOWN_OUTCOME_RE = re.compile(r'may or may not|unknown', re.I)

# One event per wrong code compared with the digest. The contract calls the kind
# 'check_failed'; the store writes 'check-failed' (src/store/pv-customer.c). Either counts.
CHECK_FAILED_KINDS = ('check_failed', 'check-failed')

# The exit codes of the command-line contract. --verify exits 0 (verified) or 1.
EXIT_SENT = 0
EXIT_VERIFIED = 0
EXIT_FAILED = 1
EXIT_UNKNOWN = 2

SMS_RE = re.compile(r'^SMS to (\+[0-9]+): (.*)$')
EXPORT_RE = re.compile(r'^export ([A-Z_]+)=(.*)$')

# The Twilio client's timeout (DEFAULT_TIMEOUT_SECONDS in src/twilio/pv-twilio-client.c); it
# cannot be changed from the command line or the environment.
CLIENT_TIMEOUT_S = 20
MAX_SLOW_DELAY_S = 35
SECOND_SEND_TIMEOUT_S = 8

APP = None
FAKE = None
WORK = None
POSTGRES = None  # the pv-test-postgres process and its server's URI, with --postgresql
ROUNDS = int(os.environ.get('PV_MULTIPROCESS_ROUNDS', '10'))
PROCESSES = int(os.environ.get('PV_MULTIPROCESS_PROCESSES', '20'))
FIRST_RUN_ROUNDS = int(os.environ.get('PV_MULTIPROCESS_FIRST_RUN_ROUNDS', '5'))
PROCESS_TIMEOUT_S = 30

DEFAULT_SETTINGS = {
    'resend-cooldown': 2,
    'max-attempts': 5,
    'max-sends-per-hour': 5,
    'code-lifetime': 600,
}


def comment(*lines):
    for text in lines:
        for line in str(text).splitlines() or ['']:
            print('# ' + line, flush=True)


def trim(text, limit=300):
    text = ' | '.join(line for line in text.strip().splitlines() if line.strip())
    return text if len(text) <= limit else text[:limit] + '…'


class Failure(Exception):
    """A scenario's expectation that did not hold; its lines are the diagnostics."""

    def __init__(self, *lines):
        super().__init__(lines[0] if lines else 'failed')
        self.lines = lines


# ---------------------------------------------------------------------------------------------
# The standalone fake Twilio.

class Fake:
    """pv-fake-twilio --port 0, with its exports and the SMS it printed."""

    def __init__(self, *options):
        self.argv = [FAKE, '--port', '0', '--delivery-step', '100', *options]
        self.env = {}
        self.sms = []          # (number, body, time.monotonic())
        self.stderr = []
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, bufsize=1)
        self._threads = [threading.Thread(target=self._read_stdout, daemon=True),
                         threading.Thread(target=self._read_stderr, daemon=True)]
        for thread in self._threads:
            thread.start()

        with self.cond:
            ready = self.cond.wait_for(
                lambda: 'TWILIO_PHONE_NUMBER' in self.env or self.proc.poll() is not None,
                timeout=10)
        if not ready or 'TWILIO_PHONE_NUMBER' not in self.env:
            self.stop()
            raise Failure('the fake Twilio did not start: ' + ' '.join(self.argv),
                          'its stderr: ' + trim(''.join(self.stderr)))
        if not re.match(r'^http://127\.0\.0\.1:[0-9]+/?$', self.env['PHONE_VERIFY_TWILIO_API_URL']):
            self.stop()
            raise Failure('unexpected sandbox URL ' + self.env['PHONE_VERIFY_TWILIO_API_URL'])

    def _read_stdout(self):
        for line in self.proc.stdout:
            line = line.rstrip('\n')
            with self.cond:
                match = EXPORT_RE.match(line)
                if match:
                    self.env[match.group(1)] = match.group(2)
                match = SMS_RE.match(line)
                if match:
                    self.sms.append((match.group(1), match.group(2), time.monotonic()))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def _read_stderr(self):
        for line in self.proc.stderr:
            with self.cond:
                self.stderr.append(line)

    def bodies(self, number):
        with self.cond:
            return [body for to, body, _ in self.sms if to == number]

    def count(self, number):
        return len(self.bodies(number))

    def wait_for_count(self, number, count, timeout=5.0, settle=0.3):
        """Waits until @number had at least @count texts, then a little longer for stragglers."""
        with self.cond:
            self.cond.wait_for(lambda: len([1 for to, _, _ in self.sms if to == number]) >= count,
                               timeout=timeout)
        time.sleep(settle)
        return self.count(number)

    def codes(self, number):
        codes = []
        for body in self.bodies(number):
            # The code is the only run of 4 to 10 digits; "Valid for 10 min." has two.
            match = re.search(r'(?<![0-9])([0-9]{4,10})(?![0-9])', body)
            codes.append(match.group(1) if match else None)
        return codes

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for thread in self._threads:
            thread.join(timeout=2)


_fake_help = None


def fake_help():
    global _fake_help
    if _fake_help is None:
        result = subprocess.run([FAKE, '--help'], capture_output=True, text=True, timeout=10)
        _fake_help = result.stdout + result.stderr
    return _fake_help


def fault_unavailable(fault, *extra_options):
    """None if the standalone fake can run @fault, else why not (for a TAP SKIP)."""
    help_text = fake_help()
    if '--fault' not in help_text:
        return 'fault options not available'
    for option in extra_options:
        if option not in help_text:
            return 'fault options not available (no %s)' % option
    # The option exists: does it take this fault? Starting it tells.
    argv = [FAKE, '--port', '0', '--fault', fault]
    if '--slow-delay' in extra_options:
        argv += ['--slow-delay', '100']
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=1.5)
        return 'fault options not available (--fault %s: %s)' % (fault, trim(err or out, 120))
    except subprocess.TimeoutExpired:
        proc.terminate()
        proc.communicate()
        return None


# ---------------------------------------------------------------------------------------------
# PostgreSQL, with --postgresql.

def sql_literal(value):
    if value is None:
        return 'NULL'
    if isinstance(value, (int, float)):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def psql_rows(uri, sql, args=()):
    """Runs @sql (with sqlite3-style ? placeholders) with psql: (column names, rows), where
    NULL is None and whole numbers are ints, as the sqlite3 module gives them."""
    parts = sql.split('?')
    if len(parts) != len(args) + 1:
        raise Failure('psql: %d placeholders for %d values' % (len(parts) - 1, len(args)))
    text = parts[0] + ''.join(sql_literal(a) + p for a, p in zip(args, parts[1:]))
    proc = subprocess.run(['psql', '--no-psqlrc', '-X', '-q', '-A', '-F', '\x1f', '-P',
                           'null=\\N', '-P', 'footer=off', '-v', 'ON_ERROR_STOP=1', '-d', uri,
                           '-c', text], capture_output=True, text=True, timeout=30)
    if proc.returncode != 0:
        raise Failure('psql failed: ' + trim(proc.stderr))
    # Not splitlines(): it also splits at the separator characters.
    lines = [line for line in proc.stdout.split('\n') if line]
    if not lines:
        return [], []

    def value(field):
        if field == '\\N':
            return None
        return int(field) if re.fullmatch(r'-?[0-9]+', field) else field
    names = lines[0].split('\x1f')
    return names, [tuple(value(f) for f in line.split('\x1f')) for line in lines[1:]]


class Postgres:
    """A throwaway server for the whole run, from pv-test-postgres."""

    def __init__(self):
        helper = os.environ.get('PV_TEST_POSTGRES')
        if not helper:
            raise Failure('--postgresql needs PV_TEST_POSTGRES, the pv-test-postgres helper')
        self.helper = helper
        self.proc = subprocess.Popen([helper, 'start'], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.exports = {}
        for line in self.proc.stdout:
            match = EXPORT_RE.match(line.strip())
            if match:
                self.exports[match.group(1)] = match.group(2).strip("'\"")
            if 'PV_TEST_POSTGRES_URI' in self.exports and 'PV_TEST_POSTGRES_PID' in self.exports:
                break
        if 'PV_TEST_POSTGRES_URI' not in self.exports:
            self.proc.kill()
            raise Failure('pv-test-postgres did not start a server',
                          *trim(self.proc.stderr.read()).splitlines())
        self.uri = self.exports['PV_TEST_POSTGRES_URI']

    def create_database(self, prefix):
        proc = subprocess.run([self.helper, 'createdb', self.uri, prefix], capture_output=True,
                              text=True, timeout=30)
        if proc.returncode != 0:
            raise Failure('pv-test-postgres createdb failed: ' + trim(proc.stderr))
        return proc.stdout.strip().splitlines()[-1]

    @staticmethod
    def settings_for(uri):
        """The keyfile settings a desk's Preferences would write for @uri."""
        match = re.fullmatch(r'postgres(?:ql)?://([^@/]+)@([^:/]+):([0-9]+)/([^?]+).*', uri)
        if match is None:
            raise Failure('cannot read the test server address ' + uri)
        user, host, port, name = match.groups()
        return {'database': "'shared'", 'database-host': "'%s'" % host,
                'database-port': int(port), 'database-name': "'%s'" % name,
                'database-user': "'%s'" % user, 'database-tls': "'disable'"}

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


# ---------------------------------------------------------------------------------------------
# A scenario's private world: its database, its settings, its environment.

class World:
    def __init__(self, name, **settings):
        self.dir = tempfile.mkdtemp(prefix=name + '.', dir=WORK)
        self.data_home = os.path.join(self.dir, 'data')
        self.config_home = os.path.join(self.dir, 'config')
        os.makedirs(self.data_home)
        os.makedirs(os.path.join(self.config_home, 'glib-2.0', 'settings'))
        self.settings = dict(DEFAULT_SETTINGS)
        self.pg_uri = None
        if POSTGRES is not None:
            self.pg_uri = POSTGRES.create_database(name.replace('-', '_'))
            self.settings.update(POSTGRES.settings_for(self.pg_uri))
        self.set_settings(**settings)

    def set_settings(self, **settings):
        for key, value in settings.items():
            self.settings[key.replace('_', '-')] = value
        path = os.path.join(self.config_home, 'glib-2.0', 'settings', 'keyfile')
        with open(path + '.tmp', 'w') as keyfile:
            keyfile.write('[com/example/PhoneVerify]\n')
            for key, value in sorted(self.settings.items()):
                keyfile.write('%s=%s\n' % (key, value))
        os.replace(path + '.tmp', path)

    def env(self, fake):
        env = dict(os.environ)
        env.update(fake.env)
        env.update({
            'GSETTINGS_BACKEND': 'keyfile',
            'XDG_DATA_HOME': self.data_home,
            'XDG_CONFIG_HOME': self.config_home,
            'LC_ALL': 'C.UTF-8',
            'LANGUAGE': '',
        })
        return env

    @property
    def db_path(self):
        return os.path.join(self.data_home, 'phone-verify', 'phone-verify.db')

    def query(self, sql, args=()):
        if self.pg_uri is not None:
            return psql_rows(self.pg_uri, sql, args)[1]
        if not os.path.exists(self.db_path):
            raise Failure('no database at ' + self.db_path)
        connection = sqlite3.connect(self.db_path, timeout=10)
        try:
            return connection.execute(sql, args).fetchall()
        finally:
            connection.close()

    def customer(self, number):
        """The customer row as a dict, or None."""
        if self.pg_uri is not None:
            names, rows = psql_rows(self.pg_uri, 'SELECT * FROM customers WHERE number = ?',
                                    (number,))
            return dict(zip(names, rows[0])) if rows else None
        if not os.path.exists(self.db_path):
            return None
        connection = sqlite3.connect(self.db_path, timeout=10)
        connection.row_factory = sqlite3.Row
        try:
            row = connection.execute('SELECT * FROM customers WHERE number = ?',
                                     (number,)).fetchone()
            return dict(row) if row is not None else None
        finally:
            connection.close()

    def check_failed_events(self, number):
        marks = ','.join('?' * len(CHECK_FAILED_KINDS))
        return self.query('SELECT count(*) FROM events WHERE number = ? AND kind IN (%s)' % marks,
                          (number, *CHECK_FAILED_KINDS))[0][0]

    def describe(self, number):
        row = self.customer(number)
        if row is None:
            return 'no customer row for %s' % number
        keys = ('status', 'failed_attempts', 'sends_in_window', 'last_sent_at', 'verified_at')
        text = ', '.join('%s=%r' % (key, row.get(key)) for key in keys)
        return '%s: %s, code_digest %s' % (number, text,
                                           'set' if row.get('code_digest') else 'NULL')


# ---------------------------------------------------------------------------------------------
# Running phone-verify.

class Result:
    def __init__(self, argv, rc, out, err, seconds):
        self.argv, self.rc, self.out, self.err, self.seconds = argv, rc, out, err, seconds

    @property
    def text(self):
        return self.out + self.err

    def short(self):
        verb = ' '.join(a for a in self.argv[1:] if a.startswith('--') and a != '--code')
        return 'rc=%s %s: %s' % (self.rc, verb, trim(self.text, 200) or '(printed nothing)')


def run_one(argv, env, stdin=None, timeout=PROCESS_TIMEOUT_S):
    start = time.monotonic()
    try:
        proc = subprocess.run(argv, env=env, input=stdin if stdin is not None else '',
                              capture_output=True, text=True, timeout=timeout)
        rc, out, err = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as e:
        def text(b):
            return b.decode(errors='replace') if isinstance(b, bytes) else (b or '')
        rc, out, err = 'timeout', text(e.stdout), text(e.stderr) + '\n(killed after %ss)' % timeout
    return Result(argv, rc, out, err, time.monotonic() - start)


def run_many(argvs, env, timeout=PROCESS_TIMEOUT_S):
    """Runs every argv at once: the threads meet at a barrier and spawn together."""
    results = [None] * len(argvs)
    barrier = threading.Barrier(len(argvs))

    def worker(i):
        try:
            barrier.wait(timeout=30)
        except threading.BrokenBarrierError:
            pass
        results[i] = run_one(argvs[i], env, timeout=timeout)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(argvs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # A process that hangs is a failure of its own; stopping here keeps the test's time bounded.
    hung = [r for r in results if r.rc == 'timeout']
    if hung:
        raise Failure('%d of %d processes did not finish within %d s'
                      % (len(hung), len(results), timeout), *summarize(results))
    return results


def send_code(number):
    return [APP, '--send-code', number]


def resend(number):
    return [APP, '--resend', number]


def verify(number, code):
    return [APP, '--verify', number, '--code', code]


def summarize(results, indices=None):
    """Groups results by exit code and first line printed, for compact diagnostics."""
    groups = {}
    for i, result in enumerate(results):
        if indices is not None and i not in indices:
            continue
        key = result.short()
        groups[key] = groups.get(key, 0) + 1
    return ['  %2d× %s' % (n, key) for key, n in sorted(groups.items(), key=lambda kv: -kv[1])]


def wrong_codes(code, count):
    """@count distinct codes of the same length, none of them @code."""
    length, value = len(code), int(code)
    codes, step = [], 1
    while len(codes) < count:
        candidate = str((value + step * 7919) % (10 ** length)).zfill(length)
        if candidate != code and candidate not in codes:
            codes.append(candidate)
        step += 1
    return codes


def number_for(scenario, round_):
    """Twilio-style valid test numbers, +1415555SRRR; never the magic +1500555000x."""
    return '+1415555%d%03d' % (scenario, round_)


def send_and_read_code(world, fake, number):
    """Sends @number a code with one process and returns the code the fake printed."""
    before = fake.count(number)
    result = run_one(send_code(number), world.env(fake))
    if result.rc != EXIT_SENT:
        raise Failure('setup: --send-code %s failed' % number, '  ' + result.short())
    if fake.wait_for_count(number, before + 1, settle=0) < before + 1:
        raise Failure('setup: the fake printed no SMS for %s' % number, '  ' + result.short())
    code = fake.codes(number)[-1]
    if code is None:
        raise Failure('setup: no code in the SMS ' + fake.bodies(number)[-1])
    return code


def wait_past_cooldown(world, since):
    """Sleeps until the cooldown that started no later than @since (time.time()) has passed.
    The app counts whole seconds, so a second more covers both floor and a strict "after"."""
    remaining = since + world.settings['resend-cooldown'] + 1.1 - time.time()
    if remaining > 0:
        time.sleep(remaining)


# ---------------------------------------------------------------------------------------------
# Scenarios. Each returns None when it passed, raises Failure with diagnostics otherwise, or
# returns ('skip', reason).

def scenario_settings_shared(fake):
    """The keyfile backend really carries the scenario's settings to every process."""
    world = World('settings', max_attempts=3, resend_cooldown=3)
    env = world.env(fake)
    number = number_for(0, 1)
    problems = []

    start = time.time()
    code = send_and_read_code(world, fake, number)
    sent_by = time.time()
    wrong = wrong_codes(code, 3)

    first = run_one(verify(number, wrong[0]), env)
    match = ATTEMPTS_LEFT_RE.search(first.text)
    if not WRONG_CODE_RE.search(first.text) or not match or match.group(1) != '2':
        problems.append('one wrong code with max-attempts=3 should leave 2 attempts: '
                        + first.short())
    for code_ in wrong[1:]:
        run_one(verify(number, code_), env)

    # The code is locked now, so --send-code may send another one, but not within the 3 s.
    early = run_one(send_code(number), env)
    early_elapsed = time.time() - start
    # The app's seconds are whole, so the cooldown may end up to a second before start + 3.
    if early_elapsed < world.settings['resend-cooldown'] - 1.2:
        if early.rc == EXIT_SENT or fake.wait_for_count(number, 2, timeout=0.5) != 1:
            problems.append('--send-code %.1f s after the last code, inside the 3 s cooldown, '
                            'exited 0 or sent an SMS: %s' % (early_elapsed, early.short()))
    else:
        comment('settings: too slow (%.1f s) to check the inside of the cooldown' % early_elapsed)

    # With the default cooldown (30 s) this would be refused.
    wait_past_cooldown(world, sent_by)
    late = run_one(send_code(number), env)
    if late.rc != EXIT_SENT or fake.wait_for_count(number, 2) != 2:
        problems.append('no new code after the 3 s cooldown of the keyfile: ' + late.short())

    if problems:
        raise Failure(*problems, world.describe(number))


def scenario_concurrent_wrong_codes(fake):
    """20 concurrent wrong codes against one pending code: exactly max-attempts compared."""
    world = World('wrong-codes', max_attempts=5)
    env = world.env(fake)
    max_attempts = world.settings['max-attempts']
    failures = []
    first_detail = None

    for round_ in range(ROUNDS):
        number = number_for(1, round_)
        code = send_and_read_code(world, fake, number)
        results = run_many([verify(number, c) for c in wrong_codes(code, PROCESSES)], env)

        wrong = [i for i, r in enumerate(results) if WRONG_CODE_RE.search(r.text)]
        locked = [i for i, r in enumerate(results)
                  if i not in wrong and LOCKED_RE.search(r.text)]
        exited_zero = [i for i, r in enumerate(results) if r.rc == EXIT_VERIFIED]
        odd_exits = [r.rc for r in results if r.rc not in (EXIT_VERIFIED, EXIT_FAILED)]
        events = world.check_failed_events(number)
        row = world.customer(number) or {}
        right = run_one(verify(number, code), env)

        problems = []
        if len(wrong) != max_attempts:
            problems.append('%d wrong-code messages instead of %d' % (len(wrong), max_attempts))
        if len(locked) != PROCESSES - max_attempts:
            problems.append('%d locked messages instead of %d'
                            % (len(locked), PROCESSES - max_attempts))
        if exited_zero:
            problems.append('%d processes with a wrong code exited 0' % len(exited_zero))
        if odd_exits:
            problems.append('exit codes %s, not 1' % sorted(set(odd_exits), key=str))
        if events != max_attempts:
            problems.append('%d check_failed events instead of %d' % (events, max_attempts))
        if row.get('failed_attempts') != max_attempts:
            problems.append('failed_attempts %r instead of %d'
                            % (row.get('failed_attempts'), max_attempts))
        if right.rc == 0 or SUCCESS_RE.search(right.text) or not LOCKED_RE.search(right.text):
            problems.append('the right code afterwards was not refused as locked: '
                            + right.short())
        if problems:
            failures.append('round %d: %s' % (round_ + 1, ', '.join(problems)))
            if first_detail is None:
                first_detail = (['round %d, what the %d processes printed:'
                                 % (round_ + 1, PROCESSES)] + summarize(results)
                                + [world.describe(number)])

    if failures:
        raise Failure('%d of %d rounds failed' % (len(failures), ROUNDS), *failures,
                      *(first_detail or []))


def scenario_wrong_and_right(fake):
    """19 wrong codes and the right one at once: at most max-attempts compared, and a success
    is final."""
    world = World('wrong-and-right', max_attempts=5)
    env = world.env(fake)
    max_attempts = world.settings['max-attempts']
    failures = []
    first_detail = None
    successes = 0

    for round_ in range(ROUNDS):
        number = number_for(2, round_)
        code = send_and_read_code(world, fake, number)
        argvs = [verify(number, c) for c in wrong_codes(code, PROCESSES - 1)]
        right_index = (round_ * 7) % PROCESSES
        argvs.insert(right_index, verify(number, code))
        results = run_many(argvs, env)

        right = results[right_index]
        others = [r for i, r in enumerate(results) if i != right_index]
        succeeded = bool(SUCCESS_RE.search(right.text))
        successes += succeeded
        wrong_messages = sum(1 for r in others if WRONG_CODE_RE.search(r.text))
        events = world.check_failed_events(number)
        row = world.customer(number) or {}

        problems = []
        if [r for r in others if r.rc == 0]:
            problems.append('%d processes with a wrong code exited 0'
                            % len([r for r in others if r.rc == 0]))
        if [r for r in results if r.rc not in (EXIT_VERIFIED, EXIT_FAILED)]:
            problems.append('exit codes %s, where --verify exits 0 or 1'
                            % sorted({r.rc for r in results}, key=str))
        if [r for r in others if SUCCESS_RE.search(r.text)]:
            problems.append('a process with a wrong code printed success')
        if events > max_attempts:
            problems.append('%d wrong-code comparisons (check_failed events), more than %d'
                            % (events, max_attempts))
        if wrong_messages > max_attempts:
            problems.append('%d wrong-code messages, more than %d'
                            % (wrong_messages, max_attempts))
        if wrong_messages != events:
            problems.append('%d wrong-code messages but %d check_failed events'
                            % (wrong_messages, events))
        if succeeded:
            if right.rc != 0:
                problems.append('the right code printed success but exited %s' % right.rc)
            if row.get('status') != 'verified' or not row.get('verified_at'):
                problems.append('success was printed but the customer ends %s'
                                % world.describe(number))
            again = run_one(verify(number, code), env)
            if again.rc == 0 or SUCCESS_RE.search(again.text):
                problems.append('the right code verified a second time: ' + again.short())
            row = world.customer(number) or {}
            if row.get('status') != 'verified':
                problems.append('no longer verified after the second try: '
                                + world.describe(number))
        else:
            if right.rc == 0:
                problems.append('the right code exited 0 without printing success: '
                                + right.short())
            if not LOCKED_RE.search(right.text):
                problems.append('the right code was refused, but not as locked: ' + right.short())
            if events != max_attempts:
                problems.append('the right code was refused after %d wrong comparisons, not %d'
                                % (events, max_attempts))
            if row.get('status') != 'pending':
                problems.append('the right code was refused but the customer ends '
                                + world.describe(number))
        if problems:
            failures.append('round %d (right code %s): %s'
                            % (round_ + 1, 'succeeded' if succeeded else 'refused',
                               ', '.join(problems)))
            if first_detail is None:
                first_detail = (['round %d, the right code: %s' % (round_ + 1, right.short()),
                                 'the %d wrong codes:' % len(others)] + summarize(others)
                                + [world.describe(number)])

    comment('wrong-and-right: the right code won %d of %d rounds' % (successes, ROUNDS))
    if failures:
        raise Failure('%d of %d rounds failed' % (len(failures), ROUNDS), *failures,
                      *(first_detail or []))


def check_one_send(world, fake, number, results, before_sms, before_sends, what):
    """Exactly one process sent, exactly one SMS went out, sends_in_window rose by one."""
    sent = [i for i, r in enumerate(results) if r.rc == EXIT_SENT]
    silent = [r for r in results if not r.text.strip()]
    odd_exits = [r.rc for r in results if r.rc not in (EXIT_SENT, EXIT_FAILED)]
    after_sms = fake.wait_for_count(number, before_sms + 1)
    row = world.customer(number)
    problems = []
    if after_sms - before_sms != 1:
        problems.append('the fake printed %d SMS instead of 1' % (after_sms - before_sms))
    if len(sent) != 1:
        problems.append('%d processes exited 0 instead of 1' % len(sent))
    if silent:
        problems.append('%d processes printed nothing' % len(silent))
    if odd_exits:
        # Exit 2 means an answer was lost, and this fake answers every request.
        problems.append('exit codes %s besides 0 and 1' % sorted(set(odd_exits), key=str))
    if row is None:
        problems.append('no customer row afterwards')
    elif row.get('sends_in_window') != before_sends + 1:
        problems.append('sends_in_window went from %s to %s instead of rising by 1'
                        % (before_sends, row.get('sends_in_window')))
    if problems:
        raise Failure('%s: %s' % (what, ', '.join(problems)),
                      'what the %d processes printed:' % len(results), *summarize(results),
                      world.describe(number))


class SendBurst:
    """Scenario 3 in three steps that share one number and one database."""

    def __init__(self):
        self.world = None
        self.number = number_for(3, 0)
        self.last_burst_end = None

    def first(self, fake):
        """20 concurrent --send-code to a new number on a fresh database."""
        # max-attempts 1: one wrong code locks the code, so the next --send-code may send.
        self.world = World('send-burst', max_attempts=1, resend_cooldown=2)
        env = self.world.env(fake)
        results = run_many([send_code(self.number)] * PROCESSES, env)
        self.last_burst_end = time.time()
        check_one_send(self.world, fake, self.number, results, 0, 0,
                       '%d concurrent --send-code to a new number' % PROCESSES)

    def again(self, fake):
        """After the cooldown, 20 concurrent --send-code to the known number whose code is
        locked (a live code would rightly not be replaced by --send-code)."""
        if self.world is None:
            return ('skip', 'the first burst did not run')
        env = self.world.env(fake)
        codes = [c for c in fake.codes(self.number) if c]
        if codes:
            lock = run_one(verify(self.number, wrong_codes(codes[-1], 1)[0]), env)
            if not LOCKED_RE.search(lock.text):
                raise Failure('setup: a wrong code with max-attempts 1 did not lock the code: '
                              + lock.short(), self.world.describe(self.number))
        before = self.world.customer(self.number) or {}
        before_sms = fake.count(self.number)
        wait_past_cooldown(self.world, self.last_burst_end)
        results = run_many([send_code(self.number)] * PROCESSES, env)
        self.last_burst_end = time.time()
        check_one_send(self.world, fake, self.number, results, before_sms,
                       before.get('sends_in_window') or 0,
                       '%d concurrent --send-code to a known number, code locked, cooldown '
                       'passed' % PROCESSES)

    def resend(self, fake):
        """After the cooldown, 20 concurrent --resend: one new code, and it is the one that
        verifies."""
        if self.world is None:
            return ('skip', 'the first burst did not run')
        env = self.world.env(fake)
        before = self.world.customer(self.number) or {}
        before_sms = fake.count(self.number)
        wait_past_cooldown(self.world, self.last_burst_end)
        results = run_many([resend(self.number)] * PROCESSES, env)
        check_one_send(self.world, fake, self.number, results, before_sms,
                       before.get('sends_in_window') or 0,
                       '%d concurrent --resend after the cooldown' % PROCESSES)
        code = fake.codes(self.number)[-1]
        check = run_one(verify(self.number, code), env)
        if check.rc != 0 or not SUCCESS_RE.search(check.text):
            raise Failure('the code of the one text that went out does not verify: '
                          + check.short(), self.world.describe(self.number))


def secret_service(*args):
    return subprocess.run(['gdbus', 'call', '--session', '--dest', 'org.freedesktop.secrets',
                           *args], capture_output=True, text=True, timeout=20)


def digest_key_items():
    result = secret_service('--object-path', '/org/freedesktop/secrets', '--method',
                            'org.freedesktop.Secret.Service.SearchItems',
                            "{'xdg:schema': 'com.example.PhoneVerify.DigestKey'}")
    if result.returncode != 0:
        raise Failure('cannot search the keyring: ' + trim(result.stderr))
    return re.findall(r"'(/org/freedesktop/secrets/[^']+)'", result.stdout)


def delete_digest_keys():
    for path in digest_key_items():
        result = secret_service('--object-path', path, '--method',
                                'org.freedesktop.Secret.Item.Delete')
        if result.returncode != 0:
            raise Failure('cannot delete %s from the keyring: %s' % (path, trim(result.stderr)))
    left = digest_key_items()
    if left:
        raise Failure('the digest key is still in the keyring: %s' % left)


def scenario_first_runs(fake):
    """10 concurrent first runs on a keyring without a digest key: every code texted verifies."""
    if shutil.which('gdbus') is None:
        return ('skip', 'gdbus is not installed')
    world = World('first-runs')
    env = world.env(fake)
    count = max(2, PROCESSES // 2)
    failures = []
    first_detail = None

    for round_ in range(FIRST_RUN_ROUNDS):
        delete_digest_keys()
        numbers = [number_for(4, round_ * 100 + i) for i in range(count)]
        sends = run_many([send_code(n) for n in numbers], env)
        keys = len(digest_key_items())
        problems = []
        unsent = [r for r in sends if r.rc != EXIT_SENT]
        if unsent:
            problems.append('%d of %d --send-code failed' % (len(unsent), count))
        not_verified = []
        deadline = time.monotonic() + 5  # for all the texts together, not for each
        for number in numbers:
            if fake.wait_for_count(number, 1, timeout=max(0.0, deadline - time.monotonic()),
                                   settle=0) < 1:
                continue
            code = fake.codes(number)[-1]
            check = run_one(verify(number, code), env)
            if check.rc != 0 or not SUCCESS_RE.search(check.text):
                not_verified.append('%s: %s' % (number, check.short()))
        texted = sum(1 for n in numbers if fake.count(n) >= 1)
        if texted != count:
            problems.append('only %d of %d numbers were texted' % (texted, count))
        if not_verified:
            problems.append('%d of %d texted codes do not verify' % (len(not_verified), texted))
        comment('first-runs round %d: %d digest key item(s) in the keyring afterwards'
                % (round_ + 1, keys))
        if problems:
            failures.append('round %d: %s (%d digest key items in the keyring)'
                            % (round_ + 1, ', '.join(problems), keys))
            if first_detail is None:
                first_detail = (['round %d, the sends:' % (round_ + 1)] + summarize(sends)
                                + ['codes that did not verify:']
                                + ['  ' + line for line in not_verified[:5]])

    if failures:
        raise Failure('%d of %d rounds failed' % (len(failures), FIRST_RUN_ROUNDS), *failures,
                      *(first_detail or []))


def lost_answer(fault, index):
    """A send whose answer is lost after Twilio processed it: outcome unknown, code kept."""
    options = ['--fault', fault]
    if fault == 'slow':
        delay = CLIENT_TIMEOUT_S + 2
        if delay > MAX_SLOW_DELAY_S:
            return ('skip', 'the client timeout (%d s) cannot be lowered and is too long to wait'
                    % CLIENT_TIMEOUT_S)
        options += ['--slow-delay', str(delay * 1000)]
    why_not = fault_unavailable(fault, *options[2:3])
    if why_not:
        return ('skip', why_not)

    # A long cooldown: the second --send-code below must fall inside it.
    world = World('lost-' + fault, resend_cooldown=300)
    number = number_for(5, index)
    fake = Fake(*options)
    try:
        env = world.env(fake)
        first = run_one(send_code(number), env, timeout=CLIENT_TIMEOUT_S + 30)
        texts = fake.wait_for_count(number, 1)
        row = world.customer(number)
        problems = []
        if first.rc != EXIT_UNKNOWN:
            problems.append('--send-code exited %s instead of %d' % (first.rc, EXIT_UNKNOWN))
        if not UNKNOWN_OUTCOME_RE.search(first.text):
            problems.append('its message does not say the text may or may not arrive')
        if texts != 1:
            problems.append('the fake printed %d SMS instead of 1' % texts)
        if row is None:
            problems.append('the customer row is gone')
        elif not row.get('code_digest'):
            problems.append('the customer has no code_digest')

        # Refusing needs only the database, so a second send that takes longer went to Twilio.
        second = run_one(send_code(number), env, timeout=SECOND_SEND_TIMEOUT_S)
        if second.rc == 'timeout':
            problems.append('a second --send-code inside the cooldown did not return within '
                            '%d s, so it went to Twilio' % SECOND_SEND_TIMEOUT_S)
        if fake.wait_for_count(number, 2, timeout=1) != 1:
            problems.append('a second --send-code inside the cooldown sent another SMS: '
                            + second.short())
        if second.rc == EXIT_SENT:
            problems.append('a second --send-code inside the cooldown exited 0: '
                            + second.short())

        if texts >= 1:
            check = run_one(verify(number, fake.codes(number)[0]), env)
            if check.rc != 0 or not SUCCESS_RE.search(check.text):
                problems.append('the code that was texted does not verify: ' + check.short())
        if problems:
            raise Failure('--fault %s: %s' % (fault, ', '.join(problems)),
                          'first --send-code (%.1f s): %s' % (first.seconds, first.short()),
                          'second --send-code: ' + second.short(),
                          'customer right after the first send: '
                          + ('none' if row is None else
                             'status=%s code_digest=%s' % (row.get('status'),
                                                           'set' if row.get('code_digest')
                                                           else 'NULL')),
                          'now: ' + world.describe(number))
    finally:
        fake.stop()


LOST_ANSWER_FAULTS = ['drop-after-processing', '500-after-processing', 'slow']


def start_lost_answers():
    """Starts the three lost-answer faults, each with its own fake and database, side by side
    and in the background: the slow one mostly waits out the client timeout, so they run while
    the other scenarios do. Returns a function that waits for them and gives
    (fault, outcome, seconds) for each."""
    faults = LOST_ANSWER_FAULTS
    outcomes = [None] * len(faults)
    timings = [0.0] * len(faults)

    def worker(i):
        start = time.monotonic()
        try:
            outcomes[i] = lost_answer(faults[i], i)
        except Failure as failure:
            outcomes[i] = failure
        except Exception as error:  # noqa: BLE001 - reported as a failure, not a crash
            outcomes[i] = Failure('%s: %r' % (faults[i], error))
        timings[i] = time.monotonic() - start

    threads = [threading.Thread(target=worker, args=(i,), daemon=True)
               for i in range(len(faults))]
    for thread in threads:
        thread.start()

    def finish():
        for thread in threads:
            thread.join()
        return list(zip(faults, outcomes, timings))

    return finish


def scenario_kill_mid_send(_fake):
    """kill -9 after Twilio took the text but before it answered: the next --send-code says
    the outcome is unknown, and --resend after the cooldown works."""
    why_not = fault_unavailable('slow', '--slow-delay')
    if why_not:
        return ('skip', why_not)
    world = World('kill-mid-send', resend_cooldown=2)
    number = number_for(6, 0)
    slow = Fake('--fault', 'slow', '--slow-delay', '10000')
    fresh = None
    try:
        proc = subprocess.Popen(send_code(number), env=world.env(slow), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        texted = slow.wait_for_count(number, 1, timeout=15, settle=0.1)
        proc.kill()  # SIGKILL, by the pid of the process this test started
        out, err = proc.communicate()
        killed_at = time.time()
        if texted != 1:
            raise Failure('the slow fake printed %d SMS before the kill' % texted,
                          'phone-verify (rc %s): %s' % (proc.returncode, trim(out + err)))
        if proc.returncode != -signal.SIGKILL:
            raise Failure('phone-verify finished (rc %s) before it could be killed: %s'
                          % (proc.returncode, trim(out + err)))

        fresh = Fake()
        env = world.env(fresh)
        problems = []
        after_kill = run_one(send_code(number), env)
        if after_kill.rc == EXIT_SENT:
            problems.append('--send-code after the kill exited 0')
        if not UNKNOWN_OUTCOME_RE.search(after_kill.text):
            problems.append('--send-code after the kill does not say the outcome is unknown')
        if fresh.wait_for_count(number, 1, timeout=0.5) != 0 or slow.count(number) != 1:
            problems.append('--send-code after the kill sent another SMS')

        wait_past_cooldown(world, killed_at)
        again = run_one(resend(number), env)
        if again.rc != EXIT_SENT:
            problems.append('--resend after the cooldown exited %s instead of 0' % again.rc)
        if fresh.wait_for_count(number, 1) != 1:
            problems.append('--resend after the cooldown sent %d SMS instead of 1'
                            % fresh.count(number))
        else:
            check = run_one(verify(number, fresh.codes(number)[-1]), env)
            if check.rc != 0 or not SUCCESS_RE.search(check.text):
                problems.append('the resent code does not verify: ' + check.short())
        if problems:
            raise Failure(', '.join(problems),
                          '--send-code after the kill: ' + after_kill.short(),
                          '--resend: ' + again.short(),
                          world.describe(number))
    finally:
        slow.stop()
        if fresh is not None:
            fresh.stop()


# ---------------------------------------------------------------------------------------------

class Tap:
    def __init__(self, total):
        self.number = 0
        self.failed = 0
        print('1..%d' % total, flush=True)

    def report(self, name, outcome, seconds):
        self.number += 1
        if isinstance(outcome, tuple) and outcome and outcome[0] == 'skip':
            print('ok %d - %s # SKIP %s' % (self.number, name, outcome[1]), flush=True)
        elif isinstance(outcome, Failure):
            self.failed += 1
            print('not ok %d - %s' % (self.number, name), flush=True)
            comment(*outcome.lines)
        else:
            print('ok %d - %s' % (self.number, name), flush=True)
        comment('%s took %.1f s' % (name, seconds))

    def skip(self, name, reason):
        self.number += 1
        print('ok %d - %s # SKIP %s' % (self.number, name, reason), flush=True)


def run_scenario(function, *args):
    start = time.monotonic()
    try:
        outcome = function(*args)
    except Failure as failure:
        outcome = failure
    except Exception as error:  # noqa: BLE001 - a crash of the test is a failed scenario
        import traceback
        outcome = Failure('the test itself crashed: %r' % error,
                          *traceback.format_exc().splitlines())
    return outcome, time.monotonic() - start


def main(argv):
    global APP, FAKE, WORK, POSTGRES
    on_postgres = '--postgresql' in argv
    argv = [a for a in argv if a != '--postgresql']
    if len(argv) not in (3, 5) or (len(argv) == 5 and argv[3] != '--only'):
        print('usage: %s PHONE_VERIFY PV_FAKE_TWILIO [--only KEY[,KEY…]] [--postgresql]'
              % argv[0], file=sys.stderr)
        return 99
    APP, FAKE = os.path.abspath(argv[1]), os.path.abspath(argv[2])
    only = set(argv[4].split(',')) if len(argv) == 5 else None

    if not os.environ.get('KEYRING_SESSION_DIR'):
        print('Bail out! run inside tests/keyring-session.sh: this test deletes keyring items',
              flush=True)
        return 99

    burst = SendBurst()
    lost_names = {
        'drop-after-processing': 'answer dropped after processing: exit 2, code kept, no resend',
        '500-after-processing': 'HTTP 500 after processing: exit 2, code kept, no resend',
        'slow': 'answer slower than the client timeout: exit 2, code kept, no resend',
    }
    plan = [
        ('settings', 'keyfile settings are shared by every process (max-attempts 3, cooldown 3 s)',
         scenario_settings_shared),
        ('wrong', '%d concurrent wrong codes: exactly 5 compared, the rest locked, %d rounds'
         % (PROCESSES, ROUNDS), scenario_concurrent_wrong_codes),
        ('wrong-right', '%d wrong and 1 right code at once: at most 5 compared, a success is '
         'final, %d rounds' % (PROCESSES - 1, ROUNDS), scenario_wrong_and_right),
        ('send', '%d concurrent --send-code to a new number: one SMS, one exit 0' % PROCESSES,
         burst.first),
        ('send-again', '%d concurrent --send-code to a known number after the cooldown: one SMS'
         % PROCESSES, burst.again),
        ('resend', '%d concurrent --resend after the cooldown: one SMS, and its code verifies'
         % PROCESSES, burst.resend),
        # Before the first runs, which delete the digest key that the lost answers' codes
        # were made with: their checks must be over by then.
        ('lost', None, None),
        ('first-runs', '%d concurrent first runs without a digest key: every texted code '
         'verifies, %d rounds' % (max(2, PROCESSES // 2), FIRST_RUN_ROUNDS), scenario_first_runs),
        ('kill', 'kill -9 mid-send: the next --send-code says the outcome is unknown, --resend '
         'works', scenario_kill_mid_send),
    ]
    if only is not None and not only <= {key for key, _, _ in plan}:
        print('unknown scenario keys: %s' % ', '.join(sorted(only - {k for k, _, _ in plan})),
              file=sys.stderr)
        return 99

    WORK = tempfile.mkdtemp(prefix='pv-multiprocess.', dir=os.environ['KEYRING_SESSION_DIR'])
    tap = Tap(len(plan) - 1 + len(lost_names))
    total_start = time.monotonic()
    fake = None
    lost_answers = None
    try:
        if on_postgres:
            POSTGRES = Postgres()
            comment('PostgreSQL: ' + POSTGRES.uri)
        fake = Fake()
        comment('phone-verify: ' + APP, 'fake: ' + ' '.join(fake.argv),
                'sandbox at ' + fake.env['PHONE_VERIFY_TWILIO_API_URL'])
        if only is None or 'lost' in only:
            lost_answers = start_lost_answers()
        for key, name, function in plan:
            selected = only is None or key in only
            if key == 'lost':
                if not selected:
                    for fault in lost_names:
                        tap.skip(lost_names[fault], 'not selected with --only')
                    continue
                start = time.monotonic()
                for fault, outcome, seconds in lost_answers():
                    tap.report(lost_names[fault], outcome, seconds)
                comment('the lost answers ran in the background; waited %.1f s more for them'
                        % (time.monotonic() - start))
                continue
            if not selected:
                tap.skip(name, 'not selected with --only')
                continue
            outcome, seconds = run_scenario(function, fake)
            tap.report(name, outcome, seconds)
    except Failure as failure:
        print('Bail out! ' + failure.lines[0], flush=True)
        comment(*failure.lines[1:])
        return 1
    finally:
        if lost_answers is not None:
            lost_answers()  # their fakes must not outlive the test
        if fake is not None:
            fake.stop()
        if POSTGRES is not None:
            POSTGRES.stop()
        shutil.rmtree(WORK, ignore_errors=True)
    comment('%d of %d failed; everything took %.1f s'
            % (tap.failed, tap.number, time.monotonic() - total_start))
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
