"""The API routes template.yaml declares, read from it: tests that must cover every route iterate these."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from local.template import load_template


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function_dir: str  # functions/<function_dir>/app.py
    authorized: bool = True  # False: `Auth: {Authorizer: NONE}`, the handler verifies its own credential

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


def declared_routes() -> list[Route]:
    """Every Api/HttpApi event of every function in template.yaml, whichever API it belongs to."""
    routes = []
    for resource in load_template()["Resources"].values():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        properties = resource["Properties"]
        for event in (properties.get("Events") or {}).values():
            if event.get("Type") in ("Api", "HttpApi"):
                method, path = event["Properties"]["Method"].upper(), event["Properties"]["Path"]
                auth = event["Properties"].get("Auth") or {}
                routes.append(
                    Route(method, path, Path(properties["CodeUri"]).name, auth.get("Authorizer") != "NONE")
                )
    return sorted(routes, key=lambda route: route.name)
