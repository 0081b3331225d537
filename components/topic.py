"""Topic: an encrypted SNS topic for notifications, with an e-mail subscription when one is set.

The topic keeps the policy SNS gives a new topic (only this account may use it): no topic policy
is added, so nothing outside the account can publish or subscribe. Publishers are granted
``sns:Publish`` on this topic alone by their own roles (a state machine's is derived from its
definition). Messages are encrypted at rest with the AWS-managed key for SNS, whose key policy lets
this account's principals use it through SNS, so publishers need no KMS grant of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

AWS_MANAGED_SNS_KEY = "alias/aws/sns"


def email_subscription(
    name: str, topic: aws.sns.Topic, email: str, parent: pulumi.Resource
) -> aws.sns.TopicSubscription | None:
    """``{name}-email``: ``email`` subscribed to ``topic`` (it must confirm); None without one."""
    if not email:
        return None
    return aws.sns.TopicSubscription(
        f"{name}-email",
        topic=topic.arn,
        protocol="email",
        endpoint=email,
        opts=pulumi.ResourceOptions(parent=parent),
    )


@dataclass
class TopicArgs:
    email: str = ""
    """An address to subscribe (it must confirm the subscription); empty for none."""


class Topic(pulumi.ComponentResource):
    topic: aws.sns.Topic
    subscription: aws.sns.TopicSubscription | None
    arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: TopicArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("serverless-workflows:topic:Topic", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.topic = aws.sns.Topic(
            f"{name}-topic", kms_master_key_id=AWS_MANAGED_SNS_KEY, opts=child
        )
        self.subscription = email_subscription(name, self.topic, args.email, self)
        self.arn = self.topic.arn
        self.register_outputs({"arn": self.arn})
