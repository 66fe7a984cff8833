"""The web application of `newstrace serve`: FastAPI routes over a store opened read-only.

Every page has a JSON twin: the same path with `.json`, or the page's path asked for with
`Accept: application/json`. The JSON is the data the page renders (`views.py`); the OpenAPI
schema is at /openapi.json (docs/api.md describes the routes).

Safety: the store is opened read-only (SQLite `mode=ro`, `query_only`); a request's path
and parameters only ever reach SQL as bound parameters, never the file system (the style
sheet is held in memory); Jinja escapes every text; pages carry a Content-Security-Policy
that allows no script at all (the pages have none), so even a text that escaped escaping
could not run; parameters are validated (sizes, ranges, patterns) and a bad one gets a 400,
an unknown id a 404, as a page or as JSON.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader
from starlette.exceptions import HTTPException as StarletteHTTPException

from newstrace import __version__
from newstrace.report import render
from newstrace.serve import pages, views
from newstrace.store import Store, StoreError

DB_NAME = "newstrace.db"
MAX_LIMIT = 200  # records a list page holds at most
DEFAULT_LIMIT = 50
MAX_OFFSET = 10_000_000
MAX_QUERY = 2_000  # characters of a query string
MAX_TEXT = 200  # characters of a text parameter
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
_HERE = Path(__file__).parent
YES_NO = r"^(yes|no|)$"
DAY = r"^(\d{4}(-\d{2}(-\d{2})?)?)?$"


class ServeError(RuntimeError):
    """The folder cannot be served (no store, or a store without the catalogue)."""


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(_HERE / "templates")), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["u"] = lambda v: quote(str(v if v is not None else ""), safe="")
    env.filters["thousands"] = lambda n: f"{n:,}" if isinstance(n, int) else ("" if n is None else n)
    env.filters["percent"] = render.percent
    env.filters["short_date"] = render.short_date
    env.filters["datetime"] = render.pretty_datetime
    env.filters["safe_url"] = render.safe_url
    env.filters["claim_no"] = _claim_no
    return env


def _claim_no(claim_id: Any) -> str:
    """A claim's number in its article (its anchor there), from its id ("<article>:c<index>")."""
    _, _, n = str(claim_id).rpartition(":c")
    return str(int(n) + 1) if n.isdigit() else ""


def _flag(value: str | None) -> bool | None:
    return None if not value else value == "yes"


