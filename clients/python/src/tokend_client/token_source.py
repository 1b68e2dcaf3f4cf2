"""A caching client_credentials token source, like Go's oauth2.TokenSource."""
from __future__ import annotations

import random
import threading
import time
from typing import Callable, Optional, Sequence

from .client import Token, TokendError


class TokenSource:
    """One access token shared by every thread, renewed before it expires.

    - token() answers from the cache until `renew_at` (80 %) of the token's
      life has passed; then the first caller fetches a new one while the others
      keep getting the current token. Only one request is in flight at a time.
    - An expired token is never handed out: a token counts as expired
      min(10 s, 10 % of its life) early, measured from before it was requested.
    - When a fetch fails the source backs off (0.5 s doubling to 30 s, with
      jitter): until then token() answers the still-valid token, or raises the
      last TokendError at once, without calling tokend.

    `client` is anything with issue(scopes=...) -> Token (a TokenClient).
    """

    def __init__(self, client, scopes: Sequence[str] = (), *, renew_at: float = 0.8,
                 min_backoff: float = 0.5, max_backoff: float = 30.0,
                 clock: Callable[[], float] = time.monotonic):
        self._client = client
        self._scopes = list(scopes)
        self._renew_at = renew_at
        self._min_backoff = min_backoff
        self._max_backoff = max_backoff
        self._clock = clock
        self._cond = threading.Condition()
        self._token: Optional[Token] = None
        self._renew_time = 0.0
        self._expiry = 0.0
        self._fetching = False
        self._failures = 0
        self._retry_time = 0.0
        self._last_error: Optional[Exception] = None

    def token(self) -> Token:
        """The current token; raises TokendError when none can be had."""
        with self._cond:
            while True:
                now = self._clock()
                valid = self._token is not None and now < self._expiry
                if valid and (now < self._renew_time or self._fetching or now < self._retry_time):
                    return self._token
                if self._fetching:
                    self._cond.wait()
                    continue
                if now < self._retry_time:
                    raise self._last_error
                self._fetching = True
                break
        return self._fetch()

    def access_token(self) -> str:
        return self.token().access_token

    def _fetch(self) -> Token:
        start = self._clock()
        try:
            token = self._client.issue(scopes=self._scopes)
        except Exception as e:  # TokendError, or anything a custom client raises
            with self._cond:
                self._fetching = False
                self._failures += 1
                delay = min(self._max_backoff, self._min_backoff * 2 ** (self._failures - 1))
                self._retry_time = self._clock() + delay * random.uniform(0.75, 1.0)
                self._last_error = e
                self._cond.notify_all()
                if self._token is not None and self._clock() < self._expiry:
                    return self._token
            raise
        life = float(token.expires_in)
        with self._cond:
            self._token = token
            self._renew_time = start + life * self._renew_at
            self._expiry = start + life - min(10.0, life * 0.1)
            self._fetching = False
            self._failures = 0
            self._retry_time = 0.0
            self._cond.notify_all()
        return token


__all__ = ["TokenSource", "TokendError"]
