"""Shared fixtures. ``handlers/`` is on sys.path (pyproject) exactly as the Lambda runtime puts
the archive root on it, so tests import handler packages the way AWS does."""
