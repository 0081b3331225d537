"""Lambda entry point: approve an application, the workflow's last step after a clean check or
an approving review (seed 003's ApproveApplication)."""

from applications.outcomes import APPROVAL, OutcomeHandler

handler = OutcomeHandler(APPROVAL)
