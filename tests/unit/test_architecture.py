"""The layout keeps showing the design: no import circle, small modules, a thin
package root, and one place that makes the worker and the HTTP clients."""

import ast
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

PACKAGE = "snorq_desktop"
ROOT = Path(__file__).resolve().parents[2] / PACKAGE
MAX_LINES = 500


def _sources() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _name(path: Path) -> str:
    return path.relative_to(ROOT.parent).as_posix()


def _circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every group of modules that import one another round (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        # Iterative, so a deep chain of imports cannot exhaust Python's stack.
        work = [(module, iter(sorted(graph.find_modules_directly_imported_by(module))))]
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        while work:
            current, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    imported = graph.find_modules_directly_imported_by(child)
                    work.append((child, iter(sorted(imported))))
                elif child in on_stack:
                    low[current] = min(low[current], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[current])
            if low[current] == index[current]:
                group: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == current:
                        break
                if len(group) > 1:
                    found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_round_a_circle() -> None:
    # TYPE_CHECKING imports count: a circle hidden from Python is still one for a reader.
    graph = grimp.build_graph(PACKAGE, exclude_type_checking_imports=False)
    assert _circles(graph) == []


def test_the_circle_finder_finds_a_circle() -> None:
    graph = grimp.ImportGraph()
    for module in ("p.a", "p.b", "p.c", "p.d"):
        graph.add_module(module)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.c")
    graph.add_import(importer="p.c", imported="p.a")
    graph.add_import(importer="p.d", imported="p.a")
    assert _circles(graph) == [["p.a", "p.b", "p.c"]]


def test_no_module_is_over_500_lines() -> None:
    lengths = {_name(p): len(p.read_text(encoding="utf-8").splitlines()) for p in _sources()}
    too_long = {name: n for name, n in lengths.items() if n > MAX_LINES}
    assert too_long == {}, too_long


def test_the_package_root_holds_at_most_three_modules() -> None:
    modules = sorted(p.name for p in ROOT.glob("*.py"))
    assert len(modules) <= 3, modules


class _Calls(ast.NodeVisitor):
    """Calls of ``names``, by the innermost function they are in (``<module>``: at import)."""

    def __init__(self, names: set[str]) -> None:
        self.names = names
        self.where = ["<module>"]
        self.found: list[tuple[str, str]] = []

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.where.append(node.name)
        self.generic_visit(node)
        self.where.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function  # noqa: N815

    def visit_Call(self, node: ast.Call) -> None:
        called = ast.unparse(node.func)
        if called in self.names:
            self.found.append((self.where[-1], called))
        self.generic_visit(node)


def _constructions(names: set[str]) -> dict[str, list[str]]:
    """Where each of ``names`` (a class, or ``module.Class``) is called, by file and
    function; the demo's fakes (test doubles shipped for the demo) apart."""
    places: dict[str, list[str]] = {}
    for path in _sources():
        name = _name(path)
        if name.startswith(f"{PACKAGE}/demo/fakes/"):
            continue
        calls = _Calls(names)
        calls.visit(ast.parse(path.read_text(encoding="utf-8")))
        for function, called in calls.found:
            places.setdefault(f"{name}:{function}", []).append(called)
    return places


def test_one_place_makes_the_database_worker() -> None:
    places = _constructions({"DatabaseWorker"})
    assert set(places) == {"snorq_desktop/boot/app.py:open_plumbing"}, places
    assert places["snorq_desktop/boot/app.py:open_plumbing"] == ["DatabaseWorker"]


def test_one_place_makes_the_http_clients() -> None:
    places = _constructions({"httpx.Client", "httpx.AsyncClient"})
    assert set(places) == {"snorq_desktop/boot/app.py:open_plumbing"}, places
    assert sorted(places["snorq_desktop/boot/app.py:open_plumbing"]) == [
        "httpx.AsyncClient",
        "httpx.Client",
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import httpx\ndef f():\n    return httpx.Client()\n", {"x.py:f"}),
        ("import httpx\nCLIENT = httpx.Client()\n", {"x.py:<module>"}),
        ("import httpx\ndef f():\n    return httpx.get('u')\n", set()),
    ],
)
def test_the_construction_finder_sees_calls_in_functions_and_at_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, expected: set[str]
) -> None:
    package = tmp_path / PACKAGE
    package.mkdir()
    (package / "x.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.ROOT", package)
    found = _constructions({"httpx.Client"})
    assert {p.replace(f"{PACKAGE}/", "") for p in found} == expected
