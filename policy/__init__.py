"""The serverless-workflows policy pack (``pulumi preview --policy-pack policy``).

The CLI runs ``__main__.py`` with this directory on ``sys.path`` (so the rules import as the
top-level package ``rules``); tests import them as ``policy.rules`` without starting the pack.
"""
