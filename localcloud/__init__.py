"""localcloud: deploy this Pulumi program into moto, in-process, and run its workflows."""

from localcloud.cloud import LocalCloud, deploy, emulator

__all__ = ["LocalCloud", "deploy", "emulator"]
