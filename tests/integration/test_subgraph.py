"""`tfinspect subgraph` and `graph --unused` on fixtures, and agreement with what TensorFlow executed."""

from __future__ import annotations

import re

import pytest

from tests.conftest import each_run, FIXTURES, REPO, run_cli, run_cli_cached, skip_without_legacy_keras

ADD_POW = str(FIXTURES / "lectures" / "add_pow.py")
FEED_CUT = str(FIXTURES / "subgraph" / "feed_cuts_graph.py")
ASSIGN = str(FIXTURES / "subgraph" / "assign_never_runs.py")


def subgraph_json(*args: str) -> dict:
    result = run_cli_cached("subgraph", *args, "--format", "json", "--quiet")
    assert result.code == 0, result.err
    return result.json()


def test_useless_is_not_run_when_only_pow_is_fetched():
    data = subgraph_json(ADD_POW, "--run", "0")
    assert data["fetches"] == ["Pow:0"]
    assert data["ran"] == ["x", "y", "Add", "Mul", "Pow"]
    assert data["not_run"] == ["Mul_1"]  # useless = tf.multiply(x, add_op)
    assert data["fed"] == [] and data["cut_off"] == []


def test_every_distinct_run_by_default():
    data = subgraph_json(ADD_POW)
    assert [p["run"] for p in data["plans"]] == [0, 1]
    assert data["plans"][1]["not_run"] == []
    assert "ran" not in data  # two plans: no top-level shortcut


def test_a_fed_run_shows_its_cut():
    data = subgraph_json(FEED_CUT, "--run", "0")
    assert data["fed"] == ["a:0"]
    assert data["ran"] == ["b/y", "b"]
    assert set(data["cut_off"]) == {"x", "a/y", "a"}
    assert set(data["not_run"]) == {"x", "a/y", "a"}
    assert subgraph_json(FEED_CUT, "--run", "1")["not_run"] == []


def test_fetch_and_feed_given_by_hand():
    data = subgraph_json(FEED_CUT, "--fetch", "b", "--feed", "a")
    assert data["ran"] == ["b/y", "b"] and data["fed"] == ["a:0"]
    assert data["plans"][0]["run"] is None


def test_control_dependency_pulls_the_assign_in():
    data = subgraph_json(ASSIGN, "--run", "2")
    assert "AssignAdd" in data["ran"] and "Assign" not in data["ran"]


def test_why_gives_the_chain_or_the_reason():
    data = subgraph_json(FEED_CUT, "--run", "1", "--why", "x")
    assert data["why"]["runs"] is True
    assert [(s["op"], s["edge"]) for s in data["why"]["chain"]] == [("b", "fetched"), ("a", "input 0"),
                                                                     ("x", "input 0")]
    cut = subgraph_json(FEED_CUT, "--run", "0", "--why", "x")["why"]
    assert cut["runs"] is False and "upstream of the fed tensor a:0" in cut["reason"]
    unused = subgraph_json(ASSIGN, "--run", "1", "--why", "Assign")["why"]
    assert unused["runs"] is False and "no fetched op depends on it" in unused["reason"]
    assert "control_dependencies" in unused["reason"]


def test_why_in_text():
    result = run_cli("subgraph", ADD_POW, "--run", "0", "--why", "Mul_1", "--quiet")
    assert result.code == 0
    text = " ".join(result.out.split())  # rich wraps at the terminal width
    assert "Mul_1 does not run: no fetched op depends on it" in text
    assert "nothing in the graph consumes it at all" in text


def test_unknown_names_are_usage_errors_with_suggestions():
    result = run_cli("subgraph", ADD_POW, "--fetch", "Pwo", "--quiet")
    assert result.code == 2 and "no op named 'Pwo'" in result.err and "did you mean Pow" in result.err
    result = run_cli("subgraph", ADD_POW, "--run", "9", "--quiet")
    assert result.code == 2 and "numbered 0 to 1" in result.err
    result = run_cli("subgraph", ADD_POW, "--run", "0", "--fetch", "Pow", "--quiet")
    assert result.code == 2 and "give one" in result.err


