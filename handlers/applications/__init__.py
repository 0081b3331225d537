"""Application records of the account applications system (seed 003), shared by its functions.

One place for the record model, the state names, the request checks every function makes and the
table adapter whose writes are all conditional on the state the caller expects.
"""
