"""The keys of object atoms: the schema a key's value must meet, the names an atom speaks of,
and fresh names no rule of theirs applies to by name or pattern."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from specguard.semantics import _regex
from specguard.semantics._atoms import TOP, ObjAtom, Rule, Sch
from specguard.semantics._memo import Ctx


def key_schema(cx: Ctx, atom: ObjAtom, key: str) -> Sch:
    """The conjunction of every rule of ``atom`` that applies to ``key``."""
    # Objects of real specs have dozens of properties and every key of every sample is
    # looked up: scanning all rules per key made membership quadratic.
    index = cx.memo.key_index.get(id(atom))
    if index is None or index[0] is not atom:
        by_name: dict[str, list[Sch]] = {}
        for rule in atom.rules:
            if rule.kind == "name":
                by_name.setdefault(rule.name, []).append(rule.sch)
        others = tuple(rule for rule in atom.rules if rule.kind != "name")
        index = cx.memo.key_index[id(atom)] = (atom, by_name, others, {})
    _, by_name, others, known = index
    found = known.get(key)
    if found is None:
        found = known[key] = TOP.conj(
            *by_name.get(key, ()),
            *(rule.sch for rule in others if rule.matches(key) is not False),
        )
    return found


def names(*atoms: ObjAtom) -> list[str]:
    """Every key the atoms require, name or declare, in order."""
    found: dict[str, None] = {}
    for atom in atoms:
        found.update(dict.fromkeys(sorted(atom.required)))
        for rule in atom.rules:
            if rule.kind == "name":
                found[rule.name] = None
            elif rule.kind == "additional":
                found.update(dict.fromkeys(sorted(rule.declared)))
    return list(found)


def patterns_of(rules: Iterable[Rule]) -> set[str]:
    """The patterns ``rules`` apply to keys: patternProperties, and those an
    additionalProperties leaves alone."""
    return {r.name for r in rules if r.kind == "pattern"} | {
        p for r in rules if r.kind == "additional" for p in r.patterns
    }


def fresh_keys(taken: Iterable[str], atoms: Sequence[ObjAtom], count: int = 1) -> list[str]:
    """Property names outside ``taken`` that match no pattern of ``atoms``."""
    used = set(taken)
    patterns = [r.name for a in atoms for r in a.rules if r.kind == "pattern"]
    patterns += [
        p for a in atoms for r in a.rules if r.kind == "additional" for p in r.patterns
    ]
    out: list[str] = []
    for index in range(count + 8):
        for candidate in (f"x{index}" if index else "x", f"z{index}", f"_k{index}"):
            if candidate in used or candidate in out:
                continue
            if all(_regex.search(p, candidate) is False for p in patterns):
                out.append(candidate)
                break
        if len(out) >= count:
            break
    return out
