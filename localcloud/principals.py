"""Who a signed request comes from: localcloud's fixed credentials, or a role's.

A caller outside localcloud (boto3, the aws CLI, awscurl) signs with the fixed local credentials,
which stand for the account's root user and may do anything, as on a fresh account. Code that
runs as a role (a Lambda function's worker) signs with credentials localcloud issues for that
role, so every call it makes can be checked against the role's policies. Role credentials are
issued per run: their secret exists only in the memory of this process and of the workers it
starts.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass

# Fixed so that `up` can print them and the README can name them; like any emulator's test keys
# they protect nothing outside this machine's loopback interface.
LOCAL_ACCESS_KEY_ID = "AKIALOCALCLOUD000000"
LOCAL_SECRET_ACCESS_KEY = "localcloud/secret/for/127.0.0.1/only"


@dataclass(frozen=True)
class Principal:
    access_key_id: str
    secret_access_key: str
    arn: str
    """The IAM identity the request acts as (``...:root`` or an assumed role's role ARN)."""
    role_arn: str | None = None
    """Whose policies decide what it may do; None for the account's root user (everything)."""
    session_token: str | None = None
    """Temporary credentials (a role's) come with one, and a request must carry it."""

    @property
    def environment(self) -> dict[str, str]:
        """The variables an SDK reads these credentials from (Lambda sets all three for a
        function's role: "Defined runtime environment variables")."""
        variables = {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
        }
        if self.session_token is not None:
            variables["AWS_SESSION_TOKEN"] = self.session_token
        return variables


class Principals:
    """The credentials localcloud accepts, by access key id."""

    def __init__(self, account_id: str, partition: str = "aws") -> None:
        self.account_id = account_id
        self.root = Principal(
            LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY, f"arn:{partition}:iam::{account_id}:root"
        )
        self._by_key = {self.root.access_key_id: self.root}
        self._by_role: dict[str, Principal] = {}
        self._lock = threading.Lock()

    def find(self, access_key_id: str) -> Principal | None:
        return self._by_key.get(access_key_id)

    def for_role(self, role_arn: str) -> Principal:
        """Credentials that act as ``role_arn`` (the same ones for the life of this cloud)."""
        with self._lock:
            if role_arn not in self._by_role:
                # ASIA: the prefix AWS gives temporary (assumed-role) access keys.
                digest = hashlib.sha256(role_arn.encode()).hexdigest().upper()
                principal = Principal(
                    f"ASIA{digest[:16]}",
                    secrets.token_urlsafe(30),
                    role_arn,
                    role_arn,
                    session_token=secrets.token_urlsafe(48),
                )
                self._by_role[role_arn] = principal
                self._by_key[principal.access_key_id] = principal
            return self._by_role[role_arn]
