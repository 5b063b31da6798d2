"""Fetches the supplier and bill-of-materials spreadsheets the sandbox serves into the seller's supply folder.

In production the seller saves these CSVs into the folder themselves; the import step reads the
folder either way, so this is the only part that knows where the sandbox keeps them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import httpx

from orchestration.spapi.retry import TransientHttpError, call_with_retries

SUPPLY_FILES = ("suppliers.csv", "components.csv", "component_prices.csv", "bill_of_materials.csv")


def download_supply_files(base_url: str, folder: Path, *, timeout: float = 60.0) -> list[Path]:
    """Download the four CSVs from {base_url}/_sandbox/inventory/ into folder; returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with httpx.Client(timeout=timeout) as client:
        for name in SUPPLY_FILES:
            content = call_with_retries(_get, client, f"{base_url.rstrip('/')}/_sandbox/inventory/{name}",
                                        operation=f"supply file {name}")
            written.append(_write_atomically(folder / name, content))
    return written


def _get(client: httpx.Client, url: str) -> bytes:
    response = client.get(url)
    if response.status_code >= 500 or response.status_code == 429:
        raise TransientHttpError(response.status_code)
    response.raise_for_status()
    return response.content


def _write_atomically(path: Path, content: bytes) -> Path:
    # The import step may be reading the folder: it must never see half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
