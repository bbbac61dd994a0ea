"""Classroom 50 autograder of the concurrency workshop, one assignment for the whole workshop.

Put this file at CLASSROOM/autograders/ASSIGNMENT/autograder.py in your classroom50 repository,
and give the assignment the runtime block in runtime.json beside it (Node 26 and redis-server).
Classroom 50's runner starts it in the student's checkout. It installs the packages, runs
`npm run verify -- <step> --json <file>` once per step (exactly what a learner runs), scores a
step's points when every check of the step passed, and writes ./result.json in the shape of
classroom50/result/v1 (Advanced Autograding, "The result.json contract", in Classroom 50's wiki).
Exit 0 whenever it graded, whatever the score; a non-zero exit means it could not grade.

Try it on your machine in a copy of the workshop: python3 autograder.py
(GRADING_STEPS="02a 02b" grades those steps only). Python 3 standard library only.
"""
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

# (step, title, points, minutes): one row per step of workshop/manifest.ts.
STEPS = []

RESULTS = Path(".workshop") / "grading"
OUTPUT_LIMIT = 2000


def first_line(text):
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def failures_text(results):
    """What went wrong, in the checks' own words: each failed check with its message."""
    lines = []
    for test in results.get("tests", []):
        if test.get("status") != "pass":
            lines.append("x " + test.get("name", ""))
            lines.extend("    " + line for line in (test.get("message") or test.get("status", "")).splitlines())
    if results.get("status") == "error" and results.get("message"):
        lines.insert(0, results["message"])
    return "\n".join(lines)[:OUTPUT_LIMIT]


def grade(step, title, points, minutes):
    file = RESULTS / (step + ".json")
    if file.exists():
        file.unlink()
    command = ["npm", "run", "verify", "--", step, "--json", str(file)]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=minutes * 60, check=False)
        log = run.stdout + run.stderr
    except subprocess.TimeoutExpired as error:
        out = error.stdout or ""
        log = "stopped after %d minutes\n%s" % (minutes, out.decode(errors="replace") if isinstance(out, bytes) else out)
    # The job log keeps each step's report as the learner would see it.
    print("::group::%s %s" % (step, title))
    print(log)
    print("::endgroup::")
    test = {"test-name": "%s %s" % (step, title), "passed": False, "score": 0, "max-score": points}
    try:
        results = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        test["message"] = "no results: verify stopped before judging"
        test["output"] = log[-OUTPUT_LIMIT:]
        return test
    if results.get("status") == "pass":
        test.update(passed=True, score=points)
        return test
    failed = [t for t in results.get("tests", []) if t.get("status") != "pass"]
    if results.get("status") == "error" or not failed:
        test["message"] = first_line(results.get("message") or "failed")
    else:
        test["message"] = first_line(failed[0].get("message") or failed[0].get("status", ""))
    test["output"] = failures_text(results)
    return test


def submitted_at():
    """The graded commit's committer date (the contract's `datetime`), else now."""
    try:
        seconds = int(subprocess.run(["git", "show", "-s", "--format=%ct", "HEAD"], capture_output=True, text=True, check=True).stdout)
        when = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    except (OSError, ValueError, subprocess.CalledProcessError):
        when = datetime.datetime.now(datetime.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    wanted = os.environ.get("GRADING_STEPS", "").split()
    steps = [row for row in STEPS if not wanted or row[0] in wanted]
    if not steps:
        print("GRADING_STEPS names no step of the workshop: %s" % " ".join(wanted), file=sys.stderr)
        return 2
    if not Path("node_modules").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], check=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    tests = [grade(*row) for row in steps]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    env = os.environ.get
    # Outside Classroom 50 (on your machine) the identity fields say "local"; its runner sets them.
    result = {
        "schema": "classroom50/result/v1",
        "classroom": env("CLASSROOM") or "local",
        "assignment": env("ASSIGNMENT") or "local",
        "assignment_type": env("ASSIGNMENT_TYPE") or "individual",
        "owner": env("OWNER") or env("USERNAME") or "local",
        "submission": env("SUBMISSION_TAG") or "submit/local",
        "commit": env("COMMIT_URL") or "local",
        "release": env("RELEASE_URL") or "local",
        "review": env("REVIEW_URL") or env("COMMIT_URL") or "local",
        "datetime": submitted_at(),
        "graded_at": now,
        "score": sum(test["score"] for test in tests),
        "max-score": sum(test["max-score"] for test in tests),
        "tests": tests,
    }
    Path("result.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print("Total: %d of %d points" % (result["score"], result["max-score"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
