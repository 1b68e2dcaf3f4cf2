"""TokenSource: caching, renewal at 80 % of the life, one fetch in flight, backoff."""
import threading
import time

import grpc
import pytest

from tokend_client import Token, TokendError, TokenSource


class Counting:
    """Wraps a client (or a fake) and counts issue() calls."""

    def __init__(self, inner):
        self.inner = inner
        self.calls = 0
        self.lock = threading.Lock()

    def issue(self, scopes=()):
        with self.lock:
            self.calls += 1
        return self.inner.issue(scopes=scopes)


class FakeClient:
    """Answers from a list: a Token, or an exception to raise."""

    def __init__(self, *answers):
        self.answers = list(answers)

    def issue(self, scopes=()):
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def fake_token(name, life):
    return Token(name, "Bearer", life, "", "read")


DOWN = TokendError(grpc.StatusCode.UNAVAILABLE, "", "connection refused")


def test_renews_a_short_lived_token_before_it_expires(short_client):
    counting = Counting(short_client)
    source = TokenSource(counting)
    first = source.token()
    assert first.expires_in == 4
    assert source.token() is first and counting.calls == 1
    time.sleep(3.3)  # past 80 % of 4 s, before the end
    second = source.token()
    assert second.access_token != first.access_token and counting.calls == 2
    assert short_client.introspect(second.access_token).active
    assert source.token() is second


def test_one_request_in_flight_for_many_threads(client):
    counting = Counting(client)
    source = TokenSource(counting, scopes=["read"])
    got = []
    threads = [threading.Thread(target=lambda: got.append(source.token())) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counting.calls == 1 and len({t.access_token for t in got}) == 1


def test_backs_off_while_tokend_is_down():
    clock = Clock()
    counting = Counting(FakeClient(DOWN))
    source = TokenSource(counting, clock=clock)
    with pytest.raises(TokendError):
        source.token()
    clock.now += 0.3  # within the first backoff (0.375-0.5 s): fails without calling
    with pytest.raises(TokendError):
        source.token()
    assert counting.calls == 1
    clock.now += 0.25
    with pytest.raises(TokendError):
        source.token()
    assert counting.calls == 2
    clock.now += 0.7  # the second backoff is 0.75-1 s
    with pytest.raises(TokendError):
        source.token()
    assert counting.calls == 2


def test_keeps_the_valid_token_while_down_but_never_an_expired_one():
    clock = Clock()
    counting = Counting(FakeClient(fake_token("a", 100), DOWN))
    source = TokenSource(counting, clock=clock)
    assert source.token().access_token == "a"
    clock.now += 85  # renewal due (80 s) and fails: the token is still good
    assert source.token().access_token == "a" and counting.calls == 2
    clock.now += 4  # still valid until 90 s (100 s less 10 s)
    assert source.token().access_token == "a"
    clock.now += 2
    with pytest.raises(TokendError):
        source.token()


def test_recovers_after_backoff():
    clock = Clock()
    source = TokenSource(FakeClient(DOWN, fake_token("b", 60)), clock=clock)
    with pytest.raises(TokendError):
        source.token()
    clock.now += 1
    assert source.token().access_token == "b"
