"""Generic helpers for any Lambda function of this project: no domain code.

What more than one function needs and that knows nothing of applications, items or tasks (a value
built on first use, the code of an AWS error, an ARN derived from another). A function's archive
carries this package only if its code imports it (``shared=`` of its ``PythonFunction``).
"""
