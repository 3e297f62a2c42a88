"""Schemathesis hooks for `make test`.

`cargo lambda watch` turns an HTTP request into a Lambda event itself and refuses a body that
is not UTF-8 with its own 500, before any function runs. API Gateway instead delivers such a
body base64-encoded, and the handlers answer it with 400/415 (handler tests cover that). So
those cases would test the emulator, not this API, and are not sent.
"""

import uuid

import schemathesis


@schemathesis.hook
def filter_case(context, case):
    body = case.body
    if isinstance(body, (bytes, bytearray)):
        try:
            bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True


@schemathesis.hook
def map_case(context, case):
    """A fresh Idempotency-Key per generated request: reusing one key for another body is a
    422 by design (tests/api/idempotency.rs), not a schema violation."""
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key":
            headers[name] = f"{headers[name]}-{uuid.uuid4().hex}"[-255:]
    return case
