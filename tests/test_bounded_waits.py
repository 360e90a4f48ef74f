"""Every wait in the suite is bounded: a test never hangs the run (a server that hangs before
printing, a child that never exits). Checked on the source: each subprocess.run,
communicate(), Popen.wait() and Event/Thread wait carries a timeout, and a process's output
is read through helpers.read_line (bounded), never with a bare readline()."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
NEEDS_TIMEOUT = {"run", "communicate", "wait", "join", "check_output"}
ASYNC_OK = {"wait"}  # ``await x.wait()``: an asyncio object, bounded by its own task


def unbounded(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    awaited = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Await)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name = node.func.attr
        where = f"{path.relative_to(TESTS)}:{node.lineno}"
        if name == "readline" and path.name != "helpers.py":
            target = ast.unparse(node.func.value)
            if "stdout" in target or "stderr" in target:
                found.append(f"{where}: {target}.readline() (use helpers.read_line)")
        if name in NEEDS_TIMEOUT and id(node) not in awaited:
            owner = ast.unparse(node.func.value)
            if name in ("run", "check_output") and owner != "subprocess":
                continue
            if name == "join" and not owner.endswith(("thread", "reader", "_thread", "t")):
                continue  # str.join and the like
            has = any(k.arg == "timeout" for k in node.keywords) or (
                name in ("wait", "join") and node.args)
            if not has:
                found.append(f"{where}: {owner}.{name}() without a timeout")
    return found


def test_every_wait_in_the_suite_is_bounded() -> None:
    found = [f for path in sorted(TESTS.rglob("*.py")) for f in unbounded(path)]
    assert not found, "\n".join(found)
