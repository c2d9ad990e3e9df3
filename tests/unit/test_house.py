"""The house rules, read from the source with ast: no import circle among symdl's modules (imports
inside functions counted), at most MAX_LATE imports inside functions (each with the reason in a
comment), no module over 600 lines, no function over 80, no kind importing another kind."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SYMDL = Path(__file__).resolve().parents[2] / "symdl"
MAX_LATE = 15


def _modules() -> dict:
    out = {}
    for path in SYMDL.rglob("*.py"):
        parts = list(path.relative_to(SYMDL.parent).with_suffix("").parts)
        package = parts[-1] == "__init__"
        if package:
            parts = parts[:-1]
        out[".".join(parts)] = (path, package)
    return out


MODULES = _modules()


def _imports(name: str):
    """(node, inside a function, [symdl modules it imports]) for every import of module ``name``."""
    path, package = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    late = {id(sub) for fn in ast.walk(tree) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
            for sub in ast.walk(fn) if isinstance(sub, (ast.Import, ast.ImportFrom))}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".") if package else name.split(".")[:-1]
                here = here[: len(here) - (node.level - 1)]
                base = ".".join(here + ([node.module] if node.module else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        found = set()
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
        if found:
            yield node, id(node) in late, sorted(found)


GRAPH = {name: {t for _, _, ts in _imports(name) for t in ts} for name in MODULES}


def _circles() -> list:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    for root in sorted(GRAPH):
        if root in index:
            continue
        work = [(root, iter(sorted(GRAPH[root])))]
        index[root] = low[root] = counter[0]; counter[0] += 1; stack.append(root); on.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]; counter[0] += 1; stack.append(child); on.add(child)
                    work.append((child, iter(sorted(GRAPH[child]))))
                elif child in on:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    w = stack.pop(); on.discard(w); group.append(w)
                    if w == node:
                        break
                if len(group) > 1:
                    out.append(sorted(group))
    return out


def test_the_tree_is_read():
    assert {"symdl.cli", "symdl.derive", "symdl.kinds", "symdl.input.spec"} <= set(MODULES)
    assert "symdl.input.spec" in GRAPH["symdl.derive"] or any(
        "symdl.input.spec" in GRAPH[m] for m in GRAPH["symdl.derive"])


def test_no_import_circle():
    assert _circles() == []


def test_imports_inside_functions_are_few_and_explained():
    late = []
    for name in sorted(MODULES):
        path, _ = MODULES[name]
        lines = path.read_text(encoding="utf-8").splitlines()
        for node, inside, _ in _imports(name):
            if inside:
                said = any("#" in line for line in lines[max(node.lineno - 4, 0):node.lineno])   # said beside it
                late.append((f"{path.relative_to(SYMDL.parent)}:{node.lineno}", said))
    assert [where for where, said in late if not said] == []
    assert len(late) <= MAX_LATE, [where for where, _ in late]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_sizes(name):
    path, _ = MODULES[name]
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 600
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 80]
    assert long == []


def test_no_kind_imports_another():
    def kind(module):
        parts = module.split(".")
        return parts[2] if len(parts) > 2 and parts[1] == "kinds" else None
    crossing = [(a, b) for a in GRAPH for b in GRAPH[a] if kind(a) and kind(b) and kind(a) != kind(b)]
    assert crossing == []
