"""Loan processor (seed 000): the mock credit reference API's function."""
