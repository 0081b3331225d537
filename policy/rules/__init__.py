"""The rules of the house, one pulumi-policy policy each (see each module for how it reads the
resources). Constructing them starts nothing; ``__main__.py`` serves them as a policy pack."""

from __future__ import annotations

from pulumi_policy import Policy

from .async_invocations import ASYNC_FUNCTIONS_HAVE_FAILURE_DESTINATIONS
from .encryption import QUEUES_ENCRYPTED, TOPICS_ENCRYPTED
from .event_sources import SQS_CONSUMERS_HAVE_DEAD_LETTERS_AND_TIME
from .iam import DOCUMENTED_WILDCARD_RESOURCES, NO_PUBLIC_PRINCIPALS, NO_WILDCARD_ACTIONS
from .observability import LOG_GROUPS_HAVE_RETENTION, STATE_MACHINES_LOG_AND_TRACE
from .tables import PRODUCTION_TABLES_PROTECTED

PACK_NAME = "serverless-workflows"

POLICIES: list[Policy] = [
    NO_WILDCARD_ACTIONS,
    NO_PUBLIC_PRINCIPALS,
    DOCUMENTED_WILDCARD_RESOURCES,
    QUEUES_ENCRYPTED,
    TOPICS_ENCRYPTED,
    SQS_CONSUMERS_HAVE_DEAD_LETTERS_AND_TIME,
    ASYNC_FUNCTIONS_HAVE_FAILURE_DESTINATIONS,
    STATE_MACHINES_LOG_AND_TRACE,
    LOG_GROUPS_HAVE_RETENTION,
    PRODUCTION_TABLES_PROTECTED,
]
