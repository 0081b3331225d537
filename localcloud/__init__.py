"""localcloud: deploy a Pulumi AWS program in Python into moto, in-process, and run it as AWS would.

It knows nothing of the program it deploys: ``deploy(stack, program_dir=...)`` takes any program
directory, and the resource types it supports are those of ``localcloud.aws_types``.
"""

from localcloud.shared_loader import share_loaders

share_loaders()  # before moto is imported: some of its modules make sessions at import time

from localcloud.cloud import LocalCloud, deploy, emulator  # noqa: E402

__all__ = ["LocalCloud", "deploy", "emulator"]
