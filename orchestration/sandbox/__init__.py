"""The sandbox marketplace: a simulated UK DIY & tools seller served over SP-API-shaped HTTP.

    world = build_world(seed=42, listing_count=200, days=450)      # deterministic
    with SandboxServer(world) as server:                           # 127.0.0.1, free port
        server.base_url, server.lwa_token_url, server.credentials  # what a client is configured with

The real python-amazon-sp-api client talks to it unmodified (see orchestration.spapi.client).
"""

from .faults import FailureRule, Faults
from .server import SandboxCredentials, SandboxServer, serve_forever
from .world import World, build_world

__all__ = ["FailureRule", "Faults", "SandboxCredentials", "SandboxServer", "World", "build_world", "serve_forever"]
