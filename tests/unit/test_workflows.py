"""The GitHub workflows: pulumi/actions at its current major with the CLI pinned to the SDK in the
lock, the program installed by `pulumi install`, permissions per job, forks' previews skipped."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"

# pulumi/actions' current major: v7.0.0 (2026-05-01) is its newest release.
PULUMI_ACTIONS = "pulumi/actions@v7"
AWS_CREDENTIALS = "aws-actions/configure-aws-credentials@"
SAME_REPOSITORY = "github.event.pull_request.head.repo.full_name == github.repository"
FROM_A_FORK = "github.event.pull_request.head.repo.full_name != github.repository"


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def locked_pulumi_version() -> str:
    match = re.search(r"^pulumi==(\S+)", (ROOT / "requirements.lock").read_text(), re.MULTILINE)
    assert match
    return match[1]


def uses(step: dict[str, Any]) -> str:
    return str(step.get("uses", ""))


def runs(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) for step in job["steps"])


def talks_to_aws(job: dict[str, Any]) -> bool:
    return any(uses(step).startswith(AWS_CREDENTIALS) for step in job["steps"])


def pulumi_commands(job: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        step
        for step in job["steps"]
        if uses(step).startswith("pulumi/actions@") and step.get("with", {}).get("command")
    ]


ALL = ["preview.yml", "up.yml"]


@pytest.mark.parametrize("name", ALL)
def test_pulumi_actions_at_its_current_major_with_the_cli_pinned_to_the_locked_sdk(name):
    steps = [step for job in load(name)["jobs"].values() for step in job["steps"]]
    pulumi_steps = [step for step in steps if uses(step).startswith("pulumi/actions@")]
    assert pulumi_steps
    for step in pulumi_steps:
        assert uses(step) == PULUMI_ACTIONS
        assert str(step["with"]["pulumi-version"]) == locked_pulumi_version()


@pytest.mark.parametrize("name", ALL)
def test_permissions_are_granted_per_job_and_only_the_aws_job_gets_an_oidc_token(name):
    workflow = load(name)
    assert workflow["permissions"] == {}  # nothing at the workflow's level
    for job_name, job in workflow["jobs"].items():
        assert "permissions" in job, f"{job_name} states its permissions"
        permissions = job["permissions"]
        assert (permissions.get("id-token") == "write") == talks_to_aws(job), job_name
        assert set(permissions.values()) <= {"read", "write"}, job_name
        assert permissions.get("contents", "read") == "read", job_name
        # Writing to the pull request only where none of its code runs and no secret is read.
        if permissions.get("pull-requests") == "write":
            assert "gh pr comment" in runs(job), job_name
            assert not talks_to_aws(job), job_name
            assert not any(uses(step).startswith("actions/checkout@") for step in job["steps"])
            assert "secrets." not in yaml.safe_dump(job), job_name
        else:
            assert "pull-requests" not in permissions, job_name


@pytest.mark.parametrize("name", ALL)
def test_the_program_is_installed_by_pulumi_install_and_runs_under_the_policy_pack(name):
    jobs = [job for job in load(name)["jobs"].values() if pulumi_commands(job)]
    assert jobs
    for job in jobs:
        steps = job["steps"]
        install = next(i for i, step in enumerate(steps) if step.get("run") == "pulumi install")
        command = steps.index(pulumi_commands(job)[0])
        assert install < command
        assert any(
            step.get("run") == "pulumi install" and step.get("working-directory") == "policy"
            for step in steps[:command]
        )
        assert "./dev" not in runs(job)
        for step in pulumi_commands(job):
            assert step["with"]["policyPacks"] == "policy"
        for stack in job["strategy"]["matrix"]["stack"]:
            assert (ROOT / f"Pulumi.{stack}.yaml").exists(), stack
    assert (ROOT / "policy" / "PulumiPolicy.yaml").exists()


def test_previews_of_pull_requests_from_forks_are_skipped_with_a_notice():
    jobs = load("preview.yml")["jobs"]
    for job_name, job in jobs.items():
        needs_secrets = talks_to_aws(job) or "secrets." in yaml.safe_dump(job)
        writes = job["permissions"].get("pull-requests") == "write"
        if needs_secrets or writes:
            assert SAME_REPOSITORY in job.get("if", ""), job_name
    preview = jobs["preview"]
    assert [step["with"]["command"] for step in pulumi_commands(preview)] == ["preview"]

    notices = [job for job in jobs.values() if job.get("if") == FROM_A_FORK]
    assert len(notices) == 1
    assert notices[0]["permissions"] == {}
    assert "::notice" in runs(notices[0])


def test_deploys_run_one_stack_at_a_time_in_the_stacks_environment():
    up = load("up.yml")
    job = up["jobs"]["up"]
    assert [step["with"]["command"] for step in pulumi_commands(job)] == ["up"]
    # The deploy role trusts repo:<owner>/<repo>:environment:<stack> (README).
    assert job["environment"] == "${{ matrix.stack }}"
    assert job["strategy"]["max-parallel"] == 1
    assert up["concurrency"]["cancel-in-progress"] is False
