"""`flask org import FILE.csv`: the whole file checked first, parents first, idempotent."""
import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import OrgUnit

HEADER = "code,name,parent_code,kind\n"
# The ward comes before its province: the import orders parents first itself.
VALID = HEADER + ("HP-LC,Phường Lê Chân,HP,ward\n"
                  "HP,Thành phố Hải Phòng,,province\n"
                  "HP-LC-T1,Tổ dân phố số 1,HP-LC,group\n")


def write(tmp_path, text, name="units.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def units(app) -> dict[str, tuple]:
    with app.app_context():
        return {unit.code: (unit.name, unit.kind, unit.path, unit.parent.code if unit.parent
                            else None) for unit in db.session.scalars(select(OrgUnit))}


def test_a_valid_file_adds_units_under_their_parents(app, runner, tmp_path):
    result = runner.invoke(args=["org", "import", write(tmp_path, VALID)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("3 added, 0 renamed, 0 unchanged")
    found = units(app)
    assert found["HP-LC"][3] == "HP" and found["HP-LC-T1"][3] == "HP-LC"
    assert found["HP-LC"][2].startswith(found["HP"][2])
    assert found["HP-LC-T1"][2].startswith(found["HP-LC"][2])
    assert found["HP-LC-T1"][:2] == ("Tổ dân phố số 1", "group")


def test_importing_the_same_file_again_changes_nothing(app, runner, tmp_path):
    path = write(tmp_path, VALID)
    runner.invoke(args=["org", "import", path])
    before = units(app)
    again = runner.invoke(args=["org", "import", path])
    assert again.exit_code == 0
    assert again.output.strip() == "0 added, 0 renamed, 3 unchanged"
    assert units(app) == before


def test_a_changed_name_renames_the_unit_and_says_so(app, runner, tmp_path):
    runner.invoke(args=["org", "import", write(tmp_path, VALID)])
    renamed = VALID.replace("Phường Lê Chân", "Phường Lê Chân mới")
    result = runner.invoke(args=["org", "import", write(tmp_path, renamed, "renamed.csv")])
    assert result.exit_code == 0, result.output
    assert 'renamed HP-LC: "Phường Lê Chân" → "Phường Lê Chân mới"' in result.output
    assert "0 added, 1 renamed, 2 unchanged" in result.output
    assert units(app)["HP-LC"][0] == "Phường Lê Chân mới"


def test_existing_units_can_be_parents_and_semicolons_and_a_bom_are_read(app, runner, tmp_path):
    text = "\ufeffcode;name;parent_code;kind\nHN-TX;Phường Thanh Xuân;HN;ward\n"
    result = runner.invoke(args=["org", "import", write(tmp_path, text)])
    assert result.exit_code == 0, result.output
    assert "1 added, 0 renamed, 0 unchanged" in result.output
    assert units(app)["HN-TX"][3] == "HN"


@pytest.mark.parametrize("rows, expected", [
    ("HP,Hải Phòng,,province\nHP-X,Phường X,ZZ,ward\n",
     'row 3, column “parent_code”: Unknown parent code ZZ'),
    ("HP,Hải Phòng,,province\nHP,Hải Phòng 2,,province\n",
     'row 3, column “code”: The code HP is already used on row 2.'),
    ("HP,Hải Phòng,,district\n",
     'row 2, column “kind”: “district” is not a kind of unit: use one of province, commune, '
     'ward, special-zone, unit, group.'),
    ("HP,,,province\n", "row 2, column “name”: Enter the unit's name."),
    (",Hải Phòng,,province\n", "row 2, column “code”: Enter a code."),
    ("HP,Hải Phòng,HP,province\n", "row 2, column “parent_code”: A unit cannot be under itself."),
    ("HP,Hải Phòng,,\n", "row 2, column “kind”: Give the kind of unit, one of: province, "),
    ("HP,Hải Phòng,,province\nA,Đơn vị A,B,unit\nB,Đơn vị B,A,unit\n",
     'row 3, column “parent_code”: A is its own ancestor (A → B → A).'),
    ("HN-HK,Phường Hoàn Kiếm,DB,ward\n",
     'row 2, column “parent_code”: HN-HK already exists under HN: the import does not '
     'move units.'),
    ("HN,Thành phố Hà Nội,,commune\n",
     'row 2, column “kind”: HN already exists as a province: the import does not change kinds.'),
    ("HN,Thành phố Hà Nội,VN,province\nVN,Việt Nam,,province\n",
     'row 2, column “parent_code”: HN already exists at the top, under no unit: the import '
     'does not move units.'),
])
def test_a_wrong_row_is_named_with_its_column_and_nothing_is_written(app, runner, tmp_path,
                                                                      rows, expected):
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(OrgUnit))
    result = runner.invoke(args=["org", "import", write(tmp_path, HEADER + rows)])
    assert result.exit_code == 1
    assert expected in result.output
    assert "nothing was imported" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OrgUnit)) == count


