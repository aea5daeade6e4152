"""`make audit`: known vulnerabilities in the locked dependencies (pip-audit over uv.lock).

Every package pinned in ``uv.lock`` is checked (``--no-deps``: the lock already lists them all).
A vulnerability that has been assessed and accepted is listed in ``.pip-audit-ignore``, one
advisory ID per line followed by ``#`` and the reason, who accepted it and until when; anything
else found fails the run. When the vulnerability database cannot be reached (an offline build
machine) the run says so and passes, unless GONGJIAN_REQUIRE_AUDIT=1 (CI), where it fails.

    .venv/bin/python -m gongjian.core.depaudit
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IGNORE_FILE = ROOT / ".pip-audit-ignore"


def locked_requirements(lock: Path) -> list[str]:
    """``name==version`` for every package from PyPI in the lock file (not the project itself)."""
    data = tomllib.loads(lock.read_text(encoding="utf-8"))
    return sorted(
        f"{package['name']}=={package['version']}"
        for package in data.get("package", [])
        if "registry" in package.get("source", {})
    )


def accepted_ids(path: Path) -> list[str]:
    if not path.exists():
        return []
    ids = []
    for line in path.read_text(encoding="utf-8").splitlines():
        advisory = line.split("#", 1)[0].strip()
        if advisory:
            ids.append(advisory)
    return ids


def main() -> int:
    requirements = locked_requirements(ROOT / "uv.lock")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(requirements) + "\n")
    command = [
        str(Path(sys.executable).with_name("pip-audit")),
        "-r",
        handle.name,
        "--no-deps",
        "--disable-pip",
        "--progress-spinner",
        "off",
        "-f",
        "json",
    ]
    for advisory in accepted_ids(IGNORE_FILE):
        command += ["--ignore-vuln", advisory]
    result = subprocess.run(command, capture_output=True, text=True)
    os.unlink(handle.name)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        report = None
    dependencies = report.get("dependencies", []) if report else []
    audited = [d for d in dependencies if "skip_reason" not in d]
    if not audited:
        message = "vulnerability database unreachable: dependencies not audited / 无法连接漏洞库"
        print(message, file=sys.stderr)
        return 1 if os.environ.get("GONGJIAN_REQUIRE_AUDIT") == "1" else 0
    found = [(d["name"], d["version"], v["id"]) for d in audited for v in d.get("vulns", [])]
    for name, version, advisory in found:
        print(f"{name} {version}: {advisory}")
    print(
        f"pip-audit: {len(audited)} of {len(requirements)} locked packages audited, "
        f"{len(found)} known vulnerabilities"
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
