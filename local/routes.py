"""The template's functions, as tools derive things from them: each function's code folder, its event
sources, and, for an API route, the scope its handler needs (the handler is the one place saying it)."""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import sys
from pathlib import Path
from typing import Any

from local.settings import ROOT
from local.template import load_template

LAYER = ROOT / "layers" / "shared"


@dataclasses.dataclass(frozen=True)
class Function:
    logical_id: str
    code_dir: str
    # The template's `Events` of the function: name -> {"Type", "Properties"}.
    events: dict[str, Any]

    @property
    def routes(self) -> list[tuple[str, str, bool]]:
        """(METHOD, path, guarded by the API's authorizer) of each `Api` event."""
        return [
            (
                event["Properties"]["Method"].upper(),
                event["Properties"]["Path"],
                ((event["Properties"].get("Auth") or {}).get("Authorizer")) != "NONE",
            )
            for event in self.events.values()
            if event.get("Type") == "Api"
        ]


def functions(template: dict[str, Any] | None = None) -> list[Function]:
    """Every `AWS::Serverless::Function` of the template, by logical id."""
    resources = (template or load_template())["Resources"]
    return [
        Function(
            logical_id, Path(str(r["Properties"]["CodeUri"])).name, dict(r["Properties"].get("Events") or {})
        )
        for logical_id, r in sorted(resources.items())
        if r.get("Type") == "AWS::Serverless::Function"
    ]


@functools.cache
def handler_module(code_dir: str) -> Any:
    """functions/<code_dir>/app.py, imported with the layer on the path (as `make openapi` does)."""
    if str(LAYER) not in sys.path:
        sys.path.insert(0, str(LAYER))
    name = f"_local_routes_{code_dir}"
    spec = importlib.util.spec_from_file_location(name, ROOT / "functions" / code_dir / "app.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def required_scope(code_dir: str) -> str | None:
    """The scope the API handler in functions/<code_dir> needs (None: its route takes no bearer JWT)."""
    return handler_module(code_dir).lambda_handler.required_scope