def test_every_problem_in_the_file_is_reported_at_once(runner, tmp_path):
    text = HEADER + "HP,,,province\nHP-A,Phường A,HP,city\nHP-B,Phường B,HP,ward\n"
    result = runner.invoke(args=["org", "import", write(tmp_path, text)])
    assert result.exit_code == 1
    assert "row 2, column “name”: Enter the unit's name." in result.output
    assert "row 3, column “kind”: “city” is not a kind of unit" in result.output
    assert "2 problems: nothing was imported." in result.output


def test_a_missing_column_is_named(runner, tmp_path):
    path = write(tmp_path, "code,name,kind\nHP,Hải Phòng,province\n")
    result = runner.invoke(args=["org", "import", path])
    assert result.exit_code == 1
    assert "row 1, column “parent_code”: This column is missing" in result.output


def test_a_file_not_in_utf8_is_refused_with_the_fix(runner, tmp_path):
    path = write(tmp_path, HEADER + "HT,Hà Tây,,province\n", encoding="latin-1")
    result = runner.invoke(args=["org", "import", path])
    assert result.exit_code == 1
    assert "not UTF-8" in result.output


def test_a_dry_run_writes_nothing(app, runner, tmp_path):
    result = runner.invoke(args=["org", "import", "--dry-run", write(tmp_path, VALID)])
    assert result.exit_code == 0, result.output
    assert "3 added, 0 renamed, 0 unchanged (dry run: nothing written)" in result.output
    assert "HP" not in units(app)


@pytest.mark.parametrize("code", ["HP/LC", "..", "."])
def test_a_code_that_cannot_be_part_of_a_web_address_is_refused(app, runner, tmp_path, code):
    # The reports open a unit at /reports/units/<code>/: such a unit could never be opened.
    result = runner.invoke(args=["org", "import",
                                 write(tmp_path, HEADER + f"{code},Hải Phòng,,province\n")])
    assert result.exit_code == 1
    assert "row 2, column “code”: A code cannot contain “/” or be only dots." in result.output
    assert code not in units(app)


def test_a_file_that_is_not_a_table_is_refused_without_a_traceback(runner, tmp_path):
    result = runner.invoke(args=["org", "import",
                                 write(tmp_path, HEADER + "HP," + "x" * 200_000 + ",,province\n")])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "not a CSV table" in result.output


# --- expected counts (issue 11, item 2) ----------------------------------------------------

def test_expected_counts_are_optional_columns_and_update_existing_units(app, runner, tmp_path):
    text = ("code,name,parent_code,kind,expected_residents,expected_civil_servants\n"
            "QN,Tỉnh Quảng Ninh,,province,,\n"
            "QN-CT,Đặc khu Cô Tô,QN,special-zone,4200,35\n")
    result = runner.invoke(args=["org", "import", write(tmp_path, text)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        zone = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "QN-CT"))
        province = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "QN"))
        assert (zone.kind, zone.expected_residents, zone.expected_civil_servants) == \
            ("special-zone", 4200, 35)
        assert (province.expected_residents, province.expected_civil_servants) == (None, None)
    again = text.replace("4200,35", "4300,")  # an empty cell keeps the figure
    result = runner.invoke(args=["org", "import", write(tmp_path, again, "again.csv")])
    assert result.exit_code == 0, result.output
    assert "0 added, 0 renamed, 1 unchanged, 1 expected counts updated" in result.output
    with app.app_context():
        zone = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "QN-CT"))
        assert (zone.expected_residents, zone.expected_civil_servants) == (4300, 35)


@pytest.mark.parametrize("value", ["-5", "1.234", "nhiều", "100000001"])
def test_an_expected_count_that_is_not_a_number_is_named(app, runner, tmp_path, value):
    text = (HEADER.strip() + ",expected_residents\n" + f"QN,Tỉnh Quảng Ninh,,province,{value}\n")
    result = runner.invoke(args=["org", "import", write(tmp_path, text)])
    assert result.exit_code == 1
    assert f"row 2, column “expected_residents”: “{value}” is not a number of people" \
        in result.output
    with app.app_context():
        assert db.session.scalar(select(OrgUnit).where(OrgUnit.code == "QN")) is None
