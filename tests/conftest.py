"""Shared fixtures: dbt runs of the tests keep their compiled files and logs out of the
developer's ``target/`` and ``logs/``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def dbt_scratch_paths(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    scratch = tmp_path_factory.mktemp("dbt")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET_PATH", str(scratch / "target"))
        patch.setenv("DBT_LOG_PATH", str(scratch / "logs"))
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        patch.setenv("DO_NOT_TRACK", "1")
        yield