def test_unused_lists_never_run_ops_with_lines():
    result = run_cli_cached("graph", ASSIGN, "--unused", "--format", "json", "--quiet")
    assert result.code == 0, result.err
    unused = {op["name"]: op for op in result.json()["unused"]}
    assert {"Assign", "Print"} <= set(unused)
    assert "AssignAdd" not in unused
    assert unused["Assign"]["source"]["line"] == 11 and unused["Print"]["source"]["line"] == 13
    text = run_cli("graph", ASSIGN, "--unused", "--quiet")
    assert "Not run by any of the 3 executed runs" in text.out


def test_unused_in_a_lecture_fixture():
    result = run_cli_cached("graph", ADD_POW, "--unused", "--format", "json", "--quiet")
    assert result.json()["unused"] == []  # the second run fetches useless too


def test_picture_without_output_file_refuses_png():
    result = run_cli("subgraph", ADD_POW, "--format", "png", "--quiet")
    assert result.code == 2 and "needs -o FILE" in result.err


def test_picture_is_not_written_over_an_existing_file(tmp_path):
    target = tmp_path / "g.dot"
    target.write_text("mine")
    result = run_cli("subgraph", ADD_POW, "--format", "dot", "-o", str(target), "--quiet")
    assert result.code == 2 and "exists; add --force" in result.err
    assert target.read_text() == "mine"
    assert run_cli("subgraph", ADD_POW, "--format", "dot", "-o", str(target), "--force", "--quiet").code == 0
    assert target.read_text().startswith("digraph tfinspect")


def test_svg_needs_dot_and_writes_nothing_unasked(tmp_path, monkeypatch):
    import tfinspect.render.dot as dot

    monkeypatch.setattr(dot, "dot_available", lambda: False)
    result = run_cli("subgraph", ADD_POW, "--format", "svg", "-o", str(tmp_path / "g.svg"), "--quiet")
    assert result.code == 2
    assert "apt-get install graphviz" in result.err and "--format dot" in result.err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not __import__("shutil").which("dot"), reason="graphviz's dot is not installed")
def test_svg_and_png_render(tmp_path):
    assert run_cli("subgraph", ADD_POW, "--format", "svg", "-o", str(tmp_path / "g.svg"), "--quiet").code == 0
    assert "<svg" in (tmp_path / "g.svg").read_text()
    assert run_cli("subgraph", ADD_POW, "--format", "png", "-o", str(tmp_path / "g.png"), "--quiet").code == 0
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


PICTURE_FIXTURES = ["lectures/add_pow.py", "lectures/linreg_feed.py", "lectures/linreg_dataset.py",
                    "lectures/two_layers_broken.py", "lectures/two_layers_shared.py",
                    "lectures/two_layers_auto_reuse.py", "lectures/word2vec.py",
                    "subgraph/assign_never_runs.py", "subgraph/feed_cuts_graph.py"]


@pytest.mark.parametrize("fixture", PICTURE_FIXTURES)
def test_pictures_match_golden_dot(fixture, golden, monkeypatch, tmp_path):
    monkeypatch.chdir(REPO)
    result = run_cli("subgraph", f"fixtures/{fixture}", "--format", "dot", "--depth", "1", "--quiet",
                     "--cwd", str(tmp_path))
    assert result.code == 0, result.err
    assert result.out.startswith("digraph tfinspect {")
    golden(f"dot/{fixture.replace('/', '__').removesuffix('.py')}.dot", result.out)


@pytest.mark.parametrize("fixture, series", [
    ("pictures/three_towers.py", ["tower_* ×3", "truediv_* ×3"]),
    ("pictures/twenty_layers.py", ["h* ×20", "h* ×19", "update_h* ×20"]),
])
def test_numbered_scopes_are_one_box(fixture, series, golden, monkeypatch, tmp_path):
    """Without --depth, towers and layers of the same make-up are drawn as one box xN, as TensorBoard groups them."""
    skip_without_legacy_keras(REPO / "fixtures" / fixture)
    monkeypatch.chdir(REPO)
    result = run_cli("subgraph", f"fixtures/{fixture}", "--format", "dot", "--quiet", "--cwd", str(tmp_path))
    assert result.code == 0, result.err
    labels = [line.split('label="')[1].split("\\n")[0] for line in result.out.splitlines()
              if '×' in line and 'label="' in line and " -> " not in line]
    assert labels == series
    golden(f"dot/{fixture.replace('/', '__').removesuffix('.py')}.dot", result.out)


