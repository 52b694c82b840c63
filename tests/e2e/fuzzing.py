"""Contract fuzzing with schemathesis: the committed OpenAPI document, given links derived from its own paths,
run against a local stack by the schemathesis command line."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
# Zero 5xx, and every answer as documented: status, content type, headers, body.
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
CREATED = ("201", "202")


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _properties(document: dict[str, Any], content: dict[str, Any] | None) -> set[str]:
    schema = ((content or {}).get("application/json") or {}).get("schema") or {}
    return set(_resolve(document, schema).get("properties", {}))


def linked(document: dict[str, Any]) -> dict[str, Any]:
    """The document with OpenAPI links from each creating POST to every operation under the created item's
    path (`POST /v1/x` -> `/v1/x/{param}...`): the id comes from the created object's `id`, or from the
    request's field named like the parameter (Pismo's `internal_number`). Derived, so new routes link too."""
    document = copy.deepcopy(document)
    paths = document["paths"]
    for collection, operations in paths.items():
        post = operations.get("post")
        created = next((status for status in CREATED if post and status in post["responses"]), None)
        if created is None:
            continue
        response = post["responses"][created]
        returned = _properties(document, response.get("content"))
        sent = _properties(document, (post.get("requestBody") or {}).get("content"))
        for path, targets in paths.items():
            match = re.fullmatch(re.escape(collection) + r"/\{([^}]+)\}(/.*)?", path)
            if not match:
                continue
            parameter = match.group(1)
            if "id" in returned:
                source = "$response.body#/id"
            elif parameter in sent:
                source = f"$request.body#/{parameter}"
            else:
                continue
            for method, target in targets.items():
                name = f"{method}_{path}".replace("/", "_").replace("{", "").replace("}", "").strip("_")
                response.setdefault("links", {})[name] = {
                    "operationId": target["operationId"],
                    "parameters": {parameter: source},
                }
    return document


def with_examples(document: dict[str, Any], examples: dict[str, str]) -> dict[str, Any]:
    """Path parameters named in `examples` get that value as their example: the examples phase then reaches
    real objects, while fuzzing keeps generating arbitrary ids."""
    document = copy.deepcopy(document)
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in examples:
                    parameter["example"] = examples[parameter["name"]]
    return document


@dataclass
class FuzzRun:
    returncode: int
    output: str
    seconds: float
    operations: int
    cases: int

    def summary(self) -> str:
        return f"{self.operations} operations, {self.cases} test cases, {self.seconds:.0f} s"


def run(
    api_url: str,
    token: str,
    work_dir: Path,
    *,
    max_examples: int,
    phases: str,
    examples: dict[str, str] | None = None,
    max_time: int | None = None,
    seed: str | None = None,
    workers: int = 2,
) -> FuzzRun:
    spec = work_dir / "openapi.fuzz.json"
    spec.write_text(json.dumps(with_examples(linked(json.loads(DOCUMENT.read_text())), examples or {})))
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        str(spec),
        "--url",
        api_url,
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        phases,
        "--max-examples",
        str(max_examples),
        "--workers",
        str(workers),
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(work_dir / "report"),
    ]
    if max_time:
        command += ["--max-time", str(max_time)]
    if seed:
        command += ["--seed", seed]
    started = time.monotonic()
    done = subprocess.run(
        command,
        cwd=work_dir,
        capture_output=True,
        text=True,
        env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false"},
        check=False,
    )
    output = done.stdout + done.stderr
    operations = re.search(r"Tested:\s+(\d+)", output)
    cases = re.search(r"(\d+) generated", output)
    return FuzzRun(
        done.returncode,
        output,
        time.monotonic() - started,
        int(operations.group(1)) if operations else 0,
        int(cases.group(1)) if cases else 0,
    )
