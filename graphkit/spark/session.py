"""Starting a quiet SparkSession for the CLI and the tests, and the one-line errors when
pyspark or Java is missing.

Inside their own PySpark jobs users pass their session; this builder is what
``--engine spark`` uses: log4j's chatter, the loopback warning, the stage progress bar
and the web UI are off (the UI stays on for non-local masters unless configured), the
Python workers run this interpreter, and every temp file Spark writes lives in one
directory removed when the session stops or the process exits.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from contextlib import contextmanager

from ..errors import GraphkitError

__all__ = ["SparkUnavailableError", "require_spark", "start_session", "stop_session",
           "parse_conf", "owns", "DEFAULT_MASTER", "INSTALL_HINT"]

#: The master when neither ``--spark-master`` nor ``GRAPHKIT_SPARK_MASTER`` is given.
DEFAULT_MASTER = "local[*]"
INSTALL_HINT = "pip install 'graphkit[spark]'"
LOG4J = os.path.join(os.path.dirname(os.path.abspath(__file__)), "log4j2.properties")

_TEMP_DIRS: dict[int, str] = {}


class SparkUnavailableError(GraphkitError):
    """pyspark is not installed or no Java runtime was found."""


def require_spark() -> None:
    """Raise :class:`SparkUnavailableError` (one line) unless pyspark and Java are usable.

    Examples
    --------
    >>> from graphkit.spark import require_spark
    >>> require_spark()  # doctest: +SKIP
    """
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise SparkUnavailableError(
            f"--engine spark needs pyspark, which is not installed: {INSTALL_HINT}"
        ) from None
    if not _java_found():
        raise SparkUnavailableError(
            "--engine spark needs a Java runtime (17 or 21): none on PATH and JAVA_HOME is "
            f"not set; install a JDK (e.g. apt-get install openjdk-17-jre-headless), then "
            f"{INSTALL_HINT}"
        )


def _java_found() -> bool:
    home = os.environ.get("JAVA_HOME")
    if home:
        return os.access(os.path.join(home, "bin", "java"), os.X_OK)
    return shutil.which("java") is not None


def parse_conf(items: Sequence[str]) -> dict:
    """``["spark.executor.memory=8g", ...]`` -> a dict; ``ValueError`` for a malformed item.

    Examples
    --------
    >>> parse_conf(["spark.executor.memory=8g", "spark.sql.shuffle.partitions=64"])
    {'spark.executor.memory': '8g', 'spark.sql.shuffle.partitions': '64'}
    """
    out = {}
    for item in items:
        key, sep, value = str(item).partition("=")
        key = key.strip()
        if not sep or not key or not value.strip():
            raise ValueError(f"expected KEY=VALUE, got {item!r}")
        out[key] = value.strip()
    return out


def is_local(master: str) -> bool:
    return master == "local" or master.startswith("local[") or master.startswith("local-cluster[")


#: The JVM's garbage collector for local masters (see :func:`start_session`); a
#: ``spark.driver.extraJavaOptions`` of the user's replaces graphkit's whole setting.
LOCAL_GC = "-XX:+UseParallelGC"


def start_session(master: str | None = None, conf: Mapping[str, str] | None = None,
                  driver_memory: str | None = None, app_name: str = "graphkit",
                  debug: bool = False):
    """A SparkSession with graphkit's quiet defaults.

    Parameters
    ----------
    master : str, optional
        Spark master URL; default ``GRAPHKIT_SPARK_MASTER``, else the master
        ``spark-submit`` was given when run under it, else ``local[*]``.
    conf : mapping, optional
        More Spark settings; they win over graphkit's defaults.
    driver_memory : str, optional
        ``spark.driver.memory`` (e.g. ``"4g"``); only effective when this call starts
        the JVM.
    debug : bool, optional
        Leave the JVM's stderr on the console (Spark's own messages); by default it goes
        to a log file in the session's temp directory.

    Returns
    -------
    pyspark.sql.SparkSession

    Raises
    ------
    SparkUnavailableError
        When pyspark or Java is missing, or the JVM does not start.

    Notes
    -----
    When a session is already active in this process (a PySpark job, a notebook) it is
    returned unchanged, and :func:`owns` tells it is not ours to stop.
    """
    require_spark()
    given = master or os.environ.get("GRAPHKIT_SPARK_MASTER")
    # under spark-submit the driver JVM already runs with spark-submit's --master and conf
    submitted = bool(os.environ.get("PYSPARK_GATEWAY_PORT")) and not given
    master = given or DEFAULT_MASTER
    local = is_local(master) and not submitted
    tmp = tempfile.mkdtemp(prefix="graphkit-spark-")
    java_opts = f"-Dlog4j2.configurationFile=file:{LOG4J} -Djava.io.tmpdir={tmp}"
    if local:
        # the driver JVM is the executor too: the throughput collector (the default G1
        # runs concurrent threads beside the tasks) took 10M-edge rank on local[2] from
        # 71.0 to 60.4 s and 130.6 to 111.1 s of CPU (bench/RESULTS.md, 'ParallelGC')
        java_opts += f" {LOCAL_GC}"
    settings = {
        "spark.app.name": app_name,
        "spark.master": master,
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.extraJavaOptions": java_opts,
        "spark.executor.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{LOG4J}",
        "spark.sql.session.timeZone": "UTC",
        # our jobs are small per task; 2x the cores keeps both busy without tiny tasks
        "spark.sql.shuffle.partitions": "8",
        "spark.sql.adaptive.enabled": "true",
    }
    if submitted:  # spark-submit's master and application name stand
        del settings["spark.master"], settings["spark.app.name"]
    if local:
        settings["spark.ui.enabled"] = "false"
        settings["spark.local.dir"] = tmp
        # cached tables uncompressed: half the CPU of caching, in the machine's own memory
        settings["spark.sql.inMemoryColumnarStorage.compressed"] = "false"
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ["PYSPARK_PYTHON"] = sys.executable
        os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
        # executors (Python workers) must import this graphkit, not another installed one
        here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        path = os.environ.get("PYTHONPATH", "")
        if here not in path.split(os.pathsep):
            os.environ["PYTHONPATH"] = here + (os.pathsep + path if path else "")
    if driver_memory:
        settings["spark.driver.memory"] = str(driver_memory)
    settings.update(dict(conf or {}))
    os.environ.setdefault("SPARK_LOG_DIR", tmp)

    import warnings

    # pyspark 4.x warns about pandas >= 3 at import; graphkit converts with Arrow itself
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"pyspark(\.|$)")
    from pyspark.sql import SparkSession

    active = active_session()
    if active is not None:  # inside a PySpark job (or a test session): use it as it is
        shutil.rmtree(tmp, ignore_errors=True)
        return active
    builder = SparkSession.builder
    for key, value in settings.items():
        builder = builder.config(key, value)
    log = os.path.join(tmp, "spark-driver.log")
    try:
        # the JVM inherits stderr: send its start-up banner ("Using incubator modules",
        # "Setting default log level") and later chatter to a log file in the temp dir
        with _stderr_to(log, quiet=not debug):
            spark = builder.getOrCreate()
    except BaseException as exc:
        why = _first_error(log)
        try:  # a JVM half started (a signal while starting) is stopped with its temp dir
            _end_jvm()
            _kill_launching_jvm(tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if not isinstance(exc, Exception):  # Ctrl-C or SIGTERM
            raise
        # the JVM did not start: a missing or broken Java
        why = why or (str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        raise SparkUnavailableError(f"could not start Spark ({'spark-submit' if submitted else master}): {why}") from None
    spark.sparkContext.setLogLevel("ERROR")
    _TEMP_DIRS[id(spark)] = tmp
    atexit.register(_cleanup, spark, tmp)
    return spark


def active_session():
    """The SparkSession already running in this process (a PySpark job, a notebook, a
    test session), or None. Imports pyspark only when it is already loaded."""
    if "pyspark.sql" not in sys.modules:
        return None
    from pyspark.sql import SparkSession

    # the JVM's active session is per thread; the instantiated one is per process
    return SparkSession.getActiveSession() or getattr(SparkSession, "_instantiatedSession", None)


def owns(spark) -> bool:
    """Whether ``spark`` was started by :func:`start_session` (and so is ours to stop)."""
    return id(spark) in _TEMP_DIRS


def stop_session(spark) -> None:
    """Stop ``spark`` (cancelling its jobs) and remove its temp directory."""
    tmp = _TEMP_DIRS.pop(id(spark), None)
    try:
        spark.sparkContext.cancelAllJobs()
    except Exception:  # noqa: BLE001 - already stopped
        pass
    try:
        spark.stop()
        if tmp:  # ours: the JVM goes too, before its temp dir (it writes there until it exits)
            _end_jvm()
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def lost_jvm(exc: BaseException) -> bool:
    """Whether ``exc`` says the connection to Spark's JVM is gone (it died or was killed).

    py4j words a call that reaches a dead JVM in more than one way: a network error, or --
    when the call first looks a name up -- a plain Py4JError "... does not exist in the
    JVM". The latter counts only when this process's JVM has really exited."""
    if isinstance(exc, (ConnectionError, EOFError)) or type(exc).__name__ == "Py4JNetworkError":
        return True
    return type(exc).__name__ == "Py4JError" and _jvm_exited()


