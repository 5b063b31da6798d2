"""`listing-helper ui` in a real browser: headless Debian Chromium, driven by Playwright, opens the Dagster UI
served on 127.0.0.1, finds the lineage from the SP-API and Keepa loads to a mart and the materialization the
tiny world made, and leaves screenshots in test-artifacts/."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from orchestration import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
UI_START_TIMEOUT_S = 120
PAGE_TIMEOUT_MS = 30_000
# upstream of this mart: Keepa (competitors/price_history) and SP-API (raw/spapi_*) loads, staging, intermediate
LINEAGE_MART = "marts/fct_listing_competitor_threat"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")  # session, like ui_world: so the skip comes before that world is built
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(".ci/run must install Debian's chromium (apt-get install -y chromium chromium-driver)")
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium chromium-driver; "
                    ".ci/run installs it)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[test]')"
        pytest.fail(reason) if os.environ.get("CI") else pytest.skip(reason)
    return CHROMIUM


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a LISTEN socket on port, read from the kernel's tables (IPv4 and IPv6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:
                found.add(address)
    return found


@pytest.fixture(scope="module")
def ui(chromium, ui_database, tmp_path_factory, request):
    """`listing-helper ui --port P` on the tiny world's database and Dagster instance, until the module ends.
    The world is materialized while the UI starts (the UI reads the instance as it changes)."""
    port = _free_port()
    log = tmp_path_factory.mktemp("ui_log") / "ui.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISTING_HELPER_")}
    env.update(LISTING_HELPER_DATABASE_URL=ui_database.url, LISTING_HELPER_HOME=str(ui_database.home))
    env.pop("DAGSTER_HOME", None)
    with log.open("w") as out:
        # its own process group: the CLI starts dagster-webserver, which starts a code server
        process = subprocess.Popen([settings.venv_tool("listing-helper"), "ui", "--port", str(port)], env=env,
                                   stdout=out, stderr=subprocess.STDOUT, cwd=settings.PROJECT_ROOT,
                                   start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        request.getfixturevalue("ui_world")
        deadline = time.monotonic() + UI_START_TIMEOUT_S
        while True:
            assert process.poll() is None, f"listing-helper ui exited:\n{log.read_text()}"
            try:
                if httpx.get(f"{base}/server_info", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"the Dagster UI did not come up:\n{log.read_text()}"
            time.sleep(0.5)
        yield base, port
    finally:
        _stop_group(process)


def _stop_group(process: subprocess.Popen) -> None:
    for sig, wait_s in ((signal.SIGTERM, 20), (signal.SIGKILL, None)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass  # the whole group already ended
        try:
            process.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def page(chromium, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium_profile")  # a new, empty --user-data-dir
    with sync_playwright() as pw:
        # headless through our own flags: Playwright's headless switch would add its own variant
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=str(chromium), headless=False, args=CHROMIUM_FLAGS,
            viewport={"width": 1600, "height": 1000})
        try:
            context.set_default_timeout(PAGE_TIMEOUT_MS)
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def _dismiss_welcome(page) -> None:
    # a first visit shows Dagster's newsletter dialog over the page
    skip = page.get_by_role("button", name="Skip")
    if skip.count():
        skip.first.click()


def _wait_for(page, locator, artifacts_dir: Path, name: str) -> None:
    """Wait for locator; on a timeout keep a screenshot and the page's text for the failure report."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        locator.first.wait_for()
    except PlaywrightTimeout:
        page.screenshot(path=str(artifacts_dir / f"{name}-FAILED.png"))
        pytest.fail(f"{locator} did not appear on {page.url}; the page said:\n{page.inner_text('body')[:3000]}")


def _screenshot(page, artifacts_dir: Path, name: str) -> Path:
    page.wait_for_load_state("networkidle")  # no loading placeholders in the picture
    path = artifacts_dir / name
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 10_000
    return path


def test_ui_binds_to_loopback_only(ui):
    _, port = ui
    addresses = _listening_addresses(port)
    # 0100007F is 127.0.0.1 in the kernel's byte order; 0.0.0.0 would be 00000000
    assert addresses == {"0100007F"}, addresses


def test_asset_graph_shows_the_lineage_from_amazon_and_keepa_to_the_mart(ui, page, artifacts_dir):
    base, _ = ui
    page.goto(f"{base}/assets/{LINEAGE_MART}?view=lineage&lineageScope=upstream&lineageDepth=8")
    page.wait_for_load_state("networkidle")
    _dismiss_welcome(page)
    # node labels are truncated to fit ("spapi_me…_listings"): wait for a short one, then read the page
    _wait_for(page, page.get_by_text("price_history", exact=True), artifacts_dir, "dagster-ui-lineage")
    text = page.inner_text("body")
    assert "fct_listing_competitor_threat" in text
    assert "price_history" in text          # Keepa's competitor history
    assert "spapi" in text                  # the SP-API group around the raw report loads
    assert "competitors" in text            # groups are named by domain
    _screenshot(page, artifacts_dir, "dagster-ui-lineage.png")


def test_asset_catalog_lists_a_domain_group_with_descriptions(ui, page, artifacts_dir):
    base, _ = ui
    page.goto(f'{base}/assets?asset-selection=group%3A%22write_backs%22')  # the catalog, filtered to one group
    _dismiss_welcome(page)
    _wait_for(page, page.get_by_text("competitors / threat_scores"), artifacts_dir, "dagster-ui-asset-catalog")
    # the status column loads after the rows; the tiny world did not run the write-backs
    _wait_for(page, page.get_by_text("Never materialized"), artifacts_dir, "dagster-ui-asset-catalog")
    text = page.inner_text("body")
    # each row: key path, description, code location, group
    for key in ("analytics / listing_scores", "competitors / threat_scores", "pricing / current_price_margins"):
        assert key in text
    assert "Daily listing quality scores" in text and "Competitor threat scores onto" in text
    assert "marts / fct_listing_scores" not in text  # the filter shows the group only
    _screenshot(page, artifacts_dir, "dagster-ui-asset-catalog.png")


def test_the_tiny_worlds_materialization_appears_on_the_mart(ui, page, ui_world, artifacts_dir):
    base, _ = ui
    page.goto(f"{base}/assets/{ui_world.mart}?view=events")
    _dismiss_welcome(page)
    short_run_id = ui_world.run_id[:8]
    _wait_for(page, page.get_by_text(f"Materialized in run {short_run_id}"), artifacts_dir, "dagster-ui-events")
    page.goto(f"{base}/assets/{ui_world.mart}")
    _wait_for(page, page.get_by_text("Latest materialization"), artifacts_dir, "dagster-ui-materialized-mart")
    text = page.inner_text("body")
    assert "Never materialized" not in text
    assert "pricing" in text and "analytics" in text  # its group and its owner (team:analytics)
    _screenshot(page, artifacts_dir, "dagster-ui-materialized-mart.png")
