"""The search on a real PostgreSQL server that this test starts for itself.

Debian's ``postgresql`` (installed by ``make`` when missing); ``initdb`` into a temporary
directory, the server on a private Unix socket, run as the ``postgres`` user when the tests
run as root (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState
from test_search import SPACE

from mase_mlir.search.driver import run_search
from mase_mlir.search.worker import SearchSpec


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    assert found, f"PostgreSQL's {name} is missing: run make (it installs Debian's postgresql)"
    return found[-1]


@pytest.fixture
def postgres():
    """A PostgreSQL server on a Unix socket in a fresh directory; yields the database URL."""
    root = os.geteuid() == 0
    user = pwd.getpwnam("postgres") if root else None
    base = Path(tempfile.mkdtemp(prefix="mase-pg-"))
    if user is not None:
        os.chown(base, user.pw_uid, user.pw_gid)

    def as_owner(*command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if root else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, text=True,
                       timeout=120)

    data, port = base / "data", 54329
    try:
        as_owner(_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "mase", "--no-sync")
        as_owner(_bin("pg_ctl"), "-D", str(data), "-w", "-l", str(base / "server.log"),
                 "-o", f"-p {port} -k {base} -c listen_addresses=''", "start")
        try:
            as_owner(_bin("createdb"), "-h", str(base), "-p", str(port), "-U", "mase", "search")
            yield f"postgresql+psycopg://mase@/search?host={base}&port={port}"
        finally:
            as_owner(_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_two_workers_on_postgresql(postgres, tmp_path):
    spec = SearchSpec(model="llama-tiny", space=SPACE, space_source="<test>", trials=10,
                      out_dir=str(tmp_path), storage=postgres, calibration=24, evaluation=4)
    result = run_search(spec, workers=2, progress=False, log=lambda m: None)
    assert result["trials_complete"] == 10
    study = optuna.load_study(study_name="mase-search", storage=postgres)
    trials = study.get_trials()
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    assert len(complete) == 10
    assert {t.user_attrs["mase.worker"]["index"] for t in complete} == {0, 1}
    assert all(t.system_attrs.get("mase.surplus") for t in trials if t.state == TrialState.FAIL)
    assert not (tmp_path / "search.db").exists()  # everything went to the server