def _jvm_exited(wait: float = 1.0) -> bool:
    """Whether the JVM this process launched (pyspark's gateway process) has exited, waiting
    up to ``wait`` seconds for it: its socket closes a moment before it can be reaped. False
    when there is none to ask (no session, or a JVM this process did not start)."""
    import subprocess

    context = getattr(sys.modules.get("pyspark"), "SparkContext", None)
    proc = getattr(getattr(context, "_gateway", None), "proc", None)
    if proc is None:
        return False
    try:
        proc.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        return False
    return True


def failure_line(exc: BaseException) -> str | None:
    """One line for a failure of Spark itself -- its JVM gone (killed, out of memory), a
    job aborted by the cluster -- or None when ``exc`` is not one (then it is a bug)."""
    name = type(exc).__name__
    if lost_jvm(exc):
        return ("lost the connection to Spark's JVM (was it killed, or out of memory? "
                "--spark-driver-memory sets its size)")
    if not (type(exc).__module__ or "").startswith(("py4j", "pyspark")):
        return None
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    # a Py4JJavaError reads "An error occurred while calling o12.f.\n: org...Exception: why"
    java = next((line[1:].strip() for line in lines if line.startswith(":")), None)
    text = java or (lines[0] if lines else name)
    return f"Spark failed: {text[:400]}"


