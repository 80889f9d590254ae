"""The chat client: the ``openai`` SDK's AsyncOpenAI with our cache, retries and usage accounting.

The SDK's own retries are switched off (``max_retries=0``) so that every fault goes through one
policy: 429 (waiting what Retry-After asks), 408/409/5xx, timeouts, dropped connections and bodies
that are not a chat completion (an HTML error page, JSON without choices) are retried with
exponential backoff and full jitter; after :attr:`RetryPolicy.max_retries` the request fails with
:class:`RequestFailed` and the caller records the failure and goes on. A 401/403/404 means the
endpoint, key or model is wrong for every request: :class:`EndpointError` stops the run (exit 2).
Other 4xx (e.g. a prompt too long for the model) fail that request only.

A run that cannot succeed says so in seconds rather than hours. The first request is the probe:
if it cannot even connect (connection refused, an unknown host) the run stops at once with
:class:`EndpointError` naming ``--base-url``. Later, :attr:`RetryPolicy.give_up_after` faults of
the same kind in a row across all requests (HTTP 500 after HTTP 500, HTML page after HTML page,
with no answer between them; rate limiting does not count, it is the server being alive and
busy) stop the run with :class:`EndpointDead` and a summary of the faults: what finished before is
kept by the caller, and asking for more attempts would not help.

The API key comes from ``OPENAI_API_KEY`` and lives only in the SDK client object: it is never part
of a cache key, a manifest, a log line or an error message.
"""

from __future__ import annotations

import asyncio
import email.utils
import os
import random
import time
from dataclasses import dataclass, field
from typing import Any, TypedDict
from urllib.parse import urlsplit

from tvt.errors import InputError, WorkFailed
from tvt.llm.cache import CachedResponse, ResponseCache, cache_key
from tvt.records import ResponseFormat

#: Local servers (llama.cpp, vLLM, Ollama) accept any key; the SDK insists on one.
LOCAL_DUMMY_KEY = "sk-local-no-key"
DEFAULT_HOST = "api.openai.com"


class ChatMessage(TypedDict):
    """One message of a chat request."""

    role: str  # "system", "user" or "assistant"
    content: str


class SamplingParams(TypedDict, total=False):
    """The sampling parameters a request sends as they are (and its cache key includes)."""

    temperature: float
    max_tokens: int
    response_format: ResponseFormat


class UsageRecord(TypedDict):
    """:class:`Usage` as a run's summary reports it."""

    requests: int
    retries: int
    cache_hits: int
    prompt_tokens: int
    completion_tokens: int
    cached_prompt_tokens: int
    cached_completion_tokens: int
    faults: dict[str, int]
    wall_s: float


class RequestFailed(Exception):
    """A request could not be completed (retries exhausted, or refused with a 4xx)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EndpointError(InputError):
    """The endpoint refuses every request (bad key, model or URL): stop the run, exit 2."""


class EndpointDead(WorkFailed):
    """The endpoint failed many requests in a row the same way: stop the run, exit 1."""


@dataclass(frozen=True)
class Endpoint:
    """Where requests go. ``repr`` hides the key."""

    model: str
    base_url: str | None
    api_key: str = field(repr=False)

    @property
    def host(self) -> str:
        """Host (and port) only: what the manifest and the cache key record."""
        if not self.base_url:
            return DEFAULT_HOST
        parts = urlsplit(self.base_url)
        host = parts.hostname or ""
        return f"{host}:{parts.port}" if parts.port else host


def resolve_endpoint(model: str, base_url: str | None = None) -> Endpoint:
    """Combine flags and environment (``OPENAI_BASE_URL``, ``OPENAI_API_KEY``); flags win."""
    if not model or not model.strip():
        raise InputError("a model name is required", field="--model")
    base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
    if base_url:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(
                "must be an http(s) URL such as http://127.0.0.1:8080/v1", field="--base-url"
            )
    key = os.environ.get("OPENAI_API_KEY") or ""
    if not key:
        if not base_url:
            raise InputError(
                "OPENAI_API_KEY is not set; export it, or pass --base-url for a local server "
                "that needs no key"
            )
        key = LOCAL_DUMMY_KEY
    return Endpoint(model=model.strip(), base_url=base_url, api_key=key)


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff for transport faults: delay ~ U(0, min(cap, base * 2**n)) (full jitter)."""

    max_retries: int = 8
    base: float = 1.0
    cap: float = 60.0
    #: Never wait longer than this for one Retry-After, whatever the server says.
    retry_after_cap: float = 300.0
    #: Stop the run after this many faults of one kind in a row (0: never).
    give_up_after: int = 5

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            # Honour the server, plus a little jitter so that waiting workers do not return
            # in lockstep.
            return min(self.retry_after_cap, retry_after) + random.uniform(0, self.base / 4)
        return random.uniform(0, min(self.cap, self.base * 2**retry))


