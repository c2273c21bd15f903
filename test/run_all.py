"""Runs every test suite (lit/FileCheck, then pytest) and prints one summary line.

Used by `make test`; exits non-zero when anything failed or nothing ran.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Counts:
    passed: int = 0
    failed: int = 0
    skipped: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.passed += other.passed
        self.failed += other.failed
        self.skipped += other.skipped
        return self


def run_lit(build: Path) -> Counts:
    report = build / "lit-results.json"
    lit = Path(sys.executable).parent / "lit"
    cmd = [str(lit), "-sv", "-o", str(report), str(build / "test")]
    print("[test] lit:", " ".join(cmd[1:]), flush=True)
    rc = subprocess.call(cmd)
    counts = Counts()
    if not report.exists():
        counts.failed += 1
        return counts
    for test in json.loads(report.read_text())["tests"]:
        code = test["code"]
        if code in ("PASS", "XFAIL"):
            counts.passed += 1
        elif code in ("UNSUPPORTED", "SKIPPED"):
            counts.skipped += 1
        else:
            counts.failed += 1
    if rc != 0 and counts.failed == 0:
        counts.failed += 1
    return counts


def run_pytest(build: Path, extra: list[str]) -> Counts:
    report = build / "pytest-results.xml"
    report.unlink(missing_ok=True)
    cmd = [
        sys.executable, "-m", "pytest", str(ROOT / "test" / "python"),
        "-q", "-rfEs", f"--junitxml={report}", *extra,
    ]
    print("[test] pytest:", " ".join(cmd[2:]), flush=True)
    rc = subprocess.call(cmd, cwd=ROOT)
    counts = Counts()
    if not report.exists():
        counts.failed += 1
        return counts
    for suite in ET.parse(report).getroot().iter("testsuite"):
        errors = int(suite.get("errors", 0)) + int(suite.get("failures", 0))
        skipped = int(suite.get("skipped", 0))
        counts.failed += errors
        counts.skipped += skipped
        counts.passed += int(suite.get("tests", 0)) - errors - skipped
    if rc not in (0, 5) and counts.failed == 0:
        counts.failed += 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments")
    args = parser.parse_args()
    total = Counts()
    total += run_lit(args.build)
    total += run_pytest(args.build, args.pytest_args)
    line = f"{total.passed} passed, {total.failed} failed"
    if total.skipped:
        line += f", {total.skipped} skipped"
    print(f"summary: {line}")
    return 0 if total.failed == 0 and total.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
