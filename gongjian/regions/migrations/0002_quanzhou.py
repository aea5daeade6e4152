"""Reference data: 福建省 › 泉州市 › its 13 reporting units, 金门县, and the assessment groups."""

from django.db import migrations

GROUPS = [
    ("urban", "城区", "Urban districts", 1),
    ("county", "县域", "Counties and county-level cities", 2),
]

# code, name, English name, short name, kind, reporting, group, sort order
UNITS = [
    ("350502", "鲤城区", "Licheng District", "鲤城", "county", True, "urban", 10),
    ("350503", "丰泽区", "Fengze District", "丰泽", "county", True, "urban", 20),
    ("350504", "洛江区", "Luojiang District", "洛江", "county", True, "urban", 30),
    ("350505", "泉港区", "Quangang District", "泉港", "county", True, "urban", 40),
    ("350521", "惠安县", "Hui'an County", "惠安", "county", True, "county", 50),
    ("350524", "安溪县", "Anxi County", "安溪", "county", True, "county", 60),
    ("350525", "永春县", "Yongchun County", "永春", "county", True, "county", 70),
    ("350526", "德化县", "Dehua County", "德化", "county", True, "county", 80),
    ("350527", "金门县", "Kinmen County", "金门", "county", False, None, 90),
    ("350581", "石狮市", "Shishi City", "石狮", "county", True, "county", 100),
    ("350582", "晋江市", "Jinjiang City", "晋江", "county", True, "county", 110),
    ("350583", "南安市", "Nan'an City", "南安", "county", True, "county", 120),
    # Functional zones have no GB/T 2260 code; these codes are the platform's own and never change.
    ("QZ-TZQ", "泉州台商投资区", "Quanzhou Taiwanese Investment Zone", "台商区", "zone", True, "urban", 130),
    ("QZ-JKQ", "泉州经济技术开发区", "Quanzhou Economic and Technological Development Zone", "经开区", "zone", True, "urban", 140),
]


def load(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    AssessmentGroup = apps.get_model("regions", "AssessmentGroup")
    groups = {}
    for code, name, name_en, order in GROUPS:
        groups[code], _ = AssessmentGroup.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
    province, _ = Region.objects.update_or_create(
        code="350000",
        defaults={"name": "福建省", "name_en": "Fujian Province", "short_name": "福建",
                  "kind": "province", "path": "/350000/", "is_reporting": False, "sort_order": 0},
    )
    city, _ = Region.objects.update_or_create(
        code="350500",
        defaults={"name": "泉州市", "name_en": "Quanzhou", "short_name": "泉州", "kind": "city",
                  "parent": province, "path": "/350000/350500/", "is_reporting": False,
                  "sort_order": 0},
    )
    for code, name, name_en, short, kind, reporting, group, order in UNITS:
        Region.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "short_name": short, "kind": kind,
                      "parent": city, "path": f"{city.path}{code}/", "is_reporting": reporting,
                      "assessment_group": groups.get(group), "sort_order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
