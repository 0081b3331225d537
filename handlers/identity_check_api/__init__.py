"""Loan processor (seed 000): the mock identity check API's function."""
