"""Lambda entry point: reject an application, the workflow's last step after a rejecting or
timed-out review (seed 003's RejectApplication)."""

from applications.outcomes import REJECTION, OutcomeHandler

handler = OutcomeHandler(REJECTION)
