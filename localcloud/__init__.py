"""localcloud: deploy a Pulumi AWS program in Python into moto, in-process, and run it as AWS would.

It knows nothing of the program it deploys: ``deploy(stack, program_dir=...)`` takes any program
directory, and the resource types it supports are those of ``localcloud.aws_types``.
"""

from localcloud.cloud import LocalCloud, deploy, emulator

__all__ = ["LocalCloud", "deploy", "emulator"]
