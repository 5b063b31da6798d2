"""The Keepa key travels in every URL's query string; it never reaches our logs or error messages."""

from __future__ import annotations

import logging
import socket

import pytest
import requests

from keepa_kit import FakeClock, client_for, rivals, start_sandbox
from orchestration.keepa.client import build_client
from orchestration.keepa.transport import redact


def test_urllib3_debug_logging_shows_requests_but_never_the_key(caplog):
    clock = FakeClock()
    with start_sandbox(clock=clock) as server:
        key = server.credentials.keepa_key
        with caplog.at_level(logging.DEBUG, logger="urllib3"):
            client = client_for(server, clock)
            client.token_status()
            client.product_payload([r.asin for r in rivals(server)[:2]])
            client.best_sellers(rivals(server)[0].node)
        logged = "\n".join(r.getMessage() for r in caplog.records)
        # urllib3 did log each request line (so the check below means something), with the key masked.
        assert '"GET /product/?' in logged and logged.count("key=***") >= 3
        assert key not in logged and key not in caplog.text


def test_a_connection_error_names_the_endpoint_but_not_the_key(caplog):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    key = "secret0keepa0key0" + "9" * 47
    client = build_client(f"http://127.0.0.1:{port}", key, sleep=lambda s: None, max_retries=1, timeout=2)
    with caplog.at_level(logging.DEBUG), pytest.raises(requests.ConnectionError) as raised:
        client.token_status()
    chain, exc = [], raised.value
    while exc is not None:  # what a traceback or Dagster's error report would print
        chain.append(str(exc))
        exc = exc.__cause__ or exc.__context__
    assert "127.0.0.1" in chain[0] and "key=***" in chain[0]
    assert not any(key in text for text in chain)
    assert "Keepa call failed" in caplog.text and key not in caplog.text


def test_redact_masks_only_the_key_parameter():
    assert redact("GET /product/?key=abc123&domain=2&asin=B0X") == "GET /product/?key=***&domain=2&asin=B0X"
    assert redact("url: /token/?KEY=abc123") == "url: /token/?KEY=***"
    assert redact("/query/?domain=2&key=abc123") == "/query/?domain=2&key=***"
    assert redact("monkey=1&turkey=2") == "monkey=1&turkey=2"
