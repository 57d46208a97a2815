"""The web side of test_sqlite_writers.py, in a process of its own: `python -m tests.core.sign_up_loop URL STOP OUT`.

Signs people up on the public form at URL (through every middleware and the view, as a browser would), one after
another from addresses of their own, until the file STOP exists; writes each answer (status, start, end, body when
not a redirect) to OUT as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def main(url: str, stop: Path, out: Path) -> None:
    import django

    django.setup()
    from django.test import Client

    visitor = Client(raise_request_exception=False)  # a user sees the 500 page, not a traceback
    answers = []
    number = 0
    while not stop.exists():
        number += 1
        data = {
            "first_name": "Writer",
            "last_name": f"Test {number}",
            "email": f"writer-{number}@example.net",
            "workplace_text": "Council House",
            "says_member": "not_sure",
            "consent_learning": "on",
        }
        started = time.time()
        response = visitor.post(url, data, REMOTE_ADDR=f"10.1.{number // 256 % 256}.{number % 256}")
        answers.append(
            {
                "status": response.status_code,
                "started": started,
                "ended": time.time(),
                "body": "" if response.status_code == 302 else response.content.decode(errors="replace")[:2000],
            }
        )
    out.write_text(json.dumps(answers))


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learningdesk.settings.dev")
    main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
