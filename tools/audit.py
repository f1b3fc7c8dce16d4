"""`make audit`: pip-audit over the installed dependencies, read so that it says plainly what was
and was not checked.

Exit 1 only for a known vulnerability. When the advisory service cannot be reached, or answers
without checking a package (a PyPI mirror without its vulnerability data does that), the packages
left unchecked are named and the exit is 0: an unreachable service must not fail CI, and must not
pass for "no known vulnerabilities" either.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

PIP_AUDIT = str(Path(sys.executable).parent / "pip-audit")
# What requests/urllib3 say when a service cannot be reached: the only failure that is not ours.
_UNREACHABLE = re.compile(
    r"ConnectionError|ConnectTimeout|ReadTimeout|Max retries exceeded|NameResolutionError|"
    r"Temporary failure in name resolution|Network is unreachable|SSLError|ProxyError|getaddrinfo",
)


def main() -> int:
    run = subprocess.run(  # noqa: S603 - our own venv's pip-audit, fixed arguments
        [PIP_AUDIT, "--progress-spinner", "off", "--skip-editable", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        if _UNREACHABLE.search(run.stderr):
            print(
                f"make audit: the advisory service could not be reached; NOTHING WAS CHECKED ({last[:200]})"
            )
            return 0
        print(f"make audit: pip-audit failed (exit {run.returncode}): {last[:300]}")
        return 1
    dependencies = report.get("dependencies", [])
    vulnerable = [dep for dep in dependencies if dep.get("vulns")]
    skipped = [dep for dep in dependencies if dep.get("skip_reason") and "editable" not in dep["skip_reason"]]
    for dep in vulnerable:
        ids = ", ".join(vuln["id"] for vuln in dep["vulns"])
        fixes = (
            ", ".join(sorted({v for vuln in dep["vulns"] for v in vuln.get("fix_versions", [])}))
            or "none yet"
        )
        print(f"VULNERABLE {dep['name']} {dep.get('version', '')}: {ids} (fixed in: {fixes})")
    checked = sum(1 for dep in dependencies if not dep.get("skip_reason"))
    print(f"make audit: {checked} packages checked, {len(vulnerable)} with a known vulnerability.")
    if skipped:
        print(
            f"make audit: the advisory service did not check {len(skipped)} packages "
            f"({', '.join(dep['name'] for dep in skipped[:8])}{'…' if len(skipped) > 8 else ''}): "
            "nothing is known about them, good or bad. Run it again where PyPI or OSV can be reached."
        )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
