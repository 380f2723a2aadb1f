"""The LLM judge's prompt: a template file with named placeholders, checked before any request.

The template puts the instructions first and the pair last, so that a server's prompt-prefix cache
(llama.cpp, vLLM) reuses the shared part across pairs. `{examples}` receives the few-shot block
(empty when `k_shot` is 0), each example rendered with the example template.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REQUIRED = ("claim_a", "claim_b")
ALLOWED = ("claim_a", "claim_b", "examples")
EXAMPLE_FIELDS = ("claim_a", "claim_b", "label")
CONFIG_PROMPTS = Path(__file__).resolve().parents[2] / "configs" / "prompts"


class PromptError(ValueError):
    """A template that cannot render every pair; the message names the file and the field."""


def _fields(text: str, where: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise PromptError(f"{where}: {exc} (write a literal brace as {{{{ or }}}})") from None


def _read(path: str | Path, option: str) -> tuple[Path, str]:
    file = Path(path)
    if not file.is_absolute() and not file.exists():
        file = CONFIG_PROMPTS / file  # a bare name refers to configs/prompts/
    try:
        text = file.read_text(encoding="utf-8")
        # A text file ends with a newline; the prompt must not ("Answer:" is continued on its own line).
        return file, text[:-1] if text.endswith("\n") else text
    except OSError as exc:
        raise PromptError(f"{option}={path}: cannot read the template ({exc.strerror or exc}); "
                          f"give a file path or a name under {CONFIG_PROMPTS}") from None


@dataclass(frozen=True)
class PromptTemplate:
    text: str
    example: str
    source: str

    @classmethod
    def load(cls, template: str | Path, example: str | Path) -> PromptTemplate:
        path, text = _read(template, "model.template")
        example_path, example_text = _read(example, "model.example_template")
        fields = _fields(text, str(path))
        missing = [f for f in REQUIRED if f not in fields]
        unknown = sorted(fields - set(ALLOWED))
        if missing or unknown:
            problem = (f"missing placeholder(s) {', '.join('{' + f + '}' for f in missing)}" if missing
                       else f"unknown placeholder(s) {', '.join('{' + f + '}' for f in unknown)}")
            raise PromptError(f"model.template={path}: {problem}; the template uses "
                              f"{{claim_a}} and {{claim_b}} (required) and {{examples}} (optional)")
        example_fields = _fields(example_text, str(example_path))
        if example_fields != set(EXAMPLE_FIELDS):
            raise PromptError(f"model.example_template={example_path}: placeholders {sorted(example_fields)}; "
                              f"it must use exactly {{claim_a}}, {{claim_b}} and {{label}}")
        return cls(text, example_text, str(path))

    def render(self, claim_a: str, claim_b: str, examples: Sequence[tuple[str, str, str]] = ()) -> str:
        """The full prompt for one pair; `examples` are (claim_a, claim_b, label) triples."""
        block = "".join(self.example.format(claim_a=a, claim_b=b, label=label) for a, b, label in examples)
        return self.text.format(claim_a=claim_a, claim_b=claim_b, examples=block)

    @property
    def uses_examples(self) -> bool:
        return "examples" in _fields(self.text, self.source)
