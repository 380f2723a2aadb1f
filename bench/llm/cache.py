"""On-disk cache of LLM responses, so that a rerun sends zero requests and predicts identically.

The key is a hash of everything that determines the answer: the endpoint's model id, the request
kind, the full rendered prompt (or messages) and the decoding parameters. The value is the JSON of
the parsed response. SQLite in WAL mode: concurrent threads and processes share one file safely,
and a killed run loses at most the answers in flight.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

CACHE_SUBDIR = "llm"
CACHE_FILE = "responses.sqlite"


def request_key(model_id: str, kind: str, request: Mapping[str, Any]) -> str:
    """Stable hash of one request (key order does not matter)."""
    blob = json.dumps({"model": model_id, "kind": kind, "request": request}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResponseCache:
    """get/put of response JSON by request key; one connection per thread."""

    def __init__(self, root: str | Path) -> None:
        self.path = Path(root) / CACHE_SUBDIR / CACHE_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, model TEXT, value TEXT)")

    def _connect(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30.0)
            db.execute("PRAGMA journal_mode=WAL")
            self._local.db = db
        return db

    def get(self, key: str) -> dict[str, Any] | None:
        row = self._connect().execute("SELECT value FROM responses WHERE key = ?", (key,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def put(self, key: str, model_id: str, value: Mapping[str, Any]) -> None:
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO responses VALUES (?, ?, ?)", (key, model_id, json.dumps(value)))


def cache_info(root: str | Path) -> dict[str, Any]:
    """Responses per model id and the file size (no file: nothing cached)."""
    path = Path(root) / CACHE_SUBDIR / CACHE_FILE
    if not path.exists():
        return {"file": str(path), "responses": 0, "models": {}, "bytes": 0}
    with sqlite3.connect(path) as db:
        models = dict(db.execute("SELECT model, COUNT(*) FROM responses GROUP BY model").fetchall())
    size = sum(p.stat().st_size for p in path.parent.glob(CACHE_FILE + "*"))
    return {"file": str(path), "responses": sum(models.values()), "models": models, "bytes": size}


def cache_clear(root: str | Path, model: str | None = None) -> int:
    """Delete the cached responses (of one model id, or all); return how many were deleted."""
    path = Path(root) / CACHE_SUBDIR / CACHE_FILE
    if not path.exists():
        return 0
    with sqlite3.connect(path) as db:
        if model is None:
            count = db.execute("DELETE FROM responses").rowcount
        else:
            count = db.execute("DELETE FROM responses WHERE model = ?", (model,)).rowcount
    return int(count)
