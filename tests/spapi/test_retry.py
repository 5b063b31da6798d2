"""Retries around the real client against the sandbox: 429 at the advertised rate, 5xx and transport errors with backoff."""

from __future__ import annotations

import datetime as dt
import logging
import socket

import pytest
from sp_api.base.exceptions import (SellingApiBadRequestException, SellingApiNotFoundException,
                                    SellingApiRequestThrottledException)

from orchestration.sandbox import SandboxServer, build_world
from orchestration.spapi import retry
from orchestration.spapi.client import SpApiConfig, catalog_client
from orchestration.spapi.retry import SpApiUnavailable, call_with_retries

UK = "A1F83G8C2ARO7P"


@pytest.fixture
def sandbox(request):
    faults = getattr(request, "param", None)
    with SandboxServer(build_world(seed=7, listing_count=30, days=60, end_date=dt.date(2026, 6, 30)),
                       faults=faults) as server:
        yield server


def config_for(server: SandboxServer, **overrides) -> SpApiConfig:
    c = server.credentials
    return SpApiConfig(**{**dict(lwa_app_id=c.lwa_app_id, lwa_client_secret=c.lwa_client_secret,
                                 refresh_token=c.refresh_token, seller_id=c.seller_id, endpoint=server.base_url,
                                 lwa_token_url=server.lwa_token_url), **overrides})


