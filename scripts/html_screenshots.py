"""Screenshots of the HTML view for docs/html-view.md, taken from the real page in headless Chromium.

    python scripts/html_screenshots.py        # writes docs/images/html-*.png

Each picture is `tfinspect dump SOURCE --format html` opened at an address fragment, as a user would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGES = os.path.join(REPO, "docs", "images")

# (image, source, address fragment, dark)
SHOTS = [
    ("html-word2vec-first-view.png", "fixtures/lectures/word2vec.py", "", False),
    ("html-word2vec-loss-opened.png", "fixtures/lectures/word2vec.py", "expand=loss/nce_loss", False),
    ("html-word2vec-run-shaded.png", "fixtures/lectures/word2vec.py", "run=2&expand=optimizer", False),
    ("html-transformer-layer.png", "transformer", "expand=layer_7", True),
]


def main() -> int:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("needs Chromium (apt-get install chromium)", file=sys.stderr)
        return 2
    os.makedirs(IMAGES, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        pages = {}
        for image, source, fragment, dark in SHOTS:
            key = source
            if key not in pages:
                page = os.path.join(folder, f"page{len(pages)}.html")
                if source == "transformer":
                    sys.path.insert(0, REPO)
                    from benchmarks.big_graph import transformer_graph_def

                    with open(os.path.join(folder, "transformer.pb"), "wb") as f:
                        f.write(transformer_graph_def().SerializeToString())
                    source, cwd = "transformer.pb", folder
                else:
                    cwd = REPO
                subprocess.run([sys.executable, "-m", "tfinspect", "dump", source, "--format", "html", "-o", page,
                                "--quiet", "--force"], check=False, cwd=cwd)
                pages[key] = page
            target = os.path.join(IMAGES, image)
            subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                            f"--user-data-dir={folder}/profile", "--window-size=1280,800", "--virtual-time-budget=8000",
                            *(["--force-dark-mode", "--blink-settings=preferredColorScheme=0"] if dark else []),
                            f"--screenshot={target}", f"file://{pages[key]}#{fragment}"],
                           check=True, capture_output=True, timeout=300)
            print(f"wrote {os.path.relpath(target, REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