def test_graph_tree_shows_numbered_scopes_as_one_line():
    text = run_cli_cached("graph", str(FIXTURES / "pictures" / "twenty_layers.py"), "--quiet").out
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "├── h*/ ×20 16 ops each" in lines and "└── update_h*/ ×20 2 ops each" in lines
    assert not any(line.startswith(("├── h1/", "├── h2/")) for line in lines)


def test_expand_opens_a_scope(monkeypatch, tmp_path):
    monkeypatch.chdir(REPO)
    args = ("subgraph", "fixtures/pictures/twenty_layers.py", "--format", "dot", "--quiet", "--cwd", str(tmp_path))
    opened = run_cli(*args, "--expand", "h3")
    assert opened.code == 0, opened.err
    assert '"h3/MatMul"' in opened.out and 'label="h3/"' in opened.out  # its ops, in its cluster
    assert not re.search(r'label="h\* ×20', opened.out) and '"h1/*"' in opened.out  # the series is open: its other layers are boxes
    wrong = run_cli(*args, "--expand", "h33")
    assert wrong.code == 2 and "--expand 'h33': no such name scope in the graph; did you mean h3" in wrong.err


def test_a_huge_graph_is_collapsed_to_a_readable_picture(tmp_path):
    """160,000 ops in two towers of 80 layers: a handful of boxes, never 160,000 handed to graphviz."""
    from benchmarks.big_graph import big_graph_def

    from tfinspect.index.graphindex import GraphIndex
    from tfinspect.analyses.collapse import BOX_BUDGET, picture

    for shape, most in (("layers", 10), ("irregular", BOX_BUDGET), ("flat", 10)):
        graph_def = big_graph_def(160_000, shape=shape)
        boxes = len(picture(GraphIndex.build(graph_def)).boxes)
        assert 3 <= boxes <= most, (shape, boxes)
    out = tmp_path / "big.pb"
    out.write_bytes(big_graph_def(160_000, shape="layers").SerializeToString())
    text = run_cli("dump", str(out), "--format", "dot")
    assert text.code == 0 and 'label="layer_* ×80\\n80000 ops"' in text.out


def test_dot_is_stopped_at_the_timeout(tmp_path, monkeypatch):
    """A picture forced to full detail (--depth 0) cannot keep graphviz busy past --timeout."""
    import tfinspect.render.dot as dot

    if not dot.dot_available():
        pytest.skip("graphviz's dot is not installed")
    from benchmarks.big_graph import big_graph_def

    out = tmp_path / "big.pb"
    out.write_bytes(big_graph_def(20_000, shape="flat").SerializeToString())
    monkeypatch.setattr(dot, "PROGRESS_EVERY", 0.4)
    result = run_cli("dump", str(out), "--format", "svg", "-o", str(tmp_path / "big.svg"), "--depth", "0",
                     "--timeout", "1")
    assert result.code == 2
    assert re.search(r"graphviz's dot is drawing about 20,0\d\d boxes", result.err)
    assert "did not finish drawing in 1 s" in result.err and "Traceback" not in result.err
    assert "graphviz's dot is still drawing (0 s)" in result.err  # progress while it works
    assert not (tmp_path / "big.svg").exists()


def test_sparse_and_named_feeds_and_nested_fetches():
    script = str(FIXTURES / "scripts" / "sparse_feed_after_reset.py")
    graph = run_cli_cached("graph", script, "--format", "json", "--quiet").json()
    assert [g["ops"] for g in graph["graphs"]] == [1, 11]
    run = each_run(graph)[1]
    assert run["fetches"] == ["mul:0", "SparseReduceSum:0", "x:0"]
    assert run["feeds"] == ["x:0", "sp/indices:0", "sp/values:0", "sp/shape:0"]
    data = subgraph_json(script, "--run", "1")
    assert set(data["cut_off"]) == {"x", "sp/indices", "sp/values", "sp/shape"}


def test_unused_does_not_list_fed_placeholders():
    """A fed placeholder takes its value from the feed: it is used, not 'not run'."""
    result = run_cli_cached("graph", str(FIXTURES / "lectures" / "linreg_feed.py"), "--unused", "--format", "json",
                            "--quiet")
    unused = {op["name"] for op in result.json()["unused"]}
    assert unused and not unused & {"X", "Y"}
