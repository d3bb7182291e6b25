"""The package's imports point one way: no module of ``reprlab`` reaches itself through other
modules' imports (those inside functions included, where a cycle likes to hide), and the workbench
imports no paper package: it receives the papers (``reprlab.workbench.papers``)."""

import ast
from pathlib import Path

LIB = Path(__file__).resolve().parent.parent / "lib"

def import_graph(lib: Path = LIB) -> dict[str, set[str]]:
    """``{module: modules of reprlab it imports}`` from the source, every import statement
    counted. ``from package import submodule`` is an edge to the submodule alone."""
    modules = {}
    for path in (lib / "reprlab").rglob("*.py"):
        parts = path.relative_to(lib).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for name, path in modules.items():
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("reprlab"):
                submodules = {f"{node.module}.{alias.name}" for alias in node.names} & modules.keys()
                edges |= submodules
                if len(submodules) < len(node.names):
                    edges.add(node.module)
            elif isinstance(node, ast.Import):
                edges |= {alias.name for alias in node.names if alias.name.startswith("reprlab")}
        graph[name] = {e for e in edges if e in modules and e != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each module that reaches itself (as a list of modules, first = last)."""
    found = []
    for start in sorted(graph):
        stack, parents = [start], {}
        while stack:
            node = stack.pop()
            for nxt in sorted(graph[node]):
                if nxt == start:
                    path, at = [start], node
                    while at != start:
                        path.append(at)
                        at = parents[at]
                    found.append([start, *reversed(path[1:]), start])
                    stack.clear()
                    break
                if nxt not in parents:
                    parents[nxt] = node
                    stack.append(nxt)
    return found


def test_no_module_of_reprlab_imports_itself_through_others():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import(tmp_path):
    package = tmp_path / "reprlab"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from reprlab.b import f\n")
    (package / "b.py").write_text("def f():\n    from reprlab.a import g\n")
    (package / "c.py").write_text("from reprlab import a\n")  # a submodule through its package: no cycle
    assert cycles(import_graph(tmp_path)) == [["reprlab.a", "reprlab.b", "reprlab.a"],
                                              ["reprlab.b", "reprlab.a", "reprlab.b"]]


def test_the_workbench_imports_no_paper_package():
    graph = import_graph()
    found = {(module, imported) for module, imports in graph.items() if module.startswith("reprlab.workbench")
             for imported in imports if imported.startswith("reprlab.papers")}
    assert found == set()
    # nor loads one by name behind the import statement's back
    for path in (LIB / "reprlab" / "workbench").glob("*.py"):
        assert "import_module" not in path.read_text(), path.name


def test_the_building_blocks_import_no_paper_and_no_workbench():
    blocks = ("augment", "data", "models", "losses", "training", "evaluation")
    graph = import_graph()
    found = {(module, imported) for module, imports in graph.items()
             if module.removeprefix("reprlab.").split(".")[0] in blocks for imported in imports
             if imported.startswith(("reprlab.papers", "reprlab.workbench", "reprlab.experiments"))}
    assert found == set()
