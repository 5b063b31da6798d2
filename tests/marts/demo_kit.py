"""Running the CLI from the mart tests, and the demo they share."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from orchestration import settings

CLI = [str(Path(sys.executable).parent / "listing-helper")]
DEMO_LISTINGS, DEMO_DAYS = 24, 14


@dataclass
class Demo:
    url: str
    env: dict[str, str]
    output: str


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISTING_HELPER_")}
    env.update(extra)
    return env


def run_cli(args: list[str], env: dict[str, str], timeout: int = 600) -> str:
    result = subprocess.run(CLI + args, env=env, capture_output=True, text=True, timeout=timeout,
                            cwd=settings.PROJECT_ROOT)
    assert result.returncode == 0, f"listing-helper {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout
