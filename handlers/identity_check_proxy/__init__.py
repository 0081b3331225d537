"""Loan processor (seed 000): the first step, which adds the identity check to the state."""
