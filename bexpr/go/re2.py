"""Translate RE2 patterns (Go's ``regexp`` syntax) into patterns for the ``regex`` module.

This module ports the parser of Go's ``regexp/syntax`` package, Copyright
(c) 2009 The Go Authors, under Go's BSD-3-Clause license: see
``LICENSES/Go-BSD-3-Clause.txt`` and ``NOTICE``, shipped in the wheel's
metadata.

go-bexpr's ``matches`` operator compiles its pattern with Go's ``regexp.Compile``
(``regexp/syntax`` with the Perl flags) and searches the subject unanchored.
This module is a port of the parts of Go's ``regexp/syntax/parse.go`` that
decide *whether* a pattern is valid and *what* it matches, followed by an
emitter that spells the parsed tree in ``regex`` (VERSION0) syntax.

The output never relies on the ``regex`` module's own flags: case folding is
expanded into explicit character sets (Go folds with simple case-folding
orbits, ``regex`` also folds the Turkic dotted/dotless i), ``\\d \\w \\s \\b``
become ASCII sets, ``$`` becomes ``\\Z`` and so on.  Character classes are
computed as code point ranges, exactly like Go does, using the Unicode
tables of the installed ``regex`` module.

Go version notes: named groups ``(?<name>re)`` (Go 1.22+) are accepted.
``\\p{...}`` names follow Go 1.22-1.24 (case-sensitive, no aliases); set
``GO_1_25_PROPERTY_NAMES`` to follow Go 1.25+ (``\\p{Letter}``, ``\\p{greek}``,
``Any``/``ASCII``/``Assigned``/``LC``/``Cn``).  Unicode tables (categories,
scripts, case folding) are those of the ``regex`` module, which may be a
newer Unicode version than the Go release's.
"""

from __future__ import annotations

import array
import bisect
import enum
import functools
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

import regex  # type: ignore[import-untyped, unused-ignore]

__all__ = [
    "GO_1_25_PROPERTY_NAMES",
    "ErrorCode",
    "RE2SyntaxError",
    "compile",
    "to_rust",
    "translate",
]

GO_1_25_PROPERTY_NAMES: bool = False
"""Follow Go 1.25+ for ``\\p{name}`` lookups (aliases, loose matching, extra names).

Set it before the first :func:`translate`, whose results are cached."""

_MAX_RUNE: Final = 0x10FFFF
_MAX_REPEAT: Final = 1000  # largest count in x{n,m}, and largest nested product
_MAX_HEIGHT: Final = 1000  # Go's maxHeight: deepest allowed parse tree
_MAX_SIZE: Final = (128 << 20) // 40  # Go's maxSize, in compiled instructions
_MAX_RUNES: Final = (128 << 20) // 4  # Go's maxRunes, runes held by all classes


class ErrorCode(enum.StrEnum):
    """The error kinds of Go's ``regexp/syntax`` (their text is Go's)."""

    INVALID_CHAR_CLASS = "invalid character class"
    """Declared by Go, but its parser never reports it (nor does this one):
    a bad class is :attr:`INVALID_CHAR_RANGE`."""
    INVALID_CHAR_RANGE = "invalid character class range"
    """A range or class name that is not one (``[z-a]``, ``[[:foo:]]``, ``\\p{Foo}``)."""
    INVALID_ESCAPE = "invalid escape sequence"
    """An escape RE2 does not know (``\\C``, ``\\8``)."""
    INVALID_NAMED_CAPTURE = "invalid named capture"
    """A capture name that is empty or not a word (``(?P<>x)``)."""
    INVALID_PERL_OP = "invalid or unsupported Perl syntax"
    """Perl syntax RE2 leaves out: lookaround, backreferences, ``(?>...)``."""
    INVALID_REPEAT_OP = "invalid nested repetition operator"
    """A repetition of a repetition (``a**``, ``a{2}*``)."""
    INVALID_REPEAT_SIZE = "invalid repeat count"
    """A count over 1000, a minimum above the maximum (``a{3,2}``), or nested
    counts whose product passes 1000 (``(a{100}){100}``)."""
    INVALID_UTF8 = "invalid UTF-8"
    """A pattern that is not valid UTF-8."""
    MISSING_BRACKET = "missing closing ]"
    """A character class left open (``[a``)."""
    MISSING_PAREN = "missing closing )"
    """A group left open (``(a``)."""
    MISSING_REPEAT_ARGUMENT = "missing argument to repetition operator"
    """A repetition with nothing before it (``*a``)."""
    TRAILING_BACKSLASH = "trailing backslash at end of expression"
    """A backslash at the very end."""
    UNEXPECTED_PAREN = "unexpected )"
    """A ``)`` that closes nothing."""
    NESTING_DEPTH = "expression nests too deeply"
    """Groups and repetitions nested past Go's limit (1000)."""
    LARGE = "expression too large"
    """A pattern that compiles to more than Go allows (repetition counts multiply)."""


class RE2SyntaxError(ValueError):
    """A pattern that Go's ``regexp.Compile`` rejects.

    ``str(error)`` is Go's message, e.g.
    ``error parsing regexp: missing closing ]: `[a` ``.
    """

    def __init__(self, code: ErrorCode, expr: str) -> None:
        self.code = code
        self.expr = expr
        super().__init__(f"error parsing regexp: {code}: `{expr}`")


# ---------------------------------------------------------------------------
# Code point range sets
# ---------------------------------------------------------------------------

#: A set of code points as sorted, disjoint, non-adjacent inclusive ranges.
Ranges = tuple[tuple[int, int], ...]

_ALL: Final[Ranges] = ((0, _MAX_RUNE),)
_NOT_NEWLINE: Final[Ranges] = ((0, 9), (11, _MAX_RUNE))


def _normalize(ranges: Iterable[tuple[int, int]]) -> Ranges:
    """Sort and merge overlapping or adjacent ranges (Go's ``cleanClass``)."""
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return tuple(out)


def _negate(ranges: Ranges) -> Ranges:
    """Complement a normalized range set within [0, 0x10FFFF]."""
    out: list[tuple[int, int]] = []
    next_lo = 0
    for lo, hi in ranges:
        if next_lo <= lo - 1:
            out.append((next_lo, lo - 1))
        next_lo = hi + 1
    if next_lo <= _MAX_RUNE:
        out.append((next_lo, _MAX_RUNE))
    return tuple(out)


def _ranges_from_pairs(flat: Iterable[int]) -> Ranges:
    """Build a range set from Go-style ``lo, hi, lo, hi, ...`` rune lists."""
    items = list(flat)
    return _normalize(zip(items[::2], items[1::2], strict=True))


