# SPDX-License-Identifier: LGPL-2.1-or-later
"""pytest glue for the integration tests: one sandboxed systemd per session, with the build installed.

Environment: PODCTL_BUILD_DIR (a configured and built meson build dir) and PODCTL_SOURCE_DIR (the checkout);
run-integration.sh sets both. When a test fails, the tail of the journal of every sandbox still running is
added to its report.
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sandbox import Sandbox  # noqa: E402

JOURNAL_LINES = 300

# Every sandbox booted through the fixtures below, so a failure report can show their journals.
_live = []

# What a sandbox's journal must not hold when it is shut down: a sanitizer's report from any of our programs
# (the ASan+UBSan build prints it on standard error, which the journal keeps), or podd ending by a signal
# that no test sends it. podd.service restarts podd on failure, so a crash would otherwise go unseen.
BROKEN = (r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|"
          r"podd\.service: Main process exited, code=(dumped|killed), status=(4/ILL|6/ABRT|7/BUS|8/FPE|11/SEGV)")


def journal_problems(sb):
        """The lines of the sandbox's journal (this boot) that show a crash or a sanitizer's report, with the
        report's next lines; empty if none."""
        return sb.sh(f"journalctl -b --no-pager -o short-monotonic | grep -E -A 20 '{BROKEN}' | head -n 80",
                     check=False, timeout=60).stdout.strip()


def _check_journal(sb):
        """Fails the test (or the session) whose sandbox logged a crash or a sanitizer's report, unless the
        test caused it on purpose (sb.crash_expected)."""
        if sb.pid is None or getattr(sb, "crash_expected", False):
                return
        found = journal_problems(sb)
        if found:
                pytest.fail(f"the journal of the sandbox {sb.state_dir} shows a crash or a sanitizer's report:\n"
                            + found, pytrace=False)


def _dirs():
        build = os.environ.get("PODCTL_BUILD_DIR")
        source = os.environ.get("PODCTL_SOURCE_DIR")
        if not build or not source:
                pytest.fail("PODCTL_BUILD_DIR and PODCTL_SOURCE_DIR must be set (run-integration.sh sets them)")
        return build, source


@pytest.fixture(scope="session")
def sandbox():
        """The session's sandbox: booted once, with the build installed (meson install, units, policy)."""
        build, source = _dirs()
        with Sandbox(build, source) as sb:
                _live.append(sb)
                try:
                        sb.install()
                        yield sb
                        _check_journal(sb)
                finally:
                        _live.remove(sb)


@pytest.fixture
def make_sandbox():
        """A factory for sandboxes of a test's own (to reboot, or to boot with other units), each with its own
        state dir unless one is given; all of them are shut down and removed after the test."""
        build, source = _dirs()
        made = []

        def make(state_dir=None, wants=(), boot=True):
                sb = Sandbox(build, source, state_dir=state_dir, wants=wants)
                made.append(sb)
                _live.append(sb)
                if boot:
                        sb.boot()
                return sb

        yield make
        errors = []
        for sb in made:
                _live.remove(sb)
                try:
                        _check_journal(sb)
                except BaseException as e:  # pytest.fail: report it once every sandbox is down
                        errors.append(e)
                try:
                        sb.__exit__(None, None, None)
                except Exception as e:  # shut every one down before reporting
                        errors.append(e)
        if errors:
                raise errors[0]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
        outcome = yield
        report = outcome.get_result()
        if not report.failed:
                return
        for sb in list(_live):
                if sb.pid is None:
                        text = "(not running)\n--- console log ---\n" + sb.console_log()
                else:
                        try:
                                text = sb.sh(f"journalctl -b --no-pager | tail -n {JOURNAL_LINES}",
                                             check=False, timeout=30).stdout
                        except Exception as e:
                                text = f"(could not read the journal: {e})"
                report.sections.append((f"journal of the sandbox {sb.state_dir} (pid {sb.pid})", text))
