"""PTB's requests to the Bot API made with aiohttp instead of httpx.

PTB lets an application bring its own networking (`telegram.request.BaseRequest`); this is ours.
Why: httpx and what it stands on (httpcore, anyio, h11) are pure Python. Measured in the
rehearsal and `bench/reply_cost.py`, a request through them cost more CPU than the engine's whole
answer, and motsbot's one core was what ran out at the busiest hour. aiohttp parses HTTP in C
and is installed already (matrix-nio is built on it).
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DEFAULT_TIMEOUT = 5.0


class AiohttpRequest(BaseRequest):
    """One connection pool to the Bot API; PTB builds a request's URL, data and timeouts."""

    def __init__(
        self,
        connection_pool_size: int,
        *,
        read_timeout: float | None = DEFAULT_TIMEOUT,
        connect_timeout: float | None = DEFAULT_TIMEOUT,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        read = self._read_timeout if read_timeout is BaseRequest.DEFAULT_NONE else read_timeout
        connect = self._connect_timeout if connect_timeout is BaseRequest.DEFAULT_NONE else connect_timeout
        pool = self._pool_timeout if pool_timeout is BaseRequest.DEFAULT_NONE else pool_timeout
        # aiohttp's `connect` covers the wait for a free connection as well as connecting;
        # it has no write timeout (a request's body is small, or a file bounded by `read`).
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            data, headers = _body(request_data)
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout, allow_redirects=False
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut(f"no answer from the Bot API in time: {error!r}") from error
        except (aiohttp.ClientError, OSError) as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _body(request_data: RequestData | None) -> tuple[aiohttp.FormData | bytes | None, dict[str, str] | None]:
    """Parameters as a form, as the Bot API takes them (and as PTB's own httpx request sends
    them), with its content type; multipart when there is a file."""
    if request_data is None:
        return None, None
    files = request_data.multipart_data
    if not files:
        # Encoded here: given a dict, aiohttp looks for a payload type that takes it, fails,
        # and makes a form of it, which was a tenth of sending a reply.
        return request_data.url_encoded_parameters().encode(), FORM
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, None
