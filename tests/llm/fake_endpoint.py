"""A tiny OpenAI-compatible server on 127.0.0.1 for fast tests of the LLM judge (no model behind it).

It answers `contradicts` when claim B contains " not ", `entails` when the two claims are equal,
else `unrelated`, and records how many requests it got and how many were in flight at once.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "fake-judge"


def verdict(prompt: str) -> str:
    a = prompt.rsplit("Claim A:", 1)[-1].split("\n", 1)[0].strip()
    b = prompt.rsplit("Claim B:", 1)[-1].split("\n", 1)[0].strip()
    return "contradicts" if " not " in f" {b} " else "entails" if a == b else "unrelated"


class FakeEndpoint:
    def __init__(self, delay: float = 0.0, answer: str | None = None, fail_after: int | None = None) -> None:
        self.delay, self.answer, self.fail_after = delay, answer, fail_after
        self.requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, body: dict[str, Any], status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                self._send({"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "test"}]})

            def do_POST(self) -> None:  # noqa: N802
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with owner._lock:
                    owner.requests += 1
                    owner.in_flight += 1
                    owner.max_in_flight = max(owner.max_in_flight, owner.in_flight)
                try:
                    time.sleep(owner.delay)
                    if owner.fail_after is not None and owner.requests > owner.fail_after:
                        self._send({"error": {"message": "model overloaded", "type": "server_error"}}, status=400)
                        return
                    self._send(owner.reply(self.path, request))
                finally:
                    with owner._lock:
                        owner.in_flight -= 1

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def reply(self, path: str, request: dict[str, Any]) -> dict[str, Any]:
        usage = {"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11}
        if path.endswith("/chat/completions"):
            text = self.answer or verdict(request["messages"][0]["content"])
            return {"id": "x", "object": "chat.completion", "created": 0, "model": MODEL, "usage": usage,
                    "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                                 "message": {"role": "assistant", "content": text}}]}
        prompt = request["prompt"]
        if request.get("echo"):  # loglikelihood: the right label's continuation scores higher
            head, label = prompt.rsplit(" ", 1)
            score = -0.1 if label == verdict(head) else -3.0
            tokens = [head, " " + label, "x"]
            return {"id": "x", "object": "text_completion", "created": 0, "model": MODEL, "usage": usage,
                    "choices": [{"index": 0, "text": prompt + "x", "finish_reason": "length",
                                 "logprobs": {"tokens": tokens, "token_logprobs": [None, score, -1.0],
                                              "text_offset": [0, len(head), len(prompt)], "top_logprobs": None}}]}
        text = self.answer or verdict(prompt)
        top = [{" " + text[:4]: -0.2, " unre": -2.0}]
        return {"id": "x", "object": "text_completion", "created": 0, "model": MODEL, "usage": usage,
                "choices": [{"index": 0, "text": " " + text, "finish_reason": "stop",
                             "logprobs": {"tokens": [text], "token_logprobs": [-0.2], "text_offset": [0],
                                          "top_logprobs": top}}]}

    def __enter__(self) -> FakeEndpoint:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
