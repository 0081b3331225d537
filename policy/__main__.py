"""The policy pack: every rule of ``rules``, mandatory (a violation fails the preview or update).

The CLI runs this file with this directory on ``sys.path``; constructing the PolicyPack starts its
gRPC server and serves the engine until the CLI stops it.
"""

from pulumi_policy import EnforcementLevel, PolicyPack
from rules import PACK_NAME, POLICIES

PolicyPack(
    name=PACK_NAME,
    policies=POLICIES,
    enforcement_level=EnforcementLevel.MANDATORY,
    description=(
        "The rules of the house for serverless-workflows stacks: least-privilege IAM, encryption, "
        "dead-letter queues, failure destinations, logging and tracing, log retention, protected "
        "production tables."
    ),
)