# ---------------------------------------------------------------------------
# Unicode data, taken from the regex module so both sides agree
# ---------------------------------------------------------------------------


@functools.cache
def _every_code_point() -> str:
    """Return a string holding every code point once, in order."""
    codes = array.array("I", range(_MAX_RUNE + 1))
    if codes.itemsize != 4:
        return "".join(map(chr, range(_MAX_RUNE + 1)))
    # Decoding the raw code units is several times faster than joining chr()s.
    return codes.tobytes().decode(f"utf-32-{sys.byteorder[0]}e", "surrogatepass")


def _property(spec: str, negated: bool = False) -> str:
    """Spell a regex-module property class such as ``\\p{gc=Lu}``."""
    return ("\\P{" if negated else "\\p{") + spec + "}"


@functools.cache
def _property_ranges(spec: str) -> Ranges:
    """Return the code points matching ``\\p{spec}`` in the regex module."""
    scanner = regex.compile("(?V0)" + _property(spec) + "+")
    return tuple((m.start(), m.end() - 1) for m in scanner.finditer(_every_code_point()))


def _python_cases(_flags: int, cp: int) -> list[int]:
    """Simple case variants of ``cp`` from Python's str methods."""
    ch = chr(cp)
    found = {cp}
    for variant in (ch.lower(), ch.upper(), ch.casefold()):
        if len(variant) == 1:
            found.add(ord(variant))
    return sorted(found)


@functools.cache
def _fold_orbits() -> dict[int, tuple[int, ...]]:
    """Map each case-foldable code point to its simple case folding orbit.

    Go's ``unicode.SimpleFold`` orbits are the equivalence classes of simple
    case folding; the regex module's ``get_all_cases`` gives the same classes
    except that it also pairs i/I with the Turkic U+0130/U+0131, which Go's
    folding keeps apart.
    """
    # get_all_cases is the regex module's own (undocumented) case table, the
    # one its IGNORECASE matching uses; without it, fall back to Python's
    # simple lower/upper mappings, which differ only for a few titlecase
    # and special letters.
    native: Any = getattr(regex, "_regex", None)
    get_all_cases = getattr(native, "get_all_cases", None) or _python_cases
    turkic = {0x130, 0x131}
    orbits: dict[int, tuple[int, ...]] = {}
    # Only the first two planes have cased letters, in every Unicode version.
    for cp in range(0x20000):
        if cp in turkic:
            continue
        cases = get_all_cases(regex.IGNORECASE, cp)
        if len(cases) > 1:
            orbit = tuple(sorted(set(cases) - turkic))
            if len(orbit) > 1:
                orbits[cp] = orbit
    return orbits


@functools.cache
def _foldable() -> list[int]:
    """Return the sorted code points that have a non-trivial fold orbit."""
    return sorted(_fold_orbits())


def _fold_closure(ranges: Ranges) -> Ranges:
    """Add every case variant of every member (Go's ``appendFoldedRange``)."""
    foldable = _foldable()
    orbits = _fold_orbits()
    extra: list[tuple[int, int]] = list(ranges)
    for lo, hi in ranges:
        start = bisect.bisect_left(foldable, lo)
        stop = bisect.bisect_right(foldable, hi)
        for cp in foldable[start:stop]:
            extra.extend((member, member) for member in orbits[cp])
    return _normalize(extra)


def _orbit(cp: int) -> tuple[int, ...]:
    """Return the code points that case-fold together with ``cp``."""
    return _fold_orbits().get(cp, (cp,))


# Perl and POSIX classes, as in Go's perl_groups.go: (negated, ranges).
_DIGIT: Final = _ranges_from_pairs([0x30, 0x39])
_SPACE: Final = _ranges_from_pairs([0x9, 0xA, 0xC, 0xD, 0x20, 0x20])
_WORD: Final = _ranges_from_pairs([0x30, 0x39, 0x41, 0x5A, 0x5F, 0x5F, 0x61, 0x7A])

_PERL_GROUPS: Final[dict[str, tuple[bool, Ranges]]] = {
    r"\d": (False, _DIGIT),
    r"\D": (True, _DIGIT),
    r"\s": (False, _SPACE),
    r"\S": (True, _SPACE),
    r"\w": (False, _WORD),
    r"\W": (True, _WORD),
}

_POSIX_CLASSES: Final[dict[str, Ranges]] = {
    "alnum": _ranges_from_pairs([0x30, 0x39, 0x41, 0x5A, 0x61, 0x7A]),
    "alpha": _ranges_from_pairs([0x41, 0x5A, 0x61, 0x7A]),
    "ascii": _ranges_from_pairs([0x0, 0x7F]),
    "blank": _ranges_from_pairs([0x9, 0x9, 0x20, 0x20]),
    "cntrl": _ranges_from_pairs([0x0, 0x1F, 0x7F, 0x7F]),
    "digit": _DIGIT,
    "graph": _ranges_from_pairs([0x21, 0x7E]),
    "lower": _ranges_from_pairs([0x61, 0x7A]),
    "print": _ranges_from_pairs([0x20, 0x7E]),
    "punct": _ranges_from_pairs([0x21, 0x2F, 0x3A, 0x40, 0x5B, 0x60, 0x7B, 0x7E]),
    "space": _ranges_from_pairs([0x9, 0xD, 0x20, 0x20]),
    "upper": _ranges_from_pairs([0x41, 0x5A]),
    "word": _WORD,
    "xdigit": _ranges_from_pairs([0x30, 0x39, 0x41, 0x46, 0x61, 0x66]),
}

_POSIX_GROUPS: Final[dict[str, tuple[bool, Ranges]]] = {
    **{f"[:{name}:]": (False, ranges) for name, ranges in _POSIX_CLASSES.items()},
    **{f"[:^{name}:]": (True, ranges) for name, ranges in _POSIX_CLASSES.items()},
}

# Go's unicode.Categories keys (Go 1.21-1.24).  Go's "C" is Cc|Cf|Co|Cs: unlike
# Unicode's C it leaves out unassigned code points.
_CATEGORY_NAMES: Final = """
    C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No
    P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs
"""
_CATEGORIES: Final = frozenset(_CATEGORY_NAMES.split())
_CATEGORY_UNIONS: Final[dict[str, tuple[str, ...]]] = {
    "C": ("Cc", "Cf", "Co", "Cs"),
    "LC": ("Lu", "Ll", "Lt"),
}

