"""The three labels, in their one fixed order. The only place label names are spelled out.

The order (entails, contradicts, unrelated) is the class-id order of the `datasets.ClassLabel`,
the column order of every probability matrix and of every confusion matrix. It is never
alphabetical: `ClassLabel` id 1 is always `contradicts`.
"""

from __future__ import annotations

from enum import Enum


class Label(str, Enum):
    ENTAILS = "entails"
    CONTRADICTS = "contradicts"
    UNRELATED = "unrelated"

    def __str__(self) -> str:
        return self.value

    @property
    def class_id(self) -> int:
        """Its position in LABELS: the ClassLabel id and the probability column."""
        return LABELS.index(self)


LABELS: tuple[Label, ...] = (Label.ENTAILS, Label.CONTRADICTS, Label.UNRELATED)
LABEL_NAMES: tuple[str, ...] = tuple(label.value for label in LABELS)
NUM_LABELS = len(LABELS)


class LabelError(ValueError):
    """A label value that is not one of LABEL_NAMES (after an optional mapping)."""


def parse(value: object, *, where: str = "") -> Label:
    """Return the Label named by `value` (a Label, its name or its class id).

    `where` names the origin of the value (e.g. ``pairs.jsonl:12``) so the error can point at it.
    """
    if isinstance(value, Label):
        return value
    if isinstance(value, bool):  # bool is an int subclass; True is not a label
        pass
    elif isinstance(value, int) and 0 <= value < NUM_LABELS:
        return LABELS[value]
    elif isinstance(value, str):
        key = value.strip().lower()
        for label in LABELS:
            if key == label.value:
                return label
    prefix = f"{where}: " if where else ""
    raise LabelError(
        f"{prefix}unknown label {value!r}; valid labels: {', '.join(LABEL_NAMES)}"
    )
