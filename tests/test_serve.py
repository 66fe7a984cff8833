"""`newstrace serve` (issue 20): every route and its JSON twin, paging, filters, errors, the
store opened read-only, and hostile articles rendered harmless.

One store is analysed for the module: the bundled example corpus plus two hostile articles
written for these tests (script tags, event handlers, a `javascript:` URL, `</script>` in
the text, markup in the outlet's name)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HOSTILE_OUTLET = 'Evil "><script>window.__owned=1</script> Daily'
HOSTILE = [
    {"id": "hostile-1", "title": "<script>window.__owned=1</script>Harbour <b>news</b>",
     "url": "javascript:window.__owned=1", "source": HOSTILE_OUTLET, "published": "2026-03-05",
     "text": "<script>window.__owned=1</script>\n\nThe harbour master said the bulk carrier leaked fuel near "
             "Marrowick on Monday. <img src=x onerror=\"window.__owned=1\"> The mayor said the clean-up "
             "would cost 2 million euros. </script><script>window.__owned=2</script> "
             "<a href=\"javascript:window.__owned=3\">click</a> and <svg onload=window.__owned=4>."},
    {"id": "hostile-2\"><script>x</script>", "title": "Fuel spill: onmouseover=\"alert(1)\" reaction",
     "source": HOSTILE_OUTLET, "published": "2026-03-06",
     "text": "Salvage crews began pumping fuel from the grounded ship on Tuesday, the harbour authority said. "
             "'); DROP TABLE articles; -- the spokesman added that no more oil had escaped."},
]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from newstrace.runner import AnalyzeOptions, analyze

    base = tmp_path_factory.mktemp("serve")
    corpus = base / "corpus"
    shutil.copytree(ROOT / "examples" / "corpus", corpus)
    (corpus / "hostile.jsonl").write_text("\n".join(json.dumps(r) for r in HOSTILE) + "\n", encoding="utf-8")
    out = base / "out"
    analyze([str(corpus)], out, AnalyzeOptions(report=False, jobs=1, actors=str(ROOT / "examples" / "actors.toml")))
    return out


@pytest.fixture(scope="module")
def client(served):
    from newstrace.serve import create_app

    return TestClient(create_app(served))


def _json(client, path, status=200):
    r = client.get(path)
    assert r.status_code == status, (path, r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("application/json"), path
    return r.json()


def _html(client, path, status=200):
    r = client.get(path)
    assert r.status_code == status, (path, r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("text/html"), path
    assert "<script" not in r.text.lower(), f"{path}: a script in the page"
    assert "Content-Security-Policy" in r.headers and "default-src 'none'" in r.headers["Content-Security-Policy"]
    return r.text


def test_overview_and_its_twin(client, served):
    data = _json(client, "/.json")
    db = sqlite3.connect(served / "newstrace.db")
    assert data["counts"]["articles"] == db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 12
    assert data["counts"]["stories"] == db.execute("SELECT COUNT(DISTINCT story_id) FROM story_members").fetchone()[0]
    assert data["counts"]["claims"] == db.execute("SELECT COUNT(*) FROM claims").fetchone()[0] > 0
    assert {o["outlet"] for o in data["outlets"]} >= {"The Coastal Herald", HOSTILE_OUTLET}
    assert data["runs"] and data["runs"][0]["status"] in ("ok", "skipped")
    page = _html(client, "/")
    assert "Overview" in page and "The Coastal Herald" in page
    # Accept: application/json on the page's own path is the twin too
    assert client.get("/", headers={"accept": "application/json"}).json() == data


def test_story_list_pages_filters_and_sorts(client):
    everything = _json(client, "/stories.json?limit=200")
    total = everything["paging"]["total"]
    assert total == len(everything["stories"]) >= 2
    sizes = [s["size"] for s in everything["stories"]]
    assert sizes == sorted(sizes, reverse=True)  # largest first by default
    first = _json(client, "/stories.json?limit=1")
    assert len(first["stories"]) == 1 and first["paging"]["next_offset"] == 1
    second = _json(client, "/stories.json?limit=1&offset=1")
    assert second["stories"][0]["id"] == everything["stories"][1]["id"]
    assert second["paging"]["prev_offset"] == 0
    herald = _json(client, "/stories.json?outlet=The%20Coastal%20Herald")
    assert herald["stories"] and all("The Coastal Herald" in s["outlet_names"] or s["outlets"] > 4
                                     for s in herald["stories"])
    assert herald["paging"]["total"] < total or total == 1
    derived = _json(client, "/stories.json?derived=yes")["stories"]
    assert derived and all(s["derived"] > 0 for s in derived)
    assert all(s["derived"] == 0 for s in _json(client, "/stories.json?derived=no")["stories"])
    assert all(s["unsupported"] > 0 for s in _json(client, "/stories.json?unsupported=yes")["stories"])
    assert all(s["size"] >= 3 for s in _json(client, "/stories.json?min_size=3")["stories"])
    assert _json(client, "/stories.json?since=2030-01-01")["stories"] == []
    recent = [s["end"] for s in _json(client, "/stories.json?sort=recent")["stories"]]
    assert recent == sorted(recent, reverse=True)
    top = everything["stories"][0]
    ent = _json(client, f"/stories/{top['id']}.json")["story"]["top_entities"][0]["text"]
    assert top["id"] in {s["id"] for s in _json(client, "/stories.json?entity=" + ent)["stories"]}
    page = _html(client, "/stories?derived=yes")
    assert 'href="/stories/' in page


def test_story_page(client):
    sid = _json(client, "/stories.json?derived=yes")["stories"][0]["id"]
    data = _json(client, f"/stories/{sid}.json")
    assert data["story"]["id"] == sid and data["members"]
    assert data["families"] and all(set(f) >= {"roots", "derivations"} for f in data["families"])
    assert data["claims"] and all(c["story_id"] == sid for c in data["claims"])
    assert data["said"] and data["counts"]["claims"] == data["claims_total"]
    mx = data["matrix"]
    assert mx["rows"] and mx["columns"] and mx["multi"] >= 1  # a claim told by several articles of the story
    assert all(len(r["cells"]) == len(mx["columns"]) for r in mx["rows"])
    told = [r for r in mx["rows"] if r["count"] > 1][0]
    assert sum(1 for c in told["cells"] if c and c["reports"]) == told["count"]
    dates = [m["published"] for m in data["members"] if m.get("published")]
    assert dates == sorted(dates)
    page = _html(client, f"/stories/{sid}")
    for part in ("Timeline", "Families of rewrites", "Claims across the articles", "Who said what", "Events"):
        assert part in page
    assert "/compare?a=" in page
    assert page.count('class="tl-mark') == len([m for m in data["members"] if m.get("published")])  # the timeline


def test_article_page_and_both_ways_of_derivation(client):
    derived_story = _json(client, "/stories.json?derived=yes")["stories"][0]["id"]
    fam = _json(client, f"/stories/{derived_story}.json")["families"][0]
    d = fam["derivations"][0]
    child = _json(client, f"/articles/{d['derived_id']}.json")
    assert child["article"]["id"] == d["derived_id"] and child["article"]["text"]
    assert d["source_id"] in {x["source_id"] for x in child["derivations"]["sources"]}
    parent = _json(client, f"/articles/{d['source_id']}.json")
    assert d["derived_id"] in {x["derived_id"] for x in parent["derivations"]["derived"]}
    assert child["sentences"] and child["claims"] is not None
    page = _html(client, f"/articles/{d['derived_id']}")
    assert "Derived from" in page and 'class="cl cl-' in page and "/compare?a=" in page
    both = _json(client, f"/compare.json?a={d['derived_id']}&b={d['source_id']}")
    assert both["pair"]["passages"] and both["a"]["id"] == d["derived_id"]
    cmp_page = _html(client, f"/compare?a={d['derived_id']}&b={d['source_id']}")
    assert cmp_page.count('class="pg ') >= 2  # passages marked on both sides


def test_claims_search_and_filters(client):
    unsupported = _json(client, "/claims.json?status=unsupported&limit=5")
    assert unsupported["claims"] and all(c["status"] == "unsupported" for c in unsupported["claims"])
    assert len(unsupported["claims"]) <= 5
    by_outlet = _json(client, "/claims.json?outlet=The%20Coastal%20Herald")["claims"]
    assert by_outlet and all(c["outlet"] == "The Coastal Herald" for c in by_outlet)
    hits = _json(client, "/claims.json?q=fuel")
    assert hits["claims"] and all("fuel" in c["text"].lower() for c in hits["claims"])
    speaker = next((c["speaker"] for c in _json(client, "/claims.json?limit=200")["claims"] if c["speaker"]), None)
    if speaker:
        assert all(c["speaker"].lower() == speaker.lower()
                   for c in _json(client, "/claims.json?speaker=" + speaker)["claims"])
    _html(client, "/claims?status=contradicted")


def test_claims_sorted_by_check_worthiness_and_support(client):
    worth = [c["checkworthiness"] for c in _json(client, "/claims.json?sort=worth&limit=200")["claims"]]
    assert worth == sorted(worth, reverse=True) and len(set(worth)) > 1
    score = [c["score"] for c in _json(client, "/claims.json?sort=score&limit=200")["claims"]]
    assert score == sorted(score)
    assert client.get("/claims.json?sort=random").status_code == 400


def test_families(client):
    data = _json(client, "/families.json")
    assert data["families"] and data["paging"]["total"] == len(data["families"])
    sizes = [len(f["article_ids"]) for f in data["families"]]
    assert sizes == sorted(sizes, reverse=True)
    f = data["families"][0]
    assert f["roots"] and f["derivations"] and set(f["roots"]) <= set(f["article_ids"])
    assert all(a in data["titles"] for a in f["article_ids"])
    page = _html(client, "/families")
    assert page.count('class="family"') == len(data["families"]) and "/compare?a=" in page
    assert page.count('<svg class="pv"') == sum(1 for f in data["families"] if f["derivations"])  # drawn
    assert page.count('class="pv-node') >= len(f["article_ids"])
    langs = {l["language"]: l["articles"] for l in _json(client, "/.json")["languages"]}
    assert langs.get("en", 0) >= 10 and sum(langs.values()) == 12


def test_outlets(client, served):
    data = _json(client, "/outlets.json")
    rows = {o["outlet"]: o for o in data["outlets"]}
    claims = _json(client, "/claims.json?limit=200")
    herald = rows["The Coastal Herald"]
    mine = [c for c in claims["claims"] if c["outlet"] == "The Coastal Herald"]
    assert claims["paging"]["total"] <= 200 and herald["claims"] == len(mine)
    assert herald["unsupported"] == sum(1 for c in mine if c["status"] == "unsupported")
    assert sum(o["articles"] for o in rows.values()) == 12
    assert sum(o["derived"] for o in rows.values()) == _json(client, "/.json")["counts"]["derived"] > 0
    assert sum(o["sourced"] for o in rows.values()) >= 1
    assert rows[HOSTILE_OUTLET]["articles"] == 2
    assert 0 <= herald["shares"]["unsupported"] <= 1
    page = _html(client, "/outlets")
    assert "The Coastal Herald" in page and "&lt;script&gt;" in page


def test_search_highlights_and_pages(client):
    data = _json(client, "/search.json?q=salvage&limit=2")
    assert data["articles"] and len(data["articles"]) <= 2
    assert all(any(p["match"] and p["text"].lower().startswith("salvage") for p in a["snippet"])
               for a in data["articles"])
    # the query language is not exposed: operators and quotes are words like any other
    assert _json(client, '/search.json?q=salvage"%20OR%20NEAR(')["q"]
    page = _html(client, "/search?q=salvage")
    assert "<mark>" in page.lower()
    empty = _json(client, "/search.json?q=")
    assert empty["articles"] == []


def test_a_search_with_very_many_matches_lists_the_newest_first(client, served, monkeypatch):
    import newstrace.store.catalogue as catalogue
    from newstrace.store import Store

    ranked = _json(client, "/search.json?q=the")
    assert ranked["ranked"] is True
    monkeypatch.setattr(catalogue, "RANKED_MATCHES", 1)
    newest = _json(client, "/search.json?q=the")
    assert newest["ranked"] is False and newest["articles_page"]["total"] == ranked["articles_page"]["total"] > 1
    stored = Store.reader(served / "newstrace.db").all_article_ids()  # in the order they were stored
    ids = [a["id"] for a in newest["articles"]]
    assert ids == sorted(ids, key=stored.index, reverse=True) and len(ids) > 1
    assert set(ids) == {a["id"] for a in ranked["articles"]}  # the same matches, in another order
    assert "newest are listed first" in client.get("/search?q=the").text


def test_actors(client):
    data = _json(client, "/actors.json")
    assert data["actors"] and data["paging"]["total"] >= len(data["actors"])
    graph = data["network"]
    assert graph["nodes"] and graph["edges"]
    assert {n["code"] for n in graph["nodes"]} <= {a["actor"] for a in data["actors"]}
    assert _json(client, "/actors.json?offset=1")["network"] is None  # drawn on the first page only
    key = data["actors"][0]["actor"]
    one = _json(client, f"/actors/{key}.json")
    assert one["actor"]["actor"] == key and one["events"]
    assert all(key in ((e.get("source") or {}).get("code"), (e.get("target") or {}).get("code"),
                       (e.get("source") or {}).get("text"), (e.get("target") or {}).get("text"))
               for e in one["events"])
    busiest = _html(client, f"/actors/{key}")
    assert 'class="ev-tl"' in busiest and "ev-dot" in busiest  # its pairs over time
    page = _html(client, "/actors")
    assert "<svg" in page and 'href="/actors/' in page and "style=" not in page  # (the CSP allows no inline style)
    _html(client, f"/actors/{key}")


@pytest.mark.parametrize("path", ["/stories/no-such-story", "/articles/no-such-article", "/actors/NOPE",
                                  "/compare?a=no-such&b=nor-this", "/no/such/page"])
def test_unknown_ids_are_404_as_page_and_json(client, path):
    _html(client, path, 404)
    r = client.get(path, headers={"accept": "application/json"})
    assert r.status_code == 404 and r.json()["error"]["status"] == 404 and r.json()["error"]["message"]


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "offset=-1", "sort=nonsense", "since=yesterday",
                                   "derived=maybe", "min_size=0", "outlet=" + "x" * 201])
def test_bad_parameters_are_400(client, query):
    r = client.get("/stories.json?" + query)
    assert r.status_code == 400, (query, r.status_code)
    assert "bad parameter" in r.json()["error"]["message"]
    _html(client, "/stories?" + query, 400)


def test_an_empty_form_field_is_no_filter(client):
    every = _json(client, "/stories.json")["paging"]["total"]
    blank = _json(client, "/stories.json?outlet=&entity=&since=&until=&min_size=&derived=&unsupported=&sort=size")
    assert blank["paging"]["total"] == every
    assert _json(client, "/claims.json?status=&outlet=&speaker=&story=&q=")["paging"]["total"] == \
        _json(client, "/claims.json")["paging"]["total"]


def test_limits_on_query_size_and_bad_compare(client):
    r = client.get("/search.json?q=" + "a" * 2500)
    assert r.status_code == 400
    assert client.get("/compare.json?a=x").status_code == 400  # b missing


def test_hostile_articles_are_escaped(client):
    for aid in ("hostile-1", 'hostile-2"><script>x</script>'):
        page = _html(client, "/articles/" + quote_all(aid))
        assert 'href="javascript:' not in page
        assert "onerror=\"" not in page and "<img" not in page and "<svg" not in page
        assert "&lt;script&gt;" in page
    for path in ("/", "/stories", "/claims?q=fuel", "/search?q=harbour", "/stories?outlet=" + quote_all(HOSTILE_OUTLET)):
        _html(client, path)  # no script anywhere
    data = _json(client, "/articles/hostile-1.json")
    assert data["article"]["title"].startswith("<script>")  # JSON keeps the text as it is


def quote_all(text):
    from urllib.parse import quote
    return quote(text, safe="")


def test_the_store_is_read_only(client, served):
    from newstrace.serve.app import create_app

    before = (served / "newstrace.db").stat().st_mtime_ns
    for path in ("/", "/stories", "/search?q=fuel", "/articles/hostile-2%22%3E%3Cscript%3Ex%3C%2Fscript%3E"):
        client.get(path)
    assert (served / "newstrace.db").stat().st_mtime_ns == before
    app = create_app(served)
    assert app.openapi()["paths"]  # the schema documents the routes


def test_every_route_has_a_json_twin(client):
    paths = [r.path for r in client.app.routes if getattr(r, "methods", None) and "GET" in r.methods]
    pages = [p for p in paths if not p.endswith(".json") and not p.startswith(("/static", "/openapi", "/docs"))
             and p not in ("/favicon.ico",)]
    assert set(pages) >= {"/", "/stories", "/stories/{story_id}", "/articles/{article_id:path}", "/compare", "/outlets", "/families",
                          "/claims", "/actors", "/actors/{actor}", "/search"}
    for p in pages:
        twin = "/.json" if p == "/" else p + ".json"
        assert twin in paths, p


def test_a_folder_without_a_store_is_refused(tmp_path):
    from newstrace.serve import ServeError, create_app

    with pytest.raises(ServeError, match="no newstrace store"):
        create_app(tmp_path)
    (tmp_path / "newstrace.db").write_bytes(b"not a database at all " * 500)
    with pytest.raises(ServeError, match="cannot read the database .*newstrace.db: file is not a database"):
        create_app(tmp_path)


def test_docs_api_names_every_route(client):
    doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    paths = [r.path for r in client.app.routes if getattr(r, "methods", None) and "GET" in r.methods
             and not r.path.endswith(".json") and not r.path.startswith(("/static", "/openapi")) and r.path != "/favicon.ico"]
    for p in paths:
        shown = p.replace("{article_id:path}", "{id}").replace("{story_id}", "{id}")
        assert f"`{shown}" in doc, f"docs/api.md does not document {p}"
