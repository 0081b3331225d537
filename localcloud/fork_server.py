"""Starting Lambda workers by forking a process that has already imported boto3.

A worker is ``python -S -m awslambdaric HANDLER`` (``worker_process``). Started from nothing, an
interpreter spends ~0.4 s of CPU before the handler runs, three quarters of it importing boto3,
which almost every handler imports first. Under load localcloud starts dozens of workers, and
those imports were a fifth of the test suite's CPU. So one process per localcloud process (the
fork server, ``fork_server_process``) imports the runtime's boto3 once, and each worker is forked
from it: the child sets up exactly what the plain command would (its own session and process
group, working directory, environment, import path, locale, signal handlers, output), runs
awslambdaric as ``-m`` would and exits as an interpreter does. A worker then spends ~0.05 s of
CPU before its handler's own imports.

A worker is forked only when that cannot change what its handler sees; otherwise it starts the
plain way (``can_fork``):

- its function's own code or layers bring a module the fork server imported (a bundled boto3,
  or a backport named like a standard module, such as ``typing.py``): the function's copy comes
  first on its path, so it must not find the fork server's already imported;
- its environment sets a ``PYTHON*`` variable (other than ``PYTHONPATH``), which an interpreter
  reads only as it starts.

What still differs from a fresh interpreter: the hash seed (every forked worker shares the fork
server's) and the process's command line.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import IO, Any

from localcloud.installed_packages import link_distributions
from localcloud.worker_process import WorkerLaunch

_PROCESS_SCRIPT = Path(__file__).with_name("fork_server_process.py")


class ForkServerError(RuntimeError):
    """The fork server could not start, or could not fork a worker."""


class ForkedProcess:
    """A worker forked by the fork server, as much of ``subprocess.Popen`` as a worker uses.
    Its exit status comes from the fork server, which is its parent."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._ended = threading.Event()

    def wait(self) -> int:
        self._ended.wait()
        assert self.returncode is not None
        return self.returncode

    def _exited(self, returncode: int) -> None:
        self.returncode = returncode
        self._ended.set()


class _Server:
    """One fork server process and what it owes: answers to requests, exits of children."""

    def __init__(self, process: subprocess.Popen[bytes], preloaded: dict[str, str]) -> None:
        self.process = process
        self.preloaded = preloaded
        self.serving = True  # False once its replies end: it exited
        self._requests: dict[int, Future[ForkedProcess]] = {}
        self._children: dict[int, ForkedProcess] = {}
        self._next_request = 0
        self._lock = threading.Lock()
        assert process.stdout is not None
        threading.Thread(
            target=self._read_replies, args=(process.stdout,), name="fork-server", daemon=True
        ).start()

    def fork(self, request: Mapping[str, object]) -> ForkedProcess:
        answer: Future[ForkedProcess] = Future()
        with self._lock:
            if not self.serving:
                raise ForkServerError("the fork server exited")
            self._next_request += 1
            self._requests[self._next_request] = answer
            line = json.dumps({"start": self._next_request, **request}).encode() + b"\n"
            assert self.process.stdin is not None
            try:
                self.process.stdin.write(line)
                self.process.stdin.flush()
            except OSError as error:
                raise ForkServerError(f"the fork server exited: {error}") from error
        return answer.result()

    def stop(self) -> None:
        """Close its stdin, on which it exits (its stdout is the reply reader's to close)."""
        assert self.process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.process.stdin.close()
        self.process.wait()

    def _read_replies(self, replies: IO[bytes]) -> None:
        with replies:
            for line in replies:
                self._dispatch(json.loads(line))
        self._gone()

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "exited" in message:
            child = self._children.pop(message["exited"], None)
            if child is not None:
                child._exited(message["returncode"])
            return
        answer = self._requests.pop(message["started"])
        if "pid" in message:
            forked = ForkedProcess(message["pid"])
            self._children[forked.pid] = forked
            answer.set_result(forked)
        else:
            answer.set_exception(ForkServerError(f"fork failed: {message['error']}"))

    def _gone(self) -> None:
        """Without their parent, nothing reports how its workers end: end each one now."""
        with self._lock:
            self.serving = False
        for pid, child in list(self._children.items()):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            child._exited(-signal.SIGKILL)
        for answer in self._requests.values():
            answer.set_exception(ForkServerError("the fork server exited"))


