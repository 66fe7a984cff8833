"""The structure the code promises: what re-analyses a store, layers, Python version."""


def test_the_analysis_signature_follows_code_and_data_not_comments():
    from importlib import resources

    from newstrace.runner import ANALYSIS_DATA, CORPUS_DATA, AnalyzeOptions, analysis_signature, code_digest

    code = 'def f(x):\n    """Doc."""\n    return x + 1  # one more\n'
    assert code_digest([code]) == code_digest(['def f(x):\n    # reworded\n    return x + 1\n'])
    assert code_digest([code]) != code_digest(['def f(x):\n    return x + 2\n'])
    # every data file is declared as read by per-article analysis or by a corpus pass
    shipped = {f.name for f in resources.files("newstrace.data").iterdir()
               if f.name.endswith((".toml", ".json", ".npz"))}
    declared = {n for names in ANALYSIS_DATA.values() for n in names} | set(CORPUS_DATA)
    assert shipped <= declared, shipped - declared
    signatures = {analysis_signature(AnalyzeOptions(attributions=a, events=e)) for a in (True, False)
                  for e in (True, False)}
    assert len(signatures) == 4


def test_the_code_runs_on_the_oldest_python_it_declares():
    import re
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from newstrace.compat import tomllib

    root = Path(__file__).resolve().parents[1]
    declared = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"]["requires-python"]
    oldest = tuple(int(x) for x in re.fullmatch(r">=\s*(\d+)\.(\d+)", declared).groups())
    vermin = shutil.which("vermin", path=str(Path(sys.executable).parent)) or shutil.which("vermin")
    assert vermin, "vermin is in the test extra (pip install -e '.[test]')"
    res = subprocess.run([vermin, "--no-tips", "--eval-annotations", "--backport", "typing",
                          "--violations", "-t=%d.%d-" % oldest, str(root / "src" / "newstrace")],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]


def test_a_store_keeps_one_sentence_model(tmp_path, monkeypatch):
    import pytest

    from newstrace.runner import AnalyzeOptions, analyze
    from newstrace.store import StoreError

    src = tmp_path / "in.txt"
    src.write_text("Ferry service resumes\n\nThe ferry to Inch Island ran again on Monday after the storm, "
                   "the operator said. Two sailings were added.\n", encoding="utf-8")
    opts = AnalyzeOptions(jobs=1, report=False, claims=False, events=False, attributions=False)
    monkeypatch.setenv("NEWSTRACE_SENTENCE_MODEL", "minilm")
    analyze([str(src)], tmp_path / "out", opts)
    monkeypatch.setenv("NEWSTRACE_SENTENCE_MODEL", "static")
    with pytest.raises(StoreError, match="minilm model, not static"):
        analyze([str(src)], tmp_path / "out", opts)
    monkeypatch.setenv("NEWSTRACE_SENTENCE_MODEL", "nonsense")
    with pytest.raises(ValueError, match="NEWSTRACE_SENTENCE_MODEL"):
        analyze([str(src)], tmp_path / "out2", opts)


# Layers, lowest first: a module may import its own layer's packages and lower layers, never a
# higher one (not even inside a function). Data flows one way, up this list.
LAYERS = [
    {"records", "compat", "digest", "pipeline", "workers", "data"},
    {"store"},
    {"ingest", "normalize"},
    {"language"},
    {"attribution", "events"},
    {"unit"},
    {"stories", "provenance"},
    {"claims"},
    {"export", "report"},
    {"commands", "runner", "serve", "cli", "__main__", "__init__"},
]


def _layer(module: str) -> int:
    top = module.split(".")[1] if module.count(".") else "__init__"
    for k, names in enumerate(LAYERS):
        if top in names:
            return k
    raise AssertionError(f"newstrace.{top} is in no layer: add it to LAYERS")


def _modules():
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "src"
    for path in sorted((src / "newstrace").rglob("*.py")):
        rel = path.relative_to(src).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        yield ".".join(parts), path


def test_no_module_imports_a_higher_layer_not_even_inside_a_function():
    import ast

    wrong = []
    for name, path in _modules():
        own = _layer(name)
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            targets = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("newstrace"):
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names if node.module == "newstrace"]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("newstrace")]
            for t in targets:
                if t == "newstrace" or (t.count(".") == 1 and t.split(".")[1] in ("__version__",)):
                    continue
                if _layer(t) > own:
                    wrong.append(f"{name} (layer {own}) imports {t} (layer {_layer(t)})")
    assert not wrong, "\n".join(wrong)


