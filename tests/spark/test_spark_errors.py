"""Spark's own failures as one line (graphkit.spark.session.failure_line): the JVM gone,
a job aborted; anything else is not Spark's and stays an internal error."""

from __future__ import annotations

import pytest

from graphkit.spark.session import failure_line, lost_jvm

pytestmark = pytest.mark.spark


def _error(module: str, name: str, text: str) -> Exception:
    cls = type(name, (Exception,), {"__module__": module})
    return cls(text)


def test_a_lost_jvm_names_the_connection_and_the_memory_option():
    for exc in (ConnectionRefusedError(111, "Connection refused"), EOFError(),
                _error("py4j.protocol", "Py4JNetworkError", "Error while sending or receiving")):
        assert lost_jvm(exc)
        line = failure_line(exc)
        assert line.startswith("lost the connection to Spark's JVM") and "--spark-driver-memory" in line


def test_a_java_failure_is_its_java_message_on_one_line():
    text = ("An error occurred while calling o123.collectToPython.\n"
            ": org.apache.spark.SparkException: Job aborted due to stage failure: Task 3 in "
            "stage 7.0 failed 4 times, most recent failure: ExecutorLostFailure\n"
            "\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(...)\n")
    line = failure_line(_error("py4j.protocol", "Py4JJavaError", text))
    assert line == ("Spark failed: org.apache.spark.SparkException: Job aborted due to stage "
                    "failure: Task 3 in stage 7.0 failed 4 times, most recent failure: "
                    "ExecutorLostFailure")
    assert not lost_jvm(_error("py4j.protocol", "Py4JJavaError", text))
    assert failure_line(_error("pyspark.errors.exceptions.captured", "AnalysisException",
                               "[PATH_NOT_FOUND] Path does not exist: s3a://b/x.")) == \
        "Spark failed: [PATH_NOT_FOUND] Path does not exist: s3a://b/x."


def test_errors_that_are_not_sparks_are_left_alone():
    assert failure_line(ValueError("bad")) is None
    assert failure_line(_error("graphkit.errors", "InputError", "x")) is None
    assert failure_line(IndexError("index 3 is out of bounds")) is None


class _Gateway:
    def __init__(self, proc):
        self.proc = proc


def test_a_missing_jvm_name_is_a_lost_jvm_only_when_the_jvm_has_exited(monkeypatch):
    """py4j words a call into a killed JVM as "... does not exist in the JVM" (a plain
    Py4JError) when the call first looks a name up; that is the lost JVM only if the
    process pyspark launched has exited -- a JVM still running means a real missing name."""
    import subprocess
    import sys

    from pyspark import SparkContext

    missing = _error("py4j.protocol", "Py4JError",
                     "org.apache.spark.sql.functions.col does not exist in the JVM")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    monkeypatch.setattr(SparkContext, "_gateway", _Gateway(dead))
    assert lost_jvm(missing)
    assert failure_line(missing).startswith("lost the connection to Spark's JVM")

    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        monkeypatch.setattr(SparkContext, "_gateway", _Gateway(alive))
        assert not lost_jvm(missing)
        assert failure_line(missing) == ("Spark failed: org.apache.spark.sql.functions.col "
                                         "does not exist in the JVM")
    finally:
        alive.kill()
        alive.wait()
    monkeypatch.setattr(SparkContext, "_gateway", None)  # no JVM launched by this process
    assert not lost_jvm(missing)
    # a Java-side error means the JVM answered: never a lost JVM, however the process looks
    monkeypatch.setattr(SparkContext, "_gateway", _Gateway(dead))
    assert not lost_jvm(_error("py4j.protocol", "Py4JJavaError", "An error occurred"))
