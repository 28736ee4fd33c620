"""The category tree as managed data: add, rename, retire — and the check incidents' categories pass.

A category is stored by its whole path ("Network/VPN/GlobalProtect"), each level its own row
(adding a leaf adds its parents), and incidents keep the path as text (`incidents.category`),
which other areas (metrics, problems, SLA policies) read as is. So a **rename rewrites that
text** in the same transaction, for the node and everything under it: no incident is left
pointing at a name that no longer exists, and nobody needs a join to read a category. The
directory trail records the rename (the old path gone, the new one added, with the number of
incidents re-labelled); the incidents' own timelines are not written (the taxonomy changed, not
the incident), but every open one re-labelled is put on the change feed so consoles repaint.
`[[sla.policy]] category` settings name paths too: renaming does not edit the config file.

A **retired** category (and everything under it) is not offered or accepted for new incidents
or recategorisation; incidents that have it keep it. With no categories defined at all, any
text is accepted (installs that never set up a tree, and alert intake, which is never refused).
"""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from incidentdesk.domain.cmdb import unknown_category
from incidentdesk.services.category_check import checked_category, default_group_for  # noqa: F401  (re-exported)
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.names import check_name
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.directory import _admin_or_bootstrap, _record, add_category as _add
from incidentdesk.store import audit as trail
from incidentdesk.store.changefeed import record_change
from incidentdesk.store.models import Category, Incident


def add_category(ctx: ServiceContext, path: str, *, default_group: str | None = None) -> str:
    """Add a category (and its missing parents); returns its path."""
    _add(ctx, path, default_group=default_group)
    return "/".join(p.strip() for p in path.split("/") if p.strip())


def _subtree(s: Session, path: str) -> list[Category]:
    under = Category.path.startswith(path + "/", autoescape=True)
    return list(s.scalars(select(Category).where(or_(Category.path == path, under)).order_by(Category.path)))


def _node(s: Session, path: str) -> list[Category]:
    path = "/".join(p.strip() for p in (path or "").split("/") if p.strip())
    nodes = _subtree(s, path) if path else []
    if not nodes or nodes[0].path != path:
        raise unknown_category(path, s.scalars(select(Category.path)).all()) if path else \
            ValidationError("name the category, e.g. Network/VPN", field="category")
    return nodes


def rename_category(ctx: ServiceContext, path: str, *, name: str) -> str:
    """Rename the last level of `path` (and so every path under it); incidents' category text follows."""
    new_leaf = check_name(name, "category")
    if "/" in new_leaf:
        raise ValidationError("the new name is one level (no '/'): rename changes a name, not the place in the tree",
                              field="name")
    with ctx.db.write() as s:
        _admin_or_bootstrap(ctx, s, "manage categories")
        nodes = _node(s, path)
        old = nodes[0].path
        new = "/".join([*old.split("/")[:-1], new_leaf])
        check_name(new, "category")
        if new == old:
            raise ValidationError(f"{old} already has that name; nothing to rename", field="name")
        if s.scalar(select(Category.id).where(Category.path == new)) is not None:
            raise ValidationError(f"category {new!r} exists already", field="name")
        now = ctx.now()
        for node in nodes:
            before_path = node.path
            after_path = new + before_path[len(old):]
            state = trail.category_state(node)
            relabel = (Incident.category == before_path)
            ids = list(s.scalars(select(Incident.id).where(relabel, Incident.is_open.is_(True))))
            count = s.execute(update(Incident).where(relabel).values(category=after_path)
                              .execution_options(synchronize_session=False)).rowcount
            node.path = after_path
            _record(ctx, s, "category_renamed", "category", before_path, state, None)  # gone under this name
            _record(ctx, s, "category_renamed", "category", after_path,
                    {"renamed_from": before_path, "incidents": count}, state)
            if ids:
                record_change(s, ids, "category_renamed", now)
        return new


def retire_category(ctx: ServiceContext, path: str, *, undo: bool = False) -> str:
    """Retire a category and everything under it (undo: bring them back); incidents keep theirs."""
    with ctx.db.write() as s:
        _admin_or_bootstrap(ctx, s, "manage categories")
        nodes = _node(s, path)
        if undo and not nodes[0].retired:
            raise ValidationError(f"{nodes[0].path} is not retired", field="category")
        if not undo and nodes[0].retired:
            raise ValidationError(f"{nodes[0].path} is retired already", field="category")
        if undo:
            # Bringing back a leaf brings back its parents (a live leaf under a retired parent is unreachable).
            parts = nodes[0].path.split("/")
            nodes = nodes + [c for c in s.scalars(select(Category).where(Category.path.in_(
                ["/".join(parts[:i]) for i in range(1, len(parts))]))) if c.retired]
        for node in nodes:
            if node.retired == (not undo):
                continue
            before = trail.category_state(node)
            node.retired = not undo
            _record(ctx, s, "category_restored" if undo else "category_retired", "category", node.path, before,
                    trail.category_state(node))
        return nodes[0].path
