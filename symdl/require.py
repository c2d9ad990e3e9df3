"""Conditions on a variant's answers ([exam] require): a small expression language, parsed, never eval'd.

    require = ["Q2.dead", "Q4.conv1_1.output[0] >= 100", "not Q5.overfitting",
               "Q1.forward.z2[0] != 0 and Q3.b.predicted == 4"]

Grammar: ``or`` / ``and`` / ``not``; one comparison (``< <= > >= == !=``) between sums;
``+ - * /``; numbers; ``true`` / ``false``; parentheses; answer references
``<question>.<answer name>`` with optional ``[i]`` indices (vectors from 0; a matrix
``[row][column]``); ``<question> no tie``: no kink of the question (max/min/relu/abs of a graph,
a ReLU neuron's z) sits exactly at its tie for the drawn values. Answer names are those of
answers.json. Nothing else is accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from symdl.errors import SpecError

_TOKEN = re.compile(r"""\s*(?:
    (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<op><=|>=|==|!=|<|>|\+|-|\*|/|\(|\)|\[|\])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)
)""", re.X)

WORDS = {"and", "or", "not", "true", "false"}
TIES = "#ties"          # the answer name "<question> no tie" reads: how many kinks tie (see variants._derive)
COMPARISONS = {"<", "<=", ">", ">=", "==", "!="}


@dataclass(frozen=True)
class Ref:
    question: str
    answer: str
    indices: tuple


@dataclass(frozen=True)
class Condition:
    """One parsed condition: its text, its tree and the questions it reads."""

    text: str
    tree: tuple
    refs: tuple

    @property
    def questions(self) -> set:
        return {r.question for r in self.refs}


class _Parser:
    def __init__(self, text, question_ids, error):
        self.text, self.ids, self.error = text, question_ids, error
        self.tokens, self.pos, self.refs = self._tokenize(text), 0, []

    def _tokenize(self, text):
        tokens, at = [], 0
        while at < len(text):
            if text[at:].strip() == "":
                break
            match = _TOKEN.match(text, at)
            if not match or match.end() == at:
                raise self.error(f"cannot read {text[at:].strip()[:20]!r}")
            kind = match.lastgroup
            tokens.append((kind, match.group(kind)))
            at = match.end()
        return tokens

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else (None, None)

    def take(self, value=None):
        token = self.peek()
        if token[0] is None or (value is not None and token[1] != value):
            raise self.error(f"expected {value!r}" if value else "unexpected end")
        self.pos += 1
        return token

    def parse(self):
        if not self.tokens:
            raise self.error("empty condition")
        tree = self.disjunction()
        if self.pos != len(self.tokens):
            raise self.error(f"unexpected {self.peek()[1]!r}")
        return tree

    def disjunction(self):
        node = self.conjunction()
        while self.peek() == ("name", "or"):
            self.take()
            node = ("or", node, self.conjunction())
        return node

    def conjunction(self):
        node = self.negation()
        while self.peek() == ("name", "and"):
            self.take()
            node = ("and", node, self.negation())
        return node

    def negation(self):
        if self.peek() == ("name", "not"):
            self.take()
            return ("not", self.negation())
        return self.comparison()

    def comparison(self):
        node = self.sum()
        if self.peek()[0] == "op" and self.peek()[1] in COMPARISONS:
            op = self.take()[1]
            node = (op, node, self.sum())
            if self.peek()[0] == "op" and self.peek()[1] in COMPARISONS:
                raise self.error("chained comparisons are not allowed; join them with 'and'")
        return node

    def sum(self):
        node = self.product()
        while self.peek()[0] == "op" and self.peek()[1] in "+-":
            op = self.take()[1]
            node = (op, node, self.product())
        return node

    def product(self):
        node = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in "*/":
            op = self.take()[1]
            node = (op, node, self.unary())
        return node

    def unary(self):
        if self.peek() == ("op", "-"):
            self.take()
            return ("neg", self.unary())
        return self.atom()

    def atom(self):
        kind, value = self.take()
        if kind == "number":
            return ("num", Fraction(value))
        if kind == "op" and value == "(":
            node = self.disjunction()
            self.take(")")
            return node
        if kind == "name" and value in ("true", "false"):
            return ("num", value == "true")
        if kind == "name" and value not in WORDS:
            ref = self.reference(value)
            return ("ref", ref) if isinstance(ref, Ref) else ref
        raise self.error(f"unexpected {value!r}")

    def reference(self, name):
        question, _, answer = name.partition(".")
        if question not in self.ids:
            raise self.error(f"no question {question!r} (questions: {', '.join(sorted(self.ids))})")
        if not answer and self.peek() == ("name", "no"):
            self.take()
            if self.peek() not in (("name", "tie"), ("name", "ties")):
                raise self.error(f"expected '{question} no tie'")
            self.take()
            ref = Ref(question, TIES, ())
            self.refs.append(ref)
            return ("==", ("ref", ref), ("num", 0))
        if not answer:
            raise self.error(f"{name!r} names a question, not one of its answers (write {name}.<answer>)")
        indices = []
        while self.peek() == ("op", "["):
            self.take()
            kind, value = self.take()
            if kind != "number" or not value.isdigit():
                raise self.error("an index must be a whole number (from 0)")
            indices.append(int(value))
            self.take("]")
        ref = Ref(question, answer, tuple(indices))
        self.refs.append(ref)
        return ref


def parse(text: str, question_ids, *, file=None) -> Condition:
    """The condition ``text``, checked against the exam's question ids (SpecError naming it)."""

    def error(message):
        return SpecError(f"condition {text!r}: {message}", file=file, field="exam.require")

    parser = _Parser(text, set(question_ids), error)
    tree = parser.parse()
    return Condition(text, tree, tuple(parser.refs))


