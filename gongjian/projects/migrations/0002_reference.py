"""Reference data: project categories of 项目攻坚2022 and Quanzhou's industry chains."""

from django.db import migrations

CATEGORIES = [
    ("key-construction", "在建重点项目", "Key project under construction", 10),
    ("investment-signed", "招商签约项目", "Signed investment project", 20),
    ("urban-quality", "城建提品质项目", "Urban quality project", 30),
    ("new-infrastructure", "新基建新经济项目", "New infrastructure and new economy project", 40),
]

INDUSTRY_CHAINS = [
    ("textile-footwear", "纺织鞋服", "Textiles, footwear and apparel", 10),
    ("petrochemical", "石油化工", "Petrochemicals", 20),
    ("machinery", "机械装备", "Machinery and equipment", 30),
    ("building-materials", "建材家居", "Building materials and home furnishing", 40),
    ("food-beverage", "食品饮料", "Food and beverages", 50),
    ("electronics", "电子信息", "Electronics and information", 60),
    ("medical-devices", "医疗器械", "Medical devices", 70),
    ("paper-printing", "纸业印刷", "Paper and printing", 80),
    ("crafts", "工艺制品", "Arts and crafts", 90),
    ("new-materials", "新材料", "New materials", 100),
    ("new-energy", "新能源", "New energy", 110),
    ("digital-economy", "数字经济", "Digital economy", 120),
    ("modern-services", "现代服务业", "Modern services", 130),
    ("infrastructure", "基础设施", "Infrastructure", 140),
    ("public-services", "社会民生", "Public services", 150),
]


def load(apps, schema_editor):
    Category = apps.get_model("projects", "Category")
    IndustryChain = apps.get_model("projects", "IndustryChain")
    for code, name, name_en, order in CATEGORIES:
        Category.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
    for code, name, name_en, order in INDUSTRY_CHAINS:
        IndustryChain.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
