"""Each function's worker processes: started on demand, reused warm, at most a limit at once.

As Lambda scales a function: an invocation runs in an idle execution environment if there is one
(the most recently used, so the fewest stay warm), in a new one if the function is under its
concurrency limit, and otherwise waits for one to be free. Waiting is not running: the function's
timeout starts when a worker takes the invocation (``worker_process``). A worker that died, timed
out or failed to initialize is never reused; the next invocation starts a fresh one.

New code or configuration means new execution environments, as on AWS: the pool of the old
configuration is retired (idle workers stop now, busy ones when their invocation ends).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

from moto.awslambda.models import LambdaFunction

from localcloud.fork_server import ForkServer
from localcloud.worker_launch import WorkerLauncher, fingerprint
from localcloud.worker_process import (
    INIT_TIMEOUT_SECONDS,
    Worker,
    WorkerLaunch,
    WorkerProcess,
    start_plain,
)

# Each worker is a whole interpreter (~0.05 CPU-s to start when forked, ~0.4 s from nothing, and
# ~30 MB): past about twice a laptop's cores, more of them only add cold starts, not throughput.
DEFAULT_CONCURRENCY = 4


class RuntimeStoppedError(RuntimeError):
    """An invocation arrived after the runtime was uninstalled."""


class WorkerPool:
    """One function configuration's workers."""

    def __init__(self, start_worker: Callable[[], Worker], limit: int) -> None:
        self._start_worker = start_worker
        self._limit = limit
        self._idle: list[Worker] = []
        self._busy: set[Worker] = set()
        self._starting = 0
        self._retired = False
        self._stopped = False
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def worker(self) -> Iterator[Worker]:
        """A worker for one invocation, returned to the pool (or stopped) afterwards."""
        worker = self._acquire()
        try:
            yield worker
        finally:
            self._release(worker)

    def _acquire(self) -> Worker:
        unusable: list[Worker] = []
        try:
            with self._changed:
                while True:
                    if self._stopped:
                        raise RuntimeStoppedError("localcloud's Lambda runtime is stopped")
                    while self._idle:
                        worker = self._idle.pop()
                        if worker.reusable:
                            self._busy.add(worker)
                            return worker
                        unusable.append(worker)  # died while idle
                    if len(self._busy) + self._starting < self._limit:
                        self._starting += 1
                        break
                    self._changed.wait()
        finally:
            for worker in unusable:
                worker.stop()
        return self._start()

    def _start(self, idle: bool = False) -> Worker:
        """A new worker, counted in ``_starting`` by the caller until now; busy, or idle."""
        try:
            worker = self._start_worker()  # not under the lock: other invocations go on
        except BaseException:
            with self._changed:
                self._starting -= 1
                self._changed.notify_all()
            raise
        with self._changed:
            self._starting -= 1
            stopped = self._stopped or (idle and self._retired)
            if not stopped and idle:
                self._idle.append(worker)
            elif not stopped:
                self._busy.add(worker)
            self._changed.notify_all()
        if stopped:
            worker.stop()
            raise RuntimeStoppedError("localcloud's Lambda runtime is stopped")
        return worker

    def prewarm(self) -> None:
        """Start one worker ahead of the first invocation, as provisioned concurrency does on
        AWS, unless the function has one. Its process initializes in the background; the first
        invocation takes it as soon as the runtime asks for work."""
        with self._changed:
            if self._idle or self._busy or self._starting or self._retired or self._stopped:
                return
            self._starting += 1
        with contextlib.suppress(RuntimeStoppedError):
            self._start(idle=True)

    def _release(self, worker: Worker) -> None:
        with self._changed:
            self._busy.discard(worker)
            keep = worker.reusable and not (self._retired or self._stopped)
            if keep:
                self._idle.append(worker)
            self._changed.notify_all()
        if not keep:
            worker.stop()

    def retire(self) -> None:
        """Start no new invocation here; stop idle workers now, busy ones when they finish."""
        with self._changed:
            self._retired = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()

    def stop(self) -> None:
        """Stop every worker, busy or not (their invocations end as the process exiting)."""
        with self._changed:
            self._stopped = True
            workers = [*self._idle, *self._busy]
            self._idle, self._busy = [], set()
            self._changed.notify_all()
        for worker in workers:
            worker.stop()


class FunctionWorkers:
    """The pools of every function, by the function's current code and configuration."""

    def __init__(
        self,
        launcher: WorkerLauncher,
        concurrency: int = DEFAULT_CONCURRENCY,
        init_timeout: float = INIT_TIMEOUT_SECONDS,
        fork_server: ForkServer | None = None,
    ) -> None:
        self._launcher = launcher
        self._fork_server = fork_server
        self._concurrency = concurrency
        self._init_timeout = init_timeout
        self._pools: dict[str, tuple[str, WorkerPool]] = {}  # by ARN: (fingerprint, pool)
        self._retired: list[WorkerPool] = []
        self._lock = threading.Lock()
        self._stopped = False

    def pool(self, function: LambdaFunction) -> WorkerPool:
        current = fingerprint(function)
        with self._lock:
            if self._stopped:
                raise RuntimeStoppedError("localcloud's Lambda runtime is stopped")
            known = self._pools.get(function.function_arn)
            if known is not None and known[0] == current:
                return known[1]
            if known is not None:
                known[1].retire()
                self._retired.append(known[1])
            launch = self._launcher.prepare(function)
            init_timeout = self._init_timeout
            start = self._start_process
            pool = WorkerPool(lambda: Worker(launch(), init_timeout, start), self._concurrency)
            self._pools[function.function_arn] = (current, pool)
            return pool

    def prewarm(self, function: LambdaFunction) -> None:
        self.pool(function).prewarm()

    def _start_process(self, launch: WorkerLaunch, environment: dict[str, str]) -> WorkerProcess:
        """Forked from the fork server where that changes nothing the handler sees."""
        server = self._fork_server
        if server is not None and server.can_fork(launch, environment):
            return server.start(launch, environment)
        return start_plain(launch, environment)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            pools = [pool for _, pool in self._pools.values()] + self._retired
            self._pools, self._retired = {}, []
        # Each worker's stop waits for its process and its server: stop them side by side.
        with ThreadPoolExecutor(max_workers=max(1, len(pools))) as stopping:
            list(stopping.map(lambda pool: pool.stop(), pools))
