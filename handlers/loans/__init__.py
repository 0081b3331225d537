"""Loan processor (seed 000): what both proxy functions share.

The state passed along the chain and its validation (``state``), the error types a failed step
reports (``errors``), the signed JSON call to an API (``api_client``) and the steps every proxy
takes around that call (``proxy``). Bundled with a function only if its code imports it.
"""
