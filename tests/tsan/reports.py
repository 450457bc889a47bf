"""Judges the ThreadSanitizer reports of a `tsan` test run.

Usage: reports.py clear
       reports.py check SUPPRESSIONS

The tsan test preset sets TSAN_OPTIONS' log_path, so every instrumented
process (test binaries, brookd, brook_bench, crash children) writes its
reports to files named <log_path>.<pid> instead of a stderr that a test may
discard. `clear` removes them before the run; `check` reads them after it
and fails on any report that SUPPRESSIONS does not accept: a data race both
of whose accesses are made by a listed library (see suppressions.txt).
"""

import glob
import os
import re
import sys

# "    #3 function /path/file.cc:12:5 (module+0x1f) (BuildId: 8a...)"
FRAME = re.compile(r"^\s+#\d+ (?P<function>.*) (?P<file>\S+) "
                   r"\((?P<module>[^()]+)\+0x[0-9a-f]+\)(?: \(BuildId: \w+\))?$")
# "  Previous write of size 8 at 0x7b04... by thread T1 (mutexes: ...):"
ACCESS = re.compile(r"^  (Previous )?(Atomic )?(read|write) of size \d+ ",
                    re.IGNORECASE)
SEPARATOR = "=================="
SUMMARY = re.compile(r"^ThreadSanitizer: reported \d+ warnings$", re.MULTILINE)
LIBRARY_HEADERS = ("/include/c++/",)


def log_path():
    for option in os.environ.get("TSAN_OPTIONS", "").split(":"):
        name, _, value = option.partition("=")
        if name == "log_path" and value:
            return value
    sys.exit("TSAN_OPTIONS sets no log_path: run the tests with the tsan "
             "preset (ctest --preset tsan)")


def report_files():
    return sorted(glob.glob(glob.escape(log_path()) + ".*"))


def accesses(report):
    """Each access (not locations, mutexes or threads) as (kind, frames),
    kind "read" or "write"."""
    stacks, frames = [], None
    for line in report.splitlines():
        if access := ACCESS.match(line):
            frames = []
            stacks.append((access.group(3).lower(), frames))
        elif not line.strip():
            frames = None
        elif frames is not None and (match := FRAME.match(line)):
            frames.append(match)
    return stacks


def module_of_access(frames):
    """The module of the first frame that is neither a TSan interceptor (no
    source file, in the executable, which holds TSan's runtime) nor C++
    library header code; None if there is no such frame."""
    for frame in frames:
        interceptor = frame["file"] == "<null>" and ".so" not in frame["module"]
        header = any(part in frame["file"] for part in LIBRARY_HEADERS)
        if not interceptor and not header:
            return frame["module"]
    return None


def by_library(frames, libraries):
    module = module_of_access(frames)
    return module is not None and any(lib in module for lib in libraries)


def allocation_stack(report):
    """The frames that allocated the racy heap block, if the report says."""
    frames = None
    for line in report.splitlines():
        if line.startswith("  Location is heap block"):
            frames = []
        elif frames is not None and (match := FRAME.match(line)):
            frames.append(match)
        elif frames is not None and not line.strip():
            break
    return frames or []


def accepted(report, libraries):
    if "WARNING: ThreadSanitizer: data race" not in report:
        return False
    stacks = accesses(report)
    if len(stacks) != 2:
        return False
    if all(by_library(frames, libraries) for _, frames in stacks):
        return True
    # A read of a block that the library allocated and wrote on another
    # thread, then handed to its caller through its API (an iterator's
    # value) after a release TSan cannot see.
    if not by_library(allocation_stack(report), libraries):
        return False
    return any(
        by_library(first, libraries) and second_kind == "read"
        for (_, first), (second_kind, _) in (stacks, stacks[::-1]))


def read_libraries(path):
    with open(path) as file:
        return [line.strip() for line in file
                if line.strip() and not line.startswith("#")]


def reports_in(path):
    """Every report in the file, and anything else TSan said (a fatal error),
    but not its closing count of warnings."""
    with open(path, errors="replace") as file:
        text = SUMMARY.sub("", file.read())
    parts = [part.strip("\n") for part in text.split(SEPARATOR)]
    return [part for part in parts if "ThreadSanitizer" in part]


def check(suppressions):
    libraries = read_libraries(suppressions)
    accepted_count, failing = 0, []
    for path in report_files():
        for report in reports_in(path):
            if accepted(report, libraries):
                accepted_count += 1
            else:
                failing.append((path, report))
    for path, report in failing:
        print(f"{path}:\n{report}\n")
    print(f"ThreadSanitizer: {len(failing)} failing report(s), "
          f"{accepted_count} accepted as races inside {', '.join(libraries)}")
    return 1 if failing else 0


def main(argv):
    if argv[1:] == ["clear"]:
        os.makedirs(os.path.dirname(log_path()), exist_ok=True)
        for path in report_files():
            os.remove(path)
        return 0
    if len(argv) == 3 and argv[1] == "check":
        return check(argv[2])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
