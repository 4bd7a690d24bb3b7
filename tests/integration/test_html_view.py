"""The interactive HTML view, in a real headless browser: it loads, a search finds an op, a scope opens to show
its children, a click on an op shows its details. Op names are data: none can break out of the page's JSON."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import pytest

from tests.conftest import FIXTURES, run_cli

WORD2VEC = str(FIXTURES / "lectures" / "word2vec.py")
BROWSER = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)


def _dom(page, fragment: str, tmp_path) -> str:
    """The page's DOM after its script ran, as the browser holds it."""
    done = subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000", "--dump-dom",
         f"{page.as_uri()}#{fragment}"],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    out = tmp_path_factory.mktemp("html") / "word2vec.html"
    result = run_cli("dump", WORD2VEC, "--format", "html", "-o", str(out), "--quiet")
    assert result.code == 0, result.err
    return out


def test_the_page_is_one_file_that_fetches_nothing(page):
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)  # no script, style or font from anywhere
    assert "default-src 'none'" in text and '"names":[' in text


@pytest.mark.skipif(BROWSER is None, reason="no headless Chromium (apt-get install chromium)")
class TestInTheBrowser:
    def test_the_first_view_is_the_lectures_picture(self, page, tmp_path):
        """385 ops: the top scopes as boxes with their op counts (a variable's op inside its scope), as a
        teacher draws the model; opening loss/ shows nce_loss/ inside it."""
        dom = _dom(page, "", tmp_path)
        status = re.search(r'id="status" role="status">(\d+) boxes of (\d+) ops', dom)
        assert status and 0 < int(status.group(1)) <= 12 and int(status.group(2)) > 300
        assert {"data/*", "embed/*", "loss/*", "optimizer/*", "global_step/*", "embed_matrix/*"} <= _boxes(dom)
        opened = _dom(page, "expand=loss", tmp_path)
        inside = opened[opened.index('data-scope="loss/"'):]
        assert 'data-box="loss/nce_loss/*"' in inside and "loss/*" not in _boxes(opened)
        assert {"data/*", "embed/*", "optimizer/*"} <= _boxes(opened)  # the rest, laid out around it

    def test_the_layout_is_layered_along_the_data_flow(self, page, tmp_path):
        """Every data edge goes from a lower rank to a higher one (bar the edges a loop closes), each box in
        the container of its scope; an edge names the tensors it carries."""
        import json

        for fragment in ("", "expand=loss", "view=picture"):
            dom = _dom(page, fragment, tmp_path)
            facts = json.loads(html.unescape(re.search(r'data-layout="([^"]*)"', dom).group(1)))
            data = [e for e in facts["edges"] if e["kind"] == "data" and not e["reversed"]]
            assert data and all(e["ranks"][0] < e["ranks"][1] for e in data), fragment
            for box in facts["boxes"]:  # in its scope's container (a variable's op in its own scope's)
                assert box["container"] in ("", box["id"]) or box["id"].startswith(box["container"] + "/"), box
        assert re.search(r'<title>\d+ tensors?: [^<]+ → [^<]+</title>', dom)

    def test_a_search_finds_an_op(self, page, tmp_path):
        dom = _dom(page, "search=sampled_losses/Log", tmp_path)
        found = re.findall(r'<li data-op="([^"]+)"', dom)
        assert found and all("sampled_losses/Log" in name for name in found)
        assert "loss/sampled_losses/Log1p" in found

    def test_expanding_a_scope_shows_its_children(self, tmp_path):
        """667 ops: the first view fits 40 boxes, with h1..h20 as one box, as pictures draw them; a scope opens
        on demand, one level at a time, its series too."""
        out = tmp_path / "layers.html"
        script = str(FIXTURES / "pictures" / "twenty_layers.py")
        assert run_cli("dump", script, "--format", "html", "-o", str(out), "--quiet").code == 0
        closed = _dom(out, "", tmp_path)
        assert {"h*/*", "gradients/h*/*", "GradientDescent/update_h*/*"} <= _boxes(closed)  # 40 boxes fit it all
        assert 'data-box="gradients/h7/*"' not in closed and 'data-box="gradients/h7/MatMul_grad/*"' not in closed
        assert 0 < int(re.search(r'id="status" role="status">(\d+) boxes', closed).group(1)) <= 40
        opened = _dom(out, "expand=gradients/h7", tmp_path)
        assert 'data-box="gradients/h7/MatMul_grad/*"' in opened and 'data-box="gradients/h7/*"' not in opened
        assert 'data-box="gradients/h8/*"' in opened and 'data-box="gradients/h*/*"' not in opened

    def test_a_flat_graph_is_grouped_by_op_type(self, tmp_path):
        """20,000 ops with no scope: boxes per op type, and a selected op drawn on its own."""
        from benchmarks.big_graph import big_graph_def

        source = tmp_path / "flat.pb"
        source.write_bytes(big_graph_def(20_000, shape="flat").SerializeToString())
        out = tmp_path / "flat.html"
        assert run_cli("dump", str(source), "--format", "html", "-o", str(out)).code == 0
        dom = _dom(out, "select=op_1_3_7", tmp_path)
        assert re.search(r'id="status" role="status">\d boxes of 2000\d ops', dom)
        assert 'data-box="[MatMul]"' in dom and 'data-box="op_1_3_7"' in dom and "<b>type: </b>Relu" in dom

    def test_selecting_an_op_shows_its_details(self, page, tmp_path):
        dom = _dom(page, "select=embed/embedding", tmp_path)
        details = dom[dom.index('<div id="details">'):]
        assert "<b>type: </b>ResourceGather" in details or "<b>type: </b>GatherV2" in details
        assert "word2vec.py:" in details and "<b>runs: </b>#" in details


