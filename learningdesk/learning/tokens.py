"""Signed links in learners' emails: no login, nothing stored, nothing to guess.

Each kind of link has its own salt, so a link to cancel a sign-up can never be used as a link to a
learning record. Links to a learner's own record expire after a week; sign-up links live as long as the
sign-up (its status decides what they can still do), offer links as long as the offer.
"""

from __future__ import annotations

from django.core import signing

SIGN_UP = "learning.sign-up"
EVALUATION = "learning.evaluation"
RECORD = "learning.record"
RECORD_MAX_AGE = 7 * 24 * 3600


def make(salt: str, pk: int) -> str:
    return signing.dumps(pk, salt=salt, compress=False)


def read(salt: str, token: str, *, max_age: int | None = None) -> int | None:
    """The id a token was made for, or None if it was tampered with or has expired."""
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None
