"""Each system as its callers see it: what they call, and what they can read back."""