@dataclass
class Usage:
    """Counters of one run (requests actually sent vs answers served from the cache)."""

    requests: int = 0
    retries: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_prompt_tokens: int = 0
    cached_completion_tokens: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)

    def fault(self, kind: str) -> None:
        self.faults[kind] = self.faults.get(kind, 0) + 1

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def wall_s(self) -> float:
        return time.perf_counter() - self.started

    def as_dict(self) -> UsageRecord:
        return {
            "requests": self.requests,
            "retries": self.retries,
            "cache_hits": self.cache_hits,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cached_prompt_tokens": self.cached_prompt_tokens,
            "cached_completion_tokens": self.cached_completion_tokens,
            "faults": dict(sorted(self.faults.items())),
            "wall_s": round(self.wall_s, 3),
        }


@dataclass(frozen=True)
class Completion:
    """One answer: its text, why it stopped, its token counts, and whether it came from cache."""

    text: str
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    cached: bool


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class LLMClient:
    """Chat completions with cache lookup, fault retries and usage accounting."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        cache: ResponseCache | None = None,
        policy: RetryPolicy | None = None,
        timeout: float = 300.0,
        usage: Usage | None = None,
    ) -> None:
        from openai import AsyncOpenAI

        self.endpoint = endpoint
        self.cache = cache
        self.policy = policy or RetryPolicy()
        self.usage = usage or Usage()
        kwargs: dict[str, Any] = {"api_key": endpoint.api_key, "max_retries": 0, "timeout": timeout}
        if endpoint.base_url:
            kwargs["base_url"] = endpoint.base_url
        self._sdk = AsyncOpenAI(**kwargs)
        #: Whether any request has been answered (the endpoint exists and speaks HTTP).
        self._answered = False
        #: The kind of the last faults in a row, and how many.
        self._streak: tuple[str, int] = ("", 0)

    def _where(self) -> str:
        return f"--base-url {self.endpoint.base_url}" if self.endpoint.base_url else DEFAULT_HOST

    def _note_fault(self, kind: str, exc: BaseException | None) -> None:
        """Count a fault; stop the run when the endpoint is unreachable or keeps failing."""
        cause = exc.__cause__ if exc is not None else None
        # The SDK's transport (httpx, or a fork of it) raises a ConnectError when no connection
        # could be opened at all: refused, unknown host, no route. Matched by name, so that a
        # vendored copy of httpx is recognised too.
        connect = any(k.__name__ == "ConnectError" for k in type(cause).__mro__)
        if connect and not self._answered:
            why = " ".join(str(cause).split()) or "connection failed"
            raise EndpointError(
                f"cannot connect to {self._where()} ({why}); is the server running and the "
                "URL right?"
            ) from None
        if kind == "429 rate limited":
            return
        last, count = self._streak
        count = count + 1 if kind == last else 1
        self._streak = (kind, count)
        limit = self.policy.give_up_after
        if limit and count >= limit:
            faults = ", ".join(f"{k} x{v}" for k, v in sorted(self.usage.faults.items()))
            raise EndpointDead(
                f"stopped: {count} requests in a row to {self._where()} failed with {kind} "
                f"({self.usage.requests} requests sent; faults {faults}); the endpoint looks down "
                "or broken, so the remaining work was not attempted. Finished work is kept: fix "
                "the endpoint and run the same command again (with --resume where it has one)"
            )

    async def aclose(self) -> None:
        await self._sdk.close()

    def key(
        self, messages: list[dict[str, str]], params: SamplingParams, seed: int | None, version: str
    ) -> str:
        return cache_key(
            host=self.endpoint.host,
            model=self.endpoint.model,
            messages=messages,
            params=params,
            seed=seed,
            prompt_version=version,
        )

    async def complete(
        self,
        messages: list[dict[str, str]],
        *,
        params: SamplingParams,
        seed: int | None,
        prompt_version: str,
    ) -> Completion:
        """One chat completion (from the cache when possible).

        ``params`` are the sampling parameters sent as they are (``temperature``, ``max_tokens``,
        ``response_format``...). Raises :class:`RequestFailed` or :class:`EndpointError`.
        """
        key = self.key(messages, params, seed, prompt_version) if self.cache is not None else ""
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                self.usage.cache_hits += 1
                self.usage.cached_prompt_tokens += hit.prompt_tokens
                self.usage.cached_completion_tokens += hit.completion_tokens
                return Completion(
                    hit.text, hit.finish_reason, hit.prompt_tokens, hit.completion_tokens, True
                )
        completion = await self._request(messages, params, seed)
        if self.cache is not None and completion.text.strip():
            self.cache.put(
                key,
                self.endpoint.model,
                CachedResponse(
                    completion.text,
                    completion.finish_reason,
                    completion.prompt_tokens,
                    completion.completion_tokens,
                ),
            )
        return completion

    async def _request(
        self, messages: list[dict[str, str]], params: SamplingParams, seed: int | None
    ) -> Completion:
        import openai
        from openai.types.chat import ChatCompletion

        retry = 0
        while True:
            retry_after: float | None = None
            error: BaseException | None = None
            self.usage.requests += 1
            try:
                request: dict[str, Any] = {"model": self.endpoint.model, "messages": messages}
                request.update(params)
                if seed is not None:
                    request["seed"] = seed
                response = await self._sdk.chat.completions.create(**request)
                if not isinstance(response, ChatCompletion) or not response.choices:
                    # An HTML error page or JSON without choices behind a 200: a proxy fault.
                    kind = "malformed body"
                else:
                    choice = response.choices[0]
                    usage = response.usage
                    prompt_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
                    completion_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
                    self.usage.prompt_tokens += prompt_tokens
                    self.usage.completion_tokens += completion_tokens
                    text = choice.message.content if choice.message is not None else None
                    self._answered = True
                    self._streak = ("", 0)
                    return Completion(
                        text or "", choice.finish_reason, prompt_tokens, completion_tokens, False
                    )
            except openai.RateLimitError as exc:
                kind = "429 rate limited"
                retry_after = _retry_after(exc)
            except openai.APITimeoutError:
                kind = "timeout"
            except openai.APIConnectionError as exc:
                kind = "connection error"
                error = exc
            except openai.APIStatusError as exc:
                status = exc.status_code
                if status in (401, 403):
                    raise EndpointError(
                        f"the endpoint {self.endpoint.host} refused the API key (HTTP {status})"
                    ) from None
                if status == 404:
                    raise EndpointError(
                        f"the endpoint {self.endpoint.host} answered 404 for model "
                        f"'{self.endpoint.model}' (wrong --model or --base-url?)"
                    ) from None
                kind = f"HTTP {status}"
                self._answered = True  # it speaks HTTP: not a wrong address
                if status < 500 and status not in (408, 409):
                    raise RequestFailed(f"{kind}: {_short(exc)}") from None
                retry_after = _retry_after(exc)
            except openai.APIResponseValidationError:
                kind = "malformed body"
            except (ValueError, TypeError):
                # The SDK could not decode what came back (e.g. truncated JSON).
                kind = "malformed body"
            self.usage.fault(kind)
            self._note_fault(kind, error)
            if retry >= self.policy.max_retries:
                raise RequestFailed(f"{kind} (gave up after {retry + 1} tries)")
            self.usage.retries += 1
            await asyncio.sleep(self.policy.delay(retry, retry_after))
            retry += 1


def _short(exc: Exception, limit: int = 160) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
