"""Every float option refuses nan, inf and overflowing literals as a usage error (exit 2),
naming the option, before any work starts (issue 14)."""

import subprocess
import sys

import pytest

from graphkit.cli import cli

EXAMPLE = "data/example.csv"


def _float_options():
    from graphkit.cli._options import FiniteFloat

    out = []
    for name, cmd in sorted(cli.commands.items()):
        for p in cmd.params:
            if isinstance(p.type, FiniteFloat):
                out.append((name, p.opts[0]))
    return out


def test_every_float_option_of_every_command_is_finite_checked():
    import click

    plain = [(name, p.opts[0]) for name, cmd in cli.commands.items() for p in cmd.params
             if isinstance(p.type, click.types.FloatParamType)
             and not isinstance(p.type, click.FloatRange)]
    loose = [(name, p.opts[0]) for name, cmd in cli.commands.items() for p in cmd.params
             if type(p.type) is click.FloatRange]
    assert plain == [] and loose == [], "float options without the finite check"
    assert len(_float_options()) >= 10


@pytest.mark.parametrize("value", ["nan", "-inf", "inf", "1e400", "NaN"])
@pytest.mark.parametrize("command,option", [("rank", "--damping"), ("seeds", "--epsilon"),
                                            ("communities", "--resolution")])
def test_non_finite_value_is_a_usage_error(command, option, value):
    r = subprocess.run([sys.executable, "-m", "graphkit", command, EXAMPLE, option, value],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert lines[-1] == f"Error: Invalid value for '{option}': '{value}' is not a finite number."
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr


def test_range_checks_still_apply_and_finite_values_pass():
    from click.testing import CliRunner

    r = CliRunner().invoke(cli, ["rank", EXAMPLE, "--damping", "2"])
    assert r.exit_code == 2 and "is not in the range 0<x<1" in r.output
    r = CliRunner().invoke(cli, ["rank", EXAMPLE, "--damping", "0.5", "--top", "1",
                                 "--format", "csv"])
    assert r.exit_code == 0, r.output
