"""The project-local cluster's server settings."""

from __future__ import annotations

import os

import psycopg
import pytest

from pgwallets.cluster import shared_buffers_mb


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="DATABASE_URL's server is not the local cluster")
def test_the_local_cluster_sizes_shared_buffers_to_the_machine(server_url: str) -> None:
    assert 128 <= shared_buffers_mb() <= 8192
    with psycopg.connect(server_url) as conn:
        row = conn.execute("SELECT pg_catalog.pg_size_bytes(pg_catalog.current_setting('shared_buffers'))").fetchone()
    assert row is not None
    assert row[0] == shared_buffers_mb() * 1024 * 1024
