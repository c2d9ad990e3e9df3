"""Conditions on a variant's answers ([exam] require): a small expression language, parsed, never eval'd.

    require = ["Q2.dead", "Q4.conv1_1.output[0] >= 100", "not Q5.overfitting",
               "Q1.forward.z2[0] != 0 and Q3.b.predicted == 4"]

Grammar: ``or`` / ``and`` / ``not``; one comparison (``< <= > >= == !=``) between sums;
``+ - * /``; numbers; ``true`` / ``false``; parentheses; answer references
``<question>.<answer name>`` with optional ``[i]`` indices (vectors from 0; a matrix
``[row][column]``); ``<question> no tie``: no kink of the question (max/min/relu/abs of a graph,
a ReLU neuron's z) sits exactly at its tie for the drawn values. Answer names are those of
answers.json. Nothing else is accepted.

Bounded where read: at most MAX_TOKENS numbers, names and operators, MAX_DEPTH levels of parentheses,
``not`` and unary ``-`` together, numbers with exponents of at most 400 (symdl.input.bounded). ``a + b + c ...``
and ``x and y and ...`` are one node each, and the evaluator keeps its own stack, so a condition of any
accepted length is evaluated without recursion.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

from symdl.input.bounded import NumberError, exact
from symdl.errors import SpecError

_TOKEN = re.compile(r"""\s*(?:
    (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<op><=|>=|==|!=|<|>|\+|-|\*|/|\(|\)|\[|\])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)
)""", re.X)

WORDS = {"and", "or", "not", "true", "false"}
TIES = "#ties"          # the answer name "<question> no tie" reads: how many kinks tie (see variants._derive)
COMPARISONS = {"<", "<=", ">", ">=", "==", "!="}
MAX_DEPTH = 40          # nested parentheses, 'not's and unary minuses of one condition
MAX_TOKENS = 10_000     # numbers, names and operators of one condition


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
        self.tokens, self.pos, self.refs, self.depth = self._tokenize(text), 0, [], 0

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
            if len(tokens) > MAX_TOKENS:
                raise self.error(f"longer than {MAX_TOKENS} numbers, names and operators")
            at = match.end()
        return tokens

    def deeper(self):
        """One more level of nesting (a parenthesis, a 'not', a unary minus), refused past MAX_DEPTH."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"nested more than {MAX_DEPTH} deep (parentheses, 'not' or unary '-')")

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
        nodes = [self.conjunction()]
        while self.peek() == ("name", "or"):
            self.take()
            nodes.append(self.conjunction())
        return nodes[0] if len(nodes) == 1 else ("or", tuple(nodes))

    def conjunction(self):
        nodes = [self.negation()]
        while self.peek() == ("name", "and"):
            self.take()
            nodes.append(self.negation())
        return nodes[0] if len(nodes) == 1 else ("and", tuple(nodes))

    def negation(self):
        count = 0
        while self.peek() == ("name", "not"):
            self.take()
            self.deeper()
            count += 1
        node = self.comparison()
        self.depth -= count
        for _ in range(count):
            node = ("not", node)
        return node

    def comparison(self):
        node = self.sum()
        if self.peek()[0] == "op" and self.peek()[1] in COMPARISONS:
            op = self.take()[1]
            node = (op, node, self.sum())
            if self.peek()[0] == "op" and self.peek()[1] in COMPARISONS:
                raise self.error("chained comparisons are not allowed; join them with 'and'")
        return node

    def sum(self):
        return self.chain(self.product, "+-")

    def product(self):
        return self.chain(self.unary, "*/")

    def chain(self, operand, ops):
        """``a op b op c ...`` as one node ("chain", a, ((op, b), (op, c), ...)), evaluated left to right:
        a sum of 1000 terms is one node, not a tree 1000 deep."""
        first, rest = operand(), []
        while self.peek()[0] == "op" and self.peek()[1] in ops:
            op = self.take()[1]
            rest.append((op, operand()))
        return first if not rest else ("chain", first, tuple(rest))

    def unary(self):
        count = 0
        while self.peek() == ("op", "-"):
            self.take()
            self.deeper()
            count += 1
        node = self.atom()
        self.depth -= count
        for _ in range(count):
            node = ("neg", node)
        return node

    def atom(self):
        kind, value = self.take()
        if kind == "number":
            try:
                return ("num", exact(value))
            except NumberError as exc:
                raise self.error(str(exc)) from None
        if kind == "op" and value == "(":
            self.deeper()
            node = self.disjunction()
            self.take(")")
            self.depth -= 1
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
            if len(value) > 9:
                raise self.error(f"index [{value[:12]}...] is past the end of any answer")
            indices.append(int(value))
            self.take("]")
        ref = Ref(question, answer, tuple(indices))
        self.refs.append(ref)
        return ref


