"""axe-core (vendored: tests/browser/vendor/axe.min.js, 4.10.2, MPL-2.0) run in the page.

Our CSP allows only nonced scripts, so the tab that runs axe is opened with ``bypass_csp``
(see ``a11y_phone`` in test_citizen_pages.py); everything else about the page is as served."""

from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SEVERE = ("serious", "critical")

RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ["violations"]});
  return r.violations.map(v => ({id: v.id, impact: v.impact,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
}"""

# Pages checked and what each found, for the report at the end of a run.
CHECKED: dict[str, int] = {}


def severe_violations(page, label: str = "") -> list[dict]:
    """The serious and critical axe violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = [v for v in page.evaluate(RUN) if v["impact"] in SEVERE]
    CHECKED[label or page.url] = len(found)
    return found


def assert_accessible(page, label: str = "") -> None:
    found = severe_violations(page, label)
    assert found == [], f"axe on {label or page.url}: {found}"
