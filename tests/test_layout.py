"""The package's import rules (ARCHITECTURE.md), checked by walking every module's imports.

Each rule is checked on the real package (no violation allowed) and on a small fake package
with deliberate violations (each must be reported), so the checker itself cannot silently pass.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "graphkit"

#: Top-level modules every part may use: errors, randomness, progress, argument checks, and
#: the random streams of the kernels. They import nothing of graphkit.
FOUNDATION = {"errors", "_rng", "_progress", "_checks", "_streams", "_pystreams", "_display", "_cells", "_batches", "_jitcache", "_signals",
              "_imports", "_threads", "_forked"}
#: What each part of the package may import from graphkit (besides itself and FOUNDATION).
ALLOWED = {
    "io": set(),
    "graph": {"io"},
    "ranking": {"graph", "io"},
    "communities": {"ranking", "graph", "io"},
    "weighting": {"graph", "io"},
    "diffusion": {"weighting", "graph", "io"},
    "seeds": {"diffusion", "weighting", "ranking", "graph", "io"},
    "learn": {"diffusion", "weighting", "graph", "io"},
    "synthetic": {"io"},
    "segments": {"communities", "ranking", "weighting", "graph", "io"},
    "engagement": {"graph", "io"},
    "recommend": {"graph", "io"},
    "viz": {"ranking", "communities", "weighting", "diffusion", "graph", "io", "__init__"},
    "spark": {"seeds", "diffusion", "weighting", "communities", "ranking", "graph", "io"},
    "report": {"viz", "ranking", "communities", "seeds", "segments", "engagement", "recommend",
               "graph", "io"},
    "cli": None,  # the command line may import any part
    "__init__": set(),  # lazy: names only, through importlib
    "__main__": {"cli"},
}
#: Parts that compute: none of them imports the presentation layers or the CLI toolkits.
STAGES = {"io", "graph", "ranking", "communities", "weighting", "diffusion", "seeds", "learn",
          "synthetic", "segments", "engagement", "recommend", "spark"}
PRESENTATION = {"viz", "report", "cli"}
UI_LIBRARIES = {"click", "rich"}
#: Numba kernel modules: arrays in, arrays out; they import numpy, numba, math and other
#: kernel modules only.
KERNEL_LIBRARIES = {"numpy", "numba", "math", "__future__"}


def is_kernel(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last.endswith("_kernels") or last == "_streams"


def modules(root: Path):
    """``(dotted name, path)`` of every module under ``root`` (a package directory)."""
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        rel = path.relative_to(root.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def imports(module: str, path: Path, root: Path):
    """Every import of a module: ``(line, absolute module, imported names)``, relative ones
    resolved (``from .. import _rng`` is an import of the module ``_rng``), including
    imports inside functions and TYPE_CHECKING blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    package = module if is_pkg else module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                if node.level > 1:
                    base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            base = root.parent.joinpath(*target.split("."))
            for alias in node.names:
                sub = base / alias.name
                if sub.with_suffix(".py").exists() or (sub / "__init__.py").exists():
                    yield node.lineno, f"{target}.{alias.name}", ()
                else:
                    yield node.lineno, target, (alias.name,)


