"""Fixtures of the procedures tests that run on the real parts: a scratch database."""

from collections.abc import Iterator

import pytest

from qms_local.stack import scratch_database


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scratch_database(tmp_path_factory.mktemp("pg")) as url:
        yield url
