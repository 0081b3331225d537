"""The in-process Lambda runtime (the emulator's default until handlers reach AWS over HTTP):
functions run in localcloud's own process from their deployed archives."""

import os

import boto3

from tests.localcloud.conftest import invoke, make_function


def test_given_a_function_when_invoked_then_it_runs_its_archive_with_its_environment(aws):
    make_function(
        "greeter",
        {
            "main.py": """
            import os
            def handler(event, context):
                return {"greeting": f"{os.environ['GREETING']}, {event['name']}",
                        "function": context.function_name, "region": os.environ["AWS_REGION"]}
        """
        },
        environment={"GREETING": "hello"},
    )

    response, payload = invoke("greeter", {"name": "ada"})

    assert "FunctionError" not in response
    assert payload == {"greeting": "hello, ada", "function": "greeter", "region": "us-east-1"}


def test_given_a_raised_exception_when_invoked_then_error_type_is_the_class_name(aws):
    make_function(
        "checker",
        {
            "main.py": """
            class UnprocessableDataException(Exception):
                pass
            def handler(event, context):
                raise UnprocessableDataException("name is UNPROCESSABLE_DATA")
        """
        },
    )

    response, payload = invoke("checker", {})

    assert response["FunctionError"]
    assert payload["errorType"] == "UnprocessableDataException"
    assert payload["errorMessage"] == "name is UNPROCESSABLE_DATA"
    assert payload["stackTrace"]


def test_two_functions_with_same_named_modules_do_not_see_each_other(aws):
    # Given two functions that both ship a module called `config` with different contents
    for name, colour in (("red", "RED"), ("blue", "BLUE")):
        make_function(
            name,
            {
                "config.py": f"COLOUR = {colour!r}\nCALLS = []\n",
                "main.py": """
                    import config
                    def handler(event, context):
                        config.CALLS.append(event)
                        return {"colour": config.COLOUR, "calls": len(config.CALLS)}
                """,
            },
        )

    # When they are invoked in turn
    results = [invoke(name, {})[1] for name in ("red", "blue", "red", "red", "blue")]

    # Then each sees only its own module, and its module state stays warm between invocations
    assert results == [
        {"colour": "RED", "calls": 1},
        {"colour": "BLUE", "calls": 1},
        {"colour": "RED", "calls": 2},
        {"colour": "RED", "calls": 3},
        {"colour": "BLUE", "calls": 2},
    ]


def test_environment_variables_do_not_leak_between_functions_or_out_of_the_invocation(aws):
    make_function(
        "with-env",
        {"main.py": "import os\ndef handler(e, c):\n    return os.environ.get('SECRET_NAME')\n"},
        environment={"SECRET_NAME": "only-mine"},
    )
    make_function(
        "without-env",
        {"main.py": "import os\ndef handler(e, c):\n    return os.environ.get('SECRET_NAME')\n"},
    )

    assert invoke("with-env", {})[1] == "only-mine"
    assert invoke("without-env", {})[1] is None
    assert "SECRET_NAME" not in os.environ


def test_a_missing_module_is_an_import_error_as_on_aws(aws):
    make_function("broken", {"main.py": "import not_shipped\n"})

    response, payload = invoke("broken", {})

    assert response["FunctionError"]
    assert payload["errorType"] == "Runtime.ImportModuleError"
    assert "not_shipped" in payload["errorMessage"]


def test_a_result_that_is_not_json_is_a_marshal_error(aws):
    make_function("sets", {"main.py": "def handler(e, c):\n    return {1, 2}\n"})

    _, payload = invoke("sets", {})

    assert payload["errorType"] == "Runtime.MarshalError"


def test_a_function_can_call_other_services_in_the_emulator(aws):
    boto3.client("sqs").create_queue(QueueName="out")
    make_function(
        "sender",
        {
            "main.py": """
            import boto3
            def handler(event, context):
                url = boto3.client("sqs").get_queue_url(QueueName="out")["QueueUrl"]
                boto3.client("sqs").send_message(QueueUrl=url, MessageBody=event["text"])
                return "sent"
        """
        },
    )

    invoke("sender", {"text": "hi"})

    url = boto3.client("sqs").get_queue_url(QueueName="out")["QueueUrl"]
    messages = boto3.client("sqs").receive_message(QueueUrl=url)["Messages"]
    assert [m["Body"] for m in messages] == ["hi"]


def test_a_function_over_its_timeout_reports_a_timeout(aws):
    make_function(
        "slow",
        {"main.py": "import time\ndef handler(e, c):\n    time.sleep(1.2)\n    return 1\n"},
        timeout=1,
    )

    response, payload = invoke("slow", {})

    assert response["FunctionError"]
    assert payload["errorType"] == "Sandbox.Timedout"
