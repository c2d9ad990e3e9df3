r"""PDFs of many variants in few TeX runs: one document per batch, split back into one PDF per variant.

The variants of one document (say ``answer-key.tex``) share their preamble; their bodies are
typeset one after the other in one pdflatex run per batch (at most 50 variants, two runs at a
time), each starting on a new page with its page number reset; the log records the page where
each begins. A figure
(``tikzpicture``) that is the same in several variants, after the same two lines, is typeset once
and its box reused. The batch's PDF is then cut into one PDF per variant (pikepdf, or poppler's
pdfseparate + pdfunite). When the preambles differ, each variant is built on its own.

Cross-references stay each variant's own: a ``\label`` and the ``\pageref``/``\ref`` to it are
renamed per variant (``symdlv3-answer-Q4``). A reference needs a second TeX pass to be resolved,
which would double the batch's time; instead the first variant is built alone first, once
(latexmk, as many passes as it needs), and its labels, renamed for every variant, are written into
each batch's ``.aux`` before its run. Variants laid out alike (the usual case) then need one pass;
when a variant's page numbers differ, latexmk sees the ``.aux`` change and runs again, so the
references are right either way.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from symdl.errors import BuildError
from symdl.render import pdf as pdf_render

BEGIN, END = r"\begin{document}", r"\end{document}"
MARK = "SYMDL-VARIANT-START"
_FIGURE = re.compile(r"\\begin\{tikzpicture\}.*?\\end\{tikzpicture\}", re.S)
CONTEXT = 2            # lines before a figure that must match for it to be shared (its environment)
_REFERENCE = re.compile(r"\\(label|pageref|ref)\{([^{}]*)\}")
_NEWLABEL = re.compile(r"^\\newlabel\{([^{}]*)\}(.*)$", re.S)
_LONGTABLE = re.compile(r"^\\gdef \\LT@[ivxlcdm]+ ")
RESET = ("page", "section", "subsection", "subsubsection", "paragraph", "equation", "figure", "table",
         "footnote", "enumi", "enumii")


def split(tex: str):
    """(preamble, body) of a LaTeX document, or None when it is not one."""
    start, end = tex.find(BEGIN), tex.rfind(END)
    if start < 0 or end < start:
        return None
    return tex[:start], tex[start + len(BEGIN):end]


def _shared_figures(bodies) -> dict:
    """(context, figure) -> box name, for each figure met more than once in the same surroundings."""
    seen = Counter()
    for body in bodies:
        for match in _FIGURE.finditer(body):
            seen[(_before(body, match.start()), match.group(0))] += 1
    return {key: f"symdlfig{i}" for i, key in enumerate(k for k, n in seen.items() if n > 1)}


def _before(body, at) -> str:
    """The ``CONTEXT`` lines before position ``at`` (with the start of its own line)."""
    start = at
    for _ in range(CONTEXT + 1):
        start = body.rfind("\n", 0, start)
        if start < 0:
            return body[:at]
    return body[start:at]


def combine(texts) -> str | None:
    """One document typesetting every text's body in turn (None when their preambles differ)."""
    parts = [split(t) for t in texts]
    if any(p is None for p in parts) or len({p[0] for p in parts}) != 1:
        return None
    bodies = [p[1] for p in parts]
    boxes = _shared_figures(bodies)
    made = set()
    out = [parts[0][0], BEGIN, "\n\\newcount\\symdlshipped\n",
           "\\AddToHook{shipout/after}{\\global\\advance\\symdlshipped by 1\\relax}\n"]
    out += [f"\\expandafter\\newbox\\csname {name}\\endcsname\n" for name in boxes.values()]
    for n, body in enumerate(bodies):
        out.append(f"\\clearpage\\typeout{{{MARK} \\the\\symdlshipped}}\n")
        out.append("".join(f"\\setcounter{{{c}}}{{{1 if c == 'page' else 0}}}" for c in RESET) + "\n")
        body = _REFERENCE.sub(lambda m, n=n: f"\\{m.group(1)}{{{label(n, m.group(2))}}}", _with_boxes(body, boxes, made))
        out.append("\\begingroup\n" + body + "\n\\endgroup\n")
    out.append(f"\\clearpage\\typeout{{{MARK} \\the\\symdlshipped}}\n{END}\n")
    return "".join(out)


