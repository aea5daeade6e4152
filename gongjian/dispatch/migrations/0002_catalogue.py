"""The default catalogues: 前期工作 milestones, templates per project type, 要素 types."""

from django.db import migrations

MILESTONE_TYPES = [
    ("approval", "项目立项/核准/备案", "Project approval / filing", 10),
    ("feasibility", "可研批复", "Feasibility study approval", 20),
    ("land-preexam", "用地预审与选址意见", "Land pre-examination and siting", 30),
    ("land-grant", "用地批复/土地出让", "Land approval / land grant", 40),
    ("planning-permit", "规划许可", "Planning permit", 50),
    ("eia", "环评批复", "Environmental impact approval", 60),
    ("energy-review", "能评/节能审查", "Energy-saving review", 70),
    ("drawing-review", "施工图审查", "Construction drawing review", 80),
    ("construction-permit", "施工许可", "Construction permit", 90),
]

# (template code, name, category code or None, [(milestone, months before the planned start)])
TEMPLATES = [
    (
        "industrial",
        "产业项目（核准/备案类）",
        "key-construction",
        [
            ("approval", 8),
            ("land-preexam", 7),
            ("eia", 5),
            ("energy-review", 5),
            ("land-grant", 4),
            ("planning-permit", 3),
            ("drawing-review", 2),
            ("construction-permit", 1),
        ],
    ),
    (
        "government",
        "政府投资项目（审批类）",
        "urban-quality",
        [
            ("approval", 9),
            ("feasibility", 7),
            ("land-preexam", 7),
            ("eia", 5),
            ("land-grant", 4),
            ("planning-permit", 3),
            ("drawing-review", 2),
            ("construction-permit", 1),
        ],
    ),
    (
        "signed",
        "招商签约项目落地",
        "investment-signed",
        [
            ("approval", 6),
            ("land-grant", 4),
            ("planning-permit", 3),
            ("construction-permit", 1),
        ],
    ),
    (
        "infrastructure",
        "新基建项目",
        "new-infrastructure",
        [
            ("approval", 6),
            ("feasibility", 5),
            ("planning-permit", 3),
            ("construction-permit", 1),
        ],
    ),
]

FACTOR_TYPES = [
    ("land", "用地", "Land", "亩", 10),
    ("forest", "用林", "Forest land", "亩", 20),
    ("sea", "用海", "Sea area", "公顷", 30),
    ("funds", "资金", "Funds", "万元", 40),
    ("energy", "能耗", "Energy quota", "吨标准煤", 50),
    ("environment", "环境容量", "Environmental capacity", "吨/年", 60),
    ("power", "用电", "Power supply", "千伏安", 70),
    ("labour", "用工", "Labour", "人", 80),
    ("other", "其他", "Other", "", 90),
]


def load(apps, schema_editor):
    MilestoneType = apps.get_model("dispatch", "MilestoneType")
    MilestoneTemplate = apps.get_model("dispatch", "MilestoneTemplate")
    MilestoneTemplateStep = apps.get_model("dispatch", "MilestoneTemplateStep")
    FactorType = apps.get_model("dispatch", "FactorType")
    Category = apps.get_model("projects", "Category")
    types = {}
    for code, name, name_en, order in MILESTONE_TYPES:
        types[code], _ = MilestoneType.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
    for code, name, category_code, steps in TEMPLATES:
        template, created = MilestoneTemplate.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "category": Category.objects.filter(code=category_code).first(),
            },
        )
        if not created:
            continue
        for order, (milestone, months) in enumerate(steps, start=1):
            MilestoneTemplateStep.objects.create(
                template=template,
                milestone_type=types[milestone],
                months_before_start=months,
                sort_order=order,
            )
    for code, name, name_en, unit, order in FACTOR_TYPES:
        FactorType.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "unit": unit, "sort_order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0001_initial"), ("projects", "0002_reference")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