class ForkServer:
    """Forks workers from a fork server process, started at the first need and started again
    should it exit."""

    def __init__(self, runtime_distributions: Sequence[str]) -> None:
        self._distributions = tuple(runtime_distributions)
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._directory: Path | None = None
        self._closed = False

    @property
    def pid(self) -> int | None:
        """The server process's, while it runs."""
        with self._lock:
            server = self._server
        return server.process.pid if server is not None and server.serving else None

    def can_fork(self, launch: WorkerLaunch, environment: dict[str, str]) -> bool:
        """Whether this worker, with its function's code and layers (``launch.own_paths``) and
        this environment, sees the same when forked as when started from nothing."""
        if any(key.startswith("PYTHON") and key != "PYTHONPATH" for key in environment):
            return False
        preloaded = self._running().preloaded
        for directory in launch.own_paths:
            for entry in os.listdir(directory) if directory.is_dir() else ():
                # boto3/, six.py, _cffi_backend.cpython-311-x86_64-linux-gnu.so ...
                name = entry.partition(".")[0]
                if name in preloaded and os.path.realpath(directory / entry) != preloaded[name]:
                    return False
        return True

    def start(self, launch: WorkerLaunch, environment: dict[str, str]) -> ForkedProcess:
        """Fork the worker ``launch.command`` would start, with ``environment``."""
        request = {
            "module": launch.module,
            "arguments": launch.arguments,
            "directory": str(launch.directory),
            "environment": environment,
            "log": str(launch.log_path),
        }
        try:
            return self._running().fork(request)
        except ForkServerError:
            return self._running().fork(request)  # it exited meanwhile: once more, on a new one

    def close(self) -> None:
        """Stop the fork server (its workers are their runtime's to stop) and remove its files."""
        with self._lock:
            self._closed = True
            server, self._server = self._server, None
        if server is not None:
            server.stop()
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None

    def _running(self) -> _Server:
        with self._lock:
            if self._closed:
                raise ForkServerError("the fork server is closed")
            if self._server is None or not self._server.serving:
                if self._server is not None:
                    self._server.stop()  # reap the one that exited
                self._server = self._launch()
            return self._server

    def _launch(self) -> _Server:
        if self._directory is None:
            self._directory = Path(tempfile.mkdtemp(prefix="localcloud-fork-server-"))
        runtime = link_distributions(self._distributions, self._directory / "runtime")
        process = subprocess.Popen(
            [sys.executable, "-S", str(_PROCESS_SCRIPT), str(runtime)],
            # What every worker's environment has too (worker_launch); the rest is per worker.
            env={"LANG": "en_US.UTF-8", "TZ": ":UTC"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=self._directory,
        )
        assert process.stdout is not None
        first = json.loads(process.stdout.readline() or b'{"failed": "it exited at once"}')
        if "ready" not in first:
            process.kill()
            process.communicate()
            raise ForkServerError(f"the fork server did not start: {first.get('failed')}")
        return _Server(process, dict(first["ready"]))


_shared: dict[tuple[str, ...], ForkServer] = {}
_shared_lock = threading.Lock()


def shared_fork_server(runtime_distributions: Sequence[str]) -> ForkServer:
    """The process's fork server, started at its first use and stopped as the process exits:
    every runtime localcloud starts in a process (a test suite starts hundreds) shares it."""
    key = tuple(runtime_distributions)
    with _shared_lock:
        if key not in _shared:
            _shared[key] = ForkServer(key)
            atexit.register(_shared[key].close)
        return _shared[key]