def label(n: int, name: str) -> str:
    """The name of label ``name`` of the ``n``-th variant (from 0) in a combined document."""
    return f"symdlv{n}-{name}"


def seeded_aux(aux: str, count: int) -> str:
    """The ``.aux`` of a combined document of ``count`` variants, guessed from one variant's own
    ``.aux``: its lines in order for every variant, labels renamed (their page numbers count from
    the variant's first page) and longtable's column widths (``\\LT@i``, ``\\LT@ii``, ...) renumbered
    as the tables run on through the combined document."""
    lines = [line for line in _statements(aux) if not line.startswith(("\\relax", "\\gdef \\@abspage@last"))]
    tables = sum(1 for line in lines if _LONGTABLE.match(line))
    out = ["\\relax \n"]
    for n in range(count):
        seen = iter(range(n * tables + 1, (n + 1) * tables + 1))
        for line in lines:
            line = _NEWLABEL.sub(lambda m: f"\\newlabel{{{label(n, m.group(1))}}}{m.group(2)}", line)
            out.append(_LONGTABLE.sub(lambda m: f"\\gdef \\LT@{_roman(next(seen))} ", line))
    return "".join(out)


def _statements(aux: str) -> list:
    """The ``.aux`` as its top-level statements (a statement runs on until its braces balance)."""
    out, current, depth = [], [], 0
    for line in aux.splitlines(keepends=True):
        current.append(line)
        depth += line.count("{") - line.count("}")
        if depth <= 0:
            out.append("".join(current))
            current, depth = [], 0
    return out + (["".join(current)] if current else [])


def _roman(n: int) -> str:
    """``n`` as TeX's ``\\romannumeral`` writes it (lower case)."""
    out = []
    for value, digits in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out.append(digits)
            n -= value
    return "".join(out)


def _with_boxes(body, boxes, made) -> str:
    def replace(match):
        name = boxes.get((_before(body, match.start()), match.group(0)))
        if name is None:
            return match.group(0)
        box = f"\\csname {name}\\endcsname"
        if name in made:
            return f"\\leavevmode\\copy{box}"
        made.add(name)
        return f"\\global\\setbox{box}=\\hbox{{{match.group(0)}}}\\leavevmode\\copy{box}"

    return _FIGURE.sub(replace, body)


BATCH = 50             # variants typeset in one TeX run at most (memory and a run's time stay bounded)


