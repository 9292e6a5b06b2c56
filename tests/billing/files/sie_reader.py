"""An SIE 4 reader written from the format's specification (SIE 4B), independently of
billing/files/sie4.py, to read back what the writer produced and check it as an importer would.

Covers what a type 4 transaction file needs: the header labels, #DIM/#OBJEKT, #KONTO,
#VER blocks with #TRANS rows. Raises SieError on anything a strict importer would refuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation


class SieError(ValueError):
    pass


@dataclass
class Transaction:
    account: str
    objects: list[tuple[str, str]]
    amount: Decimal
    date: date | None
    text: str


@dataclass
class Voucher:
    series: str
    number: str
    date: date
    text: str
    reg_date: date | None
    transactions: list[Transaction] = field(default_factory=list)


@dataclass
class SieFile:
    flags: str = ""
    format: str = ""
    sie_type: str = ""
    program: list[str] = field(default_factory=list)
    generated: date | None = None
    company: str = ""
    fiscal_years: dict[str, tuple[date, date]] = field(default_factory=dict)
    dimensions: dict[str, str] = field(default_factory=dict)
    objects: dict[tuple[str, str], str] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)
    vouchers: list[Voucher] = field(default_factory=list)


def tokenize(line: str) -> list:
    """Split one record into fields: bare words, "quoted" strings (\\" escapes), {object lists}."""
    tokens: list = []
    stack: list[list] = [tokens]
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch in " \t":
            i += 1
        elif ch == '"':
            i += 1
            value = []
            while True:
                if i >= n:
                    raise SieError(f"unterminated string in {line!r}")
                if line[i] == "\\" and i + 1 < n:
                    value.append(line[i + 1])
                    i += 2
                elif line[i] == '"':
                    i += 1
                    break
                else:
                    value.append(line[i])
                    i += 1
            stack[-1].append("".join(value))
        elif ch == "{":
            inner: list = []
            stack[-1].append(inner)
            stack.append(inner)
            i += 1
        elif ch == "}":
            if len(stack) == 1:
                raise SieError(f"unbalanced brace in {line!r}")
            stack.pop()
            i += 1
        else:
            j = i
            while j < n and line[j] not in ' \t{}"':
                j += 1
            stack[-1].append(line[i:j])
            i = j
    if len(stack) != 1:
        raise SieError(f"unclosed object list in {line!r}")
    return tokens


def _date(text: str) -> date:
    if not re.fullmatch(r"\d{8}", text or ""):
        raise SieError(f"bad date {text!r}")
    return datetime.strptime(text, "%Y%m%d").date()


def _amount(text: str) -> Decimal:
    if not re.fullmatch(r"-?\d+(\.\d{1,2})?", text):
        raise SieError(f"bad amount {text!r} (decimal point, at most two decimals)")
    try:
        return Decimal(text)
    except InvalidOperation as error:
        raise SieError(text) from error


def read_sie(data: bytes) -> SieFile:
    """Parse and validate a SIE 4 file given as bytes (PC8 = code page 437)."""
    text = data.decode("cp437")
    sie = SieFile()
    current: Voucher | None = None
    in_block = False
    for number, raw in enumerate(re.split(r"\r\n|\n", text), 1):
        line = raw.strip()
        if not line:
            continue
        if line == "{":
            if current is None or in_block:
                raise SieError(f"line {number}: '{{' without #VER")
            in_block = True
            continue
        if line == "}":
            if not in_block:
                raise SieError(f"line {number}: '}}' without block")
            in_block, current = False, None
            continue
        if not line.startswith("#"):
            raise SieError(f"line {number}: a record must start with #: {line!r}")
        label, *fields = tokenize(line)
        if in_block and label not in ("#TRANS", "#RTRANS", "#BTRANS"):
            raise SieError(f"line {number}: {label} inside a voucher")
        if label == "#FLAGGA":
            sie.flags = fields[0]
        elif label == "#FORMAT":
            sie.format = fields[0]
        elif label == "#SIETYP":
            sie.sie_type = fields[0]
        elif label == "#PROGRAM":
            sie.program = fields
        elif label == "#GEN":
            sie.generated = _date(fields[0])
        elif label == "#FNAMN":
            sie.company = fields[0]
        elif label == "#RAR":
            sie.fiscal_years[fields[0]] = (_date(fields[1]), _date(fields[2]))
        elif label == "#DIM":
            sie.dimensions[fields[0]] = fields[1]
        elif label == "#OBJEKT":
            if fields[0] not in sie.dimensions:
                raise SieError(f"line {number}: object in undeclared dimension {fields[0]}")
            sie.objects[(fields[0], fields[1])] = fields[2]
        elif label == "#KONTO":
            if not re.fullmatch(r"\d+", fields[0]):
                raise SieError(f"line {number}: account {fields[0]!r} is not digits")
            sie.accounts[fields[0]] = fields[1]
        elif label == "#VER":
            series, ver_number, ver_date, ver_text = fields[0], fields[1], _date(fields[2]), fields[3] if len(fields) > 3 else ""
            reg = _date(fields[4]) if len(fields) > 4 and fields[4] else None
            current = Voucher(series, ver_number, ver_date, ver_text, reg)
            sie.vouchers.append(current)
        elif label == "#TRANS":
            if not in_block or current is None:
                raise SieError(f"line {number}: #TRANS outside a voucher")
            account, objects, amount = fields[0], fields[1], fields[2]
            if not isinstance(objects, list) or len(objects) % 2:
                raise SieError(f"line {number}: bad object list")
            pairs = [(objects[k], objects[k + 1]) for k in range(0, len(objects), 2)]
            trans_date = _date(fields[3]) if len(fields) > 3 and fields[3] else None
            current.transactions.append(Transaction(account, pairs, _amount(amount), trans_date,
                                                    fields[4] if len(fields) > 4 else ""))
        # other labels (#KPTYP, #ADRESS, #KSUMMA, …) are allowed and ignored
    if in_block:
        raise SieError("file ends inside a voucher")
    _validate(sie)
    return sie


def _validate(sie: SieFile) -> None:
    if sie.format != "PC8":
        raise SieError("#FORMAT must be PC8")
    if sie.sie_type != "4":
        raise SieError("#SIETYP must be 4")
    for voucher in sie.vouchers:
        if sum((t.amount for t in voucher.transactions), Decimal(0)) != 0:
            raise SieError(f"voucher {voucher.series} {voucher.number} does not balance")
        for trans in voucher.transactions:
            if trans.account not in sie.accounts:
                raise SieError(f"account {trans.account} used but not declared by #KONTO")
            for dim, code in trans.objects:
                if (dim, code) not in sie.objects:
                    raise SieError(f"object {dim}/{code} used but not declared by #OBJEKT")
