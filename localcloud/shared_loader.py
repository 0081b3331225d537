"""One botocore model loader per process instead of one per session.

botocore gives every Session a loader of its own, and each loader parses again the JSON models
it is asked for. A deploy makes many sessions (boto3's default one, moto's, localcloud's clients,
the endpoint's request reader), so it parsed endpoints.json five times and Lambda's model seven,
about a second of the demo. Loaded models are only read, so sessions with the same data path can
share one loader.
"""

from __future__ import annotations

import functools
from typing import Any

import botocore.loaders
import botocore.session

_create_loader = botocore.loaders.create_loader


@functools.cache
def _shared_loader(search_path_string: str | None = None) -> Any:
    return _create_loader(search_path_string)


def share_loaders() -> None:
    """Make every botocore session created from now on use the process's shared loader."""
    botocore.session.create_loader = _shared_loader
