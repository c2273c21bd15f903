"""Mutation fuzzer of mase-mlir: mutated IR and configs through every registered pass
pipeline of ``mase-opt`` and the Python entry points that read user files.

    python test/fuzz/run.py --mutants 10000 --seed 7 --out fuzz-out --jobs 2

Each mutant is a corpus seed (lit inputs, benchmark models, imported models; see corpus.py)
with 1-4 stacked mutations (mutate.py); with it goes a precision config from the tests and
the package, mutated one time in three. Every project pass and pipeline that
``mase-opt --help`` lists (``--mx-*``; targets.py) runs on it with random options, half of
the time after ``mx-assign-precision`` so that it sees MX types; ``--runs-per-mutant K``
samples K of them instead. The Python entry points (``mase report``, ``mase report
--config``, ``interp.load``; worker.py) run in long-lived worker processes.

A crash is a signal death, an assertion or LLVM fatal error, a run past ``--timeout``, a
failure without a located ``file:line:col: error:``, or an internal error of the CLI. The
first mutant of each crash signature is minimized and saved under OUT/crashes/ with the
command that reproduces it. OUT/summary.json and OUT/summary.md give the figures. Exit
status 1 when a crash is the project's (upstream MLIR crashes are listed, not counted).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import re
import select
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import ROOT, config_files, imported_seeds, lit_seeds  # noqa: E402
from minimize import minimize  # noqa: E402
from mutate import Donors, Mutator, make_config, mutate_config  # noqa: E402
from targets import (  # noqa: E402
    Outcome,
    Pipeline,
    classify,
    discover,
    project_sources,
    run_mase_opt,
    upstream_mlir_opt,
)
from worker import ENTRIES  # noqa: E402

UINTS = [0, 1, 2, 3, 4, 8, 16, 32, 64]
EXTREME_UINTS = [255, 65535, 2**31 - 1, 2**32 - 1, 16777215]


@dataclass
class Crash:
    signature: str
    kind: str
    attribution: str
    target: str
    command: list[str]
    seed: str
    mutations: list[str]
    count: int = 1
    reproducer: str = ""
    minimized: str = ""
    upstream_mlir_opt: str = ""


@dataclass
class Stats:
    runs: Counter = field(default_factory=Counter)
    outcomes: dict = field(default_factory=lambda: defaultdict(Counter))
    mutations: Counter = field(default_factory=Counter)
    crashes: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


# --- Python entry points ---------------------------------------------------------------


class Worker:
    """A ``worker.py`` process, restarted when an entry point kills it."""

    def __init__(self, log_dir: Path, index: int) -> None:
        self.log = log_dir / f"worker-{index}.log"
        self.proc: subprocess.Popen | None = None

    def _start(self) -> None:
        self.log_file = self.log.open("ab")
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("worker.py"))],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log_file, text=True, bufsize=1)
        self._read(120)

    def _read(self, timeout: float) -> dict | None:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return None
        line = self.proc.stdout.readline()
        return json.loads(line) if line else None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.log_file.close()
            self.proc = None

    def run(self, entry: str, path: Path, config: Path, timeout: float,
            layer: str | None = None) -> Outcome:
        if self.proc is None:
            self._start()
        offset = self.log.stat().st_size
        self.proc.stdin.write(json.dumps({"entry": entry, "file": str(path),
                                          "config": str(config), "layer": layer}) + "\n")
        response = self._read(timeout)
        if response is None:
            timed_out = self.proc.poll() is None
            self.stop()
            tail = self.log.read_bytes()[offset:].decode("utf-8", "replace")[-4000:]
            if timed_out:
                return Outcome("timeout", f"{entry}: timeout", tail, "project")
            return Outcome("signal", f"{entry}: worker died: {_fatal_line(tail)}", tail, "project")
        status, message = response["status"], response["message"]
        if status == 0:
            return Outcome("ok")
        if status in (1, 2) and "error: " in message:
            return Outcome("error")
        first = message.strip().splitlines()[0] if message.strip() else f"status {status}"
        return Outcome("internal-error", f"{entry}: {first[:300]}", message, "project")


def _fatal_line(text: str) -> str:
    for line in text.splitlines():
        if "Assertion" in line or "LLVM ERROR" in line or "Fatal Python error" in line:
            return line.strip()[:300]
    return "no message"


# --- one mutant ------------------------------------------------------------------------


def option_value(rng: random.Random, option, config: Path, work: Path) -> str | None:
    if option.kind == "flag":
        return option.name if rng.random() < 0.5 else None
    if option.name == "config":
        return f"config={config}" if rng.random() < 0.95 else None
    if option.name == "report":
        return f"report={work / 'report.json'}" if rng.random() < 0.5 else None
    if rng.random() < 0.5:
        return None
    if option.choices:
        return f"{option.name}={rng.choice(option.choices + ['x'])}"
    if option.kind in ("uint", "int", "ulong", "long"):
        pool = EXTREME_UINTS if rng.random() < 0.05 else UINTS
        return f"{option.name}={rng.choice(pool)}"
    words = [w for w in option.help.replace(";", " ").replace(":", " ").split() if w.isalpha()]
    return f"{option.name}={rng.choice(words + ['', 'x'])}"


def pass_flag(pipeline: Pipeline, rng: random.Random, config: Path, work: Path) -> str:
    values = [v for o in pipeline.options if (v := option_value(rng, o, config, work))]
    return f"--{pipeline.name}" + (f"={' '.join(values)}" if values else "")


LAYER_NAME = re.compile(r'\bname = "([A-Za-z0-9_][\w.-]*)"')


def pick_layer(rng: random.Random, text: str) -> str:
    """A ``--layer`` for the mutant: a module path that prefixes one of its op names (a
    layer, a block or one op), or now and then one that names nothing."""
    names = sorted(set(LAYER_NAME.findall(text)))
    if not names or rng.random() < 0.1:
        return rng.choice(["layers.9", "no_such_module", "a.b.c"])
    parts = rng.choice(names).split(".")
    return ".".join(parts[:rng.randint(1, len(parts))])


@dataclass
class Job:
    index: int
    seed_name: str
    text: str
    mutations: list[str]
    config_text: str
    layer: str


def make_job(index: int, seed: int, seeds: list, weights: list[int], configs: list,
             donors: Donors) -> Job:
    """Mutant ``index`` of the run: a function of the seed and the index alone."""
    rng = random.Random(f"{seed}:{index}")
    source = rng.choices(seeds, weights)[0]
    count = 1 + min(3, int(rng.expovariate(1.0)))
    text, applied = Mutator(rng, donors).mutate(source.text, count)
    config = make_config(rng, text) if rng.random() < 0.6 else rng.choice(configs)
    config_text = mutate_config(rng, config) if rng.random() < 0.2 else json.dumps(config)
    return Job(index, source.name, text, applied, config_text, pick_layer(rng, text))


class Fuzzer:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.mase_opt = Path(args.mase_opt)
        self.pipelines = discover(self.mase_opt, Path(args.mlir_opt))
        self.sources = project_sources()
        self.stats = Stats()
        self.out = Path(args.out)
        self.work = Path(tempfile.mkdtemp(prefix="mase-fuzz-"))
        self.seeds: list = []
        self.weights: list[int] = []
        self.configs: list = []
        self.donors: Donors | None = None
        self.workers: queue.Queue[Worker] = queue.Queue()
        for i in range(args.jobs):
            self.workers.put(Worker(self.work, i))

    def record(self, target: str, outcome: Outcome, job: Job, command: list[str],
               work: Path) -> None:
        with self.stats.lock:
            self.stats.runs[target] += 1
            self.stats.outcomes[target]["crash" if outcome.crashed else outcome.kind] += 1
            if not outcome.crashed:
                return
            # A crash while parsing is the same whatever pipeline was to run.
            target = "parsing" if outcome.parsing else target
            key = f"{target}|{outcome.signature}"
            if key in self.stats.crashes:
                self.stats.crashes[key].count += 1
                return
            crash_dir = (self.out / "crashes" / f"crash-{len(self.stats.crashes):03d}").resolve()
            crash_dir.mkdir(parents=True)
            for name in ("input.mlir", "config.json"):
                shutil.copy(work / name, crash_dir / name)
            (crash_dir / "stderr.txt").write_text(outcome.detail)
            command = [c.replace(str(work), str(crash_dir)) for c in command]
            (crash_dir / "command.txt").write_text(shlex.join(command) + "\n")
            self.stats.crashes[key] = Crash(outcome.signature, outcome.kind,
                                            outcome.attribution, target, command, job.seed_name,
                                            job.mutations, reproducer=str(crash_dir))

    def run_job(self, index: int) -> None:
        job = make_job(index, self.args.seed, self.seeds, self.weights, self.configs,
                       self.donors)
        with self.stats.lock:
            self.stats.mutations.update(job.mutations)
        rng = random.Random(f"runs:{self.args.seed}:{job.index}")
        work = self.work / f"job-{job.index}"
        work.mkdir()
        mutant, config = work / "input.mlir", work / "config.json"
        mutant.write_text(job.text)
        config.write_text(job.config_text)
        targets = list(self.pipelines)
        entries = list(ENTRIES) if self.args.python else []
        if self.args.runs_per_mutant:
            names = [p.name for p in targets] + entries
            chosen = set(rng.sample(names, min(self.args.runs_per_mutant, len(names))))
            targets = [t for t in targets if t.name in chosen]
            entries = [e for e in entries if e in chosen]
        assign = next((p for p in self.pipelines if p.name == "mx-assign-precision"), None)
        for pipeline in targets:
            flags = []
            if assign is not None and pipeline is not assign and rng.random() < 0.5:
                flags.append(f"--mx-assign-precision=config={config} allow-unmatched")
            flags.append(pass_flag(pipeline, rng, config, work))
            returncode, stderr = run_mase_opt(self.mase_opt, mutant, flags, self.args.timeout)
            outcome = classify(returncode, stderr, self.sources)
            self.record(pipeline.name, outcome, job,
                        [str(self.mase_opt), str(mutant), *flags, "-o", "/dev/null"], work)
        if entries:
            worker = self.workers.get()
            try:
                for entry in entries:
                    layer = job.layer if entry == "compile-layer" else None
                    outcome = worker.run(entry, mutant, config, self.args.timeout * 3, layer)
                    self.record(f"python:{entry}", outcome, job,
                                [sys.executable, str(Path(__file__).with_name("worker.py")),
                                 "--once", entry, str(mutant), str(config),
                                 *([layer] if layer else [])], work)
            finally:
                self.workers.put(worker)
        shutil.rmtree(work, ignore_errors=True)

    def minimize_crashes(self, log) -> None:
        for crash in self.stats.crashes.values():
            directory = Path(crash.reproducer)
            text = (directory / "input.mlir").read_text()
            log(f"[fuzz] minimizing {crash.target}: {crash.signature[:100]}")
            if crash.target.startswith("python:"):
                worker = Worker(self.work, 999)
                check = self._python_check(crash, directory, worker)
            else:
                worker = None
                check = self._opt_check(crash, directory)
            try:
                small = minimize(text, check, attempts=self.args.minimize_attempts)
            finally:
                if worker is not None:
                    worker.stop()
            (directory / "minimized.mlir").write_text(small)
            crash.minimized = str(directory / "minimized.mlir")
            if crash.attribution == "upstream":
                crash.upstream_mlir_opt = self._upstream_check(directory / "minimized.mlir")

    def _opt_check(self, crash: Crash, directory: Path):
        source = str(directory / "input.mlir")
        flags = crash.command[2:-2]
        candidate = self.work / "candidate.mlir"

        def check(text: str) -> bool:
            candidate.write_text(text)
            returncode, stderr = run_mase_opt(self.mase_opt, candidate, flags, self.args.timeout)
            return classify(returncode, stderr, self.sources).signature == crash.signature

        assert crash.command[1] == source
        return check

    def _python_check(self, crash: Crash, directory: Path, worker: Worker):
        candidate = self.work / "candidate.mlir"
        entry = crash.target.split(":", 1)[1]
        layer = crash.command[-1] if entry == "compile-layer" else None

        def check(text: str) -> bool:
            candidate.write_text(text)
            outcome = worker.run(entry, candidate, directory / "config.json", self.args.timeout,
                                 layer)
            return outcome.signature == crash.signature

        return check

    def _upstream_check(self, path: Path) -> str:
        """Does the pinned upstream ``mlir-opt`` (with the dialect plugin, no passes) crash on
        the minimized input too?"""
        mlir_opt = Path(self.args.mlir_opt)
        plugin = Path(self.args.build) / "lib" / "MXPlugin.so"
        if not mlir_opt.exists():
            return "mlir-opt not found"
        returncode, stderr = run_mase_opt(mlir_opt, path, [f"--load-dialect-plugin={plugin}"],
                                          self.args.timeout)
        outcome = classify(returncode, stderr, self.sources)
        return f"crashes too: {outcome.signature}" if outcome.crashed else "does not crash"

    def parses(self, text: str) -> bool:
        with tempfile.NamedTemporaryFile("w", suffix=".mlir", dir=self.work) as f:
            f.write(text)
            f.flush()
            returncode, _ = run_mase_opt(self.mase_opt, Path(f.name), [], self.args.timeout)
        return returncode == 0

    def close(self) -> None:
        while not self.workers.empty():
            self.workers.get().stop()
        shutil.rmtree(self.work, ignore_errors=True)


def write_summary(fuzzer: Fuzzer, args: argparse.Namespace, seconds: float,
                  corpus: dict) -> dict:
    stats = fuzzer.stats
    crashes = [asdict(c) for c in stats.crashes.values()]
    project = [c for c in crashes if c["attribution"] != "upstream"]
    summary = {
        "seed": args.seed,
        "mutants": args.mutants,
        "runs": sum(stats.runs.values()),
        "seconds": round(seconds, 1),
        "jobs": args.jobs,
        "runs_per_mutant": args.runs_per_mutant or "all",
        "corpus": corpus,
        "pipelines": [{"name": p.name, "summary": p.summary, "pipeline": p.is_pipeline,
                       "options": [o.name for o in p.options], "runs": stats.runs[p.name],
                       **stats.outcomes[p.name]} for p in fuzzer.pipelines],
        "entries": [{"name": e, "runs": stats.runs[f"python:{e}"],
                     **stats.outcomes[f"python:{e}"]} for e in ENTRIES],
        "mutations": dict(sorted(stats.mutations.items())),
        "crashes": crashes,
        "project_crashes": len(project),
        "upstream_crashes": len(crashes) - len(project),
    }
    out = Path(args.out)
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    lines = [f"# Fuzz run: {args.mutants} mutants, seed {args.seed}", "",
             f"{summary['runs']} runs in {summary['seconds']} s ({args.jobs} jobs); corpus "
             f"{corpus['seeds']} seeds ({corpus['lit']} lit/benchmark chunks, "
             f"{corpus['imported']} imported models; {corpus['valid']} of them valid IR), "
             f"{corpus['configs']} configs.", "",
             "| target | runs | ok | error | crash |", "|---|---|---|---|---|"]
    for row in summary["pipelines"] + [dict(e, name=f"python: {e['name']}")
                                       for e in summary["entries"]]:
        lines.append(f"| {row['name']} | {row['runs']} | {row.get('ok', 0)} | "
                     f"{row.get('error', 0)} | {row.get('crash', 0)} |")
    lines += ["", f"Crashes: {summary['project_crashes']} in the project, "
              f"{summary['upstream_crashes']} in upstream MLIR (unique signatures)."]
    for c in crashes:
        lines.append(f"- [{c['attribution']}] {c['target']} ({c['kind']}, {c['count']}x): "
                     f"`{c['signature']}` -> {c['minimized'] or c['reproducer']}"
                     + (f" (upstream mlir-opt: {c['upstream_mlir_opt']})"
                        if c["upstream_mlir_opt"] else ""))
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    build = ROOT / "build"
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mutants", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(build / "fuzz"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs-per-mutant", type=int, default=0,
                        help="run K sampled targets per mutant (default 0: every target)")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per run")
    parser.add_argument("--no-python", dest="python", action="store_false",
                        help="skip the Python entry points")
    parser.add_argument("--minimize-attempts", type=int, default=300)
    parser.add_argument("--build", default=str(build))
    parser.add_argument("--mase-opt", default=str(build / "bin" / "mase-opt"))
    parser.add_argument("--mlir-opt", default=str(upstream_mlir_opt()),
                        help="the pinned upstream mlir-opt (tells the project's passes apart)")
    parser.add_argument("--corpus-cache", default=str(build / "fuzz-corpus"))
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    start = time.perf_counter()
    fuzzer = Fuzzer(args)
    lit = lit_seeds()
    imported = imported_seeds(Path(args.corpus_cache), fuzzer.mase_opt, log)
    seeds = lit + imported
    configs = [json.loads(p.read_text()) for p in config_files() if _is_json(p)]
    corpus = {"seeds": len(seeds), "lit": len(lit), "imported": len(imported),
              "configs": len(configs)}
    log(f"[fuzz] {len(fuzzer.pipelines)} pipelines: "
        f"{', '.join(p.name for p in fuzzer.pipelines)}; corpus {corpus}")
    fuzzer.seeds, fuzzer.configs = seeds, configs
    # Seeds that parse and verify (most lit inputs of error tests do not) are drawn four
    # times as often: their mutants get into the passes.
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        valid = list(pool.map(lambda seed: fuzzer.parses(seed.text), seeds))
    # Valid seeds count more, kernel loops (the looped hardware path) more again.
    fuzzer.weights = [(4 if v else 1) * (3 if "mx.kernel_loop" in s.text else 1)
                      for s, v in zip(seeds, valid, strict=True)]
    corpus["valid"] = sum(valid)
    fuzzer.donors = Donors([s.text for s in lit])
    try:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            # At most a few mutants wait in memory at a time.
            pending: list = []
            for index in range(args.mutants):
                pending.append(pool.submit(fuzzer.run_job, index))
                if len(pending) >= 4 * args.jobs:
                    pending.pop(0).result()
                if (index + 1) % 100 == 0:
                    log(f"[fuzz] {index + 1}/{args.mutants} mutants, "
                        f"{sum(fuzzer.stats.runs.values())} runs, "
                        f"{len(fuzzer.stats.crashes)} crash signatures")
            for future in pending:
                future.result()
        fuzzer.minimize_crashes(log)
    finally:
        fuzzer.close()
    summary = write_summary(fuzzer, args, time.perf_counter() - start, corpus)
    log(f"[fuzz] {summary['mutants']} mutants, {summary['runs']} runs, "
        f"{summary['project_crashes']} project crashes, {summary['upstream_crashes']} upstream; "
        f"{out / 'summary.md'}")
    return 1 if summary["project_crashes"] else 0


def _is_json(path: Path) -> bool:
    try:
        json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError):
        return False
    return True


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.exit(main())