class Waits(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def get_item(server, asin=None, sleep=None, **kwargs):
    asin = asin or next(x.asin for x in server.world.listings if x.buyable)
    client = kwargs.pop("client", None) or catalog_client(config_for(server))
    return call_with_retries(client.get_catalog_item, asin, marketplaceIds=UK, operation="getCatalogItem",
                             sleep=sleep if sleep is not None else Waits(), **kwargs)


@pytest.mark.parametrize("sandbox", [{"throttle": {"getCatalogItem": {"first_n": 2}}}], indirect=True)
def test_throttled_calls_wait_one_over_the_advertised_rate(sandbox, caplog):
    caplog.set_level(logging.INFO, logger="orchestration.spapi.retry")
    waits = Waits()
    item = get_item(sandbox, sleep=waits)
    assert item.payload["asin"] and waits == [0.5, 0.5]  # x-amzn-RateLimit-Limit: 2.0 per second
    retries = [r.getMessage() for r in caplog.records if r.name == "orchestration.spapi.retry"]
    assert len(retries) == 2 and all(r.levelno == logging.INFO for r in caplog.records if r.name == retry.__name__)
    assert "getCatalogItem" in retries[0] and "HTTP 429" in retries[0] and "retry 1 of 5" in retries[0]
    assert "0.50 s" in retries[0] and "retry 2 of 5" in retries[1]
    secrets = (sandbox.credentials.refresh_token, sandbox.credentials.lwa_client_secret,
               sandbox.access_token_for("refresh:" + sandbox.credentials.refresh_token))
    assert not any(s in caplog.text for s in secrets)


@pytest.mark.parametrize("sandbox", [{"server_errors": {"getCatalogItem": {"first_n": 3, "status": 500}}}],
                         indirect=True)
def test_server_errors_back_off_exponentially_with_jitter(sandbox):
    waits = Waits()
    assert get_item(sandbox, sleep=waits).payload["asin"]
    assert len(waits) == 3
    for attempt, wait in enumerate(waits, start=1):
        ceiling = 2 ** (attempt - 1)
        assert ceiling / 2 <= wait <= ceiling


@pytest.mark.parametrize("sandbox", [{"server_errors": {"getCatalogItem": {"first_n": 100, "status": 503}}}],
                         indirect=True)
def test_a_5xx_storm_stops_at_the_cap_with_a_clear_error(sandbox):
    waits = Waits()
    with pytest.raises(SpApiUnavailable) as info:
        get_item(sandbox, sleep=waits)
    assert (info.value.operation, info.value.attempts, info.value.last_status) == ("getCatalogItem", 6, 503)
    assert len(waits) == 5 and max(waits) <= retry.BACKOFF_CAP_SECONDS
    assert "getCatalogItem" in str(info.value) and "6 attempts" in str(info.value) and "503" in str(info.value)
    with pytest.raises(SpApiUnavailable) as fewer:
        get_item(sandbox, sleep=Waits(), max_attempts=2)
    assert fewer.value.attempts == 2


@pytest.mark.parametrize("sandbox", [{"server_errors": {"getCatalogItem": {"first_n": 1, "status": 502}}}],
                         indirect=True)
def test_statuses_the_library_has_no_class_for_are_retried_as_server_errors(sandbox):
    waits = Waits()  # a 502 arrives as the bare SellingApiException (code 999)
    assert get_item(sandbox, sleep=waits).payload["asin"] and len(waits) == 1


@pytest.mark.parametrize("sandbox", [{"server_errors": {"lwaToken": {"first_n": 1, "status": 500}}}], indirect=True)
def test_the_token_endpoint_being_down_is_retried_too(sandbox):
    waits = Waits()
    assert get_item(sandbox, sleep=waits).payload["asin"] and len(waits) == 1


def test_client_errors_are_not_retried(sandbox):
    waits = Waits()
    with pytest.raises(SellingApiNotFoundException):
        get_item(sandbox, asin="B0NOTMINE1", sleep=waits)
    client = catalog_client(config_for(sandbox))
    with pytest.raises(SellingApiBadRequestException):  # the marketplace the seller does not sell in
        call_with_retries(client.get_catalog_item, "B0NOTMINE1", marketplaceIds="ATVPDKIKX0DER",
                          operation="getCatalogItem", sleep=waits)
    assert waits == []


def test_transport_errors_are_retried_then_reported(sandbox):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    client = catalog_client(config_for(sandbox, endpoint=closed))
    waits = Waits()
    with pytest.raises(SpApiUnavailable) as info:
        get_item(sandbox, client=client, sleep=waits, max_attempts=3)
    assert info.value.last_status is None and info.value.last_error == "ConnectError" and len(waits) == 2
    assert "ConnectError" in str(info.value)


def test_timeouts_are_retried(sandbox):
    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        client = catalog_client(config_for(sandbox, endpoint=f"http://127.0.0.1:{silent.getsockname()[1]}",
                                           timeout=0.05))
        waits = Waits()
        with pytest.raises(SpApiUnavailable) as info:
            get_item(sandbox, client=client, sleep=waits, max_attempts=2)
    assert info.value.last_error == "ReadTimeout" and info.value.attempts == 2 and len(waits) == 1


def test_the_rate_header_is_capped_and_its_absence_falls_back_to_backoff():
    def throttled(headers):
        def call():
            raise SellingApiRequestThrottledException([{"code": "QuotaExceeded", "message": "slow down"}], headers)
        return call

    waits = Waits()
    with pytest.raises(SpApiUnavailable):
        call_with_retries(throttled({"x-amzn-RateLimit-Limit": "0.0005"}), operation="createReport", sleep=waits,
                          max_attempts=2)
    assert waits == [retry.MAX_WAIT_SECONDS]  # 1/0.0005 = 2000 s, capped
    waits = Waits()
    with pytest.raises(SpApiUnavailable) as info:
        call_with_retries(throttled({}), operation="createReport", sleep=waits, max_attempts=4)
    assert info.value.last_status == 429 and len(waits) == 3
    assert [0.5 <= waits[0] <= 1, 1 <= waits[1] <= 2, 2 <= waits[2] <= 4] == [True] * 3


def test_other_exceptions_pass_straight_through():
    waits = Waits()

    def broken():
        raise KeyError("reportId")

    with pytest.raises(KeyError):
        call_with_retries(broken, operation="createReport", sleep=waits)
    assert waits == []
