"""The policy the bench's gateway runs with: a copy of permissions/ with two edits.

- Every client's `[rate]` at its ceiling: the limiter still runs on every request (its leases
  to the shared bucket are measured), but never refuses one.
- Every client's `documents = "any"`: in production Use an LPA and the online service may
  send only their trusted documents, so without it their operations could not be measured as
  ad-hoc text. A trusted document is found by its id before the policy's `documents` is
  consulted (app/http/documents.py), so the trusted rows run exactly as they would under the
  shipped policy.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from app.authz.policy import MAX_RATE, load_policy
from app.settings import DEFAULT_POLICY_DIR

_RATE = re.compile(r"\[rate\]\nper_second = [^\n]*\nburst = [^\n]*\n")
_DOCUMENTS = re.compile(r"^documents = [^\n]*$", re.MULTILINE)


def bench_policy_text(text: str) -> str:
    text = _RATE.sub(f"[rate]\nper_second = {MAX_RATE}\nburst = {MAX_RATE}\n", text)
    return _DOCUMENTS.sub('documents = "any"  # make bench: ad-hoc rows for every client', text)


def bench_policy(scratch: Path) -> Path:
    folder = scratch / "permissions"
    shutil.copytree(DEFAULT_POLICY_DIR, folder, dirs_exist_ok=True)
    for path in folder.glob("*.toml"):
        path.write_text(bench_policy_text(path.read_text()))
    closed = sorted(c.id for c in load_policy(folder).clients.values() if c.documents != "any")
    if closed:  # a file that does not say `documents` is trusted-only
        raise RuntimeError(f"bench: the bench policy still refuses ad-hoc text from {closed}")
    return folder
