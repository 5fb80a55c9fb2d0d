"""One local[2] SparkSession shared by every Spark test (start-up costs 8-15 s)."""

from __future__ import annotations

import pytest

pytest.importorskip("pyspark")


@pytest.fixture(scope="session")
def spark():
    from graphkit.spark import start_session, stop_session
    from graphkit.spark.session import require_spark

    try:
        require_spark()
    except Exception as exc:  # noqa: BLE001 - no Java here
        pytest.skip(str(exc))
    session = start_session("local[2]", {"spark.sql.shuffle.partitions": "4"})
    yield session
    stop_session(session)
