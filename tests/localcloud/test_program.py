"""localcloud runs any Pulumi Python program from its directory, as the Pulumi CLI would; here a
small one that is not this project's."""

import textwrap

import pytest

from localcloud import deploy
from localcloud.program import ProgramError, find_program_dir
from localcloud.recording import deploy_with_mocks

PROGRAM = {
    "Pulumi.yaml": """
        name: tiny
        runtime:
          name: python
        config:
          greeting:
            type: string
            default: hello
    """,
    "Pulumi.dev.yaml": """
        config:
          aws:region: eu-west-1
          tiny:greeting: hi
    """,
    "__main__.py": """
        from pathlib import Path

        import pulumi
        import pulumi_aws as aws

        table = aws.dynamodb.Table(
            "notes",
            attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
            hash_key="id",
            billing_mode="PAY_PER_REQUEST",
        )
        pulumi.export("tableArn", table.arn)
        pulumi.export("tableName", table.name)
        pulumi.export("greeting", pulumi.Config().require("greeting"))
        # Relative to the program's directory, where the CLI runs it.
        pulumi.export("note", Path("note.txt").read_text())
    """,
    "note.txt": "read from the program's directory",
}


@pytest.fixture
def program(tmp_path):
    for name, text in PROGRAM.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip())
    (tmp_path / "sub").mkdir()
    return tmp_path


def test_given_a_program_directory_then_its_main_runs_with_its_stack_config(program):
    deployment = deploy_with_mocks("dev", program_dir=program)

    assert deployment.outputs["tableArn"].startswith("arn:aws:dynamodb:eu-west-1:")
    assert deployment.outputs["greeting"] == "hi"  # Pulumi.dev.yaml over Pulumi.yaml
    assert deployment.outputs["note"] == "read from the program's directory"


def test_given_no_directory_then_the_program_is_found_from_the_working_directory(
    program, monkeypatch
):
    monkeypatch.chdir(program / "sub")

    assert find_program_dir() == program.resolve()
    assert deploy_with_mocks("dev", {"greeting": "hey"}).outputs["greeting"] == "hey"


def test_given_a_directory_without_a_program_then_a_named_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # tmp_path is outside this repository

    with pytest.raises(ProgramError, match=r"no Pulumi\.yaml in"):
        find_program_dir()


def test_given_a_program_in_another_language_then_a_named_error(program):
    (program / "Pulumi.yaml").write_text("name: tiny\nruntime: nodejs\n")

    with pytest.raises(ProgramError, match="runtime 'nodejs', not python"):
        deploy_with_mocks("dev", program_dir=program)


def test_given_a_program_directory_then_localcloud_deploys_and_serves_it(program):
    with deploy("dev", program_dir=program) as cloud:
        table = cloud.client("dynamodb").describe_table(TableName=cloud.outputs["tableName"])

        assert table["Table"]["TableArn"] == cloud.outputs["tableArn"]
        assert cloud.region == "eu-west-1"
