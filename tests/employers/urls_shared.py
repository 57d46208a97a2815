"""An employer contact's own pages (owner: the committee and sharing helper)."""

DERBY_RECORD: dict = {}
SCOPED_LISTS = {"shared:home"}
