"""The exceptions symdl raises on purpose, one base class, each mapped to an exit status."""


class SymdlError(Exception):
    """Base of every error symdl reports to the user without a traceback."""

    exit_status = 2

    def __init__(self, message, *, file=None, question=None, field=None):
        super().__init__(message)
        self.message = str(message).strip().splitlines()[0] if str(message).strip() else "error"
        self.file = file
        self.question = question
        self.field = field

    def locate(self, question):
        """Name ``question`` and its file where the error named none (raised below the question)."""
        if self.file is None:
            self.file = question.file
        if self.question is None:
            self.question = question.id

    def __str__(self):
        where = []
        if self.file is not None:
            where.append(str(self.file))
        if self.question is not None:
            where.append(f"question {self.question}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        prefix = ": ".join(where)
        return one_line(f"{prefix}: {self.message}" if prefix else self.message, 500)


class SpecError(SymdlError):
    """The spec (or a file it names) is malformed: bad input, exit status 2."""


class LatexError(SpecError):
    """A LaTeX field cannot be parsed faithfully."""


class TimeLimitError(SpecError):
    """A derivation took longer than the time limit."""


class VerificationFailed(SymdlError):
    """An answer disagrees with its independent recomputation: exit status 1."""

    exit_status = 1


class UsageError(SymdlError):
    """A command-line argument is unusable (an output folder that cannot be written): exit 2."""


class ContractError(SymdlError):
    """A kind broke the Kind contract (a symbolic value where a number is due): the kind's bug, exit 3."""

    exit_status = 3


class BuildError(SymdlError):
    """The PDF could not be built (TeX error, latexmk missing at build time): exit status 1."""

    exit_status = 1


def one_line(text, limit=300) -> str:
    """``text`` squeezed onto one line of at most ``limit`` characters (for messages)."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
