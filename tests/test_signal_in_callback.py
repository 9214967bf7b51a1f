"""A SIGTERM that arrives while SQLite is calling the scratch authorizer still ends the
run with 143. Raised inside the callback, the exit was swallowed by sqlite3 (which
turns a callback's exception into "not authorized"): the statement failed as refused
and the run went on, or `check --against` said it could not open the database."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# The authorizer sends the process its own SIGTERM and keeps running, so that Python
# runs the handler inside the callback, as a CI cancellation can land.
_PROGRAM = textwrap.dedent("""
    import os, signal, sqlite3, time
    from migrate_lint import scratch
    from migrate_lint.cli import _terminate

    signal.signal(signal.SIGTERM, _terminate)
    real = scratch._refused
    sent = []

    def refused(*args):
        if not sent:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(10_000):  # the handler runs here, inside SQLite's call
                pass
        return real(*args)

    scratch._refused = refused
    conn = scratch.connect()
    try:
        print(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0], flush=True)
    except sqlite3.DatabaseError as err:
        print("refused:", err, flush=True)
    time.sleep(2)
    print("the run went on", flush=True)
""")


def test_sigterm_inside_the_authorizer_ends_the_run_after_the_statement() -> None:
    done = subprocess.run([sys.executable, "-c", _PROGRAM], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 143, (done.stdout, done.stderr)
    assert done.stdout.splitlines() == ["0"], done.stdout  # the statement ran, not refused