def _boxes(dom: str) -> set[str]:
    """The boxes the page drew (it lists them in data-boxes)."""
    return set(json.loads(html.unescape(re.search(r'data-boxes="([^"]*)"', dom).group(1))))


def _dot_boxes(dot: str) -> set[str]:
    """The box ids of a dot picture (its node statements)."""
    found = set()
    for line in dot.splitlines():
        match = re.match(r'\s*("(?:[^"\\]|\\.)*"|[^\s\[{}]+) \[', line)
        if match and " -> " not in line and match.group(1) not in ("graph", "node", "edge"):
            found.add(match.group(1).strip('"').replace('\\"', '"'))
    return found


@pytest.mark.skipif(BROWSER is None, reason="no headless Chromium (apt-get install chromium)")
@pytest.mark.parametrize("expand", ["", "gradients/h7"])
def test_dot_the_page_and_the_text_tree_draw_the_same_boxes(expand, tmp_path):
    """One collapse model: the page's first view (and an expansion) has exactly the boxes of the svg picture,
    and the text tree shows the series the picture draws."""
    script = str(FIXTURES / "pictures" / "twenty_layers.py")
    page = tmp_path / "layers.html"
    assert run_cli("dump", script, "--format", "html", "-o", str(page), "--quiet").code == 0
    dom = _dom(page, "view=picture" + (f"&expand={expand}" if expand else ""), tmp_path)
    drawn = _boxes(dom)
    dot = run_cli("dump", script, "--format", "dot", "--quiet", *(["--expand", expand] if expand else []))
    assert dot.code == 0, dot.err
    assert drawn == _dot_boxes(dot.out) and len(drawn) > 20
    if not expand:
        series = {box[:-2] for box in drawn if box.endswith("*/*")}
        assert series == {"h*", "gradients/h*", "GradientDescent/update_h*"}
        text = run_cli("graph", script, "--quiet").out
        lines = {" ".join(line.split()).lstrip("│├└─ ") for line in text.splitlines() if "×" in line}
        assert lines == {"h*/ ×20 16 ops each", "h*/ ×20 14 ops each", "update_h*/ ×20 2 ops each"}
        counts = {line: re.search(r'label="[^"]*?\* ×(\d+)', line) for line in dot.out.splitlines()}
        assert sorted(int(m.group(1)) for m in counts.values() if m) == [20, 20, 20]


def test_op_names_cannot_break_out_of_the_page(tmp_path):
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    graph = GraphDef()
    graph.node.add(name="x</script><script>alert(1)</script><!--", op="Placeholder")
    graph.node.add(name="y", op="Identity", input=["x</script><script>alert(1)</script><!--"])
    source = tmp_path / "hostile.pb"
    source.write_bytes(graph.SerializeToString())
    out = tmp_path / "hostile.html"
    assert run_cli("dump", str(source), "--format", "html", "-o", str(out)).code == 0
    text = out.read_text(encoding="utf-8")
    assert text.count("</script>") == 2 and "<!--" not in text and "alert(1)" in text  # the name, as data