# Go's unicode.Scripts keys for Unicode 15.0 (Go 1.21-1.26).
_SCRIPT_NAMES: Final = """
    Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah
    Batak Bengali Bhaiksuki Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal
    Carian Caucasian_Albanian Chakma Cham Cherokee Chorasmian Common Coptic Cuneiform
    Cypriot Cypro_Minoan Cyrillic Deseret Devanagari Dives_Akuru Dogra Duployan
    Egyptian_Hieroglyphs Elbasan Elymaic Ethiopic Georgian Glagolitic Gothic Grantha
    Greek Gujarati Gunjala_Gondi Gurmukhi Han Hangul Hanifi_Rohingya Hanunoo Hatran
    Hebrew Hiragana Imperial_Aramaic Inherited Inscriptional_Pahlavi
    Inscriptional_Parthian Javanese Kaithi Kannada Katakana Kawi Kayah_Li Kharoshthi
    Khitan_Small_Script Khmer Khojki Khudawadi Lao Latin Lepcha Limbu Linear_A Linear_B
    Lisu Lycian Lydian Mahajani Makasar Malayalam Mandaic Manichaean Marchen
    Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui Meroitic_Cursive
    Meroitic_Hieroglyphs Miao Modi Mongolian Mro Multani Myanmar Nabataean Nag_Mundari
    Nandinagari New_Tai_Lue Newa Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki
    Old_Hungarian Old_Italic Old_North_Arabian Old_Permic Old_Persian Old_Sogdian
    Old_South_Arabian Old_Turkic Old_Uyghur Oriya Osage Osmanya Pahawh_Hmong Palmyrene
    Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic Samaritan Saurashtra
    Sharada Shavian Siddham SignWriting Sinhala Sogdian Sora_Sompeng Soyombo Sundanese
    Syloti_Nagri Syriac Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangsa
    Tangut Telugu Thaana Thai Tibetan Tifinagh Tirhuta Toto Ugaritic Vai Vithkuqi Wancho
    Warang_Citi Yezidi Yi Zanabazar_Square
"""
_SCRIPTS: Final = frozenset(_SCRIPT_NAMES.split())

# unicode.CategoryAliases (Go 1.25+), from PropertyValueAliases.txt.
_CATEGORY_ALIASES: Final[dict[str, str]] = {
    "Other": "C", "Control": "Cc", "cntrl": "Cc", "Format": "Cf", "Unassigned": "Cn",
    "Private_Use": "Co", "Surrogate": "Cs", "Letter": "L", "Cased_Letter": "LC",
    "Lowercase_Letter": "Ll", "Modifier_Letter": "Lm", "Other_Letter": "Lo",
    "Titlecase_Letter": "Lt", "Uppercase_Letter": "Lu", "Mark": "M", "Combining_Mark": "M",
    "Spacing_Mark": "Mc", "Enclosing_Mark": "Me", "Nonspacing_Mark": "Mn", "Number": "N",
    "Decimal_Number": "Nd", "digit": "Nd", "Letter_Number": "Nl", "Other_Number": "No",
    "Punctuation": "P", "punct": "P", "Connector_Punctuation": "Pc",
    "Dash_Punctuation": "Pd", "Close_Punctuation": "Pe", "Final_Punctuation": "Pf",
    "Initial_Punctuation": "Pi", "Other_Punctuation": "Po", "Open_Punctuation": "Ps",
    "Symbol": "S", "Currency_Symbol": "Sc", "Modifier_Symbol": "Sk", "Math_Symbol": "Sm",
    "Other_Symbol": "So", "Separator": "Z", "Line_Separator": "Zl",
    "Paragraph_Separator": "Zp", "Space_Separator": "Zs",
}  # fmt: skip

#: Exact range sets of Unicode properties, mapped to a short regex spelling.
_CLASS_SPELLINGS: dict[Ranges, str] = {}


def _register_spelling(ranges: Ranges, positive: str, negative: str) -> Ranges:
    """Remember how to spell ``ranges`` and its complement compactly."""
    _CLASS_SPELLINGS.setdefault(ranges, positive)
    _CLASS_SPELLINGS.setdefault(_negate(ranges), negative)
    return ranges


@functools.cache
def _category_ranges(name: str) -> Ranges:
    """Return the code points of a Go general category name."""
    parts = _CATEGORY_UNIONS.get(name, (name,))
    ranges = _normalize(r for part in parts for r in _property_ranges(f"gc={part}"))
    if len(parts) == 1:
        spec = f"gc={name}"
        return _register_spelling(ranges, _property(spec), _property(spec, negated=True))
    inner = "".join(_property(f"gc={part}") for part in parts)
    return _register_spelling(ranges, f"[{inner}]", f"[^{inner}]")


@functools.cache
def _script_ranges(name: str) -> Ranges:
    """Return the code points of a script (Script property, not extensions)."""
    spec = f"sc={name}"
    return _register_spelling(_property_ranges(spec), _property(spec), _property(spec, True))


def _canonical_name(name: str) -> str:
    """Go 1.25's ``canonicalName``: loose matching of property names."""
    kept = [c for c in name if c not in "_- "]
    return "".join(kept[:1]).upper() + "".join(kept[1:]).lower()


@functools.cache
def _loose_names() -> dict[str, tuple[str, str]]:
    """Map canonical property names to ("category" | "script", Go name)."""
    names: dict[str, tuple[str, str]] = {}
    for alias, category in _CATEGORY_ALIASES.items():
        names[_canonical_name(alias)] = ("category", category)
    for script in _SCRIPTS:
        names[_canonical_name(script)] = ("script", script)
    for category in (*_CATEGORIES, "Cn", "LC"):
        names[_canonical_name(category)] = ("category", category)
    return names


def _unicode_table(name: str) -> Ranges | None:
    """Resolve a ``\\p{name}`` name to its code points, or None if unknown."""
    if GO_1_25_PROPERTY_NAMES:
        canonical = _canonical_name(name)
        if canonical == "Any":
            return _ALL
        if canonical == "Assigned":
            return _negate(_category_ranges("Cn"))
        if canonical == "Ascii":
            return ((0, 0x7F),)
        kind, go_name = _loose_names().get(canonical, ("", ""))
        if kind == "category":
            return _category_ranges(go_name)
        if kind == "script":
            return _script_ranges(go_name)
        return None
    if name == "Any":
        return _ALL
    if name in _CATEGORIES:
        return _category_ranges(name)
    if name in _SCRIPTS:
        return _script_ranges(name)
    return None


# ---------------------------------------------------------------------------
# Parse tree
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Literal:
    """A literal string; ``fold`` means each rune matches its fold orbit."""

    text: str
    fold: bool


@dataclass(slots=True)
class _Class:
    """A character class (also ``.``, ``\\d``, ``\\pL`` ...)."""

    ranges: Ranges


class _AssertKind(enum.Enum):
    BEGIN_LINE = enum.auto()
    END_LINE = enum.auto()
    BEGIN_TEXT = enum.auto()
    END_TEXT = enum.auto()
    WORD_BOUNDARY = enum.auto()
    NO_WORD_BOUNDARY = enum.auto()


