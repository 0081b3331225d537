"""The AWS errors a function tells apart, by the code the service gives them.

boto3 raises one ClientError for every refusal; what to do (retry, accept, raise a named error)
depends on its code alone.
"""

from __future__ import annotations

from botocore.exceptions import ClientError


def error_code(error: ClientError) -> str:
    """The service's error code, e.g. ``ConditionalCheckFailedException``."""
    return str(error.response.get("Error", {}).get("Code", ""))