def build(texts, stem, timeout, jobs=2) -> list:
    """The PDF (bytes) of each LaTeX text, built as ``build_files`` does (BuildError on a TeX error)."""
    if not texts:
        return []
    scratch = Path(tempfile.mkdtemp(prefix="symdl-variants-texts-"))
    try:
        sources = []
        for i, text in enumerate(texts):
            (scratch / f"{i:06d}").mkdir()
            sources.append(scratch / f"{i:06d}" / f"{stem}.tex")
            sources[-1].write_text(text, encoding="utf-8")
        build_files(sources, timeout, jobs)
        return [source.with_suffix(".pdf").read_bytes() for source in sources]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def build_files(sources, timeout, jobs=2, printing: Path | None = None):
    """Build each ``.tex`` file of ``sources`` (all of one name, in folders of their own) into the
    PDF beside it: batches of at most BATCH variants, ``jobs`` at a time, each read from disk
    when its run starts; with ``printing``, every page one after the other written there too.

    References and longtable widths: the first source is built alone once (as many passes as
    it needs) and its ``.aux`` seeds every batch (see seeded_aux)."""
    sources = [Path(s) for s in sources]
    if not sources:
        return
    stem = sources[0].stem
    count = -(-len(sources) // BATCH)
    size = -(-len(sources) // count)           # batches of even size, none above BATCH
    batches = [sources[i:i + size] for i in range(0, len(sources), size)]
    scratch = Path(tempfile.mkdtemp(prefix="symdl-variants-tex-"))
    try:
        aux = _probe(sources[0], stem, timeout, scratch)
        with ThreadPoolExecutor(min(jobs, len(batches))) as pool:
            wholes = list(pool.map(lambda n: _build_batch(batches[n], stem, timeout, aux, scratch / f"batch-{n:05d}"),
                                   range(len(batches))))
        if printing is not None:
            merge([pdf for whole in wholes for pdf in whole], printing)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _probe(source: Path, stem, timeout, scratch) -> str | None:
    """The ``.aux`` of ``source`` built alone, when it has references or a longtable (else None)."""
    text = source.read_text(encoding="utf-8")
    if not (_REFERENCE.search(text) or r"\begin{longtable}" in text):
        return None
    folder = scratch / "probe"
    folder.mkdir()
    (folder / f"{stem}.tex").write_text(text, encoding="utf-8")
    pdf_render._compile(folder, f"{stem}.tex", timeout)
    return (folder / f"{stem}.aux").read_text(encoding="utf-8", errors="replace")


def _build_batch(sources, stem, timeout, aux, scratch: Path) -> list:
    """Build the batch, each PDF beside its source; return the PDFs to print, in order (the
    batch's whole PDF, kept in ``scratch``, or each variant's own)."""
    scratch.mkdir()
    texts = [s.read_text(encoding="utf-8") for s in sources]
    source = combine(texts)
    if source is None:
        for path, text in zip(sources, texts):
            path.with_suffix(".pdf").write_bytes(_build_one(text, stem, timeout))
        return [path.with_suffix(".pdf") for path in sources]
    if aux is not None:
        (scratch / f"{stem}.aux").write_text(seeded_aux(aux, len(texts)), encoding="utf-8")
    (scratch / f"{stem}.tex").write_text(source, encoding="utf-8")
    del texts, source
    pdf = pdf_render._compile(scratch, f"{stem}.tex", timeout)
    log = (scratch / f"{stem}.log").read_text(errors="replace")
    starts = [int(m) for m in re.findall(rf"^{MARK} (\d+)$", log, re.M)]
    if len(starts) != len(sources) + 1:
        raise BuildError(f"TeX run of {len(sources)} variants' {stem}.tex lost its page marks")
    for path, piece in zip(sources, cut(pdf, [(a, b) for a, b in zip(starts, starts[1:])], scratch)):
        path.with_suffix(".pdf").write_bytes(piece)
    return [pdf]


def _build_one(text, stem, timeout) -> bytes:
    scratch = Path(tempfile.mkdtemp(prefix="symdl-variants-tex-"))
    try:
        (scratch / f"{stem}.tex").write_text(text, encoding="utf-8")
        return pdf_render._compile(scratch, f"{stem}.tex", timeout).read_bytes()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def cut(pdf: Path, ranges, scratch: Path) -> list:
    """The pages [a, b) (from 0) of ``pdf`` for each range, each as a PDF (bytes)."""
    try:
        import pikepdf
    except ImportError:
        return [_cut_poppler(pdf, a, b, scratch) for a, b in ranges]
    out = []
    with pikepdf.open(pdf) as source:
        for a, b in ranges:
            piece = pikepdf.new()
            piece.pages.extend(source.pages[a:b])
            target = scratch / f"piece-{a}.pdf"
            piece.save(target, deterministic_id=True)
            out.append(target.read_bytes())
    return out


def _cut_poppler(pdf, a, b, scratch) -> bytes:
    folder = scratch / f"pages-{a}"
    folder.mkdir()
    _run(["pdfseparate", "-f", str(a + 1), "-l", str(b), str(pdf), str(folder / "%06d.pdf")])
    pages = sorted(folder.iterdir())
    if len(pages) == 1:
        return pages[0].read_bytes()
    _run(["pdfunite", *map(str, pages), str(folder / "all.pdf")])
    return (folder / "all.pdf").read_bytes()


def merge(pdfs, target: Path):
    """Write the PDFs (files) one after the other to ``target`` (the printing copy)."""
    files = [Path(f) for f in pdfs]
    try:
        import pikepdf
    except ImportError:
        if len(files) > 1:
            _run(["pdfunite", *map(str, files), str(target)])
        else:
            shutil.copyfile(files[0], target)
        return
    whole = pikepdf.new()
    opened = [pikepdf.open(f) for f in files]
    try:
        for doc in opened:
            whole.pages.extend(doc.pages)
        whole.save(target, deterministic_id=True)
    finally:
        for doc in opened:
            doc.close()


def _run(cmd):
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(f"{cmd[0]} failed: {exc}") from None
    if done.returncode != 0:
        raise BuildError(f"{cmd[0]} failed: {done.stderr.strip()[:200]}")
