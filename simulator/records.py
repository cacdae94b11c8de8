"""A validated plan's parts as plain frozen records: what a run reads of a procedure and a
scenario, without pydantic.

The model (model.py) validates what people write; a plan keeps the result as records with the
same class names and the same attributes (model.plain makes them), so the engine, the scoring
and the console read a plan the same way whether it was just validated or comes from the plan
cache, and a cached run never imports pydantic (start-up, docs/PERFORMANCE.md). A record's
fields are the model's, taken from the model when the record is made: the field names have one
home. What a model does besides holding fields (Service.rto_met, Absence.begins) lives in the
mixins here, which the model's classes inherit too. Code that needs to know which kind of
distribution, action or grading it holds reads the discriminator (`dist`, `do`, `kind`), which
both have, not the class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .limits import EPS


class ServiceRules:
    """The RTO rule, for a validated Service and for its record."""

    __slots__ = ()
    if TYPE_CHECKING:
        rto_min: float

    def rto_met(self, downtime: float, restored: bool) -> bool | None:
        """The RTO rule: restored within rto_min is met; down longer than rto_min is not met,
        restored or not; still down and within it, undecided (None)."""
        if restored:
            return downtime <= self.rto_min + EPS
        return False if downtime > self.rto_min else None


class AbsenceTimes:
    __slots__ = ()
    if TYPE_CHECKING:
        start_min: float | None

    @property
    def begins(self) -> float:
        return 0.0 if self.start_min is None else self.start_min


_BEHAVIOUR: dict[str, type] = {"Service": ServiceRules, "Absence": AbsenceTimes}


class Record:
    """Frozen, compared and hashed by class name and field values, like a frozen model."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def __init__(self, *values: Any):
        for name, value in zip(self._fields, values, strict=True):
            object.__setattr__(self, name, value)

    def _values(self) -> tuple:
        return tuple([getattr(self, name) for name in self._fields])

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._values()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({inner})"

    def __reduce__(self):
        # pickled by name and fields, so unpickling needs this module and nothing else
        return record, (type(self).__name__, self._fields, self._values())


_CLASSES: dict[tuple[str, tuple[str, ...]], type[Record]] = {}


def record_class(name: str, fields: tuple[str, ...]) -> type[Record]:
    """The record class of a model class (by its name and field names), made once."""
    cls = _CLASSES.get((name, fields))
    if cls is None:
        behaviour = _BEHAVIOUR.get(name)
        bases = (Record, behaviour) if behaviour else (Record,)
        cls = type(name, bases, {"__slots__": fields, "_fields": fields, "__module__": __name__})
        _CLASSES[name, fields] = cls
    return cls


def record(name: str, fields: tuple[str, ...], values: tuple) -> Any:
    return record_class(name, fields)(*values)


def replace(rec: Any, **changes: Any) -> Any:
    """A copy of `rec` with some fields changed (as a model's model_copy(update=…): unchecked)."""
    unknown = set(changes) - set(rec._fields)
    if unknown:
        raise TypeError(f"{type(rec).__name__} has no field {', '.join(sorted(unknown))}")
    return type(rec)(*[changes.get(name, getattr(rec, name)) for name in rec._fields])


def dump(value: Any) -> Any:
    """Records as dicts of their fields, all the way down (what a model's model_dump() gives)."""
    if isinstance(value, Record):
        return {name: dump(getattr(value, name)) for name in value._fields}
    if isinstance(value, dict):
        return {k: dump(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(dump(v) for v in value)
    return value
