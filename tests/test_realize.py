"""``--backend realize`` against the loopback fake server: labels kept, every turn checked, each
broken answer caught and counted, cache, resume after SIGKILL, batch files, the key never written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.fake_openai_server import FakeServer, synthetic_realization
from tvt import compose
from tvt.cli import main
from tvt.config import load_config
from tvt.llm.journal import JOURNAL_NAME
from tvt.pipeline import planned_cases
from tvt.realize.verify import AnswerError, Checker, parse_answer
from tvt.resources import load_schema
from tvt.suds_text import read_suds

ROOT = Path(__file__).resolve().parents[1]
SECRET = "sk-test-SECRET-never-written-0123456789"
SEED = 42
ALL_PHASES = ["P5", "P10", "P6", "P7", "P8", "P11"]


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    monkeypatch.setenv("TVT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


@pytest.fixture
def fake():
    server = FakeServer(noisy=False).start()
    server.state.keep_bodies = True
    yield server
    server.stop()


def run_cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def realize_args(server, out, *extra, clients=1, phases="P10"):
    return (
        "generate", "--seed", SEED, "--clients", clients, "--phases", phases,
        "--backend", "realize", "--model", "fake-model", "--base-url", server.base_url,
        "--concurrency", 1, "--out", out, *extra,
    )  # fmt: skip


def lines(path):
    return [json.loads(x) for x in path.read_text().splitlines()]


def composed(clients=1, phases=("P10",)):
    cases = list(planned_cases(load_config(), SEED, clients))
    return {
        (c["client_id"], conv["phase"]): conv
        for c in cases
        for conv in compose.compose_client(c, SEED, list(phases))
    }


def backend_of(out):
    return json.loads((out / "manifest.json").read_text())["backend"]


# -- the answer format and the checks ---------------------------------------------------------------
def test_parse_answer_reads_numbered_lines_and_refuses_the_wrong_count():
    got = parse_answer(
        "Sure, here it is:\n1. **Therapist:** How is it now?\n2. Client: Sixty-six.\n"
        "My hands are cold.\n\nHope this helps.",
        [1, 2],
    )
    assert got == {
        1: ("therapist", "How is it now?"),
        2: ("client", "Sixty-six. My hands are cold."),
    }
    with pytest.raises(AnswerError) as err:
        parse_answer("1. Therapist: Hi.\n2. Client: Hello.", [1, 2, 3], finish_reason="length")
    assert err.value.kind == "format.turn_count" and "cut off" in err.value.reason
    with pytest.raises(AnswerError) as err:
        parse_answer("It went well and everyone smiled.", [1, 2])
    assert err.value.kind == "format.unreadable"
    with pytest.raises(AnswerError) as err:
        parse_answer("1. Therapist: Hi.\n1. Client: Hello.", [1])
    assert err.value.kind == "format.turn_count"


def _problems(conv, texts, speakers=None):
    checker = Checker()
    skeleton = conv["turns"]
    elements = [checker.elements(conv["phase"], t) for t in skeleton]
    return checker.problems(
        conv["phase"], skeleton, texts, speakers or {}, range(len(skeleton)), elements
    )


@pytest.mark.slow
def test_checks_catch_what_a_model_breaks():
    convs = composed(1, ("P5", "P10", "P11"))
    p10 = convs[(1, "P10")]
    drafts = [t["text"] for t in p10["turns"]]
    rated = [i for i, t in enumerate(p10["turns"]) if t["suds"] is not None]
    asks = [i + 1 for i in rated[1:]]  # a later rating's question turn is i - 1
    i = rated[1]
    planned = p10["turns"][i]["suds"]
    cases = {
        "suds.dropped": (i, "It's quite high now, my chest is tight."),
        "suds.wrong": (i, f"{planned + 7}. My chest is tight."),
        "suds.scale_10": (i, f"{planned / 10:g} out of 10. My chest is tight."),
        "suds.question_dropped": (i - 1, "Mm. Go on."),
        "exposure.relaxation": (i - 1, f"{drafts[i - 1]} Take a deep breath."),
        "safety.method": (i + 1, f"{drafts[i + 1]} I think about the pills in the cabinet."),
        "turn.speaker": (i, drafts[i]),
    }
    assert asks  # the skeleton has more than one rating
    for kind, (j, text) in cases.items():
        texts = list(drafts)
        texts[j] = text
        speakers = {j: "therapist"} if kind == "turn.speaker" else {}
        found = _problems(p10, texts, speakers)
        assert set(found) == {j} or (kind == "suds.question_dropped" and j in found), (kind, found)
        assert found[j][0] == kind, (kind, found[j])
    # a number where the plan has none
    k = next(
        j for j, t in enumerate(p10["turns"]) if t["speaker"] == "client" and t["suds"] is None
    )
    texts = list(drafts)
    texts[k - 1] = "What's your SUDS now?"
    texts[k] = "Seventy. It's the smell."
    assert _problems(p10, texts)[k][0] == "suds.added"
    # P5 rationale elements and P11 homework stay
    p5 = convs[(1, "P5")]
    r = next(j for j, t in enumerate(p5["turns"]) if t["act"] == "rationale")
    texts = [t["text"] for t in p5["turns"]]
    texts[r] = "Okay. Let's just see how today goes."
    assert _problems(p5, texts)[r][0].startswith("element.rationale.")
    p11 = convs[(1, "P11")]
    h = next(j for j, t in enumerate(p11["turns"]) if t["act"] == "homework")
    texts = [t["text"] for t in p11["turns"]]
    texts[h] = "See you next week; keep noting your SUDS."
    assert _problems(p11, texts)[h][0].startswith("element.processing.")


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(seed=26, client=36)  # "It's at 7 right now." in P11, read as 70 on 0-10
@given(seed=st.integers(0, 10_000), client=st.integers(1, 40))
def test_the_composers_own_sentences_pass_every_check(seed, client):
    """The skeleton is the fallback: its drafts must pass the checks they are held to.

    The one exception is the composer's, not realize's: a SUDS of 10 or less said without a
    scale in a conversation that names none ("It's at 7 right now.") is read by tvt.suds_text as
    0-10, so the draft itself does not read back as planned; such a turn is flagged, never
    passed."""
    case = next(planned_cases(load_config(), seed, client, start=client))
    for conv in compose.compose_client(case, seed, ALL_PHASES, risk_share=0.5):
        read = {s.turn: s for s in read_suds(conv["turns"])}
        for i, (kind, _reason) in _problems(conv, [t["text"] for t in conv["turns"]]).items():
            planned = conv["turns"][i]["suds"]
            assert kind.startswith("suds.") and planned is not None and planned <= 10, (i, kind)
            assert read[i].assumed and read[i].value != planned


def verbal_composed(seed=SEED, client=1, phases=("P10",)):
    case = next(planned_cases(load_config(), seed, client, start=client))
    return {
        conv["phase"]: conv
        for conv in compose.compose_client(case, seed, list(phases), suds_style="verbal")
    }


def _verbal_problems(conv, texts):
    checker = Checker(suds_style="verbal")
    skeleton = conv["turns"]
    elements = [checker.elements(conv["phase"], t) for t in skeleton]
    return checker.problems(conv["phase"], skeleton, texts, {}, range(len(skeleton)), elements)


def test_verbal_checks_catch_a_dropped_band_a_number_and_another_band():
    from tvt.realize.verify import band_of, distress_bands, read_bands

    conv = verbal_composed()["P10"]
    drafts = [t["text"] for t in conv["turns"]]
    i = next(
        j
        for j, t in enumerate(conv["turns"])
        if t["suds"] is not None and band_of(t["suds"]) in {b for b, _ in read_bands(t["text"])}
    )
    band = band_of(conv["turns"][i]["suds"])
    words = distress_bands()[band][1]
    other = distress_bands()[(band + 3) % len(distress_bands())][1][0]
    assert _verbal_problems(conv, drafts) == {}
    cases = {
        "suds.band_dropped": "My chest is tight and my hands are cold.",
        "suds.number": f"{conv['turns'][i]['suds']}. {words[0].capitalize()}. My chest is tight.",
        "suds.band_wrong": f"{words[0].capitalize()}, no, {other}. My chest is tight.",
    }
    for kind, text in cases.items():
        texts = list(drafts)
        texts[i] = text
        found = _verbal_problems(conv, texts)
        assert found[i][0] == kind, (kind, found)
        if kind == "suds.band_dropped":
            assert f'"{words[0]}"' in found[i][1]  # the retry names the words to use
    # the planned band's words in the model's own sentence pass
    texts = list(drafts)
    texts[i] = f"Honestly? {words[1].capitalize()}. My chest is tight."
    assert i not in _verbal_problems(conv, texts)
    # a therapist asking for a number
    q = i - 1
    texts = list(drafts)
    texts[q] = "What's your SUDS rating from 0 to 100 right now?"
    assert _verbal_problems(conv, texts)[q][0] == "suds.number"


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), client=st.integers(1, 40))
def test_the_composers_verbal_sentences_pass_every_verbal_check(seed, client):
    for conv in verbal_composed(seed, client, ALL_PHASES).values():
        assert _verbal_problems(conv, [t["text"] for t in conv["turns"]]) == {}


def test_realize_verbal_end_to_end(fake, tmp_path):
    out = tmp_path / "v"
    res = run_cli(*realize_args(fake, out, "--suds-style", "verbal"))
    assert res.exit_code == 0, res.output + res.stderr
    skeleton = verbal_composed()["P10"]["turns"]
    conv = lines(out / "conversations.jsonl")[0]
    assert [t["suds"] for t in conv["turns"]] == [t["suds"] for t in skeleton]
    assert [t["text"] for t in conv["turns"]] != [t["text"] for t in skeleton]
    assert all(t["realized"] for t in conv["turns"])
    backend = backend_of(out)
    assert backend["suds_style"] == "verbal" and backend["prompt_version"] == "realize-v1+verbal-v1"
    body = fake.state.bodies[0]
    assert "distress in words" in body["messages"][1]["content"]
    assert "never a number" in body["messages"][0]["content"]
    assert "SUDS 66 (state exactly" not in body["messages"][1]["content"]


# -- end to end against the fake server -------------------------------------------------------------
@pytest.mark.slow
def test_realize_keeps_every_label_and_rewrites_the_text(fake, tmp_path):
    out = tmp_path / "ds"
    res = run_cli(*realize_args(fake, out, phases="P5,P10,P6,P7,P8,P11"))
    assert res.exit_code == 0, res.output + res.stderr
    assert "kept the composer's sentence" in res.stderr
    schema = load_schema("conversation.schema.json")
    plan = composed(1, ("P5", "P10", "P6", "P7", "P8", "P11"))
    convs = lines(out / "conversations.jsonl")
    assert [c["phase"] for c in convs] == ["P5", "P10", "P6", "P7", "P8", "P11"]
    for conv in convs:
        jsonschema.validate(conv, schema)
        skeleton = plan[(conv["client_id"], conv["phase"])]["turns"]
        assert conv["source"] == "realize:fake-model"
        assert len(conv["turns"]) == len(skeleton)
        for got, want in zip(conv["turns"], skeleton, strict=True):
            assert {k: got[k] for k in ("speaker", "suds", "act", "intensity")} == {
                k: want[k] for k in ("speaker", "suds", "act", "intensity")
            }
            assert got["realized"] is True and got["text"] != want["text"]
        assert conv["realize"]["fallback"] == 0 and conv["realize"]["attempts"] == 1
    backend = backend_of(out)
    total = sum(len(c["turns"]) for c in convs)
    assert backend["name"] == "realize" and backend["prompt_version"] == "realize-v1"
    assert backend["realize"]["turns"] == backend["realize"]["rewritten"] == total
    assert backend["realize"]["shares"] == {"rewritten": 1.0, "retried": 0.0, "fallback": 0.0}
    assert backend["usage"]["responses"] == 6 and fake.state.stats()["completions"] == 6
    # every stated SUDS reads back as planned
    assert backend["suds_labels"]["labelled_turns"] == sum(
        1 for c in convs for t in c["turns"] if t["suds"] is not None
    )
    assert run_cli("validate", out).exit_code == 0
    # the realized conversations pass the audit checks their skeleton passes
    offline = tmp_path / "offline"
    phases = "P5,P10,P6,P7,P8,P11"
    assert (
        run_cli(
            "generate", "--seed", SEED, "--clients", 1, "--phases", phases, "--out", offline
        ).exit_code
        == 0
    )
    audits = []
    for folder in (offline, out):
        res = run_cli("audit", folder, "--json")
        assert res.exit_code == 0, res.output
        checks = json.loads(res.stdout)["checks"]
        audits.append(
            {
                k: v["flagged"]
                for k, v in checks.items()
                if k.split(".")[0] in ("rationale", "exposure", "processing", "safety")
            }
        )
    assert audits[1] == audits[0]
    card = (out / "README.md").read_text()
    assert "realize" in card and "fall" in card
    # the key is never written
    for path in out.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(errors="replace")


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        ("dropsuds", "suds.dropped"),
        ("breath", "exposure.relaxation"),
        ("wrongcount", "format.turn_count"),
        ("garbage", "format.unreadable"),
    ],
)
def test_a_broken_answer_is_caught_counted_and_retried(fake, tmp_path, fault, kind):
    fake.add_faults(fault)
    out = tmp_path / "ds"
    res = run_cli(*realize_args(fake, out))
    assert res.exit_code == 0, res.output + res.stderr
    conv = lines(out / "conversations.jsonl")[0]
    skeleton = composed()[(1, "P10")]["turns"]
    stats = conv["realize"]
    backend = backend_of(out)
    caught = backend["realize"]["caught"]
    rated = sum(1 for t in skeleton if t["suds"] is not None)
    expected = {
        "dropsuds": rated,
        "breath": 1,
        "wrongcount": 1,
        "garbage": 1,
    }[fault]
    assert caught == {kind: expected}
    assert stats["attempts"] == 2 and stats["fallback"] == 0
    if kind.startswith("format."):
        assert stats["format_failures"] == 1 and stats["retried"] == len(skeleton)
    else:
        assert stats["format_failures"] == 0 and stats["retried"] == expected
    # the retry named the failing turns and why
    retry = fake.state.bodies[1]["messages"][-1]["content"]
    assert {"dropsuds": "does not state the SUDS rating", "breath": "breathing or relaxation",
            "wrongcount": "numbered turns instead of", "garbage": "numbered"}[fault] in retry  # fmt: skip
    assert all(t["realized"] for t in conv["turns"])
    assert not any("deep breath" in t["text"] for t in conv["turns"])
    assert [t["suds"] for t in conv["turns"]] == [t["suds"] for t in skeleton]


@pytest.mark.parametrize("fault", ["dropsuds", "breath", "wrongcount"])
def test_after_the_last_attempt_a_failing_turn_keeps_the_composers_sentence(fake, tmp_path, fault):
    fake.add_faults(fault)
    out = tmp_path / "ds"
    res = run_cli(*realize_args(fake, out, "--max-attempts", 1))
    assert res.exit_code == 0, res.output + res.stderr
    conv = lines(out / "conversations.jsonl")[0]
    skeleton = composed()[(1, "P10")]["turns"]
    fell = [i for i, t in enumerate(conv["turns"]) if not t["realized"]]
    assert fell and len(fell) == conv["realize"]["fallback"]
    assert sorted(int(i) for i in conv["realize"]["fallback_reasons"]) == fell
    for i in fell:
        assert conv["turns"][i]["text"] == skeleton[i]["text"]
    if fault == "wrongcount":
        assert len(fell) == len(skeleton)  # no usable answer: the composer's conversation
        assert set(conv["realize"]["fallback_reasons"].values()) == {
            "the answer could not be used: "
            f"{len(skeleton) - 1} numbered turns instead of {len(skeleton)}: "
            f"turn(s) {len(skeleton)} missing"
        }
    shares = backend_of(out)["realize"]["shares"]
    assert shares["fallback"] == round(len(fell) / len(skeleton), 4) > 0
    assert not any("deep breath" in t["text"] for t in conv["turns"])


def test_request_failures_are_recorded_not_faked(fake, tmp_path):
    from tvt.llm.client import RetryPolicy
    from tvt.llm.generation import LLMOptions
    from tvt.realize import generate_realize

    policy = RetryPolicy(max_retries=2, base=0.01, cap=0.02)
    fake.add_faults("500", "500", "500")  # the first request and both its retries
    options = LLMOptions(
        model="fake-model", base_url=fake.base_url, concurrency=1, progress=False, policy=policy
    )
    out = tmp_path / "ds"
    result = generate_realize(
        out, seed=SEED, clients=1, config=load_config(), options=options, phases=["P5", "P8"]
    )
    # no conversation is made up for the failed request: it is listed, the other is written
    assert [(f["phase"], f["reason"][:14]) for f in result.failures] == [("P5", "request failed")]
    assert [c["phase"] for c in lines(out / "conversations.jsonl")] == ["P8"]
    assert lines(out / "failures.jsonl")[0]["phase"] == "P5"


@pytest.mark.slow
def test_identical_rerun_is_served_from_the_cache(fake, tmp_path):
    fake.add_faults("dropsuds")
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_cli(*realize_args(fake, a, phases="P6,P11")).exit_code == 0
    made = fake.state.stats()["completions"]
    assert made == 3  # one retry for the dropped SUDS
    assert run_cli(*realize_args(fake, b, phases="P6,P11")).exit_code == 0
    assert fake.state.stats()["completions"] == made
    for name in ("cases.jsonl", "conversations.jsonl", "reference.jsonl"):
        assert (a / name).read_bytes() == (b / name).read_bytes()


def _journal_entries(out):
    path = out / JOURNAL_NAME
    if not path.exists():
        return 0
    return max(0, len(path.read_text().splitlines()) - 1)


@pytest.mark.slow
def test_resume_after_kill_asks_nothing_finished_again(tmp_path):
    server = FakeServer(latency=0.15, noisy=False).start()
    try:
        out = tmp_path / "ds"
        args = [
            "-m", "tvt", "generate", "--seed", "11", "--clients", "2", "--backend", "realize",
            "--model", "fake-model", "--base-url", server.base_url, "--out", str(out),
            "--concurrency", "2", "--no-cache",
        ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen([sys.executable, *args], env=env, cwd=tmp_path)
        deadline = time.monotonic() + 120
        while _journal_entries(out) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        done = _journal_entries(out)
        assert 4 <= done < 12, done
        assert not (out / "manifest.json").exists()
        while server.state.in_flight and time.monotonic() < deadline:
            time.sleep(0.02)
        before = server.state.stats()["requests"]
        server.state.latency = 0.0
        res = run_cli(*args[2:-1], "--resume", "--no-cache")
        assert res.exit_code == 0, res.stderr
        assert server.state.stats()["requests"] - before == 12 - done
        ref = tmp_path / "ref"
        assert run_cli(*[a if a != str(out) else ref for a in args[2:]]).exit_code == 0
        for name in ("cases.jsonl", "conversations.jsonl", "reference.jsonl"):
            assert (out / name).read_bytes() == (ref / name).read_bytes(), name
    finally:
        server.stop()


def test_python_api_and_flags(fake, tmp_path):
    import tvt

    ds = tvt.generate(
        SEED, 1, phases="P7", backend="realize", model="fake-model", base_url=fake.base_url,
        out=tmp_path / "api",
    )  # fmt: skip
    assert ds.manifest["backend"]["name"] == "realize"
    res = run_cli(*realize_args(fake, tmp_path / "x", "--suds-style", "words"))
    assert res.exit_code == 2 and "--suds-style" in res.stderr
    res = run_cli("generate", "--seed", 1, "--backend", "realize", "--out", tmp_path / "y")
    assert res.exit_code == 2 and "--backend realize needs a model" in res.stderr


def test_batch_prepare_realize(tmp_path):
    out = tmp_path / "b"
    res = run_cli(
        "batch", "prepare", "--seed", SEED, "--clients", 2, "--phases", "P5,P10",
        "--model", "m", "--backend", "realize", "--out", out,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    reqs = lines(out / "batch_requests.jsonl")
    assert [r["custom_id"] for r in reqs] == ["c1-P5", "c1-P10", "c2-P5", "c2-P10"]
    plan = json.loads((out / "batch_plan.json").read_text())
    assert plan["backend"] == "realize" and plan["prompt_version"] == "realize-v1"
    skeleton = composed(1, ("P10",))[(1, "P10")]["turns"]
    user = reqs[1]["body"]["messages"][1]["content"]
    assert f"{len(skeleton)} turns" in user and skeleton[5]["text"] in user
    assert plan["max_attempts"] == 3 and plan["composer_version"] == compose.COMPOSER_VERSION


# -- tvt batch collect on a realize batch ----------------------------------------------------------
def batch_prepare(out, *extra, phases="P10"):
    res = run_cli(
        "batch", "prepare", "--seed", SEED, "--clients", 1, "--phases", phases,
        "--model", "fake-model", "--backend", "realize", "--out", out, *extra,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    return lines(out / "batch_requests.jsonl")


def result_line(request, content=None, *, fault=None, error=None, status=200):
    """The Batch API output line answering ``request``: what the fake server would answer."""
    if content is None:
        content = synthetic_realization(request["body"]["messages"], fault)
    body = {
        "id": "chatcmpl-x",
        "object": "chat.completion",
        "model": request["body"]["model"],
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content},
             "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
    }  # fmt: skip
    if status != 200:
        body = {"error": {"message": "server overloaded"}}
    return {
        "id": f"batch_req_{request['custom_id']}",
        "custom_id": request["custom_id"],
        "response": None if error else {"status_code": status, "request_id": "r", "body": body},
        "error": error,
    }


def write_results(path, rows):
    path.write_text("".join(json.dumps(x) + "\n" for x in rows))
    return path


DATA_FILES = ("cases.jsonl", "conversations.jsonl", "reference.jsonl")


@pytest.mark.slow
def test_batch_collect_gives_the_live_datasets_bytes_with_the_same_answers(fake, tmp_path):
    """Round 1 drops the SUDS of c1-P10 (as the live run's first answer does), the retry round
    answers the failing turns: the same answers, the same dataset, byte for byte."""
    live = tmp_path / "live"
    fake.add_faults("dropsuds")
    res = run_cli(*realize_args(fake, live, phases="P10,P11"))
    assert res.exit_code == 0, res.output + res.stderr
    assert fake.state.stats()["completions"] == 3
    out = tmp_path / "b"
    reqs = batch_prepare(out, phases="P10,P11")
    # the batch asks exactly what the live run asked first
    firsts = [b for b in fake.state.bodies if len(b["messages"]) == 2]
    assert [r["body"]["messages"] for r in reqs] == [b["messages"] for b in firsts]
    assert [r["body"]["seed"] for r in reqs] == [b["seed"] for b in firsts]
    round1 = write_results(
        tmp_path / "round1.jsonl",
        [result_line(r, fault="dropsuds" if r["custom_id"] == "c1-P10" else None) for r in reqs],
    )
    res = run_cli("batch", "collect", out, "--results", round1)
    assert res.exit_code == 0, res.output + res.stderr
    assert "batch_retry_requests.jsonl" in res.output
    retry = lines(out / "batch_retry_requests.jsonl")
    assert [r["custom_id"] for r in retry] == ["c1-P10-a2"]
    asked = fake.state.bodies[1]  # the live run's retry of c1-P10
    assert retry[0]["body"]["messages"] == asked["messages"]
    assert retry[0]["body"]["seed"] == asked["seed"]
    after1 = lines(out / "conversations.jsonl")[0]
    assert after1["realize"]["fallback"] > 0  # still failing after round 1: the composer's
    round2 = write_results(tmp_path / "round2.jsonl", [result_line(r) for r in retry])
    res = run_cli("batch", "collect", out, "--results", round1, "--results", round2, "--force")
    assert res.exit_code == 0, res.output + res.stderr
    assert not (out / "batch_retry_requests.jsonl").exists()
    for name in DATA_FILES:
        assert (out / name).read_bytes() == (live / name).read_bytes(), name
    got, want = backend_of(out), backend_of(live)
    for key in ("realize", "suds_labels", "prompt_version", "prompt_sha256", "composer_version"):
        assert got[key] == want[key], key
    assert got["mode"] == "batch" and set(got["realize"]["caught"]) == {"suds.dropped"}
    assert got["batch"]["retry_requests"] == 0
    assert got["usage"]["responses"] == 3
    assert run_cli("validate", out).exit_code == 0
    assert "Collected from a Batch API" in (out / "README.md").read_text()


def test_batch_collect_realize_lists_errors_and_missing_requests(tmp_path):
    out = tmp_path / "b"
    reqs = batch_prepare(out, phases="P5,P10,P11")
    results = write_results(
        tmp_path / "r.jsonl",
        [
            result_line(reqs[0]),
            result_line(reqs[1], error={"code": "server_error", "message": "boom"}),
        ],  # c1-P11 has no line
    )
    res = run_cli("batch", "collect", out, "--results", results)
    assert res.exit_code == 1, res.output
    assert "failed c1-P10: batch error: boom" in res.stderr
    assert [c["phase"] for c in lines(out / "conversations.jsonl")] == ["P5"]
    failures = lines(out / "failures.jsonl")
    assert [(f["custom_id"], f["reason"], f["attempts"]) for f in failures] == [
        ("c1-P10", "batch error: boom", 1),
        ("c1-P11", "no result line", 0),
    ]
    # asked again as they were
    assert lines(out / "batch_retry_requests.jsonl") == reqs[1:]
    backend = backend_of(out)
    assert backend["realize"]["conversations"] == 1 and backend["usage"]["responses"] == 1
    assert backend["realize"]["shares"]["rewritten"] == 1.0
    # a line this batch did not ask for is refused
    bad = write_results(tmp_path / "bad.jsonl", [{**result_line(reqs[0]), "custom_id": "c9-P5"}])
    res = run_cli("batch", "collect", out, "--results", bad, "--force")
    assert res.exit_code == 2 and "c9-P5" in res.stderr


@pytest.mark.parametrize("rounds", [1, 2])
def test_batch_collect_realize_catches_a_garbled_answer(tmp_path, rounds):
    out = tmp_path / "b"
    reqs = batch_prepare(out, "--max-attempts", rounds)
    garbled = "Here is a story about a therapy session. It went well and everyone smiled."
    results = write_results(tmp_path / "r.jsonl", [result_line(reqs[0], garbled)])
    res = run_cli("batch", "collect", out, "--results", results)
    assert res.exit_code == 0, res.output + res.stderr
    conv = lines(out / "conversations.jsonl")[0]
    skeleton = composed()[(1, "P10")]["turns"]
    assert [t["text"] for t in conv["turns"]] == [t["text"] for t in skeleton]
    assert not any(t["realized"] for t in conv["turns"])
    assert [t["suds"] for t in conv["turns"]] == [t["suds"] for t in skeleton]
    stats = conv["realize"]
    assert stats["format_failures"] == 1 and stats["fallback"] == len(skeleton)
    realize = backend_of(out)["realize"]
    assert realize["caught"] == {"format.unreadable": 1}
    assert realize["shares"]["fallback"] == 1.0 and realize["conversations_all_fallback"] == 1
    retry = out / "batch_retry_requests.jsonl"
    card = (out / "README.md").read_text()
    assert "retries only between rounds" in card
    if rounds == 1:
        assert not retry.exists()  # no answers left: the composer's sentences stay
    else:
        (again,) = lines(retry)
        assert again["custom_id"] == "c1-P10-a2"
        assert "numbered" in again["body"]["messages"][-1]["content"]
        assert again["body"]["messages"][-2]["content"] == garbled
        assert "1 conversation(s) had a retry round not yet collected" in card


def test_batch_collect_realize_verbal_matches_the_live_run(fake, tmp_path):
    live = tmp_path / "live"
    res = run_cli(*realize_args(fake, live, "--suds-style", "verbal"))
    assert res.exit_code == 0, res.output + res.stderr
    out = tmp_path / "b"
    reqs = batch_prepare(out, "--suds-style", "verbal")
    assert reqs[0]["body"]["messages"] == fake.state.bodies[0]["messages"]
    results = write_results(tmp_path / "r.jsonl", [result_line(r) for r in reqs])
    res = run_cli("batch", "collect", out, "--results", results)
    assert res.exit_code == 0, res.output + res.stderr
    for name in DATA_FILES:
        assert (out / name).read_bytes() == (live / name).read_bytes(), name
    backend = backend_of(out)
    assert backend["suds_style"] == "verbal" and backend["realize"] == backend_of(live)["realize"]
    res = run_cli(
        "batch", "prepare", "--seed", 1, "--model", "m", "--suds-style", "verbal",
        "--out", tmp_path / "o",
    )  # fmt: skip
    assert res.exit_code == 2 and "realize" in res.output
