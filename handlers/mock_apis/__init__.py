"""Loan processor (seed 000): what the two mock APIs share (``behaviour``): the delay, the
simulated failures, and reading and answering an HTTP API request. Bundled with a function only
if its code imports it."""
