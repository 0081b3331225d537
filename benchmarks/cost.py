"""Cost per business transaction, per flow: each flow's transactions run in localcloud, counted
from what they did (``localcloud.usage`` records, execution histories) and priced per million
transactions; beside each, the seed's original design counted the same way (``seed_designs``).

Each flow runs once unmeasured first, so that cold starts (billed as init duration, and rare at
steady load) do not count; then ``transactions`` times, metered.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TextIO

from benchmarks.flows import FLOWS, Flow, ThirdParties
from benchmarks.metering import (
    Quantities,
    express_execution,
    record_quantities,
    standard_execution,
    total,
)
from benchmarks.pricing import PRICES, cost
from benchmarks.seed_designs import SEED_DESIGNS, Measured
from localcloud import LocalCloud, deploy
from localcloud.usage import Usage

# Unthrottled APIs: the bench's clients are not the traffic the limits are set for.
BENCH_CONFIG = {"apiThrottlingRateLimit": 10_000, "apiThrottlingBurstLimit": 10_000}
PER_MILLION = 1_000_000


def program_name(physical_name: str) -> str:
    """``api-workflow-put-function-3acd761`` -> ``api-workflow-put-function`` (the name in the
    program, before the suffix the deploy adds)."""
    return physical_name.rsplit("-", 1)[0]


def _third_party(record: Usage, third: ThirdParties) -> bool:
    details = record.details
    return details.get("function") in third.functions or details.get("api_id") in third.api_ids


def _started_executions(records: Iterable[Usage]) -> list[str]:
    return [
        record.details["response"]["executionArn"]
        for record in records
        if record.kind == "aws-call"
        and record.details["operation"] in ("StartExecution", "StartSyncExecution")
        and record.details["status"] == 200
    ]


def _execution_quantities(cloud: LocalCloud, execution_arn: str) -> Quantities:
    sfn = cloud.client("stepfunctions")
    execution = sfn.describe_execution(executionArn=execution_arn)
    machine = sfn.describe_state_machine(stateMachineArn=execution["stateMachineArn"])
    if machine["type"] == "EXPRESS":
        elapsed = execution["stopDate"] - execution["startDate"]
        # Express memory is billed in 64 MB steps from the definition's and payloads' size;
        # this project's are a few KB, within the first step.
        return express_execution(elapsed.total_seconds() * 1000, memory_mb=64)
    return standard_execution(cloud.history(execution_arn))


def _run(cloud: LocalCloud, flow: Flow, transactions: int) -> list[Usage]:
    """The flow's transactions' records: after one unmeasured run, ``transactions`` runs with
    ``flow.clients`` at once, and everything they set off settled."""
    flow.prepare(cloud)
    flow.run(cloud)
    cloud.settle()
    with cloud.usage.window() as records, ThreadPoolExecutor(flow.clients) as pool:
        list(pool.map(lambda _: flow.run(cloud), range(transactions)))
        cloud.settle()
    return records


def _per_transaction(quantities: Quantities, transactions: int) -> Quantities:
    return Counter({kind: amount / transactions for kind, amount in quantities.items()})


def measure_flow(cloud: LocalCloud, flow: Flow, transactions: int) -> dict[str, Any]:
    records = _run(cloud, flow, transactions)
    with cloud.usage.unmetered():
        third = flow.third_parties(cloud)
        executions = [_execution_quantities(cloud, arn) for arn in _started_executions(records)]
    own = [record for record in records if not _third_party(record, third)]
    quantities = total([*(record_quantities(record) for record in own), *executions])
    durations: dict[str, list[float]] = defaultdict(list)
    for record in own:
        if record.kind == "lambda-invocation":
            durations[program_name(record.details["function"])].append(
                record.details["duration_ms"]
            )
    return {
        "key": flow.key,
        "title": flow.title,
        "transactions": transactions,
        "quantities": dict(_per_transaction(quantities, transactions)),
        "invocations": {name: len(runs) / transactions for name, runs in durations.items()},
        "durations_ms": {name: sum(runs) / len(runs) for name, runs in durations.items()},
    }


def _priced(quantities: Quantities) -> dict[str, Any]:
    dollars = cost(quantities)
    return {
        "quantities": dict(quantities),
        "usd_per_million": {kind: amount * PER_MILLION for kind, amount in dollars.items()},
        "total_usd_per_million": sum(dollars.values()) * PER_MILLION,
    }


def compare_with_seeds(flows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    durations: dict[str, float] = {}
    for flow in flows:
        durations.update(flow["durations_ms"])
    measured = Measured(
        durations_ms=durations,
        per_flow={flow["key"]: Counter(flow["quantities"]) for flow in flows},
        invocations_per_flow={flow["key"]: flow["invocations"] for flow in flows},
    )
    compared = []
    for flow in flows:
        ours = _priced(Counter(flow["quantities"]))
        seed = _priced(SEED_DESIGNS[flow["key"]](measured))
        compared.append(
            {
                **flow,
                "ours": ours,
                "seed": seed,
                "ratio": ours["total_usd_per_million"] / seed["total_usd_per_million"],
            }
        )
    return compared


def measure(transactions: int = 5) -> dict[str, Any]:
    with deploy("dev", config=BENCH_CONFIG) as cloud:
        flows = [measure_flow(cloud, flow, transactions) for flow in FLOWS]
    return {
        "flows": compare_with_seeds(flows),
        "prices": {
            kind: {"usd": price.usd, "unit": price.unit, "source": price.source}
            for kind, price in PRICES.items()
        },
    }


def report(figures: dict[str, Any], out: TextIO) -> None:
    print("Cost per million transactions (us-east-1 list prices, no free tier)", file=out)
    print(f"{'flow':<62} {'this design':>12} {'seed design':>12} {'ratio':>6}", file=out)
    for flow in figures["flows"]:
        print(
            f"{flow['title']:<62} ${flow['ours']['total_usd_per_million']:>11.2f}"
            f" ${flow['seed']['total_usd_per_million']:>11.2f} {flow['ratio']:>6.2f}",
            file=out,
        )
    for flow in figures["flows"]:
        print(f"\n  {flow['title']} (n={flow['transactions']}), $ per million:", file=out)
        kinds = sorted(set(flow["ours"]["usd_per_million"]) | set(flow["seed"]["usd_per_million"]))
        for kind in kinds:
            ours, seed = _charge(flow["ours"], kind), _charge(flow["seed"], kind)
            print(f"    {kind:<28} {ours}   seed {seed}", file=out)


def _charge(design: dict[str, Any], kind: str) -> str:
    amount = design["quantities"].get(kind, 0.0)
    return f"{amount:>9.4g} -> ${design['usd_per_million'].get(kind, 0.0):>9.2f}"
