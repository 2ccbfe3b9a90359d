"""Keeps the generator from replacing files it did not write.

``generate`` clears its earlier extracts before writing new ones; a marker file with
the run's arguments tells its own folders from a real company's landing folder.
"""

from __future__ import annotations

import json
import logging

from orchestration.demo.config import GeneratorConfig

logger = logging.getLogger(__name__)

MARKER = "_salesdw_demo.json"


def _arguments(config: GeneratorConfig) -> dict[str, object]:
    return {
        "scale": config.scale,
        "seed": config.seed,
        "start": config.start.replace(day=1).isoformat(),
        "months": config.months,
        "file_format": config.file_format,
        "messy": config.messy,
    }


def claim(config: GeneratorConfig) -> None:
    """Refuse a non-empty folder the generator did not write; warn when it held another
    demo company, since a warehouse that loaded that one would now mix the two."""
    marker = config.out / MARKER
    if marker.is_file():
        previous = json.loads(marker.read_text(encoding="utf-8"))
        if previous != _arguments(config):
            logger.warning(
                "%s held a demo company made with %s; a warehouse that loaded it will mix "
                "both companies (run `make clean` or use a new warehouse)",
                config.out,
                previous,
            )
    elif config.out.is_dir() and any(path.is_file() for path in config.out.rglob("*")):
        raise FileExistsError(
            f"{config.out} holds files that salesdw generate did not write; "
            "choose an empty folder with --out"
        )
    config.out.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(_arguments(config), indent=2) + "\n", encoding="utf-8")
