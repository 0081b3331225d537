"""This project's demo: each system driven as a client would, against the stack deployed into
localcloud. ``python -m demo`` (``./dev demo``) runs every scenario; the end-to-end tests drive the
same scenarios and the same clients (``demo.systems``)."""