def part_of(module: str, top: str) -> str | None:
    """The part (``io``, ``ranking``, ``_rng``, ...) a dotted name belongs to, if in ``top``."""
    parts = module.split(".")
    if parts[0] != top:
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def violations(root: Path) -> list[str]:
    """Every broken rule in the package at ``root``, one line each (``file:line: rule``)."""
    top = root.name
    found = []
    for module, path in modules(root):
        me = part_of(module, top)
        where = f"{path.relative_to(root.parent)}"
        for line, target, names in imports(module, path, root):
            first = target.split(".")[0]
            them = part_of(target, top)
            loc = f"{where}:{line}"
            if is_kernel(module) and them is None and first not in KERNEL_LIBRARIES:
                found.append(f"{loc}: kernel module imports {target}")
            if is_kernel(module) and them is not None and not is_kernel(target):
                found.append(f"{loc}: kernel module imports {target} (not a kernel)")
            if me in FOUNDATION and them is not None:
                found.append(f"{loc}: {me} imports {target} (foundation imports no graphkit)")
            if me in STAGES and (first in UI_LIBRARIES or them in PRESENTATION):
                found.append(f"{loc}: stage {me} imports {target}")
            if them is None or them == me or them in FOUNDATION:
                continue
            if them == "cli" and me != "__main__":
                found.append(f"{loc}: {me} imports the CLI ({target})")
                continue
            allowed = ALLOWED.get(me, set())
            if allowed is not None and them not in allowed:
                found.append(f"{loc}: {me} imports {target} ({me} may import "
                             f"{', '.join(sorted(allowed)) or 'no other part'})")
            private = [p for p in target.split(".")[2:] if p.startswith("_")]
            private += [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private:
                found.append(f"{loc}: {me} imports private {', '.join(private)} of {target}")
    return found


def test_the_package_keeps_its_import_rules():
    assert violations(PACKAGE) == []


def test_every_part_is_known():
    parts = {part_of(m, "graphkit") for m, _ in modules(PACKAGE)}
    assert parts <= set(ALLOWED) | FOUNDATION, sorted(parts - set(ALLOWED) - FOUNDATION)


FAKE = {
    "__init__.py": "",
    "errors.py": "from .io import read_edges\n",
    "io/__init__.py": "from .edges import read_edges\n",
    "io/edges.py": "import numpy\nfrom ..graph import SocialGraph\n",
    "io/_kernels.py": "import numpy\nimport pandas\nfrom .edges import read_edges\n",
    "graph/__init__.py": "from ..io import read_edges\nfrom ..io._kernels import f\n",
    "ranking/__init__.py": "import click\nfrom ..viz import View\nfrom ..graph import _private\n",
    "viz/__init__.py": "from ..cli import main\n",
    "cli/__init__.py": "from ..ranking import rank\n",
}


def test_the_checker_reports_each_kind_of_violation(tmp_path):
    root = tmp_path / "pkg"
    for name, text in FAKE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    found = "\n".join(violations(root))
    for expected in (
        "pkg/errors.py:1: errors imports pkg.io (foundation",
        "pkg/io/edges.py:2: io imports pkg.graph (io may import no other part)",
        "pkg/io/_kernels.py:2: kernel module imports pandas",
        "pkg/io/_kernels.py:3: kernel module imports pkg.io.edges (not a kernel)",
        "pkg/graph/__init__.py:2: graph imports private _kernels of pkg.io._kernels",
        "pkg/ranking/__init__.py:1: stage ranking imports click",
        "pkg/ranking/__init__.py:2: stage ranking imports pkg.viz",
        "pkg/ranking/__init__.py:3: ranking imports private _private of pkg.graph",
        "pkg/viz/__init__.py:1: viz imports the CLI (pkg.cli)",
    ):
        assert expected in found, f"not reported: {expected}\n{found}"
    assert "pkg/graph/__init__.py:1" not in found  # graph -> io is allowed
    assert "pkg/cli/__init__.py" not in found  # the CLI may import any part


@pytest.mark.parametrize("module, path", list(modules(PACKAGE)), ids=lambda v: str(v))
def test_no_module_is_two_ideas(module, path):
    """A module past 500 lines is two ideas (ARCHITECTURE.md): split it."""
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= 500, f"{module} has {n} lines"


def test_no_module_is_named_like_a_name_its_package_exports():
    """``graphkit.seeds.imm`` must be one thing: a function exported by the package and a
    submodule of the same name shadow each other depending on import order."""
    import importlib
    import pkgutil
    import types

    import graphkit

    clashes = []
    for info in pkgutil.walk_packages(graphkit.__path__, "graphkit."):
        if not info.ispkg:
            continue
        package = importlib.import_module(info.name)
        exported = set(getattr(package, "__all__", ()))
        for sub in pkgutil.iter_modules(package.__path__):
            if sub.name in exported and not isinstance(getattr(package, sub.name), types.ModuleType):
                clashes.append(f"{info.name}.{sub.name}")
    top = {m.name for m in pkgutil.iter_modules(graphkit.__path__)}
    clashes += [f"graphkit.{n}" for n in graphkit.__all__ if n in top]
    assert clashes == []


def test_only_the_spark_engine_imports_pyspark():
    """The local engine needs no pyspark and no Java: pyspark is imported only inside
    graphkit/spark, and graphkit.spark only by the CLI's --engine spark path."""
    found = []
    for module, path in modules(PACKAGE):
        me = part_of(module, "graphkit")
        for line, target, _ in imports(module, path, PACKAGE):
            if target.split(".")[0] == "pyspark" and me != "spark":
                found.append(f"{module}:{line} imports {target}")
            if part_of(target, "graphkit") == "spark" and me not in ("spark", "cli"):
                found.append(f"{module}:{line} imports {target}")
    assert found == []


def test_the_local_engine_loads_no_pyspark():
    import subprocess
    import sys

    code = ("import sys; from graphkit.cli import main\n"
            "try:\n    main(['rank', 'data/example.csv', '--top', '3', '-q'])\n"
            "except SystemExit:\n    pass\n"
            "assert 'pyspark' not in sys.modules and 'graphkit.spark' not in sys.modules, "
            "sorted(m for m in sys.modules if 'spark' in m)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
