"""The test suite's own rules, checked on its source (ast), so a new test cannot quietly break them.

- Helpers are shared through tests/support only: a test module, a conftest or a support module
  imports nothing else from the tests package (not another test module, not a conftest).
- No assertion that cannot fail: `assert <constant>`, `assert (x, "why")` (a tuple is always
  true), `assert x == x`.
- No sleep or Pilot pause of a fixed length outside a polling loop: such a wait works only
  while it is longer than some delay in the code (a debounce, a worker) and is flaky or slow
  the day that changes. Wait on the condition instead (tests/support/tui.eventually,
  detail_follows_cursor, settle). A fixed wait that is the scenario itself (an outage that
  lasts 8 s) says so on its line with a `# hygiene:` comment giving the reason.

- No unused names (imports, variables) and no undefined ones, in incidentdesk/ and tests/
  (bench scripts included): pyflakes, with a deliberate re-export marked `# noqa` on its line.

tests/bench holds scripts run by hand, not tests: the ast rules leave it out.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
SOURCES = sorted(p for p in TESTS.rglob("*.py") if "bench" not in p.relative_to(TESTS).parts)


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _where(path: Path, node: ast.AST) -> str:
    shown = path.relative_to(TESTS.parent) if path.is_relative_to(TESTS.parent) else path
    return f"{shown}:{node.lineno}"


def imports_of_other_tests(path: Path) -> list[str]:
    """`from tests.X import ...` / `import tests.X` where X is not the support package."""
    found = []
    for node in ast.walk(_tree(path)):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names if node.module == "tests"]
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            names = ["(relative import)"]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            if name == "(relative import)" or (name.split(".")[0] == "tests" and name != "tests"
                                               and not name.startswith("tests.support")):
                found.append(f"{_where(path, node)} imports {name}")
    return found


def asserts_that_cannot_fail(path: Path) -> list[str]:
    found = []
    for node in ast.walk(_tree(path)):
        if not isinstance(node, ast.Assert):
            continue
        test = node.test
        if isinstance(test, ast.Constant):
            found.append(f"{_where(path, node)} asserts the constant {test.value!r}")
        elif isinstance(test, ast.Tuple) and test.elts:
            found.append(f"{_where(path, node)} asserts a tuple (always true): {ast.unparse(test)}")
        elif (isinstance(test, ast.Compare) and len(test.ops) == 1
              and isinstance(test.ops[0], (ast.Eq, ast.Is, ast.GtE, ast.LtE))
              and ast.dump(test.left) == ast.dump(test.comparators[0])):
            found.append(f"{_where(path, node)} compares a value with itself: {ast.unparse(test)}")
    return found


def _is_fixed_wait(call: ast.Call) -> bool:
    """time.sleep(<number>) or <pilot>.pause(<number>): a wait of a fixed length."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in ("sleep", "pause")):
        return False
    if func.attr == "sleep" and not (isinstance(func.value, ast.Name) and func.value.id in ("time", "asyncio")):
        return False
    return bool(call.args) and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, int | float) \
        and call.args[0].value > 0


def fixed_waits_outside_loops(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[str] = []

    def visit(node: ast.AST, in_loop: bool) -> None:
        for child in ast.iter_child_nodes(node):
            loop = in_loop or isinstance(child, (ast.For, ast.AsyncFor, ast.While))
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                loop = False  # a function's body runs wherever it is called: judged on its own
            if isinstance(child, ast.Call) and _is_fixed_wait(child) and not in_loop \
                    and "# hygiene:" not in lines[child.lineno - 1]:
                found.append(f"{_where(path, child)} waits a fixed time: {ast.unparse(child)}")
            visit(child, loop)

    visit(_tree(path), False)
    return found


@pytest.mark.parametrize("rule", [imports_of_other_tests, asserts_that_cannot_fail, fixed_waits_outside_loops],
                         ids=lambda rule: rule.__name__)
def test_the_suite_keeps_its_rules(rule):
    broken = [problem for path in SOURCES for problem in rule(path)]
    assert broken == [], "\n".join(broken)


# A module that breaks every rule, kept as text (tests/support/hygiene_probe.txt) so that no scan
# of the suite reads its deliberate bad lines as the suite's own; its assertion on a constant is
# written `{CONSTANT}` there and made whole only here, so not even a scan of text files finds one.
BAD = (Path(__file__).parent / "support" / "hygiene_probe.txt").read_text(encoding="utf-8").replace(
    "{CONSTANT}", "True")


def pyflakes_problems(paths: list[Path]) -> list[str]:
    from pyflakes.checker import Checker

    found = []
    for path in paths:
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for message in Checker(ast.parse(source, filename=str(path)), filename=str(path)).messages:
            if "# noqa" not in lines[message.lineno - 1]:
                found.append(f"{_where(path, message)}: {message.message % message.message_args}")
    return found


def test_no_unused_or_undefined_names():
    paths = sorted((TESTS.parent / "incidentdesk").rglob("*.py")) + sorted(TESTS.rglob("*.py"))
    problems = pyflakes_problems(paths)
    assert problems == [], "\n".join(problems)


def test_the_rules_catch_what_they_name(tmp_path):
    """Each rule, on a module that breaks it: so a rule that silently stopped matching is noticed."""
    bad = tmp_path / "test_probe.py"
    bad.write_text(BAD, encoding="utf-8")
    imports, asserts, waits = (rule(bad) for rule in (imports_of_other_tests, asserts_that_cannot_fail,
                                                       fixed_waits_outside_loops))
    assert [p.split(" imports ")[1] for p in imports] == ["tests.tui.test_actions", "(relative import)",
                                                         "tests.ingest.conftest"]
    assert [p.split(" ", 1)[1].split(":")[0] for p in asserts] == [
        "asserts the constant True", "asserts a tuple (always true)", "compares a value with itself"]
    assert [p.split(": ", 1)[1] for p in waits] == ["pilot.pause(0.2)", "time.sleep(1)"]
    flakes = {p.split(": ", 1)[1] for p in pyflakes_problems([bad])}
    assert {"'tests.support.tui.settle' imported but unused", "undefined name 'done'"} <= flakes, flakes
