"""boto3 clients for localcloud's background work (asynchronous invokes, event sources).

They are bound to the credentials in force when the emulator starts (moto's), so a client made
later on any thread finds the same ones. The session is made on first use (its model loader is
the process's shared one, ``localcloud.shared_loader``).
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
import botocore.session
from botocore.credentials import EnvProvider


class Clients:
    def __init__(self, region: str) -> None:
        credentials = EnvProvider().load()
        if credentials is None:
            raise RuntimeError("no AWS credentials: start localcloud's fake ones first")
        self.region = region
        self._credentials = credentials.get_frozen_credentials()
        self._session: boto3.Session | None = None
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def __call__(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.region)
        with self._lock:  # a boto3 session must not create clients on two threads at once
            if key not in self._clients:
                self._clients[key] = self._shared_session().client(service, region_name=key[1])
            return self._clients[key]

    def _shared_session(self) -> boto3.Session:
        if self._session is None:
            self._session = boto3.Session(
                botocore_session=botocore.session.get_session(),
                aws_access_key_id=self._credentials.access_key,
                aws_secret_access_key=self._credentials.secret_key,
                aws_session_token=self._credentials.token,
                region_name=self.region,
            )
        return self._session
