"""docs/BROWSER.md states the world of its screenshot as the model builds it."""

from __future__ import annotations

import re
from pathlib import Path

from sim.interfaces.browser.screenshot import world_caption

DOC = Path(__file__).resolve().parents[3] / "docs" / "BROWSER.md"


def test_the_screenshot_s_world_in_the_document_is_the_model_s():
    text = DOC.read_text(encoding="utf-8")
    found = re.search(r"\*The default district, (seed \d+: [^*]*? of them)\.", text)
    assert found, "docs/BROWSER.md lost its line about the screenshot's world"
    seed = re.match(r"seed (\d+)", found.group(1)).group(1)
    assert found.group(1) == world_caption({}, seed), (
        "docs/BROWSER.md: regenerate the screenshot and its line with "
        "python -m sim.interfaces.browser.screenshot docs/figures/app.png"
    )
