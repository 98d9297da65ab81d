"""Hostile and foreign roster files: each refused with one clear line naming the file,
never a traceback and never a gigabyte of memory; nothing is imported."""

from __future__ import annotations

import io
import shutil
import struct
import zipfile
from pathlib import Path

import pytest

from bot.cli import main
from bot.roster_io import guards, load, write_roster

SAMPLE = Path(__file__).parents[1] / "bot" / "samples" / "roster"


def roster(folder: Path, capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, str]:
    """``lianxin roster import PATH``: the exit status and everything it printed."""
    config = folder / "config.toml"
    config.write_text('[database]\npath = "x.db"\n[general]\nlanguage = "en"\n', "utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["--config", str(config), "roster", "import", str(path)])
    out, err = capsys.readouterr()
    assert isinstance(exit_.value.code, int)
    return exit_.value.code, out + err


def refused(folder: Path, capsys: pytest.CaptureFixture[str], path: Path) -> str:
    code, said = roster(folder, capsys, path)
    assert code != 0
    assert "Traceback" not in said
    lines = said.splitlines()
    assert len(lines) == 2, said  # the problem, then "nothing imported"
    assert lines[0].startswith(f"{path}: ")
    return lines[0]


def sample_workbook(path: Path) -> Path:
    placed, problems = load(SAMPLE)
    assert problems == []
    write_roster(path, placed.roster)
    return path


def with_part(source: Path, target: Path, name: str, content: bytes) -> Path:
    """A copy of the workbook ``source`` with the part ``name`` replaced (or added)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename != name:
                new.writestr(info, old.read(info))
        new.writestr(name, content, zipfile.ZIP_DEFLATED)
    return target


def declaring(path: Path, name: str, size: int) -> Path:
    """Make the zip at ``path`` declare ``size`` bytes unpacked for ``name`` (its central
    directory, which is what a reader believes), as a hostile file would."""
    data = bytearray(path.read_bytes())
    start = data.index(b"PK\x01\x02")  # the first central directory entry
    while True:
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46 : start + 46 + name_length].decode() == name:
            struct.pack_into("<I", data, start + 24, size)
            path.write_bytes(bytes(data))
            return path
        extra, comment = struct.unpack_from("<HH", data, start + 30)
        start = data.index(b"PK\x01\x02", start + 46 + name_length + extra + comment)


def test_a_workbook_declaring_a_gigabyte_of_shared_strings_is_refused_before_it_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = with_part(sample_workbook(tmp_path / "a.xlsx"), tmp_path / "名册.xlsx",
                     "xl/sharedStrings.xml", b"<sst/>")  # fmt: skip
    declaring(book, "xl/sharedStrings.xml", 1_200_000_000)
    line = refused(tmp_path, capsys, book)
    assert "1145 MB" in line
    assert "512 MB" in line


def test_shared_strings_over_their_own_cap_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = with_part(sample_workbook(tmp_path / "a.xlsx"), tmp_path / "名册.xlsx",
                     "xl/sharedStrings.xml", b"<sst/>")  # fmt: skip
    declaring(book, "xl/sharedStrings.xml", guards.MAX_SHARED_STRINGS + 1)
    line = refused(tmp_path, capsys, book)
    assert "text unpacks to 65 MB" in line


def test_a_zip_bomb_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    padding = b"<sst>" + b" " * (20 * 1024 * 1024) + b"</sst>"  # 20 MB packing to ~20 KB
    book = with_part(sample_workbook(tmp_path / "a.xlsx"), tmp_path / "名册.xlsx",
                     "xl/sharedStrings.xml", padding)  # fmt: skip
    assert "packed 1" in refused(tmp_path, capsys, book)


def test_a_workbook_of_many_parts_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "名册.xlsx"
    with zipfile.ZipFile(book, "w") as out:
        for n in range(guards.MAX_PARTS + 1):
            out.writestr(f"xl/media/{n}.bin", b"")
    assert "1001 parts" in refused(tmp_path, capsys, book)


@pytest.mark.parametrize(
    ("part", "content"),
    [
        ("xl/workbook.xml", b"<workbook><sheets><sheet name="),
        ("xl/worksheets/sheet3.xml", b"<worksheet><sheetData><row r='1'><c r='A1'>"),
        ("[Content_Types].xml", b"\x00\x01 not xml"),
        ("xl/_rels/workbook.xml.rels", b"<Relationships><Relationship Id="),
    ],
)
def test_malformed_xml_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], part: str, content: bytes
) -> None:
    book = with_part(sample_workbook(tmp_path / "a.xlsx"), tmp_path / "名册.xlsx", part, content)
    line = refused(tmp_path, capsys, book)
    assert "damaged" in line or "missing sheet" in line or "not an .xlsx" in line, line


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "opening password"),
        (b"just some text, not a zip", "not an .xlsx workbook"),
        (b"PK\x03\x04 and then nothing", "not an .xlsx workbook"),
        (b"", "not an .xlsx workbook"),
    ],
)
def test_encrypted_and_non_zip_files_are_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, says: str
) -> None:
    book = tmp_path / "名册.xlsx"
    book.write_bytes(content)
    assert says in refused(tmp_path, capsys, book)


def test_a_zip_encrypted_workbook_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = sample_workbook(tmp_path / "名册.xlsx")
    data = bytearray(book.read_bytes())
    start = data.index(b"PK\x01\x02")
    data[start + 8] |= 0x1  # the "encrypted" flag of the first part
    book.write_bytes(bytes(data))
    assert "opening password" in refused(tmp_path, capsys, book)


def test_a_real_workbook_passes_the_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, said = roster(tmp_path, capsys, sample_workbook(tmp_path / "名册.xlsx"))
    assert code == 0, said


# --- Big5 and Shift-JIS CSV -------------------------------------------------------------

TRADITIONAL = {
    "regions.csv": "id,name,level,parent_id\nC01,和平縣,county,\nT01,東坪鎮,township,C01\n"
    "V01,柳樹村,village,T01\n",
    "households.csv": "id,head_name,region_id,address,phone\n"
    "H0001,張偉,V01,柳樹村三組12號,13812345678\nH0002,陳淑芬,V01,東坪鎮中興路45號,\n"
    "H0003,黃國華,V01,柳樹村,\n",
}
JAPANESE = (
    "id,head_name,region_id,address,phone\nH0001,山田太郎,V01,東京都港区芝公園4丁目,\n"
    "H0002,佐藤花子,V01,ﾔﾏﾀﾞ ｶﾀｶﾅ,\nH0003,鈴木一郎,V01,大阪府大阪市北区梅田,\n"
)


def csv_folder(tmp_path: Path, files: dict[str, bytes]) -> Path:
    folder = tmp_path / "名册"
    shutil.copytree(SAMPLE, folder)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


@pytest.mark.parametrize(
    ("files", "named"),
    [
        ({name: text.encode("big5") for name, text in TRADITIONAL.items()}, "Big5"),
        ({"households.csv": JAPANESE.encode("shift_jis")}, "Shift-JIS"),
    ],
)
def test_a_big5_or_shift_jis_roster_is_refused_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, bytes], named: str
) -> None:
    code, said = roster(tmp_path, capsys, csv_folder(tmp_path, files))
    assert code != 0
    assert "Traceback" not in said
    lines = said.splitlines()
    assert sorted(line.split(":")[0] for line in lines[:-1]) == sorted(files)
    assert all(f"looks like {named}" in line and "UTF-8" in line for line in lines[:-1])


def test_utf8_and_gb18030_chinese_still_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {}
    for entry in SAMPLE.iterdir():
        text = entry.read_text("utf-8-sig")
        files[entry.name] = text.encode("gb18030" if entry.name < "i" else "utf-8")
    # a GB18030 file with some rare name characters is still Chinese
    households = files["households.csv"].decode("gb18030").replace("王秀英", "王堃喆")
    files["households.csv"] = households.encode("gb18030")
    code, said = roster(tmp_path, capsys, csv_folder(tmp_path, files))
    assert code == 0, said


def test_the_check_reads_a_sample_of_a_long_file() -> None:
    text = "张伟,柳树村" * 100_000
    assert not guards.looks_misread(text)
    assert guards.looks_misread(io.BytesIO("臺北".encode("big5") * 50).read().decode("gb18030"))


def test_an_entity_expansion_bomb_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ten levels of entities each ten times the last ("billion laughs"): the XML parser's
    own limit stops it, and that is one line."""
    entities = '<!ENTITY e0 "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY e{n} "{f"&e{n - 1};" * 10}">' for n in range(1, 10)
    )
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]><sst xmlns='
        '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&e9;</t></si></sst>'
    )
    source = sample_workbook(tmp_path / "a.xlsx")
    book = tmp_path / "名册.xlsx"
    shared = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    relation = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "[Content_Types].xml":
                override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{shared}"/>'
                data = data.replace(b"</Types>", f"{override}</Types>".encode())
            if info.filename == "xl/_rels/workbook.xml.rels":
                link = f'<Relationship Id="rId99" Type="{relation}" Target="sharedStrings.xml"/>'
                data = data.replace(b"</Relationships>", f"{link}</Relationships>".encode())
            new.writestr(info, data)
        new.writestr("xl/sharedStrings.xml", bomb)
    assert "damaged" in refused(tmp_path, capsys, book)
