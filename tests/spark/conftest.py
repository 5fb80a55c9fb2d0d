"""One local[2] SparkSession shared by every Spark test (start-up costs 8-15 s).

The README's test command installs the ``spark`` extra and ``.ci/run`` installs Java when
absent, so a missing pyspark or Java is a failure, not a silent skip: a CI that lost Java
must not report green while the Spark engine went untested. Set
``GRAPHKIT_SPARK_OPTIONAL=1`` to skip these tests on a machine that deliberately has no Spark.
"""

from __future__ import annotations

import os

import pytest

OPTIONAL = os.environ.get("GRAPHKIT_SPARK_OPTIONAL", "") not in ("", "0")


@pytest.fixture(scope="session")
def spark():
    from graphkit.spark import start_session, stop_session
    from graphkit.spark.session import require_spark

    try:
        require_spark()
    except Exception as exc:  # noqa: BLE001 - no pyspark or no Java here
        if OPTIONAL:
            pytest.skip(str(exc))
        pytest.fail(f"{exc} (set GRAPHKIT_SPARK_OPTIONAL=1 to skip the Spark tests)",
                    pytrace=False)
    session = start_session("local[2]", {"spark.sql.shuffle.partitions": "4"})
    yield session
    stop_session(session)