def parse(text: str, question_ids, *, file=None) -> Condition:
    """The condition ``text``, checked against the exam's question ids (SpecError naming it)."""

    def error(message):
        return SpecError(f"condition {_shown(text)}: {message}", file=file, field="exam.require")

    parser = _Parser(text, set(question_ids), error)
    tree = parser.parse()
    return Condition(text, tree, tuple(parser.refs))


def _shown(text: str) -> str:
    """A condition as an error line quotes it: whole, or its first 60 characters."""
    return repr(text if len(text) <= 60 else text[:57] + "...")


class Unknown(SpecError):
    """A condition names an answer that its question does not have (or indexes it wrongly)."""


def holds(condition: Condition, answers: dict, *, file=None) -> bool:
    """Whether ``condition`` holds for ``answers`` ({question id: {answer name: JSON value}})."""
    value = _eval(condition.tree, answers, condition, file)
    if not isinstance(value, bool):
        raise SpecError(f"condition {_shown(condition.text)} is a number, not a condition (compare it: ... > 0)",
                        file=file, field="exam.require")
    return value


def _eval(node, answers, condition, file):
    """The value of ``node``, by an explicit stack: each entry is a node and how many of its operands
    are already on ``values`` (no recursion, however long or deep the condition)."""
    stack, values = [(node, 0)], []
    while stack:
        node, done = stack.pop()
        op = node[0]
        if op == "num":
            values.append(node[1])
        elif op == "ref":
            values.append(_lookup(node[1], answers, condition, file))
        elif op in ("not", "neg"):
            if done == 0:
                stack += [(node, 1), (node[1], 0)]
            elif op == "not":
                values.append(not _truth(values.pop(), condition, file))
            else:
                values.append(-_number(values.pop(), condition, file))
        elif op in ("and", "or"):
            items = node[1]
            if done > 0:
                last = _truth(values.pop(), condition, file)
                if last == (op == "or") or done == len(items):
                    values.append(last)          # short circuit, or the last operand decides
                    continue
            stack += [(node, done + 1), (items[done], 0)]
        elif op == "chain":
            operands = [node[1]] + [item for _, item in node[2]]
            if done == 0:
                stack.append((node, 1))
                stack += [(item, 0) for item in reversed(operands)]
                continue
            parts = values[len(values) - len(operands):]
            del values[len(values) - len(operands):]
            value = parts[0]
            for (sign, _), other in zip(node[2], parts[1:]):
                value = _binary(sign, value, other, condition, file)
            values.append(value)
        elif done == 0:
            stack += [(node, 1), (node[2], 0), (node[1], 0)]
        else:
            b, a = values.pop(), values.pop()
            values.append(_binary(op, a, b, condition, file))
    return values.pop()


def _binary(op, a, b, condition, file):
    if op in ("==", "!=") and isinstance(a, bool) and isinstance(b, bool):
        return (a == b) == (op == "==")
    a, b = _number(a, condition, file), _number(b, condition, file)
    if op == "/" and b == 0:
        raise SpecError(f"condition {_shown(condition.text)}: division by zero", file=file, field="exam.require")
    if op in ("*", "/") and _too_large(a, b, op):
        raise SpecError(f"condition {_shown(condition.text)}: a product or quotient beyond 10^4000",
                        file=file, field="exam.require")
    return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
            "<": lambda: a < b, "<=": lambda: a <= b, ">": lambda: a > b, ">=": lambda: a >= b,
            "==": lambda: a == b, "!=": lambda: a != b}[op]()


def _too_large(a, b, op) -> bool:
    """Whether ``a op b`` would have more than ~4000 digits (a condition multiplying 1e400 by itself 1000 times)."""
    bits = lambda x: Fraction(x).numerator.bit_length() + Fraction(x).denominator.bit_length()  # noqa: E731
    return bits(a) + bits(b) > 4000 * 3.33


def _lookup(ref: Ref, answers, condition, file):
    def unknown(message):
        return Unknown(f"condition {_shown(condition.text)}: {message}", file=file, field="exam.require")

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
        raise SpecError(f"condition {_shown(condition.text)}: 'and', 'or' and 'not' need conditions, not numbers",
                        file=file, field="exam.require")
    return value


def _number(value, condition, file):
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        raise SpecError(f"condition {_shown(condition.text)}: {value!r} is not a number", file=file,
                        field="exam.require")
    # a float answer is the nearest double of an exact value: read as its shortest decimal, so an
    # exact 0.04 compares equal to the literal 0.04
    if isinstance(value, float) and not math.isfinite(value):
        raise SpecError(f"condition {_shown(condition.text)}: an answer it reads is {value} (not a finite "
                        "number), so it cannot be compared", file=file, field="exam.require")
    return Fraction(repr(value)) if isinstance(value, float) else value
