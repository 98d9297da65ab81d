"""The use cases: one async function per thing a person or a sweep does.

Each takes the unit of work through a small Protocol (``work.py``; storage's
``UnitOfWork`` satisfies them all, the tests' fakes only what they need), the person
already identified (``identity.Identity``), the moment, and plain arguments; it returns
what happened as plain data, or raises a domain error. No Telegram, no SQL, no texts:
the handlers render what comes back.
"""
