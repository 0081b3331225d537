"""The policy pack (policy/): each rule on resources built by hand, and the program under it."""
