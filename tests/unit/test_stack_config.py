"""The runner gives the program the configuration the Pulumi CLI would."""

from pathlib import Path

import pytest
import yaml

from localcloud.program import stack_config

PROJECT_DIR = Path(__file__).resolve().parents[2]


def test_project_defaults_are_overlaid_by_the_stack_file_then_by_overrides():
    config = stack_config("dev", {"apiAuthorization": "NONE"}, PROJECT_DIR)

    assert config["serverless-workflows:tracing"] == "true"  # Pulumi.yaml default
    assert config["serverless-workflows:logRetentionDays"] == "7"  # Pulumi.dev.yaml
    assert config["serverless-workflows:apiAuthorization"] == "NONE"  # override
    assert config["aws:region"] == "us-east-1"


def test_every_declared_key_has_a_description_and_a_default():
    declared = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())["config"]
    for key, declaration in declared.items():
        assert declaration.get("description"), key
        assert "default" in declaration, key


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_files_only_set_declared_keys(stack):
    declared = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())["config"]
    stack_keys = yaml.safe_load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text())["config"]
    for key in stack_keys:
        namespace, _, name = key.partition(":")
        assert namespace != "serverless-workflows" or name in declared, key
