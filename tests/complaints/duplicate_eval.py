"""How well a duplicate finder does on the evaluation set in data/duplicate_pairs.txt.

Every "b" and "c" text is filed as an open report of its regency (200 reports, ten regencies).
Two kinds of search, each shown at most three suggestions:
- a duplicate search asks with the "a" text: right if its "b" partner is among the suggestions;
- a same-place search asks with the "c" text (itself excluded): it has no duplicate, so every
  suggestion it shows is wrong (its "b" neighbour tells of another problem at the same place).
Recall: duplicate searches whose partner is shown / duplicate searches. Precision: right
suggestions / all suggestions shown, over both kinds."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).parent / "data" / "duplicate_pairs.txt"


@dataclass(frozen=True)
class Text:
    scenario: int
    regency: str
    role: str
    category: str
    register: str
    title: str
    description: str


@dataclass
class Figures:
    searches: int = 0
    found: int = 0
    shown: int = 0
    right: int = 0
    misses: list = field(default_factory=list)
    wrong: list = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.searches if self.searches else 0.0

    @property
    def precision(self) -> float:
        return self.right / self.shown if self.shown else 0.0

    def line(self, name: str) -> str:
        return (
            f"{name}: partner shown in {self.found} of {self.searches} duplicate searches "
            f"(recall {self.recall:.2f}); {self.right} of {self.shown} suggestions right "
            f"(precision {self.precision:.2f})"
        )


def load(path: Path = DATA) -> dict[int, dict[str, Text]]:
    scenarios: dict[int, dict[str, Text]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        sid, regency, role, category, register, title, description = line.split("|")
        text = Text(int(sid), regency, role, category, register, title, description)
        scenarios.setdefault(text.scenario, {})[role] = text
    return scenarios


def file_all(scenarios: dict[int, dict[str, Text]]) -> dict[tuple[int, str], object]:
    """Files every "b" and "c" text through the real service. Returns (scenario, role) ->
    report."""
    from routing.models import Category
    from tests.factories import file_report

    categories = dict(Category.objects.values_list("code", "pk"))
    filed = {}
    for sid, texts in sorted(scenarios.items()):
        for role in ("b", "c"):
            t = texts[role]
            filed[(sid, role)] = file_report(
                title=t.title,
                description=t.description,
                province_id=t.regency[:2],
                regency_id=t.regency,
                category_id=categories[t.category],
            )
    return filed


Finder = Callable[[Text, object | None], list]  # (text, report to exclude) -> [(report, score)]


def measure(find: Finder, scenarios, filed) -> Figures:
    figures = Figures()
    for sid, texts in sorted(scenarios.items()):
        partner = filed[(sid, "b")]
        shown = [report for report, _ in find(texts["a"], None)][:3]
        figures.searches += 1
        figures.shown += len(shown)
        if partner in shown:
            figures.found += 1
            figures.right += 1
        else:
            figures.misses.append(sid)
        figures.wrong += [(sid, "a", r.title) for r in shown if r != partner]
        itself = filed[(sid, "c")]
        shown = [report for report, _ in find(texts["c"], itself)][:3]
        figures.shown += len(shown)
        figures.wrong += [(sid, "c", r.title) for r in shown]
    return figures
