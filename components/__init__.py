"""Pulumi ComponentResources: building blocks and one module per workflow system."""
