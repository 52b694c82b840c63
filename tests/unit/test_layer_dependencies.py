"""The layers' dependency rules, read from the layer's source with `ast` (every import counts, also one inside
a function or under TYPE_CHECKING):

- domain imports, of ours, only ids, clock and the domain;
- services import no adapters and no families (they take ports; composition/ wires the real ones);
- families import no api (api/ is the glue above them);
- adapters import no services.

KNOWN_VIOLATIONS lists what still breaks a rule today, one (importer, imported) pair each: it may only
shrink. A new violation fails the suite, and so does a listed one that is gone (remove its entry).
"""

import ast
from pathlib import Path

import pytest

LAYER = Path(__file__).resolve().parents[2] / "layers" / "shared"

# (layer, what it may import of ours (None: anything not forbidden), what it must not import)
RULES: list[tuple[str, tuple[str, ...] | None, tuple[str, ...]]] = [
    ("financing.domain", ("financing.domain", "financing.ids", "financing.clock"), ()),
    ("financing.services", None, ("financing.adapters", "financing.families")),
    ("financing.families", None, ("financing.api",)),
    ("financing.adapters", None, ("financing.services",)),
]

# None left: every service is given its ports, announcers and shapes by financing.composition.
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str, root: Path) -> bool:
    path = root.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_of(path: Path, root: Path) -> set[str]:
    """The modules of ours (`financing...`) that the file at `path` imports, anywhere in it."""
    module = _module_name(path, root)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            source = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:  # `from financing.x import y`: y may be a module of its own
                candidate = f"{source}.{alias.name}"
                found.add(candidate if _is_module(candidate, root) else source)
    return {name for name in found if name == "financing" or name.startswith("financing.")}


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(root: Path) -> set[tuple[str, str]]:
    """Every (importer, imported) pair of the `financing` package under `root` that breaks a rule."""
    found: set[tuple[str, str]] = set()
    for path in sorted((root / "financing").rglob("*.py")):
        importer = _module_name(path, root)
        for layer, allowed, forbidden in RULES:
            if not _within(importer, layer):
                continue
            for imported in imports_of(path, root):
                if imported == "financing":
                    continue
                if any(_within(imported, f) for f in forbidden) or (
                    allowed is not None and not any(_within(imported, a) for a in allowed)
                ):
                    found.add((importer, imported))
    return found


def test_no_layer_breaks_a_dependency_rule_beyond_the_known_violations() -> None:
    new = violations(LAYER) - KNOWN_VIOLATIONS
    assert not new, f"new dependency violations (see this test's docstring for the rules): {sorted(new)}"


def test_the_known_violations_only_shrink() -> None:
    fixed = KNOWN_VIOLATIONS - violations(LAYER)
    assert not fixed, f"no longer violated: remove from KNOWN_VIOLATIONS: {sorted(fixed)}"


def test_the_rules_read_the_real_layer() -> None:
    # The reader finds the imports it guards (a reader that saw nothing would pass every rule).
    services = imports_of(LAYER / "financing" / "services" / "ledger.py", LAYER)
    assert "financing.domain.ledger" in services
    assert "financing.services.ports" in services


def _package(root: Path, files: dict[str, str]) -> Path:
    for name, text in {
        "financing/__init__.py": "",
        "financing/ids.py": "",
        "financing/clock.py": "",
        "financing/config.py": "",
        "financing/domain/__init__.py": "",
        "financing/domain/money.py": "",
        "financing/services/__init__.py": "",
        "financing/services/ports.py": "",
        "financing/adapters/__init__.py": "",
        "financing/adapters/dynamo.py": "",
        "financing/families/__init__.py": "",
        "financing/families/core/__init__.py": "",
        "financing/families/core/lists.py": "",
        "financing/api/__init__.py": "",
        "financing/api/core.py": "",
        **files,
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize(
    ("path", "source", "violation"),
    [
        (
            "financing/domain/new.py",
            "def f():\n    from financing.adapters.dynamo import EntityTable\n",
            ("financing.domain.new", "financing.adapters.dynamo"),
        ),
        (
            "financing/domain/new.py",
            "from financing import config\n",
            ("financing.domain.new", "financing.config"),
        ),
        (
            "financing/domain/new.py",
            "from .. import config\n",
            ("financing.domain.new", "financing.config"),
        ),
        (
            "financing/services/new.py",
            "import financing.families.core.lists\n",
            ("financing.services.new", "financing.families.core.lists"),
        ),
        (
            "financing/services/new.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from financing.adapters import dynamo\n",
            ("financing.services.new", "financing.adapters.dynamo"),
        ),
        (
            "financing/families/core/new.py",
            "from ...api.core import respond\n",
            ("financing.families.core.new", "financing.api.core"),
        ),
        (
            "financing/adapters/new.py",
            "from financing.services.ports import Companies\n",
            ("financing.adapters.new", "financing.services.ports"),
        ),
    ],
)
def test_a_new_violation_is_caught(
    tmp_path: Path, path: str, source: str, violation: tuple[str, str]
) -> None:
    root = _package(tmp_path, {path: source})
    assert violations(root) == {violation}


def test_what_the_rules_allow_is_not_a_violation(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "financing/domain/new.py": "from financing import ids\nfrom financing.clock import now\n"
            "from . import money\nimport json\n",
            "financing/services/new.py": "from financing.services.ports import Companies\n"
            "from financing.domain.money import Money\n",
            "financing/families/core/new.py": "from financing.families.core.lists import ListObject\n",
            "financing/adapters/new.py": "from financing.adapters.dynamo import EntityTable\n",
            "financing/api/new.py": "from financing.families.core.lists import ListObject\n",
        },
    )
    assert violations(root) == set()