class Unknown(SpecError):
    """A condition names an answer that its question does not have (or indexes it wrongly)."""


def holds(condition: Condition, answers: dict, *, file=None) -> bool:
    """Whether ``condition`` holds for ``answers`` ({question id: {answer name: JSON value}})."""
    value = _eval(condition.tree, answers, condition, file)
    if not isinstance(value, bool):
        raise SpecError(f"condition {condition.text!r} is a number, not a condition (compare it: ... > 0)",
                        file=file, field="exam.require")
    return value


def _eval(node, answers, condition, file):
    op = node[0]
    if op == "num":
        return node[1]
    if op == "ref":
        return _lookup(node[1], answers, condition, file)
    if op == "not":
        return not _truth(_eval(node[1], answers, condition, file), condition, file)
    if op in ("and", "or"):
        left = _truth(_eval(node[1], answers, condition, file), condition, file)
        if (op == "and" and not left) or (op == "or" and left):
            return left
        return _truth(_eval(node[2], answers, condition, file), condition, file)
    if op == "neg":
        return -_number(_eval(node[1], answers, condition, file), condition, file)
    a, b = _eval(node[1], answers, condition, file), _eval(node[2], answers, condition, file)
    if op in ("==", "!=") and isinstance(a, bool) and isinstance(b, bool):
        return (a == b) == (op == "==")
    a, b = _number(a, condition, file), _number(b, condition, file)
    if op == "/" and b == 0:
        raise SpecError(f"condition {condition.text!r}: division by zero", file=file, field="exam.require")
    return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
            "<": lambda: a < b, "<=": lambda: a <= b, ">": lambda: a > b, ">=": lambda: a >= b,
            "==": lambda: a == b, "!=": lambda: a != b}[op]()


def _lookup(ref: Ref, answers, condition, file):
    def unknown(message):
        return Unknown(f"condition {condition.text!r}: {message}", file=file, field="exam.require")

    names = answers.get(ref.question, {})
    if ref.answer == TIES and TIES not in names:
        raise unknown(f"question {ref.question} does not say where its kinks tie ('no tie' is for graph and "
                      "neuron questions)")
    if ref.answer not in names:
        close = [n for n in names if n.startswith(ref.answer.split(".")[0])][:4]
        raise unknown(f"question {ref.question} has no answer {ref.answer!r}"
                      f"{' (did you mean ' + ', '.join(close) + '?)' if close else ''}")
    value = names[ref.answer]
    for i in ref.indices:
        if not isinstance(value, list):
            raise unknown(f"{ref.question}.{ref.answer} has no entry [{i}] (it is not a vector)")
        if i >= len(value):
            raise unknown(f"{ref.question}.{ref.answer} has {len(value)} entries; [{i}] is past the end")
        value = value[i]
    if isinstance(value, list):
        raise unknown(f"{ref.question}.{ref.answer} is a vector; pick an entry, e.g. [0]")
    return value


def _truth(value, condition, file) -> bool:
    if not isinstance(value, bool):
        raise SpecError(f"condition {condition.text!r}: 'and', 'or' and 'not' need conditions, not numbers",
                        file=file, field="exam.require")
    return value


def _number(value, condition, file):
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        raise SpecError(f"condition {condition.text!r}: {value!r} is not a number", file=file,
                        field="exam.require")
    # a float answer is the nearest double of an exact value: read as its shortest decimal, so an
    # exact 0.04 compares equal to the literal 0.04
    return Fraction(repr(value)) if isinstance(value, float) else value
