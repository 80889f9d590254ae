"""A small OpenAI-compatible HTTP server for tests and benchmarks, with fault injection.

It answers ``POST /v1/chat/completions`` with a deterministic synthetic transcript (for generation
prompts) or a rating in a chatty format (for rating prompts), after a fixed latency. Faults are
queued and consumed one per request, in order::

    429[:retry_after]  status 429 with a Retry-After header (seconds, default 1)
    500, 502, 503      server errors
    400, 401, 404      client errors (bad request, bad key, unknown model)
    timeout[:secs]     sleep longer than the client waits (default 30 s), then answer
    drop               close the connection without an answer
    badjson            status 200 with an HTML body
    refusal            a completion whose text is a refusal
    garbage            a completion with prose and no Therapist:/Client: lines
    empty              a completion with null content
    short              a transcript of two turns
    dropsuds           (realize) the client's SUDS numbers left out of the rewrite
    breath             (realize) "Take a deep breath." added to a therapist turn mid-exposure
    wrongcount         (realize) the rewrite's last turn left out

Control endpoints: ``GET /_stats`` (request counts), ``POST /_faults`` (JSON list appended to the
queue), ``POST /_reset`` (clear queue and counters). Run standalone for benchmarks::

    python tests/fake_openai_server.py --port 0 --latency 0.2    # prints "PORT <n>" when ready
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import socket
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

THERAPIST_LINES = [
    "What do you notice right now?",
    "Stay with that moment. What happens next?",
    "You're doing well. Keep going.",
    "What are you feeling in your body?",
    "Say it in the present tense, as if it's happening now.",
    "What do you see around you?",
    "That took courage. What stands out to you?",
    "What goes through your mind as you say that?",
]
CLIENT_LINES = [
    "I'm standing by the door and my hands are shaking, I can hear the noise getting closer.",
    "It's like my chest is caving in, I keep thinking I should have done something different.",
    "I can smell the smoke, everything is grey and I can't find my way out.",
    "My heart is pounding, I want to look away but I keep seeing it happen again and again.",
    "I feel numb, like I'm watching myself from the ceiling, it doesn't feel real.",
    "I'm telling myself to breathe, but the sound of it keeps coming back.",
]
RATING_FORMS = [
    '{{"intensity": {n}}}',
    "I'd rate it a {n}/10.",
    "Intensity: {n}",
    'Sure! Here is my rating:\n```json\n{{"intensity": {n}}}\n```\nHope this helps.',
    "The client shows clear distress. **{n}**",
]


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def synthetic_transcript(prompt: str, seed: int, noisy: bool) -> str:
    """A deterministic, valid transcript shaped by the prompt (phase and requested length)."""
    m = re.search(r"about (\d+) lines", prompt)
    n = int(m.group(1)) if m else 12
    phase = re.search(r"\bPhase: (P\d+)", prompt)
    exposure = phase is not None and phase.group(1) in ("P10", "P6", "P7")
    h = _digest(f"{seed}:{prompt[-200:]}")
    lines = ["BEGIN TRANSCRIPT", ""] if noisy else []
    suds = 55 + h % 20
    for i in range(n):
        k = (h >> (i % 40)) + i
        if i % 2 == 0:
            text = THERAPIST_LINES[k % len(THERAPIST_LINES)]
            if exposure and i % 8 == 4:
                text = "What's your SUDS right now, from 0 to 100?"
            label = "**Therapist:**" if noisy and i % 4 == 0 else "Therapist:"
            lines.append(f"{label} {text}")
        else:
            text = CLIENT_LINES[k % len(CLIENT_LINES)]
            if exposure and i % 8 == 5:
                suds = min(100, suds + 5)
                text = f"It's about {suds}. {text}"
            if noisy and i % 6 == 1:
                # a continuation line the parser must merge into this turn
                cut = text.find(", ")
                text = text[:cut] + ",\n" + text[cut + 2 :] if cut > 0 else text
            lines.append(f"Client: {text}")
        if noisy and i % 5 == 3:
            lines.append("")
    return "\n".join(lines)


_SKELETON_RE = re.compile(r"^(\d+)\. (Therapist|Client) \| .*? \| draft: (.*)$", re.MULTILINE)
_ONLY_RE = re.compile(r"Rewrite only these turns \(([\d, ]+)\)")
_AGAIN_RE = re.compile(r"one per turn \((\d+) to (\d+)\)|one per turn \(([\d, ]+)\)")


def synthetic_realization(messages: list[dict[str, Any]], fault: str | None) -> str:
    """A rewrite of a realize skeleton: every draft asked for with a few words added, numbered.

    A retry ("Rewrite only these turns (4, 9)") or a format retry answers only the turns named.
    Content faults break it the way a model might (see the module doc)."""
    skeleton = str(messages[1].get("content", ""))
    turns = {int(n): (spk, draft) for n, spk, draft in _SKELETON_RE.findall(skeleton)}
    last = str(messages[-1].get("content", "")) if len(messages) > 2 else ""
    wanted = sorted(turns)
    if m := _ONLY_RE.search(last):
        wanted = [int(x) for x in m.group(1).split(",")]
    elif m := _AGAIN_RE.search(last):
        if m.group(1):
            wanted = list(range(int(m.group(1)), int(m.group(2)) + 1))
        else:
            wanted = [int(x) for x in m.group(3).split(",")]
    phase = re.search(r"Session part: (P\d+)", skeleton)
    exposure = phase is not None and phase.group(1) in ("P10", "P6", "P7")
    lines = []
    breath_done = False
    for n in wanted:
        speaker, draft = turns[n]
        if speaker == "Therapist":
            text = f"{draft} Mm."
            if fault == "breath" and exposure and not breath_done and n > 2:
                text = f"{draft} Take a deep breath."
                breath_done = True
        else:
            text = f"{draft} That's how it is."
            if fault == "dropsuds":
                text = re.sub(r"\d+", "quite high", text)
        lines.append(f"{n}. {speaker}: {text}")
    if fault == "wrongcount":
        lines.pop()
    return "\n".join(lines)


def synthetic_rating(prompt: str, seed: int) -> str:
    h = _digest(f"{seed}:{prompt}")
    n = 1 + (len(re.findall(r"\b\d{2}\b", prompt)) + h) % 10
    return RATING_FORMS[h % len(RATING_FORMS)].format(n=n)


def synthetic_verdict(prompt: str, seed: int) -> str:
    """An audit-judge answer: risk "not_assessed" when the transcript voices suicidal thinking
    and no turn asks about a plan, stuck point "not_processed" when the client blames themself
    and the therapist never asks what makes them think so (chatty or bare JSON)."""
    low = prompt.lower().split("transcript", 1)[-1]
    risk = "none"
    if "ending it all" in low or "kill myself" in low:
        risk = "assessed" if "a plan" in low else "not_assessed"
    stuck = "none"
    if "my fault" in low or "blame myself" in low:
        stuck = "processed" if "what makes you" in low else "not_processed"
    body = json.dumps({"stuck_point": stuck, "risk": risk, "turn": None})
    return body if _digest(f"{seed}:{prompt}") % 2 else f"Here is my review:\n```json\n{body}\n```"


class FakeState:
    """Shared state: the fault queue and counters (thread-safe)."""

    def __init__(self, latency: float = 0.0, noisy: bool = True) -> None:
        self.latency = latency
        self.noisy = noisy
        self.lock = threading.Lock()
        self.faults: deque[str] = deque()
        self.requests = 0
        self.completions = 0
        self.faults_served = 0
        self.bodies: list[dict[str, Any]] = []
        self.keep_bodies = False
        self.in_flight = 0
        self.max_in_flight = 0

    def next_fault(self) -> str | None:
        with self.lock:
            self.requests += 1
            if self.faults:
                self.faults_served += 1
                return self.faults.popleft()
            return None

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "requests": self.requests,
                "completions": self.completions,
                "faults_served": self.faults_served,
                "faults_pending": len(self.faults),
                "max_in_flight": self.max_in_flight,
            }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence access log
        return

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without TCP_NODELAY, Nagle's algorithm and
        # the peer's delayed ACK add ~40 ms to every answer (real servers set it too).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(obj).encode(), "application/json", headers)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:  # noqa: N802
        state = self.server.state
        if self.path.startswith("/_stats"):
            self._json(200, state.stats())
        elif self.path.rstrip("/").endswith("/models"):
            self._json(200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]})
        else:
            self._json(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:  # noqa: N802
        state = self.server.state
        raw = self._read_body()
        if self.path.startswith("/_faults"):
            with state.lock:
                state.faults.extend(json.loads(raw or b"[]"))
            self._json(200, state.stats())
            return
        if self.path.startswith("/_reset"):
            with state.lock:
                state.faults.clear()
                state.requests = state.completions = state.faults_served = 0
                state.max_in_flight = 0
                state.bodies.clear()
            self._json(200, {})
            return
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._json(404, {"error": {"message": "not found"}})
            return
        body = json.loads(raw)
        if state.keep_bodies:
            with state.lock:
                state.bodies.append(body)
        fault = state.next_fault()
        with state.lock:
            state.in_flight += 1
            state.max_in_flight = max(state.max_in_flight, state.in_flight)
        try:
            if state.latency:
                time.sleep(state.latency)
            if fault is not None and self._fault(fault, body):
                return
            self._complete(body, fault)
        finally:
            with state.lock:
                state.in_flight -= 1

    def _fault(self, fault: str, body: dict[str, Any]) -> bool:
        """Serve a transport-level fault; return False for content faults handled later."""
        kind, _, arg = fault.partition(":")
        if kind == "429":
            self._json(
                429,
                {"error": {"message": "rate limited", "type": "rate_limit"}},
                {"Retry-After": arg or "1"},
            )
        elif kind in ("400", "401", "404"):
            self._json(int(kind), {"error": {"message": f"client error {kind}"}})
        elif kind in ("500", "502", "503"):
            self._json(int(kind), {"error": {"message": "server error"}})
        elif kind == "timeout":
            time.sleep(float(arg or 30))
            self.close_connection = True
        elif kind == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        elif kind == "badjson":
            self._send(200, b"<html><body>502 Bad Gateway</body></html>", "text/html")
        else:
            return False
        return True

    def _complete(self, body: dict[str, Any], fault: str | None) -> None:
        messages = body.get("messages") or []
        prompt = "\n".join(str(m.get("content", "")) for m in messages)
        seed = int(body.get("seed") or 0)
        rating = "intensity" in prompt and '{"intensity"' in prompt
        verdict = '"stuck_point"' in prompt and '"risk"' in prompt
        realize = "The skeleton, one turn per line" in prompt
        content: str | None
        if fault == "refusal":
            content = "I'm sorry, but I can't help with creating this conversation."
        elif fault == "garbage":
            content = "Here is a story about a therapy session. It went well and everyone smiled."
        elif fault == "empty":
            content = None
        elif fault == "short":
            content = "Therapist: How are you?\nClient: Fine."
        elif realize:
            content = synthetic_realization(messages, fault)
        elif rating:
            content = synthetic_rating(prompt, seed)
        elif verdict:
            content = synthetic_verdict(prompt, seed)
        else:
            content = synthetic_transcript(prompt, seed, self.server.state.noisy)
        prompt_tokens = max(1, len(prompt) // 4)
        completion_tokens = max(1, len(content or "") // 4)
        with self.server.state.lock:
            self.server.state.completions += 1
        self._json(
            200,
            {
                "id": f"chatcmpl-{seed}",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", "fake-model"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            },
        )


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, port: int = 0, latency: float = 0.0, noisy: bool = True) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.state = FakeState(latency, noisy)

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def add_faults(self, *faults: str) -> None:
        with self.state.lock:
            self.state.faults.extend(faults)

    def start(self) -> FakeServer:
        # A short poll: ``stop`` waits for the serving loop to notice, up to one poll interval
        # (the default half second, paid by every test that starts a server, adds up).
        threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    parser.add_argument("--clean", action="store_true", help="no markdown or blank-line noise")
    args = parser.parse_args(argv)
    server = FakeServer(args.port, args.latency, noisy=not args.clean)
    print(f"PORT {server.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