def _kill_launching_jvm(tmp: str) -> None:
    """Kill a JVM still being launched by this process (pyspark holds its handle only once
    it answers): our child processes whose command line names the session's temp dir
    ``tmp`` (Spark's launcher, then the driver JVM, carry it in -Djava.io.tmpdir). Linux."""
    import glob
    import signal

    me = os.getpid()
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat, "rb") as fh:
                ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
            if ppid != me:
                continue
            pid = int(stat.split("/")[2])
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmdline = fh.read()
        except (OSError, ValueError, IndexError):
            continue
        if os.fsencode(tmp) in cmdline:  # spark-submit / spark-class / the driver JVM
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (OSError, ChildProcessError):
                pass


def _end_jvm(timeout: float = 15.0) -> None:
    """End the JVM that pyspark launched in this process (it would live until the process
    exits, writing to its temp dir) and forget it, so a later session starts a new one."""
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    proc = getattr(gateway, "proc", None)
    if gateway is None or proc is None:  # a JVM we did not launch (spark-submit, a notebook)
        return
    SparkContext._gateway = None
    SparkContext._jvm = None
    try:
        gateway.shutdown()
    except Exception:  # noqa: BLE001 - the connection may be broken by the signal
        pass
    try:
        if proc.stdin is not None:
            proc.stdin.close()  # pyspark's gateway server exits when its stdin closes
        proc.wait(timeout=timeout)
    except Exception:  # noqa: BLE001 - not gone in time: stop it
        proc.kill()
        proc.wait()


@contextmanager
def _stderr_to(path, quiet=True):
    """Point file descriptor 2 at ``path`` while the JVM is launched (it keeps it)."""
    if not quiet:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.dup2(fd, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(fd)


def _first_error(log) -> str | None:
    try:
        with open(log, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                text = line.strip()
                if text and ("Error" in text or "error" in text or "Exception" in text):
                    return text[:300]
    except OSError:
        return None
    return None


def _cleanup(spark, tmp):
    if id(spark) in _TEMP_DIRS:
        try:
            stop_session(spark)
        except Exception:  # noqa: BLE001 - at exit, best effort
            pass
    shutil.rmtree(tmp, ignore_errors=True)
