"""``./dev up`` as a developer uses it: a separate process serving the deployed stack, driven with
the real aws CLI and awscurl through the printed endpoint and credentials, and stopped by SIGTERM
with nothing left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from localcloud.principals import Principal
from localcloud.sigv4 import sign

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


class Up:
    def __init__(self, process: subprocess.Popen[str], info: dict[str, Any], tmp: Path) -> None:
        self.process = process
        self.info = info
        self.tmp = tmp
        self.outputs: dict[str, Any] = info["outputs"]

    @property
    def environment(self) -> dict[str, str]:
        """A shell configured as `up` tells the developer to configure it."""
        clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        return {
            **clean,
            "AWS_ENDPOINT_URL": self.info["endpoint"],
            "AWS_REGION": self.info["region"],
            "AWS_DEFAULT_REGION": self.info["region"],
            "AWS_ACCESS_KEY_ID": self.info["accessKeyId"],
            "AWS_SECRET_ACCESS_KEY": self.info["secretAccessKey"],
            # No profile or config of the machine's user may change what is tested.
            "AWS_CONFIG_FILE": str(self.tmp / "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.tmp / "no-credentials"),
        }

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, env=self.environment, capture_output=True, text=True, timeout=60, check=False
        )

    def aws(self, *arguments: str) -> Any:
        """The aws CLI's JSON answer; fails the test on a non-zero exit."""
        done = self.run(str(BIN / "aws"), *arguments, "--output", "json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else None

    def client(self, service: str) -> Any:
        """boto3 through the endpoint, for polling (the CLI costs a process per call)."""
        return boto3.session.Session(
            aws_access_key_id=self.info["accessKeyId"],
            aws_secret_access_key=self.info["secretAccessKey"],
            region_name=self.info["region"],
        ).client(service, endpoint_url=self.info["endpoint"])

    def invoke(self, function: str, payload: dict[str, Any], *extra: str) -> tuple[Any, Any]:
        answer_file = self.tmp / f"answer-{time.monotonic_ns()}.json"
        status = self.aws(
            "lambda",
            "invoke",
            "--function-name",
            function,
            "--payload",
            json.dumps(payload),
            *extra,
            str(answer_file),
        )
        text = answer_file.read_text() if answer_file.exists() else ""
        return status, json.loads(text) if text else None


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    tmp = tmp_path_factory.mktemp("up")
    info_file = tmp / "info.json"
    process_tmp = tmp / "process-tmp"
    process_tmp.mkdir()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    # A file, not a pipe: the functions' logs would fill a pipe nobody reads and block `up`.
    log = (tmp / "up.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "localcloud", "up", "--info-file", str(info_file)],
        cwd=ROOT,
        env={**environment, "TMPDIR": str(process_tmp)},
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 90
    while not info_file.exists():
        assert process.poll() is None, (tmp / "up.log").read_text()
        assert time.monotonic() < deadline, "up did not write its info file in 90 s"
        time.sleep(0.1)
    serving = Up(process, json.loads(info_file.read_text()), tmp)
    try:
        yield serving
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()


def test_up_prints_a_line_per_system_the_endpoint_and_the_credentials(up):
    assert set(up.info) == {
        "endpoint",
        "region",
        "accessKeyId",
        "secretAccessKey",
        "frontDoor",
        "outputs",
    }
    assert up.info["endpoint"].startswith("http://127.0.0.1:")
    assert up.info["accessKeyId"] == "AKIALOCALCLOUD000000"
    printed = (up.tmp / "up.log").read_text().splitlines()
    systems = [
        line.split(":")[0].strip() for line in printed if line.startswith("  ") and "(" in line
    ]
    assert systems == [
        "account-applications (AccountApplications)",
        "api-workflow (ApiWorkflow)",
        "loan-mock-apis (MockApis)",
        "loan-processor (LoanProcessor)",
        "operations (Operations)",
        "order-processing (OrderProcessing)",
        "task-tracker (TaskTracker)",
    ]
    assert f"  export AWS_ENDPOINT_URL={up.info['endpoint']}" in printed
    assert "  export AWS_ACCESS_KEY_ID=AKIALOCALCLOUD000000" in printed
    assert len(printed) < 60  # a summary, not a line per resource


def test_the_cli_invokes_the_task_tracker_starter_and_lists_its_execution(up):
    status, started = up.invoke(up.outputs["taskTrackerFunctionName"], {"taskId": "cli"})

    assert status["StatusCode"] == 200
    assert (started["taskId"], started["status"]) == ("cli", "RUNNING")
    listed = up.aws(
        "stepfunctions",
        "list-executions",
        "--state-machine-arn",
        up.outputs["taskTrackerStateMachineArn"],
    )
    assert started["executionArn"] in [e["executionArn"] for e in listed["executions"]]
    items = up.aws("dynamodb", "scan", "--table-name", up.outputs["tasksTableName"])["Items"]
    assert {"S": "cli"} in [item["taskId"] for item in items]


def test_an_event_invoke_is_accepted_then_run(up):
    status, _ = up.invoke(
        up.outputs["taskTrackerFunctionName"], {"taskId": "later"}, "--invocation-type", "Event"
    )

    assert status["StatusCode"] == 202
    states = up.client("stepfunctions")
    deadline = time.monotonic() + 30
    while True:
        names = [
            e["name"]
            for e in states.list_executions(
                stateMachineArn=up.outputs["taskTrackerStateMachineArn"]
            )["executions"]
        ]
        if any(name.startswith("later-") for name in names):
            return
        assert time.monotonic() < deadline, names
        time.sleep(0.1)


def test_the_cli_starts_a_loan_application_and_reads_its_record_as_the_readme_says(up):
    application = {"input": {"firstName": "Ada", "lastName": "Lovelace", "postcode": "W1 1AA"}}
    status, _ = up.invoke(
        up.outputs["loanProcessorInputFunctionName"],
        application,
        "--invocation-type",
        "Event",
    )
    assert status["StatusCode"] == 202

    received = up.aws(
        "sqs",
        "receive-message",
        "--endpoint-url",
        up.info["endpoint"],
        "--queue-url",
        up.outputs["loanProcessorOutputQueueUrl"],
        "--wait-time-seconds",
        "20",
    )
    (message,) = received["Messages"]
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "Success"
    assert record["responsePayload"]["input"] == application["input"]
    assert set(record["responsePayload"]) == {
        "input",
        "correlationId",
        "identityCheck",
        "creditReference",
    }


def test_the_cli_submits_and_reviews_an_application(up):
    _, application = up.invoke(
        up.outputs["submitApplicationFunctionName"],
        {"name": "evil Spock", "address": "123 Enterprise Street"},
    )
    assert application["state"] == "SUBMITTED"
    table = up.client("dynamodb")
    deadline = time.monotonic() + 30
    while (
        table.get_item(
            TableName=up.outputs["accountApplicationsTableName"],
            Key={"id": {"S": application["id"]}},
        )["Item"]["state"]["S"]
        != "FLAGGED_FOR_REVIEW"
    ):
        assert time.monotonic() < deadline
        time.sleep(0.1)

    _, reviewed = up.invoke(
        up.outputs["reviewApplicationFunctionName"],
        {"id": application["id"], "decision": "APPROVE"},
    )

    assert reviewed["state"] == "REVIEW_APPROVED"
    found = up.aws(
        "dynamodb",
        "get-item",
        "--table-name",
        up.outputs["accountApplicationsTableName"],
        "--key",
        json.dumps({"id": {"S": application["id"]}}),
    )
    assert found["Item"]["state"]["S"] in {"REVIEW_APPROVED", "APPROVED"}


def test_awscurl_posts_a_signed_item_to_the_api_workflow(up):
    done = up.run(
        str(BIN / "awscurl"),
        "--service",
        "execute-api",
        "-X",
        "POST",
        "-d",
        json.dumps({"id": "from-awscurl"}),
        up.outputs["apiWorkflowUrl"],
    )

    assert done.returncode == 0, done.stderr
    started = json.loads(done.stdout)
    execution = up.client("stepfunctions").describe_execution(executionArn=started["executionArn"])
    assert execution["stateMachineArn"] == up.outputs["apiWorkflowStateMachineArn"]


def test_awscurl_signing_for_another_region_is_refused(up):
    done = up.run(
        str(BIN / "awscurl"),
        "--service",
        "execute-api",
        "--region",
        "eu-west-1",
        "-X",
        "POST",
        "-d",
        json.dumps({"id": "elsewhere"}),
        up.outputs["apiWorkflowUrl"],
    )

    assert json.loads(done.stdout) == {
        "message": "Credential should be scoped to a valid region, not 'eu-west-1'. "
    }


def test_an_expired_signature_is_refused(up):
    url = up.outputs["apiWorkflowUrl"]
    body = json.dumps({"id": "late"}).encode()
    principal = Principal(up.info["accessKeyId"], up.info["secretAccessKey"], "root")
    headers = sign(
        "POST",
        url,
        body,
        region=up.info["region"],
        principal=principal,
        at=datetime(2020, 1, 1, tzinfo=UTC),
    )

    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)

    assert refused.value.code == 403
    assert json.loads(refused.value.read())["message"].startswith(
        "Signature expired: 20200101T000000Z is now earlier than"
    )


def test_sigterm_stops_up_cleanly_and_leaves_nothing_behind(up):
    up.process.send_signal(signal.SIGTERM)

    assert up.process.wait(timeout=60) == 0
    assert not (up.tmp / "info.json").exists()
    assert list((up.tmp / "process-tmp").iterdir()) == []
