"""AWS-managed Lambda layers, provided by localcloud's own environment.

In AWS the functions get Powertools for AWS Lambda from the AWS-managed public layer (account
017000801446). moto knows no such account and rejects a function whose layer it cannot find, so
localcloud registers the layer version in moto under the same name and version, and the runtime
serves its content from the ``aws-lambda-powertools`` package installed beside localcloud (the
release pinned in requirements.lock): the in-process runtime imports it from localcloud's own
environment, a worker process finds it in the directory ``layer_path`` makes, as it would find it
in ``/opt/python`` on AWS. Any other layer fails the deploy by name.
"""

from __future__ import annotations

import base64
import io
import re
import threading
import zipfile
from pathlib import Path

from moto.awslambda.models import Layer, LayerVersion, lambda_backends

from localcloud.installed_packages import link_distributions

POWERTOOLS_ACCOUNT = "017000801446"
_MANAGED_NAME = r"AWSLambdaPowertoolsPythonV3-python3\d+-(?:arm64|x86_64)"
_MANAGED_LAYER = re.compile(
    rf"^arn:aws:lambda:(?P<region>[\w-]+):{POWERTOOLS_ACCOUNT}:layer:"
    rf"(?P<name>{_MANAGED_NAME}):(?P<version>\d+)$"
)
# moto keeps the managed layer in the function's own account (see ManagedLayers._register), so
# the ARN a function's configuration shows for it names that account.
_REGISTERED_LAYER = re.compile(rf"^arn:aws:lambda:[\w-]+:\d{{12}}:layer:{_MANAGED_NAME}:\d+$")


class UnknownLayerError(RuntimeError):
    """A function uses a layer localcloud cannot provide."""


def layer_path(arn: str, directory: Path) -> Path:
    """The managed layer's content under ``directory``: its ``python`` folder, which goes on a
    worker's import path where AWS puts ``/opt/python``. ``arn`` is the layer version as the
    function's configuration names it."""
    if not _REGISTERED_LAYER.match(arn):
        raise UnknownLayerError(f"localcloud cannot provide the layer {arn}")
    return link_distributions(["aws-lambda-powertools"], directory / "python")


def _marker_zip() -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("python/LOCALCLOUD.txt", "served from the installed aws-lambda-powertools\n")
    return base64.b64encode(buffer.getvalue()).decode()


class ManagedLayers:
    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self._lock = threading.Lock()

    @staticmethod
    def is_managed(arn: str) -> bool:
        return bool(_MANAGED_LAYER.match(arn))

    def ensure(self, arns: list[str], region: str) -> None:
        """Make each managed layer version resolvable in moto; reject every other layer."""
        for arn in arns:
            match = _MANAGED_LAYER.match(arn)
            if not match:
                raise UnknownLayerError(
                    f"localcloud cannot provide the layer {arn}: only the AWS-managed "
                    "Powertools for AWS Lambda (Python) v3 layer is supported"
                )
            if match["region"] != region:
                raise UnknownLayerError(f"layer {arn} is not in the function's region {region}")
            self._register(match["name"], int(match["version"]), region)

    def _register(self, name: str, version: int, region: str) -> None:
        # moto resolves a function's layer by name and version in the function's own backend, and
        # numbers versions from 1; set the counter so the attached version is the managed one's.
        storage = lambda_backends[self.account_id][region]._layers
        with self._lock:
            layer = storage._layers.get(name)
            if layer is not None and str(version) in layer.layer_versions:
                return
            layer_version = LayerVersion(  # type: ignore[abstract]
                {
                    "LayerName": name,
                    "Content": {"ZipFile": _marker_zip()},
                    "Description": "AWS-managed Powertools layer (served by localcloud)",
                    "CompatibleRuntimes": ["python3.13"],
                },
                account_id=self.account_id,
                region=region,
            )
            if layer is None:
                layer = Layer(layer_version)
                storage._layers[name] = layer
            layer._latest_version = version - 1
            layer.attach_version(layer_version)