@pytest.mark.skipif(BROWSER is None, reason="no headless Chromium (apt-get install chromium)")
def test_a_transformer_opens_layer_by_layer(tmp_path):
    """A transformer of 152 layers (about 110,000 ops, as TensorFlow names them): the first view has the layers
    as one box; opening one layer shows its attention and ffn scopes inside it; every box can take the focus."""
    from benchmarks.big_graph import transformer_graph_def

    source = tmp_path / "transformer.pb"
    source.write_bytes(transformer_graph_def().SerializeToString())
    out = tmp_path / "transformer.html"
    assert run_cli("dump", str(source), "--format", "html", "-o", str(out)).code == 0
    first = _dom(out, "", tmp_path)
    assert "layer_*/*" in _boxes(first) and len(_boxes(first)) <= 40
    assert re.search(r'data-box="layer_\*/\*" tabindex="0" role="button"', first)
    opened = _dom(out, "expand=layer_7", tmp_path)
    inside = opened[opened.index('data-scope="layer_7/"'):]
    assert 'data-box="layer_7/attention/*"' in inside and 'data-box="layer_7/ffn/*"' in inside
    assert {"layer_6/*", "layer_8/*"} <= _boxes(opened) and "layer_*/*" not in _boxes(opened)


def _crossings(polylines) -> int:
    """Pairs of edge segments (of different edges) that cross, counted the same way for any drawing."""
    import itertools

    def orient(a, b, c):
        value = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return (value > 1e-9) - (value < -1e-9)

    segments = [(k, a, b) for k, points in enumerate(polylines) for a, b in zip(points, points[1:])]
    return sum(1 for (k1, a1, b1), (k2, a2, b2) in itertools.combinations(segments, 2)
               if k1 != k2 and orient(a1, b1, a2) * orient(a1, b1, b2) < 0
               and orient(a2, b2, a1) * orient(a2, b2, b1) < 0)


def _dot_polylines(dot: str) -> list[list[tuple[float, float]]]:
    """The edges graphviz lays out for a .dot text, each as the polyline through its spline's end points."""
    plain = subprocess.run(["dot", "-Tplain"], input=dot.encode(), capture_output=True, check=True).stdout.decode()
    found = []
    for line in plain.splitlines():
        if line.startswith("edge "):
            parts = line.split()
            points = [(float(parts[4 + 2 * i]), float(parts[5 + 2 * i])) for i in range(int(parts[3]))]
            found.append(points[::3] + ([points[-1]] if (len(points) - 1) % 3 else []))
    return found


@pytest.mark.skipif(BROWSER is None or shutil.which("dot") is None, reason="needs headless Chromium and graphviz")
@pytest.mark.parametrize("fixture", ["lectures/word2vec.py", "pictures/twenty_layers.py"])
def test_the_page_crosses_its_edges_no_more_than_graphviz(fixture, tmp_path):
    """The svg picture's cut, laid out by the page, has at most 1.2 times the edge crossings graphviz's dot
    gives the same boxes."""
    script = str(FIXTURES / fixture)
    page = tmp_path / "page.html"
    assert run_cli("dump", script, "--format", "html", "-o", str(page), "--quiet").code == 0
    facts = json.loads(html.unescape(re.search(r'data-layout="([^"]*)"', _dom(page, "view=picture", tmp_path))
                                     .group(1)))
    dot = run_cli("dump", script, "--format", "dot", "--quiet").out
    assert len(facts["edges"]) > 20
    assert _crossings([e["points"] for e in facts["edges"]]) <= 1.2 * _crossings(_dot_polylines(dot))


@pytest.mark.skipif(BROWSER is None, reason="no headless Chromium (apt-get install chromium)")
def test_findings_and_runs_are_shown_on_their_ops(tmp_path):
    """A finding of check is marked on its op and listed in its details; the run selector shades what a run
    did not execute."""
    page = tmp_path / "findings.html"
    result = run_cli("dump", str(FIXTURES / "checks" / "TFI001_constant_id.py"), "--format", "html", "-o", str(page),
                     "--quiet")
    assert result.code == 2 and page.exists()  # the script fails (as TensorFlow does); the page is written
    dom = _dom(page, "select=picked", tmp_path)
    assert re.search(r'class="box[^"]*finding[^"]*" [^>]*data-box="picked"', dom)
    details = dom[dom.index('<div id="details">'):]
    assert "<b>TFI001: </b>" in details and "12" in details
    lecture = tmp_path / "linreg.html"
    assert run_cli("dump", str(FIXTURES / "lectures" / "linreg_feed.py"), "--format", "html", "-o", str(lecture),
                   "--quiet").code == 0
    shaded = _dom(lecture, "view=picture&run=0", tmp_path)  # run #0 runs the initializer only
    assert re.search(r'class="box notrun" [^>]*data-box="loss"', shaded)
    assert re.search(r'class="box fed" [^>]*data-box="X"', _dom(lecture, "view=picture&run=1", tmp_path))