def create_app(out_dir: Path | str) -> FastAPI:
    """The application over the store in `out_dir` (raises ServeError when there is none)."""
    out = Path(out_dir)
    db = out / DB_NAME
    if not db.is_file():
        raise ServeError(f"{out} holds no newstrace store ({DB_NAME}): run `newstrace analyze PATH... --out {out}` "
                         "first")
    try:
        probe = Store.reader(db)
        try:
            has = probe.has_catalogue()
        finally:
            probe.close()
    except StoreError as exc:
        raise ServeError(str(exc)) from exc
    if not has:
        raise ServeError(f"{db} has no catalogue (it was analysed by an older newstrace): run `newstrace analyze` "
                         f"again with --out {out} to build it (stored articles are not analysed again)")
    local = threading.local()

    def store() -> Store:
        s = getattr(local, "store", None)
        if s is None:
            s = local.store = Store.reader(db)
            s.query_only()
        return s

    env = _env()
    css = (_HERE / "static" / "serve.css").read_bytes()
    app = FastAPI(title="newstrace", version=__version__, docs_url=None, redoc_url=None,
                  description="The corpus a `newstrace analyze` run stored, read-only. Every page has a JSON twin.")

    def wants_json(request: Request) -> bool:
        if request.url.path.endswith(".json"):
            return True
        accept = request.headers.get("accept", "")
        return "application/json" in accept and "text/html" not in accept

    def respond(request: Request, template: str, data: dict[str, Any], status: int = 200,
                drawn: Any = None) -> Response:
        """The page's data as JSON, or its HTML; `drawn(data)` gives what only the HTML draws
        (layout: annotated text, timelines, graphs), computed only for the HTML."""
        if wants_json(request):
            return JSONResponse(data, status_code=status)
        shown = {**data, **drawn(data)} if drawn else data
        html = env.get_template(template).render(**shown, page=pages.context(request, data), out_dir=out.name,
                                                 version=__version__)
        return HTMLResponse(html, status_code=status)

    def error(request: Request, status: int, message: str) -> Response:
        return respond(request, "error.html.j2", {"error": {"status": status, "message": message}}, status)

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        if len(request.url.query) > MAX_QUERY:
            response = error(request, 400, f"the query string is longer than {MAX_QUERY} characters")
        else:
            response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        return response

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(x) for x in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}"
                             for e in exc.errors())
        return error(request, 400, f"bad parameter: {problems}")

    @app.exception_handler(views.NotFound)
    async def not_found(request: Request, exc: views.NotFound) -> Response:
        return error(request, 404, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = "no such page" if exc.status_code == 404 else str(exc.detail)
        return error(request, exc.status_code, message)

    @app.get("/static/serve.css", include_in_schema=False)
    def stylesheet() -> Response:
        return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    def twin(path: str, **kw: Any) -> Any:
        """Register a page at `path` and its JSON twin at `path`.json (the twin first, so that an
        id never swallows the suffix)."""
        def register(fn: Any) -> Any:
            app.add_api_route(path + ".json", fn, methods=["GET"], response_class=JSONResponse,
                              operation_id=f"{fn.__name__}_json", **kw)
            app.add_api_route(path, fn, methods=["GET"], response_class=HTMLResponse, operation_id=fn.__name__, **kw)
            for p in (path + ".json", path):
                app.add_api_route(p, fn, methods=["HEAD"], include_in_schema=False)
            return fn
        return register

    # (a parameter's Query is made afresh for each: FastAPI must not share one between parameters)
    def Limit() -> Any:  # noqa: N802
        return Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="records per page")

    def Offset() -> Any:  # noqa: N802
        return Query(0, ge=0, le=MAX_OFFSET, description="records to skip")

    def Text() -> Any:  # noqa: N802
        return Query(None, max_length=MAX_TEXT)

    @twin("/", summary="Overview: counts, outlets, artefacts, skipped inputs, run history")
    def overview(request: Request) -> Response:
        return respond(request, "overview.html.j2", views.overview(store()))

    @twin("/stories", summary="Stories, filtered, sorted and paged")
    def stories(request: Request, outlet: str | None = Text(), entity: str | None = Text(),
                since: str | None = Query(None, pattern=DAY, description="YYYY[-MM[-DD]]: stories still running then"),
                until: str | None = Query(None, pattern=DAY, description="YYYY[-MM[-DD]]: stories begun by then"),
                min_size: str | None = Query(None, pattern=r"^([1-9]\d{0,6})?$", description="at least this many articles"),
                derived: str | None = Query(None, pattern=YES_NO, description="has derived articles: yes or no"),
                unsupported: str | None = Query(None, pattern=YES_NO, description="has unsupported claims"),
                sort: str = Query("size", pattern="^(" + "|".join(pages.STORY_SORTS) + ")$"),
                limit: int = Limit(), offset: int = Offset()) -> Response:
        return respond(request, "stories.html.j2", views.stories(
            store(), outlet=outlet or None, entity=entity or None, since=since or None, until=until or None,
            min_size=int(min_size) if min_size else None, derived=_flag(derived), unsupported=_flag(unsupported),
            sort=sort, limit=limit, offset=offset))

    @twin("/stories/{story_id}", summary="A story: timeline, families of rewrites, claims, who said what, events")
    def story(request: Request, story_id: str) -> Response:
        return respond(request, "story.html.j2", views.story(store(), story_id), drawn=lambda d: {
            "timeline": pages.story_timeline(d), "graphs": pages.family_graphs(d["families"], d["titles"])})

    @twin("/articles/{article_id:path}", summary="An article: its text annotated, derivations both ways, "
                                                 "rewriting evidence")
    def article(request: Request, article_id: str) -> Response:
        return respond(request, "article.html.j2", views.article(store(), article_id),
                       drawn=lambda d: {"text": pages.article_text(d)})

    @twin("/compare", summary="Two articles side by side, with the passages one takes from the other")
    def compare(request: Request, a: str = Query(..., min_length=1, max_length=MAX_TEXT),
                b: str = Query(..., min_length=1, max_length=MAX_TEXT)) -> Response:
        return respond(request, "compare.html.j2", views.compare(store(), a, b),
                       drawn=lambda d: {"sides": pages.compare_sides(d)})

    @twin("/claims", summary="Claims, searched and filtered by status, outlet, speaker and story")
    def claims(request: Request, status: str | None = Query(None, pattern="^(supported|unsupported|contradicted|)$"),
               outlet: str | None = Text(), speaker: str | None = Text(), story: str | None = Text(),
               q: str | None = Text(),
               sort: str = Query("stored", pattern="^(stored|worth|score)$",
                                 description="stored order, most check-worthy first, or least supported first"),
               limit: int = Limit(), offset: int = Offset()) -> Response:
        return respond(request, "claims.html.j2", views.claims(
            store(), status=status or None, outlet=outlet or None, speaker=speaker or None, story=story or None,
            q=q or None, sort=sort, limit=limit, offset=offset))

    @twin("/families", summary="Families of rewrites: each original and the articles derived from it")
    def families(request: Request, limit: int = Limit(), offset: int = Offset()) -> Response:
        return respond(request, "families.html.j2", views.families(store(), limit, offset),
                       drawn=lambda d: {"graphs": pages.family_graphs(d["families"], d["titles"])})

    @twin("/outlets", summary="Outlets: claims by status, sourcing, derived articles")
    def outlets(request: Request, limit: int = Limit(), offset: int = Offset()) -> Response:
        return respond(request, "outlets.html.j2", views.outlets(store(), limit, offset))

    @twin("/actors", summary="The actors of the events, busiest first")
    def actors(request: Request, limit: int = Limit(), offset: int = Offset()) -> Response:
        return respond(request, "actors.html.j2", views.actors(store(), limit, offset))

    @twin("/actors/{actor}", summary="An actor: its events over time and its partners")
    def actor(request: Request, actor: str, limit: int = Limit(), offset: int = Offset()) -> Response:
        def dyads(_: dict[str, Any]) -> dict[str, Any]:
            recent = store().actor_recent_events(actor, views.ACTOR_TIMELINE_EVENTS)
            heads = store().article_heads(sorted({r["article_id"] for r in recent}))
            pairs, axis = pages.dyad_timelines(recent, heads)
            return {"dyads": pairs, "axis": axis}

        return respond(request, "actor.html.j2", views.actor(store(), actor, limit, offset), drawn=dyads)

    @twin("/search", summary="Full-text search over articles and claims")
    def search(request: Request, q: str = Query("", max_length=MAX_TEXT), limit: int = Limit(),
               offset: int = Offset()) -> Response:
        return respond(request, "search.html.j2", views.search(store(), q, limit, offset))

    return app
