"""One OpenAI-compatible endpoint, through the `openai` client, with every answer cached on disk.

Retries with exponential backoff on connection errors, 408/409/429 and 5xx are the client's own
(`max_retries`); `probe` fails in seconds, with one line, when the endpoint cannot be reached or
does not serve the model. Every call returns plain JSON (what the cache stores), so a cached and a
live answer are the same object.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from bench.llm.answers import JSON_SCHEMA
from bench.llm.cache import ResponseCache, request_key

API_KINDS = ("chat", "completions")


class EndpointError(ValueError):
    """The endpoint cannot be used as configured; one line saying what and how to fix it."""


def check_base_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise EndpointError(f"model.base_url={url!r} is not an http(s) URL; e.g. http://127.0.0.1:8000/v1")
    return url


def api_key_from_env(variable: str | None) -> str:
    """The key from the environment variable the config names (servers without auth take any key)."""
    if not variable:
        return "not-needed"
    value = os.environ.get(variable)
    if not value:
        raise EndpointError(f"model.api_key_env={variable}: the environment variable {variable} is not set; "
                            f"export it, or set model.api_key_env=null for a server without authentication")
    return value


@dataclass
class Usage:
    """What the run cost; shared by the worker threads."""

    requests: int = 0
    cache_hits: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, cached: bool, tokens_in: int, tokens_out: int) -> None:
        with self._lock:
            if cached:
                self.cache_hits += 1
            else:
                self.requests += 1
                self.tokens_in += tokens_in
                self.tokens_out += tokens_out

    def sending(self, delta: int) -> None:
        with self._lock:
            self.in_flight += delta
            self.max_in_flight = max(self.max_in_flight, self.in_flight)


class Endpoint:
    def __init__(self, base_url: str, model: str, api_key: str, timeout: float, max_retries: int,
                 cache: ResponseCache | None) -> None:
        from openai import OpenAI

        self.base_url, self.model = check_base_url(base_url), model
        self.client = OpenAI(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=max_retries)
        self.cache = cache
        self.usage = Usage()

    def probe(self, timeout: float = 10.0) -> str:
        """The model id the endpoint serves under `model` (fails fast with one line)."""
        import openai

        try:
            served = [m.id for m in self.client.with_options(timeout=timeout, max_retries=0).models.list()]
        except openai.APIConnectionError:
            raise EndpointError(f"cannot reach {self.base_url} (no server answering there?); start the server or "
                                "fix model.base_url") from None
        except openai.APIStatusError as exc:
            raise EndpointError(f"{self.base_url} answered HTTP {exc.status_code} to GET /models: "
                                f"{str(exc.message)[:200]}") from None
        if served and self.model not in served:
            raise EndpointError(f"model.model={self.model!r} is not served by {self.base_url}; "
                                f"it serves: {', '.join(served[:20])}")
        return self.model

    def _cached(self, kind: str, request: dict[str, Any], send: Any) -> dict[str, Any]:
        key = request_key(self.model, kind, request)
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                self.usage.add(True, 0, 0)
                return hit
        import openai

        self.usage.sending(+1)
        try:
            answer: dict[str, Any] = send()
        except openai.APIStatusError as exc:  # after the client's retries
            raise EndpointError(f"{self.base_url} answered HTTP {exc.status_code} to a {kind} request "
                                f"(after {self.client.max_retries} retries): {str(exc.message)[:200]}") from None
        except openai.APIConnectionError as exc:
            raise EndpointError(f"lost {self.base_url} during a {kind} request (after {self.client.max_retries} "
                                f"retries): {exc}") from None
        finally:
            self.usage.sending(-1)
        self.usage.add(False, int(answer.get("tokens_in", 0)), int(answer.get("tokens_out", 0)))
        if self.cache is not None:
            self.cache.put(key, self.model, answer)
        return answer

    def generate(self, prompt: str, api: str, decoding: dict[str, Any], top_logprobs: int,
                 json_schema: bool) -> dict[str, Any]:
        """{'text', 'top' (per token {token: logprob}, or None), 'tokens_in', 'tokens_out'}."""
        if api not in API_KINDS:
            raise EndpointError(f"model.api={api!r}; use one of {', '.join(API_KINDS)}")
        request = {"prompt": prompt, "api": api, **decoding, "top_logprobs": top_logprobs, "json_schema": json_schema}
        return self._cached("generate", request, lambda: self._send_generate(prompt, api, decoding, top_logprobs,
                                                                              json_schema))

    def _send_generate(self, prompt: str, api: str, decoding: dict[str, Any], top_logprobs: int,
                       json_schema: bool) -> dict[str, Any]:
        top: list[dict[str, float]] | None = None
        if api == "chat":
            extra: dict[str, Any] = {}
            if top_logprobs:
                extra.update(logprobs=True, top_logprobs=top_logprobs)
            if json_schema:
                extra["response_format"] = {"type": "json_schema",
                                            "json_schema": {"name": "label", "schema": JSON_SCHEMA, "strict": True}}
            chat = self.client.chat.completions.create(model=self.model, messages=[{"role": "user", "content": prompt}],
                                                       **decoding, **extra)
            choice = chat.choices[0]
            text = choice.message.content or ""
            if choice.logprobs is not None and choice.logprobs.content:
                top = [{alt.token: alt.logprob for alt in tok.top_logprobs} for tok in choice.logprobs.content]
            usage = chat.usage
        else:
            options: dict[str, Any] = {**decoding, **({"logprobs": top_logprobs} if top_logprobs else {})}
            done = self.client.completions.create(model=self.model, prompt=prompt, **options)
            first = done.choices[0]
            text = first.text or ""
            if first.logprobs is not None and first.logprobs.top_logprobs:
                top = [dict(alts or {}) for alts in first.logprobs.top_logprobs]
            usage = done.usage
        return {"text": text, "top": top, "tokens_in": getattr(usage, "prompt_tokens", 0) or 0,
                "tokens_out": getattr(usage, "completion_tokens", 0) or 0}

    def loglikelihood(self, prompt: str, continuation: str) -> dict[str, Any]:
        """{'logprob': log P(continuation | prompt), 'tokens_in', 'tokens_out'} via echoed completions."""
        request = {"prompt": prompt, "continuation": continuation}
        return self._cached("loglikelihood", request, lambda: self._send_loglikelihood(prompt, continuation))

    def _send_loglikelihood(self, prompt: str, continuation: str) -> dict[str, Any]:
        done = self.client.completions.create(model=self.model, prompt=prompt + continuation, max_tokens=1,
                                              echo=True, logprobs=1, temperature=0.0)
        lp = done.choices[0].logprobs
        if lp is None or not lp.token_logprobs or not lp.text_offset:
            raise EndpointError(f"{self.base_url} returned no prompt logprobs for echo=True; scoring=loglikelihood "
                                "needs a completions endpoint that echoes prompt logprobs (llama.cpp: logits_all)")
        # Tokens of the continuation start at or after the prompt's end; the last one is generated, not echoed.
        echoed = len(lp.token_logprobs) - 1
        total = sum(float(v) for off, v in zip(lp.text_offset[:echoed], lp.token_logprobs[:echoed])
                    if off >= len(prompt) and v is not None)
        usage = done.usage
        return {"logprob": total, "tokens_in": getattr(usage, "prompt_tokens", 0) or 0,
                "tokens_out": getattr(usage, "completion_tokens", 0) or 0}
