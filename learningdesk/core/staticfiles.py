"""How production stores the static files: whitenoise's compressed files with hashed names, forever cacheable."""

from __future__ import annotations

import re

from whitenoise.storage import CompressedManifestStaticFilesStorage

# GOV.UK's crest and crown and its GDS Transport fonts: app.css refers to them (GOV.UK Frontend's footer and
# fonts), but they are not ours to use, so scripts/build-assets.mjs does not copy them and no page uses the classes.
NOT_SHIPPED = re.compile(r"(crest|crown)[^/]*\.(svg|png)$|\.woff2?$")


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Leaves app.css's references to the files we do not ship as they are, instead of failing collectstatic
    (Django refuses a stylesheet that names a missing file; any other missing file still fails it)."""

    def hashed_name(self, name: str, content: object = None, filename: str | None = None) -> str:
        if content is None and NOT_SHIPPED.search(filename or name) and not self.exists(filename or name):
            return name
        return super().hashed_name(name, content, filename)
