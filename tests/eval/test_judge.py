"""The LLM judge's reply parsing and caching, and checker agreement counting."""

from __future__ import annotations

from conftest import WordChecker

from service.evaluation.checkers import AgreementChecker, LexicalChecker, make_checker
from service.evaluation.judge import LLMJudge, parse_verdict


def test_all_statements_supported_is_yes() -> None:
    reply = (
        '{"statements": [{"statement": "a", "supported": "yes"},'
        ' {"statement": "b", "supported": true}]}'
    )
    assert parse_verdict(reply) is True


def test_one_unsupported_statement_is_no() -> None:
    reply = (
        'Sure: {"statements": [{"statement": "a", "supported": "yes"},'
        ' {"statement": "b", "supported": "no"}], "verdict": "yes"}'
    )
    assert parse_verdict(reply) is False


def test_verdict_read_from_loose_text() -> None:
    assert parse_verdict('Verdict: "yes"') is True


def test_unreadable_reply_is_no() -> None:
    assert parse_verdict("I cannot tell.") is False


def test_judge_asks_once_per_claim_and_context() -> None:
    prompts: list[str] = []

    def complete(prompt: str) -> str:
        prompts.append(prompt)
        return '{"verdict": "yes"}'

    judge = LLMJudge(complete)
    assert judge.supports("Xi left.", ["Xi left Moscow."])
    assert judge.supports("Xi left.", ["Xi left Moscow."])
    assert len(prompts) == 1 and "Claim: Xi left." in prompts[0]


def test_judge_without_passages_says_no_without_asking() -> None:
    assert LLMJudge(lambda _: '{"verdict": "yes"}').supports("x", []) is False


def test_agreement_counts_matching_verdicts() -> None:
    always_yes = LLMJudge(lambda _: '{"verdict": "yes"}')
    both = AgreementChecker(always_yes, WordChecker())
    both.supports("Xi left", ["Xi left Moscow"])
    both.supports("Xi ate pizza", ["Xi left Moscow"])
    summary = both.summary()
    assert (summary["decisions"], summary["agreement"], both.name) == (2, 0.5, "llm")


TEXT = "Chinese President Xi Jinping bid his host farewell on Tuesday in Moscow."


def test_lexical_checker_accepts_a_claim_made_of_the_text() -> None:
    checker = make_checker("lexical")
    assert isinstance(checker, LexicalChecker)
    assert checker.supports("Xi Jinping bid farewell on Tuesday.", [TEXT]) is True


def test_lexical_checker_rejects_foreign_names_and_numbers() -> None:
    assert make_checker("lexical").supports("Putin visited Beijing in 1999.", [TEXT]) is False


def test_judge_speaks_the_openai_chat_protocol() -> None:
    import json

    import httpx
    from pydantic import SecretStr

    from service.core.config import Settings
    from service.evaluation.judge import openai_completer

    seen: list[dict[str, object]] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        reply = '{"statements": [{"statement": "Xi left", "supported": "yes"}], "verdict": "yes"}'
        return httpx.Response(
            200,
            json={
                "id": "c1",
                "object": "chat.completion",
                "created": 0,
                "model": "judge",
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": reply},
                    }
                ],
            },
        )

    settings = Settings(
        openai_model="judge", openai_base_url="http://judge.test/v1", openai_api_key=SecretStr("k")
    )
    client = httpx.Client(transport=httpx.MockTransport(server))
    judge = LLMJudge(openai_completer(settings, http_client=client))
    assert judge.supports("Xi left.", ["Xi left Moscow."]) is True
    assert seen[0]["model"] == "judge" and seen[0]["temperature"] == 0


def test_a_failed_judge_call_counts_as_unsupported_and_the_run_goes_on() -> None:
    from service.evaluation.judge import LLMJudge

    def broken(prompt: str) -> str:
        raise TimeoutError("Request timed out.")

    judge = LLMJudge(broken)
    assert judge.supports("Xi left on Tuesday.", ["Xi left on Tuesday."]) is False
    assert judge.failures == 1
