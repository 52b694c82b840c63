"""The subscriber example's payload module (examples/subscriber/src/financing_events.py), loaded for tests."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "subscriber"


def payload_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "subscriber_example_events", EXAMPLE / "src" / "financing_events.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve the module's annotations through sys.modules
    spec.loader.exec_module(module)
    return module
