"""The study on Optuna's own storage: one SQLite file by default, any Optuna RDB URL.

Several workers (processes, possibly on several machines) share one study. The budget is
exact: the search ends with ``trials`` COMPLETE trials, none lost and none evaluated twice:

* a worker *claims* a trial by asking for one and counting the trials ahead of it (COMPLETE,
  RUNNING or WAITING with a smaller number, trial numbers being assigned by the database in
  order); a trial that finds the budget taken is closed as FAIL with the system attribute
  ``mase.surplus`` and never evaluated;
* while its trial runs a worker records a heartbeat in the storage; a trial whose heartbeat
  is older than the grace period (its worker was killed) is failed by the next worker that
  looks, and re-queued with the same parameters (Optuna's ``RetryHeartbeatStaleTrialCallback``), so
  a killed search resumes where it stopped;
* a config that a COMPLETE trial already scored is not evaluated again: the trial copies its
  results (``duplicate_of``).
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["SURPLUS", "StorageError", "claim_trial", "counts", "heartbeat", "open_storage",
           "open_study", "redacted"]

SURPLUS = "mase.surplus"
SETTINGS = "mase.settings"
_POLL = 0.5


class StorageError(RuntimeError):
    """The storage cannot be opened, or holds a study made with other settings."""


def redacted(url: str) -> str:
    """``url`` without its password."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL at all: shown as given
        return url


def open_storage(url: str, heartbeat_seconds: int = 10) -> Any:
    """An Optuna RDB storage with heartbeats (grace period: 3 heartbeats)."""
    import optuna
    import sqlalchemy.exc

    engine: dict[str, Any] = {}
    if url.startswith("sqlite"):
        engine["connect_args"] = {"timeout": 120}  # several processes write one file
    else:
        engine["pool_pre_ping"] = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        try:
            return optuna.storages.RDBStorage(
                url, engine_kwargs=engine, heartbeat_interval=heartbeat_seconds,
                grace_period=3 * heartbeat_seconds,
                heartbeat_stale_trial_callback=optuna.storages.RetryHeartbeatStaleTrialCallback(3))
        except (sqlalchemy.exc.SQLAlchemyError, ImportError, ValueError) as err:
            reason = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
            raise StorageError(f"cannot open storage {redacted(url)}: {reason}") from None


def open_study(storage: Any, name: str, directions: list[str], settings: dict,
               sampler: Any) -> Any:
    """Create the study, or load it and check that it was made with the same settings."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(storage=storage, study_name=name, directions=directions,
                                sampler=sampler, load_if_exists=True)
    stored = study.user_attrs.get(SETTINGS)
    if stored is None:
        study.set_user_attr(SETTINGS, settings)
    elif stored != settings:
        diff = sorted(k for k in set(stored) | set(settings) if stored.get(k) != settings.get(k))
        raise StorageError(
            f"study {name!r} in this storage was made with other settings "
            f"({', '.join(diff)} differ); resume with the same options or use another "
            "output directory / --study name")
    if [d.name.lower() for d in study.directions] != directions:
        raise StorageError(f"study {name!r} has other objectives; use another --study name")
    return study


def counts(study: Any) -> dict[str, int]:
    from optuna.trial import TrialState

    out = {s.name: 0 for s in TrialState}
    for t in study.get_trials(deepcopy=False):
        out[t.state.name] += 1
    return out


def claim_trial(study: Any, budget: int, stop: threading.Event | None = None) -> Any | None:
    """A trial to evaluate, or None when ``budget`` trials are COMPLETE (or ``stop`` is set).

    Waits while every remaining trial is claimed by running workers, failing the stale
    ones (whose retries it then picks up).
    """
    import optuna
    from optuna.trial import TrialState

    live = (TrialState.COMPLETE, TrialState.RUNNING, TrialState.WAITING)
    while stop is None or not stop.is_set():
        with _quiet():
            optuna.storages.fail_stale_trials(study)
        trials = study.get_trials(deepcopy=False)
        done = sum(t.state == TrialState.COMPLETE for t in trials)
        running = sum(t.state == TrialState.RUNNING for t in trials)
        waiting = sum(t.state == TrialState.WAITING for t in trials)
        if done >= budget:
            return None
        if done + running >= budget and not waiting:
            time.sleep(_POLL)  # the rest is claimed: wait for it to finish or go stale
            continue
        with _quiet():  # heartbeats are recorded by heartbeat() below, not by optimize()
            trial = study.ask()
        ahead = sum(1 for t in study.get_trials(deepcopy=False, states=live)
                    if t.number < trial.number)
        if ahead < budget:
            return trial
        # Lost a race for the last trials: close this one unevaluated.
        study._storage.set_trial_system_attr(trial._trial_id, SURPLUS, True)
        study.tell(trial, state=TrialState.FAIL)
        time.sleep(_POLL)
    return None


@contextmanager
def _quiet() -> Iterator[None]:
    """Optuna's notes on heartbeats (experimental, meant for optimize()) say nothing to a user."""
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        warnings.filterwarnings("ignore", message="Heartbeat of storage")
        yield


@contextmanager
def heartbeat(study: Any, trial: Any) -> Iterator[None]:
    """Record ``trial``'s heartbeat in the storage until the block ends."""
    storage = study._storage
    interval = storage.get_heartbeat_interval()
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(interval):
            try:
                storage.record_heartbeat(trial._trial_id)
            except Exception:  # the next beat tries again; a dead storage fails the trial
                pass

    storage.record_heartbeat(trial._trial_id)
    thread = threading.Thread(target=beat, name="mase-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
