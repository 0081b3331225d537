"""The cold-start benchmark (benchmarks/cold_start.py) measures the program's own functions: the
zip of each one's archive, and an import of its handler module in a worker-like process."""

from __future__ import annotations

import io
import json
import zipfile

from benchmarks.cold_start import Figures, deployed_functions, measure_function, report
from localcloud.recording import deploy_with_mocks

PUT_FUNCTION = "api-workflow-put-function"


def test_one_function_is_measured_from_the_archive_and_handler_the_program_gives_it(tmp_path):
    deployment = deploy_with_mocks("dev")
    [put] = [f for f in deployed_functions(deployment) if f.name == PUT_FUNCTION]

    figures = measure_function(put, tmp_path, repeats=1)

    [zip_on_disk] = tmp_path.rglob("*.zip")
    with zipfile.ZipFile(zip_on_disk) as archive:
        carried = set(archive.namelist())
    assert figures["function"] == "api-workflow-put-function"
    assert figures["handler"] == "put_item.app.handler"
    assert figures["handler"] == deployment.named(PUT_FUNCTION).inputs["handler"]
    assert figures["archive_bytes"] > 0
    assert figures["archive_bytes"] == zip_on_disk.stat().st_size
    assert {"put_item/app.py", "lambda_support/lazy.py"} <= carried
    assert figures["import_ms"]["n"] == 1
    assert figures["import_ms"]["median"] > 0
    assert json.loads(json.dumps(figures)) == figures


def test_the_report_has_a_line_per_function_and_names_the_slowest_module():
    figures: Figures = {
        "functions": [
            {
                "function": "order-processing-intake-function",
                "handler": "order_intake.app.handler",
                "import_ms": {"median": 250.0, "min": 240.0, "max": 270.0, "n": 3},
                "archive_bytes": 13_824,
            },
            {
                "function": "account-applications-data-checking-function",
                "handler": "data_checking.app.handler",
                "import_ms": {"median": 56.0, "min": 52.0, "max": 57.0, "n": 3},
                "archive_bytes": 2_048,
            },
        ],
        "slowest": {
            "function": "order-processing-intake-function",
            "module": "order_intake.app",
            "import_ms_median": 250.0,
        },
    }
    out = io.StringIO()

    report(figures, out)

    _title, intake, data_checking, last = out.getvalue().splitlines()
    assert intake.startswith("order-processing-intake-function ")
    for shown in ("250.0 ms", "240.0", "270.0", "n=3", "13.5 KB"):
        assert shown in intake
    assert data_checking.startswith("account-applications-data-checking-function ")
    assert "2.0 KB" in data_checking
    assert (
        last
        == "slowest module: order_intake.app (order-processing-intake-function), median 250.0 ms"
    )
