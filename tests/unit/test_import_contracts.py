"""The import contracts of pyproject.toml (``[tool.importlinter]``) hold, each one a test so a
broken contract names itself and the import that breaks it."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
CONTRACTS = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["tool"]["importlinter"][
    "contracts"
]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda contract: contract["id"])
def test_the_import_contract_is_kept(contract):
    checked = subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--no-logo", "--contract", contract["id"]],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr
