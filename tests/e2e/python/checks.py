"""Counting checks for the end-to-end Python scripts: each failure is printed with its detail,
and finish() prints the 'N passed, M failed' line the C++ tests look for and exits with it."""
import sys

_counts = {"passed": 0, "failed": 0}


def check(name, condition, detail=""):
    if condition:
        _counts["passed"] += 1
    else:
        _counts["failed"] += 1
        print(f"FAIL {name} {detail}", file=sys.stderr)


def finish():
    print(f"{_counts['passed']} passed, {_counts['failed']} failed")
    sys.exit(1 if _counts["failed"] else 0)