def test_each_package_imports_alone_and_loads_nothing_above_it():
    import subprocess
    import sys

    packages = sorted({name.split(".")[1] for name, _ in _modules() if name.count(".")} - {"__main__"})
    code = ("import importlib, pkgutil, sys\n"
            "pkg = importlib.import_module('newstrace.' + sys.argv[1])\n"
            "for m in pkgutil.walk_packages(getattr(pkg, '__path__', []), pkg.__name__ + '.'):\n"
            "    importlib.import_module(m.name)\n"
            "print('\\n'.join(m for m in sys.modules if m.startswith('newstrace.')))\n")
    for pkg in packages:
        res = subprocess.run([sys.executable, "-c", code, pkg], capture_output=True, text=True)
        assert res.returncode == 0, f"newstrace.{pkg} does not import alone:\n{res.stderr[-2000:]}"
        above = [m for m in res.stdout.split() if _layer(m) > _layer(f"newstrace.{pkg}")]
        assert not above, f"importing newstrace.{pkg} loads {above}"


STREAM = r"""
import random, sys
from collections import Counter
from newstrace.stories.cluster import StoryClusterer, StoryFeatures, StoryModel
rng = random.Random(5)
vocab = [f"w{i}" for i in range(60)]
names = [f"n{i}" for i in range(15)]
c = StoryClusterer(StoryModel(["cos_words", "cos_entities"], [4.0, 3.0], -3.5, 0.5))
out = []
for i in range(1500):
    words = Counter(rng.choice(vocab) for _ in range(12))
    ents = Counter(rng.choice(names) for _ in range(3))
    out.append(c.add(StoryFeatures(f"a{i}", words, ents, float(i // 50), None, None, None, frozenset())).story_id)
print(" ".join(out))
"""


def test_stories_do_not_depend_on_string_hashing():
    import os
    import subprocess
    import sys

    runs = [subprocess.run([sys.executable, "-c", STREAM], capture_output=True, text=True,
                           env=dict(os.environ, PYTHONHASHSEED=str(seed))) for seed in (1, 2, 3)]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr[-2000:]
    assert len(set(runs[0].stdout.split())) > 20  # many stories, many ties to break
    assert runs[0].stdout == runs[1].stdout == runs[2].stdout


def test_the_slow_marker_selects_the_benchmark_style_tests():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    slow = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "slow", "-p", "no:cacheprovider"],
                          capture_output=True, text=True, cwd=root)
    picked = [line for line in slow.stdout.splitlines() if "::" in line]
    assert any("test_slow.py::test_a_small_soak" in line for line in picked), slow.stdout[-2000:]
    assert all(line.startswith("tests/test_slow.py") for line in picked), picked  # and nothing of the quick suite


def test_only_the_store_speaks_sql():
    import ast
    import re

    sql = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|DELETE\s+FROM|UPDATE\s+\w+\s+SET|CREATE\s+TABLE)\b")
    wrong = []
    for name, path in _modules():
        if name.startswith("newstrace.store"):
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and sql.search(node.value):
                wrong.append(f"{name}: SQL text {node.value[:60]!r}")
            elif isinstance(node, ast.Attribute) and node.attr in ("execute", "executemany", "executescript"):
                wrong.append(f"{name}: calls .{node.attr}()")
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if any(m.split(".")[0] in ("sqlite3", "duckdb") for m in mods):
                    wrong.append(f"{name}: imports {mods}")
    assert not wrong, "\n".join(wrong)


def test_spacy_loads_without_pytorch():
    """thinc imports PyTorch when it is installed (about 180 MB a process); newstrace hides it
    from thinc, so no process that runs spaCy holds it, and PyTorch stays importable after."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from newstrace.language.nlp import load_nlp\n"
            "from newstrace.language.words import stop_words\n"
            "doc = load_nlp(True)('Rebels met officials in Accra.')\n"
            "stop_words()\n"
            "assert len(doc.ents) >= 1\n"
            "print('torch' in sys.modules)\n"
            "import importlib.util\n"
            "print(importlib.util.find_spec('torch') is not None)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "False"
    assert out[1] == "True"


def test_the_vector_index_and_onnx_runtime_load_in_either_order():
    """usearch's native module loaded before ONNX Runtime's crashed the process (a segfault once
    PyTorch no longer came first): every module that imports usearch loads ONNX Runtime first."""
    import subprocess
    import sys

    code = "import newstrace.provenance.stage\nimport onnxruntime\nprint('ok')\n"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == "ok", (run.returncode, run.stderr[-500:])


def test_each_corpus_pass_has_its_own_store_module():
    from newstrace.store import Store

    assert Store.put_membership.__module__ == "newstrace.store.stories"
    assert Store.unclustered.__module__ == "newstrace.store.stories"
    assert Store.put_derivation.__module__ == "newstrace.store.provenance"
    assert Store.put_family_decisions.__module__ == "newstrace.store.provenance"
    assert Store.put_claims.__module__ == "newstrace.store.claims"
    assert Store.put_article.__module__ == "newstrace.store"
