"""Command line: Condure 1.9.1's flags and exit statuses."""
import subprocess

import pytest

from harness import SERVER_BIN, is_condure


def run(*args):
    done = subprocess.run([SERVER_BIN, *args], capture_output=True, timeout=10,
                          stdin=subprocess.DEVNULL)
    return done.returncode, (done.stdout + done.stderr).decode(errors="replace")


def first_line(text):
    return next(line for line in text.splitlines() if line.strip())


def test_help():
    status, output = run("--help")
    assert status == 0
    assert "--listen" in output and "--zclient-stream" in output


def test_version():
    status, output = run("--version")
    assert status == 0
    assert output.strip()
    if is_condure():
        assert output == "condure 1.9.1\n"


def test_unknown_flag_is_a_usage_error():
    # Condure (clap) exits 2 for a malformed command line, with a multi-line usage note on
    # stderr whose first line names the flag. zedge exits 2 too, with one line.
    status, output = run("--no-such-flag")
    assert status == 2
    assert "--no-such-flag" in first_line(output)
    if not is_condure():
        assert len(output.strip().splitlines()) == 1, output


@pytest.mark.parametrize("args, name", [
    (["--buffer-size", "abc"], "buffer-size"),
    (["--listen", "127.0.0.1:1,bogus"], "listen"),
    (["--id", "a b"], "id"),
])
def test_bad_value_exits_1_with_one_line(args, name):
    # Condure logs `[ERR] <time> [condure] failed to parse <name>: <why>` on stdout and exits 1.
    status, output = run(*args)
    assert status == 1
    assert len(output.strip().splitlines()) == 1, output
    assert name in output
