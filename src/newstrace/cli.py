"""The command line: a thin layer over `newstrace.runner`.

Exit codes:
  0  finished, every input read
  1  error: the run could not go on (output folder not writable, no spaCy model, ...)
  2  usage error (unknown option, missing argument)
  3  finished, but some inputs were skipped (each named on stderr and in summary.json)
  130 interrupted (Ctrl-C); everything saved so far is kept, rerun to resume
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from newstrace import __version__
from newstrace.records import printable

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_SKIPPED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

app = typer.Typer(
    add_completion=False, no_args_is_help=True, rich_markup_mode=None,
    help="newstrace: trace the news across a pile of articles, offline.\n\n"
         "Exit codes: 0 finished; 1 error; 2 usage error; 3 finished with skipped inputs; "
         "130 interrupted (rerun the same command to resume).",
)
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"newstrace {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """newstrace: trace the news across a pile of articles, offline."""


@app.command()
def analyze(
    paths: list[str] = typer.Argument(..., metavar="PATH...",
                                      help="Files or folders of .txt/.md, .html, .jsonl/.json, RSS/Atom "
                                           "feeds, WARC/.warc.gz; '-' reads JSONL from stdin."),
    out_dir: Path = typer.Option(Path("newstrace-out"), "--out", "-o",
                                 help="Output folder: report.html, *.jsonl, summary.json and the "
                                      "database newstrace.db. A rerun into the same folder adds to it "
                                      "and skips what is unchanged."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Read at most this many articles."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1,
                                       help="Worker processes for language analysis (default: all cores)."),
    max_bytes: int = typer.Option(20_000_000, "--max-bytes", min=1,
                                  help="Skip single-article files and WARC records larger than this."),
    max_chars: int = typer.Option(1_000_000, "--max-chars", min=1,
                                  help="Skip articles whose text is longer than this."),
    report: bool = typer.Option(True, "--report/--no-report", help="Write report.html."),
    attributions: bool = typer.Option(True, "--attributions/--no-attributions",
                                      help="Parse English articles for who said what (attributions.jsonl)."),
    claims: bool = typer.Option(True, "--claims/--no-claims",
                                help="Check each article's claims against the other articles (claims.jsonl)."),
    events: bool = typer.Option(True, "--events/--no-events",
                                help="Code who did what to whom as CAMEO events (events.jsonl, events.gdelt.tsv)."),
    actors: Optional[Path] = typer.Option(None, "--actors", exists=False,
                                          help="Your own actor dictionary (TOML in the shape of newstrace's "
                                               "data/actors.toml); its entries are added and win."),
    fmt: str = typer.Option("text", "--format", help="Run summary on stdout: 'text' or 'json'."),
    quiet: bool = typer.Option(False, "--quiet", "-q",
                               help="No progress bar and no per-input messages; the summary only."),
    executor: str = typer.Option("local", "--executor",
                                 help="Where reading and the per-article analysis run: 'local' (worker processes "
                                      "on this machine) or 'ray' (Ray workers read the input in shards, analyse "
                                      "it and check the claims; a rerun skips finished shards; "
                                      "pip install 'newstrace[ray]')."),
    address: Optional[str] = typer.Option(None, "--address",
                                          help="With --executor ray: the cluster to join (as `ray start --head` "
                                               "prints it); default: RAY_ADDRESS, else a local cluster for the run."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1,
                                          help="With --executor ray: workers to start (default: the cluster's CPUs)."),
) -> None:
    """Analyse articles and write the report, the JSONL exports and the database to --out."""
    from newstrace.language.nlp import ModelMissing
    from newstrace.runner import AnalyzeOptions
    from newstrace.runner import analyze as run_analyze
    from newstrace.store import StoreError
    from newstrace.unit.cluster import RayMissing

    if fmt not in ("text", "json"):
        err.print(f"error: --format must be 'text' or 'json', not {fmt!r}")
        raise typer.Exit(EXIT_USAGE)
    options = AnalyzeOptions(limit=limit, jobs=jobs, max_bytes=max_bytes, max_chars=max_chars,
                             attributions=attributions, claims=claims, events=events,
                             actors=str(actors) if actors else None, report=report, executor=executor,
                             address=address, workers=workers)
    show_progress = not quiet and err.is_terminal

    def on_skip(s) -> None:  # type: ignore[no-untyped-def]
        if not quiet:
            err.print(f"[yellow]skipped[/yellow] {escape(s.message())}")

    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                        TextColumn("{task.completed} articles"), TimeElapsedColumn(),
                        console=err, transient=True, disable=not show_progress)
    # Not a terminal (a log file, a pipe, a batch job): plain progress lines instead of the bar
    log = _ProgressLog(err.print) if not quiet and not show_progress else None
    try:
        with progress:
            task = progress.add_task("analysing", total=None)

            def on_article(a) -> None:  # type: ignore[no-untyped-def]
                progress.update(task, advance=1, description=f"analysing {escape(a.input_path or a.id)[-50:]}")
                if log:
                    log.article()

            def on_progress(phase: str, done: int, total: int) -> None:
                progress.update(task, description=f"{phase}: {done}/{total} articles" if total else phase)
                if log:
                    log.phase(phase, done, total)

            result = run_analyze(paths, out_dir, options, on_article=on_article, on_skip=on_skip,
                                 on_progress=on_progress)
    except KeyboardInterrupt:
        err.print(f"interrupted: everything saved so far is in {out_dir}; run the same command again to resume")
        raise typer.Exit(EXIT_INTERRUPTED)
    except (StoreError, ModelMissing, RayMissing, OSError, ValueError) as exc:
        err.print(f"[red]error:[/red] {escape(printable(str(exc)))}")
        raise typer.Exit(EXIT_ERROR)

    if fmt == "json":
        out.print_json(json.dumps({"status": result.status, "out_dir": str(result.out_dir),
                                   "totals": result.totals, "summary": result.summary.to_json()}))
    else:
        _print_summary(result)
    if result.status == "unreadable":
        reasons = "; ".join(escape(s.message()) for s in result.summary.skips[:3])
        err.print(f"[red]error:[/red] nothing could be read from the inputs ({reasons})")
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_SKIPPED if result.status == "skipped" else EXIT_OK)


class _ProgressLog:
    """Progress as plain lines for a log: each new phase at once, then at most one line per `every` s."""

    def __init__(self, emit, every: float = 30.0) -> None:  # type: ignore[no-untyped-def]
        self.clock = time.monotonic
        self.emit = emit
        self.every = every
        self.started = self.last = self.clock()
        self.articles = 0
        self.current = ""

    def _due(self) -> bool:
        now = self.clock()
        if now - self.last < self.every:
            return False
        self.last = now
        return True

    def article(self) -> None:
        self.articles += 1
        if self.articles == 1 or self._due():
            rate = self.articles / max(self.clock() - self.started, 1e-9)
            self.emit(f"progress: articles analysed: {self.articles} ({rate:.1f}/s)")

    def phase(self, phase: str, done: int, total: int) -> None:
        if phase != self.current or self._due():
            if phase != self.current:
                self.last = self.clock()
            self.current = phase
            self.emit(f"progress: {phase} {done}/{total} articles" if total else f"progress: {phase}")


def _print_summary(result) -> None:  # type: ignore[no-untyped-def]
    s = result.summary
    table = Table(title=f"newstrace run: {s.articles_out} articles analysed in {s.seconds:.1f} s",
                  title_justify="left")
    for col in ("stage", "processed", "kept", "dropped", "notes", "seconds"):
        table.add_column(col, justify="right" if col in ("processed", "kept", "seconds") else "left")
    for st in s.stages:
        dropped = "\n".join(f"{k}: {v}" for k, v in st.dropped.items())
        notes = "\n".join(f"{k}: {v}" for k, v in sorted(st.notes.items()))
        table.add_row(st.name, str(st.processed), str(st.kept), escape(dropped), escape(notes), f"{st.seconds:.2f}")
    out.print(table)
    t = result.totals
    out.print(f"stored: {t['articles']} articles, {t['sentences']} sentences, {t['entities']} entities, "
              f"{t['numbers']} numbers, {t.get('attributions', 0)} attributions, {t.get('claims', 0)} claims, {t.get('events', 0)} events, "
              f"{t.get('stories', 0)} stories")
    if s.skip_count:
        out.print(f"[yellow]{s.skip_count} input(s) skipped[/yellow]; reasons in {result.out_dir / 'summary.json'}")
    if result.report_path.exists():
        out.print(f"report: {result.report_path}")
    import shlex

    from newstrace.runner import AnalyzeOptions

    browse = f"newstrace serve {shlex.quote(str(result.out_dir))}"
    shown = AnalyzeOptions().detail_limit
    if t["articles"] > shown:
        out.print(f"[bold]{t['articles']:,} articles: more than the report shows in full ({shown:,}). Browse, search "
                  f"and filter them all with:[/bold] {escape(browse)}")
    else:
        out.print(f"browse in the web browser: {escape(browse)}")


@app.command()
def compare(
    a: str = typer.Argument(..., metavar="A", help="The first article: a file in any format read by 'analyze', "
                                                   "or FILE#ID to pick one article of a file that holds several."),
    b: str = typer.Argument(..., metavar="B", help="The second article, likewise."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON instead of the side-by-side view."),
) -> None:
    """Is one article derived from the other, and how (copy, edit, rewrite, partial rewrite)? The shares, the evidence, each side's rewriting signals, aligned passages side by side, what B added to A and dropped, and B's claims checked against A."""
    from newstrace.language.embed import EmbeddingUnavailable
    from newstrace.language.nlp import ModelMissing
    from newstrace.commands.compare import CompareError, read_article, render
    from newstrace.commands.compare import compare as run_compare

    try:
        result = run_compare(read_article(a), read_article(b))
    except CompareError as exc:
        err.print(f"[red]error:[/red] {escape(printable(str(exc)))}")
        raise typer.Exit(EXIT_USAGE)
    except (ModelMissing, EmbeddingUnavailable) as exc:
        err.print(f"[red]error:[/red] {escape(printable(str(exc)))}")
        raise typer.Exit(EXIT_ERROR)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        render(result, out)


@app.command("events")
def events_command(
    text: str = typer.Argument(..., metavar="TEXT|FILE",
                               help="A sentence or an article to code, or a file holding one article "
                                    "(text, HTML or a one-article JSONL; FILE#ID picks one of several)."),
    date: Optional[str] = typer.Option(None, "--date", help="The article's date (YYYY-MM-DD), for "
                                       "'on Monday' and for who held an office then."),
    actors: Optional[Path] = typer.Option(None, "--actors", help="Your own actor dictionary (TOML)."),
    as_json: bool = typer.Option(False, "--json", help="Print the events.jsonl records instead of a table."),
    show_all: bool = typer.Option(True, "--all/--asserted",
                                  help="Also show negated, hypothetical, attempted and denied events."),
) -> None:
    """Code one sentence or article into CAMEO events and print them, for checking the coder: each
    with who coded it (the rules, the trained model with its confidence, or the rules recategorised
    by the model)."""
    import os

    from newstrace.events.actors import actor_table
    from newstrace.commands.events import code_articles
    from newstrace.language.nlp import ModelMissing
    from newstrace.commands.compare import CompareError, read_article
    from newstrace.records import Article

    try:
        if actors is not None:
            actor_table(actors)  # a bad file is reported here, naming it
        base = text.rsplit("#", 1)[0] if "#" in text else text
        looks_like_path = len(text) < 4096 and not any(ch.isspace() for ch in text) and \
            os.path.splitext(base)[1].lower() in (".txt", ".md", ".html", ".htm", ".jsonl", ".json", ".ndjson",
                                                  ".xml", ".rss", ".atom", ".gz", ".warc")
        if len(text) < 4096 and "\n" not in text and os.path.isfile(base):
            article = read_article(text)
        elif looks_like_path:
            raise ValueError(f"{base}: no such file (give a file that exists, or the text itself)")
        else:
            article = Article(id="text", text=text)
        if date:
            article.published = date
        code_articles([article], str(actors) if actors else None)
    except (CompareError, ValueError, ModelMissing, OSError) as exc:
        err.print(f"[red]error:[/red] {escape(printable(str(exc)))}")
        raise typer.Exit(EXIT_ERROR)
    rows = [e for e in article.events if show_all or e["mode"] == "asserted"]
    if as_json:
        for e in rows:
            out.print(json.dumps(e, ensure_ascii=False), soft_wrap=True)
        raise typer.Exit(EXIT_OK)
    if not rows:
        out.print("no events coded")
        raise typer.Exit(EXIT_OK)
    table = Table(show_lines=False)
    for col in ("code", "event", "source", "target", "mode", "Goldstein", "date", "words", "by"):
        table.add_column(col)

    def actor(a):  # type: ignore[no-untyped-def]
        if not a:
            return "—"
        # a named organisation or a phrase the model linked has no code: its words alone
        return f"{a['code']} ({escape(a['text'][:40])})" if a.get("code") else escape(a["text"][:40])

    def by(e):  # type: ignore[no-untyped-def]
        return e["coded_by"] + (f" {e['confidence']:.2f}" if e.get("confidence") is not None else "")

    for e in rows:
        words = e["trigger"]["text"]
        if e.get("attribution") and e["attribution"].get("source"):
            words += f"; according to {e['attribution']['source']}"
        table.add_row(e["code"], escape(e["name"][:45]), actor(e["source"]), actor(e["target"]),
                      e["mode"] + (f" ({e['frame']})" if e.get("frame") else ""), f"{e['goldstein']:+.1f}",
                      e.get("date") or "", escape(words), by(e))
    out.print(table)
    raise typer.Exit(EXIT_OK)


@app.command("check-claims")
def check_claims(
    pairs: Path = typer.Argument(..., metavar="PAIRS.jsonl", help='JSON lines of {"id", "source", "claim"} (texts).'),
    output: Path = typer.Option(None, "--out", "-o", help="Write the results here (JSON lines) instead of stdout."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress or per-line messages."),
) -> None:
    """Score each claim against its source: one line per pair with score (higher = better supported), status, reasons and evidence."""
    from newstrace.claims.check import check_pairs, read_pairs
    from newstrace.language.embed import EmbeddingUnavailable
    from newstrace.language.nlp import ModelMissing

    if not pairs.is_file():
        err.print(f"[red]error:[/red] {escape(printable(str(pairs)))}: no such file")
        raise typer.Exit(EXIT_USAGE)
    skipped: list[str] = []

    def on_skip(message: str) -> None:
        skipped.append(message)
        if not quiet:
            err.print(f"[yellow]skipped[/yellow] {escape(message)}")

    sink = open(output, "w", encoding="utf-8") if output else sys.stdout
    done = 0

    def write(row: dict) -> None:
        sink.write(json.dumps(row, ensure_ascii=False) + "\n")
        sink.flush()

    def tick() -> None:
        nonlocal done
        done += 1
        if not quiet and output and err.is_terminal and done % 10 == 0:
            err.print(f"{done} claims checked", end="\r")

    try:
        n = check_pairs(read_pairs(pairs, on_skip), write, tick)
    except (ModelMissing, EmbeddingUnavailable) as exc:
        err.print(f"[red]error:[/red] {escape(printable(str(exc)))}")
        raise typer.Exit(EXIT_ERROR)
    except KeyboardInterrupt:
        err.print(f"interrupted after {done} claims")
        raise typer.Exit(EXIT_INTERRUPTED)
    finally:
        if output:
            sink.close()
    if not quiet:
        err.print(f"{n} claims checked" + (f", {len(skipped)} lines skipped" if skipped else "")
                  + (f"; results in {output}" if output else ""))
    raise typer.Exit(EXIT_SKIPPED if skipped else EXIT_OK)


def main() -> None:
    try:
        app()
    except BrokenPipeError:  # `newstrace ... | head`
        sys.exit(EXIT_OK)


@app.command("serve")
def serve_command(
    out_dir: Path = typer.Argument(..., metavar="OUT_DIR", help="A folder 'newstrace analyze --out' wrote."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (this machine only unless told "
                                                          "otherwise: 0.0.0.0 opens it to the network)."),
    port: int = typer.Option(8750, "--port", min=1, max=65535, help="Port to listen on."),
) -> None:
    """Browse a corpus in the web browser: stories, articles, claims, actors and full-text search,
    read-only, with a JSON twin of every page (the page's address with .json)."""
    from newstrace.serve import ServeError, create_app

    try:
        application = create_app(out_dir)
    except (ServeError, OSError) as exc:
        err.print(f"[red]error:[/red] {escape(printable(str(exc)))}")
        raise typer.Exit(EXIT_ERROR)
    import uvicorn

    shown = f"[{host}]" if ":" in host else host
    err.print(f"serving {escape(str(out_dir))} read-only at http://{shown}:{port}/ (Ctrl+C stops it)")
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print("[yellow]note:[/yellow] listening beyond this machine: anyone who can reach it can read the corpus")
    uvicorn.run(application, host=host, port=port, log_level="warning")
