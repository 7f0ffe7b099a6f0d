"""docs/configuration.md is generated from the settings class: it must be current and complete."""

import importlib.util
import re
from pathlib import Path

from referral_service.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "configuration.md"


def _generator():
    spec = importlib.util.spec_from_file_location("generate_config_doc", ROOT / "scripts" / "generate_config_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_configuration_doc_is_what_the_generator_writes():
    assert DOC.read_text("utf-8") == _generator().render(), (
        "docs/configuration.md is out of date with referral_service.config.Settings; "
        "run `python3 scripts/generate_config_doc.py` (inside .venv) and commit the result."
    )


def test_every_setting_is_documented_with_its_variable():
    generator = _generator()
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", DOC.read_text("utf-8"), flags=re.M))
    missing = [
        generator.env_name(name, field)
        for name, field in Settings.model_fields.items()
        if generator.env_name(name, field) not in documented
    ]
    assert not missing, f"settings missing from docs/configuration.md: {missing}"


def test_every_setting_has_a_description():
    undocumented = [name for name, field in Settings.model_fields.items() if not (field.description or "").strip()]
    assert not undocumented, (
        f"give these Settings fields a Field(description=...), then regenerate docs/configuration.md: {undocumented}"
    )
