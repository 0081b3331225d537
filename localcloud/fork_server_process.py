"""The fork server's own process: imports the Lambda runtime's libraries once, then forks each
worker from itself (see ``fork_server``).

Run as a script, ``python -S fork_server_process.py RUNTIME_DIR``, with the standard library only,
so that nothing of localcloud is imported into the workers it forks. It is single-threaded (a
forked child inherits no other thread) and talks over its stdin and stdout, one JSON object a line:

- in: ``{"start": ID, "module", "arguments", "directory", "environment", "log"}``;
- out: first ``{"ready": [[name, path], ...]}`` (the top-level modules it holds, and where
  from) or ``{"failed": traceback}``; then ``{"started": ID, "pid"}`` or
  ``{"started": ID, "error"}`` for each request, and ``{"exited": PID, "returncode"}`` as each
  worker ends (negative: the signal that ended it, as ``subprocess`` reports it).

It exits when its stdin closes.
"""

from __future__ import annotations

import json
import locale
import os
import runpy
import select
import signal
import sys
import time
import traceback
from typing import Any, BinaryIO

# What every Python handler that calls AWS imports first, and the bulk of a cold start (~0.3 s
# of CPU). Imports only: nothing here reads the environment, which is the function's own later.
PRELOADED = ("boto3",)


def _preload(runtime_dir: str) -> list[list[str]]:
    """Import ``PRELOADED``; then every top-level module this process holds (the standard
    library's it imported too), each with the real path of its file or package."""
    sys.path.insert(0, runtime_dir)
    for name in PRELOADED:
        __import__(name)
    sys.path.remove(runtime_dir)
    loaded = []
    for name in {name.partition(".")[0] for name in sys.modules}:
        path = getattr(sys.modules.get(name), "__file__", None)
        if path:  # a built-in module has no file, and nothing on a path can stand in for it
            package = os.path.dirname(path) if path.endswith("__init__.py") else path
            loaded.append([name, os.path.realpath(package)])
    return sorted(loaded)


def _coerce_c_locale() -> None:
    """What an interpreter does as it starts when the environment's locale is C or missing
    (PEP 538, "Legacy C locale coercion"): a UTF-8 locale, and ``LC_CTYPE`` saying so."""
    try:
        current = locale.setlocale(locale.LC_CTYPE, "")
    except locale.Error:  # the locale named in LANG is not installed: C it is
        current = "C"
    if current not in ("C", "POSIX") or "LC_ALL" in os.environ:
        return
    for candidate in ("C.UTF-8", "C.utf8", "UTF-8"):
        try:
            locale.setlocale(locale.LC_CTYPE, candidate)
        except locale.Error:
            continue
        os.environ["LC_CTYPE"] = candidate
        return


def _become_worker(
    request: dict[str, Any], standard_library: list[str], replies: BinaryIO, fds: list[int]
) -> None:
    """In the forked child: become the process ``python -S -m MODULE ARGUMENTS`` would be,
    started in the request's directory with exactly its environment and its output in the log,
    and run it. Never returns: the interpreter exits as that process would (atexit functions,
    non-daemon threads, an uncaught exception's traceback and status 1, ``sys.exit``'s code)."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    replies.close()  # the fork server's pipes are not the worker's
    for fd in fds:
        os.close(fd)
    os.setsid()  # a group of its own, as a worker started from nothing has
    log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    os.chdir(request["directory"])
    os.environ.clear()
    os.environ.update(request["environment"])
    time.tzset()
    _coerce_c_locale()
    python_path = [path for path in os.environ.get("PYTHONPATH", "").split(os.pathsep) if path]
    sys.path[:] = [os.getcwd(), *python_path, *standard_library]
    sys.argv = ["-m", *request["arguments"]]
    runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
    sys.exit(0)


def _send(replies: BinaryIO, message: dict[str, Any]) -> None:
    replies.write(json.dumps(message).encode() + b"\n")
    replies.flush()


def _reap(replies: BinaryIO) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _send(replies, {"exited": pid, "returncode": os.waitstatus_to_exitcode(status)})


def main() -> None:
    del sys.path[0]  # this script's directory: localcloud's own modules are not for workers
    standard_library = list(sys.path)
    # The protocol moves off descriptors 0 and 1, which each worker gets as /dev/null and its log.
    requests_fd, replies = os.dup(0), os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)
    try:
        ready = _preload(sys.argv[1])
    except BaseException:
        _send(replies, {"failed": traceback.format_exc()})
        return
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler, so that the wakeup fd is written
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal's ^C is for localcloud, not us
    _send(replies, {"ready": ready})
    pending = b""
    while True:
        readable, _, _ = select.select([requests_fd, wake_r], [], [])
        if wake_r in readable:
            os.read(wake_r, 4096)
            _reap(replies)
        if requests_fd not in readable:
            continue
        chunk = os.read(requests_fd, 65536)
        if not chunk:
            return
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            request = json.loads(line)
            try:
                pid = os.fork()
            except OSError as error:
                _send(replies, {"started": request["start"], "error": str(error)})
                continue
            if pid == 0:
                _become_worker(request, standard_library, replies, [requests_fd, wake_r, wake_w])
            _send(replies, {"started": request["start"], "pid": pid})


if __name__ == "__main__":
    main()