@dataclass(slots=True)
class _Assert:
    """A zero-width assertion."""

    kind: _AssertKind


@dataclass(slots=True)
class _Empty:
    """Matches the empty string."""


@dataclass(slots=True)
class _Capture:
    """A capturing group; only its structure matters for Go's limits."""

    sub: _Node


@dataclass(slots=True)
class _Repeat:
    """``*``, ``+``, ``?`` (``counted`` False) or ``{min,max}`` (max -1: no limit)."""

    sub: _Node
    min: int
    max: int
    greedy: bool
    counted: bool


@dataclass(slots=True)
class _Concat:
    subs: list[_Node]


@dataclass(slots=True)
class _Alternate:
    subs: list[_Node]


_Node = _Literal | _Class | _Assert | _Empty | _Capture | _Repeat | _Concat | _Alternate


def _children(node: _Node) -> list[_Node]:
    """Return the direct sub-expressions of ``node``."""
    if isinstance(node, _Capture | _Repeat):
        return [node.sub]
    if isinstance(node, _Concat | _Alternate):
        return node.subs
    return []


def _postorder(root: _Node) -> Iterator[_Node]:
    """Yield every node after all of its descendants, without recursion.

    Go accepts nesting up to 1000 levels, deeper than Python's default
    recursion limit allows for a recursive walk.
    """
    order: list[_Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(_children(node))
    return reversed(order)


def _is_char_class(node: _Node) -> bool:
    """Whether ``node`` matches exactly one character (Go's ``isCharClass``)."""
    return isinstance(node, _Class) or (isinstance(node, _Literal) and len(node.text) == 1)


def _as_ranges(node: _Node) -> Ranges:
    """Return the code points a one-character node matches."""
    if isinstance(node, _Class):
        return node.ranges
    assert isinstance(node, _Literal)
    orbit = _orbit(ord(node.text)) if node.fold else (ord(node.text),)
    return _normalize((cp, cp) for cp in orbit)


def _make_concat(items: list[_Node]) -> _Node:
    """Concatenate like Go's ``concat``: flatten, and merge adjacent literals."""
    subs: list[_Node] = []
    for item in items:
        for sub in item.subs if isinstance(item, _Concat) else [item]:
            last = subs[-1] if subs else None
            if isinstance(sub, _Literal) and isinstance(last, _Literal) and last.fold == sub.fold:
                subs[-1] = _Literal(last.text + sub.text, sub.fold)
            else:
                subs.append(sub)
    if not subs:
        return _Empty()
    return subs[0] if len(subs) == 1 else _Concat(subs)


def _make_alternate(branches: list[_Node]) -> _Node:
    """Alternate like Go's ``alternate``: flatten, merge runs of single characters."""
    subs: list[_Node] = []
    for branch in branches:
        for sub in branch.subs if isinstance(branch, _Alternate) else [branch]:
            last = subs[-1] if subs else None
            if last is not None and _is_char_class(last) and _is_char_class(sub):
                subs[-1] = _Class(_normalize(_as_ranges(last) + _as_ranges(sub)))
            elif isinstance(last, _Empty) and isinstance(sub, _Empty):
                continue
            else:
                subs.append(sub)
    return subs[0] if len(subs) == 1 else _Alternate(subs)


def _repeat_is_valid(root: _Node, limit: int) -> bool:
    """Go's ``repeatIsValid``: nested counted repetitions multiply to <= ``limit``."""
    stack = [(root, limit)]
    while stack:
        node, n = stack.pop()
        if isinstance(node, _Repeat) and node.counted:
            m = node.min if node.max < 0 else node.max
            if node.max == 0:
                continue
            if m > n:
                return False
            if m > 0:
                n //= m
        stack.extend((sub, n) for sub in _children(node))
    return True


def _check_limits(root: _Node, pattern: str, node_count: int, repeat_product: int) -> None:
    """Approximate Go's "too deep" and "too large" checks on the final tree.

    Go checks each node as it is built, and only measures sizes once the
    number of nodes times the product of all repeat counts is over budget;
    checking the finished tree once gives the same verdict for the shapes
    that matter (deep nesting, large counted repeats).
    """
    height: dict[int, int] = {}
    size: dict[int, int] = {}
    for node in _postorder(root):
        subs = _children(node)
        height[id(node)] = 1 + max((height[id(sub)] for sub in subs), default=0)
        sub_size = [size[id(sub)] for sub in subs]
        if isinstance(node, _Literal):
            n = len(node.text)
        elif isinstance(node, _Capture):
            n = 2 + sub_size[0]
        elif isinstance(node, _Concat):
            n = sum(sub_size)
        elif isinstance(node, _Alternate):
            n = sum(sub_size) + len(subs) - 1
        elif isinstance(node, _Repeat) and node.max < 0:
            # x* and x{0,} take a split and a jump; x+ and x{n,} repeat x.
            n = 2 + sub_size[0] if node.min == 0 else 1 + node.min * sub_size[0]
        elif isinstance(node, _Repeat):
            n = node.max * sub_size[0] + node.max - node.min
        else:
            n = 0
        size[id(node)] = max(1, n)
    if node_count >= _MAX_HEIGHT and height[id(root)] > _MAX_HEIGHT:
        raise RE2SyntaxError(ErrorCode.NESTING_DEPTH, pattern)
    if node_count >= _MAX_SIZE // repeat_product and size[id(root)] > _MAX_SIZE:
        raise RE2SyntaxError(ErrorCode.LARGE, pattern)


# ---------------------------------------------------------------------------
# Parser (a port of Go's regexp/syntax parse loop, Perl flags)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Flags:
    """The parser flags that change meaning (Go's FoldCase, DotNL, OneLine, NonGreedy)."""

    fold: bool = False
    dot_nl: bool = False
    one_line: bool = True
    non_greedy: bool = False


@dataclass(slots=True)
class _Frame:
    """An open group: finished alternatives and the concatenation being built."""

    saved_flags: _Flags
    capture: bool
    branches: list[_Node] = field(default_factory=list)
    items: list[_Node] = field(default_factory=list)

    def finish(self) -> _Node:
        """Close the group and return its expression."""
        return _make_alternate([*self.branches, _make_concat(self.items)])


def _is_surrogate(c: str) -> bool:
    # A lone surrogate is what invalid UTF-8 in a Go string looks like here.
    return "\ud800" <= c <= "\udfff"


def _check_utf8(text: str) -> None:
    """Raise Go's invalid UTF-8 error if ``text`` holds a lone surrogate."""
    for i, c in enumerate(text):
        if _is_surrogate(c):
            raise RE2SyntaxError(ErrorCode.INVALID_UTF8, text[i:])


def _unhex(c: str) -> int:
    """Return the value of a hex digit, or -1."""
    return int(c, 16) if len(c) == 1 and c in "0123456789abcdefABCDEF" else -1


def _is_alnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


class _Parser:
    """Parses one pattern; ``parse`` returns the tree or raises RE2SyntaxError."""

    def __init__(self, pattern: str) -> None:
        self.s = pattern
        self.flags = _Flags()
        self.frames = [_Frame(saved_flags=self.flags, capture=False)]
        self.nodes = 0  # nodes built, standing in for Go's numRegexp
        self.runes = 0  # runes held by literals and classes (Go's numRunes)
        self.repeat_product = 1  # product of counted repeats (Go's p.repeats)

    # -- stack helpers -----------------------------------------------------

    def _push(self, node: _Node) -> None:
        self.nodes += 1
        if isinstance(node, _Class):
            self.runes += 2 * len(node.ranges)
        elif isinstance(node, _Literal):
            self.runes += len(node.text)
        if self.runes > _MAX_RUNES:
            raise RE2SyntaxError(ErrorCode.LARGE, self.s)
        self.frames[-1].items.append(node)

    def _literal(self, c: str) -> None:
        self._push(_Literal(c, self.flags.fold))

    def _open_group(self, capture: bool) -> None:
        self.nodes += 1
        self.frames.append(_Frame(saved_flags=self.flags, capture=capture))

    def _next_char(self, i: int) -> str:
        """Return ``s[i]``, or Go's invalid UTF-8 error for a lone surrogate."""
        c = self.s[i]
        if _is_surrogate(c):
            raise RE2SyntaxError(ErrorCode.INVALID_UTF8, self.s[i:])
        return c

    # -- main loop -----------------------------------------------------------

    def parse(self) -> _Node:
        """Parse the whole pattern."""
        s = self.s
        i = 0
        last_repeat: int | None = None  # start of the previous token if it was a repeat
        while i < len(s):
            repeat: int | None = None
            c = s[i]
            if c == "(":
                if s.startswith("(?", i):
                    i = self._parse_perl_flags(i)
                else:
                    self._open_group(capture=True)
                    i += 1
            elif c == "|":
                frame = self.frames[-1]
                frame.branches.append(_make_concat(frame.items))
                frame.items = []
                i += 1
            elif c == ")":
                self._right_paren()
                i += 1
            elif c == "^":
                one_line = self.flags.one_line
                self._push(_Assert(_AssertKind.BEGIN_TEXT if one_line else _AssertKind.BEGIN_LINE))
                i += 1
            elif c == "$":
                one_line = self.flags.one_line
                self._push(_Assert(_AssertKind.END_TEXT if one_line else _AssertKind.END_LINE))
                i += 1
            elif c == ".":
                self._push(_Class(_ALL if self.flags.dot_nl else _NOT_NEWLINE))
                i += 1
            elif c == "[":
                i = self._parse_class(i)
            elif c in "*+?":
                lo, hi = {"*": (0, -1), "+": (1, -1), "?": (0, 1)}[c]
                repeat = i
                i = self._repeat(lo, hi, False, i, i + 1, last_repeat)
            elif c == "{":
                parsed = self._parse_repeat(i)
                if parsed is None:
                    # A brace that does not start a valid repeat is a literal.
                    self._literal("{")
                    i += 1
                else:
                    lo, hi, after = parsed
                    if lo < 0 or lo > _MAX_REPEAT or hi > _MAX_REPEAT or 0 <= hi < lo:
                        raise RE2SyntaxError(ErrorCode.INVALID_REPEAT_SIZE, s[i:after])
                    repeat = i
                    i = self._repeat(lo, hi, True, i, after, last_repeat)
            elif c == "\\":
                i = self._parse_backslash(i)
            else:
                self._literal(self._next_char(i))
                i += 1
            last_repeat = repeat

        if len(self.frames) > 1:
            raise RE2SyntaxError(ErrorCode.MISSING_PAREN, s)
        return self.frames[0].finish()

    def _right_paren(self) -> None:
        if len(self.frames) == 1:
            raise RE2SyntaxError(ErrorCode.UNEXPECTED_PAREN, self.s)
        frame = self.frames.pop()
        node = frame.finish()
        self.flags = frame.saved_flags
        self.frames[-1].items.append(_Capture(node) if frame.capture else node)

    def _repeat(
        self, lo: int, hi: int, counted: bool, start: int, after: int, last_repeat: int | None
    ) -> int:
        """Apply a repetition operator spanning ``s[start:after]`` to the last item."""
        s = self.s
        non_greedy = self.flags.non_greedy
        if after < len(s) and s[after] == "?":
            after += 1
            non_greedy = not non_greedy
        if last_repeat is not None:
            # a** is an error, not a doubled star; a++ would be possessive.
            raise RE2SyntaxError(ErrorCode.INVALID_REPEAT_OP, s[last_repeat:after])
        items = self.frames[-1].items
        if not items:
            raise RE2SyntaxError(ErrorCode.MISSING_REPEAT_ARGUMENT, s[start:after])
        node = _Repeat(items[-1], lo, hi, greedy=not non_greedy, counted=counted)
        items[-1] = node
        self.nodes += 1
        if counted:
            n = hi if hi >= 0 else lo
            self.repeat_product = min(self.repeat_product * max(n, 1), _MAX_SIZE)
            if (lo >= 2 or hi >= 2) and not _repeat_is_valid(node, _MAX_REPEAT):
                raise RE2SyntaxError(ErrorCode.INVALID_REPEAT_SIZE, s[start:after])
        return after

    def _parse_int(self, i: int) -> tuple[int, int] | None:
        """Parse a decimal at ``s[i:]`` (no leading zeros): (value or -1 if huge, end)."""
        s = self.s
        j = i
        while j < len(s) and "0" <= s[j] <= "9":
            j += 1
        if j == i or (j - i >= 2 and s[i] == "0"):
            return None
        digits = s[i:j]
        # Go gives up (-1, later "invalid repeat count") past nine digits.
        return (int(digits) if len(digits) <= 9 else -1), j

    def _parse_repeat(self, i: int) -> tuple[int, int, int] | None:
        """Parse ``{n}``, ``{n,}`` or ``{n,m}`` at ``s[i]``: (min, max or -1, end)."""
        s = self.s
        first = self._parse_int(i + 1)
        if first is None:
            return None
        lo, j = first
        if j >= len(s):
            return None
        if s[j] != ",":
            hi = lo
        else:
            j += 1
            if j >= len(s):
                return None
            if s[j] == "}":
                hi = -1
            else:
                second = self._parse_int(j)
                if second is None:
                    return None
                hi, j = second
                if hi < 0:
                    lo = -1
        if j >= len(s) or s[j] != "}":
            return None
        return lo, hi, j + 1

    def _parse_perl_flags(self, i: int) -> int:
        """Parse ``(?flags)``, ``(?flags:``, ``(?P<name>`` or ``(?<name>`` at ``s[i]``."""
        s = self.s
        rest = len(s) - i
        with_p = rest > 4 and s[i + 2] == "P" and s[i + 3] == "<"
        if with_p or (rest > 3 and s[i + 2] == "<"):
            end = s.find(">", i)
            if end < 0:
                _check_utf8(s[i:])
                raise RE2SyntaxError(ErrorCode.INVALID_NAMED_CAPTURE, s[i:])
            name = s[i + (4 if with_p else 3) : end]
            _check_utf8(name)
            if not name or not all(c == "_" or _is_alnum(c) for c in name):
                raise RE2SyntaxError(ErrorCode.INVALID_NAMED_CAPTURE, s[i : end + 1])
            self._open_group(capture=True)
            return end + 1

        flags = self.flags
        negated = False
        saw_flag = False
        j = i + 2
        while j < len(s):
            c = self._next_char(j)
            j += 1
            if c in "imsU":
                on = not negated
                if c == "i":
                    flags = replace(flags, fold=on)
                elif c == "m":
                    flags = replace(flags, one_line=not on)
                elif c == "s":
                    flags = replace(flags, dot_nl=on)
                else:
                    flags = replace(flags, non_greedy=on)
                saw_flag = True
            elif c == "-" and not negated:
                negated = True
                saw_flag = False
            elif c in ":)" and not (negated and not saw_flag):
                if c == ":":
                    self._open_group(capture=False)
                self.flags = flags
                return j
            else:
                break
        raise RE2SyntaxError(ErrorCode.INVALID_PERL_OP, s[i:j])

    # -- escapes -------------------------------------------------------------

    def _parse_backslash(self, i: int) -> int:
        """Parse an escape outside a class at ``s[i] == '\\'``."""
        s = self.s
        c = s[i + 1] if i + 1 < len(s) else ""
        simple = {
            "A": _AssertKind.BEGIN_TEXT,
            "z": _AssertKind.END_TEXT,
            "b": _AssertKind.WORD_BOUNDARY,
            "B": _AssertKind.NO_WORD_BOUNDARY,
        }
        if c in simple:
            self._push(_Assert(simple[c]))
            return i + 2
        if c == "C":
            # \C (any byte) is not supported by Go.
            raise RE2SyntaxError(ErrorCode.INVALID_ESCAPE, s[i : i + 2])
        if c == "Q":
            end = s.find(r"\E", i + 2)
            text = s[i + 2 :] if end < 0 else s[i + 2 : end]
            for k, ch in enumerate(text):
                if _is_surrogate(ch):
                    raise RE2SyntaxError(ErrorCode.INVALID_UTF8, text[k:])
                self._literal(ch)
            return len(s) if end < 0 else end + 2
        unicode_class = self._parse_unicode_class(i)
        if unicode_class is not None:
            ranges, after = unicode_class
            self._push(_Class(ranges))
            return after
        perl = self._parse_perl_class(i)
        if perl is not None:
            self._push(_Class(perl))
            return i + 2
        r, after = self._parse_escape(i)
        self._literal(chr(r))
        return after

    def _parse_escape(self, i: int) -> tuple[int, int]:
        """Parse a single-character escape at ``s[i] == '\\'``: (code point, end)."""
        s = self.s
        j = i + 1
        if j >= len(s):
            raise RE2SyntaxError(ErrorCode.TRAILING_BACKSLASH, "")
        c = self._next_char(j)
        j += 1

        def invalid() -> RE2SyntaxError:
            return RE2SyntaxError(ErrorCode.INVALID_ESCAPE, s[i:j])

        if c in "1234567" and not (j < len(s) and "0" <= s[j] <= "7"):
            raise invalid()  # a single non-zero digit would be a backreference
        if c in "01234567":
            value = int(c)
            for _ in range(2):
                if j < len(s) and "0" <= s[j] <= "7":
                    value = value * 8 + int(s[j])
                    j += 1
            return value, j
        if c == "x":
            return self._parse_hex_escape(i, j)
        controls = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
        if c in controls:
            return controls[c], j
        if c.isascii() and not _is_alnum(c):
            # Escaped punctuation (and \_) is always itself.
            return ord(c), j
        raise invalid()

    def _parse_hex_escape(self, i: int, j: int) -> tuple[int, int]:
        """Parse the part of ``\\xHH`` or ``\\x{H...}`` after ``\\x`` (at ``s[j]``)."""
        s = self.s
        if j >= len(s):
            raise RE2SyntaxError(ErrorCode.INVALID_ESCAPE, s[i:j])
        c = self._next_char(j)
        j += 1
        if c == "{":
            value = 0
            digits = 0
            while True:
                if j >= len(s):
                    raise RE2SyntaxError(ErrorCode.INVALID_ESCAPE, s[i:j])
                c = self._next_char(j)
                j += 1
                if c == "}":
                    break
                v = _unhex(c)
                if v < 0:
                    raise RE2SyntaxError(ErrorCode.INVALID_ESCAPE, s[i:j])
                value = value * 16 + v
                if value > _MAX_RUNE:
                    raise RE2SyntaxError(ErrorCode.INVALID_ESCAPE, s[i:j])
                digits += 1
            if digits == 0:
                raise RE2SyntaxError(ErrorCode.INVALID_ESCAPE, s[i:j])
            return value, j
        x = _unhex(c)
        y = -1
        if j < len(s):
            y = _unhex(self._next_char(j))
            j += 1
        if x < 0 or y < 0:
            raise RE2SyntaxError(ErrorCode.INVALID_ESCAPE, s[i:j])
        return x * 16 + y, j

    def _group(self, negated: bool, ranges: Ranges) -> Ranges:
        """Go's ``appendGroup``: fold (if (?i)) before negating."""
        if self.flags.fold:
            ranges = _fold_closure(ranges)
        return _negate(ranges) if negated else ranges

    def _parse_perl_class(self, i: int) -> Ranges | None:
        """Parse ``\\d \\D \\s \\S \\w \\W`` at ``s[i]``, if present."""
        group = _PERL_GROUPS.get(self.s[i : i + 2])
        return None if group is None else self._group(*group)

    def _parse_unicode_class(self, i: int) -> tuple[Ranges, int] | None:
        """Parse ``\\pX``, ``\\p{Name}``, ``\\PX``, ``\\P{^Name}`` ... at ``s[i]``."""
        s = self.s
        if not (s.startswith(r"\p", i) or s.startswith(r"\P", i)):
            return None
        negated = s[i + 1] == "P"
        j = i + 2
        if j < len(s) and self._next_char(j) == "{":
            end = s.find("}", i)
            if end < 0:
                _check_utf8(s[i:])
                raise RE2SyntaxError(ErrorCode.INVALID_CHAR_RANGE, s[i:])
            name = s[i + 3 : end]
            _check_utf8(name)
            after = end + 1
        else:
            after = min(j + 1, len(s))
            name = s[j:after]
        if name.startswith("^"):
            negated = not negated
            name = name[1:]
        table = _unicode_table(name)
        if table is None:
            raise RE2SyntaxError(ErrorCode.INVALID_CHAR_RANGE, s[i:after])
        return self._group(negated, table), after

    def _parse_class(self, i: int) -> int:
        """Parse a bracketed class at ``s[i] == '['``; return the index after ``]``."""
        s = self.s
        j = i + 1
        negated = j < len(s) and s[j] == "^"
        if negated:
            j += 1
        parts: list[tuple[int, int]] = []
        first = True  # ']' is a literal as the first member
        while j >= len(s) or s[j] != "]" or first:
            first = False
            if s.startswith("[:", j) and len(s) - j > 2:
                end = s.find(":]", j + 2)
                if end >= 0:
                    name = s[j : end + 2]
                    group = _POSIX_GROUPS.get(name)
                    if group is None:
                        raise RE2SyntaxError(ErrorCode.INVALID_CHAR_RANGE, name)
                    parts.extend(self._group(*group))
                    j = end + 2
                    continue
            unicode_class = self._parse_unicode_class(j) if j < len(s) else None
            if unicode_class is not None:
                ranges, j = unicode_class
                parts.extend(ranges)
                continue
            perl = self._parse_perl_class(j)
            if perl is not None:
                parts.extend(perl)
                j += 2
                continue
            start = j
            lo, j = self._parse_class_char(j, i)
            hi = lo
            # [a-] means a or -, so a range needs something other than ']'.
            if j + 1 < len(s) and s[j] == "-" and s[j + 1] != "]":
                hi, j = self._parse_class_char(j + 1, i)
                if hi < lo:
                    raise RE2SyntaxError(ErrorCode.INVALID_CHAR_RANGE, s[start:j])
            ranges = ((lo, hi),)
            parts.extend(_fold_closure(ranges) if self.flags.fold else ranges)
        ranges = _normalize(parts)
        self._push(_Class(_negate(ranges) if negated else ranges))
        return j + 1

    def _parse_class_char(self, j: int, class_start: int) -> tuple[int, int]:
        """Parse one class member character at ``s[j]``: (code point, end)."""
        s = self.s
        if j >= len(s):
            raise RE2SyntaxError(ErrorCode.MISSING_BRACKET, s[class_start:])
        if s[j] == "\\":
            return self._parse_escape(j)
        return ord(self._next_char(j)), j + 1


# ---------------------------------------------------------------------------
# Emitter
# ---------------------------------------------------------------------------

_WORD_CLASS: Final = "[0-9A-Za-z_]"
_ASSERTIONS: Final[dict[_AssertKind, str]] = {
    _AssertKind.BEGIN_TEXT: r"\A",
    # Python's $ also matches before a final newline; Go's only at the end.
    _AssertKind.END_TEXT: r"\Z",
    _AssertKind.BEGIN_LINE: "(?m:^)",
    _AssertKind.END_LINE: "(?m:$)",
    # Go's \b and \B are ASCII-only; the regex module's are Unicode.
    _AssertKind.WORD_BOUNDARY: (
        f"(?:(?<={_WORD_CLASS})(?!{_WORD_CLASS})|(?<!{_WORD_CLASS})(?={_WORD_CLASS}))"
    ),
    _AssertKind.NO_WORD_BOUNDARY: (
        f"(?:(?<={_WORD_CLASS})(?={_WORD_CLASS})|(?<!{_WORD_CLASS})(?!{_WORD_CLASS}))"
    ),
}


def _escape(cp: int, in_class: bool) -> str:
    """Spell one code point so that no regex construct can swallow it."""
    ch = chr(cp)
    if ch.isascii() and (ch.isalnum() or ch == "_"):
        return ch
    if not in_class and 0x20 < cp < 0x7F:
        return "\\" + ch
    # Hex escapes keep class syntax ([ ] - ^ & ~ |) and whitespace out of play.
    if cp <= 0xFF:
        return f"\\x{cp:02x}"
    if cp <= 0xFFFF:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def _emit_class(ranges: Ranges) -> str:
    """Spell a range set as the shortest of a property, a set or a negated set."""
    if ranges in _CLASS_SPELLINGS:
        return _CLASS_SPELLINGS[ranges]
    if not ranges:
        return "(?!)"
    if ranges == _ALL:
        return "(?s:.)"
    if len(ranges) == 1 and ranges[0][0] == ranges[0][1]:
        return _escape(ranges[0][0], in_class=False)
    complement = _negate(ranges)
    negated = len(complement) < len(ranges)
    items = []
    for lo, hi in complement if negated else ranges:
        items.append(_escape(lo, True) if lo == hi else f"{_escape(lo, True)}-{_escape(hi, True)}")
    return ("[^" if negated else "[") + "".join(items) + "]"


@dataclass(frozen=True, slots=True)
class _Dialect:
    """How one regex engine spells a code point, a class and an assertion."""

    escape: Callable[[int, bool], str]
    emit_class: Callable[[Ranges], str]
    assertions: Mapping[_AssertKind, str]
    prefix: str = ""


def _emit_literal(node: _Literal, dialect: _Dialect) -> str:
    """Spell a literal string, expanding case folding into sets."""
    out = []
    for ch in node.text:
        orbit = _orbit(ord(ch)) if node.fold else (ord(ch),)
        if len(orbit) == 1:
            out.append(dialect.escape(ord(ch), False))
        else:
            out.append(dialect.emit_class(_normalize((cp, cp) for cp in orbit)))
    return "".join(out)


def _quantifier(lo: int, hi: int, greedy: bool) -> str:
    if (lo, hi) == (0, -1):
        op = "*"
    elif (lo, hi) == (1, -1):
        op = "+"
    elif (lo, hi) == (0, 1):
        op = "?"
    elif hi < 0:
        op = f"{{{lo},}}"
    elif lo == hi:
        op = f"{{{lo}}}"
    else:
        op = f"{{{lo},{hi}}}"
    return op if greedy else op + "?"


def _unwrap_repeat(node: _Repeat) -> tuple[_Node, int, int]:
    """Merge directly nested ``*``/``+``/``?`` (e.g. ``(?:x*)+`` is ``x*``).

    Greediness never changes *whether* a pattern matches, and merging keeps
    deeply nested operators from turning into deeply nested groups.
    """
    lo, hi = node.min, node.max
    sub = node.sub
    while not node.counted:
        inner = sub.sub if isinstance(sub, _Capture) else sub
        if not (isinstance(inner, _Repeat) and not inner.counted):
            break
        lo = min(lo, inner.min)
        hi = -1 if -1 in (hi, inner.max) else 1
        sub = inner.sub
    return sub, lo, hi


_ATOM, _SEQUENCE, _ALTERNATION = range(3)


def _emit(root: _Node, dialect: _Dialect) -> str:
    """Spell a parse tree in ``dialect``'s syntax."""
    done: dict[int, tuple[str, int]] = {}

    def group(node: _Node, strength: int) -> str:
        """Return the text of ``node``, grouped unless it binds at least ``strength``."""
        text, kind = done[id(node)]
        return text if kind <= strength else f"(?:{text})"

    for node in _postorder(root):
        if isinstance(node, _Literal):
            text = _emit_literal(node, dialect)
            result = (text, _ATOM if len(node.text) == 1 else _SEQUENCE)
        elif isinstance(node, _Class):
            result = (dialect.emit_class(node.ranges), _ATOM)
        elif isinstance(node, _Assert):
            result = (dialect.assertions[node.kind], _SEQUENCE)
        elif isinstance(node, _Empty):
            result = ("", _SEQUENCE)
        elif isinstance(node, _Capture):
            result = done[id(node.sub)]
        elif isinstance(node, _Concat):
            result = ("".join(group(sub, _SEQUENCE) for sub in node.subs), _SEQUENCE)
        elif isinstance(node, _Alternate):
            result = ("|".join(group(sub, _ALTERNATION) for sub in node.subs), _ALTERNATION)
        else:
            sub, lo, hi = _unwrap_repeat(node)
            body = done[id(sub)]  # a descendant, so already spelled
            text = body[0] if body[1] == _ATOM else f"(?:{body[0]})"
            result = (text + _quantifier(lo, hi, node.greedy), _SEQUENCE)
        done[id(node)] = result
    return done[id(root)][0]


_PYTHON: Final = _Dialect(
    lambda cp, in_class: _escape(cp, in_class), _emit_class, _ASSERTIONS, "(?V0)"
)

# Rust's regex crate (Polars): the same family, but its Perl classes and \b
# are Unicode, it has no \Q...\E and no surrogates. Everything is spelled
# out: classes as explicit ranges, code points as \x{...}, \b as ASCII.
_SURROGATES: Final = (0xD800, 0xDFFF)


def _rust_escape(cp: int, in_class: bool) -> str:
    ch = chr(cp)
    if ch.isascii() and (ch.isalnum() or ch == "_"):
        return ch
    return f"\\x{{{cp:X}}}"


def _without_surrogates(ranges: Ranges) -> Ranges:
    low, high = _SURROGATES
    kept: list[tuple[int, int]] = []
    for lo, hi in ranges:
        if hi < low or lo > high:
            kept.append((lo, hi))
            continue
        if lo < low:
            kept.append((lo, low - 1))
        if hi > high:
            kept.append((high + 1, hi))
    return tuple(kept)


def _rust_class(ranges: Ranges) -> str:
    ranges = _without_surrogates(ranges)
    if not ranges:
        return "[^\\x{0}-\\x{10FFFF}]"
    complement = _without_surrogates(_negate(ranges))
    if not complement:
        return "(?s:.)"
    if len(ranges) == 1 and ranges[0][0] == ranges[0][1]:
        return _rust_escape(ranges[0][0], False)
    negated = len(complement) < len(ranges)
    items = []
    for lo, hi in complement if negated else ranges:
        spelled = _rust_escape(lo, True)
        items.append(spelled if lo == hi else f"{spelled}-{_rust_escape(hi, True)}")
    return ("[^" if negated else "[") + "".join(items) + "]"


_RUST: Final = _Dialect(
    _rust_escape,
    _rust_class,
    {
        _AssertKind.BEGIN_TEXT: r"\A",
        _AssertKind.END_TEXT: r"\z",
        _AssertKind.BEGIN_LINE: "(?m:^)",
        _AssertKind.END_LINE: "(?m:$)",
        _AssertKind.WORD_BOUNDARY: r"(?-u:\b)",
        _AssertKind.NO_WORD_BOUNDARY: r"(?-u:\B)",
    },
)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def translate(pattern: str) -> str:
    """Translate an RE2/Go pattern into an equivalent ``regex`` module pattern.

    The result, compiled with ``regex.compile`` and used with ``search``,
    matches exactly the strings Go's ``regexp.Compile(pattern)`` matches.
    It carries its own flags inline (``(?V0)``, VERSION0 semantics), so it
    must be compiled without extra flags. Results are cached (set
    ``GO_1_25_PROPERTY_NAMES`` before the first call, if at all).

    Raises:
        RE2SyntaxError: where Go's ``regexp.Compile`` returns an error.
    """
    return _PYTHON.prefix + _emit(_checked_tree(pattern), _PYTHON)


def _checked_tree(pattern: str) -> _Node:
    parser = _Parser(pattern)
    tree = parser.parse()
    _check_limits(tree, pattern, parser.nodes, parser.repeat_product)
    return tree


@functools.lru_cache(maxsize=512)
def to_rust(pattern: str) -> str:
    """Translate an RE2/Go pattern for Rust's ``regex`` crate (Polars'
    ``str.contains``): a search with it matches exactly the strings Go's
    ``regexp.MatchString`` matches. The engine may still refuse a pattern
    its size limit does not allow; callers check before relying on it.

    Raises:
        RE2SyntaxError: where Go's ``regexp.Compile`` returns an error.
    """
    return _emit(_checked_tree(pattern), _RUST)


@functools.lru_cache(maxsize=256)
def compile(pattern: str) -> Any:
    """Translate ``pattern`` and compile it; returns a ``regex.Pattern[str]``.

    Compiled patterns are cached and shared: ``regex`` pattern objects are
    immutable and safe to use from several threads.

    Raises:
        RE2SyntaxError: where Go's ``regexp.Compile`` returns an error.
    """
    translated = translate(pattern)
    try:
        return regex.compile(translated)
    except RecursionError:
        # The regex module parses patterns recursively. Raising the
        # interpreter's recursion limit would be process-wide and racy, so a
        # pattern nested too deeply for it is refused instead.
        raise RE2SyntaxError(ErrorCode.NESTING_DEPTH, pattern) from None
