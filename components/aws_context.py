"""Where the program deploys: partition, region and account, as one Output."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.asl_policy import ArnContext


def arn_context() -> pulumi.Output[ArnContext]:
    """The deployment's partition, region and account, for building ARNs from names."""
    return pulumi.Output.all(
        aws.get_partition_output().partition,
        aws.get_region_output().region,
        aws.get_caller_identity_output().account_id,
    ).apply(lambda values: ArnContext(*values))
