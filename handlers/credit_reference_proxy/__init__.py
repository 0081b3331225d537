"""Loan processor (seed 000): the second step, which adds the credit reference to the state."""
