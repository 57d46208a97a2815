"""What each role may do. Scoping (org/scoping.py) turns this into querysets."""

from __future__ import annotations

from learningdesk.org.models import Role

# Roles that may add and change records in their subtree.
EDITOR_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.REGIONAL_COORDINATOR, Role.BRANCH_COORDINATOR})
# Roles that may see special category equality data about individuals.
EQUALITY_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.EQUALITY_OFFICER})
# Roles that may grant roles to others in their subtree.
ROLE_GRANTING_ROLES = EDITOR_ROLES
# Roles whose scope is a set of workplaces rather than a unit's subtree.
WORKPLACE_ROLES = frozenset({Role.ULR})
# Roles that may read the audit log of their scope.
AUDIT_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.REGIONAL_COORDINATOR, Role.BRANCH_COORDINATOR})
# Roles that see nothing of the union's records: only what is shared with one employer (employers/shared).
EMPLOYER_ROLES = frozenset({Role.EMPLOYER_CONTACT})
