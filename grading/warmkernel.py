"""Warm kernels that never share a trainee's state: a fork server.

A worker keeps one *zygote*: a process that has imported ipykernel, pandas, the kit and its
generators, and has run no notebook code. Each notebook's kernel is a fresh ``fork()`` of
it: a new process with a new namespace, whose imports are already done; whatever a
trainee's code changes (a module patched, a global set) dies with that process, and the
zygote, which never runs trainee code, stays clean. nbgrader is not changed: it starts the
kernel named "python3" through jupyter_client, and the worker's ``JUPYTER_PATH`` holds a
"python3" kernelspec whose command is this file's ``launch``: a small process that asks the
zygote for a child, forwards signals (interrupt, terminate) to it and exits with it, so
jupyter_client manages it as it manages any kernel.

    python grading/warmkernel.py serve SOCKET PARENT_PID       # the zygote
    python grading/warmkernel.py launch SOCKET -f CONNECTION_FILE ...   # a kernel (kernelspec)
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# Imported by the zygote before it forks (what the labs and the kernel import first).
WARM_IMPORTS = (
    "ipykernel.kernelapp",
    "IPython.display",
    "numpy",
    "pandas",
    "forensics_lib",
    "forensics_datasets.course",
)


def _recv_line(conn: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def _watch(pid: int) -> None:
    """Exit this (kernel) process when process ``pid`` (its launcher) is gone."""
    fd = os.pidfd_open(pid)
    select.select([fd], [], [])
    os._exit(1)


def serve(path: str, parent: int) -> None:
    """The zygote: warm imports, then one forked kernel per request, until ``parent`` dies."""
    import importlib

    here = str(Path(__file__).resolve().parent)
    if sys.path and sys.path[0] == here:  # python puts the script's folder first
        sys.path.pop(0)
    for name in WARM_IMPORTS:
        importlib.import_module(name)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    Path(path).chmod(0o600)
    listener.listen(8)
    parent_fd = os.pidfd_open(parent)
    while True:
        ready, _, _ = select.select([listener.fileno(), parent_fd], [], [])
        if parent_fd in ready:
            return
        conn, _ = listener.accept()
        request = json.loads(_recv_line(conn))
        pid = os.fork()
        if pid == 0:  # the kernel
            listener.close()
            os.close(parent_fd)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            conn.sendall(f"{os.getpid()}\n".encode())
            conn.close()
            os.setsid()
            os.chdir(request["cwd"])
            sys.path.insert(0, request["cwd"])  # as `python -m ipykernel_launcher` has it
            os.environ.clear()
            os.environ.update(request["env"])
            threading.Thread(target=_watch, args=(request["launcher"],), daemon=True).start()
            from ipykernel.kernelapp import IPKernelApp

            argv = list(request["argv"])
            # ipykernel reads JPY_PARENT_PID when imported (here, in the zygote): pass it on,
            # as a kernel started by jupyter_client has it (and prints no console banner)
            if os.environ.get("JPY_PARENT_PID"):
                argv.append(f"--IPKernelApp.parent_handle={os.environ['JPY_PARENT_PID']}")
            sys.argv = ["ipykernel_launcher", *argv]
            IPKernelApp.launch_instance(argv=argv)
            os._exit(0)
        conn.close()


def launch(path: str, argv: list[str]) -> int:
    """A kernel for jupyter_client: a fork of the zygote, this process its stand-in."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(path)
    request = {"argv": argv, "cwd": str(Path.cwd()), "env": dict(os.environ),
               "launcher": os.getpid()}  # fmt: skip
    conn.sendall(json.dumps(request).encode() + b"\n")
    child = int(_recv_line(conn))
    conn.close()

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP):
        signal.signal(signum, forward)
    try:
        fd = os.pidfd_open(child)
    except ProcessLookupError:
        return 0
    while True:
        try:
            select.select([fd], [], [])
            return 0
        except InterruptedError:
            continue


class Zygote:
    """This worker's zygote and the kernelspec that uses it (``JUPYTER_PATH``)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="forensics-warm-"))  # mode 0700
        self.socket = str(self.folder / "zygote.sock")
        here = str(Path(__file__).resolve())
        self.process = subprocess.Popen(
            [sys.executable, here, "serve", self.socket, str(os.getpid())],
            stdin=subprocess.DEVNULL,
        )
        spec = self.folder / "kernels" / "python3"
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(
            json.dumps(
                {
                    "argv": [
                        sys.executable,
                        here,
                        "launch",
                        self.socket,
                        "-f",
                        "{connection_file}",
                    ],
                    "display_name": "Python 3 (ipykernel)",
                    "language": "python",
                    "interrupt_mode": "signal",
                    "metadata": {"debugger": True},
                }
            )
        )
        deadline = time.monotonic() + 120
        while not Path(self.socket).exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the warm-kernel zygote did not start")
            time.sleep(0.05)

    @property
    def jupyter_path(self) -> str:
        return str(self.folder)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(launch(sys.argv[2], sys.argv[3:]))
