"""localcloud: deploy this Pulumi program into moto, in-process, and run its workflows."""
