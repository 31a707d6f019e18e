"""XLSX workbooks built part by part (zipfile and raw XML), so that a test can make one that
would cost openpyxl a great deal to read while the file itself stays small and quick to make."""

import io
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.%s+xml"

HEADER_ROW = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>Surname</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>Captured on</t></is></c></row>'
)
KIM_ROW = (
    b'<row r="2"><c r="A2" t="inlineStr"><is><t>Kim</t></is></c>'
    b'<c r="B2" t="inlineStr"><is><t>2025-01-05</t></is></c></row>'
)


def sheet_xml(rows: bytes, *, dimension: str | None = "A1:B2") -> bytes:
    declared = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'.encode()
        + declared
        + b"<sheetData>"
        + rows
        + b"</sheetData></worksheet>"
    )


def shared_strings_xml(entries: bytes) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode() + entries + b"</sst>"
    )


def xlsx_of(
    sheets: dict[str, bytes],
    *,
    shared_strings: bytes | None = None,
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """A workbook of these sheets (name → the sheet's XML, in order), with a table of shared
    text and other parts if given; every part deflated at the highest level."""
    overrides = [("/xl/workbook.xml", SPREADSHEET % "sheet.main")]
    relations = []
    listed = []
    for number, name in enumerate(sheets, start=1):
        overrides.append((f"/xl/worksheets/sheet{number}.xml", SPREADSHEET % "worksheet"))
        relations.append(
            f'<Relationship Id="rId{number}" Type="{RELATIONSHIPS}/worksheet" '
            f'Target="worksheets/sheet{number}.xml"/>'
        )
        listed.append(f'<sheet name="{name}" sheetId="{number}" r:id="rId{number}"/>')
    if shared_strings is not None:
        overrides.append(("/xl/sharedStrings.xml", SPREADSHEET % "sharedStrings"))
        relations.append(
            f'<Relationship Id="rIdS" Type="{RELATIONSHIPS}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
        + "</Types>"
    )
    parts = {
        "[Content_Types].xml": content_types.encode(),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">'
            f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
            f'xmlns:r="{RELATIONSHIPS}"><sheets>{"".join(listed)}</sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">'
            f"{''.join(relations)}</Relationships>"
        ).encode(),
    }
    for number, xml in enumerate(sheets.values(), start=1):
        parts[f"xl/worksheets/sheet{number}.xml"] = xml
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    parts.update(extra or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def wide_rows() -> bytes:
    """Rows of 16,000 cells each (the 536 KB sheet that took 111 s to parse)."""
    row = b"<row>" + b"<c><v>7</v></c>" * 16_000 + b"</row>"
    return HEADER_ROW + row * 30


def million_empty_rows() -> bytes:
    """A list followed by a million empty rows (the 356 KB workbook that took 10 s)."""
    return HEADER_ROW + KIM_ROW + b"<row/>" * 1_000_000


def many_shared_strings(count: int) -> bytes:
    """A table of shared text of `count` short entries: compressed it stays tiny (the 553 KB
    workbook that grew a worker by 210 MB)."""
    return shared_strings_xml(b"<si><t>Kim</t></si>" * count)
