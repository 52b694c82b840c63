"""Python's `$` also matches before a trailing newline, so no pattern the layer or a function hands to `re`
may rely on it: identifiers are matched whole (`fullmatch`), which tests/integration/test_identifiers_full_match.py
proves at the edges. This guard keeps a new `re` pattern from bringing `$` back."""

import ast
from pathlib import Path

from financing.domain.actor import is_tenant_id

ROOT = Path(__file__).resolve().parents[2]
RE_CALLS = {"compile", "match", "search", "fullmatch"}


def _re_patterns(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.func.attr in RE_CALLS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def test_no_re_pattern_in_the_product_ends_with_a_dollar():
    sources = [*(ROOT / "layers").rglob("*.py"), *(ROOT / "functions").rglob("*.py")]
    anchored = [
        f"{path.relative_to(ROOT)}:{line}: {pattern!r}"
        for path in sources
        for line, pattern in _re_patterns(path)
        if pattern.endswith("$") and not pattern.endswith("\\$")
    ]
    assert len(sources) > 100  # the control: the product's sources were read
    assert not anchored, anchored


def test_a_tenant_id_is_matched_whole():
    assert is_tenant_id("acme") and is_tenant_id("a" * 64) and is_tenant_id("acme-eu_2")
    for refused in [
        "acme\n",
        "acme\r\n",
        "\nacme",
        "acme ",
        "acme#COMPANY",
        "../acme",
        "",
        "a" * 65,
        None,
        7,
    ]:
        assert not is_tenant_id(refused), refused
