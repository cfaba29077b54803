"""Where a corpus is: the ``corpus=`` argument or ``--corpus``, then ``$XXGK_CORPUS``, then the
shipped copy.

The shipped corpus travels inside the package: a wheel carries it as
``toolkit/_corpus`` (the build copies the repository's ``corpus/`` there), and a
source checkout or editable install uses the repository's ``corpus/`` itself.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ENV_VAR", "CorpusNotFound", "CorpusNotNamed", "corpus_dir", "is_named", "named_corpus", "shipped_corpus"]

#: Environment variable naming a corpus folder to use when none is given.
ENV_VAR = "XXGK_CORPUS"

#: How to point at a corpus, said to a Python caller and to a command-line user.
_HINT = f"pass corpus=DIR or set {ENV_VAR}=DIR"
_CLI_HINT = f"give --corpus DIR or set {ENV_VAR}=DIR"
#: Where the corpus came from, in the same two voices.
_GIVEN = {"argument": ("the corpus argument", "--corpus"), "environment": (f"${ENV_VAR}", f"${ENV_VAR}")}


class CorpusNotFound(FileNotFoundError):
    """No corpus folder where one was asked for; the message says how to point elsewhere
    (``str()`` in Python's words, :meth:`for_command_line` in the command line's).

    *problem* is what is wrong, *given* where the folder came from (``"argument"``,
    ``"environment"`` or None: nowhere), *then* what may be done next; the hint on how to name
    a corpus goes between them, in the voice asked for."""

    def __init__(self, problem: str, given: str | None = None, then: str | None = None):
        self.problem, self.given, self.then = problem, given, then
        super().__init__(self._words(0))

    def _words(self, voice: int) -> str:
        where = f" ({_GIVEN[self.given][voice]})" if self.given else ""
        parts = [f"{self.problem}{where}", (_HINT, _CLI_HINT)[voice]] + ([self.then] if self.then else [])
        return "; ".join(parts)

    def __reduce__(self):  # pickled with its parts, not its sentence
        return type(self), (self.problem, self.given, self.then)

    def __str__(self) -> str:
        return self._words(0)

    def for_command_line(self) -> str:
        return self._words(1)


class CorpusNotNamed(CorpusNotFound):
    """A command that writes to a corpus was given none (the command line's usage error)."""


def shipped_corpus() -> Path | None:
    """The corpus shipped with the toolkit, or ``None`` if this install has none."""
    package = Path(__file__).resolve().parents[1]
    if (package / "_corpus" / "metadata.csv").is_file():
        return package / "_corpus"
    checkout = package.parent
    # Only the project's own checkout: a site-packages folder may hold anyone's "corpus/".
    if (checkout / "pyproject.toml").is_file() and (checkout / "corpus" / "metadata.csv").is_file():
        return checkout / "corpus"
    return None


def corpus_dir(corpus: str | os.PathLike | None = None) -> Path:
    """The corpus folder: *corpus*, else ``$XXGK_CORPUS``, else the shipped corpus.

    Raises :class:`CorpusNotFound` (a ``FileNotFoundError``) naming the folder
    and both ways to point elsewhere.
    """
    if corpus is None:
        corpus = os.environ.get(ENV_VAR) or None
        if corpus is None:
            shipped = shipped_corpus()
            if shipped is None:
                raise CorpusNotFound("no corpus given and this install carries none")
            return shipped
        given = "environment"
    else:
        given = "argument"
    path = Path(corpus).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise CorpusNotFound(f"{path}: a file, not a corpus folder", given)
    if not path.is_dir():
        raise CorpusNotFound(f"{path}: corpus folder not found", given, f"start a new one with `xxgk init {path}`")
    if not (path / "metadata.csv").is_file():
        raise CorpusNotFound(f"{path}: not a corpus folder (no metadata.csv)", given,
                             f"an empty folder becomes one with `xxgk init {path}`")
    return path


def is_named(corpus: str | os.PathLike | None) -> bool:
    """Is a corpus named, by *corpus* or ``$XXGK_CORPUS``?  Commands that write to a corpus
    run only on a named one."""
    return corpus is not None or bool(os.environ.get(ENV_VAR))


def named_corpus(corpus: str | os.PathLike | None, what: str) -> Path:
    """The corpus a command that *writes* to it (``add``, ``fetch``) works on: *corpus*, else
    ``$XXGK_CORPUS`` — never the shipped copy by default, which an install must not change."""
    if not is_named(corpus):
        raise CorpusNotNamed(f"{what}: name the corpus to add to", None,
                             "the corpus shipped with xxgk is not changed unless it is named (`xxgk init DIR` starts one)")
    return corpus_dir(corpus)
